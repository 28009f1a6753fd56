//! The sample `input/` of the repository: its golden `indicators.json`, its
//! deliberate mistakes, and its 2018 figures against the EU-FRANK appendix.

use std::path::{Path, PathBuf};

use crate::common::*;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sample() -> Workdir {
    sample_copy()
}

fn golden(name: &str, actual: &[u8]) {
    let path = repo().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected =
        std::fs::read(&path).unwrap_or_else(|_| panic!("missing {}; run with UPDATE_GOLDEN=1", path.display()));
    assert!(expected == actual, "{} differs from the output; review and rerun with UPDATE_GOLDEN=1", path.display());
}

#[test]
fn sample_indicators_match_the_golden_file() {
    let work = sample();
    let out = work.run(&["run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    golden("sample-all.indicators.json", &std::fs::read(work.path().join("output/all/indicators.json")).unwrap());
}

#[test]
fn reruns_are_byte_identical() {
    let work = sample();
    work.run(&["run"]);
    let first = std::fs::read(work.path().join("output/all/indicators.json")).unwrap();
    work.run(&["run"]);
    let second = std::fs::read(work.path().join("output/all/indicators.json")).unwrap();
    assert!(first == second);
}

#[test]
fn validate_lists_exactly_the_deliberate_mistakes() {
    let work = sample();
    let (status, v) = work.validate();
    assert_eq!(status, 1);
    assert_rows_accounted(&v["inputs"]);
    let got: Vec<(String, String, Option<u64>, Option<String>)> = issue_keys(&v);
    let expected = [
        ("out_of_range", "activities.xlsx", Some(10), Some("E (End)")),
        ("unknown_value", "activities.xlsx", Some(16), Some("B (Type of activity)")),
        ("duplicate_id", "activities.xlsx", Some(28), Some("A (Activity ID)")),
        ("bad_date", "activities.xlsx", Some(29), Some("D (Start)")),
        ("unknown_value", "needs.xlsx", Some(16), Some("A (Country)")),
        ("unknown_value", "programme.ods", Some(5), Some("E (Applied)")),
        ("out_of_range", "responses.xlsx", Some(6), Some("G (Overall satisfaction)")),
        (
            "out_of_range",
            "responses.xlsx",
            Some(9),
            Some("L (How likely are you to recommend this activity to a colleague?)"),
        ),
        ("unknown_activity", "responses.xlsx", Some(178), Some("B (Activity)")),
    ];
    let expected: Vec<_> =
        expected.iter().map(|(c, f, r, col)| (c.to_string(), f.to_string(), *r, col.map(str::to_string))).collect();
    assert_eq!(got, expected);
    for issue in v["issues"].as_array().unwrap() {
        assert!(issue["value"].is_string(), "every issue quotes its value: {issue}");
    }
    let text = String::from_utf8(work.run(&["validate"]).stdout).unwrap();
    assert!(text.contains("did you mean `Small-scale exchange`?"), "{text}");
}

#[test]
fn year_2018_counts_match_the_eu_frank_appendix() {
    let work = sample();
    let out = work.run(&["run", "--period", "2018"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let j = work.indicators("2018");
    // Appendix, 2018: study visits 6 (Beirut), 7 (Istanbul), 8 (Malmö); the small-scale
    // exchange Portugal–Germany (10 April); the head-of-mission meeting (September).
    assert_eq!(value(&j, "activities_total"), 5.0);
    let by_type = &j["indicators"]["activities_total"]["breakdowns"]["activity_type"];
    assert_eq!(by_type["study_visit"]["value"].as_u64(), Some(3));
    assert_eq!(by_type["small_scale_exchange"]["value"].as_u64(), Some(1));
    assert_eq!(by_type["thematic_workshop"]["value"].as_u64(), Some(1));
    let ids: Vec<&str> =
        j["alignment"]["activities"].as_array().unwrap().iter().map(|a| a["activity_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["SS-01", "SV-06", "SV-07", "SV-08", "TW-01"]);
    assert!(Path::new(&work.path().join("output/2018/run.json")).exists());
}
