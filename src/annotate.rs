//! `peer-eval validate --annotate DIR`: for every input file with issues, a copy
//! `DIR/<file name>.annotated.xlsx` in which each problem cell is highlighted and
//! carries a note with the message, after a first sheet listing the issues with
//! links to their cells. Staff fix their own files from it; the originals are
//! never touched (the copies go to another folder, under another name).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Color, Format, Note, Url, Workbook, XlsxError};

use crate::config::Config;
use crate::ingest::read::{self, Cell};
use crate::quality::{Issue, Severity};

/// Excel's limit on sheet names.
const SHEET_NAME_MAX: usize = 31;

/// 0-based column index of an issue's `column` ("D (start_date)" → 3).
pub fn column_index(column: &str) -> Option<u32> {
    let letters: String = column.chars().take_while(|c| c.is_ascii_uppercase()).collect();
    if letters.is_empty() {
        return None;
    }
    let mut n: u32 = 0;
    for b in letters.bytes() {
        n = n.checked_mul(26)?.checked_add(u32::from(b - b'A') + 1)?;
    }
    Some(n - 1)
}

/// A valid, unique sheet name for `name`.
fn sheet_name(name: &str, used: &mut Vec<String>) -> String {
    let cleaned: String =
        name.chars().map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') { '_' } else { c }).collect();
    let cleaned = cleaned.trim_matches('\'').to_string();
    let base: String =
        if cleaned.trim().is_empty() { "Sheet".to_string() } else { cleaned.chars().take(SHEET_NAME_MAX).collect() };
    let mut candidate = base.clone();
    let mut k = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&candidate)) {
        let suffix = format!(" ({k})");
        candidate = format!("{}{suffix}", base.chars().take(SHEET_NAME_MAX - suffix.len()).collect::<String>());
        k += 1;
    }
    used.push(candidate.clone());
    candidate
}

/// Write the annotated copies; returns their paths.
///
/// # Errors
/// The folder or a copy cannot be written.
pub fn annotate(input: &Path, out: &Path, issues: &[Issue], config: &Config) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out)?;
    let mut by_file: BTreeMap<&str, Vec<&Issue>> = BTreeMap::new();
    for issue in issues {
        by_file.entry(issue.file.as_str()).or_default().push(issue);
    }
    let mut written = Vec::new();
    for (file, file_issues) in by_file {
        let target = out.join(format!("{file}.annotated.xlsx"));
        let bytes = annotated(&input.join(file), &file_issues, config).map_err(std::io::Error::other)?;
        std::fs::write(&target, bytes)?;
        written.push(target);
    }
    Ok(written)
}

fn severity_colour(severity: Severity) -> Color {
    match severity {
        Severity::Error => Color::RGB(0xFFC7CE),
        Severity::Warning => Color::RGB(0xFFEB9C),
        Severity::Info => Color::RGB(0xDDEBF7),
    }
}

fn annotated(path: &Path, issues: &[&Issue], config: &Config) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let sheets = read::read_file(path, &config.limits).unwrap_or_default();
    let mut used = vec!["peer-eval issues".to_string()];
    let names: Vec<String> = sheets.iter().map(|s| sheet_name(&s.name, &mut used)).collect();
    let bold = Format::new().set_bold();
    let quoted = Format::new().set_quote_prefix();
    let plain = Format::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");

    // The list of issues, with links to their cells.
    let list = wb.add_worksheet();
    list.set_name("peer-eval issues")?;
    for (c, (h, w)) in
        [("Severity", 9.0), ("Sheet", 20.0), ("Cell", 10.0), ("Column", 24.0), ("Value", 24.0), ("What to fix", 100.0)]
            .iter()
            .enumerate()
    {
        list.write_string_with_format(0, c as u16, *h, &bold)?;
        list.set_column_width(c as u16, *w)?;
    }
    for (i, issue) in issues.iter().enumerate() {
        let r = i as u32 + 1;
        let fill = Format::new().set_background_color(severity_colour(issue.severity));
        list.write_string_with_format(r, 0, issue.severity.as_str(), &fill)?;
        let sheet_text = issue.sheet.as_deref().unwrap_or("");
        let format = if crate::text::needs_quote_prefix(sheet_text) { &quoted } else { &plain };
        list.write_string_with_format(r, 1, sheet_text, format)?;
        let sheet = issue.sheet.as_ref().and_then(|s| sheets.iter().position(|x| &x.name == s)).map(|p| &names[p]);
        if let (Some(sheet), Some(row)) = (sheet, issue.row) {
            let col = issue.column.as_deref().and_then(column_index).unwrap_or(0);
            let cell = format!("{}{row}", crate::quality::column_letter(col));
            let link = Url::new(format!("internal:'{}'!{cell}", sheet.replace('\'', "''")));
            list.write_url_with_text(r, 2, link, &cell)?;
        }
        list.write_string(r, 3, issue.column.as_deref().unwrap_or(""))?;
        let value = issue.value.as_deref().unwrap_or("");
        list.write_string_with_format(
            r,
            4,
            value,
            if crate::text::needs_quote_prefix(value) { &quoted } else { &plain },
        )?;
        list.write_string(r, 5, &issue.message)?;
    }
    list.set_freeze_panes(1, 0)?;

    // Each sheet as read, with the problem cells marked.
    for (sheet, name) in sheets.iter().zip(&names) {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        for row in &sheet.rows {
            for (col, value) in &row.cells {
                let col = (*col).min(16_383) as u16;
                match value {
                    Cell::Number(n) => {
                        ws.write_number(row.index, col, *n)?;
                    }
                    Cell::Bool(b) => {
                        ws.write_boolean(row.index, col, *b)?;
                    }
                    Cell::Date(d) => {
                        let dt = rust_xlsxwriter::ExcelDateTime::parse_from_str(&d.format("%Y-%m-%d").to_string())?;
                        ws.write_datetime_with_format(row.index, col, &dt, &date)?;
                    }
                    Cell::Text(t) | Cell::Error(t) => {
                        let format = if crate::text::needs_quote_prefix(t) { &quoted } else { &plain };
                        ws.write_string_with_format(row.index, col, t, format)?;
                    }
                }
            }
        }
        // One note per cell, gathering its issues; the cell filled by its worst severity.
        let mut marks: BTreeMap<(u32, u16), Vec<&Issue>> = BTreeMap::new();
        for issue in issues.iter().filter(|i| i.sheet.as_deref() == Some(sheet.name.as_str())) {
            let Some(row) = issue.row else { continue };
            let col = issue.column.as_deref().and_then(column_index).unwrap_or(0).min(16_383) as u16;
            marks.entry((row - 1, col)).or_default().push(issue);
        }
        for ((row, col), cell_issues) in marks {
            let worst = cell_issues.iter().map(|i| i.severity).min().unwrap_or(Severity::Info);
            let text: Vec<String> =
                cell_issues.iter().map(|i| format!("{}: {}", i.severity.as_str(), i.message)).collect();
            let fill = Format::new().set_background_color(severity_colour(worst));
            let original = sheet.rows.iter().find(|r| r.index == row).and_then(|r| r.get(u32::from(col)));
            match original {
                Some(Cell::Number(n)) => {
                    ws.write_number_with_format(row, col, *n, &fill)?;
                }
                Some(other) => {
                    let shown = other.display();
                    let format =
                        if crate::text::needs_quote_prefix(&shown) { fill.clone().set_quote_prefix() } else { fill };
                    ws.write_string_with_format(row, col, &shown, &format)?;
                }
                None => {
                    ws.write_blank(row, col, &fill)?;
                }
            }
            ws.insert_note(
                row,
                col,
                &Note::new(text.join("\n")).set_author("peer-eval").set_width(360).set_height(120),
            )?;
        }
    }
    wb.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_creation_datetime(&rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 1, 1)?),
    );
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_back_to_indexes() {
        assert_eq!(column_index("A (activity_id)"), Some(0));
        assert_eq!(column_index("D (start_date)"), Some(3));
        assert_eq!(column_index("AB (x)"), Some(27));
        assert_eq!(column_index("XFD (x)"), Some(16_383));
        assert_eq!(column_index("(none)"), None);
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut used = vec!["peer-eval issues".to_string()];
        assert_eq!(sheet_name("Responses", &mut used), "Responses");
        assert_eq!(sheet_name("responses", &mut used), "responses (2)");
        assert_eq!(sheet_name("a/b:c", &mut used), "a_b_c");
        assert_eq!(sheet_name(&"x".repeat(40), &mut used).chars().count(), 31);
    }
}
