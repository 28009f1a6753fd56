//! Indicators from participant surveys (satisfaction, NPS, intent, contacts, aims),
//! the Likert section, follow-up outcomes and attendance.
//!
//! Survey figures obey the privacy threshold: a value over fewer than
//! `privacy.min_group_size` answers is published as `null`, `suppressed: true`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use super::stats::{answered, mean, median, nps, sample_sd, share, wilson};
use super::{group, Breakdowns, Computed, Group, Indicator, LikertItemResult, LikertStats, Population};
use crate::answers::{Answers, LIKERT_LEVELS};
use crate::model::{Followup, YesPartlyNo};
use crate::period::quarter_of;
use crate::registry::{self, Breakdown};

type Calc = fn(&Answers, &Population) -> Computed;

/// Survey, follow-up and attendance indicators, and the Likert section.
pub fn indicators(pop: &Population) -> (BTreeMap<&'static str, Indicator>, BTreeMap<String, LikertItemResult>) {
    let k = pop.min_group();
    let specs: [(&'static str, Calc); 6] = [
        ("satisfaction_top2", satisfaction_top2),
        ("satisfaction_mean", satisfaction_mean),
        ("nps", net_promoter),
        ("intent_to_apply_rate", intent_to_apply),
        ("new_contacts_rate", new_contacts),
        ("aim_match_rate", aim_match),
    ];
    let survey = |(id, calc): &(&'static str, Calc), groups: &Groupings| {
        let computed = calc(&pop.answers, pop);
        let mut indicator = Indicator::of(id, computed, k);
        if !pop.headline_only {
            indicator.breakdowns = breakdowns(pop, groups, id, *calc);
        }
        if *id == "satisfaction_top2" {
            let ci =
                (!indicator.suppressed).then(|| computed.value.and_then(|p| wilson(p.as_f64(), computed.n))).flatten();
            indicator.ci_low = Some(ci.map(|c| c.0));
            indicator.ci_high = Some(ci.map(|c| c.1));
        }
        (*id, indicator)
    };
    let followup_specs: [(&'static str, FollowupAnswer); 3] = [
        ("applied_learning_rate", |f| f.applied.map(|a| a != YesPartlyNo::No)),
        ("further_contact_rate", |f| f.further_contact),
        ("shared_internally_rate", |f| f.shared_internally),
    ];
    let followup = |(id, answer): &(&'static str, FollowupAnswer)| {
        let mut indicator = Indicator::of(id, followup_share(&pop.followups, *answer), k);
        if !pop.headline_only {
            indicator.breakdowns = followup_breakdowns(pop, id, *answer);
        }
        (*id, indicator)
    };
    // The indicators (each with its breakdowns) and the Likert section in parallel:
    // with thousands of activities each is thousands of groups.
    let ((surveys, followups), likert) = rayon::join(
        || {
            let groups = if pop.headline_only { Groupings::new() } else { groupings(pop) };
            rayon::join(
                || specs.par_iter().map(|spec| survey(spec, &groups)).collect::<Vec<_>>(),
                || followup_specs.par_iter().map(followup).collect::<Vec<_>>(),
            )
        },
        || if pop.headline_only { BTreeMap::new() } else { likert_section(pop) },
    );
    let mut out: BTreeMap<&'static str, Indicator> = surveys.into_iter().chain(followups).collect();
    let (unique, repeat) = attendance(pop);
    out.insert("unique_participants", Indicator::of("unique_participants", unique, k));
    out.insert("repeat_participation_rate", Indicator::of("repeat_participation_rate", repeat, k));
    (out, likert)
}

/// The population's responses counted for each breakdown, once per population:
/// the groups of breakdown `b` are at `b as usize`.
struct Groupings(Vec<BTreeMap<String, Answers>>);

impl Groupings {
    fn new() -> Groupings {
        Groupings((0..Breakdown::COUNT).map(|_| BTreeMap::new()).collect())
    }
    fn get(&self, breakdown: &Breakdown) -> Option<&BTreeMap<String, Answers>> {
        self.0.get(*breakdown as usize)
    }
}

fn groupings(pop: &Population) -> Groupings {
    let mut maps = Groupings::new();
    let mut add = |breakdown: Breakdown, key: &str, answers: &Answers| {
        let groups = &mut maps.0[breakdown as usize];
        match groups.get_mut(key) {
            Some(total) => total.add(answers),
            None => {
                groups.insert(key.to_string(), answers.clone());
            }
        }
    };
    for activity in &pop.activities {
        let survey = &activity.survey;
        if survey.all.responses == 0 {
            continue;
        }
        add(Breakdown::ActivityType, &activity.kind, &survey.all);
        for phase in &activity.phases {
            add(Breakdown::Phase, phase, &survey.all);
        }
        add(Breakdown::Activity, &activity.id, &survey.all);
        for (experience, answers) in &survey.by_experience {
            add(Breakdown::RespondentExperience, experience.as_str(), answers);
        }
        for (code, answers) in &survey.by_country {
            add(Breakdown::RespondentCountry, code, answers);
        }
        add(Breakdown::Quarter, &quarter_of(activity.start), &survey.all);
        add(Breakdown::Format, &activity.format, &survey.all);
        for (org_type, answers) in &survey.by_org_type {
            add(Breakdown::RespondentOrgType, org_type, answers);
        }
        for (role_level, answers) in &survey.by_role_level {
            add(Breakdown::RespondentRoleLevel, role_level, answers);
        }
    }
    maps
}

/// The breakdowns the registry gives indicator `id`; groups with no answers are left out.
fn breakdowns(pop: &Population, groupings: &Groupings, id: &str, calc: Calc) -> Breakdowns {
    let k = pop.min_group();
    registry::entry(id)
        .breakdowns
        .iter()
        .map(|breakdown| {
            let groups: BTreeMap<String, Group> = groupings
                .get(breakdown)
                .into_iter()
                .flatten()
                .map(|(key, answers)| (key.clone(), calc(answers, pop)))
                .filter(|(_, computed)| computed.n > 0)
                .map(|(key, computed)| (key, group(computed, Some(k))))
                .collect();
            (*breakdown, groups)
        })
        .collect()
}

/// Answer counts of the headline Likert item, and its number of points.
fn headline(answers: &Answers, pop: &Population) -> ([u64; LIKERT_LEVELS], u8) {
    let items = &pop.config.likert.items;
    let index = items.iter().position(|i| i.id == pop.config.likert.headline).expect("config checks the headline item");
    (answers.item(index), items[index].points)
}

/// Answers of `points − 1` or `points` among `counts`.
fn top_two(counts: &[u64; LIKERT_LEVELS], points: u8) -> usize {
    counts[usize::from(points) - 1..=usize::from(points)].iter().sum::<u64>() as usize
}

fn satisfaction_top2(answers: &Answers, pop: &Population) -> Computed {
    let (counts, points) = headline(answers, pop);
    let n = answered(&counts);
    Computed::real(share(top_two(&counts, points), n), n)
}

fn satisfaction_mean(answers: &Answers, pop: &Population) -> Computed {
    let (counts, _) = headline(answers, pop);
    Computed::real(mean(&counts), answered(&counts))
}

fn net_promoter(answers: &Answers, _: &Population) -> Computed {
    Computed::real(nps(&answers.recommend), answered(&answers.recommend))
}

fn intent_to_apply(answers: &Answers, _: &Population) -> Computed {
    let [yes, partly, no] = answers.intent;
    let n = (yes + partly + no) as usize;
    Computed::real(share((yes + partly) as usize, n), n)
}

fn new_contacts(answers: &Answers, _: &Population) -> Computed {
    let [none, some] = answers.contacts;
    let n = (none + some) as usize;
    Computed::real(share(some as usize, n), n)
}

/// Among responses with aims whose activity has goals: share whose aims meet the goals.
fn aim_match(answers: &Answers, _: &Population) -> Computed {
    let [eligible, matched] = answers.aims;
    Computed::real(share(matched as usize, eligible as usize), eligible as usize)
}

/// A follow-up's answer to one question: yes-like or not, `None` when unanswered.
type FollowupAnswer = fn(&Followup) -> Option<bool>;

/// Share of follow-ups answering yes, over those that answered.
fn followup_share(followups: &[&Followup], answer: FollowupAnswer) -> Computed {
    let answers: Vec<bool> = followups.iter().filter_map(|f| answer(f)).collect();
    let yes = answers.iter().filter(|a| **a).count();
    Computed::real(share(yes, answers.len()), answers.len())
}

/// The Kirkpatrick level-3 horizon of a follow-up (SPEC §13.1).
pub fn horizon(months_after: u32) -> &'static str {
    match months_after {
        0..=3 => "0-3",
        4..=6 => "4-6",
        7..=12 => "7-12",
        _ => "13+",
    }
}

/// The groups one follow-up falls in, for one breakdown.
type GroupKeys<'a> = Box<dyn Fn(&Followup) -> Vec<String> + 'a>;

/// Breakdowns of a follow-up indicator (the registry's: activity, activity type,
/// phase, respondent country, `months_after` horizon); groups without answers are left out.
fn followup_breakdowns(pop: &Population, id: &str, answer: FollowupAnswer) -> Breakdowns {
    let k = pop.min_group();
    registry::entry(id)
        .breakdowns
        .iter()
        .map(|breakdown| {
            let key: GroupKeys = match breakdown {
                Breakdown::Activity => Box::new(|f| vec![f.activity_id.clone()]),
                Breakdown::ActivityType => Box::new(|f| vec![pop.activity(f.activity).kind.clone()]),
                Breakdown::Phase => Box::new(|f| pop.activity(f.activity).phases.clone()),
                Breakdown::RespondentCountry => {
                    Box::new(|f| f.country.as_ref().and_then(|c| c.code()).map(str::to_string).into_iter().collect())
                }
                Breakdown::MonthsAfter => {
                    Box::new(|f| f.months_after.map(|m| horizon(m).to_string()).into_iter().collect())
                }
                other => unreachable!("{} is not a follow-up breakdown", other.as_str()),
            };
            let groups = super::group_by(&pop.followups, |f| key(f))
                .into_iter()
                .map(|(group_key, members)| (group_key, followup_share(&members, answer)))
                .filter(|(_, computed)| computed.n > 0)
                .map(|(group_key, computed)| (group_key, group(computed, Some(k))))
                .collect();
            (*breakdown, groups)
        })
        .collect()
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

/// Statistics of one item's answers (counts per level), suppressed below the threshold.
pub fn likert_stats(counts: &[u64; LIKERT_LEVELS], points: u8, min_group: usize) -> LikertStats {
    let n = answered(counts);
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
    let distribution = (1..=points)
        .map(|level| (super::LEVEL_NAMES[usize::from(level)], counts[usize::from(level)] as usize))
        .collect();
    let top2 = share(top_two(counts, points), n);
    let ci = top2.and_then(|p| wilson(p, n));
    LikertStats {
        n,
        suppressed: false,
        mean: mean(counts),
        sd: sample_sd(counts),
        median: median(counts),
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

/// Secondary suppression of a partition of the answers: when exactly one group is
/// hidden, also hide the smallest published one (ties by key), so the hidden one
/// cannot be derived from the total.
fn hide_one_more(mut groups: BTreeMap<String, LikertStats>, points: u8, k: usize) -> BTreeMap<String, LikertStats> {
    if let Some(key) = super::one_more_to_hide(&groups, |s| s.suppressed, |s| s.n) {
        let n = groups[&key].n;
        let none = [0; LIKERT_LEVELS];
        groups.insert(key, likert_stats(&none, points, k).with_n_suppressed(n));
    }
    groups
}

fn likert_section(pop: &Population) -> BTreeMap<String, LikertItemResult> {
    let k = pop.min_group();
    let mut by_type: BTreeMap<&str, Answers> = BTreeMap::new();
    for activity in &pop.activities {
        by_type.entry(activity.kind.as_str()).or_default().add(&activity.survey.all);
    }
    pop.config
        .likert
        .items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let by_activity_type: BTreeMap<String, LikertStats> = by_type
                .iter()
                .map(|(kind, answers)| (kind.to_string(), answers.item(index)))
                .filter(|(_, counts)| answered(counts) > 0)
                .map(|(kind, counts)| (kind, likert_stats(&counts, item.points, k)))
                .collect();
            let by_activity: BTreeMap<String, LikertStats> = pop
                .activities
                .iter()
                .map(|activity| (activity.id.clone(), activity.survey.all.item(index)))
                .filter(|(_, counts)| answered(counts) > 0)
                .map(|(id, counts)| (id, likert_stats(&counts, item.points, k)))
                .collect();
            let secondary = pop.config.privacy.secondary_suppression;
            let [by_activity_type, by_activity] = [by_activity_type, by_activity].map(|groups| {
                if secondary {
                    hide_one_more(groups, item.points, k)
                } else {
                    groups
                }
            });
            let result = LikertItemResult {
                label: item.label.clone(),
                points: item.points,
                overall: likert_stats(&pop.answers.item(index), item.points, k),
                by_activity_type,
                by_activity,
            };
            (item.id.clone(), result)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts per level of `values`.
    fn counts(values: &[u8]) -> [u64; LIKERT_LEVELS] {
        let mut counts = [0; LIKERT_LEVELS];
        values.iter().for_each(|&v| counts[usize::from(v)] += 1);
        counts
    }

    #[test]
    fn likert_stats_by_hand() {
        // Answers 5, 4, 4, 2: n 4, mean 15/4, median (4+4)/2 = 4, top2 3/4.
        // Deviations 1.25, .25, .25, −1.75: squares sum 4.75, sd = √(4.75/3).
        let s = likert_stats(&counts(&[5, 4, 4, 2]), 5, 0);
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
        let one = likert_stats(&counts(&[3]), 5, 0);
        assert_eq!((one.mean, one.sd, one.median), (Some(3.0), None, Some(3.0)));
        let hidden = likert_stats(&counts(&[5, 5, 5, 5]), 5, 5);
        assert!(hidden.suppressed);
        assert_eq!((hidden.n, hidden.mean, hidden.top2), (4, None, None));
        let shown = likert_stats(&counts(&[5, 5, 5, 5, 5]), 5, 5);
        assert_eq!(shown.top2, Some(1.0));
        assert_eq!(shown.ci_high.map(|h| (h - 1.0).abs() < 1e-12), Some(true));
    }
}
