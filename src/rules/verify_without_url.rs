//! `verify-without-url`: `receiver.verify({...})` without `url`, so the
//! JWT subject (the URL the message was sent to) is not checked.

use super::{Category, Finding, RuleContext, RuleMeta};
use crate::diagnostic::Severity;

/// Rule description.
pub static META: RuleMeta = RuleMeta {
    id: "verify-without-url",
    severity: Severity::Note,
    enabled_by_default: false,
    category: Category::Security,
    security_severity: None,
    summary: "`receiver.verify({...})` without `url`: the signature's subject is not checked (off by default)",
    doc: include_str!("../../rules/verify-without-url.md"),
};

/// Flags verify calls whose visible options have no `url`.
pub fn check(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let Some(facts) = ctx.facts else { return };
    for c in facts.verify_calls.iter() {
        let Some(opts) = &c.options else { continue };
        if opts.may_have("url") {
            continue;
        }
        out.push(Finding::new(
            META.id,
            c.span,
            "`verify` is called without `url`: the URL the signature was made for (its `sub` claim) is not checked",
            "pass the public URL of this endpoint as `url` so that a signed request meant for another of your endpoints is rejected",
        ));
    }
}
