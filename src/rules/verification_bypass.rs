//! `verification-bypass`: code that skips signature verification at run
//! time: in development, without a signing key, without the signature
//! header, with a hardcoded `devMode: true`, or with a workflow `serve`
//! whose receiver is switched off.

use super::{Category, Finding, RuleContext, RuleMeta};
use crate::diagnostic::Severity;
use crate::facts::verify::BypassKind;

/// Rule description.
pub static META: RuleMeta = RuleMeta {
    id: "verification-bypass",
    severity: Severity::Error,
    enabled_by_default: true,
    category: Category::Security,
    security_severity: Some(9.1),
    summary: "code that skips signature verification at run time (dev checks, missing keys, header-only checks, `devMode: true`, `receiver: undefined`)",
    doc: include_str!("../../rules/verification-bypass.md"),
};

/// Flags run-time bypasses of verification.
pub fn check(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let Some(facts) = ctx.facts else { return };
    for b in &facts.verify_calls.bypasses {
        // A test sets up what it tests: `receiver: undefined` there is a test.
        if ctx.in_test(b.span) {
            continue;
        }
        let (message, help) = match b.kind {
            BypassKind::Development => (
                "this condition skips signature verification outside production: any deployment this check does not take for production (a preview, a server started without `NODE_ENV=production`) accepts unsigned requests".to_string(),
                "verify unconditionally; for local development use the QStash dev server (`QSTASH_DEV=true` or `npx @upstash/qstash-cli dev`), whose requests are signed with its own keys".to_string(),
            ),
            BypassKind::MissingKey => (
                "this condition skips signature verification when a signing-key env var is missing: a deployment without the keys accepts unsigned requests".to_string(),
                "fail closed: verify unconditionally (`verify` throws without keys) or reject the request when the keys are missing".to_string(),
            ),
            BypassKind::HeaderOnly => (
                "verification runs only when the `upstash-signature` header is present: a request without the header skips it".to_string(),
                "reject requests without the header (`if (!signature) return new Response(\"Unauthorized\", { status: 401 })`) and verify every other one".to_string(),
            ),
            BypassKind::DevMode(what) => {
                // On a `Client` it routes publishes to the dev server; only
                // a Receiver or a wrapper accepts the dev keys' signatures.
                if what == "`Client`" {
                    continue;
                }
                (
                    format!("`devMode: true` is hardcoded on a {what}: it switches to the public dev signing keys and dev server, so anyone can forge a valid signature if this ships"),
                    "remove it, or set it from the environment (`devMode: process.env.NODE_ENV === \"development\"`, or `QSTASH_DEV=true` locally)".to_string(),
                )
            }
            BypassKind::WorkflowReceiver => (
                "`receiver: undefined` (or `null`) switches off signature verification of this workflow endpoint: anyone can start or advance a run".to_string(),
                "remove the option (serve verifies with `QSTASH_CURRENT_SIGNING_KEY` and `QSTASH_NEXT_SIGNING_KEY`), or pass `receiver: new Receiver({...})`".to_string(),
            ),
        };
        out.push(Finding::new(META.id, b.span, message, help));
    }
}
