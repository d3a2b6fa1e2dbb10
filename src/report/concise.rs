//! `path:line:col: severity [rule] message`, one line per diagnostic; a
//! fixable one has `[*]` (or `[~]`, unsafe) before its message.

use crate::engine::Outcome;
use std::fmt::Write;

pub(super) fn render(outcome: &Outcome, opts: super::RenderOptions) -> String {
    let mut out = String::new();
    for d in &outcome.diagnostics {
        let (start, _) = super::range(outcome, &d.path, d.span);
        // ruff's place for the fix marker: after the rule.
        let marker = super::fix_marker(d, opts)
            .map(|m| format!("{m} "))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{}:{}:{}: {} [{}] {marker}{}",
            d.path, start.line, start.column, d.severity, d.rule, d.message
        );
    }
    out
}
