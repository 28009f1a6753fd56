//! `peer-eval run`: read → validate → compute → render → publish, under a lock.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use super::{evaluate, exit, load_config, read_inputs, Failure};
use crate::cli::RunArgs;
use crate::indicators::{self, Results};
use crate::model::Dataset;
use crate::period::Period;
use crate::publish::{self, LockError};
use crate::quality::{Issue, IssueCounts};
use crate::report::html::Engine;
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
    if args.compare.is_some() && args.period.is_none() {
        return Err(Failure::new(exit::USAGE, "--compare previous needs --period (e.g. --period 2019-Q3)"));
    }
    if let Some(jobs) = args.jobs {
        if jobs == 0 {
            return Err(Failure::new(exit::USAGE, "--jobs must be at least 1"));
        }
        // Only the first pool set in a process counts; tests call run() repeatedly.
        // More threads than a few per core only costs memory (--jobs 100000 once started 10 700).
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let jobs = if jobs > 4 * cores {
            eprintln!("warning: --jobs {jobs} is more than 4 per core; using {}", 4 * cores);
            4 * cores
        } else {
            jobs
        };
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
    let total_files =
        crate::ingest::discover(&args.common.input, config.input.follow_links).map(|(f, _)| f.len()).unwrap_or(0);
    let bar = if interactive {
        let bar = ProgressBar::new(total_files as u64);
        bar.set_style(
            ProgressStyle::with_template("reading {bar:30} {pos}/{len} files  {msg}").expect("valid template"),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    // The templates are compiled on the side while the files are read.
    let (engine, ingested) = std::thread::scope(|scope| {
        let engine = scope.spawn(|| Engine::for_config(&config));
        let ingested = read_inputs(&args.common.input, &config, &|name| {
            bar.set_message(name.to_string());
            bar.inc(1);
        });
        (engine.join(), ingested)
    });
    let mut ingested = ingested?;
    bar.finish_and_clear();
    // The evaluator's words, beside the configuration file.
    let config_dir = args.common.config.as_deref().and_then(|p| p.parent()).unwrap_or(std::path::Path::new("config"));
    let (narrative, narrative_issues) = report::narrative::load(&config_dir.join("narrative.md"));
    ingested.issues.extend(narrative_issues);
    timings.insert("read", stage.elapsed().as_secs_f64());

    ingested.issues.extend(output_limits(&ingested.data));
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
    let compare = args.compare.is_some();
    let cumulative = args.cumulative;
    let stage = Instant::now();
    let mut results = evaluate(&ingested.data, &config, &period, compare, cumulative);
    timings.insert("indicators", stage.elapsed().as_secs_f64());
    let stage = Instant::now();
    results.trends = Some(indicators::trends(&ingested.data, &config));
    timings.insert("trends", stage.elapsed().as_secs_f64());

    spinner.set_message("writing the workbook and the HTML report");
    let stage = Instant::now();
    let engine = match engine {
        Ok(compiled) => compiled.map_err(|err| Failure::new(exit::USAGE, err.to_string()))?,
        Err(_) => return Err(Failure::new(exit::USAGE, "the report templates could not be compiled")),
    };
    let split = args.split_by.is_some() || config.report.split_by.is_some();
    let projects = if split { split_by_project(&ingested.data) } else { Vec::new() };
    let links: Vec<(String, String)> =
        projects.iter().map(|(folder, name, _)| (name.clone(), folder.clone())).collect();
    let render = |results: &Results, project: Option<&str>, splits: &[(String, String)], issues: &[Issue]| {
        let input = ReportInput {
            results,
            config: &config,
            files: &ingested.files,
            issues,
            engine: &engine,
            narrative: &narrative,
            project,
            splits,
        };
        report::render(&input).map_err(|err| match err {
            report::RenderError::Template(_) => Failure::new(exit::USAGE, err.to_string()),
            report::RenderError::Workbook(_) => Failure::new(exit::OUTPUT, err.to_string()),
        })
    };
    let mut files = render(&results, None, &links, &ingested.issues)?;
    for (folder, name, subset) in &projects {
        let mut results = evaluate(subset, &config, &period, compare, cumulative);
        results.trends = Some(indicators::trends(subset, &config));
        // A project's report lists the issues of its own activities' rows only.
        let ids: std::collections::HashSet<&str> = subset.activities.iter().map(|a| a.id.as_str()).collect();
        let own: Vec<Issue> = ingested
            .issues
            .iter()
            .filter(|i| i.activity.as_deref().is_some_and(|a| ids.contains(a)))
            .cloned()
            .collect();
        let rendered = render(&results, Some(name), &[], &own)?;
        files.extend(rendered.into_iter().map(|(path, bytes)| (PathBuf::from(folder).join(path), bytes)));
    }
    if args.pdf || config.report.pdf {
        let printed = match report::pdf::browser() {
            None => Err("no Chromium was found; install Debian's `chromium` package (or Google Chrome), or name one in PEER_EVAL_CHROMIUM".to_string()),
            Some(browser) => files
                .iter()
                .find(|(path, _)| path == std::path::Path::new("report.html"))
                .map_or(Err("there is no report to print".to_string()), |(_, html)| report::pdf::print(&browser, html)),
        };
        match printed {
            Ok(pdf) => files.push((PathBuf::from("report.pdf"), pdf)),
            Err(reason) => ingested.issues.push(Issue::file(
                crate::quality::Severity::Warning,
                "pdf_not_written",
                "report.pdf",
                format!("report.pdf was not written: {reason}. Everything else was published."),
            )),
        }
    }
    let counts = IssueCounts::of(&ingested.issues);
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
    let stage = Instant::now();
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
    // Publishing is timed here only: run.json is among the files it writes.
    timings.insert("publish", stage.elapsed().as_secs_f64());
    if args.verbose && !args.quiet {
        for (stage, seconds) in &timings {
            eprintln!("  {stage:<22} {seconds:>8.3} s");
        }
        for file in &ingested.files {
            for note in &file.reader_notes {
                eprintln!("  {}: {note}", file.path);
            }
        }
    }
    if interactive {
        let t = super::validate::totals(&ingested.files);
        eprintln!(
            "published {} — {} files, {} rows accepted, {} rejected, {} skipped; issues: {} errors, {} warnings, {} notes — {:.1} s",
            target.display(),
            t.files,
            t.accepted,
            t.rejected,
            t.skipped,
            counts.error,
            counts.warning,
            counts.info,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(exit::OK)
}

/// Texts longer than an Excel cell holds: the workbook shows them cut (and says so
/// in the cell); one warning each, so that the cut is never silent.
fn output_limits(data: &Dataset) -> Vec<Issue> {
    const CELL_MAX_CHARS: usize = 32_767;
    let mut issues = Vec::new();
    for activity in &data.activities {
        let texts = [
            ("title", &activity.title),
            ("location", &activity.location),
            ("host_org", &activity.host_org),
            ("project", &activity.project),
            ("component", &activity.component),
            ("expected_outcome", &activity.expected_outcome),
        ];
        for (column, text) in texts {
            let Some(text) = text.as_deref().filter(|t| t.chars().count() > CELL_MAX_CHARS) else { continue };
            issues.push(
                Issue::file(
                    crate::quality::Severity::Warning,
                    "output_limit",
                    "evaluation.xlsx",
                    format!(
                        "the {column} of activity `{}` has {} characters, more than an Excel cell holds ({CELL_MAX_CHARS}); the workbook shows it cut. Shorten it in the register.",
                        activity.id,
                        text.chars().count()
                    ),
                )
                .with_value(text),
            );
        }
    }
    issues
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

/// One dataset per value of the activities' `project` (folder name, subset);
/// responses, attendance and follow-ups follow their activity; needs and country
/// profiles are shared.
pub fn split_by_project(data: &Dataset) -> Vec<(String, String, Dataset)> {
    let mut projects: BTreeMap<String, Vec<&crate::model::Activity>> = BTreeMap::new();
    for activity in &data.activities {
        let name = activity.project.clone().unwrap_or_else(|| "no project".to_string());
        projects.entry(name).or_default().push(activity);
    }
    // A folder may never take the name of one of the report's own files.
    let mut used: std::collections::BTreeSet<String> =
        ["activities", "report.html", "evaluation.xlsx", "run.json", "indicators.json", "report.pdf"]
            .map(String::from)
            .into();
    projects
        .into_iter()
        .map(|(name, activities)| {
            let ids: std::collections::HashSet<&str> = activities.iter().map(|a| a.id.as_str()).collect();
            let mut subset = Dataset {
                activities: activities.into_iter().cloned().collect(),
                participants: data
                    .participants
                    .iter()
                    .filter(|p| ids.contains(p.activity_id.as_str()))
                    .cloned()
                    .collect(),
                followups: data.followups.iter().filter(|f| ids.contains(f.activity_id.as_str())).cloned().collect(),
                needs: data.needs.clone(),
                countries: data.countries.clone(),
                responses: Vec::new(),
            };
            crate::ingest::link(&mut subset);
            let base = folder_name(&name);
            let mut folder = base.clone();
            let mut k = 2;
            while !used.insert(folder.to_lowercase()) {
                folder = format!("{base}_{k}");
                k += 1;
            }
            (folder, name, subset)
        })
        .collect()
}

/// A file-system-safe folder name: letters, digits, `-`, `_`, `.`; at most 60 characters.
pub fn folder_name(name: &str) -> String {
    let cleaned: String = name
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' { c } else { '_' })
        .take(60)
        .collect();
    let cleaned = cleaned.trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "project".to_string()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::folder_name;

    #[test]
    fn project_folders_are_safe() {
        assert_eq!(folder_name("EU-FRANK"), "EU-FRANK");
        assert_eq!(folder_name("../../etc"), "_.._etc");
        assert_eq!(folder_name("Résumé 2019/20"), "R_sum__2019_20");
        assert_eq!(folder_name(""), "project");
    }
}
