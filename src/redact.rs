//! The one place secrets are taken out of what a run reports: every
//! diagnostic's message, help, related messages and fix title, and every
//! notice, before any reporter (pretty, concise, json, sarif, github), the
//! baseline or the language server sees them.
//!
//! Rules quote source text on purpose (a `delay` value, a callee, a
//! suppression's rule names), and any of it may hold a secret. Two things are
//! masked: the exact secret values the run found (shaped tokens and keys, and
//! literals the hardcoded-token / hardcoded-signing-key rules flagged in
//! client options), and anything in the text itself that looks like a token
//! or key, even cut short, since a message may quote part of a value.

use crate::diagnostic::{Diagnostic, Notice, Span};
use crate::secrets::{is_dev_credential, looks_like_signing_key, redact};
use aho_corasick::{AhoCorasick, MatchKind};
use memchr::memmem;

/// Masks secrets in report text.
pub struct Redactor {
    /// The secret values found in the run's files.
    known: Option<AhoCorasick>,
}

/// The start of base64 JSON (`{"`), which every QStash token and every JWT
/// begins with.
const BASE64_JSON: &[u8] = b"eyJ";
/// Shorter runs are too short to carry a credential.
const MIN_BASE64_JSON: usize = 20;
const KEY_PREFIX: &[u8] = b"sig_";

fn is_base64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

fn is_word_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Redactor {
    /// A redactor for `values`, the secret texts found in the run's files.
    pub fn new<I: IntoIterator<Item = String>>(values: I) -> Self {
        let mut values: Vec<String> = values.into_iter().filter(|v| !v.is_empty()).collect();
        values.sort();
        values.dedup();
        let known = (!values.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&values)
                    .ok()
            })
            .flatten();
        Redactor { known }
    }

    /// `text` with every known secret and every secret-shaped run masked,
    /// keeping at most the first 6 and last 2 characters of each.
    pub fn text(&self, text: &str) -> String {
        let mut spans: Vec<Span> = Vec::new();
        if let Some(known) = &self.known {
            spans.extend(
                known
                    .find_iter(text)
                    .map(|m| Span::new(m.start() as u32, m.end() as u32)),
            );
        }
        spans.extend(shaped(text.as_bytes()));
        redact(text, &spans)
    }

    /// Masks every text of `d` that is shown or stored.
    pub fn diagnostic(&self, d: &mut Diagnostic) {
        d.message = self.text(&d.message);
        if let Some(help) = &mut d.help {
            *help = self.text(help);
        }
        for r in &mut d.related {
            r.message = self.text(&r.message);
        }
        // The edits are applied to the file, never shown as they are: they
        // must stay the real text.
        if let Some(fix) = &mut d.fix {
            fix.title = self.text(&fix.title);
        }
    }

    /// Masks a notice's message.
    pub fn notice(&self, n: &mut Notice) {
        n.message = self.text(&n.message);
    }
}

/// Runs that look like a token or signing key, whole or cut short: base64
/// JSON of some length, and `sig_` keys (the full shape, or a shorter run
/// with a digit, which identifiers rarely have). Dev credentials are public.
fn shaped(bytes: &[u8]) -> Vec<Span> {
    let mut out = Vec::new();
    for start in memmem::find_iter(bytes, BASE64_JSON) {
        if start > 0 && is_base64_char(bytes[start - 1]) && bytes[start - 1] != b'/' {
            continue;
        }
        let mut end = start;
        while end < bytes.len() && is_base64_char(bytes[end]) {
            end += 1;
        }
        while end < bytes.len() && bytes[end] == b'=' {
            end += 1;
        }
        let run = std::str::from_utf8(&bytes[start..end]).unwrap_or("");
        if end - start >= MIN_BASE64_JSON && !is_dev_credential(run) {
            out.push(Span::new(start as u32, end as u32));
        }
    }
    for start in memmem::find_iter(bytes, KEY_PREFIX) {
        if start > 0 && is_word_char(bytes[start - 1]) {
            continue;
        }
        let mut end = start + KEY_PREFIX.len();
        while end < bytes.len() && is_word_char(bytes[end]) {
            end += 1;
        }
        let run = std::str::from_utf8(&bytes[start..end]).unwrap_or("");
        let body = &run[KEY_PREFIX.len().min(run.len())..];
        let keyish = looks_like_signing_key(run)
            || (body.len() >= 8 && body.bytes().any(|b| b.is_ascii_digit()));
        if keyish && !is_dev_credential(run) {
            out.push(Span::new(start as u32, end as u32));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "eyJVc2VySUQiOiI1ZDBjM2Y4ZS0yYTQxLTRiNmYtOWQ3ZS0xYzJiM2E0ZjVlNmQiLCJQYXNzd29yZCI6IjdlNGI5YzJhMWYwZDhlNmI1YTRjM2QyZTFmMGE5YjhjIn0=";
    const KEY: &str = "sig_4ZhJ9nqYQ2bP7vT6kL8mN3xW5cR1";

    #[test]
    fn known_values_and_shapes_are_masked() {
        let r = Redactor::new(["qs_live_8f7d6c5b4a39e2d1".to_string()]);
        let m = r.text(&format!(
            "`new Client({{ token: \"qs_live_8f7d6c5b4a39e2d1\" }}).publishJSON`, `delay: \"{TOKEN}\"`, cron `{KEY}`, cut {}…, jwt eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
            &TOKEN[..30]
        ));
        for leak in [
            "8f7d6c5b4a39",
            &TOKEN[6..],
            &TOKEN[6..30],
            &KEY[6..],
            "ciOiJIUzI1NiIsInR5",
        ] {
            assert!(!m.contains(leak), "{leak}: {m}");
        }
        assert!(m.starts_with("`new Client({ token: \"qs_liv"), "{m}");
        assert!(m.contains("eyJVc2"), "{m}");
    }

    #[test]
    fn ordinary_text_and_dev_credentials_stay() {
        let r = Redactor::new(Vec::new());
        for text in [
            "`sig_VerificationKeys.verify` and `sig_abc` and eyJ short",
            "`delay: \"10 minutes\"` is not a duration",
            "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r is the dev server's key",
            "suppression names unknown rule `no-such-rule`",
        ] {
            assert_eq!(r.text(text), text);
        }
    }
}
