//! `--corpus DIR`: the engine on real repositories, one per subdirectory
//! of DIR (`reports/` and hidden directories are skipped).
//!
//! For each repository, first one run in a child process (child.rs) gives
//! the peak RSS of a process that lints only that project, and proves the
//! run finishes: a child that fails, or runs past [`CAP`] and is killed,
//! is reported and the repository is skipped, and the rest go on. Then, in
//! this process, the prefiltered parse floor (`pass_parse(root, threads,
//! true)`) and the full `engine::run` are each timed `--runs` times, and
//! the medians are reported, the same way the main pass times them.

use crate::{child, median, pass_parse, pass_read, pool, time, Args};
use qstash_lint::engine;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A child run past this is killed and its repository skipped.
const CAP: Duration = Duration::from_secs(120);
/// Targets: every project under this many seconds…
const MAX_SECONDS: f64 = 1.0;
/// …the largest project within this multiple of its floor…
const MAX_FLOOR_RATIO: f64 = 2.0;
/// …and every peak RSS under this many MiB.
const MAX_PEAK_MIB: f64 = 150.0;

struct Row {
    name: String,
    files: usize,
    floor: f64,
    full: f64,
    diagnostics: usize,
    peak_mib: Option<f64>,
}

pub fn run(dir: &Path, args: &Args) -> Result<bool, String> {
    let mut repos: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name != "reports" && !name.starts_with('.')
        })
        .map(|e| e.path())
        .collect();
    repos.sort();
    if repos.is_empty() {
        return Err(format!("{} holds no repository directories", dir.display()));
    }
    let threads = pool(args.threads).current_num_threads();
    println!(
        "corpus {}: {} repositories, {} threads, warm cache, median of {} run{}; peak RSS from one child run each (killed after {} s)",
        dir.display(),
        repos.len(),
        threads,
        args.runs,
        if args.runs == 1 { "" } else { "s" },
        CAP.as_secs()
    );
    println!();
    println!(
        "{:<42} {:>6} {:>8} {:>11} {:>7} {:>9} {:>6} {:>9}",
        "repository", "files", "floor s", "qstash s", "ratio", "files/s", "diags", "peak MiB"
    );

    let mut rows: Vec<Row> = Vec::new();
    let mut failed: Vec<String> = Vec::new();
    for repo in &repos {
        let name = repo.file_name().map_or_else(
            || repo.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let root = match repo.canonicalize() {
            Ok(r) => r,
            Err(e) => {
                println!("{name:<42} skipped: {e}");
                failed.push(name);
                continue;
            }
        };
        let report = match child::run(&root, args.threads, CAP) {
            child::Outcome::Done(r) => r,
            child::Outcome::TimedOut(d) => {
                println!("{name:<42} skipped: killed after {:.0} s", d.as_secs_f64());
                failed.push(name);
                continue;
            }
            child::Outcome::OutOfMemory(k) => {
                println!(
                    "{name:<42} skipped: killed at {:.0} MiB resident",
                    k as f64 / 1024.0
                );
                failed.push(name);
                continue;
            }
            child::Outcome::Failed(m) => {
                println!("{name:<42} skipped: {m}");
                failed.push(name);
                continue;
            }
        };
        // Warm the cache, then time both in turn, the way the main pass does.
        let _ = pass_read(&root, args.threads);
        let opts = super::whole_tree(&root, args.threads);
        let mut t_floor = Vec::new();
        let mut t_full = Vec::new();
        let mut outcome = None;
        let mut error = None;
        for _ in 0..args.runs {
            let (d, _) = time(|| pass_parse(&root, args.threads, true));
            t_floor.push(d);
            let (d, o) = time(|| engine::run(&opts));
            t_full.push(d);
            match o {
                Ok(o) => outcome = Some(o),
                Err(e) => {
                    error = Some(e.to_string());
                    break;
                }
            }
        }
        let outcome = match (outcome, error) {
            (Some(o), None) => o,
            (_, e) => {
                println!(
                    "{name:<42} skipped: qstash-lint failed: {}",
                    e.unwrap_or_default()
                );
                failed.push(name);
                continue;
            }
        };
        let row = Row {
            name,
            files: outcome.files,
            floor: median(&t_floor).as_secs_f64(),
            full: median(&t_full).as_secs_f64(),
            diagnostics: outcome.diagnostics.len(),
            peak_mib: report.vmhwm_kib.map(|k| k as f64 / 1024.0),
        };
        println!(
            "{:<42} {:>6} {:>8.3} {:>11.3} {:>6.2}x {:>9.0} {:>6} {:>9}",
            row.name,
            row.files,
            row.floor,
            row.full,
            row.full / row.floor.max(1e-9),
            row.files as f64 / row.full.max(1e-9),
            row.diagnostics,
            row.peak_mib
                .map_or_else(|| "-".to_string(), |m| format!("{m:.1}")),
        );
        rows.push(row);
    }

    println!();
    let total_files: usize = rows.iter().map(|r| r.files).sum();
    let total_full: f64 = rows.iter().map(|r| r.full).sum();
    let total_floor: f64 = rows.iter().map(|r| r.floor).sum();
    println!(
        "total: {} repositories, {total_files} files, floor {total_floor:.3} s, qstash-lint {total_full:.3} s ({:.2}x)",
        rows.len(),
        total_full / total_floor.max(1e-9)
    );
    let peak = rows
        .iter()
        .filter_map(|r| r.peak_mib.map(|m| (m, r.name.as_str())))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match peak {
        Some((m, n)) => println!("largest peak RSS: {m:.1} MiB ({n})"),
        None => println!("largest peak RSS: unknown (no /proc/self/status)"),
    }
    if !failed.is_empty() {
        println!("failed or killed: {}", failed.join(", "));
    }

    let slowest = rows.iter().max_by(|a, b| a.full.total_cmp(&b.full));
    let all_fast = failed.is_empty() && rows.iter().all(|r| r.full < MAX_SECONDS);
    let largest = rows.iter().max_by_key(|r| r.files);
    let largest_ok = largest.is_some_and(|r| r.full < MAX_FLOOR_RATIO * r.floor);
    let rss_ok = failed.is_empty()
        && rows
            .iter()
            .all(|r| r.peak_mib.is_some_and(|m| m < MAX_PEAK_MIB));
    let yes = |b: bool| if b { "yes" } else { "no" };
    println!(
        "targets: every project under {MAX_SECONDS} s: {}{}; largest ({}) under {MAX_FLOOR_RATIO}x its floor: {}{}; every peak RSS under {MAX_PEAK_MIB} MiB: {}{}",
        yes(all_fast),
        slowest.map_or_else(String::new, |r| format!(" (slowest {} {:.3} s)", r.name, r.full)),
        largest.map_or_else(|| "none".to_string(), |r| format!("{}, {} files", r.name, r.files)),
        yes(largest_ok),
        largest.map_or_else(String::new, |r| format!(" ({:.2}x)", r.full / r.floor.max(1e-9))),
        yes(rss_ok),
        peak.map_or_else(String::new, |(m, _)| format!(" (largest {m:.1} MiB)")),
    );
    // The targets are reported, not enforced; a repository that could not be
    // measured fails the run.
    Ok(failed.is_empty())
}
