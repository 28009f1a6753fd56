//! The subcommands. Each returns `Ok(exit code)` or a [`Failure`] carrying the
//! documented exit code and a message for standard error.

pub mod export;
pub mod portfolio;
pub mod run;
pub mod validate;

use std::path::Path;

use crate::cli::CommonArgs;
use crate::config::Config;
use crate::indicators::{self, Results};
use crate::ingest::{self, Ingested};
use crate::model::Dataset;
use crate::period::Period;

/// Documented exit codes (SPEC §2).
pub mod exit {
    pub const OK: u8 = 0;
    pub const STRICT_ERRORS: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const NO_INPUT: u8 = 3;
    pub const LOCKED: u8 = 4;
    pub const OUTPUT: u8 = 5;
}

/// A failure with its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn new(code: u8, message: impl Into<String>) -> Failure {
        Failure { code, message: message.into() }
    }
}

/// Load the configuration named by the arguments (exit 2 on any problem).
///
/// # Errors
/// A [`Failure`] with exit code 2.
pub fn load_config(common: &CommonArgs) -> Result<Config, Failure> {
    config_at(common.config_path())
}

/// Load the configuration at `path` (which must exist when `required`).
///
/// # Errors
/// A [`Failure`] with exit code 2.
pub fn config_at((path, required): (std::path::PathBuf, bool)) -> Result<Config, Failure> {
    Config::load(&path, required).map_err(|err| Failure::new(exit::USAGE, format!("configuration error: {err}")))
}

/// Read every input file (exit 3 when the input folder cannot be listed).
///
/// # Errors
/// A [`Failure`] with exit code 3.
pub fn read_inputs(input: &Path, config: &Config, on_file: &(dyn Fn(&str) + Sync)) -> Result<Ingested, Failure> {
    ingest::ingest(input, config, on_file).map_err(|err| {
        Failure::new(
            exit::NO_INPUT,
            format!("no usable input: cannot read the input folder `{}`: {err}", input.display()),
        )
    })
}

/// The figures of a period, with the results against plan, and with the previous
/// period and the cumulative figures when asked for (`run` and `portfolio` alike).
pub fn evaluate(data: &Dataset, config: &Config, period: &Period, compare: bool, cumulative: bool) -> Results {
    let mut results = indicators::compute(data, config, period);
    results.tracking = Some(indicators::tracking(data, config, period, &results));
    if compare {
        if let Some(previous) = period.previous() {
            indicators::attach_previous(&mut results, &indicators::compute(data, config, &previous));
        }
    }
    if cumulative {
        let total = indicators::compute(data, config, &period.cumulative());
        indicators::attach_cumulative(&mut results, &total, config.privacy.secondary_suppression);
    }
    results
}
