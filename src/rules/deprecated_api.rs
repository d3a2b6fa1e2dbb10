//! `deprecated-api`: QStash APIs that have been renamed or moved.

use super::{fixes, Category, Finding, RuleContext, RuleMeta};
use crate::diagnostic::Applicability;
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
        let mut f = Finding::new(
            META.id,
            d.span,
            format!("{} is deprecated", d.what),
            format!("use {}", d.instead),
        );
        // `client.topics` is the same object as `client.urlGroups`.
        if ctx.text.get(d.span.start as usize..d.span.end as usize) == Some("topics") {
            f.fix = fixes::replace(Applicability::Safe, "use `urlGroups`", d.span, "urlGroups");
        }
        out.push(f);
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
                let mut f = Finding::new(
                    META.id,
                    p.key_span,
                    "the `topic` option is deprecated",
                    "rename it to `urlGroup` (same meaning)",
                );
                // A shorthand `{ topic }` would need `urlGroup: topic`.
                if ctx
                    .text
                    .get(p.key_span.start as usize..p.key_span.end as usize)
                    == Some("topic")
                    && p.value.span != p.key_span
                {
                    f.fix = fixes::replace(
                        Applicability::Safe,
                        "rename to `urlGroup`",
                        p.key_span,
                        "urlGroup",
                    );
                }
                out.push(f);
            }
        }
    }
}
