//! NestJS: routes declared with decorators (`@Controller("jobs")` on a class,
//! `@Post("run")` on its methods), the guards in front of them
//! (`@UseGuards(QstashGuard)`), and the bootstrap that adds a global prefix
//! and app-wide guards (`app.setGlobalPrefix("api")`,
//! `app.useGlobalGuards(new QstashGuard())` next to `NestFactory.create`).
//!
//! A guard is judged by its `canActivate` method: it is recorded as a
//! function named after the class, so the verifier analysis that judges
//! middleware judges guards too. The methods of injectable services are
//! recorded as `Class.method`, and a guard's call of an injected service
//! (`this.qstash.verifyRequest(req)`, `qstash: QstashService`) as a call of
//! that method, so a guard that delegates to a verifying service verifies.

use super::fold::{atom_str, member_callee, member_name, unwrap, Scope};
use super::handlers::{body_fact, CallRef, Handler, HandlerFacts, HandlerKind};
use super::{Imported, Literal};
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

/// The NestJS common module, where the route decorators come from.
const COMMON: &str = "@nestjs/common";

/// A NestJS bootstrap: a file that creates the app with `NestFactory`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NestApp {
    /// The global prefix as a route path (`"/api"`), `""` without one,
    /// `None` when `setGlobalPrefix` is given a value that cannot be known:
    /// the app's routes are then unknown.
    pub prefix: Option<String>,
    /// Guards installed for every route with `useGlobalGuards`.
    pub guards: Vec<CallRef>,
    /// `enableVersioning()`: versioned routes get a version segment.
    pub versioned: bool,
}

/// Adds the NestJS routes, guards and bootstrap of `program` to `out`.
pub fn extract(program: &Program, scope: &Scope, out: &mut HandlerFacts) {
    let mut v = Nest { scope, out };
    program.visit_with(&mut v);
}

struct Nest<'s> {
    scope: &'s Scope<'s>,
    out: &'s mut HandlerFacts,
}

impl Visit for Nest<'_> {
    skip_types!();
    fn visit_class_decl(&mut self, n: &ClassDecl) {
        self.class(Some(&n.ident), &n.class);
        n.visit_children_with(self);
    }

    fn visit_class_expr(&mut self, n: &ClassExpr) {
        self.class(n.ident.as_ref(), &n.class);
        n.visit_children_with(self);
    }

    fn visit_object_lit(&mut self, n: &ObjectLit) {
        n.visit_children_with(self);
        // `{ provide: APP_GUARD, useClass: QstashGuard }` in a module's
        // providers: a guard for every route of the app.
        let value = |key: &str| {
            n.props.iter().find_map(|p| match p {
                PropOrSpread::Prop(p) => match &**p {
                    Prop::KeyValue(kv)
                        if super::fold::prop_name(&kv.key).as_deref() == Some(key) =>
                    {
                        Some(&*kv.value)
                    }
                    _ => None,
                },
                PropOrSpread::Spread(_) => None,
            })
        };
        let app_guard = value("provide").is_some_and(|e| self.is_core(e, "APP_GUARD"));
        if let (true, Some(class)) = (app_guard, value("useClass")) {
            if let Some(g) = self.guard(class) {
                self.out.nest_app_guards.push(g);
            }
        }
    }

    fn visit_call_expr(&mut self, n: &CallExpr) {
        n.visit_children_with(self);
        let Some(m) = member_callee(n) else {
            return;
        };
        match member_name(&m.prop).as_deref() {
            Some("create") if self.is_nest_factory(&m.obj) => {
                self.out.nest_app.get_or_insert_with(|| NestApp {
                    prefix: Some(String::new()),
                    ..NestApp::default()
                });
            }
            Some("setGlobalPrefix") if self.bootstraps() => {
                let prefix = n
                    .args
                    .first()
                    .and_then(|a| match self.scope.literal(&a.expr) {
                        Some(Literal::Str(p)) => {
                            Some(join(&[&p]).trim_end_matches('/').to_string())
                        }
                        _ => None,
                    });
                self.out
                    .nest_app
                    .get_or_insert_with(NestApp::default)
                    .prefix = prefix;
            }
            // URI versioning puts `/v1` in front of versioned routes, and
            // `RouterModule` a module path in front of its controllers:
            // which routes get which cannot be told here, so the app's
            // routes are unknown.
            Some("enableVersioning") if self.bootstraps() => {
                self.out
                    .nest_app
                    .get_or_insert_with(NestApp::default)
                    .versioned = true;
            }
            Some("register" | "forRoutes") if self.is_core(&m.obj, "RouterModule") => {
                self.out.nest_router_module = true;
            }
            Some("useGlobalGuards") if self.bootstraps() => {
                let guards: Vec<CallRef> =
                    n.args.iter().filter_map(|a| self.guard(&a.expr)).collect();
                let app = self.out.nest_app.get_or_insert_with(|| NestApp {
                    prefix: Some(String::new()),
                    ..NestApp::default()
                });
                app.guards.extend(guards);
            }
            _ => {}
        }
    }
}

impl Nest<'_> {
    /// Whether this file creates a Nest app (it imports `NestFactory`).
    fn bootstraps(&self) -> bool {
        self.scope.imports.iter().any(|i| {
            i.specifier == "@nestjs/core" && i.imported == Imported::Named("NestFactory".into())
        })
    }

    /// `NestFactory` imported from `@nestjs/core`.
    fn is_nest_factory(&self, e: &Expr) -> bool {
        self.is_core(e, "NestFactory")
    }

    /// `name` imported from `@nestjs/core`.
    fn is_core(&self, e: &Expr, name: &str) -> bool {
        let Expr::Ident(id) = unwrap(e) else {
            return false;
        };
        self.scope
            .import(&id.sym, self.scope.span(id.span).start)
            .is_some_and(|i| {
                i.specifier == "@nestjs/core" && i.imported == Imported::Named(name.into())
            })
    }

    /// The decorator's name when it is one of `@nestjs/common`, with its
    /// arguments.
    fn decorator<'d>(&self, d: &'d Decorator) -> Option<(String, &'d [ExprOrSpread])> {
        let (callee, args): (&Expr, &[ExprOrSpread]) = match unwrap(&d.expr) {
            Expr::Call(c) => match &c.callee {
                Callee::Expr(e) => (e, &c.args),
                _ => return None,
            },
            other => (other, &[]),
        };
        let Expr::Ident(id) = unwrap(callee) else {
            return None;
        };
        let imp = self.scope.import(&id.sym, self.scope.span(id.span).start)?;
        match &imp.imported {
            Imported::Named(name) if imp.specifier == COMMON => Some((name.clone(), args)),
            _ => None,
        }
    }

    /// The paths a `@Controller(…)` or `@Post(…)` argument list names:
    /// `[""]` without one, `None` when a path cannot be known.
    fn paths(&self, args: &[ExprOrSpread], object_key: bool) -> Option<Vec<String>> {
        let Some(first) = args.first() else {
            return Some(vec![String::new()]);
        };
        if first.spread.is_some() {
            return None;
        }
        if let Expr::Object(o) = unwrap(&first.expr) {
            if !object_key {
                return None;
            }
            // `@Controller({ path: "jobs", host: … })`.
            let path = o.props.iter().find_map(|p| match p {
                PropOrSpread::Prop(p) => match &**p {
                    Prop::KeyValue(kv)
                        if super::fold::prop_name(&kv.key).as_deref() == Some("path") =>
                    {
                        Some(&*kv.value)
                    }
                    _ => None,
                },
                PropOrSpread::Spread(_) => None,
            });
            let opaque = o.props.iter().any(|p| matches!(p, PropOrSpread::Spread(_)));
            return match path {
                Some(e) => self.path_values(e),
                None if opaque => None,
                None => Some(vec![String::new()]),
            };
        }
        self.path_values(&first.expr)
    }

    /// A path argument: a string, or an array of strings.
    fn path_values(&self, e: &Expr) -> Option<Vec<String>> {
        if let Expr::Array(a) = unwrap(e) {
            return a
                .elems
                .iter()
                .map(|el| match el {
                    Some(ExprOrSpread { spread: None, expr }) => match self.scope.literal(expr) {
                        Some(Literal::Str(s)) => Some(s),
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
        }
        match self.scope.literal(e) {
            Some(Literal::Str(s)) => Some(vec![s]),
            _ => None,
        }
    }

    /// A guard argument (`QstashGuard`, `new QstashGuard()`) as the
    /// function that decides: the class, whose `canActivate` is recorded
    /// under its name.
    fn guard(&self, e: &Expr) -> Option<CallRef> {
        let id = match unwrap(e) {
            Expr::Ident(id) => id,
            Expr::New(n) => match unwrap(&n.callee) {
                Expr::Ident(id) => id,
                _ => return None,
            },
            _ => return None,
        };
        let pos = self.scope.span(id.span).start;
        if let Some(r) = self.scope.import_ref(&id.sym, pos) {
            return Some(CallRef::Imported(r));
        }
        if self.scope.import(&id.sym, pos).is_some() {
            return None;
        }
        Some(CallRef::Local(id.sym.as_str().to_owned()))
    }

    /// The guards of `@UseGuards(…)` decorators.
    fn guards(&self, decorators: &[Decorator]) -> Vec<CallRef> {
        decorators
            .iter()
            .filter_map(|d| self.decorator(d))
            .filter(|(name, _)| name == "UseGuards")
            .flat_map(|(_, args)| args.iter().filter_map(|a| self.guard(&a.expr)))
            .collect()
    }

    fn class(&mut self, ident: Option<&Ident>, class: &Class) {
        if let Some(ident) = ident {
            self.guard_fact(ident, class);
            let injectable = class
                .decorators
                .iter()
                .filter_map(|d| self.decorator(d))
                .any(|(name, _)| name == "Injectable");
            if injectable {
                self.service_methods(ident, class);
            }
        }
        let Some(controller) = class
            .decorators
            .iter()
            .filter_map(|d| self.decorator(d))
            .find(|(name, _)| name == "Controller")
        else {
            return;
        };
        // A controller whose path cannot be known serves unknown routes.
        let Some(prefixes) = self.paths(controller.1, true) else {
            return;
        };
        let class_guards = self.guards(&class.decorators);
        for member in &class.body {
            let ClassMember::Method(m) = member else {
                continue;
            };
            self.method(m, &prefixes, &class_guards);
        }
    }

    /// A class with a `canActivate` method is a guard: its body is recorded
    /// as a function named after the class.
    fn guard_fact(&mut self, ident: &Ident, class: &Class) {
        for member in &class.body {
            let ClassMember::Method(m) = member else {
                continue;
            };
            let is_can_activate = matches!(&m.key, PropName::Ident(k) if &*k.sym == "canActivate");
            if let (true, Some(body)) = (is_can_activate, &m.function.body) {
                let mut f = body_fact(
                    self.scope,
                    &ident.sym,
                    self.scope.span(body.span),
                    &body.stmts,
                );
                f.calls.extend(self.service_calls(body));
                self.out.functions.push(f);
            }
        }
    }

    /// Records the methods of an injectable service as `Class.method`.
    fn service_methods(&mut self, ident: &Ident, class: &Class) {
        for member in &class.body {
            let ClassMember::Method(m) = member else {
                continue;
            };
            let (PropName::Ident(key), Some(body)) = (&m.key, &m.function.body) else {
                continue;
            };
            if &*key.sym == "canActivate" {
                continue;
            }
            let name = format!("{}.{}", ident.sym, key.sym);
            let mut f = body_fact(self.scope, &name, self.scope.span(body.span), &body.stmts);
            f.calls.extend(self.service_calls(body));
            self.out.functions.push(f);
        }
    }

    /// The calls of injected services' methods in a method body:
    /// `this.qstash.verifyRequest(req)` with `qstash` typed `QstashService`.
    fn service_calls(&self, body: &FunctionBody) -> Vec<CallRef> {
        struct V<'a, 's> {
            nest: &'a Nest<'s>,
            out: Vec<CallRef>,
        }
        impl Visit for V<'_, '_> {
            skip_types!();
            fn visit_call_expr(&mut self, n: &CallExpr) {
                n.visit_children_with(self);
                let Some(m) = member_callee(n) else {
                    return;
                };
                let Expr::Member(field) = unwrap(&m.obj) else {
                    return;
                };
                if !matches!(unwrap(&field.obj), Expr::This(_)) {
                    return;
                }
                let (Some(field), Some(method)) = (member_name(&field.prop), member_name(&m.prop))
                else {
                    return;
                };
                if let Some(r) = self.nest.service_method(&field, &method) {
                    if !self.out.contains(&r) {
                        self.out.push(r);
                    }
                }
            }
        }
        let mut v = V {
            nest: self,
            out: Vec::new(),
        };
        body.visit_with(&mut v);
        v.out
    }

    /// Method `method` of the class the field `field` of `this` is typed
    /// with: imported, or declared in this file.
    fn service_method(&self, field: &str, method: &str) -> Option<CallRef> {
        let (_, class) = self.scope.this_types.iter().find(|(n, _)| n == field)?;
        let imp = self.scope.first_import_of(class);
        match imp {
            Some(i) => match &i.imported {
                Imported::Named(name) => Some(CallRef::Imported(super::ImportRef {
                    specifier: i.specifier.clone(),
                    name: format!("{name}.{method}"),
                })),
                _ => None,
            },
            None => Some(CallRef::Local(format!("{class}.{method}"))),
        }
    }

    fn method(&mut self, m: &ClassMethod, prefixes: &[String], class_guards: &[CallRef]) {
        let routes: Vec<(String, Vec<String>)> =
            m.function
                .decorators
                .iter()
                .filter_map(|d| self.decorator(d))
                .filter_map(|(name, args)| {
                    let method = match name.as_str() {
                        "Post" | "Put" | "Patch" | "Delete" | "Get" | "All" | "Head"
                        | "Options" => name.to_ascii_uppercase(),
                        _ => return None,
                    };
                    Some((method, self.paths(args, false)?))
                })
                .collect();
        if routes.is_empty() {
            return;
        }
        let PropName::Ident(key) = &m.key else {
            return;
        };
        let name = key.sym.as_str().to_owned();
        let mut function = m
            .function
            .body
            .as_ref()
            .map(|b| body_fact(self.scope, &name, self.scope.span(b.span), &b.stmts));
        // `@Headers("upstash-signature") signature: string` reads the header
        // in the parameter list.
        if let Some(f) = &mut function {
            f.reads_signature |= m.function.params.iter().any(reads_signature);
        }
        let mut middleware = class_guards.to_vec();
        middleware.extend(self.guards(&m.function.decorators));
        for (method, paths) in routes {
            for prefix in prefixes {
                for path in &paths {
                    self.out.nest.push(self.out.handlers.len());
                    self.out.handlers.push(Handler {
                        kind: HandlerKind::Code {
                            method: method.clone(),
                            path: join(&[prefix, path]),
                        },
                        span: self.scope.span(key.span),
                        function: function.clone(),
                        wrappers: Vec::new(),
                        middleware: middleware.clone(),
                    });
                }
            }
        }
    }
}

/// Whether a parameter's decorators name the signature header.
fn reads_signature(p: &Param) -> bool {
    p.decorators.iter().any(|d| {
        let Expr::Call(c) = unwrap(&d.expr) else {
            return false;
        };
        c.args.iter().any(|a| {
            matches!(unwrap(&a.expr), Expr::Lit(Lit::Str(s))
                if atom_str(&s.value).eq_ignore_ascii_case("upstash-signature"))
        })
    })
}

/// Path pieces joined as a route path: `["jobs/", "/run"]` is `/jobs/run`,
/// nothing at all is `/`.
pub fn join(parts: &[&str]) -> String {
    let inner: Vec<&str> = parts
        .iter()
        .map(|p| p.trim_matches('/'))
        .filter(|p| !p.is_empty())
        .collect();
    format!("/{}", inner.join("/"))
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn joins_prefixes_and_paths() {
        assert_eq!(join(&["jobs", "run"]), "/jobs/run");
        assert_eq!(join(&["/jobs/", ""]), "/jobs");
        assert_eq!(join(&["", ""]), "/");
        assert_eq!(join(&["api/v1", ":id"]), "/api/v1/:id");
    }
}
