//! The file's binding table and value folding.
//!
//! [`Scope`] knows, for a name used at a position, the declaration that binds
//! it (innermost block first), which makes consts, URL-building helpers and
//! QStash instances resolvable without a full scope analysis. Folding turns an
//! expression into [`Candidate`] strings as rules.md describes.

use super::memo::{Budget, Table};
use super::names::NameIndex;
use super::{
    Candidate, Import, ImportRef, Imported, ImportedCall, ImportedReceiver, Literal, Part, Prop,
    QstashClass, SendKind, Value,
};
use crate::diagnostic::Span;
use crate::hash::{HashMap, HashSet};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use swc_ecma_ast::*;

/// How many candidates one expression may fold to before the rest are dropped.
const MAX_CANDIDATES: usize = 16;
/// How deep folding follows consts, helpers and nested expressions.
const MAX_DEPTH: u32 = 24;

/// What a binding is known to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A QStash class instance.
    Instance(QstashClass),
    /// `client.queue(...)`.
    Queue,
    /// `client.schedules`.
    Schedules,
    /// `client.urlGroups` / `client.topics`.
    UrlGroups,
}

/// A function body the folder can look into, borrowed from the tree the
/// scope was built from: copying every declaration's statements and every
/// initialiser doubled the memory of a file of many functions.
pub enum Body<'a> {
    /// A function declaration's statements.
    Block(&'a [Stmt]),
    /// An arrow or function expression.
    Function(&'a Expr),
}

/// A borrowed view of a [`Body`].
pub enum BodyRef<'a> {
    /// An arrow's expression body.
    Expr(&'a Expr),
    /// A block body's statements.
    Block(&'a [Stmt]),
}

impl Body<'_> {
    /// What the body is, whichever way it is held.
    pub fn view(&self) -> BodyRef<'_> {
        match self {
            Body::Block(stmts) => BodyRef::Block(stmts),
            Body::Function(e) => match unwrap(e) {
                Expr::Arrow(a) => match &*a.body {
                    ArrowFunctionBody::Expr(e) => BodyRef::Expr(e),
                    ArrowFunctionBody::FunctionBody(b) => BodyRef::Block(&b.stmts),
                },
                Expr::Fn(f) => BodyRef::Block(f.function.body.as_ref().map_or(&[], |b| &b.stmts)),
                _ => BodyRef::Block(&[]),
            },
        }
    }
}

/// A function declared in the file.
pub struct FnInfo<'a> {
    /// Identifies the function in memo tables (unique in the process).
    pub id: u64,
    /// Simple parameter names (`None` for destructured ones).
    pub params: Vec<Option<String>>,
    /// The body.
    pub body: Body<'a>,
}

/// A fresh [`FnInfo::id`]. Ids only key memo tables, so their values never
/// reach the output.
fn next_fn_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// What a declaration binds.
#[derive(Clone)]
pub enum Binding<'a> {
    /// `const`/`let`/`var` with an initialiser; `is_const` for `const`.
    Var {
        init: &'a Expr,
        is_const: bool,
        func: Option<Rc<FnInfo<'a>>>,
        type_name: Option<String>,
    },
    /// A declaration without a usable initialiser (parameter, destructuring),
    /// with the name of its type annotation.
    Opaque { type_name: Option<String> },
    /// A function declaration.
    Func(Rc<FnInfo<'a>>),
}

/// One declaration of a name.
#[derive(Clone)]
pub struct Decl<'a> {
    /// Identifies the declaration in the file.
    pub id: u32,
    /// The block (or function) the name is visible in.
    pub scope: Span,
    /// Where the declaration starts.
    pub pos: u32,
    /// What it binds.
    pub binding: Binding<'a>,
}

/// The binding table of one file.
#[derive(Default)]
pub struct Scope<'a> {
    /// Byte offset of the file's first byte in the parser's positions.
    pub base: u32,
    /// The import table.
    pub imports: Vec<Import>,
    /// Type-only imports (`import type { Client }`), for type annotations.
    pub type_imports: Vec<Import>,
    /// Declarations by name, in declaration order.
    pub decls: HashMap<String, Vec<Decl<'a>>>,
    /// How many declarations there are (the next [`Decl::id`]).
    decl_count: u32,
    /// The value a destructured binding was taken from, by [`Decl::id`]
    /// (`const { handler } = serve(...)`: `handler` is part of that call's
    /// result).
    pub destructured: HashMap<u32, &'a Expr>,
    /// The declarations of each name grouped by scope, for [`Scope::lookup`].
    names: HashMap<String, NameIndex>,
    /// Named functions' bodies by extent, built by `finish`, for
    /// [`Scope::enclosing_function`].
    fn_ranges: Vec<FnRange<'a>>,
    /// The first import of each local name.
    import_of: HashMap<String, usize>,
    /// Plain assignments `x = <expr>` as collected: the target's name, its
    /// position and the value.
    pub raw_assigns: Vec<(String, u32, &'a Expr)>,
    /// Plain assignments by the binding they assign.
    assigns: HashMap<Target, Vec<&'a Expr>>,
    /// Names assigned anywhere, a cheap filter before a lookup.
    assigned_names: HashSet<String>,
    /// Every write to a name (`=`, `+=`, `++`) as collected: the name and
    /// its position.
    pub raw_writes: Vec<(String, u32)>,
    /// Bindings written after their declaration (so `let` bindings are not
    /// folded as consts).
    reassigned: HashSet<Target>,
    /// What folding has already worked out, and its budget.
    memo: FoldMemo,
    /// Class members set to a QStash instance (`this.qstash = new Client()`).
    pub this_members: HashMap<String, Kind>,
    /// `this.x = <expr>` assignments and class property initialisers.
    pub this_exprs: Vec<(String, &'a Expr)>,
    /// `obj.x = <expr>` assignments on a named object (the
    /// `globalForQStash.receiver = new Receiver()` singleton pattern), by
    /// object and property name.
    pub member_exprs: HashMap<(String, String), Vec<&'a Expr>>,
    /// Class properties with a type annotation (`private q: Client`).
    pub this_types: Vec<(String, String)>,
}

/// The binding an assignment writes: a declaration of the file, or a name
/// declared nowhere in it (a global).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Target {
    Decl(u32),
    Free(String),
}

/// Parameters bound by the helper calls being folded, innermost last.
type Params = Rc<Vec<(String, Vec<Candidate>)>>;

/// The folding context threaded through one folding call.
#[derive(Clone, Default)]
struct Ctx {
    depth: u32,
    /// Inside a branch that a production check selects: an env fallback there
    /// is on the production path.
    prod: bool,
    /// Parameters bound by the helper call being folded.
    params: Params,
}

/// Answers folding has worked out once, so that no question about a
/// declaration or a function is answered twice (see [`super::memo`]).
#[derive(Default)]
struct FoldMemo {
    budget: Budget,
    /// What a binding holds, as far as QStash instances go.
    kinds: Table<Target, Option<Kind>>,
    /// The QStash instance a function returns.
    fn_kinds: Table<u64, Option<Kind>>,
    /// The folded value of a const, per production flag and bound parameters.
    consts: Table<(u32, bool, Params), Vec<Candidate>>,
    /// The folded value of a helper call, per function, flag and arguments.
    calls: Table<(u64, bool, Params), Vec<Candidate>>,
    /// A function's returns folded with its parameters as placeholders.
    returned: Table<u64, Vec<Candidate>>,
    /// The condition a const holds.
    conds: Table<u32, Cond>,
    /// Whether a const holds a millisecond timestamp.
    millis: Table<u32, bool>,
    /// The guards of a function's returns, in [`returns_of`] order.
    guards: RefCell<HashMap<u64, Rc<[Guard]>>>,
    /// Functions being folded: a call of one of them is recursion.
    active: RefCell<HashSet<u64>>,
}

/// Which way a condition points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cond {
    /// True only in development (`NODE_ENV === "development"`, `isDev`).
    Dev,
    /// True only in production.
    Prod,
    /// True when an env var is set.
    EnvSet,
    /// True when an env var is missing.
    EnvMissing,
    /// Anything else.
    Other,
}

/// The guard a branch runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// Nothing known.
    None,
    /// Development only.
    Dev,
    /// Production (explicitly selected).
    Prod,
}

impl Cond {
    /// The guard of the branch taken when the condition holds.
    pub fn then_guard(self) -> Guard {
        match self {
            Cond::Dev | Cond::EnvMissing => Guard::Dev,
            Cond::Prod => Guard::Prod,
            _ => Guard::None,
        }
    }

    /// The guard of the branch taken when it does not (also the code after an
    /// `if (cond) return …`).
    pub fn else_guard(self) -> Guard {
        match self {
            Cond::Dev => Guard::Prod,
            Cond::Prod | Cond::EnvSet => Guard::Dev,
            _ => Guard::None,
        }
    }

    fn not(self) -> Cond {
        match self {
            Cond::Dev => Cond::Prod,
            Cond::Prod => Cond::Dev,
            Cond::EnvSet => Cond::EnvMissing,
            Cond::EnvMissing => Cond::EnvSet,
            Cond::Other => Cond::Other,
        }
    }
}

/// Strips parentheses and TypeScript-only wrappers.
pub fn unwrap(mut e: &Expr) -> &Expr {
    loop {
        e = match e {
            Expr::Paren(p) => &p.expr,
            Expr::TsAs(a) => &a.expr,
            Expr::TsNonNull(n) => &n.expr,
            Expr::TsSatisfies(s) => &s.expr,
            Expr::TsTypeAssertion(t) => &t.expr,
            Expr::TsConstAssertion(c) => &c.expr,
            Expr::TsInstantiation(i) => &i.expr,
            _ => return e,
        }
    }
}

/// A `Wtf8Atom` string value as an owned string.
pub fn atom_str(a: &swc_atoms::Wtf8Atom) -> String {
    a.to_atom_lossy().to_string()
}

/// The static name of a property key.
pub fn prop_name(p: &PropName) -> Option<String> {
    match p {
        PropName::Ident(i) => Some(i.sym.as_str().to_owned()),
        PropName::Str(s) => Some(atom_str(&s.value)),
        PropName::Num(n) => Some(n.value.to_string()),
        _ => None,
    }
}

/// The member expression a call calls (`a.b(…)`, `(a.b)(…)`), if it calls
/// one.
pub fn member_callee(c: &CallExpr) -> Option<&MemberExpr> {
    let Callee::Expr(callee) = &c.callee else {
        return None;
    };
    match unwrap(callee) {
        Expr::Member(m) => Some(m),
        _ => None,
    }
}

/// The static name of a member property (`a.b`, `a["b"]`).
pub fn member_name(p: &MemberProp) -> Option<String> {
    match p {
        MemberProp::Ident(i) => Some(i.sym.as_str().to_owned()),
        MemberProp::Computed(c) => match unwrap(&c.expr) {
            Expr::Lit(Lit::Str(s)) => Some(atom_str(&s.value)),
            Expr::Tpl(t) if t.exprs.is_empty() => t
                .quasis
                .first()
                .and_then(|q| q.cooked.as_ref())
                .map(atom_str),
            _ => None,
        },
        MemberProp::PrivateName(_) => None,
    }
}

/// Whether `host` is local: loopback, private ranges, `*.local`, `*.internal`.
pub fn is_local_host(host: &str) -> bool {
    let h = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    if h == "localhost"
        || h.ends_with(".localhost")
        || h.ends_with(".local")
        || h.ends_with(".internal")
    {
        return true;
    }
    if h == "::1"
        || h == "::"
        || h.starts_with("fc") && h.contains(':')
        || h.starts_with("fd") && h.contains(':')
    {
        return true;
    }
    let octets: Vec<u8> = h.split('.').filter_map(|p| p.parse().ok()).collect();
    if octets.len() == 4 && h.split('.').count() == 4 {
        return match (octets[0], octets[1]) {
            (127, _) | (10, _) | (0, _) => true,
            (172, b) => (16..=31).contains(&b),
            (192, 168) | (169, 254) => true,
            _ => false,
        };
    }
    false
}

/// Splits `scheme://host[:port]/rest` into its scheme and host, when the text
/// is known that far.
pub fn scheme_and_host(text: &str) -> Option<(String, String)> {
    let (scheme, rest) = text.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')
    {
        return None;
    }
    let authority = match rest.find(['/', '?', '#']) {
        Some(end) => &rest[..end],
        // Without a terminator the host may continue in an unknown part,
        // unless a port has begun (`http://localhost:${port}`).
        None => port_started(rest)?,
    };
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host_port.starts_with('[') {
        host_port
            .split_once(']')
            .map_or(host_port, |(h, _)| h)
            .trim_start_matches('[')
            .to_string()
    } else {
        host_port.split(':').next().unwrap_or("").to_string()
    };
    if host.is_empty() {
        return None;
    }
    Some((scheme.to_ascii_lowercase(), host))
}

/// The authority of an unterminated `host:` / `[v6]:` text whose host is
/// complete because its port has begun.
fn port_started(rest: &str) -> Option<&str> {
    if rest.contains('@') {
        return None;
    }
    let host_end = if rest.starts_with('[') {
        rest.find("]:")? + 1
    } else {
        rest.find(':')?
    };
    rest[host_end + 1..]
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then_some(rest)
}

/// [`scheme_and_host`] for a candidate: its leading known text, or the whole
/// text when the candidate is fully known.
pub fn candidate_scheme_and_host(c: &Candidate) -> Option<(String, String)> {
    if let Some(full) = c.as_literal() {
        let with_slash = format!("{full}/");
        return scheme_and_host(&with_slash);
    }
    scheme_and_host(c.leading_text())
}

/// The QStash REST paths that send, with what each does.
const API_PATHS: &[(&str, SendKind)] = &[
    ("/v2/publish/", SendKind::Publish),
    ("/v2/schedules/", SendKind::ScheduleCreate),
    ("/v2/enqueue/", SendKind::Enqueue),
    ("/v1/publish/", SendKind::Publish),
];

/// Splits a folded request URL of the QStash REST API
/// (`https://qstash.upstash.io/v2/publish/<dest>`, `${QSTASH_URL}/v2/enqueue/<queue>/<dest>`)
/// into what the request does and its destination. The base must name
/// QStash (a `qstash` host or a `QSTASH_URL`-like env var): other APIs have
/// `/v2/publish/` paths too.
pub fn qstash_api_destination(c: &Candidate) -> Option<(SendKind, Candidate)> {
    let mut base = String::new();
    for (i, part) in c.parts.iter().enumerate() {
        let text = match part {
            Part::Lit(t) => t,
            Part::Env(name) => {
                base.push_str(name);
                continue;
            }
            // Keeps text on either side of an unknown part from joining up.
            Part::Unknown | Part::Imported(_) | Part::Call(_) | Part::Param(_) => {
                base.push(' ');
                continue;
            }
        };
        let found = API_PATHS
            .iter()
            .filter_map(|(path, kind)| text.find(path).map(|at| (at, *path, *kind)))
            .min_by_key(|(at, ..)| *at);
        let Some((at, path, kind)) = found else {
            base.push_str(text);
            continue;
        };
        base.push_str(&text[..at]);
        if !base.to_ascii_lowercase().contains("qstash") {
            return None;
        }
        let mut rest: Vec<Part> = vec![Part::Lit(text[at + path.len()..].to_string())];
        rest.extend(c.parts[i + 1..].iter().cloned());
        if kind == SendKind::Enqueue {
            // Drop the queue name: everything up to the first `/`.
            let slash = rest
                .iter()
                .position(|p| matches!(p, Part::Lit(t) if t.contains('/')))?;
            let Part::Lit(t) = &rest[slash] else {
                return None;
            };
            let after = t.split_once('/').map_or("", |(_, a)| a).to_string();
            rest.splice(..=slash, [Part::Lit(after)]);
        }
        let parts = merge_parts(rest);
        if parts.is_empty() {
            return None;
        }
        return Some((
            kind,
            Candidate {
                parts,
                origin: c.origin,
                origin_file: c.origin_file.clone(),
                dev_only: c.dev_only,
                env_fallback: c.env_fallback,
            },
        ));
    }
    None
}

/// Joins adjacent literal parts and drops empty ones.
pub fn merge_parts(parts: Vec<Part>) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::with_capacity(parts.len());
    for p in parts {
        match (out.last_mut(), p) {
            (Some(Part::Lit(a)), Part::Lit(b)) => a.push_str(&b),
            (_, Part::Lit(b)) if b.is_empty() => {}
            (_, p) => out.push(p),
        }
    }
    out
}

fn lit_candidate(text: String, span: Span) -> Candidate {
    Candidate {
        parts: vec![Part::Lit(text)],
        origin: span,
        origin_file: None,
        dev_only: false,
        env_fallback: false,
    }
}

fn imported(r: ImportRef, span: Span) -> Vec<Candidate> {
    vec![Candidate {
        parts: vec![Part::Imported(r)],
        origin: span,
        origin_file: None,
        dev_only: false,
        env_fallback: false,
    }]
}

fn unknown(span: Span) -> Vec<Candidate> {
    vec![Candidate {
        parts: vec![Part::Unknown],
        origin: span,
        origin_file: None,
        dev_only: false,
        env_fallback: false,
    }]
}

fn concat(left: &[Candidate], right: &[Candidate]) -> Vec<Candidate> {
    let mut out = Vec::new();
    for l in left {
        for r in right {
            if out.len() >= MAX_CANDIDATES {
                return out;
            }
            let mut c = l.clone();
            append(&mut c, r);
            out.push(c);
        }
    }
    out
}

/// [`concat`] into `acc` in place: a long template literal extends its one
/// candidate instead of copying it at every part.
fn concat_into(acc: &mut Vec<Candidate>, right: Vec<Candidate>) {
    match right.as_slice() {
        [r] => acc.iter_mut().for_each(|l| append(l, r)),
        _ => *acc = concat(acc, &right),
    }
}

/// Appends `r` to `l`: its parts (merged as [`merge_parts`] does), its flags,
/// and its origin when `l` has no leading text of its own.
fn append(l: &mut Candidate, r: &Candidate) {
    if !matches!(l.parts.first(), Some(Part::Lit(_))) {
        l.origin = r.origin;
        l.origin_file = r.origin_file.clone();
    }
    for p in &r.parts {
        match (l.parts.last_mut(), p) {
            (Some(Part::Lit(a)), Part::Lit(b)) => a.push_str(b),
            (_, Part::Lit(b)) if b.is_empty() => {}
            (_, p) => l.parts.push(p.clone()),
        }
    }
    l.dev_only |= r.dev_only;
    l.env_fallback |= r.env_fallback;
}

fn apply_guard(mut cands: Vec<Candidate>, guard: Guard) -> Vec<Candidate> {
    if guard == Guard::Dev {
        for c in &mut cands {
            c.dev_only = true;
        }
    }
    cands
}

fn union(mut a: Vec<Candidate>, b: Vec<Candidate>) -> Vec<Candidate> {
    for c in b {
        if a.len() >= MAX_CANDIDATES {
            break;
        }
        if !a.contains(&c) {
            a.push(c);
        }
    }
    a
}

const DEV_WORDS: &[&str] = &["development", "dev", "local", "test", "preview"];
const PROD_WORDS: &[&str] = &["production", "prod"];
const STAGE_VARS: &[&str] = &[
    "NODE_ENV",
    "VERCEL_ENV",
    "NEXT_PUBLIC_VERCEL_ENV",
    "APP_ENV",
    "ENV",
    "ENVIRONMENT",
    "CONTEXT",
    "MODE",
    "NEXT_PUBLIC_APP_ENV",
    "NEXT_PUBLIC_ENV",
    "STAGE",
    "NUXT_ENV",
    "VITE_ENV",
];

impl<'a> Scope<'a> {
    /// An empty table for a file whose first byte is at parser position
    /// `base`.
    pub fn new(base: u32) -> Self {
        Scope {
            base,
            ..Scope::default()
        }
    }

    /// A file-relative span from a parser span.
    pub fn span(&self, s: swc_common::Span) -> Span {
        Span::new(
            s.lo.0.saturating_sub(self.base),
            s.hi.0.saturating_sub(self.base),
        )
    }

    /// The declaration that `name` refers to at `pos`: the innermost scope that
    /// contains `pos`, and there the last declaration before it (or the first,
    /// for hoisted uses).
    pub fn lookup(&self, name: &str, pos: u32) -> Option<&Decl<'a>> {
        let decls = self.decls.get(name)?;
        match self.names.get(name) {
            Some(index) => index.lookup(decls, pos).map(|i| &decls[i]),
            // Before `finish`: index on the fly.
            None => NameIndex::new(decls).lookup(decls, pos).map(|i| &decls[i]),
        }
    }

    /// The next [`Decl::id`] to be given.
    pub fn next_decl_id(&self) -> u32 {
        self.decl_count
    }

    /// Records a declaration of `name`.
    pub fn declare(&mut self, name: String, scope: Span, pos: u32, binding: Binding<'a>) {
        let id = self.decl_count;
        self.decl_count += 1;
        self.decls.entry(name).or_default().push(Decl {
            id,
            scope,
            pos,
            binding,
        });
    }

    /// The value or type import that binds `local` (a class named in a
    /// type annotation may be imported either way).
    pub fn first_import_of(&self, local: &str) -> Option<&Import> {
        self.first_import(local)
            .or_else(|| self.type_imports.iter().find(|i| i.local == local))
    }

    /// The first import of `local`, whatever shadows it.
    fn first_import(&self, local: &str) -> Option<&Import> {
        if self.import_of.is_empty() {
            return self.imports.iter().find(|i| i.local == local);
        }
        self.import_of.get(local).map(|&i| &self.imports[i])
    }

    /// The import that binds `local`, if it is not shadowed by a declaration.
    pub fn import(&self, local: &str, pos: u32) -> Option<&Import> {
        if self.lookup(local, pos).is_some() {
            return None;
        }
        self.first_import(local)
    }

    /// Whether `name` could name a QStash `Receiver`: it has a declaration
    /// that is typed, initialised or assigned. A cheap filter before
    /// [`Scope::kind_of`], which looks the name up.
    pub fn may_be_receiver(&self, name: &str) -> bool {
        self.decls.get(name).is_some_and(|d| {
            d.iter().any(|d| {
                !matches!(
                    d.binding,
                    Binding::Opaque { type_name: None } | Binding::Func(_)
                )
            })
        }) || self.assigned_names.contains(name)
    }

    /// The cross-module reference of an imported value binding `local` at
    /// `pos` (not for namespace imports or QStash's own modules).
    pub fn import_ref(&self, local: &str, pos: u32) -> Option<ImportRef> {
        let imp = self.import(local, pos)?;
        let name = match &imp.imported {
            Imported::Named(n) => n.clone(),
            Imported::Default => "default".to_string(),
            Imported::Namespace => return None,
        };
        if super::modules::is_qstash(&imp.module) || super::modules::is_workflow(&imp.module) {
            return None;
        }
        Some(ImportRef {
            specifier: imp.specifier.clone(),
            name,
        })
    }

    /// The imported binding a send's receiver hangs off, when the receiver
    /// is not known in this file: `qstash` (imported), `getQstash()`,
    /// `qstash.schedules`, `qstash.queue({...})`, `ns.qstash`, or a local
    /// const holding one of these.
    pub fn imported_receiver(&self, e: &Expr) -> Option<ImportedReceiver> {
        self.imported_receiver_depth(e, 0)
    }

    fn imported_receiver_depth(&self, e: &Expr, depth: u32) -> Option<ImportedReceiver> {
        if depth > MAX_DEPTH || !self.memo.budget.step() {
            return None;
        }
        let d = depth + 1;
        match unwrap(e) {
            Expr::Ident(id) => {
                let pos = self.abs(id.span.lo.0);
                if let Some(import) = self.import_ref(&id.sym, pos) {
                    return Some(ImportedReceiver {
                        import,
                        called: false,
                        member: None,
                    });
                }
                self.const_init(&id.sym, pos)
                    .and_then(|init| self.imported_receiver_depth(init, d))
            }
            Expr::Await(a) => self.imported_receiver_depth(&a.arg, d),
            Expr::Call(c) => {
                let Callee::Expr(callee) = &c.callee else {
                    return None;
                };
                match unwrap(callee) {
                    Expr::Member(m) if member_name(&m.prop).as_deref() == Some("queue") => {
                        let inner = self.imported_receiver_depth(&m.obj, d)?;
                        inner.member.is_none().then_some(ImportedReceiver {
                            member: Some("queue".into()),
                            ..inner
                        })
                    }
                    other => {
                        let inner = self.imported_receiver_depth(other, d)?;
                        (!inner.called && inner.member.is_none()).then_some(ImportedReceiver {
                            called: true,
                            ..inner
                        })
                    }
                }
            }
            Expr::Member(m) => {
                let prop = member_name(&m.prop)?;
                if let Expr::Ident(ns) = unwrap(&m.obj) {
                    if let Some(imp) = self.import(&ns.sym, self.abs(ns.span.lo.0)) {
                        if imp.imported == Imported::Namespace
                            && !super::modules::is_qstash(&imp.module)
                        {
                            let import = ImportRef {
                                specifier: imp.specifier.clone(),
                                name: prop,
                            };
                            return Some(ImportedReceiver {
                                import,
                                called: false,
                                member: None,
                            });
                        }
                    }
                }
                if !matches!(prop.as_str(), "schedules" | "urlGroups" | "topics") {
                    return None;
                }
                let inner = self.imported_receiver_depth(&m.obj, d)?;
                inner.member.is_none().then_some(ImportedReceiver {
                    member: Some(prop),
                    ..inner
                })
            }
            _ => None,
        }
    }

    /// The QStash class that `callee` names (`Client`, `qs.Receiver`, …).
    pub fn class_of(&self, callee: &Expr) -> Option<QstashClass> {
        match unwrap(callee) {
            Expr::Ident(id) => {
                let imp = self.import(&id.sym, self.abs(id.span.lo.0))?;
                match &imp.imported {
                    Imported::Named(n) => class_from(&imp.module, n),
                    _ => None,
                }
            }
            Expr::Member(m) => {
                let Expr::Ident(ns) = unwrap(&m.obj) else {
                    return None;
                };
                let imp = self.import(&ns.sym, self.abs(ns.span.lo.0))?;
                if imp.imported != Imported::Namespace && imp.imported != Imported::Default {
                    return None;
                }
                class_from(&imp.module, &member_name(&m.prop)?)
            }
            _ => None,
        }
    }

    pub(crate) fn abs(&self, lo: u32) -> u32 {
        lo.saturating_sub(self.base)
    }

    /// The QStash class a type annotation names (`Client`, `qs.Receiver`).
    pub fn class_by_type(&self, type_name: &str) -> Option<QstashClass> {
        let (ns, name) = match type_name.split_once('.') {
            Some((ns, name)) => (Some(ns), name),
            None => (None, type_name),
        };
        let imp = self
            .imports
            .iter()
            .chain(&self.type_imports)
            .find(|i| i.local == ns.unwrap_or(name))?;
        match (&imp.imported, ns) {
            (Imported::Named(n), None) => class_from(&imp.module, n),
            (Imported::Namespace | Imported::Default, Some(_)) => class_from(&imp.module, name),
            _ => None,
        }
    }

    /// Resolves class members set to QStash instances, once every
    /// declaration is known.
    pub fn finish(&mut self, bytes: u32) {
        self.memo.budget = Budget::new(super::memo::budget_for(bytes));
        self.index_functions();
        self.names = self
            .decls
            .iter()
            .map(|(name, decls)| (name.clone(), NameIndex::new(decls)))
            .collect();
        for (i, imp) in self.imports.iter().enumerate() {
            self.import_of.entry(imp.local.clone()).or_insert(i);
        }
        let raw_assigns = std::mem::take(&mut self.raw_assigns);
        for (name, pos, value) in raw_assigns {
            let target = self.target(&name, pos);
            self.assigned_names.insert(name);
            self.assigns.entry(target).or_default().push(value);
        }
        let raw_writes = std::mem::take(&mut self.raw_writes);
        for (name, pos) in raw_writes {
            let target = self.target(&name, pos);
            self.reassigned.insert(target);
        }
        let mut members = HashMap::default();
        for (name, e) in &self.this_exprs {
            if let Some(k) = self.kind_of(e) {
                members.insert(name.clone(), k);
            }
        }
        for (name, t) in &self.this_types {
            if let Some(c) = self.class_by_type(t) {
                members.entry(name.clone()).or_insert(Kind::Instance(c));
            }
        }
        self.this_members = members;
    }

    /// The values assigned to declaration `id` after it (`POST = …`).
    pub fn assigned_to(&self, id: u32) -> &[&'a Expr] {
        self.assigns
            .get(&Target::Decl(id))
            .map_or(&[], |v| v.as_slice())
    }

    /// The binding a write to `name` at `pos` changes.
    fn target(&self, name: &str, pos: u32) -> Target {
        match self.lookup(name, pos) {
            Some(d) => Target::Decl(d.id),
            None => Target::Free(name.to_string()),
        }
    }

    /// Whether some value of the file was left unknown because folding ran
    /// out of budget.
    pub fn budget_exhausted(&self) -> bool {
        self.memo.budget.exhausted()
    }

    /// What `e` evaluates to, as far as QStash instances go.
    pub fn kind_of(&self, e: &Expr) -> Option<Kind> {
        self.kind_of_depth(e, 0)
    }

    fn kind_of_depth(&self, e: &Expr, depth: u32) -> Option<Kind> {
        if depth > MAX_DEPTH || !self.memo.budget.step() {
            return None;
        }
        let d = depth + 1;
        match unwrap(e) {
            Expr::New(n) => self.class_of(&n.callee).map(Kind::Instance),
            Expr::Await(a) => self.kind_of_depth(&a.arg, d),
            Expr::Bin(b) if matches!(b.op, BinaryOp::NullishCoalescing | BinaryOp::LogicalOr) => {
                self.kind_of_depth(&b.left, d)
                    .or_else(|| self.kind_of_depth(&b.right, d))
            }
            Expr::Cond(c) => self
                .kind_of_depth(&c.cons, d)
                .or_else(|| self.kind_of_depth(&c.alt, d)),
            Expr::Assign(a) => self.kind_of_depth(&a.right, d),
            Expr::Ident(id) => self.kind_of_name(&id.sym, self.abs(id.span.lo.0), d),
            Expr::Member(m) => {
                let name = member_name(&m.prop)?;
                if matches!(unwrap(&m.obj), Expr::This(_)) {
                    return self.this_members.get(&name).copied();
                }
                if let Expr::Ident(obj) = unwrap(&m.obj) {
                    if let Some(values) = self
                        .member_exprs
                        .get(&(obj.sym.as_str().to_owned(), name.clone()))
                    {
                        if let Some(k) = values.iter().find_map(|v| self.kind_of_depth(v, d)) {
                            return Some(k);
                        }
                    }
                }
                match (self.kind_of_depth(&m.obj, d)?, name.as_str()) {
                    (Kind::Instance(QstashClass::Client), "schedules") => Some(Kind::Schedules),
                    (Kind::Instance(QstashClass::Client), "urlGroups" | "topics") => {
                        Some(Kind::UrlGroups)
                    }
                    _ => None,
                }
            }
            Expr::Call(c) => {
                let Callee::Expr(callee) = &c.callee else {
                    return None;
                };
                match unwrap(callee) {
                    Expr::Member(m) if member_name(&m.prop).as_deref() == Some("queue") => {
                        match self.kind_of_depth(&m.obj, d)? {
                            Kind::Instance(QstashClass::Client) => Some(Kind::Queue),
                            _ => None,
                        }
                    }
                    Expr::Ident(id) => {
                        let info = self.function(&id.sym, self.abs(id.span.lo.0))?;
                        self.memo.fn_kinds.get_or(info.id, None, || {
                            returns_of(self, &info)
                                .into_iter()
                                .find_map(|(r, _)| self.kind_of_depth(r, d))
                        })
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn kind_of_name(&self, name: &str, pos: u32, depth: u32) -> Option<Kind> {
        let decl = self.lookup(name, pos);
        let target = match decl {
            Some(d) => Target::Decl(d.id),
            None => Target::Free(name.to_string()),
        };
        self.memo.kinds.get_or(target.clone(), None, || {
            self.binding_kind(decl, &target, depth)
        })
    }

    /// What a binding holds: its initialiser or type, else an assignment.
    fn binding_kind(&self, decl: Option<&Decl>, target: &Target, depth: u32) -> Option<Kind> {
        if let Some(decl) = decl {
            let from_decl = match &decl.binding {
                Binding::Var {
                    init, type_name, ..
                } => self.kind_of_depth(init, depth).or_else(|| {
                    self.class_by_type(type_name.as_deref()?)
                        .map(Kind::Instance)
                }),
                Binding::Opaque { type_name } => type_name
                    .as_deref()
                    .and_then(|t| self.class_by_type(t))
                    .map(Kind::Instance),
                Binding::Func(_) => None,
            };
            if from_decl.is_some() {
                return from_decl;
            }
        }
        self.assigns
            .get(target)?
            .iter()
            .find_map(|e| self.kind_of_depth(e, depth))
    }

    /// The literal `e` is, directly or through consts.
    pub fn literal(&self, e: &Expr) -> Option<Literal> {
        self.literal_depth(e, 0)
    }

    fn literal_depth(&self, e: &Expr, depth: u32) -> Option<Literal> {
        if depth > MAX_DEPTH || !self.memo.budget.step() {
            return None;
        }
        match unwrap(e) {
            Expr::Lit(Lit::Str(s)) => Some(Literal::Str(atom_str(&s.value))),
            Expr::Lit(Lit::Num(n)) => Some(Literal::Num(n.value)),
            Expr::Lit(Lit::Bool(b)) => Some(Literal::Bool(b.value)),
            Expr::Lit(Lit::Null(_)) => Some(Literal::Null),
            Expr::Tpl(t) if t.exprs.is_empty() => Some(Literal::Str(
                t.quasis
                    .iter()
                    .filter_map(|q| q.cooked.as_ref())
                    .map(atom_str)
                    .collect(),
            )),
            Expr::Unary(u) if u.op == UnaryOp::Minus => {
                match self.literal_depth(&u.arg, depth + 1)? {
                    Literal::Num(n) => Some(Literal::Num(-n)),
                    _ => None,
                }
            }
            Expr::Unary(u) if u.op == UnaryOp::Void => Some(Literal::Undefined),
            Expr::Ident(id) if &*id.sym == "undefined" => Some(Literal::Undefined),
            Expr::Ident(id) => match self.const_init(&id.sym, self.abs(id.span.lo.0)) {
                Some(init) => self.literal_depth(init, depth + 1),
                None => None,
            },
            _ => None,
        }
    }

    /// The initialiser of a const (or a never-reassigned `let`) binding.
    pub fn const_init(&self, name: &str, pos: u32) -> Option<&Expr> {
        self.const_decl(name, pos).map(|(_, init)| init)
    }

    /// [`Scope::const_init`] with the declaration's id.
    fn const_decl(&self, name: &str, pos: u32) -> Option<(u32, &Expr)> {
        let decl = self.lookup(name, pos)?;
        match &decl.binding {
            Binding::Var { init, is_const, .. }
                if *is_const || !self.reassigned.contains(&Target::Decl(decl.id)) =>
            {
                Some((decl.id, init))
            }
            _ => None,
        }
    }

    /// The function `name` is bound to at `pos` (a declaration or a const
    /// arrow / function expression).
    pub fn function(&self, name: &str, pos: u32) -> Option<Rc<FnInfo<'a>>> {
        match &self.lookup(name, pos)?.binding {
            Binding::Func(f) => Some(f.clone()),
            Binding::Var { func: Some(f), .. } => Some(f.clone()),
            _ => None,
        }
    }

    /// Everything the rules need to know about `e`.
    pub fn value(&self, e: &Expr) -> Value {
        self.value_under(e, Guard::None)
    }

    /// [`Scope::value`] for an expression that runs under `guard`: in a
    /// development-only branch every candidate is development-only, and in a
    /// branch a production check selects env fallbacks are on the production
    /// path.
    pub fn value_under(&self, e: &Expr, guard: Guard) -> Value {
        self.value_depth(e, 0, guard)
    }

    fn value_depth(&self, e: &Expr, depth: u32, guard: Guard) -> Value {
        let span = self.span(e_span(e));
        let mut v = Value {
            span,
            literal: self.literal(e),
            ..Value::default()
        };
        if depth > 8 {
            return v;
        }
        let resolved = self.resolve_const(e);
        match resolved {
            Expr::Object(o) => v.object = Some(Box::new(self.object_depth(o, depth + 1, guard))),
            Expr::Array(a) => {
                v.array = Some(
                    a.elems
                        .iter()
                        .flatten()
                        .map(|el| {
                            if el.spread.is_some() {
                                Value {
                                    span: self.span(e_span(&el.expr)),
                                    ..Value::default()
                                }
                            } else {
                                self.value_depth(&el.expr, depth + 1, guard)
                            }
                        })
                        .collect(),
                )
            }
            _ => {}
        }
        if v.object.is_none() && v.array.is_none() {
            v.candidates = self.fold_guarded(e, guard, &Ctx::default());
            v.millis = self.is_millis(e, 0);
        }
        v
    }

    /// Follows identifiers bound to consts to the expression they hold.
    pub fn resolve_const<'s>(&'s self, e: &'s Expr) -> &'s Expr {
        let mut e = unwrap(e);
        for _ in 0..MAX_DEPTH {
            let Expr::Ident(id) = e else { break };
            match self.const_init(&id.sym, self.abs(id.span.lo.0)) {
                Some(init) => e = unwrap(init),
                None => break,
            }
        }
        e
    }

    /// An object literal's facts.
    pub fn object(&self, o: &swc_ecma_ast::ObjectLit) -> super::ObjectLit {
        self.object_depth(o, 0, Guard::None)
    }

    fn object_depth(
        &self,
        o: &swc_ecma_ast::ObjectLit,
        depth: u32,
        guard: Guard,
    ) -> super::ObjectLit {
        let mut out = super::ObjectLit {
            span: self.span(o.span),
            ..Default::default()
        };
        for p in &o.props {
            match p {
                PropOrSpread::Spread(_) => out.open = true,
                PropOrSpread::Prop(p) => match &**p {
                    swc_ecma_ast::Prop::KeyValue(kv) => match prop_name(&kv.key) {
                        Some(key) => out.props.push(Prop {
                            key,
                            key_span: self.span(prop_name_span(&kv.key)),
                            value: self.value_depth(&kv.value, depth + 1, guard),
                        }),
                        None => out.open = true,
                    },
                    swc_ecma_ast::Prop::Shorthand(id) => {
                        let as_expr = Expr::Ident(id.clone());
                        let mut value = self.value_depth(&as_expr, depth + 1, guard);
                        value.span = self.span(id.span);
                        out.props.push(Prop {
                            key: id.sym.as_str().to_owned(),
                            key_span: self.span(id.span),
                            value,
                        });
                    }
                    swc_ecma_ast::Prop::Method(m) => match prop_name(&m.key) {
                        Some(key) => out.props.push(Prop {
                            key,
                            key_span: self.span(prop_name_span(&m.key)),
                            value: Value {
                                span: self.span(m.function.span),
                                ..Value::default()
                            },
                        }),
                        None => out.open = true,
                    },
                    swc_ecma_ast::Prop::Getter(g) => match prop_name(&g.key) {
                        Some(key) => out.props.push(Prop {
                            key,
                            key_span: self.span(prop_name_span(&g.key)),
                            value: Value {
                                span: self.span(g.span),
                                ..Value::default()
                            },
                        }),
                        None => out.open = true,
                    },
                    _ => {}
                },
            }
        }
        out
    }

    /// Folds `e` into candidate strings.
    pub fn fold(&self, e: &Expr) -> Vec<Candidate> {
        self.fold_ctx(e, &Ctx::default())
    }

    fn fold_ctx(&self, e: &Expr, ctx: &Ctx) -> Vec<Candidate> {
        let span = self.span(e_span(e));
        if ctx.depth > MAX_DEPTH || !self.memo.budget.step() {
            return unknown(span);
        }
        let inner = Ctx {
            depth: ctx.depth + 1,
            prod: ctx.prod,
            params: ctx.params.clone(),
        };
        let ctx = &inner;
        match unwrap(e) {
            Expr::Lit(Lit::Str(s)) => vec![lit_candidate(atom_str(&s.value), span)],
            Expr::Lit(Lit::Num(n)) => vec![lit_candidate(n.value.to_string(), span)],
            Expr::Tpl(t) => {
                let mut acc = vec![Candidate {
                    parts: vec![],
                    origin: span,
                    origin_file: None,
                    dev_only: false,
                    env_fallback: false,
                }];
                for (i, q) in t.quasis.iter().enumerate() {
                    let text = q.cooked.as_ref().map(atom_str).unwrap_or_default();
                    let qs = self.span(q.span);
                    concat_into(&mut acc, vec![lit_candidate(text, qs)]);
                    if let Some(ex) = t.exprs.get(i) {
                        concat_into(&mut acc, self.fold_ctx(ex, ctx));
                    }
                }
                acc
            }
            Expr::Bin(b) if b.op == BinaryOp::Add => {
                concat(&self.fold_ctx(&b.left, ctx), &self.fold_ctx(&b.right, ctx))
            }
            Expr::Bin(b) if matches!(b.op, BinaryOp::NullishCoalescing | BinaryOp::LogicalOr) => {
                let left = self.fold_ctx(&b.left, ctx);
                let mut right = self.fold_ctx(&b.right, ctx);
                let env_first = left
                    .iter()
                    .all(|c| matches!(c.parts.first(), Some(Part::Env(_))));
                if env_first && !ctx.prod {
                    for c in &mut right {
                        c.dev_only = true;
                        c.env_fallback = true;
                    }
                }
                union(left, right)
            }
            Expr::Cond(c) => {
                let cond = self.classify(&c.test);
                let then = self.fold_guarded(&c.cons, cond.then_guard(), ctx);
                let other = self.fold_guarded(&c.alt, cond.else_guard(), ctx);
                union(then, other)
            }
            Expr::Ident(id) => {
                let name = &*id.sym;
                if let Some((_, cands)) = ctx.params.iter().rev().find(|(p, _)| p == name) {
                    return cands.clone();
                }
                let pos = self.abs(id.span.lo.0);
                if let Some((decl, init)) = self.const_decl(name, pos) {
                    let key = (decl, ctx.prod, ctx.params.clone());
                    return self
                        .memo
                        .consts
                        .get_or(key, unknown(span), || self.fold_ctx(init, ctx));
                }
                if self.lookup(name, pos).is_none() {
                    if let Some(env) = self.env_import(name) {
                        return vec![Candidate {
                            parts: vec![Part::Env(env)],
                            origin: span,
                            origin_file: None,
                            dev_only: false,
                            env_fallback: false,
                        }];
                    }
                    if let Some(r) = self.import_ref(name, pos) {
                        return imported(r, span);
                    }
                }
                unknown(span)
            }
            Expr::Member(m) => {
                if let Some(name) = self.env_read_name(e) {
                    return vec![Candidate {
                        parts: vec![Part::Env(name)],
                        origin: span,
                        origin_file: None,
                        dev_only: false,
                        env_fallback: false,
                    }];
                }
                // `consts.APP_URL` with `import * as consts from "./consts"`.
                if let (Expr::Ident(ns), Some(prop)) = (unwrap(&m.obj), member_name(&m.prop)) {
                    if let Some(imp) = self.import(&ns.sym, self.abs(ns.span.lo.0)) {
                        if imp.imported == Imported::Namespace {
                            let r = ImportRef {
                                specifier: imp.specifier.clone(),
                                name: prop,
                            };
                            return imported(r, span);
                        }
                    }
                }
                // `new URL(x).href` / `.origin` keep the URL's value.
                match member_name(&m.prop).as_deref() {
                    Some("href") => self.fold_ctx(&m.obj, ctx),
                    _ => unknown(span),
                }
            }
            Expr::New(n) if is_global(&n.callee, "URL") => {
                let args = n.args.as_deref().unwrap_or(&[]);
                match args {
                    [path] => self.fold_ctx(&path.expr, ctx),
                    [path, base, ..] => {
                        let p = self.fold_ctx(&path.expr, ctx);
                        let b = self.fold_ctx(&base.expr, ctx);
                        resolve_url(&p, &b)
                    }
                    [] => unknown(span),
                }
            }
            Expr::Call(c) => self.fold_call(c, span, ctx),
            Expr::Await(a) => self.fold_ctx(&a.arg, ctx),
            _ => unknown(span),
        }
    }

    fn fold_guarded(&self, e: &Expr, guard: Guard, ctx: &Ctx) -> Vec<Candidate> {
        let mut c = ctx.clone();
        if guard == Guard::Prod {
            c.prod = true;
        }
        apply_guard(self.fold_ctx(e, &c), guard)
    }

    fn fold_call(&self, c: &CallExpr, span: Span, ctx: &Ctx) -> Vec<Candidate> {
        // `Deno.env.get("X")` is an env read like `process.env.X`.
        if let Some(name) = self.env_read_call(c) {
            return vec![Candidate {
                parts: vec![Part::Env(name)],
                origin: span,
                origin_file: None,
                dev_only: false,
                env_fallback: false,
            }];
        }
        let Callee::Expr(callee) = &c.callee else {
            return unknown(span);
        };
        match unwrap(callee) {
            Expr::Ident(id) if &*id.sym == "String" && c.args.len() == 1 => {
                self.fold_ctx(&c.args[0].expr, ctx)
            }
            Expr::Member(m)
                if matches!(member_name(&m.prop).as_deref(), Some("toString" | "trim")) =>
            {
                self.fold_ctx(&m.obj, ctx)
            }
            Expr::Ident(id) => {
                let pos = self.abs(id.span.lo.0);
                let Some(info) = self.function(&id.sym, pos) else {
                    // A helper imported from another file folds at the link.
                    if let Some(callee) = self.import_ref(&id.sym, pos) {
                        let args = c
                            .args
                            .iter()
                            .map(|a| {
                                if a.spread.is_none() {
                                    self.fold_ctx(&a.expr, ctx)
                                } else {
                                    unknown(span)
                                }
                            })
                            .collect();
                        return vec![Candidate {
                            parts: vec![Part::Call(Box::new(ImportedCall { callee, args }))],
                            origin: span,
                            origin_file: None,
                            dev_only: false,
                            env_fallback: false,
                        }];
                    }
                    return unknown(span);
                };
                if self.memo.active.borrow().contains(&info.id) {
                    // Recursion: its value is not knowable by unfolding it.
                    return unknown(span);
                }
                let mut params = (*ctx.params).clone();
                for (i, p) in info.params.iter().enumerate() {
                    if let Some(p) = p {
                        let cands = match c.args.get(i) {
                            Some(a) if a.spread.is_none() => self.fold_ctx(&a.expr, ctx),
                            _ => unknown(span),
                        };
                        params.push((p.clone(), cands));
                    }
                }
                let inner = Ctx {
                    depth: ctx.depth,
                    prod: ctx.prod,
                    params: Rc::new(params),
                };
                let key = (info.id, inner.prod, inner.params.clone());
                let out = self.memo.calls.get_or(key, Vec::new(), || {
                    self.memo.active.borrow_mut().insert(info.id);
                    let mut out = Vec::new();
                    for (ret, guard) in returns_of(self, &info) {
                        out = union(out, self.fold_guarded(ret, guard, &inner));
                    }
                    self.memo.active.borrow_mut().remove(&info.id);
                    out
                });
                if out.is_empty() {
                    unknown(span)
                } else {
                    out
                }
            }
            _ => unknown(span),
        }
    }

    /// What function `f` returns, folded with each parameter standing for
    /// itself ([`Part::Param`]), so that a call in another file can fold it
    /// with its own arguments.
    pub fn fold_returns(&self, f: &FnInfo) -> Vec<Candidate> {
        if self.memo.active.borrow().contains(&f.id) {
            return Vec::new();
        }
        self.memo.returned.get_or(f.id, Vec::new(), || {
            let ctx = params_as_themselves(f);
            self.memo.active.borrow_mut().insert(f.id);
            let mut out = Vec::new();
            for (ret, guard) in returns_of(self, f) {
                out = union(out, self.fold_guarded(ret, guard, &ctx));
            }
            self.memo.active.borrow_mut().remove(&f.id);
            out
        })
    }

    /// `e`, an expression in the body of `f`, folded with each parameter
    /// of `f` standing for itself ([`Part::Param`]): the callers of `f`
    /// fold it with their arguments.
    pub fn fold_in(&self, e: &Expr, f: &FnInfo) -> Vec<Candidate> {
        self.fold_guarded(e, Guard::None, &params_as_themselves(f))
    }

    /// The extent of `f`'s body in this file's positions (first to last
    /// statement, or the expression of an arrow).
    pub fn body_span(&self, f: &FnInfo) -> Option<Span> {
        let (lo, hi) = body_range(&f.body)?;
        Some(self.span(swc_common::Span::new(
            swc_common::BytePos(lo),
            swc_common::BytePos(hi),
        )))
    }

    /// The innermost named function (a declaration, or a function bound to
    /// a const) whose body holds `span`, with its name. A binary search and
    /// a walk up the enclosing functions: asked once per send, it must not
    /// scan every declaration of a file with thousands of functions.
    pub fn enclosing_function(&self, span: swc_common::Span) -> Option<(String, Rc<FnInfo<'a>>)> {
        let (lo, hi) = (span.lo.0, span.hi.0);
        let last = self.fn_ranges.partition_point(|r| r.lo <= lo);
        let mut at = last.checked_sub(1);
        while let Some(i) = at {
            let r = &self.fn_ranges[i];
            if r.lo <= lo && hi <= r.hi {
                return Some((r.name.clone(), r.f.clone()));
            }
            at = r.parent;
        }
        None
    }

    /// Indexes the bodies of the named functions for
    /// [`Scope::enclosing_function`]: sorted by start (outer first on a
    /// tie, then by name, so the order does not depend on the map's), each
    /// with the nearest one that holds it.
    fn index_functions(&mut self) {
        let mut ranges: Vec<FnRange> = Vec::new();
        for (name, decls) in &self.decls {
            for d in decls {
                let f = match &d.binding {
                    Binding::Func(f) | Binding::Var { func: Some(f), .. } => f,
                    _ => continue,
                };
                if let Some((lo, hi)) = body_range(&f.body) {
                    ranges.push(FnRange {
                        lo,
                        hi,
                        parent: None,
                        name: name.clone(),
                        f: f.clone(),
                    });
                }
            }
        }
        ranges.sort_by(|a, b| {
            (a.lo, std::cmp::Reverse(a.hi), &a.name).cmp(&(b.lo, std::cmp::Reverse(b.hi), &b.name))
        });
        let mut open: Vec<usize> = Vec::new();
        for i in 0..ranges.len() {
            while let Some(&top) = open.last() {
                if ranges[top].hi >= ranges[i].hi && ranges[top].lo <= ranges[i].lo {
                    break;
                }
                open.pop();
            }
            ranges[i].parent = open.last().copied();
            open.push(i);
        }
        self.fn_ranges = ranges;
    }

    /// The env variable read by `e` (`process.env.X`, `import.meta.env.X`,
    /// `env.X`, `Deno.env.get("X")`), if it is one.
    pub fn env_read_name(&self, e: &Expr) -> Option<String> {
        match unwrap(e) {
            Expr::Member(m) => self.env_read_member(m),
            Expr::Call(c) => self.env_read_call(c),
            Expr::Ident(id) => self.env_import(&id.sym),
            _ => None,
        }
    }

    /// `process.env.X`, `import.meta.env.X`, `env.X`: the name read.
    pub fn env_read_member(&self, m: &MemberExpr) -> Option<String> {
        if is_env_object(unwrap(&m.obj)) {
            member_name(&m.prop)
        } else {
            None
        }
    }

    /// `Deno.env.get("X")`: the name read.
    pub fn env_read_call(&self, c: &CallExpr) -> Option<String> {
        let m = member_callee(c)?;
        if member_name(&m.prop).as_deref() != Some("get") || !is_env_object(unwrap(&m.obj)) {
            return None;
        }
        match c.args.first().map(|a| unwrap(&a.expr)) {
            Some(Expr::Lit(Lit::Str(s))) => Some(atom_str(&s.value)),
            _ => None,
        }
    }

    /// The env name behind a SvelteKit `$env/static/*` import binding.
    pub fn env_import(&self, local: &str) -> Option<String> {
        let imp = self.first_import(local)?;
        if !imp.module.starts_with("$env/static/") {
            return None;
        }
        match &imp.imported {
            Imported::Named(n) => Some(n.clone()),
            _ => None,
        }
    }

    /// Which way a condition points.
    pub fn classify(&self, e: &Expr) -> Cond {
        self.classify_depth(e, 0)
    }

    fn classify_depth(&self, e: &Expr, depth: u32) -> Cond {
        if depth > MAX_DEPTH || !self.memo.budget.step() {
            return Cond::Other;
        }
        let d = depth + 1;
        match unwrap(e) {
            Expr::Unary(u) if u.op == UnaryOp::Bang => self.classify_depth(&u.arg, d).not(),
            Expr::Bin(b) => match b.op {
                BinaryOp::EqEqEq | BinaryOp::EqEq | BinaryOp::NotEqEq | BinaryOp::NotEq => {
                    let negate = matches!(b.op, BinaryOp::NotEqEq | BinaryOp::NotEq);
                    let c = self
                        .stage_compare(&b.left, &b.right)
                        .or_else(|| self.stage_compare(&b.right, &b.left));
                    match c {
                        Some(c) if negate => c.not(),
                        Some(c) => c,
                        None => Cond::Other,
                    }
                }
                BinaryOp::LogicalAnd => {
                    let (l, r) = (
                        self.classify_depth(&b.left, d),
                        self.classify_depth(&b.right, d),
                    );
                    [l, r]
                        .into_iter()
                        .find(|c| matches!(c, Cond::Dev | Cond::Prod))
                        .unwrap_or(if l == Cond::EnvSet || r == Cond::EnvSet {
                            Cond::EnvSet
                        } else {
                            Cond::Other
                        })
                }
                BinaryOp::LogicalOr => {
                    let (l, r) = (
                        self.classify_depth(&b.left, d),
                        self.classify_depth(&b.right, d),
                    );
                    if l == r {
                        l
                    } else {
                        Cond::Other
                    }
                }
                _ => Cond::Other,
            },
            Expr::Ident(id) => {
                let name = &*id.sym;
                if let Some(c) = stage_flag(name) {
                    return c;
                }
                let pos = self.abs(id.span.lo.0);
                if let Some(imp) = self.import(name, pos) {
                    if imp.module == "$app/environment"
                        && imp.imported == Imported::Named("dev".into())
                    {
                        return Cond::Dev;
                    }
                }
                if let Some((decl, init)) = self.const_decl(name, pos) {
                    return self
                        .memo
                        .conds
                        .get_or(decl, Cond::Other, || self.classify_depth(init, d));
                }
                if self.env_import(name).is_some() {
                    return Cond::EnvSet;
                }
                Cond::Other
            }
            // `Deno.env.get("X")` reads the environment as `process.env.X`.
            Expr::Call(c) if self.env_read_call(c).is_some() => {
                match self.env_read_call(c).as_deref() {
                    Some("DEV") => Cond::Dev,
                    Some("PROD") => Cond::Prod,
                    _ => Cond::EnvSet,
                }
            }
            Expr::Member(m) => {
                if let Some(name) = self.env_read_name(e) {
                    return match name.as_str() {
                        "DEV" => Cond::Dev,
                        "PROD" => Cond::Prod,
                        _ => Cond::EnvSet,
                    };
                }
                member_name(&m.prop)
                    .and_then(|n| stage_flag(&n))
                    .unwrap_or(Cond::Other)
            }
            _ => Cond::Other,
        }
    }

    fn stage_compare(&self, env_side: &Expr, lit_side: &Expr) -> Option<Cond> {
        let name = self
            .env_read_name(env_side)
            .or_else(|| match unwrap(env_side) {
                Expr::Ident(id) => Some(id.sym.as_str().to_owned()),
                _ => None,
            })?;
        let upper = name.to_ascii_uppercase();
        if !STAGE_VARS.contains(&upper.as_str()) && !upper.ends_with("_ENV") && upper != "NODEENV" {
            return None;
        }
        let Some(Literal::Str(value)) = self.literal(lit_side) else {
            return None;
        };
        let value = value.to_ascii_lowercase();
        if PROD_WORDS.contains(&value.as_str()) {
            Some(Cond::Prod)
        } else if DEV_WORDS.contains(&value.as_str()) {
            Some(Cond::Dev)
        } else {
            None
        }
    }

    /// Whether `e` computes a millisecond timestamp not divided by 1000.
    pub fn is_millis(&self, e: &Expr, depth: u32) -> bool {
        if depth > MAX_DEPTH || !self.memo.budget.step() {
            return false;
        }
        let d = depth + 1;
        match unwrap(e) {
            Expr::Call(c) => {
                let Callee::Expr(callee) = &c.callee else {
                    return false;
                };
                match unwrap(callee) {
                    Expr::Member(m) => {
                        let name = member_name(&m.prop);
                        match name.as_deref() {
                            Some("now") => {
                                matches!(unwrap(&m.obj), Expr::Ident(i) if &*i.sym == "Date")
                            }
                            Some("getTime" | "valueOf") => true,
                            Some("floor" | "round" | "ceil" | "trunc") if matches!(unwrap(&m.obj), Expr::Ident(i) if &*i.sym == "Math") => {
                                c.args.first().is_some_and(|a| self.is_millis(&a.expr, d))
                            }
                            _ => false,
                        }
                    }
                    Expr::Ident(i) if matches!(&*i.sym, "Number" | "parseInt") => {
                        c.args.first().is_some_and(|a| self.is_millis(&a.expr, d))
                    }
                    _ => false,
                }
            }
            Expr::Bin(b) => match b.op {
                BinaryOp::Add | BinaryOp::Sub => {
                    self.is_millis(&b.left, d) || self.is_millis(&b.right, d)
                }
                _ => false,
            },
            Expr::Ident(id) => match self.const_decl(&id.sym, self.abs(id.span.lo.0)) {
                Some((decl, init)) => self
                    .memo
                    .millis
                    .get_or(decl, false, || self.is_millis(init, d)),
                None => false,
            },
            _ => false,
        }
    }
}

fn stage_flag(name: &str) -> Option<Cond> {
    let n = name.to_ascii_lowercase().replace('_', "");
    match n.as_str() {
        "isdev" | "isdevelopment" | "indev" | "isdevmode" | "devmode" | "islocal" | "isdevenv"
        | "islocaldev" | "istest" => Some(Cond::Dev),
        "isprod" | "isproduction" | "inprod" | "isprodenv" => Some(Cond::Prod),
        _ => None,
    }
}

fn is_env_object(obj: &Expr) -> bool {
    match obj {
        Expr::Member(m) => {
            let prop = member_name(&m.prop);
            if prop.as_deref() != Some("env") {
                return false;
            }
            match unwrap(&m.obj) {
                Expr::Ident(i) => matches!(
                    &*i.sym,
                    "process" | "Deno" | "Bun" | "c" | "ctx" | "context" | "event"
                ),
                Expr::MetaProp(mp) => mp.kind == MetaPropKind::ImportMeta,
                Expr::Member(inner) => {
                    member_name(&inner.prop).is_some_and(|p| p == "cloudflare" || p == "context")
                }
                _ => false,
            }
        }
        Expr::Ident(i) => &*i.sym == "env",
        _ => false,
    }
}

fn is_global(callee: &Expr, name: &str) -> bool {
    matches!(unwrap(callee), Expr::Ident(i) if &*i.sym == name)
}

fn class_from(module: &str, name: &str) -> Option<QstashClass> {
    if super::modules::is_qstash(module) {
        match name {
            "Client" => Some(QstashClass::Client),
            "Receiver" => Some(QstashClass::Receiver),
            _ => None,
        }
    } else if super::modules::is_workflow(module) && name == "Client" {
        Some(QstashClass::WorkflowClient)
    } else {
        None
    }
}

/// The function an expression is (arrow or function expression), its
/// body borrowed.
pub fn fn_info(e: &Expr) -> Option<FnInfo<'_>> {
    let params = match unwrap(e) {
        Expr::Arrow(a) => a.params.iter().map(pat_name).collect(),
        Expr::Fn(f) => {
            f.function.body.as_ref()?;
            f.function.params.iter().map(|p| pat_name(&p.pat)).collect()
        }
        _ => return None,
    };
    Some(FnInfo {
        id: next_fn_id(),
        params,
        body: Body::Function(e),
    })
}

/// The [`FnInfo`] of a function, borrowing its body.
pub fn function_info(f: &Function) -> Option<FnInfo<'_>> {
    Some(FnInfo {
        id: next_fn_id(),
        params: f.params.iter().map(|p| pat_name(&p.pat)).collect(),
        body: Body::Block(&f.body.as_ref()?.stmts),
    })
}

fn pat_name(p: &Pat) -> Option<String> {
    match p {
        Pat::Ident(b) => Some(b.id.sym.as_str().to_owned()),
        Pat::Assign(a) => pat_name(&a.left),
        _ => None,
    }
}

/// Every returned expression of a function with the guard it runs under.
///
/// The guards are worked out once per function: the conditions on the way
/// to each return are classified the first time only.
pub fn returns_of<'b>(scope: &Scope, f: &'b FnInfo) -> Vec<(&'b Expr, Guard)> {
    let stmts = match f.body.view() {
        BodyRef::Expr(e) => return vec![(e, Guard::None)],
        BodyRef::Block(stmts) => stmts,
    };
    let known = scope.memo.guards.borrow().get(&f.id).cloned();
    let mut out = Vec::new();
    match known {
        Some(guards) => {
            collect_returns(&|_| Cond::Other, stmts, Guard::None, &mut out, 0);
            for (r, g) in out.iter_mut().zip(guards.iter()) {
                r.1 = *g;
            }
        }
        None => {
            collect_returns(&|e| scope.classify(e), stmts, Guard::None, &mut out, 0);
            let guards: Rc<[Guard]> = out.iter().map(|(_, g)| *g).collect();
            scope.memo.guards.borrow_mut().insert(f.id, guards);
        }
    }
    out
}

/// Collects the returns of `stmts` in order; `classify` tells where each
/// condition points. The order does not depend on `classify`.
fn collect_returns<'b>(
    classify: &dyn Fn(&Expr) -> Cond,
    stmts: &'b [Stmt],
    mut guard: Guard,
    out: &mut Vec<(&'b Expr, Guard)>,
    depth: u32,
) {
    if depth > MAX_DEPTH {
        return;
    }
    for s in stmts {
        match s {
            Stmt::Return(r) => {
                if let Some(arg) = &r.arg {
                    out.push((arg, guard));
                }
                return;
            }
            Stmt::Block(b) => collect_returns(classify, &b.stmts, guard, out, depth + 1),
            Stmt::If(i) => {
                let c = classify(&i.test);
                let then_guard = narrow(guard, c.then_guard());
                collect_returns(
                    classify,
                    std::slice::from_ref(&*i.cons),
                    then_guard,
                    out,
                    depth + 1,
                );
                match &i.alt {
                    Some(alt) => collect_returns(
                        classify,
                        std::slice::from_ref(&**alt),
                        narrow(guard, c.else_guard()),
                        out,
                        depth + 1,
                    ),
                    None if always_returns(&i.cons) => guard = narrow(guard, c.else_guard()),
                    None => {}
                }
            }
            Stmt::Try(t) => collect_returns(classify, &t.block.stmts, guard, out, depth + 1),
            Stmt::Switch(sw) => {
                for case in &sw.cases {
                    collect_returns(classify, &case.cons, guard, out, depth + 1);
                }
            }
            _ => {}
        }
    }
}

fn narrow(outer: Guard, inner: Guard) -> Guard {
    if inner == Guard::None {
        outer
    } else {
        inner
    }
}

/// Whether a statement always leaves the function (`return`/`throw`, or a
/// block ending in one), so the code after an `if` without `else` runs only
/// when the condition is false.
pub fn always_returns(s: &Stmt) -> bool {
    match s {
        Stmt::Return(_) | Stmt::Throw(_) => true,
        Stmt::Block(b) => b.stmts.last().is_some_and(always_returns),
        _ => false,
    }
}

/// Resolves a relative URL candidate against base candidates like `new URL`.
fn resolve_url(path: &[Candidate], base: &[Candidate]) -> Vec<Candidate> {
    let mut out = Vec::new();
    for p in path {
        if p.leading_text().contains("://") {
            out = union(out, vec![p.clone()]);
            continue;
        }
        for b in base {
            let joined = match (b.as_literal(), p.leading_text().starts_with('/')) {
                (Some(base_text), true) => {
                    let origin = origin_of(&base_text);
                    let mut parts = vec![Part::Lit(origin)];
                    parts.extend(p.parts.iter().cloned());
                    Candidate {
                        parts: merge_parts(parts),
                        origin: b.origin,
                        origin_file: b.origin_file.clone(),
                        dev_only: b.dev_only || p.dev_only,
                        env_fallback: b.env_fallback || p.env_fallback,
                    }
                }
                _ => {
                    let mut parts = b.parts.clone();
                    let needs_slash = !matches!(b.parts.last(), Some(Part::Lit(t)) if t.ends_with('/'))
                        && !p.leading_text().starts_with('/');
                    if needs_slash {
                        parts.push(Part::Lit("/".into()));
                    }
                    parts.extend(p.parts.iter().cloned());
                    Candidate {
                        parts: merge_parts(parts),
                        origin: b.origin,
                        origin_file: b.origin_file.clone(),
                        dev_only: b.dev_only || p.dev_only,
                        env_fallback: b.env_fallback || p.env_fallback,
                    }
                }
            };
            out = union(out, vec![joined]);
        }
    }
    out
}

fn origin_of(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            format!("{scheme}://{}", &rest[..end])
        }
        None => url.trim_end_matches('/').to_string(),
    }
}

/// The parser span of any expression.
pub fn e_span(e: &Expr) -> swc_common::Span {
    use swc_common::Spanned;
    e.span()
}

fn prop_name_span(p: &PropName) -> swc_common::Span {
    use swc_common::Spanned;
    p.span()
}

/// A named function's body extent in an index sorted by start.
struct FnRange<'a> {
    lo: u32,
    hi: u32,
    /// The nearest range that holds this one.
    parent: Option<usize>,
    name: String,
    f: Rc<FnInfo<'a>>,
}

/// A folding context where each parameter of `f` stands for itself.
fn params_as_themselves(f: &FnInfo) -> Ctx {
    let mut params = Vec::new();
    for (i, p) in f.params.iter().enumerate() {
        if let Some(p) = p {
            let param = Candidate {
                parts: vec![Part::Param(i)],
                origin: Span::default(),
                origin_file: None,
                dev_only: false,
                env_fallback: false,
            };
            params.push((p.clone(), vec![param]));
        }
    }
    Ctx {
        params: Rc::new(params),
        ..Ctx::default()
    }
}

/// The parser positions a function body spans.
pub(crate) fn body_range(b: &Body) -> Option<(u32, u32)> {
    use swc_common::Spanned;
    match b.view() {
        BodyRef::Expr(e) => Some((e.span().lo.0, e.span().hi.0)),
        BodyRef::Block(stmts) => Some((stmts.first()?.span().lo.0, stmts.last()?.span().hi.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_hosts() {
        for h in [
            "localhost",
            "api.localhost",
            "127.0.0.1",
            "10.1.2.3",
            "172.20.0.1",
            "192.168.1.1",
            "169.254.1.1",
            "0.0.0.0",
            "::1",
            "[::1]",
            "fd00::1",
            "db.internal",
            "printer.local",
        ] {
            assert!(is_local_host(h), "{h}");
        }
        for h in [
            "example.com",
            "172.32.0.1",
            "8.8.8.8",
            "localhost.example.com",
            "qstash.upstash.io",
        ] {
            assert!(!is_local_host(h), "{h}");
        }
    }

    #[test]
    fn scheme_host_needs_a_terminated_authority() {
        assert_eq!(
            scheme_and_host("http://localhost:3000/api"),
            Some(("http".into(), "localhost".into()))
        );
        assert_eq!(
            scheme_and_host("https://[::1]:8080/x"),
            Some(("https".into(), "::1".into()))
        );
        assert_eq!(scheme_and_host("http://local"), None);
        assert_eq!(
            scheme_and_host("http://localhost:"),
            Some(("http".into(), "localhost".into()))
        );
        assert_eq!(
            scheme_and_host("http://[::1]:"),
            Some(("http".into(), "::1".into()))
        );
        assert_eq!(scheme_and_host("http://user:pw@"), None);
        assert_eq!(scheme_and_host("/api/x"), None);
    }
}
