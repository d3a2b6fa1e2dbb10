//! Reporters: one per output format, all reading the same sorted
//! diagnostics. Reporters never re-analyse; positions become lines and
//! columns only here.

mod concise;
mod github;
mod json;
mod pretty;
pub mod sarif;

use crate::diagnostic::{Applicability, Diagnostic, LineCol, Span};
use crate::engine::Outcome;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable report with source snippets.
    Pretty,
    /// One line per diagnostic: `path:line:col: severity [rule] message`.
    Concise,
    /// Versioned JSON.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub Actions workflow commands.
    Github,
}

/// Rendering options.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Use ANSI colours.
    pub color: bool,
    /// `--unsafe-fixes`: unsafe fixes are shown (`[~]`) and counted as
    /// fixable, not hidden.
    pub unsafe_fixes: bool,
    /// How many findings `--fix` fixed before this report.
    pub fixed: usize,
}

/// The fix marker of a finding, as ruff shows it: `[*]` when `--fix` fixes
/// it, `[~]` when only `--fix --unsafe-fixes` does and unsafe fixes are
/// shown.
pub fn fix_marker(d: &Diagnostic, opts: RenderOptions) -> Option<&'static str> {
    let fix = d.fix.as_ref().filter(|f| !f.edits.is_empty())?;
    match fix.applicability {
        Applicability::Safe => Some("[*]"),
        Applicability::Unsafe if opts.unsafe_fixes => Some("[~]"),
        Applicability::Unsafe => None,
    }
}

/// Findings with an unsafe fix, which stay unmarked without
/// `--unsafe-fixes`.
pub fn hidden_fixes(outcome: &Outcome) -> usize {
    outcome
        .diagnostics
        .iter()
        .filter(|d| {
            d.fix
                .as_ref()
                .is_some_and(|f| !f.edits.is_empty() && f.applicability == Applicability::Unsafe)
        })
        .count()
}

/// "N fixed, M fixable with --fix (K hidden fixes can be enabled with the
/// --unsafe-fixes option)." — or `None` when there is nothing to say.
pub fn fix_summary(outcome: &Outcome, opts: RenderOptions) -> Option<String> {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let safe = outcome
        .diagnostics
        .iter()
        .filter(|d| crate::fix::applies(d, false))
        .count();
    let hidden = hidden_fixes(outcome);
    let mut parts = Vec::new();
    if opts.fixed > 0 {
        parts.push(format!("{} fixed", opts.fixed));
    }
    if opts.unsafe_fixes && hidden > 0 {
        parts.push(format!(
            "{} fixable with --fix --unsafe-fixes",
            safe + hidden
        ));
    } else if safe > 0 {
        parts.push(format!("{safe} fixable with --fix"));
    }
    let mut line = parts.join(", ");
    if !opts.unsafe_fixes && hidden > 0 {
        // As ruff says it: a bare parenthesis reads as a stray remark.
        line.push_str(if line.is_empty() {
            "No fixes available "
        } else {
            " "
        });
        line.push_str(&format!(
            "({} can be enabled with the --unsafe-fixes option)",
            plural(hidden, "hidden fix").replace("fixs", "fixes")
        ));
    }
    if line.is_empty() {
        None
    } else {
        Some(line + ".")
    }
}

/// Renders `outcome` in `format`.
pub fn render(format: Format, outcome: &Outcome, opts: RenderOptions) -> String {
    match format {
        Format::Pretty => pretty::render(outcome, opts),
        Format::Concise => concise::render(outcome, opts),
        Format::Json => json::render(outcome),
        Format::Sarif => sarif::render(outcome),
        Format::Github => github::render(outcome),
    }
}

/// Start and end (exclusive) line/column of `span` in the file at `path`.
pub fn range(outcome: &Outcome, path: &str, span: Span) -> (LineCol, LineCol) {
    match outcome.sources.get(path) {
        Some(src) => (
            src.index.line_col(&src.text, span.start),
            src.index.line_col(&src.text, span.end),
        ),
        None => (
            LineCol { line: 1, column: 1 },
            LineCol { line: 1, column: 1 },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Fix, Severity};

    fn finding(applicability: Option<Applicability>) -> Diagnostic {
        Diagnostic {
            rule: "deprecated-api",
            severity: Severity::Warning,
            path: "a.ts".to_string(),
            span: Span::new(0, 1),
            message: "m".to_string(),
            help: None,
            related: Vec::new(),
            fix: applicability.map(|applicability| Fix {
                applicability,
                title: "t".to_string(),
                edits: vec![(Span::new(0, 1), "x".to_string())],
            }),
        }
    }

    #[test]
    fn markers_and_summary_follow_ruff() {
        let outcome = Outcome {
            diagnostics: vec![
                finding(Some(Applicability::Safe)),
                finding(Some(Applicability::Unsafe)),
                finding(Some(Applicability::Unsafe)),
                finding(None),
            ],
            ..Outcome::default()
        };
        let hidden = RenderOptions::default();
        let shown = RenderOptions {
            unsafe_fixes: true,
            ..hidden
        };
        assert_eq!(fix_marker(&outcome.diagnostics[0], hidden), Some("[*]"));
        assert_eq!(fix_marker(&outcome.diagnostics[1], hidden), None);
        assert_eq!(fix_marker(&outcome.diagnostics[1], shown), Some("[~]"));
        assert_eq!(fix_marker(&outcome.diagnostics[3], shown), None);
        assert_eq!(
            fix_summary(&outcome, hidden).as_deref(),
            Some("1 fixable with --fix (2 hidden fixes can be enabled with the --unsafe-fixes option).")
        );
        assert_eq!(
            fix_summary(&outcome, RenderOptions { fixed: 4, ..shown }).as_deref(),
            Some("4 fixed, 3 fixable with --fix --unsafe-fixes.")
        );
        let none = Outcome {
            diagnostics: vec![finding(None)],
            ..Outcome::default()
        };
        assert_eq!(fix_summary(&none, hidden), None);
        let only_unsafe = Outcome {
            diagnostics: vec![finding(Some(Applicability::Unsafe))],
            ..Outcome::default()
        };
        assert_eq!(
            fix_summary(&only_unsafe, hidden).as_deref(),
            Some(
                "No fixes available (1 hidden fix can be enabled with the --unsafe-fixes option)."
            )
        );
    }
}
