//! `unverified-callback`: a route that QStash calls back (`callback`,
//! `failureCallback`) without verifying the signature.

use super::receiver_helpers::finding;
use super::{Category, Finding, RuleContext, RuleMeta};
use crate::diagnostic::Severity;
use crate::receivers::Reason;

/// Rule description.
pub static META: RuleMeta = RuleMeta {
    id: "unverified-callback",
    severity: Severity::Error,
    enabled_by_default: true,
    category: Category::Security,
    security_severity: Some(9.1),
    summary: "a callback or failureCallback route that does not verify the QStash signature",
    doc: include_str!("../../rules/unverified-callback.md"),
};

/// Flags unverified receivers reached only as a callback.
pub fn check(ctx: &RuleContext, out: &mut Vec<Finding>) {
    for h in ctx
        .unverified
        .iter()
        .filter(|h| h.reason == Reason::Callback)
    {
        out.push(finding(
            META.id,
            h,
            format!("`{}` ({}) receives QStash callbacks but does not verify their signature: anyone can fake a delivery result", h.name, h.route),
            "verify callbacks like any QStash message: wrap the handler with the verify wrapper of your framework, or `await receiver.verify(...)` on the raw body",
        ));
    }
}
