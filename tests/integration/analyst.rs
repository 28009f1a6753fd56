//! `peer-eval export`: the sample's validated records as tables for analysts.

use std::path::Path;

use crate::common::*;

fn sample() -> Workdir {
    sample_copy()
}

/// A CSV table: its header and rows.
fn table(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows = reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    (header, rows)
}

#[test]
fn the_sample_exports_every_accepted_row_pseudonymised() {
    let work = sample();
    assert_eq!(code(&work.run(&["run", "--quiet"])), 0);
    let out = work.run(&["export", "--out", "tables", "--quiet", "--format", "csv"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("row-level personal data for the programme team, not for publication"));
    // Hive layout: programme=…/period=…/<table>.csv.
    let dir = work.path().join("tables/programme=Peer-learning_evaluation/period=all");
    // Rows: those run.json accepts per dataset (needs: one row per country and phase).
    let run = work.run_json("all");
    let accepted = |dataset: &str| accepted_rows(&run, dataset);
    for (name, dataset) in [
        ("activities", "activities"),
        ("responses", "responses"),
        ("participants", "participants"),
        ("followups", "followups"),
        ("countries", "countries"),
    ] {
        let (_, rows) = table(&dir.join(format!("{name}.csv")));
        assert_eq!(rows.len(), accepted(dataset), "{name}");
    }
    let json = work.indicators("all");
    assert_eq!(table(&dir.join("needs.csv")).1.len() as f64, value(&json, "needs_expressed"));
    assert_eq!(table(&dir.join("issues.csv")).1.len(), run["issues"].as_array().unwrap().len());

    // Values as the inputs give them: SV-01's register row, and a response.
    let (header, activities) = table(&dir.join("activities.csv"));
    let col = |h: &[String], name: &str| h.iter().position(|c| c == name).unwrap();
    let sv01 = activities.iter().find(|r| r[0] == "SV-01").unwrap();
    assert_eq!(sv01[col(&header, "start_date")], "2016-11-09");
    assert_eq!(sv01[col(&header, "participating_countries")], "BG;LT");
    assert_eq!(sv01[col(&header, "participants")], "6");
    assert_eq!(sv01[col(&header, "status")], "delivered");
    let (header, responses) = table(&dir.join("responses.csv"));
    let sat = col(&header, "overall_satisfaction");
    // Every answer is 1–5 or empty, and the answers' total matches the Likert counts.
    let answered = responses.iter().filter(|r| !r[sat].is_empty()).count() as u64;
    assert_eq!(answered, json["likert"]["overall_satisfaction"]["overall"]["n"].as_u64().unwrap());
    assert!(responses.iter().all(|r| r[sat].is_empty() || ["1", "2", "3", "4", "5"].contains(&r[sat].as_str())));
    // Ids are pseudonyms: 32 hex digits, none of the inputs' own ids (the Google
    // Forms CSV of TW-05 has no respondent ids: those cells stay empty).
    let id = col(&header, "respondent_id");
    let given: Vec<&Vec<String>> = responses.iter().filter(|r| !r[id].is_empty()).collect();
    assert!(given.len() > 150, "{} respondent ids", given.len());
    assert!(given.iter().all(|r| r[id].len() == 32 && r[id].chars().all(|c| c.is_ascii_hexdigit())));
    // The first response of responses.xlsx: R0001 by P-LT-1 to SV-01 on 20 Nov
    // 2016, from Lithuania, answers 4 3 4 3 5, recommend 7, intent yes, 0 contacts.
    let first = responses.iter().find(|r| r[col(&header, "submitted_at")] == "2016-11-20").unwrap();
    let at = |name: &str| first[col(&header, name)].as_str();
    assert_eq!(
        (at("activity_id"), at("country"), at("overall_satisfaction"), at("agenda_relevance")),
        ("SV-01", "LT", "4", "3")
    );
    assert_eq!((at("recommend"), at("intent_to_apply"), at("new_contacts")), ("7", "yes", "false"));
    let csv = std::fs::read_to_string(dir.join("responses.csv")).unwrap()
        + &std::fs::read_to_string(dir.join("participants.csv")).unwrap();
    assert!(!csv.contains("R0001") && !csv.contains("P-LT-1"), "raw ids in the export");
    // Comments are left out: the sample does not publish them.
    assert!(!header.contains(&"comment".to_string()));
}

#[test]
fn a_configured_key_gives_stable_pseudonyms_and_a_period_selects_activities() {
    let work = sample();
    let config = std::fs::read_to_string(work.path().join("config/peer-eval.toml")).unwrap();
    let config = config.replacen("[privacy]", "[privacy]\npseudonym_key = \"a programme secret\"", 1);
    assert!(config.contains("pseudonym_key"), "the sample config has a [privacy] table");
    work.config(&config);
    for out in ["one", "two"] {
        assert_eq!(code(&work.run(&["export", "--out", out, "--quiet", "--period", "2018", "--format", "csv"])), 0);
    }
    let dir = |out: &str| work.path().join(out).join("programme=Peer-learning_evaluation/period=2018");
    let read = |out: &str| std::fs::read(dir(out).join("responses.csv")).unwrap();
    assert_eq!(read("one"), read("two"), "the same key, the same pseudonyms");
    // 2018 only: every activity starts in 2018, every response belongs to one of them.
    let (header, activities) = table(&dir("one").join("activities.csv"));
    let start = header.iter().position(|c| c == "start_date").unwrap();
    assert!(!activities.is_empty() && activities.iter().all(|r| r[start].starts_with("2018-")));
    let ids: Vec<&str> = activities.iter().map(|r| r[0].as_str()).collect();
    let (_, responses) = table(&dir("one").join("responses.csv"));
    assert!(!responses.is_empty() && responses.iter().all(|r| ids.contains(&r[0].as_str())));
    // An unknown format: said plainly, exit 2.
    let out = work.run(&["export", "--out", "three", "--format", "xlsx"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("use parquet or csv"), "{}", stderr(&out));
}

/// The default format: Parquet read back with the parquet crate's own reader.
#[cfg(feature = "parquet")]
#[test]
fn the_sample_exports_to_parquet_read_back_whole() {
    use arrow_array::{Array, Date32Array, Int64Array, ListArray, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let work = sample();
    assert_eq!(code(&work.run(&["run", "--quiet"])), 0);
    assert_eq!(code(&work.run(&["export", "--out", "tables", "--quiet"])), 0);
    let dir = work.path().join("tables/programme=Peer-learning_evaluation/period=all");
    let read = |name: &str| {
        let file = std::fs::File::open(dir.join(format!("{name}.parquet"))).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
        let batches: Vec<_> = reader.map(Result::unwrap).collect();
        arrow_select_concat(&batches)
    };
    let run = work.run_json("all");
    let accepted = |dataset: &str| accepted_rows(&run, dataset);
    for name in ["activities", "responses", "participants", "followups", "countries"] {
        assert_eq!(read(name).num_rows(), accepted(name), "{name}");
    }
    // SV-01 as the register gives it: starts 9 November 2016, Bulgaria and Lithuania, 6 participants.
    let activities = read("activities");
    let column =
        |batch: &arrow_array::RecordBatch, name: &str| batch.column(batch.schema().index_of(name).unwrap()).clone();
    let ids = column(&activities, "activity_id");
    let ids = ids.as_any().downcast_ref::<StringArray>().unwrap();
    let sv01 = (0..ids.len()).find(|&i| ids.value(i) == "SV-01").unwrap();
    let start = column(&activities, "start_date");
    let start = start.as_any().downcast_ref::<Date32Array>().unwrap();
    // 2016-11-09 is day 17 114 of the Unix epoch.
    assert_eq!(start.value(sv01), 17_114);
    let countries = column(&activities, "participating_countries");
    let countries = countries.as_any().downcast_ref::<ListArray>().unwrap();
    let list = countries.value(sv01);
    let list = list.as_any().downcast_ref::<StringArray>().unwrap();
    assert_eq!((list.value(0), list.value(1)), ("BG", "LT"));
    let participants = column(&activities, "participants");
    assert_eq!(participants.as_any().downcast_ref::<Int64Array>().unwrap().value(sv01), 6);
}

/// The batches of one file as one batch.
#[cfg(feature = "parquet")]
fn arrow_select_concat(batches: &[arrow_array::RecordBatch]) -> arrow_array::RecordBatch {
    assert_eq!(batches.len(), 1, "a small table is one batch");
    batches[0].clone()
}
