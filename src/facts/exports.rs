//! A module's exports, with what is known of each exported binding: its
//! folded value, the QStash instance it is, the client a function returns.
//! ESM (`export const`, `export { a as b }`, `export * from`, `export
//! default`) and CommonJS (`module.exports = {…}`, `exports.x = …`).

use super::fold::{member_name, prop_name, returns_of, unwrap, Binding, Kind, Scope};
use super::{Export, ExportTarget, ExportValue, Literal, QstashClass};
use crate::facts::extract::is_dev_server_url;
use swc_ecma_ast::*;

/// The exports of `program`.
pub fn exports(program: &Program, scope: &Scope) -> Vec<Export> {
    let mut out = Vec::new();
    let items: Vec<&ModuleItem> = match program {
        Program::Module(m) => m.body.iter().collect(),
        Program::Script(_) => Vec::new(),
    };
    for item in items {
        match item {
            ModuleItem::ModuleDecl(decl) => module_decl(decl, scope, &mut out),
            ModuleItem::Stmt(stmt) => commonjs(stmt, scope, &mut out),
        }
    }
    if let Program::Script(s) = program {
        for stmt in &s.body {
            commonjs(stmt, scope, &mut out);
        }
    }
    out
}

fn module_decl(decl: &ModuleDecl, scope: &Scope, out: &mut Vec<Export>) {
    match decl {
        ModuleDecl::ExportDecl(ed) => match &ed.decl {
            Decl::Var(v) => {
                for d in &v.decls {
                    if let Pat::Ident(b) = &d.name {
                        let pos = scope.span(b.id.span).start;
                        out.push(local(scope, &b.id.sym, pos));
                    }
                }
            }
            Decl::Fn(f) => {
                let pos = scope.span(f.ident.span).start;
                out.push(local(scope, &f.ident.sym, pos));
            }
            Decl::Class(c) => out.push(Export {
                name: c.ident.sym.as_str().to_owned(),
                target: ExportTarget::Local(ExportValue::default()),
                local: Some(c.ident.sym.as_str().to_owned()),
            }),
            _ => {}
        },
        ModuleDecl::ExportNamed(ne) => {
            for spec in &ne.specifiers {
                let ExportSpecifier::Named(n) = spec else {
                    continue;
                };
                let orig = export_name(&n.orig);
                let name = n
                    .exported
                    .as_ref()
                    .map_or_else(|| orig.clone(), export_name);
                match &ne.src {
                    Some(src) => out.push(Export {
                        name,
                        target: ExportTarget::ReExport(super::ImportRef {
                            specifier: super::fold::atom_str(&src.value),
                            name: orig,
                        }),
                        local: None,
                    }),
                    None => {
                        let pos = scope.span(ne.span).start;
                        let mut e = local(scope, &orig, pos);
                        e.name = name;
                        e.local = Some(orig.clone());
                        out.push(e);
                    }
                }
            }
        }
        ModuleDecl::ExportDefaultDecl(d) => {
            let default_name = match &d.decl {
                DefaultDecl::Fn(f) => f.ident.as_ref().map(|i| i.sym.as_str().to_owned()),
                DefaultDecl::Class(c) => c.ident.as_ref().map(|i| i.sym.as_str().to_owned()),
                _ => None,
            };
            let value = match &d.decl {
                DefaultDecl::Fn(f) => super::fold::function_info(&f.function)
                    .map(|info| ExportValue {
                        returns: returns_class(scope, &info),
                        ..ExportValue::default()
                    })
                    .unwrap_or_default(),
                _ => ExportValue::default(),
            };
            out.push(Export {
                name: "default".into(),
                target: ExportTarget::Local(value),
                local: default_name,
            });
        }
        ModuleDecl::ExportDefaultExpr(e) => {
            out.push(Export {
                name: "default".into(),
                target: expr_target(scope, &e.expr),
                local: expr_local(&e.expr),
            });
        }
        ModuleDecl::ExportAll(ea) => out.push(Export {
            name: "*".into(),
            target: ExportTarget::Star(super::fold::atom_str(&ea.src.value)),
            local: None,
        }),
        _ => {}
    }
}

/// `module.exports = { a, b: c }`, `module.exports = x`, `exports.x = …`,
/// `module.exports.x = …`.
fn commonjs(stmt: &Stmt, scope: &Scope, out: &mut Vec<Export>) {
    let Stmt::Expr(ExprStmt { expr, .. }) = stmt else {
        return;
    };
    let Expr::Assign(a) = unwrap(expr) else {
        return;
    };
    let AssignTarget::Simple(SimpleAssignTarget::Member(m)) = &a.left else {
        return;
    };
    let obj = unwrap(&m.obj);
    let prop = member_name(&m.prop);
    let is_module = |e: &Expr| matches!(e, Expr::Ident(i) if &*i.sym == "module");
    let is_exports = |e: &Expr| match e {
        Expr::Ident(i) => &*i.sym == "exports",
        Expr::Member(inner) => {
            is_module(unwrap(&inner.obj)) && member_name(&inner.prop).as_deref() == Some("exports")
        }
        _ => false,
    };
    if is_module(obj) && prop.as_deref() == Some("exports") {
        if let Expr::Object(o) = unwrap(&a.right) {
            for p in &o.props {
                let PropOrSpread::Prop(p) = p else { continue };
                match &**p {
                    Prop::Shorthand(id) => {
                        let pos = scope.span(id.span).start;
                        out.push(local(scope, &id.sym, pos));
                    }
                    Prop::KeyValue(kv) => {
                        if let Some(name) = prop_name(&kv.key) {
                            out.push(Export {
                                name,
                                target: expr_target(scope, &kv.value),
                                local: expr_local(&kv.value),
                            });
                        }
                    }
                    _ => {}
                }
            }
        } else {
            out.push(Export {
                name: "default".into(),
                target: expr_target(scope, &a.right),
                local: expr_local(&a.right),
            });
        }
    } else if is_exports(obj) {
        if let Some(name) = prop {
            out.push(Export {
                name,
                target: expr_target(scope, &a.right),
                local: expr_local(&a.right),
            });
        }
    }
}

/// The local name an exported expression refers to (`module.exports = { run }`,
/// `export default handler`).
fn expr_local(e: &Expr) -> Option<String> {
    match unwrap(e) {
        Expr::Ident(i) => Some(i.sym.as_str().to_owned()),
        Expr::Fn(f) => f.ident.as_ref().map(|i| i.sym.as_str().to_owned()),
        _ => None,
    }
}

/// The name an `export { a as b }` specifier exports (`b`, else `a`).
pub fn exported_name(n: &ExportNamedSpecifier) -> String {
    n.exported
        .as_ref()
        .map_or_else(|| export_name(&n.orig), export_name)
}

/// The text of a module export name (identifier or string).
pub fn export_name(n: &ModuleExportName) -> String {
    match n {
        ModuleExportName::Ident(i) => i.sym.as_str().to_owned(),
        ModuleExportName::Str(s) => super::fold::atom_str(&s.value),
    }
}

/// The export of local binding `name` (seen at `pos`).
fn local(scope: &Scope, name: &str, pos: u32) -> Export {
    let target = if let Some(r) = scope.import_ref(name, pos) {
        ExportTarget::ReExport(r)
    } else {
        match scope.lookup(name, pos).map(|d| &d.binding) {
            Some(Binding::Var { init, func, .. }) => {
                let mut v = value_of(scope, init);
                if let Some(f) = func {
                    v.returns = returns_class(scope, f);
                    v.returned = scope.fold_returns(f);
                }
                ExportTarget::Local(v)
            }
            Some(Binding::Func(f)) => ExportTarget::Local(ExportValue {
                returns: returns_class(scope, f),
                returned: scope.fold_returns(f),
                ..ExportValue::default()
            }),
            _ => ExportTarget::Local(ExportValue::default()),
        }
    };
    Export {
        name: name.to_string(),
        target,
        local: Some(name.to_string()),
    }
}

fn expr_target(scope: &Scope, e: &Expr) -> ExportTarget {
    if let Expr::Ident(id) = unwrap(e) {
        let pos = scope.span(id.span).start;
        if scope.lookup(&id.sym, pos).is_some() || scope.import_ref(&id.sym, pos).is_some() {
            return local(scope, &id.sym, pos).target;
        }
    }
    let mut v = value_of(scope, e);
    if let Some(f) = super::fold::fn_info(e) {
        v.returns = returns_class(scope, &f);
        v.returned = scope.fold_returns(&f);
    }
    ExportTarget::Local(v)
}

fn value_of(scope: &Scope, e: &Expr) -> ExportValue {
    let instance = match scope.kind_of(e) {
        Some(Kind::Instance(c)) => Some(c),
        _ => None,
    };
    ExportValue {
        candidates: if instance.is_some() {
            Vec::new()
        } else {
            scope.fold(e)
        },
        instance,
        returns: None,
        returned: Vec::new(),
        dev_server: instance == Some(QstashClass::Client) && targets_dev_server(scope, e),
    }
}

fn returns_class(scope: &Scope, f: &super::fold::FnInfo) -> Option<QstashClass> {
    returns_of(scope, f)
        .into_iter()
        .find_map(|(r, _)| match scope.kind_of(r) {
            Some(Kind::Instance(c)) => Some(c),
            _ => None,
        })
}

/// `new Client({ devMode: true })` or a localhost `baseUrl`, somewhere in `e`.
fn targets_dev_server(scope: &Scope, e: &Expr) -> bool {
    let e = scope.resolve_const(e);
    let new = match e {
        Expr::New(n) => n,
        Expr::Bin(b) => {
            return targets_dev_server(scope, &b.left) || targets_dev_server(scope, &b.right)
        }
        _ => return false,
    };
    let Some(arg) = new.args.as_ref().and_then(|a| a.first()) else {
        return false;
    };
    let v = scope.value(&arg.expr);
    let Some(o) = v.object else { return false };
    o.get("devMode")
        .is_some_and(|p| p.value.literal == Some(Literal::Bool(true)))
        || o.get("baseUrl").is_some_and(|p| {
            p.value
                .candidates
                .iter()
                .any(|c| is_dev_server_url(&c.leading_text().to_ascii_lowercase()))
        })
}
