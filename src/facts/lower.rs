//! Rewrites of the tree before extraction, so that one spelling of a
//! construct covers the others.

use swc_common::util::take::Take;
use swc_ecma_ast::*;
use swc_ecma_visit::{VisitMut, VisitMutWith};

/// Rewrites optional chains as plain ones: `qstash?.publishJSON({...})`
/// becomes `qstash.publishJSON({...})`, `req.headers?.get(...)` becomes
/// `req.headers.get(...)`. When the call runs at all it is the same call,
/// which is all the rules ask; spans are kept, so diagnostics point at the
/// source as written.
pub fn optional_chains(program: &mut Program) {
    program.visit_mut_with(&mut Lower);
}

struct Lower;

impl VisitMut for Lower {
    fn visit_mut_expr(&mut self, e: &mut Expr) {
        e.visit_mut_children_with(self);
        let Expr::OptChain(chain) = e else {
            return;
        };
        let plain = match &mut *chain.base {
            OptChainBase::Member(m) => Expr::Member(m.take()),
            OptChainBase::Call(c) => Expr::Call(CallExpr {
                span: c.span,
                ctxt: c.ctxt,
                callee: Callee::Expr(c.callee.take()),
                args: c.args.take(),
                type_args: c.type_args.take(),
            }),
        };
        *e = plain;
    }
}
