//! Recognising which dataset a sheet holds, finding its header row, and mapping
//! its headers to canonical columns (SPEC §4).
//!
//! Headers are compared after [`normalise_header`], against each canonical name,
//! the built-in aliases below and `[columns.<dataset>]` from config. Wide-form
//! needs map phase columns to `phase:<id>`; country profiles map
//! `experience_<phase>` columns to `experience:<id>`.

use std::collections::{BTreeMap, HashMap};

use rustc_hash::FxHashMap;

use super::read::{Cell, Row, Sheet};
use super::values::{Enumeration, Vocab};
use crate::config::Config;
use crate::model::DatasetKind;
use crate::text::{normalise, normalise_header};

/// How many rows from the top are searched for a header row.
pub const HEADER_SEARCH_ROWS: usize = 20;

/// Canonical columns per dataset with their built-in aliases.
fn builtin_columns(dataset: DatasetKind) -> Vec<(&'static str, &'static [&'static str])> {
    match dataset {
        DatasetKind::Activities => vec![
            ("activity_id", &["id", "activity", "activity code", "activity ref", "reference", "ref", "code"]),
            ("type", &["type of activity", "activity type", "kind of activity", "format of activity"]),
            (
                "start_date",
                &["start", "start date", "from", "date", "begin", "beginning", "date from", "starting date"],
            ),
            ("end_date", &["end", "end date", "to", "until", "date to", "finish", "ending date"]),
            ("dates", &["date s", "when", "date range", "period"]),
            ("title", &["name", "activity title", "activity name", "subject", "topic"]),
            ("location", &["place", "venue", "city", "where"]),
            ("host_org", &["host organisation", "host organization", "organiser", "organizer", "host institution"]),
            ("project", &["programme", "program", "project name"]),
            ("component", &["work package", "wp"]),
            ("expected_outcome", &["expected outcome", "expected outcomes", "expected result", "outcome"]),
            ("format", &["delivery", "delivery mode", "mode", "modality", "in person online"]),
            ("host_country", &["host", "hosted by", "host state", "host member state"]),
            (
                "participating_countries",
                &[
                    "participating countries",
                    "participating states",
                    "participating states and organisations",
                    "participating member states",
                    "countries",
                    "participants countries",
                    "learning countries",
                ],
            ),
            ("participating_country", &["participating country", "participating state", "member state"]),
            ("phases", &["phases covered", "phase s", "phase", "resettlement phases", "phases of resettlement"]),
            ("goals", &["goal", "goal s", "objectives", "aims", "goals of the activity"]),
            (
                "participants",
                &[
                    "no of participants",
                    "number of participants",
                    "nr of participants",
                    "n participants",
                    "attendees",
                    "participants number",
                ],
            ),
            ("cost_eur", &["cost", "costs", "cost eur", "cost in eur", "cost euro", "total cost", "eur"]),
            ("follow_up", &["follow up", "follow up action", "follow up actions", "follow up recorded"]),
            ("status", &["activity status", "delivery status", "state of delivery"]),
        ],
        DatasetKind::Responses => vec![
            (
                "activity_id",
                &["activity", "activity code", "activity ref", "which activity did you attend", "activity attended"],
            ),
            ("response_id", &["id", "responseid", "response no", "response number", "_id"]),
            ("respondent_id", &["respondent", "participant id", "participant"]),
            (
                "submitted_at",
                &[
                    "timestamp",
                    "submitted",
                    "submission date",
                    "completion time",
                    "_submission_time",
                    "date submitted",
                    "end time",
                    "recorded date",
                    "recordeddate",
                ],
            ),
            (
                "country",
                &[
                    "your country",
                    "country of respondent",
                    "member state",
                    "which country are you from",
                    "which country do you work for",
                ],
            ),
            ("org_type", &["organisation type", "organization type", "type of organisation", "type of organization"]),
            ("role_level", &["role level", "level of role", "your role level"]),
            ("experience", &["resettlement experience", "country experience", "experience level"]),
            (
                "recommend",
                &[
                    "nps",
                    "likelihood to recommend",
                    "how likely are you to recommend this activity to a colleague",
                    "would you recommend this activity",
                ],
            ),
            (
                "participation_aim",
                &[
                    "aim",
                    "aims",
                    "participation aims",
                    "why did you participate",
                    "goal of participation",
                    "what did you hope to get out of this activity",
                    "what did you hope to get out of this workshop",
                ],
            ),
            ("intent_to_apply", &["intent to apply", "will you apply what you learned", "apply"]),
            (
                "new_contacts",
                &[
                    "new contacts",
                    "contacts made",
                    "number of new contacts",
                    "how many new professional contacts did you make",
                    "how many new contacts did you make",
                ],
            ),
            ("comments", &["comment", "remarks", "other comments", "any other comments", "feedback"]),
            // Survey-tool columns that mark previews and unfinished responses (SPEC §12.1).
            ("finished", &[]),
            ("status", &["response type"]),
            ("distribution_channel", &["distributionchannel"]),
        ],
        DatasetKind::Participants => vec![
            ("activity_id", &["activity", "activity code", "which activity did you attend"]),
            ("participant_id", &["participant", "person id", "attendee id", "pseudonym"]),
            ("country", &["member state", "state"]),
            ("org_type", &["organisation type", "organization type", "type of organisation"]),
            ("role_level", &["role level", "level"]),
            ("experience", &["resettlement experience", "country experience"]),
            ("role", &["participation role", "role in activity"]),
        ],
        DatasetKind::Needs => vec![
            ("country", &["member state", "state", "respondent country"]),
            ("phase", &["need", "phase of need"]),
            ("phases", &["phase s", "phases needed"]),
            ("priority", &["priority level", "importance"]),
            (
                "preferred_methods",
                &["methods", "preferred method", "preferred method s", "preferred methods of support"],
            ),
        ],
        DatasetKind::Followups => vec![
            ("activity_id", &["activity", "activity code", "which activity did you attend"]),
            ("respondent_id", &["respondent", "participant id", "participant"]),
            ("country", &["member state", "your country"]),
            (
                "months_after",
                &["months after", "months since activity", "months after activity", "follow up after months"],
            ),
            ("applied", &["applied learning", "have you applied what you learned", "applied what you learned"]),
            (
                "shared_internally",
                &["shared internally", "shared within organisation", "shared within your organisation"],
            ),
            ("further_contact", &["further contact", "stayed in contact", "contact since the activity"]),
            ("change_description", &["change", "describe the change", "what changed", "changes"]),
        ],
        DatasetKind::Countries => vec![
            ("country", &["member state", "state"]),
            ("experience", &["resettlement experience", "overall experience", "experience level"]),
            ("welfare_support_months", &["welfare support months", "welfare support", "welfare months"]),
            ("governance", &["governance model", "system of governance"]),
            ("annual_quota", &["quota", "annual quota", "resettlement quota", "yearly quota"]),
        ],
    }
}

/// Labels a sheet may be named for each dataset.
fn sheet_names(dataset: DatasetKind) -> &'static [&'static str] {
    match dataset {
        DatasetKind::Activities => &["activities", "activity register", "register", "activity list", "activity"],
        DatasetKind::Responses => &[
            "responses",
            "survey",
            "survey responses",
            "evaluation",
            "evaluations",
            "form responses",
            "form responses 1",
        ],
        DatasetKind::Participants => &["participants", "attendance", "attendees", "participant list"],
        DatasetKind::Needs => &["needs", "needs assessment", "needs questionnaire"],
        DatasetKind::Followups => &["follow ups", "followups", "follow up", "follow up survey"],
        DatasetKind::Countries => &["countries", "country profiles", "profiles"],
    }
}

/// Which canonical column a header means, per dataset.
#[derive(Debug, Clone)]
pub struct HeaderTables {
    tables: BTreeMap<DatasetKind, HashMap<String, String>>,
    phase_names: HashMap<String, String>,
    sheet_labels: HashMap<String, DatasetKind>,
    likert_items: Vec<String>,
    /// List columns that may come as one column per option, with their values.
    options: Vec<(DatasetKind, &'static str, Enumeration)>,
}

/// Headers of answers that name a person or a device: never read (SPEC §12.6).
const PERSONAL: [&str; 22] = [
    "email",
    "e mail",
    "email address",
    "e mail address",
    "your email",
    "recipientemail",
    "recipient email",
    "name",
    "your name",
    "full name",
    "first name",
    "last name",
    "recipientfirstname",
    "recipient first name",
    "recipientlastname",
    "recipient last name",
    "ipaddress",
    "ip address",
    "locationlatitude",
    "location latitude",
    "locationlongitude",
    "location longitude",
];

/// Whether a header (normalised) is a personal-data column of a survey export.
pub fn is_personal(dataset: DatasetKind, key: &str) -> bool {
    dataset != DatasetKind::Activities && PERSONAL.contains(&key)
}

/// SurveyMonkey's second header row words, which never name a column by themselves.
fn is_sub_header_word(text: &str) -> bool {
    let key = normalise(text);
    key == "response" || key == "open ended response"
}

impl HeaderTables {
    pub fn new(config: &Config) -> HeaderTables {
        let mut tables = BTreeMap::new();
        for dataset in DatasetKind::ALL {
            let mut table = HashMap::new();
            let mut add = |alias: &str, canonical: &str| {
                table.entry(normalise_header(alias)).or_insert_with(|| canonical.to_string());
            };
            // Configured aliases first: they win over built-in ones.
            if let Some(extra) = config.columns.get(&dataset) {
                for (canonical, aliases) in extra {
                    for alias in aliases {
                        add(alias, canonical);
                    }
                }
            }
            for (canonical, aliases) in builtin_columns(dataset) {
                add(canonical, canonical);
                for alias in aliases {
                    add(alias, canonical);
                }
            }
            if dataset == DatasetKind::Responses {
                for item in &config.likert.items {
                    add(&item.id, &item.id);
                    add(&item.label, &item.id);
                    for alias in &item.aliases {
                        add(alias, &item.id);
                    }
                }
            }
            tables.insert(dataset, table);
        }
        let mut phase_names = HashMap::new();
        for phase in &config.taxonomy.phases {
            for name in [&phase.id, &phase.label, &phase.number.to_string()].into_iter().chain(&phase.aliases) {
                phase_names.entry(normalise(name)).or_insert_with(|| phase.id.clone());
            }
            phase_names.entry(format!("phase {}", phase.number)).or_insert_with(|| phase.id.clone());
        }
        let mut sheet_labels = HashMap::new();
        for dataset in DatasetKind::ALL {
            sheet_labels.insert(normalise(dataset.as_str()), dataset);
            for label in sheet_names(dataset) {
                sheet_labels.insert(normalise(label), dataset);
            }
        }
        let vocab = Vocab::new(config);
        let options = vec![
            (DatasetKind::Responses, "participation_aim", vocab.goals.clone()),
            (DatasetKind::Activities, "goals", vocab.goals.clone()),
            (DatasetKind::Activities, "phases", vocab.phases.clone()),
            (DatasetKind::Needs, "preferred_methods", vocab.methods.clone()),
        ];
        HeaderTables {
            tables,
            phase_names,
            sheet_labels,
            likert_items: config.likert.items.iter().map(|i| i.id.clone()).collect(),
            options,
        }
    }

    /// The canonical column a header maps to in `dataset`, if any: the header
    /// whole, else as a survey tool's grid or option header (SPEC §12.6): its row
    /// part, then its stem. An option column maps to `option:<column>:<value id>`.
    pub fn canonical(&self, dataset: DatasetKind, header: &str) -> Option<String> {
        self.canonical_within(dataset, header, 0)
    }

    /// [`Self::canonical`], `depth` grid levels down (at most two, and only for
    /// headers of a sensible length, so a hostile header costs little).
    fn canonical_within(&self, dataset: DatasetKind, header: &str, depth: u8) -> Option<String> {
        let key = normalise_header(header);
        if key.is_empty() || is_personal(dataset, &key) || is_sub_header_word(header) {
            return None;
        }
        if let Some(canonical) = self.whole(dataset, &key) {
            return Some(canonical);
        }
        if dataset == DatasetKind::Responses && key.starts_with("how likely") && key.contains("recommend") {
            return Some("recommend".to_string());
        }
        if let Some(stripped) = key.strip_suffix(" select all that apply") {
            if let Some(canonical) = self.whole(dataset, stripped) {
                return Some(canonical);
            }
        }
        // LimeSurvey's "question code & question text": `Q1[SQ001]. Overall satisfaction`.
        let coded = drop_code(header);
        if coded.len() < header.trim_start().len() {
            if let Some(canonical) = self.whole(dataset, &normalise_header(coded)) {
                return Some(canonical);
            }
        }
        if depth >= 2 || header.len() > 1000 {
            return None;
        }
        for (stem, row) in grid_parts(header) {
            let stem_column = self.canonical_within(dataset, stem, depth + 1);
            if let Some(column) = &stem_column {
                if let Some((_, _, values)) = self.options.iter().find(|(d, c, _)| *d == dataset && c == column) {
                    if let Ok(id) = values.resolve_ref(row) {
                        return Some(format!("option:{column}:{id}"));
                    }
                }
            }
            if let Some(canonical) =
                self.canonical_within(dataset, row, depth + 1).filter(|c| !c.starts_with("option:"))
            {
                return Some(canonical);
            }
            if stem_column.is_some() {
                return stem_column;
            }
        }
        None
    }

    /// Every normalised header name that maps whole to `canonical` in `dataset`.
    pub fn names_of(&self, dataset: DatasetKind, canonical: &str) -> Vec<String> {
        self.tables[&dataset].iter().filter(|(_, c)| *c == canonical).map(|(k, _)| k.clone()).collect()
    }

    /// The canonical column of a header taken whole (`key` is its normalised form).
    pub fn whole(&self, dataset: DatasetKind, key: &str) -> Option<String> {
        if let Some(canonical) = self.tables[&dataset].get(key) {
            return Some(canonical.clone());
        }
        match dataset {
            DatasetKind::Needs if self.phase_names.contains_key(key) => {
                self.phase_names.get(key).map(|id| format!("phase:{id}"))
            }
            DatasetKind::Countries
                if key.strip_prefix("experience ").is_some_and(|r| self.phase_names.contains_key(r)) =>
            {
                key.strip_prefix("experience ")
                    .and_then(|rest| self.phase_names.get(rest))
                    .map(|id| format!("experience:{id}"))
            }
            _ => None,
        }
    }

    /// The canonical column of `dataset` closest to an unmapped header, when close
    /// enough to be a typo (`Strat date` → `start_date`).
    pub fn suggest(&self, dataset: DatasetKind, header: &str) -> Option<String> {
        let mut names: Vec<&str> = self.tables[&dataset].values().map(String::as_str).collect();
        names.sort_unstable();
        names.dedup();
        crate::text::closest(header, names.iter().copied()).map(str::to_string)
    }

    /// The dataset a sheet name stands for.
    pub fn dataset_for_sheet_name(&self, name: &str) -> Option<DatasetKind> {
        self.sheet_labels.get(&normalise(name)).copied()
    }

    /// Map one row as a header row for `dataset`.
    pub fn map_row(&self, dataset: DatasetKind, row: &Row) -> ColumnMap {
        let mut map = ColumnMap {
            dataset,
            header_row: row.index,
            columns: FxHashMap::default(),
            ignored: Vec::new(),
            duplicates: Vec::new(),
            options: Vec::new(),
        };
        for (col, cell) in &row.cells {
            let header = cell.display();
            match self.canonical(dataset, &header) {
                Some(canonical) if map.columns.contains_key(&canonical) => {
                    map.duplicates.push((*col, header, canonical))
                }
                Some(canonical) => {
                    if let Some((column, id)) = canonical.strip_prefix("option:").and_then(|o| o.split_once(':')) {
                        map.options.push((column.to_string(), id.to_string(), *col));
                    }
                    map.columns.insert(canonical, (*col, header));
                }
                None => map.ignored.push((*col, header)),
            }
        }
        map
    }

    /// Whether a mapped row carries the header signature of its dataset (SPEC §4 table).
    fn has_signature(&self, map: &ColumnMap) -> bool {
        let has = |c: &str| map.columns.contains_key(c);
        match map.dataset {
            DatasetKind::Activities => has("activity_id") && has("type") && (has("start_date") || has("dates")),
            DatasetKind::Participants => has("activity_id") && has("participant_id"),
            DatasetKind::Followups => {
                has("activity_id") && (has("applied") || has("further_contact") || has("shared_internally"))
            }
            DatasetKind::Responses => has("recommend") || self.likert_items.iter().any(|item| has(item)),
            DatasetKind::Needs => {
                has("country") && (has("phase") || has("phases") || map.columns.keys().any(|k| k.starts_with("phase:")))
            }
            DatasetKind::Countries => {
                has("country")
                    && (has("experience") || has("welfare_support_months") || has("governance") || has("annual_quota"))
            }
        }
    }

    /// Recognise a sheet: forced dataset (config map) or sheet name, else header
    /// signatures in the top rows.
    pub fn recognise(&self, sheet: &Sheet, forced: Option<DatasetKind>) -> Option<ColumnMap> {
        let candidates = header_candidates(sheet);
        let top = || candidates.iter();
        if let Some(dataset) = forced.or_else(|| self.dataset_for_sheet_name(&sheet.name)) {
            // The header row is the top row that maps the most columns (the first
            // of equals). A row maps at most one column per cell, so a row with no
            // more cells than the best row maps columns cannot beat it.
            let mut best: Option<ColumnMap> = None;
            for row in top().filter(|row| row.cells.iter().any(|(_, c)| matches!(c, Cell::Text(_)))) {
                if best.as_ref().is_some_and(|b| row.cells.len() <= b.columns.len()) {
                    continue;
                }
                let map = self.map_row(dataset, row);
                if !map.columns.is_empty() && best.as_ref().is_none_or(|b| map.columns.len() > b.columns.len()) {
                    best = Some(map);
                }
            }
            if best.is_some() || forced.is_some() {
                return best;
            }
        }
        const ORDER: [DatasetKind; 6] = [
            DatasetKind::Activities,
            DatasetKind::Participants,
            DatasetKind::Followups,
            DatasetKind::Responses,
            DatasetKind::Needs,
            DatasetKind::Countries,
        ];
        for row in top() {
            for dataset in ORDER {
                let map = self.map_row(dataset, row);
                if self.has_signature(&map) {
                    return Some(map);
                }
            }
        }
        None
    }
}

/// The columns of one sheet: canonical name → (column index, header as written).
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnMap {
    pub dataset: DatasetKind,
    /// 0-based index of the header row.
    pub header_row: u32,
    /// Canonical column → (0-based column, header as written).
    pub columns: FxHashMap<String, (u32, String)>,
    /// Headers that map to nothing.
    pub ignored: Vec<(u32, String)>,
    /// Headers that map to a column already mapped: (column, header, canonical).
    pub duplicates: Vec<(u32, String, String)>,
    /// One-column-per-option columns of a list column: (list column, value id, column).
    pub options: Vec<(String, String, u32)>,
}

/// The rows that may be a sheet's header: the top rows, where a row followed by a
/// SurveyMonkey-style second header row (`Response`, `Open-Ended Response` or an
/// answer option under each question) is merged with it into one row.
fn header_candidates(sheet: &Sheet) -> Vec<Row> {
    let top: Vec<&Row> = sheet.rows.iter().take(HEADER_SEARCH_ROWS).collect();
    let is_sub_header = |row: &Row| {
        row.cells.iter().any(|(_, c)| {
            let text = c.display();
            let text = text.trim();
            text.eq_ignore_ascii_case("response") || text.eq_ignore_ascii_case("open-ended response")
        })
    };
    let mut out = Vec::with_capacity(top.len());
    let mut merged_into_previous = false;
    for (i, row) in top.iter().enumerate() {
        let below = top.get(i + 1).filter(|next| next.index == row.index + 1 && is_sub_header(next));
        // A second header row never stands alone: its `Response` cells name nothing.
        if !std::mem::take(&mut merged_into_previous) {
            match below {
                Some(next) => out.push(merge_header_rows(row, next)),
                None => out.push((*row).clone()),
            }
        }
        merged_into_previous = below.is_some();
    }
    out
}

/// `Question` over `Response` → `Question`; `Question` (carried right across a
/// merged range) over `Option` → `Question - Option`. The merged row takes the
/// second row's index, so data starts below both.
fn merge_header_rows(first: &Row, second: &Row) -> Row {
    let last_col = first.cells.iter().chain(&second.cells).map(|(c, _)| *c).max().unwrap_or(0);
    let mut carried = String::new();
    let mut cells = Vec::new();
    for col in 0..=last_col {
        if let Some(top) = first.get(col) {
            carried = top.display().trim().to_string();
        }
        let below = second.get(col).map(|c| c.display().trim().to_string()).unwrap_or_default();
        let header = if below.is_empty()
            || below.eq_ignore_ascii_case("response")
            || below.eq_ignore_ascii_case("open-ended response")
        {
            if first.get(col).is_some() {
                carried.clone()
            } else {
                String::new()
            }
        } else if carried.is_empty() {
            below
        } else {
            format!("{carried} - {below}")
        };
        if !header.is_empty() {
            cells.push((col, Cell::Text(header)));
        }
    }
    Row { index: second.index, cells, hidden: false }
}

/// The (stem, row) readings of a grid or option header, in the order SPEC §12.6
/// tries them: `Stem [Row]` (Google Forms, LimeSurvey; a leading `code. ` of the
/// stem dropped), `Stem.Row` (Microsoft Forms), `Stem - Row` (SurveyMonkey),
/// `group/row` and `group-row` (KoboToolbox, ODK).
pub fn grid_parts(header: &str) -> Vec<(&str, &str)> {
    let header = header.trim();
    let mut parts = Vec::new();
    fn add<'a>(parts: &mut Vec<(&'a str, &'a str)>, stem: &'a str, row: &'a str) {
        let (stem, row) = (stem.trim(), row.trim());
        if !stem.is_empty() && !row.is_empty() {
            parts.push((stem, row));
        }
    }
    if let Some(inner) = header.strip_suffix(']') {
        if let Some((stem, row)) = inner.rsplit_once('[') {
            add(&mut parts, drop_code(stem), row);
        }
    }
    if let Some((stem, row)) = header.rsplit_once('.') {
        if !row.starts_with(char::is_whitespace) && !row.chars().all(|c| c.is_ascii_digit()) {
            add(&mut parts, stem, row);
        }
    }
    for separator in [" - ", " – "] {
        if let Some((stem, row)) = header.rsplit_once(separator) {
            add(&mut parts, stem, row);
        }
    }
    if let Some((stem, row)) = header.rsplit_once('/') {
        add(&mut parts, stem, row);
    }
    if let Some((stem, row)) = header.rsplit_once('-') {
        if !stem.ends_with(' ') && !row.starts_with(' ') {
            add(&mut parts, stem, row);
        }
    }
    parts
}

/// `G01Q03. Please rate` → `Please rate`: a leading question code with a full stop.
fn drop_code(stem: &str) -> &str {
    let trimmed = stem.trim_start();
    match trimmed.split_once(". ") {
        Some((code, rest))
            if !code.is_empty()
                && code.chars().all(|c| c.is_ascii_alphanumeric() || "_[]".contains(c))
                && code.chars().any(|c| c.is_ascii_digit()) =>
        {
            rest
        }
        _ => trimmed,
    }
}

/// Glob match with `*` and `?`, case-insensitive, in time linear in the name
/// (through the `regex` crate's automaton; a backtracking matcher took 12.6 s for a
/// 200-character name against `*a*a*a*a*aZ`).
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let mut expression = String::from("(?is)^");
    for c in pattern.chars() {
        match c {
            '*' => expression.push_str(".*"),
            '?' => expression.push('.'),
            other => expression.push_str(&regex::escape(&other.to_string())),
        }
    }
    expression.push('$');
    regex::Regex::new(&expression).is_ok_and(|re| re.is_match(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(index: u32, headers: &[&str]) -> Row {
        Row {
            index,
            cells: headers.iter().enumerate().map(|(i, h)| (i as u32, Cell::Text(h.to_string()))).collect(),
            hidden: false,
        }
    }

    #[test]
    fn aliases_map_to_canonical_columns() {
        let tables = HeaderTables::new(&Config::default());
        let a = DatasetKind::Activities;
        assert_eq!(tables.canonical(a, "Start"), Some("start_date".into()));
        assert_eq!(tables.canonical(a, "From"), Some("start_date".into()));
        assert_eq!(tables.canonical(a, "End date"), Some("end_date".into()));
        assert_eq!(tables.canonical(a, "Type of activity"), Some("type".into()));
        assert_eq!(tables.canonical(a, "No. of participants"), Some("participants".into()));
        assert_eq!(tables.canonical(a, "Number of participants"), Some("participants".into()));
        assert_eq!(tables.canonical(a, "Phase(s)"), Some("phases".into()));
        assert_eq!(tables.canonical(a, "Phases covered"), Some("phases".into()));
        assert_eq!(
            tables.canonical(DatasetKind::Countries, "Welfare support (months)"),
            Some("welfare_support_months".into())
        );
        assert_eq!(tables.canonical(DatasetKind::Followups, "Months after"), Some("months_after".into()));
        assert_eq!(
            tables.canonical(DatasetKind::Responses, "Q3. Overall satisfaction"),
            Some("overall_satisfaction".into())
        );
        assert_eq!(
            tables.canonical(DatasetKind::Needs, "Pre-departure orientation"),
            Some("phase:pre_departure".into())
        );
        assert_eq!(tables.canonical(DatasetKind::Needs, "3"), Some("phase:selection_decision".into()));
        assert_eq!(
            tables.canonical(DatasetKind::Countries, "experience_reception"),
            Some("experience:reception".into())
        );
        assert_eq!(tables.canonical(a, "Colour"), None);
        // Survey-tool grids and codes (SPEC §12.6).
        let r = DatasetKind::Responses;
        for header in [
            "Please rate the activity [Overall satisfaction]",
            "G01Q03. Please rate the activity [Overall satisfaction]",
            "Q1[SQ001]. Overall satisfaction",
            "Please rate the activity.Overall satisfaction",
            "Please rate the workshop - Overall satisfaction",
            "feedback/overall_satisfaction",
            "feedback-overall_satisfaction",
        ] {
            assert_eq!(tables.canonical(r, header), Some("overall_satisfaction".into()), "{header}");
        }
        assert_eq!(
            tables.canonical(r, "How likely is it that you would recommend this workshop to a friend or colleague?"),
            Some("recommend".into())
        );
        assert_eq!(
            tables.canonical(r, "participation_aim/relational"),
            Some("option:participation_aim:relational".into())
        );
        assert_eq!(
            tables.canonical(r, "What did you hope to get out of this activity? [Information about how others do it]"),
            Some("option:participation_aim:informational".into())
        );
        assert_eq!(tables.canonical(r, "Response"), None);
        assert_eq!(tables.canonical(r, "Email Address"), None);
        assert_eq!(tables.canonical(r, "RecipientEmail"), None);
    }

    #[test]
    fn unmapped_headers_get_the_closest_column() {
        let tables = HeaderTables::new(&Config::default());
        assert_eq!(tables.suggest(DatasetKind::Activities, "Strat date"), Some("start_date".into()));
        assert_eq!(tables.suggest(DatasetKind::Activities, "Colour of the room"), None);
    }

    #[test]
    fn configured_aliases_are_used() {
        let config = Config::parse(
            "[columns.responses]\noverall_satisfaction = [\"Overall, how satisfied were you with the activity?\"]\n",
            "t",
        )
        .unwrap();
        let tables = HeaderTables::new(&config);
        assert_eq!(
            tables.canonical(DatasetKind::Responses, "Overall, how satisfied were you with the activity?"),
            Some("overall_satisfaction".into())
        );
    }

    #[test]
    fn signature_found_below_title_rows() {
        let tables = HeaderTables::new(&Config::default());
        let sheet = Sheet {
            name: "Sheet1".into(),
            rows: vec![
                row(0, &["EU-FRANK activity register 2016–2020"]),
                row(2, &["Activity ID", "Type of activity", "Start", "End"]),
                row(3, &["SV-01", "Study visit", "2016-11-09", "2016-11-11"]),
            ],
            ..Sheet::default()
        };
        let map = tables.recognise(&sheet, None).unwrap();
        assert_eq!(map.dataset, DatasetKind::Activities);
        assert_eq!(map.header_row, 2);
        assert_eq!(map.columns["start_date"], (2, "Start".to_string()));
    }

    #[test]
    fn signatures_in_spec_order() {
        let tables = HeaderTables::new(&Config::default());
        let recognise = |headers: &[&str]| {
            tables
                .recognise(&Sheet { name: "x".into(), rows: vec![row(0, headers)], ..Sheet::default() }, None)
                .map(|m| m.dataset)
        };
        assert_eq!(recognise(&["activity_id", "participant_id", "country"]), Some(DatasetKind::Participants));
        assert_eq!(recognise(&["activity_id", "applied"]), Some(DatasetKind::Followups));
        assert_eq!(recognise(&["activity_id", "recommend"]), Some(DatasetKind::Responses));
        assert_eq!(recognise(&["country", "phase", "priority"]), Some(DatasetKind::Needs));
        assert_eq!(recognise(&["Country", "Identification & referral", "Reception"]), Some(DatasetKind::Needs));
        assert_eq!(recognise(&["country", "experience", "annual_quota"]), Some(DatasetKind::Countries));
        assert_eq!(recognise(&["name", "colour"]), None);
    }

    #[test]
    fn sheet_names_pick_the_dataset() {
        let tables = HeaderTables::new(&Config::default());
        assert_eq!(tables.dataset_for_sheet_name("Activity register"), Some(DatasetKind::Activities));
        assert_eq!(tables.dataset_for_sheet_name("Follow-ups"), Some(DatasetKind::Followups));
        assert_eq!(tables.dataset_for_sheet_name("Country profiles"), Some(DatasetKind::Countries));
    }

    #[test]
    fn globs() {
        assert!(glob_match("survey_*.xlsx", "survey_SV-01.xlsx"));
        assert!(glob_match("*.XLSX", "a.xlsx"));
        assert!(glob_match("data?.csv", "data1.csv"));
        assert!(!glob_match("survey_*.xlsx", "register.xlsx"));
    }
}
