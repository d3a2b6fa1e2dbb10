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

/// Stack the parser may need per byte of source. swc recurses once or more
/// per nesting level (parentheses, JSX elements, `class extends`, arrows)
/// and only a few of its paths grow the stack on demand; one level costs up
/// to about 5 KiB and can take a single byte of source, so this is a bound
/// with a margin, measured on the deepest constructs.
const STACK_PER_BYTE: usize = 8 * 1024;
/// Files this small are parsed on the caller's thread: the engine's workers
/// have 256 MiB stacks, more than such a file can use.
const IN_PLACE_BYTES: usize = 32 * 1024;

/// Parses `text`. A fatal error (or a parser panic) gives no tree.
///
/// A larger file is parsed on a thread of its own whose stack is sized to
/// the file, so that no nesting the file can hold overflows it (the stack
/// is reserved, not used: only a deep file touches it).
pub fn parse(path: &Path, text: &str) -> Result<Parsed, ParseError> {
    if text.len() <= IN_PLACE_BYTES {
        return parse_here(path, text);
    }
    let stack = text
        .len()
        .saturating_mul(STACK_PER_BYTE)
        .max(256 * 1024 * 1024);
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("qstash-lint-parse".into())
            .stack_size(stack)
            .spawn_scoped(s, || parse_here(path, text))
            .ok()
            .and_then(|h| h.join().ok())
    })
    .unwrap_or_else(|| {
        Err(ParseError {
            span: Span::new(0, 0),
            message: format!(
                "not parsed: the {} MiB of stack needed to parse this file safely could not be reserved",
                stack >> 20
            ),
        })
    })
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
