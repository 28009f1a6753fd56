//! Locking the output folder and publishing a run's files atomically.
//!
//! All files are first written into a staging folder beside the target
//! (`output/.staging-<label>-<pid>`), flushed to disk (one `syncfs`), then swapped in with
//! renames. A run killed at any moment therefore leaves either the previous
//! complete `output/<label>/` or the new complete one (on Linux the two folders
//! are exchanged in one `renameat2` call, so the folder never goes missing, even
//! for an instant); stale staging folders of
//! killed runs are removed by the next run, under the lock.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Name of the lock file inside the output folder.
pub const LOCK_FILE: &str = ".peer-eval.lock";

/// An exclusive lock on an output folder, released on drop.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// Why the lock could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// Another run holds it (exit 4).
    Held,
    /// The folder or lock file cannot be created (exit 5).
    Io(std::io::Error),
}

/// Take the lock on `output`, creating the folder if needed; with `wait`, block
/// until the other run finishes.
///
/// # Errors
/// [`LockError::Held`] when another run holds it and `wait` is false.
pub fn lock(output: &Path, wait: bool) -> Result<Lock, LockError> {
    fs::create_dir_all(output).map_err(LockError::Io)?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(output.join(LOCK_FILE))
        .map_err(LockError::Io)?;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Lock { _file: file }),
            Err(fs::TryLockError::WouldBlock) if wait => std::thread::sleep(Duration::from_millis(200)),
            Err(fs::TryLockError::WouldBlock) => return Err(LockError::Held),
            Err(fs::TryLockError::Error(err)) => return Err(LockError::Io(err)),
        }
    }
}

/// Write `files` (relative path, bytes) as `output/<label>/`, replacing the
/// previous folder atomically.
///
/// # Errors
/// Any failure to write; the previous folder is then left untouched.
pub fn publish(output: &Path, label: &str, files: &[(PathBuf, Vec<u8>)]) -> std::io::Result<PathBuf> {
    remove_stale(output);
    let pid = std::process::id();
    let staging = output.join(format!(".staging-{label}-{pid}"));
    let result = write_all(&staging, files);
    if let Err(err) = result {
        let _ = fs::remove_dir_all(&staging);
        return Err(err);
    }
    let target = output.join(label);
    if target.exists() && exchange(&staging, &target).is_ok() {
        // The new folder is in place in one step; the staging name now holds the old one.
        let _ = fs::remove_dir_all(&staging);
        sync_dir(output);
        return Ok(target);
    }
    let old = output.join(format!(".old-{label}-{pid}"));
    let had_previous = target.exists();
    if had_previous {
        fs::rename(&target, &old)?;
    }
    if let Err(err) = fs::rename(&staging, &target) {
        if had_previous {
            let _ = fs::rename(&old, &target);
        }
        let _ = fs::remove_dir_all(&staging);
        return Err(err);
    }
    if had_previous {
        let _ = fs::remove_dir_all(&old);
    }
    sync_dir(output);
    Ok(target)
}

/// Swap two paths atomically (Linux `renameat2` with `RENAME_EXCHANGE`), so that
/// readers see the old folder or the new one, never no folder.
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    let b = CString::new(b.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    // SAFETY: both paths are valid NUL-terminated strings for the duration of the call.
    let status =
        unsafe { libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_EXCHANGE) };
    if status == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

fn write_all(staging: &Path, files: &[(PathBuf, Vec<u8>)]) -> std::io::Result<()> {
    use rayon::prelude::*;
    fs::create_dir_all(staging)?;
    let folders: std::collections::BTreeSet<&Path> =
        files.iter().filter_map(|(relative, _)| relative.parent()).collect();
    for folder in folders {
        fs::create_dir_all(staging.join(folder))?;
    }
    files.par_iter().try_for_each(|(relative, bytes)| File::create(staging.join(relative))?.write_all(bytes))?;
    sync_filesystem(staging)
}

/// Flush everything written to the staging folder's file system in one call
/// (one `syncfs` instead of an `fsync` per page).
fn sync_filesystem(dir: &Path) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let handle = File::open(dir)?;
    // SAFETY: the descriptor is valid for the duration of the call.
    if unsafe { libc::syncfs(handle.as_raw_fd()) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

fn sync_dir(dir: &Path) {
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// Remove staging and old folders left by killed runs.
fn remove_stale(output: &Path) {
    let Ok(entries) = fs::read_dir(output) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with(".staging-") || name.starts_with(".old-") {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_replaces_the_previous_folder() {
        let dir = tempfile::tempdir().unwrap();
        publish(dir.path(), "all", &[(PathBuf::from("a.txt"), b"one".to_vec())]).unwrap();
        publish(dir.path(), "all", &[(PathBuf::from("b/c.txt"), b"two".to_vec())]).unwrap();
        assert!(!dir.path().join("all/a.txt").exists());
        assert_eq!(fs::read(dir.path().join("all/b/c.txt")).unwrap(), b"two");
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.starts_with(".staging") || n.starts_with(".old"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn second_lock_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let _held = lock(dir.path(), false).unwrap();
        assert!(matches!(lock(dir.path(), false), Err(LockError::Held)));
    }
}
