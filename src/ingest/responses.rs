//! Survey responses are counted while their files are read, into the run's
//! [`SurveyLedger`] per activity id.
//! Until the sheets are merged, a sheet keeps only its response ids (about 15
//! bytes a response) and its comments when they are published.
//!
//! Whether a row's activity is in the register, and whether its id repeats one of
//! an earlier file, is only known when the sheets are merged in input order. A
//! sheet with such rows is then read again with a [`Filter`] (see
//! `super::parse`), which reports them and counts them so that their answers can
//! be taken away. Both are data errors: clean inputs are read once.

use super::link::Linker;
use std::hash::BuildHasher;
use std::sync::Mutex;

use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};

use crate::answers::{self, Survey};
use crate::model::{Dataset, Response, SheetId};

/// What a response is counted under until the sheets are merged.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TallyKey {
    /// The activity id as the row writes it (linked to the register at the merge).
    Activity(String),
    /// The one activity of a sheet without `activity_id`, settled at the merge
    /// from its file and sheet names.
    SheetOf(SheetId),
}

impl Default for TallyKey {
    fn default() -> TallyKey {
        TallyKey::Activity(String::new())
    }
}

impl TallyKey {
    /// The activity id the row wrote, if it wrote one.
    pub fn written(&self) -> Option<&str> {
        match self {
            TallyKey::Activity(id) => Some(id),
            TallyKey::SheetOf(_) => None,
        }
    }
}

/// The activity of a responses sheet without an `activity_id` column.
#[derive(Debug, Clone, PartialEq)]
pub enum SheetActivity {
    /// Not known while the sheet is read: its rows count under [`TallyKey::SheetOf`].
    Pending(SheetId),
    /// Settled by the merge (the sheet read again).
    Settled(String),
}

/// One response as parsed from a row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub activity: TallyKey,
    /// The response as read; its `activity_id` is set when the merge links it
    /// (only a response kept for an export ever gets that far).
    pub response: Response,
}

impl Parsed {
    /// The answers, as counted.
    pub fn answers(&self) -> answers::Response<'_> {
        self.response.answers()
    }
}

/// Shards of the counts: the threads reading files rarely wait for each other.
const SHARDS: usize = 32;

/// The survey responses of a run, from the first read to the merge, in one place.
///
/// While the files are read in parallel, every responses sheet counts its rows
/// into the ledger through `&self` ([`SurveyLedger::record`]), under the key the
/// row was read with. The merge then owns the ledger (`&mut self`, no locks; its
/// sheet-by-sheet step is in `super`): it moves a key's counts to the register
/// activity it links to, drops those of unknown activities, takes away the
/// answers of rows a second read rejects, and keeps the response ids seen so
/// far, the comments and the settled activity of each sheet without
/// `activity_id`. [`SurveyLedger::finish`] gives each activity its counts.
#[derive(Debug)]
pub struct SurveyLedger {
    /// Counts per key, sharded by the key's hash.
    shards: Vec<Mutex<FxHashMap<TallyKey, Survey>>>,
    /// The response ids of the sheets merged so far.
    pub(super) seen: IdSet,
    /// Comments per activity id, in input order.
    pub(super) comments: FxHashMap<String, Vec<String>>,
    /// The activity settled for each sheet without `activity_id`.
    pub(super) settled: FxHashMap<SheetId, String>,
    /// Accepted responses row by row, when the run keeps them (`peer-eval export`).
    pub(super) rows: Vec<Response>,
}

impl Default for SurveyLedger {
    fn default() -> SurveyLedger {
        SurveyLedger {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            seen: IdSet::default(),
            comments: FxHashMap::default(),
            settled: FxHashMap::default(),
            rows: Vec::new(),
        }
    }
}

impl SurveyLedger {
    fn shard(key: &TallyKey) -> usize {
        FxBuildHasher.hash_one(key) as usize % SHARDS
    }

    /// Count one response under `key` (while files are read, from any thread).
    fn record(&self, key: &TallyKey, response: &answers::Response) {
        let mut counts = self.shards[Self::shard(key)].lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match counts.get_mut(key) {
            Some(survey) => survey.record(response),
            None => counts.entry(key.clone()).or_default().record(response),
        }
    }

    /// The counts under `key`, with the ledger owned (no lock).
    fn counts_of(&mut self, key: &TallyKey) -> &mut FxHashMap<TallyKey, Survey> {
        self.shards[Self::shard(key)].get_mut().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Move the counts under `from` to `to` (the register activity `from` links to).
    pub(super) fn move_counts(&mut self, from: &TallyKey, to: &str) {
        if let Some(survey) = self.counts_of(from).remove(from) {
            let to = TallyKey::Activity(to.to_string());
            self.counts_of(&to).entry(to.clone()).or_default().add(&survey);
        }
    }

    /// Forget the counts under `key` (rows of an activity missing from the register).
    pub(super) fn drop_counts(&mut self, key: &TallyKey) {
        self.counts_of(key).remove(key);
    }

    /// Take away the answers of rows a second read rejected.
    pub(super) fn take_away(&mut self, activity: &str, survey: &Survey) {
        let key = TallyKey::Activity(activity.to_string());
        if let Some(total) = self.counts_of(&key).get_mut(&key) {
            total.remove(survey);
        }
    }

    /// Room for the response ids of every sheet, before the merge starts.
    pub(super) fn reserve_ids(&mut self, count: usize) {
        self.seen = IdSet::with_capacity(count);
    }

    /// Give each activity of the register its counts and comments, and the
    /// dataset the rows kept; aims are settled against each activity's goals.
    pub fn finish(self, data: &mut Dataset, goals: &[String]) {
        let index: FxHashMap<&str, usize> =
            data.activities.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
        let mut place: Vec<(usize, Survey)> = Vec::new();
        for shard in self.shards {
            for (key, survey) in shard.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner) {
                if let Some(&i) = key.written().and_then(|id| index.get(id)) {
                    place.push((i, survey));
                }
            }
        }
        data.responses = self.rows;
        let mut comments = self.comments;
        for (i, mut survey) in place {
            let activity = &mut data.activities[i];
            survey.resolve_aims(goal_bits(&activity.goals, goals));
            survey.comments = comments.remove(&activity.id).unwrap_or_default();
            activity.survey = survey;
        }
    }
}

/// What a responses sheet keeps for the merge.
#[derive(Debug, Clone, Default)]
pub struct SheetResponses {
    /// What the sheet's rows were counted under.
    keys: Vec<TallyKey>,
    /// Each key's index, found by the key's hash (the text is only in `keys`).
    lookup: HashTable<u32>,
    /// Response ids in row order, with the key each was counted under.
    ids: ResponseIds,
    /// (key, response id, comment) in row order, when comments are published.
    comments: Vec<(u32, Option<String>, String)>,
    /// Every accepted row with its key, when asked for ([`SheetResponses::keep_rows`]).
    rows: Option<Vec<(u32, Parsed)>>,
}

impl SheetResponses {
    fn key(&mut self, key: &TallyKey) -> u32 {
        let hash = FxBuildHasher.hash_one(key);
        let keys = &self.keys;
        if let Some(&index) = self.lookup.find(hash, |&i| keys[i as usize] == *key) {
            return index;
        }
        let index = self.keys.len() as u32;
        self.keys.push(key.clone());
        let keys = &self.keys;
        self.lookup.insert_unique(hash, index, |&i| FxBuildHasher.hash_one(&keys[i as usize]));
        index
    }

    /// Count an accepted response into the `ledger` (and keep it, when rows are kept).
    pub fn push(&mut self, parsed: Parsed, ledger: &SurveyLedger) {
        let key = self.key(&parsed.activity);
        ledger.record(&parsed.activity, &parsed.answers());
        if let Some(id) = &parsed.response.response_id {
            self.ids.push(id, key);
        }
        if let Some(comment) = &parsed.response.comment {
            self.comments.push((key, parsed.response.response_id.clone(), comment.clone()));
        }
        if let Some(rows) = &mut self.rows {
            rows.push((key, parsed));
        }
    }

    /// Keep every accepted row too (for `peer-eval export`).
    pub fn keep_rows(&mut self) {
        self.rows = Some(Vec::new());
    }

    /// The rows kept, with the key index of each (empty unless asked for).
    pub fn take_rows(&mut self) -> Vec<(u32, Parsed)> {
        self.rows.take().unwrap_or_default()
    }

    /// Release the room kept for growth, once the sheet is read.
    pub fn finish(&mut self) {
        self.lookup = HashTable::new();
        self.ids.shrink_to_fit();
    }

    /// What the rows were counted under.
    pub fn keys(&self) -> &[TallyKey] {
        &self.keys
    }

    /// The response ids in row order, with the key index of each.
    pub fn take_ids(&mut self) -> ResponseIds {
        std::mem::take(&mut self.ids)
    }

    /// (key index, response id, comment) in row order.
    pub fn comments(&self) -> impl Iterator<Item = (usize, Option<&str>, &str)> {
        self.comments.iter().map(|(key, id, text)| (*key as usize, id.as_deref(), text.as_str()))
    }

    /// The number of response ids kept.
    pub fn id_count(&self) -> usize {
        self.ids.len()
    }
}

/// A sheet's response ids in row order, each with the key (index into
/// [`SheetResponses::keys`]) its row was counted under: the ids' text in one
/// buffer and where each ends, about 8 bytes an id besides its text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseIds {
    text: String,
    ends: Vec<u32>,
    keys: Vec<u32>,
}

impl ResponseIds {
    pub fn push(&mut self, id: &str, key: u32) {
        self.text.push_str(id);
        self.ends.push(self.text.len() as u32);
        self.keys.push(key);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The `i`-th id and its key.
    pub fn get(&self, i: usize) -> (&str, u32) {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        (&self.text[start..self.ends[i] as usize], self.keys[i])
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, u32)> {
        (0..self.len()).map(|i| self.get(i))
    }

    fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.keys.shrink_to_fit();
    }
}

/// What a sheet read again must reject (see the module notes).
#[derive(Debug, Clone, Copy)]
pub struct Filter<'a> {
    /// The activities of the register, and how references link to them.
    pub linker: &'a Linker,
    /// Response ids already taken by an earlier sheet.
    pub repeated: &'a FxHashSet<String>,
    /// The activity of a sheet without `activity_id`, as settled by the merge.
    pub activity: Option<&'a str>,
}

/// A set of strings kept in one buffer: 8 bytes per entry besides the text.
#[derive(Debug, Default)]
pub struct TextSet {
    text: String,
    table: HashTable<(u32, u32)>,
}

impl TextSet {
    /// Add `value`; false when it was already there.
    pub fn insert(&mut self, value: &str) -> bool {
        let hash = FxBuildHasher.hash_one(value);
        let text = &self.text;
        let slice = |&(start, len): &(u32, u32)| &text[start as usize..(start + len) as usize];
        if self.table.find(hash, |entry| slice(entry) == value).is_some() {
            return false;
        }
        let entry = (self.text.len() as u32, value.len() as u32);
        self.text.push_str(value);
        let text = &self.text;
        self.table.insert_unique(hash, entry, |&(start, len)| {
            FxBuildHasher.hash_one(&text[start as usize..(start + len) as usize])
        });
        true
    }
}

/// The response ids of every sheet merged so far. Each sheet's ids are moved in
/// as they are; the table holds where an id is (its sheet, its place there):
/// 8 bytes an id.
#[derive(Debug, Default)]
pub struct IdSet {
    sheets: Vec<ResponseIds>,
    table: HashTable<IdAt>,
}

/// Where an id of an [`IdSet`] is: the sheet, and the id's place in it.
#[derive(Debug, Clone, Copy)]
struct IdAt {
    sheet: u32,
    index: u32,
}

impl IdSet {
    /// Room for `count` ids.
    pub fn with_capacity(count: usize) -> IdSet {
        IdSet { table: HashTable::with_capacity(count), ..IdSet::default() }
    }

    fn id(sheets: &[ResponseIds], at: IdAt) -> &str {
        sheets[at.sheet as usize].get(at.index as usize).0
    }

    /// Add the ids of one sheet for which `counts(key)` holds (`key` as in
    /// [`ResponseIds`]); return those an earlier sheet already had.
    pub fn add_sheet(&mut self, ids: ResponseIds, counts: impl Fn(u32) -> bool) -> Vec<String> {
        let sheet = self.sheets.len() as u32;
        self.sheets.push(ids);
        let mut repeated = Vec::new();
        let sheets = &self.sheets;
        for (index, (id, key)) in sheets[sheet as usize].iter().enumerate() {
            if !counts(key) {
                continue;
            }
            let hash = FxBuildHasher.hash_one(id);
            if self.table.find(hash, |&at| Self::id(sheets, at) == id).is_some() {
                repeated.push(id.to_string());
            } else {
                let at = IdAt { sheet, index: index as u32 };
                self.table.insert_unique(hash, at, |&at| FxBuildHasher.hash_one(Self::id(sheets, at)));
            }
        }
        repeated
    }
}

/// Bits of the goals in `ids` (positions in `goals`).
pub fn goal_bits(ids: &[String], goals: &[String]) -> u32 {
    ids.iter().filter_map(|id| goals.iter().position(|g| g == id)).fold(0, |bits, i| bits | (1 << i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_counts_per_activity_and_keeps_ids_in_order() {
        let shared = SurveyLedger::default();
        let mut sheet = SheetResponses::default();
        let response = |activity: &str, id: Option<&str>, comment: Option<&str>| Parsed {
            activity: TallyKey::Activity(activity.into()),
            response: Response {
                response_id: id.map(String::from),
                likert: vec![5],
                comment: comment.map(String::from),
                ..Response::default()
            },
        };
        sheet.push(response("SV-01", Some("R1"), Some("useful")), &shared);
        sheet.push(response("TW-02", None, None), &shared);
        sheet.push(response("SV-01", Some("R3"), None), &shared);
        sheet.finish();
        assert_eq!(sheet.keys(), [TallyKey::Activity("SV-01".into()), TallyKey::Activity("TW-02".into())]);
        assert_eq!(sheet.comments().collect::<Vec<_>>(), [(0, Some("R1"), "useful")]);
        let ids = sheet.take_ids();
        assert_eq!(ids.iter().collect::<Vec<_>>(), [("R1", 0), ("R3", 0)]);
        let mut other = SheetResponses::default();
        other.push(response("SV-01", Some("R9"), None), &shared);
        other.finish();
        let mut ledger = shared;
        let mut of = |id: &str| {
            let key = TallyKey::Activity(id.into());
            ledger.counts_of(&key)[&key].all.clone()
        };
        assert_eq!((of("SV-01").responses, of("TW-02").responses), (3, 1));
        assert_eq!(of("SV-01").likert[0][5], 3);
    }

    #[test]
    fn the_merge_moves_drops_and_takes_away_counts_then_places_them() {
        let ledger = SurveyLedger::default();
        let mut sheet = SheetResponses::default();
        let answer = |activity: &str, likert: u8| Parsed {
            activity: TallyKey::Activity(activity.into()),
            response: Response { likert: vec![likert], ..Response::default() },
        };
        // As read: two rows under `sv-01` (a spelling of SV-01), one under SV-01, one unknown.
        for (activity, likert) in [("sv-01", 5), ("sv-01", 4), ("SV-01", 2), ("XX-99", 3)] {
            sheet.push(answer(activity, likert), &ledger);
        }
        let mut ledger = ledger;
        ledger.move_counts(&TallyKey::Activity("sv-01".into()), "SV-01");
        ledger.drop_counts(&TallyKey::Activity("XX-99".into()));
        // A second read rejected the row answering 2.
        let mut rejected = Survey::default();
        rejected.record(&answer("SV-01", 2).answers());
        ledger.take_away("SV-01", &rejected);
        let activity = crate::model::Activity::bare;
        let mut data = Dataset { activities: vec![activity("SV-01"), activity("TW-01")], ..Dataset::default() };
        ledger.finish(&mut data, &[]);
        let counted = &data.activities[0].survey.all;
        // 5 and 4 moved from `sv-01`; the 2 taken away; XX-99 counted nowhere.
        assert_eq!((counted.responses, counted.likert[0][5], counted.likert[0][4], counted.likert[0][2]), (2, 1, 1, 0));
        assert_eq!(data.activities[1].survey.all.responses, 0);
    }

    #[test]
    fn an_id_holding_nul_stays_one_id() {
        let shared = SurveyLedger::default();
        let mut sheet = SheetResponses::default();
        let parsed = Parsed {
            activity: TallyKey::Activity("A".into()),
            response: Response { response_id: Some("R\0X".into()), ..Response::default() },
        };
        sheet.push(parsed, &shared);
        let ids = sheet.take_ids();
        assert_eq!(ids.iter().collect::<Vec<_>>(), [("R\0X", 0)]);
    }

    #[test]
    fn response_ids_keep_empty_and_long_ids_apart() {
        let mut ids = ResponseIds::default();
        for (id, key) in [("", 1), ("R-1", 0), ("", 2), ("ß€", 1)] {
            ids.push(id, key);
        }
        assert_eq!(ids.len(), 4);
        assert_eq!(ids.iter().collect::<Vec<_>>(), [("", 1), ("R-1", 0), ("", 2), ("ß€", 1)]);
    }

    #[test]
    fn text_set_finds_repeats() {
        let mut set = TextSet::default();
        assert!(set.insert("R1"));
        assert!(set.insert("R10"));
        assert!(!set.insert("R1"));
        assert!(set.insert("R"));
        assert!(!set.insert("R10"));
    }

    #[test]
    fn id_set_finds_ids_of_earlier_sheets_only_where_counted() {
        let sheet = |ids: &[(&str, u32)]| {
            let mut list = ResponseIds::default();
            for (id, key) in ids {
                list.push(id, *key);
            }
            list
        };
        let mut set = IdSet::with_capacity(8);
        assert!(set.add_sheet(sheet(&[("R1", 0), ("R2", 0)]), |_| true).is_empty());
        // R2 repeats; R1 is not counted here (its key 1 is, say, an unknown activity).
        assert_eq!(set.add_sheet(sheet(&[("R1", 1), ("R3", 0), ("R2", 0)]), |key| key != 1), ["R2"]);
        assert_eq!(set.add_sheet(sheet(&[("R3", 0), ("R4", 0), ("R1", 0)]), |_| true), ["R3", "R1"]);
    }

    #[test]
    fn goal_bits_follow_config_order() {
        let goals: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        assert_eq!(goal_bits(&["c".into(), "a".into(), "x".into()], &goals), 0b101);
    }
}
