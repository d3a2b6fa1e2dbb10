//! The send flow: follows each send's promise through the functions that
//! return or await it (senders), in any file, to the outermost call where
//! its failure is handled or lost (rules.md, `unhandled-publish` and
//! `floating-publish`).

use crate::diagnostic::Span;
use crate::facts::flow::{Fate, FlowCall, FlowTarget};
use crate::facts::handlers::CallRef;
use crate::facts::FileFacts;
use crate::link::Resolve;
use crate::receivers::{export_local, FileInput};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Which send-flow rule a finding belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowRule {
    /// A rejection nobody handles.
    Unhandled,
    /// A promise nobody waits for.
    Floating,
}

/// One finding of the send flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowFinding {
    /// The rule.
    pub rule: FlowRule,
    /// The call's callee: the primary span.
    pub callee: Span,
    /// The call is of a sender, not a send: the send it reaches.
    pub reaches: Option<(PathBuf, Span)>,
    /// How the promise is lost (`KeptAlive`: handed to `waitUntil`).
    pub fate: Fate,
}

/// A function of the project, by file and local name.
pub type FnKey = (PathBuf, String);

/// Resolves a call to the project function it calls.
fn resolver_of<'a>(
    by_path: &'a HashMap<&'a Path, &'a FileFacts>,
    resolver: &'a impl Resolve,
) -> impl Fn(&Path, &CallRef) -> Option<FnKey> + 'a {
    move |from: &Path, c: &CallRef| match c {
        CallRef::Local(name) => Some((from.to_path_buf(), name.clone())),
        CallRef::Imported(r) => {
            let target = resolver.resolve(from, &r.specifier)?;
            export_local(&target, &r.name, by_path, resolver, 0)
        }
        CallRef::Inline(_) => None,
    }
}

/// The project's senders: named functions that return or await (outside
/// `try`) a send or a call of another sender, in any file, each with a send
/// it reaches.
pub fn senders(files: &[FileInput], resolver: &impl Resolve) -> HashMap<FnKey, (PathBuf, Span)> {
    let by_path: HashMap<&Path, &FileFacts> = files.iter().map(|f| (f.path, f.facts)).collect();
    let resolve = resolver_of(&by_path, resolver);
    let mut senders: HashMap<FnKey, (PathBuf, Span)> = HashMap::new();
    for _ in 0..16 {
        let mut added = false;
        for f in files {
            for c in &f.facts.flow {
                let Some(frame) = c.frame.as_ref().filter(|fr| !fr.name.is_empty()) else {
                    continue;
                };
                if !matches!(c.fate, Fate::Awaited | Fate::Returned) {
                    continue;
                }
                let key = (f.path.to_path_buf(), frame.name.clone());
                if senders.contains_key(&key) {
                    continue;
                }
                if let Some(reach) = reaches(f, c, &senders, &resolve) {
                    senders.insert(key, reach);
                    added = true;
                }
            }
        }
        if !added {
            break;
        }
    }
    senders
}

/// Finds the unhandled and floating sends of every file.
///
/// `receiving` holds, per file, the extent of the handlers that receive
/// QStash messages: a failing send there makes QStash retry, the intent.
pub fn analyze(
    files: &[FileInput],
    resolver: &impl Resolve,
    receiving: &HashMap<PathBuf, Vec<Span>>,
) -> HashMap<PathBuf, Vec<FlowFinding>> {
    let by_path: HashMap<&Path, &FileFacts> = files.iter().map(|f| (f.path, f.facts)).collect();
    let resolve = resolver_of(&by_path, resolver);
    let senders = senders(files, resolver);
    // Functions with callers in the project: their rejections go there.
    let mut called: HashSet<FnKey> = HashSet::new();
    for f in files {
        for c in &f.facts.flow {
            if let FlowTarget::Function(r) = &c.target {
                if let Some(key) = resolve(f.path, r) {
                    called.insert(key);
                }
            }
        }
    }
    let mut out: HashMap<PathBuf, Vec<FlowFinding>> = HashMap::new();
    for f in files {
        let exempt = receiving.get(f.path).map(Vec::as_slice).unwrap_or_default();
        for c in &f.facts.flow {
            let Some(reach) = reaches(f, c, &senders, &resolve) else {
                continue;
            };
            if exempt.iter().any(|h| h.contains(c.span)) {
                continue;
            }
            let rule = match c.fate {
                Fate::Handled | Fate::Unknown | Fate::Returned => continue,
                Fate::Floating | Fate::Voided => FlowRule::Floating,
                Fate::KeptAlive => FlowRule::Unhandled,
                Fate::Awaited => {
                    let passes_on = c
                        .frame
                        .as_ref()
                        .filter(|fr| !fr.name.is_empty())
                        .is_some_and(|fr| {
                            called.contains(&(f.path.to_path_buf(), fr.name.clone()))
                        });
                    if passes_on {
                        continue;
                    }
                    FlowRule::Unhandled
                }
            };
            let reaches = match c.target {
                FlowTarget::Send(_) => None,
                FlowTarget::Function(_) => Some(reach),
            };
            out.entry(f.path.to_path_buf())
                .or_default()
                .push(FlowFinding {
                    rule,
                    callee: c.callee,
                    reaches,
                    fate: c.fate,
                });
        }
    }
    out
}

/// The send a call reaches: itself (a send still present after the link),
/// or through the sender it calls.
fn reaches(
    f: &FileInput,
    c: &FlowCall,
    senders: &HashMap<FnKey, (PathBuf, Span)>,
    resolve: &impl Fn(&Path, &CallRef) -> Option<FnKey>,
) -> Option<(PathBuf, Span)> {
    match &c.target {
        FlowTarget::Send(span) => {
            let send = f.facts.sends.iter().find(|s| s.span == *span)?;
            Some((f.path.to_path_buf(), send.callee))
        }
        FlowTarget::Function(r) => senders.get(&resolve(f.path, r)?).cloned(),
    }
}
