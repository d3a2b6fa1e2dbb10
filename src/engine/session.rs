//! Project context held in memory, for the language server.
//!
//! The first lint of a file discovers, reads and analyzes its whole project
//! once and keeps the per-file results (unlinked) with the module resolver
//! and the late parses. Every later lint starts from that state, replaces
//! the one file being edited with the analysis of its buffer, and runs only
//! the linking stages, which touch the few files that matter to QStash.
//! Files saved or changed on disk are re-analyzed one by one; files created
//! or deleted, and changes to configs or manifests, rebuild the project on
//! its next lint.

use super::{
    analyze, analyze_buffer, display_path, enabled_rules, finish, gather, worker_pool, Analyzed,
    ConfigCache, Options, Outcome, ParseMemo, RunError,
};
use crate::discover;
use crate::hash::HashMap;
use crate::project::project_root;
use crate::resolve::ModuleResolver;
use std::path::{Path, PathBuf};

/// One project's files after the per-file stage.
struct Project {
    /// Every file the walk found and the configs select, none reported.
    base: Vec<Analyzed>,
    /// Position of each file in `base`.
    index: HashMap<std::ffi::OsString, usize>,
    resolver: ModuleResolver,
    memo: ParseMemo,
    configs: ConfigCache,
}

impl Project {
    fn load(root: &Path) -> Result<Self, RunError> {
        let gathered = gather(&Options {
            paths: vec![root.to_path_buf()],
            cwd: root.to_path_buf(),
            ..Options::default()
        })?;
        let mut base = gathered.analyzed;
        for a in &mut base {
            a.reported = false;
        }
        // Patterns depend on paths and package layout only: once per load.
        super::route_patterns(&mut base, root);
        let index = super::file_index(&base);
        let resolver = ModuleResolver::new(&gathered.roots);
        let memo = ParseMemo::default();
        // The files that parsed files import, parsed once here rather than
        // on every lint; a lint follows only the edited buffer's imports.
        super::parse_imported(&mut base, &resolver, &memo, &index, root);
        Ok(Project {
            base,
            index,
            resolver,
            memo,
            configs: gathered.configs,
        })
    }
}

/// The projects of the files linted so far, by project root.
pub struct Session {
    projects: HashMap<PathBuf, Project>,
    /// The worker threads, with the stack deep nesting needs, kept for the
    /// session's life.
    pool: rayon::ThreadPool,
}

impl Session {
    /// An empty session: projects are loaded on their first lint.
    pub fn new(threads: Option<usize>) -> Result<Self, RunError> {
        Ok(Session {
            projects: HashMap::default(),
            pool: worker_pool(threads)?,
        })
    }

    /// Lints `text` as the file `path` (absolute) with its project's
    /// context; only that file is reported, with paths shown relative to the
    /// project root.
    pub fn lint(&mut self, path: &Path, text: &str) -> Result<Outcome, RunError> {
        let pool = &self.pool;
        let projects = &mut self.projects;
        pool.install(|| lint_in(projects, path, text))
    }

    /// `path` changed on disk (saved, or reported by the client's file
    /// watcher). A source file the project knows is analyzed again; any
    /// other change (a new or deleted file, a config, a manifest, a
    /// tsconfig, an ignore file) may change discovery, resolution or
    /// configuration, so the projects it may touch are loaded afresh on
    /// their next lint.
    pub fn changed(&mut self, path: &Path) {
        let known = self
            .projects
            .values()
            .any(|p| p.index.contains_key(path.as_os_str()));
        let shapes = shapes_project(path);
        if known && !shapes && path.is_file() {
            let pool = &self.pool;
            for (root, project) in self.projects.iter_mut() {
                let Some(&i) = project.index.get(path.as_os_str()) else {
                    continue;
                };
                project.memo.forget(path);
                let old = &project.base[i];
                let (path, display, config) =
                    (old.path.clone(), old.display.clone(), old.config.clone());
                // Parsing recurses as deep as the code nests: on the
                // workers, whose stacks are sized for it.
                let mut fresh = pool.install(|| analyze(path, display, config));
                fresh.reported = false;
                project.base[i] = fresh;
                // Follow imports again: the file may import others now, and
                // if it was parsed only for its values, its importers must
                // pick up the new ones.
                let Project {
                    base,
                    index,
                    resolver,
                    memo,
                    ..
                } = project;
                for a in base.iter_mut() {
                    a.imports_followed = false;
                }
                pool.install(|| super::parse_imported(base, resolver, memo, index, root));
            }
            return;
        }
        // Only a source file created or deleted, or a project-shaping file,
        // changes more than one file's analysis.
        if !known && !shapes && !discover::is_lintable(path) {
            return;
        }
        let dir = path.parent().unwrap_or(path);
        // A config, manifest or ignore file above a project changes it too.
        self.projects
            .retain(|root, _| !root.starts_with(dir) && !path.starts_with(root));
    }

    /// Forgets every project, to be loaded afresh on its next lint.
    pub fn clear(&mut self) {
        self.projects.clear();
    }
}

/// [`Session::lint`] on the session's threads.
fn lint_in(
    projects: &mut HashMap<PathBuf, Project>,
    path: &Path,
    text: &str,
) -> Result<Outcome, RunError> {
    let root = project_root(path);
    if !projects.contains_key(&root) {
        let project = Project::load(&root)?;
        projects.insert(root.clone(), project);
    }
    let Some(project) = projects.get_mut(&root) else {
        return Ok(Outcome::default());
    };
    let config = project.configs.for_file(path)?;
    let enabled = enabled_rules(std::iter::once(config.as_ref()));
    if !discover::is_lintable(path) || !config.selects(path) {
        return Ok(Outcome {
            enabled_rules: enabled,
            ..Outcome::default()
        });
    }
    let display = display_path(path, &root);
    let mut edited = analyze_buffer(Analyzed::new(path.to_path_buf(), display, config), text);
    edited.reported = true;
    let mut files = project.base.clone();
    match project.index.get(path.as_os_str()) {
        Some(&i) => files[i] = edited,
        None => files.push(edited),
    }
    Ok(finish(
        files,
        &project.resolver,
        &project.memo,
        &root,
        enabled,
    ))
}

/// Whether `path` shapes a project as a whole: which files it has, how
/// their imports resolve (manifests, tsconfigs, framework configs that
/// declare aliases), where their routes are (`basePath`), or how they are
/// configured.
fn shapes_project(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    matches!(
        name,
        crate::config::FILE_NAME
            | "package.json"
            | "pnpm-workspace.yaml"
            | ".gitignore"
            | ".ignore"
    ) || ((name.starts_with("tsconfig") || name.starts_with("jsconfig")) && name.ends_with(".json"))
        || name.starts_with("svelte.config.")
        || name.starts_with("nuxt.config.")
        // A Next.js `basePath` moves every route.
        || name.starts_with("next.config.")
}

#[cfg(test)]
mod tests {
    use super::shapes_project;
    use std::path::Path;

    #[test]
    fn project_shaping_files() {
        for yes in [
            "a/qstash-lint.json",
            "a/package.json",
            "a/pnpm-workspace.yaml",
            "a/tsconfig.json",
            "a/tsconfig.base.json",
            "a/jsconfig.json",
            "a/.gitignore",
            "a/next.config.mjs",
            "a/svelte.config.js",
            "a/nuxt.config.ts",
        ] {
            assert!(shapes_project(Path::new(yes)), "{yes}");
        }
        for no in [
            "a/app/api/x/route.ts",
            "a/lib/qstash.ts",
            "a/README.md",
            "a/tsconfig.ts",
        ] {
            assert!(!shapes_project(Path::new(no)), "{no}");
        }
    }
}
