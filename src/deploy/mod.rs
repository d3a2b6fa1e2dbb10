//! Routes that deployment platforms declare outside the framework file
//! conventions of [`crate::routes`]: what a directory's `package.json`,
//! `netlify.toml`, `serverless.yml`, SAM `template.yaml`, SST config and
//! React Router `app/routes.ts` say about which file serves which path.
//!
//! Each directory is read once ([`DeployIndex`] memoises it); a config that
//! does not parse declares nothing (no guess, no crash).

mod react_router;
mod serverless;
mod sst;

use crate::hash::HashMap;
use crate::routes::RoutePattern;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Config files larger than this are not deployment configs worth reading.
const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// A route a config declares for one export of a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// The export that handles it (`handler` for `src/x.handler`).
    pub export: String,
    /// The URL path; `None` for a function URL, which serves any path of
    /// a host no destination's path tells.
    pub pattern: Option<RoutePattern>,
    /// Upper-case method; `None` for any.
    pub method: Option<String>,
}

/// What the configs in one directory say.
#[derive(Debug, Default)]
pub struct DirDeploy {
    /// Its `package.json` depends on Next.js: Vercel serves its API
    /// through Next.js, not through `api/`.
    pub next_app: bool,
    /// Netlify function directories (absolute), from `netlify.toml` or
    /// the default `netlify/functions`.
    pub netlify_dirs: Vec<PathBuf>,
    /// Declared routes by module path without its extension.
    pub declared: HashMap<PathBuf, Vec<Declared>>,
    /// `app/routes.ts` exists and does not include `flatRoutes()`: files
    /// under `app/routes/` route only as it says.
    pub routes_config_only: bool,
}

impl DirDeploy {
    /// Reads the configs of `dir`.
    pub fn read(dir: &Path) -> DirDeploy {
        let mut out = DirDeploy {
            next_app: read_config(&dir.join("package.json"))
                .and_then(|t| Manifest::parse(&t))
                .is_some_and(|m| m.names().any(|n| n == "next")),
            ..DirDeploy::default()
        };
        out.netlify_dirs = netlify_dirs(dir);
        let mut declared = Vec::new();
        for name in ["serverless.yml", "serverless.yaml"] {
            if let Some(text) = read_config(&dir.join(name)) {
                declared.extend(serverless::serverless_yml(dir, &text));
            }
        }
        for name in ["template.yaml", "template.yml"] {
            if let Some(text) = read_config(&dir.join(name)) {
                declared.extend(serverless::sam_template(dir, &text));
            }
        }
        declared.extend(sst::routes(dir));
        if let Some(rr) = react_router::routes(dir) {
            out.routes_config_only = !rr.flat_routes;
            declared.extend(rr.routes);
        }
        for (module, d) in declared {
            out.declared.entry(module).or_default().push(d);
        }
        out
    }
}

/// The dependency fields of a `package.json`, the rest skipped unbuilt: a
/// manifest is read for them once per package, and building the whole
/// document as a `Value` was most of the cost.
#[derive(serde::Deserialize)]
pub struct Manifest {
    #[serde(default)]
    dependencies: serde_json::Value,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: serde_json::Value,
    #[serde(default, rename = "peerDependencies")]
    peer_dependencies: serde_json::Value,
}

impl Manifest {
    /// The manifest in `text`; `None` when it does not parse as one.
    pub fn parse(text: &str) -> Option<Manifest> {
        serde_json::from_str(text).ok()
    }

    /// The names its dependency fields list (those that are objects).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        [
            &self.dependencies,
            &self.dev_dependencies,
            &self.peer_dependencies,
        ]
        .into_iter()
        .filter_map(serde_json::Value::as_object)
        .flat_map(|deps| deps.keys().map(String::as_str))
    }
}

/// The text of a config file, if it is a regular file of sane size.
pub fn read_config(path: &Path) -> Option<String> {
    if crate::listing::surely_absent(path) {
        return None;
    }
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_CONFIG_BYTES {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// Netlify's functions directories for a site rooted at `dir`: the one
/// `netlify.toml` names (`[functions] directory`, or the older `[build]
/// functions`, relative to `[build] base`), else `netlify/functions`.
fn netlify_dirs(dir: &Path) -> Vec<PathBuf> {
    let toml = read_config(&dir.join("netlify.toml")).and_then(|t| t.parse::<toml::Table>().ok());
    let get = |table: &str, key: &str| {
        toml.as_ref()?
            .get(table)?
            .get(key)?
            .as_str()
            .map(str::to_string)
    };
    let base = get("build", "base").map_or_else(|| dir.to_path_buf(), |b| dir.join(b));
    let named = get("functions", "directory").or_else(|| get("build", "functions"));
    let candidate = match named {
        Some(d) => base.join(d),
        None => base.join("netlify").join("functions"),
    };
    if crate::listing::is_dir(&candidate) {
        vec![normalize(&candidate)]
    } else {
        Vec::new()
    }
}

/// `a/./b/../c` → `a/c`, without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A module path as written in a config (`src/handlers/webhook`), relative
/// to `dir`, without any extension it carries.
pub(crate) fn module_path(dir: &Path, module: &str) -> PathBuf {
    let p = normalize(&dir.join(module.trim_start_matches("./")));
    match p.extension().and_then(|e| e.to_str()) {
        Some(ext) if crate::discover::EXTENSIONS.contains(&ext) => p.with_extension(""),
        _ => p,
    }
}

/// `src/handlers/webhook.handler` → (`src/handlers/webhook`, `handler`).
pub(crate) fn split_handler(handler: &str) -> Option<(&str, &str)> {
    let (module, export) = handler.rsplit_once('.')?;
    (!module.is_empty() && !export.is_empty() && !export.contains('/')).then_some((module, export))
}

/// Upper-case method, `None` for "any".
pub(crate) fn method_of(m: &str) -> Option<String> {
    let m = m.trim().to_ascii_uppercase();
    (!matches!(m.as_str(), "ANY" | "*" | "")).then_some(m)
}

/// The configs of each directory, read once.
#[derive(Default)]
pub struct DeployIndex {
    dirs: HashMap<PathBuf, Rc<DirDeploy>>,
}

impl DeployIndex {
    /// The configs of `dir`.
    pub fn dir(&mut self, dir: &Path) -> Rc<DirDeploy> {
        if let Some(d) = self.dirs.get(dir) {
            return d.clone();
        }
        let d = Rc::new(DirDeploy::read(dir));
        self.dirs.insert(dir.to_path_buf(), d.clone());
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handler_strings_split_at_the_last_dot() {
        assert_eq!(
            split_handler("src/handlers/webhook.handler"),
            Some(("src/handlers/webhook", "handler"))
        );
        assert_eq!(
            split_handler("app.lambdaHandler"),
            Some(("app", "lambdaHandler"))
        );
        assert_eq!(split_handler("nodot"), None);
        assert_eq!(split_handler("../x/y"), None);
    }

    #[test]
    fn module_paths_drop_script_extensions_only() {
        let d = Path::new("/p");
        assert_eq!(module_path(d, "./src/a.ts"), PathBuf::from("/p/src/a"));
        assert_eq!(module_path(d, "src/../lib/a"), PathBuf::from("/p/lib/a"));
        assert_eq!(module_path(d, "src/a.b"), PathBuf::from("/p/src/a.b"));
    }

    #[test]
    fn netlify_toml_names_the_functions_directory() {
        let t = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(t.path().join("site/fns")).expect("mkdir");
        std::fs::write(
            t.path().join("netlify.toml"),
            "[build]\nbase = \"site\"\n[functions]\ndirectory = \"fns\"\n",
        )
        .expect("write");
        assert_eq!(netlify_dirs(t.path()), vec![t.path().join("site/fns")]);
        // Broken TOML: the default directory, if there is one.
        std::fs::write(t.path().join("netlify.toml"), "[build\n").expect("write");
        assert!(netlify_dirs(t.path()).is_empty());
        std::fs::create_dir_all(t.path().join("netlify/functions")).expect("mkdir");
        assert_eq!(
            netlify_dirs(t.path()),
            vec![t.path().join("netlify/functions")]
        );
    }
}
