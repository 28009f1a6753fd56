//! Command-line arguments (clap). Only parsing lives here; `cmd` does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Evaluate peer-learning programmes from spreadsheets: validate the inputs,
/// compute the indicators, publish an Excel workbook and an HTML report.
#[derive(Debug, Parser)]
#[command(name = "peer-eval", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read the inputs, compute every indicator and publish output/<label>/.
    Run(RunArgs),
    /// Check the inputs and list every data issue; publishes nothing.
    Validate(ValidateArgs),
    /// Start a new evaluation folder: commented config, empty input/, one template per dataset.
    Init(InitArgs),
    /// Write a realistic synthetic input folder (for benchmarks and demonstrations).
    Synth(SynthArgs),
    /// Write the validated records as tables for analysts (row-level personal data).
    Export(ExportArgs),
    /// Put several programmes' exports side by side and pooled: portfolio.html, .xlsx and .json.
    Portfolio(PortfolioArgs),
    /// Internal: parse one legacy file in a capped child process.
    #[command(hide = true)]
    ReadWorker(ReadWorkerArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Folder the tables go under, as DIR/programme=<name>/period=<label>/<table>.parquet.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Only activities starting in this period (and the records of those activities).
    #[arg(long, value_name = "P")]
    pub period: Option<String>,
    /// Table format: parquet (typed columns, zstd) or csv.
    #[arg(long, value_name = "FORMAT", default_value = "parquet")]
    pub format: String,
    /// No progress line.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Args)]
pub struct PortfolioArgs {
    /// Configuration file (its taxonomy, Likert items, targets and privacy rule apply to every programme).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Folder portfolio.html, portfolio.xlsx and portfolio.json are written to (other files in it are left alone).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Export folders (written by `peer-eval export`), or folders holding them.
    #[arg(value_name = "EXPORT_DIR", required = true)]
    pub exports: Vec<PathBuf>,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ReadWorkerArgs {
    pub file: PathBuf,
    #[arg(long)]
    pub max_cells: u64,
    #[arg(long)]
    pub max_decompressed_mb: u64,
}

#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Configuration file; when the default is missing, built-in defaults are used.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Folder holding the input spreadsheets.
    #[arg(long, value_name = "DIR", default_value = "input")]
    pub input: PathBuf,
}

impl CommonArgs {
    /// The config path and whether it must exist (it must when given explicitly).
    pub fn config_path(&self) -> (PathBuf, bool) {
        match &self.config {
            Some(path) => (path.clone(), true),
            None => (PathBuf::from("config/peer-eval.toml"), false),
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Folder the reports are published under, as <output>/<label>/.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub output: PathBuf,
    /// Only activities starting in this period: 2019, 2019-Q3, 2019-07 or 2019-07-01..2019-12-31.
    #[arg(long, value_name = "P")]
    pub period: Option<String>,
    /// Add the previous period's figures and the change (`previous`; needs --period).
    #[arg(long, value_name = "WHAT", value_parser = ["previous"])]
    pub compare: Option<String>,
    /// Add figures from the first activity to the end of the period.
    #[arg(long)]
    pub cumulative: bool,
    /// Also write one report per value of this activity column (`project`) under output/<label>/<value>/.
    #[arg(long, value_name = "COLUMN", value_parser = ["project"])]
    pub split_by: Option<String>,
    /// Publish nothing (exit 1) when any row was rejected.
    #[arg(long)]
    pub strict: bool,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
    /// Print stage timings.
    #[arg(long)]
    pub verbose: bool,
    /// Wait for another run on the same output folder instead of exiting with code 4.
    #[arg(long)]
    pub wait: bool,
    /// Also write report.pdf, printed by a headless Chromium (as `report.pdf = true`).
    #[arg(long)]
    pub pdf: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Print the issues and counts as JSON.
    #[arg(long)]
    pub json: bool,
    /// Write, for every input file with issues, a copy with the problem cells marked into DIR.
    #[arg(long, value_name = "DIR")]
    pub annotate: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct SynthArgs {
    /// Folder to write (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Activities in the register.
    #[arg(long, default_value_t = 200)]
    pub activities: usize,
    /// Survey responses in all.
    #[arg(long, default_value_t = 20_000)]
    pub responses: usize,
    /// Files the responses are spread over.
    #[arg(long, default_value_t = 20)]
    pub files: usize,
    /// Random seed: the same seed gives the same files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// Folder to set up (created if missing); existing files are kept.
    pub dir: PathBuf,
}
