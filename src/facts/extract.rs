//! Fact extraction: one collecting pass builds the file's [`Scope`], one
//! visiting pass records the facts.

use super::fold::{
    always_returns, atom_str, fn_info, function_info, member_name, prop_name,
    qstash_api_destination, unwrap, Binding, Cond, Guard, Kind, Scope,
};
use super::modules::{self, is_verify_wrapper};
use super::{
    Construction, DeprecatedUse, Destination, DestinationKey, DevSignal, EnvRead, EnvSource,
    FileFacts, Forwarded, Import, Imported, Literal, ObjectLit, Part, Prop, QstashClass, SendCall,
    SendKind, UrlCall, Value, WrapperCall,
};
use crate::diagnostic::Span;
use std::rc::Rc;
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

/// Extracts the facts of one parsed file, after the rewrites of
/// [`super::lower`]. `base` is the parser position of the file's first byte.
pub fn extract_owned(mut program: Program, base: u32) -> FileFacts {
    super::lower::optional_chains(&mut program);
    extract(&program, base)
}

/// Extracts the facts of one parsed file as it is. `base` is the parser
/// position of the file's first byte.
pub fn extract(program: &Program, base: u32) -> FileFacts {
    let mut scope = Scope::new(base);
    let mut collector = Collector {
        _tree: program,
        scope: &mut scope,
        stack: vec![(Span::new(0, u32::MAX), true)],
    };
    program.visit_with(&mut collector);
    let bytes = {
        use swc_common::Spanned;
        let s = program.span();
        s.hi.0.saturating_sub(s.lo.0)
    };
    scope.finish(bytes);

    let mut facts = FileFacts {
        use_client: has_use_client(program),
        ..FileFacts::default()
    };
    import_facts(&scope, &mut facts);
    let mut ex = Extractor {
        scope: &scope,
        facts: &mut facts,
        guards: Vec::new(),
    };
    program.visit_with(&mut ex);
    facts.exports = super::exports::exports(program, &scope);
    facts.verify_calls = super::verify::verify_calls(program, &scope);
    facts.handlers = super::handlers::handlers(program, &scope);
    facts.hook = super::hooks::handle_hook(program, &scope);
    let send_spans: Vec<Span> = facts.sends.iter().map(|s| s.span).collect();
    let flow = super::flow::flow(program, &scope, &send_spans);
    facts.flow = flow.calls;
    facts.flow_value_refs = flow.value_refs;
    facts.param_calls = flow.param_calls;
    facts.member_calls = flow.member_calls;
    facts.budget_exhausted = scope.budget_exhausted();
    facts.test_callbacks = super::testing::test_callbacks(program, &scope);
    facts.imports = scope.imports;
    facts.dev_signals.sort_by_key(|s| *s as u8);
    facts.dev_signals.dedup();
    facts
}

fn has_use_client(program: &Program) -> bool {
    let stmts: Vec<&Stmt> = match program {
        Program::Module(m) => m.body.iter().map_while(|i| i.as_stmt()).collect(),
        Program::Script(s) => s.body.iter().collect(),
    };
    for stmt in stmts {
        match stmt {
            Stmt::Expr(ExprStmt { expr, .. }) => match &**expr {
                Expr::Lit(Lit::Str(s)) => {
                    if atom_str(&s.value) == "use client" {
                        return true;
                    }
                }
                _ => return false,
            },
            _ => return false,
        }
    }
    false
}

/// Builds the binding table: imports, declarations with their scopes, and
/// assignments.
struct Collector<'s, 'a> {
    /// The tree being collected: holding it ties `'a`, the lifetime of
    /// what the scope borrows (see `in_tree`), to the tree's borrow.
    _tree: &'a Program,
    scope: &'s mut Scope<'a>,
    /// Open scopes: (span, is a function scope).
    stack: Vec<(Span, bool)>,
}

impl<'a> Collector<'_, 'a> {
    /// A node the visitor handed out, with the lifetime of the tree.
    ///
    /// swc's visitor lends each node only for the call, but every node it
    /// hands this collector lies in the one tree `extract` borrows shared for
    /// `'a` (the collector visits nothing else and builds no nodes of its
    /// own), so the scope may keep borrowing it for `'a`.
    fn in_tree<T>(&self, node: &T) -> &'a T {
        // SAFETY: see above: `node` lives in the tree borrowed for `'a`,
        // which nothing mutates or drops while `'a` lasts.
        unsafe { &*(node as *const T) }
    }

    fn current(&self) -> Span {
        self.stack.last().map_or(Span::new(0, u32::MAX), |s| s.0)
    }

    fn function_scope(&self) -> Span {
        self.stack
            .iter()
            .rev()
            .find(|s| s.1)
            .map_or(Span::new(0, u32::MAX), |s| s.0)
    }

    fn declare(&mut self, name: String, scope: Span, pos: u32, binding: Binding<'a>) {
        self.scope.declare(name, scope, pos, binding);
    }

    /// The value an assignment stores, past any assignments it chains
    /// (`a = b = value` stores `value` in both).
    fn assigned_value(&self, right: &Expr) -> &'a Expr {
        let mut value = self.in_tree(right);
        while let Expr::Assign(a) = unwrap(value) {
            if a.op != AssignOp::Assign {
                break;
            }
            value = &a.right;
        }
        value
    }

    fn declare_pat(&mut self, pat: &Pat, scope: Span) {
        match pat {
            Pat::Ident(b) => {
                let pos = self.scope.span(b.id.span).start;
                let type_name = b.type_ann.as_deref().and_then(type_ref_name);
                self.declare(
                    b.id.sym.as_str().to_owned(),
                    scope,
                    pos,
                    Binding::Opaque { type_name },
                );
            }
            Pat::Assign(a) => self.declare_pat(&a.left, scope),
            Pat::Rest(r) => self.declare_pat(&r.arg, scope),
            Pat::Array(a) => {
                for el in a.elems.iter().flatten() {
                    self.declare_pat(el, scope);
                }
            }
            Pat::Object(o) => {
                for p in &o.props {
                    match p {
                        ObjectPatProp::KeyValue(kv) => self.declare_pat(&kv.value, scope),
                        ObjectPatProp::Assign(a) => {
                            let pos = self.scope.span(a.key.id.span).start;
                            self.declare(
                                a.key.id.sym.as_str().to_owned(),
                                scope,
                                pos,
                                Binding::Opaque { type_name: None },
                            );
                        }
                        ObjectPatProp::Rest(r) => self.declare_pat(&r.arg, scope),
                    }
                }
            }
            _ => {}
        }
    }

    fn with_scope(&mut self, span: Span, is_fn: bool, f: impl FnOnce(&mut Self)) {
        self.stack.push((span, is_fn));
        f(self);
        self.stack.pop();
    }

    fn add_import(&mut self, local: &Ident, specifier: &str, imported: Imported, span: Span) {
        self.scope.imports.push(Import {
            local: local.sym.as_str().to_owned(),
            specifier: specifier.to_string(),
            module: modules::normalize(specifier),
            imported,
            span,
        });
    }

    /// `require("x")` or a dynamic `import("x")` (also behind `await`) as
    /// the specifier it loads.
    fn require_specifier(e: &Expr) -> Option<String> {
        let e = match unwrap(e) {
            Expr::Await(a) => unwrap(&a.arg),
            other => other,
        };
        let Expr::Call(c) = e else {
            return None;
        };
        match &c.callee {
            Callee::Import(_) => {}
            Callee::Expr(callee) if matches!(unwrap(callee), Expr::Ident(i) if &*i.sym == "require") =>
                {}
            _ => return None,
        }
        match c.args.first().map(|a| unwrap(&a.expr)) {
            Some(Expr::Lit(Lit::Str(s))) => Some(atom_str(&s.value)),
            _ => None,
        }
    }
}

fn type_ref_name(ann: &TsTypeAnn) -> Option<String> {
    type_name_of(&ann.type_ann)
}

/// The named type of an annotation; for `Client | undefined` and
/// `Client | null` the one named type of the union.
fn type_name_of(t: &TsType) -> Option<String> {
    match t {
        TsType::TsTypeRef(r) => Some(entity_name(&r.type_name)),
        TsType::TsParenthesizedType(p) => type_name_of(&p.type_ann),
        TsType::TsUnionOrIntersectionType(TsUnionOrIntersectionType::TsUnionType(u)) => {
            let mut named = u.types.iter().filter_map(|t| type_name_of(t));
            let first = named.next()?;
            named.next().is_none().then_some(first)
        }
        _ => None,
    }
}

fn entity_name(n: &TsEntityName) -> String {
    match n {
        TsEntityName::Ident(i) => i.sym.as_str().to_owned(),
        TsEntityName::TsQualifiedName(q) => format!("{}.{}", entity_name(&q.left), q.right.sym),
    }
}

impl<'a> Visit for Collector<'_, 'a> {
    skip_types!();
    fn visit_import_decl(&mut self, n: &ImportDecl) {
        let src = atom_str(&n.src.value);
        for s in &n.specifiers {
            match s {
                // Type-only imports bind no value; they only tell what a type
                // annotation (`q: Client`) names.
                ImportSpecifier::Named(named) if n.type_only || named.is_type_only => {
                    let imported = match &named.imported {
                        Some(ModuleExportName::Ident(i)) => i.sym.as_str().to_owned(),
                        Some(ModuleExportName::Str(s)) => atom_str(&s.value),
                        None => named.local.sym.as_str().to_owned(),
                    };
                    self.scope.type_imports.push(Import {
                        local: named.local.sym.as_str().to_owned(),
                        specifier: src.clone(),
                        module: modules::normalize(&src),
                        imported: Imported::Named(imported),
                        span: self.scope.span(named.span),
                    });
                }
                _ if n.type_only => {}
                ImportSpecifier::Named(named) => {
                    let imported = match &named.imported {
                        Some(ModuleExportName::Ident(i)) => i.sym.as_str().to_owned(),
                        Some(ModuleExportName::Str(s)) => atom_str(&s.value),
                        None => named.local.sym.as_str().to_owned(),
                    };
                    let span = self.scope.span(named.span);
                    let imported = if imported == "default" {
                        Imported::Default
                    } else {
                        Imported::Named(imported)
                    };
                    self.add_import(&named.local, &src, imported, span);
                }
                ImportSpecifier::Default(d) => {
                    let span = self.scope.span(d.span);
                    self.add_import(&d.local, &src, Imported::Default, span);
                }
                ImportSpecifier::Namespace(ns) => {
                    let span = self.scope.span(ns.span);
                    self.add_import(&ns.local, &src, Imported::Namespace, span);
                }
            }
        }
    }

    fn visit_var_decl(&mut self, n: &VarDecl) {
        let scope = if n.kind == VarDeclKind::Var {
            self.function_scope()
        } else {
            self.current()
        };
        let is_const = n.kind == VarDeclKind::Const;
        for d in &n.decls {
            if let Some(init) = &d.init {
                if let Some(spec) = Self::require_specifier(init) {
                    match &d.name {
                        Pat::Ident(b) => {
                            let span = self.scope.span(b.id.span);
                            self.add_import(&b.id, &spec, Imported::Namespace, span);
                            continue;
                        }
                        Pat::Object(o) => {
                            for p in &o.props {
                                match p {
                                    ObjectPatProp::Assign(a) => {
                                        let span = self.scope.span(a.key.id.span);
                                        let name = a.key.id.sym.as_str().to_owned();
                                        self.add_import(
                                            &a.key.id,
                                            &spec,
                                            Imported::Named(name),
                                            span,
                                        );
                                    }
                                    ObjectPatProp::KeyValue(kv) => {
                                        if let (Some(key), Pat::Ident(b)) =
                                            (prop_name(&kv.key), &*kv.value)
                                        {
                                            let span = self.scope.span(b.id.span);
                                            self.add_import(
                                                &b.id,
                                                &spec,
                                                Imported::Named(key),
                                                span,
                                            );
                                        }
                                    }
                                    ObjectPatProp::Rest(_) => {}
                                }
                            }
                            continue;
                        }
                        _ => {}
                    }
                }
                // `const { Client } = require("@upstash/qstash").default` and
                // `const Client = require("@upstash/qstash").Client`.
                if let (Pat::Ident(b), Expr::Member(m)) = (&d.name, unwrap(init)) {
                    if let (Some(spec), Some(name)) =
                        (Self::require_specifier(&m.obj), member_name(&m.prop))
                    {
                        let span = self.scope.span(b.id.span);
                        self.add_import(&b.id, &spec, Imported::Named(name), span);
                        continue;
                    }
                }
            }
            match (&d.name, &d.init) {
                (Pat::Ident(b), Some(init)) => {
                    let pos = self.scope.span(b.id.span).start;
                    let init: &'a Expr = self.in_tree(&**init);
                    let binding = Binding::Var {
                        func: fn_info(init).map(Rc::new),
                        init,
                        is_const,
                        type_name: b.type_ann.as_deref().and_then(type_ref_name),
                    };
                    self.declare(b.id.sym.as_str().to_owned(), scope, pos, binding);
                }
                (pat @ Pat::Object(_), Some(init)) => {
                    let first = self.scope.next_decl_id();
                    self.declare_pat(pat, scope);
                    let value: &'a Expr = self.in_tree(&**init);
                    for id in first..self.scope.next_decl_id() {
                        self.scope.destructured.insert(id, value);
                    }
                }
                (pat, _) => self.declare_pat(pat, scope),
            }
        }
        n.visit_children_with(self);
    }

    fn visit_fn_decl(&mut self, n: &FnDecl) {
        let scope = self.current();
        if let Some(info) = function_info(&self.in_tree(n).function) {
            self.declare(
                n.ident.sym.as_str().to_owned(),
                scope,
                scope.start,
                Binding::Func(Rc::new(info)),
            );
        }
        n.visit_children_with(self);
    }

    fn visit_class_decl(&mut self, n: &ClassDecl) {
        let scope = self.current();
        let pos = self.scope.span(n.ident.span).start;
        self.declare(
            n.ident.sym.as_str().to_owned(),
            scope,
            pos,
            Binding::Opaque { type_name: None },
        );
        n.visit_children_with(self);
    }

    fn visit_function(&mut self, n: &Function) {
        let span = self.scope.span(n.span);
        self.with_scope(span, true, |c| {
            for p in &n.params {
                c.declare_pat(&p.pat, span);
            }
            n.visit_children_with(c);
        });
    }

    fn visit_arrow_expr(&mut self, n: &ArrowExpr) {
        let span = self.scope.span(n.span);
        self.with_scope(span, true, |c| {
            for p in &n.params {
                c.declare_pat(p, span);
            }
            n.visit_children_with(c);
        });
    }

    fn visit_block_stmt(&mut self, n: &BlockStmt) {
        let span = self.scope.span(n.span);
        self.with_scope(span, false, |c| n.visit_children_with(c));
    }

    fn visit_for_stmt(&mut self, n: &ForStmt) {
        let span = self.scope.span(n.span);
        self.with_scope(span, false, |c| n.visit_children_with(c));
    }

    fn visit_for_of_stmt(&mut self, n: &ForOfStmt) {
        let span = self.scope.span(n.span);
        self.with_scope(span, false, |c| n.visit_children_with(c));
    }

    fn visit_for_in_stmt(&mut self, n: &ForInStmt) {
        let span = self.scope.span(n.span);
        self.with_scope(span, false, |c| n.visit_children_with(c));
    }

    fn visit_catch_clause(&mut self, n: &CatchClause) {
        let span = self.scope.span(n.span);
        self.with_scope(span, false, |c| {
            if let Some(p) = &n.param {
                c.declare_pat(p, span);
            }
            n.visit_children_with(c);
        });
    }

    fn visit_assign_expr(&mut self, n: &AssignExpr) {
        if n.op == AssignOp::Assign {
            match &n.left {
                AssignTarget::Simple(SimpleAssignTarget::Ident(b)) => {
                    let name = b.id.sym.as_str().to_owned();
                    let pos = self.scope.span(b.id.span).start;
                    let value = self.assigned_value(&n.right);
                    self.scope.raw_writes.push((name.clone(), pos));
                    self.scope.raw_assigns.push((name, pos, value));
                }
                AssignTarget::Simple(SimpleAssignTarget::Member(m))
                    if matches!(&*m.obj, Expr::This(_)) =>
                {
                    if let Some(name) = member_name(&m.prop) {
                        let value = self.assigned_value(&n.right);
                        self.scope.this_exprs.push((name, value));
                    }
                }
                AssignTarget::Simple(SimpleAssignTarget::Member(m)) => {
                    if let (Expr::Ident(obj), Some(name)) = (unwrap(&m.obj), member_name(&m.prop)) {
                        let value = self.assigned_value(&n.right);
                        self.scope
                            .member_exprs
                            .entry((obj.sym.as_str().to_owned(), name))
                            .or_default()
                            .push(value);
                    }
                }
                _ => {}
            }
        } else if let AssignTarget::Simple(SimpleAssignTarget::Ident(b)) = &n.left {
            let pos = self.scope.span(b.id.span).start;
            self.scope
                .raw_writes
                .push((b.id.sym.as_str().to_owned(), pos));
        }
        n.visit_children_with(self);
    }

    fn visit_update_expr(&mut self, n: &UpdateExpr) {
        if let Expr::Ident(i) = &*n.arg {
            let pos = self.scope.span(i.span).start;
            self.scope.raw_writes.push((i.sym.as_str().to_owned(), pos));
        }
        n.visit_children_with(self);
    }

    fn visit_class_prop(&mut self, n: &ClassProp) {
        if let Some(name) = prop_name(&n.key) {
            if let Some(v) = &n.value {
                self.scope
                    .this_exprs
                    .push((name.clone(), self.in_tree(&**v)));
            }
            if let Some(t) = n.type_ann.as_deref().and_then(type_ref_name) {
                self.scope.this_types.push((name, t));
            }
        }
        n.visit_children_with(self);
    }

    fn visit_ts_param_prop(&mut self, n: &TsParamProp) {
        if let TsParamPropParam::Ident(b) = &n.param {
            if let Some(t) = b.type_ann.as_deref().and_then(type_ref_name) {
                self.scope
                    .this_types
                    .push((b.id.sym.as_str().to_owned(), t));
            }
        }
        n.visit_children_with(self);
    }
}

/// Facts that come from the import table alone.
fn import_facts(scope: &Scope, facts: &mut FileFacts) {
    for imp in &scope.imports {
        let Imported::Named(name) = &imp.imported else {
            continue;
        };
        if let Some(kind) = imp.module.strip_prefix("$env/") {
            let public = kind.ends_with("/public");
            if kind.starts_with("static/") {
                facts.env_reads.push(EnvRead {
                    name: name.clone(),
                    source: if public {
                        EnvSource::SvelteKitPublic
                    } else {
                        EnvSource::SvelteKitPrivate
                    },
                    span: imp.span,
                });
            }
            continue;
        }
        if !modules::is_qstash(&imp.module) {
            continue;
        }
        if matches!(name.as_str(), "startDevServer" | "registerQStashDev") {
            facts.dev_signals.push(DevSignal::DevServerImport);
        }
        if let Some((what, instead)) = legacy_workflow_export(&imp.module, name) {
            facts.deprecated.push(DeprecatedUse {
                what,
                instead,
                span: imp.span,
            });
        }
    }
}

/// A deprecated workflow helper of `@upstash/qstash` (moved to
/// `@upstash/workflow`), with what to use instead.
fn legacy_workflow_export(module: &str, name: &str) -> Option<(&'static str, &'static str)> {
    if !is_legacy_workflow_module(module) {
        return None;
    }
    match name {
        "serve" => Some((
            "`serve` from `@upstash/qstash`",
            "`serve` from `@upstash/workflow`",
        )),
        "servePagesRouter" => Some((
            "`servePagesRouter` from `@upstash/qstash/nextjs`",
            "`servePagesRouter` from `@upstash/workflow/nextjs`",
        )),
        _ => None,
    }
}

/// The `@upstash/qstash` subpaths whose `serve` is the deprecated workflow
/// `serve` that moved to `@upstash/workflow`.
fn is_legacy_workflow_module(module: &str) -> bool {
    let sub = module.strip_prefix("@upstash/qstash/").unwrap_or("");
    matches!(
        sub,
        "nextjs" | "h3" | "svelte" | "solidjs" | "hono" | "cloudflare" | "workflow"
    )
}

/// Records facts while walking the tree with the finished [`Scope`].
struct Extractor<'s> {
    scope: &'s Scope<'s>,
    facts: &'s mut FileFacts,
    /// The stage guards of the branches being visited, innermost last.
    guards: Vec<Guard>,
}

impl Extractor<'_> {
    /// The guard the code being visited runs under: the innermost branch
    /// with a known stage.
    fn guard(&self) -> Guard {
        self.guards
            .iter()
            .rev()
            .copied()
            .find(|g| *g != Guard::None)
            .unwrap_or(Guard::None)
    }

    /// The stage a condition selects, for the code it guards: only
    /// development and production checks count. A missing env var marks a
    /// development fallback value, but a branch that runs without some
    /// feature flag is not development-only code.
    fn stage(&self, test: &Expr) -> Cond {
        match self.scope.classify(test) {
            c @ (Cond::Dev | Cond::Prod) => c,
            _ => Cond::Other,
        }
    }

    fn with_guard(&mut self, guard: Guard, f: impl FnOnce(&mut Self)) {
        self.guards.push(guard);
        f(self);
        self.guards.pop();
    }

    fn env_read(&mut self, name: String, source: EnvSource, span: Span) {
        if name == "QSTASH_DEV" || name == "QSTASH_DEV_PORT" {
            self.facts.dev_signals.push(DevSignal::DevEnv);
        }
        self.facts.env_reads.push(EnvRead { name, source, span });
    }

    fn env_source(&self, obj: &Expr) -> EnvSource {
        match unwrap(obj) {
            Expr::Member(m) => match unwrap(&m.obj) {
                Expr::MetaProp(_) => EnvSource::ImportMetaEnv,
                Expr::Ident(i) if matches!(&*i.sym, "process" | "Deno" | "Bun") => {
                    EnvSource::ProcessEnv
                }
                _ => EnvSource::Bindings,
            },
            Expr::Ident(i) => {
                let pos = self.scope.span(i.span).start;
                match self
                    .scope
                    .import(&i.sym, pos)
                    .map(|imp| imp.module.as_str())
                {
                    Some("$env/dynamic/public") => EnvSource::SvelteKitPublic,
                    Some("$env/dynamic/private") => EnvSource::SvelteKitPrivate,
                    _ => EnvSource::Bindings,
                }
            }
            _ => EnvSource::Bindings,
        }
    }

    fn config_signals(&mut self, class: Option<QstashClass>, config: &Value) {
        let Some(obj) = &config.object else { return };
        if let Some(p) = obj.get("devMode") {
            if p.value.literal == Some(Literal::Bool(true)) {
                self.facts.dev_signals.push(DevSignal::DevMode);
            }
        }
        if class == Some(QstashClass::Client) {
            if let Some(p) = obj.get("baseUrl") {
                if p.value
                    .candidates
                    .iter()
                    .any(|c| is_dev_server_url(&c.leading_text().to_ascii_lowercase()))
                {
                    self.facts.dev_signals.push(DevSignal::LocalBaseUrl);
                }
            }
        }
    }

    fn send(&mut self, kind: SendKind, call: &CallExpr, callee: &Expr) {
        let guard = self.guard();
        let arg = call
            .args
            .first()
            .filter(|a| a.spread.is_none())
            .map(|a| self.scope.value_under(&a.expr, guard));
        let mut requests: Vec<Option<ObjectLit>> = Vec::new();
        // The folded argument is taken apart, not copied: it is not needed
        // once its requests are out.
        match (&kind, arg) {
            (SendKind::Batch | SendKind::BatchJson | SendKind::Trigger, Some(v))
                if v.array.is_some() =>
            {
                for item in v.array.into_iter().flatten() {
                    requests.push(item.object.map(|o| *o));
                }
            }
            (_, Some(v)) => requests.push(v.object.map(|o| *o)),
            // No argument at all: a request with no options.
            (_, None) if call.args.is_empty() => requests.push(Some(ObjectLit {
                span: self.scope.span(call.span),
                ..ObjectLit::default()
            })),
            (_, None) => requests.push(None),
        }
        let mut destinations = Vec::new();
        for req in requests.iter().flatten() {
            for p in &req.props {
                let Some(key) = destination_key(kind, &p.key) else {
                    continue;
                };
                destinations.push(Destination {
                    key,
                    value: p.value.clone(),
                });
            }
            if kind == SendKind::AddEndpoints {
                if let Some(eps) = req.get("endpoints").and_then(|p| p.value.array.as_ref()) {
                    for ep in eps {
                        if let Some(url) = ep.object.as_ref().and_then(|o| o.get("url")) {
                            destinations.push(Destination {
                                key: DestinationKey::Endpoint,
                                value: url.value.clone(),
                            });
                        }
                    }
                }
            }
        }
        let forwarded = self.forwarded(kind, call, &destinations);
        self.facts.sends.push(SendCall {
            kind,
            callee: self.scope.span(super::fold::e_span(callee)),
            span: self.scope.span(call.span),
            requests,
            destinations,
            via: None,
            raw: false,
            forwarded,
        });
    }

    /// The destinations of a send that come from the parameters of the
    /// named function it is made in, folded with each parameter standing
    /// for itself.
    fn forwarded(
        &self,
        kind: SendKind,
        call: &CallExpr,
        folded: &[Destination],
    ) -> Option<Forwarded> {
        // A destination folded whole names no parameter: most sends.
        let open = |key: DestinationKey| {
            folded.iter().any(|d| {
                d.key == key
                    && (d.value.candidates.is_empty()
                        || d.value
                            .candidates
                            .iter()
                            .any(|c| c.parts.iter().any(|p| matches!(p, Part::Unknown))))
            })
        };
        if !folded.iter().any(|d| open(d.key)) {
            return None;
        }
        let arg = call.args.first().filter(|a| a.spread.is_none())?;
        let mut objects: Vec<&swc_ecma_ast::ObjectLit> = Vec::new();
        match self.scope.resolve_const(&arg.expr) {
            Expr::Object(o) => objects.push(o),
            Expr::Array(a) => objects.extend(
                a.elems
                    .iter()
                    .flatten()
                    .filter(|e| e.spread.is_none())
                    .filter_map(|e| match self.scope.resolve_const(&e.expr) {
                        Expr::Object(o) => Some(o),
                        _ => None,
                    }),
            ),
            _ => return None,
        }
        // Most sends name their destination outright: no function is
        // looked for unless a destination names a parameter-like binding.
        let mut found: Option<(String, std::rc::Rc<super::fold::FnInfo>)> = None;
        let mut destinations = Vec::new();
        for o in objects {
            for p in &o.props {
                let PropOrSpread::Prop(p) = p else { continue };
                let (key, value): (String, std::borrow::Cow<Expr>) = match &**p {
                    swc_ecma_ast::Prop::Shorthand(id) => (
                        id.sym.as_str().to_owned(),
                        std::borrow::Cow::Owned(Expr::Ident(id.clone())),
                    ),
                    swc_ecma_ast::Prop::KeyValue(kv) => match super::fold::prop_name(&kv.key) {
                        Some(k) => (k, std::borrow::Cow::Borrowed(&*kv.value)),
                        None => continue,
                    },
                    _ => continue,
                };
                let Some(key) = destination_key(kind, &key) else {
                    continue;
                };
                if !open(key) {
                    continue;
                }
                if found.is_none() {
                    found = Some(self.scope.enclosing_function(call.span)?);
                }
                let (_, f) = found.as_ref()?;
                // Folding binds parameters by name: a destination that names
                // a nested function's parameter (`urls.map((url) => …)`)
                // must not take the outer function's argument.
                if !names_only_params_of(self.scope, &value, f) {
                    continue;
                }
                let candidates = self.scope.fold_in(&value, f);
                if candidates
                    .iter()
                    .any(|c| c.parts.iter().any(|p| matches!(p, Part::Param(_))))
                {
                    destinations.push(Destination {
                        key,
                        value: Value {
                            span: self.scope.span(super::fold::e_span(&value)),
                            candidates,
                            ..Value::default()
                        },
                    });
                }
            }
        }
        let (function, _) = found?;
        (!destinations.is_empty()).then_some(Forwarded {
            function,
            destinations,
        })
    }

    /// Records a call of a project function that passes something that may
    /// be a URL: a destination, if the function forwards it to a send.
    fn url_call(&mut self, call: &CallExpr, callee: &Expr) {
        if !call.args.iter().any(|a| url_like(self.scope, &a.expr, 0)) {
            return;
        }
        let Some(callee) = super::handlers::callee_ref(self.scope, callee) else {
            return;
        };
        let args = call
            .args
            .iter()
            .map(|a| {
                if a.spread.is_none() && url_like(self.scope, &a.expr, 0) {
                    self.scope.value(&a.expr)
                } else {
                    Value {
                        span: self.scope.span(super::fold::e_span(&a.expr)),
                        ..Value::default()
                    }
                }
            })
            .collect();
        self.facts.url_calls.push(UrlCall { callee, args });
    }

    /// An HTTP call that may hit the QStash REST API: its URL argument and
    /// its options (`fetch(url, init)`, `axios.post(url, data, config)`).
    fn http_call<'e>(&self, call: &'e CallExpr) -> Option<(&'e Expr, Option<&'e Expr>)> {
        let Callee::Expr(callee) = &call.callee else {
            return None;
        };
        let arg = |i: usize| {
            call.args
                .get(i)
                .filter(|a| a.spread.is_none())
                .map(|a| &*a.expr)
        };
        match unwrap(callee) {
            Expr::Ident(id) if matches!(&*id.sym, "fetch" | "$fetch" | "ofetch") => {
                Some((arg(0)?, arg(1)))
            }
            Expr::Ident(id) if self.is_axios(id) => Some((arg(0)?, arg(1))),
            Expr::Member(m) => {
                let Expr::Ident(obj) = unwrap(&m.obj) else {
                    return None;
                };
                let method = member_name(&m.prop)?;
                match method.as_str() {
                    "fetch" if matches!(&*obj.sym, "globalThis" | "window" | "self") => {
                        Some((arg(0)?, arg(1)))
                    }
                    "post" | "put" | "patch" if self.is_axios(obj) => Some((arg(0)?, arg(2))),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Whether a callee takes its method from its options (`fetch`,
    /// `$fetch`, `ofetch`, `globalThis.fetch`, `axios(url, config)`), rather
    /// than naming it (`axios.post`).
    fn is_fetch(&self, callee: &Expr) -> bool {
        match unwrap(callee) {
            Expr::Ident(id) => {
                matches!(&*id.sym, "fetch" | "$fetch" | "ofetch") || self.is_axios(id)
            }
            Expr::Member(m) => member_name(&m.prop).as_deref() == Some("fetch"),
            _ => false,
        }
    }

    fn is_axios(&self, id: &Ident) -> bool {
        let pos = self.scope.span(id.span).start;
        match self.scope.import(&id.sym, pos) {
            Some(imp) => imp.module == "axios",
            None => &*id.sym == "axios" && self.scope.lookup(&id.sym, pos).is_none(),
        }
    }

    /// A raw REST send: an HTTP call to `/v2/publish/<dest>`,
    /// `/v2/schedules/<dest>` or `/v2/enqueue/<queue>/<dest>` on the QStash
    /// API, recorded like the SDK call it stands for. An `Upstash-Cron` header
    /// makes it a schedule.
    fn raw_send(&mut self, call: &CallExpr, callee: &Expr) {
        let Some((url, opts)) = self.http_call(call) else {
            return;
        };
        // Only a POST sends: a GET or DELETE of `/v2/schedules/<id>` reads
        // or deletes. `fetch` defaults to GET; `axios.post` is a POST.
        if self.is_fetch(callee) {
            let method = opts
                .map(|o| self.scope.value(o))
                .and_then(|o| o.object)
                .and_then(|o| o.get("method").and_then(|m| m.value.literal.clone()));
            if !matches!(&method, Some(Literal::Str(m)) if m.eq_ignore_ascii_case("POST")) {
                return;
            }
        }
        let guard = self.guard();
        let url = self.scope.value_under(url, guard);
        let mut kind = None;
        let mut candidates = Vec::new();
        for c in &url.candidates {
            if let Some((k, dest)) = qstash_api_destination(c) {
                kind.get_or_insert(k);
                candidates.push(dest);
            }
        }
        let Some(mut kind) = kind else { return };
        let cron = opts
            .map(|o| self.scope.value_under(o, guard))
            .and_then(|o| o.object)
            .and_then(|o| o.get("headers").and_then(|h| h.value.object.clone()))
            .and_then(|h| {
                h.props
                    .iter()
                    .find(|p| p.key.eq_ignore_ascii_case("upstash-cron"))
                    .cloned()
            });
        if cron.is_some() {
            kind = SendKind::ScheduleCreate;
        }
        let key = if kind == SendKind::ScheduleCreate {
            DestinationKey::Destination
        } else {
            DestinationKey::Url
        };
        let value = Value {
            span: url.span,
            candidates,
            ..Value::default()
        };
        let mut props = vec![Prop {
            key: key.name().to_string(),
            key_span: url.span,
            value: value.clone(),
        }];
        if let Some(cron) = cron {
            props.push(Prop {
                key: "cron".into(),
                ..cron
            });
        }
        self.facts.sends.push(SendCall {
            kind,
            callee: self.scope.span(super::fold::e_span(callee)),
            span: self.scope.span(call.span),
            // Headers and body may carry any other option: nothing is missing.
            requests: vec![Some(ObjectLit {
                span: self.scope.span(call.span),
                props,
                open: true,
            })],
            destinations: vec![Destination { key, value }],
            via: None,
            raw: true,
            forwarded: None,
        });
    }

    fn wrapper_name(&self, callee: &Expr) -> Option<String> {
        match unwrap(callee) {
            Expr::Ident(id) => {
                let imp = self.scope.import(&id.sym, self.scope.span(id.span).start)?;
                match &imp.imported {
                    Imported::Named(n) if is_verify_wrapper(&imp.module, n) => Some(n.clone()),
                    _ => None,
                }
            }
            Expr::Member(m) => {
                let Expr::Ident(ns) = unwrap(&m.obj) else {
                    return None;
                };
                let imp = self.scope.import(&ns.sym, self.scope.span(ns.span).start)?;
                let name = member_name(&m.prop)?;
                // Only a namespace (or default) import is the module itself:
                // `helpers.verifySignature` on a named import is something else.
                (matches!(imp.imported, Imported::Namespace | Imported::Default)
                    && is_verify_wrapper(&imp.module, &name))
                .then_some(name)
            }
            _ => None,
        }
    }
}

/// The send a method makes on an imported receiver (`member` as in
/// [`ImportedReceiver`]); `trigger` is the workflow client's.
fn imported_send_kind(member: Option<&str>, method: &str) -> Option<SendKind> {
    Some(match (member, method) {
        (None, "publish") => SendKind::Publish,
        (None, "publishJSON") => SendKind::PublishJson,
        (None, "batch") => SendKind::Batch,
        (None, "batchJSON") => SendKind::BatchJson,
        (None, "trigger") => SendKind::Trigger,
        (Some("queue"), "enqueue") => SendKind::Enqueue,
        (Some("queue"), "enqueueJSON") => SendKind::EnqueueJson,
        (Some("schedules"), "create") => SendKind::ScheduleCreate,
        (Some("urlGroups" | "topics"), "addEndpoints") => SendKind::AddEndpoints,
        _ => return None,
    })
}

/// Whether a base URL points at a local QStash dev server.
pub fn is_dev_server_url(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    else {
        return false;
    };
    ["localhost", "127.0.0.1", "0.0.0.0", "[::1]"]
        .iter()
        .any(|h| {
            rest.strip_prefix(h)
                .is_some_and(|after| after.is_empty() || after.starts_with([':', '/']))
        })
}

impl Visit for Extractor<'_> {
    skip_types!();
    fn visit_if_stmt(&mut self, n: &IfStmt) {
        n.test.visit_with(self);
        let cond = self.stage(&n.test);
        self.with_guard(cond.then_guard(), |s| n.cons.visit_with(s));
        if let Some(alt) = &n.alt {
            self.with_guard(cond.else_guard(), |s| alt.visit_with(s));
        }
    }

    fn visit_stmts(&mut self, stmts: &[Stmt]) {
        // After `if (cond) return;` the rest of the block runs only when the
        // condition is false.
        let depth = self.guards.len();
        for stmt in stmts {
            stmt.visit_with(self);
            if let Stmt::If(i) = stmt {
                if i.alt.is_none() && always_returns(&i.cons) {
                    self.guards.push(self.stage(&i.test).else_guard());
                }
            }
        }
        self.guards.truncate(depth);
    }

    fn visit_cond_expr(&mut self, n: &CondExpr) {
        n.test.visit_with(self);
        let cond = self.stage(&n.test);
        self.with_guard(cond.then_guard(), |s| n.cons.visit_with(s));
        self.with_guard(cond.else_guard(), |s| n.alt.visit_with(s));
    }

    fn visit_bin_expr(&mut self, n: &BinExpr) {
        if n.op == BinaryOp::LogicalAnd {
            // `isDev && client.publish(...)`.
            n.left.visit_with(self);
            let cond = self.stage(&n.left);
            self.with_guard(cond.then_guard(), |s| n.right.visit_with(s));
        } else {
            n.visit_children_with(self);
        }
    }

    fn visit_new_expr(&mut self, n: &NewExpr) {
        if let Some(class) = self.scope.class_of(&n.callee) {
            let config = n
                .args
                .as_ref()
                .and_then(|a| a.first())
                .filter(|a| a.spread.is_none())
                .map(|a| self.scope.value(&a.expr));
            if let Some(c) = &config {
                self.config_signals(Some(class), c);
            }
            self.facts.constructions.push(Construction {
                class,
                span: self.scope.span(n.span),
                config,
            });
        }
        n.visit_children_with(self);
    }

    fn visit_call_expr(&mut self, n: &CallExpr) {
        if let Callee::Expr(callee) = &n.callee {
            if let Expr::Member(m) = unwrap(callee) {
                if let Some(method) = member_name(&m.prop) {
                    let kind = self.scope.kind_of(&m.obj);
                    let send = match (kind, method.as_str()) {
                        (Some(Kind::Instance(QstashClass::Client)), "publish") => {
                            Some(SendKind::Publish)
                        }
                        (Some(Kind::Instance(QstashClass::Client)), "publishJSON") => {
                            Some(SendKind::PublishJson)
                        }
                        (Some(Kind::Instance(QstashClass::Client)), "batch") => {
                            Some(SendKind::Batch)
                        }
                        (Some(Kind::Instance(QstashClass::Client)), "batchJSON") => {
                            Some(SendKind::BatchJson)
                        }
                        (Some(Kind::Instance(QstashClass::WorkflowClient)), "trigger") => {
                            Some(SendKind::Trigger)
                        }
                        (Some(Kind::Queue), "enqueue") => Some(SendKind::Enqueue),
                        (Some(Kind::Queue), "enqueueJSON") => Some(SendKind::EnqueueJson),
                        (Some(Kind::Schedules), "create") => Some(SendKind::ScheduleCreate),
                        (Some(Kind::UrlGroups), "addEndpoints") => Some(SendKind::AddEndpoints),
                        _ => None,
                    };
                    if let Some(send) = send {
                        self.send(send, n, callee);
                    } else if let Some(via) = kind
                        .is_none()
                        .then(|| self.scope.imported_receiver(&m.obj))
                        .flatten()
                    {
                        // Kept or dropped by the project link, once it knows
                        // whether the import is a QStash client.
                        if let Some(send) = imported_send_kind(via.member.as_deref(), &method) {
                            self.send(send, n, callee);
                            if let Some(last) = self.facts.sends.last_mut() {
                                last.via = Some(via);
                            }
                        }
                    } else if kind == Some(Kind::Instance(QstashClass::Client))
                        && method == "events"
                    {
                        if let MemberProp::Ident(p) = &m.prop {
                            self.facts.deprecated.push(DeprecatedUse {
                                what: "`events()`",
                                instead: "`logs()`",
                                span: self.scope.span(p.span),
                            });
                        }
                    }
                }
            }
            self.raw_send(n, callee);
            if matches!(unwrap(callee), Expr::Ident(_)) {
                self.url_call(n, callee);
            }
            if let Some(wrapper) = self.wrapper_name(callee) {
                let config = n
                    .args
                    .get(1)
                    .filter(|a| a.spread.is_none())
                    .map(|a| self.scope.value(&a.expr));
                if let Some(c) = &config {
                    self.config_signals(None, c);
                }
                self.facts.wrappers.push(WrapperCall {
                    wrapper,
                    span: self.scope.span(n.span),
                    config,
                });
            }
        }
        // `Deno.env.get("X")`.
        if let Some(name) = self.scope.env_read_call(n) {
            let span = self.scope.span(n.span);
            self.env_read(name, EnvSource::ProcessEnv, span);
        }
        n.visit_children_with(self);
    }

    fn visit_member_expr(&mut self, n: &MemberExpr) {
        if let (Expr::Ident(ns), MemberProp::Ident(p)) = (unwrap(&n.obj), &n.prop) {
            // `import * as nx from "@upstash/qstash/nextjs"; nx.serve(...)`.
            let imp = self.scope.import(&ns.sym, self.scope.span(ns.span).start);
            let legacy = imp
                .filter(|i| matches!(i.imported, Imported::Namespace | Imported::Default))
                .and_then(|i| legacy_workflow_export(&i.module, &p.sym));
            if let Some((what, instead)) = legacy {
                self.facts.deprecated.push(DeprecatedUse {
                    what,
                    instead,
                    span: self.scope.span(p.span),
                });
            }
        }
        if let Some(name) = self.scope.env_read_member(n) {
            let source = self.env_source(&n.obj);
            let span = self.scope.span(n.span);
            self.env_read(name, source, span);
        } else if member_name(&n.prop).as_deref() == Some("topics")
            && self.scope.kind_of(&n.obj) == Some(Kind::Instance(QstashClass::Client))
        {
            if let MemberProp::Ident(p) = &n.prop {
                self.facts.deprecated.push(DeprecatedUse {
                    what: "`client.topics`",
                    instead: "`client.urlGroups`",
                    span: self.scope.span(p.span),
                });
            }
        }
        n.visit_children_with(self);
    }

    fn visit_var_declarator(&mut self, n: &VarDeclarator) {
        // `const { QSTASH_TOKEN } = process.env`.
        if let (Pat::Object(o), Some(init)) = (&n.name, &n.init) {
            let init = unwrap(init);
            let is_env = match init {
                Expr::Member(m) => member_name(&m.prop).as_deref() == Some("env"),
                Expr::Ident(i) => &*i.sym == "env",
                _ => false,
            };
            if is_env {
                let source = match init {
                    Expr::Member(m) => match unwrap(&m.obj) {
                        Expr::MetaProp(_) => EnvSource::ImportMetaEnv,
                        Expr::Ident(i) if &*i.sym == "process" => EnvSource::ProcessEnv,
                        _ => EnvSource::Bindings,
                    },
                    other => self.env_source(other),
                };
                for p in &o.props {
                    let (name, span) = match p {
                        ObjectPatProp::Assign(a) => {
                            (a.key.id.sym.as_str().to_owned(), a.key.id.span)
                        }
                        ObjectPatProp::KeyValue(kv) => match prop_name(&kv.key) {
                            Some(k) => (k, key_span(&kv.key)),
                            None => continue,
                        },
                        ObjectPatProp::Rest(_) => continue,
                    };
                    let span = self.scope.span(span);
                    self.env_read(name, source, span);
                }
            }
        }
        n.visit_children_with(self);
    }
}

fn key_span(p: &PropName) -> swc_common::Span {
    use swc_common::Spanned;
    p.span()
}

/// The destination option a request property names for a send of `kind`.
fn destination_key(kind: SendKind, key: &str) -> Option<DestinationKey> {
    Some(match (kind, key) {
        (SendKind::ScheduleCreate, "destination") => DestinationKey::Destination,
        (SendKind::AddEndpoints, _) => return None,
        (_, "url") => DestinationKey::Url,
        (_, "callback") => DestinationKey::Callback,
        (_, "failureCallback") => DestinationKey::FailureCallback,
        _ => return None,
    })
}

/// Whether an argument may be a URL or a path: a string or template with a
/// `/` in its text, directly, through consts, or joined with `+`.
fn url_like(scope: &Scope, e: &Expr, depth: u32) -> bool {
    if depth > 8 {
        return false;
    }
    match scope.resolve_const(e) {
        Expr::Lit(Lit::Str(s)) => atom_str(&s.value).contains('/'),
        Expr::Tpl(t) => t.quasis.iter().any(|q| q.raw.contains('/')),
        Expr::Bin(b) if b.op == BinaryOp::Add => {
            url_like(scope, &b.left, depth + 1) || url_like(scope, &b.right, depth + 1)
        }
        _ => false,
    }
}

/// Whether every parameter (or other binding without a value) that `e`
/// names, directly or through the consts it names, is declared by `f`
/// itself: its scope holds all of `f`'s body. Bounded: at most 64 consts.
fn names_only_params_of(scope: &Scope, e: &Expr, f: &super::fold::FnInfo) -> bool {
    struct Names(Vec<Ident>);
    impl Visit for Names {
        skip_types!();
        fn visit_ident(&mut self, n: &Ident) {
            self.0.push(n.clone());
        }
    }
    let Some(body) = scope.body_span(f) else {
        return false;
    };
    let mut work: Vec<&Expr> = vec![e];
    let mut seen = 0;
    while let Some(e) = work.pop() {
        let mut names = Names(Vec::new());
        e.visit_with(&mut names);
        for id in names.0 {
            let pos = scope.span(id.span).start;
            let Some(decl) = scope.lookup(&id.sym, pos) else {
                continue;
            };
            match &decl.binding {
                Binding::Opaque { .. }
                    if decl.scope.start > body.start || decl.scope.end < body.end =>
                {
                    return false;
                }
                Binding::Var {
                    init, func: None, ..
                } => {
                    seen += 1;
                    if seen > 64 {
                        return false;
                    }
                    work.push(init);
                }
                _ => {}
            }
        }
    }
    true
}
