//! Reading files and deciding what can be linted: text, size, minified code.

use crate::diagnostic::Notice;
use std::path::Path;

/// Files larger than this are not parsed (their secrets are still scanned).
pub const MAX_PARSE_BYTES: usize = 8 * 1024 * 1024;
/// Files with more `else if` than this are not parsed.
pub const MAX_ELSE_IF: usize = 2_000;
/// Files larger than this are not read at all.
pub const MAX_READ_BYTES: u64 = 64 * 1024 * 1024;

/// What reading a file gave.
pub enum Loaded {
    /// UTF-8 text.
    Text(String),
    /// Nothing to lint, with the reason.
    Skipped(Notice),
}

/// Reads `path`, turning every way it can go wrong into a [`Notice`].
pub fn load(path: &Path, display: &str) -> Loaded {
    let notice = |kind: &'static str, message: String| {
        Loaded::Skipped(Notice {
            path: display.to_string(),
            kind,
            message,
        })
    };
    match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_READ_BYTES => {
            return notice(
                "too-large",
                format!(
                    "skipped: {} MiB is over the 64 MiB limit",
                    m.len() / (1024 * 1024)
                ),
            )
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return notice(
                "vanished",
                "skipped: the file disappeared before it could be read".into(),
            )
        }
        Err(e) => return notice("unreadable", format!("skipped: cannot read the file ({e})")),
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return notice(
                "vanished",
                "skipped: the file disappeared before it could be read".into(),
            )
        }
        Err(e) => return notice("unreadable", format!("skipped: cannot read the file ({e})")),
    };
    if memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
        return notice(
            "binary",
            "skipped: binary file (it contains NUL bytes)".into(),
        );
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                // A BOM would shift every offset by three bytes; blank it out in place.
                text.replace_range(0..3, "   ");
            }
            Loaded::Text(text)
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            notice(
                "non-utf8",
                format!("skipped: not valid UTF-8 (first invalid byte at offset {at})"),
            )
        }
    }
}

/// Why a readable file is not parsed, if it is not.
pub fn parse_blocker(text: &str) -> Option<(&'static str, String)> {
    if text.len() > MAX_PARSE_BYTES {
        return Some((
            "too-large",
            format!(
                "not parsed: {} MiB is over the 8 MiB parse limit; secrets were still scanned",
                text.len() / (1024 * 1024)
            ),
        ));
    }
    // swc parses a chain of `else if` in time quadratic in its length.
    let chained = memchr::memmem::find_iter(text.as_bytes(), b"else if").count();
    if chained > MAX_ELSE_IF {
        return Some((
            "too-deep",
            format!("not parsed: {chained} `else if` branches (limit {MAX_ELSE_IF}): long chains take the parser quadratic time; secrets were still scanned"),
        ));
    }
    if looks_minified(text) {
        return Some((
            "minified",
            "not parsed: looks minified or generated; secrets were still scanned".into(),
        ));
    }
    None
}

/// The notice for a file whose syntax tree nests too deep to analyse.
pub fn too_deep() -> (&'static str, String) {
    (
        "too-deep",
        format!(
            "not linted: the code nests more than {} levels deep; secrets were still scanned",
            crate::depth::MAX_DEPTH
        ),
    )
}

/// Minified or bundled code: long and made of very long lines.
pub fn looks_minified(text: &str) -> bool {
    if text.len() < 64 * 1024 {
        return false;
    }
    let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1;
    text.len() / lines > 500
}

/// The module specifiers a file imports, found by a byte scan (`from "x"`,
/// `require("x")`, `import("x")`) without parsing: enough to tell whether a
/// file the prefilter passed over imports a QStash client from the project.
pub fn import_specifiers(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    // Searchers built once: this runs on every file the prefilter passes over.
    static NEEDLES: std::sync::OnceLock<[memchr::memmem::Finder<'static>; 3]> =
        std::sync::OnceLock::new();
    let needles = NEEDLES.get_or_init(|| {
        [b"from".as_slice(), b"require(", b"import("].map(memchr::memmem::Finder::new)
    });
    let mut out = Vec::new();
    for needle in needles {
        for at in needle.find_iter(bytes) {
            let mut i = at + needle.needle().len();
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let Some(&quote) = bytes.get(i) else { continue };
            if !matches!(quote, b'"' | b'\'' | b'`') {
                continue;
            }
            let start = i + 1;
            let Some(len) = bytes[start..]
                .iter()
                .take(300)
                .position(|&b| b == quote || b == b'\n')
            else {
                continue;
            };
            if bytes[start + len] != quote || len == 0 {
                continue;
            }
            if let Some(spec) = text.get(start..start + len) {
                out.push(spec.to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn import_specifiers_without_parsing() {
        let text = "import { a } from \"./a\";\nimport b from '@/lib/b'\nconst c = require(\"../c\");\nconst d = await import(`./d`);\nconst from = 1;\n";
        assert_eq!(
            super::import_specifiers(text),
            ["../c", "./a", "./d", "@/lib/b"]
        );
    }
}
