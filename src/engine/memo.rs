//! Files parsed in a later round (for imported values, importers of clients,
//! route targets), kept so that a language server that lints the same
//! project again and again reads and parses each of them once.

use super::Analyzed;
use crate::facts::FileFacts;
use crate::hash::HashMap;
use crate::parse;
use crate::source::{self, Loaded};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// A file read and parsed after the per-file stage.
pub(super) struct LateParse {
    /// Its text.
    pub text: String,
    /// Its facts, unlinked; `None` when it does not parse at all.
    pub facts: Option<Box<FileFacts>>,
    /// Its syntax error, recovered or not.
    pub error: Option<parse::ParseError>,
}

/// Late parses by path. `None` records a file that cannot be parsed
/// (unreadable, binary, minified), so it is not read again either.
#[derive(Default)]
pub(super) struct ParseMemo {
    parsed: Mutex<HashMap<PathBuf, Option<Arc<LateParse>>>>,
}

impl ParseMemo {
    fn lock(&self) -> MutexGuard<'_, HashMap<PathBuf, Option<Arc<LateParse>>>> {
        // A panic elsewhere cannot leave the map half-written: every
        // insert is a single call.
        self.parsed.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The late parse of `a`, from the memo or from the disk.
    pub fn get(&self, a: &Analyzed) -> Option<Arc<LateParse>> {
        // An editor's buffer changes with every keystroke: never memoised.
        if let Some(buffer) = &a.buffer {
            return late_parse_text(&a.path, buffer.to_string()).map(Arc::new);
        }
        if let Some(known) = self.lock().get(&a.path) {
            return known.clone();
        }
        // Parsed outside the lock so that workers parse in parallel; two
        // workers parsing the same file agree on the result.
        let parsed = late_parse(&a.path, &a.display).map(Arc::new);
        self.lock().insert(a.path.clone(), parsed.clone());
        parsed
    }

    /// Drops what is known of `path`, after it changed on disk.
    pub fn forget(&self, path: &Path) {
        self.lock().remove(path);
    }
}

fn late_parse(path: &Path, display: &str) -> Option<LateParse> {
    let Loaded::Text(text) = source::load(path, display) else {
        return None;
    };
    late_parse_text(path, text)
}

fn late_parse_text(path: &Path, text: String) -> Option<LateParse> {
    if source::parse_blocker(&text).is_some() {
        return None;
    }
    match super::parse_facts(path, &text) {
        super::FileParse::Facts(facts, error) => Some(LateParse { text, facts, error }),
        super::FileParse::TooDeep => None,
    }
}
