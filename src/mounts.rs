//! Routers mounted across modules: `app.use("/api/webhooks", webhooks)` in
//! `server.ts`, with `webhooks.post("/qstash", …)` in
//! `routes/webhooks.ts`, serves `/api/webhooks/qstash`. The route file alone
//! only knows `/qstash`; this index gives each exported router object the
//! prefixes (and the middleware) its mounts add, through mounts of mounts.

use crate::diagnostic::Span;
use crate::facts::handlers::CallRef;
use crate::facts::verify::ParserKind;
use crate::facts::FileFacts;
use crate::hash::HashMap;
use crate::link::Resolve;
use std::path::{Path, PathBuf};

/// How deep mounts of mounts are followed (and so how a cycle ends).
const MAX_DEPTH: usize = 6;
/// At most this many mount chains per router object.
const MAX_CHAINS: usize = 16;

/// One way a router object is reached: the path prefix in front of its
/// routes and the middleware that runs before them, each with its file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mounted {
    /// The prefix, `""` when the router is served at the root.
    pub prefix: String,
    /// Middleware of the mounting files, with the file each is named in.
    pub middleware: Vec<(PathBuf, CallRef)>,
    /// The body parser in front: a raw or text parser anywhere on the way
    /// wins (the text is kept), else a JSON parser; with its file and span.
    pub body_parser: Option<(ParserKind, PathBuf, Span)>,
}

/// Where a router is mounted from: the mounting file and object, the
/// prefix, and the middleware in front.
struct Parent {
    file: PathBuf,
    object: String,
    prefix: String,
    middleware: Vec<CallRef>,
    body_parser: Option<(ParserKind, Span)>,
    /// The plugins registered around the mount (indices of the mounting
    /// file's mounts).
    plugin_contexts: Vec<usize>,
}

/// The cross-module mounts of a project, by mounted (file, object).
#[derive(Default)]
pub struct MountIndex {
    parents: HashMap<(PathBuf, String), Vec<Parent>>,
    /// The hooks of `fastify-plugin` plugins from other modules, by the
    /// file and index of the mount that registers them: they run for the
    /// routes of the context they are registered in.
    fp_hooks: HashMap<(PathBuf, usize), Vec<(PathBuf, CallRef)>>,
}

impl MountIndex {
    /// Resolves every mount of `files` to the router object it names.
    pub fn new<'a>(
        files: impl Iterator<Item = (&'a Path, &'a FileFacts)>,
        by_path: &crate::facts::FactsByPath,
        resolver: &impl Resolve,
    ) -> Self {
        let mut parents: HashMap<(PathBuf, String), Vec<Parent>> = HashMap::default();
        let mut fp_hooks: HashMap<(PathBuf, usize), Vec<(PathBuf, CallRef)>> = HashMap::default();
        for (path, facts) in files {
            for (index, m) in facts.handlers.mounts.iter().enumerate() {
                let Some(target) = resolver.resolve(path, &m.child.specifier) else {
                    continue;
                };
                // An anonymous default export (`export default fp(async
                // (fastify) => …)`) registers its routes as `default`.
                let child = resolver
                    .export_local(&target, &m.child.name, by_path, 0)
                    .or_else(|| {
                        (m.child.name == "default" && by_path.contains_key(target.as_path()))
                            .then(|| (target.clone(), "default".to_string()))
                    });
                let Some(child) = child else {
                    continue;
                };
                // Fastify ignores the prefix of a `fastify-plugin` plugin.
                let child_facts = by_path.get(child.0.as_path());
                let unprefixed =
                    child_facts.is_some_and(|f| f.handlers.unprefixed.contains(&child.1));
                if let (true, Some(cf)) = (unprefixed, child_facts) {
                    let hooks = cf
                        .handlers
                        .hooks
                        .iter()
                        .filter(|(o, _)| *o == child.1)
                        .map(|(_, c)| (child.0.clone(), c.clone()));
                    fp_hooks
                        .entry((path.to_path_buf(), index))
                        .or_default()
                        .extend(hooks);
                }
                parents.entry(child).or_default().push(Parent {
                    file: path.to_path_buf(),
                    object: m.object.clone(),
                    prefix: if unprefixed {
                        let outer = m.prefix.len().saturating_sub(m.option_prefix);
                        m.prefix.get(..outer).unwrap_or_default().to_string()
                    } else {
                        m.prefix.clone()
                    },
                    middleware: m.middleware.clone(),
                    body_parser: m.body_parser,
                    plugin_contexts: m.plugin_contexts.clone(),
                });
            }
        }
        MountIndex { parents, fp_hooks }
    }

    /// Whether no router is mounted across modules.
    pub fn is_empty(&self) -> bool {
        self.parents.is_empty()
    }

    /// The hooks the `fastify-plugin` plugins of other modules registered
    /// by `file`'s mounts `plugins` add to the routes around them.
    fn fp_hooks(&self, file: &Path, plugins: &[usize]) -> Vec<(PathBuf, CallRef)> {
        if self.fp_hooks.is_empty() {
            return Vec::new();
        }
        plugins
            .iter()
            .filter_map(|&j| self.fp_hooks.get(&(file.to_path_buf(), j)))
            .flatten()
            .cloned()
            .collect()
    }

    /// Every way the router `object` of `file` is reached; one chain
    /// without a prefix when it is not mounted from another module.
    /// `plugins` are the file's mounts registered around the routes.
    pub fn chains(&self, file: &Path, object: &str, plugins: &[usize]) -> Vec<Mounted> {
        let own = Mounted {
            middleware: self.fp_hooks(file, plugins),
            ..Mounted::default()
        };
        let mut out = Vec::new();
        self.walk(file, object, own.clone(), 0, &mut out);
        if out.is_empty() {
            out.push(own);
        }
        out
    }

    fn walk(
        &self,
        file: &Path,
        object: &str,
        below: Mounted,
        depth: usize,
        out: &mut Vec<Mounted>,
    ) {
        let parents = self
            .parents
            .get(&(file.to_path_buf(), object.to_string()))
            .filter(|_| depth < MAX_DEPTH);
        let Some(parents) = parents else {
            // The top of the chain: `below` is complete (unless nothing
            // mounts this object at all, which `chains` handles).
            if depth > 0 && out.len() < MAX_CHAINS {
                out.push(below);
            }
            return;
        };
        for p in parents {
            let mut middleware: Vec<(PathBuf, CallRef)> = p
                .middleware
                .iter()
                .map(|c| (p.file.clone(), c.clone()))
                .collect();
            middleware.extend(self.fp_hooks(&p.file, &p.plugin_contexts));
            middleware.extend(below.middleware.iter().cloned());
            let here = p.body_parser.map(|(k, span)| (k, p.file.clone(), span));
            let raw = |b: &Option<(ParserKind, PathBuf, Span)>| {
                b.as_ref().is_some_and(|(k, ..)| *k == ParserKind::Raw)
            };
            let body_parser =
                if raw(&below.body_parser) || (below.body_parser.is_some() && !raw(&here)) {
                    below.body_parser.clone()
                } else {
                    here
                };
            let chain = Mounted {
                prefix: format!("{}{}", p.prefix.trim_end_matches('/'), below.prefix),
                middleware,
                body_parser,
            };
            self.walk(&p.file, &p.object, chain, depth + 1, out);
        }
    }
}
