//! Value parsing (SPEC §4): dates, numbers, lists, phases, countries, yes/no,
//! Likert answers and enumerations, each returning a typed value or a
//! [`Problem`] whose message tells staff what to write instead.

use rustc_hash::FxHashMap as HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use regex::Regex;

use super::read::Cell;
use super::scales::{ColumnScale, LabelScore, LabelSets};
use crate::config::{Config, DateOrder};
use crate::model::{Experience, Place, YesPartlyNo};
use crate::text::{closest, normalise};

/// Why a value could not be used.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub code: &'static str,
    pub message: String,
}

impl Problem {
    pub fn new(code: &'static str, message: impl Into<String>) -> Problem {
        Problem { code, message: message.into() }
    }
}

/// A closed list of ids with their accepted spellings.
#[derive(Debug, Clone)]
pub struct Enumeration {
    /// What one value is, with its article: "an activity type".
    pub what: &'static str,
    pub ids: Vec<String>,
    lookup: HashMap<String, String>,
    /// Spellings exactly as listed (ids, labels, aliases): the common case, found
    /// without normalising.
    exact: HashMap<String, String>,
    /// The label people know an id by, where it has one (`Study visit`).
    labels: HashMap<String, String>,
}

impl Enumeration {
    pub fn new<'a>(what: &'static str, entries: impl IntoIterator<Item = (&'a str, Vec<&'a str>)>) -> Enumeration {
        let mut ids = Vec::new();
        let mut lookup = HashMap::default();
        let mut exact = HashMap::default();
        for (id, aliases) in entries {
            ids.push(id.to_string());
            lookup.insert(normalise(id), id.to_string());
            exact.insert(id.to_string(), id.to_string());
            for alias in aliases {
                lookup.entry(normalise(alias)).or_insert_with(|| id.to_string());
                exact.entry(alias.to_string()).or_insert_with(|| id.to_string());
            }
        }
        // An exact spelling must mean what its normalised form means.
        exact.retain(|spelling, id| lookup.get(&normalise(spelling)) == Some(id));
        Enumeration { what, ids, lookup, exact, labels: HashMap::default() }
    }

    /// The same, where the first spelling of each entry is its label: suggestions
    /// then name the label staff know (`Small-scale exchange`), not the id.
    pub fn labelled<'a>(what: &'static str, entries: impl IntoIterator<Item = (&'a str, Vec<&'a str>)>) -> Enumeration {
        let entries: Vec<(&str, Vec<&str>)> = entries.into_iter().collect();
        let labels = entries
            .iter()
            .filter_map(|(id, spellings)| spellings.first().map(|l| (id.to_string(), l.to_string())))
            .collect();
        Enumeration { labels, ..Enumeration::new(what, entries) }
    }

    /// How to show an id to people: its label, or the id.
    pub fn label<'s>(&'s self, id: &'s str) -> &'s str {
        self.labels.get(id).map_or(id, String::as_str)
    }

    /// The id for `text`, or a message with the closest valid id.
    pub fn resolve(&self, text: &str) -> Result<String, Problem> {
        self.resolve_ref(text).map(str::to_string)
    }

    /// [`Self::resolve`], borrowing the id.
    pub fn resolve_ref(&self, text: &str) -> Result<&str, Problem> {
        if let Some(id) = self.exact.get(text) {
            return Ok(id);
        }
        if let Some(id) = self.lookup.get(&normalise(text)) {
            return Ok(id);
        }
        let candidates: Vec<&str> = self.lookup.keys().map(String::as_str).collect();
        let hint = closest(text, candidates.iter().copied())
            .and_then(|c| self.lookup.get(c))
            .map(|id| format!("; did you mean `{}`?", self.label(id)))
            .unwrap_or_else(|| format!("; use one of: {}", self.ids.join(", ")));
        Err(Problem::new("unknown_value", format!("`{}` is not {}{hint}", text.trim(), self.what)))
    }
}

/// Every lookup table the parsers need, built once from the configuration.
#[derive(Debug, Clone)]
pub struct Vocab {
    pub phases: Enumeration,
    pub goals: Enumeration,
    pub activity_types: Enumeration,
    pub formats: Enumeration,
    pub org_types: Enumeration,
    pub role_levels: Enumeration,
    pub experience: Enumeration,
    pub roles: Enumeration,
    pub governance: Enumeration,
    pub methods: Enumeration,
    pub statuses: Enumeration,
    pub scales: LabelSets,
    missing: rustc_hash::FxHashSet<String>,
    countries: HashMap<String, Place>,
    /// Country and organisation names as commonly written (`Netherlands`, `NL`, `UNHCR`).
    exact_places: HashMap<String, Place>,
    date_order: DateOrder,
    range: Regex,
    phase_prefix: Regex,
}

impl Vocab {
    pub fn new(config: &Config) -> Vocab {
        let tax = &config.taxonomy;
        let numbers: Vec<String> = tax.phases.iter().map(|p| p.number.to_string()).collect();
        let phases = Enumeration::labelled(
            "a phase",
            tax.phases.iter().zip(&numbers).map(|(p, n)| {
                let mut aliases: Vec<&str> = vec![p.label.as_str(), n.as_str()];
                aliases.extend(p.aliases.iter().map(String::as_str));
                (p.id.as_str(), aliases)
            }),
        );
        let with_labels = |what, defs: &[crate::config::TermDef]| {
            Enumeration::labelled(
                what,
                defs.iter().map(|d| {
                    let mut aliases = vec![d.label.as_str()];
                    aliases.extend(d.aliases.iter().map(String::as_str));
                    (d.id.as_str(), aliases)
                }),
            )
        };
        let goals = with_labels("a goal", &tax.goals);
        let activity_types = Enumeration::labelled(
            "an activity type",
            tax.activity_types.iter().map(|t| {
                let mut aliases = vec![t.label.as_str()];
                aliases.extend(t.aliases.iter().map(String::as_str));
                (t.id.as_str(), aliases)
            }),
        );
        let fixed = |what, rows: &[(&'static str, &[&'static str])]| {
            Enumeration::new(what, rows.iter().map(|(id, aliases)| (*id, aliases.to_vec())))
        };
        let formats = fixed(
            "a format",
            &[
                ("in_person", &["in person", "face to face", "face-to-face", "on site", "onsite", "physical"]),
                ("online", &["virtual", "remote", "web"]),
                ("hybrid", &["blended", "mixed"]),
            ],
        );
        let org_types = fixed(
            "an organisation type",
            &[
                (
                    "state",
                    &["government", "ministry", "public administration", "state authority", "national authority"],
                ),
                ("civil_society", &["ngo", "civil society organisation", "civil society organization", "cso"]),
                ("international_org", &["international organisation", "international organization", "io", "igo"]),
                ("other", &[]),
            ],
        );
        let role_levels = fixed(
            "a role level",
            &[
                ("political", &["policy", "senior", "political level"]),
                ("administrative", &["management", "manager", "administrative level"]),
                ("operational", &["practitioner", "caseworker", "operational level"]),
            ],
        );
        let experience = fixed(
            "an experience level",
            &[
                ("new", &["none", "no experience", "beginner", "new resettlement country"]),
                ("emerging", &["some", "developing", "emerging resettlement country"]),
                ("experienced", &["established", "expert", "experienced resettlement country"]),
            ],
        );
        let roles = fixed(
            "a role",
            &[
                ("host", &["organiser", "organizer"]),
                ("participant", &["learner", "attendee", "visitor"]),
                ("presenter", &["speaker", "expert", "trainer"]),
            ],
        );
        let governance = fixed(
            "a governance model",
            &[
                ("centralised", &["centralized", "central", "centralised state"]),
                ("federal", &["federation"]),
                ("regional", &["decentralised", "decentralized", "regionalised", "regionalized"]),
            ],
        );
        let methods = fixed(
            "a preferred method",
            &[
                ("workshop", &["workshops", "thematic workshop"]),
                ("bilateral_meeting", &["bilateral meeting", "bilateral meetings", "bilateral"]),
                ("visit_from_peers", &["visit from peers", "peers visiting us"]),
                ("visit_to_peers", &["visit to peers", "visiting peers"]),
                ("study_visit_eu", &["study visit eu", "study visit in the eu", "study visit to an eu member state"]),
                ("study_visit_third_country", &["study visit third country", "study visit to a third country"]),
                ("pilot", &["pilot project", "pilots"]),
            ],
        );

        let statuses = fixed(
            "an activity status",
            &[
                ("delivered", &["done", "held", "completed", "took place", "implemented"]),
                ("planned", &["scheduled", "upcoming", "foreseen", "to be held"]),
                ("postponed", &["delayed", "rescheduled", "on hold"]),
                ("cancelled", &["canceled", "called off", "dropped"]),
            ],
        );
        let mut missing: rustc_hash::FxHashSet<String> =
            crate::config::defaults::missing_tokens().iter().map(|t| normalise(t)).collect();
        missing.extend(config.likert.missing.iter().map(|t| normalise(t)));
        missing.insert(String::new());

        Vocab {
            phases,
            goals,
            activity_types,
            formats,
            org_types,
            role_levels,
            experience,
            roles,
            governance,
            methods,
            statuses,
            scales: LabelSets::new(config),
            missing,
            exact_places: super::countries::exact_table(config),
            countries: super::countries::table(config),
            date_order: config.input.date_order,
            range: Regex::new(r"^(?i)(?:phases?\s*)?(\d{1,2})\s*(?:-|–|—|to)\s*(\d{1,2})$").expect("valid regex"),
            phase_prefix: Regex::new(r"^(?i)phases?\s+").expect("valid regex"),
        }
    }

    /// Whether a text answer means "no answer" (`n/a`, `don't know`, `-`, …).
    pub fn is_missing(&self, text: &str) -> bool {
        let key = normalise(text.trim());
        key.is_empty() || self.missing.contains(&key)
    }

    /// A date from a date cell, an Excel serial number, or text in the accepted
    /// forms, slash and dot dates read in the configured order.
    pub fn date(&self, cell: &Cell) -> Result<NaiveDate, Problem> {
        self.date_in(cell, self.date_order)
    }

    /// [`Self::date`] with slash and dot dates read in `order`.
    pub fn date_in(&self, cell: &Cell, order: DateOrder) -> Result<NaiveDate, Problem> {
        match cell {
            Cell::Date(date) => Ok(*date),
            Cell::Number(n) => serial_date(*n).ok_or_else(|| bad_date(&crate::ingest::read::format_number(*n))),
            Cell::Text(text) => super::dates::parse(text, order)
                .or_else(|| text.trim().parse::<f64>().ok().and_then(serial_date))
                .ok_or_else(|| bad_date(text)),
            other => Err(bad_date(&other.display())),
        }
    }

    /// The configured order of slash and dot dates.
    pub fn date_order(&self) -> DateOrder {
        self.date_order
    }

    /// A whole number in `min..=max`.
    pub fn integer(&self, cell: &Cell, min: i64, max: i64) -> Result<i64, Problem> {
        let n = number_of(cell)
            .ok_or_else(|| Problem::new("bad_number", format!("`{}` is not a whole number", cell.display())))?;
        if n.fract() != 0.0 {
            return Err(Problem::new("bad_number", format!("`{}` is not a whole number", cell.display())));
        }
        if n < min as f64 || n > max as f64 {
            let range = if max == i64::MAX { format!("at least {min}") } else { format!("between {min} and {max}") };
            return Err(Problem::new(
                "out_of_range",
                format!("`{}` is out of range; expected a whole number {range}", cell.display()),
            ));
        }
        Ok(n as i64)
    }

    /// A number ≥ 0.
    pub fn non_negative(&self, cell: &Cell) -> Result<f64, Problem> {
        let n = number_of(cell)
            .ok_or_else(|| Problem::new("bad_number", format!("`{}` is not a number", cell.display())))?;
        if n < 0.0 || !n.is_finite() {
            return Err(Problem::new(
                "out_of_range",
                format!("`{}` is negative; expected a number ≥ 0", cell.display()),
            ));
        }
        Ok(n)
    }

    /// A Likert answer on a scale of `points`: `None` when missing (`n/a`, blank).
    /// A label is scored on the one label set that holds it, or is ambiguous.
    pub fn likert(&self, cell: &Cell, points: u8) -> Result<Option<u8>, Problem> {
        self.likert_in(cell, points, &ColumnScale::default())
    }

    /// [`Self::likert`], labels scored on the set decided for their column.
    pub fn likert_in(&self, cell: &Cell, points: u8, column: &ColumnScale) -> Result<Option<u8>, Problem> {
        let out_of_range =
            |shown: &str| Problem::new("out_of_range", format!("`{shown}` is not an answer on the 1–{points} scale"));
        match cell {
            Cell::Number(n) => {
                if n.fract() == 0.0 && *n >= 1.0 && *n <= points as f64 {
                    Ok(Some(*n as u8))
                } else {
                    Err(out_of_range(&cell.display()))
                }
            }
            Cell::Text(text) => {
                if self.is_missing(text) {
                    return Ok(None);
                }
                if let Some(n) = leading_integer(text) {
                    return if n >= 1 && n <= points as i64 {
                        Ok(Some(n as u8))
                    } else {
                        Err(out_of_range(text.trim()))
                    };
                }
                match column.score(&self.scales, &normalise(text)) {
                    LabelScore::Score(level) if level <= points => Ok(Some(level)),
                    // The column's one `ambiguous_scale` warning says why.
                    LabelScore::Ambiguous if column.ambiguous => Ok(None),
                    LabelScore::Ambiguous => Err(Problem::new(
                        "ambiguous_scale",
                        format!(
                            "`{}` scores differently on the label sets this column could use; the value is ignored. Name the column's set under [likert.scales]",
                            text.trim()
                        ),
                    )),
                    _ => {
                        let labels: Vec<&str> = self.scales.all().collect();
                        let hint = closest(text, labels.iter().copied())
                            .map(|c| format!("; did you mean `{c}`?"))
                            .unwrap_or_else(|| {
                                format!("; write a number from 1 to {points} or a label such as `Agree`")
                            });
                        Err(Problem::new(
                            "unknown_value",
                            format!("`{}` is not a Likert answer{hint}; the value is ignored", text.trim()),
                        ))
                    }
                }
            }
            other => Err(out_of_range(&other.display())),
        }
    }

    /// The normalised label a Likert cell holds, if it holds one rather than a
    /// number or no answer.
    pub fn label_key(&self, cell: &Cell) -> Option<String> {
        match cell {
            Cell::Text(text) if !self.is_missing(text) && leading_integer(text).is_none() => Some(normalise(text)),
            _ => None,
        }
    }

    /// `recommend`: 0–10, also written as `9 - Very likely`.
    pub fn score_0_10(&self, cell: &Cell) -> Result<Option<u8>, Problem> {
        if let Cell::Text(text) = cell {
            if self.is_missing(text) {
                return Ok(None);
            }
            if let Some(n) = leading_integer(text) {
                return if (0..=10).contains(&n) {
                    Ok(Some(n as u8))
                } else {
                    Err(Problem::new("out_of_range", format!("`{}` is out of range; expected 0 to 10", text.trim())))
                };
            }
        }
        self.integer(cell, 0, 10).map(|n| Some(n as u8))
    }

    /// yes/no (`x`, `1`, `oui`, `ja` …).
    pub fn yes_no(&self, cell: &Cell) -> Result<Option<bool>, Problem> {
        match self.yes_partly_no(cell, false)? {
            None => Ok(None),
            Some(YesPartlyNo::Yes) => Ok(Some(true)),
            Some(_) => Ok(Some(false)),
        }
    }

    /// yes/partly/no; `partly` only when `allow_partly`.
    pub fn yes_partly_no(&self, cell: &Cell, allow_partly: bool) -> Result<Option<YesPartlyNo>, Problem> {
        let text = match cell {
            Cell::Bool(b) => return Ok(Some(if *b { YesPartlyNo::Yes } else { YesPartlyNo::No })),
            Cell::Number(n) if *n == 1.0 => return Ok(Some(YesPartlyNo::Yes)),
            Cell::Number(n) if *n == 0.0 => return Ok(Some(YesPartlyNo::No)),
            Cell::Text(text) => std::borrow::Cow::Borrowed(text.as_str()),
            other => std::borrow::Cow::Owned(other.display()),
        };
        let lower = text.trim().to_ascii_lowercase();
        // The usual answers, exactly as the templates offer them (unless configured as missing).
        let usual = match lower.as_str() {
            "yes" => Some(YesPartlyNo::Yes),
            "no" => Some(YesPartlyNo::No),
            "partly" if allow_partly => Some(YesPartlyNo::Partly),
            _ => None,
        };
        if usual.is_some() && !self.missing.contains(&lower) {
            return Ok(usual);
        }
        if self.is_missing(&text) {
            return Ok(None);
        }
        let key = if lower.bytes().all(|b| b.is_ascii_alphanumeric()) { lower } else { normalise(&text) };
        match key.as_str() {
            "yes" | "y" | "true" | "1" | "x" | "oui" | "ja" | "si" => Ok(Some(YesPartlyNo::Yes)),
            "no" | "n" | "false" | "0" | "non" | "nein" => Ok(Some(YesPartlyNo::No)),
            "partly" | "partially" | "in part" | "somewhat" if allow_partly => Ok(Some(YesPartlyNo::Partly)),
            _ => {
                let expected = if allow_partly { "yes, partly or no" } else { "yes or no" };
                Err(Problem::new("unknown_value", format!("`{}` is not an answer; expected {expected}", text.trim())))
            }
        }
    }

    /// Phases from a list of ids, labels, numbers and ranges (`2-4`, `phases 2–4`).
    /// Returns the phase ids in order of appearance, and a problem per unknown token.
    pub fn phase_list(&self, text: &str) -> (Vec<String>, Vec<Problem>) {
        let mut ids = Vec::new();
        let mut problems = Vec::new();
        for token in split_list(text) {
            if let Some(caps) = self.range.captures(&token) {
                let (a, b): (u32, u32) = (caps[1].parse().unwrap_or(0), caps[2].parse().unwrap_or(0));
                let (lo, hi) = (a.min(b), a.max(b));
                for n in lo..=hi {
                    match self.phases.resolve(&n.to_string()) {
                        Ok(id) => push_unique(&mut ids, id),
                        Err(problem) => problems.push(problem),
                    }
                }
                continue;
            }
            let stripped = self.phase_prefix.replace(&token, "").to_string();
            match self.phases.resolve(&token).or_else(|_| self.phases.resolve(&stripped)) {
                Ok(id) => push_unique(&mut ids, id),
                Err(problem) => match split_on_spaces(&token, |t| self.phases.resolve(t).ok()) {
                    Some(found) => found.into_iter().for_each(|id| push_unique(&mut ids, id)),
                    None => problems.push(problem),
                },
            }
        }
        (ids, problems)
    }

    /// Ids of an enumeration from a list, with a problem per unknown token.
    pub fn enum_list(&self, enumeration: &Enumeration, text: &str) -> (Vec<String>, Vec<Problem>) {
        let mut ids = Vec::new();
        let mut problems = Vec::new();
        for token in split_list(text) {
            match enumeration.resolve(&token) {
                Ok(id) => push_unique(&mut ids, id),
                // KoboToolbox and ODK separate the values of a multi-select by spaces.
                Err(problem) => match split_on_spaces(&token, |t| enumeration.resolve(t).ok()) {
                    Some(found) => found.into_iter().for_each(|id| push_unique(&mut ids, id)),
                    None => problems.push(problem),
                },
            }
        }
        (ids, problems)
    }

    /// A country, organisation, or unknown name (with a warning).
    pub fn place(&self, text: &str) -> (Place, Option<Problem>) {
        match self.known_place(text) {
            Ok(place) => (place.clone(), None),
            Err(problem) => (Place::Unknown(text.trim().to_string()), Some(problem)),
        }
    }

    /// The recognised country or organisation `text` names, or why it is not one.
    pub fn known_place(&self, text: &str) -> Result<&Place, Problem> {
        let trimmed = text.trim();
        if let Some(place) = self.exact_places.get(trimmed) {
            return Ok(place);
        }
        let key = normalise(trimmed);
        let key = key.strip_prefix("the ").unwrap_or(&key);
        if let Some(place) = self.countries.get(key) {
            return Ok(place);
        }
        let names: Vec<&str> = self.countries.keys().map(String::as_str).filter(|k| k.len() > 3).collect();
        let hint = closest(trimmed, names.iter().copied())
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_else(|| ". Write the country's English name or ISO code".to_string());
        Err(Problem::new(
            "unknown_value",
            format!("`{trimmed}` is not a recognised country or organisation{hint}. It is kept as written and not counted as a country."),
        ))
    }

    /// Places from a list, with warnings for unknown names.
    pub fn place_list(&self, text: &str) -> (Vec<Place>, Vec<Problem>) {
        let mut places = Vec::new();
        let mut problems = Vec::new();
        for token in split_list(text) {
            let (place, problem) = self.place(&token);
            if !places.contains(&place) {
                places.push(place);
            }
            problems.extend(problem);
        }
        (places, problems)
    }

    pub fn experience_of(&self, text: &str) -> Result<Experience, Problem> {
        Ok(match self.experience.resolve_ref(text)? {
            "new" => Experience::New,
            "emerging" => Experience::Emerging,
            _ => Experience::Experienced,
        })
    }
}

/// The values of a space-separated multi-select answer, when every token is one.
fn split_on_spaces(token: &str, resolve: impl Fn(&str) -> Option<String>) -> Option<Vec<String>> {
    let parts: Vec<&str> = token.split_whitespace().collect();
    if parts.len() < 2 {
        return None;
    }
    parts.iter().map(|p| resolve(p)).collect()
}

fn push_unique(ids: &mut Vec<String>, id: String) {
    if !ids.contains(&id) {
        ids.push(id);
    }
}

/// Split a list on `,` `;` `|` and newlines; trims and drops empty items.
pub fn split_list(text: &str) -> Vec<String> {
    text.split([',', ';', '|', '\n', '\r']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn bad_date(shown: &str) -> Problem {
    Problem::new(
        "bad_date",
        format!("`{}` is not a date; write it as 2019-03-11, 11/03/2019 or 11 March 2019", shown.trim()),
    )
}

/// Excel 1900-system serial number to a date; `None` outside 1950–9999, where a
/// number is far more likely a year or a count than a date.
fn serial_date(serial: f64) -> Option<NaiveDate> {
    if !(18264.0..2958466.0).contains(&serial) {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let date = epoch + Duration::days(serial.floor() as i64);
    (date.year() >= 1950).then_some(date)
}

fn number_of(cell: &Cell) -> Option<f64> {
    match cell {
        Cell::Number(n) => Some(*n),
        Cell::Text(text) => {
            let cleaned: String = text.trim().chars().filter(|c| !c.is_whitespace() && *c != '€').collect();
            cleaned.parse::<f64>().ok().filter(|n| n.is_finite())
        }
        Cell::Bool(_) | Cell::Date(_) | Cell::Error(_) => None,
    }
}

/// `4`, `4 - Agree`, `4. Agree`, `10 (very likely)` → the leading integer.
fn leading_integer(text: &str) -> Option<i64> {
    let trimmed = text.trim();
    let digits: String = trimmed.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() {
        return None;
    }
    let rest = trimmed[digits.len()..].trim_start();
    let ok = rest.is_empty()
        || rest.starts_with(['-', '–', '—', '.', ':', '(', '='])
        || rest.starts_with(".0") && rest[2..].trim().is_empty();
    if !ok {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocab {
        Vocab::new(&Config::default())
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_in_every_accepted_form() {
        let v = vocab();
        let text = |s: &str| Cell::Text(s.to_string());
        assert_eq!(v.date(&text("2019-03-11")), Ok(d(2019, 3, 11)));
        assert_eq!(v.date(&text("11/03/2019")), Ok(d(2019, 3, 11)));
        assert_eq!(v.date(&text("11.03.2019")), Ok(d(2019, 3, 11)));
        assert_eq!(v.date(&text("11 March 2019")), Ok(d(2019, 3, 11)));
        assert_eq!(v.date(&text("11 Mar 2019")), Ok(d(2019, 3, 11)));
        assert_eq!(v.date(&text("March 11, 2019")), Ok(d(2019, 3, 11)));
        assert_eq!(v.date(&text("2019-03-11 14:22:05")), Ok(d(2019, 3, 11)));
        // Excel serial 43535 is 2019-03-11 in the 1900 system.
        assert_eq!(v.date(&Cell::Number(43535.0)), Ok(d(2019, 3, 11)));
        assert_eq!(v.date(&Cell::Number(43535.75)), Ok(d(2019, 3, 11)));
        assert_eq!(v.date(&Cell::Date(d(2019, 3, 11))), Ok(d(2019, 3, 11)));
        assert_eq!(v.date(&text("31/02/2019")).unwrap_err().code, "bad_date");
        assert_eq!(v.date(&text("soon")).unwrap_err().code, "bad_date");
        assert_eq!(v.date(&Cell::Number(2019.0)).unwrap_err().code, "bad_date");
    }

    #[test]
    fn month_first_when_configured() {
        let mut config = Config::default();
        config.input.date_order = DateOrder::MonthFirst;
        let v = Vocab::new(&config);
        assert_eq!(v.date(&Cell::Text("03/11/2019".into())), Ok(d(2019, 3, 11)));
    }

    #[test]
    fn phase_lists_and_ranges() {
        let v = vocab();
        let ids = |s: &str| v.phase_list(s).0;
        assert_eq!(ids("2-4"), ["selection_mission", "selection_decision", "pre_departure"]);
        assert_eq!(ids("2 – 4"), ["selection_mission", "selection_decision", "pre_departure"]);
        assert_eq!(ids("phases 5–6"), ["travel_arrival", "reception"]);
        assert_eq!(ids("Phase 4"), ["pre_departure"]);
        assert_eq!(ids("pre-departure; Reception"), ["pre_departure", "reception"]);
        assert_eq!(ids("1, 1, 3"), ["identification_referral", "selection_decision"]);
        let (ids, problems) = v.phase_list("2, landing");
        assert_eq!(ids, ["selection_mission"]);
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn countries_aliases_codes_and_organisations() {
        let v = vocab();
        assert_eq!(v.place("the Netherlands").0, Place::Country("NL".into()));
        assert_eq!(v.place("Czechia").0, Place::Country("CZ".into()));
        assert_eq!(v.place("Czech Republic").0, Place::Country("CZ".into()));
        assert_eq!(v.place("UK").0, Place::Country("GB".into()));
        assert_eq!(v.place("USA").0, Place::Country("US".into()));
        assert_eq!(v.place("United States of America").0, Place::Country("US".into()));
        assert_eq!(v.place("Luxemburg").0, Place::Country("LU".into()));
        assert_eq!(v.place("de").0, Place::Country("DE".into()));
        assert_eq!(v.place("SWE").0, Place::Country("SE".into()));
        assert_eq!(v.place("UNHCR").0, Place::Organisation("UNHCR".into()));
        // Kosovo's code is no ISO code, but written back (as an export does) it is Kosovo.
        assert_eq!(v.place("Kosovo").0, Place::Country("XK".into()));
        assert_eq!(v.place("XK").0, Place::Country("XK".into()));
        let (place, problem) = v.place("Atlantis");
        assert_eq!(place, Place::Unknown("Atlantis".into()));
        assert_eq!(problem.unwrap().code, "unknown_value");
    }

    #[test]
    fn every_place_written_as_its_key_reads_back_as_itself() {
        let v = vocab();
        let names = isocountry::CountryCode::iter()
            .map(|c| c.name().to_string())
            .chain(["Kosovo", "Vatican", "Taiwan", "UNHCR", "IOM", "Atlantis"].map(String::from));
        for name in names {
            let place = v.place(&name).0;
            assert_eq!(v.place(place.key()).0, place, "{name}");
        }
    }

    #[test]
    fn likert_numbers_labels_and_missing() {
        let v = vocab();
        let text = |s: &str| Cell::Text(s.to_string());
        assert_eq!(v.likert(&Cell::Number(4.0), 5), Ok(Some(4)));
        assert_eq!(v.likert(&text("4 - Agree"), 5), Ok(Some(4)));
        assert_eq!(v.likert(&text("Strongly agree"), 5), Ok(Some(5)));
        assert_eq!(v.likert(&text("very dissatisfied"), 5), Ok(Some(1)));
        assert_eq!(v.likert(&text("Neither satisfied nor dissatisfied"), 5), Ok(Some(3)));
        assert_eq!(v.likert(&text("Excellent"), 5), Ok(Some(5)));
        // `Fair` is 3 of `Very poor … Excellent` but 2 of `Poor … Very good, Excellent`.
        assert_eq!(v.likert(&text("Fair"), 5).unwrap_err().code, "ambiguous_scale");
        assert_eq!(v.likert(&text("Very good"), 5), Ok(Some(4)));
        assert_eq!(v.likert(&text("N/A"), 5), Ok(None));
        assert_eq!(v.likert(&text("don't know"), 5), Ok(None));
        assert_eq!(v.likert(&text("-"), 5), Ok(None));
        assert_eq!(v.likert(&Cell::Number(6.0), 5).unwrap_err().code, "out_of_range");
        assert_eq!(v.likert(&text("Agreee"), 5).unwrap_err().code, "unknown_value");
    }

    #[test]
    fn yes_no_and_partly() {
        let v = vocab();
        let text = |s: &str| Cell::Text(s.to_string());
        for yes in ["yes", "Y", "true", "1", "x", "oui", "Ja"] {
            assert_eq!(v.yes_no(&text(yes)), Ok(Some(true)), "{yes}");
        }
        for no in ["no", "N", "false", "0", "non", "nein"] {
            assert_eq!(v.yes_no(&text(no)), Ok(Some(false)), "{no}");
        }
        assert_eq!(v.yes_partly_no(&text("Partially"), true), Ok(Some(YesPartlyNo::Partly)));
        assert!(v.yes_partly_no(&text("partly"), false).is_err());
        assert_eq!(v.yes_no(&Cell::Bool(true)), Ok(Some(true)));
    }

    #[test]
    fn enumerations_fold_spelling_and_suggest() {
        let v = vocab();
        for s in ["Study visit", "study-visit", "STUDY_VISIT"] {
            assert_eq!(v.activity_types.resolve(s), Ok("study_visit".to_string()));
        }
        let err = v.activity_types.resolve("Study vist").unwrap_err();
        assert_eq!(err.message, "`Study vist` is not an activity type; did you mean `Study visit`?");
    }

    #[test]
    fn recommend_scores() {
        let v = vocab();
        assert_eq!(v.score_0_10(&Cell::Text("9 - very likely".into())), Ok(Some(9)));
        assert_eq!(v.score_0_10(&Cell::Number(0.0)), Ok(Some(0)));
        assert_eq!(v.score_0_10(&Cell::Number(11.0)).unwrap_err().code, "out_of_range");
    }
}
