//! Parsing one file's sheets while they are read: the top rows of a sheet are kept
//! until its header is recognised, then every data row is parsed as it arrives and
//! dropped, so a file never sits in memory as cells.

use std::path::Path;

use regex::Regex;
use rustc_hash::FxHashMap;

use super::dates::{self, Reading};
use super::headers::{self, glob_match, ColumnMap, HeaderTables, HEADER_SEARCH_ROWS};
use super::link::RejectedActivity;
use super::read::{Cell, Merge, Row, RowSink, Sheet};
use super::records::{self, DateOrders, RowReader, SheetPlace};
use super::responses::{Filter, SheetActivity, SheetResponses, SurveyLedger, TextSet};
use super::scales::ColumnScale;
use super::values::Vocab;
use super::SheetCount;
use crate::answers::Survey;
use crate::config::{Config, DateOrder, HiddenRows, MapEntry};
use crate::model::{Dataset, DatasetKind, SheetId};
use crate::quality::{Issue, Severity};
use crate::text::{normalise, normalise_header};

/// What every sheet is parsed against.
pub struct ParseContext<'a> {
    pub config: &'a Config,
    pub tables: &'a HeaderTables,
    pub vocab: &'a Vocab,
    /// Memory shared by the files read at the same time.
    pub budget: &'a super::budget::Budget,
    /// Keep survey responses row by row as well as counted (`peer-eval export`).
    pub keep_responses: bool,
}

/// Which read of a file a parser does.
#[derive(Debug, Clone, Copy)]
pub enum Pass<'a> {
    /// The first read: survey responses are counted into the run's ledger.
    First(&'a SurveyLedger),
    /// A second read of the sheet at `position` only, rejecting the rows the
    /// filter names and keeping their answers apart, to be taken away.
    Again { position: usize, filter: Filter<'a> },
}

/// One sheet, parsed on its own: activity ids are checked when the sheets are merged.
pub struct SheetResult {
    pub name: String,
    /// Position among the file's sheets.
    pub position: usize,
    pub map: Option<ColumnMap>,
    pub count: SheetCount,
    pub issues: Vec<Issue>,
    pub records: Dataset,
    pub responses: SheetResponses,
    /// For a responses sheet without `activity_id`: the names that may be its activity.
    pub candidates: Option<Vec<String>>,
    /// Read again with a [`Filter`]: the counts of the responses it rejected, by activity.
    pub removed: FxHashMap<String, Survey>,
    /// A register's rejected rows that name an id, for `activity_rejected`.
    pub rejected_activities: Vec<RejectedActivity>,
}

/// Parses the sheets of one file as a [`RowSink`].
pub struct FileParser<'a> {
    /// Position of the file among the inputs.
    index: usize,
    file: &'a str,
    context: &'a ParseContext<'a>,
    pub sheets: Vec<SheetResult>,
    /// Sheets begun so far (helper sheets included), for origins.
    begun: usize,
    current: Option<Current<'a>>,
    pass: Pass<'a>,
    /// What the reader noticed, for the sheet being read.
    notes: Vec<Issue>,
    /// Where and why the direct reader handed over to calamine.
    pub fallbacks: Vec<String>,
}

/// The sheet being read.
enum Current<'a> {
    /// Its top rows, until the header is found among them.
    Top { name: String, forced: Option<DatasetKind>, rows: Vec<Row>, merges: Vec<Merge> },
    /// Recognised: data rows are parsed as they come.
    Parsing(Box<SheetParser<'a>>),
    /// Not a dataset: rows are skipped; `name` is reported at the end.
    Ignored { name: String },
    /// A template's helper sheet, or a sheet already accounted for: rows are skipped.
    Done,
}

impl<'a> FileParser<'a> {
    /// A parser for the first read of a file, counting responses into `ledger`.
    pub fn new(index: usize, file: &'a str, context: &'a ParseContext<'a>, ledger: &'a SurveyLedger) -> FileParser<'a> {
        FileParser::with(index, file, context, Pass::First(ledger))
    }

    fn with(index: usize, file: &'a str, context: &'a ParseContext<'a>, pass: Pass<'a>) -> FileParser<'a> {
        FileParser {
            index,
            file,
            context,
            sheets: Vec::new(),
            begun: 0,
            current: None,
            pass,
            notes: Vec::new(),
            fallbacks: Vec::new(),
        }
    }

    /// A parser that reads only sheet `position` of the file again, with `filter`.
    pub fn again(
        index: usize,
        file: &'a str,
        context: &'a ParseContext<'a>,
        position: usize,
        filter: Filter<'a>,
    ) -> FileParser<'a> {
        FileParser::with(index, file, context, Pass::Again { position, filter })
    }

    fn start(&self, name: &str) -> Current<'a> {
        if matches!(self.pass, Pass::Again { position, .. } if position != self.begun - 1) {
            return Current::Done;
        }
        let forced = forced_dataset(self.context.config, self.file, name);
        // The Instructions and Lists sheets of `peer-eval init` templates.
        let helper = crate::schema::HELPER_SHEETS.iter().any(|h| h.eq_ignore_ascii_case(name.trim()));
        if helper && forced.is_none() {
            Current::Done
        } else {
            Current::Top { name: name.to_string(), forced, rows: Vec::new(), merges: Vec::new() }
        }
    }

    /// Recognise the header among the top rows, and parse those below it.
    fn recognise(&mut self) {
        if !matches!(self.current, Some(Current::Top { .. })) {
            return;
        }
        let Some(Current::Top { name, forced, rows, merges }) = self.current.take() else { return };
        let sheet = Sheet { name, rows, ..Sheet::default() };
        self.current = Some(match self.context.tables.recognise(&sheet, forced) {
            None if sheet.rows.is_empty() => {
                self.sheets.push(SheetResult::unrecognised(&sheet.name, self.begun - 1, None));
                Current::Done
            }
            None => Current::Ignored { name: sheet.name },
            Some(map) => {
                let index = SheetId { file: self.index as u32, sheet: (self.begun - 1) as u32 };
                let mut parser = SheetParser::new(self.file, sheet.name, index, map, self.context, self.pass);
                parser.position = self.begun - 1;
                parser.add_merges(&merges);
                let settled = match self.pass {
                    Pass::Again { filter, .. } => filter.activity,
                    Pass::First(_) => None,
                };
                if let Some(activity) = settled.filter(|_| parser.fixed_activity.is_some()) {
                    parser.fixed_activity = Some(SheetActivity::Settled(activity.to_string()));
                }
                sheet.rows.iter().for_each(|row| parser.row(row, self.context));
                Current::Parsing(Box::new(parser))
            }
        });
    }
}

impl RowSink for FileParser<'_> {
    fn begin(&mut self, name: &str) {
        self.begun += 1;
        self.current = Some(self.start(name));
    }

    fn row(&mut self, row: &Row) {
        match &mut self.current {
            Some(Current::Top { rows, .. }) => {
                rows.push(row.clone());
                if rows.len() >= HEADER_SEARCH_ROWS {
                    self.recognise();
                }
            }
            Some(Current::Parsing(parser)) => parser.row(row, self.context),
            _ => {}
        }
    }

    fn fallback(&mut self, sheet: Option<&str>, reason: &str) {
        self.fallbacks.push(match sheet {
            Some(name) => format!("sheet `{name}` read by calamine: {reason}"),
            None => format!("read by calamine: {reason}"),
        });
    }

    fn note(&mut self, row: u32, message: &str) {
        let sheet = match &self.current {
            Some(Current::Top { name, .. } | Current::Ignored { name }) => name.clone(),
            Some(Current::Parsing(parser)) => parser.name.clone(),
            _ => return,
        };
        self.notes.push(
            Issue::file(Severity::Warning, "unclosed_quote", self.file, message.to_string())
                .in_sheet(&sheet)
                .at_row(row),
        );
    }

    fn merges(&mut self, merges: &[Merge]) {
        match &mut self.current {
            Some(Current::Top { merges: known, .. }) => known.extend_from_slice(merges),
            Some(Current::Parsing(parser)) => parser.late_merges(merges),
            _ => {}
        }
    }

    fn restart(&mut self) {
        let name = match self.current.take() {
            Some(Current::Top { name, .. } | Current::Ignored { name }) => name,
            Some(Current::Parsing(parser)) => parser.name,
            Some(Current::Done) | None => return,
        };
        self.current = Some(self.start(&name));
    }

    fn end(&mut self) {
        self.recognise();
        let notes = std::mem::take(&mut self.notes);
        match self.current.take() {
            Some(Current::Parsing(parser)) => self.sheets.push(parser.finish(self.context)),
            Some(Current::Ignored { name }) => {
                let issue = Issue::file(
                    Severity::Info,
                    "sheet_ignored",
                    self.file,
                    format!(
                        "sheet `{name}` was not recognised as any dataset (no known header row in its top {} rows); it was skipped. \
                         Rename its headers to the template's, or map it in config with [[input.map]].",
                        headers::HEADER_SEARCH_ROWS
                    ),
                )
                .in_sheet(&name);
                self.sheets.push(SheetResult::unrecognised(&name, self.begun - 1, Some(issue)));
            }
            _ => return,
        }
        if let Some(sheet) = self.sheets.last_mut() {
            sheet.issues.extend(notes);
        }
    }
}

impl SheetResult {
    fn unrecognised(name: &str, position: usize, issue: Option<Issue>) -> SheetResult {
        SheetResult {
            name: name.to_string(),
            position,
            map: None,
            count: SheetCount {
                sheet: name.to_string(),
                dataset: None,
                rows_read: 0,
                rows_accepted: 0,
                rows_rejected: 0,
                rows_skipped: 0,
            },
            issues: issue.into_iter().collect(),
            records: Dataset::default(),
            responses: SheetResponses::default(),
            candidates: None,
            removed: FxHashMap::default(),
            rejected_activities: Vec::new(),
        }
    }
}

/// Parses the data rows of one recognised sheet.
struct SheetParser<'a> {
    file: String,
    name: String,
    index: SheetId,
    position: usize,
    pass: Pass<'a>,
    removed: FxHashMap<String, Survey>,
    rejected_activities: Vec<RejectedActivity>,
    map: ColumnMap,
    count: SheetCount,
    issues: Vec<Issue>,
    records: Dataset,
    responses: SheetResponses,
    /// Required columns the header lacks: every row is rejected with one issue.
    missing: Vec<&'static str>,
    /// For a responses sheet without `activity_id`: its one activity, pending
    /// until the sheets are merged (then settled, when the sheet is read again).
    fixed_activity: Option<SheetActivity>,
    items: Vec<(String, u8)>,
    phase_columns: Vec<(String, String)>,
    experience_columns: Vec<(String, String)>,
    /// The ids of the sheet's rows so far (activity, response or country-profile
    /// ids; a sheet holds one dataset), for repeats within the sheet.
    seen_ids: TextSet,
    /// Tells the rows that are not data (SPEC §12.1).
    not_data: NotData,
    /// A register's rows, held until the sheet ends: the order of its slash
    /// dates is decided per column from all of them (SPEC §12.4).
    held: Option<Vec<Row>>,
    orders: DateOrders,
    /// The label set of each Likert column (SPEC §12.7), and the rows held while
    /// one of them is undecided.
    scales: Vec<ColumnScale>,
    /// The column of each Likert item, where the sheet has it.
    item_columns: Vec<Option<u32>>,
    pending: Vec<Row>,
    /// A register with one row per activity and country: each activity's
    /// position among the sheet's activities, its first row and its row count.
    combined: Option<FxHashMap<String, (usize, u32, usize)>>,
    /// Merged ranges of the sheet, and the value of each one's first cell.
    merges: Vec<Merge>,
    next_merge: usize,
    open_merges: Vec<Merge>,
    merged_values: FxHashMap<(u32, u32), Cell>,
    /// The current run of hidden data rows: (first, last).
    hidden_run: Option<(u32, u32)>,
}

impl<'a> SheetParser<'a> {
    fn new(
        file: &str,
        name: String,
        index: SheetId,
        map: ColumnMap,
        context: &ParseContext,
        pass: Pass<'a>,
    ) -> SheetParser<'a> {
        let mut issues = Vec::new();
        let sheet_issue = |severity, code, message: String| Issue::file(severity, code, file, message).in_sheet(&name);
        for (col, header) in &map.ignored {
            if !header.trim().is_empty() {
                let dataset = map.dataset.as_str();
                let message = match context.tables.suggest(map.dataset, header) {
                    Some(column) => format!(
                        "column `{header}` maps to no {dataset} column and was ignored; did you mean `{column}`? Rename the header, or add it under [columns.{dataset}] in the config."
                    ),
                    None => format!("column `{header}` maps to no {dataset} column and was ignored"),
                };
                issues.push(
                    sheet_issue(Severity::Info, "column_ignored", message)
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
        // Satisfaction figures must never go silently empty (SPEC §12.6).
        if map.dataset == DatasetKind::Responses
            && !context.config.likert.items.iter().any(|i| map.columns.contains_key(&i.id))
        {
            let unmapped: Vec<String> = map
                .ignored
                .iter()
                .filter(|(_, h)| !h.trim().is_empty())
                .take(12)
                .map(|(_, h)| format!("`{h}`"))
                .collect();
            let items: Vec<String> = context.config.likert.items.iter().map(|i| format!("`{}`", i.label)).collect();
            issues.push(
                sheet_issue(
                    Severity::Warning,
                    "no_likert_items",
                    format!(
                        "no column maps to a Likert item, so this sheet adds nothing to satisfaction figures. Unmapped headers: {}. Name a column after an item ({}), or add its header under [columns.responses].",
                        if unmapped.is_empty() { "none".to_string() } else { unmapped.join(", ") },
                        items.join(", ")
                    ),
                )
                .at_row(map.header_row),
            );
        }
        // A register may give its dates in one `dates` column instead of `start_date`.
        let has = |c: &str| map.columns.contains_key(c) || (c == "start_date" && map.columns.contains_key("dates"));
        let missing = required_columns(map.dataset).iter().copied().filter(|c| !has(c)).collect();
        let fixed_activity = (map.dataset == DatasetKind::Responses && !map.columns.contains_key("activity_id"))
            .then_some(SheetActivity::Pending(index));
        let prefixed = |prefix: &str| -> Vec<(String, String)> {
            let mut columns: Vec<(String, String)> = map
                .columns
                .keys()
                .filter_map(|k| k.strip_prefix(prefix).map(|phase| (k.clone(), phase.to_string())))
                .collect();
            columns.sort();
            columns
        };
        let config = context.config;
        let default_order = map_entry(config, file, &name).and_then(|e| e.date_order);
        SheetParser {
            file: file.to_string(),
            count: SheetCount {
                sheet: name.clone(),
                dataset: Some(map.dataset),
                rows_read: 0,
                rows_accepted: 0,
                rows_rejected: 0,
                rows_skipped: 0,
            },
            name,
            index,
            position: 0,
            pass,
            removed: FxHashMap::default(),
            rejected_activities: Vec::new(),
            issues,
            records: Dataset::default(),
            responses: {
                let mut responses = SheetResponses::default();
                if context.keep_responses {
                    responses.keep_rows();
                }
                responses
            },
            missing,
            fixed_activity,
            items: config.likert.items.iter().map(|i| (i.id.clone(), i.points)).collect(),
            phase_columns: prefixed("phase:"),
            experience_columns: prefixed("experience:"),
            seen_ids: TextSet::default(),
            not_data: NotData::new(&map, context),
            // Survey sheets stream; the others are held, so merged ranges reported
            // after their rows still fill them.
            held: (map.dataset != DatasetKind::Responses).then(Vec::new),
            orders: DateOrders { default: default_order, columns: Vec::new() },
            scales: config
                .likert
                .items
                .iter()
                .map(|i| {
                    ColumnScale::fixed(config.likert.scales.get(&i.id).and_then(|s| context.vocab.scales.index_of(s)))
                })
                .collect(),
            item_columns: config.likert.items.iter().map(|i| map.columns.get(&i.id).map(|(col, _)| *col)).collect(),
            pending: Vec::new(),
            combined: map.columns.contains_key("participating_country").then(FxHashMap::default),
            merges: Vec::new(),
            next_merge: 0,
            open_merges: Vec::new(),
            merged_values: FxHashMap::default(),
            hidden_run: None,
            map,
        }
    }

    /// Decide the order of each date column of a register from its values: a
    /// column with a value that can only be day-first is day-first, one with a
    /// value that can only be month-first is month-first; both is a warning.
    fn decide_orders(&mut self, rows: &[Row], context: &ParseContext) {
        let default = self.orders.default.unwrap_or(context.config.input.date_order);
        for column in ["start_date", "end_date", "dates"] {
            let Some((col, header)) = self.map.columns.get(column) else { continue };
            let (mut day_first, mut month_first, mut either) = (None, None, None);
            for row in rows {
                if let Some(Cell::Text(text)) = row.get(*col) {
                    let slot = match dates::reading(text) {
                        Some(Reading::DayFirst) => &mut day_first,
                        Some(Reading::MonthFirst) => &mut month_first,
                        Some(Reading::Either) => &mut either,
                        None => continue,
                    };
                    if slot.is_none() {
                        *slot = Some(text.trim().to_string());
                    }
                }
            }
            let decided = match (&day_first, &month_first) {
                (Some(_), None) => Some(DateOrder::DayFirst),
                (None, Some(_)) => Some(DateOrder::MonthFirst),
                _ => None,
            };
            if let Some(order) = decided {
                self.orders.columns.push((column.to_string(), order));
                // Dates that could be read either way are read against the configured
                // order: say so.
                if let (Some(sample), true) = (&either, order != default) {
                    let (shown, by) = match order {
                        DateOrder::DayFirst => ("day first", day_first.as_deref().unwrap_or("")),
                        DateOrder::MonthFirst => ("month first", month_first.as_deref().unwrap_or("")),
                    };
                    self.issues.push(
                        Issue::file(
                            Severity::Info,
                            "date_order_inferred",
                            &self.file,
                            format!(
                                "column `{header}` was read {shown}, as `{by}` can only be read that way, so `{sample}` and the other dates like it were read {shown} too (input.date_order says otherwise). Write dates as 2019-03-25 to be sure."
                            ),
                        )
                        .in_sheet(&self.name)
                        .at_row(self.map.header_row)
                        .at_column(*col, header),
                    );
                }
            }
            match (day_first, month_first) {
                (Some(_), None) | (None, Some(_)) => {}
                (Some(a), Some(b)) => {
                    let order = match default {
                        DateOrder::DayFirst => "day first",
                        DateOrder::MonthFirst => "month first",
                    };
                    self.issues.push(
                        Issue::file(
                            Severity::Warning,
                            "ambiguous_date_order",
                            &self.file,
                            format!(
                                "column `{header}` has dates that can only be day first (`{a}`) and dates that can only be month first (`{b}`); dates that could be either were read {order} (input.date_order). Write dates as 2019-03-25 to be sure."
                            ),
                        )
                        .in_sheet(&self.name)
                        .at_row(self.map.header_row)
                        .at_column(*col, header),
                    );
                }
                (None, None) => {}
            }
        }
    }

    fn row(&mut self, row: &Row, context: &ParseContext) {
        if row.index <= self.map.header_row {
            return;
        }
        // Qualtrics' third header row (`{"ImportId": …}`) is not data.
        if row.index == self.map.header_row + 1 && is_import_id_row(row) {
            return;
        }
        if let Some(held) = &mut self.held {
            held.push(row.clone());
            return;
        }
        if self.map.dataset == DatasetKind::Responses {
            self.observe_labels(row, context);
            if !self.scales.iter().all(|s| s.decided(&context.vocab.scales)) {
                self.pending.push(row.clone());
                return;
            }
            for held in std::mem::take(&mut self.pending) {
                self.data_row(&held, context);
            }
        }
        self.data_row(row, context);
    }

    /// One `scale_inferred` note per Likert column whose labels decided how a
    /// label that sets score differently was read (`Good` is 3 beside `Very good`).
    fn report_inferred_scales(&mut self, context: &ParseContext) {
        for ((item, _), scale) in self.items.iter().zip(&self.scales) {
            let Some((label, score, sets)) = scale.inferred(&context.vocab.scales) else { continue };
            let Some((col, header)) = self.map.columns.get(item) else { continue };
            self.issues.push(
                Issue::file(
                    Severity::Info,
                    "scale_inferred",
                    &self.file,
                    format!(
                        "column `{header}` was read on the {} label set, the one that holds all its labels, so `{label}` counts {score}. If that is wrong, name the set under [likert.scales].",
                        sets.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" or ")
                    ),
                )
                .in_sheet(&self.name)
                .at_row(self.map.header_row)
                .at_column(*col, header),
            );
        }
    }

    /// One `rows_combined` note per activity given on several rows.
    fn report_combined(&mut self) {
        let Some(combined) = self.combined.take() else { return };
        let mut notes: Vec<(u32, String, usize)> = combined
            .into_iter()
            .filter(|(_, (_, _, rows))| *rows > 1)
            .map(|(id, (_, row, rows))| (row, id, rows))
            .collect();
        notes.sort();
        for (row, id, rows) in notes {
            self.issues.push(
                Issue::file(
                    Severity::Info,
                    "rows_combined",
                    &self.file,
                    format!(
                        "`{id}` is given on {rows} rows, one per participating country; they were read as one activity: countries united, participants and costs summed."
                    ),
                )
                .in_sheet(&self.name)
                .at_row(row)
                .with_value(&id),
            );
        }
    }

    /// Note the labels of the row's Likert cells, so each column's set is decided.
    fn observe_labels(&mut self, row: &Row, context: &ParseContext) {
        for (col, scale) in self.item_columns.iter().zip(&mut self.scales) {
            let cell = col.and_then(|col| row.get(col));
            if let Some(key) = cell.and_then(|c| context.vocab.label_key(c)) {
                scale.observe(&context.vocab.scales, &key);
            }
        }
    }

    /// At the end of a sheet, a column whose set is still undecided has its
    /// labels ignored, with one warning; the rows held for it are then parsed.
    fn settle_scales(&mut self, context: &ParseContext) {
        if self.pending.is_empty() {
            return;
        }
        let sets = &context.vocab.scales;
        for ((item, _), scale) in self.items.iter().zip(&mut self.scales) {
            if scale.decided(sets) {
                continue;
            }
            scale.ambiguous = true;
            let (labels, fits) = scale.describe(sets);
            let Some((col, header)) = self.map.columns.get(item) else { continue };
            self.issues.push(
                Issue::file(
                    Severity::Warning,
                    "ambiguous_scale",
                    &self.file,
                    format!(
                        "column `{header}` holds only labels ({}) that score differently on the label sets {}; its labelled answers were ignored (numbers were read). Name its set in the config: [likert.scales] {item} = \"{}\".",
                        labels.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(", "),
                        fits.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(" and "),
                        fits.last().map_or("quality_very_good", String::as_str),
                    ),
                )
                .in_sheet(&self.name)
                .at_row(self.map.header_row)
                .at_column(*col, header),
            );
        }
        for held in std::mem::take(&mut self.pending) {
            self.data_row(&held, context);
        }
    }

    /// Merged ranges reported after the rows (xlsx keeps them after the cells):
    /// held rows are still filled; a survey sheet's rows are parsed already.
    fn late_merges(&mut self, merges: &[Merge]) {
        let below = |m: &&Merge| m.last_row > self.map.header_row;
        if self.held.is_none() && merges.iter().any(|m| below(&m)) {
            let first = merges.iter().filter(below).map(|m| m.first_row).min().unwrap_or(0);
            self.issues.push(
                Issue::file(
                    Severity::Warning,
                    "merged_cells",
                    &self.file,
                    "this survey sheet has merged cells below its header; only the first cell of each merged range was read. Unmerge them and fill in every cell.".to_string(),
                )
                .in_sheet(&self.name)
                .at_row(first),
            );
        }
        self.add_merges(merges);
    }

    /// Keep the merged ranges below the header, sorted by first row; a range of
    /// more than 10 000 rows or 100 columns, or beyond the first 10 000 ranges, is
    /// not filled (one warning), so a hostile file cannot cost rows × ranges.
    fn add_merges(&mut self, merges: &[Merge]) {
        let header = self.map.header_row;
        let (mut kept, mut dropped) = (0usize, 0usize);
        for merge in merges.iter().filter(|m| m.first_row > header) {
            let small = merge.last_row - merge.first_row < 10_000 && merge.last_col - merge.first_col < 100;
            if small && self.merges.len() < 10_000 {
                self.merges.push(*merge);
                kept += 1;
            } else {
                dropped += 1;
            }
        }
        if kept > 0 {
            self.merges.sort_by_key(|m| (m.first_row, m.first_col));
            (self.next_merge, self.open_merges) = (0, Vec::new());
        }
        if dropped > 0 {
            self.issues.push(
                Issue::file(
                    Severity::Warning,
                    "merged_cells",
                    &self.file,
                    if dropped == 1 {
                        "1 merged range is too large or one too many to fill (over 10 000 rows, 100 columns or 10 000 ranges); only its first cell was read.".to_string()
                    } else {
                        format!("{dropped} merged ranges are too large or too many to fill (over 10 000 rows, 100 columns or 10 000 ranges); only their first cells were read.")
                    },
                )
                .in_sheet(&self.name),
            );
        }
    }

    /// The row with the cells of merged ranges below the header filled with
    /// their first cell's value (SPEC §12.2).
    fn fill_merges<'r>(&mut self, row: &'r Row) -> std::borrow::Cow<'r, Row> {
        // Ranges are sorted by first row and rows come in order: only the ranges
        // open at this row are looked at.
        while let Some(merge) = self.merges.get(self.next_merge).filter(|m| m.first_row <= row.index) {
            self.open_merges.push(*merge);
            self.next_merge += 1;
        }
        self.open_merges.retain(|m| m.last_row >= row.index);
        let covering = self.open_merges.clone();
        if covering.is_empty() {
            return std::borrow::Cow::Borrowed(row);
        }
        let mut filled = row.clone();
        for merge in covering {
            let key = (merge.first_row, merge.first_col);
            if row.index == merge.first_row {
                if let Some(value) = row.get(merge.first_col) {
                    self.merged_values.insert(key, value.clone());
                }
            }
            let Some(value) = self.merged_values.get(&key) else { continue };
            for col in merge.first_col..=merge.last_col.min(merge.first_col.saturating_add(1000)) {
                if filled.get(col).is_none() {
                    filled.cells.push((col, value.clone()));
                }
            }
        }
        filled.cells.sort_by_key(|(c, _)| *c);
        std::borrow::Cow::Owned(filled)
    }

    /// One issue per run of hidden data rows (SPEC §12.2).
    fn flush_hidden(&mut self, context: &ParseContext) {
        let Some((first, last)) = self.hidden_run.take() else { return };
        let rows =
            if first == last { format!("row {}", first + 1) } else { format!("rows {}–{}", first + 1, last + 1) };
        let (severity, message) = match context.config.input.hidden_rows {
            HiddenRows::Read => (
                Severity::Warning,
                if first == last {
                    format!("{rows} is hidden but was counted; unhide it or delete it")
                } else {
                    format!("{rows} are hidden but were counted; unhide or delete them")
                },
            ),
            HiddenRows::Skip => (
                Severity::Info,
                format!(
                    "{rows} hidden in the workbook {} skipped (input.hidden_rows = \"skip\")",
                    if first == last { "was" } else { "were" }
                ),
            ),
        };
        self.issues.push(Issue::file(severity, "hidden_rows", &self.file, message).in_sheet(&self.name).at_row(first));
    }

    /// Add a hidden data row to the current run, or start a new one.
    fn note_hidden(&mut self, index: u32, context: &ParseContext) {
        match &mut self.hidden_run {
            Some((_, last)) if *last + 1 == index => *last = index,
            _ => {
                self.flush_hidden(context);
                self.hidden_run = Some((index, index));
            }
        }
    }

    /// A row below the header: skipped when it is not data, else parsed.
    fn data_row(&mut self, row: &Row, context: &ParseContext) {
        let row = &*self.fill_merges(row);
        if !row.hidden {
            self.flush_hidden(context);
        }
        self.count.rows_read += 1;
        if row.hidden && context.config.input.hidden_rows == HiddenRows::Skip {
            self.count.rows_skipped += 1;
            self.note_hidden(row.index, context);
            return;
        }
        if let Some(reason) = self.not_data.reason(row, &self.map, context) {
            self.count.rows_skipped += 1;
            let first = row.cells.iter().map(|(_, c)| c.display()).find(|t| !t.trim().is_empty()).unwrap_or_default();
            self.issues.push(
                Issue::file(
                    Severity::Info,
                    "row_skipped",
                    &self.file,
                    format!("{reason}; it was not read as data and is counted as skipped."),
                )
                .in_sheet(&self.name)
                .at_row(row.index)
                .with_value(&first),
            );
            return;
        }
        if !self.missing.is_empty() {
            self.count.rows_rejected += 1;
            return;
        }
        let place = SheetPlace { file: &self.file, sheet: &self.name, index: self.index };
        let mut r = RowReader::new(&place, &self.map, row, context.vocab).with_orders(&self.orders);
        let data = &mut self.records;
        let accepted = match self.map.dataset {
            DatasetKind::Activities if self.combined.is_some() => records::activity(&mut r).and_then(|a| {
                let combined = self.combined.as_mut()?;
                match combined.get_mut(&a.id) {
                    None => {
                        combined.insert(a.id.clone(), (data.activities.len(), row.index, 1));
                        data.activities.push(a);
                        Some(())
                    }
                    Some((at, first_row, rows)) => {
                        let first = &mut data.activities[*at];
                        if let Some((column, was, is)) = records::conflict(first, &a, &r) {
                            let message = format!(
                                "`{}` is on several rows (one per participating country), but this row gives `{is}` where its first row (row {}) gives `{was}`; make the rows agree. The row was not used.",
                                a.id,
                                *first_row + 1
                            );
                            r.reject("conflicting_value", column, &is, message);
                            return None;
                        }
                        *rows += 1;
                        records::combine(first, a);
                        Some(())
                    }
                }
            }),
            DatasetKind::Activities => records::activity(&mut r).and_then(|a| {
                if !self.seen_ids.insert(&a.id) {
                    duplicate(&mut r, "activity_id", &a.id, "activity");
                    None
                } else {
                    data.activities.push(a);
                    Some(())
                }
            }),
            DatasetKind::Responses => {
                let keep_comments = context.config.privacy.publish_comments;
                records::response(&mut r, self.fixed_activity.as_ref(), &self.items, &self.scales, keep_comments)
                    .and_then(|resp| {
                        if let Some(id) = resp.response.response_id.as_deref().filter(|id| !self.seen_ids.insert(id)) {
                            duplicate(&mut r, "response_id", id, "response");
                            return None;
                        }
                        if r.rejected {
                            return None;
                        }
                        let filter = match self.pass {
                            Pass::First(ledger) => {
                                self.responses.push(resp, ledger);
                                return Some(());
                            }
                            Pass::Again { filter, .. } => filter,
                        };
                        // Read again, every row names its activity (a sheet without
                        // `activity_id` has it settled).
                        let written = resp.activity.written().unwrap_or_default();
                        let link = filter.linker.resolve_response(written);
                        if let Some((code, message)) = link.rejection(written) {
                            // The row is not used at all: its other problems are not reported.
                            r.issues.clear();
                            r.reject(code, "activity_id", written, message);
                            return None;
                        }
                        if let Some(id) = resp.response.response_id.as_deref().filter(|id| filter.repeated.contains(*id)) {
                            duplicate(&mut r, "response_id", id, "response");
                            let activity = link.id().unwrap_or(written).to_string();
                            self.removed.entry(activity).or_default().record(&resp.answers());
                            return None;
                        }
                        Some(())
                    })
            }
            DatasetKind::Participants => records::participant(&mut r).map(|p| data.participants.push(p)),
            DatasetKind::Needs => records::needs(&mut r, &self.phase_columns).map(|n| data.needs.extend(n)),
            DatasetKind::Followups => records::followup(&mut r).map(|f| data.followups.push(f)),
            DatasetKind::Countries => records::country_profile(&mut r, &self.experience_columns).and_then(|p| {
                if !self.seen_ids.insert(p.country.key()) {
                    duplicate(&mut r, "country", p.country.key(), "country profile");
                    None
                } else {
                    data.countries.push(p);
                    Some(())
                }
            }),
        };
        let rejected = r.rejected || accepted.is_none();
        if rejected && self.map.dataset == DatasetKind::Activities {
            if let Some(id) = r.text("activity_id") {
                let reason = r.issues.iter().find(|i| i.severity == Severity::Error).map_or(String::new(), |i| {
                    i.message.trim_end_matches("The row was not used.").trim().trim_end_matches('.').to_string()
                });
                let (file, sheet, row) = (self.file.clone(), self.name.clone(), row.index + 1);
                self.rejected_activities.push(RejectedActivity { id, file, sheet, row, reason });
            }
        }
        // The row's activity, as written, for split reports (linked at the merge;
        // a sheet's pending activity is settled there).
        if !r.issues.is_empty() {
            let (activity, pending) = match &self.fixed_activity {
                Some(SheetActivity::Pending(sheet)) => (None, Some(*sheet)),
                Some(SheetActivity::Settled(id)) => (Some(id.clone()), None),
                None => (r.text("activity_id"), None),
            };
            r.issues.iter_mut().for_each(|i| {
                i.activity = activity.clone();
                i.sheet_activity = pending;
            });
        }
        self.issues.append(&mut r.issues);
        if rejected {
            self.count.rows_rejected += 1;
        } else {
            self.count.rows_accepted += 1;
        }
        if row.hidden {
            self.note_hidden(row.index, context);
        }
    }

    fn finish(mut self, context: &ParseContext) -> SheetResult {
        if let Some(held) = self.held.take() {
            self.decide_orders(&held, context);
            held.iter().for_each(|row| self.data_row(row, context));
        }
        self.settle_scales(context);
        self.report_inferred_scales(context);
        self.flush_hidden(context);
        self.report_combined();
        let rows = self.count.rows_read;
        if !self.missing.is_empty() && rows > 0 {
            self.issues.push(
                Issue::file(
                    Severity::Error,
                    "missing_column",
                    &self.file,
                    format!(
                        "sheet `{}` looks like {} but has no {} column; add it. Its {rows} rows were not used.",
                        self.name,
                        self.map.dataset.as_str(),
                        self.missing.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
                    ),
                )
                .in_sheet(&self.name)
                .at_row(self.map.header_row),
            );
        }
        self.responses.finish();
        let candidates =
            self.fixed_activity.is_some().then(|| activity_candidates(context.config, &self.file, &self.name));
        SheetResult {
            name: self.name,
            position: self.position,
            map: Some(self.map),
            count: self.count,
            issues: self.issues,
            records: self.records,
            responses: self.responses,
            candidates,
            removed: self.removed,
            rejected_activities: self.rejected_activities,
        }
    }
}

/// A row whose every filled cell is a Qualtrics `{"ImportId": …}` descriptor.
fn is_import_id_row(row: &Row) -> bool {
    !row.cells.is_empty()
        && row.cells.iter().all(|(_, c)| match c {
            Cell::Text(t) => {
                let t = t.trim_start();
                t.starts_with("{\"ImportId\"") || t.starts_with("{'ImportId'")
            }
            _ => false,
        })
}

/// Recognises rows below the header that are not data (SPEC §12.1): summary
/// rows, repeated header rows, one-cell notes, survey previews and unfinished
/// responses.
struct NotData {
    summary_labels: Vec<String>,
    /// Column → the canonical column of its header (None when it maps to nothing)
    /// and the header as normalised.
    headers: FxHashMap<u32, (Option<String>, String)>,
    /// Every normalised header name of each mapped column (its aliases), so a
    /// data row's first cell is ruled out with one lookup.
    names: FxHashMap<u32, rustc_hash::FxHashSet<String>>,
    /// Columns whose header maps only as a grid header (`Stem [Row]`).
    grid: rustc_hash::FxHashSet<u32>,
    /// The first two letters or digits of every summary label and header name:
    /// a first cell that starts otherwise is neither, and is not normalised.
    starts: rustc_hash::FxHashSet<[u8; 2]>,
    /// The columns of `Finished`, `Status` and `DistributionChannel`.
    preview_columns: [Option<u32>; 3],
    /// Notes (one filled cell) are skipped only where rows need two or more values.
    notes: bool,
}

impl NotData {
    fn new(map: &ColumnMap, context: &ParseContext) -> NotData {
        let mut summary_labels: Vec<String> = ["total", "totals", "grand total", "subtotal", "sum", "average", "mean"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        summary_labels.extend(context.config.input.summary_labels.iter().map(|l| normalise_header(l)));
        let mut headers = FxHashMap::default();
        for (canonical, (col, header)) in &map.columns {
            headers.insert(*col, (Some(canonical.clone()), normalise_header(header)));
        }
        let others = map.ignored.iter().map(|(c, h)| (c, h)).chain(map.duplicates.iter().map(|(c, h, _)| (c, h)));
        for (col, header) in others {
            headers.entry(*col).or_insert((None, normalise_header(header)));
        }
        let names: FxHashMap<u32, rustc_hash::FxHashSet<String>> = headers
            .iter()
            .filter_map(|(col, (canonical, _))| {
                canonical.as_ref().map(|c| (*col, context.tables.names_of(map.dataset, c).into_iter().collect()))
            })
            .collect();
        let grid = headers
            .iter()
            .filter(|(_, (c, h))| c.is_some() && context.tables.whole(map.dataset, h).is_none())
            .map(|(col, _)| *col)
            .collect();
        let mut starts: rustc_hash::FxHashSet<[u8; 2]> = rustc_hash::FxHashSet::default();
        let all_names = names.values().flatten().chain(&summary_labels).chain(headers.values().map(|(_, h)| h));
        for name in all_names {
            starts.insert(start_of(name).unwrap_or([0, 0]));
        }
        let column = |c: &str| map.columns.get(c).map(|(col, _)| *col);
        let preview_columns = [column("finished"), column("status"), column("distribution_channel")];
        NotData {
            summary_labels,
            headers,
            names,
            grid,
            starts,
            preview_columns,
            notes: required_columns(map.dataset).len() >= 2,
        }
    }

    /// Why `row` is not data, if it is not. Cheap on data rows: only the first
    /// filled cell is looked at unless it could start a summary or header row.
    fn reason(&self, row: &Row, map: &ColumnMap, context: &ParseContext) -> Option<String> {
        let is_filled = |cell: &Cell| match cell {
            Cell::Text(text) => !text.trim().is_empty(),
            _ => true,
        };
        let mut filled = row.cells.iter().filter(|(_, c)| is_filled(c));
        let (first_col, first) = filled.next()?;
        let only_one = filled.next().is_none();
        let [finished, status, channel] = self.preview_columns.map(|c| c.and_then(|col| row.get(col)));
        if let Some(finished) = finished {
            if matches!(context.vocab.yes_no(finished), Ok(Some(false))) {
                return Some(format!("this is an unfinished response (`Finished` is `{}`)", finished.display()));
            }
        }
        for (column, value) in [("status", status), ("distribution_channel", channel)] {
            if let Some(value) = value {
                let preview = match value {
                    Cell::Number(n) => column == "status" && *n == 1.0,
                    other => ["survey preview", "preview", "test", "survey test"]
                        .contains(&normalise(&other.display()).as_str()),
                };
                if preview {
                    return Some(format!("this is a survey preview or test (`{}`), not a response", value.display()));
                }
            }
        }
        // Summary labels and header cells are short texts.
        if let Cell::Text(text) = first {
            let possible = start_of(text).is_none_or(|start| self.starts.contains(&start));
            if possible && text.len() <= 200 {
                let key = normalise_header(text);
                if self.summary_labels.contains(&key) {
                    return Some(format!(
                        "this is a summary row (`{}`), not a record; peer-eval computes its own totals",
                        text.trim()
                    ));
                }
                if self.repeats_header(row, *first_col, &key, map, context) {
                    return Some("this row repeats the header row (a block of a stacked table)".to_string());
                }
            }
        }
        if self.notes && only_one {
            return Some(format!(
                "this row holds one value only (`{}`): a note or a title, not a record",
                first.display().trim()
            ));
        }
        None
    }

    /// Whether each filled cell of `row` maps to the column of the header cell
    /// above it (`first_key`: the first filled cell, normalised).
    fn repeats_header(
        &self,
        row: &Row,
        first_col: u32,
        first_key: &str,
        map: &ColumnMap,
        context: &ParseContext,
    ) -> bool {
        let tables = context.tables;
        let same = |col: u32, text: &str, key: Option<&str>| {
            self.headers.get(&col).is_some_and(|(canonical, header)| {
                let key = key.map_or_else(|| normalise_header(text), str::to_string);
                let Some(c) = canonical.as_deref() else { return key == *header };
                key == *header
                    || tables.whole(map.dataset, &key).as_deref() == Some(c)
                    // A grid header (`Stem [Row]`) maps only through its parts.
                    || (tables.whole(map.dataset, header).is_none()
                        && tables.canonical(map.dataset, text).as_deref() == Some(c))
            })
        };
        let Some((_, Cell::Text(first))) = row.cells.iter().find(|(c, _)| *c == first_col) else { return false };
        let named = self.names.get(&first_col).is_some_and(|names| names.contains(first_key));
        if !(named
            || self.grid.contains(&first_col)
            || self.headers.get(&first_col).is_some_and(|(c, h)| c.is_none() && h == first_key))
        {
            return false;
        }
        if !same(first_col, first, Some(first_key)) {
            return false;
        }
        let mut mapped = false;
        for (col, cell) in &row.cells {
            let text = match cell {
                Cell::Text(text) if text.trim().is_empty() => continue,
                Cell::Text(text) => text,
                _ => return false,
            };
            if !same(*col, text, None) {
                return false;
            }
            mapped |= self.headers.get(col).is_some_and(|(c, _)| c.is_some());
        }
        mapped
    }
}

/// The first two ASCII letters or digits of a text, lower-cased, skipping other
/// ASCII characters (as [`normalise`] does); `None` when a non-ASCII character
/// comes first (the text is then looked at whole) or the text is shorter.
fn start_of(text: &str) -> Option<[u8; 2]> {
    let mut out = [0u8; 2];
    let mut n = 0;
    for b in text.bytes() {
        if !b.is_ascii() {
            return None;
        }
        if b.is_ascii_alphanumeric() {
            out[n] = b.to_ascii_lowercase();
            n += 1;
            if n == 2 {
                return Some(out);
            }
        } else if b == b'&' {
            return None;
        }
    }
    None
}

fn forced_dataset(config: &Config, file: &str, sheet: &str) -> Option<DatasetKind> {
    map_entry(config, file, sheet).map(|entry| entry.dataset)
}

/// The first `[[input.map]]` entry for this file and sheet.
fn map_entry<'c>(config: &'c Config, file: &str, sheet: &str) -> Option<&'c MapEntry> {
    config
        .input
        .map
        .iter()
        .find(|entry| glob_match(&entry.file, file) && entry.sheet.as_ref().is_none_or(|s| s == sheet))
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

fn duplicate(r: &mut RowReader, column: &str, id: &str, what: &str) {
    r.reject("duplicate_id", column, id, duplicate_message(id, what));
}

pub fn duplicate_message(id: &str, what: &str) -> String {
    format!("`{id}` appears again: an earlier row already has this {what}; this row was not used. Give it its own id or delete the copy.")
}

/// The names a responses sheet without `activity_id` may take its activity from,
/// in the order of SPEC §4.2: the sheet name, the file stem, then the `id` group of
/// `input.activity_from` searched in the file stem, then in the sheet name. The
/// first one that is a known activity wins.
fn activity_candidates(config: &Config, file: &str, sheet: &str) -> Vec<String> {
    let stem = Path::new(file).file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
    let mut candidates = vec![sheet.trim().to_string(), stem.trim().to_string()];
    if let Some(regex) = config.input.activity_from.as_ref().and_then(|p| Regex::new(p).ok()) {
        let found = [stem.as_str(), sheet]
            .iter()
            .find_map(|name| regex.captures(name).and_then(|c| c.name("id")).map(|m| m.as_str().to_string()));
        candidates.extend(found);
    }
    candidates
}
