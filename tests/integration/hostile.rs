//! Hostile and broken files, and faults while writing: nothing crashes, inputs
//! are never touched, earlier outputs survive.

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;

#[cfg(unix)]
use sha2::{Digest, Sha256};

use crate::common::*;

fn register(work: &Workdir) {
    work.xlsx(
        "register.xlsx",
        &[(
            "Activities",
            vec![vec![T("activity_id"), T("type"), T("start_date")], vec![T("A"), T("training"), D(2019, 1, 1)]],
        )],
    );
}

/// Rewrite one part of a zip (xlsx) file.
pub fn replace_part(path: &Path, part: &str, content: &[u8]) {
    let bytes = std::fs::read(path).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().to_string();
        let mut data = Vec::new();
        file.read_to_end(&mut data).unwrap();
        out.start_file(name.as_str(), options).unwrap();
        out.write_all(if name == part { content } else { &data }).unwrap();
    }
    std::fs::write(path, out.finish().unwrap().into_inner()).unwrap();
}

fn unreadable_messages(work: &Workdir) -> Vec<String> {
    let (_, v) = work.validate();
    v["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["code"] == "unreadable_file")
        .map(|i| i["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn cells_at_a1_and_xfd1048576_cost_two_cells() {
    let work = Workdir::new();
    register(&work);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.write_string(0, 0, "corner").unwrap();
    sheet.write_string(1_048_575, 16_383, "far corner").unwrap();
    wb.save(work.input("sparse.xlsx")).unwrap();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v 2097152; exec '{}' run", env!("CARGO_BIN_EXE_peer-eval")))
        .current_dir(work.path())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let run = work.run_json("all");
    let sparse = run["inputs"].as_array().unwrap().iter().find(|f| f["path"] == "sparse.xlsx").unwrap();
    assert_eq!(sparse["readable"], true);
}

#[test]
fn parts_that_inflate_past_the_limit_are_refused_before_parsing() {
    let work = Workdir::new();
    register(&work);
    work.config("[limits]\nmax_decompressed_mb = 2\n");
    work.xlsx("bomb.xlsx", &[("Sheet1", vec![vec![T("x")]])]);
    // A 3 MB shared-strings part that deflates to a few kilobytes.
    let mut huge =
        b"<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>"
            .to_vec();
    huge.extend(std::iter::repeat_n(b'a', 3 * 1024 * 1024));
    huge.extend_from_slice(b"</t></si></sst>");
    replace_part(&work.input("bomb.xlsx"), "xl/sharedStrings.xml", &huge);
    assert!(std::fs::metadata(work.input("bomb.xlsx")).unwrap().len() < 100_000);
    let messages = unreadable_messages(&work);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("limits.max_decompressed_mb"), "{}", messages[0]);
    assert_eq!(code(&work.run(&["run"])), 0);
}

#[test]
fn xml_entity_bombs_are_not_expanded() {
    let work = Workdir::new();
    register(&work);
    work.xlsx("entities.xlsx", &[("Sheet1", vec![vec![T("activity_id"), T("recommend")], vec![T("A"), N(9.0)]])]);
    let mut dtd = String::from("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for level in 1..=9 {
        let prev = if level == 1 { "lol".to_string() } else { format!("lol{}", level - 1) };
        dtd.push_str(&format!("<!ENTITY lol{level} \"{}\">", format!("&{prev};").repeat(10)));
    }
    dtd.push_str("]>");
    let sheet = format!(
        "{dtd}<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"
    );
    replace_part(&work.input("entities.xlsx"), "xl/worksheets/sheet1.xml", sheet.as_bytes());
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v 2097152; exec timeout 60 '{}' run", env!("CARGO_BIN_EXE_peer-eval")))
        .current_dir(work.path())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let run = work.run_json("all");
    let text = serde_json::to_string(&run).unwrap();
    assert!(!text.contains("lollollol"), "an entity was expanded");
}

/// Unix permissions and links: built and run on Unix only.
#[cfg(unix)]
#[test]
fn read_only_inputs_are_read_and_left_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let work = Workdir::new();
    register(&work);
    let path = work.input("register.xlsx");
    let before = Sha256::digest(std::fs::read(&path).unwrap());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(work.path().join("input"), std::fs::Permissions::from_mode(0o555)).unwrap();
    let out = work.run(&["run"]);
    std::fs::set_permissions(work.path().join("input"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(Sha256::digest(std::fs::read(&path).unwrap()), before);
    let modified = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(modified, 0o444);
}

#[test]
fn a_full_disk_mid_write_exits_5_and_keeps_earlier_outputs() {
    let work = Workdir::new();
    register(&work);
    assert_eq!(code(&work.run(&["run"])), 0);
    let before = std::fs::read(work.path().join("output/all/report.html")).unwrap();
    // More data, so the next report is larger; then cap file size at 8 KiB with
    // SIGXFSZ ignored, so writes fail with EFBIG as on a full disk.
    work.xlsx(
        "more.xlsx",
        &[(
            "Activities",
            (0..40)
                .map(|i| vec![S(format!("B-{i}")), T("training"), D(2019, 2, 1 + (i % 28) as u8)])
                .chain(std::iter::once(vec![T("activity_id"), T("type"), T("start_date")]))
                .rev()
                .collect(),
        )],
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("trap '' XFSZ; ulimit -f 16; exec '{}' run", env!("CARGO_BIN_EXE_peer-eval")))
        .current_dir(work.path())
        .output()
        .unwrap();
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(stderr(&out).contains("Earlier reports were left as they were"), "{}", stderr(&out));
    assert_eq!(std::fs::read(work.path().join("output/all/report.html")).unwrap(), before);
    let leftovers: Vec<String> = std::fs::read_dir(work.path().join("output"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".staging"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn wait_flag_waits_for_the_lock() {
    let work = Workdir::new();
    register(&work);
    std::fs::create_dir_all(work.path().join("output")).unwrap();
    let lock = peer_eval::publish::lock(&work.path().join("output"), false).unwrap();
    let mut child =
        Command::new(env!("CARGO_BIN_EXE_peer-eval")).args(["run", "--wait"]).current_dir(work.path()).spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(600));
    assert!(child.try_wait().unwrap().is_none(), "the run waits while the lock is held");
    drop(lock);
    assert!(child.wait().unwrap().success());
    assert!(work.path().join("output/all/report.html").exists());
}

/// Fuzzing found this: corpus file 44643.xls with its bytes 381..1236 copied in at
/// offset 13272 makes calamine allocate and zero about 24 GB. The legacy reader
/// runs in a capped child process, so the file is reported and the run goes on.
#[test]
fn fuzz_regression_xls_that_asks_for_24_gb() {
    let Some(shared) = shared() else {
        return;
    };
    let seed = std::fs::read(shared.join("corpus/poi/44643.xls")).unwrap();
    let mut bytes = seed[..13272].to_vec();
    bytes.extend_from_slice(&seed[381..381 + 855]);
    bytes.extend_from_slice(&seed[13272..]);
    let work = Workdir::new();
    register(&work);
    work.write("grown.xls", &bytes);
    work.config("[limits]\nworker_memory_mb = 1024\n");
    let started = std::time::Instant::now();
    let messages = unreadable_messages(&work);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("limits.worker_memory_mb"), "{}", messages[0]);
    assert!(started.elapsed().as_secs() < 60);
    assert_eq!(code(&work.run(&["run"])), 0);
}

/// Fuzzing found this: a shared-strings part declaring uniqueCount="999999999993"
/// made calamine reserve 24 TB and abort. The count is checked against the part's
/// size before calamine sees the file.
#[test]
fn fuzz_regression_forged_shared_string_count() {
    let work = Workdir::new();
    register(&work);
    work.xlsx("forged.xlsx", &[("Sheet1", vec![vec![T("inner")], vec![T("expanded")]])]);
    let sst = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="999999999993"><si><t>inner</t></si><si><t>expanded</t></si></sst>"#;
    replace_part(&work.input("forged.xlsx"), "xl/sharedStrings.xml", sst);
    let messages = unreadable_messages(&work);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("999999999993 shared strings"), "{}", messages[0]);
    // A genuine count far above the unique strings (many references) is fine.
    work.xlsx("many.xlsx", &[("Sheet1", vec![vec![T("x")]; 50])]);
    assert_eq!(unreadable_messages(&work).len(), 1);
    assert_eq!(code(&work.run(&["run"])), 0);
}

#[test]
fn rows_stored_out_of_order_are_read_in_row_order() {
    // The xlsx format wants rows in ascending order; a file that breaks the rule
    // (hand-edited XML, some exporters) is read as if it kept it.
    let work = Workdir::new();
    register(&work);
    let path = work.input("register.xlsx");
    let cell = |r: &str, text: &str| format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#);
    let row = |n: u32, cells: String| format!(r#"<row r="{n}">{cells}</row>"#);
    let rows = [
        row(3, cell("A3", "C") + &cell("B3", "training") + &cell("C3", "2019-03-01")),
        row(1, cell("A1", "activity_id") + &cell("B1", "type") + &cell("C1", "start_date")),
        // Cells of one row out of order too.
        row(2, cell("C2", "2019-02-01") + &cell("A2", "B") + &cell("B2", "study visit")),
    ]
    .concat();
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    );
    replace_part(&path, "xl/worksheets/sheet1.xml", xml.as_bytes());
    let (_, v) = work.validate();
    let sheet = &v["inputs"][0]["sheets"][0];
    assert_eq!((sheet["rows_read"].as_u64(), sheet["rows_accepted"].as_u64()), (Some(2), Some(2)), "{v}");
    let out = work.run(&["run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let indicators = work.indicators("all");
    assert_eq!(value(&indicators, "activities_total"), 2.0);
    assert_eq!(indicators["indicators"]["activities_total"]["breakdowns"]["activity_type"]["study_visit"]["value"], 1);
}
