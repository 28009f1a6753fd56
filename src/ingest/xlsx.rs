//! A direct reader for plainly written xlsx workbooks: the sheet XML is scanned
//! straight into cells, without building an event per tag as calamine does.
//!
//! It reads what Excel, LibreOffice and the common writers produce, and gives
//! every cell the value calamine's cell reader would give it (dates by the cell's
//! number format, rich and inline text, shared strings, booleans, errors, cached
//! formula results, `_xHHHH_` escapes). Anything it does not handle word for word
//! as calamine does (a namespace prefix, a comment or CDATA, a carriage return, a
//! cell without a reference, cells out of order) or that calamine's XML reader
//! would refuse (a stray end tag, malformed attributes, text that is not UTF-8…)
//! hands the workbook, or the rest of a sheet, back to calamine: see
//! `read::read_xlsx`. `tests/integration/direct.rs` holds the two to the same
//! cells over the sample, acceptance and synthetic inputs and the robustness
//! corpus; `examples/fuzz_direct.rs` does so over mutated files.
//!
//! Parts are read in blocks through the zip reader, so a large sheet is never
//! held whole.

use std::io::{Cursor, Read};

use calamine::{ExcelDateTime, ExcelDateTimeType};
use memchr::{memchr, memchr3};
use rustc_hash::FxHashMap;

use super::read::{date_cell, number_cell, Cell, RowSink, RowStream};

/// The workbook or sheet is handed back to calamine.
#[derive(Debug)]
pub struct Fallback;

type Archive<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;
type PartReader<'a, 'b> = zip::read::ZipFile<'a, Cursor<&'b [u8]>>;

/// How a number format shows a number (after calamine's `CellFormat`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum NumberKind {
    Plain,
    DateTime,
    Duration,
}

/// One sheet: its name and the zip part holding its cells.
#[derive(Debug)]
pub struct SheetPart {
    pub name: String,
    path: String,
}

/// What the workbook's shared parts say: sheets, shared strings, number formats.
#[derive(Debug)]
pub struct Book {
    pub sheets: Vec<SheetPart>,
    parts: Parts,
    strings: Vec<String>,
    /// Per cell style (`s`), how its number format shows numbers.
    formats: Vec<NumberKind>,
    is_1904: bool,
}

/// Whether the direct reader takes the workbook `bytes` (for tests and measurements).
pub fn reads_directly(bytes: &[u8]) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes)).is_ok_and(|mut archive| Book::open(&mut archive).is_ok())
}

impl Book {
    /// Read the workbook's shared parts, or hand the file to calamine.
    pub fn open(archive: &mut Archive) -> Result<Book, Fallback> {
        let parts = Parts::of(archive)?;
        let workbook = office_document(parts.open(archive, "_rels/.rels")?.ok_or(Fallback)?)?;
        if workbook != "xl/workbook.xml" {
            return Err(Fallback);
        }
        let relationships = relationships(parts.open(archive, "xl/_rels/workbook.xml.rels")?.ok_or(Fallback)?)?;
        let (sheets, is_1904) = sheets(parts.open(archive, "xl/workbook.xml")?.ok_or(Fallback)?, &relationships)?;
        let strings = match parts.open(archive, "xl/sharedStrings.xml")? {
            Some(tokens) => shared_strings(tokens)?,
            None => Vec::new(),
        };
        let formats = match parts.open(archive, "xl/styles.xml")? {
            Some(tokens) => formats(tokens)?,
            None => Vec::new(),
        };
        Ok(Book { sheets, parts, strings, formats, is_1904 })
    }

    /// Send the cells of `sheet` to `sink` through `stream`. `Ok(false)`, having sent
    /// part of the sheet, when calamine must read it instead.
    ///
    /// # Errors
    /// The sheet has more cells than the limit allows.
    pub fn read_sheet(
        &self,
        archive: &mut Archive,
        sheet: &SheetPart,
        stream: &mut RowStream,
        sink: &mut dyn RowSink,
    ) -> Result<bool, String> {
        let Ok(Some(mut tokens)) = self.parts.open(archive, &sheet.path) else { return Ok(false) };
        match self.cells(&mut tokens, stream, sink) {
            Ok(outcome) => outcome.map(|()| true),
            Err(Fallback) => Ok(false),
        }
    }

    /// The sheet's cells; the inner error is the cell limit.
    fn cells<R: Read>(
        &self,
        tokens: &mut Tokens<R>,
        stream: &mut RowStream,
        sink: &mut dyn RowSink,
    ) -> Result<Result<(), String>, Fallback> {
        // Everything before <sheetData> is layout, except a dimension calamine checks.
        loop {
            match tokens.next()?.ok_or(Fallback)? {
                Token::Start { name, attrs, empty } => {
                    check_attributes(tokens.bytes(attrs))?;
                    match tokens.local_name(name) {
                        (b"", b"sheetData") if empty => return Ok(Ok(())),
                        (b"", b"sheetData") => break,
                        (b"", b"dimension") => {
                            check_dimension(attribute(tokens.bytes(attrs), b"ref")?.ok_or(Fallback)?)?
                        }
                        (_, b"sheetData" | b"dimension") => return Err(Fallback),
                        _ => {}
                    }
                }
                Token::Text(span) => check_text(tokens.bytes(span))?,
                Token::End(_) => {}
            }
        }
        let mut scratch = String::new();
        loop {
            match tokens.next()?.ok_or(Fallback)? {
                Token::Start { name, attrs, empty } => match tokens.name(name)? {
                    // calamine reads a row's number, and refuses one it cannot read.
                    b"row" => {
                        if let Some(number) = attribute(tokens.bytes(attrs), b"r")? {
                            let number = digits::<u32>(number)?;
                            if number == 0 {
                                return Err(Fallback);
                            }
                            // A hidden row (SPEC §12.2); calamine does not read this.
                            if matches!(attribute(tokens.bytes(attrs), b"hidden")?, Some(b"1" | b"true")) {
                                stream.hide(number - 1);
                            }
                        }
                    }
                    b"c" => {
                        let cell = CellTag::parse(tokens.bytes(attrs))?;
                        let value = if empty { None } else { self.value(tokens, &cell, stream, &mut scratch)? };
                        if let Some(value) = value {
                            match stream.push(cell.row, cell.col, value, sink) {
                                Ok(true) => {}
                                Ok(false) => return Err(Fallback),
                                Err(limit) => return Ok(Err(limit)),
                            }
                        }
                    }
                    _ => return Err(Fallback),
                },
                Token::End(name) => match tokens.name(name)? {
                    b"row" => {}
                    b"sheetData" => break,
                    _ => return Err(Fallback),
                },
                Token::Text(span) => check_text(tokens.bytes(span))?,
            }
        }
        stream.finish(sink);
        sink.merges(&merge_cells(tokens));
        Ok(Ok(()))
    }

    /// The value of a cell whose start tag has just been read, up to its end tag.
    fn value<R: Read>(
        &self,
        tokens: &mut Tokens<R>,
        cell: &CellTag,
        stream: &mut RowStream,
        scratch: &mut String,
    ) -> Result<Option<Cell>, Fallback> {
        // The two shapes nearly every cell has, read in one step; anything else,
        // or a cell split across blocks, goes through the tokens below.
        if let Kind::InlineString = cell.kind {
            if let Some(span) = tokens.whole(b"<is><t>", b"</t></is></c>") {
                scratch.clear();
                decode(tokens.bytes(span), scratch)?;
                let mut text = stream.text_buffer();
                unescape_excel(scratch.trim_matches([' ', '\t', '\r', '\n']), &mut text);
                return Ok(stream.text_cell(text));
            }
        } else if let Some(span) = tokens.whole(b"<v>", b"</v></c>") {
            let raw = tokens.bytes(span);
            if !matches!(cell.kind, Kind::FormulaText | Kind::IsoDate) && raw.contains(&b'&') {
                return Err(Fallback);
            }
            scratch.clear();
            decode(raw, scratch)?;
            return self.typed(cell, scratch, stream);
        }
        let mut value = None;
        loop {
            match tokens.next()?.ok_or(Fallback)? {
                Token::Start { name, empty, .. } => {
                    value = match tokens.name(name)? {
                        b"v" if empty => None,
                        b"v" if matches!(cell.kind, Kind::InlineString) => {
                            skip_to_end(tokens, b"v")?;
                            None
                        }
                        b"v" => {
                            // calamine reads numbers, indexes, booleans and errors raw.
                            let entities = matches!(cell.kind, Kind::FormulaText | Kind::IsoDate);
                            let raw = text_until_end(tokens, b"v", entities, scratch)?;
                            self.typed(cell, raw, stream)?
                        }
                        b"is" if empty => None,
                        b"is" => {
                            let mut text = stream.text_buffer();
                            rich_text(tokens, b"is", &mut text, scratch)?;
                            stream.text_cell(text)
                        }
                        b"f" if empty => None,
                        b"f" => {
                            skip_to_end(tokens, b"f")?;
                            None
                        }
                        _ => return Err(Fallback),
                    };
                }
                Token::End(name) => {
                    if tokens.name(name)? == b"c" {
                        return Ok(value);
                    }
                    return Err(Fallback);
                }
                Token::Text(span) => check_text(tokens.bytes(span))?,
            }
        }
    }

    /// A `<v>` value by the cell's type (`raw` is its text, entities decoded).
    fn typed(&self, cell: &CellTag, raw: &str, stream: &mut RowStream) -> Result<Option<Cell>, Fallback> {
        Ok(match cell.kind {
            Kind::Number => {
                if raw.is_empty() {
                    return Ok(None);
                }
                let number = parse_number(raw)?;
                let kind = match cell.style {
                    None => NumberKind::Plain,
                    Some(style) => self.formats.get(style as usize).copied().unwrap_or(NumberKind::Plain),
                };
                match kind {
                    NumberKind::Plain => Some(number_cell(number)),
                    NumberKind::DateTime => {
                        date_cell(&ExcelDateTime::new(number, ExcelDateTimeType::DateTime, self.is_1904))
                    }
                    NumberKind::Duration => {
                        date_cell(&ExcelDateTime::new(number, ExcelDateTimeType::TimeDelta, self.is_1904))
                    }
                }
            }
            Kind::Shared => {
                if raw.is_empty() {
                    return Ok(None);
                }
                let index: usize = digits(raw.as_bytes())?;
                stream.text(self.strings.get(index).ok_or(Fallback)?)
            }
            Kind::Bool => match raw.trim() {
                "" => None,
                "0" => Some(Cell::Bool(false)),
                "1" => Some(Cell::Bool(true)),
                other if other.eq_ignore_ascii_case("false") => Some(Cell::Bool(false)),
                other if other.eq_ignore_ascii_case("true") => Some(Cell::Bool(true)),
                _ => return Err(Fallback),
            },
            Kind::Error => {
                let error: calamine::CellErrorType = raw.parse().map_err(|_| Fallback)?;
                Some(Cell::Error(error.to_string()))
            }
            Kind::FormulaText => {
                let mut text = stream.text_buffer();
                unescape_excel(raw, &mut text);
                stream.text_cell(text)
            }
            Kind::IsoDate => stream.text(raw),
            Kind::InlineString => None,
        })
    }
}

/// The `<mergeCell ref="A5:A7"/>` ranges after the cells. The cells are all read
/// by then, so anything unexpected here only ends the search.
fn merge_cells<R: Read>(tokens: &mut Tokens<R>) -> Vec<super::read::Merge> {
    let mut merges = Vec::new();
    while let Ok(Some(token)) = tokens.next() {
        if let Token::Start { name, attrs, .. } = token {
            if tokens.local_name(name).1 == b"mergeCell" {
                let reference = attribute(tokens.bytes(attrs), b"ref").ok().flatten();
                if let Some(merge) =
                    reference.and_then(|r| std::str::from_utf8(r).ok()).and_then(super::read::Merge::parse)
                {
                    if merges.len() < 100_000 {
                        merges.push(merge);
                    }
                }
            }
        }
    }
    merges
}

/// A cell's type attribute (`t`).
#[derive(Debug, Clone, Copy)]
enum Kind {
    Number,
    Shared,
    Bool,
    Error,
    /// `str`: a formula's text.
    FormulaText,
    /// `d`: an ISO date, kept as text as calamine does.
    IsoDate,
    InlineString,
}

/// The attributes of a `<c>` tag.
struct CellTag {
    row: u32,
    col: u32,
    style: Option<u32>,
    kind: Kind,
}

impl CellTag {
    fn parse(attrs: &[u8]) -> Result<CellTag, Fallback> {
        let mut reference = None;
        let mut style = None;
        let mut kind = Kind::Number;
        let mut typed = false;
        for_each_attribute(attrs, |key, value| {
            match key {
                b"r" if reference.is_none() => reference = Some(cell_reference(value)?),
                b"s" if style.is_none() => style = Some(digits(value)?),
                b"t" if !typed => {
                    typed = true;
                    kind = match value {
                        b"n" => Kind::Number,
                        b"s" => Kind::Shared,
                        b"b" => Kind::Bool,
                        b"e" => Kind::Error,
                        b"str" => Kind::FormulaText,
                        b"d" => Kind::IsoDate,
                        b"inlineStr" => Kind::InlineString,
                        _ => return Err(Fallback),
                    }
                }
                b"r" | b"s" | b"t" => return Err(Fallback),
                _ => {}
            }
            Ok(())
        })?;
        let (row, col) = reference.ok_or(Fallback)?;
        Ok(CellTag { row, col, style, kind })
    }
}

/// `B12` → (11, 1), 0-based; letters are upper case, at most three.
fn cell_reference(value: &[u8]) -> Result<(u32, u32), Fallback> {
    let letters = value.iter().take_while(|b| b.is_ascii_uppercase()).count();
    if !(1..=3).contains(&letters) {
        return Err(Fallback);
    }
    let col = value[..letters].iter().fold(0u32, |col, b| col * 26 + u32::from(b - b'A') + 1);
    let row: u32 = digits(&value[letters..])?;
    if row == 0 {
        return Err(Fallback);
    }
    Ok((row - 1, col - 1))
}

/// A decimal integer of at most nine digits.
fn digits<T: TryFrom<u64>>(value: &[u8]) -> Result<T, Fallback> {
    if value.is_empty() || value.len() > 9 || !value.iter().all(u8::is_ascii_digit) {
        return Err(Fallback);
    }
    let n = value.iter().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
    T::try_from(n).map_err(|_| Fallback)
}

/// A number as a cell stores it: digits, sign, point and exponent only.
fn parse_number(raw: &str) -> Result<f64, Fallback> {
    if !raw.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E')) {
        return Err(Fallback);
    }
    raw.parse().map_err(|_| Fallback)
}

/// A `<dimension ref>` calamine accepts: `A1` or `A1:D20`, in order, within a sheet's bounds.
fn check_dimension(value: &[u8]) -> Result<(), Fallback> {
    let mut parts = value.split(|b| *b == b':');
    let start = cell_reference(parts.next().ok_or(Fallback)?)?;
    let end = match parts.next() {
        Some(end) => cell_reference(end)?,
        None => start,
    };
    let in_bounds = |(row, col): (u32, u32)| row < 1_048_576 && col < 16_384;
    if parts.next().is_some() || end.0 < start.0 || end.1 < start.1 || !in_bounds(start) || !in_bounds(end) {
        return Err(Fallback);
    }
    Ok(())
}

/// The text up to `</name>` into `out`, entities decoded (or, without `entities`,
/// refused).
fn text_until_end<'s, R: Read>(
    tokens: &mut Tokens<R>,
    name: &[u8],
    entities: bool,
    out: &'s mut String,
) -> Result<&'s str, Fallback> {
    out.clear();
    loop {
        match tokens.next()?.ok_or(Fallback)? {
            Token::Text(span) if !entities && tokens.bytes(span).contains(&b'&') => return Err(Fallback),
            Token::Text(span) => decode(tokens.bytes(span), out)?,
            Token::End(end) if tokens.name(end)? == name => return Ok(out),
            _ => return Err(Fallback),
        }
    }
}

/// Skip to `</name>` (a formula, or a value calamine ignores).
fn skip_to_end<R: Read>(tokens: &mut Tokens<R>, name: &[u8]) -> Result<(), Fallback> {
    loop {
        match tokens.next()?.ok_or(Fallback)? {
            Token::Text(span) => check_text(tokens.bytes(span))?,
            Token::End(end) if tokens.name(end)? == name => return Ok(()),
            _ => return Err(Fallback),
        }
    }
}

/// A string item (`<si>` or `<is>`), up to `</closing>`: the `<t>` texts of its runs,
/// without phonetic guides; a `<t>` without `xml:space="preserve"` loses the ASCII
/// blanks around it (calamine's `read_string`).
fn rich_text<R: Read>(
    tokens: &mut Tokens<R>,
    closing: &[u8],
    out: &mut String,
    piece: &mut String,
) -> Result<(), Fallback> {
    out.clear();
    let mut phonetic = false;
    loop {
        match tokens.next()?.ok_or(Fallback)? {
            Token::Start { name, attrs, empty } => {
                check_attributes(tokens.bytes(attrs))?;
                match tokens.name(name)? {
                    b"rPh" if !empty => phonetic = true,
                    b"t" if !phonetic && !empty => {
                        let preserve = attribute(tokens.bytes(attrs), b"xml:space")? == Some(b"preserve".as_slice());
                        let text = text_until_end(tokens, b"t", true, piece)?;
                        unescape_excel(if preserve { text } else { text.trim_matches([' ', '\t', '\r', '\n']) }, out);
                    }
                    _ => {}
                }
            }
            Token::End(name) => match tokens.name(name)? {
                n if n == closing => return Ok(()),
                b"rPh" => phonetic = false,
                _ => {}
            },
            Token::Text(span) => check_text(tokens.bytes(span))?,
        }
    }
}

/// Append XML text to `out`: UTF-8, the five named entities and character references.
/// A carriage return (which XML folds into a line feed) is left to calamine.
fn decode(raw: &[u8], out: &mut String) -> Result<(), Fallback> {
    let special = raw.iter().fold(false, |any, &b| any | (b >= 0x80) | (b == b'&') | (b == b'\r'));
    if !special {
        // Plain ASCII.
        out.push_str(std::str::from_utf8(raw).map_err(|_| Fallback)?);
        return Ok(());
    }
    let text = std::str::from_utf8(raw).map_err(|_| Fallback)?;
    if raw.contains(&b'\r') {
        return Err(Fallback);
    }
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        // The longest reference is `&#x10FFFF;`: looking no further keeps a text
        // of a million `&` linear.
        let window = &rest.as_bytes()[at..rest.len().min(at + 12)];
        let end = memchr(b';', window).ok_or(Fallback)? + at;
        out.push(entity(&rest[at + 1..end])?);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Ok(())
}

fn entity(name: &str) -> Result<char, Fallback> {
    let code = match name {
        "amp" => return Ok('&'),
        "lt" => return Ok('<'),
        "gt" => return Ok('>'),
        "quot" => return Ok('"'),
        "apos" => return Ok('\''),
        _ => match name.strip_prefix("#x") {
            Some(hex) => u32::from_str_radix(hex, 16),
            None => name.strip_prefix('#').ok_or(Fallback)?.parse(),
        },
    };
    code.ok().filter(|&c| c != 0).and_then(char::from_u32).ok_or(Fallback)
}

/// Excel's `_xHHHH_` escapes of UTF-16 code units, read as calamine's `unescape_xml`
/// reads them: a lone surrogate becomes U+FFFD.
fn unescape_excel(text: &str, out: &mut String) {
    let unit_at = |at: usize| -> Option<u16> {
        let bytes = text.as_bytes().get(at..at + 7)?;
        if bytes[0] != b'_' || bytes[1] != b'x' || bytes[6] != b'_' || !bytes[2..6].iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&bytes[2..6]).ok()?, 16).ok()
    };
    let mut copied = 0;
    let mut at = 0;
    while let Some(offset) = text[at..].find('_') {
        at += offset;
        let Some(unit) = unit_at(at) else {
            at += 1;
            continue;
        };
        out.push_str(&text[copied..at]);
        at += 7;
        let decoded = match unit {
            0xD800..=0xDBFF => match unit_at(at) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    at += 7;
                    char::from_u32(0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00))
                }
                _ => None,
            },
            0xDC00..=0xDFFF => None,
            _ => char::from_u32(u32::from(unit)),
        };
        out.push(decoded.unwrap_or(char::REPLACEMENT_CHARACTER));
        copied = at;
    }
    out.push_str(&text[copied..]);
}

/// Call `each(key, raw value)` for every attribute of a tag.
fn for_each_attribute<'a>(
    attrs: &'a [u8],
    mut each: impl FnMut(&'a [u8], &'a [u8]) -> Result<(), Fallback>,
) -> Result<(), Fallback> {
    let n = attrs.len();
    let blank = |i: usize| attrs[i].is_ascii_whitespace();
    let mut i = 0;
    loop {
        while i < n && blank(i) {
            i += 1;
        }
        if i == n {
            return Ok(());
        }
        let key_start = i;
        while i < n && attrs[i] != b'=' && !blank(i) {
            i += 1;
        }
        let key = &attrs[key_start..i];
        while i < n && blank(i) {
            i += 1;
        }
        if i == n || attrs[i] != b'=' || key.is_empty() {
            return Err(Fallback);
        }
        i += 1;
        while i < n && blank(i) {
            i += 1;
        }
        let quote = *attrs.get(i).ok_or(Fallback)?;
        if quote != b'"' && quote != b'\'' {
            return Err(Fallback);
        }
        i += 1;
        let value_start = i;
        while i < n && attrs[i] != quote {
            i += 1;
        }
        if i == n {
            return Err(Fallback);
        }
        each(key, &attrs[value_start..i])?;
        i += 1;
        if i < n && !blank(i) {
            return Err(Fallback);
        }
    }
}

/// Attributes quick-xml would read without an error (calamine reads those of the
/// tags it uses, and refuses the file when they are malformed).
fn check_attributes(attrs: &[u8]) -> Result<(), Fallback> {
    if attrs.is_empty() {
        return Ok(());
    }
    for_each_attribute(attrs, |_, value| check_text(value))
}

/// The raw value of attribute `key`, if present.
fn attribute<'a>(attrs: &'a [u8], key: &[u8]) -> Result<Option<&'a [u8]>, Fallback> {
    let mut found = None;
    for_each_attribute(attrs, |k, v| {
        if k == key && found.is_none() {
            found = Some(v);
        }
        Ok(())
    })?;
    Ok(found)
}

/// An attribute value as text, entities decoded.
fn attribute_text(value: &[u8]) -> Result<String, Fallback> {
    let mut text = String::new();
    decode(value, &mut text)?;
    Ok(text)
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |i| i + 1);
    &bytes[..end]
}

// ---- The workbook's shared parts ----

/// The zip's part names by their lower-case form: calamine finds parts regardless
/// of case, and so must this reader.
#[derive(Debug)]
struct Parts(FxHashMap<String, String>);

impl Parts {
    /// The names, unless two differ only by case or use backslashes (left to calamine).
    fn of(archive: &Archive) -> Result<Parts, Fallback> {
        let mut names = FxHashMap::default();
        for name in archive.file_names() {
            let name = name.map_err(|_| Fallback)?;
            if name.contains('\\') || names.insert(name.to_ascii_lowercase(), name.to_string()).is_some() {
                return Err(Fallback);
            }
        }
        Ok(Parts(names))
    }

    /// The tokens of a part, `None` when it does not exist.
    fn open<'a, 'b>(
        &self,
        archive: &'a mut Archive<'b>,
        path: &str,
    ) -> Result<Option<Tokens<PartReader<'a, 'b>>>, Fallback> {
        let Some(name) = self.0.get(&path.to_ascii_lowercase()) else { return Ok(None) };
        archive.by_name(name).map(|file| Some(Tokens::new(file))).map_err(|_| Fallback)
    }
}

/// Tokens up to the end tag of `root` (any prefix), each given to `each`; the part
/// ending first is left to calamine, which refuses it. The loops below follow
/// calamine's, so a damaged part is read the same way or not at all.
fn until_end<R: Read>(
    tokens: &mut Tokens<R>,
    root: &[u8],
    mut each: impl FnMut(&mut Tokens<R>, Token) -> Result<(), Fallback>,
) -> Result<(), Fallback> {
    loop {
        let token = tokens.next()?.ok_or(Fallback)?;
        match token {
            // An empty element is its own end tag, as quick-xml expands it for calamine.
            Token::End(name) | Token::Start { name, empty: true, .. } if tokens.local_name(name).1 == root => {
                return Ok(())
            }
            Token::Start { attrs, .. } => check_attributes(tokens.bytes(attrs))?,
            Token::Text(span) => check_text(tokens.bytes(span))?,
            Token::End(_) => {}
        }
        each(tokens, token)?;
    }
}

/// Skip the rest of element `name`, whose start tag was just read; every element
/// inside must close in order (calamine parses these, and refuses them otherwise).
fn skip_balanced<R: Read>(tokens: &mut Tokens<R>, name: &[u8]) -> Result<(), Fallback> {
    let mut open = vec![name.to_vec()];
    while let Some(top) = open.last() {
        match tokens.next()?.ok_or(Fallback)? {
            Token::Start { name, attrs, empty } => {
                check_attributes(tokens.bytes(attrs))?;
                if !empty {
                    open.push(tokens.local_name(name).1.to_vec());
                }
            }
            Token::End(end) if tokens.local_name(end).1 == top.as_slice() => {
                open.pop();
            }
            Token::End(_) => return Err(Fallback),
            Token::Text(span) => check_text(tokens.bytes(span))?,
        }
    }
    Ok(())
}

/// Text quick-xml would read without an error: UTF-8, its references closed.
fn check_text(text: &[u8]) -> Result<(), Fallback> {
    if text.iter().fold(0u8, |high, &b| high | b) >= 0x80 && std::str::from_utf8(text).is_err() {
        return Err(Fallback);
    }
    if text.contains(&b'&') {
        decode(text, &mut String::new())?;
    }
    Ok(())
}

/// Skip to the start tag of `root` (any prefix).
fn skip_to_start<R: Read>(tokens: &mut Tokens<R>, root: &[u8]) -> Result<(), Fallback> {
    loop {
        if let Token::Start { name, attrs, empty } = tokens.next()?.ok_or(Fallback)? {
            check_attributes(tokens.bytes(attrs))?;
            if tokens.local_name(name).1 == root {
                // An empty root holds nothing, and calamine sees its end at once.
                return if empty { Err(Fallback) } else { Ok(()) };
            }
        }
    }
}

/// A relationship's attributes, raw as calamine keeps them.
struct Relationship<'a> {
    id: Option<&'a [u8]>,
    target: &'a [u8],
    kind: &'a [u8],
}

impl Relationship<'_> {
    fn parse(attrs: &[u8]) -> Result<Relationship<'_>, Fallback> {
        let text = |key: &[u8]| attribute(attrs, key).map(Option::unwrap_or_default);
        Ok(Relationship { id: attribute(attrs, b"Id")?, target: text(b"Target")?, kind: text(b"Type")? })
    }
}

/// The target of the package's office-document relationship (`_rels/.rels`).
fn office_document<R: Read>(mut tokens: Tokens<R>) -> Result<String, Fallback> {
    skip_to_start(&mut tokens, b"Relationships")?;
    let mut target = None;
    until_end(&mut tokens, b"Relationships", |tokens, token| {
        if let Token::Start { name, attrs, .. } = token {
            if tokens.local_name(name).1 == b"Relationship" {
                let relationship = Relationship::parse(tokens.bytes(attrs))?;
                if relationship.kind.ends_with(b"/relationships/officeDocument") {
                    target = Some(attribute_text(relationship.target)?);
                }
            }
        }
        Ok(())
    })?;
    let target = target.ok_or(Fallback)?;
    Ok(target.strip_prefix('/').unwrap_or(&target).to_string())
}

/// The workbook's relationships: id → (target, type).
fn relationships<R: Read>(mut tokens: Tokens<R>) -> Result<FxHashMap<String, (String, String)>, Fallback> {
    let mut map = FxHashMap::default();
    until_end(&mut tokens, b"Relationships", |tokens, token| {
        if let Token::Start { name, attrs, .. } = token {
            if tokens.local_name(name).1 == b"Relationship" {
                let relationship = Relationship::parse(tokens.bytes(attrs))?;
                if let Some(id) = relationship.id {
                    let raw = |bytes: &[u8]| String::from_utf8(bytes.to_vec()).map_err(|_| Fallback);
                    map.insert(raw(id)?, (raw(relationship.target)?, raw(relationship.kind)?));
                }
            }
        }
        Ok(())
    })?;
    Ok(map)
}

/// The worksheets in workbook order, and whether dates count from 1904.
fn sheets<R: Read>(
    mut tokens: Tokens<R>,
    relationships: &FxHashMap<String, (String, String)>,
) -> Result<(Vec<SheetPart>, bool), Fallback> {
    let mut sheets = Vec::new();
    let mut is_1904 = false;
    until_end(&mut tokens, b"workbook", |tokens, token| {
        let Token::Start { name, attrs, empty } = token else { return Ok(()) };
        let full_name = tokens.bytes(name).to_vec();
        let attrs = tokens.bytes(attrs);
        match tokens.local_name(name) {
            (b"", b"sheet") => {
                let mut sheet_name = None;
                let mut id = None;
                for_each_attribute(attrs, |key, value| {
                    match key {
                        b"name" => sheet_name = Some(attribute_text(value)?),
                        b"state" if !matches!(value, b"visible" | b"hidden" | b"veryHidden") => return Err(Fallback),
                        _ if key.ends_with(b":id") || key == b"id" => id = Some(attribute_text(value)?),
                        _ => {}
                    }
                    Ok(())
                })?;
                let (target, kind) = relationships.get(&id.unwrap_or_default()).ok_or(Fallback)?;
                if !kind.ends_with("/worksheet") || target.contains("..") || target.contains('&') {
                    return Err(Fallback);
                }
                let path = match target.strip_prefix('/') {
                    Some(absolute) => absolute.to_string(),
                    None => format!("xl/{target}"),
                };
                sheets.push(SheetPart { name: sheet_name.unwrap_or_default(), path });
            }
            (_, b"sheet") => return Err(Fallback),
            (_, b"workbookPr") => {
                if let Some(value) = attribute(attrs, b"date1904")? {
                    is_1904 = value == b"1" || value == b"true";
                }
            }
            // calamine reads a defined name's text up to its end tag, sheets and all.
            (_, b"definedName") if !empty && attribute(attrs, b"name")?.is_some() => loop {
                if let Token::End(end) = tokens.next()?.ok_or(Fallback)? {
                    if tokens.bytes(end) == full_name.as_slice() {
                        break;
                    }
                }
            },
            _ => {}
        }
        Ok(())
    })?;
    Ok((sheets, is_1904))
}

/// The shared strings, in order.
fn shared_strings<R: Read>(mut tokens: Tokens<R>) -> Result<Vec<String>, Fallback> {
    skip_to_start(&mut tokens, b"sst")?;
    let mut strings = Vec::new();
    let mut piece = String::new();
    until_end(&mut tokens, b"sst", |tokens, token| {
        if let Token::Start { name, empty, .. } = token {
            match tokens.local_name(name) {
                (b"", b"si") if empty => strings.push(String::new()),
                (b"", b"si") => {
                    let mut text = String::new();
                    rich_text(tokens, b"si", &mut text, &mut piece)?;
                    strings.push(text);
                }
                (_, b"si") => return Err(Fallback),
                _ => {}
            }
        }
        Ok(())
    })?;
    Ok(strings)
}

/// For each cell style (`<cellXfs>`), how its number format shows numbers.
fn formats<R: Read>(mut tokens: Tokens<R>) -> Result<Vec<NumberKind>, Fallback> {
    let mut custom: FxHashMap<Vec<u8>, String> = FxHashMap::default();
    let mut formats = Vec::new();
    until_end(&mut tokens, b"styleSheet", |tokens, token| {
        let Token::Start { name, empty, .. } = token else { return Ok(()) };
        match tokens.local_name(name) {
            (b"", b"numFmts") if !empty => until_end(tokens, b"numFmts", |tokens, token| {
                if let Token::Start { name, attrs, .. } = token {
                    match tokens.local_name(name) {
                        (b"", b"numFmt") => {
                            let attrs = tokens.bytes(attrs);
                            if let (Some(id), Some(code)) =
                                (attribute(attrs, b"numFmtId")?, attribute(attrs, b"formatCode")?)
                            {
                                custom.insert(id.to_vec(), attribute_text(code)?);
                            }
                        }
                        (_, b"numFmt") => return Err(Fallback),
                        _ => {}
                    }
                }
                Ok(())
            }),
            (b"", b"cellXfs") if !empty => until_end(tokens, b"cellXfs", |tokens, token| {
                if let Token::Start { name, attrs, empty } = token {
                    match tokens.local_name(name) {
                        (b"", b"xf") => {
                            formats.push(match attribute(tokens.bytes(attrs), b"numFmtId")? {
                                None => NumberKind::Plain,
                                Some(id) => match custom.get(id) {
                                    Some(code) => custom_format(code),
                                    None => builtin_format(id),
                                },
                            });
                            if !empty {
                                // Up to the first `</xf>`, as calamine reads it, even
                                // past another `<xf>` inside.
                                until_end(tokens, b"xf", |_, _| Ok(()))?;
                            }
                        }
                        (_, b"xf") => return Err(Fallback),
                        _ => {}
                    }
                }
                Ok(())
            }),
            // calamine parses every font, fill and border up to its end tag.
            (b"", section @ (b"fonts" | b"fills" | b"borders")) if !empty => {
                let (section, item): (&[u8], &[u8]) = match section {
                    b"fonts" => (b"fonts", b"font"),
                    b"fills" => (b"fills", b"fill"),
                    _ => (b"borders", b"border"),
                };
                until_end(tokens, section, |tokens, token| match token {
                    Token::Start { name, empty: false, .. } if tokens.local_name(name) == (b"", item) => {
                        skip_balanced(tokens, item)
                    }
                    _ => Ok(()),
                })
            }
            (p, b"numFmts" | b"cellXfs" | b"fonts" | b"fills" | b"borders") if !p.is_empty() => Err(Fallback),
            _ => Ok(()),
        }
    })?;
    Ok(formats)
}

/// Excel's built-in number formats that show dates or durations (calamine's
/// `builtin_format_by_id`).
fn builtin_format(id: &[u8]) -> NumberKind {
    match id {
        b"14" | b"15" | b"16" | b"17" | b"18" | b"19" | b"20" | b"21" | b"22" | b"45" | b"47" => NumberKind::DateTime,
        b"27" | b"28" | b"29" | b"30" | b"31" | b"32" | b"33" | b"34" | b"35" | b"36" => NumberKind::DateTime,
        b"50" | b"51" | b"52" | b"53" | b"54" | b"55" | b"56" | b"57" | b"58" => NumberKind::DateTime,
        b"46" => NumberKind::Duration,
        _ => NumberKind::Plain,
    }
}

/// Whether a custom number format shows a date or a duration: calamine's
/// `detect_custom_number_format`, rule for rule (calamine is MIT-licensed,
/// © Johann Tuffe).
fn custom_format(format: &str) -> NumberKind {
    let mut escaped = false;
    let mut is_quote = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for s in format.chars() {
        match (s, escaped, is_quote, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => is_quote = false,
            (_, _, true, _, _) => (),
            ('"', _, _, _, _) => is_quote = true,
            (';', ..) => return NumberKind::Plain,
            ('[', ..) => brackets += 1,
            (']', .., 1) if hms => return NumberKind::Duration,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return NumberKind::DateTime,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => return NumberKind::DateTime,
            _ => {
                if !(hms && s.eq_ignore_ascii_case(&prev)) {
                    hms = prev == '[' && matches!(s, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = s;
    }
    NumberKind::Plain
}

// ---- Tokens ----

/// A byte range of the tokenizer's buffer, valid until the next token is read.
#[derive(Debug, Clone, Copy)]
struct Span(usize, usize);

#[derive(Debug, Clone, Copy)]
enum Token {
    Start { name: Span, attrs: Span, empty: bool },
    End(Span),
    Text(Span),
}

/// A pull tokenizer over an XML part, read in blocks. Processing instructions are
/// skipped; comments, CDATA and document types are left to calamine.
struct Tokens<R> {
    source: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    done: bool,
    /// Elements open; an end tag with none open is an error to quick-xml.
    depth: usize,
}

const BLOCK: usize = 64 * 1024;

impl<R: Read> Tokens<R> {
    fn new(source: R) -> Tokens<R> {
        Tokens { source, buf: vec![0; BLOCK], pos: 0, end: 0, done: false, depth: 0 }
    }

    /// When the unread input is `open`, a text without markup, then `close` (which
    /// ends the element whose start tag was just read), consume it all and return
    /// the text's span. Otherwise, or when it is not all in the buffer yet, `None`,
    /// having consumed nothing.
    fn whole(&mut self, open: &[u8], close: &[u8]) -> Option<Span> {
        let rest = self.buf[self.pos..self.end].strip_prefix(open)?;
        let len = memchr(b'<', rest)?;
        if !rest[len..].starts_with(close) {
            return None;
        }
        let start = self.pos + open.len();
        self.pos = start + len + close.len();
        self.depth -= 1;
        Some(Span(start, start + len))
    }

    fn bytes(&self, span: Span) -> &[u8] {
        &self.buf[span.0..span.1]
    }

    /// An element's name, which must carry no namespace prefix.
    fn name(&self, span: Span) -> Result<&[u8], Fallback> {
        let name = self.bytes(span);
        if name.contains(&b':') {
            return Err(Fallback);
        }
        Ok(name)
    }

    /// An element's (prefix, local name).
    fn local_name(&self, span: Span) -> (&[u8], &[u8]) {
        let name = self.bytes(span);
        match name.iter().position(|&b| b == b':') {
            Some(colon) => (&name[..colon], &name[colon + 1..]),
            None => (b"", name),
        }
    }

    /// Read more of the part, keeping the unread bytes. False at its end.
    fn fill(&mut self) -> Result<bool, Fallback> {
        if self.done {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        // Fill the free space whole (the zip reader returns a little at a time), so a
        // token longer than the buffer is found after doubling it a few times, not
        // after rescanning it once per small read.
        let before = self.end;
        while self.end < self.buf.len() {
            let read = self.source.read(&mut self.buf[self.end..]).map_err(|_| Fallback)?;
            if read == 0 {
                self.done = true;
                break;
            }
            self.end += read;
        }
        Ok(self.end > before)
    }

    /// The next token, `None` at the end of the part.
    fn next(&mut self) -> Result<Option<Token>, Fallback> {
        loop {
            let available = &self.buf[self.pos..self.end];
            if available.is_empty() {
                if !self.fill()? {
                    return Ok(None);
                }
                continue;
            }
            if available[0] != b'<' {
                match memchr(b'<', available) {
                    Some(len) => {
                        let span = Span(self.pos, self.pos + len);
                        self.pos += len;
                        return Ok(Some(Token::Text(span)));
                    }
                    None if self.done => {
                        let span = Span(self.pos, self.end);
                        self.pos = self.end;
                        return Ok(Some(Token::Text(span)));
                    }
                    None => {
                        self.fill()?;
                        continue;
                    }
                }
            }
            if available.starts_with(b"<?") {
                // A processing instruction (the XML declaration) ends at `?>`.
                // quick-xml refuses one that starts `<?>`.
                if available.get(2) == Some(&b'>') {
                    return Err(Fallback);
                }
                match memchr::memmem::find(&available[2..], b"?>") {
                    Some(close) => {
                        check_text(&available[2..close + 2])?;
                        self.pos += close + 4;
                        continue;
                    }
                    None if self.fill()? => continue,
                    None => return Err(Fallback),
                }
            }
            let Some((close, ascii)) = tag_end(available) else {
                if !self.fill()? {
                    return Err(Fallback);
                }
                continue;
            };
            let (start, end) = (self.pos + 1, self.pos + close);
            self.pos += close + 1;
            let tag = &self.buf[start..end];
            if !ascii && std::str::from_utf8(tag).is_err() {
                return Err(Fallback);
            }
            match tag.first() {
                Some(b'!' | b'?') | None => return Err(Fallback),
                Some(b'/') => {
                    self.depth = self.depth.checked_sub(1).ok_or(Fallback)?;
                    return Ok(Some(Token::End(Span(
                        start + 1,
                        start + 1 + trim_end(&self.buf[start + 1..end]).len(),
                    ))));
                }
                Some(_) => {
                    let empty = tag.last() == Some(&b'/');
                    self.depth += usize::from(!empty);
                    let tag_len = tag.len() - usize::from(empty);
                    let name_len = tag[..tag_len].iter().position(u8::is_ascii_whitespace).unwrap_or(tag_len);
                    return Ok(Some(Token::Start {
                        name: Span(start, start + name_len),
                        attrs: Span(start + name_len, start + tag_len),
                        empty,
                    }));
                }
            }
        }
    }
}

/// The index of the `>` closing the tag that `bytes` starts with, outside quoted
/// values, and whether the tag is plain ASCII (found in the same pass).
fn tag_end(bytes: &[u8]) -> Option<(usize, bool)> {
    let close = memchr(b'>', bytes)?;
    let (mut double, mut single, mut high) = (0u32, 0u32, 0u8);
    for &b in &bytes[..close] {
        double += u32::from(b == b'"');
        single += u32::from(b == b'\'');
        high |= b;
    }
    if single == 0 && double % 2 == 0 {
        return Some((close, high < 0x80));
    }
    let mut at = 1;
    loop {
        at += memchr3(b'>', b'"', b'\'', &bytes[at..])?;
        let quote = bytes[at];
        if quote == b'>' {
            return Some((at, bytes[..at].is_ascii()));
        }
        at += 1;
        at += memchr(quote, &bytes[at..])? + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(xml: &str) -> Tokens<&[u8]> {
        Tokens::new(xml.as_bytes())
    }

    #[test]
    fn cell_references_are_zero_based() {
        assert_eq!(cell_reference(b"A1").unwrap(), (0, 0));
        assert_eq!(cell_reference(b"AB12").unwrap(), (11, 27));
        assert_eq!(cell_reference(b"XFD1048576").unwrap(), (1_048_575, 16_383));
        assert!(cell_reference(b"a1").is_err());
        assert!(cell_reference(b"A0").is_err());
        assert!(cell_reference(b"12").is_err());
    }

    #[test]
    fn text_is_decoded_or_left_to_calamine() {
        let mut out = String::new();
        decode(b"Caf\xc3\xa9 &amp; &#233;&#xE9; &lt;b&gt;", &mut out).unwrap();
        assert_eq!(out, "Café & éé <b>");
        assert!(decode(b"line\r\nbreak", &mut String::new()).is_err());
        let mut out = String::new();
        unescape_excel("a_x0041_b _x005F_x0041_ _xD83D__xDE00_ _xD83D_ _x12_", &mut out);
        assert_eq!(out, "aAb _x0041_ \u{1F600} \u{FFFD} _x12_");
        assert!(decode(b"&nbsp;", &mut String::new()).is_err());
        assert!(decode(b"&#0;", &mut String::new()).is_err());
        assert!(decode(b"&#000000000000065;", &mut String::new()).is_err(), "left to calamine");
        let ampersands = format!("{};", "&".repeat(1_000_000));
        assert!(decode(ampersands.as_bytes(), &mut String::new()).is_err());
    }

    #[test]
    fn rich_text_joins_runs_and_drops_phonetic_guides() {
        let xml = r#"<si><r><rPr><b/></rPr><t xml:space="preserve">Study </t></r><r><t> visit </t></r><rPh sb="0" eb="1"><t>ス</t></rPh></si>"#;
        let mut tokens = tokens(xml);
        tokens.next().unwrap();
        let mut out = String::new();
        rich_text(&mut tokens, b"si", &mut out, &mut String::new()).unwrap();
        assert_eq!(out, "Study visit");
    }

    #[test]
    fn a_closing_bracket_inside_a_quoted_value_does_not_end_the_tag() {
        let xml = r#"<numFmt numFmtId="164" formatCode="[&gt;=100]0;'>'"/><x/>"#;
        let mut tokens = tokens(xml);
        let Some(Token::Start { attrs, empty, .. }) = tokens.next().unwrap() else { panic!() };
        assert!(empty);
        assert_eq!(attribute(tokens.bytes(attrs), b"numFmtId").unwrap(), Some(b"164".as_slice()));
    }

    /// A source that hands out a few bytes per read, as the zip reader does.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(1000);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_token_split_across_blocks_is_read_whole() {
        let text = "x".repeat(BLOCK * 3);
        let xml = format!("<t>{text}</t>");
        let mut tokens = Tokens::new(Trickle(xml.as_bytes()));
        assert!(matches!(tokens.next().unwrap(), Some(Token::Start { .. })));
        let Some(Token::Text(span)) = tokens.next().unwrap() else { panic!() };
        assert_eq!(tokens.bytes(span).len(), BLOCK * 3);
        assert!(matches!(tokens.next().unwrap(), Some(Token::End(_))));
        assert!(tokens.next().unwrap().is_none());
    }

    #[test]
    fn a_plain_value_is_taken_in_one_step_or_left_alone() {
        let mut tokens = tokens(r#"<c r="A1"><v>12</v></c><c r="A2"><v>1</v><f>x</f></c>"#);
        assert!(matches!(tokens.next().unwrap(), Some(Token::Start { .. })));
        let span = tokens.whole(b"<v>", b"</v></c>").unwrap();
        assert_eq!(tokens.bytes(span), b"12");
        assert!(matches!(tokens.next().unwrap(), Some(Token::Start { .. })));
        assert!(tokens.whole(b"<v>", b"</v></c>").is_none(), "a formula follows the value");
        let Some(Token::Start { name, .. }) = tokens.next().unwrap() else { panic!() };
        assert_eq!(tokens.bytes(name), b"v", "nothing was consumed");
    }

    #[test]
    fn comments_and_cdata_are_left_to_calamine() {
        assert!(tokens("<!-- note --><a/>").next().is_err());
        assert!(tokens("<![CDATA[x]]>").next().is_err());
        assert!(matches!(tokens("<?xml version=\"1.0\"?><a/>").next().unwrap(), Some(Token::Start { .. })));
        assert!(tokens("<?x?><a/>").next().is_ok());
        assert!(tokens("<?>xml?><a/>").next().is_err());
        assert!(tokens("<??><a/>").next().is_ok());
    }

    #[test]
    fn number_formats_are_classified_as_calamine_does() {
        assert_eq!(custom_format("yyyy-mm-dd"), NumberKind::DateTime);
        assert_eq!(custom_format("[h]:mm:ss"), NumberKind::Duration);
        assert_eq!(custom_format("0.00"), NumberKind::Plain);
        assert_eq!(custom_format("\"Day\" 0"), NumberKind::Plain);
        assert_eq!(custom_format("[Red]0;[Blue]-0"), NumberKind::Plain);
        assert_eq!(builtin_format(b"14"), NumberKind::DateTime);
        assert_eq!(builtin_format(b"46"), NumberKind::Duration);
        assert_eq!(builtin_format(b"2"), NumberKind::Plain);
    }
}
