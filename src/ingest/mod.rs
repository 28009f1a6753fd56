//! The input side: discover files → read sheets → recognise datasets → map
//! headers → parse values into typed records, with every row accounted for.
//!
//! Files are read in parallel; everything after reading runs in the sorted order
//! of files and sheets, so "later rows" of duplicate ids are well defined and the
//! result is the same on every run.

pub mod countries;
pub mod headers;
pub mod read;
pub mod records;
pub mod responses;
pub mod values;
pub mod worker;

use std::collections::BTreeSet;

use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use regex::Regex;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::{hex, Config};
use crate::model::{Dataset, DatasetKind};
use crate::quality::{Issue, Severity};
use headers::{glob_match, ColumnMap, HeaderTables};
use read::Sheet;
use records::{RowReader, SheetPlace};
use responses::{Counter, Rejection, SheetResponses};
use values::Vocab;

/// Extensions read as spreadsheets.
pub const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xls", "ods", "csv"];

/// Counts for one sheet of one input file (`run.json` → `inputs[].sheets`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SheetCount {
    pub sheet: String,
    pub dataset: Option<DatasetKind>,
    pub rows_read: usize,
    pub rows_accepted: usize,
    pub rows_rejected: usize,
}

/// One input file as read (`run.json` → `inputs`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputFile {
    pub path: String,
    pub sha256: String,
    pub readable: bool,
    pub sheets: Vec<SheetCount>,
}

/// Everything the input side produces.
#[derive(Debug, Clone, Default)]
pub struct Ingested {
    pub files: Vec<InputFile>,
    pub data: Dataset,
    pub issues: Vec<Issue>,
}

/// Files of the input folder that are read, sorted; and issues for files skipped.
///
/// # Errors
/// The input folder cannot be listed.
pub fn discover(input: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<Issue>)> {
    let mut files = Vec::new();
    let mut issues = Vec::new();
    for entry in std::fs::read_dir(input)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        // Hidden files and Excel's lock files (`~$name.xlsx`) are skipped silently.
        if name.starts_with('.') || name.starts_with("~$") {
            continue;
        }
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        if EXTENSIONS.contains(&read::extension_of(&path).as_str()) {
            files.push(path);
        } else {
            issues.push(Issue::file(
                Severity::Info,
                "file_skipped",
                &name,
                format!(
                    "`{name}` is not a spreadsheet peer-eval reads (.xlsx, .xlsm, .xls, .ods, .csv); it was skipped"
                ),
            ));
        }
    }
    files.sort();
    issues.sort_by(|a, b| a.file.cmp(&b.file));
    Ok((files, issues))
}

/// One sheet, parsed on its own: activity ids are checked when the sheets are merged.
struct SheetResult {
    name: String,
    map: Option<ColumnMap>,
    count: SheetCount,
    issues: Vec<Issue>,
    records: Dataset,
    responses: SheetResponses,
    /// For a responses sheet without `activity_id`: the names that may be its activity.
    candidates: Option<Vec<String>>,
}

/// One file: its accounting, or why it could not be read, and its sheets.
struct FileResult {
    file: InputFile,
    error: Option<String>,
    sheets: Vec<SheetResult>,
}

/// Read and parse every input file.
///
/// Each file is read, recognised and parsed in one parallel task, so its raw cells
/// are dropped as soon as it is done; the results are then merged in file and
/// sheet order, where unknown activities and ids repeated across sheets are
/// rejected.
///
/// # Errors
/// The input folder cannot be listed.
pub fn ingest(input: &Path, config: &Config, on_file: &(dyn Fn(&str) + Sync)) -> std::io::Result<Ingested> {
    let (paths, issues) = discover(input)?;
    let tables = HeaderTables::new(config);
    let vocab = Vocab::new(config);
    let context = ParseContext { config, tables: &tables, vocab: &vocab, known: None };
    let results: Vec<FileResult> =
        paths.par_iter().enumerate().map(|(index, path)| read_and_parse(index, path, &context, on_file)).collect();
    Ok(merge(results, issues, config))
}

fn read_and_parse(index: usize, path: &Path, context: &ParseContext, on_file: &(dyn Fn(&str) + Sync)) -> FileResult {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let sha256 = std::fs::read(path).map(|bytes| hex(&Sha256::digest(&bytes))).unwrap_or_default();
    let sheets = read::read_file(path, &context.config.limits);
    on_file(&name);
    let mut result = FileResult {
        file: InputFile { path: name.clone(), sha256, readable: sheets.is_ok(), sheets: Vec::new() },
        error: None,
        sheets: Vec::new(),
    };
    let sheets = match sheets {
        Ok(sheets) => sheets,
        Err(reason) => {
            result.error = Some(reason);
            return result;
        }
    };
    for (sheet_index, sheet) in sheets.into_iter().enumerate() {
        let forced = forced_dataset(context.config, &name, &sheet.name);
        // The Instructions and Lists sheets of `peer-eval init` templates.
        let helper = crate::init::HELPER_SHEETS.iter().any(|h| h.eq_ignore_ascii_case(sheet.name.trim()));
        if helper && forced.is_none() {
            continue;
        }
        let map = context.tables.recognise(&sheet, forced);
        // Origins sort by file, then sheet.
        let place = SheetPlace { file: &name, sheet: &sheet.name, index: (index << 16) | sheet_index };
        let mut records = Dataset::default();
        let mut responses = SheetResponses::new(context.config.likert.items.len());
        let mut countries = BTreeSet::new();
        let mut sheet_issues = Vec::new();
        let count = match &map {
            None => {
                if !sheet.rows.is_empty() {
                    sheet_issues.push(
                        Issue::file(
                            Severity::Info,
                            "sheet_ignored",
                            &name,
                            format!(
                                "sheet `{}` was not recognised as any dataset (no known header row in its top {} rows); it was skipped. \
                                 Rename its headers to the template's, or map it in config with [[input.map]].",
                                sheet.name,
                                headers::HEADER_SEARCH_ROWS
                            ),
                        )
                        .in_sheet(&sheet.name),
                    );
                }
                SheetCount {
                    sheet: sheet.name.clone(),
                    dataset: None,
                    rows_read: 0,
                    rows_accepted: 0,
                    rows_rejected: 0,
                }
            }
            Some(map) => {
                let mut parsed =
                    SheetOutput { records: &mut records, responses: &mut responses, countries: &mut countries };
                parse_sheet(&place, &sheet, map, context, &mut parsed, &mut sheet_issues)
            }
        };
        let candidates = map
            .as_ref()
            .filter(|m| m.dataset == DatasetKind::Responses && !m.columns.contains_key("activity_id"))
            .map(|_| activity_candidates(context.config, &place));
        result.sheets.push(SheetResult {
            name: sheet.name.clone(),
            map,
            count,
            issues: sheet_issues,
            records,
            responses,
            candidates,
        });
    }
    result
}

/// Merge the files in order: registers first (a repeated activity id is rejected),
/// then every other sheet, rejecting rows whose activity is unknown and ids or
/// country profiles repeated from an earlier sheet.
fn merge(mut results: Vec<FileResult>, mut issues: Vec<Issue>, config: &Config) -> Ingested {
    let mut data = Dataset::default();
    let is_register = |s: &SheetResult| s.map.as_ref().is_some_and(|m| m.dataset == DatasetKind::Activities);
    let mut known: FxHashSet<String> = FxHashSet::default();
    for file in &mut results {
        let path = file.file.path.clone();
        for sheet in file.sheets.iter_mut().filter(|s| is_register(s)) {
            for activity in std::mem::take(&mut sheet.records.activities) {
                if known.insert(activity.id.clone()) {
                    data.activities.push(activity);
                } else {
                    let message = duplicate_message(&activity.id, "activity");
                    let issue = row_issue(&path, sheet, activity.origin.row, "activity_id", &activity.id, message);
                    reject_row(sheet, issue);
                }
            }
        }
    }
    data.activities.sort_by_key(|a| a.origin);
    let mut counter = Counter::new(&data, config);
    let mut seen_countries = BTreeSet::new();
    for file in &mut results {
        let path = file.file.path.clone();
        for sheet in file.sheets.iter_mut().filter(|s| !is_register(s)) {
            if let Some(candidates) = sheet.candidates.take() {
                match candidates.into_iter().find(|c| known.contains(c)) {
                    Some(id) => sheet.responses.set_activity(&id),
                    None if sheet.count.rows_read > 0 => reject_sheet_without_activity(&path, sheet),
                    None => {}
                }
            }
            let responses = std::mem::take(&mut sheet.responses);
            counter.count(&mut data, &responses, |rejection| match rejection {
                Rejection::UnknownActivity(row, id) => reject_unknown(&path, sheet, row, id),
                Rejection::Duplicate(row, id) => {
                    let issue = row_issue(&path, sheet, row, "response_id", id, duplicate_message(id, "response"));
                    reject_row(sheet, issue);
                }
            });
            drop(responses);
            let records = std::mem::take(&mut sheet.records);
            for participant in records.participants {
                if known.contains(&participant.activity_id) {
                    data.participants.push(participant);
                } else {
                    reject_unknown(&path, sheet, participant.origin.row, &participant.activity_id);
                }
            }
            for followup in records.followups {
                if known.contains(&followup.activity_id) {
                    data.followups.push(followup);
                } else {
                    reject_unknown(&path, sheet, followup.origin.row, &followup.activity_id);
                }
            }
            for profile in records.countries {
                let key = profile.country.key().to_string();
                if seen_countries.insert(key.clone()) {
                    data.countries.push(profile);
                } else {
                    let message = duplicate_message(&key, "country profile");
                    let issue = row_issue(&path, sheet, profile.origin.row, "country", &key, message);
                    reject_row(sheet, issue);
                }
            }
            data.needs.extend(records.needs);
        }
    }
    let mut files = Vec::with_capacity(results.len());
    let mut order: FxHashMap<(String, String), usize> = FxHashMap::default();
    for mut file in results {
        if let Some(reason) = &file.error {
            issues.push(Issue::file(
                Severity::Error,
                "unreadable_file",
                &file.file.path,
                format!("`{}` could not be read: {reason}. The other files were processed.", file.file.path),
            ));
        }
        for sheet in file.sheets {
            let position = order.len() + 1;
            order.insert((file.file.path.clone(), sheet.name.clone()), position);
            issues.extend(sheet.issues);
            file.file.sheets.push(sheet.count);
        }
        files.push(file.file);
    }
    sort_records(&mut data);
    link(&mut data);
    let position = |issue: &Issue| match &issue.sheet {
        None => 0,
        Some(sheet) => order.get(&(issue.file.clone(), sheet.clone())).copied().unwrap_or(usize::MAX),
    };
    issues.sort_by(|a, b| {
        (a.file.as_str(), position(a), a.row, a.column.as_deref(), a.code).cmp(&(
            b.file.as_str(),
            position(b),
            b.row,
            b.column.as_deref(),
            b.code,
        ))
    });
    Ingested { files, data, issues }
}

/// A `duplicate_id` error on a data row (0-based `row`), at `column` when the sheet has it.
fn row_issue(file: &str, sheet: &SheetResult, row: u32, column: &str, value: &str, message: String) -> Issue {
    let mut issue =
        Issue::file(Severity::Error, "duplicate_id", file, message).in_sheet(&sheet.name).at_row(row).with_value(value);
    if let Some((col, header)) = sheet.map.as_ref().and_then(|m| m.columns.get(column)) {
        issue = issue.at_column(*col, header);
    }
    issue
}

/// Count an accepted row as rejected, with `issue` as the reason.
fn reject_row(sheet: &mut SheetResult, issue: Issue) {
    sheet.count.rows_accepted -= 1;
    sheet.count.rows_rejected += 1;
    sheet.issues.push(issue);
}

/// Reject a row whose activity is not in the register; its other issues are
/// dropped, as the row is not used at all.
fn reject_unknown(file: &str, sheet: &mut SheetResult, row: u32, id: &str) {
    sheet.issues.retain(|i| i.row != Some(row + 1));
    let mut issue = row_issue(file, sheet, row, "activity_id", id, records::unknown_activity_message(id));
    issue.code = "unknown_activity";
    reject_row(sheet, issue);
}

/// A responses sheet whose name names no known activity: every row is rejected
/// with one issue.
fn reject_sheet_without_activity(file: &str, sheet: &mut SheetResult) {
    let header_row = sheet.map.as_ref().map(|m| m.header_row + 1);
    sheet.issues.retain(|i| i.row.is_none() || i.row == header_row);
    sheet.records = Dataset::default();
    let rows = sheet.count.rows_read;
    sheet.count.rows_accepted = 0;
    sheet.count.rows_rejected = rows;
    sheet.issues.push(
        Issue::file(
            Severity::Error,
            "no_activity",
            file,
            format!(
                "sheet `{}` has no `activity_id` column and neither its name nor the file name names a known activity; \
                 add an activity_id column, name the file or sheet after the activity, or set input.activity_from. \
                 Its {rows} rows were not used.",
                sheet.name
            ),
        )
        .in_sheet(&sheet.name),
    );
}

fn forced_dataset(config: &Config, file: &str, sheet: &str) -> Option<DatasetKind> {
    config
        .input
        .map
        .iter()
        .find(|entry| glob_match(&entry.file, file) && entry.sheet.as_ref().is_none_or(|s| s == sheet))
        .map(|entry| entry.dataset)
}

struct ParseContext<'a> {
    config: &'a Config,
    tables: &'a HeaderTables,
    vocab: &'a Vocab,
    /// Known activity ids; `None` while sheets are parsed on their own.
    known: Option<&'a FxHashSet<String>>,
}

/// Required columns per dataset (the header must have them).
fn required_columns(dataset: DatasetKind) -> &'static [&'static str] {
    match dataset {
        DatasetKind::Activities => &["activity_id", "type", "start_date"],
        DatasetKind::Responses => &[],
        DatasetKind::Participants => &["activity_id", "participant_id"],
        DatasetKind::Needs => &["country"],
        DatasetKind::Followups => &["activity_id"],
        DatasetKind::Countries => &["country"],
    }
}

/// Where one sheet's parsed rows go.
struct SheetOutput<'a> {
    records: &'a mut Dataset,
    responses: &'a mut SheetResponses,
    /// Countries with a profile in this sheet.
    countries: &'a mut BTreeSet<String>,
}

fn parse_sheet(
    place: &SheetPlace,
    sheet: &Sheet,
    map: &ColumnMap,
    context: &ParseContext,
    out: &mut SheetOutput,
    issues: &mut Vec<Issue>,
) -> SheetCount {
    let mut seen_response_ids = responses::TextSet::default();
    let keep_comments = context.config.privacy.publish_comments;
    let rows: Vec<&read::Row> = sheet.rows.iter().filter(|r| r.index > map.header_row).collect();
    let mut count = SheetCount {
        sheet: sheet.name.clone(),
        dataset: Some(map.dataset),
        rows_read: rows.len(),
        rows_accepted: 0,
        rows_rejected: 0,
    };
    let sheet_issue =
        |severity, code, message: String| Issue::file(severity, code, place.file, message).in_sheet(place.sheet);
    for (col, header) in &map.ignored {
        if !header.trim().is_empty() {
            issues.push(
                sheet_issue(
                    Severity::Info,
                    "column_ignored",
                    match context.tables.suggest(map.dataset, header) {
                        Some(column) => format!(
                            "column `{header}` maps to no {} column and was ignored; did you mean `{column}`? Rename the header, or add it under [columns.{}] in the config.",
                            map.dataset.as_str(),
                            map.dataset.as_str()
                        ),
                        None => format!("column `{header}` maps to no {} column and was ignored", map.dataset.as_str()),
                    },
                )
                .at_row(map.header_row)
                .at_column(*col, header),
            );
        }
    }
    for (col, header, canonical) in &map.duplicates {
        issues.push(
            sheet_issue(
                Severity::Warning,
                "duplicate_column",
                format!("column `{header}` is a second `{canonical}` column; only the first one was read. Remove or rename one of them."),
            )
            .at_row(map.header_row)
            .at_column(*col, header),
        );
    }
    // A missing required column rejects every row with one issue.
    let missing: Vec<&str> =
        required_columns(map.dataset).iter().copied().filter(|c| !map.columns.contains_key(*c)).collect();
    // A responses sheet without `activity_id` gets its activity when the sheets
    // are merged (see `activity_candidates`); until then the id is left empty.
    let fixed_activity =
        (map.dataset == DatasetKind::Responses && !map.columns.contains_key("activity_id")).then(String::new);
    if !missing.is_empty() && !rows.is_empty() {
        issues.push(
            sheet_issue(
                Severity::Error,
                "missing_column",
                format!(
                    "sheet `{}` looks like {} but has no {} column; add it. Its {} rows were not used.",
                    place.sheet,
                    map.dataset.as_str(),
                    missing.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
                    rows.len()
                ),
            )
            .at_row(map.header_row),
        );
        count.rows_rejected = rows.len();
        return count;
    }
    let items: Vec<(String, u8)> = context.config.likert.items.iter().map(|i| (i.id.clone(), i.points)).collect();
    let prefixed = |prefix: &str| -> Vec<(String, String)> {
        map.columns.keys().filter_map(|k| k.strip_prefix(prefix).map(|phase| (k.clone(), phase.to_string()))).collect()
    };
    let phase_columns = prefixed("phase:");
    let experience_columns = prefixed("experience:");
    for row in rows {
        let mut r = RowReader::new(place, map, row, context.vocab);
        let accepted = match map.dataset {
            DatasetKind::Activities => records::activity(&mut r).and_then(|a| {
                if out.records.activities.iter().any(|b| b.id == a.id) {
                    duplicate(&mut r, "activity_id", &a.id, "activity");
                    None
                } else {
                    out.records.activities.push(a);
                    Some(())
                }
            }),
            DatasetKind::Responses => records::response(&mut r, fixed_activity.as_deref(), &items, keep_comments)
                .and_then(|resp| {
                    if let Some(id) = resp.response_id.as_deref().filter(|id| !seen_response_ids.insert(id)) {
                        duplicate(&mut r, "response_id", id, "response");
                        return None;
                    }
                    (!r.rejected).then(|| out.responses.push(row.index, resp))
                }),
            DatasetKind::Participants => {
                records::participant(&mut r, context.known).map(|p| out.records.participants.push(p))
            }
            DatasetKind::Needs => records::needs(&mut r, &phase_columns).map(|n| out.records.needs.extend(n)),
            DatasetKind::Followups => records::followup(&mut r, context.known).map(|f| out.records.followups.push(f)),
            DatasetKind::Countries => records::country_profile(&mut r, &experience_columns).and_then(|p| {
                if !out.countries.insert(p.country.key().to_string()) {
                    duplicate(&mut r, "country", p.country.key(), "country profile");
                    None
                } else {
                    out.records.countries.push(p);
                    Some(())
                }
            }),
        };
        let rejected = r.rejected || accepted.is_none();
        issues.append(&mut r.issues);
        if rejected {
            count.rows_rejected += 1;
        } else {
            count.rows_accepted += 1;
        }
    }
    count
}

fn duplicate(r: &mut RowReader, column: &str, id: &str, what: &str) {
    r.reject("duplicate_id", column, id, duplicate_message(id, what));
}

fn duplicate_message(id: &str, what: &str) -> String {
    format!("`{id}` appears again: an earlier row already has this {what}; this row was not used. Give it its own id or delete the copy.")
}

/// The names a responses sheet without `activity_id` may take its activity from,
/// in the order of SPEC §4.2: the sheet name, the file stem, then the `id` group of
/// `input.activity_from` searched in the file stem, then in the sheet name. The
/// first one that is a known activity wins.
fn activity_candidates(config: &Config, place: &SheetPlace) -> Vec<String> {
    let stem = Path::new(place.file).file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
    let mut candidates = vec![place.sheet.trim().to_string(), stem.trim().to_string()];
    if let Some(regex) = config.input.activity_from.as_ref().and_then(|p| Regex::new(p).ok()) {
        let found = [stem.as_str(), place.sheet]
            .iter()
            .find_map(|name| regex.captures(name).and_then(|c| c.name("id")).map(|m| m.as_str().to_string()));
        candidates.extend(found);
    }
    candidates
}

/// Point every attendance and follow-up record at its activity's index, so
/// indicators never look activities up by id.
pub fn link(data: &mut Dataset) {
    let index: rustc_hash::FxHashMap<String, usize> =
        data.activities.iter().enumerate().map(|(i, a)| (a.id.clone(), i)).collect();
    for p in &mut data.participants {
        p.activity = index[&p.activity_id];
    }
    for f in &mut data.followups {
        f.activity = index[&f.activity_id];
    }
}

/// Records in a stable order (by origin), whatever order sheets were parsed in.
fn sort_records(data: &mut Dataset) {
    data.activities.sort_by_key(|a| a.origin);
    data.participants.sort_by_key(|p| p.origin);
    data.needs.sort_by_key(|n| n.origin);
    data.followups.sort_by_key(|f| f.origin);
    data.countries.sort_by_key(|c| c.origin);
}
