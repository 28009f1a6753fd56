//! Survey responses folded into counts.
//!
//! Every survey figure of SPEC §6 (shares, means, standard deviations, medians,
//! NPS) is a function of how many responses gave each answer, so a response is
//! parsed, counted into the [`Survey`] of its activity and dropped. Memory then
//! follows the number of activities and groups, not the number of responses, and a
//! population's figures are sums over its activities.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::schema::{Experience, YesPartlyNo};

/// Answer levels a Likert count has room for (`points` is at most 11).
pub const LIKERT_LEVELS: usize = 12;

/// How many responses gave each answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answers {
    pub responses: u64,
    /// Per Likert item (config order): `[level]` counts answers of that level (1..=points).
    pub likert: Vec<[u64; LIKERT_LEVELS]>,
    /// `[score]` counts `recommend` answers of that score (0..=10).
    pub recommend: [u64; 11],
    /// `intent_to_apply` answers: yes, partly, no.
    pub intent: [u64; 3],
    /// `new_contacts` answers: none, one or more.
    pub contacts: [u64; 2],
    /// Responses with a participation aim to an activity with goals, and those
    /// whose aims meet a goal; set by [`Answers::resolve_aims`].
    pub aims: [u64; 2],
    /// Responses per set of participation aims (one bit per goal), until the
    /// activity's goals are known.
    pub aim_sets: BTreeMap<u32, u64>,
}

/// One response's answers, as counted.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Response<'a> {
    /// Per Likert item (config order): the answer, 0 for none.
    pub likert: &'a [u8],
    pub recommend: Option<u8>,
    pub intent: Option<YesPartlyNo>,
    /// Whether `new_contacts` was one or more.
    pub contacts: Option<bool>,
    /// The participation aims, one bit per goal in config order.
    pub aims: u32,
    pub experience: Option<Experience>,
    /// The respondent's recognised country (ISO code).
    pub country: Option<&'a str>,
    /// The respondent's organisation type and role level (ids).
    pub org_type: Option<&'a str>,
    pub role_level: Option<&'a str>,
}

impl Answers {
    /// Count one response.
    pub fn record(&mut self, response: &Response) {
        self.responses += 1;
        if self.likert.len() < response.likert.len() {
            self.likert.resize(response.likert.len(), [0; LIKERT_LEVELS]);
        }
        for (counts, &answer) in self.likert.iter_mut().zip(response.likert) {
            if answer != 0 {
                counts[usize::from(answer).min(LIKERT_LEVELS - 1)] += 1;
            }
        }
        if let Some(score) = response.recommend {
            self.recommend[usize::from(score.min(10))] += 1;
        }
        if let Some(intent) = response.intent {
            self.intent[intent as usize] += 1;
        }
        if let Some(some) = response.contacts {
            self.contacts[usize::from(some)] += 1;
        }
        if response.aims != 0 {
            *self.aim_sets.entry(response.aims).or_default() += 1;
        }
    }

    /// Add (`sign` 1) or take away (`sign` −1) another set of counts.
    fn combine(&mut self, other: &Answers, sign: i8) {
        // Only answers counted before are taken away, so a difference never goes below 0.
        let apply = |a: &mut u64, b: u64| *a = if sign > 0 { *a + b } else { a.saturating_sub(b) };
        apply(&mut self.responses, other.responses);
        if self.likert.len() < other.likert.len() {
            self.likert.resize(other.likert.len(), [0; LIKERT_LEVELS]);
        }
        for (mine, theirs) in self.likert.iter_mut().zip(&other.likert) {
            mine.iter_mut().zip(theirs).for_each(|(a, &b)| apply(a, b));
        }
        self.recommend.iter_mut().zip(other.recommend).for_each(|(a, b)| apply(a, b));
        self.intent.iter_mut().zip(other.intent).for_each(|(a, b)| apply(a, b));
        self.contacts.iter_mut().zip(other.contacts).for_each(|(a, b)| apply(a, b));
        self.aims.iter_mut().zip(other.aims).for_each(|(a, b)| apply(a, b));
        for (&set, &count) in &other.aim_sets {
            apply(self.aim_sets.entry(set).or_default(), count);
        }
        self.aim_sets.retain(|_, count| *count > 0);
    }

    /// Add another set of counts.
    pub fn add(&mut self, other: &Answers) {
        self.combine(other, 1);
    }

    /// Settle the participation aims against the activity's goals (one bit per goal).
    pub fn resolve_aims(&mut self, goals: u32) {
        for (set, count) in std::mem::take(&mut self.aim_sets) {
            if goals != 0 {
                self.aims[0] += count;
                self.aims[1] += if set & goals != 0 { count } else { 0 };
            }
        }
    }

    /// The answer counts of Likert item `index` (zeros when nobody answered it).
    pub fn item(&self, index: usize) -> [u64; LIKERT_LEVELS] {
        self.likert.get(index).copied().unwrap_or([0; LIKERT_LEVELS])
    }

    /// The sum of several sets of counts.
    pub fn total<'a>(all: impl IntoIterator<Item = &'a Answers>) -> Answers {
        let mut total = Answers::default();
        all.into_iter().for_each(|a| total.add(a));
        total
    }
}

/// The survey responses to one activity, counted, with the groups that breakdowns
/// by respondent need.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Survey {
    pub all: Answers,
    pub by_experience: BTreeMap<Experience, Answers>,
    /// By the respondent's recognised country (ISO code); hashed, as it is looked
    /// up for every response and only ever summed.
    pub by_country: FxHashMap<String, Answers>,
    /// By the respondent's organisation type and role level (SPEC §13.1).
    pub by_org_type: BTreeMap<String, Answers>,
    pub by_role_level: BTreeMap<String, Answers>,
    /// Free-text comments in input order; kept only when `privacy.publish_comments` is on.
    pub comments: Vec<String>,
}

impl Survey {
    /// Count one response.
    pub fn record(&mut self, response: &Response) {
        self.all.record(response);
        if let Some(experience) = response.experience {
            self.by_experience.entry(experience).or_default().record(response);
        }
        if let Some(code) = response.country {
            match self.by_country.get_mut(code) {
                Some(answers) => answers.record(response),
                None => self.by_country.entry(code.to_string()).or_default().record(response),
            }
        }
        for (groups, key) in
            [(&mut self.by_org_type, response.org_type), (&mut self.by_role_level, response.role_level)]
        {
            if let Some(key) = key {
                match groups.get_mut(key) {
                    Some(answers) => answers.record(response),
                    None => groups.entry(key.to_string()).or_default().record(response),
                }
            }
        }
    }

    fn combine(&mut self, other: &Survey, sign: i8) {
        self.all.combine(&other.all, sign);
        for (experience, answers) in &other.by_experience {
            self.by_experience.entry(*experience).or_default().combine(answers, sign);
        }
        for (code, answers) in &other.by_country {
            self.by_country.entry(code.clone()).or_default().combine(answers, sign);
        }
        for (mine, theirs) in
            [(&mut self.by_org_type, &other.by_org_type), (&mut self.by_role_level, &other.by_role_level)]
        {
            for (key, answers) in theirs {
                mine.entry(key.clone()).or_default().combine(answers, sign);
            }
            mine.retain(|_, a| a.responses > 0);
        }
        self.by_experience.retain(|_, a| a.responses > 0);
        self.by_country.retain(|_, a| a.responses > 0);
    }

    /// Add the counts of another survey (not its comments).
    pub fn add(&mut self, other: &Survey) {
        self.combine(other, 1);
    }

    /// Take away the counts of responses counted earlier (not their comments).
    pub fn remove(&mut self, other: &Survey) {
        self.combine(other, -1);
    }

    /// Settle the participation aims against the activity's goals, in every group.
    pub fn resolve_aims(&mut self, goals: u32) {
        self.all.resolve_aims(goals);
        self.by_experience
            .values_mut()
            .chain(self.by_country.values_mut())
            .chain(self.by_org_type.values_mut())
            .chain(self.by_role_level.values_mut())
            .for_each(|a| a.resolve_aims(goals));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_are_counted_per_answer() {
        let mut survey = Survey::default();
        let first = Response {
            likert: &[5, 0],
            recommend: Some(9),
            intent: Some(YesPartlyNo::Partly),
            contacts: Some(true),
            aims: 0b01,
            experience: Some(Experience::New),
            country: Some("DE"),
            org_type: Some("state"),
            role_level: None,
        };
        let second =
            Response { likert: &[4, 2], recommend: Some(10), aims: 0b10, country: Some("DE"), ..Response::default() };
        survey.record(&first);
        survey.record(&second);
        let all = &survey.all;
        assert_eq!(all.responses, 2);
        assert_eq!((all.likert[0][5], all.likert[0][4], all.likert[1][2]), (1, 1, 1));
        assert_eq!(all.likert[1].iter().sum::<u64>(), 1, "an empty answer is not counted");
        assert_eq!((all.recommend[9], all.recommend[10]), (1, 1));
        assert_eq!((all.intent, all.contacts), ([0, 1, 0], [0, 1]));
        assert_eq!(survey.by_country["DE"].responses, 2);
        assert_eq!(survey.by_experience[&Experience::New].responses, 1);
        assert_eq!(survey.by_org_type["state"].responses, 1);
        assert!(survey.by_role_level.is_empty());
        let twice = Answers::total([all, all]);
        assert_eq!((twice.responses, twice.likert[0][5], twice.recommend[10]), (4, 2, 2));
        // Against an activity with the second goal: both responses are eligible, one meets it.
        let mut resolved = survey.clone();
        resolved.resolve_aims(0b10);
        assert_eq!((resolved.all.aims, resolved.by_country["DE"].aims), ([2, 1], [2, 1]));
        assert_eq!(resolved.by_experience[&Experience::New].aims, [1, 0]);
        // An activity without goals makes no response eligible.
        survey.resolve_aims(0);
        assert_eq!(survey.all.aims, [0, 0]);
    }

    #[test]
    fn removing_counted_responses_restores_the_counts() {
        let response =
            |country, score| Response { likert: &[3], recommend: Some(score), country, ..Response::default() };
        let mut kept = Survey::default();
        kept.record(&response(Some("FR"), 7));
        let mut repeated = Survey::default();
        repeated.record(&response(Some("IT"), 2));
        let mut all = kept.clone();
        all.add(&repeated);
        assert_eq!(all.all.responses, 2);
        all.remove(&repeated);
        assert_eq!(all, kept, "a group emptied by the removal disappears");
    }
}
