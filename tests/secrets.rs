//! Nothing secret in any output: secrets planted in every place a message,
//! help, related message or fingerprint input can quote source text never
//! come out of any format, the baseline or the language server; tokens
//! after a `/` are found; files that are not UTF-8 text are still scanned
//! for secrets, byte by byte.

use assert_cmd::Command;
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

fn bin() -> Command {
    Command::cargo_bin("qstash-lint").expect("binary builds")
}

fn write(root: &Path, rel: &str, text: &[u8]) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    fs::write(p, text).expect("write");
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = bin()
        .arg("check")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

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
