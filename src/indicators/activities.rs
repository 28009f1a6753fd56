//! Indicators over the activity register: outputs (counts, participants, cost,
//! follow-up) and the alignment rates, with breakdowns by activity type and phase.

use std::collections::{BTreeMap, BTreeSet};

use super::stats::share;
use super::{group, group_by, Breakdowns, Computed, Indicator, Population};
use crate::model::{Activity, ActivityStatus};
use crate::registry::{self, Breakdown};

type Calc = fn(&[&Activity], &Population) -> Computed;

/// Every activity-based indicator of the period.
pub fn indicators(pop: &Population) -> BTreeMap<&'static str, Indicator> {
    let calcs: [(&'static str, Calc); 13] = [
        ("activities_total", activities_total),
        ("participants_total", participants_total),
        ("participant_days", participant_days),
        ("cost_total_eur", cost_total),
        ("cost_per_participant_eur", cost_per_participant),
        ("cost_per_participant_day_eur", cost_per_participant_day),
        ("followup_rate", followup_rate),
        ("stated_goal_rate", stated_goal_rate),
        ("goal_alignment_rate", goal_alignment_rate),
        ("response_rate", response_rate),
        ("countries_reached", |activities, _| countries_reached(activities)),
        ("phases_covered", |_, pop| phases_covered(pop)),
        ("delivery_rate", delivery_rate),
    ];
    let mut out = BTreeMap::new();
    for (id, calc) in calcs {
        // Delivery counts the postponed and cancelled activities too.
        let activities: Vec<&Activity> = if id == "delivery_rate" {
            pop.activities.iter().chain(&pop.pipeline).copied().collect()
        } else {
            pop.activities.clone()
        };
        let mut indicator = Indicator::of(id, calc(&activities, pop), pop.min_group());
        if !pop.headline_only {
            indicator.breakdowns = breakdowns(pop, &activities, calc, registry::entry(id).breakdowns);
        }
        out.insert(id, indicator);
    }
    out
}

/// The `wanted` groups of `activities`: activity type, phase (an activity counts
/// in each of its phases), format, and goal (`goal_alignment_rate`'s own).
fn breakdowns(pop: &Population, activities: &[&Activity], calc: Calc, wanted: &[Breakdown]) -> Breakdowns {
    let mut out = Breakdowns::new();
    for breakdown in wanted {
        let groups = match breakdown {
            Breakdown::ActivityType => group_by(activities, |a| vec![a.kind.clone()]),
            Breakdown::Phase => group_by(activities, |a| a.phases.clone()),
            Breakdown::Format => group_by(activities, |a| vec![a.format.clone()]),
            Breakdown::Goal => {
                out.insert(Breakdown::Goal, by_goal(pop));
                continue;
            }
            other => unreachable!("{} is not an activity breakdown", other.as_str()),
        };
        let groups: BTreeMap<String, super::Group> =
            groups.into_iter().map(|(key, members)| (key, group(calc(&members, pop), None))).collect();
        out.insert(*breakdown, groups);
    }
    out
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
