//! `peer-eval portfolio`: the exports of several programmes (or periods) read back
//! into the typed [`model`](crate::model) records, one [`Dataset`] each, and
//! pooled into one. The indicators are then the same code as `run`'s: nothing here
//! computes a figure.
//!
//! An export folder is a `programme=<name>/period=<label>/` partition written by
//! `peer-eval export` (Parquet or CSV). Its records were validated when exported;
//! reading them back checks only that each value fits its column and that every
//! record's activity is in the activities table.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};

use rustc_hash::FxBuildHasher;

use crate::config::Config;
use crate::export::read::{Columns, TableError, BATCH_ROWS};
use crate::export::{Manifest, MANIFEST, PHASE_EXPERIENCE};
use crate::ingest::responses::goal_bits;
use crate::ingest::values::Vocab;
use crate::model::{
    Activity, ActivityStatus, CountryProfile, Dataset, Experience, Followup, Need, Origin, Participant, Place,
    Response, YesPartlyNo,
};

/// One programme's export, read back.
#[derive(Debug, Clone)]
pub struct Programme {
    /// The programme's name (from the export's manifest, else its folder).
    pub name: String,
    /// The exported period's label.
    pub period: String,
    pub dir: PathBuf,
    /// The records, each activity with its responses counted.
    pub data: Dataset,
    /// Survey responses read (all linked to an activity of the export).
    pub responses: usize,
    /// The export's data issues by severity (`error`, `warning`, `info`).
    pub issues: BTreeMap<String, usize>,
    /// Whether the export's programme name was configured (`report.programme`):
    /// exports named only after a report title are never taken for one programme.
    pub configured: bool,
    /// The fingerprint of the key that pseudonymised its ids, when known.
    pub key: Option<String>,
    /// Hashes of its (pseudonymised) response ids: to find ids that two
    /// programmes share.
    pub response_ids: Vec<u64>,
    /// What reading it noticed (a missing Likert column, an unreadable manifest).
    pub notes: Vec<String>,
}

impl Programme {
    /// What tells one programme from another: its configured name, else its folder.
    pub fn identity(&self) -> String {
        if self.configured {
            self.name.clone()
        } else {
            format!("{} ({})", self.name, self.dir.display())
        }
    }
}

/// The export folders under `dir`: `dir` itself when it holds an activities
/// table, else every folder below it that does (in name order, at most four levels down).
pub fn partitions(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
        if ["activities.parquet", "activities.csv"].iter().any(|f| dir.join(f).is_file()) {
            found.push(dir.to_path_buf());
            return;
        }
        if depth == 0 {
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        let mut dirs: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
        dirs.sort();
        for sub in dirs {
            walk(&sub, depth - 1, found);
        }
    }
    let mut found = Vec::new();
    walk(dir, 4, &mut found);
    found
}

/// The value of a Hive folder `key=value` among `dir`'s last components.
fn partition_of(dir: &Path, key: &str) -> Option<String> {
    dir.components().rev().take(3).find_map(|c| {
        let part = c.as_os_str().to_string_lossy();
        part.strip_prefix(&format!("{key}=")).map(str::to_string)
    })
}

/// Read one export folder back into records.
///
/// # Errors
/// A table that is missing or unreadable, a value that does not fit its column,
/// or a record whose activity the activities table lacks.
pub fn read(dir: &Path, config: &Config) -> Result<Programme, TableError> {
    let mut notes = Vec::new();
    let manifest: Option<Manifest> = match std::fs::read(dir.join(MANIFEST)) {
        Err(_) => None,
        Ok(bytes) => serde_json::from_slice(&bytes)
            .inspect_err(|err| {
                notes.push(format!(
                    "its manifest `{MANIFEST}` could not be read ({err}); the programme and period are taken from the folder names"
                ))
            })
            .ok(),
    };
    let configured = manifest.as_ref().is_some_and(|m| m.programme_configured);
    let key = manifest.as_ref().and_then(|m| m.pseudonym_key.clone());
    let name = manifest
        .as_ref()
        .map(|m| m.programme.clone())
        .or_else(|| partition_of(dir, "programme"))
        .unwrap_or_else(|| dir.display().to_string());
    let period = manifest.map(|m| m.period).or_else(|| partition_of(dir, "period")).unwrap_or_else(|| "all".into());
    let table = |name: &'static str| -> Result<Columns, TableError> {
        Columns::read(dir, name)?.ok_or_else(|| TableError::File {
            path: dir.join(format!("{name}.parquet")),
            reason: format!("the export has no {name} table ({name}.parquet or {name}.csv)"),
        })
    };
    let vocab = Vocab::new(config);
    let mut data = Dataset { activities: activities(&table("activities")?, &vocab)?, ..Dataset::default() };
    let known: HashMap<String, usize> = data.activities.iter().enumerate().map(|(i, a)| (a.id.clone(), i)).collect();
    data.participants = participants(&table("participants")?, &vocab, &known)?;
    data.followups = followups(&table("followups")?, &vocab, &known)?;
    data.needs = needs(&table("needs")?, &vocab)?;
    data.countries = countries(&table("countries")?, &vocab, config)?;
    // Responses are the long table: counted batch by batch, as the run counts rows.
    let (mut count, mut first) = (0, true);
    let mut response_ids = Vec::new();
    let found = Columns::read_batches(dir, "responses", BATCH_ROWS, &mut |batch| {
        if std::mem::take(&mut first) {
            for item in config.likert.items.iter().filter(|item| !batch.has(&item.id)) {
                notes.push(format!(
                    "its responses have no `{}` column (a Likert item of this configuration): no answer to it is counted",
                    item.id
                ));
            }
        }
        response_ids.extend(batch.texts("response_id").map(|id| FxBuildHasher.hash_one(id)));
        let responses = responses(&batch, config, &known)?;
        count += responses.len();
        count_responses(&mut data, &responses);
        Ok(())
    })?;
    if !found {
        table("responses")?;
    }
    settle_aims(&mut data, config);
    let mut issues = BTreeMap::new();
    if let Some(table) = Columns::read(dir, "issues")? {
        for severity in table.text("severity")?.into_iter().flatten() {
            *issues.entry(severity).or_default() += 1;
        }
    }
    Ok(Programme {
        name,
        period,
        dir: dir.to_path_buf(),
        data,
        responses: count,
        issues,
        configured,
        key,
        response_ids,
        notes,
    })
}

/// A required value: missing is an error naming the cell.
fn required<T>(value: Option<T>, table: &Columns, column: &str, row: usize) -> Result<T, TableError> {
    value.ok_or_else(|| table.error(column, row, "the value is missing".into()))
}

fn bad(table: &Columns, column: &str, row: usize, reason: String) -> TableError {
    table.error(column, row, reason)
}

/// The record's activity index, or an error when the activities table lacks it.
fn activity_of(known: &HashMap<String, usize>, id: &str, table: &Columns, row: usize) -> Result<usize, TableError> {
    known.get(id).copied().ok_or_else(|| {
        bad(table, "activity_id", row, format!("activity `{id}` is not in the export's activities table"))
    })
}

fn origin(row: usize) -> Origin {
    Origin { row: row as u32, ..Origin::default() }
}

/// A column of ids of a closed list (`what` names them for the message), parsed by `from_id`.
fn closed<T: Copy>(
    table: &Columns,
    column: &str,
    from_id: fn(&str) -> Option<T>,
    what: &str,
) -> Result<Vec<Option<T>>, TableError> {
    let texts = table.optional(column, Columns::text)?;
    texts
        .into_iter()
        .enumerate()
        .map(|(row, text)| match text {
            None => Ok(None),
            Some(t) => from_id(&t).map(Some).ok_or_else(|| bad(table, column, row, format!("`{t}` is not {what}"))),
        })
        .collect()
}

fn experience(table: &Columns, column: &str) -> Result<Vec<Option<Experience>>, TableError> {
    closed(table, column, Experience::from_id, "new, emerging or experienced")
}

fn yes_partly_no(table: &Columns, column: &str) -> Result<Vec<Option<YesPartlyNo>>, TableError> {
    table.require(column)?;
    closed(table, column, YesPartlyNo::from_id, "yes, partly or no")
}

/// An answer or priority: a whole number in `min..=max` (at most 255).
fn whole_in(table: &Columns, column: &str, min: u8, max: u8) -> Result<Vec<Option<u8>>, TableError> {
    table
        .optional(column, Columns::int)?
        .into_iter()
        .enumerate()
        .map(|(row, n)| match n {
            None => Ok(None),
            Some(n) if (i64::from(min)..=i64::from(max)).contains(&n) => Ok(Some(n as u8)),
            Some(n) => Err(bad(table, column, row, format!("{n} is not between {min} and {max}"))),
        })
        .collect()
}

/// A place as exported (a country's code, else the name as written), placed as
/// the run placed it.
fn place(vocab: &Vocab, text: &str) -> Place {
    vocab.place(text).0
}

fn activities(t: &Columns, vocab: &Vocab) -> Result<Vec<Activity>, TableError> {
    let mut ids = t.text("activity_id")?;
    let mut kinds = t.text("type")?;
    let mut titles = t.text("title")?;
    let statuses = t.text("status")?;
    let starts = t.date("start_date")?;
    let ends = t.date("end_date")?;
    let mut formats = t.text("format")?;
    let hosts = t.text("host_country")?;
    let participating = t.list("participating_countries")?;
    let mut phases = t.list("phases")?;
    let mut goals = t.list("goals")?;
    let participants = t.int("participants")?;
    let costs = t.real("cost_eur")?;
    let follow_ups = t.bool("follow_up")?;
    let mut projects = t.text("project")?;
    let mut locations = t.text("location")?;
    let mut host_orgs = t.optional("host_org", Columns::text)?;
    let mut components = t.optional("component", Columns::text)?;
    let mut outcomes = t.optional("expected_outcome", Columns::text)?;
    let mut seen = HashSet::new();
    let mut activities = Vec::with_capacity(t.rows());
    for i in 0..t.rows() {
        let id = required(ids[i].take(), t, "activity_id", i)?;
        if !seen.insert(id.clone()) {
            return Err(bad(t, "activity_id", i, format!("activity `{id}` appears twice")));
        }
        let status = match &statuses[i] {
            None => ActivityStatus::Delivered,
            Some(s) => ActivityStatus::from_id(s).ok_or_else(|| {
                bad(t, "status", i, format!("`{s}` is not delivered, planned, postponed or cancelled"))
            })?,
        };
        let participants = match participants[i] {
            Some(n) if n < 0 => return Err(bad(t, "participants", i, format!("{n} is below 0"))),
            n => n.map(|n| n as u64),
        };
        activities.push(Activity {
            id,
            kind: required(kinds[i].take(), t, "type", i)?,
            title: titles[i].take(),
            start: required(starts[i], t, "start_date", i)?,
            end: required(ends[i], t, "end_date", i)?,
            format: required(formats[i].take(), t, "format", i)?,
            host_country: hosts[i].as_deref().map(|h| place(vocab, h)),
            participating: participating[i].iter().map(|p| place(vocab, p)).collect(),
            phases: std::mem::take(&mut phases[i]),
            goals: std::mem::take(&mut goals[i]),
            participants,
            cost_eur: costs[i],
            follow_up: follow_ups[i].unwrap_or(false),
            location: locations[i].take(),
            host_org: host_orgs[i].take(),
            project: projects[i].take(),
            component: components[i].take(),
            expected_outcome: outcomes[i].take(),
            status,
            survey: Default::default(),
            origin: origin(i),
        });
    }
    Ok(activities)
}

fn participants(t: &Columns, vocab: &Vocab, known: &HashMap<String, usize>) -> Result<Vec<Participant>, TableError> {
    let activity_ids = t.text("activity_id")?;
    let mut ids = t.text("participant_id")?;
    let countries = t.text("country")?;
    let mut org_types = t.text("org_type")?;
    let mut role_levels = t.text("role_level")?;
    let experiences = experience(t, "experience")?;
    let mut roles = t.optional("role", Columns::text)?;
    (0..t.rows())
        .map(|i| {
            let activity_id = required(activity_ids[i].clone(), t, "activity_id", i)?;
            Ok(Participant {
                activity: activity_of(known, &activity_id, t, i)?,
                activity_id,
                participant_id: required(ids[i].take(), t, "participant_id", i)?,
                country: countries[i].as_deref().map(|c| place(vocab, c)),
                org_type: org_types[i].take(),
                role_level: role_levels[i].take(),
                experience: experiences[i],
                role: roles[i].take(),
                origin: origin(i),
            })
        })
        .collect()
}

fn followups(t: &Columns, vocab: &Vocab, known: &HashMap<String, usize>) -> Result<Vec<Followup>, TableError> {
    let activity_ids = t.text("activity_id")?;
    let mut respondents = t.text("respondent_id")?;
    let countries = t.text("country")?;
    let months = t.int("months_after")?;
    let applied = yes_partly_no(t, "applied")?;
    let shared = t.bool("shared_internally")?;
    let further = t.bool("further_contact")?;
    let mut changes = t.optional("change_description", Columns::text)?;
    (0..t.rows())
        .map(|i| {
            let activity_id = required(activity_ids[i].clone(), t, "activity_id", i)?;
            let months_after = match months[i] {
                Some(m) => Some(
                    u32::try_from(m)
                        .map_err(|_| bad(t, "months_after", i, format!("{m} is not a number of months (0 or more)")))?,
                ),
                None => None,
            };
            Ok(Followup {
                activity: activity_of(known, &activity_id, t, i)?,
                activity_id,
                respondent_id: respondents[i].take(),
                country: countries[i].as_deref().map(|c| place(vocab, c)),
                months_after,
                applied: applied[i],
                shared_internally: shared[i],
                further_contact: further[i],
                change_description: changes[i].take(),
                origin: origin(i),
            })
        })
        .collect()
}

fn needs(t: &Columns, vocab: &Vocab) -> Result<Vec<Need>, TableError> {
    let countries = t.text("country")?;
    let mut phases = t.text("phase")?;
    let priorities = whole_in(t, "priority", 0, u8::MAX)?;
    let mut methods = t.list("preferred_methods")?;
    (0..t.rows())
        .map(|i| {
            Ok(Need {
                country: place(vocab, &required(countries[i].clone(), t, "country", i)?),
                phase: required(phases[i].take(), t, "phase", i)?,
                priority: priorities[i],
                preferred_methods: std::mem::take(&mut methods[i]),
                origin: origin(i),
            })
        })
        .collect()
}

fn countries(t: &Columns, vocab: &Vocab, config: &Config) -> Result<Vec<CountryProfile>, TableError> {
    let countries = t.text("country")?;
    let experiences = experience(t, "experience")?;
    let welfare = t.real("welfare_support_months")?;
    let mut governance = t.text("governance")?;
    let quotas = t.real("annual_quota")?;
    let mut by_phase: Vec<(String, Vec<Option<Experience>>)> = Vec::new();
    for phase in &config.taxonomy.phases {
        let column = format!("{PHASE_EXPERIENCE}{}", phase.id);
        if t.has(&column) {
            by_phase.push((phase.id.clone(), experience(t, &column)?));
        }
    }
    (0..t.rows())
        .map(|i| {
            Ok(CountryProfile {
                country: place(vocab, &required(countries[i].clone(), t, "country", i)?),
                experience: experiences[i],
                phase_experience: by_phase
                    .iter()
                    .filter_map(|(phase, levels)| levels[i].map(|level| (phase.clone(), level)))
                    .collect(),
                welfare_support_months: welfare[i],
                governance: governance[i].take(),
                annual_quota: quotas[i],
                origin: origin(i),
            })
        })
        .collect()
}

/// The responses, each with its activity's index.
fn responses(
    t: &Columns,
    config: &Config,
    known: &HashMap<String, usize>,
) -> Result<Vec<(usize, Response)>, TableError> {
    let activity_ids = t.text("activity_id")?;
    let countries = t.text("country")?;
    let experiences = experience(t, "experience")?;
    let mut org_types = t.text("org_type")?;
    let mut role_levels = t.text("role_level")?;
    let items: Vec<Vec<Option<u8>>> =
        config.likert.items.iter().map(|item| whole_in(t, &item.id, 1, item.points)).collect::<Result<_, _>>()?;
    let recommend = whole_in(t, "recommend", 0, 10)?;
    let intent = yes_partly_no(t, "intent_to_apply")?;
    let contacts = t.bool("new_contacts")?;
    let aims = t.list("participation_aim")?;
    let goals: Vec<String> = config.taxonomy.goals.iter().map(|g| g.id.clone()).collect();
    let mut comments =
        if config.privacy.publish_comments { t.optional("comment", Columns::text)? } else { vec![None; t.rows()] };
    (0..t.rows())
        .map(|i| {
            let activity_id = required(activity_ids[i].clone(), t, "activity_id", i)?;
            let index = activity_of(known, &activity_id, t, i)?;
            let response = Response {
                activity_id,
                country: countries[i].clone(),
                experience: experiences[i],
                org_type: org_types[i].take(),
                role_level: role_levels[i].take(),
                likert: items.iter().map(|answers| answers[i].unwrap_or(0)).collect(),
                recommend: recommend[i],
                intent: intent[i],
                new_contacts: contacts[i],
                aims: goal_bits(&aims[i], &goals),
                comment: comments[i].take(),
                origin: origin(i),
                ..Response::default()
            };
            Ok((index, response))
        })
        .collect()
}

/// Count responses into their activities' surveys, as the run does while reading.
fn count_responses(data: &mut Dataset, responses: &[(usize, Response)]) {
    for (index, response) in responses {
        let survey = &mut data.activities[*index].survey;
        survey.record(&response.answers());
        if let Some(comment) = &response.comment {
            survey.comments.push(comment.clone());
        }
    }
}

/// Once every response is counted: the participation aims settled against each
/// activity's goals.
fn settle_aims(data: &mut Dataset, config: &Config) {
    let goals: Vec<String> = config.taxonomy.goals.iter().map(|g| g.id.clone()).collect();
    for activity in &mut data.activities {
        activity.survey.resolve_aims(goal_bits(&activity.goals, &goals));
    }
}

/// Every programme's records in one dataset, in the order given, and what
/// pooling them had to decide, in sentences for the reports.
///
/// A programme is its configured name ([`Programme::identity`]). Exports of one
/// programme (several periods, say) share its needs and country profiles, so those
/// are taken once; an activity two of its exports hold (overlapping periods) is
/// taken once when it is the same activity (same start and type), and kept apart
/// as `<programme> <period>/<id>` otherwise. Across programmes, an activity id used
/// by more than one is qualified as `<programme>/<id>`; a country profile given by
/// several is taken from the first programme listed; needs are all kept.
pub fn pool(programmes: &[Programme]) -> (Dataset, Vec<String>) {
    let identities: Vec<String> = programmes.iter().map(Programme::identity).collect();
    let mut owners: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (programme, identity) in programmes.iter().zip(&identities) {
        for activity in &programme.data.activities {
            owners.entry(activity.id.as_str()).or_default().insert(identity.as_str());
        }
    }
    let shared: BTreeSet<String> =
        owners.into_iter().filter(|(_, o)| o.len() > 1).map(|(id, _)| id.to_string()).collect();
    let mut notes = Vec::new();
    if !shared.is_empty() {
        notes.push(format!(
            "{} activity ids are used by more than one programme ({}); in the pooled figures each is qualified by its programme, as `<programme>/<id>`.",
            shared.len(),
            some(shared.iter())
        ));
    }
    let mut pooled = Dataset::default();
    let mut profiles: BTreeMap<String, &str> = BTreeMap::new();
    let mut repeated_profiles = BTreeSet::new();
    // Activity id in the pool → (start, type), to tell an overlap from another activity.
    let mut taken: HashMap<String, (chrono::NaiveDate, String)> = HashMap::new();
    let mut needs_of: BTreeSet<&str> = BTreeSet::new();
    let (mut overlapping, mut distinct) = (0, BTreeSet::new());
    for (programme, identity) in programmes.iter().zip(&identities) {
        let data = &programme.data;
        // Each activity's id in the pool; `None` for one another export already gave.
        let ids: Vec<Option<String>> = data
            .activities
            .iter()
            .map(|a| {
                let id = if shared.contains(&a.id) { format!("{identity}/{}", a.id) } else { a.id.clone() };
                match taken.get(&id) {
                    None => Some(id),
                    Some(same) if *same == (a.start, a.kind.clone()) => {
                        overlapping += 1;
                        None
                    }
                    Some(_) => {
                        distinct.insert(a.id.clone());
                        Some(format!("{} {}/{}", programme.name, programme.period, a.id))
                    }
                }
            })
            .collect();
        let pooled_id: HashMap<&str, &String> =
            data.activities.iter().zip(&ids).filter_map(|(a, id)| id.as_ref().map(|id| (a.id.as_str(), id))).collect();
        for (activity, id) in data.activities.iter().zip(&ids) {
            if let Some(id) = id {
                taken.insert(id.clone(), (activity.start, activity.kind.clone()));
                pooled.activities.push(Activity { id: id.clone(), ..activity.clone() });
            }
        }
        pooled.participants.extend(data.participants.iter().filter_map(|p| {
            pooled_id.get(p.activity_id.as_str()).map(|id| Participant { activity_id: id.to_string(), ..p.clone() })
        }));
        pooled.followups.extend(data.followups.iter().filter_map(|f| {
            pooled_id.get(f.activity_id.as_str()).map(|id| Followup { activity_id: id.to_string(), ..f.clone() })
        }));
        let first_export = needs_of.insert(identity.as_str());
        if first_export {
            pooled.needs.extend(data.needs.iter().cloned());
        }
        for profile in &data.countries {
            let key = profile.country.key().to_string();
            match profiles.get(&key) {
                None => {
                    profiles.insert(key, identity.as_str());
                    pooled.countries.push(profile.clone());
                }
                Some(first) if *first != identity.as_str() => {
                    repeated_profiles.insert(key);
                }
                Some(_) => {}
            }
        }
    }
    if overlapping > 0 {
        notes.push(format!(
            "{overlapping} activities were in more than one export of the same programme (overlapping periods); each is counted once."
        ));
    }
    if !distinct.is_empty() {
        notes.push(format!(
            "{} activity ids name different activities (another start or type) in two exports of the same programme ({}); they are kept apart, as `<programme> <period>/<id>`.",
            distinct.len(),
            some(distinct.iter())
        ));
    }
    if !repeated_profiles.is_empty() {
        notes.push(format!(
            "{} countries have a profile in more than one programme ({}); each profile is taken from the first programme listed.",
            repeated_profiles.len(),
            some(repeated_profiles.iter())
        ));
    }
    notes.extend(shared_people(programmes, &identities));
    crate::ingest::link(&mut pooled);
    (pooled, notes)
}

/// What pooling cannot tell about people: response ids two programmes share
/// (counted in each), and exports whose pseudonyms do not match.
fn shared_people(programmes: &[Programme], identities: &[String]) -> Vec<String> {
    let mut notes = Vec::new();
    // Each id's hash with its programme (by identity), sorted: an id two
    // programmes share is a run of equal hashes with more than one programme.
    let programme_of: BTreeMap<&str, u32> =
        identities.iter().map(String::as_str).collect::<BTreeSet<_>>().into_iter().zip(0..).collect();
    let mut shared = 0;
    if programme_of.len() > 1 {
        let mut all: Vec<(u64, u32)> = programmes
            .iter()
            .zip(identities)
            .flat_map(|(p, identity)| p.response_ids.iter().map(|&hash| (hash, programme_of[identity.as_str()])))
            .collect();
        all.sort_unstable();
        all.dedup();
        // Ids whose run is longer than one: the first of each run that has a second.
        shared =
            all.windows(2).enumerate().filter(|(i, w)| w[0].0 == w[1].0 && (*i == 0 || all[i - 1].0 != w[0].0)).count();
    }
    if shared > 0 {
        notes.push(format!(
            "{shared} response ids appear in the exports of more than one programme; each is counted in its own programme, where one run over their inputs together would count it once."
        ));
    }
    let keys: BTreeSet<Option<&str>> = programmes.iter().map(|p| p.key.as_deref()).collect();
    if programmes.len() > 1 && keys.len() > 1 {
        notes.push(
            "The exports were pseudonymised under different keys (or a random key each), so a person in two of them is counted as two people (participants, repeat participation). Export every programme with one privacy.pseudonym_key to join them.".to_string(),
        );
    }
    notes
}

/// Up to ten items, `, `-joined, with `…` when there are more.
fn some<'a>(items: impl ExactSizeIterator<Item = &'a String>) -> String {
    let more = items.len() > 10;
    let list: Vec<&str> = items.take(10).map(String::as_str).collect();
    format!("{}{}", list.join(", "), if more { ", …" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(name: &'static str, text: &str) -> Columns {
        Columns::from_csv(text.as_bytes(), name, Path::new("t.csv")).unwrap()
    }

    #[test]
    fn responses_are_counted_into_their_activity() {
        let config = Config::default();
        let vocab = Vocab::new(&config);
        let activities = activities(
            &columns(
                "activities",
                "activity_id,type,title,status,start_date,end_date,format,host_country,participating_countries,phases,goals,participants,cost_eur,follow_up,project,location\n\
                 A1,study_visit,Visit,,2019-03-04,2019-03-06,in_person,DE,BG;LT,,,6,1000,true,,\n",
            ),
            &vocab,
        )
        .unwrap();
        assert_eq!(activities[0].days(), 3);
        assert_eq!(activities[0].participating, [Place::Country("BG".into()), Place::Country("LT".into())]);
        let mut data = Dataset { activities, ..Dataset::default() };
        let known = HashMap::from([("A1".to_string(), 0)]);
        let first = &config.likert.items[0].id;
        let table = columns(
            "responses",
            &format!(
                "activity_id,country,experience,org_type,role_level,{first},recommend,intent_to_apply,new_contacts,participation_aim\n\
                 A1,DE,new,,,5,10,yes,true,\nA1,,,,,3,6,no,false,\n"
            ),
        );
        let responses = responses(&table, &config, &known).unwrap();
        count_responses(&mut data, &responses);
        settle_aims(&mut data, &config);
        let survey = &data.activities[0].survey;
        // Two responses: item 1 answered 5 and 3; recommend 10 and 6; one from Germany.
        assert_eq!(survey.all.responses, 2);
        assert_eq!((survey.all.item(0)[5], survey.all.item(0)[3]), (1, 1));
        assert_eq!((survey.all.recommend[10], survey.all.recommend[6]), (1, 1));
        assert_eq!(survey.all.intent, [1, 0, 1]);
        assert_eq!(survey.by_country["DE"].responses, 1);
        assert_eq!(survey.by_experience[&Experience::New].responses, 1);
    }

    #[test]
    fn a_record_of_an_unknown_activity_is_an_error() {
        let config = Config::default();
        let table =
            columns("participants", "activity_id,participant_id,country,org_type,role_level,experience\nA9,P1,DE,,,\n");
        let err = participants(&table, &Vocab::new(&config), &HashMap::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "table `participants`, column `activity_id`, row 2: activity `A9` is not in the export's activities table"
        );
    }

    fn profile(quota: f64) -> CountryProfile {
        CountryProfile {
            country: Place::Country("DE".into()),
            experience: None,
            phase_experience: BTreeMap::new(),
            welfare_support_months: None,
            governance: None,
            annual_quota: Some(quota),
            origin: Origin::default(),
        }
    }

    /// A programme of bare activities (`id` or `id@day` for another start) and a
    /// profile of Germany, exported under key `k`.
    fn programme(name: &str, period: &str, ids: &[&str], quota: f64) -> Programme {
        let activity = |spec: &&str| {
            let (id, day) = spec.split_once('@').unwrap_or((spec, "1"));
            let mut activity = crate::model::Activity::bare(id);
            activity.start = chrono::NaiveDate::from_ymd_opt(2019, 1, day.parse().unwrap()).unwrap();
            activity
        };
        Programme {
            name: name.into(),
            period: period.into(),
            dir: PathBuf::from(format!("exports/{name}/{period}")),
            data: Dataset {
                activities: ids.iter().map(activity).collect(),
                countries: vec![profile(quota)],
                ..Dataset::default()
            },
            responses: 0,
            issues: BTreeMap::new(),
            configured: true,
            key: Some("k".into()),
            response_ids: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn ids(data: &Dataset) -> Vec<&str> {
        data.activities.iter().map(|a| a.id.as_str()).collect()
    }

    #[test]
    fn pooling_qualifies_shared_ids_and_keeps_the_first_country_profile() {
        let (pooled, notes) = pool(&[programme("A", "all", &["X", "S"], 1.0), programme("B", "all", &["S"], 2.0)]);
        assert_eq!(ids(&pooled), ["X", "A/S", "B/S"]);
        assert_eq!(pooled.countries.len(), 1);
        assert_eq!(pooled.countries[0].annual_quota, Some(1.0));
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].starts_with("1 activity ids are used by more than one programme (S)"));
        assert!(notes[1].starts_with("1 countries have a profile in more than one programme (DE)"));
    }

    #[test]
    fn exports_of_one_programme_share_what_they_have_in_common() {
        // Overlapping periods: S is the same activity (same start and type), taken once;
        // T starts on another day in the second export: another activity, kept apart.
        let (pooled, notes) =
            pool(&[programme("A", "2019", &["X", "S", "T"], 1.0), programme("A", "2019-H2", &["S", "T@9", "Y"], 1.0)]);
        assert_eq!(ids(&pooled), ["X", "S", "T", "A 2019-H2/T", "Y"]);
        assert_eq!(pooled.countries.len(), 1, "one programme's profile, once");
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].starts_with("1 activities were in more than one export"));
        assert!(notes[1].starts_with("1 activity ids name different activities"));
    }

    #[test]
    fn programmes_named_only_after_the_title_stay_apart() {
        let mut a = programme("Peer-learning evaluation", "all", &["S"], 1.0);
        let mut b = programme("Peer-learning evaluation", "all", &["S"], 2.0);
        b.dir = PathBuf::from("elsewhere");
        (a.configured, b.configured) = (false, false);
        let (pooled, _) = pool(&[a, b]);
        // Two programmes: both activities, qualified.
        assert_eq!(pooled.activities.len(), 2);
    }

    #[test]
    fn shared_response_ids_and_unmatched_keys_are_told() {
        let mut a = programme("A", "all", &["X"], 1.0);
        let mut b = programme("B", "all", &["Y"], 1.0);
        (a.response_ids, b.response_ids) = (vec![1, 2, 3], vec![3, 4]);
        let (_, notes) = pool(&[a.clone(), b.clone()]);
        assert!(notes.iter().any(|n| n.starts_with("1 response ids appear in the exports of more than one programme")));
        b.key = None;
        let (_, notes) = pool(&[a, b]);
        assert!(notes.iter().any(|n| n.starts_with("The exports were pseudonymised under different keys")));
    }
}
