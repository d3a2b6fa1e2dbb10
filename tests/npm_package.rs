//! The npm distribution (`npm/`): the packages the release assembles, packed
//! and installed with the real npm from the local tarballs only, offline, and
//! run with `npx` as a TypeScript project runs them; the launcher's exit
//! codes, signals and error; the manifests' versions.

mod disk;
mod npm;

use disk::copy_dir;
use npm::{checkout, npm_command, run_ok};
use std::path::Path;
use std::process::Command;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON")
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

// The binary built here is a Linux x64 glibc one: that is the platform
// package this test can assemble.
#[cfg(all(target_os = "linux", target_arch = "x86_64", target_env = "gnu"))]
#[test]
fn the_packed_packages_install_offline_and_npx_runs_the_linter() {
    let work = tempfile::tempdir().expect("tempdir");
    let w = work.path();
    let tarballs = npm::pack_linux_x64(w);
    let project = w.join("project");
    npm::empty_project(&project);
    // Both tarballs in one command: the main package's optional dependency on
    // the platform package is met by the local one, and `--offline` proves
    // nothing came from a registry (the other platforms' packages, which do
    // not exist here, are optional and skipped).
    run_ok(
        npm_command("npm", w)
            .args(["install", "--offline", "--no-audit", "--no-fund"])
            .args(tarballs.iter().map(|t| &t.path))
            .current_dir(&project),
    );
    let tree = run_ok(
        npm_command("npm", w)
            .args(["ls", "--all", "--json", "--offline"])
            .current_dir(&project),
    );
    let tree: serde_json::Value = serde_json::from_slice(&tree.stdout).expect("npm ls JSON");
    assert_eq!(
        tree["dependencies"]["qstash-lint"]["dependencies"]["@qstash-lint/linux-x64-gnu"]
            ["version"],
        VERSION,
        "the main package's optional dependency resolves to the local platform package: {tree}"
    );
    assert!(
        !project
            .join("node_modules/@qstash-lint/darwin-arm64")
            .exists(),
        "other platforms' packages are not installed"
    );

    let fixture = w.join("nextjs-app");
    copy_dir(&checkout().join("fixtures/nextjs-app"), &fixture);
    let npx = |args: &[&str]| {
        npm_command("npx", w)
            .args(["--no-install", "qstash-lint"])
            .args(args)
            .current_dir(&project)
            .output()
            .expect("npx runs")
    };
    let fixture_arg = fixture.to_str().expect("UTF-8 temp path");
    let via_npm = npx(&["check", fixture_arg, "--format", "concise"]);
    assert_eq!(via_npm.status.code(), Some(1), "{}", text(&via_npm));
    let stdout = String::from_utf8_lossy(&via_npm.stdout);
    assert!(stdout.contains("error [invalid-delay]"), "{stdout}");
    assert!(stdout.contains("error [client-exposed-secret]"), "{stdout}");
    // The launcher adds nothing and loses nothing: the same report as the
    // binary run directly.
    let direct = Command::new(env!("CARGO_BIN_EXE_qstash-lint"))
        .args(["check", fixture_arg, "--format", "concise"])
        .current_dir(&project)
        .output()
        .expect("runs");
    assert_eq!(via_npm.stdout, direct.stdout);
    assert_eq!(via_npm.stderr, direct.stderr);

    let clean = npx(&["check", fixture_arg, "--exit-zero"]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean));
    let missing = npx(&["check", "does-not-exist"]);
    assert_eq!(missing.status.code(), Some(2), "{}", text(&missing));

    let version = npx(&["--version"]);
    assert!(version.status.success(), "{}", text(&version));
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("qstash-lint {VERSION}")
    );
}

#[cfg(all(target_os = "linux", target_arch = "x86_64", target_env = "gnu"))]
#[test]
fn without_its_platform_package_the_launcher_says_what_is_missing() {
    let work = tempfile::tempdir().expect("tempdir");
    let w = work.path();
    let tarballs = npm::pack_linux_x64(w);
    let main = tarballs
        .iter()
        .find(|t| t.name == "qstash-lint")
        .expect("the main package");
    let project = w.join("project");
    npm::empty_project(&project);
    // As `--omit=optional` leaves it: the launcher alone.
    run_ok(
        npm_command("npm", w)
            .args(["install", "--offline", "--no-audit", "--no-fund"])
            .arg(&main.path)
            .current_dir(&project),
    );
    let out = npm_command("npx", w)
        .args(["--no-install", "qstash-lint", "check", "."])
        .current_dir(&project)
        .output()
        .expect("npx runs");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no binary for linux-x64 (glibc)"),
        "{stderr}"
    );
    assert!(stderr.contains("@qstash-lint/linux-x64-gnu"), "{stderr}");
    assert!(stderr.contains("cargo install qstash-lint"), "{stderr}");
}

/// The launcher from the checkout, running `binary` in place of the
/// platform package's.
#[cfg(unix)]
fn launcher(binary: &Path) -> Command {
    npm::require_tool("node");
    let mut cmd = Command::new("node");
    cmd.arg(checkout().join("npm/qstash-lint/bin/qstash-lint"))
        .env("QSTASH_LINT_BINARY", binary);
    cmd
}

#[cfg(unix)]
fn script(dir: &Path, body: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("fake-qstash-lint");
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

#[cfg(unix)]
#[test]
fn the_launcher_passes_arguments_stdin_and_the_exit_code_through() {
    let dir = tempfile::tempdir().expect("tempdir");
    let binary = script(dir.path(), "printf '%s|' \"$@\"; cat; echo err >&2; exit 7");
    let mut child = launcher(&binary)
        .args(["check", "a b", "--format", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("node runs");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(b"buffer").expect("write stdin");
    }
    let out = child.wait_with_output().expect("waits");
    assert_eq!(out.status.code(), Some(7));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "check|a b|--format|json|buffer"
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "err\n");
}

#[cfg(unix)]
#[test]
fn a_binary_that_cannot_start_is_an_error_of_the_tool() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = launcher(&dir.path().join("absent"))
        .arg("check")
        .output()
        .expect("node runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("qstash-lint: cannot run"),
        "{}",
        text(&out)
    );
}

#[cfg(unix)]
#[test]
fn the_launcher_dies_of_the_signal_that_killed_the_binary() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let binary = script(dir.path(), "kill -TERM $$");
    let out = launcher(&binary).output().expect("node runs");
    assert_eq!(out.status.signal(), Some(15), "{:?}", out.status);
}

#[cfg(unix)]
#[test]
fn a_signal_sent_to_the_launcher_reaches_the_binary() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("tempdir");
    // The binary reports the signal and exits 3; the launcher must wait for
    // it and exit 3 too, not die first and leave it running (for 5 s: a
    // launcher that does not forward must fail the test, not hang it).
    let binary = script(
        dir.path(),
        "trap 'echo got TERM; exit 3' TERM\necho ready\ni=0\nwhile [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done\necho not signalled",
    );
    let mut child = launcher(&binary)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("node runs");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("read");
    assert_eq!(line, "ready\n");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).expect("read");
    let status = child.wait().expect("waits");
    assert_eq!(rest, "got TERM\n");
    assert_eq!(status.code(), Some(3));
}

#[test]
fn the_assembler_refuses_another_version_and_a_missing_binary() {
    npm::require_tool("node");
    let work = tempfile::tempdir().expect("tempdir");
    let w = work.path();
    let binaries = w.join("binaries");
    std::fs::create_dir_all(&binaries).expect("mkdir");
    let out = w.join("out");
    let run = |extra: &[&str]| {
        let mut args: Vec<&std::ffi::OsStr> = vec![
            "--binaries".as_ref(),
            binaries.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ];
        args.extend(extra.iter().map(std::ffi::OsStr::new));
        npm::assemble(w, &args)
    };
    let other = run(&["--version", "v99.0.0", "--platforms", "linux-x64-gnu"]);
    assert_eq!(other.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&other.stderr)
            .contains(&format!("is not the crate's version {VERSION}")),
        "{}",
        text(&other)
    );
    let missing = run(&["--platforms", "darwin-arm64"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("missing binary")
            && String::from_utf8_lossy(&missing.stderr)
                .contains("qstash-lint-aarch64-apple-darwin"),
        "{}",
        text(&missing)
    );
    let unknown = run(&["--platforms", "plan9-x64"]);
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown));

    // The tag's version, with or without its `v`, is accepted, and a Windows
    // binary keeps its `.exe`.
    std::fs::write(
        binaries.join("qstash-lint-x86_64-pc-windows-msvc.exe"),
        "MZ",
    )
    .expect("write");
    let windows = run(&[
        "--version",
        &format!("v{VERSION}"),
        "--platforms",
        "win32-x64",
    ]);
    assert!(windows.status.success(), "{}", text(&windows));
    let manifest = read_json(&out.join("win32-x64/package.json"));
    assert_eq!(manifest["name"], "@qstash-lint/win32-x64");
    assert_eq!(manifest["version"], VERSION);
    assert_eq!(manifest["os"], serde_json::json!(["win32"]));
    assert_eq!(manifest["cpu"], serde_json::json!(["x64"]));
    assert_eq!(manifest["files"], serde_json::json!(["qstash-lint.exe"]));
    assert!(manifest.get("libc").is_none());
    assert!(out.join("win32-x64/qstash-lint.exe").is_file());
    let main = read_json(&out.join("qstash-lint/package.json"));
    assert_eq!(
        main["optionalDependencies"].as_object().map(|d| d.len()),
        Some(platforms().len()),
        "the main package names every platform, assembled or not"
    );
}

fn platforms() -> Vec<serde_json::Value> {
    read_json(&checkout().join("npm/platforms.json"))
        .as_array()
        .expect("platforms.json is an array")
        .clone()
}

#[test]
fn the_checked_in_manifests_carry_the_crate_version_and_every_platform() {
    let main = read_json(&checkout().join("npm/qstash-lint/package.json"));
    assert_eq!(main["version"], VERSION);
    assert_eq!(main["bin"]["qstash-lint"], "bin/qstash-lint");
    let expected: serde_json::Map<String, serde_json::Value> = platforms()
        .iter()
        .map(|p| {
            (
                format!("@qstash-lint/{}", p["package"].as_str().expect("package")),
                VERSION.into(),
            )
        })
        .collect();
    assert_eq!(
        main["optionalDependencies"],
        serde_json::Value::Object(expected)
    );
    for p in platforms() {
        let name = p["package"].as_str().expect("package");
        // The launcher derives the name from process.platform, process.arch
        // and the libc: each package must be named the way it looks.
        let libc = match p["libc"].as_str() {
            Some("glibc") => "-gnu",
            Some("musl") => "-musl",
            _ => "",
        };
        assert_eq!(
            name,
            format!(
                "{}-{}{libc}",
                p["os"].as_str().expect("os"),
                p["cpu"].as_str().expect("cpu")
            )
        );
    }
    let template = read_json(&checkout().join("npm/platform/package.json"));
    assert_eq!(template["version"], VERSION);
    // The repository root is what pre-commit's `language: node` installs.
    let root = read_json(&checkout().join("package.json"));
    assert_eq!(root["dependencies"]["qstash-lint"], VERSION);
    assert_eq!(root["private"], true, "the root package is never published");
}
