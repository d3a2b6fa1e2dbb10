//! Deployment platforms whose routes come from a folder convention or a
//! config rather than a framework's file names: Vercel Functions, Netlify
//! Functions, AWS Lambda (serverless.yml, SAM, SST) and React Router v7's
//! `app/routes.ts`. Each case is a small project on disk and the
//! receiver diagnostics it must (and must not) produce.

mod disk;

use disk::{path_line, path_line_rule, run_json, shown, write};
use std::path::Path;

/// `path:line [rule]` of every diagnostic, sorted.
fn lint(root: &Path) -> Vec<String> {
    shown(root, &["check", "."], |_| true, path_line_rule)
}

/// The related locations of the diagnostics in `path`.
fn related(root: &Path, path: &str) -> Vec<String> {
    run_json(root, &["check", "."])
        .0
        .iter()
        .filter(|d| d["path"] == path)
        .flat_map(|d| d["related"].as_array().cloned().unwrap_or_default())
        .map(|r| path_line(&r))
        .collect()
}

const PUBLISHER: &str = r#"import { Client } from "@upstash/qstash";
const qstash = new Client({ token: process.env.QSTASH_TOKEN! });
export async function send() {
  try {
    await qstash.publishJSON({ url: `${process.env.APP_URL}PATH`, body: {} });
  } catch (e) {
    console.error(e);
  }
}
"#;

fn publisher(path: &str) -> String {
    PUBLISHER.replace("PATH", path)
}

const UNVERIFIED_DEFAULT: &str =
    "export default async function handler(req, res) {\n  res.status(200).end();\n}\n";

#[test]
fn vercel_api_folder_outside_nextjs_links_and_names_the_publish() {
    let t = tempfile::tempdir().expect("tempdir");
    let r = t.path();
    write(
        r,
        "package.json",
        r#"{ "name": "x", "dependencies": { "@upstash/qstash": "2" } }"#,
    );
    write(r, "lib/send.ts", publisher("/api/hooks/abc"));
    write(r, "api/hooks/[id].ts", UNVERIFIED_DEFAULT);
    // Same path shape, but private: Vercel does not serve `_` files.
    write(r, "api/_hooks/[id].ts", UNVERIFIED_DEFAULT);
    assert_eq!(
        lint(r),
        ["api/hooks/[id].ts:1 [missing-signature-verification]"]
    );
    assert_eq!(related(r, "api/hooks/[id].ts"), ["lib/send.ts:5"]);
}

#[test]
fn a_nextjs_app_does_not_serve_a_root_api_folder() {
    let t = tempfile::tempdir().expect("tempdir");
    let r = t.path();
    write(
        r,
        "package.json",
        r#"{ "name": "x", "dependencies": { "@upstash/qstash": "2", "next": "15" } }"#,
    );
    write(r, "lib/send.ts", publisher("/api/hooks/abc"));
    write(r, "api/hooks/[id].ts", UNVERIFIED_DEFAULT);
    assert_eq!(lint(r), Vec::<String>::new());
}

#[test]
fn vercel_web_handlers_for_another_method_do_not_receive() {
    let t = tempfile::tempdir().expect("tempdir");
    let r = t.path();
    write(r, "package.json", r#"{ "name": "x" }"#);
    write(r, "lib/send.ts", publisher("/api/report"));
    write(
        r,
        "api/report.ts",
        "export function GET() { return new Response('ok'); }\nexport function POST() { return new Response('ok'); }\n",
    );
    write(
        r,
        "api/status.ts",
        "export function GET() { return new Response('ok'); }\n",
    );
    // POST receives the delivery; GET does not.
    assert_eq!(
        lint(r),
        ["api/report.ts:2 [missing-signature-verification]"]
    );
}

#[test]
fn netlify_default_directory_v1_and_v2_with_config_path() {
    let t = tempfile::tempdir().expect("tempdir");
    let r = t.path();
    write(r, "package.json", r#"{ "name": "x" }"#);
    write(
        r,
        "src/send.ts",
        r#"import { Client } from "@upstash/qstash";
const q = new Client({ token: process.env.QSTASH_TOKEN! });
export async function send() {
  try {
    await q.publishJSON({ url: `${process.env.URL}/.netlify/functions/worker`, body: {} });
    await q.publishJSON({ url: `${process.env.URL}/api/v2-hook`, body: {} });
    await q.publishJSON({ url: `${process.env.URL}/.netlify/functions/moved`, body: {} });
  } catch (e) {
    console.error(e);
  }
}
"#,
    );
    write(
        r,
        "netlify/functions/worker/worker.ts",
        "exports.handler = async (event) => ({ statusCode: 200, body: event.body });\n",
    );
    write(
        r,
        "netlify/functions/hook.mts",
        "export default async (req: Request) => new Response(await req.text());\nexport const config = { path: \"/api/v2-hook\" };\n",
    );
    // A v2 function with its own path is no longer served at
    // /.netlify/functions/<name>.
    write(
        r,
        "netlify/functions/moved.mts",
        "export default async (req: Request) => new Response('ok');\nexport const config = { path: [\"/elsewhere\"] };\n",
    );
    assert_eq!(
        lint(r),
        [
            "netlify/functions/hook.mts:1 [missing-signature-verification]",
            "netlify/functions/worker/worker.ts:1 [missing-signature-verification]",
        ]
    );
}

#[test]
fn sam_template_routes_to_the_esbuild_entry_point() {
    let t = tempfile::tempdir().expect("tempdir");
    let r = t.path();
    write(r, "package.json", r#"{ "name": "x" }"#);
    write(
        r,
        "template.yaml",
        r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  HookFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hook/
      Handler: app.lambdaHandler
      Events:
        Hook:
          Type: HttpApi
          Properties:
            Path: /hook
            Method: POST
            ApiId: !Ref HttpApi
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        EntryPoints:
          - app.ts
"#,
    );
    write(r, "src/send.ts", publisher("/hook"));
    write(
        r,
        "hook/app.ts",
        "export const lambdaHandler = async (event) => ({ statusCode: 200, body: event.body });\nexport const other = async () => ({ statusCode: 200 });\n",
    );
    assert_eq!(lint(r), ["hook/app.ts:1 [missing-signature-verification]"]);
}

#[test]
fn sst_at_the_workspace_root_declares_handlers_in_member_packages() {
    let t = tempfile::tempdir().expect("tempdir");
    let r = t.path();
    write(
        r,
        "package.json",
        r#"{ "name": "app", "private": true, "workspaces": ["packages/*"] }"#,
    );
    write(
        r,
        "sst.config.ts",
        r#"export default $config({
  app() { return { name: "app", home: "aws" }; },
  async run() {
    const api = new sst.aws.ApiGatewayV2("Api");
    api.route("POST /jobs/{id}", "packages/functions/src/job.handler");
    api.route("POST /verified", { handler: "packages/functions/src/verified.handler" });
  },
});
"#,
    );
    write(
        r,
        "packages/functions/package.json",
        r#"{ "name": "@app/functions" }"#,
    );
    write(r, "packages/functions/src/send.ts", publisher("/jobs/42"));
    write(
        r,
        "packages/functions/src/job.ts",
        "export async function handler(event) { return { statusCode: 200 }; }\n",
    );
    write(
        r,
        "packages/functions/src/verified.ts",
        r#"import { Receiver } from "@upstash/qstash";
const receiver = new Receiver({
  currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY!,
  nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY!,
});
export async function handler(event) {
  await receiver.verify({ signature: event.headers["upstash-signature"], body: event.body });
  return { statusCode: 200 };
}
"#,
    );
    assert_eq!(
        lint(r),
        ["packages/functions/src/job.ts:1 [missing-signature-verification]"]
    );
}

#[test]
fn react_router_flat_routes_keep_the_file_convention() {
    let t = tempfile::tempdir().expect("tempdir");
    let r = t.path();
    write(r, "package.json", r#"{ "name": "x" }"#);
    write(
        r,
        "app/routes.ts",
        r#"import { flatRoutes } from "@react-router/fs-routes";
import { route } from "@react-router/dev/routes";
export default [route("jobs/run", "jobs/run.ts"), ...(await flatRoutes())];
"#,
    );
    write(r, "app/send.server.ts", publisher("/api/hook"));
    write(
        r,
        "app/routes/api.hook.ts",
        "export async function action({ request }) { return new Response(await request.text()); }\n",
    );
    assert_eq!(
        lint(r),
        ["app/routes/api.hook.ts:1 [missing-signature-verification]"]
    );
}

#[test]
fn a_lambda_function_url_receives_when_it_reads_the_signature() {
    let t = tempfile::tempdir().expect("tempdir");
    let r = t.path();
    write(r, "package.json", r#"{ "name": "x" }"#);
    write(
        r,
        "serverless.yml",
        r#"service: hooks
functions:
  hook:
    handler: src/hook.handler
    url: true
  other:
    handler: src/other.handler
    url:
      cors: true
"#,
    );
    // Reads the signature and never checks it: an unverified receiver,
    // though no destination's path can name a function URL.
    write(
        r,
        "src/hook.ts",
        r#"export const handler = async (event) => {
  const signature = event.headers["upstash-signature"];
  console.log("signed by", signature);
  return { statusCode: 200 };
};
"#,
    );
    // A function URL that shows no sign of QStash is left alone.
    write(
        r,
        "src/other.ts",
        "export const handler = async () => ({ statusCode: 200 });\n",
    );
    assert_eq!(lint(r), ["src/hook.ts:1 [missing-signature-verification]"]);
}

/// A Lambda handler that serverless.yml serves at two paths receives a
/// destination that names either: the second path reaches it as surely as
/// the first (it used to be looked for at its first path only).
#[test]
fn a_lambda_handler_behind_two_paths_receives_at_either() {
    let t = tempfile::tempdir().expect("tempdir");
    let r = t.path();
    write(
        r,
        "package.json",
        r#"{ "name": "x", "dependencies": { "@upstash/qstash": "2" } }"#,
    );
    write(
        r,
        "serverless.yml",
        r#"service: hooks
functions:
  hook:
    handler: src/hook.handler
    events:
      - http:
          path: /status
          method: get
      - http:
          path: /jobs/run
          method: post
"#,
    );
    write(r, "lib/send.ts", publisher("/jobs/run"));
    write(
        r,
        "src/hook.ts",
        "export const handler = async (event) => ({ statusCode: 200, body: event.body });\n",
    );
    assert_eq!(lint(r), ["src/hook.ts:1 [missing-signature-verification]"]);
}
