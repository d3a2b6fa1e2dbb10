//! `verify-parsed-body`: `verify({ body })` given parsed or re-serialised
//! JSON instead of the raw body text the signature covers.

use super::{Category, Finding, RuleContext, RuleMeta};
use crate::diagnostic::Severity;
use crate::facts::verify::BodySource;

/// Rule description.
pub static META: RuleMeta = RuleMeta {
    id: "verify-parsed-body",
    severity: Severity::Error,
    enabled_by_default: true,
    category: Category::Security,
    security_severity: Some(8.1),
    summary: "`verify` given a parsed or re-serialised body instead of the raw request text",
    doc: include_str!("../../rules/verify-parsed-body.md"),
};

/// `req.body` parsed by a JSON body parser in the file that mounts the
/// router.
const MOUNTED: (&str, &str) = (
    "`req.body` has been parsed by the JSON body parser installed where this router is mounted: it is not the raw text the signature covers",
    "mount `express.text({ type: \"*/*\" })` on this route (or before the JSON parser for its path), or keep the raw text with `express.json({ verify: (req, _res, buf) => { req.rawBody = buf.toString() } })`",
);

fn describe(source: BodySource) -> Option<(&'static str, &'static str)> {
    Some(match source {
        BodySource::Json => (
            "the body given to `verify` comes from `.json()`: it is a parsed object, not the raw text the signature covers",
            "read the body once with `await request.text()`, verify that string, then `JSON.parse` it",
        ),
        BodySource::Stringified => (
            "the body given to `verify` is `JSON.stringify` of parsed data: re-serialised JSON differs from the raw text the signature covers",
            "verify the raw text (`await request.text()`), then `JSON.parse` it",
        ),
        BodySource::ExpressJson => (
            "`req.body` has been parsed by `express.json()`: it is not the raw text the signature covers",
            "use `express.text({ type: \"*/*\" })` (or `express.raw()` and `.toString()`) on this route, or keep the raw text with `express.json({ verify: (req, _res, buf) => { req.rawBody = buf.toString() } })`",
        ),
        BodySource::Fastify => (
            "Fastify parses JSON bodies, so `request.body` is not the raw text the signature covers",
            "add a content-type parser that keeps the raw string (`parseAs: \"string\"`) and verify that",
        ),
        BodySource::PagesRouter => (
            "`req.body` of a Pages Router API route is parsed by Next.js: it is not the raw text the signature covers",
            "export `const config = { api: { bodyParser: false } }` and read the raw body from the request stream, or wrap the handler with `verifySignature` from `@upstash/qstash/nextjs`",
        ),
        BodySource::H3ReadBody => (
            "`readBody(event)` returns the parsed body: it is not the raw text the signature covers",
            "verify `await readRawBody(event)` instead",
        ),
        BodySource::NestBody => (
            "`@Body()` is the body NestJS has already parsed: it is not the raw text the signature covers",
            "create the app with `NestFactory.create(AppModule, { rawBody: true })` and verify `req.rawBody.toString()` of `@Req() req: RawBodyRequest<Request>`",
        ),
        BodySource::Raw | BodySource::Unknown | BodySource::MountedRequest => return None,
    })
}

/// The last variable, before the verify call, bound to the raw request
/// text (`const raw = await req.text()`, `… await readRawBody(event)`), found
/// in the text of the enclosing function up to the call.
fn raw_text_binding(before: &str) -> Option<String> {
    let mut found = None;
    for decl in ["const ", "let ", "var "] {
        let mut rest = before;
        while let Some(i) = rest.find(decl) {
            let after = &rest[i + decl.len()..];
            rest = after;
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                .collect();
            let tail = after[name.len()..].trim_start();
            let Some(value) = tail.strip_prefix('=') else {
                continue;
            };
            let value = value.trim_start();
            let line = value.split([';', '\n']).next().unwrap_or("");
            let raw = line.starts_with("await ")
                && (line.contains(".text()") || line.contains("readRawBody("));
            if raw && !name.is_empty() {
                found = Some((before.len() - rest.len(), name));
            }
        }
    }
    found.map(|(_, name)| name)
}

/// Flags verify calls whose `body` is parsed.
pub fn check(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let Some(facts) = ctx.facts else { return };
    for c in facts.verify_calls.iter() {
        let Some(body) = c.body else { continue };
        let mounted = ctx.parsed_bodies.iter().find(|p| p.body == body.span);
        let described = match mounted {
            Some(_) => Some(MOUNTED),
            None => describe(body.source),
        };
        if let Some((message, help)) = described {
            let mut f = Finding::new(META.id, body.span, message, help);
            if let Some(p) = mounted {
                f.related_elsewhere.push((
                    p.parser_file.clone(),
                    p.parser,
                    "this JSON body parser runs before the router is reached".into(),
                ));
            }
            let from = c.function.map_or(0, |s| s.start as usize);
            if let Some(raw) =
                raw_text_binding(ctx.text.get(from..c.span.start as usize).unwrap_or(""))
            {
                // A shorthand `{ body }` needs the key kept.
                let shorthand = ctx
                    .text
                    .get(body.span.start as usize..body.span.end as usize)
                    == Some("body");
                let text = if shorthand {
                    format!("body: {raw}")
                } else {
                    raw
                };
                f.fix = super::fixes::replace(
                    crate::diagnostic::Applicability::Unsafe,
                    "verify the raw text read earlier",
                    body.span,
                    &text,
                );
            }
            out.push(f);
        }
    }
    // A parsed body handed to a function that verifies it: the diagnostic
    // points at the argument, where the fix belongs.
    for b in &facts.verify_calls.forwarded_bodies {
        let (Some((path, verified)), Some((message, help))) = (&b.reaches, describe(b.body.source))
        else {
            continue;
        };
        let mut f = Finding::new(META.id, b.body.span, message, help);
        let note = "the `verify` call this body reaches".to_string();
        match path {
            Some(path) => f.related_elsewhere.push((path.clone(), *verified, note)),
            None => f.related.push((*verified, note)),
        }
        out.push(f);
    }
}
