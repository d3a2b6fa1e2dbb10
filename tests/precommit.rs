//! The pre-commit hook, run by the real `pre-commit` tool (from PyPI) on a
//! throwaway repository whose config points at this checkout's HEAD (so
//! it tests what is committed). `.ci/run` installs the tool; elsewhere the
//! test is skipped when it is missing.

mod npm;

use std::path::Path;
use std::process::Command;

fn sh(dir: &Path, cmd: &str, args: &[&str]) -> std::process::Output {
    Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("command runs")
}

/// Whether the `pre-commit` tool is installed (CI must have it).
fn has_pre_commit() -> bool {
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
        return false;
    }
    true
}

#[test]
fn the_real_pre_commit_tool_runs_the_hook() {
    if !has_pre_commit() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    // pre-commit builds the hook once for the checkout's HEAD and reuses it
    // for the second run.
    repository_using(r, "qstash-lint");
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

/// A throwaway repository with a file the hook must reject, whose
/// `.pre-commit-config.yaml` runs hook `id` from this checkout's HEAD.
fn repository_using(r: &Path, id: &str) {
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
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR"));
    let head = sh(checkout, "git", &["rev-parse", "HEAD"]);
    let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
    std::fs::write(
        r.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {head}\n    hooks:\n      - id: {id}\n",
            checkout.display()
        ),
    )
    .expect("write");
    sh(r, "git", &["add", "."]);
}

// pre-commit's `language: node` installs the hook repository (the root
// package.json) with npm, which fetches the qstash-lint package and its
// platform package from the registry: here a local one serving the packages
// packed from this build, which exist for Linux x64 glibc only.
#[cfg(all(target_os = "linux", target_arch = "x86_64", target_env = "gnu"))]
#[test]
fn the_node_hook_installs_the_npm_package_and_needs_no_rust_build() {
    if !has_pre_commit() {
        return;
    }
    let work = tempfile::tempdir().expect("tempdir");
    let w = work.path();
    let tarballs = npm::pack_linux_x64(w);
    let registry = npm::registry::Registry::serve(&tarballs);
    let r = w.join("repo");
    std::fs::create_dir_all(&r).expect("mkdir");
    repository_using(&r, "qstash-lint-node");
    let run = || {
        let out = npm::npm_command("pre-commit", w)
            .args(["run", "--files", "send.ts", "notes.md"])
            .current_dir(&r)
            // Its own store: the node environment is built here, from the
            // local registry, and no cargo is involved.
            .env("PRE_COMMIT_HOME", w.join("pre-commit-home"))
            .env("npm_config_registry", &registry.url)
            .output()
            .expect("pre-commit runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    };
    let (passed, text) = run();
    assert!(!passed, "the hook must fail on the bad file:\n{text}");
    assert!(text.contains("invalid-cron"), "{text}");
    std::fs::write(
        r.join("send.ts"),
        "import { Client } from \"@upstash/qstash\";\nexport const go = () => new Client().schedules.create({ destination: \"https://a.example.com\", cron: \"1 * * * *\" });\n",
    )
    .expect("write");
    sh(&r, "git", &["add", "."]);
    let (passed, text) = run();
    assert!(passed, "{text}");
}
