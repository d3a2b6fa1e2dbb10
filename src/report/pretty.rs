//! The default human-readable report: miette's graphical rendering with the
//! (redacted) source snippet, the rule id and a help line.

use crate::diagnostic::{Diagnostic as Diag, Severity};
use crate::engine::{Outcome, SourceText};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};
use std::fmt::{self, Write};
use std::sync::Arc;

/// Lets miette read a shared, already redacted text without copying it.
#[derive(Debug, Clone)]
struct SharedText(Arc<SourceText>);

impl SourceCode for SharedText {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        self.0
            .text
            .read_span(span, context_lines_before, context_lines_after)
    }
}

#[derive(Debug)]
struct Report<'a> {
    diag: &'a Diag,
    marker: Option<&'static str>,
    source: NamedSource<SharedText>,
    labels: Vec<LabeledSpan>,
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(m) = self.marker {
            write!(f, "{m} ")?;
        }
        f.write_str(&self.diag.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diag.rule))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette_severity(self.diag.severity))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diag
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// Lines longer than this get an excerpt instead of a snippet: miette's
/// label columns are `u16`, and a line this long is generated code.
const LONG_LINE: usize = 1_000;

/// Characters shown on each side of a finding in an excerpt.
const EXCERPT_CONTEXT: usize = 40;

/// Whether the line holding byte `at` of `text` is too long for a snippet.
fn long_line_at(text: &str, at: usize) -> bool {
    let bytes = text.as_bytes();
    let at = at.min(bytes.len());
    let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
    end - start > LONG_LINE
}

/// Up to `EXCERPT_CONTEXT` characters of `text` on each side of `span`, on
/// its line, with `…` where the line goes on.
fn excerpt(text: &str, span: crate::diagnostic::Span) -> String {
    let start = floor_char(text, (span.start as usize).min(text.len()));
    let end = floor_char(text, (span.end as usize).clamp(start, text.len()));
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let before: String = {
        let mut chars: Vec<char> = text[line_start..start]
            .chars()
            .rev()
            .take(EXCERPT_CONTEXT + 1)
            .collect();
        let cut = chars.len() > EXCERPT_CONTEXT;
        chars.truncate(EXCERPT_CONTEXT);
        let s: String = chars.into_iter().rev().collect();
        if cut {
            format!("…{s}")
        } else {
            s
        }
    };
    let found: String = text[start..end].chars().take(2 * EXCERPT_CONTEXT).collect();
    let after: String = {
        let mut chars = text[end..line_end].chars();
        let s: String = chars.by_ref().take(EXCERPT_CONTEXT).collect();
        if chars.next().is_some() {
            format!("{s}…")
        } else {
            s
        }
    };
    format!("{before}{found}{after}").replace(['\t', '\r'], " ")
}

fn floor_char(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A diagnostic on a long line: the report without a snippet, then where it
/// is and a short excerpt of the (redacted) line.
fn render_excerpt(
    handler: &GraphicalReportHandler,
    out: &mut String,
    outcome: &Outcome,
    d: &Diag,
    text: &str,
    opts: super::RenderOptions,
) {
    #[derive(Debug)]
    struct Bare<'a>(&'a Diag, Option<&'static str>);
    impl fmt::Display for Bare<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            if let Some(m) = self.1 {
                write!(f, "{m} ")?;
            }
            f.write_str(&self.0.message)
        }
    }
    impl std::error::Error for Bare<'_> {}
    impl miette::Diagnostic for Bare<'_> {
        fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
            Some(Box::new(self.0.rule))
        }
        fn severity(&self) -> Option<miette::Severity> {
            Some(miette_severity(self.0.severity))
        }
        fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
            self.0
                .help
                .as_ref()
                .map(|h| Box::new(h) as Box<dyn fmt::Display>)
        }
    }
    let _ = handler.render_report(out, &Bare(d, super::fix_marker(d, opts)));
    let (s, _) = super::range(outcome, &d.path, d.span);
    let _ = writeln!(out, "  at {}:{}:{}", d.path, s.line, s.column);
    let _ = writeln!(out, "  │ {}", excerpt(text, d.span));
    render_notes(out, outcome, d, |_| true);
}

/// Related locations as `note:` lines (those not drawn as labels).
fn render_notes(
    out: &mut String,
    outcome: &Outcome,
    d: &Diag,
    wanted: impl Fn(&crate::diagnostic::Related) -> bool,
) {
    for r in d.related.iter().filter(|r| wanted(r)) {
        let (s, _) = super::range(outcome, &r.path, r.span);
        let _ = writeln!(
            out,
            "  note: {} ({}:{}:{})",
            r.message, r.path, s.line, s.column
        );
    }
}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    }
}

pub(super) fn render(outcome: &Outcome, opts: super::RenderOptions) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    for d in &outcome.diagnostics {
        let Some(src) = outcome.sources.get(&d.path) else {
            continue;
        };
        let len = src.text.len();
        let clamp = |s: usize| s.min(len);
        // miette cannot draw a label past column 65,535 (it panics), and a
        // minified line is no snippet anyone reads: show an excerpt instead.
        if long_line_at(&src.text, clamp(d.span.start as usize)) {
            render_excerpt(&handler, &mut out, outcome, d, &src.text, opts);
            out.push('\n');
            continue;
        }
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(d.rule.to_string()),
            (
                clamp(d.span.start as usize),
                clamp(d.span.end as usize) - clamp(d.span.start as usize),
            ),
        )];
        for r in d
            .related
            .iter()
            .filter(|r| r.path == d.path && !long_line_at(&src.text, clamp(r.span.start as usize)))
        {
            labels.push(LabeledSpan::new_with_span(
                Some(r.message.clone()),
                (
                    clamp(r.span.start as usize),
                    clamp(r.span.end as usize) - clamp(r.span.start as usize),
                ),
            ));
        }
        let report = Report {
            diag: d,
            marker: super::fix_marker(d, opts),
            source: NamedSource::new(&d.path, SharedText(src.clone())).with_language("TypeScript"),
            labels,
        };
        let _ = handler.render_report(&mut out, &report);
        render_notes(&mut out, outcome, d, |r| {
            r.path != d.path || long_line_at(&src.text, clamp(r.span.start as usize))
        });
        out.push('\n');
    }
    let errors = outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let notes = outcome.diagnostics.len() - errors - warnings;
    let files = outcome.files;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    if outcome.diagnostics.is_empty() {
        let _ = writeln!(out, "No problems found in {}.", plural(files, "file"));
    } else {
        let mut parts = vec![plural(errors, "error"), plural(warnings, "warning")];
        if notes > 0 {
            parts.push(plural(notes, "note"));
        }
        let _ = writeln!(
            out,
            "Found {} in {} checked.",
            parts.join(", "),
            plural(files, "file")
        );
    }
    if let Some(line) = super::fix_summary(outcome, opts) {
        let _ = writeln!(out, "{line}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Span;

    #[test]
    fn long_lines_are_told_from_short_ones() {
        let text = format!("short\n{}\nshort", "x".repeat(LONG_LINE + 1));
        assert!(!long_line_at(&text, 2));
        assert!(long_line_at(&text, 6 + LONG_LINE / 2));
        assert!(!long_line_at(&text, text.len()));
        let exact = "y".repeat(LONG_LINE);
        assert!(!long_line_at(&exact, 10));
    }

    #[test]
    fn an_excerpt_keeps_its_line_and_whole_characters() {
        let line = format!("{}KEY{}", "é".repeat(100), "ü".repeat(100));
        let text = format!("first\n{line}\nlast");
        let start = text.find("KEY").unwrap_or(0) as u32;
        let got = excerpt(&text, Span::new(start, start + 3));
        assert_eq!(
            got,
            format!(
                "…{}KEY{}…",
                "é".repeat(EXCERPT_CONTEXT),
                "ü".repeat(EXCERPT_CONTEXT)
            )
        );
        // Near the line's ends: no ellipsis, no text of the other lines.
        let text = "a\nbc KEY d\ne";
        assert_eq!(excerpt(text, Span::new(5, 8)), "bc KEY d");
    }
}
