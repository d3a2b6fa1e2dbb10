//! The config's JSON Schema (`schema/qstash-lint.schema.json`) against the
//! parser: the same keys, the same rules and levels; every config example of
//! the README and the fixtures, and what `qstash-lint init` writes, are
//! valid; JSONC (comments, trailing commas) is read.

use assert_cmd::Command;
use qstash_lint::config::{self, Config};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> Value {
    let text =
        std::fs::read_to_string(root().join("schema/qstash-lint.schema.json")).expect("schema");
    serde_json::from_str(&text).expect("the schema is JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft7::new(&schema()).expect("the schema compiles")
}

/// A JSONC config as the loader reads it.
fn value_of(text: &str) -> Value {
    serde_json::from_str(&config::strip_jsonc(text)).expect("JSONC parses")
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().expect("an object").keys().cloned().collect()
}

#[test]
fn the_schema_has_every_key_rule_and_level_of_the_parser() {
    let s = schema();
    let expected: BTreeSet<String> = config::KEYS.iter().map(|k| k.to_string()).collect();
    assert_eq!(keys(&s["properties"]), expected);
    let rules: BTreeSet<String> = qstash_lint::rules::RULES
        .iter()
        .map(|r| r.meta.id.to_string())
        .collect();
    assert_eq!(keys(&s["properties"]["rules"]["properties"]), rules);
    // Each level the schema allows is one the parser takes.
    for level in s["definitions"]["level"]["enum"]
        .as_array()
        .expect("levels")
    {
        let text = format!("{{\"rules\": {{\"invalid-cron\": {level}}}}}");
        assert!(
            Config::parse(Path::new("/p/qstash-lint.json"), &text).is_ok(),
            "{text}"
        );
    }
    // And the parser refuses what the schema refuses.
    let v = validator();
    for bad in [
        r#"{"rulez": {}}"#,
        r#"{"rules": {"no-such-rule": "off"}}"#,
        r#"{"rules": {"invalid-cron": "loud"}}"#,
        r#"{"include": "src/**"}"#,
    ] {
        assert!(!v.is_valid(&value_of(bad)), "schema takes {bad}");
        assert!(
            Config::parse(Path::new("/p/qstash-lint.json"), bad).is_err(),
            "parser takes {bad}"
        );
    }
}

/// The ```json blocks of the README's Configuration section.
fn readme_configs() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    let section = readme
        .split("\n## Configuration")
        .nth(1)
        .expect("a Configuration section");
    let section = section.split("\n## ").next().unwrap_or(section);
    let mut blocks = Vec::new();
    let mut rest = section;
    while let Some(start) = rest.find("```json") {
        let after = &rest[start..];
        let body_start = after.find('\n').map_or(after.len(), |i| i + 1);
        let body = &after[body_start..];
        let end = body.find("```").unwrap_or(body.len());
        blocks.push(body[..end].to_string());
        rest = &body[end..];
    }
    blocks
}

fn fixture_configs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() && p.file_name().is_some_and(|n| n != "node_modules") {
            fixture_configs(&p, out);
        } else if p.file_name().is_some_and(|n| n == config::FILE_NAME) {
            out.push(p);
        }
    }
}

#[test]
fn every_config_example_is_valid_against_the_schema() {
    let v = validator();
    let blocks = readme_configs();
    assert!(!blocks.is_empty(), "the README shows a config");
    let mut files = Vec::new();
    fixture_configs(&root().join("fixtures"), &mut files);
    files.sort();
    let examples = blocks
        .into_iter()
        .map(|b| ("README".to_string(), b))
        .chain(files.iter().map(|f| {
            (
                f.display().to_string(),
                std::fs::read_to_string(f).expect("read"),
            )
        }));
    for (from, text) in examples {
        let value = value_of(&text);
        let errors: Vec<String> = v.iter_errors(&value).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{from}: {errors:?}\n{text}");
        assert!(
            Config::parse(Path::new("/p/qstash-lint.json"), &text).is_ok(),
            "{from}"
        );
    }
}

#[test]
fn jsonc_comments_and_trailing_commas_are_read_and_errors_keep_their_place() {
    let text = "// the project's config\n{\n  /* rules */ \"rules\": { \"deprecated-api\": \"off\", },\n  \"exclude\": [\"legacy\", ], // old code\n  \"$schema\": \"./schema.json\",\n}\n";
    let c = Config::parse(Path::new("/p/qstash-lint.json"), text).expect("JSONC is read");
    assert_eq!(c.level("deprecated-api"), Some(config::Level::Off));
    assert!(!c.selects(Path::new("/p/legacy/a.ts")));
    // A comma inside a string is no trailing comma; `/*` inside one is no
    // comment.
    let text = "{\"exclude\": [\"gen/*\", \"a,]\"], \"include\": [\"*/**\"]}";
    let c = Config::parse(Path::new("/p/qstash-lint.json"), text).expect("strings stay");
    assert!(!c.selects(Path::new("/p/gen/x.ts")));
    assert!(!c.selects(Path::new("/p/a,]/x.ts")));
    assert!(c.selects(Path::new("/p/src/x.ts")));
    // Positions after a comment are still the file's own.
    let text = "{\n  // a comment with ünïcode\n  \"rulez\": {}\n}";
    let e = Config::parse(Path::new("/p/qstash-lint.json"), text).expect_err("unknown key");
    // serde_json points after the key, as it did before comments.
    assert_eq!((e.line, e.column), (3, 9), "{e}");
    let text = "{\n  /* a\n  b */ \"exclude\": [\"a/[\"]\n}";
    let e = Config::parse(Path::new("/p/qstash-lint.json"), text).expect_err("bad glob");
    assert_eq!(e.line, 3, "{e}");
    // A commented-out glob is not where the error points.
    let text = "{\n  // \"exclude\": [\"a/[\"],\n  \"exclude\": [\"a/[\"]\n}";
    let e = Config::parse(Path::new("/p/qstash-lint.json"), text).expect_err("bad glob");
    assert_eq!(e.line, 3, "{e}");
    // Still not JSON5: an unquoted key is an error.
    assert!(Config::parse(Path::new("/p/qstash-lint.json"), "{rules: {}}").is_err());
}

fn init(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("qstash-lint")
        .expect("binary")
        .arg("init")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn init_writes_a_commented_starter_config_and_never_overwrites() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    std::fs::write(r.join("a.ts"), "export const a = 1;\n").expect("write");
    let (code, err) = init(r, &[]);
    assert_eq!(code, 0, "{err}");
    let path = r.join(config::FILE_NAME);
    let text = std::fs::read_to_string(&path).expect("written");
    assert!(text.contains("//"), "commented: {text}");
    assert!(text.contains("\"$schema\""), "{text}");
    let errors: Vec<String> = validator()
        .iter_errors(&value_of(&text))
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // The loader takes it, and a check with it runs.
    Config::load(&path).expect("the loader accepts the starter config");
    let out = Command::cargo_bin("qstash-lint")
        .expect("binary")
        .arg("check")
        .current_dir(r)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    // A second init refuses; --force replaces.
    std::fs::write(&path, "{}\n").expect("write");
    let (code, err) = init(r, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "{}\n");
    let (code, err) = init(r, &["--force"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), text);
}
