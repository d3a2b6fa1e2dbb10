//! Guards on the way to a send: a call made only when a parameter of its
//! function is truthy (`if (releaseHolds && n > 0) await notify()`), where
//! that parameter is falsy unless the caller passes it (no default, or a
//! falsy default). A call site that leaves it out never reaches the call.

use super::fold::{member_name, prop_name, unwrap};
use swc_ecma_ast::*;

/// What a parameter looks like, as far as guards care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamShape {
    /// `flag` or `flag = false`: `falsy` when it is falsy unless passed.
    Simple { name: String, falsy: bool },
    /// `{ flag = false, other }`: per property, its key, its local name and
    /// whether it is falsy unless passed.
    Object(Vec<(String, String, bool)>),
    /// Anything else (`...rest`, arrays).
    Other,
}

/// The parameter a call depends on: it runs only when parameter `param`
/// (or its property `key`) is truthy.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Guard {
    /// The parameter's position.
    pub param: usize,
    /// The property of it, for an options object.
    pub key: Option<String>,
}

/// What a call passes in one argument position.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ArgShape {
    /// `false`, `null`, `undefined`, `0`, `""`.
    Falsy,
    /// An object literal without spreads: its keys, each with whether its
    /// value is a falsy literal.
    Object(Vec<(String, bool)>),
    /// Anything else: may be truthy.
    Other,
}

/// The shapes of a function's parameters.
pub fn param_shapes<'a>(pats: impl Iterator<Item = &'a Pat>) -> Vec<ParamShape> {
    pats.map(|p| match p {
        Pat::Ident(b) => ParamShape::Simple {
            name: b.id.sym.as_str().to_owned(),
            falsy: true,
        },
        Pat::Assign(a) => match &*a.left {
            Pat::Ident(b) => ParamShape::Simple {
                name: b.id.sym.as_str().to_owned(),
                falsy: is_falsy(&a.right),
            },
            Pat::Object(o) => object_shape(o),
            _ => ParamShape::Other,
        },
        Pat::Object(o) => object_shape(o),
        _ => ParamShape::Other,
    })
    .collect()
}

fn object_shape(o: &ObjectPat) -> ParamShape {
    let mut props = Vec::new();
    for p in &o.props {
        match p {
            ObjectPatProp::Assign(a) => props.push((
                a.key.id.sym.as_str().to_owned(),
                a.key.id.sym.as_str().to_owned(),
                a.value.as_deref().is_none_or(is_falsy),
            )),
            ObjectPatProp::KeyValue(kv) => {
                let Some(key) = prop_name(&kv.key) else {
                    continue;
                };
                match &*kv.value {
                    Pat::Ident(b) => props.push((key, b.id.sym.as_str().to_owned(), true)),
                    Pat::Assign(a) => {
                        if let Pat::Ident(b) = &*a.left {
                            props.push((key, b.id.sym.as_str().to_owned(), is_falsy(&a.right)));
                        }
                    }
                    _ => {}
                }
            }
            ObjectPatProp::Rest(_) => {}
        }
    }
    ParamShape::Object(props)
}

/// A literal that is falsy: `false`, `null`, `undefined`, `0`, `""`.
fn is_falsy(e: &Expr) -> bool {
    match unwrap(e) {
        Expr::Lit(Lit::Bool(b)) => !b.value,
        Expr::Lit(Lit::Null(_)) => true,
        Expr::Lit(Lit::Num(n)) => n.value == 0.0,
        Expr::Lit(Lit::Str(s)) => s.value.is_empty(),
        Expr::Ident(i) => &*i.sym == "undefined",
        _ => false,
    }
}

/// The guard an `if` test puts on its consequent: a conjunct of its `&&`
/// chain that is a falsy-unless-passed parameter (`flag`, `opts.flag`, a
/// destructured `{ flag }`).
pub fn guard_of(test: &Expr, params: &[ParamShape]) -> Option<Guard> {
    match unwrap(test) {
        Expr::Bin(b) if b.op == BinaryOp::LogicalAnd => {
            guard_of(&b.left, params).or_else(|| guard_of(&b.right, params))
        }
        Expr::Ident(id) => params.iter().enumerate().find_map(|(i, p)| match p {
            ParamShape::Simple { name, falsy: true } if *name == *id.sym => Some(Guard {
                param: i,
                key: None,
            }),
            ParamShape::Object(props) => props
                .iter()
                .find(|(_, local, falsy)| *falsy && *local == *id.sym)
                .map(|(key, _, _)| Guard {
                    param: i,
                    key: Some(key.clone()),
                }),
            _ => None,
        }),
        Expr::Member(m) => {
            let Expr::Ident(obj) = unwrap(&m.obj) else {
                return None;
            };
            let key = member_name(&m.prop)?;
            params.iter().enumerate().find_map(|(i, p)| match p {
                ParamShape::Simple { name, .. } if *name == *obj.sym => Some(Guard {
                    param: i,
                    key: Some(key.clone()),
                }),
                _ => None,
            })
        }
        _ => None,
    }
}

/// The shapes of a call's arguments; `None` when a spread hides positions.
pub fn arg_shapes(args: &[ExprOrSpread]) -> Option<Vec<ArgShape>> {
    args.iter()
        .map(|a| {
            if a.spread.is_some() {
                return None;
            }
            Some(match unwrap(&a.expr) {
                e if is_falsy(e) => ArgShape::Falsy,
                Expr::Object(o) => object_arg(o),
                _ => ArgShape::Other,
            })
        })
        .collect()
}

fn object_arg(o: &ObjectLit) -> ArgShape {
    let mut keys = Vec::new();
    for p in &o.props {
        let PropOrSpread::Prop(p) = p else {
            return ArgShape::Other;
        };
        match &**p {
            Prop::KeyValue(kv) => match prop_name(&kv.key) {
                Some(k) => keys.push((k, is_falsy(&kv.value))),
                None => return ArgShape::Other,
            },
            Prop::Shorthand(id) => keys.push((id.sym.as_str().to_owned(), false)),
            Prop::Method(m) => match prop_name(&m.key) {
                Some(k) => keys.push((k, false)),
                None => return ArgShape::Other,
            },
            _ => return ArgShape::Other,
        }
    }
    ArgShape::Object(keys)
}

impl Guard {
    /// Whether a call with these arguments certainly leaves the guard false.
    pub fn unsatisfied(&self, args: &[ArgShape]) -> bool {
        let arg = args.get(self.param);
        match (&self.key, arg) {
            (_, None) | (_, Some(ArgShape::Falsy)) => true,
            (Some(key), Some(ArgShape::Object(keys))) => keys
                .iter()
                .find(|(k, _)| k == key)
                .is_none_or(|(_, falsy)| *falsy),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_stmt(src: &str) -> Stmt {
        let program = crate::parse::parse(std::path::Path::new("a.ts"), src)
            .expect("parses")
            .program;
        match program {
            Program::Module(m) => m.body[0].clone().stmt().expect("a statement"),
            Program::Script(s) => s.body[0].clone(),
        }
    }

    fn params_of(src: &str) -> (Vec<ParamShape>, Box<Expr>) {
        let Stmt::Decl(Decl::Fn(f)) = first_stmt(src) else {
            panic!("function")
        };
        let shapes = param_shapes(f.function.params.iter().map(|p| &p.pat));
        let body = f.function.body.as_ref().expect("body");
        let Stmt::If(i) = &body.stmts[0] else {
            panic!("if")
        };
        (shapes, i.test.clone())
    }

    fn args_of(src: &str) -> Vec<ArgShape> {
        let Stmt::Expr(e) = first_stmt(src) else {
            panic!("expr")
        };
        let Expr::Call(c) = &*e.expr else {
            panic!("call")
        };
        arg_shapes(&c.args).expect("no spread")
    }

    #[test]
    fn guards_and_the_calls_that_leave_them_false() {
        let (p, t) = params_of(
            "function f(n, { releaseHolds = false } = {}) { if (releaseHolds && n > 0) {} }",
        );
        let g = guard_of(&t, &p).expect("guard");
        assert_eq!(
            g,
            Guard {
                param: 1,
                key: Some("releaseHolds".into())
            }
        );
        assert!(g.unsatisfied(&args_of("f(3);")));
        assert!(g.unsatisfied(&args_of("f(3, { other: 1 });")));
        assert!(g.unsatisfied(&args_of("f(3, { releaseHolds: false });")));
        assert!(!g.unsatisfied(&args_of("f(3, { releaseHolds: true });")));
        assert!(!g.unsatisfied(&args_of("f(3, opts);")));

        let (p, t) = params_of("function f(notify = false) { if (notify) {} }");
        let g = guard_of(&t, &p).expect("guard");
        assert!(g.unsatisfied(&args_of("f();")));
        assert!(g.unsatisfied(&args_of("f(false);")));
        assert!(!g.unsatisfied(&args_of("f(flag);")));

        let (p, t) = params_of("function f(opts) { if (opts.notify) {} }");
        let g = guard_of(&t, &p).expect("guard");
        assert!(g.unsatisfied(&args_of("f({});")));
        assert!(!g.unsatisfied(&args_of("f({ notify });")));
    }

    #[test]
    fn no_guard_where_omitting_it_is_truthy_or_unknown() {
        let (p, t) = params_of("function f(notify = true) { if (notify) {} }");
        assert_eq!(guard_of(&t, &p), None);
        let (p, t) = params_of("function f(a) { if (a || b) {} }");
        assert_eq!(guard_of(&t, &p), None);
        let (p, t) = params_of("function f(a) { if (global) {} }");
        assert_eq!(guard_of(&t, &p), None);
    }
}
