//! The one diagnostic model every stage produces and every reporter consumes.
//!
//! Positions are file-relative byte ranges until a reporter turns them into
//! lines and columns through [`LineIndex`], so no stage depends on a parser's
//! own position type.

use serde::Serialize;
use std::fmt;

/// A half-open byte range inside one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` (swapped if given backwards).
    pub fn new(start: u32, end: u32) -> Self {
        if end < start {
            Span {
                start: end,
                end: start,
            }
        } else {
            Span { start, end }
        }
    }

    /// Whether `other` lies inside this span.
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// How bad a finding is; the names follow SARIF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Note,
    /// Reported, but does not fail the run unless `--max-warnings` says so.
    Warning,
    /// Fails the run (exit code 1).
    Error,
}

impl Severity {
    /// The lowercase name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary location that explains a diagnostic (the const that made a URL
/// local, the publish that targets a handler).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Related {
    /// Display path of the file, `/`-separated and relative to the working directory.
    pub path: String,
    /// Byte range in that file.
    pub span: Span,
    /// What this location contributes.
    pub message: String,
}

/// How safe a fix is to apply without review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the code's meaning (`--fix`).
    Safe,
    /// Changes behaviour; review it (`--unsafe-fixes`).
    Unsafe,
}

/// A fix as data: text edits on the diagnostic's file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fix {
    /// Safe or unsafe.
    pub applicability: Applicability,
    /// What the fix does, for people.
    pub title: String,
    /// Replacements: (span, new text); an empty span inserts.
    pub edits: Vec<(Span, String)>,
}

/// One finding of one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Rule id, e.g. `hardcoded-token`.
    pub rule: &'static str,
    /// Effective severity after configuration.
    pub severity: Severity,
    /// Display path of the file, `/`-separated and relative to the working directory.
    pub path: String,
    /// Primary byte range.
    pub span: Span,
    /// One sentence saying what is wrong. Never contains secret text.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Secondary locations.
    pub related: Vec<Related>,
    /// A fix, when the rule has one.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// The order every reporter uses: path, position, rule, message.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (
            &self.path,
            self.span.start,
            self.span.end,
            self.rule,
            &self.message,
        )
    }
}

/// Maps byte offsets of one text to 1-based lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<u32>,
}

/// A 1-based line and column pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LineCol {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in Unicode scalar values.
    pub column: u32,
}

impl LineIndex {
    /// Builds the index of `text`.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0u32];
        for pos in memchr::memchr_iter(b'\n', text.as_bytes()) {
            line_starts.push(pos as u32 + 1);
        }
        LineIndex { line_starts }
    }

    /// 0-based line number that contains `offset`.
    pub fn line_of(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Byte offset where 0-based `line` starts.
    pub fn line_start(&self, line: usize) -> u32 {
        self.line_starts.get(line).copied().unwrap_or(u32::MAX)
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 1-based line and character column of `offset` in `text`.
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = (offset as usize).min(text.len());
        let line = self.line_of(offset as u32);
        let start = self.line_starts[line] as usize;
        let mut end = offset;
        while end > start && !text.is_char_boundary(end) {
            end -= 1;
        }
        let column = text.get(start..end).map_or(0, |s| s.chars().count()) as u32 + 1;
        LineCol {
            line: line as u32 + 1,
            column,
        }
    }

    /// 0-based line and UTF-16 column of `offset`, as the LSP counts.
    pub fn line_col_utf16(&self, text: &str, offset: u32) -> (u32, u32) {
        let offset = (offset as usize).min(text.len());
        let line = self.line_of(offset as u32);
        let start = self.line_starts[line] as usize;
        let mut end = offset;
        while end > start && !text.is_char_boundary(end) {
            end -= 1;
        }
        let col = text.get(start..end).map_or(0, |s| s.encode_utf16().count()) as u32;
        (line as u32, col)
    }
}

/// A problem with an input that is not a rule finding: a file that could not be
/// read, was not text, or was skipped on purpose.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Notice {
    /// Display path.
    pub path: String,
    /// Short machine-readable kind, e.g. `non-utf8`, `binary`, `minified`.
    pub kind: &'static str,
    /// Human-readable explanation.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars_not_bytes() {
        let text = "ab\né€x\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
        let x = text.find('x').unwrap() as u32;
        assert_eq!(idx.line_col(text, x), LineCol { line: 2, column: 3 });
        assert_eq!(idx.line_col_utf16(text, x), (1, 2));
    }
}
