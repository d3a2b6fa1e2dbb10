//! Pass/fail tables for the send-flow rules: `unhandled-publish` and
//! `floating-publish` (one file at a time; across files: tests/project.rs).

mod common;

use common::*;

const U: &str = "unhandled-publish";
const F: &str = "floating-publish";

const HEAD: &str = "import { Client } from \"@upstash/qstash\";\nconst qstash = new Client();\n";

/// An exact case that judges every rule, so an empty expectation means no
/// diagnostic at all.
fn flow(
    name: &'static str,
    path: &'static str,
    src: &'static str,
    expect: &[(&'static str, u32)],
) -> Case {
    Case {
        all_rules: true,
        ..exact(name, path, src, expect)
    }
}

fn src(body: &str) -> &'static str {
    Box::leak(format!("{HEAD}{body}").into_boxed_str())
}

#[test]
fn unhandled_publish() {
    check(vec![
        flow("route handler awaits outside try", "app/api/a/route.ts", src("export async function POST() {\n  await qstash.publishJSON({ url: \"https://a.example.com/x\" });\n  return new Response(\"ok\");\n}\n"), &[(U, 4)]),
        flow("top-level await in a route file", "app/api/a/route.ts", src("await qstash.publishJSON({ url: \"https://a.example.com/x\" });\nexport async function POST() {\n  return new Response(\"ok\");\n}\n"), &[(U, 3)]),
        flow("top-level await in a script: a rejection crashes it loudly", "scripts/a.ts", src("await qstash.publishJSON({ url: \"https://a.example.com/x\" });\n"), &[]),
        flow("a script's main() floats at the top level", "scripts/b.ts", src("async function main() {\n  await qstash.publishJSON({ url: \"https://a.example.com/x\" });\n}\nmain();\n"), &[]),
        flow("test callbacks in any file are the runner's", "lib/jobs.ts", src("import { describe, it, beforeAll } from \"vitest\";\nexport async function enqueue() {\n  return qstash.publishJSON({ url: \"https://a.example.com/x\" });\n}\ndescribe(\"jobs\", () => {\n  beforeAll(async () => { await enqueue(); });\n  it.each([1, 2])(\"sends %i\", async () => {\n    await enqueue();\n    qstash.publishJSON({ url: \"https://a.example.com/y\" });\n  });\n});\nDeno.test(\"deno\", async () => { await enqueue(); });\n"), &[]),
        flow("a test file is the runner's", "lib/jobs.test.ts", src("export async function enqueue() {\n  await qstash.publishJSON({ url: \"https://a.example.com/x\" });\n}\nawait enqueue();\n"), &[]),
        flow("a script's function without callers is still judged", "scripts/c.ts", src("export async function fanout() {\n  await qstash.publishJSON({ url: \"https://a.example.com/x\" });\n}\n"), &[(U, 4)]),
        flow("awaited inside try with catch", "app/api/a/route.ts", src("export async function POST() {\n  try {\n    await qstash.publishJSON({ url: \"https://a.example.com/x\" });\n  } catch {\n    return new Response(\"no\", { status: 503 });\n  }\n  return new Response(\"ok\");\n}\n"), &[]),
        flow("try with only finally does not handle", "app/api/a/route.ts", src("export async function POST() {\n  try {\n    await qstash.publishJSON({ url: \"https://a.example.com/x\" });\n  } finally {\n    console.log(\"done\");\n  }\n  return new Response(\"ok\");\n}\n"), &[(U, 5)]),
        flow(".catch and .then(_, onRejected)", "app/api/a/route.ts", src("export async function POST() {\n  await qstash.publishJSON({ url: \"https://a.example.com/x\" }).catch(() => null);\n  await qstash.publishJSON({ url: \"https://a.example.com/y\" }).then(() => 1, () => 0);\n  return new Response(\"ok\");\n}\n"), &[]),
        flow("an API that only returns the promise", "lib/email.ts", src("export function enqueueEmail(to: string) {\n  return qstash.publishJSON({ url: \"https://a.example.com/email\", body: { to } });\n}\n"), &[]),
        flow("a sender and its unhandled caller", "lib/jobs.ts", src("async function enqueue(id: string) {\n  await qstash.publishJSON({ url: \"https://a.example.com/job\", body: { id } });\n}\nexport async function nightly() {\n  await enqueue(\"1\");\n}\n"), &[(U, 7)]),
        flow("main().catch in a CLI script", "scripts/backfill.ts", src("async function main() {\n  await qstash.publishJSON({ url: \"https://a.example.com/x\" });\n}\nmain().catch((err) => {\n  console.error(err);\n  process.exit(1);\n});\n"), &[]),
        flow("sender called inside try", "lib/jobs.ts", src("async function enqueue() {\n  return qstash.publishJSON({ url: \"https://a.example.com/job\" });\n}\nexport async function run() {\n  try {\n    await enqueue();\n  } catch (e) {\n    console.error(e);\n  }\n}\n"), &[]),
        flow("waitUntil without catch", "app/api/a/route.ts", src("import { waitUntil } from \"@vercel/functions\";\nexport async function POST() {\n  waitUntil(qstash.publishJSON({ url: \"https://a.example.com/x\" }));\n  return new Response(\"ok\");\n}\n"), &[(U, 5)]),
        flow("ctx.waitUntil with catch and after(allSettled)", "src/worker.ts", src("import { after } from \"next/server\";\nexport default {\n  async fetch(req: Request, env: unknown, ctx: { waitUntil(p: Promise<unknown>): void }) {\n    ctx.waitUntil(qstash.publishJSON({ url: \"https://a.example.com/x\" }).catch(console.error));\n    after(Promise.allSettled([qstash.publishJSON({ url: \"https://a.example.com/y\" })]));\n    return new Response(\"ok\");\n  },\n};\n"), &[]),
        flow("waitUntil(Promise.allSettled([...]))", "app/api/a/route.ts", src("import { waitUntil } from \"@vercel/functions\";\nexport async function POST() {\n  waitUntil(Promise.allSettled([\n    qstash.publishJSON({ url: \"https://a.example.com/x\" }),\n    qstash.publishJSON({ url: \"https://a.example.com/y\" }),\n  ]));\n  return new Response(\"ok\");\n}\n"), &[]),
        flow("Promise.all awaited outside try", "app/api/a/route.ts", src("export async function POST(req: Request) {\n  const users: string[] = await req.json();\n  await Promise.all(users.map((u) => qstash.publishJSON({ url: \"https://a.example.com/x\", body: u })));\n  return new Response(\"ok\");\n}\n"), &[(U, 5)]),
        flow("allSettled of a spread map", "app/api/a/route.ts", src("export async function POST(req: Request) {\n  const users: string[] = await req.json();\n  await Promise.allSettled([...users.map((u) => qstash.publishJSON({ url: \"https://a.example.com/x\", body: u }))]);\n  return new Response(\"ok\");\n}\n"), &[]),
        flow("a retry wrapper that catches", "lib/retry.ts", src("async function withRetry<T>(fn: () => Promise<T>): Promise<T | null> {\n  for (let i = 0; i < 3; i++) {\n    try {\n      return await fn();\n    } catch {}\n  }\n  return null;\n}\nexport async function POST() {\n  await withRetry(() => qstash.publishJSON({ url: \"https://a.example.com/x\" }));\n  return new Response(\"ok\");\n}\n"), &[]),
        flow("object-literal callbacks (NextAuth events)", "auth.ts", src("export const authOptions = {\n  events: {\n    async signIn({ user }: { user: { email: string } }) {\n      await qstash.publishJSON({ url: \"https://a.example.com/welcome\", body: user });\n    },\n  },\n};\n"), &[(U, 6)]),
        flow("a handler that receives QStash messages may throw", "app/api/worker/route.ts", src("import { verifySignatureAppRouter } from \"@upstash/qstash/nextjs\";\nexport const POST = verifySignatureAppRouter(async (req: Request) => {\n  await qstash.publishJSON({ url: \"https://a.example.com/next-step\" });\n  return new Response(\"ok\");\n});\n"), &[]),
        flow("raw REST send", "app/api/a/route.ts", "export async function POST() {\n  await fetch(`${process.env.QSTASH_URL}/v2/publish/https://a.example.com/x`, { method: \"POST\", headers: { Authorization: `Bearer ${process.env.QSTASH_TOKEN}` } });\n  return new Response(\"ok\");\n}\n", &[(U, 2)]),
    ]);
}

#[test]
fn floating_publish() {
    check(vec![
        flow("not awaited in a handler", "app/api/a/route.ts", src("export async function POST() {\n  qstash.publishJSON({ url: \"https://a.example.com/x\" });\n  return new Response(\"ok\");\n}\n"), &[(F, 4)]),
        flow("void", "app/api/a/route.ts", src("export async function POST() {\n  void qstash.publishJSON({ url: \"https://a.example.com/x\" });\n  return new Response(\"ok\");\n}\n"), &[(F, 4)]),
        flow("inside forEach", "lib/notify.ts", src("export async function notifyAll(users: string[]) {\n  users.forEach(async (u) => {\n    await qstash.publishJSON({ url: \"https://a.example.com/x\", body: u });\n  });\n}\n"), &[(F, 5)]),
        flow("conditional sends", "app/api/a/route.ts", src("export async function POST(req: Request) {\n  const { vip } = await req.json();\n  vip && qstash.publishJSON({ url: \"https://a.example.com/vip\" });\n  vip ? qstash.publishJSON({ url: \"https://a.example.com/a\" }) : qstash.publishJSON({ url: \"https://a.example.com/b\" });\n  return new Response(\"ok\");\n}\n"), &[(F, 5), (F, 6), (F, 6)]),
        flow("an async IIFE nobody awaits", "app/api/a/route.ts", src("export async function POST() {\n  (async () => {\n    await qstash.publishJSON({ url: \"https://a.example.com/x\" });\n  })();\n  return new Response(\"ok\");\n}\n"), &[(F, 5)]),
        flow("Promise.all not awaited", "app/api/a/route.ts", src("export async function POST() {\n  Promise.all([qstash.publishJSON({ url: \"https://a.example.com/x\" })]);\n  return new Response(\"ok\");\n}\n"), &[(F, 4)]),
        flow("a floating sender call", "lib/jobs.ts", src("function enqueue() {\n  return qstash.publishJSON({ url: \"https://a.example.com/job\" });\n}\nexport async function POST() {\n  enqueue();\n  return new Response(\"ok\");\n}\n"), &[(F, 7)]),
        flow("stored promises are not judged", "app/api/a/route.ts", src("export async function POST() {\n  const p = qstash.publishJSON({ url: \"https://a.example.com/x\" });\n  try { await p; } catch {}\n  return new Response(\"ok\");\n}\n"), &[]),
        flow("chained .catch is not floating", "app/api/a/route.ts", src("export async function POST() {\n  qstash.publishJSON({ url: \"https://a.example.com/x\" }).catch(console.error);\n  return new Response(\"ok\");\n}\n"), &[]),
    ]);
}

/// `client?.send(...)` is the same send when it runs: every rule sees it.
#[test]
fn optional_chains_are_sends_too() {
    const NULLABLE: &str = "import { Client } from \"@upstash/qstash\";\nconst qstash = process.env.QSTASH_TOKEN ? new Client({ token: process.env.QSTASH_TOKEN }) : null;\n";
    let with =
        |body: &str| -> &'static str { Box::leak(format!("{NULLABLE}{body}").into_boxed_str()) };
    check(vec![
        flow("floating optional send", "lib/a.ts", with("export function go() {\n  qstash?.publishJSON({ url: \"https://a.example.com/x\" });\n}\n"), &[(F, 4)]),
        flow("awaited optional send outside try", "app/api/a/route.ts", with("export async function POST() {\n  await qstash?.publishJSON({ url: \"https://a.example.com/x\" });\n  return new Response(\"ok\");\n}\n"), &[(U, 4)]),
        flow("optional send handled", "lib/a.ts", with("export async function go() {\n  await qstash?.publishJSON({ url: \"https://a.example.com/x\" }).catch(() => null);\n}\nawait go();\n"), &[]),
        flow("value rules on an optional send", "lib/a.ts", with("export async function go() {\n  try {\n    await qstash?.publishJSON({ url: \"http://a.example.com/x\", delay: \"5 minutes\" });\n  } catch {}\n}\n"), &[("insecure-http-destination", 5), ("invalid-delay", 5)]),
        flow("optional schedules", "lib/a.ts", with("export async function go() {\n  try {\n    await qstash?.schedules.create({ destination: \"https://a.example.com/x\", cron: \"61 * * * *\" });\n  } catch {}\n}\n"), &[("invalid-cron", 5)]),
    ]);
}

/// Issue 10, class 9: a sender whose every send is guarded by a parameter
/// that is false unless passed is not reached from a call that leaves it out.
#[test]
fn guards_on_the_way() {
    check(vec![
        flow("guarded by a destructured option the caller leaves out", "app/api/a/route.ts", src("async function settle(n: number, { releaseHolds = false } = {}) {\n  if (releaseHolds && n > 0) {\n    await qstash.publishJSON({ url: \"https://a.example.com/release\" });\n  }\n}\nexport async function POST() {\n  await settle(3);\n  return new Response(\"ok\");\n}\n"), &[]),
        flow("the caller passes the option: reached", "app/api/a/route.ts", src("async function settle(n: number, { releaseHolds = false } = {}) {\n  if (releaseHolds && n > 0) {\n    await qstash.publishJSON({ url: \"https://a.example.com/release\" });\n  }\n}\nexport async function POST() {\n  await settle(3, { releaseHolds: true });\n  return new Response(\"ok\");\n}\n"), &[(U, 9)]),
        flow("an argument not known: reached", "app/api/a/route.ts", src("async function settle(notify = false) {\n  if (notify) {\n    await qstash.publishJSON({ url: \"https://a.example.com/release\" });\n  }\n}\nexport async function POST(req: Request) {\n  await settle(req.headers.has(\"x-notify\"));\n  return new Response(\"ok\");\n}\n"), &[(U, 9)]),
        flow("a second, unguarded send: reached", "app/api/a/route.ts", src("async function settle(notify = false) {\n  if (notify) {\n    await qstash.publishJSON({ url: \"https://a.example.com/release\" });\n  }\n  await qstash.publishJSON({ url: \"https://a.example.com/audit\" });\n}\nexport async function POST() {\n  await settle();\n  return new Response(\"ok\");\n}\n"), &[(U, 10)]),
        flow("the else branch is not guarded", "app/api/a/route.ts", src("async function settle(dryRun = false) {\n  if (dryRun) {\n    console.log(\"dry run\");\n  } else {\n    await qstash.publishJSON({ url: \"https://a.example.com/release\" });\n  }\n}\nexport async function POST() {\n  await settle();\n  return new Response(\"ok\");\n}\n"), &[(U, 11)]),
        flow("a callback's own parameter guards nothing of its caller", "app/api/a/route.ts", src("async function fanout(ids: string[]) {\n  await Promise.all(ids.map(async (id, flag) => {\n    if (flag) await qstash.publishJSON({ url: \"https://a.example.com/x\", body: id });\n  }));\n}\nexport async function POST() {\n  await fanout([\"a\"]);\n  return new Response(\"ok\");\n}\n"), &[(U, 9)]),
    ]);
}
