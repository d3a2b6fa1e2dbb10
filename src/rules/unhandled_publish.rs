//! `unhandled-publish`: a send whose failure nothing handles.

use super::flow_helpers::{callee_text, finding};
use super::{Category, Finding, RuleContext, RuleMeta};
use crate::diagnostic::Severity;
use crate::facts::flow::{Fate, FlowTarget};
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

/// Raw REST sends whose response status nothing checks: `fetch` resolves
/// on a 4xx or 5xx, so the failure is silent whatever catches rejections.
fn unchecked_raw_sends(ctx: &RuleContext) -> Vec<crate::diagnostic::Span> {
    let Some(facts) = ctx.facts else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for s in facts.sends.iter().filter(|s| s.raw) {
        let Some(c) = facts
            .flow
            .iter()
            .find(|c| c.target == FlowTarget::Send(s.span))
        else {
            continue;
        };
        // Returned: the caller reads the response. In test code or at a
        // script's top level: not a handler.
        let top_level = c.frame.is_none();
        if matches!(c.fate, Fate::Returned) || ctx.in_test(s.callee) || (ctx.script && top_level) {
            continue;
        }
        let region = c.frame.as_ref().map_or(
            crate::diagnostic::Span::new(0, ctx.text.len() as u32),
            |f| f.body,
        );
        let text = ctx
            .text
            .get(region.start as usize..region.end as usize)
            .unwrap_or("");
        if !text.contains(".ok") && !text.contains(".status") {
            out.push(s.callee);
        }
    }
    out
}

/// Flags sends (and sender calls) whose rejection escapes unhandled.
pub fn check(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let unchecked = unchecked_raw_sends(ctx);
    for &callee in &unchecked {
        let what = ctx
            .text
            .get(callee.start as usize..callee.end as usize)
            .unwrap_or("fetch");
        out.push(Finding::new(
            META.id,
            callee,
            format!("`{what}` resolves even when QStash answers an error (a 4xx or 5xx) and nothing checks `res.ok` or `res.status`: a rejected publish is lost silently"),
            "check the response (`if (!res.ok) throw new Error(await res.text())`), or use the SDK, whose calls reject on an error",
        ));
    }
    for f in ctx.flow.iter().filter(|f| f.rule == FlowRule::Unhandled) {
        if ctx.outside_handlers(f) || unchecked.contains(&f.callee) {
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
