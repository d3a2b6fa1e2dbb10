//! Suppression comments: `// qstash-lint-ignore <rule>[, <rule>] -- reason`
//! for the next line and `// qstash-lint-ignore-file [<rule>…]` for the file.
//!
//! Directives are read from the text, not the syntax tree, so they also work
//! in files that were not parsed (secrets are found in every file).

use crate::diagnostic::{LineIndex, Span};
use memchr::memmem;

const DIRECTIVE: &str = "qstash-lint-ignore";

/// One suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The directive text inside the comment.
    pub span: Span,
    /// Applies to the whole file.
    pub file_level: bool,
    /// The 0-based line it applies to (the line after the comment).
    pub target_line: usize,
    /// The rules it names; empty means every rule.
    pub rules: Vec<String>,
    /// Whether it suppressed something.
    pub used: bool,
}

impl Suppression {
    /// Whether it covers `rule` at 0-based `line`.
    pub fn covers(&self, rule: &str, line: usize) -> bool {
        (self.file_level || self.target_line == line)
            && (self.rules.is_empty() || self.rules.iter().any(|r| r == rule))
    }
}

/// Finds every directive in `text`.
pub fn parse(text: &str, index: &LineIndex) -> Vec<Suppression> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for start in memmem::find_iter(bytes, DIRECTIVE.as_bytes()) {
        let line = index.line_of(start as u32);
        let line_start = index.line_start(line) as usize;
        let before = text[line_start..start].trim_end();
        let in_block = before.ends_with("/*") || before.ends_with("{/*");
        if !(before.ends_with("//") || in_block) || inside_string(before) {
            continue;
        }
        let mut end = start + DIRECTIVE.len();
        let file_level = text[end..].starts_with("-file");
        if file_level {
            end += "-file".len();
        }
        // The directive must end here: `qstash-lint-ignored` is not one.
        if bytes
            .get(end)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
        {
            continue;
        }
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
        let mut body_end = line_end;
        let mut comment_end = line_end;
        if in_block {
            if let Some(close) = text[end..].find("*/") {
                body_end = body_end.min(end + close);
                comment_end = end + close + 2;
            }
        }
        let body = &text[end..body_end];
        let rules_text = body.split_once("--").map_or(body, |(r, _)| r);
        let rules = rules_text
            .split([',', ' ', '\t'])
            .map(|r| r.trim().trim_end_matches("*/").trim())
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect();
        let end_line = index.line_of(comment_end.saturating_sub(1) as u32);
        out.push(Suppression {
            span: Span::new(start as u32, body_end.max(end) as u32),
            file_level,
            target_line: end_line + 1,
            rules,
            used: false,
        });
    }
    out
}

/// Whether the end of `line_prefix` is inside a string literal: an odd
/// count of one kind of unescaped quote. Template literals spanning lines are
/// not tracked; a directive there is rare enough.
fn inside_string(line_prefix: &str) -> bool {
    let mut open: Option<char> = None;
    let mut escaped = false;
    for c in line_prefix.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match (open, c) {
            (Some(_), '\\') => escaped = true,
            (Some(q), c) if c == q => open = None,
            (None, '"' | '\'' | '`') => open = Some(c),
            _ => {}
        }
    }
    open.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(t: &str) -> Vec<Suppression> {
        parse(t, &LineIndex::new(t))
    }

    #[test]
    fn next_line_with_rules_and_reason() {
        let s = parse_text(
            "a\n// qstash-lint-ignore hardcoded-token, invalid-cron -- test fixture\nb\n",
        );
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].rules, vec!["hardcoded-token", "invalid-cron"]);
        assert_eq!(s[0].target_line, 2);
        assert!(!s[0].file_level);
        assert!(s[0].covers("invalid-cron", 2));
        assert!(!s[0].covers("invalid-cron", 3));
    }

    #[test]
    fn jsx_block_and_file_level() {
        let s = parse_text("// qstash-lint-ignore-file hardcoded-token\n<div>\n{/* qstash-lint-ignore deprecated-api */}\n</div>");
        assert_eq!(s.len(), 2);
        assert!(s[0].file_level);
        assert_eq!(s[1].rules, vec!["deprecated-api"]);
        assert_eq!(s[1].target_line, 3);
    }

    #[test]
    fn not_in_strings_or_other_words() {
        assert!(parse_text("const s = \"qstash-lint-ignore x\";").is_empty());
        assert!(parse_text("const s = \"write // qstash-lint-ignore x above\";").is_empty());
        assert_eq!(parse_text("f(\"a\"); // qstash-lint-ignore x").len(), 1);
        assert!(parse_text("// qstash-lint-ignored").is_empty());
    }
}
