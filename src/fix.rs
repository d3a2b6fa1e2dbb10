//! Applying fixes (`check --fix`, `--unsafe-fixes`): edits from the
//! diagnostics, applied per file without overlaps, kept only when the file
//! still parses.

use crate::diagnostic::{Applicability, Span};
use crate::engine::Outcome;
use std::collections::BTreeMap;
use std::path::Path;

/// Applies the fixes of `outcome` to the files under `cwd` (safe ones, and
/// unsafe ones too when `unsafe_fixes`); returns how many files changed.
pub fn apply(outcome: &Outcome, cwd: &Path, unsafe_fixes: bool) -> usize {
    let mut by_file: BTreeMap<&str, Vec<(Span, String)>> = BTreeMap::new();
    for d in &outcome.diagnostics {
        let Some(fix) = &d.fix else { continue };
        if fix.applicability == Applicability::Unsafe && !unsafe_fixes {
            continue;
        }
        by_file
            .entry(&d.path)
            .or_default()
            .extend(fix.edits.iter().cloned());
    }
    let mut changed = 0;
    for (display, mut edits) in by_file {
        let path = cwd.join(display);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Some(fixed) = apply_edits(&text, &mut edits) else {
            continue;
        };
        // Never leave a file that does not parse.
        let parses = crate::parse::parses_cleanly(&path, &fixed);
        if fixed != text && parses && write(&path, &fixed).is_ok() {
            changed += 1;
        }
    }
    changed
}

/// The text with the edits applied, skipping edits that overlap an earlier
/// one; `None` when an edit is out of bounds.
fn apply_edits(text: &str, edits: &mut [(Span, String)]) -> Option<String> {
    edits.sort_by_key(|(s, _)| (s.start, s.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    for (span, new) in edits.iter() {
        let (start, end) = (span.start as usize, span.end as usize);
        if start < at {
            continue;
        }
        out.push_str(text.get(at..start)?);
        out.push_str(new);
        at = end;
    }
    out.push_str(text.get(at..)?);
    Some(out)
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_edits_are_skipped() {
        let mut edits = vec![
            (Span::new(0, 4), "X".to_string()),
            (Span::new(2, 6), "Y".to_string()),
            (Span::new(8, 8), "!".to_string()),
        ];
        assert_eq!(
            apply_edits("abcdefgh", &mut edits).as_deref(),
            Some("Xefgh!")
        );
    }
}
