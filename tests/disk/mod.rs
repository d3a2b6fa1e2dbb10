//! Helpers for the tests that lint small projects written to disk: write a
//! file, run the binary with `--format json`, pick its diagnostics.
#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

/// Writes `text` to `rel` under `root`, creating its folders.
pub fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// The diagnostics of `qstash-lint <args> --format json` run in `root`, and
/// the exit code.
pub fn run_json(root: &Path, args: &[&str]) -> (Vec<Value>, i32) {
    let out = Command::cargo_bin("qstash-lint")
        .expect("binary")
        .args(args)
        .args(["--format", "json"])
        .current_dir(root)
        .output()
        .expect("runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let diagnostics = v["diagnostics"].as_array().expect("array").clone();
    (diagnostics, out.status.code().unwrap_or(-1))
}

/// The diagnostics of `args` that `keep` selects, each shown by `show`,
/// sorted.
pub fn shown(
    root: &Path,
    args: &[&str],
    keep: impl Fn(&Value) -> bool,
    show: impl Fn(&Value) -> String,
) -> Vec<String> {
    let (diagnostics, _) = run_json(root, args);
    let mut found: Vec<String> = diagnostics.iter().filter(|d| keep(d)).map(show).collect();
    found.sort();
    found
}

/// `path:line`.
pub fn path_line(d: &Value) -> String {
    format!("{}:{}", d["path"].as_str().unwrap_or(""), d["line"])
}

/// `path:line [rule]`.
pub fn path_line_rule(d: &Value) -> String {
    format!("{} [{}]", path_line(d), d["rule"].as_str().unwrap_or(""))
}
