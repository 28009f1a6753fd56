//! Turning the data rows of a recognised sheet into typed records.
//!
//! A [`RowReader`] reads one row through the sheet's [`ColumnMap`]; every value
//! problem becomes an [`Issue`] at that cell. Errors (a missing required value, an
//! unparsable `start_date`, an unknown activity) reject the row; anything else is a
//! warning and the value is ignored or coerced.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::headers::ColumnMap;
use super::read::{Cell, Row};
use super::responses::{goal_bits, Parsed, SheetActivity, TallyKey};
use super::scales::ColumnScale;
use super::values::{Problem, Vocab};
use crate::config::DateOrder;
use crate::model::{
    Activity, ActivityStatus, CountryProfile, Experience, Followup, Need, Origin, Participant, Place, Response,
    SheetId, YesPartlyNo,
};
use crate::quality::{Issue, Severity};

/// Where a sheet is, for issues and origins.
#[derive(Debug, Clone)]
pub struct SheetPlace<'a> {
    pub file: &'a str,
    pub sheet: &'a str,
    /// The sheet, for the records' origins.
    pub index: SheetId,
}

/// Reads one data row; collects issues and whether the row is rejected.
pub struct RowReader<'a> {
    place: &'a SheetPlace<'a>,
    map: &'a ColumnMap,
    row: &'a Row,
    vocab: &'a Vocab,
    /// How slash and dot dates of each date column are read (SPEC §12.4).
    orders: Option<&'a DateOrders>,
    pub issues: Vec<Issue>,
    pub rejected: bool,
}

/// The order of slash and dot dates, per date column of a sheet.
#[derive(Debug, Clone, Default)]
pub struct DateOrders {
    /// For columns not listed.
    pub default: Option<DateOrder>,
    pub columns: Vec<(String, DateOrder)>,
}

impl<'a> RowReader<'a> {
    pub fn new(place: &'a SheetPlace<'a>, map: &'a ColumnMap, row: &'a Row, vocab: &'a Vocab) -> RowReader<'a> {
        RowReader { place, map, row, vocab, orders: None, issues: Vec::new(), rejected: false }
    }

    /// Read dates in the orders decided for the sheet's columns.
    pub fn with_orders(mut self, orders: &'a DateOrders) -> RowReader<'a> {
        self.orders = Some(orders);
        self
    }

    fn order_of(&self, column: &str) -> DateOrder {
        let Some(orders) = self.orders else { return self.vocab.date_order() };
        orders
            .columns
            .iter()
            .find(|(c, _)| c == column)
            .map(|(_, o)| *o)
            .or(orders.default)
            .unwrap_or_else(|| self.vocab.date_order())
    }

    /// Whether a column's cell is filled.
    pub fn has(&self, column: &str) -> bool {
        self.text_ref(column).is_some()
    }

    pub fn origin(&self) -> Origin {
        Origin { sheet: self.place.index, row: self.row.index }
    }

    /// The cell of a canonical column, if the column exists and the cell is filled.
    fn cell(&self, column: &str) -> Option<&'a Cell> {
        let (col, _) = self.map.columns.get(column)?;
        self.row.get(*col)
    }

    fn issue(&mut self, severity: Severity, code: &'static str, column: &str, value: Option<&str>, message: String) {
        let mut issue =
            Issue::file(severity, code, self.place.file, message).in_sheet(self.place.sheet).at_row(self.row.index);
        if let Some((col, header)) = self.map.columns.get(column) {
            issue = issue.at_column(*col, header);
        }
        if let Some(value) = value {
            issue = issue.with_value(value);
        }
        if severity == Severity::Error {
            self.rejected = true;
        }
        self.issues.push(issue);
    }

    /// Report a value problem: an error rejects the row, a warning ignores the value.
    fn problem(&mut self, severity: Severity, column: &str, value: &str, problem: Problem) {
        let consequence = match severity {
            Severity::Error => "The row was not used.",
            _ if ["ignored", "kept", "counted"].iter().any(|w| problem.message.contains(w)) => "",
            _ => "The value was ignored.",
        };
        self.issue(severity, problem.code, column, Some(value), sentences(&problem.message, consequence));
    }

    /// Text of a column, trimmed; numbers as shown.
    pub fn text(&self, column: &str) -> Option<String> {
        self.text_ref(column).map(Cow::into_owned)
    }

    /// [`Self::text`], borrowed from the sheet where the cell holds text.
    fn text_ref(&self, column: &str) -> Option<Cow<'a, str>> {
        match self.cell(column)? {
            Cell::Text(text) => Some(text.trim()).filter(|t| !t.is_empty()).map(Cow::Borrowed),
            other => Some(other.display().trim().to_string()).filter(|t| !t.is_empty()).map(Cow::Owned),
        }
    }

    /// A required text; its absence rejects the row.
    pub fn required_text(&mut self, column: &str) -> Option<String> {
        let value = self.text(column);
        if value.is_none() {
            self.missing(column);
        }
        value
    }

    fn missing(&mut self, column: &str) {
        let header = self.map.columns.get(column).map(|(_, h)| h.clone()).unwrap_or_else(|| column.to_string());
        self.issue(
            Severity::Error,
            "missing_required",
            column,
            None,
            format!("`{header}` is empty but required; fill it in. The row was not used."),
        );
    }

    pub fn date(&mut self, column: &str, severity: Severity) -> Option<NaiveDate> {
        let cell = self.cell(column)?;
        match self.vocab.date_in(cell, self.order_of(column)) {
            Ok(date) => Some(date),
            Err(problem) => {
                self.problem(severity, column, &cell.display(), problem);
                None
            }
        }
    }

    /// A date, or a range of two dates in one cell (its start and end).
    pub fn date_or_range(&mut self, column: &str, severity: Severity) -> Option<(NaiveDate, Option<NaiveDate>)> {
        let cell = self.cell(column)?;
        let order = self.order_of(column);
        match self.vocab.date_in(cell, order) {
            Ok(date) => Some((date, None)),
            Err(problem) => match cell {
                Cell::Text(text) => match super::dates::parse_range(text, order) {
                    Some((start, end)) => Some((start, Some(end))),
                    None => {
                        self.problem(severity, column, text, problem);
                        None
                    }
                },
                other => {
                    self.problem(severity, column, &other.display(), problem);
                    None
                }
            },
        }
    }

    pub fn integer(&mut self, column: &str, min: i64, max: i64) -> Option<i64> {
        let cell = self.cell(column)?;
        self.vocab.integer(cell, min, max).map_err(|p| self.problem(Severity::Warning, column, &cell.display(), p)).ok()
    }

    pub fn non_negative(&mut self, column: &str) -> Option<f64> {
        let cell = self.cell(column)?;
        self.vocab.non_negative(cell).map_err(|p| self.problem(Severity::Warning, column, &cell.display(), p)).ok()
    }

    /// An enumeration value; unknown values are ignored with a warning.
    pub fn choice(&mut self, column: &str, pick: fn(&Vocab) -> &super::values::Enumeration) -> Option<String> {
        let text = self.text_ref(column)?;
        pick(self.vocab).resolve(&text).map_err(|p| self.problem(Severity::Warning, column, &text, p)).ok()
    }

    /// A list of enumeration values, from the column and from its option columns
    /// (one column per value, as survey tools export multi-select questions).
    pub fn choices(&mut self, column: &str, pick: fn(&Vocab) -> &super::values::Enumeration) -> Vec<String> {
        let mut ids = Vec::new();
        if let Some(text) = self.text_ref(column) {
            let (found, problems) = self.vocab.enum_list(pick(self.vocab), &text);
            for problem in problems {
                self.problem(Severity::Warning, column, &text, problem);
            }
            ids = found;
        }
        for (list, id, col) in &self.map.options {
            if list != column {
                continue;
            }
            if let Some(cell) = self.row.get(*col) {
                if self.marks_option(cell, id, pick(self.vocab)) && !ids.contains(id) {
                    ids.push(id.clone());
                }
            }
        }
        ids
    }

    /// Whether an option column's cell marks its option: yes-like, `1`, or the
    /// option's label; `0`, no-like and blank do not; anything else is a warning.
    fn marks_option(&mut self, cell: &Cell, id: &str, values: &super::values::Enumeration) -> bool {
        match self.vocab.yes_no(cell) {
            Ok(Some(marked)) => return marked,
            Ok(None) => return false,
            Err(_) => {}
        }
        let shown = cell.display();
        if values.resolve_ref(&shown).is_ok_and(|found| found == id) {
            return true;
        }
        let column =
            format!("option:{}:{id}", self.map.options.iter().find(|o| o.1 == id).map_or("", |o| o.0.as_str()));
        self.problem(
            Severity::Warning,
            &column,
            &shown,
            Problem::new(
                "unknown_value",
                format!("`{}` does not say whether `{id}` was chosen; write 1, yes, or leave it blank", shown.trim()),
            ),
        );
        false
    }

    pub fn phases(&mut self, column: &str) -> Vec<String> {
        let Some(text) = self.text_ref(column) else { return Vec::new() };
        let (ids, problems) = self.vocab.phase_list(&text);
        for problem in problems {
            self.problem(Severity::Warning, column, &text, problem);
        }
        ids
    }

    pub fn place(&mut self, column: &str) -> Option<Place> {
        let text = self.text_ref(column)?;
        let (place, problem) = self.vocab.place(&text);
        if let Some(problem) = problem {
            self.problem(Severity::Warning, column, &text, problem);
        }
        Some(place)
    }

    /// The ISO code of the country in `column`; other places are checked as by [`Self::place`].
    pub fn country_code(&mut self, column: &str) -> Option<String> {
        let text = self.text_ref(column)?;
        match self.vocab.known_place(&text) {
            Ok(place) => place.code().map(str::to_string),
            Err(problem) => {
                self.problem(Severity::Warning, column, &text, problem);
                None
            }
        }
    }

    pub fn places(&mut self, column: &str) -> Vec<Place> {
        let Some(text) = self.text_ref(column) else { return Vec::new() };
        let (places, problems) = self.vocab.place_list(&text);
        for problem in problems {
            self.problem(Severity::Warning, column, &text, problem);
        }
        places
    }

    pub fn experience(&mut self, column: &str) -> Option<Experience> {
        let text = self.text_ref(column)?;
        self.vocab.experience_of(&text).map_err(|p| self.problem(Severity::Warning, column, &text, p)).ok()
    }

    pub fn yes_no(&mut self, column: &str) -> Option<bool> {
        let cell = self.cell(column)?;
        self.vocab.yes_no(cell).map_err(|p| self.problem(Severity::Warning, column, &cell.display(), p)).ok().flatten()
    }

    pub fn yes_partly_no(&mut self, column: &str) -> Option<YesPartlyNo> {
        let cell = self.cell(column)?;
        self.vocab
            .yes_partly_no(cell, true)
            .map_err(|p| self.problem(Severity::Warning, column, &cell.display(), p))
            .ok()
            .flatten()
    }

    pub fn likert(&mut self, column: &str, points: u8, scale: &ColumnScale) -> Option<u8> {
        let cell = self.cell(column)?;
        self.vocab
            .likert_in(cell, points, scale)
            .map_err(|p| self.problem(Severity::Warning, column, &cell.display(), p))
            .ok()
            .flatten()
    }

    pub fn score_0_10(&mut self, column: &str) -> Option<u8> {
        let cell = self.cell(column)?;
        self.vocab
            .score_0_10(cell)
            .map_err(|p| self.problem(Severity::Warning, column, &cell.display(), p))
            .ok()
            .flatten()
    }

    /// Reject the row with an error at `column`.
    pub fn reject(&mut self, code: &'static str, column: &str, value: &str, message: String) {
        self.issue(Severity::Error, code, column, Some(value), message);
    }

    /// The row's activity id: `fixed` for a sheet without `activity_id`, else the
    /// required cell. Whether the activity exists is checked when sheets are merged.
    pub fn require_activity(&mut self, fixed: Option<&str>) -> Option<String> {
        match fixed {
            Some(id) => Some(id.to_string()),
            // An address typed as an id is masked here, in every dataset alike, so
            // that it reaches no output and references still meet their activity.
            None => self.required_text("activity_id").map(|id| crate::text::mask_contacts(&id)),
        }
    }
}

/// Why a row naming an activity missing from the register was not used.
pub fn unknown_activity_message(id: &str) -> String {
    format!(
        "`{id}` is not an activity in the activity register; correct the id or add the activity to the register. The row was not used."
    )
}

/// Join two sentences, ending the first with a full stop unless it has one.
pub fn sentences(first: &str, second: &str) -> String {
    let first = first.trim_end();
    let stop = if first.ends_with(['.', '?', '!']) { "" } else { "." };
    if second.is_empty() {
        format!("{first}{stop}")
    } else {
        format!("{first}{stop} {second}")
    }
}

pub fn activity(r: &mut RowReader) -> Option<Activity> {
    let id = r.required_text("activity_id").map(|id| crate::text::mask_contacts(&id));
    let kind = match r.text("type") {
        None => {
            r.missing("type");
            None
        }
        Some(text) => Some(match r.vocab.activity_types.resolve(&text) {
            Ok(kind) => kind,
            Err(problem) => {
                let message = sentences(&problem.message, "The activity is counted as `other`.");
                r.problem(Severity::Warning, "type", &text, Problem::new("unknown_value", message));
                "other".to_string()
            }
        }),
    };
    // The start date, or a range, from `start_date`, else from a `dates` column.
    let start = match (r.cell("start_date"), r.cell("dates")) {
        (Some(_), _) => r.date_or_range("start_date", Severity::Error),
        (None, Some(_)) => r.date_or_range("dates", Severity::Error),
        (None, None) => {
            r.missing(if r.map.columns.contains_key("start_date") { "start_date" } else { "dates" });
            None
        }
    };
    let (id, kind, (start, range_end)) = (id?, kind?, start?);
    let mut end = match r.cell("end_date") {
        Some(_) => r.date("end_date", Severity::Warning).unwrap_or(start),
        None => range_end.unwrap_or(start),
    };
    if end < start {
        let shown = end.format("%Y-%m-%d").to_string();
        r.issue(
            Severity::Warning,
            "out_of_range",
            "end_date",
            Some(&shown),
            format!(
                "the end date {shown} is before the start date {}; the end date was ignored and the activity counted as one day. Correct the dates.",
                start.format("%Y-%m-%d")
            ),
        );
        end = start;
    }
    let participants = r.integer("participants", 0, i64::MAX).map(|n| n as u64);
    let follow_up = r
        .text("follow_up")
        .is_some_and(|t| !r.vocab.is_missing(&t) && !matches!(r.vocab.yes_no(&Cell::Text(t)), Ok(Some(false))));
    Some(Activity {
        id,
        kind,
        title: r.text("title"),
        start,
        end,
        format: r.choice("format", |v| &v.formats).unwrap_or_else(|| "in_person".to_string()),
        host_country: r.place("host_country"),
        participating: {
            // A register with one row per activity and country (SPEC §12.3).
            let mut places = r.places("participating_countries");
            if let Some(place) = r.place("participating_country").filter(|p| !places.contains(p)) {
                places.push(place);
            }
            places
        },
        phases: r.phases("phases"),
        goals: r.choices("goals", |v| &v.goals),
        participants,
        cost_eur: r.non_negative("cost_eur"),
        follow_up,
        location: r.text("location"),
        host_org: r.text("host_org"),
        project: r.text("project"),
        component: r.text("component"),
        expected_outcome: r.text("expected_outcome"),
        status: r.choice("status", |v| &v.statuses).and_then(|s| ActivityStatus::from_id(&s)).unwrap_or_default(),
        survey: Default::default(),
        origin: r.origin(),
    })
}

/// The first value of a later row of the same activity (one row per country)
/// that disagrees with the activity's first row: (column, first value, later value).
/// Only the later row's filled cells are compared, after parsing.
pub fn conflict(first: &Activity, later: &Activity, r: &RowReader) -> Option<(&'static str, String, String)> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let place = |p: &Option<Place>| p.as_ref().map(|p| p.key().to_string()).unwrap_or_default();
    let date = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let start_column = if r.has("start_date") { "start_date" } else { "dates" };
    let checks: [(&'static str, String, String); 15] = [
        ("type", first.kind.clone(), later.kind.clone()),
        ("title", text(&first.title), text(&later.title)),
        (start_column, date(first.start), date(later.start)),
        ("end_date", date(first.end), date(later.end)),
        ("format", first.format.clone(), later.format.clone()),
        ("host_country", place(&first.host_country), place(&later.host_country)),
        ("phases", first.phases.join(", "), later.phases.join(", ")),
        ("goals", first.goals.join(", "), later.goals.join(", ")),
        ("location", text(&first.location), text(&later.location)),
        ("host_org", text(&first.host_org), text(&later.host_org)),
        ("project", text(&first.project), text(&later.project)),
        ("component", text(&first.component), text(&later.component)),
        ("expected_outcome", text(&first.expected_outcome), text(&later.expected_outcome)),
        ("follow_up", first.follow_up.to_string(), later.follow_up.to_string()),
        ("status", first.status.as_str().to_string(), later.status.as_str().to_string()),
    ];
    checks.into_iter().find(|(column, a, b)| r.has(column) && a != b)
}

/// Add a later row of the same activity to its first row: countries united,
/// `participants` and `cost_eur` summed over the rows that give them.
pub fn combine(first: &mut Activity, later: Activity) {
    for place in later.participating {
        if !first.participating.contains(&place) {
            first.participating.push(place);
        }
    }
    if let Some(n) = later.participants {
        first.participants = Some(first.participants.unwrap_or(0) + n);
    }
    if let Some(cost) = later.cost_eur {
        first.cost_eur = Some(first.cost_eur.unwrap_or(0.0) + cost);
    }
}

/// A survey response. Columns the indicators do not use (`respondent_id`,
/// `submitted_at`, `org_type`, `role_level`) are still checked, so their problems
/// are reported, but not kept.
pub fn response(
    r: &mut RowReader,
    fixed_activity: Option<&SheetActivity>,
    items: &[(String, u8)],
    scales: &[ColumnScale],
    keep_comment: bool,
) -> Option<Parsed> {
    let activity = match fixed_activity {
        Some(SheetActivity::Pending(sheet)) => TallyKey::SheetOf(*sheet),
        Some(SheetActivity::Settled(id)) => TallyKey::Activity(id.clone()),
        None => TallyKey::Activity(r.require_activity(None)?),
    };
    let likert =
        items.iter().zip(scales).map(|((item, points), scale)| r.likert(item, *points, scale).unwrap_or(0)).collect();
    let submitted_at = r.date("submitted_at", Severity::Warning);
    let org_type = r.choice("org_type", |v| &v.org_types);
    let role_level = r.choice("role_level", |v| &v.role_levels);
    let aims = r.choices("participation_aim", |v| &v.goals);
    let response = Response {
        activity_id: String::new(),
        response_id: r.text("response_id"),
        respondent_id: r.text("respondent_id"),
        submitted_at,
        country: r.country_code("country"),
        experience: r.experience("experience"),
        org_type,
        role_level,
        likert,
        recommend: r.score_0_10("recommend"),
        intent: r.yes_partly_no("intent_to_apply"),
        new_contacts: r.integer("new_contacts", 0, i64::MAX).map(|n| n >= 1),
        aims: goal_bits(&aims, &r.vocab.goals.ids),
        comment: if keep_comment { r.text("comments") } else { None },
        origin: r.origin(),
    };
    Some(Parsed { activity, response })
}

pub fn participant(r: &mut RowReader) -> Option<Participant> {
    let participant_id = r.required_text("participant_id");
    let activity_id = r.require_activity(None)?;
    Some(Participant {
        activity_id,
        activity: usize::MAX,
        participant_id: participant_id?,
        country: r.place("country"),
        org_type: r.choice("org_type", |v| &v.org_types),
        role_level: r.choice("role_level", |v| &v.role_levels),
        experience: r.experience("experience"),
        role: r.choice("role", |v| &v.roles),
        origin: r.origin(),
    })
}

/// Needs of one row: long form (`phase` or `phases`) or wide form (phase columns).
pub fn needs(r: &mut RowReader, phase_columns: &[(String, String)]) -> Option<Vec<Need>> {
    let country = r.required_text("country");
    let long_form = r.map.columns.contains_key("phase") || r.map.columns.contains_key("phases");
    let mut phases: Vec<(String, Option<u8>)> = Vec::new();
    let priority = r.integer("priority", 1, 3).map(|p| p as u8);
    if long_form {
        let column = if r.map.columns.contains_key("phase") { "phase" } else { "phases" };
        let Some(text) = r.text(column) else {
            r.missing(column);
            return None;
        };
        let (ids, problems) = r.vocab.phase_list(&text);
        for problem in problems {
            r.problem(Severity::Error, column, &text, problem);
        }
        if r.rejected {
            return None;
        }
        phases.extend(ids.into_iter().map(|id| (id, priority)));
    } else {
        for (column, phase) in phase_columns {
            let Some(cell) = r.cell(column) else { continue };
            // A priority number (1–3) or any yes-like mark flags a need.
            let marked = match cell {
                Cell::Number(n) if (1.0..=3.0).contains(n) && n.fract() == 0.0 => Some(Some(*n as u8)),
                other => match r.vocab.yes_no(other) {
                    Ok(Some(true)) => Some(None),
                    Ok(_) => None,
                    Err(_) => match other {
                        Cell::Text(t) if (1..=3).any(|p| t.trim() == p.to_string()) => Some(t.trim().parse().ok()),
                        _ => {
                            let shown = other.display();
                            r.problem(
                                Severity::Warning,
                                column,
                                &shown,
                                Problem::new("unknown_value", format!("`{shown}` does not say whether this phase is a need; write x, yes, or a priority 1–3")),
                            );
                            None
                        }
                    },
                },
            };
            if let Some(priority) = marked {
                phases.push((phase.clone(), priority));
            }
        }
    }
    let country = country?;
    let (place, problem) = r.vocab.place(&country);
    if let Some(problem) = problem {
        r.problem(Severity::Warning, "country", &country, problem);
    }
    let methods = r.choices("preferred_methods", |v| &v.methods);
    Some(
        phases
            .into_iter()
            .map(|(phase, priority)| Need {
                country: place.clone(),
                phase,
                priority,
                preferred_methods: methods.clone(),
                origin: r.origin(),
            })
            .collect(),
    )
}

pub fn followup(r: &mut RowReader) -> Option<Followup> {
    let activity_id = r.require_activity(None)?;
    Some(Followup {
        activity_id,
        activity: usize::MAX,
        respondent_id: r.text("respondent_id"),
        country: r.place("country"),
        months_after: r.integer("months_after", 0, 600).map(|m| m as u32),
        applied: r.yes_partly_no("applied"),
        shared_internally: r.yes_no("shared_internally"),
        further_contact: r.yes_no("further_contact"),
        change_description: r.text("change_description"),
        origin: r.origin(),
    })
}

pub fn country_profile(r: &mut RowReader, experience_columns: &[(String, String)]) -> Option<CountryProfile> {
    let country = r.required_text("country")?;
    let (place, problem) = r.vocab.place(&country);
    if let Some(problem) = problem {
        r.problem(Severity::Warning, "country", &country, problem);
    }
    let mut phase_experience = BTreeMap::new();
    for (column, phase) in experience_columns {
        if let Some(level) = r.experience(column) {
            phase_experience.insert(phase.clone(), level);
        }
    }
    Some(CountryProfile {
        country: place,
        experience: r.experience("experience"),
        phase_experience,
        welfare_support_months: r.non_negative("welfare_support_months"),
        governance: r.choice("governance", |v| &v.governance),
        annual_quota: r.non_negative("annual_quota"),
        origin: r.origin(),
    })
}
