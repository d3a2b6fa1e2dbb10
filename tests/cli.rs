//! The command line: every format, every exit code, `--output`, config
//! errors, determinism across thread counts, bad input, and redaction.

mod disk;

use assert_cmd::Command;
use disk::{run, write};
use std::fs;

/// A synthetic token of the real shape (base64 of a uuid and a 32-hex password).
const TOKEN: &str = "eyJVc2VySUQiOiI1ZDBjM2Y4ZS0yYTQxLTRiNmYtOWQ3ZS0xYzJiM2E0ZjVlNmQiLCJQYXNzd29yZCI6IjdlNGI5YzJhMWYwZDhlNmI1YTRjM2QyZTFmMGE5YjhjIn0=";
const KEY: &str = "sig_4ZhJ9nqYQ2bP7vT6kL8mN3xW5cR1";

fn bin() -> Command {
    Command::cargo_bin("qstash-lint").expect("binary builds")
}

/// A project with an error, a warning and secrets.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "src/send.ts",
        format!(
            r#"import {{ Client, Receiver }} from "@upstash/qstash";
const qstash = new Client({{ token: process.env.QSTASH_TOKEN }});
const leaked = "{TOKEN}";
export const receiver = new Receiver({{ currentSigningKey: "{KEY}", nextSigningKey: "{KEY}" }});
export async function send() {{
  await qstash.publishJSON({{ topic: "jobs", body: {{ a: 1 }} }});
  await qstash.schedules.create({{ destination: "https://x.example.com/a", cron: "61 * * * *" }});
}}
"#
        ),
    );
    write(dir.path(), "src/clean.ts", "export const x = 1;\n");
    dir
}

fn warnings_only() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "a.ts",
        r#"import { Client } from "@upstash/qstash";
const c = new Client();
export const p = c.publishJSON({ topic: "t", body: 1 });
"#,
    );
    dir
}

#[test]
fn pretty_is_the_default_and_shows_rule_snippet_and_help() {
    let dir = project();
    let (code, out, _) = run(dir.path(), &["--color", "never"]);
    assert_eq!(code, 1);
    assert!(out.contains("invalid-cron"), "{out}");
    assert!(out.contains("src/send.ts:7:"), "{out}");
    assert!(out.contains("help:"), "{out}");
    assert!(out.contains("cron: \"61 * * * *\""), "snippet shown: {out}");
    assert!(out.contains("Found "), "{out}");
}

#[test]
fn concise_lines() {
    let dir = project();
    let (code, out, _) = run(dir.path(), &["--format", "concise"]);
    assert_eq!(code, 1);
    assert!(
        out.lines()
            .any(|l| l.starts_with("src/send.ts:7:") && l.contains(": error [invalid-cron] ")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.contains(": warning [deprecated-api] ")),
        "{out}"
    );
}

#[test]
fn json_has_the_versioned_shape() {
    let dir = project();
    let (code, out, _) = run(dir.path(), &["--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json parses");
    assert_eq!(v["version"], 1);
    assert_eq!(v["files"], 2);
    let diags = v["diagnostics"].as_array().expect("array");
    assert!(!diags.is_empty());
    for d in diags {
        for key in [
            "rule",
            "severity",
            "path",
            "line",
            "column",
            "endLine",
            "endColumn",
            "message",
            "related",
        ] {
            assert!(d.get(key).is_some(), "missing {key} in {d}");
        }
        assert_eq!(d["path"], "src/send.ts");
    }
}

#[test]
fn sarif_is_2_1_0_with_rules_and_results() {
    let dir = project();
    let (code, out, _) = run(dir.path(), &["--format", "sarif"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("sarif parses");
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules.iter().any(|r| r["id"] == "hardcoded-token"));
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        let idx = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "src/send.ts");
        assert!(loc["region"]["startLine"].as_u64().is_some());
        assert!(r["partialFingerprints"]["primaryLocationLineHash"].is_string());
    }
}

#[test]
fn github_workflow_commands() {
    let dir = project();
    let (code, out, _) = run(dir.path(), &["--format", "github"]);
    assert_eq!(code, 1);
    let line = out
        .lines()
        .find(|l| l.contains("invalid-cron"))
        .expect("a command for invalid-cron");
    assert!(
        line.starts_with("::error file=src/send.ts,line=7,col="),
        "{line}"
    );
    assert!(line.contains(",endLine=7,endColumn="), "{line}");
    assert!(
        line.contains("title=qstash-lint (invalid-cron)::"),
        "{line}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("::warning ") && l.contains("deprecated-api")),
        "{out}"
    );
}

#[test]
fn secrets_are_redacted_in_every_format() {
    let dir = project();
    for format in ["pretty", "concise", "json", "sarif", "github"] {
        let (_, out, err) = run(dir.path(), &["--format", format, "--color", "never"]);
        assert!(
            out.contains("hardcoded") || format == "concise" || format == "pretty",
            "{format}: {out}"
        );
        assert!(
            !out.contains(TOKEN) && !err.contains(TOKEN),
            "{format} leaks the token"
        );
        assert!(
            !out.contains(KEY) && !err.contains(KEY),
            "{format} leaks the key"
        );
        // Not even a long piece of them.
        assert!(!out.contains(&TOKEN[..20]), "{format} leaks a token prefix");
        assert!(!out.contains(&KEY[..12]), "{format} leaks a key prefix");
    }
    let (_, out, _) = run(dir.path(), &["--format", "pretty", "--color", "never"]);
    assert!(
        out.contains("eyJVc2"),
        "the first characters stay for recognition: {out}"
    );
}

#[test]
fn exit_codes() {
    let clean = tempfile::tempdir().expect("tempdir");
    write(clean.path(), "a.ts", "export const a = 1;\n");
    assert_eq!(run(clean.path(), &[]).0, 0);

    let dir = project();
    assert_eq!(run(dir.path(), &[]).0, 1);
    assert_eq!(run(dir.path(), &["--exit-zero"]).0, 0);

    let warn = warnings_only();
    assert_eq!(run(warn.path(), &[]).0, 0, "warnings alone pass");
    assert_eq!(run(warn.path(), &["--max-warnings", "0"]).0, 1);
    assert_eq!(run(warn.path(), &["--max-warnings", "1"]).0, 0);
    let (code, out, _) = run(warn.path(), &["--quiet", "--format", "concise"]);
    assert_eq!(code, 0);
    assert!(out.is_empty(), "--quiet drops warnings: {out}");

    assert_eq!(run(dir.path(), &["does-not-exist"]).0, 2);
    assert_eq!(run(dir.path(), &["--format", "xml"]).0, 2);
    assert_eq!(
        bin()
            .arg("frobnicate")
            .output()
            .expect("runs")
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn output_file_is_written_whole() {
    let dir = project();
    let (code, stdout, _) = run(dir.path(), &["--format", "json"]);
    let target = dir.path().join("report.json");
    let (code2, out2, _) = run(dir.path(), &["--format", "json", "--output", "report.json"]);
    assert_eq!((code, code2), (1, 1));
    assert!(out2.is_empty(), "nothing on stdout with --output");
    assert_eq!(fs::read_to_string(&target).expect("report written"), stdout);
    // No temporary files are left beside it.
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
    // An unwritable destination is an I/O error.
    assert_eq!(
        run(dir.path(), &["--output", "no/such/dir/report.json"]).0,
        2
    );
}

#[test]
fn config_errors_name_file_key_and_line_and_exit_2() {
    let dir = project();
    write(
        dir.path(),
        "qstash-lint.json",
        "{\n  \"rules\": {\n    \"no-such-rule\": \"error\"\n  }\n}\n",
    );
    let (code, _, err) = run(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("qstash-lint.json:3:"), "{err}");
    assert!(err.contains("no-such-rule"), "{err}");

    write(dir.path(), "qstash-lint.json", "{\n  \"exclud\": []\n}\n");
    let (code, _, err) = run(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("qstash-lint.json:2:") && err.contains("\"exclud\""),
        "{err}"
    );

    write(
        dir.path(),
        "qstash-lint.json",
        "{ \"rules\": { \"invalid-cron\": \"loud\" } }",
    );
    let (code, _, err) = run(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("invalid-cron") || err.contains("loud"),
        "{err}"
    );

    write(dir.path(), "qstash-lint.json", "{ not json");
    assert_eq!(run(dir.path(), &[]).0, 2);
}

#[test]
fn config_levels_excludes_and_override() {
    let dir = project();
    write(
        dir.path(),
        "qstash-lint.json",
        r#"{ "rules": { "invalid-cron": "off", "deprecated-api": "error" } }"#,
    );
    let (_, out, _) = run(dir.path(), &["--format", "concise"]);
    assert!(!out.contains("invalid-cron"), "{out}");
    assert!(out.contains("error [deprecated-api]"), "{out}");

    write(
        dir.path(),
        "qstash-lint.json",
        r#"{ "exclude": ["src/send.ts"] }"#,
    );
    let (code, out, _) = run(dir.path(), &["--format", "concise"]);
    assert_eq!(code, 0, "{out}");
    // Excludes apply to files named on the command line too.
    let (code, _, _) = run(dir.path(), &["src/send.ts"]);
    assert_eq!(code, 0);

    write(
        dir.path(),
        "other.json",
        r#"{ "rules": { "hardcoded-token": "warn" } }"#,
    );
    let (_, out, _) = run(
        dir.path(),
        &["--config", "other.json", "--format", "concise"],
    );
    assert!(out.contains("warning [hardcoded-token]"), "{out}");
}

/// A root config's `include` leaves a folder out, but a config nested in
/// that folder governs it: its files are linted all the same (they are read
/// after the walk, not while it runs), and the root's other files are not.
#[test]
fn a_nested_config_takes_back_what_the_root_config_leaves_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = "import { Client } from \"@upstash/qstash\";\nnew Client().schedules.create({ cron: \"* * * * *\" });\n";
    write(dir.path(), ".git/HEAD", "ref: refs/heads/main\n");
    write(
        dir.path(),
        "qstash-lint.json",
        r#"{ "include": ["src/**"] }"#,
    );
    write(dir.path(), "src/a.ts", bad);
    write(dir.path(), "lib/b.ts", bad);
    write(dir.path(), "other/qstash-lint.json", "{}");
    write(dir.path(), "other/c.ts", bad);
    for threads in ["1", "2"] {
        let (code, out, _) = run(dir.path(), &["--format", "concise", "--threads", threads]);
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("src/a.ts"), "{out}");
        assert!(out.contains("other/c.ts"), "{out}");
        assert!(!out.contains("lib/b.ts"), "{out}");
    }
}

#[test]
fn gitignored_and_dependency_files_are_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = "import { Client } from \"@upstash/qstash\";\nnew Client().schedules.create({ cron: \"* * * * *\" });\n";
    write(dir.path(), ".gitignore", "generated/\n");
    write(dir.path(), "generated/a.ts", bad);
    write(dir.path(), "node_modules/pkg/a.ts", bad);
    write(dir.path(), "types.d.ts", bad);
    write(dir.path(), "vendor.min.js", bad);
    write(dir.path(), "notes.md", bad);
    let (code, out, _) = run(dir.path(), &["--format", "concise"]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = run(dir.path(), &["--format", "concise", "--no-ignore"]);
    assert_eq!(code, 1, "--no-ignore lints gitignored files: {out}");
    assert!(
        out.contains("generated/a.ts") && !out.contains("node_modules"),
        "{out}"
    );
}

#[test]
fn json_and_sarif_are_identical_across_thread_counts() {
    let dir = tempfile::tempdir().expect("tempdir");
    for i in 0..40 {
        write(
            dir.path(),
            &format!("src/m{i}/send.ts"),
            format!(
                "import {{ Client }} from \"@upstash/qstash\";\nconst c = new Client();\nexport const f = () => c.schedules.create({{ destination: \"http://h{i}.example.com\", cron: \"{i} 99 * * *\" }});\n"
            ),
        );
    }
    for format in ["json", "sarif"] {
        let one = run(dir.path(), &["--format", format, "--threads", "1"]).1;
        let four = run(dir.path(), &["--format", format, "--threads", "4"]).1;
        assert_eq!(one, four, "{format} differs between 1 and 4 threads");
        assert!(one.contains("h39.example.com"));
    }
}

#[test]
fn bad_input_is_reported_and_the_rest_is_still_linted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        "syntax.ts",
        "import { Client } from \"@upstash/qstash\";\nconst x = ;\n",
    );
    fs::write(
        root.join("latin1.ts"),
        b"// qstash caf\xe9\nexport const a = 1;\n",
    )
    .expect("write");
    write(root, "empty.ts", "");
    // A 5 MB minified bundle that mentions QStash.
    let mut bundle = String::from("var qstash=1;");
    while bundle.len() < 5 * 1024 * 1024 {
        bundle.push_str("function a(b){return b&&b.c?b.d:(b.e||0)+1};var z={k:[1,2,3],q:\"x\"};");
    }
    write(root, "bundle.js", &bundle);
    // 5,000 nested expressions.
    let deep = format!(
        "import {{ Client }} from \"@upstash/qstash\";\nexport const v = {}1{};\n",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    write(root, "deep.ts", &deep);
    let deep_calls = format!(
        "// qstash\nexport const w = {}0{};\n",
        "f(".repeat(5000),
        ")".repeat(5000)
    );
    write(root, "deep-calls.ts", &deep_calls);
    write(
        root,
        "good.ts",
        "import { Client } from \"@upstash/qstash\";\nnew Client().schedules.create({ destination: \"https://a.example.com\", cron: \"bad\" });\n",
    );
    let (code, out, _) = run(root, &["--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let diags = v["diagnostics"].as_array().expect("diagnostics");
    let notices = v["notices"].as_array().expect("notices");
    let has_diag =
        |path: &str, rule: &str| diags.iter().any(|d| d["path"] == path && d["rule"] == rule);
    let has_notice = |path: &str| notices.iter().any(|n| n["path"] == path);
    assert!(has_diag("syntax.ts", "parse-error"), "{out}");
    assert!(has_diag("good.ts", "invalid-cron"), "{out}");
    assert!(has_notice("latin1.ts"), "{out}");
    assert!(has_notice("empty.ts"), "{out}");
    assert!(has_notice("bundle.js"), "{out}");
    // The deep files are linted (no diagnostic expected) without a crash.
    assert!(
        !has_notice("deep.ts") && !has_diag("deep.ts", "parse-error"),
        "{out}"
    );
    assert!(!has_diag("deep-calls.ts", "parse-error"), "{out}");
    assert_eq!(v["files"], 7);
}

#[test]
fn rules_and_explain() {
    let out = bin().arg("rules").output().expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for id in [
        "hardcoded-token",
        "invalid-cron",
        "parse-error",
        "unused-suppression",
    ] {
        assert!(text.contains(id), "{text}");
    }
    let out = bin()
        .args(["explain", "invalid-cron"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("# `invalid-cron`"));
    assert_eq!(
        bin()
            .args(["explain", "nope"])
            .output()
            .expect("runs")
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn suppressions_work_from_the_cli() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "a.ts",
        "import { Client } from \"@upstash/qstash\";\nconst c = new Client();\n// qstash-lint-ignore invalid-cron -- known\nc.schedules.create({ destination: \"https://a.example.com\", cron: \"bad\" }).catch(() => {});\n// qstash-lint-ignore no-such-rule\nexport {};\n",
    );
    let (code, out, _) = run(dir.path(), &["--format", "concise"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("invalid-cron"), "{out}");
    assert!(
        out.contains(
            "a.ts:5:4: warning [unused-suppression] suppression names unknown rule `no-such-rule`"
        ),
        "{out}"
    );
}

#[test]
fn stdin_filename_lints_the_buffer_with_project_context() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "lib/qstash.ts",
        "import { Client } from \"@upstash/qstash\";\nexport const qstash = new Client();\n",
    );
    write(dir.path(), "package.json", "{}");
    // The file on disk is clean; the unsaved buffer is not.
    write(dir.path(), "app/send.ts", "export const x = 1;\n");
    let buffer = "import { qstash } from \"../lib/qstash\";\nexport const go = () => qstash.schedules.create({ destination: \"https://a.example.com\", cron: \"61 * * * *\" });\n";
    let out = bin()
        .args([
            "check",
            "--format",
            "concise",
            "--stdin-filename",
            "app/send.ts",
        ])
        .current_dir(dir.path())
        .write_stdin(buffer)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("app/send.ts:2:") && text.contains("[invalid-cron]"),
        "{text}"
    );
    // A buffer for a file that does not exist yet works too.
    let out = bin()
        .args([
            "check",
            "--format",
            "concise",
            "--stdin-filename",
            "app/new.ts",
        ])
        .current_dir(dir.path())
        .write_stdin(buffer)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn named_files_of_other_types_are_skipped_and_the_run_succeeds() {
    let dir = project();
    write(dir.path(), "README.md", "# hi\n");
    let (code, out, _) = run(
        dir.path(),
        &["--force-exclude", "README.md", "--format", "concise"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.is_empty(), "{out}");
}

#[test]
fn baselines_report_only_new_findings_and_survive_moving_lines() {
    let dir = project();
    let r = dir.path();
    let (code, _, err) = run(r, &["--write-baseline", "qstash-lint-baseline.json"]);
    assert_eq!(code, 0, "{err}");
    let text = fs::read_to_string(r.join("qstash-lint-baseline.json")).expect("written");
    assert!(
        !text.contains(TOKEN) && !text.contains(KEY),
        "no secret in the baseline"
    );
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert!(v["findings"].as_array().is_some_and(|f| !f.is_empty()));
    // Everything known: nothing to report.
    let (code, out, _) = run(
        r,
        &[
            "--baseline",
            "qstash-lint-baseline.json",
            "--format",
            "concise",
        ],
    );
    assert_eq!((code, out.as_str()), (0, ""));
    // Lines inserted above keep the findings known; a new finding is reported.
    let send = fs::read_to_string(r.join("src/send.ts")).expect("read");
    let moved = send.replacen("const qstash", "// a comment\n// another\nconst qstash", 1).replace(
        "export async function send() {",
        "export async function send() {\n  await qstash.schedules.create({ destination: \"https://y.example.com/b\", cron: \"* * * * * *\" });",
    );
    fs::write(r.join("src/send.ts"), moved).expect("write");
    let (code, out, _) = run(
        r,
        &[
            "--baseline",
            "qstash-lint-baseline.json",
            "--format",
            "concise",
        ],
    );
    assert_eq!(code, 1, "{out}");
    // Only the new line's findings: its bad cron and its unhandled send.
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines.iter().all(|l| l.starts_with("src/send.ts:8:")),
        "{out}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("[invalid-cron]") && l.contains("found 6")),
        "{out}"
    );
    assert!(
        lines.iter().any(|l| l.contains("[unhandled-publish]")),
        "{out}"
    );
    // A broken baseline is an error.
    fs::write(r.join("bad.json"), "{ nope").expect("write");
    assert_eq!(run(r, &["--baseline", "bad.json"]).0, 2);
}

#[test]
fn fixes_are_applied_safe_first_and_never_break_the_parse() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    let original = "import { Client, Receiver } from \"@upstash/qstash\";\nconst qstash = new Client();\nexport const receiver = new Receiver({ currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY });\n// qstash-lint-ignore invalid-cron\nexport async function send() {\n  try {\n    await qstash.publishJSON({ topic: \"jobs\", body: {} });\n    await qstash.publishJSON({ url: \"http://api.example.com/hook\" });\n    const groups = qstash.topics;\n    return groups;\n  } catch {\n    return null;\n  }\n}\nexport async function fire() {\n  qstash.publishJSON({ url: \"https://api.example.com/hook\" });\n}\n";
    write(r, "a.ts", original);
    // Safe fixes only: the deprecated names and the unused suppression.
    let (_, _, err) = run(r, &["--fix", "--format", "concise"]);
    let fixed = fs::read_to_string(r.join("a.ts")).expect("read");
    assert!(
        fixed.contains("urlGroup: \"jobs\"") && fixed.contains("qstash.urlGroups"),
        "{fixed}\n{err}"
    );
    assert!(!fixed.contains("qstash-lint-ignore"), "{fixed}");
    assert!(
        fixed.contains("http://api.example.com") && !fixed.contains("nextSigningKey"),
        "unsafe fixes wait: {fixed}"
    );
    // Unsafe fixes too: https, the second key, and `await` for the floating send.
    let (code, out, _) = run(r, &["--fix", "--unsafe-fixes", "--format", "concise"]);
    let fixed = fs::read_to_string(r.join("a.ts")).expect("read");
    assert!(
        fixed.contains("https://api.example.com/hook\" });\n    const"),
        "{fixed}"
    );
    assert!(
        fixed.contains("nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY"),
        "{fixed}"
    );
    assert!(
        fixed.contains("  await qstash.publishJSON({ url: \"https://api.example.com/hook\" });\n}"),
        "{fixed}"
    );
    assert!(qstash_lint::parse::parse(std::path::Path::new("a.ts"), &fixed).is_ok());
    // What is left: the unhandled send in `fire`.
    assert_eq!(code, 1, "{out}");
    assert!(
        out.lines().all(|l| l.contains("[unhandled-publish]")),
        "{out}"
    );
    // A fix that would not parse is dropped: `await` outside an async function.
    write(r, "b.ts", "import { Client } from \"@upstash/qstash\";\nconst qstash = new Client();\nexport function fire() {\n  qstash.publishJSON({ url: \"https://api.example.com/hook\" });\n}\n");
    let before = fs::read_to_string(r.join("b.ts")).expect("read");
    run(r, &["--fix", "--unsafe-fixes", "b.ts"]);
    assert_eq!(fs::read_to_string(r.join("b.ts")).expect("read"), before);
}

#[test]
fn a_config_error_still_gives_code_scanning_a_sarif_document() {
    let dir = project();
    write(dir.path(), "qstash-lint.json", "{ \"rulez\": {} }");
    let (code, out, err) = run(dir.path(), &["--format", "sarif"]);
    assert_eq!(code, 2, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("sarif");
    let inv = &v["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let note = inv["toolConfigurationNotifications"][0]["message"]["text"]
        .as_str()
        .unwrap_or("");
    assert!(
        note.contains("qstash-lint.json") && note.contains("rulez"),
        "{note}"
    );
    assert_eq!(v["runs"][0]["results"].as_array().map(Vec::len), Some(0));
}

#[test]
fn the_parsed_body_fix_uses_the_raw_text_in_scope() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(
        r,
        "app/api/hook/route.ts",
        "import { Receiver } from \"@upstash/qstash\";\nconst receiver = new Receiver();\nexport async function POST(req: Request) {\n  const raw = await req.text();\n  const data = JSON.parse(raw);\n  await receiver.verify({ signature: req.headers.get(\"upstash-signature\") ?? \"\", body: JSON.stringify(data) });\n  return Response.json(data);\n}\n",
    );
    let (_, before, _) = run(r, &["--format", "concise"]);
    assert!(before.contains("[verify-parsed-body]"), "{before}");
    run(r, &["--fix", "--unsafe-fixes"]);
    let fixed = fs::read_to_string(r.join("app/api/hook/route.ts")).expect("read");
    assert!(fixed.contains("body: raw })"), "{fixed}");
    let (code, after, _) = run(r, &["--format", "concise"]);
    assert_eq!(code, 0, "{after}");
}

/// Files parsed only because they register routes (they may hold a handler
/// a publish targets) report neither syntax errors nor size notices: their
/// syntax is not QStash's business. Files that mention QStash do.
#[test]
fn route_only_files_report_no_parse_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(
        r,
        "server.ts",
        "import express from \"express\";\nconst app = express();\napp.post(\"/x\", (req, res) => { res.send( });\n",
    );
    write(
        r,
        "bundle.js",
        format!(
            "const express=require(\"express\");const app=express();app.use(\"/a\",x);{}\n",
            "var a=1;".repeat(40_000)
        ),
    );
    write(
        r,
        "send.ts",
        "import { Client } from \"@upstash/qstash\";\nconst = ;\n",
    );
    let (_, out, _) = run(r, &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let rules: Vec<(String, String)> = v["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap_or("").to_string(),
                d["rule"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(rules, [("send.ts".to_string(), "parse-error".to_string())]);
    assert!(
        v["notices"].as_array().expect("notices").is_empty(),
        "{}",
        v["notices"]
    );
}

#[test]
fn a_path_spelled_with_dot_dot_links_the_same_project() {
    // Imports resolve to clean paths; the files walked under `src/../src`
    // must be the same files, or the send's client is never linked.
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "src/lib/qstash.ts",
        "import { Client } from \"@upstash/qstash\";\nexport const qstash = new Client({ token: process.env.QSTASH_TOKEN! });\n",
    );
    write(
        dir.path(),
        "src/jobs.ts",
        "import { qstash } from \"./lib/qstash\";\nexport async function send() {\n  await qstash.publishJSON({ url: \"https://x.example.com/a\", body: {} });\n}\n",
    );
    let (_, plain, _) = run(dir.path(), &["src", "--format", "concise"]);
    assert!(plain.contains("unhandled-publish"), "{plain}");
    for spelled in ["src/../src", "./src/./", "src/lib/.."] {
        let (_, out, _) = run(dir.path(), &[spelled, "--format", "concise"]);
        assert_eq!(out, plain, "{spelled}");
    }
}
