//! `unawaited-verify`: a `verify` (or verifier) promise that is not awaited,
//! or whose rejection is swallowed. `verify` never returns `false`: a bad
//! signature is a rejection, and only a rejection that stops the request
//! protects it.

use super::{Category, Finding, RuleContext, RuleMeta};
use crate::diagnostic::Severity;
use crate::facts::verify::{Awaited, Swallow};

/// Rule description.
pub static META: RuleMeta = RuleMeta {
    id: "unawaited-verify",
    severity: Severity::Error,
    enabled_by_default: true,
    category: Category::Security,
    security_severity: Some(9.1),
    summary: "a `verify` call whose promise is not awaited or whose rejection is swallowed",
    doc: include_str!("../../rules/unawaited-verify.md"),
};

const HELP: &str = "`await` the call and let a bad signature throw, or return a 401 response from the `catch`: `verify` never returns `false`, it rejects";

fn finding(
    what: &str,
    awaited: Awaited,
    chained: bool,
    swallowed: Option<Swallow>,
) -> Option<(String, Vec<(crate::diagnostic::Span, String)>)> {
    let floating = awaited == Awaited::Floating && !chained;
    let mut related = Vec::new();
    let message = match (floating, swallowed) {
        (true, Some(Swallow::Handler(h))) => {
            related.push((h, "this handler swallows the rejection".to_string()));
            format!("{what} is not awaited and its `.catch` swallows the rejection: the request goes on whatever the signature check decides")
        }
        (true, _) => format!(
            "{what} is not awaited: the request goes on before the signature is checked, and a bad signature never stops it"
        ),
        (false, Some(Swallow::Handler(h))) => {
            related.push((h, "this handler swallows the rejection".to_string()));
            format!("the `.catch` on {what} swallows the rejection: a request with a bad signature goes on as if verified")
        }
        (false, Some(Swallow::Catch(c))) => {
            related.push((c, "this catch neither returns, throws nor responds".to_string()));
            format!("the `catch` around {what} swallows the rejection: a request with a bad signature goes on as if verified")
        }
        (false, None) => return None,
    };
    Some((message, related))
}

/// Flags unawaited and swallowed verify calls and verifier calls.
pub fn check(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let Some(facts) = ctx.facts else { return };
    for c in facts.verify_calls.iter() {
        if ctx.in_test(c.span) {
            continue;
        }
        if let Some((message, related)) = finding("`verify`", c.awaited, c.chained, c.swallowed) {
            let mut f = Finding::new(META.id, c.span, message, HELP);
            f.related = related;
            out.push(f);
        }
    }
    for c in &facts.verify_calls.verifier_calls {
        if ctx.in_test(c.span) {
            continue;
        }
        let what = format!("`{}` (it verifies the signature)", c.name);
        if let Some((message, related)) = finding(&what, c.awaited, c.chained, c.swallowed) {
            let mut f = Finding::new(META.id, c.span, message, HELP);
            f.related = related;
            out.push(f);
        }
    }
}
