//! The release: `.github/workflows/release.yml` builds every platform the npm
//! packages name and publishes with the assembler, and what users copy from
//! the README names the release's tag.

use std::path::Path;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect(path)
}

#[test]
fn the_release_builds_exactly_the_platforms_of_the_npm_packages() {
    let platforms: serde_json::Value =
        serde_json::from_str(&read("npm/platforms.json")).expect("platforms.json parses");
    let mut wanted: Vec<&str> = platforms
        .as_array()
        .expect("an array")
        .iter()
        .map(|p| p["target"].as_str().expect("target"))
        .collect();
    wanted.sort_unstable();
    let workflow = read(".github/workflows/release.yml");
    let mut built: Vec<&str> = workflow
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- target: "))
        .collect();
    built.sort_unstable();
    assert_eq!(built, wanted);
}

#[test]
fn the_release_runs_on_version_tags_and_publishes_with_the_assembler() {
    let workflow = read(".github/workflows/release.yml");
    assert!(
        workflow.contains("\non:\n  push:\n    tags: [\"v*\"]\n"),
        "{workflow}"
    );
    // The assembler refuses a tag that is not the crate's version.
    assert!(workflow.contains(
        "node npm/scripts/assemble.mjs --binaries binaries --out npm-dist --version \"$GITHUB_REF_NAME\""
    ));
    assert!(workflow.contains("npm publish \"$dir\" --access public"));
    assert!(workflow.contains("NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}"));
    assert!(workflow.contains("cargo publish --locked"));
    assert!(workflow.contains("CARGO_REGISTRY_TOKEN: ${{ secrets.CARGO_REGISTRY_TOKEN }}"));
    assert!(workflow.contains("gh release create \"$GITHUB_REF_NAME\""));
}

#[test]
fn the_readme_names_the_tag_of_this_version() {
    let readme = read("README.md");
    let tag = format!("v{}", env!("CARGO_PKG_VERSION"));
    let revs: Vec<&str> = readme
        .lines()
        .filter_map(|l| l.trim().strip_prefix("rev: "))
        .collect();
    assert!(!revs.is_empty(), "the README has a pre-commit snippet");
    assert!(revs.iter().all(|r| *r == tag), "{revs:?} != {tag}");
    // `npx qstash-lint@0.1.0`, `uses: qstash-lint/qstash-lint@v0.1.0`: a
    // pinned name is this version, never a branch or another release.
    let pinned: Vec<&str> = readme
        .lines()
        .filter(|l| l.contains("qstash-lint@"))
        .collect();
    assert!(!pinned.is_empty());
    for line in pinned {
        assert!(
            line.contains(&format!("qstash-lint@{}", env!("CARGO_PKG_VERSION")))
                || line.contains(&format!("qstash-lint@{tag}")),
            "{line}"
        );
    }
}
