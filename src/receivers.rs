//! The receiver analysis: which request handlers receive QStash messages
//! (rules.md, "A handler receives QStash messages") and whether they verify
//! them ("A handler is verified"). Runs once over the linked project.

use crate::delivery::{self, Projects};
use crate::deploy::Declared;
use crate::diagnostic::Span;
use crate::facts::handlers::{CallRef, FunctionConfig, Handler, HandlerKind, Runtime, Wrapping};
use crate::facts::nest::NestApp;
use crate::facts::verify::{BodySource, ParserKind};
use crate::facts::{Candidate, DestinationKey, ExportTarget, FileFacts, Part};
use crate::hash::{HashMap, HashSet};
use crate::link::Resolve;
use crate::mounts::{MountIndex, Mounted};
use crate::routes::{self, DestPath, Framework, PathPiece, RoutePattern};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Why a handler is taken to receive QStash messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// A publish or schedule names its route as the destination.
    Destination,
    /// A publish names its route only as `callback` / `failureCallback`.
    Callback,
    /// It reads the `upstash-signature` header.
    ReadsSignature,
    /// It refers to a QStash `Receiver` or a verifier.
    MeantToVerify,
    /// A `receivers` glob of the config matches its file.
    ConfigGlob,
}

/// A send location that targets a handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The file of the send.
    pub path: PathBuf,
    /// The destination value.
    pub span: Span,
    /// Which option names it.
    pub key: DestinationKey,
}

/// The verdict on one handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerStatus {
    /// The handler's primary span.
    pub span: Span,
    /// `POST`, `default`, `app.post("/api/x")`.
    pub name: String,
    /// Its route, for messages.
    pub route: String,
    /// Why it receives QStash messages.
    pub reason: Reason,
    /// The first send that targets it, for the related location.
    pub target: Option<Target>,
}

/// A destination of the project, as a tokenised path.
struct Dest {
    path: DestPath,
    target: Target,
    /// The method it is delivered with (`None`: unknown).
    method: Option<String>,
    /// The deployable project of the file that sends it.
    project: Option<PathBuf>,
    /// Its host, when the literal text names it (lower case, no port).
    host: Option<String>,
}

/// The project's destinations, indexed by their known leading segments so
/// that each route is matched against the few that can reach it rather than
/// all (400 routes × 400 destinations was the cost of a run).
struct Dests {
    all: Vec<Dest>,
    trie: DestTrie,
}

impl Dests {
    fn new(all: Vec<Dest>) -> Self {
        let trie = DestTrie::new(all.iter().map(|d| &d.path));
        Dests { all, trie }
    }

    /// The destinations that reach `route`, by index, in project order:
    /// those of `project` whose path reaches its pattern, or, for a route
    /// bound to a host, those naming that host, from any project (the host
    /// names the deployment; a destination whose host is unknown reaches
    /// no such route: unknown is not a wildcard).
    fn matching(&self, route: &Route, project: &Option<PathBuf>) -> Vec<usize> {
        let pattern = &route.pattern;
        self.trie
            .candidates(pattern)
            .into_iter()
            .filter(|&i| {
                let d = &self.all[i];
                let reaches = match &route.host {
                    Host::Any => d.project == *project,
                    Host::Worker(w) => d.host.as_deref().is_some_and(|h| w.host_matches(h)),
                    Host::Unknown => false,
                };
                reaches && pattern.matches_path(&d.path)
            })
            .collect()
    }
}

/// Destination paths in a trie of their fully known leading segments.
struct DestTrie {
    nodes: Vec<TrieNode>,
}

#[derive(Default)]
struct TrieNode {
    children: HashMap<String, usize>,
    /// Destinations whose known segments end here: what follows is
    /// unknown, or nothing.
    here: Vec<usize>,
}

impl DestTrie {
    fn new<'a>(paths: impl Iterator<Item = &'a DestPath>) -> Self {
        let mut nodes = vec![TrieNode::default()];
        for (i, p) in paths.enumerate() {
            let mut at = 0;
            for seg in p.known_segments() {
                at = match nodes[at].children.get(&seg) {
                    Some(&n) => n,
                    None => {
                        nodes.push(TrieNode::default());
                        let n = nodes.len() - 1;
                        nodes[at].children.insert(seg, n);
                        n
                    }
                };
            }
            nodes[at].here.push(i);
        }
        DestTrie { nodes }
    }

    /// The destinations that may reach `pattern`, in project order: those
    /// whose known segments agree with its leading static ones (a superset
    /// of the matches).
    fn candidates(&self, pattern: &RoutePattern) -> Vec<usize> {
        let mut out = Vec::new();
        let mut at = Some(0);
        for seg in &pattern.segments {
            let Some(n) = at else { break };
            let routes::Segment::Static(s) = seg else {
                // Anything may follow: every destination below fits.
                break;
            };
            out.extend(&self.nodes[n].here);
            at = self.nodes[n].children.get(s).copied();
        }
        if let Some(n) = at {
            let mut stack = vec![n];
            while let Some(n) = stack.pop() {
                out.extend(&self.nodes[n].here);
                stack.extend(self.nodes[n].children.values());
            }
        }
        out.sort_unstable();
        out
    }
}

/// One parsed file as the analysis sees it.
pub struct FileInput<'a> {
    /// Absolute path.
    pub path: &'a Path,
    /// Linked facts.
    pub facts: &'a FileFacts,
    /// A config `receivers` glob matches it.
    pub receiver_glob: bool,
}

/// Finds the unverified receivers of every file: the handlers that receive
/// QStash messages and verify them in no way the rules accept.
///
/// Routes are relative to each file's package (the nearest `package.json`),
/// or to `fallback_root` for files outside any package.
pub fn unverified(
    files: &[FileInput],
    resolver: &impl Resolve,
    fallback_root: &Path,
) -> HashMap<PathBuf, Vec<HandlerStatus>> {
    analyze(files, resolver, fallback_root).unverified
}

/// What the receiver analysis finds.
#[derive(Debug, Default)]
pub struct Receivers {
    /// Handlers that receive QStash messages and do not verify them.
    pub unverified: HashMap<PathBuf, Vec<HandlerStatus>>,
    /// The extent of every handler that receives QStash messages, verified
    /// or not: a send failing there makes QStash retry, which is intended.
    pub receiving: HashMap<PathBuf, Vec<Span>>,
    /// `req.body` given to `verify` in routers that every mount puts behind
    /// a JSON body parser of another file.
    pub parsed_bodies: HashMap<PathBuf, Vec<ParsedBody>>,
    /// Destinations whose route answers no handler for the delivery's
    /// method, by sending file.
    pub dead: HashMap<PathBuf, Vec<DeadDestination>>,
}

/// A destination that reaches a route with no handler for its method.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadDestination {
    /// The destination value.
    pub span: Span,
    /// The method it is delivered with.
    pub method: String,
    /// The route, as shown.
    pub route: String,
    /// The methods the route answers.
    pub answers: Vec<String>,
    /// The route file and one of its handlers.
    pub route_file: PathBuf,
    /// That handler's span.
    pub handler: Span,
}

/// A `req.body` given to `verify` after a JSON body parser installed where
/// the router is mounted.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedBody {
    /// The `body` value.
    pub body: Span,
    /// The file that installs the parser.
    pub parser_file: PathBuf,
    /// The parser call (`express.json()`).
    pub parser: Span,
}

/// A route a handler serves, under one mount.
struct Served {
    file: usize,
    handler: usize,
    chain: Mounted,
    route: Route,
    project: Option<PathBuf>,
}

/// A handler's route: its pattern, how it is shown, and the method it
/// answers (`None`: every method).
struct Route {
    pattern: RoutePattern,
    shown: String,
    method: Option<String>,
    /// Which hosts it is served on.
    host: Host,
}

/// The hosts a route is served on.
enum Host {
    /// Whichever host the app is deployed on: only the path decides.
    Any,
    /// A Worker route of a wrangler config: the destination must name it.
    Worker(crate::wrangler::WorkerRoute),
    /// A Worker whose hosts are unknown: no destination is known to reach
    /// it, though its code may still show that it receives QStash.
    Unknown,
}

/// Which served routes each destination links to (see [`crate::delivery`]):
/// the most specific of the routes its path reaches in its own project, and,
/// for a destination with an unknown segment, only a route it selects alone.
struct Links {
    /// Per served route, the destinations that link to it, in project order.
    by_route: Vec<Vec<usize>>,
    /// Per destination, the served routes of its most specific match.
    best_routes: Vec<Vec<usize>>,
}

impl Links {
    fn new(dests: &Dests, served: &[Served]) -> Self {
        // Per destination: the most specific pattern reaching it, and the
        // route files that have it.
        let mut best: Vec<Option<(Vec<u8>, Vec<usize>)>> = vec![None; dests.all.len()];
        let matches: Vec<Vec<usize>> = served
            .iter()
            .map(|s| dests.matching(&s.route, &s.project))
            .collect();
        for (s, hits) in served.iter().zip(&matches) {
            let rank = rank_of(&s.route);
            for &d in hits {
                match &mut best[d] {
                    Some((b, files)) if *b == rank => {
                        if !files.contains(&s.file) {
                            files.push(s.file);
                        }
                    }
                    Some((b, _)) if *b < rank => {}
                    slot => *slot = Some((rank.clone(), vec![s.file])),
                }
            }
        }
        let mut best_routes: Vec<Vec<usize>> = vec![Vec::new(); dests.all.len()];
        for (si, (s, hits)) in served.iter().zip(&matches).enumerate() {
            let rank = rank_of(&s.route);
            for &d in hits {
                if best[d].as_ref().is_some_and(|(b, _)| *b == rank) {
                    best_routes[d].push(si);
                }
            }
        }
        let by_route = served
            .iter()
            .zip(matches)
            .map(|(s, hits)| {
                let rank = rank_of(&s.route);
                hits.into_iter()
                    .filter(|&d| match &best[d] {
                        // An unknown segment links only to a route it
                        // selects alone.
                        Some((b, files)) => {
                            *b == rank && (dests.all[d].path.is_fully_known() || files.len() == 1)
                        }
                        None => false,
                    })
                    .collect()
            })
            .collect();
        Links {
            by_route,
            best_routes,
        }
    }

    /// The destinations, fully known in path and method, whose route has
    /// handlers but none for that method.
    fn dead(
        &self,
        dests: &Dests,
        served: &[Served],
        files: &[FileInput],
    ) -> HashMap<PathBuf, Vec<DeadDestination>> {
        let mut out: HashMap<PathBuf, Vec<DeadDestination>> = HashMap::default();
        for (d, routes) in self.best_routes.iter().enumerate() {
            let dest = &dests.all[d];
            let (Some(method), Some(&first)) = (&dest.method, routes.first()) else {
                continue;
            };
            if !dest.path.is_fully_known()
                || routes.iter().any(|&si| {
                    delivery::method_fits(served[si].route.method.as_deref(), Some(method))
                })
            {
                continue;
            }
            let mut answers: Vec<String> = routes
                .iter()
                .filter_map(|&si| served[si].route.method.clone())
                .collect();
            answers.sort();
            answers.dedup();
            let s = &served[first];
            let f = &files[s.file];
            let found = out.entry(dest.target.path.clone()).or_default();
            if found.iter().any(|x| x.span == dest.target.span) {
                continue;
            }
            found.push(DeadDestination {
                span: dest.target.span,
                method: method.clone(),
                route: s.route.shown.clone(),
                answers,
                route_file: f.path.to_path_buf(),
                handler: f.facts.handlers.handlers[s.handler].span,
            });
        }
        out
    }

    /// The destinations delivered to served route `i`: linked to it, with a
    /// method its handler answers.
    fn hits<'d>(&self, i: usize, dests: &'d Dests, route: &Route) -> Vec<&'d Dest> {
        self.by_route[i]
            .iter()
            .map(|&d| &dests.all[d])
            .filter(|d| delivery::method_fits(route.method.as_deref(), d.method.as_deref()))
            .collect()
    }
}

/// How specific a route is for a destination it reaches (lower wins): a
/// Worker whose host the destination names before any route that only its
/// path reaches, then by [`delivery::specificity`].
fn rank_of(route: &Route) -> Vec<u8> {
    let by_host = u8::from(!matches!(route.host, Host::Worker(_)));
    std::iter::once(by_host)
        .chain(delivery::specificity(&route.pattern))
        .collect()
}

/// Runs the receiver analysis (see [`unverified`]).
pub fn analyze(files: &[FileInput], resolver: &impl Resolve, fallback_root: &Path) -> Receivers {
    let by_path: crate::facts::FactsByPath = files.iter().map(|f| (f.path, f.facts)).collect();
    let verifiers = verifiers(&by_path, resolver);
    let mut projects = Projects::default();
    let mut all = destinations(files, &mut projects);
    all.extend(forwarded_destinations(
        files,
        &mut projects,
        resolver,
        &by_path,
    ));
    let dests = Dests::new(all);
    let mut packages = Packages {
        fallback: Some(fallback_root.to_path_buf()),
        ..Packages::default()
    };
    let mounts = MountIndex::new(files.iter().map(|f| (f.path, f.facts)), &by_path, resolver);
    let nest_apps = NestApps::new(files, &mut packages);
    // Every route each handler serves, under each mount that exposes it.
    let mut served: Vec<Served> = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        let project = projects.of(f.path);
        for (hi, h) in f.facts.handlers.handlers.iter().enumerate() {
            // A router mounted from other modules serves its routes under
            // each mount's prefix, behind each mount's middleware.
            let object = f.facts.handlers.code_objects.iter().find(|(k, _)| *k == hi);
            let chains = match object {
                // Indices are recorded in order: a search, not a scan, for
                // files with thousands of routes.
                _ if f.facts.handlers.nest.binary_search(&hi).is_ok() => {
                    nest_apps.chains(f.path, &mut packages)
                }
                Some((_, o)) if !mounts.is_empty() => {
                    mounts.chains(f.path, o, plugin_contexts(f.facts, hi))
                }
                _ => vec![Mounted::default()],
            };
            if let HandlerKind::Server(runtime) = h.kind {
                for route in server_routes(f.path, runtime, &mut packages, &by_path) {
                    served.push(Served {
                        file: fi,
                        handler: hi,
                        chain: Mounted::default(),
                        route,
                        project: project.clone(),
                    });
                }
                continue;
            }
            for chain in chains {
                let config = &f.facts.handlers.config;
                for route in pattern_of(f.path, h, &chain.prefix, &mut packages, config) {
                    served.push(Served {
                        file: fi,
                        handler: hi,
                        chain: chain.clone(),
                        route,
                        project: project.clone(),
                    });
                }
            }
        }
    }
    let links = Links::new(&dests, &served);
    let mut out: HashMap<PathBuf, Vec<HandlerStatus>> = HashMap::default();
    let mut receiving: HashMap<PathBuf, Vec<Span>> = HashMap::default();
    // Per handler: marked as receiving, and reported (once, whichever
    // mount exposes it).
    let mut marked: HashSet<(usize, usize)> = HashSet::default();
    let mut reported: HashSet<(usize, usize)> = HashSet::default();
    for (si, s) in served.iter().enumerate() {
        let key = (s.file, s.handler);
        if reported.contains(&key) {
            continue;
        }
        let f = &files[s.file];
        let h = &f.facts.handlers.handlers[s.handler];
        let hits = links.hits(si, &dests, &s.route);
        let Some((reason, target)) = receives(f, h, &hits, &verifiers, resolver, &by_path) else {
            continue;
        };
        if marked.insert(key) {
            receiving
                .entry(f.path.to_path_buf())
                .or_default()
                .push(h.function.as_ref().map_or(h.span, |func| func.body));
        }
        let inherited = s
            .chain
            .middleware
            .iter()
            .any(|(file, c)| is_verifier(file, c, &verifiers, &by_path, resolver));
        if inherited
            || verified(
                f,
                h,
                &s.route.pattern,
                &verifiers,
                resolver,
                &mut packages,
                &by_path,
            )
        {
            continue;
        }
        reported.insert(key);
        let name = match &h.kind {
            HandlerKind::Export(n) => n.clone(),
            HandlerKind::Code { method, path } => format!("{} {path}", method),
            HandlerKind::Server(Runtime::Worker) => "fetch".into(),
            HandlerKind::Server(Runtime::Deno) => "serve".into(),
        };
        out.entry(f.path.to_path_buf())
            .or_default()
            .push(HandlerStatus {
                span: h.span,
                name,
                route: s.route.shown.clone(),
                reason,
                target,
            });
    }
    let parsed_bodies = if mounts.is_empty() {
        HashMap::default()
    } else {
        files
            .iter()
            .filter_map(|f| {
                let found = parsed_bodies(f, &mounts);
                (!found.is_empty()).then(|| (f.path.to_path_buf(), found))
            })
            .collect()
    };
    Receivers {
        unverified: out,
        receiving,
        parsed_bodies,
        dead: links.dead(&dests, &served, files),
    }
}

/// The plugins registered around code handler `i` of a file (see
/// [`crate::facts::handlers::HandlerFacts::plugin_contexts`]).
fn plugin_contexts(facts: &FileFacts, i: usize) -> &[usize] {
    // Recorded in handler order.
    let contexts = &facts.handlers.plugin_contexts;
    contexts
        .binary_search_by_key(&i, |(k, _)| *k)
        .map_or(&[], |at| contexts[at].1.as_slice())
}

/// The NestJS apps of the project, by package root: a controller's routes
/// are served under each app of its package (its global prefix, behind its
/// global guards).
struct NestApps {
    by_root: HashMap<PathBuf, Vec<(PathBuf, NestApp)>>,
    /// Packages that configure `RouterModule`: which controllers its paths
    /// prefix is not followed, so their routes are unknown.
    router_module: HashSet<PathBuf>,
    /// Per package: the guards provided as `APP_GUARD`, with their files.
    app_guards: HashMap<PathBuf, Vec<(PathBuf, CallRef)>>,
}

impl NestApps {
    fn new(files: &[FileInput], packages: &mut Packages) -> Self {
        let mut by_root: HashMap<PathBuf, Vec<(PathBuf, NestApp)>> = HashMap::default();
        let mut router_module = HashSet::default();
        let mut app_guards: HashMap<PathBuf, Vec<(PathBuf, CallRef)>> = HashMap::default();
        for f in files {
            let guards = &f.facts.handlers.nest_app_guards;
            if !guards.is_empty() {
                if let Some(root) = f.path.parent().and_then(|d| packages.root(d)) {
                    app_guards
                        .entry(root)
                        .or_default()
                        .extend(guards.iter().map(|g| (f.path.to_path_buf(), g.clone())));
                }
            }
            if f.facts.handlers.nest_router_module {
                if let Some(root) = f.path.parent().and_then(|d| packages.root(d)) {
                    router_module.insert(root);
                }
            }
            let Some(app) = &f.facts.handlers.nest_app else {
                continue;
            };
            if let Some(root) = f.path.parent().and_then(|d| packages.root(d)) {
                by_root
                    .entry(root)
                    .or_default()
                    .push((f.path.to_path_buf(), app.clone()));
            }
        }
        for apps in by_root.values_mut() {
            apps.sort_by(|a, b| a.0.cmp(&b.0));
        }
        NestApps {
            by_root,
            router_module,
            app_guards,
        }
    }

    /// The ways a controller route of `file` is served: under each app of
    /// its package; none when an app's prefix cannot be known, it versions
    /// its routes or the package configures `RouterModule` (the routes are
    /// unknown, so nothing is said of them); at the root when the package
    /// bootstraps no app that can be seen.
    fn chains(&self, file: &Path, packages: &mut Packages) -> Vec<Mounted> {
        let root = file.parent().and_then(|d| packages.root(d));
        if root
            .as_ref()
            .is_some_and(|r| self.router_module.contains(r))
        {
            return Vec::new();
        }
        let app_guards = root
            .as_ref()
            .and_then(|r| self.app_guards.get(r))
            .cloned()
            .unwrap_or_default();
        let Some(apps) = root.and_then(|root| self.by_root.get(&root)) else {
            return vec![Mounted {
                middleware: app_guards,
                ..Mounted::default()
            }];
        };
        apps.iter()
            .filter(|(_, app)| !app.versioned)
            .filter_map(|(path, app)| {
                let mut middleware = app_guards.clone();
                middleware.extend(app.guards.iter().map(|g| (path.clone(), g.clone())));
                Some(Mounted {
                    prefix: app.prefix.clone()?,
                    middleware,
                    body_parser: None,
                })
            })
            .collect()
    }
}

/// The `req.body` values given to `verify` in `f` whose router every mount
/// puts behind a JSON body parser (and no raw or text one).
fn parsed_bodies(f: &FileInput, mounts: &MountIndex) -> Vec<ParsedBody> {
    let handlers = &f.facts.handlers;
    let mut found = Vec::new();
    for v in f.facts.verify_calls.iter() {
        let Some(body) = v.body else { continue };
        if body.source != BodySource::MountedRequest {
            continue;
        }
        // The code handlers that run this verify: in their own body, or
        // in a middleware function of this file in front of them.
        let in_function = |c: &CallRef| match c {
            CallRef::Local(name) => handlers
                .functions
                .iter()
                .any(|func| func.name == *name && func.body.contains(v.span)),
            CallRef::Inline(extent) => extent.contains(v.span),
            CallRef::Imported(_) => false,
        };
        let mut parsers = Vec::new();
        for (i, h) in handlers.handlers.iter().enumerate() {
            let runs = h
                .function
                .as_ref()
                .is_some_and(|func| func.body.contains(v.span))
                || h.middleware.iter().any(in_function);
            if !runs {
                continue;
            }
            match handlers.code_objects.iter().find(|(k, _)| *k == i) {
                Some((_, object)) => parsers.extend(
                    mounts
                        .chains(f.path, object, plugin_contexts(f.facts, i))
                        .into_iter()
                        .map(|chain| chain.body_parser),
                ),
                None => parsers.push(None),
            }
        }
        let all_json = !parsers.is_empty()
            && parsers
                .iter()
                .all(|p| p.as_ref().is_some_and(|(k, ..)| *k == ParserKind::Json));
        if let (true, Some(Some((_, file, span)))) = (all_json, parsers.first()) {
            found.push(ParsedBody {
                body: body.span,
                parser_file: file.clone(),
                parser: *span,
            });
        }
    }
    found
}

/// The project functions that verify: they await `verify`, wrap with a
/// verify wrapper, or call another verifier (any file, any depth).
fn verifiers(
    by_path: &crate::facts::FactsByPath,
    resolver: &impl Resolve,
) -> HashSet<(PathBuf, String)> {
    let mut set: HashSet<(PathBuf, String)> = HashSet::default();
    for (path, facts) in by_path.iter() {
        for func in &facts.handlers.functions {
            let verifies = func.wraps
                || facts
                    .verify_calls
                    .iter()
                    .any(|v| func.body.contains(v.span));
            if verifies && !func.name.is_empty() {
                set.insert((path.to_path_buf(), func.name.clone()));
            }
        }
    }
    // Callers of verifiers are verifiers, to a fixpoint.
    for _ in 0..8 {
        let mut added = false;
        for (path, facts) in by_path.iter() {
            for func in &facts.handlers.functions {
                let key = (path.to_path_buf(), func.name.clone());
                if func.name.is_empty() || set.contains(&key) {
                    continue;
                }
                if func
                    .calls
                    .iter()
                    .any(|c| is_verifier(path, c, &set, by_path, resolver))
                {
                    set.insert(key);
                    added = true;
                }
            }
        }
        if !added {
            break;
        }
    }
    set
}

fn is_verifier(
    from: &Path,
    call: &CallRef,
    set: &HashSet<(PathBuf, String)>,
    by_path: &crate::facts::FactsByPath,
    resolver: &impl Resolve,
) -> bool {
    match call {
        CallRef::Local(name) => set.contains(&(from.to_path_buf(), name.clone())),
        // An inline function verifies when a verify call or a verifier call
        // lies in its body.
        CallRef::Inline(body) => by_path.get(from).is_some_and(|f| {
            f.verify_calls.iter().any(|v| body.contains(v.span))
                || f.handlers.functions.iter().any(|func| {
                    body.contains(func.body)
                        && (func.wraps
                            || func
                                .calls
                                .iter()
                                .any(|c| c != call && is_verifier(from, c, set, by_path, resolver)))
                })
        }),
        CallRef::Imported(_) => {
            function_of(resolver, by_path, from, call).is_some_and(|key| set.contains(&key))
        }
    }
}

/// The project function a call names: a function of `from`, or the local
/// name behind an imported binding, through re-exports.
pub(crate) fn function_of(
    resolver: &(impl Resolve + ?Sized),
    by_path: &crate::facts::FactsByPath,
    from: &Path,
    c: &CallRef,
) -> Option<(PathBuf, String)> {
    match c {
        CallRef::Local(name) => Some((from.to_path_buf(), name.clone())),
        CallRef::Imported(r) => {
            let target = resolver.resolve(from, &r.specifier)?;
            // `QstashService.verifyRequest`: a method of an exported class
            // (see `facts::nest`).
            if let Some((class, method)) = r.name.split_once('.') {
                let (file, local) = resolver.export_local(&target, class, by_path, 0)?;
                return Some((file, format!("{local}.{method}")));
            }
            resolver.export_local(&target, &r.name, by_path, 0)
        }
        CallRef::Inline(_) => None,
    }
}

/// One step of [`Resolve::export_local`]: export `name` of `file` is local,
/// or the resolver is asked about the module it re-exports.
pub(crate) fn export_local_step<R: Resolve + ?Sized>(
    resolver: &R,
    file: &Path,
    name: &str,
    by_path: &crate::facts::FactsByPath,
    depth: u32,
) -> Option<(PathBuf, String)> {
    let facts = by_path.get(file)?;
    if let Some(e) = facts.exports.iter().find(|e| e.name == name) {
        return match &e.target {
            ExportTarget::Local(_) => e.local.clone().map(|l| (file.to_path_buf(), l)),
            ExportTarget::ReExport(r) => {
                let t = resolver.resolve(file, &r.specifier)?;
                resolver.export_local(&t, &r.name, by_path, depth + 1)
            }
            ExportTarget::Star(_) => None,
        };
    }
    facts.exports.iter().find_map(|e| match &e.target {
        ExportTarget::Star(spec) if name != "default" => {
            let t = resolver.resolve(file, spec)?;
            resolver.export_local(&t, name, by_path, depth + 1)
        }
        _ => None,
    })
}

/// How many forwarded destinations of same-named send helpers one call
/// is matched against when deciding which route files to parse.
const MAX_HELPER_CANDIDATES: usize = 64;

/// Every destination path of the project's sends, indexed by first path
/// segment so that thousands of route files can be tested cheaply.
pub struct DestinationIndex {
    paths: Vec<DestPath>,
    trie: DestTrie,
}

impl DestinationIndex {
    /// Indexes the destinations of `facts`. A send helper's callers are
    /// matched by the helper's name, not resolved: the index only decides
    /// which files to parse, and the link resolves each call.
    pub fn new<'a>(facts: impl Iterator<Item = &'a FileFacts>) -> Self {
        let facts: Vec<&FileFacts> = facts.collect();
        let mut paths: Vec<DestPath> = facts
            .iter()
            .flat_map(|f| f.sends.iter())
            .flat_map(|s| s.destinations.iter())
            .flat_map(|d| d.value.candidates.iter())
            .filter_map(path_pieces)
            .map(|p| DestPath::new(&p))
            .collect();
        // Send helpers by the name their callers use: a local call only in
        // its own file, an imported one by the exported name. Each call
        // looks at a bounded number of candidates, so that many same-named
        // helpers cannot make this quadratic.
        let mut exported: HashMap<&str, Vec<&Candidate>> = HashMap::default();
        let mut local: HashMap<(usize, &str), Vec<&Candidate>> = HashMap::default();
        for (fi, f) in facts.iter().enumerate() {
            for w in f.sends.iter().filter_map(|s| s.forwarded.as_ref()) {
                let candidates = w
                    .destinations
                    .iter()
                    .flat_map(|d| d.value.candidates.iter());
                local
                    .entry((fi, w.function.as_str()))
                    .or_default()
                    .extend(candidates.clone());
                for e in f
                    .exports
                    .iter()
                    .filter(|e| e.local.as_deref() == Some(w.function.as_str()))
                {
                    exported
                        .entry(e.name.as_str())
                        .or_default()
                        .extend(candidates.clone());
                }
            }
        }
        if !local.is_empty() {
            for (fi, f) in facts.iter().enumerate() {
                for call in &f.url_calls {
                    let candidates = match &call.callee {
                        CallRef::Local(n) => local.get(&(fi, n.as_str())),
                        CallRef::Imported(r) => exported.get(r.name.as_str()),
                        CallRef::Inline(_) => None,
                    };
                    let Some(candidates) = candidates else {
                        continue;
                    };
                    let args: Vec<Vec<Candidate>> =
                        call.args.iter().map(|a| a.candidates.clone()).collect();
                    for c in candidates.iter().take(MAX_HELPER_CANDIDATES) {
                        paths.extend(
                            crate::link::with_arguments(c, &args)
                                .iter()
                                .filter_map(path_pieces)
                                .map(|p| DestPath::new(&p)),
                        );
                    }
                }
            }
        }
        let trie = DestTrie::new(paths.iter());
        DestinationIndex { paths, trie }
    }

    /// Whether there is no destination at all.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// Whether some destination reaches `pattern`.
    pub fn any_match(&self, pattern: &RoutePattern) -> bool {
        self.trie
            .candidates(pattern)
            .into_iter()
            .any(|i| pattern.matches_path(&self.paths[i]))
    }
}

/// Route patterns of files by their framework's convention, with package
/// roots memoised across files.
pub struct RouteFiles {
    packages: Packages,
    /// What each folder asked about shares with its files, by the folder's
    /// bytes (`None`: no package holds it). Files come in path order, but a
    /// folder's files are interleaved with its subfolders', so remembering
    /// only the last folder worked it out again for most folders.
    dirs: HashMap<std::ffi::OsString, Option<Rc<DirInfo>>>,
}

/// A folder's package root, that package's deployment configs, and the
/// wrangler config nearest the folder.
struct DirInfo {
    root: PathBuf,
    chain: Rc<Chain>,
    worker: Option<(PathBuf, std::sync::Arc<crate::wrangler::WorkerConfig>)>,
}

impl RouteFiles {
    /// Patterns relative to each file's package, or to `fallback_root`.
    pub fn new(fallback_root: &Path) -> Self {
        RouteFiles {
            packages: Packages {
                fallback: Some(fallback_root.to_path_buf()),
                ..Packages::default()
            },
            dirs: HashMap::default(),
        }
    }

    /// The route pattern of the file at `path`, if it is a route file.
    pub fn pattern(&mut self, path: &Path) -> Option<RoutePattern> {
        let dir = crate::pathbytes::parent(path)?;
        let info = match self.dirs.get(dir.as_os_str()) {
            Some(info) => info.clone(),
            None => {
                let info = self.packages.root(dir).map(|root| {
                    Rc::new(DirInfo {
                        chain: self.packages.chain(&root),
                        worker: self.packages.worker_config_in(dir, Some(&root)),
                        root,
                    })
                });
                self.dirs.insert(dir.as_os_str().to_owned(), info.clone());
                info
            }
        }?;
        let DirInfo {
            root,
            chain,
            worker,
        } = &*info;
        match chain.platform(path) {
            Some(PlatformFile::Declared(d)) => {
                let mut patterns = d.iter().map(|d| d.pattern.clone().unwrap_or_default());
                let first = patterns.next()?;
                // Several routes of one file (a Lambda handler behind two
                // paths): any destination may reach one of them, and the
                // link judges each handler by its own routes.
                return Some(if patterns.all(|p| p == first) {
                    first
                } else {
                    RoutePattern {
                        segments: vec![routes::Segment::OptionalCatchAll],
                    }
                });
            }
            Some(PlatformFile::Vercel(p)) => return Some(p),
            // A Functions v2 `config.path` can serve it anywhere, and that
            // is only known once it is parsed: any destination may reach it.
            Some(PlatformFile::Netlify(_)) => {
                return Some(RoutePattern {
                    segments: vec![routes::Segment::OptionalCatchAll],
                })
            }
            None => {}
        }
        // Cheap test first: most files cannot be route files by any
        // convention, whatever their package.
        let s = path.as_os_str().as_encoded_bytes();
        let name = memchr::memrchr(b'/', s).map_or(s, |i| &s[i + 1..]);
        let maybe =
            name.starts_with(b"route.") || name.starts_with(b"+server.") || under_route_dir(s);
        if !maybe {
            // A Worker's entry serves every path of its hosts.
            let is_main = worker.as_ref().is_some_and(|(dir, config)| {
                config.main.as_deref().is_some_and(|m| {
                    crate::deploy::normalize(&dir.join(m)) == crate::deploy::normalize(path)
                })
            });
            return is_main.then(|| RoutePattern {
                segments: vec![routes::Segment::OptionalCatchAll],
            });
        }
        let route = self.packages.file_route(path, root)?;
        Some(match route.framework {
            Framework::NextApp | Framework::NextPages => match self.packages.next_base_path(root) {
                Some(base) => route.pattern.with_base_path(&base),
                None => route.pattern,
            },
            _ => route.pattern,
        })
    }
}

/// Every destination of every send, as path pieces.
fn destinations(files: &[FileInput], projects: &mut Projects) -> Vec<Dest> {
    let mut out = Vec::new();
    for f in files {
        if f.facts.sends.is_empty() {
            continue;
        }
        let project = projects.of(f.path);
        for send in &f.facts.sends {
            for d in &send.destinations {
                let method = delivery::delivery_method(send, d.key, d.value.span);
                for c in &d.value.candidates {
                    if let Some(pieces) = path_pieces(c) {
                        out.push(Dest {
                            host: dest_host(c),
                            path: DestPath::new(&pieces),
                            target: Target {
                                path: f.path.to_path_buf(),
                                span: d.value.span,
                                key: d.key,
                            },
                            method: method.clone(),
                            project: project.clone(),
                        });
                    }
                }
            }
        }
    }
    out
}

/// The destinations that send helpers' callers name: each call of a
/// function whose send's destination is its parameter, with the argument
/// in the parameter's place. The related location is the argument.
fn forwarded_destinations(
    files: &[FileInput],
    projects: &mut Projects,
    resolver: &impl Resolve,
    by_path: &crate::facts::FactsByPath,
) -> Vec<Dest> {
    type Forwarding<'f> = (&'f crate::facts::SendCall, &'f crate::facts::Destination);
    let mut helpers: HashMap<(PathBuf, &str), Vec<Forwarding>> = HashMap::default();
    for f in files {
        for send in &f.facts.sends {
            for w in send.forwarded.iter() {
                for d in &w.destinations {
                    helpers
                        .entry((f.path.to_path_buf(), w.function.as_str()))
                        .or_default()
                        .push((send, d));
                }
            }
        }
    }
    let mut out = Vec::new();
    if helpers.is_empty() {
        return out;
    }
    for f in files.iter().filter(|f| !f.facts.url_calls.is_empty()) {
        let project = projects.of(f.path);
        for call in &f.facts.url_calls {
            let Some((file, name)) = function_of(resolver, by_path, f.path, &call.callee) else {
                continue;
            };
            let Some(sends) = helpers.get(&(file, name.as_str())) else {
                continue;
            };
            let args: Vec<Vec<Candidate>> =
                call.args.iter().map(|a| a.candidates.clone()).collect();
            for (send, d) in sends {
                let method = delivery::delivery_method(send, d.key, d.value.span);
                for c in &d.value.candidates {
                    let span = first_param(c)
                        .and_then(|i| call.args.get(i))
                        .map_or(d.value.span, |a| a.span);
                    for c in crate::link::with_arguments(c, &args) {
                        if let Some(pieces) = path_pieces(&c) {
                            out.push(Dest {
                                host: dest_host(&c),
                                path: DestPath::new(&pieces),
                                target: Target {
                                    path: f.path.to_path_buf(),
                                    span,
                                    key: d.key,
                                },
                                method: method.clone(),
                                project: project.clone(),
                            });
                        }
                    }
                }
            }
        }
    }
    out
}

/// The first parameter a forwarded destination is made of.
fn first_param(c: &Candidate) -> Option<usize> {
    c.parts.iter().find_map(|p| match p {
        Part::Param(i) => Some(*i),
        _ => None,
    })
}

/// The host of a destination URL when its literal text names it whole
/// (`https://api.example.com:443/x` → `api.example.com`); `None` when any
/// of it is unknown (`https://${sub}.example.com/x`, `${APP_URL}/x`).
pub fn dest_host(c: &Candidate) -> Option<String> {
    let Some(Part::Lit(text)) = c.parts.first() else {
        return None;
    };
    let (_, rest) = text.split_once("://")?;
    let end = rest.find(['/', '?', '#'])?;
    let authority = &rest[..end];
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// The path of a destination URL: after `scheme://host` when the text is
/// known that far, or after an unknown base (`${APP_URL}/api/x`).
pub fn path_pieces(c: &Candidate) -> Option<Vec<PathPiece>> {
    let mut pieces: Vec<PathPiece> = Vec::new();
    let mut started = false;
    for (i, part) in c.parts.iter().enumerate() {
        match part {
            Part::Lit(text) if !started => {
                if let Some((_, rest)) = text.split_once("://") {
                    // The path starts at the first `/` after the host.
                    let slash = rest.find('/')?;
                    pieces.push(PathPiece::Lit(rest[slash..].to_string()));
                    started = true;
                } else if i > 0 && text.starts_with('/') {
                    pieces.push(PathPiece::Lit(text.clone()));
                    started = true;
                } else {
                    return None;
                }
            }
            Part::Lit(text) => pieces.push(PathPiece::Lit(text.clone())),
            _ if started => pieces.push(PathPiece::Any),
            // An unknown base (env var, import, parameter) before the path.
            _ => {}
        }
    }
    if !started {
        return None;
    }
    // A path that is only "/" says nothing about which route it hits.
    let informative = pieces
        .iter()
        .any(|p| matches!(p, PathPiece::Lit(t) if !t.trim_matches('/').is_empty()));
    informative.then_some(pieces)
}

/// Package roots and their Next.js `basePath`, memoised.
#[derive(Default)]
struct Packages {
    /// The root for files outside any package.
    fallback: Option<PathBuf>,
    roots: crate::project::PackageRoots,
    base_path: HashMap<PathBuf, Option<String>>,
    /// Per package: `None` without a verifying `middleware.ts`, else its
    /// matchers (`None` inside: it runs on every route).
    middleware: HashMap<PathBuf, Option<Option<Vec<RoutePattern>>>>,
    /// Deployment configs per folder.
    deploy: crate::deploy::DeployIndex,
    /// Per package root, the configs that apply to its files.
    chains: HashMap<std::ffi::OsString, Rc<Chain>>,
    /// Per package: the verifying calls of its SvelteKit `handle` hook.
    svelte_hooks: HashMap<PathBuf, Vec<crate::facts::hooks::HookCall>>,
    /// Per directory: the nearest wrangler config at or above it (within
    /// its package) and the directory that holds it. Keyed by the
    /// directory's bytes, like the other per-directory memos: every
    /// directory of the tree is asked.
    workers: HashMap<
        std::ffi::OsString,
        Option<(PathBuf, std::sync::Arc<crate::wrangler::WorkerConfig>)>,
    >,
}

/// The deployment configs that apply to the files of one package: its own
/// and those of the folders above it, nearest first.
#[derive(Default)]
struct Chain {
    /// Folders whose configs declare routes.
    declared: Vec<Rc<crate::deploy::DirDeploy>>,
    /// Netlify functions folders.
    netlify: Vec<PathBuf>,
    /// The package root, when it is no Next.js app (Vercel serves `api/`).
    vercel: Option<PathBuf>,
}

/// Whether a path lies under a folder that file-convention routes live in
/// (`/pages/`, `/server/api/`, `/server/routes/`, `/app/routes/`,
/// `/supabase/functions/`). Every file of a project is asked, so its folders
/// are compared once each instead of searched for each pattern.
fn under_route_dir(path: &[u8]) -> bool {
    let Some(last) = memchr::memrchr(b'/', path) else {
        return false;
    };
    // Each folder between two slashes, with the one before it.
    let mut prev: &[u8] = b"";
    for dir in path[..last].split(|&b| b == b'/').skip(1) {
        let hit = match dir {
            b"pages" => true,
            b"api" => prev == b"server",
            b"routes" => prev == b"server" || prev == b"app",
            b"functions" => prev == b"supabase",
            _ => false,
        };
        if hit {
            return true;
        }
        prev = dir;
    }
    false
}

/// `/api/`, the Vercel functions folder, with its searcher built once.
static API_DIR: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"/api/"));

impl Chain {
    fn platform(&self, path: &Path) -> Option<PlatformFile> {
        if !self.declared.is_empty() {
            let module = path.with_extension("");
            if let Some(decls) = self.declared.iter().find_map(|d| d.declared.get(&module)) {
                return Some(PlatformFile::Declared(decls.clone()));
            }
        }
        for functions in &self.netlify {
            if let Some(name) = path
                .strip_prefix(functions)
                .ok()
                .and_then(|rel| routes::netlify_function(&rel.to_string_lossy()))
            {
                return Some(PlatformFile::Netlify(name));
            }
        }
        // Most files are nowhere near an `api/` folder: test the text first.
        let root = self.vercel.as_ref()?;
        API_DIR.find(path.as_os_str().as_encoded_bytes())?;
        let rel = path.strip_prefix(root).ok()?;
        routes::vercel_route(&rel.to_string_lossy()).map(PlatformFile::Vercel)
    }
}

/// How a deployment platform serves a file, beyond the framework file
/// conventions.
enum PlatformFile {
    /// Routes a config declares for its exports (Lambda, React Router).
    Declared(Vec<Declared>),
    /// A Vercel function under `api/`.
    Vercel(RoutePattern),
    /// A Netlify function, by name.
    Netlify(String),
}

impl Packages {
    fn root(&mut self, dir: &Path) -> Option<PathBuf> {
        match self.roots.of_dir(dir) {
            Some(r) => Some(r),
            None => self.fallback.clone().filter(|f| dir.starts_with(f)),
        }
    }

    /// What the deployment configs of the package at `root` and of the
    /// folders above it say, gathered once per package.
    fn chain(&mut self, root: &Path) -> Rc<Chain> {
        if let Some(c) = self.chains.get(root.as_os_str()) {
            return c.clone();
        }
        let mut chain = Chain::default();
        let mut dir = Some(root.to_path_buf());
        let mut package = true;
        while let Some(d) = dir {
            let deploy = self.deploy.dir(&d);
            if !deploy.declared.is_empty() {
                chain.declared.push(deploy.clone());
            }
            chain.netlify.extend(deploy.netlify_dirs.iter().cloned());
            if package && !deploy.next_app {
                chain.vercel = Some(d.clone());
            }
            package = false;
            dir = d.parent().and_then(|p| self.root(p));
        }
        let chain = Rc::new(chain);
        self.chains
            .insert(root.as_os_str().to_owned(), chain.clone());
        chain
    }

    /// How a platform serves `path` (in the package at `root`): a route
    /// that a config in the package or a folder above declares (an SST app
    /// at the workspace root declares handlers in member packages), a
    /// Netlify functions folder, or Vercel's `api/` outside Next.js.
    fn platform(&mut self, path: &Path, root: &Path) -> Option<PlatformFile> {
        let chain = self.chain(root);
        chain.platform(path)
    }

    /// The framework route of `path` by file convention; React Router flat
    /// routes only where `app/routes.ts` does not replace them.
    fn file_route(&mut self, path: &Path, root: &Path) -> Option<routes::FileRoute> {
        let rel = path
            .strip_prefix(root)
            .ok()?
            .to_string_lossy()
            .replace('\\', "/");
        let route = routes::file_route(&rel)?;
        if route.framework == Framework::Remix && self.deploy.dir(root).routes_config_only {
            return None;
        }
        Some(route)
    }

    /// The wrangler config of the Worker whose code is at `file`: the
    /// nearest at or above its directory, not above its package.
    fn worker_config(
        &mut self,
        file: &Path,
    ) -> Option<(PathBuf, std::sync::Arc<crate::wrangler::WorkerConfig>)> {
        let dir = file.parent()?;
        let root = self.root(dir);
        self.worker_config_in(dir, root.as_deref())
    }

    fn worker_config_in(
        &mut self,
        dir: &Path,
        root: Option<&Path>,
    ) -> Option<(PathBuf, std::sync::Arc<crate::wrangler::WorkerConfig>)> {
        if let Some(found) = self.workers.get(dir.as_os_str()) {
            return found.clone();
        }
        let found = match crate::wrangler::read(dir) {
            Some(c) => Some((dir.to_path_buf(), std::sync::Arc::new(c))),
            None if root.is_some_and(|r| {
                dir.as_os_str() != r.as_os_str() && crate::pathbytes::starts_with(dir, r)
            }) =>
            {
                dir.parent().and_then(|p| self.worker_config_in(p, root))
            }
            None => None,
        };
        self.workers
            .insert(dir.as_os_str().to_owned(), found.clone());
        found
    }

    fn next_base_path(&mut self, root: &Path) -> Option<String> {
        if let Some(b) = self.base_path.get(root) {
            return b.clone();
        }
        let found = [
            "next.config.js",
            "next.config.mjs",
            "next.config.ts",
            "next.config.cjs",
            "next.config.mts",
        ]
        .iter()
        .find_map(|n| crate::deploy::read_config(&root.join(n)))
        .and_then(|t| routes::next_base_path(&t));
        self.base_path.insert(root.to_path_buf(), found.clone());
        found
    }
}

/// The routes a handler serves, and their display.
fn pattern_of(
    path: &Path,
    h: &Handler,
    mount_prefix: &str,
    packages: &mut Packages,
    config: &FunctionConfig,
) -> Vec<Route> {
    let any_method = |m: &str| (m != "ALL").then(|| m.to_ascii_uppercase());
    let route = |pattern: RoutePattern, method: Option<String>| {
        let shown = pattern.display();
        Route {
            pattern,
            shown,
            method,
            host: Host::Any,
        }
    };
    match &h.kind {
        HandlerKind::Code { path: p, method } => {
            // A router in a Supabase function sees paths that start with
            // the function's name, and is reached under `/functions/v1`.
            let supabase = supabase_function(path, packages).and_then(|(_, named)| {
                match named.segments.last() {
                    Some(routes::Segment::Static(name)) => {
                        Some((named.display(), format!("/{name}")))
                    }
                    _ => None,
                }
            });
            let (prefix, p) = match &supabase {
                Some((function_path, own)) => {
                    let rest = p
                        .strip_prefix(own.as_str())
                        .filter(|r| r.is_empty() || r.starts_with('/'))
                        .unwrap_or(p);
                    let rest = if rest.starts_with('/') {
                        rest.to_string()
                    } else {
                        format!("/{rest}")
                    };
                    let mount = mount_prefix.trim_end_matches('/');
                    (format!("{function_path}{mount}"), rest)
                }
                None => (mount_prefix.to_string(), p.clone()),
            };
            let full = if prefix.is_empty() {
                p
            } else {
                let rest = if p == "/" { "" } else { p.as_str() };
                match format!("{}{rest}", prefix.trim_end_matches('/')) {
                    joined if joined.is_empty() => "/".to_string(),
                    joined => joined,
                }
            };
            RoutePattern::from_code_path(&full)
                .map(|pattern| route(pattern, any_method(method)))
                .into_iter()
                .collect()
        }
        HandlerKind::Export(name) => {
            let Some(root) = path.parent().and_then(|d| packages.root(d)) else {
                return Vec::new();
            };
            match packages.platform(path, &root) {
                Some(PlatformFile::Declared(decls)) => {
                    return decls
                        .into_iter()
                        .filter(|d| d.export == *name)
                        .map(|d| match d.pattern {
                            Some(p) => route(p, d.method),
                            None => Route {
                                pattern: RoutePattern::default(),
                                shown: "function URL".into(),
                                method: None,
                                host: Host::Unknown,
                            },
                        })
                        .collect();
                }
                Some(PlatformFile::Vercel(pattern)) => {
                    return match name.as_str() {
                        "default" => vec![route(pattern, None)],
                        m if is_method_export(m) => vec![route(pattern, any_method(m))],
                        _ => Vec::new(),
                    };
                }
                Some(PlatformFile::Netlify(function)) => {
                    return netlify_routes(&function, name, config)
                        .into_iter()
                        .map(|(p, m)| route(p, m))
                        .collect();
                }
                None => {}
            }
            let Some(fr) = packages.file_route(path, &root) else {
                return Vec::new();
            };
            let fits = match fr.framework {
                Framework::NextApp | Framework::SvelteKit | Framework::Astro => {
                    is_method_export(name)
                }
                // `src/pages/api` is Astro's folder too: accept both shapes.
                Framework::NextPages => name == "default" || is_method_export(name),
                Framework::Nuxt => name == "default",
                Framework::Remix => name == "action",
                Framework::Vercel
                | Framework::Netlify
                | Framework::Declared
                // Served by `Deno.serve`, not by an export.
                | Framework::SupabaseFunction => false,
            };
            // Nuxt `receipt.get.ts` serves GET only: not a QStash delivery.
            if !fits
                || fr
                    .method
                    .as_deref()
                    .is_some_and(|m| matches!(m, "GET" | "HEAD" | "OPTIONS"))
            {
                return Vec::new();
            }
            let pattern = match fr.framework {
                Framework::NextApp | Framework::NextPages => match packages.next_base_path(&root) {
                    Some(base) => fr.pattern.with_base_path(&base),
                    None => fr.pattern,
                },
                _ => fr.pattern,
            };
            let method = match fr.framework {
                Framework::NextApp | Framework::SvelteKit | Framework::Astro => any_method(name),
                Framework::NextPages if name != "default" => any_method(name),
                Framework::Nuxt => fr.method.clone(),
                _ => None,
            };
            vec![route(pattern, method)]
        }
        HandlerKind::Server(_) => Vec::new(),
    }
}

/// The routes of a Netlify function's export: `handler` (Functions v1) at
/// `/.netlify/functions/<name>`; the default export (v2) there too, or at
/// the paths its `config` declares instead, for the methods it lists.
fn netlify_routes(
    function: &str,
    export: &str,
    config: &FunctionConfig,
) -> Vec<(RoutePattern, Option<String>)> {
    match export {
        "handler" => vec![(routes::netlify_default_route(function), None)],
        "default" if config.paths.is_empty() => {
            vec![(routes::netlify_default_route(function), None)]
        }
        "default" => {
            let methods: Vec<Option<String>> = if config.methods.is_empty() {
                vec![None]
            } else {
                config.methods.iter().cloned().map(Some).collect()
            };
            config
                .paths
                .iter()
                .filter_map(|p| RoutePattern::from_code_path(p))
                .flat_map(|p| methods.iter().map(move |m| (p.clone(), m.clone())))
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The route of a Supabase function file (`/functions/v1/<name>` and the
/// paths below it), and the part of it that names the function
/// (`/functions/v1/<name>`), when `path` is one.
fn supabase_function(path: &Path, packages: &mut Packages) -> Option<(RoutePattern, RoutePattern)> {
    let root = path.parent().and_then(|d| packages.root(d))?;
    let rel = path.strip_prefix(&root).ok()?;
    let rel = rel.to_string_lossy().replace('\\', "/");
    let r = routes::file_route(&rel).filter(|r| r.framework == Framework::SupabaseFunction)?;
    let named = RoutePattern {
        segments: r
            .pattern
            .segments
            .iter()
            .filter(|s| matches!(s, routes::Segment::Static(_)))
            .cloned()
            .collect(),
    };
    Some((r.pattern, named))
}

/// The routes of a server's one handler, every method: a Deno server at
/// its Supabase function's path; a Worker on each host of the wrangler
/// config nearest its file (up to its package), when the file is the
/// config's `main` or `main` names a file that is not there (build
/// output); a Worker without a config (or not its `main`) on no known
/// host.
fn server_routes(
    path: &Path,
    runtime: Runtime,
    packages: &mut Packages,
    by_path: &crate::facts::FactsByPath,
) -> Vec<Route> {
    match runtime {
        // Shown as the function's path, without the sub-paths it also
        // serves.
        Runtime::Deno => match supabase_function(path, packages) {
            Some((pattern, named)) => vec![Route {
                shown: named.display(),
                pattern,
                method: None,
                host: Host::Any,
            }],
            None => Vec::new(),
        },
        Runtime::Worker => {
            let unknown = || Route {
                pattern: RoutePattern {
                    segments: vec![routes::Segment::OptionalCatchAll],
                },
                shown: "Worker".into(),
                method: None,
                host: Host::Unknown,
            };
            let Some((dir, config)) = packages.worker_config(path) else {
                return vec![unknown()];
            };
            let is_main = config.main.as_deref().is_none_or(|m| {
                let main = crate::deploy::normalize(&dir.join(m));
                main == crate::deploy::normalize(path)
                    || !(by_path.contains_key(main.as_path()) || main.exists())
            });
            if !is_main || config.routes.is_empty() {
                return vec![unknown()];
            }
            config
                .routes
                .iter()
                .map(|r| Route {
                    pattern: r.path.clone(),
                    shown: r.shown.clone(),
                    method: None,
                    host: Host::Worker(r.clone()),
                })
                .collect()
        }
    }
}

fn is_method_export(name: &str) -> bool {
    matches!(
        name,
        "POST" | "PUT" | "PATCH" | "DELETE" | "GET" | "HEAD" | "OPTIONS" | "ALL"
    )
}

/// Whether a handler of these shows by itself that it expects QStash
/// messages, whatever targets it: a verify wrapper or workflow `serve`, a
/// `Receiver` it uses, or the signature header it reads (`own_signal`).
pub fn expects_qstash(handlers: &crate::facts::handlers::HandlerFacts) -> bool {
    handlers.handlers.iter().any(|h| own_signal(h).is_some())
}

/// Whether (and why) a handler receives QStash messages: a destination is
/// delivered to it (`hits`, see [`Links`]), or it shows that it expects
/// QStash.
fn receives(
    f: &FileInput,
    h: &Handler,
    hits: &[&Dest],
    verifiers: &HashSet<(PathBuf, String)>,
    resolver: &impl Resolve,
    by_path: &crate::facts::FactsByPath,
) -> Option<(Reason, Option<Target>)> {
    let direct = hits.iter().find(|d| {
        !matches!(
            d.target.key,
            DestinationKey::Callback | DestinationKey::FailureCallback
        )
    });
    if let Some(d) = direct {
        return Some((Reason::Destination, Some(d.target.clone())));
    }
    if let Some(d) = hits.first() {
        return Some((Reason::Callback, Some(d.target.clone())));
    }
    if let Some(reason) = own_signal(h) {
        return Some((reason, None));
    }
    let calls_verifier = h.function.as_ref().is_some_and(|fun| {
        fun.calls
            .iter()
            .any(|c| is_verifier(f.path, c, verifiers, by_path, resolver))
    });
    if calls_verifier {
        return Some((Reason::MeantToVerify, None));
    }
    f.receiver_glob.then_some((Reason::ConfigGlob, None))
}

/// How a handler shows by itself that it expects QStash messages: wrapped
/// to verify or served by a workflow, reading the signature header, or
/// using a `Receiver`.
fn own_signal(h: &Handler) -> Option<Reason> {
    if h.wrappers
        .iter()
        .any(|w| matches!(w, Wrapping::Verify(_) | Wrapping::Workflow))
    {
        return Some(Reason::MeantToVerify);
    }
    let func = h.function.as_ref()?;
    if func.reads_signature {
        Some(Reason::ReadsSignature)
    } else {
        func.uses_receiver.then_some(Reason::MeantToVerify)
    }
}

/// Whether a handler verifies: a verify wrapper or workflow `serve`, an
/// awaited (or any) verify in its body, a verifier it calls or is wrapped
/// with, verifying middleware, or another authentication.
fn verified(
    f: &FileInput,
    h: &Handler,
    route: &RoutePattern,
    verifiers: &HashSet<(PathBuf, String)>,
    resolver: &impl Resolve,
    packages: &mut Packages,
    by_path: &crate::facts::FactsByPath,
) -> bool {
    verified_depth(f, h, route, verifiers, resolver, packages, by_path, 0)
}

/// [`verified`], following handlers that are imported from other modules.
#[allow(clippy::too_many_arguments)]
fn verified_depth(
    f: &FileInput,
    h: &Handler,
    route: &RoutePattern,
    verifiers: &HashSet<(PathBuf, String)>,
    resolver: &impl Resolve,
    packages: &mut Packages,
    by_path: &crate::facts::FactsByPath,
    depth: u32,
) -> bool {
    let check = |c: &CallRef| is_verifier(f.path, c, verifiers, by_path, resolver);
    // `export const POST = handle(app)`: the router's own routes are judged.
    if h.function.is_none()
        && h.wrappers.iter().any(|w| match w {
            Wrapping::Call(c) => routes_through(f.path, c, resolver, by_path),
            _ => false,
        })
    {
        return true;
    }
    if h.wrappers.iter().any(|w| match w {
        Wrapping::Verify(_) | Wrapping::Workflow => true,
        Wrapping::Call(c) => check(c),
    }) {
        return true;
    }
    // `export const POST = handle` with `handle` imported, or `export { POST }
    // from "…"`: the handler is the other module's export, judged there. One
    // that cannot be seen (a factory's result, an unresolved module) is not
    // judged: precision first.
    if let (None, [Wrapping::Call(CallRef::Imported(r))]) = (&h.function, h.wrappers.as_slice()) {
        if depth > 8 {
            return true;
        }
        let Some((file, handler)) = imported_handler(f.path, r, resolver, by_path) else {
            return true;
        };
        let Some(facts) = by_path.get(file.as_path()) else {
            return true;
        };
        let there = FileInput {
            path: &file,
            facts,
            receiver_glob: false,
        };
        return verified_depth(
            &there,
            handler,
            route,
            verifiers,
            resolver,
            packages,
            by_path,
            depth + 1,
        ) || next_middleware_verifies(
            f.path, route, packages, by_path, verifiers, resolver,
        ) || svelte_hook_verifies(f.path, route, packages, by_path, verifiers, resolver);
    }
    if let Some(func) = &h.function {
        if func.wraps
            || func.other_auth
            || f.facts
                .verify_calls
                .iter()
                .any(|v| func.body.contains(v.span))
        {
            return true;
        }
        if func.calls.iter().any(check) {
            return true;
        }
    }
    if h.middleware.iter().any(check) {
        return true;
    }
    next_middleware_verifies(f.path, route, packages, by_path, verifiers, resolver)
        || svelte_hook_verifies(f.path, route, packages, by_path, verifiers, resolver)
}

/// A SvelteKit `handle` hook (`src/hooks.server.ts`) that verifies covers
/// the `+server` endpoints whose paths the conditions around its verifying
/// call let through (see [`crate::facts::hooks`]).
fn svelte_hook_verifies(
    file: &Path,
    route: &RoutePattern,
    packages: &mut Packages,
    by_path: &crate::facts::FactsByPath,
    verifiers: &HashSet<(PathBuf, String)>,
    resolver: &impl Resolve,
) -> bool {
    let endpoint = file
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("+server."));
    let Some(root) = file
        .parent()
        .and_then(|d| packages.root(d))
        .filter(|_| endpoint)
    else {
        return false;
    };
    if !packages.svelte_hooks.contains_key(&root) {
        let mut found = Vec::new();
        for name in ["hooks.server.ts", "hooks.server.js", "hooks.ts", "hooks.js"] {
            let candidate = root.join("src").join(name);
            let Some(facts) = by_path.get(candidate.as_path()) else {
                continue;
            };
            let Some(hook) = &facts.hook else { continue };
            for call in &hook.calls {
                // A verify call is the innermost hook call around it.
                let verifies_here = facts.verify_calls.iter().any(|v| {
                    call.span.contains(v.span)
                        && !hook.calls.iter().any(|c| {
                            c.span != call.span
                                && call.span.contains(c.span)
                                && c.span.contains(v.span)
                        })
                });
                let calls_verifier = call
                    .callee
                    .as_ref()
                    .is_some_and(|c| is_verifier(&candidate, c, verifiers, by_path, resolver));
                if verifies_here || calls_verifier {
                    found.push(call.clone());
                }
            }
        }
        packages.svelte_hooks.insert(root.clone(), found);
    }
    let (mut known, mut open) = (String::new(), false);
    for seg in &route.segments {
        match seg {
            routes::Segment::Static(s) => {
                known.push('/');
                known.push_str(s);
            }
            _ => {
                open = true;
                break;
            }
        }
    }
    if known.is_empty() {
        known.push('/');
    }
    packages.svelte_hooks.get(&root).is_some_and(|points| {
        points
            .iter()
            .any(|c| crate::facts::hooks::HandleHook::admits(c, &known, open))
    })
}

/// Whether a handler's wrapped value is a router that registers routes in
/// code (a Hono or Express app handed to an adapter such as `hono/vercel`'s
/// `handle(app)`): its routes are judged where they are registered.
fn routes_through(
    from: &Path,
    c: &CallRef,
    resolver: &impl Resolve,
    by_path: &crate::facts::FactsByPath,
) -> bool {
    let Some((file, name)) = function_of(resolver, by_path, from, c) else {
        return false;
    };
    by_path.get(file.as_path()).is_some_and(|facts| {
        let h = &facts.handlers;
        h.code_objects.iter().any(|(_, o)| *o == name) || h.mounts.iter().any(|m| m.object == name)
    })
}

/// The handler an imported binding names: the export of that name in the
/// module that defines it, through re-exports.
fn imported_handler<'f>(
    from: &Path,
    r: &crate::facts::ImportRef,
    resolver: &impl Resolve,
    by_path: &crate::facts::FactsByPath<'f>,
) -> Option<(PathBuf, &'f Handler)> {
    let target = resolver.resolve(from, &r.specifier)?;
    let (file, local) = resolver.export_local(&target, &r.name, by_path, 0)?;
    let facts: &'f FileFacts = by_path.get(file.as_path())?;
    let handler = facts
        .handlers
        .handlers
        .iter()
        .find(|h| matches!(&h.kind, HandlerKind::Export(n) if *n == local || *n == r.name))?;
    Some((file, handler))
}

/// A Next.js `middleware.ts` (package root or `src/`) that verifies covers
/// the routes its `config.matcher` selects (every route without one).
fn next_middleware_verifies(
    file: &Path,
    route: &RoutePattern,
    packages: &mut Packages,
    by_path: &crate::facts::FactsByPath,
    verifiers: &HashSet<(PathBuf, String)>,
    resolver: &impl Resolve,
) -> bool {
    let Some(root) = file.parent().and_then(|d| packages.root(d)) else {
        return false;
    };
    if !packages.middleware.contains_key(&root) {
        let mut found = None;
        for dir in [root.clone(), root.join("src")] {
            for ext in ["ts", "js", "mjs", "tsx"] {
                let candidate = dir.join(format!("middleware.{ext}"));
                let Some(facts) = by_path.get(candidate.as_path()) else {
                    continue;
                };
                let verifies = !facts.verify_calls.is_empty()
                    || facts.handlers.functions.iter().any(|func| {
                        func.wraps
                            || func
                                .calls
                                .iter()
                                .any(|c| is_verifier(&candidate, c, verifiers, by_path, resolver))
                    });
                if verifies {
                    let text = std::fs::read_to_string(&candidate).unwrap_or_default();
                    found = Some(matchers(&text));
                }
            }
        }
        packages.middleware.insert(root.clone(), found);
    }
    match packages.middleware.get(&root) {
        Some(Some(None)) => true,
        Some(Some(Some(patterns))) => {
            let pieces = route_pieces(route);
            patterns.iter().any(|m| m.matches(&pieces))
        }
        _ => false,
    }
}

/// The paths of a `config.matcher` in a middleware file's text: `None` when
/// it has no matcher (it runs on every route). Matchers with regular
/// expressions (`/((?!api|_next).*)`) are left out, so a route they might
/// cover is still checked.
fn matchers(text: &str) -> Option<Vec<RoutePattern>> {
    let at = text.find("matcher")?;
    let rest = &text[at + "matcher".len()..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let value = if rest.starts_with('[') {
        &rest[..rest.find(']').unwrap_or(rest.len())]
    } else {
        rest.lines().next().unwrap_or("")
    };
    let mut out = Vec::new();
    let mut chars = value.char_indices();
    while let Some((i, c)) = chars.next() {
        if !matches!(c, '"' | '\'' | '`') {
            continue;
        }
        let Some(len) = value[i + 1..].find(c) else {
            break;
        };
        let literal = &value[i + 1..i + 1 + len];
        if !literal.contains('(') {
            if let Some(p) = RoutePattern::from_code_path(literal) {
                out.push(p);
            }
        }
        for _ in 0..=len {
            chars.next();
        }
    }
    Some(out)
}

/// A route's own path as destination pieces: static segments as text,
/// parameters as unknown text.
fn route_pieces(route: &RoutePattern) -> Vec<PathPiece> {
    let mut out = Vec::new();
    for seg in &route.segments {
        match seg {
            routes::Segment::Static(s) | routes::Segment::Optional(s) => {
                out.push(PathPiece::Lit(format!("/{s}")))
            }
            _ => {
                out.push(PathPiece::Lit("/".into()));
                out.push(PathPiece::Any);
            }
        }
    }
    if out.is_empty() {
        out.push(PathPiece::Lit("/".into()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::under_route_dir;

    /// The folder test agrees with a plain search for each folder pattern.
    #[test]
    fn route_dirs_match_the_folder_patterns() {
        let patterns = [
            "/pages/",
            "/server/api/",
            "/server/routes/",
            "/app/routes/",
            "/supabase/functions/",
        ];
        for path in [
            "/r/pages/api/a.ts",
            "/r/src/pages/index.tsx",
            "/r/server/api/x.post.ts",
            "/r/server/routes/a/b.ts",
            "/r/app/routes/api.x.tsx",
            "/r/supabase/functions/f/index.ts",
            "/r/pages.ts",
            "/r/lib/pages",
            "/r/server/apis/x.ts",
            "/r/myserver/api/x.ts",
            "/r/server/api",
            "/r/app/route/x.ts",
            "pages/a.ts",
            "server/api/a.ts",
            "/r/x/supabase/functions/index.ts",
            "a.ts",
            "",
        ] {
            let searched = patterns.iter().any(|p| path.contains(p));
            assert_eq!(under_route_dir(path.as_bytes()), searched, "{path}");
        }
    }
}
