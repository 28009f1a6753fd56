//! What calamine does not read from an `.ods` file: hidden rows and merged cells
//! (SPEC §12.2), from `content.xml`.
//!
//! Rows are numbered as calamine numbers them: each `<table:table-row>` start
//! tag advances by its `table:number-rows-repeated`. A row is hidden when its
//! `table:visibility` is `collapse` or `filter`; a cell with
//! `table:number-rows-spanned` or `table:number-columns-spanned` starts a merge.

use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use rustc_hash::FxHashMap;

use super::cells::Merge;

/// calamine's cap on an ods sheet's rows.
const MAX_ROWS: u64 = 1_048_576;
/// At most this many hidden runs and merges are kept per sheet.
const MAX_ENTRIES: usize = 100_000;

/// Hidden rows (inclusive runs, 0-based) and merges of one sheet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    pub hidden: Vec<(u32, u32)>,
    pub merges: Vec<Merge>,
}

/// The layout of every sheet of an ods workbook, by sheet name; `None` when
/// `content.xml` cannot be read (calamine then reports the file).
pub fn layout(bytes: &[u8]) -> Option<FxHashMap<String, Layout>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut content = Vec::new();
    archive.by_name("content.xml").ok()?.read_to_end(&mut content).ok()?;
    parse(&content)
}

fn parse(content: &[u8]) -> Option<FxHashMap<String, Layout>> {
    let mut reader = quick_xml::Reader::from_reader(content);
    let mut sheets = FxHashMap::default();
    let mut current: Option<(String, Layout)> = None;
    let (mut row, mut col, mut repeats) = (0u64, 0u64, 1u64);
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).ok()?;
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.name().0 {
                    "table:table" if !empty => {
                        current = Some((attr(e, "table:name").unwrap_or_default(), Layout::default()));
                        row = 0;
                    }
                    // calamine counts a row by its start tag only.
                    "table:table-row" if !empty => {
                        repeats = number(e, "table:number-rows-repeated").clamp(1, MAX_ROWS);
                        col = 0;
                        let hidden = matches!(attr(e, "table:visibility").as_deref(), Some("collapse" | "filter"));
                        if let Some((_, layout)) = current.as_mut().filter(|_| hidden && row < MAX_ROWS) {
                            let last = (row + repeats - 1).min(MAX_ROWS - 1);
                            if layout.hidden.len() < MAX_ENTRIES {
                                layout.hidden.push((row as u32, last as u32));
                            }
                        }
                    }
                    "table:table-cell" | "table:covered-table-cell" => {
                        let rows = number(e, "table:number-rows-spanned");
                        let cols = number(e, "table:number-columns-spanned");
                        if let Some((_, layout)) = current.as_mut() {
                            if (rows > 1 || cols > 1) && row < MAX_ROWS && col < u64::from(u32::MAX) {
                                let last_row = (row + rows.max(1) - 1).min(MAX_ROWS - 1);
                                let last_col = (col + cols.max(1) - 1).min(u64::from(u32::MAX));
                                if layout.merges.len() < MAX_ENTRIES {
                                    layout.merges.push(Merge {
                                        first_row: row as u32,
                                        first_col: col as u32,
                                        last_row: last_row as u32,
                                        last_col: last_col as u32,
                                    });
                                }
                            }
                        }
                        col = col.saturating_add(number(e, "table:number-columns-repeated").max(1));
                    }
                    _ => {}
                }
            }
            Event::End(e) => match e.name().0 {
                "table:table-row" => row = row.saturating_add(repeats),
                "table:table" => {
                    if let Some((name, layout)) = current.take() {
                        sheets.entry(name).or_insert(layout);
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Some(sheets)
}

fn attr(e: &BytesStart, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.0 == key)
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(|v| v.to_string()))
}

fn number(e: &BytesStart, key: &str) -> u64 {
    attr(e, key).and_then(|v| v.trim().parse().ok()).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_rows_and_spans_are_found_with_repeats() {
        let xml = br#"<office:document-content><office:body><office:spreadsheet>
            <table:table table:name="Register">
              <table:table-row><table:table-cell/></table:table-row>
              <table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>
              <table:table-row table:visibility="collapse" table:number-rows-repeated="2">
                <table:table-cell table:number-columns-repeated="3"/>
                <table:table-cell table:number-rows-spanned="2" table:number-columns-spanned="1"/>
              </table:table-row>
              <table:table-row><table:covered-table-cell/></table:table-row>
            </table:table>
            </office:spreadsheet></office:body></office:document-content>"#;
        let sheets = parse(xml).unwrap();
        let layout = &sheets["Register"];
        // Rows 0, 1–2, then 3–4 hidden; the spanning cell is in row 3, column 3.
        assert_eq!(layout.hidden, vec![(3, 4)]);
        assert_eq!(layout.merges, vec![Merge { first_row: 3, first_col: 3, last_row: 4, last_col: 3 }]);
    }
}
