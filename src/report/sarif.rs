//! SARIF 2.1.0 in the shape GitHub code scanning takes as it is: one run, the
//! enabled rules in `tool.driver.rules` with their docs, tags and severities,
//! results with repository-relative locations and two partial fingerprints,
//! and an `automationDetails.id` category.
//!
//! No field carries file text except through the redacted texts of
//! [`Outcome::sources`], and those only as hashes: there are no snippets.

use crate::diagnostic::{LineCol, Severity};
use crate::engine::Outcome;
use crate::hash::HashMap;
use crate::rules::{Category, RuleMeta, RULES};
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    Result as SarifResult, ResultLevel, Run, RunAutomationDetails, Sarif, Tool, ToolComponent,
};
use std::collections::BTreeMap;
use std::path::Path;

/// The project's home.
const INFORMATION_URI: &str = "https://github.com/qstash-lint/qstash-lint";
/// GitHub rejects a run with more results than this.
const MAX_RESULTS: usize = 25_000;
/// GitHub keeps at most this many locations of one result.
const MAX_RELATED: usize = 100;
/// GitHub's limit on `fullDescription`.
const MAX_FULL_DESCRIPTION: usize = 1024;
/// The key of our own partial fingerprint.
const FINGERPRINT_KEY: &str = "qstash-lint/v1";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// CWE ids per rule, as GitHub's `external/cwe/cwe-N` tags:
///
/// - `hardcoded-token`: 798 (hard-coded credentials).
/// - `hardcoded-signing-key`: 798, 321 (hard-coded cryptographic key).
/// - `client-exposed-secret`: 200 (exposure of sensitive information),
///   522 (insufficiently protected credentials).
/// - `insecure-http-destination`: 319 (cleartext transmission).
/// - `missing-signature-verification`, `unverified-callback`: 345
///   (insufficient verification of data authenticity), 347 (improper
///   verification of a cryptographic signature).
/// - `verification-bypass`: 347, 489 (active debug code: the bypass is a
///   development-mode switch).
/// - `unawaited-verify`: 347, 252 (unchecked return value: the rejected
///   promise is ignored).
/// - `verify-parsed-body`, `verify-without-url`: 347.
/// - `localhost-destination`, `single-signing-key` and the non-security
///   rules: none fits (they are reachability and rotation mistakes, not a
///   weakness class), so none is claimed.
fn cwes(id: &str) -> &'static [u32] {
    match id {
        "hardcoded-token" => &[798],
        "hardcoded-signing-key" => &[798, 321],
        "client-exposed-secret" => &[200, 522],
        "insecure-http-destination" => &[319],
        "missing-signature-verification" | "unverified-callback" => &[345, 347],
        "verification-bypass" => &[347, 489],
        "unawaited-verify" => &[347, 252],
        "verify-parsed-body" | "verify-without-url" => &[347],
        _ => &[],
    }
}

/// `medium` for rules that follow values and control flow across functions
/// and files (and so can be wrong about what a handler does); `high` for the
/// rest, which judge one literal or one call.
fn precision(id: &str) -> &'static str {
    match id {
        "missing-signature-verification"
        | "unverified-callback"
        | "verification-bypass"
        | "unawaited-verify"
        | "verify-parsed-body"
        | "floating-publish"
        | "unhandled-publish" => "medium",
        _ => "high",
    }
}

/// The `properties.tags` of a rule.
fn tags(meta: &RuleMeta) -> Vec<String> {
    let mut tags = Vec::new();
    if meta.category == Category::Security {
        tags.push("security".to_string());
    }
    tags.push("qstash".to_string());
    if meta.category != Category::Security {
        tags.push(meta.category.as_str().to_string());
    }
    tags.extend(
        cwes(meta.id)
            .iter()
            .map(|n| format!("external/cwe/cwe-{n}")),
    );
    tags
}

/// Markdown inline text as plain text: no backticks, emphasis or link
/// targets.
fn plain_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '`' => {}
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
            }
            ']' if chars.peek() == Some(&'(') => {
                // `[text](url)`: keep the text, drop the target.
                for t in chars.by_ref() {
                    if t == ')' {
                        break;
                    }
                }
            }
            '[' => {}
            _ => out.push(c),
        }
    }
    out
}

/// The doc's "What it flags" section as plain text: one line per paragraph
/// or list item, code blocks left out.
fn what_it_flags(doc: &str) -> String {
    let mut blocks: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut in_section = false;
    let mut in_fence = false;
    let flush = |current: &mut String, blocks: &mut Vec<String>| {
        if !current.is_empty() {
            blocks.push(std::mem::take(current));
        }
    };
    for line in doc.lines() {
        if line.starts_with("## ") {
            if in_section {
                break;
            }
            in_section = line.trim() == "## What it flags";
            continue;
        }
        if !in_section {
            continue;
        }
        let t = line.trim();
        if t.starts_with("```") {
            in_fence = !in_fence;
            flush(&mut current, &mut blocks);
            continue;
        }
        if in_fence {
            continue;
        }
        if t.is_empty() {
            flush(&mut current, &mut blocks);
            continue;
        }
        let is_item = t.starts_with("- ")
            || t.starts_with("* ")
            || t.split_once(". ")
                .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if is_item {
            flush(&mut current, &mut blocks);
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&plain_inline(t));
    }
    flush(&mut current, &mut blocks);
    blocks.join("\n")
}

/// `s` cut to at most `max` characters on a word boundary, with an ellipsis
/// when anything was cut.
fn truncate_words(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    // Room for the ellipsis.
    let limit = s.char_indices().nth(max - 1).map_or(s.len(), |(i, _)| i);
    let head = &s[..limit];
    let cut = match head.rfind(char::is_whitespace) {
        Some(i) if i > 0 => &head[..i],
        _ => head,
    };
    format!("{}…", cut.trim_end())
}

/// The full description GitHub shows for a rule.
fn full_description(meta: &RuleMeta) -> String {
    let text = what_it_flags(meta.doc);
    let text = if text.is_empty() {
        meta.summary.to_string()
    } else {
        text
    };
    truncate_words(&text, MAX_FULL_DESCRIPTION)
}

fn descriptor(meta: &RuleMeta) -> ReportingDescriptor {
    let mut props = BTreeMap::new();
    props.insert("precision".to_string(), json!(precision(meta.id)));
    match meta.security_severity {
        Some(sev) => {
            props.insert("security-severity".to_string(), json!(format!("{sev:.1}")));
        }
        None => {
            let problem = match meta.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "recommendation",
            };
            props.insert("problem.severity".to_string(), json!(problem));
        }
    }
    ReportingDescriptor::builder()
        .id(meta.id)
        .name(crate::rules::pascal_name(meta.id))
        .short_description(
            MultiformatMessageString::builder()
                .text(meta.summary)
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(full_description(meta))
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(meta.doc)
                .markdown(meta.doc)
                .build(),
        )
        .help_uri(crate::rules::doc_url(meta.id))
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level(meta.severity)))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags(meta))
                .additional_properties(props)
                .build(),
        )
        .build()
}

/// GitHub's `primaryLocationLineHash` of every line of `text`, by 1-based
/// line number, computed as codeql-action's `fingerprints.ts` does when a
/// result has none: a rolling hash (base 37, wrapping at 2^64) over a
/// window of the next 100 UTF-16 code units from the line's start, with
/// spaces and tabs left out, `\r\n` and `\r` read as `\n`, the end of the file
/// marked by 65535 and followed by zeros; each value is suffixed with how
/// many times that hash has been seen so far in the file (`<hex>:<n>`).
fn line_hashes(text: &str) -> HashMap<u32, String> {
    const BLOCK: usize = 100;
    const BASE: u64 = 37;
    const EOF: u64 = 65535;
    let first_mod = (0..BLOCK).fold(1u64, |m, _| m.wrapping_mul(BASE));

    struct State {
        window: [u64; BLOCK],
        starts: [Option<u32>; BLOCK],
        index: usize,
        hash: u64,
        line: u32,
        at_line_start: bool,
        after_cr: bool,
        seen: HashMap<u64, u32>,
        out: HashMap<u32, String>,
    }
    impl State {
        fn emit(&mut self) {
            if let Some(line) = self.starts[self.index].take() {
                let n = self.seen.entry(self.hash).or_insert(0);
                *n += 1;
                self.out.insert(line, format!("{:x}:{n}", self.hash));
            }
        }
        fn push(&mut self, c: u64, first_mod: u64) {
            let old = std::mem::replace(&mut self.window[self.index], c);
            self.hash = self
                .hash
                .wrapping_mul(BASE)
                .wrapping_add(c)
                .wrapping_sub(first_mod.wrapping_mul(old));
            self.index = (self.index + 1) % BLOCK;
        }
        fn feed(&mut self, c: u64, first_mod: u64) {
            let (space, tab, lf, cr) = (b' ' as u64, b'\t' as u64, b'\n' as u64, b'\r' as u64);
            if c == space || c == tab || (self.after_cr && c == lf) {
                self.after_cr = false;
                return;
            }
            let c = if c == cr {
                self.after_cr = true;
                lf
            } else {
                self.after_cr = false;
                c
            };
            self.emit();
            if self.at_line_start {
                self.at_line_start = false;
                self.line += 1;
                self.starts[self.index] = Some(self.line);
            }
            if c == lf {
                self.at_line_start = true;
            }
            self.push(c, first_mod);
        }
    }

    let mut st = State {
        window: [0; BLOCK],
        starts: [None; BLOCK],
        index: 0,
        hash: 0,
        line: 0,
        at_line_start: true,
        after_cr: false,
        seen: HashMap::default(),
        out: HashMap::default(),
    };
    for unit in text.encode_utf16() {
        st.feed(u64::from(unit), first_mod);
    }
    st.feed(EOF, first_mod);
    for _ in 0..BLOCK {
        st.emit();
        st.push(0, first_mod);
    }
    st.out
}

use crate::fingerprint::{fnv, normalized_line};

/// Turns display paths (relative to the working directory) into URIs
/// relative to the repository root, which is what `%SRCROOT%` stands for on
/// GitHub. Outside a repository the working directory is the root.
struct Uris {
    /// The working directory relative to the repository root, `/`-separated
    /// with a trailing `/`, or empty.
    prefix: String,
    /// The repository root, for display paths that are absolute.
    root: Option<std::path::PathBuf>,
}

impl Uris {
    fn new() -> Self {
        let cwd = std::env::current_dir().ok();
        let root = cwd.as_deref().and_then(crate::engine::repo_root);
        let prefix = match (&cwd, &root) {
            (Some(cwd), Some(root)) => {
                let rel = cwd.strip_prefix(root).unwrap_or(Path::new(""));
                let s = rel.to_string_lossy().replace('\\', "/");
                if s.is_empty() {
                    s
                } else {
                    format!("{s}/")
                }
            }
            _ => String::new(),
        };
        Uris { prefix, root }
    }

    /// The URI of `path` and whether it is relative to `%SRCROOT%`.
    fn uri(&self, path: &str) -> (String, bool) {
        let p = Path::new(path);
        if p.is_absolute() || path.starts_with('/') {
            if let Some(rel) = self.root.as_deref().and_then(|r| p.strip_prefix(r).ok()) {
                return (encode(&rel.to_string_lossy().replace('\\', "/")), true);
            }
            let s = path.replace('\\', "/");
            let s = if s.starts_with('/') {
                s
            } else {
                format!("/{s}")
            };
            return (format!("file://{}", encode(&s)), false);
        }
        (encode(&format!("{}{path}", self.prefix)), true)
    }
}

/// Percent-encodes what may not stand in a URI path.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn location(uris: &Uris, path: &str, range: Option<(LineCol, LineCol)>) -> Location {
    let (uri, relative) = uris.uri(path);
    let artifact = if relative {
        ArtifactLocation::builder()
            .uri(uri)
            .uri_base_id("%SRCROOT%")
            .build()
    } else {
        ArtifactLocation::builder().uri(uri).build()
    };
    let physical = match range {
        Some((s, e)) => PhysicalLocation::builder()
            .artifact_location(artifact)
            .region(
                Region::builder()
                    .start_line(i64::from(s.line))
                    .start_column(i64::from(s.column))
                    .end_line(i64::from(e.line))
                    .end_column(i64::from(e.column))
                    .build(),
            )
            .build(),
        None => PhysicalLocation::builder()
            .artifact_location(artifact)
            .build(),
    };
    Location::builder().physical_location(physical).build()
}

pub(super) fn render(outcome: &Outcome) -> String {
    let uris = Uris::new();
    // Every rule the run's configs enabled, in catalog order; a rule that
    // reported is enabled by definition, but an outcome built by hand may
    // not say so.
    let rules: Vec<&RuleMeta> = RULES
        .iter()
        .map(|r| r.meta)
        .filter(|m| {
            outcome.enabled_rules.contains(&m.id)
                || outcome.diagnostics.iter().any(|d| d.rule == m.id)
        })
        .collect();

    // GitHub rejects a run over its result limit: keep the most severe.
    let mut order: Vec<usize> = (0..outcome.diagnostics.len()).collect();
    let omitted = order.len().saturating_sub(MAX_RESULTS);
    if omitted > 0 {
        order.sort_by_key(|&i| std::cmp::Reverse(outcome.diagnostics[i].severity));
        order.truncate(MAX_RESULTS);
        order.sort_unstable();
    }

    let mut hashes: HashMap<&str, HashMap<u32, String>> = HashMap::default();
    let mut occurrences: HashMap<(&str, &str, String), u32> = HashMap::default();
    let mut results: Vec<SarifResult> = Vec::with_capacity(order.len());
    for i in order {
        let d = &outcome.diagnostics[i];
        let (s, e) = super::range(outcome, &d.path, d.span);
        let mut fingerprints = BTreeMap::new();
        if let Some(src) = outcome.sources.get(&d.path) {
            let file = hashes
                .entry(d.path.as_str())
                .or_insert_with(|| line_hashes(&src.text));
            if let Some(h) = file.get(&s.line) {
                fingerprints.insert("primaryLocationLineHash".to_string(), h.clone());
            }
        }
        let text = outcome
            .sources
            .get(&d.path)
            .map(|src| normalized_line(&src.text, s.line))
            .unwrap_or_default();
        let (uri, _) = uris.uri(&d.path);
        let n = occurrences
            .entry((d.rule, d.path.as_str(), text.clone()))
            .or_insert(0);
        *n += 1;
        let ours = fnv(&[d.rule, &uri, &text, &n.to_string()]);
        fingerprints.insert(FINGERPRINT_KEY.to_string(), format!("{ours:016x}"));

        let related: Vec<Location> = d
            .related
            .iter()
            .take(MAX_RELATED)
            .enumerate()
            .map(|(k, r)| {
                let range = super::range(outcome, &r.path, r.span);
                let mut loc = location(&uris, &r.path, Some(range));
                loc.id = Some(k as i64 + 1);
                loc.message = Some(Message::builder().text(r.message.clone()).build());
                loc
            })
            .collect();
        let mut result = SarifResult::builder()
            .rule_id(d.rule)
            .rule_index(rules.iter().position(|m| m.id == d.rule).unwrap_or(0) as i64)
            .level(match d.severity {
                Severity::Error => ResultLevel::Error,
                Severity::Warning => ResultLevel::Warning,
                Severity::Note => ResultLevel::Note,
            })
            .message(Message::builder().text(d.message.clone()).build())
            .locations(vec![location(&uris, &d.path, Some((s, e)))])
            .partial_fingerprints(fingerprints)
            .build();
        if !related.is_empty() {
            result.related_locations = Some(related);
        }
        results.push(result);
    }

    let mut notifications: Vec<Notification> = outcome
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
                .locations(vec![location(&uris, &n.path, None)])
                .build()
        })
        .collect();
    if omitted > 0 {
        notifications.push(
            Notification::builder()
                .message(
                    Message::builder()
                        .text(format!(
                            "{omitted} results left out: GitHub takes at most {MAX_RESULTS} per run"
                        ))
                        .build(),
                )
                .level(json!("warning"))
                .build(),
        );
    }
    let driver = ToolComponent::builder()
        .name("qstash-lint")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(rules.iter().map(|m| descriptor(m)).collect::<Vec<_>>())
        .build();
    let invocation = Invocation::builder()
        .execution_successful(true)
        .tool_execution_notifications(notifications)
        .build();
    document(driver, results, invocation)
}

/// The one-run document around a driver, its results and its invocation.
fn document(driver: ToolComponent, results: Vec<SarifResult>, invocation: Invocation) -> String {
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .automation_details(RunAutomationDetails::builder().id("qstash-lint/").build())
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

/// A SARIF document for a run that could not start (an invalid config, a
/// missing path): no results, `executionSuccessful: false`, and the error as
/// a tool configuration notification, so code scanning shows why.
pub fn render_failure(message: &str) -> String {
    let driver = ToolComponent::builder()
        .name("qstash-lint")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .build();
    let notification = Notification::builder()
        .message(Message::builder().text(message).build())
        .level(json!("error"))
        .build();
    let invocation = Invocation::builder()
        .execution_successful(false)
        .tool_configuration_notifications(vec![notification])
        .build();
    document(driver, Vec::new(), invocation)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash of a window, written out as the polynomial the rolling hash
    /// keeps: `sum(c_k * 37^(99-k))` over the 100 units from the line start.
    fn by_hand(units: &[u64]) -> u64 {
        let mut padded = units.to_vec();
        padded.resize(100, 0);
        padded
            .iter()
            .fold(0u64, |h, &c| h.wrapping_mul(37).wrapping_add(c))
    }

    #[test]
    fn line_hash_of_a_one_character_file() {
        // "x": the unit, then the end-of-file mark, then zeros.
        let want = format!("{:x}:1", by_hand(&[u64::from(b'x'), 65535]));
        assert_eq!(line_hashes("x")[&1], want);
    }

    #[test]
    fn line_hashes_skip_blanks_and_normalize_line_ends() {
        let a = line_hashes("a b\r\nc\n");
        let b = line_hashes("ab\nc\n");
        assert_eq!(a, b);
        let lf = u64::from(b'\n');
        let want = by_hand(&[97, 98, lf, 99, lf, 65535]);
        assert_eq!(a[&1], format!("{want:x}:1"));
        assert_eq!(a[&2], format!("{:x}:1", by_hand(&[99, lf, 65535])));
    }

    #[test]
    fn identical_windows_are_counted() {
        // Lines 1 and 2 of 200 "x" lines see the same 100 units.
        let h = line_hashes(&"x\n".repeat(200));
        assert!(h[&1].ends_with(":1"), "{}", h[&1]);
        assert_eq!(h[&2], h[&1].replace(":1", ":2"));
        let h = line_hashes("\n\n");
        assert_eq!(h.len(), 3);
    }

    #[test]
    fn full_descriptions_are_plain_and_short() {
        for rule in RULES {
            let d = full_description(rule.meta);
            assert!(
                d.chars().count() <= MAX_FULL_DESCRIPTION,
                "{}",
                rule.meta.id
            );
            assert!(!d.contains('`'), "{}: {d}", rule.meta.id);
            assert!(!d.is_empty());
        }
        let long = "word ".repeat(400);
        let t = truncate_words(&long, 1024);
        assert!(t.chars().count() <= 1024);
        assert!(t.ends_with("word…"), "{t}");
    }
}
