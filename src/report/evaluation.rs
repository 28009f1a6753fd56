//! The sections a funder's evaluation adds (SPEC §13), as view models shared by
//! the HTML report and the workbook: who the report is for, results against
//! plan, the six criteria with the evaluator's words, follow-up outcomes by
//! horizon, and the pipeline of activities not (yet) delivered.

use serde::Serialize;

use super::narrative::{capitalised, Narrative};
use super::view::{empty_reason, format_figure, status_text, value_text};
use crate::config::{Config, Direction};
use crate::indicators::{Results, Status};
use crate::registry::{self, Breakdown, Unit};

/// Who the report is for and the date its figures speak for (SPEC §13.5).
#[derive(Debug, Clone, Serialize)]
pub struct Identity {
    pub programme: String,
    pub funder: String,
    pub grant: String,
    pub as_of: String,
    /// The project of a `--split-by project` report.
    pub project: String,
}

/// `[report]` keys; `as_of` defaults to the data's last activity end date, never the clock.
pub fn identity(config: &Config, results: &Results, project: Option<&str>) -> Identity {
    let as_of = config.report.as_of.or_else(|| results.activities.iter().map(|a| a.end).max());
    Identity {
        programme: config.report.programme.clone().unwrap_or_default(),
        funder: config.report.funder.clone().unwrap_or_default(),
        grant: config.report.grant.clone().unwrap_or_default(),
        as_of: as_of.map(|d| d.format("%-d %B %Y").to_string()).unwrap_or_default(),
        project: project.unwrap_or_default().to_string(),
    }
}

/// The status rule, in words, for the methodology sections.
pub fn status_rule() -> &'static str {
    "Status against a target: met when the value reaches the target (at least it, or at most it for targets \
     marked \"at most\"); near when it falls short by no more than the tolerance (default 10 % of the target, \
     or [targets.<id>] tolerance, in the indicator's unit); not met when it falls short by more; no data when \
     the indicator has no value. % of target is the value divided by the target; change from baseline is the \
     value minus the baseline."
}

/// The tracking table (SPEC §13.3).
#[derive(Debug, Clone, Serialize)]
pub struct Tracking {
    pub years: Vec<String>,
    pub rows: Vec<TrackingLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrackingLine {
    pub id: String,
    pub label: String,
    #[serde(skip)]
    pub unit: Unit,
    pub direction: &'static str,
    pub baseline: Option<f64>,
    pub target: f64,
    pub years: Vec<Option<f64>>,
    pub value: Option<f64>,
    pub percent_of_target: Option<f64>,
    pub change_from_baseline: Option<f64>,
    pub status: &'static str,
    pub status_key: &'static str,
}

impl TrackingLine {
    pub fn text(&self, value: Option<f64>) -> String {
        value.map_or_else(|| "–".to_string(), |v| format_figure(v, self.unit))
    }
}

pub fn tracking(results: &Results) -> Option<Tracking> {
    let rows = results.tracking.as_ref().filter(|rows| !rows.is_empty())?;
    let years: Vec<String> = rows.first().map(|r| r.years.keys().cloned().collect()).unwrap_or_default();
    let lines = rows
        .iter()
        .map(|row| {
            let entry = registry::entry(row.indicator);
            let indicator = &results.indicators[row.indicator];
            TrackingLine {
                id: row.indicator.to_string(),
                label: entry.label.to_string(),
                unit: entry.unit,
                direction: match row.direction {
                    Direction::AtLeast => "at least",
                    Direction::AtMost => "at most",
                },
                baseline: row.baseline,
                target: row.target,
                years: years.iter().map(|y| row.years.get(y).copied().flatten().map(|f| f.as_f64())).collect(),
                value: row.value.map(|f| f.as_f64()),
                percent_of_target: row.percent_of_target,
                change_from_baseline: indicator.change_from_baseline.flatten(),
                status: status_text(Some(row.status)),
                status_key: status_key(Some(row.status)),
            }
        })
        .collect();
    Some(Tracking { years, rows: lines })
}

pub fn status_key(status: Option<Status>) -> &'static str {
    match status {
        Some(Status::Met) => "met",
        Some(Status::Near) => "near",
        Some(Status::NotMet) => "not_met",
        Some(Status::NoData) => "no_data",
        None => "none",
    }
}

/// One OECD-DAC criterion: its indicators and the evaluator's words.
#[derive(Debug, Clone, Serialize)]
pub struct Criterion {
    pub id: &'static str,
    pub title: String,
    pub lines: Vec<CriterionLine>,
    /// Safe HTML from `narrative.md`.
    pub narrative: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CriterionLine {
    pub label: String,
    pub value: String,
    /// The figure as a number for the workbook, with its unit and, when empty, why.
    #[serde(skip)]
    pub number: Option<f64>,
    #[serde(skip)]
    pub unit: Unit,
    #[serde(skip)]
    pub empty_reason: String,
    #[serde(skip)]
    pub target_number: Option<f64>,
    pub n: usize,
    pub target: String,
    pub status: &'static str,
    pub status_key: &'static str,
}

pub fn criteria(results: &Results, config: &Config, narrative: &Narrative) -> Vec<Criterion> {
    let k = config.privacy.min_group_size;
    config
        .criteria_map()
        .into_iter()
        .map(|(id, indicators)| Criterion {
            id,
            title: capitalised(id),
            lines: indicators.iter().filter_map(|i| criterion_line(results, config, i, k)).collect(),
            narrative: narrative.section(id),
        })
        .collect()
}

fn criterion_line(results: &Results, config: &Config, id: &str, k: usize) -> Option<CriterionLine> {
    if let Some(item) = id.strip_prefix("likert.") {
        let label = config.likert.items.iter().find(|i| i.id == item).map(|i| i.label.clone())?;
        let stats = &results.likert.get(item)?.overall;
        let reason = if stats.mean.is_some() { String::new() } else { empty_reason(stats.suppressed, k) };
        let value = match stats.mean {
            Some(mean) => format!("{mean:.2} (mean)"),
            None => reason.clone(),
        };
        return Some(CriterionLine {
            label,
            value,
            number: stats.mean,
            unit: Unit::Score,
            empty_reason: reason,
            target_number: None,
            n: stats.n,
            target: String::new(),
            status: "",
            status_key: "none",
        });
    }
    let indicator = results.indicators.get(id)?;
    let entry = registry::entry(id);
    Some(CriterionLine {
        label: entry.label.to_string(),
        value: value_text(indicator.value, indicator.suppressed, entry.unit, k),
        number: indicator.value.map(|v| v.as_f64()),
        unit: entry.unit,
        empty_reason: match indicator.value {
            Some(_) => String::new(),
            None => empty_reason(indicator.suppressed, k),
        },
        target_number: indicator.target,
        n: indicator.n,
        target: indicator.target.map(|t| format_figure(t, entry.unit)).unwrap_or_default(),
        status: status_text(indicator.status),
        status_key: status_key(indicator.status),
    })
}

/// Follow-up outcomes by `months_after` horizon (Kirkpatrick level 3).
#[derive(Debug, Clone, Serialize)]
pub struct Horizon {
    pub horizon: &'static str,
    /// Applied learning, shared internally, further contact: (text, value, n).
    pub cells: Vec<HorizonCell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HorizonCell {
    pub text: String,
    pub value: Option<f64>,
    pub n: usize,
}

/// The follow-up indicators of the horizon table, in column order.
pub fn horizon_indicators() -> Vec<&'static str> {
    registry::from_source(registry::Source::FollowUps)
        .filter(|e| e.breakdowns.contains(&registry::Breakdown::MonthsAfter))
        .map(|e| e.id)
        .collect()
}

/// The four horizons, each with the three follow-up shares; empty without follow-ups.
pub fn horizons(results: &Results, k: usize) -> Vec<Horizon> {
    let rows: Vec<Horizon> = ["0-3", "4-6", "7-12", "13+"]
        .into_iter()
        .map(|horizon| Horizon {
            horizon,
            cells: horizon_indicators()
                .iter()
                .map(|id| {
                    let group = results
                        .indicators
                        .get(*id)
                        .and_then(|i| i.breakdowns.get(&Breakdown::MonthsAfter))
                        .and_then(|g| g.get(horizon));
                    match group {
                        Some(g) => HorizonCell {
                            text: value_text(g.value, g.suppressed, Unit::Share, k),
                            value: g.value.map(|v| v.as_f64()),
                            n: g.n,
                        },
                        None => HorizonCell { text: "no data".to_string(), value: None, n: 0 },
                    }
                })
                .collect(),
        })
        .collect();
    if rows.iter().all(|r| r.cells.iter().all(|c| c.n == 0)) {
        Vec::new()
    } else {
        rows
    }
}
