//! Helpers shared by the table-driven rule tests: a case is one in-memory
//! file linted with `check_text` and the (rule, start line) pairs expected.
#![allow(dead_code)]

use qstash_lint::config::Config;
use qstash_lint::engine::check_text;
use qstash_lint::report::range;
use std::collections::HashSet;
use std::path::Path;

/// A token of the real shape (base64 of a uuid and 32 hex digits); not a real
/// credential.
pub const TOKEN: &str = "eyJVc2VySUQiOiIzZjFjMmI3YS05ZDRlLTRjMWItOGE2Zi01ZTJkN2M5YjFhMDQiLCJQYXNzd29yZCI6IjlhOGI3YzZkNWU0ZjMwMjExMjAzZjRlNWQ2YzdiOGE5In0=";
/// A second token of the real shape.
pub const TOKEN2: &str = "eyJVc2VySUQiOiJiMmMzZDRlNS1mNmE3LTRiOGMtOWQwZS0xZjJhM2I0YzVkNmUiLCJQYXNzd29yZCI6IjAwMTEyMjMzNDQ1NTY2Nzc4ODk5YWFiYmNjZGRlZWZmIn0=";
/// A current-format signing key (28 base58 characters); not a real key.
pub const KEY: &str = "sig_4ZhJ9nqYQ2bP7vT6kL8mN3xW5cR1";
/// A second current-format signing key.
pub const KEY2: &str = "sig_8bKq3WzR7nTpYx2M5vJd9HcF4gLs";
/// An older-format signing key (50 base58 characters).
pub const OLD_KEY: &str = "sig_MASi45ub7Qe4ZE36UT5G6cU4ud8Fhhe4deS4F3cw9KTAb8dLcu";
/// `sig_` and 70 base58 characters: longer than any signing key.
pub const LONG_KEY: &str =
    "sig_kC7edhDQ7cn5d4gEYkbUrMWeWQLGsCmrG6dLaYyNoVKf58ZTBqNAYT3j5qcdsyuMNmPfYe";

/// One file and what must be reported for it.
pub struct Case {
    /// Unique name, shown on failure.
    pub name: &'static str,
    /// Path of the file, relative to the project root.
    pub path: &'static str,
    /// Source text; a leading newline is dropped so that line 1 is the line
    /// after the opening quote. `@TOKEN@`, `@TOKEN2@`, `@KEY@`, `@KEY2@`,
    /// `@OLD_KEY@` and `@LONG_KEY@` are replaced by the constants above.
    pub src: &'static str,
    /// Compare only this rule's diagnostics (`None`: every diagnostic).
    pub only: Option<&'static str>,
    /// Expected (rule, 1-based start line) pairs.
    pub expect: Vec<(&'static str, u32)>,
    /// Changes to the default config.
    pub config: Option<fn(&mut Config)>,
    /// Judge every rule, the send-flow rules included, even when the
    /// expectations name none of them.
    pub all_rules: bool,
}

/// A case that lists every diagnostic of the file.
pub fn exact(
    name: &'static str,
    path: &'static str,
    src: &'static str,
    expect: &[(&'static str, u32)],
) -> Case {
    Case {
        name,
        path,
        src,
        only: None,
        expect: expect.to_vec(),
        config: None,
        all_rules: false,
    }
}

/// A case that lists the lines of one rule's diagnostics (others are ignored).
pub fn only(
    rule: &'static str,
    name: &'static str,
    path: &'static str,
    src: &'static str,
    lines: &[u32],
) -> Case {
    Case {
        name,
        path,
        src,
        only: Some(rule),
        expect: lines.iter().map(|l| (rule, *l)).collect(),
        config: None,
        all_rules: false,
    }
}

pub fn expand(src: &str) -> String {
    src.strip_prefix('\n')
        .unwrap_or(src)
        .replace("@TOKEN2@", TOKEN2)
        .replace("@TOKEN@", TOKEN)
        .replace("@KEY2@", KEY2)
        .replace("@OLD_KEY@", OLD_KEY)
        .replace("@LONG_KEY@", LONG_KEY)
        .replace("@KEY@", KEY)
}

pub fn numbered(src: &str) -> String {
    src.lines()
        .enumerate()
        .map(|(i, l)| format!("  {:>3} | {l}\n", i + 1))
        .collect()
}

/// The send-flow rules.
pub const FLOW_RULES: &[&str] = &["unhandled-publish", "floating-publish"];

/// Lints every case and fails with a report of all mismatches.
pub fn check(cases: Vec<Case>) {
    let root = Path::new("/project");
    let mut names = HashSet::new();
    let mut failures = Vec::new();
    for case in &cases {
        assert!(names.insert(case.name), "duplicate case name {}", case.name);
        let mut config = Config::defaults(root);
        if let Some(change) = case.config {
            change(&mut config);
        }
        let src = expand(case.src);
        let outcome = check_text(&root.join(case.path), &src, &config);
        // The tables of the per-file rules predate the send-flow rules, whose
        // promise-handling cases have tables of their own: an exact case
        // covers them only when it names one of them.
        let names_flow = case.expect.iter().any(|(r, _)| FLOW_RULES.contains(r));
        let selected: Vec<_> = outcome
            .diagnostics
            .iter()
            .filter(|d| case.only.is_none_or(|r| d.rule == r))
            .filter(|d| {
                case.all_rules || case.only.is_some() || names_flow || !FLOW_RULES.contains(&d.rule)
            })
            .collect();
        let mut found: Vec<(&str, u32)> = selected
            .iter()
            .map(|d| (d.rule, range(&outcome, &d.path, d.span).0.line))
            .collect();
        found.sort();
        let mut expected = case.expect.clone();
        expected.sort();
        if found != expected {
            let messages: String = selected
                .iter()
                .map(|d| {
                    format!(
                        "    {}:{} {}\n",
                        d.rule,
                        range(&outcome, &d.path, d.span).0.line,
                        d.message
                    )
                })
                .collect();
            failures.push(format!(
                "case `{}` ({}):\n  expected {:?}\n  found    {:?}\n{}{}",
                case.name,
                case.path,
                expected,
                found,
                messages,
                numbered(&src)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The diagnostics' messages for one file, for tests that look at wording.
pub fn messages(path: &str, src: &str) -> Vec<(String, String)> {
    let root = Path::new("/project");
    let outcome = check_text(&root.join(path), &expand(src), &Config::defaults(root));
    outcome
        .diagnostics
        .iter()
        .map(|d| (d.rule.to_string(), d.message.clone()))
        .collect()
}
