//! The direct xlsx reader (`src/ingest/xlsx/`) gives every cell the value
//! calamine's cell reader gives it: over a workbook written here with the features
//! Excel files carry, the sample and acceptance inputs, synthetic files and the
//! robustness corpus. Where it hands a file to calamine, the answer is calamine's.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use peer_eval::config::LimitsConfig;
use peer_eval::ingest::read::{self, Cell, Sheet};
use peer_eval::ingest::xlsx::reads_directly;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

use crate::common::*;

/// Read `path` both ways; they must agree. Returns whether it was read directly.
/// Hidden rows are the direct reader's own (calamine does not report them).
fn agree(path: &Path) -> bool {
    let limits = LimitsConfig::default();
    let visible = |sheets: Vec<Sheet>| -> Vec<Sheet> {
        sheets
            .into_iter()
            .map(|mut s| {
                s.rows.iter_mut().for_each(|r| r.hidden = false);
                s
            })
            .collect()
    };
    // Errors compare by their message: the two readers must say the same.
    let direct = read::read_file(path, &limits).map(visible).map_err(|e| e.to_string());
    let reference = read::read_xlsx_with_calamine(path, &limits).map_err(|e| e.to_string());
    assert_eq!(direct, reference, "{}", path.display());
    std::fs::read(path).is_ok_and(|bytes| reads_directly(&bytes))
}

fn xlsx_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| matches!(read::extension_of(p).as_str(), "xlsx" | "xlsm"));
    files.sort();
    files
}

fn cell<'a>(sheets: &'a [Sheet], sheet: &str, row: u32, col: u32) -> Option<&'a Cell> {
    let sheet = sheets.iter().find(|s| s.name == sheet)?;
    sheet.rows.iter().find(|r| r.index == row)?.get(col)
}

#[test]
fn a_workbook_with_excel_features_reads_the_same_both_ways() {
    let work = Workdir::new();
    let path = work.path().join("features.xlsx");
    features_workbook(&path);
    agree(&path);
    let bytes = std::fs::read(&path).unwrap();
    assert!(reads_directly(&bytes), "a plain rust_xlsxwriter workbook is read directly");
    let sheets = read::read_file(&path, &LimitsConfig::default()).unwrap();
    let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Features & more", "Lists", "Streamed"]);
    let at = |row, col| cell(&sheets, "Features & more", row, col);
    assert_eq!(at(0, 0), Some(&Cell::Text("A & B <c> \"q\" 'a'".into())));
    assert_eq!(at(0, 1), Some(&Cell::Text("Łódź – café".into())));
    assert_eq!(at(0, 2), Some(&Cell::Text("  padded  ".into())));
    assert_eq!(at(0, 3), Some(&Cell::Text("two\nlines".into())));
    assert_eq!(at(0, 4), None, "a blank text is no value");
    assert_eq!(at(1, 0), Some(&Cell::Number(4.5)));
    assert_eq!(at(1, 2), Some(&Cell::Number(0.125)));
    assert_eq!(at(1, 3), Some(&Cell::Number(7.0)), "a quoted word in a format is no date");
    assert_eq!(at(1, 4), Some(&Cell::Bool(true)));
    assert_eq!(at(2, 0), Some(&Cell::Date(NaiveDate::from_ymd_opt(2024, 3, 15).unwrap())));
    assert_eq!(at(2, 1), Some(&Cell::Number(1.5)), "a duration stays a number");
    assert_eq!(at(2, 2), Some(&Cell::Number(2.0)));
    assert_eq!(at(2, 3), Some(&Cell::Text("ab".into())));
    assert_eq!(at(2, 4), Some(&Cell::Error("#DIV/0!".into())));
    assert_eq!(at(3, 0), Some(&Cell::Text("Study visit".into())));
    assert_eq!(at(3, 1), None);
    assert_eq!(at(1_000, 200), Some(&Cell::Text("far away".into())));
    assert_eq!(cell(&sheets, "Streamed", 0, 0), Some(&Cell::Text("inline & text".into())));
    assert_eq!(cell(&sheets, "Streamed", 1, 0), Some(&Cell::Text(" padded inline ".into())));
}

/// A workbook with the features Excel files carry, at `path`.
fn features_workbook(path: &Path) {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Features & more").unwrap();
    let bold = Format::new().set_bold();
    let day = Format::new().set_num_format("dd/mm/yyyy");
    let duration = Format::new().set_num_format("[h]:mm:ss");
    let percent = Format::new().set_num_format("0.00%");
    let quoted = Format::new().set_num_format("\"Day\" 0");
    sheet.write_string(0, 0, "A & B <c> \"q\" 'a'").unwrap();
    sheet.write_string(0, 1, "Łódź – café").unwrap();
    sheet.write_string(0, 2, "  padded  ").unwrap();
    sheet.write_string(0, 3, "two\nlines").unwrap();
    sheet.write_string(0, 4, "   ").unwrap();
    sheet.write_string(0, 5, "").unwrap();
    sheet.write_string(0, 6, "_x0041_ kept").unwrap();
    sheet.write_string(0, 7, "carriage\r\nreturn").unwrap();
    sheet.write_number(1, 0, 4.5).unwrap();
    sheet.write_number(1, 1, -1e-7).unwrap();
    sheet.write_number_with_format(1, 2, 0.125, &percent).unwrap();
    sheet.write_number_with_format(1, 3, 7.0, &quoted).unwrap();
    sheet.write_boolean(1, 4, true).unwrap();
    sheet.write_boolean(1, 5, false).unwrap();
    let date = ExcelDateTime::from_ymd(2024, 3, 15).unwrap();
    sheet.write_datetime_with_format(2, 0, &date, &day).unwrap();
    sheet.write_number_with_format(2, 1, 1.5, &duration).unwrap();
    sheet.write_formula(2, 2, Formula::new("=1+1").set_result("2")).unwrap();
    sheet.write_formula(2, 3, Formula::new("=\"a\"&\"b\"").set_result("ab")).unwrap();
    sheet.write_formula(2, 4, Formula::new("=1/0").set_result("#DIV/0!")).unwrap();
    sheet.write_rich_string(3, 0, &[(&bold, "Study "), (&Format::default(), "visit")]).unwrap();
    sheet.write_blank(3, 1, &bold).unwrap();
    sheet.write_string(1_000, 200, "far away").unwrap();
    let hidden = workbook.add_worksheet();
    hidden.set_name("Lists").unwrap().set_hidden(true);
    hidden.write_string(0, 0, "study_visit").unwrap();
    let streamed = workbook.add_worksheet_with_constant_memory().unwrap();
    streamed.set_name("Streamed").unwrap();
    streamed.write_string(0, 0, "inline & text").unwrap();
    streamed.write_number(0, 1, 3.0).unwrap();
    streamed.write_string(1, 0, " padded inline ").unwrap();
    workbook.save(path).unwrap();
}

#[test]
fn sample_acceptance_and_synthetic_inputs_are_read_directly_and_the_same() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = Workdir::new();
    let synth = work.path().join("synth");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_peer-eval"))
        .args(["synth", "--out", synth.to_str().unwrap(), "--responses", "600", "--files", "3", "--seed", "3"])
        .output()
        .unwrap();
    assert!(status.status.success());
    let mut dirs = vec![repo.join("input"), synth];
    if let Some(shared) = shared() {
        dirs.push(shared.join("acceptance/public-clean/input"));
    }
    let mut files = 0;
    for dir in dirs {
        for path in xlsx_files(&dir) {
            assert!(agree(&path), "{} was handed to calamine", path.display());
            files += 1;
        }
    }
    assert!(files >= 8, "only {files} files compared");
}

#[test]
fn the_corpus_reads_the_same_both_ways() {
    let Some(shared) = shared() else {
        return;
    };
    let files = xlsx_files(&shared.join("corpus/poi"));
    let direct = files.iter().filter(|path| agree(path)).count();
    println!("corpus: {} xlsx/xlsm files, {direct} read directly, all as calamine reads them", files.len());
    assert!(files.len() > 300);
    assert!(direct * 2 > files.len(), "only {direct} of {} corpus files were read directly", files.len());
}

/// Copy the zip `from` to `to`, passing the XML part `part` through `edit`.
fn rewrite_part(from: &Path, to: &Path, part: &str, edit: impl Fn(&str) -> String) {
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut writer = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        let text = if name == part { edit(&text) } else { text };
        writer.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        writer.write_all(text.as_bytes()).unwrap();
    }
    writer.finish().unwrap();
}

#[test]
fn a_text_far_longer_than_a_read_block_is_read_whole() {
    // rust_xlsxwriter stops at Excel's 32 767 characters a cell; a generated or
    // damaged file can hold one XML text far longer than the reader's 64 KB block.
    let work = Workdir::new();
    let small = work.path().join("small.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet_with_constant_memory().unwrap();
    sheet.write_string(0, 0, "MARK").unwrap();
    sheet.write_number(0, 1, 1.0).unwrap();
    workbook.save(&small).unwrap();
    let long = "y".repeat(3_000_000);
    let path = work.path().join("long.xlsx");
    rewrite_part(&small, &path, "xl/worksheets/sheet1.xml", |xml| xml.replace("MARK", &long));

    assert!(agree(&path), "read directly");
    let sheets = read::read_file(&path, &LimitsConfig::default()).unwrap();
    assert_eq!(cell(&sheets, "Sheet1", 0, 0), Some(&Cell::Text(long)));
    assert_eq!(cell(&sheets, "Sheet1", 0, 1), Some(&Cell::Number(1.0)));
}

#[test]
fn damaged_xml_found_by_fuzzing_reads_as_calamine_reads_it() {
    // Each edit once made the two readers disagree (`examples/fuzz_direct.rs`).
    let work = Workdir::new();
    let base = work.path().join("features.xlsx");
    features_workbook(&base);
    let sheet = "xl/worksheets/sheet1.xml";
    let strings = "xl/sharedStrings.xml";
    let edits: [(&str, &str, &str, &str); 13] = [
        ("a closing bracket inside the XML declaration", strings, "?>", " x=\"1\"><si><t>x</t></si>?>"),
        ("a string before the table opens", strings, "<sst ", "<si><t>stray</t></si><sst "),
        (
            "a sheet inside a defined name",
            "xl/workbook.xml",
            "</workbook>",
            "<definedName name=\"n\"><sheet name=\"Ghost\" sheetId=\"9\" r:id=\"rId1\"/></definedName></workbook>",
        ),
        (
            "a sheet after the workbook ends",
            "xl/workbook.xml",
            "<sheets>",
            "<sheets></workbook><sheet name=\"Late\" sheetId=\"9\" r:id=\"rId1\"/>",
        ),
        ("a repeated cell reference", sheet, "<c r=\"A1\"", "<c r=\"A1\" r=\"B1\""),
        ("attributes run together", sheet, "<c r=\"A2\"", "<c r=\"A2\"s=\"0\""),
        ("an empty style sheet element", "xl/styles.xml", "main\">", "main\"/>"),
        ("an end tag with nothing open", sheet, "<worksheet ", "</x><worksheet "),
        ("an unknown entity in a formula", sheet, "<f>1+1</f>", "<f>1&bogus;</f>"),
        ("a cell style inside another", "xl/styles.xml", "xfId=\"0\"/>", "xfId=\"0\"><xf numFmtId=\"0\"></xf>"),
        ("an unknown entity in a font name", "xl/styles.xml", "val=\"Calibri\"", "val=\"Cali&bogus;bri\""),
        ("an instruction opening with `<?>`", strings, "<?xml", "<?>xml"),
        ("an attribute without a value in a text", strings, "<t>", "<t xml:sp/><t>"),
    ];
    for (what, part, from, to) in edits {
        let path = work.path().join(format!("{}.xlsx", what.replace(' ', "_")));
        rewrite_part(&base, &path, part, |xml| {
            assert!(xml.contains(from), "{what}: `{from}` not in {part}");
            xml.replacen(from, to, 1)
        });
        agree(&path);
    }
}

/// A sheet the direct reader hands to calamine says why under `--verbose`: here a
/// comment inside the sheet's XML, which its tokenizer does not read.
#[test]
fn a_fallback_to_calamine_gives_its_reason_under_verbose() {
    let work = Workdir::new();
    let plain = work.path().join("plain.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Activities").unwrap();
    for (col, header) in ["activity_id", "type", "start_date"].iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    for (col, value) in ["SV-01", "study_visit", "2019-03-04"].iter().enumerate() {
        sheet.write_string(1, col as u16, *value).unwrap();
    }
    workbook.save(&plain).unwrap();
    rewrite_part(&plain, &work.input("register.xlsx"), "xl/worksheets/sheet1.xml", |xml| {
        xml.replacen("<sheetData>", "<!-- exported --><sheetData>", 1)
    });
    let out = work.run(&["run", "--verbose"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let said = stderr(&out);
    assert!(
        said.contains("register.xlsx: sheet `Activities` read by calamine: XML the direct reader does not tokenize"),
        "{said}"
    );
    // The sheet itself is read (by calamine) as usual.
    assert_eq!(work.indicators("all")["indicators"]["activities_total"]["value"], 1);
    // Without --verbose the run says nothing of it.
    assert!(!stderr(&work.run(&["run"])).contains("read by calamine"));
}
