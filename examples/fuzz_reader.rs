//! A mutation fuzzer for the reader + parser entry point (`read_file`), seeded
//! with the spreadsheet corpus. cargo-fuzz needs a nightly toolchain, which this
//! project's machines do not have; this harness runs on stable.
//!
//! ```text
//! cargo run --release --example fuzz_reader -- ../shared/corpus/poi 1800 fuzz-out
//! ```
//! runs for 1800 s (build the binary first: `cargo build --release`). Each round
//! mutates a seed (byte flips, truncation, inserted and duplicated chunks, or, for
//! zip-based files, the same inside one zip part) and runs the real entry point,
//! `peer-eval validate --json`, on it, under an 8 GiB address-space cap. An input is
//! kept in `fuzz-out/` when the process crashes, exits with a code other than 0 or
//! 1, or takes more than 20 s. Reader panics that the program contains (reported
//! as `unreadable_file`) are counted separately.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

fn mutate_bytes(data: &mut Vec<u8>, rng: &mut Rng) {
    match rng.below(5) {
        0 => {
            for _ in 0..1 + rng.below(16) {
                let i = rng.below(data.len());
                if let Some(b) = data.get_mut(i) {
                    *b ^= 1 << rng.below(8);
                }
            }
        }
        1 => data.truncate(rng.below(data.len() + 1)),
        2 => {
            let i = rng.below(data.len() + 1);
            let extra: Vec<u8> = (0..1 + rng.below(64)).map(|_| rng.next() as u8).collect();
            data.splice(i..i, extra);
        }
        3 => {
            let a = rng.below(data.len());
            let len = rng.below((data.len() - a).min(4096) + 1);
            let chunk = data[a..a + len].to_vec();
            let at = rng.below(data.len() + 1);
            data.splice(at..at, chunk);
        }
        _ => {
            let interesting: [&[u8]; 6] = [b"99999999999", b"-1", b"\"", b"<", b"&lol;", b"XFD1048576"];
            let i = rng.below(data.len() + 1);
            data.splice(i..i, interesting[rng.below(interesting.len())].iter().copied());
        }
    }
}

/// Mutate inside one part of a zip, keeping the container valid.
fn mutate_zip(data: &[u8], rng: &mut Rng) -> Option<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(data)).ok()?;
    let target = rng.below(archive.len());
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).ok()?;
        let name = file.name().ok()?.to_string();
        let mut part = Vec::new();
        file.read_to_end(&mut part).ok()?;
        if i == target {
            mutate_bytes(&mut part, rng);
        }
        out.start_file(name.as_str(), options).ok()?;
        out.write_all(&part).ok()?;
    }
    Some(out.finish().ok()?.into_inner())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seeds_dir = PathBuf::from(args.get(1).cloned().unwrap_or_else(|| "../shared/corpus/poi".into()));
    let seconds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(60);
    let out = PathBuf::from(args.get(3).cloned().unwrap_or_else(|| "fuzz-out".into()));
    std::fs::create_dir_all(&out).unwrap();
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(&seeds_dir)
        .expect("seed folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| peer_eval::ingest::EXTENSIONS.contains(&peer_eval::ingest::read::extension_of(p).as_str()))
        .collect();
    seeds.sort();
    let binary = std::fs::canonicalize("target/release/peer-eval").expect("build target/release/peer-eval first");
    let case_dir = out.join("case");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let started = Instant::now();
    let (mut rounds, mut findings, mut contained) = (0u64, 0u64, 0u64);
    while started.elapsed() < Duration::from_secs(seconds) {
        let seed = &seeds[rng.below(seeds.len())];
        let ext = peer_eval::ingest::read::extension_of(seed);
        let original = std::fs::read(seed).unwrap();
        let mut data = original.clone();
        let zipped = matches!(ext.as_str(), "xlsx" | "xlsm" | "ods") && rng.below(3) > 0;
        if zipped {
            if let Some(m) = mutate_zip(&original, &mut rng) {
                data = m;
            }
        } else {
            mutate_bytes(&mut data, &mut rng);
        }
        let _ = std::fs::remove_dir_all(&case_dir);
        std::fs::create_dir_all(&case_dir).unwrap();
        let case = case_dir.join(format!("case.{ext}"));
        std::fs::write(&case, &data).unwrap();
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "cd '{}' && ulimit -v 8388608 && exec '{}' validate --json --input . >/dev/null",
                case_dir.display(),
                binary.display()
            ))
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let t = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if t.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        rounds += 1;
        let mut err = String::new();
        let _ = child.stderr.take().map(|mut e| e.read_to_string(&mut err));
        if err.contains("panicked") {
            contained += 1;
        }
        if status.as_ref().is_none_or(|s| !matches!(s.code(), Some(0) | Some(1))) {
            findings += 1;
            let kind = match status {
                None => "hang".to_string(),
                Some(s) => format!("exit-{}", s.code().map(|c| c.to_string()).unwrap_or_else(|| "signal".into())),
            };
            let name = format!("{kind}-{rounds}-{}.{ext}", seed.file_stem().unwrap().to_string_lossy());
            std::fs::copy(&case, out.join(&name)).unwrap();
            println!("finding {name}: {}", err.lines().next().unwrap_or(""));
        }
    }
    let _ = std::fs::remove_dir_all(&case_dir);
    println!(
        "{rounds} inputs in {seconds} s from {} seeds; {findings} findings kept in {}; {contained} reader panics contained",
        seeds.len(),
        out.display()
    );
}
