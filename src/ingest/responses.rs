//! The responses of one sheet, kept compactly until the sheets are merged and they
//! are counted into their activities (see [`crate::answers`]).
//!
//! A response takes 32 bytes plus one byte per Likert item and the length of its
//! id: activity ids and country codes are stored once per sheet, ids one after
//! another in one string.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap};

use crate::answers;
use crate::config::Config;
use crate::model::{Dataset, Experience, YesPartlyNo};

/// Goals a participation aim is recorded against (one bit each).
pub const MAX_GOALS: usize = 32;

/// Marks "no value" in the compact fields.
const NONE: u32 = u32::MAX;

/// One response as parsed from a row, before it is stored compactly.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub activity_id: String,
    pub response_id: Option<String>,
    /// The respondent's recognised country (ISO code).
    pub country: Option<String>,
    pub experience: Option<Experience>,
    /// Per Likert item (config order): the answer, 0 for none.
    pub likert: Vec<u8>,
    pub recommend: Option<u8>,
    pub intent: Option<YesPartlyNo>,
    /// Whether `new_contacts` was one or more.
    pub contacts: Option<bool>,
    /// The participation aims, one bit per goal in config order.
    pub aims: u32,
    /// The comment, when comments are published.
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Copy)]
struct Compact {
    row: u32,
    activity: u32,
    country: u32,
    /// End of this response's id in `ids` (it starts where the previous one ends).
    id_end: u32,
    aims: u32,
    experience: Option<Experience>,
    recommend: Option<u8>,
    intent: Option<YesPartlyNo>,
    contacts: Option<bool>,
}

/// One stored response, borrowed from its sheet.
#[derive(Debug, Clone, Copy)]
pub struct Stored<'a> {
    /// 0-based row in the sheet.
    pub row: u32,
    pub activity_id: &'a str,
    pub response_id: Option<&'a str>,
    pub comment: Option<&'a str>,
    /// Participation aims, one bit per goal.
    pub aims: u32,
    /// The answers; `aim_met` is filled in once the activity's goals are known.
    pub answers: answers::Response<'a>,
}

/// The accepted responses of one sheet, in row order.
#[derive(Debug, Clone, Default)]
pub struct SheetResponses {
    /// Activity ids and country codes named by the rows.
    names: Vec<String>,
    lookup: FxHashMap<String, u32>,
    rows: Vec<Compact>,
    /// Likert answers, `items` per response.
    likert: Vec<u8>,
    items: usize,
    ids: String,
    /// (response index, comment).
    comments: Vec<(u32, String)>,
}

impl SheetResponses {
    pub fn new(items: usize) -> SheetResponses {
        SheetResponses { items, ..SheetResponses::default() }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn name(&mut self, text: &str) -> u32 {
        // Rows of one activity usually follow each other.
        if let Some(last) = self.rows.last().filter(|r| self.names[r.activity as usize] == text) {
            return last.activity;
        }
        if let Some(&index) = self.lookup.get(text) {
            return index;
        }
        let index = self.names.len() as u32;
        self.names.push(text.to_string());
        self.lookup.insert(text.to_string(), index);
        index
    }

    /// Store a parsed response from 0-based `row`.
    pub fn push(&mut self, row: u32, parsed: Parsed) {
        let activity = self.name(&parsed.activity_id);
        let country = parsed.country.as_deref().map_or(NONE, |code| self.name(code));
        if let Some(id) = &parsed.response_id {
            self.ids.push_str(id);
        }
        let mut likert = parsed.likert;
        likert.resize(self.items, 0);
        self.likert.extend_from_slice(&likert);
        if let Some(comment) = parsed.comment {
            self.comments.push((self.rows.len() as u32, comment));
        }
        self.rows.push(Compact {
            row,
            activity,
            country,
            id_end: self.ids.len() as u32,
            aims: parsed.aims,
            experience: parsed.experience,
            recommend: parsed.recommend,
            intent: parsed.intent,
            contacts: parsed.contacts,
        });
    }

    /// Release the room kept for growth, once the sheet is complete.
    pub fn shrink(&mut self) {
        self.rows.shrink_to_fit();
        self.likert.shrink_to_fit();
        self.ids.shrink_to_fit();
        self.lookup = FxHashMap::default();
    }

    /// The length of all response ids together.
    pub fn ids_len(&self) -> usize {
        self.ids.len()
    }

    /// Give every response the activity `id` (a sheet without `activity_id`).
    pub fn set_activity(&mut self, id: &str) {
        let index = self.names.len() as u32;
        self.names.push(id.to_string());
        self.rows.iter_mut().for_each(|r| r.activity = index);
    }

    /// The stored responses in row order.
    pub fn iter(&self) -> impl Iterator<Item = Stored<'_>> {
        let mut comments = self.comments.iter().peekable();
        self.rows.iter().enumerate().map(move |(index, compact)| {
            let start = if index == 0 { 0 } else { self.rows[index - 1].id_end as usize };
            let id = &self.ids[start..compact.id_end as usize];
            let comment = comments.next_if(|(at, _)| *at as usize == index).map(|(_, text)| text.as_str());
            Stored {
                row: compact.row,
                activity_id: &self.names[compact.activity as usize],
                response_id: (!id.is_empty()).then_some(id),
                comment,
                aims: compact.aims,
                answers: answers::Response {
                    likert: &self.likert[index * self.items..(index + 1) * self.items],
                    recommend: compact.recommend,
                    intent: compact.intent,
                    contacts: compact.contacts,
                    aim_met: None,
                    experience: compact.experience,
                    country: (compact.country != NONE).then(|| self.names[compact.country as usize].as_str()),
                },
            }
        })
    }
}

/// A set of strings kept in one buffer: 8 bytes per entry besides the text.
#[derive(Debug, Default)]
pub struct TextSet {
    text: String,
    table: HashTable<(u32, u32)>,
}

impl TextSet {
    /// Room for `count` strings of `bytes` bytes in all.
    pub fn with_capacity(count: usize, bytes: usize) -> TextSet {
        TextSet { text: String::with_capacity(bytes), table: HashTable::with_capacity(count) }
    }

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

/// Why a response was not counted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rejection<'a> {
    /// (0-based row, activity id): the activity is not in the register.
    UnknownActivity(u32, &'a str),
    /// (0-based row, response id): an earlier row has the same id.
    Duplicate(u32, &'a str),
}

/// Counts the responses of each sheet, sheet by sheet in input order, into the
/// surveys of their activities.
pub struct Counter {
    index: FxHashMap<String, usize>,
    /// Goal bits per activity.
    goals: Vec<u32>,
    seen: TextSet,
}

impl Counter {
    pub fn new(data: &Dataset, config: &Config) -> Counter {
        let goal_ids: Vec<String> = config.taxonomy.goals.iter().map(|g| g.id.clone()).collect();
        Counter {
            index: data.activities.iter().enumerate().map(|(i, a)| (a.id.clone(), i)).collect(),
            goals: data.activities.iter().map(|a| goal_bits(&a.goals, &goal_ids)).collect(),
            seen: TextSet::default(),
        }
    }

    /// Make room for the ids of `responses` responses, `bytes` long in all.
    pub fn reserve(&mut self, responses: usize, bytes: usize) {
        self.seen = TextSet::with_capacity(responses, bytes);
    }

    /// Count a sheet's responses; `reject` hears of each one that is not counted.
    pub fn count<'a>(
        &mut self,
        data: &mut Dataset,
        responses: &'a SheetResponses,
        mut reject: impl FnMut(Rejection<'a>),
    ) {
        for stored in responses.iter() {
            let Some(&activity) = self.index.get(stored.activity_id) else {
                reject(Rejection::UnknownActivity(stored.row, stored.activity_id));
                continue;
            };
            if let Some(id) = stored.response_id.filter(|id| !self.seen.insert(id)) {
                reject(Rejection::Duplicate(stored.row, id));
                continue;
            }
            let goals = self.goals[activity];
            let aim_met = (stored.aims != 0 && goals != 0).then_some(stored.aims & goals != 0);
            let survey = &mut data.activities[activity].survey;
            survey.record(&answers::Response { aim_met, ..stored.answers });
            survey.comments.extend(stored.comment.map(str::to_string));
        }
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
    fn responses_round_trip_through_compact_storage() {
        let mut sheet = SheetResponses::new(2);
        sheet.push(
            3,
            Parsed {
                activity_id: "SV-01".into(),
                response_id: Some("R1".into()),
                country: Some("DE".into()),
                likert: vec![5],
                recommend: Some(9),
                aims: 0b10,
                comment: Some("useful".into()),
                ..Parsed::default()
            },
        );
        sheet.push(4, Parsed { activity_id: "SV-01".into(), likert: vec![1, 2], ..Parsed::default() });
        let stored: Vec<Stored> = sheet.iter().collect();
        assert_eq!(stored.len(), 2);
        assert_eq!((stored[0].row, stored[0].activity_id, stored[0].response_id), (3, "SV-01", Some("R1")));
        assert_eq!((stored[0].answers.likert, stored[0].answers.country), (&[5u8, 0][..], Some("DE")));
        assert_eq!((stored[0].comment, stored[0].aims, stored[0].answers.recommend), (Some("useful"), 2, Some(9)));
        assert_eq!((stored[1].response_id, stored[1].comment, stored[1].answers.likert), (None, None, &[1u8, 2][..]));
        sheet.set_activity("TW-02");
        assert!(sheet.iter().all(|s| s.activity_id == "TW-02"));
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
    fn goal_bits_follow_config_order() {
        let goals: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        assert_eq!(goal_bits(&["c".into(), "a".into(), "x".into()], &goals), 0b101);
    }
}
