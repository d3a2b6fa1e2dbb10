//! Pass/fail tables for the per-file rules of rules.md.
//!
//! Each case lints one in-memory file with `check_text` (no project context:
//! a value imported from another project file is unknown, and unknown means no
//! diagnostic) and compares the diagnostics' rule ids and primary-span start
//! lines with the expected list: every diagnostic of the file, or only those
//! of one rule.

mod common;

use common::*;
use qstash_lint::config::Level;

// ---------------------------------------------------------------------------
// hardcoded-token
// ---------------------------------------------------------------------------

#[test]
fn hardcoded_token() {
    const R: &str = "hardcoded-token";
    check(vec![
        // Flagged: the `token` option as a literal.
        exact(
            "literal token option",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
export const qstash = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[(R, 2)],
        ),
        exact(
            "literal token option in a multi-line constructor",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";

export const qstash = new Client({
  baseUrl: "https://qstash.upstash.io",
  token:
    "qs_prod_8f7d6c5b4a39e2d1",
});
"#,
            &[(R, 6)],
        ),
        exact(
            "template literal without expressions",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
export const qstash = new Client({ token: `qs_prod_8f7d6c5b4a39e2d1` });
"#,
            &[(R, 2)],
        ),
        exact(
            "token through a const: the literal is reported",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";

const QSTASH_TOKEN = "qs_prod_8f7d6c5b4a39e2d1";

export const qstash = new Client({ token: QSTASH_TOKEN });
"#,
            &[(R, 3)],
        ),
        exact(
            "shorthand token property bound to a const",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
const token = "qs_prod_8f7d6c5b4a39e2d1";
export const qstash = new Client({ token });
"#,
            &[(R, 2)],
        ),
        exact(
            "config object held in a const",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
const config = {
  token: "qs_prod_8f7d6c5b4a39e2d1",
};
export const qstash = new Client(config);
"#,
            &[(R, 3)],
        ),
        exact(
            "aliased import",
            "lib/qstash.ts",
            r#"
import { Client as QStash } from "@upstash/qstash";
export const q = new QStash({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[(R, 2)],
        ),
        exact(
            "namespace import",
            "lib/qstash.ts",
            r#"
import * as qs from "@upstash/qstash";
export const q = new qs.Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[(R, 2)],
        ),
        exact(
            "CommonJS require with destructuring",
            "lib/qstash.js",
            r#"
const { Client } = require("@upstash/qstash");
module.exports.q = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[(R, 2)],
        ),
        exact(
            "CommonJS require with a renamed destructuring",
            "lib/qstash.cjs",
            r#"
const { Client: QClient } = require("@upstash/qstash");
module.exports.q = new QClient({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[(R, 2)],
        ),
        exact(
            "CommonJS namespace require",
            "lib/qstash.js",
            r#"
const qstash = require("@upstash/qstash");
module.exports.q = new qstash.Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[(R, 2)],
        ),
        exact(
            "npm: specifier (Deno)",
            "supabase/functions/send/index.ts",
            r#"
import { Client } from "npm:@upstash/qstash@2.7.0";
const q = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[(R, 2)],
        ),
        exact(
            "esm.sh specifier",
            "supabase/functions/send/index.ts",
            r#"
import { Client } from "https://esm.sh/@upstash/qstash@2.7";
const q = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[(R, 2)],
        ),
        exact(
            "workflow Client",
            "lib/workflow.ts",
            r#"
import { Client } from "@upstash/workflow";
export const wf = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[(R, 2)],
        ),
        // Flagged: token-shaped text anywhere, once.
        exact(
            "token-shaped literal as the option: one diagnostic",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
export const qstash = new Client({ token: "@TOKEN@" });
"#,
            &[(R, 2)],
        ),
        exact(
            "token-shaped literal through a const: one diagnostic",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
const TOKEN = "@TOKEN@";
export const qstash = new Client({ token: TOKEN });
"#,
            &[(R, 2)],
        ),
        exact(
            "token-shaped literal in a file that never mentions QStash",
            "src/settings.ts",
            r#"
export const settings = {
  apiKey: "@TOKEN@",
};
"#,
            &[(R, 2)],
        ),
        exact(
            "token in a comment",
            "lib/env.ts",
            r#"
// QSTASH_TOKEN=@TOKEN@
export const token = process.env.QSTASH_TOKEN;
"#,
            &[(R, 1)],
        ),
        exact(
            "token in a block comment of a file that does not parse",
            "lib/env.ts",
            r#"
/*
 * QSTASH_TOKEN=@TOKEN@
 */
export const = ;
"#,
            &[(R, 2), ("parse-error", 4)],
        ),
        exact(
            "token in a template chunk",
            "lib/auth.ts",
            r#"
const user = "me";
export const header = `Bearer ${user}:@TOKEN@`;
"#,
            &[(R, 2)],
        ),
        exact(
            "token-shaped literal in a test file is still a leak",
            "lib/qstash.test.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client({ token: "@TOKEN@" });
"#,
            &[(R, 2)],
        ),
        exact(
            "two tokens on two lines",
            "scripts/tokens.js",
            r#"
const a = "@TOKEN@";
const b = '@TOKEN2@';
"#,
            &[(R, 1), (R, 2)],
        ),
        // Left alone.
        exact(
            "token from the environment",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
export const a = new Client({ token: process.env.QSTASH_TOKEN! });
export const b = new Client({ token: process.env.QSTASH_TOKEN ?? "" });
export const c = new Client();
"#,
            &[],
        ),
        exact(
            "public dev tokens",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
// eyJVc2VySUQiOiJ0ZXN0VXNlcjEiLCJQYXNzd29yZCI6InRlc3RQYXNzd29yZCJ9
// eyJVc2VySUQiOiJ0ZXN0VXNlcjIiLCJQYXNzd29yZCI6InRlc3RQYXNzd29yZCJ9
// eyJVc2VySUQiOiJ0ZXN0VXNlcjMiLCJQYXNzd29yZCI6InRlc3RQYXNzd29yZCJ9
export const dev = new Client({
  baseUrl: "https://qstash.upstash.io",
  token: "eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0=",
});
"#,
            &[],
        ),
        exact(
            "placeholders",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
export const a = new Client({ token: "<QSTASH_TOKEN>" });
export const b = new Client({ token: "xxx" });
export const c = new Client({ token: "your-token" });
export const d = new Client({ token: "" });
export const e = new Client({ token: "your_qstash_token_here" });
export const f = new Client({ token: "disabled-client" });
export const g = new Client({ token: "invalid" });
"#,
            &[],
        ),
        exact(
            "literal token option in a *.test.* file",
            "lib/qstash.test.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[],
        ),
        exact(
            "literal token option in a *.spec.* file",
            "src/send.spec.js",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[],
        ),
        exact(
            "literal token option under __tests__/",
            "src/__tests__/send.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[],
        ),
        exact(
            "literal token option under test/",
            "test/helpers.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[],
        ),
        exact(
            "literal token option under tests/",
            "tests/helpers.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[],
        ),
        exact(
            "a local class called Client is not QStash",
            "lib/api.ts",
            r#"
import { Receiver } from "@upstash/qstash";
class Client {
  constructor(readonly opts: { token: string }) {}
}
export const api = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
export const receiver = new Receiver();
"#,
            &[],
        ),
        exact(
            "a Client of another package is not QStash",
            "lib/db.ts",
            r#"
import { Client } from "pg";
// Messages are sent through @upstash/qstash elsewhere.
export const db = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[],
        ),
        exact(
            "token imported from another project file is unknown",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
import { QSTASH_TOKEN } from "./secrets";
export const qstash = new Client({ token: QSTASH_TOKEN });
"#,
            &[],
        ),
        exact(
            "truncated token prefix and a signature JWT",
            "lib/docs.ts",
            r#"
// QStash tokens start with eyJVc2VySUQiOi and are 128 characters long.
export const upstashSignature =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJVcHN0YXNoIn0.c2lnbmF0dXJl";
"#,
            &[],
        ),
        exact(
            "one const used by two clients: one diagnostic",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
const TOKEN = "qs_prod_8f7d6c5b4a39e2d1";
export const a = new Client({ token: TOKEN });
export const b = new Client({ token: TOKEN, baseUrl: "https://qstash-eu-central-1.upstash.io" });
"#,
            &[(R, 2)],
        ),
    ]);
}

// ---------------------------------------------------------------------------
// hardcoded-signing-key
// ---------------------------------------------------------------------------

#[test]
fn hardcoded_signing_key() {
    const R: &str = "hardcoded-signing-key";
    check(vec![
        // Flagged: literal options.
        exact(
            "literal keys in a Receiver",
            "lib/receiver.ts",
            r#"
import { Receiver } from "@upstash/qstash";
export const receiver = new Receiver({
  currentSigningKey: "curr-8f7d6c5b4a39e2d1",
  nextSigningKey: "next-1a2b3c4d5e6f7a8b",
});
"#,
            &[(R, 3), (R, 4)],
        ),
        exact(
            "key-shaped literals in a Receiver: one diagnostic each",
            "lib/receiver.ts",
            r#"
import { Receiver } from "@upstash/qstash";
export const receiver = new Receiver({
  currentSigningKey: "@KEY@",
  nextSigningKey: "@KEY2@",
});
"#,
            &[(R, 3), (R, 4)],
        ),
        exact(
            "literal key through a const: the literal is reported",
            "lib/receiver.ts",
            r#"
import { Receiver } from "@upstash/qstash";

const CURRENT = "curr-8f7d6c5b4a39e2d1";

export const receiver = new Receiver({
  currentSigningKey: CURRENT,
  nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY!,
});
"#,
            &[(R, 3)],
        ),
        exact(
            "verify wrapper config (App Router)",
            "app/api/job/route.ts",
            r#"
import { verifySignatureAppRouter } from "@upstash/qstash/nextjs";

async function handler(req: Request) {
  return new Response("ok");
}

export const POST = verifySignatureAppRouter(handler, {
  currentSigningKey: "curr-8f7d6c5b4a39e2d1",
  nextSigningKey: "next-1a2b3c4d5e6f7a8b",
});
"#,
            &[(R, 8), (R, 9)],
        ),
        exact(
            "verify wrapper from @upstash/qstash/dist/nextjs",
            "pages/api/job.ts",
            r#"
import { verifySignature } from "@upstash/qstash/dist/nextjs";

function handler(req, res) {
  res.status(200).end();
}

export default verifySignature(handler, {
  currentSigningKey: "curr-8f7d6c5b4a39e2d1",
  nextSigningKey: "next-1a2b3c4d5e6f7a8b",
});
export const config = { api: { bodyParser: false } };
"#,
            &[(R, 8), (R, 9)],
        ),
        exact(
            "svelte, solidjs, h3 and nuxt wrappers",
            "src/hooks.ts",
            r#"
import { verifySignatureSvelte } from "@upstash/qstash/svelte";
import { verifySignatureSolidjs } from "@upstash/qstash/solidjs";
import { verifySignatureH3 } from "@upstash/qstash/h3";
import { verifySignatureNuxt } from "@upstash/qstash/nuxt";
const keys = { currentSigningKey: "curr-8f7d6c5b4a39e2d1", nextSigningKey: process.env.NEXT! };
export const a = verifySignatureSvelte(h, { currentSigningKey: "curr-8f7d6c5b4a39e2d2", nextSigningKey: process.env.NEXT! });
export const b = verifySignatureSolidjs(h, { currentSigningKey: "curr-8f7d6c5b4a39e2d3", nextSigningKey: process.env.NEXT! });
export const c = verifySignatureH3(h, { currentSigningKey: "curr-8f7d6c5b4a39e2d4", nextSigningKey: process.env.NEXT! });
export const d = verifySignatureNuxt(h, keys);
"#,
            &[(R, 5), (R, 6), (R, 7), (R, 8)],
        ),
        exact(
            "CommonJS Receiver",
            "src/verify.js",
            r#"
const { Receiver } = require("@upstash/qstash");
const receiver = new Receiver({
  currentSigningKey: "curr-8f7d6c5b4a39e2d1",
  nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY,
});
"#,
            &[(R, 3)],
        ),
        exact(
            "namespace Receiver from esm.sh",
            "supabase/functions/hook/index.ts",
            r#"
import * as qstash from "https://esm.sh/@upstash/qstash@2.7.0";
const receiver = new qstash.Receiver({
  currentSigningKey: Deno.env.get("QSTASH_CURRENT_SIGNING_KEY")!,
  nextSigningKey: "next-1a2b3c4d5e6f7a8b",
});
"#,
            &[(R, 4)],
        ),
        // Flagged: key-shaped text anywhere.
        exact(
            "key-shaped literal in a file that never mentions QStash",
            "src/settings.ts",
            r#"
export const settings = {
  webhookKey: "@KEY@",
};
"#,
            &[(R, 2)],
        ),
        exact(
            "key in a comment",
            "lib/receiver.ts",
            r#"
import { Receiver } from "@upstash/qstash";
// QSTASH_CURRENT_SIGNING_KEY=@KEY@
export const receiver = new Receiver();
"#,
            &[(R, 2)],
        ),
        exact(
            "older 50-character key",
            "lib/keys.ts",
            r#"
export const NEXT_KEY = "@OLD_KEY@";
"#,
            &[(R, 1)],
        ),
        exact(
            "key-shaped literal in a test file",
            "lib/receiver.test.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver({
  currentSigningKey: "@KEY@",
  nextSigningKey: "next-1a2b3c4d5e6f7a8b",
});
"#,
            &[(R, 3)],
        ),
        exact(
            "key in a template chunk",
            "lib/keys.ts",
            r#"
const prefix = "x";
export const k = `${prefix}-@KEY@`;
"#,
            &[(R, 2)],
        ),
        // Left alone.
        exact(
            "public dev keys",
            "lib/receiver.ts",
            r#"
import { Receiver } from "@upstash/qstash";
export const a = new Receiver({
  currentSigningKey: "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r",
  nextSigningKey: "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs",
});
// sig_7RvLjqfZBvP5KEUimQCE1pvpLuou sig_7W3ZNbfKWk5NWwEs3U4ixuQ7fxwE
// sig_7GVPjvuwsfqF65iC8fSrs1dfYruM sig_5NoELc3EFnZn4DVS5bDs2Nk4b7Ua
// sig_6jWGaWRxHsw4vMSPJprXadyvrybF sig_7qHbvhmahe5GwfePDiS5Lg3pi6Qx
// sig_5T8FcSsynBjn9mMLBsXhpacRovJf sig_7GFR4YaDshFcqsxWRZpRB161jguD
"#,
            &[],
        ),
        exact(
            "placeholders in text and as options",
            "lib/receiver.ts",
            r#"
import { Receiver } from "@upstash/qstash";
// Set QSTASH_CURRENT_SIGNING_KEY=sig_xxx and QSTASH_NEXT_SIGNING_KEY=sig_...
export const a = new Receiver({ currentSigningKey: "sig_xxx", nextSigningKey: "sig_..." });
export const b = new Receiver({ currentSigningKey: "sig_abc123", nextSigningKey: "sig_dummy_for_local_build" });
export const c = new Receiver({ currentSigningKey: "sig_current_real", nextSigningKey: "" });
export const d = new Receiver({ currentSigningKey: "<CURRENT_SIGNING_KEY>", nextSigningKey: "your-next-signing-key" });
"#,
            &[],
        ),
        exact(
            "keys from the environment",
            "lib/receiver.ts",
            r#"
import { Receiver } from "@upstash/qstash";
export const a = new Receiver({
  currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY!,
  nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY!,
});
export const b = new Receiver();
"#,
            &[],
        ),
        exact(
            "literal options in a *.test.* file",
            "lib/receiver.test.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver({
  currentSigningKey: "curr-8f7d6c5b4a39e2d1",
  nextSigningKey: "next-1a2b3c4d5e6f7a8b",
});
"#,
            &[],
        ),
        exact(
            "literal options in a *.spec.* file",
            "src/verify.spec.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver({
  currentSigningKey: "curr-8f7d6c5b4a39e2d1",
  nextSigningKey: "next-1a2b3c4d5e6f7a8b",
});
"#,
            &[],
        ),
        exact(
            "literal options under __tests__/",
            "src/__tests__/verify.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver({
  currentSigningKey: "curr-8f7d6c5b4a39e2d1",
  nextSigningKey: "next-1a2b3c4d5e6f7a8b",
});
"#,
            &[],
        ),
        exact(
            "literal options under test/ and tests/",
            "test/verify.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver({
  currentSigningKey: "curr-8f7d6c5b4a39e2d1",
  nextSigningKey: "next-1a2b3c4d5e6f7a8b",
});
"#,
            &[],
        ),
        exact(
            "literal options under tests/",
            "tests/e2e/verify.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver({
  currentSigningKey: "curr-8f7d6c5b4a39e2d1",
  nextSigningKey: "next-1a2b3c4d5e6f7a8b",
});
"#,
            &[],
        ),
        exact(
            "text that only resembles a key",
            "lib/keys.ts",
            r#"
// qstash keys look like sig_ plus base58
export const a = "mysig_4ZhJ9nqYQ2bP7vT6kL8mN3xW5cR1";
export const b = "sig_0ZhJ9nqYQ2bP7vT6kL8mN3xW5cOI";
export const c = "sig_4ZhJ9nqYQ2bP7vT6kL8mN3xW5cR1_suffix";
export const d = "@LONG_KEY@";
export const e = "sig_4ZhJ9nqYQ2bP7vT6kL8";
"#,
            &[],
        ),
        exact(
            "a local Receiver class is not QStash",
            "lib/receiver.ts",
            r#"
import { Client } from "@upstash/qstash";
class Receiver {
  constructor(readonly keys: Record<string, string>) {}
}
export const r = new Receiver({
  currentSigningKey: "curr-8f7d6c5b4a39e2d1",
  nextSigningKey: "next-1a2b3c4d5e6f7a8b",
});
export const c = new Client();
"#,
            &[],
        ),
        exact(
            "a project function named like a wrapper is not a wrapper",
            "app/api/job/route.ts",
            r#"
import { verifySignatureAppRouter } from "@/lib/verify";
import { Client } from "@upstash/qstash";
export const POST = verifySignatureAppRouter(handler, {
  currentSigningKey: "curr-8f7d6c5b4a39e2d1",
  nextSigningKey: "next-1a2b3c4d5e6f7a8b",
});
"#,
            &[],
        ),
        exact(
            "keys imported from another project file are unknown",
            "lib/receiver.ts",
            r#"
import { Receiver } from "@upstash/qstash";
import { CURRENT, NEXT } from "./keys";
export const receiver = new Receiver({ currentSigningKey: CURRENT, nextSigningKey: NEXT });
"#,
            &[],
        ),
        exact(
            "one const given as both keys: one diagnostic",
            "lib/receiver.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const KEY = "curr-8f7d6c5b4a39e2d1";
export const receiver = new Receiver({ currentSigningKey: KEY, nextSigningKey: KEY });
"#,
            &[(R, 2)],
        ),
        exact(
            "template literal key",
            "lib/receiver.ts",
            r#"
import { Receiver } from "@upstash/qstash";
export const receiver = new Receiver({
  currentSigningKey: `curr-8f7d6c5b4a39e2d1`,
  nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY!,
});
"#,
            &[(R, 3)],
        ),
    ]);
}

// ---------------------------------------------------------------------------
// client-exposed-secret
// ---------------------------------------------------------------------------

#[test]
fn client_exposed_secret() {
    const R: &str = "client-exposed-secret";
    check(vec![
        // Flagged: credentials in public env vars (the env read is reported).
        exact(
            "NEXT_PUBLIC_ token",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
export const qstash = new Client({
  token: process.env.NEXT_PUBLIC_QSTASH_TOKEN!,
});
"#,
            &[(R, 3)],
        ),
        exact(
            "NEXT_PUBLIC_ signing keys",
            "lib/receiver.ts",
            r#"
import { Receiver } from "@upstash/qstash";
export const receiver = new Receiver({
  currentSigningKey: process.env.NEXT_PUBLIC_QSTASH_CURRENT_SIGNING_KEY!,
  nextSigningKey: process.env["NEXT_PUBLIC_QSTASH_NEXT_SIGNING_KEY"]!,
});
"#,
            &[(R, 3), (R, 4)],
        ),
        exact(
            "VITE_ token through import.meta.env",
            "src/lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
export const qstash = new Client({ token: import.meta.env.VITE_QSTASH_TOKEN });
"#,
            &[(R, 2)],
        ),
        exact(
            "VITE_ token through process.env",
            "src/lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
export const qstash = new Client({ token: process.env.VITE_QSTASH_TOKEN });
"#,
            &[(R, 2)],
        ),
        exact(
            "SvelteKit $env/static/public import",
            "src/lib/server/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
import { PUBLIC_QSTASH_TOKEN } from "$env/static/public";
export const qstash = new Client({ token: PUBLIC_QSTASH_TOKEN });
"#,
            &[(R, 2)],
        ),
        exact(
            "SvelteKit $env/dynamic/public",
            "src/lib/server/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
import { env } from "$env/dynamic/public";
export const qstash = new Client({ token: env.PUBLIC_QSTASH_TOKEN });
"#,
            &[(R, 3)],
        ),
        exact(
            "NUXT_PUBLIC_, EXPO_PUBLIC_, REACT_APP_ and GATSBY_",
            "lib/tokens.ts",
            r#"
import { Client } from "@upstash/qstash";
export const a = new Client({ token: process.env.NUXT_PUBLIC_QSTASH_TOKEN });
export const b = new Client({ token: process.env.EXPO_PUBLIC_QSTASH_TOKEN });
export const c = new Client({ token: process.env.REACT_APP_QSTASH_TOKEN });
export const d = new Client({ token: process.env.GATSBY_QSTASH_TOKEN });
"#,
            &[(R, 2), (R, 3), (R, 4), (R, 5)],
        ),
        exact(
            "Astro PUBLIC_ through import.meta.env",
            "src/pages/api/hook.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver({
  currentSigningKey: import.meta.env.PUBLIC_QSTASH_CURRENT_SIGNING_KEY,
  nextSigningKey: import.meta.env.QSTASH_NEXT_SIGNING_KEY,
});
"#,
            &[(R, 3)],
        ),
        exact(
            "destructured from process.env",
            "lib/env.ts",
            r#"
const { NEXT_PUBLIC_QSTASH_TOKEN, QSTASH_URL } = process.env;
export { NEXT_PUBLIC_QSTASH_TOKEN, QSTASH_URL };
"#,
            &[(R, 1)],
        ),
        exact(
            "public token read without a constructor",
            "components/debug.tsx",
            r#"
export function Debug() {
  return <pre>{process.env.NEXT_PUBLIC_QSTASH_TOKEN}</pre>;
}
"#,
            &[(R, 2)],
        ),
        // Flagged: QStash instances in "use client" files.
        exact(
            "Client in a \"use client\" file",
            "components/send-button.tsx",
            r#"
"use client";
import { Client } from "@upstash/qstash";

export function SendButton() {
  const onClick = async () => {
    const client = new Client({ token: process.env.QSTASH_TOKEN });
    await client.publishJSON({ url: "https://example.com/api/job", body: {} });
  };
  return <button onClick={onClick}>Send</button>;
}
"#,
            &[(R, 6)],
        ),
        exact(
            "multi-line constructor in a 'use client' file",
            "components/send.jsx",
            r#"
'use client'
import { Receiver } from '@upstash/qstash'

export const receiver =
  new Receiver({
    currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY,
    nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY,
  })
"#,
            &[(R, 5)],
        ),
        exact(
            "workflow Client in a \"use client\" file",
            "components/trigger.tsx",
            r#"
"use client";
import { Client } from "@upstash/workflow";
export const wf = new Client({ token: process.env.QSTASH_TOKEN! });
"#,
            &[(R, 3)],
        ),
        exact(
            "\"use client\" after a comment is still the directive",
            "components/send.tsx",
            r#"
// The send button.
"use client";
import * as qs from "@upstash/qstash";
export const c = new qs.Client();
"#,
            &[(R, 4)],
        ),
        // One construct, two ways: one diagnostic.
        exact(
            "\"use client\" and NEXT_PUBLIC_ token: one diagnostic",
            "components/send.tsx",
            r#"
"use client";
import { Client } from "@upstash/qstash";
const client = new Client({ token: process.env.NEXT_PUBLIC_QSTASH_TOKEN! });
"#,
            &[(R, 3)],
        ),
        exact(
            "\"use client\" and NEXT_PUBLIC_ token on separate lines: one diagnostic",
            "components/send.tsx",
            r#"
"use client";
import { Client } from "@upstash/qstash";
const client = new Client({
  token: process.env.NEXT_PUBLIC_QSTASH_TOKEN!,
});
"#,
            &[(R, 4)],
        ),
        // Left alone.
        exact(
            "private env names on the server",
            "lib/qstash.ts",
            r#"
import { Client, Receiver } from "@upstash/qstash";
export const qstash = new Client({ token: process.env.QSTASH_TOKEN! });
export const v = new Client({ token: import.meta.env.QSTASH_TOKEN });
export const receiver = new Receiver({
  currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY!,
  nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY!,
});
"#,
            &[],
        ),
        exact(
            "public env vars that are not credentials",
            "lib/urls.ts",
            r#"
import { Client } from "@upstash/qstash";
export const qstash = new Client({
  baseUrl: process.env.NEXT_PUBLIC_QSTASH_URL,
  token: process.env.QSTASH_TOKEN,
});
export const app = process.env.NEXT_PUBLIC_APP_URL;
export const region = import.meta.env.PUBLIC_QSTASH_REGION;
"#,
            &[],
        ),
        exact(
            "SvelteKit $env/static/private import",
            "src/lib/server/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
import { QSTASH_TOKEN } from "$env/static/private";
export const qstash = new Client({ token: QSTASH_TOKEN });
"#,
            &[],
        ),
        exact(
            "PUBLIC_ through process.env is not inlined",
            "server/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
export const qstash = new Client({ token: process.env.PUBLIC_QSTASH_TOKEN });
"#,
            &[],
        ),
        exact(
            "\"use client\" that is not the first statement is no directive",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
"use client";
export const qstash = new Client();
"#,
            &[],
        ),
        exact(
            "\"use server\" file",
            "app/actions.ts",
            r#"
"use server";
import { Client } from "@upstash/qstash";
const client = new Client({ token: process.env.QSTASH_TOKEN! });
export async function send() {
  await client.publishJSON({ url: "https://example.com/api/job", body: {} });
}
"#,
            &[],
        ),
        exact(
            "\"use client\" file that calls a server action",
            "components/send.tsx",
            r#"
"use client";
import { send } from "@/app/actions";
import type { Client } from "@upstash/qstash";
export function Send({ client }: { client?: Client }) {
  return <button onClick={() => send()}>Send</button>;
}
"#,
            &[],
        ),
        exact(
            "\"use client\" file with a local Client class",
            "components/chat.tsx",
            r#"
"use client";
// Not the @upstash/qstash Client.
class Client {
  constructor(readonly url: string) {}
}
export const chat = new Client("/api/chat");
"#,
            &[],
        ),
        // Flagged: any public env read given as the token or a signing key.
        exact(
            "public env var as the token, whatever its name",
            "lib/qstash.ts",
            r#"
import { Client, Receiver } from "@upstash/qstash";
import { verifySignatureAppRouter } from "@upstash/qstash/nextjs";
export const qstash = new Client({ token: process.env.NEXT_PUBLIC_UPSTASH_TOKEN! });
export const receiver = new Receiver({
  currentSigningKey: import.meta.env.VITE_CURRENT_KEY,
  nextSigningKey: process.env.NEXT_PUBLIC_NEXT_KEY!,
});
export const POST = verifySignatureAppRouter(handler, {
  currentSigningKey: process.env.REACT_APP_CURRENT,
  nextSigningKey: process.env.SERVER_NEXT_KEY,
});
"#,
            &[(R, 3), (R, 5), (R, 6), (R, 9)],
        ),
        exact(
            "public env var through a const",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
const token = process.env.NEXT_PUBLIC_UPSTASH_TOKEN;
export const qstash = new Client({ token });
"#,
            &[(R, 2)],
        ),
        exact(
            "public env vars that are not credentials, in credential-free options",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
export const qstash = new Client({
  token: process.env.UPSTASH_TOKEN,
  baseUrl: process.env.NEXT_PUBLIC_UPSTASH_URL,
});
"#,
            &[],
        ),
    ]);
}

// ---------------------------------------------------------------------------
// single-signing-key
// ---------------------------------------------------------------------------

#[test]
fn single_signing_key() {
    const R: &str = "single-signing-key";
    check(vec![
        // Flagged: the `new Receiver(...)` expression.
        exact(
            "only currentSigningKey",
            "lib/receiver.ts",
            r#"
import { Receiver } from "@upstash/qstash";
export const receiver = new Receiver({ currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY! });
"#,
            &[(R, 2)],
        ),
        exact(
            "only nextSigningKey, multi-line",
            "lib/receiver.ts",
            r#"
import { Receiver } from "@upstash/qstash";

export const receiver = new Receiver({
  nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY!,
});
"#,
            &[(R, 3)],
        ),
        exact(
            "new on its own line",
            "lib/receiver.ts",
            r#"
import { Receiver } from "@upstash/qstash";
export const receiver =
  new Receiver(
    {
      currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY!,
    },
  );
"#,
            &[(R, 3)],
        ),
        exact(
            "config held in a const",
            "lib/receiver.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const config = {
  currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY!,
};
export const receiver = new Receiver(config);
"#,
            &[(R, 5)],
        ),
        exact(
            "aliased, namespace and CommonJS Receivers",
            "lib/receivers.js",
            r#"
import { Receiver as R1 } from "@upstash/qstash";
import * as qs from "npm:@upstash/qstash@2";
const { Receiver: R3 } = require("@upstash/qstash");
export const a = new R1({ currentSigningKey: process.env.K });
export const b = new qs.Receiver({ nextSigningKey: process.env.K });
export const c = new R3({ currentSigningKey: process.env.K });
"#,
            &[(R, 4), (R, 5), (R, 6)],
        ),
        exact(
            "one literal key: single-signing-key and hardcoded-signing-key",
            "lib/receiver.ts",
            r#"
import { Receiver } from "@upstash/qstash";
export const receiver = new Receiver({
  currentSigningKey: "curr-8f7d6c5b4a39e2d1",
});
"#,
            &[(R, 2), ("hardcoded-signing-key", 3)],
        ),
        // Flagged: a wrapper's config object.
        exact(
            "App Router wrapper with one key",
            "app/api/job/route.ts",
            r#"
import { verifySignatureAppRouter } from "@upstash/qstash/nextjs";

async function handler(req: Request) {
  return new Response("ok");
}

export const POST = verifySignatureAppRouter(handler, {
  currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY,
});
"#,
            &[(R, 7)],
        ),
        exact(
            "config object on its own line",
            "app/api/job/route.ts",
            r#"
import { verifySignatureEdge } from "@upstash/qstash/nextjs";
export const POST = verifySignatureEdge(
  handler,
  {
    nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY,
  },
);
"#,
            &[(R, 4)],
        ),
        exact(
            "Pages Router wrapper from /dist/nextjs",
            "pages/api/job.js",
            r#"
import { verifySignature } from "@upstash/qstash/dist/nextjs";
function handler(req, res) {
  res.status(200).end();
}
export default verifySignature(handler, { currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY });
export const config = { api: { bodyParser: false } };
"#,
            &[(R, 5)],
        ),
        exact(
            "svelte, solidjs, h3 and nuxt wrappers",
            "src/hooks.ts",
            r#"
import { verifySignatureSvelte } from "@upstash/qstash/svelte";
import { verifySignatureSolidjs } from "@upstash/qstash/solidjs";
import { verifySignatureH3 } from "@upstash/qstash/h3";
import { verifySignatureNuxt } from "@upstash/qstash/nuxt";
export const a = verifySignatureSvelte(h, { currentSigningKey: process.env.K });
export const b = verifySignatureSolidjs(h, { currentSigningKey: process.env.K });
export const c = verifySignatureH3(h, { nextSigningKey: process.env.K });
export const d = verifySignatureNuxt(h, { nextSigningKey: process.env.K });
"#,
            &[(R, 5), (R, 6), (R, 7), (R, 8)],
        ),
        exact(
            "aliased and namespace wrappers",
            "app/api/job/route.ts",
            r#"
import { verifySignatureAppRouter as verify } from "@upstash/qstash/nextjs";
import * as qn from "@upstash/qstash/dist/nextjs";
export const POST = verify(handler, { currentSigningKey: process.env.K });
export const PUT = qn.verifySignatureAppRouter(handler, { nextSigningKey: process.env.K });
"#,
            &[(R, 3), (R, 4)],
        ),
        exact(
            "wrapper config held in a const",
            "app/api/job/route.ts",
            r#"
import { verifySignatureAppRouter } from "@upstash/qstash/nextjs";
const keys = { currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY };
export const POST = verifySignatureAppRouter(handler, keys);
"#,
            &[(R, 2)],
        ),
        // Left alone.
        exact(
            "both keys, or none",
            "lib/receiver.ts",
            r#"
import { Receiver } from "@upstash/qstash";
import { verifySignatureAppRouter } from "@upstash/qstash/nextjs";
export const a = new Receiver({
  currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY!,
  nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY!,
});
export const b = new Receiver();
export const c = new Receiver({});
export const d = new Receiver({ devMode: false });
export const POST = verifySignatureAppRouter(handler);
export const PUT = verifySignatureAppRouter(handler, { clockTolerance: 5 });
export const PATCH = verifySignatureAppRouter(handler, {
  currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY,
  nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY,
});
"#,
            &[],
        ),
        exact(
            "spread config may hold the other key",
            "lib/receiver.ts",
            r#"
import { Receiver } from "@upstash/qstash";
import { verifySignatureAppRouter } from "@upstash/qstash/nextjs";
const base = { nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY! };
export const a = new Receiver({ ...base, currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY! });
export const POST = verifySignatureAppRouter(handler, { ...opts, currentSigningKey: process.env.K });
"#,
            &[],
        ),
        exact(
            "config unknown here",
            "lib/receiver.ts",
            r#"
import { Receiver } from "@upstash/qstash";
import { keys } from "./keys";
export function make(config: { currentSigningKey: string }) {
  return new Receiver(config);
}
export const r = new Receiver(keys);
"#,
            &[],
        ),
        exact(
            "a local Receiver class is not QStash",
            "lib/receiver.ts",
            r#"
import { Client } from "@upstash/qstash";
class Receiver {
  constructor(readonly opts: { currentSigningKey: string }) {}
}
export const r = new Receiver({ currentSigningKey: process.env.K! });
export const c = new Client();
"#,
            &[],
        ),
        exact(
            "a wrapper name from the wrong module is not a wrapper",
            "app/api/job/route.ts",
            r#"
import { verifySignatureAppRouter } from "@upstash/qstash";
import { verifySignature } from "@upstash/qstash/hono";
import { verifySignatureEdge } from "./verify";
export const POST = verifySignatureAppRouter(handler, { currentSigningKey: process.env.K });
export const PUT = verifySignature(handler, { currentSigningKey: process.env.K });
export const GET = verifySignatureEdge(handler, { currentSigningKey: process.env.K });
"#,
            &[],
        ),
        exact(
            "a member of a named import is not a namespace wrapper",
            "app/api/job/route.ts",
            r#"
import { helpers } from "@upstash/qstash/nextjs";
export const POST = helpers.verifySignatureAppRouter(handler, { currentSigningKey: process.env.K });
"#,
            &[],
        ),
        exact(
            "legacy Deno module and v0 subpaths",
            "supabase/functions/hook/index.ts",
            r#"
import { Receiver } from "https://deno.land/x/upstash_qstash@v0.3.6/mod.ts";
import { Receiver as NodeReceiver } from "@upstash/qstash/nodejs";
export const a = new Receiver({ currentSigningKey: Deno.env.get("QSTASH_CURRENT_SIGNING_KEY")! });
export const b = new NodeReceiver({ nextSigningKey: Deno.env.get("QSTASH_NEXT_SIGNING_KEY")! });
"#,
            &[(R, 3), (R, 4)],
        ),
    ]);
}

// ---------------------------------------------------------------------------
// missing-destination
// ---------------------------------------------------------------------------

#[test]
fn missing_destination() {
    const R: &str = "missing-destination";
    check(vec![
        // Flagged: the call's callee.
        exact(
            "publishJSON without a destination",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const qstash = new Client();
export async function send() {
  await qstash.publishJSON({ body: { hello: "world" } });
}
"#,
            &[(R, 4)],
        ),
        exact(
            "publish with only options, callee split over lines",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const qstash = new Client();
export async function send() {
  await qstash
    .publish({
      body: "hello",
      delay: 10,
    });
}
"#,
            &[(R, 4)],
        ),
        exact(
            "schedules.create without destination",
            "scripts/schedule.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client({ token: process.env.QSTASH_TOKEN! });
await client.schedules.create({
  cron: "0 * * * *",
  body: "tick",
});
"#,
            &[(R, 3)],
        ),
        exact(
            "schedules.create with url instead of destination",
            "scripts/schedule.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client();
const schedules = client.schedules;
await schedules.create({ url: "https://example.com/api/cron", cron: "0 * * * *" });
"#,
            &[(R, 4)],
        ),
        exact(
            "enqueue and enqueueJSON without a destination",
            "lib/queue.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client();
const queue = client.queue({ queueName: "emails" });
await queue.enqueue({ body: "x" });
await client.queue({ queueName: "emails" }).enqueueJSON({ body: {} });
"#,
            &[(R, 4), (R, 5)],
        ),
        exact(
            "batch item without a destination: one diagnostic per call",
            "lib/batch.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client();
await client.batchJSON([
  { url: "https://example.com/api/a", body: {} },
  { body: {} },
  { body: {} },
]);
await client.batch([{ urlGroup: "group" }, { queueName: "q", body: "x" }]);
"#,
            &[(R, 3), (R, 8)],
        ),
        exact(
            "request object held in a const",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client();
const request = { body: "x", retries: 3 };
await client.publish(request);
"#,
            &[(R, 4)],
        ),
        exact(
            "aliased, namespace and CommonJS clients",
            "lib/jobs.js",
            r#"
import { Client as Q } from "@upstash/qstash";
import * as qs from "https://esm.sh/@upstash/qstash@2.7";
const { Client } = require("@upstash/qstash");
new Q().publishJSON({ body: {} });
new qs.Client().publishJSON({ body: {} });
new Client().publishJSON({ body: {} });
"#,
            &[(R, 4), (R, 5), (R, 6)],
        ),
        exact(
            "client returned by a function in the same file",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
function getQstash() {
  return new Client({ token: process.env.QSTASH_TOKEN! });
}
export async function send() {
  await getQstash().publishJSON({ body: {} });
}
"#,
            &[(R, 6)],
        ),
        exact(
            "client in a class member and a typed parameter",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
export class Jobs {
  private qstash = new Client();
  send() {
    return this.qstash.publishJSON({ body: {} });
  }
}
export async function send(q: Client) {
  await q.publishJSON({ body: {} });
}
"#,
            &[(R, 5), (R, 9)],
        ),
        // Left alone.
        exact(
            "every destination key",
            "lib/jobs.ts",
            r#"
import { Client, resend } from "@upstash/qstash";
const client = new Client();
await client.publishJSON({ url: "https://example.com/api/job", body: {} });
await client.publishJSON({ urlGroup: "workers", body: {} });
await client.publishJSON({ api: { name: "email", provider: resend({ token: process.env.RESEND_TOKEN! }) }, body: {} });
await client.queue({ queueName: "q" }).enqueueJSON({ url: "https://example.com/api/job", body: {} });
await client.schedules.create({ destination: "https://example.com/api/cron", cron: "0 * * * *" });
await client.batchJSON([{ url: "https://example.com/api/a" }, { urlGroup: "g" }]);
"#,
            &[],
        ),
        only(
            R,
            "deprecated topic is still a destination",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client();
await client.publishJSON({ topic: "workers", body: {} });
"#,
            &[],
        ),
        exact(
            "spread options may hold the destination",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client();
export async function send(opts: { url: string }) {
  await client.publishJSON({ ...opts, body: {} });
  await client.schedules.create({ ...opts, cron: "0 * * * *" });
  await client.batchJSON([...items, { ...opts }]);
}
"#,
            &[],
        ),
        exact(
            "computed keys may be the destination",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client();
const key = "url";
await client.publishJSON({ [key]: "https://example.com/api/job", body: {} });
"#,
            &[],
        ),
        exact(
            "request not visible here",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
import { request } from "./requests";
const client = new Client();
export async function send(req: Parameters<Client["publishJSON"]>[0]) {
  await client.publishJSON(req);
  await client.publishJSON(request);
}
"#,
            &[],
        ),
        exact(
            "client imported from another project file is unknown here",
            "app/api/signup/route.ts",
            r#"
import { qstash } from "@/lib/qstash";
export async function POST() {
  await qstash.publishJSON({ body: {} });
  return new Response("ok");
}
"#,
            &[],
        ),
        exact(
            "publish on something that is not QStash",
            "lib/pubsub.ts",
            r#"
import { Redis } from "@upstash/redis";
class Client {
  publish(msg: { body: string }) {}
}
const redis = Redis.fromEnv();
await redis.publish("channel", "message");
new Client().publish({ body: "x" });
const agenda = { schedules: { create(x: object) {} } };
agenda.schedules.create({ cron: "0 * * * *" });
"#,
            &[],
        ),
        exact(
            "workflow trigger is not checked for url here",
            "lib/workflow.ts",
            r#"
import { Client } from "@upstash/workflow";
const client = new Client({ token: process.env.QSTASH_TOKEN! });
await client.trigger({ url: "https://example.com/api/workflow", body: {} });
"#,
            &[],
        ),
        exact(
            "no argument at all",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
await c.publishJSON();
await c.schedules.create();
"#,
            &[(R, 3), (R, 4)],
        ),
        exact(
            "spread arguments may hold the request",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
export async function send(...args: Parameters<Client["publishJSON"]>) {
  await c.publishJSON(...args);
}
"#,
            &[],
        ),
        exact(
            "dynamic import with destructuring",
            "supabase/functions/send/index.ts",
            r#"
const { Client } = await import("npm:@upstash/qstash");
const c = new Client({ token: Deno.env.get("QSTASH_TOKEN")! });
await c.publishJSON({ body: {} });
"#,
            &[(R, 3)],
        ),
    ]);
}

// ---------------------------------------------------------------------------
// localhost-destination
// ---------------------------------------------------------------------------

#[test]
fn localhost_destination() {
    const R: &str = "localhost-destination";
    check(vec![
        // Flagged: every destination option, at the destination value.
        exact(
            "url on localhost",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client({ token: process.env.QSTASH_TOKEN! });
export async function send() {
  await client.publishJSON({ url: "http://localhost:3000/api/job", body: {} });
}
"#,
            &[(R, 4)],
        ),
        exact(
            "multi-line call: the value's line",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client();
await client.publishJSON({
  body: { id: 1 },
  url:
    "http://127.0.0.1:3000/api/job",
});
"#,
            &[(R, 6)],
        ),
        exact(
            "callback and failureCallback",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client();
await client.publishJSON({
  url: "https://example.com/api/job",
  callback: "http://localhost:3000/api/callback",
  failureCallback: "http://localhost:3000/api/failed",
});
"#,
            &[(R, 5), (R, 6)],
        ),
        exact(
            "schedule destination",
            "scripts/schedule.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client();
await client.schedules.create({
  destination: "http://localhost:3000/api/cron",
  cron: "0 * * * *",
});
"#,
            &[(R, 4)],
        ),
        exact(
            "URL-group endpoints (also through the deprecated topics)",
            "scripts/groups.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client();
await client.urlGroups.addEndpoints({
  name: "workers",
  endpoints: [
    { url: "https://example.com/api/a" },
    { url: "http://192.168.1.20/api/b", name: "lan" },
  ],
});
await client.topics.addEndpoints({ name: "w", endpoints: [{ url: "http://10.0.0.7/x" }] });
"#,
            &[(R, 7), (R, 10), ("deprecated-api", 10)],
        ),
        exact(
            "workflow trigger url",
            "lib/workflow.ts",
            r#"
import { Client } from "@upstash/workflow";
const client = new Client({ token: process.env.QSTASH_TOKEN! });
await client.trigger({ url: "http://localhost:3000/api/workflow", body: {} });
"#,
            &[(R, 3)],
        ),
        exact(
            "enqueue and batch items",
            "lib/queue.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client();
await client.queue({ queueName: "q" }).enqueueJSON({ url: "http://localhost:3000/a", body: {} });
await client.batchJSON([
  { url: "https://example.com/api/a" },
  { url: "http://localhost:3000/api/b" },
]);
"#,
            &[(R, 3), (R, 6)],
        ),
        exact(
            "every local host shape",
            "lib/hosts.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
c.publish({ url: "http://api.localhost/x" });
c.publish({ url: "http://127.5.0.1:8000/x" });
c.publish({ url: "http://0.0.0.0:3000/x" });
c.publish({ url: "http://[::1]:3000/x" });
c.publish({ url: "http://10.1.2.3/x" });
c.publish({ url: "https://172.16.0.1/x" });
c.publish({ url: "https://172.31.255.1/x" });
c.publish({ url: "https://192.168.0.10/x" });
c.publish({ url: "http://169.254.169.254/latest" });
c.publish({ url: "http://[fd12:3456::1]/x" });
c.publish({ url: "http://[fc00::1]:80/x" });
c.publish({ url: "https://printer.local/x" });
c.publish({ url: "https://jobs.internal/x" });
c.publish({ url: "http://LOCALHOST:3000" });
"#,
            &[
                (R, 3),
                (R, 4),
                (R, 5),
                (R, 6),
                (R, 7),
                (R, 8),
                (R, 9),
                (R, 10),
                (R, 11),
                (R, 12),
                (R, 13),
                (R, 14),
                (R, 15),
                (R, 16),
            ],
        ),
        // Flagged: folded values.
        exact(
            "through a const: the value at the call is reported",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const JOB_URL = "http://localhost:3000/api/job";
const client = new Client();
await client.publishJSON({
  url: JOB_URL,
});
"#,
            &[(R, 5)],
        ),
        exact(
            "shorthand url property",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const url = "http://localhost:3000/api/job";
await new Client().publishJSON({ url, body: {} });
"#,
            &[(R, 3)],
        ),
        exact(
            "template literal and concatenation",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const BASE = "http://localhost:3000";
const client = new Client();
export async function send(id: string) {
  await client.publishJSON({ url: `${BASE}/api/jobs/${id}` });
  await client.publishJSON({ url: BASE + "/api/jobs/" + id });
}
"#,
            &[(R, 5), (R, 6)],
        ),
        exact(
            "new URL(path, base)",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const BASE = "http://localhost:3000/app/";
const client = new Client();
await client.publishJSON({ url: new URL("/api/job", BASE).toString() });
await client.publishJSON({ url: new URL("api/job", BASE).href });
await client.publishJSON({ url: String(new URL("/api/job", "http://0.0.0.0:8080")) });
"#,
            &[(R, 4), (R, 5), (R, 6)],
        ),
        exact(
            "URL-building helpers in the same file",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const BASE = "http://localhost:3000";
function absoluteUrl(path: string) {
  return `${BASE}${path}`;
}
const apiUrl = (path: string) => new URL(path, "http://127.0.0.1:3000").toString();
const client = new Client();
await client.publishJSON({ url: absoluteUrl("/api/job") });
await client.publishJSON({ url: apiUrl("/api/other") });
"#,
            &[(R, 8), (R, 9)],
        ),
        exact(
            "fallback of something that is not an env read",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
import { config } from "./config";
const client = new Client();
await client.publishJSON({ url: config.jobUrl ?? "http://localhost:3000/api/job" });
"#,
            &[(R, 4)],
        ),
        exact(
            "env fallback in the branch a production check selects",
            "lib/url.ts",
            r#"
import { Client } from "@upstash/qstash";
function baseUrl() {
  if (process.env.VERCEL_ENV === "production") return process.env.URL || "http://localhost:3001";
  return "http://localhost:3000";
}
const client = new Client();
await client.publishJSON({ url: `${baseUrl()}/api/job` });
"#,
            &[(R, 7)],
        ),
        exact(
            "env fallback inside a production branch around the send",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client();
if (process.env.NODE_ENV === "production") {
  await client.publishJSON({ url: process.env.JOB_URL ?? "http://localhost:3000/api/job" });
}
"#,
            &[(R, 4)],
        ),
        exact(
            "local value on both sides of a non-stage condition",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client();
export async function send(fast: boolean) {
  await client.publishJSON({ url: fast ? "http://localhost:3000/a" : "https://example.com/b" });
}
"#,
            &[(R, 4)],
        ),
        // Flagged: raw REST sends to the QStash API.
        exact(
            "fetch to /v2/publish/ with a local destination",
            "scripts/publish.ts",
            r#"
// Publishes through the QStash REST API.
await fetch("https://qstash.upstash.io/v2/publish/http://localhost:3000/api/job", {
  method: "POST",
  headers: { Authorization: `Bearer ${process.env.QSTASH_TOKEN}` },
  body: "{}",
});
"#,
            &[(R, 2)],
        ),
        exact(
            "fetch to ${QSTASH_URL}/v2/schedules/ and axios to /v2/enqueue/",
            "scripts/publish.ts",
            r#"
import axios from "axios";
const DEST = "http://192.168.1.5:3000/api/cron";
await fetch(`${process.env.QSTASH_URL}/v2/schedules/${DEST}`, {
  method: "POST",
  headers: { Authorization: `Bearer ${process.env.QSTASH_TOKEN}`, "Upstash-Cron": "0 * * * *" },
});
await axios.post(
  "https://qstash.upstash.io/v2/enqueue/emails/http://localhost:3000/api/email",
  { to: "a@example.com" },
  { headers: { Authorization: `Bearer ${process.env.QSTASH_TOKEN}` } },
);
"#,
            &[(R, 3), (R, 8)],
        ),
        // Left alone: development-only values.
        exact(
            "fallback of an env read",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
import { APP_URL } from "$env/static/private";
const client = new Client();
await client.publishJSON({ url: `${process.env.APP_URL ?? "http://localhost:3000"}/api/a` });
await client.publishJSON({ url: (process.env.NEXT_PUBLIC_APP_URL || "http://localhost:3000") + "/api/b" });
await client.publishJSON({ url: `${import.meta.env.VITE_APP_URL ?? "http://localhost:5173"}/api/c` });
await client.publishJSON({ url: `${APP_URL ?? "http://localhost:5173"}/api/d` });
await client.publishJSON({ url: new URL("/api/e", Deno.env.get("APP_URL") ?? "http://localhost:8000").href });
await client.publishJSON({ url: env.WORKER_URL ?? "http://127.0.0.1:8787/api/f" });
"#,
            &[],
        ),
        exact(
            "env fallback held in a const and used in a helper",
            "lib/url.ts",
            r#"
import { Client } from "@upstash/qstash";
const BASE_URL = process.env.UPSTASH_WORKFLOW_URL ?? "http://localhost:3000";
export const absoluteUrl = (path: string) => `${BASE_URL}${path}`;
const client = new Client();
await client.publishJSON({ url: absoluteUrl("/api/job") });
await client.publishJSON({ url: new URL("/api/job", BASE_URL).toString() });
"#,
            &[],
        ),
        exact(
            "development check in a ternary",
            "lib/url.ts",
            r#"
import { Client } from "@upstash/qstash";
const isProd = process.env.NODE_ENV === "production";
const BASE = isProd ? "https://example.com" : "http://localhost:3000";
const OTHER = process.env.NODE_ENV === "development" ? "http://localhost:3000" : "https://example.com";
const THIRD = !isProd ? "http://localhost:3000" : "https://example.com";
const client = new Client();
await client.publishJSON({ url: `${BASE}/api/a` });
await client.publishJSON({ url: `${OTHER}/api/b` });
await client.publishJSON({ url: `${THIRD}/api/c` });
await client.publishJSON({ url: process.env.NODE_ENV !== "production" ? "http://localhost:3000/d" : "https://example.com/d" });
"#,
            &[],
        ),
        exact(
            "development check in a helper",
            "lib/url.ts",
            r#"
import { Client } from "@upstash/qstash";
function getBaseUrl() {
  if (process.env.NODE_ENV === "development") {
    return "http://localhost:3000";
  }
  return "https://example.com";
}
const client = new Client();
await client.publishJSON({ url: `${getBaseUrl()}/api/job` });
"#,
            &[],
        ),
        exact(
            "send inside a development branch",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client();
const isDev = process.env.NODE_ENV !== "production";
export async function send() {
  if (isDev) {
    await client.publishJSON({ url: "http://localhost:3000/api/job" });
  } else {
    await client.publishJSON({ url: "https://example.com/api/job" });
  }
  if (process.env.NODE_ENV === "production") {
    await client.publishJSON({ url: "https://example.com/api/job" });
  } else {
    await client.publishJSON({ url: "http://localhost:3000/api/job" });
  }
}
"#,
            &[],
        ),
        exact(
            "send after an early return on production",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client();
export async function sendLocal() {
  if (process.env.NODE_ENV === "production") return;
  await client.publishJSON({ url: "http://localhost:3000/api/job" });
}
"#,
            &[],
        ),
        // Left alone: the QStash dev server.
        exact(
            "dev-server baseUrl",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client({ baseUrl: "http://127.0.0.1:8080", token: process.env.QSTASH_TOKEN! });
await client.publishJSON({ url: "http://localhost:3000/api/job" });
"#,
            &[],
        ),
        exact(
            "dev-server baseUrl on localhost",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client({ baseUrl: "http://localhost:8080" });
await client.publishJSON({ url: "http://localhost:3000/api/job" });
"#,
            &[],
        ),
        exact(
            "devMode: true",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client({ devMode: true });
await client.publishJSON({ url: "http://localhost:3000/api/job" });
"#,
            &[],
        ),
        exact(
            "QSTASH_DEV referenced",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
const local = process.env.QSTASH_DEV === "true";
const client = new Client();
await client.publishJSON({ url: "http://localhost:3000/api/job" });
"#,
            &[],
        ),
        exact(
            "QSTASH_DEV_PORT referenced",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
const port = process.env.QSTASH_DEV_PORT ?? "8080";
const client = new Client();
await client.publishJSON({ url: "http://localhost:3000/api/job" });
"#,
            &[],
        ),
        exact(
            "startDevServer imported",
            "instrumentation.ts",
            r#"
import { Client, startDevServer } from "@upstash/qstash";
startDevServer();
await new Client().publishJSON({ url: "http://localhost:3000/api/job" });
"#,
            &[],
        ),
        exact(
            "registerQStashDev imported",
            "instrumentation.ts",
            r#"
import { registerQStashDev } from "@upstash/qstash/nextjs";
import { Client } from "@upstash/qstash";
export const register = registerQStashDev;
await new Client().publishJSON({ url: "http://localhost:3000/api/job" });
"#,
            &[],
        ),
        exact(
            "test files",
            "lib/jobs.test.ts",
            r#"
import { Client } from "@upstash/qstash";
await new Client().publishJSON({ url: "http://localhost:3000/api/job" });
"#,
            &[],
        ),
        // Left alone: not local, or not known.
        exact(
            "public and look-alike hosts",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
c.publish({ url: "https://example.com/api/job" });
c.publish({ url: "https://localhost.example.com/api/job" });
c.publish({ url: "https://172.32.0.1/x" });
c.publish({ url: "https://192.169.0.1/x" });
c.publish({ url: "https://my-local.dev/x" });
c.publish({ url: "/api/relative" });
"#,
            &[],
        ),
        exact(
            "unknown values",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
import { JOB_URL } from "./config";
const c = new Client();
export async function send(base: string, job: { url: string }) {
  await c.publish({ url: `${base}/api/job` });
  await c.publish({ url: job.url });
  await c.publish({ url: JOB_URL });
  await c.publish({ url: process.env.JOB_URL! });
  await c.publish({ url: `http://${process.env.HOST}/api/job` });
}
"#,
            &[],
        ),
        exact(
            "not a QStash send",
            "lib/jobs.ts",
            r#"
import { Receiver } from "@upstash/qstash";
class Client {
  publish(x: { url: string }) {}
}
new Client().publish({ url: "http://localhost:3000/api/job" });
await fetch("http://localhost:3000/api/job", { method: "POST" });
await fetch("https://qstash.upstash.io/v2/messages/msg_123");
export const r = new Receiver();
"#,
            &[],
        ),
        exact(
            "port from a variable: the host is still known",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
export async function send(port: number) {
  await c.publishJSON({ url: `http://localhost:${port}/api/job` });
  await c.publishJSON({ url: `http://127.0.0.1:${process.env.PORT}` });
  await c.publishJSON({ url: "http://[::1]:" + port + "/x" });
}
"#,
            &[(R, 4), (R, 5), (R, 6)],
        ),
        only(
            R,
            "devMode on a Receiver",
            "lib/qstash.ts",
            r#"
import { Client, Receiver } from "@upstash/qstash";
export const receiver = new Receiver({ devMode: true });
await new Client().publishJSON({ url: "http://localhost:3000/api/job" });
"#,
            &[],
        ),
        exact(
            "workflow trigger with an array of requests",
            "lib/workflow.ts",
            r#"
import { Client } from "@upstash/workflow";
const client = new Client({ token: process.env.QSTASH_TOKEN! });
await client.trigger([
  { url: "https://example.com/api/workflow" },
  { url: "http://localhost:3000/api/workflow" },
]);
"#,
            &[(R, 5)],
        ),
        exact(
            "a never-reassigned let is folded, a reassigned one is not",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
let fixed = "http://localhost:3000/api/a";
let changing = "http://localhost:3000/api/b";
changing = process.env.JOB_URL!;
const c = new Client();
await c.publishJSON({ url: fixed });
await c.publishJSON({ url: changing });
"#,
            &[(R, 6)],
        ),
        exact(
            "a parameter shadows a const of the same name",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const BASE = "http://localhost:3000";
const c = new Client();
export async function send(BASE: string) {
  await c.publishJSON({ url: `${BASE}/api/job` });
}
export async function sendLocal() {
  await c.publishJSON({ url: `${BASE}/api/job` });
}
"#,
            &[(R, 8)],
        ),
        exact(
            "client held in a class field set in the constructor",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
export class Jobs {
  private q: Client;
  constructor() {
    this.q = new Client();
  }
  send() {
    return this.q.publishJSON({ url: "http://localhost:3000/api/job" });
  }
}
"#,
            &[(R, 8)],
        ),
        exact(
            "VERCEL_URL ternary: localhost when the env var is missing",
            "lib/url.ts",
            r#"
import { Client } from "@upstash/qstash";
const BASE = process.env.VERCEL_URL ? `https://${process.env.VERCEL_URL}` : "http://localhost:3000";
function appUrl() {
  if (!process.env.APP_URL) return "http://localhost:3000";
  return process.env.APP_URL;
}
const c = new Client();
await c.publishJSON({ url: `${BASE}/api/a` });
await c.publishJSON({ url: `${appUrl()}/api/b` });
"#,
            &[],
        ),
        exact(
            "framework development flags",
            "src/lib/server/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
import { dev } from "$app/environment";
const c = new Client();
await c.publishJSON({ url: dev ? "http://localhost:5173/api/a" : "https://example.com/api/a" });
await c.publishJSON({ url: import.meta.env.DEV ? "http://localhost:5173/api/b" : "https://example.com/api/b" });
await c.publishJSON({ url: import.meta.env.PROD ? "https://example.com/api/c" : "http://localhost:5173/api/c" });
process.env.NODE_ENV === "development" && (await c.publishJSON({ url: "http://localhost:3000/api/d" }));
"#,
            &[],
        ),
        exact(
            "parameter typed with a type-only import",
            "lib/jobs.ts",
            r#"
import type { Client } from "@upstash/qstash";
import { type Client as Q2 } from "@upstash/qstash";
export async function send(qstash: Client) {
  await qstash.publishJSON({ url: "http://localhost:3000/api/a" });
}
export async function send2(qstash: Q2) {
  await qstash.publishJSON({ url: "http://localhost:3000/api/b" });
}
"#,
            &[(R, 4), (R, 7)],
        ),
        exact(
            "lazily created singleton client",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
let client: Client | undefined;
export function getClient() {
  if (!client) client = new Client();
  return client;
}
await getClient().publishJSON({ url: "http://localhost:3000/api/job" });
"#,
            &[(R, 7)],
        ),
        exact(
            "request object held in a const: the url inside it is reported",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const request = {
  url: "http://localhost:3000/api/job",
  body: "{}",
};
await new Client().publish(request);
"#,
            &[(R, 3)],
        ),
        exact(
            "helper that takes the base as a parameter",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const join = (base: string, path: string) => new URL(path, base).toString();
await new Client().publishJSON({ url: join("http://localhost:3000", "/api/job") });
"#,
            &[(R, 3)],
        ),
        exact(
            "nullable typed class field",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
export class Jobs {
  constructor(private readonly q: Client | null) {}
  send() {
    return this.q!.publishJSON({ url: "http://localhost:3000/api/job" });
  }
}
"#,
            &[(R, 5)],
        ),
        exact(
            "dev-server baseUrl as the fallback of QSTASH_URL",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client({ baseUrl: process.env.QSTASH_URL ?? "http://127.0.0.1:8080" });
await client.publishJSON({ url: "http://localhost:3000/api/job" });
"#,
            &[],
        ),
        exact(
            "raw requests that are not QStash sends",
            "scripts/publish.ts",
            r#"
// Talks to the local QStash dev server and to other APIs.
export async function run(base: string) {
  await fetch("http://127.0.0.1:8080/v2/publish/http://localhost:3000/api/job", { method: "POST" });
  await fetch(`${base}/v2/publish/http://localhost:3000/api/job`, { method: "POST" });
  await fetch("https://api.example.com/v2/publish/http://localhost:3000/api/job");
  await fetch("https://qstash.upstash.io/v2/publish/", { method: "POST" });
  await fetch("https://qstash.upstash.io/v2/messages/msg_1", { method: "DELETE" });
}
"#,
            &[],
        ),
        exact(
            "a branch without a feature flag is not development-only",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
if (process.env.USE_QUEUE) {
  await c.publishJSON({ urlGroup: "workers" });
} else {
  await c.publishJSON({ url: "http://localhost:3000/api/job" });
}
"#,
            &[(R, 6)],
        ),
    ]);
}

// ---------------------------------------------------------------------------
// insecure-http-destination
// ---------------------------------------------------------------------------

#[test]
fn insecure_http_destination() {
    const R: &str = "insecure-http-destination";
    check(vec![
        exact(
            "a public http fallback of an env read is used in production",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client();
await client.publishJSON({ url: process.env.WORKER_URL ?? "http://worker.example.com/hooks", body: {} });
"#,
            &[(R, 3)],
        ),
        exact(
            "a development-only branch is left alone",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client();
const isDev = process.env.NODE_ENV === "development";
await client.publishJSON({ url: isDev ? "http://myapp.ngrok.io/hook" : "https://myapp.example.com/hook", body: {} });
"#,
            &[],
        ),
        exact(
            "code that targets the QStash dev server delivers over http on purpose",
            "scripts/dev.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client({ baseUrl: "http://127.0.0.1:8080", token: process.env.QSTASH_TOKEN });
await client.publishJSON({ url: "http://api.example.com/hooks", body: {} });
"#,
            &[],
        ),
        exact(
            "http url with a public host",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client();
await client.publishJSON({
  body: {},
  url: "http://api.example.com/jobs",
});
"#,
            &[(R, 5)],
        ),
        exact(
            "every destination option",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
import { Client as Workflow } from "@upstash/workflow";
const client = new Client();
await client.publishJSON({ url: "https://example.com/a", callback: "http://example.com/cb", failureCallback: "http://example.com/fail" });
await client.schedules.create({ destination: "http://example.com/cron", cron: "0 * * * *" });
await client.urlGroups.addEndpoints({ name: "g", endpoints: [{ url: "http://example.com/ep" }] });
await new Workflow({ token: process.env.QSTASH_TOKEN! }).trigger({ url: "http://example.com/wf" });
await client.queue({ queueName: "q" }).enqueue({ url: "http://example.com/q" });
"#,
            &[(R, 4), (R, 4), (R, 5), (R, 6), (R, 7), (R, 8)],
        ),
        exact(
            "scheme case, ports and public IPs",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
c.publish({ url: "HTTP://Example.com/x" });
c.publish({ url: "http://api.example.com:8080/x" });
c.publish({ url: "http://8.8.8.8/x" });
c.publish({ url: "http://[2001:db8::1]/x" });
c.publish({ url: "http://example.com" });
"#,
            &[(R, 3), (R, 4), (R, 5), (R, 6), (R, 7)],
        ),
        exact(
            "folded values",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const BASE = "http://example.com";
const abs = (p: string) => `${BASE}${p}`;
const c = new Client();
export async function send(id: string) {
  await c.publish({ url: `${BASE}/jobs/${id}` });
  await c.publish({ url: BASE + "/jobs" });
  await c.publish({ url: new URL("/jobs", BASE).href });
  await c.publish({ url: abs("/jobs") });
}
"#,
            &[(R, 6), (R, 7), (R, 8), (R, 9)],
        ),
        exact(
            "raw REST publish",
            "scripts/publish.sh.ts",
            r#"
await fetch("https://qstash.upstash.io/v2/publish/http://example.com/api/job", {
  method: "POST",
  headers: { Authorization: `Bearer ${process.env.QSTASH_TOKEN}` },
});
"#,
            &[(R, 1)],
        ),
        // Left alone.
        exact(
            "https, and local http (that is localhost-destination)",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
c.publish({ url: "https://example.com/x" });
c.publish({ url: "http://localhost:3000/x" });
c.publish({ url: "http://worker:8080/x" });
c.publish({ urlGroup: "http-workers" });
"#,
            &[("localhost-destination", 4)],
        ),
        exact(
            "destinations read at run time",
            "app/api/retry/route.ts",
            r#"
import { Client } from "@upstash/qstash";
import { db } from "@/lib/db";
const c = new Client();
export async function POST(req: Request) {
  const { url } = await req.json();
  const job = await db.job.findFirst();
  await c.publish({ url });
  await c.publish({ url: job.callbackUrl });
  await c.publish({ url: `http://${job.host}/x` });
  await c.publish({ url: "http://" + job.host + "/x" });
  return new Response("ok");
}
"#,
            &[],
        ),
        exact(
            "test files",
            "tests/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
new Client().publish({ url: "http://example.com/x" });
"#,
            &[],
        ),
        exact(
            "production branch and raw schedule",
            "scripts/schedule.ts",
            r#"
import axios from "axios";
import { Client } from "@upstash/qstash";
const DEST = "http://hooks.example.com/cron";
if (process.env.NODE_ENV === "production") {
  await new Client().publishJSON({ url: process.env.HOOK_URL ?? "http://hooks.example.com/a" });
}
await axios.post(`https://qstash.upstash.io/v2/schedules/${DEST}`, null, {
  headers: { "Upstash-Cron": "0 * * * *" },
});
"#,
            &[(R, 5), (R, 7)],
        ),
        exact(
            "public host over https in every form",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const BASE = "https://example.com";
const c = new Client();
await c.publishJSON({ url: `${BASE}/a`, callback: new URL("/cb", BASE).href });
await c.schedules.create({ destination: BASE + "/cron", cron: "0 * * * *" });
await fetch(`https://qstash.upstash.io/v2/publish/${BASE}/b`, { method: "POST" });
"#,
            &[],
        ),
    ]);
}

// ---------------------------------------------------------------------------
// invalid-cron
// ---------------------------------------------------------------------------

#[test]
fn invalid_cron() {
    const R: &str = "invalid-cron";
    check(vec![
        // Flagged: the cron literal.
        exact(
            "wrong field counts and bad values",
            "scripts/schedules.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
const d = "https://example.com/api/cron";
await c.schedules.create({ destination: d, cron: "* * * *" });
await c.schedules.create({ destination: d, cron: "0 0 * * * *" });
await c.schedules.create({ destination: d, cron: "60 * * * *" });
await c.schedules.create({ destination: d, cron: "0 24 * * *" });
await c.schedules.create({ destination: d, cron: "0 0 0 * *" });
await c.schedules.create({ destination: d, cron: "0 0 * 13 *" });
await c.schedules.create({ destination: d, cron: "0 0 * * 8" });
await c.schedules.create({ destination: d, cron: "0 0 * * MONDAY" });
await c.schedules.create({ destination: d, cron: "*/0 * * * *" });
await c.schedules.create({ destination: d, cron: "0 17-9 * * *" });
await c.schedules.create({ destination: d, cron: "every 5 minutes" });
await c.schedules.create({ destination: d, cron: "CRON_TZ=Nowhere 0 0 * * *" });
await c.schedules.create({ destination: d, cron: "" });
await c.schedules.create({ destination: d, cron: "0 0 * FOO *" });
"#,
            &[
                (R, 4),
                (R, 5),
                (R, 6),
                (R, 7),
                (R, 8),
                (R, 9),
                (R, 10),
                (R, 11),
                (R, 12),
                (R, 13),
                (R, 14),
                (R, 15),
                (R, 16),
                (R, 17),
            ],
        ),
        exact(
            "multi-line schedule: the literal's line",
            "scripts/schedules.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
await c.schedules.create({
  destination: "https://example.com/api/cron",
  body: "{}",
  cron:
    "0 0 * * * *",
});
"#,
            &[(R, 7)],
        ),
        exact(
            "cron through a const: the literal is reported",
            "scripts/schedules.ts",
            r#"
import { Client } from "@upstash/qstash";
const EVERY_MINUTE = "* * * * * *";
const c = new Client();
await c.schedules.create({ destination: "https://example.com/api/cron", cron: EVERY_MINUTE });
"#,
            &[(R, 2)],
        ),
        exact(
            "aliased client and schedules member held in a const",
            "scripts/schedules.js",
            r#"
const { Client: QStash } = require("@upstash/qstash");
const schedules = new QStash().schedules;
schedules.create({ destination: "https://example.com/api/cron", cron: `0 0 * * 9` });
"#,
            &[(R, 3)],
        ),
        exact(
            "raw REST schedule with an Upstash-Cron header",
            "scripts/schedules.ts",
            r#"
await fetch("https://qstash.upstash.io/v2/schedules/https://example.com/api/cron", {
  method: "POST",
  headers: {
    Authorization: `Bearer ${process.env.QSTASH_TOKEN}`,
    "Upstash-Cron": "*/5 * * *",
  },
});
"#,
            &[(R, 5)],
        ),
        // Left alone.
        exact(
            "valid crons",
            "scripts/schedules.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
const d = "https://example.com/api/cron";
await c.schedules.create({ destination: d, cron: "* * * * *" });
await c.schedules.create({ destination: d, cron: "*/5 * * * *" });
await c.schedules.create({ destination: d, cron: "0 9 * * MON-FRI" });
await c.schedules.create({ destination: d, cron: "0 0 1 JAN,JUL *" });
await c.schedules.create({ destination: d, cron: "15,45 */2 1-15 * sun" });
await c.schedules.create({ destination: d, cron: "0-30/10 9-17 * * 1-5" });
await c.schedules.create({ destination: d, cron: "CRON_TZ=America/New_York 0 9 * * *" });
await c.schedules.create({ destination: d, cron: "CRON_TZ=UTC 0 0 1 * *" });
await c.schedules.create({ destination: d, cron: "0 0 * * 7" });
await c.schedules.create({ destination: d, cron: `30 4 * * 0` });
await c.schedules.create({ destination: d, cron: "  0 12 * * *  " });
"#,
            &[],
        ),
        exact(
            "crons that are not known here",
            "scripts/schedules.ts",
            r#"
import { Client } from "@upstash/qstash";
import { CRON } from "./config";
const c = new Client();
const d = "https://example.com/api/cron";
export async function schedule(minutes: number, cron: string) {
  await c.schedules.create({ destination: d, cron: `*/${minutes} * * * *` });
  await c.schedules.create({ destination: d, cron });
  await c.schedules.create({ destination: d, cron: CRON });
  await c.schedules.create({ destination: d, cron: process.env.CRON! });
}
"#,
            &[],
        ),
        exact(
            "not a QStash schedule",
            "scripts/schedules.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const agenda = { schedules: { create(x: object) {} } };
agenda.schedules.create({ destination: "x", cron: "every 5 minutes" });
await fetch("https://example.com/v2/schedules/https://example.com/api", {
  headers: { "Upstash-Cron": "bad" },
});
export const r = new Receiver();
"#,
            &[],
        ),
        exact(
            "one const cron used by two schedules: one diagnostic",
            "scripts/schedules.ts",
            r#"
import { Client } from "@upstash/qstash";
const CRON = "0 0 * *";
const c = new Client();
await c.schedules.create({ destination: "https://example.com/a", cron: CRON });
await c.schedules.create({ destination: "https://example.com/b", cron: CRON });
"#,
            &[(R, 2)],
        ),
    ]);
}

#[test]
fn invalid_cron_message_names_the_field() {
    for (cron, field) in [
        ("0 24 * * *", "hour"),
        ("60 * * * *", "minute"),
        ("0 0 0 * *", "day of month"),
        ("0 0 * 13 *", "month"),
        ("0 0 * * 8", "day of week"),
        ("CRON_TZ=Nowhere 0 0 * * *", "time zone"),
    ] {
        let src = format!(
            "import {{ Client }} from \"@upstash/qstash\";\n\
             await new Client().schedules.create({{ destination: \"https://example.com\", cron: \"{cron}\" }});\n"
        );
        // The top-level await is also an unhandled publish; this test is
        // about the cron message.
        let found: Vec<_> = messages("scripts/s.ts", &src)
            .into_iter()
            .filter(|(rule, _)| !FLOW_RULES.contains(&rule.as_str()))
            .collect();
        assert_eq!(found.len(), 1, "{cron}: {found:?}");
        let (rule, msg) = &found[0];
        assert_eq!(rule, "invalid-cron");
        assert!(msg.contains(field), "{cron}: `{msg}` does not name {field}");
    }
}

// ---------------------------------------------------------------------------
// invalid-delay
// ---------------------------------------------------------------------------

#[test]
fn invalid_delay() {
    const R: &str = "invalid-delay";
    check(vec![
        // Flagged: the value.
        exact(
            "bad duration strings and negative numbers",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
const url = "https://example.com/api/job";
await c.publishJSON({ url, delay: "5 minutes" });
await c.publishJSON({ url, delay: "1.5h" });
await c.publishJSON({ url, delay: "10" });
await c.publishJSON({ url, delay: "10ms" });
await c.publishJSON({ url, delay: "-5s" });
await c.publishJSON({ url, delay: -5 });
await c.publishJSON({ url, timeout: "30 seconds" });
await c.publishJSON({ url, timeout: -1 });
await c.publishJSON({ url, delay: "5M" });
"#,
            &[
                (R, 4),
                (R, 5),
                (R, 6),
                (R, 7),
                (R, 8),
                (R, 9),
                (R, 10),
                (R, 11),
                (R, 12),
            ],
        ),
        exact(
            "multi-line call: the value's line",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
await c.publishJSON({
  url: "https://example.com/api/job",
  body: {},
  delay:
    "2 hours",
});
"#,
            &[(R, 7)],
        ),
        exact(
            "through a const: the value at the call is reported",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const DELAY = "5 minutes";
const c = new Client();
await c.publishJSON({
  url: "https://example.com/api/job",
  delay: DELAY,
});
"#,
            &[(R, 6)],
        ),
        exact(
            "schedules, queues and batch items",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
await c.schedules.create({ destination: "https://example.com", cron: "* * * * *", delay: "1 minute" });
await c.queue({ queueName: "q" }).enqueueJSON({ url: "https://example.com", timeout: "5 min" });
await c.batchJSON([
  { url: "https://example.com/a", delay: "10s" },
  { url: "https://example.com/b", delay: "10 s" },
]);
"#,
            &[(R, 3), (R, 4), (R, 7)],
        ),
        exact(
            "notBefore in milliseconds",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
const url = "https://example.com/api/job";
const when = Date.now() + 5 * 60 * 1000;
await c.publishJSON({ url, notBefore: Date.now() + 60_000 });
await c.publishJSON({ url, notBefore: new Date("2030-01-01").getTime() });
await c.publishJSON({ url, notBefore: Date.now() });
await c.publishJSON({ url, notBefore: when });
await c.publishJSON({ url, notBefore: Math.floor(Date.now() + 1000) });
await c.publishJSON({
  url,
  notBefore:
    new Date(Date.UTC(2030, 0, 1)).getTime(),
});
"#,
            &[(R, 5), (R, 6), (R, 7), (R, 8), (R, 9), (R, 13)],
        ),
        // Left alone.
        exact(
            "valid delays, timeouts and notBefore",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
const url = "https://example.com/api/job";
await c.publishJSON({ url, delay: "10s" });
await c.publishJSON({ url, delay: "5m" });
await c.publishJSON({ url, delay: "2h", timeout: "30s" });
await c.publishJSON({ url, delay: "1d" });
await c.publishJSON({ url, delay: 60, timeout: 0 });
await c.publishJSON({ url, delay: `10s` });
await c.publishJSON({ url, notBefore: Math.floor(Date.now() / 1000) + 60 });
await c.publishJSON({ url, notBefore: Math.floor(new Date("2030-01-01").getTime() / 1000) });
await c.publishJSON({ url, notBefore: Date.now() / 1000 + 60 });
await c.publishJSON({ url, notBefore: 1893456000 });
"#,
            &[],
        ),
        exact(
            "values not known here",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
import { DELAY } from "./config";
const c = new Client();
const url = "https://example.com/api/job";
export async function send(minutes: number, at: number) {
  await c.publishJSON({ url, delay: `${minutes}m` });
  await c.publishJSON({ url, delay: DELAY });
  await c.publishJSON({ url, delay: process.env.DELAY });
  await c.publishJSON({ url, notBefore: at });
  await c.publishJSON({ url, delay: minutes * 60 });
}
"#,
            &[],
        ),
        exact(
            "not a QStash send",
            "lib/jobs.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const queue = { publishJSON(x: object) {} };
queue.publishJSON({ url: "https://example.com", delay: "5 minutes", notBefore: Date.now() });
export const r = new Receiver();
"#,
            &[],
        ),
        exact(
            "more millisecond and second computations",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
const url = "https://example.com/api/job";
const now = Date.now();
await c.publishJSON({ url, notBefore: now + 60_000 });
await c.publishJSON({ url, notBefore: dayjs().add(1, "hour").valueOf() });
await c.publishJSON({ url, notBefore: (Date.now() + 60_000) / 1000 });
await c.publishJSON({ url, notBefore: Math.round(now / 1000) + 60 });
await c.publishJSON({ url, notBefore: dayjs().add(1, "hour").unix() });
"#,
            &[(R, 5), (R, 6)],
        ),
        exact(
            "negative number through a const",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const BACKOFF = -30;
await new Client().publishJSON({ url: "https://example.com", delay: BACKOFF });
"#,
            &[(R, 3)],
        ),
    ]);
}

// ---------------------------------------------------------------------------
// deprecated-api
// ---------------------------------------------------------------------------

#[test]
fn deprecated_api() {
    const R: &str = "deprecated-api";
    check(vec![
        exact(
            "the workflow serve through a namespace import",
            "app/api/workflow/route.ts",
            r#"
import * as nx from "@upstash/qstash/nextjs";
export const POST = nx.serve(async (context) => {});
"#,
            &[("deprecated-api", 2)],
        ),
        exact(
            "serve of @upstash/workflow through a namespace import is current",
            "app/api/workflow/route.ts",
            r#"
import * as wf from "@upstash/workflow/nextjs";
export const { POST } = wf.serve(async (context) => {});
"#,
            &[],
        ),
        // Flagged: the property / member / import.
        exact(
            "topic option",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
await c.publishJSON({
  topic: "workers",
  body: {},
});
"#,
            &[(R, 4)],
        ),
        exact(
            "topic in publish, batch items, enqueue and shorthand",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
const topic = "workers";
await c.publish({ topic: "a", body: "x" });
await c.batchJSON([{ topic: "a" }, { url: "https://example.com" }]);
await c.queue({ queueName: "q" }).enqueue({ topic: "a", body: "x" });
await c.publishJSON({ topic, body: {} });
"#,
            &[(R, 4), (R, 5), (R, 6), (R, 7)],
        ),
        exact(
            "client.topics",
            "scripts/groups.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
await c.topics.addEndpoints({ name: "g", endpoints: [{ url: "https://example.com" }] });
const groups = await c
  .topics
  .list();
"#,
            &[(R, 3), (R, 5)],
        ),
        exact(
            "events()",
            "scripts/logs.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
const { events } = await c.events({ filter: { state: "ERROR" } });
const more = await c
  .events();
"#,
            &[(R, 3), (R, 5)],
        ),
        exact(
            "workflow serve from @upstash/qstash subpaths",
            "app/api/workflow/route.ts",
            r#"
import { serve } from "@upstash/qstash/nextjs";
import { serve as serveH3 } from "@upstash/qstash/h3";
import { serve as serveSvelte } from "@upstash/qstash/svelte";
import { serve as serveSolid } from "@upstash/qstash/solidjs";
import { serve as serveHono } from "@upstash/qstash/hono";
import { serve as serveCf } from "@upstash/qstash/cloudflare";
import { serve as serveWf } from "@upstash/qstash/workflow";
import { serve as serveDist } from "@upstash/qstash/dist/nextjs";
export const { POST } = serve(async (context) => {});
"#,
            &[
                (R, 1),
                (R, 2),
                (R, 3),
                (R, 4),
                (R, 5),
                (R, 6),
                (R, 7),
                (R, 8),
            ],
        ),
        exact(
            "servePagesRouter from @upstash/qstash/nextjs, not from @upstash/workflow",
            "pages/api/workflow.ts",
            r#"
import { servePagesRouter } from "@upstash/qstash/nextjs";
import * as nx from "@upstash/qstash/nextjs";
import { servePagesRouter as current } from "@upstash/workflow/nextjs";
const { handler } = servePagesRouter(async (context) => {});
export const other = nx.servePagesRouter(async (context) => {});
export const fine = current(async (context) => {});
export default handler;
"#,
            &[(R, 1), (R, 5)],
        ),
        exact(
            "workflow serve through CommonJS and npm:",
            "src/workflow.js",
            r#"
const { serve } = require("@upstash/qstash/nextjs");
import { serve as s2 } from "npm:@upstash/qstash@2.7.0/hono";
module.exports = { serve, s2 };
"#,
            &[(R, 1), (R, 2)],
        ),
        exact(
            "deprecated members on aliased and namespace clients",
            "lib/jobs.ts",
            r#"
import * as qs from "@upstash/qstash";
import { Client as Q } from "@upstash/qstash";
const a = new qs.Client();
const b = new Q();
await a.topics.list();
await b.events();
"#,
            &[(R, 5), (R, 6)],
        ),
        // Left alone.
        exact(
            "current names",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
import { serve } from "@upstash/workflow/nextjs";
import { serve as honoServe } from "@upstash/workflow/hono";
import { verifySignatureAppRouter } from "@upstash/qstash/nextjs";
const c = new Client();
await c.publishJSON({ urlGroup: "workers", body: {} });
await c.urlGroups.addEndpoints({ name: "g", endpoints: [{ url: "https://example.com" }] });
await c.logs();
export const { POST } = serve(async () => {});
"#,
            &[],
        ),
        exact(
            "same names on things that are not QStash",
            "lib/events.ts",
            r#"
import { Kafka } from "kafkajs";
import { Receiver } from "@upstash/qstash";
import { serve } from "bun";
const producer = new Kafka({ brokers: [] }).producer();
await producer.send({ topic: "orders", messages: [] });
const bus = { topics: [], events() {} };
bus.events();
bus.topics.push("x");
export const r = new Receiver();
"#,
            &[],
        ),
        exact(
            "a local Client class is not QStash",
            "lib/events.ts",
            r#"
import { Receiver } from "@upstash/qstash";
class Client {
  topics = [];
  events() {}
  publish(x: object) {}
}
const c = new Client();
c.topics;
c.events();
c.publish({ topic: "x" });
export const r = new Receiver();
"#,
            &[],
        ),
    ]);
}

// ---------------------------------------------------------------------------
// parse-error
// ---------------------------------------------------------------------------

#[test]
fn parse_error() {
    const R: &str = "parse-error";
    check(vec![
        exact(
            "syntax error in a QStash file",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";

export const qstash = new Client({
  token: process.env.QSTASH_TOKEN
  baseUrl: "https://qstash.upstash.io",
});
"#,
            &[(R, 5)],
        ),
        exact(
            "JSX in a .ts file",
            "lib/button.ts",
            r#"
import { Client } from "@upstash/qstash";
export const el = <div>hello</div>;
"#,
            &[(R, 2)],
        ),
        exact(
            "a file that does not parse still has its secrets found",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
const token = "@TOKEN@";
export const = new Client({ token });
"#,
            &[("hardcoded-token", 2), (R, 3)],
        ),
        exact(
            "a parser panic is a parse-error, not a crash",
            "components/x.jsx",
            r#"
// @upstash/qstash
<a:b.c />
"#,
            &[(R, 1)],
        ),
        // Left alone.
        exact(
            "modern syntax parses",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
import config from "./config.json" with { type: "json" };
@sealed
class Jobs {
  constructor(private readonly q = new Client()) {}
}
const opts = { retries: 3 } satisfies Record<string, number>;
const id = <T,>(x: T) => x;
export const n = 1_000n;
export const q = new Client() as unknown as Client;
await using res = getResource();
"#,
            &[],
        ),
        exact(
            "JSX in .js, .jsx and .tsx files",
            "components/a.js",
            r#"
import { Client } from "@upstash/qstash";
export const A = () => <div className="a">{new Date().toString()}</div>;
"#,
            &[],
        ),
        exact(
            "TSX with a generic arrow",
            "components/b.tsx",
            r#"
import type { Client } from "@upstash/qstash";
export const pick = <T,>(x: T) => x;
export const B = ({ c }: { c: Client }) => <span>{String(c)}</span>;
"#,
            &[],
        ),
        exact(
            ".mts and .cts are TypeScript",
            "lib/q.cts",
            r#"
import { Client } from "@upstash/qstash";
export const q: Client = new Client();
"#,
            &[],
        ),
        exact(
            "a file that never mentions QStash is not parsed",
            "lib/broken.ts",
            r#"
export const = ;
"#,
            &[],
        ),
    ]);
}

// ---------------------------------------------------------------------------
// unused-suppression (and suppressions in general)
// ---------------------------------------------------------------------------

#[test]
fn suppressions() {
    const U: &str = "unused-suppression";
    check(vec![
        exact(
            "a used next-line suppression",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
// qstash-lint-ignore hardcoded-token -- rotated, kept for the demo
export const qstash = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[],
        ),
        exact(
            "a suppression that matches nothing",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
// qstash-lint-ignore hardcoded-token -- nothing here
export const qstash = new Client({ token: process.env.QSTASH_TOKEN });
"#,
            &[(U, 2)],
        ),
        exact(
            "a suppression for another rule does not hide the finding",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
// qstash-lint-ignore invalid-cron
export const qstash = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[(U, 2), ("hardcoded-token", 3)],
        ),
        exact(
            "a suppression covers only the next line",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
// qstash-lint-ignore hardcoded-token

export const qstash = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[(U, 2), ("hardcoded-token", 4)],
        ),
        exact(
            "an unknown rule",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
// qstash-lint-ignore no-such-rule -- typo
export const qstash = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[(U, 2), ("hardcoded-token", 3)],
        ),
        exact(
            "an unknown rule next to a used one",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
// qstash-lint-ignore hardcoded-token, hardcoded-tokn
export const qstash = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[(U, 2)],
        ),
        exact(
            "several rules in one suppression",
            "lib/receiver.ts",
            r#"
import { Receiver } from "@upstash/qstash";
// qstash-lint-ignore single-signing-key, hardcoded-signing-key -- fixture
export const r = new Receiver({ currentSigningKey: "curr-8f7d6c5b4a39e2d1" });
"#,
            &[],
        ),
        exact(
            "a suppression without rules covers every rule of the next line",
            "lib/receiver.ts",
            r#"
import { Receiver } from "@upstash/qstash";
// qstash-lint-ignore -- fixture
export const r = new Receiver({ currentSigningKey: "curr-8f7d6c5b4a39e2d1" });
"#,
            &[],
        ),
        exact(
            "a multi-line diagnostic is suppressed on its start line",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
// qstash-lint-ignore missing-destination -- the URL group is added by middleware
await c
  .publishJSON({
    body: {},
  });
"#,
            &[],
        ),
        exact(
            "a suppression on a later line of a multi-line diagnostic is unused",
            "lib/jobs.ts",
            r#"
import { Client } from "@upstash/qstash";
const c = new Client();
await c
  // qstash-lint-ignore missing-destination
  .publishJSON({
    body: {},
  });
"#,
            &[(U, 4), ("missing-destination", 3)],
        ),
        exact(
            "JSX suppression comment",
            "components/debug.tsx",
            r#"
export function Debug() {
  return (
    <div>
      {/* qstash-lint-ignore client-exposed-secret -- local debugging page */}
      <pre>{process.env.NEXT_PUBLIC_QSTASH_TOKEN}</pre>
      {/* qstash-lint-ignore client-exposed-secret */}
      <pre>{process.env.NEXT_PUBLIC_APP_URL}</pre>
    </div>
  );
}
"#,
            &[(U, 6)],
        ),
        exact(
            "block comment suppression",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
/* qstash-lint-ignore hardcoded-token -- demo */
export const qstash = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[],
        ),
        exact(
            "file-level suppression of one rule",
            "lib/fixtures.ts",
            r#"
// qstash-lint-ignore-file hardcoded-token -- documentation fixtures
import { Client } from "@upstash/qstash";
export const a = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
export const b = new Client({ token: "@TOKEN@" });
await a.publishJSON({ body: {} });
"#,
            &[("missing-destination", 5)],
        ),
        exact(
            "file-level suppression of every rule",
            "lib/fixtures.ts",
            r#"
// qstash-lint-ignore-file
import { Client } from "@upstash/qstash";
export const a = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
await a.publishJSON({ body: {}, delay: "soon" });
"#,
            &[],
        ),
        exact(
            "unused file-level suppression",
            "lib/fixtures.ts",
            r#"
// qstash-lint-ignore-file invalid-cron
import { Client } from "@upstash/qstash";
export const a = new Client();
"#,
            &[(U, 1)],
        ),
        exact(
            "file-level suppression naming an unknown rule",
            "lib/fixtures.ts",
            r#"
// qstash-lint-ignore-file hardcoded-secret
import { Client } from "@upstash/qstash";
export const a = new Client();
"#,
            &[(U, 1)],
        ),
        exact(
            "suppressions work in files that are not parsed",
            "src/settings.ts",
            r#"
// qstash-lint-ignore hardcoded-token -- revoked
export const a = "@TOKEN@";
"#,
            &[],
        ),
        Case {
            config: Some(|c| {
                c.rules.insert("hardcoded-token".into(), Level::Off);
            }),
            ..exact(
                "a suppression for a rule that is off is not reported",
                "lib/qstash.ts",
                r#"
import { Client } from "@upstash/qstash";
// qstash-lint-ignore hardcoded-token
export const qstash = new Client();
"#,
                &[],
            )
        },
        Case {
            config: Some(|c| {
                c.rules.insert(U.into(), Level::Off);
            }),
            ..exact(
                "unused-suppression can be turned off",
                "lib/qstash.ts",
                r#"
import { Client } from "@upstash/qstash";
// qstash-lint-ignore hardcoded-token
// qstash-lint-ignore not-a-rule
export const qstash = new Client();
"#,
                &[],
            )
        },
        exact(
            "a directive word with a suffix is not a suppression",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
// qstash-lint-ignored hardcoded-token
export const qstash = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[("hardcoded-token", 3)],
        ),
    ]);
}

// ---------------------------------------------------------------------------
// Known gaps outside src/facts and src/rules
// ---------------------------------------------------------------------------

/// Directive text inside a string is no suppression; syntax errors that swc
/// recovers from are still `parse-error`s.
#[test]
fn strings_and_recoverable_syntax_errors() {
    const R: &str = "parse-error";
    check(vec![
        exact(
            "directive text in a string or a longer word is not a suppression",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
export const help = "write // qstash-lint-ignore hardcoded-token above the line";
// qstash-lint-ignored hardcoded-token
export const qstash = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
"#,
            &[("hardcoded-token", 4)],
        ),
        exact(
            "TypeScript syntax in a .js file",
            "lib/qstash.js",
            r#"
import { Client } from "@upstash/qstash";
export const qstash: Client = new Client();
"#,
            &[(R, 2)],
        ),
        exact(
            "unterminated string",
            "lib/qstash.mjs",
            r#"
import { Client } from "@upstash/qstash";
const url = "https://example.com;
"#,
            &[(R, 2)],
        ),
    ]);
}

// ---------------------------------------------------------------------------
// Line counting
// ---------------------------------------------------------------------------

#[test]
fn lines_with_crlf_and_non_ascii_text() {
    check(vec![
        exact(
            "CRLF line endings",
            "lib/qstash.ts",
            "import { Client } from \"@upstash/qstash\";\r\n\
             // qstash-lint-ignore hardcoded-token -- demo\r\n\
             export const a = new Client({ token: \"qs_prod_8f7d6c5b4a39e2d1\" });\r\n\
             \r\n\
             export const b = new Client({\r\n  token: \"qs_prod_8f7d6c5b4a39e2d2\",\r\n});\r\n\
             await a.publishJSON({ url: \"http://localhost:3000/api\" });\r\n",
            &[("hardcoded-token", 6), ("localhost-destination", 8)],
        ),
        exact(
            "non-ASCII text before the findings",
            "lib/qstash.ts",
            r#"
// Envoie des tâches — 🚀 — 送信
import { Client } from "@upstash/qstash";
const note = "für später: ünïcödé";
export const a = new Client({ token: "qs_prod_8f7d6c5b4a39e2d1" });
await a.publishJSON({ body: "ключ", url: "http://localhost:3000/api" });
"#,
            &[("hardcoded-token", 4), ("localhost-destination", 5)],
        ),
    ]);
}
