//! `client-exposed-secret`: QStash credentials that reach the browser.

use super::{Category, Finding, RuleContext, RuleMeta};
use crate::diagnostic::Severity;
use crate::facts::{EnvRead, EnvSource, FileFacts, Part, QstashClass};
use crate::hash::HashSet;

/// Rule description.
pub static META: RuleMeta = RuleMeta {
    id: "client-exposed-secret",
    severity: Severity::Error,
    enabled_by_default: true,
    category: Category::Security,
    security_severity: Some(9.1),
    summary: "the QStash token or a signing key read from a public env var, or a QStash client in a \"use client\" file",
    doc: include_str!("../../rules/client-exposed-secret.md"),
};

/// Prefixes that bundlers inline into browser code, whatever the source.
const PUBLIC_PREFIXES: &[&str] = &[
    "NEXT_PUBLIC_",
    "VITE_",
    "NUXT_PUBLIC_",
    "EXPO_PUBLIC_",
    "REACT_APP_",
    "GATSBY_",
];

/// The public prefix of an env read, if the bundler ships it to the browser.
pub fn public_prefix(read: &EnvRead) -> Option<&'static str> {
    if read.source == EnvSource::SvelteKitPublic {
        return Some("PUBLIC_");
    }
    if let Some(p) = PUBLIC_PREFIXES.iter().find(|p| read.name.starts_with(**p)) {
        return Some(p);
    }
    // Astro and SvelteKit expose `PUBLIC_*` through `import.meta.env`.
    (read.source == EnvSource::ImportMetaEnv && read.name.starts_with("PUBLIC_"))
        .then_some("PUBLIC_")
}

/// Whether an env name holds a QStash credential.
pub fn names_credential(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    n.contains("QSTASH")
        && (n.contains("TOKEN") || n.contains("SIGNING_KEY") || n.contains("SIGNINGKEY"))
}

/// The env names that the credential options of QStash constructors and
/// verify wrappers fold to (a client's `token`, the signing keys): whatever
/// they are called, those variables hold QStash credentials.
fn credential_env_names(facts: &FileFacts) -> HashSet<&str> {
    const KEYS: &[&str] = &["currentSigningKey", "nextSigningKey"];
    let constructions = facts.constructions.iter().map(|c| {
        let keys: &[&str] = match c.class {
            QstashClass::Receiver => KEYS,
            QstashClass::Client | QstashClass::WorkflowClient => &["token"],
        };
        (c.config.as_ref(), keys)
    });
    let wrappers = facts.wrappers.iter().map(|w| (w.config.as_ref(), KEYS));
    let mut names = HashSet::default();
    for (config, keys) in constructions.chain(wrappers) {
        let Some(obj) = config.and_then(|v| v.object.as_deref()) else {
            continue;
        };
        for p in keys.iter().filter_map(|k| obj.get(k)) {
            for c in &p.value.candidates {
                for part in &c.parts {
                    if let Part::Env(name) = part {
                        names.insert(name.as_str());
                    }
                }
            }
        }
    }
    names
}

/// Flags public env reads of QStash credentials and QStash instances in
/// `"use client"` files.
pub fn check(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let Some(facts) = ctx.facts else { return };
    let credentials = credential_env_names(facts);
    let mut flagged = Vec::new();
    for read in &facts.env_reads {
        let Some(prefix) = public_prefix(read) else {
            continue;
        };
        if !names_credential(&read.name) && !credentials.contains(read.name.as_str()) {
            continue;
        }
        flagged.push(read.span);
        out.push(Finding::new(
            META.id,
            read.span,
            format!("`{}` is a QStash credential in a `{prefix}` env var, which the bundler ships to the browser", read.name),
            format!("rename it without the `{prefix}` prefix and read it only in server code"),
        ));
    }
    if facts.use_client {
        for c in &facts.constructions {
            if flagged.iter().any(|s| c.span.contains(*s)) {
                continue;
            }
            let what = match c.class {
                QstashClass::Receiver => "QStash `Receiver`",
                QstashClass::Client => "QStash `Client`",
                QstashClass::WorkflowClient => "workflow `Client`",
            };
            out.push(Finding::new(
                META.id,
                c.span,
                format!("{what} created in a \"use client\" file: its credentials end up in the browser bundle"),
                "move the QStash call into a server action, route handler or other server-only module",
            ));
        }
    }
}
