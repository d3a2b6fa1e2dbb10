//! `insecure-http-destination`: a public destination over plain http.

use super::destinations::{hosts, note_origin};
use super::{fixes, Category, Finding, RuleContext, RuleMeta};
use crate::diagnostic::Applicability;
use crate::diagnostic::Severity;
use crate::facts::fold::is_local_host;

/// Rule description.
pub static META: RuleMeta = RuleMeta {
    id: "insecure-http-destination",
    severity: Severity::Error,
    enabled_by_default: true,
    category: Category::Security,
    security_severity: None,
    summary: "a destination with a public host over plain http",
    doc: include_str!("../../rules/insecure-http-destination.md"),
};

/// Whether a host is public: not local, and a domain name with a dot or a
/// public IP address (a bare service name is internal).
fn is_public(host: &str) -> bool {
    !is_local_host(host) && (host.contains('.') || host.contains(':'))
}

/// Flags `http:` destinations with a public host. Unlike a local host, a
/// public http fallback (`process.env.URL ?? "http://…"`) is no development
/// default, so only development-only branches are left alone.
pub fn check(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let Some(facts) = ctx.facts else { return };
    // The QStash dev server delivers over http on purpose (qstash-api.md §5).
    if ctx.is_test || ctx.dev_server {
        return;
    }
    let mut seen = Vec::new();
    for h in hosts(facts, |c| !c.dev_only || c.env_fallback) {
        if h.scheme != "http" || !is_public(&h.host) || seen.contains(&h.destination.value.span) {
            continue;
        }
        seen.push(h.destination.value.span);
        let mut f = Finding::new(
            META.id,
            h.destination.value.span,
            format!(
                "`{}` sends messages to `{}` over plain http: bodies and signatures travel unencrypted",
                h.destination.key.name(),
                h.host
            ),
            "use `https://`",
        );
        // The literal that spells `http://`, when it is in this file.
        let here = h.candidate.origin_file.is_none();
        let at = h.candidate.origin.start as usize;
        let quoted = ctx
            .text
            .get(at..at + 1)
            .is_some_and(|q| matches!(q, "\"" | "'" | "`"));
        let start = if quoted { at + 1 } else { at };
        if here
            && ctx
                .text
                .get(start..start + 7)
                .is_some_and(|t| t.eq_ignore_ascii_case("http://"))
        {
            let span = crate::diagnostic::Span::new(start as u32, start as u32 + 7);
            f.fix = fixes::replace(Applicability::Unsafe, "use `https://`", span, "https://");
        }
        note_origin(
            &mut f,
            h.destination.value.span,
            h.candidate,
            "the http URL comes from here",
        );
        out.push(f);
    }
}
