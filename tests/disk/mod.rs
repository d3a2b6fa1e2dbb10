//! Helpers for the tests that lint small projects written to disk: write a
//! file, run the binary (its exit code and output, or its diagnostics with
//! `--format json`), pick diagnostics.
#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

/// Writes `text` (text or bytes) to `rel` under `root`, creating its
/// folders.
pub fn write(root: &Path, rel: &str, text: impl AsRef<[u8]>) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// Copies the tree at `from` to `to` (a fixture into a scratch directory).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// `qstash-lint check <args>` run in `root`: the exit code, stdout and
/// stderr.
pub fn run(root: &Path, args: &[&str]) -> (i32, String, String) {
    run_stdin(root, args, None)
}

/// [`run`] with `stdin` as standard input. A run that hangs fails after a
/// minute rather than holding the suite.
pub fn run_stdin(root: &Path, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut cmd = Command::cargo_bin("qstash-lint").expect("binary builds");
    cmd.arg("check")
        .args(args)
        .current_dir(root)
        .timeout(std::time::Duration::from_secs(60));
    if let Some(s) = stdin {
        cmd.write_stdin(s);
    }
    let out = cmd.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
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
