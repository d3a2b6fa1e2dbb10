//! Helpers for the tests of the npm distribution: the packages assembled by
//! `npm/scripts/assemble.mjs` from the binary cargo built, packed with the
//! real `npm pack`.
#![allow(dead_code)]

pub mod registry;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository checkout.
pub fn checkout() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `program --version` runs; otherwise the test fails and says why (CI has
/// Node.js and npm; a silent skip would hide a broken distribution).
pub fn require_tool(program: &str) {
    let runs = Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        runs,
        "`{program}` is not on PATH: the npm distribution tests need Node.js and npm"
    );
}

/// A `Command` for `program` whose npm uses a cache and a user config of its
/// own under `home`, never the network's audit or update checks.
pub fn npm_command(program: &str, home: &Path) -> Command {
    let mut cmd = Command::new(program);
    let userconfig = home.join("npmrc");
    if !userconfig.exists() {
        std::fs::write(&userconfig, "").expect("write npmrc");
    }
    cmd.env("npm_config_cache", home.join("npm-cache"))
        .env("npm_config_userconfig", &userconfig)
        .env("npm_config_update_notifier", "false")
        .env("npm_config_audit", "false")
        .env("npm_config_fund", "false")
        .env_remove("npm_config_registry")
        .env_remove("NPM_CONFIG_REGISTRY");
    cmd
}

/// Runs `cmd` and fails the test with its output when it does not succeed.
pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("command runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// One packed package.
#[derive(Clone, Debug)]
pub struct Tarball {
    /// Its npm name (`qstash-lint`, `@qstash-lint/linux-x64-gnu`).
    pub name: String,
    /// Its version.
    pub version: String,
    /// The `.tgz` written by `npm pack`.
    pub path: PathBuf,
    /// Its `sha512-…` integrity, as `npm pack --json` computed it.
    pub integrity: String,
    /// Its manifest (`package.json`).
    pub manifest: serde_json::Value,
}

/// Runs the assembler with these arguments; its output, success or not.
pub fn assemble(home: &Path, args: &[&std::ffi::OsStr]) -> Output {
    npm_command("node", home)
        .arg(checkout().join("npm/scripts/assemble.mjs"))
        .args(args)
        .output()
        .expect("node runs")
}

/// A copy of the binary cargo built, named as a release names the Linux x64
/// glibc binary, in a fresh directory under `work`. It is stripped when
/// `strip` is there: a debug build's symbols make packing six times slower.
pub fn release_binaries(work: &Path) -> PathBuf {
    let dir = work.join("binaries");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let binary = dir.join("qstash-lint-x86_64-unknown-linux-gnu");
    let built = env!("CARGO_BIN_EXE_qstash-lint");
    let stripped = Command::new("strip")
        .arg("-o")
        .arg(&binary)
        .arg(built)
        .status()
        .is_ok_and(|s| s.success());
    if !stripped {
        std::fs::copy(built, &binary).expect("copy the binary");
    }
    dir
}

/// Assembles the main package and the Linux x64 glibc package from the binary
/// cargo built and packs both with `npm pack`: the platform package first.
pub fn pack_linux_x64(work: &Path) -> Vec<Tarball> {
    require_tool("node");
    require_tool("npm");
    let binaries = release_binaries(work);
    let out = work.join("packages");
    let assembled = assemble(
        work,
        &[
            "--binaries".as_ref(),
            binaries.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--platforms".as_ref(),
            "linux-x64-gnu".as_ref(),
        ],
    );
    assert!(
        assembled.status.success(),
        "assemble.mjs failed:\n{}",
        String::from_utf8_lossy(&assembled.stderr)
    );
    let dirs: Vec<PathBuf> = String::from_utf8_lossy(&assembled.stdout)
        .lines()
        .map(PathBuf::from)
        .collect();
    assert_eq!(
        dirs,
        [out.join("linux-x64-gnu"), out.join("qstash-lint")],
        "the platform package, then the main package"
    );
    let tarballs = work.join("tarballs");
    std::fs::create_dir_all(&tarballs).expect("mkdir");
    let packed = run_ok(
        npm_command("npm", work)
            .args(["pack", "--json", "--pack-destination"])
            .arg(&tarballs)
            .args(&dirs),
    );
    let list: serde_json::Value =
        serde_json::from_slice(&packed.stdout).expect("npm pack --json prints JSON");
    let list = list.as_array().expect("an array");
    assert_eq!(list.len(), dirs.len());
    list.iter()
        .zip(&dirs)
        .map(|(p, dir)| Tarball {
            name: p["name"].as_str().expect("name").to_string(),
            version: p["version"].as_str().expect("version").to_string(),
            path: tarballs.join(p["filename"].as_str().expect("filename")),
            integrity: p["integrity"].as_str().expect("integrity").to_string(),
            manifest: serde_json::from_str(
                &std::fs::read_to_string(dir.join("package.json")).expect("manifest"),
            )
            .expect("manifest parses"),
        })
        .collect()
}

/// A throwaway npm project in `dir`.
pub fn empty_project(dir: &Path) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(
        dir.join("package.json"),
        r#"{ "name": "npm-user", "version": "1.0.0", "private": true }"#,
    )
    .expect("write package.json");
}
