//! Per-file facts: plain data extracted from one parsed file in one pass.
//!
//! Everything here uses file-relative byte [`Span`]s and owned strings; no
//! parser type leaves the per-file stage, so the project link and the rules can
//! work on facts alone.

/// The TypeScript type positions a fact visitor skips: types hold no
/// runtime code, and in typed code they are a large share of the tree that
/// every walk crossed for nothing. Enums and namespaces hold code and are
/// walked; a parameter's or declaration's type that a fact needs is read
/// off its node, not visited.
macro_rules! skip_types {
    () => {
        fn visit_ts_type(&mut self, _: &swc_ecma_ast::TsType) {}
        fn visit_ts_type_ann(&mut self, _: &swc_ecma_ast::TsTypeAnn) {}
        fn visit_ts_type_param_decl(&mut self, _: &swc_ecma_ast::TsTypeParamDecl) {}
        fn visit_ts_type_param_instantiation(
            &mut self,
            _: &swc_ecma_ast::TsTypeParamInstantiation,
        ) {
        }
        fn visit_ts_interface_decl(&mut self, _: &swc_ecma_ast::TsInterfaceDecl) {}
        fn visit_ts_type_alias_decl(&mut self, _: &swc_ecma_ast::TsTypeAliasDecl) {}
    };
}

pub mod auth_gate;
pub mod exports;
pub mod extract;
pub mod fastify;
pub mod flow;
pub mod fold;
pub mod guards;
pub mod handlers;
pub mod hooks;
pub mod lower;
pub mod memo;
pub mod modules;
pub mod names;
pub mod nest;
pub mod testing;
pub mod verify;

use crate::diagnostic::Span;
use std::ffi::OsStr;
use std::path::Path;

/// The parsed files' facts by path, as the project analyses look them up,
/// hashed by the path's bytes: hashing a `Path` walks its components, and
/// these lookups run for every call the analyses resolve.
#[derive(Default)]
pub struct FactsByPath<'a>(crate::hash::HashMap<&'a OsStr, &'a FileFacts>);

impl<'a> FactsByPath<'a> {
    /// The facts of the file at `path`.
    pub fn get(&self, path: &Path) -> Option<&'a FileFacts> {
        self.0.get(path.as_os_str()).copied()
    }

    /// Whether the file at `path` was parsed.
    pub fn contains_key(&self, path: &Path) -> bool {
        self.0.contains_key(path.as_os_str())
    }

    /// Every file with its facts.
    pub fn iter(&self) -> impl Iterator<Item = (&'a Path, &'a FileFacts)> + '_ {
        self.0.iter().map(|(p, f)| (Path::new(*p), *f))
    }
}

impl<'a> FromIterator<(&'a Path, &'a FileFacts)> for FactsByPath<'a> {
    fn from_iter<I: IntoIterator<Item = (&'a Path, &'a FileFacts)>>(files: I) -> Self {
        FactsByPath(files.into_iter().map(|(p, f)| (p.as_os_str(), f)).collect())
    }
}

/// What one local binding imports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// `import { x } from` / `const { x } = require()`; holds the exported name.
    Named(String),
    /// `import x from`.
    Default,
    /// `import * as x from` / `const x = require()`.
    Namespace,
}

/// One entry of the import table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The local binding name.
    pub local: String,
    /// The specifier as written.
    pub specifier: String,
    /// The specifier normalised for QStash modules (see [`modules::normalize`]).
    pub module: String,
    /// What is imported.
    pub imported: Imported,
    /// The import specifier (or the destructured property) in the source.
    pub span: Span,
}

/// The QStash classes whose instances the rules track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QstashClass {
    /// `Client` of `@upstash/qstash`.
    Client,
    /// `Receiver` of `@upstash/qstash`.
    Receiver,
    /// `Client` of `@upstash/workflow`.
    WorkflowClient,
}

/// One piece of a folded string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Part {
    /// Known text.
    Lit(String),
    /// The value of an environment variable (known name, unknown value).
    Env(String),
    /// Anything else that cannot be known statically.
    Unknown,
    /// The value of a binding imported from another module; the project
    /// link replaces it with that binding's folded value.
    Imported(ImportRef),
    /// The result of calling a function imported from another module (a
    /// URL-building helper); the link folds the helper's return value with
    /// these arguments.
    Call(Box<ImportedCall>),
    /// The value of a function's parameter, in an exported helper's return
    /// value: the link replaces it with the argument of each call.
    Param(usize),
}

/// A call of an imported function with its folded arguments.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImportedCall {
    /// The function.
    pub callee: ImportRef,
    /// The folded arguments, in order.
    pub args: Vec<Vec<Candidate>>,
}

/// A binding exported by another module, as the importing file names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImportRef {
    /// The module specifier as written in the importing file.
    pub specifier: String,
    /// The exported name (`default` for a default export).
    pub name: String,
}

/// A send whose client comes from another module: `qstash.publishJSON` with
/// `qstash` imported, `getQstash().publish`, `qstash.schedules.create`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImportedReceiver {
    /// The imported binding at the root of the receiver.
    pub import: ImportRef,
    /// The binding is called (`getQstash()`): it must return a client.
    pub called: bool,
    /// The client member the method is called on: `schedules`, `urlGroups`,
    /// `topics` or `queue`.
    pub member: Option<String>,
}

/// What an export is.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportTarget {
    /// A binding of this module.
    Local(ExportValue),
    /// `export { a as b } from "./x"` (and an exported import).
    ReExport(ImportRef),
    /// `export * from "./x"`.
    Star(String),
}

/// What is known of an exported binding of this module.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExportValue {
    /// Its folded string value, when it is a const.
    pub candidates: Vec<Candidate>,
    /// The QStash class it is an instance of.
    pub instance: Option<QstashClass>,
    /// The QStash class a function returns (`getQstash()`).
    pub returns: Option<QstashClass>,
    /// What a function returns, folded with its parameters as
    /// [`Part::Param`]s (URL-building helpers such as `absoluteUrl(path)`).
    pub returned: Vec<Candidate>,
    /// A client configured for the local dev server (`devMode: true` or a
    /// localhost `baseUrl`).
    pub dev_server: bool,
}

/// One export of a module.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    /// The exported name (`default` for the default export).
    pub name: String,
    /// What it is.
    pub target: ExportTarget,
    /// The local binding exported, when it has a name (`a` in
    /// `export { a as b }`, the function in `export default function f`).
    pub local: Option<String>,
}

/// One possible value of an expression, as far as folding can tell.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Candidate {
    /// The pieces, in order. Adjacent literals are merged.
    pub parts: Vec<Part>,
    /// The span of the literal that gave the candidate its leading text: the
    /// const initialiser or helper return that made a URL what it is.
    pub origin: Span,
    /// The file `origin` lies in when it is not the file of the fact: the
    /// leading text came from an imported const or helper.
    pub origin_file: Option<std::sync::Arc<std::path::Path>>,
    /// The value is used only in development: the fallback of an env read, or
    /// a branch guarded by a development check.
    pub dev_only: bool,
    /// It is the fallback of an env read (`process.env.URL ?? "…"`): a
    /// development default for local hosts, but used in production whenever
    /// the variable is missing.
    pub env_fallback: bool,
}

impl Candidate {
    /// The full text if every part is known.
    pub fn as_literal(&self) -> Option<String> {
        let mut s = String::new();
        for p in &self.parts {
            match p {
                Part::Lit(t) => s.push_str(t),
                _ => return None,
            }
        }
        Some(s)
    }

    /// The known text before the first unknown part.
    pub fn leading_text(&self) -> &str {
        match self.parts.first() {
            Some(Part::Lit(t)) => t,
            _ => "",
        }
    }
}

/// A syntactic literal at an expression (after const resolution).
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// A string or a template without expressions.
    Str(String),
    /// A number (negative numbers included).
    Num(f64),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// `undefined`.
    Undefined,
}

/// Everything the rules want to know about one expression.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Value {
    /// The expression as written.
    pub span: Span,
    /// The literal it is (directly or through consts), if any.
    pub literal: Option<Literal>,
    /// Folded string candidates; empty when nothing is known.
    pub candidates: Vec<Candidate>,
    /// Computes a timestamp in milliseconds (`Date.now() + …`, `getTime()`)
    /// without dividing by 1000.
    pub millis: bool,
    /// The object literal it is (directly or through a const).
    pub object: Option<Box<ObjectLit>>,
    /// The array literal it is (directly or through a const).
    pub array: Option<Vec<Value>>,
}

/// A property of an object literal.
#[derive(Debug, Clone, PartialEq)]
pub struct Prop {
    /// The key (identifier or string key).
    pub key: String,
    /// The key's span (the whole property for shorthand properties).
    pub key_span: Span,
    /// The value.
    pub value: Value,
}

/// An object literal, with what is known about its keys.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ObjectLit {
    /// The `{ … }` expression.
    pub span: Span,
    /// Properties with static keys, in source order.
    pub props: Vec<Prop>,
    /// Has a spread (`...opts`) or computed key: other keys may be present.
    pub open: bool,
}

impl ObjectLit {
    /// The property named `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Prop> {
        self.props.iter().find(|p| p.key == key)
    }

    /// Whether `key` is present, or may be (an open object).
    pub fn may_have(&self, key: &str) -> bool {
        self.open || self.get(key).is_some()
    }
}

/// `new Client(...)`, `new Receiver(...)` or the workflow `Client`.
#[derive(Debug, Clone, PartialEq)]
pub struct Construction {
    /// Which class.
    pub class: QstashClass,
    /// The whole `new` expression.
    pub span: Span,
    /// The config argument, when one is given (`None` for `new Receiver()`).
    pub config: Option<Value>,
}

/// A call of a QStash method that sends or schedules messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SendKind {
    /// `client.publish`.
    Publish,
    /// `client.publishJSON`.
    PublishJson,
    /// `client.batch`.
    Batch,
    /// `client.batchJSON`.
    BatchJson,
    /// `client.queue(...).enqueue`.
    Enqueue,
    /// `client.queue(...).enqueueJSON`.
    EnqueueJson,
    /// `client.schedules.create`.
    ScheduleCreate,
    /// `client.urlGroups.addEndpoints` (or the deprecated `topics`).
    AddEndpoints,
    /// Workflow `client.trigger`.
    Trigger,
}

impl SendKind {
    /// The method name as written.
    pub fn method(self) -> &'static str {
        match self {
            SendKind::Publish => "publish",
            SendKind::PublishJson => "publishJSON",
            SendKind::Batch => "batch",
            SendKind::BatchJson => "batchJSON",
            SendKind::Enqueue => "enqueue",
            SendKind::EnqueueJson => "enqueueJSON",
            SendKind::ScheduleCreate => "schedules.create",
            SendKind::AddEndpoints => "urlGroups.addEndpoints",
            SendKind::Trigger => "trigger",
        }
    }
}

/// Which option of a send names a destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DestinationKey {
    /// `url`.
    Url,
    /// `destination` of `schedules.create`.
    Destination,
    /// `callback`.
    Callback,
    /// `failureCallback`.
    FailureCallback,
    /// An `addEndpoints` endpoint `url`.
    Endpoint,
}

impl DestinationKey {
    /// The option name as written.
    pub fn name(self) -> &'static str {
        match self {
            DestinationKey::Url => "url",
            DestinationKey::Destination => "destination",
            DestinationKey::Callback => "callback",
            DestinationKey::FailureCallback => "failureCallback",
            DestinationKey::Endpoint => "endpoint url",
        }
    }
}

/// A destination named by a send.
#[derive(Debug, Clone, PartialEq)]
pub struct Destination {
    /// Which option.
    pub key: DestinationKey,
    /// Its value.
    pub value: Value,
}

/// One send call with its options.
#[derive(Debug, Clone, PartialEq)]
pub struct SendCall {
    /// What it does.
    pub kind: SendKind,
    /// The callee (`client.publishJSON`).
    pub callee: Span,
    /// The whole call.
    pub span: Span,
    /// The request objects: one for most calls, one per item for batches.
    /// `None` where the argument is not an object literal we can see.
    pub requests: Vec<Option<ObjectLit>>,
    /// Destinations named by the requests.
    pub destinations: Vec<Destination>,
    /// The client comes from another module; the project link keeps the
    /// send only if that binding is a QStash client.
    pub via: Option<ImportedReceiver>,
    /// A raw HTTP request to the QStash REST API (`fetch`, `axios`): it
    /// resolves on an HTTP error instead of rejecting.
    pub raw: bool,
    /// Its destinations come from the parameters of the function it is
    /// made in: each call of that function names them.
    pub forwarded: Option<Forwarded>,
}

/// A send whose destination is a parameter of the named function it is
/// made in (`async function publishTo(url, body) { await
/// qstash.publishJSON({ url, body }) }`): the send helper's callers name
/// the destination.
#[derive(Debug, Clone, PartialEq)]
pub struct Forwarded {
    /// The function's local name.
    pub function: String,
    /// The destinations folded with each parameter standing for itself
    /// ([`Part::Param`]); only those that depend on a parameter.
    pub destinations: Vec<Destination>,
}

/// A call of a project function with an argument that may be a URL (a
/// string with a `/`): when the function forwards that parameter to a
/// send, the argument is a destination.
#[derive(Debug, Clone, PartialEq)]
pub struct UrlCall {
    /// The function called.
    pub callee: handlers::CallRef,
    /// The arguments, in order: folded where they may be a URL, otherwise
    /// only their span.
    pub args: Vec<Value>,
}

/// How an environment variable is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvSource {
    /// `process.env.X`, `process.env["X"]`, `const { X } = process.env`.
    ProcessEnv,
    /// `import.meta.env.X`.
    ImportMetaEnv,
    /// SvelteKit `$env/static/public` or `$env/dynamic/public`.
    SvelteKitPublic,
    /// SvelteKit `$env/static/private` or `$env/dynamic/private`.
    SvelteKitPrivate,
    /// `env.X` or `c.env.X` bindings (Workers, Hono, Deno).
    Bindings,
}

/// One read of an environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvRead {
    /// The variable name.
    pub name: String,
    /// How it is read.
    pub source: EnvSource,
    /// The read expression (or import specifier).
    pub span: Span,
}

/// Something a rule reports that is not a send: a deprecated member or import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeprecatedUse {
    /// What was used, e.g. `client.topics`.
    pub what: &'static str,
    /// What to use instead.
    pub instead: &'static str,
    /// The property, member or import specifier.
    pub span: Span,
}

/// A verify wrapper call (`verifySignatureAppRouter(handler, config)`).
#[derive(Debug, Clone, PartialEq)]
pub struct WrapperCall {
    /// The wrapper's exported name.
    pub wrapper: String,
    /// The whole call.
    pub span: Span,
    /// The config argument, if any.
    pub config: Option<Value>,
}

/// Signals that the code targets the local QStash dev server (qstash-api.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevSignal {
    /// A `devMode: true` option.
    DevMode,
    /// A `baseUrl` on localhost.
    LocalBaseUrl,
    /// `QSTASH_DEV` or `QSTASH_DEV_PORT` referenced.
    DevEnv,
    /// `startDevServer` / `registerQStashDev` imported.
    DevServerImport,
}

/// All facts of one file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileFacts {
    /// The import table.
    pub imports: Vec<Import>,
    /// The file starts with a `"use client"` directive.
    pub use_client: bool,
    /// QStash instances constructed here.
    pub constructions: Vec<Construction>,
    /// Send calls on QStash clients.
    pub sends: Vec<SendCall>,
    /// Verify wrapper calls.
    pub wrappers: Vec<WrapperCall>,
    /// Environment reads.
    pub env_reads: Vec<EnvRead>,
    /// Deprecated API uses.
    pub deprecated: Vec<DeprecatedUse>,
    /// Dev-server signals.
    pub dev_signals: Vec<DevSignal>,
    /// The module's exports.
    pub exports: Vec<Export>,
    /// `Receiver#verify` calls (the collection dereferences to them), with
    /// the verifier calls and verification bypasses found around them.
    pub verify_calls: verify::VerifyCalls,
    /// Request handlers and named functions.
    pub handlers: handlers::HandlerFacts,
    /// The fate of each send's promise, and of each call of a project
    /// function.
    pub flow: Vec<flow::FlowCall>,
    /// Project functions this file uses as values (stored, passed,
    /// assigned): their callers are not all visible.
    pub flow_value_refs: Vec<(handlers::CallRef, flow::Escape)>,
    /// Named functions that call a parameter, and whether inside `try`
    /// with a `catch` (see [`flow::FlowFacts::param_calls`]).
    pub param_calls: Vec<(String, bool)>,
    /// Bindings a method is called on (see [`flow::FlowFacts::member_calls`]).
    pub member_calls: Vec<handlers::CallRef>,
    /// Folding ran out of its work budget in this file: some values were
    /// left unknown (see [`memo`]).
    pub budget_exhausted: bool,
    /// The extents of the callbacks handed to a test runner.
    pub test_callbacks: Vec<Span>,
    /// An exported SvelteKit `handle` hook and the calls it makes.
    pub hook: Option<hooks::HandleHook>,
    /// Calls of project functions that pass something like a URL.
    pub url_calls: Vec<UrlCall>,
}

/// How far an imported binding a fact depends on is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Follow {
    /// Its value: the module is parsed, and what the export depends on.
    Value,
    /// Also the functions behind it: what it calls, in turn.
    Calls,
    /// Only into a module that is parsed already.
    IfParsed,
    /// Like `Calls`, for what a file route's exported handler calls: a
    /// verifier behind those calls matters only to a handler that receives
    /// QStash messages, which is known once destinations are linked, so
    /// the engine follows these only for such route files.
    HandlerCalls,
}

impl FileFacts {
    /// The imported bindings this file's own facts depend on: an imported
    /// value in a folded value, an imported client, receiver or verifier, a
    /// wrapper or middleware of a handler, a mounted router, and the
    /// functions its handlers call (a verifier may hide behind them; the
    /// exported functions of a file count as handlers only when it is a
    /// `route_file`). Its exports are not included: what they depend on
    /// matters only to a file that imports them ([`FileFacts::export_links`]).
    pub fn own_links(&self, route_file: bool) -> Vec<(&ImportRef, Follow)> {
        use handlers::Wrapping;
        let mut out: Vec<(&ImportRef, Follow)> = Vec::new();
        let mut refs = Vec::new();
        for c in &self.constructions {
            if let Some(v) = &c.config {
                value_refs(v, &mut refs);
            }
        }
        for w in &self.wrappers {
            if let Some(v) = &w.config {
                value_refs(v, &mut refs);
            }
        }
        for s in &self.sends {
            for d in &s.destinations {
                value_refs(&d.value, &mut refs);
            }
            for r in s.requests.iter().flatten() {
                for p in &r.props {
                    value_refs(&p.value, &mut refs);
                }
            }
            refs.extend(s.via.iter().map(|v| &v.import));
            for d in s.forwarded.iter().flat_map(|f| &f.destinations) {
                value_refs(&d.value, &mut refs);
            }
        }
        for c in &self.url_calls {
            for a in &c.args {
                value_refs(a, &mut refs);
            }
        }
        let v = &self.verify_calls;
        refs.extend(
            v.calls
                .iter()
                .filter_map(|c| c.via.as_ref())
                .chain(v.bypasses.iter().filter_map(|b| b.via.as_ref()))
                .chain(v.verifier_calls.iter().filter_map(|c| c.via.as_ref()))
                .map(|r| &r.import),
        );
        // Every unawaited call of an imported function is recorded in case
        // it is a verifier; a verifier is defined in a module that mentions
        // QStash, which is parsed anyway.
        out.extend(
            v.verifier_calls
                .iter()
                .filter_map(|c| c.imported.as_ref())
                .chain(
                    v.forwarded_bodies
                        .iter()
                        .filter_map(|b| b.imported.as_ref()),
                )
                .map(|r| (r, Follow::IfParsed)),
        );
        let h = &self.handlers;
        for handler in &h.handlers {
            let serves = route_file
                || matches!(
                    handler.kind,
                    handlers::HandlerKind::Code { .. } | handlers::HandlerKind::Server(_)
                );
            if !serves {
                continue;
            }
            for w in &handler.wrappers {
                if let Wrapping::Call(c) = w {
                    out.extend(imported_call(c).map(|r| (r, Follow::Calls)));
                }
            }
            out.extend(
                handler
                    .middleware
                    .iter()
                    .filter_map(imported_call)
                    .map(|r| (r, Follow::Calls)),
            );
            if let Some(f) = &handler.function {
                let follow = match handler.kind {
                    handlers::HandlerKind::Export(_) => Follow::HandlerCalls,
                    _ => Follow::Calls,
                };
                out.extend(
                    f.calls
                        .iter()
                        .filter_map(imported_call)
                        .map(|r| (r, follow)),
                );
            }
        }
        for m in &h.mounts {
            refs.push(&m.child);
            out.extend(
                m.middleware
                    .iter()
                    .filter_map(imported_call)
                    .map(|r| (r, Follow::Calls)),
            );
        }
        out.extend(refs.into_iter().map(|r| (r, Follow::Value)));
        out
    }

    /// What export `name` of this module depends on: the imported bindings
    /// in its folded value, the module it re-exports it from (as the name
    /// there), its verifier's receiver, and, with `calls`, the functions it
    /// calls. `None` when the module does not define or re-export it by
    /// name: then every `export *` may provide it ([`FileFacts::star_exports`]).
    pub fn export_links(&self, name: &str, calls: bool) -> Option<Vec<(ImportRef, bool)>> {
        let e = self.exports.iter().find(|e| e.name == name)?;
        let mut out: Vec<(ImportRef, bool)> = Vec::new();
        match &e.target {
            ExportTarget::ReExport(r) => out.push((r.clone(), calls)),
            ExportTarget::Star(_) => return None,
            ExportTarget::Local(v) => {
                let mut refs = Vec::new();
                candidate_refs(&v.candidates, &mut refs);
                candidate_refs(&v.returned, &mut refs);
                out.extend(refs.into_iter().map(|r| (r.clone(), false)));
            }
        }
        if let Some(v) = self
            .verify_calls
            .exported_verifiers
            .iter()
            .find(|v| v.name == name)
        {
            out.extend(v.via.iter().map(|via| (via.import.clone(), false)));
        }
        if calls {
            if let Some(local) = &e.local {
                for f in self.handlers.functions.iter().filter(|f| f.name == *local) {
                    out.extend(
                        f.calls
                            .iter()
                            .filter_map(imported_call)
                            .map(|r| (r.clone(), true)),
                    );
                }
            }
        }
        Some(out)
    }

    /// The specifiers of the modules this one re-exports from, by name
    /// (`export { x } from`) or whole (`export * from`).
    pub fn reexport_specifiers(&self) -> impl Iterator<Item = &str> {
        self.exports.iter().filter_map(|e| match &e.target {
            ExportTarget::ReExport(r) => Some(r.specifier.as_str()),
            ExportTarget::Star(s) => Some(s.as_str()),
            ExportTarget::Local(_) => None,
        })
    }

    /// The specifiers of this module's `export * from`.
    pub fn star_exports(&self) -> impl Iterator<Item = &str> {
        self.exports.iter().filter_map(|e| match &e.target {
            ExportTarget::Star(s) => Some(s.as_str()),
            _ => None,
        })
    }
}

fn imported_call(c: &handlers::CallRef) -> Option<&ImportRef> {
    match c {
        handlers::CallRef::Imported(r) => Some(r),
        _ => None,
    }
}

fn candidate_refs<'a>(cands: &'a [Candidate], out: &mut Vec<&'a ImportRef>) {
    for c in cands {
        for p in &c.parts {
            match p {
                Part::Imported(r) => out.push(r),
                Part::Call(call) => {
                    out.push(&call.callee);
                    for a in &call.args {
                        candidate_refs(a, out);
                    }
                }
                _ => {}
            }
        }
    }
}

fn value_refs<'a>(v: &'a Value, out: &mut Vec<&'a ImportRef>) {
    candidate_refs(&v.candidates, out);
    if let Some(o) = &v.object {
        for p in &o.props {
            value_refs(&p.value, out);
        }
    }
    for item in v.array.iter().flatten() {
        value_refs(item, out);
    }
}
