//! Goal–activity alignment (MPI Table C-1) per activity, and phases with no activity.

use super::{ActivityAlignment, AlignmentSection, Population};
use crate::model::{Activity, Taxonomy};

/// Supported goals / declared goals; `None` when no goal is declared.
pub fn score(activity: &Activity, taxonomy: &Taxonomy) -> Option<f64> {
    if activity.goals.is_empty() {
        return None;
    }
    let supported = activity.goals.iter().filter(|g| taxonomy.supports(&activity.kind, g)).count();
    Some(supported as f64 / activity.goals.len() as f64)
}

/// Alignment of every activity of the period (sorted by id) and the phase gaps.
pub fn section(pop: &Population) -> (AlignmentSection, Vec<String>) {
    let mut activities: Vec<ActivityAlignment> = pop
        .activities
        .iter()
        .map(|a| {
            let score = score(a, &pop.taxonomy);
            ActivityAlignment {
                activity_id: a.id.clone(),
                score,
                aligned: score == Some(1.0),
                no_stated_goal: a.goals.is_empty(),
                unsupported_goals: a.goals.iter().filter(|g| !pop.taxonomy.supports(&a.kind, g)).cloned().collect(),
            }
        })
        .collect();
    activities.sort_by(|a, b| a.activity_id.cmp(&b.activity_id));
    let gaps = pop
        .taxonomy
        .phases
        .iter()
        .filter(|phase| !pop.activities.iter().any(|a| a.phases.contains(phase)))
        .cloned()
        .collect();
    (AlignmentSection { activities }, gaps)
}
