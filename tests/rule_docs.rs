//! Every rule has a doc in `rules/<id>.md`, and the doc's examples run:
//! a block marked `bad` must produce the rule exactly on the lines that end
//! with a `flagged` comment (and nothing else), a block marked `good` must
//! produce nothing at all.

use qstash_lint::config::{Config, Level};
use qstash_lint::diagnostic::Severity;
use qstash_lint::engine::check_text;
use qstash_lint::report::range;
use qstash_lint::rules::RULES;
use std::path::Path;

struct Example {
    kind: &'static str,
    path: String,
    code: String,
    /// Line in the doc where the code starts (for messages).
    doc_line: usize,
}

fn examples(doc: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut lines = doc.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let Some(info) = line.trim_start().strip_prefix("```") else {
            continue;
        };
        let words: Vec<&str> = info.split_whitespace().collect();
        let kind = if words.contains(&"bad") {
            "bad"
        } else if words.contains(&"good") {
            "good"
        } else {
            // Skip the body of an unmarked block.
            for (_, l) in lines.by_ref() {
                if l.trim_start().starts_with("```") {
                    break;
                }
            }
            continue;
        };
        let path = words
            .iter()
            .find_map(|w| w.strip_prefix("path="))
            .map(str::to_string)
            .unwrap_or_else(|| "src/example.ts".to_string());
        let mut code = String::new();
        for (_, l) in lines.by_ref() {
            if l.trim_start().starts_with("```") {
                break;
            }
            code.push_str(l);
            code.push('\n');
        }
        out.push(Example {
            kind,
            path,
            code,
            doc_line: i + 2,
        });
    }
    out
}

fn marked_lines(code: &str) -> Vec<u32> {
    code.lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_end();
            t.ends_with("// flagged")
                || t.ends_with("{/* flagged */}")
                || t.ends_with("/* flagged */")
        })
        .map(|(i, _)| i as u32 + 1)
        .collect()
}

#[test]
fn every_rule_has_a_doc_with_bad_and_good_examples_that_hold() {
    let root = Path::new("/project");
    let mut failures = Vec::new();
    for rule in RULES {
        let id = rule.meta.id;
        let doc = rule.meta.doc;
        // Each doc's examples run with its own rule on, at its default
        // severity, so that rules that are off by default are tested too.
        let mut config = Config::defaults(root);
        let level = match rule.meta.severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warn,
            Severity::Note => Level::Note,
        };
        config.rules.insert(id.to_string(), level);
        assert!(
            doc.starts_with(&format!("# `{id}`")),
            "rules/{id}.md must start with its title"
        );
        let ex = examples(doc);
        assert!(
            ex.iter().any(|e| e.kind == "bad"),
            "rules/{id}.md has no bad example"
        );
        assert!(
            ex.iter().any(|e| e.kind == "good"),
            "rules/{id}.md has no good example"
        );
        for e in ex {
            let outcome = check_text(&root.join(&e.path), &e.code, &config);
            let found: Vec<(String, u32)> = outcome
                .diagnostics
                .iter()
                .map(|d| (d.rule.to_string(), range(&outcome, &d.path, d.span).0.line))
                .collect();
            let expected: Vec<(String, u32)> = match e.kind {
                "bad" => {
                    let marks = marked_lines(&e.code);
                    if marks.is_empty() {
                        failures.push(format!(
                            "rules/{id}.md:{}: bad example has no `// flagged` line",
                            e.doc_line
                        ));
                    }
                    marks.into_iter().map(|l| (id.to_string(), l)).collect()
                }
                _ => Vec::new(),
            };
            let mut found_sorted = found.clone();
            found_sorted.sort();
            found_sorted.dedup();
            if found_sorted != expected {
                failures.push(format!(
                    "rules/{id}.md:{}: {} example expected {:?}, got {:?}",
                    e.doc_line, e.kind, expected, found
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
