//! `qstash-lint lsp`: a language server over stdio for lint-on-save.
//!
//! Diagnostics are published on open, on change (debounced) and on save,
//! each time with the file's project context, which is held in memory
//! ([`Session`]) and refreshed file by file: on save, and on the changes
//! the client's file watcher reports. Code actions offer the rule's fix,
//! "ignore this line", and `source.fixAll.qstash-lint` with safe fixes.
//! Each diagnostic links its rule's doc (`codeDescription`) and carries its
//! related locations (`relatedInformation`); a config file that does not
//! load is shown (`window/showMessage`) and gets a diagnostic of its own.

use crate::config::ConfigError;
use crate::diagnostic::{Applicability, Diagnostic as Diag, LineIndex, Severity, Span};
use crate::engine::session::Session;
use crate::engine::{Outcome, RunError};
use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, RegisterCapability, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeDescription, Diagnostic, DiagnosticRelatedInformation,
    DiagnosticSeverity, DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern,
    Location, NumberOrString, Position, PublishDiagnosticsParams, Range, Registration,
    RegistrationParams, SaveOptions, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, TextEdit, Url,
    WorkspaceEdit,
};
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long a document must be quiet after a change before it is linted.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// The source-action kind for applying every safe fix.
const FIX_ALL: &str = "source.fixAll.qstash-lint";

/// One open document.
struct Document {
    text: String,
    /// The diagnostics last published for it.
    diagnostics: Vec<Diag>,
    /// The same, as published (code actions name them).
    published: Vec<Diagnostic>,
    /// A change not linted yet, and when it came.
    dirty: Option<Instant>,
}

/// The server's state between messages.
struct Server {
    connection: Connection,
    docs: HashMap<Url, Document>,
    /// Project context, loaded on first use and refreshed file by file.
    session: Session,
    /// Config files that failed to load, with the error shown for each:
    /// shown once, not on every keystroke, and cleared when a lint under
    /// them succeeds.
    config_errors: HashMap<Url, String>,
}

/// Runs the server until the client says `exit`.
pub fn run() -> Result<(), String> {
    let (connection, io) = Connection::stdio();
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(true),
                })),
                ..Default::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, CodeActionKind::new(FIX_ALL)]),
            ..Default::default()
        })),
        ..Default::default()
    };
    let caps = serde_json::to_value(capabilities).map_err(|e| e.to_string())?;
    let init = connection.initialize(caps).map_err(|e| e.to_string())?;
    let mut server = Server {
        connection,
        docs: HashMap::new(),
        session: Session::new(None).map_err(|e| e.to_string())?,
        config_errors: HashMap::new(),
    };
    if client_can_watch(&init) {
        server.watch_files();
    }
    server.serve()?;
    drop(server);
    io.join().map_err(|e| e.to_string())
}

/// Whether the client lets the server register file watchers.
fn client_can_watch(init: &serde_json::Value) -> bool {
    init.pointer("/capabilities/workspace/didChangeWatchedFiles/dynamicRegistration")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
}

impl Server {
    fn serve(&mut self) -> Result<(), String> {
        loop {
            match self
                .connection
                .receiver
                .recv_timeout(Duration::from_millis(50))
            {
                Ok(Message::Request(req)) => {
                    if self
                        .connection
                        .handle_shutdown(&req)
                        .map_err(|e| e.to_string())?
                    {
                        return Ok(());
                    }
                    handle_request(&self.connection, &self.docs, req);
                }
                Ok(Message::Notification(n)) => {
                    if n.method == "exit" {
                        return Ok(());
                    }
                    self.handle_notification(n);
                }
                Ok(Message::Response(_)) => {}
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return Ok(()),
            }
            let due: Vec<Url> = self
                .docs
                .iter()
                .filter(|(_, d)| d.dirty.is_some_and(|t| t.elapsed() >= DEBOUNCE))
                .map(|(u, _)| u.clone())
                .collect();
            for uri in due {
                self.lint_and_publish(&uri);
            }
        }
    }

    /// Asks the client to report changes to source files and to the files
    /// that shape a project, so that the context held in memory follows
    /// edits made outside the editor (a `git checkout`, a generator).
    fn watch_files(&self) {
        let watchers = [
            "**/*.{js,jsx,ts,tsx,mjs,cjs,mts,cts,svelte,vue,astro}",
            "**/qstash-lint.json",
            "**/package.json",
            "**/pnpm-workspace.yaml",
            "**/{tsconfig,jsconfig}*.json",
            "**/{.gitignore,.ignore}",
        ]
        .iter()
        .map(|g| FileSystemWatcher {
            glob_pattern: GlobPattern::String(g.to_string()),
            kind: None,
        })
        .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "qstash-lint/watched-files".into(),
                method: DidChangeWatchedFiles::METHOD.into(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        let request = Request::new(
            "qstash-lint/register-watchers".to_string().into(),
            RegisterCapability::METHOD.into(),
            params,
        );
        let _ = self.connection.sender.send(Message::Request(request));
    }

    fn handle_notification(&mut self, n: Notification) {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params)
                else {
                    return;
                };
                let uri = p.text_document.uri;
                self.docs.insert(
                    uri.clone(),
                    Document {
                        text: p.text_document.text,
                        diagnostics: Vec::new(),
                        published: Vec::new(),
                        dirty: None,
                    },
                );
                self.lint_and_publish(&uri);
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params)
                else {
                    return;
                };
                if let (Some(doc), Some(change)) = (
                    self.docs.get_mut(&p.text_document.uri),
                    p.content_changes.into_iter().last(),
                ) {
                    doc.text = change.text;
                    doc.dirty = Some(Instant::now());
                }
            }
            DidSaveTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidSaveTextDocumentParams>(n.params)
                else {
                    return;
                };
                let uri = p.text_document.uri;
                if let (Some(doc), Some(text)) = (self.docs.get_mut(&uri), p.text) {
                    doc.text = text;
                }
                if let Ok(path) = uri.to_file_path() {
                    self.session.changed(&path);
                }
                // A saved file can change other files' diagnostics: a
                // destination, a verifier, a config.
                self.relint_all();
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params)
                else {
                    return;
                };
                self.docs.remove(&p.text_document.uri);
                publish(&self.connection, p.text_document.uri, Vec::new());
            }
            DidChangeWatchedFiles::METHOD => {
                match serde_json::from_value::<lsp_types::DidChangeWatchedFilesParams>(n.params) {
                    Ok(p) => {
                        for change in p.changes {
                            if let Ok(path) = change.uri.to_file_path() {
                                self.session.changed(&path);
                            }
                        }
                    }
                    Err(_) => self.session.clear(),
                }
                self.relint_all();
            }
            _ => {}
        }
    }

    fn relint_all(&mut self) {
        let mut uris: Vec<Url> = self.docs.keys().cloned().collect();
        uris.sort();
        for uri in uris {
            self.lint_and_publish(&uri);
        }
    }

    fn lint_and_publish(&mut self, uri: &Url) {
        let Some(doc) = self.docs.get_mut(uri) else {
            return;
        };
        doc.dirty = None;
        let Ok(path) = uri.to_file_path() else { return };
        // The session reports only the file it is given.
        let outcome = match self.session.lint(&path, &doc.text) {
            Ok(outcome) => outcome,
            Err(RunError::Config(e)) => {
                let shown = config_error(&self.connection, &mut self.config_errors, &e);
                // The broken config itself, open in the editor, shows its
                // error; any other file has nothing to show until it loads.
                doc.diagnostics = Vec::new();
                doc.published = shown
                    .filter(|(u, _)| u == uri)
                    .map(|(_, d)| d)
                    .into_iter()
                    .collect();
                publish(&self.connection, uri.clone(), doc.published.clone());
                return;
            }
            Err(e) => {
                log(&self.connection, &format!("qstash-lint: {e}"));
                Outcome::default()
            }
        };
        // A config above this file loads again: its error is gone.
        let fixed: Vec<Url> = self
            .config_errors
            .keys()
            .filter(|u| {
                u.to_file_path()
                    .ok()
                    .and_then(|c| c.parent().map(|d| path.starts_with(d)))
                    .unwrap_or(false)
            })
            .cloned()
            .collect();
        for u in fixed {
            self.config_errors.remove(&u);
            if &u != uri {
                publish(&self.connection, u, Vec::new());
            }
        }
        let root = crate::project::project_root(&path);
        let index = LineIndex::new(&doc.text);
        let published: Vec<Diagnostic> = outcome
            .diagnostics
            .iter()
            .map(|d| {
                let mut lsp = to_lsp(d, &doc.text, &index);
                lsp.related_information = related(d, &doc.text, &index, &outcome, &root);
                lsp
            })
            .collect();
        doc.diagnostics = outcome.diagnostics;
        doc.published = published.clone();
        publish(&self.connection, uri.clone(), published);
    }
}

/// Reports a config that does not load: a diagnostic on the config file at
/// the error's position and, the first time this error is seen, a message
/// the user sees (not only the log). Returns the config's URI and its
/// diagnostic.
fn config_error(
    connection: &Connection,
    shown: &mut HashMap<Url, String>,
    e: &ConfigError,
) -> Option<(Url, Diagnostic)> {
    // A config error quotes the config's text, which may hold a secret.
    let redactor = crate::redact::Redactor::new(Vec::new());
    let text = redactor.text(&e.to_string());
    log(connection, &format!("qstash-lint: invalid config: {text}"));
    let uri = Url::from_file_path(&e.path).ok()?;
    let at = Position {
        line: e.line.saturating_sub(1) as u32,
        character: e.column.saturating_sub(1) as u32,
    };
    let diagnostic = Diagnostic {
        range: Range { start: at, end: at },
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some("qstash-lint".into()),
        message: format!("invalid config: {}", redactor.text(&e.message)),
        ..Default::default()
    };
    if shown.get(&uri) != Some(&text) {
        shown.insert(uri.clone(), text.clone());
        let _ = connection
            .sender
            .send(Message::Notification(Notification::new(
                "window/showMessage".into(),
                serde_json::json!({ "type": 1, "message": format!("qstash-lint: invalid config: {text}") }),
            )));
        publish(connection, uri.clone(), vec![diagnostic.clone()]);
    }
    Some((uri, diagnostic))
}

fn log(connection: &Connection, message: &str) {
    let _ = connection
        .sender
        .send(Message::Notification(Notification::new(
            "window/logMessage".into(),
            serde_json::json!({ "type": 1, "message": message }),
        )));
}

/// A diagnostic's related locations as the LSP has them: in the edited
/// buffer, positions come from its text; in other files, from the run's
/// (redacted, same offsets) copy of them. Paths are relative to the
/// project root.
fn related(
    d: &Diag,
    text: &str,
    index: &LineIndex,
    outcome: &Outcome,
    root: &Path,
) -> Option<Vec<DiagnosticRelatedInformation>> {
    let out: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|r| {
            let uri = Url::from_file_path(root.join(&r.path)).ok()?;
            let range = if r.path == d.path {
                range(text, index, r.span)
            } else {
                let src = outcome.sources.get(&r.path)?;
                range(&src.text, &src.index, r.span)
            };
            Some(DiagnosticRelatedInformation {
                location: Location { uri, range },
                message: r.message.clone(),
            })
        })
        .collect();
    (!out.is_empty()).then_some(out)
}

fn publish(connection: &Connection, uri: Url, diagnostics: Vec<Diagnostic>) {
    let params = PublishDiagnosticsParams {
        uri,
        diagnostics,
        version: None,
    };
    if let Ok(value) = serde_json::to_value(params) {
        let _ = connection
            .sender
            .send(Message::Notification(Notification::new(
                PublishDiagnostics::METHOD.into(),
                value,
            )));
    }
}

fn range(text: &str, index: &LineIndex, span: Span) -> Range {
    let (sl, sc) = index.line_col_utf16(text, span.start);
    let (el, ec) = index.line_col_utf16(text, span.end);
    Range {
        start: Position {
            line: sl,
            character: sc,
        },
        end: Position {
            line: el,
            character: ec,
        },
    }
}

fn to_lsp(d: &Diag, text: &str, index: &LineIndex) -> Diagnostic {
    Diagnostic {
        range: range(text, index, d.span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Note => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(d.rule.to_string())),
        code_description: Url::parse(&crate::rules::doc_url(d.rule))
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("qstash-lint".into()),
        message: match &d.help {
            Some(h) => format!("{}\nhelp: {h}", d.message),
            None => d.message.clone(),
        },
        ..Default::default()
    }
}

fn handle_request(connection: &Connection, docs: &HashMap<Url, Document>, req: Request) {
    if req.method != CodeActionRequest::METHOD {
        let resp = Response::new_err(
            req.id,
            lsp_server::ErrorCode::MethodNotFound as i32,
            "unsupported".into(),
        );
        let _ = connection.sender.send(Message::Response(resp));
        return;
    }
    let actions = serde_json::from_value::<CodeActionParams>(req.params)
        .ok()
        .and_then(|p| docs.get(&p.text_document.uri).map(|d| code_actions(&p, d)))
        .unwrap_or_default();
    let resp = Response::new_ok(req.id, actions);
    let _ = connection.sender.send(Message::Response(resp));
}

fn edit(uri: &Url, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..Default::default()
    }
}

fn code_actions(p: &CodeActionParams, doc: &Document) -> Vec<CodeActionOrCommand> {
    let uri = &p.text_document.uri;
    let index = LineIndex::new(&doc.text);
    let only = p.context.only.as_ref();
    let wants = |kind: &CodeActionKind| {
        only.is_none_or(|o| o.iter().any(|k| kind.as_str().starts_with(k.as_str())))
    };
    let mut out = Vec::new();
    let quickfix = CodeActionKind::QUICKFIX;
    if wants(&quickfix) {
        for (i, d) in doc.diagnostics.iter().enumerate() {
            let r = range(&doc.text, &index, d.span);
            if r.end.line < p.range.start.line || r.start.line > p.range.end.line {
                continue;
            }
            let lsp_diag = doc
                .published
                .get(i)
                .cloned()
                .unwrap_or_else(|| to_lsp(d, &doc.text, &index));
            if let Some(fix) = &d.fix {
                let edits = fix
                    .edits
                    .iter()
                    .map(|(s, t)| TextEdit {
                        range: range(&doc.text, &index, *s),
                        new_text: t.clone(),
                    })
                    .collect();
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("{} ({})", fix.title, d.rule),
                    kind: Some(quickfix.clone()),
                    diagnostics: Some(vec![lsp_diag.clone()]),
                    edit: Some(edit(uri, edits)),
                    is_preferred: Some(fix.applicability == Applicability::Safe),
                    ..Default::default()
                }));
            }
            // "Ignore this line": a suppression comment above it, indented alike.
            let line = index.line_of(d.span.start);
            let start = index.line_start(line) as usize;
            let indent: String = doc.text[start..]
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            let at = Position {
                line: line as u32,
                character: 0,
            };
            out.push(
                CodeAction {
                    title: format!("Ignore {} on this line", d.rule),
                    kind: Some(quickfix.clone()),
                    diagnostics: Some(vec![lsp_diag]),
                    edit: Some(edit(
                        uri,
                        vec![TextEdit {
                            range: Range { start: at, end: at },
                            new_text: format!(
                                "{indent}// qstash-lint-ignore {} -- reason\n",
                                d.rule
                            ),
                        }],
                    )),
                    ..Default::default()
                }
                .into(),
            );
        }
    }
    let fix_all = CodeActionKind::new(FIX_ALL);
    if wants(&fix_all) {
        let mut edits: Vec<(Span, String)> = doc
            .diagnostics
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .filter(|f| f.applicability == Applicability::Safe)
            .flat_map(|f| f.edits.iter().cloned())
            .collect();
        edits.sort_by_key(|(s, _)| (s.start, s.end));
        let mut last_end = 0;
        let text_edits: Vec<TextEdit> = edits
            .into_iter()
            .filter(|(s, _)| {
                let ok = s.start >= last_end;
                if ok {
                    last_end = s.end;
                }
                ok
            })
            .map(|(s, t)| TextEdit {
                range: range(&doc.text, &index, s),
                new_text: t,
            })
            .collect();
        if !text_edits.is_empty() {
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: "Fix all safe qstash-lint problems".into(),
                kind: Some(fix_all),
                edit: Some(edit(uri, text_edits)),
                ..Default::default()
            }));
        }
    }
    out
}
