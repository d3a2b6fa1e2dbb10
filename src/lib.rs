//! qstash-lint: a fast static-analysis linter for Upstash QStash in
//! TypeScript and JavaScript projects.
//!
//! The pipeline (see `engine`): discover → read + prefilter → parse → extract
//! facts → link the project → run rules → suppress → report.

pub mod baseline;
pub mod cli;
pub mod config;
pub mod delivery;
pub mod deploy;
pub mod depth;
pub mod diagnostic;
pub mod discover;
pub mod engine;
pub mod facts;
pub mod fingerprint;
pub mod fix;
pub mod hash;
pub mod link;
pub mod listing;
pub mod lsp;
pub mod mounts;
pub mod parse;
pub mod pathbytes;
pub mod prefilter;
pub mod project;
pub mod receivers;
pub mod redact;
pub mod report;
pub mod resolve;
pub mod routes;
pub mod rules;
pub mod safe_write;
pub mod secrets;
pub mod sendflow;
pub mod source;
pub mod suppress;
pub mod wrangler;
