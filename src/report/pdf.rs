//! `report.pdf` (`report.pdf = true` or `--pdf`): the HTML report printed to A4 by
//! a headless Chromium found on the machine. Without one, the run says which
//! package to install and publishes the rest.
//!
//! The PDF is not byte-identical across runs: Chromium stamps its creation time.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Browsers tried, in order, on the PATH (`PEER_EVAL_CHROMIUM` names one instead).
const BROWSERS: [&str; 5] = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"];

/// The Chromium to print with, if one is installed.
pub fn browser() -> Option<PathBuf> {
    if let Some(named) = std::env::var_os("PEER_EVAL_CHROMIUM") {
        return Some(PathBuf::from(named));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| BROWSERS.map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Print `html` (a self-contained page) to PDF with `browser`.
///
/// # Errors
/// Chromium could not be started or printed nothing: a plain-language reason.
pub fn print(browser: &Path, html: &[u8]) -> Result<Vec<u8>, String> {
    let dir = tempfile_dir()?;
    let page = dir.join("report.html");
    let pdf = dir.join("report.pdf");
    std::fs::write(&page, html).map_err(|err| format!("cannot write a temporary copy of the report: {err}"))?;
    let status = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|err| format!("cannot start {}: {err}", browser.display()));
    let bytes = status.and_then(|_| std::fs::read(&pdf).map_err(|_| "Chromium printed no PDF".to_string()));
    let _ = std::fs::remove_dir_all(&dir);
    match bytes {
        Ok(bytes) if bytes.starts_with(b"%PDF") => Ok(bytes),
        Ok(_) => Err("Chromium's output is not a PDF".to_string()),
        Err(reason) => Err(reason),
    }
}

/// A fresh private folder under the system's temporary folder.
fn tempfile_dir() -> Result<PathBuf, String> {
    let base = std::env::temp_dir();
    for attempt in 0..100u32 {
        let dir = base.join(format!("peer-eval-pdf-{}-{attempt}", std::process::id()));
        if std::fs::create_dir(&dir).is_ok() {
            return Ok(dir);
        }
    }
    Err("cannot make a temporary folder to print the PDF in".to_string())
}
