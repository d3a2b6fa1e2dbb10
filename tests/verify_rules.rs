//! Pass/fail tables for the verification rules of rules.md:
//! `verify-parsed-body`, `unawaited-verify`, `verification-bypass` and
//! `verify-without-url`.
//!
//! Each case lints one in-memory file with `check_text` (no project context)
//! and compares the start lines of one rule's diagnostics with the expected
//! list. `verify-without-url` is off by default; its cases turn it on.

mod common;

use common::*;
use qstash_lint::config::{Config, Level};
use qstash_lint::engine::check_text;
use std::path::Path;

fn with_url_rule(c: &mut Config) {
    c.rules
        .insert("verify-without-url".to_string(), Level::Note);
}

/// A `verify-without-url` case, with the rule turned on.
fn url(name: &'static str, path: &'static str, src: &'static str, lines: &[u32]) -> Case {
    Case {
        config: Some(with_url_rule),
        ..only("verify-without-url", name, path, src, lines)
    }
}

// ---------------------------------------------------------------------------
// verify-parsed-body
// ---------------------------------------------------------------------------

#[test]
fn verify_parsed_body() {
    const R: &str = "verify-parsed-body";
    check(vec![
        // Flagged: the `body` property value.
        only(
            R,
            "a body guard whose branches are parsed or empty (a NestJS guard)",
            "src/guards/qstash.guard.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function check(request: { body?: unknown; headers: Record<string, string> }) {
  const body = request.body ? JSON.stringify(request.body) : "";
  await receiver.verify({ signature: request.headers["upstash-signature"], body });
  await receiver.verify({ signature: "s", body: JSON.stringify(request.body) || "" });
}
"#,
            &[5, 6],
        ),
        only(
            R,
            "a raw fallback in a branch: not judged",
            "src/guards/qstash.guard.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function check(request: { rawBody?: string; body?: unknown }, signature: string) {
  await receiver.verify({ signature, body: request.rawBody ?? JSON.stringify(request.body) });
  const text = request.rawBody ? request.rawBody.toString() : `${JSON.stringify(request.body)}`;
  await receiver.verify({ signature, body: text });
}
"#,
            &[],
        ),
        only(
            R,
            "a typeof guard is judged by its other branch; a guard on another value is not",
            "src/guards/qstash.guard.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function check(request: { rawBody?: string; body?: unknown }, signature: string) {
  await receiver.verify({ signature, body: typeof request.body === "string" ? request.body : JSON.stringify(request.body) });
  await receiver.verify({ signature, body: "string" !== typeof request.body ? JSON.stringify(request.body) : request.body });
  await receiver.verify({ signature, body: typeof request.rawBody === "string" ? request.rawBody : JSON.stringify(request.body) });
}
"#,
            &[4, 5],
        ),
        only(
            R,
            "a parsed body handed to a local verifier, in the parameter it verifies",
            "src/guards/qstash.guard.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
async function verifyBody(signature: string, body: string) {
  await receiver.verify({ signature, body });
}
const verifyArrow = async (label: string, body: string) => receiver.verify({ signature: label, body });
export async function check(request: { rawBody: string; body?: unknown }, signature: string) {
  await verifyBody(signature, JSON.stringify(request.body));
  await verifyArrow(signature, JSON.stringify(request.body));
  await verifyBody(JSON.stringify(request.body), request.rawBody);
  await verifyBody(signature, request.rawBody);
}
"#,
            &[8, 9],
        ),
        only(
            R,
            "App Router request.json()",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(request: Request) {
  const body = await request.json();
  await receiver.verify({
    signature: request.headers.get("upstash-signature")!,
    body,
  });
  return Response.json({ ok: true });
}
"#,
            &[7],
        ),
        only(
            R,
            "inline await req.json()",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  await receiver.verify({ signature: req.headers.get("upstash-signature")!, body: await req.json() });
  return new Response("ok");
}
"#,
            &[4],
        ),
        only(
            R,
            "JSON.stringify(await req.json())",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  await receiver.verify({
    signature: req.headers.get("upstash-signature")!,
    body: JSON.stringify(await req.json()),
  });
  return new Response("ok");
}
"#,
            &[6],
        ),
        only(
            R,
            "JSON.stringify of a parsed const",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const data = await req.json();
  const signature = req.headers.get("upstash-signature") ?? "";
  await receiver.verify({ signature, body: JSON.stringify(data) });
  return new Response("ok");
}
"#,
            &[6],
        ),
        only(
            R,
            "Express req.body after express.json()",
            "server.ts",
            r#"
import express from "express";
import { Receiver } from "@upstash/qstash";
const app = express();
app.use(express.json());
const receiver = new Receiver();
app.post("/api/qstash", async (req, res) => {
  await receiver.verify({
    signature: req.headers["upstash-signature"] as string,
    body: req.body,
  });
  res.send("ok");
});
"#,
            &[9],
        ),
        only(
            R,
            "Express JSON.stringify(req.body) after bodyParser.json()",
            "server.js",
            r#"
const express = require("express");
const bodyParser = require("body-parser");
const { Receiver } = require("@upstash/qstash");
const app = express();
app.use(bodyParser.json());
const receiver = new Receiver();
app.post("/api/qstash", async (req, res) => {
  await receiver.verify({
    signature: req.headers["upstash-signature"],
    body: JSON.stringify(req.body),
  });
  res.send("ok");
});
"#,
            &[10],
        ),
        only(
            R,
            "Pages Router req.body without bodyParser: false",
            "pages/api/qstash.ts",
            r#"
import type { NextApiRequest, NextApiResponse } from "next";
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  await receiver.verify({
    signature: req.headers["upstash-signature"] as string,
    body: req.body,
  });
  res.status(200).end();
}
"#,
            &[7],
        ),
        only(
            R,
            "Pages Router in plain JS, default export by name",
            "pages/api/qstash.js",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
async function handler(req, res) {
  await receiver.verify({ signature: req.headers["upstash-signature"], body: req.body });
  res.status(200).end();
}
export default handler;
"#,
            &[4],
        ),
        only(
            R,
            "h3 readBody",
            "server/api/qstash.post.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export default defineEventHandler(async (event) => {
  const body = await readBody(event);
  await receiver.verify({
    signature: getHeader(event, "upstash-signature")!,
    body,
  });
  return { ok: true };
});
"#,
            &[7],
        ),
        only(
            R,
            "h3 readBody imported from h3",
            "server/api/qstash.post.ts",
            r#"
import { defineEventHandler, readBody, getHeader } from "h3";
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export default defineEventHandler(async (event) => {
  await receiver.verify({ signature: getHeader(event, "upstash-signature")!, body: JSON.stringify(await readBody(event)) });
  return { ok: true };
});
"#,
            &[5],
        ),
        only(
            R,
            "Hono c.req.json()",
            "src/index.ts",
            r#"
import { Hono } from "hono";
import { Receiver } from "@upstash/qstash";
const app = new Hono();
const receiver = new Receiver();
app.post("/api/qstash", async (c) => {
  await receiver.verify({ signature: c.req.header("upstash-signature")!, body: await c.req.json() });
  return c.text("ok");
});
"#,
            &[6],
        ),
        only(
            R,
            "options object held in a const",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const options = {
    signature: req.headers.get("upstash-signature")!,
    body: JSON.stringify(await req.json()),
  };
  await receiver.verify(options);
  return new Response("ok");
}
"#,
            &[6],
        ),
        // Not flagged: the raw text.
        only(
            R,
            "App Router request.text()",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(request: Request) {
  const body = await request.text();
  await receiver.verify({ signature: request.headers.get("upstash-signature")!, body });
  const data = JSON.parse(body);
  return Response.json(data);
}
"#,
            &[],
        ),
        only(
            R,
            "Pages Router with bodyParser: false and a raw buffer",
            "pages/api/qstash.ts",
            r#"
import type { NextApiRequest, NextApiResponse } from "next";
import { Receiver } from "@upstash/qstash";
import getRawBody from "raw-body";
export const config = { api: { bodyParser: false } };
const receiver = new Receiver();
export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const raw = await getRawBody(req);
  await receiver.verify({ signature: req.headers["upstash-signature"] as string, body: raw.toString() });
  res.status(200).end();
}
"#,
            &[],
        ),
        only(
            R,
            "Pages Router with bodyParser: false reading req.body",
            "pages/api/qstash.ts",
            r#"
import type { NextApiRequest, NextApiResponse } from "next";
import { Receiver } from "@upstash/qstash";
export const config = {
  api: {
    bodyParser: false,
  },
};
const receiver = new Receiver();
export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  await receiver.verify({ signature: req.headers["upstash-signature"] as string, body: req.body });
  res.status(200).end();
}
"#,
            &[],
        ),
        only(
            R,
            "Express with express.text()",
            "server.ts",
            r#"
import express from "express";
import { Receiver } from "@upstash/qstash";
const app = express();
app.use(express.text({ type: "*/*" }));
const receiver = new Receiver();
app.post("/api/qstash", async (req, res) => {
  await receiver.verify({ signature: req.headers["upstash-signature"] as string, body: req.body });
  res.send("ok");
});
"#,
            &[],
        ),
        only(
            R,
            "Express with express.raw() and toString()",
            "server.ts",
            r#"
import express from "express";
import { Receiver } from "@upstash/qstash";
const app = express();
const receiver = new Receiver();
app.post("/api/qstash", express.raw({ type: "application/json" }), async (req, res) => {
  await receiver.verify({ signature: req.headers["upstash-signature"] as string, body: req.body.toString() });
  res.send("ok");
});
"#,
            &[],
        ),
        only(
            R,
            "Express json parser that keeps rawBody",
            "server.ts",
            r#"
import express from "express";
import { Receiver } from "@upstash/qstash";
const app = express();
app.use(express.json({ verify: (req: any, _res, buf) => { req.rawBody = buf.toString(); } }));
const receiver = new Receiver();
app.post("/api/qstash", async (req: any, res) => {
  await receiver.verify({ signature: req.headers["upstash-signature"], body: req.rawBody });
  res.send("ok");
});
"#,
            &[],
        ),
        only(
            R,
            "h3 readRawBody",
            "server/api/qstash.post.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export default defineEventHandler(async (event) => {
  const body = await readRawBody(event);
  await receiver.verify({ signature: getHeader(event, "upstash-signature")!, body: body ?? "" });
  return { ok: true };
});
"#,
            &[],
        ),
        only(
            R,
            "a router file whose parsers are unknown",
            "routes/qstash.ts",
            r#"
import { Router } from "express";
import { Receiver } from "@upstash/qstash";
const router = Router();
const receiver = new Receiver();
router.post("/", async (req, res) => {
  await receiver.verify({ signature: req.headers["upstash-signature"] as string, body: req.body });
  res.send("ok");
});
export default router;
"#,
            &[],
        ),
        only(
            R,
            "a body of unknown origin",
            "lib/verify.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function check(signature: string, payload: string) {
  return receiver.verify({ signature, body: payload });
}
"#,
            &[],
        ),
        only(
            R,
            "verify on something that is not a Receiver",
            "app/api/token/route.ts",
            r#"
import jwt from "jsonwebtoken";
export async function POST(req: Request) {
  jwt.verify({ body: await req.json() });
  return new Response("ok");
}
"#,
            &[],
        ),
    ]);
}

// ---------------------------------------------------------------------------
// unawaited-verify
// ---------------------------------------------------------------------------

#[test]
fn unawaited_verify() {
    const R: &str = "unawaited-verify";
    check(vec![
        // Flagged: the verify call.
        only(
            R,
            "floating verify",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  receiver.verify({ signature: req.headers.get("upstash-signature")!, body });
  return Response.json(JSON.parse(body));
}
"#,
            &[5],
        ),
        only(
            R,
            "void verify",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  void receiver.verify({ signature: req.headers.get("upstash-signature")!, body });
  return new Response("ok");
}
"#,
            &[5],
        ),
        only(
            R,
            "result used without await",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  const isValid = receiver.verify({ signature: req.headers.get("upstash-signature")!, body });
  if (!isValid) return new Response("Invalid", { status: 401 });
  return new Response("ok");
}
"#,
            &[5],
        ),
        only(
            R,
            "catch that swallows, not awaited",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  receiver.verify({ signature: req.headers.get("upstash-signature")!, body }).catch(() => {});
  return new Response("ok");
}
"#,
            &[5],
        ),
        only(
            R,
            "awaited catch that only logs",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  await receiver
    .verify({ signature: req.headers.get("upstash-signature")!, body })
    .catch((err) => console.error(err));
  return new Response("ok");
}
"#,
            &[5],
        ),
        only(
            R,
            "catch that returns true",
            "lib/qstash.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export function isValid(signature: string, body: string) {
  return receiver.verify({ signature, body }).catch(() => true);
}
"#,
            &[4],
        ),
        only(
            R,
            "try with an empty catch and code after it",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  try {
    await receiver.verify({ signature: req.headers.get("upstash-signature")!, body });
  } catch {}
  await handle(JSON.parse(body));
  return new Response("ok");
}
async function handle(data: unknown) {}
"#,
            &[6],
        ),
        only(
            R,
            "try with a logging catch in a verifier",
            "lib/verify.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function verifyQstash(signature: string, body: string) {
  try {
    await receiver.verify({ signature, body });
  } catch (e) {
    console.error("qstash signature", e);
  }
}
"#,
            &[5],
        ),
        only(
            R,
            "floating call of a local verifier",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
async function verifyRequest(req: Request, body: string) {
  await receiver.verify({ signature: req.headers.get("upstash-signature")!, body });
}
export async function POST(req: Request) {
  const body = await req.text();
  verifyRequest(req, body);
  return new Response("ok");
}
"#,
            &[8],
        ),
        only(
            R,
            "verifier that returns a boolean, used without await",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
const isSigned = async (req: Request, body: string) =>
  receiver.verify({ signature: req.headers.get("upstash-signature")!, body }).catch(() => false);
export async function POST(req: Request) {
  const body = await req.text();
  if (!isSigned(req, body)) return new Response("Unauthorized", { status: 401 });
  return new Response("ok");
}
"#,
            &[7],
        ),
        // Not flagged.
        only(
            R,
            "awaited, if (!isValid) after it",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  const isValid = await receiver.verify({ signature: req.headers.get("upstash-signature")!, body });
  if (!isValid) return new Response("Invalid signature", { status: 400 });
  return new Response("ok");
}
"#,
            &[],
        ),
        only(
            R,
            "try whose catch returns 401",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  try {
    await receiver.verify({ signature: req.headers.get("upstash-signature")!, body });
  } catch (err) {
    return new Response("Unauthorized", { status: 401 });
  }
  return new Response("ok");
}
"#,
            &[],
        ),
        only(
            R,
            "Express try whose catch responds",
            "server.ts",
            r#"
import express from "express";
import { Receiver } from "@upstash/qstash";
const app = express();
app.use(express.text({ type: "*/*" }));
const receiver = new Receiver();
app.post("/api/qstash", async (req, res) => {
  try {
    await receiver.verify({ signature: req.headers["upstash-signature"] as string, body: req.body });
  } catch {
    res.status(401).send("Unauthorized");
  }
  res.send("ok");
});
"#,
            &[],
        ),
        only(
            R,
            "try whose catch rethrows",
            "lib/verify.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function verifyQstash(signature: string, body: string) {
  try {
    await receiver.verify({ signature, body });
  } catch (e) {
    console.error(e);
    throw new Error("invalid signature");
  }
}
"#,
            &[],
        ),
        only(
            R,
            "try/catch that returns false in a verifier",
            "lib/verify.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function isValidSignature(signature: string, body: string) {
  try {
    await receiver.verify({ signature, body });
    return true;
  } catch {
    return false;
  }
}
"#,
            &[],
        ),
        only(
            R,
            "a flag set in try and checked after",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  let verified = false;
  try {
    await receiver.verify({ signature: req.headers.get("upstash-signature")!, body });
    verified = true;
  } catch (e) {
    console.error(e);
  }
  if (!verified) return new Response("Unauthorized", { status: 401 });
  return new Response("ok");
}
"#,
            &[],
        ),
        only(
            R,
            "catch(() => false) checked after",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  const ok = await receiver.verify({ signature: req.headers.get("upstash-signature")!, body }).catch(() => false);
  if (!ok) return new Response("Unauthorized", { status: 401 });
  return new Response("ok");
}
"#,
            &[],
        ),
        only(
            R,
            "catch that throws",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  await receiver.verify({ signature: req.headers.get("upstash-signature")!, body }).catch((e) => {
    throw new Error("unauthorized", { cause: e });
  });
  return new Response("ok");
}
"#,
            &[],
        ),
        only(
            R,
            "returned verify",
            "lib/verify.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export function verifyQstash(signature: string, body: string) {
  return receiver.verify({ signature, body });
}
export const verifyArrow = (signature: string, body: string) => receiver.verify({ signature, body });
"#,
            &[],
        ),
        only(
            R,
            "Promise.all and a promise awaited later",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  const check = receiver.verify({ signature: req.headers.get("upstash-signature")!, body });
  await Promise.all([receiver.verify({ signature: "s", body }), load()]);
  await check;
  return new Response("ok");
}
async function load() {}
"#,
            &[],
        ),
        only(
            R,
            "callback style with a then and a stopping catch",
            "server.js",
            r#"
const express = require("express");
const { Receiver } = require("@upstash/qstash");
const app = express();
app.use(express.text({ type: "*/*" }));
const receiver = new Receiver();
app.post("/api/qstash", (req, res, next) => {
  receiver
    .verify({ signature: req.headers["upstash-signature"], body: req.body })
    .then(() => next())
    .catch(() => res.status(401).send("Unauthorized"));
});
"#,
            &[],
        ),
        only(
            R,
            "awaited local verifier",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
async function verifyRequest(req: Request, body: string) {
  await receiver.verify({ signature: req.headers.get("upstash-signature")!, body });
}
export async function POST(req: Request) {
  const body = await req.text();
  await verifyRequest(req, body);
  return new Response("ok");
}
"#,
            &[],
        ),
        only(
            R,
            "test file awaiting expect(...).rejects",
            "lib/verify.test.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
test("rejects a bad signature", async () => {
  await expect(receiver.verify({ signature: "bad", body: "{}" })).rejects.toThrow();
});
"#,
            &[],
        ),
        only(
            R,
            "try whose block does the work and nothing follows",
            "server.ts",
            r#"
import express from "express";
import { Receiver } from "@upstash/qstash";
const app = express();
app.use(express.text({ type: "*/*" }));
const receiver = new Receiver();
app.post("/api/qstash", async (req, res) => {
  try {
    await receiver.verify({ signature: req.headers["upstash-signature"] as string, body: req.body });
    await work(req.body);
    res.send("ok");
  } catch (e) {
    console.error(e);
  }
});
async function work(body: string) {}
"#,
            &[],
        ),
    ]);
}

#[test]
fn unawaited_verify_messages_name_the_break() {
    let m = messages(
        "app/api/qstash/route.ts",
        r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  receiver.verify({ signature: req.headers.get("upstash-signature")!, body });
  try {
    await receiver.verify({ signature: req.headers.get("upstash-signature")!, body });
  } catch {}
  return new Response("ok");
}
"#,
    );
    let ours: Vec<&String> = m
        .iter()
        .filter(|(r, _)| r == "unawaited-verify")
        .map(|(_, msg)| msg)
        .collect();
    assert_eq!(ours.len(), 2, "{m:?}");
    assert!(ours[0].contains("not awaited"), "{}", ours[0]);
    assert!(ours[1].contains("`catch`"), "{}", ours[1]);
}

// ---------------------------------------------------------------------------
// verification-bypass
// ---------------------------------------------------------------------------

#[test]
fn verification_bypass() {
    const R: &str = "verification-bypass";
    check(vec![
        // Flagged: the condition.
        only(
            R,
            "verify only when the header is present",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  const signature = req.headers.get("upstash-signature");
  if (signature) {
    await receiver.verify({ signature, body });
  }
  return Response.json(JSON.parse(body));
}
"#,
            &[6],
        ),
        only(
            R,
            "header read in the condition itself",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  if (req.headers.get("upstash-signature")) {
    await receiver.verify({ signature: req.headers.get("upstash-signature")!, body });
  }
  return new Response("ok");
}
"#,
            &[5],
        ),
        only(
            R,
            "early success when the header is missing",
            "middleware.ts",
            r#"
import { NextResponse, type NextRequest } from "next/server";
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function middleware(req: NextRequest) {
  const signature = req.headers.get("upstash-signature");
  if (!signature) return NextResponse.next();
  await receiver.verify({ signature, body: await req.text() });
  return NextResponse.next();
}
"#,
            &[6],
        ),
        only(
            R,
            "a missing key rejected only in production still lets the rest through",
            "lib/verify.ts",
            r#"
import { Receiver } from "@upstash/qstash";
export async function verifyQstash(req: Request, body: string): Promise<boolean> {
  const current = process.env.QSTASH_CURRENT_SIGNING_KEY;
  if (!current) {
    if (process.env.NODE_ENV === "production") {
      return false;
    }
    console.warn("skipping verification");
    return true;
  }
  const receiver = new Receiver({ currentSigningKey: current, nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY! });
  return await receiver.verify({ signature: req.headers.get("upstash-signature") ?? "", body });
}
"#,
            &[4],
        ),
        only(
            R,
            "a missing key read with Deno.env.get that lets the request through",
            "supabase/functions/_shared/verify.ts",
            r#"
import { Receiver } from "npm:@upstash/qstash";
export async function verifyQstash(req: Request, body: string): Promise<boolean> {
  const current = Deno.env.get("QSTASH_CURRENT_SIGNING_KEY");
  if (!current) return true;
  const receiver = new Receiver({ currentSigningKey: current, nextSigningKey: Deno.env.get("QSTASH_NEXT_SIGNING_KEY")! });
  return await receiver.verify({ signature: req.headers.get("upstash-signature") ?? "", body });
}
"#,
            &[4],
        ),
        only(
            R,
            "a missing key rejected under a condition the analysis cannot read is left alone",
            "supabase/functions/_shared/verify.ts",
            r#"
import { Receiver } from "npm:@upstash/qstash";
function isDeployed() { return Boolean(Deno.env.get("DENO_DEPLOYMENT_ID")); }
export async function verifyQstash(req: Request, body: string): Promise<boolean> {
  const current = Deno.env.get("QSTASH_CURRENT_SIGNING_KEY");
  if (!current) {
    if (isDeployed()) return false;
    return true;
  }
  const receiver = new Receiver({ currentSigningKey: current, nextSigningKey: Deno.env.get("QSTASH_NEXT_SIGNING_KEY")! });
  return await receiver.verify({ signature: req.headers.get("upstash-signature") ?? "", body });
}
"#,
            &[],
        ),
        only(
            R,
            "a missing key rejected on every path is left alone",
            "lib/verify.ts",
            r#"
import { Receiver } from "@upstash/qstash";
export async function verifyQstash(req: Request, body: string): Promise<boolean> {
  const current = process.env.QSTASH_CURRENT_SIGNING_KEY;
  if (!current) {
    if (process.env.STRICT) {
      throw new Error("signing keys missing");
    }
    console.warn("no signing key");
    return false;
  }
  const receiver = new Receiver({ currentSigningKey: current, nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY! });
  return await receiver.verify({ signature: req.headers.get("upstash-signature") ?? "", body });
}
"#,
            &[],
        ),
        only(
            R,
            "NODE_ENV development returns the handler",
            "lib/with-qstash.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
type Handler = (req: Request) => Promise<Response>;
export function withQstash(handler: Handler): Handler {
  return async (req) => {
    if (process.env.NODE_ENV === "development") return handler(req);
    const body = await req.clone().text();
    await receiver.verify({ signature: req.headers.get("upstash-signature")!, body });
    return handler(req);
  };
}
"#,
            &[6],
        ),
        only(
            R,
            "missing signing key calls the handler",
            "lib/with-qstash.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export function withQstash(handler: (req: Request) => Promise<Response>) {
  return async (req: Request) => {
    if (!process.env.QSTASH_CURRENT_SIGNING_KEY) {
      console.warn("QStash keys missing, skipping verification");
      return handler(req);
    }
    await receiver.verify({ signature: req.headers.get("upstash-signature")!, body: await req.clone().text() });
    return handler(req);
  };
}
"#,
            &[5],
        ),
        only(
            R,
            "verifier returns true in development",
            "lib/verify.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
const isDev = process.env.NODE_ENV !== "production";
export async function isValid(signature: string, body: string) {
  if (isDev) return true;
  return receiver.verify({ signature, body });
}
"#,
            &[5],
        ),
        only(
            R,
            "verification only in production",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  if (process.env.NODE_ENV === "production") {
    await receiver.verify({ signature: req.headers.get("upstash-signature")!, body });
  }
  return new Response("ok");
}
"#,
            &[5],
        ),
        only(
            R,
            "wrapper applied only when a key is set",
            "app/api/qstash/route.ts",
            r#"
import { verifySignatureAppRouter } from "@upstash/qstash/nextjs";
async function handler(req: Request) {
  return new Response("ok");
}
export const POST = process.env.QSTASH_CURRENT_SIGNING_KEY
  ? verifySignatureAppRouter(handler)
  : handler;
"#,
            &[5],
        ),
        only(
            R,
            "NODE_ENV || verify",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  const ok =
    process.env.NODE_ENV === "development" ||
    (await receiver.verify({ signature: req.headers.get("upstash-signature")!, body }));
  if (!ok) return new Response("Unauthorized", { status: 401 });
  return new Response("ok");
}
"#,
            &[6],
        ),
        only(
            R,
            "hardcoded devMode on a Receiver and a wrapper, not on a Client (it only routes publishes to the dev server)",
            "lib/qstash.ts",
            r#"
import { Client, Receiver } from "@upstash/qstash";
import { verifySignatureAppRouter } from "@upstash/qstash/nextjs";
export const receiver = new Receiver({ devMode: true });
export const client = new Client({
  devMode: true,
});
export const wrap = (h: (r: Request) => Promise<Response>) =>
  verifySignatureAppRouter(h, { devMode: true });
"#,
            &[3, 8],
        ),
        only(
            R,
            "a receiver that exists only with the keys, and a middleware that lets requests through without it",
            "src/routes/webhooks.js",
            r#"
import { Receiver } from "@upstash/qstash";
let receiver;
if (process.env.QSTASH_CURRENT_SIGNING_KEY && process.env.QSTASH_NEXT_SIGNING_KEY) {
  receiver = new Receiver({
    currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY,
    nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY,
  });
}
export async function verifyQStash(req, res, next) {
  if (!receiver) return next();
  try {
    await receiver.verify({ signature: req.headers["upstash-signature"], body: req.rawBody });
    next();
  } catch {
    return res.status(401).end();
  }
}
"#,
            &[10],
        ),
        only(
            R,
            "a key-gated receiver whose absence is rejected, and one that always exists",
            "src/routes/webhooks.js",
            r#"
import { Receiver } from "@upstash/qstash";
const gated = process.env.QSTASH_CURRENT_SIGNING_KEY ? new Receiver() : null;
const always = new Receiver();
export async function strict(req, res, next) {
  if (!gated) return res.status(500).json({ error: "signing keys missing" });
  await gated.verify({ signature: req.headers["upstash-signature"], body: req.rawBody });
  next();
}
export async function plain(req, res, next) {
  if (!always) return next();
  await always.verify({ signature: req.headers["upstash-signature"], body: req.rawBody });
  next();
}
"#,
            &[],
        ),
        only(
            R,
            "a test that switches verification off is a test",
            "lib/workflow.ts",
            r#"
import { serve } from "@upstash/workflow/nextjs";
import { describe, it, expect } from "vitest";
describe("workflow", () => {
  it("runs without a receiver", async () => {
    const { POST } = serve(async () => {}, { receiver: undefined });
    expect(POST).toBeDefined();
  });
});
export const { POST } = serve(async () => {}, { receiver: undefined });
"#,
            &[9],
        ),
        only(
            "unawaited-verify",
            "a floating verify in a test callback is the test's business",
            "lib/verify.ts",
            r#"
import { Receiver } from "@upstash/qstash";
import { test } from "node:test";
const receiver = new Receiver();
test("verify rejects", () => {
  receiver.verify({ signature: "x", body: "" });
});
export async function check(signature: string, body: string) {
  receiver.verify({ signature, body });
}
"#,
            &[8],
        ),
        only(
            R,
            "workflow serve with receiver: undefined",
            "app/api/workflow/route.ts",
            r#"
import { serve } from "@upstash/workflow/nextjs";
export const { POST } = serve(
  async (context) => {
    await context.run("step", () => 1);
  },
  {
    receiver: undefined,
  },
);
"#,
            &[7],
        ),
        only(
            R,
            "workflow createWorkflow with receiver: null and deprecated serve",
            "app/api/workflow/route.ts",
            r#"
import { createWorkflow } from "@upstash/workflow/nextjs";
import { serve } from "@upstash/qstash/nextjs";
export const wf = createWorkflow(async (context) => {}, { receiver: null });
export const { POST } = serve(async (context) => {}, { receiver: undefined, retries: 3 });
"#,
            &[3, 4],
        ),
        // Not flagged.
        only(
            R,
            "missing header rejected first",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const signature = req.headers.get("upstash-signature");
  if (!signature) return new Response("Missing signature", { status: 401 });
  const body = await req.text();
  await receiver.verify({ signature, body });
  return new Response("ok");
}
"#,
            &[],
        ),
        only(
            R,
            "header guard with a rejecting else",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  const signature = req.headers.get("upstash-signature");
  if (signature) {
    await receiver.verify({ signature, body });
  } else {
    return new Response("Unauthorized", { status: 401 });
  }
  return new Response("ok");
}
"#,
            &[],
        ),
        only(
            R,
            "header guard that does the work inside",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  const signature = req.headers.get("upstash-signature");
  if (signature) {
    await receiver.verify({ signature, body });
    await process(JSON.parse(body));
  }
  return new Response("ok");
}
async function process(data: unknown) {}
"#,
            &[],
        ),
        only(
            R,
            "missing key throws",
            "lib/verify.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function verifyQstash(signature: string, body: string) {
  if (!process.env.QSTASH_CURRENT_SIGNING_KEY || !process.env.QSTASH_NEXT_SIGNING_KEY) {
    throw new Error("QStash signing keys are not configured");
  }
  await receiver.verify({ signature, body });
}
"#,
            &[],
        ),
        only(
            R,
            "development check that does not skip verification",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  if (process.env.NODE_ENV === "development") {
    console.log("qstash message", body);
  }
  await receiver.verify({ signature: req.headers.get("upstash-signature")!, body });
  return new Response("ok");
}
"#,
            &[],
        ),
        only(
            R,
            "development early return without verification anywhere",
            "app/api/cron/route.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client();
export async function GET() {
  if (process.env.NODE_ENV === "development") return new Response("skipped");
  await client.publishJSON({ url: "https://example.com/api/job", body: {} });
  return new Response("ok");
}
"#,
            &[],
        ),
        only(
            R,
            "devMode from the environment",
            "lib/qstash.ts",
            r#"
import { Client, Receiver } from "@upstash/qstash";
export const receiver = new Receiver({ devMode: process.env.NODE_ENV === "development" });
export const client = new Client({ devMode: process.env.QSTASH_DEV === "true" });
export const off = new Receiver({ devMode: false });
"#,
            &[],
        ),
        only(
            R,
            "devMode: true in a development-only branch",
            "lib/qstash.ts",
            r#"
import { Receiver } from "@upstash/qstash";
export const receiver =
  process.env.NODE_ENV === "development" ? new Receiver({ devMode: true }) : new Receiver();
"#,
            &[],
        ),
        only(
            R,
            "devMode: true in a test file",
            "lib/qstash.test.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver({ devMode: true });
"#,
            &[],
        ),
        only(
            R,
            "workflow serve with a Receiver or no options",
            "app/api/workflow/route.ts",
            r#"
import { serve } from "@upstash/workflow/nextjs";
import { Receiver } from "@upstash/qstash";
export const { POST } = serve(async (context) => {}, {
  receiver: new Receiver({
    currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY!,
    nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY!,
  }),
});
export const other = serve(async (context) => {});
"#,
            &[],
        ),
        only(
            R,
            "receiver: undefined on something that is not workflow serve",
            "lib/server.ts",
            r#"
import { serve } from "./my-server";
import { Client } from "@upstash/qstash";
serve(() => {}, { receiver: undefined });
"#,
            &[],
        ),
        only(
            R,
            "header check before a verify on something that is not a Receiver",
            "app/api/hook/route.ts",
            r#"
import jwt from "jsonwebtoken";
export async function POST(req: Request) {
  const signature = req.headers.get("upstash-signature");
  if (signature) {
    jwt.verify(signature, process.env.QSTASH_CURRENT_SIGNING_KEY!);
  }
  return new Response("ok");
}
"#,
            &[],
        ),
    ]);
}

// ---------------------------------------------------------------------------
// verify-without-url (off by default)
// ---------------------------------------------------------------------------

#[test]
fn verify_without_url() {
    const R: &str = "verify-without-url";
    check(vec![
        url(
            "verify without url",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  await receiver.verify({
    signature: req.headers.get("upstash-signature")!,
    body,
  });
  return new Response("ok");
}
"#,
            &[5],
        ),
        url(
            "verify with url",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  await receiver.verify({
    signature: req.headers.get("upstash-signature")!,
    body,
    url: "https://example.com/api/qstash",
  });
  return new Response("ok");
}
"#,
            &[],
        ),
        url(
            "options with a spread may carry url",
            "lib/verify.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function check(opts: { url: string }, signature: string, body: string) {
  await receiver.verify({ ...opts, signature, body });
}
"#,
            &[],
        ),
        url(
            "options not visible",
            "lib/verify.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function check(opts: any) {
  await receiver.verify(opts);
}
"#,
            &[],
        ),
        // Off by default: nothing without the config.
        only(
            R,
            "off by default",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  await receiver.verify({ signature: req.headers.get("upstash-signature")!, body: await req.text() });
  return new Response("ok");
}
"#,
            &[],
        ),
    ]);
}

#[test]
fn verify_without_url_is_a_note() {
    let root = Path::new("/project");
    let mut config = Config::defaults(root);
    with_url_rule(&mut config);
    let src = "import { Receiver } from \"@upstash/qstash\";\nconst r = new Receiver();\nexport async function POST(req: Request) {\n  await r.verify({ signature: \"s\", body: await req.text() });\n  return new Response(\"ok\");\n}\n";
    let outcome = check_text(&root.join("app/api/q/route.ts"), src, &config);
    let d = outcome
        .diagnostics
        .iter()
        .find(|d| d.rule == "verify-without-url")
        .expect("a diagnostic");
    assert_eq!(d.severity, qstash_lint::diagnostic::Severity::Note);
}

// ---------------------------------------------------------------------------
// The four together
// ---------------------------------------------------------------------------

#[test]
fn one_diagnostic_per_problem() {
    check(vec![exact(
        "a correct App Router receiver has no diagnostics",
        "app/api/qstash/route.ts",
        r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver({
  currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY!,
  nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY!,
});
export async function POST(request: Request) {
  const signature = request.headers.get("upstash-signature");
  if (!signature) return new Response("Missing signature", { status: 401 });
  const body = await request.text();
  try {
    await receiver.verify({ signature, body, url: "https://example.com/api/qstash" });
  } catch {
    return new Response("Invalid signature", { status: 401 });
  }
  return Response.json(JSON.parse(body));
}
"#,
        &[],
    )]);
}

// ---------------------------------------------------------------------------
// More shapes of each rule
// ---------------------------------------------------------------------------

#[test]
fn verify_parsed_body_frameworks() {
    const R: &str = "verify-parsed-body";
    check(vec![
        only(
            R,
            "Fastify request.body",
            "server.ts",
            r#"
import Fastify from "fastify";
import { Receiver } from "@upstash/qstash";
const app = Fastify();
const receiver = new Receiver();
app.post("/api/qstash", async (request, reply) => {
  await receiver.verify({ signature: request.headers["upstash-signature"] as string, body: request.body as string });
  return { ok: true };
});
"#,
            &[6],
        ),
        only(
            R,
            "Fastify with a raw string parser",
            "server.ts",
            r#"
import Fastify from "fastify";
import { Receiver } from "@upstash/qstash";
const app = Fastify();
app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => done(null, body));
const receiver = new Receiver();
app.post("/api/qstash", async (request, reply) => {
  await receiver.verify({ signature: request.headers["upstash-signature"] as string, body: request.body as string });
  return { ok: true };
});
"#,
            &[],
        ),
        only(
            R,
            "SvelteKit request.json() and request.text()",
            "src/routes/api/qstash/+server.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export const POST = async ({ request }) => {
  await receiver.verify({ signature: request.headers.get("upstash-signature") ?? "", body: await request.json() });
  return new Response("ok");
};
export const PUT = async ({ request }) => {
  await receiver.verify({ signature: request.headers.get("upstash-signature") ?? "", body: await request.text() });
  return new Response("ok");
};
"#,
            &[4],
        ),
        only(
            R,
            "Pages Router typed with NextApiHandler",
            "pages/api/qstash.ts",
            r#"
import type { NextApiHandler } from "next";
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
const handler: NextApiHandler = async (request, response) => {
  await receiver.verify({ signature: String(request.headers["upstash-signature"]), body: request.body });
  response.status(200).end();
};
export default handler;
"#,
            &[5],
        ),
        only(
            R,
            "JSON.stringify of the raw text is not judged",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const rawBody = await req.text();
  await receiver.verify({ signature: req.headers.get("upstash-signature")!, body: JSON.stringify(rawBody) });
  return new Response("ok");
}
"#,
            &[],
        ),
        only(
            R,
            "a class member Receiver",
            "lib/webhooks.ts",
            r#"
import { Receiver } from "@upstash/qstash";
export class Webhooks {
  private receiver = new Receiver();
  async handle(req: Request) {
    await this.receiver.verify({ signature: req.headers.get("upstash-signature")!, body: await req.json() });
  }
}
"#,
            &[5],
        ),
    ]);
}

#[test]
fn unawaited_verify_more() {
    const R: &str = "unawaited-verify";
    check(vec![
        only(
            R,
            "catch that calls next()",
            "server.js",
            r#"
const { Receiver } = require("@upstash/qstash");
const receiver = new Receiver();
async function verifyQstash(req, res, next) {
  await receiver
    .verify({ signature: req.headers["upstash-signature"], body: req.rawBody })
    .catch(() => next());
  next();
}
module.exports = { verifyQstash };
"#,
            &[4],
        ),
        only(
            R,
            "try whose catch calls next() without an error",
            "server.js",
            r#"
const { Receiver } = require("@upstash/qstash");
const receiver = new Receiver();
async function verifyQstash(req, res, next) {
  try {
    await receiver.verify({ signature: req.headers["upstash-signature"], body: req.rawBody });
  } catch (e) {
    next();
  }
}
module.exports = { verifyQstash };
"#,
            &[5],
        ),
        only(
            R,
            "try whose catch passes the error on",
            "server.js",
            r#"
const { Receiver } = require("@upstash/qstash");
const receiver = new Receiver();
async function verifyQstash(req, res, next) {
  try {
    await receiver.verify({ signature: req.headers["upstash-signature"], body: req.rawBody });
  } catch (e) {
    next(e);
    return;
  }
  next();
}
module.exports = { verifyQstash };
"#,
            &[],
        ),
        only(
            R,
            "then without a catch",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  receiver.verify({ signature: req.headers.get("upstash-signature")!, body }).then(() => console.log("ok"));
  return new Response("ok");
}
"#,
            &[5],
        ),
        only(
            R,
            "a verify on an imported receiver is judged only with the project",
            "app/api/qstash/route.ts",
            r#"
import { receiver } from "@/lib/qstash";
export async function POST(req: Request) {
  const body = await req.text();
  receiver.verify({ signature: req.headers.get("upstash-signature")!, body });
  return new Response("ok");
}
"#,
            &[],
        ),
        only(
            R,
            "a local function that does not verify",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
async function log(body: string) {
  console.log(body);
}
export async function POST(req: Request) {
  const body = await req.text();
  await receiver.verify({ signature: req.headers.get("upstash-signature")!, body });
  log(body);
  return new Response("ok");
}
"#,
            &[],
        ),
    ]);
}

#[test]
fn verification_bypass_more() {
    const R: &str = "verification-bypass";
    check(vec![
        only(
            R,
            "signature !== null guard and typeof guard",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  const signature = req.headers.get("upstash-signature");
  if (signature !== null) {
    await receiver.verify({ signature, body });
  }
  return new Response("ok");
}
export async function PUT(req: Request) {
  const body = await req.text();
  const signature = req.headers.get("upstash-signature");
  if (typeof signature === "string") {
    await receiver.verify({ signature, body });
  }
  return new Response("ok");
}
"#,
            &[6, 14],
        ),
        only(
            R,
            "header && verify",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  const signature = req.headers.get("upstash-signature");
  signature && (await receiver.verify({ signature, body }));
  return new Response("ok");
}
"#,
            &[6],
        ),
        only(
            R,
            "verifier that returns when the header is missing",
            "lib/verify.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function verifyQstash(req: Request, body: string) {
  const signature = req.headers.get("upstash-signature");
  if (!signature) return;
  await receiver.verify({ signature, body });
}
"#,
            &[5],
        ),
        only(
            R,
            "missing key returns true from a verifier",
            "lib/verify.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
const currentKey = process.env.QSTASH_CURRENT_SIGNING_KEY;
export async function isValid(signature: string, body: string) {
  if (!currentKey) return true;
  await receiver.verify({ signature, body });
  return true;
}
"#,
            &[5],
        ),
        only(
            R,
            "Express middleware skipping in development",
            "server.js",
            r#"
const { Receiver } = require("@upstash/qstash");
const receiver = new Receiver();
async function verifyQstash(req, res, next) {
  if (process.env.NODE_ENV !== "production") {
    return next();
  }
  try {
    await receiver.verify({ signature: req.headers["upstash-signature"], body: req.rawBody });
  } catch {
    return res.status(401).send("Unauthorized");
  }
  next();
}
module.exports = { verifyQstash };
"#,
            &[4],
        ),
        only(
            R,
            "wrapper chosen by an isProd ternary",
            "app/api/qstash/route.ts",
            r#"
import { verifySignatureAppRouter } from "@upstash/qstash/nextjs";
const isProd = process.env.NODE_ENV === "production";
async function handler(req: Request) {
  return new Response("ok");
}
export const POST = isProd ? verifySignatureAppRouter(handler) : handler;
"#,
            &[6],
        ),
        only(
            R,
            "a local verifier skipped in development",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
async function verifyRequest(req: Request, body: string) {
  await receiver.verify({ signature: req.headers.get("upstash-signature")!, body });
}
export async function POST(req: Request) {
  const body = await req.text();
  if (process.env.NODE_ENV === "development") return process(body);
  await verifyRequest(req, body);
  return process(body);
}
function process(body: string) {
  return new Response(body);
}
"#,
            &[8],
        ),
        only(
            R,
            "guard with an else that throws",
            "lib/verify.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function verifyQstash(signature: string | null, body: string) {
  if (signature) {
    await receiver.verify({ signature, body });
  } else {
    throw new Error("missing signature");
  }
}
"#,
            &[],
        ),
        only(
            R,
            "missing key rejected before verifying",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  if (!process.env.QSTASH_CURRENT_SIGNING_KEY) {
    return new Response("QStash is not configured", { status: 500 });
  }
  const body = await req.text();
  await receiver.verify({ signature: req.headers.get("upstash-signature")!, body });
  return new Response("ok");
}
"#,
            &[],
        ),
        only(
            R,
            "dev mode on a wrapper in a route",
            "app/api/qstash/route.ts",
            r#"
import { verifySignatureAppRouter } from "@upstash/qstash/nextjs";
async function handler(req: Request) {
  return new Response("ok");
}
export const POST = verifySignatureAppRouter(handler, {
  devMode: true,
});
"#,
            &[6],
        ),
        only(
            R,
            "dev mode on a Client routes its publishes to the dev server: not a verification bypass",
            "lib/qstash.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client({ devMode: true });
export async function enqueue() {
  await client.publishJSON({ url: "https://app.example.com/api/job", body: {} });
}
"#,
            &[],
        ),
        only(
            R,
            "dev mode on a Client in a dev script that publishes to localhost",
            "scripts/dev.ts",
            r#"
import { Client } from "@upstash/qstash";
const client = new Client({ devMode: true });
await client.publishJSON({ url: "http://localhost:3000/api/job", body: {} });
"#,
            &[],
        ),
        only(
            R,
            "namespace workflow serve and serveMany",
            "app/api/workflow/route.ts",
            r#"
import * as wf from "@upstash/workflow/nextjs";
export const { POST } = wf.serve(async () => {}, { receiver: undefined });
export const many = wf.serveMany({}, { receiver: null });
"#,
            &[2, 3],
        ),
        only(
            R,
            "workflow receiver chosen by a development check",
            "app/api/workflow/route.ts",
            r#"
import { serve } from "@upstash/workflow/nextjs";
import { Receiver } from "@upstash/qstash";
export const { POST } = serve(async () => {}, {
  receiver: process.env.NODE_ENV === "development" ? undefined : new Receiver(),
});
"#,
            &[],
        ),
    ]);
}

/// Project-wide: imported receivers and verifiers are confirmed by the link.
#[test]
fn imported_receivers_and_verifiers_across_files() {
    use std::fs;
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    let write = |rel: &str, text: &str| {
        let p = r.join(rel);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(p, text).expect("write");
    };
    write(
        "package.json",
        r#"{ "name": "app", "dependencies": { "@upstash/qstash": "2" } }"#,
    );
    write(
        "tsconfig.json",
        r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./src/*"] } } }"#,
    );
    write(
        "src/lib/qstash.ts",
        "import { Receiver } from \"@upstash/qstash\";\nexport const receiver = new Receiver();\nexport const other = { verify: async (_: unknown) => true };\nexport async function verifyQstash(req: Request, body: string) {\n  await receiver.verify({ signature: req.headers.get(\"upstash-signature\")!, body });\n}\nexport async function logQstash(body: string) {\n  console.log(body);\n}\n",
    );
    write("src/lib/index.ts", "export * from \"./qstash\";\n");
    write(
        "src/app/api/a/route.ts",
        "import { receiver, other, verifyQstash, logQstash } from \"@/lib\";\nexport async function POST(req: Request) {\n  const body = await req.text();\n  receiver.verify({ signature: req.headers.get(\"upstash-signature\")!, body });\n  other.verify({ body });\n  verifyQstash(req, body);\n  logQstash(body);\n  await receiver.verify({ signature: \"s\", body: JSON.stringify(JSON.parse(body)) });\n  return new Response(\"ok\");\n}\n",
    );
    let out = assert_cmd::Command::cargo_bin("qstash-lint")
        .expect("binary")
        .args(["check", "--format", "json"])
        .current_dir(r)
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut found: Vec<String> = v["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| {
            let rule = d["rule"].as_str().unwrap_or("");
            rule.starts_with("verif") || rule == "unawaited-verify"
        })
        .map(|d| {
            format!(
                "{}:{} [{}]",
                d["path"].as_str().unwrap_or(""),
                d["line"],
                d["rule"].as_str().unwrap_or("")
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            "src/app/api/a/route.ts:4 [unawaited-verify]",
            "src/app/api/a/route.ts:6 [unawaited-verify]",
            "src/app/api/a/route.ts:8 [verify-parsed-body]",
        ]
    );
}

/// Shapes seen in public code.
#[test]
fn verification_patterns_from_the_wild() {
    check(vec![
        only(
            "verification-bypass",
            "a verifier that returns early off Vercel",
            "lib/verify.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export const verifyQstashSignature = async ({ req, rawBody }: { req: Request; rawBody: string }) => {
  // skip verification in local development
  if (process.env.VERCEL !== "1") {
    return;
  }
  const signature = req.headers.get("Upstash-Signature");
  if (!signature) throw new Error("Upstash-Signature header not found.");
  await receiver.verify({ signature, body: rawBody });
};
"#,
            &[5],
        ),
        only(
            "verification-bypass",
            "a bare return in a handler that returns responses is no success",
            "app/api/qstash/route.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  if (process.env.NODE_ENV === "development") {
    return;
  }
  await receiver.verify({ signature: req.headers.get("upstash-signature")!, body: await req.text() });
  return new Response("ok");
}
"#,
            &[],
        ),
        only(
            "verification-bypass",
            "wrapper applied only in production",
            "pages/api/update.ts",
            r#"
import { verifySignature } from "@upstash/qstash/nextjs";
import type { NextApiHandler } from "next";
import { env } from "@/env.mjs";
const handler: NextApiHandler = async (req, res) => {
  res.status(200).end();
};
let sigHandler = handler;
if (env.NODE_ENV === "production") {
  sigHandler = verifySignature(handler);
}
export default sigHandler;
export const config = { api: { bodyParser: false } };
"#,
            &[8],
        ),
        only(
            "verification-bypass",
            "a verifier that answers null (no error) in development",
            "lib/verify.ts",
            r#"
import { NextRequest, NextResponse } from "next/server";
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function verifyQstashSignature(req: NextRequest, body: string): Promise<NextResponse | null> {
  if (process.env.NODE_ENV === "development") {
    return null;
  }
  try {
    await receiver.verify({ signature: req.headers.get("upstash-signature") ?? "", body });
    return null;
  } catch {
    return NextResponse.json({ error: "Invalid signature" }, { status: 401 });
  }
}
"#,
            &[5],
        ),
        only(
            "verification-bypass",
            "a boolean verifier that answers null for a missing header",
            "lib/verify.ts",
            r#"
import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function isValid(signature: string | null, body: string) {
  if (!signature) return null;
  return receiver.verify({ signature, body });
}
"#,
            &[],
        ),
        exact(
            "header and key guard whose flag is returned to the caller",
            "lib/auth.ts",
            r#"
import { Receiver } from "@upstash/qstash";
export async function isAuthorizedRequest(request: Request) {
  const qstashSignature = request.headers.get("upstash-signature");
  const authHeader = request.headers.get("authorization");
  const currentSigningKey = process.env.QSTASH_CURRENT_SIGNING_KEY;
  const nextSigningKey = process.env.QSTASH_NEXT_SIGNING_KEY;
  const cronSecret = process.env.CRON_SECRET;
  let isAuthorized = false;
  if (qstashSignature && currentSigningKey && nextSigningKey) {
    try {
      const receiver = new Receiver({ currentSigningKey, nextSigningKey });
      const body = await request.clone().text();
      isAuthorized = await receiver.verify({ signature: qstashSignature, body });
    } catch (err) {
      console.error("QStash verification error:", err);
    }
  }
  if (!isAuthorized && cronSecret && authHeader === `Bearer ${cronSecret}`) {
    isAuthorized = true;
  }
  return isAuthorized;
}
"#,
            &[],
        ),
        exact(
            "keys and header checked first, dynamic import, try returning false",
            "lib/queue.ts",
            r#"
export async function isValidQStashRequest(req: Request): Promise<boolean> {
  const signature = req.headers.get("upstash-signature");
  const currentSigningKey = process.env.QSTASH_CURRENT_SIGNING_KEY;
  const nextSigningKey = process.env.QSTASH_NEXT_SIGNING_KEY;
  if (!signature || !currentSigningKey || !nextSigningKey) {
    return false;
  }
  try {
    const { Receiver } = await import("@upstash/qstash");
    const receiver = new Receiver({ currentSigningKey, nextSigningKey });
    const body = await req.clone().text();
    return await receiver.verify({ signature, body, url: req.url });
  } catch (error) {
    console.error("invalid QStash signature", error);
    return false;
  }
}
"#,
            &[],
        ),
    ]);
}
