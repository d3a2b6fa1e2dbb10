//! The composite action (`action.yml`): its shape, and its shell steps run
//! for real against a fixture, as the runner would run them.

mod disk;
mod npm;

use disk::copy_dir;
use std::path::{Path, PathBuf};
use std::process::Command;

fn action() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml"))
        .expect("action.yml")
}

/// The `run: |` block of the step whose `name:` is `name`, dedented.
fn step_script(action: &str, name: &str) -> String {
    let lines: Vec<&str> = action.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == format!("- name: {name}"))
        .unwrap_or_else(|| panic!("no step named {name}"));
    let run = lines[start..]
        .iter()
        .position(|l| l.trim() == "run: |")
        .map(|i| start + i)
        .unwrap_or_else(|| panic!("step {name} has no run block"));
    let indent = |l: &str| l.len() - l.trim_start().len();
    let key_indent = indent(lines[run]);
    let body: Vec<&str> = lines[run + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || indent(l) > key_indent)
        .copied()
        .collect();
    let strip = body
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| indent(l))
        .min()
        .unwrap_or(0);
    body.iter()
        .map(|l| l.get(strip..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_qstash-lint"))
        .parent()
        .expect("bin dir")
        .to_path_buf()
}

/// Runs the action's "Run qstash-lint" step in `repo` with `paths` as its
/// input, the binary from `bin` first on `PATH` (as the runner puts the
/// installed bin first with GITHUB_PATH); asserts it succeeds.
fn run_check_step(repo: &Path, bin: &Path, paths: &str, output_file: &Path) {
    let path_var = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg("-euo")
        .arg("pipefail")
        .arg("-c")
        .arg(step_script(&action(), "Run qstash-lint"))
        .current_dir(repo)
        .env("PATH", &path_var)
        .env("INPUT_PATHS", paths)
        .env("GITHUB_OUTPUT", output_file)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn outputs(file: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn the_action_is_a_composite_whose_shell_steps_say_their_shell() {
    let action = action();
    assert!(action.contains("\n  using: composite\n"));
    let runs = action.matches("      run:").count();
    let shells = action.matches("      shell: bash").count();
    assert!(runs >= 3, "{runs} run steps");
    assert_eq!(runs, shells, "every run step names its shell");
    assert!(action.contains("uses: github/codeql-action/upload-sarif@v3"));
    assert!(action.contains("sarif_file: qstash-lint.sarif"));
    // The binary comes prebuilt from npm: nothing is compiled on the runner.
    assert!(!action.contains("cargo"), "the action builds nothing");
}

#[test]
fn the_check_step_writes_sarif_and_counts_its_results() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/nextjs-app"),
        &repo,
    );
    let output_file = dir.path().join("github_output");
    run_check_step(&repo, &bin_dir(), "src/app src/lib", &output_file);
    let sarif: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo.join("qstash-lint.sarif")).expect("sarif written"),
    )
    .expect("sarif parses");
    let results = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .len();
    assert!(results > 0, "the fixture has findings");
    let outputs = outputs(&output_file);
    assert!(outputs.contains(&("sarif-file".into(), "qstash-lint.sarif".into())));
    assert!(outputs.contains(&("results".into(), results.to_string())));
    // Paths given to the action are what gets checked: nothing outside them.
    let uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(
        uris.iter()
            .all(|u| u.starts_with("src/app/") || u.starts_with("src/lib/")),
        "{uris:?}"
    );

    // The last step fails the job on findings, and says how many.
    let fail = Command::new("bash")
        .arg("-c")
        .arg(step_script(&action(), "Fail on findings"))
        .env("RESULTS", results.to_string())
        .output()
        .expect("bash runs");
    assert!(!fail.status.success());
    let stdout = String::from_utf8_lossy(&fail.stdout);
    assert!(
        stdout.starts_with(&format!("::error title=qstash-lint::{results} finding(s)")),
        "{stdout}"
    );
}

// The install step runs npm against a local registry serving the packages
// packed from this build (Linux x64 glibc), as the runner's npm would fetch
// them from npmjs.com; the check step then runs what it installed.
#[cfg(all(target_os = "linux", target_arch = "x86_64", target_env = "gnu"))]
#[test]
fn the_install_step_gets_the_npm_package_of_the_actions_version() {
    let work = tempfile::tempdir().expect("tempdir");
    let w = work.path();
    let tarballs = npm::pack_linux_x64(w);
    let registry = npm::registry::Registry::serve(&tarballs);
    let github_path = w.join("github_path");
    let install_dir = w.join("runner-temp/qstash-lint");
    let out = npm::npm_command("bash", w)
        .arg("-euo")
        .arg("pipefail")
        .arg("-c")
        .arg(step_script(&action(), "Install qstash-lint"))
        .current_dir(w)
        .env("ACTION_PATH", env!("CARGO_MANIFEST_DIR"))
        .env("INSTALL_DIR", &install_dir)
        .env("GITHUB_PATH", &github_path)
        .env("npm_config_registry", &registry.url)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains(&format!("qstash-lint {}", env!("CARGO_PKG_VERSION"))),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The step adds the installed bin directory to the runner's PATH.
    let added = std::fs::read_to_string(&github_path).expect("GITHUB_PATH written");
    let bin = PathBuf::from(added.trim());
    assert_eq!(bin, install_dir.join("node_modules/.bin"));
    assert!(
        bin.join("qstash-lint").exists(),
        "{:?}",
        std::fs::read_dir(&bin).map(|d| d.count())
    );

    let repo = w.join("repo");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/nextjs-app"),
        &repo,
    );
    let output_file = w.join("github_output");
    run_check_step(&repo, &bin, ".", &output_file);
    let results = outputs(&output_file)
        .into_iter()
        .find(|(k, _)| k == "results")
        .map(|(_, v)| v)
        .expect("a results output");
    assert_ne!(results, "0", "the fixture has findings");
}
