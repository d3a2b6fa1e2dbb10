//! Safe to run (issue 12): fixes and reports never damage a file, configs
//! are read only from regular files, long lines do not crash the report, and
//! a run that checks nothing says so.

mod disk;

use disk::{run, run_stdin, write};
use std::fs;
use std::path::Path;

/// A file with one safe fix (`topic:` → `urlGroup:`), nothing else.
const DEPRECATED: &str = "import { Client } from \"@upstash/qstash\";\nconst qstash = new Client();\nexport async function send() {\n  try {\n    await qstash.publishJSON({ topic: \"jobs\", body: {} });\n  } catch {\n    return null;\n  }\n}\n";

#[test]
fn a_finding_past_column_65535_still_prints_the_pretty_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    // One minified vendor line with a signing key at column 72,008.
    let line = format!(
        "{}var k=\"sig_4ZhJ9nqYQ2bP7vT6kL8mN3xW5cR1\";\n",
        "var x=1;".repeat(9000)
    );
    write(dir.path(), "vendor.js", &line);
    let (code, out, err) = run(dir.path(), &["--color", "never"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("hardcoded-signing-key"), "{out}");
    assert!(out.contains("vendor.js:1:72008"), "{out}");
    assert!(out.contains("Found 1 error"), "{out}");
    // A short excerpt around the finding, never the whole line.
    assert!(out.len() < 4000, "{}", out.len());
    assert!(
        !out.contains("4ZhJ9nqYQ2bP7vT6kL8mN3xW5cR1"),
        "redacted: {out}"
    );
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs")
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

#[cfg(unix)]
#[test]
fn configs_are_read_only_from_regular_files_of_bounded_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "a.ts", "export const a = 1;\n");
    mkfifo(&r.join("fifo.json"));
    for (config, what) in [
        ("fifo.json", "not a regular file"),
        ("/dev/zero", "not a regular file"),
        (".", "not a regular file"),
    ] {
        let (code, _, err) = run(r, &["--config", config]);
        assert_eq!(code, 2, "{config}: {err}");
        assert!(err.contains(config) && err.contains(what), "{err}");
    }
    // Over the size cap.
    let big = format!("{{\"include\": [\"{}\"]}}", "a".repeat(2 * 1024 * 1024));
    write(r, "big.json", &big);
    let (code, _, err) = run(r, &["--config", "big.json"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("big.json") && err.contains("larger than"),
        "{err}"
    );
    // A discovered qstash-lint.json that is a directory is a config error too.
    fs::create_dir(r.join("qstash-lint.json")).expect("mkdir");
    let (code, _, err) = run(r, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("qstash-lint.json") && err.contains("not a regular file"),
        "{err}"
    );
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).expect("stat").permissions().mode() & 0o7777
}

#[cfg(unix)]
#[test]
fn fix_keeps_the_mode_and_writes_through_symlinks() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "src/a.ts", DEPRECATED);
    fs::set_permissions(r.join("src/a.ts"), fs::Permissions::from_mode(0o755)).expect("chmod");
    write(r, "shared/b.ts", DEPRECATED);
    std::os::unix::fs::symlink("../shared/b.ts", r.join("src/b.ts")).expect("symlink");
    // A symlink is linted when named (the walk does not follow links).
    let (_, _, err) = run(r, &["--fix", "src/a.ts", "src/b.ts"]);
    let a = fs::read_to_string(r.join("src/a.ts")).expect("read");
    assert!(a.contains("urlGroup: \"jobs\""), "{a}\n{err}");
    assert_eq!(mode(&r.join("src/a.ts")), 0o755);
    // The link is still a link, and its target got the fix.
    let meta = fs::symlink_metadata(r.join("src/b.ts")).expect("lstat");
    assert!(meta.file_type().is_symlink());
    let b = fs::read_to_string(r.join("shared/b.ts")).expect("read");
    assert!(b.contains("urlGroup: \"jobs\""), "{b}");
    // No temp file is left behind.
    for d in ["src", "shared"] {
        let left: Vec<_> = fs::read_dir(r.join(d))
            .expect("ls")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("qstash-lint"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}

#[cfg(unix)]
#[test]
fn reports_and_baselines_get_normal_permissions_and_stale_temp_files_go() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "a.ts", DEPRECATED);
    // A temp file of a killed run (a pid that cannot be alive) and one of
    // another tool, which stays.
    write(r, "out/.report.json.qstash-lint-4194305.tmp", "half");
    write(r, "out/.report.json.other.tmp", "theirs");
    run(r, &["--format", "json", "-o", "out/report.json"]);
    run(r, &["--write-baseline", "out/baseline.json"]);
    // The umask of the test process decides; 0600 would be tempfile's.
    let umask_mode = {
        let probe = r.join("out/probe");
        fs::write(&probe, "").expect("write");
        mode(&probe)
    };
    assert_eq!(mode(&r.join("out/report.json")), umask_mode);
    assert_eq!(mode(&r.join("out/baseline.json")), umask_mode);
    assert!(!r.join("out/.report.json.qstash-lint-4194305.tmp").exists());
    assert!(r.join("out/.report.json.other.tmp").exists());
}

#[test]
fn output_onto_an_input_file_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "src/a.ts", DEPRECATED);
    for args in [
        &["-o", "src/a.ts"][..],
        &["src", "-o", "src/a.ts"],
        &["src/a.ts", "-o", "./src/../src/a.ts"],
    ] {
        let (code, _, err) = run(r, args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("src/a.ts") && err.contains("input"), "{err}");
        assert_eq!(
            fs::read_to_string(r.join("src/a.ts")).expect("read"),
            DEPRECATED
        );
    }
    // A report next to the sources, not one of them, is fine.
    let (code, _, err) = run(r, &["src", "-o", "report.txt"]);
    assert_eq!(code, 0, "{err}");
    assert!(r.join("report.txt").is_file());
}

#[cfg(unix)]
#[test]
fn output_onto_a_device_or_fifo_writes_to_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "a.ts", DEPRECATED);
    // A character device of our own (root only: mknod), never the real
    // /dev/null, which a broken build would replace for the whole machine.
    let null = r.join("null");
    let made = std::process::Command::new("mknod")
        .args([null.as_os_str(), "c".as_ref(), "1".as_ref(), "3".as_ref()])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if made {
        let (code, _, err) = run(r, &["-o", "null"]);
        assert_eq!(code, 0, "{err}");
        use std::os::unix::fs::FileTypeExt;
        let meta = fs::metadata(&null).expect("stat");
        assert!(meta.file_type().is_char_device(), "still a device");
    }
    let fifo = r.join("report.fifo");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).expect("read fifo"))
    };
    let (code, _, err) = run(r, &["--format", "concise", "-o", "report.fifo"]);
    assert_eq!(code, 0, "{err}");
    let got = reader.join().expect("reader");
    assert!(got.contains("[deprecated-api]"), "{got}");
    use std::os::unix::fs::FileTypeExt;
    assert!(fs::metadata(&fifo).expect("stat").file_type().is_fifo());
}

#[test]
fn fix_with_stdin_fixes_the_buffer_and_leaves_the_disk_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "package.json", "{}");
    write(r, "a.ts", DEPRECATED);
    let (code, out, err) = run_stdin(r, &["--fix", "--stdin-filename", "a.ts"], Some(DEPRECATED));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        DEPRECATED.replace("topic: \"jobs\"", "urlGroup: \"jobs\"")
    );
    assert_eq!(
        fs::read_to_string(r.join("a.ts")).expect("read"),
        DEPRECATED
    );
    // What the fixes leave goes to stderr, in the chosen format.
    let unsafe_left = DEPRECATED.replace("await qstash", "qstash");
    let (code, out, err) = run_stdin(
        r,
        &["--fix", "--format", "concise", "--stdin-filename", "a.ts"],
        Some(&unsafe_left),
    );
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("urlGroup: \"jobs\""), "{out}");
    assert!(
        err.contains("a.ts:5:") && err.contains("[floating-publish]"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(r.join("a.ts")).expect("read"),
        DEPRECATED
    );
    // A buffer of a file that does not exist yet.
    let (code, out, _) = run_stdin(
        r,
        &["--fix", "--stdin-filename", "new.ts"],
        Some(DEPRECATED),
    );
    assert_eq!(code, 0);
    assert!(out.contains("urlGroup"), "{out}");
    assert!(!r.join("new.ts").exists());
}

#[test]
fn paths_that_match_nothing_exit_2_unless_asked_not_to() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "src/a.ts", "export const a = 1;\n");
    write(r, "docs/readme.md", "# hi\n");
    let (code, _, err) = run(r, &["docs"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no files") && err.contains("docs"), "{err}");
    let (code, _, err) = run(r, &["docs", "--no-error-on-unmatched"]);
    assert_eq!(code, 0, "{err}");
    // An include that matches nothing (a typo).
    write(r, "qstash-lint.json", "{\"include\": [\"scr/**\"]}");
    let (code, _, err) = run(r, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no files"), "{err}");
    let (code, _, _) = run(r, &["--no-error-on-unmatched"]);
    assert_eq!(code, 0);
    fs::remove_file(r.join("qstash-lint.json")).expect("rm");
    // Named files that are not sources (pre-commit passes them) are no error.
    let (code, _, err) = run(r, &["docs/readme.md"]);
    assert_eq!(code, 0, "{err}");
    // An empty project checked by default is no error either.
    let empty = tempfile::tempdir().expect("tempdir");
    let (code, _, err) = run(empty.path(), &[]);
    assert_eq!(code, 0, "{err}");
}

#[cfg(unix)]
#[test]
fn a_path_longer_than_path_max_gets_a_notice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "a.ts", "export const a = 1;\n");
    // 30 levels of 200-byte names: past PATH_MAX (4096), made with relative
    // steps as no single path may be that long.
    let seg = "d".repeat(200);
    // bash: dash's `cd` fails once the logical path passes PATH_MAX.
    let script = format!(
        "set -e; mkdir deep; cd deep; for i in $(seq 30); do mkdir {seg}; cd -P {seg}; done; echo 'export const b = 1;' > b.ts"
    );
    let ok = std::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(r)
        .status()
        .expect("sh")
        .success();
    assert!(ok);
    let (code, out, err) = run(r, &["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let notices = v["notices"].as_array().expect("notices");
    assert!(
        notices
            .iter()
            .any(|n| n["kind"] == "unreadable"
                && n["path"].as_str().unwrap_or("").starts_with("deep/")),
        "{out}"
    );
    // Removing the tree needs relative steps too.
    let _ = std::process::Command::new("rm")
        .args(["-rf", "deep"])
        .current_dir(r)
        .status();
}

/// A safe fix (`topic:`) and an unsafe one (`http:` → `https:`).
const MIXED: &str = "import { Client } from \"@upstash/qstash\";\nconst qstash = new Client();\nexport async function send() {\n  try {\n    await qstash.publishJSON({ topic: \"jobs\", body: {} });\n    await qstash.publishJSON({ url: \"http://api.example.com/hook\" });\n  } catch {\n    return null;\n  }\n}\n";

#[test]
fn unsafe_fixes_without_fix_only_show_them_and_findings_are_marked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "a.ts", MIXED);
    let (code, out, err) = run(r, &["--format", "concise"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains(":5:") && out.contains("[deprecated-api] [*] "),
        "{out}"
    );
    // The unsafe fix is hidden: no marker, counted in the summary.
    let http = out
        .lines()
        .find(|l| l.contains("[insecure-http-destination]"))
        .expect("http finding");
    assert!(!http.contains("[~]") && !http.contains("[*]"), "{http}");
    assert!(
        err.contains(
            "1 fixable with --fix (1 hidden fix can be enabled with the --unsafe-fixes option)."
        ),
        "{err}"
    );
    let (code, out, err) = run(r, &["--format", "concise", "--unsafe-fixes"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("[insecure-http-destination] [~] "), "{out}");
    assert!(
        err.contains("2 fixable with --fix --unsafe-fixes."),
        "{err}"
    );
    assert_eq!(fs::read_to_string(r.join("a.ts")).expect("read"), MIXED);
    // The pretty report marks them too and ends with the summary.
    let (_, out, _) = run(r, &["--color", "never", "--unsafe-fixes"]);
    assert!(out.contains("[*] ") && out.contains("[~] "), "{out}");
    assert!(
        out.trim_end()
            .ends_with("2 fixable with --fix --unsafe-fixes."),
        "{out}"
    );
    // What --fix did is said.
    let (code, out, err) = run(r, &["--format", "concise", "--fix"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        err.contains("1 fixed (1 hidden fix can be enabled"),
        "{err}"
    );
    assert!(!out.contains("[deprecated-api]"), "{out}");
}

#[test]
fn diff_prints_the_fixes_without_writing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(r, "a.ts", MIXED);
    let (code, out, err) = run(r, &["--diff"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.starts_with("--- a/a.ts\n+++ b/a.ts\n@@ "), "{out}");
    assert!(
        out.contains("\n-    await qstash.publishJSON({ topic: \"jobs\", body: {} });\n+    await qstash.publishJSON({ urlGroup: \"jobs\", body: {} });\n"),
        "{out}"
    );
    assert!(!out.contains("https://"), "unsafe fixes wait: {out}");
    assert!(err.contains("would fix 1 finding (1 hidden fix"), "{err}");
    let (code, out, _) = run(r, &["--diff", "--unsafe-fixes"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("+    await qstash.publishJSON({ url: \"https://api.example.com/hook\" });"),
        "{out}"
    );
    assert_eq!(fs::read_to_string(r.join("a.ts")).expect("read"), MIXED);
    // Nothing to fix: no diff, exit 0 (the findings are not the point).
    write(r, "a.ts", "export const a = 1;\n");
    let (code, out, _) = run(r, &["--diff"]);
    assert_eq!(code, 0);
    assert!(out.is_empty(), "{out}");
}
