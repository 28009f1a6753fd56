//! `peer-eval portfolio`: two programmes' exports side by side and pooled; the
//! pooled figures equal one run over the union of their inputs.

use std::path::Path;

use serde_json::Value;

use crate::common::*;

/// The sample's config with a programme name and a pseudonym key (the same key
/// for every programme, so that a person in two programmes is one person pooled).
fn config(base: &str, programme: &str) -> String {
    let keyed = base.replacen("[privacy]\n", "[privacy]\npseudonym_key = \"portfolio test\"\n", 1);
    assert_ne!(keyed, base, "the sample config has a [privacy] table");
    format!("{keyed}\n[report]\nprogramme = \"{programme}\"\n")
}

/// Programme A: the sample; programme B: a synthetic programme (ids ACT-…); and a
/// folder with both programmes' files (B's named to sort after A's, so that the
/// run reads A first, as the portfolio lists it).
fn two_programmes() -> Workdir {
    let work = sample_copy();
    let base = std::fs::read_to_string(work.path().join("config/peer-eval.toml")).unwrap();
    std::fs::write(work.path().join("config/a.toml"), config(&base, "Programme A")).unwrap();
    std::fs::write(work.path().join("config/b.toml"), config(&base, "Programme B")).unwrap();
    let out =
        work.run(&["synth", "--out", "b", "--activities", "30", "--responses", "900", "--files", "3", "--seed", "7"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    std::fs::create_dir_all(work.path().join("union")).unwrap();
    for (dir, prefix) in [("input", ""), ("b", "zz_")] {
        for entry in std::fs::read_dir(work.path().join(dir)).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            std::fs::copy(entry.path(), work.path().join("union").join(name)).unwrap();
        }
    }
    work
}

fn export(work: &Workdir, config: &str, input: &str, format: &str) {
    let out =
        work.run(&["export", "--quiet", "--config", config, "--input", input, "--out", "exports", "--format", format]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn pooled_figures_equal_one_run_over_the_union_of_the_inputs() {
    let work = two_programmes();
    // A in Parquet, B in CSV: the portfolio reads both.
    export(&work, "config/a.toml", "input", "parquet");
    export(&work, "config/b.toml", "b", "csv");
    let out = work.run(&["portfolio", "--config", "config/a.toml", "--out", "portfolio", "exports"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let portfolio = read_json(&work.path().join("portfolio/portfolio.json"));

    // One run over both programmes' files, with the same configuration.
    let out = work.run(&["run", "--quiet", "--config", "config/a.toml", "--input", "union", "--output", "union-out"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let union = read_json(&work.path().join("union-out/all/indicators.json"));
    assert!(portfolio["pooled"] == union, "the pooled figures differ from one run over the union of the inputs");
    // Both programmes profile 23 of the same countries: A's are used, as the run
    // (reading A's files first) keeps A's and rejects B's as repeats.
    let notes = portfolio["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].as_str().unwrap().starts_with("23 countries have a profile in more than one programme (AT, BE,"));
    let run = read_json(&work.path().join("union-out/all/run.json"));
    let repeated = run["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["code"] == "duplicate_id" && i["file"].as_str().unwrap().starts_with("zz_countries"));
    assert_eq!(repeated.count(), 23);

    // The pool is more than either programme: 23 + 30 activities.
    assert_eq!(union["indicators"]["activities_total"]["value"], 53);
    let programmes = portfolio["programmes"].as_array().unwrap();
    let names: Vec<&str> = programmes.iter().map(|p| p["programme"].as_str().unwrap()).collect();
    assert_eq!(names, ["Programme A", "Programme B"]);
    assert_eq!(programmes[0]["headline"]["activities_total"]["value"], 23);
    assert_eq!(programmes[1]["headline"]["activities_total"]["value"], 30);

    // Each programme's headline figures are its own run's, with n, target and status.
    let out = work.run(&["run", "--quiet", "--config", "config/a.toml", "--input", "input", "--output", "a-out"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let own = read_json(&work.path().join("a-out/all/indicators.json"));
    for (id, figure) in programmes[0]["headline"].as_object().unwrap() {
        let published = &own["indicators"][id];
        for field in ["value", "n", "target", "status", "suppressed"] {
            assert_eq!(figure[field], published[field], "{id}.{field}");
        }
    }
    assert_eq!(
        programmes[0]["headline"]["satisfaction_top2"]["status"],
        own["indicators"]["satisfaction_top2"]["status"]
    );
    let run = read_json(&work.path().join("a-out/all/run.json"));
    assert_eq!(programmes[0]["responses"], accepted_rows(&run, "responses"));
}

#[test]
fn small_groups_stay_hidden_in_every_cell() {
    let work = two_programmes();
    export(&work, "config/a.toml", "input", "csv");
    // A tiny programme: one activity, three responses (fewer than the 5 the sample config asks for).
    let tiny = work.path().join("tiny");
    std::fs::create_dir_all(&tiny).unwrap();
    std::fs::write(
        tiny.join("register.csv"),
        "activity_id,type,title,start_date,end_date,format,host_country,participating_countries,participants,cost_eur\nT-1,study_visit,Tiny visit,2020-03-02,2020-03-03,in_person,DE,BG,3,900\n",
    )
    .unwrap();
    std::fs::write(
        tiny.join("answers.csv"),
        "response_id,activity_id,overall_satisfaction,recommend\nR1,T-1,5,10\nR2,T-1,4,9\nR3,T-1,2,3\n",
    )
    .unwrap();
    let out = work.run(&[
        "export",
        "--quiet",
        "--config",
        "config/b.toml",
        "--input",
        "tiny",
        "--out",
        "exports",
        "--format",
        "csv",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = work.run(&["portfolio", "--config", "config/a.toml", "--out", "portfolio", "exports"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let portfolio = read_json(&work.path().join("portfolio/portfolio.json"));
    let tiny = portfolio["programmes"].as_array().unwrap().iter().find(|p| p["programme"] == "Programme B").unwrap();
    assert_eq!(tiny["responses"], 3);
    let nps = &tiny["headline"]["nps"];
    assert_eq!(
        (nps["value"].clone(), nps["n"].clone(), nps["suppressed"].clone()),
        (Value::Null, 3.into(), true.into())
    );
    // The workbook's side-by-side row for B leaves NPS empty and says why.
    if let Some((cells, note)) = side_by_side_row(&work.path().join("portfolio/portfolio.xlsx"), "Programme B") {
        assert!(cells.contains(&("NPS".to_string(), String::new())), "{cells:?}");
        assert!(note.contains("NPS: suppressed: fewer than 5 answers"), "{note}");
    }
    let html = std::fs::read_to_string(work.path().join("portfolio/portfolio.html")).unwrap();
    assert!(html.contains("fewer than 5 responses"));
}

/// The cells (header, text) and the note of a programme's row on the workbook's
/// side-by-side sheet, as openpyxl reads them.
fn side_by_side_row(workbook: &Path, programme: &str) -> Option<(Vec<(String, String)>, String)> {
    let script = r#"
import json, sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])["Side by side"]
rows = list(ws.iter_rows(values_only=True))
header = rows[0]
row = next(r for r in rows[1:] if r[0] == sys.argv[2])
print(json.dumps([[str(h), "" if v is None else str(v)] for h, v in zip(header, row)]))
"#;
    let out = std::process::Command::new("python3").arg("-c").arg(script).arg(workbook).arg(programme).output();
    let Some(out) = out.ok().filter(|o| o.status.success()) else {
        tool_missing("python3 with openpyxl");
        return None;
    };
    let cells: Vec<(String, String)> = serde_json::from_slice(&out.stdout).unwrap();
    let note = cells.iter().find(|(h, _)| h == "Note").map(|(_, v)| v.clone()).unwrap_or_default();
    Some((cells, note))
}

#[test]
fn the_portfolio_report_renders_in_a_browser() {
    let work = two_programmes();
    export(&work, "config/a.toml", "input", "parquet");
    export(&work, "config/b.toml", "b", "parquet");
    let out = work.run(&["portfolio", "--quiet", "--config", "config/a.toml", "--out", "portfolio", "exports"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let page = work.path().join("portfolio/portfolio.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("<script") && !html.contains(" src="), "self-contained");
    if let Some(errors) = crate::reports::nu_errors(std::slice::from_ref(&page)) {
        assert!(errors.is_empty(), "{errors:#?}");
    }
    for width in [390, 1280] {
        if let Some(violations) = crate::reports::axe_violations(&work, &page, width) {
            assert_eq!(violations, serde_json::json!([]), "portfolio.html at {width} px");
        }
    }
    let Some(dom) = crate::reports::dump_dom(&work, &page) else { return };
    // Rendered: the side-by-side table has a row per programme and the pooled row.
    let side = dom.split("<section id=\"side\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert_eq!(side.matches("<tr").count(), 1 + 3, "header, A, B, pooled");
    assert!(side.contains("Programme A") && side.contains("Programme B") && side.contains("All programmes (pooled)"));
    // 53 activities pooled.
    assert!(side.contains(">53<"), "pooled activities");
}

/// `table` without `column`.
fn drop_column(table: &Path, column: &str) {
    let mut reader = csv::Reader::from_path(table).unwrap();
    let header = reader.headers().unwrap().clone();
    let keep: Vec<usize> = (0..header.len()).filter(|&i| &header[i] != column).collect();
    assert!(keep.len() < header.len(), "{column} is a column of {}", table.display());
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(keep.iter().map(|&i| &header[i])).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        writer.write_record(keep.iter().map(|&i| &record[i])).unwrap();
    }
    std::fs::write(table, writer.into_inner().unwrap()).unwrap();
}

#[test]
fn a_likert_column_missing_from_an_export_is_told() {
    let work = two_programmes();
    export(&work, "config/a.toml", "input", "csv");
    drop_column(&work.path().join("exports/programme=Programme_A/period=all/responses.csv"), "overall_satisfaction");
    let out = work.run(&["portfolio", "--config", "config/a.toml", "--out", "portfolio", "exports"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let told = "its responses have no `overall_satisfaction` column (a Likert item of this configuration): no answer to it is counted";
    assert!(stderr(&out).contains(told), "{}", stderr(&out));
    let portfolio = read_json(&work.path().join("portfolio/portfolio.json"));
    assert!(portfolio["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains(told)));
    let satisfied = &portfolio["programmes"][0]["headline"]["satisfaction_top2"];
    assert_eq!((satisfied["value"].clone(), satisfied["n"].clone()), (Value::Null, 0.into()));
}

#[test]
fn an_unreadable_export_is_left_out_with_a_reason() {
    let work = two_programmes();
    export(&work, "config/a.toml", "input", "csv");
    export(&work, "config/b.toml", "b", "csv");
    let b = work.path().join("exports/programme=Programme_B/period=all");
    let responses = std::fs::read_to_string(b.join("responses.csv")).unwrap();
    let broken = responses.replacen("\n", "\nnot-an-activity", 1);
    std::fs::write(b.join("responses.csv"), broken).unwrap();
    let out = work.run(&["portfolio", "--config", "config/a.toml", "--out", "portfolio", "exports"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("programme=Programme_B/period=all` was left out: table `responses`, column `activity_id`, row 2"),
        "{err}"
    );
    let portfolio = read_json(&work.path().join("portfolio/portfolio.json"));
    assert_eq!(portfolio["programmes"].as_array().unwrap().len(), 1);
    // Nothing readable at all: exit 3, nothing written.
    let out = work.run(&["portfolio", "--out", "nothing", "b"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(!work.path().join("nothing").exists());
    // The portfolio is never written among the exports, however the path is spelt.
    for out in ["exports/report", "exports/new/../report", "./exports"] {
        let run = work.run(&["portfolio", "--out", out, "exports"]);
        assert_eq!(code(&run), 2, "{out}: {}", stderr(&run));
    }
}
