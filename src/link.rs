//! The project link: follows imports across files so that facts extracted
//! one file at a time see each other.
//!
//! - An imported const folds to its exported value (`APP_URL` from
//!   `lib/constants.ts` in `lib/queue.ts`), through re-exports.
//! - A send on an imported receiver (`qstash.publishJSON` with `qstash` from
//!   `@/lib/qstash`, `getQstash().publish`) is kept only when the import is
//!   a QStash client (or a function returning one); otherwise it is dropped.
//!
//! What cannot be resolved stays unknown, and unknown means no diagnostic.

use crate::facts::{
    Candidate, Export, ExportTarget, ExportValue, FileFacts, ImportRef, ImportedCall,
    ImportedReceiver, Literal, ObjectLit, Part, QstashClass, SendKind, Value,
};
use crate::hash::HashMap;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// How deep imported consts are followed (and re-exports, without a memo).
const MAX_DEPTH: u32 = 16;
/// How many re-exports a memoised chain may follow: only a bound for the
/// stack, since every module is visited once per name.
const MAX_HOPS: u32 = 4096;
/// How many candidates a linked value may have.
const MAX_CANDIDATES: usize = 16;

/// Resolves module specifiers to project files.
pub trait Resolve {
    /// The project file `specifier` names when imported from `from`.
    fn resolve(&self, from: &Path, specifier: &str) -> Option<PathBuf>;

    /// The file and local name behind export `name` of `file`, through
    /// re-exports; `depth` re-exports have been followed to get here.
    fn export_local(
        &self,
        file: &Path,
        name: &str,
        by_path: &crate::facts::FactsByPath,
        depth: u32,
    ) -> Option<(PathBuf, String)> {
        if depth > MAX_DEPTH {
            return None;
        }
        crate::receivers::export_local_step(self, file, name, by_path, depth)
    }
}

/// A module's file (its path's bytes: hashing a `Path` walks its
/// components) and one of its export names.
type ExportKey = (std::ffi::OsString, String);

/// A resolver that also remembers where each export is defined: the
/// project's analyses ask it for every call of every imported function, and
/// a barrel of `export *` was walked again for each. A cycle of re-exports
/// is unknown; a chain of any length is followed.
pub struct Memoized<'r, R: Resolve> {
    inner: &'r R,
    exports: RefCell<HashMap<ExportKey, Option<(PathBuf, String)>>>,
}

impl<'r, R: Resolve> Memoized<'r, R> {
    /// Wraps `inner`. Valid for one set of parsed files (`by_path`).
    pub fn new(inner: &'r R) -> Self {
        Memoized {
            inner,
            exports: RefCell::new(HashMap::default()),
        }
    }
}

impl<R: Resolve> Resolve for Memoized<'_, R> {
    fn resolve(&self, from: &Path, specifier: &str) -> Option<PathBuf> {
        self.inner.resolve(from, specifier)
    }

    fn export_local(
        &self,
        file: &Path,
        name: &str,
        by_path: &crate::facts::FactsByPath,
        depth: u32,
    ) -> Option<(PathBuf, String)> {
        let key = (file.as_os_str().to_owned(), name.to_string());
        if let Some(known) = self.exports.borrow().get(&key) {
            return known.clone();
        }
        if depth > MAX_HOPS {
            return None;
        }
        // In progress: a cycle back here is unknown.
        self.exports.borrow_mut().insert(key.clone(), None);
        let found = crate::receivers::export_local_step(self, file, name, by_path, depth);
        self.exports.borrow_mut().insert(key, found.clone());
        found
    }
}

impl Resolve for crate::resolve::ModuleResolver {
    fn resolve(&self, from: &Path, specifier: &str) -> Option<PathBuf> {
        crate::resolve::ModuleResolver::resolve(self, from, specifier)
    }
}

/// A resolver that resolves nothing: single-file checks.
pub struct NoResolve;

impl Resolve for NoResolve {
    fn resolve(&self, _: &Path, _: &str) -> Option<PathBuf> {
        None
    }
}

/// What the link learned about an imported send's client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkedClient {
    /// Its class.
    pub class: QstashClass,
    /// It targets the local dev server.
    pub dev_server: bool,
}

/// The linker over the facts of every parsed file.
pub struct Linker<'a, R: Resolve> {
    files: &'a HashMap<PathBuf, &'a FileFacts>,
    resolver: &'a R,
    /// Each export's linked value, by its file's bytes (hashing a `Path`
    /// walks its components) and its name.
    memo: RefCell<HashMap<(std::ffi::OsString, String), Option<ExportValue>>>,
    /// Export (file, name) as a verifier, once asked.
    verifiers: RefCell<HashMap<(PathBuf, String), VerifierMemo>>,
}

/// An export's answer as a verifier (`None`: not one, or being asked).
type VerifierMemo = Option<Rc<VerifierAt>>;

/// Where an exported verifier function is defined.
#[derive(Debug)]
struct VerifierAt {
    /// Its file.
    path: PathBuf,
    /// The parameter it hands to `verify` as the body, and that option.
    body: Option<(u32, crate::diagnostic::Span)>,
}

impl<'a, R: Resolve> Linker<'a, R> {
    /// A linker over `files` (by absolute path).
    pub fn new(files: &'a HashMap<PathBuf, &'a FileFacts>, resolver: &'a R) -> Self {
        Linker {
            files,
            resolver,
            memo: RefCell::new(HashMap::default()),
            verifiers: RefCell::new(HashMap::default()),
        }
    }

    /// The linked facts of `file`: imported values substituted, imported
    /// sends confirmed or dropped. Returns whether a confirmed client targets
    /// the dev server.
    pub fn link(&self, file: &Path, facts: &FileFacts) -> (FileFacts, bool) {
        let mut out = facts.clone();
        let mut dev_server = false;
        out.sends.retain(|s| {
            let Some(via) = &s.via else { return true };
            match self.client_of(file, &via.import, via.called) {
                Some(c) if class_fits(c.class, s.kind) => {
                    dev_server |= c.dev_server;
                    true
                }
                _ => false,
            }
        });
        // Verify calls (and what depends on them) on an imported receiver
        // stay only when the import is a QStash `Receiver`.
        let receiver = |via: &Option<ImportedReceiver>| match via {
            None => true,
            Some(via) => {
                via.member.is_none()
                    && self
                        .client_of(file, &via.import, via.called)
                        .is_some_and(|c| c.class == QstashClass::Receiver)
            }
        };
        out.verify_calls.calls.retain(|v| receiver(&v.via));
        out.verify_calls.bypasses.retain(|b| receiver(&b.via));
        // A parsed body passed to an imported function is kept only when
        // that function hands the parameter to `verify` as its body.
        out.verify_calls.forwarded_bodies.retain_mut(|b| {
            let Some(import) = &b.imported else {
                return true;
            };
            let reaches = self.verifier_at(file, import).and_then(|v| match v.body {
                Some((index, body)) if index == b.index => Some((Some(v.path.clone()), body)),
                _ => None,
            });
            b.reaches = reaches;
            b.reaches.is_some()
        });
        out.verify_calls.verifier_calls.retain(|c| {
            receiver(&c.via)
                && c.imported
                    .as_ref()
                    .is_none_or(|r| self.exported_verifier(file, r))
        });
        for_each_value_mut(&mut out, &mut |v| self.link_value(file, v));
        (out, dev_server)
    }

    fn link_value(&self, file: &Path, v: &mut Value) {
        if !v.candidates.iter().any(has_import) {
            return;
        }
        v.candidates = self.link_candidates(file, &v.candidates, 0);
        if v.literal.is_none() {
            if let [only] = v.candidates.as_slice() {
                if let Some(text) = only.as_literal() {
                    v.literal = Some(Literal::Str(text));
                }
            }
        }
    }

    /// Whether the binding `import` names (from `file`) is an exported
    /// verifier function, through re-exports, whose receiver is a `Receiver`.
    fn exported_verifier(&self, file: &Path, import: &ImportRef) -> bool {
        self.verifier_at(file, import).is_some()
    }

    /// The exported verifier function the binding `import` names (from
    /// `file`), through re-exports, whose receiver is a `Receiver`.
    fn verifier_at(&self, file: &Path, import: &ImportRef) -> Option<Rc<VerifierAt>> {
        let target = self.resolver.resolve(file, &import.specifier)?;
        let key = (target, import.name.clone());
        if let Some(known) = self.verifiers.borrow().get(&key) {
            return known.clone();
        }
        // In progress: a cycle of re-exports verifies nothing.
        self.verifiers.borrow_mut().insert(key.clone(), None);
        let found = self.verifier_export(&key.0, &import.name);
        self.verifiers.borrow_mut().insert(key, found.clone());
        found
    }

    /// Export `name` of `target` as a verifier, here or through its
    /// re-exports.
    fn verifier_export(&self, target: &Path, name: &str) -> Option<Rc<VerifierAt>> {
        let facts = self.files.get(target)?;
        if let Some(v) = facts
            .verify_calls
            .exported_verifiers
            .iter()
            .find(|v| v.name == name)
        {
            let receiver = match &v.via {
                None => true,
                Some(via) => {
                    via.member.is_none()
                        && self
                            .client_of(target, &via.import, via.called)
                            .is_some_and(|c| c.class == QstashClass::Receiver)
                }
            };
            return receiver.then(|| {
                Rc::new(VerifierAt {
                    path: target.to_path_buf(),
                    body: v.body,
                })
            });
        }
        facts.exports.iter().find_map(|e| match &e.target {
            ExportTarget::ReExport(r) if e.name == name => self.verifier_at(target, r),
            ExportTarget::Star(spec) if name != "default" => {
                let r = ImportRef {
                    specifier: spec.clone(),
                    name: name.to_string(),
                };
                self.verifier_at(target, &r)
            }
            _ => None,
        })
    }

    /// The client an imported binding is (or returns, when `called`).
    pub fn client_of(&self, file: &Path, import: &ImportRef, called: bool) -> Option<LinkedClient> {
        let target = self.resolver.resolve(file, &import.specifier)?;
        let value = self.export(&target, &import.name, 0)?;
        let class = if called {
            value.returns
        } else {
            value.instance
        }?;
        Some(LinkedClient {
            class,
            dev_server: value.dev_server,
        })
    }

    /// The linked value of export `name` of `file`, through re-exports.
    fn export(&self, file: &Path, name: &str, depth: u32) -> Option<ExportValue> {
        if depth > MAX_DEPTH {
            return None;
        }
        let key = (file.as_os_str().to_owned(), name.to_string());
        if let Some(v) = self.memo.borrow().get(&key) {
            return v.clone();
        }
        // A cycle resolves to unknown rather than recursing forever.
        self.memo.borrow_mut().insert(key.clone(), None);
        let value = self.export_uncached(file, name, depth);
        self.memo.borrow_mut().insert(key, value.clone());
        value
    }

    fn export_uncached(&self, file: &Path, name: &str, depth: u32) -> Option<ExportValue> {
        let facts = self.files.get(file)?;
        let exports: &[Export] = &facts.exports;
        if let Some(e) = exports.iter().find(|e| e.name == name) {
            return match &e.target {
                ExportTarget::Local(v) => {
                    // Linked here, in the file that defines the value, so
                    // that its own imports resolve from it and its origins
                    // name it, however many re-exports lead here.
                    let mut v = v.clone();
                    v.candidates =
                        from_file(file, self.link_candidates(file, &v.candidates, depth + 1));
                    v.returned =
                        from_file(file, self.link_candidates(file, &v.returned, depth + 1));
                    Some(v)
                }
                // A re-export is a hop, not a level of value nesting: the
                // memo's in-progress mark ends a cycle, and a chain of
                // barrels of any length is followed.
                ExportTarget::ReExport(r) => {
                    let target = self.resolver.resolve(file, &r.specifier)?;
                    self.export(&target, &r.name, depth)
                }
                ExportTarget::Star(_) => None,
            };
        }
        if name == "default" {
            return None;
        }
        exports.iter().find_map(|e| match &e.target {
            ExportTarget::Star(spec) => {
                let target = self.resolver.resolve(file, spec)?;
                self.export(&target, name, depth)
            }
            _ => None,
        })
    }

    /// Replaces every imported part with the candidates of the export it
    /// names (resolved from `file`); what cannot be resolved is unknown.
    fn link_candidates(&self, file: &Path, cands: &[Candidate], depth: u32) -> Vec<Candidate> {
        let mut out: Vec<Candidate> = Vec::new();
        for c in cands {
            if !has_import(c) {
                push_unique(&mut out, c.clone());
                continue;
            }
            // Each part expands into alternative fragments; the candidate is
            // their product, development-only if any fragment is.
            let fragments: Vec<Vec<Candidate>> = c
                .parts
                .iter()
                .map(|part| match part {
                    Part::Call(call) => self.link_call(file, call, depth),
                    Part::Imported(r) => {
                        let linked = if depth > MAX_DEPTH {
                            None
                        } else {
                            self.resolver
                                .resolve(file, &r.specifier)
                                .and_then(|t| self.export(&t, &r.name, depth + 1))
                        };
                        match linked {
                            Some(v) if !v.candidates.is_empty() => v.candidates,
                            _ => vec![fragment(Part::Unknown)],
                        }
                    }
                    other => vec![fragment(other.clone())],
                })
                .collect();
            for a in product(c, &fragments) {
                if out.len() >= MAX_CANDIDATES {
                    break;
                }
                push_unique(&mut out, a);
            }
        }
        out
    }

    /// The candidates a call of an imported helper folds to: the helper's
    /// return value with each parameter replaced by the call's argument.
    fn link_call(&self, file: &Path, call: &ImportedCall, depth: u32) -> Vec<Candidate> {
        let unknown = vec![fragment(Part::Unknown)];
        if depth > MAX_DEPTH {
            return unknown;
        }
        let Some(target) = self.resolver.resolve(file, &call.callee.specifier) else {
            return unknown;
        };
        let Some(helper) = self.export(&target, &call.callee.name, depth + 1) else {
            return unknown;
        };
        if helper.returned.is_empty() {
            return unknown;
        }
        let args: Vec<Vec<Candidate>> = call
            .args
            .iter()
            .map(|a| self.link_candidates(file, a, depth + 1))
            .collect();
        let mut out = Vec::new();
        // The helper's return values were linked in its own file.
        for ret in &helper.returned {
            out.extend(with_arguments(ret, &args));
            if out.len() >= MAX_CANDIDATES {
                break;
            }
        }
        out.truncate(MAX_CANDIDATES);
        out
    }
}

/// A candidate made of one part.
fn fragment(part: Part) -> Candidate {
    Candidate {
        parts: vec![part],
        origin: crate::diagnostic::Span::default(),
        origin_file: None,
        dev_only: false,
        env_fallback: false,
    }
}

/// Candidates folded in `file` seen from another file: an origin without a
/// file lies in `file`.
fn from_file(file: &Path, mut cands: Vec<Candidate>) -> Vec<Candidate> {
    let shared: std::sync::Arc<Path> = std::sync::Arc::from(file);
    for c in &mut cands {
        if c.origin_file.is_none() {
            c.origin_file = Some(shared.clone());
        }
    }
    cands
}

/// `c` with each [`Part::Param`] replaced by the candidates of that
/// argument (unknown where there are none): a forwarded destination at one
/// call of its send helper.
pub fn with_arguments(c: &Candidate, args: &[Vec<Candidate>]) -> Vec<Candidate> {
    let fragments: Vec<Vec<Candidate>> = c
        .parts
        .iter()
        .map(|part| match part {
            Part::Param(i) => match args.get(*i) {
                Some(a) if !a.is_empty() => a.clone(),
                _ => vec![fragment(Part::Unknown)],
            },
            other => vec![fragment(other.clone())],
        })
        .collect();
    let mut out = product(c, &fragments);
    out.truncate(MAX_CANDIDATES);
    out
}

/// Every concatenation of one fragment per position, with flags or'ed with
/// the fragments'. The origin is `base`'s, unless `base` does not start
/// with text of its own: then the first fragment's text leads, and so does
/// its origin (an imported `APP_URL` in `${APP_URL}/api/x`).
fn product(base: &Candidate, fragments: &[Vec<Candidate>]) -> Vec<Candidate> {
    let base_leads = matches!(base.parts.first(), Some(Part::Lit(_)));
    let mut acc = vec![Candidate {
        parts: Vec::new(),
        ..base.clone()
    }];
    for (position, alternatives) in fragments.iter().enumerate() {
        let mut next = Vec::new();
        for a in &acc {
            for alt in alternatives {
                if next.len() >= MAX_CANDIDATES {
                    break;
                }
                let mut parts = a.parts.clone();
                parts.extend(alt.parts.iter().cloned());
                let alt_leads =
                    position == 0 && !base_leads && matches!(alt.parts.first(), Some(Part::Lit(_)));
                let from = if alt_leads { alt } else { a };
                next.push(Candidate {
                    parts: crate::facts::fold::merge_parts(parts),
                    origin: from.origin,
                    origin_file: from.origin_file.clone(),
                    dev_only: a.dev_only || alt.dev_only,
                    env_fallback: a.env_fallback || alt.env_fallback,
                });
            }
        }
        acc = next;
    }
    acc
}

fn push_unique(out: &mut Vec<Candidate>, c: Candidate) {
    if !out.contains(&c) {
        out.push(c);
    }
}

fn has_import(c: &Candidate) -> bool {
    c.parts
        .iter()
        .any(|p| matches!(p, Part::Imported(_) | Part::Call(_)))
}

/// Whether a client of `class` has the method that made `kind`.
fn class_fits(class: QstashClass, kind: SendKind) -> bool {
    match kind {
        SendKind::Trigger => class == QstashClass::WorkflowClient,
        _ => class == QstashClass::Client,
    }
}

/// Calls `f` on every value in the facts: configs, requests (nested objects
/// and arrays included) and destinations.
pub fn for_each_value_mut(facts: &mut FileFacts, f: &mut impl FnMut(&mut Value)) {
    for c in &mut facts.constructions {
        if let Some(v) = &mut c.config {
            walk_value(v, f, 0);
        }
    }
    for w in &mut facts.wrappers {
        if let Some(v) = &mut w.config {
            walk_value(v, f, 0);
        }
    }
    for s in &mut facts.sends {
        for r in s.requests.iter_mut().flatten() {
            walk_object(r, f, 0);
        }
        for d in &mut s.destinations {
            walk_value(&mut d.value, f, 0);
        }
        for d in s.forwarded.iter_mut().flat_map(|w| &mut w.destinations) {
            walk_value(&mut d.value, f, 0);
        }
    }
    for c in &mut facts.url_calls {
        for a in &mut c.args {
            walk_value(a, f, 0);
        }
    }
}

fn walk_value(v: &mut Value, f: &mut impl FnMut(&mut Value), depth: u32) {
    if depth > 16 {
        return;
    }
    f(v);
    if let Some(o) = &mut v.object {
        walk_object(o, f, depth + 1);
    }
    for item in v.array.iter_mut().flatten() {
        walk_value(item, f, depth + 1);
    }
}

fn walk_object(o: &mut ObjectLit, f: &mut impl FnMut(&mut Value), depth: u32) {
    for p in &mut o.props {
        walk_value(&mut p.value, f, depth + 1);
    }
}

/// Whether linking can change `facts`: only sends, constructions' and
/// wrappers' configs, imported values passed as URLs and verify calls on
/// imported things link. Most
/// files parsed for context have none of them, and copying their facts
/// to link nothing was most of the linker's cost.
pub fn may_change(facts: &FileFacts) -> bool {
    let v = &facts.verify_calls;
    !facts.sends.is_empty()
        || facts
            .url_calls
            .iter()
            .any(|c| c.args.iter().any(|a| a.candidates.iter().any(has_import)))
        || facts.constructions.iter().any(|c| c.config.is_some())
        || facts.wrappers.iter().any(|w| w.config.is_some())
        || v.calls.iter().any(|c| c.via.is_some())
        || v.bypasses.iter().any(|b| b.via.is_some())
        || v.verifier_calls
            .iter()
            .any(|c| c.via.is_some() || c.imported.is_some())
        || v.forwarded_bodies.iter().any(|b| b.imported.is_some())
}

/// Links one file on its own: imported values become unknown and sends on
/// imported receivers are dropped.
pub fn link_alone(facts: &FileFacts) -> FileFacts {
    let files = HashMap::default();
    Linker::new(&files, &NoResolve).link(Path::new(""), facts).0
}
