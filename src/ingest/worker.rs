//! Legacy `.xls` and `.ods` files are parsed in a child process with a memory
//! cap and a time limit.
//!
//! calamine reads these formats whole, trusting size fields inside the file: a
//! damaged `.xls` found by fuzzing made it allocate and zero 24 GB. An
//! allocation failure aborts a process and cannot be caught, so the parse runs in
//! `peer-eval read-worker FILE`, under `RLIMIT_AS` = `limits.worker_memory_mb`; if
//! the child dies or overruns `limits.worker_seconds`, the file is reported
//! unreadable and the run goes on. xlsx/xlsm are streamed in-process (no such
//! allocation) and csv is plain text.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::cells::Sheet;
use super::error::ReadError;
use crate::config::LimitsConfig;

static WORKER: OnceLock<PathBuf> = OnceLock::new();

/// Use `exe read-worker` for legacy formats (called once by the binary's `main`).
pub fn enable(exe: PathBuf) {
    let _ = WORKER.set(exe);
}

/// Whether legacy files go to a child process.
pub fn enabled() -> bool {
    WORKER.get().is_some()
}

/// Cap the child's address space at `bytes` (Linux `RLIMIT_AS`). Elsewhere the
/// child has no memory cap; the time limit still holds.
#[cfg(target_os = "linux")]
fn cap_memory(command: &mut Command, bytes: u64) {
    use std::os::unix::process::CommandExt;
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(move || {
            let limit = libc::rlimit { rlim_cur: bytes as libc::rlim_t, rlim_max: bytes as libc::rlim_t };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn cap_memory(_command: &mut Command, _bytes: u64) {}

/// The parent's side: read `path` in a capped child process.
pub fn read(path: &Path, limits: &LimitsConfig) -> Result<Vec<Sheet>, ReadError> {
    let exe = WORKER.get().expect("worker enabled");
    let memory = limits.worker_memory_mb.saturating_mul(1024 * 1024);
    let mut command = Command::new(exe);
    command
        .arg("read-worker")
        .arg(path)
        .arg("--max-cells")
        .arg(limits.max_cells_per_sheet.to_string())
        .arg("--max-decompressed-mb")
        .arg(limits.max_decompressed_mb.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    cap_memory(&mut command, memory);
    let mut child = command.spawn().map_err(|err| ReadError::Limit(format!("cannot start the file reader: {err}")))?;
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.read_to_end(&mut bytes);
        bytes
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > Duration::from_secs(limits.worker_seconds) => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = reader.join();
                return Err(ReadError::Limit(format!(
                    "reading it took more than {} s (limits.worker_seconds); it may be damaged or built to stall readers",
                    limits.worker_seconds
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(err) => return Err(ReadError::Limit(format!("the file reader failed: {err}"))),
        }
    };
    let bytes = reader.join().unwrap_or_default();
    if !status.success() {
        return Err(ReadError::Limit(format!(
            "the spreadsheet reader stopped on this file (it needed more than {} MB of memory: its share of the run's memory budget, limits.run_memory_mb, at most limits.worker_memory_mb; or it crashed); it is probably damaged or built to exhaust memory",
            limits.worker_memory_mb
        )));
    }
    serde_json::from_slice::<Result<Vec<Sheet>, String>>(&bytes)
        .map_err(|_| ReadError::from("the file reader returned no result; the file is probably damaged"))?
        .map_err(ReadError::InChild)
}
