//! Request handlers and the functions they call: what the receiver rules
//! need to decide whether a handler receives QStash messages and whether it
//! verifies them.
//!
//! Handlers come from exports (`export async function POST`, `export default
//! handler`, `export const action`, `export default defineEventHandler(...)`)
//! and from code registration (`app.post("/api/x", handler)`); whether an
//! export is a route is decided later from the file's path (see `routes`).

use super::fold::{
    atom_str, member_callee, member_name, unwrap, Binding, BodyRef, FnInfo, Kind, Scope,
};
use super::modules::{self, is_verify_wrapper};
use super::verify::ParserKind;
use super::{ImportRef, Imported, QstashClass};
use crate::diagnostic::Span;
use swc_common::Spanned;
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

/// A function call made by a function body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CallRef {
    /// A function declared in this file.
    Local(String),
    /// A function imported from another module.
    Imported(ImportRef),
    /// An inline function (a middleware written in place), by its body.
    Inline(Span),
}

/// What a function body does that matters for verification.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FunctionFact {
    /// The function's name (empty for inline handlers).
    pub name: String,
    /// The body's extent: verify calls inside it belong to it.
    pub body: Span,
    /// Functions it calls.
    pub calls: Vec<CallRef>,
    /// It calls a verify wrapper (`verifySignatureAppRouter(...)`).
    pub wraps: bool,
    /// It reads the `upstash-signature` header.
    pub reads_signature: bool,
    /// It refers to a QStash `Receiver`.
    pub uses_receiver: bool,
    /// It compares a request header with a secret from the environment
    /// (`authorization !== \`Bearer ${process.env.CRON_SECRET}\``).
    pub other_auth: bool,
}

/// How a handler is wrapped.
#[derive(Debug, Clone, PartialEq)]
pub enum Wrapping {
    /// A QStash verify wrapper (`verifySignatureAppRouter`, …).
    Verify(String),
    /// A workflow `serve` / `createWorkflow` / `serveMany`: verified by the
    /// SDK when the signing keys are set.
    Workflow,
    /// A project function (`withQstash(handler)`), verifying if it is a
    /// verifier.
    Call(CallRef),
}

/// What registers a handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandlerKind {
    /// An export of the module: `POST`, `default`, `action`, …
    Export(String),
    /// `app.post("/api/x", …)`: the method and the path as written.
    Code {
        /// Upper-case HTTP method (`ALL` for `app.all` / `app.use`).
        method: String,
        /// The route path literal.
        path: String,
    },
    /// The one handler of a server that takes every request of its host:
    /// a Cloudflare Worker's `fetch`, or `Deno.serve` / std `serve`.
    Server(Runtime),
}

/// Who runs a [`HandlerKind::Server`] handler, which decides where it is
/// served: a Worker on the hosts of its wrangler config, a Deno server at
/// its Supabase function's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Runtime {
    /// `export default { fetch }` or `addEventListener("fetch", …)`.
    Worker,
    /// `Deno.serve(handler)` or `serve(handler)` from Deno's std.
    Deno,
}

/// One request handler.
#[derive(Debug, Clone, PartialEq)]
pub struct Handler {
    /// What registers it.
    pub kind: HandlerKind,
    /// The primary span: the exported name, the `export default` line, or
    /// the registration's callee.
    pub span: Span,
    /// The handler function, when it can be seen.
    pub function: Option<FunctionFact>,
    /// Wrappers around it, outermost first.
    pub wrappers: Vec<Wrapping>,
    /// For code-registered routes: middleware registered before it.
    pub middleware: Vec<CallRef>,
}

/// Handlers, top-level functions and middleware of one module.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HandlerFacts {
    /// Request handlers.
    pub handlers: Vec<Handler>,
    /// Named functions (top level and const-bound), with what they do.
    pub functions: Vec<FunctionFact>,
    /// For each code-registered handler (by index in `handlers`): the
    /// object it is registered on, followed through same-file mounts to
    /// the outermost (`router` in `router.post(…)`).
    pub code_objects: Vec<(usize, String)>,
    /// Routers imported from other modules and mounted here.
    pub mounts: Vec<ForeignMount>,
    /// The code-registered handlers (by index in `handlers`) that are
    /// NestJS controller routes: served under the app's global prefix.
    pub nest: Vec<usize>,
    /// The NestJS app this file bootstraps, if it does.
    pub nest_app: Option<super::nest::NestApp>,
    /// The file configures NestJS's `RouterModule` (module path prefixes).
    pub nest_router_module: bool,
    /// Guards this file provides as `APP_GUARD`: they run for every route
    /// of the package's NestJS app.
    pub nest_app_guards: Vec<CallRef>,
    /// Fastify plugins wrapped with `fastify-plugin`, by the name their
    /// routes are registered on: Fastify ignores the `prefix` they are
    /// registered with.
    pub unprefixed: Vec<String>,
    /// Fastify hooks that run before handlers, by the object (or plugin)
    /// they are added to: a `fastify-plugin` plugin's hooks run for the
    /// routes of the context it is registered in.
    pub hooks: Vec<(String, CallRef)>,
    /// For code handlers (by index in `handlers`): the plugins imported and
    /// registered in their context or a parent context (by index in
    /// `mounts`); a `fastify-plugin` one among them runs its hooks for them.
    pub plugin_contexts: Vec<(usize, Vec<usize>)>,
    /// `export const config = { path, method }`: the paths and methods a
    /// Netlify function declares for itself.
    pub config: FunctionConfig,
}

/// The routing a function file declares in its own `config` export
/// (Netlify Functions v2: `export const config = { path: "/x", method: "POST" }`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FunctionConfig {
    /// Literal paths (`path: "/x"` or `path: ["/a", "/b"]`).
    pub paths: Vec<String>,
    /// Upper-case methods; empty for every method.
    pub methods: Vec<String>,
}

/// A router from another module mounted on a path:
/// `app.use("/api/webhooks", webhooksRouter)`, `app.route("/jobs", jobs)`,
/// `app.use("/api", require("./routes/api"))`.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignMount {
    /// The object it is mounted on here, followed through same-file mounts.
    pub object: String,
    /// The mounted binding: an export of another module.
    pub child: ImportRef,
    /// The path it is mounted under, with the prefixes of same-file mounts.
    pub prefix: String,
    /// Middleware that runs before the mounted router's routes: the
    /// object's middleware covering the prefix and the functions passed
    /// before the router in the same call.
    pub middleware: Vec<CallRef>,
    /// The body parser in front of the router, likewise: a raw or text
    /// parser if there is one (it keeps the text), else a JSON parser.
    pub body_parser: Option<(ParserKind, Span)>,
    /// For a Fastify `register`: how many bytes at the end of `prefix` its
    /// `prefix` option gave, which Fastify ignores for a `fastify-plugin`
    /// plugin.
    pub option_prefix: usize,
    /// Like [`HandlerFacts::plugin_contexts`], for the routes below this
    /// mount.
    pub plugin_contexts: Vec<usize>,
}

/// Extracts the handlers and functions of `program`.
pub fn handlers(program: &Program, scope: &Scope) -> HandlerFacts {
    let mut out = HandlerFacts::default();
    let Program::Module(m) = program else {
        commonjs_exports(program, scope, &mut out);
        // A file without imports or exports parses as a script: a service
        // Worker or a Deno server still installs its handler.
        if let Program::Script(script) = program {
            out.handlers.extend(
                script
                    .body
                    .iter()
                    .filter_map(|s| server_call_handler(scope, s)),
            );
        }
        let mut v = code_routes(scope, &mut out);
        program.visit_with(&mut v);
        v.finish();
        collect_functions(program, scope, &mut out);
        return out;
    };
    for item in &m.body {
        let ModuleItem::ModuleDecl(decl) = item else {
            continue;
        };
        match decl {
            ModuleDecl::ExportDecl(ed) => match &ed.decl {
                Decl::Fn(f) => {
                    let name = f.ident.sym.as_str().to_owned();
                    let function = f
                        .function
                        .body
                        .as_ref()
                        .map(|b| body_fact(scope, &name, scope.span(b.span), &b.stmts));
                    out.handlers.push(Handler {
                        kind: HandlerKind::Export(name),
                        span: scope.span(f.ident.span),
                        function,
                        wrappers: Vec::new(),
                        middleware: Vec::new(),
                    });
                }
                Decl::Var(v) => {
                    for d in &v.decls {
                        match (&d.name, &d.init) {
                            (Pat::Ident(b), Some(init)) => {
                                let name = b.id.sym.as_str().to_owned();
                                if name == "config" {
                                    out.config = function_config(init);
                                }
                                let (function, wrappers) = handler_of(scope, init, 0);
                                out.handlers.push(Handler {
                                    kind: HandlerKind::Export(name),
                                    span: scope.span(b.id.span),
                                    function,
                                    wrappers,
                                    middleware: Vec::new(),
                                });
                            }
                            // `export const { POST } = serve(...)`.
                            (Pat::Object(o), Some(init)) => {
                                let (function, wrappers) = handler_of(scope, init, 0);
                                for p in &o.props {
                                    let (name, span) = match p {
                                        ObjectPatProp::Assign(a) => {
                                            (a.key.id.sym.as_str().to_owned(), a.key.id.span)
                                        }
                                        ObjectPatProp::KeyValue(kv) => match &*kv.value {
                                            Pat::Ident(b) => {
                                                (b.id.sym.as_str().to_owned(), b.id.span)
                                            }
                                            _ => continue,
                                        },
                                        ObjectPatProp::Rest(_) => continue,
                                    };
                                    out.handlers.push(Handler {
                                        kind: HandlerKind::Export(name),
                                        span: scope.span(span),
                                        function: function.clone(),
                                        wrappers: wrappers.clone(),
                                        middleware: Vec::new(),
                                    });
                                }
                            }
                            _ => {}
                        }
                    }
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
                    let (function, wrappers) = handler_of(scope, &Expr::Ident(orig.clone()), 0);
                    out.handlers.push(Handler {
                        kind: HandlerKind::Export(exported),
                        span: scope.span(n.span),
                        function,
                        wrappers,
                        middleware: Vec::new(),
                    });
                }
            }
            // `export { POST } from "@/lib/handlers"`: the handler is
            // judged in the module that defines it.
            ModuleDecl::ExportNamed(ne) => {
                let Some(src) = &ne.src else { continue };
                for spec in &ne.specifiers {
                    let ExportSpecifier::Named(n) = spec else {
                        continue;
                    };
                    let imported = super::exports::export_name(&n.orig);
                    out.handlers.push(Handler {
                        kind: HandlerKind::Export(super::exports::exported_name(n)),
                        span: scope.span(n.span),
                        function: None,
                        wrappers: vec![Wrapping::Call(CallRef::Imported(ImportRef {
                            specifier: atom_str(&src.value),
                            name: imported,
                        }))],
                        middleware: Vec::new(),
                    });
                }
            }
            ModuleDecl::ExportDefaultDecl(d) => {
                if let DefaultDecl::Fn(f) = &d.decl {
                    let name = f
                        .ident
                        .as_ref()
                        .map(|i| i.sym.as_str().to_owned())
                        .unwrap_or_default();
                    let function = f
                        .function
                        .body
                        .as_ref()
                        .map(|b| body_fact(scope, &name, scope.span(b.span), &b.stmts));
                    out.handlers.push(Handler {
                        kind: HandlerKind::Export("default".into()),
                        span: default_span(scope, d.span),
                        function,
                        wrappers: Vec::new(),
                        middleware: Vec::new(),
                    });
                }
            }
            ModuleDecl::ExportDefaultExpr(e) => {
                let (function, wrappers) = handler_of(scope, &e.expr, 0);
                out.handlers.push(Handler {
                    kind: HandlerKind::Export("default".into()),
                    span: default_span(scope, e.span),
                    function,
                    wrappers,
                    middleware: Vec::new(),
                });
            }
            _ => {}
        }
    }
    commonjs_exports(program, scope, &mut out);
    for item in &m.body {
        if let Some(h) = server_handler(scope, item) {
            out.handlers.push(h);
        }
    }
    let mut v = code_routes(scope, &mut out);
    program.visit_with(&mut v);
    v.finish();
    collect_functions(program, scope, &mut out);
    super::nest::extract(program, scope, &mut out);
    out
}

/// `exports.handler = …`, `module.exports.handler = …` and
/// `module.exports = { handler }` at the top level: Lambda and Netlify
/// handlers written as CommonJS export this way.
fn commonjs_exports(program: &Program, scope: &Scope, out: &mut HandlerFacts) {
    let stmts: Vec<&Stmt> = match program {
        Program::Script(s) => s.body.iter().collect(),
        Program::Module(m) => m.body.iter().filter_map(|i| i.as_stmt()).collect(),
    };
    for stmt in stmts {
        let Stmt::Expr(es) = stmt else { continue };
        let Expr::Assign(a) = unwrap(&es.expr) else {
            continue;
        };
        if a.op != AssignOp::Assign {
            continue;
        }
        let Some(target) = a.left.as_simple().and_then(|t| t.as_member()) else {
            continue;
        };
        let is_module_exports = |e: &Expr| {
            matches!(e, Expr::Member(m)
                if matches!(&*m.obj, Expr::Ident(o) if &*o.sym == "module")
                    && member_name(&m.prop).as_deref() == Some("exports"))
        };
        let exports_object = matches!(&*target.obj, Expr::Ident(o) if &*o.sym == "exports")
            || is_module_exports(&target.obj);
        let mut push = |name: String, span: swc_common::Span, value: &Expr| {
            let (function, wrappers) = handler_of(scope, value, 0);
            out.handlers.push(Handler {
                kind: HandlerKind::Export(name),
                span: scope.span(span),
                function,
                wrappers,
                middleware: Vec::new(),
            });
        };
        if exports_object {
            if let Some(name) = member_name(&target.prop) {
                push(name, target.prop.span(), &a.right);
            }
        } else if is_module_exports(&Expr::Member(target.clone())) {
            let Expr::Object(o) = unwrap(&a.right) else {
                continue;
            };
            for p in &o.props {
                let PropOrSpread::Prop(p) = p else { continue };
                match &**p {
                    Prop::Shorthand(id) => push(
                        id.sym.as_str().to_owned(),
                        id.span,
                        &Expr::Ident(id.clone()),
                    ),
                    Prop::KeyValue(kv) => {
                        if let Some(name) = super::fold::prop_name(&kv.key) {
                            push(name, kv.key.span(), &kv.value);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// The literal `path` and `method` of a function's `config` object.
fn function_config(init: &Expr) -> FunctionConfig {
    let Expr::Object(o) = unwrap(init) else {
        return FunctionConfig::default();
    };
    let strings = |key: &str| -> Vec<String> {
        match prop_value(o, key).map(unwrap) {
            Some(Expr::Lit(Lit::Str(s))) => vec![atom_str(&s.value)],
            Some(Expr::Array(a)) => a
                .elems
                .iter()
                .flatten()
                .filter_map(|e| match unwrap(&e.expr) {
                    Expr::Lit(Lit::Str(s)) => Some(atom_str(&s.value)),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    };
    FunctionConfig {
        paths: strings("path"),
        methods: strings("method")
            .into_iter()
            .map(|m| m.to_ascii_uppercase())
            .collect(),
    }
}

/// A top-level statement that installs a server's one handler: `export
/// default { fetch }` (also a const object exported by name), a top-level
/// `addEventListener("fetch", …)`, `Deno.serve(…)` or std `serve(…)`.
/// `fetch: app.fetch` hands requests to a code router, whose routes are
/// found where they are registered: no handler here.
fn server_handler(scope: &Scope, item: &ModuleItem) -> Option<Handler> {
    match item {
        ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultExpr(e)) => {
            let object = match unwrap(&e.expr) {
                Expr::Object(o) => o,
                Expr::Ident(id) => {
                    let decl = scope.lookup(&id.sym, scope.span(id.span).start)?;
                    match &decl.binding {
                        Binding::Var { init, .. } => match unwrap(init) {
                            Expr::Object(o) => o,
                            _ => return None,
                        },
                        _ => return None,
                    }
                }
                _ => return None,
            };
            worker_fetch(scope, object)
        }
        ModuleItem::Stmt(s) => server_call_handler(scope, s),
        _ => None,
    }
}

/// A top-level `addEventListener("fetch", …)`, `Deno.serve(…)` or std
/// `serve(…)` statement's handler.
fn server_call_handler(scope: &Scope, stmt: &Stmt) -> Option<Handler> {
    match stmt {
        Stmt::Expr(s) => {
            let Expr::Call(c) = unwrap(&s.expr) else {
                return None;
            };
            let Callee::Expr(callee) = &c.callee else {
                return None;
            };
            use swc_common::Spanned;
            let runtime = server_call(scope, callee, c)?;
            // The handler is the last function-like argument (`Deno.serve(
            // { port }, handler)`), or the `handler` of an options object.
            let handler = c
                .args
                .iter()
                .rev()
                .find(|a| {
                    matches!(
                        unwrap(&a.expr),
                        Expr::Arrow(_) | Expr::Fn(_) | Expr::Ident(_)
                    )
                })
                .map(|a| &*a.expr)
                .or_else(|| {
                    c.args.iter().find_map(|a| match unwrap(&a.expr) {
                        Expr::Object(o) => prop_value(o, "handler"),
                        _ => None,
                    })
                })?;
            let (function, wrappers) = match runtime {
                Runtime::Worker => listener_handler(scope, handler),
                Runtime::Deno => handler_of(scope, handler, 0),
            };
            Some(Handler {
                kind: HandlerKind::Server(runtime),
                span: scope.span(callee.span()),
                function,
                wrappers,
                middleware: Vec::new(),
            })
        }
        _ => None,
    }
}

/// The `fetch` of a Worker's default export object.
fn worker_fetch(scope: &Scope, o: &ObjectLit) -> Option<Handler> {
    o.props.iter().find_map(|p| {
        let PropOrSpread::Prop(p) = p else {
            return None;
        };
        let (key, function) = match &**p {
            Prop::Method(m) => (&m.key, {
                let b = m.function.body.as_ref()?;
                Some(body_fact(scope, "fetch", scope.span(b.span), &b.stmts))
            }),
            Prop::KeyValue(kv)
                if matches!(
                    unwrap(&kv.value),
                    Expr::Arrow(_) | Expr::Fn(_) | Expr::Ident(_)
                ) =>
            {
                let (function, _) = handler_of(scope, &kv.value, 0);
                (&kv.key, Some(function?))
            }
            Prop::Shorthand(id) => {
                let (function, _) = handler_of(scope, &Expr::Ident(id.clone()), 0);
                return (&*id.sym == "fetch").then_some(Handler {
                    kind: HandlerKind::Server(Runtime::Worker),
                    span: scope.span(id.span),
                    function: Some(function?),
                    wrappers: Vec::new(),
                    middleware: Vec::new(),
                });
            }
            _ => return None,
        };
        if super::fold::prop_name(key).as_deref() != Some("fetch") {
            return None;
        }
        use swc_common::Spanned;
        Some(Handler {
            kind: HandlerKind::Server(Runtime::Worker),
            span: scope.span(key.span()),
            function,
            wrappers: Vec::new(),
            middleware: Vec::new(),
        })
    })
}

/// Whether a top-level call installs a server handler, and whose.
fn server_call(scope: &Scope, callee: &Expr, c: &CallExpr) -> Option<Runtime> {
    match unwrap(callee) {
        // `addEventListener("fetch", …)`, also on `self` / `globalThis`.
        Expr::Ident(id) if &*id.sym == "addEventListener" => is_fetch_event(scope, c),
        Expr::Member(m) if member_name(&m.prop).as_deref() == Some("addEventListener") => {
            matches!(unwrap(&m.obj), Expr::Ident(o) if matches!(&*o.sym, "self" | "globalThis"))
                .then(|| is_fetch_event(scope, c))
                .flatten()
        }
        Expr::Member(m) if member_name(&m.prop).as_deref() == Some("serve") => {
            matches!(unwrap(&m.obj), Expr::Ident(o) if &*o.sym == "Deno").then_some(Runtime::Deno)
        }
        Expr::Ident(id) if &*id.sym == "serve" => {
            let imp = scope.import(&id.sym, scope.span(id.span).start)?;
            is_deno_std_http(&imp.specifier).then_some(Runtime::Deno)
        }
        _ => None,
    }
}

fn is_fetch_event(scope: &Scope, c: &CallExpr) -> Option<Runtime> {
    matches!(
        scope.literal(&c.args.first()?.expr),
        Some(super::Literal::Str(e)) if e == "fetch"
    )
    .then_some(Runtime::Worker)
}

/// Deno's std HTTP server module: `https://deno.land/std@0.168.0/http/server.ts`,
/// `jsr:@std/http`, `jsr:@std/http@1/server`.
fn is_deno_std_http(specifier: &str) -> bool {
    let s = specifier.trim();
    if s.contains("deno.land/std") {
        return s.contains("/http/server");
    }
    let s = s.strip_prefix("jsr:").unwrap_or(s);
    let Some(rest) = s.strip_prefix("@std/http") else {
        return false;
    };
    let rest = match rest.strip_prefix('@') {
        Some(v) => v.find('/').map_or("", |i| &v[i..]),
        None => rest,
    };
    rest.is_empty() || rest == "/server"
}

/// A service Worker's fetch listener: the function that builds the
/// response, `handle` in `(event) => event.respondWith(handle(event.request))`
/// when it is one of this module, else the listener itself.
fn listener_handler(scope: &Scope, listener: &Expr) -> (Option<FunctionFact>, Vec<Wrapping>) {
    struct V(Option<Ident>);
    impl Visit for V {
        skip_types!();
        fn visit_call_expr(&mut self, n: &CallExpr) {
            if self.0.is_some() {
                return;
            }
            let responds = match &n.callee {
                Callee::Expr(callee) => matches!(unwrap(callee),
                    Expr::Member(m) if member_name(&m.prop).as_deref() == Some("respondWith")),
                _ => false,
            };
            if let (true, Some(Expr::Call(inner))) =
                (responds, n.args.first().map(|a| unwrap(&a.expr)))
            {
                if let Callee::Expr(f) = &inner.callee {
                    if let Expr::Ident(id) = unwrap(f) {
                        self.0 = Some(id.clone());
                        return;
                    }
                }
            }
            n.visit_children_with(self);
        }
    }
    let mut v = V(None);
    listener.visit_with(&mut v);
    if let Some(id) = v.0 {
        if scope.function(&id.sym, scope.span(id.span).start).is_some() {
            let found = handler_of(scope, &Expr::Ident(id), 0);
            if found.0.is_some() {
                return found;
            }
        }
    }
    handler_of(scope, listener, 0)
}

/// The `export default` keyword: the line a Pages Router diagnostic points at.
fn default_span(scope: &Scope, decl: swc_common::Span) -> Span {
    let s = scope.span(decl);
    Span::new(s.start, s.start + "export default".len() as u32)
}

/// The function and wrappers behind a handler expression: an inline
/// function, a local function, or wrapper calls around one.
fn handler_of(scope: &Scope, e: &Expr, depth: u32) -> (Option<FunctionFact>, Vec<Wrapping>) {
    if depth > 8 {
        return (None, Vec::new());
    }
    match unwrap(e) {
        Expr::Arrow(a) => {
            let f = match &*a.body {
                ArrowFunctionBody::FunctionBody(b) => {
                    body_fact(scope, "", scope.span(b.span), &b.stmts)
                }
                ArrowFunctionBody::Expr(x) => expr_fact(scope, "", x),
            };
            (Some(f), Vec::new())
        }
        Expr::Fn(f) => {
            let name = f
                .ident
                .as_ref()
                .map(|i| i.sym.as_str().to_owned())
                .unwrap_or_default();
            (
                f.function
                    .body
                    .as_ref()
                    .map(|b| body_fact(scope, &name, scope.span(b.span), &b.stmts)),
                Vec::new(),
            )
        }
        Expr::Ident(id) => {
            let pos = scope.span(id.span).start;
            if let Some(r) = scope.import_ref(&id.sym, pos) {
                // A handler defined in another module: it verifies if that
                // function is a verifier.
                return (None, vec![Wrapping::Call(CallRef::Imported(r))]);
            }
            let decl = scope.lookup(&id.sym, pos);
            // `const { handler } = serve(...)`: part of the call's result.
            if let Some(init) = decl.and_then(|d| scope.destructured.get(&d.id)) {
                return handler_of(scope, init, depth + 1);
            }
            let Some(decl) = decl else {
                return (None, Vec::new());
            };
            // `let POST; if (ready) POST = verifySignatureAppRouter(h); else
            // POST = fallback;`: every value the binding may hold. One that
            // verifies makes the handler verified (a fallback that only
            // answers an error is not a receiver); the function judged
            // otherwise is the first one.
            let mut values: Vec<&Expr> = match &decl.binding {
                Binding::Func(info) => {
                    return (Some(info_fact(scope, &id.sym, info)), Vec::new());
                }
                Binding::Var { init, .. } => vec![*init],
                Binding::Opaque { .. } => Vec::new(),
            };
            values.extend(scope.assigned_to(decl.id).iter().copied());
            let mut function = None;
            let mut wrappers = Vec::new();
            for v in values {
                let (f, w) = handler_of(scope, v, depth + 1);
                if function.is_none() {
                    function = f;
                }
                wrappers.extend(w);
            }
            (function, wrappers)
        }
        Expr::Call(c) => {
            let Callee::Expr(callee) = &c.callee else {
                return (None, Vec::new());
            };
            let wrapping = wrapping_of(scope, callee);
            // The handler is the first function-like argument.
            let inner = c
                .args
                .iter()
                .find(|a| {
                    matches!(
                        unwrap(&a.expr),
                        Expr::Arrow(_) | Expr::Fn(_) | Expr::Ident(_) | Expr::Call(_)
                    )
                })
                .map(|a| handler_of(scope, &a.expr, depth + 1))
                // h3/Nuxt object syntax: `defineEventHandler({ handler })`.
                .or_else(|| {
                    c.args.iter().find_map(|a| match unwrap(&a.expr) {
                        Expr::Object(o) => o.props.iter().find_map(|p| match p {
                            PropOrSpread::Prop(p) => match &**p {
                                Prop::KeyValue(kv)
                                    if super::fold::prop_name(&kv.key).as_deref()
                                        == Some("handler") =>
                                {
                                    Some(handler_of(scope, &kv.value, depth + 1))
                                }
                                Prop::Method(m)
                                    if super::fold::prop_name(&m.key).as_deref()
                                        == Some("handler") =>
                                {
                                    m.function.body.as_ref().map(|b| {
                                        (
                                            Some(body_fact(
                                                scope,
                                                "",
                                                scope.span(b.span),
                                                &b.stmts,
                                            )),
                                            Vec::new(),
                                        )
                                    })
                                }
                                _ => None,
                            },
                            PropOrSpread::Spread(_) => None,
                        }),
                        _ => None,
                    })
                });
            let (function, mut wrappers) = inner.unwrap_or((None, Vec::new()));
            if let Some(w) = wrapping {
                wrappers.insert(0, w);
            }
            (function, wrappers)
        }
        _ => (None, Vec::new()),
    }
}

/// The project function a callee names (declared here or imported), if
/// any.
pub(super) fn callee_ref(scope: &Scope, callee: &Expr) -> Option<CallRef> {
    match wrapping_of(scope, callee) {
        Some(Wrapping::Call(c)) => Some(c),
        _ => None,
    }
}

/// What a callee that wraps a handler is.
fn wrapping_of(scope: &Scope, callee: &Expr) -> Option<Wrapping> {
    match unwrap(callee) {
        Expr::Ident(id) => {
            let pos = scope.span(id.span).start;
            if let Some(imp) = scope.import(&id.sym, pos) {
                if let Imported::Named(n) = &imp.imported {
                    if is_verify_wrapper(&imp.module, n) {
                        return Some(Wrapping::Verify(n.clone()));
                    }
                    if is_workflow_serve(&imp.module, n) {
                        return Some(Wrapping::Workflow);
                    }
                }
                return scope
                    .import_ref(&id.sym, pos)
                    .map(|r| Wrapping::Call(CallRef::Imported(r)));
            }
            scope
                .function(&id.sym, pos)
                .map(|_| Wrapping::Call(CallRef::Local(id.sym.as_str().to_owned())))
        }
        Expr::Member(m) => {
            let Expr::Ident(ns) = unwrap(&m.obj) else {
                return None;
            };
            let imp = scope.import(&ns.sym, scope.span(ns.span).start)?;
            let name = member_name(&m.prop)?;
            if is_verify_wrapper(&imp.module, &name) {
                Some(Wrapping::Verify(name))
            } else if is_workflow_serve(&imp.module, &name) {
                Some(Wrapping::Workflow)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// `serve`, `createWorkflow`, `serveMany` (and the Pages Router variants) of
/// `@upstash/workflow/*`, or the deprecated `serve` of `@upstash/qstash/*`.
pub fn is_workflow_serve(module: &str, name: &str) -> bool {
    (modules::is_workflow(module)
        && matches!(
            name,
            "serve"
                | "createWorkflow"
                | "serveMany"
                | "servePagesRouter"
                | "createWorkflowPagesRouter"
                | "serveManyPagesRouter"
        ))
        || (modules::is_qstash(module) && matches!(name, "serve" | "servePagesRouter"))
}

fn info_fact(scope: &Scope, name: &str, info: &FnInfo) -> FunctionFact {
    match info.body.view() {
        BodyRef::Block(stmts) => {
            let span = match (stmts.first(), stmts.last()) {
                (Some(a), Some(b)) => {
                    use swc_common::Spanned;
                    Span::new(scope.span(a.span()).start, scope.span(b.span()).end)
                }
                _ => Span::default(),
            };
            body_fact(scope, name, span, stmts)
        }
        BodyRef::Expr(e) => expr_fact(scope, name, e),
    }
}

/// What the function body `stmts` (extent `span`) does.
pub(crate) fn body_fact(scope: &Scope, name: &str, span: Span, stmts: &[Stmt]) -> FunctionFact {
    let mut v = BodyVisitor {
        scope,
        fact: FunctionFact {
            name: name.to_string(),
            body: span,
            ..Default::default()
        },
        secret_gate: false,
        bypassed: false,
    };
    for s in stmts {
        s.visit_with(&mut v);
    }
    v.finish()
}

fn expr_fact(scope: &Scope, name: &str, e: &Expr) -> FunctionFact {
    use swc_common::Spanned;
    let mut v = BodyVisitor {
        scope,
        fact: FunctionFact {
            name: name.to_string(),
            body: scope.span(e.span()),
            ..Default::default()
        },
        secret_gate: false,
        bypassed: false,
    };
    e.visit_with(&mut v);
    v.finish()
}

struct BodyVisitor<'s> {
    scope: &'s Scope<'s>,
    fact: FunctionFact,
    /// A condition compares a request header with a secret from env.
    secret_gate: bool,
    /// A condition that checks a secret also lets a request in on what
    /// any caller can send.
    bypassed: bool,
}

impl Visit for BodyVisitor<'_> {
    skip_types!();
    fn visit_call_expr(&mut self, n: &CallExpr) {
        if let Callee::Expr(callee) = &n.callee {
            match wrapping_of(self.scope, callee) {
                Some(Wrapping::Verify(_)) => self.fact.wraps = true,
                Some(Wrapping::Call(c)) if !self.fact.calls.contains(&c) => self.fact.calls.push(c),
                _ => {}
            }
        }
        n.visit_children_with(self);
    }

    fn visit_str(&mut self, n: &Str) {
        if atom_str(&n.value).eq_ignore_ascii_case("upstash-signature") {
            self.fact.reads_signature = true;
        }
    }

    fn visit_ident(&mut self, n: &Ident) {
        // Only names some declaration could bind to a Receiver are worth a
        // lookup: most identifiers in a body are not.
        if !self.fact.uses_receiver
            && self.scope.may_be_receiver(&n.sym)
            && self.scope.kind_of(&Expr::Ident(n.clone()))
                == Some(Kind::Instance(QstashClass::Receiver))
        {
            self.fact.uses_receiver = true;
        }
    }

    fn visit_if_stmt(&mut self, n: &IfStmt) {
        self.gate(&n.test);
        n.visit_children_with(self);
    }

    fn visit_cond_expr(&mut self, n: &CondExpr) {
        self.gate(&n.test);
        n.visit_children_with(self);
    }
}

impl BodyVisitor<'_> {
    /// Notes what a condition that decides the request's way says about
    /// authentication.
    fn gate(&mut self, test: &Expr) {
        let g = super::auth_gate::judge(self.scope, test);
        self.secret_gate |= g.secret;
        self.bypassed |= g.forgeable;
    }

    /// The fact, once the whole body is visited: authenticated another way
    /// when a condition checks a secret and none lets a forged request by.
    fn finish(mut self) -> FunctionFact {
        self.fact.other_auth = self.secret_gate && !self.bypassed;
        self.fact
    }
}

/// Code-registered routes and middleware: `app.post("/x", …)`,
/// `router.use(verify)`, `app.use("/api/jobs", jobsRouter)`.
struct CodeRoutes<'s> {
    scope: &'s Scope<'s>,
    out: &'s mut HandlerFacts,
    /// Middleware so far: (object it is registered on, path prefix, function).
    middleware: Vec<(String, Option<String>, CallRef)>,
    /// Routers mounted on a path: (parent object, child object, prefix).
    mounts: Vec<(String, String, String)>,
    /// The object each code handler of `out` was registered on.
    objects: Vec<(usize, String)>,
    /// Apps created with a base path: `new Hono().basePath("/api")`,
    /// `new Elysia({ prefix: "/api" })`.
    base_paths: Vec<(String, String)>,
    /// Body parsers installed with `use`: (object, path prefix, kind, span).
    parsers: Vec<(String, Option<String>, ParserKind, Span)>,
    /// Fastify plugin functions around the node being visited: (first
    /// parameter, the name routes on it are registered under).
    plugins: Vec<(String, String)>,
    /// Names for functions about to be visited, by their start: the
    /// declaration (`function routes`, `const routes = …`, `export default`).
    pending: crate::hash::HashMap<u32, String>,
    /// Fastify hooks that run before the handlers of an object: (object,
    /// function). They cover every route of the object's context, whatever
    /// the order, and the plugins registered in it.
    hooks: Vec<(String, CallRef)>,
    /// The file imports Fastify: its functions taking an instance first are
    /// plugins.
    fastify: bool,
    /// The mounts of `out` made by a Fastify `register`, by index.
    registered: Vec<usize>,
}

const METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "all", "on"];

impl CodeRoutes<'_> {
    /// A middleware or handler argument as a function reference.
    fn call_ref(&self, e: &Expr) -> Option<CallRef> {
        match unwrap(e) {
            Expr::Ident(id) => {
                let pos = self.scope.span(id.span).start;
                if let Some(r) = self.scope.import_ref(&id.sym, pos) {
                    Some(CallRef::Imported(r))
                } else if self.scope.function(&id.sym, pos).is_some() {
                    Some(CallRef::Local(id.sym.as_str().to_owned()))
                } else {
                    None
                }
            }
            Expr::Arrow(_) | Expr::Fn(_) => {
                use swc_common::Spanned;
                Some(CallRef::Inline(self.scope.span(e.span())))
            }
            Expr::Call(c) => match wrapping_of(
                self.scope,
                match &c.callee {
                    Callee::Expr(callee) => callee,
                    _ => return None,
                },
            ) {
                Some(Wrapping::Call(r)) => Some(r),
                _ => None,
            },
            _ => None,
        }
    }

    /// The Fastify hooks of `object` and of the objects it is mounted on in
    /// this file: a plugin's routes run the hooks of its parents.
    fn hooks_along(&self, object: &str) -> Vec<CallRef> {
        if self.hooks.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut current = object.to_string();
        for _ in 0..5 {
            // Its own hooks and those of the `fastify-plugin` plugins
            // registered on it, which are not encapsulated.
            let fp_children: Vec<&str> = self
                .mounts
                .iter()
                .filter(|(p, c, _)| *p == current && self.out.unprefixed.contains(c))
                .map(|(_, c, _)| c.as_str())
                .collect();
            out.extend(
                self.hooks
                    .iter()
                    .filter(|(o, _)| *o == current || fp_children.contains(&o.as_str()))
                    .map(|(_, r)| r.clone()),
            );
            let Some((parent, ..)) = self.mounts.iter().find(|(_, c, _)| *c == current) else {
                break;
            };
            current = parent.clone();
        }
        out
    }

    /// `object` and the objects it is mounted on in this file, innermost
    /// first.
    fn contexts_along(&self, object: &str) -> Vec<String> {
        let mut out = vec![object.to_string()];
        for _ in 0..5 {
            let Some(last) = out.last() else { break };
            let Some((parent, ..)) = self.mounts.iter().find(|(_, c, _)| c == last) else {
                break;
            };
            if out.contains(parent) {
                break;
            }
            out.push(parent.clone());
        }
        out
    }

    /// The object a route is registered on: a plugin's instance parameter
    /// stands for the plugin (by its name), other objects for themselves.
    fn object_of(&self, e: &Expr) -> Option<String> {
        let name = object_name(e)?;
        if matches!(unwrap(e), Expr::Ident(_)) {
            if let Some((_, key)) = self.plugins.iter().rev().find(|(p, _)| *p == name) {
                return Some(key.clone());
            }
        }
        Some(name)
    }

    /// Names the plugin an exported or declared value is: the function it
    /// is (through `fp(…)`), or, for `fp(routes)`, the routes of `routes`.
    fn name_plugin(&mut self, e: &Expr, name: &str) {
        let (inner, wrapped) = match super::fastify::fp_argument(self.scope, e) {
            Some(arg) => (arg, true),
            None => (e, false),
        };
        if wrapped {
            self.out.unprefixed.push(name.to_string());
        }
        match unwrap(inner) {
            Expr::Arrow(a) => {
                self.pending
                    .insert(self.scope.span(a.span).start, name.into());
            }
            // An exported function expression is exported by its own name
            // when it has one (`module.exports = function routes(…)`).
            Expr::Fn(f) => {
                let own = f.ident.as_ref().filter(|_| name == "default");
                let name = own.map_or_else(|| name.to_string(), |i| i.sym.as_str().to_owned());
                self.pending
                    .insert(self.scope.span(f.function.span).start, name);
            }
            Expr::Ident(id) if wrapped => {
                self.mounts
                    .push((name.to_string(), id.sym.as_str().to_owned(), String::new()));
            }
            _ => {}
        }
    }

    /// Enters a function: a Fastify plugin when its first parameter is an
    /// instance, named by its declaration or, inline, by its position.
    fn enter_function(&mut self, span: swc_common::Span, first: Option<&Pat>) -> bool {
        let start = self.scope.span(span).start;
        let name = self.pending.remove(&start);
        let Some(param) = super::fastify::first_param(first) else {
            return false;
        };
        if !self.fastify && param != "fastify" {
            return false;
        }
        let key = name.unwrap_or_else(|| plugin_key(&param, start));
        self.plugins.push((param, key));
        true
    }

    /// `fastify.register(plugin, { prefix })`: the plugin's routes are
    /// served under the prefix (none for an `fp` plugin, whose options
    /// Fastify ignores), behind the hooks of `object`.
    fn register_plugin(&mut self, object: &str, args: &[ExprOrSpread]) {
        let Some(first) = args.first() else { return };
        let mut prefix = super::fastify::prefix_option(self.scope, args.get(1))
            .unwrap_or_else(|| super::fastify::UNKNOWN_PREFIX.to_string());
        let mut plugin = &*first.expr;
        let mut wrapped = false;
        if let Some(inner) = super::fastify::fp_argument(self.scope, plugin) {
            prefix = String::new();
            plugin = inner;
            wrapped = true;
        }
        let inline = |span: swc_common::Span, first: Option<&Pat>| {
            super::fastify::first_param(first).map(|p| plugin_key(&p, self.scope.span(span).start))
        };
        let child = match unwrap(plugin) {
            Expr::Arrow(a) => inline(a.span, a.params.first()),
            Expr::Fn(f) => inline(f.function.span, f.function.params.first().map(|p| &p.pat)),
            Expr::Ident(id) if self.mounted_import(plugin).is_none() => {
                if self.out.unprefixed.iter().any(|u| *u == *id.sym) {
                    prefix = String::new();
                }
                Some(id.sym.as_str().to_owned())
            }
            _ => None,
        };
        if let Some(child) = child {
            if wrapped {
                self.out.unprefixed.push(child.clone());
            }
            self.mounts.push((object.to_string(), child, prefix));
        } else if let Some(child) = self.mounted_import(plugin) {
            self.registered.push(self.out.mounts.len());
            self.out.mounts.push(ForeignMount {
                object: object.to_string(),
                child,
                option_prefix: prefix.len(),
                plugin_contexts: Vec::new(),
                prefix,
                middleware: Vec::new(),
                body_parser: None,
            });
        }
    }

    /// `fastify.route({ method, url, handler, preHandler })`.
    fn route_options(&mut self, span: swc_common::Span, object: String, o: &ObjectLit) {
        use super::fastify::{methods, prop};
        let url = prop(o, "url").or_else(|| prop(o, "path"));
        let path = match url.and_then(|u| self.scope.literal(u)) {
            Some(super::Literal::Str(p)) if p.starts_with('/') => p,
            _ => return,
        };
        let (Some(methods), Some(handler)) = (
            prop(o, "method").and_then(|m| methods(self.scope, m)),
            prop(o, "handler"),
        ) else {
            return;
        };
        let hooks: Vec<CallRef> = super::fastify::hook_values(o)
            .into_iter()
            .filter_map(|e| self.call_ref(e))
            .collect();
        for method in methods {
            self.register_handler(
                span,
                &method.to_ascii_lowercase(),
                object.clone(),
                path.clone(),
                handler,
                hooks.clone(),
            );
        }
    }

    /// The outermost object `object` is mounted on in this file, and the
    /// prefix those mounts add.
    fn mounted_root(&self, object: &str) -> (String, String) {
        let mut prefix = String::new();
        let mut current = object.to_string();
        for _ in 0..4 {
            let Some((parent, _, p)) = self.mounts.iter().find(|(_, c, _)| *c == current) else {
                break;
            };
            prefix = format!("{}{prefix}", p.trim_end_matches('/'));
            current = parent.clone();
        }
        if let Some((_, base)) = self.base_paths.iter().find(|(o, _)| *o == current) {
            prefix = format!("{}{prefix}", base.trim_end_matches('/'));
        }
        (current, prefix)
    }

    /// The base path an app is created with, for `new Hono().basePath("/a")`
    /// (chains add up) and `new Elysia({ prefix: "/a" })`; `None` for an
    /// expression that is not an app constructor.
    fn created_base(&self, e: &Expr, depth: u32) -> Option<String> {
        if depth > 8 {
            return None;
        }
        match unwrap(e) {
            Expr::New(n) => {
                let prefix = n
                    .args
                    .as_ref()
                    .and_then(|a| a.first())
                    .and_then(|a| match unwrap(&a.expr) {
                        Expr::Object(o) => prop_value(o, "prefix"),
                        _ => None,
                    })
                    .and_then(|v| match self.scope.literal(v) {
                        Some(super::Literal::Str(p)) if p.starts_with('/') => Some(p),
                        _ => None,
                    });
                Some(prefix.unwrap_or_default())
            }
            Expr::Call(c) => {
                let (inner, base) = self.base_path_call(c)?;
                let outer = self.created_base(inner, depth + 1)?;
                Some(format!("{}{base}", outer.trim_end_matches('/')))
            }
            _ => None,
        }
    }

    /// `x.basePath("/api")`: the object and the path.
    fn base_path_call<'e>(&self, c: &'e CallExpr) -> Option<(&'e Expr, String)> {
        let m = member_callee(c)?;
        if member_name(&m.prop).as_deref() != Some("basePath") {
            return None;
        }
        match self.scope.literal(&c.args.first()?.expr) {
            Some(super::Literal::Str(p)) if p.starts_with('/') => Some((&m.obj, p)),
            _ => None,
        }
    }

    /// Applies same-file mounts (`app.use("/api/jobs", jobs)`,
    /// `app.route("/jobs", sub)`) to the paths of the routes registered on
    /// the mounted object, following mounts of mounts, and to the prefixes
    /// of routers mounted from other modules.
    fn finish(&mut self) {
        self.out.hooks = self.hooks.clone();
        let objects = std::mem::take(&mut self.objects);
        // Before the mounts' objects become their roots: which imported
        // plugins each route and mount is registered beside or below.
        let plugins: Vec<(usize, String)> = self
            .out
            .mounts
            .iter()
            .enumerate()
            .filter(|(j, _)| self.registered.contains(j))
            .map(|(j, m)| (j, m.object.clone()))
            .collect();
        if !plugins.is_empty() {
            for (i, object) in &objects {
                let along = self.contexts_along(object);
                let covering: Vec<usize> = plugins
                    .iter()
                    .filter(|(_, o)| along.contains(o))
                    .map(|(j, _)| *j)
                    .collect();
                if !covering.is_empty() {
                    self.out.plugin_contexts.push((*i, covering));
                }
            }
            for k in 0..self.out.mounts.len() {
                let along = self.contexts_along(&self.out.mounts[k].object);
                self.out.mounts[k].plugin_contexts = plugins
                    .iter()
                    .filter(|(j, o)| *j != k && along.contains(o))
                    .map(|(j, _)| *j)
                    .collect();
            }
        }
        for (i, object) in objects {
            let hooks = self.hooks_along(&object);
            if let Some(h) = self.out.handlers.get_mut(i) {
                h.middleware.extend(hooks);
            }
            let (root, prefix) = self.mounted_root(&object);
            self.out.code_objects.push((i, root));
            if prefix.is_empty() {
                continue;
            }
            if let Some(HandlerKind::Code { path, .. }) =
                self.out.handlers.get_mut(i).map(|h| &mut h.kind)
            {
                *path = format!("{prefix}{}", if path == "/" { "" } else { path.as_str() });
            }
        }
        let mut foreign = std::mem::take(&mut self.out.mounts);
        for m in &mut foreign {
            m.middleware.extend(self.hooks_along(&m.object));
            let (root, prefix) = self.mounted_root(&m.object);
            m.object = root;
            m.prefix = format!("{prefix}{}", m.prefix);
        }
        self.out.mounts = foreign;
    }

    /// The module binding a mounted argument names: an imported identifier
    /// (a `require` binding stands for the module's `module.exports`) or
    /// an inline `require("./routes/api")`.
    fn mounted_import(&self, e: &Expr) -> Option<ImportRef> {
        match unwrap(e) {
            Expr::Ident(id) => {
                let pos = self.scope.span(id.span).start;
                let imp = self.scope.import(&id.sym, pos)?;
                if modules::is_qstash(&imp.module) || modules::is_workflow(&imp.module) {
                    return None;
                }
                let name = match &imp.imported {
                    Imported::Named(n) => n.clone(),
                    Imported::Default | Imported::Namespace => "default".to_string(),
                };
                Some(ImportRef {
                    specifier: imp.specifier.clone(),
                    name,
                })
            }
            Expr::Call(c) => {
                let Callee::Expr(callee) = &c.callee else {
                    return None;
                };
                if !matches!(unwrap(callee), Expr::Ident(i) if &*i.sym == "require") {
                    return None;
                }
                match self.scope.literal(&c.args.first()?.expr) {
                    Some(super::Literal::Str(spec)) => Some(ImportRef {
                        specifier: spec,
                        name: "default".into(),
                    }),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// Whether a middleware prefix covers a route path.
fn covers(prefix: Option<&str>, path: &str) -> bool {
    prefix.is_none_or(|p| {
        let p = p.trim_end_matches(['*', '/']);
        path == p || path.starts_with(&format!("{p}/")) || p.is_empty()
    })
}

impl CodeRoutes<'_> {
    /// A body parser passed as a middleware argument (`express.json()`).
    fn parser_arg(&self, e: &Expr) -> Option<(ParserKind, Span)> {
        use swc_common::Spanned;
        match unwrap(e) {
            Expr::Call(c) => {
                super::verify::parser_kind(self.scope, c).map(|k| (k, self.scope.span(c.span())))
            }
            _ => None,
        }
    }

    /// Body parsers installed so far on `object` whose prefix covers `path`.
    fn covering_parsers(&self, object: &str, path: &str) -> Vec<(ParserKind, Span)> {
        self.parsers
            .iter()
            .filter(|(o, prefix, ..)| o == object && covers(prefix.as_deref(), path))
            .map(|(.., kind, span)| (*kind, *span))
            .collect()
    }

    /// Middleware registered so far on `object` whose prefix covers `path`.
    fn covering_middleware(&self, object: &str, path: &str) -> Vec<CallRef> {
        self.middleware
            .iter()
            .filter(|(o, prefix, _)| o == object && covers(prefix.as_deref(), path))
            .map(|(_, _, r)| r.clone())
            .collect()
    }
}

fn code_routes<'s>(scope: &'s Scope<'s>, out: &'s mut HandlerFacts) -> CodeRoutes<'s> {
    CodeRoutes {
        scope,
        out,
        middleware: Vec::new(),
        mounts: Vec::new(),
        objects: Vec::new(),
        base_paths: Vec::new(),
        parsers: Vec::new(),
        plugins: Vec::new(),
        pending: crate::hash::HashMap::default(),
        hooks: Vec::new(),
        fastify: super::fastify::imports_fastify(scope),
        registered: Vec::new(),
    }
}

/// The value of property `key` of an object literal.
fn prop_value<'o>(o: &'o ObjectLit, key: &str) -> Option<&'o Expr> {
    o.props.iter().find_map(|p| match p {
        PropOrSpread::Prop(p) => match &**p {
            Prop::KeyValue(kv) => match &kv.key {
                PropName::Ident(i) if &*i.sym == key => Some(&*kv.value),
                PropName::Str(s) if s.value.as_str() == Some(key) => Some(&*kv.value),
                _ => None,
            },
            _ => None,
        },
        PropOrSpread::Spread(_) => None,
    })
}

/// The name of the object a route is registered on (`app`, `router`).
fn object_name(e: &Expr) -> Option<String> {
    match unwrap(e) {
        Expr::Ident(i) => Some(i.sym.as_str().to_owned()),
        Expr::Member(m) => member_name(&m.prop),
        _ => None,
    }
}

/// The name of an inline plugin: its instance parameter and position.
fn plugin_key(param: &str, start: u32) -> String {
    format!("{param}@{start}")
}

impl Visit for CodeRoutes<'_> {
    skip_types!();
    fn visit_fn_decl(&mut self, n: &FnDecl) {
        let start = self.scope.span(n.function.span).start;
        self.pending.insert(start, n.ident.sym.as_str().to_owned());
        n.visit_children_with(self);
    }

    fn visit_export_default_decl(&mut self, n: &ExportDefaultDecl) {
        if let DefaultDecl::Fn(f) = &n.decl {
            let name = f
                .ident
                .as_ref()
                .map_or_else(|| "default".to_string(), |i| i.sym.as_str().to_owned());
            let start = self.scope.span(f.function.span).start;
            self.pending.insert(start, name);
        }
        n.visit_children_with(self);
    }

    fn visit_export_default_expr(&mut self, n: &ExportDefaultExpr) {
        self.name_plugin(&n.expr, "default");
        n.visit_children_with(self);
    }

    fn visit_assign_expr(&mut self, n: &AssignExpr) {
        // `module.exports = fp(async (fastify) => …)`.
        if let AssignTarget::Simple(SimpleAssignTarget::Member(m)) = &n.left {
            let exports = matches!(unwrap(&m.obj), Expr::Ident(o) if &*o.sym == "module")
                && member_name(&m.prop).as_deref() == Some("exports");
            if exports {
                self.name_plugin(&n.right, "default");
            }
        }
        n.visit_children_with(self);
    }

    fn visit_function(&mut self, n: &Function) {
        let entered = self.enter_function(n.span, n.params.first().map(|p| &p.pat));
        n.visit_children_with(self);
        if entered {
            self.plugins.pop();
        }
    }

    fn visit_arrow_expr(&mut self, n: &ArrowExpr) {
        let entered = self.enter_function(n.span, n.params.first());
        n.visit_children_with(self);
        if entered {
            self.plugins.pop();
        }
    }

    fn visit_var_declarator(&mut self, n: &VarDeclarator) {
        if let (Pat::Ident(b), Some(init)) = (&n.name, &n.init) {
            self.name_plugin(init, &b.id.sym);
        }
        n.visit_children_with(self);
        let (Pat::Ident(b), Some(init)) = (&n.name, &n.init) else {
            return;
        };
        let name = b.id.sym.as_str().to_owned();
        // `const api = app.basePath("/api")`: routes on `api` are `app`'s
        // routes under `/api`, as with a mount.
        if let Expr::Call(c) = unwrap(init) {
            if let Some((obj, base)) = self.base_path_call(c) {
                if let Expr::Ident(parent) = unwrap(obj) {
                    self.mounts
                        .push((parent.sym.as_str().to_owned(), name, base));
                    return;
                }
            }
        }
        if let Some(base) = self.created_base(init, 0).filter(|b| !b.is_empty()) {
            self.base_paths.push((name, base));
        }
    }

    fn visit_call_expr(&mut self, n: &CallExpr) {
        n.visit_children_with(self);
        let Some(m) = member_callee(n) else {
            return;
        };
        let Some(method) = member_name(&m.prop) else {
            return;
        };
        if METHODS.contains(&method.as_str()) && !n.args.is_empty() {
            if let Some((object, path)) = self.route_chain(&m.obj, 0) {
                // The chain starts lines above: point at the method.
                use swc_common::Spanned;
                self.register(m.prop.span(), &method, object, path, &n.args);
                return;
            }
        }
        let Some(object) = self.object_of(&m.obj) else {
            return;
        };
        if method == "register"
            && (self.fastify || object_name(&m.obj).as_deref() == Some("fastify"))
        {
            self.register_plugin(&object, &n.args);
            return;
        }
        if method == "addHook" {
            let hook = n
                .args
                .first()
                .and_then(|a| match self.scope.literal(&a.expr) {
                    Some(super::Literal::Str(h)) => Some(h),
                    _ => None,
                });
            if let (Some(hook), Some(f)) = (hook, n.args.get(1)) {
                if super::fastify::HOOKS.contains(&hook.as_str()) {
                    if let Some(r) = self.call_ref(&f.expr) {
                        self.hooks.push((object, r));
                    }
                }
            }
            return;
        }
        if let ("route", [only]) = (method.as_str(), n.args.as_slice()) {
            if let Expr::Object(o) = unwrap(&only.expr) {
                use swc_common::Spanned;
                self.route_options(m.prop.span(), object, o);
                return;
            }
        }
        let path_arg = n
            .args
            .first()
            .and_then(|a| match self.scope.literal(&a.expr) {
                Some(super::Literal::Str(p)) if p.starts_with('/') || p == "*" => Some(p),
                _ => None,
            });
        if method == "use" || method == "route" {
            let rest = if path_arg.is_some() {
                &n.args[1..]
            } else {
                &n.args[..]
            };
            for (k, a) in rest.iter().enumerate() {
                // A router from another module, mounted under a prefix. An
                // imported function is a middleware instead: which it is
                // shows once the project is linked, so it is kept as both.
                if let (Some(prefix), Some(child)) = (&path_arg, self.mounted_import(&a.expr)) {
                    let covering = self.covering_middleware(&object, prefix);
                    let before = rest[..k].iter().filter_map(|b| self.call_ref(&b.expr));
                    let middleware = covering.into_iter().chain(before).collect();
                    let parsers: Vec<(ParserKind, Span)> = self
                        .covering_parsers(&object, prefix)
                        .into_iter()
                        .chain(rest[..k].iter().filter_map(|b| self.parser_arg(&b.expr)))
                        .collect();
                    let body_parser = parsers
                        .iter()
                        .find(|(kind, _)| *kind == ParserKind::Raw)
                        .or_else(|| parsers.first())
                        .copied();
                    self.out.mounts.push(ForeignMount {
                        object: object.clone(),
                        child,
                        prefix: prefix.clone(),
                        middleware,
                        body_parser,
                        option_prefix: 0,
                        plugin_contexts: Vec::new(),
                    });
                }
                if method == "use" {
                    if let Some((kind, span)) = self.parser_arg(&a.expr) {
                        self.parsers
                            .push((object.clone(), path_arg.clone(), kind, span));
                    }
                }
                // A router mounted under a prefix, not a middleware.
                if let (Some(prefix), Expr::Ident(id)) = (&path_arg, unwrap(&a.expr)) {
                    let pos = self.scope.span(id.span).start;
                    if self.scope.function(&id.sym, pos).is_none()
                        && self.scope.import_ref(&id.sym, pos).is_none()
                    {
                        self.mounts.push((
                            object.clone(),
                            id.sym.as_str().to_owned(),
                            prefix.clone(),
                        ));
                        continue;
                    }
                }
                if method == "use" {
                    if let Some(r) = self.call_ref(&a.expr) {
                        self.middleware.push((object.clone(), path_arg.clone(), r));
                    }
                }
            }
            return;
        }
        if !METHODS.contains(&method.as_str()) || n.args.len() < 2 {
            return;
        }
        let Some(path) = path_arg else { return };
        self.register(m.span, &method, object, path, &n.args[1..]);
    }
}

impl CodeRoutes<'_> {
    /// `router.route("/x").post(handler)` (also `.get(a).post(b)`): the
    /// object and path of the route the chain registers on.
    fn route_chain(&self, e: &Expr, depth: u32) -> Option<(String, String)> {
        if depth > 8 {
            return None;
        }
        let Expr::Call(c) = unwrap(e) else {
            return None;
        };
        let m = member_callee(c)?;
        let name = member_name(&m.prop)?;
        if name == "route" && c.args.len() == 1 {
            let path = match self.scope.literal(&c.args[0].expr) {
                Some(super::Literal::Str(p)) if p.starts_with('/') => p,
                _ => return None,
            };
            return Some((self.object_of(&m.obj)?, path));
        }
        if METHODS.contains(&name.as_str()) {
            return self.route_chain(&m.obj, depth + 1);
        }
        None
    }

    /// Records a handler registered on `object` for `path`: the last of
    /// `args` is the handler, the others its middleware.
    fn register(
        &mut self,
        span: swc_common::Span,
        method: &str,
        object: String,
        path: String,
        args: &[ExprOrSpread],
    ) {
        let Some((last, before)) = args.split_last() else {
            return;
        };
        let mut middleware = Vec::new();
        for a in before {
            if let Some(r) = self.call_ref(&a.expr) {
                middleware.push(r);
            } else if let Expr::Object(o) = unwrap(&a.expr) {
                // Fastify route options: `{ preHandler: verify }`.
                middleware.extend(
                    super::fastify::hook_values(o)
                        .into_iter()
                        .filter_map(|e| self.call_ref(e)),
                );
            }
        }
        // `fastify.post("/x", { preHandler, handler })`.
        let mut handler = &*last.expr;
        if let Expr::Object(o) = unwrap(handler) {
            if let Some(h) = super::fastify::prop(o, "handler") {
                middleware.extend(
                    super::fastify::hook_values(o)
                        .into_iter()
                        .filter_map(|e| self.call_ref(e)),
                );
                handler = h;
            }
        }
        self.register_handler(span, method, object, path, handler, middleware);
    }

    /// Records `handler` registered on `object` for `path`, behind the
    /// middleware of the object that covers the path and `own`.
    fn register_handler(
        &mut self,
        span: swc_common::Span,
        method: &str,
        object: String,
        path: String,
        handler: &Expr,
        own: Vec<CallRef>,
    ) {
        let mut middleware = self.covering_middleware(&object, &path);
        middleware.extend(own);
        let (function, wrappers) = handler_of(self.scope, handler, 0);
        let method_upper = if method == "on" {
            "ALL".to_string()
        } else {
            method.to_ascii_uppercase()
        };
        self.objects.push((self.out.handlers.len(), object));
        self.out.handlers.push(Handler {
            kind: HandlerKind::Code {
                method: method_upper,
                path,
            },
            span: self.scope.span(span),
            function,
            wrappers,
            middleware,
        });
    }
}

/// Named functions of the module: declarations and const-bound arrows or
/// function expressions, at any depth. A function an exported handler
/// already described (`export async function POST`) is copied from it, not
/// walked again: its fact depends only on its name and body.
fn collect_functions(program: &Program, scope: &Scope, out: &mut HandlerFacts) {
    struct V<'s> {
        scope: &'s Scope<'s>,
        known: crate::hash::HashMap<(&'s str, Span), &'s FunctionFact>,
        out: Vec<FunctionFact>,
    }
    impl V<'_> {
        fn body(&mut self, name: &str, span: Span, stmts: &[Stmt]) {
            let f = match self.known.get(&(name, span)) {
                Some(f) => (*f).clone(),
                None => body_fact(self.scope, name, span, stmts),
            };
            self.out.push(f);
        }
    }
    impl Visit for V<'_> {
        skip_types!();
        fn visit_fn_decl(&mut self, n: &FnDecl) {
            if let Some(b) = &n.function.body {
                self.body(&n.ident.sym, self.scope.span(b.span), &b.stmts);
            }
            n.visit_children_with(self);
        }
        fn visit_var_declarator(&mut self, n: &VarDeclarator) {
            if let (Pat::Ident(b), Some(init)) = (&n.name, &n.init) {
                match unwrap(init) {
                    Expr::Arrow(a) => match &*a.body {
                        ArrowFunctionBody::FunctionBody(body) => {
                            self.body(&b.id.sym, self.scope.span(body.span), &body.stmts)
                        }
                        ArrowFunctionBody::Expr(x) => {
                            self.out.push(expr_fact(self.scope, &b.id.sym, x))
                        }
                    },
                    Expr::Fn(func) => {
                        if let Some(body) = &func.function.body {
                            self.body(&b.id.sym, self.scope.span(body.span), &body.stmts);
                        }
                    }
                    _ => {}
                }
            }
            n.visit_children_with(self);
        }
    }
    let functions = {
        let known = out
            .handlers
            .iter()
            .filter_map(|h| h.function.as_ref())
            .map(|f| ((f.name.as_str(), f.body), f))
            .collect();
        let mut v = V {
            scope,
            known,
            out: Vec::new(),
        };
        program.visit_with(&mut v);
        v.out
    };
    out.functions = functions;
}
