//! The command line: `check`, `rules`, `explain`, `lsp`, `init`.

use crate::diagnostic::Severity;
use crate::engine::{self, Options};
use crate::report::{self, Format, RenderOptions};
use crate::rules::RULES;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Finds dangerous or broken uses of Upstash QStash in TypeScript and JavaScript.
#[derive(Debug, Parser)]
#[command(name = "qstash-lint", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lint files and directories (default: the current directory).
    Check(CheckArgs),
    /// List every rule with its default severity and category.
    Rules,
    /// Run the language server over stdio (lint-on-save in editors).
    Lsp,
    /// Print a rule's documentation.
    Explain {
        /// The rule id, e.g. `hardcoded-token`.
        rule: String,
    },
    /// Write a commented starter qstash-lint.json in the current directory.
    Init {
        /// Replace an existing qstash-lint.json.
        #[arg(long)]
        force: bool,
    },
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// Files or directories to check.
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "pretty")]
    format: Format,
    /// Write the report to this file (atomically) instead of stdout.
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// Use this config file instead of looking for qstash-lint.json.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Exit with 1 when there are more than this many warnings.
    #[arg(long)]
    max_warnings: Option<usize>,
    /// Exit with 0 even when problems are found.
    #[arg(long)]
    exit_zero: bool,
    /// Report errors only.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Number of worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Do not respect .gitignore and .ignore files.
    #[arg(long)]
    no_ignore: bool,
    /// Apply the config's `exclude` to files named on the command line too
    /// (always the case; accepted for pre-commit and editor integrations).
    #[arg(long)]
    force_exclude: bool,
    /// Apply safe fixes, then report what is left. With --stdin-filename,
    /// the fixed buffer goes to stdout and the report to stderr.
    #[arg(long)]
    fix: bool,
    /// Show unsafe fixes (they change behaviour: review them); with --fix,
    /// apply them too.
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them (exit 1 when
    /// there is something to fix).
    #[arg(long)]
    diff: bool,
    /// Exit 0 when the paths and globs match no file to check.
    #[arg(long)]
    no_error_on_unmatched: bool,
    /// Record today's findings in this file (and exit 0), for adopting
    /// qstash-lint on existing code.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Report only findings that this baseline file does not record.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Read the file's text from stdin and lint it as this path, with its
    /// project's context (for editors that lint unsaved buffers).
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
    /// Colour the pretty output.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
}

/// Parses the arguments and runs; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Command::Check(args) => check(args),
        Command::Rules => {
            let mut out = String::new();
            out.push_str(&format!(
                "{:<32} {:<10} {:<12} {}\n",
                "RULE", "SEVERITY", "CATEGORY", "SUMMARY"
            ));
            for r in RULES {
                let m = r.meta;
                let sev = if m.enabled_by_default {
                    m.severity.as_str().to_string()
                } else {
                    format!("{} (off)", m.severity)
                };
                out.push_str(&format!(
                    "{:<32} {:<10} {:<12} {}\n",
                    m.id,
                    sev,
                    m.category.as_str(),
                    m.summary
                ));
            }
            print_stdout(&out)
        }
        Command::Lsp => match crate::lsp::run() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("qstash-lint: language server: {e}");
                ExitCode::from(2)
            }
        },
        Command::Init { force } => init(force),
        Command::Explain { rule } => match crate::rules::find(&rule) {
            Some(r) => print_stdout(r.meta.doc),
            None => {
                eprintln!(
                    "qstash-lint: unknown rule `{rule}` (run `qstash-lint rules` for the list)"
                );
                ExitCode::from(2)
            }
        },
    }
}

/// `qstash-lint init`: the starter config, never over an existing one
/// unless `force`.
fn init(force: bool) -> ExitCode {
    let path = Path::new(crate::config::FILE_NAME);
    // symlink_metadata: a dangling link is something that exists too.
    if !force && std::fs::symlink_metadata(path).is_ok() {
        eprintln!(
            "qstash-lint: {} already exists; --force replaces it",
            path.display()
        );
        return ExitCode::from(2);
    }
    match crate::safe_write::write_report(path, &crate::config::starter()) {
        Ok(()) => {
            eprintln!("qstash-lint: wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("qstash-lint: cannot write {}: {e}", path.display());
            ExitCode::from(2)
        }
    }
}

fn print_stdout(s: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
    ExitCode::SUCCESS
}

fn check(args: CheckArgs) -> ExitCode {
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("qstash-lint: cannot read the current directory: {e}");
            return ExitCode::from(2);
        }
    };
    if args.threads == Some(0) {
        eprintln!("qstash-lint: --threads must be at least 1");
        return ExitCode::from(2);
    }
    let _ = args.force_exclude;
    let mut paths = args.paths.clone();
    let stdin = match &args.stdin_filename {
        Some(path) => {
            let mut text = String::new();
            if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
                eprintln!("qstash-lint: cannot read stdin: {e}");
                return ExitCode::from(2);
            }
            paths = vec![path.clone()];
            Some((path.clone(), text))
        }
        None => None,
    };
    if let Some(out) = &args.output {
        if let Some(input) = output_is_input(out, &paths, &cwd) {
            eprintln!(
                "qstash-lint: refusing to write the report to {}: it is an input file of this run ({}); choose another --output",
                out.display(),
                input.display()
            );
            return ExitCode::from(2);
        }
    }
    let mut opts = Options {
        paths,
        config: args.config.clone(),
        threads: args.threads,
        no_ignore: args.no_ignore,
        cwd,
        stdin,
    };
    let run = |opts: &Options| match engine::run(opts) {
        Ok(o) => Ok(o),
        Err(e) => {
            eprintln!("qstash-lint: {e}");
            // Code scanning still gets a document that says why the run failed.
            if args.format == Format::Sarif {
                let doc = crate::report::sarif::render_failure(&e.to_string());
                match &args.output {
                    Some(path) => {
                        let _ = crate::safe_write::write_report(path, &doc);
                    }
                    None => {
                        print_stdout(&doc);
                    }
                }
            }
            Err(ExitCode::from(2))
        }
    };
    let mut outcome = match run(&opts) {
        Ok(o) => o,
        Err(code) => return code,
    };
    if outcome.files == 0 && !args.no_error_on_unmatched && opts.stdin.is_none() {
        if let Some(why) = unmatched(&opts, &outcome) {
            eprintln!(
                "qstash-lint: no files to check: {why} (--no-error-on-unmatched accepts this)"
            );
            return ExitCode::from(2);
        }
    }
    let buffer_path = opts.stdin.as_ref().map(|(p, _)| opts.cwd.join(p));
    fn buffer<'a>(opts: &'a Options, path: Option<&'a Path>) -> Option<(&'a Path, &'a str)> {
        opts.stdin
            .as_ref()
            .zip(path)
            .map(|((_, text), p)| (p, text.as_str()))
    }
    if args.diff {
        let fixes = crate::fix::plan(
            &outcome,
            &opts.cwd,
            args.unsafe_fixes,
            buffer(&opts, buffer_path.as_deref()),
        );
        print_stdout(&crate::fix::diff(&fixes));
        let n: usize = fixes.iter().map(|f| f.fixes).sum();
        let hidden = if args.unsafe_fixes {
            0
        } else {
            report::hidden_fixes(&outcome)
        };
        let mut line = format!("qstash-lint: would fix {}", plural(n, "finding"));
        if hidden > 0 {
            line.push_str(&format!(
                " ({} can be enabled with the --unsafe-fixes option)",
                plural(hidden, "hidden fix")
            ));
        }
        eprintln!("{line}");
        return ExitCode::from(if fixes.is_empty() { 0 } else { 1 });
    }
    // Fix to a fixed point: a fix can reveal or settle other findings.
    let mut fixed = 0;
    if args.fix {
        for _ in 0..5 {
            let fixes = crate::fix::plan(
                &outcome,
                &opts.cwd,
                args.unsafe_fixes,
                buffer(&opts, buffer_path.as_deref()),
            );
            if fixes.is_empty() {
                break;
            }
            match opts.stdin.as_mut() {
                // The buffer is fixed in memory: the file on disk may hold
                // other text, and the editor owns it.
                Some((_, text)) => {
                    for f in fixes {
                        *text = f.after;
                        fixed += f.fixes;
                    }
                }
                None => {
                    let settled = crate::fix::write(&fixes);
                    if settled == 0 {
                        break;
                    }
                    fixed += settled;
                }
            }
            outcome = match run(&opts) {
                Ok(o) => o,
                Err(code) => return code,
            };
        }
    }
    // ruff's way: with --fix on stdin, stdout is the fixed buffer and the
    // report goes to stderr.
    let fixed_buffer = match (&opts.stdin, args.fix) {
        (Some((_, text)), true) => Some(text.clone()),
        _ => None,
    };
    if let Some(path) = &args.write_baseline {
        let baseline = crate::baseline::of(&outcome);
        let text = serde_json::to_string_pretty(&baseline).unwrap_or_default() + "\n";
        if let Err(e) = crate::safe_write::write_report(path, &text) {
            eprintln!("qstash-lint: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
        eprintln!(
            "qstash-lint: recorded {} findings in {}",
            baseline.findings.len(),
            path.display()
        );
        if let Some(text) = &fixed_buffer {
            print_stdout(text);
        }
        return ExitCode::SUCCESS;
    }
    if let Some(path) = &args.baseline {
        match crate::baseline::load(path) {
            Ok(b) => crate::baseline::apply(&mut outcome, &b),
            Err(e) => {
                eprintln!("qstash-lint: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if args.quiet {
        outcome
            .diagnostics
            .retain(|d| d.severity == Severity::Error);
    }
    let to_stderr = fixed_buffer.is_some() && args.output.is_none();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && if to_stderr {
                    std::io::stderr().is_terminal()
                } else {
                    std::io::stdout().is_terminal()
                }
                && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let render_opts = RenderOptions {
        color,
        unsafe_fixes: args.unsafe_fixes,
        fixed,
    };
    let text = report::render(args.format, &outcome, render_opts);
    if matches!(args.format, Format::Pretty | Format::Concise) && !args.quiet {
        for n in &outcome.notices {
            eprintln!("qstash-lint: {}: {} [{}]", n.path, n.message, n.kind);
        }
    }
    // The concise format stays one line per finding; its fix summary is
    // said on stderr, with the notices.
    if args.format == Format::Concise && !args.quiet {
        if let Some(line) = report::fix_summary(&outcome, render_opts) {
            eprintln!("qstash-lint: {line}");
        }
    }
    match &args.output {
        Some(path) => {
            if let Err(e) = crate::safe_write::write_report(path, &text) {
                eprintln!("qstash-lint: cannot write {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
        None if to_stderr => {
            let _ = std::io::stderr().write_all(text.as_bytes());
        }
        None => {
            print_stdout(&text);
        }
    }
    if let Some(text) = &fixed_buffer {
        print_stdout(text);
    }
    let errors = outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let too_many_warnings = args.max_warnings.is_some_and(|max| warnings > max);
    if args.exit_zero || (errors == 0 && !too_many_warnings) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn plural(n: usize, word: &str) -> String {
    let suffix = match n {
        1 => "",
        _ if word.ends_with(['s', 'x']) => "es",
        _ => "s",
    };
    format!("{n} {word}{suffix}")
}

/// The input that `-o out` would overwrite: a named file, or a source file
/// under a named directory (writing the report there replaces the code).
fn output_is_input(out: &Path, paths: &[PathBuf], cwd: &Path) -> Option<PathBuf> {
    let out_abs = cwd.join(out);
    let canonical = std::fs::canonicalize(&out_abs).ok();
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    for p in paths {
        let abs = cwd.join(p);
        // A stdin filename need not exist: compare it as written.
        if abs == out_abs {
            return Some(p.clone());
        }
        let (Some(out), Ok(input)) = (&canonical, std::fs::canonicalize(&abs)) else {
            continue;
        };
        if *out == input
            || (input.is_dir()
                && out.starts_with(&input)
                && out.is_file()
                && crate::discover::is_lintable(out))
        {
            return Some(out.strip_prefix(cwd).unwrap_or(out).to_path_buf());
        }
    }
    None
}

/// Why a run that checked no file is an error, or `None` when it is not: a
/// named directory (or the project's `include`) matched no source file.
/// Named files that are not sources are no error: pre-commit passes them.
fn unmatched(opts: &Options, outcome: &engine::Outcome) -> Option<String> {
    let dirs: Vec<&PathBuf> = opts
        .paths
        .iter()
        .filter(|p| opts.cwd.join(p).is_dir())
        .collect();
    if !dirs.is_empty() {
        let names: Vec<String> = dirs.iter().map(|p| p.display().to_string()).collect();
        return Some(format!(
            "{} matched no JavaScript or TypeScript file that the config's include/exclude selects",
            names.join(", ")
        ));
    }
    if opts.paths.is_empty() && outcome.candidates > 0 {
        return Some(format!(
            "the config's include/exclude select none of the {} found",
            plural(outcome.candidates, "source file")
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn plurals() {
        assert_eq!(super::plural(1, "hidden fix"), "1 hidden fix");
        assert_eq!(super::plural(2, "hidden fix"), "2 hidden fixes");
        assert_eq!(super::plural(3, "finding"), "3 findings");
    }
}
