//! The send flow: follows each send's promise through the functions that
//! return or await it (senders), in any file, to the outermost call where
//! its failure is handled or lost (rules.md, `unhandled-publish` and
//! `floating-publish`).

use crate::diagnostic::Span;
use crate::facts::flow::{Escape, Fate, FlowCall, FlowTarget};
use crate::facts::guards::Guard;
use crate::facts::handlers::CallRef;
use crate::hash::{HashMap, HashSet};
use crate::link::Resolve;
use crate::receivers::{function_of, FileInput};
use std::ffi::OsString;
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
    /// The call is made at the top level of its module.
    pub top_level: bool,
}

/// A function of the project, by file and local name.
pub type FnKey = (PathBuf, String);

/// [`FnKey`] as the fixpoint and the caller maps hash it: the file as its
/// bytes. Hashing a `Path` walks its components, and these maps are asked
/// tens of thousands of times on a large project.
type Key = (OsString, String);

fn key(path: &Path, name: &str) -> Key {
    (path.as_os_str().to_owned(), name.to_string())
}

/// The function a call names, keyed for the maps below.
fn function_key(
    resolver: &impl Resolve,
    by_path: &crate::facts::FactsByPath,
    from: &Path,
    r: &CallRef,
) -> Option<Key> {
    function_of(resolver, by_path, from, r).map(|(p, n)| (p.into_os_string(), n))
}

/// A sender: a send it reaches, and the parameter guard that every call
/// of it that reaches a send is made under (`None`: some call is not).
#[derive(Clone)]
struct Sender {
    reach: (PathBuf, Span),
    guard: Option<Guard>,
}

/// What one flow call calls, resolved once.
#[derive(Clone)]
enum Callee {
    /// A send of the same file, by its callee's span.
    Send(Span),
    /// A project function.
    Function(Key),
}

/// Every flow call of every file with its callee, resolved once: the
/// fixpoint below asks about each call in every round, and resolving an
/// imported call walks imports and re-exports.
fn callees(
    files: &[FileInput],
    resolver: &impl Resolve,
    by_path: &crate::facts::FactsByPath,
) -> Vec<Vec<Option<Callee>>> {
    files
        .iter()
        .map(|f| {
            let mut sends: HashMap<Span, Span> = HashMap::default();
            for s in &f.facts.sends {
                sends.entry(s.span).or_insert(s.callee);
            }
            f.facts
                .flow
                .iter()
                .map(|c| match &c.target {
                    FlowTarget::Send(span) => sends.get(span).copied().map(Callee::Send),
                    FlowTarget::Function(r) => {
                        function_key(resolver, by_path, f.path, r).map(Callee::Function)
                    }
                })
                .collect()
        })
        .collect()
}

/// The project's senders: named functions that return or await (outside
/// `try`) a send or a call of another sender, in any file, each with a send
/// it reaches.
pub fn senders(files: &[FileInput], resolver: &impl Resolve) -> HashMap<FnKey, (PathBuf, Span)> {
    let by_path: crate::facts::FactsByPath = files.iter().map(|f| (f.path, f.facts)).collect();
    senders_of(files, &callees(files, resolver, &by_path))
        .into_iter()
        .map(|((file, name), s)| ((PathBuf::from(file), name), s.reach))
        .collect()
}

fn senders_of(files: &[FileInput], callees: &[Vec<Option<Callee>>]) -> HashMap<Key, Sender> {
    let mut senders: HashMap<Key, Sender> = HashMap::default();
    // Each round adds senders or drops guards, never the reverse, so it
    // settles.
    for _ in 0..16 {
        let mut changed = false;
        for (f, targets) in files.iter().zip(callees) {
            for (c, target) in f.facts.flow.iter().zip(targets) {
                let Some(frame) = c.frame.as_ref().filter(|fr| !fr.name.is_empty()) else {
                    continue;
                };
                if !matches!(c.fate, Fate::Awaited | Fate::Returned) {
                    continue;
                }
                let key = key(f.path, &frame.name);
                if senders.get(&key).is_some_and(|s| s.guard.is_none()) {
                    continue;
                }
                let Some(reach) = reaches(f, c, target, &senders) else {
                    continue;
                };
                match senders.get_mut(&key) {
                    None => {
                        senders.insert(
                            key,
                            Sender {
                                reach,
                                guard: c.guard.clone(),
                            },
                        );
                        changed = true;
                    }
                    Some(s) if s.guard != c.guard => {
                        s.guard = None;
                        changed = true;
                    }
                    Some(_) => {}
                }
            }
        }
        if !changed {
            break;
        }
    }
    senders
}

/// Finds the unhandled and floating sends of every file.
///
/// `receiving` holds, per file, the extent of the handlers that receive
/// QStash messages: a failing send there makes QStash retry, the intent.
/// `depends` answers whether a file's package depends on a package (the
/// RPC frameworks that catch what their procedures throw).
pub fn analyze(
    files: &[FileInput],
    resolver: &impl Resolve,
    receiving: &HashMap<PathBuf, Vec<Span>>,
    depends: &dyn Fn(&Path, &str) -> bool,
) -> HashMap<PathBuf, Vec<FlowFinding>> {
    let by_path: crate::facts::FactsByPath = files.iter().map(|f| (f.path, f.facts)).collect();
    let callees = callees(files, resolver, &by_path);
    let senders = senders_of(files, &callees);
    let function = |from: &Path, r: &CallRef| function_key(resolver, &by_path, from, r);
    // Functions with callers in the project: their rejections go there.
    let called: HashSet<Key> = callees
        .iter()
        .flatten()
        .filter_map(|c| match c {
            Some(Callee::Function(key)) => Some(key.clone()),
            _ => None,
        })
        .collect();
    // Functions used as values: stored in an object or a variable, or
    // handed to a function, with the file that does it.
    let mut handed: HashMap<Key, Vec<(&Path, &Escape)>> = HashMap::default();
    for f in files {
        for (r, escape) in &f.facts.flow_value_refs {
            if let Some(key) = function(f.path, r) {
                handed.entry(key).or_default().push((f.path, escape));
            }
        }
    }
    // Objects whose methods are called: on them directly, or through where
    // they are stored or handed.
    let mut used_objects: HashSet<Key> = HashSet::default();
    for f in files {
        used_objects.extend(
            f.facts
                .member_calls
                .iter()
                .filter_map(|r| function(f.path, r)),
        );
    }
    // Whether a function handed somewhere has callers that take its
    // rejections: an object's or an instance's (not visible), or a project
    // function's it is handed to.
    let escapes_once = |path: &Path, escape: &Escape| match escape {
        Escape::Always => true,
        // Handed to a project function: a wrapper that calls it inside
        // `try`/`catch` handles its rejection, one that calls it outside
        // passes it on to its own callers (the framework, which handles
        // nothing), and one that only stores it (a registry) calls it
        // from places the link does not see.
        Escape::Via(r) => match function(path, r) {
            Some((file, name)) => by_path.get(Path::new(&file)).is_some_and(|facts| {
                let calls: Vec<bool> = facts
                    .param_calls
                    .iter()
                    .filter(|(n, _)| *n == name)
                    .map(|(_, in_try)| *in_try)
                    .collect();
                calls.is_empty() || calls.contains(&true)
            }),
            // A project module that was not parsed (it never mentions
            // QStash): what it does with the callback is not known.
            None => match r {
                CallRef::Imported(i) => resolver.resolve(path, &i.specifier).is_some(),
                _ => false,
            },
        },
        // A procedure's resolver: its framework answers the client with the
        // error, where the file's package uses that framework.
        Escape::Procedure(package) => depends(path, package),
        Escape::No | Escape::Object(_) => false,
    };
    for (key, uses) in &handed {
        if uses.iter().any(|(p, e)| escapes_once(p, e)) {
            used_objects.insert(key.clone());
        }
    }
    let escapes = |path: &Path, escape: &Escape| match escape {
        Escape::Object(name) => used_objects.contains(&key(path, name)),
        other => escapes_once(path, other),
    };
    // Whether a frame's rejections go to callers: its visible ones, or
    // those it escapes to.
    let passes_on = |path: &Path, frame: &crate::facts::flow::Frame| {
        if escapes(path, &frame.escape) {
            return true;
        }
        if frame.name.is_empty() {
            return false;
        }
        let key = key(path, &frame.name);
        called.contains(&key)
            || handed
                .get(&key)
                .is_some_and(|uses| uses.iter().any(|(p, e)| escapes(p, e)))
    };
    let mut out: HashMap<PathBuf, Vec<FlowFinding>> = HashMap::default();
    for (f, targets) in files.iter().zip(&callees) {
        let exempt = receiving.get(f.path).map(Vec::as_slice).unwrap_or_default();
        for (c, target) in f.facts.flow.iter().zip(targets) {
            let Some(reach) = reaches(f, c, target, &senders) else {
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
                    if c.frame.as_ref().is_some_and(|fr| passes_on(f.path, fr)) {
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
                    top_level: c.frame.is_none(),
                });
        }
    }
    out
}

/// The send a call reaches: itself (a send still present after the link),
/// or through the sender it calls, unless the call leaves out the
/// parameter every send of that sender is guarded by.
fn reaches(
    f: &FileInput,
    c: &FlowCall,
    target: &Option<Callee>,
    senders: &HashMap<Key, Sender>,
) -> Option<(PathBuf, Span)> {
    match target.as_ref()? {
        Callee::Send(callee) => Some((f.path.to_path_buf(), *callee)),
        Callee::Function(key) => {
            let s = senders.get(key)?;
            if let (Some(g), Some(args)) = (&s.guard, &c.args) {
                if g.unsatisfied(args) {
                    return None;
                }
            }
            Some(s.reach.clone())
        }
    }
}
