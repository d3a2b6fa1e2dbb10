//! Module resolution for the project link (architecture step 5).
//!
//! [`ModuleResolver`] answers one question for the linker: which project source
//! file does `import … from "<specifier>"` in a given file load? The resolution
//! itself is `oxc_resolver`'s (relative paths, extension fallback, index files,
//! TypeScript's `.js` → `.ts` extension alias, `tsconfig.json` / `jsconfig.json`
//! `baseUrl` and `paths` with `extends`, package `exports` / `imports`). This
//! module only decides *which* oxc resolver to ask and adds what oxc cannot know
//! in a repository where `npm install` never ran:
//!
//! - **Nearest config.** Each importing file uses the nearest `tsconfig.json`
//!   (or `jsconfig.json` when a directory has no `tsconfig.json`), the way
//!   Next.js and editors pick it. One oxc resolver is built per config file
//!   ([`TsconfigDiscovery::Manual`]), once, and reused; its cache does the rest.
//!   The config applies to every file under it, also to files its `include`
//!   leaves out (lenient like the bundlers, unlike `tsc`).
//! - **Workspace packages.** The workspace root above each checked root
//!   (`package.json` `workspaces`, or `pnpm-workspace.yaml` `packages:`) maps
//!   each package `name` to its directory, so `@acme/shared` resolves into the
//!   workspace without a `node_modules` symlink. The package's `exports`,
//!   `module` / `main`, or `src/index.ts` / `index.ts` pick the file.
//! - **No `node_modules`.** Bare imports of installed packages (`react`,
//!   `next/server`, `@upstash/qstash`) are never looked up: the linker only
//!   follows project files, so they are `None` at once.
//! - **No canonicalization.** Symlinks are never followed to their targets
//!   (not even for the tsconfig directory that anchors `paths`), so results
//!   compare equal to the paths walked from the checked roots.
//! - **`extends` of uninstalled packages.** A `tsconfig.json` that extends
//!   `@repo/typescript-config/nextjs.json` (a workspace package) is read as if
//!   it extended that file by a relative path; an `extends` target that does
//!   not exist at all is dropped instead of failing the whole config, so the
//!   config's own `paths` still apply.

use crate::hash::{HashMap, HashSet};
use std::collections::BTreeSet;
use std::fmt;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use oxc_resolver::{
    EnforceExtension, FileMetadata, FileSystem, FileSystemOs, PathUtil, ResolveError,
    ResolveOptions, ResolverGeneric, TsconfigDiscovery, TsconfigOptions, TsconfigReferences,
};

/// The extensions of the source files the linker reads, in resolution order.
const SOURCE_EXTENSIONS: [&str; 8] = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];

/// How deep a `**` workspace glob is followed below its literal prefix.
const MAX_GLOB_DEPTH: usize = 6;

/// An oxc resolver over the project's file-system view.
type Oxc = ResolverGeneric<ProjectFs>;

/// Resolves module specifiers to project source files.
///
/// Build it once per run with [`ModuleResolver::new`] and share it (it is
/// `Send + Sync`); [`ModuleResolver::resolve`] is cheap after the first call
/// for a directory, because the per-config oxc resolvers and their caches are
/// kept.
pub struct ModuleResolver {
    /// Workspace packages by name, shared with the file-system view.
    workspace: Arc<Workspace>,
    /// The file-system view every oxc resolver reads through.
    fs: ProjectFs,
    /// Resolver without a tsconfig: files without a config, workspace entries.
    plain: Arc<Oxc>,
    /// Like `plain`, but also matching the `types` export condition (a last
    /// resort for packages whose `import`/`require` targets are not built).
    typed: Oxc,
    /// One resolver per config file; `None` when the config cannot be loaded.
    configs: RwLock<HashMap<PathBuf, Option<Arc<Oxc>>>>,
    /// The resolver each directory's files use (memo of the nearest config).
    dirs: RwLock<HashMap<PathBuf, Arc<Oxc>>>,
    /// Every answer given, by the importing file's directory and the
    /// specifier: a project asks the same few thousand questions a million
    /// times (every call of an imported function asks where it comes from).
    answers: RwLock<HashMap<std::ffi::OsString, HashMap<String, Option<PathBuf>>>>,
}

impl fmt::Debug for ModuleResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModuleResolver")
            .field("workspace_packages", &self.workspace.packages.len())
            .finish_non_exhaustive()
    }
}

impl ModuleResolver {
    /// `roots`: the directories (or files) being checked; used to find workspace packages.
    ///
    /// For each root, the nearest ancestor (the root included) that declares
    /// workspaces (`pnpm-workspace.yaml` `packages:`, or `package.json`
    /// `workspaces` as an array or as `{ "packages": [...] }`) is the workspace
    /// root; its globs are expanded and each matched directory's `package.json`
    /// `name` becomes resolvable. Unreadable or malformed files are skipped.
    pub fn new(roots: &[PathBuf]) -> Self {
        let workspace = Arc::new(Workspace::discover(roots));
        let fs = ProjectFs {
            os: <FileSystemOs as FileSystem>::new(),
            workspace: Arc::clone(&workspace),
        };
        let plain = Oxc::new_with_file_system(fs.clone(), options(None, &["import", "require"]));
        let typed = plain.clone_with_options(options(None, &["types", "import", "require"]));
        Self {
            workspace,
            fs,
            plain: Arc::new(plain),
            typed,
            configs: RwLock::new(HashMap::default()),
            dirs: RwLock::new(HashMap::default()),
            answers: RwLock::new(HashMap::default()),
        }
    }

    /// Resolves `specifier` as imported from `from_file` (absolute path) to a project source file
    /// (absolute path, NOT canonicalized: symlinks off, so it compares equal to the paths the engine got
    /// from walking `roots`); None for builtins, URLs, packages that resolve into node_modules, and failures.
    ///
    /// Only files with a source extension (`.ts .tsx .mts .cts .js .jsx .mjs
    /// .cjs`, not `.d.ts`) are returned. Order: the nearest config's `paths` /
    /// `baseUrl`, relative and absolute paths, package `imports` (`#x`), then
    /// workspace packages by name.
    pub fn resolve(&self, from_file: &Path, specifier: &str) -> Option<PathBuf> {
        // `node:`, `npm:`, `jsr:`, `https://`, `data:`, `virtual:` … are never project files.
        if specifier.is_empty() || specifier.contains(':') {
            return None;
        }
        let absolute;
        let from_file = if from_file.is_absolute() {
            from_file
        } else {
            absolute = std::path::absolute(from_file).ok()?;
            &absolute
        };
        // Resolution depends on the directory only: relative paths, the
        // nearest config and the workspace are all the directory's.
        let dir = crate::pathbytes::parent(from_file)?;
        if let Some(known) = read(&self.answers)
            .get(dir.as_os_str())
            .and_then(|by_spec| by_spec.get(specifier))
        {
            return known.clone();
        }
        let answer = self.resolve_uncached(from_file, specifier);
        write(&self.answers)
            .entry(dir.as_os_str().to_owned())
            .or_default()
            .insert(specifier.to_string(), answer.clone());
        answer
    }

    fn resolve_uncached(&self, from_file: &Path, specifier: &str) -> Option<PathBuf> {
        let oxc = self.resolver_for(from_file.parent()?);
        if let Ok(resolution) = oxc.resolve_file(from_file, specifier) {
            if let Some(path) = accept(resolution.into_path_buf()) {
                return Some(path);
            }
        }
        if let Some(path) = self.resolve_framework_alias(from_file, specifier) {
            return Some(path);
        }
        if is_bare(specifier) {
            return self.resolve_workspace(specifier);
        }
        None
    }

    /// The aliases frameworks define in configs generated at build time
    /// (`.svelte-kit/tsconfig.json`, `.nuxt/tsconfig.json`), which are not in
    /// the repository: SvelteKit's `$lib` (`src/lib`), and Nuxt's `~` / `@`
    /// (the source directory: the root, or `app/` in Nuxt 4) and `~~` / `@@`
    /// (the root). The app root is the nearest directory with the
    /// framework's config file.
    fn resolve_framework_alias(&self, from_file: &Path, specifier: &str) -> Option<PathBuf> {
        let find_root = |configs: &[&str]| {
            from_file
                .ancestors()
                .skip(1)
                .find(|d| configs.iter().any(|c| crate::listing::is_file(&d.join(c))))
                .map(Path::to_path_buf)
        };
        let (root, rests): (PathBuf, Vec<String>) =
            if let Some(rest) = specifier.strip_prefix("$lib") {
                let root = find_root(&[
                    "svelte.config.js",
                    "svelte.config.ts",
                    "svelte.config.mjs",
                    "svelte.config.cjs",
                ])?;
                (root, vec![format!("./src/lib{rest}")])
            } else if let Some(rest) = specifier
                .strip_prefix("~~/")
                .or_else(|| specifier.strip_prefix("@@/"))
            {
                let root = find_root(&["nuxt.config.ts", "nuxt.config.js", "nuxt.config.mjs"])?;
                (root, vec![format!("./{rest}")])
            } else if let Some(rest) = specifier
                .strip_prefix("~/")
                .or_else(|| specifier.strip_prefix("@/"))
            {
                let root = find_root(&["nuxt.config.ts", "nuxt.config.js", "nuxt.config.mjs"])?;
                (root, vec![format!("./{rest}"), format!("./app/{rest}")])
            } else {
                return None;
            };
        let oxc = self.resolver_for(&root);
        rests.iter().find_map(|spec| {
            oxc.resolve(&root, spec)
                .ok()
                .and_then(|r| accept(r.into_path_buf()))
        })
    }

    /// Resolves `name[/subpath]` inside the workspace package called `name`.
    ///
    /// Candidates, in order: the package's `exports` (self-reference from its
    /// own directory, conditions `import`/`require`/`default`, then also
    /// `types`), then `module`/`main`/`index` (or `./subpath`), then
    /// `src/index` (or `./src/subpath`). The first candidate outside the
    /// package's build output (`dist/`, `build/`, …) wins, because the linker
    /// reads sources; a built file is returned only when nothing else exists.
    fn resolve_workspace(&self, specifier: &str) -> Option<PathBuf> {
        let (name, subpath) = split_package_specifier(specifier);
        let package = self.workspace.packages.get(name)?;
        let dir = &package.dir;
        let mut built = None;
        let mut consider = |path: Option<PathBuf>| -> Option<PathBuf> {
            let path = path?;
            if is_build_output(dir, &path) {
                built.get_or_insert(path);
                None
            } else {
                Some(path)
            }
        };
        let try_oxc = |oxc: &Oxc, spec: &str| {
            oxc.resolve(dir, spec)
                .ok()
                .and_then(|r| accept(r.into_path_buf()))
        };
        if package.has_exports {
            for oxc in [&*self.plain, &self.typed] {
                if let Some(path) = consider(try_oxc(oxc, specifier)) {
                    return Some(path);
                }
            }
        }
        let fallbacks = if subpath.is_empty() {
            [".".to_string(), "./src/index".to_string()]
        } else {
            [format!("./{subpath}"), format!("./src/{subpath}")]
        };
        for spec in &fallbacks {
            if let Some(path) = consider(try_oxc(&self.plain, spec)) {
                return Some(path);
            }
        }
        built
    }

    /// The resolver for files in `dir`: the one of the nearest
    /// `tsconfig.json` / `jsconfig.json`, or the plain one.
    fn resolver_for(&self, dir: &Path) -> Arc<Oxc> {
        if let Some(oxc) = read(&self.dirs).get(dir) {
            return Arc::clone(oxc);
        }
        let mut visited = Vec::new();
        let mut current = Some(dir);
        let oxc = loop {
            let Some(d) = current else {
                break Arc::clone(&self.plain);
            };
            if let Some(oxc) = read(&self.dirs).get(d) {
                break Arc::clone(oxc);
            }
            visited.push(d.to_path_buf());
            if let Some(config) = config_file_in(d) {
                break self
                    .config_resolver(&config)
                    .unwrap_or_else(|| Arc::clone(&self.plain));
            }
            current = d.parent();
        };
        let mut dirs = write(&self.dirs);
        for d in visited {
            dirs.entry(d).or_insert_with(|| Arc::clone(&oxc));
        }
        oxc
    }

    /// The resolver for one config file, built on first use. `None` when oxc
    /// cannot load the config (invalid JSON, a broken reference, …).
    fn config_resolver(&self, config: &Path) -> Option<Arc<Oxc>> {
        if let Some(found) = read(&self.configs).get(config) {
            return found.clone();
        }
        let mut configs = write(&self.configs);
        if let Some(found) = configs.get(config) {
            return found.clone();
        }
        // Project references first (solution-style configs keep `paths` in a
        // referenced config); without them when a reference cannot be loaded.
        let built = [TsconfigReferences::Auto, TsconfigReferences::Disabled]
            .into_iter()
            .find_map(|references| {
                let discovery = TsconfigDiscovery::Manual(TsconfigOptions {
                    config_file: config.to_path_buf(),
                    references,
                });
                let oxc = Oxc::new_with_file_system(
                    self.fs.clone(),
                    options(Some(discovery), &["import", "require"]),
                );
                oxc.resolve_tsconfig(config).is_ok().then(|| Arc::new(oxc))
            });
        configs.insert(config.to_path_buf(), built.clone());
        built
    }
}

/// The oxc options shared by every resolver of the project.
fn options(tsconfig: Option<TsconfigDiscovery>, conditions: &[&str]) -> ResolveOptions {
    let alias = |from: &str, to: &[&str]| {
        (
            from.to_string(),
            to.iter().map(|s| (*s).to_string()).collect::<Vec<_>>(),
        )
    };
    ResolveOptions {
        tsconfig,
        condition_names: conditions.iter().map(|s| (*s).to_string()).collect(),
        extensions: SOURCE_EXTENSIONS.iter().map(|s| (*s).to_string()).collect(),
        // TypeScript's ESM style: `import "./x.js"` names `x.ts`.
        extension_alias: vec![
            alias(".js", &[".ts", ".tsx", ".js", ".jsx"]),
            alias(".jsx", &[".tsx", ".jsx"]),
            alias(".mjs", &[".mts", ".mjs"]),
            alias(".cjs", &[".cts", ".cjs"]),
        ],
        enforce_extension: EnforceExtension::Disabled,
        main_fields: vec!["module".into(), "main".into()],
        main_files: vec!["index".into()],
        // Installed packages are not project files: never search node_modules.
        modules: Vec::new(),
        node_path: false,
        builtin_modules: true,
        symlinks: false,
        ..ResolveOptions::default()
    }
}

/// `path` when it is a project source file the linker can read.
fn accept(path: PathBuf) -> Option<PathBuf> {
    if path
        .components()
        .any(|c| c == Component::Normal("node_modules".as_ref()))
    {
        return None;
    }
    let name = path.file_name()?.to_str()?;
    let is_source = SOURCE_EXTENSIONS.iter().any(|ext| name.ends_with(ext));
    let is_declaration = [".d.ts", ".d.mts", ".d.cts"]
        .iter()
        .any(|ext| name.ends_with(ext));
    // Cleaned as the paths asked for are (and so the walk's): answers are
    // looked up by their bytes.
    (is_source && !is_declaration).then(|| crate::pathbytes::clean(&path))
}

/// Whether `path` lies in a build-output folder of the package at `dir`.
fn is_build_output(dir: &Path, path: &Path) -> bool {
    path.strip_prefix(dir).ok().is_some_and(|rest| {
        rest.components().next().is_some_and(|c| {
            c.as_os_str()
                .to_str()
                .is_some_and(|n| crate::discover::OUTPUT_DIRS.contains(&n))
        })
    })
}

/// A bare specifier names a package (or a `paths` / `baseUrl` alias).
fn is_bare(specifier: &str) -> bool {
    !specifier.starts_with(['.', '/', '#', '\\'])
}

/// `@scope/name/sub/path` → (`@scope/name`, `sub/path`); `name` → (`name`, ``).
fn split_package_specifier(specifier: &str) -> (&str, &str) {
    let mut parts = specifier.splitn(if specifier.starts_with('@') { 3 } else { 2 }, '/');
    let first = parts.next().unwrap_or_default();
    let name_len = if specifier.starts_with('@') {
        match parts.next() {
            Some(second) => first.len() + 1 + second.len(),
            None => first.len(),
        }
    } else {
        first.len()
    };
    let name = &specifier[..name_len];
    let subpath = specifier[name_len..].trim_start_matches('/');
    (name, subpath)
}

/// The config file in `dir` itself: `tsconfig.json`, else `jsconfig.json`.
fn config_file_in(dir: &Path) -> Option<PathBuf> {
    ["tsconfig.json", "jsconfig.json"]
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

/// `path` made absolute (against the working directory) and lexically
/// normalized (`.` and `..` removed), without touching symlinks.
fn absolute_normalized(path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    Some(absolute.normalize())
}

// ---------------------------------------------------------------------------
// Workspaces
// ---------------------------------------------------------------------------

/// The workspace packages found above the checked roots.
#[derive(Debug, Default)]
struct Workspace {
    /// Package name → package.
    packages: HashMap<String, WorkspacePackage>,
}

/// One workspace package.
#[derive(Debug)]
struct WorkspacePackage {
    /// The directory holding its `package.json`.
    dir: PathBuf,
    /// Whether its `package.json` has `exports`.
    has_exports: bool,
}

impl Workspace {
    /// Finds the workspace root above each root and reads its packages.
    fn discover(roots: &[PathBuf]) -> Self {
        let mut workspace = Self::default();
        let mut seen = HashSet::default();
        for root in roots {
            let Some(root) = absolute_normalized(root) else {
                continue;
            };
            let start = if root.is_file() {
                root.parent().map(Path::to_path_buf)
            } else {
                Some(root)
            };
            let Some(start) = start else { continue };
            for dir in start.ancestors() {
                let Some(patterns) = workspace_patterns(dir) else {
                    continue;
                };
                if seen.insert(dir.to_path_buf()) {
                    for package_dir in expand_workspace_globs(dir, &patterns) {
                        workspace.add(package_dir);
                    }
                }
                break;
            }
        }
        workspace
    }

    /// Records the package in `dir` under its `name` (first one wins).
    fn add(&mut self, dir: PathBuf) {
        let Ok(text) = std::fs::read_to_string(dir.join("package.json")) else {
            return;
        };
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
            return;
        };
        let Some(name) = json.get("name").and_then(|n| n.as_str()) else {
            return;
        };
        if name.is_empty() {
            return;
        }
        let has_exports = json.get("exports").is_some_and(|e| !e.is_null());
        self.packages
            .entry(name.to_string())
            .or_insert(WorkspacePackage { dir, has_exports });
    }
}

/// The workspace globs declared in `dir`, if it is a workspace root.
/// Whether `dir` declares workspaces (`pnpm-workspace.yaml`, or
/// `workspaces` in its `package.json`).
pub fn declares_workspace(dir: &Path) -> bool {
    workspace_patterns(dir).is_some()
}

fn workspace_patterns(dir: &Path) -> Option<Vec<String>> {
    let pnpm = dir.join("pnpm-workspace.yaml");
    if !crate::listing::surely_absent(&pnpm) {
        if let Ok(text) = std::fs::read_to_string(pnpm) {
            return Some(pnpm_workspace_packages(&text));
        }
    }
    let package = dir.join("package.json");
    if crate::listing::surely_absent(&package) {
        return None;
    }
    let text = std::fs::read_to_string(package).ok()?;
    let json = serde_json::from_str::<serde_json::Value>(&text).ok()?;
    let workspaces = json.get("workspaces")?;
    let list = workspaces
        .as_array()
        .or_else(|| workspaces.get("packages").and_then(|p| p.as_array()))?;
    Some(
        list.iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
    )
}

/// The `packages:` list of a `pnpm-workspace.yaml` (block or flow style).
fn pnpm_workspace_packages(text: &str) -> Vec<String> {
    let mut packages = Vec::new();
    let mut in_packages = false;
    for line in text.lines() {
        let content = strip_yaml_comment(line).trim_end();
        let trimmed = content.trim_start();
        if trimmed.is_empty() {
            continue;
        }
        let indented = content.len() != trimmed.len();
        if in_packages && (indented || trimmed.starts_with('-')) {
            if let Some(item) = trimmed.strip_prefix('-') {
                let item = unquote(item.trim());
                if !item.is_empty() {
                    packages.push(item.to_string());
                }
            }
            continue;
        }
        in_packages = false;
        if indented {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("packages:") {
            let rest = rest.trim();
            if let Some(flow) = rest.strip_prefix('[') {
                let flow = flow.trim_end().trim_end_matches(']');
                packages.extend(
                    flow.split(',')
                        .map(|item| unquote(item.trim()))
                        .filter(|item| !item.is_empty())
                        .map(str::to_string),
                );
            } else {
                in_packages = rest.is_empty();
            }
        }
    }
    packages
}

/// `line` without a YAML comment (`#` at the start or after whitespace,
/// outside quotes).
fn strip_yaml_comment(line: &str) -> &str {
    let mut quote = None;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && previous.is_whitespace() => return &line[..i],
            None => {}
        }
        previous = c;
    }
    line
}

/// `s` without one pair of surrounding quotes.
fn unquote(s: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// The package directories under `root` matched by the workspace `patterns`
/// (npm / pnpm globs, `!` excludes), sorted; `node_modules` and hidden
/// folders are never entered.
fn expand_workspace_globs(root: &Path, patterns: &[String]) -> Vec<PathBuf> {
    let mut includes = Vec::new();
    let mut excludes = GlobSetBuilder::new();
    for pattern in patterns {
        let (negated, pattern) = match pattern.trim().strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, pattern.trim()),
        };
        let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
        if pattern.is_empty() {
            continue;
        }
        let Ok(glob) = GlobBuilder::new(pattern).literal_separator(true).build() else {
            continue;
        };
        if negated {
            excludes.add(glob.clone());
            // `!packages/x` also excludes what lies below it.
            if let Ok(below) = Glob::new(&format!("{pattern}/**")) {
                excludes.add(below);
            }
        } else {
            includes.push((pattern.to_string(), glob.compile_matcher()));
        }
    }
    let excludes = excludes.build().unwrap_or_else(|_| GlobSet::empty());
    let mut found = BTreeSet::new();
    for (pattern, matcher) in &includes {
        let segments: Vec<&str> = pattern.split('/').collect();
        let literal = segments
            .iter()
            .take_while(|s| !s.contains(['*', '?', '[', '{']))
            .count();
        let prefix: PathBuf = segments[..literal].iter().collect();
        let depth = if pattern.contains("**") {
            MAX_GLOB_DEPTH
        } else {
            segments.len() - literal
        };
        let mut frontier = vec![(root.join(&prefix), 0usize)];
        while let Some((dir, level)) = frontier.pop() {
            if let Ok(relative) = dir.strip_prefix(root) {
                let relative = to_slash(relative);
                if matcher.is_match(&relative)
                    && !excludes.is_match(&relative)
                    && crate::listing::is_file(&dir.join("package.json"))
                {
                    found.insert(dir.clone());
                }
            }
            if level >= depth {
                continue;
            }
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let Some(name) = name.to_str() else { continue };
                if name == "node_modules" || name.starts_with('.') {
                    continue;
                }
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    frontier.push((entry.path(), level + 1));
                }
            }
        }
    }
    found.into_iter().collect()
}

/// `path`'s components joined with `/`.
fn to_slash(path: &Path) -> String {
    let parts: Vec<_> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy()),
            _ => None,
        })
        .collect();
    parts.join("/")
}

// ---------------------------------------------------------------------------
// The file-system view oxc reads through
// ---------------------------------------------------------------------------

/// The OS file system as the linker wants oxc to see it.
///
/// - Symlinks are reported as what they point to, so oxc never canonicalizes
///   a path (it would otherwise canonicalize a tsconfig's directory, the base
///   of its `paths`, even with `symlinks: false`).
/// - A tsconfig's `extends` naming a workspace package is rewritten to a
///   relative path into the workspace, and an `extends` target that does not
///   exist is dropped (see [`rewrite_extends`]); oxc reads tsconfig files, and
///   only them, with `read_to_string` (`package.json` goes through `read`).
#[derive(Clone)]
struct ProjectFs {
    os: FileSystemOs,
    workspace: Arc<Workspace>,
}

impl FileSystem for ProjectFs {
    fn new() -> Self {
        Self {
            os: <FileSystemOs as FileSystem>::new(),
            workspace: Arc::default(),
        }
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        <FileSystemOs as FileSystem>::read(&self.os, path)
    }

    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        let text = <FileSystemOs as FileSystem>::read_to_string(&self.os, path)?;
        let is_package_json = path.file_name().is_some_and(|n| n == "package.json");
        if is_package_json || !text.contains("\"extends\"") {
            return Ok(text);
        }
        let Some(dir) = path.parent() else {
            return Ok(text);
        };
        Ok(rewrite_extends(&text, dir, &self.workspace).unwrap_or(text))
    }

    fn metadata(&self, path: &Path) -> io::Result<FileMetadata> {
        <FileSystemOs as FileSystem>::metadata(&self.os, path)
    }

    fn symlink_metadata(&self, path: &Path) -> io::Result<FileMetadata> {
        // Followed metadata: no symlink is ever seen, so nothing is canonicalized.
        <FileSystemOs as FileSystem>::metadata(&self.os, path)
    }

    fn read_link(&self, path: &Path) -> Result<PathBuf, ResolveError> {
        <FileSystemOs as FileSystem>::read_link(&self.os, path)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        // Only reached as oxc's fallback; keep the path as given.
        <FileSystemOs as FileSystem>::metadata(&self.os, path).map(|_| path.to_path_buf())
    }
}

/// A JSON token: a string literal or a structural character, by byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Str(usize, usize),
    Punct(u8, usize),
}

/// Tokens of a JSONC text (strings and `{}[]:,`), comments skipped.
fn json_tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                tokens.push(Token::Str(start, i));
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            c @ (b'{' | b'}' | b'[' | b']' | b':' | b',') => {
                tokens.push(Token::Punct(c, i));
                i += 1;
            }
            _ => i += 1,
        }
    }
    tokens
}

/// The tsconfig text in `dir` with its top-level `extends` made loadable
/// without `node_modules`; `None` when nothing changes.
///
/// Each entry is kept when oxc can load it as is (a relative or absolute path
/// that exists, a `#` import, a package present in a `node_modules` above),
/// rewritten to a relative path when it names a file in a workspace package,
/// and dropped otherwise, so one missing base does not lose the whole config.
fn rewrite_extends(text: &str, dir: &Path, workspace: &Workspace) -> Option<String> {
    let tokens = json_tokens(text);
    let mut depth = 0usize;
    let mut value_at = None;
    for (i, token) in tokens.iter().enumerate() {
        match *token {
            Token::Punct(b'{' | b'[', _) => depth += 1,
            Token::Punct(b'}' | b']', _) => depth = depth.saturating_sub(1),
            Token::Str(start, end)
                if depth == 1
                    && matches!(tokens.get(i + 1), Some(Token::Punct(b':', _)))
                    && decode(&text[start..end]).as_deref() == Some("extends") =>
            {
                value_at = Some(i + 2);
                break;
            }
            _ => {}
        }
    }
    let value_at = value_at?;
    let (span, entries, single) = match tokens.get(value_at)? {
        Token::Str(start, end) => ((*start, *end), vec![decode(&text[*start..*end])?], true),
        Token::Punct(b'[', open) => {
            let mut entries = Vec::new();
            let mut close = None;
            for token in &tokens[value_at + 1..] {
                match *token {
                    Token::Str(start, end) => entries.push(decode(&text[start..end])?),
                    Token::Punct(b']', at) => {
                        close = Some(at + 1);
                        break;
                    }
                    Token::Punct(b',', _) => {}
                    Token::Punct(..) => return None,
                }
            }
            ((*open, close?), entries, false)
        }
        Token::Punct(..) => return None,
    };
    let fixed: Vec<String> = entries
        .iter()
        .filter_map(|entry| fix_extends_entry(entry, dir, workspace))
        .collect();
    if fixed == entries {
        return None;
    }
    let replacement = if single && fixed.len() == 1 {
        serde_json::to_string(&fixed[0]).ok()?
    } else {
        serde_json::to_string(&fixed).ok()?
    };
    Some(format!(
        "{}{}{}",
        &text[..span.0],
        replacement,
        &text[span.1..]
    ))
}

/// A JSON string literal's value.
fn decode(literal: &str) -> Option<String> {
    serde_json::from_str(literal).ok()
}

/// One `extends` entry made loadable (see [`rewrite_extends`]); `None` drops it.
fn fix_extends_entry(entry: &str, dir: &Path, workspace: &Workspace) -> Option<String> {
    if entry.starts_with('#') {
        return Some(entry.to_string());
    }
    if entry.starts_with('.') || Path::new(entry).is_absolute() {
        return tsconfig_exists(&dir.join(entry)).then(|| entry.to_string());
    }
    let (name, subpath) = split_package_specifier(entry);
    if let Some(package) = workspace.packages.get(name) {
        let target = if subpath.is_empty() {
            package.dir.clone()
        } else {
            package.dir.join(subpath)
        };
        return tsconfig_exists(&target).then(|| relative_path(dir, &target));
    }
    let installed = dir
        .ancestors()
        .any(|a| a.join("node_modules").join(name).is_dir());
    installed.then(|| entry.to_string())
}

/// Whether oxc finds a tsconfig at `path` (a file, a directory with
/// `tsconfig.json`, or the path with `.json` appended).
fn tsconfig_exists(path: &Path) -> bool {
    if path.is_file() {
        return true;
    }
    if path.is_dir() {
        return path.join("tsconfig.json").is_file();
    }
    let mut with_json = path.as_os_str().to_os_string();
    with_json.push(".json");
    Path::new(&with_json).is_file()
}

/// `to` relative to the directory `from`, `/`-separated, starting with `.`
/// (absolute `to` when they share no root, e.g. two Windows drives).
fn relative_path(from: &Path, to: &Path) -> String {
    let from = from.normalize();
    let to = to.normalize();
    let from_parts: Vec<Component> = from.components().collect();
    let to_parts: Vec<Component> = to.components().collect();
    let common = from_parts
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return to.to_string_lossy().into_owned();
    }
    let mut parts: Vec<String> = vec!["..".to_string(); from_parts.len() - common];
    parts.extend(
        to_parts[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.first().is_none_or(|p| p != "..") {
        parts.insert(0, ".".to_string());
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolver_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<ModuleResolver>();
    }

    #[test]
    fn splits_package_specifiers() {
        assert_eq!(split_package_specifier("react"), ("react", ""));
        assert_eq!(split_package_specifier("next/server"), ("next", "server"));
        assert_eq!(
            split_package_specifier("@acme/shared"),
            ("@acme/shared", "")
        );
        assert_eq!(
            split_package_specifier("@acme/shared/a/b"),
            ("@acme/shared", "a/b")
        );
        assert_eq!(split_package_specifier("@acme"), ("@acme", ""));
    }

    #[test]
    fn parses_pnpm_workspace_yaml() {
        let yaml = "# comment\npackages:\n  - \"apps/*\"\n  - 'packages/*' # shared\n  - '!**/test/**'\n- tools/cli\ncatalog:\n  react: ^19\n  - not-a-package\n";
        assert_eq!(
            pnpm_workspace_packages(yaml),
            ["apps/*", "packages/*", "!**/test/**", "tools/cli"]
        );
        assert_eq!(
            pnpm_workspace_packages("packages: [\"apps/*\", 'libs/*']\n"),
            ["apps/*", "libs/*"]
        );
        assert!(pnpm_workspace_packages("onlyBuiltDependencies:\n  - esbuild\n").is_empty());
    }

    #[test]
    fn accepts_only_project_sources() {
        assert!(accept(PathBuf::from("/p/src/a.ts")).is_some());
        assert!(accept(PathBuf::from("/p/src/a.mjs")).is_some());
        assert!(accept(PathBuf::from("/p/src/a.d.ts")).is_none());
        assert!(accept(PathBuf::from("/p/src/a.json")).is_none());
        assert!(accept(PathBuf::from("/p/node_modules/x/index.js")).is_none());
    }

    #[test]
    fn relative_paths_between_directories() {
        assert_eq!(
            relative_path(
                Path::new("/r/apps/web"),
                Path::new("/r/packages/ts/base.json")
            ),
            "../../packages/ts/base.json"
        );
        assert_eq!(
            relative_path(Path::new("/r"), Path::new("/r/packages/ts")),
            "./packages/ts"
        );
    }

    #[test]
    fn tokenizes_jsonc() {
        let text = "{ // c \"x\"\n \"a\": [\"b\"] /* \"y\" */ }";
        let strings: Vec<&str> = json_tokens(text)
            .into_iter()
            .filter_map(|t| match t {
                Token::Str(s, e) => Some(&text[s..e]),
                Token::Punct(..) => None,
            })
            .collect();
        assert_eq!(strings, ["\"a\"", "\"b\""]);
    }

    #[test]
    fn rewrites_extends_of_workspace_and_missing_packages() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let config_pkg = root.join("packages/typescript-config");
        std::fs::create_dir_all(&config_pkg).unwrap();
        std::fs::write(config_pkg.join("nextjs.json"), "{}").unwrap();
        let app = root.join("apps/web");
        std::fs::create_dir_all(&app).unwrap();
        std::fs::write(app.join("tsconfig.base.json"), "{}").unwrap();
        let mut workspace = Workspace::default();
        workspace.packages.insert(
            "@repo/typescript-config".into(),
            WorkspacePackage {
                dir: config_pkg,
                has_exports: false,
            },
        );

        let text = "{\n  // base\n  \"extends\": \"@repo/typescript-config/nextjs.json\",\n  \"compilerOptions\": {}\n}";
        let out = rewrite_extends(text, &app, &workspace).unwrap();
        assert!(out.contains("\"extends\": \"../../packages/typescript-config/nextjs.json\","));
        assert!(out.contains("// base"));

        let text =
            r#"{"extends": ["@tsconfig/strictest", "./tsconfig.base.json", "./missing.json"]}"#;
        let out = rewrite_extends(text, &app, &workspace).unwrap();
        assert_eq!(out, r#"{"extends": ["./tsconfig.base.json"]}"#);

        // Nothing to change: untouched.
        let text = r#"{"extends": "./tsconfig.base.json", "compilerOptions": {"extends": 1}}"#;
        assert!(rewrite_extends(text, &app, &workspace).is_none());
        // A nested "extends" key is not the config's.
        let text = r#"{"x": {"extends": "@nope/x"}}"#;
        assert!(rewrite_extends(text, &app, &workspace).is_none());
    }
}
