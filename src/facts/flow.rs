//! What happens to the promise of each send, and of each call of a project
//! function that may send: awaited, returned, caught, collected, kept alive,
//! or dropped. The send-flow rules follow these fates across functions and
//! files.
//!
//! The walk passes each expression the context its parent gives it (an
//! `await`, a `return`, a `.catch`, an argument of `Promise.all`, …), so the
//! fate of a call is known when the call is reached.

use super::fold::{member_name, unwrap, Scope};
use super::guards::{arg_shapes, guard_of, param_shapes, ArgShape, Guard, ParamShape};
use super::handlers::CallRef;
use crate::diagnostic::Span;
use crate::hash::HashSet;
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

/// The fate of a call's promise where it is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fate {
    /// Awaited outside any `try` with a `catch`: a rejection escapes the
    /// enclosing function.
    Awaited,
    /// Returned (or an arrow's expression body): the caller decides.
    Returned,
    /// Handled here: awaited inside `try`/`catch`, `.catch(...)`,
    /// `.then(_, onRejected)`, an awaited `Promise.allSettled`.
    Handled,
    /// Neither awaited, returned, caught nor collected.
    Floating,
    /// `void send()`.
    Voided,
    /// Handed to `waitUntil(...)` / `after(...)` without a `.catch`.
    KeptAlive,
    /// Stored or passed somewhere the analysis does not follow.
    Unknown,
}

/// What a recorded call calls.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FlowTarget {
    /// A QStash send: the span of the send call (as in `FileFacts::sends`).
    Send(Span),
    /// A project function that may be a sender.
    Function(CallRef),
}

/// The function a call is made in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Frame {
    /// Its name, for a named function (declaration or const-bound); empty
    /// for callbacks and other anonymous functions.
    pub name: String,
    /// Its body.
    pub body: Span,
    /// Whether it is called from places the linker does not see.
    pub escape: Escape,
}

/// Whether a function is called from places the linker does not follow, so
/// that "no callers" cannot be concluded for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Escape {
    /// Its callers are its visible calls (or, for a callback handed to a
    /// library, the library, which handles nothing).
    No,
    /// A method of a class or of an object the code keeps: it is called
    /// through an instance or the object.
    Always,
    /// A callback handed to this function (or a method of an object handed
    /// to it): if it is a project function, the project calls it later (a
    /// registry, a wrapper).
    Via(CallRef),
    /// A method of the object bound to this name in the same file: called
    /// through the object if the object is used (a method called on it, or
    /// the object stored or handed to a project function).
    Object(String),
    /// A resolver handed to an RPC procedure builder (tRPC's `.query(fn)`,
    /// `.mutation(fn)`, next-safe-action's `.action(fn)`, oRPC's
    /// `.handler(fn)`), with the package
    /// of that framework. Where the file's package depends on it, the
    /// framework catches what the resolver throws and answers the client
    /// with an error result: throwing is how a procedure reports failure.
    Procedure(&'static str),
}

/// The RPC framework whose procedure builder a method of this name is, by
/// its package: procedures report failure by throwing, and the framework
/// turns the throw into an error answer to the client.
fn procedure_framework(method: &str) -> Option<&'static str> {
    match method {
        "query" | "mutation" | "subscription" => Some("@trpc/server"),
        "action" | "stateAction" => Some("next-safe-action"),
        "handler" => Some("@orpc/server"),
        _ => None,
    }
}

/// One call whose promise matters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FlowCall {
    /// The callee (`client.publishJSON`, `enqueueEmail`): the primary span.
    pub callee: Span,
    /// The whole call.
    pub span: Span,
    /// What it calls.
    pub target: FlowTarget,
    /// What happens to its promise.
    pub fate: Fate,
    /// The function it is made in; `None` at the top level.
    pub frame: Option<Frame>,
    /// The parameter of that function it is made only under (`if (notify)
    /// await send()`), when leaving it out leaves it false.
    pub guard: Option<Guard>,
    /// For a call of a project function: what it passes, per position
    /// (`None` when a spread hides the positions).
    pub args: Option<Vec<ArgShape>>,
}

/// The calls of one file whose promises matter, and its functions that are
/// used as values (their callers are not visible).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowFacts {
    /// The calls.
    pub calls: Vec<FlowCall>,
    /// Project functions referenced other than by a call, with where they
    /// go: stored in an object, an array or a variable (`Always`), or handed
    /// to a function (`Via`). Handed to a library (a JSX event prop,
    /// `setTimeout`, `app.post`) is not recorded: the library handles
    /// nothing.
    pub value_refs: Vec<(CallRef, Escape)>,
    /// Named functions that call one of their parameters (a wrapper calling
    /// the handler it was given), with whether some such call is inside a
    /// `try` that has a `catch`.
    pub param_calls: Vec<(String, bool)>,
    /// Bindings a method is called on (`importer.queue()`, `flow.run()`).
    pub member_calls: Vec<CallRef>,
}

/// The context a parent gives an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Awaited,
    Returned,
    Handled,
    Floating,
    Voided,
    KeptAlive,
    Unknown,
}

/// One function being walked.
#[derive(Clone)]
struct FrameState {
    frame: Option<Frame>,
    /// Inside a `try` block that has a `catch`.
    in_try: bool,
    /// Where the function's own promise goes, for callbacks whose promise
    /// the analysis follows (`.map(cb)` results, async IIFEs, `.forEach`):
    /// the fate it meets in the enclosing function, and that function.
    returns_to: Option<(Fate, Option<Frame>)>,
    /// Its parameters, and the guards (on them) of the `if`s being walked.
    params: Vec<ParamShape>,
    guards: Vec<Guard>,
}

/// Records the fate of every send and of every call of a project function.
pub fn flow(program: &Program, scope: &Scope, sends: &[Span]) -> FlowFacts {
    let mut v = Flow {
        scope,
        sends: sends.iter().copied().collect(),
        ctx: Ctx::Floating,
        frames: vec![FrameState {
            frame: None,
            in_try: false,
            returns_to: None,
            params: Vec::new(),
            guards: Vec::new(),
        }],
        pending_params: Vec::new(),
        out: Vec::new(),
        pending_name: None,
        member_escape: Escape::Always,
        value_refs: Vec::new(),
        value_seen: HashSet::default(),
        exporting: false,
        named: Vec::new(),
        param_calls: Vec::new(),
        pending_object: None,
        member_calls: Vec::new(),
    };
    program.visit_with(&mut v);
    v.param_calls.sort();
    v.param_calls.dedup();
    v.member_calls.dedup();
    FlowFacts {
        calls: v.out,
        value_refs: v.value_refs,
        param_calls: v.param_calls,
        member_calls: v.member_calls,
    }
}

struct Flow<'s> {
    scope: &'s Scope<'s>,
    sends: HashSet<Span>,
    /// The context the next expression gets from its parent.
    ctx: Ctx,
    frames: Vec<FrameState>,
    out: Vec<FlowCall>,
    /// The name the next function gets (`const f = async () => …`).
    pending_name: Option<String>,
    /// What the methods of the object literal being walked escape to.
    member_escape: Escape,
    /// Project functions used as values, each binding once per way it
    /// escapes.
    value_refs: Vec<(CallRef, Escape)>,
    /// What `value_refs` holds: its readers take it as a set, and a file
    /// naming one variable thousands of times recorded it (and had it
    /// resolved) thousands of times.
    value_seen: HashSet<(CallRef, Escape)>,
    /// Inside `export default x` or `module.exports = …`: exporting a
    /// function is no use of it as a value (its importers call it).
    exporting: bool,
    /// The named functions being walked, with their parameter names.
    named: Vec<(String, Vec<String>)>,
    param_calls: Vec<(String, bool)>,
    /// The binding the next object literal initialises (`const x = {…}`).
    pending_object: Option<String>,
    member_calls: Vec<CallRef>,
    /// The parameters of the function about to be walked.
    pending_params: Vec<ParamShape>,
}

impl Flow<'_> {
    fn frame(&self) -> &FrameState {
        // The walk starts with the top-level frame and never pops it.
        &self.frames[self.frames.len() - 1]
    }

    fn expr_with(&mut self, e: &Expr, ctx: Ctx) {
        self.ctx = ctx;
        self.visit_expr(e);
    }

    /// The fate of a call in context `ctx` within the current function, and
    /// the function it is charged to: a callback whose promise is followed
    /// passes an escaping rejection on to where its own promise goes.
    fn fate(&self, ctx: Ctx) -> (Fate, Option<Frame>) {
        let f = self.frame();
        let here = |fate: Fate| (fate, f.frame.clone());
        let escapes = |inside: Fate| match &f.returns_to {
            Some((fate, frame)) => (*fate, frame.clone()),
            None => here(inside),
        };
        match ctx {
            Ctx::Awaited if f.in_try => here(Fate::Handled),
            Ctx::Awaited => escapes(Fate::Awaited),
            Ctx::Returned => escapes(Fate::Returned),
            other => here(to_fate(other)),
        }
    }

    fn function_body(
        &mut self,
        name: Option<String>,
        body: Span,
        returns_to: Option<Ctx>,
        escape: Escape,
        walk: impl FnOnce(&mut Self),
    ) {
        let frame = Some(Frame {
            name: name.unwrap_or_default(),
            body,
            escape,
        });
        let returns_to = returns_to.map(|ctx| self.fate(ctx));
        let named = frame.as_ref().filter(|f| !f.name.is_empty()).and_then(|f| {
            let info = self.scope.function(&f.name, body.start)?;
            Some((
                f.name.clone(),
                info.params.iter().flatten().cloned().collect(),
            ))
        });
        let pushed = named.is_some();
        self.named.extend(named);
        let params = std::mem::take(&mut self.pending_params);
        self.frames.push(FrameState {
            frame,
            in_try: false,
            returns_to,
            params,
            guards: Vec::new(),
        });
        walk(self);
        self.frames.pop();
        if pushed {
            self.named.pop();
        }
    }

    /// The project function a call's callee may name: a function of this
    /// file or an imported binding.
    fn callee_ref(&self, call: &CallExpr) -> Option<CallRef> {
        let Callee::Expr(callee) = &call.callee else {
            return None;
        };
        let Expr::Ident(id) = unwrap(callee) else {
            return None;
        };
        self.ident_ref(id)
    }

    fn value_ref(&mut self, id: &Ident) {
        self.value_ref_to(id, Escape::Always);
    }

    fn value_ref_to(&mut self, id: &Ident, escape: Escape) {
        if self.exporting {
            return;
        }
        if let Some(r) = self.binding_ref(id) {
            let entry = (r, escape);
            if !self.value_seen.contains(&entry) {
                self.value_seen.insert(entry.clone());
                self.value_refs.push(entry);
            }
        }
    }

    /// Any binding an identifier names: an import, or a declaration of this
    /// file (functions and objects alike).
    fn binding_ref(&self, id: &Ident) -> Option<CallRef> {
        let pos = self.scope.span(id.span).start;
        if let Some(r) = self.scope.import_ref(&id.sym, pos) {
            return Some(CallRef::Imported(r));
        }
        self.scope
            .lookup(&id.sym, pos)
            .map(|_| CallRef::Local(id.sym.as_str().to_owned()))
    }

    fn ident_ref(&self, id: &Ident) -> Option<CallRef> {
        let pos = self.scope.span(id.span).start;
        if let Some(r) = self.scope.import_ref(&id.sym, pos) {
            return Some(CallRef::Imported(r));
        }
        self.scope
            .function(&id.sym, pos)
            .map(|_| CallRef::Local(id.sym.as_str().to_owned()))
    }

    fn target(&self, call: &CallExpr) -> Option<FlowTarget> {
        let span = self.scope.span(call.span);
        if self.sends.contains(&span) {
            return Some(FlowTarget::Send(span));
        }
        let Callee::Expr(callee) = &call.callee else {
            return None;
        };
        match unwrap(callee) {
            Expr::Ident(id) => {
                let pos = self.scope.span(id.span).start;
                if let Some(r) = self.scope.import_ref(&id.sym, pos) {
                    Some(FlowTarget::Function(CallRef::Imported(r)))
                } else {
                    self.scope
                        .function(&id.sym, pos)
                        .map(|_| FlowTarget::Function(CallRef::Local(id.sym.as_str().to_owned())))
                }
            }
            _ => None,
        }
    }

    fn call(&mut self, c: &CallExpr, ctx: Ctx) {
        // A wrapper calling the handler it was given.
        if let (Callee::Expr(callee), Some((name, params))) = (&c.callee, self.named.last()) {
            if let Expr::Ident(id) = unwrap(callee) {
                if params.iter().any(|p| *p == *id.sym) {
                    let in_try = self.frame().in_try;
                    self.param_calls.push((name.clone(), in_try));
                }
            }
        }
        if let Some(target) = self.target(c) {
            let callee = match &c.callee {
                Callee::Expr(e) => self.scope.span(super::fold::e_span(e)),
                _ => self.scope.span(c.span),
            };
            let (fate, frame) = self.fate(ctx);
            let args = match target {
                FlowTarget::Function(_) => arg_shapes(&c.args),
                FlowTarget::Send(_) => None,
            };
            self.out.push(FlowCall {
                callee,
                span: self.scope.span(c.span),
                target,
                fate,
                frame,
                // A callback's guards are on its own parameters, not on
                // those of the function its promise is charged to.
                guard: match &self.frame().returns_to {
                    None => self.frame().guards.last().cloned(),
                    Some(_) => None,
                },
                args,
            });
        }
        let Callee::Expr(callee) = &c.callee else {
            self.args(c, Ctx::Unknown);
            return;
        };
        match unwrap(callee) {
            Expr::Member(m) => {
                if let Expr::Ident(obj) = unwrap(&m.obj) {
                    if let Some(r) = self.binding_ref(obj) {
                        self.member_calls.push(r);
                    }
                }
                let method = member_name(&m.prop).unwrap_or_default();
                let promise_global =
                    matches!(unwrap(&m.obj), Expr::Ident(i) if &*i.sym == "Promise");
                match method.as_str() {
                    "catch" => {
                        self.expr_with(&m.obj, Ctx::Handled);
                        self.args(c, Ctx::Unknown);
                    }
                    "then" => {
                        let obj_ctx = if c.args.len() >= 2 { Ctx::Handled } else { ctx };
                        self.expr_with(&m.obj, obj_ctx);
                        self.args(c, Ctx::Unknown);
                    }
                    "finally" => {
                        self.expr_with(&m.obj, ctx);
                        self.args(c, Ctx::Unknown);
                    }
                    "all" | "race" | "any" if promise_global => self.args(c, ctx),
                    "allSettled" if promise_global => {
                        let inner = if matches!(ctx, Ctx::Floating | Ctx::Voided) {
                            ctx
                        } else {
                            Ctx::Handled
                        };
                        self.args(c, inner);
                    }
                    "waitUntil" => {
                        self.expr_with(&m.obj, Ctx::Unknown);
                        self.args(c, Ctx::KeptAlive);
                    }
                    // The callback's promises become the array's elements.
                    "map" | "flatMap" => {
                        self.expr_with(&m.obj, Ctx::Unknown);
                        self.callbacks(c, Some(ctx));
                    }
                    // The callback's promises are dropped.
                    "forEach" => {
                        self.expr_with(&m.obj, Ctx::Unknown);
                        self.callbacks(c, Some(Ctx::Floating));
                    }
                    other => {
                        self.expr_with(&m.obj, Ctx::Unknown);
                        match procedure_framework(other) {
                            Some(package) => {
                                self.callbacks_escaping(c, None, Escape::Procedure(package))
                            }
                            None => self.callbacks(c, None),
                        }
                    }
                }
            }
            Expr::Ident(id) if matches!(&*id.sym, "waitUntil" | "after") => {
                self.args(c, Ctx::KeptAlive)
            }
            // An async IIFE: its promise goes where the call's goes.
            Expr::Arrow(_) | Expr::Fn(_) => {
                self.function_expr(unwrap(callee), None, Some(ctx));
                self.args(c, Ctx::Unknown);
            }
            // A call by name is no value use of the function.
            Expr::Ident(_) => self.callbacks(c, None),
            other => {
                self.expr_with(other, Ctx::Unknown);
                self.callbacks(c, None);
            }
        }
    }

    fn args(&mut self, c: &CallExpr, ctx: Ctx) {
        for a in &c.args {
            self.expr_with(&a.expr, ctx);
        }
    }

    /// Arguments of a call, where function arguments are callbacks whose
    /// promise goes to `returns_to` (`None`: not followed). A callback (or
    /// an object of methods) handed to a project function escapes to it.
    fn callbacks(&mut self, c: &CallExpr, returns_to: Option<Ctx>) {
        let escape = match self.callee_ref(c) {
            Some(r) if returns_to.is_none() => Escape::Via(r),
            _ => Escape::No,
        };
        self.callbacks_escaping(c, returns_to, escape);
    }

    /// Arguments of a call, where function arguments are callbacks that
    /// escape to `escape`.
    fn callbacks_escaping(&mut self, c: &CallExpr, returns_to: Option<Ctx>, escape: Escape) {
        for a in &c.args {
            match unwrap(&a.expr) {
                e @ (Expr::Arrow(_) | Expr::Fn(_)) => {
                    self.function_expr_escaping(e, None, returns_to, escape.clone())
                }
                Expr::Object(o) => {
                    let outer = std::mem::replace(&mut self.member_escape, escape.clone());
                    self.object(o);
                    self.member_escape = outer;
                }
                // A function handed over by name: to a project function it
                // escapes like a callback; to a library it does not.
                Expr::Ident(id) => {
                    if escape != Escape::No {
                        self.value_ref_to(id, escape.clone());
                    }
                }
                other => self.expr_with(other, Ctx::Unknown),
            }
        }
    }

    /// An object literal: its function-valued properties and methods are
    /// called through the object.
    fn object(&mut self, o: &ObjectLit) {
        let escape = self.member_escape.clone();
        // Objects nested inside are the same object's (`options.events.x`).
        let outer = self.member_escape.clone();
        for p in &o.props {
            match p {
                PropOrSpread::Prop(p) => match &**p {
                    Prop::KeyValue(kv) => match unwrap(&kv.value) {
                        e @ (Expr::Arrow(_) | Expr::Fn(_)) => {
                            self.function_expr_escaping(e, None, None, escape.clone())
                        }
                        Expr::Object(inner) => self.object(inner),
                        other => self.expr_with(other, Ctx::Unknown),
                    },
                    Prop::Method(m) => {
                        let body = self.scope.span(m.function.span);
                        self.function_body(None, body, None, escape.clone(), |s| {
                            if let Some(b) = &m.function.body {
                                for st in &b.stmts {
                                    st.visit_with(s);
                                }
                            }
                        });
                    }
                    Prop::Shorthand(id) => self.value_ref(id),
                    other => other.visit_children_with(self),
                },
                PropOrSpread::Spread(sp) => self.expr_with(&sp.expr, Ctx::Unknown),
            }
        }
        self.member_escape = outer;
    }

    fn function_expr(&mut self, e: &Expr, name: Option<String>, returns_to: Option<Ctx>) {
        self.function_expr_escaping(e, name, returns_to, Escape::No)
    }

    fn function_expr_escaping(
        &mut self,
        e: &Expr,
        name: Option<String>,
        returns_to: Option<Ctx>,
        escape: Escape,
    ) {
        match e {
            Expr::Arrow(a) => {
                self.pending_params = param_shapes(a.params.iter());
                let body = self.scope.span(a.span);
                self.function_body(name, body, returns_to, escape, |s| match &*a.body {
                    ArrowFunctionBody::Expr(x) => s.expr_with(x, Ctx::Returned),
                    ArrowFunctionBody::FunctionBody(b) => {
                        for st in &b.stmts {
                            st.visit_with(s);
                        }
                    }
                });
            }
            Expr::Fn(f) => {
                self.pending_params = param_shapes(f.function.params.iter().map(|p| &p.pat));
                let body = self.scope.span(f.function.span);
                let name = name.or_else(|| f.ident.as_ref().map(|i| i.sym.as_str().to_owned()));
                self.function_body(name, body, returns_to, escape, |s| {
                    if let Some(b) = &f.function.body {
                        for st in &b.stmts {
                            st.visit_with(s);
                        }
                    }
                });
            }
            _ => {}
        }
    }
}

fn to_fate(ctx: Ctx) -> Fate {
    match ctx {
        Ctx::Awaited => Fate::Awaited,
        Ctx::Returned => Fate::Returned,
        Ctx::Handled => Fate::Handled,
        Ctx::Floating => Fate::Floating,
        Ctx::Voided => Fate::Voided,
        Ctx::KeptAlive => Fate::KeptAlive,
        Ctx::Unknown => Fate::Unknown,
    }
}

impl Visit for Flow<'_> {
    skip_types!();
    fn visit_expr(&mut self, e: &Expr) {
        let ctx = std::mem::replace(&mut self.ctx, Ctx::Unknown);
        match e {
            Expr::Call(c) => self.call(c, ctx),
            Expr::Await(a) => {
                // `await x` hands x's rejection to the function; the await
                // expression's own context does not change that.
                self.expr_with(&a.arg, Ctx::Awaited)
            }
            Expr::Paren(p) => self.expr_with(&p.expr, ctx),
            Expr::TsAs(x) => self.expr_with(&x.expr, ctx),
            Expr::TsNonNull(x) => self.expr_with(&x.expr, ctx),
            Expr::TsSatisfies(x) => self.expr_with(&x.expr, ctx),
            Expr::TsTypeAssertion(x) => self.expr_with(&x.expr, ctx),
            Expr::Bin(b)
                if matches!(
                    b.op,
                    BinaryOp::LogicalAnd | BinaryOp::LogicalOr | BinaryOp::NullishCoalescing
                ) =>
            {
                self.expr_with(&b.left, Ctx::Unknown);
                self.expr_with(&b.right, ctx);
            }
            Expr::Cond(c) => {
                self.expr_with(&c.test, Ctx::Unknown);
                self.expr_with(&c.cons, ctx);
                self.expr_with(&c.alt, ctx);
            }
            Expr::Seq(s) => {
                let last = s.exprs.len().saturating_sub(1);
                for (i, x) in s.exprs.iter().enumerate() {
                    self.expr_with(x, if i == last { ctx } else { Ctx::Floating });
                }
            }
            Expr::Unary(u) if u.op == UnaryOp::Void => self.expr_with(&u.arg, Ctx::Voided),
            Expr::Array(a) => {
                for el in a.elems.iter().flatten() {
                    self.expr_with(&el.expr, ctx);
                }
            }
            Expr::Arrow(_) | Expr::Fn(_) => {
                let name = self.pending_name.take();
                self.function_expr(e, name, None);
            }
            Expr::Object(o) => {
                self.pending_name = None;
                let escape = match self.pending_object.take() {
                    Some(name) => Escape::Object(name),
                    // `export default { fetch }`: the runtime calls it.
                    None if self.exporting => Escape::No,
                    None => Escape::Always,
                };
                let outer = std::mem::replace(&mut self.member_escape, escape);
                self.object(o);
                self.member_escape = outer;
            }
            // A function used as a value: stored, passed or assigned.
            Expr::Ident(id) => self.value_ref(id),
            _ => {
                self.pending_name = None;
                e.visit_children_with(self);
            }
        }
    }

    fn visit_jsx_attr(&mut self, n: &JSXAttr) {
        // `onClick={subscribe}`: React calls it and handles nothing; a
        // function written in place is walked as usual.
        if let Some(JSXAttrValue::JSXExprContainer(c)) = &n.value {
            if let JSXExpr::Expr(e) = &c.expr {
                if matches!(unwrap(e), Expr::Ident(_)) {
                    return;
                }
            }
        }
        n.visit_children_with(self);
    }

    fn visit_export_default_expr(&mut self, n: &ExportDefaultExpr) {
        let outer = std::mem::replace(&mut self.exporting, true);
        self.expr_with(&n.expr, Ctx::Unknown);
        self.exporting = outer;
    }

    fn visit_assign_expr(&mut self, n: &AssignExpr) {
        // `module.exports = { f }` and `exports.f = f` export, like `export`.
        let exports = match &n.left {
            AssignTarget::Simple(SimpleAssignTarget::Member(m)) => {
                matches!(unwrap(&m.obj), Expr::Ident(i) if &*i.sym == "exports" || &*i.sym == "module")
            }
            _ => false,
        };
        let outer = self.exporting;
        self.exporting |= exports;
        n.left.visit_with(self);
        self.expr_with(&n.right, Ctx::Unknown);
        self.exporting = outer;
    }

    fn visit_expr_stmt(&mut self, n: &ExprStmt) {
        self.expr_with(&n.expr, Ctx::Floating);
    }

    fn visit_return_stmt(&mut self, n: &ReturnStmt) {
        if let Some(arg) = &n.arg {
            self.expr_with(arg, Ctx::Returned);
        }
    }

    fn visit_var_declarator(&mut self, n: &VarDeclarator) {
        if let Some(init) = &n.init {
            if let Pat::Ident(b) = &n.name {
                match unwrap(init) {
                    Expr::Arrow(_) | Expr::Fn(_) => {
                        self.pending_name = Some(b.id.sym.as_str().to_owned())
                    }
                    Expr::Object(_) => self.pending_object = Some(b.id.sym.as_str().to_owned()),
                    _ => {}
                }
            }
            self.expr_with(init, Ctx::Unknown);
        }
    }

    fn visit_fn_decl(&mut self, n: &FnDecl) {
        let Some(b) = &n.function.body else { return };
        let body = self.scope.span(n.function.span);
        self.pending_params = param_shapes(n.function.params.iter().map(|p| &p.pat));
        self.function_body(
            Some(n.ident.sym.as_str().to_owned()),
            body,
            None,
            Escape::No,
            |s| {
                for st in &b.stmts {
                    st.visit_with(s);
                }
            },
        );
    }

    fn visit_function(&mut self, n: &Function) {
        // Class methods and other functions not reached through
        // `visit_expr`: called through an instance.
        let body = self.scope.span(n.span);
        self.function_body(None, body, None, Escape::Always, |s| {
            if let Some(b) = &n.body {
                for st in &b.stmts {
                    st.visit_with(s);
                }
            }
        });
    }

    fn visit_if_stmt(&mut self, n: &IfStmt) {
        n.test.visit_with(self);
        let guard = guard_of(&n.test, &self.frame().params);
        let pushed = guard.is_some();
        if let (Some(g), Some(f)) = (guard, self.frames.last_mut()) {
            f.guards.push(g);
        }
        n.cons.visit_with(self);
        if pushed {
            if let Some(f) = self.frames.last_mut() {
                f.guards.pop();
            }
        }
        if let Some(alt) = &n.alt {
            alt.visit_with(self);
        }
    }

    fn visit_try_stmt(&mut self, n: &TryStmt) {
        let outer = self.frame().in_try;
        if n.handler.is_some() {
            if let Some(f) = self.frames.last_mut() {
                f.in_try = true;
            }
        }
        n.block.visit_with(self);
        if let Some(f) = self.frames.last_mut() {
            f.in_try = outer;
        }
        if let Some(h) = &n.handler {
            h.visit_with(self);
        }
        if let Some(fin) = &n.finalizer {
            fin.visit_with(self);
        }
    }

    fn visit_arrow_expr(&mut self, n: &ArrowExpr) {
        // Reached only through nodes other than expressions (class
        // properties, decorators): a callback nobody follows.
        let body = self.scope.span(n.span);
        self.function_body(None, body, None, Escape::Always, |s| match &*n.body {
            ArrowFunctionBody::Expr(x) => s.expr_with(x, Ctx::Returned),
            ArrowFunctionBody::FunctionBody(b) => {
                for st in &b.stmts {
                    st.visit_with(s);
                }
            }
        });
    }
}
