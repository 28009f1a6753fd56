//! Exported tables read back (`peer-eval portfolio`): a table's columns by name,
//! from its Parquet or CSV file, converted on request to the type a record needs.
//!
//! Parquet columns arrive typed; CSV columns arrive as text and are parsed when
//! asked for, so both formats give the same records. A value that does not fit
//! its column is an error naming the table, the column and the row.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::Values;

/// Why an exported table could not be read back.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TableError {
    #[error("cannot read `{path}`: {reason}")]
    File { path: PathBuf, reason: String },
    #[error("table `{table}` has no column `{column}`")]
    MissingColumn { table: &'static str, column: String },
    #[error("table `{table}`, column `{column}`: the column holds {holds}, not {wanted}")]
    ColumnType { table: &'static str, column: String, holds: &'static str, wanted: &'static str },
    #[error("table `{table}`, column `{column}`, row {row}: {reason}")]
    Value { table: &'static str, column: String, row: usize, reason: String },
}

/// One exported table, or a batch of its rows, column by column.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    pub table: &'static str,
    /// The table's row index of this batch's first row.
    first: usize,
    rows: usize,
    columns: BTreeMap<String, Values>,
}

/// Rows per batch when a table is read in batches.
pub const BATCH_ROWS: usize = 8192;

impl Columns {
    /// The table `name` of the export folder `dir` (`name.parquet`, else `name.csv`),
    /// whole; `None` when the folder has neither.
    ///
    /// # Errors
    /// The file cannot be read or is not a table.
    pub fn read(dir: &Path, name: &'static str) -> Result<Option<Columns>, TableError> {
        let mut whole: Option<Columns> = None;
        let found = Columns::read_batches(dir, name, BATCH_ROWS, &mut |batch| {
            match &mut whole {
                None => whole = Some(batch),
                Some(whole) => whole.append(batch),
            }
            Ok(())
        })?;
        Ok(whole.filter(|_| found))
    }

    /// The table `name` of `dir` in batches of at most `rows` rows, each handed to
    /// `each` (a table without rows as one empty batch, with its columns); false
    /// when the folder has no such table.
    ///
    /// # Errors
    /// The file cannot be read or is not a table, or `each` fails.
    pub fn read_batches(
        dir: &Path,
        name: &'static str,
        rows: usize,
        each: &mut dyn FnMut(Columns) -> Result<(), TableError>,
    ) -> Result<bool, TableError> {
        let parquet = dir.join(format!("{name}.parquet"));
        if parquet.is_file() {
            parquet_batches(&parquet, name, rows, each)?;
            return Ok(true);
        }
        let csv = dir.join(format!("{name}.csv"));
        if csv.is_file() {
            let file = std::fs::File::open(&csv)
                .map_err(|err| TableError::File { path: csv.clone(), reason: err.to_string() })?;
            csv_batches(std::io::BufReader::new(file), name, &csv, rows, each)?;
            return Ok(true);
        }
        Ok(false)
    }

    /// A table from CSV text.
    ///
    /// # Errors
    /// Text that is not CSV.
    pub fn from_csv(bytes: &[u8], name: &'static str, path: &Path) -> Result<Columns, TableError> {
        let mut whole: Option<Columns> = None;
        csv_batches(bytes, name, path, BATCH_ROWS, &mut |batch| {
            match &mut whole {
                None => whole = Some(batch),
                Some(whole) => whole.append(batch),
            }
            Ok(())
        })?;
        Ok(whole.expect("a CSV table gives at least one batch"))
    }

    /// Add the rows of the next batch.
    fn append(&mut self, more: Columns) {
        self.rows += more.rows;
        for (name, values) in more.columns {
            match self.columns.get_mut(&name) {
                Some(all) => all.append(values),
                None => {
                    self.columns.insert(name, values);
                }
            }
        }
    }

    /// An error at row `row` of this batch (counted as a spreadsheet shows the
    /// table: the header is row 1).
    pub fn error(&self, column: &str, row: usize, reason: String) -> TableError {
        TableError::Value { table: self.table, column: column.to_string(), row: self.first + row + 2, reason }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn has(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }

    /// The values of a text column, borrowed (none when the column is missing or
    /// holds something else).
    pub fn texts(&self, column: &str) -> impl Iterator<Item = &str> {
        let values = match self.columns.get(column) {
            Some(Values::Text(values)) => values.as_slice(),
            _ => &[],
        };
        values.iter().flatten().map(String::as_str)
    }

    /// An error unless the table has `column`.
    ///
    /// # Errors
    /// The column is missing.
    pub fn require(&self, column: &str) -> Result<(), TableError> {
        self.column(column).map(|_| ())
    }

    /// The column names, in name order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.columns.keys().map(String::as_str)
    }

    fn column(&self, column: &str) -> Result<&Values, TableError> {
        self.columns
            .get(column)
            .ok_or_else(|| TableError::MissingColumn { table: self.table, column: column.to_string() })
    }

    /// Values of a column that must be there, parsed from text where the file is CSV.
    fn typed<T: Clone>(
        &self,
        column: &str,
        wanted: &'static str,
        typed: impl Fn(&Values) -> Option<Vec<Option<T>>>,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Vec<Option<T>>, TableError> {
        let values = self.column(column)?;
        if let Some(values) = typed(values) {
            return Ok(values);
        }
        let Values::Text(texts) = values else {
            return Err(TableError::ColumnType {
                table: self.table,
                column: column.to_string(),
                holds: values.kind(),
                wanted,
            });
        };
        texts
            .iter()
            .enumerate()
            .map(|(row, text)| match text {
                None => Ok(None),
                Some(text) => parse(text).map(Some).map_err(|reason| self.error(column, row, reason)),
            })
            .collect()
    }

    /// A text column.
    ///
    /// # Errors
    /// The column is missing or is not text.
    pub fn text(&self, column: &str) -> Result<Vec<Option<String>>, TableError> {
        self.typed(column, "text", |_| None, |t| Ok(t.to_string()))
    }

    /// A whole-number column.
    ///
    /// # Errors
    /// The column is missing or a value is not a whole number.
    pub fn int(&self, column: &str) -> Result<Vec<Option<i64>>, TableError> {
        self.typed(
            column,
            "whole numbers",
            |v| match v {
                Values::Int(v) => Some(v.clone()),
                _ => None,
            },
            |t| t.parse().map_err(|_| format!("`{t}` is not a whole number")),
        )
    }

    /// A number column (whole numbers read as numbers too).
    ///
    /// # Errors
    /// The column is missing or a value is not a number.
    pub fn real(&self, column: &str) -> Result<Vec<Option<f64>>, TableError> {
        self.typed(
            column,
            "numbers",
            |v| match v {
                Values::Real(v) => Some(v.clone()),
                Values::Int(v) => Some(v.iter().map(|n| n.map(|n| n as f64)).collect()),
                _ => None,
            },
            |t| t.parse().map_err(|_| format!("`{t}` is not a number")),
        )
    }

    /// A true/false column.
    ///
    /// # Errors
    /// The column is missing or a value is not `true` or `false`.
    pub fn bool(&self, column: &str) -> Result<Vec<Option<bool>>, TableError> {
        self.typed(
            column,
            "true/false values",
            |v| match v {
                Values::Bool(v) => Some(v.clone()),
                _ => None,
            },
            |t| match t {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(format!("`{t}` is neither true nor false")),
            },
        )
    }

    /// A date column (`YYYY-MM-DD` in CSV).
    ///
    /// # Errors
    /// The column is missing or a value is not a date.
    pub fn date(&self, column: &str) -> Result<Vec<Option<NaiveDate>>, TableError> {
        self.typed(
            column,
            "dates",
            |v| match v {
                Values::Date(v) => Some(v.clone()),
                _ => None,
            },
            |t| NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| format!("`{t}` is not a date (YYYY-MM-DD)")),
        )
    }

    /// A list column (`;`-joined in CSV).
    ///
    /// # Errors
    /// The column is missing or holds something else.
    pub fn list(&self, column: &str) -> Result<Vec<Vec<String>>, TableError> {
        let values = self.typed(
            column,
            "lists",
            |v| match v {
                Values::List(v) => Some(v.iter().cloned().map(Some).collect()),
                _ => None,
            },
            |t| Ok(t.split(';').filter(|s| !s.is_empty()).map(str::to_string).collect()),
        )?;
        Ok(values.into_iter().map(Option::unwrap_or_default).collect())
    }

    /// A column that older exports may not have: all missing when absent.
    ///
    /// # Errors
    /// As the accessor `get`.
    pub fn optional<T>(
        &self,
        column: &str,
        get: impl Fn(&Columns, &str) -> Result<Vec<Option<T>>, TableError>,
    ) -> Result<Vec<Option<T>>, TableError> {
        if self.has(column) {
            get(self, column)
        } else {
            Ok((0..self.rows).map(|_| None).collect())
        }
    }
}

impl Values {
    fn kind(&self) -> &'static str {
        match self {
            Values::Text(_) => "text",
            Values::Int(_) => "whole numbers",
            Values::Real(_) => "numbers",
            Values::Bool(_) => "true/false values",
            Values::Date(_) => "dates",
            Values::List(_) => "lists",
        }
    }
}

/// A CSV table in batches of at most `rows` rows (at least one, for the header).
fn csv_batches(
    text: impl std::io::Read,
    name: &'static str,
    path: &Path,
    rows: usize,
    each: &mut dyn FnMut(Columns) -> Result<(), TableError>,
) -> Result<(), TableError> {
    let failure = |reason: String| TableError::File { path: path.to_path_buf(), reason };
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text);
    let headers: Vec<String> =
        reader.headers().map_err(|err| failure(err.to_string()))?.iter().map(str::to_string).collect();
    let batch = |cells: Vec<Vec<Option<String>>>, first: usize| {
        let rows = cells.first().map_or(0, Vec::len);
        let columns = headers.iter().cloned().zip(cells).map(|(h, v)| (h, Values::Text(v))).collect();
        Columns { table: name, first, rows, columns }
    };
    let empty = || vec![Vec::new(); headers.len()];
    let (mut cells, mut first, mut held) = (empty(), 0, 0);
    for record in reader.records() {
        let record = record.map_err(|err| failure(err.to_string()))?;
        for (column, value) in cells.iter_mut().zip(record.iter()) {
            column.push((!value.is_empty()).then(|| value.to_string()));
        }
        held += 1;
        if held == rows.max(1) {
            each(batch(std::mem::replace(&mut cells, empty()), first))?;
            first += held;
            held = 0;
        }
    }
    if held > 0 || first == 0 {
        each(batch(cells, first))?;
    }
    Ok(())
}

#[cfg(not(feature = "parquet"))]
fn parquet_batches(
    path: &Path,
    _name: &'static str,
    _rows: usize,
    _each: &mut dyn FnMut(Columns) -> Result<(), TableError>,
) -> Result<(), TableError> {
    Err(TableError::File {
        path: path.to_path_buf(),
        reason: "this build reads no Parquet (built without the `parquet` feature); export with --format csv".into(),
    })
}

/// A Parquet table in batches of at most `rows` rows (a table without rows as
/// one empty batch with the schema's columns).
#[cfg(feature = "parquet")]
fn parquet_batches(
    path: &Path,
    name: &'static str,
    rows: usize,
    each: &mut dyn FnMut(Columns) -> Result<(), TableError>,
) -> Result<(), TableError> {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let failure = |reason: String| TableError::File { path: path.to_path_buf(), reason };
    let file = std::fs::File::open(path).map_err(|err| failure(err.to_string()))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|err| failure(err.to_string()))?;
    let schema = builder.schema().clone();
    let reader = builder.with_batch_size(rows.max(1)).build().map_err(|err| failure(err.to_string()))?;
    let mut first = 0;
    let typed = |field: &arrow_schema::Field, array: &dyn arrow_array::Array| {
        arrow_values(array).map_err(|reason| failure(format!("column `{}`: {reason}", field.name())))
    };
    for batch in reader {
        let batch = batch.map_err(|err| failure(err.to_string()))?;
        let mut columns = BTreeMap::new();
        for (field, array) in schema.fields().iter().zip(batch.columns()) {
            columns.insert(field.name().clone(), typed(field, array.as_ref())?);
        }
        let rows = batch.num_rows();
        each(Columns { table: name, first, rows, columns })?;
        first += rows;
    }
    if first == 0 {
        let mut columns = BTreeMap::new();
        for field in schema.fields() {
            columns
                .insert(field.name().clone(), typed(field, arrow_array::new_empty_array(field.data_type()).as_ref())?);
        }
        each(Columns { table: name, first, rows: 0, columns })?;
    }
    Ok(())
}

impl Values {
    fn append(&mut self, more: Values) {
        match (self, more) {
            (Values::Text(a), Values::Text(b)) => a.extend(b),
            (Values::Int(a), Values::Int(b)) => a.extend(b),
            (Values::Real(a), Values::Real(b)) => a.extend(b),
            (Values::Bool(a), Values::Bool(b)) => a.extend(b),
            (Values::Date(a), Values::Date(b)) => a.extend(b),
            (Values::List(a), Values::List(b)) => a.extend(b),
            // One schema per file: batches never change a column's type.
            _ => unreachable!("a column changed type between batches"),
        }
    }
}

/// An Arrow array as the values of one column.
#[cfg(feature = "parquet")]
fn arrow_values(array: &dyn arrow_array::Array) -> Result<Values, String> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Date32Type, Float32Type, Float64Type, Int32Type, Int64Type};
    use arrow_schema::DataType;

    let n = array.len();
    let valid = |i: usize| array.is_valid(i);
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
    Ok(match array.data_type() {
        DataType::Null => Values::Text(vec![None; n]),
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            Values::Text((0..n).map(|i| valid(i).then(|| a.value(i).to_string())).collect())
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            Values::Text((0..n).map(|i| valid(i).then(|| a.value(i).to_string())).collect())
        }
        DataType::Utf8View => {
            let a = array.as_string_view();
            Values::Text((0..n).map(|i| valid(i).then(|| a.value(i).to_string())).collect())
        }
        // Categorical text, as polars writes it.
        DataType::Dictionary(_, _) => {
            let dictionary = array.as_any_dictionary();
            let Values::Text(values) = arrow_values(dictionary.values().as_ref())? else {
                return Err("a dictionary of something other than text".to_string());
            };
            let keys = dictionary.normalized_keys();
            Values::Text((0..n).map(|i| if valid(i) { values.get(keys[i]).cloned().flatten() } else { None }).collect())
        }
        DataType::Int64 => {
            let a = array.as_primitive::<Int64Type>();
            Values::Int((0..n).map(|i| valid(i).then(|| a.value(i))).collect())
        }
        DataType::Int32 => {
            let a = array.as_primitive::<Int32Type>();
            Values::Int((0..n).map(|i| valid(i).then(|| i64::from(a.value(i)))).collect())
        }
        DataType::Float64 => {
            let a = array.as_primitive::<Float64Type>();
            Values::Real((0..n).map(|i| valid(i).then(|| a.value(i))).collect())
        }
        DataType::Float32 => {
            let a = array.as_primitive::<Float32Type>();
            Values::Real((0..n).map(|i| valid(i).then(|| f64::from(a.value(i)))).collect())
        }
        DataType::Boolean => {
            let a = array.as_boolean();
            Values::Bool((0..n).map(|i| valid(i).then(|| a.value(i))).collect())
        }
        DataType::Date32 => {
            let a = array.as_primitive::<Date32Type>();
            Values::Date(
                (0..n).map(|i| valid(i).then(|| epoch + chrono::TimeDelta::days(i64::from(a.value(i))))).collect(),
            )
        }
        DataType::List(_) => {
            let a = array.as_list::<i32>();
            Values::List((0..n).map(|i| list_items(valid(i).then(|| a.value(i)))).collect::<Result<_, _>>()?)
        }
        DataType::LargeList(_) => {
            let a = array.as_list::<i64>();
            Values::List((0..n).map(|i| list_items(valid(i).then(|| a.value(i)))).collect::<Result<_, _>>()?)
        }
        other => return Err(format!("type {other}, which peer-eval does not read back")),
    })
}

/// The items of one list cell (none for a null list).
#[cfg(feature = "parquet")]
fn list_items(items: Option<arrow_array::ArrayRef>) -> Result<Vec<String>, String> {
    let Some(items) = items else { return Ok(Vec::new()) };
    match arrow_values(items.as_ref())? {
        Values::Text(items) => Ok(items.into_iter().flatten().collect()),
        _ => Err("a list of something other than text".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_columns_parse_to_the_type_asked_for() {
        let text = "id,n,day,list,flag,cost\na,3,2019-03-05,x;y,true,12.5\n,,,,,\n";
        let columns = Columns::from_csv(text.as_bytes(), "t", Path::new("t.csv")).unwrap();
        assert_eq!(columns.rows(), 2);
        assert_eq!(columns.text("id").unwrap(), [Some("a".to_string()), None]);
        assert_eq!(columns.int("n").unwrap(), [Some(3), None]);
        assert_eq!(columns.date("day").unwrap(), [NaiveDate::from_ymd_opt(2019, 3, 5), None]);
        assert_eq!(columns.list("list").unwrap(), [vec!["x".to_string(), "y".to_string()], vec![]]);
        assert_eq!(columns.bool("flag").unwrap(), [Some(true), None]);
        assert_eq!(columns.real("cost").unwrap(), [Some(12.5), None]);
        assert_eq!(columns.optional("absent", Columns::int).unwrap(), [None, None]);
    }

    #[test]
    fn batches_count_rows_from_the_start_of_the_table() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("r.csv"), "n\n1\n2\n3\nfour\n5\n").unwrap();
        let mut sizes = Vec::new();
        let err = Columns::read_batches(dir.path(), "r", 2, &mut |batch| {
            sizes.push(batch.rows());
            batch.int("n").map(|_| ())
        })
        .unwrap_err();
        // `four` is the table's row 5 (header row 1), in the second batch.
        assert_eq!(err.to_string(), "table `r`, column `n`, row 5: `four` is not a whole number");
        assert_eq!(sizes, [2, 2]);
        let mut total = 0;
        std::fs::write(dir.path().join("r.csv"), "n\n1\n2\n3\n").unwrap();
        Columns::read_batches(dir.path(), "r", 2, &mut |batch| {
            total += batch.int("n").unwrap().len();
            Ok(())
        })
        .unwrap();
        assert_eq!(total, 3);
    }

    #[cfg(feature = "parquet")]
    #[test]
    fn parquet_as_polars_or_duckdb_rewrite_it_reads_the_same() {
        use std::sync::Arc;

        use arrow_array::builder::{LargeListBuilder, StringBuilder};
        use arrow_array::types::Int32Type;
        use arrow_array::{ArrayRef, DictionaryArray, RecordBatch, StringViewArray};
        use arrow_schema::{Field, Schema};

        // Text as views and as a dictionary (polars' categoricals), lists as large lists.
        let view: ArrayRef = Arc::new(StringViewArray::from(vec![Some("in_person"), None]));
        let dictionary: ArrayRef = Arc::new(DictionaryArray::<Int32Type>::from_iter([Some("DE"), None]));
        let mut builder = LargeListBuilder::new(StringBuilder::new());
        builder.values().append_value("BG");
        builder.values().append_value("LT");
        builder.append(true);
        builder.append(false);
        let lists: ArrayRef = Arc::new(builder.finish());
        let fields: Vec<Field> = [("format", &view), ("country", &dictionary), ("participating", &lists)]
            .iter()
            .map(|(name, a)| Field::new(*name, a.data_type().clone(), true))
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let batch = RecordBatch::try_new(schema.clone(), vec![view, dictionary, lists]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = std::fs::File::create(dir.path().join("t.parquet")).unwrap();
        let mut writer = parquet::arrow::ArrowWriter::try_new(file, schema, None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        let columns = Columns::read(dir.path(), "t").unwrap().unwrap();
        assert_eq!(columns.text("format").unwrap(), [Some("in_person".to_string()), None]);
        assert_eq!(columns.text("country").unwrap(), [Some("DE".to_string()), None]);
        assert_eq!(columns.list("participating").unwrap(), [vec!["BG".to_string(), "LT".to_string()], vec![]]);
    }

    #[test]
    fn a_column_of_another_type_is_named() {
        let columns = Columns {
            table: "activities",
            first: 0,
            rows: 1,
            columns: BTreeMap::from([("start_date".to_string(), Values::Int(vec![Some(3)]))]),
        };
        assert_eq!(
            columns.date("start_date").unwrap_err().to_string(),
            "table `activities`, column `start_date`: the column holds whole numbers, not dates"
        );
    }

    #[test]
    fn a_bad_value_names_its_table_column_and_row() {
        let columns = Columns::from_csv(b"n\n3\nthree\n", "responses", Path::new("r.csv")).unwrap();
        let err = columns.int("n").unwrap_err();
        assert_eq!(err.to_string(), "table `responses`, column `n`, row 3: `three` is not a whole number");
        assert_eq!(columns.int("m").unwrap_err().to_string(), "table `responses` has no column `m`");
    }

    #[cfg(feature = "parquet")]
    #[test]
    fn parquet_reads_back_what_was_written() {
        let table = super::super::Table {
            name: "t",
            columns: vec![
                ("id".into(), Values::Text(vec![Some("a".into()), None])),
                ("n".into(), Values::Int(vec![Some(3), None])),
                ("day".into(), Values::Date(vec![NaiveDate::from_ymd_opt(2019, 3, 5), None])),
                ("list".into(), Values::List(vec![vec!["x".into(), "y".into()], vec![]])),
                ("flag".into(), Values::Bool(vec![Some(false), None])),
                ("cost".into(), Values::Real(vec![None, Some(0.1)])),
            ],
        };
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.parquet"), table.to_parquet().unwrap()).unwrap();
        let columns = Columns::read(dir.path(), "t").unwrap().unwrap();
        for (name, values) in &table.columns {
            assert_eq!(columns.columns.get(name), Some(values), "{name}");
        }
        assert_eq!(Columns::read(dir.path(), "absent").unwrap(), None);
        // A table without rows keeps its columns.
        let empty = super::super::Table { name: "e", columns: vec![("severity".into(), Values::Text(vec![]))] };
        std::fs::write(dir.path().join("e.parquet"), empty.to_parquet().unwrap()).unwrap();
        let columns = Columns::read(dir.path(), "e").unwrap().unwrap();
        assert_eq!((columns.rows(), columns.text("severity").unwrap()), (0, vec![]));
    }
}
