//! `indicators.json` (the SPEC §7 contract) and `run.json` (provenance and issues).
//!
//! Both go through `serde_json::Value`, whose maps are sorted, so keys come out
//! sorted whatever the struct field order; floats are written unrounded.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::indicators::Results;
use crate::ingest::InputFile;
use crate::period::Period;
use crate::quality::{Issue, IssueCounts};

/// Pretty JSON with sorted keys and a final newline.
pub fn to_sorted_json<T: Serialize>(value: &T) -> Vec<u8> {
    let value = serde_json::to_value(value).expect("results serialise");
    let mut bytes = serde_json::to_vec_pretty(&value).expect("values serialise");
    bytes.push(b'\n');
    bytes
}

pub fn indicators_json(results: &Results) -> Vec<u8> {
    to_sorted_json(results)
}

/// `run.json`: what was read, how long each stage took, and every issue.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport<'a> {
    pub version: &'static str,
    pub config_digest: String,
    pub period: &'a Period,
    pub inputs: &'a [InputFile],
    /// Seconds per stage.
    pub timings: BTreeMap<&'static str, f64>,
    pub issue_counts: IssueCounts,
    pub issues: &'a [Issue],
}
