//! Data issues: the one shape in which every problem with the *inputs* is reported.
//!
//! Bad data is never a program error. Each rejected row, ignored value, skipped
//! sheet or unreadable file becomes an [`Issue`] that names the place (file, sheet,
//! Excel row, column letter and header), the value, and what to fix.

use serde::Serialize;

/// How serious an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The row was rejected (or the file could not be read at all).
    Error,
    /// A value was ignored or coerced; the row was kept.
    Warning,
    /// Something was skipped on purpose (a sheet or column that maps to nothing).
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One problem found in the inputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    pub severity: Severity,
    /// Stable machine-readable code, e.g. `bad_date`.
    pub code: &'static str,
    /// Input file name, relative to the input folder.
    pub file: String,
    pub sheet: Option<String>,
    /// Row number as Excel shows it (1-based).
    pub row: Option<u32>,
    /// Column letter and header, e.g. `D (start_date)`.
    pub column: Option<String>,
    /// The offending value, truncated to [`VALUE_MAX_CHARS`].
    pub value: Option<String>,
    /// Plain-language explanation that says what to fix.
    pub message: String,
    /// The activity the row's record belongs to, once linked: split reports list
    /// only their own project's issues. Not published.
    #[serde(skip)]
    pub activity: Option<String>,
    /// On a row of a responses sheet without `activity_id`: the sheet, whose one
    /// activity the merge settles into `activity`. Not published.
    #[serde(skip)]
    pub sheet_activity: Option<crate::schema::SheetId>,
}

/// Longest value quoted in an issue; longer ones are cut with an ellipsis.
pub const VALUE_MAX_CHARS: usize = 80;

impl Issue {
    /// An issue about a whole file.
    /// The message is made readable: e-mail addresses and phone numbers masked, and
    /// every `quoted` value cut to [`VALUE_MAX_CHARS`], so a 40 000-character cell
    /// is not repeated in full.
    pub fn file(severity: Severity, code: &'static str, file: &str, message: String) -> Issue {
        let message = shorten_quotes(&crate::text::mask_contacts(&message));
        let file = crate::text::mask_contacts(file);
        Issue {
            severity,
            code,
            file,
            sheet: None,
            row: None,
            column: None,
            value: None,
            message,
            activity: None,
            sheet_activity: None,
        }
    }

    /// The same issue, placed on a sheet.
    pub fn in_sheet(mut self, sheet: &str) -> Issue {
        self.sheet = Some(crate::text::mask_contacts(sheet));
        self
    }

    /// The same issue, placed on a row (0-based index as stored; shown 1-based).
    pub fn at_row(mut self, row0: u32) -> Issue {
        self.row = Some(row0 + 1);
        self
    }

    /// The same issue, placed on a column (0-based index) with its header text.
    pub fn at_column(mut self, col0: u32, header: &str) -> Issue {
        self.column = Some(format!("{} ({})", column_letter(col0), header));
        self
    }

    /// The same issue, quoting the offending value.
    pub fn with_value(mut self, value: &str) -> Issue {
        self.value = Some(truncate(&crate::text::mask_contacts(value), VALUE_MAX_CHARS));
        self
    }

    /// Where the issue is, e.g. `activities.xlsx › Register › row 7 › D (start_date)`.
    pub fn location(&self) -> String {
        let mut parts = vec![self.file.clone()];
        if let Some(sheet) = &self.sheet {
            parts.push(sheet.clone());
        }
        if let Some(row) = self.row {
            parts.push(format!("row {row}"));
        }
        if let Some(column) = &self.column {
            parts.push(format!("column {column}"));
        }
        parts.join(" › ")
    }
}

/// Excel column letters for a 0-based index: 0 → `A`, 27 → `AB`.
pub fn column_letter(col0: u32) -> String {
    let mut n = col0 as u64 + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

/// Cut `text` to at most `max` characters, marking the cut with `…`.
/// Cut every `` `quoted` `` part of a message longer than [`VALUE_MAX_CHARS`].
pub fn shorten_quotes(message: &str) -> String {
    if message.len() <= 4 * VALUE_MAX_CHARS {
        return message.to_string();
    }
    let mut out = String::with_capacity(message.len().min(4096));
    for (i, part) in message.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        // Odd parts are inside backticks.
        if i % 2 == 1 {
            out.push_str(&truncate(part, VALUE_MAX_CHARS));
        } else {
            out.push_str(&truncate(part, 20 * VALUE_MAX_CHARS));
        }
    }
    out
}

pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// Counts of issues by severity.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IssueCounts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

impl IssueCounts {
    pub fn of(issues: &[Issue]) -> IssueCounts {
        let mut counts = IssueCounts::default();
        for issue in issues {
            match issue.severity {
                Severity::Error => counts.error += 1,
                Severity::Warning => counts.warning += 1,
                Severity::Info => counts.info += 1,
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
        assert_eq!(column_letter(16383), "XFD");
    }

    #[test]
    fn long_values_are_cut_with_an_ellipsis() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 3), "ab…");
    }

    #[test]
    fn location_names_every_part() {
        let issue = Issue::file(Severity::Error, "bad_date", "a.xlsx", "m".into())
            .in_sheet("Register")
            .at_row(6)
            .at_column(3, "start_date");
        assert_eq!(issue.location(), "a.xlsx › Register › row 7 › column D (start_date)");
    }
}
