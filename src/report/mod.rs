//! Reporters: one per output format, all reading the same sorted
//! diagnostics. Reporters never re-analyse; positions become lines and
//! columns only here.

mod concise;
mod github;
mod json;
mod pretty;
pub mod sarif;

use crate::diagnostic::{LineCol, Span};
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
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// Use ANSI colours.
    pub color: bool,
}

/// Renders `outcome` in `format`.
pub fn render(format: Format, outcome: &Outcome, opts: RenderOptions) -> String {
    match format {
        Format::Pretty => pretty::render(outcome, opts),
        Format::Concise => concise::render(outcome),
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
