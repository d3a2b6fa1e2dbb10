//! What happens to the promise of each send, and of each call of a project
//! function that may send: awaited, returned, caught, collected, kept alive,
//! or dropped. The send-flow rules follow these fates across functions and
//! files.
//!
//! The walk passes each expression the context its parent gives it (an
//! `await`, a `return`, a `.catch`, an argument of `Promise.all`, …), so the
//! fate of a call is known when the call is reached.

use super::fold::{member_name, unwrap, Scope};
use super::handlers::CallRef;
use crate::diagnostic::Span;
use std::collections::HashSet;
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
}

/// Records the fate of every send and of every call of a project function.
pub fn flow(program: &Program, scope: &Scope, sends: &[Span]) -> Vec<FlowCall> {
    let mut v = Flow {
        scope,
        sends: sends.iter().copied().collect(),
        ctx: Ctx::Floating,
        frames: vec![FrameState {
            frame: None,
            in_try: false,
            returns_to: None,
        }],
        out: Vec::new(),
        pending_name: None,
    };
    program.visit_with(&mut v);
    v.out
}

struct Flow<'s> {
    scope: &'s Scope,
    sends: HashSet<Span>,
    /// The context the next expression gets from its parent.
    ctx: Ctx,
    frames: Vec<FrameState>,
    out: Vec<FlowCall>,
    /// The name the next function gets (`const f = async () => …`).
    pending_name: Option<String>,
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
        walk: impl FnOnce(&mut Self),
    ) {
        let frame = Some(Frame {
            name: name.unwrap_or_default(),
            body,
        });
        let returns_to = returns_to.map(|ctx| self.fate(ctx));
        self.frames.push(FrameState {
            frame,
            in_try: false,
            returns_to,
        });
        walk(self);
        self.frames.pop();
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
                        .map(|_| FlowTarget::Function(CallRef::Local(id.sym.to_string())))
                }
            }
            _ => None,
        }
    }

    fn call(&mut self, c: &CallExpr, ctx: Ctx) {
        if let Some(target) = self.target(c) {
            let callee = match &c.callee {
                Callee::Expr(e) => self.scope.span(super::fold::e_span(e)),
                _ => self.scope.span(c.span),
            };
            let (fate, frame) = self.fate(ctx);
            self.out.push(FlowCall {
                callee,
                span: self.scope.span(c.span),
                target,
                fate,
                frame,
            });
        }
        let Callee::Expr(callee) = &c.callee else {
            self.args(c, Ctx::Unknown);
            return;
        };
        match unwrap(callee) {
            Expr::Member(m) => {
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
                    _ => {
                        self.expr_with(&m.obj, Ctx::Unknown);
                        self.callbacks(c, None);
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
    /// promise goes to `returns_to` (`None`: not followed).
    fn callbacks(&mut self, c: &CallExpr, returns_to: Option<Ctx>) {
        for a in &c.args {
            match unwrap(&a.expr) {
                e @ (Expr::Arrow(_) | Expr::Fn(_)) => self.function_expr(e, None, returns_to),
                other => self.expr_with(other, Ctx::Unknown),
            }
        }
    }

    fn function_expr(&mut self, e: &Expr, name: Option<String>, returns_to: Option<Ctx>) {
        match e {
            Expr::Arrow(a) => {
                let body = self.scope.span(a.span);
                self.function_body(name, body, returns_to, |s| match &*a.body {
                    ArrowFunctionBody::Expr(x) => s.expr_with(x, Ctx::Returned),
                    ArrowFunctionBody::FunctionBody(b) => {
                        for st in &b.stmts {
                            st.visit_with(s);
                        }
                    }
                });
            }
            Expr::Fn(f) => {
                let body = self.scope.span(f.function.span);
                let name = name.or_else(|| f.ident.as_ref().map(|i| i.sym.to_string()));
                self.function_body(name, body, returns_to, |s| {
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
            _ => {
                self.pending_name = None;
                e.visit_children_with(self);
            }
        }
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
                if matches!(unwrap(init), Expr::Arrow(_) | Expr::Fn(_)) {
                    self.pending_name = Some(b.id.sym.to_string());
                }
            }
            self.expr_with(init, Ctx::Unknown);
        }
    }

    fn visit_fn_decl(&mut self, n: &FnDecl) {
        let Some(b) = &n.function.body else { return };
        let body = self.scope.span(n.function.span);
        self.function_body(Some(n.ident.sym.to_string()), body, None, |s| {
            for st in &b.stmts {
                st.visit_with(s);
            }
        });
    }

    fn visit_function(&mut self, n: &Function) {
        // Methods and other functions not reached through `visit_expr`.
        let body = self.scope.span(n.span);
        self.function_body(None, body, None, |s| {
            if let Some(b) = &n.body {
                for st in &b.stmts {
                    st.visit_with(s);
                }
            }
        });
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
        self.function_body(None, body, None, |s| match &*n.body {
            ArrowFunctionBody::Expr(x) => s.expr_with(x, Ctx::Returned),
            ArrowFunctionBody::FunctionBody(b) => {
                for st in &b.stmts {
                    st.visit_with(s);
                }
            }
        });
    }
}
