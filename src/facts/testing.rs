//! Test code inside any file: the callbacks handed to a test runner
//! (`test`, `it`, `describe`, their hooks and modifiers, `Deno.test`,
//! node:test's `t.test`). Code there runs under the runner, not in a
//! deployed handler, so the rules about lost publishes and skipped
//! verification do not apply to it.

use super::fold::{member_name, unwrap, Scope};
use crate::diagnostic::Span;
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

/// The names test runners (vitest, jest, bun, mocha, node:test, Deno) give
/// their blocks and hooks.
const RUNNER_CALLS: &[&str] = &[
    "test",
    "it",
    "describe",
    "suite",
    "bench",
    "beforeEach",
    "afterEach",
    "beforeAll",
    "afterAll",
    "before",
    "after",
];

/// The extents of the functions passed to test-runner calls.
pub fn test_callbacks(program: &Program, scope: &Scope) -> Vec<Span> {
    let mut v = Finder {
        scope,
        out: Vec::new(),
    };
    program.visit_with(&mut v);
    v.out
}

struct Finder<'s> {
    scope: &'s Scope<'s>,
    out: Vec<Span>,
}

/// Whether `callee` is a test-runner call: `test(...)`, `it.only(...)`,
/// `describe.skip.each(table)(...)`, `test.each(table)(...)`, `Deno.test`,
/// `t.test(...)`.
fn is_runner(callee: &Expr) -> bool {
    match unwrap(callee) {
        Expr::Ident(id) => RUNNER_CALLS.contains(&&*id.sym),
        Expr::Member(m) => {
            let prop = member_name(&m.prop);
            matches!(prop.as_deref(), Some("test" | "step")) || is_runner(&m.obj)
        }
        // `test.each(table)("name", fn)`.
        Expr::Call(c) => match &c.callee {
            Callee::Expr(inner) => is_runner(inner),
            _ => false,
        },
        _ => false,
    }
}

impl Visit for Finder<'_> {
    skip_types!();
    fn visit_call_expr(&mut self, n: &CallExpr) {
        if let Callee::Expr(callee) = &n.callee {
            if is_runner(callee) {
                for a in &n.args {
                    if matches!(unwrap(&a.expr), Expr::Arrow(_) | Expr::Fn(_)) {
                        use swc_common::Spanned;
                        self.out.push(self.scope.span(a.expr.span()));
                    }
                }
                // Blocks nest inside blocks: the outermost extent covers them.
                return;
            }
        }
        n.visit_children_with(self);
    }
}
