//! Routers mounted across modules: a destination reaches a route whose
//! file only knows the path below the mount, and middleware at the mount
//! verifies the routes below it.

mod disk;

use disk::{path_line, shown, write};
use std::fs;
use std::path::Path;

/// The diagnostics of `rule` in a JSON run, each shown by `show`, sorted.
fn diagnostics_of(
    root: &Path,
    rule: &str,
    show: impl Fn(&serde_json::Value) -> String,
) -> Vec<String> {
    shown(root, &["check"], |d| d["rule"] == rule, show)
}

/// `path:line` of the `missing-signature-verification` diagnostics.
fn receivers(root: &Path) -> Vec<String> {
    diagnostics_of(root, "missing-signature-verification", path_line)
}

/// A project whose sender publishes to `dest` (a path) and whose server
/// file is `server`; `files` are the other modules.
fn project(dest: &str, server: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    fs::create_dir_all(r.join(".git")).expect("git");
    write(
        r,
        "package.json",
        r#"{"dependencies": {"express": "4", "hono": "4", "@upstash/qstash": "2"}}"#,
    );
    write(
        r,
        "src/jobs.ts",
        format!(
            "import {{ Client }} from \"@upstash/qstash\";\nconst qstash = new Client({{ token: process.env.QSTASH_TOKEN! }});\nexport async function enqueue() {{\n  try {{\n    await qstash.publishJSON({{ url: `${{process.env.APP_URL}}{dest}`, body: {{}} }});\n  }} catch (e) {{\n    console.error(e);\n  }}\n}}\n"
        ),
    );
    write(r, "src/server.ts", server);
    for (rel, text) in files {
        write(r, rel, text);
    }
    dir
}

const WEBHOOKS_ESM: &str = r#"import { Router } from "express";
export const webhooks = Router();
webhooks.post("/qstash", async (req, res) => {
  console.log(req.body);
  res.send("ok");
});
webhooks.post("/stripe", async (req, res) => {
  res.send("ok");
});
"#;

#[test]
fn an_imported_router_serves_under_its_mount_prefix() {
    let server = r#"import express from "express";
import { webhooks } from "./routes/webhooks";
const app = express();
app.use(express.json());
app.use("/api/webhooks", webhooks);
app.listen(3000);
"#;
    let dir = project(
        "/api/webhooks/qstash",
        server,
        &[("src/routes/webhooks.ts", WEBHOOKS_ESM)],
    );
    assert_eq!(receivers(dir.path()), ["src/routes/webhooks.ts:3"]);

    // Mounted elsewhere, the same router does not serve the destination.
    let elsewhere = server.replace("\"/api/webhooks\"", "\"/admin\"");
    let dir = project(
        "/api/webhooks/qstash",
        &elsewhere,
        &[("src/routes/webhooks.ts", WEBHOOKS_ESM)],
    );
    assert!(receivers(dir.path()).is_empty());
}

#[test]
fn commonjs_routers_mount_through_require() {
    let webhooks = r#"const express = require("express");
const router = express.Router();
router.post("/qstash", async (req, res) => {
  res.send("ok");
});
module.exports = router;
"#;
    // Inline `require`, and a `require` binding.
    for server in [
        "const express = require(\"express\");\nconst app = express();\napp.use(\"/hooks\", require(\"./routes/webhooks\"));\napp.listen(3000);\n",
        "const express = require(\"express\");\nconst webhooks = require(\"./routes/webhooks\");\nconst app = express();\napp.use(\"/hooks\", webhooks);\napp.listen(3000);\n",
    ] {
        let dir = project(
            "/hooks/qstash",
            server,
            &[("src/routes/webhooks.js", webhooks)],
        );
        assert_eq!(receivers(dir.path()), ["src/routes/webhooks.js:3"], "{server}");
    }
}

#[test]
fn mounts_of_mounts_add_up() {
    let server = r#"import express from "express";
import api from "./api";
const app = express();
app.use("/api", api);
app.listen(3000);
"#;
    let api = r#"import { Router } from "express";
import { webhooks } from "./routes/webhooks";
const api = Router();
api.use("/webhooks", webhooks);
export default api;
"#;
    let dir = project(
        "/api/webhooks/qstash",
        server,
        &[
            ("src/api.ts", api),
            ("src/routes/webhooks.ts", WEBHOOKS_ESM),
        ],
    );
    assert_eq!(receivers(dir.path()), ["src/routes/webhooks.ts:3"]);
}

const VERIFY: &str = r#"import { Receiver } from "@upstash/qstash";
const receiver = new Receiver({
  currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY!,
  nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY!,
});
export async function verifyQstash(req: any, res: any, next: any) {
  await receiver.verify({ signature: req.header("upstash-signature"), body: req.body });
  next();
}
"#;

#[test]
fn middleware_at_the_mount_verifies_the_routes_below() {
    // Passed before the router in the mounting call.
    let inline = r#"import express from "express";
import { webhooks } from "./routes/webhooks";
import { verifyQstash } from "./verify";
const app = express();
app.use(express.text({ type: "*/*" }));
app.use("/api/webhooks", verifyQstash, webhooks);
app.listen(3000);
"#;
    // Registered on the prefix before the mount.
    let before = r#"import express from "express";
import { webhooks } from "./routes/webhooks";
import { verifyQstash } from "./verify";
const app = express();
app.use(express.text({ type: "*/*" }));
app.use("/api/webhooks", verifyQstash);
app.use("/api/webhooks", webhooks);
app.listen(3000);
"#;
    for server in [inline, before] {
        let dir = project(
            "/api/webhooks/qstash",
            server,
            &[
                ("src/routes/webhooks.ts", WEBHOOKS_ESM),
                ("src/verify.ts", VERIFY),
            ],
        );
        assert!(receivers(dir.path()).is_empty(), "{server}");
    }
    // Middleware on another prefix does not cover the mount.
    let other = before.replace(
        "app.use(\"/api/webhooks\", verifyQstash);",
        "app.use(\"/admin\", verifyQstash);",
    );
    let dir = project(
        "/api/webhooks/qstash",
        &other,
        &[
            ("src/routes/webhooks.ts", WEBHOOKS_ESM),
            ("src/verify.ts", VERIFY),
        ],
    );
    assert_eq!(receivers(dir.path()), ["src/routes/webhooks.ts:3"]);
}

#[test]
fn hono_sub_apps_mount_with_route() {
    let server = r#"import { Hono } from "hono";
import webhooks from "./routes/webhooks";
const app = new Hono();
app.route("/webhooks", webhooks);
export default app;
"#;
    let webhooks = r#"import { Hono } from "hono";
const webhooks = new Hono();
webhooks.post("/qstash", async (c) => {
  const body = await c.req.json();
  return c.json(body);
});
export default webhooks;
"#;
    let dir = project(
        "/webhooks/qstash",
        server,
        &[("src/routes/webhooks.ts", webhooks)],
    );
    assert_eq!(receivers(dir.path()), ["src/routes/webhooks.ts:3"]);
}

#[test]
fn base_paths_prefix_the_routes_of_their_app() {
    let route = "app.post(\"/qstash\", async (c) => {\n  const body = await c.req.json();\n  return c.json(body);\n});\nexport default app;\n";
    for (setup, dest) in [
        ("import { Hono } from \"hono\";\nconst app = new Hono().basePath(\"/api\");\n", "/api/qstash"),
        ("import { Hono } from \"hono\";\nconst app = new Hono().basePath(\"/api\").basePath(\"/v1\");\n", "/api/v1/qstash"),
        ("import { Hono } from \"hono\";\nconst root = new Hono();\nconst app = root.basePath(\"/api\");\n", "/api/qstash"),
        ("import { Elysia } from \"elysia\";\nconst app = new Elysia({ prefix: \"/api\" });\n", "/api/qstash"),
        ("import Router from \"@koa/router\";\nconst app = new Router({ prefix: \"/api\" });\n", "/api/qstash"),
    ] {
        let server = format!("{setup}{route}");
        let dir = project(dest, &server, &[]);
        let line = setup.lines().count() + 1;
        assert_eq!(
            receivers(dir.path()),
            [format!("src/server.ts:{line}")],
            "{server}"
        );
        // The path without the base is not the route.
        let dir = project("/qstash", &server, &[]);
        assert!(receivers(dir.path()).is_empty(), "{server}");
    }
}

/// `verify-parsed-body` diagnostics as `path:line`, with the file of their
/// related location.
fn parsed_bodies(root: &Path) -> Vec<String> {
    diagnostics_of(root, "verify-parsed-body", |d| {
        format!(
            "{}:{} <- {}:{}",
            d["path"].as_str().unwrap_or(""),
            d["line"],
            d["related"][0]["path"].as_str().unwrap_or("-"),
            d["related"][0]["line"],
        )
    })
}

const RAW_ROUTE: &str = r#"import { Router } from "express";
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver({
  currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY!,
  nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY!,
});
export const webhooks = Router();
webhooks.post("/qstash", async (req, res) => {
  try {
    await receiver.verify({ signature: req.header("upstash-signature") ?? "", body: req.body });
  } catch {
    return res.status(401).end();
  }
  res.send("ok");
});
"#;

fn body_server(lines: &str) -> String {
    format!(
        "import express from \"express\";\nimport {{ webhooks }} from \"./routes/webhooks\";\nconst app = express();\n{lines}app.listen(3000);\n"
    )
}

#[test]
fn a_json_parser_where_the_router_is_mounted_parses_its_body() {
    let flagged = body_server("app.use(express.json());\napp.use(\"/api/webhooks\", webhooks);\n");
    let dir = project(
        "/api/webhooks/qstash",
        &flagged,
        &[("src/routes/webhooks.ts", RAW_ROUTE)],
    );
    assert_eq!(
        parsed_bodies(dir.path()),
        ["src/routes/webhooks.ts:10 <- src/server.ts:4"]
    );
    // The parser passed in the mounting call counts too.
    let inline = body_server("app.use(\"/api/webhooks\", express.json(), webhooks);\n");
    let dir = project(
        "/api/webhooks/qstash",
        &inline,
        &[("src/routes/webhooks.ts", RAW_ROUTE)],
    );
    assert_eq!(
        parsed_bodies(dir.path()),
        ["src/routes/webhooks.ts:10 <- src/server.ts:4"]
    );
    // So does verifying middleware of the router's own file.
    let middleware = r#"import { Router } from "express";
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver({
  currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY!,
  nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY!,
});
async function verifyQstash(req: any, res: any, next: any) {
  await receiver.verify({ signature: req.header("upstash-signature") ?? "", body: req.body });
  next();
}
export const webhooks = Router();
webhooks.use(verifyQstash);
webhooks.post("/qstash", async (req, res) => {
  res.send("ok");
});
"#;
    let dir = project(
        "/api/webhooks/qstash",
        &flagged,
        &[("src/routes/webhooks.ts", middleware)],
    );
    assert_eq!(
        parsed_bodies(dir.path()),
        ["src/routes/webhooks.ts:8 <- src/server.ts:4"]
    );
}

#[test]
fn the_body_is_left_alone_when_the_text_survives() {
    for (why, server, route) in [
        (
            "mounted before the JSON parser",
            body_server("app.use(\"/api/webhooks\", webhooks);\napp.use(express.json());\n"),
            RAW_ROUTE.to_string(),
        ),
        (
            "a text parser at the mount",
            body_server("app.use(express.json());\napp.use(\"/api/webhooks\", express.text({ type: \"*/*\" }), webhooks);\n"),
            RAW_ROUTE.to_string(),
        ),
        (
            "the router's file installs its own text parser",
            body_server("app.use(express.json());\napp.use(\"/api/webhooks\", webhooks);\n"),
            RAW_ROUTE.replace(
                "webhooks.post(\"/qstash\", async",
                "webhooks.use(express.text({ type: \"*/*\" }));\nwebhooks.post(\"/qstash\", async",
            ).replace("import { Router } from \"express\";", "import express, { Router } from \"express\";"),
        ),
        (
            "a JSON parser on another prefix",
            body_server("app.use(\"/api/public\", express.json());\napp.use(\"/api/webhooks\", webhooks);\n"),
            RAW_ROUTE.to_string(),
        ),
        (
            "never mounted",
            body_server("app.use(express.json());\n"),
            RAW_ROUTE.to_string(),
        ),
    ] {
        let dir = project(
            "/api/webhooks/qstash",
            &server,
            &[("src/routes/webhooks.ts", &route)],
        );
        assert!(parsed_bodies(dir.path()).is_empty(), "{why}");
    }
}

#[test]
fn express_route_chains_register_each_method() {
    let server = r#"import express from "express";
import { webhooks } from "./routes/webhooks";
const app = express();
app.use("/api", webhooks);
app.listen(3000);
"#;
    let chained = r#"import { Router } from "express";
export const webhooks = Router();
webhooks
  .route("/qstash")
  .get((_req, res) => res.send("alive"))
  .post(async (req, res) => {
    console.log(req.body);
    res.send("ok");
  });
"#;
    let dir = project(
        "/api/qstash",
        server,
        &[("src/routes/webhooks.ts", chained)],
    );
    // The POST is reported (at its method); the GET never receives QStash.
    assert_eq!(receivers(dir.path()), ["src/routes/webhooks.ts:6"]);
    let dir = project("/api/other", server, &[("src/routes/webhooks.ts", chained)]);
    assert!(receivers(dir.path()).is_empty());
}
