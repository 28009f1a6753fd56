//! `evaluation.xlsx`: the workbook funders open, written with rust_xlsxwriter.
//!
//! Every text from the inputs is written as a string cell (never a formula), with
//! a quote prefix when it starts with `=`, `+`, `-`, `@`, a tab or a carriage
//! return. Suppressed figures read "fewer than N responses". The creation time is
//! fixed to the data's last day so that reruns are byte-identical.

use std::collections::BTreeMap;

use rust_xlsxwriter::{
    Chart, ChartErrorBars, ChartErrorBarsType, ChartRange, ChartType, Color, ConditionalFormatCell,
    ConditionalFormatCellRule, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};

use super::evaluation;
use super::view::{self, country_name, Labels};
use super::ReportInput;
use crate::indicators::catalog::{self, Unit};
use crate::indicators::stats::wilson;
use crate::indicators::{Figure, Group};

/// Cell formats used across the sheets.
struct Styles {
    title: Format,
    header: Format,
    quoted: Format,
    wrap: Format,
    count: Format,
    share: Format,
    euro: Format,
    score: Format,
    date: Format,
    met: Format,
    near: Format,
    not_met: Format,
}

impl Styles {
    fn new() -> Styles {
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
            quoted: Format::new().set_quote_prefix(),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
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

    fn unit(&self, unit: Unit) -> &Format {
        match unit {
            Unit::Count | Unit::Nps => &self.count,
            Unit::Share => &self.share,
            Unit::Euro => &self.euro,
            Unit::Score => &self.score,
        }
    }
}

/// Whether Excel could read `text` as a formula or a command.
pub fn needs_quote_prefix(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

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
fn text(ws: &mut Worksheet, row: u32, col: u16, value: &str, s: &Styles) -> Result<(), XlsxError> {
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

fn header(ws: &mut Worksheet, row: u32, headers: &[&str], widths: &[f64], s: &Styles) -> Result<(), XlsxError> {
    for (col, (h, w)) in headers.iter().zip(widths).enumerate() {
        ws.write_string_with_format(row, col as u16, *h, &s.header)?;
        ws.set_column_width(col as u16, *w)?;
    }
    Ok(())
}

/// A figure as a number in its unit, or the reason it is missing.
#[allow(clippy::too_many_arguments)]
fn figure(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    value: Option<Figure>,
    suppressed: bool,
    unit: Unit,
    min_group: usize,
    s: &Styles,
) -> Result<(), XlsxError> {
    match value {
        Some(v) => {
            ws.write_number_with_format(row, col, v.as_f64(), s.unit(unit))?;
        }
        None => text(ws, row, col, &view::value_text(None, suppressed, unit, min_group), s)?,
    }
    Ok(())
}

fn status_formats(ws: &mut Worksheet, first: u32, last: u32, col: u16, s: &Styles) -> Result<(), XlsxError> {
    if last < first {
        return Ok(());
    }
    for (value, format) in [("met", &s.met), ("near", &s.near), ("not met", &s.not_met)] {
        let rule = ConditionalFormatCell::new().set_rule(ConditionalFormatCellRule::EqualTo(value)).set_format(format);
        ws.add_conditional_format(first, col, last, col, &rule)?;
    }
    Ok(())
}

fn finish_table(ws: &mut Worksheet, header_row: u32, last_row: u32, last_col: u16) -> Result<(), XlsxError> {
    ws.set_freeze_panes(header_row + 1, 0)?;
    if last_row > header_row {
        ws.autofilter(header_row, 0, last_row, last_col)?;
    }
    Ok(())
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
    outcomes(wb.add_worksheet().set_name("Outcomes")?, input, &labels, &s)?;
    let horizons = evaluation::horizons(input.results, input.config.privacy.min_group_size);
    if !horizons.is_empty() {
        follow_up_horizons(wb.add_worksheet().set_name("Follow-up horizons")?, &horizons, &s)?;
    }
    trends(wb.add_worksheet().set_name("Trends")?, input, &s)?;
    needs(wb.add_worksheet().set_name("Needs & matching")?, input, &labels, &s)?;
    activities(wb.add_worksheet().set_name("Activities")?, input, &labels, &s)?;
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
fn print_setup(ws: &mut Worksheet, footer: &str) -> Result<(), XlsxError> {
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
    header(ws, top, &["Indicator", "Value", "n", "Target", "Status"], &[44.0, 16.0, 8.0, 12.0, 10.0], s)?;
    let mut row = top + 1;
    for id in catalog::HEADLINE {
        let Some(ind) = input.results.indicators.get(id) else { continue };
        let entry = catalog::entry(id);
        text(ws, row, 0, entry.label, s)?;
        figure(ws, row, 1, ind.value, ind.suppressed, entry.unit, k, s)?;
        ws.write_number(row, 2, ind.n as f64)?;
        if let Some(t) = ind.target {
            ws.write_number_with_format(row, 3, t, s.unit(entry.unit))?;
        }
        text(ws, row, 4, view::status_text(ind.status), s)?;
        row += 1;
    }
    status_formats(ws, top + 1, row - 1, 4, s)?;
    ws.set_freeze_panes(top + 1, 0)?;
    row += 1;
    ws.write_string_with_format(row, 0, "Key findings", &s.title)?;
    for sentence in view::findings(input.results, labels, k) {
        row += 1;
        text(ws, row, 0, &sentence, s)?;
    }
    Ok(())
}

/// The tracking table (SPEC §13.3): baseline, target, each year, the period, % of target, status.
fn against_plan(ws: &mut Worksheet, tracking: &evaluation::Tracking, s: &Styles) -> Result<(), XlsxError> {
    let mut headers: Vec<String> = ["Indicator", "Direction", "Baseline", "Target"].map(String::from).to_vec();
    headers.extend(tracking.years.iter().cloned());
    headers.extend(["Period", "% of target", "Change from baseline", "Status"].map(String::from));
    let widths: Vec<f64> = headers.iter().enumerate().map(|(i, _)| if i == 0 { 40.0 } else { 12.0 }).collect();
    let names: Vec<&str> = headers.iter().map(String::as_str).collect();
    header(ws, 0, &names, &widths, s)?;
    let number =
        |ws: &mut Worksheet, row: u32, col: u16, value: Option<f64>, format: &Format| -> Result<(), XlsxError> {
            if let Some(v) = value {
                ws.write_number_with_format(row, col, v, format)?;
            }
            Ok(())
        };
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
    let last = headers.len() as u16 - 1;
    status_formats(ws, 1, row.max(1), last, s)?;
    text(ws, row + 2, 0, evaluation::status_rule(), s)?;
    finish_table(ws, 0, row, last)
}

/// The six criteria: each indicator's line, and the evaluator's words as plain text.
fn criteria(ws: &mut Worksheet, input: &ReportInput, s: &Styles) -> Result<(), XlsxError> {
    header(
        ws,
        0,
        &["Criterion", "Indicator", "Value", "n", "Target", "Status"],
        &[16.0, 44.0, 22.0, 8.0, 12.0, 10.0],
        s,
    )?;
    let mut row = 0;
    let criteria = evaluation::criteria(input.results, input.config, input.narrative);
    for criterion in &criteria {
        for line in &criterion.lines {
            row += 1;
            text(ws, row, 0, &criterion.title, s)?;
            text(ws, row, 1, &line.label, s)?;
            text(ws, row, 2, &line.value, s)?;
            ws.write_number(row, 3, line.n as f64)?;
            text(ws, row, 4, &line.target, s)?;
            text(ws, row, 5, line.status, s)?;
        }
    }
    status_formats(ws, 1, row.max(1), 5, s)?;
    finish_table(ws, 0, row, 5)?;
    for (i, criterion) in criteria.iter().filter(|c| !c.narrative.is_empty()).enumerate() {
        let note = row + 2 + i as u32;
        text(ws, note, 0, &criterion.title, s)?;
        text(ws, note, 1, &plain(&criterion.narrative), s)?;
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
    let headers = ["Months after", "Applied the learning", "n", "Shared internally", "n", "Stayed in contact", "n"];
    header(ws, 0, &headers, &[14.0, 20.0, 8.0, 18.0, 8.0, 18.0, 8.0], s)?;
    for (i, horizon) in horizons.iter().enumerate() {
        let row = i as u32 + 1;
        text(ws, row, 0, &evaluation::horizon_label(horizon.horizon), s)?;
        for (j, cell) in horizon.cells.iter().enumerate() {
            let col = 1 + 2 * j as u16;
            match cell.value {
                Some(v) => {
                    ws.write_number_with_format(row, col, v, &s.share)?;
                }
                None => text(ws, row, col, &cell.text, s)?,
            }
            ws.write_number(row, col + 1, cell.n as f64)?;
        }
    }
    // Applied learning by horizon: suppressed groups (text cells) draw no bar.
    let last = horizons.len() as u32;
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
    finish_table(ws, 0, last, 6)
}

/// Planned, then postponed and cancelled activities of the period (SPEC §13.2).
fn pipeline(ws: &mut Worksheet, input: &ReportInput, labels: &Labels, s: &Styles) -> Result<(), XlsxError> {
    header(ws, 0, &["Activity", "Title", "Type", "Start", "Status"], &[12.0, 44.0, 24.0, 12.0, 12.0], s)?;
    for (i, entry) in input.results.pipeline.iter().enumerate() {
        let row = i as u32 + 1;
        text(ws, row, 0, &entry.id, s)?;
        text(ws, row, 1, entry.title.as_deref().unwrap_or(""), s)?;
        text(ws, row, 2, &labels.kind(&entry.kind), s)?;
        text(ws, row, 3, &entry.start.format("%Y-%m-%d").to_string(), s)?;
        text(ws, row, 4, entry.status, s)?;
    }
    finish_table(ws, 0, input.results.pipeline.len() as u32, 4)
}

fn indicators(ws: &mut Worksheet, input: &ReportInput, s: &Styles) -> Result<(), XlsxError> {
    let k = input.config.privacy.min_group_size;
    header(
        ws,
        0,
        &[
            "Indicator id",
            "Indicator",
            "Level",
            "Value",
            "n",
            "Suppressed",
            "Reason",
            "Target",
            "Status",
            "CI low",
            "CI high",
            "Definition",
        ],
        &[28.0, 40.0, 11.0, 16.0, 8.0, 11.0, 40.0, 10.0, 10.0, 10.0, 10.0, 70.0],
        s,
    )?;
    let mut row = 0;
    for entry in catalog::CATALOG {
        let Some(ind) = input.results.indicators.get(entry.id) else { continue };
        row += 1;
        text(ws, row, 0, entry.id, s)?;
        text(ws, row, 1, entry.label, s)?;
        text(ws, row, 2, ind.level, s)?;
        figure(ws, row, 3, ind.value, ind.suppressed, entry.unit, k, s)?;
        ws.write_number(row, 4, ind.n as f64)?;
        ws.write_boolean(row, 5, ind.suppressed)?;
        text(ws, row, 6, ind.reason.as_deref().unwrap_or(""), s)?;
        if let Some(t) = ind.target {
            ws.write_number_with_format(row, 7, t, s.unit(entry.unit))?;
        }
        text(ws, row, 8, view::status_text(ind.status), s)?;
        if let (Some(Some(low)), Some(Some(high))) = (ind.ci_low, ind.ci_high) {
            ws.write_number_with_format(row, 9, low, &s.share)?;
            ws.write_number_with_format(row, 10, high, &s.share)?;
        }
        ws.write_string_with_format(row, 11, entry.definition, &s.wrap)?;
        if let Some(previous) = &ind.previous {
            figure(ws, row, 12, previous.value, previous.suppressed, entry.unit, k, s)?;
            if let Some(Some(change)) = ind.change {
                ws.write_number_with_format(row, 13, change, s.unit(entry.unit))?;
            }
            let judged = view::judgement(ind.change.flatten(), ind.direction).trim_matches([' ', '(', ')']);
            text(ws, row, 15, judged, s)?;
        }
        if let Some(cumulative) = &ind.cumulative {
            figure(ws, row, 14, cumulative.value, cumulative.suppressed, entry.unit, k, s)?;
        }
    }
    status_formats(ws, 1, row, 8, s)?;
    let previous = input.results.indicators.values().find_map(|i| i.previous.as_ref().map(|p| p.label.clone()));
    let cumulative = input.results.indicators.values().find_map(|i| i.cumulative.as_ref().map(|c| c.label.clone()));
    let last_col = match (&previous, &cumulative) {
        (Some(_), _) => 15,
        (None, Some(_)) => 14,
        (None, None) => 11,
    };
    if let Some(label) = previous {
        ws.write_string_with_format(0, 12, format!("Previous ({label})"), &s.header)?;
        ws.write_string_with_format(0, 13, "Change", &s.header)?;
        ws.write_string_with_format(0, 15, "Better or worse (by the target)", &s.header)?;
        ws.set_column_width(15, 14.0)?;
        ws.set_column_width(12, 16.0)?;
        ws.set_column_width(13, 12.0)?;
    }
    if let Some(label) = cumulative {
        ws.write_string_with_format(0, 14, format!("Cumulative ({label})"), &s.header)?;
        ws.set_column_width(14, 20.0)?;
    }
    finish_table(ws, 0, row, last_col)
}

fn trends(ws: &mut Worksheet, input: &ReportInput, s: &Styles) -> Result<(), XlsxError> {
    let Some(trends) = &input.results.trends else { return Ok(()) };
    ws.write_string_with_format(0, 0, "Quarter", &s.header)?;
    ws.set_column_width(0, 10.0)?;
    for (i, id) in crate::indicators::TREND_IDS.iter().enumerate() {
        let col = 1 + i as u16;
        ws.write_string_with_format(0, col, catalog::entry(id).label, &s.header)?;
        ws.set_column_width(col, 16.0)?;
    }
    for (r, quarter) in trends.quarters.iter().enumerate() {
        let row = 1 + r as u32;
        text(ws, row, 0, quarter, s)?;
        for (i, id) in crate::indicators::TREND_IDS.iter().enumerate() {
            // A suppressed or missing quarter stays blank: the chart shows a gap.
            if let Some(Some(v)) = trends.series.get(id).and_then(|values| values.get(r)) {
                ws.write_number_with_format(row, 1 + i as u16, *v, s.unit(catalog::entry(id).unit))?;
            }
        }
    }
    let last = trends.quarters.len() as u32;
    ws.set_freeze_panes(1, 1)?;
    if last < 2 {
        return Ok(());
    }
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
            let col = 1 + crate::indicators::TREND_IDS.iter().position(|t| t == id).expect("trend id") as u16;
            chart
                .add_series()
                .set_name(("Trends", 0, col))
                .set_categories(("Trends", 1, 0, last, 0))
                .set_values(("Trends", 1, col, last, col));
        }
        chart.show_empty_cells_as(rust_xlsxwriter::ChartEmptyCells::Gaps);
        if n == 0 {
            chart.y_axis().set_num_format("0%");
        }
        ws.insert_chart(1 + n as u32 * 18, 8, &chart)?;
    }
    Ok(())
}

fn alignment(ws: &mut Worksheet, input: &ReportInput, labels: &Labels, s: &Styles) -> Result<(), XlsxError> {
    header(
        ws,
        0,
        &["Activity", "Title", "Type", "Goals", "Score", "Aligned", "No stated goal", "Unsupported goals"],
        &[12.0, 44.0, 22.0, 30.0, 9.0, 9.0, 10.0, 24.0],
        s,
    )?;
    let facts: std::collections::HashMap<&str, &crate::indicators::facts::ActivityFacts> =
        input.results.activities.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut row = 0;
    for a in &input.results.alignment.activities {
        row += 1;
        let fact = facts.get(a.activity_id.as_str());
        text(ws, row, 0, &a.activity_id, s)?;
        text(ws, row, 1, fact.and_then(|f| f.title.as_deref()).unwrap_or(""), s)?;
        text(ws, row, 2, &fact.map(|f| labels.kind(&f.kind)).unwrap_or_default(), s)?;
        text(
            ws,
            row,
            3,
            &fact.map(|f| f.goals.iter().map(|g| labels.goal(g)).collect::<Vec<_>>().join(", ")).unwrap_or_default(),
            s,
        )?;
        if let Some(score) = a.score {
            ws.write_number_with_format(row, 4, score, &s.share)?;
        }
        ws.write_boolean(row, 5, a.aligned)?;
        ws.write_boolean(row, 6, a.no_stated_goal)?;
        text(ws, row, 7, &a.unsupported_goals.iter().map(|g| labels.goal(g)).collect::<Vec<_>>().join(", "), s)?;
    }
    finish_table(ws, 0, row, 7)?;

    // Side table and chart: goal alignment by goal.
    let (c0, c1, c2) = (9u16, 10u16, 11u16);
    for (col, (h, w)) in
        [(c0, ("Goal", 18.0)), (c1, ("Activities declaring it that support it", 16.0)), (c2, ("n", 6.0))]
    {
        ws.write_string_with_format(0, col, h, &s.header)?;
        ws.set_column_width(col, w)?;
    }
    let goals = input.results.indicators.get("goal_alignment_rate").and_then(|i| i.breakdowns.get("goal"));
    let mut r = 0;
    for goal in input.config.taxonomy.goals.iter().map(|g| &g.id) {
        let Some(group) = goals.and_then(|g| g.get(goal)) else { continue };
        r += 1;
        text(ws, r, c0, &labels.goal(goal), s)?;
        figure(ws, r, c1, group.value, false, Unit::Share, 0, s)?;
        ws.write_number(r, c2, group.n as f64)?;
    }
    if r > 0 {
        let mut chart = Chart::new(ChartType::Bar);
        chart.title().set_name("Goal alignment by goal");
        chart
            .add_series()
            .set_name("Share supporting the goal")
            .set_categories(("Alignment", 1, c0, r, c0))
            .set_values(("Alignment", 1, c1, r, c1));
        chart.x_axis().set_num_format("0%").set_min(0).set_max(1);
        chart.legend().set_hidden();
        ws.insert_chart(r + 2, c0, &chart)?;
    }
    let gaps_row = r + 20;
    ws.write_string_with_format(gaps_row, c0, "Phases with no activity", &s.header)?;
    let mut g = gaps_row;
    for phase in &input.results.phase_gaps {
        g += 1;
        text(ws, g, c0, &labels.phase(phase), s)?;
    }
    if input.results.phase_gaps.is_empty() {
        text(ws, gaps_row + 1, c0, "none: every phase had an activity", s)?;
    }
    Ok(())
}

fn satisfaction(ws: &mut Worksheet, input: &ReportInput, labels: &Labels, s: &Styles) -> Result<(), XlsxError> {
    let k = input.config.privacy.min_group_size;
    header(
        ws,
        0,
        &["Item", "Question", "n", "Mean", "SD", "Median", "1", "2", "3", "4", "5", "Top two", "CI low", "CI high"],
        &[22.0, 30.0, 7.0, 7.0, 7.0, 7.0, 6.0, 6.0, 6.0, 6.0, 6.0, 9.0, 9.0, 9.0],
        s,
    )?;
    let mut row = 0;
    for item in &input.config.likert.items {
        let Some(result) = input.results.likert.get(&item.id) else { continue };
        row += 1;
        let o = &result.overall;
        text(ws, row, 0, &item.id, s)?;
        text(ws, row, 1, &result.label, s)?;
        ws.write_number(row, 2, o.n as f64)?;
        if o.suppressed {
            text(ws, row, 3, &format!("fewer than {k} responses"), s)?;
            continue;
        }
        for (col, v) in [(3u16, o.mean), (4, o.sd), (5, o.median)] {
            if let Some(v) = v {
                ws.write_number_with_format(row, col, v, &s.score)?;
            }
        }
        if let Some(dist) = &o.distribution {
            for level in 1..=5u16 {
                if let Some(count) = dist.get(&level.to_string()) {
                    ws.write_number(row, 5 + level, *count as f64)?;
                }
            }
        }
        for (col, v) in [(11u16, o.top2), (12, o.ci_low), (13, o.ci_high)] {
            if let Some(v) = v {
                ws.write_number_with_format(row, col, v, &s.share)?;
            }
        }
    }
    let items_last = row;
    ws.set_freeze_panes(1, 0)?;

    // Diverging stacked bars: shares per level, disagreement to the left.
    let helper = items_last + 3;
    let names = ["Level 1", "Level 2", "Level 3 (half)", "Level 3 (half)", "Level 4", "Level 5"];
    ws.write_string_with_format(
        helper,
        0,
        "Chart data: share of answers per level (levels 1–2 and half of 3 negative)",
        &s.header,
    )?;
    for (i, name) in names.iter().enumerate() {
        ws.write_string_with_format(helper + 1, 1 + i as u16, *name, &s.header)?;
    }
    let mut r = helper + 1;
    for item in &input.config.likert.items {
        let Some(result) = input.results.likert.get(&item.id) else { continue };
        let (Some(dist), false) = (&result.overall.distribution, result.overall.suppressed) else { continue };
        let n = result.overall.n as f64;
        let share = |l: u8| dist.get(&l.to_string()).copied().unwrap_or(0) as f64 / n;
        r += 1;
        text(ws, r, 0, labels.items.get(&item.id).map(String::as_str).unwrap_or(&item.id), s)?;
        let values = [-share(1), -share(2), -share(3) / 2.0, share(3) / 2.0, share(4), share(5)];
        for (i, v) in values.iter().enumerate() {
            ws.write_number_with_format(r, 1 + i as u16, *v, &s.share)?;
        }
    }
    if r > helper + 1 {
        let colours = [0xB2182B, 0xEF8A62, 0xCCCCCC, 0xCCCCCC, 0x67A9CF, 0x2166AC];
        let mut chart = Chart::new(ChartType::BarStacked);
        chart.title().set_name("Answers per item (diverging: disagreement left, agreement right)");
        for (i, colour) in colours.iter().enumerate() {
            let col = 1 + i as u16;
            let series = chart.add_series();
            series
                .set_name(("Satisfaction", helper + 1, col))
                .set_categories(("Satisfaction", helper + 2, 0, r, 0))
                .set_values(("Satisfaction", helper + 2, col, r, col))
                .set_format(
                    rust_xlsxwriter::ChartFormat::new()
                        .set_solid_fill(rust_xlsxwriter::ChartSolidFill::new().set_color(Color::RGB(*colour))),
                )
                .set_overlap(100);
            if i == 3 {
                series.delete_from_legend(true);
            }
        }
        chart.x_axis().set_num_format("0%");
        ws.insert_chart(r + 2, 0, &chart)?;
    }

    // satisfaction_top2 by activity type, with Wilson intervals.
    let t0 = r + 20;
    let cols = ["Activity type", "Satisfied (top two)", "n", "CI low", "CI high", "Minus", "Plus"];
    for (i, h) in cols.iter().enumerate() {
        ws.write_string_with_format(t0, i as u16, *h, &s.header)?;
    }
    let groups = input.results.indicators.get("satisfaction_top2").and_then(|i| i.breakdowns.get("activity_type"));
    let mut t = t0;
    for (kind, group) in groups.into_iter().flatten() {
        t += 1;
        text(ws, t, 0, &labels.kind(kind), s)?;
        figure(ws, t, 1, group.value, group.suppressed, Unit::Share, k, s)?;
        ws.write_number(t, 2, group.n as f64)?;
        if let Some(v) = group.value.map(Figure::as_f64) {
            if let Some((low, high)) = wilson(v, group.n) {
                ws.write_number_with_format(t, 3, low, &s.share)?;
                ws.write_number_with_format(t, 4, high, &s.share)?;
                ws.write_number_with_format(t, 5, v - low, &s.share)?;
                ws.write_number_with_format(t, 6, high - v, &s.share)?;
            }
        }
    }
    if t > t0 {
        let mut chart = Chart::new(ChartType::Column);
        chart.title().set_name("Satisfied participants by activity type (95 % interval)");
        let bars = ChartErrorBars::new()
            .set_type(ChartErrorBarsType::Custom(
                ChartRange::new_from_range("Satisfaction", t0 + 1, 6, t, 6),
                ChartRange::new_from_range("Satisfaction", t0 + 1, 5, t, 5),
            ))
            .clone();
        chart
            .add_series()
            .set_name("Top two")
            .set_categories(("Satisfaction", t0 + 1, 0, t, 0))
            .set_values(("Satisfaction", t0 + 1, 1, t, 1))
            .set_y_error_bars(&bars);
        chart.y_axis().set_num_format("0%").set_min(0).set_max(1);
        chart.legend().set_hidden();
        ws.insert_chart(t + 2, 0, &chart)?;
    }
    Ok(())
}

fn outcomes(ws: &mut Worksheet, input: &ReportInput, labels: &Labels, s: &Styles) -> Result<(), XlsxError> {
    let k = input.config.privacy.min_group_size;
    header(
        ws,
        0,
        &["Indicator", "Breakdown", "Group", "Value", "n", "Suppressed"],
        &[36.0, 22.0, 34.0, 16.0, 8.0, 11.0],
        s,
    )?;
    let mut row = 0;
    for entry in catalog::CATALOG {
        let Some(ind) = input.results.indicators.get(entry.id) else { continue };
        for (breakdown, groups) in &ind.breakdowns {
            for (key, group) in groups {
                row += 1;
                write_group(
                    ws,
                    row,
                    entry.label,
                    breakdown,
                    &group_label(breakdown, key, labels),
                    group,
                    entry.unit,
                    k,
                    s,
                )?;
            }
        }
    }
    finish_table(ws, 0, row, 5)
}

fn group_label(breakdown: &str, key: &str, labels: &Labels) -> String {
    match breakdown {
        "activity_type" => labels.kind(key),
        "phase" => labels.phase(key),
        "goal" => labels.goal(key),
        "respondent_country" => format!("{} ({key})", country_name(key)),
        _ => key.to_string(),
    }
}

#[allow(clippy::too_many_arguments)]
fn write_group(
    ws: &mut Worksheet,
    row: u32,
    label: &str,
    breakdown: &str,
    group_name: &str,
    group: &Group,
    unit: Unit,
    k: usize,
    s: &Styles,
) -> Result<(), XlsxError> {
    text(ws, row, 0, label, s)?;
    text(ws, row, 1, breakdown, s)?;
    text(ws, row, 2, group_name, s)?;
    figure(ws, row, 3, group.value, group.suppressed, unit, k, s)?;
    ws.write_number(row, 4, group.n as f64)?;
    ws.write_boolean(row, 5, group.suppressed)?;
    Ok(())
}

fn needs(ws: &mut Worksheet, input: &ReportInput, labels: &Labels, s: &Styles) -> Result<(), XlsxError> {
    header(
        ws,
        0,
        &["Country", "Phase", "Rank", "Suggested peer", "Score", "Welfare", "Governance", "Scale", "Relationship"],
        &[22.0, 30.0, 6.0, 22.0, 8.0, 9.0, 11.0, 8.0, 12.0],
        s,
    )?;
    let mut row = 0;
    for m in &input.results.matches {
        if m.suggestions.is_empty() {
            row += 1;
            text(ws, row, 0, &country_name(&m.country), s)?;
            text(ws, row, 1, &labels.phase(&m.phase), s)?;
            text(ws, row, 3, "no experienced peer with a profile", s)?;
        }
        for (rank, suggestion) in m.suggestions.iter().enumerate() {
            row += 1;
            text(ws, row, 0, &country_name(&m.country), s)?;
            text(ws, row, 1, &labels.phase(&m.phase), s)?;
            ws.write_number(row, 2, rank as f64 + 1.0)?;
            text(ws, row, 3, &country_name(&suggestion.country), s)?;
            ws.write_number_with_format(row, 4, suggestion.score, &s.score)?;
            for (i, key) in ["welfare", "governance", "scale", "relationship"].iter().enumerate() {
                ws.write_number_with_format(row, 5 + i as u16, suggestion.components[key], &s.score)?;
            }
        }
    }
    finish_table(ws, 0, row, 8)?;
    // All needs with their status, beside the suggestions.
    let c = 10u16;
    for (i, (h, w)) in [("Need: country", 22.0), ("Phase", 30.0), ("Met", 6.0)].iter().enumerate() {
        ws.write_string_with_format(0, c + i as u16, *h, &s.header)?;
        ws.set_column_width(c + i as u16, *w)?;
    }
    for (i, need) in input.results.needs.iter().enumerate() {
        let r = i as u32 + 1;
        text(ws, r, c, &country_name(&need.country), s)?;
        text(ws, r, c + 1, &labels.phase(&need.phase), s)?;
        text(ws, r, c + 2, if need.met { "yes" } else { "no" }, s)?;
    }
    Ok(())
}

fn activities(ws: &mut Worksheet, input: &ReportInput, labels: &Labels, s: &Styles) -> Result<(), XlsxError> {
    let headers = [
        "Activity",
        "Title",
        "Type",
        "Start",
        "End",
        "Days",
        "Format",
        "Host",
        "Participating",
        "Phases",
        "Goals",
        "Participants",
        "Cost (EUR)",
        "Follow-up",
        "Responses",
    ];
    let widths = [12.0, 44.0, 22.0, 11.0, 11.0, 6.0, 10.0, 16.0, 50.0, 40.0, 30.0, 11.0, 12.0, 9.0, 10.0];
    header(ws, 0, &headers, &widths, s)?;
    let mut row = 0;
    for a in &input.results.activities {
        row += 1;
        text(ws, row, 0, &a.id, s)?;
        text(ws, row, 1, a.title.as_deref().unwrap_or(""), s)?;
        text(ws, row, 2, &labels.kind(&a.kind), s)?;
        for (col, date) in [(3u16, a.start), (4, a.end)] {
            let d = ExcelDateTime::parse_from_str(&date.format("%Y-%m-%d").to_string())?;
            ws.write_datetime_with_format(row, col, &d, &s.date)?;
        }
        ws.write_number(row, 5, a.days as f64)?;
        text(ws, row, 6, &a.format, s)?;
        text(ws, row, 7, &a.host.as_deref().map(country_name).unwrap_or_default(), s)?;
        text(ws, row, 8, &a.participating.iter().map(|c| country_name(c)).collect::<Vec<_>>().join(", "), s)?;
        text(ws, row, 9, &a.phases.iter().map(|p| labels.phase(p)).collect::<Vec<_>>().join(", "), s)?;
        text(ws, row, 10, &a.goals.iter().map(|g| labels.goal(g)).collect::<Vec<_>>().join(", "), s)?;
        if let Some(p) = a.participants {
            ws.write_number(row, 11, p as f64)?;
        }
        if let Some(c) = a.cost_eur {
            ws.write_number_with_format(row, 12, c, &s.euro)?;
        }
        text(ws, row, 13, if a.follow_up { "yes" } else { "no" }, s)?;
        ws.write_number(row, 14, a.responses as f64)?;
    }
    finish_table(ws, 0, row, 14)?;

    // Activities per phase, with a chart.
    let c = 16u16;
    ws.write_string_with_format(0, c, "Phase", &s.header)?;
    ws.write_string_with_format(0, c + 1, "Activities", &s.header)?;
    ws.set_column_width(c, 32.0)?;
    let by_phase = input.results.indicators.get("activities_total").and_then(|i| i.breakdowns.get("phase"));
    for (i, phase) in input.config.taxonomy.phases.iter().enumerate() {
        let r = i as u32 + 1;
        text(ws, r, c, &labels.phase(&phase.id), s)?;
        let n = by_phase.and_then(|g| g.get(&phase.id)).and_then(|g| g.value).map(Figure::as_f64).unwrap_or(0.0);
        ws.write_number(r, c + 1, n)?;
    }
    let phases = input.config.taxonomy.phases.len() as u32;
    if phases > 0 {
        let mut chart = Chart::new(ChartType::Column);
        chart.title().set_name("Activities per phase of the resettlement process");
        chart.add_series().set_name("Activities").set_categories(("Activities", 1, c, phases, c)).set_values((
            "Activities",
            1,
            c + 1,
            phases,
            c + 1,
        ));
        chart.legend().set_hidden();
        ws.insert_chart(phases + 2, c, &chart)?;
    }
    Ok(())
}

fn quality(ws: &mut Worksheet, input: &ReportInput, s: &Styles) -> Result<(), XlsxError> {
    header(
        ws,
        0,
        &["Severity", "Code", "File", "Sheet", "Row", "Column", "Value", "What to fix"],
        &[9.0, 18.0, 26.0, 18.0, 6.0, 24.0, 24.0, 90.0],
        s,
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
        if let Some(r) = issue.row {
            ws.write_number(row, 4, r as f64)?;
        }
        text(ws, row, 5, issue.column.as_deref().unwrap_or(""), s)?;
        text(ws, row, 6, issue.value.as_deref().unwrap_or(""), s)?;
        text(ws, row, 7, &view::plain_message(&issue.message), s)?;
    }
    if input.issues.is_empty() {
        text(ws, 1, 0, "No data issues: every row of every file was accepted.", s)?;
    }
    finish_table(ws, 0, row.max(1), 7)?;
    for (code, count) in per_code.iter().filter(|(_, n)| **n > ISSUES_PER_CODE) {
        row += 1;
        text(ws, row, 1, code, s)?;
        text(ws, row, 7, &format!("and {} more {code} issues — all are in run.json", count - ISSUES_PER_CODE), s)?;
    }
    // Rows accounted per file and sheet.
    let c = 9u16;
    for (i, (h, w)) in [
        ("File", 26.0),
        ("Sheet", 20.0),
        ("Dataset", 13.0),
        ("Read", 7.0),
        ("Accepted", 9.0),
        ("Rejected", 9.0),
        ("Skipped", 9.0),
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(0, c + i as u16, *h, &s.header)?;
        ws.set_column_width(c + i as u16, *w)?;
    }
    let mut r = 0;
    for file in input.files {
        if !file.readable {
            r += 1;
            text(ws, r, c, &file.path, s)?;
            text(ws, r, c + 1, "(unreadable)", s)?;
        }
        for sheet in &file.sheets {
            r += 1;
            text(ws, r, c, &file.path, s)?;
            text(ws, r, c + 1, &sheet.sheet, s)?;
            text(ws, r, c + 2, sheet.dataset.map(|d| d.as_str()).unwrap_or("(skipped)"), s)?;
            ws.write_number(r, c + 3, sheet.rows_read as f64)?;
            ws.write_number(r, c + 4, sheet.rows_accepted as f64)?;
            ws.write_number(r, c + 5, sheet.rows_rejected as f64)?;
            ws.write_number(r, c + 6, sheet.rows_skipped as f64)?;
        }
    }
    Ok(())
}

fn about(ws: &mut Worksheet, input: &ReportInput, s: &Styles) -> Result<(), XlsxError> {
    let period = &input.results.period;
    ws.write_string_with_format(0, 0, "About this workbook", &s.title)?;
    ws.set_column_width(0, 30.0)?;
    ws.set_column_width(1, 70.0)?;
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
        ws.write_string_with_format(r, 0, *key, &Format::new().set_bold())?;
        text(ws, r, 1, value, s)?;
    }
    let mut r = 2 + facts.len() as u32 + 1;
    header(ws, r, &["Input file", "SHA-256", "Read"], &[30.0, 70.0, 8.0], s)?;
    for file in input.files {
        r += 1;
        text(ws, r, 0, &file.path, s)?;
        text(ws, r, 1, &file.sha256, s)?;
        text(ws, r, 2, if file.readable { "yes" } else { "no" }, s)?;
    }
    r += 2;
    header(ws, r, &["Indicator", "Definition"], &[30.0, 70.0], s)?;
    for entry in catalog::CATALOG {
        r += 1;
        text(ws, r, 0, entry.label, s)?;
        ws.write_string_with_format(r, 1, entry.definition, &s.wrap)?;
    }
    r += 2;
    ws.write_string_with_format(r, 0, "Suppression rule", &Format::new().set_bold())?;
    ws.write_string_with_format(r, 1, super::suppression_rule(input.config.privacy.min_group_size), &s.wrap)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::needs_quote_prefix;

    #[test]
    fn risky_text_gets_a_quote_prefix() {
        for risky in ["=HYPERLINK(\"x\")", "+1-1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(needs_quote_prefix(risky), "{risky:?}");
        }
        for safe in ["Study visit", "1+1", "e-mail"] {
            assert!(!needs_quote_prefix(safe), "{safe:?}");
        }
    }
}
