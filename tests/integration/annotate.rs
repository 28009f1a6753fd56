//! `validate --annotate DIR`: marked copies for staff; originals untouched.

use std::io::Read;

use calamine::{open_workbook, Data, Reader, Xlsx};
use sha2::{Digest, Sha256};

use crate::common::*;

#[test]
fn every_issue_is_marked_in_a_copy_and_the_originals_are_untouched() {
    let work = Workdir::new();
    work.xlsx(
        "register.xlsx",
        &[(
            "Activities",
            vec![
                vec![T("activity_id"), T("type"), T("start_date"), T("participants")],
                vec![T("A1"), T("Study vist"), D(2019, 1, 10), N(-3.0)],
                vec![T("A2"), T("training"), T("31/02/2019")],
                vec![T("A1"), T("training"), D(2019, 2, 1), T("=1+1")],
            ],
        )],
    );
    work.write("notes.csv", b"activity_id,recommend\nA1,11\nZZ,9\n");
    let digest = |name: &str| Sha256::digest(std::fs::read(work.input(name)).unwrap());
    let before = (digest("register.xlsx"), digest("notes.csv"));
    let out = work.run(&["validate", "--json", "--annotate", "marked"]);
    assert_eq!(code(&out), 1);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(before, (digest("register.xlsx"), digest("notes.csv")), "originals unchanged");

    let copy = work.path().join("marked/register.xlsx.annotated.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&copy).unwrap();
    assert_eq!(wb.sheet_names(), ["peer-eval issues", "Activities"]);
    let list = wb.worksheet_range("peer-eval issues").unwrap();
    let register_issues: Vec<_> =
        v["issues"].as_array().unwrap().iter().filter(|i| i["file"] == "register.xlsx").collect();
    assert_eq!(list.rows().count() - 1, register_issues.len());
    // The copy keeps the data, the risky text still as text.
    let sheet = wb.worksheet_range("Activities").unwrap();
    assert_eq!(sheet.get_value((1, 1)), Some(&Data::String("Study vist".into())));
    assert_eq!(sheet.get_value((3, 3)), Some(&Data::String("=1+1".into())));
    // One note per marked cell, each naming the problem.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&copy).unwrap()).unwrap();
    let mut notes = String::new();
    zip.by_name("xl/comments1.xml").unwrap().read_to_string(&mut notes).unwrap();
    let cells: std::collections::BTreeSet<(u64, String)> = register_issues
        .iter()
        .filter_map(|i| Some((i["row"].as_u64()?, i["column"].as_str()?.split(' ').next()?.to_string())))
        .collect();
    assert_eq!(notes.matches("<comment ").count(), cells.len());
    assert!(notes.contains("did you mean `Study visit`?"));
    let mut sheet1 = String::new();
    zip.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut sheet1).unwrap();
    assert!(sheet1.contains("location=\"'Activities'!B2\""), "links go to the cells");
    // CSV inputs get an xlsx copy too.
    assert!(work.path().join("marked/notes.csv.annotated.xlsx").exists());
}

#[test]
fn annotating_into_the_input_folder_is_refused() {
    let work = Workdir::new();
    work.write("notes.csv", b"activity_id,recommend\nA1,11\n");
    let out = work.run(&["validate", "--annotate", "input"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("other than the input folder"));
}
