//! Baselines for adopting qstash-lint on existing code: `--write-baseline`
//! records today's findings, `--baseline` reports only the new ones.
//! Findings match by rule, path and fingerprint, so they survive lines
//! moving.

use crate::engine::Outcome;
use crate::hash::HashMap;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One recorded finding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Entry {
    /// Rule id.
    pub rule: String,
    /// Display path, `/`-separated.
    pub path: String,
    /// Stable fingerprint (see `fingerprint`).
    pub fingerprint: String,
    /// The message, for people reading the file.
    #[serde(default)]
    pub message: String,
}

/// A baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Format version.
    pub version: u32,
    /// Recorded findings, sorted.
    pub findings: Vec<Entry>,
}

fn entries(outcome: &Outcome) -> Vec<Entry> {
    let prints = crate::fingerprint::fingerprints(outcome, str::to_string);
    outcome
        .diagnostics
        .iter()
        .zip(prints)
        .map(|(d, fingerprint)| Entry {
            rule: d.rule.to_string(),
            path: d.path.clone(),
            fingerprint,
            message: d.message.clone(),
        })
        .collect()
}

/// The baseline of today's findings.
pub fn of(outcome: &Outcome) -> Baseline {
    let mut findings = entries(outcome);
    findings.sort_by(|a, b| {
        (&a.path, &a.rule, &a.fingerprint).cmp(&(&b.path, &b.rule, &b.fingerprint))
    });
    Baseline {
        version: 1,
        findings,
    }
}

/// Reads a baseline file.
pub fn load(path: &Path) -> Result<Baseline, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read the baseline: {e}", path.display()))?;
    let b: Baseline = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: invalid baseline: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    if b.version != 1 {
        return Err(format!(
            "{}: unsupported baseline version {}",
            path.display(),
            b.version
        ));
    }
    Ok(b)
}

/// Drops the diagnostics the baseline records (each entry absorbs one).
pub fn apply(outcome: &mut Outcome, baseline: &Baseline) {
    let mut known: HashMap<(&str, &str, &str), usize> = HashMap::default();
    for e in &baseline.findings {
        *known
            .entry((e.rule.as_str(), e.path.as_str(), e.fingerprint.as_str()))
            .or_insert(0) += 1;
    }
    let current = entries(outcome);
    let mut keep = Vec::with_capacity(current.len());
    for e in &current {
        let slot = known.get_mut(&(e.rule.as_str(), e.path.as_str(), e.fingerprint.as_str()));
        match slot {
            Some(n) if *n > 0 => {
                *n -= 1;
                keep.push(false);
            }
            _ => keep.push(true),
        }
    }
    let mut flags = keep.into_iter();
    outcome.diagnostics.retain(|_| flags.next().unwrap_or(true));
}
