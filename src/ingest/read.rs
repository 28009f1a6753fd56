//! Reading one input file into sheets of sparse rows, within safety limits.
//!
//! xlsx/xlsm are streamed cell by cell, never through a dense range, so a sheet
//! that declares `A1:XFD1048576` costs only its real cells: by the direct reader
//! ([`super::xlsx`]) where the workbook is plainly written, by calamine's cell
//! reader otherwise. The zip directory is checked before either sees the file, so
//! a part that inflates to gigabytes is refused up front. xls and ods go through
//! calamine's range API; csv through the `csv` crate with delimiter sniffing.

use std::io::{Cursor, Read, Seek};
use std::path::Path;

use calamine::{Data, DataRef, Reader, Xlsx};

use super::cells::{date_cell, number_cell, text_cell, CellCount};
pub use super::cells::{format_number, send, Cell, Collect, Merge, Row, RowSink, RowStream, Sheet};
use super::error::ReadError;

use crate::config::LimitsConfig;

/// Read every sheet of `path`, whole. The error is a plain-language reason for the user.
/// Legacy `.xls`/`.ods` go to a capped child process when the binary enabled it
/// (see [`super::worker`]).
///
/// # Errors
/// Too large, corrupt, encrypted, not a spreadsheet, or over a configured limit.
pub fn read_file(path: &Path, limits: &LimitsConfig) -> Result<Vec<Sheet>, ReadError> {
    let mut collect = Collect::default();
    read_rows(path, &load(path, limits)?, limits, &mut collect)?;
    Ok(collect.sheets)
}

/// The bytes of `path`, when its size is within `limits.max_file_mb`.
///
/// # Errors
/// Missing, empty, too large or unreadable.
pub fn load(path: &Path, limits: &LimitsConfig) -> Result<Vec<u8>, ReadError> {
    check_size(path, limits)?;
    std::fs::read(path).map_err(ReadError::Read)
}

/// Read every sheet of `path`, whose content is `bytes` (see [`load`]), into
/// `sink`, row by row. On an error the sink may have received part of the file,
/// which should then be discarded.
///
/// # Errors
/// As [`read_file`].
pub fn read_rows(path: &Path, bytes: &[u8], limits: &LimitsConfig, sink: &mut dyn RowSink) -> Result<(), ReadError> {
    if matches!(extension_of(path).as_str(), "xls" | "ods") && super::worker::enabled() {
        send(super::worker::read(path, limits)?, sink);
        return Ok(());
    }
    read_rows_in_process(path, bytes, limits, sink)
}

fn check_size(path: &Path, limits: &LimitsConfig) -> Result<(), ReadError> {
    let metadata = std::fs::metadata(path).map_err(ReadError::Open)?;
    let max_bytes = limits.max_file_mb.saturating_mul(1024 * 1024);
    if metadata.len() > max_bytes {
        return Err(ReadError::TooLarge { mb: metadata.len() / (1024 * 1024), limit: limits.max_file_mb });
    }
    if metadata.len() == 0 {
        return Err(ReadError::Empty);
    }
    Ok(())
}

/// The worker child's side (`peer-eval read-worker`, see [`super::worker`]):
/// read `path` in this process and print the result as JSON on stdout.
pub fn serve_worker(path: &Path, limits: &LimitsConfig) -> i32 {
    // The parent gets the error's message: typed errors do not cross processes.
    let result = read_in_process(path, limits).map_err(|err| err.to_string());
    match serde_json::to_writer(std::io::stdout().lock(), &result) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

/// [`read_file`] in this process.
///
/// # Errors
/// As [`read_file`].
pub fn read_in_process(path: &Path, limits: &LimitsConfig) -> Result<Vec<Sheet>, ReadError> {
    let mut collect = Collect::default();
    read_rows_in_process(path, &load(path, limits)?, limits, &mut collect)?;
    Ok(collect.sheets)
}

fn read_rows_in_process(
    path: &Path,
    bytes: &[u8],
    limits: &LimitsConfig,
    sink: &mut dyn RowSink,
) -> Result<(), ReadError> {
    let extension = extension_of(path);
    guarded(|| match extension.as_str() {
        "xlsx" | "xlsm" => read_xlsx(bytes, limits, sink, true),
        "xls" | "ods" => read_with_range(bytes, &extension, limits).map(|sheets| send(sheets, sink)),
        "csv" => read_csv(path, bytes, limits).map(|sheets| send(sheets, sink)),
        other => Err(ReadError::Unsupported(other.to_string())),
    })
}

/// Read an xlsx/xlsm file through calamine alone: the reference the direct reader
/// ([`super::xlsx`]) is tested against.
///
/// # Errors
/// As [`read_file`].
pub fn read_xlsx_with_calamine(path: &Path, limits: &LimitsConfig) -> Result<Vec<Sheet>, ReadError> {
    let bytes = load(path, limits)?;
    let mut collect = Collect::default();
    guarded(|| read_xlsx(&bytes, limits, &mut collect, false))?;
    Ok(collect.sheets)
}

/// `read`, with a panic inside a reader turned into a plain error.
fn guarded(read: impl FnOnce() -> Result<(), ReadError>) -> Result<(), ReadError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)) {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown failure".to_string());
            Err(ReadError::Crashed(what))
        }
    }
}

/// Lower-case extension without the dot.
pub fn extension_of(path: &Path) -> String {
    path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).unwrap_or_default()
}

const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Refuse zip files whose parts would inflate past the limit, before parsing them.
fn check_zip_directory<'a>(
    bytes: &'a [u8],
    limits: &LimitsConfig,
) -> Result<zip::ZipArchive<Cursor<&'a [u8]>>, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| {
        "the file is not a valid workbook (its zip structure is damaged or it was truncated)".to_string()
    })?;
    let max = limits.max_decompressed_mb.saturating_mul(1024 * 1024);
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|_| "the file is not a valid workbook (damaged zip directory)".to_string())?;
        if entry.encrypted() {
            return Err("the workbook is password-protected; save an unprotected copy".to_string());
        }
        total = total.saturating_add(entry.size());
    }
    if total > max {
        return Err(format!(
            "the workbook's parts would inflate to {} MB, over the limit of {} MB (limits.max_decompressed_mb); it may be a zip bomb",
            total / (1024 * 1024),
            limits.max_decompressed_mb
        ));
    }
    check_shared_string_count(&mut archive)?;
    Ok(archive)
}

/// calamine reserves memory for the `uniqueCount` a shared-strings part declares,
/// before reading it; a forged count (fuzzing found 10¹²) aborts the process. Each
/// string takes at least 5 bytes of XML (`<si/>`), so a count
/// above the part's size / 5 cannot be genuine.
fn check_shared_string_count<R: Read + Seek>(archive: &mut zip::ZipArchive<R>) -> Result<(), String> {
    let names: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .filter(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"))
        .map(|n| n.to_string())
        .collect();
    for name in names {
        let mut entry =
            archive.by_name(&name).map_err(|_| "the workbook's shared strings cannot be read".to_string())?;
        let size = entry.size();
        let mut head = Vec::with_capacity(4096);
        let _ = (&mut entry).take(4096).read_to_end(&mut head);
        let head = String::from_utf8_lossy(&head);
        let Some(sst) = head.find("<sst").or_else(|| head.find(":sst")) else { continue };
        let tag_end = head[sst..].find('>').map(|e| sst + e).unwrap_or(head.len());
        let tag = &head[sst..tag_end];
        // Only `uniqueCount` is reserved; `count` (references) may rightly be larger.
        for attribute in ["uniqueCount=\""] {
            if let Some(at) = tag.find(attribute) {
                let digits: String = tag[at + attribute.len()..].chars().take_while(char::is_ascii_digit).collect();
                let declared: u64 = digits.parse().unwrap_or(u64::MAX);
                if declared > size / 5 + 1 {
                    return Err(format!(
                        "the workbook declares {digits} shared strings but its strings part holds at most {}; it is damaged or forged",
                        size / 5 + 1
                    ));
                }
            }
        }
    }
    Ok(())
}

fn encrypted_or_wrong(bytes: &[u8]) -> Option<ReadError> {
    bytes.starts_with(&CFB_MAGIC).then_some(ReadError::EncryptedOrLegacy)
}

/// Read an xlsx/xlsm workbook: directly ([`super::xlsx`]) where it is plainly
/// written, through calamine for the workbook or any sheet the direct reader
/// hands back.
fn read_xlsx(bytes: &[u8], limits: &LimitsConfig, sink: &mut dyn RowSink, direct: bool) -> Result<(), ReadError> {
    if let Some(reason) = encrypted_or_wrong(bytes) {
        return Err(reason);
    }
    let mut archive = check_zip_directory(bytes, limits)?;
    let book = match direct.then(|| super::xlsx::Book::open(&mut archive)) {
        Some(Ok(book)) => book,
        Some(Err(fallback)) => {
            sink.fallback(None, fallback.0);
            return read_xlsx_through_calamine(bytes, limits, sink);
        }
        None => return read_xlsx_through_calamine(bytes, limits, sink),
    };
    let mut calamine = None;
    for sheet in &book.sheets {
        sink.begin(&sheet.name);
        let mut stream = RowStream::new(&sheet.name, limits);
        if let Some(fallback) = book.read_sheet(&mut archive, sheet, &mut stream, sink)? {
            sink.fallback(Some(&sheet.name), fallback.0);
            sink.restart();
            let workbook = match &mut calamine {
                Some(workbook) => workbook,
                None => calamine.insert(open_xlsx(bytes)?),
            };
            read_xlsx_sheet(workbook, &sheet.name, limits, sink)?;
        }
        sink.end();
    }
    Ok(())
}

fn open_xlsx(bytes: &[u8]) -> Result<Xlsx<Cursor<&[u8]>>, ReadError> {
    Xlsx::new(Cursor::new(bytes)).map_err(|err| ReadError::calamine(None, err))
}

/// Read a workbook through calamine only.
fn read_xlsx_through_calamine(bytes: &[u8], limits: &LimitsConfig, sink: &mut dyn RowSink) -> Result<(), ReadError> {
    let mut workbook = open_xlsx(bytes)?;
    let names = workbook.sheet_names().to_vec();
    for name in names {
        sink.begin(&name);
        read_xlsx_sheet(&mut workbook, &name, limits, sink)?;
        sink.end();
    }
    Ok(())
}

/// One sheet through calamine: streamed, or collected and sorted when its cells
/// are stored out of order.
fn read_xlsx_sheet<RS: Read + Seek>(
    workbook: &mut Xlsx<RS>,
    name: &str,
    limits: &LimitsConfig,
    sink: &mut dyn RowSink,
) -> Result<(), ReadError> {
    if !stream_xlsx_sheet(workbook, name, limits, sink)? {
        sink.restart();
        let rows = collect_xlsx_sheet(workbook, name, limits)?;
        rows.iter().for_each(|row| sink.row(row));
    }
    // calamine finds merged ranges by reading the sheet's XML once more.
    if let Ok(merges) = workbook.merge_cells_by_sheet_name(name) {
        let merges: Vec<Merge> = merges.iter().take(100_000).map(merge_of).collect();
        sink.merges(&merges);
    }
    Ok(())
}

fn merge_of(d: &calamine::Dimensions) -> Merge {
    Merge { first_row: d.start.0, first_col: d.start.1, last_row: d.end.0, last_col: d.end.1 }
}

/// The cells of a sheet, or `None` for a sheet without cells (a chart or dialog sheet).
fn cells_reader<'a, RS: Read + Seek>(
    workbook: &'a mut Xlsx<RS>,
    name: &str,
) -> Result<Option<calamine::XlsxCellReader<'a, RS>>, ReadError> {
    match workbook.worksheet_cells_reader(name) {
        Ok(reader) => Ok(Some(reader)),
        Err(calamine::XlsxError::NotAWorksheet(_)) => Ok(None),
        Err(err) => Err(ReadError::calamine(Some(name), err)),
    }
}

/// Send a sheet's rows to `sink` as its cells are read. Returns false, having sent
/// part of the sheet, when a cell comes before one already read: the sheet must then
/// be collected and sorted ([`collect_xlsx_sheet`]).
fn stream_xlsx_sheet<RS: Read + Seek>(
    workbook: &mut Xlsx<RS>,
    name: &str,
    limits: &LimitsConfig,
    sink: &mut dyn RowSink,
) -> Result<bool, ReadError> {
    let Some(mut reader) = cells_reader(workbook, name)? else { return Ok(true) };
    let mut stream = RowStream::new(name, limits);
    while let Some(cell) = reader.next_cell().map_err(|err| ReadError::calamine(Some(name), err))? {
        let (r, c) = cell.get_position();
        let value = match cell.get_value() {
            DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => stream.text(text),
            DataRef::SharedString(text) => stream.text(text),
            other => convert_ref(other),
        };
        let Some(value) = value else { continue };
        if !stream.push(r, c, value, sink)? {
            return Ok(false);
        }
    }
    stream.finish(sink);
    Ok(true)
}

/// A sheet's rows, collected whole and sorted.
fn collect_xlsx_sheet<RS: Read + Seek>(
    workbook: &mut Xlsx<RS>,
    name: &str,
    limits: &LimitsConfig,
) -> Result<Vec<Row>, ReadError> {
    let Some(mut reader) = cells_reader(workbook, name)? else { return Ok(Vec::new()) };
    let mut builder = RowBuilder::new(name, limits);
    while let Some(cell) = reader.next_cell().map_err(|err| ReadError::calamine(Some(name), err))? {
        let (row, col) = cell.get_position();
        if let Some(value) = convert_ref(cell.get_value()) {
            builder.push(row, col, value)?;
        }
    }
    Ok(builder.finish())
}

fn read_with_range(bytes: &[u8], extension: &str, limits: &LimitsConfig) -> Result<Vec<Sheet>, ReadError> {
    if extension == "ods" {
        check_zip_directory(bytes, limits)?;
    } else if !bytes.starts_with(&CFB_MAGIC) {
        return Err(
            "the file is not a valid .xls workbook (wrong signature; it may be truncated or another format renamed)"
                .into(),
        );
    }
    let mut workbook =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|err| ReadError::calamine(None, err))?;
    let names = workbook.sheet_names().to_vec();
    // calamine reads neither hidden rows nor merged cells of an ods file.
    let ods_layout = (extension == "ods").then(|| super::ods::layout(bytes)).flatten();
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        let range = workbook.worksheet_range(&name).map_err(|err| ReadError::calamine(Some(&name), err))?;
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let mut builder = RowBuilder::new(&name, limits);
        for (r, c, value) in range.used_cells() {
            if let Some(value) = convert(value) {
                builder.push(row0 + r as u32, col0 + c as u32, value)?;
            }
        }
        let mut rows = builder.finish();
        let merges = match &workbook {
            calamine::Sheets::Xls(xls) => {
                xls.merge_cells_by_sheet_name(&name).unwrap_or_default().iter().take(100_000).map(merge_of).collect()
            }
            _ => Vec::new(),
        };
        if let Some(layout) = ods_layout.as_ref().and_then(|l| l.get(&name)) {
            for row in &mut rows {
                row.hidden = layout.hidden.iter().any(|(from, to)| (*from..=*to).contains(&row.index));
            }
            sheets.push(Sheet { name, rows, merges: layout.merges.clone(), notes: Vec::new() });
        } else {
            sheets.push(Sheet { name, rows, merges, notes: Vec::new() });
        }
    }
    Ok(sheets)
}

fn read_csv(path: &Path, bytes: &[u8], limits: &LimitsConfig) -> Result<Vec<Sheet>, ReadError> {
    // Excel's "Unicode Text" is UTF-16 with a byte-order mark.
    let utf16 = match bytes {
        [0xFF, 0xFE, rest @ ..] => Some(String::from_utf16_lossy(
            &rest.chunks_exact(2).map(|p| u16::from_le_bytes([p[0], p[1]])).collect::<Vec<_>>(),
        )),
        [0xFE, 0xFF, rest @ ..] => Some(String::from_utf16_lossy(
            &rest.chunks_exact(2).map(|p| u16::from_be_bytes([p[0], p[1]])).collect::<Vec<_>>(),
        )),
        _ => None,
    };
    let decoded;
    let bytes = match &utf16 {
        Some(text) => {
            decoded = text.clone().into_bytes();
            decoded.as_slice()
        }
        None => bytes,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err("the file is not a text CSV file (it contains binary data)".into());
    }
    // Excel on Windows saves CSV in Windows-1252; anything not UTF-8 is read as Latin-1.
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    };
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter =
        [b',', b';', b'\t'].into_iter().max_by_key(|d| first_line.bytes().filter(|b| b == d).count()).unwrap_or(b',');
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("csv").to_string();
    let mut builder = RowBuilder::new("csv", limits);
    let mut notes = Vec::new();
    // A spreadsheet program shows each CSV record as one row, even one with line breaks inside quotes.
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(ReadError::Csv)?;
        let row = row as u32;
        // A quote that is never closed swallows the lines after it into one cell:
        // several of its lines then hold the delimiter, as rows would.
        let delimiter = delimiter as char;
        if let Some(swallowed) =
            record.iter().map(|f| f.lines().skip(1).filter(|l| l.contains(delimiter)).count()).max().filter(|n| *n >= 2)
        {
            notes.push((
                row,
                format!(
                    "a quote (\") opened on this row is not closed where the row ends, so the next {swallowed} lines were read into one cell; remove the stray quote or close it, and check this row"
                ),
            ));
        }
        for (col, field) in record.iter().enumerate() {
            if !field.trim().is_empty() {
                builder.push(row, col as u32, Cell::Text(field.to_string()))?;
            }
        }
    }
    Ok(vec![Sheet { name, rows: builder.finish(), notes, ..Sheet::default() }])
}

/// Collects cells (in any order) into sorted sparse rows, enforcing the cell cap.
struct RowBuilder<'a> {
    count: CellCount<'a>,
    cells: Vec<(u32, u32, Cell)>,
}

impl RowBuilder<'_> {
    fn new<'a>(sheet: &'a str, limits: &LimitsConfig) -> RowBuilder<'a> {
        RowBuilder { count: CellCount::new(sheet, limits), cells: Vec::new() }
    }

    fn push(&mut self, row: u32, col: u32, value: Cell) -> Result<(), String> {
        self.count.add()?;
        self.cells.push((row, col, value));
        Ok(())
    }

    fn finish(mut self) -> Vec<Row> {
        self.cells.sort_by_key(|(r, c, _)| (*r, *c));
        let mut rows: Vec<Row> = Vec::new();
        for (r, c, value) in self.cells {
            match rows.last_mut() {
                Some(row) if row.index == r => {
                    // A duplicate cell reference keeps the first value.
                    if row.cells.last().is_none_or(|(last, _)| *last != c) {
                        row.cells.push((c, value));
                    }
                }
                _ => rows.push(Row { index: r, cells: vec![(c, value)], hidden: false }),
            }
        }
        rows
    }
}

fn convert_ref(value: &DataRef<'_>) -> Option<Cell> {
    match value {
        DataRef::Int(i) => Some(Cell::Number(*i as f64)),
        DataRef::Float(f) => Some(number_cell(*f)),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => text_cell(s),
        DataRef::SharedString(s) => text_cell(s),
        DataRef::Bool(b) => Some(Cell::Bool(*b)),
        DataRef::DateTime(dt) => date_cell(dt),
        DataRef::Error(e) => Some(Cell::Error(format!("{e}"))),
        DataRef::Empty => None,
    }
}

fn convert(value: &Data) -> Option<Cell> {
    match value {
        Data::Int(i) => Some(Cell::Number(*i as f64)),
        Data::Float(f) => Some(number_cell(*f)),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => text_cell(s),
        Data::Bool(b) => Some(Cell::Bool(*b)),
        Data::DateTime(dt) => date_cell(dt),
        Data::Error(e) => Some(Cell::Error(format!("{e}"))),
        Data::Empty => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_display_without_trailing_zero() {
        assert_eq!(format_number(4.0), "4");
        assert_eq!(format_number(4.5), "4.5");
    }

    #[test]
    fn rows_are_sorted_and_sparse() {
        let limits = LimitsConfig::default();
        let mut builder = RowBuilder::new("s", &limits);
        builder.push(3, 2, Cell::Number(1.0)).unwrap();
        builder.push(0, 5, Cell::Text("b".into())).unwrap();
        builder.push(0, 1, Cell::Text("a".into())).unwrap();
        let rows = builder.finish();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].index, 0);
        assert_eq!(rows[0].get(1), Some(&Cell::Text("a".into())));
        assert_eq!(rows[0].get(5), Some(&Cell::Text("b".into())));
        assert_eq!(rows[0].get(3), None);
        assert_eq!(rows[1].index, 3);
    }

    #[test]
    fn non_finite_numbers_read_as_errors() {
        // A damaged .xls held a NaN, which JSON (the worker's channel) cannot carry.
        assert_eq!(number_cell(f64::NAN), Cell::Error("#NUM!".into()));
        assert_eq!(number_cell(f64::INFINITY), Cell::Error("#NUM!".into()));
        assert_eq!(number_cell(2.5), Cell::Number(2.5));
    }

    #[test]
    fn cell_cap_is_enforced() {
        let limits = LimitsConfig { max_cells_per_sheet: 2, ..LimitsConfig::default() };
        let mut builder = RowBuilder::new("s", &limits);
        builder.push(0, 0, Cell::Bool(true)).unwrap();
        builder.push(0, 1, Cell::Bool(true)).unwrap();
        let err = builder.push(0, 2, Cell::Bool(true)).unwrap_err();
        assert!(err.contains("limits.max_cells_per_sheet"));
    }
}
