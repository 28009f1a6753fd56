//! The shapes every reader fills and every parser reads: cells, sparse rows,
//! sheets and merged ranges; the [`RowSink`] that receives a file's rows as they
//! are read; and the [`RowStream`] that turns cells arriving in order into rows,
//! under the cell limit. The readers (`read`, `xlsx`, `ods`) depend on this
//! module, never on each other's internals.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::config::LimitsConfig;

/// One non-empty cell value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    Text(String),
    Number(f64),
    Bool(bool),
    /// A cell formatted as a date in the workbook.
    Date(NaiveDate),
    /// An Excel error value such as `#DIV/0!`.
    Error(String),
}

impl Cell {
    /// The value as a person would read it in the sheet.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Number(n) => format_number(*n),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Date(date) => date.format("%Y-%m-%d").to_string(),
            Cell::Error(e) => e.clone(),
        }
    }
}

/// Numbers without a spurious `.0`.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// One non-blank row: its 0-based index and its cells sorted by column.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub index: u32,
    pub cells: Vec<(u32, Cell)>,
    /// Hidden in the workbook (SPEC §12.2).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

impl Row {
    pub fn get(&self, col: u32) -> Option<&Cell> {
        self.cells.binary_search_by_key(&col, |(c, _)| *c).ok().map(|i| &self.cells[i].1)
    }
}

/// A sheet: name and its non-blank rows in order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Row>,
    /// Merged ranges, when the reader knows them before the rows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merges: Vec<Merge>,
    /// What the reader noticed on a row, for a warning: (0-based row, message).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<(u32, String)>,
}

/// A merged range of cells, 0-based and inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merge {
    pub first_row: u32,
    pub first_col: u32,
    pub last_row: u32,
    pub last_col: u32,
}

impl Merge {
    /// `A5:A7` → rows 4–6 of column 0.
    pub fn parse(reference: &str) -> Option<Merge> {
        let (a, b) = reference.split_once(':')?;
        let (r0, c0) = cell_position(a)?;
        let (r1, c1) = cell_position(b)?;
        Some(Merge { first_row: r0.min(r1), first_col: c0.min(c1), last_row: r0.max(r1), last_col: c0.max(c1) })
    }
}

/// `B12` → (11, 1).
fn cell_position(reference: &str) -> Option<(u32, u32)> {
    let reference = reference.trim().trim_start_matches('$');
    let letters = reference.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let (col, row) = reference.split_at(letters);
    let row: u32 = row.trim_start_matches('$').parse().ok().filter(|r| *r >= 1)?;
    let col = col.bytes().fold(0u32, |n, b| n * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1));
    Some((row - 1, col - 1))
}

/// Receives a file's sheets row by row as they are read, so a sheet never has
/// to be held whole.
pub trait RowSink {
    /// A sheet begins: the rows that follow are its own.
    fn begin(&mut self, name: &str);
    /// The sheet's next non-blank row; rows come in ascending order.
    fn row(&mut self, row: &Row);
    /// Forget the rows sent for the current sheet: it is sent again from its start.
    /// (A sheet whose cells are stored out of order is collected and sorted first.)
    fn restart(&mut self);
    /// The current sheet is complete.
    fn end(&mut self);
    /// The sheet's merged ranges: before its rows where the reader knows them
    /// first, else just before [`RowSink::end`].
    fn merges(&mut self, _merges: &[Merge]) {}
    /// Something the reader noticed on a row of the current sheet.
    fn note(&mut self, _row: u32, _message: &str) {}
    /// The direct xlsx reader handed the workbook (`sheet` None) or a sheet to
    /// calamine, and why (the run shows it under `--verbose`).
    fn fallback(&mut self, _sheet: Option<&str>, _reason: &str) {}
}

/// A [`RowSink`] that keeps every sheet whole.
#[derive(Debug, Default)]
pub struct Collect {
    pub sheets: Vec<Sheet>,
}

impl RowSink for Collect {
    fn begin(&mut self, name: &str) {
        self.sheets.push(Sheet { name: name.to_string(), ..Sheet::default() });
    }
    fn row(&mut self, row: &Row) {
        if let Some(sheet) = self.sheets.last_mut() {
            sheet.rows.push(row.clone());
        }
    }
    fn restart(&mut self) {
        if let Some(sheet) = self.sheets.last_mut() {
            sheet.rows.clear();
        }
    }
    fn end(&mut self) {}
    fn merges(&mut self, merges: &[Merge]) {
        if let Some(sheet) = self.sheets.last_mut() {
            sheet.merges.extend_from_slice(merges);
        }
    }
}

/// Send whole sheets to a sink.
pub fn send(sheets: Vec<Sheet>, sink: &mut dyn RowSink) {
    for sheet in sheets {
        sink.begin(&sheet.name);
        if !sheet.merges.is_empty() {
            sink.merges(&sheet.merges);
        }
        for (row, message) in &sheet.notes {
            sink.note(*row, message);
        }
        sheet.rows.iter().for_each(|row| sink.row(row));
        sink.end();
    }
}

/// Assembles a sheet's cells, arriving in order, into rows for a sink. The text
/// buffers of rows already sent are reused for the next rows' text cells.
pub struct RowStream<'a> {
    count: CellCount<'a>,
    row: Row,
    spare: Vec<String>,
    /// Rows marked hidden so far, ascending.
    hidden: Vec<u32>,
}

impl RowStream<'_> {
    pub fn new<'a>(sheet: &'a str, limits: &LimitsConfig) -> RowStream<'a> {
        RowStream { count: CellCount::new(sheet, limits), row: Row::default(), spare: Vec::new(), hidden: Vec::new() }
    }

    /// Row `r` (0-based) is hidden in the workbook.
    pub fn hide(&mut self, r: u32) {
        if self.hidden.last().is_none_or(|last| *last < r) {
            self.hidden.push(r);
        }
    }

    /// A text cell holding `text`, unless it is blank.
    pub fn text(&mut self, text: &str) -> Option<Cell> {
        reuse(&mut self.spare, text)
    }

    /// An empty buffer to build a text cell in (see [`RowStream::text_cell`]).
    pub fn text_buffer(&mut self) -> String {
        let mut buffer = self.spare.pop().unwrap_or_default();
        buffer.clear();
        buffer
    }

    /// A text cell holding `text`, unless it is blank.
    pub fn text_cell(&mut self, text: String) -> Option<Cell> {
        if text.trim().is_empty() {
            self.spare.push(text);
            return None;
        }
        Some(Cell::Text(text))
    }

    /// Add a cell. `Ok(false)` when it comes before a cell already added: the sheet
    /// must then be read again and sorted.
    ///
    /// # Errors
    /// The sheet has more cells than `limits.max_cells_per_sheet`.
    pub fn push(&mut self, r: u32, c: u32, value: Cell, sink: &mut dyn RowSink) -> Result<bool, String> {
        self.count.add()?;
        let row = &mut self.row;
        let hidden = &self.hidden;
        if row.cells.is_empty() {
            row.index = r;
            row.hidden = hidden.binary_search(&r).is_ok();
        } else if r != row.index {
            if r < row.index {
                return Ok(false);
            }
            sink.row(row);
            self.spare.extend(row.cells.drain(..).filter_map(|(_, cell)| match cell {
                Cell::Text(text) => Some(text),
                _ => None,
            }));
            row.index = r;
            row.hidden = hidden.binary_search(&r).is_ok();
        }
        match row.cells.last() {
            Some((last, _)) if c < *last => return Ok(false),
            // A duplicate cell reference keeps the first value.
            Some((last, _)) if c == *last => {}
            _ => row.cells.push((c, value)),
        }
        Ok(true)
    }

    /// Send the last row.
    pub fn finish(&mut self, sink: &mut dyn RowSink) {
        if !self.row.cells.is_empty() {
            sink.row(&self.row);
            self.row.cells.clear();
        }
    }
}

/// Counts a sheet's filled cells against `limits.max_cells_per_sheet`.
pub(super) struct CellCount<'a> {
    sheet: &'a str,
    max: u64,
    count: u64,
}

impl CellCount<'_> {
    pub(super) fn new<'a>(sheet: &'a str, limits: &LimitsConfig) -> CellCount<'a> {
        CellCount { sheet, max: limits.max_cells_per_sheet, count: 0 }
    }

    pub(super) fn add(&mut self) -> Result<(), String> {
        self.count += 1;
        if self.count > self.max {
            return Err(format!(
                "sheet `{}` has more than {} filled cells (limits.max_cells_per_sheet)",
                self.sheet, self.max
            ));
        }
        Ok(())
    }
}

/// A number; NaN and infinities (only damaged files hold them) read as `#NUM!`.
pub(super) fn number_cell(value: f64) -> Cell {
    if value.is_finite() {
        Cell::Number(value)
    } else {
        Cell::Error("#NUM!".to_string())
    }
}

pub(super) fn text_cell(text: &str) -> Option<Cell> {
    (!text.trim().is_empty()).then(|| Cell::Text(text.to_string()))
}

/// [`text_cell`] in a spare buffer, when there is one.
pub(super) fn reuse(spare: &mut Vec<String>, text: &str) -> Option<Cell> {
    if text.trim().is_empty() {
        return None;
    }
    let mut buffer = spare.pop().unwrap_or_default();
    buffer.clear();
    buffer.push_str(text);
    Some(Cell::Text(buffer))
}

pub(super) fn date_cell(dt: &calamine::ExcelDateTime) -> Option<Cell> {
    if dt.is_duration() {
        return Some(Cell::Number(dt.as_f64()));
    }
    let (y, m, d, ..) = dt.to_ymd_hms_milli();
    Some(match NaiveDate::from_ymd_opt(y as i32, m as u32, d as u32) {
        Some(date) => Cell::Date(date),
        None => Cell::Number(dt.as_f64()),
    })
}
