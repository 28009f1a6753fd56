//! Plain facts about each activity of the period, for activity tables and pages.
//! Free-text comments are included only when `privacy.publish_comments` is on, and
//! then with e-mail addresses and phone numbers masked.

use serde::Serialize;

use super::Population;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityFacts {
    pub id: String,
    pub title: Option<String>,
    pub kind: String,
    pub start: chrono::NaiveDate,
    pub end: chrono::NaiveDate,
    pub days: i64,
    pub format: String,
    pub host: Option<String>,
    pub location: Option<String>,
    pub participating: Vec<String>,
    pub phases: Vec<String>,
    pub goals: Vec<String>,
    pub participants: Option<u64>,
    pub cost_eur: Option<f64>,
    pub follow_up: bool,
    pub project: Option<String>,
    pub responses: usize,
    /// Masked comments; empty unless `privacy.publish_comments`.
    pub comments: Vec<String>,
}

/// An activity of the period that is not delivered (SPEC §13.2), for the pipeline table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PipelineEntry {
    pub id: String,
    pub title: Option<String>,
    pub kind: String,
    pub start: chrono::NaiveDate,
    pub status: &'static str,
}

/// The pipeline: planned activities first, then postponed and cancelled ones, each by start date.
pub fn pipeline(pop: &Population) -> Vec<PipelineEntry> {
    let mut entries: Vec<(crate::model::ActivityStatus, PipelineEntry)> = pop
        .pipeline
        .iter()
        .map(|a| {
            let entry = PipelineEntry {
                id: a.id.clone(),
                title: a.title.as_deref().map(crate::text::mask_contacts),
                kind: a.kind.clone(),
                start: a.start,
                status: a.status.as_str(),
            };
            (a.status, entry)
        })
        .collect();
    entries.sort_by(|(sa, a), (sb, b)| (sa, a.start, &a.id).cmp(&(sb, b.start, &b.id)));
    entries.into_iter().map(|(_, e)| e).collect()
}

pub use crate::text::mask;

pub fn activities(pop: &Population) -> Vec<ActivityFacts> {
    let publish = pop.config.privacy.publish_comments;
    let mut facts: Vec<ActivityFacts> = pop
        .activities
        .iter()
        .map(|a| ActivityFacts {
            id: a.id.clone(),
            // Free text from the register is published with contacts masked.
            title: a.title.as_deref().map(crate::text::mask_contacts),
            kind: a.kind.clone(),
            start: a.start,
            end: a.end,
            days: a.days(),
            format: a.format.clone(),
            host: a.host_country.as_ref().map(|p| crate::text::mask_contacts(p.key())),
            location: a.location.as_deref().map(crate::text::mask_contacts),
            participating: a.participating.iter().map(|p| crate::text::mask_contacts(p.key())).collect(),
            phases: a.phases.clone(),
            goals: a.goals.clone(),
            participants: a.participants,
            cost_eur: a.cost_eur,
            follow_up: a.follow_up,
            project: a.project.as_deref().map(crate::text::mask_contacts),
            responses: a.survey.all.responses as usize,
            comments: if publish { a.survey.comments.iter().map(|c| mask(c)).collect() } else { Vec::new() },
        })
        .collect();
    facts.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
    facts
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn emails_and_phones_are_masked() {
        assert_eq!(mask("Send slides to p-it-4@example.org please"), "Send slides to [e-mail removed] please");
        assert_eq!(mask("Call me on +32 2 555 01 23."), "Call me on [phone removed].");
        assert_eq!(mask("Two days in 2019 were enough"), "Two days in 2019 were enough");
    }
}
