//! AWS Lambda routes declared in SST code: `api.route("POST /x",
//! "src/x.handler")` (SST v3 `sst.aws.ApiGatewayV2`, also with
//! `{ handler: … }`) and `routes: { "POST /x": "src/x.handler" }` (SST v2
//! `new Api(...)`), in `sst.config.ts` and the v2 `stacks/` folder. Handler
//! paths are relative to the app root, the folder of `sst.config.ts`.

use super::serverless::{declared, function_url};
use super::{module_path, read_config, split_handler, Declared};
use crate::facts::fold::{atom_str, member_callee, member_name, prop_name, unwrap};
use std::path::{Path, PathBuf};
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

/// The routes SST code in `dir` declares.
pub fn routes(dir: &Path) -> Vec<(PathBuf, Declared)> {
    let config = ["sst.config.ts", "sst.config.js", "sst.config.mjs"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| crate::listing::is_file(p));
    let Some(config) = config else {
        return Vec::new();
    };
    let mut files = vec![config];
    if let Ok(entries) = std::fs::read_dir(dir.join("stacks")) {
        let mut stacks: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| crate::discover::is_lintable(p))
            .collect();
        stacks.sort();
        files.extend(stacks);
    }
    let mut out = Vec::new();
    for file in files {
        let Some(text) = read_config(&file) else {
            continue;
        };
        let Ok(parsed) = crate::parse::parse(&file, &text) else {
            continue;
        };
        let mut v = Routes { dir, out: &mut out };
        parsed.program.visit_with(&mut v);
    }
    out
}

struct Routes<'a> {
    dir: &'a Path,
    out: &'a mut Vec<(PathBuf, Declared)>,
}

impl Routes<'_> {
    fn add(&mut self, key: &str, value: &Expr) {
        let Some((method, path)) = route_key(key) else {
            return;
        };
        let Some((module, export)) = handler_of(value)
            .as_deref()
            .and_then(|h| split_handler(h).map(|(m, e)| (m.to_string(), e.to_string())))
        else {
            return;
        };
        if let Some(d) = declared(&export, &Some((method, path))) {
            self.out.push((module_path(self.dir, &module), d));
        }
    }
}

impl Visit for Routes<'_> {
    fn visit_call_expr(&mut self, n: &CallExpr) {
        n.visit_children_with(self);
        let Some(m) = member_callee(n) else {
            return;
        };
        if member_name(&m.prop).as_deref() != Some("route") {
            return;
        }
        if let [key, value, ..] = n.args.as_slice() {
            if let Expr::Lit(Lit::Str(s)) = unwrap(&key.expr) {
                self.add(&atom_str(&s.value), &value.expr);
            }
        }
    }

    /// `new sst.aws.Function("X", { handler: "src/x.handler", url: true })`.
    fn visit_object_lit(&mut self, n: &ObjectLit) {
        n.visit_children_with(self);
        let prop = |key: &str| {
            n.props.iter().find_map(|p| {
                let PropOrSpread::Prop(p) = p else {
                    return None;
                };
                let Prop::KeyValue(kv) = &**p else {
                    return None;
                };
                (prop_name(&kv.key).as_deref() == Some(key)).then_some(&*kv.value)
            })
        };
        let url =
            prop("url").is_some_and(|u| !matches!(unwrap(u), Expr::Lit(Lit::Bool(b)) if !b.value));
        let handler = match prop("handler").map(unwrap) {
            Some(Expr::Lit(Lit::Str(s))) => atom_str(&s.value),
            _ => return,
        };
        if let (true, Some((module, export))) = (url, split_handler(&handler)) {
            self.out
                .push((module_path(self.dir, module), function_url(export)));
        }
    }

    fn visit_key_value_prop(&mut self, n: &KeyValueProp) {
        n.visit_children_with(self);
        if let Some(key) = prop_name(&n.key) {
            self.add(&key, &n.value);
        }
    }
}

/// `"POST /x"` → (`POST`, `/x`); `$default` and other keys are not routes.
fn route_key(key: &str) -> Option<(String, String)> {
    let (method, path) = key.trim().split_once(' ')?;
    let known = matches!(
        method,
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS" | "ANY"
    );
    (known && path.trim().starts_with('/')).then(|| (method.to_string(), path.trim().to_string()))
}

/// The handler string of a route value: `"src/x.handler"`, `{ handler }`,
/// `{ function: "…" }` or `{ function: { handler } }`.
fn handler_of(e: &Expr) -> Option<String> {
    match unwrap(e) {
        Expr::Lit(Lit::Str(s)) => Some(atom_str(&s.value)),
        Expr::Object(o) => o.props.iter().find_map(|p| {
            let PropOrSpread::Prop(p) = p else {
                return None;
            };
            let Prop::KeyValue(kv) = &**p else {
                return None;
            };
            match prop_name(&kv.key)?.as_str() {
                "handler" | "function" => handler_of(&kv.value),
                _ => None,
            }
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_route_calls_and_v2_route_objects() {
        let t = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            t.path().join("sst.config.ts"),
            r#"export default $config({
  async run() {
    const api = new sst.aws.ApiGatewayV2("Api");
    api.route("POST /qstash", "packages/functions/src/qstash.handler");
    api.route("GET /health", { handler: "packages/functions/src/health.main" });
    app.route("/jobs", jobs);
    new sst.aws.Function("Hook", { handler: "src/fn.handler", url: true });
    new sst.aws.Function("Cron", { handler: "src/cron.handler", url: false });
  },
});"#,
        )
        .expect("write");
        std::fs::create_dir(t.path().join("stacks")).expect("mkdir");
        std::fs::write(
            t.path().join("stacks/Api.ts"),
            r#"new Api(stack, "api", { routes: {
  "POST /hook/{id}": { function: { handler: "src/hook.handler" } },
  $default: "src/default.handler",
} });"#,
        )
        .expect("write");
        let mut got: Vec<String> = routes(t.path())
            .iter()
            .map(|(m, d)| {
                format!(
                    "{} {} {:?} {}",
                    m.strip_prefix(t.path()).expect("inside").display(),
                    d.export,
                    d.method,
                    d.pattern.as_ref().map_or("URL".into(), |p| p.display())
                )
            })
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                "packages/functions/src/health main Some(\"GET\") /health",
                "packages/functions/src/qstash handler Some(\"POST\") /qstash",
                "src/fn handler None URL",
                "src/hook handler Some(\"POST\") /hook/[param]",
            ]
        );
    }

    #[test]
    fn no_sst_config_no_routes() {
        let t = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(t.path().join("stacks")).expect("mkdir");
        std::fs::write(
            t.path().join("stacks/Api.ts"),
            r#"x.route("POST /a", "src/a.handler");"#,
        )
        .expect("write");
        assert!(routes(t.path()).is_empty());
    }
}
