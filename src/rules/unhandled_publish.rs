//! `unhandled-publish`: a send whose failure nothing handles.

use super::flow_helpers::{callee_text, finding};
use super::{Category, Finding, RuleContext, RuleMeta};
use crate::diagnostic::Severity;
use crate::facts::flow::Fate;
use crate::sendflow::FlowRule;

/// Rule description.
pub static META: RuleMeta = RuleMeta {
    id: "unhandled-publish",
    severity: Severity::Error,
    enabled_by_default: true,
    category: Category::Correctness,
    security_severity: None,
    summary: "a publish or schedule whose rejection nothing handles, here or in any caller",
    doc: include_str!("../../rules/unhandled-publish.md"),
};

/// Flags sends (and sender calls) whose rejection escapes unhandled.
pub fn check(ctx: &RuleContext, out: &mut Vec<Finding>) {
    for f in ctx.flow.iter().filter(|f| f.rule == FlowRule::Unhandled) {
        if ctx.outside_handlers(f) {
            continue;
        }
        let what = callee_text(ctx, f);
        let message = if f.fate == Fate::KeptAlive {
            format!("`{what}` is kept alive with `waitUntil`/`after` but its rejection is not caught: a failed publish is lost silently")
        } else {
            format!("`{what}` can reject (a QStash error, a rate limit, the network) and nothing handles it: the message is lost and the caller fails")
        };
        out.push(finding(
            META.id,
            f,
            message,
            "wrap it in `try { … } catch (err) { … }` or add `.catch(…)` that logs, retries or answers with an error",
        ));
    }
}
