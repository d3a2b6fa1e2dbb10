//! GitHub Actions workflow commands (`::error file=…::message`), escaped as
//! the runner expects.

use crate::diagnostic::Severity;
use crate::engine::Outcome;
use std::fmt::Write;

/// Escapes a command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub(super) fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for d in &outcome.diagnostics {
        let (start, end) = super::range(outcome, &d.path, d.span);
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&d.path),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(&format!("qstash-lint ({})", d.rule)),
            escape_data(&d.message)
        );
    }
    for n in &outcome.notices {
        let _ = writeln!(
            out,
            "::warning file={},title={}::{}",
            escape_property(&n.path),
            escape_property(&format!("qstash-lint ({})", n.kind)),
            escape_data(&n.message)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaping() {
        assert_eq!(super::escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(super::escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
