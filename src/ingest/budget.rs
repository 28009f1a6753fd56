//! One memory budget for the whole run (`limits.run_memory_mb`): files are read in
//! parallel only as far as their estimated needs fit in it together, and a file
//! that could not fit even alone is not read (`unreadable_file`, naming the limit).
//!
//! A file's need is estimated before it is parsed, from its size and its zip
//! directory: an xlsx keeps its shared strings in memory (about three times their
//! XML), a legacy `.xls` or `.ods` is parsed by a child process whose memory cap is
//! its reservation, so a file that inflates past its estimate stops its own child
//! and nothing else.

use std::io::{Cursor, Read};
use std::sync::{Condvar, Mutex};

use crate::config::LimitsConfig;

const MB: u64 = 1024 * 1024;

/// The smallest memory cap given to a child process that reads a legacy file.
const WORKER_FLOOR_MB: u64 = 512;

/// Memory shared by the files being read at the same time.
#[derive(Debug)]
pub struct Budget {
    total_mb: u64,
    used_mb: Mutex<u64>,
    freed: Condvar,
}

impl Budget {
    /// `limits.run_memory_mb`, or an eighth of the machine's memory (at least 1 GB).
    pub fn new(limits: &LimitsConfig) -> Budget {
        let total_mb = limits.run_memory_mb.unwrap_or_else(|| (machine_memory_mb() / 8).max(1024));
        Budget { total_mb, used_mb: Mutex::new(0), freed: Condvar::new() }
    }

    pub fn total_mb(&self) -> u64 {
        self.total_mb
    }

    /// Wait until `need_mb` fits beside the files being read, and hold it until the
    /// reservation is dropped; a need over the whole budget is refused at once.
    ///
    /// # Errors
    /// The need is larger than the whole budget: a plain-language reason.
    pub fn reserve(&self, need_mb: u64) -> Result<Reservation<'_>, String> {
        if need_mb > self.total_mb {
            return Err(format!(
                "reading it would need about {need_mb} MB of memory, more than the run's budget of {} MB (limits.run_memory_mb); it may be built to exhaust memory",
                self.total_mb
            ));
        }
        let mut used = self.used_mb.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        while *used + need_mb > self.total_mb {
            used = self.freed.wait(used).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *used += need_mb;
        Ok(Reservation { budget: self, mb: need_mb })
    }
}

/// Memory held for one file while it is read.
#[derive(Debug)]
pub struct Reservation<'a> {
    budget: &'a Budget,
    mb: u64,
}

impl Reservation<'_> {
    pub fn mb(&self) -> u64 {
        self.mb
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        let mut used = self.budget.used_mb.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *used = used.saturating_sub(self.mb);
        self.budget.freed.notify_all();
    }
}

/// The estimated memory, in MB, that reading a file of this kind takes.
pub fn need_mb(extension: &str, bytes: &[u8]) -> u64 {
    let file = bytes.len() as u64;
    let need = match extension {
        "xlsx" | "xlsm" => file + 3 * part_sizes(bytes, |name| name.ends_with("sharedstrings.xml")) + 32 * MB,
        "ods" => (file + 8 * part_sizes(bytes, |name| name == "content.xml")).max(WORKER_FLOOR_MB * MB),
        "xls" => (12 * file).max(WORKER_FLOOR_MB * MB),
        // A CSV is decoded whole and its cells collected: about four times its size.
        _ => 4 * file + 16 * MB,
    };
    need.div_ceil(MB)
}

/// The child process's memory cap for a legacy file: its reservation, never more
/// than `limits.worker_memory_mb`.
pub fn worker_limits(limits: &LimitsConfig, reserved_mb: u64) -> LimitsConfig {
    LimitsConfig { worker_memory_mb: limits.worker_memory_mb.min(reserved_mb.max(WORKER_FLOOR_MB)), ..limits.clone() }
}

/// The uncompressed size of the zip parts whose lower-case name passes `wanted`.
fn part_sizes(bytes: &[u8], wanted: impl Fn(&str) -> bool) -> u64 {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else { return 0 };
    (0..archive.len())
        .filter_map(|i| {
            let entry = archive.by_index_raw(i).ok()?;
            let name = entry.name().ok()?.to_ascii_lowercase();
            Some((name, entry.size()))
        })
        .filter(|(name, _)| wanted(name))
        .map(|(_, size)| size)
        .sum()
}

/// Total memory of this machine (Linux), else 8 GB.
fn machine_memory_mb() -> u64 {
    let mut text = String::new();
    let read = std::fs::File::open("/proc/meminfo").and_then(|mut f| f.read_to_string(&mut text));
    read.ok()
        .and_then(|_| {
            text.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(8192, |kb| kb / 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_wait_for_room_and_too_much_is_refused() {
        let limits = LimitsConfig { run_memory_mb: Some(100), ..LimitsConfig::default() };
        let budget = Budget::new(&limits);
        assert!(budget.reserve(101).unwrap_err().contains("100 MB (limits.run_memory_mb)"));
        let first = budget.reserve(60).unwrap();
        std::thread::scope(|scope| {
            let waiting = scope.spawn(|| budget.reserve(60).map(|r| r.mb()));
            std::thread::sleep(std::time::Duration::from_millis(50));
            assert!(!waiting.is_finished(), "60 + 60 MB do not fit in 100");
            drop(first);
            assert_eq!(waiting.join().unwrap(), Ok(60));
        });
    }

    #[test]
    fn needs_follow_the_parts_that_are_held() {
        // A CSV of 1 MB: 4 MB + 16 MB.
        assert_eq!(need_mb("csv", &vec![b'a'; 1024 * 1024]), 20);
        // A legacy file gets at least the floor, and its child no more than its reservation.
        assert_eq!(need_mb("xls", b"tiny"), WORKER_FLOOR_MB);
        assert_eq!(worker_limits(&LimitsConfig::default(), 700).worker_memory_mb, 700);
        assert_eq!(worker_limits(&LimitsConfig::default(), 9000).worker_memory_mb, 4096);
    }
}
