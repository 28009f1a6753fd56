//! Figures from an independent implementation of SPEC §6 (`../shared/acceptance`):
//! every field of the expected files must appear with the same value (1e-9).

use serde_json::Value;

use crate::common::{code, shared, stderr, Workdir};

/// Differences between `expected` and `actual`: every expected field must be there.
fn differences(expected: &Value, actual: &Value, path: &str, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                match a.get(key) {
                    Some(got) => differences(value, got, &format!("{path}.{key}"), out),
                    None => out.push(format!("{path}.{key}: missing")),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                differences(x, y, &format!("{path}[{i}]"), out);
            }
        }
        (Value::Number(e), Value::Number(a)) => {
            let (e, a) = (e.as_f64().unwrap(), a.as_f64().unwrap());
            if (e - a).abs() > 1e-9 {
                out.push(format!("{path}: expected {e}, got {a}"));
            }
        }
        (e, a) if e == a => {}
        (e, a) => out.push(format!("{path}: expected {e}, got {a}")),
    }
}

fn check(label: &str, args: &[&str], expected_file: &str) {
    let Some(shared) = shared() else {
        return;
    };
    let case = shared.join("acceptance/public-clean");
    let work = Workdir::new();
    for dir in ["input", "config"] {
        for entry in std::fs::read_dir(case.join(dir)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), work.path().join(dir).join(entry.file_name())).unwrap();
        }
    }
    let out = work.run(args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let expected = crate::common::read_json(&case.join(expected_file));
    let actual = work.indicators(label);
    let mut diffs = Vec::new();
    differences(&expected, &actual, "", &mut diffs);
    assert!(diffs.is_empty(), "{} differences:\n{}", diffs.len(), diffs.join("\n"));
}

#[test]
fn all_periods_match_the_independent_figures() {
    check("all", &["run"], "expected-all.json");
}

#[test]
fn year_2018_matches_the_independent_figures() {
    check("2018", &["run", "--period", "2018"], "expected-2018.json");
}
