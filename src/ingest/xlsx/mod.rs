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
//! held whole. This file reads a sheet's cells; [`tokens`] is the tokenizer,
//! [`text`] decodes text, entities and attributes, and [`parts`] reads the
//! workbook's shared parts (sheets, shared strings, number formats).

use std::io::{Cursor, Read};

use calamine::{ExcelDateTime, ExcelDateTimeType};
use memchr::{memchr, memchr3};
use rustc_hash::FxHashMap;

use super::cells::{date_cell, number_cell, Cell, RowSink, RowStream};

mod parts;
mod text;
mod tokens;

use parts::*;
use text::*;
use tokens::*;

/// Why the workbook or a sheet is handed back to calamine (shown under `--verbose`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fallback(pub &'static str);

/// Why this part of the reader hands the workbook or sheet back to calamine.
const MISSING_PART: Fallback = Fallback("a part Excel always writes is missing or not where Excel puts it");

/// Why this part of the reader hands the workbook or sheet back to calamine.
const CELLS: Fallback = Fallback("a sheet element or cell the direct reader does not read (a cell type, reference, number or element Excel does not usually write)");

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
        let workbook = office_document(parts.open(archive, "_rels/.rels")?.ok_or(MISSING_PART)?)?;
        if workbook != "xl/workbook.xml" {
            return Err(MISSING_PART);
        }
        let relationships = relationships(parts.open(archive, "xl/_rels/workbook.xml.rels")?.ok_or(MISSING_PART)?)?;
        let (sheets, is_1904) = sheets(parts.open(archive, "xl/workbook.xml")?.ok_or(MISSING_PART)?, &relationships)?;
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
    ) -> Result<Option<Fallback>, String> {
        let tokens = match self.parts.open(archive, &sheet.path) {
            Ok(Some(tokens)) => tokens,
            Ok(None) => return Ok(Some(Fallback("the sheet's part is missing from the workbook"))),
            Err(fallback) => return Ok(Some(fallback)),
        };
        let mut tokens = tokens;
        match self.cells(&mut tokens, stream, sink) {
            Ok(outcome) => outcome.map(|()| None),
            Err(fallback) => Ok(Some(fallback)),
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
            match tokens.next()?.ok_or(CELLS)? {
                Token::Start { name, attrs, empty } => {
                    check_attributes(tokens.bytes(attrs))?;
                    match tokens.local_name(name) {
                        (b"", b"sheetData") if empty => return Ok(Ok(())),
                        (b"", b"sheetData") => break,
                        (b"", b"dimension") => check_dimension(attribute(tokens.bytes(attrs), b"ref")?.ok_or(CELLS)?)?,
                        (_, b"sheetData" | b"dimension") => return Err(CELLS),
                        _ => {}
                    }
                }
                Token::Text(span) => check_text(tokens.bytes(span))?,
                Token::End(_) => {}
            }
        }
        let mut scratch = String::new();
        loop {
            match tokens.next()?.ok_or(CELLS)? {
                Token::Start { name, attrs, empty } => match tokens.name(name)? {
                    // calamine reads a row's number, and refuses one it cannot read.
                    b"row" => {
                        if let Some(number) = attribute(tokens.bytes(attrs), b"r")? {
                            let number = digits::<u32>(number)?;
                            if number == 0 {
                                return Err(CELLS);
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
                                Ok(false) => return Err(CELLS),
                                Err(limit) => return Ok(Err(limit)),
                            }
                        }
                    }
                    _ => return Err(CELLS),
                },
                Token::End(name) => match tokens.name(name)? {
                    b"row" => {}
                    b"sheetData" => break,
                    _ => return Err(CELLS),
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
                return Err(CELLS);
            }
            scratch.clear();
            decode(raw, scratch)?;
            return self.typed(cell, scratch, stream);
        }
        let mut value = None;
        loop {
            match tokens.next()?.ok_or(CELLS)? {
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
                        _ => return Err(CELLS),
                    };
                }
                Token::End(name) => {
                    if tokens.name(name)? == b"c" {
                        return Ok(value);
                    }
                    return Err(CELLS);
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
                stream.text(self.strings.get(index).ok_or(CELLS)?)
            }
            Kind::Bool => match raw.trim() {
                "" => None,
                "0" => Some(Cell::Bool(false)),
                "1" => Some(Cell::Bool(true)),
                other if other.eq_ignore_ascii_case("false") => Some(Cell::Bool(false)),
                other if other.eq_ignore_ascii_case("true") => Some(Cell::Bool(true)),
                _ => return Err(CELLS),
            },
            Kind::Error => {
                let error: calamine::CellErrorType = raw.parse().map_err(|_| CELLS)?;
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
fn merge_cells<R: Read>(tokens: &mut Tokens<R>) -> Vec<super::cells::Merge> {
    let mut merges = Vec::new();
    while let Ok(Some(token)) = tokens.next() {
        if let Token::Start { name, attrs, .. } = token {
            if tokens.local_name(name).1 == b"mergeCell" {
                let reference = attribute(tokens.bytes(attrs), b"ref").ok().flatten();
                if let Some(merge) =
                    reference.and_then(|r| std::str::from_utf8(r).ok()).and_then(super::cells::Merge::parse)
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
                        _ => return Err(CELLS),
                    }
                }
                b"r" | b"s" | b"t" => return Err(CELLS),
                _ => {}
            }
            Ok(())
        })?;
        let (row, col) = reference.ok_or(CELLS)?;
        Ok(CellTag { row, col, style, kind })
    }
}

/// `B12` → (11, 1), 0-based; letters are upper case, at most three.
fn cell_reference(value: &[u8]) -> Result<(u32, u32), Fallback> {
    let letters = value.iter().take_while(|b| b.is_ascii_uppercase()).count();
    if !(1..=3).contains(&letters) {
        return Err(CELLS);
    }
    let col = value[..letters].iter().fold(0u32, |col, b| col * 26 + u32::from(b - b'A') + 1);
    let row: u32 = digits(&value[letters..])?;
    if row == 0 {
        return Err(CELLS);
    }
    Ok((row - 1, col - 1))
}

/// A decimal integer of at most nine digits.
fn digits<T: TryFrom<u64>>(value: &[u8]) -> Result<T, Fallback> {
    if value.is_empty() || value.len() > 9 || !value.iter().all(u8::is_ascii_digit) {
        return Err(CELLS);
    }
    let n = value.iter().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
    T::try_from(n).map_err(|_| CELLS)
}

/// A number as a cell stores it: digits, sign, point and exponent only.
fn parse_number(raw: &str) -> Result<f64, Fallback> {
    if !raw.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E')) {
        return Err(CELLS);
    }
    raw.parse().map_err(|_| CELLS)
}

/// A `<dimension ref>` calamine accepts: `A1` or `A1:D20`, in order, within a sheet's bounds.
fn check_dimension(value: &[u8]) -> Result<(), Fallback> {
    let mut parts = value.split(|b| *b == b':');
    let start = cell_reference(parts.next().ok_or(CELLS)?)?;
    let end = match parts.next() {
        Some(end) => cell_reference(end)?,
        None => start,
    };
    let in_bounds = |(row, col): (u32, u32)| row < 1_048_576 && col < 16_384;
    if parts.next().is_some() || end.0 < start.0 || end.1 < start.1 || !in_bounds(start) || !in_bounds(end) {
        return Err(CELLS);
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
        match tokens.next()?.ok_or(CELLS)? {
            Token::Text(span) if !entities && tokens.bytes(span).contains(&b'&') => return Err(CELLS),
            Token::Text(span) => decode(tokens.bytes(span), out)?,
            Token::End(end) if tokens.name(end)? == name => return Ok(out),
            _ => return Err(CELLS),
        }
    }
}

/// Skip to `</name>` (a formula, or a value calamine ignores).
fn skip_to_end<R: Read>(tokens: &mut Tokens<R>, name: &[u8]) -> Result<(), Fallback> {
    loop {
        match tokens.next()?.ok_or(CELLS)? {
            Token::Text(span) => check_text(tokens.bytes(span))?,
            Token::End(end) if tokens.name(end)? == name => return Ok(()),
            _ => return Err(CELLS),
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
        match tokens.next()?.ok_or(CELLS)? {
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
