//! Receivers on edge runtimes: Cloudflare Workers (linked by the hosts of
//! their wrangler config) and Supabase edge functions (`Deno.serve` at
//! `/functions/v1/<name>`), each with the cases that must not be flagged.

mod disk;

use disk::{path_line_rule, run_json, write};
use std::path::Path;

/// `path:line [rule]` of every `missing-signature-verification` and
/// `unverified-callback` diagnostic, sorted, and the exit code.
fn receivers(root: &Path) -> (Vec<String>, i32) {
    let (diagnostics, code) = run_json(root, &["check", "."]);
    let mut found: Vec<String> = diagnostics
        .iter()
        .filter(|d| {
            matches!(
                d["rule"].as_str(),
                Some("missing-signature-verification" | "unverified-callback")
            )
        })
        .map(path_line_rule)
        .collect();
    found.sort();
    (found, code)
}

fn publisher(root: &Path, urls: &[&str]) {
    let sends: String = urls
        .iter()
        .map(|u| format!("    await qstash.publishJSON({{ url: {u}, body: {{}} }});\n"))
        .collect();
    write(
        root,
        "publisher/send.ts",
        format!(
            "import {{ Client }} from \"@upstash/qstash\";\nconst qstash = new Client({{ token: process.env.QSTASH_TOKEN! }});\nexport async function send() {{\n  try {{\n{sends}  }} catch (e) {{\n    console.error(e);\n  }}\n}}\n"
        ),
    );
}

/// A Worker that never verifies; its comment makes the prefilter parse it
/// whether or not a destination points at it.
const PLAIN_WORKER: &str = "// Jobs from QStash.\nexport default {\n  async fetch(request: Request) {\n    const job = await request.json();\n    return new Response(String(job));\n  },\n};\n";

/// The same without a word of QStash: parsed only as a Worker's entry.
const QUIET_WORKER: &str = "export default {\n  async fetch(request: Request) {\n    const job = await request.json();\n    return new Response(String(job));\n  },\n};\n";

// --- Cloudflare Workers ----------------------------------------------------

#[test]
fn a_workers_dev_host_links_to_the_worker_of_that_name_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "package.json", r#"{ "name": "edge" }"#);
    publisher(r, &["\"https://resizer.acme.workers.dev/jobs\""]);
    write(
        r,
        "resizer/wrangler.toml",
        "name = \"resizer\"\nmain = \"src/index.ts\"\n",
    );
    write(r, "resizer/src/index.ts", QUIET_WORKER);
    // Same code, another name: the destination does not reach it.
    write(
        r,
        "thumbs/wrangler.toml",
        "name = \"resizer-2\"\nmain = \"src/index.ts\"\n",
    );
    write(r, "thumbs/src/index.ts", PLAIN_WORKER);
    let (found, code) = receivers(r);
    assert_eq!(
        found,
        ["resizer/src/index.ts:2 [missing-signature-verification]"]
    );
    assert_eq!(code, 1);
}

#[test]
fn a_destination_whose_host_is_unknown_reaches_no_worker() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "package.json", r#"{ "name": "edge" }"#);
    publisher(
        r,
        &[
            "`${process.env.WORKER_URL}/jobs`",
            "`https://${process.env.SUB}.workers.dev/jobs`",
            "\"/jobs\"",
        ],
    );
    write(
        r,
        "worker/wrangler.toml",
        "name = \"jobs\"\nmain = \"src/index.ts\"\n",
    );
    write(r, "worker/src/index.ts", PLAIN_WORKER);
    assert_eq!(receivers(r).0, Vec::<String>::new());
}

#[test]
fn routes_link_by_host_and_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "package.json", r#"{ "name": "edge" }"#);
    publisher(
        r,
        &[
            "\"https://hooks.example.com/qstash/paid\"",
            "\"https://api.example.com/other\"",
        ],
    );
    write(
        r,
        "hooks/wrangler.json",
        r#"{ "name": "hooks", "main": "src/index.ts", "workers_dev": false,
             "routes": [{ "pattern": "hooks.example.com/qstash/*", "zone_name": "example.com" }] }"#,
    );
    write(r, "hooks/src/index.ts", PLAIN_WORKER);
    // Routed on the same zone but on a path the publish does not use.
    write(
        r,
        "api/wrangler.toml",
        "name = \"api\"\nmain = \"src/index.ts\"\nroute = \"api.example.com/v2/*\"\n",
    );
    write(r, "api/src/index.ts", PLAIN_WORKER);
    assert_eq!(
        receivers(r).0,
        ["hooks/src/index.ts:3 [missing-signature-verification]"]
    );
}

#[test]
fn a_verified_worker_is_clean() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "package.json", r#"{ "name": "edge" }"#);
    publisher(r, &["\"https://verified.acme.workers.dev/\" + \"jobs\""]);
    write(
        r,
        "w/wrangler.toml",
        "name = \"verified\"\nmain = \"src/index.ts\"\n",
    );
    write(
        r,
        "w/src/index.ts",
        "import { Receiver } from \"@upstash/qstash\";\nconst receiver = new Receiver();\nexport default {\n  async fetch(request: Request) {\n    const body = await request.text();\n    await receiver.verify({ signature: request.headers.get(\"upstash-signature\") ?? \"\", body });\n    return new Response(body);\n  },\n} satisfies ExportedHandler;\n",
    );
    assert_eq!(receivers(r).0, Vec::<String>::new());
}

#[test]
fn a_service_worker_is_judged_by_the_function_that_responds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "package.json", r#"{ "name": "edge" }"#);
    publisher(
        r,
        &[
            "\"https://open.acme.workers.dev/x\"",
            "\"https://checked.acme.workers.dev/x\"",
        ],
    );
    let listener = |handle: &str| {
        format!("addEventListener(\"fetch\", (event) => {{\n  event.respondWith(handle(event.request));\n}});\n{handle}")
    };
    write(
        r,
        "open/wrangler.toml",
        "name = \"open\"\nmain = \"index.js\"\n",
    );
    write(
        r,
        "open/index.js",
        listener(
            "async function handle(request) {\n  return new Response(await request.text());\n}\n",
        ),
    );
    write(
        r,
        "checked/wrangler.toml",
        "name = \"checked\"\nmain = \"index.js\"\n",
    );
    write(
        r,
        "checked/index.js",
        listener("import { Receiver } from \"@upstash/qstash\";\nconst receiver = new Receiver();\nasync function handle(request) {\n  const body = await request.text();\n  await receiver.verify({ signature: request.headers.get(\"upstash-signature\"), body });\n  return new Response(body);\n}\n"),
    );
    assert_eq!(
        receivers(r).0,
        ["open/index.js:1 [missing-signature-verification]"]
    );
}

#[test]
fn a_worker_that_reads_the_signature_without_verifying_is_a_receiver() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "package.json", r#"{ "name": "edge" }"#);
    // No wrangler config, no publish: its own code says QStash calls it.
    write(
        r,
        "src/worker.ts",
        "const worker = {\n  fetch: async (request: Request) => {\n    if (!request.headers.get(\"Upstash-Signature\")) return new Response(\"no\", { status: 401 });\n    return new Response(await request.text());\n  },\n};\nexport default worker;\n",
    );
    assert_eq!(
        receivers(r).0,
        ["src/worker.ts:2 [missing-signature-verification]"]
    );
}

#[test]
fn a_hono_app_exported_as_a_worker_keeps_its_own_routes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "package.json", r#"{ "name": "edge" }"#);
    publisher(r, &["\"https://app.acme.workers.dev/jobs/verified\""]);
    write(
        r,
        "wrangler.toml",
        "name = \"app\"\nmain = \"src/index.ts\"\n",
    );
    write(
        r,
        "src/index.ts",
        "import { Hono } from \"hono\";\nimport { Receiver } from \"@upstash/qstash\";\nconst receiver = new Receiver();\nconst app = new Hono();\napp.post(\"/jobs/verified\", async (c) => {\n  const body = await c.req.text();\n  await receiver.verify({ signature: c.req.header(\"upstash-signature\") ?? \"\", body });\n  return c.text(\"ok\");\n});\nexport default { fetch: app.fetch };\n",
    );
    assert_eq!(receivers(r).0, Vec::<String>::new());
}

#[test]
fn a_broken_wrangler_config_gives_no_host() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "package.json", r#"{ "name": "edge" }"#);
    publisher(r, &["\"https://broken.acme.workers.dev/x\""]);
    write(r, "w/wrangler.toml", "name = \"broken\nmain = [\n");
    write(r, "w/src/index.ts", PLAIN_WORKER);
    write(r, "j/wrangler.jsonc", "{ \"name\": \"broken\", ");
    write(r, "j/src/index.ts", PLAIN_WORKER);
    let (found, code) = receivers(r);
    assert_eq!(found, Vec::<String>::new());
    assert_eq!(code, 0);
}

#[test]
fn a_worker_that_is_not_the_configs_main_is_not_served_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "package.json", r#"{ "name": "edge" }"#);
    publisher(r, &["\"https://svc.acme.workers.dev/x\""]);
    write(
        r,
        "wrangler.toml",
        "name = \"svc\"\nmain = \"src/index.ts\"\n",
    );
    write(r, "src/index.ts", PLAIN_WORKER);
    write(r, "scripts/local-mock.ts", PLAIN_WORKER);
    assert_eq!(
        receivers(r).0,
        ["src/index.ts:3 [missing-signature-verification]"]
    );
}

// --- Supabase edge functions -----------------------------------------------

fn supabase(root: &Path) {
    write(
        root,
        "supabase/functions/_shared/qstash.ts",
        "import { Client, Receiver } from \"npm:@upstash/qstash@2.7.0\";\nexport const qstash = new Client({ token: Deno.env.get(\"QSTASH_TOKEN\")! });\nexport const receiver = new Receiver();\n",
    );
}

fn supabase_publisher(root: &Path, names: &[&str]) {
    let sends: String = names
        .iter()
        .map(|n| {
            format!("  await qstash.publishJSON({{ url: `${{Deno.env.get(\"SUPABASE_URL\")}}/functions/v1/{n}`, body: {{}} }}).catch(console.error);\n")
        })
        .collect();
    write(
        root,
        "supabase/functions/enqueue/index.ts",
        format!("import {{ qstash }} from \"../_shared/qstash.ts\";\nDeno.serve(async () => {{\n{sends}  return new Response(\"ok\");\n}});\n"),
    );
}

#[test]
fn supabase_functions_are_served_at_functions_v1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    supabase(r);
    supabase_publisher(
        r,
        &["std-serve", "deno-serve", "options", "verified", "jsr"],
    );
    write(
        r,
        "supabase/functions/std-serve/index.ts",
        "import { serve } from \"https://deno.land/std@0.168.0/http/server.ts\";\nserve(async (req) => new Response(await req.text()));\n",
    );
    write(
        r,
        "supabase/functions/deno-serve/index.ts",
        "Deno.serve(async (req) => new Response(await req.text()));\n",
    );
    write(
        r,
        "supabase/functions/options/index.ts",
        "const handler = async (req: Request) => new Response(await req.text());\nDeno.serve({ port: 8000 }, handler);\n",
    );
    write(
        r,
        "supabase/functions/verified/index.ts",
        "import { receiver } from \"../_shared/qstash.ts\";\nDeno.serve(async (req) => {\n  const body = await req.text();\n  await receiver.verify({ signature: req.headers.get(\"upstash-signature\")!, body });\n  return new Response(body);\n});\n",
    );
    write(
        r,
        "supabase/functions/jsr/index.ts",
        "import { Receiver } from \"jsr:@upstash/qstash\";\nconst receiver = new Receiver();\nDeno.serve(async (req) => {\n  const body = await req.text();\n  await receiver.verify({ signature: req.headers.get(\"upstash-signature\")!, body });\n  return new Response(body);\n});\n",
    );
    assert_eq!(
        receivers(r).0,
        [
            "supabase/functions/deno-serve/index.ts:1 [missing-signature-verification]",
            "supabase/functions/options/index.ts:2 [missing-signature-verification]",
            "supabase/functions/std-serve/index.ts:2 [missing-signature-verification]",
        ]
    );
}

#[test]
fn what_is_not_a_supabase_function_is_not_served_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    supabase(r);
    supabase_publisher(r, &["_shared", "local-serve", "other"]);
    // `_shared` is not a function, even with a server in it.
    write(
        r,
        "supabase/functions/_shared/index.ts",
        "Deno.serve(async (req) => new Response(await req.text()));\n",
    );
    // A `serve` that is not Deno's.
    write(
        r,
        "supabase/functions/local-serve/index.ts",
        "import { serve } from \"./server.ts\";\nserve(async (req: Request) => new Response(await req.text()));\n",
    );
    // A function nothing targets.
    write(
        r,
        "supabase/functions/untargeted/index.ts",
        "Deno.serve(async (req) => new Response(await req.text()));\n",
    );
    // A Deno server outside supabase/functions.
    write(
        r,
        "other/index.ts",
        "Deno.serve(async (req) => new Response(await req.text()));\n",
    );
    assert_eq!(receivers(r).0, Vec::<String>::new());
}

/// A Hono router inside a Supabase function sees paths that start with the
/// function's name and is reached only under its `/functions/v1/<name>`:
/// a destination elsewhere (another service's `/pipeline/run`) does not
/// reach its catch-all, one under the function does.
#[test]
fn a_router_in_a_supabase_function_is_served_under_the_function() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    supabase(r);
    write(
        r,
        "supabase/functions/enqueue/index.ts",
        "import { qstash } from \"../_shared/qstash.ts\";\nDeno.serve(async () => {\n  await qstash.publishJSON({ url: `${Deno.env.get(\"PIPELINE_URL\")}/pipeline/run`, body: {} }).catch(console.error);\n  await qstash.publishJSON({ url: `${Deno.env.get(\"SUPABASE_URL\")}/functions/v1/tools/run`, body: {} }).catch(console.error);\n  return new Response(\"ok\");\n});\n",
    );
    let router = "import { Hono } from \"npm:hono\";\nconst app = new Hono();\napp.all(\"*\", async (c) => c.json(await c.req.json()));\nDeno.serve(app.fetch);\n";
    // Nothing targets `mcp`; `tools` is targeted, under its own name.
    write(r, "supabase/functions/mcp/index.ts", router);
    write(
        r,
        "supabase/functions/tools/index.ts",
        "import { Hono } from \"npm:hono\";\nconst app = new Hono();\napp.post(\"/tools/run\", async (c) => c.json(await c.req.json()));\napp.post(\"/tools/other\", async (c) => c.json(await c.req.json()));\nDeno.serve(app.fetch);\n",
    );
    assert_eq!(
        receivers(r).0,
        ["supabase/functions/tools/index.ts:3 [missing-signature-verification]"]
    );
}
