//! A differential fuzzer for the direct xlsx reader (`src/ingest/xlsx/`): it
//! mutates the XML parts of xlsx/xlsm seeds (XML-shaped insertions such as
//! comments, entities, prefixes, quotes, carriage returns and `_xHHHH_` escapes;
//! deleted, duplicated and swapped chunks) and checks that the direct reader and
//! calamine read every mutant to the same cells or the same error.
//!
//! ```text
//! cargo run --release --example fuzz_direct -- ../shared/corpus/poi 600 fuzz-direct-out
//! ```
//! runs for 600 s; a mutant read differently is kept in `fuzz-direct-out/` with
//! both readings. `fuzz_direct --check FILE…` compares the readers on kept files.
//! Runs in-process: calamine's own aborts (none known on the checked paths) would
//! end it.

use std::io::{Cursor, Read, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use peer_eval::config::LimitsConfig;
use peer_eval::ingest::read;

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

const PIECES: [&str; 24] = [
    "<!--x-->",
    "&amp;",
    "&#10;",
    "&#x41;",
    "&bogus;",
    "\r\n",
    "\r",
    "_x0041_",
    "_x000D_",
    "<x:c r=\"A1\">",
    " t=\"s\"",
    " t=\"str\"",
    " t=\"b\"",
    " s=\"1\"",
    " r=\"B2\"",
    "<v>1</v>",
    "</c>",
    "<c r=\"A1\"/>",
    "'",
    "\"",
    ">",
    "<",
    "<![CDATA[y]]>",
    " xml:space=\"preserve\"",
];

fn mutate_text(data: &mut Vec<u8>, rng: &mut Rng) {
    let at = rng.below(data.len() + 1);
    match rng.below(4) {
        0 => {
            let piece = PIECES[rng.below(PIECES.len())].as_bytes();
            data.splice(at..at, piece.iter().copied());
        }
        1 => {
            let end = (at + 1 + rng.below(40)).min(data.len());
            data.drain(at.min(end)..end);
        }
        2 => {
            let end = (at + 1 + rng.below(80)).min(data.len());
            let chunk = data[at.min(end)..end].to_vec();
            let to = rng.below(data.len() + 1);
            data.splice(to..to, chunk);
        }
        _ => {
            // Swap a tag for another found nearby.
            if let (Some(a), Some(b)) = (find_tag(data, at), find_tag(data, rng.below(data.len() + 1))) {
                if a.1 <= b.0 || b.1 <= a.0 {
                    let (first, second) = if a.0 < b.0 { (a, b) } else { (b, a) };
                    let mut out = data[..first.0].to_vec();
                    out.extend_from_slice(&data[second.0..second.1]);
                    out.extend_from_slice(&data[first.1..second.0]);
                    out.extend_from_slice(&data[first.0..first.1]);
                    out.extend_from_slice(&data[second.1..]);
                    *data = out;
                }
            }
        }
    }
}

/// The `<…>` tag at or after `from`, as a byte range.
fn find_tag(data: &[u8], from: usize) -> Option<(usize, usize)> {
    let start = data.get(from..)?.iter().position(|&b| b == b'<')? + from;
    let end = data[start..].iter().position(|&b| b == b'>')? + start + 1;
    Some((start, end))
}

/// Mutate one XML part (mostly a worksheet, the shared strings or the styles).
fn mutate_zip(data: &[u8], rng: &mut Rng) -> Option<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(data)).ok()?;
    let names: Vec<String> = archive.file_names().filter_map(Result::ok).map(|n| n.to_string()).collect();
    let xml: Vec<&String> = names.iter().filter(|n| n.ends_with(".xml") || n.ends_with(".rels")).collect();
    let preferred: Vec<&String> =
        xml.iter().copied().filter(|n| n.contains("worksheets/") || n.contains("sharedStrings")).collect();
    let target = if !preferred.is_empty() && rng.below(4) > 0 {
        preferred[rng.below(preferred.len())].clone()
    } else {
        (*xml.get(rng.below(xml.len()))?).clone()
    };
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for name in &names {
        let mut entry = archive.by_name(name).ok()?;
        if entry.size() > 64 * 1024 * 1024 {
            return None;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).ok()?;
        if *name == target {
            for _ in 0..1 + rng.below(3) {
                mutate_text(&mut bytes, rng);
            }
        }
        out.start_file(name.clone(), options).ok()?;
        out.write_all(&bytes).ok()?;
    }
    Some(out.finish().ok()?.into_inner())
}

/// Compare the two readers on `path`; true when they agree.
fn readers_agree(path: &std::path::Path, limits: &LimitsConfig) -> bool {
    read::read_file(path, limits).map_err(|e| e.to_string())
        == read::read_xlsx_with_calamine(path, limits).map_err(|e| e.to_string())
}

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("--check") {
        let limits = LimitsConfig::default();
        for path in args.skip(1) {
            let verdict = if readers_agree(path.as_ref(), &limits) { "agree" } else { "DISAGREE" };
            println!("{verdict}  {path}");
        }
        return;
    }
    let seeds = PathBuf::from(args.next().unwrap_or_else(|| "../shared/corpus/poi".into()));
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(600);
    let out_dir = PathBuf::from(args.next().unwrap_or_else(|| "fuzz-direct-out".into()));
    std::fs::create_dir_all(&out_dir).expect("output folder");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&seeds)
        .expect("seed folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(read::extension_of(p).as_str(), "xlsx" | "xlsm"))
        .collect();
    files.sort();
    let seeds: Vec<Vec<u8>> =
        files.iter().filter_map(|p| std::fs::read(p).ok()).filter(|b| b.len() < 4 << 20).collect();
    let limits = LimitsConfig::default();
    let scratch = out_dir.join("current.xlsx");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut rounds, mut same_error, mut mismatches) = (0u64, 0u64, 0u64);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(seconds) {
        let seed = &seeds[rng.below(seeds.len())];
        let Some(mutant) = mutate_zip(seed, &mut rng) else { continue };
        std::fs::write(&scratch, &mutant).expect("scratch file");
        rounds += 1;
        if readers_agree(&scratch, &limits) {
            same_error += u64::from(read::read_file(&scratch, &limits).is_err());
            continue;
        }
        let direct = read::read_file(&scratch, &limits);
        let reference = read::read_xlsx_with_calamine(&scratch, &limits);
        mismatches += 1;
        let name = format!("mismatch-{mismatches:04}");
        std::fs::write(out_dir.join(format!("{name}.xlsx")), &mutant).expect("keep mutant");
        std::fs::write(
            out_dir.join(format!("{name}.txt")),
            format!("direct:\n{direct:?}\n\ncalamine:\n{reference:?}\n"),
        )
        .expect("keep readings");
        eprintln!("{name}: the readers disagree");
    }
    let _ = std::fs::remove_file(&scratch);
    println!(
        "{rounds} mutants in {:.0} s: {mismatches} read differently, {same_error} refused alike by both",
        started.elapsed().as_secs_f64()
    );
}
