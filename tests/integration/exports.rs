//! Survey-tool exports shaped like the real ones, each mapped with the config lines
//! documented in docs/survey-exports.md.

use crate::common::*;

fn register(work: &Workdir) {
    work.xlsx(
        "register.xlsx",
        &[(
            "Activities",
            vec![
                vec![T("activity_id"), T("type"), T("start_date")],
                vec![T("TW-05"), T("thematic_workshop"), D(2020, 6, 9)],
            ],
        )],
    );
}

/// Runs, checks there is no warning or error, and returns indicators.json.
fn run_clean(work: &Workdir) -> serde_json::Value {
    let (status, v) = work.validate();
    assert_eq!(status, 0, "{}", v["issues"]);
    let bad: Vec<_> = v["issues"].as_array().unwrap().iter().filter(|i| i["severity"] != "info").collect();
    assert!(bad.is_empty(), "{bad:?}");
    let out = work.run(&["run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    work.indicators("all")
}

#[test]
fn microsoft_forms_export() {
    let work = Workdir::new();
    register(&work);
    work.config(
        r#"
[input]
activity_from = "(?P<id>[A-Z]+-[0-9]+)"

[privacy]
min_group_size = 0

[columns.responses]
overall_satisfaction = ["How satisfied are you with the workshop overall?"]
recommend = ["How likely are you to recommend this workshop to a colleague?"]
"#,
    );
    let header = vec![
        T("ID"),
        T("Start time"),
        T("Completion time"),
        T("Email"),
        T("Name"),
        T("How satisfied are you with the workshop overall?"),
        T("How likely are you to recommend this workshop to a colleague?"),
    ];
    // Microsoft Forms writes real date-time cells.
    let row = |id: f64, sat: &'static str, rec: f64| {
        vec![N(id), D(2020, 6, 9), D(2020, 6, 9), T("anonymous"), B, T(sat), N(rec)]
    };
    work.xlsx(
        "Feedback TW-05(1-3).xlsx",
        &[(
            "Sheet1",
            vec![header, row(1.0, "Very satisfied", 10.0), row(2.0, "Satisfied", 8.0), row(3.0, "Dissatisfied", 5.0)],
        )],
    );
    let j = run_clean(&work);
    assert_close(value(&j, "satisfaction_top2"), 2.0 / 3.0, "top2");
    // One promoter (10), one passive (8), one detractor (5).
    assert_close(value(&j, "nps"), 0.0, "nps");
    let html = std::fs::read_to_string(work.path().join("output/all/report.html")).unwrap();
    assert!(!html.contains("anonymous"), "the Email column is never published");
}

#[test]
fn kobotoolbox_export_with_group_prefixes() {
    let work = Workdir::new();
    register(&work);
    work.config("[privacy]\nmin_group_size = 0\n");
    work.xlsx(
        "kobo_TW-05.xlsx",
        &[(
            "Feedback",
            vec![
                vec![
                    T("start"),
                    T("end"),
                    T("activity_id"),
                    T("group_feedback/overall_satisfaction"),
                    T("group_feedback/recommend"),
                    T("group_profile/country"),
                    T("_id"),
                    T("_uuid"),
                    T("_submission_time"),
                ],
                vec![
                    T("2020-06-09T10:00:00"),
                    T("2020-06-09T10:05:00"),
                    T("TW-05"),
                    N(5.0),
                    N(9.0),
                    T("Finland"),
                    N(101.0),
                    T("a1"),
                    T("2020-06-09T10:05:01"),
                ],
                vec![
                    T("2020-06-09T11:00:00"),
                    T("2020-06-09T11:05:00"),
                    T("TW-05"),
                    N(3.0),
                    N(6.0),
                    T("Croatia"),
                    N(102.0),
                    T("a2"),
                    T("2020-06-09T11:05:01"),
                ],
            ],
        )],
    );
    let j = run_clean(&work);
    assert_close(value(&j, "satisfaction_top2"), 0.5, "top2");
    assert_eq!(
        j["indicators"]["satisfaction_top2"]["breakdowns"]["respondent_country"]["FI"]["value"].as_f64(),
        Some(1.0)
    );
}

#[test]
fn surveymonkey_export_with_two_header_rows() {
    let work = Workdir::new();
    register(&work);
    work.config(
        r#"
[input]
activity_from = "(?P<id>[A-Z]+-[0-9]+)"

[privacy]
min_group_size = 0

[columns.responses]
overall_satisfaction = ["Please rate the workshop - Overall satisfaction"]
agenda_relevance = ["Please rate the workshop - Relevance of the agenda"]
recommend = ["How likely is it that you would recommend this workshop to a colleague?"]
intent_to_apply = ["Will you apply what you learned?"]
"#,
    );
    work.xlsx(
        "TW-05 feedback (SurveyMonkey).xlsx",
        &[(
            "Sheet",
            vec![
                vec![
                    T("Respondent ID"),
                    T("Collector ID"),
                    T("Start Date"),
                    T("End Date"),
                    T("IP Address"),
                    T("Email Address"),
                    T("Please rate the workshop"),
                    B,
                    T("How likely is it that you would recommend this workshop to a colleague?"),
                    T("Will you apply what you learned?"),
                ],
                vec![
                    B,
                    B,
                    B,
                    B,
                    B,
                    B,
                    T("Overall satisfaction"),
                    T("Relevance of the agenda"),
                    T("Response"),
                    T("Response"),
                ],
                vec![
                    N(114.0),
                    N(9.0),
                    T("06/09/2020"),
                    T("06/09/2020"),
                    T("10.0.0.1"),
                    B,
                    T("Strongly agree"),
                    T("Agree"),
                    N(10.0),
                    T("Yes"),
                ],
                vec![
                    N(115.0),
                    N(9.0),
                    T("06/09/2020"),
                    T("06/09/2020"),
                    T("10.0.0.2"),
                    B,
                    T("Neutral"),
                    T("Agree"),
                    N(7.0),
                    T("No"),
                ],
            ],
        )],
    );
    let j = run_clean(&work);
    assert_close(value(&j, "satisfaction_top2"), 0.5, "top2");
    assert_eq!(j["likert"]["agenda_relevance"]["overall"]["n"].as_u64(), Some(2));
    assert_close(value(&j, "intent_to_apply_rate"), 0.5, "intent");
    let run = work.run_json("all");
    let sheet = &run["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().contains("SurveyMonkey"))
        .unwrap()["sheets"][0];
    assert_eq!(sheet["rows_read"].as_u64(), Some(2), "the answer-option row is part of the header");
}
