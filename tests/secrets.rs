//! Nothing secret in any output: secrets planted in every place a message,
//! help, related message or fingerprint input can quote source text never
//! come out of any format, the baseline or the language server; tokens
//! after a `/` are found; files that are not UTF-8 text are still scanned
//! for secrets, byte by byte.

mod disk;

use disk::{run, write};
use std::fs;
use std::path::Path;

/// A synthetic token of the real shape (base64 of a uuid and a 32-hex password).
const TOKEN: &str = "eyJVc2VySUQiOiI1ZDBjM2Y4ZS0yYTQxLTRiNmYtOWQ3ZS0xYzJiM2E0ZjVlNmQiLCJQYXNzd29yZCI6IjdlNGI5YzJhMWYwZDhlNmI1YTRjM2QyZTFmMGE5YjhjIn0=";
/// The same shape without padding, as a URL segment carries it.
const TOKEN_NOPAD: &str = "eyJVc2VySUQiOiJiMmMzZDRlNS1mNmE3LTRiOGMtOWQwZS0xZjJhM2I0YzVkNmUiLCJQYXNzd29yZCI6IjAwMTEyMjMzNDQ1NTY2Nzc4ODk5YWFiYmNjZGRlZWZmIn0";
const KEY: &str = "sig_4ZhJ9nqYQ2bP7vT6kL8mN3xW5cR1";
const KEY2: &str = "sig_8bKq3WzR7nTpYx2M5vJd9HcF4gLs";
/// A literal client token that has no known shape: flagged as a literal,
/// and redacted wherever a message quotes it.
const LITERAL: &str = "qs_live_8f7d6c5b4a39e2d1";

/// Pieces of each secret long enough to identify it: the whole, and the
/// part after the first six characters a redaction keeps.
fn pieces() -> Vec<String> {
    let mut out = Vec::new();
    for s in [TOKEN, TOKEN_NOPAD, KEY, KEY2, LITERAL] {
        out.push(s.to_string());
        out.push(s[6..s.len() - 2].to_string());
        out.push(s[6..16.min(s.len() - 2)].to_string());
    }
    out
}

fn assert_clean(what: &str, text: &str) {
    for p in pieces() {
        assert!(!text.contains(&p), "{what} leaks `{p}`:\n{text}");
    }
}

/// Secrets in every place that quotes source text: `delay`, `timeout` and
/// `cron` values, the callee of an unhandled publish, unknown rule names of
/// suppressions (next-line and file), a related location's message and a
/// destination's URL.
fn leaky_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "package.json", b"{}");
    write(
        root,
        "lib/url.ts",
        format!("export const BASE = \"https://jobs.example.com/{TOKEN_NOPAD}\";\n").as_bytes(),
    );
    let route = format!(
        r#"// qstash-lint-ignore-file {KEY2}
import {{ Client }} from "@upstash/qstash";
import {{ BASE }} from "../../../lib/url";
export async function POST() {{
  await new Client({{ token: "{TOKEN}" }}).publishJSON({{ url: "https://example.com/api/a", body: {{}}, delay: "{TOKEN}" }});
  await new Client({{ token: "{LITERAL}" }}).publishJSON({{ url: "https://example.com/api/a", body: {{}} }});
  const c = new Client({{ token: process.env.QSTASH_TOKEN! }});
  await c.schedules.create({{ destination: "https://example.com/api/a", cron: "{KEY}" }});
  await c.publishJSON({{ url: "https://example.com/api/a", body: {{}}, timeout: "{TOKEN}" }});
  // qstash-lint-ignore {TOKEN}
  await c.publishJSON({{ url: `${{BASE}}/x`, body: {{}}, delay: "{KEY}" }});
  // qstash-lint-ignore {KEY}, unknown-rule
  await c.publishJSON({{ url: "http://jobs.example.com/v2/{TOKEN_NOPAD}", body: {{}} }});
  return new Response("ok");
}}
"#
    );
    write(root, "app/api/send/route.ts", route.as_bytes());
    dir
}

#[test]
fn no_output_format_and_no_baseline_quotes_a_secret() {
    let dir = leaky_project();
    let root = dir.path();
    for format in ["pretty", "concise", "json", "sarif", "github"] {
        let (code, out, err) = run(root, &["--format", format, "--color", "never"]);
        assert_eq!(code, 1, "{format}: {out}{err}");
        assert!(out.contains("hardcoded-token"), "{format}: {out}");
        assert_clean(format, &out);
        assert_clean(&format!("{format} stderr"), &err);
    }
    let (_, out, _) = run(root, &["--format", "concise"]);
    // The findings that quote the values are still there, redacted.
    for rule in [
        "invalid-delay",
        "invalid-cron",
        "unhandled-publish",
        "unused-suppression",
    ] {
        assert!(out.contains(rule), "{rule}: {out}");
    }
    assert!(out.contains("eyJVc2"), "the start shows: {out}");
    let (_, _, _) = run(root, &["--write-baseline", "baseline.json"]);
    let baseline = fs::read_to_string(root.join("baseline.json")).expect("baseline");
    assert!(baseline.contains("hardcoded-token"), "{baseline}");
    assert_clean("baseline", &baseline);
    // The baseline still absorbs every finding it recorded.
    let (code, out, err) = run(root, &["--baseline", "baseline.json", "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn fingerprints_are_stable_across_runs_and_threads() {
    let dir = leaky_project();
    let (_, first, _) = run(dir.path(), &["--format", "sarif"]);
    let (_, second, _) = run(dir.path(), &["--format", "sarif", "--threads", "1"]);
    assert_eq!(first, second);
}

/// The `qstash-lint/v1` fingerprint of each result, by rule.
fn fingerprints(root: &Path) -> Vec<(String, String)> {
    let (_, out, _) = run(root, &["--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("sarif");
    let mut prints: Vec<(String, String)> = v["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap_or("").to_string(),
                r["partialFingerprints"]["qstash-lint/v1"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect();
    prints.sort();
    prints
}

/// A fingerprint is computed from the redacted line: two different tokens
/// that redact alike give the same fingerprint (the hidden part is not an
/// input), while any change to the visible text changes it.
#[test]
fn fingerprints_do_not_depend_on_the_hidden_part_of_a_secret() {
    const OTHER: &str = "eyJVc2VySUQiOiIzZjFjMmI3YS05ZDRlLTRjMWItOGE2Zi01ZTJkN2M5YjFhMDQiLCJQYXNzd29yZCI6IjlhOGI3YzZkNWU0ZjMwMjExMjAzZjRlNWQ2YzdiOGE5In0=";
    assert_eq!(
        (&TOKEN[..6], &TOKEN[TOKEN.len() - 2..]),
        (&OTHER[..6], &OTHER[OTHER.len() - 2..])
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let file =
        |token: &str, name: &str| format!("export const {name} = \"{token}\";\n").into_bytes();
    write(root, "a.ts", file(TOKEN, "t"));
    let first = fingerprints(root);
    assert_eq!(first.len(), 1);
    write(root, "a.ts", file(OTHER, "t"));
    assert_eq!(fingerprints(root), first);
    write(root, "a.ts", file(OTHER, "u"));
    assert_ne!(fingerprints(root), first);
}

#[test]
fn a_token_after_a_slash_is_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        "a.ts",
        format!(
            "export const u = \"https://host.example.com/{TOKEN_NOPAD}\";\nexport const r = () => fetch(\"/v2/publish/{TOKEN}\");\nexport const p = \"https://host.example.com/{TOKEN_NOPAD}/more/path\";\n"
        )
        .as_bytes(),
    );
    // Tricky negatives: the prefix inside a longer base64 run, and a
    // truncated token after a slash.
    write(
        root,
        "b.ts",
        format!(
            "export const blob = \"QUJD{TOKEN}\";\nexport const cut = \"https://h.example.com/{}\";\n",
            &TOKEN[..30]
        )
        .as_bytes(),
    );
    let (code, out, _) = run(root, &["--format", "concise"]);
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("hardcoded-token"))
        .collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("a.ts:1:44:"), "{out}");
    assert!(lines[1].starts_with("a.ts:2:43:"), "{out}");
    assert!(lines[2].starts_with("a.ts:3:44:"), "{out}");
    let (_, pretty, _) = run(root, &["--color", "never"]);
    assert_clean("pretty", &pretty);
    // The redaction stops where the token ends: the path after it shows.
    assert!(pretty.contains("/more/path"), "{pretty}");
}

#[test]
fn files_that_are_not_utf8_text_are_scanned_for_secrets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    // One Latin-1 byte.
    let mut latin1 = b"// caf\xe9\nexport const t = \"".to_vec();
    latin1.extend_from_slice(TOKEN.as_bytes());
    latin1.extend_from_slice(b"\";\n");
    write(root, "latin1.ts", &latin1);
    // A NUL in the first 8 KB.
    let mut binary = b"\0\0\x01x\nk = '".to_vec();
    binary.extend_from_slice(KEY.as_bytes());
    binary.extend_from_slice(b"'\n");
    write(root, "data.js", &binary);
    // UTF-16 LE with a BOM, and UTF-16 BE without one.
    let text16 = format!("// é\nconst token = \"{TOKEN}\";\n");
    let mut le = vec![0xff, 0xfe];
    le.extend(text16.encode_utf16().flat_map(u16::to_le_bytes));
    write(root, "utf16le.ts", &le);
    let text16be = format!("const k =\n  \"{KEY2}\";\n");
    let be: Vec<u8> = text16be.encode_utf16().flat_map(u16::to_be_bytes).collect();
    write(root, "utf16be.ts", &be);
    // Tricky negatives: binary and Latin-1 files without a secret, and a
    // dev token in a binary file.
    write(
        root,
        "clean.bin.js",
        b"\0\x01\x02 not a secret sig_abc \xff",
    );
    let mut dev = b"\0".to_vec();
    dev.extend_from_slice(
        b"eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0=",
    );
    write(root, "dev.js", &dev);
    write(
        root,
        "clean-latin1.ts",
        b"// na\xefve\nexport const a = 1;\n",
    );

    let (code, out, err) = run(root, &["--format", "json"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_clean("json", &out);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let mut found: Vec<(String, String, u64, u64)> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap_or("").to_string(),
                d["rule"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    found.sort();
    let expected = [
        ("data.js", "hardcoded-signing-key", 2, 6),
        ("latin1.ts", "hardcoded-token", 2, 19),
        ("utf16be.ts", "hardcoded-signing-key", 2, 4),
        ("utf16le.ts", "hardcoded-token", 2, 16),
    ];
    let expected: Vec<(String, String, u64, u64)> = expected
        .iter()
        .map(|(p, r, l, c)| (p.to_string(), r.to_string(), *l, *c))
        .collect();
    assert_eq!(found, expected, "{out}");
    // Every one of them keeps its notice: it was not linted as text.
    let notices = v["notices"].as_array().expect("notices");
    for path in [
        "data.js",
        "latin1.ts",
        "utf16be.ts",
        "utf16le.ts",
        "clean.bin.js",
        "clean-latin1.ts",
    ] {
        assert!(
            notices.iter().any(|n| n["path"] == path),
            "{path} has no notice: {out}"
        );
    }
    for format in ["pretty", "concise", "sarif", "github"] {
        let (_, out, err) = run(root, &["--format", format, "--color", "never"]);
        assert_clean(format, &out);
        assert_clean(format, &err);
    }
}

/// In a file scanned only for its secrets, suppressions of the secret rules
/// work and are judged; those of other rules cannot be (the file was not
/// linted), so they are not reported as unused.
#[test]
fn suppressions_in_files_scanned_only_for_secrets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let mut suppressed =
        b"// caf\xe9\n// qstash-lint-ignore hardcoded-token\nconst t = \"".to_vec();
    suppressed.extend_from_slice(TOKEN.as_bytes());
    suppressed.extend_from_slice(b"\";\n// qstash-lint-ignore floating-publish\nx();\n");
    write(root, "a.ts", &suppressed);
    let mut unused = b"\0// qstash-lint-ignore hardcoded-signing-key\nconst t = \"".to_vec();
    unused.extend_from_slice(TOKEN.as_bytes());
    unused.extend_from_slice(b"\";\n");
    write(root, "b.js", &unused);
    let (_, out, _) = run(root, &["--format", "concise"]);
    let lines: Vec<&str> = out.lines().filter(|l| l.contains(": ")).collect();
    assert_eq!(
        lines,
        [
            "b.js:1:5: warning [unused-suppression] suppression does not match any diagnostic",
            "b.js:2:12: error [hardcoded-token] QStash token in source code",
        ],
        "{out}"
    );
}

/// A config error quotes what the config says: a secret there is redacted
/// on stderr and in the SARIF document that reports the failed run.
#[test]
fn config_errors_do_not_quote_a_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        "qstash-lint.json",
        format!("{{\"rules\": {{\"{KEY}\": \"off\"}}}}\n").as_bytes(),
    );
    write(root, "a.ts", b"export const a = 1;\n");
    for format in ["pretty", "sarif"] {
        let (code, out, err) = run(root, &["--format", format]);
        assert_eq!(code, 2, "{out}{err}");
        assert!(err.contains("unknown rule"), "{err}");
        assert_clean(format, &out);
        assert_clean("stderr", &err);
    }
}
