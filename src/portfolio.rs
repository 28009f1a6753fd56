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
use std::path::{Path, PathBuf};

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
    let manifest: Option<Manifest> =
        std::fs::read(dir.join(MANIFEST)).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok());
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
    let mut count = 0;
    let found = Columns::read_batches(dir, "responses", BATCH_ROWS, &mut |batch| {
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
    Ok(Programme { name, period, dir: dir.to_path_buf(), data, responses: count, issues })
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

/// A whole number in `0..=max`.
fn small(table: &Columns, column: &str, max: i64) -> Result<Vec<Option<u8>>, TableError> {
    table
        .optional(column, Columns::int)?
        .into_iter()
        .enumerate()
        .map(|(row, n)| match n {
            None => Ok(None),
            Some(n) if (0..=max).contains(&n) => Ok(Some(n as u8)),
            Some(n) => Err(bad(table, column, row, format!("{n} is not between 0 and {max}"))),
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
                Some(m) => Some(u32::try_from(m).map_err(|_| bad(t, "months_after", i, format!("{m} is below 0")))?),
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
    let priorities = small(t, "priority", i64::from(u8::MAX))?;
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
        config.likert.items.iter().map(|item| small(t, &item.id, i64::from(item.points))).collect::<Result<_, _>>()?;
    let recommend = small(t, "recommend", 10)?;
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

/// Every programme's records in one dataset, in the order given.
///
/// Exports of one programme (several periods, say) share its needs, country
/// profiles and, where their periods overlap, activities: each is taken once,
/// from the first export that has it. Across programmes, an activity id used by
/// more than one is qualified as `<programme>/<id>` in the pool; a country
/// profile given by several is taken from the first, as a run over their inputs
/// together would; needs are all kept.
pub fn pool(programmes: &[Programme]) -> (Dataset, Vec<String>) {
    let mut owners: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for programme in programmes {
        for activity in &programme.data.activities {
            owners.entry(activity.id.as_str()).or_default().insert(programme.name.as_str());
        }
    }
    let shared: BTreeSet<String> =
        owners.into_iter().filter(|(_, o)| o.len() > 1).map(|(id, _)| id.to_string()).collect();
    let mut notes = Vec::new();
    if !shared.is_empty() {
        let list: Vec<&str> = shared.iter().map(String::as_str).take(10).collect();
        notes.push(format!(
            "{} activity ids are used by more than one programme ({}{}); in the pooled figures each is qualified by its programme, as `<programme>/<id>`.",
            shared.len(),
            list.join(", "),
            if shared.len() > 10 { ", …" } else { "" }
        ));
    }
    let mut pooled = Dataset::default();
    let mut profiles = BTreeSet::new();
    let mut taken: HashSet<String> = HashSet::new();
    let mut needs_of: BTreeSet<&str> = BTreeSet::new();
    let mut repeated = 0;
    for programme in programmes {
        let qualify = |id: &str| {
            if shared.contains(id) {
                format!("{}/{id}", programme.name)
            } else {
                id.to_string()
            }
        };
        let data = &programme.data;
        // An activity another export of this programme already gave is left out, with its records.
        let mut left_out: HashSet<&str> = HashSet::new();
        for activity in &data.activities {
            let id = qualify(&activity.id);
            if taken.insert(id.clone()) {
                pooled.activities.push(Activity { id, ..activity.clone() });
            } else {
                left_out.insert(&activity.id);
                repeated += 1;
            }
        }
        let kept = |id: &str| !left_out.contains(id);
        pooled.participants.extend(
            data.participants
                .iter()
                .filter(|p| kept(&p.activity_id))
                .map(|p| Participant { activity_id: qualify(&p.activity_id), ..p.clone() }),
        );
        pooled.followups.extend(
            data.followups
                .iter()
                .filter(|f| kept(&f.activity_id))
                .map(|f| Followup { activity_id: qualify(&f.activity_id), ..f.clone() }),
        );
        if needs_of.insert(programme.name.as_str()) {
            pooled.needs.extend(data.needs.iter().cloned());
        }
        for profile in &data.countries {
            if profiles.insert(profile.country.key().to_string()) {
                pooled.countries.push(profile.clone());
            }
        }
    }
    if repeated > 0 {
        notes.push(format!(
            "{repeated} activities were in more than one export of the same programme (overlapping periods); each is counted once."
        ));
    }
    crate::ingest::link(&mut pooled);
    (pooled, notes)
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

    #[test]
    fn pooling_qualifies_shared_ids_and_keeps_the_first_country_profile() {
        let activity = crate::model::Activity::bare;
        let profile = |quota: f64| CountryProfile {
            country: Place::Country("DE".into()),
            experience: None,
            phase_experience: BTreeMap::new(),
            welfare_support_months: None,
            governance: None,
            annual_quota: Some(quota),
            origin: Origin::default(),
        };
        let programme = |name: &str, ids: &[&str], quota: f64| Programme {
            name: name.into(),
            period: "all".into(),
            dir: PathBuf::new(),
            data: Dataset {
                activities: ids.iter().map(|id| activity(id)).collect(),
                countries: vec![profile(quota)],
                ..Dataset::default()
            },
            responses: 0,
            issues: BTreeMap::new(),
        };
        let (pooled, notes) = pool(&[programme("A", &["X", "S"], 1.0), programme("B", &["S"], 2.0)]);
        let ids: Vec<&str> = pooled.activities.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["X", "A/S", "B/S"]);
        assert_eq!(pooled.countries.len(), 1);
        assert_eq!(pooled.countries[0].annual_quota, Some(1.0));
        assert_eq!(notes.len(), 1);
        // Two exports of one programme whose periods overlap: the shared activity once.
        let (pooled, notes) = pool(&[programme("A", &["X", "S"], 1.0), programme("A", &["S", "Y"], 1.0)]);
        let ids: Vec<&str> = pooled.activities.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["X", "S", "Y"]);
        assert_eq!(notes.len(), 1);
    }
}
