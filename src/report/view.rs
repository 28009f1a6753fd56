//! The display model shared by the workbook and the HTML report: labels instead of
//! ids, figures formatted for people, and the key findings written as sentences.
//!
//! Built only from computed [`Results`], the run's file accounting and issues, and
//! the configuration's labels: never from raw inputs.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::Config;
use crate::indicators::{Figure, Indicator, Results, Status};
use crate::ingest::InputFile;
use crate::quality::{Issue, IssueCounts};
use crate::registry::{self, Breakdown, Unit};
pub use crate::text::country_name;

/// Id → label lookups from the configuration.
#[derive(Debug, Clone, Default)]
pub struct Labels {
    pub phases: BTreeMap<String, String>,
    pub goals: BTreeMap<String, String>,
    pub types: BTreeMap<String, String>,
    pub categories: BTreeMap<String, String>,
    pub items: BTreeMap<String, String>,
}

impl Labels {
    pub fn new(config: &Config) -> Labels {
        let tax = &config.taxonomy;
        Labels {
            phases: tax.phases.iter().map(|p| (p.id.clone(), format!("{}. {}", p.number, p.label))).collect(),
            goals: tax.goals.iter().map(|g| (g.id.clone(), g.label.clone())).collect(),
            types: tax.activity_types.iter().map(|t| (t.id.clone(), t.label.clone())).collect(),
            categories: tax.categories.iter().map(|c| (c.id.clone(), c.label.clone())).collect(),
            items: config.likert.items.iter().map(|i| (i.id.clone(), i.label.clone())).collect(),
        }
    }

    pub fn phase(&self, id: &str) -> String {
        self.phases.get(id).cloned().unwrap_or_else(|| id.to_string())
    }
    pub fn goal(&self, id: &str) -> String {
        self.goals.get(id).cloned().unwrap_or_else(|| id.to_string())
    }
    pub fn kind(&self, id: &str) -> String {
        self.types.get(id).cloned().unwrap_or_else(|| id.to_string())
    }
    /// `in_person` → `In person`.
    pub fn format(&self, id: &str) -> String {
        let words = id.replace('_', " ");
        let mut chars = words.chars();
        chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
    }
    /// A breakdown group's name for people: labels for taxonomy ids, country names.
    pub fn group(&self, breakdown: Breakdown, key: &str) -> String {
        match breakdown {
            Breakdown::ActivityType => self.kind(key),
            Breakdown::Phase => self.phase(key),
            Breakdown::Goal => self.goal(key),
            Breakdown::Format
            | Breakdown::RespondentExperience
            | Breakdown::RespondentOrgType
            | Breakdown::RespondentRoleLevel => self.format(key),
            Breakdown::RespondentCountry => format!("{} ({key})", country_name(key)),
            Breakdown::MonthsAfter => horizon_label(key),
            Breakdown::Activity | Breakdown::Quarter => key.to_string(),
        }
    }
}

/// `0-3` → `0–3 months`.
pub fn horizon_label(horizon: &str) -> String {
    format!("{} months", horizon.replace('-', "–"))
}

/// A figure as text in its unit: `76.9 %`, `1,234`, `€2,514`, `4.05`, `+4`.
pub fn format_figure(value: f64, unit: Unit) -> String {
    match unit {
        Unit::Count => thousands(value.round() as i64),
        Unit::Share => format!("{:.1} %", value * 100.0),
        Unit::Euro => format!("€{}", thousands(value.round() as i64)),
        Unit::Score => format!("{value:.2}"),
        Unit::Nps => format!("{:+.0}", value),
    }
}

fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 {
        format!("−{out}")
    } else {
        out
    }
}

/// The published text of an indicator or group value.
pub fn value_text(value: Option<Figure>, suppressed: bool, unit: Unit, min_group: usize) -> String {
    match value {
        Some(v) => format_figure(v.as_f64(), unit),
        None => empty_reason(suppressed, min_group),
    }
}

/// Why a breakdown group's figure is not published.
pub fn group_reason(group: &crate::indicators::Group, min_group: usize) -> String {
    if group.secondary {
        "hidden so that a smaller group cannot be worked out from the total".to_string()
    } else {
        empty_reason(group.suppressed, min_group)
    }
}

/// Why a figure is not published: too few responses, or no data.
pub fn empty_reason(suppressed: bool, min_group: usize) -> String {
    if suppressed {
        format!("fewer than {min_group} responses")
    } else {
        "no data".to_string()
    }
}

pub fn status_text(status: Option<Status>) -> &'static str {
    match status {
        Some(Status::Met) => "met",
        Some(Status::Near) => "near",
        Some(Status::NotMet) => "not met",
        Some(Status::NoData) => "no data",
        None => "",
    }
}

/// One row of an indicator table.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorRow {
    pub id: String,
    pub label: String,
    pub level: String,
    pub value: String,
    pub n: usize,
    pub target: String,
    pub status: String,
    /// CSS class / status key: met, near, not_met, no_data or none.
    pub status_key: String,
    pub definition: String,
    /// Previous period's value, change with an arrow, cumulative value ("" when not asked).
    pub previous: String,
    pub change: String,
    pub cumulative: String,
}

pub fn indicator_row(id: &str, indicator: &Indicator, min_group: usize) -> IndicatorRow {
    let entry = registry::entry(id);
    IndicatorRow {
        id: id.to_string(),
        label: entry.label.to_string(),
        level: indicator.level.as_str().to_string(),
        value: value_text(indicator.value, indicator.suppressed, entry.unit, min_group),
        n: indicator.n,
        target: indicator.target.map(|t| format_figure(t, entry.unit)).unwrap_or_default(),
        status: status_text(indicator.status).to_string(),
        status_key: match indicator.status {
            Some(Status::Met) => "met",
            Some(Status::Near) => "near",
            Some(Status::NotMet) => "not_met",
            Some(Status::NoData) => "no_data",
            None => "none",
        }
        .to_string(),
        definition: entry.definition.to_string(),
        previous: indicator
            .previous
            .as_ref()
            .map(|p| value_text(p.value, p.suppressed, entry.unit, min_group))
            .unwrap_or_default(),
        change: indicator
            .change
            .map(|c| format!("{}{}", change_text(c, entry.unit), judgement(c, indicator.direction)))
            .unwrap_or_default(),
        cumulative: indicator
            .cumulative
            .as_ref()
            .map(|c| value_text(c.value, c.suppressed, entry.unit, min_group))
            .unwrap_or_default(),
    }
}

/// `▲ +3.2 pts`, `▼ −2`, `= 0`, or `–` when either value is missing.
/// A data-quality message for people: `quoted` values in typographic quotes
/// instead of Markdown backticks (run.json keeps the backticks).
pub fn plain_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len() + 8);
    for (i, part) in message.split('`').enumerate() {
        if i > 0 {
            out.push(if i % 2 == 1 { '“' } else { '”' });
        }
        out.push_str(part);
    }
    out
}

/// Whether a change is for the better, by the target's direction (SPEC §13.3);
/// nothing where there is no target.
pub fn judgement(change: Option<f64>, direction: Option<crate::config::Direction>) -> &'static str {
    use crate::config::Direction;
    match (change, direction) {
        (Some(c), Some(Direction::AtLeast)) if c > 0.0 => " (better)",
        (Some(c), Some(Direction::AtLeast)) if c < 0.0 => " (worse)",
        (Some(c), Some(Direction::AtMost)) if c < 0.0 => " (better)",
        (Some(c), Some(Direction::AtMost)) if c > 0.0 => " (worse)",
        _ => "",
    }
}

pub fn change_text(change: Option<f64>, unit: Unit) -> String {
    let Some(c) = change else { return "–".to_string() };
    let arrow = if c > 0.0 {
        "▲"
    } else if c < 0.0 {
        "▼"
    } else {
        "="
    };
    let amount = match unit {
        Unit::Share => format!("{:+.1} pts", c * 100.0),
        Unit::Score => format!("{c:+.2}"),
        Unit::Euro => format!("{}€{}", if c < 0.0 { "−" } else { "+" }, thousands(c.abs().round() as i64)),
        Unit::Count | Unit::Nps => format!("{c:+.0}"),
    };
    format!("{arrow} {amount}")
}

/// Key findings, written as sentences from the figures.
pub fn findings(results: &Results, labels: &Labels, min_group: usize) -> Vec<String> {
    let mut out = Vec::new();
    let ind = &results.indicators;
    let get = |id: &str| ind.get(id).and_then(|i| i.value).map(Figure::as_f64);
    if let Some(n) = get("activities_total") {
        let countries =
            get("countries_reached").map(|c| format!(" and reached {} countries", c as u64)).unwrap_or_default();
        let people = get("participants_total")
            .map(|p| format!(" with {} participants", thousands(p as i64)))
            .unwrap_or_default();
        out.push(format!("The programme ran {} activities{people}{countries}.", n as u64));
    }
    if results.phase_gaps.is_empty() {
        out.push("Every phase of the resettlement process had at least one activity.".to_string());
    } else {
        let gaps: Vec<String> = results.phase_gaps.iter().map(|p| labels.phase(p)).collect();
        out.push(format!("No activity covered {}.", join_and(&gaps)));
    }
    if let Some(rate) = ind.get("goal_alignment_rate") {
        if let Some(v) = rate.value {
            out.push(format!(
                "{} of activities were fully aligned with their stated goals (MPI Table C-1).",
                format_figure(v.as_f64(), Unit::Share)
            ));
        }
        if let Some(goals) = rate.breakdowns.get(&Breakdown::Goal) {
            let weak: Vec<String> = goals
                .iter()
                .filter(|(_, g)| g.value.map(Figure::as_f64) == Some(0.0))
                .map(|(goal, _)| labels.goal(goal))
                .collect();
            if !weak.is_empty() {
                out.push(format!("No activity declaring the goal {} was of a type that supports it.", join_and(&weak)));
            }
        }
    }
    let top2 = ind.get("satisfaction_top2");
    match top2 {
        Some(i) if i.value.is_some() => {
            let v = i.value.map(Figure::as_f64).unwrap_or(0.0);
            let interval = match (i.ci_low.flatten(), i.ci_high.flatten()) {
                (Some(l), Some(h)) => {
                    format!(" (95 % interval {}–{})", format_figure(l, Unit::Share), format_figure(h, Unit::Share))
                }
                _ => String::new(),
            };
            let target = match (i.target, i.status) {
                (Some(t), Some(s)) => {
                    format!("; the target of {} is {}", format_figure(t, Unit::Share), status_text(Some(s)))
                }
                _ => String::new(),
            };
            out.push(format!(
                "{} of {} respondents were satisfied{interval}{target}.",
                format_figure(v, Unit::Share),
                i.n
            ));
        }
        Some(i) if i.suppressed => {
            out.push(format!("Satisfaction is not published: fewer than {min_group} responses."))
        }
        _ => {}
    }
    if let Some(v) = get("needs_met_rate") {
        let unmet = results.needs.iter().filter(|n| !n.met).count();
        out.push(format!(
            "{} of the needs countries expressed were met by an activity; {unmet} remain open, each with suggested peers below.",
            format_figure(v, Unit::Share)
        ));
    }
    out
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Data-quality summary shown in reports.
#[derive(Debug, Clone, Serialize)]
pub struct Quality {
    pub files: usize,
    pub rows_read: usize,
    pub rows_accepted: usize,
    pub rows_rejected: usize,
    pub rows_skipped: usize,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

pub fn quality(files: &[InputFile], issues: &[Issue]) -> Quality {
    let counts = IssueCounts::of(issues);
    let sheets = files.iter().flat_map(|f| &f.sheets);
    let (mut read, mut accepted, mut rejected, mut skipped) = (0, 0, 0, 0);
    for sheet in sheets {
        read += sheet.rows_read;
        accepted += sheet.rows_accepted;
        rejected += sheet.rows_rejected;
        skipped += sheet.rows_skipped;
    }
    Quality {
        files: files.len(),
        rows_read: read,
        rows_accepted: accepted,
        rows_rejected: rejected,
        rows_skipped: skipped,
        errors: counts.error,
        warnings: counts.warning,
        notes: counts.info,
    }
}

/// First and last day of the period's data, as `9 Nov 2016 – 23 Jun 2020`.
pub fn data_span(results: &Results) -> String {
    let first = results.activities.iter().map(|a| a.start).min();
    let last = results.activities.iter().map(|a| a.end).max();
    match (first, last) {
        (Some(a), Some(b)) => format!("{} – {}", a.format("%-d %b %Y"), b.format("%-d %b %Y")),
        _ => "no activities".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_formatted_for_people() {
        assert_eq!(format_figure(0.7692307, Unit::Share), "76.9 %");
        assert_eq!(format_figure(924101.0, Unit::Euro), "€924,101");
        assert_eq!(format_figure(313.0, Unit::Count), "313");
        assert_eq!(format_figure(4.316, Unit::Nps), "+4");
        assert_eq!(format_figure(-12.0, Unit::Nps), "-12");
        assert_eq!(value_text(None, true, Unit::Share, 5), "fewer than 5 responses");
        assert_eq!(value_text(None, false, Unit::Share, 5), "no data");
    }

    #[test]
    fn messages_lose_their_backticks() {
        assert_eq!(plain_message("`6` is not an answer on the 1–5 scale"), "“6” is not an answer on the 1–5 scale");
        assert_eq!(plain_message("no quotes"), "no quotes");
    }

    #[test]
    fn changes_carry_an_arrow() {
        assert_eq!(change_text(Some(0.032), Unit::Share), "▲ +3.2 pts");
        assert_eq!(change_text(Some(-2.0), Unit::Count), "▼ -2");
        assert_eq!(change_text(Some(0.0), Unit::Count), "= +0");
        assert_eq!(change_text(None, Unit::Share), "–");
        use crate::config::Direction;
        assert_eq!(judgement(Some(0.1), Some(Direction::AtLeast)), " (better)");
        assert_eq!(judgement(Some(0.1), Some(Direction::AtMost)), " (worse)");
        assert_eq!(judgement(Some(-3.0), Some(Direction::AtMost)), " (better)");
        assert_eq!(judgement(Some(0.1), None), "");
        assert_eq!(judgement(Some(0.0), Some(Direction::AtLeast)), "");
    }

    #[test]
    fn country_names() {
        assert_eq!(country_name("NL"), "Netherlands");
        assert_eq!(country_name("GB"), "United Kingdom");
        assert_eq!(country_name("IOM"), "IOM");
    }

    #[test]
    fn lists_join_with_and() {
        assert_eq!(join_and(&["a".into(), "b".into(), "c".into()]), "a, b and c");
        assert_eq!(join_and(&["a".into()]), "a");
    }
}
