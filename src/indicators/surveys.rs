//! Indicators from participant surveys (satisfaction, NPS, intent, contacts, aims),
//! the Likert section, follow-up outcomes and attendance.
//!
//! Survey figures obey the privacy threshold: a value over fewer than
//! `privacy.min_group_size` answers is published as `null`, `suppressed: true`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::stats::{mean, median, nps, sample_sd, share, wilson};
use super::{group, group_by, Computed, Group, Indicator, LikertItemResult, LikertStats, Population};
use crate::model::{Response, YesPartlyNo};
use crate::period::quarter_of;

type Calc = fn(&[&Response], &Population) -> Computed;

/// Survey, follow-up and attendance indicators, and the Likert section.
pub fn indicators(pop: &Population) -> (BTreeMap<&'static str, Indicator>, BTreeMap<String, LikertItemResult>) {
    let k = pop.min_group();
    let specs: [(&'static str, Calc, &str); 6] = [
        ("satisfaction_top2", satisfaction_top2, "no answers to the headline Likert item"),
        ("satisfaction_mean", satisfaction_mean, "no answers to the headline Likert item"),
        ("nps", net_promoter, "no `recommend` answers"),
        ("intent_to_apply_rate", intent_to_apply, "no `intent_to_apply` answers"),
        ("new_contacts_rate", new_contacts, "no `new_contacts` answers"),
        ("aim_match_rate", aim_match, "no responses with a participation aim for an activity with goals"),
    ];
    let mut out = BTreeMap::new();
    let groups = if pop.headline_only { Vec::new() } else { groupings(pop) };
    for (id, calc, absent) in specs {
        let level = if id == "aim_match_rate" { "alignment" } else { "outcome" };
        let computed = calc(&pop.responses, pop);
        let mut indicator = Indicator::survey(level, computed, absent, k);
        indicator.breakdowns = breakdowns(pop, &groups, calc);
        if id == "satisfaction_top2" {
            let ci =
                (!indicator.suppressed).then(|| computed.value.and_then(|p| wilson(p.as_f64(), computed.n))).flatten();
            indicator.ci_low = Some(ci.map(|c| c.0));
            indicator.ci_high = Some(ci.map(|c| c.1));
        }
        out.insert(id, indicator);
    }
    out.insert(
        "applied_learning_rate",
        Indicator::survey(
            "outcome",
            followup_rate(pop, |f| f.applied.map(|a| a != YesPartlyNo::No)),
            "no `applied` answers in follow-ups",
            k,
        ),
    );
    out.insert(
        "further_contact_rate",
        Indicator::survey(
            "outcome",
            followup_rate(pop, |f| f.further_contact),
            "no `further_contact` answers in follow-ups",
            k,
        ),
    );
    let (unique, repeat) = attendance(pop);
    out.insert("unique_participants", Indicator::open("output", unique, "no attendance records"));
    out.insert("repeat_participation_rate", Indicator::open("outcome", repeat, "no attendance records"));
    let likert = if pop.headline_only { BTreeMap::new() } else { likert_section(pop) };
    (out, likert)
}

/// Responses grouped for each of the six breakdowns, computed once per population.
type Groupings<'a> = Vec<(&'static str, BTreeMap<String, Vec<&'a Response>>)>;

fn groupings<'a>(pop: &Population<'a>) -> Groupings<'a> {
    // Keys are borrowed from the records (and one quarter label per activity), so
    // grouping allocates per group, not per response; members keep population order.
    let quarters: rustc_hash::FxHashMap<usize, String> =
        pop.responses.iter().map(|r| (r.activity, quarter_of(pop.activity(r.activity).start))).collect();
    let mut maps: [rustc_hash::FxHashMap<&str, Vec<&'a Response>>; 6] = Default::default();
    for r in &pop.responses {
        let activity = pop.activity(r.activity);
        maps[0].entry(activity.kind.as_str()).or_default().push(r);
        for phase in &activity.phases {
            maps[1].entry(phase.as_str()).or_default().push(r);
        }
        maps[2].entry(r.activity_id.as_str()).or_default().push(r);
        if let Some(experience) = r.experience {
            maps[3].entry(experience.as_str()).or_default().push(r);
        }
        if let Some(code) = r.country.as_ref().and_then(|c| c.code()) {
            maps[4].entry(code).or_default().push(r);
        }
        maps[5].entry(quarters[&r.activity].as_str()).or_default().push(r);
    }
    let names = ["activity_type", "phase", "activity", "respondent_experience", "respondent_country", "quarter"];
    names
        .into_iter()
        .zip(maps)
        .map(|(name, map)| (name, map.into_iter().map(|(key, members)| (key.to_string(), members)).collect()))
        .collect()
}

/// One indicator's six breakdowns; groups with no answers are left out.
fn breakdowns(pop: &Population, groupings: &Groupings, calc: Calc) -> BTreeMap<&'static str, BTreeMap<String, Group>> {
    let k = pop.min_group();
    groupings
        .iter()
        .map(|(name, groups)| {
            let groups: BTreeMap<String, Group> = groups
                .iter()
                .map(|(key, members)| (key.clone(), calc(members, pop)))
                .filter(|(_, computed)| computed.n > 0)
                .map(|(key, computed)| (key, group(computed, Some(k))))
                .collect();
            (*name, groups)
        })
        .collect()
}

fn headline(responses: &[&Response], pop: &Population) -> (Vec<u8>, u8) {
    let items = &pop.config.likert.items;
    let index = items.iter().position(|i| i.id == pop.config.likert.headline).expect("config checks the headline item");
    (responses.iter().filter_map(|r| r.answer(index)).collect(), items[index].points)
}

fn satisfaction_top2(responses: &[&Response], pop: &Population) -> Computed {
    let (answers, points) = headline(responses, pop);
    let top = answers.iter().filter(|&&a| a >= points - 1).count();
    Computed::real(share(top, answers.len()), answers.len())
}

fn satisfaction_mean(responses: &[&Response], pop: &Population) -> Computed {
    let (answers, _) = headline(responses, pop);
    let values: Vec<f64> = answers.iter().map(|&a| a as f64).collect();
    Computed::real(mean(&values), values.len())
}

fn net_promoter(responses: &[&Response], _: &Population) -> Computed {
    let scores: Vec<u8> = responses.iter().filter_map(|r| r.recommend).collect();
    Computed::real(nps(&scores), scores.len())
}

fn intent_to_apply(responses: &[&Response], _: &Population) -> Computed {
    let answers: Vec<YesPartlyNo> = responses.iter().filter_map(|r| r.intent_to_apply).collect();
    let yes = answers.iter().filter(|a| **a != YesPartlyNo::No).count();
    Computed::real(share(yes, answers.len()), answers.len())
}

fn new_contacts(responses: &[&Response], _: &Population) -> Computed {
    let answers: Vec<u64> = responses.iter().filter_map(|r| r.new_contacts).collect();
    let some = answers.iter().filter(|&&n| n >= 1).count();
    Computed::real(share(some, answers.len()), answers.len())
}

/// Among responses with aims whose activity has goals: share whose aims meet the goals.
fn aim_match(responses: &[&Response], pop: &Population) -> Computed {
    let eligible: Vec<(&Response, &Vec<String>)> = responses
        .iter()
        .filter(|r| !r.participation_aim.is_empty())
        .map(|r| (*r, &pop.activity(r.activity).goals))
        .filter(|(_, goals)| !goals.is_empty())
        .collect();
    let matched =
        eligible.iter().filter(|(r, goals)| r.participation_aim.iter().any(|aim| goals.contains(aim))).count();
    Computed::real(share(matched, eligible.len()), eligible.len())
}

fn followup_rate(pop: &Population, answer: fn(&crate::model::Followup) -> Option<bool>) -> Computed {
    let answers: Vec<bool> = pop.followups.iter().filter_map(|f| answer(f)).collect();
    let yes = answers.iter().filter(|a| **a).count();
    Computed::real(share(yes, answers.len()), answers.len())
}

/// Distinct participants, and the share attending two or more distinct activities.
fn attendance(pop: &Population) -> (Computed, Computed) {
    if pop.participants.is_empty() {
        return (Computed::none(0), Computed::none(0));
    }
    let mut activities: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for p in &pop.participants {
        activities.entry(p.participant_id.as_str()).or_default().insert(p.activity_id.as_str());
    }
    let unique = activities.len();
    let repeat = activities.values().filter(|a| a.len() >= 2).count();
    (Computed::count(unique as u64, pop.participants.len()), Computed::real(share(repeat, unique), unique))
}

/// Statistics of one item's answers, suppressed below the threshold.
pub fn likert_stats(answers: &[u8], points: u8, min_group: usize) -> LikertStats {
    let n = answers.len();
    if n == 0 || super::is_small(n, min_group) {
        return LikertStats {
            n,
            suppressed: n > 0,
            mean: None,
            sd: None,
            median: None,
            distribution: None,
            top2: None,
            ci_low: None,
            ci_high: None,
        };
    }
    let values: Vec<f64> = answers.iter().map(|&a| a as f64).collect();
    let distribution =
        (1..=points).map(|level| (level.to_string(), answers.iter().filter(|&&a| a == level).count())).collect();
    let top2 = share(answers.iter().filter(|&&a| a >= points - 1).count(), n);
    let ci = top2.and_then(|p| wilson(p, n));
    LikertStats {
        n,
        suppressed: false,
        mean: mean(&values),
        sd: sample_sd(&values),
        median: median(&values),
        distribution: Some(distribution),
        top2,
        ci_low: ci.map(|c| c.0),
        ci_high: ci.map(|c| c.1),
    }
}

impl LikertStats {
    /// Hidden statistics over `n` answers.
    fn with_n_suppressed(mut self, n: usize) -> LikertStats {
        self.n = n;
        self.suppressed = true;
        self
    }
}

fn likert_section(pop: &Population) -> BTreeMap<String, LikertItemResult> {
    let k = pop.min_group();
    let by_type = group_by(&pop.responses, |r| vec![pop.activity(r.activity).kind.clone()]);
    pop.config
        .likert
        .items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let answers =
                |responses: &[&Response]| -> Vec<u8> { responses.iter().filter_map(|r| r.answer(index)).collect() };
            let mut by_activity_type: BTreeMap<String, LikertStats> = by_type
                .iter()
                .map(|(kind, members)| (kind.clone(), answers(members)))
                .filter(|(_, a)| !a.is_empty())
                .map(|(kind, a)| (kind, likert_stats(&a, item.points, k)))
                .collect();
            if pop.config.privacy.secondary_suppression
                && by_activity_type.values().filter(|s| s.suppressed).count() == 1
            {
                let smallest = by_activity_type
                    .iter()
                    .filter(|(_, s)| !s.suppressed)
                    .min_by_key(|(kind, s)| (s.n, (*kind).clone()))
                    .map(|(kind, _)| kind.clone());
                if let Some(kind) = smallest {
                    let n = by_activity_type[&kind].n;
                    by_activity_type.insert(kind, likert_stats(&[], item.points, k).with_n_suppressed(n));
                }
            }
            let result = LikertItemResult {
                label: item.label.clone(),
                points: item.points,
                overall: likert_stats(&answers(&pop.responses), item.points, k),
                by_activity_type,
            };
            (item.id.clone(), result)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn likert_stats_by_hand() {
        // Answers 5, 4, 4, 2: n 4, mean 15/4, median (4+4)/2 = 4, top2 3/4.
        // Deviations 1.25, .25, .25, −1.75: squares sum 4.75, sd = √(4.75/3).
        let s = likert_stats(&[5, 4, 4, 2], 5, 0);
        assert_eq!(s.n, 4);
        assert_eq!(s.mean, Some(3.75));
        assert_eq!(s.median, Some(4.0));
        assert!((s.sd.unwrap() - (4.75f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(s.top2, Some(0.75));
        let d = s.distribution.unwrap();
        assert_eq!((d["1"], d["2"], d["3"], d["4"], d["5"]), (0, 1, 0, 2, 1));
    }

    #[test]
    fn likert_stats_single_answer_and_suppression() {
        let one = likert_stats(&[3], 5, 0);
        assert_eq!((one.mean, one.sd, one.median), (Some(3.0), None, Some(3.0)));
        let hidden = likert_stats(&[5, 5, 5, 5], 5, 5);
        assert!(hidden.suppressed);
        assert_eq!((hidden.n, hidden.mean, hidden.top2), (4, None, None));
        let shown = likert_stats(&[5, 5, 5, 5, 5], 5, 5);
        assert_eq!(shown.top2, Some(1.0));
        assert_eq!(shown.ci_high.map(|h| (h - 1.0).abs() < 1e-12), Some(true));
    }
}
