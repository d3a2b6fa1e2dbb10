//! `--stress`: the engine on generated worst-case constructs, each at three
//! sizes (N, 2N, 4N), to show how its time grows with the construct's size.
//!
//! Each point is a small project of its own (a `package.json` and a
//! `.git/HEAD`, so it is its own project root) whose files are realistic
//! TypeScript that uses QStash, so the prefilter lets them through and the
//! engine analyses them. Every point runs `engine::run` with the main pass's
//! options in a child process (see child.rs), `--runs` times; a run that
//! passes `--stress-cap` (60 s) is killed, shown as `>60s`, and the larger
//! sizes of that construct are skipped.
//!
//! Base sizes: where the issue names a final size, N is a quarter of it, so
//! the 4N point is that size (10,000 functions for 40,000; 50 barrels and
//! 250 call sites for 200 barrels and 1,000 call sites). Elsewhere N is the
//! size the issue gives, and 4N is four times it.

use crate::{child, pool, work_dir, Args};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// A doubling may cost at most this much (a linear engine is ~2x, less
/// while fixed costs dominate).
const MAX_GROWTH: f64 = 2.2;
/// The 4N point must finish within this many seconds.
const MAX_SECONDS_4N: f64 = 1.0;
/// Growth is only judged when the larger of the two times is at least this
/// long: below it, process and timer noise decide the ratio, not the engine.
const GROWTH_FLOOR_S: f64 = 0.05;

/// Writes one point's project; returns how many diagnostics it plants.
type Generate = fn(&Path, usize) -> std::io::Result<usize>;

struct Construct {
    name: &'static str,
    /// What N counts, shown next to it.
    unit: &'static str,
    /// N.
    base: usize,
    generate: Generate,
}

const CONSTRUCTS: &[Construct] = &[
    Construct {
        name: "self-feeding reassignment",
        unit: "reassigns",
        base: 16,
        generate: gen_self_feeding,
    },
    Construct {
        name: "recursive helpers",
        unit: "helpers",
        base: 50,
        generate: gen_recursive,
    },
    Construct {
        name: "barrels",
        unit: "barrels",
        base: 50,
        generate: gen_barrels,
    },
    Construct {
        name: "routes x destinations",
        unit: "routes",
        base: 400,
        generate: gen_routes,
    },
    Construct {
        name: "assignment chain",
        unit: "links",
        base: 5_000,
        generate: gen_assignment_chain,
    },
    Construct {
        name: "ternary chain",
        unit: "branches",
        base: 5_000,
        generate: gen_ternary_chain,
    },
    Construct {
        name: "else-if chain",
        unit: "branches",
        base: 5_000,
        generate: gen_else_if_chain,
    },
    Construct {
        name: "arrow chain",
        unit: "arrows",
        base: 5_000,
        generate: gen_arrow_chain,
    },
    Construct {
        name: "template literal",
        unit: "parts",
        base: 5_000,
        generate: gen_template,
    },
    Construct {
        name: "send helper calls",
        unit: "routes",
        base: 400,
        generate: gen_send_helpers,
    },
    Construct {
        name: "many functions",
        unit: "functions",
        base: 10_000,
        generate: gen_many_functions,
    },
];

/// How one point (one construct at one size) ended.
enum Point {
    /// Median seconds over the runs, and the last run's report.
    Timed(f64, child::Report),
    TimedOut,
    OutOfMemory,
    Failed(String),
    /// Not run: a smaller size of the same construct did not finish.
    Skipped,
}

impl Point {
    fn seconds(&self) -> Option<f64> {
        match self {
            Point::Timed(s, _) => Some(*s),
            _ => None,
        }
    }

    fn cell(&self, cap: &str) -> String {
        match self {
            Point::Timed(s, _) => format!("{s:.3}"),
            Point::TimedOut => format!(">{cap}s"),
            Point::OutOfMemory => format!(">{}GiB", child::MEM_CAP_KIB / (1024 * 1024)),
            Point::Failed(_) => "failed".into(),
            Point::Skipped => "-".into(),
        }
    }
}

/// `t(big) / t(small)`, and whether it breaks the growth target.
fn growth(small: &Point, big: &Point) -> Option<(f64, bool)> {
    let (s, b) = (small.seconds()?, big.seconds()?);
    let ratio = b / s.max(1e-9);
    Some((ratio, ratio > MAX_GROWTH && b >= GROWTH_FLOOR_S))
}

pub fn run(args: &Args) -> Result<bool, String> {
    let selected: Vec<&Construct> = CONSTRUCTS
        .iter()
        .filter(|c| {
            args.stress_only.is_empty()
                || args.stress_only.iter().any(|w| c.name.contains(w.as_str()))
        })
        .collect();
    if selected.is_empty() {
        return Err(format!(
            "--stress-only matches no construct; the constructs are: {}",
            CONSTRUCTS
                .iter()
                .map(|c| c.name)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let (_tmp, root) = work_dir(args.dir.as_deref())?;
    let threads = pool(args.threads).current_num_threads();
    // `60`, or `0.5` for a fractional cap.
    let cap = format!("{}", args.stress_cap.as_secs_f64());
    println!(
        "stress set under {}{}: engine::run per point in a child process, {} threads, median of {} run{}, cap {} s per run",
        root.display(),
        if args.dir.is_some() { "" } else { " (temp, removed at exit)" },
        threads,
        args.runs,
        if args.runs == 1 { "" } else { "s" },
        cap,
    );
    println!(
        "targets: at most {MAX_GROWTH}x per doubling (judged when the larger time is >= {GROWTH_FLOOR_S} s), under {MAX_SECONDS_4N} s at 4N"
    );
    println!();
    println!(
        "{:<26} {:>6} {:<9} {:>8} {:>8} {:>8} {:>7} {:>7} {:>8} {:>17}  verdict",
        "construct",
        "N",
        "(counts)",
        "N s",
        "2N s",
        "4N s",
        "2N/N",
        "4N/2N",
        "peak MiB",
        "diags N/2N/4N"
    );

    let mut misses: Vec<String> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    let mut unexpected: Vec<String> = Vec::new();
    for c in &selected {
        print!("{:<26} {:>6} {:<9}", c.name, c.base, c.unit);
        let _ = std::io::stdout().flush();
        let mut points: Vec<Point> = Vec::new();
        let mut planted: Vec<usize> = Vec::new();
        for mult in [1, 2, 4] {
            if points.last().is_some_and(|p| p.seconds().is_none()) {
                points.push(Point::Skipped);
                print!(" {:>8}", "-");
                continue;
            }
            let size = c.base * mult;
            let dir = root.join(slug(c.name)).join(size.to_string());
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            planted.push(
                (c.generate)(&dir, size)
                    .map_err(|e| format!("cannot write {}: {e}", dir.display()))?,
            );
            let point = measure(&dir, args);
            if let Point::Timed(_, r) = &point {
                if r.diagnostics != planted[planted.len() - 1] || r.notices > 0 {
                    unexpected.push(format!(
                        "{} at {size}: {} diagnostics and {} notices, {} planted",
                        c.name,
                        r.diagnostics,
                        r.notices,
                        planted[planted.len() - 1]
                    ));
                }
            }
            if let Point::Failed(msg) = &point {
                failures.push(format!("{} at {size}: {msg}", c.name));
            }
            print!(" {:>8}", point.cell(&cap));
            let _ = std::io::stdout().flush();
            points.push(point);
        }

        let ratios = [
            growth(&points[0], &points[1]),
            growth(&points[1], &points[2]),
        ];
        for r in ratios {
            match r {
                Some((x, bad)) => print!(" {:>6.2}{}", x, if bad { "!" } else { "x" }),
                None => print!(" {:>7}", "-"),
            }
        }
        let peak = points
            .iter()
            .filter_map(|p| match p {
                Point::Timed(_, r) => r.vmhwm_kib,
                _ => None,
            })
            .max();
        match peak {
            Some(k) => print!(" {:>8.1}", k as f64 / 1024.0),
            None => print!(" {:>8}", "-"),
        }
        // `*`: not the number planted; `+Kn`: K notices (a file not linted).
        let diags = points
            .iter()
            .zip(
                planted
                    .iter()
                    .copied()
                    .map(Some)
                    .chain(std::iter::repeat(None)),
            )
            .map(|(p, want)| match p {
                Point::Timed(_, r) => format!(
                    "{}{}{}",
                    r.diagnostics,
                    if want == Some(r.diagnostics) { "" } else { "*" },
                    if r.notices > 0 {
                        format!("+{}n", r.notices)
                    } else {
                        String::new()
                    }
                ),
                _ => "-".into(),
            })
            .collect::<Vec<_>>()
            .join("/");
        print!(" {diags:>17}");

        let mut reasons: Vec<&str> = Vec::new();
        if points.iter().any(|p| matches!(p, Point::TimedOut)) {
            reasons.push("timeout");
        }
        if points.iter().any(|p| matches!(p, Point::OutOfMemory)) {
            reasons.push("memory");
        }
        if points.iter().any(|p| matches!(p, Point::Failed(_))) {
            reasons.push("failed");
        }
        if ratios.iter().flatten().any(|&(_, bad)| bad) {
            reasons.push("growth");
        }
        if points[2].seconds().is_some_and(|s| s >= MAX_SECONDS_4N) {
            reasons.push("slow");
        }
        if reasons.is_empty() {
            println!("  ok");
        } else {
            println!("  {}", reasons.join(","));
            misses.push(format!("{} ({})", c.name, reasons.join(",")));
        }
    }
    println!();
    for f in &failures {
        println!("failed: {f}");
    }
    for u in &unexpected {
        println!("not as planted (*): {u}");
    }
    if misses.is_empty() {
        println!(
            "stress: every construct stayed within {MAX_GROWTH}x per doubling and under {MAX_SECONDS_4N} s at 4N: yes"
        );
    } else {
        println!(
            "stress: every construct stayed within {MAX_GROWTH}x per doubling and under {MAX_SECONDS_4N} s at 4N: no ({})",
            misses.join("; ")
        );
    }
    // A crash is a failure of the bench; a missed target only under
    // --stress-strict.
    Ok(failures.is_empty() && (!args.stress_strict || misses.is_empty()))
}

/// One point: `--runs` child runs, the median reported. The first run that
/// does not finish ends the point.
fn measure(dir: &Path, args: &Args) -> Point {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..args.runs {
        match child::run(dir, args.threads, args.stress_cap) {
            child::Outcome::Done(r) => {
                times.push(r.seconds);
                last = Some(r);
            }
            child::Outcome::TimedOut(_) => return Point::TimedOut,
            child::Outcome::OutOfMemory(_) => return Point::OutOfMemory,
            child::Outcome::Failed(m) => return Point::Failed(m),
        }
    }
    times.sort_by(f64::total_cmp);
    match (times.get(times.len() / 2), last) {
        (Some(&m), Some(r)) => Point::Timed(m, r),
        _ => Point::Failed("no run".into()),
    }
}

fn slug(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

// ---------------------------------------------------------------------------
// Generators. Each writes one project at one size into an empty directory.
// ---------------------------------------------------------------------------

fn write(root: &Path, rel: &str, text: &str) -> std::io::Result<()> {
    let p = root.join(rel);
    if let Some(dir) = p.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(p, text)
}

/// `package.json` and `.git/HEAD`, so the directory is a project root.
fn skeleton(root: &Path, name: &str, deps: &str) -> std::io::Result<()> {
    write(root, ".git/HEAD", "ref: refs/heads/main\n")?;
    write(
        root,
        "package.json",
        &format!(
            "{{\n  \"name\": \"{name}\",\n  \"version\": \"0.1.0\",\n  \"private\": true,\n  \"type\": \"module\",\n  \"dependencies\": {{\n    \"@upstash/qstash\": \"^2.7.0\"{deps}\n  }},\n  \"devDependencies\": {{\n    \"typescript\": \"^5.6.0\"\n  }}\n}}\n"
        ),
    )
}

const IMPORT_CLIENT: &str = "import { Client } from \"@upstash/qstash\";\n\n";
const CLIENT: &str = "const qstash = new Client({ token: process.env.QSTASH_TOKEN! });\n\n";
/// A publish to a plain `http://` destination: one insecure-http-destination
/// finding, which shows the file was analysed at that size.
const MARKER: &str =
    "  await qstash.publishJSON({ url: \"http://example.com/api/plain\", body: {} });\n";

/// 1. `x = helper(x)` N times on a QStash client, then a publish through
///    `x`; and `err = err.cause` walks in two functions.
fn gen_self_feeding(root: &Path, n: usize) -> std::io::Result<usize> {
    skeleton(root, "stress-self-feeding", "")?;
    let mut s = String::from("import { Client, Receiver } from \"@upstash/qstash\";\n\n");
    s.push_str(
        "/** Returns the client it is given (a stand-in for a wrapper that adds logging). */\n",
    );
    s.push_str("function helper(c: Client): Client {\n  return c;\n}\n\n");
    s.push_str("export async function enqueue(): Promise<void> {\n");
    s.push_str("  let x = new Client({ token: process.env.QSTASH_TOKEN! });\n");
    for _ in 0..n {
        s.push_str("  x = helper(x);\n");
    }
    s.push_str("  await x.publishJSON({ url: \"https://example.com/api/a\", body: {} });\n");
    // The marker goes through the reassigned client itself.
    s.push_str("  await x.publishJSON({ url: \"http://example.com/api/plain\", body: {} });\n");
    s.push_str("}\n\n");
    s.push_str(
        r#"const receiver = new Receiver({
  currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY!,
  nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY!,
});

export function rootCause(e: unknown): unknown {
  let err: any = e;
  while (err) {
    err = err.cause;
  }
  return err;
}

export async function POST(req: Request): Promise<Response> {
  const body = await req.text();
  try {
    await receiver.verify({
      signature: req.headers.get("upstash-signature") ?? "",
      body,
      url: "https://example.com/api/a",
    });
  } catch (e) {
    let err: any = e;
    while (err) {
      console.error(err.message);
      err = err.cause;
    }
    return new Response("invalid signature", { status: 401 });
  }
  return new Response("ok");
}
"#,
    );
    write(root, "src/jobs.ts", &s)?;
    // Two unhandled publishes and the plain-http marker.
    Ok(3)
}

/// 2. A doubly recursive URL helper, N chained helpers that each call the
///    next twice, and a function with two self-calls, all used as urls.
fn gen_recursive(root: &Path, n: usize) -> std::io::Result<usize> {
    skeleton(root, "stress-recursive", "")?;
    let mut s = String::from(IMPORT_CLIENT);
    s.push_str(CLIENT);
    s.push_str(
        r#"export function u(n: number): string {
  if (n <= 0) return "https://example.com/api/x";
  if (n % 2) return u(n - 1) + "/a";
  return u(n - 2) + "/b";
}

export function f(path: string, depth: number): string {
  if (path.endsWith("/")) return f(path.slice(0, -1), depth + 1);
  if (path.startsWith("/")) return f(path.slice(1), depth + 1);
  return `https://example.com/api/${path}`;
}

"#,
    );
    let last = n.max(1) - 1;
    for i in 0..last {
        let _ = writeln!(
            s,
            "function h{i}(): string {{\n  return h{j}() + h{j}();\n}}\n",
            j = i + 1
        );
    }
    let _ = writeln!(
        s,
        "function h{last}(): string {{\n  return \"https://example.com/api/h\";\n}}\n"
    );
    s.push_str("export async function schedule(): Promise<void> {\n");
    s.push_str("  await qstash.publishJSON({ url: h0(), body: {} });\n");
    s.push_str("  await qstash.publishJSON({ url: u(7), body: {} });\n");
    s.push_str("  await qstash.publishJSON({ url: f(\"/jobs/\", 0), body: {} });\n");
    s.push_str(MARKER);
    s.push_str("}\n");
    write(root, "src/urls.ts", &s)?;
    // Four unhandled publishes and the plain-http marker.
    Ok(5)
}

/// 3. A chain of N barrels behind a tsconfig `paths` alias, the last one
///    defining a QStash client and `cn`, and 5N call sites (1,000 at 200
///    barrels) over 100 app files.
fn gen_barrels(root: &Path, n: usize) -> std::io::Result<usize> {
    skeleton(root, "stress-barrels", ",\n    \"react\": \"^18.3.0\"")?;
    write(
        root,
        "tsconfig.json",
        r#"{
  "compilerOptions": {
    "target": "ES2022",
    "module": "ESNext",
    "moduleResolution": "Bundler",
    "jsx": "preserve",
    "strict": true,
    "baseUrl": ".",
    "paths": {
      "@lib/*": ["packages/lib/src/*"]
    }
  },
  "include": ["**/*.ts", "**/*.tsx"]
}
"#,
    )?;
    write(
        root,
        "packages/lib/package.json",
        "{\n  \"name\": \"@acme/lib\",\n  \"version\": \"0.0.0\",\n  \"private\": true\n}\n",
    )?;
    let n = n.max(1);
    for i in 0..n - 1 {
        let mut s = format!("export * from \"./b{}\";\n", i + 1);
        if i % 4 == 0 {
            let _ = writeln!(
                s,
                "export {{ cn as cn{i}, qstash as client{i} }} from \"./b{}\";",
                i + 1
            );
        }
        let _ = write!(s, "\nexport const LAYER_{i} = {i};\n");
        write(root, &format!("packages/lib/src/b{i}.ts"), &s)?;
    }
    write(
        root,
        &format!("packages/lib/src/b{}.ts", n - 1),
        &format!(
            "{IMPORT_CLIENT}export const qstash = new Client({{ token: process.env.QSTASH_TOKEN! }});\n\nexport function cn(...a: string[]) {{\n  return a.join(\" \");\n}}\n\nexport const LAYER_{} = {};\n",
            n - 1,
            n - 1
        ),
    )?;

    const FILES: usize = 100;
    let sites = 5 * n;
    let mut k = 0;
    let mut published = 0;
    for j in 0..FILES {
        let count = sites / FILES + usize::from(j < sites % FILES);
        let publishes = j % 4 == 0;
        let mut buttons = String::new();
        let mut jobs = String::new();
        for m in 0..count {
            if publishes && m % 2 == 0 {
                published += 1;
                let _ = writeln!(
                    jobs,
                    "  await qstash.publishJSON({{ url: \"https://example.com/api/jobs/{k}\", body: {{ id }} }});"
                );
            } else {
                let _ = writeln!(
                    buttons,
                    "      <button className={{cn(\"btn\", \"btn-{k}\", open ? \"open\" : \"closed\")}} onClick={{() => setOpen(!open)}}>\n        {{label}}\n      </button>"
                );
            }
            k += 1;
        }
        if j == 0 {
            jobs.push_str(MARKER);
        }
        let import = if publishes || j == 0 {
            "import { cn, qstash } from \"@lib/b0\";"
        } else {
            "import { cn } from \"@lib/b0\";"
        };
        let mut s = format!(
            "import {{ useMemo, useState }} from \"react\";\n{import}\n\nexport function Widget{j}({{ active }}: {{ active: boolean }}) {{\n  const [open, setOpen] = useState(false);\n  const label = useMemo(() => (open ? \"Close\" : \"Open\"), [open]);\n  return (\n    <div className={{cn(\"widget\", active ? \"on\" : \"off\")}}>\n{buttons}    </div>\n  );\n}}\n"
        );
        if !jobs.is_empty() {
            let _ = write!(
                s,
                "\nexport async function enqueue{j}(id: string): Promise<void> {{\n{jobs}}}\n"
            );
        }
        write(root, &format!("apps/web/src/widgets/w{j}.tsx"), &s)?;
    }
    // Every publish unhandled, and the marker (unhandled and plain http).
    Ok(published + 2)
}

/// 4. N Next.js route handlers, half verified and half not, and N
///    publishes, one per route, each from its own file.
fn gen_routes(root: &Path, n: usize) -> std::io::Result<usize> {
    skeleton(root, "stress-routes", ",\n    \"next\": \"^15.0.0\"")?;
    for i in 0..n {
        let text = if i % 2 == 0 {
            format!(
                "import {{ verifySignatureAppRouter }} from \"@upstash/qstash/nextjs\";\n\nasync function handler(req: Request) {{\n  const body = await req.json();\n  return Response.json({{ ok: true, route: {i}, received: body }});\n}}\n\nexport const POST = verifySignatureAppRouter(handler);\n"
            )
        } else {
            "export async function POST(req: Request) {\n  return new Response(\"ok\");\n}\n"
                .to_string()
        };
        write(root, &format!("app/api/r{i}/route.ts"), &text)?;
    }
    for k in 0..n {
        let text = format!(
            "{IMPORT_CLIENT}{CLIENT}export async function publish{k}(): Promise<void> {{\n  await qstash.publishJSON({{ url: `${{process.env.APP_URL}}/api/r{k}`, body: {{}} }});\n}}\n"
        );
        write(root, &format!("lib/publish{k}.ts"), &text)?;
    }
    // Every publish unhandled; every unverified route a publish targets.
    Ok(n + n / 2)
}

/// 4b. N routes, each reached through one send helper that takes its
///     destination as a parameter, called from N files: every call is
///     resolved to the helper and every route linked (half verified).
fn gen_send_helpers(root: &Path, n: usize) -> std::io::Result<usize> {
    skeleton(root, "stress-send-helpers", ",\n    \"next\": \"^15.0.0\"")?;
    for i in 0..n {
        let text = if i % 2 == 0 {
            "import { verifySignatureAppRouter } from \"@upstash/qstash/nextjs\";\n\nasync function handler(req: Request) {\n  return Response.json(await req.json());\n}\n\nexport const POST = verifySignatureAppRouter(handler);\n".to_string()
        } else {
            "export async function POST(req: Request) {\n  return new Response(\"ok\");\n}\n"
                .to_string()
        };
        write(root, &format!("app/api/r{i}/route.ts"), &text)?;
    }
    write(
        root,
        "lib/queue.ts",
        &format!(
            "{IMPORT_CLIENT}{CLIENT}export async function publishTo(path: string): Promise<void> {{\n  await qstash.publishJSON({{ url: `${{process.env.APP_URL}}${{path}}`, body: {{}} }});\n}}\n"
        ),
    )?;
    for k in 0..n {
        let text = format!(
            "import {{ publishTo }} from \"./queue\";\n\nexport async function call{k}(): Promise<void> {{\n  try {{\n    await publishTo(\"/api/r{k}\");\n  }} catch (e) {{\n    console.error(e);\n  }}\n}}\n"
        );
        write(root, &format!("lib/call{k}.ts"), &text)?;
    }
    // Every call handled; every unverified route a call names.
    Ok(n / 2)
}

/// One `src/<name>.ts`: the client, then `body`, which ends inside an
/// async function, then `publish` and the marker to close that function.
/// Returns the diagnostics planted: the marker's two (unhandled, plain
/// http) and one unhandled publish for each of `publishes`.
fn one_file(
    root: &Path,
    name: &str,
    body: &str,
    publish: &str,
    publishes: usize,
) -> std::io::Result<usize> {
    skeleton(root, &format!("stress-{name}"), "")?;
    let text = format!("{IMPORT_CLIENT}{CLIENT}{body}{publish}{MARKER}}}\n");
    write(root, &format!("src/{name}.ts"), &text)?;
    Ok(publishes + 2)
}

/// 5a. `a = a = … = "https://…"` with N `a =`.
fn gen_assignment_chain(root: &Path, n: usize) -> std::io::Result<usize> {
    let mut s =
        String::from("export async function assign(): Promise<void> {\n  let a: string;\n  ");
    // Twenty links a line: the chain on one 80 KB line would be taken for
    // minified code and not parsed at all.
    for i in 0..n {
        s.push_str(if i > 0 && i % 20 == 0 {
            "\n    a = "
        } else {
            "a = "
        });
    }
    s.push_str("\"https://example.com/api/assign\";\n");
    one_file(
        root,
        "assign",
        &s,
        "  await qstash.publishJSON({ url: a, body: {} });\n",
        1,
    )
}

/// 5b. `c.k0 ? "…/0" : c.k1 ? "…/1" : …` with N conditions.
fn gen_ternary_chain(root: &Path, n: usize) -> std::io::Result<usize> {
    let mut s = String::from(
        "export async function ternary(c: Record<string, boolean>): Promise<void> {\n  const u =\n",
    );
    for i in 0..n {
        let _ = writeln!(s, "    c.k{i} ? \"https://example.com/api/t{i}\" :");
    }
    s.push_str("    \"https://example.com/api/t-default\";\n");
    one_file(
        root,
        "ternary",
        &s,
        "  await qstash.publishJSON({ url: u, body: {} });\n",
        1,
    )
}

/// 5c. A function returning a URL from an if/else-if chain of N branches.
fn gen_else_if_chain(root: &Path, n: usize) -> std::io::Result<usize> {
    let mut s = String::from("function dest(k: number): string {\n");
    for i in 0..n {
        let _ = writeln!(
            s,
            "  {}if (k === {i}) {{\n    return \"https://example.com/api/i{i}\";\n  }}",
            if i == 0 { "" } else { "else " }
        );
    }
    s.push_str("  else {\n    return \"https://example.com/api/i-default\";\n  }\n}\n\n");
    s.push_str("export async function branch(k: number): Promise<void> {\n");
    one_file(
        root,
        "branch",
        &s,
        "  await qstash.publishJSON({ url: dest(k), body: {} });\n",
        1,
    )
}

/// 5d. `(a0) => (a1) => … => url`, N arrows deep, called N times.
fn gen_arrow_chain(root: &Path, n: usize) -> std::io::Result<usize> {
    let n = n.max(1);
    let mut s = String::from("const f =\n");
    for i in 0..n {
        let _ = writeln!(s, "  (a{i}: string) =>");
    }
    let _ = write!(
        s,
        "  `https://example.com/api/${{a0}}/${{a{}}}`;\n\nexport async function curried(): Promise<void> {{\n",
        n - 1
    );
    let mut call = String::from("f");
    for i in 0..n {
        let _ = write!(call, "(\"s{}\")", i % 10);
    }
    one_file(
        root,
        "curried",
        &s,
        &format!("  await qstash.publishJSON({{ url: {call}, body: {{}} }});\n"),
        1,
    )
}

/// 5e. A template literal URL with N substitutions.
fn gen_template(root: &Path, n: usize) -> std::io::Result<usize> {
    let mut s = String::new();
    for i in 0..n {
        let _ = writeln!(s, "const p{i} = \"s{i}\";");
    }
    s.push_str("\nexport async function templated(): Promise<void> {\n");
    let mut url = String::from("`https://example.com");
    for i in 0..n {
        let _ = write!(url, "/${{p{i}}}");
    }
    url.push('`');
    one_file(
        root,
        "templated",
        &s,
        &format!("  await qstash.publishJSON({{ url: {url}, body: {{}} }});\n"),
        1,
    )
}

/// 6. N small functions, each with its own `url` const, publishing it (even
///    ones) or returning it (odd ones).
fn gen_many_functions(root: &Path, n: usize) -> std::io::Result<usize> {
    let mut s = String::new();
    for i in 0..n {
        if i % 2 == 0 {
            let _ = writeln!(
                s,
                "export async function job{i}(body: Record<string, unknown>): Promise<void> {{\n  const url = `https://example.com/api/{i}`;\n  await qstash.publishJSON({{ url, body }});\n}}\n"
            );
        } else {
            let _ = writeln!(
                s,
                "export function url{i}(): string {{\n  const url = `https://example.com/api/{i}`;\n  return url;\n}}\n"
            );
        }
    }
    s.push_str("export async function marker(): Promise<void> {\n");
    one_file(root, "functions", &s, "", n.div_ceil(2))
}
