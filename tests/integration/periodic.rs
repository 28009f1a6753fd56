//! Periodic reporting: the previous period, cumulative figures, trends and one
//! report per project, on the hand-computed fixture of `figures.rs`
//! (A1 2019-03-10, A2 2019-09-30, A3 2019-10-01, A4 2020-01-15).

use serde_json::{json, Value};

use crate::common::*;
use crate::figures::fixture;

fn run(work: &Workdir, args: &[&str], label: &str) -> Value {
    let out = work.run(args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    work.indicators(label)
}

#[test]
fn previous_quarter_across_the_year_boundary_and_an_empty_quarter() {
    let work = fixture();
    let j = run(&work, &["run", "--period", "2019-Q1", "--compare", "previous"], "2019-Q1");
    let total = &j["indicators"]["activities_total"];
    // Q1 2019 holds A1; Q4 2018 holds nothing: a count of 0, so the change is +1.
    assert_eq!(total["previous"], json!({"label": "2018-Q4", "value": 0, "n": 0, "suppressed": false}));
    assert_eq!(total["change"].as_f64(), Some(1.0));
    // A1's three headline answers 5, 4, 2; no answers at all before.
    let top2 = &j["indicators"]["satisfaction_top2"];
    assert_close(top2["value"].as_f64().unwrap(), 2.0 / 3.0, "Q1");
    assert_eq!(top2["previous"], json!({"label": "2018-Q4", "value": null, "n": 0, "suppressed": false}));
    assert_eq!(top2["change"], Value::Null);
}

#[test]
fn last_day_of_a_quarter_belongs_to_it_and_cumulative_runs_to_the_end() {
    let work = fixture();
    let j = run(&work, &["run", "--period", "2019-Q4", "--compare", "previous", "--cumulative"], "2019-Q4");
    let total = &j["indicators"]["activities_total"];
    assert_eq!(total["value"].as_u64(), Some(1), "A3 only");
    // A2 starts on 30 September, the last day of Q3.
    assert_eq!(total["previous"]["value"].as_u64(), Some(1));
    assert_eq!(total["cumulative"], json!({"label": "up to 2019-12-31", "value": 3, "n": 3, "suppressed": false}));
    // A3 had 0 participants, A2 had 5.
    assert_eq!(j["indicators"]["participants_total"]["change"].as_f64(), Some(-5.0));
}

#[test]
fn suppressed_in_one_period_and_not_the_other() {
    let work = fixture();
    work.config("[privacy]\nmin_group_size = 3\n");
    // 275 days from 1 April 2019 (A2, A3: answers 4 and 3) against the 275 days
    // before (2018-06-30..2019-03-31: A1, answers 5, 4, 2).
    let j = run(
        &work,
        &["run", "--period", "2019-04-01..2019-12-31", "--compare", "previous", "--cumulative"],
        "2019-04-01_2019-12-31",
    );
    let top2 = &j["indicators"]["satisfaction_top2"];
    assert_eq!(
        (top2["value"].clone(), top2["suppressed"].clone(), top2["n"].as_u64()),
        (Value::Null, json!(true), Some(2))
    );
    assert_eq!(top2["previous"]["label"], "2018-06-30_2019-03-31");
    assert_eq!(top2["previous"]["suppressed"], false);
    assert_close(top2["previous"]["value"].as_f64().unwrap(), 2.0 / 3.0, "previous");
    assert_eq!(top2["change"], Value::Null, "no change against a suppressed value");
    // Cumulative to 31 December 2019: all five answers, 3 in the top two.
    assert_close(top2["cumulative"]["value"].as_f64().unwrap(), 0.6, "cumulative");
}

#[test]
fn compare_needs_a_period() {
    let work = fixture();
    let out = work.run(&["run", "--compare", "previous"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--period"));
}

#[test]
fn trends_per_quarter_with_gaps() {
    let work = fixture();
    let j = run(&work, &["run"], "all");
    let trends = &j["trends"];
    // 2019-Q1 to 2020-Q1: five quarters, including the empty 2019-Q2.
    assert_eq!(trends["quarters"], json!(["2019-Q1", "2019-Q2", "2019-Q3", "2019-Q4", "2020-Q1"]));
    assert_eq!(trends["series"]["activities_total"], json!([1.0, 0.0, 1.0, 1.0, 1.0]));
    // Q1: 2/3; Q2 no data; Q3 and Q4 one answer each (suppressed at 2); Q1 2020 none.
    let top2 = trends["series"]["satisfaction_top2"].as_array().unwrap();
    assert_close(top2[0].as_f64().unwrap(), 2.0 / 3.0, "Q1");
    assert!(top2[1..].iter().all(Value::is_null));
    let xlsx = work.path().join("output/all/evaluation.xlsx");
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    use calamine::Reader;
    let sheet = wb.worksheet_range("Trends").unwrap();
    assert_eq!(sheet.get_value((2, 0)), Some(&calamine::Data::String("2019-Q2".into())));
    assert!(
        matches!(sheet.get_value((3, 4)), None | Some(calamine::Data::Empty)),
        "the suppressed Q3 cell is blank, a gap in the chart"
    );
}

#[test]
fn one_report_per_project_sums_back_to_the_whole() {
    let work = Workdir::new();
    work.xlsx(
        "register.xlsx",
        &[
            (
                "Activities",
                vec![
                    vec![T("activity_id"), T("type"), T("start_date"), T("participants"), T("project")],
                    vec![T("P1"), T("training"), D(2019, 1, 1), N(4.0), T("Alpha")],
                    vec![T("P2"), T("training"), D(2019, 2, 1), N(6.0), T("Beta/Gamma")],
                    vec![T("P3"), T("training"), D(2019, 3, 1), N(5.0), T("Alpha")],
                    vec![T("P4"), T("training"), D(2019, 4, 1), N(7.0)],
                ],
            ),
            (
                "Responses",
                vec![
                    vec![T("activity_id"), T("overall_satisfaction")],
                    vec![T("P1"), N(5.0)],
                    vec![T("P1"), N(4.0)],
                    vec![T("P2"), N(2.0)],
                    vec![T("P3"), N(4.0)],
                    vec![T("P4"), N(3.0)],
                ],
            ),
        ],
    );
    work.config("[privacy]\nmin_group_size = 0\n");
    let all = run(&work, &["run", "--split-by", "project"], "all");
    let part = |folder: &str| read_json(&work.path().join("output/all").join(folder).join("indicators.json"));
    let (alpha, beta, none) = (part("Alpha"), part("Beta_Gamma"), part("no_project"));
    let sum = |id: &str| value(&alpha, id) + value(&beta, id) + value(&none, id);
    assert_eq!(value(&alpha, "activities_total"), 2.0);
    assert_eq!(sum("activities_total"), value(&all, "activities_total"));
    assert_eq!(sum("participants_total"), 22.0);
    let n = |j: &Value| j["indicators"]["satisfaction_top2"]["n"].as_u64().unwrap();
    assert_eq!(n(&alpha) + n(&beta) + n(&none), n(&all));
    // Alpha: 5, 4, 4 → all in the top two.
    assert_eq!(value(&alpha, "satisfaction_top2"), 1.0);
    assert!(work.path().join("output/all/Alpha/report.html").exists());
    assert!(work.path().join("output/all/Alpha/evaluation.xlsx").exists());
}
