//! Exit codes and messages for users (SPEC §2).

use crate::common::*;

fn minimal() -> Workdir {
    let work = Workdir::new();
    work.xlsx(
        "register.xlsx",
        &[(
            "Activities",
            vec![vec![T("activity_id"), T("type"), T("start_date")], vec![T("A"), T("training"), D(2019, 1, 1)]],
        )],
    );
    work
}

#[test]
fn config_errors_exit_2_naming_key_and_line() {
    let work = minimal();
    work.config("[privacy]\nmin_group_size = 5\npublish_coments = true\n");
    let out = work.run(&["run"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("line 3") && err.contains("publish_coments"), "{err}");
    let out = work.run(&["run", "--config", "missing.toml"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("missing.toml"));
}

#[test]
fn bad_period_and_arguments_exit_2() {
    let work = minimal();
    let out = work.run(&["run", "--period", "2019-Q5"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("2019-Q3"), "{}", stderr(&out));
    assert_eq!(code(&work.run(&["run", "--no-such-flag"])), 2);
}

#[test]
fn no_register_exits_3() {
    let work = Workdir::new();
    work.xlsx("answers.xlsx", &[("Responses", vec![vec![T("activity_id"), T("recommend")], vec![T("A"), N(9.0)]])]);
    let out = work.run(&["run"]);
    assert_eq!(code(&out), 3);
    assert!(stderr(&out).contains("no activity register row"), "{}", stderr(&out));
    let out = work.run(&["run", "--input", "nowhere"]);
    assert_eq!(code(&out), 3);
}

#[test]
fn a_held_lock_exits_4() {
    let work = minimal();
    std::fs::create_dir_all(work.path().join("output")).unwrap();
    let _lock = peer_eval::publish::lock(&work.path().join("output"), false).unwrap();
    let out = work.run(&["run"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(stderr(&out).contains("--wait"));
}

#[test]
fn an_unwritable_output_exits_5_and_keeps_inputs() {
    let work = minimal();
    let before = std::fs::read(work.input("register.xlsx")).unwrap();
    // A file where the output folder should be.
    std::fs::write(work.path().join("blocked"), b"x").unwrap();
    let out = work.run(&["run", "--output", "blocked"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(stderr(&out).contains("blocked"));
    assert_eq!(std::fs::read(work.input("register.xlsx")).unwrap(), before);
}

#[test]
fn run_json_accounts_for_every_input() {
    let work = minimal();
    let out = work.run(&["run", "--quiet"]);
    assert_eq!(code(&out), 0);
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "quiet run prints nothing");
    let run = work.run_json("all");
    assert_eq!(run["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(run["config_digest"].as_str().unwrap().len(), 64);
    let input = &run["inputs"][0];
    assert_eq!(input["path"], "register.xlsx");
    assert_eq!(input["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(input["sheets"][0]["rows_accepted"].as_u64(), Some(1));
    assert!(run["timings"]["read"].is_number());
}

#[test]
fn a_broken_override_template_exits_2_naming_it() {
    let work = minimal();
    std::fs::create_dir_all(work.path().join("config/templates")).unwrap();
    work.config("[report]\ntemplates = \"config/templates\"\n");
    // Does not parse: the file is named.
    std::fs::write(work.path().join("config/templates/report.hbs"), "{{#if}}").unwrap();
    let out = work.run(&["run"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("template `report.hbs`: "), "{}", stderr(&out));
    // Parses, but names data the page does not have (strict mode).
    std::fs::write(work.path().join("config/templates/report.hbs"), "{{no_such_field}}").unwrap();
    let out = work.run(&["run"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("report template: ") && stderr(&out).contains("no_such_field"), "{}", stderr(&out));
    assert!(!work.path().join("output/all").exists(), "nothing published");
}
