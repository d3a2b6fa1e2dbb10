//! The pre-commit hook, run by the real `pre-commit` tool (from PyPI) on a
//! throwaway repository whose config points at this checkout's HEAD (so
//! it tests what is committed). `.ci/run` installs the tool; elsewhere the
//! test is skipped when it is missing.

use std::path::Path;
use std::process::Command;

fn sh(dir: &Path, cmd: &str, args: &[&str]) -> std::process::Output {
    Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("command runs")
}

#[test]
fn the_real_pre_commit_tool_runs_the_hook() {
    if Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install pre-commit (pip install pre-commit)"
        );
        eprintln!("pre-commit is not installed: skipped");
        return;
    }
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    sh(r, "git", &["init", "-q"]);
    sh(r, "git", &["config", "user.email", "test@example.com"]);
    sh(r, "git", &["config", "user.name", "test"]);
    std::fs::write(r.join("package.json"), "{}").expect("write");
    std::fs::write(
        r.join("send.ts"),
        "import { Client } from \"@upstash/qstash\";\nexport const go = () => new Client().schedules.create({ destination: \"https://a.example.com\", cron: \"61 * * * *\" });\n",
    )
    .expect("write");
    std::fs::write(r.join("notes.md"), "not JavaScript\n").expect("write");
    // The config points at this checkout's HEAD: pre-commit builds the hook
    // once for that revision and reuses it for the second run.
    let head = sh(checkout, "git", &["rev-parse", "HEAD"]);
    let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
    std::fs::write(
        r.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {head}\n    hooks:\n      - id: qstash-lint\n",
            checkout.display()
        ),
    )
    .expect("write");
    sh(r, "git", &["add", "."]);
    let out = sh(r, "pre-commit", &["run", "--files", "send.ts", "notes.md"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !out.status.success(),
        "the hook must fail on the bad file:\n{text}"
    );
    assert!(text.contains("invalid-cron"), "{text}");
    // Fixed, the hook passes; the Markdown file is never handed to it.
    std::fs::write(
        r.join("send.ts"),
        "import { Client } from \"@upstash/qstash\";\nexport const go = () => new Client().schedules.create({ destination: \"https://a.example.com\", cron: \"1 * * * *\" });\n",
    )
    .expect("write");
    sh(r, "git", &["add", "."]);
    let out = sh(r, "pre-commit", &["run", "--files", "send.ts", "notes.md"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
}
