//! Indicators over the activity register: outputs (counts, participants, cost,
//! follow-up) and the alignment rates, with breakdowns by activity type and phase.

use std::collections::{BTreeMap, BTreeSet};

use super::stats::share;
use super::{group, group_by, Computed, Indicator, Population};
use crate::model::{Activity, ActivityStatus};

type Calc = fn(&[&Activity], &Population) -> Computed;

/// Every activity-based indicator of the period.
pub fn indicators(pop: &Population) -> BTreeMap<&'static str, Indicator> {
    let with_breakdowns: [(&'static str, &'static str, Calc, &str); 10] = [
        ("activities_total", "output", activities_total, "no activities"),
        ("participants_total", "output", participants_total, "no activity records its number of participants"),
        ("participant_days", "output", participant_days, "no activity records its number of participants"),
        ("cost_total_eur", "output", cost_total, "no activity records its cost"),
        ("cost_per_participant_eur", "output", cost_per_participant, "no activity records both cost and participants"),
        (
            "cost_per_participant_day_eur",
            "output",
            cost_per_participant_day,
            "no activity records both cost and participants",
        ),
        ("followup_rate", "output", followup_rate, "no activities"),
        ("stated_goal_rate", "alignment", stated_goal_rate, "no activities"),
        ("goal_alignment_rate", "alignment", goal_alignment_rate, "no activities"),
        ("response_rate", "outcome", response_rate, "no activity records participants > 0"),
    ];
    let mut out = BTreeMap::new();
    for (id, level, calc, absent) in with_breakdowns {
        let mut indicator = Indicator::open(level, calc(&pop.activities, pop), absent);
        if id != "response_rate" && !pop.headline_only {
            indicator.breakdowns = breakdowns(pop, calc);
        }
        out.insert(id, indicator);
    }
    if let Some(indicator) = out.get_mut("goal_alignment_rate").filter(|_| !pop.headline_only) {
        indicator.breakdowns.insert("goal", by_goal(pop));
    }
    out.insert("delivery_rate", delivery(pop));
    out.insert("countries_reached", Indicator::open("output", countries_reached(&pop.activities), "no activities"));
    out.insert("phases_covered", Indicator::open("output", phases_covered(pop), "no activities"));
    out
}

/// `activity_type`, `phase` (an activity counts in each of its phases) and
/// `format` groups of `activities`.
fn breakdowns_of(
    pop: &Population,
    activities: &[&Activity],
    calc: Calc,
) -> BTreeMap<&'static str, BTreeMap<String, super::Group>> {
    let mut out = BTreeMap::new();
    let by_type = group_by(activities, |a| vec![a.kind.clone()]);
    let by_phase = group_by(activities, |a| a.phases.clone());
    let by_format = group_by(activities, |a| vec![a.format.clone()]);
    for (name, groups) in [("activity_type", by_type), ("phase", by_phase), ("format", by_format)] {
        let groups: BTreeMap<String, super::Group> =
            groups.into_iter().map(|(key, members)| (key, group(calc(&members, pop), None))).collect();
        out.insert(name, groups);
    }
    out
}

fn breakdowns(pop: &Population, calc: Calc) -> BTreeMap<&'static str, BTreeMap<String, super::Group>> {
    breakdowns_of(pop, &pop.activities, calc)
}

/// `delivery_rate` (SPEC §13.1): delivered / (delivered + postponed + cancelled)
/// over the period's activities; planned ones are in neither.
fn delivery(pop: &Population) -> Indicator {
    let all: Vec<&Activity> = pop.activities.iter().chain(&pop.pipeline).copied().collect();
    let mut indicator =
        Indicator::open("output", delivery_rate(&all, pop), "no delivered, postponed or cancelled activities");
    if !pop.headline_only {
        indicator.breakdowns = breakdowns_of(pop, &all, delivery_rate);
    }
    indicator
}

fn delivery_rate(activities: &[&Activity], _: &Population) -> Computed {
    let decided: Vec<&&Activity> = activities.iter().filter(|a| a.status != ActivityStatus::Planned).collect();
    let delivered = decided.iter().filter(|a| a.delivered()).count();
    Computed::real(share(delivered, decided.len()), decided.len())
}

fn activities_total(activities: &[&Activity], _: &Population) -> Computed {
    Computed::count(activities.len() as u64, activities.len())
}

fn with_participants<'a>(activities: &[&'a Activity]) -> Vec<(&'a Activity, u64)> {
    activities.iter().filter_map(|a| a.participants.map(|p| (*a, p))).collect()
}

fn participants_total(activities: &[&Activity], _: &Population) -> Computed {
    let have = with_participants(activities);
    if have.is_empty() {
        return Computed::none(0);
    }
    Computed::count(have.iter().map(|(_, p)| p).sum(), have.len())
}

fn participant_days(activities: &[&Activity], _: &Population) -> Computed {
    let have = with_participants(activities);
    if have.is_empty() {
        return Computed::none(0);
    }
    Computed::count(have.iter().map(|(a, p)| p * a.days() as u64).sum(), have.len())
}

fn cost_total(activities: &[&Activity], _: &Population) -> Computed {
    let costs: Vec<f64> = activities.iter().filter_map(|a| a.cost_eur).collect();
    if costs.is_empty() {
        return Computed::none(0);
    }
    Computed::real(Some(costs.iter().sum()), costs.len())
}

/// (cost, participants, days) of the activities with a cost and participants > 0.
fn costed(activities: &[&Activity]) -> Vec<(f64, u64, u64)> {
    activities
        .iter()
        .filter_map(|a| match (a.cost_eur, a.participants) {
            (Some(cost), Some(p)) if p > 0 => Some((cost, p, a.days() as u64)),
            _ => None,
        })
        .collect()
}

/// Σ cost / Σ (participants × weight) over [`costed`] activities.
fn cost_per(activities: &[&Activity], weight: fn(u64, u64) -> u64) -> Computed {
    let both = costed(activities);
    if both.is_empty() {
        return Computed::none(0);
    }
    let cost: f64 = both.iter().map(|(c, _, _)| c).sum();
    let units: u64 = both.iter().map(|(_, p, days)| weight(*p, *days)).sum();
    Computed::real(Some(cost / units as f64), both.len())
}

fn cost_per_participant(activities: &[&Activity], _: &Population) -> Computed {
    cost_per(activities, |people, _| people)
}

/// Σ cost / Σ participant-days over activities with a cost and participants > 0.
fn cost_per_participant_day(activities: &[&Activity], _: &Population) -> Computed {
    cost_per(activities, |people, days| people * days)
}

fn rate(activities: &[&Activity], test: impl Fn(&Activity) -> bool) -> Computed {
    let hits = activities.iter().filter(|a| test(a)).count();
    Computed::real(share(hits, activities.len()), activities.len())
}

fn followup_rate(activities: &[&Activity], _: &Population) -> Computed {
    rate(activities, |a| a.follow_up)
}

fn stated_goal_rate(activities: &[&Activity], _: &Population) -> Computed {
    rate(activities, |a| !a.goals.is_empty())
}

fn goal_alignment_rate(activities: &[&Activity], pop: &Population) -> Computed {
    rate(activities, |a| super::alignment::score(a, &pop.taxonomy) == Some(1.0))
}

/// Share of activities declaring goal g whose type supports g.
fn by_goal(pop: &Population) -> BTreeMap<String, super::Group> {
    let mut out = BTreeMap::new();
    for goal in &pop.taxonomy.goals {
        let declaring: Vec<&Activity> = pop.activities.iter().copied().filter(|a| a.goals.contains(goal)).collect();
        if declaring.is_empty() {
            continue;
        }
        let computed = rate(&declaring, |a| pop.taxonomy.supports(&a.kind, goal));
        out.insert(goal.clone(), group(computed, None));
    }
    out
}

/// Σ responses / Σ participants over activities with participants > 0.
fn response_rate(activities: &[&Activity], _: &Population) -> Computed {
    let counted: Vec<(&Activity, u64)> = with_participants(activities).into_iter().filter(|(_, p)| *p > 0).collect();
    if counted.is_empty() {
        return Computed::none(0);
    }
    let answered: u64 = counted.iter().map(|(a, _)| a.survey.all.responses).sum();
    let people: u64 = counted.iter().map(|(_, p)| p).sum();
    Computed::real(Some(answered as f64 / people as f64), counted.len())
}

/// Distinct recognised countries among participating and host countries.
fn countries_reached(activities: &[&Activity]) -> Computed {
    if activities.is_empty() {
        return Computed::none(0);
    }
    let countries: BTreeSet<&str> = activities.iter().flat_map(|a| a.countries_involved()).collect();
    Computed::count(countries.len() as u64, activities.len())
}

fn phases_covered(pop: &Population) -> Computed {
    if pop.activities.is_empty() {
        return Computed::none(0);
    }
    let covered: BTreeSet<&String> = pop.activities.iter().flat_map(|a| &a.phases).collect();
    Computed::count(covered.len() as u64, pop.activities.len())
}
