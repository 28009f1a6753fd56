//! Built-in taxonomies: phases, goals, activity categories and types, the MPI
//! alignment matrix (Table C-1), Likert items and label sets, organisations.
//!
//! These are the defaults of `config/peer-eval.toml`; every one can be replaced there.

use std::collections::BTreeMap;

use super::{ActivityTypeDef, LikertItem, PhaseDef, TermDef};

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The six phases of the resettlement process (SPEC §5.1).
pub fn phases() -> Vec<PhaseDef> {
    let rows: [(&str, u32, &str, &[&str]); 6] = [
        (
            "identification_referral",
            1,
            "Identification & referral",
            &["identification", "referral", "identification and referral"],
        ),
        (
            "selection_mission",
            2,
            "Selection mission & interviews",
            &["selection mission", "selection missions", "interviews", "selection interviews"],
        ),
        (
            "selection_decision",
            3,
            "Dossier selection & decision",
            &["dossier selection", "selection decision", "decision", "dossier selection and decision"],
        ),
        (
            "pre_departure",
            4,
            "Pre-departure orientation",
            &["pre-departure", "pre departure", "pdo", "cultural orientation"],
        ),
        ("travel_arrival", 5, "Travel & arrival", &["travel", "arrival", "travel and arrival"]),
        (
            "reception",
            6,
            "Reception & post-arrival support",
            &["post-arrival", "post arrival", "reception and post-arrival support", "post-arrival support"],
        ),
    ];
    rows.iter()
        .map(|(id, number, label, aliases)| PhaseDef {
            id: id.to_string(),
            number: *number,
            label: label.to_string(),
            aliases: strings(aliases),
        })
        .collect()
}

/// The five goals of peer support (SPEC §5.3).
pub fn goals() -> Vec<TermDef> {
    let rows: [(&str, &str, &[&str]); 5] = [
        // The answer options of the usual "What did you hope to get out of this
        // activity?" question, as survey tools export them.
        ("motivational", "Motivational", &["motivation", "motivate", "motivation to start or expand resettlement"]),
        (
            "informational",
            "Informational",
            &["information", "inform", "knowledge", "information about how others do it"],
        ),
        ("operational", "Operational", &["operations", "operational support", "practical know-how for my daily work"]),
        (
            "relational",
            "Relational",
            &["relations", "relationships", "relationship", "network", "contacts with peers in other countries"],
        ),
        ("innovative", "Innovative", &["innovation", "innovate"]),
    ];
    rows.iter().map(|(id, label, aliases)| term(id, label, aliases)).collect()
}

/// The MPI typology of peer-support activities (SPEC §5.2).
pub fn categories() -> Vec<TermDef> {
    let rows: [(&str, &str); 5] = [
        ("sharing_information", "Sharing information"),
        ("cocreating_information", "Co-creating information"),
        ("cocreating_tools", "Co-creating tools"),
        ("general_training", "General training"),
        ("mentoring", "Mentoring"),
    ];
    rows.iter().map(|(id, label)| term(id, label, &[])).collect()
}

fn term(id: &str, label: &str, aliases: &[&str]) -> TermDef {
    TermDef { id: id.to_string(), label: label.to_string(), aliases: strings(aliases) }
}

/// Activity types and the categories each belongs to (SPEC §5.2).
pub fn activity_types() -> Vec<ActivityTypeDef> {
    let rows: [(&str, &str, &[&str], &[&str]); 19] = [
        ("conference", "Conference or seminar", &["sharing_information"], &["seminar", "seminar/conference"]),
        (
            "high_profile_event",
            "High-profile event",
            &["sharing_information"],
            &["high level event", "high-level event"],
        ),
        (
            "working_group",
            "Working group",
            &["sharing_information", "cocreating_tools"],
            &["working group meeting", "working group meetings", "wg"],
        ),
        ("study_visit", "Study visit", &["sharing_information", "general_training"], &["study trip", "sv"]),
        (
            "small_scale_exchange",
            "Small-scale exchange",
            &["sharing_information", "mentoring"],
            &["small scale expert exchange", "expert exchange", "bilateral exchange", "sse"],
        ),
        ("thematic_workshop", "Thematic workshop", &["sharing_information", "general_training"], &["workshop", "tw"]),
        ("operational_meeting", "Operational meeting", &["sharing_information"], &["omr"]),
        ("informal_exchange", "Informal exchange", &["sharing_information"], &["phone", "email", "e-mail"]),
        ("document_exchange", "Document exchange", &["sharing_information"], &[]),
        (
            "report_repository",
            "Report or repository",
            &["cocreating_information"],
            &["research", "mapping", "database", "report"],
        ),
        ("tool_development", "Tool development", &["cocreating_tools"], &["tool"]),
        ("joint_infrastructure", "Joint infrastructure", &["cocreating_tools"], &[]),
        ("training", "Training", &["general_training"], &["course"]),
        ("networking", "Networking", &["sharing_information"], &["networking event"]),
        ("twinning", "Twinning", &["mentoring"], &[]),
        ("mentoring", "Mentoring", &["mentoring"], &["coaching"]),
        ("expert_secondment", "Expert secondment", &["mentoring"], &["secondment", "expert deployment"]),
        ("pilot_project", "Pilot project", &["cocreating_tools"], &["pilot"]),
        ("other", "Other", &[], &[]),
    ];
    rows.iter()
        .map(|(id, label, categories, aliases)| ActivityTypeDef {
            id: id.to_string(),
            label: label.to_string(),
            categories: strings(categories),
            aliases: strings(aliases),
        })
        .collect()
}

/// MPI Table C-1: for each goal, the categories that support it.
pub fn alignment() -> BTreeMap<String, Vec<String>> {
    let all = ["sharing_information", "cocreating_information", "cocreating_tools", "general_training", "mentoring"];
    let rows: [(&str, &[&str]); 5] = [
        ("motivational", &["sharing_information", "mentoring"]),
        ("informational", &["sharing_information", "cocreating_information", "general_training", "mentoring"]),
        ("operational", &["cocreating_tools", "general_training", "mentoring"]),
        ("relational", &all),
        ("innovative", &all),
    ];
    rows.iter().map(|(goal, cats)| (goal.to_string(), strings(cats))).collect()
}

/// The five default post-activity Likert items (SPEC §4.2).
pub fn likert_items() -> Vec<LikertItem> {
    let rows: [(&str, &str, &[&str]); 5] = [
        (
            "overall_satisfaction",
            "Overall satisfaction",
            &["satisfaction", "overall", "overall rating", "how satisfied were you overall"],
        ),
        ("agenda_relevance", "Relevance of the agenda", &["relevance", "agenda", "the agenda was relevant to my work"]),
        ("met_expectations", "Met expectations", &["expectations", "the activity met my expectations"]),
        ("applicability", "Applicability to my work", &["applicable", "i can apply what i learned", "usefulness"]),
        (
            "organisation_quality",
            "Quality of the organisation",
            &["organisation", "organization", "organization quality", "logistics"],
        ),
    ];
    rows.iter()
        .map(|(id, label, aliases)| LikertItem {
            id: id.to_string(),
            label: label.to_string(),
            aliases: strings(aliases),
            points: 5,
        })
        .collect()
}

/// The built-in 5-point label sets of SPEC §12.7, by name. Each lists the
/// accepted labels for levels 1..=5.
pub fn likert_label_sets() -> Vec<(String, Vec<Vec<String>>)> {
    let sets: [(&str, [&[&str]; 5]); 6] = [
        (
            "agreement",
            [
                &["strongly disagree"],
                &["disagree"],
                &["neither agree nor disagree", "neutral"],
                &["agree"],
                &["strongly agree"],
            ],
        ),
        (
            "agreement_somewhat",
            [
                &["strongly disagree"],
                &["somewhat disagree"],
                &["neither agree nor disagree"],
                &["somewhat agree"],
                &["strongly agree"],
            ],
        ),
        (
            "satisfaction",
            [
                &["very dissatisfied"],
                &["dissatisfied"],
                &["neutral", "neither satisfied nor dissatisfied"],
                &["satisfied"],
                &["very satisfied"],
            ],
        ),
        (
            "satisfaction_extremely",
            [
                &["extremely dissatisfied"],
                &["somewhat dissatisfied"],
                &["neither satisfied nor dissatisfied"],
                &["somewhat satisfied"],
                &["extremely satisfied"],
            ],
        ),
        ("quality", [&["very poor"], &["poor"], &["fair"], &["good"], &["excellent"]]),
        ("quality_very_good", [&["poor"], &["fair"], &["good"], &["very good"], &["excellent"]]),
    ];
    sets.iter().map(|(name, set)| (name.to_string(), set.iter().map(|labels| strings(labels)).collect())).collect()
}

/// Answers that mean "no answer" on a Likert item, compared normalised.
pub fn missing_tokens() -> Vec<String> {
    strings(&["n/a", "na", "not applicable", "don't know", "dont know", "do not know", "-", "–", "—"])
}

/// Organisations that take part in activities but are not countries.
pub fn organisations() -> Vec<String> {
    strings(&[
        "UNHCR",
        "IOM",
        "EASO",
        "EUAA",
        "ICMC",
        "SHARE",
        "ICMC/SHARE",
        "ICMC Europe",
        "Caritas",
        "Caritas International",
        "Jesuit Refugee Service",
        "JRS",
        "UNICEF",
        "IFRC",
        "Red Cross",
        "ECRE",
        "European Commission",
        "MPI",
        "MPI Europe",
        "Frontex",
    ])
}

/// The six OECD-DAC evaluation criteria, in report order (SPEC §13.4).
pub const CRITERIA: [&str; 6] = ["relevance", "coherence", "effectiveness", "efficiency", "impact", "sustainability"];

/// The indicators that inform each criterion by default; a Likert item is
/// written `likert.<item>`.
pub fn criteria() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        (
            "relevance",
            vec![
                "needs_met_rate",
                "high_priority_needs_met_rate",
                "aim_match_rate",
                "stated_goal_rate",
                "likert.agenda_relevance",
            ],
        ),
        ("coherence", vec!["goal_alignment_rate", "phases_covered"]),
        ("effectiveness", vec!["satisfaction_top2", "satisfaction_mean", "nps", "intent_to_apply_rate"]),
        (
            "efficiency",
            vec!["cost_per_participant_eur", "cost_per_participant_day_eur", "response_rate", "delivery_rate"],
        ),
        ("impact", vec!["applied_learning_rate", "shared_internally_rate", "new_contacts_rate"]),
        ("sustainability", vec!["further_contact_rate", "repeat_participation_rate", "followup_rate"]),
    ]
}
