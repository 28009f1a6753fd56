//! The performance floor of SPEC §10: read every cell of every input file with
//! calamine, files in parallel, and do nothing else.
//!
//! ```text
//! cargo run --release --example floor -- DIR
//! ```
//! prints the number of cells and the seconds taken.

use std::time::Instant;

use calamine::{open_workbook_auto, Reader};
use rayon::prelude::*;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "input".to_string());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("input folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("xlsx" | "xlsm" | "xls" | "ods")))
        .collect();
    files.sort();
    let started = Instant::now();
    let cells: usize = files
        .par_iter()
        .map(|path| {
            let Ok(mut workbook) = open_workbook_auto(path) else { return 0 };
            let names = workbook.sheet_names().to_vec();
            names
                .iter()
                .filter_map(|name| workbook.worksheet_range(name).ok())
                .map(|range| range.used_cells().count())
                .sum::<usize>()
        })
        .sum();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{cells} cells in {} files in {seconds:.3} s ({:.2} M cells/s)",
        files.len(),
        cells as f64 / seconds / 1e6
    );
}
