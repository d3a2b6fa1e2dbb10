//! Inputs built to make the analysis exponential, quadratic or recursive
//! without bound (issue: "fast and bounded on real projects"): each is run
//! with `check` and `check --fix`, which must finish, exit 0 or 1, and still
//! report what the file plants where the file can be analysed.

use assert_cmd::Command;
use std::fs;
use std::path::Path;
use std::time::Duration;

const HEADER: &str = "import { Client } from \"@upstash/qstash\";\n\
const qstash = new Client({ token: process.env.QSTASH_TOKEN! });\n";

/// A fixable finding (`topic:` becomes `urlGroup:`) and an insecure
/// destination, planted in every input.
const PLANTED: &str = "export async function planted() {\n\
  try {\n\
    await qstash.publishJSON({ topic: \"jobs\", body: {} });\n\
    await qstash.publishJSON({ url: \"http://example.com/api/planted\", body: {} });\n\
  } catch (e) {\n\
    console.error(e);\n\
  }\n\
}\n";

fn project(name: &str, body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(dir.path().join(".git")).expect("mkdir");
    let path = dir.path().join("src").join(name);
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(&path, format!("{HEADER}{body}\n{PLANTED}")).expect("write");
    dir
}

/// Runs `check` (JSON) and then `check --fix`; returns the rules reported by
/// `check` and the notices' kinds.
fn check_and_fix(dir: &Path, file: &str) -> (Vec<String>, Vec<String>) {
    let out = Command::cargo_bin("qstash-lint")
        .expect("binary builds")
        .current_dir(dir)
        .args(["check", "--format", "json", "."])
        .timeout(Duration::from_secs(120))
        .output()
        .expect("runs");
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "{file}: check exited {code:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json output");
    let rules = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["rule"].as_str().map(str::to_string))
        .collect();
    let notices = json["notices"]
        .as_array()
        .map(|n| {
            n.iter()
                .filter_map(|n| n["kind"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let fix = Command::cargo_bin("qstash-lint")
        .expect("binary builds")
        .current_dir(dir)
        .args(["check", "--fix", "--format", "concise", "."])
        .timeout(Duration::from_secs(120))
        .output()
        .expect("runs");
    assert!(
        matches!(fix.status.code(), Some(0 | 1)),
        "{file}: check --fix exited {:?}: {}",
        fix.status.code(),
        String::from_utf8_lossy(&fix.stderr)
    );
    (rules, notices)
}

fn fixed(dir: &Path, file: &str) -> bool {
    fs::read_to_string(dir.join("src").join(file))
        .expect("read")
        .contains("urlGroup: \"jobs\"")
}

/// Shapes that used to be exponential or quadratic: each is analysed, the
/// planted findings are reported and fixed.
#[test]
fn feedback_and_recursion_are_analysed_in_bounded_time() {
    let cases: Vec<(&str, String)> = vec![
        (
            "self-feeding.ts",
            format!(
                "function helper(c: any) {{ return c }}\nexport async function run() {{\n  let x: any = null;\n{}  await x.publishJSON({{ url: \"https://example.com/a\", body: {{}} }});\n}}\n",
                "  x = helper(x) ?? x;\n".repeat(6)
            ),
        ),
        (
            "cause-chains.ts",
            "export function a(e: any) { let err = e; while (err) { err = err.cause } return err }\n\
             export function b(e: any) { let err = e; while (err) { err = err.cause } return err }\n"
                .to_string(),
        ),
        (
            "recursive.ts",
            format!(
                "export function u(n: number): string {{\n  if (n <= 0) return \"https://example.com/api/x\";\n  if (n % 2) return u(n - 1) + \"/a\";\n  return u(n - 2) + \"/b\";\n}}\n\
                 export function f(n: number): string {{ if (n) return f(n - 1); return f(n + 1); }}\n\
                 {}function h60(): string {{ return \"https://example.com/api/y\" }}\n\
                 export async function run() {{ try {{ await qstash.publishJSON({{ url: h0() + u(3), body: {{}} }}) }} catch {{}} }}\n",
                (0..60)
                    .map(|i| format!("function h{i}(): string {{ return h{}() + h{}() }}\n", i + 1, i + 1))
                    .collect::<String>()
            ),
        ),
        (
            "template.ts",
            format!(
                "declare const p: string[];\nexport const u = `https://example.com/{}`;\n",
                (0..10_000)
                    .map(|i| format!("${{p[{i}]}}/${{\n''}}"))
                    .collect::<String>()
            ),
        ),
        (
            // A secret check whose operand names consts that each name the
            // one before four times: followed once each, not 4^60 times.
            "app/api/gate/route.ts",
            format!(
                "export async function POST(req: Request) {{\n  const a0 = req.headers.get(\"x-key\");\n{}  if (a60 === process.env.KEY || req.headers.has(\"x-other\")) return new Response(\"ok\");\n  return new Response(\"no\", {{ status: 401 }});\n}}\n",
                (1..=60)
                    .map(|i| format!("  const a{i} = a{0} + a{0} + a{0} + a{0};\n", i - 1))
                    .collect::<String>()
            ),
        ),
        (
            "functions.ts",
            (0..5_000)
                .map(|i| {
                    format!("export function f{i}() {{ const url = `https://example.com/api/{i}`; return url }}\n")
                })
                .collect(),
        ),
    ];
    for (file, body) in cases {
        let dir = project(file, &body);
        let (rules, notices) = check_and_fix(dir.path(), file);
        assert!(notices.is_empty(), "{file}: {notices:?}");
        assert!(
            rules.iter().any(|r| r == "insecure-http-destination"),
            "{file}: {rules:?}"
        );
        assert!(fixed(dir.path(), file), "{file}: --fix did not apply");
    }
}

/// Nesting deeper than the analysis goes: a notice, never a crash, and
/// `--fix` (which re-parses its result) survives it too.
#[test]
fn nesting_without_brackets_gives_a_notice() {
    let cases: Vec<(&str, String)> = vec![
        (
            "calls.ts",
            format!("export const v = a{};\n", "()\n".repeat(100_000)),
        ),
        (
            "jsx.tsx",
            format!(
                "export const X = () => (\n{}x{});\n",
                "<div>\n".repeat(20_000),
                "</div>\n".repeat(20_000)
            ),
        ),
        (
            "whiles.ts",
            format!(
                "export function w(c: boolean) {{\n{};\n}}\n",
                "while (c)\n".repeat(20_000)
            ),
        ),
        (
            "classes.ts",
            format!(
                "class C0 {{}}\nexport const K = {}C0 {{}}{};\n",
                "class extends\n".repeat(12_000),
                " {}\n".repeat(12_000)
            ),
        ),
        (
            "assign.ts",
            format!("let a: any;\na = {}0;\n", "a =\n".repeat(20_000)),
        ),
        (
            "ternary.ts",
            format!(
                "declare const c: boolean;\nexport const v = {}0;\n",
                "c ? 1 :\n".repeat(20_000)
            ),
        ),
    ];
    for (file, body) in cases {
        let dir = project(file, &body);
        let (rules, notices) = check_and_fix(dir.path(), file);
        assert_eq!(notices, ["too-deep"], "{file}: {rules:?}");
    }
}

/// `--fix` keeps a fix only when the file still parses; it re-parses on a
/// thread with a large stack, so 3,000 nested parentheses (which overflowed
/// the main thread) are fixed like any file.
#[test]
fn fix_reparses_deep_files_off_the_main_stack() {
    let body = format!(
        "export const v = {}1{};\n",
        "(\n".repeat(3_000),
        ")\n".repeat(3_000)
    );
    let dir = project("parens.ts", &body);
    let (rules, notices) = check_and_fix(dir.path(), "parens.ts");
    assert!(notices.is_empty(), "{notices:?}");
    assert!(rules.iter().any(|r| r == "deprecated-api"), "{rules:?}");
    assert!(fixed(dir.path(), "parens.ts"));
}
