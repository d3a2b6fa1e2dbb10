//! What the walk saw in each directory, kept to answer the questions every
//! directory is asked afterwards without a `stat`.
//!
//! Package roots, repository roots, configs and deploy files are looked up
//! per directory (`package.json`? `.git`? `wrangler.toml`?), and most such
//! lookups find nothing: on a 6,000-file project they were 38,000 `stat`
//! calls, two thirds of them failing, and a third of the run's system
//! time. The walk has already read each directory it entered, so it notes
//! which of the [`MARKERS`] it held; a lookup of a marker in a walked
//! directory is answered from that note, anything else with a `stat`.
//!
//! The notes are process-wide and keyed by directory: each walk replaces
//! the notes of the directories it enters, so a later run (the editor
//! server lints many times) sees the files as they are now. A marker that
//! an ignore file hides is not seen, as the walk does not see it.

use crate::hash::{HashMap, HashSet};
use std::path::Path;
use std::sync::RwLock;

/// The file names whose presence is noted per directory: what the package,
/// project, config and deploy lookups ask about.
pub const MARKERS: &[&str] = &[
    "package.json",
    ".git",
    "qstash-lint.json",
    "pnpm-workspace.yaml",
    "tsconfig.json",
    "jsconfig.json",
    "wrangler.toml",
    "wrangler.json",
    "wrangler.jsonc",
    "netlify.toml",
    "vercel.json",
    "serverless.yml",
    "serverless.yaml",
    "template.yml",
    "template.yaml",
    "sst.config.ts",
    "sst.config.js",
    "sst.config.mjs",
    "routes.ts",
    "routes.mts",
    "routes.js",
    "routes.mjs",
    "functions",
];

/// What one directory holds of the markers: bit `i` stands for
/// `MARKERS[i]`.
#[derive(Debug, Default, Clone, Copy)]
struct Held {
    files: u32,
    dirs: u32,
    /// Symlinks and other kinds, left to a `stat` (which follows links).
    other: u32,
}

fn notes() -> &'static RwLock<HashMap<Vec<u8>, Held>> {
    static NOTES: std::sync::OnceLock<RwLock<HashMap<Vec<u8>, Held>>> = std::sync::OnceLock::new();
    NOTES.get_or_init(Default::default)
}

fn marker_bit(name: &std::ffi::OsStr) -> Option<u32> {
    marker_bit_bytes(name.as_encoded_bytes())
}

/// Whether `name` is one of the [`MARKERS`].
pub fn is_marker(name: &std::ffi::OsStr) -> bool {
    marker_bit(name).is_some()
}

fn marker_bit_bytes(name: &[u8]) -> Option<u32> {
    MARKERS
        .iter()
        .position(|m| m.as_bytes() == name)
        .map(|i| 1u32 << i)
}

/// A directory's key in the notes: its bytes.
fn key(dir: &Path) -> Vec<u8> {
    dir.as_os_str().as_encoded_bytes().to_vec()
}

/// What a walk saw, recorded as it goes and then published with
/// [`Walked::publish`].
#[derive(Debug, Default)]
pub struct Walked {
    held: HashMap<Vec<u8>, Held>,
    entered: HashSet<Vec<u8>>,
}

impl Walked {
    /// Notes that the walk entered `dir`: it will see all its entries.
    pub fn entered(&mut self, dir: &Path) {
        self.entered.insert(key(dir));
    }

    /// Notes an entry the walk saw, if it is a marker.
    pub fn saw(&mut self, path: &Path, kind: Option<std::fs::FileType>) {
        let (Some(dir), Some(bit)) = (path.parent(), path.file_name().and_then(marker_bit)) else {
            return;
        };
        let held = self.held.entry(key(dir)).or_default();
        match kind {
            Some(t) if t.is_file() => held.files |= bit,
            Some(t) if t.is_dir() => held.dirs |= bit,
            _ => held.other |= bit,
        }
    }

    /// Forgets a directory the walk could not read whole.
    pub fn failed(&mut self, dir: &Path) {
        self.entered.remove(&key(dir));
    }

    /// Replaces the process-wide notes of every directory entered. A
    /// marker seen in a directory the walk did not enter (the parent of a
    /// root) says nothing of its other markers, so it is not kept.
    pub fn publish(mut self) {
        let mut notes = notes().write().unwrap_or_else(|e| e.into_inner());
        for dir in self.entered {
            let held = self.held.remove(&dir).unwrap_or_default();
            notes.insert(dir, held);
        }
    }
}

/// What the walk knows of `path`, a marker in a directory it read whole:
/// `Some(Some(true))` a file, `Some(Some(false))` a directory,
/// `Some(None)` absent; `None` when it does not know.
fn known(path: &Path) -> Option<Option<bool>> {
    // Split at the last separator by bytes: `Path::parent` and
    // `file_name` parse components, and this is asked of every directory.
    let bytes = path.as_os_str().as_encoded_bytes();
    let cut = bytes
        .iter()
        .rposition(|&b| b == b'/' || (cfg!(windows) && b == b'\\'))?;
    let bit = marker_bit_bytes(&bytes[cut + 1..])?;
    let dir = if cut == 0 { &bytes[..1] } else { &bytes[..cut] };
    let held = held(dir)?;
    if held.other & bit != 0 {
        None
    } else if held.files & bit != 0 {
        Some(Some(true))
    } else if held.dirs & bit != 0 {
        Some(Some(false))
    } else {
        Some(None)
    }
}

/// Whether the walk read `dir` whole and saw none of `names` (all of them
/// [`MARKERS`]) in it: one look at the notes, where asking for each name
/// would join a path and take the lock once per name. Directories are asked
/// this by the thousand (every folder of the tree, for its package and its
/// Worker config).
pub fn surely_none(dir: &Path, names: &[&str]) -> bool {
    let mut bits = 0;
    for name in names {
        match marker_bit_bytes(name.as_bytes()) {
            Some(bit) => bits |= bit,
            None => return false,
        }
    }
    held(dir.as_os_str().as_encoded_bytes())
        .is_some_and(|held| (held.files | held.dirs | held.other) & bits == 0)
}

/// The markers the walk noted in the directory with these bytes, if it
/// read that directory whole.
fn held(dir: &[u8]) -> Option<Held> {
    let notes = notes().read().unwrap_or_else(|e| e.into_inner());
    notes.get(dir).copied()
}

/// `path.is_file()`, from the walk's notes when it has them.
pub fn is_file(path: &Path) -> bool {
    match known(path) {
        Some(k) => k == Some(true),
        None => path.is_file(),
    }
}

/// `path.is_dir()`, from the walk's notes when it has them.
pub fn is_dir(path: &Path) -> bool {
    match known(path) {
        Some(k) => k == Some(false),
        None => path.is_dir(),
    }
}

/// `path.exists()`, from the walk's notes when it has them.
pub fn exists(path: &Path) -> bool {
    match known(path) {
        Some(k) => k.is_some(),
        None => path.exists(),
    }
}

/// Whether the walk read `path`'s directory and saw no such marker: a
/// lookup that would fail can be skipped.
pub fn surely_absent(path: &Path) -> bool {
    known(path) == Some(None)
}

#[cfg(test)]
mod tests {
    use std::fs;

    #[test]
    fn answers_from_the_walk_and_sees_changes_on_the_next_walk() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().canonicalize().expect("canonical");
        fs::create_dir_all(root.join(".git")).expect("mkdir");
        fs::create_dir_all(root.join("app/netlify/functions")).expect("mkdir");
        fs::write(root.join("package.json"), "{}").expect("write");
        fs::write(root.join("app/a.ts"), "").expect("write");
        crate::discover::discover(std::slice::from_ref(&root), false);
        assert!(super::is_file(&root.join("package.json")));
        assert!(super::exists(&root.join(".git")));
        assert!(!super::is_file(&root.join(".git")));
        assert!(super::is_dir(&root.join("app/netlify/functions")));
        assert!(super::surely_absent(&root.join("app/package.json")));
        // Not a marker: always asked of the file system.
        assert!(!super::surely_absent(&root.join("app/b.ts")));
        // A directory the walk never entered is asked of the file system.
        assert!(!super::surely_absent(
            &dir.path().join("elsewhere/package.json")
        ));

        // The editor server walks again: what changed since is seen.
        fs::write(root.join("app/package.json"), "{}").expect("write");
        crate::discover::discover(std::slice::from_ref(&root), false);
        assert!(super::is_file(&root.join("app/package.json")));
    }

    #[test]
    fn none_of_several_markers_is_sure_only_for_a_walked_folder_without_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().canonicalize().expect("canonical");
        fs::create_dir_all(root.join(".git")).expect("mkdir");
        fs::create_dir_all(root.join("worker/src")).expect("mkdir");
        fs::write(root.join("worker/wrangler.jsonc"), "{}").expect("write");
        fs::write(root.join("worker/src/a.ts"), "").expect("write");
        crate::discover::discover(std::slice::from_ref(&root), false);
        let wrangler = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"];
        assert!(super::surely_none(&root.join("worker/src"), &wrangler));
        // One of them is there, a file or a folder.
        assert!(!super::surely_none(&root.join("worker"), &wrangler));
        assert!(!super::surely_none(&root, &["package.json", ".git"]));
        // A folder the walk never entered, or a name it does not note.
        assert!(!super::surely_none(
            &dir.path().join("elsewhere"),
            &wrangler
        ));
        assert!(!super::surely_none(&root.join("worker/src"), &["a.ts"]));
    }

    #[test]
    fn a_marker_behind_a_symlink_is_asked_of_the_file_system() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().canonicalize().expect("canonical");
        fs::create_dir_all(root.join("shared")).expect("mkdir");
        fs::write(root.join("shared/package.json"), "{}").expect("write");
        fs::create_dir_all(root.join("app")).expect("mkdir");
        fs::write(root.join("app/a.ts"), "").expect("write");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(
                root.join("shared/package.json"),
                root.join("app/package.json"),
            )
            .expect("symlink");
            crate::discover::discover(std::slice::from_ref(&root), false);
            assert!(super::is_file(&root.join("app/package.json")));
        }
    }
}
