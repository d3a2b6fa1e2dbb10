//! `localhost-destination`: a destination QStash's cloud cannot reach.

use super::destinations::{hosts, note_origin};
use super::{Category, Finding, RuleContext, RuleMeta};
use crate::diagnostic::Severity;
use crate::facts::fold::is_local_host;

/// Rule description.
pub static META: RuleMeta = RuleMeta {
    id: "localhost-destination",
    severity: Severity::Error,
    enabled_by_default: true,
    category: Category::Security,
    security_severity: Some(5.3),
    summary: "a destination on localhost or a private network, outside development",
    doc: include_str!("../../rules/localhost-destination.md"),
};

/// Flags destinations whose host is local on the production path.
pub fn check(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let Some(facts) = ctx.facts else { return };
    if ctx.is_test || ctx.dev_server {
        return;
    }
    let mut seen = Vec::new();
    for h in hosts(facts, |c| !c.dev_only) {
        if !is_local_host(&h.host) || seen.contains(&h.destination.value.span) {
            continue;
        }
        seen.push(h.destination.value.span);
        let mut f = Finding::new(
            META.id,
            h.destination.value.span,
            format!(
                "`{}` points at `{}`, which QStash cannot reach from the cloud",
                h.destination.key.name(),
                h.host
            ),
            "use the public URL of the deployment (e.g. from an env var); for local work run the QStash dev server (`npx @upstash/qstash-cli dev`) or a tunnel",
        );
        note_origin(
            &mut f,
            h.destination.value.span,
            h.candidate,
            "the local URL comes from here",
        );
        out.push(f);
    }
}
