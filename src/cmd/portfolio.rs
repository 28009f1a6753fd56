//! `peer-eval portfolio`: several programmes' exports side by side and pooled
//! (see [`crate::portfolio`] and [`crate::report::portfolio`]).

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{config_at, evaluate, exit, Failure};
use crate::cli::PortfolioArgs;
use crate::indicators;
use crate::period::Period;
use crate::portfolio::{partitions, pool, read, Programme};
use crate::report::html::Engine;
use crate::report::portfolio::{self as deliverables, PortfolioInput, ProgrammeFigures};

/// Run `portfolio`.
///
/// # Errors
/// A [`Failure`] with the documented exit code.
pub fn portfolio(args: &PortfolioArgs) -> Result<u8, Failure> {
    let config = config_at(match &args.config {
        Some(path) => (path.clone(), true),
        None => (PathBuf::from("config/peer-eval.toml"), false),
    })?;
    let engine = Engine::for_portfolio(&config).map_err(|err| Failure::new(exit::USAGE, err.to_string()))?;
    let mut dirs = Vec::new();
    for dir in &args.exports {
        if out_would_hold(&args.out, dir) {
            return Err(Failure::new(
                exit::USAGE,
                format!(
                    "--out `{}` is inside the export folder `{}`; write the portfolio elsewhere",
                    args.out.display(),
                    dir.display()
                ),
            ));
        }
        let found = partitions(dir);
        if found.is_empty() {
            eprintln!(
                "warning: no export was found under `{}` (an export folder holds activities.parquet or activities.csv; write one with `peer-eval export`)",
                dir.display()
            );
        }
        dirs.extend(found);
    }
    // One folder named twice (or reached two ways) is read once.
    let mut seen = std::collections::HashSet::new();
    dirs.retain(|dir| seen.insert(std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone())));
    let read: Vec<_> = dirs.par_iter().map(|dir| read(dir, &config)).collect();
    let mut programmes: Vec<Programme> = Vec::new();
    for (dir, outcome) in dirs.iter().zip(read) {
        match outcome {
            Ok(programme) => programmes.push(programme),
            Err(err) => eprintln!("warning: the export `{}` was left out: {err}", dir.display()),
        }
    }
    if programmes.is_empty() {
        return Err(Failure::new(exit::NO_INPUT, "no usable input: no export could be read; nothing was written"));
    }
    let programmes = without_repeats(programmes);
    let (pooled_data, mut notes) = pool(&programmes);
    // What reading each export noticed, said once here and kept in the reports.
    let mut read_notes = Vec::new();
    for p in &programmes {
        if !p.configured {
            read_notes.push(format!(
                "`{}` ({}) names no programme (report.programme was not set when it was exported): it is taken as a programme of its own.",
                p.name,
                p.dir.display()
            ));
        }
        read_notes.extend(p.notes.iter().map(|note| format!("The export of `{}`, {}: {note}.", p.name, p.period)));
    }
    for note in read_notes.iter().chain(&notes) {
        eprintln!("note: {note}");
    }
    read_notes.append(&mut notes);
    let notes = read_notes;
    let period = Period::all();
    let figures: Vec<ProgrammeFigures> = programmes
        .par_iter()
        .map(|p| ProgrammeFigures {
            name: p.name.clone(),
            period: p.period.clone(),
            source: p.dir.display().to_string(),
            activities: p.data.activities.len(),
            responses: p.responses,
            issues: p.issues.clone(),
            results: evaluate(&p.data, &config, &period, false, false),
        })
        .collect();
    // As `run` publishes them: with the quarterly trends.
    let mut pooled = evaluate(&pooled_data, &config, &period, false, false);
    pooled.trends = Some(indicators::trends(&pooled_data, &config));
    let input =
        PortfolioInput { config: &config, programmes: &figures, pooled: &pooled, notes: &notes, engine: &engine };
    let html = deliverables::html(&input).map_err(|err| Failure::new(exit::USAGE, err.to_string()))?;
    let workbook = deliverables::workbook(&input)
        .map_err(|err| Failure::new(exit::OUTPUT, format!("cannot write the workbook: {err}")))?;
    let files =
        [("portfolio.json", deliverables::json(&input)), ("portfolio.xlsx", workbook), ("portfolio.html", html)];
    for (name, bytes) in &files {
        write_replacing(&args.out, name, bytes).map_err(|err| {
            Failure::new(exit::OUTPUT, format!("cannot write `{}`: {err}", args.out.join(name).display()))
        })?;
    }
    if !args.quiet {
        for p in &programmes {
            eprintln!(
                "  {:<30} {:<10} {:>6} activities {:>8} responses",
                p.name,
                p.period,
                p.data.activities.len(),
                p.responses
            );
        }
        eprintln!("wrote {} (portfolio.html, portfolio.xlsx, portfolio.json)", args.out.display());
    }
    Ok(exit::OK)
}

/// Whether `out` is `dir` or inside it (the portfolio would land among the exports).
fn out_would_hold(out: &Path, dir: &Path) -> bool {
    match (std::fs::canonicalize(dir), out_canonical(out)) {
        (Ok(dir), Some(out)) => out.starts_with(dir),
        _ => false,
    }
}

/// `out` made absolute, `.` and `..` resolved, through its nearest existing
/// ancestor (it may not exist yet).
fn out_canonical(out: &Path) -> Option<PathBuf> {
    let mut lexical = PathBuf::new();
    for part in std::path::absolute(out).ok()?.components() {
        match part {
            std::path::Component::ParentDir => {
                lexical.pop();
            }
            std::path::Component::CurDir => {}
            other => lexical.push(other),
        }
    }
    let mut rest = Vec::new();
    let mut at = lexical.as_path();
    loop {
        if let Ok(found) = std::fs::canonicalize(at) {
            return Some(rest.iter().rev().fold(found, |path: PathBuf, part| path.join(part)));
        }
        rest.push(at.file_name()?.to_owned());
        at = at.parent()?;
    }
}

/// Two exports of one programme and period are one export given twice: the
/// second is left out, with a warning.
fn without_repeats(programmes: Vec<Programme>) -> Vec<Programme> {
    let mut seen = std::collections::BTreeMap::new();
    programmes
        .into_iter()
        .filter(|p| match seen.get(&(p.identity(), p.period.clone())) {
            Some(first) => {
                eprintln!(
                    "warning: the export `{}` is again programme `{}`, period `{}`, as `{}`; it was left out",
                    p.dir.display(),
                    p.name,
                    p.period,
                    first
                );
                false
            }
            None => {
                seen.insert((p.identity(), p.period.clone()), p.dir.display().to_string());
                true
            }
        })
        .collect()
}

/// Write `dir/name` whole or not at all: a temporary file beside it, renamed over it.
fn write_replacing(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, dir.join(name)).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}
