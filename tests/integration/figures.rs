//! Every SPEC §6 figure on a small fixture, with the expected values worked out by
//! hand in the comments (privacy.min_group_size = 2).

use serde_json::Value;

use crate::common::*;

const CONFIG: &str = r#"
[privacy]
min_group_size = 2

[targets.satisfaction_top2]
target = 0.8
tolerance = 0.1

[targets.nps]
target = 0

[targets.cost_per_participant_eur]
target = 380
direction = "at_most"
"#;

/// Four activities, six accepted responses, attendance, follow-ups, needs, profiles.
pub fn fixture() -> Workdir {
    let work = Workdir::new();
    work.config(CONFIG);
    let activities = vec![
        vec![
            T("activity_id"),
            T("type"),
            T("start_date"),
            T("end_date"),
            T("host_country"),
            T("participating_countries"),
            T("phases"),
            T("goals"),
            T("participants"),
            T("cost_eur"),
            T("follow_up"),
        ],
        vec![
            T("A1"),
            T("study_visit"),
            D(2019, 3, 10),
            D(2019, 3, 12),
            T("Germany"),
            T("NL, BG"),
            T("2-3"),
            T("informational, operational"),
            N(10.0),
            N(5000.0),
            T("call"),
        ],
        vec![
            T("A2"),
            T("thematic_workshop"),
            D(2019, 9, 30),
            B,
            T("Sweden"),
            T("Bulgaria; UNHCR"),
            T("4"),
            T("motivational"),
            N(5.0),
            N(1000.0),
            B,
        ],
        vec![
            T("A3"),
            T("conference"),
            D(2019, 10, 1),
            D(2019, 10, 2),
            T("the Netherlands"),
            T("France, Atlantis"),
            T("2"),
            T("operational"),
            N(0.0),
            N(2000.0),
            T("x"),
        ],
        vec![T("A4"), T("other"), D(2020, 1, 15), B, B, T("FR")],
    ];
    let responses = vec![
        vec![
            T("response_id"),
            T("activity_id"),
            T("country"),
            T("experience"),
            T("overall_satisfaction"),
            T("recommend"),
            T("participation_aim"),
            T("intent_to_apply"),
            T("new_contacts"),
        ],
        vec![T("R1"), T("A1"), T("NL"), T("experienced"), N(5.0), N(10.0), T("informational"), T("yes"), N(2.0)],
        vec![T("R2"), T("A1"), T("BG"), T("new"), N(4.0), N(9.0), T("relational"), T("partly"), N(0.0)],
        vec![T("R3"), T("A1"), T("BG"), T("new"), N(2.0), N(6.0), B, T("no"), N(1.0)],
        vec![T("R4"), T("A2"), T("BG"), T("new"), T("Agree"), N(7.0), T("motivational"), T("yes"), B],
        vec![T("R5"), T("A2"), T("SE"), T("experienced"), T("N/A"), N(3.0), T("motivational, relational"), B, N(0.0)],
        vec![T("R6"), T("A3"), T("FR"), T("experienced"), N(3.0), N(8.0), T("operational"), T("partly"), N(4.0)],
        vec![T("R7"), T("ZZ-9"), T("FR"), T("new"), N(1.0), N(0.0)],
    ];
    let attendance = vec![
        vec![T("activity_id"), T("participant_id")],
        vec![T("A1"), T("P1")],
        vec![T("A1"), T("P2")],
        vec![T("A1"), T("P3")],
        vec![T("A2"), T("P1")],
        vec![T("A2"), T("P4")],
        vec![T("A3"), T("P1")],
        vec![T("A3"), T("P2")],
        vec![T("A4"), T("P5")],
        vec![T("ZZ-9"), T("P9")],
        vec![T("A4"), B],
    ];
    let followups = vec![
        vec![T("activity_id"), T("applied"), T("further_contact")],
        vec![T("A1"), T("yes"), T("yes")],
        vec![T("A1"), T("partly"), T("no")],
        vec![T("A2"), T("no"), B],
        vec![T("A3"), B, T("yes")],
    ];
    let needs = vec![
        vec![T("country"), T("phase"), T("priority")],
        vec![T("Bulgaria"), T("selection_mission"), N(1.0)],
        vec![T("Bulgaria"), T("reception"), N(2.0)],
        vec![T("France"), T("selection mission"), N(1.0)],
        vec![T("FR"), T("2"), N(1.0)],
        vec![T("Czechia"), T("pre-departure"), N(3.0)],
    ];
    let countries = vec![
        vec![
            T("country"),
            T("experience"),
            T("experience_reception"),
            T("welfare_support_months"),
            T("governance"),
            T("annual_quota"),
        ],
        vec![T("BG"), T("new"), B, N(18.0), T("centralised"), N(100.0)],
        vec![T("NL"), T("experienced"), B, N(12.0), T("centralised"), N(500.0)],
        vec![T("DE"), T("experienced"), B, N(24.0), T("federal"), N(4600.0)],
        vec![T("SE"), T("emerging"), T("experienced"), N(24.0), T("centralised"), N(5000.0)],
        vec![T("FR"), T("experienced"), B, N(12.0), B, N(3000.0)],
    ];
    work.xlsx(
        "programme.xlsx",
        &[
            ("Activities", activities),
            ("Responses", responses),
            ("Attendance", attendance),
            ("Follow-ups", followups),
            ("Needs", needs),
            ("Countries", countries),
        ],
    );
    work
}

fn run(work: &Workdir, args: &[&str], label: &str) -> Value {
    let out = work.run(args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    work.indicators(label)
}

const Z: f64 = 1.959963984540054;

fn wilson(p: f64, n: f64) -> (f64, f64) {
    let z2 = Z * Z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    (centre - half, centre + half)
}

#[test]
fn activity_figures() {
    let work = fixture();
    let j = run(&work, &["run"], "all");
    let n = |id: &str| j["indicators"][id]["n"].as_u64().unwrap();
    assert_eq!((value(&j, "activities_total"), n("activities_total")), (4.0, 4));
    // 10 + 5 + 0 over the three activities that record participants.
    assert_eq!((value(&j, "participants_total"), n("participants_total")), (15.0, 3));
    // 10 × 3 days + 5 × 1 day + 0 × 2 days.
    assert_eq!(value(&j, "participant_days"), 35.0);
    // DE NL BG | SE BG (UNHCR is an organisation) | NL FR (Atlantis unknown) | FR.
    assert_eq!((value(&j, "countries_reached"), n("countries_reached")), (5.0, 4));
    assert_eq!(value(&j, "phases_covered"), 3.0);
    assert_eq!(j["phase_gaps"], serde_json::json!(["identification_referral", "travel_arrival", "reception"]));
    assert_eq!((value(&j, "cost_total_eur"), n("cost_total_eur")), (8000.0, 3));
    // (5000 + 1000) / (10 + 5): A3 has 0 participants, A4 no cost.
    assert_eq!((value(&j, "cost_per_participant_eur"), n("cost_per_participant_eur")), (400.0, 2));
    assert_eq!(value(&j, "followup_rate"), 0.5);
    assert_eq!(value(&j, "stated_goal_rate"), 0.75);
    // A1 and A2 aligned; A3 (conference, operational) not; A4 no goal.
    assert_eq!(value(&j, "goal_alignment_rate"), 0.5);
    let by_goal = &j["indicators"]["goal_alignment_rate"]["breakdowns"]["goal"];
    assert_eq!(by_goal["operational"]["value"].as_f64(), Some(0.5));
    assert_eq!(by_goal["operational"]["n"].as_u64(), Some(2));
    assert_eq!(by_goal["informational"]["value"].as_f64(), Some(1.0));
    assert_eq!(by_goal["motivational"]["value"].as_f64(), Some(1.0));
    assert!(by_goal.get("relational").is_none(), "no activity declares relational");
    let by_phase = &j["indicators"]["activities_total"]["breakdowns"]["phase"];
    assert_eq!(by_phase["selection_mission"]["value"].as_u64(), Some(2));
    assert_eq!(by_phase["selection_decision"]["value"].as_u64(), Some(1));
    assert!(by_phase.get("reception").is_none());
    let by_type = &j["indicators"]["cost_per_participant_eur"]["breakdowns"]["activity_type"];
    assert_eq!(by_type["conference"], serde_json::json!({"n": 0, "suppressed": false, "value": null}));
    // A1: 3 responses for 10 people, A2: 2 for 5; A3 (0 people) left out.
    assert_close(value(&j, "response_rate"), 5.0 / 15.0, "response_rate");
    assert_eq!(n("response_rate"), 2);

    let alignment = j["alignment"]["activities"].as_array().unwrap();
    assert_eq!(alignment[2]["activity_id"], "A3");
    assert_eq!(alignment[2]["score"].as_f64(), Some(0.0));
    assert_eq!(alignment[2]["unsupported_goals"], serde_json::json!(["operational"]));
    assert_eq!(alignment[3]["score"], Value::Null);
    assert_eq!(alignment[3]["no_stated_goal"], true);
    assert_eq!(alignment[3]["aligned"], false);
}

#[test]
fn survey_figures_breakdowns_and_targets() {
    let work = fixture();
    let j = run(&work, &["run"], "all");
    let ind = &j["indicators"];
    // Headline answers 5, 4, 2, 4 (Agree), 3; R5 answered N/A.
    assert_eq!(ind["satisfaction_top2"]["n"].as_u64(), Some(5));
    assert_close(value(&j, "satisfaction_top2"), 0.6, "top2");
    let (low, high) = wilson(0.6, 5.0);
    assert_close(ind["satisfaction_top2"]["ci_low"].as_f64().unwrap(), low, "ci_low");
    assert_close(ind["satisfaction_top2"]["ci_high"].as_f64().unwrap(), high, "ci_high");
    assert_close(value(&j, "satisfaction_mean"), 3.6, "mean");
    // Recommend 10 9 6 7 3 8: two promoters, two detractors of six.
    assert_close(value(&j, "nps"), 0.0, "nps");
    assert_eq!(ind["nps"]["n"].as_u64(), Some(6));
    // yes partly no yes partly.
    assert_close(value(&j, "intent_to_apply_rate"), 0.8, "intent");
    // 2 0 1 0 4.
    assert_close(value(&j, "new_contacts_rate"), 0.6, "contacts");
    // R1 match, R2 no, R4 match, R5 match, R6 match; R3 has no aim.
    assert_close(value(&j, "aim_match_rate"), 0.8, "aims");
    // yes partly no / yes no yes.
    assert_close(value(&j, "applied_learning_rate"), 2.0 / 3.0, "applied");
    assert_close(value(&j, "further_contact_rate"), 2.0 / 3.0, "further");
    // P1..P5 over 8 accepted rows; P1 and P2 attended two or more.
    assert_eq!(value(&j, "unique_participants"), 5.0);
    assert_eq!(ind["unique_participants"]["n"].as_u64(), Some(8));
    assert_close(value(&j, "repeat_participation_rate"), 0.4, "repeat");

    let top2 = &ind["satisfaction_top2"]["breakdowns"];
    assert_close(top2["activity"]["A1"]["value"].as_f64().unwrap(), 2.0 / 3.0, "A1");
    assert_eq!(top2["activity"]["A2"], serde_json::json!({"n": 1, "suppressed": true, "value": null}));
    assert_eq!(top2["quarter"]["2019-Q3"]["suppressed"], true, "A2 starts on the last day of Q3");
    assert_eq!(top2["quarter"]["2019-Q4"]["n"].as_u64(), Some(1));
    // Exactly at the threshold (2 answers): published.
    assert_eq!(
        top2["respondent_experience"]["experienced"],
        serde_json::json!({"n": 2, "suppressed": false, "value": 0.5})
    );
    assert!(top2["respondent_country"].get("SE").is_none(), "SE answered N/A only");
    assert_close(top2["respondent_country"]["BG"]["value"].as_f64().unwrap(), 2.0 / 3.0, "BG");
    assert_eq!(top2["phase"]["selection_mission"]["value"].as_f64(), Some(0.5));

    let likert = &j["likert"]["overall_satisfaction"]["overall"];
    assert_eq!(likert["distribution"], serde_json::json!({"1": 0, "2": 1, "3": 1, "4": 2, "5": 1}));
    assert_eq!(likert["median"].as_f64(), Some(4.0));
    // Squared deviations from 3.6: 1.96 + .16 + 2.56 + .16 + .36 = 5.2; 5.2 / 4 = 1.3.
    assert_close(likert["sd"].as_f64().unwrap(), 1.3f64.sqrt(), "sd");

    assert_eq!(ind["satisfaction_top2"]["status"], "not_met");
    assert_eq!(ind["nps"]["status"], "met");
    assert_eq!(ind["cost_per_participant_eur"]["status"], "near");
    assert_eq!(ind["followup_rate"]["target"], Value::Null);
}

#[test]
fn needs_and_peer_matching() {
    let work = fixture();
    let j = run(&work, &["run"], "all");
    // BG selection_mission (met by A1), BG reception, FR selection_mission (met by A3,
    // listed twice), CZ pre_departure.
    assert_eq!(value(&j, "needs_expressed"), 4.0);
    assert_close(value(&j, "needs_met_rate"), 0.5, "needs met");
    // Slots with a known profile: NL BG | BG | FR | FR; two new.
    assert_close(value(&j, "emerging_participation_share"), 0.4, "emerging");
    assert_eq!(j["indicators"]["emerging_participation_share"]["n"].as_u64(), Some(5));

    let matches = j["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 2);
    assert_eq!((matches[0]["country"].as_str(), matches[0]["phase"].as_str()), (Some("BG"), Some("reception")));
    let scale = |a: f64, b: f64| 1.0 - ((1.0 + a).log10() - (1.0 + b).log10()).abs() / 2.0;
    let welfare = 1.0 - 6.0 / 36.0;
    // NL: centralised like BG, took part with BG in A1.
    let nl = (welfare + 1.0 + scale(100.0, 500.0) + 0.5) / 3.5;
    // SE: experienced in reception only, met BG in A2.
    let se = (welfare + 1.0 + scale(100.0, 5000.0) + 0.5) / 3.5;
    // FR: governance unknown (0.5), never with BG.
    let fr = (welfare + 0.5 + scale(100.0, 3000.0)) / 3.5;
    let suggestions = matches[0]["suggestions"].as_array().unwrap();
    let got: Vec<(&str, f64)> =
        suggestions.iter().map(|s| (s["country"].as_str().unwrap(), s["score"].as_f64().unwrap())).collect();
    assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), ["NL", "SE", "FR"]);
    assert_close(got[0].1, nl, "NL");
    assert_close(got[1].1, se, "SE");
    assert_close(got[2].1, fr, "FR");
    assert_eq!(suggestions[2]["components"]["governance"].as_f64(), Some(0.5));
    assert_eq!(suggestions[2]["components"]["relationship"].as_f64(), Some(0.0));
    // CZ has no profile: every component 0.5 but relationship 0; three-way tie by code.
    let cz = matches[1]["suggestions"].as_array().unwrap();
    let codes: Vec<&str> = cz.iter().map(|s| s["country"].as_str().unwrap()).collect();
    assert_eq!(codes, ["DE", "FR", "NL"]);
    for s in cz {
        assert_close(s["score"].as_f64().unwrap(), 1.5 / 3.5, "CZ tie");
    }
}

#[test]
fn periods_select_activities_by_start_date() {
    let work = fixture();
    // 2019-Q3 holds only A2, which starts on 30 September.
    let q3 = run(&work, &["run", "--period", "2019-Q3"], "2019-Q3");
    assert_eq!(value(&q3, "activities_total"), 1.0);
    assert_eq!(q3["period"], serde_json::json!({"label": "2019-Q3", "start": "2019-07-01", "end": "2019-09-30"}));
    // One headline answer (R4) under a threshold of 2: suppressed, not zero.
    let top2 = &q3["indicators"]["satisfaction_top2"];
    assert_eq!(
        (top2["value"].clone(), top2["suppressed"].clone(), top2["n"].as_u64()),
        (Value::Null, Value::Bool(true), Some(1))
    );
    assert!(top2["reason"].as_str().unwrap().contains("fewer than 2"));
    // 2020 holds A4 only: no survey answers at all is "no data", not suppressed.
    let y2020 = run(&work, &["run", "--period", "2020"], "2020");
    let top2 = &y2020["indicators"]["satisfaction_top2"];
    assert_eq!((top2["value"].clone(), top2["suppressed"].clone()), (Value::Null, Value::Bool(false)));
    assert!(top2["reason"].as_str().unwrap().starts_with("no data"));
    assert_eq!(y2020["indicators"]["participants_total"]["value"], Value::Null);
    // A range label.
    run(&work, &["run", "--period", "2019-01-01..2019-06-30"], "2019-01-01_2019-06-30");
}

#[test]
fn rows_are_accounted_and_rejections_explained() {
    let work = fixture();
    let (status, v) = work.validate();
    assert_eq!(status, 1, "rejected rows are errors");
    assert_rows_accounted(&v["inputs"]);
    let keys = issue_keys(&v);
    let errors: Vec<_> = keys.iter().filter(|k| k.0 == "unknown_activity" || k.0 == "missing_required").collect();
    // R7 (row 8 of Responses), P9 (row 10 of Attendance).
    assert_eq!(errors.len(), 2, "{keys:?}");
    assert!(keys.contains(&(
        "unknown_activity".into(),
        "programme.xlsx".into(),
        Some(8),
        Some("B (activity_id)".into())
    )));
    // The participant row with only an activity id (row 11) holds one value in a
    // dataset that needs two: a note, skipped and counted (SPEC §12.1).
    assert!(keys.contains(&("row_skipped".into(), "programme.xlsx".into(), Some(11), None)));
    // Atlantis is kept but reported.
    assert!(keys.iter().any(|k| k.0 == "unknown_value" && k.2 == Some(4)));
}

#[test]
fn secondary_suppression_when_configured() {
    let work = fixture();
    // Threshold 3: among respondent experience, `experienced` (2 answers) is hidden
    // and `new` (3 answers: 4, 2, 4) alone would reveal it from the total.
    work.config("[privacy]\nmin_group_size = 3\n");
    let plain = run(&work, &["run"], "all");
    let groups = &plain["indicators"]["satisfaction_top2"]["breakdowns"]["respondent_experience"];
    assert_eq!(groups["experienced"]["suppressed"], true);
    assert_close(groups["new"]["value"].as_f64().unwrap(), 2.0 / 3.0, "new");
    work.config("[privacy]\nmin_group_size = 3\nsecondary_suppression = true\n");
    let protected = run(&work, &["run"], "all");
    let groups = &protected["indicators"]["satisfaction_top2"]["breakdowns"]["respondent_experience"];
    assert_eq!(groups["new"], serde_json::json!({"n": 3, "suppressed": true, "secondary": true, "value": null}));
    // The total itself stays published.
    assert_close(value(&protected, "satisfaction_top2"), 0.6, "total");
}
