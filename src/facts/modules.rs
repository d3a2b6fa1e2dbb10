//! Module specifier normalisation: `npm:@upstash/qstash@2`,
//! `https://esm.sh/@upstash/qstash@2.7/nextjs` and `@upstash/qstash/dist/nextjs`
//! all name the modules the rules know.

/// The package `@upstash/qstash`.
pub const QSTASH: &str = "@upstash/qstash";
/// The package `@upstash/workflow`.
pub const WORKFLOW: &str = "@upstash/workflow";

/// Normalises a specifier: strips `npm:`/`jsr:` prefixes, CDN hosts, version
/// suffixes, query strings, `dist/` and file extensions for the QStash and
/// workflow packages. Other specifiers are returned unchanged.
pub fn normalize(specifier: &str) -> String {
    let mut s = specifier.trim();
    for prefix in ["npm:", "jsr:", "node:"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest;
        }
    }
    let s = s.split(['?', '#']).next().unwrap_or(s);
    // Deno's registry names the legacy SDK `upstash_qstash`.
    if let Some(i) = s.find("/x/upstash_qstash") {
        let rest = &s[i + "/x/upstash_qstash".len()..];
        let sub = rest.split_once('/').map_or("", |(_, sub)| sub);
        return join_sub(QSTASH, &clean_sub(sub.trim_start_matches("pkg/")));
    }
    for pkg in [QSTASH, WORKFLOW] {
        let Some(i) = s.find(pkg) else { continue };
        if i > 0 && !s[..i].ends_with('/') {
            continue;
        }
        let rest = &s[i + pkg.len()..];
        let rest = if let Some(v) = rest.strip_prefix('@') {
            v.find('/').map_or("", |j| &v[j..])
        } else {
            rest
        };
        if !(rest.is_empty() || rest.starts_with('/')) {
            continue;
        }
        return join_sub(pkg, &clean_sub(rest.trim_start_matches('/')));
    }
    s.to_string()
}

fn clean_sub(sub: &str) -> String {
    let mut sub = sub.trim_end_matches('/');
    for ext in [".js", ".mjs", ".cjs", ".ts", ".d.ts"] {
        if let Some(rest) = sub.strip_suffix(ext) {
            sub = rest;
        }
    }
    let sub = sub.strip_suffix("/index").unwrap_or(sub);
    let sub = sub.strip_prefix("dist/").unwrap_or(sub);
    let sub = sub.strip_prefix("esm/").unwrap_or(sub);
    match sub {
        "dist" | "index" | "mod" | "src" | "src/index" => String::new(),
        other => other.to_string(),
    }
}

fn join_sub(pkg: &str, sub: &str) -> String {
    if sub.is_empty() {
        pkg.to_string()
    } else {
        format!("{pkg}/{sub}")
    }
}

/// Whether `module` (normalised) is `@upstash/qstash` or one of its subpaths.
pub fn is_qstash(module: &str) -> bool {
    module == QSTASH || module.starts_with("@upstash/qstash/")
}

/// Whether `module` (normalised) is `@upstash/workflow` or one of its subpaths.
pub fn is_workflow(module: &str) -> bool {
    module == WORKFLOW || module.starts_with("@upstash/workflow/")
}

/// The verify wrappers and the modules that export them.
pub fn is_verify_wrapper(module: &str, name: &str) -> bool {
    let sub = module.strip_prefix("@upstash/qstash/").unwrap_or("");
    match name {
        "verifySignature" | "verifySignatureEdge" | "verifySignatureAppRouter" => sub == "nextjs",
        "verifySignatureH3" => sub == "h3" || sub == "nuxt",
        "verifySignatureNuxt" => sub == "nuxt" || sub == "h3",
        "verifySignatureSvelte" => sub == "svelte",
        "verifySignatureSolidjs" => sub == "solidjs",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_the_forms_of_rules_md() {
        assert_eq!(normalize("@upstash/qstash"), "@upstash/qstash");
        assert_eq!(normalize("npm:@upstash/qstash"), "@upstash/qstash");
        assert_eq!(normalize("npm:@upstash/qstash@2.7.0"), "@upstash/qstash");
        assert_eq!(normalize("jsr:@upstash/qstash"), "@upstash/qstash");
        assert_eq!(
            normalize("https://esm.sh/@upstash/qstash@2"),
            "@upstash/qstash"
        );
        assert_eq!(
            normalize("npm:@upstash/qstash@2.7.0/nextjs"),
            "@upstash/qstash/nextjs"
        );
        assert_eq!(
            normalize("https://esm.sh/@upstash/qstash@2.7"),
            "@upstash/qstash"
        );
        assert_eq!(
            normalize("https://esm.sh/@upstash/qstash@2.7/nextjs?target=deno"),
            "@upstash/qstash/nextjs"
        );
        assert_eq!(
            normalize("@upstash/qstash/dist/nextjs"),
            "@upstash/qstash/nextjs"
        );
        assert_eq!(
            normalize("@upstash/qstash/nextjs"),
            "@upstash/qstash/nextjs"
        );
        assert_eq!(
            normalize("npm:@upstash/workflow@1/nextjs"),
            "@upstash/workflow/nextjs"
        );
        assert_eq!(
            normalize("https://deno.land/x/upstash_qstash@v0.3.6/mod.ts"),
            "@upstash/qstash"
        );
        assert_eq!(normalize("@upstash/qstash-cli"), "@upstash/qstash-cli");
        assert_eq!(normalize("@acme/upstash/qstash"), "@acme/upstash/qstash");
        assert_eq!(normalize("./lib/qstash"), "./lib/qstash");
    }

    #[test]
    fn wrappers_come_from_their_modules() {
        assert!(is_verify_wrapper(
            "@upstash/qstash/nextjs",
            "verifySignatureAppRouter"
        ));
        assert!(is_verify_wrapper(
            "@upstash/qstash/nuxt",
            "verifySignatureNuxt"
        ));
        assert!(!is_verify_wrapper(
            "@upstash/qstash",
            "verifySignatureAppRouter"
        ));
        assert!(!is_verify_wrapper(
            "@upstash/qstash/hono",
            "verifySignature"
        ));
    }
}
