//! SPEC §13: the figures a funder's evaluation adds, each worked out by hand from
//! a small register, survey, follow-up and needs fixture.

use serde_json::Value;

use crate::common::*;

/// A1 training (2 days, 10 people, 2 000 EUR, in person), A2 study visit (3 days,
/// 5 people, 3 000 EUR, online, "done"), A3 postponed, A4 cancelled, A5 planned,
/// A6 delivered with 0 participants and 500 EUR.
fn fixture() -> Workdir {
    let work = Workdir::new();
    work.config("[privacy]\nmin_group_size = 2\n");
    let header = vec![
        T("activity_id"),
        T("type"),
        T("start_date"),
        T("end_date"),
        T("participants"),
        T("cost_eur"),
        T("format"),
        T("status"),
        T("participating_countries"),
        T("phases"),
    ];
    let a = |id, kind, start: (u16, u8, u8), end: (u16, u8, u8), n: V, cost: V, format, status, country, phase| {
        vec![
            T(id),
            T(kind),
            D(start.0, start.1, start.2),
            D(end.0, end.1, end.2),
            n,
            cost,
            T(format),
            T(status),
            T(country),
            T(phase),
        ]
    };
    work.xlsx(
        "register.xlsx",
        &[(
            "Activities",
            vec![
                header,
                a(
                    "A1",
                    "training",
                    (2019, 1, 10),
                    (2019, 1, 11),
                    N(10.0),
                    N(2000.0),
                    "in person",
                    "",
                    "Germany",
                    "reception",
                ),
                a(
                    "A2",
                    "study_visit",
                    (2019, 2, 1),
                    (2019, 2, 3),
                    N(5.0),
                    N(3000.0),
                    "online",
                    "done",
                    "France",
                    "selection_mission",
                ),
                a(
                    "A3",
                    "training",
                    (2019, 3, 1),
                    (2019, 3, 1),
                    N(4.0),
                    B,
                    "in person",
                    "postponed",
                    "Italy",
                    "reception",
                ),
                a("A4", "training", (2019, 4, 1), (2019, 4, 1), B, B, "in person", "cancelled", "Italy", "reception"),
                a("A5", "training", (2019, 5, 1), (2019, 5, 1), B, B, "in person", "scheduled", "Italy", "reception"),
                a(
                    "A6",
                    "study_visit",
                    (2019, 6, 1),
                    (2019, 6, 1),
                    N(0.0),
                    N(500.0),
                    "in person",
                    "delivered",
                    "Spain",
                    "reception",
                ),
            ],
        )],
    );
    let r = |id, activity, org, overall: f64| vec![T(id), T(activity), T(org), T("operational"), N(overall)];
    let f = |activity, months: V, shared, applied| vec![T(activity), months, T(shared), T(applied)];
    work.xlsx(
        "surveys.xlsx",
        &[
            (
                "Responses",
                vec![
                    vec![T("response_id"), T("activity_id"), T("org_type"), T("role_level"), T("overall_satisfaction")],
                    r("R1", "A1", "state", 5.0),
                    r("R2", "A1", "state", 4.0),
                    r("R3", "A1", "civil_society", 4.0),
                    r("R4", "A1", "state", 3.0),
                    r("R5", "A1", "NGO", 5.0),
                    r("R6", "A3", "state", 1.0),
                ],
            ),
            (
                "Follow-ups",
                vec![
                    vec![T("activity_id"), T("months_after"), T("shared_internally"), T("applied")],
                    f("A1", N(2.0), "yes", "yes"),
                    f("A1", N(3.0), "no", "no"),
                    f("A1", N(6.0), "yes", "partly"),
                    f("A2", N(12.0), "yes", ""),
                    f("A2", N(18.0), "", ""),
                    f("A2", B, "no", ""),
                    // A follow-up of a postponed activity is kept but counts nowhere.
                    f("A3", N(1.0), "yes", "yes"),
                ],
            ),
            (
                "Needs",
                vec![
                    vec![T("country"), T("phase"), T("priority")],
                    vec![T("Germany"), T("reception"), N(1.0)],
                    vec![T("France"), T("selection_mission"), N(2.0)],
                    vec![T("France"), T("reception"), N(1.0)],
                    vec![T("Germany"), T("reception"), N(3.0)],
                ],
            ),
        ],
    );
    work
}

fn published(work: &Workdir) -> Value {
    let out = work.run(&["run", "--quiet"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    work.indicators("all")
}

fn group(ind: &Value, id: &str, breakdown: &str, key: &str) -> Value {
    ind["indicators"][id]["breakdowns"][breakdown][key].clone()
}

#[test]
fn only_delivered_activities_count_and_the_delivery_rate() {
    let work = fixture();
    let ind = published(&work);
    // A1, A2, A6.
    assert_eq!(value(&ind, "activities_total"), 3.0);
    // Delivered A1, A2, A6 of delivered + postponed (A3) + cancelled (A4); A5 is planned.
    assert_close(value(&ind, "delivery_rate"), 0.6, "delivery");
    assert_eq!(ind["indicators"]["delivery_rate"]["n"], 5);
    // Training: A1 of A1, A3, A4; study visits: A2 and A6.
    assert_close(
        group(&ind, "delivery_rate", "activity_type", "training")["value"].as_f64().unwrap(),
        1.0 / 3.0,
        "training",
    );
    assert_eq!(group(&ind, "delivery_rate", "activity_type", "study_visit")["value"], 1.0);
    // R6 answers the postponed A3: rejected.
    let run = work.run_json("all");
    let issue = run["issues"].as_array().unwrap().iter().find(|i| i["code"] == "activity_not_delivered").unwrap();
    assert_eq!(issue["row"], 7);
    assert!(issue["message"].as_str().unwrap().contains("postponed"));
}

#[test]
fn cost_per_participant_day() {
    let ind = published(&fixture());
    // (2 000 + 3 000) / (10 × 2 + 5 × 3); A6 has no participants, A3 no cost.
    assert_close(value(&ind, "cost_per_participant_day_eur"), 5000.0 / 35.0, "cost per day");
    assert_eq!(ind["indicators"]["cost_per_participant_day_eur"]["n"], 2);
    assert_eq!(group(&ind, "cost_per_participant_day_eur", "format", "in_person")["value"], 100.0);
    assert_eq!(group(&ind, "cost_per_participant_day_eur", "format", "online")["value"], 200.0);
}

#[test]
fn follow_ups_by_horizon_and_shared_internally() {
    let ind = published(&fixture());
    // Yes: F1, F3, F4 of the five that answered (F5 did not).
    assert_close(value(&ind, "shared_internally_rate"), 0.6, "shared");
    assert_eq!(ind["indicators"]["shared_internally_rate"]["n"], 5);
    // 0–3 months: F1 yes, F2 no; 4–6 and 7–12 one answer each, under the group size 2.
    let early = group(&ind, "shared_internally_rate", "months_after", "0-3");
    assert_eq!((early["value"].as_f64(), early["n"].as_u64()), (Some(0.5), Some(2)));
    let mid = group(&ind, "shared_internally_rate", "months_after", "4-6");
    assert_eq!((mid["suppressed"].as_bool(), mid["n"].as_u64()), (Some(true), Some(1)));
    // F5 (18 months) did not answer: no 13+ group.
    assert!(group(&ind, "shared_internally_rate", "months_after", "13+").is_null());
    // Applied: yes, no, partly over A1's three.
    assert_close(
        group(&ind, "applied_learning_rate", "activity", "A1")["value"].as_f64().unwrap(),
        2.0 / 3.0,
        "applied",
    );
}

#[test]
fn response_breakdowns_by_organisation_type_and_format() {
    let ind = published(&fixture());
    // State: 5, 4, 3 (top two: 2 of 3); civil society: 4 and 5 (NGO is an alias).
    let state = group(&ind, "satisfaction_top2", "respondent_org_type", "state");
    assert_close(state["value"].as_f64().unwrap(), 2.0 / 3.0, "state");
    assert_eq!(group(&ind, "satisfaction_top2", "respondent_org_type", "civil_society")["value"], 1.0);
    assert_eq!(group(&ind, "satisfaction_top2", "respondent_role_level", "operational")["n"], 5);
    assert_close(group(&ind, "satisfaction_top2", "format", "in_person")["value"].as_f64().unwrap(), 0.8, "format");
}

#[test]
fn high_priority_needs() {
    let ind = published(&fixture());
    // High priority: (DE, reception) and (FR, reception); A1 brings Germany to reception.
    assert_close(value(&ind, "high_priority_needs_met_rate"), 0.5, "high priority");
    assert_eq!(ind["indicators"]["high_priority_needs_met_rate"]["n"], 2);
}

#[test]
fn results_against_plan_and_the_tracking_table() {
    let work = fixture();
    work.config(concat!(
        "[privacy]\nmin_group_size = 2\n",
        "[targets.activities_total]\ntarget = 4\nbaseline = 1\n",
        "[targets.cost_per_participant_day_eur]\ntarget = 100\ndirection = \"at_most\"\nbaseline = 150\n",
        "[targets.nps]\ntarget = 0\n",
    ));
    let ind = published(&work);
    let total = &ind["indicators"]["activities_total"];
    // 3 of 4; 3 − 1.
    assert_eq!((total["baseline"].as_f64(), total["percent_of_target"].as_f64()), (Some(1.0), Some(0.75)));
    assert_eq!(total["change_from_baseline"], 2.0);
    let cost = &ind["indicators"]["cost_per_participant_day_eur"];
    assert_close(cost["percent_of_target"].as_f64().unwrap(), 5000.0 / 35.0 / 100.0, "percent");
    assert_close(cost["change_from_baseline"].as_f64().unwrap(), 5000.0 / 35.0 - 150.0, "change");
    // 142.9 is over 100 + 10 % at most: not met.
    assert_eq!(cost["status"], "not_met");
    // A target of 0 has no percentage; no baseline, no change.
    let nps = &ind["indicators"]["nps"];
    assert!(nps["percent_of_target"].is_null() && nps["baseline"].is_null() && nps["change_from_baseline"].is_null());
    // Indicators without a target carry none of the three.
    assert!(ind["indicators"]["delivery_rate"].get("baseline").is_none());
    // The tracking table: one row per target, each calendar year of the data (2019 only).
    let tracking = ind["tracking"].as_array().unwrap();
    assert_eq!(tracking.len(), 3);
    let row = tracking.iter().find(|r| r["indicator"] == "activities_total").unwrap();
    assert_eq!(row["years"]["2019"], 3);
    // 3 is under 4 − 10 %: not met.
    assert_eq!((row["value"].as_f64(), row["status"].as_str()), (Some(3.0), Some("not_met")));
}

#[test]
fn the_six_criteria_list_their_indicators() {
    let work = fixture();
    let ind = published(&work);
    let criteria = ind["criteria"].as_object().unwrap();
    assert_eq!(criteria.len(), 6);
    assert_eq!(criteria["coherence"], serde_json::json!(["goal_alignment_rate", "phases_covered"]));
    assert!(criteria["relevance"].as_array().unwrap().contains(&Value::from("likert.agenda_relevance")));
    // `[criteria]` replaces one criterion's list; an unknown indicator is a configuration error.
    work.config("[criteria]\nimpact = [\"applied_learning_rate\"]\n");
    let ind = published(&work);
    assert_eq!(ind["criteria"]["impact"], serde_json::json!(["applied_learning_rate"]));
    assert_eq!(ind["criteria"]["coherence"], serde_json::json!(["goal_alignment_rate", "phases_covered"]));
    work.config("[criteria]\nimpact = [\"happiness\"]\n");
    assert_eq!(code(&work.run(&["run", "--quiet"])), 2);
}

/// The fixture with targets, a programme, a narrative and `--compare previous`:
/// the report a funder reads, rendered by headless Chromium.
#[test]
fn the_evaluation_sections_render_in_a_browser() {
    let work = fixture();
    work.config(concat!(
        "[privacy]\nmin_group_size = 2\n",
        "[report]\ntitle = \"Peer exchange evaluation\"\nprogramme = \"Test programme\"\nfunder = \"AMIF\"\ngrant = \"GA-123\"\n",
        "[targets.activities_total]\ntarget = 4\nbaseline = 1\n",
    ));
    std::fs::write(
        work.path().join("config/narrative.md"),
        "## Relevance\n\nNeeds were **met**. <script>alert(1)</script>\n\n## Recommendations\n\n- Keep going\n\n## Venue\n\nNice.\n",
    )
    .unwrap();
    let out = work.run(&["run", "--quiet", "--period", "2019", "--compare", "previous"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let run = work.run_json("2019");
    assert!(run["issues"].as_array().unwrap().iter().any(|i| i["code"] == "narrative_heading"));
    let report = work.path().join("output/2019/report.html");
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(!html.contains("<script>alert"), "narrative HTML is escaped");
    let Some(dom) = crate::reports::dump_dom(&work, &report) else { return };
    for needle in [
        "id=\"plan\"",
        "id=\"criteria\"",
        "id=\"criterion-sustainability\"",
        "id=\"horizons\"",
        "id=\"pipeline\"",
        "Test programme",
        "funded by AMIF",
        "grant GA-123",
        "Needs were <strong>met</strong>",
        "Keep going",
        "Peer exchange evaluation",
    ] {
        assert!(dom.contains(needle), "{needle} is not in the rendered report");
    }
    // Planned A5 first, then postponed A3, then cancelled A4.
    let (a5, a3, a4) = (dom.find(">A5<").unwrap(), dom.find(">A3<").unwrap(), dom.find(">A4<").unwrap());
    assert!(a5 < a3 && a3 < a4);
    // 2019 against 2018 (no activities): no change can be judged, so none is called better.
    assert!(!dom.contains("(worse)"));
    // The workbook's Summary names the programme; its title is report.title.
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(work.path().join("output/2019/evaluation.xlsx")).unwrap();
    use calamine::Reader;
    let summary = wb.worksheet_range("Summary").unwrap();
    assert_eq!(summary.get((0, 0)), Some(&calamine::Data::String("Peer exchange evaluation".into())));
    assert_eq!(summary.get((1, 0)), Some(&calamine::Data::String("Programme: Test programme".into())));
    assert!(wb.sheet_names().contains(&"Pipeline".to_string()));
}

#[test]
fn a_split_report_names_its_project_and_the_main_report_links_to_it() {
    let work = Workdir::new();
    let header = vec![T("activity_id"), T("type"), T("start_date"), T("project")];
    work.xlsx(
        "register.xlsx",
        &[(
            "Activities",
            vec![
                header,
                vec![T("A1"), T("training"), D(2019, 1, 10), T("Resettlement Pilot")],
                vec![T("A2"), T("training"), D(2019, 2, 10), T("Reception/Lab")],
            ],
        )],
    );
    let out = work.run(&["run", "--quiet", "--split-by", "project"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let main = std::fs::read_to_string(work.path().join("output/all/report.html")).unwrap();
    assert!(
        main.contains("href=\"Resettlement_Pilot/report.html\">Resettlement Pilot</a>"),
        "the main report links to it"
    );
    assert!(main.contains("href=\"Reception_Lab/report.html\">Reception/Lab</a>"));
    let split = std::fs::read_to_string(work.path().join("output/all/Resettlement_Pilot/report.html")).unwrap();
    assert!(split.contains("<h1>Peer-learning evaluation — Resettlement Pilot</h1>"));
    assert!(!split.contains("Reports per project"));
}
