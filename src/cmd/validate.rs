//! `peer-eval validate`: read the inputs and explain every issue; publishes nothing.

use std::fmt::Write as _;
use std::io::IsTerminal;

use serde::Serialize;

use super::{exit, load_config, read_inputs, Failure};
use crate::cli::ValidateArgs;
use crate::ingest::{Ingested, InputFile};
use crate::quality::{Issue, IssueCounts, Severity};

/// Run `validate`; exit 0 when no error-level issue, 1 otherwise.
///
/// # Errors
/// Configuration (2) or unreadable input folder (3).
pub fn validate(args: &ValidateArgs) -> Result<u8, Failure> {
    let config = load_config(&args.common)?;
    if let Some(dir) = &args.annotate {
        let same = |a: &std::path::Path, b: &std::path::Path| match (a.canonicalize(), b.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if same(dir, &args.common.input) {
            return Err(Failure::new(
                exit::USAGE,
                "--annotate needs a folder other than the input folder (the copies would be read as inputs)",
            ));
        }
    }
    let ingested = read_inputs(&args.common.input, &config, &|_| {})?;
    let counts = IssueCounts::of(&ingested.issues);
    if let Some(dir) = &args.annotate {
        let written = crate::annotate::annotate(&args.common.input, dir, &ingested.issues, &config).map_err(|err| {
            Failure::new(exit::OUTPUT, format!("cannot write the annotated copies to `{}`: {err}", dir.display()))
        })?;
        for path in written {
            eprintln!("wrote {}", path.display());
        }
    }
    if args.json {
        #[derive(Serialize)]
        struct Out<'a> {
            inputs: &'a [InputFile],
            issue_counts: IssueCounts,
            issues: &'a [Issue],
        }
        let out = Out { inputs: &ingested.files, issue_counts: counts, issues: &ingested.issues };
        println!("{}", String::from_utf8_lossy(&crate::report::json::to_sorted_json(&out)));
    } else {
        print!("{}", render(&ingested, std::io::stdout().is_terminal()));
    }
    Ok(if counts.error > 0 { exit::STRICT_ERRORS } else { exit::OK })
}

/// Totals over every file and sheet.
#[derive(Debug, Clone, Copy, Default)]
pub struct Totals {
    pub files: usize,
    pub sheets: usize,
    pub read: usize,
    pub accepted: usize,
    pub rejected: usize,
    pub skipped: usize,
}

pub fn totals(files: &[InputFile]) -> Totals {
    let mut t = Totals { files: files.len(), ..Totals::default() };
    for sheet in files.iter().flat_map(|f| &f.sheets) {
        t.sheets += 1;
        t.read += sheet.rows_read;
        t.accepted += sheet.rows_accepted;
        t.rejected += sheet.rows_rejected;
        t.skipped += sheet.rows_skipped;
    }
    t
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The text report: summary first, then a table, then issues grouped by file and sheet.
pub fn render(ingested: &Ingested, colour: bool) -> String {
    let mut out = String::new();
    let counts = IssueCounts::of(&ingested.issues);
    let t = totals(&ingested.files);
    let _ = writeln!(
        out,
        "{} · {} · {} read · {} accepted · {} rejected · {} skipped",
        plural(t.files, "file", "files"),
        plural(t.sheets, "sheet", "sheets"),
        plural(t.read, "row", "rows"),
        t.accepted,
        t.rejected,
        t.skipped
    );
    let _ = writeln!(
        out,
        "{} · {} · {}",
        plural(counts.error, "error", "errors"),
        plural(counts.warning, "warning", "warnings"),
        plural(counts.info, "note", "notes")
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<32} {:<22} {:<13} {:>6} {:>9} {:>9} {:>8}",
        "file", "sheet", "dataset", "read", "accepted", "rejected", "skipped"
    );
    for file in &ingested.files {
        if !file.readable {
            let _ = writeln!(
                out,
                "{:<32} {:<22} {:<13} {:>6} {:>9} {:>9} {:>8}",
                clip(&file.path, 32),
                "(unreadable)",
                "-",
                "-",
                "-",
                "-",
                "-"
            );
        }
        for sheet in &file.sheets {
            let dataset = sheet.dataset.map(|d| d.as_str()).unwrap_or("(skipped)");
            let _ = writeln!(
                out,
                "{:<32} {:<22} {:<13} {:>6} {:>9} {:>9} {:>8}",
                clip(&file.path, 32),
                clip(&sheet.sheet, 22),
                dataset,
                sheet.rows_read,
                sheet.rows_accepted,
                sheet.rows_rejected,
                sheet.rows_skipped
            );
        }
    }
    let mut current: Option<(&str, Option<&str>)> = None;
    for issue in &ingested.issues {
        let place = (issue.file.as_str(), issue.sheet.as_deref());
        if current.map(|c| c.0) != Some(place.0) {
            let _ = writeln!(out, "\n{}", issue.file);
        }
        if current != Some(place) {
            if let Some(sheet) = place.1 {
                let _ = writeln!(out, "  sheet {sheet}");
            }
        }
        current = Some(place);
        let (label, paint) = match issue.severity {
            Severity::Error => ("error", "\x1b[31m"),
            Severity::Warning => ("warning", "\x1b[33m"),
            Severity::Info => ("note", "\x1b[36m"),
        };
        let label = if colour { format!("{paint}{label}\x1b[0m") } else { label.to_string() };
        let mut at = Vec::new();
        if let Some(row) = issue.row {
            at.push(format!("row {row}"));
        }
        if let Some(column) = &issue.column {
            at.push(format!("column {column}"));
        }
        let at = if at.is_empty() { String::new() } else { format!("{}: ", at.join(", ")) };
        let _ = writeln!(out, "    {label}: {at}{}", issue.message);
    }
    out
}

fn clip(text: &str, width: usize) -> String {
    crate::quality::truncate(text, width)
}
