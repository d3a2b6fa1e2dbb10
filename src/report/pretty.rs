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
    source: NamedSource<SharedText>,
    labels: Vec<LabeledSpan>,
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diag.rule))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
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
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(d.rule.to_string()),
            (
                clamp(d.span.start as usize),
                clamp(d.span.end as usize) - clamp(d.span.start as usize),
            ),
        )];
        for r in d.related.iter().filter(|r| r.path == d.path) {
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
            source: NamedSource::new(&d.path, SharedText(src.clone())).with_language("TypeScript"),
            labels,
        };
        let _ = handler.render_report(&mut out, &report);
        for r in d.related.iter().filter(|r| r.path != d.path) {
            let (s, _) = super::range(outcome, &r.path, r.span);
            let _ = writeln!(
                out,
                "  note: {} ({}:{}:{})",
                r.message, r.path, s.line, s.column
            );
        }
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
    out
}
