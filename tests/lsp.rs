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
