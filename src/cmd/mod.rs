//! The subcommands. Each returns `Ok(exit code)` or a [`Failure`] carrying the
//! documented exit code and a message for standard error.

pub mod export;
pub mod run;
pub mod validate;

use std::path::Path;

use crate::cli::CommonArgs;
use crate::config::Config;
use crate::ingest::{self, Ingested};

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
    let (path, required) = common.config_path();
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
