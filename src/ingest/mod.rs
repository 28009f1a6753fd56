//! The input side: discover files → read sheets → recognise datasets → map
//! headers → parse values into typed records, with every row accounted for.
//!
//! Files are read in parallel; everything after reading runs in the sorted order
//! of files and sheets, so "later rows" of duplicate ids are well defined and the
//! result is the same on every run.

pub mod budget;
pub mod cells;
pub mod countries;
pub mod dates;
pub mod error;
pub mod headers;
pub mod link;
pub mod ods;
pub mod parse;
pub mod read;
pub mod records;
pub mod responses;
pub mod scales;
pub mod values;
pub mod worker;
pub mod xlsx;

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::{hex, Config};
use crate::model::{Dataset, DatasetKind};
use crate::quality::{Issue, Severity};
use headers::HeaderTables;
use link::{Link, Linker, RejectedActivity};
use parse::{duplicate_message, FileParser, ParseContext, SheetResult};
use responses::{Filter, SurveyLedger, TallyKey};
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
    /// Rows that are not data (totals, notes, repeated headers, previews): SPEC §12.1.
    pub rows_skipped: usize,
}

/// One input file as read (`run.json` → `inputs`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputFile {
    pub path: String,
    pub sha256: String,
    pub readable: bool,
    pub sheets: Vec<SheetCount>,
    /// Where the direct xlsx reader handed over to calamine, and why (`--verbose`).
    #[serde(skip)]
    pub reader_notes: Vec<String>,
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
pub fn discover(input: &Path, follow_links: bool) -> std::io::Result<(Vec<PathBuf>, Vec<Issue>)> {
    let mut files = Vec::new();
    let mut issues = Vec::new();
    let inside = std::fs::canonicalize(input)?;
    for entry in std::fs::read_dir(input)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        // Hidden files and Excel's lock files (`~$name.xlsx`) are skipped silently.
        if name.starts_with('.') || name.starts_with("~$") {
            continue;
        }
        let path = entry.path();
        let spreadsheet = EXTENSIONS.contains(&read::extension_of(&path).as_str());
        let mut skip = |why: &str| {
            issues.push(Issue::file(Severity::Info, "file_skipped", &name, format!("`{name}` {why}; it was skipped")))
        };
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            match std::fs::canonicalize(&path) {
                Err(_) => {
                    skip("is a link to nothing (its target is missing)");
                    continue;
                }
                Ok(target) if !follow_links && !target.starts_with(&inside) => {
                    skip("is a link leading out of the input folder, which is not followed (set input.follow_links = true to read it)");
                    continue;
                }
                Ok(_) => {}
            }
        }
        let Ok(meta) = std::fs::metadata(&path) else {
            skip("cannot be looked at");
            continue;
        };
        if meta.is_dir() {
            // Subfolders are not read; one named like a spreadsheet is worth a word.
            if spreadsheet {
                skip("is a folder, not a spreadsheet file; subfolders are not read");
            }
            continue;
        }
        if !meta.is_file() {
            skip("is not a regular file (a pipe, socket or device)");
            continue;
        }
        if spreadsheet {
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

/// One file: its accounting, or why it could not be read, and its sheets.
struct FileResult {
    path: PathBuf,
    file: InputFile,
    error: Option<error::ReadError>,
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
    ingest_with(input, config, on_file, false)
}

/// [`ingest`], keeping the survey responses row by row too (`Dataset::responses`).
///
/// # Errors
/// The input folder cannot be listed.
pub fn ingest_rows(input: &Path, config: &Config, on_file: &(dyn Fn(&str) + Sync)) -> std::io::Result<Ingested> {
    ingest_with(input, config, on_file, true)
}

fn ingest_with(
    input: &Path,
    config: &Config,
    on_file: &(dyn Fn(&str) + Sync),
    keep_responses: bool,
) -> std::io::Result<Ingested> {
    let (paths, issues) = discover(input, config.input.follow_links)?;
    let tables = HeaderTables::new(config);
    let vocab = Vocab::new(config);
    let ledger = SurveyLedger::default();
    let budget = budget::Budget::new(&config.limits);
    let context = ParseContext { config, tables: &tables, vocab: &vocab, budget: &budget, keep_responses };
    let results: Vec<FileResult> = paths
        .par_iter()
        .enumerate()
        .map(|(index, path)| read_and_parse(index, path, &context, &ledger, on_file))
        .collect();
    Ok(merge(results, issues, &context, ledger))
}

fn read_and_parse(
    index: usize,
    path: &Path,
    context: &ParseContext,
    ledger: &SurveyLedger,
    on_file: &(dyn Fn(&str) + Sync),
) -> FileResult {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let limits = &context.config.limits;
    let mut parser = FileParser::new(index, &name, context, ledger);
    // The file is read once: hashed for run.json, then parsed from memory, within
    // the run's memory budget.
    let (sha256, outcome) = match read::load(path, limits) {
        Ok(bytes) => {
            let sha256 = hex(&Sha256::digest(&bytes));
            let need = budget::need_mb(&read::extension_of(path), &bytes);
            match context.budget.reserve(need) {
                Ok(reservation) => {
                    let limits = budget::worker_limits(limits, reservation.mb());
                    (sha256, read::read_rows(path, &bytes, &limits, &mut parser))
                }
                Err(reason) => (sha256, Err(error::ReadError::Limit(reason))),
            }
        }
        Err(reason) => (String::new(), Err(reason)),
    };
    on_file(&name);
    let readable = outcome.is_ok();
    FileResult {
        path: path.to_path_buf(),
        file: InputFile {
            path: name.clone(),
            sha256,
            readable,
            sheets: Vec::new(),
            reader_notes: std::mem::take(&mut parser.fallbacks),
        },
        error: outcome.err(),
        // A file that fails part-way is not used at all.
        sheets: if readable { parser.sheets } else { Vec::new() },
    }
}

/// Merge the files in order: registers first (a repeated activity id is rejected),
/// then every other sheet, rejecting rows whose activity is unknown and ids or
/// country profiles repeated from an earlier sheet.
fn merge(
    mut results: Vec<FileResult>,
    mut issues: Vec<Issue>,
    context: &ParseContext,
    mut ledger: SurveyLedger,
) -> Ingested {
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
    let rejected_rows: Vec<RejectedActivity> = results
        .iter()
        .flat_map(|f| &f.sheets)
        .filter(|s| is_register(s))
        .flat_map(|s| s.rejected_activities.iter().cloned())
        .collect();
    let linker = Linker::new(data.activities.iter().map(|a| (a.id.as_str(), a.title.as_deref())), rejected_rows)
        .with_statuses(data.activities.iter().filter(|a| !a.delivered()).map(|a| (a.id.as_str(), a.status.as_str())));
    ledger.reserve_ids(results.iter().flat_map(|f| &f.sheets).map(|s| s.responses.id_count()).sum());
    let mut seen_countries = BTreeSet::new();
    for (index, file) in results.iter_mut().enumerate() {
        let path = file.file.path.clone();
        let mut sheets = std::mem::take(&mut file.sheets);
        for sheet in sheets.iter_mut().filter(|s| !is_register(s)) {
            ledger.merge_sheet(context, &linker, file, index, sheet);
            let records = std::mem::take(&mut sheet.records);
            let mut matched = Matched::default();
            for mut participant in records.participants {
                let link = linker.resolve(&participant.activity_id);
                match link.id() {
                    Some(id) => {
                        matched.note(&link, &participant.activity_id);
                        participant.activity_id = id.to_string();
                        data.participants.push(participant);
                    }
                    None => reject_link(&path, sheet, participant.origin.row, &participant.activity_id, &link),
                }
            }
            for mut followup in records.followups {
                let link = linker.resolve(&followup.activity_id);
                match link.id() {
                    Some(id) => {
                        matched.note(&link, &followup.activity_id);
                        followup.activity_id = id.to_string();
                        data.followups.push(followup);
                    }
                    None => reject_link(&path, sheet, followup.origin.row, &followup.activity_id, &link),
                }
            }
            matched.report(&path, sheet);
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
        file.sheets = sheets;
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
    let settled = std::mem::take(&mut ledger.settled);
    let goals: Vec<String> = context.config.taxonomy.goals.iter().map(|g| g.id.clone()).collect();
    ledger.finish(&mut data, &goals);
    // Row issues name their activity by its register id (rows of sheets without
    // `activity_id` take their sheet's settled activity).
    for issue in &mut issues {
        if let Some(sheet) = issue.sheet_activity.take() {
            issue.activity = settled.get(&sheet).cloned();
        } else if let Some(written) = issue.activity.take() {
            issue.activity = linker.resolve(&written).id().map(str::to_string);
        }
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

/// The merge's step of the [`SurveyLedger`], sheet by sheet in input order: the
/// activity of sheets without `activity_id`, responses to activities missing from
/// the register, and response ids repeated from an earlier sheet (see
/// [`responses`]).
impl SurveyLedger {
    /// One sheet, in input order.
    fn merge_sheet(
        &mut self,
        context: &ParseContext,
        linker: &Linker,
        file: &FileResult,
        index: usize,
        sheet: &mut SheetResult,
    ) {
        let mut settled = None;
        let mut matched = Matched::default();
        if let Some(candidates) = sheet.candidates.take() {
            match settle_activity(linker, &candidates) {
                Some((link @ Link::NotDelivered(..), spelling)) => {
                    if sheet.count.rows_read > sheet.count.rows_skipped {
                        reject_sheet_of(&file.file.path, sheet, &link, &spelling);
                    }
                    return;
                }
                Some((link, spelling)) => {
                    matched.note(&link, &spelling);
                    settled = link.id().map(str::to_string);
                }
                None if sheet.count.rows_read > sheet.count.rows_skipped => {
                    reject_sheet_without_activity(&file.file.path, sheet);
                    return;
                }
                None => return,
            }
        }
        let mut responses = std::mem::take(&mut sheet.responses);
        if let Some(id) = &settled {
            for key in responses.keys() {
                if let TallyKey::SheetOf(sheet) = key {
                    self.settled.insert(*sheet, id.clone());
                }
            }
        }
        // Each key's activity: the settled one for a sheet without `activity_id`
        // (its rows were counted under the sheet), else the key's link.
        let targets: Vec<Option<String>> = responses
            .keys()
            .iter()
            .map(|key| match (&settled, key) {
                (Some(id), _) => Some(id.clone()),
                (None, TallyKey::Activity(written)) => {
                    let link = linker.resolve_response(written);
                    matched.note(&link, written);
                    link.id().map(str::to_string)
                }
                (None, TallyKey::SheetOf(_)) => None,
            })
            .collect();
        for (key, target) in responses.keys().iter().zip(&targets) {
            match target {
                Some(target) if key.written() != Some(target.as_str()) => self.move_counts(key, target),
                Some(_) => {}
                // Rejected rows (an activity not delivered, unknown…) count nowhere.
                None => self.drop_counts(key),
            }
        }
        let is_known: Vec<bool> = targets.iter().map(Option::is_some).collect();
        let repeated: FxHashSet<String> =
            self.seen.add_sheet(responses.take_ids(), |key| is_known[key as usize]).into_iter().collect();
        if is_known.contains(&false) || !repeated.is_empty() {
            let filter = Filter { linker, repeated: &repeated, activity: settled.as_deref() };
            self.read_again(context, file, index, sheet, filter);
        }
        // The rows kept for an export: those of known activities and new ids.
        for (key, row) in responses.take_rows() {
            let Some(activity_id) = targets[key as usize].clone() else { continue };
            if row.response.response_id.as_ref().is_some_and(|id| repeated.contains(id)) {
                continue;
            }
            self.rows.push(crate::model::Response { activity_id, ..row.response });
        }
        // After the second read, which replaces the sheet's issues.
        matched.report(&file.file.path, sheet);
        for (key, id, text) in responses.comments() {
            if let Some(target) = targets[key].as_ref().filter(|_| id.is_none_or(|id| !repeated.contains(id))) {
                self.comments.entry(target.clone()).or_default().push(text.to_string());
            }
        }
    }

    /// Read a sheet again to reject the rows `filter` names, and take their answers
    /// away from the counts.
    fn read_again(
        &mut self,
        context: &ParseContext,
        file: &FileResult,
        index: usize,
        sheet: &mut SheetResult,
        filter: Filter,
    ) {
        let (path, name) = (&file.path, file.file.path.as_str());
        let limits = &context.config.limits;
        let mut parser = FileParser::again(index, name, context, sheet.position, filter);
        let again = read::load(path, limits).and_then(|bytes| {
            if hex(&Sha256::digest(&bytes)) != file.file.sha256 {
                return Err(error::ReadError::from("changed"));
            }
            read::read_rows(path, &bytes, limits, &mut parser)
        });
        match (again, parser.sheets.pop()) {
            (Ok(()), Some(result)) if result.count.rows_read == sheet.count.rows_read => {
                for (activity, survey) in &result.removed {
                    self.take_away(activity, survey);
                }
                sheet.count = result.count;
                sheet.issues = result.issues;
            }
            _ => sheet.issues.push(
                Issue::file(
                    Severity::Error,
                    "file_changed",
                    name,
                    format!(
                        "`{name}` changed while it was being read, so rows of sheet `{}` with an unknown activity or a repeated response id could not be set aside; run again.",
                        sheet.name
                    ),
                )
                .in_sheet(&sheet.name),
            ),
        }
    }
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

/// Reject a row whose activity does not link to the register; its other issues
/// are dropped, as the row is not used at all.
fn reject_link(file: &str, sheet: &mut SheetResult, row: u32, id: &str, link: &Link) {
    let Some((code, message)) = link.rejection(id) else { return };
    sheet.issues.retain(|i| i.row != Some(row + 1));
    let mut issue = row_issue(file, sheet, row, "activity_id", id, message);
    issue.code = code;
    reject_row(sheet, issue);
}

/// The activity of a sheet without `activity_id`: the first candidate name
/// (sheet, file stem, `input.activity_from`) that links, else the one accepted id
/// the sheet name or file stem holds as a token. Returns the link and the name.
fn settle_activity(linker: &Linker, candidates: &[String]) -> Option<(Link, String)> {
    let links = |link: &Link| matches!(link, Link::Exact(_) | Link::Matched(_) | Link::NotDelivered(..));
    if let Some(found) = candidates.iter().find_map(|c| {
        let link = linker.resolve_response(c);
        links(&link).then(|| (link, c.clone()))
    }) {
        return Some(found);
    }
    candidates.iter().take(2).find_map(|name| {
        let id = linker.token_in(name)?;
        let link = linker.resolve_response(&id);
        Some((if matches!(link, Link::Exact(_)) { Link::Matched(id) } else { link }, name.clone()))
    })
}

/// Spellings of activity ids that matched only after normalising, per sheet:
/// one `activity_matched` note each (SPEC §12.5).
#[derive(Default)]
struct Matched {
    spellings: BTreeMap<String, String>,
}

impl Matched {
    fn note(&mut self, link: &Link, spelling: &str) {
        if let Link::Matched(id) = link {
            self.spellings.entry(spelling.to_string()).or_insert_with(|| id.clone());
        }
    }

    fn report(self, file: &str, sheet: &mut SheetResult) {
        for (spelling, id) in self.spellings {
            let mut issue = Issue::file(
                Severity::Info,
                "activity_matched",
                file,
                format!(
                    "`{}` was read as activity `{id}` of the register (the same id written differently, a label that starts with it, its title, or a file or sheet name that holds it). Write `{id}` to make the link exact.",
                    crate::quality::truncate(spelling.trim(), crate::quality::VALUE_MAX_CHARS)
                ),
            )
            .in_sheet(&sheet.name)
            .with_value(&spelling);
            if let Some((col, header)) = sheet.map.as_ref().and_then(|m| m.columns.get("activity_id")) {
                issue = issue.at_column(*col, header);
            }
            sheet.issues.push(issue);
        }
    }
}

/// A responses sheet whose name names an activity that is not delivered: every
/// row is rejected with one issue.
fn reject_sheet_of(file: &str, sheet: &mut SheetResult, link: &Link, name: &str) {
    let Some((code, message)) = link.rejection(name) else { return };
    let rows = clear_sheet(sheet);
    let message = format!("{} (All {rows} rows of sheet `{}`.)", message, sheet.name);
    sheet.issues.push(Issue::file(Severity::Error, code, file, message).in_sheet(&sheet.name));
}

/// Count every data row of a sheet as rejected, keeping only the sheet's own
/// issues; returns the number of rows rejected.
fn clear_sheet(sheet: &mut SheetResult) -> usize {
    let header_row = sheet.map.as_ref().map(|m| m.header_row + 1);
    sheet.issues.retain(|i| i.row.is_none() || i.row == header_row || i.code == "row_skipped");
    sheet.records = Dataset::default();
    sheet.responses = Default::default();
    let rows = sheet.count.rows_read - sheet.count.rows_skipped;
    sheet.count.rows_accepted = 0;
    sheet.count.rows_rejected = rows;
    rows
}

/// A responses sheet whose name names no known activity: every row is rejected
/// with one issue.
fn reject_sheet_without_activity(file: &str, sheet: &mut SheetResult) {
    let rows = clear_sheet(sheet);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_changed_before_its_second_read_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("answers.csv");
        std::fs::write(&path, "response_id,activity_id,recommend\nR1,UNKNOWN,9\n").unwrap();
        let config = Config::default();
        let (tables, vocab, ledger) = (HeaderTables::new(&config), Vocab::new(&config), SurveyLedger::default());
        let budget = budget::Budget::new(&config.limits);
        let context =
            ParseContext { config: &config, tables: &tables, vocab: &vocab, budget: &budget, keep_responses: false };
        let mut file = read_and_parse(0, &path, &context, &ledger, &|_| {});
        // As if the file had been saved again after the first read.
        file.file.sha256 = "0".repeat(64);
        let mut sheet = file.sheets.pop().unwrap();
        let mut ledger = ledger;
        ledger.merge_sheet(&context, &Linker::default(), &file, 0, &mut sheet);
        let codes: Vec<&str> = sheet.issues.iter().map(|i| i.code).collect();
        // The sheet has no Likert item (a warning when first read), then the change.
        assert_eq!(codes, ["no_likert_items", "file_changed"]);
    }
}
