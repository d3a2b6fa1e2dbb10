#!/usr/bin/env node
// Assembles the publishable npm packages from release binaries:
//
//   node npm/scripts/assemble.mjs --binaries DIR --out DIR [--version X] [--platforms a,b]
//
// DIR holds `qstash-lint-<rust target>` (`.exe` on Windows) for each platform
// of npm/platforms.json. OUT receives one directory per package, ready for
// `npm pack` / `npm publish`: the platform packages (@qstash-lint/<name>),
// then the main package `qstash-lint`, whose launcher picks one of them.
// The version is the crate's (Cargo.toml); `--version` (a tag such as v0.1.0
// may be given) must name the same one, so a release cannot ship npm
// packages whose version differs from the binary's. `--platforms` assembles
// only those platform packages (a local test has one binary); the main
// package always names every platform as an optional dependency.
// Prints the package directories written, one a line, in publishing order.

import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const npmDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoDir = resolve(npmDir, "..");

function fail(message) {
  process.stderr.write(`assemble: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const known = ["--binaries", "--out", "--version", "--platforms"];
    if (!known.includes(flag)) fail(`unknown argument ${flag}; usage: --binaries DIR --out DIR [--version X] [--platforms a,b]`);
    const value = argv[i + 1];
    if (value === undefined) fail(`${flag} needs a value`);
    args[flag.slice(2)] = value;
    i += 1;
  }
  if (!args.binaries || !args.out) fail("--binaries DIR and --out DIR are required");
  return args;
}

/** The `version` of Cargo.toml's `[package]` table. */
function crateVersion() {
  const text = readFileSync(join(repoDir, "Cargo.toml"), "utf8");
  let table = "";
  for (const line of text.split(/\r?\n/)) {
    const header = line.match(/^\s*\[([^\]]*)\]\s*(#.*)?$/);
    if (header) {
      table = header[1].trim();
      continue;
    }
    const version = line.match(/^\s*version\s*=\s*"([^"]+)"/);
    if (table === "package" && version) return version[1];
  }
  return fail("Cargo.toml has no [package] version");
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    return fail(`${path}: ${err.message}`);
  }
}

function writeJson(path, value) {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

function copyExecutable(from, to) {
  copyFileSync(from, to);
  chmodSync(to, 0o755);
}

function emptyDir(path) {
  if (existsSync(path) && readdirSync(path).length > 0) fail(`${path} is not empty`);
  mkdirSync(path, { recursive: true });
}

function assemblePlatform(platform, version, binaries, out) {
  const exe = platform.os === "win32" ? ".exe" : "";
  const source = join(binaries, `qstash-lint-${platform.target}${exe}`);
  if (!existsSync(source) || !statSync(source).isFile()) fail(`missing binary ${source}`);
  const dir = join(out, platform.package);
  emptyDir(dir);
  const binary = `qstash-lint${exe}`;
  const template = readJson(join(npmDir, "platform", "package.json"));
  const manifest = {
    ...template,
    name: `@qstash-lint/${platform.package}`,
    version,
    description: template.description.replaceAll("PLATFORM", platform.package),
    files: [binary],
    os: [platform.os],
    cpu: [platform.cpu],
  };
  if (platform.libc) manifest.libc = [platform.libc];
  writeJson(join(dir, "package.json"), manifest);
  const readme = readFileSync(join(npmDir, "platform", "README.md"), "utf8");
  writeFileSync(join(dir, "README.md"), readme.replaceAll("PLATFORM", platform.package));
  copyExecutable(source, join(dir, binary));
  return dir;
}

function assembleMain(platforms, version, out) {
  const dir = join(out, "qstash-lint");
  emptyDir(dir);
  const manifest = readJson(join(npmDir, "qstash-lint", "package.json"));
  manifest.version = version;
  manifest.optionalDependencies = Object.fromEntries(platforms.map((p) => [`@qstash-lint/${p.package}`, version]));
  writeJson(join(dir, "package.json"), manifest);
  mkdirSync(join(dir, "bin"));
  copyExecutable(join(npmDir, "qstash-lint", "bin", "qstash-lint"), join(dir, "bin", "qstash-lint"));
  copyFileSync(join(repoDir, "README.md"), join(dir, "README.md"));
  return dir;
}

const args = parseArgs(process.argv.slice(2));
const version = crateVersion();
if (args.version !== undefined && args.version.replace(/^v/, "") !== version) {
  fail(`--version ${args.version} is not the crate's version ${version} (Cargo.toml)`);
}
const platforms = readJson(join(npmDir, "platforms.json"));
let selected = platforms;
if (args.platforms !== undefined) {
  const names = args.platforms.split(",").map((n) => n.trim()).filter(Boolean);
  for (const name of names) {
    if (!platforms.some((p) => p.package === name)) fail(`unknown platform ${name} (see npm/platforms.json)`);
  }
  selected = platforms.filter((p) => names.includes(p.package));
}
const out = resolve(args.out);
mkdirSync(out, { recursive: true });
const written = selected.map((p) => assemblePlatform(p, version, resolve(args.binaries), out));
written.push(assembleMain(platforms, version, out));
process.stdout.write(`${written.join("\n")}\n`);
