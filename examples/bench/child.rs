//! One engine run in a child process, for `--stress` and `--corpus`.
//!
//! The parent re-executes its own binary with the hidden `--run-one PATH`.
//! The child runs `engine::run` once on PATH (on a thread with the engine
//! pool's 256 MiB stack), times that call alone, and prints one line:
//!
//! ```text
//! bench-run-one seconds=0.012345 files=3 diagnostics=1 notices=0 vmhwm_kib=10240
//! ```
//!
//! `vmhwm_kib` is the child's peak resident set size, read from
//! `/proc/self/status` after the run, so each project's peak is its own.
//! The parent polls the child and kills it when it runs past a time cap
//! or past a memory cap, so no construct and no repository can hang the
//! bench or take the machine's memory. A killed child's threads go with
//! it, which a timed-out thread in the bench's own process would not.

use qstash_lint::engine;
use std::io::{Read, Seek, Write};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// The tag that starts the child's report line.
const TAG: &str = "bench-run-one";

/// A child's resident set above this is killed (6 GiB): the bench must not
/// push the machine into swap, whatever the engine does.
pub const MEM_CAP_KIB: u64 = 6 * 1024 * 1024;

/// What one child run reported.
#[derive(Clone, Copy, Debug, Default)]
pub struct Report {
    /// The time of the `engine::run` call alone.
    pub seconds: f64,
    pub files: usize,
    pub diagnostics: usize,
    pub notices: usize,
    /// Peak resident set size (VmHWM), when /proc has it.
    pub vmhwm_kib: Option<u64>,
}

/// How a child run ended.
#[derive(Debug)]
pub enum Outcome {
    Done(Report),
    /// Killed after the time cap.
    TimedOut(Duration),
    /// Killed for resident memory above [`MEM_CAP_KIB`] (the last reading).
    OutOfMemory(u64),
    /// The engine reported an error, the child crashed, or its report could
    /// not be read.
    Failed(String),
}

/// The child side: one `engine::run` on `path`, one report line on stdout.
pub fn run_one(path: &Path, threads: Option<usize>) -> ExitCode {
    let root = match path.canonicalize() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("bench: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    let opts = super::whole_tree(&root, threads);
    let worker = std::thread::Builder::new()
        .name("bench-run-one".into())
        .stack_size(256 * 1024 * 1024)
        .spawn(move || {
            let t = Instant::now();
            let outcome = engine::run(&opts);
            let elapsed = t.elapsed();
            outcome
                .map(|o| (elapsed, o.files, o.diagnostics.len(), o.notices.len()))
                .map_err(|e| e.to_string())
        });
    let joined = match worker {
        Ok(handle) => handle.join(),
        Err(e) => {
            eprintln!("bench: cannot start a thread: {e}");
            return ExitCode::from(2);
        }
    };
    match joined {
        Ok(Ok((elapsed, files, diagnostics, notices))) => {
            let hwm = vmhwm_kib("self").map_or_else(|| "-".to_string(), |k| k.to_string());
            let line = format!(
                "{TAG} seconds={:.6} files={files} diagnostics={diagnostics} notices={notices} vmhwm_kib={hwm}",
                elapsed.as_secs_f64()
            );
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
                return ExitCode::from(2);
            }
            ExitCode::SUCCESS
        }
        Ok(Err(e)) => {
            eprintln!("bench: qstash-lint failed: {e}");
            ExitCode::from(2)
        }
        // The panic message is already on stderr.
        Err(_) => ExitCode::from(3),
    }
}

/// A `kB` field of `/proc/<pid>/status` (`pid` may be `self`).
fn proc_status_kib(pid: &str, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// Peak resident set size of a process.
fn vmhwm_kib(pid: &str) -> Option<u64> {
    proc_status_kib(pid, "VmHWM")
}

/// The parent side: runs `--run-one path` in a child process of this same
/// binary, killing it after `cap` or above [`MEM_CAP_KIB`].
pub fn run(path: &Path, threads: Option<usize>, cap: Duration) -> Outcome {
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => return Outcome::Failed(format!("cannot find the bench binary: {e}")),
    };
    // Both streams go to anonymous files, so a chatty child can never block
    // on a full pipe while the parent only polls.
    let (mut out, mut err) = match (tempfile::tempfile(), tempfile::tempfile()) {
        (Ok(o), Ok(e)) => (o, e),
        (Err(e), _) | (_, Err(e)) => {
            return Outcome::Failed(format!("cannot create a temp file: {e}"))
        }
    };
    let (out_handle, err_handle) = match (out.try_clone(), err.try_clone()) {
        (Ok(o), Ok(e)) => (o, e),
        (Err(e), _) | (_, Err(e)) => {
            return Outcome::Failed(format!("cannot share a temp file: {e}"))
        }
    };
    let mut cmd = Command::new(exe);
    cmd.arg("--run-one").arg(path);
    if let Some(n) = threads {
        cmd.arg("--threads").arg(n.to_string());
    }
    let mut child = match cmd
        .stdin(Stdio::null())
        .stdout(Stdio::from(out_handle))
        .stderr(Stdio::from(err_handle))
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return Outcome::Failed(format!("cannot start the child: {e}")),
    };
    let pid = child.id().to_string();
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Outcome::Failed(format!("cannot wait for the child: {e}"));
            }
        }
        if start.elapsed() > cap {
            let _ = child.kill();
            let _ = child.wait();
            return Outcome::TimedOut(start.elapsed());
        }
        if let Some(rss) = proc_status_kib(&pid, "VmRSS").filter(|&k| k > MEM_CAP_KIB) {
            let _ = child.kill();
            let _ = child.wait();
            return Outcome::OutOfMemory(rss);
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let read_all = |f: &mut std::fs::File| -> String {
        let mut s = String::new();
        let _ = f.rewind().and_then(|()| f.read_to_string(&mut s));
        s
    };
    let stdout = read_all(&mut out);
    if !status.success() {
        let stderr = read_all(&mut err);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("(no message)");
        return Outcome::Failed(format!("child exited with {status}: {}", last.trim()));
    }
    match parse_report(&stdout) {
        Some(r) => Outcome::Done(r),
        None => Outcome::Failed(format!(
            "no report line in the child's output: {:?}",
            stdout.chars().take(200).collect::<String>()
        )),
    }
}

/// Reads the child's report line.
fn parse_report(stdout: &str) -> Option<Report> {
    let line = stdout.lines().find(|l| l.starts_with(TAG))?;
    let mut r = Report::default();
    let mut seen = 0;
    for field in line.split_whitespace().skip(1) {
        let (k, v) = field.split_once('=')?;
        match k {
            "seconds" => r.seconds = v.parse().ok()?,
            "files" => r.files = v.parse().ok()?,
            "diagnostics" => r.diagnostics = v.parse().ok()?,
            "notices" => r.notices = v.parse().ok()?,
            "vmhwm_kib" => r.vmhwm_kib = v.parse().ok(),
            _ => continue,
        }
        seen += 1;
    }
    (seen == 5).then_some(r)
}
