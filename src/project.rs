//! The project link. For now: the dev-server signals of qstash-api.md §5
//! gathered per package (the nearest `package.json`), so that one
//! `QSTASH_DEV` reference or `.env` entry excuses local destinations in the
//! whole package.
//!
//! Only signals that configure the whole process count package-wide (the
//! `QSTASH_DEV` env vars, `startDevServer()`, `.env` files, the CLI
//! dependency). A `devMode: true` or a localhost `baseUrl` configures one
//! client, so it excuses only its own file; and test files excuse nothing
//! outside themselves.

use crate::facts::{DevSignal, FileFacts};
use crate::hash::{HashMap, HashSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The nearest directory with a `package.json` at or above each directory,
/// never leaving the repository; memoised, each directory asking its parent.
///
/// Keyed by the directory's bytes with a fast hash: every file of a run asks
/// about its directory, and hashing a `Path` walks its components.
#[derive(Debug, Default)]
pub struct PackageRoots {
    memo: HashMap<OsString, Option<PathBuf>>,
}

impl PackageRoots {
    /// The package directory of `dir`.
    pub fn of_dir(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(p) = self.memo.get(dir.as_os_str()) {
            return p.clone();
        }
        let found = if crate::listing::surely_none(dir, &["package.json", ".git"]) {
            dir.parent().and_then(|p| self.of_dir(p))
        } else if crate::listing::is_file(&dir.join("package.json")) {
            Some(dir.to_path_buf())
        } else if crate::listing::exists(&dir.join(".git")) {
            None
        } else {
            dir.parent().and_then(|p| self.of_dir(p))
        };
        self.memo.insert(dir.as_os_str().to_owned(), found.clone());
        found
    }

    /// The package directory of `dir` if it was already looked up.
    pub fn known(&self, dir: &Path) -> Option<&Option<PathBuf>> {
        self.memo.get(dir.as_os_str())
    }
}

/// The dependencies the packages of a project declare, read once per
/// package and asked per file.
#[derive(Debug, Default)]
pub struct Dependencies {
    roots: PackageRoots,
    declared: HashMap<PathBuf, HashSet<String>>,
}

impl Dependencies {
    /// Whether the package of `file`, or a package above it (a workspace
    /// root declares what its members use), declares a dependency on `name`.
    pub fn declared(&mut self, file: &Path, name: &str) -> bool {
        let mut dir = file.parent().map(Path::to_path_buf);
        while let Some(d) = dir {
            let Some(pkg) = self.roots.of_dir(&d) else {
                return false;
            };
            let names = self
                .declared
                .entry(pkg.clone())
                .or_insert_with(|| dependency_names(&pkg.join("package.json")));
            if names.contains(name) {
                return true;
            }
            dir = pkg.parent().map(Path::to_path_buf);
        }
        false
    }
}

/// The names in the dependency fields of a `package.json`; none when it
/// cannot be read.
fn dependency_names(manifest: &Path) -> HashSet<String> {
    let Some(m) =
        crate::deploy::read_config(manifest).and_then(|t| crate::deploy::Manifest::parse(&t))
    else {
        return HashSet::default();
    };
    m.names().map(str::to_string).collect()
}

/// Which packages target the QStash dev server.
#[derive(Debug, Default)]
pub struct ProjectSignals {
    roots: PackageRoots,
    dev_packages: HashSet<Option<PathBuf>>,
}

impl ProjectSignals {
    /// Gathers the signals of every file and of each package's
    /// `package.json` and `.env*` files.
    /// Each item is a file, its facts, and whether it is a test file.
    pub fn collect<'a>(
        files: impl Iterator<Item = (&'a Path, Option<&'a FileFacts>, bool)>,
    ) -> Self {
        let mut s = ProjectSignals::default();
        let mut checked = HashSet::default();
        for (path, facts, is_test) in files {
            let pkg = path.parent().and_then(|d| s.roots.of_dir(d));
            let process_wide =
                |sig: &DevSignal| matches!(sig, DevSignal::DevEnv | DevSignal::DevServerImport);
            if !is_test && facts.is_some_and(|f| f.dev_signals.iter().any(process_wide)) {
                s.dev_packages.insert(pkg.clone());
            }
            if let Some(dir) = &pkg {
                if checked.insert(dir.clone()) && package_targets_dev_server(dir) {
                    s.dev_packages.insert(pkg.clone());
                }
            }
        }
        s
    }

    /// Whether `file` (with its facts) targets the dev server.
    pub fn dev_server(&self, file: &Path, facts: Option<&FileFacts>) -> bool {
        if facts.is_some_and(|f| !f.dev_signals.is_empty()) {
            return true;
        }
        let mut cur = file.parent();
        while let Some(d) = cur {
            if let Some(pkg) = self.roots.known(d) {
                return self.dev_packages.contains(pkg);
            }
            cur = d.parent();
        }
        false
    }
}

/// The root of the project `file` belongs to: the directory of the nearest
/// `qstash-lint.json`, else of the outermost `package.json` that declares
/// workspaces (a monorepo root), else of the nearest `package.json`, never
/// above the repository root; without any, the repository root or the
/// file's directory.
pub fn project_root(file: &Path) -> PathBuf {
    let start = file.parent().unwrap_or(Path::new("/"));
    let mut nearest_package = None;
    let mut workspace_root = None;
    let mut cur = Some(start);
    let mut repo = None;
    while let Some(d) = cur {
        if crate::listing::is_file(&d.join(crate::config::FILE_NAME)) {
            return d.to_path_buf();
        }
        if crate::listing::is_file(&d.join("package.json")) {
            nearest_package.get_or_insert_with(|| d.to_path_buf());
            let declares = crate::listing::is_file(&d.join("pnpm-workspace.yaml"))
                || std::fs::read_to_string(d.join("package.json"))
                    .is_ok_and(|t| t.contains("\"workspaces\""));
            if declares {
                workspace_root = Some(d.to_path_buf());
            }
        }
        if crate::listing::exists(&d.join(".git")) {
            repo = Some(d.to_path_buf());
            break;
        }
        cur = d.parent();
    }
    workspace_root
        .or(nearest_package)
        .or(repo)
        .unwrap_or_else(|| start.to_path_buf())
}

/// `@upstash/qstash-cli` in `package.json`, or a `.env*` file that points
/// `QSTASH_URL` at a local server or sets `QSTASH_DEV`.
fn package_targets_dev_server(dir: &Path) -> bool {
    if std::fs::read_to_string(dir.join("package.json"))
        .is_ok_and(|t| t.contains("@upstash/qstash-cli"))
    {
        return true;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let name = e.file_name();
        let name = name.to_string_lossy();
        name.starts_with(".env")
            && std::fs::read_to_string(e.path()).is_ok_and(|t| env_file_targets_dev_server(&t))
    })
}

fn env_file_targets_dev_server(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim().trim_start_matches("export ").trim();
        let Some((key, value)) = line.split_once('=') else {
            return false;
        };
        let value = value.trim().trim_matches(['"', '\'']);
        match key.trim() {
            "QSTASH_URL" => crate::facts::extract::is_dev_server_url(value),
            "QSTASH_DEV" => matches!(value, "true" | "1"),
            "QSTASH_TOKEN" => crate::secrets::is_dev_credential(value),
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn env_files() {
        assert!(super::env_file_targets_dev_server(
            "QSTASH_URL=http://127.0.0.1:8080\n"
        ));
        assert!(super::env_file_targets_dev_server(
            "export QSTASH_DEV=\"true\""
        ));
        assert!(!super::env_file_targets_dev_server(
            "QSTASH_URL=https://qstash.upstash.io"
        ));
    }
}
