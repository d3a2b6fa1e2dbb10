//! Fastify's shapes of routing: plugins (`fastify.register(plugin, {
//! prefix })`, a function whose first parameter is the instance its routes
//! are registered on), `fastify-plugin` (`fp(plugin)`: Fastify ignores the
//! `prefix` option of a plugin wrapped with it), the hooks that run before a
//! handler (`addHook("preHandler", verify)`, `{ preHandler: verify }`), and
//! `fastify.route({ method, url, handler })`.

use super::fold::{unwrap, Scope};
use super::{Imported, Literal};
use swc_ecma_ast::*;

/// The hooks that run before the handler and can end the request: a
/// verification in one of them guards the route.
pub const HOOKS: &[&str] = &["onRequest", "preParsing", "preValidation", "preHandler"];

/// The prefix of a plugin registered with a `prefix` that cannot be known:
/// no route path is made under it (a path with a space is none), so the
/// plugin's routes are unknown rather than served at their bare paths.
pub const UNKNOWN_PREFIX: &str = "/ unknown";

/// Whether a module is Fastify or one of its plugins.
pub fn is_fastify_module(specifier: &str) -> bool {
    specifier == "fastify" || specifier == "fastify-plugin" || specifier.starts_with("@fastify/")
}

/// Whether the file imports Fastify (values or types): its functions that
/// take an instance first are plugins.
pub fn imports_fastify(scope: &Scope) -> bool {
    scope
        .imports
        .iter()
        .chain(&scope.type_imports)
        .any(|i| is_fastify_module(&i.specifier))
}

/// The plugin wrapped by `fp(plugin, …)` (`fastify-plugin`'s default export).
pub fn fp_argument<'e>(scope: &Scope, e: &'e Expr) -> Option<&'e Expr> {
    let Expr::Call(c) = unwrap(e) else {
        return None;
    };
    let Callee::Expr(callee) = &c.callee else {
        return None;
    };
    let Expr::Ident(id) = unwrap(callee) else {
        return None;
    };
    let imp = scope.import(&id.sym, scope.span(id.span).start)?;
    let default = matches!(imp.imported, Imported::Default | Imported::Namespace);
    (imp.specifier == "fastify-plugin" && default)
        .then(|| c.args.first().map(|a| &*a.expr))
        .flatten()
}

/// The name of a function's first parameter (`fastify` in
/// `async function routes(fastify, opts)`).
pub fn first_param(p: Option<&Pat>) -> Option<String> {
    match p? {
        Pat::Ident(b) => Some(b.id.sym.as_str().to_owned()),
        _ => None,
    }
}

/// The `prefix` option of a `register` call: `""` without one, `None` when
/// it is given a value that cannot be known.
pub fn prefix_option(scope: &Scope, options: Option<&ExprOrSpread>) -> Option<String> {
    let Some(options) = options else {
        return Some(String::new());
    };
    let Expr::Object(o) = unwrap(&options.expr) else {
        return None;
    };
    let mut prefix = Some(String::new());
    for p in &o.props {
        match p {
            PropOrSpread::Spread(_) => return None,
            PropOrSpread::Prop(p) => match &**p {
                Prop::KeyValue(kv)
                    if super::fold::prop_name(&kv.key).as_deref() == Some("prefix") =>
                {
                    prefix = match scope.literal(&kv.value) {
                        Some(Literal::Str(s)) if s.is_empty() || s.starts_with('/') => Some(s),
                        _ => None,
                    };
                }
                Prop::Shorthand(id) if &*id.sym == "prefix" => return None,
                _ => {}
            },
        }
    }
    prefix
}

/// The functions an options object runs before the handler:
/// `{ preHandler: verify }`, `{ onRequest: [auth, verify] }`.
pub fn hook_values(o: &ObjectLit) -> Vec<&Expr> {
    let mut out = Vec::new();
    for p in &o.props {
        let PropOrSpread::Prop(p) = p else { continue };
        let Prop::KeyValue(kv) = &**p else { continue };
        let Some(key) = super::fold::prop_name(&kv.key) else {
            continue;
        };
        if !HOOKS.contains(&key.as_str()) {
            continue;
        }
        match unwrap(&kv.value) {
            Expr::Array(a) => out.extend(a.elems.iter().flatten().map(|e| &*e.expr)),
            other => out.push(other),
        }
    }
    out
}

/// The value of property `key` of an object literal.
pub fn prop<'o>(o: &'o ObjectLit, key: &str) -> Option<&'o Expr> {
    o.props.iter().find_map(|p| match p {
        PropOrSpread::Prop(p) => match &**p {
            Prop::KeyValue(kv) if super::fold::prop_name(&kv.key).as_deref() == Some(key) => {
                Some(&*kv.value)
            }
            _ => None,
        },
        PropOrSpread::Spread(_) => None,
    })
}

/// The methods of a `route({ method })` option: a string or an array of
/// strings, upper-cased; `None` when one cannot be known.
pub fn methods(scope: &Scope, e: &Expr) -> Option<Vec<String>> {
    let one = |e: &Expr| match scope.literal(e) {
        Some(Literal::Str(s)) => Some(s.to_ascii_uppercase()),
        _ => None,
    };
    match unwrap(e) {
        Expr::Array(a) => a
            .elems
            .iter()
            .map(|el| el.as_ref().and_then(|el| one(&el.expr)))
            .collect(),
        other => one(other).map(|m| vec![m]),
    }
}
