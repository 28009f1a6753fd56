//! Linking a reference to an activity (SPEC §12.5): from a survey row, an
//! attendance or follow-up row, or a file or sheet name.
//!
//! A reference matches an accepted `activity_id` exactly; else after
//! normalising both (case, separators, leading zeros: `tw_05`, `TW–5` → `TW-05`),
//! then without separators (`TW05`); else when it starts with an id followed by
//! more text (a drop-down label) or equals an activity's title. A reference to a
//! register row that was rejected is told apart from an unknown one.

use rustc_hash::FxHashMap;

use crate::text::{closest, normalise};

/// A register row that was rejected, for `activity_rejected` messages.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedActivity {
    pub id: String,
    pub file: String,
    pub sheet: String,
    /// 1-based, as Excel shows it.
    pub row: u32,
    pub reason: String,
}

/// What a reference links to.
#[derive(Debug, Clone, PartialEq)]
pub enum Link {
    /// The reference is an accepted id.
    Exact(String),
    /// The reference names an accepted id in another spelling.
    Matched(String),
    /// The reference fits two or more ids equally.
    Ambiguous(Vec<String>),
    /// The reference names a register row that was rejected.
    Rejected(RejectedActivity),
    /// Nothing fits; the closest id, if one is close.
    Unknown(Option<String>),
    /// A survey answer to an activity that is not delivered (SPEC §13.2): its id
    /// and status.
    NotDelivered(String, &'static str),
}

impl Link {
    /// The accepted id, when the reference links to one.
    pub fn id(&self) -> Option<&str> {
        match self {
            Link::Exact(id) | Link::Matched(id) => Some(id),
            _ => None,
        }
    }

    /// The issue code and message for a row whose reference does not link.
    pub fn rejection(&self, reference: &str) -> Option<(&'static str, String)> {
        let reference = reference.trim();
        Some(match self {
            Link::Exact(_) | Link::Matched(_) => return None,
            Link::NotDelivered(id, status) => (
                "activity_not_delivered",
                format!(
                    "`{reference}` is activity `{id}`, which the register lists as {status}; survey answers count only for delivered activities. If it took place, set its status to delivered. The row was not used."
                ),
            ),
            Link::Ambiguous(ids) => (
                "ambiguous_activity",
                format!(
                    "`{reference}` could be any of {} in the activity register; write the exact id. The row was not used.",
                    ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(" or ")
                ),
            ),
            Link::Rejected(r) => (
                "activity_rejected",
                format!(
                    "`{reference}` is an activity whose register row was rejected ({}, sheet {}, row {}: {}); fix that row and this one will count. The row was not used.",
                    r.file, r.sheet, r.row, r.reason
                ),
            ),
            Link::Unknown(suggestion) => (
                "unknown_activity",
                match suggestion {
                    Some(id) => format!(
                        "`{reference}` is not an activity in the activity register; did you mean `{id}`? Correct the id or add the activity to the register. The row was not used."
                    ),
                    None => unknown_message(reference),
                },
            ),
        })
    }
}

/// Why a row naming an activity missing from the register was not used.
pub fn unknown_message(id: &str) -> String {
    format!(
        "`{id}` is not an activity in the activity register; correct the id or add the activity to the register. The row was not used."
    )
}

/// The accepted activities, indexed for every way a reference may name them.
#[derive(Debug, Default)]
pub struct Linker {
    ids: Vec<String>,
    exact: FxHashMap<String, usize>,
    normalised: FxHashMap<String, Vec<usize>>,
    compact: FxHashMap<String, Vec<usize>>,
    titles: FxHashMap<String, Vec<usize>>,
    rejected: FxHashMap<String, RejectedActivity>,
    /// Accepted activities that are not delivered, with their status.
    not_delivered: FxHashMap<String, &'static str>,
}

/// References longer than this are not searched for an id prefix.
const MAX_REFERENCE: usize = 500;

impl Linker {
    /// `activities`: (id, title) of every accepted activity; `rejected`: the
    /// register rows rejected, whose ids are not accepted.
    pub fn new<'a>(
        activities: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
        rejected: impl IntoIterator<Item = RejectedActivity>,
    ) -> Linker {
        let mut linker = Linker::default();
        for (i, (id, title)) in activities.into_iter().enumerate() {
            linker.ids.push(id.to_string());
            linker.exact.insert(id.to_string(), i);
            push_index(linker.normalised.entry(key(id)).or_default(), i);
            push_index(linker.compact.entry(key(id).replace('-', "")).or_default(), i);
            if let Some(title) = title.map(normalise).filter(|t| !t.is_empty()) {
                push_index(linker.titles.entry(title).or_default(), i);
            }
        }
        for row in rejected {
            if !linker.exact.contains_key(&row.id) {
                linker.rejected.entry(row.id.clone()).or_insert(row);
            }
        }
        linker
    }

    pub fn contains(&self, id: &str) -> bool {
        self.exact.contains_key(id)
    }

    /// Mark accepted activities that are planned, postponed or cancelled.
    pub fn with_statuses<'a>(mut self, not_delivered: impl IntoIterator<Item = (&'a str, &'static str)>) -> Linker {
        self.not_delivered = not_delivered.into_iter().map(|(id, status)| (id.to_string(), status)).collect();
        self
    }

    /// What a survey answer's reference links to: as [`Self::resolve`], and an
    /// activity that is not delivered takes no answers.
    pub fn resolve_response(&self, reference: &str) -> Link {
        let link = self.resolve(reference);
        match link.id().and_then(|id| self.not_delivered.get(id).map(|status| (id, *status))) {
            Some((id, status)) => Link::NotDelivered(id.to_string(), status),
            None => link,
        }
    }

    /// What `reference` links to.
    pub fn resolve(&self, reference: &str) -> Link {
        if self.exact.contains_key(reference) {
            return Link::Exact(reference.to_string());
        }
        let trimmed = reference.trim();
        if let Some(link) = self.by_spelling(trimmed) {
            return link;
        }
        if let Some(row) = self.rejected_row(trimmed) {
            return Link::Rejected(row.clone());
        }
        if let Some(link) = self.by_prefix(trimmed) {
            return link;
        }
        if let Some(found) = self.titles.get(&normalise(trimmed)) {
            return self.pick(found);
        }
        Link::Unknown(closest(trimmed, self.ids.iter().map(String::as_str)).map(str::to_string))
    }

    /// The only accepted id that `name` (a file stem or sheet name) holds as a
    /// whole token, compared case-insensitively.
    pub fn token_in(&self, name: &str) -> Option<String> {
        let lower = name.to_lowercase();
        let mut found: Option<&str> = None;
        for id in &self.ids {
            let needle = id.to_lowercase();
            if needle.is_empty() {
                continue;
            }
            let whole = lower.match_indices(&needle).any(|(at, _)| {
                let before = lower[..at].chars().next_back();
                let after = lower[at + needle.len()..].chars().next();
                !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
            });
            if whole {
                match found {
                    Some(other) if other != id => return None,
                    _ => found = Some(id),
                }
            }
        }
        found.map(str::to_string)
    }

    /// Exact after trimming, normalised, or without separators.
    fn by_spelling(&self, reference: &str) -> Option<Link> {
        if self.exact.contains_key(reference) {
            return Some(Link::Matched(reference.to_string()));
        }
        let normalised = key(reference);
        if normalised.is_empty() {
            return None;
        }
        if let Some(found) = self.normalised.get(&normalised) {
            return Some(self.pick(found));
        }
        self.compact.get(&normalised.replace('-', "")).map(|found| self.pick(found))
    }

    fn rejected_row(&self, reference: &str) -> Option<&RejectedActivity> {
        self.rejected.get(reference).or_else(|| {
            let wanted = key(reference);
            self.rejected.values().filter(|r| key(&r.id) == wanted).min_by(|a, b| a.id.cmp(&b.id))
        })
    }

    /// The longest leading part, ending before a separator, that names an id.
    fn by_prefix(&self, reference: &str) -> Option<Link> {
        if reference.len() > MAX_REFERENCE {
            return None;
        }
        let mut ends: Vec<usize> = reference
            .char_indices()
            .filter(|(i, c)| *i > 0 && (c.is_whitespace() || "-–—_:;,.(/|".contains(*c)))
            .map(|(i, _)| i)
            .collect();
        ends.reverse();
        for end in ends {
            let (head, rest) = reference.split_at(end);
            if rest.trim_matches(|c: char| c.is_whitespace() || "-–—_:;,.(/|)".contains(c)).is_empty() {
                continue;
            }
            if let Some(Link::Matched(id)) = self.by_spelling(head.trim()) {
                return Some(Link::Matched(id));
            }
        }
        None
    }

    fn pick(&self, found: &[usize]) -> Link {
        match found {
            [one] => Link::Matched(self.ids[*one].clone()),
            many => {
                let mut ids: Vec<String> = many.iter().map(|i| self.ids[*i].clone()).collect();
                ids.sort();
                Link::Ambiguous(ids)
            }
        }
    }
}

fn push_index(list: &mut Vec<usize>, i: usize) {
    if !list.contains(&i) {
        list.push(i);
    }
}

/// The normalised form of an id: lower case, every run of `-` `–` `—` `_` `.`
/// `/` or whitespace one `-`, leading zeros of numbers dropped.
pub fn key(id: &str) -> String {
    let mut spaced = String::with_capacity(id.len());
    for c in id.trim().chars() {
        if c.is_whitespace() || "-–—_./".contains(c) {
            if !spaced.ends_with('-') && !spaced.is_empty() {
                spaced.push('-');
            }
        } else {
            spaced.extend(c.to_lowercase());
        }
    }
    let spaced = spaced.trim_end_matches('-');
    let mut out = String::with_capacity(spaced.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if !digits.is_empty() {
            let trimmed = digits.trim_start_matches('0');
            out.push_str(if trimmed.is_empty() { "0" } else { trimmed });
            digits.clear();
        }
    };
    for c in spaced.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linker() -> Linker {
        let rejected = RejectedActivity {
            id: "TW-08".into(),
            file: "register.xlsx".into(),
            sheet: "Activities".into(),
            row: 12,
            reason: "`31/02/2020` is not a date".into(),
        };
        Linker::new(
            [
                ("TW-05", Some("Small-scale missions")),
                ("SV-01", Some("Selection mission in Ankara")),
                ("AB-1", None),
                ("AB_01", None),
            ],
            [rejected],
        )
    }

    #[test]
    fn keys_fold_case_separators_and_leading_zeros() {
        assert_eq!(key("TW-05"), "tw-5");
        assert_eq!(key("tw_05"), "tw-5");
        assert_eq!(key("TW–5"), "tw-5");
        assert_eq!(key("TW 05"), "tw-5");
        assert_eq!(key("TW05"), "tw5");
        assert_eq!(key("SV-00"), "sv-0");
    }

    #[test]
    fn references_link_by_spelling_prefix_and_title() {
        let l = linker();
        assert_eq!(l.resolve("TW-05"), Link::Exact("TW-05".into()));
        for spelling in ["tw_05", "TW–5", "TW 05", "TW05", " TW-05 "] {
            assert_eq!(l.resolve(spelling), Link::Matched("TW-05".into()), "{spelling}");
        }
        assert_eq!(
            l.resolve("TW-05 – Small-scale missions: the Bulgarian programme (9 June 2020)"),
            Link::Matched("TW-05".into())
        );
        assert_eq!(l.resolve("selection mission in ankara"), Link::Matched("SV-01".into()));
        // `AB-1` and `AB_01` share the key `ab-1`: neither is chosen.
        assert_eq!(l.resolve("ab 1"), Link::Ambiguous(vec!["AB-1".into(), "AB_01".into()]));
        assert!(matches!(l.resolve("TW-08"), Link::Rejected(r) if r.row == 12));
        assert!(matches!(l.resolve("tw_08"), Link::Rejected(_)));
        assert_eq!(l.resolve("TW-06"), Link::Unknown(Some("TW-05".into())));
        let (code, message) = l.resolve("TW-06").rejection("TW-06").unwrap();
        assert_eq!(code, "unknown_activity");
        assert!(message.contains("did you mean `TW-05`?"), "{message}");
        let (code, message) = l.resolve("TW-08").rejection("TW-08").unwrap();
        assert_eq!(code, "activity_rejected");
        assert!(message.contains("register.xlsx, sheet Activities, row 12"), "{message}");
    }

    #[test]
    fn names_give_the_one_id_they_hold_as_a_token() {
        let l = linker();
        assert_eq!(l.token_in("Feedback TW-05 (1-10)"), Some("TW-05".into()));
        assert_eq!(l.token_in("Peer-learning_feedback_TW-05_-_all_versions"), Some("TW-05".into()));
        assert_eq!(l.token_in("Feedback TW-050"), None);
        assert_eq!(l.token_in("TW-05 and SV-01"), None);
    }
}
