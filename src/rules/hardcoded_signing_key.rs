//! `hardcoded-signing-key`: a QStash signing key written into the source.

use super::helpers::literal_strings;
use super::{Category, Finding, RuleContext, RuleMeta};
use crate::diagnostic::Severity;
use crate::facts::{ObjectLit, QstashClass};
use crate::secrets::{is_dev_credential, is_placeholder, looks_like_signing_key, SecretKind};

/// Rule description.
pub static META: RuleMeta = RuleMeta {
    id: "hardcoded-signing-key",
    severity: Severity::Error,
    enabled_by_default: true,
    category: Category::Security,
    security_severity: Some(9.1),
    summary: "a QStash signing key written into the source",
    doc: include_str!("../../rules/hardcoded-signing-key.md"),
};

const HELP: &str = "read the keys from `QSTASH_CURRENT_SIGNING_KEY` / `QSTASH_NEXT_SIGNING_KEY` (or call `new Receiver()` with no argument) and roll the keys in the Upstash console";

/// Flags `sig_` keys anywhere and literal signing-key options.
pub fn check(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let shaped: Vec<_> = ctx
        .secrets
        .iter()
        .filter(|s| s.kind == SecretKind::SigningKey)
        .collect();
    for hit in &shaped {
        out.push(Finding::new(
            META.id,
            hit.span,
            "QStash signing key in source code",
            HELP,
        ));
    }
    let Some(facts) = ctx.facts else { return };
    if ctx.is_test {
        return;
    }
    let configs = facts
        .constructions
        .iter()
        .filter(|c| c.class == QstashClass::Receiver)
        .filter_map(|c| c.config.as_ref())
        .chain(facts.wrappers.iter().filter_map(|w| w.config.as_ref()))
        .filter_map(|v| v.object.as_deref());
    for obj in configs {
        check_config(obj, &shaped, out);
    }
}

/// A `sig_…` value without the shape of a real key (`sig_abc123`,
/// `sig_current_real`): every real signing key has that shape, and the shaped
/// ones are already reported by the scan, so the rest are stand-ins.
fn is_sig_stand_in(text: &str) -> bool {
    text.starts_with("sig_") && !looks_like_signing_key(text)
}

fn check_config(obj: &ObjectLit, shaped: &[&crate::secrets::SecretHit], out: &mut Vec<Finding>) {
    for key in ["currentSigningKey", "nextSigningKey"] {
        let Some(prop) = obj.get(key) else { continue };
        for (text, span) in literal_strings(&prop.value) {
            if is_placeholder(&text)
                || is_sig_stand_in(&text)
                || is_dev_credential(&text)
                || shaped
                    .iter()
                    .any(|h| h.span.contains(span) || span.contains(h.span))
            {
                continue;
            }
            out.push(Finding::new(
                META.id,
                span,
                format!("`{key}` is a hardcoded literal"),
                HELP,
            ));
        }
    }
}
