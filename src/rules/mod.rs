//! The rule registry. A rule is one file here that reads a file's facts and
//! reports findings; adding a rule touches that file and [`RULES`].

mod client_exposed_secret;
mod dead_destination;
mod deprecated_api;
mod floating_publish;
mod hardcoded_signing_key;
mod hardcoded_token;
mod insecure_http_destination;
mod invalid_cron;
mod invalid_delay;
mod localhost_destination;
mod missing_destination;
mod missing_signature_verification;
mod single_signing_key;
mod unawaited_verify;
mod unhandled_publish;
mod unverified_callback;
mod verification_bypass;
mod verify_parsed_body;
mod verify_without_url;

use crate::diagnostic::{Severity, Span};
use crate::facts::FileFacts;
use crate::secrets::SecretHit;

/// What a rule is about; shown in `qstash-lint rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Anyone can forge or read something they should not.
    Security,
    /// The code does not do what it means to.
    Correctness,
    /// The code works but uses an API that is going away.
    Deprecated,
    /// About qstash-lint itself (parse errors, suppressions).
    Meta,
}

impl Category {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Security => "security",
            Category::Correctness => "correctness",
            Category::Deprecated => "deprecated",
            Category::Meta => "meta",
        }
    }
}

/// Everything that describes a rule.
#[derive(Debug)]
pub struct RuleMeta {
    /// The public id, used in configs and suppressions.
    pub id: &'static str,
    /// Severity when the config says nothing.
    pub severity: Severity,
    /// Whether it runs when the config says nothing.
    pub enabled_by_default: bool,
    /// What it is about.
    pub category: Category,
    /// SARIF `security-severity` for security rules.
    pub security_severity: Option<f32>,
    /// One line for `qstash-lint rules`.
    pub summary: &'static str,
    /// The user doc, `rules/<id>.md`.
    pub doc: &'static str,
}

/// What a rule sees of one file.
pub struct RuleContext<'a> {
    /// The file's text.
    pub text: &'a str,
    /// Facts, when the file was parsed.
    pub facts: Option<&'a FileFacts>,
    /// Secret-shaped literals found by the byte scan.
    pub secrets: &'a [SecretHit],
    /// The file is a test file (config `testFiles`).
    pub is_test: bool,
    /// The file or its project targets the local QStash dev server.
    pub dev_server: bool,
    /// Handlers of this file that receive QStash messages and do not verify
    /// them (from the project-wide receiver analysis).
    pub unverified: &'a [crate::receivers::HandlerStatus],
    /// Sends of this file whose promise is lost (from the project-wide send
    /// flow).
    pub flow: &'a [crate::sendflow::FlowFinding],
    /// `req.body` values given to `verify` that a JSON body parser installed
    /// where the router is mounted has parsed (from the receiver analysis).
    pub parsed_bodies: &'a [crate::receivers::ParsedBody],
    /// Destinations of this file whose route has no handler for their
    /// method (from the receiver analysis).
    pub dead_destinations: &'a [crate::receivers::DeadDestination],
    /// The file is a route file by its framework's convention.
    pub route_file: bool,
    /// The file serves no request: not a route file, no route registered in
    /// code. Its top-level code runs as a script (a one-off CLI, a CI
    /// harness), where a rejection crashes the process loudly.
    pub script: bool,
}

impl RuleContext<'_> {
    /// Whether `span` runs under a test runner: a test file, or a callback
    /// handed to `test`/`it`/`describe` and their kin.
    pub fn in_test(&self, span: Span) -> bool {
        self.is_test
            || self
                .facts
                .is_some_and(|f| f.test_callbacks.iter().any(|t| t.contains(span)))
    }

    /// Whether a lost send is not a serverless handler's: in test code, or
    /// at the top level of a script.
    pub fn outside_handlers(&self, f: &crate::sendflow::FlowFinding) -> bool {
        self.in_test(f.callee) || (self.script && f.top_level)
    }
}

/// One finding before configuration decides its severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Rule id.
    pub rule: &'static str,
    /// Primary span.
    pub span: Span,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Related locations in the same file: (span, message).
    pub related: Vec<(Span, String)>,
    /// Related locations in other files: (absolute path, span, message).
    pub related_elsewhere: Vec<(std::path::PathBuf, Span, String)>,
    /// A fix, when there is one.
    pub fix: Option<crate::diagnostic::Fix>,
}

impl Finding {
    /// A finding without related locations.
    pub fn new(
        rule: &'static str,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Finding {
            rule,
            span,
            message: message.into(),
            help: Some(help.into()),
            related: Vec::new(),
            related_elsewhere: Vec::new(),
            fix: None,
        }
    }
}

/// A rule: its description and its check.
pub struct Rule {
    /// Description.
    pub meta: &'static RuleMeta,
    /// The check; `None` for rules the engine reports itself.
    pub check: Option<fn(&RuleContext, &mut Vec<Finding>)>,
}

/// `parse-error`: reported by the engine when a file does not parse.
pub static PARSE_ERROR: RuleMeta = RuleMeta {
    id: "parse-error",
    severity: Severity::Error,
    enabled_by_default: true,
    category: Category::Meta,
    security_severity: None,
    summary: "the file could not be parsed, so it was not linted",
    doc: include_str!("../../rules/parse-error.md"),
};

/// `unused-suppression`: reported by the engine for suppressions that match nothing.
pub static UNUSED_SUPPRESSION: RuleMeta = RuleMeta {
    id: "unused-suppression",
    severity: Severity::Warning,
    enabled_by_default: true,
    category: Category::Meta,
    security_severity: None,
    summary: "a qstash-lint-ignore comment that suppresses nothing or names an unknown rule",
    doc: include_str!("../../rules/unused-suppression.md"),
};

/// Every rule, sorted by id.
pub static RULES: &[Rule] = &[
    Rule {
        meta: &client_exposed_secret::META,
        check: Some(client_exposed_secret::check),
    },
    Rule {
        meta: &dead_destination::META,
        check: Some(dead_destination::check),
    },
    Rule {
        meta: &deprecated_api::META,
        check: Some(deprecated_api::check),
    },
    Rule {
        meta: &floating_publish::META,
        check: Some(floating_publish::check),
    },
    Rule {
        meta: &hardcoded_signing_key::META,
        check: Some(hardcoded_signing_key::check),
    },
    Rule {
        meta: &hardcoded_token::META,
        check: Some(hardcoded_token::check),
    },
    Rule {
        meta: &insecure_http_destination::META,
        check: Some(insecure_http_destination::check),
    },
    Rule {
        meta: &invalid_cron::META,
        check: Some(invalid_cron::check),
    },
    Rule {
        meta: &invalid_delay::META,
        check: Some(invalid_delay::check),
    },
    Rule {
        meta: &localhost_destination::META,
        check: Some(localhost_destination::check),
    },
    Rule {
        meta: &missing_destination::META,
        check: Some(missing_destination::check),
    },
    Rule {
        meta: &missing_signature_verification::META,
        check: Some(missing_signature_verification::check),
    },
    Rule {
        meta: &PARSE_ERROR,
        check: None,
    },
    Rule {
        meta: &single_signing_key::META,
        check: Some(single_signing_key::check),
    },
    Rule {
        meta: &unawaited_verify::META,
        check: Some(unawaited_verify::check),
    },
    Rule {
        meta: &unhandled_publish::META,
        check: Some(unhandled_publish::check),
    },
    Rule {
        meta: &UNUSED_SUPPRESSION,
        check: None,
    },
    Rule {
        meta: &unverified_callback::META,
        check: Some(unverified_callback::check),
    },
    Rule {
        meta: &verification_bypass::META,
        check: Some(verification_bypass::check),
    },
    Rule {
        meta: &verify_parsed_body::META,
        check: Some(verify_parsed_body::check),
    },
    Rule {
        meta: &verify_without_url::META,
        check: Some(verify_without_url::check),
    },
];

/// Where the rule docs live on the web (the `rules/` directory of the
/// repository): SARIF's `helpUri` and the editor's `codeDescription` link here.
const DOC_BASE: &str = "https://github.com/qstash-lint/qstash-lint/blob/main/rules/";

/// The web address of rule `id`'s documentation.
pub fn doc_url(id: &str) -> String {
    format!("{DOC_BASE}{id}.md")
}

/// Rule `id` as a PascalCase name (`missing-signature-verification` →
/// `MissingSignatureVerification`): SARIF wants a `name` that is not the id
/// (SARIF1001).
pub fn pascal_name(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .flat_map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect()
}

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.meta.id == id)
}

/// Runs every rule in `enabled` on one file.
pub fn run(ctx: &RuleContext, enabled: impl Fn(&str) -> bool) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in RULES {
        if let Some(check) = rule.check {
            if enabled(rule.meta.id) {
                check(ctx, &mut out);
            }
        }
    }
    // One problem, one diagnostic: a literal reached through one const from
    // several calls (a shared token, a shared cron) is reported once.
    let mut seen = crate::hash::HashSet::default();
    out.retain(|f| seen.insert((f.rule, f.span)));
    out
}

/// Building fixes.
pub mod fixes {
    use crate::diagnostic::{Applicability, Fix, Span};

    /// A fix that replaces `span` with `text`.
    pub fn replace(
        applicability: Applicability,
        title: &str,
        span: Span,
        text: &str,
    ) -> Option<Fix> {
        Some(Fix {
            applicability,
            title: title.to_string(),
            edits: vec![(span, text.to_string())],
        })
    }

    /// A fix that inserts `text` at `at`.
    pub fn insert(applicability: Applicability, title: &str, at: u32, text: &str) -> Option<Fix> {
        replace(applicability, title, Span::new(at, at), text)
    }
}

/// Shared by the two send-flow rules.
pub mod flow_helpers {
    use super::{Finding, RuleContext};
    use crate::sendflow::FlowFinding;

    /// The callee as written, for messages (`qstash.publishJSON`).
    pub fn callee_text<'a>(ctx: &RuleContext<'a>, f: &FlowFinding) -> &'a str {
        ctx.text
            .get(f.callee.start as usize..f.callee.end as usize)
            .unwrap_or("the send")
    }

    /// A finding with the send a sender call reaches as related location.
    pub fn finding(rule: &'static str, f: &FlowFinding, message: String, help: &str) -> Finding {
        let mut out = Finding::new(rule, f.callee, message, help);
        if let Some((path, span)) = &f.reaches {
            out.related_elsewhere.push((
                path.clone(),
                *span,
                "the QStash send it reaches".to_string(),
            ));
        }
        out
    }
}

/// Shared by the two receiver rules.
pub mod receiver_helpers {
    use super::Finding;
    use crate::receivers::{HandlerStatus, Reason};

    /// The finding for an unverified receiver, with the send that targets it
    /// as a related location.
    pub fn finding(rule: &'static str, h: &HandlerStatus, message: String, help: &str) -> Finding {
        let mut f = Finding::new(rule, h.span, message, help);
        if let Some(t) = &h.target {
            let what = match h.reason {
                Reason::Callback => "QStash calls this route back from here",
                _ => "QStash delivers to this route from here",
            };
            f.related_elsewhere
                .push((t.path.clone(), t.span, what.to_string()));
        }
        f
    }
}

/// Shared helpers for rules that look at option values.
pub mod helpers {
    use crate::facts::{Candidate, Literal, Value};

    /// The fully known string values of a value: its literal, or candidates
    /// that fold to a whole string, with the span of the literal that gives it.
    pub fn literal_strings(v: &Value) -> Vec<(String, crate::diagnostic::Span)> {
        let from_candidates: Vec<_> = v
            .candidates
            .iter()
            .filter_map(|c: &Candidate| {
                // A literal from another file is reported at the value here.
                let span = match c.origin_file {
                    Some(_) => v.span,
                    None => c.origin,
                };
                c.as_literal().map(|s| (s, span))
            })
            .collect();
        match (&v.literal, from_candidates.is_empty()) {
            (Some(Literal::Str(s)), true) => vec![(s.clone(), v.span)],
            _ => from_candidates,
        }
    }
}

/// Destination helpers shared by the destination rules.
pub mod destinations {
    use crate::diagnostic::Span;
    use crate::facts::fold::candidate_scheme_and_host;
    use crate::facts::{Candidate, Destination, FileFacts};

    /// One judged destination candidate.
    pub struct HostUse<'a> {
        /// The option that names it.
        pub destination: &'a Destination,
        /// The candidate.
        pub candidate: &'a Candidate,
        /// Its scheme, lowercase.
        pub scheme: String,
        /// Its host, as written.
        pub host: String,
    }

    /// Every destination candidate that `keep` accepts and whose scheme and
    /// host are known.
    pub fn hosts(
        facts: &FileFacts,
        keep: impl Fn(&Candidate) -> bool + Copy,
    ) -> impl Iterator<Item = HostUse<'_>> {
        facts
            .sends
            .iter()
            .flat_map(|s| s.destinations.iter())
            .flat_map(move |d| {
                d.value
                    .candidates
                    .iter()
                    .filter(move |c| keep(c))
                    .filter_map(move |c| {
                        let (scheme, host) = candidate_scheme_and_host(c)?;
                        Some(HostUse {
                            destination: d,
                            candidate: c,
                            scheme,
                            host,
                        })
                    })
            })
    }

    /// The related location for a candidate whose text comes from elsewhere
    /// in the file (a const, a helper's return).
    pub fn origin_note(value: Span, candidate: &Candidate, what: &str) -> Vec<(Span, String)> {
        if candidate.origin_file.is_some() || value.contains(candidate.origin) {
            Vec::new()
        } else {
            vec![(candidate.origin, what.to_string())]
        }
    }

    /// The related location for a candidate whose text comes from another
    /// file (an imported const, an imported helper's return).
    pub fn origin_elsewhere(
        candidate: &Candidate,
        what: &str,
    ) -> Vec<(std::path::PathBuf, Span, String)> {
        match &candidate.origin_file {
            Some(file) => vec![(file.to_path_buf(), candidate.origin, what.to_string())],
            None => Vec::new(),
        }
    }

    /// Adds the related location of the text a destination's value comes
    /// from, in this file or another.
    pub fn note_origin(f: &mut super::Finding, value: Span, candidate: &Candidate, what: &str) {
        f.related = origin_note(value, candidate, what);
        f.related_elsewhere = origin_elsewhere(candidate, what);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pascal_names() {
        assert_eq!(
            super::pascal_name("missing-signature-verification"),
            "MissingSignatureVerification"
        );
        assert_eq!(super::pascal_name("parse-error"), "ParseError");
        assert_eq!(super::pascal_name("a--b_c"), "ABC");
    }
}
