//! The language server's in-memory project context (`engine::session`),
//! driven directly: edits, saves and the files parsed only for their values.

mod disk;

use disk::write;
use qstash_lint::engine::session::Session;
use std::fs;
use std::path::Path;

/// A temporary repository with a `package.json` holding `manifest`; the
/// canonical root, so that paths match the ones the session sees.
fn repository(manifest: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().canonicalize().expect("canonical");
    fs::create_dir_all(root.join(".git")).expect("git");
    write(&root, "package.json", manifest);
    (dir, root)
}

fn rules(session: &mut Session, file: &Path, text: &str) -> Vec<&'static str> {
    let outcome = session.lint(file, text).expect("lints");
    outcome.diagnostics.iter().map(|d| d.rule).collect()
}

const SEND: &str = "import { Client } from \"@upstash/qstash\";\nimport { APP_URL } from \"./constants\";\nconst qstash = new Client({ token: process.env.QSTASH_TOKEN! });\nexport async function go() {\n  try {\n    await qstash.publishJSON({ url: `${APP_URL}/api/x`, body: {} });\n  } catch {}\n}\n";

#[test]
fn a_saved_file_that_was_parsed_for_its_values_is_read_again() {
    let (_dir, root) = repository("{}");
    // Never mentions QStash: parsed only because `send.ts` imports it.
    write(
        &root,
        "constants.ts",
        "export const APP_URL = \"http://api.example.com\";\n",
    );
    write(&root, "send.ts", SEND);
    let send = root.join("send.ts");
    let constants = root.join("constants.ts");

    let mut session = Session::new(Some(1)).expect("session");
    assert_eq!(
        rules(&mut session, &send, SEND),
        ["insecure-http-destination"]
    );
    // An edit of the buffer keeps the context.
    let edited = format!("{SEND}// edited\n");
    assert_eq!(
        rules(&mut session, &send, &edited),
        ["insecure-http-destination"]
    );

    // The const is fixed and saved.
    write(
        &root,
        "constants.ts",
        "export const APP_URL = \"https://api.example.com\";\n",
    );
    session.changed(&constants);
    assert!(rules(&mut session, &send, SEND).is_empty());

    // And broken again.
    write(
        &root,
        "constants.ts",
        "export const APP_URL = \"http://api.example.com\";\n",
    );
    session.changed(&constants);
    assert_eq!(
        rules(&mut session, &send, SEND),
        ["insecure-http-destination"]
    );
}

#[test]
fn an_edited_buffer_follows_its_new_imports() {
    let (_dir, root) = repository("{}");
    write(
        &root,
        "constants.ts",
        "export const APP_URL = \"http://api.example.com\";\n",
    );
    let send = root.join("send.ts");
    // On disk the file imports nothing; the buffer adds the import.
    write(&root, "send.ts", "export {};\n");
    let mut session = Session::new(Some(1)).expect("session");
    assert!(rules(&mut session, &send, "export {};\n").is_empty());
    assert_eq!(
        rules(&mut session, &send, SEND),
        ["insecure-http-destination"]
    );
}

/// The importer of a file parsed for its values need not be the file being
/// linted: a route is judged by a publish in another file whose URL comes
/// from a third.
#[test]
fn a_saved_value_reaches_a_route_through_another_file() {
    let (_dir, root) = repository(r#"{"dependencies": {"next": "15", "@upstash/qstash": "2"}}"#);
    write(
        &root,
        "lib/urls.ts",
        "export const HOOK = \"https://example.com/api/other\";\n",
    );
    write(
        &root,
        "lib/jobs.ts",
        "import { Client } from \"@upstash/qstash\";\nimport { HOOK } from \"./urls\";\nconst qstash = new Client({ token: process.env.QSTASH_TOKEN! });\nexport async function go() {\n  try {\n    await qstash.publishJSON({ url: HOOK, body: {} });\n  } catch {}\n}\n",
    );
    let route_text = "export async function POST(req: Request) {\n  return Response.json(await req.json());\n}\n";
    write(&root, "app/api/hook/route.ts", route_text);
    let route = root.join("app/api/hook/route.ts");
    let urls = root.join("lib/urls.ts");

    let mut session = Session::new(Some(1)).expect("session");
    assert!(rules(&mut session, &route, route_text).is_empty());
    write(
        &root,
        "lib/urls.ts",
        "export const HOOK = \"https://example.com/api/hook\";\n",
    );
    session.changed(&urls);
    assert_eq!(
        rules(&mut session, &route, route_text),
        ["missing-signature-verification"]
    );
}
