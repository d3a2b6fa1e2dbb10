//! `missing-signature-verification`: a handler that receives QStash messages
//! and never verifies the `upstash-signature`.

use super::receiver_helpers::finding;
use super::{Category, Finding, RuleContext, RuleMeta};
use crate::diagnostic::Severity;
use crate::receivers::Reason;

/// Rule description.
pub static META: RuleMeta = RuleMeta {
    id: "missing-signature-verification",
    severity: Severity::Error,
    enabled_by_default: true,
    category: Category::Security,
    security_severity: Some(9.1),
    summary: "a handler that receives QStash messages and does not verify their signature",
    doc: include_str!("../../rules/missing-signature-verification.md"),
};

const HELP: &str = "wrap the handler with `verifySignatureAppRouter` (or the wrapper for your framework), or `await receiver.verify({ signature, body: await req.text() })` before using the body";

/// Flags unverified receivers that are not only callback targets.
pub fn check(ctx: &RuleContext, out: &mut Vec<Finding>) {
    for h in ctx
        .unverified
        .iter()
        .filter(|h| h.reason != Reason::Callback)
    {
        let why = match h.reason {
            Reason::Destination => "QStash delivers messages to it",
            Reason::ReadsSignature => "it reads the `upstash-signature` header",
            Reason::MeantToVerify => "it refers to a QStash Receiver or verifier",
            Reason::ConfigGlob => "the config lists it under `receivers`",
            Reason::Callback => continue,
        };
        out.push(finding(
            META.id,
            h,
            format!(
                "`{}` ({}) does not verify the QStash signature, but {why}: anyone can call it",
                h.name, h.route
            ),
            HELP,
        ));
    }
}
