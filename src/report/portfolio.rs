//! The portfolio deliverables (`peer-eval portfolio`): `portfolio.json`,
//! `portfolio.xlsx` and `portfolio.html`, written from each programme's computed
//! [`Results`] and those of the pooled records. Every figure is as the indicator
//! code published it: a survey figure over fewer than `privacy.min_group_size`
//! answers is empty, with the reason beside it.

use std::collections::BTreeMap;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};
use serde::Serialize;

use super::html::Engine;
use super::json::to_sorted_json;
use super::view::{indicator_row, value_text, IndicatorRow};
use super::xlsx::{figure, indicator_note, number, print_setup, status_formats, text, List, Styles, NOTE_WIDTH};
use crate::config::Config;
use crate::indicators::{Figure, Indicator, Results, Status};
use crate::registry::{self, HEADLINE};

/// One programme's figures.
#[derive(Debug, Clone)]
pub struct ProgrammeFigures {
    pub name: String,
    pub period: String,
    /// The export folder read.
    pub source: String,
    /// Activity records (any status) and survey responses in the export.
    pub activities: usize,
    pub responses: usize,
    /// The export's data issues by severity.
    pub issues: BTreeMap<String, usize>,
    pub results: Results,
}

/// Everything the portfolio is written from.
pub struct PortfolioInput<'a> {
    pub config: &'a Config,
    pub programmes: &'a [ProgrammeFigures],
    pub pooled: &'a Results,
    /// What pooling had to decide (shared activity ids…).
    pub notes: &'a [String],
    pub engine: &'a Engine,
}

/// A headline indicator in `portfolio.json`.
#[derive(Debug, Clone, Serialize)]
struct Headline<'a> {
    value: Option<Figure>,
    n: usize,
    suppressed: bool,
    reason: Option<&'a str>,
    target: Option<f64>,
    status: Option<Status>,
}

#[derive(Debug, Clone, Serialize)]
struct ProgrammeJson<'a> {
    programme: &'a str,
    period: &'a str,
    source: &'a str,
    activities: usize,
    responses: usize,
    issue_counts: &'a BTreeMap<String, usize>,
    headline: BTreeMap<&'static str, Headline<'a>>,
}

#[derive(Debug, Clone, Serialize)]
struct PortfolioJson<'a> {
    schema_version: u32,
    programmes: Vec<ProgrammeJson<'a>>,
    /// The `indicators.json` contract over the pooled records.
    pooled: &'a Results,
    notes: &'a [String],
}

fn headline(results: &Results) -> BTreeMap<&'static str, Headline<'_>> {
    HEADLINE
        .iter()
        .filter_map(|id| results.indicators.get(id).map(|i| (*id, i)))
        .map(|(id, i)| {
            let figure = Headline {
                value: i.value,
                n: i.n,
                suppressed: i.suppressed,
                reason: i.reason.as_deref(),
                target: i.target,
                status: i.status,
            };
            (id, figure)
        })
        .collect()
}

/// `portfolio.json`: each programme's headline indicators with n, target and
/// status, and the pooled figures in the `indicators.json` contract.
pub fn json(input: &PortfolioInput) -> Vec<u8> {
    let programmes = input
        .programmes
        .iter()
        .map(|p| ProgrammeJson {
            programme: &p.name,
            period: &p.period,
            source: &p.source,
            activities: p.activities,
            responses: p.responses,
            issue_counts: &p.issues,
            headline: headline(&p.results),
        })
        .collect();
    to_sorted_json(&PortfolioJson { schema_version: 1, programmes, pooled: input.pooled, notes: input.notes })
}

/// The name the pooled figures go by in the reports.
pub const POOLED: &str = "All programmes (pooled)";

/// `portfolio.xlsx`: the programmes side by side, their headline figures one per
/// row, the pooled indicators, and the data issues per programme.
///
/// # Errors
/// rust_xlsxwriter failures (a bug, not a data problem).
pub fn workbook(input: &PortfolioInput) -> Result<Vec<u8>, XlsxError> {
    let s = Styles::new();
    let k = input.config.privacy.min_group_size;
    let mut wb = Workbook::new();
    // A fixed date, so that reruns are byte-identical.
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(&DocProperties::new().set_title("Portfolio").set_creation_datetime(&created));
    let footer = "&LPortfolio&RPage &P of &N";
    let rows: Vec<(&str, &str, &Results)> = input
        .programmes
        .iter()
        .map(|p| (p.name.as_str(), p.period.as_str(), &p.results))
        .chain([(POOLED, "", input.pooled)])
        .collect();

    let ws = wb.add_worksheet().set_name("Side by side")?;
    print_setup(ws, footer)?;
    let mut columns: Vec<(String, f64)> = vec![("Programme".into(), 28.0), ("Period".into(), 10.0)];
    columns.extend(HEADLINE.iter().map(|id| (registry::entry(id).short.to_string(), 12.0)));
    columns.push(("Note".into(), NOTE_WIDTH));
    let list = List::new(ws, "SideBySide", 0, 0, &columns)?;
    // Short names of up to two lines (`Cost per participant`).
    ws.set_row_height(0, 30.0)?;
    for (r, (name, period, results)) in rows.iter().enumerate() {
        let row = r as u32 + 1;
        text(ws, row, 0, name, &s)?;
        text(ws, row, 1, period, &s)?;
        let mut empty = Vec::new();
        for (c, id) in HEADLINE.iter().enumerate() {
            let entry = registry::entry(id);
            let indicator = results.indicators.get(id);
            figure(ws, row, 2 + c as u16, indicator.and_then(|i| i.value), entry.unit, &s)?;
            if let Some(i) = indicator.filter(|i| i.value.is_none()) {
                empty.push(format!("{}: {}", entry.short, indicator_note(i, k)));
            }
        }
        text(ws, row, 2 + HEADLINE.len() as u16, &empty.join("; "), &s)?;
    }
    list.close(ws, rows.len() as u32, &s)?;

    let ws = wb.add_worksheet().set_name("Programmes")?;
    print_setup(ws, footer)?;
    let columns: Vec<(&str, f64)> = [("Programme", 28.0), ("Period", 10.0)].into_iter().chain(FIGURE_COLUMNS).collect();
    let list = List::new(ws, "ProgrammeFigures", 0, 0, &columns)?;
    let mut row = 0;
    for (name, period, results) in &rows {
        for id in HEADLINE {
            let Some(indicator) = results.indicators.get(id) else { continue };
            row += 1;
            text(ws, row, 0, name, &s)?;
            text(ws, row, 1, period, &s)?;
            figure_row(ws, row, 2, id, indicator, k, &s)?;
        }
    }
    status_formats(ws, 1, row, 6, &s)?;
    list.close(ws, row, &s)?;

    let ws = wb.add_worksheet().set_name("Pooled")?;
    print_setup(ws, footer)?;
    let columns: Vec<(&str, f64)> = FIGURE_COLUMNS.into_iter().chain([("Definition", 50.0)]).collect();
    let list = List::new(ws, "Pooled", 0, 0, &columns)?;
    let mut row = 0;
    for entry in &registry::CATALOG {
        let Some(indicator) = input.pooled.indicators.get(entry.id) else { continue };
        row += 1;
        figure_row(ws, row, 0, entry.id, indicator, k, &s)?;
        text(ws, row, 6, entry.definition, &s)?;
    }
    status_formats(ws, 1, row, 4, &s)?;
    list.close(ws, row, &s)?;

    let ws = wb.add_worksheet().set_name("Data quality")?;
    print_setup(ws, footer)?;
    let columns = [
        ("Programme", 28.0),
        ("Period", 10.0),
        ("Activities", 11.0),
        ("Responses", 11.0),
        ("Errors", 9.0),
        ("Warnings", 9.0),
        ("Notes", 9.0),
        ("Export folder", 50.0),
    ];
    let list = List::new(ws, "DataQuality", 0, 0, &columns)?;
    for (r, p) in input.programmes.iter().enumerate() {
        let row = r as u32 + 1;
        text(ws, row, 0, &p.name, &s)?;
        text(ws, row, 1, &p.period, &s)?;
        number(ws, row, 2, Some(p.activities as f64), &s.count)?;
        number(ws, row, 3, Some(p.responses as f64), &s.count)?;
        for (c, severity) in ["error", "warning", "info"].iter().enumerate() {
            let count = p.issues.get(*severity).copied().unwrap_or(0);
            number(ws, row, 4 + c as u16, Some(count as f64), &s.count)?;
        }
        text(ws, row, 7, &p.source, &s)?;
    }
    list.close(ws, input.programmes.len() as u32, &s)?;
    for (row, note) in (input.programmes.len() as u32 + 2..).zip(input.notes) {
        text(ws, row, 0, note, &s)?;
    }
    wb.save_to_buffer()
}

/// The columns [`figure_row`] writes, with their widths.
const FIGURE_COLUMNS: [(&str, f64); 6] =
    [("Indicator", 32.0), ("Value", 12.0), ("n", 7.0), ("Target", 10.0), ("Status", 9.0), ("Note", NOTE_WIDTH)];

/// Indicator, value, n, target, status and note from column `col` on.
fn figure_row(
    ws: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    id: &str,
    indicator: &Indicator,
    k: usize,
    s: &Styles,
) -> Result<(), XlsxError> {
    let entry = registry::entry(id);
    text(ws, row, col, entry.label, s)?;
    figure(ws, row, col + 1, indicator.value, entry.unit, s)?;
    number(ws, row, col + 2, Some(indicator.n as f64), &s.count)?;
    number(ws, row, col + 3, indicator.target, s.unit(entry.unit))?;
    text(ws, row, col + 4, super::view::status_text(indicator.status), s)?;
    text(ws, row, col + 5, &indicator_note(indicator, k), s)?;
    Ok(())
}

#[derive(Serialize)]
struct Cell {
    value: String,
    n: String,
    status: &'static str,
    status_key: &'static str,
}

#[derive(Serialize)]
struct Line {
    name: String,
    period: String,
    pooled: bool,
    cells: Vec<Cell>,
}

#[derive(Serialize)]
struct Quality {
    name: String,
    period: String,
    activities: usize,
    responses: usize,
    errors: usize,
    warnings: usize,
    notes: usize,
    source: String,
}

#[derive(Serialize)]
struct Page<'a> {
    title: String,
    version: &'static str,
    programmes: usize,
    headers: Vec<&'static str>,
    lines: Vec<Line>,
    pooled: Vec<IndicatorRow>,
    quality: Vec<Quality>,
    notes: &'a [String],
    suppression: String,
}

/// `portfolio.html`: a self-contained page (the run's style sheet, no script).
///
/// # Errors
/// The portfolio template fails to render.
pub fn html(input: &PortfolioInput) -> Result<Vec<u8>, super::html::TemplateError> {
    let k = input.config.privacy.min_group_size;
    let line = |name: &str, period: &str, results: &Results, pooled: bool| Line {
        name: name.to_string(),
        period: period.to_string(),
        pooled,
        cells: HEADLINE
            .iter()
            .map(|id| {
                let entry = registry::entry(id);
                let indicator = results.indicators.get(id);
                Cell {
                    value: indicator
                        .map(|i| value_text(i.value, i.suppressed, entry.unit, k))
                        .unwrap_or_else(|| "no data".into()),
                    n: super::view::format_figure(indicator.map_or(0, |i| i.n) as f64, registry::Unit::Count),
                    status: super::view::status_text(indicator.and_then(|i| i.status)),
                    status_key: super::evaluation::status_key(indicator.and_then(|i| i.status)),
                }
            })
            .collect(),
    };
    let mut lines: Vec<Line> = input.programmes.iter().map(|p| line(&p.name, &p.period, &p.results, false)).collect();
    lines.push(line(POOLED, "", input.pooled, true));
    let page = Page {
        title: format!("{} — portfolio", input.config.report.title),
        version: env!("CARGO_PKG_VERSION"),
        programmes: input.programmes.len(),
        headers: HEADLINE.iter().map(|id| registry::entry(id).short).collect(),
        lines,
        pooled: registry::CATALOG
            .iter()
            .filter_map(|e| input.pooled.indicators.get(e.id).map(|i| indicator_row(e.id, i, k)))
            .collect(),
        quality: input
            .programmes
            .iter()
            .map(|p| Quality {
                name: p.name.clone(),
                period: p.period.clone(),
                activities: p.activities,
                responses: p.responses,
                errors: p.issues.get("error").copied().unwrap_or(0),
                warnings: p.issues.get("warning").copied().unwrap_or(0),
                notes: p.issues.get("info").copied().unwrap_or(0),
                source: p.source.clone(),
            })
            .collect(),
        notes: input.notes,
        suppression: super::suppression_rule(k),
    };
    input.engine.page("portfolio", &page).map(String::into_bytes)
}
