//! Module resolution (`qstash_lint::resolve`) over small projects built on disk.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use qstash_lint::resolve::ModuleResolver;

/// Writes `files` (path, content) under `root`, creating folders.
fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }
}

/// A resolver for a project under `root`, with shorthands that resolve from
/// `root/<from>` and expect `root/<to>` (or nothing).
struct Project {
    root: PathBuf,
    resolver: ModuleResolver,
}

impl Project {
    /// The project checked as a whole (`roots` = [root]).
    fn new(root: &Path) -> Self {
        Self::checking(root, &[root.to_path_buf()])
    }

    fn checking(root: &Path, roots: &[PathBuf]) -> Self {
        Self {
            root: root.to_path_buf(),
            resolver: ModuleResolver::new(roots),
        }
    }

    fn resolve(&self, from: &str, specifier: &str) -> Option<PathBuf> {
        self.resolver.resolve(&self.root.join(from), specifier)
    }

    #[track_caller]
    fn assert(&self, from: &str, specifier: &str, to: &str) {
        assert_eq!(
            self.resolve(from, specifier),
            Some(self.root.join(to)),
            "{specifier:?} from {from}"
        );
    }

    #[track_caller]
    fn assert_none(&self, from: &str, specifier: &str) {
        assert_eq!(
            self.resolve(from, specifier),
            None,
            "{specifier:?} from {from}"
        );
    }
}

#[test]
fn relative_imports_with_extension_fallback_and_index_files() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("src/app.ts", ""),
            ("src/a.ts", ""),
            ("src/b.tsx", ""),
            ("src/c.mts", ""),
            ("src/d.cts", ""),
            ("src/e.js", ""),
            ("src/f.jsx", ""),
            ("src/g.mjs", ""),
            ("src/h.cjs", ""),
            ("src/lib/index.ts", ""),
            ("src/lib/client.ts", ""),
            ("src/jsdir/index.js", ""),
            ("src/both.ts", ""),
            ("src/both.js", ""),
            ("src/data.json", "{}"),
            ("src/types.d.ts", ""),
            ("shared.ts", ""),
        ],
    );
    let p = Project::new(dir.path());
    for (spec, to) in [
        ("./a", "src/a.ts"),
        ("./b", "src/b.tsx"),
        ("./c", "src/c.mts"),
        ("./d", "src/d.cts"),
        ("./e", "src/e.js"),
        ("./f", "src/f.jsx"),
        ("./g", "src/g.mjs"),
        ("./h", "src/h.cjs"),
        ("./a.ts", "src/a.ts"),
        ("./lib", "src/lib/index.ts"),
        ("./lib/", "src/lib/index.ts"),
        ("./lib/index", "src/lib/index.ts"),
        ("./jsdir", "src/jsdir/index.js"),
        // `.ts` comes first when both exist.
        ("./both", "src/both.ts"),
        ("../shared", "shared.ts"),
        // Queries are not part of the path.
        ("./a?raw", "src/a.ts"),
    ] {
        p.assert("src/app.ts", spec, to);
    }
    p.assert("src/lib/client.ts", ".", "src/lib/index.ts");
    p.assert("src/lib/client.ts", "./", "src/lib/index.ts");
    p.assert("src/lib/client.ts", "../a", "src/a.ts");
    // Absolute specifiers name files too.
    let absolute = dir.path().join("src/a.ts");
    p.assert("src/app.ts", absolute.to_str().unwrap(), "src/a.ts");
    p.assert_none("src/app.ts", "./missing");
    p.assert_none("src/app.ts", "./lib/missing");
    // Not source files the linker reads.
    p.assert_none("src/app.ts", "./data.json");
    p.assert_none("src/app.ts", "./types");
}

#[test]
fn esm_style_js_extension_resolves_to_the_typescript_source() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("src/app.ts", ""),
            ("src/x.ts", ""),
            ("src/view.tsx", ""),
            ("src/m.mts", ""),
            ("src/c.cts", ""),
            ("src/plain.js", ""),
            ("src/comp.tsx", ""),
            ("src/lib/index.ts", ""),
        ],
    );
    let p = Project::new(dir.path());
    p.assert("src/app.ts", "./x.js", "src/x.ts");
    p.assert("src/app.ts", "./view.js", "src/view.tsx");
    p.assert("src/app.ts", "./m.mjs", "src/m.mts");
    p.assert("src/app.ts", "./c.cjs", "src/c.cts");
    p.assert("src/app.ts", "./comp.jsx", "src/comp.tsx");
    // A real `.js` file is still found.
    p.assert("src/app.ts", "./plain.js", "src/plain.js");
    p.assert("src/app.ts", "./lib/index.js", "src/lib/index.ts");
    p.assert_none("src/app.ts", "./nothing.js");
}

#[test]
fn tsconfig_paths_and_base_url() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "tsconfig.json",
                r##"{
                  // comments and trailing commas are fine
                  "compilerOptions": {
                    "baseUrl": ".",
                    "paths": {
                      "@/*": ["./src/*"],
                      "~/*": ["./src/*"],
                      "#lib": ["./src/lib/qstash.ts"],
                      "config": ["./src/config/index.ts"],
                    },
                  },
                }"##,
            ),
            ("src/app/api/route.ts", ""),
            ("src/lib/qstash.ts", ""),
            ("src/lib/receiver/index.ts", ""),
            ("src/config/index.ts", ""),
            ("utils/helpers.ts", ""),
        ],
    );
    let p = Project::new(dir.path());
    let from = "src/app/api/route.ts";
    p.assert(from, "@/lib/qstash", "src/lib/qstash.ts");
    p.assert(from, "~/lib/qstash", "src/lib/qstash.ts");
    p.assert(from, "@/lib/qstash.js", "src/lib/qstash.ts");
    p.assert(from, "@/lib/receiver", "src/lib/receiver/index.ts");
    p.assert(from, "config", "src/config/index.ts");
    // `baseUrl` alone.
    p.assert(from, "utils/helpers", "utils/helpers.ts");
    p.assert(from, "src/lib/qstash", "src/lib/qstash.ts");
    p.assert_none(from, "@/lib/missing");
    p.assert_none(from, "react");
}

#[test]
fn tsconfig_paths_inherited_through_extends() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            // A base in the repository root; its `paths` are relative to it.
            (
                "tsconfig.base.json",
                r#"{ "compilerOptions": { "paths": {
                    "@acme/ui/*": ["./packages/ui/src/*"]
                } } }"#,
            ),
            ("packages/ui/src/button.tsx", ""),
            // An app extending a base beside it, which extends the root base.
            (
                "apps/web/tsconfig.json",
                r#"{ "extends": "./tsconfig.app.json", "compilerOptions": { "strict": true } }"#,
            ),
            (
                "apps/web/tsconfig.app.json",
                r#"{ "extends": "../../tsconfig.base.json",
                     "compilerOptions": { "paths": { "@/*": ["./src/*"] } } }"#,
            ),
            ("apps/web/src/lib/qstash.ts", ""),
            ("apps/web/src/app/api/route.ts", ""),
            // An app extending only the root base (inherits `@acme/ui/*`).
            (
                "apps/api/tsconfig.json",
                r#"{ "extends": "../../tsconfig.base.json" }"#,
            ),
            ("apps/api/src/index.ts", ""),
        ],
    );
    let p = Project::new(dir.path());
    p.assert(
        "apps/web/src/app/api/route.ts",
        "@/lib/qstash",
        "apps/web/src/lib/qstash.ts",
    );
    p.assert(
        "apps/api/src/index.ts",
        "@acme/ui/button",
        "packages/ui/src/button.tsx",
    );
    // A config's own `paths` replace the inherited ones (TypeScript semantics).
    p.assert_none("apps/web/src/app/api/route.ts", "@acme/ui/button");
}

#[test]
fn inherited_base_url_anchors_the_paths_of_the_extending_config() {
    // TypeScript resolves `paths` against `baseUrl` when one is set, also an
    // inherited one (relative to the config that declares it).
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "tsconfig.base.json",
                r#"{ "compilerOptions": { "baseUrl": "./apps/web" } }"#,
            ),
            (
                "apps/web/tsconfig.json",
                r#"{ "extends": "../../tsconfig.base.json",
                     "compilerOptions": { "paths": { "@/*": ["src/*"] } } }"#,
            ),
            ("apps/web/src/lib/qstash.ts", ""),
            ("apps/web/src/app/api/route.ts", ""),
        ],
    );
    let p = Project::new(dir.path());
    p.assert(
        "apps/web/src/app/api/route.ts",
        "@/lib/qstash",
        "apps/web/src/lib/qstash.ts",
    );
    p.assert(
        "apps/web/src/app/api/route.ts",
        "src/lib/qstash",
        "apps/web/src/lib/qstash.ts",
    );
}

#[test]
fn jsconfig_paths_when_there_is_no_tsconfig() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "jsconfig.json",
                r#"{ "compilerOptions": { "paths": { "@/*": ["./*"], "~/*": ["./lib/*"] } } }"#,
            ),
            ("lib/qstash.js", ""),
            ("pages/api/send.js", ""),
        ],
    );
    let p = Project::new(dir.path());
    p.assert("pages/api/send.js", "@/lib/qstash", "lib/qstash.js");
    p.assert("pages/api/send.js", "~/qstash", "lib/qstash.js");
}

#[test]
fn the_nearest_config_of_the_importing_file_counts() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "paths": { "@/*": ["./root/*"] } } }"#,
            ),
            ("root/lib/qstash.ts", ""),
            ("scripts/send.ts", ""),
            (
                "apps/web/tsconfig.json",
                r#"{ "compilerOptions": { "paths": { "@/*": ["./src/*"] } } }"#,
            ),
            ("apps/web/src/lib/qstash.ts", ""),
            ("apps/web/src/app/api/route.ts", ""),
            (
                "apps/admin/tsconfig.json",
                r#"{ "compilerOptions": { "paths": { "@/*": ["./app/*"] } } }"#,
            ),
            ("apps/admin/app/lib/qstash.ts", ""),
            ("apps/admin/app/pages/x.ts", ""),
            // A JavaScript app: its jsconfig is nearer than the root tsconfig.
            (
                "apps/js/jsconfig.json",
                r#"{ "compilerOptions": { "paths": { "@/*": ["./lib/*"] } } }"#,
            ),
            ("apps/js/lib/lib/qstash.js", ""),
            ("apps/js/api/send.js", ""),
            // Both in one folder: tsconfig wins.
            (
                "apps/both/tsconfig.json",
                r#"{ "compilerOptions": { "paths": { "@/*": ["./ts/*"] } } }"#,
            ),
            (
                "apps/both/jsconfig.json",
                r#"{ "compilerOptions": { "paths": { "@/*": ["./js/*"] } } }"#,
            ),
            ("apps/both/ts/lib/qstash.ts", ""),
            ("apps/both/js/lib/qstash.ts", ""),
            ("apps/both/index.ts", ""),
        ],
    );
    let p = Project::new(dir.path());
    p.assert(
        "apps/web/src/app/api/route.ts",
        "@/lib/qstash",
        "apps/web/src/lib/qstash.ts",
    );
    p.assert(
        "apps/admin/app/pages/x.ts",
        "@/lib/qstash",
        "apps/admin/app/lib/qstash.ts",
    );
    p.assert("scripts/send.ts", "@/lib/qstash", "root/lib/qstash.ts");
    p.assert(
        "apps/js/api/send.js",
        "@/lib/qstash",
        "apps/js/lib/lib/qstash.js",
    );
    p.assert(
        "apps/both/index.ts",
        "@/lib/qstash",
        "apps/both/ts/lib/qstash.ts",
    );
}

#[test]
fn a_broken_tsconfig_still_resolves_relative_imports() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("tsconfig.json", "{ not json"),
            ("src/a.ts", ""),
            ("src/b.ts", ""),
        ],
    );
    let p = Project::new(dir.path());
    p.assert("src/a.ts", "./b", "src/b.ts");
    p.assert_none("src/a.ts", "@/b");
}

/// A monorepo without node_modules: package.json workspaces (array form).
fn npm_monorepo(root: &Path) {
    write(
        root,
        &[
            (
                "package.json",
                r#"{ "name": "acme", "private": true, "workspaces": ["apps/*", "packages/*"] }"#,
            ),
            ("apps/web/package.json", r#"{ "name": "web" }"#),
            ("apps/web/src/app/api/route.ts", ""),
            // `exports` with conditions; the `types` condition comes first
            // and must not be picked.
            (
                "packages/shared/package.json",
                r#"{ "name": "@acme/shared", "exports": {
                    ".": { "types": "./src/index.d.ts", "import": "./src/index.ts", "require": "./src/index.cjs" },
                    "./client": { "types": "./src/client.d.ts", "default": "./src/client.ts" },
                    "./utils/*": "./src/utils/*.ts"
                } }"#,
            ),
            ("packages/shared/src/index.ts", ""),
            ("packages/shared/src/index.d.ts", ""),
            ("packages/shared/src/client.ts", ""),
            ("packages/shared/src/client.d.ts", ""),
            ("packages/shared/src/utils/url.ts", ""),
            // `main` only.
            (
                "packages/legacy/package.json",
                r#"{ "name": "legacy-lib", "main": "lib/entry.js" }"#,
            ),
            ("packages/legacy/lib/entry.js", ""),
            ("packages/legacy/lib/extra.js", ""),
            // `module` before `main`.
            (
                "packages/esm/package.json",
                r#"{ "name": "@acme/esm", "module": "./src/main.ts", "main": "./dist/main.js" }"#,
            ),
            ("packages/esm/src/main.ts", ""),
            // Nothing declared: `index.ts`.
            ("packages/bare/package.json", r#"{ "name": "@acme/bare" }"#),
            ("packages/bare/index.ts", ""),
            // Not listed by the globs: not a workspace package.
            ("tools/cli/package.json", r#"{ "name": "@acme/cli" }"#),
            ("tools/cli/index.ts", ""),
        ],
    );
}

#[test]
fn workspace_packages_through_exports_main_module_and_index() {
    let dir = tempfile::tempdir().unwrap();
    npm_monorepo(dir.path());
    let p = Project::new(dir.path());
    let from = "apps/web/src/app/api/route.ts";
    p.assert(from, "@acme/shared", "packages/shared/src/index.ts");
    p.assert(from, "@acme/shared/client", "packages/shared/src/client.ts");
    p.assert(
        from,
        "@acme/shared/utils/url",
        "packages/shared/src/utils/url.ts",
    );
    p.assert(from, "legacy-lib", "packages/legacy/lib/entry.js");
    p.assert(from, "legacy-lib/lib/extra", "packages/legacy/lib/extra.js");
    p.assert(from, "@acme/esm", "packages/esm/src/main.ts");
    p.assert(from, "@acme/bare", "packages/bare/index.ts");
    p.assert_none(from, "@acme/cli");
    p.assert_none(from, "@acme/shared/missing");
    // A package imports itself by name.
    p.assert(
        "packages/shared/src/client.ts",
        "@acme/shared",
        "packages/shared/src/index.ts",
    );
}

#[test]
fn workspace_root_is_found_above_a_checked_subfolder_or_file() {
    let dir = tempfile::tempdir().unwrap();
    npm_monorepo(dir.path());
    let web = dir.path().join("apps/web");
    let p = Project::checking(dir.path(), std::slice::from_ref(&web));
    p.assert(
        "apps/web/src/app/api/route.ts",
        "@acme/shared",
        "packages/shared/src/index.ts",
    );
    let file = web.join("src/app/api/route.ts");
    let p = Project::checking(dir.path(), &[file]);
    p.assert(
        "apps/web/src/app/api/route.ts",
        "@acme/shared/client",
        "packages/shared/src/client.ts",
    );
    // Roots outside the monorepo know no workspace packages.
    let elsewhere = tempfile::tempdir().unwrap();
    let p = Project::checking(dir.path(), &[elsewhere.path().to_path_buf()]);
    p.assert_none("apps/web/src/app/api/route.ts", "@acme/shared");
}

#[test]
fn workspaces_object_form_and_unbuilt_packages_fall_back_to_src() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "package.json",
                r#"{ "private": true, "workspaces": { "packages": ["packages/**", "!packages/ignored"], "nohoist": [] } }"#,
            ),
            ("apps/web/src/send.ts", ""),
            // exports and main point at an unbuilt dist/.
            (
                "packages/queue/package.json",
                r#"{ "name": "@acme/queue", "main": "./dist/index.js", "exports": {
                    ".": { "import": "./dist/index.mjs", "require": "./dist/index.js" },
                    "./client": "./dist/client.js"
                } }"#,
            ),
            ("packages/queue/src/index.ts", ""),
            ("packages/queue/src/client.ts", ""),
            // dist/ exists but the linker reads sources: src/ wins.
            (
                "packages/nested/deep/package.json",
                r#"{ "name": "@acme/deep", "main": "dist/index.js" }"#,
            ),
            ("packages/nested/deep/dist/index.js", ""),
            ("packages/nested/deep/src/index.ts", ""),
            // Only built output: that is what there is.
            (
                "packages/built/package.json",
                r#"{ "name": "@acme/built", "main": "dist/index.js" }"#,
            ),
            ("packages/built/dist/index.js", ""),
            // Types condition as the only way to the source.
            (
                "packages/typed/package.json",
                r#"{ "name": "@acme/typed", "exports": { ".": { "types": "./src/index.ts", "default": "./dist/index.js" } } }"#,
            ),
            ("packages/typed/src/index.ts", ""),
            (
                "packages/ignored/package.json",
                r#"{ "name": "@acme/ignored" }"#,
            ),
            ("packages/ignored/index.ts", ""),
        ],
    );
    let p = Project::new(dir.path());
    let from = "apps/web/src/send.ts";
    p.assert(from, "@acme/queue", "packages/queue/src/index.ts");
    p.assert(from, "@acme/queue/client", "packages/queue/src/client.ts");
    p.assert(from, "@acme/deep", "packages/nested/deep/src/index.ts");
    p.assert(from, "@acme/built", "packages/built/dist/index.js");
    p.assert(from, "@acme/typed", "packages/typed/src/index.ts");
    p.assert_none(from, "@acme/ignored");
}

#[test]
fn pnpm_workspace_yaml_packages() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "pnpm-workspace.yaml",
                "packages:\n  - 'apps/*'\n  - \"packages/*\" # libraries\n\ncatalog:\n  react: ^19.0.0\n",
            ),
            ("package.json", r#"{ "name": "root" }"#),
            ("apps/web/package.json", r#"{ "name": "web" }"#),
            ("apps/web/app/api/route.ts", ""),
            (
                "packages/qstash/package.json",
                r#"{ "name": "@acme/qstash", "main": "./dist/index.js" }"#,
            ),
            ("packages/qstash/src/index.ts", ""),
            ("packages/qstash/src/receiver.ts", ""),
        ],
    );
    let p = Project::new(dir.path());
    let from = "apps/web/app/api/route.ts";
    p.assert(from, "@acme/qstash", "packages/qstash/src/index.ts");
    p.assert(
        from,
        "@acme/qstash/receiver",
        "packages/qstash/src/receiver.ts",
    );
    // A workspace package with no entry file resolves to nothing.
    p.assert_none(from, "web");
}

#[test]
fn tsconfig_extending_a_workspace_package_without_node_modules() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "package.json",
                r#"{ "private": true, "workspaces": ["apps/*", "packages/*"] }"#,
            ),
            (
                "packages/typescript-config/package.json",
                r#"{ "name": "@repo/typescript-config" }"#,
            ),
            (
                "packages/typescript-config/base.json",
                r#"{ "compilerOptions": { "strict": true } }"#,
            ),
            (
                "packages/typescript-config/nextjs.json",
                r#"{ "extends": "./base.json", "compilerOptions": { "jsx": "preserve" } }"#,
            ),
            ("apps/web/package.json", r#"{ "name": "web" }"#),
            (
                "apps/web/tsconfig.json",
                r#"{
                  "extends": "@repo/typescript-config/nextjs.json",
                  "compilerOptions": { "paths": { "@/*": ["./src/*"] } }
                }"#,
            ),
            ("apps/web/src/lib/qstash.ts", ""),
            ("apps/web/src/app/api/route.ts", ""),
            // Extends an npm package that is not installed.
            ("apps/api/package.json", r#"{ "name": "api" }"#),
            (
                "apps/api/tsconfig.json",
                r#"{
                  "extends": ["@tsconfig/node20/tsconfig.json", "@tsconfig/strictest"],
                  "compilerOptions": { "baseUrl": ".", "paths": { "~/*": ["./src/*"] } }
                }"#,
            ),
            ("apps/api/src/qstash.ts", ""),
            ("apps/api/src/server.ts", ""),
        ],
    );
    let p = Project::new(dir.path());
    p.assert(
        "apps/web/src/app/api/route.ts",
        "@/lib/qstash",
        "apps/web/src/lib/qstash.ts",
    );
    p.assert(
        "apps/api/src/server.ts",
        "~/qstash",
        "apps/api/src/qstash.ts",
    );
    // The config files themselves are left alone on disk.
    let text = fs::read_to_string(dir.path().join("apps/web/tsconfig.json")).unwrap();
    assert!(text.contains("@repo/typescript-config/nextjs.json"));
}

#[cfg(unix)]
#[test]
fn symlinked_workspace_package_in_node_modules_resolves_into_the_workspace() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    npm_monorepo(dir.path());
    let scope = dir.path().join("node_modules/@acme");
    fs::create_dir_all(&scope).unwrap();
    symlink(dir.path().join("packages/shared"), scope.join("shared")).unwrap();
    let web_modules = dir.path().join("apps/web/node_modules/@acme");
    fs::create_dir_all(&web_modules).unwrap();
    symlink("../../../../packages/shared", web_modules.join("shared")).unwrap();
    let p = Project::new(dir.path());
    let from = "apps/web/src/app/api/route.ts";
    p.assert(from, "@acme/shared", "packages/shared/src/index.ts");
    p.assert(from, "@acme/shared/client", "packages/shared/src/client.ts");
}

#[cfg(unix)]
#[test]
fn results_keep_the_symlinked_path_they_were_asked_from() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    write(
        &real,
        &[
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "paths": { "@/*": ["./src/*"] } } }"#,
            ),
            ("src/lib/qstash.ts", ""),
            ("src/app/api/route.ts", ""),
        ],
    );
    let link = dir.path().join("link");
    symlink(&real, &link).unwrap();
    let p = Project::new(&link);
    p.assert("src/app/api/route.ts", "@/lib/qstash", "src/lib/qstash.ts");
    p.assert(
        "src/app/api/route.ts",
        "../../lib/qstash",
        "src/lib/qstash.ts",
    );
    // A symlinked file inside the project is not replaced by its target either.
    symlink(
        real.join("src/lib/qstash.ts"),
        real.join("src/lib/alias.ts"),
    )
    .unwrap();
    p.assert("src/app/api/route.ts", "@/lib/alias", "src/lib/alias.ts");
}

#[test]
fn packages_builtins_and_urls_are_none() {
    let dir = tempfile::tempdir().unwrap();
    npm_monorepo(dir.path());
    write(
        dir.path(),
        &[
            (
                "apps/web/tsconfig.json",
                r#"{ "compilerOptions": { "paths": { "@/*": ["./src/*"] } } }"#,
            ),
            // Installed packages exist, and still are not project files.
            (
                "node_modules/@upstash/qstash/package.json",
                r#"{ "name": "@upstash/qstash", "main": "index.js" }"#,
            ),
            ("node_modules/@upstash/qstash/index.js", ""),
            ("node_modules/next/package.json", r#"{ "name": "next" }"#),
            ("node_modules/next/server.js", ""),
            ("node_modules/react/index.js", ""),
        ],
    );
    let p = Project::new(dir.path());
    let from = "apps/web/src/app/api/route.ts";
    for spec in [
        "next/server",
        "@upstash/qstash",
        "@upstash/qstash/nextjs",
        "react",
        "fs",
        "node:crypto",
        "npm:@upstash/qstash",
        "npm:@upstash/qstash@2.7.0",
        "jsr:@std/path",
        "https://esm.sh/@upstash/qstash@2.7",
        "http://localhost/x.ts",
        "data:text/javascript,export default 1",
        "file:///etc/passwd",
        "$env/static/private",
        "virtual:pwa",
        "",
    ] {
        p.assert_none(from, spec);
    }
    // A bare import is never looked up in node_modules, so a thousand of them
    // stay cheap (debug build, generous bound).
    let start = Instant::now();
    for i in 0..1000 {
        p.assert_none(from, &format!("some-package-{i}/sub"));
    }
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn shared_across_threads_and_cheap_per_call() {
    use rayon::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let mut files = vec![(
        "tsconfig.json".to_string(),
        r#"{ "compilerOptions": { "paths": { "@/*": ["./src/*"] } } }"#.to_string(),
    )];
    files.push(("src/lib/qstash.ts".into(), String::new()));
    for i in 0..300 {
        files.push((format!("src/feature{}/file{i}.ts", i % 20), String::new()));
    }
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write(dir.path(), &borrowed);
    let resolver = ModuleResolver::new(&[dir.path().to_path_buf()]);
    let froms: Vec<PathBuf> = (0..300)
        .map(|i| dir.path().join(format!("src/feature{}/file{i}.ts", i % 20)))
        .collect();
    let expected = dir.path().join("src/lib/qstash.ts");
    let start = Instant::now();
    for _ in 0..10 {
        let all = froms.par_iter().all(|from| {
            resolver.resolve(from, "@/lib/qstash").as_ref() == Some(&expected)
                && resolver.resolve(from, "../lib/qstash.js").as_ref() == Some(&expected)
                && resolver.resolve(from, "@upstash/qstash").is_none()
        });
        assert!(all);
    }
    // 9,000 resolutions in a debug build.
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
}
