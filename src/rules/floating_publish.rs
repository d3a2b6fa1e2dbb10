//! `floating-publish`: a send whose promise nobody waits for.

use super::flow_helpers::{callee_text, finding};
use super::{Category, Finding, RuleContext, RuleMeta};
use crate::diagnostic::Severity;
use crate::sendflow::FlowRule;

/// Rule description.
pub static META: RuleMeta = RuleMeta {
    id: "floating-publish",
    severity: Severity::Error,
    enabled_by_default: true,
    category: Category::Correctness,
    security_severity: None,
    summary: "a publish whose promise is neither awaited, returned, caught nor collected (also `void client.publishJSON(...)`)",
    doc: include_str!("../../rules/floating-publish.md"),
};

/// Flags sends (and sender calls) whose promise floats.
pub fn check(ctx: &RuleContext, out: &mut Vec<Finding>) {
    for f in ctx.flow.iter().filter(|f| f.rule == FlowRule::Floating) {
        if ctx.outside_handlers(f) {
            continue;
        }
        let what = callee_text(ctx, f);
        let message = if ctx.route_file {
            format!("the promise of `{what}` is not awaited: a serverless function can return before the message is sent, and a failure goes unnoticed")
        } else {
            format!("the promise of `{what}` is not awaited: the caller can finish before the message is sent, and a failure goes unnoticed")
        };
        let mut finding = finding(
            META.id,
            f,
            message,
            "`await` it (inside `try`/`catch`), or hand it to `waitUntil(promise.catch(…))` to finish after the response",
        );
        // Outside an async function the edit does not parse, and the fix
        // is dropped when it is applied.
        if f.fate == crate::facts::flow::Fate::Floating {
            finding.fix = super::fixes::insert(
                crate::diagnostic::Applicability::Unsafe,
                "await it",
                f.callee.start,
                "await ",
            );
        }
        out.push(finding);
    }
}
