//! Reading real files: layouts, aliases, value forms, legacy formats, survey-tool
//! exports, and every issue code with its location.

use serde_json::Value;

use crate::common::*;

fn register_header() -> Vec<V> {
    vec![T("activity_id"), T("type"), T("start_date")]
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).unwrap()
}

#[test]
fn title_rows_aliases_date_forms_ranges_and_country_aliases() {
    let work = Workdir::new();
    work.xlsx(
        "register.xlsx",
        &[(
            "Sheet1",
            vec![
                vec![T("EU-FRANK activity register")],
                vec![],
                vec![
                    T("Activity ID"),
                    T("Type of activity"),
                    T("From"),
                    T("To"),
                    T("Phases covered"),
                    T("Participating states"),
                    T("Host"),
                    T("No. of participants"),
                    T("Colour"),
                ],
                vec![
                    T("A-1"),
                    T("Study visit"),
                    D(2019, 3, 11),
                    T("13 March 2019"),
                    T("2 – 4"),
                    T("the Netherlands; Czechia"),
                    T("UK"),
                    N(4.0),
                    T("red"),
                ],
                vec![
                    T("A-2"),
                    T("STUDY_VISIT"),
                    T("11/03/2019"),
                    T("2019-03-12"),
                    T("phases 5–6"),
                    T("Czech Republic, IOM"),
                    T("USA"),
                    N(3.0),
                ],
                vec![T("A-3"), T("study-visit"), T("11.03.2019"), B, T("1"), T("DE")],
                vec![T("A-4"), T("Thematic workshop"), N(43535.0), B, B, T("Luxemburg")],
            ],
        )],
    );
    let (status, v) = work.validate();
    assert_eq!(status, 0, "{v}");
    let keys = issue_keys(&v);
    // Only the unmapped column is reported.
    assert_eq!(
        keys,
        vec![("column_ignored".to_string(), "register.xlsx".to_string(), Some(3), Some("I (Colour)".to_string()))]
    );
    let sheet = &v["inputs"][0]["sheets"][0];
    assert_eq!(
        (sheet["dataset"].as_str(), sheet["rows_read"].as_u64(), sheet["rows_accepted"].as_u64()),
        (Some("activities"), Some(4), Some(4))
    );

    let out = work.run(&["run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let j = work.indicators("all");
    // All four start on 2019-03-11 (serial 43535 included), so they share 2019-Q1.
    assert_eq!(value(&j, "activities_total"), 4.0);
    // A-1 covers 2, 3, 4; A-2 covers 5, 6; A-3 covers 1: every phase.
    assert_eq!(value(&j, "phases_covered"), 6.0);
    // NL CZ GB | CZ US | DE | LU (IOM is an organisation).
    assert_eq!(value(&j, "countries_reached"), 6.0);
    // A-1 lasts 3 days (11–13 March), A-2 two days: 4 × 3 + 3 × 2.
    assert_eq!(value(&j, "participant_days"), 18.0);
    assert_eq!(
        j["indicators"]["activities_total"]["breakdowns"]["activity_type"]["study_visit"]["value"].as_u64(),
        Some(3)
    );
}

#[test]
fn merged_title_cells_and_blank_columns_are_tolerated() {
    let work = Workdir::new();
    let path = work.input("merged.xlsx");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Activities").unwrap();
    let plain = rust_xlsxwriter::Format::new();
    sheet.merge_range(0, 0, 0, 4, "Register 2019 (merged title)", &plain).unwrap();
    // Header in row 3 with a blank column B between the columns.
    for (c, h) in [(0, "activity_id"), (2, "type"), (3, "start_date"), (4, "goals")] {
        sheet.write_string(2, c, h).unwrap();
    }
    sheet.write_string(3, 0, "M-1").unwrap();
    sheet.write_string(3, 2, "training").unwrap();
    sheet.write_string(3, 3, "2019-05-01").unwrap();
    sheet.merge_range(4, 0, 4, 4, "", &plain).unwrap();
    sheet.write_string(5, 0, "M-2").unwrap();
    sheet.write_string(5, 2, "mentoring").unwrap();
    sheet.write_string(5, 3, "2019-06-01").unwrap();
    sheet.write_string(5, 4, "Operational").unwrap();
    workbook.save(&path).unwrap();
    let (status, v) = work.validate();
    assert_eq!(status, 0, "{v}");
    let sheet = &v["inputs"][0]["sheets"][0];
    assert_eq!((sheet["rows_read"].as_u64(), sheet["rows_accepted"].as_u64()), (Some(2), Some(2)));
}

#[test]
fn legacy_xls_and_ods_files_are_read() {
    let work = Workdir::new();
    work.write("legacy_register.xls", &fixture("legacy_register.xls"));
    work.write("survey_responses.ods", &fixture("survey_responses.ods"));
    let (status, v) = work.validate();
    assert_eq!(status, 0, "{v}");
    assert_rows_accounted(&v["inputs"]);
    let out = work.run(&["run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let j = work.indicators("all");
    assert_eq!(value(&j, "activities_total"), 2.0);
    // L-01 covers 2–4 (en dash), L-02 covers 6.
    assert_eq!(value(&j, "phases_covered"), 4.0);
    // L-01: 8 people × 3 days; L-02: 12 × 1.
    assert_eq!(value(&j, "participant_days"), 36.0);
    // Two satisfaction labels (5 and 4) and an N/A; threshold 5 suppresses them.
    assert_eq!(j["indicators"]["satisfaction_top2"]["n"].as_u64(), Some(2));
    assert_eq!(j["indicators"]["satisfaction_top2"]["suppressed"], true);
}

#[test]
fn google_forms_export_maps_with_config_and_file_name() {
    let work = Workdir::new();
    work.config(
        r#"
[input]
activity_from = "survey_(?P<id>[A-Z]+-[0-9]+)"

[privacy]
min_group_size = 0

[columns.responses]
overall_satisfaction = ["Overall, how satisfied were you with the activity?"]
recommend = ["How likely is it that you would recommend this event to a colleague?"]
country = ["Which country do you work for?"]
"#,
    );
    work.xlsx(
        "register.xlsx",
        &[("Activities", vec![register_header(), vec![T("SV-01"), T("study visit"), D(2019, 5, 2)]])],
    );
    work.xlsx(
        "survey_SV-01 (Responses).xlsx",
        &[(
            "Form Responses 1",
            vec![
                vec![
                    T("Timestamp"),
                    T("Overall, how satisfied were you with the activity?"),
                    T("How likely is it that you would recommend this event to a colleague?"),
                    T("Which country do you work for?"),
                ],
                vec![T("5/3/2019 10:02:11"), T("Very satisfied"), N(9.0), T("Netherlands")],
                vec![T("5/3/2019 11:40:51"), T("Satisfied"), N(6.0), T("Germany")],
                vec![T("5/4/2019 08:12:00"), T("Neutral"), N(10.0), T("Belgium")],
            ],
        )],
    );
    let (status, v) = work.validate();
    assert_eq!(status, 0, "{v}");
    let out = work.run(&["run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let j = work.indicators("all");
    assert_eq!(j["indicators"]["satisfaction_top2"]["n"].as_u64(), Some(3));
    assert_close(value(&j, "satisfaction_top2"), 2.0 / 3.0, "top2");
    // 9 passive? no: 9 promoter, 6 detractor, 10 promoter → 100 × (2/3 − 1/3).
    assert_close(value(&j, "nps"), 100.0 / 3.0, "nps");
    assert_eq!(
        j["indicators"]["satisfaction_top2"]["breakdowns"]["respondent_country"]["DE"]["value"].as_f64(),
        Some(1.0)
    );
}

#[test]
fn wide_needs_questionnaire() {
    let work = Workdir::new();
    work.xlsx(
        "register.xlsx",
        &[(
            "Activities",
            vec![
                vec![T("activity_id"), T("type"), T("start_date"), T("participating_countries"), T("phases")],
                vec![T("A"), T("workshop"), D(2018, 1, 1), T("Bulgaria"), T("4")],
            ],
        )],
    );
    work.xlsx(
        "needs.xlsx",
        &[(
            "Questionnaire",
            vec![
                vec![T("Needs questionnaire, December 2017")],
                vec![
                    T("Country"),
                    T("Identification & referral"),
                    T("2"),
                    T("Pre-departure orientation"),
                    T("Reception"),
                ],
                vec![T("Bulgaria"), B, T("x"), N(1.0), T("no")],
                vec![T("Croatia"), T("yes"), B, B, N(3.0)],
            ],
        )],
    );
    let (status, v) = work.validate();
    assert_eq!(status, 0, "{v}");
    let needs = v["inputs"].as_array().unwrap().iter().find(|f| f["path"] == "needs.xlsx").unwrap();
    assert_eq!(needs["sheets"][0]["dataset"], "needs");
    let out = work.run(&["run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let j = work.indicators("all");
    // BG: selection_mission, pre_departure; HR: identification_referral, reception.
    assert_eq!(value(&j, "needs_expressed"), 4.0);
    // Only BG pre_departure is met by activity A.
    assert_close(value(&j, "needs_met_rate"), 0.25, "met");
}

/// Codes present in `validate --json`, with their severities.
fn codes(v: &Value) -> Vec<(String, String)> {
    v["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["code"].as_str().unwrap().into(), i["severity"].as_str().unwrap().into()))
        .collect()
}

#[test]
fn every_issue_code_with_its_place_and_fix() {
    let work = Workdir::new();
    work.xlsx(
        "register.xlsx",
        &[
            (
                "Activities",
                vec![
                    vec![
                        T("activity_id"),
                        T("type"),
                        T("start_date"),
                        T("end_date"),
                        T("participants"),
                        T("goals"),
                        T("Goals"),
                    ],
                    vec![T("A1"), T("Study vist"), D(2019, 1, 10), D(2019, 1, 5), N(-3.0), T("informational")],
                    vec![T("A1"), T("training"), D(2019, 2, 1)],
                    vec![T("A2"), T("training"), T("31/02/2019")],
                    vec![B, T("training"), D(2019, 2, 1)],
                    vec![T("A3"), T("training"), D(2019, 2, 1), B, T("many")],
                ],
            ),
            ("Notes", vec![vec![T("Some notes for the team")]]),
        ],
    );
    work.xlsx(
        "answers.xlsx",
        &[(
            "Responses",
            vec![
                vec![T("activity_id"), T("overall_satisfaction"), T("recommend"), T("intent_to_apply")],
                vec![T("A1"), N(7.0), N(11.0), T("perhaps")],
                vec![T("A9"), N(4.0)],
            ],
        )],
    );
    work.xlsx("orphan.xlsx", &[("Form1", vec![vec![T("overall_satisfaction")], vec![N(4.0)]])]);
    work.xlsx(
        "no_type.xlsx",
        &[("Activities", vec![vec![T("activity_id"), T("start_date")], vec![T("B1"), D(2019, 1, 1)]])],
    );
    work.write("broken.xlsx", b"PK\x03\x04 this is not really a workbook");
    work.write("notes.txt", b"not a spreadsheet");
    work.write("~$register.xlsx", b"lock file");
    work.write(".hidden.xlsx", b"hidden");
    let (status, v) = work.validate();
    assert_eq!(status, 1);
    assert_rows_accounted(&v["inputs"]);
    let found = codes(&v);
    for (code, severity) in [
        ("unknown_value", "warning"),
        ("out_of_range", "warning"),
        ("bad_number", "warning"),
        ("duplicate_id", "error"),
        ("bad_date", "error"),
        ("missing_required", "error"),
        ("duplicate_column", "warning"),
        ("sheet_ignored", "info"),
        ("unknown_activity", "error"),
        ("no_activity", "error"),
        ("missing_column", "error"),
        ("unreadable_file", "error"),
        ("file_skipped", "info"),
    ] {
        assert!(
            found.contains(&(code.to_string(), severity.to_string())),
            "{code} ({severity}) missing from {found:?}"
        );
    }
    // Lock and hidden files are skipped silently.
    assert!(!v["issues"].as_array().unwrap().iter().any(|i| i["file"].as_str().unwrap().contains('~')));
    assert!(!v["inputs"].as_array().unwrap().iter().any(|f| f["path"].as_str().unwrap().starts_with('.')));
    // The typo gets a suggestion, the date a fix, each at its cell.
    let issue = |code: &str| {
        v["issues"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == code && i["file"] == "register.xlsx")
            .unwrap()
            .clone()
    };
    let typo = issue("unknown_value");
    assert_eq!((typo["row"].as_u64(), typo["column"].as_str()), (Some(2), Some("B (type)")));
    assert!(typo["message"].as_str().unwrap().contains("did you mean `Study visit`?"), "{typo}");
    let date = issue("bad_date");
    assert_eq!(
        (date["row"].as_u64(), date["column"].as_str(), date["value"].as_str()),
        (Some(4), Some("C (start_date)"), Some("31/02/2019"))
    );
    assert!(date["message"].as_str().unwrap().contains("2019-03-11"));
    let register = &v["inputs"].as_array().unwrap().iter().find(|f| f["path"] == "register.xlsx").unwrap()["sheets"][0];
    // A1, A3 accepted; the second A1, A2 (bad date), the blank id rejected.
    assert_eq!(
        (register["rows_read"].as_u64(), register["rows_accepted"].as_u64(), register["rows_rejected"].as_u64()),
        (Some(5), Some(2), Some(3))
    );
    let broken = v["inputs"].as_array().unwrap().iter().find(|f| f["path"] == "broken.xlsx").unwrap();
    assert_eq!(broken["readable"], false);

    // The run still publishes from the good rows.
    let out = work.run(&["run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(value(&work.indicators("all"), "activities_total"), 2.0);
    // --strict refuses to publish over the same errors.
    let strict = work.run(&["run", "--strict", "--output", "strict-out"]);
    assert_eq!(code(&strict), 1);
    assert!(!work.path().join("strict-out/all").exists());
}

#[test]
fn a_corrupt_file_beside_valid_ones_changes_nothing_else() {
    let work = Workdir::new();
    work.xlsx("register.xlsx", &[("Activities", vec![register_header(), vec![T("A"), T("training"), D(2019, 1, 1)]])]);
    work.run(&["run"]);
    let before = work.indicators("all");
    for (name, bytes) in [
        ("empty.xlsx", &b""[..]),
        ("truncated.xlsx", &b"PK\x03\x04\x14\x00"[..]),
        ("text.xls", &b"just text"[..]),
        ("garbage.ods", &b"\x00\x01\x02"[..]),
        ("binary.csv", &b"a,b\x00c"[..]),
    ] {
        work.write(name, bytes);
    }
    let out = work.run(&["run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(work.indicators("all"), before);
    let run = work.run_json("all");
    let unreadable = run["issues"].as_array().unwrap().iter().filter(|i| i["code"] == "unreadable_file").count();
    assert_eq!(unreadable, 5);
}

#[test]
fn repeats_across_files_are_rejected_in_file_order() {
    let work = Workdir::new();
    work.xlsx(
        "a_register.xlsx",
        &[("Activities", vec![register_header(), vec![T("A"), T("training"), D(2019, 1, 1)]])],
    );
    let answers = |ids: &[&'static str]| {
        let mut rows = vec![vec![T("response_id"), T("activity_id"), T("recommend")]];
        rows.extend(ids.iter().map(|id| vec![T(id), T("A"), N(9.0)]));
        rows
    };
    work.xlsx("b_first.xlsx", &[("Responses", answers(&["R1", "R2"]))]);
    work.xlsx("c_second.xlsx", &[("Responses", answers(&["R3", "R1"]))]);
    work.xlsx(
        "d_profiles.xlsx",
        &[(
            "Countries",
            vec![
                vec![T("country"), T("experience")],
                vec![T("NL"), T("experienced")],
                // The same country again in the same sheet, written another way.
                vec![T("the Netherlands"), T("new")],
            ],
        )],
    );
    work.xlsx(
        "e_profiles.xlsx",
        &[("Countries", vec![vec![T("country"), T("experience")], vec![T("Netherlands"), T("new")]])],
    );
    let (_, v) = work.validate();
    assert_rows_accounted(&v["inputs"]);
    let duplicates: Vec<_> = issue_keys(&v).into_iter().filter(|k| k.0 == "duplicate_id").collect();
    assert_eq!(
        duplicates,
        vec![
            ("duplicate_id".to_string(), "c_second.xlsx".to_string(), Some(3), Some("A (response_id)".to_string())),
            ("duplicate_id".to_string(), "d_profiles.xlsx".to_string(), Some(3), Some("A (country)".to_string())),
            ("duplicate_id".to_string(), "e_profiles.xlsx".to_string(), Some(2), Some("A (country)".to_string())),
        ]
    );
    let second = v["inputs"].as_array().unwrap().iter().find(|f| f["path"] == "c_second.xlsx").unwrap();
    assert_eq!(
        (second["sheets"][0]["rows_accepted"].as_u64(), second["sheets"][0]["rows_rejected"].as_u64()),
        (Some(1), Some(1))
    );
}

#[test]
fn dates_in_a_1904_workbook() {
    let work = Workdir::new();
    let path = work.input("mac.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Activities").unwrap();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in ["activity_id", "type", "start_date"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "M-1").unwrap();
    ws.write_string(1, 1, "training").unwrap();
    // 2019-03-11 is serial 42073 in the 1904 system (43535 − 1462).
    ws.write_number_with_format(1, 2, 42073.0, &date).unwrap();
    wb.save(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("xl/workbook.xml").unwrap(), &mut xml).unwrap();
    let xml = if xml.contains("<workbookPr") {
        xml.replacen("<workbookPr", "<workbookPr date1904=\"1\"", 1)
    } else {
        xml.replacen("<bookViews>", "<workbookPr date1904=\"1\"/><bookViews>", 1)
    };
    crate::hostile::replace_part(&path, "xl/workbook.xml", xml.as_bytes());
    let out = work.run(&["run", "--period", "2019-03"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let j = work.indicators("2019-03");
    assert_eq!(value(&j, "activities_total"), 1.0, "the 1904 serial lands on 11 March 2019");
}

#[test]
fn rejected_responses_are_not_counted_even_with_the_register_last() {
    // Responses are counted while files are read, before the register (here the
    // last file) is known; rows the merge rejects must leave no trace in the figures.
    let work = Workdir::new();
    work.config("[privacy]\nmin_group_size = 1\npublish_comments = true\n");
    let header = || vec![T("response_id"), T("activity_id"), T("recommend"), T("comments")];
    let row = |id: &'static str, activity: &'static str, score: f64, comment: &'static str| {
        vec![T(id), T(activity), N(score), T(comment)]
    };
    work.xlsx(
        "a_answers.xlsx",
        &[(
            "Responses",
            vec![
                header(),
                row("R1", "A", 9.0, "zq-first"),
                row("R2", "X", 10.0, "zq-unknown"),
                row("R3", "A", 0.0, "zq-third"),
            ],
        )],
    );
    work.xlsx(
        "b_answers.xlsx",
        &[("Responses", vec![header(), row("R1", "A", 0.0, "zq-repeat"), row("R4", "A", 10.0, "zq-fourth")])],
    );
    work.xlsx(
        "z_register.xlsx",
        &[("Activities", vec![register_header(), vec![T("A"), T("training"), D(2019, 1, 1)]])],
    );
    let (_, v) = work.validate();
    assert_rows_accounted(&v["inputs"]);
    // The sheets hold `recommend` only: each also gets a `no_likert_items` warning.
    let errors: Vec<_> =
        issue_keys(&v).into_iter().filter(|k| k.0 != "column_ignored" && k.0 != "no_likert_items").collect();
    assert_eq!(
        errors,
        vec![
            (
                "unknown_activity".to_string(),
                "a_answers.xlsx".to_string(),
                Some(3),
                Some("B (activity_id)".to_string())
            ),
            ("duplicate_id".to_string(), "b_answers.xlsx".to_string(), Some(2), Some("A (response_id)".to_string())),
        ]
    );
    let out = work.run(&["run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let indicators = work.indicators("all");
    // Kept: R1 (9), R3 (0), R4 (10): promoters 2, detractors 1 of 3 → 100 × (2/3 − 1/3).
    assert_eq!(indicators["indicators"]["nps"]["n"], 3);
    assert_close(value(&indicators, "nps"), 100.0 / 3.0, "nps");
    let page = std::fs::read_to_string(work.path().join("output/all/activities/A.html")).unwrap();
    let comments = ["zq-first", "zq-unknown", "zq-third", "zq-repeat", "zq-fourth"];
    let shown: Vec<&str> = comments.into_iter().filter(|c| page.contains(c)).collect();
    assert_eq!(shown, ["zq-first", "zq-third", "zq-fourth"]);
    assert!(page.find("zq-first") < page.find("zq-third") && page.find("zq-third") < page.find("zq-fourth"));
}
