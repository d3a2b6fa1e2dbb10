//! `qstash-lint.json`: discovery, parsing and validation.
//!
//! Every error names the file, the key and its line and column, and makes
//! the run exit with code 2.

use crate::rules;
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The config file name.
pub const FILE_NAME: &str = "qstash-lint.json";

/// Every key a config may have, as the parser reads them (the schema in
/// `schema/qstash-lint.schema.json` lists the same).
pub const KEYS: &[&str] = &[
    "$schema",
    "rules",
    "include",
    "exclude",
    "receivers",
    "testFiles",
];

/// Where the config's JSON Schema is published (`"$schema"` in a config).
pub const SCHEMA_URL: &str =
    "https://raw.githubusercontent.com/qstash-lint/qstash-lint/main/schema/qstash-lint.schema.json";

/// The commented config `qstash-lint init` writes: every key, with the
/// defaults where a key has one.
pub fn starter() -> String {
    let test_files: Vec<String> = DEFAULT_TEST_FILES
        .iter()
        .map(|g| format!("\"{g}\""))
        .collect();
    format!(
        r#"// qstash-lint configuration (JSONC: comments and trailing commas are fine).
// Globs are relative to this file's directory; a plain directory name also
// means everything below it.
{{
  "$schema": "{SCHEMA_URL}",
  // Rule id -> "off", "warn" or "error" (`qstash-lint rules` lists them).
  "rules": {{
    // "deprecated-api": "warn",
  }},
  // Only files matching one of these are checked (default: all), e.g.
  // "include": ["src/**", "app/**"],
  // Files never checked, also when named on the command line.
  "exclude": [],
  // Files whose handlers receive QStash messages even when no publish in
  // the project targets them (missing-signature-verification).
  "receivers": [],
  // Test files: literal tokens and local destinations are expected there.
  "testFiles": [{}],
}}
"#,
        test_files.join(", ")
    )
}

/// The default `testFiles` globs.
pub const DEFAULT_TEST_FILES: &[&str] = &[
    "**/*.test.*",
    "**/*.spec.*",
    "**/__tests__/**",
    "**/test/**",
    "**/tests/**",
];

/// Configs larger than this are refused: a config is a few hundred bytes,
/// and `--config /dev/zero` must not read until memory runs out.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Reads a UTF-8 text file of at most `cap` bytes. Anything but a regular
/// file (a FIFO would block, a device never ends, a directory has no text)
/// is refused before it is opened.
pub fn read_regular_file(path: &Path, cap: u64) -> Result<String, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read the config file: {e}"))?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a directory"
        } else {
            "a FIFO, socket or device"
        };
        return Err(format!(
            "not a regular file ({what}): a config must be a regular file"
        ));
    }
    let too_big = || format!("larger than {} KiB: not a config file", cap / 1024);
    if meta.len() > cap {
        return Err(too_big());
    }
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read the config file: {e}"))?;
    let mut bytes = Vec::new();
    // The file may grow between the stat and the read.
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the config file: {e}"))?;
    if bytes.len() as u64 > cap {
        return Err(too_big());
    }
    String::from_utf8(bytes).map_err(|_| "the config file is not UTF-8 text".to_string())
}

/// What the config says about one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Not run.
    Off,
    /// Reported as a note.
    Note,
    /// Reported as a warning.
    Warn,
    /// Reported as an error.
    Error,
}

/// A config error, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The config file.
    pub path: PathBuf,
    /// 1-based line (0 when unknown).
    pub line: usize,
    /// 1-based column (0 when unknown).
    pub column: usize,
    /// What is wrong, naming the key.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                self.line,
                self.column,
                self.message
            )
        } else {
            write!(f, "{}: {}", self.path.display(), self.message)
        }
    }
}

/// A loaded configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from (`None` for the defaults).
    pub path: Option<PathBuf>,
    /// The directory globs are relative to.
    pub dir: PathBuf,
    /// Rule levels set by the user.
    pub rules: BTreeMap<String, Level>,
    /// Only files matching these are checked (`None`: all).
    pub include: Option<GlobSet>,
    /// Files matching these are not checked.
    pub exclude: GlobSet,
    /// Files that receive QStash messages whatever their routes say.
    pub receivers: GlobSet,
    /// Test files: secrets in options and local destinations are expected there.
    pub test_files: GlobSet,
}

struct RuleId(String);

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if rules::find(&s).is_none() {
            return Err(de::Error::custom(format!(
                "unknown rule \"{s}\" in \"rules\" (run `qstash-lint rules` for the list)"
            )));
        }
        Ok(RuleId(s))
    }
}

struct LevelVisitor;

impl Visitor<'_> for LevelVisitor {
    type Value = Level;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("\"off\", \"warn\" or \"error\"")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Level, E> {
        match v {
            "off" => Ok(Level::Off),
            "note" | "info" => Ok(Level::Note),
            "warn" | "warning" => Ok(Level::Warn),
            "error" => Ok(Level::Error),
            other => Err(E::custom(format!(
                "invalid level \"{other}\": expected \"off\", \"warn\" or \"error\""
            ))),
        }
    }
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(LevelVisitor)
    }
}

struct RulesMap(BTreeMap<String, Level>);

impl<'de> Deserialize<'de> for RulesMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RulesMap;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of rule ids to \"off\", \"warn\" or \"error\"")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RulesMap, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(RuleId(id)) = map.next_key()? {
                    let level: Level = map.next_value()?;
                    out.insert(id, level);
                }
                Ok(RulesMap(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawConfig {
    #[serde(rename = "$schema")]
    _schema: Option<String>,
    rules: Option<RulesMap>,
    include: Option<Vec<String>>,
    exclude: Option<Vec<String>>,
    receivers: Option<Vec<String>>,
    test_files: Option<Vec<String>>,
}

impl Config {
    /// The configuration used when no file is found.
    pub fn defaults(dir: &Path) -> Config {
        Config {
            path: None,
            dir: dir.to_path_buf(),
            rules: BTreeMap::new(),
            include: None,
            exclude: GlobSet::empty(),
            receivers: GlobSet::empty(),
            test_files: default_test_globs().clone(),
        }
    }

    /// Loads and validates the config file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = read_regular_file(path, MAX_CONFIG_BYTES).map_err(|message| ConfigError {
            path: path.to_path_buf(),
            line: 0,
            column: 0,
            message,
        })?;
        Self::parse(path, &text)
    }

    /// Parses config `text` (JSONC) that came from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let text = &strip_jsonc(text);
        let raw: RawConfig = serde_json::from_str(text).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: describe_serde_error(&e),
        })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut cfg = Config::defaults(&dir);
        cfg.path = Some(path.to_path_buf());
        let glob_err = |key: &str, glob: &str, err: String| {
            let (line, column) = position_of(text, glob);
            ConfigError {
                path: path.to_path_buf(),
                line,
                column,
                message: format!("invalid glob \"{glob}\" in \"{key}\": {err}"),
            }
        };
        let compile = |key: &str, globs: Vec<String>| -> Result<GlobSet, ConfigError> {
            for g in &globs {
                Glob::new(g).map_err(|e| glob_err(key, g, e.kind().to_string()))?;
            }
            build_globs(globs.into_iter().flat_map(expand_dir_glob))
                .map_err(|e| glob_err(key, "", e))
        };
        if let Some(r) = raw.rules {
            cfg.rules = r.0;
        }
        if let Some(g) = raw.include {
            cfg.include = Some(compile("include", g)?);
        }
        if let Some(g) = raw.exclude {
            cfg.exclude = compile("exclude", g)?;
        }
        if let Some(g) = raw.receivers {
            cfg.receivers = compile("receivers", g)?;
        }
        if let Some(g) = raw.test_files {
            cfg.test_files = compile("testFiles", g)?;
        }
        Ok(cfg)
    }

    /// The path of `file` relative to the config directory, `/`-separated.
    pub fn relative<'a>(&self, file: &'a Path) -> std::borrow::Cow<'a, str> {
        let rel = crate::pathbytes::strip_prefix(file, &self.dir).unwrap_or(file);
        // Asked of every file: no copy for the usual UTF-8, `/`-separated path.
        match rel.to_str() {
            Some(s) if !s.contains('\\') => std::borrow::Cow::Borrowed(s.trim_start_matches('/')),
            _ => std::borrow::Cow::Owned(
                rel.to_string_lossy()
                    .replace('\\', "/")
                    .trim_start_matches('/')
                    .to_string(),
            ),
        }
    }

    /// Whether `file` is checked under this config.
    pub fn selects(&self, file: &Path) -> bool {
        // Asked of every file of the tree, and most configs have neither
        // list: a glob set, even empty, makes a candidate of the path.
        if self.include.is_none() && self.exclude.is_empty() {
            return true;
        }
        let rel = self.relative(file);
        self.include
            .as_ref()
            .is_none_or(|g| g.is_match(rel.as_ref()))
            && !self.exclude.is_match(rel.as_ref())
    }

    /// Whether `file` is a test file.
    pub fn is_test(&self, file: &Path) -> bool {
        self.test_files.is_match(self.relative(file).as_ref())
    }

    /// The configured level of `rule`, if the user set one.
    pub fn level(&self, rule: &str) -> Option<Level> {
        self.rules.get(rule).copied()
    }
}

/// The default test-file globs, compiled once per process.
fn default_test_globs() -> &'static GlobSet {
    static GLOBS: std::sync::OnceLock<GlobSet> = std::sync::OnceLock::new();
    GLOBS.get_or_init(|| {
        build_globs(DEFAULT_TEST_FILES.iter().map(|s| s.to_string()))
            .unwrap_or_else(|_| GlobSet::empty())
    })
}

/// `dir` also means everything below it, as in `.gitignore`.
fn expand_dir_glob(g: String) -> Vec<String> {
    if g.ends_with("**") || g.contains("*.") {
        vec![g]
    } else {
        let trimmed = g.trim_end_matches('/').to_string();
        vec![trimmed.clone(), format!("{trimmed}/**")]
    }
}

fn build_globs(globs: impl IntoIterator<Item = String>) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        let glob = globset::GlobBuilder::new(&g)
            .literal_separator(true)
            .build()
            .map_err(|e| e.kind().to_string())?;
        b.add(glob);
    }
    b.build().map_err(|e| e.to_string())
}

fn describe_serde_error(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    // serde_json appends " at line L column C"; the position is printed separately.
    let msg = msg
        .rsplit_once(" at line ")
        .map_or(msg.as_str(), |(m, _)| m)
        .to_string();
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or("");
        let expected: Vec<String> = KEYS[1..].iter().map(|k| format!("\"{k}\"")).collect();
        return format!(
            "unknown key \"{key}\" (expected one of {})",
            expected.join(", ")
        );
    }
    msg
}

/// `text` with its comments and trailing commas blanked out, as JSONC
/// (`tsconfig.json`'s dialect) allows. Every other byte stays where it was,
/// so serde_json's errors and [`position_of`] give the file's own lines and
/// columns. jsonc-parser's scanner finds the tokens (strings with `//` or
/// `,]` inside stay whole); where it stops on bad input, serde_json reports
/// the error.
pub fn strip_jsonc(text: &str) -> String {
    use jsonc_parser::tokens::Token;
    // JSONC, not JSON5: no single quotes, hex or NaN.
    let opts = jsonc_parser::ScannerOptions {
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let mut scanner = jsonc_parser::Scanner::new(text, &opts);
    let mut bytes = text.as_bytes().to_vec();
    let mut blank = |from: usize, to: usize| {
        for b in bytes.get_mut(from..to).into_iter().flatten() {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    };
    let mut comma: Option<(usize, usize)> = None;
    while let Ok(Some(token)) = scanner.scan() {
        let range = (scanner.token_start(), scanner.token_end());
        match token {
            Token::CommentLine(_) | Token::CommentBlock(_) => blank(range.0, range.1),
            Token::Comma => comma = Some(range),
            Token::CloseBrace | Token::CloseBracket => {
                if let Some((from, to)) = comma.take() {
                    blank(from, to);
                }
            }
            _ => comma = None,
        }
    }
    // Whole characters are blanked (a token's range is), so this holds.
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
}

fn position_of(text: &str, needle: &str) -> (usize, usize) {
    let quoted = format!("\"{needle}\"");
    match text.find(&quoted) {
        Some(i) => {
            let line = text[..i].matches('\n').count() + 1;
            let col = i - text[..i].rfind('\n').map_or(0, |n| n + 1) + 1;
            (line, col)
        }
        None => (0, 0),
    }
}

/// Finds the config for `start` (a file or directory): the nearest
/// `qstash-lint.json` upward, stopping at the repository root.
pub fn find(start: &Path) -> Option<PathBuf> {
    let mut dir = if start.is_dir() {
        Some(start)
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        // Anything by that name is the config: a directory is refused when
        // loaded rather than silently passed over.
        if crate::listing::exists(&candidate) {
            return Some(candidate);
        }
        if crate::listing::exists(&d.join(".git")) {
            return None;
        }
        dir = d.parent();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("/p/qstash-lint.json"), text)
    }

    #[test]
    fn reads_every_key() {
        let c = parse(r#"{"rules": {"deprecated-api": "off", "invalid-cron": "warn"}, "exclude": ["legacy"], "testFiles": ["**/*.fixture.ts"]}"#).unwrap();
        assert_eq!(c.level("deprecated-api"), Some(Level::Off));
        assert!(!c.selects(Path::new("/p/legacy/a.ts")));
        assert!(c.selects(Path::new("/p/src/a.ts")));
        assert!(c.is_test(Path::new("/p/src/a.fixture.ts")));
        assert!(!c.is_test(Path::new("/p/src/a.test.ts")));
    }

    #[test]
    fn errors_name_key_and_position() {
        let e = parse("{\n  \"rulez\": {}\n}").unwrap_err();
        assert!(e.message.contains("unknown key \"rulez\""), "{}", e.message);
        assert_eq!(e.line, 2);
        let e = parse("{\n  \"rules\": {\n    \"no-such-rule\": \"error\"\n  }\n}").unwrap_err();
        assert!(
            e.message.contains("unknown rule \"no-such-rule\""),
            "{}",
            e.message
        );
        assert_eq!(e.line, 3);
        let e = parse("{\"rules\": {\"invalid-cron\": \"loud\"}}").unwrap_err();
        assert!(
            e.message.contains("invalid level \"loud\""),
            "{}",
            e.message
        );
        let e = parse("{\n\"exclude\": [\"a/[\"]}").unwrap_err();
        assert!(e.message.contains("invalid glob"), "{}", e.message);
        assert_eq!(e.line, 2);
    }

    #[test]
    fn keys_are_the_fields_serde_reads() {
        // serde's own list of the fields, from an unknown one's error.
        let e = serde_json::from_str::<RawConfig>("{\"zz\": 1}")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        let list = e.split("expected one of ").nth(1).unwrap_or("");
        let fields: Vec<&str> = list
            .split(", ")
            .map(|f| f.split('`').nth(1).unwrap_or(""))
            .collect();
        assert_eq!(fields, KEYS, "{e}");
    }

    #[test]
    fn default_test_files() {
        let c = Config::defaults(Path::new("/p"));
        for t in [
            "/p/a.test.ts",
            "/p/x/a.spec.js",
            "/p/__tests__/a.ts",
            "/p/test/a.ts",
            "/p/pkg/tests/a.ts",
        ] {
            assert!(c.is_test(Path::new(t)), "{t}");
        }
        assert!(!c.is_test(Path::new("/p/src/latest.ts")));
    }
}
