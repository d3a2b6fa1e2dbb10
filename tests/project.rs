//! The project link: values and clients follow imports across files
//! (relative paths, tsconfig `paths`, re-exports, CommonJS, workspace
//! packages), and what does not resolve stays unknown.

mod disk;

use assert_cmd::Command;
use disk::write;
use std::fs;
use std::path::Path;

/// `path:line [rule]` for every diagnostic but the send-flow rules' (their
/// own tests use [`lint_all`]), sorted.
fn lint(root: &Path, args: &[&str]) -> Vec<String> {
    lint_all(root, args)
        .into_iter()
        .filter(|d| !d.ends_with("[unhandled-publish]") && !d.ends_with("[floating-publish]"))
        .collect()
}

/// `path:line [rule]` for every diagnostic, sorted.
fn lint_all(root: &Path, args: &[&str]) -> Vec<String> {
    let out = Command::cargo_bin("qstash-lint")
        .expect("binary")
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .current_dir(root)
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    v["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .map(|d| {
            format!(
                "{}:{} [{}]",
                d["path"].as_str().unwrap_or(""),
                d["line"],
                d["rule"].as_str().unwrap_or("")
            )
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn next_app() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(
        r,
        "package.json",
        r#"{ "name": "app", "dependencies": { "@upstash/qstash": "2" } }"#,
    );
    write(
        r,
        "tsconfig.json",
        r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./src/*"] } } }"#,
    );
    write(
        r,
        "src/lib/qstash.ts",
        "import { Client } from \"@upstash/qstash\";\nexport const qstash = new Client({ token: process.env.QSTASH_TOKEN! });\nexport function getQstash() {\n  return new Client();\n}\n",
    );
    // No mention of QStash here: parsed only because a QStash file imports it.
    write(
        r,
        "src/lib/constants.ts",
        "export const APP_URL = \"http://localhost:3000\";\nexport const PUBLIC_URL = \"https://app.example.com\";\nexport const DELAY = \"5 minutes\";\n",
    );
    write(
        r,
        "src/lib/index.ts",
        "export * from \"./constants\";\nexport { qstash as client } from \"./qstash\";\n",
    );
    dir
}

#[test]
fn imported_clients_and_consts_fold_across_files() {
    let dir = next_app();
    let r = dir.path();
    write(
        r,
        "src/app/api/a/route.ts",
        "import { qstash } from \"@/lib/qstash\";\nimport { APP_URL, DELAY } from \"../../../lib/constants\";\nexport async function POST() {\n  await qstash.publishJSON({ url: `${APP_URL}/api/b`, body: {}, delay: DELAY });\n  return new Response(\"ok\");\n}\n",
    );
    write(
        r,
        "src/app/api/c/route.ts",
        "import { getQstash } from \"@/lib/qstash\";\nimport * as consts from \"@/lib/constants\";\nexport async function POST() {\n  await getQstash().schedules.create({ cron: \"* * * * *\" });\n  await getQstash().publishJSON({ url: `${consts.PUBLIC_URL}/api/d`, body: {} });\n  return new Response(\"ok\");\n}\n",
    );
    write(
        r,
        "src/app/api/e/route.ts",
        "import { client, APP_URL } from \"@/lib\";\nexport async function POST() {\n  await client.publishJSON({ url: APP_URL + \"/x\" });\n  return new Response(\"ok\");\n}\n",
    );
    assert_eq!(
        lint(r, &[]),
        [
            "src/app/api/a/route.ts:4 [invalid-delay]",
            "src/app/api/a/route.ts:4 [localhost-destination]",
            "src/app/api/c/route.ts:4 [missing-destination]",
            "src/app/api/e/route.ts:3 [localhost-destination]",
        ]
    );
}

#[test]
fn a_single_file_check_keeps_project_context() {
    let dir = next_app();
    let r = dir.path();
    write(
        r,
        "src/app/api/a/route.ts",
        "import { qstash } from \"@/lib/qstash\";\nimport { APP_URL } from \"@/lib/constants\";\nexport const POST = () => qstash.publishJSON({ url: `${APP_URL}/api/b` });\n",
    );
    assert_eq!(
        lint(r, &["src/app/api/a/route.ts"]),
        ["src/app/api/a/route.ts:3 [localhost-destination]"]
    );
}

#[test]
fn imports_that_are_not_qstash_clients_are_left_alone() {
    let dir = next_app();
    let r = dir.path();
    // A project class with a `publish` method is not QStash.
    write(
        r,
        "src/lib/bus.ts",
        "class Client { publish(_: unknown) {} }\nexport const bus = new Client();\n",
    );
    write(
        r,
        "src/app/api/a/route.ts",
        "import { bus } from \"@/lib/bus\";\nimport { somethingElse } from \"@/lib/missing\";\n// qstash\nexport async function POST() {\n  bus.publish({ body: 1 });\n  somethingElse.publishJSON({ body: 1 });\n  return new Response(\"ok\");\n}\n",
    );
    assert!(lint(r, &[]).is_empty());
}

#[test]
fn commonjs_and_default_exports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "package.json", "{}");
    write(
        r,
        "lib/qstash.js",
        "const { Client } = require(\"@upstash/qstash\");\nconst qstash = new Client();\nmodule.exports = { qstash, BASE: \"http://10.0.0.5:8080\" };\n",
    );
    write(
        r,
        "lib/default-client.ts",
        "import { Client } from \"@upstash/qstash\";\nexport default new Client();\n",
    );
    write(
        r,
        "jobs/send.js",
        "const { qstash, BASE } = require(\"../lib/qstash\");\nasync function run() {\n  await qstash.publishJSON({ url: BASE + \"/job\" });\n}\nmodule.exports = { run };\n",
    );
    write(
        r,
        "jobs/other.ts",
        "import client from \"../lib/default-client\";\nexport const go = () => client.schedules.create({ destination: \"https://x.example.com\", cron: \"61 * * * *\" });\n",
    );
    assert_eq!(
        lint(r, &[]),
        [
            "jobs/other.ts:2 [invalid-cron]",
            "jobs/send.js:3 [localhost-destination]"
        ]
    );
}

#[test]
fn a_client_imported_from_a_dev_server_module_excuses_local_destinations() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "package.json", "{}");
    write(
        r,
        "lib/qstash.ts",
        "import { Client } from \"@upstash/qstash\";\nexport const qstash = new Client({ baseUrl: \"http://127.0.0.1:8080\", token: process.env.QSTASH_TOKEN });\n",
    );
    write(
        r,
        "scripts/dev.ts",
        "import { qstash } from \"../lib/qstash\";\nawait qstash.publishJSON({ url: \"http://localhost:4000/api/hook\" });\n",
    );
    assert!(lint(r, &[]).is_empty());
}

/// A Next.js app whose `send` route publishes to three routes in other files.
fn receivers_app() -> tempfile::TempDir {
    let dir = next_app();
    let r = dir.path();
    write(
        r,
        "src/lib/urls.ts",
        "export const BASE = process.env.APP_URL!;\n",
    );
    write(
        r,
        "src/lib/verify.ts",
        "import { Receiver } from \"@upstash/qstash\";\nconst receiver = new Receiver();\nexport async function verifyRequest(req: Request) {\n  const body = await req.text();\n  await receiver.verify({ signature: req.headers.get(\"upstash-signature\") ?? \"\", body });\n  return body;\n}\n",
    );
    write(
        r,
        "src/app/api/send/route.ts",
        "import { qstash } from \"@/lib/qstash\";\nimport { BASE } from \"@/lib/urls\";\nexport async function POST() {\n  try {\n    await qstash.publishJSON({ url: `${BASE}/api/worker/42`, body: {}, callback: `${BASE}/api/done` });\n    await qstash.publishJSON({ url: `${BASE}/api/verified`, body: {} });\n  } catch {\n    return new Response(\"failed\", { status: 503 });\n  }\n  return new Response(\"ok\");\n}\n",
    );
    // Mentions nothing about QStash: found because a destination points at it.
    write(
        r,
        "src/app/api/worker/[id]/route.ts",
        "export async function POST(req: Request) {\n  return Response.json(await req.json());\n}\nexport async function GET() {\n  return new Response(\"ok\");\n}\n",
    );
    write(
        r,
        "src/app/(hooks)/api/done/route.ts",
        "export async function POST(req: Request) {\n  return new Response(await req.text());\n}\n",
    );
    write(
        r,
        "src/app/api/verified/route.ts",
        "import { verifyRequest } from \"@/lib/verify\";\nexport async function POST(req: Request) {\n  const body = await verifyRequest(req);\n  return new Response(body);\n}\n",
    );
    // Nothing publishes here, and it authenticates with a secret.
    write(
        r,
        "src/app/api/cron/route.ts",
        "export async function POST(req: Request) {\n  if (req.headers.get(\"authorization\") !== `Bearer ${process.env.CRON_SECRET}`) {\n    return new Response(\"no\", { status: 401 });\n  }\n  return new Response(\"ok\");\n}\n",
    );
    dir
}

#[test]
fn destinations_reach_handlers_in_other_files() {
    let dir = receivers_app();
    assert_eq!(
        lint(dir.path(), &[]),
        [
            "src/app/(hooks)/api/done/route.ts:1 [unverified-callback]",
            "src/app/api/worker/[id]/route.ts:1 [missing-signature-verification]",
        ]
    );
}

#[test]
fn a_receiver_diagnostic_names_the_publish_that_targets_it() {
    let dir = receivers_app();
    let out = Command::cargo_bin("qstash-lint")
        .expect("binary")
        .args([
            "check",
            "--format",
            "json",
            "src/app/api/worker/[id]/route.ts",
        ])
        .current_dir(dir.path())
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let d = &v["diagnostics"][0];
    assert_eq!(d["rule"], "missing-signature-verification");
    assert_eq!(d["related"][0]["path"], "src/app/api/send/route.ts");
    assert_eq!(d["related"][0]["line"], 5);
    assert_eq!(v["files"], 1);
}

#[test]
fn verified_handlers_are_left_alone() {
    let dir = receivers_app();
    let r = dir.path();
    write(
        r,
        "src/app/api/worker/[id]/route.ts",
        "import { verifySignatureAppRouter } from \"@upstash/qstash/nextjs\";\nexport const POST = verifySignatureAppRouter(async (req: Request) => Response.json(await req.json()));\n",
    );
    write(
        r,
        "src/lib/with-qstash.ts",
        "import { verifySignatureAppRouter } from \"@upstash/qstash/nextjs\";\nexport function withQstash(handler: (req: Request) => Promise<Response>) {\n  return verifySignatureAppRouter(handler);\n}\n",
    );
    write(
        r,
        "src/app/(hooks)/api/done/route.ts",
        "import { withQstash } from \"@/lib/with-qstash\";\n// export const POST = verifySignatureAppRouter(handler);\nexport const POST = withQstash(async (req) => new Response(await req.text()));\n",
    );
    assert!(lint(r, &[]).is_empty(), "{:?}", lint(r, &[]));
}

#[test]
fn express_routes_and_middleware() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "package.json", "{}");
    write(
        r,
        "src/verify.ts",
        "import { Receiver } from \"@upstash/qstash\";\nconst receiver = new Receiver();\nexport async function verifyQstash(req: any, res: any, next: any) {\n  await receiver.verify({ signature: req.headers[\"upstash-signature\"], body: req.body });\n  next();\n}\n",
    );
    write(
        r,
        "src/server.ts",
        "import express from \"express\";\nimport { Client } from \"@upstash/qstash\";\nimport { verifyQstash } from \"./verify\";\nconst app = express();\nconst qstash = new Client();\napp.post(\"/enqueue\", async (_req, res) => {\n  try { await qstash.publishJSON({ url: \"https://api.example.com/jobs/run\" }); } catch { return res.sendStatus(503); }\n  res.sendStatus(202);\n});\napp.post(\"/jobs/run\", async (req, res) => { res.json(req.body); });\napp.post(\"/jobs/other\", verifyQstash, async (req, res) => { res.json(req.body); });\n",
    );
    assert_eq!(
        lint(r, &[]),
        ["src/server.ts:10 [missing-signature-verification]"]
    );
}

#[test]
fn url_helpers_in_other_files_fold_at_each_call() {
    let dir = next_app();
    let r = dir.path();
    write(
        r,
        "src/lib/urls.ts",
        "export function absoluteUrl(path: string) {\n  return `http://localhost:3000${path}`;\n}\nexport const workerUrl = (id: string) => `${process.env.APP_URL}/api/worker/${id}`;\n",
    );
    write(
        r,
        "src/app/api/send/route.ts",
        "import { qstash } from \"@/lib/qstash\";\nimport { absoluteUrl, workerUrl } from \"@/lib/urls\";\nexport async function POST() {\n  try {\n    await qstash.publishJSON({ url: absoluteUrl(\"/api/a\") });\n    await qstash.publishJSON({ url: workerUrl(\"7\") });\n  } catch {\n    return new Response(\"failed\", { status: 503 });\n  }\n  return new Response(\"ok\");\n}\n",
    );
    write(
        r,
        "src/app/api/worker/[id]/route.ts",
        "export async function POST() {\n  return new Response(\"ok\");\n}\n",
    );
    assert_eq!(
        lint(r, &[]),
        [
            "src/app/api/send/route.ts:5 [localhost-destination]",
            "src/app/api/worker/[id]/route.ts:1 [missing-signature-verification]",
        ]
    );
}

#[test]
fn development_only_values_stay_development_only_across_files() {
    let dir = next_app();
    let r = dir.path();
    write(
        r,
        "src/lib/urls.ts",
        "export const APP_URL = process.env.APP_URL ?? \"http://localhost:3000\";\nexport function absoluteUrl(path: string) {\n  if (process.env.NODE_ENV === \"development\") return `http://localhost:3000${path}`;\n  return `https://${process.env.VERCEL_URL}${path}`;\n}\n",
    );
    write(
        r,
        "src/app/api/send/route.ts",
        "import { qstash } from \"@/lib/qstash\";\nimport { APP_URL, absoluteUrl } from \"@/lib/urls\";\nexport async function POST() {\n  try {\n    await qstash.publishJSON({ url: `${APP_URL}/api/a` });\n    await qstash.publishJSON({ url: absoluteUrl(\"/api/b\") });\n  } catch {\n    return new Response(\"failed\", { status: 503 });\n  }\n  return new Response(\"ok\");\n}\n",
    );
    assert!(lint(r, &[]).is_empty(), "{:?}", lint(r, &[]));
}

/// An Express server with a shared receiver and client in `src/qstash.ts`.
fn express_app(server: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "package.json", "{}");
    write(
        r,
        "src/qstash.ts",
        "import { Client, Receiver } from \"@upstash/qstash\";\nexport const qstash = new Client();\nexport const receiver = new Receiver();\nexport async function verifyQstash(req: any, res: any, next: any) {\n  try {\n    await receiver.verify({ signature: req.header(\"upstash-signature\") ?? \"\", body: req.rawBody });\n  } catch {\n    return res.status(401).end();\n  }\n  next();\n}\n",
    );
    write(
        r,
        "src/handlers.ts",
        "import { receiver } from \"./qstash\";\nexport async function handleFulfil(req: any, res: any) {\n  await receiver.verify({ signature: req.header(\"upstash-signature\") ?? \"\", body: req.rawBody });\n  res.send(\"ok\");\n}\n",
    );
    write(r, "src/server.ts", server);
    dir
}

const PUBLISHES: &str = "import { qstash } from \"./qstash\";\nconst BASE = \"https://shop.example.com\";\nexport async function enqueue() {\n  try {\n    await qstash.publishJSON({ url: `${BASE}/jobs/a` });\n    await qstash.publishJSON({ url: `${BASE}/admin/purge` });\n    await qstash.publishJSON({ url: `${BASE}/api/jobs/fulfil` });\n    await qstash.publishJSON({ url: `${BASE}/jobs/fulfil` });\n    await qstash.publishJSON({ url: `${BASE}/inline` });\n  } catch {}\n}\n";

#[test]
fn express_middleware_is_scoped_to_its_router_and_path() {
    let dir = express_app(
        "import express from \"express\";\nimport { verifyQstash } from \"./qstash\";\nconst app = express();\nconst jobs = express.Router();\napp.use(\"/jobs\", verifyQstash);\njobs.use(verifyQstash);\napp.post(\"/jobs/a\", async (req, res) => { res.send(\"ok\"); });\napp.post(\"/admin/purge\", async (req, res) => { res.send(\"ok\"); });\njobs.post(\"/fulfil\", async (req, res) => { res.send(\"ok\"); });\napp.use(\"/api/jobs\", jobs);\n",
    );
    write(dir.path(), "src/publish.ts", PUBLISHES);
    assert_eq!(
        lint(dir.path(), &[]),
        ["src/server.ts:8 [missing-signature-verification]"]
    );
}

#[test]
fn mounted_routers_get_their_prefix() {
    let dir = express_app(
        "import express from \"express\";\nconst app = express();\nconst jobs = express.Router();\njobs.post(\"/fulfil\", async (req, res) => { res.send(\"ok\"); });\napp.use(\"/api/jobs\", jobs);\n",
    );
    write(dir.path(), "src/publish.ts", PUBLISHES);
    assert_eq!(
        lint(dir.path(), &[]),
        ["src/server.ts:4 [missing-signature-verification]"]
    );
}

#[test]
fn imported_handlers_and_inline_middleware_that_verify_count() {
    let dir = express_app(
        "import express from \"express\";\nimport { handleFulfil } from \"./handlers\";\nimport { receiver } from \"./qstash\";\nconst app = express();\napp.post(\"/jobs/fulfil\", handleFulfil);\napp.post(\"/inline\", async (req, res, next) => {\n  try {\n    await receiver.verify({ signature: req.header(\"upstash-signature\") ?? \"\", body: req.rawBody });\n    next();\n  } catch {\n    res.status(401).end();\n  }\n}, async (req, res) => { res.send(\"ok\"); });\n",
    );
    write(dir.path(), "src/publish.ts", PUBLISHES);
    assert!(
        lint(dir.path(), &[]).is_empty(),
        "{:?}",
        lint(dir.path(), &[])
    );
}

#[test]
fn nuxt_method_suffixes_and_object_handlers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "package.json", "{}");
    write(
        r,
        "nuxt.config.ts",
        "export default defineNuxtConfig({});\n",
    );
    write(
        r,
        "server/utils/qstash.ts",
        "import { Client, Receiver } from \"@upstash/qstash\";\nexport const qstash = new Client();\nexport const receiver = new Receiver();\nexport const send = () => qstash.publishJSON({ url: `${process.env.APP_URL}/api/jobs/receipt` }).catch(() => {});\n",
    );
    write(
        r,
        "server/api/jobs/receipt.get.ts",
        "export default defineEventHandler(async () => ({ receipts: [] }));\n",
    );
    write(
        r,
        "server/api/jobs/receipt.post.ts",
        "import { receiver } from \"../../utils/qstash\";\nexport default defineEventHandler({\n  onRequest: [],\n  handler: async (event) => {\n    const body = (await readRawBody(event)) ?? \"\";\n    await receiver.verify({ signature: getHeader(event, \"upstash-signature\") ?? \"\", body });\n    return { ok: true };\n  },\n});\n",
    );
    assert!(lint(r, &[]).is_empty(), "{:?}", lint(r, &[]));
}

#[test]
fn sveltekit_and_nuxt_aliases_resolve_without_generated_configs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "svelte/package.json", "{}");
    write(r, "svelte/svelte.config.js", "export default {};\n");
    // The generated `.svelte-kit/tsconfig.json` is not in the repository.
    write(
        r,
        "svelte/tsconfig.json",
        "{ \"extends\": \"./.svelte-kit/tsconfig.json\" }",
    );
    write(
        r,
        "svelte/src/lib/server/qstash.ts",
        "import { Client } from \"@upstash/qstash\";\nexport const qstash = new Client();\nexport const jobUrl = (name: string) => `https://app.example.com/api/jobs/${name}`;\n",
    );
    write(
        r,
        "svelte/src/routes/api/send/+server.ts",
        "import { qstash, jobUrl } from \"$lib/server/qstash\";\nexport async function POST() {\n  await qstash.publishJSON({ url: jobUrl(\"notify\") }).catch(() => {});\n  return new Response(\"ok\");\n}\n",
    );
    write(
        r,
        "svelte/src/routes/api/jobs/notify/+server.ts",
        "export async function POST() {\n  return new Response(\"ok\");\n}\n",
    );
    write(r, "nuxt/package.json", "{}");
    write(
        r,
        "nuxt/nuxt.config.ts",
        "export default defineNuxtConfig({});\n",
    );
    write(
        r,
        "nuxt/server/utils/qstash.ts",
        "import { Client } from \"@upstash/qstash\";\nexport const qstash = new Client();\n",
    );
    write(
        r,
        "nuxt/server/api/send.post.ts",
        "import { qstash } from \"~/server/utils/qstash\";\nexport default defineEventHandler(async () => {\n  await qstash.publishJSON({ url: \"http://localhost:3000/api/x\" }).catch(() => {});\n  return { ok: true };\n});\n",
    );
    assert_eq!(
        lint(r, &[]),
        [
            "nuxt/server/api/send.post.ts:3 [localhost-destination]",
            "svelte/src/routes/api/jobs/notify/+server.ts:1 [missing-signature-verification]",
        ]
    );
}

#[test]
fn next_middleware_covers_only_its_matcher() {
    let dir = receivers_app();
    let r = dir.path();
    let middleware = |matcher: &str| {
        format!(
            "import {{ Receiver }} from \"@upstash/qstash\";\nconst receiver = new Receiver();\nexport async function middleware(request: Request) {{\n  await receiver.verify({{ signature: request.headers.get(\"upstash-signature\") ?? \"\", body: await request.clone().text() }});\n}}\n{matcher}"
        )
    };
    // Without a matcher it runs on every route: nothing is left unverified.
    write(r, "src/middleware.ts", middleware(""));
    assert!(lint(r, &[]).is_empty(), "{:?}", lint(r, &[]));
    // With a matcher, only the matched routes are covered.
    write(
        r,
        "src/middleware.ts",
        middleware("export const config = { matcher: [\"/api/worker/:path*\"] };\n"),
    );
    assert_eq!(
        lint(r, &[]),
        ["src/app/(hooks)/api/done/route.ts:1 [unverified-callback]"]
    );
}

/// Senders are recorded across files: functions that send, and functions
/// that call them.
#[test]
fn senders_are_recorded_across_files() {
    use qstash_lint::link::{Linker, Resolve};
    use qstash_lint::receivers::FileInput;
    use qstash_lint::sendflow::senders;
    use std::collections::HashMap;
    use std::path::PathBuf;

    struct Map(HashMap<String, PathBuf>);
    impl Resolve for Map {
        fn resolve(&self, _: &Path, specifier: &str) -> Option<PathBuf> {
            self.0.get(specifier).cloned()
        }
    }
    let lib = PathBuf::from("/p/lib/email.ts");
    let route = PathBuf::from("/p/app/signup.ts");
    let sources = [
        (
            lib.clone(),
            "import { Client } from \"@upstash/qstash\";\nconst qstash = new Client();\nexport function enqueueEmail(to: string) {\n  return qstash.publishJSON({ url: \"https://a.example.com/email\", body: { to } });\n}\nexport function unrelated() { return 1; }\n",
        ),
        (
            route.clone(),
            "import { enqueueEmail } from \"../lib/email\";\nexport async function signUp(email: string) {\n  await enqueueEmail(email);\n}\nexport async function other() {}\n",
        ),
    ];
    let facts: Vec<(PathBuf, qstash_lint::facts::FileFacts)> = sources
        .iter()
        .map(|(p, src)| {
            let parsed = qstash_lint::parse::parse(p, src).expect("parses");
            (
                p.clone(),
                qstash_lint::facts::extract::extract(&parsed.program, qstash_lint::parse::BASE),
            )
        })
        .collect();
    let resolver = Map(HashMap::from([("../lib/email".to_string(), lib.clone())]));
    let by_path: qstash_lint::hash::HashMap<PathBuf, &qstash_lint::facts::FileFacts> =
        facts.iter().map(|(p, f)| (p.clone(), f)).collect();
    let linker = Linker::new(&by_path, &resolver);
    let linked: Vec<(PathBuf, qstash_lint::facts::FileFacts)> = facts
        .iter()
        .map(|(p, f)| (p.clone(), linker.link(p, f).0))
        .collect();
    let inputs: Vec<FileInput> = linked
        .iter()
        .map(|(p, f)| FileInput {
            path: p,
            facts: f,
            receiver_glob: false,
        })
        .collect();
    let mut found: Vec<(PathBuf, String)> = senders(&inputs, &resolver).into_keys().collect();
    found.sort();
    assert_eq!(
        found,
        [
            (route, "signUp".to_string()),
            (lib, "enqueueEmail".to_string())
        ]
    );
}

#[test]
fn senders_are_followed_to_their_callers_in_other_files() {
    let dir = next_app();
    let r = dir.path();
    // Mentions nothing about QStash itself.
    write(
        r,
        "src/lib/email.ts",
        "import { qstash } from \"./qstash\";\nexport function enqueueEmail(to: string) {\n  return qstash.publishJSON({ url: \"https://app.example.com/api/email\", body: { to } });\n}\n",
    );
    write(
        r,
        "src/app/api/signup/route.ts",
        "import { enqueueEmail } from \"@/lib/email\";\nexport async function POST(req: Request) {\n  const { email } = await req.json();\n  await enqueueEmail(email);\n  return new Response(\"ok\");\n}\n",
    );
    write(
        r,
        "src/app/api/invite/route.ts",
        "import { enqueueEmail } from \"@/lib/email\";\nexport async function POST(req: Request) {\n  try {\n    await enqueueEmail((await req.json()).email);\n  } catch {\n    return new Response(\"failed\", { status: 503 });\n  }\n  return new Response(\"ok\");\n}\n",
    );
    write(
        r,
        "src/app/api/ping/route.ts",
        "import { enqueueEmail } from \"@/lib/email\";\nexport async function POST() {\n  enqueueEmail(\"ops@example.com\");\n  return new Response(\"ok\");\n}\n",
    );
    assert_eq!(
        lint_all(r, &[]),
        [
            "src/app/api/ping/route.ts:3 [floating-publish]",
            "src/app/api/signup/route.ts:4 [unhandled-publish]"
        ]
    );
    let out = Command::cargo_bin("qstash-lint")
        .expect("binary")
        .args(["check", "--format", "json", "src/app/api/signup/route.ts"])
        .current_dir(r)
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let d = &v["diagnostics"][0];
    assert_eq!(d["rule"], "unhandled-publish");
    assert_eq!(d["related"][0]["path"], "src/lib/email.ts");
    assert_eq!(d["related"][0]["line"], 3);
}

#[test]
fn raw_rest_sends_reach_routes_too() {
    let dir = next_app();
    let r = dir.path();
    write(
        r,
        "src/lib/raw.ts",
        "export async function enqueueRaw() {\n  try {\n    await fetch(`${process.env.QSTASH_URL}/v2/publish/https://app.example.com/api/raw-target`, {\n      method: \"POST\",\n      headers: { Authorization: `Bearer ${process.env.QSTASH_TOKEN}` },\n    });\n  } catch {}\n}\n",
    );
    write(
        r,
        "src/app/api/raw-target/route.ts",
        "export async function POST() {\n  return new Response(\"ok\");\n}\n",
    );
    // `fetch` resolves on a 4xx or 5xx: the try/catch does not see it.
    assert_eq!(
        lint_all(r, &[]),
        [
            "src/app/api/raw-target/route.ts:1 [missing-signature-verification]",
            "src/lib/raw.ts:3 [unhandled-publish]"
        ]
    );
    // The status checked; GET and DELETE of a schedule read and delete.
    write(
        r,
        "src/lib/raw.ts",
        "export async function enqueueRaw() {\n  try {\n    const res = await fetch(`${process.env.QSTASH_URL}/v2/publish/https://app.example.com/api/raw-target`, {\n      method: \"POST\",\n      headers: { Authorization: `Bearer ${process.env.QSTASH_TOKEN}` },\n    });\n    if (!res.ok) throw new Error(await res.text());\n  } catch (e) {\n    console.error(e);\n  }\n}\nexport async function readSchedule(id: string) {\n  await fetch(`${process.env.QSTASH_URL}/v2/schedules/${id}`, { headers: {} });\n  await fetch(`${process.env.QSTASH_URL}/v2/schedules/${id}`, { method: \"DELETE\" });\n}\n",
    );
    assert_eq!(
        lint_all(r, &[]),
        ["src/app/api/raw-target/route.ts:1 [missing-signature-verification]"]
    );
}

/// The related location of a destination built from an imported const or
/// helper names the file and line of the literal, through a barrel.
#[test]
fn an_imported_url_names_the_literal_it_comes_from() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    fs::create_dir_all(r.join(".git")).expect("git");
    write(r, "package.json", "{}");
    write(
        r,
        "lib/constants.ts",
        "export const APP_URL = \"http://api.example.com\";\nexport const urlFor = (p: string) => `http://hooks.example.com${p}`;\nexport const LOCAL = \"http://localhost:3000\";\n",
    );
    write(r, "lib/index.ts", "export * from \"./constants\";\n");
    write(
        r,
        "send.ts",
        "import { Client } from \"@upstash/qstash\";\nimport { APP_URL, urlFor, LOCAL } from \"./lib\";\nconst qstash = new Client({ token: process.env.QSTASH_TOKEN! });\nexport async function go() {\n  try {\n    await qstash.publishJSON({ url: `${APP_URL}/api/a`, body: {} });\n    await qstash.publishJSON({ url: urlFor(\"/api/b\"), body: {} });\n    await qstash.publishJSON({ url: `${LOCAL}/api/c`, body: {} });\n    await qstash.publishJSON({ url: \"http://inline.example.com/api/d\", body: {} });\n  } catch {}\n}\n",
    );
    let out = Command::cargo_bin("qstash-lint")
        .expect("binary")
        .args(["check", "--format", "json"])
        .current_dir(r)
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let found: Vec<String> = v["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .map(|d| {
            let related: Vec<String> = d["related"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| {
                    format!(
                        "{}:{}:{}",
                        r["path"].as_str().unwrap_or(""),
                        r["line"],
                        r["column"]
                    )
                })
                .collect();
            format!(
                "{}:{} [{}] {}",
                d["path"].as_str().unwrap_or(""),
                d["line"],
                d["rule"].as_str().unwrap_or(""),
                related.join(",")
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            "send.ts:6 [insecure-http-destination] lib/constants.ts:1:24",
            "send.ts:7 [insecure-http-destination] lib/constants.ts:2:39",
            "send.ts:8 [localhost-destination] lib/constants.ts:3:22",
            "send.ts:9 [insecure-http-destination] ",
        ]
    );
    // The fix rewrites `http://` only where the literal is in the file.
    let before = fs::read_to_string(r.join("lib/constants.ts")).expect("read");
    Command::cargo_bin("qstash-lint")
        .expect("binary")
        .args(["check", "--fix", "--unsafe-fixes", "--exit-zero"])
        .current_dir(r)
        .output()
        .expect("runs");
    assert_eq!(
        fs::read_to_string(r.join("lib/constants.ts")).expect("read"),
        before
    );
    let fixed = fs::read_to_string(r.join("send.ts")).expect("read");
    assert!(
        fixed.contains("\"https://inline.example.com/api/d\""),
        "{fixed}"
    );
    assert!(fixed.contains("`${APP_URL}/api/a`"), "{fixed}");
}

/// A route whose handler is another module's export (`export { POST } from
/// …`, `export const POST = handle`) is judged by that export; one that
/// cannot be seen is not judged.
#[test]
fn handlers_imported_from_other_modules_are_judged_where_defined() {
    let dir = next_app();
    let r = dir.path();
    write(
        r,
        "src/lib/handlers.ts",
        "import { verifySignatureAppRouter } from \"@upstash/qstash/nextjs\";\nexport async function plain(req: Request) {\n  return Response.json(await req.json());\n}\nexport const verified = verifySignatureAppRouter(async (req: Request) => new Response(\"ok\"));\nexport { plain as POST };\n",
    );
    write(r, "src/lib/index.ts", "export * from \"./handlers\";\n");
    write(
        r,
        "src/lib/send.ts",
        "import { qstash } from \"@/lib/qstash\";\nexport async function go() {\n  try {\n    await qstash.publishJSON({ url: \"https://example.com/api/a\", body: {} });\n    await qstash.publishJSON({ url: \"https://example.com/api/b\", body: {} });\n    await qstash.publishJSON({ url: \"https://example.com/api/c\", body: {} });\n    await qstash.publishJSON({ url: \"https://example.com/api/d\", body: {} });\n    await qstash.publishJSON({ url: \"https://example.com/api/e\", body: {} });\n  } catch {}\n}\n",
    );
    // Re-exported, unverified.
    write(
        r,
        "src/app/api/a/route.ts",
        "export { POST } from \"@/lib/handlers\";\n",
    );
    // Aliased through a barrel, unverified.
    write(
        r,
        "src/app/api/b/route.ts",
        "import { plain } from \"@/lib\";\nexport const POST = plain;\n",
    );
    // Aliased, verified where it is defined.
    write(
        r,
        "src/app/api/c/route.ts",
        "import { verified } from \"@/lib/handlers\";\nexport const POST = verified;\n",
    );
    write(
        r,
        "src/app/api/d/route.ts",
        "export { verified as POST } from \"@/lib/handlers\";\n",
    );
    // From a package that is not part of the project: not judged.
    write(
        r,
        "src/app/api/e/route.ts",
        "export { POST } from \"@acme/handlers\";\n",
    );
    assert_eq!(
        lint(r, &[]),
        [
            "src/app/api/a/route.ts:1 [missing-signature-verification]",
            "src/app/api/b/route.ts:2 [missing-signature-verification]",
        ]
    );
}

/// A handler destructured from a workflow `serve` call and exported later
/// (`const { handler } = serve(...); export default handler`, h3/Nuxt, and
/// `servePagesRouter`) is served by the workflow, which verifies; a route
/// that only reads the header is flagged.
#[test]
fn destructured_workflow_handlers_are_workflows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    fs::create_dir_all(r.join(".git")).expect("git");
    write(
        r,
        "package.json",
        r#"{ "name": "n", "dependencies": { "nuxt": "3" } }"#,
    );
    write(r, "nuxt.config.ts", "export default {};\n");
    write(
        r,
        "server/api/workflow.post.ts",
        "import { serve } from \"@upstash/workflow/h3\";\nconst { handler } = serve(async (context) => {\n  await context.run(\"a\", () => 1);\n});\nexport default handler;\n",
    );
    write(
        r,
        "server/api/plain.post.ts",
        "export default defineEventHandler(async (event) => {\n  const sig = getHeader(event, \"upstash-signature\");\n  return { ok: true, sig };\n});\n",
    );
    write(
        r,
        "server/utils/q.ts",
        "import { Client } from \"@upstash/workflow\";\nconst c = new Client({ token: process.env.QSTASH_TOKEN! });\nexport async function start() {\n  try {\n    await c.trigger({ url: `${process.env.APP_URL}/api/workflow` });\n    await c.trigger({ url: `${process.env.APP_URL}/api/plain` });\n  } catch {}\n}\n",
    );
    assert_eq!(
        lint_all(r, &[]),
        ["server/api/plain.post.ts:1 [missing-signature-verification]"]
    );
}

/// A resolver handed to an RPC procedure builder reports failure by
/// throwing: where the package depends on the framework (here through the
/// workspace root), the framework answers the client with the error, so an
/// awaited publish in it is handled; a floating one is not. Without the
/// dependency, `.mutation(fn)` or `.handler(fn)` is any library's, and
/// nothing handles it; each framework's dependency answers for its own.
#[test]
fn procedure_resolvers_report_failure_to_their_client() {
    let router = "import { Client } from \"@upstash/qstash\";\nimport { t } from \"./t\";\nconst qstash = new Client();\nasync function start() {\n  await qstash.publishJSON({ url: \"https://a.example.com/x\" });\n}\nexport const router = t.router({\n  a: t.procedure.mutation(async () => {\n    await qstash.publishJSON({ url: \"https://a.example.com/x\" });\n  }),\n  b: t.procedure.input(1).mutation(start),\n  c: t.procedure.query(async () => {\n    qstash.publishJSON({ url: \"https://a.example.com/x\" });\n  }),\n});\n";
    let orpc = "import { Client } from \"@upstash/qstash\";\nimport { os } from \"@orpc/server\";\nconst qstash = new Client();\nexport const run = os.handler(async () => {\n  await qstash.publishJSON({ url: \"https://a.example.com/x\" });\n});\n";
    let project = |root_deps: &str| {
        let dir = tempfile::tempdir().expect("tempdir");
        let r = dir.path();
        write(
            r,
            "package.json",
            format!(
                r#"{{ "name": "root", "workspaces": ["packages/*"], "dependencies": {{ {root_deps} }} }}"#
            ),
        );
        write(r, "packages/api/package.json", r#"{ "name": "api" }"#);
        write(r, "packages/api/src/t.ts", "export const t = {} as any;\n");
        write(r, "packages/api/src/router.ts", router);
        write(r, "packages/api/src/orpc.ts", orpc);
        dir
    };
    let both = project(r#""@trpc/server": "11", "@orpc/server": "1""#);
    assert_eq!(
        lint_all(both.path(), &[]),
        ["packages/api/src/router.ts:13 [floating-publish]"]
    );
    // Each framework's dependency answers for its own procedures only.
    let trpc_only = project(r#""@trpc/server": "11""#);
    assert_eq!(
        lint_all(trpc_only.path(), &[]),
        [
            "packages/api/src/orpc.ts:5 [unhandled-publish]",
            "packages/api/src/router.ts:13 [floating-publish]",
        ]
    );
    let without = project("");
    assert_eq!(
        lint_all(without.path(), &[]),
        [
            "packages/api/src/orpc.ts:5 [unhandled-publish]",
            "packages/api/src/router.ts:13 [floating-publish]",
            "packages/api/src/router.ts:5 [unhandled-publish]",
            "packages/api/src/router.ts:9 [unhandled-publish]",
        ]
    );
}

/// What a route handler calls is followed (files parsed) only once the
/// route may receive QStash messages: a destination reaches it, or one of
/// its sends would be reported (a verifier behind its calls makes it a
/// receiver, whose sends QStash retries). Either way a verifier six
/// helpers away, behind a link the importer scan does not see, is found.
#[test]
fn verifiers_deep_behind_a_route_handler_are_found() {
    let dir = next_app();
    let r = dir.path();
    write(
        r,
        "src/lib/verify.ts",
        "import { Receiver } from \"@upstash/qstash\";\nconst receiver = new Receiver({ currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY!, nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY! });\nexport async function verifyQstash(req: Request, body: string) {\n  await receiver.verify({ signature: req.headers.get(\"upstash-signature\") ?? \"\", body });\n}\n",
    );
    // Two chains of helpers that never mention QStash, one per route. The
    // third helper imports the second through an alias whose name is not
    // the module's: the importer scan, which matches specifiers to module
    // names before resolving, does not see past it; following the route
    // handler's calls does.
    write(
        r,
        "tsconfig.json",
        r##"{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./src/*"], "#job-step": ["./src/lib/job2.ts"], "#relay-step": ["./src/lib/relay2.ts"] } } }"##,
    );
    for chain in ["job", "relay"] {
        let mut callee = ("./verify".to_string(), "verifyQstash".to_string());
        for step in 1..=6 {
            if step == 3 {
                callee.0 = format!("#{chain}-step");
            }
            let f = format!("{chain}{step}");
            write(
                r,
                &format!("src/lib/{f}.ts"),
                format!(
                    "import {{ {name} }} from \"{spec}\";\nexport async function {f}(req: Request, body: string) {{\n  await {name}(req, body);\n}}\n",
                    name = callee.1,
                    spec = callee.0
                ),
            );
            callee = (format!("./{f}"), f);
        }
    }
    let guarded = |chain: &str, send: &str| {
        format!("import {{ qstash }} from \"@/lib/qstash\";\nimport {{ {chain}6 }} from \"@/lib/{chain}6\";\nexport async function POST(req: Request) {{\n  const body = await req.text();\n  await {chain}6(req, body);\n  {send}\n  return new Response(\"ok\");\n}}\n")
    };
    let publish = "await qstash.publishJSON({ url: \"https://elsewhere.example.com/x\" });";
    // Targeted and verified deep down: no diagnostic.
    write(r, "src/app/api/job/route.ts", guarded("job", ""));
    // Not targeted, verified deep down, with a send: a receiver's send.
    write(r, "src/app/api/relay/route.ts", guarded("relay", publish));
    // The same two without the check: reported.
    write(
        r,
        "src/app/api/open/route.ts",
        "export async function POST(req: Request) {\n  return new Response(await req.text());\n}\n",
    );
    write(
        r,
        "src/app/api/plain/route.ts",
        format!("import {{ qstash }} from \"@/lib/qstash\";\nexport async function POST() {{\n  {publish}\n  return new Response(\"ok\");\n}}\n"),
    );
    write(
        r,
        "src/lib/jobs.ts",
        "import { qstash } from \"./qstash\";\nexport async function start() {\n  try {\n    await qstash.publishJSON({ url: \"https://app.example.com/api/job\" });\n    await qstash.publishJSON({ url: \"https://app.example.com/api/open\" });\n  } catch {}\n}\n",
    );
    assert_eq!(
        lint_all(r, &[]),
        [
            "src/app/api/open/route.ts:1 [missing-signature-verification]",
            "src/app/api/plain/route.ts:3 [unhandled-publish]",
        ]
    );
}

/// A send's failure is followed up through its callers at any depth: each
/// caller that awaits it is parsed, round after round, from the send's
/// side, up to the route handler that loses it.
#[test]
fn a_lost_send_is_found_behind_a_long_chain_of_callers() {
    let dir = next_app();
    let r = dir.path();
    write(
        r,
        "src/lib/queue.ts",
        "import { qstash } from \"./qstash\";\nexport async function step0() {\n  await qstash.publishJSON({ url: \"https://elsewhere.example.com/x\" });\n}\n",
    );
    let mut previous = ("./queue".to_string(), "step0".to_string());
    for step in 1..=6 {
        let name = format!("step{step}");
        write(
            r,
            &format!("src/lib/{name}.ts"),
            format!(
                "import {{ {callee} }} from \"{spec}\";\nexport async function {name}() {{\n  await {callee}();\n}}\n",
                callee = previous.1,
                spec = previous.0
            ),
        );
        previous = (format!("./{name}"), name);
    }
    write(
        r,
        "src/app/api/run/route.ts",
        "import { step6 } from \"@/lib/step6\";\nexport async function POST() {\n  await step6();\n  return new Response(\"ok\");\n}\n",
    );
    assert_eq!(
        lint_all(r, &[]),
        ["src/app/api/run/route.ts:3 [unhandled-publish]"]
    );
}

/// `link::may_change` lets the project link skip copying a file's facts:
/// it must never say "nothing to link" of facts that linking changes. Every
/// fixture file is linked alone (imports unknown, imported receivers
/// dropped, which changes the most) and compared.
#[test]
fn facts_that_linking_cannot_change_are_left_as_they_are() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut skipped = 0;
    let mut changed = 0;
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(d) = dirs.pop() {
        for e in fs::read_dir(&d)
            .expect("fixture dir")
            .filter_map(Result::ok)
        {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    for p in &files {
        let lintable = p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ["ts", "tsx", "js", "mjs", "cjs"].contains(&e));
        let Some(src) = lintable.then(|| fs::read_to_string(p).ok()).flatten() else {
            continue;
        };
        let Ok(parsed) = qstash_lint::parse::parse(p, &src) else {
            continue;
        };
        let facts = qstash_lint::facts::extract::extract(&parsed.program, qstash_lint::parse::BASE);
        let linked = qstash_lint::link::link_alone(&facts);
        if qstash_lint::link::may_change(&facts) {
            changed += usize::from(linked != facts);
        } else {
            assert_eq!(
                linked,
                facts,
                "{}: linking changed facts said to be unchangeable",
                p.display()
            );
            skipped += 1;
        }
    }
    // Both sides are exercised, or the test proves nothing.
    assert!(
        skipped > 10 && changed > 10,
        "skipped {skipped}, changed {changed}"
    );
}

/// A route QStash targets that checks a secret from env is authenticated
/// another way, unless the same condition also lets a request in on what
/// any caller can send (a header's presence, a user agent), or the check
/// decides nothing.
#[test]
fn a_secret_check_with_a_forgeable_way_around_it_authenticates_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(
        r,
        "package.json",
        r#"{"name":"app","dependencies":{"next":"15.0.0","@upstash/qstash":"2.8.0"}}"#,
    );
    let routes = [
        "or-header",
        "or-user-agent",
        "reject-form",
        "unused",
        "plain",
        "named-gate",
        "both-required",
        "ternary",
        "or-awaited-check",
        "or-config-secret",
        "or-literal-token",
    ];
    let schedules: String = routes
        .iter()
        .map(|r| format!("  await qstash.schedules.create({{ destination: `${{process.env.APP_URL}}/api/cron/{r}`, cron: \"0 * * * *\" }});\n"))
        .collect();
    write(
        r,
        "scripts/schedule.ts",
        format!("import {{ Client }} from \"@upstash/qstash\";\nconst qstash = new Client({{ token: process.env.QSTASH_TOKEN! }});\nexport async function main() {{\n{schedules}}}\nmain().catch(console.error);\n"),
    );
    let route = |name: &str, body: &str| {
        write(
            r,
            &format!("app/api/cron/{name}/route.ts"),
            format!("export async function GET(request: Request) {{\n{body}  return Response.json({{ ok: true }});\n}}\n"),
        )
    };
    // Flagged: a header's presence admits anyone.
    route(
        "or-header",
        "  const secret = request.headers.get(\"x-cron-secret\");\n  const ok = secret && secret === process.env.CRON_SECRET;\n  const signed = request.headers.has(\"upstash-signature\");\n  if (!(ok || signed)) return new Response(\"no\", { status: 401 });\n",
    );
    // Flagged: so does a user agent, through consts, named anything.
    route(
        "or-user-agent",
        "  const key = request.headers.get(\"x-api-key\");\n  const valid = key === process.env.CRON_API_KEY;\n  const ua = request.headers.get(\"user-agent\") || \"\";\n  const fromUpstash = ua.toLowerCase().includes(\"upstash\");\n  if (valid || (request.headers.has(\"upstash-signature\") && fromUpstash)) {\n    console.log(\"in\");\n  } else {\n    return new Response(\"no\", { status: 401 });\n  }\n",
    );
    // Flagged: the rejecting form of the same way around.
    route(
        "reject-form",
        "  const auth = request.headers.get(\"authorization\");\n  if (auth !== `Bearer ${process.env.CRON_SECRET}` && !request.headers.get(\"upstash-signature\")) {\n    return new Response(\"no\", { status: 401 });\n  }\n",
    );
    // Flagged: compared, never tested.
    route(
        "unused",
        "  const auth = request.headers.get(\"authorization\");\n  const valid = auth === `Bearer ${process.env.CRON_SECRET}`;\n  console.log(valid, request.headers.get(\"upstash-signature\"));\n",
    );
    // Not flagged: the secret decides.
    route(
        "plain",
        "  if (request.headers.get(\"authorization\") !== `Bearer ${process.env.CRON_SECRET}`) {\n    return new Response(\"no\", { status: 401 });\n  }\n",
    );
    route(
        "named-gate",
        "  const key = request.headers.get(\"x-api-key\");\n  const isAuthorized = Boolean(key) && key === process.env.CRON_API_KEY;\n  if (!isAuthorized) return new Response(\"no\", { status: 401 });\n",
    );
    // Not flagged: the header is a second requirement, not a way around.
    route(
        "both-required",
        "  const key = request.headers.get(\"x-api-key\");\n  if (key === process.env.CRON_API_KEY && request.headers.has(\"upstash-signature\")) {\n    console.log(\"in\");\n  } else {\n    return new Response(\"no\", { status: 401 });\n  }\n",
    );
    route(
        "ternary",
        "  const key = request.headers.get(\"x-api-key\");\n  const denied = key !== process.env.CRON_API_KEY ? new Response(\"no\", { status: 401 }) : null;\n  if (denied) return denied;\n",
    );
    // Not flagged: the other way in awaits a project function, which may
    // verify; it is judged as a verifier, not guessed at here.
    route(
        "or-awaited-check",
        "  const key = request.headers.get(\"x-api-key\");\n  const valid = key === process.env.CRON_API_KEY;\n  const other = await checkElsewhere(request.headers);\n  if (!valid && !other) return new Response(\"no\", { status: 401 });\n",
    );
    // Not flagged: the other way in compares the header with a value the
    // analysis cannot read (an imported config secret).
    route(
        "or-config-secret",
        "  console.log(request.headers.get(\"upstash-signature\"));\n  const key = request.headers.get(\"x-api-key\");\n  if (key !== process.env.CRON_API_KEY && key !== config.legacyKey) return new Response(\"no\", { status: 401 });\n",
    );
    // Flagged: a header compared with a literal is something anyone sends.
    route(
        "or-literal-token",
        "  console.log(request.headers.get(\"upstash-signature\"));\n  const key = request.headers.get(\"x-api-key\");\n  if (key !== process.env.CRON_API_KEY && !(request.headers.get(\"user-agent\") === \"Upstash-QStash\")) return new Response(\"no\", { status: 401 });\n",
    );
    write(
        r,
        "app/api/cron/or-awaited-check/check.ts",
        "export async function checkElsewhere(h: Headers) { return h.get(\"x-token\") === process.env.TOKEN; }\n",
    );
    let flagged: Vec<String> = lint(r, &[])
        .into_iter()
        .filter(|d| d.ends_with("[missing-signature-verification]"))
        .collect();
    assert_eq!(
        flagged,
        [
            "app/api/cron/or-header/route.ts:1 [missing-signature-verification]",
            "app/api/cron/or-literal-token/route.ts:1 [missing-signature-verification]",
            "app/api/cron/or-user-agent/route.ts:1 [missing-signature-verification]",
            "app/api/cron/reject-form/route.ts:1 [missing-signature-verification]",
            "app/api/cron/unused/route.ts:1 [missing-signature-verification]",
        ]
    );
}

/// A send helper that takes its destination as a parameter (`publishTo(url)`,
/// `enqueue(path)` with a template around it): each call names a
/// destination, and the route it reaches is a receiver. The related
/// location is the argument at the call.
#[test]
fn a_destination_passed_to_a_send_helper_reaches_its_route() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(
        r,
        "package.json",
        r#"{"name":"app","dependencies":{"next":"15.0.0","@upstash/qstash":"2.8.0"}}"#,
    );
    write(
        r,
        "lib/queue.ts",
        "import { Client } from \"@upstash/qstash\";\nconst qstash = new Client({ token: process.env.QSTASH_TOKEN! });\nexport async function enqueue(path: string, body: unknown) {\n  await qstash.publishJSON({ url: `${process.env.APP_URL}${path}`, body });\n}\nexport async function publishTo(url: string) {\n  await qstash.publishJSON({ url, body: {} });\n}\nexport async function fanOut(url: string, urls: string[]) {\n  console.log(url);\n  await Promise.all(urls.map((url) => qstash.publishJSON({ url, body: {} })));\n}\n",
    );
    write(
        r,
        "app/api/start/route.ts",
        "import { enqueue, fanOut, publishTo } from \"@/lib/queue\";\nimport { track } from \"@/lib/track\";\nexport async function POST() {\n  try {\n    await enqueue(\"/api/jobs/resize\", {});\n    await publishTo(`${process.env.APP_URL}/api/jobs/direct`);\n    await fanOut(`${process.env.APP_URL}/api/jobs/shadowed`, []);\n  } catch {\n    return new Response(\"failed\", { status: 503 });\n  }\n  track(\"/api/jobs/tracked\");\n  return new Response(\"ok\");\n}\n",
    );
    write(
        r,
        "tsconfig.json",
        r#"{"compilerOptions":{"baseUrl":".","paths":{"@/*":["./*"]}}}"#,
    );
    write(
        r,
        "lib/track.ts",
        "export function track(path: string) {\n  console.log(path);\n}\n",
    );
    let plain = "export async function POST(req: Request) {\n  return Response.json(await req.json());\n}\n";
    // Reached through the helpers: flagged.
    write(r, "app/api/jobs/resize/route.ts", plain);
    write(r, "app/api/jobs/direct/route.ts", plain);
    // Named only in a call of a function that does not send: not reached.
    write(r, "app/api/jobs/tracked/route.ts", plain);
    // Named by no call.
    write(r, "app/api/jobs/other/route.ts", plain);
    // Passed as a parameter that the send does not use: the send's `url`
    // is the nested callback's own parameter.
    write(r, "app/api/jobs/shadowed/route.ts", plain);
    assert_eq!(
        lint(r, &[]),
        [
            "app/api/jobs/direct/route.ts:1 [missing-signature-verification]",
            "app/api/jobs/resize/route.ts:1 [missing-signature-verification]",
        ]
    );
    // The related location is the argument that names the route.
    let related: Vec<String> = disk::run_json(r, &["check"])
        .0
        .iter()
        .filter(|d| d["rule"] == "missing-signature-verification")
        .flat_map(|d| d["related"].as_array().cloned().unwrap_or_default())
        .map(|rel| format!("{}:{}", rel["path"].as_str().unwrap_or(""), rel["line"]))
        .collect();
    assert_eq!(
        related,
        ["app/api/start/route.ts:6", "app/api/start/route.ts:5"]
    );
}

/// A handler bound with `let` and assigned in branches is judged by every
/// value it may hold: one wrapped with a verify wrapper verifies it (the
/// other answers an error); two unverified ones do not.
#[test]
fn a_handler_assigned_in_branches_is_verified_by_any_verified_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(
        r,
        "package.json",
        r#"{"name":"app","dependencies":{"next":"15.0.0","@upstash/qstash":"2.8.0"}}"#,
    );
    write(
        r,
        "lib/send.ts",
        "import { Client } from \"@upstash/qstash\";\nconst qstash = new Client({ token: process.env.QSTASH_TOKEN! });\nexport async function main() {\n  await qstash.publishJSON({ url: `${process.env.APP_URL}/api/branches`, body: {} });\n  await qstash.publishJSON({ url: `${process.env.APP_URL}/api/plain`, body: {} });\n}\nmain().catch(console.error);\n",
    );
    write(
        r,
        "app/api/branches/route.ts",
        "import { verifySignatureAppRouter } from \"@upstash/qstash/nextjs\";\nasync function handler(req: Request) {\n  return Response.json(await req.json());\n}\nlet POST: (req: Request) => Promise<Response>;\nif (process.env.QSTASH_CURRENT_SIGNING_KEY) {\n  POST = verifySignatureAppRouter(handler);\n} else {\n  POST = async () => Response.json({ error: \"not configured\" }, { status: 500 });\n}\nexport { POST };\n",
    );
    write(
        r,
        "app/api/plain/route.ts",
        "async function handler(req: Request) {\n  return Response.json(await req.json());\n}\nlet POST = handler;\nif (process.env.DEBUG) {\n  POST = async (req: Request) => Response.json(await req.text());\n}\nexport { POST };\n",
    );
    let flagged: Vec<String> = lint(r, &[])
        .into_iter()
        .filter(|d| d.ends_with("[missing-signature-verification]"))
        .collect();
    assert_eq!(flagged.len(), 1, "{flagged:?}");
    assert!(
        flagged[0].starts_with("app/api/plain/route.ts:"),
        "{flagged:?}"
    );
}

/// A parsed body handed to a project function that passes that parameter
/// to `verify` as the body is flagged at the argument, with the verify
/// call as the related location; through a re-export too. The raw text,
/// an argument in another position, a function that verifies something
/// else, and a non-verifier are left alone.
#[test]
fn a_parsed_body_handed_to_a_verifier_function_is_flagged_at_the_argument() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(
        r,
        "package.json",
        r#"{"name":"app","dependencies":{"@vercel/node":"3.0.0","@upstash/qstash":"2.8.0"}}"#,
    );
    write(
        r,
        "api/_lib/qstash.ts",
        "import { Receiver } from \"@upstash/qstash\";\nconst receiver = new Receiver();\nexport async function verifyBody(signature: string, body: string, url: string): Promise<boolean> {\n  try {\n    await receiver.verify({ signature, body, url });\n    return true;\n  } catch {\n    return false;\n  }\n}\nexport async function verifyText(signature: string, note: string, text: string) {\n  console.log(note);\n  await receiver.verify({ signature, body: text });\n}\nexport async function verifyOwn(signature: string, body: string) {\n  const raw = body.trim();\n  { const body = raw; await receiver.verify({ signature, body }); }\n}\nexport function audit(body: string) {\n  console.log(body);\n}\n",
    );
    write(r, "api/_lib/index.ts", "export * from \"./qstash\";\n");
    let handler = |call: &str| {
        format!(
            "import type {{ VercelRequest, VercelResponse }} from \"@vercel/node\";\nimport {{ audit, verifyBody, verifyOwn, verifyText }} from \"./_lib/index\";\nexport default async function handler(req: VercelRequest, res: VercelResponse) {{\n  const signature = String(req.headers[\"upstash-signature\"]);\n  const body = typeof req.body === \"string\" ? req.body : JSON.stringify(req.body ?? {{}});\n  {call}\n  res.status(200).end();\n}}\n"
        )
    };
    // Flagged: the re-serialised body reaches `verify` as its body.
    write(
        r,
        "api/stringified.ts",
        handler("if (!(await verifyBody(signature, body, `https://x.dev${req.url}`))) return res.status(401).end();"),
    );
    write(
        r,
        "api/third.ts",
        handler("await verifyText(signature, \"hi\", JSON.stringify(req.body));"),
    );
    // Left alone: in a position the verifier does not verify, a verifier
    // whose body is its own binding, a function that does not verify.
    write(
        r,
        "api/note.ts",
        handler("await verifyText(signature, body, \"raw\");"),
    );
    write(
        r,
        "api/own.ts",
        handler("await verifyOwn(signature, body);"),
    );
    write(
        r,
        "api/audit.ts",
        handler("await verifyText(signature, \"audit\", await readRaw(req)); audit(body);"),
    );
    assert_eq!(
        lint(r, &[]),
        [
            "api/stringified.ts:6 [verify-parsed-body]",
            "api/third.ts:6 [verify-parsed-body]",
        ]
    );
    let related: Vec<String> = disk::run_json(r, &["check"])
        .0
        .iter()
        .flat_map(|d| d["related"].as_array().cloned().unwrap_or_default())
        .map(|rel| format!("{}:{}", rel["path"].as_str().unwrap_or(""), rel["line"]))
        .collect();
    assert_eq!(related, ["api/_lib/qstash.ts:5", "api/_lib/qstash.ts:13"]);
}

/// A wrapper in a module that never mentions QStash, behind a barrel, is
/// still read when a handler hands it a callback that sends (inline or a
/// named function): whether it awaits the callback inside `try` decides
/// whether the send's failure is handled. What the wrapper module itself
/// calls (a module that neither verifies nor sends) changes nothing.
#[test]
fn a_callback_handed_to_a_wrapper_behind_a_barrel_is_judged_by_the_wrapper() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    next_project(r);
    write(
        r,
        "lib/queue.ts",
        "import { Client } from \"@upstash/qstash\";\nconst qstash = new Client({ token: process.env.QSTASH_TOKEN! });\nexport async function enqueue() {\n  await qstash.publishJSON({ url: \"https://example.com/api/jobs\", body: {} });\n}\n",
    );
    write(r, "lib/auth/index.ts", "export * from \"./team\";\n");
    write(
        r,
        "lib/auth/team.ts",
        "import { log } from \"../log\";\ntype H = (req: Request) => Promise<Response>;\nexport function withTeam(handler: H): H {\n  return async (req) => {\n    log(\"team\");\n    return handler(req);\n  };\n}\nexport function withSafeTeam(handler: H): H {\n  return async (req) => {\n    try {\n      return await handler(req);\n    } catch {\n      return new Response(\"failed\", { status: 500 });\n    }\n  };\n}\n",
    );
    write(
        r,
        "lib/log.ts",
        "export function log(m: string) {\n  console.log(m);\n}\n",
    );
    write(
        r,
        "app/api/inline/route.ts",
        "import { withTeam } from \"@/lib/auth\";\nimport { enqueue } from \"@/lib/queue\";\nexport const POST = withTeam(async () => {\n  await enqueue();\n  return new Response(\"ok\");\n});\n",
    );
    write(
        r,
        "app/api/named/route.ts",
        "import { withTeam } from \"@/lib/auth\";\nimport { enqueue } from \"@/lib/queue\";\nasync function handler() {\n  await enqueue();\n  return new Response(\"ok\");\n}\nexport const POST = withTeam(handler);\n",
    );
    write(
        r,
        "app/api/safe/route.ts",
        "import { withSafeTeam } from \"@/lib/auth\";\nimport { enqueue } from \"@/lib/queue\";\nexport const POST = withSafeTeam(async () => {\n  await enqueue();\n  return new Response(\"ok\");\n});\n",
    );
    assert_eq!(
        lint_all(r, &[]),
        [
            "app/api/inline/route.ts:4 [unhandled-publish]",
            "app/api/named/route.ts:4 [unhandled-publish]",
        ]
    );
}

/// A send helper whose send is handled inside it still has its callers
/// read: they name the destinations. A module whose sends are all handled
/// where they are made has no caller that could lose a message.
#[test]
fn callers_of_a_handled_send_helper_still_name_its_destinations() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    next_project(r);
    write(
        r,
        "lib/jobs.ts",
        "import { Client } from \"@upstash/qstash\";\nconst qstash = new Client({ token: process.env.QSTASH_TOKEN! });\nexport async function publishTo(path: string) {\n  try {\n    await qstash.publishJSON({ url: `${process.env.APP_URL}${path}`, body: {} });\n  } catch (err) {\n    console.error(err);\n  }\n}\n",
    );
    write(
        r,
        "app/api/start/route.ts",
        "import { publishTo } from \"@/lib/jobs\";\nexport async function POST() {\n  await publishTo(\"/api/jobs/resize\");\n  return new Response(\"ok\");\n}\n",
    );
    write(
        r,
        "app/api/jobs/resize/route.ts",
        "export async function POST(req: Request) {\n  return Response.json(await req.json());\n}\n",
    );
    assert_eq!(
        lint_all(r, &[]),
        ["app/api/jobs/resize/route.ts:1 [missing-signature-verification]"]
    );
}

/// A Next.js app that depends on QStash, with the `@/*` path alias.
fn next_project(r: &Path) {
    write(
        r,
        "package.json",
        r#"{"name":"app","dependencies":{"next":"15.0.0","@upstash/qstash":"2.8.0"}}"#,
    );
    write(
        r,
        "tsconfig.json",
        r#"{"compilerOptions":{"baseUrl":".","paths":{"@/*":["./*"]}}}"#,
    );
}
