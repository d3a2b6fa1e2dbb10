//! The command line: `check`, `rules`, `explain`.

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
    /// Apply safe fixes, then report what is left.
    #[arg(long)]
    fix: bool,
    /// With --fix, apply unsafe fixes too (they change behaviour: review them).
    #[arg(long)]
    unsafe_fixes: bool,
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
    let opts = Options {
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
                        let _ = write_atomically(path, &doc);
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
    // Fix to a fixed point: a fix can reveal or settle other findings.
    if args.fix || args.unsafe_fixes {
        for _ in 0..5 {
            if crate::fix::apply(&outcome, &opts.cwd, args.unsafe_fixes) == 0 {
                break;
            }
            outcome = match run(&opts) {
                Ok(o) => o,
                Err(code) => return code,
            };
        }
    }
    if let Some(path) = &args.write_baseline {
        let baseline = crate::baseline::of(&outcome);
        let text = serde_json::to_string_pretty(&baseline).unwrap_or_default() + "\n";
        if let Err(e) = write_atomically(path, &text) {
            eprintln!("qstash-lint: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
        eprintln!(
            "qstash-lint: recorded {} findings in {}",
            baseline.findings.len(),
            path.display()
        );
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
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let text = report::render(args.format, &outcome, RenderOptions { color });
    if matches!(args.format, Format::Pretty | Format::Concise) && !args.quiet {
        for n in &outcome.notices {
            eprintln!("qstash-lint: {}: {} [{}]", n.path, n.message, n.kind);
        }
    }
    match &args.output {
        Some(path) => {
            if let Err(e) = write_atomically(path, &text) {
                eprintln!("qstash-lint: cannot write {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
        None => {
            print_stdout(&text);
        }
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

/// Writes through a temporary file in the same directory and renames it, so a
/// crash never leaves half a report.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.flush()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
