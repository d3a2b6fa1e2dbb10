//! React Router v7 framework mode: the route config in `app/routes.ts`
//! (`route`, `index`, `layout`, `prefix`, `flatRoutes()`), whose `action`
//! exports handle the non-GET requests of each path.

use super::{module_path, read_config, Declared};
use crate::facts::fold::{atom_str, unwrap};
use crate::routes::RoutePattern;
use std::path::{Path, PathBuf};
use swc_ecma_ast::*;

/// The routes of a package's `app/routes.ts`.
pub struct RouteConfig {
    /// Module path (without extension) and route.
    pub routes: Vec<(PathBuf, Declared)>,
    /// It includes `flatRoutes()`: `app/routes/` files route by name too.
    pub flat_routes: bool,
}

/// Reads `dir/app/routes.ts` (or `.js`, `.mts`, `.mjs`), if there is one.
pub fn routes(dir: &Path) -> Option<RouteConfig> {
    let app = dir.join("app");
    let file = ["routes.ts", "routes.js", "routes.mts", "routes.mjs"]
        .iter()
        .map(|n| app.join(n))
        .find(|p| crate::listing::is_file(p))?;
    let text = read_config(&file)?;
    // A config that does not parse says nothing: keep the flat convention.
    let parsed = crate::parse::parse(&file, &text).ok()?;
    let Program::Module(m) = &parsed.program else {
        return None;
    };
    let root = default_export(m)?;
    let mut out = RouteConfig {
        routes: Vec::new(),
        flat_routes: false,
    };
    let mut walk = Walk {
        app: &app,
        out: &mut out,
    };
    walk.entries(root, "", 0);
    Some(out)
}

/// The exported expression: `export default [...]` (with `satisfies`), or
/// a top-level const exported by name.
fn default_export(m: &Module) -> Option<&Expr> {
    let e = m.body.iter().find_map(|i| match i {
        ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultExpr(e)) => Some(&*e.expr),
        _ => None,
    })?;
    let Expr::Ident(id) = unwrap(e) else {
        return Some(e);
    };
    m.body.iter().find_map(|i| {
        let ModuleItem::Stmt(Stmt::Decl(Decl::Var(v))) = i else {
            return None;
        };
        v.decls.iter().find_map(|d| match (&d.name, &d.init) {
            (Pat::Ident(b), Some(init)) if b.id.sym == id.sym => Some(&**init),
            _ => None,
        })
    })
}

struct Walk<'a> {
    app: &'a Path,
    out: &'a mut RouteConfig,
}

/// Nesting deeper than this is not a route config anyone writes.
const MAX_NESTING: u32 = 64;

impl Walk<'_> {
    /// An array of route entries (or one entry) under `prefix`.
    fn entries(&mut self, e: &Expr, prefix: &str, depth: u32) {
        if depth > MAX_NESTING {
            return;
        }
        match unwrap(e) {
            Expr::Array(a) => {
                for el in a.elems.iter().flatten() {
                    self.entries(&el.expr, prefix, depth + 1);
                }
            }
            Expr::Await(a) => self.entries(&a.arg, prefix, depth + 1),
            Expr::Call(c) => self.call(c, prefix, depth),
            _ => {}
        }
    }

    fn call(&mut self, c: &CallExpr, prefix: &str, depth: u32) {
        let Callee::Expr(callee) = &c.callee else {
            return;
        };
        let Expr::Ident(name) = unwrap(callee) else {
            return;
        };
        let str_arg = |i: usize| match c.args.get(i).map(|a| unwrap(&a.expr)) {
            Some(Expr::Lit(Lit::Str(s))) => Some(atom_str(&s.value)),
            _ => None,
        };
        let children = c
            .args
            .iter()
            .skip(1)
            .rev()
            .find(|a| matches!(unwrap(&a.expr), Expr::Array(_)));
        match &*name.sym {
            "route" => {
                let (Some(path), Some(file)) = (str_arg(0), str_arg(1)) else {
                    return;
                };
                let full = join(prefix, &path);
                self.add(&full, &file);
                if let Some(ch) = children {
                    self.entries(&ch.expr, &full, depth + 1);
                }
            }
            "index" => {
                if let Some(file) = str_arg(0) {
                    self.add(prefix, &file);
                }
            }
            "layout" => {
                if let Some(ch) = children {
                    self.entries(&ch.expr, prefix, depth + 1);
                }
            }
            "prefix" => {
                if let (Some(path), Some(ch)) = (str_arg(0), children) {
                    self.entries(&ch.expr, &join(prefix, &path), depth + 1);
                }
            }
            "flatRoutes" => self.out.flat_routes = true,
            _ => {}
        }
    }

    fn add(&mut self, path: &str, file: &str) {
        let Some(pattern) = RoutePattern::from_code_path(if path.is_empty() { "/" } else { path })
        else {
            return;
        };
        self.out.routes.push((
            module_path(self.app, file),
            Declared {
                export: "action".into(),
                pattern: Some(pattern),
                method: None,
            },
        ));
    }
}

fn join(prefix: &str, path: &str) -> String {
    let p = path.trim_matches('/');
    match (prefix.trim_end_matches('/'), p) {
        (pre, "") => pre.to_string(),
        (pre, p) => format!("{pre}/{p}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(src: &str) -> (Vec<String>, bool) {
        let t = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(t.path().join("app")).expect("mkdir");
        std::fs::write(t.path().join("app/routes.ts"), src).expect("write");
        let c = routes(t.path()).expect("a config");
        let mut got: Vec<String> = c
            .routes
            .iter()
            .map(|(m, d)| {
                format!(
                    "{} {}",
                    m.strip_prefix(t.path()).expect("inside").display(),
                    d.pattern.as_ref().map_or("URL".into(), |p| p.display())
                )
            })
            .collect();
        got.sort();
        (got, c.flat_routes)
    }

    #[test]
    fn route_index_layout_and_prefix() {
        let (got, flat) = read(
            r#"import { type RouteConfig, index, layout, prefix, route } from "@react-router/dev/routes";
export default [
  index("routes/home.tsx"),
  route("api/qstash", "routes/api.qstash.ts"),
  layout("routes/layout.tsx", [route("about", "routes/about.tsx")]),
  ...prefix("projects", [index("routes/projects.tsx"), route(":pid/run", "routes/run.ts")]),
  route("teams/:id", "routes/team.tsx", [route("edit", "routes/team-edit.tsx")]),
] satisfies RouteConfig;"#,
        );
        assert_eq!(
            got,
            [
                "app/routes/about /about",
                "app/routes/api.qstash /api/qstash",
                "app/routes/home /",
                "app/routes/projects /projects",
                "app/routes/run /projects/[param]/run",
                "app/routes/team /teams/[param]",
                "app/routes/team-edit /teams/[param]/edit",
            ]
        );
        assert!(!flat);
    }

    #[test]
    fn flat_routes_keep_the_file_convention() {
        let (got, flat) = read(
            r#"import { flatRoutes } from "@react-router/fs-routes";
const routes = [...(await flatRoutes()), route("x", "x.ts")];
export default routes;"#,
        );
        assert_eq!(got, ["app/x /x"]);
        assert!(flat);
    }
}
