//! The per-file stage run while the directory walk goes on.
//!
//! The walk is mostly waiting on the file system: alone, it kept about 1.3
//! of 2 cores busy. So the files it finds are read, surveyed and parsed as
//! it finds them, before their configs are known (the per-file stage does
//! not depend on them), and joined to their configs afterwards.

use super::{analyze, display_path, Analyzed, ConfigCache, Options};
use crate::config::Config;
use crate::discover::{self, Discovered};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A file's per-file stage if it ran during the walk. Boxed: the results
/// are moved a few times on one thread before they meet their configs.
pub(super) type Early = Option<Box<Analyzed>>;

/// Walks `roots` and runs the per-file stage on what the walk finds, as it
/// finds them. Returns the walk's result and, by the ids it gives files,
/// each file's stage if it ran: not for the editor's buffer at
/// `stdin_path` (read from the editor later), nor for what the config of a
/// single root leaves out (an `include` of one app of a monorepo must not
/// have the whole tree read; a config nested below may still take such a
/// file back, and it is read then). `configs` answers that root's config
/// and is dropped after: its lookups come before the walk's notes. `lap`
/// marks the walk's end.
pub(super) fn walk_and_analyze(
    opts: &Options,
    roots: &[PathBuf],
    stdin_path: Option<&Path>,
    mut configs: ConfigCache,
    lap: &(dyn Fn(&str) + Sync),
) -> (Discovered, Vec<Early>) {
    // `configs` is a cache of its own: before this walk, the notes of the
    // last one may be stale (a language server's), which may cost time here
    // but must not decide a file's config. A root config that does not
    // load is reported later, only if a file needs it.
    let root_config = match roots {
        [root] => configs.for_root(root).ok(),
        _ => None,
    };
    let placeholder = Arc::new(Config::defaults(&opts.cwd));
    let done: Mutex<Vec<(usize, Box<Analyzed>)>> = Mutex::new(Vec::new());
    let discovered = rayon::scope(|s| {
        let (done, placeholder, root_config) = (&done, &placeholder, &root_config);
        let each = |batch: Vec<(usize, PathBuf)>| {
            s.spawn(move |_| {
                let analyzed: Vec<(usize, Box<Analyzed>)> = batch
                    .into_iter()
                    .filter(|(_, p)| stdin_path != Some(p.as_path()))
                    .filter(|(_, p)| root_config.as_ref().is_none_or(|c| c.selects(p)))
                    .map(|(id, path)| {
                        let display = display_path(&path, &opts.cwd);
                        (id, Box::new(analyze(path, display, placeholder.clone())))
                    })
                    .collect();
                done.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend(analyzed);
            });
        };
        // Half the cores walk, and the rest read what it finds meanwhile:
        // on two cores one walker was as fast as two.
        let walk_threads = (rayon::current_num_threads() / 2).max(1);
        let discovered = discover::discover_each(roots, opts.no_ignore, walk_threads, &each);
        lap("walked");
        discovered
    });
    let mut by_id: Vec<Early> = Vec::new();
    for (id, a) in done.into_inner().unwrap_or_else(|e| e.into_inner()) {
        if by_id.len() <= id {
            by_id.resize_with(id + 1, || None);
        }
        by_id[id] = Some(a);
    }
    (discovered, by_id)
}
