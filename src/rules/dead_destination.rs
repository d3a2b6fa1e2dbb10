//! `dead-destination`: a destination whose route file answers no handler
//! for the method QStash delivers with.

use super::{Category, Finding, RuleContext, RuleMeta};
use crate::diagnostic::Severity;

/// Rule description.
pub static META: RuleMeta = RuleMeta {
    id: "dead-destination",
    severity: Severity::Warning,
    enabled_by_default: true,
    category: Category::Correctness,
    security_severity: None,
    summary: "a destination whose route has no handler for the delivery's method (QStash delivers POST unless `method` is set)",
    doc: include_str!("../../rules/dead-destination.md"),
};

/// Flags destinations that reach a route without a handler for their
/// method.
pub fn check(ctx: &RuleContext, out: &mut Vec<Finding>) {
    for d in ctx.dead_destinations {
        let answers = if d.answers.is_empty() {
            "no method".to_string()
        } else {
            d.answers
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut f = Finding::new(
            META.id,
            d.span,
            format!(
                "QStash delivers this message with `{}` to {}, which answers only {answers}: every delivery fails and is retried until it lands in the DLQ",
                d.method, d.route
            ),
            "export a handler for that method from the route (`export async function POST`), or set `method` on the publish to one the route answers",
        );
        f.related_elsewhere.push((
            d.route_file.clone(),
            d.handler,
            "the route it reaches".to_string(),
        ));
        out.push(f);
    }
}
