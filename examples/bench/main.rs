//! The project benchmark: qstash-lint over a large generated TS/JS tree,
//! measured against a read-only floor and a parse-only floor in the same run.
//!
//! ```text
//! cargo run --release --example bench -- [--files N] [--dir DIR] [--threads N] [--runs K] [--seed S]
//! cargo run --release --example bench -- --stress [--stress-strict] [--stress-only NAME,..] [--stress-cap SECS]
//! cargo run --release --example bench -- --corpus [DIR]
//! ```
//!
//! Two more modes live in their own modules: `--stress` (stress.rs), which
//! times the engine on generated worst-case constructs at three sizes, and
//! `--corpus` (corpus.rs), which times it on real restored repositories.
//! Both run the engine in a child process (child.rs) so that a run that
//! does not finish can be killed.
//!
//! See `bench/README.md` for what the numbers mean.

mod child;
mod corpus;
mod stress;

/// The options of a whole-tree run of `root`, as `qstash-lint check` run
/// there gives.
fn whole_tree(root: &Path, threads: Option<usize>) -> engine::Options {
    engine::Options {
        paths: vec![root.to_path_buf()],
        threads,
        cwd: root.to_path_buf(),
        ..engine::Options::default()
    }
}

// The allocator the qstash-lint binary uses, so that every pass (the floors
// included) is measured as the product runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use qstash_lint::{discover, engine, parse, prefilter};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------

struct Args {
    files: usize,
    dir: Option<PathBuf>,
    threads: Option<usize>,
    runs: usize,
    seed: u64,
    /// `--stress`: time the generated stress set instead of the main tree.
    stress: bool,
    /// `--stress-strict`: exit 1 when a construct misses its target.
    stress_strict: bool,
    /// `--stress-only A,B`: only the constructs whose name contains one of these.
    stress_only: Vec<String>,
    /// `--stress-cap S`: the time after which a stress run is killed.
    stress_cap: Duration,
    /// `--corpus [DIR]`: time every repository under DIR.
    corpus: Option<PathBuf>,
    /// `--run-one PATH` (hidden): run the engine once on PATH, print one
    /// report line and exit. The parent process of the two modes above.
    run_one: Option<PathBuf>,
}

const USAGE: &str = "usage: bench [--files N (default 20000)] [--dir DIR (default: a fresh temp dir, deleted at the end)] \
[--threads N (default: one per core)] [--runs K (default 3, the median is reported)] [--seed S (default 1)]
       bench --stress [--stress-strict] [--stress-only NAME,NAME..] [--stress-cap SECS (default 60)] [--dir DIR] [--threads N] [--runs K]
       bench --corpus [DIR (default /tmp/dev-corpus)] [--threads N] [--runs K]";

/// Where `--corpus` looks when no directory is given.
const DEFAULT_CORPUS: &str = "/tmp/dev-corpus";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        files: 20_000,
        dir: None,
        threads: None,
        runs: 3,
        seed: 1,
        stress: false,
        stress_strict: false,
        stress_only: Vec::new(),
        stress_cap: Duration::from_secs(60),
        corpus: None,
        run_one: None,
    };
    let mut it = std::env::args().skip(1).peekable();
    while let Some(a) = it.next() {
        let (key, inline) = match a.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (a.clone(), None),
        };
        if key == "-h" || key == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        if key == "--corpus" {
            // The directory is optional: take the next argument unless it
            // is another option.
            let dir = match inline {
                Some(v) => v,
                None => match it.peek() {
                    Some(next) if !next.starts_with('-') => it.next().unwrap_or_default(),
                    _ => DEFAULT_CORPUS.to_string(),
                },
            };
            args.corpus = Some(PathBuf::from(dir));
            continue;
        }
        let mut value = || -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{key} needs a value\n{USAGE}"))
        };
        let number = |v: String| -> Result<usize, String> {
            v.parse::<usize>()
                .map_err(|_| format!("{key}: `{v}` is not a number"))
        };
        match key.as_str() {
            "--files" => args.files = number(value()?)?,
            "--dir" => args.dir = Some(PathBuf::from(value()?)),
            "--threads" => args.threads = Some(number(value()?)?).filter(|&n| n > 0),
            "--runs" => args.runs = number(value()?)?.max(1),
            "--seed" => args.seed = number(value()?)? as u64,
            "--stress" => args.stress = true,
            "--stress-strict" => {
                args.stress = true;
                args.stress_strict = true;
            }
            "--stress-only" => {
                args.stress = true;
                args.stress_only = value()?
                    .split(',')
                    .map(|s| s.trim().to_lowercase())
                    .filter(|s| !s.is_empty())
                    .collect();
            }
            "--stress-cap" => {
                let v = value()?;
                let secs = v
                    .parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s > 0.0)
                    .ok_or_else(|| format!("{key}: `{v}` is not a positive number of seconds"))?;
                args.stress_cap = Duration::from_secs_f64(secs);
            }
            "--run-one" => args.run_one = Some(PathBuf::from(value()?)),
            _ => return Err(format!("unknown argument `{a}`\n{USAGE}")),
        }
    }
    if args.files == 0 {
        return Err("--files must be at least 1".into());
    }
    if args.stress && args.corpus.is_some() {
        return Err(format!("give --stress or --corpus, not both\n{USAGE}"));
    }
    Ok(args)
}

// ---------------------------------------------------------------------------
// A small deterministic PRNG (SplitMix64)
// ---------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut r = Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B);
        r.next_u64();
        r
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(1e-12);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// Picks an index by weight.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(total as usize) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

// ---------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------

#[rustfmt::skip]
const NOUNS: &[&str] = &[
    "user", "order", "invoice", "product", "cart", "session", "team", "project", "billing",
    "report", "event", "message", "job", "task", "webhook", "payment", "account", "profile",
    "settings", "notification", "analytics", "search", "upload", "comment", "post", "feed", "auth",
    "dashboard", "metric", "customer", "subscription", "plan", "coupon", "shipment", "inventory",
    "review", "workspace", "member", "invite", "audit", "export", "import", "calendar", "booking",
    "ticket", "article", "media", "tag",
];

#[rustfmt::skip]
const AREAS: &[&str] = &[
    "billing", "orders", "users", "teams", "projects", "settings", "reports", "analytics",
    "checkout", "catalog", "inventory", "shipping", "support", "marketing", "onboarding", "auth",
    "admin", "notifications", "search", "uploads", "comments", "feed", "calendar", "bookings",
    "tickets", "blog", "docs", "integrations", "webhooks", "audit", "exports", "imports",
    "members", "invites", "subscriptions", "coupons", "reviews", "media", "workspace", "profile",
];

#[rustfmt::skip]
const VERBS: &[&str] = &[
    "get", "fetch", "create", "update", "delete", "list", "compute", "format", "parse", "validate",
    "prepare", "sync", "load", "save", "normalize", "resolve", "merge", "render", "map", "filter",
    "group", "sort", "apply", "ensure",
];

#[rustfmt::skip]
const SUFFIXES: &[&str] = &[
    "Card", "List", "Table", "Form", "Dialog", "Panel", "Header", "Item", "View", "Badge", "Menu",
    "Section", "Row", "Summary", "Details", "Toolbar", "Empty", "Skeleton", "Picker", "Filter",
];

#[rustfmt::skip]
const FIELDS: &[&str] = &[
    "id", "name", "title", "email", "createdAt", "updatedAt", "status", "amount", "currency",
    "ownerId", "teamId", "slug", "description", "tags", "metadata", "count", "enabled", "priority",
    "dueDate", "url", "avatarUrl", "role", "plan", "quantity", "price", "total", "locale",
    "timezone", "archived", "version",
];

#[rustfmt::skip]
const TYPES: &[&str] = &[
    "string", "number", "boolean", "Date", "string[]", "Record<string, unknown>", "number | null",
    "\"draft\" | \"active\" | \"archived\"", "{ id: string; label: string }",
    "Array<{ key: string; value: number }>", "Readonly<string[]>",
];

#[rustfmt::skip]
const STATUSES: &[&str] = &[
    "pending", "active", "archived", "failed", "completed", "draft", "cancelled", "scheduled",
    "paused", "expired",
];

#[rustfmt::skip]
const WORDS: &[&str] = &[
    "Manage", "your", "team", "settings", "and", "billing", "details", "in", "one", "place", "No",
    "results", "found", "Try", "adjusting", "the", "filters", "Save", "changes", "Cancel",
    "Continue", "Learn", "more", "about", "plans", "Invite", "members", "to", "collaborate",
    "View", "all", "recent", "activity", "Last", "updated", "Export", "as", "CSV",
];

#[rustfmt::skip]
const CLASSES: &[&str] = &[
    "flex", "grid", "items-center", "justify-between", "gap-2", "gap-4", "p-4", "px-6", "py-2",
    "mt-4", "rounded-lg", "border", "shadow-sm", "text-sm", "text-lg", "font-semibold",
    "text-muted-foreground", "bg-background", "hover:bg-accent", "w-full", "max-w-3xl",
    "space-y-2", "truncate", "md:grid-cols-2",
];

#[rustfmt::skip]
const DOMAINS: &[&str] = &[
    "acme-shop.com", "example-store.io", "northwind.dev", "contoso-apps.net", "globex.app",
];

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------
// The tree plan
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum QVariant {
    PublishClean,
    PublishHttp,
    PublishLocalhost,
    PublishBadDelay,
    PublishNoDestination,
    Schedule { bad: bool },
    ReceiverRoute { single: bool },
    AppRouterWrapper,
    ClientEnvLeak,
    HardcodedToken,
    HardcodedSigKey,
    ScriptMjs,
}

impl QVariant {
    /// The rule this file is planted for, if any.
    fn expected_rule(self) -> Option<&'static str> {
        match self {
            QVariant::PublishHttp => Some("insecure-http-destination"),
            QVariant::PublishLocalhost => Some("localhost-destination"),
            QVariant::PublishBadDelay => Some("invalid-delay"),
            QVariant::PublishNoDestination => Some("missing-destination"),
            QVariant::Schedule { bad: true } => Some("invalid-cron"),
            QVariant::ReceiverRoute { single: true } => Some("single-signing-key"),
            QVariant::ClientEnvLeak => Some("client-exposed-secret"),
            QVariant::HardcodedToken => Some("hardcoded-token"),
            QVariant::HardcodedSigKey => Some("hardcoded-signing-key"),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Page,
    Layout,
    Loading,
    Route,
    Component,
    Primitive,
    Hook,
    Lib,
    Util,
    Types,
    Barrel,
    Test,
    Script,
    LegacyJs,
    JsComponent,
    Config,
    /// Uses `@upstash/redis` or `@upstash/ratelimit`: passes the prefilter
    /// without touching QStash.
    OtherUpstash,
    Qstash(QVariant),
}

const ORDINARY: &[(Kind, u32)] = &[
    (Kind::Page, 9),
    (Kind::Layout, 2),
    (Kind::Loading, 2),
    (Kind::Route, 8),
    (Kind::Component, 24),
    (Kind::Primitive, 5),
    (Kind::Hook, 5),
    (Kind::Lib, 13),
    (Kind::Util, 7),
    (Kind::Types, 4),
    (Kind::Barrel, 3),
    (Kind::Test, 10),
    (Kind::Script, 2),
    (Kind::LegacyJs, 3),
    (Kind::JsComponent, 2),
    (Kind::Config, 1),
];

struct Planned {
    rel: String,
    kind: Kind,
    seed: u64,
}

struct Plan {
    files: Vec<Planned>,
    qstash: usize,
    other_upstash: usize,
    planted: BTreeMap<&'static str, usize>,
}

fn pascal(rng: &mut Rng) -> String {
    format!("{}{}", upper_first(rng.pick(NOUNS)), rng.pick(SUFFIXES))
}

fn kebab(rng: &mut Rng) -> String {
    if rng.chance(0.5) {
        format!("{}-{}", rng.pick(NOUNS), rng.pick(NOUNS))
    } else {
        format!("{}-{}", rng.pick(VERBS), rng.pick(NOUNS))
    }
}

fn app(rng: &mut Rng) -> &'static str {
    if rng.chance(0.7) {
        "apps/web"
    } else {
        "apps/admin"
    }
}

fn route_group(rng: &mut Rng) -> &'static str {
    rng.pick(&[
        "(dashboard)",
        "(marketing)",
        "(auth)",
        "(settings)",
        "(app)",
    ])
}

/// A candidate path for a file of `kind` (collisions are resolved by the caller).
fn path_for(kind: Kind, rng: &mut Rng) -> String {
    match kind {
        Kind::Page | Kind::Layout | Kind::Loading => {
            let file = match kind {
                Kind::Page => "page.tsx",
                Kind::Layout => "layout.tsx",
                _ => "loading.tsx",
            };
            let sub = if rng.chance(0.25) {
                format!("[{}Id]", rng.pick(NOUNS))
            } else {
                rng.pick(NOUNS).to_string()
            };
            format!(
                "{}/app/{}/{}/{}/{}",
                app(rng),
                route_group(rng),
                rng.pick(AREAS),
                sub,
                file
            )
        }
        Kind::Route => {
            let tail = match rng.below(3) {
                0 => format!("[id]/{}", rng.pick(VERBS)),
                1 => rng.pick(NOUNS).to_string(),
                _ => format!("{}/[id]", rng.pick(NOUNS)),
            };
            format!("{}/app/api/{}/{}/route.ts", app(rng), rng.pick(AREAS), tail)
        }
        Kind::Component => {
            if rng.chance(0.6) {
                format!(
                    "{}/components/{}/{}.tsx",
                    app(rng),
                    rng.pick(AREAS),
                    pascal(rng)
                )
            } else {
                format!(
                    "packages/ui/src/components/{}/{}.tsx",
                    rng.pick(AREAS),
                    pascal(rng)
                )
            }
        }
        Kind::Primitive => format!(
            "packages/ui/src/primitives/{}/{}.tsx",
            rng.pick(&[
                "form",
                "overlay",
                "layout",
                "data",
                "feedback",
                "navigation"
            ]),
            pascal(rng)
        ),
        Kind::Hook => {
            let ext = if rng.chance(0.7) { "ts" } else { "tsx" };
            let name = format!(
                "use{}{}",
                upper_first(rng.pick(NOUNS)),
                upper_first(rng.pick(NOUNS))
            );
            if rng.chance(0.5) {
                format!("{}/hooks/{name}.{ext}", app(rng))
            } else {
                format!("packages/ui/src/hooks/{}/{name}.{ext}", rng.pick(AREAS))
            }
        }
        Kind::Lib => match rng.below(20) {
            0..=9 => format!("{}/lib/{}/{}.ts", app(rng), rng.pick(AREAS), kebab(rng)),
            10..=16 => format!("packages/core/src/{}/{}.ts", rng.pick(AREAS), kebab(rng)),
            _ => format!("packages/jobs/src/{}/{}.ts", rng.pick(AREAS), kebab(rng)),
        },
        Kind::Util => {
            if rng.chance(0.5) {
                format!(
                    "packages/core/src/utils/{}/{}.ts",
                    rng.pick(AREAS),
                    kebab(rng)
                )
            } else {
                format!("{}/utils/{}.ts", app(rng), kebab(rng))
            }
        }
        Kind::Types => {
            if rng.chance(0.5) {
                format!("packages/core/src/types/{}.ts", kebab(rng))
            } else {
                format!("{}/types/{}/{}.ts", app(rng), rng.pick(AREAS), kebab(rng))
            }
        }
        Kind::Barrel => match rng.below(3) {
            0 => format!("packages/core/src/{}/index.ts", rng.pick(AREAS)),
            1 => format!("packages/ui/src/components/{}/index.ts", rng.pick(AREAS)),
            _ => format!("{}/lib/{}/index.ts", app(rng), rng.pick(AREAS)),
        },
        Kind::Test => match rng.below(10) {
            0..=4 => format!(
                "{}/__tests__/{}/{}.test.{}",
                app(rng),
                rng.pick(AREAS),
                kebab(rng),
                if rng.chance(0.4) { "tsx" } else { "ts" }
            ),
            5..=8 => format!(
                "packages/core/src/{}/__tests__/{}.test.ts",
                rng.pick(AREAS),
                kebab(rng)
            ),
            _ => format!(
                "{}/e2e/{}/{}.spec.ts",
                app(rng),
                rng.pick(AREAS),
                kebab(rng)
            ),
        },
        Kind::Script => format!(
            "scripts/{}/{}.{}",
            rng.pick(&["db", "ci", "release", "data", "ops"]),
            kebab(rng),
            if rng.chance(0.6) { "mjs" } else { "js" }
        ),
        Kind::LegacyJs => format!(
            "apps/admin/legacy/{}/{}.{}",
            rng.pick(AREAS),
            kebab(rng),
            if rng.chance(0.75) { "js" } else { "cjs" }
        ),
        Kind::JsComponent => format!(
            "apps/admin/legacy/components/{}/{}.{}",
            rng.pick(AREAS),
            pascal(rng),
            if rng.chance(0.5) { "jsx" } else { "js" }
        ),
        Kind::Config => format!(
            "config/{}/{}.config.{}",
            rng.pick(AREAS),
            rng.pick(NOUNS),
            rng.pick(&["mjs", "js", "cjs"])
        ),
        Kind::OtherUpstash => format!(
            "{}/lib/{}/{}.ts",
            app(rng),
            rng.pick(&["cache", "ratelimit", "kv"]),
            kebab(rng)
        ),
        Kind::Qstash(v) => match v {
            QVariant::Schedule { .. } => {
                format!("packages/jobs/src/schedules/{}.ts", kebab(rng))
            }
            QVariant::ReceiverRoute { .. }
            | QVariant::AppRouterWrapper
            | QVariant::HardcodedSigKey => format!(
                "apps/web/app/api/{}/{}/route.ts",
                rng.pick(&["jobs", "webhooks", "qstash", "cron"]),
                rng.pick(AREAS)
            ),
            QVariant::ClientEnvLeak => format!(
                "apps/web/components/{}/{}.tsx",
                rng.pick(AREAS),
                pascal(rng)
            ),
            QVariant::ScriptMjs => format!("scripts/qstash/{}.mjs", kebab(rng)),
            _ => {
                if rng.chance(0.6) {
                    format!("apps/web/lib/queue/{}.ts", kebab(rng))
                } else {
                    format!("packages/jobs/src/qstash/{}.ts", kebab(rng))
                }
            }
        },
    }
}

fn pick_qvariant(rng: &mut Rng) -> QVariant {
    const W: &[u32] = &[25, 15, 10, 12, 6, 6, 6, 5, 4, 5, 3, 3];
    match rng.weighted(W) {
        0 => QVariant::PublishClean,
        1 => QVariant::ReceiverRoute {
            single: rng.chance(0.2),
        },
        2 => QVariant::AppRouterWrapper,
        3 => QVariant::Schedule {
            bad: rng.chance(0.25),
        },
        4 => QVariant::ScriptMjs,
        5 => QVariant::PublishHttp,
        6 => QVariant::PublishLocalhost,
        7 => QVariant::PublishBadDelay,
        8 => QVariant::PublishNoDestination,
        9 => QVariant::ClientEnvLeak,
        10 => QVariant::HardcodedToken,
        _ => QVariant::HardcodedSigKey,
    }
}

fn make_plan(n: usize, seed: u64) -> Plan {
    let mut rng = Rng::new(seed);
    // About 1% of the files touch QStash (at least one), and about 0.3% use
    // other Upstash packages (they pass the byte prefilter too).
    let n_q = ((n as f64 * 0.01).round() as usize).clamp(1, n);
    let n_other = ((n as f64 * 0.003).round() as usize).min(n - n_q);
    let mut kinds = Vec::with_capacity(n);
    for _ in 0..n_q {
        kinds.push(Kind::Qstash(pick_qvariant(&mut rng)));
    }
    kinds.extend(std::iter::repeat_n(Kind::OtherUpstash, n_other));
    let weights: Vec<u32> = ORDINARY.iter().map(|&(_, w)| w).collect();
    while kinds.len() < n {
        kinds.push(ORDINARY[rng.weighted(&weights)].0);
    }
    // Spread the special files through the tree order.
    for i in (1..kinds.len()).rev() {
        let j = rng.below(i + 1);
        kinds.swap(i, j);
    }

    let mut used: HashSet<String> = HashSet::with_capacity(n);
    let mut files = Vec::with_capacity(n);
    let mut planted = BTreeMap::new();
    for (i, kind) in kinds.into_iter().enumerate() {
        let mut rel = String::new();
        for _ in 0..8 {
            rel = path_for(kind, &mut rng);
            if !used.contains(&rel) {
                break;
            }
        }
        if used.contains(&rel) {
            // Crowded: put a numbered copy next to it (keeping fixed names
            // such as page.tsx in a numbered sibling directory).
            let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel.as_str()));
            let (stem, ext) = name.split_once('.').unwrap_or((name, "ts"));
            let fixed = matches!(stem, "page" | "layout" | "loading" | "route" | "index");
            let mut k = 2;
            loop {
                let cand = if fixed {
                    format!("{dir}-{k}/{name}")
                } else {
                    format!("{dir}/{stem}{k}.{ext}")
                };
                if !used.contains(&cand) {
                    rel = cand;
                    break;
                }
                k += 1;
            }
        }
        used.insert(rel.clone());
        if let Kind::Qstash(v) = kind {
            if let Some(rule) = v.expected_rule() {
                *planted.entry(rule).or_insert(0) += 1;
            }
        }
        files.push(Planned {
            rel,
            kind,
            seed: seed.wrapping_mul(0x1000_0000_01B3) ^ (i as u64).wrapping_mul(0x9E37_79B9),
        });
    }
    Plan {
        files,
        qstash: n_q,
        other_upstash: n_other,
        planted,
    }
}

// ---------------------------------------------------------------------------
// Code generation
// ---------------------------------------------------------------------------

macro_rules! emit {
    ($g:expr, $($arg:tt)*) => {{
        let line = format!($($arg)*);
        $g.out.push_str(&line);
        $g.out.push('\n');
    }};
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Ts,
    Tsx,
    /// JavaScript; JSX allowed in `.js`/`.jsx` components.
    Js,
}

struct Gen {
    rng: Rng,
    d: Dialect,
    out: String,
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        s.push(A[(n >> 18) as usize & 63] as char);
        s.push(A[(n >> 12) as usize & 63] as char);
        s.push(if c.len() > 1 {
            A[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        s.push(if c.len() > 2 {
            A[n as usize & 63] as char
        } else {
            '='
        });
    }
    s
}

impl Gen {
    fn new(seed: u64, d: Dialect) -> Gen {
        Gen {
            rng: Rng::new(seed),
            d,
            out: String::with_capacity(8 * 1024),
        }
    }

    fn ts(&self) -> bool {
        self.d != Dialect::Js
    }

    /// `text` in TypeScript, nothing in JavaScript.
    fn t<'a>(&self, text: &'a str) -> &'a str {
        if self.ts() {
            text
        } else {
            ""
        }
    }

    fn raw(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn noun(&mut self) -> &'static str {
        self.rng.pick(NOUNS)
    }

    fn type_name(&mut self) -> String {
        let a = upper_first(self.noun());
        let b = self.rng.pick(&[
            "", "Summary", "Input", "Record", "Row", "Payload", "Options", "State", "Response",
        ]);
        format!("{a}{b}")
    }

    fn fn_name(&mut self) -> String {
        let v = self.rng.pick(VERBS);
        let a = upper_first(self.noun());
        if self.rng.chance(0.4) {
            format!("{v}{a}{}", upper_first(self.noun()))
        } else {
            format!("{v}{a}")
        }
    }

    fn field(&mut self) -> &'static str {
        self.rng.pick(FIELDS)
    }

    fn words(&mut self, lo: usize, hi: usize) -> String {
        let n = self.rng.range(lo, hi);
        (0..n)
            .map(|_| self.rng.pick(WORDS))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn classes(&mut self) -> String {
        let n = self.rng.range(2, 5);
        (0..n)
            .map(|_| self.rng.pick(CLASSES))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn fields(&mut self, lo: usize, hi: usize) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = Vec::new();
        for _ in 0..self.rng.range(lo, hi) {
            let f = self.field();
            if !v.contains(&f) {
                v.push(f);
            }
        }
        v
    }

    // --- headers ---------------------------------------------------------

    fn imports_react(&mut self) {
        let hooks = ["useState", "useEffect", "useMemo", "useCallback", "useRef"];
        let n = self.rng.range(2, 5);
        self.raw(&format!(
            "import {{ {} }} from \"react\";",
            hooks[..n].join(", ")
        ));
    }

    fn imports_misc(&mut self, max: usize) {
        for _ in 0..self.rng.range(1, max) {
            let line = match self.rng.below(10) {
                0 => "import { z } from \"zod\";".to_string(),
                1 => "import clsx from \"clsx\";".to_string(),
                2 => "import { format, formatDistanceToNow } from \"date-fns\";".to_string(),
                3 => format!(
                    "import {{ {}, {} }} from \"@/lib/{}/{}\";",
                    self.fn_name(),
                    self.fn_name(),
                    self.rng.pick(AREAS),
                    kebab(&mut self.rng)
                ),
                4 => format!(
                    "import type {{ {}, {} }} from \"@acme/core/types\";",
                    self.type_name(),
                    self.type_name()
                ),
                5 => format!(
                    "import {{ {} }} from \"@acme/core/{}\";",
                    self.fn_name(),
                    self.rng.pick(AREAS)
                ),
                6 => "import { logger } from \"@acme/core/logger\";".to_string(),
                7 => format!(
                    "import {{ {} }} from \"../{}\";",
                    self.fn_name(),
                    kebab(&mut self.rng)
                ),
                8 => "import { db } from \"@/lib/db\";".to_string(),
                _ => format!(
                    "import {{ {}Settings as {}Config }} from \"./config\";",
                    self.noun(),
                    self.noun()
                ),
            };
            let line = if self.ts() {
                line
            } else {
                line.replace("import type ", "import ")
            };
            self.raw(&line);
        }
    }

    fn imports_ui(&mut self) {
        for _ in 0..self.rng.range(1, 4) {
            let line = match self.rng.below(5) {
                0 => "import Link from \"next/link\";".to_string(),
                1 => "import { Button } from \"@acme/ui/button\";".to_string(),
                2 => format!(
                    "import {{ {}, {} }} from \"lucide-react\";",
                    upper_first(self.noun()),
                    self.rng
                        .pick(&["ChevronRight", "Plus", "Trash2", "Loader2", "Search"])
                ),
                3 => format!(
                    "import {{ {} }} from \"@/components/{}/{}\";",
                    pascal(&mut self.rng),
                    self.rng.pick(AREAS),
                    pascal(&mut self.rng)
                ),
                _ => "import { cn } from \"@acme/ui/utils\";".to_string(),
            };
            self.raw(&line);
        }
    }

    // --- blocks ----------------------------------------------------------

    fn jsdoc(&mut self) {
        if self.rng.chance(0.45) {
            let w = self.words(5, 14);
            emit!(
                self,
                "/**\n * {w}.\n *\n * @remarks {}\n */",
                self.words(4, 10)
            );
        } else if self.rng.chance(0.3) {
            let w = self.words(4, 12);
            emit!(self, "// {w}");
        }
    }

    fn block_interface(&mut self) {
        let name = self.type_name();
        let fields = self.fields(3, 12);
        self.jsdoc();
        if self.ts() {
            let kw = if self.rng.chance(0.7) {
                "interface"
            } else {
                "type"
            };
            if kw == "interface" {
                emit!(self, "export interface {name} {{");
            } else {
                emit!(self, "export type {name} = {{");
            }
            for f in fields {
                let opt = if self.rng.chance(0.2) { "?" } else { "" };
                let ty = self.rng.pick(TYPES);
                emit!(self, "  {f}{opt}: {ty};");
            }
            emit!(self, "}}{}\n", if kw == "type" { ";" } else { "" });
        } else {
            emit!(self, "/**\n * @typedef {{Object}} {name}");
            for f in fields {
                emit!(self, " * @property {{string}} {f}");
            }
            emit!(self, " */\n");
        }
    }

    fn block_union(&mut self) {
        if !self.ts() {
            let name = self.noun().to_uppercase();
            let n = self.rng.range(3, 6);
            let vals: Vec<String> = (0..n).map(|i| format!("\"{}\"", STATUSES[i])).collect();
            emit!(
                self,
                "export const {name}_STATUSES = Object.freeze([{}]);\n",
                vals.join(", ")
            );
            return;
        }
        let name = format!("{}Status", upper_first(self.noun()));
        let n = self.rng.range(3, 7);
        let start = self.rng.below(STATUSES.len() - n);
        let vals: Vec<String> = STATUSES[start..start + n]
            .iter()
            .map(|s| format!("\"{s}\""))
            .collect();
        emit!(self, "export type {name} = {};\n", vals.join(" | "));
        let f = self.fn_name();
        emit!(self, "export function {f}(status: {name}): string {{");
        emit!(self, "  switch (status) {{");
        for s in &STATUSES[start..start + n] {
            emit!(self, "    case \"{s}\":");
            let w = self.words(1, 3);
            emit!(self, "      return \"{w}\";");
        }
        emit!(self, "    default: {{");
        emit!(self, "      const exhaustive: never = status;");
        emit!(self, "      return String(exhaustive);");
        emit!(self, "    }}\n  }}\n}}\n");
    }

    fn block_compute(&mut self) {
        let name = self.fn_name();
        let item = self.type_name();
        let (a, b) = (self.field(), self.field());
        self.jsdoc();
        let sig = if self.ts() {
            format!(
                "items: {item}[], options: {{ discount?: number; limit?: number }} = {{}}): number"
            )
        } else {
            "items, options = {}) ".to_string()
        };
        emit!(self, "export function {name}({sig} {{");
        emit!(
            self,
            "  const {{ discount = 0, limit = Infinity }} = options;"
        );
        emit!(self, "  let total = 0;\n  let seen = 0;");
        emit!(self, "  for (const item of items) {{");
        emit!(self, "    if (seen >= limit) break;");
        emit!(
            self,
            "    if (!item || item.{a} == null) {{\n      continue;\n    }}"
        );
        let w = self.rng.range(2, 100);
        emit!(
            self,
            "    const weight = typeof item.{b} === \"number\" ? item.{b} : {w};"
        );
        emit!(
            self,
            "    total += Number(item.{a}) * weight;\n    seen += 1;\n  }}"
        );
        if self.rng.chance(0.5) {
            emit!(
                self,
                "  if (total > {}) {{\n    total = Math.round(total * 100) / 100;\n  }}",
                self.rng.range(100, 100_000)
            );
        }
        emit!(self, "  return Math.max(0, total - discount);\n}}\n");
    }

    fn block_fetch(&mut self) {
        let name = self.fn_name();
        let ty = self.type_name();
        let noun = self.noun();
        let ret = if self.ts() {
            format!(": Promise<{ty} | null>")
        } else {
            String::new()
        };
        let id = if self.ts() { "id: string" } else { "id" };
        let cast = if self.ts() {
            format!(" as {ty}")
        } else {
            String::new()
        };
        self.jsdoc();
        emit!(
            self,
            "export async function {name}({id}, init{}){ret} {{",
            self.t("?: RequestInit")
        );
        emit!(
            self,
            "  const res = await fetch(`${{API_BASE_URL}}/{noun}s/${{encodeURIComponent(id)}}`, {{"
        );
        emit!(self, "    ...init,");
        emit!(
            self,
            "    headers: {{ \"Content-Type\": \"application/json\", Accept: \"application/json\" }},"
        );
        emit!(self, "    cache: \"no-store\",\n  }});");
        emit!(self, "  if (res.status === 404) {{\n    return null;\n  }}");
        emit!(self, "  if (!res.ok) {{");
        emit!(
            self,
            "    throw new Error(`Failed to load {noun} ${{id}}: ${{res.status}} ${{res.statusText}}`);\n  }}"
        );
        emit!(self, "  const data = (await res.json()){cast};");
        if self.rng.chance(0.5) {
            let f = self.field();
            emit!(self, "  if (!data?.{f}) {{");
            emit!(
                self,
                "    console.warn(\"{noun} without {f}\", {{ id }});\n  }}"
            );
        }
        emit!(self, "  return data ?? null;\n}}\n");
    }

    fn block_const_object(&mut self) {
        let name = format!(
            "{}{}",
            self.noun(),
            self.rng.pick(&["Config", "Defaults", "Options", "Labels"])
        );
        emit!(self, "export const {name} = {{");
        for _ in 0..self.rng.range(3, 9) {
            let f = self.field();
            match self.rng.below(6) {
                0 => emit!(self, "  {f}: {},", self.rng.range(0, 5000)),
                1 => {
                    let w = self.words(1, 5);
                    emit!(self, "  {f}: \"{w}\",")
                }
                2 => emit!(self, "  {f}: {},", self.rng.chance(0.5)),
                3 => {
                    let items: Vec<String> = (0..self.rng.range(2, 6))
                        .map(|_| format!("\"{}\"", self.rng.pick(STATUSES)))
                        .collect();
                    emit!(self, "  {f}: [{}],", items.join(", "))
                }
                4 => {
                    let (x, y) = (self.field(), self.field());
                    emit!(
                        self,
                        "  {f}: {{ {x}: {}, {y}: \"{}\" }},",
                        self.rng.range(1, 99),
                        self.rng.pick(STATUSES)
                    )
                }
                _ => emit!(
                    self,
                    "  {f}: process.env.{}_{} ?? \"\",",
                    self.noun().to_uppercase(),
                    f.to_uppercase()
                ),
            }
        }
        emit!(self, "}}{};\n", self.t(" as const"));
    }

    fn block_pipeline(&mut self) {
        let name = self.fn_name();
        let ty = self.type_name();
        let (a, b, c) = (self.field(), self.field(), self.field());
        let rows = if self.ts() {
            format!("rows: {ty}[]")
        } else {
            "rows".into()
        };
        emit!(self, "export const {name} = ({rows}, query = \"\") =>");
        emit!(self, "  rows");
        emit!(
            self,
            "    .filter((row) => row.{a} !== \"{}\" && String(row.{b}).toLowerCase().includes(query.toLowerCase()))",
            self.rng.pick(STATUSES)
        );
        emit!(
            self,
            "    .map((row) => ({{ key: row.id, label: `${{row.{b}}} (${{row.{c} ?? 0}})`, value: row.{c} }}))"
        );
        emit!(self, "    .sort((x, y) => x.label.localeCompare(y.label))");
        emit!(self, "    .slice(0, {});\n", self.rng.range(5, 200));
        if self.rng.chance(0.4) {
            let g = self.fn_name();
            let key = self.field();
            emit!(
                self,
                "export function {g}{}(items{}) {{",
                self.t("<T extends Record<string, unknown>>"),
                self.t(": T[]")
            );
            emit!(
                self,
                "  return items.reduce{}((acc, item) => {{",
                self.t("<Record<string, T[]>>")
            );
            emit!(self, "    const k = String(item[\"{key}\"] ?? \"other\");");
            emit!(
                self,
                "    (acc[k] ||= []).push(item);\n    return acc;\n  }}, {{}});\n}}\n"
            );
        }
    }

    fn block_class(&mut self) {
        let name = format!(
            "{}{}",
            upper_first(self.noun()),
            self.rng
                .pick(&["Service", "Repository", "Store", "Client", "Manager"])
        );
        let ty = self.type_name();
        self.jsdoc();
        emit!(self, "export class {name} {{");
        if self.ts() {
            emit!(self, "  private readonly cache = new Map<string, {ty}>();");
            emit!(self, "  private inflight = 0;\n");
            emit!(
                self,
                "  constructor(private readonly baseUrl: string, private readonly ttlMs = {}) {{}}\n",
                self.rng.range(1, 60) * 1000
            );
        } else {
            emit!(
                self,
                "  constructor(baseUrl, ttlMs = {}) {{",
                self.rng.range(1, 60) * 1000
            );
            emit!(self, "    this.baseUrl = baseUrl;\n    this.ttlMs = ttlMs;");
            emit!(
                self,
                "    this.cache = new Map();\n    this.inflight = 0;\n  }}\n"
            );
        }
        for _ in 0..self.rng.range(2, 5) {
            let m = self.fn_name();
            let f = self.field();
            let ret = if self.ts() {
                format!(": Promise<{ty} | undefined>")
            } else {
                String::new()
            };
            emit!(self, "  async {m}(id{}){ret} {{", self.t(": string"));
            emit!(
                self,
                "    const hit = this.cache.get(id);\n    if (hit) return hit;"
            );
            emit!(self, "    this.inflight++;\n    try {{");
            emit!(
                self,
                "      const res = await fetch(`${{this.baseUrl}}/{f}/${{id}}`);"
            );
            emit!(self, "      if (!res.ok) return undefined;");
            emit!(self, "      const value = await res.json();");
            emit!(
                self,
                "      this.cache.set(id, value);\n      return value;"
            );
            emit!(
                self,
                "    }} finally {{\n      this.inflight--;\n    }}\n  }}\n"
            );
        }
        emit!(
            self,
            "  get size(){} {{\n    return this.cache.size;\n  }}\n}}\n",
            self.t(": number")
        );
    }

    fn block_validation(&mut self) {
        let noun = self.noun();
        let fields = self.fields(3, 8);
        emit!(self, "export const {noun}Schema = z.object({{");
        for f in &fields {
            let s = match self.rng.below(6) {
                0 => "z.string().min(1)".to_string(),
                1 => "z.string().email()".to_string(),
                2 => format!(
                    "z.number().int().min(0).max({})",
                    self.rng.range(10, 10_000)
                ),
                3 => "z.boolean().default(false)".to_string(),
                4 => format!(
                    "z.enum([\"{}\", \"{}\"])",
                    self.rng.pick(STATUSES),
                    self.rng.pick(STATUSES)
                ),
                _ => "z.string().url().optional()".to_string(),
            };
            emit!(self, "  {f}: {s},");
        }
        emit!(self, "}});\n");
        if self.ts() {
            emit!(
                self,
                "export type {}Input = z.infer<typeof {noun}Schema>;\n",
                upper_first(noun)
            );
        }
        emit!(self, "const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;\n");
        emit!(
            self,
            "export function is{}Slug(value{}){} {{",
            upper_first(noun),
            self.t(": string"),
            self.t(": boolean")
        );
        emit!(
            self,
            "  return SLUG_RE.test(value) && value.length <= {};\n}}\n",
            self.rng.range(16, 96)
        );
    }

    fn block_try(&mut self) {
        let name = self.fn_name();
        let noun = self.noun();
        emit!(
            self,
            "export async function {name}(input{}) {{",
            self.t(": unknown")
        );
        emit!(self, "  const started = Date.now();");
        emit!(self, "  try {{");
        emit!(self, "    const parsed = {noun}Schema.parse(input);");
        emit!(self, "    const result = await db.{noun}.upsert({{");
        emit!(self, "      where: {{ id: parsed.id }},");
        emit!(self, "      create: parsed,\n      update: {{ ...parsed, updatedAt: new Date() }},\n    }});");
        emit!(
            self,
            "    logger.info(\"{noun} saved\", {{ id: result.id, ms: Date.now() - started }});"
        );
        emit!(
            self,
            "    return {{ ok: true{}, result }};",
            self.t(" as const")
        );
        emit!(self, "  }} catch (error) {{");
        emit!(
            self,
            "    const message = error instanceof Error ? error.message : String(error);"
        );
        emit!(
            self,
            "    logger.error(\"failed to save {noun}\", {{ message }});"
        );
        emit!(
            self,
            "    return {{ ok: false{}, error: message }};\n  }}\n}}\n",
            self.t(" as const")
        );
    }

    fn block_sql(&mut self) {
        let noun = self.noun();
        let (a, b) = (self.field(), self.field());
        emit!(
            self,
            "export async function list{}s(teamId{}, limit = {}) {{",
            upper_first(noun),
            self.t(": string"),
            self.rng.range(10, 100)
        );
        emit!(
            self,
            "  const rows = await sql`\n    SELECT id, {a}, {b}, created_at\n    FROM {noun}s\n    WHERE team_id = ${{teamId}} AND deleted_at IS NULL\n    ORDER BY created_at DESC\n    LIMIT ${{limit}}\n  `;"
        );
        emit!(
            self,
            "  return rows.map((r) => ({{ ...r, createdAt: new Date(r.created_at) }}));\n}}\n"
        );
    }

    fn jsx_tree(&mut self, depth: usize, indent: usize, list_var: &str) {
        let pad = " ".repeat(indent);
        let tag = self.rng.pick(&[
            "div", "section", "header", "footer", "ul", "nav", "article", "aside",
        ]);
        let cls = self.classes();
        emit!(self, "{pad}<{tag} className=\"{cls}\">");
        let n = self.rng.range(1, 4);
        for _ in 0..n {
            let inner = " ".repeat(indent + 2);
            match self.rng.below(if depth >= 3 { 3 } else { 6 }) {
                0 => {
                    let w = self.words(2, 9);
                    let t = self.rng.pick(&["p", "span", "h2", "h3", "label"]);
                    let c = self.classes();
                    emit!(self, "{inner}<{t} className=\"{c}\">{w}</{t}>");
                }
                1 => {
                    let w = self.words(1, 3);
                    let v = self
                        .rng
                        .pick(&["ghost", "outline", "default", "destructive"]);
                    emit!(
                        self,
                        "{inner}<Button variant=\"{v}\" size=\"sm\" onClick={{() => setOpen((v) => !v)}}>\n{inner}  {w}\n{inner}</Button>"
                    );
                }
                2 => emit!(self, "{inner}{{title}}"),
                3 => {
                    let f = self.field();
                    let c = self.classes();
                    emit!(self, "{inner}{{{list_var}.map((item) => (");
                    emit!(
                        self,
                        "{inner}  <li key={{item.id}} className=\"{c}\">\n{inner}    <span>{{String(item.{f})}}</span>\n{inner}  </li>\n{inner}))}}"
                    );
                }
                4 => {
                    emit!(self, "{inner}{{open && (");
                    self.jsx_tree(depth + 1, indent + 4, list_var);
                    emit!(self, "{inner})}}");
                }
                _ => self.jsx_tree(depth + 1, indent + 2, list_var),
            }
        }
        emit!(self, "{pad}</{tag}>");
    }

    fn block_component(&mut self, name: &str, default: bool) {
        let item = self.type_name();
        let props = format!("{name}Props");
        if self.ts() {
            emit!(self, "export interface {props} {{");
            emit!(self, "  title: string;\n  items?: {item}[];");
            emit!(
                self,
                "  onSelect?: (id: string) => void;\n  className?: string;"
            );
            if self.rng.chance(0.5) {
                emit!(self, "  children?: React.ReactNode;");
            }
            emit!(self, "}}\n");
        }
        let sig = if self.ts() {
            format!("{{ title, items = [], onSelect, className }}: {props}")
        } else {
            "{ title, items = [], onSelect, className }".into()
        };
        let def = if default { "default " } else { "" };
        emit!(self, "export {def}function {name}({sig}) {{");
        emit!(
            self,
            "  const [open, setOpen] = useState{}(false);",
            self.t("<boolean>")
        );
        if self.rng.chance(0.6) {
            emit!(self, "  const [query, setQuery] = useState(\"\");");
        } else {
            emit!(self, "  const query = \"\";");
        }
        let f = self.field();
        emit!(self, "  const visible = useMemo(");
        emit!(
            self,
            "    () => items.filter((item) => String(item.{f} ?? \"\").includes(query)).slice(0, {}),",
            self.rng.range(5, 50)
        );
        emit!(self, "    [items, query],\n  );");
        emit!(self, "  const handleSelect = useCallback(");
        emit!(
            self,
            "    (id{}) => {{\n      onSelect?.(id);\n      setOpen(false);\n    }},",
            self.t(": string")
        );
        emit!(self, "    [onSelect],\n  );");
        if self.rng.chance(0.4) {
            emit!(self, "  useEffect(() => {{");
            emit!(self, "    if (!open) return;");
            emit!(
                self,
                "    const onKey = (e{}) => e.key === \"Escape\" && setOpen(false);",
                self.t(": KeyboardEvent")
            );
            emit!(self, "    window.addEventListener(\"keydown\", onKey);");
            emit!(
                self,
                "    return () => window.removeEventListener(\"keydown\", onKey);\n  }}, [open]);"
            );
        }
        emit!(self, "  if (visible.length === 0 && !open) {{");
        let w = self.words(2, 6);
        emit!(
            self,
            "    return <p className=\"text-sm text-muted-foreground\">{w}</p>;\n  }}"
        );
        emit!(self, "  return (");
        self.jsx_tree(0, 4, "visible");
        emit!(self, "  );\n}}\n");
    }

    fn block_hook(&mut self) {
        let noun = self.noun();
        let ty = self.type_name();
        let name = format!("use{}", upper_first(noun));
        emit!(
            self,
            "export function {name}(id{}) {{",
            self.t(": string | undefined")
        );
        emit!(
            self,
            "  const [data, setData] = useState{}(null);",
            self.t(&format!("<{ty} | null>"))
        );
        emit!(
            self,
            "  const [error, setError] = useState{}(null);",
            self.t("<Error | null>")
        );
        emit!(self, "  const [loading, setLoading] = useState(false);\n");
        emit!(self, "  useEffect(() => {{");
        emit!(
            self,
            "    if (!id) return;\n    let cancelled = false;\n    setLoading(true);"
        );
        emit!(self, "    fetch(`/api/{noun}s/${{id}}`)");
        emit!(
            self,
            "      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(r.statusText))))"
        );
        emit!(
            self,
            "      .then((json) => {{\n        if (!cancelled) setData(json);\n      }})"
        );
        emit!(self, "      .catch((e) => !cancelled && setError(e))");
        emit!(
            self,
            "      .finally(() => !cancelled && setLoading(false));"
        );
        emit!(
            self,
            "    return () => {{\n      cancelled = true;\n    }};\n  }}, [id]);\n"
        );
        emit!(self, "  return {{ data, error, loading }};\n}}\n");
    }

    fn block_test(&mut self) {
        let noun = self.noun();
        let f = self.fn_name();
        emit!(self, "describe(\"{f}\", () => {{");
        emit!(
            self,
            "  beforeEach(() => {{\n    vi.restoreAllMocks();\n  }});\n"
        );
        for _ in 0..self.rng.range(2, 6) {
            let w = self.words(3, 8).to_lowercase();
            let (a, b) = (self.field(), self.field());
            let n = self.rng.range(0, 500);
            emit!(self, "  it(\"{w}\", async () => {{");
            emit!(
                self,
                "    const {noun}Fixture = {{ id: \"{noun}_{n}\", {a}: {n}, {b}: \"{}\" }};",
                self.rng.pick(STATUSES)
            );
            emit!(
                self,
                "    const result = await {f}([{noun}Fixture], {{ limit: {} }});",
                self.rng.range(1, 10)
            );
            emit!(self, "    expect(result).toBeDefined();");
            emit!(self, "    expect({noun}Fixture.{a}).toBe({n});");
            if self.rng.chance(0.4) {
                emit!(self, "    expect(result).toMatchSnapshot();");
            }
            emit!(self, "  }});\n");
        }
        emit!(self, "}});\n");
    }

    fn block_route_handler(&mut self, method: &str) {
        let noun = self.noun();
        let req = if self.ts() { "req: NextRequest" } else { "req" };
        emit!(self, "export async function {method}({req}) {{");
        if method == "GET" {
            emit!(self, "  const {{ searchParams }} = new URL(req.url);");
            emit!(
                self,
                "  const page = Number(searchParams.get(\"page\") ?? \"1\");\n  const limit = Math.min(Number(searchParams.get(\"limit\") ?? \"20\"), 100);"
            );
            emit!(self, "  const rows = await db.{noun}.findMany({{");
            emit!(self, "    skip: (page - 1) * limit,\n    take: limit,\n    orderBy: {{ createdAt: \"desc\" }},\n  }});");
            emit!(
                self,
                "  return NextResponse.json({{ data: rows, page, limit }});\n}}\n"
            );
        } else {
            emit!(self, "  const session = await auth();");
            emit!(self, "  if (!session?.user) {{\n    return NextResponse.json({{ error: \"unauthorized\" }}, {{ status: 401 }});\n  }}");
            emit!(self, "  const body = await req.json().catch(() => null);");
            emit!(self, "  const parsed = {noun}Schema.safeParse(body);");
            emit!(self, "  if (!parsed.success) {{");
            emit!(self, "    return NextResponse.json({{ error: parsed.error.flatten() }}, {{ status: 422 }});\n  }}");
            emit!(self, "  const created = await db.{noun}.create({{ data: {{ ...parsed.data, ownerId: session.user.id }} }});");
            emit!(
                self,
                "  return NextResponse.json(created, {{ status: 201 }});\n}}\n"
            );
        }
    }

    fn block_any(&mut self) {
        let jsx = self.d != Dialect::Ts;
        match self.rng.below(if jsx { 11 } else { 10 }) {
            0 => self.block_interface(),
            1 => self.block_union(),
            2 => self.block_compute(),
            3 => self.block_fetch(),
            4 => self.block_const_object(),
            5 => self.block_pipeline(),
            6 => self.block_class(),
            7 => self.block_validation(),
            8 => self.block_try(),
            9 => self.block_sql(),
            _ => {
                let name = pascal(&mut self.rng);
                self.block_component(&name, false)
            }
        }
    }

    fn fill(&mut self, target: usize, f: impl Fn(&mut Gen)) {
        while self.out.len() < target {
            f(self);
        }
    }

    // --- QStash ------------------------------------------------------------

    fn qstash_client(&mut self, token_literal: bool) {
        self.raw("import { Client } from \"@upstash/qstash\";");
        self.imports_misc(3);
        self.raw("");
        if token_literal {
            let uuid = format!(
                "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
                self.rng.next_u64() as u32,
                self.rng.next_u64() as u16,
                self.rng.below(0x1000),
                self.rng.below(0x1000),
                self.rng.next_u64() & 0xFFFF_FFFF_FFFF
            );
            let password = format!("{:016x}{:016x}", self.rng.next_u64(), self.rng.next_u64());
            let token =
                base64(format!("{{\"UserID\":\"{uuid}\",\"Password\":\"{password}\"}}").as_bytes());
            emit!(
                self,
                "export const qstash = new Client({{\n  token: \"{token}\",\n}});\n"
            );
        } else {
            emit!(
                self,
                "export const qstash = new Client({{ token: process.env.QSTASH_TOKEN{} }});\n",
                self.t("!")
            );
        }
    }

    fn qstash_publish(&mut self, v: QVariant) {
        let noun = self.noun();
        let ty = self.type_name();
        let domain = self.rng.pick(DOMAINS);
        let url = match v {
            QVariant::PublishHttp => format!("\"http://jobs.{domain}/api/{noun}s/process\""),
            QVariant::PublishLocalhost => format!("\"http://localhost:3000/api/jobs/{noun}\""),
            _ => format!("`${{process.env.APP_URL}}/api/jobs/{noun}`"),
        };
        let delay = if v == QVariant::PublishBadDelay {
            format!("\"{} minutes\"", self.rng.range(2, 30))
        } else {
            format!("\"{}s\"", self.rng.range(5, 120))
        };
        let payload = if self.ts() {
            format!("payload: {ty}")
        } else {
            "payload".into()
        };
        emit!(
            self,
            "export async function enqueue{}({payload}) {{",
            upper_first(noun)
        );
        emit!(self, "  const res = await qstash.publishJSON({{");
        if v != QVariant::PublishNoDestination {
            emit!(self, "    url: {url},");
        }
        emit!(
            self,
            "    body: payload,\n    retries: {},\n    delay: {delay},",
            self.rng.range(1, 5)
        );
        if self.rng.chance(0.4) {
            emit!(self, "    deduplicationId: `{noun}-${{payload.id}}`,");
        }
        emit!(self, "  }});");
        emit!(
            self,
            "  logger.info(\"enqueued {noun}\", {{ messageId: res.messageId }});"
        );
        emit!(self, "  return res.messageId;\n}}\n");
    }

    fn qstash_schedule(&mut self, bad: bool) {
        let noun = self.noun();
        let cron = if bad {
            self.rng
                .pick(&["0 25 * * *", "*/70 * * * *", "0 0 32 * *", "0 9 * * 8"])
        } else {
            self.rng.pick(&[
                "0 */6 * * *",
                "*/15 * * * *",
                "0 3 * * 1",
                "30 8 1 * *",
                "0 0 * * *",
            ])
        };
        let domain = self.rng.pick(DOMAINS);
        emit!(
            self,
            "export async function schedule{}Digest() {{",
            upper_first(noun)
        );
        emit!(
            self,
            "  const {{ scheduleId }} = await qstash.schedules.create({{"
        );
        emit!(
            self,
            "    destination: \"https://app.{domain}/api/cron/{noun}-digest\","
        );
        emit!(self, "    cron: \"{cron}\",\n    retries: 3,\n  }});");
        emit!(self, "  return scheduleId;\n}}\n");
    }

    fn qstash_receiver_route(&mut self, single: bool, literal_key: bool) {
        self.raw("import { Receiver } from \"@upstash/qstash\";");
        self.raw("import { NextResponse } from \"next/server\";");
        if self.ts() {
            self.raw("import type { NextRequest } from \"next/server\";");
        }
        self.imports_misc(3);
        self.raw("");
        emit!(self, "const receiver = new Receiver({{");
        if literal_key {
            const B58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
            let key: String = (0..28)
                .map(|_| B58[self.rng.below(B58.len())] as char)
                .collect();
            emit!(self, "  currentSigningKey: \"sig_{key}\",");
        } else {
            emit!(
                self,
                "  currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY{},",
                self.t("!")
            );
        }
        if !single {
            emit!(
                self,
                "  nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY{},",
                self.t("!")
            );
        }
        emit!(self, "}});\n");
        let noun = self.noun();
        emit!(
            self,
            "export async function POST(req{}) {{",
            self.t(": NextRequest")
        );
        emit!(self, "  const body = await req.text();");
        emit!(
            self,
            "  const signature = req.headers.get(\"Upstash-Signature\") ?? \"\";"
        );
        emit!(self, "  const valid = await receiver\n    .verify({{ signature, body, url: req.url }})\n    .catch(() => false);");
        emit!(self, "  if (!valid) {{\n    return new NextResponse(\"invalid signature\", {{ status: 401 }});\n  }}");
        emit!(self, "  const job = JSON.parse(body);");
        emit!(self, "  await process{}(job);", upper_first(noun));
        emit!(self, "  return NextResponse.json({{ ok: true }});\n}}\n");
    }

    fn qstash_wrapper_route(&mut self) {
        self.raw("import { verifySignatureAppRouter } from \"@upstash/qstash/nextjs\";");
        self.raw("import { NextResponse } from \"next/server\";");
        self.imports_misc(3);
        self.raw("");
        let noun = self.noun();
        emit!(
            self,
            "async function handler(req{}) {{",
            self.t(": Request")
        );
        emit!(self, "  const job = await req.json();");
        emit!(self, "  await process{}(job);", upper_first(noun));
        emit!(self, "  return NextResponse.json({{ ok: true }});\n}}\n");
        emit!(
            self,
            "export const POST = verifySignatureAppRouter(handler);\n"
        );
    }

    // --- whole files -------------------------------------------------------

    fn generate(mut self, kind: Kind) -> String {
        let target = self.target_size(kind);
        match kind {
            Kind::Page => {
                if self.rng.chance(0.3) {
                    self.raw("\"use client\";\n");
                    self.imports_react();
                }
                self.imports_ui();
                self.imports_misc(4);
                self.raw("");
                let title = self.words(2, 4);
                emit!(self, "export const metadata = {{\n  title: \"{title}\",\n  description: \"{}\",\n}};\n", self.words(5, 12));
                self.fill(target.saturating_sub(1200), |g| g.block_any());
                let name = format!("{}Page", upper_first(self.noun()));
                emit!(
                    self,
                    "export default async function {name}({{ params }}{}) {{",
                    self.t(": { params: { id: string } }")
                );
                emit!(
                    self,
                    "  const data = await fetch{}(params.id);",
                    upper_first(self.noun())
                );
                emit!(self, "  const title = data?.title ?? \"{title}\";");
                emit!(self, "  const open = true;\n  const setOpen = () => {{}};");
                emit!(self, "  const rows = data?.items ?? [];\n  return (");
                self.jsx_tree(0, 4, "rows");
                emit!(self, "  );\n}}");
            }
            Kind::Layout => {
                self.imports_ui();
                self.raw("");
                emit!(
                    self,
                    "export default function Layout({{ children }}{}) {{",
                    self.t(": { children: React.ReactNode }")
                );
                let c = self.classes();
                emit!(self, "  return (\n    <div className=\"{c}\">\n      <aside className=\"w-64 border-r\">\n        <Sidebar />\n      </aside>");
                emit!(self, "      <main className=\"flex-1 p-6\">{{children}}</main>\n    </div>\n  );\n}}");
            }
            Kind::Loading => {
                let c = self.classes();
                emit!(
                    self,
                    "export default function Loading() {{\n  return (\n    <div className=\"{c}\">"
                );
                for _ in 0..self.rng.range(2, 6) {
                    emit!(
                        self,
                        "      <div className=\"h-4 w-full animate-pulse rounded bg-muted\" />"
                    );
                }
                emit!(self, "    </div>\n  );\n}}");
            }
            Kind::Route => {
                self.raw("import { NextResponse } from \"next/server\";");
                self.raw("import type { NextRequest } from \"next/server\";");
                self.raw("import { auth } from \"@/lib/auth\";");
                self.imports_misc(4);
                self.raw("");
                self.raw("export const dynamic = \"force-dynamic\";\n");
                self.block_route_handler("GET");
                if self.rng.chance(0.6) {
                    self.block_route_handler("POST");
                }
                self.fill(target, |g| g.block_any());
            }
            Kind::Component | Kind::Primitive | Kind::JsComponent => {
                if self.rng.chance(0.6) {
                    self.raw("\"use client\";\n");
                }
                self.imports_react();
                self.imports_ui();
                self.imports_misc(3);
                self.raw("");
                let name = pascal(&mut self.rng);
                self.block_component(&name, kind == Kind::JsComponent);
                self.fill(target, |g| {
                    if g.rng.chance(0.4) {
                        let n = pascal(&mut g.rng);
                        g.block_component(&n, false)
                    } else {
                        g.block_any()
                    }
                });
            }
            Kind::Hook => {
                self.imports_react();
                self.imports_misc(2);
                self.raw("");
                self.block_hook();
                self.fill(target, |g| {
                    if g.rng.chance(0.3) {
                        g.block_hook()
                    } else {
                        g.block_any()
                    }
                });
            }
            Kind::Lib | Kind::Util | Kind::Types => {
                self.imports_misc(6);
                self.raw("");
                self.raw(
                    "const API_BASE_URL = process.env.API_BASE_URL ?? \"https://api.internal\";\n",
                );
                self.fill(target, |g| {
                    if kind == Kind::Types {
                        g.block_interface()
                    } else {
                        g.block_any()
                    }
                });
            }
            Kind::Barrel => {
                for _ in 0..self.rng.range(3, 14) {
                    let k = kebab(&mut self.rng);
                    if self.rng.chance(0.7) {
                        emit!(self, "export * from \"./{k}\";");
                    } else {
                        emit!(self, "export {{ {} }} from \"./{k}\";", self.fn_name());
                    }
                }
            }
            Kind::Test => {
                self.raw("import { describe, it, expect, vi, beforeEach } from \"vitest\";");
                self.imports_misc(3);
                self.raw("");
                self.fill(target, |g| g.block_test());
            }
            Kind::Script | Kind::Config => {
                self.raw("#!/usr/bin/env node");
                self.raw("import { readFile, writeFile } from \"node:fs/promises\";");
                self.raw("import path from \"node:path\";\n");
                self.fill(target, |g| {
                    if g.rng.chance(0.5) {
                        g.block_const_object()
                    } else {
                        g.block_any()
                    }
                });
                emit!(
                    self,
                    "const out = path.join(process.cwd(), \"{}.json\");",
                    kebab(&mut self.rng)
                );
                emit!(
                    self,
                    "await writeFile(out, JSON.stringify({{ ok: true }}, null, 2));"
                );
            }
            Kind::LegacyJs => {
                self.raw("\"use strict\";\n");
                emit!(
                    self,
                    "const path = require(\"path\");\nconst {{ promisify }} = require(\"util\");\n"
                );
                self.fill(target, |g| match g.rng.below(4) {
                    0 => g.block_compute(),
                    1 => g.block_class(),
                    2 => g.block_const_object(),
                    _ => g.block_pipeline(),
                });
                let (a, b) = (self.fn_name(), self.fn_name());
                emit!(self, "module.exports = {{ {a}, {b}, path, promisify }};");
            }
            Kind::OtherUpstash => {
                if self.rng.chance(0.5) {
                    self.raw("import { Redis } from \"@upstash/redis\";\n");
                    self.raw("const redis = Redis.fromEnv();\n");
                } else {
                    self.raw("import { Ratelimit } from \"@upstash/ratelimit\";");
                    self.raw("import { Redis } from \"@upstash/redis\";\n");
                    emit!(self, "export const ratelimit = new Ratelimit({{\n  redis: Redis.fromEnv(),\n  limiter: Ratelimit.slidingWindow({}, \"10 s\"),\n}});\n", self.rng.range(5, 100));
                }
                self.imports_misc(3);
                self.fill(target, |g| g.block_any());
            }
            Kind::Qstash(v) => {
                match v {
                    QVariant::ReceiverRoute { single } => self.qstash_receiver_route(single, false),
                    QVariant::HardcodedSigKey => self.qstash_receiver_route(false, true),
                    QVariant::AppRouterWrapper => self.qstash_wrapper_route(),
                    QVariant::ClientEnvLeak => {
                        self.raw("\"use client\";\n");
                        self.imports_react();
                        self.raw("import { Client } from \"@upstash/qstash\";\n");
                        self.raw("const qstash = new Client({ token: process.env.NEXT_PUBLIC_QSTASH_TOKEN! });\n");
                        let name = pascal(&mut self.rng);
                        self.block_component(&name, false);
                        let noun = self.noun();
                        emit!(
                            self,
                            "export async function retry{}(id: string) {{",
                            upper_first(noun)
                        );
                        emit!(self, "  await qstash.publishJSON({{ url: `${{window.location.origin}}/api/jobs/{noun}`, body: {{ id }} }});\n}}\n");
                    }
                    QVariant::Schedule { bad } => {
                        self.qstash_client(false);
                        self.qstash_schedule(bad);
                    }
                    QVariant::ScriptMjs => {
                        self.raw("#!/usr/bin/env node");
                        self.qstash_client(false);
                        self.qstash_publish(QVariant::PublishClean);
                        emit!(
                            self,
                            "await enqueue{}({{ id: process.argv[2] }});",
                            upper_first(self.noun())
                        );
                    }
                    QVariant::HardcodedToken => {
                        self.qstash_client(true);
                        self.qstash_publish(QVariant::PublishClean);
                    }
                    _ => {
                        self.qstash_client(false);
                        self.qstash_publish(v);
                    }
                }
                self.fill(target, |g| g.block_any());
            }
        }
        self.out
    }

    /// A realistic size: log-normal around a per-kind median, a few hundred
    /// bytes to about 20 KB.
    fn target_size(&mut self, kind: Kind) -> usize {
        let median: f64 = match kind {
            Kind::Barrel | Kind::Loading | Kind::Layout => return 0,
            Kind::Page => 3800.0,
            Kind::Route => 2600.0,
            Kind::Component | Kind::JsComponent => 3400.0,
            Kind::Primitive => 2400.0,
            Kind::Hook => 1800.0,
            Kind::Lib | Kind::OtherUpstash | Kind::Qstash(_) => 3200.0,
            Kind::Util => 1800.0,
            Kind::Types => 1400.0,
            Kind::Test => 3600.0,
            Kind::Script | Kind::Config | Kind::LegacyJs => 2600.0,
        };
        let s = (median.ln() + 0.75 * self.rng.normal()).exp();
        s.clamp(300.0, 20_000.0) as usize
    }
}

fn dialect_of(rel: &str) -> Dialect {
    match rel.rsplit_once('.').map_or("", |(_, e)| e) {
        "ts" | "mts" | "cts" => Dialect::Ts,
        "tsx" => Dialect::Tsx,
        _ => Dialect::Js,
    }
}

const GITIGNORE: &str = "# dependencies\nnode_modules/\n.pnpm-store/\n\n# builds\n.next/\ndist/\nbuild/\nout/\n.turbo/\n\n# generated clients\ngenerated/\n\n# testing\ncoverage/\n\n# env\n.env*.local\n\n*.log\n.DS_Store\n";

const PACKAGE_JSON: &str = r#"{
  "name": "acme-monorepo",
  "private": true,
  "workspaces": ["apps/*", "packages/*"],
  "scripts": {
    "build": "turbo run build",
    "dev": "turbo run dev",
    "lint": "turbo run lint",
    "test": "vitest run"
  },
  "dependencies": {
    "@upstash/qstash": "^2.7.0",
    "@upstash/redis": "^1.34.0",
    "@upstash/ratelimit": "^2.0.0",
    "next": "^15.0.0",
    "react": "^19.0.0",
    "react-dom": "^19.0.0",
    "zod": "^3.23.0"
  },
  "devDependencies": {
    "typescript": "^5.6.0",
    "vitest": "^2.1.0",
    "turbo": "^2.1.0"
  }
}
"#;

/// Writes the tree. Returns the number of bytes of the planned source files.
fn generate_tree(root: &Path, plan: &Plan) -> std::io::Result<u64> {
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    for f in &plan.files {
        if let Some(p) = root.join(&f.rel).parent() {
            dirs.insert(p.to_path_buf());
        }
    }
    for extra in [
        ".git",
        "node_modules/@upstash/qstash/dist",
        "apps/web/.next/server/app",
        "apps/web/generated/prisma",
        "packages/core/dist",
    ] {
        dirs.insert(root.join(extra));
    }
    for d in &dirs {
        std::fs::create_dir_all(d)?;
    }
    std::fs::write(root.join(".git/HEAD"), "ref: refs/heads/main\n")?;
    std::fs::write(root.join(".gitignore"), GITIGNORE)?;
    std::fs::write(root.join("package.json"), PACKAGE_JSON)?;
    for (ws, name) in [
        ("apps/web", "web"),
        ("apps/admin", "admin"),
        ("packages/ui", "@acme/ui"),
        ("packages/core", "@acme/core"),
        ("packages/jobs", "@acme/jobs"),
    ] {
        std::fs::write(
            root.join(ws).join("package.json"),
            format!(
                "{{\n  \"name\": \"{name}\",\n  \"version\": \"0.0.0\",\n  \"private\": true\n}}\n"
            ),
        )?;
    }
    // Files the linter must not see: dependencies, build output, and a
    // directory ignored only through .gitignore. Each mentions QStash.
    let decoy = "import { Client } from \"@upstash/qstash\";\nexport const c = new Client({ token: \"x\" });\n";
    for p in [
        "node_modules/@upstash/qstash/dist/index.js",
        "apps/web/.next/server/app/page.js",
        "apps/web/generated/prisma/client.ts",
        "packages/core/dist/index.js",
    ] {
        std::fs::write(root.join(p), decoy)?;
    }
    plan.files
        .par_iter()
        .map(|f| {
            let text = Gen::new(f.seed, dialect_of(&f.rel)).generate(f.kind);
            std::fs::write(root.join(&f.rel), &text)?;
            Ok(text.len() as u64)
        })
        .sum()
}

// ---------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------

fn pool(threads: Option<usize>) -> rayon::ThreadPool {
    // The same settings as the engine's pool.
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .stack_size(256 * 1024 * 1024)
        .build()
        .expect("cannot start worker threads")
}

fn read_text(p: &Path) -> Option<String> {
    std::fs::read(p)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
}

#[derive(Default, Clone, Copy)]
struct Counts {
    files: usize,
    bytes: u64,
    parsed: usize,
    failed: usize,
}

/// Discover + read every file.
fn pass_read(root: &Path, threads: Option<usize>) -> Counts {
    pool(threads).install(|| {
        let files = discover::discover(&[root.to_path_buf()], false).files;
        let bytes = files
            .par_iter()
            .map(|p| read_text(p).map_or(0, |t| black_box(t).len() as u64))
            .sum();
        Counts {
            files: files.len(),
            bytes,
            ..Counts::default()
        }
    })
}

/// Discover + read + parse every file (or, with `prefiltered`, only those
/// the byte prefilter lets through).
fn pass_parse(root: &Path, threads: Option<usize>, prefiltered: bool) -> Counts {
    pool(threads).install(|| {
        let files = discover::discover(&[root.to_path_buf()], false).files;
        let (bytes, parsed, failed) = files
            .par_iter()
            .map(|p| {
                let Some(text) = read_text(p) else {
                    return (0u64, 0usize, 0usize);
                };
                if prefiltered && !prefilter::mentions_qstash(&text) {
                    return (text.len() as u64, 0, 0);
                }
                let ok = black_box(parse::parse(p, &text)).is_ok();
                (text.len() as u64, 1, usize::from(!ok))
            })
            .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
        Counts {
            files: files.len(),
            bytes,
            parsed,
            failed,
        }
    })
}

fn median(xs: &[Duration]) -> Duration {
    let mut v = xs.to_vec();
    v.sort();
    v[v.len() / 2]
}

fn time<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let t = Instant::now();
    let r = f();
    (t.elapsed(), r)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if let Some(path) = &args.run_one {
        return child::run_one(path, args.threads);
    }
    let result = if args.stress {
        stress::run(&args)
    } else if let Some(dir) = &args.corpus {
        corpus::run(dir, &args)
    } else {
        run(&args)
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::from(2)
        }
    }
}

/// Where a mode generates its files: `--dir` (which must be new or empty,
/// and is kept) or a fresh temp dir, removed when the returned guard drops.
fn work_dir(dir: Option<&Path>) -> Result<(Option<tempfile::TempDir>, PathBuf), String> {
    match dir {
        Some(d) => {
            if d.exists()
                && std::fs::read_dir(d)
                    .map_err(|e| format!("{}: {e}", d.display()))?
                    .next()
                    .is_some()
            {
                return Err(format!(
                    "{} is not empty; give a new or empty directory",
                    d.display()
                ));
            }
            std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
            Ok((None, d.canonicalize().map_err(|e| e.to_string())?))
        }
        None => {
            let t = tempfile::Builder::new()
                .prefix("qstash-lint-bench-")
                .tempdir()
                .map_err(|e| format!("cannot create a temp dir: {e}"))?;
            let p = t.path().canonicalize().map_err(|e| e.to_string())?;
            Ok((Some(t), p))
        }
    }
}

fn run(args: &Args) -> Result<bool, String> {
    // The tree: a fresh temp dir (removed when `_tmp` drops) or --dir.
    let (_tmp, root) = work_dir(args.dir.as_deref())?;

    let threads = pool(args.threads).current_num_threads();
    let (gen_time, (plan, gen_bytes)) = time(|| {
        let plan = make_plan(args.files, args.seed);
        let bytes = generate_tree(&root, &plan);
        (plan, bytes)
    });
    let gen_bytes = gen_bytes.map_err(|e| format!("cannot write the tree: {e}"))?;
    let sizes: Vec<usize> = {
        let mut s: Vec<usize> = plan
            .files
            .iter()
            .map(|f| std::fs::metadata(root.join(&f.rel)).map_or(0, |m| m.len() as usize))
            .collect();
        s.sort_unstable();
        s
    };
    println!(
        "generated {} files ({:.1} MB; sizes min {} B, median {} B, mean {} B, p99 {} B, max {} B) in {:.2} s under {}{}",
        plan.files.len(),
        gen_bytes as f64 / 1e6,
        sizes[0],
        sizes[sizes.len() / 2],
        gen_bytes as usize / sizes.len(),
        sizes[sizes.len() * 99 / 100],
        sizes[sizes.len() - 1],
        gen_time.as_secs_f64(),
        root.display(),
        if args.dir.is_some() { "" } else { " (temp, removed at exit)" },
    );
    println!(
        "planted: {} files use QStash, {} other Upstash packages; findings planted: {}",
        plan.qstash,
        plan.other_upstash,
        plan.planted
            .iter()
            .map(|(r, n)| format!("{r} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );

    // Warm-up: one untimed read of every file (and of the lazily built
    // prefilter automaton).
    let warm = pass_read(&root, args.threads);
    let _ = prefilter::mentions_qstash("");
    let mut ok = true;
    if warm.files != plan.files.len() {
        eprintln!(
            "bench: discovery found {} files, {} were generated",
            warm.files,
            plan.files.len()
        );
        ok = false;
    }

    let opts = whole_tree(&root, args.threads);
    let mut t_read = Vec::new();
    let mut t_parse = Vec::new();
    let mut t_pre = Vec::new();
    let mut t_full = Vec::new();
    let mut parse_counts = Counts::default();
    let mut pre_counts = Counts::default();
    let mut outcome = None;
    for _ in 0..args.runs {
        let (d, _) = time(|| pass_read(&root, args.threads));
        t_read.push(d);
        let (d, c) = time(|| pass_parse(&root, args.threads, false));
        t_parse.push(d);
        parse_counts = c;
        let (d, c) = time(|| pass_parse(&root, args.threads, true));
        t_pre.push(d);
        pre_counts = c;
        let (d, o) = time(|| engine::run(&opts));
        t_full.push(d);
        outcome = Some(o.map_err(|e| format!("qstash-lint failed: {e}"))?);
    }
    let outcome = outcome.unwrap_or_default();

    let files = warm.files;
    let mb = warm.bytes as f64 / 1e6;
    println!();
    println!(
        "{} files, {:.1} MB, {} threads, warm cache, median of {} run{}",
        files,
        mb,
        threads,
        args.runs,
        if args.runs == 1 { "" } else { "s" }
    );
    println!(
        "{:<28} {:>9} {:>11} {:>9}   runs (s)",
        "pass", "seconds", "files/s", "MB/s"
    );
    let row = |name: &str, ts: &[Duration]| {
        let m = median(ts).as_secs_f64();
        let all = ts
            .iter()
            .map(|d| format!("{:.3}", d.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(" ");
        println!(
            "{:<28} {:>9.3} {:>11.0} {:>9.1}   {}",
            name,
            m,
            files as f64 / m,
            mb / m,
            all
        );
        m
    };
    let read = row("read-only (discover+read)", &t_read);
    let parse = row("parse-only (+swc parse all)", &t_parse);
    let pre = row("prefiltered floor", &t_pre);
    let full = row("qstash-lint (full pipeline)", &t_full);
    println!();
    println!("ratio qstash-lint / read-only:         {:.2}x", full / read);
    println!(
        "ratio qstash-lint / parse-only:        {:.3}x",
        full / parse
    );
    println!("ratio qstash-lint / prefiltered floor: {:.2}x", full / pre);
    println!();

    editor_pass(&root, &outcome, args)?;

    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &outcome.diagnostics {
        *by_rule.entry(d.rule).or_insert(0) += 1;
    }
    println!(
        "qstash-lint: {} files checked, {} diagnostics ({}), {} notices",
        outcome.files,
        outcome.diagnostics.len(),
        by_rule
            .iter()
            .map(|(r, n)| format!("{r} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        outcome.notices.len()
    );
    println!(
        "prefilter sent {} of {} files to the parser ({:.2}%)",
        pre_counts.parsed,
        files,
        100.0 * pre_counts.parsed as f64 / files.max(1) as f64
    );
    if parse_counts.failed > 0 {
        println!(
            "warning: {} of {} generated files did not parse in the parse-only pass",
            parse_counts.failed, parse_counts.parsed
        );
    }
    if outcome.diagnostics.is_empty() {
        eprintln!("bench: the full run found no diagnostics; the tree plants some");
        ok = false;
    }
    if outcome.files != files {
        eprintln!(
            "bench: qstash-lint checked {} files, discovery found {files}",
            outcome.files
        );
        ok = false;
    }
    Ok(ok)
}

/// What an editor waits for after a keystroke, on a file with findings: a
/// fresh run per lint (`check --stdin-filename`, which discovers and reads
/// the whole project each time) against the language server's session,
/// which loads the project once and then relinks from memory.
fn editor_pass(root: &Path, outcome: &engine::Outcome, args: &Args) -> Result<(), String> {
    let Some(first) = outcome.diagnostics.first() else {
        return Ok(());
    };
    let file = root.join(&first.path);
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let edit = |k: usize| format!("{text}\n// edit {k}\n");
    let runs = args.runs.max(5);
    let mut t_stdin = Vec::new();
    for k in 0..runs {
        let opts = engine::Options {
            paths: vec![file.clone()],
            threads: args.threads,
            cwd: root.to_path_buf(),
            stdin: Some((file.clone(), edit(k))),
            ..engine::Options::default()
        };
        let (d, o) = time(|| engine::run(&opts));
        o.map_err(|e| format!("qstash-lint failed: {e}"))?;
        t_stdin.push(d);
    }
    let mut session = engine::session::Session::new(args.threads)
        .map_err(|e| format!("qstash-lint failed: {e}"))?;
    let (cold, first_lint) = time(|| session.lint(&file, &edit(0)));
    let first_lint = first_lint.map_err(|e| format!("qstash-lint failed: {e}"))?;
    let mut t_session = Vec::new();
    let mut last = None;
    for k in 1..=runs {
        let (d, o) = time(|| session.lint(&file, &edit(k)));
        t_session.push(d);
        last = Some(o.map_err(|e| format!("qstash-lint failed: {e}"))?);
    }
    let same = last.is_some_and(|o| o.diagnostics.len() == first_lint.diagnostics.len());
    println!(
        "editor, one file ({}, {} diagnostics), median of {runs}:",
        first.path,
        first_lint.diagnostics.len()
    );
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "  fresh run per lint (--stdin-filename) {:>8.1} ms",
        ms(median(&t_stdin))
    );
    println!(
        "  session, first lint (loads project)  {:>8.1} ms",
        ms(cold)
    );
    println!(
        "  session, each later lint             {:>8.1} ms   runs (ms) {}",
        ms(median(&t_session)),
        t_session
            .iter()
            .map(|d| format!("{:.1}", ms(*d)))
            .collect::<Vec<_>>()
            .join(" ")
    );
    if !same {
        return Err("the session's later lints disagree with its first".into());
    }
    println!();
    Ok(())
}
