//! Typed records, parsed once from the inputs; indicators read only these.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use crate::answers::Survey;
use crate::config::Config;
pub use crate::schema::{DatasetKind, Experience, SheetId, YesPartlyNo};

/// A country (ISO 3166-1 alpha-2), an organisation, or a name we could not place.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Place {
    Country(String),
    Organisation(String),
    Unknown(String),
}

impl Place {
    /// The ISO code, for recognised countries only.
    pub fn code(&self) -> Option<&str> {
        match self {
            Place::Country(code) => Some(code),
            _ => None,
        }
    }

    /// The code for countries, the name as written otherwise.
    pub fn key(&self) -> &str {
        match self {
            Place::Country(name) | Place::Organisation(name) | Place::Unknown(name) => name,
        }
    }
}

/// Where a record came from, for accounting and issues.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    /// The sheet the record was read from.
    pub sheet: SheetId,
    /// 0-based row index in the sheet.
    pub row: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub id: String,
    /// Activity type id (`other` when unknown).
    pub kind: String,
    pub title: Option<String>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub format: String,
    pub host_country: Option<Place>,
    pub participating: Vec<Place>,
    pub phases: Vec<String>,
    pub goals: Vec<String>,
    pub participants: Option<u64>,
    pub cost_eur: Option<f64>,
    pub follow_up: bool,
    pub location: Option<String>,
    pub host_org: Option<String>,
    pub project: Option<String>,
    pub component: Option<String>,
    pub expected_outcome: Option<String>,
    /// Delivered (the default), or still in the pipeline (SPEC §13.2).
    pub status: ActivityStatus,
    /// The survey responses to this activity, counted when the inputs are merged.
    pub survey: Survey,
    pub origin: Origin,
}

/// Where an activity stands (SPEC §13.2): only delivered ones enter the figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActivityStatus {
    #[default]
    Delivered,
    Planned,
    Postponed,
    Cancelled,
}

impl ActivityStatus {
    pub const ALL: [ActivityStatus; 4] =
        [ActivityStatus::Delivered, ActivityStatus::Planned, ActivityStatus::Postponed, ActivityStatus::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityStatus::Delivered => "delivered",
            ActivityStatus::Planned => "planned",
            ActivityStatus::Postponed => "postponed",
            ActivityStatus::Cancelled => "cancelled",
        }
    }

    pub fn from_id(id: &str) -> Option<ActivityStatus> {
        ActivityStatus::ALL.into_iter().find(|s| s.as_str() == id)
    }
}

impl Activity {
    /// A delivered one-day study visit in person on 1 January 2019, with nothing
    /// else recorded: a base for tests to fill in.
    pub fn bare(id: &str) -> Activity {
        let day = NaiveDate::from_ymd_opt(2019, 1, 1).expect("a date");
        Activity {
            id: id.to_string(),
            kind: "study_visit".to_string(),
            title: None,
            start: day,
            end: day,
            format: "in_person".to_string(),
            host_country: None,
            participating: Vec::new(),
            phases: Vec::new(),
            goals: Vec::new(),
            participants: None,
            cost_eur: None,
            follow_up: false,
            location: None,
            host_org: None,
            project: None,
            component: None,
            expected_outcome: None,
            status: ActivityStatus::Delivered,
            survey: Survey::default(),
            origin: Origin::default(),
        }
    }

    pub fn delivered(&self) -> bool {
        self.status == ActivityStatus::Delivered
    }

    /// Length in days, counting both ends.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// Countries that took part, as learners or host.
    pub fn countries_involved(&self) -> BTreeSet<&str> {
        self.participating.iter().chain(self.host_country.iter()).filter_map(Place::code).collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    pub activity_id: String,
    /// Index of the activity in [`Dataset::activities`], set when the run links records.
    pub activity: usize,
    pub participant_id: String,
    pub country: Option<Place>,
    pub org_type: Option<String>,
    pub role_level: Option<String>,
    pub experience: Option<Experience>,
    pub role: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Need {
    pub country: Place,
    pub phase: String,
    pub priority: Option<u8>,
    pub preferred_methods: Vec<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Followup {
    pub activity_id: String,
    /// Index of the activity in [`Dataset::activities`], set when the run links records.
    pub activity: usize,
    pub respondent_id: Option<String>,
    pub country: Option<Place>,
    pub months_after: Option<u32>,
    pub applied: Option<YesPartlyNo>,
    pub shared_internally: Option<bool>,
    pub further_contact: Option<bool>,
    pub change_description: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CountryProfile {
    pub country: Place,
    pub experience: Option<Experience>,
    /// Experience per phase id, where given.
    pub phase_experience: BTreeMap<String, Experience>,
    pub welfare_support_months: Option<f64>,
    pub governance: Option<String>,
    pub annual_quota: Option<f64>,
    pub origin: Origin,
}

impl CountryProfile {
    /// Experience in a phase: the per-phase column, else the overall one.
    pub fn experience_in(&self, phase: &str) -> Option<Experience> {
        self.phase_experience.get(phase).copied().or(self.experience)
    }
}

/// Every accepted record of a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    /// Activities, each with its survey responses counted (see [`crate::answers`]).
    pub activities: Vec<Activity>,
    pub participants: Vec<Participant>,
    pub needs: Vec<Need>,
    pub followups: Vec<Followup>,
    pub countries: Vec<CountryProfile>,
    /// Survey responses row by row: only when asked for (`peer-eval export`);
    /// a run counts them while reading and keeps none.
    pub responses: Vec<Response>,
}

/// One survey response, as read; in `Dataset::responses`, accepted and its
/// activity linked to the register.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Response {
    pub activity_id: String,
    pub response_id: Option<String>,
    pub respondent_id: Option<String>,
    pub submitted_at: Option<NaiveDate>,
    /// The respondent's recognised country (ISO code).
    pub country: Option<String>,
    pub experience: Option<Experience>,
    pub org_type: Option<String>,
    pub role_level: Option<String>,
    /// Per Likert item (config order): the answer, 0 for none.
    pub likert: Vec<u8>,
    pub recommend: Option<u8>,
    pub intent: Option<YesPartlyNo>,
    pub new_contacts: Option<bool>,
    /// The participation aims, one bit per goal in config order.
    pub aims: u32,
    /// Only when comments are published (`privacy.publish_comments`).
    pub comment: Option<String>,
    pub origin: Origin,
}

impl Response {
    /// The answers, as counted.
    pub fn answers(&self) -> crate::answers::Response<'_> {
        crate::answers::Response {
            likert: &self.likert,
            recommend: self.recommend,
            intent: self.intent,
            contacts: self.new_contacts,
            aims: self.aims,
            experience: self.experience,
            country: self.country.as_deref(),
            org_type: self.org_type.as_deref(),
            role_level: self.role_level.as_deref(),
        }
    }
}

/// The parts of the configuration that indicators need, in lookup form.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    /// Phase ids in process order.
    pub phases: Vec<String>,
    pub goals: Vec<String>,
    /// Activity type → its categories.
    pub type_categories: BTreeMap<String, Vec<String>>,
    /// Goal → categories that support it.
    pub alignment: BTreeMap<String, BTreeSet<String>>,
}

impl Taxonomy {
    pub fn from_config(config: &Config) -> Taxonomy {
        let tax = &config.taxonomy;
        Taxonomy {
            phases: tax.phases.iter().map(|p| p.id.clone()).collect(),
            goals: tax.goals.iter().map(|g| g.id.clone()).collect(),
            type_categories: tax.activity_types.iter().map(|t| (t.id.clone(), t.categories.clone())).collect(),
            alignment: tax
                .alignment
                .iter()
                .map(|(goal, cats)| (goal.clone(), cats.iter().cloned().collect()))
                .collect(),
        }
    }

    /// Position of a phase in the process (unknown phases last).
    pub fn phase_order(&self, phase: &str) -> usize {
        self.phases.iter().position(|p| p == phase).unwrap_or(usize::MAX)
    }

    /// Whether an activity of type `kind` supports `goal` (Table C-1).
    pub fn supports(&self, kind: &str, goal: &str) -> bool {
        let Some(supporting) = self.alignment.get(goal) else { return false };
        self.type_categories.get(kind).is_some_and(|cats| cats.iter().any(|c| supporting.contains(c)))
    }
}
