//! Survey responses folded into counts.
//!
//! Every survey figure of SPEC §6 (shares, means, standard deviations, medians,
//! NPS) is a function of how many responses gave each answer, so a response is
//! parsed, checked, counted into its activity's [`Survey`] and dropped. Memory then
//! follows the number of activities and groups, not the number of responses, and a
//! population's figures are sums over its activities.

use std::collections::BTreeMap;

use crate::model::{Experience, YesPartlyNo};

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
    /// Responses with a participation aim to an activity with goals, and those whose aims meet a goal.
    pub aims: [u64; 2],
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
    /// Whether the aims meet the activity's goals; `None` when either is empty.
    pub aim_met: Option<bool>,
    pub experience: Option<Experience>,
    /// The respondent's recognised country (ISO code).
    pub country: Option<&'a str>,
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
        if let Some(met) = response.aim_met {
            self.aims[0] += 1;
            self.aims[1] += u64::from(met);
        }
    }

    /// Add another set of counts.
    pub fn add(&mut self, other: &Answers) {
        self.responses += other.responses;
        if self.likert.len() < other.likert.len() {
            self.likert.resize(other.likert.len(), [0; LIKERT_LEVELS]);
        }
        for (mine, theirs) in self.likert.iter_mut().zip(&other.likert) {
            mine.iter_mut().zip(theirs).for_each(|(a, b)| *a += b);
        }
        self.recommend.iter_mut().zip(&other.recommend).for_each(|(a, b)| *a += b);
        self.intent.iter_mut().zip(&other.intent).for_each(|(a, b)| *a += b);
        self.contacts.iter_mut().zip(&other.contacts).for_each(|(a, b)| *a += b);
        self.aims.iter_mut().zip(&other.aims).for_each(|(a, b)| *a += b);
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
    /// By the respondent's recognised country (ISO code).
    pub by_country: BTreeMap<String, Answers>,
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
            aim_met: Some(false),
            experience: Some(Experience::New),
            country: Some("DE"),
        };
        let second = Response { likert: &[4, 2], recommend: Some(10), country: Some("DE"), ..Response::default() };
        survey.record(&first);
        survey.record(&second);
        let all = &survey.all;
        assert_eq!(all.responses, 2);
        assert_eq!((all.likert[0][5], all.likert[0][4], all.likert[1][2]), (1, 1, 1));
        assert_eq!(all.likert[1].iter().sum::<u64>(), 1, "an empty answer is not counted");
        assert_eq!((all.recommend[9], all.recommend[10]), (1, 1));
        assert_eq!((all.intent, all.contacts, all.aims), ([0, 1, 0], [0, 1], [1, 0]));
        assert_eq!(survey.by_country["DE"].responses, 2);
        assert_eq!(survey.by_experience[&Experience::New].responses, 1);
        let twice = Answers::total([all, all]);
        assert_eq!((twice.responses, twice.likert[0][5], twice.recommend[10]), (4, 2, 2));
    }
}
