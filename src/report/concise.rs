//! `path:line:col: severity [rule] message`, one line per diagnostic.

use crate::engine::Outcome;
use std::fmt::Write;

pub(super) fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for d in &outcome.diagnostics {
        let (start, _) = super::range(outcome, &d.path, d.span);
        let _ = writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            d.path, start.line, start.column, d.severity, d.rule, d.message
        );
    }
    out
}
