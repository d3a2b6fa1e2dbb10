//! The lint pipeline: discover, read and prefilter, parse and extract facts,
//! link the project, run rules, suppress, and hand sorted diagnostics to the
//! reporters.

use crate::config::{Config, ConfigError, Level};
use crate::diagnostic::{Diagnostic, LineIndex, Notice, Related, Severity, Span};
use crate::discover;
use crate::facts::{self, FileFacts};
use crate::hash::HashMap;
use crate::parse;
use crate::project::ProjectSignals;
use crate::rules::{self, Finding, RuleContext};
use crate::secrets::{self, SecretHit};
use crate::source::{self, Loaded};
use crate::suppress;
use memo::ParseMemo;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod early;
mod memo;
pub mod session;

/// What to lint and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Files and directories to check.
    pub paths: Vec<PathBuf>,
    /// `--config`: use this file for every path.
    pub config: Option<PathBuf>,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Do not read `.gitignore` and `.ignore` files.
    pub no_ignore: bool,
    /// The directory paths are shown relative to.
    pub cwd: PathBuf,
    /// `--stdin-filename`: the text of this file comes from the editor's
    /// buffer rather than the disk (the file need not exist).
    pub stdin: Option<(PathBuf, String)>,
}

/// Why a run could not complete.
#[derive(Debug)]
pub enum RunError {
    /// A config file is invalid.
    Config(ConfigError),
    /// A path given on the command line does not exist or cannot be read.
    Path(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Both quote what the user wrote (a config's keys, a path), which
        // may hold a secret.
        let redactor = crate::redact::Redactor::new(Vec::new());
        match self {
            RunError::Config(e) => {
                write!(f, "invalid config: {}", redactor.text(&e.to_string()))
            }
            RunError::Path(p) => f.write_str(&redactor.text(p)),
        }
    }
}

/// A file's text for reporters, already redacted.
#[derive(Debug)]
pub struct SourceText {
    /// Text with every secret masked.
    pub text: String,
    /// Its line index.
    pub index: LineIndex,
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Sorted diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    /// Sorted notices about files that could not be linted.
    pub notices: Vec<Notice>,
    /// Number of files checked.
    pub files: usize,
    /// Source files found under the paths asked for, before the config's
    /// `include` and `exclude`: when none is checked, whether the globs or
    /// the paths are to blame.
    pub candidates: usize,
    /// Redacted texts of the files that have diagnostics, by display path.
    pub sources: BTreeMap<String, Arc<SourceText>>,
    /// The rules enabled by at least one config the run used, sorted.
    pub enabled_rules: Vec<&'static str>,
}

/// One file's diagnostics and, when it has any, its redacted text, with the
/// secret values it holds (for [`crate::redact`]).
type FileLint = (
    Vec<Diagnostic>,
    Option<(String, Arc<SourceText>)>,
    Vec<String>,
);

/// One file after the per-file stage.
#[derive(Clone)]
struct Analyzed {
    path: PathBuf,
    display: String,
    config: Arc<Config>,
    /// Kept only for files that may have findings.
    text: Option<String>,
    secrets: Vec<SecretHit>,
    facts: Option<Box<FileFacts>>,
    parse_error: Option<parse::ParseError>,
    notices: Vec<Notice>,
    /// A client imported from another file targets the local dev server.
    dev_client: bool,
    /// Diagnostics of this file are reported (it was asked for, not only
    /// read for project context).
    reported: bool,
    /// Its handlers that receive QStash messages without verifying them.
    receivers: Vec<crate::receivers::HandlerStatus>,
    /// For files the prefilter passed over: the specifiers they import
    /// (shared: the language server clones the file list per lint).
    specifiers: Arc<[String]>,
    /// Its sends whose promise is lost.
    flow: Vec<crate::sendflow::FlowFinding>,
    /// Its `req.body` values given to `verify` behind another file's JSON
    /// body parser.
    parsed_bodies: Vec<crate::receivers::ParsedBody>,
    /// Its destinations whose route answers no handler for their method.
    dead: Vec<crate::receivers::DeadDestination>,
    /// The editor's text of the file, which later rounds parse instead of
    /// the file on disk.
    buffer: Option<Arc<str>>,
    /// Its route pattern by file convention (`None` inside: not a route
    /// file), once worked out: a language server works it out once per
    /// project, not once per lint.
    route: Option<Option<crate::routes::RoutePattern>>,
    /// The files it imports have been parsed for their values.
    imports_followed: bool,
    /// What its route handlers call was left unfollowed
    /// ([`crate::facts::Follow::HandlerCalls`]): nothing yet showed that
    /// they receive QStash messages.
    handler_calls_deferred: bool,
    /// What its route handlers call is followed.
    follow_handler_calls: bool,
}

impl Analyzed {
    /// A file not yet read.
    fn new(path: PathBuf, display: String, config: Arc<Config>) -> Self {
        Analyzed {
            path,
            display,
            config,
            text: None,
            secrets: Vec::new(),
            facts: None,
            parse_error: None,
            notices: Vec::new(),
            dev_client: false,
            reported: true,
            receivers: Vec::new(),
            specifiers: Arc::from(Vec::new()),
            flow: Vec::new(),
            parsed_bodies: Vec::new(),
            dead: Vec::new(),
            buffer: None,
            route: None,
            imports_followed: false,
            handler_calls_deferred: false,
            follow_handler_calls: false,
        }
    }

    /// Follows what its route handlers call from now on. Returns whether
    /// calls already left unfollowed make its imports due again.
    fn start_following_handler_calls(&mut self) -> bool {
        self.follow_handler_calls = true;
        if self.handler_calls_deferred {
            self.imports_followed = false;
        }
        self.handler_calls_deferred
    }
}

/// Runs the whole pipeline.
pub fn run(opts: &Options) -> Result<Outcome, RunError> {
    worker_pool(opts.threads)?.install(|| run_in_pool(opts))
}

/// The threads every stage runs on (`None`: one per core).
fn worker_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, RunError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        // Deeply nested code recurses deeply in the visitors and in drop.
        .stack_size(256 * 1024 * 1024)
        .build()
        .map_err(|e| RunError::Path(format!("cannot start worker threads: {e}")))
}

fn run_in_pool(opts: &Options) -> Result<Outcome, RunError> {
    let gathered = gather(opts)?;
    let resolver = crate::resolve::ModuleResolver::new(&gathered.roots);
    let enabled = gathered.configs.enabled_rules();
    let mut outcome = finish(
        gathered.analyzed,
        &resolver,
        &ParseMemo::default(),
        &opts.cwd,
        enabled,
    );
    outcome.candidates = gathered.candidates;
    outcome.notices.extend(gathered.walk_notices);
    outcome.notices.sort();
    Ok(outcome)
}

/// The files of a run after the per-file stage, before any linking.
struct Gathered {
    analyzed: Vec<Analyzed>,
    /// The directories walked: the project roots of named files and the
    /// directories named.
    roots: Vec<PathBuf>,
    configs: ConfigCache,
    /// Source files found under the paths asked for, before the config's
    /// globs.
    candidates: usize,
    /// Directories under the paths asked for that could not be walked.
    walk_notices: Vec<Notice>,
}

/// Discovers, reads, prefilters, parses and extracts every file of the run.
fn gather(opts: &Options) -> Result<Gathered, RunError> {
    let t = std::time::Instant::now();
    let timing = timings_wanted();
    let lap = |what: &str| {
        if timing {
            eprintln!("{what}: {:?}", t.elapsed())
        }
    };
    let paths = if opts.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        opts.paths.clone()
    };
    // Cleaned lexically, as the module resolver cleans the paths it
    // returns: the walk's paths inherit the root's spelling, and files are
    // indexed by their bytes.
    let abs = |p: &Path| -> PathBuf {
        if p.is_absolute() {
            crate::pathbytes::clean(p)
        } else {
            crate::pathbytes::clean(&opts.cwd.join(p))
        }
    };
    let stdin_path = opts.stdin.as_ref().map(|(p, _)| abs(p));
    let named_file = |p: &Path| p.is_file() || stdin_path.as_deref() == Some(p);
    for p in &paths {
        if !abs(p).exists() && stdin_path.as_deref() != Some(abs(p).as_path()) {
            return Err(RunError::Path(format!(
                "{}: no such file or directory",
                p.display()
            )));
        }
    }
    let mut configs = ConfigCache::new(opts.config.as_deref().map(abs), &opts.cwd)?;
    let requested: Vec<PathBuf> = paths.iter().map(|p| abs(p)).collect();
    // Files named on the command line (pre-commit, editors) are checked with
    // the context of their whole project, but only they are reported.
    let mut roots: Vec<PathBuf> = requested.iter().filter(|p| p.is_dir()).cloned().collect();
    for f in requested.iter().filter(|p| named_file(p)) {
        if discover::is_lintable(f) {
            roots.push(crate::project::project_root(f));
        }
    }
    roots.sort();
    roots.dedup();
    let reported = |f: &Path| {
        requested
            .iter()
            .any(|r| crate::pathbytes::starts_with(f, r))
    };
    let (discovered, mut early_by_id) = early::walk_and_analyze(
        opts,
        &roots,
        stdin_path.as_deref(),
        configs.detached(),
        &lap,
    );
    let files = discovered.files;
    let ids = discovered.ids;
    let candidates = files.iter().filter(|f| reported(f)).count();
    let walk_notices: Vec<Notice> = discovered
        .unreadable
        .into_iter()
        .filter(|(p, _)| reported(p))
        .map(|(p, why)| Notice {
            path: display_path(&p, &opts.cwd),
            kind: "unreadable",
            message: format!("cannot be walked ({why}); files below it were not checked"),
        })
        .collect();
    lap("discovered");
    // The config of each file, looked up once per directory (the walk
    // yields a directory's files together), then the globs matched in
    // parallel: on a large tree this loop was a sequential hot spot.
    let mut configs_of: Vec<Arc<Config>> = Vec::with_capacity(files.len());
    for (i, f) in files.iter().enumerate() {
        // Byte equality of the parents: cheaper than comparing components.
        let same_dir = i > 0
            && crate::pathbytes::parent(&files[i - 1]).map(Path::as_os_str)
                == crate::pathbytes::parent(f).map(Path::as_os_str);
        let cfg = match configs_of.last() {
            Some(c) if same_dir => c.clone(),
            _ => configs.for_file(f)?,
        };
        configs_of.push(cfg);
    }
    let with_config: Vec<(PathBuf, Arc<Config>, early::Early)> = files
        .into_iter()
        .zip(configs_of)
        .zip(ids)
        .map(|((f, cfg), id)| {
            let done = id.and_then(|id| early_by_id.get_mut(id).and_then(Option::take));
            (f, cfg, done)
        })
        .collect();
    drop(early_by_id);
    // Explicitly named files honour excludes too (what a config leaves out
    // is dropped here, by the workers).
    let mut selected: Vec<(PathBuf, Arc<Config>, bool, early::Early)> = with_config
        .into_par_iter()
        .filter(|(f, cfg, _)| cfg.selects(f))
        .map(|(f, cfg, done)| {
            let report = reported(&f);
            (f, cfg, report, done)
        })
        .collect();
    // A named file that the walk skips (gitignored, say) is still checked.
    for f in requested
        .iter()
        .filter(|p| named_file(p) && discover::is_lintable(p))
    {
        if !selected.iter().any(|(p, ..)| p == f) {
            let cfg = configs.for_file(f)?;
            if cfg.selects(f) {
                selected.push((f.clone(), cfg, true, None));
            }
        }
    }
    configs.note_used(
        selected
            .iter()
            .filter(|(_, _, r, _)| *r)
            .map(|(_, c, ..)| c),
    );
    lap("selected");

    let analyzed: Vec<Analyzed> = selected
        .into_par_iter()
        .map(|(path, config, report, done)| {
            let mut a = match (done, &opts.stdin, &stdin_path) {
                (_, Some((_, text)), Some(sp)) if *sp == path => {
                    let display = display_path(&path, &opts.cwd);
                    analyze_buffer(Analyzed::new(path, display, config), text)
                }
                (Some(a), ..) => {
                    let mut a = *a;
                    a.config = config;
                    a
                }
                (None, ..) => {
                    let display = display_path(&path, &opts.cwd);
                    analyze(path, display, config)
                }
            };
            a.reported = report;
            a
        })
        .collect();
    if timing {
        let parsed = analyzed.iter().filter(|a| a.facts.is_some()).count();
        eprintln!("analyzed: {:?} ({parsed} files parsed)", t.elapsed());
    }
    Ok(Gathered {
        analyzed,
        roots,
        configs,
        candidates,
        walk_notices,
    })
}

fn timings_wanted() -> bool {
    std::env::var_os("QSTASH_LINT_TIMINGS").is_some()
}

/// How many rounds of importers of importers are parsed at most.
const MAX_IMPORTER_ROUNDS: usize = 32;

/// Everything after the per-file stage: parses the files that context
/// needs, links the project, judges receivers and send flow, and lints the
/// reported files.
fn finish(
    mut analyzed: Vec<Analyzed>,
    resolver: &crate::resolve::ModuleResolver,
    memo: &ParseMemo,
    cwd: &Path,
    enabled_rules: Vec<&'static str>,
) -> Outcome {
    let t = std::time::Instant::now();
    let timing = timings_wanted();
    let lap = |what: &str, analyzed: &[Analyzed]| {
        if timing {
            let parsed = analyzed.iter().filter(|a| a.facts.is_some()).count();
            eprintln!("{what}: {:?} ({parsed} files parsed)", t.elapsed())
        }
    };
    // Positions are stable: files are parsed in place, never added.
    let index = file_index(&analyzed);
    parse_imported(&mut analyzed, resolver, memo, &index, cwd);
    lap("imported", &analyzed);
    // Importers of importers, to a fixpoint: a sender's callers may be
    // senders themselves, at any depth (a route handler's callees are not
    // followed unless it may receive, so the chain down to a send is found
    // from the send's side). Each round parses at least one file, and the
    // cap bounds the rounds deterministically.
    let mut scan = ImporterScan::default();
    for round in 0.. {
        if round == MAX_IMPORTER_ROUNDS
            || !parse_importers(&mut analyzed, resolver, memo, &mut scan)
        {
            break;
        }
        parse_imported(&mut analyzed, resolver, memo, &index, cwd);
    }
    lap("importers", &analyzed);
    link_project(&mut analyzed, resolver);
    lap("linked", &analyzed);
    // Route files that a destination points at are linted even when they
    // never mention QStash: the unverified handler usually does not.
    let found_routes = parse_route_targets(&mut analyzed, cwd, memo);
    lap("route targets", &analyzed);
    if follow_receiving_routes(&mut analyzed) || found_routes {
        parse_imported(&mut analyzed, resolver, memo, &index, cwd);
        link_project(&mut analyzed, resolver);
    }
    lap("routes", &analyzed);
    let mut judged = judge(&analyzed, resolver, cwd, None);
    lap("judged", &analyzed);
    // A route file whose handler calls were left unfollowed, with a lost
    // send: its handler may receive QStash messages through a verifier
    // behind those calls, which exempts its sends. Rare: judged again.
    // The same files linked again give the same facts: only a file parsed
    // for the following can change the verdicts.
    if follow_flagged_routes(&mut analyzed, &judged.flow)
        && parse_imported(&mut analyzed, resolver, memo, &index, cwd)
    {
        link_project(&mut analyzed, resolver);
        judged = judge(&analyzed, resolver, cwd, Some(judged));
        lap("judged again", &analyzed);
    }
    let Judged {
        statuses,
        flow,
        mut parsed_bodies,
        mut dead,
        ..
    } = judged;
    // Only parsed files have findings: the others are not looked up.
    for a in analyzed.iter_mut().filter(|a| a.facts.is_some()) {
        if let Some(s) = statuses.get(&a.path) {
            a.receivers = s.clone();
        }
        if let Some(p) = parsed_bodies.remove(&a.path) {
            a.parsed_bodies = p;
        }
        a.dead = dead.remove(&a.path).unwrap_or_default();
        if let Some(f) = flow.get(&a.path) {
            a.flow = f.clone();
        }
    }

    let signals = ProjectSignals::collect(analyzed.iter().filter(|a| a.facts.is_some()).map(|a| {
        (
            a.path.as_path(),
            a.facts.as_deref(),
            a.config.is_test(&a.path),
        )
    }));

    // Rules tell route files from scripts.
    analyzed
        .par_iter_mut()
        .filter(|a| a.reported && a.facts.is_some() && a.route.is_none())
        .for_each_init(
            || crate::receivers::RouteFiles::new(cwd),
            |routes, a| a.route = Some(routes.pattern(&a.path)),
        );
    let per_file: Vec<FileLint> = analyzed
        .par_iter()
        .map(|a| match a.text {
            Some(_) if a.reported => lint_file(
                a,
                a.dev_client || signals.dev_server(&a.path, a.facts.as_deref()),
                cwd,
            ),
            _ => (Vec::new(), None, Vec::new()),
        })
        .collect();

    lap("linted", &analyzed);
    if timing {
        for a in analyzed
            .iter()
            .filter(|a| a.facts.as_deref().is_some_and(|f| f.budget_exhausted))
        {
            eprintln!(
                "folding budget exhausted (values left unknown): {}",
                a.display
            );
        }
    }

    let mut outcome = Outcome {
        files: analyzed.iter().filter(|a| a.reported).count(),
        enabled_rules,
        ..Outcome::default()
    };
    for a in analyzed.iter().filter(|a| a.reported) {
        outcome.notices.extend(a.notices.iter().cloned());
    }
    let mut secret_values = secret_values(&analyzed);
    for (diags, source, secrets) in per_file {
        outcome.diagnostics.extend(diags);
        if let Some((path, src)) = source {
            outcome.sources.insert(path, src);
        }
        secret_values.extend(secrets);
    }
    redact_outcome(&mut outcome, secret_values);
    add_related_sources(&mut outcome, &analyzed);
    outcome
        .diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    outcome
        .diagnostics
        .dedup_by(|a, b| a.sort_key() == b.sort_key());
    outcome.notices.sort();
    // The file list, with every parsed file's facts and text, is freed by
    // the workers rather than one thread at the end of the run.
    analyzed.into_par_iter().for_each(drop);
    outcome
}

/// The secret values the scan found in `analyzed`: a message may quote one
/// from another file (a const's value at a related location).
fn secret_values(analyzed: &[Analyzed]) -> Vec<String> {
    analyzed
        .iter()
        .flat_map(|a| {
            a.secrets.iter().filter_map(|h| {
                let text = a.text.as_deref()?;
                text.get(h.span.start as usize..h.span.end as usize)
                    .map(str::to_string)
            })
        })
        .collect()
}

/// The choke point of redaction: every message, help, related message, fix
/// title and notice of the run, before any reporter sees them.
fn redact_outcome(outcome: &mut Outcome, secret_values: Vec<String>) {
    let redactor = crate::redact::Redactor::new(secret_values);
    for d in &mut outcome.diagnostics {
        redactor.diagnostic(d);
    }
    for n in &mut outcome.notices {
        redactor.notice(n);
    }
}

/// Related locations in files without diagnostics of their own still need
/// their text (redacted) for lines and columns.
fn add_related_sources(outcome: &mut Outcome, analyzed: &[Analyzed]) {
    let wanted: std::collections::BTreeSet<String> = outcome
        .diagnostics
        .iter()
        .flat_map(|d| d.related.iter().map(|r| r.path.clone()))
        .filter(|p| !outcome.sources.contains_key(p))
        .collect();
    for display in wanted {
        let Some(a) = analyzed.iter().find(|a| a.display == display) else {
            continue;
        };
        let text = match &a.text {
            Some(t) => t.clone(),
            None => match source::load(&a.path, &a.display) {
                Loaded::Text(t) | Loaded::NotText { scan: t, .. } => t,
                Loaded::Skipped(_) => continue,
            },
        };
        let spans: Vec<Span> = secrets::scan(&text).iter().map(|h| h.span).collect();
        let redacted = secrets::redact(&text, &spans);
        let source = SourceText {
            index: LineIndex::new(&redacted),
            text: redacted,
        };
        outcome.sources.insert(display, Arc::new(source));
    }
}

/// What the rounds of [`parse_importers`] share: the modules whose
/// importers were already looked for.
#[derive(Default)]
struct ImporterScan {
    scanned: crate::hash::HashSet<PathBuf>,
}

/// Parses the files that import a QStash client (or a function returning
/// one) from another project file without mentioning QStash themselves:
/// `import { queue } from "@/lib/jobs"; queue.publishJSON(...)`. Their import
/// specifiers were collected by a byte scan; only those whose last segment
/// names such a module are resolved. Returns whether it parsed any.
fn parse_importers(
    analyzed: &mut [Analyzed],
    resolver: &(impl crate::link::Resolve + Sync),
    memo: &ParseMemo,
    scan: &mut ImporterScan,
) -> bool {
    // Importers of a module looked for in an earlier round were parsed
    // then: only the modules that became interesting since are new.
    let interesting: crate::hash::HashSet<PathBuf> = qstash_modules(analyzed, resolver)
        .into_iter()
        .filter(|p| !scan.scanned.contains(p))
        .collect();
    if interesting.is_empty() {
        return false;
    }
    scan.scanned.extend(interesting.iter().cloned());
    let stems: crate::hash::HashSet<String> =
        interesting.iter().filter_map(|p| module_stem(p)).collect();
    // The unparsed files' specifiers are scanned in parallel for the few
    // stems asked for in this round: an index of every specifier of the
    // tree, built once, was one thread's work for a few milliseconds.
    let files: Vec<usize> = analyzed
        .par_iter()
        .enumerate()
        .filter(|(_, a)| a.facts.is_none() && a.notices.is_empty())
        .filter(|(_, a)| {
            a.specifiers.iter().any(|spec| {
                stems.contains(specifier_stem(spec))
                    && resolver
                        .resolve(&a.path, spec)
                        .is_some_and(|t| interesting.contains(&t))
            })
        })
        .map(|(i, _)| i)
        .collect();
    let parsed: Vec<(usize, String, Box<FileFacts>, Option<parse::ParseError>)> = files
        .par_iter()
        .filter_map(|&i| {
            parse_for_lint(&analyzed[i], memo).map(|(text, facts, error)| (i, text, facts, error))
        })
        .collect();
    adopt(analyzed, parsed)
}

/// The parsed modules whose importers matter: those that export a QStash
/// client (or a function returning one), a send or a verifier, and, to a
/// fixpoint, those that re-export one of them or export functions that
/// await or return a call of one (a sender's callers decide whether its
/// failure is handled). A module that merely awaits some imported call is
/// not one: counting those made nearly every file of a project "interesting"
/// and had it parsed.
fn qstash_modules(
    analyzed: &[Analyzed],
    resolver: &(impl crate::link::Resolve + Sync),
) -> crate::hash::HashSet<PathBuf> {
    use crate::facts::flow::{Fate, FlowTarget};
    use crate::facts::handlers::CallRef;
    // Per parsed module: whether it is a seed, and the modules it depends on
    // in a way that makes it one of them (resolved once).
    let modules: Vec<(&Path, bool, Vec<PathBuf>)> = analyzed
        .par_iter()
        .filter_map(|a| {
            let f = a.facts.as_deref()?;
            let client = exports_client(f);
            let exports = !f.exports.is_empty();
            // A send whose failure a caller can see (or that sends where
            // its function's arguments say): one handled where it is made,
            // left floating or kept alive tells callers nothing.
            let kept_here: crate::hash::HashSet<crate::diagnostic::Span> = f
                .flow
                .iter()
                .filter(|c| !matches!(c.fate, Fate::Awaited | Fate::Returned | Fate::Unknown))
                .filter_map(|c| match c.target {
                    FlowTarget::Send(span) => Some(span),
                    FlowTarget::Function(_) => None,
                })
                .collect();
            let reaches_callers =
                |s: &crate::facts::SendCall| s.forwarded.is_some() || !kept_here.contains(&s.span);
            let seed = client
                || !f.verify_calls.exported_verifiers.is_empty()
                || exports
                    && f.sends
                        .iter()
                        .any(|s| s.via.is_none() && reaches_callers(s));
            let mut deps: Vec<&str> = f.reexport_specifiers().collect();
            if exports {
                deps.extend(
                    f.sends
                        .iter()
                        .filter(|s| reaches_callers(s))
                        .filter_map(|s| Some(s.via.as_ref()?.import.specifier.as_str())),
                );
                deps.extend(f.flow.iter().filter_map(|c| match &c.target {
                    FlowTarget::Function(CallRef::Imported(r))
                        if matches!(c.fate, Fate::Awaited | Fate::Returned) =>
                    {
                        Some(r.specifier.as_str())
                    }
                    _ => None,
                }));
            }
            deps.sort_unstable();
            deps.dedup();
            let deps: Vec<PathBuf> = deps
                .into_iter()
                .filter_map(|spec| resolver.resolve(&a.path, spec))
                .collect();
            (seed || !deps.is_empty()).then_some((a.path.as_path(), seed, deps))
        })
        .collect();
    let mut dependents: HashMap<&Path, Vec<&Path>> = HashMap::default();
    for (path, _, deps) in &modules {
        for d in deps {
            dependents.entry(d.as_path()).or_default().push(path);
        }
    }
    let mut interesting: crate::hash::HashSet<PathBuf> = crate::hash::HashSet::default();
    let mut work: Vec<&Path> = modules
        .iter()
        .filter(|(_, seed, _)| *seed)
        .map(|(p, ..)| *p)
        .collect();
    while let Some(p) = work.pop() {
        if !interesting.insert(p.to_path_buf()) {
            continue;
        }
        if let Some(ds) = dependents.get(p) {
            work.extend(ds.iter().copied());
        }
    }
    interesting
}

/// A file read and parsed in a later round, to be linted like a relevant
/// one: its text, its facts, and its syntax error if it has one.
fn parse_for_lint(
    a: &Analyzed,
    memo: &ParseMemo,
) -> Option<(String, Box<FileFacts>, Option<parse::ParseError>)> {
    let late = memo.get(a)?;
    Some((
        late.text.clone(),
        late.facts.clone().unwrap_or_default(),
        late.error.clone(),
    ))
}

/// Takes the files parsed in a later round into the run; returns whether
/// there were any.
fn adopt(
    analyzed: &mut [Analyzed],
    parsed: Vec<(usize, String, Box<FileFacts>, Option<parse::ParseError>)>,
) -> bool {
    let any = !parsed.is_empty();
    for (i, text, facts, error) in parsed {
        let a = &mut analyzed[i];
        a.text = Some(text);
        a.facts = Some(facts);
        a.parse_error = error;
    }
    any
}

/// The stem an import specifier ends with (`@/lib/queue.server` →
/// `queue`), as [`module_stem`] names the module it may resolve to. Asked
/// once for every specifier of every unparsed file: bytes, not string
/// splitting.
fn specifier_stem(spec: &str) -> &str {
    let start = memchr::memrchr(b'/', spec.as_bytes()).map_or(0, |i| i + 1);
    let last = &spec[start..];
    let end = memchr::memchr(b'.', last.as_bytes()).unwrap_or(last.len());
    &last[..end]
}

/// The name an import specifier ends with when it names `path`: the file
/// stem, or the directory for an index file.
fn module_stem(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    let stem = stem.split('.').next().unwrap_or(stem);
    if stem == "index" {
        return path.parent()?.file_name()?.to_str().map(str::to_string);
    }
    Some(stem.to_string())
}

/// Each file's position in `analyzed`, by its path's bytes: hashing a
/// `Path` splits it into components, and parse rounds look up every
/// import they follow.
fn file_index(analyzed: &[Analyzed]) -> HashMap<std::ffi::OsString, usize> {
    // Sized up front: growing a table of every file of the tree rehashed it
    // a dozen times.
    let mut index = HashMap::with_capacity_and_hasher(analyzed.len(), Default::default());
    for (i, a) in analyzed.iter().enumerate() {
        index.insert(a.path.clone().into_os_string(), i);
    }
    index
}

/// Parses the route files that some send's destination matches and that
/// the prefilter passed over; returns whether it parsed any.
fn parse_route_targets(analyzed: &mut [Analyzed], fallback_root: &Path, memo: &ParseMemo) -> bool {
    let dests =
        crate::receivers::DestinationIndex::new(analyzed.iter().filter_map(|a| a.facts.as_deref()));
    if dests.is_empty() {
        return false;
    }
    route_patterns(analyzed, fallback_root);
    let targets: Vec<usize> = analyzed
        .par_iter()
        .enumerate()
        .filter(|(_, a)| a.facts.is_none() && a.parse_error.is_none() && a.notices.is_empty())
        .filter(|(_, a)| {
            a.route
                .as_ref()
                .and_then(Option::as_ref)
                .is_some_and(|p| dests.any_match(p))
        })
        .map(|(i, _)| i)
        .collect();
    let parsed: Vec<(usize, String, Box<FileFacts>, Option<parse::ParseError>)> = targets
        .par_iter()
        .filter_map(|&i| {
            // A route file that does not parse has no handler to judge, and
            // its syntax is not QStash's business.
            let (text, facts, error) = parse_for_lint(&analyzed[i], memo)?;
            let unparsed = error.is_some() && facts.handlers.handlers.is_empty();
            (!unparsed).then_some((i, text, facts, error))
        })
        .collect();
    adopt(analyzed, parsed)
}

/// Works out the route pattern of every file that lacks one, in parallel
/// (each worker with its own memo of package roots).
fn route_patterns(analyzed: &mut [Analyzed], fallback_root: &Path) {
    // A few long runs of files per worker: each run starts an empty memo
    // and reads its packages' deployment configs again, and rayon's own
    // splitting made dozens of runs.
    let runs = rayon::current_num_threads().max(1) * 4;
    let min_len = analyzed.len().div_ceil(runs).max(1);
    analyzed.par_iter_mut().with_min_len(min_len).for_each_init(
        || crate::receivers::RouteFiles::new(fallback_root),
        |routes, a| {
            if a.route.is_none() {
                a.route = Some(routes.pattern(&a.path));
            }
        },
    );
}

/// Parses the project files whose exports parsed files depend on but the
/// prefilter passed over (a `lib/constants.ts` that only exports `APP_URL`),
/// so that imported values can fold. Such a file is parsed for its exports
/// only: it is not linted beyond its secret scan, and a syntax error in it
/// is not reported.
///
/// Only what is needed is followed, by name: each imported binding a fact
/// depends on, then what that export depends on (its value's imports, the
/// module it re-exports it from, an `export *` that may provide it, and for
/// a function a handler calls, what it calls in turn). Following every
/// import of every file parsed most of a project for nothing. Returns
/// whether it parsed any file.
fn parse_imported(
    analyzed: &mut [Analyzed],
    resolver: &(impl crate::link::Resolve + Sync),
    memo: &ParseMemo,
    index: &HashMap<std::ffi::OsString, usize>,
    fallback_root: &Path,
) -> bool {
    // A need: export `name` of file `i`, whether the functions behind it
    // are followed too, and whether the file asking hands it a callback
    // (see `handed_to`).
    type Need = (usize, String, bool, bool);
    let locate = |from: &Path, spec: &str| {
        resolver
            .resolve(from, spec)
            .and_then(|p| index.get(p.as_os_str()).copied())
    };
    let parsed_before: Vec<bool> = analyzed.iter().map(|a| a.facts.is_some()).collect();
    let analyzed_has_facts = |j: usize| parsed_before[j];
    // Files whose own links an earlier call already followed are skipped:
    // this runs after every round that parses more files. Each file's
    // links are resolved on its own, in parallel; the needs keep the
    // files' order.
    let per_file: Vec<Vec<Need>> = analyzed
        .par_iter_mut()
        .filter(|a| !a.imports_followed && a.facts.is_some())
        .map_init(
            || crate::receivers::RouteFiles::new(fallback_root),
            |routes, a| {
                // Kept: the rules ask again whether it is a route file.
                let route_file = a
                    .route
                    .get_or_insert_with(|| routes.pattern(&a.path))
                    .is_some();
                let mut needs = Vec::new();
                let Some(f) = &a.facts else { return needs };
                let mut deferred = false;
                let mut handed: Option<crate::hash::HashSet<usize>> = None;
                for (r, follow) in f.own_links(route_file) {
                    if follow == crate::facts::Follow::HandlerCalls && !a.follow_handler_calls {
                        deferred = true;
                        continue;
                    }
                    let Some(j) = locate(&a.path, &r.specifier) else {
                        continue;
                    };
                    let calls = match follow {
                        crate::facts::Follow::Value => false,
                        crate::facts::Follow::Calls | crate::facts::Follow::HandlerCalls => true,
                        crate::facts::Follow::IfParsed if analyzed_has_facts(j) => false,
                        crate::facts::Follow::IfParsed => continue,
                    };
                    let handed = calls
                        && handed
                            .get_or_insert_with(|| handed_to(f, &a.path, &locate))
                            .contains(&j);
                    needs.push((j, r.name.clone(), calls, handed));
                }
                a.imports_followed = true;
                a.handler_calls_deferred = deferred;
                needs
            },
        )
        .collect();
    let mut needs: Vec<Need> = per_file.into_iter().flatten().collect();
    let mut tried = vec![false; analyzed.len()];
    let mut parsed_any = false;
    let mut done: HashMap<(usize, String), bool> = HashMap::default();
    let mut reach: HashMap<usize, bool> = HashMap::default();
    let mut handed_by: HashMap<usize, crate::hash::HashSet<usize>> = HashMap::default();
    while !needs.is_empty() {
        // A function followed for what it calls, in a module that is not
        // parsed and stands in front of nothing that verifies or sends,
        // would show neither: it stays unparsed, as for a handler that does
        // not receive. Unless a callback is handed to it (its rejections
        // pass through it) or its value is needed.
        needs.retain(|(j, _, calls, handed)| {
            !calls
                || *handed
                || analyzed[*j].facts.is_some()
                || reaches_verify_or_send(analyzed, *j, &locate, &mut reach)
        });
        // Parse the files the needs land in, in parallel.
        let mut fresh: Vec<usize> = needs
            .iter()
            .map(|n| n.0)
            .filter(|&j| analyzed[j].facts.is_none() && !tried[j])
            .collect();
        fresh.sort_unstable();
        fresh.dedup();
        for &j in &fresh {
            tried[j] = true;
        }
        let parsed: Vec<(usize, Option<Box<FileFacts>>)> = fresh
            .par_iter()
            .map(|&j| (j, memo.get(&analyzed[j]).and_then(|l| l.facts.clone())))
            .collect();
        for (j, facts) in parsed {
            if facts.is_some() {
                analyzed[j].facts = facts;
                analyzed[j].imports_followed = true;
                parsed_any = true;
            }
        }
        // Then what each needed export depends on.
        let mut next: Vec<Need> = Vec::new();
        for (j, name, calls, handed) in needs.drain(..) {
            match done.get(&(j, name.clone())) {
                Some(&had) if had || !calls => continue,
                _ => {}
            }
            done.insert((j, name.clone()), calls);
            let a = &analyzed[j];
            let Some(f) = &a.facts else { continue };
            // A re-export is the same function: what was handed to it is.
            let reexport = f.exports.iter().any(|e| {
                e.name == name && matches!(e.target, crate::facts::ExportTarget::ReExport(_))
            });
            match f.export_links(&name, calls) {
                Some(links) => {
                    for (r, c) in links {
                        if let Some(k) = locate(&a.path, &r.specifier) {
                            let handed = c
                                && if reexport {
                                    handed
                                } else {
                                    handed_by
                                        .entry(j)
                                        .or_insert_with(|| handed_to(f, &a.path, &locate))
                                        .contains(&k)
                                };
                            next.push((k, r.name, c, handed));
                        }
                    }
                }
                None if name != "default" => {
                    for spec in f.star_exports() {
                        if let Some(k) = locate(&a.path, spec) {
                            next.push((k, name.clone(), calls, handed));
                        }
                    }
                }
                None => {}
            }
        }
        needs = next;
    }
    parsed_any
}

/// The modules the module at `from` (facts `f`) hands a callback that may
/// send, or a function that may: what such a module does with it decides
/// whether its rejections are handled. A handed function (or object) of
/// this module may send when calls whose fate matters are made in it (or
/// in its methods); an imported one, or an inline callback, is assumed
/// to. Worked out once per module, in one pass over its facts.
fn handed_to(
    f: &FileFacts,
    from: &Path,
    locate: &impl Fn(&Path, &str) -> Option<usize>,
) -> crate::hash::HashSet<usize> {
    use crate::facts::flow::Escape;
    use crate::facts::handlers::CallRef;
    let target = |e: &Escape| match e {
        Escape::Via(CallRef::Imported(r)) => locate(from, &r.specifier),
        _ => None,
    };
    // The functions and objects with calls whose fate matters.
    let mut active: crate::hash::HashSet<&str> = crate::hash::HashSet::default();
    let mut out: crate::hash::HashSet<usize> = crate::hash::HashSet::default();
    for fr in f.flow.iter().filter_map(|c| c.frame.as_ref()) {
        active.insert(fr.name.as_str());
        if let Escape::Object(o) = &fr.escape {
            active.insert(o.as_str());
        }
        out.extend(target(&fr.escape));
    }
    for (handed, e) in &f.flow_value_refs {
        let may_send = match handed {
            CallRef::Local(name) => active.contains(name.as_str()),
            CallRef::Imported(_) | CallRef::Inline(_) => true,
        };
        if may_send {
            out.extend(target(e));
        }
    }
    out
}

/// Whether a module exports a QStash instance, or a function returning one.
fn exports_client(f: &FileFacts) -> bool {
    f.exports.iter().any(|e| {
        matches!(&e.target, crate::facts::ExportTarget::Local(v) if v.instance.is_some() || v.returns.is_some())
    })
}

/// Whether module `j`, or a module it imports (through any chain of
/// imports), could verify or send: it builds a QStash instance, exports
/// one (or a function returning one), sends, verifies or wraps with a
/// verify wrapper. Those all name QStash, so such a module passed the
/// prefilter and its facts are known; a module whose imports are unknown
/// (not parsed, not surveyed) counts as one. `known` keeps the answers:
/// when one is found, every module on the chain of imports to it; when
/// none is, every module visited (what each reaches lies inside what was
/// searched). Either way the answers do not depend on the order of the
/// questions, and each import is followed about once in a run.
fn reaches_verify_or_send(
    analyzed: &[Analyzed],
    j: usize,
    locate: &impl Fn(&Path, &str) -> Option<usize>,
    known: &mut HashMap<usize, bool>,
) -> bool {
    if let Some(&k) = known.get(&j) {
        return k;
    }
    let hit = |f: &FileFacts| {
        !f.sends.is_empty()
            || !f.constructions.is_empty()
            || !f.wrappers.is_empty()
            || !f.verify_calls.calls.is_empty()
            || !f.verify_calls.exported_verifiers.is_empty()
            || exports_client(f)
    };
    // Each module visited, with the one whose import led to it: when one
    // is found, the chain back to `j` reaches it too.
    let mut from: HashMap<usize, usize> = HashMap::default();
    let mut work = vec![(j, j)];
    let mut found = None;
    while let Some((k, parent)) = work.pop() {
        if from.contains_key(&k) {
            continue;
        }
        from.insert(k, parent);
        let a = &analyzed[k];
        let reaches = known.get(&k).copied().or_else(|| match &a.facts {
            Some(f) if hit(f) => Some(true),
            // Read (it passed the prefilter, or holds a secret) but never
            // surveyed for imports: unknown.
            None if a.text.is_some() => Some(true),
            _ => None,
        });
        match reaches {
            Some(true) => {
                found = Some(k);
                break;
            }
            Some(false) => continue,
            None => {}
        }
        let next: Vec<usize> = match &a.facts {
            Some(f) => f
                .imports
                .iter()
                .map(|i| i.specifier.as_str())
                .chain(f.reexport_specifiers())
                .filter_map(|s| locate(&a.path, s))
                .collect(),
            None => a
                .specifiers
                .iter()
                .filter_map(|s| locate(&a.path, s))
                .collect(),
        };
        work.extend(next.into_iter().map(|n| (n, k)));
    }
    match found {
        Some(mut k) => {
            loop {
                known.insert(k, true);
                match from.get(&k) {
                    Some(&p) if p != k => k = p,
                    _ => break,
                }
            }
            true
        }
        None => {
            known.extend(from.into_keys().map(|k| (k, false)));
            false
        }
    }
}

/// What the project link judges, per file.
struct Judged {
    /// Its handlers' verdicts.
    statuses: HashMap<PathBuf, Vec<crate::receivers::HandlerStatus>>,
    /// Its lost sends.
    flow: HashMap<PathBuf, Vec<crate::sendflow::FlowFinding>>,
    /// Its verified bodies that a JSON parser parsed first.
    parsed_bodies: HashMap<PathBuf, Vec<crate::receivers::ParsedBody>>,
    /// Its destinations that reach no handler for their method.
    dead: HashMap<PathBuf, Vec<crate::receivers::DeadDestination>>,
    /// The handlers that receive QStash messages, which the send flow
    /// was judged with.
    receiving: HashMap<PathBuf, Vec<crate::diagnostic::Span>>,
}

/// Judges the receivers and the send flow of every parsed file. `earlier`
/// is the verdict before the handler calls of routes with a lost send were
/// followed: the files following brings in mention no QStash (so they send
/// nothing) and import no module that sends (they would have been parsed
/// as its importers), so the lost sends can only change through which
/// handlers receive, and the send flow is judged again only if that did.
fn judge(
    analyzed: &[Analyzed],
    resolver: &crate::resolve::ModuleResolver,
    cwd: &Path,
    earlier: Option<Judged>,
) -> Judged {
    let inputs: Vec<crate::receivers::FileInput> = analyzed
        .iter()
        .filter_map(|a| {
            Some(crate::receivers::FileInput {
                path: &a.path,
                facts: a.facts.as_deref()?,
                receiver_glob: receiver_glob(a),
            })
        })
        .collect();
    let resolver = crate::link::Memoized::new(resolver);
    let receivers = crate::receivers::analyze(&inputs, &resolver, cwd);
    let flow = match earlier {
        Some(e) if e.receiving == receivers.receiving => e.flow,
        _ => {
            let dependencies = std::cell::RefCell::new(crate::project::Dependencies::default());
            let depends = |file: &Path, name: &str| dependencies.borrow_mut().declared(file, name);
            crate::sendflow::analyze(&inputs, &resolver, &receivers.receiving, &depends)
        }
    };
    Judged {
        statuses: receivers.unverified,
        flow,
        parsed_bodies: receivers.parsed_bodies,
        dead: receivers.dead,
        receiving: receivers.receiving,
    }
}

/// Whether a `receivers` glob of the file's config matches it.
fn receiver_glob(a: &Analyzed) -> bool {
    a.config
        .receivers
        .is_match(a.config.relative(&a.path).as_ref())
}

/// Marks the route files whose handlers may receive QStash messages, so
/// that what their handlers call is followed: a destination may reach
/// them (any destination whose known parts match; the link decides later
/// which one does), a `receivers` glob matches them, or a handler shows it
/// expects QStash (a verify wrapper, a `Receiver`, the signature header).
/// Returns whether a file that was already followed needs following again.
fn follow_receiving_routes(analyzed: &mut [Analyzed]) -> bool {
    let dests =
        crate::receivers::DestinationIndex::new(analyzed.iter().filter_map(|a| a.facts.as_deref()));
    let mut again = false;
    for a in analyzed.iter_mut().filter(|a| !a.follow_handler_calls) {
        let Some(f) = &a.facts else { continue };
        let Some(Some(route)) = &a.route else {
            continue;
        };
        if dests.any_match(route)
            || receiver_glob(a)
            || crate::receivers::expects_qstash(&f.handlers)
        {
            again |= a.start_following_handler_calls();
        }
    }
    again
}

/// Marks the route files with a lost send whose handler calls were left
/// unfollowed. Returns whether there is any.
fn follow_flagged_routes(
    analyzed: &mut [Analyzed],
    flow: &HashMap<PathBuf, Vec<crate::sendflow::FlowFinding>>,
) -> bool {
    let mut any = false;
    for a in analyzed.iter_mut() {
        if a.handler_calls_deferred && !a.follow_handler_calls && flow.contains_key(&a.path) {
            any |= a.start_following_handler_calls();
        }
    }
    any
}

/// Links every parsed file against the others: imported consts fold to
/// their values, sends on imported clients are confirmed or dropped.
fn link_project(analyzed: &mut [Analyzed], resolver: &impl crate::link::Resolve) {
    // Only the files the link may change, by position: a slot per file of
    // the tree (most are not parsed) was megabytes of fresh memory written
    // on every link.
    let linked: Vec<(usize, FileFacts, bool)> = {
        let by_path: HashMap<PathBuf, &FileFacts> = analyzed
            .iter()
            .filter_map(|a| Some((a.path.clone(), a.facts.as_deref()?)))
            .collect();
        let linker = crate::link::Linker::new(&by_path, resolver);
        analyzed
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                let f = a.facts.as_deref().filter(|f| crate::link::may_change(f))?;
                let (facts, dev_client) = linker.link(&a.path, f);
                Some((i, facts, dev_client))
            })
            .collect()
    };
    for (i, facts, dev_client) in linked {
        analyzed[i].facts = Some(Box::new(facts));
        analyzed[i].dev_client = dev_client;
    }
}

/// The per-file stage: read, scan for secrets, prefilter, parse, extract.
fn analyze(path: PathBuf, display: String, config: Arc<Config>) -> Analyzed {
    let mut a = Analyzed::new(path, display, config);
    let text = match source::load(&a.path, &a.display) {
        Loaded::Text(t) => t,
        Loaded::NotText { scan, notice } => {
            // Only its secrets: a file that is not UTF-8 text is not parsed.
            a.notices.push(notice);
            a.secrets = secrets::scan(&scan);
            if !a.secrets.is_empty() {
                a.text = Some(scan);
            }
            return a;
        }
        Loaded::Skipped(n) => {
            a.notices.push(n);
            return a;
        }
    };
    analyze_text(a, text)
}

/// What parsing a file gave.
enum FileParse {
    /// Its facts (none when it does not parse at all) and its syntax error,
    /// recovered from or not. Boxed, as [`Analyzed`] holds them.
    Facts(Option<Box<FileFacts>>, Option<parse::ParseError>),
    /// It parses, but nests too deep to analyse (see [`crate::depth`]).
    TooDeep,
}

/// Parses `text` and extracts its facts.
fn parse_facts(path: &Path, text: &str) -> FileParse {
    match parse::parse(path, text) {
        Ok(parsed) if crate::depth::exceeds(&parsed.program, crate::depth::MAX_DEPTH) => {
            crate::depth::drop_deep(parsed.program);
            FileParse::TooDeep
        }
        Ok(parsed) => FileParse::Facts(
            Some(Box::new(facts::extract::extract_owned(
                parsed.program,
                parse::BASE,
            ))),
            parsed.recovered,
        ),
        Err(e) if e.too_deep => FileParse::TooDeep,
        Err(e) => FileParse::Facts(None, Some(e)),
    }
}

/// The per-file stage on an editor's buffer.
fn analyze_buffer(a: Analyzed, text: &str) -> Analyzed {
    let mut a = analyze_text(a, text.to_string());
    a.buffer = Some(Arc::from(text));
    a
}

fn analyze_text(mut a: Analyzed, text: String) -> Analyzed {
    if text.trim().is_empty() {
        a.notices.push(Notice {
            path: a.display.clone(),
            kind: "empty",
            message: "empty file: nothing to lint".into(),
        });
        return a;
    }
    a.secrets = secrets::scan(&text);
    let survey = crate::prefilter::survey(&text);
    let mentions = survey.mentions;
    let relevant = mentions || survey.registers;
    // A file parsed only because it registers routes may hold a handler a
    // publish targets, but its syntax and size are not QStash's business:
    // no parse error and no notice for it.
    if relevant {
        if let Some((kind, message)) = source::parse_blocker(&text) {
            if mentions {
                a.notices.push(Notice {
                    path: a.display.clone(),
                    kind,
                    message,
                });
            }
        } else {
            match parse_facts(&a.path, &text) {
                FileParse::Facts(facts, error) => {
                    a.facts = facts;
                    a.parse_error = error.filter(|_| mentions);
                }
                FileParse::TooDeep if mentions => {
                    let (kind, message) = source::too_deep();
                    a.notices.push(Notice {
                        path: a.display.clone(),
                        kind,
                        message,
                    });
                }
                FileParse::TooDeep => {}
            }
        }
    }
    if relevant || !a.secrets.is_empty() {
        a.text = Some(text);
    } else {
        a.specifiers = source::specifiers_after(&text, survey.import_ends.into_iter()).into();
    }
    a
}

/// Runs the rules on one file and applies its suppressions.
fn lint_file(a: &Analyzed, dev_server: bool, cwd: &Path) -> FileLint {
    let Some(text) = &a.text else {
        return (Vec::new(), None, Vec::new());
    };
    let route_file = matches!(a.route, Some(Some(_)));
    let level = |id: &str| -> Option<Severity> {
        let meta = rules::find(id)?.meta;
        match a.config.level(id) {
            Some(Level::Off) => None,
            Some(Level::Note) => Some(Severity::Note),
            Some(Level::Warn) => Some(Severity::Warning),
            Some(Level::Error) => Some(Severity::Error),
            None => meta.enabled_by_default.then_some(meta.severity),
        }
    };
    let ctx = RuleContext {
        text,
        facts: a.facts.as_deref(),
        secrets: &a.secrets,
        is_test: a.config.is_test(&a.path),
        dev_server,
        unverified: &a.receivers,
        flow: &a.flow,
        parsed_bodies: &a.parsed_bodies,
        dead_destinations: &a.dead,
        route_file,
        script: !route_file
            && a.facts.as_deref().is_none_or(|f| {
                !f.handlers.handlers.iter().any(|h| {
                    matches!(
                        h.kind,
                        crate::facts::handlers::HandlerKind::Code { .. }
                            | crate::facts::handlers::HandlerKind::Server(_)
                    )
                })
            }),
    };
    let mut findings = rules::run(&ctx, |id| level(id).is_some());
    if let Some(e) = &a.parse_error {
        if level(rules::PARSE_ERROR.id).is_some() {
            findings.push(Finding::new(
                rules::PARSE_ERROR.id,
                e.span,
                format!("syntax error: {}", e.message),
                "fix the syntax error; this file was not linted",
            ));
        }
    }

    let index = LineIndex::new(text);
    let mut sups = suppress::parse(text, &index);
    findings.retain(|f| {
        let line = index.line_of(f.span.start);
        let mut keep = true;
        for s in sups.iter_mut() {
            if s.covers(f.rule, line) {
                s.used = true;
                keep = false;
            }
        }
        keep
    });
    // A file with a notice was not linted as a whole (not UTF-8, minified,
    // too large), only scanned for secrets: whether a suppression of any
    // other rule matches nothing is unknown.
    let linted = a.notices.is_empty();
    if level(rules::UNUSED_SUPPRESSION.id).is_some() {
        for s in &sups {
            let unknown: Vec<&String> = s
                .rules
                .iter()
                .filter(|r| rules::find(r).is_none())
                .collect();
            if !unknown.is_empty() {
                // A name that is no rule id at all (a pasted value, a
                // credential) is not quoted back.
                let (ids, others): (Vec<&&String>, Vec<&&String>) =
                    unknown.iter().partition(|r| looks_like_rule_id(r));
                let names = ids
                    .iter()
                    .map(|r| format!("`{r}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let message = match (names.is_empty(), others.len()) {
                    (false, 0) => format!("suppression names unknown rule {names}"),
                    (false, n) => format!(
                        "suppression names unknown rule {names} and {n} name(s) that are not rule ids (not shown)"
                    ),
                    (true, n) => {
                        format!("suppression names {n} name(s) that are not rule ids (not shown)")
                    }
                };
                findings.push(Finding::new(
                    rules::UNUSED_SUPPRESSION.id,
                    s.span,
                    message,
                    "check the rule id with `qstash-lint rules`",
                ));
            } else if !s.used
                && s.rules.iter().all(|r| level(r).is_some())
                && (linted || (!s.rules.is_empty() && s.rules.iter().all(|r| is_secret_rule(r))))
            {
                let mut f = Finding::new(
                    rules::UNUSED_SUPPRESSION.id,
                    s.span,
                    "suppression does not match any diagnostic",
                    "remove the comment",
                );
                f.fix = delete_comment_line(text, &index, s.span);
                findings.push(f);
            }
        }
    }

    let mut diags = Vec::new();
    let mut redact: Vec<Span> = a.secrets.iter().map(|s| s.span).collect();
    for f in findings {
        let Some(severity) = level(f.rule) else {
            continue;
        };
        if is_secret_rule(f.rule) {
            redact.push(strip_quotes(text, f.span));
        }
        diags.push(Diagnostic {
            fix: f.fix,
            rule: rules::find(f.rule).map_or(f.rule, |r| r.meta.id),
            severity,
            path: a.display.clone(),
            span: f.span,
            message: f.message,
            help: f.help,
            related: f
                .related
                .into_iter()
                .map(|(span, message)| Related {
                    path: a.display.clone(),
                    span,
                    message,
                })
                .chain(
                    f.related_elsewhere
                        .into_iter()
                        .map(|(path, span, message)| Related {
                            path: display_path(&path, cwd),
                            span,
                            message,
                        }),
                )
                .collect(),
        });
    }
    let values = redact
        .iter()
        .filter_map(|s| text.get(s.start as usize..s.end as usize))
        .map(str::to_string)
        .collect();
    if diags.is_empty() {
        return (diags, None, values);
    }
    let redacted = secrets::redact(text, &redact);
    let source = SourceText {
        index: LineIndex::new(&redacted),
        text: redacted,
    };
    (diags, Some((a.display.clone(), Arc::new(source))), values)
}

/// Lints one in-memory source as if it were the file `path` (relative to
/// `config`'s directory), without project context: the entry point for
/// editors, rule docs and tests.
pub fn check_text(path: &Path, text: &str, config: &Config) -> Outcome {
    let display = display_path(path, &config.dir);
    let a = Analyzed::new(path.to_path_buf(), display, Arc::new(config.clone()));
    let mut a = analyze_text(a, text.to_string());
    a.route = Some(crate::receivers::RouteFiles::new(&config.dir).pattern(&config.dir.join(path)));
    a.facts = a
        .facts
        .as_deref()
        .map(|f| Box::new(crate::link::link_alone(f)));
    if let Some(facts) = &a.facts {
        let inputs = [crate::receivers::FileInput {
            path: &a.path,
            facts,
            receiver_glob: receiver_glob(&a),
        }];
        let receivers = crate::receivers::analyze(&inputs, &crate::link::NoResolve, &config.dir);
        // One text alone has no package: no framework is known to catch.
        let flow = crate::sendflow::analyze(
            &inputs,
            &crate::link::NoResolve,
            &receivers.receiving,
            &|_, _| false,
        );
        a.receivers = receivers.unverified.into_values().flatten().collect();
        a.dead = receivers.dead.into_values().flatten().collect();
        a.flow = flow.into_values().flatten().collect();
    }
    let dev_server = a
        .facts
        .as_deref()
        .is_some_and(|f| !f.dev_signals.is_empty());
    let (mut diagnostics, source, values) = lint_file(&a, dev_server, &config.dir);
    diagnostics.sort_by(|x, y| x.sort_key().cmp(&y.sort_key()));
    let mut outcome = Outcome {
        diagnostics,
        notices: a.notices,
        files: 1,
        candidates: 1,
        sources: source.into_iter().collect(),
        enabled_rules: enabled_rules(std::iter::once(config)),
    };
    redact_outcome(&mut outcome, values);
    outcome
}

/// The rules that find secrets by their shape, in every file.
fn is_secret_rule(id: &str) -> bool {
    matches!(id, "hardcoded-token" | "hardcoded-signing-key")
}

/// Whether `name` has the shape of a rule id (`kebab-case`, short).
fn looks_like_rule_id(name: &str) -> bool {
    (1..=48).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Deletes the line of an unused suppression when the comment is all the
/// line holds.
fn delete_comment_line(
    text: &str,
    index: &LineIndex,
    directive: Span,
) -> Option<crate::diagnostic::Fix> {
    let line = index.line_of(directive.start);
    let start = index.line_start(line) as usize;
    let end = text[start..]
        .find('\n')
        .map_or(text.len(), |i| start + i + 1);
    let content = text.get(start..end)?.trim();
    let whole = (content.starts_with("//") && !content.contains("*/"))
        || (content.starts_with("/*") && content.ends_with("*/"))
        || (content.starts_with("{/*") && content.ends_with("*/}"));
    whole.then(|| crate::diagnostic::Fix {
        applicability: crate::diagnostic::Applicability::Safe,
        title: "remove the unused suppression".into(),
        edits: vec![(Span::new(start as u32, end as u32), String::new())],
    })
}

/// The span without the quotes of a string literal.
fn strip_quotes(text: &str, span: Span) -> Span {
    let inner = text
        .get(span.start as usize..span.end as usize)
        .unwrap_or("");
    let quoted = inner.len() >= 2
        && inner.starts_with(['"', '\'', '`'])
        && inner.ends_with(['"', '\'', '`']);
    if quoted {
        Span::new(span.start + 1, span.end - 1)
    } else {
        span
    }
}

/// Shows `path` relative to `cwd` when it is below it, with `/` separators.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let rel = crate::pathbytes::strip_prefix(path, cwd).unwrap_or(path);
    let s = rel.to_string_lossy();
    // Asked for every file of the tree: copied once when nothing changes.
    let s = if s.contains('\\') {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    };
    match s.strip_prefix("./") {
        Some(rest) => rest.to_string(),
        None => s,
    }
}

/// The rules on under at least one of `configs`; the defaults when there
/// are none.
fn enabled_rules<'a>(configs: impl Iterator<Item = &'a Config>) -> Vec<&'static str> {
    let configs: Vec<&Config> = configs.collect();
    let mut ids: Vec<&'static str> = rules::RULES
        .iter()
        .map(|r| r.meta)
        .filter(|m| {
            if configs.is_empty() {
                return m.enabled_by_default;
            }
            configs.iter().any(|c| match c.level(m.id) {
                Some(Level::Off) => false,
                Some(_) => true,
                None => m.enabled_by_default,
            })
        })
        .map(|m| m.id)
        .collect();
    ids.sort_unstable();
    ids
}

/// Loads each config once.
struct ConfigCache {
    cwd: PathBuf,
    forced: Option<Arc<Config>>,
    /// Keyed by the directory's bytes: every directory of the tree is
    /// looked up, and hashing a `Path` splits it into components.
    by_dir: HashMap<std::ffi::OsString, Arc<Config>>,
    by_file: HashMap<PathBuf, Arc<Config>>,
    /// The configs that govern reported files.
    used: Vec<Arc<Config>>,
}

impl ConfigCache {
    fn new(forced: Option<PathBuf>, cwd: &Path) -> Result<Self, RunError> {
        let forced = match forced {
            Some(p) => Some(Arc::new(Config::load(&p).map_err(RunError::Config)?)),
            None => None,
        };
        Ok(ConfigCache {
            cwd: cwd.to_path_buf(),
            forced,
            by_dir: HashMap::default(),
            by_file: HashMap::default(),
            used: Vec::new(),
        })
    }

    /// A cache with none of this one's lookups, and the same forced config
    /// (not read again).
    fn detached(&self) -> ConfigCache {
        ConfigCache {
            cwd: self.cwd.clone(),
            forced: self.forced.clone(),
            by_dir: HashMap::default(),
            by_file: HashMap::default(),
            used: Vec::new(),
        }
    }

    /// Records the configs of reported files, for [`Self::enabled_rules`].
    fn note_used<'a>(&mut self, configs: impl Iterator<Item = &'a Arc<Config>>) {
        for c in configs {
            if !self.used.iter().any(|u| Arc::ptr_eq(u, c)) {
                self.used.push(c.clone());
            }
        }
    }

    /// The rules enabled for the reported files.
    fn enabled_rules(&self) -> Vec<&'static str> {
        enabled_rules(self.used.iter().map(|c| c.as_ref()))
    }

    fn for_file(&mut self, file: &Path) -> Result<Arc<Config>, RunError> {
        self.for_root(crate::pathbytes::parent(file).unwrap_or(Path::new("/")))
    }

    /// The config of the files directly in `dir`.
    fn for_root(&mut self, dir: &Path) -> Result<Arc<Config>, RunError> {
        if let Some(f) = &self.forced {
            return Ok(f.clone());
        }
        self.for_dir(dir)
    }

    /// The config that governs `dir`: a `qstash-lint.json` in it or above it,
    /// stopping at the repository root, else the defaults. Memoised per
    /// directory, and each directory asks its parent, so a tree of thousands
    /// of directories costs one lookup each.
    fn for_dir(&mut self, dir: &Path) -> Result<Arc<Config>, RunError> {
        if let Some(c) = self.by_dir.get(dir.as_os_str()) {
            return Ok(c.clone());
        }
        // Answered from the walk's notes for the directories it entered.
        let (has_config, is_root) = dir_stats(dir);
        let cfg = if has_config {
            let candidate = dir.join(crate::config::FILE_NAME);
            match self.by_file.get(&candidate) {
                Some(c) => c.clone(),
                None => {
                    let c = Arc::new(Config::load(&candidate).map_err(RunError::Config)?);
                    self.by_file.insert(candidate, c.clone());
                    c
                }
            }
        } else {
            match dir.parent() {
                Some(parent) if !is_root => self.for_dir(parent)?,
                // The repository root without a config (or no repository at
                // all: then globs are relative to the working directory).
                _ => {
                    let base = if is_root {
                        dir.to_path_buf()
                    } else {
                        self.cwd.clone()
                    };
                    Arc::new(Config::defaults(&base))
                }
            }
        };
        self.by_dir.insert(dir.as_os_str().to_owned(), cfg.clone());
        Ok(cfg)
    }
}

/// Whether `dir` holds a config file, and whether it is a repository root.
fn dir_stats(dir: &Path) -> (bool, bool) {
    // One look at the notes answers most folders of a tree, which hold
    // neither; asking for each name joined a path and took the lock twice.
    if crate::listing::surely_none(dir, &[crate::config::FILE_NAME, ".git"]) {
        return (false, false);
    }
    (
        // Not `is_file`: a directory by the config's name is a config error.
        crate::listing::exists(&dir.join(crate::config::FILE_NAME)),
        crate::listing::exists(&dir.join(".git")),
    )
}

/// The repository root above `dir` (the directory holding `.git`).
pub fn repo_root(dir: &Path) -> Option<PathBuf> {
    let mut d = Some(dir);
    while let Some(cur) = d {
        if crate::listing::exists(&cur.join(".git")) {
            return Some(cur.to_path_buf());
        }
        d = cur.parent();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::specifier_stem;

    /// The stem is the last segment up to its first dot, as string
    /// splitting gives it.
    #[test]
    fn specifier_stems() {
        for spec in [
            "@/lib/queue.server",
            "./queue",
            "../a/b/c.js",
            "queue",
            ".",
            "..",
            "@upstash/qstash",
            "a/",
            "",
            "./x.y.z",
        ] {
            let last = spec.rsplit('/').next().unwrap_or(spec);
            let split = last.split('.').next().unwrap_or(last);
            assert_eq!(specifier_stem(spec), split, "{spec}");
        }
    }
}
