//! Secret shapes of QStash credentials (qstash-api.md §4), found by a byte
//! scan so that every file is covered without a parse, and the redaction every
//! reporter applies.

use crate::diagnostic::Span;
use base64::Engine;
use memchr::memmem;
use std::sync::OnceLock;

/// Which credential a literal looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// A `QSTASH_TOKEN` (base64 of `{"UserID":…,"Password":…}`).
    Token,
    /// A `sig_…` signing key.
    SigningKey,
}

/// One secret found in a file's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretHit {
    /// What it looks like.
    pub kind: SecretKind,
    /// Where it is.
    pub span: Span,
}

const TOKEN_PREFIX: &[u8] = b"eyJVc2VySUQiOi";
const KEY_PREFIX: &[u8] = b"sig_";

/// Public dev tokens of the QStash dev server: not secrets.
const DEV_TOKENS: &[&str] = &[
    "eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0=",
    "eyJVc2VySUQiOiJ0ZXN0VXNlcjEiLCJQYXNzd29yZCI6InRlc3RQYXNzd29yZCJ9",
    "eyJVc2VySUQiOiJ0ZXN0VXNlcjIiLCJQYXNzd29yZCI6InRlc3RQYXNzd29yZCJ9",
    "eyJVc2VySUQiOiJ0ZXN0VXNlcjMiLCJQYXNzd29yZCI6InRlc3RQYXNzd29yZCJ9",
];

/// Public dev signing keys: not secrets.
const DEV_KEYS: &[&str] = &[
    "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r",
    "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs",
    "sig_7RvLjqfZBvP5KEUimQCE1pvpLuou",
    "sig_7W3ZNbfKWk5NWwEs3U4ixuQ7fxwE",
    "sig_7GVPjvuwsfqF65iC8fSrs1dfYruM",
    "sig_5NoELc3EFnZn4DVS5bDs2Nk4b7Ua",
    "sig_6jWGaWRxHsw4vMSPJprXadyvrybF",
    "sig_7qHbvhmahe5GwfePDiS5Lg3pi6Qx",
    "sig_5T8FcSsynBjn9mMLBsXhpacRovJf",
    "sig_7GFR4YaDshFcqsxWRZpRB161jguD",
];

/// Whether `s` is one of the public dev tokens or keys.
pub fn is_dev_credential(s: &str) -> bool {
    DEV_TOKENS.contains(&s) || DEV_KEYS.contains(&s)
}

fn is_base64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

fn is_base58_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() && !matches!(b, b'0' | b'O' | b'I' | b'l')
}

fn is_word_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether `s` is a QStash token: the base64 of a JSON object with `UserID`
/// and `Password` keys (the loose shape of §4, confirmed by decoding).
pub fn looks_like_token(s: &str) -> bool {
    let b = s.as_bytes();
    if !b.starts_with(TOKEN_PREFIX) || b.len() < TOKEN_PREFIX.len() + 40 {
        return false;
    }
    let body_len = b.iter().take_while(|&&c| is_base64_char(c)).count();
    let pad = b[body_len..].iter().take_while(|&&c| c == b'=').count();
    if body_len + pad != b.len() || pad > 2 {
        return false;
    }
    let trimmed = &s[..body_len];
    let decoded = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(trimmed)
        .or_else(|_| {
            // A token cut to a length that is not a multiple of four still
            // decodes its first whole groups.
            let whole = trimmed.len() / 4 * 4;
            base64::engine::general_purpose::STANDARD_NO_PAD.decode(&trimmed[..whole])
        });
    match decoded {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            text.contains("\"UserID\"") && text.contains("\"Password\"")
        }
        Err(_) => false,
    }
}

/// Whether `s` is a signing key: `sig_` and 24 to 64 base58 characters.
pub fn looks_like_signing_key(s: &str) -> bool {
    let b = s.as_bytes();
    b.starts_with(KEY_PREFIX)
        && (24..=64).contains(&(b.len() - KEY_PREFIX.len()))
        && b[KEY_PREFIX.len()..].iter().all(|&c| is_base58_char(c))
}

static TOKEN_FINDER: OnceLock<memmem::Finder<'static>> = OnceLock::new();
static KEY_FINDER: OnceLock<memmem::Finder<'static>> = OnceLock::new();

/// A substring searcher built once: every file is scanned, and building one
/// per file showed in profiles.
fn finder(
    cell: &'static OnceLock<memmem::Finder<'static>>,
    needle: &'static [u8],
) -> &'static memmem::Finder<'static> {
    cell.get_or_init(|| memmem::Finder::new(needle))
}

/// Finds every token- or key-shaped run in `text`, dev credentials excluded.
///
/// This works on raw text (strings, templates and comments alike), so it runs
/// on every file, parsed or not.
pub fn scan(text: &str) -> Vec<SecretHit> {
    scan_bytes(text.as_bytes())
}

/// [`scan`] on bytes: secrets are ASCII, so a file that is not UTF-8 (one
/// Latin-1 byte, a binary) is scanned all the same, with byte offsets.
pub fn scan_bytes(bytes: &[u8]) -> Vec<SecretHit> {
    let mut hits = Vec::new();
    for start in finder(&TOKEN_FINDER, TOKEN_PREFIX).find_iter(bytes) {
        // Inside a longer base64 run the prefix is chance, not a token; after
        // a `/` it is a URL's path segment (`https://host/eyJ…`).
        if start > 0 && is_base64_char(bytes[start - 1]) && bytes[start - 1] != b'/' {
            continue;
        }
        let mut end = start;
        while end < bytes.len() && is_base64_char(bytes[end]) {
            end += 1;
        }
        let Ok(run) = std::str::from_utf8(&bytes[start..end]) else {
            continue;
        };
        // A token in a URL path may run on into the next segment
        // (`/eyJ…/more`): it ends where its JSON ends.
        let end = start + token_length(run).unwrap_or(run.len());
        let mut pad_end = end;
        while pad_end < bytes.len() && pad_end - end < 2 && bytes[pad_end] == b'=' {
            pad_end += 1;
        }
        let Ok(candidate) = std::str::from_utf8(&bytes[start..pad_end]) else {
            continue;
        };
        if looks_like_token(candidate) && !is_dev_credential(candidate) {
            hits.push(SecretHit {
                kind: SecretKind::Token,
                span: Span::new(start as u32, pad_end as u32),
            });
        }
    }
    for start in finder(&KEY_FINDER, KEY_PREFIX).find_iter(bytes) {
        if start > 0 && is_word_char(bytes[start - 1]) {
            continue;
        }
        let mut end = start + KEY_PREFIX.len();
        while end < bytes.len() && is_word_char(bytes[end]) {
            end += 1;
        }
        let Ok(candidate) = std::str::from_utf8(&bytes[start..end]) else {
            continue;
        };
        // An identifier such as `sig_VerificationKeys` has the alphabet of a
        // key but no digit; real keys are random and almost always have one.
        // Without a digit, only a quoted or assigned value counts.
        let quoted = start > 0 && matches!(bytes[start - 1], b'"' | b'\'' | b'`' | b'=');
        let plausible = quoted
            || candidate[KEY_PREFIX.len()..]
                .bytes()
                .any(|b| b.is_ascii_digit());
        if plausible && looks_like_signing_key(candidate) && !is_dev_credential(candidate) {
            hits.push(SecretHit {
                kind: SecretKind::SigningKey,
                span: Span::new(start as u32, end as u32),
            });
        }
    }
    hits.sort_by_key(|h| h.span);
    hits
}

/// How many base64 characters of `run` (no padding) encode the token's JSON
/// up to its closing `}`, when the run is longer than that.
fn token_length(run: &str) -> Option<usize> {
    let whole = run.len() / 4 * 4;
    let decoded = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(&run[..whole])
        .ok()?;
    let password = memmem::find(&decoded, b"\"Password\"")?;
    let close = password + memchr::memchr(b'}', &decoded[password..])?;
    // Byte `close` ends in the character that holds its last bit.
    let chars = ((close + 1) * 8).div_ceil(6);
    (chars < run.len()).then_some(chars)
}

/// Whether a literal is an obvious stand-in rather than a credential:
/// `""`, `"xxx"`, `"<QSTASH_TOKEN>"`, `"your-token"`, `"sig_..."`, `"${TOKEN}"`,
/// `"test-token"`. Words are matched whole, so `"latest-prod-key"` is no
/// placeholder just because it contains "test".
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    if v.len() < 8 {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    let body = lower.strip_prefix("sig_").unwrap_or(&lower);
    if body
        .chars()
        .all(|c| c == body.chars().next().unwrap_or('x'))
    {
        return true;
    }
    const SYMBOLS: &[&str] = &["<", ">", "{", "}", "...", "xxx", "***", "$("];
    if SYMBOLS.iter().any(|m| lower.contains(m)) {
        return true;
    }
    // Words that mark a stand-in on their own.
    const STRONG: &[&str] = &[
        "your",
        "placeholder",
        "example",
        "dummy",
        "fake",
        "changeme",
        "replace",
        "todo",
        "redacted",
        "insert",
        "mock",
        "sample",
        "test",
        "testing",
        "notreal",
        // Deliberate stand-ins for a client that must never send
        // (`token: "disabled-client"`).
        "disabled",
        "invalid",
        "unused",
        "noop",
    ];
    // Words that only describe a secret: a value made of nothing else names
    // one rather than being one.
    const DESCRIPTIVE: &[&str] = &[
        "change", "here", "not", "token", "key", "secret", "current", "next", "signing", "real",
        "local", "dev", "my", "qstash", "upstash", "sig",
    ];
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    // ("current-signing-key", "my_secret_token").
    let all_words = words.iter().all(|w| {
        STRONG.contains(w) || DESCRIPTIVE.contains(w) || w.chars().all(|c| c.is_ascii_digit())
    });
    all_words || words.iter().any(|w| STRONG.contains(w))
}

/// Replaces the middle of every span in `text` with `*`, keeping at most the
/// first 6 and the last 2 characters, so byte offsets stay valid.
pub fn redact(text: &str, spans: &[Span]) -> String {
    if spans.is_empty() {
        return text.to_string();
    }
    let mut out = text.as_bytes().to_vec();
    for span in spans {
        let (start, end) = (span.start as usize, (span.end as usize).min(out.len()));
        if start >= end {
            continue;
        }
        let keep_head = 6.min((end - start) / 4);
        let keep_tail = if end - start >= 16 { 2 } else { 0 };
        for b in &mut out[start + keep_head..end - keep_tail] {
            // Secrets are ASCII; anything else is left as is to keep UTF-8 valid.
            if b.is_ascii() {
                *b = b'*';
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A redacted copy of one secret value, for messages that must name it.
pub fn redact_value(value: &str) -> String {
    redact(value, &[Span::new(0, value.len() as u32)])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a token of the real shape from a uuid and a 32-hex password.
    pub(crate) fn make_token(uuid: &str, password: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{{\"UserID\":\"{uuid}\",\"Password\":\"{password}\"}}"
        ))
    }

    #[test]
    fn finds_tokens_of_the_real_shape() {
        let t = make_token(
            "0b3f2f4e-5c1d-4c1e-9a7b-2d4e6f8a0b1c",
            "0123456789abcdef0123456789abcdef",
        );
        assert_eq!(t.len(), 128);
        let text = format!("const x = \"{t}\";");
        let hits = scan(&text);
        assert_eq!(hits.len(), 1);
        assert_eq!(
            &text[hits[0].span.start as usize..hits[0].span.end as usize],
            t
        );
    }

    #[test]
    fn ignores_dev_tokens_and_truncated_prefixes() {
        for t in DEV_TOKENS {
            assert!(scan(t).is_empty(), "{t}");
        }
        assert!(scan("eyJVc2VySUQiOi").is_empty());
        assert!(scan("eyJVc2VySUQiOiJhYmMi").is_empty());
    }

    #[test]
    fn a_token_after_a_slash_ends_where_its_json_ends() {
        let t = make_token(
            "0b3f2f4e-5c1d-4c1e-9a7b-2d4e6f8a0b1c",
            "0123456789abcdef0123456789abcdef",
        );
        let unpadded = t.trim_end_matches('=');
        for (text, token) in [
            (format!("fetch(\"/v2/publish/{t}\")"), t.as_str()),
            (format!("\"https://h.example.com/{unpadded}\""), unpadded),
            (
                format!("\"https://h.example.com/{unpadded}/more\""),
                unpadded,
            ),
            (format!("\"https://h.example.com/{t}/more\""), t.as_str()),
        ] {
            let hits = scan(&text);
            assert_eq!(hits.len(), 1, "{text}");
            let span = hits[0].span;
            assert_eq!(
                &text[span.start as usize..span.end as usize],
                token,
                "{text}"
            );
        }
        // Inside a longer base64 run it is chance, not a token.
        assert!(scan(&format!("QUJD{t}")).is_empty());
    }

    #[test]
    fn bytes_that_are_not_utf8_are_scanned() {
        let mut bytes = b"\xe9\0 k = '".to_vec();
        bytes.extend_from_slice(b"sig_4ZhJ9nqYQ2bP7vT6kL8mN3xW5cR1'\xff");
        let hits = scan_bytes(&bytes);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].span, Span::new(8, 40));
    }

    #[test]
    fn finds_signing_keys_but_not_placeholders() {
        let text =
            "a sig_4ZhJ9nqYQ2bP7vT6kL8mN3xW5cR1 b sig_xxx sig_abc123 sig_dummy_for_local_build";
        let hits = scan(text);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].kind, SecretKind::SigningKey);
        for k in DEV_KEYS {
            assert!(scan(k).is_empty(), "{k}");
        }
    }

    #[test]
    fn identifiers_are_not_keys() {
        assert!(scan("const sig_VerificationKeyHashesForUsers = 1;").is_empty());
        assert_eq!(scan("k = \"sig_VerificationKeyHashesForUsers\"").len(), 1);
    }

    #[test]
    fn placeholders() {
        for p in [
            "",
            "xxx",
            "<QSTASH_TOKEN>",
            "your-token",
            "sig_...",
            "sig_xxxxxxxxxxxx",
            "${TOKEN}",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for p in [
            "sig_4ZhJ9nqYQ2bP7vT6kL8mN3xW5cR1",
            "qs_live_8f7d6c5b4a39",
            "latest-prod-key-9f8e7d",
        ] {
            assert!(!is_placeholder(p), "{p}");
        }
    }

    #[test]
    fn redaction_keeps_at_most_six_and_two() {
        let key = "sig_4ZhJ9nqYQ2bP7vT6kL8mN3xW5cR1";
        let r = redact_value(key);
        assert_eq!(r.len(), key.len());
        assert!(r.starts_with("sig_4Z"));
        assert!(r.ends_with("R1"));
        assert_eq!(r.matches('*').count(), key.len() - 8);
    }
}
