//! SPEC §12: inputs as people make them. Each test builds a small replica of a
//! real layout (the survey tool's own export, or a register as staff keep it),
//! runs the binary with no `[columns]` aliases, and checks the counts, the issue
//! codes and the figures worked out by hand in the comments.

use serde_json::Value;

use crate::common::*;

/// The register the survey replicas link to: TW-05 (goal informational), and
/// SV-08 whose start date cannot be read, so its row is rejected.
fn register(work: &Workdir) {
    work.xlsx(
        "activities.xlsx",
        &[(
            "Activity register",
            vec![
                vec![
                    T("Activity ID"),
                    T("Type of activity"),
                    T("Title"),
                    T("Start"),
                    T("End"),
                    T("Goals"),
                    T("No. of participants"),
                ],
                vec![
                    T("TW-05"),
                    T("Thematic workshop"),
                    T("Small-scale missions"),
                    D(2020, 6, 9),
                    D(2020, 6, 9),
                    T("informational"),
                    N(20.0),
                ],
                vec![T("SV-08"), T("Study visit"), T("Reception"), T("31/02/2020"), B, T("operational"), N(8.0)],
            ],
        )],
    );
}

fn sheet_counts(run: &Value, file: &str) -> (u64, u64, u64, u64) {
    let input =
        run["inputs"].as_array().unwrap().iter().find(|f| f["path"] == file).unwrap_or_else(|| panic!("{file}"));
    let s = &input["sheets"][0];
    let n = |k: &str| s[k].as_u64().unwrap();
    (n("rows_read"), n("rows_accepted"), n("rows_rejected"), n("rows_skipped"))
}

fn codes(run: &Value, file: &str) -> Vec<String> {
    run["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["file"] == file)
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect()
}

fn published(work: &Workdir) -> (Value, Value) {
    let out = work.run(&["run", "--quiet"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let run = work.run_json("all");
    assert_rows_accounted(&run["inputs"]);
    (work.indicators("all"), run)
}

/// Every file the run published, as one text.
fn all_outputs(work: &Workdir) -> String {
    let mut text = String::new();
    for name in ["indicators.json", "run.json", "report.html"] {
        text.push_str(&std::fs::read_to_string(work.path().join("output/all").join(name)).unwrap());
    }
    text
}

#[test]
fn google_forms_grid_question_and_activity_drop_down_label() {
    let work = Workdir::new();
    register(&work);
    let label = "TW-05 – Small-scale missions (9 June 2020)";
    let header = vec![
        T("Timestamp"),
        T("Email Address"),
        T("Which activity did you attend?"),
        T("Which country do you work for?"),
        T("Please rate the activity [Overall satisfaction]"),
        T("Please rate the activity [Relevance of the agenda]"),
        T("How likely is it that you would recommend this activity to a colleague?"),
        T("What did you hope to get out of this activity?"),
        T("Will you apply what you learned?"),
    ];
    let row = |email: &'static str, overall, relevance, nps: f64, aims, apply| {
        vec![
            T("2020/06/10 9:00:00 AM GMT+2"),
            T(email),
            S(label.to_string()),
            T("Finland"),
            T(overall),
            T(relevance),
            N(nps),
            T(aims),
            T(apply),
        ]
    };
    work.xlsx(
        "Peer-learning feedback TW-05 (Responses).xlsx",
        &[(
            "Form Responses 1",
            vec![
                header,
                row("aino@example.gov", "Agree", "Agree", 7.0, "Motivation to start or expand resettlement", "Yes"),
                row(
                    "b@example.gov",
                    "Strongly agree",
                    "Strongly agree",
                    10.0,
                    "Information about how others do it",
                    "Yes",
                ),
                row(
                    "c@example.gov",
                    "Strongly agree",
                    "Neither agree nor disagree",
                    9.0,
                    "Information about how others do it, Contacts with peers in other countries",
                    "No",
                ),
                row(
                    "d@example.gov",
                    "Neither agree nor disagree",
                    "Agree",
                    6.0,
                    "Motivation to start or expand resettlement",
                    "Partly",
                ),
                row("e@example.gov", "Agree", "N/A", 10.0, "Practical know-how for my daily work", "No"),
                row("f@example.gov", "Disagree", "Agree", 8.0, "Contacts with peers in other countries", "Yes"),
            ],
        )],
    );
    let (ind, run) = published(&work);
    let file = "Peer-learning feedback TW-05 (Responses).xlsx";
    assert_eq!(sheet_counts(&run, file), (6, 6, 0, 0));
    assert_eq!(codes(&run, file).iter().filter(|c| *c == "activity_matched").count(), 1);
    // Overall 4, 5, 5, 3, 4, 2: mean 23/6, top-2 4/6.
    assert_close(value(&ind, "satisfaction_mean"), 23.0 / 6.0, "mean");
    assert_close(value(&ind, "satisfaction_top2"), 4.0 / 6.0, "top2");
    // Recommend 7, 10, 9, 6, 10, 8: promoters 3, detractors 1 of 6.
    assert_close(value(&ind, "nps"), 100.0 * 2.0 / 6.0, "nps");
    // Yes, yes, no, partly, no, yes.
    assert_close(value(&ind, "intent_to_apply_rate"), 4.0 / 6.0, "intent");
    // TW-05 declares `informational`: rows 2 and 3 chose "Information about how others do it".
    assert_close(value(&ind, "aim_match_rate"), 2.0 / 6.0, "aim match");
    // Relevance: 4, 5, 3, 4, 4 (one N/A).
    assert_eq!(ind["likert"]["agenda_relevance"]["overall"]["n"], 5);
    // The respondents' e-mail addresses reach no output.
    assert!(!all_outputs(&work).contains("@example.gov"));
}

#[test]
fn kobotoolbox_xml_values_group_headers_and_multi_select() {
    let work = Workdir::new();
    register(&work);
    let header = vec![
        T("activity"),
        T("feedback/overall_satisfaction"),
        T("recommend"),
        T("participation_aim"),
        T("participation_aim/motivational"),
        T("participation_aim/informational"),
        T("_id"),
        T("_submission_time"),
    ];
    let row = |overall, nps: f64, aims, m: f64, i: f64, id: f64| {
        vec![T("tw_05"), T(overall), N(nps), T(aims), N(m), N(i), N(id), T("2020-06-10T09:00:00")]
    };
    work.xlsx(
        "Peer-learning_feedback_TW-05_-_all_versions_-_False_-_2020-06-15-10-00-00.xlsx",
        &[(
            "Peer-learning feedback TW-05",
            vec![
                header,
                row("strongly_agree", 10.0, "motivational informational", 1.0, 1.0, 1.0),
                // The aims column left blank: the option column still marks `informational`.
                row("agree", 9.0, "", 0.0, 1.0, 2.0),
                row("neutral", 7.0, "motivational", 1.0, 0.0, 3.0),
                row("agree", 8.0, "relational", 0.0, 0.0, 4.0),
                row("strongly_agree", 10.0, "", 0.0, 0.0, 5.0),
                row("na", 5.0, "operational", 0.0, 0.0, 6.0),
            ],
        )],
    );
    let (ind, run) = published(&work);
    let file = "Peer-learning_feedback_TW-05_-_all_versions_-_False_-_2020-06-15-10-00-00.xlsx";
    assert_eq!(sheet_counts(&run, file), (6, 6, 0, 0));
    assert!(codes(&run, file).contains(&"activity_matched".to_string()));
    // Overall 5, 4, 3, 4, 5 (one `na`): top-2 4/5, mean 21/5.
    assert_close(value(&ind, "satisfaction_top2"), 0.8, "top2");
    assert_close(value(&ind, "satisfaction_mean"), 4.2, "mean");
    // Recommend 10, 9, 7, 8, 10, 5: promoters 3, detractors 1 of 6.
    assert_close(value(&ind, "nps"), 100.0 * 2.0 / 6.0, "nps");
    // Aims: {mot, inf}, {inf}, {mot}, {rel}, none, {op}: 2 of the 5 with aims meet `informational`.
    assert_close(value(&ind, "aim_match_rate"), 0.4, "aim match");
}

#[test]
fn qualtrics_three_header_rows_previews_and_unfinished_responses() {
    let work = Workdir::new();
    register(&work);
    let csv = concat!(
        "StartDate,Status,Finished,ResponseId,RecipientEmail,Q1_1,Q2,activity\n",
        "Start Date,Response Type,Finished,Response ID,Recipient Email,Please rate the workshop - Overall satisfaction,How likely are you to recommend this workshop to a colleague?,activity\n",
        "\"{\"\"ImportId\"\":\"\"startDate\"\"}\",\"{\"\"ImportId\"\":\"\"status\"\"}\",\"{\"\"ImportId\"\":\"\"finished\"\"}\",\"{\"\"ImportId\"\":\"\"_recordId\"\"}\",\"{\"\"ImportId\"\":\"\"recipientEmail\"\"}\",\"{\"\"ImportId\"\":\"\"QID1_1\"\"}\",\"{\"\"ImportId\"\":\"\"QID2_NPS_GROUP\"\"}\",\"{\"\"ImportId\"\":\"\"activity\"\"}\"\n",
        "2020-06-10 08:55:00,IP Address,True,R_1,,Agree,9,TW-05\n",
        "2020-06-10 09:55:00,Survey Preview,True,R_2,tester@example.org,Strongly disagree,0,TW-05\n",
        "2020-06-10 10:55:00,IP Address,True,R_3,,Strongly agree,10,TW-05\n",
        "2020-06-10 11:55:00,IP Address,False,R_4,,Strongly disagree,0,TW-05\n",
        "2020-06-10 12:55:00,IP Address,True,R_5,,Agree,8,TW-05\n",
        "2020-06-10 13:55:00,IP Address,True,R_6,,Disagree,3,TW-05\n",
        "2020-06-10 14:55:00,IP Address,True,R_7,,Strongly agree,10,TW-05\n",
    );
    let file = "Workshop+feedback+TW-05_June+15,+2020_10.02.csv";
    work.write(file, csv.as_bytes());
    let (ind, run) = published(&work);
    // Seven rows below the header (the ImportId row is not data): the preview and the
    // unfinished response are skipped.
    assert_eq!(sheet_counts(&run, file), (7, 5, 0, 2));
    assert_eq!(codes(&run, file).iter().filter(|c| *c == "row_skipped").count(), 2);
    // Overall 4, 5, 4, 2, 5: top-2 4/5, mean 4.0.
    assert_close(value(&ind, "satisfaction_top2"), 0.8, "top2");
    assert_close(value(&ind, "satisfaction_mean"), 4.0, "mean");
    // Recommend 9, 10, 8, 3, 10: promoters 3, detractors 1 of 5.
    assert_close(value(&ind, "nps"), 40.0, "nps");
    assert!(!all_outputs(&work).contains("tester@example.org"));
}

#[test]
fn surveymonkey_two_header_rows_and_the_activity_in_the_file_name() {
    let work = Workdir::new();
    register(&work);
    let row =
        |id: f64, overall, relevance, nps: f64| vec![N(id), T("someone@example.gov"), T(overall), T(relevance), N(nps)];
    work.xlsx(
        "Workshop feedback TW-05.xlsx",
        &[(
            "Sheet",
            vec![
                vec![
                    T("Respondent ID"),
                    T("Email Address"),
                    T("Please rate the workshop"),
                    B,
                    T("How likely is it that you would recommend this workshop to a colleague?"),
                ],
                vec![B, B, T("Overall satisfaction"), T("Relevance of the agenda"), T("Response")],
                row(114.0, "Strongly agree", "Agree", 10.0),
                row(115.0, "Strongly agree", "Agree", 9.0),
                row(116.0, "Strongly agree", "Disagree", 9.0),
                row(117.0, "Agree", "Agree", 7.0),
                row(118.0, "Neither agree nor disagree", "Strongly agree", 2.0),
            ],
        )],
    );
    let (ind, run) = published(&work);
    let file = "Workshop feedback TW-05.xlsx";
    assert_eq!(sheet_counts(&run, file), (5, 5, 0, 0));
    let found = codes(&run, file);
    assert!(found.contains(&"activity_matched".to_string()), "{found:?}");
    assert!(!found.contains(&"duplicate_column".to_string()), "`Response` names no column: {found:?}");
    // Overall 5, 5, 5, 4, 3: top-2 4/5, mean 22/5.
    assert_close(value(&ind, "satisfaction_top2"), 0.8, "top2");
    assert_close(value(&ind, "satisfaction_mean"), 4.4, "mean");
    // Recommend 10, 9, 9, 7, 2: promoters 3, detractors 1 of 5.
    assert_close(value(&ind, "nps"), 40.0, "nps");
    assert!(!all_outputs(&work).contains("@example.gov"));
}

#[test]
fn register_with_title_rows_a_total_row_and_notes() {
    let work = Workdir::new();
    let activity = |id, kind, start: (u16, u8, u8), participants: f64, cost: f64| {
        vec![T(id), T(kind), D(start.0, start.1, start.2), T("Belgium, Spain"), N(participants), N(cost)]
    };
    work.xlsx(
        "register_with_totals.xlsx",
        &[(
            "Register",
            vec![
                vec![T("EU-FRANK activity register 2019–2020")],
                vec![T("Maintained by the project secretariat – last update 15/06/2020")],
                vec![],
                vec![
                    T("Activity ID"),
                    T("Type of activity"),
                    T("Start"),
                    T("Participating states"),
                    T("No. of participants"),
                    T("Cost (EUR)"),
                ],
                activity("SV-01", "Study visit", (2019, 3, 3), 6.0, 22026.4),
                activity("SV-02", "Study visit", (2019, 6, 20), 9.0, 18000.0),
                activity("TW-01", "Thematic workshop", (2019, 9, 18), 14.0, 30500.0),
                vec![T("Total"), B, B, B, N(29.0), N(70526.4)],
                vec![],
                vec![T("Note: costs for 2020 are provisional until the final financial report.")],
                vec![T("Source: finance unit, ledger export of 12/06/2020")],
                // A second block, as when a register stacks one table per year.
                vec![T("2020")],
                vec![
                    T("Activity ID"),
                    T("Type of activity"),
                    T("Start"),
                    T("Participating states"),
                    T("No. of participants"),
                    T("Cost (EUR)"),
                ],
                activity("SS-01", "Small-scale exchange", (2020, 2, 10), 3.0, 4100.0),
            ],
        )],
    );
    let (ind, run) = published(&work);
    // Read: 3 activities, Total, 2 notes, `2020`, the repeated header, SS-01 = 9.
    assert_eq!(sheet_counts(&run, "register_with_totals.xlsx"), (9, 4, 0, 5));
    assert_eq!(codes(&run, "register_with_totals.xlsx"), vec!["row_skipped"; 5]);
    assert_eq!(value(&ind, "activities_total"), 4.0);
    // 6 + 9 + 14 + 3: the Total row's 29 is not counted again.
    assert_eq!(value(&ind, "participants_total"), 32.0);
    assert_close(value(&ind, "cost_total_eur"), 22026.4 + 18000.0 + 30500.0 + 4100.0, "cost");
    // --strict publishes: skipped rows are notes, not errors.
    assert_eq!(code(&work.run(&["run", "--strict", "--quiet"])), 0);
}

#[test]
fn dates_in_other_languages_ranges_and_column_order() {
    let work = Workdir::new();
    let header = || vec![T("Activity ID"), T("Type of activity"), T("Start"), T("End"), T("No. of participants")];
    let a = |id, start, end: &'static str| {
        vec![T(id), T("Study visit"), T(start), if end.is_empty() { B } else { T(end) }, N(1.0)]
    };
    work.xlsx(
        "register.xlsx",
        &[(
            "Activities",
            vec![
                header(),
                a("A-1", "3 mars 2019", "5 mars 2019"),
                a("A-2", "3. März 2019", ""),
                a("A-3", "3–5 March 2019", ""),
                a("A-4", "2019/03/03", "03.03.19"),
                // 25/03 can only be day first, so this column is day first: 04/03 is 4 March.
                a("A-5", "25/03/2019", ""),
                a("A-6", "04/03/2019", ""),
            ],
        )],
    );
    // A column with 03/25 is month first: 04/03/2019 is 3 April.
    work.xlsx(
        "register_us.xlsx",
        &[("Activities", vec![header(), a("B-1", "03/25/2019", ""), a("B-2", "04/03/2019", "")])],
    );
    // Both kinds in one column: a warning, and 05/04/2019 read day first (5 April).
    work.xlsx(
        "register_mixed.xlsx",
        &[(
            "Activities",
            vec![header(), a("C-1", "25/03/2019", ""), a("C-2", "03/26/2019", ""), a("C-3", "05/04/2019", "")],
        )],
    );
    let (ind, run) = published(&work);
    assert_eq!(sheet_counts(&run, "register.xlsx"), (6, 6, 0, 0));
    assert_eq!(codes(&run, "register_mixed.xlsx"), vec!["ambiguous_date_order"]);
    // 04/03/2019 read month first against input.date_order: told, once for the column.
    assert_eq!(codes(&run, "register_us.xlsx"), vec!["date_order_inferred"]);
    assert!(codes(&run, "register.xlsx").is_empty());
    // Days: A-1 3, A-2 1, A-3 3, A-4 1, A-5 1, A-6 1, B-1 1, B-2 1, C-1 1, C-2 1, C-3 1.
    assert_eq!(value(&ind, "participant_days"), 15.0);
    let march = |work: &Workdir, period: &str| {
        let out = work.run(&["run", "--quiet", "--period", period]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        value(&work.indicators(period), "activities_total")
    };
    // March: A-1 … A-6, B-1, C-1, C-2; April: B-2, C-3.
    assert_eq!(march(&work, "2019-03"), 9.0);
    assert_eq!(march(&work, "2019-04"), 2.0);
}

#[test]
fn references_to_rejected_unknown_and_ambiguous_activities() {
    let work = Workdir::new();
    register(&work);
    work.xlsx(
        "responses.xlsx",
        &[(
            "Responses",
            vec![
                vec![T("Response ID"), T("Activity"), T("Overall satisfaction")],
                vec![T("R1"), T("TW 5"), N(4.0)],
                vec![T("R2"), T("SV-08"), N(5.0)],
                vec![T("R3"), T("TW-06"), N(3.0)],
            ],
        )],
    );
    let (status, v) = work.validate();
    assert_eq!(status, 1);
    let issues: Vec<&Value> =
        v["issues"].as_array().unwrap().iter().filter(|i| i["file"] == "responses.xlsx").collect();
    let of = |code: &str| issues.iter().find(|i| i["code"] == code).unwrap_or_else(|| panic!("{code}: {issues:?}"));
    assert_eq!(of("activity_matched")["value"], "TW 5");
    let rejected = of("activity_rejected");
    assert_eq!(rejected["row"], 3);
    assert!(rejected["message"].as_str().unwrap().contains("activities.xlsx, sheet Activity register, row 3"));
    let unknown = of("unknown_activity");
    assert_eq!(unknown["row"], 4);
    assert!(unknown["message"].as_str().unwrap().contains("did you mean `TW-05`?"));
    let sheet = &v["inputs"].as_array().unwrap().iter().find(|f| f["path"] == "responses.xlsx").unwrap()["sheets"][0];
    assert_eq!((sheet["rows_accepted"].as_u64(), sheet["rows_rejected"].as_u64()), (Some(1), Some(2)));
}

#[test]
fn scale_labels_are_read_per_column() {
    let work = Workdir::new();
    register(&work);
    let rows = |labels: [&'static str; 5]| -> Vec<Vec<V>> {
        labels.iter().map(|l| vec![T("TW-05"), T(l), T("Agree")]).collect()
    };
    // `Very good` decides the first column: Poor 1, Fair 2, Good 3, Very good 4, Excellent 5.
    let mut first = vec![vec![T("Activity"), T("Quality of the organisation"), T("Met expectations")]];
    first.extend(rows(["Excellent", "Very good", "Good", "Fair", "Poor"]));
    work.xlsx("quality.xlsx", &[("Responses", first)]);
    let (ind, run) = published(&work);
    let quality = &ind["likert"]["organisation_quality"]["overall"];
    assert_eq!(quality["n"], 5);
    assert_close(quality["mean"].as_f64().unwrap(), 3.0, "mean (5+4+3+2+1)/5");
    // The choice is told: `Good` counts 3 here, 4 on the `quality` set.
    assert_eq!(codes(&run, "quality.xlsx"), vec!["scale_inferred"]);

    // Only Poor/Fair/Good/Excellent: undecidable, so the labels are ignored with one warning…
    let work = Workdir::new();
    register(&work);
    let mut second = vec![vec![T("Activity"), T("Quality of the organisation"), T("Met expectations")]];
    second.extend(rows(["Excellent", "Good", "Good", "Fair", "Poor"]));
    second.push(vec![T("TW-05"), N(4.0), T("Agree")]);
    work.xlsx("quality.xlsx", &[("Responses", second.clone())]);
    let (ind, run) = published(&work);
    assert_eq!(codes(&run, "quality.xlsx"), vec!["ambiguous_scale"]);
    // …and the number still counts.
    assert_eq!(ind["likert"]["organisation_quality"]["overall"]["n"], 1);
    assert_eq!(ind["likert"]["met_expectations"]["overall"]["n"], 6);

    // …until [likert.scales] names the set: Excellent 5, Good 4, Good 4, Fair 3, Poor 2, and 4.
    work.config("[likert.scales]\norganisation_quality = \"quality\"\n");
    let (ind, run) = published(&work);
    assert!(codes(&run, "quality.xlsx").is_empty());
    let quality = &ind["likert"]["organisation_quality"]["overall"];
    assert_eq!(quality["n"], 6);
    assert_close(quality["mean"].as_f64().unwrap(), 22.0 / 6.0, "mean");
}

#[test]
fn a_survey_with_no_likert_item_says_so() {
    let work = Workdir::new();
    register(&work);
    let mut rows = vec![vec![
        T("Activity"),
        T("How likely is it that you would recommend this to a friend or colleague?"),
        T("Rate the venue"),
    ]];
    rows.extend((0..5).map(|_| vec![T("TW-05"), N(9.0), T("Great")]));
    work.xlsx("nps.xlsx", &[("Responses", rows)]);
    let (ind, run) = published(&work);
    let issue = run["issues"].as_array().unwrap().iter().find(|i| i["code"] == "no_likert_items").expect("warning");
    assert!(issue["message"].as_str().unwrap().contains("`Rate the venue`"));
    // The NPS wording maps to `recommend`: five promoters.
    assert_close(value(&ind, "nps"), 100.0, "nps");
}

#[test]
fn register_with_one_row_per_activity_and_country() {
    let work = Workdir::new();
    let header = vec![
        T("Activity ID"),
        T("Type of activity"),
        T("Title"),
        T("Start"),
        T("End"),
        T("Host country"),
        T("Participating country"),
        T("No. of participants"),
        T("Cost (EUR)"),
    ];
    let row = |id, kind, title, start: (u16, u8, u8), end: (u16, u8, u8), host, country, n: f64, cost: V| {
        vec![
            T(id),
            T(kind),
            T(title),
            D(start.0, start.1, start.2),
            D(end.0, end.1, end.2),
            T(host),
            T(country),
            N(n),
            cost,
        ]
    };
    let sv = |country, n, cost| {
        row(
            "SV-01",
            "Study visit",
            "Selection mission in Ankara",
            (2019, 3, 3),
            (2019, 3, 5),
            "Belgium",
            country,
            n,
            cost,
        )
    };
    let tw = |title, country, n, cost| {
        row("TW-01", "Thematic workshop", title, (2019, 9, 18), (2019, 9, 19), "Canada", country, n, cost)
    };
    work.xlsx(
        "register_one_row_per_country.xlsx",
        &[(
            "Activities",
            vec![
                header,
                sv("Bulgaria", 3.0, N(11000.0)),
                sv("Lithuania", 3.0, N(11026.4)),
                tw("Head of mission meeting", "Norway", 5.0, N(10000.0)),
                tw("Head of mission meeting", "Finland", 5.0, B),
                // Another title on a later row: rejected, naming both values.
                tw("Heads of mission", "France", 4.0, N(10500.0)),
                row(
                    "SS-01",
                    "Small-scale exchange",
                    "Portugal visits Germany",
                    (2020, 2, 10),
                    (2020, 2, 10),
                    "Germany",
                    "Portugal",
                    3.0,
                    N(4100.0),
                ),
            ],
        )],
    );
    let (ind, run) = published(&work);
    let file = "register_one_row_per_country.xlsx";
    assert_eq!(sheet_counts(&run, file), (6, 5, 1, 0));
    assert_eq!(codes(&run, file), vec!["rows_combined", "rows_combined", "conflicting_value"]);
    let conflict = run["issues"].as_array().unwrap().iter().find(|i| i["code"] == "conflicting_value").unwrap();
    let message = conflict["message"].as_str().unwrap();
    assert!(message.contains("`Heads of mission`") && message.contains("`Head of mission meeting`"), "{message}");
    assert_eq!(value(&ind, "activities_total"), 3.0);
    // SV-01 3 + 3, TW-01 5 + 5 (France's row rejected), SS-01 3.
    assert_eq!(value(&ind, "participants_total"), 19.0);
    // 11000 + 11026.4, 10000 (Finland's row gives no cost), 4100.
    assert_close(value(&ind, "cost_total_eur"), 36126.4, "cost");
    // BG, LT, NO, FI, PT and the hosts BE, CA, DE.
    assert_eq!(value(&ind, "countries_reached"), 8.0);
    // Without a `participating_country` column a repeated id stays an error.
    let work = Workdir::new();
    let header = vec![T("Activity ID"), T("Type of activity"), T("Start")];
    let a = vec![T("SV-01"), T("Study visit"), D(2019, 3, 3)];
    work.xlsx("register.xlsx", &[("Activities", vec![header, a.clone(), a])]);
    let (_, run) = published(&work);
    assert_eq!(codes(&run, "register.xlsx"), vec!["duplicate_id"]);
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).unwrap()
}

/// `register_layout.*`: SV-02's id, type and start are merged over rows 3–4 (one
/// row per country, Italy 4 and Portugal 3); rows 5–6 (TW-01 6, TW-02 2) are
/// hidden. The xlsx was written by openpyxl, the ods and xls by LibreOffice from it.
#[test]
fn hidden_rows_and_merged_cells_in_xlsx_ods_and_xls() {
    for (file, sees_hidden) in
        [("register_layout.xlsx", true), ("register_layout.ods", true), ("register_layout.xls", false)]
    {
        let work = Workdir::new();
        work.write(file, &fixture(file));
        let (ind, run) = published(&work);
        assert_eq!(sheet_counts(&run, file), (6, 6, 0, 0), "{file}");
        let mut expected = vec!["rows_combined"];
        if sees_hidden {
            expected.push("hidden_rows");
        }
        assert_eq!(codes(&run, file), expected, "{file}");
        // 5 + (4 + 3) + 6 + 2 + 1: the merged id gives both of SV-02's rows their activity.
        assert_eq!(value(&ind, "participants_total"), 21.0, "{file}");
        assert_eq!(value(&ind, "activities_total"), 5.0, "{file}");
        if sees_hidden {
            let issue = run["issues"].as_array().unwrap().iter().find(|i| i["code"] == "hidden_rows").unwrap();
            assert_eq!(issue["message"], "rows 5–6 are hidden but were counted; unhide or delete them");
            // Skipped on request: 5 + 7 + 1 over three activities.
            work.config("[input]\nhidden_rows = \"skip\"\n");
            let (ind, run) = published(&work);
            assert_eq!(sheet_counts(&run, file), (6, 4, 0, 2), "{file}");
            assert_eq!(value(&ind, "participants_total"), 13.0, "{file}");
            let issue = run["issues"].as_array().unwrap().iter().find(|i| i["code"] == "hidden_rows").unwrap();
            assert_eq!(issue["severity"], "info");
        }
    }
}

/// The five answers the replicas below share, in each tool's own words.
/// Overall 5, 4, 4, 3, 5: mean 21/5, top-2 4/5. Recommend 10, 9, 6, 8, 10:
/// promoters 3, detractors 1 of 5. Aims {mot, inf}, {inf}, {mot}, none, {rel}: 4
/// answers, under the 5 of `privacy.min_group_size`, so the share is suppressed…
fn assert_shared_figures(ind: &Value) {
    assert_close(value(ind, "satisfaction_mean"), 4.2, "mean");
    assert_close(value(ind, "satisfaction_top2"), 0.8, "top2");
    assert_close(value(ind, "nps"), 40.0, "nps");
    let aims = &ind["indicators"]["aim_match_rate"];
    assert_eq!((aims["n"].as_u64(), aims["suppressed"].as_bool()), (Some(4), Some(true)));
}

/// …and with a group size of 4 it is 2 of 4 (TW-05 declares `informational`).
fn assert_aims_with_smaller_groups(work: &Workdir) {
    work.config("[privacy]\nmin_group_size = 4\n");
    let (ind, _) = published(work);
    assert_close(value(&ind, "aim_match_rate"), 0.5, "aim match");
}

#[test]
fn microsoft_forms_statement_headers_and_semicolon_lists() {
    let work = Workdir::new();
    register(&work);
    let row = |id: f64, overall, nps: f64, aims| {
        vec![
            N(id),
            D(2020, 6, 10),
            D(2020, 6, 10),
            T("someone@example.gov"),
            T("Some One"),
            T("TW-05"),
            T(overall),
            N(nps),
            T(aims),
        ]
    };
    work.xlsx(
        "Workshop feedback(1-5).xlsx",
        &[(
            "Sheet1",
            vec![
                vec![
                    T("ID"),
                    T("Start time"),
                    T("Completion time"),
                    T("Email"),
                    T("Name"),
                    T("Which activity did you attend?"),
                    T("Overall satisfaction"),
                    T("How likely are you to recommend this workshop to a colleague?"),
                    T("What did you hope to get out of this activity?"),
                ],
                row(
                    1.0,
                    "Strongly agree",
                    10.0,
                    "Motivation to start or expand resettlement;Information about how others do it;",
                ),
                row(2.0, "Agree", 9.0, "Information about how others do it;"),
                row(3.0, "Agree", 6.0, "Motivation to start or expand resettlement;"),
                row(4.0, "Neither agree nor disagree", 8.0, ""),
                row(5.0, "Strongly agree", 10.0, "Contacts with peers in other countries;"),
            ],
        )],
    );
    let (ind, run) = published(&work);
    assert_eq!(sheet_counts(&run, "Workshop feedback(1-5).xlsx"), (5, 5, 0, 0));
    assert_shared_figures(&ind);
    assert_aims_with_smaller_groups(&work);
    let text = all_outputs(&work);
    assert!(!text.contains("@example.gov") && !text.contains("Some One"));
}

#[test]
fn limesurvey_full_text_headings_and_yes_no_option_columns() {
    let work = Workdir::new();
    register(&work);
    let header = "\u{feff}\"Response ID\",\"Date submitted\",\"Last page\",\"Start language\",\"Seed\",\"Which activity did you attend?\",\"Please rate the activity [Overall satisfaction]\",\"How likely is it that you would recommend this activity to a friend or colleague?\",\"What did you hope to get out of this activity? [Motivation to start or expand resettlement]\",\"What did you hope to get out of this activity? [Information about how others do it]\",\"What did you hope to get out of this activity? [Contacts with peers in other countries]\"\r\n";
    let rows = [
        "\"1\",\"2020-06-10 09:00:00\",\"3\",\"en\",\"123\",\"TW-05\",\"Strongly agree\",\"10\",\"Yes\",\"Yes\",\"No\"",
        "\"2\",\"2020-06-10 10:00:00\",\"3\",\"en\",\"124\",\"TW-05\",\"Agree\",\"9\",\"No\",\"Yes\",\"No\"",
        "\"3\",\"2020-06-10 11:00:00\",\"3\",\"en\",\"125\",\"TW-05\",\"Agree\",\"6\",\"Yes\",\"No\",\"No\"",
        "\"4\",\"2020-06-10 12:00:00\",\"3\",\"en\",\"126\",\"TW-05\",\"Neither agree nor disagree\",\"8\",\"No\",\"No\",\"No\"",
        "\"5\",\"2020-06-10 13:00:00\",\"3\",\"en\",\"127\",\"TW-05\",\"Strongly agree\",\"10\",\"No\",\"No\",\"Yes\"",
    ];
    work.write("results-survey123456.csv", format!("{header}{}\r\n", rows.join("\r\n")).as_bytes());
    let (ind, run) = published(&work);
    assert_eq!(sheet_counts(&run, "results-survey123456.csv"), (5, 5, 0, 0));
    assert_shared_figures(&ind);
    assert_aims_with_smaller_groups(&work);
}

#[test]
fn odk_central_group_dash_headers_and_select_multiple() {
    let work = Workdir::new();
    register(&work);
    let csv = concat!(
        "SubmissionDate,meta-instanceID,activity,feedback-overall_satisfaction,recommend,participation_aim,KEY,SubmitterID,SubmitterName,AttachmentsPresent,AttachmentsExpected,Status,ReviewState,DeviceID,Edits,FormVersion\n",
        "2020-06-10T09:00:00.000Z,uuid:1,tw_05,strongly_agree,10,motivational informational,uuid:1,5,Alice,0,0,,,,0,1\n",
        "2020-06-10T10:00:00.000Z,uuid:2,tw_05,agree,9,informational,uuid:2,5,Alice,0,0,,approved,,0,1\n",
        "2020-06-10T11:00:00.000Z,uuid:3,tw_05,agree,6,motivational,uuid:3,5,Alice,0,0,,,,0,1\n",
        "2020-06-10T12:00:00.000Z,uuid:4,tw_05,neutral,8,,uuid:4,5,Alice,0,0,,,,0,1\n",
        "2020-06-10T13:00:00.000Z,uuid:5,tw_05,strongly_agree,10,relational,uuid:5,5,Alice,0,0,,,,0,1\n",
    );
    work.write("peer_feedback.csv", csv.as_bytes());
    let (ind, run) = published(&work);
    assert_eq!(sheet_counts(&run, "peer_feedback.csv"), (5, 5, 0, 0));
    assert!(codes(&run, "peer_feedback.csv").contains(&"activity_matched".to_string()));
    assert_shared_figures(&ind);
    assert_aims_with_smaller_groups(&work);
    assert!(!all_outputs(&work).contains("Alice"));
}

#[test]
fn google_forms_csv_download() {
    let work = Workdir::new();
    register(&work);
    let csv = concat!(
        "\"Timestamp\",\"Email address\",\"Which activity did you attend?\",\"Please rate the activity [Overall satisfaction]\",\"How likely is it that you would recommend this activity to a colleague?\",\"What did you hope to get out of this activity?\"\n",
        "\"2020/06/10 9:00:00 AM GMT+2\",\"a@example.gov\",\"TW-05 – Small-scale missions (9 June 2020)\",\"Strongly agree\",\"10\",\"Motivation to start or expand resettlement;Information about how others do it\"\n",
        "\"2020/06/10 10:00:00 AM GMT+2\",\"b@example.gov\",\"TW-05 – Small-scale missions (9 June 2020)\",\"Agree\",\"9\",\"Information about how others do it\"\n",
        "\"2020/06/10 11:00:00 AM GMT+2\",\"c@example.gov\",\"TW-05 – Small-scale missions (9 June 2020)\",\"Agree\",\"6\",\"Motivation to start or expand resettlement\"\n",
        "\"2020/06/10 12:00:00 PM GMT+2\",\"d@example.gov\",\"TW-05 – Small-scale missions (9 June 2020)\",\"Neither agree nor disagree\",\"8\",\"\"\n",
        "\"2020/06/10 1:00:00 PM GMT+2\",\"e@example.gov\",\"TW-05 – Small-scale missions (9 June 2020)\",\"Strongly agree\",\"10\",\"Contacts with peers in other countries\"\n",
    );
    work.write("Peer-learning feedback (Responses) - Form responses 1.csv", csv.as_bytes());
    let (ind, run) = published(&work);
    assert_eq!(sheet_counts(&run, "Peer-learning feedback (Responses) - Form responses 1.csv"), (5, 5, 0, 0));
    assert_shared_figures(&ind);
    assert_aims_with_smaller_groups(&work);
    assert!(!all_outputs(&work).contains("@example.gov"));
}

#[test]
fn register_as_an_excel_table_with_a_configured_summary_label() {
    use rust_xlsxwriter::{Table, TableColumn, Workbook};
    let work = Workdir::new();
    work.config("[input]\nsummary_labels = [\"Gesamt\"]\n");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Register").unwrap();
    sheet.write_string(0, 0, "Activity register (Excel table)").unwrap();
    let rows = [("SV-01", "Study visit", "2019-03-03", 6.0), ("TW-01", "Thematic workshop", "2019-09-18", 14.0)];
    for (i, (id, kind, start, n)) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        sheet.write_string(r, 0, *id).unwrap();
        sheet.write_string(r, 1, *kind).unwrap();
        sheet.write_string(r, 2, *start).unwrap();
        sheet.write_number(r, 3, *n).unwrap();
    }
    sheet.write_string(5, 0, "Gesamt").unwrap();
    sheet.write_number(5, 3, 20.0).unwrap();
    let columns =
        ["Activity ID", "Type of activity", "Start", "No. of participants"].map(|h| TableColumn::new().set_header(h));
    let table = Table::new().set_columns(&columns).set_name("Register2019");
    sheet.add_table(2, 0, 5, 3, &table).unwrap();
    workbook.save(work.input("register_table.xlsx")).unwrap();
    let (ind, run) = published(&work);
    assert_eq!(sheet_counts(&run, "register_table.xlsx"), (3, 2, 0, 1));
    assert_eq!(codes(&run, "register_table.xlsx"), vec!["row_skipped"]);
    assert_eq!(value(&ind, "participants_total"), 20.0);
}

#[test]
fn a_dates_column_and_a_date_order_per_map_entry() {
    let work = Workdir::new();
    // The US office's register: month first for its sheets only.
    work.config(
        "[[input.map]]\nfile = \"register_us*.xlsx\"\ndataset = \"activities\"\ndate_order = \"month_first\"\n",
    );
    let header = vec![T("Activity ID"), T("Type of activity"), T("Dates"), T("No. of participants")];
    let a = |id, dates| vec![T(id), T("Study visit"), T(dates), N(2.0)];
    work.xlsx("register.xlsx", &[("Activities", vec![header.clone(), a("A-1", "04/03/2019 - 06/03/2019")])]);
    work.xlsx("register_us.xlsx", &[("Sheet1", vec![header, a("B-1", "04/03/2019 - 04/05/2019")])]);
    let (ind, run) = published(&work);
    assert_eq!(sheet_counts(&run, "register_us.xlsx"), (1, 1, 0, 0));
    // 4–6 March (3 days); B-1: 3–5 April (3 days): 2 × 3 + 2 × 3.
    assert_eq!(value(&ind, "participant_days"), 12.0);
    let april = work.run(&["run", "--quiet", "--period", "2019-04"]);
    assert_eq!(code(&april), 0);
    assert_eq!(value(&work.indicators("2019-04"), "activities_total"), 1.0);
}

#[test]
fn surveymonkey_csv_has_the_same_two_header_rows() {
    let work = Workdir::new();
    register(&work);
    let csv = concat!(
        "Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,Last Name,Custom Data 1,Please rate the workshop,,How likely is it that you would recommend this workshop to a colleague?\n",
        ",,,,,,,,,Overall satisfaction,Relevance of the agenda,Response\n",
        "114,41,06/10/2020 08:55:00 AM,06/10/2020 09:00:00 AM,192.0.2.1,,,,,Strongly agree,Agree,10\n",
        "115,41,06/10/2020 09:55:00 AM,06/10/2020 10:00:00 AM,192.0.2.2,,,,,Strongly agree,Agree,9\n",
        "116,41,06/10/2020 10:55:00 AM,06/10/2020 11:00:00 AM,192.0.2.3,,,,,Strongly agree,Disagree,9\n",
        "117,41,06/10/2020 11:55:00 AM,06/10/2020 12:00:00 PM,192.0.2.4,,,,,Agree,Agree,7\n",
        "118,41,06/10/2020 12:55:00 PM,06/10/2020 01:00:00 PM,192.0.2.5,,,,,Neither agree nor disagree,Strongly agree,2\n",
    );
    work.write("Workshop feedback TW-05.csv", csv.as_bytes());
    let (ind, run) = published(&work);
    assert_eq!(sheet_counts(&run, "Workshop feedback TW-05.csv"), (5, 5, 0, 0));
    // As the xlsx replica: overall 5, 5, 5, 4, 3 and recommend 10, 9, 9, 7, 2.
    assert_close(value(&ind, "satisfaction_top2"), 0.8, "top2");
    assert_close(value(&ind, "nps"), 40.0, "nps");
    assert!(!all_outputs(&work).contains("192.0.2."));
}

#[test]
fn a_label_set_named_for_an_unknown_item_or_set_is_a_configuration_error() {
    let work = Workdir::new();
    register(&work);
    work.config("[likert.scales]\norganisation_quality = \"quality_very_goood\"\n");
    let out = work.run(&["run", "--quiet"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("quality_very_good"), "{}", stderr(&out));
    work.config("[likert.scales]\nvenue = \"quality\"\n");
    assert_eq!(code(&work.run(&["run", "--quiet"])), 2);
}

#[test]
fn more_merged_ranges_than_can_be_filled_are_reported() {
    use rust_xlsxwriter::{Format, Workbook};
    let work = Workdir::new();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Activities").unwrap();
    for (c, h) in ["Activity ID", "Type of activity", "Start", "Notes"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let plain = Format::new();
    // 10 001 two-row merges in the notes column: one more than is filled.
    for i in 0..10_001u32 {
        let r = 1 + 2 * i;
        for row in [r, r + 1] {
            sheet.write_string(row, 0, format!("A-{row}")).unwrap();
            sheet.write_string(row, 1, "Study visit").unwrap();
            sheet.write_string(row, 2, "2019-03-03").unwrap();
        }
        sheet.merge_range(r, 3, r + 1, 3, "note", &plain).unwrap();
    }
    workbook.save(work.input("register.xlsx")).unwrap();
    let (ind, run) = published(&work);
    assert_eq!(value(&ind, "activities_total"), 20_002.0);
    let merged: Vec<&Value> =
        run["issues"].as_array().unwrap().iter().filter(|i| i["code"] == "merged_cells").collect();
    assert_eq!(merged.len(), 1);
    assert!(merged[0]["message"].as_str().unwrap().starts_with("1 merged range is"));
}
