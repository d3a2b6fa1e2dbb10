//! `single-signing-key`: a Receiver or verify wrapper given one signing key.

use super::{Category, Finding, RuleContext, RuleMeta};
use crate::diagnostic::Severity;
use crate::facts::{ObjectLit, QstashClass};

/// Rule description.
pub static META: RuleMeta = RuleMeta {
    id: "single-signing-key",
    severity: Severity::Error,
    enabled_by_default: true,
    category: Category::Security,
    security_severity: Some(8.1),
    summary: "a Receiver or verify wrapper configured with only one of the two signing keys",
    doc: include_str!("../../rules/single-signing-key.md"),
};

fn one_key(obj: &ObjectLit) -> Option<(&'static str, &'static str)> {
    if obj.open {
        return None;
    }
    match (
        obj.get("currentSigningKey").is_some(),
        obj.get("nextSigningKey").is_some(),
    ) {
        (true, false) => Some(("currentSigningKey", "nextSigningKey")),
        (false, true) => Some(("nextSigningKey", "currentSigningKey")),
        _ => None,
    }
}

/// Adds the missing key, read from its env var, right after the `{`.
fn add_key_fix(text: &str, object_start: u32, missing: &str) -> Option<crate::diagnostic::Fix> {
    if text.get(object_start as usize..object_start as usize + 1) != Some("{") {
        return None;
    }
    let env = if missing == "nextSigningKey" {
        "QSTASH_NEXT_SIGNING_KEY"
    } else {
        "QSTASH_CURRENT_SIGNING_KEY"
    };
    super::fixes::insert(
        crate::diagnostic::Applicability::Unsafe,
        &format!("add `{missing}` from `{env}`"),
        object_start + 1,
        &format!(" {missing}: process.env.{env},"),
    )
}

/// Flags configs that name one key but not the other.
pub fn check(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let Some(facts) = ctx.facts else { return };
    for c in facts
        .constructions
        .iter()
        .filter(|c| c.class == QstashClass::Receiver)
    {
        let Some(obj) = c.config.as_ref().and_then(|v| v.object.as_deref()) else {
            continue;
        };
        if let Some((has, missing)) = one_key(obj) {
            let mut f = Finding::new(
                META.id,
                c.span,
                format!("`Receiver` is given `{has}` but not `{missing}`: verification breaks when the keys rotate"),
                "pass both keys (`currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY, nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY`), or none to read both from the environment",
            );
            f.fix = add_key_fix(ctx.text, obj.span.start, missing);
            out.push(f);
        }
    }
    for w in &facts.wrappers {
        let Some(obj) = w.config.as_ref().and_then(|v| v.object.as_deref()) else {
            continue;
        };
        if let Some((has, missing)) = one_key(obj) {
            out.push(Finding::new(
                META.id,
                obj.span,
                format!("`{}` config gives `{has}` but not `{missing}`: verification breaks when the keys rotate", w.wrapper),
                "pass both signing keys, or neither to read both from the environment",
            ));
        }
    }
}
