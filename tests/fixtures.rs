//! Each project under `fixtures/` must produce exactly the diagnostics in its
//! snapshot (`tests/snapshots/fixtures__<name>.snap`).

use assert_cmd::Command;
use std::path::Path;

fn run_fixture(name: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    let out = Command::cargo_bin("qstash-lint")
        .expect("binary builds")
        .args(["check", ".", "--format", "concise", "--color", "never"])
        .current_dir(&dir)
        .output()
        .expect("runs");
    format!(
        "exit code: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn every_fixture_has_a_snapshot_test() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("fixtures/ exists")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "aws-lambda",
            "cloudflare-worker",
            "express-app",
            "fastify-app",
            "hono-worker",
            "monorepo",
            "nestjs-app",
            "netlify-functions",
            "nextjs-app",
            "nextjs-pages",
            "node-scripts",
            "nuxt-app",
            "precision",
            "react-router-app",
            "remix-app",
            "supabase-functions",
            "sveltekit-app",
            "sveltekit-hooks",
            "vercel-functions",
            "workflow-app",
        ],
        "add a snapshot test for each new fixture"
    );
}

#[test]
fn nextjs_app() {
    insta::assert_snapshot!("nextjs-app", run_fixture("nextjs-app"));
}

#[test]
fn nestjs_app() {
    insta::assert_snapshot!("nestjs-app", run_fixture("nestjs-app"));
}

#[test]
fn node_scripts() {
    insta::assert_snapshot!("node-scripts", run_fixture("node-scripts"));
}

#[test]
fn nextjs_pages() {
    insta::assert_snapshot!("nextjs-pages", run_fixture("nextjs-pages"));
}

#[test]
fn express_app() {
    insta::assert_snapshot!("express-app", run_fixture("express-app"));
}

#[test]
fn fastify_app() {
    insta::assert_snapshot!("fastify-app", run_fixture("fastify-app"));
}

#[test]
fn hono_worker() {
    insta::assert_snapshot!("hono-worker", run_fixture("hono-worker"));
}

#[test]
fn sveltekit_app() {
    insta::assert_snapshot!("sveltekit-app", run_fixture("sveltekit-app"));
}

#[test]
fn nuxt_app() {
    insta::assert_snapshot!("nuxt-app", run_fixture("nuxt-app"));
}

#[test]
fn remix_app() {
    insta::assert_snapshot!("remix-app", run_fixture("remix-app"));
}

#[test]
fn workflow_app() {
    insta::assert_snapshot!("workflow-app", run_fixture("workflow-app"));
}

#[test]
fn monorepo() {
    insta::assert_snapshot!("monorepo", run_fixture("monorepo"));
}

#[test]
fn precision() {
    insta::assert_snapshot!("precision", run_fixture("precision"));
}

#[test]
fn vercel_functions() {
    insta::assert_snapshot!("vercel-functions", run_fixture("vercel-functions"));
}

#[test]
fn netlify_functions() {
    insta::assert_snapshot!("netlify-functions", run_fixture("netlify-functions"));
}

#[test]
fn aws_lambda() {
    insta::assert_snapshot!("aws-lambda", run_fixture("aws-lambda"));
}

#[test]
fn react_router_app() {
    insta::assert_snapshot!("react-router-app", run_fixture("react-router-app"));
}

#[test]
fn supabase_functions() {
    insta::assert_snapshot!("supabase-functions", run_fixture("supabase-functions"));
}

#[test]
fn cloudflare_worker() {
    insta::assert_snapshot!("cloudflare-worker", run_fixture("cloudflare-worker"));
}

#[test]
fn sveltekit_hooks() {
    insta::assert_snapshot!("sveltekit-hooks", run_fixture("sveltekit-hooks"));
}
