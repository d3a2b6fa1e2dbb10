//! File discovery with the `ignore` crate: `.gitignore` respected, dependency
//! and build directories skipped, only JavaScript and TypeScript sources.

use crate::listing::Walked;
use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Source extensions qstash-lint reads.
pub const EXTENSIONS: &[&str] = &["ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs"];

/// Directories never walked into: dependencies and tool caches.
pub const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    ".git",
    ".next",
    ".nuxt",
    ".output",
    ".svelte-kit",
    ".vercel",
    ".netlify",
    ".turbo",
    ".wrangler",
    ".cache",
    ".expo",
    ".docusaurus",
    ".astro",
    ".vinxi",
    ".react-router",
    "bower_components",
    "jspm_packages",
];

/// Build output names, skipped only at a package root (beside a
/// `package.json`): deeper down they are ordinary folders, such as the route
/// segment in `app/api/build/route.ts`.
pub const OUTPUT_DIRS: &[&str] = &[
    "dist",
    "build",
    "out",
    "coverage",
    "vendor",
    "storybook-static",
];

fn skip_dir(entry: &ignore::DirEntry) -> bool {
    let Some(name) = entry.file_name().to_str() else {
        return false;
    };
    if SKIPPED_DIRS.contains(&name) {
        return true;
    }
    OUTPUT_DIRS.contains(&name)
        && entry
            .path()
            .parent()
            .is_some_and(|p| p.join("package.json").is_file())
}

/// Whether `path` names a file qstash-lint lints.
pub fn is_lintable(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    if !EXTENSIONS.contains(&ext) {
        return false;
    }
    // Declaration files hold no code; minified bundles are not source.
    !(stem.ends_with(".d")
        || stem.contains(".d.")
        || stem.ends_with(".min")
        || stem.contains(".min."))
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Discovered {
    /// The files to lint, sorted and without duplicates.
    pub files: Vec<PathBuf>,
    /// For each of `files`, the id it was handed on with by
    /// [`discover_each`] (none for a file named directly).
    pub ids: Vec<Option<usize>>,
    /// Paths that could not be walked (an unreadable directory, a path
    /// longer than `PATH_MAX`) and why, sorted.
    pub unreadable: Vec<(PathBuf, String)>,
}

/// Lists the files to lint under `roots`. Files named directly are returned
/// when they are lintable, whatever the ignore files say.
pub fn discover(roots: &[PathBuf], no_ignore: bool) -> Discovered {
    discover_each(roots, no_ignore, 0, &|_| {})
}

/// How many found files the walk hands on at once (see [`discover_each`]).
const BATCH: usize = 32;

/// Files found by one walker thread and not yet handed on: handed on when
/// full, and when the thread's walk ends.
struct Batch<'a> {
    files: Vec<(usize, PathBuf)>,
    each: &'a (dyn Fn(Vec<(usize, PathBuf)>) + Sync),
}

impl Batch<'_> {
    fn push(&mut self, id: usize, path: PathBuf) {
        self.files.push((id, path));
        if self.files.len() == BATCH {
            (self.each)(std::mem::take(&mut self.files));
        }
    }
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        if !self.files.is_empty() {
            (self.each)(std::mem::take(&mut self.files));
        }
    }
}

/// [`discover`], handing each file on to `each` as soon as the walk finds
/// it, in batches, with its id (see [`Discovered::ids`]): the caller can
/// start reading files while the walk, which leaves a core mostly idle
/// waiting on the file system, goes on. Every file of the result is handed
/// on once per time it was found; files named directly are not.
/// `walk_threads` is how many threads walk (0: one per core).
pub fn discover_each(
    roots: &[PathBuf],
    no_ignore: bool,
    walk_threads: usize,
    each: &(dyn Fn(Vec<(usize, PathBuf)>) + Sync),
) -> Discovered {
    let found = Mutex::new(Vec::new());
    let unreadable = Mutex::new(Vec::new());
    // What the walk sees of each directory, for later lookups of package
    // and config files (see `crate::listing`).
    let walked = Arc::new(Mutex::new(Walked::default()));
    for root in roots {
        if root.is_file() {
            if is_lintable(root) {
                found
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((root.clone(), false));
            }
            continue;
        }
        let seen = walked.clone();
        let walker = WalkBuilder::new(root)
            .standard_filters(!no_ignore)
            // Hidden entries are skipped below instead, after the listing
            // has noted a `.git` among them.
            .hidden(false)
            .require_git(false)
            .filter_entry(move |e| {
                if e.depth() == 0 {
                    return true;
                }
                // Checked before the lock: most entries are no marker.
                if crate::listing::is_marker(e.file_name()) {
                    lock(&seen).saw(e.path(), e.file_type());
                }
                let hidden = e.file_name().as_encoded_bytes().starts_with(b".");
                if hidden && !no_ignore {
                    return false;
                }
                let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                !(is_dir && skip_dir(e))
            })
            .threads(walk_threads)
            .build_parallel();
        walker.run(|| {
            let found = &found;
            let unreadable = &unreadable;
            let walked = &walked;
            let mut batch = Batch {
                files: Vec::new(),
                each,
            };
            Box::new(move |entry| {
                match entry {
                    Ok(e) => {
                        let kind = e.file_type();
                        if kind.is_some_and(|t| t.is_dir()) {
                            lock(walked).entered(e.path());
                        } else if kind.is_some_and(|t| t.is_file()) && is_lintable(e.path()) {
                            let path = e.into_path();
                            let id = {
                                let mut found = found.lock().unwrap_or_else(|p| p.into_inner());
                                found.push((path.clone(), true));
                                found.len() - 1
                            };
                            batch.push(id, path);
                        }
                    }
                    Err(err) => {
                        if let Some(failed) = walk_failure(&err) {
                            lock(walked).failed(&failed.0);
                            unreadable
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push(failed);
                        }
                    }
                }
                WalkState::Continue
            })
        });
    }
    if let Ok(w) = Arc::try_unwrap(walked) {
        w.into_inner().unwrap_or_else(|e| e.into_inner()).publish();
    }
    let mut files: Vec<(PathBuf, Option<usize>)> = found
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .enumerate()
        .map(|(id, (p, handed))| (p, handed.then_some(id)))
        .collect();
    // A file found twice (under two roots) is the same file either way.
    files.sort_by_cached_key(|(p, _)| order_key(p));
    // By bytes, as they were sorted: `PathBuf` equality splits both paths
    // into components, for every file of the tree.
    files.dedup_by(|a, b| a.0.as_os_str() == b.0.as_os_str());
    let (files, ids) = files.into_iter().unzip();
    let mut unreadable = unreadable.into_inner().unwrap_or_else(|e| e.into_inner());
    unreadable.sort();
    unreadable.dedup();
    Discovered {
        files,
        ids,
        unreadable,
    }
}

/// The walk's notes; a panicking walker thread cannot leave them half
/// written, so a poisoned lock is taken as it is.
fn lock(w: &Mutex<Walked>) -> std::sync::MutexGuard<'_, Walked> {
    w.lock().unwrap_or_else(|e| e.into_inner())
}

/// The path and the I/O reason of a walk error. Errors in ignore files
/// (a bad glob in `.gitignore`) and symlink loops are not about reading
/// sources: they are left to the walker.
fn walk_failure(err: &ignore::Error) -> Option<(PathBuf, String)> {
    match err {
        ignore::Error::WithPath { path, err } => match err.as_ref() {
            ignore::Error::Io(io) => Some((path.clone(), io.to_string())),
            inner => walk_failure(inner).map(|(_, why)| (path.clone(), why)),
        },
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_failure(err)
        }
        _ => None,
    }
}

/// A key whose byte order is the order of `Path`'s `Ord` (component by
/// component) for the clean paths a walk yields: each separator becomes a
/// zero byte, which sorts below every byte a file name can hold. Comparing
/// keys is a `memcmp`; comparing paths splits both into components on every
/// comparison, which made sorting a large tree's files a twentieth of a run.
pub fn order_key(path: &Path) -> Vec<u8> {
    let mut key = path.as_os_str().as_encoded_bytes().to_vec();
    for b in &mut key {
        if *b == b'/' || (cfg!(windows) && *b == b'\\') {
            *b = 0;
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::is_lintable;
    use std::path::Path;

    #[test]
    fn output_dirs_are_skipped_only_at_a_package_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for f in [
            "package.json",
            "dist/a.js",
            "app/api/build/route.ts",
            "src/out/x.ts",
            "node_modules/p/a.js",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, "").expect("write");
        }
        let found: Vec<String> = super::discover(&[root.to_path_buf()], false)
            .files
            .iter()
            .map(|p| {
                p.strip_prefix(root)
                    .expect("inside")
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(found, ["app/api/build/route.ts", "src/out/x.ts"]);
    }

    /// Every walked file is handed on once, in batches, with the id the
    /// result gives it; a file named directly is not handed on.
    #[test]
    fn each_walked_file_is_handed_on_once_with_its_id() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        // More files than a batch, over several folders.
        let names: Vec<String> = (0..super::BATCH * 2 + 5)
            .map(|i| format!("d{}/f{i}.ts", i % 3))
            .collect();
        for f in &names {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, "").expect("write");
        }
        let named = root.join("d0/f0.ts");
        let handed = std::sync::Mutex::new(Vec::new());
        let found =
            super::discover_each(&[root.to_path_buf(), named.clone()], false, 2, &|batch| {
                assert!(!batch.is_empty() && batch.len() <= super::BATCH);
                handed.lock().expect("lock").extend(batch);
            });
        let handed: std::collections::BTreeMap<usize, std::path::PathBuf> =
            handed.into_inner().expect("lock").into_iter().collect();
        // The named file was also walked: listed once, under the walk's id.
        assert_eq!(found.files.len(), names.len());
        assert_eq!(handed.len(), names.len());
        for (file, id) in found.files.iter().zip(&found.ids) {
            let id = id.expect("walked");
            assert_eq!(handed.get(&id), Some(file), "id {id}");
        }
        let alone = super::discover_each(std::slice::from_ref(&named), false, 0, &|_| {
            panic!("a named file is not handed on")
        });
        assert_eq!(alone.files, [named]);
        assert_eq!(alone.ids, [None]);
    }

    #[test]
    fn order_keys_sort_as_paths_do() {
        let mut paths: Vec<std::path::PathBuf> = [
            "/r/app/a-b/route.ts",
            "/r/app/a/route.ts",
            "/r/app/a.ts",
            "/r/app/ab/x.ts",
            "/r/app/a/b/c.ts",
            "/r/app/A/x.ts",
            "/r/app/a!/x.ts",
            "/r/app/a/b.ts",
        ]
        .iter()
        .map(std::path::PathBuf::from)
        .collect();
        let mut by_key = paths.clone();
        paths.sort();
        by_key.sort_by_cached_key(|p| super::order_key(p));
        assert_eq!(by_key, paths);
    }

    #[test]
    fn lintable_names() {
        for ok in ["a.ts", "a.tsx", "a.mjs", "route.js", "x.test.ts", "a.cts"] {
            assert!(is_lintable(Path::new(ok)), "{ok}");
        }
        for no in [
            "a.d.ts",
            "a.d.mts",
            "a.min.js",
            "a.min.mjs",
            "a.json",
            "a.md",
            "Makefile",
            "a.d.test.ts",
        ] {
            assert!(!is_lintable(Path::new(no)), "{no}");
        }
    }
}
