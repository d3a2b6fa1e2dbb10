//! Route discovery by file convention and route-path matching.
//!
//! Two halves, both pure:
//!
//! - [`file_route`] turns a file path (relative to its package root) into the
//!   route it serves under the framework conventions of Next.js (App and Pages
//!   Router), SvelteKit, Nuxt/Nitro, Astro, Remix / React Router flat
//!   routes and Supabase edge functions; [`RoutePattern::from_code_path`] does the same for paths
//!   registered in code (Express, Hono, Fastify, Elysia).
//! - [`RoutePattern::matches`] decides whether a destination path, known only
//!   in part ([`PathPiece`]s of literal text and unknown runs), can reach a
//!   route. The host and query are ignored and dynamic segments match
//!   anything; when the pieces leave it open, the answer is "yes" as long as
//!   every literal segment fits.
//!
//! [`next_base_path`] reads a literal `basePath` from a Next.js config file so
//! that routes can be prefixed with [`RoutePattern::with_base_path`].

/// The framework whose file convention produced a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Framework {
    /// Next.js App Router: `app/**/route.ts` (also under `src/`).
    NextApp,
    /// Next.js Pages Router API routes: `pages/api/**` (also under `src/`).
    NextPages,
    /// SvelteKit endpoints: `src/routes/**/+server.ts`.
    SvelteKit,
    /// Nuxt / Nitro server routes: `server/api/**` and `server/routes/**`.
    Nuxt,
    /// Astro endpoints: `src/pages/**/*.ts`.
    Astro,
    /// Remix / React Router flat routes: `app/routes/*`.
    Remix,
    /// Vercel Functions: `api/**` at the root of a project that is not a
    /// Next.js app.
    Vercel,
    /// Netlify Functions: `netlify/functions/<name>` (or the directory
    /// `netlify.toml` names), served at `/.netlify/functions/<name>`.
    Netlify,
    /// A route a deployment config declares for a handler export: AWS
    /// Lambda (`serverless.yml`, SAM, SST) or React Router's `app/routes.ts`.
    Declared,
    /// Supabase edge functions: `supabase/functions/<name>/index.ts`,
    /// served at `/functions/v1/<name>` (and below) by `Deno.serve`.
    SupabaseFunction,
}

/// One segment of a route pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// Literal text that must equal the path segment exactly (case-sensitive).
    Static(String),
    /// Exactly one segment of any text (`[id]`, `:id`, `$id`). Segments that
    /// mix literal text and parameters (`post-[id]`, `:lat-:lng`) are also
    /// `Dynamic`: an approximation that errs towards matching.
    Dynamic,
    /// One or more segments (`[...slug]` in Next.js and Nuxt, `*splat`).
    CatchAll,
    /// Zero or more segments (`[[...slug]]`, SvelteKit and Astro rest
    /// parameters, Remix `$` splats, a trailing `*` in code paths).
    OptionalCatchAll,
    /// An optional literal segment: present or absent (Remix `(static)`,
    /// Express 5 `{/static}`).
    Optional(String),
    /// An optional single dynamic segment: zero or one segment of any text
    /// (Remix `($lang)`, SvelteKit `[[lang]]`, `:id?` in code paths).
    OptionalDynamic,
}

/// A route path as a list of segments; the empty list is the root `/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RoutePattern {
    /// The segments, in path order.
    pub segments: Vec<Segment>,
}

/// The route a file serves by its framework's file convention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRoute {
    /// The convention that matched.
    pub framework: Framework,
    /// The URL path the file serves.
    pub pattern: RoutePattern,
    /// The HTTP method fixed by the file name: Nuxt `x.post.ts` → `Some("POST")`.
    pub method: Option<String>,
}

/// A path piece of a destination URL as far as it is known: literal text, or
/// an unknown run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPiece {
    /// Known literal text (may contain `/`, `?`, `#`).
    Lit(String),
    /// Unknown text, such as the value of `${id}`.
    Any,
}

// ---------------------------------------------------------------------------
// File conventions
// ---------------------------------------------------------------------------

const NEXT_EXTS: &[&str] = &["ts", "js", "tsx", "jsx", "mjs", "mts"];
const SVELTE_EXTS: &[&str] = &["ts", "js"];
const NUXT_EXTS: &[&str] = &["ts", "js", "mjs", "mts", "cjs", "cts"];
const ASTRO_EXTS: &[&str] = &["ts", "js"];
const REMIX_EXTS: &[&str] = &["ts", "tsx", "js", "jsx"];
const SUPABASE_EXTS: &[&str] = &["ts", "js", "tsx", "jsx", "mts", "mjs"];

/// HTTP method suffixes Nitro recognises in file names (`x.post.ts`).
const NUXT_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "connect", "trace",
];

/// The route that the file at `rel` serves, if any.
///
/// `rel` is the file path relative to its package root (the directory of the
/// nearest package.json), `/`-separated (`\` is accepted too). Returns `None`
/// for files that are not route handlers by any supported convention:
/// libraries, components, `middleware.ts`, pages, tests (`*.test.*`,
/// `*.spec.*`, `__tests__/`), declaration files (`*.d.ts`) and private
/// (`_`-prefixed) files or folders where the framework excludes them.
pub fn file_route(rel: &str) -> Option<FileRoute> {
    let norm = rel.replace('\\', "/");
    let mut path = norm.as_str();
    while let Some(rest) = path.strip_prefix("./") {
        path = rest;
    }
    let path = path.trim_start_matches('/');
    let comps: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    let (file, dirs) = comps.split_last()?;
    if dirs
        .iter()
        .any(|d| matches!(*d, "node_modules" | "__tests__" | "__mocks__"))
        || is_test_or_declaration(file)
    {
        return None;
    }
    if let Some(route) = supabase_function_route(dirs, file) {
        return Some(route);
    }

    match dirs {
        ["app", "routes", rest @ ..] => {
            if let Some(route) = remix_route(rest, file) {
                return Some(route);
            }
            // Deeper files under `app/routes/` are not Remix routes; a
            // Next.js App Router project may still have such a folder.
            if rest.len() >= 2 {
                return next_app_route(&dirs[1..], file);
            }
            None
        }
        ["app", rest @ ..] | ["src", "app", rest @ ..] => next_app_route(rest, file),
        ["pages", "api", rest @ ..] | ["src", "pages", "api", rest @ ..] => {
            next_pages_route(rest, file)
        }
        ["src", "routes", rest @ ..] => sveltekit_route(rest, file),
        ["server", "api", rest @ ..] => nuxt_route("api", rest, file),
        ["server", "routes", rest @ ..] => nuxt_route("", rest, file),
        ["src", "pages", rest @ ..] => astro_route(rest, file),
        _ => None,
    }
}

/// `*.d.ts`, `*.test.ts`, `*.spec.ts` and the like.
fn is_test_or_declaration(file: &str) -> bool {
    let parts: Vec<&str> = file.split('.').collect();
    if parts.len() < 2 {
        return false;
    }
    let inner = &parts[1..parts.len() - 1];
    inner.iter().any(|p| matches!(*p, "test" | "spec"))
        || (parts.len() >= 3 && parts[parts.len() - 2] == "d")
}

/// The file name without one of `exts` as its extension.
fn strip_ext<'a>(file: &'a str, exts: &[&str]) -> Option<&'a str> {
    let (stem, ext) = file.rsplit_once('.')?;
    (exts.contains(&ext) && !stem.is_empty()).then_some(stem)
}

fn route(framework: Framework, segments: Vec<Segment>, method: Option<String>) -> FileRoute {
    FileRoute {
        framework,
        pattern: RoutePattern { segments },
        method,
    }
}

/// `(name)`: a route group, which does not appear in the URL.
fn is_group(seg: &str) -> bool {
    seg.len() >= 2 && seg.starts_with('(') && seg.ends_with(')')
}

/// A Next.js folder or file name as a segment: `[id]`, `[...slug]`,
/// `[[...slug]]`, `%5F`-escaped leading underscores, literal otherwise (Next.js
/// has no partly dynamic segments).
fn next_segment(seg: &str) -> Segment {
    if let Some(inner) = seg.strip_prefix("[[...").and_then(|s| s.strip_suffix("]]")) {
        if is_param_name(inner) {
            return Segment::OptionalCatchAll;
        }
    }
    if let Some(inner) = seg.strip_prefix("[...").and_then(|s| s.strip_suffix(']')) {
        if is_param_name(inner) {
            return Segment::CatchAll;
        }
    }
    if let Some(inner) = seg.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        if is_param_name(inner) {
            return Segment::Dynamic;
        }
    }
    for prefix in ["%5F", "%5f"] {
        if let Some(rest) = seg.strip_prefix(prefix) {
            return Segment::Static(format!("_{rest}"));
        }
    }
    Segment::Static(seg.to_string())
}

fn is_param_name(s: &str) -> bool {
    !s.is_empty() && !s.contains(['[', ']', '/'])
}

/// Next.js App Router: `route.*` in any folder; groups and `@slot` folders
/// vanish; `_private` folders and intercepting routes are not routable.
fn next_app_route(dirs: &[&str], file: &str) -> Option<FileRoute> {
    if strip_ext(file, NEXT_EXTS)? != "route" {
        return None;
    }
    let mut segments = Vec::new();
    for dir in dirs {
        if dir.starts_with('_') || dir.starts_with("(.") {
            return None;
        }
        if is_group(dir) || dir.starts_with('@') {
            continue;
        }
        segments.push(next_segment(dir));
    }
    Some(route(Framework::NextApp, segments, None))
}

/// Next.js Pages Router API routes under `pages/api/`.
fn next_pages_route(dirs: &[&str], file: &str) -> Option<FileRoute> {
    let stem = strip_ext(file, NEXT_EXTS)?;
    if stem.starts_with('_') || dirs.iter().any(|d| d.starts_with('_')) {
        return None;
    }
    let mut segments = vec![Segment::Static("api".to_string())];
    segments.extend(dirs.iter().map(|d| next_segment(d)));
    if stem != "index" {
        segments.push(next_segment(stem));
    }
    Some(route(Framework::NextPages, segments, None))
}

/// A bracketed parameter in SvelteKit, Nuxt and Astro names: `[[x]]`,
/// `[...x]`, `[x]`, with an optional SvelteKit `=matcher`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Param {
    Single,
    Optional,
    Rest,
}

/// Splits a name into literal text and bracketed parameters. `None` for
/// unbalanced brackets.
fn bracket_parts(seg: &str) -> Option<Vec<Result<String, (Param, String)>>> {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut rest = seg;
    while let Some(open) = rest.find('[') {
        lit.push_str(&rest[..open]);
        let after = &rest[open..];
        let (param, inner, len) = if let Some(body) = after.strip_prefix("[[") {
            let close = body.find("]]")?;
            (Param::Optional, &body[..close], close + 4)
        } else {
            let body = &after[1..];
            let close = body.find(']')?;
            let inner = &body[..close];
            match inner.strip_prefix("...") {
                Some(name) => (Param::Rest, name, close + 2),
                None => (Param::Single, inner, close + 2),
            }
        };
        if !lit.is_empty() {
            parts.push(Ok(std::mem::take(&mut lit)));
        }
        parts.push(Err((param, inner.to_string())));
        rest = &after[len..];
    }
    lit.push_str(rest);
    if !lit.is_empty() {
        parts.push(Ok(lit));
    }
    Some(parts)
}

/// SvelteKit's `[x+HH]` / `[u+HHHH]` character escapes.
fn sveltekit_escape(inner: &str) -> Option<char> {
    let hex = inner
        .strip_prefix("x+")
        .filter(|h| h.len() == 2)
        .or_else(|| {
            inner
                .strip_prefix("u+")
                .filter(|h| (4..=6).contains(&h.len()))
        })?;
    u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
}

/// A SvelteKit, Nuxt or Astro segment. `rest_optional` says whether a rest
/// parameter also matches zero segments.
fn bracket_segment(seg: &str, rest_optional: bool, svelte_escapes: bool) -> Segment {
    let Some(parts) = bracket_parts(seg) else {
        return Segment::Static(seg.to_string());
    };
    if let [Err((param, inner))] = parts.as_slice() {
        return match param {
            Param::Single => Segment::Dynamic,
            Param::Optional if inner.starts_with("...") => Segment::OptionalCatchAll,
            Param::Optional => Segment::OptionalDynamic,
            Param::Rest if rest_optional => Segment::OptionalCatchAll,
            Param::Rest => Segment::CatchAll,
        };
    }
    let mut text = String::new();
    for part in &parts {
        match part {
            Ok(lit) => text.push_str(lit),
            Err((Param::Single, inner)) if svelte_escapes => match sveltekit_escape(inner) {
                Some(c) => text.push(c),
                None => return Segment::Dynamic,
            },
            Err(_) => return Segment::Dynamic,
        }
    }
    Segment::Static(text)
}

/// SvelteKit: `src/routes/**/+server.{ts,js}`.
fn sveltekit_route(dirs: &[&str], file: &str) -> Option<FileRoute> {
    if strip_ext(file, SVELTE_EXTS)? != "+server" {
        return None;
    }
    let segments = dirs
        .iter()
        .filter(|d| !is_group(d))
        .map(|d| bracket_segment(d, true, true))
        .collect();
    Some(route(Framework::SvelteKit, segments, None))
}

/// Nuxt / Nitro: `server/api/**` → `/api/**`, `server/routes/**` → `/**`,
/// `index`, method suffixes.
fn nuxt_route(prefix: &str, dirs: &[&str], file: &str) -> Option<FileRoute> {
    let mut stem = strip_ext(file, NUXT_EXTS)?;
    let mut method = None;
    if let Some((base, suffix)) = stem.rsplit_once('.') {
        if NUXT_METHODS.contains(&suffix) && !base.is_empty() {
            method = Some(suffix.to_ascii_uppercase());
            stem = base;
        }
    }
    let mut segments = Vec::new();
    if !prefix.is_empty() {
        segments.push(Segment::Static(prefix.to_string()));
    }
    segments.extend(
        dirs.iter()
            .filter(|d| !is_group(d))
            .map(|d| bracket_segment(d, false, false)),
    );
    if stem != "index" {
        segments.push(bracket_segment(stem, false, false));
    }
    Some(route(Framework::Nuxt, segments, method))
}

/// Astro endpoints: `src/pages/**/*.{ts,js}`; `_`-prefixed files and folders
/// are excluded.
fn astro_route(dirs: &[&str], file: &str) -> Option<FileRoute> {
    let stem = strip_ext(file, ASTRO_EXTS)?;
    if stem.starts_with('_') || dirs.iter().any(|d| d.starts_with('_')) {
        return None;
    }
    let mut segments: Vec<Segment> = dirs
        .iter()
        .map(|d| bracket_segment(d, true, false))
        .collect();
    if stem != "index" {
        segments.push(bracket_segment(stem, true, false));
    }
    Some(route(Framework::Astro, segments, None))
}

/// Supabase edge functions: `supabase/functions/<name>/index.<ext>` (the
/// `supabase` folder anywhere in the package) serves `/functions/v1/<name>`
/// and every path below it. `_shared`-style folders are not functions.
fn supabase_function_route(dirs: &[&str], file: &str) -> Option<FileRoute> {
    let [.., "supabase", "functions", name] = dirs else {
        return None;
    };
    if strip_ext(file, SUPABASE_EXTS)? != "index" || name.starts_with(['_', '.']) {
        return None;
    }
    let segments = vec![
        Segment::Static("functions".into()),
        Segment::Static("v1".into()),
        Segment::Static(name.to_string()),
        Segment::OptionalCatchAll,
    ];
    Some(route(Framework::SupabaseFunction, segments, None))
}

/// Remix / React Router flat routes: `app/routes/<name>.<ext>` and
/// `app/routes/<name>/route.<ext>`.
fn remix_route(dirs: &[&str], file: &str) -> Option<FileRoute> {
    let name = match dirs {
        [] => strip_ext(file, REMIX_EXTS)?,
        [folder] if strip_ext(file, REMIX_EXTS)? == "route" => folder,
        _ => return None,
    };
    Some(route(Framework::Remix, remix_segments(name), None))
}

/// The segments of a Remix flat-route name. Text inside `[...]` is literal
/// (dots included); `_`-prefixed segments are pathless; a trailing `_` is
/// dropped; `$id` is dynamic, a lone `$` a splat; `(x)` is optional.
fn remix_segments(name: &str) -> Vec<Segment> {
    // Characters with an "escaped" flag, split on unescaped dots.
    let mut raw: Vec<Vec<(char, bool)>> = vec![Vec::new()];
    let mut escaped = false;
    for c in name.chars() {
        match c {
            '[' if !escaped => escaped = true,
            ']' if escaped => escaped = false,
            '.' if !escaped => raw.push(Vec::new()),
            _ => {
                if let Some(last) = raw.last_mut() {
                    last.push((c, escaped));
                }
            }
        }
    }
    let mut segments = Vec::new();
    for mut seg in raw {
        match seg.first() {
            None | Some(('_', false)) => continue,
            _ => {}
        }
        if seg.last() == Some(&('_', false)) {
            seg.pop();
        }
        let text = |chars: &[(char, bool)]| chars.iter().map(|(c, _)| *c).collect::<String>();
        let optional = seg.len() >= 2
            && seg.first() == Some(&('(', false))
            && seg.last() == Some(&(')', false));
        let body = if optional {
            &seg[1..seg.len() - 1]
        } else {
            &seg[..]
        };
        let segment = match body {
            [] => continue,
            [('$', false)] => Segment::OptionalCatchAll,
            [('$', false), ..] if optional => Segment::OptionalDynamic,
            [('$', false), ..] => Segment::Dynamic,
            _ if optional => Segment::Optional(text(body)),
            _ => Segment::Static(text(body)),
        };
        segments.push(segment);
    }
    segments
}

/// Vercel Functions: the route of `rel`, a path under the project root
/// (`api/webhooks/[id].ts` → `/api/webhooks/[id]`). Vercel serves every file
/// under `api/` whose name and folders do not start with `_` or `.`; `index`
/// serves its folder; `[id]` and `[...slug]` are dynamic as in Next.js.
pub fn vercel_route(rel: &str) -> Option<RoutePattern> {
    let norm = rel.replace('\\', "/");
    let comps: Vec<&str> = norm
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    let (file, dirs) = comps.split_last()?;
    let ["api", rest @ ..] = dirs else {
        return None;
    };
    let stem = strip_ext(file, NUXT_EXTS)?;
    let hidden = |s: &str| s.starts_with('_') || s.starts_with('.');
    if hidden(stem)
        || rest
            .iter()
            .any(|d| hidden(d) || matches!(*d, "node_modules" | "__tests__"))
        || is_test_or_declaration(file)
    {
        return None;
    }
    let mut segments = vec![Segment::Static("api".to_string())];
    segments.extend(rest.iter().map(|d| next_segment(d)));
    if stem != "index" {
        segments.push(next_segment(stem));
    }
    Some(RoutePattern { segments })
}

/// Netlify Functions: the function name of `rel`, a path under the
/// functions directory: `name.ts`, `name/index.ts` or `name/name.ts`.
pub fn netlify_function(rel: &str) -> Option<String> {
    let norm = rel.replace('\\', "/");
    let comps: Vec<&str> = norm
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    let name = match comps.as_slice() {
        [file] => strip_ext(file, NUXT_EXTS)?,
        [dir, file] => {
            let stem = strip_ext(file, NUXT_EXTS)?;
            if stem != "index" && stem != *dir {
                return None;
            }
            dir
        }
        _ => return None,
    };
    if name.starts_with('_')
        || name.starts_with('.')
        || is_test_or_declaration(comps[comps.len() - 1])
    {
        return None;
    }
    Some(name.to_string())
}

/// The route of a Netlify function by name: `/.netlify/functions/<name>`.
pub fn netlify_default_route(name: &str) -> RoutePattern {
    RoutePattern {
        segments: vec![
            Segment::Static(".netlify".into()),
            Segment::Static("functions".into()),
            Segment::Static(name.to_string()),
        ],
    }
}

/// An API Gateway style path (`serverless.yml`, SAM, SST): `{id}` is one
/// segment, `{proxy+}` one or more; `*`/`:id` are accepted as in code paths.
pub fn gateway_path(path: &str) -> Option<RoutePattern> {
    let converted: Vec<String> = path
        .split('/')
        .map(
            |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) if name.ends_with('+') => format!(":{name}"),
                Some(name) => format!(":{name}"),
                None => seg.to_string(),
            },
        )
        .collect();
    RoutePattern::from_code_path(&converted.join("/"))
}

// ---------------------------------------------------------------------------
// Code-registered paths, base paths, display
// ---------------------------------------------------------------------------

impl RoutePattern {
    /// Express/Hono/Fastify/Elysia style: `"/api/users/:id"`, `"/files/*"`, `"/a/:b?"`, `"*"`.
    ///
    /// `:id` (also with a regex `:id(\d+)` / `:id{[0-9]+}`) is `Dynamic`,
    /// `:id?` `OptionalDynamic`, `:id+` and Express 5 `*name` `CatchAll`,
    /// `*`, `:id*` and `(.*)` `OptionalCatchAll`; Express 5 optional groups
    /// `{/:id}` are optional. Segments mixing text and parameters
    /// (`:lat-:lng`, `file.:ext`) or carrying pattern characters become
    /// `Dynamic`. A missing leading slash is tolerated; a trailing slash is
    /// ignored. `None` for text that is not a path (a full URL, whitespace).
    pub fn from_code_path(path: &str) -> Option<RoutePattern> {
        if path.contains("://") || path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return None;
        }
        let mut segments = Vec::new();
        parse_code_path(path, false, &mut segments)?;
        Some(RoutePattern { segments })
    }

    /// Prefix with a basePath such as "/docs" (its segments are literal).
    pub fn with_base_path(&self, base: &str) -> RoutePattern {
        let mut segments: Vec<Segment> = base
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| Segment::Static(s.to_string()))
            .collect();
        segments.extend(self.segments.iter().cloned());
        RoutePattern { segments }
    }

    /// Whether a destination path (already stripped of scheme and host; query and hash still possibly present,
    /// ignore them; a trailing slash is ignored) can reach this route. `Any` pieces stand for unknown text
    /// (e.g. `${id}`); an Any matches any text inside one segment, EXCEPT that an Any at the very end may also
    /// span several segments only when the pattern ends in a CatchAll. Be conservative: when the pieces cannot
    /// be decided, return true only if every literal segment of the known pieces fits.
    ///
    /// Details: everything from the first literal `?` or `#` on is dropped;
    /// a leading `scheme://host` is skipped if present anyway; empty segments
    /// (`//`, a trailing `/`) are ignored; a segment made only of `Any` is a
    /// non-empty segment, while an `Any` next to literal text may be empty
    /// (`x${qs}` fits `x`). A trailing `Any` spans segments for a pattern
    /// ending in `CatchAll` or `OptionalCatchAll`.
    pub fn matches(&self, pieces: &[PathPiece]) -> bool {
        self.matches_path(&DestPath::new(pieces))
    }

    /// [`RoutePattern::matches`] on a destination tokenised once.
    pub fn matches_path(&self, path: &DestPath) -> bool {
        let (segs, tail_any) = (&path.segs, path.tail_any);
        let pat = &self.segments;
        let spans = tail_any
            && matches!(
                pat.last(),
                Some(Segment::CatchAll | Segment::OptionalCatchAll)
            );
        let (n, m) = (pat.len(), segs.len());
        // ok[i][j]: pattern[i..] can match path[j..].
        let mut ok = vec![vec![false; m + 1]; n + 1];
        ok[n][m] = true;
        for i in (0..n).rev() {
            for j in (0..=m).rev() {
                let here = j < m;
                let fits = |s: &str| here && glob_fits(&segs[j], s);
                let spanned = spans
                    && j + 1 == m
                    && match &pat[i] {
                        Segment::Static(s) | Segment::Optional(s) => fits(s),
                        _ => true,
                    };
                ok[i][j] = spanned
                    || match &pat[i] {
                        Segment::Static(s) => fits(s) && ok[i + 1][j + 1],
                        Segment::Dynamic => here && ok[i + 1][j + 1],
                        Segment::Optional(s) => ok[i + 1][j] || (fits(s) && ok[i + 1][j + 1]),
                        Segment::OptionalDynamic => ok[i + 1][j] || (here && ok[i + 1][j + 1]),
                        Segment::CatchAll => (j + 1..=m).any(|k| ok[i + 1][k]),
                        Segment::OptionalCatchAll => (j..=m).any(|k| ok[i + 1][k]),
                    };
            }
        }
        ok[0][0]
    }

    /// `"/api/users/[id]"`-style display: `[param]` for a dynamic segment,
    /// `[...path]` for a catch-all, `[[...path]]` for an optional catch-all,
    /// `[[param]]` for an optional dynamic segment and `(name)` for an
    /// optional literal; the root is "/".
    pub fn display(&self) -> String {
        if self.segments.is_empty() {
            return "/".to_string();
        }
        let mut out = String::new();
        for seg in &self.segments {
            out.push('/');
            match seg {
                Segment::Static(s) => out.push_str(s),
                Segment::Dynamic => out.push_str("[param]"),
                Segment::CatchAll => out.push_str("[...path]"),
                Segment::OptionalCatchAll => out.push_str("[[...path]]"),
                Segment::Optional(s) => {
                    out.push('(');
                    out.push_str(s);
                    out.push(')');
                }
                Segment::OptionalDynamic => out.push_str("[[param]]"),
            }
        }
        out
    }
}

/// Parses a code path into `out`; inside an optional `{/...}` group every
/// segment becomes optional.
fn parse_code_path(path: &str, optional: bool, out: &mut Vec<Segment>) -> Option<()> {
    let chars: Vec<char> = path.chars().collect();
    let mut i = 0;
    let mut cur = String::new();
    let mut paren = 0usize;
    let flush = |cur: &mut String, out: &mut Vec<Segment>| {
        if let Some(seg) = code_segment(cur) {
            out.push(if optional { make_optional(seg) } else { seg });
        }
        cur.clear();
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            '(' => {
                paren += 1;
                cur.push(c);
            }
            ')' => {
                paren = paren.saturating_sub(1);
                cur.push(c);
            }
            '\\' => {
                cur.push(c);
                if let Some(&next) = chars.get(i + 1) {
                    cur.push(next);
                    i += 1;
                }
            }
            '/' if paren == 0 => flush(&mut cur, out),
            '{' if paren == 0 => {
                let close = matching_brace(&chars, i)?;
                let inner: String = chars[i + 1..close].iter().collect();
                if inner.starts_with('/') {
                    // `{/:id}`: an optional sub-path after the current segment.
                    flush(&mut cur, out);
                    parse_code_path(&inner, true, out)?;
                } else {
                    // `:id{[0-9]+}` or `file{.:ext}`: part of this segment.
                    cur.push('{');
                    cur.push_str(&inner);
                    cur.push('}');
                }
                i = close;
            }
            _ => cur.push(c),
        }
        i += 1;
    }
    flush(&mut cur, out);
    Some(())
}

fn matching_brace(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, &c) in chars.iter().enumerate().skip(open) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

fn make_optional(seg: Segment) -> Segment {
    match seg {
        Segment::Static(s) => Segment::Optional(s),
        Segment::Dynamic => Segment::OptionalDynamic,
        Segment::CatchAll => Segment::OptionalCatchAll,
        other => other,
    }
}

/// One `/`-separated piece of a code path.
fn code_segment(seg: &str) -> Option<Segment> {
    if seg.is_empty() {
        return None;
    }
    if matches!(seg, "*" | "**" | "(.*)" | ".*") {
        return Some(Segment::OptionalCatchAll);
    }
    if let Some(name) = seg.strip_prefix('*') {
        if is_ident(name) {
            return Some(Segment::CatchAll);
        }
    }
    if let Some(after) = seg.strip_prefix(':') {
        let name_len = after
            .char_indices()
            .find(|&(_, c)| !is_ident_char(c))
            .map_or(after.len(), |(k, _)| k);
        if name_len > 0 {
            let rest = &after[name_len..];
            return Some(match rest {
                "" => Segment::Dynamic,
                "?" => Segment::OptionalDynamic,
                "*" => Segment::OptionalCatchAll,
                "+" => Segment::CatchAll,
                _ => regex_param(rest).unwrap_or(Segment::Dynamic),
            });
        }
    }
    if seg.contains([':', '*', '?', '+', '(', ')', '{', '}', '[', ']', '\\']) {
        return Some(Segment::Dynamic);
    }
    Some(Segment::Static(seg.to_string()))
}

/// `(regex)` or `{regex}` after a parameter name, optionally followed by `?`.
fn regex_param(rest: &str) -> Option<Segment> {
    let (body, optional) = match rest.strip_suffix('?') {
        Some(b) => (b, true),
        None => (rest, false),
    };
    let inner = body
        .strip_prefix('(')
        .and_then(|b| b.strip_suffix(')'))
        .or_else(|| body.strip_prefix('{').and_then(|b| b.strip_suffix('}')))?;
    let seg = match inner {
        ".*" => Segment::OptionalCatchAll,
        ".+" => Segment::CatchAll,
        _ => Segment::Dynamic,
    };
    Some(if optional { make_optional(seg) } else { seg })
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

fn is_ident(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_ident_char)
}

// ---------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------

/// One element of a destination path segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Char(char),
    Any,
}

/// A destination path as segments of tokens, worked out once and matched
/// against every route pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestPath {
    segs: Vec<Vec<Tok>>,
    /// It ends in unknown text.
    tail_any: bool,
}

impl DestPath {
    /// Tokenises the pieces of a destination (see [`RoutePattern::matches`]).
    pub fn new(pieces: &[PathPiece]) -> Self {
        let (segs, tail_any) = path_segments(pieces);
        DestPath { segs, tail_any }
    }

    /// Whether no part of the path is unknown.
    pub fn is_fully_known(&self) -> bool {
        !self.tail_any
            && self
                .segs
                .iter()
                .flatten()
                .all(|t| matches!(t, Tok::Char(_)))
    }

    /// The leading segments that are fully known text.
    pub fn known_segments(&self) -> Vec<String> {
        self.segs
            .iter()
            .map_while(|seg| {
                seg.iter()
                    .map(|t| match t {
                        Tok::Char(c) => Some(*c),
                        Tok::Any => None,
                    })
                    .collect::<Option<String>>()
            })
            .collect()
    }
}

/// The destination as segments of tokens, and whether it ends in an `Any`.
fn path_segments(pieces: &[PathPiece]) -> (Vec<Vec<Tok>>, bool) {
    let mut toks = Vec::new();
    'outer: for piece in pieces {
        match piece {
            PathPiece::Any => {
                if toks.last() != Some(&Tok::Any) {
                    toks.push(Tok::Any);
                }
            }
            PathPiece::Lit(s) => {
                for c in s.chars() {
                    if c == '?' || c == '#' {
                        break 'outer;
                    }
                    toks.push(Tok::Char(c));
                }
            }
        }
    }
    let start = scheme_host_len(&toks);
    let toks = &toks[start..];
    let mut segs: Vec<Vec<Tok>> = Vec::new();
    for part in toks.split(|t| *t == Tok::Char('/')) {
        if !part.is_empty() {
            segs.push(part.to_vec());
        }
    }
    let tail_any = segs.last().and_then(|s| s.last()) == Some(&Tok::Any);
    (segs, tail_any)
}

/// Length of a leading `scheme://host` (up to the path's `/`), 0 if none.
fn scheme_host_len(toks: &[Tok]) -> usize {
    let mut k = 0;
    while let Some(Tok::Char(c)) = toks.get(k) {
        if c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.') {
            k += 1;
        } else {
            break;
        }
    }
    let sep = [Tok::Char(':'), Tok::Char('/'), Tok::Char('/')];
    let starts_alpha = matches!(toks.first(), Some(Tok::Char(c)) if c.is_ascii_alphabetic());
    if !starts_alpha || toks.get(k..k + 3) != Some(&sep[..]) {
        return 0;
    }
    let host = k + 3;
    toks[host..]
        .iter()
        .position(|t| *t == Tok::Char('/'))
        .map_or(toks.len(), |p| host + p)
}

/// Whether a path segment (literal characters with `Any` runs, each
/// matching any text) can be the literal `text`. A segment of only `Any`
/// matches any non-empty text.
fn glob_fits(seg: &[Tok], text: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    if seg.iter().all(|t| *t == Tok::Any) {
        return !text.is_empty();
    }
    wildcard_match(seg, &text, |tok| match tok {
        Tok::Char(c) => Some(c),
        Tok::Any => None,
    })
}

/// Classic wildcard matching, backtracking to the last wildcard: `literal`
/// gives a pattern item's literal, `None` for a wildcard, which matches any
/// run of `text` (the empty one too). Linear in practice, quadratic at
/// worst, on patterns and texts of a URL's size.
pub fn wildcard_match<P, T: PartialEq>(
    pattern: &[P],
    text: &[T],
    literal: impl Fn(&P) -> Option<&T>,
) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p).map(&literal) {
            Some(None) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Some(c)) if *c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|x| literal(x).is_none())
}

// ---------------------------------------------------------------------------
// next.config basePath
// ---------------------------------------------------------------------------

/// A literal `basePath` from next.config.{js,mjs,ts,cjs} text (e.g. `basePath: "/docs"`), None otherwise.
///
/// Accepts `basePath: "/docs"`, `"basePath": '/docs'`, `` basePath: `/docs` ``,
/// `config.basePath = "/docs"`, and `basePath: BASE` / shorthand `basePath`
/// with `const BASE = "/docs"` / `const basePath = "/docs"` in the same file.
/// Comments are ignored. `None` when there is no `basePath`, when any
/// assignment is not a literal (`process.env.X`, a conditional, a template
/// with `${}`), when literals disagree, or when it is empty. A trailing `/`
/// is dropped and a missing leading `/` added.
pub fn next_base_path(config_text: &str) -> Option<String> {
    let text = strip_comments(config_text);
    let mut found: Vec<String> = Vec::new();
    for value in assignments(&text, "basePath") {
        let lit = match value {
            Value::Lit(s) => s,
            Value::Ident(name) => {
                // Exactly one literal declaration of that name.
                let mut resolved = assignments(&text, &name).into_iter();
                match (resolved.next(), resolved.next()) {
                    (Some(Value::Lit(s)), None) => s,
                    _ => return None,
                }
            }
            Value::Unknown => return None,
        };
        let trimmed = lit.trim_matches('/');
        if !trimmed.is_empty() {
            found.push(format!("/{trimmed}"));
        }
    }
    let first = found.first()?;
    found.iter().all(|f| f == first).then(|| first.clone())
}

/// The value assigned to `name` somewhere in config text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Lit(String),
    Ident(String),
    Unknown,
}

/// Every `name: value` / `name = value` in `text` (property keys, quoted
/// keys, declarations, member assignments).
fn assignments(text: &str, name: &str) -> Vec<Value> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = text[from..].find(name).map(|p| p + from) {
        from = pos + name.len();
        let before = text[..pos].chars().next_back();
        let after = text[from..].chars().next();
        if before.is_some_and(is_ident_char) || after.is_some_and(is_ident_char) {
            continue;
        }
        let mut k = from;
        // A quoted key: `"basePath":`.
        if matches!(before, Some('"' | '\'')) && bytes.get(k).copied() == before.map(|b| b as u8) {
            k += 1;
        }
        k = skip_ws(bytes, k);
        let is_assign = match bytes.get(k) {
            Some(b':') => true,
            Some(b'=') => !matches!(bytes.get(k + 1), Some(b'=' | b'>')),
            _ => false,
        };
        if !is_assign {
            continue;
        }
        k = skip_ws(bytes, k + 1);
        out.push(read_value(text, k));
    }
    out
}

fn skip_ws(bytes: &[u8], mut k: usize) -> usize {
    while bytes.get(k).is_some_and(|b| b.is_ascii_whitespace()) {
        k += 1;
    }
    k
}

/// The value expression starting at byte `k`.
fn read_value(text: &str, k: usize) -> Value {
    let bytes = text.as_bytes();
    let Some(rest) = text.get(k..) else {
        return Value::Unknown;
    };
    let (value, end) = match rest.chars().next() {
        Some(q @ ('"' | '\'' | '`')) => {
            let mut lit = String::new();
            let mut chars = rest.char_indices().skip(1);
            let mut end = None;
            while let Some((idx, c)) = chars.next() {
                if c == '\\' {
                    if let Some((_, e)) = chars.next() {
                        lit.push(e);
                    }
                } else if c == q {
                    end = Some(k + idx + 1);
                    break;
                } else {
                    lit.push(c);
                }
            }
            let Some(end) = end else {
                return Value::Unknown;
            };
            if q == '`' && lit.contains("${") {
                return Value::Unknown;
            }
            (Value::Lit(lit), end)
        }
        Some(c) if is_ident_char(c) && !c.is_ascii_digit() => {
            let len = rest
                .char_indices()
                .find(|&(_, c)| !is_ident_char(c))
                .map_or(rest.len(), |(i, _)| i);
            let ident = &rest[..len];
            if matches!(ident, "undefined" | "null") {
                (Value::Lit(String::new()), k + len)
            } else {
                (Value::Ident(ident.to_string()), k + len)
            }
        }
        _ => return Value::Unknown,
    };
    // The expression must end here: `"/docs" + x`, `"/a".trim()`, `x ? a : b`
    // and `env.X` are not literals.
    let next = skip_ws(bytes, end);
    match text.get(next..) {
        None | Some("") => value,
        Some(tail) if tail.starts_with("as ") || tail.starts_with("as\n") => value,
        Some(tail) => match tail.as_bytes()[0] {
            b',' | b'}' | b';' | b')' | b']' => value,
            _ if next > end && bytes[end..next].contains(&b'\n') => {
                // ASI: a new statement starts on the next line, unless it
                // continues the expression.
                if matches!(
                    tail.as_bytes()[0],
                    b'+' | b'-' | b'*' | b'/' | b'?' | b'|' | b'&' | b'.' | b'[' | b'('
                ) {
                    Value::Unknown
                } else {
                    value
                }
            }
            _ => Value::Unknown,
        },
    }
}

/// `text` with `//` and `/* */` comments blanked out (strings respected).
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' {
                if let Some(e) = chars.next() {
                    out.push(e);
                }
            } else if c == q || (c == '\n' && q != '`') {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => {
                quote = Some(c);
                out.push(c);
            }
            '/' if chars.peek() == Some(&'/') => {
                for e in chars.by_ref() {
                    if e == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for e in chars.by_ref() {
                    if prev == '*' && e == '/' {
                        break;
                    }
                    if e == '\n' {
                        out.push('\n');
                    }
                    prev = e;
                }
                out.push(' ');
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Segment::*;

    fn st(s: &str) -> Segment {
        Static(s.to_string())
    }

    fn pat(segments: Vec<Segment>) -> RoutePattern {
        RoutePattern { segments }
    }

    /// The display of the route of `rel`, with its framework.
    fn fr(rel: &str) -> Option<(Framework, String)> {
        file_route(rel).map(|r| (r.framework, r.pattern.display()))
    }

    fn lit(s: &str) -> PathPiece {
        PathPiece::Lit(s.to_string())
    }

    fn code(p: &str) -> RoutePattern {
        match RoutePattern::from_code_path(p) {
            Some(r) => r,
            None => panic!("no pattern for {p}"),
        }
    }

    fn route_of(rel: &str) -> RoutePattern {
        match file_route(rel) {
            Some(r) => r.pattern,
            None => panic!("no route for {rel}"),
        }
    }

    /// Whether the route of code path `p` matches the literal `path`.
    fn m(p: &str, path: &str) -> bool {
        code(p).matches(&[lit(path)])
    }

    // --- Next.js App Router ---------------------------------------------

    #[test]
    fn next_app_basic() {
        use Framework::NextApp;
        assert_eq!(
            fr("app/api/jobs/route.ts"),
            Some((NextApp, "/api/jobs".into()))
        );
        assert_eq!(
            fr("src/app/api/jobs/route.ts"),
            Some((NextApp, "/api/jobs".into()))
        );
        assert_eq!(fr("app/route.ts"), Some((NextApp, "/".into())));
        for ext in ["ts", "js", "tsx", "jsx", "mjs", "mts"] {
            assert_eq!(
                fr(&format!("app/api/x/route.{ext}")),
                Some((NextApp, "/api/x".into())),
                "{ext}"
            );
        }
        assert_eq!(fr("./app/api/x/route.ts"), Some((NextApp, "/api/x".into())));
        assert_eq!(
            fr("app\\api\\x\\route.ts"),
            Some((NextApp, "/api/x".into()))
        );
    }

    #[test]
    fn next_app_segments() {
        assert_eq!(
            route_of("app/api/jobs/[id]/route.ts").segments,
            vec![st("api"), st("jobs"), Dynamic]
        );
        assert_eq!(
            route_of("app/api/[...slug]/route.ts").segments,
            vec![st("api"), CatchAll]
        );
        assert_eq!(
            route_of("app/api/[[...slug]]/route.ts").segments,
            vec![st("api"), OptionalCatchAll]
        );
        assert_eq!(
            route_of("app/(backend)/api/(jobs)/run/route.ts").display(),
            "/api/run"
        );
        assert_eq!(route_of("app/@modal/api/x/route.ts").display(), "/api/x");
        assert_eq!(route_of("app/%5Finternal/route.ts").display(), "/_internal");
        // Next.js has no partly dynamic segments: literal.
        assert_eq!(
            route_of("app/post-[id]/route.ts").segments,
            vec![st("post-[id]")]
        );
        // `app/` without `src/` at a nested location is not the app dir.
        assert_eq!(fr("packages/app/api/x/route.ts"), None);
    }

    #[test]
    fn next_app_negatives() {
        assert_eq!(fr("app/api/jobs/page.tsx"), None);
        assert_eq!(fr("app/api/jobs/layout.tsx"), None);
        assert_eq!(fr("app/_lib/route.ts"), None);
        assert_eq!(fr("app/api/_private/x/route.ts"), None);
        assert_eq!(fr("app/(.)photo/route.ts"), None);
        assert_eq!(fr("app/api/x/route.test.ts"), None);
        assert_eq!(fr("app/api/x/route.d.ts"), None);
        assert_eq!(fr("app/api/x/route.css"), None);
        assert_eq!(fr("app/api/x/route.cjs"), None);
        assert_eq!(fr("app/api/x/handler.ts"), None);
        assert_eq!(fr("app/api/__tests__/route.ts"), None);
        assert_eq!(fr("middleware.ts"), None);
        assert_eq!(fr("src/middleware.ts"), None);
        assert_eq!(fr("lib/qstash.ts"), None);
        assert_eq!(fr("components/route.ts"), None);
        assert_eq!(fr("node_modules/x/app/route.ts"), None);
        assert_eq!(fr(""), None);
        assert_eq!(fr("app/"), None);
    }

    // --- Next.js Pages Router ---------------------------------------------

    #[test]
    fn next_pages() {
        use Framework::NextPages;
        assert_eq!(
            fr("pages/api/hello.ts"),
            Some((NextPages, "/api/hello".into()))
        );
        assert_eq!(
            fr("src/pages/api/hello.js"),
            Some((NextPages, "/api/hello".into()))
        );
        assert_eq!(fr("pages/api/index.ts"), Some((NextPages, "/api".into())));
        assert_eq!(
            fr("pages/api/jobs/index.tsx"),
            Some((NextPages, "/api/jobs".into()))
        );
        for ext in ["ts", "js", "tsx", "jsx", "mjs", "mts"] {
            assert!(file_route(&format!("pages/api/x.{ext}")).is_some(), "{ext}");
        }
        assert_eq!(
            route_of("pages/api/jobs/[id].ts").segments,
            vec![st("api"), st("jobs"), Dynamic]
        );
        assert_eq!(
            route_of("pages/api/[...slug].ts").segments,
            vec![st("api"), CatchAll]
        );
        assert_eq!(
            route_of("pages/api/[[...slug]].ts").segments,
            vec![st("api"), OptionalCatchAll]
        );
        assert_eq!(
            route_of("pages/api/[team]/jobs.ts").segments,
            vec![st("api"), Dynamic, st("jobs")]
        );
    }

    #[test]
    fn next_pages_negatives() {
        assert_eq!(fr("pages/api/_middleware.ts"), None);
        assert_eq!(fr("pages/_app.tsx"), None);
        assert_eq!(fr("pages/api/_lib/db.ts"), None);
        assert_eq!(fr("pages/index.tsx"), None);
        assert_eq!(fr("pages/about.ts"), None);
        assert_eq!(fr("pages/api/x.test.ts"), None);
        assert_eq!(fr("pages/api/x.spec.js"), None);
        assert_eq!(fr("pages/api/types.d.ts"), None);
        assert_eq!(fr("pages/api/readme.md"), None);
        assert_eq!(fr("pages/api/x.json"), None);
    }

    // --- SvelteKit --------------------------------------------------------

    #[test]
    fn sveltekit() {
        use Framework::SvelteKit;
        assert_eq!(
            fr("src/routes/api/jobs/+server.ts"),
            Some((SvelteKit, "/api/jobs".into()))
        );
        assert_eq!(fr("src/routes/+server.js"), Some((SvelteKit, "/".into())));
        assert_eq!(
            route_of("src/routes/(app)/api/[id]/+server.ts").segments,
            vec![st("api"), Dynamic]
        );
        assert_eq!(
            route_of("src/routes/api/[id=integer]/+server.ts").segments,
            vec![st("api"), Dynamic]
        );
        assert_eq!(
            route_of("src/routes/api/[...rest]/+server.ts").segments,
            vec![st("api"), OptionalCatchAll]
        );
        assert_eq!(
            route_of("src/routes/[[lang]]/api/+server.ts").segments,
            vec![OptionalDynamic, st("api")]
        );
        assert_eq!(
            route_of("src/routes/api/job-[id]/+server.ts").segments,
            vec![st("api"), Dynamic]
        );
        assert_eq!(
            route_of("src/routes/[x+2e]well-known/+server.ts").segments,
            vec![st(".well-known")]
        );
    }

    #[test]
    fn sveltekit_negatives() {
        assert_eq!(fr("src/routes/api/+page.svelte"), None);
        assert_eq!(fr("src/routes/api/+page.server.ts"), None);
        assert_eq!(fr("src/routes/api/+layout.server.ts"), None);
        assert_eq!(fr("src/routes/api/+server.tsx"), None);
        assert_eq!(fr("src/routes/api/helpers.ts"), None);
        assert_eq!(fr("src/lib/server/qstash.ts"), None);
        assert_eq!(fr("src/hooks.server.ts"), None);
        assert_eq!(fr("routes/api/+server.ts"), None);
    }

    // --- Nuxt / Nitro -----------------------------------------------------

    #[test]
    fn nuxt() {
        use Framework::Nuxt;
        assert_eq!(fr("server/api/jobs.ts"), Some((Nuxt, "/api/jobs".into())));
        assert_eq!(
            fr("server/routes/webhook.ts"),
            Some((Nuxt, "/webhook".into()))
        );
        assert_eq!(fr("server/api/index.ts"), Some((Nuxt, "/api".into())));
        assert_eq!(fr("server/routes/index.get.js"), Some((Nuxt, "/".into())));
        let r = file_route("server/api/jobs.post.ts");
        assert_eq!(
            r,
            Some(FileRoute {
                framework: Nuxt,
                pattern: pat(vec![st("api"), st("jobs")]),
                method: Some("POST".into()),
            })
        );
        for (suffix, method) in [
            ("get", "GET"),
            ("post", "POST"),
            ("put", "PUT"),
            ("patch", "PATCH"),
            ("delete", "DELETE"),
        ] {
            let r = file_route(&format!("server/api/x/index.{suffix}.ts"));
            assert_eq!(r.as_ref().and_then(|r| r.method.as_deref()), Some(method));
            assert_eq!(r.map(|r| r.pattern.display()), Some("/api/x".into()));
        }
        assert_eq!(
            file_route("server/api/jobs.ts").and_then(|r| r.method),
            None
        );
        assert_eq!(
            route_of("server/api/jobs/[id].post.ts").segments,
            vec![st("api"), st("jobs"), Dynamic]
        );
        assert_eq!(
            route_of("server/api/[...slug].ts").segments,
            vec![st("api"), CatchAll]
        );
        assert_eq!(
            route_of("server/routes/[team]/hook-[id].ts").segments,
            vec![Dynamic, Dynamic]
        );
        // A dot that is not a method suffix stays in the name.
        assert_eq!(
            route_of("server/routes/sitemap.xml.ts").display(),
            "/sitemap.xml"
        );
    }

    #[test]
    fn nuxt_negatives() {
        assert_eq!(fr("server/middleware/auth.ts"), None);
        assert_eq!(fr("server/utils/qstash.ts"), None);
        assert_eq!(fr("server/plugins/x.ts"), None);
        assert_eq!(fr("src/server/api/x.ts"), None);
        assert_eq!(fr("server/api/x.test.ts"), None);
        assert_eq!(fr("server/api/x.vue"), None);
    }

    // --- Astro ------------------------------------------------------------

    #[test]
    fn astro() {
        use Framework::Astro;
        assert_eq!(fr("src/pages/webhook.ts"), Some((Astro, "/webhook".into())));
        assert_eq!(
            fr("src/pages/hooks/index.js"),
            Some((Astro, "/hooks".into()))
        );
        assert_eq!(
            fr("src/pages/data.json.ts"),
            Some((Astro, "/data.json".into()))
        );
        assert_eq!(
            route_of("src/pages/jobs/[id].ts").segments,
            vec![st("jobs"), Dynamic]
        );
        assert_eq!(
            route_of("src/pages/files/[...path].ts").segments,
            vec![st("files"), OptionalCatchAll]
        );
        assert_eq!(
            route_of("src/pages/[lang]/feed.xml.ts").segments,
            vec![Dynamic, st("feed.xml")]
        );
    }

    #[test]
    fn astro_negatives() {
        assert_eq!(fr("src/pages/index.astro"), None);
        assert_eq!(fr("src/pages/_helpers.ts"), None);
        assert_eq!(fr("src/pages/_lib/x.ts"), None);
        assert_eq!(fr("src/pages/x.tsx"), None);
        assert_eq!(fr("src/pages/x.test.ts"), None);
        assert_eq!(fr("src/components/x.ts"), None);
    }

    #[test]
    fn src_pages_api_is_next_pages() {
        // Astro and Next.js share `src/pages/api`; the pattern is the same.
        assert_eq!(
            fr("src/pages/api/jobs.ts"),
            Some((Framework::NextPages, "/api/jobs".into()))
        );
    }

    // --- Remix / React Router -------------------------------------------

    #[test]
    fn remix() {
        use Framework::Remix;
        assert_eq!(
            fr("app/routes/api.jobs.ts"),
            Some((Remix, "/api/jobs".into()))
        );
        assert_eq!(
            fr("app/routes/_layout.a.b.ts"),
            Some((Remix, "/a/b".into()))
        );
        assert_eq!(fr("app/routes/_index.tsx"), Some((Remix, "/".into())));
        assert_eq!(fr("app/routes/api._index.ts"), Some((Remix, "/api".into())));
        assert_eq!(fr("app/routes/a_.b.ts"), Some((Remix, "/a/b".into())));
        assert_eq!(
            fr("app/routes/api.jobs/route.tsx"),
            Some((Remix, "/api/jobs".into()))
        );
        for ext in ["ts", "tsx", "js", "jsx"] {
            assert!(
                file_route(&format!("app/routes/api.x.{ext}")).is_some(),
                "{ext}"
            );
        }
        assert_eq!(
            route_of("app/routes/api.jobs.$id.ts").segments,
            vec![st("api"), st("jobs"), Dynamic]
        );
        assert_eq!(
            route_of("app/routes/files.$.ts").segments,
            vec![st("files"), OptionalCatchAll]
        );
        assert_eq!(
            route_of("app/routes/($lang).api.ts").segments,
            vec![OptionalDynamic, st("api")]
        );
        assert_eq!(
            route_of("app/routes/(en).api.ts").segments,
            vec![Optional("en".into()), st("api")]
        );
        assert_eq!(
            route_of("app/routes/[sitemap.xml].ts").segments,
            vec![st("sitemap.xml")]
        );
        assert_eq!(
            route_of("app/routes/api.feed[.]json.ts").segments,
            vec![st("api"), st("feed.json")]
        );
        assert_eq!(
            route_of("app/routes/[_]private.[$]x.ts").segments,
            vec![st("_private"), st("$x")]
        );
        assert_eq!(
            route_of("app/routes/_auth.api.$id_.edit.ts").segments,
            vec![st("api"), Dynamic, st("edit")]
        );
    }

    #[test]
    fn remix_negatives() {
        assert_eq!(fr("app/routes/api.x.mjs"), None);
        assert_eq!(fr("app/routes/api.x.test.ts"), None);
        assert_eq!(fr("app/routes/api.x/utils.ts"), None);
        assert_eq!(fr("app/routes/api.x/route.css"), None);
        assert_eq!(fr("app/root.tsx"), None);
        assert_eq!(fr("app/routes.ts"), None);
        assert_eq!(fr("app/entry.server.tsx"), None);
        // Deeper `route.*` files are read as Next.js App Router routes.
        assert_eq!(
            fr("app/routes/a/b/route.ts"),
            Some((Framework::NextApp, "/routes/a/b".into()))
        );
    }

    // --- Supabase edge functions -----------------------------------------

    #[test]
    fn supabase_functions() {
        use Framework::SupabaseFunction as Sb;
        assert_eq!(
            fr("supabase/functions/send-digest/index.ts"),
            Some((Sb, "/functions/v1/send-digest/[[...path]]".into()))
        );
        assert_eq!(
            fr("apps/api/supabase/functions/hook/index.js"),
            Some((Sb, "/functions/v1/hook/[[...path]]".into()))
        );
        let r = route_of("supabase/functions/send-digest/index.ts");
        assert!(r.matches(&[lit("https://abc.supabase.co/functions/v1/send-digest")]));
        assert!(r.matches(&[lit("/functions/v1/send-digest/retry")]));
        assert!(!r.matches(&[lit("/functions/v1/send-digest-2")]));
        assert!(!r.matches(&[lit("/functions/v1")]));
    }

    #[test]
    fn supabase_function_negatives() {
        assert_eq!(fr("supabase/functions/_shared/index.ts"), None);
        assert_eq!(fr("supabase/functions/.temp/index.ts"), None);
        assert_eq!(fr("supabase/functions/send-digest/handler.ts"), None);
        assert_eq!(fr("supabase/functions/send-digest/index.test.ts"), None);
        assert_eq!(fr("supabase/functions/index.ts"), None);
        assert_eq!(fr("supabase/functions/a/b/index.ts"), None);
        assert_eq!(fr("supabase/functions/a/deno.json"), None);
    }

    // --- Code paths -------------------------------------------------------

    #[test]
    fn code_paths() {
        assert_eq!(
            code("/api/users/:id").segments,
            vec![st("api"), st("users"), Dynamic]
        );
        assert_eq!(
            code("/files/*").segments,
            vec![st("files"), OptionalCatchAll]
        );
        assert_eq!(code("/a/:b?").segments, vec![st("a"), OptionalDynamic]);
        assert_eq!(code("*").segments, vec![OptionalCatchAll]);
        assert_eq!(code("/").segments, vec![]);
        assert_eq!(code("").segments, vec![]);
        assert_eq!(code("api/x/").segments, vec![st("api"), st("x")]);
        assert_eq!(code("/f/*splat").segments, vec![st("f"), CatchAll]);
        assert_eq!(code("/f/:p+").segments, vec![st("f"), CatchAll]);
        assert_eq!(code("/f/:p*").segments, vec![st("f"), OptionalCatchAll]);
        assert_eq!(code("/u/:id(\\d+)").segments, vec![st("u"), Dynamic]);
        assert_eq!(
            code("/u/:id(\\d+)?").segments,
            vec![st("u"), OptionalDynamic]
        );
        assert_eq!(code("/u/:id{[0-9]+}").segments, vec![st("u"), Dynamic]);
        assert_eq!(code("/u/:p(.*)").segments, vec![st("u"), OptionalCatchAll]);
        assert_eq!(code("/u/(.*)").segments, vec![st("u"), OptionalCatchAll]);
        assert_eq!(code("/geo/:lat-:lng").segments, vec![st("geo"), Dynamic]);
        assert_eq!(code("/f/file.:ext").segments, vec![st("f"), Dynamic]);
        assert_eq!(
            code("/users{/:id}").segments,
            vec![st("users"), OptionalDynamic]
        );
        assert_eq!(
            code("/a{/b}/c").segments,
            vec![st("a"), Optional("b".into()), st("c")]
        );
        assert_eq!(code("/f{/*rest}").segments, vec![st("f"), OptionalCatchAll]);
        assert_eq!(code("/f/file{.:ext}").segments, vec![st("f"), Dynamic]);
        assert_eq!(RoutePattern::from_code_path("https://x.com/api"), None);
        assert_eq!(RoutePattern::from_code_path("/api x"), None);
        assert_eq!(RoutePattern::from_code_path("/a{/b"), None);
    }

    #[test]
    fn code_path_matching() {
        assert!(m("/api/users/:id", "/api/users/7"));
        assert!(!m("/api/users/:id", "/api/users"));
        assert!(m("/a/:b?", "/a"));
        assert!(m("/a/:b?", "/a/x"));
        assert!(!m("/a/:b?", "/a/x/y"));
        assert!(m("*", "/"));
        assert!(m("*", "/anything/at/all"));
        assert!(m("/files/*", "/files/a/b"));
        assert!(m("/users{/:id}", "/users"));
        assert!(!m("/a{/b}/c", "/a/x/c"));
        assert!(m("/a{/b}/c", "/a/c"));
        assert!(m("/a{/b}/c", "/a/b/c"));
    }

    // --- Matching ---------------------------------------------------------

    #[test]
    fn dynamic_matching() {
        let r = route_of("app/api/jobs/[id]/route.ts");
        assert!(r.matches(&[lit("/api/jobs/123")]));
        assert!(r.matches(&[lit("/api/jobs/"), PathPiece::Any]));
        assert!(r.matches(&[lit("/api/jobs/job-"), PathPiece::Any]));
        assert!(!r.matches(&[lit("/api/jobs")]));
        assert!(!r.matches(&[lit("/api/jobs/")]));
        assert!(!r.matches(&[lit("/api/jobs/1/2")]));
        assert!(!r.matches(&[lit("/api/jobs/"), PathPiece::Any, lit("/x")]));
        // A trailing Any stays in one segment without a catch-all.
        assert!(r.matches(&[lit("/api/"), PathPiece::Any, lit("/1")]));
        assert!(!r.matches(&[lit("/api/"), PathPiece::Any]));
        assert!(!r.matches(&[lit("/api/users/1")]));
    }

    #[test]
    fn static_matching() {
        let r = route_of("app/api/jobs/route.ts");
        assert!(r.matches(&[lit("/api/jobs")]));
        assert!(r.matches(&[lit("/api/jobs/")]));
        assert!(r.matches(&[lit("api/jobs")]));
        assert!(r.matches(&[lit("/api/jobs?x=1")]));
        assert!(r.matches(&[lit("/api/jobs/?x=1&y=/a/b")]));
        assert!(r.matches(&[lit("/api/jobs#frag")]));
        assert!(r.matches(&[lit("/api//jobs")]));
        assert!(!r.matches(&[lit("/api/Jobs")]));
        assert!(!r.matches(&[lit("/api/jobs2")]));
        assert!(!r.matches(&[lit("/api")]));
        assert!(!r.matches(&[lit("/api/jobs/x")]));
        assert!(!r.matches(&[lit("/")]));
        // Unknown runs inside a segment.
        assert!(r.matches(&[lit("/api/"), PathPiece::Any]));
        assert!(r.matches(&[lit("/api/j"), PathPiece::Any, lit("s")]));
        assert!(r.matches(&[lit("/api/jobs"), PathPiece::Any]));
        assert!(r.matches(&[PathPiece::Any, lit("/jobs")]));
        assert!(!r.matches(&[lit("/api/x"), PathPiece::Any]));
        assert!(!r.matches(&[lit("/api/"), PathPiece::Any, lit("x")]));
        // An Any made segment is not empty.
        assert!(!r.matches(&[lit("/api/jobs/"), PathPiece::Any]));
        // Unknown query text after the path.
        assert!(r.matches(&[lit("/api/jobs?id="), PathPiece::Any]));
        assert!(r.matches(&[lit("/api/jobs"), PathPiece::Any, lit("?a=1")]));
    }

    #[test]
    fn root_matching() {
        let root = pat(vec![]);
        assert!(root.matches(&[lit("/")]));
        assert!(root.matches(&[lit("")]));
        assert!(root.matches(&[]));
        assert!(root.matches(&[lit("/?a=b")]));
        assert!(!root.matches(&[lit("/a")]));
        assert!(!root.matches(&[lit("/"), PathPiece::Any]));
    }

    #[test]
    fn catch_all_matching() {
        let r = route_of("app/api/files/[...slug]/route.ts");
        assert!(!r.matches(&[lit("/api/files")]));
        assert!(!r.matches(&[lit("/api/files/")]));
        assert!(r.matches(&[lit("/api/files/a")]));
        assert!(r.matches(&[lit("/api/files/a/b/c")]));
        assert!(r.matches(&[lit("/api/files/"), PathPiece::Any]));
        assert!(r.matches(&[lit("/api/files/a/"), PathPiece::Any, lit("/c")]));
        // A trailing Any may span segments before a catch-all.
        assert!(r.matches(&[lit("/api/"), PathPiece::Any]));
        assert!(r.matches(&[lit("/"), PathPiece::Any]));
        assert!(r.matches(&[lit("/api/fi"), PathPiece::Any]));
        assert!(!r.matches(&[lit("/api/x"), PathPiece::Any]));
        assert!(!r.matches(&[lit("/other/"), PathPiece::Any]));
        assert!(!r.matches(&[lit("/api/other/a")]));
    }

    #[test]
    fn optional_catch_all_matching() {
        let r = route_of("app/api/files/[[...slug]]/route.ts");
        assert!(r.matches(&[lit("/api/files")]));
        assert!(r.matches(&[lit("/api/files/")]));
        assert!(r.matches(&[lit("/api/files/a/b")]));
        assert!(r.matches(&[lit("/api/"), PathPiece::Any]));
        assert!(!r.matches(&[lit("/api")]));
        assert!(!r.matches(&[lit("/api/other")]));

        let mid = pat(vec![st("a"), OptionalCatchAll, st("z")]);
        assert!(mid.matches(&[lit("/a/z")]));
        assert!(mid.matches(&[lit("/a/b/c/z")]));
        assert!(!mid.matches(&[lit("/a/b/c")]));
        // No catch-all at the end: a trailing Any is one segment.
        assert!(mid.matches(&[lit("/a/"), PathPiece::Any]));
        assert!(!mid.matches(&[lit("/b/"), PathPiece::Any]));
    }

    #[test]
    fn optional_segments_matching() {
        let r = route_of("app/routes/($lang).api.jobs.ts");
        assert!(r.matches(&[lit("/api/jobs")]));
        assert!(r.matches(&[lit("/en/api/jobs")]));
        assert!(!r.matches(&[lit("/en/us/api/jobs")]));
        let r = route_of("app/routes/(en).api.ts");
        assert!(r.matches(&[lit("/api")]));
        assert!(r.matches(&[lit("/en/api")]));
        assert!(!r.matches(&[lit("/de/api")]));
        let r = route_of("src/routes/[[lang]]/hook/+server.ts");
        assert!(r.matches(&[lit("/hook")]));
        assert!(r.matches(&[lit("/fr/hook")]));
        assert!(r.matches(&[PathPiece::Any, lit("/hook")]));
    }

    #[test]
    fn scheme_and_host_tolerated() {
        let r = route_of("app/api/jobs/route.ts");
        assert!(r.matches(&[lit("https://example.com/api/jobs")]));
        assert!(r.matches(&[lit("https://"), PathPiece::Any, lit("/api/jobs?x=1")]));
        assert!(!r.matches(&[lit("https://example.com/api/job")]));
        assert!(!r.matches(&[lit("https://example.com")]));
    }

    #[test]
    fn base_path() {
        let r = route_of("app/api/x/route.ts").with_base_path("/docs");
        assert_eq!(r.display(), "/docs/api/x");
        assert!(r.matches(&[lit("/docs/api/x")]));
        assert!(!r.matches(&[lit("/api/x")]));
        assert_eq!(pat(vec![]).with_base_path("/docs/").display(), "/docs");
        assert_eq!(pat(vec![Dynamic]).with_base_path("").display(), "/[param]");
        assert_eq!(
            route_of("app/route.ts").with_base_path("/a/b").segments,
            vec![st("a"), st("b")]
        );
    }

    #[test]
    fn display() {
        assert_eq!(pat(vec![]).display(), "/");
        assert_eq!(
            pat(vec![
                st("api"),
                Dynamic,
                CatchAll,
                OptionalCatchAll,
                Optional("en".into()),
                OptionalDynamic
            ])
            .display(),
            "/api/[param]/[...path]/[[...path]]/(en)/[[param]]"
        );
    }

    #[test]
    fn glob() {
        let seg = |pieces: &[Tok]| pieces.to_vec();
        let c = Tok::Char;
        assert!(glob_fits(&seg(&[Tok::Any]), "x"));
        assert!(!glob_fits(&seg(&[Tok::Any]), ""));
        assert!(glob_fits(&seg(&[c('a'), Tok::Any, c('c')]), "abbbc"));
        assert!(glob_fits(&seg(&[c('a'), Tok::Any, c('c')]), "ac"));
        assert!(!glob_fits(&seg(&[c('a'), Tok::Any, c('c')]), "acb"));
        assert!(glob_fits(&seg(&[Tok::Any, c('b'), Tok::Any]), "abc"));
        assert!(!glob_fits(&seg(&[c('a')]), "ab"));
    }

    // --- next.config basePath ---------------------------------------------

    #[test]
    fn base_path_from_config() {
        let b = next_base_path;
        assert_eq!(
            b(r#"module.exports = { basePath: "/docs" }"#),
            Some("/docs".into())
        );
        assert_eq!(
            b("const nextConfig = {\n  basePath: '/docs',\n  reactStrictMode: true,\n};\nexport default nextConfig;"),
            Some("/docs".into())
        );
        assert_eq!(
            b("export default { basePath: `/app/` }"),
            Some("/app".into())
        );
        assert_eq!(b(r#"{ "basePath": "/docs" }"#), Some("/docs".into()));
        assert_eq!(
            b("const config: NextConfig = { basePath: \"/docs\" as const };"),
            Some("/docs".into())
        );
        assert_eq!(
            b("const BASE = '/docs';\nmodule.exports = { basePath: BASE };"),
            Some("/docs".into())
        );
        assert_eq!(
            b("const basePath = '/docs';\nmodule.exports = { basePath };"),
            Some("/docs".into())
        );
        assert_eq!(
            b("const c = {};\nc.basePath = \"/docs\"\nmodule.exports = c"),
            Some("/docs".into())
        );
        assert_eq!(
            b("// basePath: '/old'\nmodule.exports = { basePath: '/docs' }"),
            Some("/docs".into())
        );
    }

    #[test]
    fn base_path_from_config_negatives() {
        let b = next_base_path;
        assert_eq!(b("module.exports = { reactStrictMode: true }"), None);
        assert_eq!(b("module.exports = { basePath: '' }"), None);
        assert_eq!(
            b("module.exports = { basePath: process.env.BASE_PATH }"),
            None
        );
        assert_eq!(
            b("module.exports = { basePath: isProd ? '/docs' : '' }"),
            None
        );
        assert_eq!(b("module.exports = { basePath: '/docs' + suffix }"), None);
        assert_eq!(b("module.exports = { basePath: `/${x}` }"), None);
        assert_eq!(b("module.exports = { /* basePath: '/docs' */ }"), None);
        assert_eq!(b("// basePath: '/docs'\nmodule.exports = {}"), None);
        assert_eq!(b("module.exports = { basePath: BASE }"), None);
        assert_eq!(
            b("module.exports = { basePath: '/a' };\nother.basePath = '/b';"),
            None
        );
        assert_eq!(b("if (cfg.basePath === '/docs') {}"), None);
        assert_eq!(b("module.exports = { myBasePath: '/docs' }"), None);
        assert_eq!(b("module.exports = { basePath: '/docs"), None);
        assert_eq!(b(""), None);
    }

    #[test]
    fn vercel_functions_under_api() {
        let v = |rel: &str| vercel_route(rel).map(|p| p.display());
        assert_eq!(v("api/hello.ts").as_deref(), Some("/api/hello"));
        assert_eq!(
            v("api/users/[id].js").as_deref(),
            Some("/api/users/[param]")
        );
        assert_eq!(v("api/index.ts").as_deref(), Some("/api"));
        assert_eq!(
            v("api/files/[...path].mts").as_deref(),
            Some("/api/files/[...path]")
        );
        for no in [
            "api/_lib/db.ts",
            "api/.hidden.ts",
            "api/_helper.ts",
            "api/x.test.ts",
            "api/types.d.ts",
            "src/api/x.ts",
            "api/readme.md",
        ] {
            assert_eq!(v(no), None, "{no}");
        }
    }

    #[test]
    fn netlify_function_names() {
        assert_eq!(netlify_function("hello.ts").as_deref(), Some("hello"));
        assert_eq!(
            netlify_function("hello/index.mts").as_deref(),
            Some("hello")
        );
        assert_eq!(netlify_function("hello/hello.js").as_deref(), Some("hello"));
        assert_eq!(netlify_function("hello/util.ts"), None);
        assert_eq!(netlify_function("_shared/db.ts"), None);
        assert_eq!(netlify_function("a/b/c.ts"), None);
        assert_eq!(
            netlify_default_route("hello").display(),
            "/.netlify/functions/hello"
        );
    }

    #[test]
    fn gateway_paths() {
        let g = |p: &str| gateway_path(p).map(|p| p.display());
        assert_eq!(g("/users/{id}").as_deref(), Some("/users/[param]"));
        assert_eq!(g("/files/{proxy+}").as_deref(), Some("/files/[...path]"));
        assert_eq!(g("/plain").as_deref(), Some("/plain"));
    }
}
