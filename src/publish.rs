//! Locking the output folder and publishing a run's files atomically.
//!
//! All files are first written into a staging folder beside the target
//! (`output/.staging-<label>-<pid>`), flushed to disk (one `syncfs`), then swapped in with
//! renames. A run killed at any moment therefore leaves either the previous
//! complete `output/<label>/` or the new complete one (on Linux the two folders
//! are exchanged in one `renameat2` call, so the folder never goes missing, even
//! for an instant; elsewhere the old folder is renamed aside first, and for that
//! instant there is none). Linux flushes with one `syncfs`; elsewhere each file
//! is flushed. The folder replaced stays as `output/.spare-<label>` and is
//! the next run's staging folder; folders left by killed runs are reused or
//! removed by the next run, under the lock.

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
/// The folder replaced is kept as `output/.spare-<label>/` and becomes the next
/// run's staging folder: its files are overwritten in place (or left alone when
/// their bytes are already right) and only the surplus deleted, because creating
/// and deleting hundreds of files (one page per activity) costs more on ext4 than
/// rewriting them.
///
/// # Errors
/// Any failure to write; the previous folder is then left untouched.
pub fn publish(output: &Path, label: &str, files: &[(PathBuf, Vec<u8>)]) -> std::io::Result<PathBuf> {
    let pid = std::process::id();
    let staging = output.join(format!(".staging-{label}-{pid}"));
    let spare = output.join(format!(".spare-{label}"));
    let reused = take_spare(output, label, &staging);
    let mut result = write_all(&staging, files, reused);
    if result.is_err() && reused {
        // The spare could not be rewritten (a read-only file, say): start afresh.
        let _ = fs::remove_dir_all(&staging);
        result = write_all(&staging, files, false);
    }
    if let Err(err) = result {
        let _ = fs::remove_dir_all(&staging);
        return Err(err);
    }
    let target = output.join(label);
    if target.exists() && exchange(&staging, &target).is_ok() {
        // The new folder is in place in one step; the staging name now holds the old one.
        if fs::rename(&staging, &spare).is_err() {
            let _ = fs::remove_dir_all(&staging);
        }
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
    if had_previous && fs::rename(&old, &spare).is_err() {
        let _ = fs::remove_dir_all(&old);
    }
    sync_dir(output);
    Ok(target)
}

/// Move the spare folder of `label` (or a folder left by a killed run) to
/// `staging`; remove the other leftovers. True when a folder was moved.
fn take_spare(output: &Path, label: &str, staging: &Path) -> bool {
    let Ok(entries) = fs::read_dir(output) else { return false };
    let mut leftovers: Vec<(u8, PathBuf)> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().to_string();
            let rank = if name == format!(".spare-{label}") {
                0
            } else if name.starts_with(&format!(".staging-{label}-")) || name.starts_with(&format!(".old-{label}-")) {
                1
            } else if name.starts_with(".staging-") || name.starts_with(".old-") {
                2
            } else {
                return None;
            };
            entry.file_type().is_ok_and(|t| t.is_dir()).then(|| (rank, entry.path()))
        })
        .collect();
    leftovers.sort();
    let mut reused = false;
    for (rank, path) in leftovers {
        if !reused && rank < 2 && fs::rename(&path, staging).is_ok() {
            reused = true;
        } else if rank > 0 {
            let _ = fs::remove_dir_all(&path);
        }
    }
    reused
}

/// Delete from a reused staging folder everything that is not one of `files` or
/// a folder holding one of them.
fn prune(staging: &Path, files: &[(PathBuf, Vec<u8>)]) -> std::io::Result<()> {
    let keep: std::collections::HashSet<PathBuf> = files.iter().map(|(relative, _)| staging.join(relative)).collect();
    let folders: std::collections::HashSet<PathBuf> =
        keep.iter().flat_map(|path| path.ancestors().skip(1)).map(Path::to_path_buf).collect();
    let mut pending = vec![staging.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let path = entry.path();
            let is_dir = entry.file_type()?.is_dir();
            if is_dir && folders.contains(&path) {
                pending.push(path);
            } else if is_dir {
                fs::remove_dir_all(&path)?;
            } else if !keep.contains(&path) {
                fs::remove_file(&path)?;
            }
        }
    }
    Ok(())
}

/// Swap two paths atomically (Linux `renameat2` with `RENAME_EXCHANGE`), so that
/// readers see the old folder or the new one, never no folder.
#[cfg(target_os = "linux")]
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

/// Elsewhere there is no atomic exchange: [`publish`] renames the old folder
/// aside and the new one in (the folder is missing between the two renames).
#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

fn write_all(staging: &Path, files: &[(PathBuf, Vec<u8>)], reused: bool) -> std::io::Result<()> {
    use rayon::prelude::*;
    fs::create_dir_all(staging)?;
    if reused {
        prune(staging, files)?;
    }
    let folders: std::collections::BTreeSet<&Path> =
        files.iter().filter_map(|(relative, _)| relative.parent()).collect();
    for folder in folders {
        fs::create_dir_all(staging.join(folder))?;
    }
    files.par_iter().try_for_each(|(relative, bytes)| write_file(&staging.join(relative), bytes, reused))?;
    sync_filesystem(staging)
}

/// Write one file. In a reused folder a file that already holds `bytes` is left
/// alone, and any other is overwritten in place: truncating it to nothing first
/// would make ext4 free its blocks, allocate new ones and flush them on close.
/// Anything at the path that is not a plain file (a symbolic link, say), or a file
/// with another name elsewhere (a hard link), is replaced, so that nothing outside
/// the folder changes.
#[cfg(unix)]
fn write_file(path: &Path, bytes: &[u8], reused: bool) -> std::io::Result<()> {
    use std::io::Read;
    use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
    if reused {
        match OpenOptions::new().read(true).write(true).custom_flags(libc::O_NOFOLLOW).open(path) {
            Ok(mut file) => {
                let meta = file.metadata()?;
                let new_len = bytes.len() as u64;
                if meta.is_file() && meta.len() == new_len {
                    let mut old = Vec::with_capacity(bytes.len());
                    file.read_to_end(&mut old)?;
                    if old == bytes {
                        return Ok(());
                    }
                }
                if meta.is_file() && meta.nlink() == 1 {
                    file.write_all_at(bytes, 0)?;
                    if meta.len() > new_len {
                        file.set_len(new_len)?;
                    }
                    return Ok(());
                }
                drop(file);
                fs::remove_file(path)?;
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(_) => fs::remove_file(path)?,
        }
    }
    File::create(path)?.write_all(bytes)
}

/// Write one file. Without Unix's `O_NOFOLLOW` and link counts, anything already
/// at the path in a reused folder is removed first (unless it is a plain file
/// holding `bytes`), so that a link never carries the write outside the folder.
#[cfg(not(unix))]
fn write_file(path: &Path, bytes: &[u8], reused: bool) -> std::io::Result<()> {
    write_file_replacing(path, bytes, reused)
}

/// The portable [`write_file`] (compiled everywhere, so that its test runs here).
#[cfg_attr(unix, allow(dead_code))]
fn write_file_replacing(path: &Path, bytes: &[u8], reused: bool) -> std::io::Result<()> {
    if reused {
        match fs::symlink_metadata(path) {
            Ok(meta) if meta.is_file() && meta.len() == bytes.len() as u64 && fs::read(path)? == bytes => return Ok(()),
            Ok(meta) if meta.is_dir() => fs::remove_dir_all(path)?,
            Ok(_) => fs::remove_file(path)?,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(err),
        }
    }
    File::create(path)?.write_all(bytes)
}

/// Flush everything written to the staging folder's file system in one call
/// (one `syncfs` instead of an `fsync` per page).
#[cfg(target_os = "linux")]
fn sync_filesystem(dir: &Path) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let handle = File::open(dir)?;
    // SAFETY: the descriptor is valid for the duration of the call.
    if unsafe { libc::syncfs(handle.as_raw_fd()) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Without `syncfs`, flush every file of the staging folder one by one.
#[cfg(not(target_os = "linux"))]
fn sync_filesystem(dir: &Path) -> std::io::Result<()> {
    sync_each_file(dir)
}

/// The portable [`sync_filesystem`] (compiled everywhere, so that its test runs here).
#[cfg_attr(target_os = "linux", allow(dead_code))]
fn sync_each_file(dir: &Path) -> std::io::Result<()> {
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                pending.push(entry.path());
            } else {
                OpenOptions::new().write(true).open(entry.path())?.sync_all()?;
            }
        }
    }
    Ok(())
}

fn sync_dir(dir: &Path) {
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fallbacks used where Linux's calls are missing, run here too.
    #[test]
    fn the_portable_write_and_flush_keep_links_out_and_flush_every_file() {
        let dir = tempfile::tempdir().unwrap();
        let staging = dir.path().join("staging");
        fs::create_dir_all(staging.join("pages")).unwrap();
        let page = staging.join("pages/p.html");
        write_file_replacing(&page, b"one", false).unwrap();
        let long_ago = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        File::options().write(true).open(&page).unwrap().set_modified(long_ago).unwrap();
        write_file_replacing(&page, b"one", true).unwrap();
        assert_eq!(fs::metadata(&page).unwrap().modified().unwrap(), long_ago, "same bytes: left alone");
        write_file_replacing(&page, b"two", true).unwrap();
        assert_eq!(fs::read(&page).unwrap(), b"two");
        #[cfg(unix)]
        {
            let outside = dir.path().join("outside.txt");
            fs::write(&outside, "untouched").unwrap();
            let linked = staging.join("linked.txt");
            std::os::unix::fs::symlink(&outside, &linked).unwrap();
            write_file_replacing(&linked, b"new", true).unwrap();
            assert_eq!(fs::read_to_string(&outside).unwrap(), "untouched");
            assert!(fs::symlink_metadata(&linked).unwrap().is_file());
        }
        sync_each_file(&staging).unwrap();
    }

    /// Linux swaps two folders in one call; elsewhere `exchange` says it cannot,
    /// and `publish` renames instead.
    #[test]
    fn exchange_swaps_on_linux_and_is_unsupported_elsewhere() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        fs::create_dir_all(a.join("in-a")).unwrap();
        fs::create_dir_all(b.join("in-b")).unwrap();
        let swapped = exchange(&a, &b);
        if cfg!(target_os = "linux") {
            swapped.unwrap();
            assert!(a.join("in-b").exists() && b.join("in-a").exists());
        } else {
            assert_eq!(swapped.unwrap_err().kind(), std::io::ErrorKind::Unsupported);
        }
    }

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
    fn the_spare_folder_is_rewritten_without_stale_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, text: &str| (PathBuf::from(name), text.as_bytes().to_vec());
        publish(dir.path(), "all", &[file("a.txt", "first, long"), file("pages/p1.html", "1")]).unwrap();
        publish(dir.path(), "all", &[file("a.txt", "second"), file("pages/p2.html", "2")]).unwrap();
        // The third run rewrites the first run's folder, kept as the spare.
        assert_eq!(fs::read(dir.path().join(".spare-all/pages/p1.html")).unwrap(), b"1");
        publish(dir.path(), "all", &[file("a.txt", "3rd"), file("b/c.txt", "new")]).unwrap();
        let all = dir.path().join("all");
        assert_eq!(fs::read(all.join("a.txt")).unwrap(), b"3rd", "a shorter file is truncated");
        assert_eq!(fs::read(all.join("b/c.txt")).unwrap(), b"new");
        assert!(!all.join("pages").exists(), "a folder no longer written is removed");
        assert_eq!(fs::read(dir.path().join(".spare-all/a.txt")).unwrap(), b"second");
        // A folder left by a killed run is reused (or removed), never published.
        fs::create_dir_all(dir.path().join(".staging-all-999/junk")).unwrap();
        publish(dir.path(), "all", &[file("a.txt", "4")]).unwrap();
        let names: Vec<String> =
            fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name().to_string_lossy().to_string()).collect();
        assert!(names.iter().all(|n| !n.starts_with(".staging")), "{names:?}");
        assert_eq!(fs::read_dir(&all).unwrap().count(), 1);
    }

    // Unix permissions and links: built and run on Unix only.
    #[cfg(unix)]
    #[test]
    fn a_reused_file_is_rewritten_only_when_its_bytes_change() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, text: &str| (PathBuf::from(name), text.as_bytes().to_vec());
        let files = [file("same.txt", "same"), file("longer.txt", "abc"), file("changed.txt", "abcd")];
        publish(dir.path(), "all", &files).unwrap();
        publish(dir.path(), "all", &files).unwrap();
        // The spare (first run's folder) is rewritten by the third run; mark its files.
        let spare = dir.path().join(".spare-all");
        let long_ago = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        for name in ["same.txt", "longer.txt", "changed.txt"] {
            File::options().write(true).open(spare.join(name)).unwrap().set_modified(long_ago).unwrap();
        }
        // A link where a page should be is replaced, never written through.
        let outside = dir.path().join("outside.txt");
        fs::write(&outside, "untouched").unwrap();
        std::os::unix::fs::symlink(&outside, spare.join("linked.txt")).unwrap();
        // Nor is a page that also has a name outside the folder (a hard link).
        let shared = dir.path().join("shared.txt");
        fs::hard_link(spare.join("changed.txt"), &shared).unwrap();
        let third = [
            file("same.txt", "same"),
            file("longer.txt", "abcdef"),
            file("changed.txt", "wxyz"),
            file("linked.txt", "new"),
        ];
        publish(dir.path(), "all", &third).unwrap();
        let all = dir.path().join("all");
        let modified = |name: &str| fs::metadata(all.join(name)).unwrap().modified().unwrap();
        assert_eq!(modified("same.txt"), long_ago, "identical bytes are not written again");
        assert_ne!(modified("changed.txt"), long_ago);
        for (name, text) in
            [("same.txt", "same"), ("longer.txt", "abcdef"), ("changed.txt", "wxyz"), ("linked.txt", "new")]
        {
            assert_eq!(fs::read_to_string(all.join(name)).unwrap(), text);
        }
        assert!(fs::symlink_metadata(all.join("linked.txt")).unwrap().is_file());
        assert_eq!(fs::read_to_string(&outside).unwrap(), "untouched");
        assert_eq!(fs::read_to_string(&shared).unwrap(), "abcd", "the other name keeps its content");
    }

    #[test]
    fn second_lock_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let _held = lock(dir.path(), false).unwrap();
        assert!(matches!(lock(dir.path(), false), Err(LockError::Held)));
    }
}
