//! Deliverables written from computed [`Results`]: `evaluation.xlsx`,
//! `report.html` with one page per activity, `indicators.json` and `run.json`.
//! Reports read only the results, the run's file accounting and its issues.

pub mod evaluation;
pub mod html;
pub mod json;
pub mod narrative;
pub mod pdf;
pub mod portfolio;
pub mod svg;
pub mod view;
pub mod xlsx;

use std::path::PathBuf;

use crate::config::Config;
use crate::indicators::Results;
use crate::ingest::InputFile;
use crate::quality::Issue;

/// Everything a report is written from.
pub struct ReportInput<'a> {
    pub results: &'a Results,
    pub config: &'a Config,
    pub files: &'a [InputFile],
    pub issues: &'a [Issue],
    /// The compiled HTML templates.
    pub engine: &'a html::Engine,
    /// The evaluator's words (`narrative.md` beside the config).
    pub narrative: &'a narrative::Narrative,
    /// The project of a `--split-by project` report; for the main report, the
    /// split reports' (project, folder) to link to.
    pub project: Option<&'a str>,
    pub splits: &'a [(String, String)],
}

/// The suppression rule in words, for methodology sections.
pub fn suppression_rule(min_group: usize) -> String {
    if min_group == 0 {
        "Small-group suppression is switched off (privacy.min_group_size = 0): every survey figure is published."
            .to_string()
    } else {
        format!(
            "Privacy: a survey figure (participant survey or follow-up) computed over fewer than {min_group} answers is not published; it reads \"fewer than {min_group} responses\". With secondary suppression on, a figure hidden for the period also hides its cumulative figure, which with the earlier periods' figures would reveal it. Respondent and participant identifiers never appear in the reports, and comments are published only when configured, with e-mail addresses and phone numbers removed."
        )
    }
}

/// Render the workbook, the HTML pages and `indicators.json`, in parallel.
///
/// # Errors
/// A template or workbook error, as a message.
pub fn render(input: &ReportInput) -> Result<Vec<(PathBuf, Vec<u8>)>, RenderError> {
    // The HTML pages take longest; the workbook and indicators.json share the other thread.
    let ((workbook, json), pages) =
        rayon::join(|| (xlsx::workbook(input), json::indicators_json(input.results)), || html::render(input));
    let workbook = workbook?;
    let mut files = vec![(PathBuf::from("indicators.json"), json), (PathBuf::from("evaluation.xlsx"), workbook)];
    files.extend(pages?.into_iter().map(|(path, bytes)| (PathBuf::from(path), bytes)));
    Ok(files)
}

/// Why the reports could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template of `report.templates` is wrong: a configuration error.
    #[error(transparent)]
    Template(#[from] html::TemplateError),
    /// The workbook writer refused: the outputs cannot be written.
    #[error("cannot write the workbook: {0}")]
    Workbook(#[from] rust_xlsxwriter::XlsxError),
}
