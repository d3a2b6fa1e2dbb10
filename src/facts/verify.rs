//! `Receiver#verify` calls and what surrounds them: the body they hash,
//! whether a rejection stops the request, and code that skips verification
//! at run time (the rules `verify-parsed-body`, `unawaited-verify`,
//! `verification-bypass` and `verify-without-url`).
//!
//! One walk over the tree records raw observations (how each call's promise
//! is used, the guards and early exits around it, the `try` it sits in);
//! [`verify_calls`] then decides, once every function of the file is known,
//! which calls are left unawaited or swallowed and which conditions bypass
//! verification.

use super::fold::{
    always_returns, atom_str, e_span, member_name, unwrap, Binding, Cond, Kind, Scope,
};
use super::{modules, ImportRef, Imported, ImportedReceiver, Literal, ObjectLit, QstashClass};
use crate::diagnostic::Span;
use crate::hash::{HashMap, HashSet};
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

/// How deep expression classification follows consts and nesting.
const MAX_DEPTH: u32 = 16;
/// How many nested branches are judged; deeper code is only walked.
const MAX_NESTING: usize = 32;

/// How a verify call's promise is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Awaited {
    /// `await receiver.verify(...)` (also `return await`, `await Promise.all([...])`).
    Awaited,
    /// `return receiver.verify(...)`: the caller gets the promise.
    Returned,
    /// Neither awaited nor returned (also `void receiver.verify(...)`, `.then(...)` without await).
    Floating,
}

/// Where the `body` given to `verify` comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodySource {
    /// The raw text: `await req.text()`, `rawBody`, `buf.toString()`,
    /// `readRawBody(event)`.
    Raw,
    /// `await req.json()` (any `.json()` read): a parsed object.
    Json,
    /// `JSON.stringify(x)` of something that is not the raw text.
    Stringified,
    /// Express `req.body` in a file that installs `express.json()` /
    /// `bodyParser.json()`.
    ExpressJson,
    /// Fastify `request.body`: Fastify parses JSON bodies by default.
    Fastify,
    /// `req.body` of a Next.js Pages Router API route whose file does not
    /// export `config = { api: { bodyParser: false } }`.
    PagesRouter,
    /// h3 / Nuxt `readBody(event)` (or `readValidatedBody`).
    H3ReadBody,
    /// A NestJS `@Body()` parameter: the body Nest has parsed.
    NestBody,
    /// `req.body` in a server file that installs no body parser: parsed or
    /// not depending on where its router is mounted, so judged with the
    /// project (`receivers`), not here.
    MountedRequest,
    /// Anything else: unknown, not judged.
    Unknown,
}

impl BodySource {
    /// Whether the body has been parsed (or re-serialised) on its way to
    /// `verify`, so its hash cannot match the signature.
    pub fn is_parsed(self) -> bool {
        !matches!(
            self,
            BodySource::Raw | BodySource::Unknown | BodySource::MountedRequest
        )
    }
}

/// The `body` option of a verify call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyArg {
    /// Where the value comes from.
    pub source: BodySource,
    /// The property value (the identifier of a shorthand `{ body }`).
    pub span: Span,
}

/// How a verify call's rejection is swallowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Swallow {
    /// A `.catch(handler)` (or `.then(_, handler)`) whose handler neither
    /// throws nor responds, nor turns the result into a value that is checked:
    /// the handler.
    Handler(Span),
    /// A `try { await verify } catch { }` whose catch neither returns, throws
    /// nor responds, with code running after it: the catch clause.
    Catch(Span),
}

/// One `receiver.verify(...)` call on a QStash `Receiver`.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyCall {
    /// The whole call.
    pub span: Span,
    /// The innermost enclosing function (`None` at the top level).
    pub function: Option<Span>,
    /// How its promise is used.
    pub awaited: Awaited,
    /// The options object, when it is a literal we can see.
    pub options: Option<ObjectLit>,
    /// The callee (`receiver.verify`).
    pub callee: Span,
    /// The `body` option, when the options object is visible and has one.
    pub body: Option<BodyArg>,
    /// The rejection is swallowed.
    pub swallowed: Option<Swallow>,
    /// Not awaited, but written callback style: `.then(next)` continues the
    /// request and a `.catch` that stops it handles the rejection.
    pub chained: bool,
    /// The receiver is imported from another module (`receiver.verify` with
    /// `receiver` imported, `getReceiver().verify`); the project link keeps
    /// the call only if that binding is a QStash `Receiver`.
    pub via: Option<ImportedReceiver>,
}

/// What kind of run-time bypass a [`Bypass`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BypassKind {
    /// Verification is skipped in development (or anywhere but production):
    /// `if (process.env.NODE_ENV === "development") return handler(req)`,
    /// `if (isProd) await receiver.verify(...)`.
    Development,
    /// Verification is skipped when a signing-key env var is missing:
    /// `if (!process.env.QSTASH_CURRENT_SIGNING_KEY) return handler(req)`.
    MissingKey,
    /// Verification runs only when the `upstash-signature` header is present.
    HeaderOnly,
    /// A hardcoded `devMode: true` on a `Client`, `Receiver` or verify
    /// wrapper config: `what` names it.
    DevMode(&'static str),
    /// A workflow `serve(..., { receiver: undefined })` (or `null`).
    WorkflowReceiver,
}

/// Code that skips signature verification at run time.
#[derive(Debug, Clone, PartialEq)]
pub struct Bypass {
    /// What it is.
    pub kind: BypassKind,
    /// The condition, or the property.
    pub span: Span,
    /// The verification it skips is a verify call on an imported receiver;
    /// the project link keeps the bypass only if that is a `Receiver`.
    pub via: Option<ImportedReceiver>,
}

/// A call of a function of this file that verifies (a local "verifier":
/// it awaits or returns `verify`).
#[derive(Debug, Clone, PartialEq)]
pub struct VerifierCall {
    /// The function's name.
    pub name: String,
    /// The whole call.
    pub span: Span,
    /// The innermost enclosing function.
    pub function: Option<Span>,
    /// How its promise is used.
    pub awaited: Awaited,
    /// The rejection is swallowed.
    pub swallowed: Option<Swallow>,
    /// Callback style: `.then(...)` continues and a stopping `.catch` handles.
    pub chained: bool,
    /// The verifier verifies only on an imported receiver; see [`VerifyCall::via`].
    pub via: Option<ImportedReceiver>,
    /// The function is imported from another module. Only unawaited or
    /// swallowed calls of imported functions are recorded, and the project
    /// link keeps one only if that module exports a verifier by that name
    /// (see [`VerifyCalls::exported_verifiers`]).
    pub imported: Option<ImportRef>,
}

/// An exported function of this module that verifies.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportedVerifier {
    /// The exported name (`default` for the default export).
    pub name: String,
    /// It verifies only on an imported receiver, resolved from this module.
    pub via: Option<ImportedReceiver>,
    /// It hands this parameter to `verify` as the body: the parameter's
    /// position and the `body` option it becomes.
    pub body: Option<(u32, Span)>,
}

/// A parsed body passed to a function that may hand it to `verify`
/// (`verifySignature(signature, JSON.stringify(req.body), url)`).
#[derive(Debug, Clone, PartialEq)]
pub struct ForwardedBody {
    /// The argument.
    pub body: BodyArg,
    /// Its position among the call's arguments.
    pub index: u32,
    /// The function called, when it is imported (the project link keeps the
    /// fact only if that export is a verifier whose body is this parameter).
    pub imported: Option<ImportRef>,
    /// The `body` option of the verify call it reaches: in this file for a
    /// local verifier, in another (set by the link) for an imported one.
    pub reaches: Option<(Option<std::path::PathBuf>, Span)>,
}

/// The verify facts of one file. Dereferences to the verify calls, so
/// `facts.verify_calls.iter()` lists them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VerifyCalls {
    /// `Receiver#verify` calls.
    pub calls: Vec<VerifyCall>,
    /// Run-time bypasses of verification.
    pub bypasses: Vec<Bypass>,
    /// Calls of verifier functions: local ones, and unawaited or swallowed
    /// calls of imported functions that may be verifiers.
    pub verifier_calls: Vec<VerifierCall>,
    /// The exported functions of this module that verify.
    pub exported_verifiers: Vec<ExportedVerifier>,
    /// Parsed bodies passed to functions that verify them.
    pub forwarded_bodies: Vec<ForwardedBody>,
}

impl std::ops::Deref for VerifyCalls {
    type Target = Vec<VerifyCall>;
    fn deref(&self) -> &Vec<VerifyCall> {
        &self.calls
    }
}

impl std::ops::DerefMut for VerifyCalls {
    fn deref_mut(&mut self) -> &mut Vec<VerifyCall> {
        &mut self.calls
    }
}

impl<'a> IntoIterator for &'a VerifyCalls {
    type Item = &'a VerifyCall;
    type IntoIter = std::slice::Iter<'a, VerifyCall>;
    fn into_iter(self) -> Self::IntoIter {
        self.calls.iter()
    }
}

impl IntoIterator for VerifyCalls {
    type Item = VerifyCall;
    type IntoIter = std::vec::IntoIter<VerifyCall>;
    fn into_iter(self) -> Self::IntoIter {
        self.calls.into_iter()
    }
}

impl From<Vec<VerifyCall>> for VerifyCalls {
    fn from(calls: Vec<VerifyCall>) -> Self {
        VerifyCalls {
            calls,
            ..VerifyCalls::default()
        }
    }
}

impl FromIterator<VerifyCall> for VerifyCalls {
    fn from_iter<I: IntoIterator<Item = VerifyCall>>(iter: I) -> Self {
        Vec::from_iter(iter).into()
    }
}

/// Every verify call, verifier call and verification bypass in `program`.
pub fn verify_calls(program: &Program, scope: &Scope) -> VerifyCalls {
    let file = FileInfo::collect(program, scope);
    let mut w = Walker {
        scope,
        file,
        usage: HashMap::default(),
        fns: Vec::new(),
        guards: Vec::new(),
        tries: Vec::new(),
        following: Vec::new(),
        raw: Vec::new(),
        exits: Vec::new(),
        bypasses: Vec::new(),
        checked: HashMap::default(),
        consumed: HashMap::default(),
        fn_names: HashMap::default(),
        key_gated: HashSet::default(),
    };
    w.key_gated = w.key_gated_receivers(program);
    program.visit_with(&mut w);
    w.finish()
}

// ---------------------------------------------------------------------------
// File-wide signals
// ---------------------------------------------------------------------------

/// What the whole file says about how request bodies are parsed.
#[derive(Default)]
struct FileInfo {
    /// `express.json()` / `bodyParser.json()` is installed somewhere.
    express_json: bool,
    /// `express.text()` / `express.raw()` (or body-parser's) is installed.
    express_raw: bool,
    /// Fastify is imported and no content-type parser is added.
    fastify: bool,
    /// Some server framework other than Next.js is imported.
    server_framework: bool,
    /// `export const config = { api: { bodyParser: false } }`.
    body_parser_off: bool,
    /// Parameters decorated with NestJS's `@Body()`.
    nest_body: Vec<Span>,
    /// Default-exported functions: (span, first parameter name, typed as a
    /// `NextApiHandler`).
    default_fns: Vec<(Span, Option<String>, bool)>,
    /// Exported names with the local function name or span they export.
    exports: Vec<(String, Exported)>,
}

/// What an export names.
enum Exported {
    /// A local binding.
    Name(String),
    /// A function expression or anonymous declaration.
    Span(Span),
}

/// The parameters decorated with `@Body()` of `@nestjs/common` (without a
/// pipe or property name that could make them something else).
fn nest_body_params(program: &Program, scope: &Scope) -> Vec<Span> {
    struct V<'s> {
        scope: &'s Scope<'s>,
        out: Vec<Span>,
    }
    impl Visit for V<'_> {
        skip_types!();
        fn visit_param(&mut self, n: &Param) {
            let body = n.decorators.iter().any(|d| {
                let Expr::Call(c) = unwrap(&d.expr) else {
                    return false;
                };
                let Callee::Expr(callee) = &c.callee else {
                    return false;
                };
                let Expr::Ident(id) = unwrap(callee) else {
                    return false;
                };
                c.args.is_empty()
                    && self
                        .scope
                        .import(&id.sym, self.scope.span(id.span).start)
                        .is_some_and(|i| {
                            i.specifier == "@nestjs/common"
                                && i.imported == Imported::Named("Body".into())
                        })
            });
            if body {
                use swc_common::Spanned;
                self.out.push(self.scope.span(n.span()));
            }
            n.visit_children_with(self);
        }
    }
    let mut v = V {
        scope,
        out: Vec::new(),
    };
    program.visit_with(&mut v);
    v.out
}

const SERVER_FRAMEWORKS: &[&str] = &[
    "express",
    "fastify",
    "koa",
    "@koa/router",
    "koa-router",
    "hono",
    "h3",
    "elysia",
    "restify",
    "@hapi/hapi",
    "polka",
    "micro",
    "@nestjs/common",
];

impl FileInfo {
    fn collect(program: &Program, scope: &Scope) -> FileInfo {
        let mut info = FileInfo {
            fastify: scope.imports.iter().any(|i| i.module == "fastify"),
            server_framework: scope
                .imports
                .iter()
                .any(|i| SERVER_FRAMEWORKS.contains(&i.module.as_str())),
            ..FileInfo::default()
        };
        let mut parsers = ParserScan {
            scope,
            json: false,
            raw: false,
            content_type_parser: false,
        };
        // A parser is `json`/`text`/`raw` of an import of `express` or
        // `body-parser`, and `addContentTypeParser` only matters to a
        // Fastify file: without such an import the walk finds nothing.
        if info.fastify
            || scope
                .imports
                .iter()
                .any(|i| is_parser_module_name(&i.module))
        {
            program.visit_with(&mut parsers);
        }
        info.express_json = parsers.json;
        info.express_raw = parsers.raw;
        if scope
            .imports
            .iter()
            .any(|i| i.specifier == "@nestjs/common")
        {
            info.nest_body = nest_body_params(program, scope);
        }
        if parsers.content_type_parser {
            info.fastify = false;
        }
        if let Program::Module(m) = program {
            for item in &m.body {
                info.module_item(item, scope, &m.body);
            }
        }
        info
    }

    fn module_item(&mut self, item: &ModuleItem, scope: &Scope, body: &[ModuleItem]) {
        let ModuleItem::ModuleDecl(decl) = item else {
            return;
        };
        match decl {
            ModuleDecl::ExportDecl(ed) => match &ed.decl {
                Decl::Var(v) => {
                    for d in &v.decls {
                        let Pat::Ident(b) = &d.name else { continue };
                        let name = b.id.sym.as_str().to_owned();
                        self.exports.push((name.clone(), Exported::Name(name)));
                        let Some(init) = &d.init else { continue };
                        if &*b.id.sym == "config" && body_parser_off(scope, init) {
                            self.body_parser_off = true;
                        }
                    }
                }
                Decl::Fn(f) => {
                    let name = f.ident.sym.as_str().to_owned();
                    self.exports.push((name.clone(), Exported::Name(name)));
                }
                _ => {}
            },
            ModuleDecl::ExportNamed(ne) if ne.src.is_none() => {
                for spec in &ne.specifiers {
                    let ExportSpecifier::Named(n) = spec else {
                        continue;
                    };
                    let ModuleExportName::Ident(orig) = &n.orig else {
                        continue;
                    };
                    let exported = super::exports::exported_name(n);
                    self.exports
                        .push((exported, Exported::Name(orig.sym.as_str().to_owned())));
                }
            }
            ModuleDecl::ExportDefaultDecl(d) => {
                if let DefaultDecl::Fn(f) = &d.decl {
                    let first = f.function.params.first().and_then(|p| pat_ident(&p.pat));
                    let span = scope.span(f.function.span);
                    self.default_fns.push((span, first, false));
                    self.exports.push(("default".into(), Exported::Span(span)));
                }
            }
            ModuleDecl::ExportDefaultExpr(e) => match unwrap(&e.expr) {
                Expr::Ident(id) => {
                    self.exports
                        .push(("default".into(), Exported::Name(id.sym.as_str().to_owned())));
                    // `export default handler`: the top-level function it names.
                    for item in body {
                        if let Some(found) = top_level_fn(item, &id.sym, scope) {
                            self.default_fns.push(found);
                        }
                    }
                }
                other => {
                    if let Some(found) = fn_expr_info(other, scope, false) {
                        self.exports
                            .push(("default".into(), Exported::Span(found.0)));
                        self.default_fns.push(found);
                    }
                }
            },
            _ => {}
        }
    }
}

/// `{ api: { bodyParser: false } }`.
fn body_parser_off(scope: &Scope, init: &Expr) -> bool {
    let v = scope.value(init);
    let Some(api) = v.object.as_ref().and_then(|o| o.get("api")) else {
        return false;
    };
    api.value
        .object
        .as_ref()
        .and_then(|o| o.get("bodyParser"))
        .is_some_and(|p| p.value.literal == Some(Literal::Bool(false)))
}

fn pat_ident(p: &Pat) -> Option<String> {
    match p {
        Pat::Ident(b) => Some(b.id.sym.as_str().to_owned()),
        Pat::Assign(a) => pat_ident(&a.left),
        _ => None,
    }
}

/// The function span and first parameter of an arrow or function expression.
fn fn_expr_info(e: &Expr, scope: &Scope, typed: bool) -> Option<(Span, Option<String>, bool)> {
    match unwrap(e) {
        Expr::Arrow(a) => Some((
            scope.span(a.span),
            a.params.first().and_then(pat_ident),
            typed,
        )),
        Expr::Fn(f) => Some((
            scope.span(f.function.span),
            f.function.params.first().and_then(|p| pat_ident(&p.pat)),
            typed,
        )),
        _ => None,
    }
}

/// The top-level function declaration (or const arrow) named `name`.
fn top_level_fn(
    item: &ModuleItem,
    name: &str,
    scope: &Scope,
) -> Option<(Span, Option<String>, bool)> {
    let decl = match item {
        ModuleItem::Stmt(Stmt::Decl(d)) => d,
        ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(ed)) => &ed.decl,
        _ => return None,
    };
    match decl {
        Decl::Fn(f) if &*f.ident.sym == name => Some((
            scope.span(f.function.span),
            f.function.params.first().and_then(|p| pat_ident(&p.pat)),
            false,
        )),
        Decl::Var(v) => v.decls.iter().find_map(|d| {
            let Pat::Ident(b) = &d.name else { return None };
            if &*b.id.sym != name {
                return None;
            }
            let typed = b
                .type_ann
                .as_deref()
                .and_then(|t| match &*t.type_ann {
                    TsType::TsTypeRef(r) => match &r.type_name {
                        TsEntityName::Ident(i) => Some(i.sym.as_str().to_owned()),
                        TsEntityName::TsQualifiedName(q) => Some(q.right.sym.as_str().to_owned()),
                    },
                    _ => None,
                })
                .is_some_and(|t| t == "NextApiHandler");
            fn_expr_info(d.init.as_deref()?, scope, typed)
        }),
        _ => None,
    }
}

/// What an Express-style body parser leaves in `req.body`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParserKind {
    /// `express.json()`, `bodyParser.json()`, `bodyParser()`: parsed JSON.
    Json,
    /// `express.text()` / `express.raw()` (or body-parser's): the raw text
    /// or bytes.
    Raw,
}

/// Whether `id` names the `express` or `body-parser` module.
fn is_parser_module(scope: &Scope, id: &Ident) -> bool {
    let pos = scope.span(id.span).start;
    match scope.import(&id.sym, pos) {
        Some(imp) => is_parser_module_name(&imp.module),
        None => false,
    }
}

/// Whether an import of `module` provides body parsers.
fn is_parser_module_name(module: &str) -> bool {
    matches!(module, "express" | "body-parser")
}

/// The body parser a call creates: `express.json()`, `bodyParser.text()`,
/// `json()` imported from `express`, the old all-in-one `bodyParser()`.
pub fn parser_kind(scope: &Scope, n: &CallExpr) -> Option<ParserKind> {
    let Callee::Expr(callee) = &n.callee else {
        return None;
    };
    match unwrap(callee) {
        Expr::Member(m) => {
            let Expr::Ident(obj) = unwrap(&m.obj) else {
                return None;
            };
            if !is_parser_module(scope, obj) {
                return None;
            }
            match member_name(&m.prop).as_deref() {
                Some("json") => Some(ParserKind::Json),
                Some("text" | "raw") => Some(ParserKind::Raw),
                _ => None,
            }
        }
        Expr::Ident(id) => {
            let pos = scope.span(id.span).start;
            let imp = scope.import(&id.sym, pos)?;
            if !is_parser_module_name(&imp.module) {
                return None;
            }
            match &imp.imported {
                Imported::Named(n) if n == "json" => Some(ParserKind::Json),
                Imported::Named(n) if n == "text" || n == "raw" => Some(ParserKind::Raw),
                Imported::Default | Imported::Namespace if imp.module == "body-parser" => {
                    Some(ParserKind::Json)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Finds the body parsers a file installs.
struct ParserScan<'s> {
    scope: &'s Scope<'s>,
    json: bool,
    raw: bool,
    content_type_parser: bool,
}

impl Visit for ParserScan<'_> {
    skip_types!();
    fn visit_call_expr(&mut self, n: &CallExpr) {
        match parser_kind(self.scope, n) {
            Some(ParserKind::Json) => self.json = true,
            Some(ParserKind::Raw) => self.raw = true,
            None => {}
        }
        if let Callee::Expr(callee) = &n.callee {
            if let Expr::Member(m) = unwrap(callee) {
                if member_name(&m.prop).as_deref() == Some("addContentTypeParser") {
                    self.content_type_parser = true;
                }
            }
        }
        n.visit_children_with(self);
    }
}

// ---------------------------------------------------------------------------
// Side effects of a piece of code
// ---------------------------------------------------------------------------

/// What a statement or expression does, not counting nested functions.
#[derive(Default)]
struct Effects {
    /// A `throw`.
    throws: bool,
    /// A numeric literal that is an HTTP error status (400–599).
    error_status: bool,
    /// A call that rejects: `unauthorized()`, `error(401)`, `createError()`,
    /// `Promise.reject()`, `reject()`, `sendError()`.
    reject_call: bool,
    /// A call or assignment that writes a response: `res.status(...)`,
    /// `res.send()`, `reply.code()`, `ctx.status = …`, `next(err)`.
    responds: bool,
    /// `next()` without arguments (Express middleware passes on).
    next_call: bool,
    /// Any `return`.
    returns: bool,
    /// A `return` with a value.
    returns_value: bool,
    /// A `return;` without one.
    returns_bare: bool,
    /// A `return false` (or `0`).
    returns_falsy: bool,
    /// A `return null` / `return undefined`: "no error" in a verifier that
    /// returns an error response on failure, "invalid" in one that returns
    /// a boolean.
    returns_nullish: bool,
    /// A `return true`.
    returns_true: bool,
    /// A `return` of something that carries on with the request: a handler
    /// call, `true`, the handler itself, `NextResponse.next()`.
    returns_success: bool,
    /// Identifiers assigned (`ok = true`).
    assigned: Vec<String>,
    /// Identifiers read.
    idents: Vec<String>,
}

impl Effects {
    /// It refuses the request: throws, answers an error status, calls a
    /// rejecting helper or returns `false`.
    fn rejects(&self) -> bool {
        self.throws || self.error_status || self.reject_call || self.returns_falsy
    }
}

fn effects_of<N: VisitWith<EffectScan>>(node: &N) -> Effects {
    let mut scan = EffectScan {
        fx: Effects::default(),
    };
    node.visit_with(&mut scan);
    scan.fx
}

struct EffectScan {
    fx: Effects,
}

const REJECT_CALLS: &[&str] = &[
    "unauthorized",
    "unauthorised",
    "forbidden",
    "error",
    "createError",
    "sendError",
    "reject",
    "abort",
    "notFound",
    "badRequest",
    "httpError",
    "HTTPException",
];

const RESPOND_METHODS: &[&str] = &[
    "status",
    "sendStatus",
    "send",
    "end",
    "writeHead",
    "code",
    "json",
    "redirect",
    "throw",
];

const LOGGERS: &[&str] = &["console", "logger", "log", "Sentry", "debug"];

impl Visit for EffectScan {
    skip_types!();
    fn visit_function(&mut self, _: &Function) {}
    fn visit_arrow_expr(&mut self, _: &ArrowExpr) {}
    fn visit_class(&mut self, _: &Class) {}

    fn visit_throw_stmt(&mut self, n: &ThrowStmt) {
        self.fx.throws = true;
        n.visit_children_with(self);
    }

    fn visit_return_stmt(&mut self, n: &ReturnStmt) {
        self.fx.returns = true;
        self.fx.returns_value |= n.arg.is_some();
        self.fx.returns_bare |= n.arg.is_none();
        if let Some(arg) = &n.arg {
            match returned(arg) {
                Returned::Falsy => self.fx.returns_falsy = true,
                Returned::Nullish => self.fx.returns_nullish = true,
                Returned::True => {
                    self.fx.returns_true = true;
                    self.fx.returns_success = true;
                }
                Returned::Success => self.fx.returns_success = true,
                Returned::Other => {}
            }
        }
        n.visit_children_with(self);
    }

    fn visit_lit(&mut self, n: &Lit) {
        if let Lit::Num(num) = n {
            if num.value.fract() == 0.0 && (400.0..600.0).contains(&num.value) {
                self.fx.error_status = true;
            }
        }
    }

    fn visit_ident(&mut self, n: &Ident) {
        self.fx.idents.push(n.sym.as_str().to_owned());
    }

    fn visit_new_expr(&mut self, n: &NewExpr) {
        if let Expr::Ident(id) = unwrap(&n.callee) {
            if REJECT_CALLS.contains(&&*id.sym) || id.sym.ends_with("Error") && &*id.sym != "Error"
            {
                // `new HTTPException(401)`, `new UnauthorizedError()`: thrown
                // or returned, it rejects.
                self.fx.reject_call = true;
            }
        }
        n.visit_children_with(self);
    }

    fn visit_call_expr(&mut self, n: &CallExpr) {
        if let Callee::Expr(callee) = &n.callee {
            match unwrap(callee) {
                Expr::Ident(id) => {
                    let name = &*id.sym;
                    if REJECT_CALLS.contains(&name) {
                        self.fx.reject_call = true;
                    } else if name == "next" {
                        if n.args.is_empty() {
                            self.fx.next_call = true;
                        } else {
                            self.fx.responds = true;
                        }
                    } else if name == "setResponseStatus" {
                        self.fx.responds = true;
                    }
                }
                Expr::Member(m) => {
                    let prop = member_name(&m.prop).unwrap_or_default();
                    let obj = root_ident(&m.obj);
                    let is_logger = obj.as_deref().is_some_and(|o| LOGGERS.contains(&o));
                    if prop == "reject" || (prop == "exit" && obj.as_deref() == Some("process")) {
                        self.fx.reject_call = true;
                    } else if !is_logger
                        && RESPOND_METHODS.contains(&prop.as_str())
                        && !matches!(obj.as_deref(), Some("JSON" | "Response" | "NextResponse"))
                    {
                        self.fx.responds = true;
                    }
                }
                _ => {}
            }
        }
        n.visit_children_with(self);
    }

    fn visit_assign_expr(&mut self, n: &AssignExpr) {
        match &n.left {
            AssignTarget::Simple(SimpleAssignTarget::Ident(b)) => {
                self.fx.assigned.push(b.id.sym.as_str().to_owned());
            }
            AssignTarget::Simple(SimpleAssignTarget::Member(m)) => {
                if matches!(
                    member_name(&m.prop).as_deref(),
                    Some("status" | "statusCode")
                ) {
                    self.fx.responds = true;
                }
            }
            _ => {}
        }
        n.visit_children_with(self);
    }
}

/// The identifier at the root of a member chain (`res` in `res.status(401).send`).
fn root_ident(e: &Expr) -> Option<String> {
    match unwrap(e) {
        Expr::Ident(i) => Some(i.sym.as_str().to_owned()),
        Expr::Member(m) => root_ident(&m.obj),
        Expr::Call(c) => match &c.callee {
            Callee::Expr(callee) => root_ident(callee),
            _ => None,
        },
        _ => None,
    }
}

/// What a returned expression means for the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Returned {
    /// `false`, `0`.
    Falsy,
    /// `null`, `undefined`.
    Nullish,
    /// `true`.
    True,
    /// Carries on with the request: a handler call, the handler itself,
    /// `NextResponse.next()`, `next()`.
    Success,
    /// A response, a literal, anything else.
    Other,
}

const RESPONSE_BUILDERS: &[&str] = &[
    "json",
    "text",
    "html",
    "send",
    "end",
    "status",
    "sendStatus",
    "redirect",
    "body",
    "newResponse",
    "error",
    "fail",
    "createError",
    "sendError",
    "unauthorized",
    "forbidden",
    "notFound",
    "badRequest",
];

fn returned(e: &Expr) -> Returned {
    match unwrap(e) {
        Expr::Await(a) => returned(&a.arg),
        Expr::Lit(Lit::Bool(b)) => {
            if b.value {
                Returned::True
            } else {
                Returned::Falsy
            }
        }
        Expr::Lit(Lit::Null(_)) => Returned::Nullish,
        Expr::Lit(Lit::Num(n)) if n.value == 0.0 => Returned::Falsy,
        Expr::Unary(u) if u.op == UnaryOp::Void => Returned::Nullish,
        Expr::Ident(i) if &*i.sym == "undefined" => Returned::Nullish,
        Expr::Ident(_) => Returned::Success,
        Expr::Call(c) => {
            let Callee::Expr(callee) = &c.callee else {
                return Returned::Other;
            };
            match unwrap(callee) {
                Expr::Ident(id) => {
                    if RESPONSE_BUILDERS.contains(&&*id.sym) {
                        Returned::Other
                    } else {
                        Returned::Success
                    }
                }
                Expr::Member(m) => {
                    let prop = member_name(&m.prop).unwrap_or_default();
                    let obj = root_ident(&m.obj);
                    match obj.as_deref() {
                        Some("NextResponse" | "Response") => {
                            if prop == "next" || prop == "rewrite" {
                                Returned::Success
                            } else {
                                Returned::Other
                            }
                        }
                        Some(o) if LOGGERS.contains(&o) => Returned::Other,
                        Some("Promise") => Returned::Other,
                        _ => {
                            if RESPONSE_BUILDERS.contains(&prop.as_str()) {
                                Returned::Other
                            } else {
                                Returned::Success
                            }
                        }
                    }
                }
                _ => Returned::Other,
            }
        }
        _ => Returned::Other,
    }
}

/// How a statement that leaves a branch treats the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    /// It rejects: throws, responds with an error status, returns `false`.
    Reject,
    /// It carries on without verifying: returns the handler's result,
    /// `true`, or calls `next()`.
    Success,
    /// Neither, or it does not leave.
    None,
}

/// What one branch of an `if` does.
struct BranchFacts {
    /// How it leaves.
    exit: Exit,
    /// It rejects the request somewhere (a lenient test: any rejection
    /// counts).
    rejects: bool,
    /// Identifiers it assigns.
    assigned: Vec<String>,
    /// It always leaves with a bare `return;` (and returns nothing else).
    bare_return: bool,
    /// It always leaves with `return null` / `return undefined`.
    nullish_return: bool,
}

impl BranchFacts {
    fn of(s: &Stmt) -> BranchFacts {
        Self::of_in(s, None)
    }

    /// [`BranchFacts::of`], knowing the file's bindings: a branch that
    /// rejects only in production (`{ if (process.env.NODE_ENV ===
    /// "production") return false; return true; }`) gets through
    /// everywhere else, which is a development-only skip. A reject under
    /// any other condition is not second-guessed.
    fn of_in(s: &Stmt, scope: Option<&Scope>) -> BranchFacts {
        let fx = effects_of(s);
        let reject = fx.rejects();
        let exit = if reject && !scope.is_some_and(|scope| rejects_only_in_production(scope, s)) {
            Exit::Reject
        } else if fx.next_call || always_returns(s) && fx.returns_success {
            Exit::Success
        } else {
            Exit::None
        };
        BranchFacts {
            exit,
            rejects: reject || fx.responds,
            bare_return: exit == Exit::None
                && always_returns(s)
                && fx.returns_bare
                && !fx.returns_value
                && !fx.responds,
            nullish_return: exit == Exit::None
                && always_returns(s)
                && fx.returns_nullish
                && !fx.responds,
            assigned: fx.assigned,
        }
    }
}

fn rejects(s: &Stmt) -> bool {
    BranchFacts::of(s).rejects
}

/// Whether a block gets through to a success (its last statement returns
/// `true`, `next()`, the handler's result) everywhere but in production:
/// each statement before the last that rejects is an `if` on a production
/// check, and none always leaves.
fn rejects_only_in_production(scope: &Scope, s: &Stmt) -> bool {
    let Stmt::Block(b) = s else {
        return false;
    };
    let Some((last, before)) = b.stmts.split_last() else {
        return false;
    };
    if !matches!(last, Stmt::Return(_)) || before.iter().any(always_returns) {
        return false;
    }
    let rejecting = |st: &Stmt| effects_of(st).rejects();
    let production_only = |st: &Stmt| match st {
        Stmt::If(i) => i.alt.is_none() && scope.classify(&i.test) == Cond::Prod,
        _ => false,
    };
    if !before
        .iter()
        .filter(|st| rejecting(st))
        .all(production_only)
    {
        return false;
    }
    let fx = effects_of(last);
    !rejecting(last) && (fx.returns_success || fx.next_call)
}

fn expr_rejects(e: &Expr) -> bool {
    let fx = effects_of(e);
    fx.error_status || fx.reject_call
}

/// What a `.catch` handler does with the rejection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HandlerEffect {
    /// It throws, responds or rejects: the request stops.
    Stops,
    /// It turns the rejection into a falsy value (or nothing).
    Falsy,
    /// It turns the rejection into `true`: always a bypass.
    Truthy,
}

fn handler_effect(h: &Expr) -> HandlerEffect {
    match unwrap(h) {
        Expr::Arrow(a) => match &*a.body {
            ArrowFunctionBody::Expr(e) => expr_handler_effect(e),
            ArrowFunctionBody::FunctionBody(b) => block_handler_effect(&b.stmts),
        },
        Expr::Fn(f) => match &f.function.body {
            Some(b) => block_handler_effect(&b.stmts),
            None => HandlerEffect::Falsy,
        },
        // `.catch(console.error)`.
        Expr::Member(m) if root_ident(&m.obj).is_some_and(|o| LOGGERS.contains(&o.as_str())) => {
            HandlerEffect::Falsy
        }
        // `.catch(next)`, `.catch(handleError)`: not known to swallow.
        _ => HandlerEffect::Stops,
    }
}

fn block_handler_effect(stmts: &[Stmt]) -> HandlerEffect {
    let mut scan = EffectScan {
        fx: Effects::default(),
    };
    for s in stmts {
        s.visit_with(&mut scan);
    }
    let fx = scan.fx;
    if fx.throws || fx.responds || fx.error_status || fx.reject_call {
        HandlerEffect::Stops
    } else if fx.returns_true || fx.next_call {
        HandlerEffect::Truthy
    } else if fx.returns_success {
        // Returns something that is neither a literal nor a response.
        HandlerEffect::Stops
    } else {
        HandlerEffect::Falsy
    }
}

fn expr_handler_effect(e: &Expr) -> HandlerEffect {
    match unwrap(e) {
        Expr::Lit(Lit::Bool(b)) if b.value => HandlerEffect::Truthy,
        Expr::Lit(_) | Expr::Ident(_) | Expr::Unary(_) | Expr::Object(_) | Expr::Array(_) => {
            HandlerEffect::Falsy
        }
        Expr::Call(c) => {
            if let Callee::Expr(callee) = &c.callee {
                // `.catch(() => next())`: the request goes on unverified.
                if c.args.is_empty()
                    && matches!(unwrap(callee), Expr::Ident(i) if &*i.sym == "next")
                {
                    return HandlerEffect::Truthy;
                }
                let logger = match unwrap(callee) {
                    Expr::Member(m) => {
                        root_ident(&m.obj).is_some_and(|o| LOGGERS.contains(&o.as_str()))
                    }
                    Expr::Ident(i) => matches!(&*i.sym, "captureException" | "log"),
                    _ => false,
                };
                if logger {
                    return HandlerEffect::Falsy;
                }
            }
            // A response, `Promise.reject(e)`, or an unknown call: not known
            // to swallow.
            HandlerEffect::Stops
        }
        _ => HandlerEffect::Stops,
    }
}

// ---------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------

/// What holds in a branch, as far as verification goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Dev,
    Prod,
    KeySet,
    KeyMissing,
    HeaderPresent,
    HeaderMissing,
}

impl Stage {
    fn not(self) -> Stage {
        match self {
            Stage::Dev => Stage::Prod,
            Stage::Prod => Stage::Dev,
            Stage::KeySet => Stage::KeyMissing,
            Stage::KeyMissing => Stage::KeySet,
            Stage::HeaderPresent => Stage::HeaderMissing,
            Stage::HeaderMissing => Stage::HeaderPresent,
        }
    }

    /// Verification placed in a branch where this holds runs only then:
    /// in production, with the key set, with the header present.
    fn verifies_only_when(self) -> bool {
        matches!(self, Stage::Prod | Stage::KeySet | Stage::HeaderPresent)
    }

    /// A branch where this holds that carries on without verifying skips
    /// verification in development, without a key, without a header.
    fn skips_when(self) -> bool {
        matches!(self, Stage::Dev | Stage::KeyMissing | Stage::HeaderMissing)
    }

    fn kind(self) -> BypassKind {
        match self {
            Stage::Dev | Stage::Prod => BypassKind::Development,
            Stage::KeySet | Stage::KeyMissing => BypassKind::MissingKey,
            Stage::HeaderPresent | Stage::HeaderMissing => BypassKind::HeaderOnly,
        }
    }
}

fn is_signing_key_name(name: &str) -> bool {
    name.to_ascii_uppercase().contains("SIGNING_KEY")
}

fn is_signature_header(s: &str) -> bool {
    s.eq_ignore_ascii_case("upstash-signature")
}

/// Whether an expression mentions the `upstash-signature` header as a string
/// (`req.headers.get("upstash-signature")`, `headers["Upstash-Signature"]`).
struct HeaderScan {
    found: bool,
}

impl Visit for HeaderScan {
    skip_types!();
    fn visit_function(&mut self, _: &Function) {}
    fn visit_arrow_expr(&mut self, _: &ArrowExpr) {}
    fn visit_str(&mut self, n: &Str) {
        if is_signature_header(&atom_str(&n.value)) {
            self.found = true;
        }
    }
}

// ---------------------------------------------------------------------------
// The walk
// ---------------------------------------------------------------------------

/// How a promise-valued expression is used, handed down from its parent.
#[derive(Debug, Clone, Default)]
struct Usage {
    /// `None`: floating.
    awaited: Option<Awaited>,
    /// Rejection handlers in the chain (`.catch(h)`, `.then(_, h)`).
    handlers: Vec<(HandlerEffect, Span)>,
    /// `.then(onFulfilled)` continues the request.
    then: bool,
    /// Bound to this name (`const ok = await verify(...)`).
    assigned: Option<String>,
}

/// An enclosing function.
struct FnFrame {
    span: Span,
    /// It returns a value somewhere (so a bare `return;` is no success).
    returns_value: bool,
    /// It answers with an error status somewhere (so `return null` means
    /// "no error").
    error_status: bool,
    /// Where this function's entries start in `following`.
    following_base: usize,
}

/// A branch being visited, with what holds in it.
struct GuardFrame {
    /// The condition.
    test: Span,
    /// What holds in the branch.
    holds: Option<Stage>,
    /// The other branch rejects the request.
    other_rejects: bool,
    /// The top-level statements of a block branch (empty: an expression or
    /// a single statement).
    branch: Vec<Span>,
    /// Identifiers assigned in the branch.
    assigned: Vec<String>,
    /// The function the condition is in.
    function: Option<Span>,
    /// A development-only branch (for `devMode: true`).
    dev: bool,
}

/// A `try` block being visited.
struct TryFrame {
    /// How many functions enclose it.
    fn_depth: usize,
    /// Its last statement.
    last: Option<Span>,
    /// The catch clause, when it does not stop the request: its span.
    swallowing_catch: Option<Span>,
    /// Code follows the `try` statement in its function.
    followed: bool,
    /// Identifiers assigned in the try block or the catch clause.
    assigned: Vec<String>,
}

/// The `try` a call sits in, when its catch does not stop the request.
#[derive(Clone)]
struct TryCtx {
    catch: Span,
    followed: bool,
    last: bool,
    assigned: Vec<String>,
}

/// A guard active at a verification point.
#[derive(Clone)]
struct ActiveGuard {
    test: Span,
    stage: Stage,
    assigned: Vec<String>,
    function: Option<Span>,
}

/// What a recorded call is.
enum Target {
    /// `receiver.verify(...)`.
    Verify {
        via: Option<ImportedReceiver>,
        options: Option<ObjectLit>,
        body: Option<BodyArg>,
        /// The `body` is this parameter of the enclosing named function.
        body_param: Option<u32>,
        callee: Span,
    },
    /// A verify wrapper call (a verification point only).
    Wrapper,
    /// A call of a local function, a verifier if it verifies.
    Local(String),
    /// A call of an imported function (local name), a verifier if the
    /// module it comes from says so.
    Imported(String, ImportRef),
}

/// One recorded call.
struct RawCall {
    target: Target,
    /// The arguments of a local or imported call that are parsed bodies.
    parsed_args: Vec<(u32, BodyArg)>,
    span: Span,
    function: Option<Span>,
    usage: Usage,
    try_ctx: Option<TryCtx>,
    guards: Vec<ActiveGuard>,
}

/// `if (cond) <leave without verifying>` seen in a function.
struct EarlyExit {
    test: Span,
    stage: Stage,
    end: u32,
    function: Span,
}

struct Walker<'s> {
    scope: &'s Scope<'s>,
    file: FileInfo,
    usage: HashMap<(u32, u32), Usage>,
    fns: Vec<FnFrame>,
    guards: Vec<GuardFrame>,
    tries: Vec<TryFrame>,
    following: Vec<bool>,
    /// Verify calls and calls that may verify, in source order.
    raw: Vec<RawCall>,
    exits: Vec<EarlyExit>,
    bypasses: Vec<Bypass>,
    /// Per function: identifiers tested by a condition that rejects, or
    /// returned to the caller.
    checked: HashMap<Option<Span>, HashSet<String>>,
    /// Per function: identifiers awaited or returned.
    consumed: HashMap<Option<Span>, HashMap<String, Awaited>>,
    /// Local functions by name.
    fn_names: HashMap<String, Vec<Span>>,
    /// Bindings that hold a `Receiver` only when the signing keys are set
    /// (`let receiver; if (KEYS) receiver = new Receiver(…)`, `const
    /// receiver = KEYS ? new Receiver(…) : null`): testing one tests the keys.
    key_gated: HashSet<String>,
}

fn key(e: &Expr) -> (u32, u32) {
    let s = e_span(unwrap(e));
    (s.lo.0, s.hi.0)
}

const SERVE_NAMES: &[&str] = &[
    "serve",
    "createWorkflow",
    "serveMany",
    "servePagesRouter",
    "createWorkflowPagesRouter",
    "serveManyPagesRouter",
];

fn is_serve_module(module: &str) -> bool {
    if modules::is_workflow(module) {
        return true;
    }
    let sub = module.strip_prefix("@upstash/qstash/").unwrap_or("");
    matches!(
        sub,
        "nextjs" | "h3" | "svelte" | "solidjs" | "hono" | "cloudflare" | "workflow"
    )
}

impl Walker<'_> {
    fn function(&self) -> Option<Span> {
        self.fns.last().map(|f| f.span)
    }

    fn mark(&mut self, e: &Expr, u: Usage) {
        self.usage.insert(key(e), u);
    }

    fn usage_of(&self, span: swc_common::Span) -> Usage {
        self.usage
            .get(&(span.lo.0, span.hi.0))
            .cloned()
            .unwrap_or_default()
    }

    /// Whether code follows the statement being visited, in its function.
    fn followed(&self) -> bool {
        let base = self.fns.last().map_or(0, |f| f.following_base);
        self.following
            .get(base..)
            .is_some_and(|f| f.iter().any(|b| *b))
    }

    fn in_dev_branch(&self) -> bool {
        self.guards.iter().any(|g| g.dev)
    }

    /// The module-level bindings that hold a `Receiver` only when the
    /// signing keys are set.
    fn key_gated_receivers(&self, program: &Program) -> HashSet<String> {
        let mut out = HashSet::default();
        let stmts: Vec<&Stmt> = match program {
            Program::Module(m) => m.body.iter().filter_map(|i| i.as_stmt()).collect(),
            Program::Script(s) => s.body.iter().collect(),
        };
        let is_receiver = |e: &Expr| matches!(unwrap(e), Expr::New(n) if self.scope.class_of(&n.callee) == Some(QstashClass::Receiver));
        let nothing = |e: &Expr| {
            matches!(
                self.scope.literal(e),
                Some(Literal::Null | Literal::Undefined)
            )
        };
        for stmt in stmts {
            match stmt {
                Stmt::If(i) if self.stage(&i.test) == Some(Stage::KeySet) => {
                    let body: Vec<&Stmt> = match &*i.cons {
                        Stmt::Block(b) => b.stmts.iter().collect(),
                        other => vec![other],
                    };
                    for s in body {
                        if let Stmt::Expr(ExprStmt { expr, .. }) = s {
                            if let Expr::Assign(a) = unwrap(expr) {
                                if let (AssignTarget::Simple(SimpleAssignTarget::Ident(b)), true) =
                                    (&a.left, is_receiver(&a.right))
                                {
                                    out.insert(b.id.sym.as_str().to_owned());
                                }
                            }
                        }
                    }
                }
                Stmt::Decl(Decl::Var(v)) => {
                    for d in &v.decls {
                        let (Pat::Ident(b), Some(init)) = (&d.name, &d.init) else {
                            continue;
                        };
                        if let Expr::Cond(c) = unwrap(init) {
                            let gated = match self.stage(&c.test) {
                                Some(Stage::KeySet) => is_receiver(&c.cons) && nothing(&c.alt),
                                Some(Stage::KeyMissing) => nothing(&c.cons) && is_receiver(&c.alt),
                                _ => false,
                            };
                            if gated {
                                out.insert(b.id.sym.as_str().to_owned());
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Whether a condition tests a key-gated receiver's presence: `Some(true)`
    /// when it holds if the receiver exists.
    fn receiver_presence(&self, e: &Expr) -> Option<bool> {
        match unwrap(e) {
            Expr::Ident(id) if self.key_gated.contains(&*id.sym) => Some(true),
            Expr::Unary(u) if u.op == UnaryOp::Bang => self.receiver_presence(&u.arg).map(|p| !p),
            Expr::Bin(b)
                if matches!(
                    b.op,
                    BinaryOp::EqEqEq | BinaryOp::EqEq | BinaryOp::NotEqEq | BinaryOp::NotEq
                ) =>
            {
                let (side, other) = if self.receiver_presence(&b.left) == Some(true) {
                    (true, &b.right)
                } else if self.receiver_presence(&b.right) == Some(true) {
                    (true, &b.left)
                } else {
                    return None;
                };
                if !matches!(
                    self.scope.literal(other),
                    Some(Literal::Null | Literal::Undefined)
                ) {
                    return None;
                }
                let equal = matches!(b.op, BinaryOp::EqEqEq | BinaryOp::EqEq);
                Some(side != equal)
            }
            _ => None,
        }
    }

    /// The stage a condition selects for the branch taken when it holds.
    fn stage(&self, test: &Expr) -> Option<Stage> {
        if let Some(present) = self.receiver_presence(test) {
            return Some(if present {
                Stage::KeySet
            } else {
                Stage::KeyMissing
            });
        }
        if let Some(present) = self.header_presence(test, 0) {
            return Some(if present {
                Stage::HeaderPresent
            } else {
                Stage::HeaderMissing
            });
        }
        if let Some(stage) = self.vercel_stage(test, 0) {
            return Some(stage);
        }
        match self.scope.classify(test) {
            Cond::Dev => Some(Stage::Dev),
            Cond::Prod => Some(Stage::Prod),
            Cond::EnvSet if self.mentions_signing_key(test, 0) => Some(Stage::KeySet),
            Cond::EnvMissing if self.mentions_signing_key(test, 0) => Some(Stage::KeyMissing),
            _ => None,
        }
    }

    /// `process.env.VERCEL` (`"1"` on Vercel): set means a deployment.
    fn vercel_stage(&self, e: &Expr, depth: u32) -> Option<Stage> {
        if depth > MAX_DEPTH {
            return None;
        }
        let is_vercel = |e: &Expr| self.scope.env_read_name(e).as_deref() == Some("VERCEL");
        match unwrap(e) {
            Expr::Unary(u) if u.op == UnaryOp::Bang => {
                self.vercel_stage(&u.arg, depth + 1).map(Stage::not)
            }
            Expr::Bin(b)
                if matches!(
                    b.op,
                    BinaryOp::EqEqEq | BinaryOp::EqEq | BinaryOp::NotEqEq | BinaryOp::NotEq
                ) =>
            {
                let other = if is_vercel(&b.left) {
                    &b.right
                } else if is_vercel(&b.right) {
                    &b.left
                } else {
                    return None;
                };
                let set = match self.scope.literal(other) {
                    Some(Literal::Str(v)) if v == "1" || v == "true" => true,
                    Some(Literal::Undefined) => false,
                    _ => return None,
                };
                let equal = matches!(b.op, BinaryOp::EqEqEq | BinaryOp::EqEq);
                Some(if set == equal {
                    Stage::Prod
                } else {
                    Stage::Dev
                })
            }
            other if is_vercel(other) => Some(Stage::Prod),
            _ => None,
        }
    }

    /// `Some(true)` when the condition holds only with the signature header
    /// present, `Some(false)` when it holds when the header is missing.
    fn header_presence(&self, e: &Expr, depth: u32) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        let d = depth + 1;
        match unwrap(e) {
            Expr::Unary(u) if u.op == UnaryOp::Bang => self.header_presence(&u.arg, d).map(|p| !p),
            Expr::Call(c) if matches!(&c.callee, Callee::Expr(callee) if matches!(unwrap(callee), Expr::Ident(i) if &*i.sym == "Boolean")) => {
                c.args
                    .first()
                    .and_then(|a| self.header_presence(&a.expr, d))
            }
            Expr::Bin(b) => match b.op {
                BinaryOp::LogicalAnd => {
                    let (l, r) = (
                        self.header_presence(&b.left, d),
                        self.header_presence(&b.right, d),
                    );
                    if l == Some(true) || r == Some(true) {
                        Some(true)
                    } else {
                        l.or(r)
                    }
                }
                BinaryOp::LogicalOr => {
                    let (l, r) = (
                        self.header_presence(&b.left, d),
                        self.header_presence(&b.right, d),
                    );
                    if l == Some(false) || r == Some(false) {
                        Some(false)
                    } else {
                        l.or(r)
                    }
                }
                BinaryOp::EqEqEq | BinaryOp::EqEq | BinaryOp::NotEqEq | BinaryOp::NotEq => {
                    let equal = matches!(b.op, BinaryOp::EqEqEq | BinaryOp::EqEq);
                    let other = if self.is_header_value(&b.left, d) {
                        &b.right
                    } else if self.is_header_value(&b.right, d) {
                        &b.left
                    } else {
                        // `typeof signature === "string"`.
                        let (t, other) = typeof_operand(b)?;
                        if !self.is_header_value(t, d) {
                            return None;
                        }
                        let present = match self.scope.literal(other) {
                            Some(Literal::Str(s)) if s == "string" => true,
                            Some(Literal::Str(s)) if s == "undefined" => false,
                            _ => return None,
                        };
                        return Some(present == equal);
                    };
                    match self.scope.literal(other) {
                        Some(Literal::Null | Literal::Undefined) => Some(!equal),
                        Some(Literal::Str(s)) if s.is_empty() => Some(!equal),
                        _ => None,
                    }
                }
                _ => None,
            },
            other if self.is_header_value(other, d) => Some(true),
            _ => None,
        }
    }

    /// Whether `e` is the value of the `upstash-signature` header (directly
    /// or through a const).
    fn is_header_value(&self, e: &Expr, depth: u32) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match unwrap(e) {
            Expr::Ident(id) => {
                let pos = self.scope.span(id.span).start;
                match self.scope.const_init(&id.sym, pos) {
                    Some(init) => self.is_header_value(init, depth + 1),
                    None => false,
                }
            }
            Expr::Member(_) | Expr::Call(_) | Expr::Await(_) | Expr::OptChain(_) | Expr::Bin(_) => {
                let mut scan = HeaderScan { found: false };
                unwrap(e).visit_with(&mut scan);
                scan.found
            }
            _ => false,
        }
    }

    fn mentions_signing_key(&self, e: &Expr, depth: u32) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let d = depth + 1;
        if self
            .scope
            .env_read_name(e)
            .is_some_and(|n| is_signing_key_name(&n))
        {
            return true;
        }
        match unwrap(e) {
            Expr::Unary(u) => self.mentions_signing_key(&u.arg, d),
            Expr::Bin(b) => {
                self.mentions_signing_key(&b.left, d) || self.mentions_signing_key(&b.right, d)
            }
            Expr::Ident(id) => {
                let pos = self.scope.span(id.span).start;
                self.scope
                    .const_init(&id.sym, pos)
                    .is_some_and(|init| self.mentions_signing_key(init, d))
            }
            Expr::Call(c) => c.args.iter().any(|a| self.mentions_signing_key(&a.expr, d)),
            _ => false,
        }
    }

    /// The guards that make verification at `span` conditional.
    fn active_guards(&self, span: Span) -> Vec<ActiveGuard> {
        let mut out = Vec::new();
        for g in &self.guards {
            let Some(stage) = g.holds else { continue };
            if !stage.verifies_only_when() || g.other_rejects {
                continue;
            }
            // A branch that goes on after verifying does its work inside the
            // guard: the request without the header is not processed.
            let only_verifies = match g.branch.iter().position(|s| s.contains(span)) {
                Some(i) => i + 1 == g.branch.len(),
                None => true,
            };
            if !only_verifies {
                continue;
            }
            out.push(ActiveGuard {
                test: g.test,
                stage,
                assigned: g.assigned.clone(),
                function: g.function,
            });
        }
        out
    }

    /// The `try` whose block holds the call being visited, in this function,
    /// when its catch does not stop the request.
    fn try_ctx(&self, span: Span) -> Option<TryCtx> {
        let t = self.tries.last()?;
        if t.fn_depth != self.fns.len() {
            return None;
        }
        let catch = t.swallowing_catch?;
        Some(TryCtx {
            catch,
            followed: t.followed,
            last: t.last.is_some_and(|l| l.contains(span)),
            assigned: t.assigned.clone(),
        })
    }

    fn record(&mut self, target: Target, call: &CallExpr) {
        let span = self.scope.span(call.span);
        let parsed_args = match target {
            Target::Local(_) | Target::Imported(..) => self.parsed_args(call),
            _ => Vec::new(),
        };
        let raw = RawCall {
            target,
            parsed_args,
            span,
            function: self.function(),
            usage: self.usage_of(call.span),
            try_ctx: self.try_ctx(span),
            guards: self.active_guards(span),
        };
        self.raw.push(raw);
    }

    // -- the body option ----------------------------------------------------

    /// Applies `f` to the `body` property value of a verify call's options
    /// (the identifier of a shorthand `{ body }`) and its span.
    fn with_body<T>(&self, options: &Expr, f: impl FnOnce(&Expr, Span) -> T) -> Option<T> {
        let Expr::Object(o) = self.scope.resolve_const(options) else {
            return None;
        };
        for p in &o.props {
            let PropOrSpread::Prop(p) = p else { continue };
            match &**p {
                Prop::KeyValue(kv)
                    if super::fold::prop_name(&kv.key).as_deref() == Some("body") =>
                {
                    return Some(f(&kv.value, self.scope.span(e_span(&kv.value))));
                }
                Prop::Shorthand(id) if &*id.sym == "body" => {
                    return Some(f(&Expr::Ident(id.clone()), self.scope.span(id.span)));
                }
                _ => {}
            }
        }
        None
    }

    fn body_arg(&self, options: &Expr) -> Option<BodyArg> {
        self.with_body(options, |value, span| BodyArg {
            source: self.body_source(value, 0),
            span,
        })
    }

    /// Which parameter of the named function around `call` the verify
    /// call's `body` is, when it is one: that function's callers decide
    /// what is verified (`verifySignature(signature, body, url)`).
    fn body_param(&self, options: &Expr, call: swc_common::Span) -> Option<u32> {
        self.with_body(options, |value, _| {
            let Expr::Ident(id) = unwrap(value) else {
                return None;
            };
            let (_, f) = self.scope.enclosing_function(call)?;
            let index = f
                .params
                .iter()
                .position(|p| p.as_deref() == Some(&*id.sym))?;
            let body = self.scope.body_span(&f)?;
            let decl = self.scope.lookup(&id.sym, self.scope.span(id.span).start)?;
            // Declared before the body, in a scope around it: the
            // parameter itself, not a binding of the body or a callback.
            let own = matches!(decl.binding, Binding::Opaque { .. })
                && decl.pos < body.start
                && decl.scope.start <= body.start
                && body.end <= decl.scope.end;
            own.then_some(index as u32)
        })
        .flatten()
    }

    /// The arguments of a call that are parsed bodies, with their positions:
    /// judged once the project knows whether the callee hands that
    /// parameter to `verify` as its body.
    fn parsed_args(&self, call: &CallExpr) -> Vec<(u32, BodyArg)> {
        let mut out = Vec::new();
        for (i, a) in call.args.iter().enumerate() {
            if a.spread.is_some() {
                break;
            }
            let source = self.body_source(&a.expr, 0);
            if source.is_parsed() {
                out.push((
                    i as u32,
                    BodyArg {
                        source,
                        span: self.scope.span(e_span(&a.expr)),
                    },
                ));
            }
        }
        out
    }

    fn body_source(&self, e: &Expr, depth: u32) -> BodySource {
        if depth > MAX_DEPTH {
            return BodySource::Unknown;
        }
        let d = depth + 1;
        match unwrap(e) {
            Expr::Await(a) => self.body_source(&a.arg, d),
            Expr::Ident(id) => {
                let pos = self.scope.span(id.span).start;
                if let Some(init) = self.scope.const_init(&id.sym, pos) {
                    return self.body_source(init, d);
                }
                if !self.file.nest_body.is_empty() {
                    let declared = self.scope.lookup(&id.sym, pos).map(|decl| decl.pos);
                    if declared.is_some_and(|at| {
                        self.file
                            .nest_body
                            .iter()
                            .any(|p| p.start <= at && at < p.end)
                    }) {
                        return BodySource::NestBody;
                    }
                }
                if id.sym.to_ascii_lowercase().contains("raw") {
                    BodySource::Raw
                } else {
                    BodySource::Unknown
                }
            }
            Expr::Call(c) => self.call_body_source(c, d),
            // `req.body ? JSON.stringify(req.body) : ""`: a delivery with a
            // body takes the parsed branch. Judged only when every branch
            // is parsed or a literal, so that a raw fallback
            // (`rawBody ?? JSON.stringify(body)`) is not.
            Expr::Cond(c) => {
                // `typeof req.body === "string" ? req.body : JSON.stringify(req.body)`:
                // the string branch runs only when the framework left the
                // body unparsed, so a JSON delivery takes the other one.
                if let Some((operand, string_is_cons)) = typeof_string_test(&c.test) {
                    let (text, other) = if string_is_cons {
                        (&c.cons, &c.alt)
                    } else {
                        (&c.alt, &c.cons)
                    };
                    // A raw value tested for a string (`typeof rawBody === "string"`)
                    // is a raw fallback instead, judged by the branches.
                    if same_path(text, operand) && self.body_source(operand, d) != BodySource::Raw {
                        let source = self.body_source(other, d);
                        if source.is_parsed() {
                            return source;
                        }
                    }
                }
                self.branches_source(&[&c.cons, &c.alt], d)
            }
            Expr::Bin(b) if matches!(b.op, BinaryOp::LogicalOr | BinaryOp::NullishCoalescing) => {
                self.branches_source(&[&b.left, &b.right], d)
            }
            Expr::Member(m) => {
                let prop = member_name(&m.prop).unwrap_or_default();
                if prop.to_ascii_lowercase().contains("raw") {
                    return BodySource::Raw;
                }
                if prop != "body" {
                    return BodySource::Unknown;
                }
                self.req_body_source(&m.obj)
            }
            _ => BodySource::Unknown,
        }
    }

    /// The parsed source among `branches` when every other branch is a
    /// literal (`""`, `undefined`, `null`); else unknown.
    fn branches_source(&self, branches: &[&Expr], d: u32) -> BodySource {
        let mut parsed = None;
        for b in branches {
            let literal = match unwrap(b) {
                Expr::Lit(Lit::Str(_) | Lit::Null(_)) => true,
                Expr::Tpl(t) => t.exprs.is_empty(),
                Expr::Ident(i) => &*i.sym == "undefined",
                _ => false,
            };
            if literal {
                continue;
            }
            match self.body_source(b, d) {
                s if s.is_parsed() => parsed = parsed.or(Some(s)),
                _ => return BodySource::Unknown,
            }
        }
        parsed.unwrap_or(BodySource::Unknown)
    }

    fn call_body_source(&self, c: &CallExpr, d: u32) -> BodySource {
        let Callee::Expr(callee) = &c.callee else {
            return BodySource::Unknown;
        };
        let arg0 = c
            .args
            .first()
            .filter(|a| a.spread.is_none())
            .map(|a| &*a.expr);
        match unwrap(callee) {
            Expr::Member(m) => {
                let prop = member_name(&m.prop).unwrap_or_default();
                let obj_is =
                    |name: &str| matches!(unwrap(&m.obj), Expr::Ident(i) if &*i.sym == name);
                match prop.as_str() {
                    "stringify" if obj_is("JSON") => match arg0 {
                        Some(a) if self.body_source(a, d) == BodySource::Raw => BodySource::Unknown,
                        Some(_) => BodySource::Stringified,
                        None => BodySource::Unknown,
                    },
                    "json" if c.args.is_empty() => BodySource::Json,
                    "text" if c.args.is_empty() => BodySource::Raw,
                    "toString" | "decode" => match self.body_source(&m.obj, d) {
                        s if s.is_parsed() => s,
                        _ => BodySource::Raw,
                    },
                    "readBody" | "readValidatedBody" => BodySource::H3ReadBody,
                    "readRawBody" => BodySource::Raw,
                    _ => BodySource::Unknown,
                }
            }
            Expr::Ident(id) => {
                let name = &*id.sym;
                let pos = self.scope.span(id.span).start;
                match name {
                    "readRawBody" | "getRawBody" | "rawBody" => BodySource::Raw,
                    "readBody" | "readValidatedBody" if self.is_h3_function(name, pos) => {
                        BodySource::H3ReadBody
                    }
                    "String" => arg0.map_or(BodySource::Unknown, |a| self.body_source(a, d)),
                    _ => BodySource::Unknown,
                }
            }
            _ => BodySource::Unknown,
        }
    }

    /// `readBody` from h3 (imported, or auto-imported in Nuxt and Nitro).
    fn is_h3_function(&self, name: &str, pos: u32) -> bool {
        if self.scope.lookup(name, pos).is_some() {
            return false;
        }
        match self.scope.imports.iter().find(|i| i.local == name) {
            Some(imp) => {
                let m = imp.module.as_str();
                m == "h3"
                    || m.starts_with("#")
                    || m.contains("nitro")
                    || m.contains("nuxt")
                    || m.contains("vinxi")
            }
            None => true,
        }
    }

    /// `req.body`: parsed by the framework, or unknown.
    fn req_body_source(&self, obj: &Expr) -> BodySource {
        if self.file.express_json && !self.file.express_raw {
            return BodySource::ExpressJson;
        }
        if self.file.fastify {
            return BodySource::Fastify;
        }
        if self.file.body_parser_off || self.file.express_raw {
            return BodySource::Unknown;
        }
        let Expr::Ident(req) = unwrap(obj) else {
            return BodySource::Unknown;
        };
        let pos = self.scope.span(req.span).start;
        let typed = match self.scope.lookup(&req.sym, pos).map(|d| &d.binding) {
            Some(Binding::Opaque { type_name: Some(t) }) => {
                // Vercel's Node runtime parses the body as Next.js does.
                ["NextApiRequest", "VercelRequest"]
                    .iter()
                    .any(|n| t == n || t.ends_with(&format!(".{n}")))
            }
            _ => false,
        };
        if typed {
            return BodySource::PagesRouter;
        }
        if self.file.server_framework {
            // No parser in this file: the files that mount its router
            // decide (see `receivers`).
            return BodySource::MountedRequest;
        }
        let span = self.scope.span(req.span);
        let in_default = self
            .file
            .default_fns
            .iter()
            .any(|(f, first, handler_typed)| {
                f.contains(span) && (first.as_deref() == Some(&*req.sym) || *handler_typed)
            });
        if in_default {
            BodySource::PagesRouter
        } else {
            BodySource::Unknown
        }
    }

    // -- recognisers ---------------------------------------------------------

    /// Whether the callee is a verify wrapper (`verifySignatureAppRouter`).
    fn is_wrapper(&self, callee: &Expr) -> bool {
        self.imported_name(callee)
            .is_some_and(|(module, name)| modules::is_verify_wrapper(&module, &name))
    }

    fn is_workflow_serve(&self, callee: &Expr) -> bool {
        self.imported_name(callee).is_some_and(|(module, name)| {
            is_serve_module(&module) && SERVE_NAMES.contains(&name.as_str())
        })
    }

    /// The (module, exported name) a callee names: a named import, or a
    /// member of a namespace import.
    fn imported_name(&self, callee: &Expr) -> Option<(String, String)> {
        match unwrap(callee) {
            Expr::Ident(id) => {
                let imp = self.scope.import(&id.sym, self.scope.span(id.span).start)?;
                match &imp.imported {
                    Imported::Named(n) => Some((imp.module.clone(), n.clone())),
                    _ => None,
                }
            }
            Expr::Member(m) => {
                let Expr::Ident(ns) = unwrap(&m.obj) else {
                    return None;
                };
                let imp = self.scope.import(&ns.sym, self.scope.span(ns.span).start)?;
                if !matches!(imp.imported, Imported::Namespace | Imported::Default) {
                    return None;
                }
                Some((imp.module.clone(), member_name(&m.prop)?))
            }
            _ => None,
        }
    }

    /// A hardcoded `devMode: true` in a config object.
    fn dev_mode(&mut self, config: Option<&ExprOrSpread>, what: &'static str) {
        let Some(config) = config.filter(|a| a.spread.is_none()) else {
            return;
        };
        if self.in_dev_branch() {
            return;
        }
        let v = self.scope.value(&config.expr);
        let Some(p) = v.object.as_ref().and_then(|o| o.get("devMode")) else {
            return;
        };
        if p.value.literal == Some(Literal::Bool(true)) {
            self.bypasses.push(Bypass {
                kind: BypassKind::DevMode(what),
                span: Span::new(p.key_span.start, p.value.span.end.max(p.key_span.end)),
                via: None,
            });
        }
    }

    fn workflow_receiver(&mut self, call: &CallExpr) {
        let Some(opts) = call.args.get(1).filter(|a| a.spread.is_none()) else {
            return;
        };
        if self.in_dev_branch() {
            return;
        }
        let v = self.scope.value(&opts.expr);
        let Some(p) = v.object.as_ref().and_then(|o| o.get("receiver")) else {
            return;
        };
        if matches!(p.value.literal, Some(Literal::Undefined | Literal::Null)) {
            self.bypasses.push(Bypass {
                kind: BypassKind::WorkflowReceiver,
                span: Span::new(p.key_span.start, p.value.span.end.max(p.key_span.end)),
                via: None,
            });
        }
    }

    fn with_fn(&mut self, span: swc_common::Span, fx: &Effects, f: impl FnOnce(&mut Self)) {
        let frame = FnFrame {
            span: self.scope.span(span),
            returns_value: fx.returns_value,
            error_status: fx.error_status,
            following_base: self.following.len(),
        };
        self.fns.push(frame);
        // Guards and tries of the outer function do not reach into the
        // body's own statements for `followed`; guards still apply.
        let tries = std::mem::take(&mut self.tries);
        f(self);
        self.tries = tries;
        self.fns.pop();
    }

    fn push_guard(
        &mut self,
        test: &Expr,
        holds: Option<Stage>,
        other_rejects: bool,
        branch: Vec<Span>,
        assigned: Vec<String>,
    ) {
        let dev = holds == Some(Stage::Dev);
        self.guards.push(GuardFrame {
            test: self.scope.span(e_span(test)),
            holds,
            other_rejects,
            branch,
            assigned,
            function: self.function(),
            dev,
        });
    }

    fn note_checked(&mut self, test: &Expr) {
        let fx = effects_of(test);
        let f = self.function();
        self.checked.entry(f).or_default().extend(fx.idents);
    }

    // -- decisions -------------------------------------------------------------

    fn finish(self) -> VerifyCalls {
        let mut out = VerifyCalls {
            bypasses: self.bypasses.clone(),
            ..VerifyCalls::default()
        };
        // Resolve how each call is used.
        let resolved: Vec<(Awaited, Option<Swallow>, bool)> =
            self.raw.iter().map(|r| self.resolve(r)).collect();

        // Local verifiers: functions that await or return `verify`, with the
        // imported receiver they verify on when every such call has one.
        let mut verifiers: HashMap<Span, Option<ImportedReceiver>> = HashMap::default();
        // The parameter each verifier hands to `verify` as the body, with
        // that `body` option: the first such call decides.
        let mut body_params: HashMap<Span, (u32, Span)> = HashMap::default();
        for (r, (awaited, ..)) in self.raw.iter().zip(&resolved) {
            let (
                Target::Verify {
                    via,
                    body,
                    body_param,
                    ..
                },
                Some(f),
            ) = (&r.target, r.function)
            else {
                continue;
            };
            if *awaited == Awaited::Floating {
                continue;
            }
            if let (Some(i), Some(b)) = (body_param, body) {
                body_params.entry(f).or_insert((*i, b.span));
            }
            match verifiers.get_mut(&f) {
                Some(existing) => {
                    if via.is_none() {
                        *existing = None;
                    }
                }
                None => {
                    verifiers.insert(f, via.clone());
                }
            }
        }
        // The verification points with the receiver they depend on; `None`
        // for calls that are not verification.
        let mut point_via: Vec<Option<Option<ImportedReceiver>>> = Vec::new();
        for (r, (awaited, swallowed, chained)) in self.raw.iter().zip(&resolved) {
            let via = match &r.target {
                Target::Verify {
                    via,
                    options,
                    body,
                    callee,
                    ..
                } => {
                    out.calls.push(VerifyCall {
                        span: r.span,
                        function: r.function,
                        awaited: *awaited,
                        options: options.clone(),
                        callee: *callee,
                        body: *body,
                        swallowed: *swallowed,
                        chained: *chained,
                        via: via.clone(),
                    });
                    Some(via.clone())
                }
                Target::Wrapper => Some(None),
                Target::Local(name) => {
                    let function = self.fn_names.get(name.as_str()).and_then(|spans| {
                        spans
                            .iter()
                            .filter(|s| !s.contains(r.span))
                            .find(|s| verifiers.contains_key(s))
                    });
                    if let Some(&(index, verified)) = function.and_then(|f| body_params.get(f)) {
                        out.forwarded_bodies.extend(
                            r.parsed_args
                                .iter()
                                .filter(|(i, _)| *i == index)
                                .map(|(_, body)| ForwardedBody {
                                    body: *body,
                                    index,
                                    imported: None,
                                    reaches: Some((None, verified)),
                                }),
                        );
                    }
                    let verifier = function.and_then(|f| verifiers.get(f));
                    match verifier {
                        Some(via) => {
                            out.verifier_calls.push(VerifierCall {
                                name: name.clone(),
                                span: r.span,
                                function: r.function,
                                awaited: *awaited,
                                swallowed: *swallowed,
                                chained: *chained,
                                via: via.clone(),
                                imported: None,
                            });
                            Some(via.clone())
                        }
                        None => None,
                    }
                }
                Target::Imported(name, import) => {
                    out.forwarded_bodies
                        .extend(r.parsed_args.iter().map(|(index, body)| ForwardedBody {
                            body: *body,
                            index: *index,
                            imported: Some(import.clone()),
                            reaches: None,
                        }));
                    let broken = (*awaited == Awaited::Floating && !chained) || swallowed.is_some();
                    if broken {
                        out.verifier_calls.push(VerifierCall {
                            name: name.clone(),
                            span: r.span,
                            function: r.function,
                            awaited: *awaited,
                            swallowed: *swallowed,
                            chained: *chained,
                            via: None,
                            imported: Some(import.clone()),
                        });
                    }
                    None
                }
            };
            point_via.push(via);
        }

        for (name, what) in &self.file.exports {
            let spans: Vec<Span> = match what {
                Exported::Name(local) => self.fn_names.get(local).cloned().unwrap_or_default(),
                Exported::Span(s) => vec![*s],
            };
            if let Some((s, via)) = spans
                .iter()
                .find_map(|s| verifiers.get(s).map(|via| (s, via)))
            {
                out.exported_verifiers.push(ExportedVerifier {
                    name: name.clone(),
                    via: via.clone(),
                    body: body_params.get(s).copied(),
                });
            }
        }

        let mut bypasses: Vec<Bypass> = Vec::new();
        let mut add = |b: Bypass| match bypasses.iter_mut().find(|x| x.span == b.span) {
            Some(existing) => {
                if b.via.is_none() {
                    existing.via = None;
                }
            }
            None => bypasses.push(b),
        };
        for i in 0..self.raw.len() {
            let (Some(r), Some(Some(via))) = (self.raw.get(i), point_via.get(i)) else {
                continue;
            };
            for g in &r.guards {
                let checked = self.checked.get(&g.function);
                if g.assigned
                    .iter()
                    .any(|n| checked.is_some_and(|c| c.contains(n)))
                {
                    continue;
                }
                add(Bypass {
                    kind: g.stage.kind(),
                    span: g.test,
                    via: via.clone(),
                });
            }
        }
        for exit in &self.exits {
            let confirming = (0..self.raw.len()).filter_map(|i| {
                let r = self.raw.get(i)?;
                let via = point_via.get(i)?.as_ref()?;
                (r.span.start >= exit.end && exit.function.contains(r.span)).then_some(via)
            });
            let mut best: Option<Option<ImportedReceiver>> = None;
            for via in confirming {
                if via.is_none() {
                    best = Some(None);
                    break;
                }
                best.get_or_insert_with(|| via.clone());
            }
            if let Some(via) = best {
                add(Bypass {
                    kind: exit.stage.kind(),
                    span: exit.test,
                    via,
                });
            }
        }
        out.bypasses.extend(bypasses);
        out.bypasses.sort_by_key(|b| (b.span.start, b.span.end));
        out.bypasses.dedup_by(|a, b| a.span == b.span);
        out
    }

    /// How a recorded call's promise is used: awaited, swallowed, chained.
    fn resolve(&self, r: &RawCall) -> (Awaited, Option<Swallow>, bool) {
        let u = &r.usage;
        let mut awaited = u.awaited.unwrap_or(Awaited::Floating);
        if awaited == Awaited::Floating {
            // `const p = receiver.verify(...)`, later `await p`.
            if let Some(n) = &u.assigned {
                if let Some(a) = self.consumed.get(&r.function).and_then(|c| c.get(n)) {
                    awaited = *a;
                }
            }
        }
        let checked = |name: &str| {
            self.checked
                .get(&r.function)
                .is_some_and(|c| c.contains(name))
        };
        let assigned_checked = u.assigned.as_deref().is_some_and(checked);
        let stops = u.handlers.iter().any(|(e, _)| *e == HandlerEffect::Stops);
        // The innermost handler (recorded last) is the one that sees the
        // rejection.
        let mut swallowed = match u.handlers.last() {
            Some((HandlerEffect::Truthy, span)) => Some(Swallow::Handler(*span)),
            Some((HandlerEffect::Falsy, span))
                if awaited != Awaited::Returned && !assigned_checked =>
            {
                Some(Swallow::Handler(*span))
            }
            _ => None,
        };
        if swallowed.is_none() && awaited == Awaited::Awaited && u.handlers.is_empty() {
            if let Some(t) = &r.try_ctx {
                let flag_checked = t.assigned.iter().any(|n| checked(n));
                if !flag_checked && (t.followed || t.last) {
                    swallowed = Some(Swallow::Catch(t.catch));
                }
            }
        }
        let chained = awaited == Awaited::Floating && u.then && stops;
        (awaited, swallowed, chained)
    }
}

impl Visit for Walker<'_> {
    skip_types!();
    fn visit_function(&mut self, n: &Function) {
        let fx = n.body.as_ref().map(effects_of).unwrap_or_default();
        self.with_fn(n.span, &fx, |w| n.visit_children_with(w));
    }

    fn visit_arrow_expr(&mut self, n: &ArrowExpr) {
        let fx = match &*n.body {
            ArrowFunctionBody::Expr(e) => Effects {
                returns_value: true,
                ..effects_of(&**e)
            },
            ArrowFunctionBody::FunctionBody(b) => effects_of(b),
        };
        self.with_fn(n.span, &fx, |w| {
            if let ArrowFunctionBody::Expr(e) = &*n.body {
                w.mark(
                    e,
                    Usage {
                        awaited: Some(Awaited::Returned),
                        ..Usage::default()
                    },
                );
            }
            n.visit_children_with(w);
        });
    }

    fn visit_fn_decl(&mut self, n: &FnDecl) {
        let span = self.scope.span(n.function.span);
        self.fn_names
            .entry(n.ident.sym.as_str().to_owned())
            .or_default()
            .push(span);
        n.visit_children_with(self);
    }

    fn visit_var_declarator(&mut self, n: &VarDeclarator) {
        if let (Pat::Ident(b), Some(init)) = (&n.name, &n.init) {
            let name = b.id.sym.as_str().to_owned();
            if let Some((span, ..)) = fn_expr_info(init, self.scope, false) {
                self.fn_names.entry(name.clone()).or_default().push(span);
            }
            self.mark(
                init,
                Usage {
                    assigned: Some(name),
                    ..Usage::default()
                },
            );
        }
        n.visit_children_with(self);
    }

    fn visit_assign_expr(&mut self, n: &AssignExpr) {
        if n.op == AssignOp::Assign {
            if let AssignTarget::Simple(SimpleAssignTarget::Ident(b)) = &n.left {
                self.mark(
                    &n.right,
                    Usage {
                        assigned: Some(b.id.sym.as_str().to_owned()),
                        ..Usage::default()
                    },
                );
            }
        }
        n.visit_children_with(self);
    }

    fn visit_await_expr(&mut self, n: &AwaitExpr) {
        let outer = self.usage_of(n.span);
        if let Expr::Ident(id) = unwrap(&n.arg) {
            let f = self.function();
            self.consumed
                .entry(f)
                .or_default()
                .insert(id.sym.as_str().to_owned(), Awaited::Awaited);
        }
        self.mark(
            &n.arg,
            Usage {
                awaited: Some(Awaited::Awaited),
                assigned: outer.assigned,
                ..Usage::default()
            },
        );
        n.visit_children_with(self);
    }

    fn visit_return_stmt(&mut self, n: &ReturnStmt) {
        if let Some(arg) = &n.arg {
            // A returned value is the caller's to check: `return isAuthorized`.
            let idents = effects_of(&**arg).idents;
            let f = self.function();
            self.checked.entry(f).or_default().extend(idents);
            if let Expr::Ident(id) = unwrap(arg) {
                let f = self.function();
                self.consumed
                    .entry(f)
                    .or_default()
                    .entry(id.sym.as_str().to_owned())
                    .or_insert(Awaited::Returned);
            }
            self.mark(
                arg,
                Usage {
                    awaited: Some(Awaited::Returned),
                    ..Usage::default()
                },
            );
        }
        n.visit_children_with(self);
    }

    fn visit_unary_expr(&mut self, n: &UnaryExpr) {
        if n.op == UnaryOp::Void {
            self.mark(&n.arg, Usage::default());
        }
        n.visit_children_with(self);
    }

    fn visit_paren_expr(&mut self, n: &ParenExpr) {
        // Keys are taken on unwrapped expressions: nothing to hand down.
        n.visit_children_with(self);
    }

    fn visit_cond_expr(&mut self, n: &CondExpr) {
        if self.guards.len() > MAX_NESTING {
            // A long `a ? x : b ? y : …` chain: judging each level scans the
            // rest of the chain, so past this depth it is walked, not judged.
            n.visit_children_with(self);
            return;
        }
        let outer = self.usage_of(n.span);
        n.test.visit_with(self);
        let stage = self.stage(&n.test);
        let (cons_rejects, alt_rejects) = (expr_rejects(&n.cons), expr_rejects(&n.alt));
        self.mark(&n.cons, outer.clone());
        self.push_guard(&n.test, stage, alt_rejects, Vec::new(), Vec::new());
        n.cons.visit_with(self);
        self.guards.pop();
        self.mark(&n.alt, outer);
        self.push_guard(
            &n.test,
            stage.map(Stage::not),
            cons_rejects,
            Vec::new(),
            Vec::new(),
        );
        n.alt.visit_with(self);
        self.guards.pop();
    }

    fn visit_bin_expr(&mut self, n: &BinExpr) {
        let outer = self.usage_of(n.span);
        match n.op {
            BinaryOp::LogicalAnd | BinaryOp::LogicalOr => {
                n.left.visit_with(self);
                let stage = self.stage(&n.left);
                let holds = if n.op == BinaryOp::LogicalAnd {
                    stage
                } else {
                    stage.map(Stage::not)
                };
                self.mark(&n.right, outer);
                self.push_guard(&n.left, holds, false, Vec::new(), Vec::new());
                n.right.visit_with(self);
                self.guards.pop();
            }
            BinaryOp::NullishCoalescing => {
                self.mark(&n.left, outer.clone());
                self.mark(&n.right, outer);
                n.visit_children_with(self);
            }
            _ => n.visit_children_with(self),
        }
    }

    fn visit_if_stmt(&mut self, n: &IfStmt) {
        if self.guards.len() > MAX_NESTING {
            // Pathologically nested code: walk it, judge nothing more.
            n.visit_children_with(self);
            return;
        }
        n.test.visit_with(self);
        let stage = self.stage(&n.test);
        // Whether a branch rejects only in production matters only where
        // carrying on would skip verification: elsewhere it is not asked.
        let judged =
            |holds: Option<Stage>| holds.is_some_and(Stage::skips_when).then_some(self.scope);
        let cons = BranchFacts::of_in(&n.cons, judged(stage));
        let alt = n
            .alt
            .as_deref()
            .map(|a| BranchFacts::of_in(a, judged(stage.map(Stage::not))));
        let alt_rejects = alt.as_ref().is_some_and(|a| a.rejects);
        let cons_rejects = cons.rejects;
        if cons_rejects || alt_rejects {
            self.note_checked(&n.test);
        }
        let test_span = self.scope.span(e_span(&n.test));
        // Each branch, with what holds in it and whether the other rejects.
        let branches = std::iter::once((&*n.cons, cons, stage, alt_rejects)).chain(
            n.alt
                .as_deref()
                .zip(alt)
                .map(|(s, facts)| (s, facts, stage.map(Stage::not), cons_rejects)),
        );
        for (branch, facts, holds, other_rejects) in branches {
            let stmts = match branch {
                Stmt::Block(b) => b
                    .stmts
                    .iter()
                    .map(|s| self.scope.span(stmt_span(s)))
                    .collect(),
                _ => Vec::new(),
            };
            self.push_guard(&n.test, holds, other_rejects, stmts, facts.assigned);
            branch.visit_with(self);
            self.guards.pop();
            // A quiet `return;` / `return null` is success in a verifier
            // that signals failure otherwise: by throwing (it returns
            // nothing else) or with an error response.
            let (void_fn, answers_errors) = self
                .fns
                .last()
                .map_or((false, false), |f| (!f.returns_value, f.error_status));
            let success = facts.exit == Exit::Success
                || facts.bare_return && void_fn
                || (facts.bare_return || facts.nullish_return) && answers_errors;
            if let (Some(s), Some(f)) = (holds, self.function()) {
                if s.skips_when() && success {
                    self.exits.push(EarlyExit {
                        test: test_span,
                        stage: s,
                        end: self.scope.span(stmt_span(branch)).end,
                        function: f,
                    });
                }
            }
        }
    }

    fn visit_stmts(&mut self, stmts: &[Stmt]) {
        let len = stmts.len();
        let guards = self.guards.len();
        for (i, s) in stmts.iter().enumerate() {
            self.following.push(i + 1 < len);
            s.visit_with(self);
            self.following.pop();
            // After `if (cond) return …;` the rest of the block runs only
            // when the condition does not hold.
            if let Stmt::If(n) = s {
                if n.alt.is_none() && always_returns(&n.cons) {
                    if let Some(stage) = self.stage(&n.test) {
                        let rest: Vec<Span> = stmts[i + 1..]
                            .iter()
                            .map(|s| self.scope.span(stmt_span(s)))
                            .collect();
                        let other_rejects = rejects(&n.cons);
                        self.push_guard(
                            &n.test,
                            Some(stage.not()),
                            other_rejects,
                            rest,
                            Vec::new(),
                        );
                    }
                }
            }
        }
        self.guards.truncate(guards);
    }

    fn visit_try_stmt(&mut self, n: &TryStmt) {
        if self.tries.len() > MAX_NESTING {
            n.visit_children_with(self);
            return;
        }
        let swallowing_catch = n.handler.as_ref().and_then(|h| {
            let fx = effects_of(&h.body);
            // `next()` without an error passes the request on: no stop.
            let stops = fx.throws || fx.returns || fx.responds || fx.error_status || fx.reject_call;
            (!stops).then(|| self.scope.span(h.span))
        });
        let mut assigned = effects_of(&n.block).assigned;
        if let Some(h) = &n.handler {
            assigned.extend(effects_of(&h.body).assigned);
        }
        let frame = TryFrame {
            fn_depth: self.fns.len(),
            last: n.block.stmts.last().map(|s| self.scope.span(stmt_span(s))),
            swallowing_catch,
            followed: self.followed(),
            assigned,
        };
        self.tries.push(frame);
        n.block.visit_with(self);
        self.tries.pop();
        if let Some(h) = &n.handler {
            h.visit_with(self);
        }
        if let Some(f) = &n.finalizer {
            f.visit_with(self);
        }
    }

    fn visit_new_expr(&mut self, n: &NewExpr) {
        match self.scope.class_of(&n.callee) {
            Some(QstashClass::Client) => {
                self.dev_mode(n.args.as_ref().and_then(|a| a.first()), "`Client`")
            }
            Some(QstashClass::Receiver) => {
                self.dev_mode(n.args.as_ref().and_then(|a| a.first()), "`Receiver`")
            }
            _ => {}
        }
        n.visit_children_with(self);
    }

    fn visit_call_expr(&mut self, n: &CallExpr) {
        let outer = self.usage_of(n.span);
        if let Callee::Expr(callee) = &n.callee {
            match unwrap(callee) {
                Expr::Member(m) => {
                    let prop = member_name(&m.prop).unwrap_or_default();
                    let fn_arg = |i: usize| {
                        n.args
                            .get(i)
                            .filter(|a| a.spread.is_none())
                            .map(|a| &*a.expr)
                    };
                    match prop.as_str() {
                        "catch" => {
                            let mut u = outer.clone();
                            let effect = fn_arg(0).map_or(HandlerEffect::Falsy, handler_effect);
                            let span = fn_arg(0)
                                .map_or(self.scope.span(n.span), |a| self.scope.span(e_span(a)));
                            u.handlers.push((effect, span));
                            self.mark(&m.obj, u);
                        }
                        "then" => {
                            let mut u = outer.clone();
                            if fn_arg(0).is_some() {
                                u.then = true;
                            }
                            if let Some(h) = fn_arg(1) {
                                u.handlers
                                    .push((handler_effect(h), self.scope.span(e_span(h))));
                            }
                            self.mark(&m.obj, u);
                        }
                        "finally" => self.mark(&m.obj, outer.clone()),
                        "all" | "allSettled" | "race" | "any" if matches!(unwrap(&m.obj), Expr::Ident(i) if &*i.sym == "Promise") => {
                            if let Some(Expr::Array(a)) = fn_arg(0).map(unwrap) {
                                for el in a.elems.iter().flatten() {
                                    self.mark(
                                        &el.expr,
                                        Usage {
                                            awaited: outer.awaited,
                                            ..Usage::default()
                                        },
                                    );
                                }
                            }
                        }
                        _ => {
                            // `await expect(receiver.verify(...)).rejects.toThrow()`:
                            // the call at the root of an awaited chain is awaited too.
                            if outer.awaited.is_some() {
                                let mut obj = unwrap(&m.obj);
                                loop {
                                    match obj {
                                        Expr::Member(inner) => obj = unwrap(&inner.obj),
                                        Expr::Call(_) => {
                                            self.mark(
                                                obj,
                                                Usage {
                                                    awaited: outer.awaited,
                                                    ..Usage::default()
                                                },
                                            );
                                            break;
                                        }
                                        _ => break,
                                    }
                                }
                            }
                        }
                    }
                    if prop == "verify" {
                        match self.scope.kind_of(&m.obj) {
                            Some(Kind::Instance(QstashClass::Receiver)) => {
                                self.verify_call(n, callee, None)
                            }
                            None => {
                                if let Some(via) = self
                                    .scope
                                    .imported_receiver(&m.obj)
                                    .filter(|v| v.member.is_none())
                                {
                                    self.verify_call(n, callee, Some(via));
                                }
                            }
                            _ => {}
                        }
                    }
                }
                Expr::Ident(id) => {
                    let pos = self.scope.span(id.span).start;
                    if self.scope.function(&id.sym, pos).is_some() {
                        self.record(Target::Local(id.sym.as_str().to_owned()), n);
                    } else if let Some(r) = self.scope.import_ref(&id.sym, pos) {
                        self.record(Target::Imported(id.sym.as_str().to_owned(), r), n);
                    }
                }
                _ => {}
            }
            if outer.awaited.is_some() {
                // `await foo(receiver.verify(...))`: the argument flows into
                // something awaited.
                for a in &n.args {
                    if a.spread.is_none() && !self.usage.contains_key(&key(&a.expr)) {
                        self.mark(
                            &a.expr,
                            Usage {
                                awaited: outer.awaited,
                                ..Usage::default()
                            },
                        );
                    }
                }
            }
            if self.is_wrapper(callee) {
                self.dev_mode(n.args.get(1), "verify wrapper");
                self.record(Target::Wrapper, n);
            } else if self.is_workflow_serve(callee) {
                self.workflow_receiver(n);
            }
        }
        n.visit_children_with(self);
    }
}

impl Walker<'_> {
    fn verify_call(&mut self, n: &CallExpr, callee: &Expr, via: Option<ImportedReceiver>) {
        let arg = n.args.first().filter(|a| a.spread.is_none());
        let options = arg.and_then(|a| self.scope.value(&a.expr).object.map(|o| *o));
        let body = arg.and_then(|a| self.body_arg(&a.expr));
        let body_param = arg.and_then(|a| self.body_param(&a.expr, n.span));
        let callee = self.scope.span(e_span(callee));
        self.record(
            Target::Verify {
                via,
                options,
                body,
                body_param,
                callee,
            },
            n,
        );
    }
}

/// `typeof x` compared with something, either way round: `x` and the
/// other side.
fn typeof_operand(b: &BinExpr) -> Option<(&Expr, &Expr)> {
    match (unwrap(&b.left), unwrap(&b.right)) {
        (Expr::Unary(u), _) if u.op == UnaryOp::TypeOf => Some((&u.arg, &b.right)),
        (_, Expr::Unary(u)) if u.op == UnaryOp::TypeOf => Some((&u.arg, &b.left)),
        _ => None,
    }
}

/// The operand of `typeof x === "string"` (or `==`, `!==`, `!=`, either
/// way round), and whether the test holds when `x` is a string.
fn typeof_string_test(test: &Expr) -> Option<(&Expr, bool)> {
    let Expr::Bin(b) = unwrap(test) else {
        return None;
    };
    let holds = match b.op {
        BinaryOp::EqEqEq | BinaryOp::EqEq => true,
        BinaryOp::NotEqEq | BinaryOp::NotEq => false,
        _ => return None,
    };
    let (x, other) = typeof_operand(b)?;
    matches!(unwrap(other), Expr::Lit(Lit::Str(s)) if &*s.value == "string").then_some((x, holds))
}

/// Whether `a` and `b` name the same identifier or static member path
/// (`req.body`). A loop, not recursion: a member chain may be very long.
fn same_path(mut a: &Expr, mut b: &Expr) -> bool {
    loop {
        match (unwrap(a), unwrap(b)) {
            (Expr::Ident(x), Expr::Ident(y)) => return x.sym == y.sym,
            (Expr::Member(x), Expr::Member(y)) => {
                let name = member_name(&x.prop);
                if name.is_none() || name != member_name(&y.prop) {
                    return false;
                }
                a = &x.obj;
                b = &y.obj;
            }
            _ => return false,
        }
    }
}

fn stmt_span(s: &Stmt) -> swc_common::Span {
    use swc_common::Spanned;
    s.span()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_negate() {
        for s in [
            Stage::Dev,
            Stage::Prod,
            Stage::KeySet,
            Stage::KeyMissing,
            Stage::HeaderPresent,
            Stage::HeaderMissing,
        ] {
            assert_eq!(s.not().not(), s);
            assert_ne!(s.verifies_only_when(), s.skips_when());
        }
    }

    #[test]
    fn signing_key_names() {
        assert!(is_signing_key_name("QSTASH_CURRENT_SIGNING_KEY"));
        assert!(is_signing_key_name("EU_CENTRAL_1_QSTASH_NEXT_SIGNING_KEY"));
        assert!(!is_signing_key_name("QSTASH_TOKEN"));
    }
}
