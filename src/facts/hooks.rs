//! SvelteKit's server `handle` hook (`src/hooks.server.ts`): it runs before
//! every `+server.ts` endpoint, so a hook that verifies the QStash signature
//! verifies the endpoints it covers. Which ones depends on the paths it
//! checks before verifying:
//!
//! ```ts
//! if (event.url.pathname.startsWith("/api/qstash")) { await verify(...) }
//! if (!event.url.pathname.startsWith("/api/qstash")) return resolve(event);
//! ```
//!
//! This module records every call the hook makes with the path prefixes
//! that must hold for it to run; the project link decides which calls
//! verify. A condition it cannot read restricts nothing (the call might run
//! on any path), so an endpoint the hook might cover is never flagged.

use super::fold::{member_callee, member_name, unwrap, Binding, BodyRef, Scope};
use super::handlers::{callee_ref, CallRef};
use crate::diagnostic::Span;
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

/// The calls a `handle` hook makes, each with the path prefixes it runs
/// under.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HandleHook {
    /// Every call in the functions `handle` runs (its own body, or each
    /// part of `sequence(a, b)`).
    pub calls: Vec<HookCall>,
}

/// One call inside the hook.
#[derive(Debug, Clone, PartialEq)]
pub struct HookCall {
    /// The call expression.
    pub span: Span,
    /// The project function it calls, if it names one.
    pub callee: Option<CallRef>,
    /// Path prefix sets that all hold when it runs: the path starts with
    /// one prefix of each set. Empty: any path.
    pub guards: Vec<Vec<String>>,
    /// Prefixes the path does not start with when it runs.
    pub excluded: Vec<String>,
}

impl HandleHook {
    /// Whether `call` may run for a request to a route whose path starts
    /// with the literal `known` text (followed by parameters when `open`).
    pub fn admits(call: &HookCall, known: &str, open: bool) -> bool {
        let excluded = call.excluded.iter().any(|p| known.starts_with(p.as_str()));
        !excluded && Self::within(&call.guards, known, open)
    }

    fn within(guards: &[Vec<String>], known: &str, open: bool) -> bool {
        guards.iter().all(|set| {
            set.iter().any(|p| {
                known.starts_with(p.as_str())
                    // A parameter may complete the prefix.
                    || (open && p.starts_with(&format!("{}/", known.trim_end_matches('/'))))
            })
        })
    }
}

/// The exported `handle` hook of a module, if it has one whose functions
/// can be seen.
pub fn handle_hook(program: &Program, scope: &Scope) -> Option<HandleHook> {
    let Program::Module(m) = program else {
        return None;
    };
    let mut hook = HandleHook::default();
    let mut found = false;
    for item in &m.body {
        let ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(ed)) = item else {
            continue;
        };
        match &ed.decl {
            Decl::Fn(f) if &*f.ident.sym == "handle" => {
                if let Some(b) = &f.function.body {
                    found = true;
                    walk(scope, &b.stmts, &mut hook);
                }
            }
            Decl::Var(v) => {
                for d in &v.decls {
                    if let (Pat::Ident(b), Some(init)) = (&d.name, &d.init) {
                        if &*b.id.sym == "handle" {
                            found |= hook_parts(scope, init, &mut hook, 0);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    found.then_some(hook)
}

/// Walks the functions a hook expression runs; whether it saw one.
fn hook_parts(scope: &Scope, e: &Expr, hook: &mut HandleHook, depth: u32) -> bool {
    if depth > 8 {
        return false;
    }
    match unwrap(e) {
        Expr::Arrow(a) => {
            match &*a.body {
                ArrowFunctionBody::FunctionBody(b) => walk(scope, &b.stmts, hook),
                ArrowFunctionBody::Expr(x) => walk_expr(scope, x, hook),
            }
            true
        }
        Expr::Fn(f) => f.function.body.as_ref().is_some_and(|b| {
            walk(scope, &b.stmts, hook);
            true
        }),
        Expr::Ident(id) => {
            let Some(decl) = scope.lookup(&id.sym, scope.span(id.span).start) else {
                return false;
            };
            match &decl.binding {
                Binding::Func(info) => {
                    match info.body.view() {
                        BodyRef::Block(stmts) => walk(scope, stmts, hook),
                        BodyRef::Expr(x) => walk_expr(scope, x, hook),
                    }
                    true
                }
                Binding::Var { init, .. } => hook_parts(scope, init, hook, depth + 1),
                _ => false,
            }
        }
        // `sequence(a, b)` from `@sveltejs/kit/hooks`: each part runs.
        Expr::Call(c) if is_sequence(scope, c) => {
            let mut any = false;
            for a in &c.args {
                any |= hook_parts(scope, &a.expr, hook, depth + 1);
            }
            any
        }
        _ => false,
    }
}

fn is_sequence(scope: &Scope, c: &CallExpr) -> bool {
    let Callee::Expr(callee) = &c.callee else {
        return false;
    };
    let Expr::Ident(id) = unwrap(callee) else {
        return false;
    };
    scope
        .import(&id.sym, scope.span(id.span).start)
        .is_some_and(|imp| {
            imp.module == "@sveltejs/kit/hooks"
                && matches!(&imp.imported, super::Imported::Named(n) if n == "sequence")
        })
}

fn walk(scope: &Scope, stmts: &[Stmt], hook: &mut HandleHook) {
    let mut v = Walker {
        scope,
        hook,
        guards: Vec::new(),
        excluded: Vec::new(),
    };
    v.block(stmts);
}

fn walk_expr(scope: &Scope, e: &Expr, hook: &mut HandleHook) {
    let mut v = Walker {
        scope,
        hook,
        guards: Vec::new(),
        excluded: Vec::new(),
    };
    e.visit_with(&mut v);
}

/// What a condition says about the request path.
#[derive(Debug, Clone, PartialEq)]
enum PathCond {
    /// True only for paths with one of these prefixes.
    Within(Vec<String>),
    /// True only for paths with none of these prefixes.
    Outside(Vec<String>),
    /// Anything else.
    Unknown,
}

impl PathCond {
    fn not(self) -> PathCond {
        match self {
            PathCond::Within(p) => PathCond::Outside(p),
            PathCond::Outside(p) => PathCond::Within(p),
            PathCond::Unknown => PathCond::Unknown,
        }
    }
}

struct Walker<'s, 'h> {
    scope: &'s Scope<'s>,
    hook: &'h mut HandleHook,
    guards: Vec<Vec<String>>,
    excluded: Vec<String>,
}

impl Walker<'_, '_> {
    /// A statement list: an early `if (!inside) return …` restricts the
    /// statements after it.
    fn block(&mut self, stmts: &[Stmt]) {
        let depth = (self.guards.len(), self.excluded.len());
        for s in stmts {
            s.visit_with(self);
            if let Stmt::If(i) = s {
                if i.alt.is_none() && always_exits(&i.cons) {
                    // What follows runs where the condition is false.
                    self.restrict(self.cond(&i.test).not());
                }
            }
        }
        self.unwind(depth);
    }

    /// Code that runs only where `cond` holds.
    fn restrict(&mut self, cond: PathCond) {
        match cond {
            PathCond::Within(p) => self.guards.push(p),
            PathCond::Outside(p) => self.excluded.extend(p),
            PathCond::Unknown => {}
        }
    }

    fn unwind(&mut self, (guards, excluded): (usize, usize)) {
        self.guards.truncate(guards);
        self.excluded.truncate(excluded);
    }

    fn cond(&self, e: &Expr) -> PathCond {
        match unwrap(e) {
            Expr::Unary(u) if u.op == UnaryOp::Bang => self.cond(&u.arg).not(),
            Expr::Bin(b) => match b.op {
                BinaryOp::LogicalOr => match (self.cond(&b.left), self.cond(&b.right)) {
                    (PathCond::Within(mut a), PathCond::Within(c)) => {
                        a.extend(c);
                        PathCond::Within(a)
                    }
                    _ => PathCond::Unknown,
                },
                BinaryOp::LogicalAnd => match (self.cond(&b.left), self.cond(&b.right)) {
                    // Narrower than either side: still within.
                    (PathCond::Within(a), _) | (_, PathCond::Within(a)) => PathCond::Within(a),
                    (PathCond::Outside(mut a), PathCond::Outside(c)) => {
                        a.extend(c);
                        PathCond::Outside(a)
                    }
                    _ => PathCond::Unknown,
                },
                BinaryOp::EqEqEq | BinaryOp::EqEq | BinaryOp::NotEqEq | BinaryOp::NotEq => {
                    let lit = if is_path(&b.left) {
                        self.path_literal(&b.right)
                    } else if is_path(&b.right) {
                        self.path_literal(&b.left)
                    } else {
                        None
                    };
                    // An exact path, read as a prefix: it may only cover more.
                    match (lit, matches!(b.op, BinaryOp::EqEqEq | BinaryOp::EqEq)) {
                        (Some(p), true) => PathCond::Within(vec![p]),
                        (Some(p), false) => PathCond::Outside(vec![p]),
                        (None, _) => PathCond::Unknown,
                    }
                }
                _ => PathCond::Unknown,
            },
            Expr::Call(c) => {
                let Some(m) = member_callee(c) else {
                    return PathCond::Unknown;
                };
                let prefix = c.args.first().and_then(|a| self.path_literal(&a.expr));
                match (member_name(&m.prop).as_deref(), prefix) {
                    (Some("startsWith"), Some(p)) if is_path(&m.obj) => PathCond::Within(vec![p]),
                    _ => PathCond::Unknown,
                }
            }
            _ => PathCond::Unknown,
        }
    }

    fn path_literal(&self, e: &Expr) -> Option<String> {
        match self.scope.literal(e) {
            Some(super::Literal::Str(p)) if p.starts_with('/') => Some(p),
            _ => None,
        }
    }
}

/// `event.url.pathname`, `url.pathname`, or a variable named `pathname` /
/// `path`.
fn is_path(e: &Expr) -> bool {
    match unwrap(e) {
        Expr::Member(m) => member_name(&m.prop).as_deref() == Some("pathname"),
        Expr::Ident(i) => matches!(&*i.sym, "pathname" | "path"),
        _ => false,
    }
}

/// Whether a statement always leaves the function (return or throw).
fn always_exits(s: &Stmt) -> bool {
    match s {
        Stmt::Return(_) | Stmt::Throw(_) => true,
        Stmt::Block(b) => b.stmts.last().is_some_and(always_exits),
        _ => false,
    }
}

impl Visit for Walker<'_, '_> {
    skip_types!();
    fn visit_if_stmt(&mut self, n: &IfStmt) {
        n.test.visit_with(self);
        let cond = self.cond(&n.test);
        let depth = (self.guards.len(), self.excluded.len());
        self.restrict(cond.clone());
        self.branch(&n.cons);
        self.unwind(depth);
        if let Some(alt) = &n.alt {
            self.restrict(cond.not());
            self.branch(alt);
            self.unwind(depth);
        }
    }

    fn visit_block_stmt(&mut self, n: &BlockStmt) {
        self.block(&n.stmts);
    }

    fn visit_call_expr(&mut self, n: &CallExpr) {
        use swc_common::Spanned;
        let callee = match &n.callee {
            Callee::Expr(c) => callee_ref(self.scope, c),
            _ => None,
        };
        self.hook.calls.push(HookCall {
            span: self.scope.span(n.span()),
            callee,
            guards: self.guards.clone(),
            excluded: self.excluded.clone(),
        });
        n.visit_children_with(self);
    }

    // Nested functions run when something calls them: their calls are
    // still the hook's, under the conditions around their definition.
}

impl Walker<'_, '_> {
    fn branch(&mut self, s: &Stmt) {
        match s {
            Stmt::Block(b) => self.block(&b.stmts),
            other => other.visit_with(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(sets: &[&[&str]], excluded: &[&str]) -> HookCall {
        HookCall {
            span: Span::default(),
            callee: None,
            guards: sets
                .iter()
                .map(|s| s.iter().map(|p| p.to_string()).collect())
                .collect(),
            excluded: excluded.iter().map(|p| p.to_string()).collect(),
        }
    }

    #[test]
    fn admits() {
        let g = |sets: &[&[&str]]| call(sets, &[]);
        assert!(HandleHook::admits(&g(&[]), "/anything", false));
        let q = g(&[&["/api/qstash"]]);
        assert!(HandleHook::admits(&q, "/api/qstash", false));
        assert!(HandleHook::admits(&q, "/api/qstash/jobs", false));
        assert!(!HandleHook::admits(&q, "/api/other", false));
        assert!(!HandleHook::admits(&q, "/api", false));
        // `/api/[name]` may be `/api/qstash`.
        assert!(HandleHook::admits(&q, "/api", true));
        assert!(!HandleHook::admits(&q, "/other", true));
        let both = g(&[&["/api/"], &["/api/qstash/"]]);
        assert!(HandleHook::admits(&both, "/api/qstash/x", false));
        assert!(!HandleHook::admits(&both, "/api/x", false));
        let either = g(&[&["/a/", "/b/"]]);
        assert!(HandleHook::admits(&either, "/b/x", false));
        let outside = call(&[], &["/public"]);
        assert!(HandleHook::admits(&outside, "/jobs/x", false));
        assert!(!HandleHook::admits(&outside, "/public/x", false));
        // `/[x]` may or may not be under `/public`.
        assert!(HandleHook::admits(&outside, "/", true));
    }
}
