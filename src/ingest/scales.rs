//! Which label set a Likert column uses (SPEC §12.7).
//!
//! Some labels score differently in different sets (`Good` is 4 of `Very poor …
//! Excellent` but 3 of `Poor … Very good, Excellent`). A column's set is the one
//! that holds all its labels; while the sets that still fit disagree on a label,
//! the column is undecided, and if it stays so its labelled answers are ignored
//! (`ambiguous_scale`) unless `[likert.scales]` names its set.

use rustc_hash::FxHashMap;

use crate::config::Config;
use crate::text::normalise;

/// Every label set, built-in and configured, with each label's score.
#[derive(Debug, Clone)]
pub struct LabelSets {
    names: Vec<String>,
    /// Normalised label → (set index, score), in set order.
    labels: FxHashMap<String, Vec<(usize, u8)>>,
    /// `conflicts[i]`: the sets that score a label of set `i` differently.
    conflicts: Vec<u64>,
}

impl LabelSets {
    pub fn new(config: &Config) -> LabelSets {
        let sets = config.label_sets();
        let mut labels: FxHashMap<String, Vec<(usize, u8)>> = FxHashMap::default();
        for (index, (_, levels)) in sets.iter().enumerate() {
            for (level, names) in levels.iter().enumerate() {
                for name in names {
                    let entry = labels.entry(normalise(name)).or_default();
                    if !entry.iter().any(|(s, _)| *s == index) {
                        entry.push((index, level as u8 + 1));
                    }
                }
            }
        }
        let mut conflicts = vec![0u64; sets.len()];
        for scores in labels.values() {
            for (a, score_a) in scores {
                for (b, score_b) in scores {
                    if score_a != score_b {
                        conflicts[*a] |= 1 << b;
                    }
                }
            }
        }
        LabelSets { names: sets.into_iter().map(|(name, _)| name).collect(), labels, conflicts }
    }

    pub fn names(&self) -> Vec<&str> {
        self.names.iter().map(String::as_str).collect()
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    pub fn name(&self, index: usize) -> &str {
        &self.names[index]
    }

    /// The sets that hold a (normalised) label, as a bit mask.
    fn holding(&self, key: &str) -> u64 {
        self.labels.get(key).map_or(0, |scores| scores.iter().fold(0, |m, (s, _)| m | 1 << s))
    }

    /// Whether a family of sets agrees on the score of every label they share.
    fn consistent(&self, family: u64) -> bool {
        (0..self.names.len()).filter(|i| family & (1 << i) != 0).all(|i| self.conflicts[i] & family == 0)
    }

    /// The score of a label in the first set of `family` that holds it.
    fn score_in(&self, key: &str, family: u64) -> Option<u8> {
        self.labels.get(key)?.iter().find(|(s, _)| family & (1 << s) != 0).map(|(_, score)| *score)
    }

    /// Every label of every set, normalised.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        self.labels.keys().map(String::as_str)
    }

    /// Whether `key` is a label of some set.
    pub fn is_label(&self, key: &str) -> bool {
        self.labels.contains_key(key)
    }
}

/// What a label is worth in one column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelScore {
    Score(u8),
    /// The column's set is undecided: the label is ignored.
    Ambiguous,
    /// Not a label of the column's set (or of any set).
    Unknown,
}

/// The label set of one Likert column, decided from the labels it holds.
#[derive(Debug, Clone, Default)]
pub struct ColumnScale {
    /// Named in `[likert.scales]`.
    fixed: Option<usize>,
    /// The sets holding every label seen so far (None: no label seen yet).
    fits: Option<u64>,
    /// Labels seen, in order of first appearance (for the warning).
    seen: Vec<String>,
    /// Still undecided when the sheet ended: labels are ignored.
    pub ambiguous: bool,
}

impl ColumnScale {
    pub fn fixed(index: Option<usize>) -> ColumnScale {
        ColumnScale { fixed: index, ..ColumnScale::default() }
    }

    /// Take note of a label the column holds (`key` normalised).
    pub fn observe(&mut self, sets: &LabelSets, key: &str) {
        if self.fixed.is_some() {
            return;
        }
        let holding = sets.holding(key);
        if holding == 0 {
            return;
        }
        if self.seen.len() < 8 && !self.seen.iter().any(|s| s == key) {
            self.seen.push(key.to_string());
        }
        self.fits = Some(match self.fits {
            None => holding,
            // A label outside every set that fits so far: keep those sets.
            Some(fits) if fits & holding == 0 => fits,
            Some(fits) => fits & holding,
        });
    }

    /// Whether every label the column may still hold scores one way.
    pub fn decided(&self, sets: &LabelSets) -> bool {
        self.fixed.is_some() || self.fits.is_none_or(|fits| sets.consistent(fits))
    }

    /// The score of a label (`key` normalised) in this column.
    pub fn score(&self, sets: &LabelSets, key: &str) -> LabelScore {
        if let Some(set) = self.fixed {
            return sets.score_in(key, 1 << set).map_or(LabelScore::Unknown, LabelScore::Score);
        }
        if self.ambiguous {
            return if sets.is_label(key) { LabelScore::Ambiguous } else { LabelScore::Unknown };
        }
        let holding = sets.holding(key);
        if holding == 0 {
            return LabelScore::Unknown;
        }
        let family = match self.fits {
            Some(fits) if fits & holding != 0 => fits & holding,
            _ => holding,
        };
        // The sets that may be this column's must agree on this label's score.
        let scores = sets.labels.get(key).into_iter().flatten().filter(|(s, _)| family & (1 << s) != 0);
        let mut agreed = None;
        for (_, score) in scores {
            if agreed.is_some_and(|a| a != *score) {
                return LabelScore::Ambiguous;
            }
            agreed = Some(*score);
        }
        agreed.map_or(LabelScore::Unknown, LabelScore::Score)
    }

    /// When the column's labels decided a set that scores one of them otherwise
    /// than another set would: that label, its score here, and the sets that fit.
    pub fn inferred(&self, sets: &LabelSets) -> Option<(String, u8, Vec<String>)> {
        if self.fixed.is_some() || self.ambiguous {
            return None;
        }
        let contested = self.seen.iter().find(|label| {
            let scores = sets.labels.get(label.as_str()).map_or(&[][..], Vec::as_slice);
            scores.iter().any(|(_, s)| *s != scores[0].1)
        })?;
        let LabelScore::Score(score) = self.score(sets, contested) else { return None };
        Some((contested.clone(), score, self.describe(sets).1))
    }

    /// The warning's words: the labels seen and the sets they fit.
    pub fn describe(&self, sets: &LabelSets) -> (Vec<String>, Vec<String>) {
        let fits = self.fits.unwrap_or(0);
        let names = (0..sets.names.len()).filter(|i| fits & (1 << i) != 0).map(|i| sets.name(i).to_string()).collect();
        (self.seen.clone(), names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets() -> LabelSets {
        LabelSets::new(&Config::default())
    }

    #[test]
    fn a_column_of_very_good_is_scored_on_its_own_set() {
        let sets = sets();
        let mut column = ColumnScale::default();
        for label in ["excellent", "good", "very good", "fair", "poor"] {
            column.observe(&sets, label);
        }
        assert!(column.decided(&sets));
        // Poor 1, Fair 2, Good 3, Very good 4, Excellent 5.
        let scores: Vec<LabelScore> =
            ["poor", "fair", "good", "very good", "excellent"].iter().map(|l| column.score(&sets, l)).collect();
        assert_eq!(scores, [1, 2, 3, 4, 5].map(LabelScore::Score));
    }

    #[test]
    fn poor_fair_good_excellent_alone_is_undecided() {
        let sets = sets();
        let mut column = ColumnScale::default();
        for label in ["excellent", "good", "fair"] {
            column.observe(&sets, label);
        }
        assert!(!column.decided(&sets));
        assert_eq!(column.score(&sets, "good"), LabelScore::Ambiguous);
        let (_, fits) = column.describe(&sets);
        assert_eq!(fits, ["quality", "quality_very_good"]);
        // A `very poor` settles it as `quality`: Good 4.
        column.observe(&sets, "very poor");
        assert!(column.decided(&sets));
        assert_eq!(column.score(&sets, "good"), LabelScore::Score(4));
    }

    #[test]
    fn agreement_sets_share_their_scores() {
        let sets = sets();
        let mut column = ColumnScale::default();
        column.observe(&sets, "strongly agree");
        assert!(column.decided(&sets));
        column.observe(&sets, "somewhat agree");
        assert_eq!(column.score(&sets, "somewhat agree"), LabelScore::Score(4));
        assert_eq!(column.score(&sets, "neither agree nor disagree"), LabelScore::Score(3));
    }

    #[test]
    fn a_named_set_decides() {
        let sets = sets();
        let column = ColumnScale::fixed(sets.index_of("quality_very_good"));
        assert_eq!(column.score(&sets, "good"), LabelScore::Score(3));
        assert_eq!(column.score(&sets, "very poor"), LabelScore::Unknown);
    }
}
