//! SARIF 2.1.0: one run, every rule in `tool.driver.rules`, results with
//! repository-relative locations and a line-hash fingerprint.

use crate::diagnostic::Severity;
use crate::engine::Outcome;
use crate::rules::{RuleMeta, RULES};
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};
use std::collections::BTreeMap;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn descriptor(meta: &RuleMeta) -> ReportingDescriptor {
    let mut props = BTreeMap::new();
    if let Some(sev) = meta.security_severity {
        props.insert("security-severity".to_string(), json!(format!("{sev:.1}")));
    }
    props.insert("precision".to_string(), json!("high"));
    let mut tags = vec!["qstash".to_string(), meta.category.as_str().to_string()];
    if meta.security_severity.is_some() {
        tags.push("security".to_string());
    }
    ReportingDescriptor::builder()
        .id(meta.id)
        .name(meta.id)
        .short_description(
            MultiformatMessageString::builder()
                .text(meta.summary)
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(meta.summary)
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(meta.doc)
                .markdown(meta.doc)
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level(meta.severity)))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags)
                .additional_properties(props)
                .build(),
        )
        .build()
}

/// The line text GitHub hashes for `primaryLocationLineHash`: here a stable
/// hash of the rule and the trimmed line, which survives lines moving.
fn line_hash(rule: &str, line_text: &str) -> String {
    // FNV-1a: small, stable across platforms and releases.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in rule.bytes().chain([0u8]).chain(line_text.trim().bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}:1")
}

pub(super) fn render(outcome: &Outcome) -> String {
    let rules: Vec<&RuleMeta> = RULES.iter().map(|r| r.meta).collect();
    let results: Vec<SarifResult> = outcome
        .diagnostics
        .iter()
        .map(|d| {
            let (s, e) = super::range(outcome, &d.path, d.span);
            let location =
                |path: &str, s: crate::diagnostic::LineCol, e: crate::diagnostic::LineCol| {
                    Location::builder()
                        .physical_location(
                            PhysicalLocation::builder()
                                .artifact_location(
                                    ArtifactLocation::builder()
                                        .uri(path)
                                        .uri_base_id("%SRCROOT%")
                                        .build(),
                                )
                                .region(
                                    Region::builder()
                                        .start_line(i64::from(s.line))
                                        .start_column(i64::from(s.column))
                                        .end_line(i64::from(e.line))
                                        .end_column(i64::from(e.column))
                                        .build(),
                                )
                                .build(),
                        )
                        .build()
                };
            let line_text = outcome
                .sources
                .get(&d.path)
                .map(|src| {
                    let l = src.index.line_of(d.span.start);
                    let start = src.index.line_start(l) as usize;
                    let end = src.text[start..]
                        .find('\n')
                        .map_or(src.text.len(), |i| start + i);
                    src.text[start..end].to_string()
                })
                .unwrap_or_default();
            let mut fingerprints = BTreeMap::new();
            fingerprints.insert(
                "primaryLocationLineHash".to_string(),
                line_hash(d.rule, &line_text),
            );
            let related: Vec<Location> = d
                .related
                .iter()
                .map(|r| {
                    let (rs, re) = super::range(outcome, &r.path, r.span);
                    let mut loc = location(&r.path, rs, re);
                    loc.message = Some(Message::builder().text(r.message.clone()).build());
                    loc
                })
                .collect();
            let mut b = SarifResult::builder()
                .rule_id(d.rule)
                .rule_index(rules.iter().position(|m| m.id == d.rule).unwrap_or(0) as i64)
                .level(match d.severity {
                    Severity::Error => ResultLevel::Error,
                    Severity::Warning => ResultLevel::Warning,
                    Severity::Note => ResultLevel::Note,
                })
                .message(Message::builder().text(d.message.clone()).build())
                .locations(vec![location(&d.path, s, e)])
                .partial_fingerprints(fingerprints)
                .build();
            if !related.is_empty() {
                b.related_locations = Some(related);
            }
            b
        })
        .collect();
    let notifications: Vec<Notification> = outcome
        .notices
        .iter()
        .map(|n| {
            Notification::builder()
                .message(
                    Message::builder()
                        .text(format!("{}: {}", n.path, n.message))
                        .build(),
                )
                .level(json!("warning"))
                .locations(vec![Location::builder()
                    .physical_location(
                        PhysicalLocation::builder()
                            .artifact_location(
                                ArtifactLocation::builder()
                                    .uri(n.path.clone())
                                    .uri_base_id("%SRCROOT%")
                                    .build(),
                            )
                            .build(),
                    )
                    .build()])
                .build()
        })
        .collect();
    let driver = ToolComponent::builder()
        .name("qstash-lint")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(rules.iter().map(|m| descriptor(m)).collect::<Vec<_>>())
        .build();
    let invocation = Invocation::builder()
        .execution_successful(true)
        .tool_execution_notifications(notifications)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation])
        .column_kind(json!("unicodeCodePoints"))
        .build();
    let sarif = Sarif::builder()
        .schema("https://json.schemastore.org/sarif-2.1.0.json")
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut s =
        serde_json::to_string_pretty(&sarif).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
