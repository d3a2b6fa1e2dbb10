//! A SvelteKit `handle` hook that verifies the QStash signature verifies the
//! `+server` endpoints the paths it checks let through, and no others.

mod disk;

use disk::{shown, write};
use std::path::Path;

/// The files flagged `missing-signature-verification`, sorted.
fn flagged(root: &Path) -> Vec<String> {
    shown(
        root,
        &["check", "."],
        |d| d["rule"] == "missing-signature-verification",
        |d| d["path"].as_str().unwrap_or("").to_string(),
    )
}

const ENDPOINT: &str = "export const POST = async ({ request }: { request: Request }) => new Response(await request.text());\n";

/// A SvelteKit app whose publisher targets each of `routes` (endpoints that
/// never verify) and whose `src/hooks.server.ts` is `hook`.
fn app(routes: &[&str], hook: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "package.json", r#"{ "name": "kit", "type": "module" }"#);
    write(r, "svelte.config.js", "export default { kit: {} };\n");
    write(
        r,
        "src/lib/qstash.ts",
        "import { Client, Receiver } from \"@upstash/qstash\";\nexport const qstash = new Client({ token: process.env.QSTASH_TOKEN! });\nexport const receiver = new Receiver();\nexport async function verifyQstash(request: Request) {\n  await receiver.verify({ signature: request.headers.get(\"upstash-signature\") ?? \"\", body: await request.clone().text() });\n}\n",
    );
    let sends: String = routes
        .iter()
        .map(|p| format!("    await qstash.publishJSON({{ url: `${{process.env.APP_URL}}{p}`, body: {{}} }});\n"))
        .collect();
    write(
        r,
        "src/lib/send.ts",
        format!("import {{ qstash }} from \"./qstash\";\nexport async function send() {{\n  try {{\n{sends}  }} catch (e) {{\n    console.error(e);\n  }}\n}}\n"),
    );
    for p in routes {
        write(r, &format!("src/routes{p}/+server.ts"), ENDPOINT);
    }
    write(r, "src/hooks.server.ts", hook);
    dir
}

fn endpoint(route: &str) -> String {
    format!("src/routes{route}/+server.ts")
}

#[test]
fn an_unconditional_verify_covers_every_endpoint() {
    let dir = app(
        &["/api/a", "/jobs/b"],
        "import { receiver } from \"$lib/qstash\";\nexport async function handle({ event, resolve }) {\n  await receiver.verify({ signature: event.request.headers.get(\"upstash-signature\") ?? \"\", body: await event.request.clone().text() });\n  return resolve(event);\n}\n",
    );
    assert_eq!(flagged(dir.path()), Vec::<String>::new());
}

#[test]
fn a_prefix_check_covers_only_the_endpoints_under_it() {
    let dir = app(
        &["/api/qstash/a", "/api/qstash-legacy/b", "/api/other", "/api/[name]"],
        "import { verifyQstash } from \"./lib/qstash\";\nexport const handle = async ({ event, resolve }) => {\n  if (event.url.pathname.startsWith(\"/api/qstash/\")) {\n    await verifyQstash(event.request);\n  }\n  return resolve(event);\n};\n",
    );
    assert_eq!(
        flagged(dir.path()),
        [endpoint("/api/other"), endpoint("/api/qstash-legacy/b")]
    );
}

#[test]
fn an_early_return_outside_the_prefixes_scopes_what_follows() {
    let dir = app(
        &["/queue/a", "/cron/b", "/api/c"],
        "import { sequence } from \"@sveltejs/kit/hooks\";\nimport { receiver } from \"$lib/qstash\";\nconst auth = async ({ event, resolve }) => resolve(event);\nasync function qstashHook({ event, resolve }) {\n  const { pathname } = event.url;\n  if (!pathname.startsWith(\"/queue\") && !pathname.startsWith(\"/cron\")) return resolve(event);\n  await receiver.verify({ signature: event.request.headers.get(\"upstash-signature\") ?? \"\", body: await event.request.clone().text() });\n  return resolve(event);\n}\nexport const handle = sequence(auth, qstashHook);\n",
    );
    assert_eq!(flagged(dir.path()), [endpoint("/api/c")]);
}

#[test]
fn a_condition_that_cannot_be_read_may_cover_anything() {
    let dir = app(
        &["/api/a", "/jobs/b"],
        "import { receiver } from \"$lib/qstash\";\nexport async function handle({ event, resolve }) {\n  if (event.request.method === \"POST\" && isQueue(event)) {\n    await receiver.verify({ signature: event.request.headers.get(\"upstash-signature\") ?? \"\", body: await event.request.clone().text() });\n  }\n  return resolve(event);\n}\nfunction isQueue(event) { return event.request.headers.has(\"upstash-message-id\"); }\n",
    );
    assert_eq!(flagged(dir.path()), Vec::<String>::new());
}

#[test]
fn the_else_branch_of_a_prefix_check_runs_outside_it() {
    let dir = app(
        &["/public/a", "/jobs/b"],
        "import { receiver } from \"$lib/qstash\";\nexport async function handle({ event, resolve }) {\n  if (event.url.pathname.startsWith(\"/public\")) {\n    return resolve(event);\n  } else {\n    await receiver.verify({ signature: event.request.headers.get(\"upstash-signature\") ?? \"\", body: await event.request.clone().text() });\n  }\n  return resolve(event);\n}\n",
    );
    // It runs outside `/public` only.
    assert_eq!(flagged(dir.path()), [endpoint("/public/a")]);
}

#[test]
fn a_hook_that_does_not_verify_covers_nothing() {
    let dir = app(
        &["/api/a"],
        "export async function handle({ event, resolve }) {\n  if (!event.request.headers.get(\"upstash-signature\")) console.warn(\"unsigned\");\n  return resolve(event);\n}\n",
    );
    assert_eq!(flagged(dir.path()), [endpoint("/api/a")]);
}
