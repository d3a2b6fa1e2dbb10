//! Syntax trees too deep to walk, and dropping them without recursion.
//!
//! Every analysis walks the tree recursively, and so does Rust's drop of it.
//! Counting brackets does not bound the depth: `a()()()…`, nested JSX,
//! `while (c) while (c) …`, `class extends class extends …` and
//! `a = a = …` nest without them. So the depth is measured on the tree, by
//! a walk that stops descending at the limit, and a tree over the limit is
//! taken apart iteratively before it is dropped.

use swc_common::DUMMY_SP;
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitMut, VisitMutWith, VisitWith};

/// Nesting (of expressions, statements, patterns, types, JSX and module
/// items) beyond this is not analysed. Real code stays far below it (a few
/// hundred at most); the analyses use a few KiB of stack per level, and run
/// on 256 MiB stacks.
pub const MAX_DEPTH: usize = 10_000;

/// Whether `program` nests deeper than `limit`.
pub fn exceeds(program: &Program, limit: usize) -> bool {
    let mut probe = Probe {
        depth: 0,
        limit,
        exceeded: false,
    };
    program.visit_with(&mut probe);
    probe.exceeded
}

struct Probe {
    depth: usize,
    limit: usize,
    exceeded: bool,
}

impl Probe {
    fn enter(&mut self, walk: impl FnOnce(&mut Self)) {
        if self.exceeded {
            return;
        }
        if self.depth >= self.limit {
            self.exceeded = true;
            return;
        }
        self.depth += 1;
        walk(self);
        self.depth -= 1;
    }
}

/// The node kinds every recursive path of the tree passes through.
macro_rules! probe {
    ($($method:ident: $ty:ty),* $(,)?) => {
        impl Visit for Probe {
            $(fn $method(&mut self, n: &$ty) {
                self.enter(|p| n.visit_children_with(p));
            })*
        }
    };
}

probe! {
    visit_expr: Expr,
    visit_stmt: Stmt,
    visit_module_item: ModuleItem,
    visit_pat: Pat,
    visit_ts_type: TsType,
    visit_ts_entity_name: TsEntityName,
    visit_ts_namespace_body: TsNamespaceBody,
    visit_jsx_element_child: JSXElementChild,
    visit_jsx_object: JSXObject,
}

/// Drops `program` without deep recursion: subtrees below a fixed depth are
/// cut out onto work lists, and each is taken apart the same way in turn,
/// so every node is visited once and the stack stays shallow.
pub fn drop_deep(mut program: Program) {
    let mut cutter = Cutter::default();
    program.visit_mut_with(&mut cutter);
    drop(program);
    while cutter.pending() {
        macro_rules! next {
            ($($list:ident),*) => {
                $(if let Some(mut n) = cutter.$list.pop() {
                    n.visit_mut_with(&mut cutter);
                    drop(n);
                    continue;
                })*
            };
        }
        next!(exprs, stmts, items, pats, types, names, bodies, children, objects);
    }
}

/// How deep the cutter walks before it cuts.
const CUT_DEPTH: usize = 256;

#[derive(Default)]
struct Cutter {
    depth: usize,
    exprs: Vec<Expr>,
    stmts: Vec<Stmt>,
    items: Vec<ModuleItem>,
    pats: Vec<Pat>,
    types: Vec<TsType>,
    names: Vec<TsEntityName>,
    bodies: Vec<TsNamespaceBody>,
    children: Vec<JSXElementChild>,
    objects: Vec<JSXObject>,
}

impl Cutter {
    fn pending(&self) -> bool {
        !(self.exprs.is_empty()
            && self.stmts.is_empty()
            && self.items.is_empty()
            && self.pats.is_empty()
            && self.types.is_empty()
            && self.names.is_empty()
            && self.bodies.is_empty()
            && self.children.is_empty()
            && self.objects.is_empty())
    }
}

fn placeholder_ident() -> Ident {
    Ident::new_no_ctxt("_".into(), DUMMY_SP)
}

macro_rules! cut {
    ($($method:ident: $ty:ty => $list:ident, $empty:expr;)*) => {
        impl VisitMut for Cutter {
            $(fn $method(&mut self, n: &mut $ty) {
                if self.depth >= CUT_DEPTH {
                    self.$list.push(std::mem::replace(n, $empty));
                    return;
                }
                self.depth += 1;
                n.visit_mut_children_with(self);
                self.depth -= 1;
            })*
        }
    };
}

cut! {
    visit_mut_expr: Expr => exprs, Expr::Invalid(Invalid { span: DUMMY_SP });
    visit_mut_stmt: Stmt => stmts, Stmt::Empty(EmptyStmt { span: DUMMY_SP });
    visit_mut_module_item: ModuleItem => items, ModuleItem::Stmt(Stmt::Empty(EmptyStmt { span: DUMMY_SP }));
    visit_mut_pat: Pat => pats, Pat::Invalid(Invalid { span: DUMMY_SP });
    visit_mut_ts_type: TsType => types, TsType::TsKeywordType(TsKeywordType {
        span: DUMMY_SP,
        kind: TsKeywordTypeKind::TsAnyKeyword,
    });
    visit_mut_ts_entity_name: TsEntityName => names, TsEntityName::Ident(placeholder_ident());
    visit_mut_ts_namespace_body: TsNamespaceBody => bodies, TsNamespaceBody::TsModuleBlock(TsModuleBlock {
        span: DUMMY_SP,
        body: Vec::new(),
    });
    visit_mut_jsx_element_child: JSXElementChild => children, JSXElementChild::JSXText(JSXText {
        span: DUMMY_SP,
        value: "".into(),
        raw: "".into(),
    });
    visit_mut_jsx_object: JSXObject => objects, JSXObject::Ident(placeholder_ident());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn parse(text: &str, file: &str) -> Program {
        crate::parse::parse(Path::new(file), text)
            .map(|p| p.program)
            .expect("parses")
    }

    #[test]
    fn deep_trees_are_measured_and_dropped_on_a_small_stack() {
        let calls = format!("a{};", "()".repeat(200_000));
        let jsx = format!("<a>{}x{}</a>;", "<b>".repeat(20_000), "</b>".repeat(20_000));
        let whiles = format!("{}x;", "while (c)\n".repeat(20_000));
        let chain = format!("{}0;", "a = ".repeat(20_000));
        // Parsed on a big stack (swc's own recursion is heavy in debug
        // builds); measured and dropped on a 16 MiB one, which a plain
        // recursive drop of these trees overflows.
        let parsed = std::thread::Builder::new()
            .stack_size(1 << 30)
            .spawn(move || {
                vec![
                    parse(&calls, "a.ts"),
                    parse(&jsx, "a.tsx"),
                    parse(&whiles, "a.js"),
                    parse(&chain, "a.js"),
                ]
            })
            .expect("thread")
            .join()
            .expect("no panic");
        std::thread::Builder::new()
            .stack_size(16 << 20)
            .spawn(move || {
                for program in parsed {
                    assert!(exceeds(&program, 1_000));
                    drop_deep(program);
                }
            })
            .expect("thread")
            .join()
            .expect("no overflow");
    }

    #[test]
    fn real_code_is_not_too_deep() {
        let p = parse(
            "export async function POST(req: Request) { if (a) { return f(g(h(1))) } }",
            "a.ts",
        );
        assert!(!exceeds(&p, 64));
        assert!(exceeds(&p, 3));
        drop_deep(p);
    }
}
