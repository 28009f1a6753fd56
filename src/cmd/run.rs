//! `peer-eval run`: read → validate → compute → render → publish, under a lock.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use super::{exit, load_config, read_inputs, Failure};
use crate::cli::RunArgs;
use crate::indicators;
use crate::period::Period;
use crate::publish::{self, LockError};
use crate::quality::IssueCounts;
use crate::report::json::{to_sorted_json, RunReport};
use crate::report::{self, ReportInput};

/// Run the whole pipeline and publish `output/<label>/`.
///
/// # Errors
/// A [`Failure`] with the documented exit code.
pub fn run(args: &RunArgs) -> Result<u8, Failure> {
    let started = Instant::now();
    let config = load_config(&args.common)?;
    let period = match &args.period {
        Some(text) => Period::parse(text).map_err(|m| Failure::new(exit::USAGE, m))?,
        None => Period::all(),
    };
    if let Some(jobs) = args.jobs {
        if jobs == 0 {
            return Err(Failure::new(exit::USAGE, "--jobs must be at least 1"));
        }
        // Only the first pool set in a process counts; tests call run() repeatedly.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(jobs).build_global();
    }
    let interactive = !args.quiet && std::io::stderr().is_terminal();
    let _lock = publish::lock(&args.output, args.wait).map_err(|err| match err {
        LockError::Held => Failure::new(
            exit::LOCKED,
            format!("another peer-eval run is writing to `{}`; try again later or use --wait", args.output.display()),
        ),
        LockError::Io(err) => {
            Failure::new(exit::OUTPUT, format!("cannot write to the output folder `{}`: {err}", args.output.display()))
        }
    })?;

    let mut timings = BTreeMap::new();
    let stage = Instant::now();
    let total_files = crate::ingest::discover(&args.common.input).map(|(f, _)| f.len()).unwrap_or(0);
    let bar = if interactive {
        let bar = ProgressBar::new(total_files as u64);
        bar.set_style(
            ProgressStyle::with_template("reading {bar:30} {pos}/{len} files  {msg}").expect("valid template"),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let ingested = read_inputs(&args.common.input, &config, &|name| {
        bar.set_message(name.to_string());
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    timings.insert("read", stage.elapsed().as_secs_f64());

    let counts = IssueCounts::of(&ingested.issues);
    if ingested.data.activities.is_empty() {
        return Err(Failure::new(
            exit::NO_INPUT,
            format!(
                "no usable input: no activity register row was accepted from `{}` ({} issues; run `peer-eval validate` to see them)",
                args.common.input.display(),
                ingested.issues.len()
            ),
        ));
    }
    if args.strict && counts.error > 0 {
        return Err(Failure::new(
            exit::STRICT_ERRORS,
            format!(
                "--strict: {} error-level data issues; nothing was published. Run `peer-eval validate` to see them.",
                counts.error
            ),
        ));
    }

    let spinner = stage_spinner(interactive, "computing indicators");
    let stage = Instant::now();
    let results = indicators::compute(&ingested.data, &config, &period);
    timings.insert("indicators", stage.elapsed().as_secs_f64());

    spinner.set_message("writing the workbook and the HTML report");
    let stage = Instant::now();
    let input = ReportInput { results: &results, config: &config, files: &ingested.files, issues: &ingested.issues };
    let mut files = report::render(&input).map_err(|m| Failure::new(exit::USAGE, m))?;
    timings.insert("render", stage.elapsed().as_secs_f64());
    timings.insert("total_before_publish", started.elapsed().as_secs_f64());
    let report = RunReport {
        version: env!("CARGO_PKG_VERSION"),
        config_digest: config.digest(),
        period: &period,
        inputs: &ingested.files,
        timings: timings.clone(),
        issue_counts: counts,
        issues: &ingested.issues,
    };
    files.push((PathBuf::from("run.json"), to_sorted_json(&report)));

    spinner.set_message("publishing");
    let target = publish::publish(&args.output, &period.label, &files).map_err(|err| {
        Failure::new(
            exit::OUTPUT,
            format!(
                "cannot write the reports under `{}`: {err}. Earlier reports were left as they were.",
                args.output.display()
            ),
        )
    })?;
    spinner.finish_and_clear();
    if args.verbose && !args.quiet {
        for (stage, seconds) in &timings {
            eprintln!("  {stage:<22} {seconds:>8.3} s");
        }
    }
    if interactive {
        let (files, _, _, accepted, rejected) = super::validate::totals(&ingested.files);
        eprintln!(
            "published {} — {files} files, {accepted} rows accepted, {rejected} rejected; issues: {} errors, {} warnings, {} notes — {:.1} s",
            target.display(),
            counts.error,
            counts.warning,
            counts.info,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(exit::OK)
}

/// A spinner naming the current stage on a terminal; hidden otherwise.
fn stage_spinner(interactive: bool, message: &str) -> ProgressBar {
    if !interactive {
        return ProgressBar::hidden();
    }
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("valid template"));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    spinner.set_message(message.to_string());
    spinner
}
