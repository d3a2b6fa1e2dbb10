//! Cloudflare Worker hosts from `wrangler.toml` / `wrangler.json` /
//! `wrangler.jsonc`: which hosts (and paths) a Worker serves, so that a
//! destination naming one of them links to the Worker's `fetch` handler.
//!
//! - `name` serves `https://<name>.<account subdomain>.workers.dev/*`
//!   (unless `workers_dev = false`);
//! - `route = "example.com/qstash/*"`, `routes = ["…", { pattern = "…" }]`
//!   serve their pattern: an optional leading `*` on the host, a path that
//!   is exact or ends in `*`;
//! - each `[env.<x>]` table is a Worker of its own, named `<name>-<x>`
//!   unless it sets `name`, with its own routes.
//!
//! A file that does not parse, or values of the wrong type, give no hosts:
//! unknown is not a wildcard.

use crate::routes::{RoutePattern, Segment};
use serde_json::Value;
use std::path::Path;

/// The config file names, in the order wrangler prefers them.
pub const FILES: &[&str] = &["wrangler.json", "wrangler.jsonc", "wrangler.toml"];

/// What a Worker's config says about where it is served.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkerConfig {
    /// The entry module (`main`), relative to the config's directory.
    pub main: Option<String>,
    /// The hosts and paths it serves.
    pub routes: Vec<WorkerRoute>,
}

/// One host (a glob: `*` matches any text) and the paths served there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerRoute {
    /// Lower-case host glob: `image-resizer.*.workers.dev`, `*.example.com`.
    pub host: String,
    /// The paths served on that host.
    pub path: RoutePattern,
    /// How the route is shown: `hooks.example.com/qstash/*`.
    pub shown: String,
}

impl WorkerRoute {
    /// Whether a destination's host (lower case, no port) is this route's.
    pub fn host_matches(&self, host: &str) -> bool {
        glob_match(self.host.as_bytes(), host.as_bytes())
    }
}

/// Reads the Worker config in `dir`, if there is one that parses.
pub fn read(dir: &Path) -> Option<WorkerConfig> {
    if crate::listing::surely_none(dir, FILES) {
        return None;
    }
    FILES.iter().find_map(|name| {
        // Only a regular file of sane size, as for every deployment config.
        let text = crate::deploy::read_config(&dir.join(name))?;
        if name.ends_with(".toml") {
            from_toml(&text)
        } else {
            from_json(&text)
        }
    })
}

/// A `wrangler.toml`'s config; `None` when it does not parse.
pub fn from_toml(text: &str) -> Option<WorkerConfig> {
    let value: toml::Value = toml::from_str(text).ok()?;
    // One shape for both formats: TOML tables and arrays map onto JSON.
    let json = serde_json::to_value(value).ok()?;
    Some(from_value(&json))
}

/// A `wrangler.json(c)`'s config (comments and trailing commas allowed);
/// `None` when it does not parse.
pub fn from_json(text: &str) -> Option<WorkerConfig> {
    // The config file's own JSONC reading: one dialect for both.
    let json: Value = serde_json::from_str(&crate::config::strip_jsonc(text)).ok()?;
    Some(from_value(&json))
}

fn from_value(v: &Value) -> WorkerConfig {
    let mut routes = Vec::new();
    let name = v.get("name").and_then(Value::as_str);
    worker_routes(v, name, &mut routes);
    if let (Some(envs), Some(base)) = (v.get("env").and_then(Value::as_object), name) {
        for (env, table) in envs {
            let default = format!("{base}-{env}");
            let name = table
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or(&default);
            worker_routes(table, Some(name), &mut routes);
        }
    }
    routes.sort_by(|a, b| a.shown.cmp(&b.shown));
    routes.dedup();
    WorkerConfig {
        main: v.get("main").and_then(Value::as_str).map(str::to_string),
        routes,
    }
}

/// The routes of one Worker (the top level or an `[env.x]` table).
fn worker_routes(v: &Value, name: Option<&str>, out: &mut Vec<WorkerRoute>) {
    let on_workers_dev = v.get("workers_dev").and_then(Value::as_bool) != Some(false);
    if let (Some(name), true) = (name, on_workers_dev) {
        let name = name.to_ascii_lowercase();
        if !name.is_empty() && !name.contains(['*', '.', '/']) {
            out.push(WorkerRoute {
                host: format!("{name}.*.workers.dev"),
                path: RoutePattern {
                    segments: vec![Segment::OptionalCatchAll],
                },
                shown: format!("{name}.<subdomain>.workers.dev/*"),
            });
        }
    }
    let single = v.get("route").into_iter();
    let many = v
        .get("routes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    for r in single.chain(many) {
        let (pattern, custom_domain) = match r {
            Value::String(s) => (s.as_str(), false),
            Value::Object(o) => match o.get("pattern").and_then(Value::as_str) {
                Some(p) => (
                    p,
                    o.get("custom_domain").and_then(Value::as_bool) == Some(true),
                ),
                None => continue,
            },
            _ => continue,
        };
        if let Some(route) = parse_pattern(pattern, custom_domain) {
            out.push(route);
        }
    }
}

/// A route pattern `host/path`: the host may start with `*`, the path is
/// exact or ends in `*`. A custom domain serves every path of its host.
/// `None` for what cannot be read as such (a `*` inside a segment).
fn parse_pattern(pattern: &str, custom_domain: bool) -> Option<WorkerRoute> {
    let p = pattern.trim();
    let p = p
        .strip_prefix("https://")
        .or_else(|| p.strip_prefix("http://"))
        .unwrap_or(p);
    let (host, path) = match p.find('/') {
        Some(i) => (&p[..i], &p[i..]),
        None => (p, ""),
    };
    let host = host.to_ascii_lowercase();
    let host_ok = !host.is_empty()
        && host
            .trim_start_matches('*')
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
        && host.trim_start_matches('*').contains('.');
    if !host_ok {
        return None;
    }
    let path = if custom_domain || path.is_empty() {
        "/*"
    } else {
        path
    };
    let segments = match path.strip_suffix('*') {
        // `/qstash/*`: the folder and everything below it.
        Some(dir) if dir.ends_with('/') => {
            let mut s = static_segments(dir)?;
            s.push(Segment::OptionalCatchAll);
            s
        }
        // `/qstash*` would also serve `/qstash-x`: not a path pattern.
        Some(_) => return None,
        None => static_segments(path)?,
    };
    Some(WorkerRoute {
        shown: format!("{host}{path}"),
        host,
        path: RoutePattern { segments },
    })
}

fn static_segments(path: &str) -> Option<Vec<Segment>> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| (!s.contains('*')).then(|| Segment::Static(s.to_string())))
        .collect()
}

/// `*` matches any run of bytes; everything else literally.
fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    crate::routes::wildcard_match(pattern, text, |c| (*c != b'*').then_some(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(c: &WorkerConfig) -> Vec<&str> {
        c.routes.iter().map(|r| r.shown.as_str()).collect()
    }

    #[test]
    fn toml_name_routes_and_envs() {
        let c = from_toml(
            r#"
name = "image-resizer"
main = "src/index.ts"
routes = [
  { pattern = "hooks.example.com/qstash/*", zone_name = "example.com" },
  "*.acme.dev/*",
]
route = "example.com/exact"

[env.staging]
routes = [{ pattern = "staging.example.com", custom_domain = true }]

[env.production]
name = "resizer-prod"
workers_dev = false
"#,
        )
        .expect("parses");
        assert_eq!(c.main.as_deref(), Some("src/index.ts"));
        assert_eq!(
            shown(&c),
            [
                "*.acme.dev/*",
                "example.com/exact",
                "hooks.example.com/qstash/*",
                "image-resizer-staging.<subdomain>.workers.dev/*",
                "image-resizer.<subdomain>.workers.dev/*",
                "staging.example.com/*",
            ]
        );
        let dev = c
            .routes
            .iter()
            .find(|r| r.shown.starts_with("image-resizer."))
            .expect("workers.dev");
        assert!(dev.host_matches("image-resizer.acme.workers.dev"));
        assert!(!dev.host_matches("image-resizer2.acme.workers.dev"));
        assert!(!dev.host_matches("other.acme.workers.dev"));
        assert!(!dev.host_matches("image-resizer.acme.workers.dev.evil.com"));
        let wild = c
            .routes
            .iter()
            .find(|r| r.shown.starts_with("*.acme"))
            .expect("wildcard");
        assert!(wild.host_matches("api.acme.dev"));
        assert!(!wild.host_matches("acme.com"));
    }

    #[test]
    fn jsonc_with_comments_and_trailing_commas() {
        let c = from_json(
            r#"{
  // the billing webhooks
  "name": "billing-hooks",
  "workers_dev": false,
  "routes": [
    { "pattern": "Hooks.Example.com/qstash/*", "zone_name": "example.com" },
  ],
}"#,
        )
        .expect("parses");
        assert_eq!(shown(&c), ["hooks.example.com/qstash/*"]);
        let r = &c.routes[0];
        assert!(r.host_matches("hooks.example.com"));
        assert_eq!(
            r.path.segments,
            vec![Segment::Static("qstash".into()), Segment::OptionalCatchAll]
        );
    }

    #[test]
    fn what_cannot_be_read_gives_nothing() {
        assert_eq!(from_toml("name = "), None);
        assert_eq!(from_json("{ \"name\": "), None);
        assert_eq!(from_toml("name = 3").map(|c| c.routes.len()), Some(0));
        assert_eq!(
            from_toml("routes = [\"example.com/q*\", \"no-dot/*\", 7, { zone = 1 }]")
                .map(|c| c.routes.len()),
            Some(0)
        );
        assert_eq!(from_toml("name = \"a.b\"").map(|c| c.routes.len()), Some(0));
    }
}
