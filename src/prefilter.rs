//! The byte prefilter: decides which files are worth a parse.
//!
//! Most files in a repository never touch QStash. Every rule needs either an
//! import of a QStash module, a QStash env var, or the signature header, and
//! all of these spell "qstash" or "upstash" somewhere in the file, so one
//! scan for those two words is a sound filter. "upstash" that names another
//! Upstash product (`@upstash/redis`, `UPSTASH_REDIS_REST_URL`) does not
//! count: a file naming Upstash only that way needs no parse.

use aho_corasick::AhoCorasick;
use memchr::memmem::Finder;
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

/// What follows `upstash` in the module names of Upstash's other products
/// (`@upstash/redis`, `@upstash/ratelimit`), and `UPSTASH` in their env
/// names (`UPSTASH_REDIS_REST_URL`). Naming Upstash only this way is using
/// Redis or a rate limiter, not QStash.
const OTHER_MODULES: &[&str] = &[
    "/redis",
    "/ratelimit",
    "/vector",
    "/search",
    "/kafka",
    "/lock",
];
const OTHER_ENVS: &[&str] = &["_REDIS", "_VECTOR", "_SEARCH", "_KAFKA"];

/// Whether the spelling `word` (an index into [`SPELLINGS`]) ending at
/// `end` names another Upstash product.
fn names_other_product(bytes: &[u8], word: usize, end: usize) -> bool {
    let rest = bytes.get(end..).unwrap_or_default();
    let after = |list: &[&str]| list.iter().any(|w| rest.starts_with(w.as_bytes()));
    match SPELLINGS[word] {
        "upstash" => after(OTHER_MODULES),
        "UPSTASH" => after(OTHER_ENVS),
        _ => false,
    }
}

/// Whether the file mentions QStash at all: any spelling of it, or of
/// Upstash other than as the name of another Upstash product.
pub fn mentions_qstash(text: &str) -> bool {
    let bytes = text.as_bytes();
    matcher()
        .find_iter(bytes)
        .any(|m| !names_other_product(bytes, m.pattern().as_usize(), m.end()))
}

/// Method calls that register routes: `.post(`, `.put(`, `.all(`,
/// `.route(`, and `.use(` / `.register(` for files that only mount
/// routers or plugins defined elsewhere, `.addHook(` for Fastify hooks.
const REGISTRATIONS: &[&str] = &[
    ".post(",
    ".put(",
    ".all(",
    ".route(",
    ".use(",
    ".register(",
    ".addHook(",
];

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

/// Substring searchers for fixed words, built once. memmem picks a rare
/// byte of each word to search for, which beats an automaton whose words
/// all start with `.`, the commonest byte in JavaScript after spaces.
fn finders(
    cell: &'static OnceLock<Vec<Finder<'static>>>,
    words: &[&'static str],
) -> &'static [Finder<'static>] {
    cell.get_or_init(|| words.iter().map(|w| Finder::new(w.as_bytes())).collect())
}

/// Whether the file registers HTTP routes in code (`app.post("/x", …)` with
/// Express, Hono, Fastify and the like). Such a file may hold the handler a
/// publish elsewhere targets without ever mentioning QStash, so it is parsed
/// too.
pub fn registers_routes(text: &str) -> bool {
    survey(text).registers
}

/// A one-pass search for a few fixed words, on the packed (SIMD, "Teddy")
/// searcher where the CPU has one: a plain automaton over words that start
/// with `.` or `@` prefilters on those start bytes, and `.` is the
/// commonest byte in JavaScript after spaces.
struct Scanner {
    packed: Option<aho_corasick::packed::Searcher>,
    automaton: AhoCorasick,
}

impl Scanner {
    /// Builds the scanner of `words`, matched case-sensitively.
    fn new<I, W>(words: I) -> Self
    where
        I: IntoIterator<Item = W>,
        W: AsRef<[u8]>,
    {
        let words: Vec<Vec<u8>> = words.into_iter().map(|w| w.as_ref().to_vec()).collect();
        let mut b = aho_corasick::packed::Config::new().builder();
        b.extend(&words);
        Scanner {
            packed: b.build(),
            automaton: AhoCorasick::new(&words)
                .unwrap_or_else(|_| unreachable!("a few fixed words always build")),
        }
    }

    /// Every non-overlapping match in `bytes`, leftmost first, as the index
    /// of its word and the end of the match.
    fn matches<'s, 'b>(&'s self, bytes: &'b [u8]) -> Box<dyn Iterator<Item = (usize, usize)> + 'b>
    where
        's: 'b,
    {
        match &self.packed {
            Some(p) => Box::new(
                p.find_iter(bytes)
                    .map(|m| (m.pattern().as_usize(), m.end())),
            ),
            None => Box::new(
                self.automaton
                    .find_iter(bytes)
                    .map(|m| (m.pattern().as_usize(), m.end())),
            ),
        }
    }
}

/// The openings of import specifiers (see [`crate::source::import_specifiers`]).
pub const IMPORT_OPENINGS: [&str; 3] = ["from", "require(", "import("];

/// What one pass over a file's bytes tells: whether it mentions QStash,
/// whether it registers routes, and where its import specifiers may start.
#[derive(Debug, Default)]
pub struct Survey {
    /// [`mentions_qstash`].
    pub mentions: bool,
    /// [`registers_routes`].
    pub registers: bool,
    /// The ends of the [`IMPORT_OPENINGS`] found, for
    /// [`crate::source::specifiers_after`].
    pub import_ends: Vec<usize>,
}

/// [`mentions_qstash`], [`registers_routes`] and the import openings in one
/// packed scan: the per-file stage asks all three of every file of the
/// tree, and three passes over each were a tenth of a run. The words
/// cannot overlap one another, so a non-overlapping scan misses none.
pub fn survey(text: &str) -> Survey {
    static ALL: OnceLock<Scanner> = OnceLock::new();
    static NAMES: OnceLock<Vec<Finder<'static>>> = OnceLock::new();
    let scanner = ALL.get_or_init(|| {
        Scanner::new(
            SPELLINGS
                .iter()
                .chain(REGISTRATIONS)
                .chain(&["@nestjs/"])
                .chain(&IMPORT_OPENINGS),
        )
    });
    let bytes = text.as_bytes();
    let (spellings, registrations) = (SPELLINGS.len(), SPELLINGS.len() + REGISTRATIONS.len());
    let mut s = Survey::default();
    let (mut registers, mut nest) = (false, false);
    for (word, end) in scanner.matches(bytes) {
        if word < spellings {
            s.mentions |= !names_other_product(bytes, word, end);
        } else if word < registrations {
            registers |= !is_promise_all(bytes, word - spellings, end);
        } else if word == registrations {
            nest = true;
        } else {
            s.import_ends.push(end);
        }
    }
    s.registers = (registers
        && finders(&NAMES, FRAMEWORKS)
            .iter()
            .any(|f| f.find(bytes).is_some()))
        || (nest && nest_declares(bytes));
    s
}

/// Whether the registration word `registration` ending at `end` is
/// `Promise.all(`: the commonest `.all(` by far in any code base, and never
/// a route. Reading it as one had files that merely await several promises
/// parsed as route files whenever a framework's name appeared in them.
fn is_promise_all(bytes: &[u8], registration: usize, end: usize) -> bool {
    REGISTRATIONS[registration] == ".all("
        && end
            .checked_sub(".all(".len() + "Promise".len())
            .is_some_and(|start| bytes.get(start..end - ".all(".len()) == Some(b"Promise"))
}

/// What a NestJS file that matters to routing declares: a controller, a
/// guard, the bootstrap that sets the global prefix and guards, module
/// path prefixes, or app-wide guards.
const NEST_DECLARATIONS: &[&str] = &[
    "@Controller(",
    "canActivate",
    "NestFactory",
    "RouterModule",
    "APP_GUARD",
];

/// Whether a file that imports `@nestjs/` declares routes, a guard or the
/// app (one of [`NEST_DECLARATIONS`]).
fn nest_declares(bytes: &[u8]) -> bool {
    static DECLS: OnceLock<Vec<Finder<'static>>> = OnceLock::new();
    finders(&DECLS, NEST_DECLARATIONS)
        .iter()
        .any(|f| f.find(bytes).is_some())
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_pass_answers_all_three_questions() {
        // (text, mentions QStash, registers routes, import specifiers)
        let cases: [(&str, bool, bool, &[&str]); 6] = [
            (
                "import { Client } from '@upstash/qstash'\nconst c = require(\"./x\");",
                true,
                false,
                &["./x", "@upstash/qstash"],
            ),
            (
                "import express from \"express\";\napp.post(\"/x\", h);",
                false,
                true,
                &["express"],
            ),
            (
                "import { Controller } from \"@nestjs/common\";\n@Controller(\"jobs\")\nclass J {}",
                false,
                true,
                &["@nestjs/common"],
            ),
            (
                "fetch(url, { method: \"POST\" }); const from = 1; import(`./lazy`)",
                false,
                false,
                &["./lazy"],
            ),
            ("process.env.QSTASH_TOKEN; app.use(x);", true, false, &[]),
            ("", false, false, &[]),
        ];
        for (text, mentions, registers, specifiers) in cases {
            let s = super::survey(text);
            assert_eq!(s.mentions, mentions, "{text}");
            // The one pass agrees with the automaton the floor uses.
            assert_eq!(s.mentions, super::mentions_qstash(text), "{text}");
            assert_eq!(s.registers, registers, "{text}");
            assert_eq!(
                crate::source::specifiers_after(text, s.import_ends.into_iter()),
                specifiers,
                "{text}"
            );
        }
    }

    #[test]
    fn finds_any_spelling() {
        assert!(super::mentions_qstash(
            "import { Client } from '@upstash/qstash'"
        ));
        assert!(super::mentions_qstash("process.env.QSTASH_TOKEN"));
        assert!(super::mentions_qstash("req.headers['Upstash-Signature']"));
        assert!(super::mentions_qstash("const qStash = getQStash();"));
        assert!(super::mentions_qstash(
            "import { serve } from \"@upstash/workflow/nextjs\""
        ));
        assert!(!super::mentions_qstash("export const x = 1;"));
        // Upstash's other products are not QStash; QStash beside them is.
        for other in [
            "import { Redis } from \"@upstash/redis\";",
            "import { Ratelimit } from \"@upstash/ratelimit\";\nimport { Redis } from \"@upstash/redis/cloudflare\";",
            "const url = process.env.UPSTASH_REDIS_REST_URL;",
            "import { Index } from \"@upstash/vector\"; process.env.UPSTASH_VECTOR_REST_TOKEN",
        ] {
            assert!(!super::mentions_qstash(other), "{other}");
            assert!(!super::survey(other).mentions, "{other}");
        }
        for qstash in [
            "import { Redis } from \"@upstash/redis\";\nimport { serve } from \"@upstash/workflow/nextjs\";",
            "import { Redis } from \"@upstash/redis\";\nconst token = process.env.QSTASH_TOKEN;",
            "// called by Upstash\nimport { Redis } from \"@upstash/redis\";",
            "const sig = req.headers.get(\"upstash-signature\");",
            "process.env.UPSTASH_REDIS_URL; process.env.UPSTASH_WORKFLOW_URL",
        ] {
            assert!(super::mentions_qstash(qstash), "{qstash}");
            assert!(super::survey(qstash).mentions, "{qstash}");
        }
        assert!(super::registers_routes(
            "import express from \"express\";\napp.post(\"/x\", h);"
        ));
        assert!(!super::registers_routes(
            "fetch(url, { method: \"POST\" });"
        ));
        // `Promise.all(` is no route, whatever framework the file names;
        // `app.all(` is one.
        assert!(!super::registers_routes(
            "import { Hono } from \"hono\";\nawait Promise.all([a(), b()]);"
        ));
        assert!(super::registers_routes(
            "import { Hono } from \"hono\";\nawait Promise.all([a()]);\napp.all(\"/x\", h);"
        ));
        assert!(super::registers_routes(
            "import express from \"express\";\nrouter.all(\"/x\", h);"
        ));
        assert!(super::registers_routes(
            "import { Controller, Post } from \"@nestjs/common\";\n@Controller(\"jobs\")\nexport class Jobs {}"
        ));
        assert!(super::registers_routes(
            "import { NestFactory } from \"@nestjs/core\";\nconst app = await NestFactory.create(AppModule);"
        ));
        // A Nest module or service declares no route.
        assert!(!super::registers_routes(
            "import { Injectable } from \"@nestjs/common\";\n@Injectable()\nexport class JobsService {}"
        ));
    }
}
