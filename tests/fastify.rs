//! Fastify plugins: routes registered inside a plugin serve under the
//! `prefix` it is registered with (none for a `fastify-plugin` plugin,
//! whose options Fastify ignores), through nested registers, and hooks that
//! run before the handler (`addHook`, route options) verify the routes of
//! their context.

mod disk;

use assert_cmd::Command;
use disk::{path_line, shown, write};
use std::fs;
use std::path::Path;

/// `path:line` of the `missing-signature-verification` diagnostics, sorted.
fn receivers(root: &Path) -> Vec<String> {
    shown(
        root,
        &["check"],
        |d| d["rule"] == "missing-signature-verification",
        path_line,
    )
}

const VERIFY: &str = r#"import { Receiver } from "@upstash/qstash";
const receiver = new Receiver({
  currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY!,
  nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY!,
});
export async function verifyQstash(request: any, reply: any) {
  await receiver.verify({ signature: request.headers["upstash-signature"], body: request.rawBody });
}
"#;

/// A project that publishes to `dest`, with `src/server.ts` and `files`.
fn project(dest: &str, server: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    fs::create_dir_all(r.join(".git")).expect("git");
    write(
        r,
        "package.json",
        r#"{"dependencies": {"fastify": "4", "fastify-plugin": "4", "@upstash/qstash": "2"}}"#,
    );
    write(
        r,
        "src/jobs.ts",
        format!(
            "import {{ Client }} from \"@upstash/qstash\";\nconst qstash = new Client({{ token: process.env.QSTASH_TOKEN! }});\nexport async function enqueue() {{\n  try {{\n    await qstash.publishJSON({{ url: `${{process.env.APP_URL}}{dest}`, body: {{}} }});\n  }} catch (e) {{\n    console.error(e);\n  }}\n}}\n"
        ),
    );
    write(r, "src/verify.ts", VERIFY);
    write(r, "src/server.ts", server);
    for (rel, text) in files {
        write(r, rel, text);
    }
    dir
}

/// A plugin with one unverified route, `/qstash` on line 3.
const PLUGIN: &str = r#"import type { FastifyInstance } from "fastify";
export default async function webhooks(fastify: FastifyInstance) {
  fastify.post("/qstash", async (request) => ({ got: request.body }));
}
"#;

const SERVER: &str = r#"import Fastify from "fastify";
import webhooks from "./routes/webhooks";
const app = Fastify();
app.register(webhooks, { prefix: "/api/webhooks" });
app.listen({ port: 3000 });
"#;

#[test]
fn a_plugin_serves_under_its_register_prefix() {
    let dir = project(
        "/api/webhooks/qstash",
        SERVER,
        &[("src/routes/webhooks.ts", PLUGIN)],
    );
    assert_eq!(receivers(dir.path()), ["src/routes/webhooks.ts:3"]);
    // The route is not served at its bare path.
    let dir = project("/qstash", SERVER, &[("src/routes/webhooks.ts", PLUGIN)]);
    assert!(receivers(dir.path()).is_empty());
    // Nor when the prefix cannot be known: its routes are unknown.
    let unknown = SERVER.replace("\"/api/webhooks\"", "process.env.PREFIX");
    let dir = project("/qstash", &unknown, &[("src/routes/webhooks.ts", PLUGIN)]);
    assert!(receivers(dir.path()).is_empty());
    let inline = "import Fastify from \"fastify\";\nconst app = Fastify();\napp.register(async (f) => {\n  f.post(\"/qstash\", async () => 1);\n}, { prefix: process.env.PREFIX });\n";
    let dir = project("/qstash", inline, &[]);
    assert!(receivers(dir.path()).is_empty());
    let known = inline.replace("process.env.PREFIX", "\"/v1\"");
    let dir = project("/v1/qstash", &known, &[]);
    assert_eq!(receivers(dir.path()), ["src/server.ts:4"]);
    // A plugin that is an anonymous default export, or a const arrow.
    for plugin in [
        "export default async function (fastify) {\n  fastify.post(\"/qstash\", async () => 1);\n}\n",
        "import type { FastifyPluginAsync } from \"fastify\";\nconst routes: FastifyPluginAsync = async (app) => {\n  app.post(\"/qstash\", async () => 1);\n};\nexport default routes;\n",
    ] {
        let dir = project(
            "/api/webhooks/qstash",
            SERVER,
            &[("src/routes/webhooks.ts", plugin)],
        );
        assert_eq!(receivers(dir.path()).len(), 1, "{plugin}");
    }
}

#[test]
fn nested_registers_add_up_and_an_inline_plugin_shadows_its_parent() {
    let server = r#"import Fastify from "fastify";
import webhooks from "./routes/webhooks";
const fastify = Fastify();
fastify.register(async (fastify) => {
  fastify.register(webhooks, { prefix: "/webhooks" });
  fastify.post("/ping", async () => "pong");
}, { prefix: "/api" });
fastify.listen({ port: 3000 });
"#;
    let dir = project(
        "/api/webhooks/qstash",
        server,
        &[("src/routes/webhooks.ts", PLUGIN)],
    );
    assert_eq!(receivers(dir.path()), ["src/routes/webhooks.ts:3"]);
    let dir = project("/api/ping", server, &[("src/routes/webhooks.ts", PLUGIN)]);
    assert_eq!(receivers(dir.path()), ["src/server.ts:6"]);
    // `/ping` is registered inside the `/api` plugin, not at the root.
    let dir = project("/ping", server, &[("src/routes/webhooks.ts", PLUGIN)]);
    assert!(receivers(dir.path()).is_empty());
}

#[test]
fn fastify_plugin_ignores_the_prefix() {
    let plugin = r#"import fp from "fastify-plugin";
export default fp(async (fastify) => {
  fastify.post("/qstash", async () => 1);
});
"#;
    let server = SERVER.replace(
        "app.register(webhooks, { prefix: \"/api/webhooks\" });",
        "app.register(async (api) => {\n  api.register(webhooks, { prefix: \"/webhooks\" });\n}, { prefix: \"/api\" });",
    );
    let dir = project(
        "/api/qstash",
        &server,
        &[("src/routes/webhooks.ts", plugin)],
    );
    assert_eq!(receivers(dir.path()), ["src/routes/webhooks.ts:3"]);
    let dir = project(
        "/api/webhooks/qstash",
        &server,
        &[("src/routes/webhooks.ts", plugin)],
    );
    assert!(receivers(dir.path()).is_empty());
    // Wrapped where it is registered.
    let local = r#"import Fastify from "fastify";
import fp from "fastify-plugin";
const app = Fastify();
async function routes(fastify) {
  fastify.post("/qstash", async () => 1);
}
app.register(fp(routes), { prefix: "/webhooks" });
"#;
    let dir = project("/qstash", local, &[]);
    assert_eq!(receivers(dir.path()), ["src/server.ts:5"]);
    let dir = project("/webhooks/qstash", local, &[]);
    assert!(receivers(dir.path()).is_empty());
}

#[test]
fn hooks_verify_the_routes_of_their_context() {
    let hooked = r#"import type { FastifyInstance } from "fastify";
import { verifyQstash } from "../verify";
export default async function webhooks(fastify: FastifyInstance) {
  fastify.post("/qstash", async (request) => ({ got: request.body }));
  fastify.addHook("HOOK", verifyQstash);
}
"#;
    for hook in ["preHandler", "onRequest", "preValidation"] {
        let plugin = hooked.replace("HOOK", hook);
        let dir = project(
            "/api/webhooks/qstash",
            SERVER,
            &[("src/routes/webhooks.ts", &plugin)],
        );
        assert!(receivers(dir.path()).is_empty(), "{hook}");
    }
    // onSend runs after the handler: too late.
    let plugin = hooked.replace("HOOK", "onSend");
    let dir = project(
        "/api/webhooks/qstash",
        SERVER,
        &[("src/routes/webhooks.ts", &plugin)],
    );
    assert_eq!(receivers(dir.path()), ["src/routes/webhooks.ts:4"]);
    // A hook of the parent context covers the plugins registered in it.
    let parent = r#"import Fastify from "fastify";
import webhooks from "./routes/webhooks";
import { verifyQstash } from "./verify";
const app = Fastify();
app.register(async (api) => {
  api.addHook("preHandler", verifyQstash);
  api.register(webhooks, { prefix: "/webhooks" });
}, { prefix: "/api" });
app.register(async (admin) => {
  admin.post("/stats", async () => 1);
}, { prefix: "/admin" });
"#;
    let dir = project(
        "/api/webhooks/qstash",
        parent,
        &[("src/routes/webhooks.ts", PLUGIN)],
    );
    assert!(receivers(dir.path()).is_empty());
    // A sibling plugin's hook does not cover another plugin.
    let dir = project(
        "/admin/stats",
        parent,
        &[("src/routes/webhooks.ts", PLUGIN)],
    );
    assert_eq!(receivers(dir.path()), ["src/server.ts:10"]);
}

#[test]
fn route_options_run_hooks_and_route_registers() {
    let routes = r#"import type { FastifyInstance } from "fastify";
import { verifyQstash } from "../verify";
export default async function webhooks(fastify: FastifyInstance) {
  fastify.post("/a", { preHandler: [verifyQstash] }, async () => 1);
  fastify.post("/b", { preHandler: verifyQstash, handler: async () => 1 });
  fastify.route({ method: "POST", url: "/c", onRequest: verifyQstash, handler: async () => 1 });
  fastify.route({ method: ["GET", "POST"], url: "/d", handler: async () => 1 });
  fastify.post("/e", { schema: {} }, async () => 1);
}
"#;
    let at = |dest: &str| {
        let dir = project(
            &format!("/api/webhooks{dest}"),
            SERVER,
            &[("src/routes/webhooks.ts", routes)],
        );
        receivers(dir.path())
    };
    assert!(at("/a").is_empty());
    assert!(at("/b").is_empty());
    assert!(at("/c").is_empty());
    assert_eq!(at("/d"), ["src/routes/webhooks.ts:7"]);
    assert_eq!(at("/e"), ["src/routes/webhooks.ts:8"]);
}

#[test]
fn a_fastify_plugin_hook_runs_for_the_context_it_is_registered_in() {
    let auth = r#"import fp from "fastify-plugin";
import { verifyQstash } from "../verify";
export default fp(async (fastify) => {
  fastify.addHook("preHandler", verifyQstash);
});
"#;
    let server = r#"import Fastify from "fastify";
import qstashAuth from "./plugins/qstash-auth";
import webhooks from "./routes/webhooks";
const app = Fastify();
app.register(async (api) => {
  api.register(qstashAuth);
  api.register(webhooks, { prefix: "/webhooks" });
  api.post("/direct", async () => 1);
}, { prefix: "/api" });
app.post("/outside", async () => 1);
"#;
    let files = [
        ("src/plugins/qstash-auth.ts", auth),
        ("src/routes/webhooks.ts", PLUGIN),
    ];
    for dest in ["/api/webhooks/qstash", "/api/direct"] {
        let dir = project(dest, server, &files);
        assert!(receivers(dir.path()).is_empty(), "{dest}");
    }
    // Outside the context the plugin is registered in.
    let dir = project("/outside", server, &files);
    assert_eq!(receivers(dir.path()), ["src/server.ts:10"]);
    // Without fastify-plugin the hook stays inside its own plugin.
    let encapsulated = auth
        .replace("import fp from \"fastify-plugin\";\n", "")
        .replace(
            "export default fp(async (fastify) => {",
            "export default async function (fastify) {",
        )
        .replace("});\n", "}\n");
    let files = [
        ("src/plugins/qstash-auth.ts", encapsulated.as_str()),
        ("src/routes/webhooks.ts", PLUGIN),
    ];
    let dir = project("/api/webhooks/qstash", server, &files);
    assert_eq!(receivers(dir.path()), ["src/routes/webhooks.ts:3"]);
    // Registered with fp where it is used, in the same file.
    let local = r#"import Fastify from "fastify";
import fp from "fastify-plugin";
import { verifyQstash } from "./verify";
const app = Fastify();
async function auth(fastify) {
  fastify.addHook("onRequest", verifyQstash);
}
app.register(fp(auth));
app.post("/direct", async () => 1);
"#;
    let dir = project("/direct", local, &[]);
    assert!(receivers(dir.path()).is_empty());
    let plain = local.replace("app.register(fp(auth));", "app.register(auth);");
    let dir = project("/direct", &plain, &[]);
    assert_eq!(receivers(dir.path()), ["src/server.ts:9"]);
}

#[test]
fn a_partial_run_keeps_the_mount() {
    let dir = project(
        "/api/webhooks/qstash",
        SERVER,
        &[("src/routes/webhooks.ts", PLUGIN)],
    );
    let out = Command::cargo_bin("qstash-lint")
        .expect("binary")
        .args(["check", "src/routes/webhooks.ts", "--format", "concise"])
        .current_dir(dir.path())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("src/routes/webhooks.ts:3:3: error [missing-signature-verification]"),
        "{text}"
    );
}

#[test]
fn commonjs_plugins_mount_through_require() {
    let server = r#"const fastify = require("fastify")();
fastify.register(require("./routes/webhooks"), { prefix: "/api/webhooks" });
fastify.listen({ port: 3000 });
"#;
    for plugin in [
        "module.exports = async function (fastify, opts) {\n  fastify.post(\"/qstash\", async () => 1);\n};\n",
        "module.exports = async function webhooks(fastify, opts) {\n  fastify.post(\"/qstash\", async () => 1);\n};\n",
        "const fp = require(\"fastify-plugin\");\nmodule.exports = fp(async (fastify) => {\n  fastify.post(\"/qstash\", async () => 1);\n});\n",
    ] {
        let dest = if plugin.contains("fp(") {
            "/qstash"
        } else {
            "/api/webhooks/qstash"
        };
        let dir = project(dest, server, &[("src/routes/webhooks.js", plugin)]);
        assert_eq!(receivers(dir.path()).len(), 1, "{plugin}");
    }
}
