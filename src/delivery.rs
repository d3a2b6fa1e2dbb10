//! Which route a QStash delivery lands on: the destination's method and
//! deployable project, and, among the routes its path reaches, the one the
//! framework serves it from.
//!
//! - QStash delivers with `POST` unless the publish sets `method`; callbacks
//!   always arrive as `POST`. A `GET` handler on the same path is another
//!   endpoint.
//! - A destination reaches routes of its own deployable project only: the
//!   package that sends, or the workspace it is a member of. Side-by-side
//!   apps without a workspace (an `examples/` folder) do not receive each
//!   other's messages.
//! - A static segment is served before a dynamic one, and a dynamic one
//!   before a catch-all (`api/webhooks/callback` wins over
//!   `api/webhooks/[id]` and over `api/[...slug]`).
//! - A destination with an unknown path segment (`${base}/api/${route}`)
//!   says nothing about which of several routes it reaches: it links to a
//!   route only when its known parts select that route alone.

use crate::facts::{DestinationKey, Literal, ObjectLit, SendCall};
use crate::hash::HashMap;
use crate::routes::{RoutePattern, Segment};
use std::path::{Path, PathBuf};

/// The HTTP method a destination is delivered with: `None` when it cannot
/// be known (a method set from a variable, options spread in).
pub fn delivery_method(
    send: &SendCall,
    key: DestinationKey,
    value: crate::diagnostic::Span,
) -> Option<String> {
    if matches!(
        key,
        DestinationKey::Callback | DestinationKey::FailureCallback
    ) {
        return Some("POST".into());
    }
    if key == DestinationKey::Endpoint {
        // A URL group endpoint gets whatever later publishes to the group set.
        return None;
    }
    let request = send
        .requests
        .iter()
        .flatten()
        .find(|r| r.props.iter().any(|p| p.value.span == value))?;
    method_of(request)
}

fn method_of(request: &ObjectLit) -> Option<String> {
    match request.get("method") {
        Some(p) => match &p.value.literal {
            Some(Literal::Str(m)) => Some(m.to_ascii_uppercase()),
            _ => None,
        },
        None if request.open => None,
        None => Some("POST".into()),
    }
}

/// Whether a handler that serves `handler_method` (`None`: every method)
/// receives a delivery made with `delivery` (`None`: unknown).
pub fn method_fits(handler_method: Option<&str>, delivery: Option<&str>) -> bool {
    match (handler_method, delivery) {
        (None, _) => true,
        // Unknown: most likely the default POST; a read-only handler is not
        // a receiver.
        (Some(h), None) => !matches!(h, "GET" | "HEAD" | "OPTIONS"),
        (Some(h), Some(d)) => h == d,
    }
}

/// How specific a route pattern is, segment by segment: lower is served
/// first (static, then dynamic, then catch-all, then optional catch-all).
pub fn specificity(pattern: &RoutePattern) -> Vec<u8> {
    pattern
        .segments
        .iter()
        .map(|s| match s {
            Segment::Static(_) | Segment::Optional(_) => 0,
            Segment::Dynamic | Segment::OptionalDynamic => 1,
            Segment::CatchAll => 2,
            Segment::OptionalCatchAll => 3,
        })
        .collect()
}

/// The deployable project of each file: its package, or the workspace that
/// package is a member of; memoised per directory.
#[derive(Default)]
pub struct Projects {
    packages: crate::project::PackageRoots,
    workspaces: HashMap<PathBuf, PathBuf>,
}

impl Projects {
    /// The project `file` belongs to; `None` outside any package.
    pub fn of(&mut self, file: &Path) -> Option<PathBuf> {
        let package = self.packages.of_dir(file.parent()?)?;
        if let Some(w) = self.workspaces.get(&package) {
            return Some(w.clone());
        }
        let mut root = package.clone();
        for dir in package.ancestors() {
            if crate::resolve::declares_workspace(dir) {
                root = dir.to_path_buf();
                break;
            }
            if crate::listing::exists(&dir.join(".git")) {
                break;
            }
        }
        self.workspaces.insert(package, root.clone());
        Some(root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_segments_are_served_first() {
        let p = |s: &str| RoutePattern::from_code_path(s).expect("path");
        assert!(specificity(&p("/api/webhooks/callback")) < specificity(&p("/api/webhooks/:id")));
        assert!(specificity(&p("/api/webhooks/:id")) < specificity(&p("/api/*")));
        assert!(specificity(&p("/api/x")) < specificity(&p("/api/x/*")));
    }

    #[test]
    fn methods() {
        assert!(method_fits(Some("POST"), Some("POST")));
        assert!(!method_fits(Some("GET"), Some("POST")));
        assert!(!method_fits(Some("PATCH"), Some("POST")));
        assert!(method_fits(Some("PUT"), Some("PUT")));
        assert!(method_fits(None, Some("POST")));
        assert!(method_fits(Some("POST"), None));
        assert!(!method_fits(Some("GET"), None));
    }
}
