//! The byte prefilter: decides which files are worth a parse.
//!
//! Most files in a repository never touch QStash. Every rule needs either an
//! import of a QStash module, a QStash env var, or the signature header, and
//! all of these spell "qstash" or "upstash" somewhere in the file, so one
//! case-insensitive scan for those two words is a sound filter.

use aho_corasick::AhoCorasick;
use std::sync::OnceLock;

fn matcher() -> &'static AhoCorasick {
    static M: OnceLock<AhoCorasick> = OnceLock::new();
    M.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(["qstash", "upstash"])
            .unwrap_or_else(|_| unreachable!("two fixed ASCII patterns always build"))
    })
}

/// Whether the file mentions QStash at all.
pub fn mentions_qstash(text: &str) -> bool {
    matcher().is_match(text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_any_spelling() {
        assert!(super::mentions_qstash(
            "import { Client } from '@upstash/qstash'"
        ));
        assert!(super::mentions_qstash("process.env.QSTASH_TOKEN"));
        assert!(super::mentions_qstash("req.headers['Upstash-Signature']"));
        assert!(!super::mentions_qstash("export const x = 1;"));
    }
}
