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
    /// Not UTF-8 text (a binary, one Latin-1 byte, UTF-16): not linted, with
    /// the reason, but its secrets are still scanned (a token in a binary is
    /// still a leak) in `scan`, a text made for that scan and for the
    /// reporters' lines and columns.
    NotText {
        /// The secrets' stand-in text: the bytes with every byte that is
        /// not printable ASCII replaced (byte offsets unchanged), or the
        /// decoded UTF-16.
        scan: String,
        /// Why it is not linted.
        notice: Notice,
    },
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
    let vanished = || {
        notice(
            "vanished",
            "skipped: the file disappeared before it could be read".into(),
        )
    };
    // Opened once and measured through the handle: a `stat` by path and
    // then `fs::read` (which measures the handle again) was one system
    // call per file of the tree more.
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return vanished(),
        Err(e) => return notice("unreadable", format!("skipped: cannot read the file ({e})")),
    };
    let len = match file.metadata() {
        Ok(m) => m.len(),
        Err(e) => return notice("unreadable", format!("skipped: cannot read the file ({e})")),
    };
    if len > MAX_READ_BYTES {
        return notice(
            "too-large",
            format!(
                "skipped: {} MiB is over the 64 MiB limit",
                len / (1024 * 1024)
            ),
        );
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0).saturating_add(1));
    // Bounded even if the file grows after it was measured.
    if let Err(e) = std::io::Read::read_to_end(
        &mut std::io::Read::take(&mut file, MAX_READ_BYTES + 1),
        &mut bytes,
    ) {
        return notice("unreadable", format!("skipped: cannot read the file ({e})"));
    }
    let not_text = |scan: String, kind: &'static str, message: String| Loaded::NotText {
        scan,
        notice: Notice {
            path: display.to_string(),
            kind,
            message,
        },
    };
    if let Some(text) = decode_utf16(&bytes) {
        return not_text(
            text,
            "utf16",
            "not linted: UTF-16 text (only UTF-8 is linted); secrets were still scanned".into(),
        );
    }
    if memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
        return not_text(
            printable_ascii(&bytes),
            "binary",
            "not linted: binary file (it contains NUL bytes); secrets were still scanned".into(),
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
            not_text(
                printable_ascii(e.as_bytes()),
                "non-utf8",
                format!(
                    "not linted: not valid UTF-8 (first invalid byte at offset {at}); secrets were still scanned"
                ),
            )
        }
    }
}

/// `bytes` as ASCII text with the same byte offsets: every byte that is not
/// printable ASCII or a line break becomes `?` (secrets are printable ASCII,
/// so they are found alike, and lines and columns count bytes).
fn printable_ascii(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            b'\n' | b'\r' | b'\t' | 0x20..=0x7e => b as char,
            _ => '?',
        })
        .collect()
}

/// The text of a UTF-16 file: one with a byte order mark, or without one
/// whose first 8 KB has a zero byte in (nearly) every other position and
/// (nearly) none in the others, as ASCII-heavy source in UTF-16 has.
fn decode_utf16(bytes: &[u8]) -> Option<String> {
    let (body, big_endian) = match bytes {
        [0xff, 0xfe, rest @ ..] => (rest, false),
        [0xfe, 0xff, rest @ ..] => (rest, true),
        _ => {
            let head = &bytes[..bytes.len().min(8192)];
            let pairs = head.len() / 2;
            // UTF-16 without a byte order mark has zero bytes all over its
            // head; text without a single one (nearly every file) is not
            // worth counting byte by byte.
            if pairs < 2 || memchr::memchr(0, head).is_none() {
                return None;
            }
            let zeros = |offset: usize| {
                head.iter()
                    .skip(offset)
                    .step_by(2)
                    .filter(|&&b| b == 0)
                    .count()
            };
            let (even, odd) = (zeros(0), zeros(1));
            // Mostly ASCII: at least 40% of the units have a zero high byte,
            // and the low bytes are almost never zero.
            let looks = |high: usize, low: usize| high * 10 >= pairs * 4 && low * 20 < pairs;
            if looks(odd, even) {
                (bytes, false)
            } else if looks(even, odd) {
                (bytes, true)
            } else {
                return None;
            }
        }
    };
    let units = body.chunks_exact(2).map(|c| {
        if big_endian {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_le_bytes([c[0], c[1]])
        }
    });
    Some(
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    )
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
    let survey = crate::prefilter::survey(text);
    specifiers_after(text, survey.import_ends.into_iter())
}

/// The specifiers quoted right after the given ends of `from`, `require(`
/// and `import(` in `text` (see [`import_specifiers`]), sorted.
pub fn specifiers_after(text: &str, ends: impl Iterator<Item = usize>) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    {
        for end in ends {
            let mut i = end;
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
    fn utf16_with_and_without_a_byte_order_mark() {
        let text = "const a = \"é\";\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let mut bom = vec![0xff, 0xfe];
        bom.extend_from_slice(&le);
        for bytes in [&le, &be, &bom] {
            assert_eq!(super::decode_utf16(bytes).as_deref(), Some(text));
        }
        // Not UTF-16: UTF-8 text, and a binary with NULs here and there.
        assert_eq!(super::decode_utf16(text.as_bytes()), None);
        assert_eq!(super::decode_utf16(b"\0\0\x01x\nk = 'abc'\n"), None);
    }

    #[test]
    fn printable_ascii_keeps_offsets() {
        let s = super::printable_ascii(b"caf\xe9\0\tx\n");
        assert_eq!(s, "caf??\tx\n");
    }

    #[test]
    fn import_specifiers_without_parsing() {
        let text = "import { a } from \"./a\";\nimport b from '@/lib/b'\nconst c = require(\"../c\");\nconst d = await import(`./d`);\nconst from = 1;\n";
        assert_eq!(
            super::import_specifiers(text),
            ["../c", "./a", "./d", "@/lib/b"]
        );
    }
}
