//! Properties of per-file fact extraction that the speed work relies on.

use qstash_lint::facts::extract::extract;
use qstash_lint::facts::flow::Escape;
use qstash_lint::facts::handlers::CallRef;
use qstash_lint::facts::FileFacts;
use std::collections::HashSet;
use std::path::Path;

fn facts(src: &str) -> FileFacts {
    let parsed = qstash_lint::parse::parse(Path::new("/p/src/a.ts"), src).expect("parses");
    extract(&parsed.program, qstash_lint::parse::BASE)
}

/// A binding used as a value many times, with other uses between, is
/// recorded once per way it escapes: its readers take the list as a set.
#[test]
fn a_binding_used_as_a_value_is_recorded_once_per_escape() {
    let f = facts(
        r#"
import { send } from "./jobs";
const handlers = [send, other, send];
const more = { a: send, b: other, c: send };
register(send);
register(other);
register(send);
function other() {}
"#,
    );
    let imported = CallRef::Imported(qstash_lint::facts::ImportRef {
        specifier: "./jobs".into(),
        name: "send".into(),
    });
    let sends: Vec<&Escape> = f
        .flow_value_refs
        .iter()
        .filter(|(r, _)| *r == imported)
        .map(|(_, e)| e)
        .collect();
    assert!(!sends.is_empty(), "{:?}", f.flow_value_refs);
    let unique: HashSet<&Escape> = sends.iter().copied().collect();
    assert_eq!(sends.len(), unique.len(), "{:?}", f.flow_value_refs);
    let local = CallRef::Local("other".into());
    assert!(f.flow_value_refs.iter().any(|(r, _)| *r == local));
}

/// Type positions hold no runtime code: an expression written in a type (a
/// computed key of an interface or type literal, which the parser accepts
/// as any expression) is no send, while the same code at run time is.
#[test]
fn types_are_not_walked_but_enums_and_namespaces_are() {
    let typed = facts(
        r#"
import { Client } from "@upstash/qstash";
import { handler } from "./h";
const client = new Client({ token: process.env.QSTASH_TOKEN! });
interface Queue { [client.publishJSON({ url: "http://localhost:3000/a", body: handler })]: string }
type Keys = { [client.publishJSON({ url: "http://localhost:3000/b", body: handler })]: number };
function f(x: { [client.publishJSON({ url: "http://localhost:3000/c" })]: 1 }) { return x; }
"#,
    );
    assert!(typed.sends.is_empty(), "{:?}", typed.sends);
    assert!(
        !typed
            .flow_value_refs
            .iter()
            .any(|(r, _)| matches!(r, CallRef::Imported(i) if i.name == "handler")),
        "{:?}",
        typed.flow_value_refs
    );
    let runtime = facts(
        r#"
import { Client } from "@upstash/qstash";
const client = new Client({ token: process.env.QSTASH_TOKEN! });
namespace Jobs {
  export async function run() {
    await client.publishJSON({ url: "https://example.com/api/jobs", body: {} });
  }
}
enum Urls { Jobs = "https://example.com/api/jobs" }
"#,
    );
    assert_eq!(runtime.sends.len(), 1, "{:?}", runtime.sends);
}
