//! `config/peer-eval.toml`: every domain choice, with the SPEC defaults built in.
//!
//! Each struct denies unknown fields, so a misspelt key is a configuration error
//! (exit 2) that names the key and its line instead of a silently ignored option.

pub mod defaults;

use std::collections::BTreeMap;
use std::path::Path;

use regex::Regex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::schema::DatasetKind;

/// The whole configuration.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// How input files are found and read.
    pub input: InputConfig,
    /// Extra header aliases: `[columns.<dataset>] <canonical column> = ["alias", …]`.
    pub columns: BTreeMap<DatasetKind, BTreeMap<String, Vec<String>>>,
    /// Suppression of small groups and publication of comments.
    pub privacy: PrivacyConfig,
    /// Targets per indicator id.
    pub targets: BTreeMap<String, TargetConfig>,
    /// Phases, goals, categories, activity types and the alignment matrix.
    pub taxonomy: TaxonomyConfig,
    /// Likert items, headline item, label sets.
    pub likert: LikertConfig,
    /// Country aliases and organisations.
    pub countries: CountriesConfig,
    /// Peer matching weights.
    pub matching: MatchingConfig,
    /// Safety limits for hostile inputs.
    pub limits: LimitsConfig,
    /// Report title and template overrides.
    pub report: ReportConfig,
    /// Which indicators inform each OECD-DAC criterion (SPEC §13.4).
    pub criteria: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportConfig {
    /// Title on the report and workbook.
    pub title: String,
    /// Folder with `report.hbs`, `activity.hbs` and/or `style.css` replacing the built-in ones.
    pub templates: Option<String>,
    /// Also write one report per value of this activity column; only `project`.
    pub split_by: Option<SplitBy>,
    /// Who the report is for (SPEC §13.5): the programme, its funder and grant.
    pub programme: Option<String>,
    pub funder: Option<String>,
    pub grant: Option<String>,
    /// The date the figures speak for; the data's last activity end date when absent.
    pub as_of: Option<chrono::NaiveDate>,
    /// Also write `report.pdf` with a headless Chromium.
    pub pdf: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitBy {
    Project,
}

impl Default for ReportConfig {
    fn default() -> ReportConfig {
        ReportConfig {
            title: "Peer-learning evaluation".to_string(),
            templates: None,
            split_by: None,
            programme: None,
            funder: None,
            grant: None,
            as_of: None,
            pdf: false,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct InputConfig {
    /// Regex with a named group `id`, searched in a responses file's stem and then
    /// its sheet name, when the sheet has no `activity_id` column.
    pub activity_from: Option<String>,
    /// How to read ambiguous text dates such as `03/04/2019`.
    pub date_order: DateOrder,
    /// Explicit sheet → dataset assignments, tried before any guessing.
    pub map: Vec<MapEntry>,
    /// More first-cell labels that mark a summary row (SPEC §12.1), beside the
    /// built-in `total`, `totals`, `grand total`, `subtotal`, `sum`, `average`, `mean`.
    pub summary_labels: Vec<String>,
    /// Rows hidden in the workbook: read like any other (with a warning) or skipped.
    pub hidden_rows: HiddenRows,
    /// Read files that are links leading out of the input folder.
    pub follow_links: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HiddenRows {
    #[default]
    Read,
    Skip,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    #[default]
    DayFirst,
    MonthFirst,
}

/// `[[input.map]] file = "survey_*.xlsx", sheet = "Form1", dataset = "responses"`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MapEntry {
    /// File name glob (`*` and `?`), matched against the file name.
    pub file: String,
    /// Sheet name; all sheets of the file when absent.
    #[serde(default)]
    pub sheet: Option<String>,
    pub dataset: DatasetKind,
    /// How to read undecidable slash and dot dates of these sheets (else `input.date_order`).
    #[serde(default)]
    pub date_order: Option<DateOrder>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrivacyConfig {
    /// Survey-based figures over fewer respondents than this are suppressed; 0 disables.
    pub min_group_size: usize,
    /// Publish free-text comments (with e-mail addresses and phone numbers masked).
    pub publish_comments: bool,
    /// Also hide the smallest other group when exactly one group of a breakdown is
    /// suppressed, so it cannot be derived from the total by subtraction.
    pub secondary_suppression: bool,
    /// The key of the pseudonyms that replace respondent, participant and response
    /// ids in `peer-eval export` (the same id, the same pseudonym in every export);
    /// without it, each export draws a random key. Never written out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pseudonym_key: Option<String>,
}

impl Default for PrivacyConfig {
    fn default() -> PrivacyConfig {
        PrivacyConfig { min_group_size: 5, publish_comments: false, secondary_suppression: false, pseudonym_key: None }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    pub target: f64,
    #[serde(default)]
    pub direction: Direction,
    /// Distance from the target still counted as `near`; default 10 % of the target.
    #[serde(default)]
    pub tolerance: Option<f64>,
    /// Where the indicator stood before the programme (SPEC §13.3).
    #[serde(default)]
    pub baseline: Option<f64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    #[default]
    AtLeast,
    AtMost,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TaxonomyConfig {
    pub phases: Vec<PhaseDef>,
    pub goals: Vec<TermDef>,
    pub categories: Vec<TermDef>,
    pub activity_types: Vec<ActivityTypeDef>,
    /// Goal → categories that support it (MPI Table C-1).
    pub alignment: BTreeMap<String, Vec<String>>,
}

impl Default for TaxonomyConfig {
    fn default() -> TaxonomyConfig {
        TaxonomyConfig {
            phases: defaults::phases(),
            goals: defaults::goals(),
            categories: defaults::categories(),
            activity_types: defaults::activity_types(),
            alignment: defaults::alignment(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseDef {
    pub id: String,
    pub number: u32,
    pub label: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TermDef {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityTypeDef {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LikertConfig {
    pub items: Vec<LikertItem>,
    /// The item behind `satisfaction_top2` and `satisfaction_mean`.
    pub headline: String,
    /// Extra label sets (e.g. other languages): one list of labels per level, from
    /// 1; named `custom_1`, `custom_2` … for `scales`.
    pub label_sets: Vec<Vec<Vec<String>>>,
    /// The label set of an item's column, where its labels alone cannot tell
    /// (`organisation_quality = "quality_very_good"`): SPEC §12.7.
    pub scales: BTreeMap<String, String>,
    /// Extra answers that mean "no answer".
    pub missing: Vec<String>,
}

impl Default for LikertConfig {
    fn default() -> LikertConfig {
        LikertConfig {
            items: defaults::likert_items(),
            headline: "overall_satisfaction".to_string(),
            label_sets: Vec::new(),
            scales: BTreeMap::new(),
            missing: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LikertItem {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Number of levels; the top two count for `top2`.
    #[serde(default = "five")]
    pub points: u8,
}

fn five() -> u8 {
    5
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CountriesConfig {
    /// Extra names for countries: `"Holland" = "NL"`.
    pub aliases: BTreeMap<String, String>,
    /// Names that are organisations, not countries.
    pub organisations: Vec<String>,
}

impl Default for CountriesConfig {
    fn default() -> CountriesConfig {
        CountriesConfig { aliases: BTreeMap::new(), organisations: defaults::organisations() }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatchingConfig {
    pub weights: MatchingWeights,
    /// Suggestions listed per unmet need.
    pub top: usize,
}

impl Default for MatchingConfig {
    fn default() -> MatchingConfig {
        MatchingConfig { weights: MatchingWeights::default(), top: 3 }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatchingWeights {
    pub welfare: f64,
    pub governance: f64,
    pub scale: f64,
    pub relationship: f64,
}

impl Default for MatchingWeights {
    fn default() -> MatchingWeights {
        MatchingWeights { welfare: 1.0, governance: 1.0, scale: 1.0, relationship: 0.5 }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Larger input files are not opened.
    pub max_file_mb: u64,
    /// Largest total size of a workbook's parts once decompressed.
    pub max_decompressed_mb: u64,
    /// Most non-empty cells read from one sheet.
    pub max_cells_per_sheet: u64,
    /// Memory cap of the child process that parses a legacy .xls or .ods file.
    pub worker_memory_mb: u64,
    /// Time limit for parsing one legacy .xls or .ods file.
    pub worker_seconds: u64,
    /// Memory shared by the files read at the same time; an eighth of the
    /// machine's memory (at least 1 GB) when absent.
    pub run_memory_mb: Option<u64>,
}

impl Default for LimitsConfig {
    fn default() -> LimitsConfig {
        LimitsConfig {
            max_file_mb: 200,
            max_decompressed_mb: 2048,
            max_cells_per_sheet: 50_000_000,
            worker_memory_mb: 4096,
            worker_seconds: 120,
            run_memory_mb: None,
        }
    }
}

/// A configuration problem: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Load `path`; a missing file means the built-in defaults when `required` is false.
    ///
    /// # Errors
    /// Unreadable file, TOML syntax, unknown keys, bad values, inconsistent taxonomy.
    pub fn load(path: &Path, required: bool) -> Result<Config, ConfigError> {
        // Only a regular file of sensible size is read (not a pipe, a device or a folder).
        if let Ok(meta) = std::fs::metadata(path) {
            if !meta.is_file() {
                return Err(ConfigError(format!("config file `{}` is not a regular file", path.display())));
            }
            if meta.len() > 1024 * 1024 {
                return Err(ConfigError(format!(
                    "config file `{}` is larger than 1 MB; a configuration is a few kilobytes",
                    path.display()
                )));
            }
        }
        let source = match std::fs::read_to_string(path) {
            Ok(source) => source,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound && !required => {
                return Ok(Config::default());
            }
            Err(err) => return Err(ConfigError(format!("cannot read config file `{}`: {err}", path.display()))),
        };
        Config::parse(&source, &path.display().to_string())
    }

    /// Parse and check configuration text; `name` is used in messages.
    ///
    /// # Errors
    /// As [`Config::load`].
    pub fn parse(source: &str, name: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(source).map_err(|err| {
            let line = err.span().map(|span| line_of_offset(source, span.start));
            let message = err.message().trim().to_string();
            match line {
                Some(line) => ConfigError(format!("{name}, line {line}: {message}")),
                None => ConfigError(format!("{name}: {message}")),
            }
        })?;
        config.check().map_err(|(key, message)| {
            let line = line_of_key(source, &key).map(|line| format!(", line {line}")).unwrap_or_default();
            ConfigError(format!("{name}{line}: `{key}`: {message}"))
        })?;
        Ok(config)
    }

    /// The Likert label sets by name: the built-in ones, then `custom_1`, `custom_2` …
    /// of `likert.label_sets` (64 at most); each a list of labels per level, from 1.
    pub fn label_sets(&self) -> Vec<(String, Vec<Vec<String>>)> {
        let mut sets = defaults::likert_label_sets();
        for (i, set) in self.likert.label_sets.iter().enumerate() {
            sets.push((format!("custom_{}", i + 1), set.clone()));
        }
        sets.truncate(64);
        sets
    }

    /// Consistency checks serde cannot express. Returns the offending key and why.
    fn check(&self) -> Result<(), (String, String)> {
        if let Some(pattern) = &self.input.activity_from {
            let regex = Regex::new(pattern)
                .map_err(|err| ("activity_from".to_string(), format!("not a valid regular expression: {err}")))?;
            if !regex.capture_names().any(|name| name == Some("id")) {
                return Err((
                    "activity_from".into(),
                    "the regular expression needs a named group `id`, e.g. `survey_(?P<id>[A-Z]+-[0-9]+)`".into(),
                ));
            }
        }
        let sets: Vec<String> = self.label_sets().into_iter().map(|(name, _)| name).collect();
        for (item, set) in &self.likert.scales {
            if !self.likert.items.iter().any(|i| &i.id == item) {
                return Err(("scales".into(), format!("`{item}` is not a Likert item of [likert] items")));
            }
            if !sets.contains(set) {
                return Err(("scales".into(), format!("`{set}` is not a label set; use one of: {}", sets.join(", "))));
            }
        }
        let tax = &self.taxonomy;
        let categories: Vec<&str> = tax.categories.iter().map(|c| c.id.as_str()).collect();
        let goals: Vec<&str> = tax.goals.iter().map(|g| g.id.as_str()).collect();
        if goals.len() > crate::schema::MAX_GOALS {
            return Err((
                "goals".into(),
                format!("{} goals are defined; peer-eval handles at most {}", goals.len(), crate::schema::MAX_GOALS),
            ));
        }
        for def in &tax.activity_types {
            for category in &def.categories {
                if !categories.contains(&category.as_str()) {
                    return Err((
                        "categories".into(),
                        format!("activity type `{}` names unknown category `{category}`", def.id),
                    ));
                }
            }
        }
        for (goal, cats) in &tax.alignment {
            if !goals.contains(&goal.as_str()) {
                return Err((goal.clone(), format!("the alignment matrix names unknown goal `{goal}`")));
            }
            for category in cats {
                if !categories.contains(&category.as_str()) {
                    return Err((goal.clone(), format!("the alignment matrix names unknown category `{category}`")));
                }
            }
        }
        if !tax.activity_types.iter().any(|t| t.id == "other") {
            return Err(("activity_types".into(), "the activity types must include `other`".into()));
        }
        if !self.likert.items.iter().any(|item| item.id == self.likert.headline) {
            return Err(("headline".into(), format!("`{}` is not one of the Likert items", self.likert.headline)));
        }
        for item in &self.likert.items {
            if !(2..=11).contains(&item.points) {
                return Err(("points".into(), format!("item `{}` has {} points; use 2 to 11", item.id, item.points)));
            }
        }
        for (id, target) in &self.targets {
            if !crate::registry::ids().any(|known| known == id) {
                let hint = crate::text::closest(id, crate::registry::ids())
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default();
                return Err((format!("targets.{id}"), format!("`{id}` is not an indicator{hint}")));
            }
            if !target.target.is_finite()
                || target.tolerance.is_some_and(|t| !t.is_finite() || t < 0.0)
                || target.baseline.is_some_and(|b| !b.is_finite())
            {
                return Err((
                    format!("targets.{id}"),
                    "target, baseline and tolerance must be finite numbers, tolerance ≥ 0".into(),
                ));
            }
        }
        for (criterion, ids) in &self.criteria {
            if !defaults::CRITERIA.contains(&criterion.as_str()) {
                return Err((
                    format!("criteria.{criterion}"),
                    format!("`{criterion}` is not a criterion; use {}", defaults::CRITERIA.join(", ")),
                ));
            }
            for id in ids {
                let known = match id.strip_prefix("likert.") {
                    Some(item) => self.likert.items.iter().any(|i| i.id == item),
                    None => crate::registry::ids().any(|known| known == id),
                };
                if !known {
                    return Err((
                        format!("criteria.{criterion}"),
                        format!("`{id}` is not an indicator (a Likert item is written `likert.<item>`)"),
                    ));
                }
            }
        }
        for (code_key, code) in &self.countries.aliases {
            if isocountry::CountryCode::for_alpha2_caseless(code).is_err() {
                return Err((code_key.clone(), format!("`{code}` is not an ISO 3166-1 alpha-2 country code")));
            }
        }
        let w = &self.matching.weights;
        let weights = [w.welfare, w.governance, w.scale, w.relationship];
        if weights.iter().any(|w| !w.is_finite() || *w < 0.0) || weights.iter().sum::<f64>() <= 0.0 {
            return Err(("weights".into(), "matching weights must be ≥ 0 and not all 0".into()));
        }
        Ok(())
    }

    /// The indicators of each criterion, in report order: `[criteria]` entries
    /// replace the default list of their criterion.
    pub fn criteria_map(&self) -> Vec<(&'static str, Vec<String>)> {
        defaults::criteria()
            .into_iter()
            .map(|(criterion, ids)| {
                let ids = match self.criteria.get(criterion) {
                    Some(custom) => custom.clone(),
                    None => ids.into_iter().map(str::to_string).collect(),
                };
                (criterion, ids)
            })
            .collect()
    }

    /// SHA-256 of the effective configuration (defaults included), as canonical JSON.
    pub fn digest(&self) -> String {
        let value = serde_json::to_value(self).expect("config serialises");
        let bytes = serde_json::to_vec(&value).expect("config serialises");
        hex(&Sha256::digest(bytes))
    }
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn line_of_offset(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].matches('\n').count() + 1
}

/// First line that mentions `key` (as a key or a table header), if any.
fn line_of_key(source: &str, key: &str) -> Option<usize> {
    let last = key.rsplit('.').next().unwrap_or(key);
    source
        .lines()
        .position(|line| {
            let line = line.trim_start();
            !line.starts_with('#') && (line.contains(key) || line.starts_with(last))
        })
        .map(|index| index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_text_is_the_defaults() {
        let config = Config::parse("", "t.toml").unwrap();
        assert_eq!(config.privacy.min_group_size, 5);
        assert_eq!(config.taxonomy.phases.len(), 6);
        assert_eq!(config.taxonomy.activity_types.len(), 19);
        assert_eq!(config.likert.headline, "overall_satisfaction");
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let err = Config::parse("[privacy]\nmin_group_size = 5\nmin_groupsize = 3\n", "t.toml").unwrap_err();
        assert!(err.0.contains("line 3"), "{}", err.0);
        assert!(err.0.contains("min_groupsize"), "{}", err.0);
    }

    #[test]
    fn bad_value_names_line() {
        let err = Config::parse("[input]\ndate_order = \"sideways\"\n", "t.toml").unwrap_err();
        assert!(err.0.contains("line 2"), "{}", err.0);
    }

    #[test]
    fn unknown_target_suggests_closest_indicator() {
        let err = Config::parse("[targets.satisfaction_top]\ntarget = 0.8\n", "t.toml").unwrap_err();
        assert!(err.0.contains("did you mean `satisfaction_top2`"), "{}", err.0);
        assert!(err.0.contains("line 1"), "{}", err.0);
    }

    #[test]
    fn activity_from_needs_an_id_group() {
        let err = Config::parse("[input]\nactivity_from = \"survey_(.*)\"\n", "t.toml").unwrap_err();
        assert!(err.0.contains("named group `id`"), "{}", err.0);
    }

    #[test]
    fn digest_ignores_comments_but_not_values() {
        let a = Config::parse("# hello\n[privacy]\nmin_group_size = 5\n", "t").unwrap();
        let b = Config::parse("", "t").unwrap();
        let c = Config::parse("[privacy]\nmin_group_size = 3\n", "t").unwrap();
        assert_eq!(a.digest(), b.digest());
        assert_ne!(a.digest(), c.digest());
    }
}
