//! Test harness: a temporary work folder, workbooks written with rust_xlsxwriter,
//! and the real `peer-eval` binary run inside it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;

/// A cell to write: text, number, a real Excel date, or blank.
#[derive(Clone, Debug)]
pub enum V {
    T(&'static str),
    S(String),
    N(f64),
    D(u16, u8, u8),
    B,
}

pub use V::*;

/// A temporary folder with `input/`, `config/` and `output/`.
pub struct Workdir {
    pub dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Workdir {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("input")).unwrap();
        std::fs::create_dir_all(dir.path().join("config")).unwrap();
        Workdir { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn input(&self, name: &str) -> PathBuf {
        self.path().join("input").join(name)
    }

    pub fn config(&self, text: &str) {
        std::fs::write(self.path().join("config/peer-eval.toml"), text).unwrap();
    }

    /// Write an xlsx with one sheet per `(name, rows)`.
    pub fn xlsx(&self, file: &str, sheets: &[(&str, Vec<Vec<V>>)]) {
        let mut workbook = Workbook::new();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        for (name, rows) in sheets {
            let sheet = workbook.add_worksheet();
            sheet.set_name(*name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, value) in row.iter().enumerate() {
                    let (r, c) = (r as u32, c as u16);
                    match value {
                        T(text) => {
                            sheet.write_string(r, c, *text).unwrap();
                        }
                        S(text) => {
                            sheet.write_string(r, c, text).unwrap();
                        }
                        N(n) => {
                            sheet.write_number(r, c, *n).unwrap();
                        }
                        D(y, m, d) => {
                            let dt = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                            sheet.write_datetime_with_format(r, c, &dt, &date).unwrap();
                        }
                        B => {}
                    }
                }
            }
        }
        workbook.save(self.input(file)).unwrap();
    }

    pub fn write(&self, file: &str, bytes: &[u8]) {
        std::fs::write(self.input(file), bytes).unwrap();
    }

    /// Run the binary with `args` in this folder.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_peer-eval")).args(args).current_dir(self.path()).output().expect("binary runs")
    }

    pub fn indicators(&self, label: &str) -> Value {
        read_json(&self.path().join("output").join(label).join("indicators.json"))
    }

    pub fn run_json(&self, label: &str) -> Value {
        read_json(&self.path().join("output").join(label).join("run.json"))
    }

    /// `validate --json` output.
    pub fn validate(&self) -> (i32, Value) {
        let out = self.run(&["validate", "--json"]);
        let json = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("validate --json is not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
        (out.status.code().unwrap_or(-1), json)
    }
}

pub fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap()
}

pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// `indicators.<id>.value` as f64 (panics when null).
pub fn value(indicators: &Value, id: &str) -> f64 {
    indicators["indicators"][id]["value"].as_f64().unwrap_or_else(|| panic!("{id} is {}", indicators["indicators"][id]))
}

pub fn assert_close(actual: f64, expected: f64, what: &str) {
    assert!((actual - expected).abs() < 1e-9, "{what}: expected {expected}, got {actual}");
}

/// Issues of `validate --json` as (code, file, sheet, row, column) tuples.
pub fn issue_keys(validate: &Value) -> Vec<(String, String, Option<u64>, Option<String>)> {
    validate["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["code"].as_str().unwrap().to_string(),
                i["file"].as_str().unwrap().to_string(),
                i["row"].as_u64(),
                i["column"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// Every file and sheet satisfies rows_read = rows_accepted + rows_rejected + rows_skipped.
pub fn assert_rows_accounted(inputs: &Value) {
    for file in inputs.as_array().unwrap() {
        for sheet in file["sheets"].as_array().unwrap() {
            let read = sheet["rows_read"].as_u64().unwrap();
            let accepted = sheet["rows_accepted"].as_u64().unwrap();
            let rejected = sheet["rows_rejected"].as_u64().unwrap() + sheet["rows_skipped"].as_u64().unwrap();
            assert_eq!(read, accepted + rejected, "{file} {sheet}");
        }
    }
}

/// A copy of the repository's sample `input/` and `config/` in a temporary folder.
pub fn sample_copy() -> Workdir {
    let work = Workdir::new();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["input", "config"] {
        for entry in std::fs::read_dir(repo.join(dir)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), work.path().join(dir).join(entry.file_name())).unwrap();
        }
    }
    work
}

/// The rows of `dataset` that run.json says were accepted, over every file.
pub fn accepted_rows(run: &Value, dataset: &str) -> usize {
    run["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["sheets"].as_array().unwrap())
        .filter(|s| s["dataset"] == dataset)
        .map(|s| s["rows_accepted"].as_u64().unwrap() as usize)
        .sum()
}

/// The project's shared data (acceptance figures, the corpus): `$PEER_EVAL_SHARED`,
/// else `../shared` beside the repository. `None` when absent, which fails the
/// test under `CI=true` (`.ci/run` finds the folder and sets the variable) and
/// skips it, with a message, elsewhere.
pub fn shared() -> Option<PathBuf> {
    let path = std::env::var_os("PEER_EVAL_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    if path.is_dir() {
        return Some(path);
    }
    data_missing(&format!("the shared data folder ({})", path.display()));
    None
}

/// Data a test needs is missing: as [`tool_missing`].
pub fn data_missing(what: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{what} is absent, and CI=true: .ci/run sets PEER_EVAL_SHARED to it");
    }
    eprintln!("SKIPPED: {what} is absent");
}

/// A tool a test needs is missing: under `CI=true` the test fails (CI installs it);
/// elsewhere it is skipped with a message saying what to install.
pub fn tool_missing(what: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{what} is not installed, and CI=true: .ci/run installs it");
    }
    eprintln!("SKIPPED: {what} is not installed");
}
