//! The vocabulary every stage shares, with no dependency of its own: the
//! datasets, the answer scales records use, the template's helper sheets and the
//! limits the parsers hold to. `config`, `ingest`, `indicators` and `report` all
//! read it; it reads nothing of theirs.

use serde::{Deserialize, Serialize};

/// The six input datasets (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DatasetKind {
    Activities,
    Responses,
    Participants,
    Needs,
    Followups,
    Countries,
}

impl DatasetKind {
    pub const ALL: [DatasetKind; 6] = [
        DatasetKind::Activities,
        DatasetKind::Responses,
        DatasetKind::Participants,
        DatasetKind::Needs,
        DatasetKind::Followups,
        DatasetKind::Countries,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DatasetKind::Activities => "activities",
            DatasetKind::Responses => "responses",
            DatasetKind::Participants => "participants",
            DatasetKind::Needs => "needs",
            DatasetKind::Followups => "followups",
            DatasetKind::Countries => "countries",
        }
    }
}

/// A country's experience of resettlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Experience {
    New,
    Emerging,
    Experienced,
}

impl Experience {
    pub fn as_str(self) -> &'static str {
        match self {
            Experience::New => "new",
            Experience::Emerging => "emerging",
            Experience::Experienced => "experienced",
        }
    }

    /// The level named by its id (`new`, `emerging`, `experienced`).
    pub fn from_id(id: &str) -> Option<Experience> {
        [Experience::New, Experience::Emerging, Experience::Experienced].into_iter().find(|e| e.as_str() == id)
    }
}

/// Answers of the form yes / partly / no.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum YesPartlyNo {
    Yes,
    Partly,
    No,
}

impl YesPartlyNo {
    pub fn as_str(self) -> &'static str {
        match self {
            YesPartlyNo::Yes => "yes",
            YesPartlyNo::Partly => "partly",
            YesPartlyNo::No => "no",
        }
    }

    /// The answer named by its id (`yes`, `partly`, `no`).
    pub fn from_id(id: &str) -> Option<YesPartlyNo> {
        [YesPartlyNo::Yes, YesPartlyNo::Partly, YesPartlyNo::No].into_iter().find(|v| v.as_str() == id)
    }
}

/// A sheet of the run: its file's position among the inputs, and its own
/// position in the file. Ordered by file, then sheet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SheetId {
    pub file: u32,
    pub sheet: u32,
}

/// Sheets of a template that the reader skips without a note.
pub const HELPER_SHEETS: [&str; 2] = ["Instructions", "Lists"];

/// Goals a participation aim is recorded against (one bit each).
pub const MAX_GOALS: usize = 32;
