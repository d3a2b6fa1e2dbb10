//! Versioned JSON: `{"version": 1, "diagnostics": [...], "files": N}`.

use crate::engine::Outcome;
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonRelated<'a> {
    path: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    message: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonDiagnostic<'a> {
    rule: &'a str,
    severity: &'a str,
    path: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    files: usize,
    notices: &'a [crate::diagnostic::Notice],
}

pub(super) fn render(outcome: &Outcome) -> String {
    let diagnostics = outcome
        .diagnostics
        .iter()
        .map(|d| {
            let (s, e) = super::range(outcome, &d.path, d.span);
            JsonDiagnostic {
                rule: d.rule,
                severity: d.severity.as_str(),
                path: &d.path,
                line: s.line,
                column: s.column,
                end_line: e.line,
                end_column: e.column,
                message: &d.message,
                help: d.help.as_deref(),
                related: d
                    .related
                    .iter()
                    .map(|r| {
                        let (s, e) = super::range(outcome, &r.path, r.span);
                        JsonRelated {
                            path: &r.path,
                            line: s.line,
                            column: s.column,
                            end_line: e.line,
                            end_column: e.column,
                            message: &r.message,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let report = JsonReport {
        version: 1,
        diagnostics,
        files: outcome.files,
        notices: &outcome.notices,
    };
    let mut s =
        serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
