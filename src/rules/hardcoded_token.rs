//! `hardcoded-token`: a QStash token written into the source.

use super::helpers::literal_strings;
use super::{Category, Finding, RuleContext, RuleMeta};
use crate::diagnostic::Severity;
use crate::facts::QstashClass;
use crate::secrets::{is_dev_credential, is_placeholder, SecretKind};

/// Rule description.
pub static META: RuleMeta = RuleMeta {
    id: "hardcoded-token",
    severity: Severity::Error,
    enabled_by_default: true,
    category: Category::Security,
    security_severity: Some(9.1),
    summary: "a QStash token written into the source",
    doc: include_str!("../../rules/hardcoded-token.md"),
};

const HELP: &str = "read the token from the environment (`new Client({ token: process.env.QSTASH_TOKEN })`) and rotate the exposed token in the Upstash console";

/// Flags token-shaped literals anywhere and literal `token` options of a Client.
pub fn check(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let shaped: Vec<_> = ctx
        .secrets
        .iter()
        .filter(|s| s.kind == SecretKind::Token)
        .collect();
    for hit in &shaped {
        out.push(Finding::new(
            META.id,
            hit.span,
            "QStash token in source code",
            HELP,
        ));
    }
    let Some(facts) = ctx.facts else { return };
    if ctx.is_test {
        return;
    }
    for c in &facts.constructions {
        if !matches!(c.class, QstashClass::Client | QstashClass::WorkflowClient) {
            continue;
        }
        let Some(token) = c
            .config
            .as_ref()
            .and_then(|v| v.object.as_ref())
            .and_then(|o| o.get("token"))
        else {
            continue;
        };
        for (text, span) in literal_strings(&token.value) {
            if is_placeholder(&text)
                || is_dev_credential(&text)
                || shaped
                    .iter()
                    .any(|h| h.span.contains(span) || span.contains(h.span))
            {
                continue;
            }
            out.push(Finding::new(
                META.id,
                span,
                "QStash client `token` is a hardcoded literal",
                HELP,
            ));
        }
    }
}
