//! A local npm registry that serves packed tarballs, so that `npm install
//! qstash-lint@<version>` (from the Action, or pre-commit's `language: node`)
//! runs as it will against npmjs.com, without the network.

use super::Tarball;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

/// A local npm registry serving `tarballs`, on 127.0.0.1, for the life of the
/// test process. Other names get a 404, as unpublished ones do on npmjs.com
/// (npm then skips them when they are optional).
pub struct Registry {
    /// Its URL, for `npm_config_registry`.
    pub url: String,
}

impl Registry {
    /// Starts serving.
    pub fn serve(tarballs: &[Tarball]) -> Registry {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        let url = format!("http://{}/", listener.local_addr().expect("address"));
        let packages: Arc<Vec<(Tarball, Vec<u8>)>> = Arc::new(
            tarballs
                .iter()
                .map(|t| (t.clone(), std::fs::read(&t.path).expect("read tarball")))
                .collect(),
        );
        let base = url.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let packages = Arc::clone(&packages);
                let base = base.clone();
                std::thread::spawn(move || answer(stream, &packages, &base));
            }
        });
        Registry { url }
    }
}

fn tarball_file(t: &Tarball) -> String {
    t.path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// One request on `stream`: a packument (`GET /<name>`, the scope's `/`
/// escaped or not) or a tarball (`GET /-/<file>`).
fn answer(stream: TcpStream, packages: &[(Tarball, Vec<u8>)], base: &str) {
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line.trim() != "" {
        line.clear();
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let path = path
        .split('?')
        .next()
        .unwrap_or("")
        .replace("%2f", "/")
        .replace("%2F", "/")
        .replace("%40", "@");
    let (status, kind, body) = if let Some(file) = path.strip_prefix("/-/") {
        match packages.iter().find(|(t, _)| tarball_file(t) == file) {
            Some((_, bytes)) => ("200 OK", "application/octet-stream", bytes.clone()),
            None => ("404 Not Found", "application/json", b"{}".to_vec()),
        }
    } else {
        let name = path.trim_start_matches('/');
        let versions: serde_json::Map<String, serde_json::Value> = packages
            .iter()
            .filter(|(t, _)| t.name == name)
            .map(|(t, _)| {
                let mut manifest = t.manifest.clone();
                manifest["dist"] = serde_json::json!({
                    "tarball": format!("{base}-/{}", tarball_file(t)),
                    "integrity": t.integrity,
                });
                (t.version.clone(), manifest)
            })
            .collect();
        match versions.keys().next_back().cloned() {
            Some(latest) => (
                "200 OK",
                "application/json",
                serde_json::to_vec(&serde_json::json!({
                    "name": name,
                    "dist-tags": { "latest": latest },
                    "versions": versions,
                }))
                .unwrap_or_default(),
            ),
            None => ("404 Not Found", "application/json", b"{}".to_vec()),
        }
    };
    let mut stream = &stream;
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
    let _ = stream.flush();
}
