//! No data stops the run (issue 19): an output format's limit is handled where the
//! output is written, long values are quoted short, contacts never leak, and odd
//! names cannot break publishing. Each input is built here.

use serde_json::Value;

use crate::common::*;

fn register_row(id: String, title: String, country: &str) -> Vec<V> {
    vec![S(id), T("Study visit"), D(2019, 3, 3), S(title), S(country.to_string())]
}

fn header() -> Vec<V> {
    vec![T("activity_id"), T("type"), T("start_date"), T("title"), T("host_country")]
}

#[test]
fn a_title_longer_than_an_excel_cell_and_a_huge_bad_value() {
    let work = Workdir::new();
    // A CSV: no spreadsheet writer accepts a cell over Excel's limit.
    let csv = format!(
        "activity_id,type,start_date,title,host_country\nA-1,Study visit,2019-03-03,{},Germany\nB-1,Study visit,{},fine,Germany\n",
        "t".repeat(32_768),
        "9".repeat(40_000)
    );
    work.write("register.csv", csv.as_bytes());
    let out = work.run(&["run", "--quiet"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // The workbook opens and the title is cut, saying so.
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(work.path().join("output/all/evaluation.xlsx")).unwrap();
    let activities = wb.worksheet_range("Activities").unwrap();
    let cut = activities.rows().flat_map(|r| r.iter()).find_map(|c| match c {
        calamine::Data::String(s) if s.starts_with("ttt") => Some(s.clone()),
        _ => None,
    });
    let cut = cut.expect("the title is in the workbook");
    assert!(cut.chars().count() <= 32_767 && cut.contains("cell limit"), "{}", cut.len());
    // The cut is told in run.json too.
    let run = work.run_json("all");
    let limit = run["issues"].as_array().unwrap().iter().find(|i| i["code"] == "output_limit").expect("told");
    assert!(limit["message"].as_str().unwrap().contains("32768 characters"));
    // The 40 000-character start date is quoted short in its message.
    let issue = run["issues"].as_array().unwrap().iter().find(|i| i["code"] == "bad_date").unwrap();
    assert!(issue["message"].as_str().unwrap().chars().count() < 400, "{}", issue["message"].as_str().unwrap().len());
    assert!(issue["value"].as_str().unwrap().chars().count() <= 80);
}

#[test]
fn e_mail_addresses_typed_anywhere_reach_no_output() {
    let work = Workdir::new();
    work.xlsx(
        "register.xlsx",
        &[(
            "Activities",
            vec![
                header(),
                register_row("A-1".into(), "Write to anna.k@example.gov".into(), "bert@example.gov"),
                // An id that is an address: masked, and answers to it still link.
                register_row("erik@example.gov".into(), "Workshop 2019-2020 (12-14 June)".into(), "Sweden"),
            ],
        )],
    );
    work.xlsx(
        "responses.xlsx",
        &[(
            "Responses",
            vec![
                vec![T("activity_id"), T("overall_satisfaction"), T("country"), T("role_level")],
                vec![T("A-1"), T("carla@example.gov"), T("dora@example.gov"), T("+32 2 555 01 23")],
                vec![T("erik@example.gov"), N(4.0), T("Sweden"), T("operational")],
            ],
        )],
    );
    let out = work.run(&["run", "--quiet"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    for name in ["run.json", "indicators.json", "report.html"] {
        let text = std::fs::read_to_string(work.path().join("output/all").join(name)).unwrap();
        assert!(!text.contains("@example.gov"), "{name} holds an address");
        assert!(!text.contains("555 01 23"), "{name} holds a phone number");
    }
    // Dates in a title are not taken for phone numbers.
    let report = std::fs::read_to_string(work.path().join("output/all/report.html")).unwrap();
    assert!(report.contains("Workshop 2019-2020 (12-14 June)"));
    let (_, v) = work.validate();
    assert!(!v.to_string().contains("@example.gov"));
    let answers = v["inputs"].as_array().unwrap().iter().find(|f| f["path"] == "responses.xlsx").unwrap();
    assert_eq!(answers["sheets"][0]["rows_accepted"], 2, "the answer to the masked id links");
}

#[test]
fn names_that_could_break_publishing() {
    let work = Workdir::new();
    let long_id = "L".repeat(300);
    let rows = vec![
        vec![T("activity_id"), T("type"), T("start_date"), T("project")],
        vec![S(long_id), T("Study visit"), D(2019, 3, 3), T("report.html")],
        vec![T("A-2"), T("Study visit"), D(2019, 3, 4), T("run.json")],
        vec![T("a-2"), T("Study visit"), D(2019, 3, 5), T("Run.json")],
    ];
    work.xlsx("register.xlsx", &[("Activities", rows)]);
    let out = work.run(&["run", "--quiet", "--split-by", "project"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let all = work.path().join("output/all");
    // The report's own files are still files, and each project has a folder of its own.
    for name in ["report.html", "run.json", "evaluation.xlsx", "indicators.json"] {
        assert!(all.join(name).is_file(), "{name}");
    }
    let folders: Vec<String> = std::fs::read_dir(&all)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir() && e.file_name() != "activities")
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(folders.len(), 3, "{folders:?}");
    // A-2 and a-2 get pages whose names differ whatever the case.
    let pages: Vec<String> = std::fs::read_dir(all.join("activities"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_lowercase())
        .collect();
    let unique: std::collections::BTreeSet<&String> = pages.iter().collect();
    assert_eq!((pages.len(), unique.len()), (3, 3));
    assert!(pages.iter().all(|p| p.len() <= 120));
}

#[test]
fn a_utf16_csv_as_excel_saves_unicode_text() {
    let work = Workdir::new();
    let text = "activity_id\ttype\tstart_date\ttitle\nA-1\tStudy visit\t2019-03-03\tVisite à Lyon\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    work.write("register.csv", &bytes);
    let out = work.run(&["run", "--quiet"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(value(&work.indicators("all"), "activities_total"), 1.0);
    let report = std::fs::read_to_string(work.path().join("output/all/report.html")).unwrap();
    assert!(report.contains("Visite à Lyon"));
}

#[test]
fn too_many_jobs_are_capped_with_a_warning() {
    let work = Workdir::new();
    work.xlsx("register.xlsx", &[("Activities", vec![header(), register_row("A-1".into(), "x".into(), "Germany")])]);
    let out = work.run(&["run", "--jobs", "100000"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("more than 4 per core"), "{}", stderr(&out));
    let _: Value = work.indicators("all");
}

/// Unix permissions and links: built and run on Unix only.
#[cfg(unix)]
#[test]
fn odd_entries_of_the_input_folder_get_a_note() {
    use std::os::unix::fs::symlink;
    let work = Workdir::new();
    work.xlsx("register.xlsx", &[("Activities", vec![header(), register_row("A-1".into(), "x".into(), "Germany")])]);
    std::fs::create_dir(work.input("folder.xlsx")).unwrap();
    symlink(work.path().join("missing.xlsx"), work.input("dangling.xlsx")).unwrap();
    let outside = work.path().join("outside.csv");
    std::fs::write(&outside, "activity_id,type,start_date\nB-1,Study visit,2019-03-03\n").unwrap();
    symlink(&outside, work.input("outside.csv")).unwrap();
    let fifo = work.input("pipe.csv");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let (_, v) = work.validate();
    let skipped: Vec<&str> = v["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["code"] == "file_skipped")
        .map(|i| i["file"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, ["dangling.xlsx", "folder.xlsx", "outside.csv", "pipe.csv"]);
    // The link out of the folder is read when asked for.
    work.config("[input]\nfollow_links = true\n");
    let out = work.run(&["run", "--quiet"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(value(&work.indicators("all"), "activities_total"), 2.0);
}

#[test]
fn a_config_that_is_not_a_regular_file_is_refused() {
    let work = Workdir::new();
    work.xlsx("register.xlsx", &[("Activities", vec![header(), register_row("A-1".into(), "x".into(), "Germany")])]);
    std::fs::create_dir(work.path().join("config/peer-eval.toml")).unwrap();
    let out = work.run(&["run", "--quiet"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("not a regular file"), "{}", stderr(&out));
}

#[test]
fn a_glob_against_a_long_name_is_quick() {
    let work = Workdir::new();
    let name = format!("{}.csv", "a".repeat(200));
    work.write(&name, b"activity_id,type,start_date\nA-1,Study visit,2019-03-03\n");
    work.config("[[input.map]]\nfile = \"*a*a*a*a*a*a*a*a*a*a*aZ\"\ndataset = \"responses\"\n");
    // A backtracking matcher took 12.6 s on this name; the automaton answers at once.
    let out = work.run(&["run", "--quiet"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // The pattern does not match (no Z): the file is read as the register it is.
    assert_eq!(value(&work.indicators("all"), "activities_total"), 1.0);
}

#[test]
fn a_cumulative_figure_does_not_reveal_a_suppressed_period() {
    let work = Workdir::new();
    work.config("[privacy]\nsecondary_suppression = true\n");
    work.xlsx(
        "register.xlsx",
        &[(
            "Activities",
            vec![
                header(),
                vec![T("Q1"), T("Study visit"), D(2019, 2, 1), T("x"), T("Germany")],
                vec![T("Q2"), T("Study visit"), D(2019, 5, 1), T("y"), T("Germany")],
            ],
        )],
    );
    // Q1: ten answers of 1 (top-two share 0); Q2: two answers of 5.
    let mut rows = vec![vec![T("activity_id"), T("overall_satisfaction")]];
    rows.extend((0..10).map(|_| vec![T("Q1"), N(1.0)]));
    rows.extend((0..2).map(|_| vec![T("Q2"), N(5.0)]));
    work.xlsx("responses.xlsx", &[("Responses", rows)]);
    let out = work.run(&["run", "--quiet", "--period", "2019-Q2", "--compare", "previous", "--cumulative"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let top2 = &work.indicators("2019-Q2")["indicators"]["satisfaction_top2"];
    assert_eq!(top2["suppressed"], true);
    // Published, the cumulative 2/12 and Q1's 0/10 would give Q2's 2/2.
    assert_eq!(top2["previous"]["value"], 0.0);
    assert_eq!(
        (top2["cumulative"]["value"].clone(), top2["cumulative"]["secondary"].clone()),
        (Value::Null, Value::Bool(true))
    );
}

#[test]
fn a_split_report_lists_only_its_own_projects_issues() {
    let work = Workdir::new();
    work.xlsx(
        "register.xlsx",
        &[(
            "Activities",
            vec![
                vec![T("activity_id"), T("type"), T("start_date"), T("project"), T("end_date")],
                vec![T("A-1"), T("Study visit"), D(2019, 3, 3), T("North"), T("soon")],
                vec![T("B-1"), T("Study visit"), D(2019, 3, 3), T("South"), T("later")],
            ],
        )],
    );
    work.xlsx(
        "responses.xlsx",
        &[(
            "Responses",
            vec![
                vec![T("activity_id"), T("overall_satisfaction")],
                vec![T("a_1"), T("eleven")],
                vec![T("B-1"), T("twelve")],
            ],
        )],
    );
    let out = work.run(&["run", "--quiet", "--split-by", "project"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let north = std::fs::read_to_string(work.path().join("output/all/North/report.html")).unwrap();
    let south = std::fs::read_to_string(work.path().join("output/all/South/report.html")).unwrap();
    // Each project's bad end date and bad answer, and nothing of the other's.
    assert!(north.contains("“soon”") && north.contains("“eleven”"), "{north}");
    assert!(!north.contains("“later”") && !north.contains("“twelve”"));
    assert!(south.contains("“later”") && south.contains("“twelve”"));
    assert!(!south.contains("“soon”") && !south.contains("“eleven”"));
    // The main report lists all of them.
    let all = std::fs::read_to_string(work.path().join("output/all/report.html")).unwrap();
    assert!(["“soon”", "“later”", "“eleven”", "“twelve”"].iter().all(|v| all.contains(v)));
}

#[test]
fn a_stray_quote_in_a_csv_is_reported_at_its_row() {
    let work = Workdir::new();
    let mut csv = String::from("activity_id,type,start_date,title\nA-1,Study visit,2019-03-03,fine\n");
    csv.push_str("A-2,Study visit,2019-03-04,\"Stray quote here\n");
    for i in 3..3000 {
        csv.push_str(&format!("A-{i},Study visit,2019-03-05,swallowed\n"));
    }
    work.write("register.csv", csv.as_bytes());
    let out = work.run(&["run", "--quiet"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let run = work.run_json("all");
    let issue = run["issues"].as_array().unwrap().iter().find(|i| i["code"] == "unclosed_quote").expect("reported");
    // The quote opens on row 3 (the header is row 1); rows before it are read.
    assert_eq!(issue["row"], 3);
    assert!(issue["message"].as_str().unwrap().contains("2997 lines"), "{}", issue["message"]);
    assert_eq!(value(&work.indicators("all"), "activities_total"), 2.0);
}

/// An xlsx whose shared strings inflate to `mb` MB (a few hundred KB on disk).
fn shared_strings_bomb(path: &std::path::Path, mb: usize) {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Responses" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
        ),
        (
            "xl/worksheets/sheet1.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#,
        ),
    ];
    for (name, text) in parts {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.start_file("xl/sharedStrings.xml", options).unwrap();
    let item = "<si><t>x</t></si>";
    let count = mb * 1024 * 1024 / item.len();
    write!(zip, r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{count}" uniqueCount="{count}">"#).unwrap();
    let block = item.repeat(10_000);
    for _ in 0..count / 10_000 {
        zip.write_all(block.as_bytes()).unwrap();
    }
    zip.write_all(b"</sst>").unwrap();
    zip.finish().unwrap();
}

#[test]
fn files_that_would_exceed_the_run_memory_budget_are_not_read() {
    let work = Workdir::new();
    // 40 MB of shared strings need about 3 × 40 + 32 MB: more than a budget of 100 MB.
    work.config("[limits]\nrun_memory_mb = 100\n");
    for i in 0..3 {
        shared_strings_bomb(&work.input(&format!("bomb{i}.xlsx")), 40);
    }
    work.xlsx("register.xlsx", &[("Activities", vec![header(), register_row("A-1".into(), "x".into(), "Germany")])]);
    let out = work.run(&["run", "--quiet"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let run = work.run_json("all");
    let refused: Vec<&Value> =
        run["issues"].as_array().unwrap().iter().filter(|i| i["code"] == "unreadable_file").collect();
    assert_eq!(refused.len(), 3);
    assert!(refused[0]["message"].as_str().unwrap().contains("budget of 100 MB (limits.run_memory_mb)"));
    // The rest was read and published.
    assert_eq!(value(&work.indicators("all"), "activities_total"), 1.0);
}

#[test]
fn many_issues_of_one_code_are_listed_up_to_a_bound() {
    let work = Workdir::new();
    let mut csv = String::from("activity_id,type,start_date,end_date\n");
    // 10 050 end dates that are not dates: one warning each.
    for i in 0..10_050 {
        csv.push_str(&format!("A-{i},Study visit,2019-03-03,someday\n"));
    }
    work.write("register.csv", csv.as_bytes());
    let out = work.run(&["run", "--quiet"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let run = work.run_json("all");
    assert_eq!(run["issues"].as_array().unwrap().iter().filter(|i| i["code"] == "bad_date").count(), 10_050);
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(work.path().join("output/all/evaluation.xlsx")).unwrap();
    let quality = wb.worksheet_range("Data quality").unwrap();
    let listed = quality
        .rows()
        .filter(|r| r[1] == calamine::Data::String("bad_date".into()) && r[0] != calamine::Data::Empty)
        .count();
    assert_eq!(listed, 10_000);
    assert!(quality
        .rows()
        .any(|r| r[7] == calamine::Data::String("and 50 more bad_date issues — all are in run.json".into())));
    let html = std::fs::read_to_string(work.path().join("output/all/report.html")).unwrap();
    assert!(html.contains("and 9850 more — all are in run.json"));
}
