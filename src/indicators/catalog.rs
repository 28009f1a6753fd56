//! What each indicator is called, its unit, and its definition in words, for the
//! reports' tables and methodology sections.

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

/// The records an indicator is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Activities,
    /// Participant survey responses (subject to the privacy threshold).
    Responses,
    /// Follow-up survey responses (subject to the privacy threshold).
    FollowUps,
    Attendance,
    Needs,
    /// Country profiles, over the activities' participating countries.
    Profiles,
}

/// Whether a figure adds records up or relates two quantities (a share, a mean,
/// a cost per head): a ratio is read with its `n`, a sum is its own count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    Sum,
    Ratio,
}

/// Label, unit, source and definition of one indicator.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub id: &'static str,
    pub label: &'static str,
    /// A column header's name: `Top two` for `Satisfied participants (top two)`.
    pub short: &'static str,
    pub unit: Unit,
    pub source: Source,
    pub aggregate: Aggregate,
    pub definition: &'static str,
}

pub const CATALOG: [Entry; 28] = [
    Entry { id: "activities_total", label: "Activities", short: "Activities", unit: Unit::Count, source: Source::Activities, aggregate: Aggregate::Sum, definition: "Number of activities that started in the period." },
    Entry { id: "participants_total", label: "Participants", short: "Participants", unit: Unit::Count, source: Source::Activities, aggregate: Aggregate::Sum, definition: "Sum of participants over the activities that record it." },
    Entry { id: "participant_days", label: "Participant-days", short: "Participant-days", unit: Unit::Count, source: Source::Activities, aggregate: Aggregate::Sum, definition: "Sum of participants × days (end − start + 1)." },
    Entry { id: "countries_reached", label: "Countries reached", short: "Countries", unit: Unit::Count, source: Source::Activities, aggregate: Aggregate::Sum, definition: "Distinct recognised countries among participating and host countries (organisations and unknown names excluded)." },
    Entry { id: "phases_covered", label: "Phases covered", short: "Phases", unit: Unit::Count, source: Source::Activities, aggregate: Aggregate::Sum, definition: "Phases of the resettlement process with at least one activity." },
    Entry { id: "cost_total_eur", label: "Total cost (EUR)", short: "Cost (EUR)", unit: Unit::Euro, source: Source::Activities, aggregate: Aggregate::Sum, definition: "Sum of cost_eur." },
    Entry { id: "cost_per_participant_eur", label: "Cost per participant (EUR)", short: "Cost per participant", unit: Unit::Euro, source: Source::Activities, aggregate: Aggregate::Ratio, definition: "Sum of cost / sum of participants, over activities with both and participants > 0." },
    Entry { id: "cost_per_participant_day_eur", label: "Cost per participant-day (EUR)", short: "Cost per participant-day", unit: Unit::Euro, source: Source::Activities, aggregate: Aggregate::Ratio, definition: "Sum of cost / sum of participant-days, over activities with a cost and participants > 0." },
    Entry { id: "delivery_rate", label: "Activities delivered as planned", short: "Delivered", unit: Unit::Share, source: Source::Activities, aggregate: Aggregate::Ratio, definition: "Delivered / (delivered + postponed + cancelled) activities of the period; planned ones are not yet counted." },
    Entry { id: "followup_rate", label: "Activities with a follow-up", short: "With follow-up", unit: Unit::Share, source: Source::Activities, aggregate: Aggregate::Ratio, definition: "Share of activities with a recorded follow-up action." },
    Entry { id: "stated_goal_rate", label: "Activities with a stated goal", short: "Stated goal", unit: Unit::Share, source: Source::Activities, aggregate: Aggregate::Ratio, definition: "Share of activities declaring at least one goal." },
    Entry { id: "goal_alignment_rate", label: "Activities aligned with their goals", short: "Aligned", unit: Unit::Share, source: Source::Activities, aggregate: Aggregate::Ratio, definition: "Share of activities whose type supports every declared goal (MPI Table C-1); no stated goal counts as not aligned." },
    Entry { id: "response_rate", label: "Survey response rate", short: "Response rate", unit: Unit::Share, source: Source::Responses, aggregate: Aggregate::Ratio, definition: "Responses / participants, over activities with participants > 0." },
    Entry { id: "satisfaction_top2", label: "Satisfied participants (top two)", short: "Top two", unit: Unit::Share, source: Source::Responses, aggregate: Aggregate::Ratio, definition: "Share of answers to the headline item in its top two levels, with a Wilson 95 % interval." },
    Entry { id: "satisfaction_mean", label: "Mean satisfaction", short: "Mean", unit: Unit::Score, source: Source::Responses, aggregate: Aggregate::Ratio, definition: "Mean answer to the headline item." },
    Entry { id: "nps", label: "Net Promoter Score", short: "NPS", unit: Unit::Nps, source: Source::Responses, aggregate: Aggregate::Ratio, definition: "100 × (share of 9–10 − share of 0–6) over all `recommend` answers." },
    Entry { id: "intent_to_apply_rate", label: "Intend to apply what they learned", short: "Intend to apply", unit: Unit::Share, source: Source::Responses, aggregate: Aggregate::Ratio, definition: "Share of intent_to_apply answers that are yes or partly." },
    Entry { id: "new_contacts_rate", label: "Made new contacts", short: "New contacts", unit: Unit::Share, source: Source::Responses, aggregate: Aggregate::Ratio, definition: "Share of new_contacts answers ≥ 1." },
    Entry { id: "aim_match_rate", label: "Aims matched the activity's goals", short: "Aims matched", unit: Unit::Share, source: Source::Responses, aggregate: Aggregate::Ratio, definition: "Among responses with a participation aim whose activity has goals: share whose aims meet a goal." },
    Entry { id: "applied_learning_rate", label: "Applied the learning (follow-up)", short: "Applied", unit: Unit::Share, source: Source::FollowUps, aggregate: Aggregate::Ratio, definition: "Share of follow-ups answering applied = yes or partly." },
    Entry { id: "shared_internally_rate", label: "Shared the learning internally (follow-up)", short: "Shared", unit: Unit::Share, source: Source::FollowUps, aggregate: Aggregate::Ratio, definition: "Share of follow-ups answering shared_internally = yes, over those that answered it." },
    Entry { id: "further_contact_rate", label: "Stayed in contact (follow-up)", short: "Stayed in contact", unit: Unit::Share, source: Source::FollowUps, aggregate: Aggregate::Ratio, definition: "Share of follow-ups answering further_contact = yes." },
    Entry { id: "unique_participants", label: "Unique participants", short: "Unique participants", unit: Unit::Count, source: Source::Attendance, aggregate: Aggregate::Sum, definition: "Distinct participant ids in the attendance lists." },
    Entry { id: "repeat_participation_rate", label: "Came back for another activity", short: "Came back", unit: Unit::Share, source: Source::Attendance, aggregate: Aggregate::Ratio, definition: "Share of unique participants attending two or more distinct activities." },
    Entry { id: "needs_expressed", label: "Needs expressed", short: "Needs", unit: Unit::Count, source: Source::Needs, aggregate: Aggregate::Sum, definition: "Distinct (country, phase) needs in the needs questionnaires." },
    Entry { id: "needs_met_rate", label: "Needs met", short: "Needs met", unit: Unit::Share, source: Source::Needs, aggregate: Aggregate::Ratio, definition: "Share of needs (c, p) with an activity whose participating countries include c and whose phases include p." },
    Entry { id: "high_priority_needs_met_rate", label: "High-priority needs met", short: "High-priority met", unit: Unit::Share, source: Source::Needs, aggregate: Aggregate::Ratio, definition: "Share of high-priority needs (a row gives priority 1) with an activity whose participating countries include the country and whose phases include the phase." },
    Entry { id: "emerging_participation_share", label: "Participation of new and emerging countries", short: "New and emerging", unit: Unit::Share, source: Source::Profiles, aggregate: Aggregate::Ratio, definition: "Share of participating-country places held by countries whose profile says new or emerging, over places with a known profile." },
];

/// The catalogue entry of an indicator id.
pub fn entry(id: &str) -> &'static Entry {
    CATALOG.iter().find(|e| e.id == id).expect("every indicator id is catalogued")
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

#[cfg(test)]
mod tests {
    #[test]
    fn catalogue_ids_are_unique_and_headline_ones_exist() {
        let ids: std::collections::BTreeSet<&str> = super::CATALOG.iter().map(|e| e.id).collect();
        assert_eq!(ids.len(), super::CATALOG.len());
        assert!(super::HEADLINE.iter().all(|h| ids.contains(h)));
    }
}
