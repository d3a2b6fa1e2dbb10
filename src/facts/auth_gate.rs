//! Whether a handler authenticates its requests another way: a condition
//! that compares a request header with a secret from the environment
//! (`authorization !== \`Bearer ${process.env.CRON_SECRET}\``) and decides
//! whether the request goes on.
//!
//! Such a check only authenticates when nothing else in the same condition
//! lets a request through on what any caller can send: `if (validSecret ||
//! (hasSignatureHeader && userAgent.includes("upstash")))` admits anyone who
//! sets two headers. A comparison whose result decides nothing (computed and
//! never tested) authenticates nothing either.

use super::fold::{unwrap, Scope};
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

/// How deep conditions and the consts they name are followed: bounded, as
/// every walk over a file's values is.
const MAX_DEPTH: u32 = 8;

/// How many const initialisers one question follows at most.
const MAX_CONSTS: usize = 64;

/// What one condition says about authentication.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Gate {
    /// It compares a request header with a secret from the environment.
    pub secret: bool,
    /// Another operand of the same choice lets a request through on request
    /// data alone (headers' presence or values, no secret).
    pub forgeable: bool,
}

/// Judges the test of an `if` or a conditional expression.
///
/// A condition either admits (`if (ok || forged) { handle }`) or rejects
/// (`if (!ok && !forged) return 401`). Its top-level choices are the
/// operands of its `||` (admitting on any) or the negated operands (`!x`,
/// `a !== b`) of its `&&` (rejecting only when all fail): a forgeable
/// operand among them is a
/// way in without the secret. A forgeable operand that must hold together
/// with the secret (`ok && hasSignature`) is a second requirement, not a
/// way around the first.
pub fn judge(scope: &Scope, test: &Expr) -> Gate {
    let test = peel(scope, test);
    let mut gate = Gate {
        secret: is_secret_check(scope, test, 0),
        forgeable: false,
    };
    if !gate.secret {
        return gate;
    }
    let mut choices = Vec::new();
    match test {
        Expr::Bin(b) if b.op == BinaryOp::LogicalOr => {
            operands(scope, test, BinaryOp::LogicalOr, &mut choices, 0);
            gate.forgeable = choices.iter().any(|c| {
                !is_negated(c) && !is_secret_check(scope, c, 0) && is_forgeable(scope, c, 0)
            });
        }
        Expr::Bin(b) if b.op == BinaryOp::LogicalAnd => {
            operands(scope, test, BinaryOp::LogicalAnd, &mut choices, 0);
            gate.forgeable = choices.iter().any(|c| {
                is_negated(c)
                    && !is_secret_check(scope, c, 0)
                    && is_forgeable(scope, peel(scope, c), 0)
            });
        }
        _ => {}
    }
    gate
}

/// The operands of a chain of `op`, through parentheses and consts.
fn operands<'e>(scope: &'e Scope, e: &'e Expr, op: BinaryOp, out: &mut Vec<&'e Expr>, depth: u32) {
    let r = scope.resolve_const(e);
    match r {
        Expr::Bin(b) if b.op == op && depth < MAX_DEPTH => {
            operands(scope, &b.left, op, out, depth + 1);
            operands(scope, &b.right, op, out, depth + 1);
        }
        _ => out.push(unwrap(e)),
    }
}

/// Whether `e` tests that something does not hold: `!x`, `a !== b`.
fn is_negated(e: &Expr) -> bool {
    match unwrap(e) {
        Expr::Unary(u) => u.op == UnaryOp::Bang,
        Expr::Bin(b) => matches!(b.op, BinaryOp::NotEqEq | BinaryOp::NotEq),
        _ => false,
    }
}

/// `e` without the `!`s in front of it, parentheses, and the consts it
/// names: what the condition really tests.
fn peel<'e>(scope: &'e Scope, e: &'e Expr) -> &'e Expr {
    let mut e = scope.resolve_const(e);
    for _ in 0..MAX_DEPTH {
        match e {
            Expr::Unary(u) if u.op == UnaryOp::Bang => e = scope.resolve_const(&u.arg),
            _ => break,
        }
    }
    e
}

/// Whether `e` (through `!`, `&&`, `||` and consts) compares a request
/// header with a secret from the environment.
pub fn is_secret_check(scope: &Scope, e: &Expr, depth: u32) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match peel(scope, e) {
        Expr::Bin(b) if is_equality(b.op) => {
            let (l, r) = (&*b.left, &*b.right);
            (mentions_env(scope, l) && mentions_header(scope, r))
                || (mentions_env(scope, r) && mentions_header(scope, l))
        }
        Expr::Bin(b) if matches!(b.op, BinaryOp::LogicalAnd | BinaryOp::LogicalOr) => {
            is_secret_check(scope, &b.left, depth + 1)
                || is_secret_check(scope, &b.right, depth + 1)
        }
        _ => false,
    }
}

/// Whether an expression reads the environment (`process.env.CRON_SECRET`,
/// `` `Bearer ${process.env.CRON_SECRET}` ``, a const holding one).
pub fn mentions_env(scope: &Scope, e: &Expr) -> bool {
    scope
        .fold(e)
        .iter()
        .any(|c| c.parts.iter().any(|p| matches!(p, super::Part::Env(_))))
}

/// Whether an expression reads a request header: a `headers` / `header`
/// member or call, through the consts it names, or a name that says so
/// (`authHeader`, `token`, a parameter the analysis cannot follow).
pub fn mentions_header(scope: &Scope, e: &Expr) -> bool {
    struct V(bool);
    impl Visit for V {
        skip_types!();
        fn visit_ident_name(&mut self, n: &IdentName) {
            if matches!(
                &*n.sym,
                "headers" | "header" | "authorization" | "getHeader" | "getRequestHeader"
            ) {
                self.0 = true;
            }
        }
        fn visit_ident(&mut self, n: &Ident) {
            let s = n.sym.to_ascii_lowercase();
            if s.contains("auth")
                || s.contains("header")
                || s.contains("token")
                || s.contains("secret")
            {
                self.0 = true;
            }
        }
    }
    through_consts(scope, e, || V(false), |v| v.0)
}

/// Whether `found` holds of a visit of `e` or of a const initialiser it
/// names, at any depth. Each initialiser is visited once, and at most
/// [`MAX_CONSTS`] of them: a bounded, linear walk whatever the file.
fn through_consts<V: Visit>(
    scope: &Scope,
    e: &Expr,
    new: impl Fn() -> V,
    found: impl Fn(&V) -> bool,
) -> bool {
    struct Names(Vec<Ident>);
    impl Visit for Names {
        skip_types!();
        fn visit_ident(&mut self, n: &Ident) {
            self.0.push(n.clone());
        }
    }
    let mut seen: Vec<*const Expr> = Vec::new();
    let mut work: Vec<&Expr> = vec![e];
    while let Some(e) = work.pop() {
        let mut v = new();
        e.visit_with(&mut v);
        if found(&v) {
            return true;
        }
        let mut names = Names(Vec::new());
        e.visit_with(&mut names);
        for id in names.0 {
            let Some(init) = scope.const_init(&id.sym, scope.abs(id.span.lo.0)) else {
                continue;
            };
            let ptr: *const Expr = init;
            if seen.contains(&ptr) {
                continue;
            }
            if seen.len() == MAX_CONSTS {
                return false;
            }
            seen.push(ptr);
            work.push(init);
        }
    }
    false
}

/// Whether `e` holds on request data alone: it reads a request header, and
/// neither reads the environment nor awaits or calls a project function
/// (which may verify). A conjunction is forgeable when all its operands
/// are, a disjunction when any is.
fn is_forgeable(scope: &Scope, e: &Expr, depth: u32) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let e = scope.resolve_const(e);
    match e {
        Expr::Bin(b) if b.op == BinaryOp::LogicalAnd => {
            is_forgeable(scope, &b.left, depth + 1) && is_forgeable(scope, &b.right, depth + 1)
        }
        Expr::Bin(b) if b.op == BinaryOp::LogicalOr => {
            is_forgeable(scope, &b.left, depth + 1) || is_forgeable(scope, &b.right, depth + 1)
        }
        // A header compared with something that is not a literal (an
        // imported config value, a parameter) may be a secret check the
        // analysis cannot read: not a way around one.
        Expr::Bin(b) if is_equality(b.op) => {
            (scope.literal(&b.left).is_some() || scope.literal(&b.right).is_some())
                && request_only(scope, e)
        }
        _ => request_only(scope, e),
    }
}

/// Whether `e` reads a request header and nothing that could hold a
/// secret or check one.
fn request_only(scope: &Scope, e: &Expr) -> bool {
    !mentions_env(scope, e) && !decides_elsewhere(scope, e) && mentions_header(scope, e)
}

fn is_equality(op: BinaryOp) -> bool {
    matches!(
        op,
        BinaryOp::EqEqEq | BinaryOp::NotEqEq | BinaryOp::EqEq | BinaryOp::NotEq
    )
}

/// Whether `e` (through the consts it names) awaits something or calls a
/// function by name: a project function may check a signature or a secret.
/// Method calls on values (`headers.get`, `toLowerCase`, `includes`) do not.
fn decides_elsewhere(scope: &Scope, e: &Expr) -> bool {
    struct V(bool);
    impl Visit for V {
        skip_types!();
        fn visit_await_expr(&mut self, _: &AwaitExpr) {
            self.0 = true;
        }
        fn visit_call_expr(&mut self, n: &CallExpr) {
            if let Callee::Expr(c) = &n.callee {
                if matches!(unwrap(c), Expr::Ident(_)) {
                    self.0 = true;
                    return;
                }
            }
            n.visit_children_with(self);
        }
    }
    through_consts(scope, e, || V(false), |v| v.0)
}
