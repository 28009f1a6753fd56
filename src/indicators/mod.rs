//! Indicators of SPEC §6, computed from the typed records of one period.
//!
//! Each family is a pure function of the [`Population`]; [`compute`] runs the
//! families in parallel with `rayon::join` and merges them into [`Results`], which
//! is what `indicators.json` and the reports are written from.

pub mod activities;
pub mod alignment;
pub mod facts;
pub mod needs;
pub mod stats;
pub mod surveys;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::answers::Answers;
use crate::config::{Config, Direction};
use crate::model::{Activity, Dataset, Followup, Participant, Taxonomy};
use crate::period::Period;
use crate::registry::{self, Breakdown, Level};

pub use crate::registry::TREND_IDS;

/// A figure: a count (written as an integer) or a real number.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Figure {
    Count(u64),
    Real(f64),
}

impl Figure {
    pub fn as_f64(self) -> f64 {
        match self {
            Figure::Count(n) => n as f64,
            Figure::Real(x) => x,
        }
    }
}

/// A value over `n` units, before privacy rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Computed {
    pub value: Option<Figure>,
    pub n: usize,
}

impl Computed {
    pub fn real(value: Option<f64>, n: usize) -> Computed {
        Computed { value: value.filter(|v| v.is_finite()).map(Figure::Real), n }
    }

    pub fn count(value: u64, n: usize) -> Computed {
        Computed { value: Some(Figure::Count(value)), n }
    }

    pub fn none(n: usize) -> Computed {
        Computed { value: None, n }
    }
}

/// One breakdown group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub value: Option<Figure>,
    pub n: usize,
    pub suppressed: bool,
    /// Hidden only so that a suppressed neighbour cannot be derived by subtraction.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub secondary: bool,
}

/// Target status (SPEC §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Met,
    Near,
    NotMet,
    NoData,
}

/// An indicator's groups per breakdown.
pub type Breakdowns = BTreeMap<Breakdown, BTreeMap<String, Group>>;

/// One indicator as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    pub level: Level,
    pub value: Option<Figure>,
    pub n: usize,
    pub suppressed: bool,
    /// Why `value` is null: no data, or suppressed for privacy.
    pub reason: Option<String>,
    pub target: Option<f64>,
    pub status: Option<Status>,
    /// The target's direction, which says whether a change is better or worse.
    #[serde(skip)]
    pub direction: Option<Direction>,
    /// With a target (SPEC §13.3): the baseline, value / target and value − baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Option<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent_of_target: Option<Option<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_from_baseline: Option<Option<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci_low: Option<Option<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci_high: Option<Option<f64>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub breakdowns: Breakdowns,
    /// Computed from survey answers (subject to the privacy threshold).
    #[serde(skip)]
    pub survey: bool,
    /// The same indicator over the previous period (`--compare previous`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<Comparison>,
    /// value − previous value; `Some(None)` when either is null.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<Option<f64>>,
    /// The same indicator from the first activity to the end of the period (`--cumulative`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cumulative: Option<Comparison>,
}

/// An indicator's value over another period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub label: String,
    pub value: Option<Figure>,
    pub n: usize,
    pub suppressed: bool,
    /// Hidden so that a figure suppressed in the period cannot be worked out from it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub secondary: bool,
}

impl Comparison {
    fn of(label: &str, indicator: &Indicator) -> Comparison {
        Comparison {
            label: label.to_string(),
            value: indicator.value,
            n: indicator.n,
            suppressed: indicator.suppressed,
            secondary: false,
        }
    }
}

/// Add `previous` and `change` to every indicator of `current`.
pub fn attach_previous(current: &mut Results, previous: &Results) {
    for (id, indicator) in current.indicators.iter_mut() {
        let Some(before) = previous.indicators.get(id) else { continue };
        indicator.change = Some(match (indicator.value, before.value) {
            (Some(now), Some(then)) => Some(now.as_f64() - then.as_f64()),
            _ => None,
        });
        indicator.previous = Some(Comparison::of(&previous.period.label, before));
    }
}

/// Add `cumulative` to every indicator of `current`. With `secondary`
/// suppression, the cumulative figure of an indicator suppressed in the period is
/// hidden too: with the figure before the period it would give the period's away.
pub fn attach_cumulative(current: &mut Results, cumulative: &Results, secondary: bool) {
    for (id, indicator) in current.indicators.iter_mut() {
        if let Some(total) = cumulative.indicators.get(id) {
            let mut comparison = Comparison::of(&cumulative.period.label, total);
            if secondary && indicator.suppressed && comparison.value.is_some() {
                (comparison.value, comparison.suppressed, comparison.secondary) = (None, true, true);
            }
            indicator.cumulative = Some(comparison);
        }
    }
}

/// Headline indicators per quarter over the whole data; suppressed or missing values are gaps.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Trends {
    pub quarters: Vec<String>,
    pub series: BTreeMap<&'static str, Vec<Option<f64>>>,
}

/// Compute [`Trends`] from the first to the last quarter with an activity.
pub fn trends(data: &Dataset, config: &Config) -> Trends {
    use chrono::Datelike;
    let (Some(first), Some(last)) = (
        data.activities.iter().filter(|a| a.delivered()).map(|a| a.start).min(),
        data.activities.iter().filter(|a| a.delivered()).map(|a| a.start).max(),
    ) else {
        return Trends::default();
    };
    let mut quarters = Vec::new();
    let (mut year, mut q) = (first.year(), (first.month() - 1) / 3 + 1);
    let end = (last.year(), (last.month() - 1) / 3 + 1);
    while (year, q) <= end {
        quarters.push(Period::quarter(year, q));
        (year, q) = if q == 4 { (year + 1, 1) } else { (year, q + 1) };
    }
    // Records bucketed by the quarter of their activity in one pass, then only the
    // headline figures per quarter: no breakdowns, Likert section or matching.
    let quarter_index = |date: chrono::NaiveDate| {
        ((date.year() - first.year()) * 4 + ((date.month() - 1) / 3 + 1) as i32 - ((first.month() - 1) / 3 + 1) as i32)
            as usize
    };
    let of_activity: Vec<usize> = data.activities.iter().map(|a| quarter_index(a.start)).collect();
    let mut buckets: Vec<Population> = quarters
        .iter()
        .map(|_| Population {
            config,
            taxonomy: Taxonomy::from_config(config),
            data,
            activities: Vec::new(),
            pipeline: Vec::new(),
            answers: Answers::default(),
            participants: Vec::new(),
            followups: Vec::new(),
            headline_only: true,
        })
        .collect();
    for (activity, &q) in data.activities.iter().zip(&of_activity) {
        if activity.delivered() {
            buckets[q].activities.push(activity);
        } else {
            buckets[q].pipeline.push(activity);
        }
    }
    for bucket in &mut buckets {
        bucket.answers = Answers::total(bucket.activities.iter().map(|a| &a.survey.all));
    }
    let delivered = |index: usize| data.activities[index].delivered();
    for participant in data.participants.iter().filter(|p| delivered(p.activity)) {
        buckets[of_activity[participant.activity]].participants.push(participant);
    }
    for followup in data.followups.iter().filter(|f| delivered(f.activity)) {
        buckets[of_activity[followup.activity]].followups.push(followup);
    }
    use rayon::prelude::*;
    let results: Vec<BTreeMap<&'static str, Indicator>> = buckets
        .par_iter()
        .map(|pop| {
            let mut indicators = activities::indicators(pop);
            indicators.extend(surveys::indicators(pop).0);
            indicators
        })
        .collect();
    let series = TREND_IDS
        .iter()
        .map(|id| (*id, results.iter().map(|r| r.get(id).and_then(|i| i.value).map(Figure::as_f64)).collect()))
        .collect();
    Trends { quarters: quarters.into_iter().map(|p| p.label).collect(), series }
}

impl Indicator {
    /// An indicator with no privacy rule (activity register, attendance, needs).
    /// The published indicator `id` from its computed value: level, reason and the
    /// privacy rule (for survey figures) come from the registry.
    pub fn of(id: &str, computed: Computed, min_group: usize) -> Indicator {
        let entry = registry::entry(id);
        let mut indicator = Indicator {
            level: entry.level,
            value: computed.value,
            n: computed.n,
            suppressed: false,
            reason: computed.value.is_none().then(|| format!("no data: {}", entry.absent)),
            target: None,
            status: None,
            direction: None,
            baseline: None,
            percent_of_target: None,
            change_from_baseline: None,
            ci_low: None,
            ci_high: None,
            breakdowns: BTreeMap::new(),
            survey: entry.survey(),
            previous: None,
            change: None,
            cumulative: None,
        };
        if indicator.survey && is_small(computed.n, min_group) && computed.n > 0 {
            indicator.value = None;
            indicator.suppressed = true;
            indicator.reason = Some(suppression_reason(min_group));
        }
        indicator
    }
}

/// Whether a group of `n` answers is below the privacy threshold.
pub fn is_small(n: usize, min_group: usize) -> bool {
    min_group > 0 && n < min_group
}

pub fn suppression_reason(min_group: usize) -> String {
    format!("suppressed: fewer than {min_group} answers (privacy.min_group_size)")
}

/// A breakdown group from a computed value, with or without the privacy rule.
pub fn group(computed: Computed, survey_min_group: Option<usize>) -> Group {
    match survey_min_group {
        Some(k) if is_small(computed.n, k) && computed.n > 0 => {
            Group { value: None, n: computed.n, suppressed: true, secondary: false }
        }
        _ => Group { value: computed.value, n: computed.n, suppressed: false, secondary: false },
    }
}

/// Likert statistics of one item over one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LikertStats {
    pub n: usize,
    pub suppressed: bool,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub median: Option<f64>,
    /// Answers per level, keyed by the level's number as text (`"1"`…), as
    /// `indicators.json` writes it.
    pub distribution: Option<BTreeMap<&'static str, usize>>,
    pub top2: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

/// The levels' numbers as text, the keys of [`LikertStats::distribution`].
pub const LEVEL_NAMES: [&str; crate::answers::LIKERT_LEVELS] =
    ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"];

impl LikertStats {
    /// Answers at `level` (0 when hidden or none).
    pub fn count(&self, level: u8) -> usize {
        let name = LEVEL_NAMES.get(usize::from(level));
        self.distribution.as_ref().zip(name).and_then(|(d, name)| d.get(name)).copied().unwrap_or(0)
    }
}

/// The Likert section for one item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LikertItemResult {
    pub label: String,
    pub points: u8,
    pub overall: LikertStats,
    pub by_activity_type: BTreeMap<String, LikertStats>,
    /// Per activity, for the activity pages (not part of `indicators.json`).
    #[serde(skip)]
    pub by_activity: BTreeMap<String, LikertStats>,
}

/// Alignment of one activity (SPEC §6).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityAlignment {
    pub activity_id: String,
    pub score: Option<f64>,
    pub aligned: bool,
    pub no_stated_goal: bool,
    pub unsupported_goals: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlignmentSection {
    pub activities: Vec<ActivityAlignment>,
}

/// A suggested peer for an unmet need.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub country: String,
    pub score: f64,
    pub components: Components,
}

/// The four matching components of a suggestion, each in [0, 1] (SPEC §6). The
/// fields are in the order `indicators.json` has always written them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Components {
    pub governance: f64,
    pub relationship: f64,
    pub scale: f64,
    pub welfare: f64,
}

/// An unmet need and its suggested peers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeedMatches {
    pub country: String,
    pub phase: String,
    pub suggestions: Vec<Suggestion>,
}

/// One distinct need and whether the period's activities met it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeedStatus {
    pub country: String,
    pub phase: String,
    pub met: bool,
}

/// Everything computed for one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Results {
    pub schema_version: u32,
    pub period: Period,
    pub indicators: BTreeMap<&'static str, Indicator>,
    pub likert: BTreeMap<String, LikertItemResult>,
    pub alignment: AlignmentSection,
    pub phase_gaps: Vec<String>,
    pub needs: Vec<NeedStatus>,
    pub matches: Vec<NeedMatches>,
    /// The indicators that inform each OECD-DAC criterion (SPEC §13.4).
    pub criteria: BTreeMap<&'static str, Vec<String>>,
    /// Results against plan, year by year (filled by the run; SPEC §13.3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking: Option<Vec<TrackingRow>>,
    /// The period's activities not delivered, for the pipeline table (SPEC §13.2).
    #[serde(skip)]
    pub pipeline: Vec<facts::PipelineEntry>,
    /// Facts per activity of the period, for the reports (not in indicators.json).
    #[serde(skip)]
    pub activities: Vec<facts::ActivityFacts>,
    /// Headline indicators per quarter over all the data (filled by the run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trends: Option<Trends>,
}

/// The records of one period, with lookups the families share.
pub struct Population<'a> {
    pub config: &'a Config,
    pub taxonomy: Taxonomy,
    pub data: &'a Dataset,
    /// The delivered activities of the period: the only ones the figures count.
    pub activities: Vec<&'a Activity>,
    /// The period's activities that are planned, postponed or cancelled (SPEC §13.2).
    pub pipeline: Vec<&'a Activity>,
    /// The survey responses to those activities, counted.
    pub answers: Answers,
    pub participants: Vec<&'a Participant>,
    pub followups: Vec<&'a Followup>,
    /// Skip breakdowns and the Likert section (for trends).
    pub headline_only: bool,
}

impl<'a> Population<'a> {
    /// Delivered activities starting in the period; responses, attendance and
    /// follow-ups follow them.
    pub fn new(data: &'a Dataset, config: &'a Config, period: &Period) -> Population<'a> {
        let inside: Vec<bool> = data.activities.iter().map(|a| period.contains(a.start) && a.delivered()).collect();
        let activities: Vec<&Activity> =
            data.activities.iter().zip(&inside).filter(|(_, i)| **i).map(|(a, _)| a).collect();
        let pipeline = data.activities.iter().filter(|a| period.contains(a.start) && !a.delivered()).collect();
        Population {
            pipeline,
            config,
            taxonomy: Taxonomy::from_config(config),
            data,
            answers: Answers::total(activities.iter().map(|a| &a.survey.all)),
            participants: data.participants.iter().filter(|p| inside[p.activity]).collect(),
            followups: data.followups.iter().filter(|f| inside[f.activity]).collect(),
            activities,
            headline_only: false,
        }
    }

    /// The activity a linked record (response, attendance, follow-up) belongs to.
    pub fn activity(&self, index: usize) -> &'a Activity {
        &self.data.activities[index]
    }

    pub fn min_group(&self) -> usize {
        self.config.privacy.min_group_size
    }
}

/// Group items by keys (an item may fall in several groups, e.g. phases).
pub fn group_by<'a, T: ?Sized>(items: &[&'a T], keys: impl Fn(&T) -> Vec<String>) -> BTreeMap<String, Vec<&'a T>> {
    let mut groups: BTreeMap<String, Vec<&T>> = BTreeMap::new();
    for item in items {
        for key in keys(item) {
            groups.entry(key).or_default().push(*item);
        }
    }
    groups
}

/// Compute every indicator for the period.
pub fn compute(data: &Dataset, config: &Config, period: &Period) -> Results {
    compute_with(Population::new(data, config, period), period)
}

/// The indicators' values only, without breakdowns or the Likert section (for the
/// tracking table's years).
pub fn compute_values(data: &Dataset, config: &Config, period: &Period) -> Results {
    let mut pop = Population::new(data, config, period);
    pop.headline_only = true;
    compute_with(pop, period)
}

fn compute_with(pop: Population, period: &Period) -> Results {
    let config = pop.config;
    let ((mut indicators, survey), ((alignment, phase_gaps), (need_indicators, needs, matches))) = rayon::join(
        || rayon::join(|| activities::indicators(&pop), || surveys::indicators(&pop)),
        || rayon::join(|| alignment::section(&pop), || needs::section(&pop)),
    );
    let (survey_indicators, likert) = survey;
    indicators.extend(survey_indicators);
    indicators.extend(need_indicators);
    if config.privacy.secondary_suppression {
        for indicator in indicators.values_mut().filter(|i| i.survey && !i.suppressed) {
            for (breakdown, groups) in indicator.breakdowns.iter_mut() {
                if breakdown.partitions() {
                    secondary_suppression(groups);
                }
            }
        }
    }
    apply_targets(&mut indicators, config);
    let activities = facts::activities(&pop);
    Results {
        schema_version: 1,
        period: period.clone(),
        indicators,
        likert,
        alignment,
        phase_gaps,
        needs,
        matches,
        criteria: config.criteria_map().into_iter().collect(),
        tracking: None,
        pipeline: facts::pipeline(&pop),
        activities,
        trends: None,
    }
}

/// One row of the indicator performance tracking table (SPEC §13.3).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackingRow {
    pub indicator: &'static str,
    pub baseline: Option<f64>,
    pub target: f64,
    pub direction: Direction,
    /// The value of each calendar year of the period's data (`null` when none or suppressed).
    pub years: BTreeMap<String, Option<Figure>>,
    /// The value over the whole period.
    pub value: Option<Figure>,
    pub percent_of_target: Option<f64>,
    pub status: Status,
}

/// The tracking table: each indicator with a target, its value in each calendar
/// year of the period's delivered activities, and over the period.
pub fn tracking(data: &Dataset, config: &Config, period: &Period, results: &Results) -> Vec<TrackingRow> {
    use chrono::Datelike;
    let years: std::collections::BTreeSet<i32> =
        data.activities.iter().filter(|a| a.delivered() && period.contains(a.start)).map(|a| a.start.year()).collect();
    let by_year: Vec<(String, Results)> = years
        .iter()
        .map(|year| {
            let within = Period::year(*year).within(period);
            (year.to_string(), compute_values(data, config, &within))
        })
        .collect();
    config
        .targets
        .iter()
        .filter_map(|(id, target)| {
            let indicator = results.indicators.get(id.as_str())?;
            let id = *results.indicators.keys().find(|k| **k == id.as_str())?;
            Some(TrackingRow {
                indicator: id,
                baseline: target.baseline,
                target: target.target,
                direction: target.direction,
                years: by_year
                    .iter()
                    .map(|(year, r)| (year.clone(), r.indicators.get(id).and_then(|i| i.value)))
                    .collect(),
                value: indicator.value,
                percent_of_target: indicator.percent_of_target.flatten(),
                status: indicator.status.unwrap_or(Status::NoData),
            })
        })
        .collect()
}

/// When exactly one group is suppressed, also hide the smallest published group
/// (ties by key), so the hidden one cannot be derived from the total.
pub fn secondary_suppression(groups: &mut BTreeMap<String, Group>) {
    if let Some(key) = one_more_to_hide(groups, |g| g.suppressed, |g| g.n) {
        let group = groups.get_mut(&key).expect("key exists");
        group.value = None;
        group.suppressed = true;
        group.secondary = true;
    }
}

/// Secondary suppression's choice over a partition: when exactly one group is
/// hidden, the smallest published group (ties by key); otherwise none.
pub fn one_more_to_hide<T>(
    groups: &BTreeMap<String, T>,
    hidden: impl Fn(&T) -> bool,
    n: impl Fn(&T) -> usize,
) -> Option<String> {
    if groups.values().filter(|g| hidden(g)).count() != 1 {
        return None;
    }
    groups.iter().filter(|(_, g)| !hidden(g)).min_by_key(|(key, g)| (n(g), (*key).clone())).map(|(key, _)| key.clone())
}

/// Fill `target` and `status` from `[targets.<id>]`.
fn apply_targets(indicators: &mut BTreeMap<&'static str, Indicator>, config: &Config) {
    for (id, target) in &config.targets {
        let Some(indicator) = indicators.get_mut(id.as_str()) else { continue };
        let value = indicator.value.map(Figure::as_f64);
        indicator.target = Some(target.target);
        indicator.direction = Some(target.direction);
        indicator.status = Some(status(value, target.target, target.direction, target.tolerance));
        indicator.baseline = Some(target.baseline);
        indicator.percent_of_target = Some(value.filter(|_| target.target != 0.0).map(|v| v / target.target));
        indicator.change_from_baseline = Some(value.zip(target.baseline).map(|(v, b)| v - b));
    }
}

/// met / near (within tolerance, default 10 % of the target) / not_met / no_data.
pub fn status(value: Option<f64>, target: f64, direction: Direction, tolerance: Option<f64>) -> Status {
    let Some(value) = value else { return Status::NoData };
    let tolerance = tolerance.unwrap_or(0.1 * target.abs());
    let (met, near) = match direction {
        Direction::AtLeast => (value >= target, value >= target - tolerance),
        Direction::AtMost => (value <= target, value <= target + tolerance),
    };
    if met {
        Status::Met
    } else if near {
        Status::Near
    } else {
        Status::NotMet
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_status_both_directions() {
        assert_eq!(status(Some(0.8), 0.8, Direction::AtLeast, None), Status::Met);
        // Default tolerance is 10 % of 0.8 = 0.08: 0.72 is near, 0.71 not.
        assert_eq!(status(Some(0.75), 0.8, Direction::AtLeast, None), Status::Near);
        assert_eq!(status(Some(0.71), 0.8, Direction::AtLeast, None), Status::NotMet);
        assert_eq!(status(Some(0.75), 0.8, Direction::AtLeast, Some(0.01)), Status::NotMet);
        assert_eq!(status(Some(1000.0), 1000.0, Direction::AtMost, None), Status::Met);
        assert_eq!(status(Some(1050.0), 1000.0, Direction::AtMost, None), Status::Near);
        assert_eq!(status(Some(1200.0), 1000.0, Direction::AtMost, None), Status::NotMet);
        assert_eq!(status(None, 0.8, Direction::AtLeast, None), Status::NoData);
    }

    #[test]
    fn secondary_suppression_hides_the_smallest_neighbour_of_a_lone_hidden_group() {
        let shown = |v: f64, n| Group { value: Some(Figure::Real(v)), n, suppressed: false, secondary: false };
        let hidden = |n| Group { value: None, n, suppressed: true, secondary: false };
        // Total 0.6 over 20 = a (0.5 × 10) + b (0.8 × 7) + c (hidden, 3): c = 12 − 5 − 5.6.
        let mut groups = BTreeMap::from([
            ("a".to_string(), shown(0.5, 10)),
            ("b".to_string(), shown(0.8, 7)),
            ("c".to_string(), hidden(3)),
        ]);
        secondary_suppression(&mut groups);
        assert!(groups["b"].suppressed && groups["b"].secondary && groups["b"].value.is_none());
        assert!(!groups["a"].suppressed);
        // Two hidden groups already protect each other.
        let mut two = BTreeMap::from([
            ("a".to_string(), shown(0.5, 10)),
            ("b".to_string(), hidden(2)),
            ("c".to_string(), hidden(3)),
        ]);
        secondary_suppression(&mut two);
        assert!(!two["a"].suppressed);
    }

    #[test]
    fn suppression_at_exactly_the_threshold() {
        assert!(is_small(4, 5));
        assert!(!is_small(5, 5));
        assert!(!is_small(1, 0));
        assert_eq!(
            group(Computed::real(Some(0.5), 4), Some(5)),
            Group { value: None, n: 4, suppressed: true, secondary: false }
        );
        assert_eq!(
            group(Computed::real(Some(0.5), 5), Some(5)),
            Group { value: Some(Figure::Real(0.5)), n: 5, suppressed: false, secondary: false }
        );
        assert!(!group(Computed::real(Some(0.5), 4), None).suppressed);
    }
}
