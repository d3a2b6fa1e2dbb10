//! Parsing with swc: syntax chosen by extension, errors and parser panics
//! turned into data.

use crate::diagnostic::Span;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::Once;
use swc_common::BytePos;
use swc_ecma_ast::Program;
use swc_ecma_parser::{EsSyntax, Parser, StringInput, Syntax, TsSyntax};

/// Parser positions start here so that 0 stays swc's "no position".
pub const BASE: u32 = 1;

/// Why a file did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Where, file-relative.
    pub span: Span,
    /// The parser's message.
    pub message: String,
    /// Not parsed at all: the code may nest too deep to parse safely.
    pub too_deep: bool,
}

/// The syntax for a file, from its extension.
pub fn syntax_for(path: &Path) -> Syntax {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "ts" | "mts" | "cts" => Syntax::Typescript(TsSyntax {
            tsx: false,
            decorators: true,
            ..Default::default()
        }),
        "tsx" => Syntax::Typescript(TsSyntax {
            tsx: true,
            decorators: true,
            ..Default::default()
        }),
        // `.js` files hold JSX in many React projects; swc's JSX mode still
        // parses plain JavaScript.
        _ => Syntax::Es(EsSyntax {
            jsx: true,
            decorators: true,
            import_attributes: true,
            ..Default::default()
        }),
    }
}

thread_local! {
    static QUIET_PANICS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Keeps the default panic message off stderr while a parse is under
/// `catch_unwind`: such a panic is reported as a `parse-error`.
fn install_quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET_PANICS.with(|q| q.get()) {
                default(info);
            }
        }));
    });
}

/// A parsed file and the first error swc recovered from, if any.
#[derive(Debug)]
pub struct Parsed {
    /// The tree.
    pub program: Program,
    /// A syntax error the parser recovered from (an unterminated string,
    /// TypeScript syntax in a `.js` file). The file is still linted on the
    /// recovered tree, and the error is reported as a `parse-error`.
    pub recovered: Option<ParseError>,
}

/// Stack the parser may need per level of nesting: swc recurses through
/// several frames per level (parentheses, JSX elements, `class extends`,
/// arrows, assignments) and grows its stack on demand in only a few places.
/// Measured at up to about 5 KiB in release builds; debug builds use far
/// more.
const STACK_PER_LEVEL: usize = if cfg!(debug_assertions) {
    64 * 1024
} else {
    8 * 1024
};
/// Nesting up to this is parsed on the caller's thread (any thread has the
/// few MiB of stack it needs).
const IN_PLACE_LEVELS: usize = 64;
/// Nesting beyond this is not parsed at all: the tree would be too deep to
/// analyse anyway (see [`crate::depth`]), and parsing it would touch
/// gigabytes of stack. Real files stay far below it (the practice corpus
/// peaks at about 250).
pub const MAX_PARSE_LEVELS: usize = 50_000;

/// Parses `text`. A fatal error (or a parser panic) gives no tree.
///
/// The parser's recursion is bounded before it starts ([`nesting_bound`]):
/// a file that may nest deeper than a few dozen levels is parsed on a
/// thread of its own whose stack is reserved for that bound (reserved, not
/// used: only a deep file touches it), and one that may nest deeper than
/// [`MAX_PARSE_LEVELS`] is not parsed ([`ParseError::too_deep`]).
pub fn parse(path: &Path, text: &str) -> Result<Parsed, ParseError> {
    let bound = nesting_bound(text);
    if bound <= IN_PLACE_LEVELS {
        return parse_here(path, text);
    }
    let too_deep = || ParseError {
        span: Span::new(0, 0),
        message: format!("the code may nest more than {MAX_PARSE_LEVELS} levels deep"),
        too_deep: true,
    };
    if bound > MAX_PARSE_LEVELS {
        return Err(too_deep());
    }
    let stack = (bound * STACK_PER_LEVEL).max(16 << 20) + (16 << 20);
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("qstash-lint-parse".into())
            .stack_size(stack)
            .spawn_scoped(s, || parse_here(path, text))
            .ok()
            .and_then(|h| h.join().ok())
    })
    .unwrap_or_else(|| Err(too_deep()))
}

/// An upper bound on how deep the parser nests on `text`, from one pass over
/// its bytes. Every open bracket and JSX tag counts, and so does every token
/// that can start an unbracketed nesting (`=`, `=>`, `?`, `!`, `-`, `<`,
/// `new`, `await`, `extends`, `while`, …) until the end of its statement or
/// list item (`;`, `,`, a closing `}`). Strings, comments and template text
/// are skipped. Real code stays in the dozens; over-counting only reserves
/// more stack.
pub fn nesting_bound(text: &str) -> usize {
    /// An open bracket: its closer, whether it is a template's `${`, and
    /// the chain tokens and JSX tags counted inside it.
    struct Frame {
        closer: u8,
        template: bool,
        chain: usize,
        tags: usize,
    }
    let b = text.as_bytes();
    let mut frames = vec![Frame {
        closer: 0,
        template: false,
        chain: 0,
        tags: 0,
    }];
    // Sum over the frames of 1 + chain + tags.
    let mut total = 1usize;
    let mut max = total;
    let mut i = 0usize;
    let mut in_template = false;
    macro_rules! top {
        () => {
            frames.last_mut().expect("the outer frame is never popped")
        };
    }
    macro_rules! chain {
        () => {{
            top!().chain += 1;
            total += 1;
            max = max.max(total);
        }};
    }
    while i < b.len() {
        if in_template {
            match b[i] {
                b'\\' => i += 2,
                b'`' => {
                    in_template = false;
                    i += 1;
                }
                b'$' if b.get(i + 1) == Some(&b'{') => {
                    in_template = false;
                    frames.push(Frame {
                        closer: b'}',
                        template: true,
                        chain: 0,
                        tags: 0,
                    });
                    total += 1;
                    max = max.max(total);
                    i += 2;
                }
                _ => i += 1,
            }
            continue;
        }
        let c = b[i];
        let next = b.get(i + 1).copied().unwrap_or(0);
        match c {
            b'/' if next == b'/' => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
                continue;
            }
            b'/' if next == b'*' => {
                i = memchr::memmem::find(&b[i + 2..], b"*/").map_or(b.len(), |n| i + 2 + n + 2);
                continue;
            }
            b'/' if next == b'>' => {
                let t = top!();
                if t.tags > 0 {
                    t.tags -= 1;
                    total -= 1;
                }
                i += 2;
                continue;
            }
            b'\'' | b'"' => {
                i += 1;
                while i < b.len() && b[i] != c && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                continue;
            }
            b'`' => in_template = true,
            b'(' | b'[' | b'{' => {
                frames.push(Frame {
                    closer: match c {
                        b'(' => b')',
                        b'[' => b']',
                        _ => b'}',
                    },
                    template: false,
                    chain: 0,
                    tags: 0,
                });
                total += 1;
                max = max.max(total);
            }
            b')' | b']' | b'}' if frames.len() > 1 && top!().closer == c => {
                let f = frames.pop().expect("checked");
                total -= 1 + f.chain + f.tags;
                if f.template {
                    in_template = true;
                } else if c == b'}' {
                    // A block or object ended: so did its statement, most
                    // likely.
                    let t = top!();
                    total -= t.chain;
                    t.chain = 0;
                }
            }
            b';' | b',' => {
                let t = top!();
                total -= t.chain;
                t.chain = 0;
            }
            b'=' if matches!(next, b'=') => {
                i += if b.get(i + 2) == Some(&b'=') { 3 } else { 2 };
                continue;
            }
            b'=' | b'?' | b'!' | b'~' | b'-' | b'+' => {
                let doubled =
                    next == c || (c == b'?' && next == b'.') || (c == b'!' && next == b'=');
                if doubled {
                    i += 2;
                    continue;
                }
                chain!();
            }
            b'<' if next == b'/' => {
                let t = top!();
                if t.tags > 0 {
                    t.tags -= 1;
                    total -= 1;
                }
            }
            b'<' if next != b'<' && next != b'=' => {
                top!().tags += 1;
                total += 1;
                max = max.max(total);
            }
            _ if c.is_ascii_alphabetic() || c == b'_' || c == b'$' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$')
                {
                    i += 1;
                }
                if matches!(
                    &b[start..i],
                    b"new"
                        | b"await"
                        | b"typeof"
                        | b"void"
                        | b"delete"
                        | b"yield"
                        | b"extends"
                        | b"while"
                        | b"for"
                        | b"if"
                        | b"else"
                        | b"do"
                        | b"with"
                        | b"keyof"
                ) {
                    chain!();
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    max
}

fn parse_here(path: &Path, text: &str) -> Result<Parsed, ParseError> {
    install_quiet_hook();
    let syntax = syntax_for(path);
    QUIET_PANICS.with(|q| q.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        let end = BASE + text.len() as u32;
        let input = StringInput::new(text, BytePos(BASE), BytePos(end));
        let mut parser = Parser::new(syntax, input, None);
        let program = parser.parse_program();
        let errors = parser.take_errors();
        (program, errors)
    }));
    QUIET_PANICS.with(|q| q.set(false));
    let to_err = |e: swc_ecma_parser::error::Error| {
        use swc_common::Spanned;
        let s = e.span();
        ParseError {
            span: Span::new(s.lo.0.saturating_sub(BASE), s.hi.0.saturating_sub(BASE)),
            message: e.kind().msg().to_string(),
            too_deep: false,
        }
    };
    match result {
        Ok((Ok(program), recoverable)) => Ok(Parsed {
            program,
            recovered: recoverable.into_iter().next().map(to_err),
        }),
        Ok((Err(e), _)) => Err(to_err(e)),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            Err(ParseError {
                span: Span::new(0, 0),
                message: format!("the parser failed on this file ({msg})"),
                too_deep: false,
            })
        }
    }
}

/// Whether `text` parses without any syntax error. Runs on a thread of its
/// own with a large stack and takes the tree apart without recursion, so
/// that a deeply nested file cannot overflow the caller's stack (`--fix`
/// runs on the main thread).
pub fn parses_cleanly(path: &Path, text: &str) -> bool {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(256 * 1024 * 1024)
            .spawn_scoped(s, || match parse(path, text) {
                Ok(p) => {
                    let clean = p.recovered.is_none();
                    crate::depth::drop_deep(p.program);
                    clean
                }
                Err(_) => false,
            })
            .ok()
            .and_then(|h| h.join().ok())
            .unwrap_or(false)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ts_and_reports_errors_with_positions() {
        assert!(parse(Path::new("a.ts"), "const x: number = 1;").is_ok());
        let err = parse(Path::new("a.ts"), "const x = ;").unwrap_err();
        assert_eq!(err.span.start, 10);
    }

    #[test]
    fn jsx_in_js_and_tsx() {
        assert!(parse(Path::new("a.jsx"), "const a = <div>{x}</div>;").is_ok());
        assert!(parse(Path::new("a.js"), "const a = <div/>;").is_ok());
        assert!(parse(Path::new("a.tsx"), "const a = <T,>(x: T) => <div/>;").is_ok());
    }

    #[test]
    fn parser_panics_become_errors() {
        // swc_ecma_parser 47 hits `unreachable!` on this JSX name.
        let r = parse(Path::new("a.jsx"), "<a:b.c />");
        assert!(r.is_err() || r.is_ok());
    }
}
