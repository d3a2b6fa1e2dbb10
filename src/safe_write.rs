//! Writing files without damaging them: reports, baselines and fixed
//! sources.
//!
//! A regular file is replaced atomically (a temp file beside it, then a
//! rename), so a crash never leaves half a file. The temp file is named
//! `.<name>.qstash-lint-<pid>.tmp`: a run killed between the write and the
//! rename leaves one behind, and the next run that writes into that
//! directory removes those whose process is gone. A FIFO or a device
//! (`-o /dev/stdout`) is written to, never replaced by a regular file; a
//! symlink is written through (the link stays, its target changes).

use crate::hash::HashSet;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The marker between a file's name and the pid in a temp file's name.
const TEMP_MARK: &str = ".qstash-lint-";

/// Writes a report or a baseline to `path`. A new file gets the usual
/// permissions (0666 less the umask); an existing one keeps its own.
pub fn write_report(path: &Path, text: &str) -> io::Result<()> {
    write(path, text)
}

/// Replaces the text of the source file `path` (`--fix`), keeping its mode
/// and owner and writing through a symlink.
pub fn replace_source(path: &Path, text: &str) -> io::Result<()> {
    write(path, text)
}

fn write(path: &Path, text: &str) -> io::Result<()> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "is a directory",
        )),
        // A FIFO, a device, a socket: write into it, as a shell's `>` does.
        Ok(meta) if !meta.is_file() => {
            let mut f = OpenOptions::new().write(true).open(path)?;
            f.write_all(text.as_bytes())?;
            f.flush()
        }
        Ok(meta) => {
            // Through a symlink: the target is what gets replaced.
            let target = fs::canonicalize(path)?;
            replace_atomically(&target, text.as_bytes(), Some(&meta))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            replace_atomically(path, text.as_bytes(), None)
        }
        Err(e) => Err(e),
    }
}

/// Writes `bytes` to a temp file beside `target` and renames it over
/// `target`; `like` is the file being replaced, whose mode and owner the new
/// one takes.
fn replace_atomically(target: &Path, bytes: &[u8], like: Option<&fs::Metadata>) -> io::Result<()> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    remove_stale_temps(dir);
    let tmp = dir.join(temp_name(&name.to_string_lossy(), std::process::id()));
    let result = (|| {
        let mut f = create_new(&tmp)?;
        f.write_all(bytes)?;
        f.flush()?;
        if let Some(meta) = like {
            keep_mode_and_owner(&f, meta)?;
        }
        drop(f);
        fs::rename(&tmp, target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// The temp file name for `name` written by process `pid`.
fn temp_name(name: &str, pid: u32) -> String {
    format!(".{name}{TEMP_MARK}{pid}.tmp")
}

/// The pid in a name made by [`temp_name`].
fn temp_pid(file_name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (_, pid) = rest.rsplit_once(TEMP_MARK)?;
    pid.parse().ok()
}

fn create_new(path: &Path) -> io::Result<fs::File> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // What any new file gets: the umask applies (tempfile's is 0600).
        opts.mode(0o666);
    }
    match opts.open(path) {
        // Our own pid on a temp file: left by an earlier process that had
        // the same pid, so it is stale.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            fs::remove_file(path)?;
            opts.open(path)
        }
        other => other,
    }
}

#[cfg(unix)]
fn keep_mode_and_owner(f: &fs::File, meta: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    // The owner first: chown may clear setuid bits that the mode restores.
    // Only root (or the owner, for a group it is in) may chown; anyone else
    // keeps their own ownership, as an editor's save does.
    let _ = std::os::unix::fs::fchown(f, Some(meta.uid()), Some(meta.gid()));
    f.set_permissions(meta.permissions())
}

#[cfg(not(unix))]
fn keep_mode_and_owner(f: &fs::File, meta: &fs::Metadata) -> io::Result<()> {
    f.set_permissions(meta.permissions())
}

/// Removes the temp files of dead qstash-lint runs in `dir`, once per
/// directory and process (fixing many files in one directory lists it once).
fn remove_stale_temps(dir: &Path) {
    static CLEANED: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);
    {
        let mut cleaned = CLEANED.lock().unwrap_or_else(|e| e.into_inner());
        if !cleaned
            .get_or_insert_with(HashSet::default)
            .insert(dir.to_path_buf())
        {
            return;
        }
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let me = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = temp_pid(&name.to_string_lossy()) else {
            continue;
        };
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && pid != me && !alive(pid, &entry) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether process `pid` may still be writing this temp file: on systems
/// with `/proc`, whether it runs; elsewhere, whether the file is younger
/// than an hour (no run takes that long between a write and its rename).
fn alive(pid: u32, entry: &fs::DirEntry) -> bool {
    if Path::new("/proc/self").exists() {
        return Path::new("/proc").join(pid.to_string()).exists();
    }
    entry
        .metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_none_or(|age| age.as_secs() < 3600)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_round_trip_and_others_are_not_ours() {
        assert_eq!(temp_name("a.ts", 42), ".a.ts.qstash-lint-42.tmp");
        assert_eq!(temp_pid(".a.ts.qstash-lint-42.tmp"), Some(42));
        assert_eq!(temp_pid(".x.qstash-lint-y.qstash-lint-7.tmp"), Some(7));
        for other in [
            "a.ts",
            ".a.ts.tmp",
            ".a.ts.qstash-lint-.tmp",
            "a.ts.qstash-lint-42.tmp",
            ".a.ts.qstash-lint-42x.tmp",
        ] {
            assert_eq!(temp_pid(other), None, "{other}");
        }
    }

    #[test]
    fn a_stale_temp_of_a_live_process_stays() {
        let dir = tempfile::tempdir().expect("tempdir");
        // pid 1 always runs; 4194305 is above Linux's highest pid.
        let live = dir.path().join(temp_name("r.json", 1));
        let dead = dir.path().join(temp_name("r.json", 4_194_305));
        fs::write(&live, "x").expect("write");
        fs::write(&dead, "x").expect("write");
        write_report(&dir.path().join("r.json"), "{}").expect("writes");
        assert_eq!(
            fs::read_to_string(dir.path().join("r.json"))
                .ok()
                .as_deref(),
            Some("{}")
        );
        if Path::new("/proc/self").exists() {
            assert!(live.exists());
            assert!(!dead.exists());
        }
    }
}
