//! The robustness corpus (`../shared/corpus/poi`: 724 odd, broken and hostile
//! spreadsheets) dropped beside the valid sample input: the run finishes under a
//! memory cap and a time limit, reports each unusable file, and the figures of the
//! valid data do not change.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// Run the binary under `ulimit -v` (4 GiB) and a 5-minute limit.
fn capped_run(dir: &Path) -> (i32, String) {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v 4194304; exec '{}' run", env!("CARGO_BIN_EXE_peer-eval")))
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            return (status.code().unwrap_or(-1), err);
        }
        if started.elapsed() > Duration::from_secs(300) {
            let _ = child.kill();
            panic!("the run hung for 5 minutes on the corpus");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn corpus_beside_valid_inputs() {
    let Some(shared) = shared() else {
        return;
    };
    let corpus = shared.join("corpus/poi");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = Workdir::new();
    for dir in ["input", "config"] {
        for entry in std::fs::read_dir(repo.join(dir)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), work.path().join(dir).join(entry.file_name())).unwrap();
        }
    }
    let (code, err) = capped_run(work.path());
    assert_eq!(code, 0, "{err}");
    let clean = work.indicators("all");

    let mut dropped = 0;
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), work.input(&entry.file_name().to_string_lossy())).unwrap();
        dropped += 1;
    }
    let (code, err) = capped_run(work.path());
    assert_eq!(code, 0, "{err}");
    assert_eq!(err.matches("panicked").count(), 0, "a reader panicked:\n{err}");
    assert_eq!(work.indicators("all")["indicators"], clean["indicators"], "the corpus changed the figures");
    assert_eq!(work.indicators("all")["matches"], clean["matches"]);

    let run = work.run_json("all");
    let inputs = run["inputs"].as_array().unwrap();
    let issues = run["issues"].as_array().unwrap();
    let unreadable = inputs.iter().filter(|f| f["readable"] == false).count();
    let skipped = issues.iter().filter(|i| i["code"] == "file_skipped").count();
    let read = inputs.len() - unreadable;
    let reported = issues.iter().filter(|i| i["code"] == "unreadable_file").count();
    assert_eq!(unreadable, reported, "every unreadable file has its issue");
    for issue in issues.iter().filter(|i| i["code"] == "unreadable_file") {
        assert!(issue["message"].as_str().unwrap().len() > 30, "{issue}");
    }
    assert_rows_accounted(&run["inputs"]);
    println!(
        "corpus: {dropped} files dropped beside the sample; {read} read, {unreadable} reported unreadable, {skipped} skipped (not a spreadsheet extension); 0 panics, 0 hangs"
    );
}
