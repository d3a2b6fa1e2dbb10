//! The byte prefilter: decides which files are worth a parse.
//!
//! Most files in a repository never touch QStash. Every rule needs either an
//! import of a QStash module, a QStash env var, or the signature header, and
//! all of these spell "qstash" or "upstash" somewhere in the file, so one
//! scan for those two words is a sound filter.

use aho_corasick::AhoCorasick;
use std::sync::OnceLock;

fn matcher() -> &'static AhoCorasick {
    static M: OnceLock<AhoCorasick> = OnceLock::new();
    M.get_or_init(|| {
        // The spellings that occur in code, matched case-sensitively: an
        // ASCII-case-insensitive automaton runs at well under 1 GB/s, while
        // this handful of literals stays on the SIMD fast path.
        AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(SPELLINGS)
            .unwrap_or_else(|_| unreachable!("fixed ASCII patterns always build"))
    })
}

/// Every spelling of the two words in identifiers, env names, module names
/// and prose: `qstash`, `QStash`, `qStash`, `QSTASH`, `getQstash`, `Upstash`.
const SPELLINGS: &[&str] = &[
    "qstash", "Qstash", "QStash", "qStash", "QSTASH", "upstash", "Upstash", "UpStash", "upStash",
    "UPSTASH",
];

/// Whether the file mentions QStash at all.
pub fn mentions_qstash(text: &str) -> bool {
    matcher().is_match(text)
}

/// Method calls that register routes: `.post(`, `.put(`, `.all(`,
/// `.route(`, and `.use(` for files that only mount routers defined
/// elsewhere.
const REGISTRATIONS: &[&str] = &[".post(", ".put(", ".all(", ".route(", ".use("];

/// Server frameworks that register routes in code.
const FRAMEWORKS: &[&str] = &[
    "express",
    "hono",
    "fastify",
    "elysia",
    "koa",
    "itty-router",
    "polka",
    "h3",
    "restify",
    "hyper-express",
];

/// A case-sensitive automaton over fixed ASCII words, built once.
fn automaton(cell: &'static OnceLock<AhoCorasick>, words: &[&str]) -> &'static AhoCorasick {
    cell.get_or_init(|| {
        AhoCorasick::new(words)
            .unwrap_or_else(|_| unreachable!("fixed ASCII patterns always build"))
    })
}

/// Whether the file registers HTTP routes in code (`app.post("/x", …)` with
/// Express, Hono, Fastify and the like). Such a file may hold the handler a
/// publish elsewhere targets without ever mentioning QStash, so it is parsed
/// too.
pub fn registers_routes(text: &str) -> bool {
    // One pass per word list, with automata built once: `.all(` alone is in
    // every file that calls `Promise.all`.
    static CALLS: OnceLock<AhoCorasick> = OnceLock::new();
    static NAMES: OnceLock<AhoCorasick> = OnceLock::new();
    automaton(&CALLS, REGISTRATIONS).is_match(text) && automaton(&NAMES, FRAMEWORKS).is_match(text)
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
        assert!(super::mentions_qstash("const qStash = getQStash();"));
        assert!(super::mentions_qstash(
            "import { Redis } from \"@upstash/redis\""
        ));
        assert!(!super::mentions_qstash("export const x = 1;"));
        assert!(super::registers_routes(
            "import express from \"express\";\napp.post(\"/x\", h);"
        ));
        assert!(!super::registers_routes(
            "fetch(url, { method: \"POST\" });"
        ));
    }
}
