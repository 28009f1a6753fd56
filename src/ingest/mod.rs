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
pub mod values;
pub mod worker;

use std::collections::BTreeSet;

use rustc_hash::FxHashSet;
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

/// A sheet that was read and recognised, waiting to be parsed.
struct Recognised {
    file: usize,
    sheet: Sheet,
    map: Option<ColumnMap>,
}

/// Read and parse every input file.
///
/// # Errors
/// The input folder cannot be listed.
pub fn ingest(input: &Path, config: &Config, on_file: &(dyn Fn(&str) + Sync)) -> std::io::Result<Ingested> {
    let (paths, mut issues) = discover(input)?;
    let tables = HeaderTables::new(config);
    let vocab = Vocab::new(config);

    let read: Vec<(InputFile, Result<Vec<Sheet>, String>)> = paths
        .par_iter()
        .map(|path| {
            let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let sha256 = std::fs::read(path).map(|bytes| hex(&Sha256::digest(&bytes))).unwrap_or_default();
            let sheets = read::read_file(path, &config.limits);
            on_file(&name);
            (InputFile { path: name, sha256, readable: sheets.is_ok(), sheets: Vec::new() }, sheets)
        })
        .collect();

    let mut files = Vec::new();
    let mut recognised = Vec::new();
    for (file_index, (file, sheets)) in read.into_iter().enumerate() {
        match sheets {
            Err(reason) => issues.push(Issue::file(
                Severity::Error,
                "unreadable_file",
                &file.path,
                format!("`{}` could not be read: {reason}. The other files were processed.", file.path),
            )),
            Ok(sheets) => {
                for sheet in sheets {
                    let forced = forced_dataset(config, &file.path, &sheet.name);
                    // The Instructions and Lists sheets of `peer-eval init` templates.
                    let helper = crate::init::HELPER_SHEETS.iter().any(|h| h.eq_ignore_ascii_case(sheet.name.trim()));
                    if helper && forced.is_none() {
                        continue;
                    }
                    let map = tables.recognise(&sheet, forced);
                    recognised.push(Recognised { file: file_index, sheet, map });
                }
            }
        }
        files.push(file);
    }

    let mut data = Dataset::default();
    let mut counts: Vec<SheetCount> = Vec::with_capacity(recognised.len());
    // Activities first: the other datasets refer to them.
    // Activity registers first, in order: the other datasets refer to them.
    let is_register = |i: usize| recognised[i].map.as_ref().is_some_and(|m| m.dataset == DatasetKind::Activities);
    let mut results: Vec<Option<(SheetCount, Vec<Issue>)>> = vec![None; recognised.len()];
    let no_activities = FxHashSet::default();
    let (mut no_ids, mut no_countries) = (FxHashSet::default(), BTreeSet::new());
    for i in (0..recognised.len()).filter(|&i| is_register(i)) {
        let context = ParseContext { config, tables: &tables, vocab: &vocab, known: &no_activities };
        results[i] = Some(parse_one(&recognised, &files, i, &context, &mut data, &mut no_ids, &mut no_countries));
    }
    let known_activities: FxHashSet<String> = data.activities.iter().map(|a| a.id.clone()).collect();
    // Every other sheet in parallel, each into its own records…
    let context = ParseContext { config, tables: &tables, vocab: &vocab, known: &known_activities };
    let parsed: Vec<(usize, SheetCount, Vec<Issue>, Dataset)> = (0..recognised.len())
        .filter(|&i| !is_register(i))
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|i| {
            let mut local = Dataset::default();
            let (mut ids, mut countries) = (FxHashSet::default(), BTreeSet::new());
            let (count, sheet_issues) =
                parse_one(&recognised, &files, i, &context, &mut local, &mut ids, &mut countries);
            (i, count, sheet_issues, local)
        })
        .collect();
    // …then merged in file and sheet order, where a response id or country profile
    // repeated from an earlier sheet is rejected like a repeat within a sheet.
    let (mut seen_ids, mut seen_countries) = (FxHashSet::default(), BTreeSet::new());
    for (i, mut count, mut sheet_issues, local) in parsed {
        let place = |row: u32, column: &str, value: &str, what: &str| {
            let mut issue = Issue::file(
                Severity::Error,
                "duplicate_id",
                &files[recognised[i].file].path,
                duplicate_message(value, what),
            )
            .in_sheet(&recognised[i].sheet.name)
            .at_row(row)
            .with_value(value);
            if let Some((col, header)) = recognised[i].map.as_ref().and_then(|m| m.columns.get(column)) {
                issue = issue.at_column(*col, header);
            }
            issue
        };
        for response in local.responses {
            if let Some(id) = &response.response_id {
                if !seen_ids.insert(id.clone()) {
                    sheet_issues.push(place(response.origin.row, "response_id", id, "response"));
                    count.rows_accepted -= 1;
                    count.rows_rejected += 1;
                    continue;
                }
            }
            data.responses.push(response);
        }
        for profile in local.countries {
            if !seen_countries.insert(profile.country.key().to_string()) {
                sheet_issues.push(place(profile.origin.row, "country", profile.country.key(), "country profile"));
                count.rows_accepted -= 1;
                count.rows_rejected += 1;
                continue;
            }
            data.countries.push(profile);
        }
        data.participants.extend(local.participants);
        data.needs.extend(local.needs);
        data.followups.extend(local.followups);
        results[i] = Some((count, sheet_issues));
    }
    for (i, result) in results.into_iter().enumerate() {
        let (count, sheet_issues) = result.expect("every sheet parsed");
        issues.extend(sheet_issues);
        let file = recognised[i].file;
        counts.push(count.clone());
        files[file].sheets.push(count);
    }
    sort_records(&mut data);
    link(&mut data);
    issues.sort_by(|a, b| {
        (a.file.as_str(), sheet_order(&recognised, &files, a), a.row, a.column.as_deref(), a.code).cmp(&(
            b.file.as_str(),
            sheet_order(&recognised, &files, b),
            b.row,
            b.column.as_deref(),
            b.code,
        ))
    });
    Ok(Ingested { files, data, issues })
}

/// Parse one recognised sheet (or explain why it was skipped).
#[allow(clippy::too_many_arguments)]
fn parse_one(
    recognised: &[Recognised],
    files: &[InputFile],
    i: usize,
    context: &ParseContext,
    data: &mut Dataset,
    seen_response_ids: &mut FxHashSet<String>,
    seen_countries: &mut BTreeSet<String>,
) -> (SheetCount, Vec<Issue>) {
    let item = &recognised[i];
    let file = &files[item.file].path;
    let place = SheetPlace { file, sheet: &item.sheet.name, index: i };
    let mut sheet_issues = Vec::new();
    let count = match &item.map {
        None => {
            if !item.sheet.rows.is_empty() {
                sheet_issues.push(
                    Issue::file(
                        Severity::Info,
                        "sheet_ignored",
                        file,
                        format!(
                            "sheet `{}` was not recognised as any dataset (no known header row in its top {} rows); it was skipped. \
                             Rename its headers to the template's, or map it in config with [[input.map]].",
                            item.sheet.name,
                            headers::HEADER_SEARCH_ROWS
                        ),
                    )
                    .in_sheet(&item.sheet.name),
                );
            }
            SheetCount {
                sheet: item.sheet.name.clone(),
                dataset: None,
                rows_read: 0,
                rows_accepted: 0,
                rows_rejected: 0,
            }
        }
        Some(map) => {
            parse_sheet(&place, &item.sheet, map, context, data, &mut sheet_issues, seen_response_ids, seen_countries)
        }
    };
    (count, sheet_issues)
}

/// Position of an issue's sheet within its file, for a stable issue order.
fn sheet_order(recognised: &[Recognised], files: &[InputFile], issue: &Issue) -> usize {
    let Some(sheet) = &issue.sheet else { return 0 };
    recognised
        .iter()
        .position(|r| files[r.file].path == issue.file && &r.sheet.name == sheet)
        .map(|p| p + 1)
        .unwrap_or(usize::MAX)
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
    known: &'a FxHashSet<String>,
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

#[allow(clippy::too_many_arguments)]
fn parse_sheet(
    place: &SheetPlace,
    sheet: &Sheet,
    map: &ColumnMap,
    context: &ParseContext,
    data: &mut Dataset,
    issues: &mut Vec<Issue>,
    seen_response_ids: &mut FxHashSet<String>,
    seen_countries: &mut BTreeSet<String>,
) -> SheetCount {
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
    let mut fixed_activity = None;
    if map.dataset == DatasetKind::Responses && !map.columns.contains_key("activity_id") {
        fixed_activity = activity_from_name(context, place);
        if fixed_activity.is_none() && !rows.is_empty() {
            issues.push(sheet_issue(
                Severity::Error,
                "no_activity",
                format!(
                    "sheet `{}` has no `activity_id` column and neither its name nor the file name names a known activity; \
                     add an activity_id column, name the file or sheet after the activity, or set input.activity_from. \
                     Its {} rows were not used.",
                    place.sheet,
                    rows.len()
                ),
            ));
            count.rows_rejected = rows.len();
            return count;
        }
    }
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
                if data.activities.iter().any(|b| b.id == a.id) {
                    duplicate(&mut r, "activity_id", &a.id, "activity");
                    None
                } else {
                    data.activities.push(a);
                    Some(())
                }
            }),
            DatasetKind::Responses => records::response(&mut r, context.known, fixed_activity.as_deref(), &items)
                .and_then(|resp| {
                    if let Some(id) = &resp.response_id {
                        if !seen_response_ids.insert(id.clone()) {
                            duplicate(&mut r, "response_id", id, "response");
                            return None;
                        }
                    }
                    data.responses.push(resp);
                    Some(())
                }),
            DatasetKind::Participants => records::participant(&mut r, context.known).map(|p| data.participants.push(p)),
            DatasetKind::Needs => records::needs(&mut r, &phase_columns).map(|n| data.needs.extend(n)),
            DatasetKind::Followups => records::followup(&mut r, context.known).map(|f| data.followups.push(f)),
            DatasetKind::Countries => records::country_profile(&mut r, &experience_columns).and_then(|p| {
                if !seen_countries.insert(p.country.key().to_string()) {
                    duplicate(&mut r, "country", p.country.key(), "country profile");
                    None
                } else {
                    data.countries.push(p);
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

/// The activity a responses sheet without `activity_id` belongs to (SPEC §4.2).
fn activity_from_name(context: &ParseContext, place: &SheetPlace) -> Option<String> {
    let stem = Path::new(place.file).file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
    for name in [place.sheet, stem.as_str()] {
        if context.known.contains(name.trim()) {
            return Some(name.trim().to_string());
        }
    }
    let pattern = context.config.input.activity_from.as_ref()?;
    let regex = Regex::new(pattern).ok()?;
    [stem.as_str(), place.sheet]
        .iter()
        .find_map(|name| regex.captures(name).and_then(|c| c.name("id")).map(|m| m.as_str().to_string()))
        .filter(|id| context.known.contains(id))
}

/// Point every response, attendance and follow-up at its activity's index, so
/// indicators never look activities up by id.
pub fn link(data: &mut Dataset) {
    let index: rustc_hash::FxHashMap<String, usize> =
        data.activities.iter().enumerate().map(|(i, a)| (a.id.clone(), i)).collect();
    for r in &mut data.responses {
        r.activity = index[&r.activity_id];
    }
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
    data.responses.sort_by_key(|r| r.origin);
    data.participants.sort_by_key(|p| p.origin);
    data.needs.sort_by_key(|n| n.origin);
    data.followups.sort_by_key(|f| f.origin);
    data.countries.sort_by_key(|c| c.origin);
}
