//! `peer-eval export`: the validated records as tidy tables, one per dataset plus
//! the issues, laid out Hive-style (`DIR/programme=<name>/period=<label>/`) so
//! that many exports in one folder read as one dataset in DuckDB, polars or Spark.
//!
//! This is row-level personal data for the programme team, not for publication:
//! respondent, participant and response ids are replaced by a keyed hash, e-mail
//! addresses and phone numbers in free text are masked, and comments are exported
//! only with `privacy.publish_comments`. Small-cell suppression cannot protect
//! row-level data.

pub mod read;

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::model::{Dataset, Place, Response, YesPartlyNo};
use crate::quality::Issue;
use crate::text::mask_contacts;

/// The export's manifest, beside its tables (readers of the Parquet dataset skip
/// files whose names start with `_`).
pub const MANIFEST: &str = "_peer-eval.json";

/// What an export folder holds, for `peer-eval portfolio`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    /// The programme's name as configured (the folder name is made safe for file systems).
    pub programme: String,
    /// The period's label.
    pub period: String,
    /// The peer-eval version that wrote the export.
    pub version: String,
    /// Rows per table.
    pub tables: std::collections::BTreeMap<String, usize>,
    /// Whether `report.programme` was set: without it the name is the report's
    /// title, which other programmes may share.
    #[serde(default)]
    pub programme_configured: bool,
    /// A fingerprint of the pseudonym key ([`Pseudonyms::fingerprint`]): two
    /// exports with the same one pseudonymised the same id alike.
    #[serde(default)]
    pub pseudonym_key: Option<String>,
}

/// The prefix of the countries table's per-phase experience columns
/// (`experience_<phase id>`).
pub const PHASE_EXPERIENCE: &str = "experience_";

/// One column of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Text(Vec<Option<String>>),
    Int(Vec<Option<i64>>),
    Real(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    Date(Vec<Option<NaiveDate>>),
    /// A list per row (`;`-joined in CSV).
    List(Vec<Vec<String>>),
}

impl Values {
    fn len(&self) -> usize {
        match self {
            Values::Text(v) => v.len(),
            Values::Int(v) => v.len(),
            Values::Real(v) => v.len(),
            Values::Bool(v) => v.len(),
            Values::Date(v) => v.len(),
            Values::List(v) => v.len(),
        }
    }

    /// The CSV text of row `i` (empty for a missing value).
    fn csv(&self, i: usize) -> String {
        match self {
            Values::Text(v) => v[i].clone().unwrap_or_default(),
            Values::Int(v) => v[i].map(|n| n.to_string()).unwrap_or_default(),
            Values::Real(v) => v[i].map(|n| n.to_string()).unwrap_or_default(),
            Values::Bool(v) => v[i].map(|b| b.to_string()).unwrap_or_default(),
            Values::Date(v) => v[i].map(|d| d.to_string()).unwrap_or_default(),
            Values::List(v) => v[i].join(";"),
        }
    }
}

/// A table: its name (the file's stem) and its columns, all of one length.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: &'static str,
    pub columns: Vec<(String, Values)>,
}

impl Table {
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |(_, v)| v.len())
    }

    /// The table as CSV (RFC 4180, a header row, UTF-8).
    pub fn to_csv(&self) -> Vec<u8> {
        let mut writer = TableWriter::new(Vec::new(), false);
        writer.write(self).and_then(|()| writer.finish()).unwrap_or_default()
    }

    /// The table as Parquet.
    ///
    /// # Errors
    /// The Parquet writer's error (a bug, not a data problem).
    #[cfg(feature = "parquet")]
    pub fn to_parquet(&self) -> Result<Vec<u8>, WriteError> {
        let mut writer = TableWriter::new(Vec::new(), true);
        writer.write(self)?;
        writer.finish()
    }
}

/// Why a table could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Csv(#[from] csv::Error),
    #[cfg(feature = "parquet")]
    #[error(transparent)]
    Parquet(#[from] parquet::errors::ParquetError),
}

/// Rows per Parquet row group.
#[cfg(feature = "parquet")]
const ROW_GROUP: usize = 128 * 1024;

/// Writes one table batch by batch: CSV with its header once, or Parquet
/// (typed columns, zstd) whose schema is the first batch's. A long table so
/// never has to be in memory whole. Every table gets at least one batch, if
/// empty: it carries the columns.
pub struct TableWriter<W: std::io::Write + Send> {
    /// `None` only after a failed first Parquet batch.
    state: Option<Writer<W>>,
}

enum Writer<W: std::io::Write + Send> {
    Csv {
        out: csv::Writer<W>,
        header: bool,
    },
    /// Parquet before its first batch (the output), then the writer.
    #[cfg(feature = "parquet")]
    ParquetPending(W),
    #[cfg(feature = "parquet")]
    Parquet(parquet::arrow::ArrowWriter<W>),
}

impl<W: std::io::Write + Send> TableWriter<W> {
    /// A writer into `out`, Parquet when `parquet` (and the feature is built).
    pub fn new(out: W, parquet: bool) -> TableWriter<W> {
        #[cfg(feature = "parquet")]
        if parquet {
            return TableWriter { state: Some(Writer::ParquetPending(out)) };
        }
        let _ = parquet;
        TableWriter { state: Some(Writer::Csv { out: csv::Writer::from_writer(out), header: false }) }
    }

    /// Write the rows of `table` (the columns of every batch are the first's).
    ///
    /// # Errors
    /// Writing fails.
    pub fn write(&mut self, table: &Table) -> Result<(), WriteError> {
        #[cfg(feature = "parquet")]
        if let Some(Writer::ParquetPending(_)) = self.state {
            use parquet::basic::{Compression, ZstdLevel};
            use parquet::file::properties::WriterProperties;

            let Some(Writer::ParquetPending(out)) = self.state.take() else { unreachable!("pending") };
            let batch = table.record_batch()?;
            let props = WriterProperties::builder()
                .set_compression(Compression::ZSTD(ZstdLevel::try_new(3)?))
                .set_max_row_group_row_count(Some(ROW_GROUP))
                .build();
            let mut writer = parquet::arrow::ArrowWriter::try_new(out, batch.schema(), Some(props))?;
            writer.write(&batch)?;
            self.state = Some(Writer::Parquet(writer));
            return Ok(());
        }
        match &mut self.state {
            Some(Writer::Csv { out, header }) => {
                if !*header {
                    out.write_record(table.columns.iter().map(|(name, _)| name.as_str()))?;
                    *header = true;
                }
                for i in 0..table.rows() {
                    out.write_record(table.columns.iter().map(|(_, v)| v.csv(i)))?;
                }
            }
            #[cfg(feature = "parquet")]
            Some(Writer::Parquet(writer)) => writer.write(&table.record_batch()?)?,
            #[cfg(feature = "parquet")]
            Some(Writer::ParquetPending(_)) => unreachable!("handled above"),
            None => return Err(WriteError::Io(std::io::Error::other("an earlier batch failed"))),
        }
        Ok(())
    }

    /// Finish the file and hand back the output.
    ///
    /// # Errors
    /// Writing fails, or no batch was written to a Parquet file.
    pub fn finish(self) -> Result<W, WriteError> {
        match self.state {
            Some(Writer::Csv { out, .. }) => out.into_inner().map_err(|err| WriteError::Io(err.into_error())),
            #[cfg(feature = "parquet")]
            Some(Writer::Parquet(writer)) => Ok(writer.into_inner()?),
            #[cfg(feature = "parquet")]
            Some(Writer::ParquetPending(_)) => {
                Err(WriteError::Io(std::io::Error::other("a Parquet table needs one batch, if empty, for its columns")))
            }
            None => Err(WriteError::Io(std::io::Error::other("an earlier batch failed"))),
        }
    }
}

#[cfg(feature = "parquet")]
impl Table {
    /// The table as one Arrow record batch: typed columns (dates as dates,
    /// lists as list columns).
    fn record_batch(&self) -> Result<arrow_array::RecordBatch, parquet::errors::ParquetError> {
        use std::sync::Arc;

        use arrow_array::builder::{ListBuilder, StringBuilder};
        use arrow_array::{
            Array, ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
        };
        use arrow_schema::{DataType, Field, Schema};

        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
        let mut fields = Vec::new();
        let mut arrays: Vec<ArrayRef> = Vec::new();
        for (name, values) in &self.columns {
            let (kind, array): (DataType, ArrayRef) = match values {
                Values::Text(v) => (DataType::Utf8, Arc::new(v.iter().map(Option::as_deref).collect::<StringArray>())),
                Values::Int(v) => (DataType::Int64, Arc::new(v.iter().copied().collect::<Int64Array>())),
                Values::Real(v) => (DataType::Float64, Arc::new(v.iter().copied().collect::<Float64Array>())),
                Values::Bool(v) => (DataType::Boolean, Arc::new(v.iter().copied().collect::<BooleanArray>())),
                Values::Date(v) => (
                    DataType::Date32,
                    Arc::new(v.iter().map(|d| d.map(|d| (d - epoch).num_days() as i32)).collect::<Date32Array>()),
                ),
                Values::List(v) => {
                    let mut builder = ListBuilder::new(StringBuilder::new());
                    for list in v {
                        list.iter().for_each(|item| builder.values().append_value(item));
                        builder.append(true);
                    }
                    let array = builder.finish();
                    (array.data_type().clone(), Arc::new(array))
                }
            };
            fields.push(Field::new(name, kind, true));
            arrays.push(array);
        }
        Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?)
    }
}

/// Pseudonyms for ids: HMAC-SHA-256 under a key that is never written out.
pub struct Pseudonyms {
    key: [u8; 32],
}

impl Pseudonyms {
    /// With `key` from the configuration, the same id gets the same pseudonym in
    /// every export; without, a random key of this export only.
    pub fn new(key: Option<&str>) -> Pseudonyms {
        let key = match key {
            Some(text) => Sha256::digest(text.as_bytes()).into(),
            None => {
                // The standard library's hasher keys come from the system's random source.
                let mut key = [0u8; 32];
                for (i, chunk) in key.chunks_mut(8).enumerate() {
                    let mut hasher = RandomState::new().build_hasher();
                    hasher.write_usize(i);
                    chunk.copy_from_slice(&hasher.finish().to_le_bytes());
                }
                key
            }
        };
        Pseudonyms { key }
    }

    /// What tells keys apart without telling them: the first 8 bytes of the
    /// pseudonym of a fixed text, in hex.
    pub fn fingerprint(&self) -> String {
        self.of("peer-eval pseudonym key fingerprint")[..16].to_string()
    }

    /// The pseudonym of `id`: the first 16 bytes of HMAC-SHA-256(key, id), in hex.
    pub fn of(&self, id: &str) -> String {
        let mut inner = Sha256::new();
        let mut outer = Sha256::new();
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&self.key);
        inner.update(block.map(|b| b ^ 0x36));
        inner.update(id.as_bytes());
        outer.update(block.map(|b| b ^ 0x5c));
        outer.update(inner.finalize());
        outer.finalize()[..16].iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn place(p: &Place) -> String {
    p.key().to_string()
}

fn yes_partly_no(v: Option<YesPartlyNo>) -> Option<String> {
    v.map(|v| v.as_str().to_string())
}

fn text(values: impl Iterator<Item = Option<String>>) -> Values {
    Values::Text(values.map(|v| v.map(|t| mask_contacts(&t))).collect())
}

/// The responses table of `rows` (a batch of them, when written in batches).
pub fn responses_table(rows: &[Response], config: &Config, ids: &Pseudonyms) -> Table {
    let goals: Vec<&str> = config.taxonomy.goals.iter().map(|g| g.id.as_str()).collect();
    let r = rows;
    let mut response_columns = vec![
        ("activity_id".into(), text(r.iter().map(|x| Some(x.activity_id.clone())))),
        ("response_id".into(), Values::Text(r.iter().map(|x| x.response_id.as_deref().map(|i| ids.of(i))).collect())),
        (
            "respondent_id".into(),
            Values::Text(r.iter().map(|x| x.respondent_id.as_deref().map(|i| ids.of(i))).collect()),
        ),
        ("submitted_at".into(), Values::Date(r.iter().map(|x| x.submitted_at).collect())),
        ("country".into(), text(r.iter().map(|x| x.country.clone()))),
        ("experience".into(), text(r.iter().map(|x| x.experience.map(|e| e.as_str().to_string())))),
        ("org_type".into(), text(r.iter().map(|x| x.org_type.clone()))),
        ("role_level".into(), text(r.iter().map(|x| x.role_level.clone()))),
    ];
    for (index, item) in config.likert.items.iter().enumerate() {
        let answers = r.iter().map(|x| x.likert.get(index).copied().filter(|&v| v != 0).map(i64::from)).collect();
        response_columns.push((item.id.clone(), Values::Int(answers)));
    }
    response_columns.extend([
        ("recommend".into(), Values::Int(r.iter().map(|x| x.recommend.map(i64::from)).collect())),
        ("intent_to_apply".into(), text(r.iter().map(|x| yes_partly_no(x.intent)))),
        ("new_contacts".into(), Values::Bool(r.iter().map(|x| x.new_contacts).collect())),
        (
            "participation_aim".into(),
            Values::List(
                r.iter()
                    .map(|x| {
                        goals
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| x.aims & (1 << i) != 0)
                            .map(|(_, g)| g.to_string())
                            .collect()
                    })
                    .collect(),
            ),
        ),
    ]);
    if config.privacy.publish_comments {
        response_columns.push(("comment".into(), text(r.iter().map(|x| x.comment.clone()))));
    }
    Table { name: "responses", columns: response_columns }
}

/// Every table of the export but the responses ([`responses_table`]), from the
/// period's records.
pub fn tables(data: &Dataset, issues: &[Issue], config: &Config, ids: &Pseudonyms) -> Vec<Table> {
    let a = &data.activities;
    let activities = Table {
        name: "activities",
        columns: vec![
            ("activity_id".into(), text(a.iter().map(|x| Some(x.id.clone())))),
            ("type".into(), text(a.iter().map(|x| Some(x.kind.clone())))),
            ("title".into(), text(a.iter().map(|x| x.title.clone()))),
            ("status".into(), text(a.iter().map(|x| Some(x.status.as_str().to_string())))),
            ("start_date".into(), Values::Date(a.iter().map(|x| Some(x.start)).collect())),
            ("end_date".into(), Values::Date(a.iter().map(|x| Some(x.end)).collect())),
            ("days".into(), Values::Int(a.iter().map(|x| Some(x.days())).collect())),
            ("format".into(), text(a.iter().map(|x| Some(x.format.clone())))),
            ("host_country".into(), text(a.iter().map(|x| x.host_country.as_ref().map(place)))),
            (
                "participating_countries".into(),
                Values::List(a.iter().map(|x| x.participating.iter().map(place).collect()).collect()),
            ),
            ("phases".into(), Values::List(a.iter().map(|x| x.phases.clone()).collect())),
            ("goals".into(), Values::List(a.iter().map(|x| x.goals.clone()).collect())),
            ("participants".into(), Values::Int(a.iter().map(|x| x.participants.map(|p| p as i64)).collect())),
            ("cost_eur".into(), Values::Real(a.iter().map(|x| x.cost_eur).collect())),
            ("follow_up".into(), Values::Bool(a.iter().map(|x| Some(x.follow_up)).collect())),
            ("project".into(), text(a.iter().map(|x| x.project.clone()))),
            ("location".into(), text(a.iter().map(|x| x.location.clone()))),
            ("host_org".into(), text(a.iter().map(|x| x.host_org.clone()))),
            ("component".into(), text(a.iter().map(|x| x.component.clone()))),
            ("expected_outcome".into(), text(a.iter().map(|x| x.expected_outcome.clone()))),
        ],
    };
    let p = &data.participants;
    let participants = Table {
        name: "participants",
        columns: vec![
            ("activity_id".into(), text(p.iter().map(|x| Some(x.activity_id.clone())))),
            ("participant_id".into(), Values::Text(p.iter().map(|x| Some(ids.of(&x.participant_id))).collect())),
            ("country".into(), text(p.iter().map(|x| x.country.as_ref().map(place)))),
            ("org_type".into(), text(p.iter().map(|x| x.org_type.clone()))),
            ("role_level".into(), text(p.iter().map(|x| x.role_level.clone()))),
            ("experience".into(), text(p.iter().map(|x| x.experience.map(|e| e.as_str().to_string())))),
            ("role".into(), text(p.iter().map(|x| x.role.clone()))),
        ],
    };
    let f = &data.followups;
    let mut followup_columns = vec![
        ("activity_id".into(), text(f.iter().map(|x| Some(x.activity_id.clone())))),
        (
            "respondent_id".into(),
            Values::Text(f.iter().map(|x| x.respondent_id.as_deref().map(|i| ids.of(i))).collect()),
        ),
        ("country".into(), text(f.iter().map(|x| x.country.as_ref().map(place)))),
        ("months_after".into(), Values::Int(f.iter().map(|x| x.months_after.map(i64::from)).collect())),
        ("applied".into(), text(f.iter().map(|x| yes_partly_no(x.applied)))),
        ("shared_internally".into(), Values::Bool(f.iter().map(|x| x.shared_internally).collect())),
        ("further_contact".into(), Values::Bool(f.iter().map(|x| x.further_contact).collect())),
    ];
    if config.privacy.publish_comments {
        followup_columns.push(("change_description".into(), text(f.iter().map(|x| x.change_description.clone()))));
    }
    let n = &data.needs;
    let needs = Table {
        name: "needs",
        columns: vec![
            ("country".into(), text(n.iter().map(|x| Some(place(&x.country))))),
            ("phase".into(), text(n.iter().map(|x| Some(x.phase.clone())))),
            ("priority".into(), Values::Int(n.iter().map(|x| x.priority.map(i64::from)).collect())),
            ("preferred_methods".into(), Values::List(n.iter().map(|x| x.preferred_methods.clone()).collect())),
        ],
    };
    let c = &data.countries;
    let mut country_columns = vec![
        ("country".into(), text(c.iter().map(|x| Some(place(&x.country))))),
        ("experience".into(), text(c.iter().map(|x| x.experience.map(|e| e.as_str().to_string())))),
        ("welfare_support_months".into(), Values::Real(c.iter().map(|x| x.welfare_support_months).collect())),
        ("governance".into(), text(c.iter().map(|x| x.governance.clone()))),
        ("annual_quota".into(), Values::Real(c.iter().map(|x| x.annual_quota).collect())),
    ];
    // Experience per phase, where the profiles give it: one column per phase.
    for phase in &config.taxonomy.phases {
        if c.iter().any(|x| x.phase_experience.contains_key(&phase.id)) {
            let levels = c.iter().map(|x| x.phase_experience.get(&phase.id).map(|e| e.as_str().to_string()));
            country_columns.push((format!("{PHASE_EXPERIENCE}{}", phase.id), Values::Text(levels.collect())));
        }
    }
    let countries = Table { name: "countries", columns: country_columns };
    let issue_table = Table {
        name: "issues",
        columns: vec![
            ("severity".into(), text(issues.iter().map(|i| Some(i.severity.as_str().to_string())))),
            ("code".into(), text(issues.iter().map(|i| Some(i.code.to_string())))),
            ("file".into(), text(issues.iter().map(|i| Some(i.file.clone())))),
            ("sheet".into(), text(issues.iter().map(|i| i.sheet.clone()))),
            ("row".into(), Values::Int(issues.iter().map(|i| i.row.map(i64::from)).collect())),
            ("column".into(), text(issues.iter().map(|i| i.column.clone()))),
            ("value".into(), text(issues.iter().map(|i| i.value.clone()))),
            ("message".into(), text(issues.iter().map(|i| Some(i.message.clone())))),
        ],
    };
    vec![
        activities,
        participants,
        Table { name: "followups", columns: followup_columns },
        needs,
        countries,
        issue_table,
    ]
}

/// A Hive partition value: letters, digits, `-`, `_` and `.` kept, anything else `_`.
pub fn partition_value(text: &str) -> String {
    let value: String = text
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
        .take(80)
        .collect();
    if value.is_empty() || value.chars().all(|c| c == '.') {
        "unnamed".to_string()
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_keyed_and_stable_under_one_key() {
        let a = Pseudonyms::new(Some("programme secret"));
        let b = Pseudonyms::new(Some("programme secret"));
        let other = Pseudonyms::new(Some("another secret"));
        assert_eq!(a.of("R-001"), b.of("R-001"));
        assert_ne!(a.of("R-001"), a.of("R-002"));
        assert_ne!(a.of("R-001"), other.of("R-001"));
        assert_eq!(a.of("R-001").len(), 32);
        assert_eq!((a.fingerprint(), a.fingerprint().len()), (b.fingerprint(), 16));
        assert_ne!(a.fingerprint(), other.fingerprint());
        // Without a key, two exports give different pseudonyms.
        assert_ne!(Pseudonyms::new(None).of("R-001"), Pseudonyms::new(None).of("R-001"));
    }

    #[test]
    fn hmac_matches_the_rfc_4231_vector() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        // Our key is SHA-256 of the configured text, so build the block directly.
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        let ids = Pseudonyms { key };
        assert_eq!(ids.of("what do ya want for nothing?"), "5bdcc146bf60754e6a042426089575c7");
    }

    #[test]
    fn csv_joins_lists_and_leaves_missing_values_empty() {
        let table = Table {
            name: "t",
            columns: vec![
                ("id".into(), Values::Text(vec![Some("a".into()), None])),
                ("n".into(), Values::Int(vec![Some(3), None])),
                ("list".into(), Values::List(vec![vec!["x".into(), "y".into()], vec![]])),
            ],
        };
        assert_eq!(String::from_utf8(table.to_csv()).unwrap(), "id,n,list\na,3,x;y\n,,\n");
    }

    #[cfg(feature = "parquet")]
    #[test]
    fn parquet_keeps_types_lists_and_missing_values() {
        use arrow_array::{Array, Date32Array, Int64Array, ListArray, StringArray};
        use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

        let table = Table {
            name: "t",
            columns: vec![
                ("id".into(), Values::Text(vec![Some("a".into()), None])),
                ("n".into(), Values::Int(vec![Some(3), None])),
                ("day".into(), Values::Date(vec![NaiveDate::from_ymd_opt(1970, 1, 3), None])),
                ("list".into(), Values::List(vec![vec!["x".into(), "y".into()], vec![]])),
            ],
        };
        let file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut &file, &table.to_parquet().unwrap()).unwrap();
        let mut reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
        let batch = reader.next().unwrap().unwrap();
        assert_eq!(batch.num_rows(), 2);
        let ids = batch.column(0).as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!((ids.value(0), ids.is_null(1)), ("a", true));
        let n = batch.column(1).as_any().downcast_ref::<Int64Array>().unwrap();
        assert_eq!((n.value(0), n.is_null(1)), (3, true));
        // 3 January 1970 is day 2 of the Unix epoch.
        let day = batch.column(2).as_any().downcast_ref::<Date32Array>().unwrap();
        assert_eq!(day.value(0), 2);
        let list = batch.column(3).as_any().downcast_ref::<ListArray>().unwrap();
        assert_eq!((list.value_length(0), list.value_length(1)), (2, 0));
    }

    #[test]
    fn partition_values_are_safe_folder_names() {
        assert_eq!(partition_value("EU-FRANK"), "EU-FRANK");
        assert_eq!(partition_value("Peer support: 2019/20"), "Peer_support__2019_20");
        assert_eq!(partition_value(".."), "unnamed");
        assert_eq!(partition_value(""), "unnamed");
    }
}
