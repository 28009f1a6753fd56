//! `evaluation.xlsx`: the workbook funders open, written with rust_xlsxwriter.
//!
//! Every list is a named Excel Table (its own filter, banded rows). Numeric
//! columns hold only numbers: a suppressed or missing figure is an empty cell, and
//! the `Note` column beside it says why. Every text from the inputs is written as
//! a string cell (never a formula), with a quote prefix when it starts with `=`,
//! `+`, `-`, `@`, a tab or a carriage return. Every sheet prints landscape on A4,
//! one page wide. The creation time is fixed to the data's last day so that
//! reruns are byte-identical.

use std::collections::BTreeMap;

use rust_xlsxwriter::{
    Chart, ChartAxisLabelPosition, ChartErrorBars, ChartErrorBarsType, ChartRange, ChartType, Color,
    ConditionalFormatCell, ConditionalFormatCellRule, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder,
    Table, TableColumn, Workbook, Worksheet, XlsxError,
};

use super::evaluation;
use super::svg::level_colour;
use super::view::{self, country_name, group_reason, Labels};
use super::ReportInput;
use crate::indicators::stats::wilson;
use crate::indicators::{Figure, Group, Indicator};
use crate::registry::{self, Aggregate, Breakdown, Entry, Source, Unit};
use crate::text::needs_quote_prefix;

/// Cell formats used across the sheets.
pub(super) struct Styles {
    pub(super) title: Format,
    pub(super) header: Format,
    pub(super) bold: Format,
    pub(super) quoted: Format,
    pub(super) wrap: Format,
    pub(super) wrap_quoted: Format,
    pub(super) count: Format,
    pub(super) share: Format,
    pub(super) euro: Format,
    pub(super) score: Format,
    pub(super) date: Format,
    pub(super) met: Format,
    pub(super) near: Format,
    pub(super) not_met: Format,
}

impl Styles {
    pub(super) fn new() -> Styles {
        let header = Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0x1F3A5F))
            .set_font_color(Color::White)
            .set_border_bottom(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::Top);
        Styles {
            title: Format::new().set_bold().set_font_size(16),
            header,
            bold: Format::new().set_bold(),
            quoted: Format::new().set_quote_prefix(),
            wrap: Format::new().set_text_wrap(),
            wrap_quoted: Format::new().set_text_wrap().set_quote_prefix(),
            count: Format::new().set_num_format("#,##0"),
            share: Format::new().set_num_format("0.0%"),
            euro: Format::new().set_num_format("€#,##0.00"),
            score: Format::new().set_num_format("0.00"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            met: Format::new().set_background_color(Color::RGB(0xC6EFCE)).set_font_color(Color::RGB(0x006100)),
            near: Format::new().set_background_color(Color::RGB(0xFFEB9C)).set_font_color(Color::RGB(0x9C5700)),
            not_met: Format::new().set_background_color(Color::RGB(0xFFC7CE)).set_font_color(Color::RGB(0x9C0006)),
        }
    }

    pub(super) fn unit(&self, unit: Unit) -> &Format {
        match unit {
            Unit::Count | Unit::Nps => &self.count,
            Unit::Share => &self.share,
            Unit::Euro => &self.euro,
            Unit::Score => &self.score,
        }
    }
}

/// The width of the Note columns, in characters.
pub(super) const NOTE_WIDTH: f64 = 36.0;

/// Most issues of one code listed in the Data quality sheet.
pub const ISSUES_PER_CODE: usize = 10_000;

/// Excel's limit on the characters of one cell.
const CELL_MAX_CHARS: usize = 32_767;

/// A text cut to fit one Excel cell, saying so.
fn fitted(value: &str) -> std::borrow::Cow<'_, str> {
    if value.len() <= CELL_MAX_CHARS || value.chars().count() <= CELL_MAX_CHARS {
        return std::borrow::Cow::Borrowed(value);
    }
    let note = " … [cut at Excel's 32 767-character cell limit; the full text is in the input file]";
    let kept: String = value.chars().take(CELL_MAX_CHARS - note.chars().count()).collect();
    std::borrow::Cow::Owned(format!("{kept}{note}"))
}

/// Write text from anywhere as a string cell, quote-prefixed when risky, cut to
/// Excel's cell limit (an output limit is handled here, never by failing the run).
pub(super) fn text(ws: &mut Worksheet, row: u32, col: u16, value: &str, s: &Styles) -> Result<(), XlsxError> {
    let value = &*fitted(value);
    // Plain text takes the default style without a format look-up (a hash of the
    // whole format per cell, the workbook's largest cost).
    if needs_quote_prefix(value) {
        ws.write_string_with_format(row, col, value, &s.quoted)?;
    } else {
        ws.write_string(row, col, value)?;
    }
    Ok(())
}

/// A sentence that wraps in its cell (`width` characters wide) instead of being
/// cut by the column; returns the lines it takes, for [`fit`].
fn sentence(ws: &mut Worksheet, row: u32, col: u16, value: &str, width: f64, s: &Styles) -> Result<u32, XlsxError> {
    let value = &*fitted(value);
    let format = if needs_quote_prefix(value) { &s.wrap_quoted } else { &s.wrap };
    ws.write_string_with_format(row, col, value, format)?;
    Ok(lines(value, width))
}

/// The lines `value` takes wrapped at word boundaries in a cell `width`
/// characters wide (a column width unit is about one character of the body font).
fn lines(value: &str, width: f64) -> u32 {
    // Body text averages a little narrower than the `0` a width unit is.
    let capacity = (width * 1.15).max(1.0) as usize;
    let mut count = 1;
    let mut used = 0;
    for word in value.split_whitespace() {
        let len = word.chars().count();
        if used > 0 && used + 1 + len <= capacity {
            used += 1 + len;
            continue;
        }
        if used > 0 {
            count += 1;
        }
        // A word longer than the cell breaks over lines of its own.
        count += (len.saturating_sub(1) / capacity) as u32;
        used = (len.saturating_sub(1) % capacity) + 1;
    }
    count.min(40)
}

/// Give `row` the height of its tallest wrapped cell: spreadsheet programs do not
/// grow rows for wrapped text they did not lay out themselves.
fn fit(ws: &mut Worksheet, row: u32, lines: u32) -> Result<(), XlsxError> {
    if lines > 1 {
        ws.set_row_height(row, 15.0 * lines as f64)?;
    }
    Ok(())
}

/// A number in `format`, or an empty cell.
pub(super) fn number(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    value: Option<f64>,
    format: &Format,
) -> Result<(), XlsxError> {
    if let Some(v) = value {
        ws.write_number_with_format(row, col, v, format)?;
    }
    Ok(())
}

/// A figure as a number in its unit; `None` leaves the cell empty.
pub(super) fn figure(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    value: Option<Figure>,
    unit: Unit,
    s: &Styles,
) -> Result<(), XlsxError> {
    number(ws, row, col, value.map(Figure::as_f64), s.unit(unit))
}

/// One list on a sheet, written as a named Excel Table when it has rows.
pub(super) struct List {
    name: &'static str,
    row: u32,
    col: u16,
    headers: Vec<String>,
}

impl List {
    /// A list whose header is at (`row`, `col`), with its columns' names and widths.
    pub(super) fn new<H: AsRef<str>>(
        ws: &mut Worksheet,
        name: &'static str,
        row: u32,
        col: u16,
        columns: &[(H, f64)],
    ) -> Result<List, XlsxError> {
        for (i, (_, width)) in columns.iter().enumerate() {
            ws.set_column_width(col + i as u16, *width)?;
        }
        let headers: Vec<&str> = columns.iter().map(|(h, _)| h.as_ref()).collect();
        Ok(List::keeping_widths(name, row, col, &headers))
    }

    /// A list under another one, in the columns (and widths) of the list above.
    fn keeping_widths(name: &'static str, row: u32, col: u16, headers: &[&str]) -> List {
        List { name, row, col, headers: headers.iter().map(|h| h.to_string()).collect() }
    }

    fn last_col(&self) -> u16 {
        self.col + self.headers.len() as u16 - 1
    }

    /// Make rows `row + 1 ..= last_row` a Table named `name` (or, without rows,
    /// write the header alone: Excel has no empty Tables).
    pub(super) fn close(&self, ws: &mut Worksheet, last_row: u32, s: &Styles) -> Result<(), XlsxError> {
        if last_row > self.row {
            let columns: Vec<TableColumn> =
                self.headers.iter().map(|h| TableColumn::new().set_header(h).set_header_format(&s.header)).collect();
            let table = Table::new().set_name(self.name).set_columns(&columns);
            ws.add_table(self.row, self.col, last_row, self.last_col(), &table)?;
        } else {
            for (i, h) in self.headers.iter().enumerate() {
                ws.write_string_with_format(self.row, self.col + i as u16, h, &s.header)?;
            }
        }
        Ok(())
    }
}

pub(super) fn status_formats(ws: &mut Worksheet, first: u32, last: u32, col: u16, s: &Styles) -> Result<(), XlsxError> {
    if last < first {
        return Ok(());
    }
    for (value, format) in [("met", &s.met), ("near", &s.near), ("not met", &s.not_met)] {
        let rule = ConditionalFormatCell::new().set_rule(ConditionalFormatCellRule::EqualTo(value)).set_format(format);
        ws.add_conditional_format(first, col, last, col, &rule)?;
    }
    Ok(())
}

/// Reasons for the empty cells of one row. One reason is said alone (the empty
/// cells show which figures it covers); several name their figures:
/// `fewer than 5 responses: NPS, Mean; no data: Aims matched`.
#[derive(Default)]
struct Notes(BTreeMap<String, Vec<String>>);

impl Notes {
    fn add(&mut self, reason: String, what: &str) {
        self.0.entry(reason).or_default().push(what.to_string());
    }
    fn text(&self) -> String {
        if self.0.len() == 1 {
            return self.0.keys().next().cloned().unwrap_or_default();
        }
        self.0.iter().map(|(reason, what)| format!("{reason}: {}", what.join(", "))).collect::<Vec<_>>().join("; ")
    }
}

/// Write the workbook into memory.
///
/// # Errors
/// rust_xlsxwriter failures (a bug, not a data problem).
pub fn workbook(input: &ReportInput) -> Result<Vec<u8>, XlsxError> {
    let s = Styles::new();
    let labels = Labels::new(input.config);
    let mut wb = Workbook::new();
    let last_day = input.results.activities.iter().map(|a| a.end).max();
    let created = match last_day {
        Some(d) => ExcelDateTime::from_ymd(
            d.format("%Y").to_string().parse().unwrap_or(2000),
            d.format("%m").to_string().parse().unwrap_or(1),
            d.format("%d").to_string().parse().unwrap_or(1),
        )?,
        None => ExcelDateTime::from_ymd(2000, 1, 1)?,
    };
    wb.set_properties(&DocProperties::new().set_title(workbook_title(input)).set_creation_datetime(&created));
    wb.set_zip_compression_level(2);

    summary(wb.add_worksheet().set_name("Summary")?, input, &labels, &s)?;
    if let Some(tracking) = evaluation::tracking(input.results) {
        against_plan(wb.add_worksheet().set_name("Against plan")?, &tracking, &s)?;
    }
    criteria(wb.add_worksheet().set_name("Criteria")?, input, &s)?;
    indicators(wb.add_worksheet().set_name("Indicators")?, input, &s)?;
    alignment(wb.add_worksheet().set_name("Alignment")?, input, &labels, &s)?;
    satisfaction(wb.add_worksheet().set_name("Satisfaction")?, input, &labels, &s)?;
    by_group(wb.add_worksheet().set_name("Outcomes")?, "Outcomes", Source::Responses, input, &labels, &s)?;
    if has_breakdowns(input, Source::FollowUps) {
        let ws = wb.add_worksheet().set_name("Follow-up by group")?;
        by_group(ws, "FollowUpByGroup", Source::FollowUps, input, &labels, &s)?;
    }
    let horizons = evaluation::horizons(input.results, input.config.privacy.min_group_size);
    if !horizons.is_empty() {
        follow_up_horizons(wb.add_worksheet().set_name("Follow-up horizons")?, &horizons, &s)?;
    }
    trends(wb.add_worksheet().set_name("Trends")?, input, &s)?;
    needs(wb.add_worksheet().set_name("Needs & matching")?, input, &labels, &s)?;
    activities(wb.add_worksheet().set_name("Activities")?, input, &labels, &s)?;
    if has_breakdowns(input, Source::Activities) {
        let ws = wb.add_worksheet().set_name("Activities by group")?;
        by_group(ws, "ActivitiesByGroup", Source::Activities, input, &labels, &s)?;
    }
    if !input.results.pipeline.is_empty() {
        pipeline(wb.add_worksheet().set_name("Pipeline")?, input, &labels, &s)?;
    }
    quality(wb.add_worksheet().set_name("Data quality")?, input, &s)?;
    about(wb.add_worksheet().set_name("About")?, input, &s)?;
    let footer = print_footer(input);
    for ws in wb.worksheets_mut() {
        print_setup(ws, &footer)?;
    }
    wb.save_to_buffer()
}

/// `&L` programme and period `&R` page X of Y, escaped for Excel's header codes.
fn print_footer(input: &ReportInput) -> String {
    let identity = evaluation::identity(input.config, input.results, input.project);
    let who = if identity.programme.is_empty() { workbook_title(input) } else { identity.programme.clone() };
    let left = format!("{who} · {}", input.results.period.label).replace('&', "&&");
    let left: String = left.chars().take(120).collect();
    format!("&L{left}&RPage &P of &N")
}

/// Every sheet prints landscape on A4, one page wide, its header row repeated on
/// each page, with the programme, period and page number in the footer.
pub(super) fn print_setup(ws: &mut Worksheet, footer: &str) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_footer(footer);
    ws.set_repeat_rows(0, 0)?;
    Ok(())
}

/// `report.title`, with the project of a split report.
fn workbook_title(input: &ReportInput) -> String {
    match input.project {
        Some(project) => format!("{} — {project}", input.config.report.title),
        None => input.config.report.title.clone(),
    }
}

/// The indicator's note when its value is empty.
pub(super) fn indicator_note(ind: &Indicator, k: usize) -> String {
    match (ind.value, &ind.reason) {
        (Some(_), _) => String::new(),
        (None, Some(reason)) => reason.clone(),
        (None, None) => view::empty_reason(ind.suppressed, k),
    }
}

fn summary(ws: &mut Worksheet, input: &ReportInput, labels: &Labels, s: &Styles) -> Result<(), XlsxError> {
    let k = input.config.privacy.min_group_size;
    let identity = evaluation::identity(input.config, input.results, input.project);
    ws.write_string_with_format(0, 0, workbook_title(input), &s.title)?;
    let mut line = 1;
    for (label, value) in [("Programme", &identity.programme), ("Funder", &identity.funder), ("Grant", &identity.grant)]
    {
        if !value.is_empty() {
            text(ws, line, 0, &format!("{label}: {value}"), s)?;
            line += 1;
        }
    }
    text(
        ws,
        line,
        0,
        &format!(
            "Period: {} ({}); figures as of {}",
            input.results.period.label,
            view::data_span(input.results),
            identity.as_of
        ),
        s,
    )?;
    text(ws, line + 1, 0, &format!("Survey figures over fewer than {k} responses are not published."), s)?;
    let top = line + 3;
    let list = List::new(
        ws,
        "Headline",
        top,
        0,
        &[("Indicator", 44.0), ("Value", 14.0), ("n", 8.0), ("Note", 24.0), ("Target", 12.0), ("Status", 10.0)],
    )?;
    let mut row = top;
    for id in registry::HEADLINE {
        let Some(ind) = input.results.indicators.get(id) else { continue };
        let entry = registry::entry(id);
        row += 1;
        text(ws, row, 0, entry.label, s)?;
        figure(ws, row, 1, ind.value, entry.unit, s)?;
        ws.write_number(row, 2, ind.n as f64)?;
        text(ws, row, 3, &indicator_note(ind, k), s)?;
        number(ws, row, 4, ind.target, s.unit(entry.unit))?;
        text(ws, row, 5, view::status_text(ind.status), s)?;
    }
    list.close(ws, row, s)?;
    status_formats(ws, top + 1, row, 5, s)?;
    ws.set_freeze_panes(top + 1, 0)?;
    row += 2;
    ws.write_string_with_format(row, 0, "Key findings", &s.title)?;
    // The findings are sentences: one merged, wrapped cell each, as wide as the table.
    for finding in view::findings(input.results, labels, k) {
        row += 1;
        ws.merge_range(row, 0, row, 5, "", &s.wrap)?;
        let lines = sentence(ws, row, 0, &finding, 112.0, s)?;
        fit(ws, row, lines)?;
    }
    Ok(())
}

/// The tracking table (SPEC §13.3): baseline, target, each year, the period, % of target, status.
fn against_plan(ws: &mut Worksheet, tracking: &evaluation::Tracking, s: &Styles) -> Result<(), XlsxError> {
    let mut columns: Vec<(String, f64)> =
        [("Indicator", 40.0), ("Direction", 10.0), ("Baseline", 11.0), ("Target", 11.0)]
            .map(|(h, w)| (h.to_string(), w))
            .to_vec();
    columns.extend(tracking.years.iter().map(|y| (y.clone(), 11.0)));
    columns.extend(
        [("Period", 11.0), ("% of target", 11.0), ("Change from baseline", 12.0), ("Status", 10.0)]
            .map(|(h, w)| (h.to_string(), w)),
    );
    let list = List::new(ws, "AgainstPlan", 0, 0, &columns)?;
    let mut row = 0;
    for line in &tracking.rows {
        row += 1;
        let unit = s.unit(line.unit);
        text(ws, row, 0, &line.label, s)?;
        text(ws, row, 1, line.direction, s)?;
        number(ws, row, 2, line.baseline, unit)?;
        number(ws, row, 3, Some(line.target), unit)?;
        let mut col = 4;
        for value in &line.years {
            number(ws, row, col, *value, unit)?;
            col += 1;
        }
        number(ws, row, col, line.value, unit)?;
        number(ws, row, col + 1, line.percent_of_target, &s.share)?;
        number(ws, row, col + 2, line.change_from_baseline, unit)?;
        text(ws, row, col + 3, line.status, s)?;
    }
    list.close(ws, row, s)?;
    status_formats(ws, 1, row.max(1), list.last_col(), s)?;
    ws.merge_range(row + 2, 0, row + 2, list.last_col(), "", &s.wrap)?;
    let width: f64 = columns.iter().map(|(_, w)| w).sum();
    let lines = sentence(ws, row + 2, 0, evaluation::status_rule(), width, s)?;
    fit(ws, row + 2, lines)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The six criteria: each indicator's line, and the evaluator's words as plain text.
fn criteria(ws: &mut Worksheet, input: &ReportInput, s: &Styles) -> Result<(), XlsxError> {
    let list = List::new(
        ws,
        "Criteria",
        0,
        0,
        &[
            ("Criterion", 16.0),
            ("Indicator", 44.0),
            ("Value", 12.0),
            ("n", 8.0),
            ("Note", 24.0),
            ("Target", 12.0),
            ("Status", 10.0),
        ],
    )?;
    let mut row = 0;
    let criteria = evaluation::criteria(input.results, input.config, input.narrative);
    for criterion in &criteria {
        for line in &criterion.lines {
            row += 1;
            text(ws, row, 0, &criterion.title, s)?;
            text(ws, row, 1, &line.label, s)?;
            number(ws, row, 2, line.number, s.unit(line.unit))?;
            ws.write_number(row, 3, line.n as f64)?;
            text(ws, row, 4, &line.empty_reason, s)?;
            number(ws, row, 5, line.target_number, s.unit(line.unit))?;
            text(ws, row, 6, line.status, s)?;
        }
    }
    list.close(ws, row, s)?;
    status_formats(ws, 1, row.max(1), 6, s)?;
    ws.set_freeze_panes(1, 0)?;
    for (i, criterion) in criteria.iter().filter(|c| !c.narrative.is_empty()).enumerate() {
        let note = row + 2 + i as u32;
        let words = plain(&criterion.narrative);
        ws.write_string_with_format(note, 0, &criterion.title, &s.bold)?;
        ws.merge_range(note, 1, note, 6, "", &s.wrap)?;
        let lines = sentence(ws, note, 1, &words, 110.0, s)?;
        fit(ws, note, lines)?;
    }
    Ok(())
}

/// Safe HTML of the narrative as plain text.
fn plain(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let text = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Follow-up outcomes by months after the activity (Kirkpatrick level 3).
fn follow_up_horizons(ws: &mut Worksheet, horizons: &[evaluation::Horizon], s: &Styles) -> Result<(), XlsxError> {
    let mut columns = vec![("Months after".to_string(), 14.0)];
    let ids = evaluation::horizon_indicators();
    for id in &ids {
        let short = registry::entry(id).short;
        columns.push((short.to_string(), 14.0));
        columns.push((format!("{short}: n"), 10.0));
    }
    columns.push(("Note".to_string(), NOTE_WIDTH));
    let list = List::new(ws, "FollowUpHorizons", 0, 0, &columns)?;
    let note_col = list.last_col();
    for (i, horizon) in horizons.iter().enumerate() {
        let row = i as u32 + 1;
        text(ws, row, 0, &view::horizon_label(horizon.horizon), s)?;
        let mut notes = Notes::default();
        for (j, (cell, id)) in horizon.cells.iter().zip(&ids).enumerate() {
            let col = 1 + 2 * j as u16;
            number(ws, row, col, cell.value, &s.share)?;
            if cell.value.is_none() {
                notes.add(cell.text.clone(), registry::entry(id).short);
            }
            ws.write_number(row, col + 1, cell.n as f64)?;
        }
        let lines = sentence(ws, row, note_col, &notes.text(), NOTE_WIDTH, s)?;
        fit(ws, row, lines)?;
    }
    let last = horizons.len() as u32;
    list.close(ws, last, s)?;
    // Applied learning by horizon: empty (suppressed) groups draw no bar.
    let mut chart = Chart::new(ChartType::Column);
    chart.title().set_name("Applied the learning, by months after the activity");
    chart
        .add_series()
        .set_name("Applied the learning")
        .set_categories(("Follow-up horizons", 1, 0, last, 0))
        .set_values(("Follow-up horizons", 1, 1, last, 1));
    chart.y_axis().set_num_format("0%").set_min(0).set_max(1);
    chart.legend().set_hidden();
    ws.insert_chart(last + 2, 0, &chart)?;
    Ok(())
}

/// Planned, then postponed and cancelled activities of the period (SPEC §13.2).
fn pipeline(ws: &mut Worksheet, input: &ReportInput, labels: &Labels, s: &Styles) -> Result<(), XlsxError> {
    let list = List::new(
        ws,
        "Pipeline",
        0,
        0,
        &[("Activity", 12.0), ("Title", 44.0), ("Type", 24.0), ("Start", 12.0), ("Status", 12.0)],
    )?;
    for (i, entry) in input.results.pipeline.iter().enumerate() {
        let row = i as u32 + 1;
        text(ws, row, 0, &entry.id, s)?;
        text(ws, row, 1, entry.title.as_deref().unwrap_or(""), s)?;
        text(ws, row, 2, &labels.kind(&entry.kind), s)?;
        let d = ExcelDateTime::parse_from_str(&entry.start.format("%Y-%m-%d").to_string())?;
        ws.write_datetime_with_format(row, 3, &d, &s.date)?;
        text(ws, row, 4, entry.status, s)?;
    }
    list.close(ws, input.results.pipeline.len() as u32, s)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn indicators(ws: &mut Worksheet, input: &ReportInput, s: &Styles) -> Result<(), XlsxError> {
    let k = input.config.privacy.min_group_size;
    let previous = input.results.indicators.values().find_map(|i| i.previous.as_ref().map(|p| p.label.clone()));
    let cumulative = input.results.indicators.values().find_map(|i| i.cumulative.as_ref().map(|c| c.label.clone()));
    let mut columns: Vec<(String, f64)> = [
        ("Indicator id", 24.0),
        ("Indicator", 32.0),
        ("Level", 9.0),
        ("Value", 12.0),
        ("n", 6.0),
        ("Note", 20.0),
        ("Target", 10.0),
        ("Status", 8.0),
        ("CI low", 8.0),
        ("CI high", 8.0),
        ("Definition", 50.0),
    ]
    .map(|(h, w)| (h.to_string(), w))
    .to_vec();
    if let Some(label) = &previous {
        columns.push((format!("Previous ({label})"), 14.0));
        columns.push(("Change".to_string(), 11.0));
        columns.push(("Better or worse (by the target)".to_string(), 14.0));
    }
    if let Some(label) = &cumulative {
        columns.push((format!("Cumulative ({label})"), 16.0));
    }
    let list = List::new(ws, "Indicators", 0, 0, &columns)?;
    let mut row = 0;
    for entry in registry::CATALOG {
        let Some(ind) = input.results.indicators.get(entry.id) else { continue };
        row += 1;
        text(ws, row, 0, entry.id, s)?;
        text(ws, row, 1, entry.label, s)?;
        text(ws, row, 2, ind.level.as_str(), s)?;
        figure(ws, row, 3, ind.value, entry.unit, s)?;
        ws.write_number(row, 4, ind.n as f64)?;
        let mut note = indicator_note(ind, k);
        number(ws, row, 6, ind.target, s.unit(entry.unit))?;
        text(ws, row, 7, view::status_text(ind.status), s)?;
        if let (Some(Some(low)), Some(Some(high))) = (ind.ci_low, ind.ci_high) {
            ws.write_number_with_format(row, 8, low, &s.share)?;
            ws.write_number_with_format(row, 9, high, &s.share)?;
        }
        let lines = sentence(ws, row, 10, entry.definition, 50.0, s)?;
        fit(ws, row, lines)?;
        let mut col = 11;
        if let Some(p) = &ind.previous {
            figure(ws, row, col, p.value, entry.unit, s)?;
            if p.value.is_none() {
                note = join_notes(&note, &format!("previous period: {}", view::empty_reason(p.suppressed, k)));
            }
            number(ws, row, col + 1, ind.change.flatten(), s.unit(entry.unit))?;
            let judged = view::judgement(ind.change.flatten(), ind.direction).trim_matches([' ', '(', ')']);
            text(ws, row, col + 2, judged, s)?;
        }
        if previous.is_some() {
            col += 3;
        }
        if let Some(c) = &ind.cumulative {
            figure(ws, row, col, c.value, entry.unit, s)?;
            if c.value.is_none() {
                note = join_notes(&note, &format!("cumulative: {}", view::empty_reason(c.suppressed, k)));
            }
        }
        text(ws, row, 5, &note, s)?;
    }
    list.close(ws, row, s)?;
    status_formats(ws, 1, row, 7, s)?;
    ws.set_freeze_panes(1, 2)?;
    Ok(())
}

fn join_notes(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}; {b}")
    }
}

fn trends(ws: &mut Worksheet, input: &ReportInput, s: &Styles) -> Result<(), XlsxError> {
    let Some(trends) = &input.results.trends else { return Ok(()) };
    let mut columns = vec![("Quarter", 10.0)];
    columns.extend(registry::TREND_IDS.iter().map(|id| (registry::entry(id).short, 13.0)));
    let list = List::new(ws, "Trends", 0, 0, &columns)?;
    for (r, quarter) in trends.quarters.iter().enumerate() {
        let row = 1 + r as u32;
        text(ws, row, 0, quarter, s)?;
        for (i, id) in registry::TREND_IDS.iter().enumerate() {
            // A suppressed or missing quarter stays blank: the chart shows a gap.
            let value = trends.series.get(id).and_then(|values| values.get(r)).copied().flatten();
            number(ws, row, 1 + i as u16, value, s.unit(registry::entry(id).unit))?;
        }
    }
    let last = trends.quarters.len() as u32;
    list.close(ws, last, s)?;
    ws.set_freeze_panes(1, 1)?;
    if last < 2 {
        return Ok(());
    }
    // The two charts sit under the table, inside the printed width.
    for (n, ids) in [
        ["satisfaction_top2", "goal_alignment_rate", "applied_learning_rate"],
        ["activities_total", "participants_total", "nps"],
    ]
    .iter()
    .enumerate()
    {
        let mut chart = Chart::new(ChartType::Line);
        chart.title().set_name(if n == 0 { "Shares per quarter" } else { "Counts and NPS per quarter" });
        for id in ids {
            let col = 1 + registry::TREND_IDS.iter().position(|t| t == id).expect("trend id") as u16;
            chart
                .add_series()
                .set_name(registry::entry(id).label)
                .set_categories(("Trends", 1, 0, last, 0))
                .set_values(("Trends", 1, col, last, col));
        }
        chart.show_empty_cells_as(rust_xlsxwriter::ChartEmptyCells::Gaps);
        if n == 0 {
            chart.y_axis().set_num_format("0%");
        }
        // Side by side under the table: both print on the table's page.
        chart.set_width(450).set_height(280);
        ws.insert_chart(last + 2, if n == 0 { 0 } else { 5 }, &chart)?;
    }
    Ok(())
}

fn alignment(ws: &mut Worksheet, input: &ReportInput, labels: &Labels, s: &Styles) -> Result<(), XlsxError> {
    let list = List::new(
        ws,
        "Alignment",
        0,
        0,
        &[
            ("Activity", 10.0),
            ("Title", 40.0),
            ("Type", 20.0),
            ("Goals", 28.0),
            ("Score", 8.0),
            ("Aligned", 8.0),
            ("No stated goal", 9.0),
            ("Unsupported goals", 22.0),
        ],
    )?;
    let facts: std::collections::HashMap<&str, &crate::indicators::facts::ActivityFacts> =
        input.results.activities.iter().map(|a| (a.id.as_str(), a)).collect();
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let mut row = 0;
    for a in &input.results.alignment.activities {
        row += 1;
        let fact = facts.get(a.activity_id.as_str());
        text(ws, row, 0, &a.activity_id, s)?;
        text(ws, row, 1, fact.and_then(|f| f.title.as_deref()).unwrap_or(""), s)?;
        text(ws, row, 2, &fact.map(|f| labels.kind(&f.kind)).unwrap_or_default(), s)?;
        let goals = fact.map(|f| f.goals.iter().map(|g| labels.goal(g)).collect::<Vec<_>>().join(", "));
        text(ws, row, 3, &goals.unwrap_or_default(), s)?;
        number(ws, row, 4, a.score, &s.share)?;
        text(ws, row, 5, yes_no(a.aligned), s)?;
        text(ws, row, 6, yes_no(a.no_stated_goal), s)?;
        text(ws, row, 7, &a.unsupported_goals.iter().map(|g| labels.goal(g)).collect::<Vec<_>>().join(", "), s)?;
    }
    list.close(ws, row, s)?;
    ws.set_freeze_panes(1, 0)?;

    // Under the activities: goal alignment by goal, its chart, and the phase gaps.
    let top = row + 2;
    // In the Title, Type and Goals columns, wide enough for goal names.
    let goals_list =
        List::keeping_widths("GoalAlignment", top, 1, &["Goal", "Activities declaring it that support it", "n"]);
    let goals = input.results.indicators.get("goal_alignment_rate").and_then(|i| i.breakdowns.get(&Breakdown::Goal));
    let mut r = top;
    for goal in input.config.taxonomy.goals.iter().map(|g| &g.id) {
        let Some(group) = goals.and_then(|g| g.get(goal)) else { continue };
        r += 1;
        text(ws, r, 1, &labels.goal(goal), s)?;
        figure(ws, r, 2, group.value, Unit::Share, s)?;
        ws.write_number(r, 3, group.n as f64)?;
    }
    goals_list.close(ws, r, s)?;
    if r > top {
        let mut chart = Chart::new(ChartType::Bar);
        chart.title().set_name("Goal alignment by goal");
        chart
            .add_series()
            .set_name("Share supporting the goal")
            .set_categories(("Alignment", top + 1, 1, r, 1))
            .set_values(("Alignment", top + 1, 2, r, 2));
        chart.x_axis().set_num_format("0%").set_min(0).set_max(1);
        chart.legend().set_hidden();
        chart.set_width(480).set_height(260);
        ws.insert_chart(top, 4, &chart)?;
    }
    let gaps_row = r.max(top + 13) + 2;
    ws.write_string_with_format(gaps_row, 1, "Phases with no activity", &s.bold)?;
    let mut g = gaps_row;
    for phase in &input.results.phase_gaps {
        g += 1;
        text(ws, g, 1, &labels.phase(phase), s)?;
    }
    if input.results.phase_gaps.is_empty() {
        text(ws, gaps_row + 1, 1, "none: every phase had an activity", s)?;
    }
    Ok(())
}

fn satisfaction(ws: &mut Worksheet, input: &ReportInput, labels: &Labels, s: &Styles) -> Result<(), XlsxError> {
    let k = input.config.privacy.min_group_size;
    let items: Vec<(&crate::config::LikertItem, &crate::indicators::LikertItemResult)> = input
        .config
        .likert
        .items
        .iter()
        .filter_map(|item| input.results.likert.get(&item.id).map(|r| (item, r)))
        .collect();
    // One column per level of the longest scale (config allows 2 to 11 levels).
    let levels = items.iter().map(|(_, r)| r.points).max().unwrap_or(5).max(2) as u16;
    let mut columns: Vec<(String, f64)> = [
        ("Item id", 20.0),
        ("Question", 30.0),
        ("Levels", 7.0),
        ("n", 7.0),
        ("Mean", 7.0),
        ("SD", 7.0),
        ("Median", 7.0),
    ]
    .map(|(h, w)| (h.to_string(), w))
    .to_vec();
    columns.extend((1..=levels).map(|l| (format!("Level {l}"), 7.0)));
    columns
        .extend([("Top two", 8.0), ("CI low", 8.0), ("CI high", 8.0), ("Note", 22.0)].map(|(h, w)| (h.to_string(), w)));
    let list = List::new(ws, "LikertItems", 0, 0, &columns)?;
    let top2_col = 7 + levels;
    let mut row = 0;
    for (item, result) in &items {
        row += 1;
        let o = &result.overall;
        text(ws, row, 0, &item.id, s)?;
        text(ws, row, 1, &result.label, s)?;
        ws.write_number(row, 2, result.points as f64)?;
        ws.write_number(row, 3, o.n as f64)?;
        if o.suppressed || o.n == 0 {
            text(ws, row, top2_col + 3, &view::empty_reason(o.suppressed, k), s)?;
            continue;
        }
        for (col, v) in [(4u16, o.mean), (5, o.sd), (6, o.median)] {
            number(ws, row, col, v, &s.score)?;
        }
        if o.distribution.is_some() {
            for level in 1..=result.points {
                ws.write_number(row, 6 + u16::from(level), o.count(level) as f64)?;
            }
        }
        for (col, v) in [(top2_col, o.top2), (top2_col + 1, o.ci_low), (top2_col + 2, o.ci_high)] {
            number(ws, row, col, v, &s.share)?;
        }
    }
    list.close(ws, row, s)?;
    ws.set_freeze_panes(1, 0)?;
    let mut next = row + 2;
    if let Some(points) = items.iter().find(|(item, _)| item.id == input.config.likert.headline).map(|(_, r)| r.points)
    {
        next = diverging(ws, next, points, &items, labels, s)?;
    }
    by_type(ws, next, input, labels, s)
}

/// Diverging stacked bars for the items on the headline's scale: shares per
/// level, the levels below the middle to the left, a middle level split in two.
/// Returns the first free row below the chart.
fn diverging(
    ws: &mut Worksheet,
    top: u32,
    points: u8,
    items: &[(&crate::config::LikertItem, &crate::indicators::LikertItemResult)],
    labels: &Labels,
    s: &Styles,
) -> Result<u32, XlsxError> {
    // Series: (level, sign, share of the level's answers).
    let mut series: Vec<(u8, f64, f64, String)> = Vec::new();
    for level in 1..=points {
        let doubled = 2 * level as i32 - (points as i32 + 1);
        match doubled.signum() {
            -1 => series.push((level, -1.0, 1.0, format!("Level {level}"))),
            0 => {
                series.push((level, -1.0, 0.5, format!("Level {level} (half)")));
                series.push((level, 1.0, 0.5, format!("Level {level} (other half)")));
            }
            _ => series.push((level, 1.0, 1.0, format!("Level {level}"))),
        }
    }
    let mut headers = vec!["Chart data: item"];
    headers.extend(series.iter().map(|(_, _, _, name)| name.as_str()));
    let list = List::keeping_widths("LikertShares", top, 0, &headers);
    let mut r = top;
    for (item, result) in items.iter().filter(|(_, r)| r.points == points) {
        let o = &result.overall;
        if o.distribution.is_none() || o.suppressed {
            continue;
        }
        let n = o.n as f64;
        if n == 0.0 {
            continue;
        }
        r += 1;
        text(ws, r, 0, labels.items.get(&item.id).map(String::as_str).unwrap_or(&item.id), s)?;
        for (i, (level, sign, part, _)) in series.iter().enumerate() {
            let share = o.count(*level) as f64 / n;
            ws.write_number_with_format(r, 1 + i as u16, sign * part * share, &s.share)?;
        }
    }
    list.close(ws, r, s)?;
    if r == top {
        return Ok(r + 2);
    }
    let mut chart = Chart::new(ChartType::BarStacked);
    chart.title().set_name("Answers per item (diverging: disagreement left, agreement right)");
    for (i, (level, _, _, _)) in series.iter().enumerate() {
        let col = 1 + i as u16;
        let colour = level_colour(*level, points);
        let one = chart.add_series();
        one.set_name(("Satisfaction", top, col))
            .set_categories(("Satisfaction", top + 1, 0, r, 0))
            .set_values(("Satisfaction", top + 1, col, r, col))
            .set_format(
                rust_xlsxwriter::ChartFormat::new()
                    .set_solid_fill(rust_xlsxwriter::ChartSolidFill::new().set_color(Color::RGB(colour))),
            )
            .set_overlap(100);
        if i > 0 && series[i - 1].0 == *level {
            one.delete_from_legend(true);
        }
    }
    chart.x_axis().set_num_format("0%");
    // Item names left of the bars, not over the disagreement side.
    chart.y_axis().set_label_position(ChartAxisLabelPosition::Low);
    chart.set_width(720).set_height(300);
    ws.insert_chart(r + 1, 0, &chart)?;
    Ok(r + 18)
}

/// `satisfaction_top2` by activity type, with Wilson intervals and a chart.
fn by_type(ws: &mut Worksheet, top: u32, input: &ReportInput, labels: &Labels, s: &Styles) -> Result<(), XlsxError> {
    let k = input.config.privacy.min_group_size;
    let headers = ["Activity type", "Satisfied (top two)", "n", "CI low", "CI high", "Minus", "Plus", "Note"];
    let list = List::keeping_widths("SatisfactionByType", top, 0, &headers);
    let groups =
        input.results.indicators.get("satisfaction_top2").and_then(|i| i.breakdowns.get(&Breakdown::ActivityType));
    let mut t = top;
    for (kind, group) in groups.into_iter().flatten() {
        t += 1;
        text(ws, t, 0, &labels.kind(kind), s)?;
        figure(ws, t, 1, group.value, Unit::Share, s)?;
        ws.write_number(t, 2, group.n as f64)?;
        match group.value.map(Figure::as_f64) {
            Some(v) => {
                if let Some((low, high)) = wilson(v, group.n) {
                    ws.write_number_with_format(t, 3, low, &s.share)?;
                    ws.write_number_with_format(t, 4, high, &s.share)?;
                    ws.write_number_with_format(t, 5, v - low, &s.share)?;
                    ws.write_number_with_format(t, 6, high - v, &s.share)?;
                }
            }
            None => text(ws, t, 7, &group_reason(group, k), s)?,
        }
    }
    list.close(ws, t, s)?;
    if t > top {
        let mut chart = Chart::new(ChartType::Column);
        chart.title().set_name("Satisfied participants by activity type (95 % interval)");
        let bars = ChartErrorBars::new()
            .set_type(ChartErrorBarsType::Custom(
                ChartRange::new_from_range("Satisfaction", top + 1, 6, t, 6),
                ChartRange::new_from_range("Satisfaction", top + 1, 5, t, 5),
            ))
            .clone();
        chart
            .add_series()
            .set_name("Top two")
            .set_categories(("Satisfaction", top + 1, 0, t, 0))
            .set_values(("Satisfaction", top + 1, 1, t, 1))
            .set_y_error_bars(&bars);
        chart.y_axis().set_num_format("0%").set_min(0).set_max(1);
        chart.legend().set_hidden();
        chart.set_width(720).set_height(300);
        ws.insert_chart(t + 1, 0, &chart)?;
    }
    Ok(())
}

/// Whether any indicator of `source` has a breakdown.
fn has_breakdowns(input: &ReportInput, source: Source) -> bool {
    registry::CATALOG
        .iter()
        .filter(|e| e.source == source)
        .any(|e| input.results.indicators.get(e.id).is_some_and(|i| !i.breakdowns.is_empty()))
}

/// The order the by-group sheets list breakdowns in; others follow by name.
const BREAKDOWN_ORDER: [Breakdown; 11] = [
    Breakdown::ActivityType,
    Breakdown::Format,
    Breakdown::Phase,
    Breakdown::Goal,
    Breakdown::Activity,
    Breakdown::Quarter,
    Breakdown::MonthsAfter,
    Breakdown::RespondentCountry,
    Breakdown::RespondentOrgType,
    Breakdown::RespondentRoleLevel,
    Breakdown::RespondentExperience,
];

/// One row per breakdown group, one column per indicator of `source` (and its
/// `n` beside each ratio), a Note column naming the empty cells and why.
fn by_group(
    ws: &mut Worksheet,
    table: &'static str,
    source: Source,
    input: &ReportInput,
    labels: &Labels,
    s: &Styles,
) -> Result<(), XlsxError> {
    let k = input.config.privacy.min_group_size;
    let entries: Vec<(&Entry, &Indicator)> = registry::CATALOG
        .iter()
        .filter(|e| e.source == source)
        .filter_map(|e| input.results.indicators.get(e.id).filter(|i| !i.breakdowns.is_empty()).map(|i| (e, i)))
        .collect();
    let phase_rank = |key: &str| input.config.taxonomy.phases.iter().position(|p| p.id == key);
    let mut groups: Vec<(Breakdown, &str)> = entries
        .iter()
        .flat_map(|(_, ind)| ind.breakdowns.iter().flat_map(|(b, g)| g.keys().map(move |key| (*b, key.as_str()))))
        .collect();
    groups.sort_by_key(|(b, key)| {
        let rank = BREAKDOWN_ORDER.iter().position(|o| o == b).unwrap_or(BREAKDOWN_ORDER.len());
        let within = if *b == Breakdown::Phase { phase_rank(key) } else { None };
        (rank, *b, within, *key)
    });
    groups.dedup();
    let mut columns = vec![("Breakdown".to_string(), 22.0), ("Group".to_string(), 30.0)];
    for (entry, _) in &entries {
        columns.push((entry.short.to_string(), 11.0));
        if entry.aggregate == Aggregate::Ratio {
            columns.push((format!("{}: n", entry.short), 8.0));
        }
    }
    columns.push(("Note".to_string(), NOTE_WIDTH));
    let list = List::new(ws, table, 0, 0, &columns)?;
    let note_col = list.last_col();
    let mut row = 0;
    for (breakdown, key) in &groups {
        row += 1;
        text(ws, row, 0, breakdown.label(), s)?;
        text(ws, row, 1, &labels.group(*breakdown, key), s)?;
        let mut notes = Notes::default();
        let mut col = 2;
        for (entry, ind) in &entries {
            let group: Option<&Group> = ind.breakdowns.get(breakdown).and_then(|g| g.get(*key));
            if let Some(group) = group {
                figure(ws, row, col, group.value, entry.unit, s)?;
                if group.value.is_none() {
                    notes.add(group_reason(group, k), entry.short);
                }
            }
            col += 1;
            if entry.aggregate == Aggregate::Ratio {
                if let Some(group) = group {
                    ws.write_number(row, col, group.n as f64)?;
                }
                col += 1;
            }
        }
        let lines = sentence(ws, row, note_col, &notes.text(), NOTE_WIDTH, s)?;
        fit(ws, row, lines)?;
    }
    list.close(ws, row, s)?;
    ws.set_freeze_panes(1, 2)?;
    Ok(())
}

fn needs(ws: &mut Worksheet, input: &ReportInput, labels: &Labels, s: &Styles) -> Result<(), XlsxError> {
    let list = List::new(
        ws,
        "Suggestions",
        0,
        0,
        &[
            ("Country", 18.0),
            ("Phase", 28.0),
            ("Rank", 6.0),
            ("Suggested peer", 18.0),
            ("Score", 7.0),
            ("Welfare", 8.0),
            ("Governance", 10.0),
            ("Scale", 7.0),
            ("Relationship", 11.0),
        ],
    )?;
    let mut row = 0;
    for m in &input.results.matches {
        if m.suggestions.is_empty() {
            row += 1;
            text(ws, row, 0, &country_name(&m.country), s)?;
            text(ws, row, 1, &labels.phase(&m.phase), s)?;
            text(ws, row, 3, "none: no experienced peer with a profile", s)?;
        }
        for (rank, suggestion) in m.suggestions.iter().enumerate() {
            row += 1;
            text(ws, row, 0, &country_name(&m.country), s)?;
            text(ws, row, 1, &labels.phase(&m.phase), s)?;
            ws.write_number(row, 2, rank as f64 + 1.0)?;
            text(ws, row, 3, &country_name(&suggestion.country), s)?;
            ws.write_number_with_format(row, 4, suggestion.score, &s.score)?;
            let c = &suggestion.components;
            for (i, value) in [c.welfare, c.governance, c.scale, c.relationship].into_iter().enumerate() {
                ws.write_number_with_format(row, 5 + i as u16, value, &s.score)?;
            }
        }
    }
    list.close(ws, row, s)?;
    ws.set_freeze_panes(1, 0)?;
    // All needs with their status, beside the suggestions (the header row is
    // repeated on every printed page, so the two lists share it).
    let c = list.last_col() + 2;
    ws.set_column_width(c - 1, 2.0)?;
    let needs = List::new(ws, "Needs", 0, c, &[("Need: country", 18.0), ("Phase of the need", 28.0), ("Met", 6.0)])?;
    for (i, need) in input.results.needs.iter().enumerate() {
        let r = 1 + i as u32;
        text(ws, r, c, &country_name(&need.country), s)?;
        text(ws, r, c + 1, &labels.phase(&need.phase), s)?;
        text(ws, r, c + 2, if need.met { "yes" } else { "no" }, s)?;
    }
    needs.close(ws, input.results.needs.len() as u32, s)
}

fn activities(ws: &mut Worksheet, input: &ReportInput, labels: &Labels, s: &Styles) -> Result<(), XlsxError> {
    let list = List::new(
        ws,
        "Activities",
        0,
        0,
        &[
            ("Activity", 10.0),
            ("Title", 36.0),
            ("Type", 18.0),
            ("Start", 11.0),
            ("End", 11.0),
            ("Days", 6.0),
            ("Format", 10.0),
            ("Host", 14.0),
            ("Participating", 36.0),
            ("Phases", 36.0),
            ("Goals", 22.0),
            ("Participants", 11.0),
            ("Cost (EUR)", 12.0),
            ("Follow-up", 9.0),
            ("Responses", 10.0),
        ],
    )?;
    let mut row = 0;
    for a in &input.results.activities {
        row += 1;
        text(ws, row, 0, &a.id, s)?;
        let mut tallest = sentence(ws, row, 1, a.title.as_deref().unwrap_or(""), 36.0, s)?;
        text(ws, row, 2, &labels.kind(&a.kind), s)?;
        for (col, date) in [(3u16, a.start), (4, a.end)] {
            let d = ExcelDateTime::parse_from_str(&date.format("%Y-%m-%d").to_string())?;
            ws.write_datetime_with_format(row, col, &d, &s.date)?;
        }
        ws.write_number(row, 5, a.days as f64)?;
        text(ws, row, 6, &labels.format(&a.format), s)?;
        text(ws, row, 7, &a.host.as_deref().map(country_name).unwrap_or_default(), s)?;
        let participating = a.participating.iter().map(|c| country_name(c)).collect::<Vec<_>>().join(", ");
        tallest = tallest.max(sentence(ws, row, 8, &participating, 36.0, s)?);
        let phases = a.phases.iter().map(|p| labels.phase(p)).collect::<Vec<_>>().join(", ");
        tallest = tallest.max(sentence(ws, row, 9, &phases, 36.0, s)?);
        let goals = a.goals.iter().map(|g| labels.goal(g)).collect::<Vec<_>>().join(", ");
        tallest = tallest.max(sentence(ws, row, 10, &goals, 22.0, s)?);
        fit(ws, row, tallest)?;
        number(ws, row, 11, a.participants.map(|p| p as f64), &s.count)?;
        number(ws, row, 12, a.cost_eur, &s.euro)?;
        text(ws, row, 13, if a.follow_up { "yes" } else { "no" }, s)?;
        ws.write_number(row, 14, a.responses as f64)?;
    }
    list.close(ws, row, s)?;
    ws.set_freeze_panes(1, 1)?;

    // Under the activities: activities per phase, with a chart beside it.
    let top = row + 2;
    // In the Title and Type columns, wide enough for phase names.
    let phases = List::keeping_widths("ActivitiesPerPhase", top, 1, &["Phase", "Activities"]);
    let by_phase = input.results.indicators.get("activities_total").and_then(|i| i.breakdowns.get(&Breakdown::Phase));
    for (i, phase) in input.config.taxonomy.phases.iter().enumerate() {
        let r = top + 1 + i as u32;
        text(ws, r, 1, &labels.phase(&phase.id), s)?;
        let n = by_phase.and_then(|g| g.get(&phase.id)).and_then(|g| g.value).map(Figure::as_f64).unwrap_or(0.0);
        ws.write_number(r, 2, n)?;
    }
    let count = input.config.taxonomy.phases.len() as u32;
    phases.close(ws, top + count, s)?;
    if count > 0 {
        let mut chart = Chart::new(ChartType::Column);
        chart.title().set_name("Activities per phase of the resettlement process");
        chart
            .add_series()
            .set_name("Activities")
            .set_categories(("Activities", top + 1, 1, top + count, 1))
            .set_values(("Activities", top + 1, 2, top + count, 2));
        chart.legend().set_hidden();
        chart.set_width(620).set_height(300);
        ws.insert_chart(top, 4, &chart)?;
    }
    Ok(())
}

fn quality(ws: &mut Worksheet, input: &ReportInput, s: &Styles) -> Result<(), XlsxError> {
    let list = List::new(
        ws,
        "Issues",
        0,
        0,
        &[
            ("Severity", 9.0),
            ("Code", 18.0),
            ("File", 22.0),
            ("Sheet", 16.0),
            ("Row", 6.0),
            ("Column", 20.0),
            ("Value", 20.0),
            ("What to fix", 70.0),
        ],
    )?;
    let mut row = 0;
    // At most ISSUES_PER_CODE rows per issue code; the rest are counted.
    let mut per_code: BTreeMap<&str, usize> = BTreeMap::new();
    for issue in input.issues {
        let seen = per_code.entry(issue.code).or_default();
        *seen += 1;
        if *seen > ISSUES_PER_CODE {
            continue;
        }
        row += 1;
        text(ws, row, 0, issue.severity.as_str(), s)?;
        text(ws, row, 1, issue.code, s)?;
        text(ws, row, 2, &issue.file, s)?;
        text(ws, row, 3, issue.sheet.as_deref().unwrap_or(""), s)?;
        number(ws, row, 4, issue.row.map(|r| r as f64), &s.count)?;
        text(ws, row, 5, issue.column.as_deref().unwrap_or(""), s)?;
        text(ws, row, 6, issue.value.as_deref().unwrap_or(""), s)?;
        let lines = sentence(ws, row, 7, &view::plain_message(&issue.message), 70.0, s)?;
        fit(ws, row, lines)?;
    }
    if input.issues.is_empty() {
        row = 1;
        text(ws, 1, 7, "No data issues: every row of every file was accepted.", s)?;
    }
    for (code, count) in per_code.iter().filter(|(_, n)| **n > ISSUES_PER_CODE) {
        row += 1;
        text(ws, row, 1, code, s)?;
        text(ws, row, 7, &format!("and {} more {code} issues — all are in run.json", count - ISSUES_PER_CODE), s)?;
    }
    list.close(ws, row, s)?;
    ws.set_freeze_panes(1, 0)?;
    // Under the issues: rows accounted per file and sheet.
    let top = row + 2;
    // In the issue table's columns: the file under File, the counts under Row….
    let files =
        List::keeping_widths("Files", top, 2, &["File", "Sheet", "Read", "Dataset", "Accepted", "Rejected", "Skipped"]);
    let mut r = top;
    for file in input.files {
        if !file.readable {
            r += 1;
            text(ws, r, 2, &file.path, s)?;
            text(ws, r, 3, "(unreadable)", s)?;
        }
        for sheet in &file.sheets {
            r += 1;
            text(ws, r, 2, &file.path, s)?;
            text(ws, r, 3, &sheet.sheet, s)?;
            ws.write_number(r, 4, sheet.rows_read as f64)?;
            text(ws, r, 5, sheet.dataset.map(|d| d.as_str()).unwrap_or("(skipped)"), s)?;
            ws.write_number(r, 6, sheet.rows_accepted as f64)?;
            ws.write_number(r, 7, sheet.rows_rejected as f64)?;
            ws.write_number(r, 8, sheet.rows_skipped as f64)?;
        }
    }
    files.close(ws, r, s)
}

fn about(ws: &mut Worksheet, input: &ReportInput, s: &Styles) -> Result<(), XlsxError> {
    let period = &input.results.period;
    ws.write_string_with_format(0, 0, "About this workbook", &s.title)?;
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "all data".to_string());
    let facts = [
        ("Period", period.label.clone()),
        ("From", date(period.start)),
        ("To", date(period.end)),
        ("Data span", view::data_span(input.results)),
        ("peer-eval version", env!("CARGO_PKG_VERSION").to_string()),
        ("Configuration digest (SHA-256)", input.config.digest()),
        ("Privacy threshold", format!("{} responses", input.config.privacy.min_group_size)),
    ];
    for (i, (key, value)) in facts.iter().enumerate() {
        let r = 2 + i as u32;
        ws.write_string_with_format(r, 0, *key, &s.bold)?;
        text(ws, r, 1, value, s)?;
    }
    let mut r = 2 + facts.len() as u32 + 1;
    let files = List::new(ws, "InputFiles", r, 0, &[("Input file", 30.0), ("SHA-256", 90.0), ("Read", 8.0)])?;
    let top = r;
    for file in input.files {
        r += 1;
        text(ws, r, 0, &file.path, s)?;
        text(ws, r, 1, &file.sha256, s)?;
        text(ws, r, 2, if file.readable { "yes" } else { "no" }, s)?;
    }
    files.close(ws, r, s)?;
    if r == top {
        r += 1;
    }
    r += 2;
    let definitions = List::new(ws, "Definitions", r, 0, &[("Indicator", 30.0), ("Definition", 90.0)])?;
    let top = r;
    for entry in registry::CATALOG {
        r += 1;
        text(ws, r, 0, entry.label, s)?;
        let lines = sentence(ws, r, 1, entry.definition, 90.0, s)?;
        fit(ws, r, lines)?;
    }
    definitions.close(ws, r, s)?;
    if r == top {
        r += 1;
    }
    r += 2;
    ws.write_string_with_format(r, 0, "Suppression rule", &s.bold)?;
    let lines = sentence(ws, r, 1, &super::suppression_rule(input.config.privacy.min_group_size), 90.0, s)?;
    fit(ws, r, lines)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{lines, Notes};

    #[test]
    fn lines_count_word_wrapped_lines() {
        assert_eq!(lines("", 10.0), 1);
        assert_eq!(lines("short", 10.0), 1);
        // Width 8 holds 9 characters (8 × 1.15 = 9.2): "aaaa bbbb" fits, "cccc" starts line 2.
        assert_eq!(lines("aaaa bbbb cccc", 8.0), 2);
        // Width 9 holds 10: a 25-character word after a short one takes three lines of its own.
        assert_eq!(lines("a bbbbbbbbbbbbbbbbbbbbbbbbb", 9.0), 4);
        assert_eq!(lines("bbbbbbbbbbbbbbbbbbbbbbbbb", 9.0), 3);
    }

    #[test]
    fn notes_group_the_empty_cells_by_reason() {
        let mut notes = Notes::default();
        notes.add("no data".into(), "Mean");
        notes.add("fewer than 5 responses".into(), "Top two");
        notes.add("fewer than 5 responses".into(), "NPS");
        assert_eq!(notes.text(), "fewer than 5 responses: Top two, NPS; no data: Mean");
        assert_eq!(Notes::default().text(), "");
        let mut one = Notes::default();
        one.add("fewer than 5 responses".into(), "Top two");
        one.add("fewer than 5 responses".into(), "NPS");
        assert_eq!(one.text(), "fewer than 5 responses");
    }
}
