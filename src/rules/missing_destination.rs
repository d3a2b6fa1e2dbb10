//! `missing-destination`: a publish or schedule that names nowhere to deliver.

use super::{Category, Finding, RuleContext, RuleMeta};
use crate::diagnostic::Severity;
use crate::facts::SendKind;

/// Rule description.
pub static META: RuleMeta = RuleMeta {
    id: "missing-destination",
    severity: Severity::Error,
    enabled_by_default: true,
    category: Category::Correctness,
    security_severity: None,
    summary: "a publish, enqueue or batch item without url/urlGroup/topic/api, or a schedule without destination",
    doc: include_str!("../../rules/missing-destination.md"),
};

/// Flags sends whose request objects lack every destination key.
pub fn check(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let Some(facts) = ctx.facts else { return };
    for send in &facts.sends {
        let missing = match send.kind {
            SendKind::ScheduleCreate => send
                .requests
                .iter()
                .flatten()
                .any(|r| !r.may_have("destination")),
            SendKind::Publish
            | SendKind::PublishJson
            | SendKind::Enqueue
            | SendKind::EnqueueJson
            | SendKind::Batch
            | SendKind::BatchJson => send.requests.iter().flatten().any(|r| {
                !["url", "urlGroup", "topic", "api"]
                    .iter()
                    .any(|k| r.may_have(k))
            }),
            _ => false,
        };
        if !missing {
            continue;
        }
        let (message, help) = if send.kind == SendKind::ScheduleCreate {
            (
                "`schedules.create` has no `destination`: the request fails at run time"
                    .to_string(),
                "add `destination: \"https://…\"` (a URL or a URL-group name)",
            )
        } else {
            (
                format!(
                    "`{}` has none of `url`, `urlGroup` or `api`: the SDK throws before sending",
                    send.kind.method()
                ),
                "add `url: \"https://…\"` or `urlGroup: \"…\"`",
            )
        };
        out.push(Finding::new(META.id, send.callee, message, help));
    }
}
