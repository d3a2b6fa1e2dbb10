//! Drives `qstash-lint lsp` over stdio with real LSP messages: initialize,
//! didOpen, didChange, didSave, codeAction, shutdown, exit.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

struct Server {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    messages: mpsc::Receiver<Value>,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qstash-lint"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("server starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; len];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                if let Ok(v) = serde_json::from_slice(&body) {
                    if tx.send(v).is_err() {
                        return;
                    }
                }
            }
        });
        Server {
            child,
            stdin,
            messages,
        }
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    /// The next message that `pred` accepts (others are skipped).
    fn wait(&self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match self.messages.recv_timeout(left) {
                Ok(v) if pred(&v) => return v,
                Ok(_) => continue,
                Err(_) => break,
            }
        }
        panic!("no {what} from the server");
    }

    fn diagnostics_for(&self, uri: &str) -> Vec<Value> {
        let v = self.wait("publishDiagnostics", |v| {
            v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == uri
        });
        v["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

fn codes(diags: &[Value]) -> Vec<String> {
    let mut c: Vec<String> = diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect();
    c.sort();
    c
}

#[test]
fn the_server_publishes_diagnostics_and_code_actions() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("package.json"), "{}").expect("write");
    let file = dir.path().join("send.ts");
    let bad = "import { Client } from \"@upstash/qstash\";\nconst qstash = new Client();\nexport const go = () =>\n  qstash.publishJSON({ topic: \"jobs\", body: {} }).catch(() => null);\nexport const s = () => qstash.schedules.create({ destination: \"https://a.example.com\", cron: \"61 * * * *\" });\n";
    std::fs::write(&file, bad).expect("write");
    let uri = format!("file://{}", file.display());

    let mut server = Server::start();
    server.send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}, "processId": null, "rootUri": null}}));
    let init = server.wait("initialize response", |v| v["id"] == 1);
    assert!(
        init["result"]["capabilities"]["codeActionProvider"].is_object(),
        "{init}"
    );
    server.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));

    server.send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "typescript", "version": 1, "text": bad}}}));
    let diags = server.diagnostics_for(&uri);
    assert_eq!(codes(&diags), ["deprecated-api", "invalid-cron"]);
    let topic = diags
        .iter()
        .find(|d| d["code"] == "deprecated-api")
        .expect("deprecated-api");
    assert_eq!(topic["range"]["start"], json!({"line": 3, "character": 23}));
    assert_eq!(topic["source"], "qstash-lint");

    server.send(json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/codeAction", "params": {
        "textDocument": {"uri": uri}, "range": topic["range"], "context": {"diagnostics": [topic]}}}));
    let actions = server.wait("codeAction response", |v| v["id"] == 2)["result"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
    assert!(titles.iter().any(|t| t.contains("urlGroup")), "{titles:?}");
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Ignore deprecated-api")),
        "{titles:?}"
    );
    let rename = actions
        .iter()
        .find(|a| a["title"].as_str().is_some_and(|t| t.contains("urlGroup")))
        .expect("rename");
    assert_eq!(rename["edit"]["changes"][&uri][0]["newText"], "urlGroup");

    server.send(json!({"jsonrpc": "2.0", "id": 3, "method": "textDocument/codeAction", "params": {
        "textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
        "context": {"diagnostics": [], "only": ["source.fixAll.qstash-lint"]}}}));
    let fix_all = server.wait("fixAll response", |v| v["id"] == 3)["result"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(fix_all.len(), 1, "{fix_all:?}");
    assert_eq!(fix_all[0]["kind"], "source.fixAll.qstash-lint");

    // Fixing the buffer clears the diagnostics (after the debounce).
    let fixed = bad.replace("topic", "urlGroup").replace("61 *", "1 *");
    server.send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}}),
    );
    assert!(server.diagnostics_for(&uri).is_empty());

    server.send(json!({"jsonrpc": "2.0", "method": "textDocument/didSave", "params": {"textDocument": {"uri": uri}, "text": bad}}));
    assert_eq!(
        codes(&server.diagnostics_for(&uri)),
        ["deprecated-api", "invalid-cron"]
    );

    server.send(json!({"jsonrpc": "2.0", "id": 4, "method": "shutdown", "params": null}));
    server.wait("shutdown response", |v| v["id"] == 4);
    server.send(json!({"jsonrpc": "2.0", "method": "exit", "params": null}));
    let status = server.child.wait().expect("exits");
    assert!(status.success());
}

/// Writes the files of a small Next.js project: a route that never verifies
/// and, in another file, the publish that targets it.
fn next_project(dir: &std::path::Path) {
    std::fs::create_dir_all(dir.join(".git")).expect("mkdir");
    std::fs::create_dir_all(dir.join("app/api/hook")).expect("mkdir");
    std::fs::create_dir_all(dir.join("lib")).expect("mkdir");
    std::fs::write(
        dir.join("package.json"),
        r#"{"dependencies":{"next":"15.0.0","@upstash/qstash":"2.0.0"}}"#,
    )
    .expect("write");
    std::fs::write(dir.join("app/api/hook/route.ts"), ROUTE).expect("write");
    std::fs::write(dir.join("lib/jobs.ts"), jobs("/api/hook")).expect("write");
}

const ROUTE: &str = "export async function POST(req: Request) {\n  const body = await req.json();\n  return Response.json(body);\n}\n";

fn jobs(path: &str) -> String {
    format!(
        "import {{ Client }} from \"@upstash/qstash\";\nconst qstash = new Client({{ token: process.env.QSTASH_TOKEN! }});\nexport async function enqueue() {{\n  try {{\n    await qstash.publishJSON({{ url: \"https://example.com{path}\", body: {{}} }});\n  }} catch (e) {{\n    console.error(e);\n  }}\n}}\n"
    )
}

fn uri_of(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

fn watched(server: &mut Server, path: &std::path::Path, kind: u8) {
    server.send(
        json!({"jsonrpc": "2.0", "method": "workspace/didChangeWatchedFiles", "params": {
        "changes": [{"uri": uri_of(path), "type": kind}]}}),
    );
}

#[test]
fn the_project_context_is_held_in_memory_and_refreshed_per_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().canonicalize().expect("canonical");
    next_project(&root);
    let route = root.join("app/api/hook/route.ts");
    let jobs_file = root.join("lib/jobs.ts");
    let route_uri = uri_of(&route);

    let mut server = Server::start();
    server.send(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "capabilities": {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}},
        "processId": null, "rootUri": uri_of(&root)}}),
    );
    server.wait("initialize response", |v| v["id"] == 1);
    server.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    // The server asks to watch the files that make up the project.
    let register = server.wait("registerCapability", |v| {
        v["method"] == "client/registerCapability"
    });
    let registration = &register["params"]["registrations"][0];
    assert_eq!(registration["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = registration["registerOptions"]["watchers"]
        .as_array()
        .expect("watchers")
        .iter()
        .filter_map(|w| w["globPattern"].as_str())
        .collect();
    assert!(globs.iter().any(|g| g.contains("tsx")), "{globs:?}");
    assert!(
        globs.iter().any(|g| g.contains("qstash-lint.json")),
        "{globs:?}"
    );
    server.send(json!({"jsonrpc": "2.0", "id": register["id"], "result": null}));

    // The route never mentions QStash: the publish in another file is what
    // makes it a receiver.
    server.send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": route_uri, "languageId": "typescript", "version": 1, "text": ROUTE}}}),
    );
    let diags = server.diagnostics_for(&route_uri);
    assert_eq!(codes(&diags), ["missing-signature-verification"]);

    // The publish moves elsewhere, and the client's watcher says so.
    std::fs::write(&jobs_file, jobs("/api/other")).expect("write");
    watched(&mut server, &jobs_file, 2);
    assert!(server.diagnostics_for(&route_uri).is_empty());

    // The context is memory, not a fresh read per keystroke: a change on
    // disk that nobody reported is not seen by the next lint ...
    std::fs::write(&jobs_file, jobs("/api/hook")).expect("write");
    let edited = format!("{ROUTE}// edited\n");
    server.send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": route_uri, "version": 2}, "contentChanges": [{"text": edited}]}}),
    );
    assert!(server.diagnostics_for(&route_uri).is_empty());
    // ... and is once it is reported.
    watched(&mut server, &jobs_file, 2);
    assert_eq!(
        codes(&server.diagnostics_for(&route_uri)),
        ["missing-signature-verification"]
    );

    // The edited buffer, not the file on disk, is what gets linted.
    let verified = "import { verifySignatureAppRouter } from \"@upstash/qstash/nextjs\";\nexport const POST = verifySignatureAppRouter(async (req: Request) => {\n  const body = await req.json();\n  return Response.json(body);\n});\n";
    server.send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": route_uri, "version": 3}, "contentChanges": [{"text": verified}]}}),
    );
    assert!(server.diagnostics_for(&route_uri).is_empty());
    server.send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": route_uri, "version": 4}, "contentChanges": [{"text": ROUTE}]}}),
    );
    assert_eq!(
        codes(&server.diagnostics_for(&route_uri)),
        ["missing-signature-verification"]
    );

    // A file deleted and another created: the project is loaded afresh.
    std::fs::remove_file(&jobs_file).expect("remove");
    watched(&mut server, &jobs_file, 3);
    assert!(server.diagnostics_for(&route_uri).is_empty());
    let created = root.join("lib/queue.ts");
    std::fs::write(&created, jobs("/api/hook")).expect("write");
    watched(&mut server, &created, 1);
    assert_eq!(
        codes(&server.diagnostics_for(&route_uri)),
        ["missing-signature-verification"]
    );

    // A config saved beside the project turns the rule off.
    let config = root.join("qstash-lint.json");
    std::fs::write(
        &config,
        r#"{"rules": {"missing-signature-verification": "off"}}"#,
    )
    .expect("write");
    watched(&mut server, &config, 1);
    assert!(server.diagnostics_for(&route_uri).is_empty());

    server.send(json!({"jsonrpc": "2.0", "id": 9, "method": "shutdown", "params": null}));
    server.wait("shutdown response", |v| v["id"] == 9);
    server.send(json!({"jsonrpc": "2.0", "method": "exit", "params": null}));
    assert!(server.child.wait().expect("exits").success());
}

/// The parts of the editor protocol beyond the diagnostics themselves:
/// related locations as `relatedInformation`, a link to each rule's doc,
/// no secret in any message, and a broken config shown to the user (a
/// diagnostic on the config file and a `window/showMessage`), cleared once
/// it is fixed.
#[test]
fn related_locations_doc_links_redaction_and_config_errors_reach_the_editor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().canonicalize().expect("canonical");
    next_project(&root);
    let route = root.join("app/api/hook/route.ts");
    let route_uri = uri_of(&route);
    let jobs_uri = uri_of(&root.join("lib/jobs.ts"));

    let mut server = Server::start();
    server.send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}, "processId": null, "rootUri": uri_of(&root)}}));
    server.wait("initialize response", |v| v["id"] == 1);
    server.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    server.send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": route_uri, "languageId": "typescript", "version": 1, "text": ROUTE}}}),
    );
    let diags = server.diagnostics_for(&route_uri);
    assert_eq!(codes(&diags), ["missing-signature-verification"]);
    let d = &diags[0];
    assert_eq!(
        d["codeDescription"]["href"],
        "https://github.com/qstash-lint/qstash-lint/blob/main/rules/missing-signature-verification.md"
    );
    let related = d["relatedInformation"]
        .as_array()
        .expect("relatedInformation");
    assert_eq!(related.len(), 1, "{d}");
    assert_eq!(related[0]["location"]["uri"], jobs_uri.as_str());
    // The publish is on line 5 (0-based 4) of lib/jobs.ts.
    assert_eq!(related[0]["location"]["range"]["start"]["line"], 4, "{d}");
    assert!(related[0]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));

    // A secret the buffer quotes in a message is redacted.
    const TOKEN: &str = "eyJVc2VySUQiOiI1ZDBjM2Y4ZS0yYTQxLTRiNmYtOWQ3ZS0xYzJiM2E0ZjVlNmQiLCJQYXNzd29yZCI6IjdlNGI5YzJhMWYwZDhlNmI1YTRjM2QyZTFmMGE5YjhjIn0=";
    let leaky = format!("import {{ Client }} from \"@upstash/qstash\";\nconst c = new Client({{ token: process.env.QSTASH_TOKEN! }});\nexport async function POST() {{\n  await c.publishJSON({{ url: \"https://example.com/api/hook\", body: {{}}, delay: \"{TOKEN}\" }});\n  // qstash-lint-ignore {TOKEN}\n  return new Response(\"ok\");\n}}\n");
    server.send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": route_uri, "version": 2}, "contentChanges": [{"text": leaky}]}}),
    );
    let diags = server.diagnostics_for(&route_uri);
    let all = serde_json::to_string(&diags).expect("json");
    assert!(
        all.contains("invalid-delay") && all.contains("unused-suppression"),
        "{all}"
    );
    assert!(!all.contains(&TOKEN[6..20]), "{all}");

    // A broken config: shown, and a diagnostic on the config file.
    let config = root.join("qstash-lint.json");
    std::fs::write(
        &config,
        "{\n  \"rules\": {\n    \"no-such-rule\": \"off\"\n  }\n}\n",
    )
    .expect("write");
    let config_uri = uri_of(&config);
    watched(&mut server, &config, 1);
    let shown = server.wait("showMessage", |v| v["method"] == "window/showMessage");
    assert_eq!(shown["params"]["type"], 1);
    assert!(
        shown["params"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("no-such-rule")),
        "{shown}"
    );
    let on_config = server.diagnostics_for(&config_uri);
    assert_eq!(on_config.len(), 1, "{on_config:?}");
    assert_eq!(on_config[0]["range"]["start"]["line"], 2, "{on_config:?}");
    assert_eq!(on_config[0]["severity"], 1);

    // Fixed: the config's diagnostic is cleared.
    std::fs::write(&config, "{}\n").expect("write");
    watched(&mut server, &config, 2);
    assert!(server.diagnostics_for(&config_uri).is_empty());

    // A config error that quotes a secret shows it redacted.
    const KEY: &str = "sig_4ZhJ9nqYQ2bP7vT6kL8mN3xW5cR1";
    std::fs::write(&config, format!("{{\"rules\": {{\"{KEY}\": \"off\"}}}}\n")).expect("write");
    watched(&mut server, &config, 2);
    let shown = server.wait("showMessage", |v| v["method"] == "window/showMessage");
    let on_config = server.diagnostics_for(&config_uri);
    let all = format!("{shown}{on_config:?}");
    assert!(
        all.contains("sig_4Z") && !all.contains(&KEY[6..20]),
        "{all}"
    );

    server.send(json!({"jsonrpc": "2.0", "id": 9, "method": "shutdown", "params": null}));
    server.wait("shutdown response", |v| v["id"] == 9);
    server.send(json!({"jsonrpc": "2.0", "method": "exit", "params": null}));
    assert!(server.child.wait().expect("exits").success());
}
