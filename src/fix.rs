//! Applying fixes (`check --fix`, `--unsafe-fixes`, `--diff`): edits from
//! the diagnostics, a diagnostic's edits taken whole or not at all, kept
//! only when the file still parses.

use crate::diagnostic::{Applicability, Diagnostic, Span};
use crate::engine::Outcome;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One file's fixes, worked out but not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFix {
    /// The display path of the file.
    pub display: String,
    /// Where the file is.
    pub path: PathBuf,
    /// Its text before.
    pub before: String,
    /// Its text with the fixes applied.
    pub after: String,
    /// How many diagnostics the fixes settle.
    pub fixes: usize,
}

/// Whether `--fix` applies the fix of `d` (unsafe ones only with
/// `--unsafe-fixes`).
pub fn applies(d: &Diagnostic, unsafe_fixes: bool) -> bool {
    d.fix.as_ref().is_some_and(|f| {
        !f.edits.is_empty() && (f.applicability == Applicability::Safe || unsafe_fixes)
    })
}

/// The fixes of `outcome` for the files under `cwd` that change them and
/// still parse, by path. `buffer` is a file whose text comes from stdin: its
/// fixes apply to that text, not to the file on disk, and no other file is
/// fixed.
pub fn plan(
    outcome: &Outcome,
    cwd: &Path,
    unsafe_fixes: bool,
    buffer: Option<(&Path, &str)>,
) -> Vec<FileFix> {
    let mut by_file: BTreeMap<&str, Vec<Vec<(Span, String)>>> = BTreeMap::new();
    for d in outcome
        .diagnostics
        .iter()
        .filter(|d| applies(d, unsafe_fixes))
    {
        if let Some(fix) = &d.fix {
            by_file.entry(&d.path).or_default().push(fix.edits.clone());
        }
    }
    let mut out = Vec::new();
    for (display, fixes) in by_file {
        let path = cwd.join(display);
        let text = match buffer {
            Some((p, text)) if p == path => text.to_string(),
            Some(_) => continue,
            None => match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(_) => continue,
            },
        };
        let Some((after, applied)) = apply_fixes(&text, fixes) else {
            continue;
        };
        // Never leave a file that does not parse.
        if after != text && crate::parse::parses_cleanly(&path, &after) {
            out.push(FileFix {
                display: display.to_string(),
                path,
                before: text,
                after,
                fixes: applied,
            });
        }
    }
    out
}

/// Writes the fixed files (keeping their mode and owner, through symlinks);
/// returns how many diagnostics the written fixes settle.
pub fn write(fixes: &[FileFix]) -> usize {
    let mut settled = 0;
    for f in fixes {
        match crate::safe_write::replace_source(&f.path, &f.after) {
            Ok(()) => settled += f.fixes,
            Err(e) => eprintln!("qstash-lint: cannot write the fixes to {}: {e}", f.display),
        }
    }
    settled
}

/// A unified diff of the fixes, file by file.
pub fn diff(fixes: &[FileFix]) -> String {
    let mut out = String::new();
    for f in fixes {
        let a = format!("a/{}", f.display);
        let b = format!("b/{}", f.display);
        out.push_str(
            &similar::TextDiff::from_lines(&f.before, &f.after)
                .unified_diff()
                .header(&a, &b)
                .to_string(),
        );
    }
    out
}

/// The text with the fixes applied and how many were. A fix whose edit
/// overlaps an edit before it is left out whole (half a fix could say
/// something else); the next round of `--fix` takes it up. `None` when an
/// edit is out of bounds.
fn apply_fixes(text: &str, fixes: Vec<Vec<(Span, String)>>) -> Option<(String, usize)> {
    let mut edits: Vec<(usize, Span, String)> = fixes
        .into_iter()
        .enumerate()
        .flat_map(|(i, f)| f.into_iter().map(move |(s, t)| (i, s, t)))
        .collect();
    edits.sort_by_key(|(i, s, _)| (s.start, s.end, *i));
    let count = edits.iter().map(|(i, ..)| i + 1).max().unwrap_or(0);
    let mut dropped = vec![false; count];
    let mut reach = 0u32;
    for (i, span, _) in &edits {
        if span.start < reach {
            dropped[*i] = true;
        }
        reach = reach.max(span.end);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    for (_, span, new) in edits.iter().filter(|(i, ..)| !dropped[*i]) {
        let (start, end) = (span.start as usize, span.end as usize);
        out.push_str(text.get(at..start)?);
        out.push_str(new);
        at = end;
    }
    out.push_str(text.get(at..)?);
    Some((out, dropped.iter().filter(|d| !**d).count()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(start: u32, end: u32, new: &str) -> (Span, String) {
        (Span::new(start, end), new.to_string())
    }

    #[test]
    fn overlapping_fixes_are_left_out_whole() {
        let fixes = vec![
            vec![edit(0, 4, "X")],
            // Overlaps the first: neither of its edits is applied.
            vec![edit(2, 6, "Y"), edit(7, 7, "?")],
            vec![edit(8, 8, "!")],
        ];
        assert_eq!(
            apply_fixes("abcdefgh", fixes),
            Some(("Xefgh!".to_string(), 2))
        );
    }

    #[test]
    fn inserts_at_one_place_and_out_of_bounds() {
        let fixes = vec![vec![edit(1, 1, "1")], vec![edit(1, 1, "2")]];
        assert_eq!(apply_fixes("ab", fixes), Some(("a12b".to_string(), 2)));
        assert_eq!(apply_fixes("ab", vec![vec![edit(1, 9, "")]]), None);
    }
}
