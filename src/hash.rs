//! The crate's hash maps and sets, with rustc's FxHash instead of SipHash.
//!
//! The keys are paths, names and specifiers of the project being linted,
//! not input an attacker picks to collide, and SipHash was an eighth of
//! the instructions of a run on a large project. Iteration order is never
//! relied on for output (results are sorted), so the hasher is free to
//! change.

/// A `HashMap` hashed with FxHash.
pub type HashMap<K, V> = std::collections::HashMap<K, V, rustc_hash::FxBuildHasher>;
/// A `HashSet` hashed with FxHash.
pub type HashSet<T> = std::collections::HashSet<T, rustc_hash::FxBuildHasher>;
