//! `deprecated-api`: QStash APIs that have been renamed or moved.

use super::{Category, Finding, RuleContext, RuleMeta};
use crate::diagnostic::Severity;
use crate::facts::SendKind;

/// Rule description.
pub static META: RuleMeta = RuleMeta {
    id: "deprecated-api",
    severity: Severity::Warning,
    enabled_by_default: true,
    category: Category::Deprecated,
    security_severity: None,
    summary: "`topic:`, `client.topics`, `events()` or the qstash-js workflow `serve`",
    doc: include_str!("../../rules/deprecated-api.md"),
};

/// Flags deprecated options, members and imports.
pub fn check(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let Some(facts) = ctx.facts else { return };
    for d in &facts.deprecated {
        out.push(Finding::new(
            META.id,
            d.span,
            format!("{} is deprecated", d.what),
            format!("use {}", d.instead),
        ));
    }
    for send in &facts.sends {
        if matches!(
            send.kind,
            SendKind::ScheduleCreate | SendKind::AddEndpoints | SendKind::Trigger
        ) {
            continue;
        }
        for req in send.requests.iter().flatten() {
            if let Some(p) = req.get("topic") {
                out.push(Finding::new(
                    META.id,
                    p.key_span,
                    "the `topic` option is deprecated",
                    "rename it to `urlGroup` (same meaning)",
                ));
            }
        }
    }
}
