//! The indicator registry: every indicator of SPEC §6 and §13 defined once — its
//! id, label, unit, level, the records it is computed from (which family computes
//! it), whether it is a survey figure under the privacy rule, its breakdowns, the
//! reason given when it has no data, its definition in words — and which ones head
//! the summary and the trends. The families in `indicators` compute the values;
//! `indicators.json`, the report and the workbook read names, units and order here.
//!
//! Adding an indicator: an [`Entry`] in [`CATALOG`], its computation in the family
//! its [`Source`] names, and its test.

use std::cmp::Ordering;

use serde::{Serialize, Serializer};

/// How a figure is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Share,
    Euro,
    /// A mean on the Likert scale.
    Score,
    /// Net Promoter Score, −100 to 100.
    Nps,
}

/// The level of the results chain an indicator measures (`level` in `indicators.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Output,
    Outcome,
    Alignment,
    Needs,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Output => "output",
            Level::Outcome => "outcome",
            Level::Alignment => "alignment",
            Level::Needs => "needs",
        }
    }
}

/// The records an indicator is computed from, which names the family computing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The activity register (`indicators::activities`).
    Activities,
    /// Participant survey responses (`indicators::surveys`; privacy rule applies).
    Responses,
    /// Follow-up survey responses (`indicators::surveys`; privacy rule applies).
    FollowUps,
    /// Attendance lists (`indicators::surveys`).
    Attendance,
    /// Needs questionnaires (`indicators::needs`).
    Needs,
    /// Country profiles over the activities' participating countries (`indicators::needs`).
    Profiles,
}

/// Whether a figure adds records up or relates two quantities (a share, a mean,
/// a cost per head): a ratio is read with its `n`, a sum is its own count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    Sum,
    Ratio,
}

/// A breakdown of an indicator into groups (SPEC §6, §13.1). Ordered, and written
/// in `indicators.json`, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Breakdown {
    ActivityType,
    Phase,
    Format,
    Goal,
    Activity,
    Quarter,
    MonthsAfter,
    RespondentCountry,
    RespondentExperience,
    RespondentOrgType,
    RespondentRoleLevel,
}

impl Breakdown {
    /// The number of breakdowns (their discriminants are 0..COUNT).
    pub const COUNT: usize = 11;

    pub fn as_str(self) -> &'static str {
        match self {
            Breakdown::ActivityType => "activity_type",
            Breakdown::Phase => "phase",
            Breakdown::Format => "format",
            Breakdown::Goal => "goal",
            Breakdown::Activity => "activity",
            Breakdown::Quarter => "quarter",
            Breakdown::MonthsAfter => "months_after",
            Breakdown::RespondentCountry => "respondent_country",
            Breakdown::RespondentExperience => "respondent_experience",
            Breakdown::RespondentOrgType => "respondent_org_type",
            Breakdown::RespondentRoleLevel => "respondent_role_level",
        }
    }

    /// The breakdown's name for people: `respondent_country` → `Respondent's country`.
    pub fn label(self) -> &'static str {
        match self {
            Breakdown::ActivityType => "Activity type",
            Breakdown::Phase => "Phase",
            Breakdown::Format => "Format",
            Breakdown::Goal => "Goal",
            Breakdown::Activity => "Activity",
            Breakdown::Quarter => "Quarter",
            Breakdown::MonthsAfter => "Months after the activity",
            Breakdown::RespondentCountry => "Respondent's country",
            Breakdown::RespondentExperience => "Respondent country's experience",
            Breakdown::RespondentOrgType => "Respondent's organisation",
            Breakdown::RespondentRoleLevel => "Respondent's role",
        }
    }

    /// Whether its groups split the respondents (so that a published total minus
    /// the published groups would reveal a single hidden group). Phases and goals
    /// overlap: an activity covers several.
    pub fn partitions(self) -> bool {
        !matches!(self, Breakdown::Phase | Breakdown::Goal)
    }
}

impl PartialOrd for Breakdown {
    fn partial_cmp(&self, other: &Breakdown) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Breakdown {
    /// The place of [`Breakdown::as_str`] in alphabetical order (compared without
    /// comparing the names: breakdowns are looked up for every group).
    fn rank(self) -> u8 {
        match self {
            Breakdown::Activity => 0,
            Breakdown::ActivityType => 1,
            Breakdown::Format => 2,
            Breakdown::Goal => 3,
            Breakdown::MonthsAfter => 4,
            Breakdown::Phase => 5,
            Breakdown::Quarter => 6,
            Breakdown::RespondentCountry => 7,
            Breakdown::RespondentExperience => 8,
            Breakdown::RespondentOrgType => 9,
            Breakdown::RespondentRoleLevel => 10,
        }
    }
}

impl Ord for Breakdown {
    fn cmp(&self, other: &Breakdown) -> Ordering {
        self.rank().cmp(&other.rank())
    }
}

impl Serialize for Breakdown {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Breakdowns of the activity-based indicators.
pub const ACTIVITY_GROUPS: &[Breakdown] = &[Breakdown::ActivityType, Breakdown::Phase, Breakdown::Format];
/// `goal_alignment_rate` adds the goal (share of activities declaring it that support it).
pub const ALIGNMENT_GROUPS: &[Breakdown] =
    &[Breakdown::ActivityType, Breakdown::Phase, Breakdown::Format, Breakdown::Goal];
/// Breakdowns of the survey indicators, in the order they are computed.
pub const RESPONSE_GROUPS: &[Breakdown] = &[
    Breakdown::ActivityType,
    Breakdown::Phase,
    Breakdown::Activity,
    Breakdown::RespondentExperience,
    Breakdown::RespondentCountry,
    Breakdown::Quarter,
    Breakdown::Format,
    Breakdown::RespondentOrgType,
    Breakdown::RespondentRoleLevel,
];
/// Breakdowns of the follow-up indicators (SPEC §13.1).
pub const FOLLOWUP_GROUPS: &[Breakdown] = &[
    Breakdown::Activity,
    Breakdown::ActivityType,
    Breakdown::Phase,
    Breakdown::RespondentCountry,
    Breakdown::MonthsAfter,
];

/// One indicator.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub id: &'static str,
    pub label: &'static str,
    /// A column header's name: `Top two` for `Satisfied participants (top two)`.
    pub short: &'static str,
    pub unit: Unit,
    pub source: Source,
    pub aggregate: Aggregate,
    pub level: Level,
    pub breakdowns: &'static [Breakdown],
    /// Why the value is null when its inputs are absent (`no data: …`).
    pub absent: &'static str,
    pub definition: &'static str,
}

impl Entry {
    /// A survey figure: suppressed under `privacy.min_group_size` answers.
    pub fn survey(&self) -> bool {
        matches!(self.source, Source::Responses | Source::FollowUps)
    }
}

pub const CATALOG: [Entry; 28] = [
    Entry { id: "activities_total", label: "Activities", short: "Activities", unit: Unit::Count, source: Source::Activities, aggregate: Aggregate::Sum, level: Level::Output, breakdowns: ACTIVITY_GROUPS, absent: "no activities", definition: "Number of activities that started in the period." },
    Entry { id: "participants_total", label: "Participants", short: "Participants", unit: Unit::Count, source: Source::Activities, aggregate: Aggregate::Sum, level: Level::Output, breakdowns: ACTIVITY_GROUPS, absent: "no activity records its number of participants", definition: "Sum of participants over the activities that record it." },
    Entry { id: "participant_days", label: "Participant-days", short: "Participant-days", unit: Unit::Count, source: Source::Activities, aggregate: Aggregate::Sum, level: Level::Output, breakdowns: ACTIVITY_GROUPS, absent: "no activity records its number of participants", definition: "Sum of participants × days (end − start + 1)." },
    Entry { id: "countries_reached", label: "Countries reached", short: "Countries", unit: Unit::Count, source: Source::Activities, aggregate: Aggregate::Sum, level: Level::Output, breakdowns: &[], absent: "no activities", definition: "Distinct recognised countries among participating and host countries (organisations and unknown names excluded)." },
    Entry { id: "phases_covered", label: "Phases covered", short: "Phases", unit: Unit::Count, source: Source::Activities, aggregate: Aggregate::Sum, level: Level::Output, breakdowns: &[], absent: "no activities", definition: "Phases of the resettlement process with at least one activity." },
    Entry { id: "cost_total_eur", label: "Total cost (EUR)", short: "Cost (EUR)", unit: Unit::Euro, source: Source::Activities, aggregate: Aggregate::Sum, level: Level::Output, breakdowns: ACTIVITY_GROUPS, absent: "no activity records its cost", definition: "Sum of cost_eur." },
    Entry { id: "cost_per_participant_eur", label: "Cost per participant (EUR)", short: "Cost per participant", unit: Unit::Euro, source: Source::Activities, aggregate: Aggregate::Ratio, level: Level::Output, breakdowns: ACTIVITY_GROUPS, absent: "no activity records both cost and participants", definition: "Sum of cost / sum of participants, over activities with both and participants > 0." },
    Entry { id: "cost_per_participant_day_eur", label: "Cost per participant-day (EUR)", short: "Cost per participant-day", unit: Unit::Euro, source: Source::Activities, aggregate: Aggregate::Ratio, level: Level::Output, breakdowns: ACTIVITY_GROUPS, absent: "no activity records both cost and participants", definition: "Sum of cost / sum of participant-days, over activities with a cost and participants > 0." },
    Entry { id: "delivery_rate", label: "Activities delivered as planned", short: "Delivered", unit: Unit::Share, source: Source::Activities, aggregate: Aggregate::Ratio, level: Level::Output, breakdowns: ACTIVITY_GROUPS, absent: "no delivered, postponed or cancelled activities", definition: "Delivered / (delivered + postponed + cancelled) activities of the period; planned ones are not yet counted." },
    Entry { id: "followup_rate", label: "Activities with a follow-up", short: "With follow-up", unit: Unit::Share, source: Source::Activities, aggregate: Aggregate::Ratio, level: Level::Output, breakdowns: ACTIVITY_GROUPS, absent: "no activities", definition: "Share of activities with a recorded follow-up action." },
    Entry { id: "stated_goal_rate", label: "Activities with a stated goal", short: "Stated goal", unit: Unit::Share, source: Source::Activities, aggregate: Aggregate::Ratio, level: Level::Alignment, breakdowns: ACTIVITY_GROUPS, absent: "no activities", definition: "Share of activities declaring at least one goal." },
    Entry { id: "goal_alignment_rate", label: "Activities aligned with their goals", short: "Aligned", unit: Unit::Share, source: Source::Activities, aggregate: Aggregate::Ratio, level: Level::Alignment, breakdowns: ALIGNMENT_GROUPS, absent: "no activities", definition: "Share of activities whose type supports every declared goal (MPI Table C-1); no stated goal counts as not aligned." },
    Entry { id: "response_rate", label: "Survey response rate", short: "Response rate", unit: Unit::Share, source: Source::Activities, aggregate: Aggregate::Ratio, level: Level::Outcome, breakdowns: &[], absent: "no activity records participants > 0", definition: "Responses / participants, over activities with participants > 0." },
    Entry { id: "satisfaction_top2", label: "Satisfied participants (top two)", short: "Top two", unit: Unit::Share, source: Source::Responses, aggregate: Aggregate::Ratio, level: Level::Outcome, breakdowns: RESPONSE_GROUPS, absent: "no answers to the headline Likert item", definition: "Share of answers to the headline item in its top two levels, with a Wilson 95 % interval." },
    Entry { id: "satisfaction_mean", label: "Mean satisfaction", short: "Mean", unit: Unit::Score, source: Source::Responses, aggregate: Aggregate::Ratio, level: Level::Outcome, breakdowns: RESPONSE_GROUPS, absent: "no answers to the headline Likert item", definition: "Mean answer to the headline item." },
    Entry { id: "nps", label: "Net Promoter Score", short: "NPS", unit: Unit::Nps, source: Source::Responses, aggregate: Aggregate::Ratio, level: Level::Outcome, breakdowns: RESPONSE_GROUPS, absent: "no `recommend` answers", definition: "100 × (share of 9–10 − share of 0–6) over all `recommend` answers." },
    Entry { id: "intent_to_apply_rate", label: "Intend to apply what they learned", short: "Intend to apply", unit: Unit::Share, source: Source::Responses, aggregate: Aggregate::Ratio, level: Level::Outcome, breakdowns: RESPONSE_GROUPS, absent: "no `intent_to_apply` answers", definition: "Share of intent_to_apply answers that are yes or partly." },
    Entry { id: "new_contacts_rate", label: "Made new contacts", short: "New contacts", unit: Unit::Share, source: Source::Responses, aggregate: Aggregate::Ratio, level: Level::Outcome, breakdowns: RESPONSE_GROUPS, absent: "no `new_contacts` answers", definition: "Share of new_contacts answers ≥ 1." },
    Entry { id: "aim_match_rate", label: "Aims matched the activity's goals", short: "Aims matched", unit: Unit::Share, source: Source::Responses, aggregate: Aggregate::Ratio, level: Level::Alignment, breakdowns: RESPONSE_GROUPS, absent: "no responses with a participation aim for an activity with goals", definition: "Among responses with a participation aim whose activity has goals: share whose aims meet a goal." },
    Entry { id: "applied_learning_rate", label: "Applied the learning (follow-up)", short: "Applied", unit: Unit::Share, source: Source::FollowUps, aggregate: Aggregate::Ratio, level: Level::Outcome, breakdowns: FOLLOWUP_GROUPS, absent: "no `applied` answers in follow-ups", definition: "Share of follow-ups answering applied = yes or partly." },
    Entry { id: "shared_internally_rate", label: "Shared the learning internally (follow-up)", short: "Shared", unit: Unit::Share, source: Source::FollowUps, aggregate: Aggregate::Ratio, level: Level::Outcome, breakdowns: FOLLOWUP_GROUPS, absent: "no `shared_internally` answers in follow-ups", definition: "Share of follow-ups answering shared_internally = yes, over those that answered it." },
    Entry { id: "further_contact_rate", label: "Stayed in contact (follow-up)", short: "Stayed in contact", unit: Unit::Share, source: Source::FollowUps, aggregate: Aggregate::Ratio, level: Level::Outcome, breakdowns: FOLLOWUP_GROUPS, absent: "no `further_contact` answers in follow-ups", definition: "Share of follow-ups answering further_contact = yes." },
    Entry { id: "unique_participants", label: "Unique participants", short: "Unique participants", unit: Unit::Count, source: Source::Attendance, aggregate: Aggregate::Sum, level: Level::Output, breakdowns: &[], absent: "no attendance records", definition: "Distinct participant ids in the attendance lists." },
    Entry { id: "repeat_participation_rate", label: "Came back for another activity", short: "Came back", unit: Unit::Share, source: Source::Attendance, aggregate: Aggregate::Ratio, level: Level::Outcome, breakdowns: &[], absent: "no attendance records", definition: "Share of unique participants attending two or more distinct activities." },
    Entry { id: "needs_expressed", label: "Needs expressed", short: "Needs", unit: Unit::Count, source: Source::Needs, aggregate: Aggregate::Sum, level: Level::Needs, breakdowns: &[], absent: "no needs questionnaire", definition: "Distinct (country, phase) needs in the needs questionnaires." },
    Entry { id: "needs_met_rate", label: "Needs met", short: "Needs met", unit: Unit::Share, source: Source::Needs, aggregate: Aggregate::Ratio, level: Level::Needs, breakdowns: &[], absent: "no needs questionnaire", definition: "Share of needs (c, p) with an activity whose participating countries include c and whose phases include p." },
    Entry { id: "high_priority_needs_met_rate", label: "High-priority needs met", short: "High-priority met", unit: Unit::Share, source: Source::Needs, aggregate: Aggregate::Ratio, level: Level::Needs, breakdowns: &[], absent: "no need has a priority", definition: "Share of high-priority needs (a row gives priority 1) with an activity whose participating countries include the country and whose phases include the phase." },
    Entry { id: "emerging_participation_share", label: "Participation of new and emerging countries", short: "New and emerging", unit: Unit::Share, source: Source::Profiles, aggregate: Aggregate::Ratio, level: Level::Needs, breakdowns: &[], absent: "no participating country has a profile with its experience", definition: "Share of participating-country places held by countries whose profile says new or emerging, over places with a known profile." },
];

/// The registry entry of an indicator id.
///
/// # Panics
/// On an id that is not in [`CATALOG`]: ids come from the registry, so this is a bug.
pub fn entry(id: &str) -> &'static Entry {
    CATALOG.iter().find(|e| e.id == id).expect("every indicator id is in the registry")
}

/// The indicators computed from `source`, in registry order.
pub fn from_source(source: Source) -> impl Iterator<Item = &'static Entry> {
    CATALOG.iter().filter(move |e| e.source == source)
}

/// Every indicator id, in the order of the SPEC §6 table.
pub fn ids() -> impl Iterator<Item = &'static str> {
    CATALOG.iter().map(|entry| entry.id)
}

/// Indicators shown on the summary page, in order.
pub const HEADLINE: [&str; 10] = [
    "activities_total",
    "participants_total",
    "countries_reached",
    "phases_covered",
    "goal_alignment_rate",
    "satisfaction_top2",
    "nps",
    "applied_learning_rate",
    "needs_met_rate",
    "cost_per_participant_eur",
];

/// Headline indicators followed quarter by quarter.
pub const TREND_IDS: [&str; 6] = [
    "activities_total",
    "participants_total",
    "goal_alignment_rate",
    "satisfaction_top2",
    "nps",
    "applied_learning_rate",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_the_lists_name_registered_ones() {
        let ids: std::collections::BTreeSet<&str> = ids().collect();
        assert_eq!(ids.len(), CATALOG.len());
        assert!(HEADLINE.iter().chain(&TREND_IDS).all(|h| ids.contains(h)));
    }

    #[test]
    fn every_breakdown_ranks_as_its_name_sorts() {
        let mut all: Vec<Breakdown> = RESPONSE_GROUPS.to_vec();
        all.extend([Breakdown::MonthsAfter, Breakdown::Goal]);
        for a in &all {
            for b in &all {
                assert_eq!(a.cmp(b), a.as_str().cmp(b.as_str()), "{} vs {}", a.as_str(), b.as_str());
            }
        }
    }

    #[test]
    fn breakdowns_order_by_name_as_indicators_json_writes_them() {
        let mut all = RESPONSE_GROUPS.to_vec();
        all.extend([Breakdown::MonthsAfter, Breakdown::Goal]);
        all.sort();
        let names: Vec<&str> = all.iter().map(|b| b.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        assert_eq!(serde_json::to_string(&Breakdown::RespondentCountry).unwrap(), "\"respondent_country\"");
    }

    #[test]
    fn breakdown_discriminants_are_below_the_count() {
        let all = [
            Breakdown::ActivityType,
            Breakdown::Phase,
            Breakdown::Format,
            Breakdown::Goal,
            Breakdown::Activity,
            Breakdown::Quarter,
            Breakdown::MonthsAfter,
            Breakdown::RespondentCountry,
            Breakdown::RespondentExperience,
            Breakdown::RespondentOrgType,
            Breakdown::RespondentRoleLevel,
        ];
        assert_eq!(all.len(), Breakdown::COUNT);
        assert!(all.iter().enumerate().all(|(i, b)| *b as usize == i));
    }

    #[test]
    fn survey_figures_are_the_response_and_follow_up_ones() {
        let survey: Vec<&str> = CATALOG.iter().filter(|e| e.survey()).map(|e| e.id).collect();
        assert_eq!(
            survey,
            [
                "satisfaction_top2",
                "satisfaction_mean",
                "nps",
                "intent_to_apply_rate",
                "new_contacts_rate",
                "aim_match_rate",
                "applied_learning_rate",
                "shared_internally_rate",
                "further_contact_rate"
            ]
        );
    }
}
