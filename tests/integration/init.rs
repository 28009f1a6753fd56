//! `peer-eval init`: templates with headers, notes, drop-downs and instructions,
//! never overwriting; templates filled in round-trip through `run` with no issue.

use std::path::Path;

use calamine::{open_workbook, Reader, Xlsx};

use crate::common::*;

fn headers(path: &Path) -> (Vec<String>, Vec<String>) {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let names = wb.sheet_names();
    let range = wb.worksheet_range(&names[0]).unwrap();
    let headers = range.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    (names, headers)
}

#[test]
fn templates_have_headers_notes_lists_and_instructions() {
    let work = Workdir::new();
    let out = work.run(&["init", "project"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let dir = work.path().join("project");
    assert!(dir.join("input").is_dir());
    assert!(std::fs::read_to_string(dir.join("config/peer-eval.toml")).unwrap().contains("[privacy]"));
    for dataset in ["activities", "responses", "participants", "needs", "followups", "countries"] {
        let path = dir.join("templates").join(format!("{dataset}.xlsx"));
        let (names, headers) = headers(&path);
        assert_eq!(names[1..], ["Instructions", "Lists"], "{dataset}");
        assert!(!headers.is_empty());
        let archive = std::fs::File::open(&path).unwrap();
        let mut zip = zip::ZipArchive::new(archive).unwrap();
        let mut sheet = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut sheet).unwrap();
        assert!(sheet.contains("<dataValidation "), "{dataset} has drop-downs");
        assert!(
            zip.file_names().any(|n| n.ok().is_some_and(|n| n.starts_with("xl/comments"))),
            "{dataset} has header notes"
        );
    }
    let (_, activity_headers) = headers(&dir.join("templates/activities.xlsx"));
    assert_eq!(activity_headers[..4], ["activity_id", "type", "title", "start_date"]);
    // A second init keeps every file, even one the user changed.
    std::fs::write(dir.join("config/peer-eval.toml"), "[privacy]\nmin_group_size = 3\n").unwrap();
    let out = work.run(&["init", "project"]);
    assert_eq!(code(&out), 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("kept"));
    assert_eq!(std::fs::read_to_string(dir.join("config/peer-eval.toml")).unwrap(), "[privacy]\nmin_group_size = 3\n");
}

/// Rows for a template, by header: the value to write in each known column.
fn fill(headers: &[String], rows: &[&[(&str, V)]]) -> Vec<Vec<V>> {
    let mut out = vec![headers.iter().map(|h| S(h.clone())).collect::<Vec<_>>()];
    for row in rows {
        out.push(
            headers.iter().map(|h| row.iter().find(|(k, _)| k == h).map(|(_, v)| v.clone()).unwrap_or(B)).collect(),
        );
    }
    out
}

#[test]
fn filled_templates_run_without_a_single_issue() {
    let work = Workdir::new();
    assert_eq!(code(&work.run(&["init", "."])), 0);
    let template = |name: &str| headers(&work.path().join("templates").join(name)).1;
    let activities = fill(
        &template("activities.xlsx"),
        &[
            &[
                ("activity_id", T("SV-1")),
                ("type", T("study_visit")),
                ("start_date", D(2019, 5, 6)),
                ("end_date", D(2019, 5, 8)),
                ("host_country", T("Netherlands")),
                ("participating_countries", T("Bulgaria; Estonia")),
                ("phases", T("2-4")),
                ("goals", T("operational")),
                ("participants", N(6.0)),
                ("cost_eur", N(12000.0)),
            ],
            &[
                ("activity_id", T("TW-1")),
                ("type", T("thematic_workshop")),
                ("start_date", D(2019, 9, 2)),
                ("format", T("online")),
                ("host_country", T("Sweden")),
                ("phases", T("reception")),
                ("participants", N(10.0)),
            ],
        ],
    );
    let responses = fill(
        &template("responses.xlsx"),
        &[
            &[
                ("activity_id", T("SV-1")),
                ("country", T("Bulgaria")),
                ("experience", T("new")),
                ("overall_satisfaction", T("5")),
                ("recommend", N(9.0)),
                ("intent_to_apply", T("yes")),
            ],
            &[
                ("activity_id", T("SV-1")),
                ("country", T("Estonia")),
                ("experience", T("new")),
                ("overall_satisfaction", T("4")),
                ("recommend", N(7.0)),
                ("intent_to_apply", T("partly")),
            ],
            &[
                ("activity_id", T("TW-1")),
                ("country", T("Finland")),
                ("experience", T("experienced")),
                ("overall_satisfaction", T("2")),
                ("recommend", N(3.0)),
                ("intent_to_apply", T("no")),
            ],
        ],
    );
    let needs = fill(
        &template("needs.xlsx"),
        &[&[("country", T("Bulgaria")), ("phase", T("reception")), ("priority", N(1.0))]],
    );
    let countries = fill(
        &template("countries.xlsx"),
        &[&[
            ("country", T("Sweden")),
            ("experience", T("experienced")),
            ("welfare_support_months", N(24.0)),
            ("governance", T("centralised")),
            ("annual_quota", N(5000.0)),
        ]],
    );
    let lists = vec![vec![T("Countries (list)")], vec![T("Netherlands")]];
    let instructions = vec![vec![T("How to fill in the sheet")]];
    for (file, sheet, rows) in [
        ("activities.xlsx", "Activities", activities),
        ("responses.xlsx", "Responses", responses),
        ("needs.xlsx", "Needs", needs),
        ("countries.xlsx", "Country profiles", countries),
    ] {
        work.xlsx(file, &[(sheet, rows), ("Instructions", instructions.clone()), ("Lists", lists.clone())]);
    }
    work.config("[privacy]\nmin_group_size = 0\n");
    let (status, v) = work.validate();
    assert_eq!(status, 0);
    assert_eq!(v["issues"].as_array().unwrap().len(), 0, "{}", v["issues"]);
    let out = work.run(&["run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let j = work.indicators("all");
    assert_eq!(value(&j, "activities_total"), 2.0);
    // Answers 5, 4, 2: two in the top two of three.
    assert_close(value(&j, "satisfaction_top2"), 2.0 / 3.0, "top2");
    // SV-1: 6 people × 3 days; TW-1: 10 × 1.
    assert_eq!(value(&j, "participant_days"), 28.0);
    // Bulgaria's reception need: SV-1 covers phases 2-4 only, TW-1 has no participating countries.
    assert_eq!(value(&j, "needs_met_rate"), 0.0);
    assert_eq!(j["matches"][0]["suggestions"][0]["country"], "SE");
}
