//! The SARIF output is what GitHub code scanning takes as it is: valid
//! against the SARIF 2.1.0 schema, within GitHub's documented limits, with
//! stable fingerprints, and free of secrets.

mod disk;

use assert_cmd::Command;
use disk::write;
use serde_json::Value;
use std::path::Path;

/// A synthetic token of the real shape (base64 of a uuid and a 32-hex password).
const TOKEN: &str = "eyJVc2VySUQiOiI1ZDBjM2Y4ZS0yYTQxLTRiNmYtOWQ3ZS0xYzJiM2E0ZjVlNmQiLCJQYXNzd29yZCI6IjdlNGI5YzJhMWYwZDhlNmI1YTRjM2QyZTFmMGE5YjhjIn0=";
const KEY: &str = "sig_4ZhJ9nqYQ2bP7vT6kL8mN3xW5cR1";

const SEND: &str = r#"import { Client, Receiver } from "@upstash/qstash";
const qstash = new Client({ token: process.env.QSTASH_TOKEN });
const leaked = "TOKEN";
export const receiver = new Receiver({ currentSigningKey: "KEY", nextSigningKey: "KEY" });
export async function send() {
  await qstash.publishJSON({ topic: "jobs", body: { a: 1 } });
  await qstash.schedules.create({ destination: "http://x.example.com/a", cron: "61 * * * *" });
}
"#;

/// A project with errors, warnings, secrets, a parse error and a path that
/// needs escaping in a URI.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let send = SEND.replace("TOKEN", TOKEN).replace("KEY", KEY);
    write(dir.path(), "src/send.ts", &send);
    write(dir.path(), "src/with space.ts", &send);
    write(
        dir.path(),
        "src/broken.ts",
        "import { Client } from \"@upstash/qstash\";\nconst = ;\n",
    );
    write(dir.path(), "src/clean.ts", "export const x = 1;\n");
    dir
}

fn sarif(dir: &Path) -> (String, Value) {
    let out = Command::cargo_bin("qstash-lint")
        .expect("binary builds")
        .args(["check", "--format", "sarif"])
        .current_dir(dir)
        .output()
        .expect("runs");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let v = serde_json::from_str(&text).expect("sarif parses");
    (text, v)
}

fn results(v: &Value) -> &Vec<Value> {
    v["runs"][0]["results"].as_array().expect("results")
}

#[test]
fn the_schema_file_is_sarif_2_1_0() {
    let schema: Value =
        serde_json::from_str(include_str!("sarif-schema-2.1.0.json")).expect("json");
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    );
    assert_eq!(schema["properties"]["version"]["enum"][0], "2.1.0");
}

#[test]
fn output_validates_against_the_sarif_schema() {
    let schema: Value =
        serde_json::from_str(include_str!("sarif-schema-2.1.0.json")).expect("json");
    let validator = jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles");
    let dir = project();
    let (_, v) = sarif(dir.path());
    assert!(!results(&v).is_empty());
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The validator does reject what is not SARIF.
    let mut bad = v.clone();
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&bad));
    // And an empty run validates too.
    let empty = tempfile::tempdir().expect("tempdir");
    write(empty.path(), "a.ts", "export const x = 1;\n");
    let (_, v) = sarif(empty.path());
    assert_eq!(results(&v).len(), 0);
    assert!(validator.is_valid(&v));
}

#[test]
fn github_limits_and_required_fields() {
    let dir = project();
    let (_, v) = sarif(dir.path());
    assert_eq!(v["runs"].as_array().expect("runs").len(), 1);
    let run = &v["runs"][0];
    assert_eq!(run["automationDetails"]["id"], "qstash-lint/");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "qstash-lint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
    assert!(driver["informationUri"]
        .as_str()
        .expect("informationUri")
        .starts_with("https://"));
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);

    let rules = driver["rules"].as_array().expect("rules");
    assert!(rules.len() <= 25_000);
    // Off by default and silent: not listed.
    assert!(!rules.iter().any(|r| r["id"] == "verify-without-url"));
    for r in rules {
        let id = r["id"].as_str().expect("id");
        assert!(r["shortDescription"]["text"].is_string(), "{id}");
        let full = r["fullDescription"]["text"]
            .as_str()
            .expect("fullDescription");
        assert!(!full.is_empty() && full.chars().count() <= 1024, "{id}");
        assert!(r["help"]["text"].is_string() && r["help"]["markdown"].is_string());
        assert_eq!(
            r["helpUri"],
            format!("https://github.com/qstash-lint/qstash-lint/blob/main/rules/{id}.md")
        );
        assert!(["error", "warning", "note"]
            .contains(&r["defaultConfiguration"]["level"].as_str().expect("level")));
        let props = &r["properties"];
        let tags = props["tags"].as_array().expect("tags");
        assert!(tags.len() <= 20, "{id}");
        assert!(tags.iter().any(|t| t == "qstash"), "{id}");
        assert!(["high", "medium"].contains(&props["precision"].as_str().expect("precision")));
        match &props["security-severity"] {
            Value::Null => {
                let p = props["problem.severity"]
                    .as_str()
                    .expect("problem.severity");
                assert!(["error", "warning", "recommendation"].contains(&p), "{id}");
            }
            Value::String(s) => {
                let f: f64 = s.parse().expect("a float");
                assert!((0.0..=10.0).contains(&f), "{id}: {s}");
                assert!(tags.iter().any(|t| t == "security"), "{id}");
            }
            other => panic!("{id}: security-severity must be a string, got {other}"),
        }
    }
    let token = rules
        .iter()
        .find(|r| r["id"] == "hardcoded-token")
        .expect("hardcoded-token listed");
    assert!(token["properties"]["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .any(|t| t == "external/cwe/cwe-798"));

    let results = results(&v);
    assert!(results.len() <= 25_000);
    assert!(results.iter().any(|r| r["ruleId"] == "parse-error"));
    for r in results {
        let idx = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().expect("level")));
        let locations = r["locations"].as_array().expect("locations");
        assert_eq!(locations.len(), 1);
        let all = locations
            .iter()
            .chain(r["relatedLocations"].as_array().into_iter().flatten());
        for loc in all {
            let art = &loc["physicalLocation"]["artifactLocation"];
            let uri = art["uri"].as_str().expect("uri");
            assert!(
                !uri.starts_with('/') && !uri.contains("://") && !uri.contains(' '),
                "{uri}"
            );
            assert!(uri.starts_with("src/"), "{uri}");
            assert_eq!(art["uriBaseId"], "%SRCROOT%");
            assert!(loc["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .is_some());
        }
        for (k, rel) in r["relatedLocations"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            assert_eq!(rel["id"], k as u64 + 1);
            assert!(rel["message"]["text"].is_string());
        }
        let fp = &r["partialFingerprints"];
        assert!(fp["primaryLocationLineHash"].is_string(), "{r}");
        assert!(fp["qstash-lint/v1"].is_string(), "{r}");
    }
    assert!(results.iter().any(
        |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "src/with%20space.ts"
    ));
}

#[test]
fn rules_that_report_are_listed_even_when_off_by_default() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "qstash-lint.json",
        r#"{"rules": {"verify-without-url": "note"}}"#,
    );
    write(
        dir.path(),
        "app/api/hook/route.ts",
        r#"import { Receiver } from "@upstash/qstash";
const receiver = new Receiver();
export async function POST(req: Request) {
  const body = await req.text();
  await receiver.verify({ signature: req.headers.get("upstash-signature")!, body });
  return new Response("ok");
}
"#,
    );
    let (_, v) = sarif(dir.path());
    let rules = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let r = results(&v)
        .iter()
        .find(|r| r["ruleId"] == "verify-without-url")
        .expect("verify-without-url reports");
    let idx = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
    assert_eq!(rules[idx]["id"], "verify-without-url");
    assert_eq!(r["level"], "note");
}

fn rule_ids(v: &Value) -> Vec<String> {
    v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn the_rule_list_follows_the_config() {
    // Defaults: every rule on by default, none that is off by default.
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "src/clean.ts", "export const x = 1;\n");
    let (_, v) = sarif(dir.path());
    let defaults = rule_ids(&v);
    assert!(defaults
        .iter()
        .any(|r| r == "missing-signature-verification"));
    assert!(defaults.iter().any(|r| r == "insecure-http-destination"));
    assert!(!defaults.iter().any(|r| r == "verify-without-url"));

    // A rule turned on is listed though nothing reports it; one turned off
    // is not.
    write(
        dir.path(),
        "qstash-lint.json",
        r#"{"rules": {"verify-without-url": "warn", "insecure-http-destination": "off"}}"#,
    );
    let (_, v) = sarif(dir.path());
    let configured = rule_ids(&v);
    assert!(results(&v).is_empty());
    assert!(configured.iter().any(|r| r == "verify-without-url"));
    assert!(!configured.iter().any(|r| r == "insecure-http-destination"));
    assert_eq!(configured.len(), defaults.len());
}

/// The fingerprints of each result, by rule id and occurrence.
fn fingerprints(v: &Value, key: &str) -> Vec<(String, String)> {
    results(v)
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().expect("ruleId").to_string(),
                r["partialFingerprints"][key]
                    .as_str()
                    .expect("fingerprint")
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn fingerprints_survive_lines_inserted_above() {
    let dir = tempfile::tempdir().expect("tempdir");
    let send = SEND.replace("TOKEN", TOKEN).replace("KEY", KEY);
    write(dir.path(), "src/send.ts", &send);
    let (_, before) = sarif(dir.path());
    let lines_before: Vec<u64> = results(&before)
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
        })
        .collect();
    write(
        dir.path(),
        "src/send.ts",
        format!("// a comment\n\nexport const unrelated = 42;\n{send}"),
    );
    let (_, after) = sarif(dir.path());
    let lines_after: Vec<u64> = results(&after)
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(lines_before.len(), lines_after.len());
    assert!(lines_before
        .iter()
        .zip(&lines_after)
        .all(|(b, a)| a - b == 3));
    let ours = fingerprints(&before, "qstash-lint/v1");
    assert_eq!(ours, fingerprints(&after, "qstash-lint/v1"));
    // Two results of one rule on one line get different fingerprints.
    let mut seen = std::collections::HashSet::new();
    assert!(ours.iter().all(|f| seen.insert(f)), "{ours:?}");
    // GitHub's hash only looks at the text from the line on, so it is
    // stable too.
    assert_eq!(
        fingerprints(&before, "primaryLocationLineHash"),
        fingerprints(&after, "primaryLocationLineHash")
    );
}

#[test]
fn primary_location_line_hash_is_githubs() {
    // Worked out by hand: the line-3 window is the whitespace-free text from
    // line 3 on (`exportconstp=c.publishJSON({topic:"t",body:1});\n`), the
    // end-of-file mark 65535 and zeros up to 100 units; its hash is
    // sum(u_k * 37^(99-k)) mod 2^64.
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "a.ts",
        "import { Client } from \"@upstash/qstash\";\nconst c = new Client();\nexport const p = c.publishJSON({ topic: \"t\", body: 1 });\n",
    );
    let (_, v) = sarif(dir.path());
    let r = results(&v)
        .iter()
        .find(|r| r["ruleId"] == "deprecated-api")
        .expect("deprecated-api");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    assert_eq!(
        r["partialFingerprints"]["primaryLocationLineHash"],
        "1df96038d7aa74db:1"
    );
}

#[test]
fn no_secret_appears_in_the_sarif() {
    let dir = project();
    let (text, v) = sarif(dir.path());
    assert!(results(&v).iter().any(|r| r["ruleId"] == "hardcoded-token"));
    assert!(results(&v)
        .iter()
        .any(|r| r["ruleId"] == "hardcoded-signing-key"));
    for secret in [TOKEN, KEY] {
        assert!(!text.contains(secret), "secret in the SARIF");
        // Not even the redacted middle.
        let middle = &secret[8..secret.len() - 4];
        assert!(!text.contains(middle), "part of a secret in the SARIF");
    }
    assert!(!text.contains("snippet"));
}

/// SARIF1001: a rule's `name` must differ from its `id`; it is the id in
/// PascalCase.
#[test]
fn rule_names_are_pascal_case_and_differ_from_ids() {
    let dir = project();
    let (_, v) = sarif(dir.path());
    let rules = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert!(!rules.is_empty());
    for r in rules {
        let (id, name) = (
            r["id"].as_str().expect("id"),
            r["name"].as_str().expect("name"),
        );
        assert_ne!(id, name);
        assert!(
            name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && name.chars().all(|c| c.is_ascii_alphanumeric()),
            "{name}"
        );
        assert_eq!(name.to_ascii_lowercase(), id.replace('-', ""), "{name}");
    }
    assert!(rules
        .iter()
        .any(|r| r["id"] == "hardcoded-token" && r["name"] == "HardcodedToken"));
}
