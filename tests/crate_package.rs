//! What `cargo install qstash-lint` gets from crates.io: the crate holds the
//! sources and the rule docs the binary embeds, and none of the repository's
//! fixtures, tests, npm packaging or CI files.

use std::path::Path;
use std::process::Command;

#[test]
fn the_published_crate_holds_what_the_build_needs_and_nothing_else() {
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO"))
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(checkout)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = String::from_utf8_lossy(&out.stdout);
    let files: Vec<&str> = listed.lines().collect();
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "src/main.rs",
        "src/lib.rs",
    ] {
        assert!(files.contains(&needed), "{needed} missing: {files:?}");
    }
    // `qstash-lint explain` embeds every rule doc with include_str!.
    for doc in std::fs::read_dir(checkout.join("rules")).expect("rules/") {
        let name = doc.expect("entry").file_name();
        let path = format!("rules/{}", name.to_string_lossy());
        assert!(files.contains(&path.as_str()), "{path} missing");
    }
    let sources = walk(&checkout.join("src"));
    for source in &sources {
        assert!(files.contains(&source.as_str()), "{source} missing");
    }
    for file in &files {
        for repo_only in [
            "fixtures/",
            "tests/",
            "npm/",
            "bench/",
            "examples/",
            ".ci/",
            ".github/",
        ] {
            assert!(!file.starts_with(repo_only), "{file} is not for the crate");
        }
        assert!(!["package.json", "action.yml"].contains(file), "{file}");
    }
    let manifest = std::fs::read_to_string(checkout.join("Cargo.toml")).expect("Cargo.toml");
    for key in [
        "repository = ",
        "homepage = ",
        "documentation = ",
        "readme = ",
        "keywords = ",
        "categories = ",
        "license = ",
        "description = ",
    ] {
        assert!(manifest.contains(key), "Cargo.toml has no {key}");
    }
}

/// Every file under `dir`, as `/`-separated paths relative to the checkout.
fn walk(dir: &Path) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(root) {
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
    }
    out
}
