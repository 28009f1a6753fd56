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
    #[error("table `{table}`, column `{column}`, row {row}: {reason}")]
    Value { table: &'static str, column: String, row: usize, reason: String },
}

/// One exported table, column by column.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    pub table: &'static str,
    rows: usize,
    columns: BTreeMap<String, Values>,
}

impl Columns {
    /// The table `name` of the export folder `dir` (`name.parquet`, else `name.csv`);
    /// `None` when the folder has neither.
    ///
    /// # Errors
    /// The file cannot be read or is not a table.
    pub fn read(dir: &Path, name: &'static str) -> Result<Option<Columns>, TableError> {
        let parquet = dir.join(format!("{name}.parquet"));
        if parquet.is_file() {
            return parquet_columns(&parquet, name).map(Some);
        }
        let csv = dir.join(format!("{name}.csv"));
        if csv.is_file() {
            return csv_columns(&csv, name).map(Some);
        }
        Ok(None)
    }

    /// A table from CSV text (tests and the CSV format).
    ///
    /// # Errors
    /// Text that is not CSV.
    pub fn from_csv(bytes: &[u8], name: &'static str, path: &Path) -> Result<Columns, TableError> {
        let failure = |reason: String| TableError::File { path: path.to_path_buf(), reason };
        let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
        let headers: Vec<String> =
            reader.headers().map_err(|err| failure(err.to_string()))?.iter().map(str::to_string).collect();
        let mut cells: Vec<Vec<Option<String>>> = vec![Vec::new(); headers.len()];
        for record in reader.records() {
            let record = record.map_err(|err| failure(err.to_string()))?;
            for (column, value) in cells.iter_mut().zip(record.iter()) {
                column.push((!value.is_empty()).then(|| value.to_string()));
            }
        }
        let rows = cells.first().map_or(0, Vec::len);
        let columns = headers.into_iter().zip(cells).map(|(h, v)| (h, Values::Text(v))).collect();
        Ok(Columns { table: name, rows, columns })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn has(&self, column: &str) -> bool {
        self.columns.contains_key(column)
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

    fn value_error(&self, column: &str, row: usize, reason: String) -> TableError {
        // Rows as a spreadsheet shows them: the header is row 1.
        TableError::Value { table: self.table, column: column.to_string(), row: row + 2, reason }
    }

    /// Values of a column that must be there, parsed from text where the file is CSV.
    fn typed<T: Clone>(
        &self,
        column: &str,
        typed: impl Fn(&Values) -> Option<Vec<Option<T>>>,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Vec<Option<T>>, TableError> {
        let values = self.column(column)?;
        if let Some(values) = typed(values) {
            return Ok(values);
        }
        let Values::Text(texts) = values else {
            return Err(self.value_error(column, 0, format!("the column holds {}", values.kind())));
        };
        texts
            .iter()
            .enumerate()
            .map(|(row, text)| match text {
                None => Ok(None),
                Some(text) => parse(text).map(Some).map_err(|reason| self.value_error(column, row, reason)),
            })
            .collect()
    }

    /// A text column.
    ///
    /// # Errors
    /// The column is missing or is not text.
    pub fn text(&self, column: &str) -> Result<Vec<Option<String>>, TableError> {
        self.typed(column, |_| None, |t| Ok(t.to_string()))
    }

    /// A whole-number column.
    ///
    /// # Errors
    /// The column is missing or a value is not a whole number.
    pub fn int(&self, column: &str) -> Result<Vec<Option<i64>>, TableError> {
        self.typed(
            column,
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

fn csv_columns(path: &Path, name: &'static str) -> Result<Columns, TableError> {
    let bytes =
        std::fs::read(path).map_err(|err| TableError::File { path: path.to_path_buf(), reason: err.to_string() })?;
    Columns::from_csv(&bytes, name, path)
}

#[cfg(not(feature = "parquet"))]
fn parquet_columns(path: &Path, _name: &'static str) -> Result<Columns, TableError> {
    Err(TableError::File {
        path: path.to_path_buf(),
        reason: "this build reads no Parquet (built without the `parquet` feature); export with --format csv".into(),
    })
}

#[cfg(feature = "parquet")]
fn parquet_columns(path: &Path, name: &'static str) -> Result<Columns, TableError> {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let failure = |reason: String| TableError::File { path: path.to_path_buf(), reason };
    let file = std::fs::File::open(path).map_err(|err| failure(err.to_string()))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|err| failure(err.to_string()))?;
    let schema = builder.schema().clone();
    let reader = builder.build().map_err(|err| failure(err.to_string()))?;
    let mut columns: BTreeMap<String, Values> = BTreeMap::new();
    let mut rows = 0;
    for batch in reader {
        let batch = batch.map_err(|err| failure(err.to_string()))?;
        rows += batch.num_rows();
        for (field, array) in batch.schema().fields().iter().zip(batch.columns()) {
            let values = arrow_values(array.as_ref()).map_err(|reason| failure(format!("column `{}`: {reason}", field.name())))?;
            match columns.get_mut(field.name()) {
                Some(all) => all.append(values),
                None => {
                    columns.insert(field.name().clone(), values);
                }
            }
        }
    }
    // A table without rows has no batches: its columns come from the schema.
    for field in schema.fields() {
        if !columns.contains_key(field.name()) {
            let empty = arrow_values(arrow_array::new_empty_array(field.data_type()).as_ref())
                .map_err(|reason| failure(format!("column `{}`: {reason}", field.name())))?;
            columns.insert(field.name().clone(), empty);
        }
    }
    Ok(Columns { table: name, rows, columns })
}

#[cfg(feature = "parquet")]
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
            _ => unreachable!("a Parquet column changed type between batches"),
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
            Values::Date((0..n).map(|i| valid(i).then(|| epoch + chrono::TimeDelta::days(i64::from(a.value(i))))).collect())
        }
        DataType::List(_) => {
            let a = array.as_list::<i32>();
            let mut lists = Vec::with_capacity(n);
            for i in 0..n {
                if !valid(i) {
                    lists.push(Vec::new());
                    continue;
                }
                let Values::Text(items) = arrow_values(a.value(i).as_ref())? else {
                    return Err("a list of something other than text".to_string());
                };
                lists.push(items.into_iter().flatten().collect());
            }
            Values::List(lists)
        }
        other => return Err(format!("type {other}, which peer-eval does not read back")),
    })
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
