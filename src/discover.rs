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
    /// Paths that could not be walked (an unreadable directory, a path
    /// longer than `PATH_MAX`) and why, sorted.
    pub unreadable: Vec<(PathBuf, String)>,
}

/// Lists the files to lint under `roots`. Files named directly are returned
/// when they are lintable, whatever the ignore files say.
pub fn discover(roots: &[PathBuf], no_ignore: bool) -> Discovered {
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
                    .push(root.clone());
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
            .build_parallel();
        walker.run(|| {
            let found = &found;
            let unreadable = &unreadable;
            let walked = &walked;
            Box::new(move |entry| {
                match entry {
                    Ok(e) => {
                        let kind = e.file_type();
                        if kind.is_some_and(|t| t.is_dir()) {
                            lock(walked).entered(e.path());
                        } else if kind.is_some_and(|t| t.is_file()) && is_lintable(e.path()) {
                            found
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push(e.into_path());
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
    let mut files = found.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort_by_cached_key(|p| order_key(p));
    // By bytes, as they were sorted: `PathBuf` equality splits both paths
    // into components, for every file of the tree.
    files.dedup_by(|a, b| a.as_os_str() == b.as_os_str());
    let mut unreadable = unreadable.into_inner().unwrap_or_else(|e| e.into_inner());
    unreadable.sort();
    unreadable.dedup();
    Discovered { files, unreadable }
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
