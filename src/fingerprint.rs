//! Stable finding fingerprints: the same finding keeps its fingerprint when
//! unrelated lines are added or removed above it (used by SARIF's
//! `qstash-lint/v1` and by baselines).

use crate::engine::Outcome;
use crate::hash::HashMap;

/// FNV-1a over `parts`, each followed by a zero byte: small and stable
/// across platforms and releases.
pub fn fnv(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The text of 1-based `line` with all whitespace removed.
pub fn normalized_line(text: &str, line: u32) -> String {
    text.lines()
        .nth(line.saturating_sub(1) as usize)
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// One fingerprint per diagnostic of `outcome`, in order: a hash of the
/// rule, `path_of(display path)`, the primary line's text without
/// whitespace, and which occurrence of that triple it is.
pub fn fingerprints(outcome: &Outcome, path_of: impl Fn(&str) -> String) -> Vec<String> {
    let mut occurrences: HashMap<(&str, String, String), u32> = HashMap::default();
    outcome
        .diagnostics
        .iter()
        .map(|d| {
            let (start, _) = crate::report::range(outcome, &d.path, d.span);
            let text = outcome
                .sources
                .get(&d.path)
                .map(|src| normalized_line(&src.text, start.line))
                .unwrap_or_default();
            let path = path_of(&d.path);
            let n = occurrences
                .entry((d.rule, path.clone(), text.clone()))
                .or_insert(0);
            *n += 1;
            format!("{:016x}", fnv(&[d.rule, &path, &text, &n.to_string()]))
        })
        .collect()
}
