//! Path prefix tests on bytes.
//!
//! `Path::starts_with` and `Path::strip_prefix` split both paths into
//! components on every call; asked of every file of a large tree (which
//! config governs it, how to display it, whether it was asked for) they
//! were a twentieth of a run. For the clean paths a walk yields, a byte
//! prefix that ends at a separator is the same answer; anything else is
//! left to `Path`.

use std::path::Path;

fn is_sep(b: u8) -> bool {
    b == b'/' || (cfg!(windows) && b == b'\\')
}

/// `path.strip_prefix(base)`, byte-wise when it can be.
pub fn strip_prefix<'a>(path: &'a Path, base: &Path) -> Option<&'a Path> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let (p, b) = (path.as_os_str().as_bytes(), base.as_os_str().as_bytes());
        if let Some(rest) = p.strip_prefix(b) {
            let boundary = rest.is_empty()
                || rest.first().is_some_and(|&c| is_sep(c))
                || b.last().is_some_and(|&c| is_sep(c));
            let start = rest.iter().position(|&c| !is_sep(c)).unwrap_or(rest.len());
            let tail = &rest[start..];
            // `Path` drops `.` components; the walk never yields them.
            let plain = !has_dot_component(tail);
            if boundary && plain {
                return Some(Path::new(std::ffi::OsStr::from_bytes(tail)));
            }
        }
    }
    path.strip_prefix(base).ok()
}

/// Whether a `.` component is among the `/`-separated components of
/// `path`. Asked for every file: most paths have one dot, in the file's
/// extension, and each dot is looked at once (a per-call substring searcher
/// or a split into components cost more than the rest of the prefix test).
fn has_dot_component(path: &[u8]) -> bool {
    memchr::memchr_iter(b'.', path)
        .any(|i| (i == 0 || is_sep(path[i - 1])) && path.get(i + 1).is_none_or(|&c| is_sep(c)))
}

/// `path.parent()`, byte-wise for the clean paths a walk yields: asked
/// for every file and every resolution, and `Path::parent` parses the
/// last component each time.
pub fn parent(path: &Path) -> Option<&Path> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let b = path.as_os_str().as_bytes();
        if let Some(i) = memchr::memrchr(b'/', b) {
            let name = &b[i + 1..];
            // A trailing slash, a `.` or `..` name, or a doubled separator
            // are left to `Path`.
            let plain =
                !name.is_empty() && name != b"." && name != b".." && (i == 0 || b[i - 1] != b'/');
            let head = if i == 0 { &b[..1] } else { &b[..i] };
            // `Path` drops a `.` inside a path, so its parent would too.
            if plain && !head.ends_with(b"/.") {
                return Some(Path::new(std::ffi::OsStr::from_bytes(head)));
            }
        }
    }
    path.parent()
}

/// `path` cleaned lexically, as Node's `path.resolve` and the module
/// resolver clean it: `.` dropped, `..` taking back the name before it,
/// doubled separators merged. Symlinks are not followed, so a project
/// asked for through a link keeps the link's paths.
pub fn clean(path: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                // `/..` is `/`; a relative path keeps its leading `..`.
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            c => out.push(c),
        }
    }
    out
}

/// `path.starts_with(base)`, byte-wise when it can be.
pub fn starts_with(path: &Path, base: &Path) -> bool {
    strip_prefix(path, base).is_some()
}

#[cfg(test)]
mod tests {
    use super::{clean, parent, starts_with, strip_prefix};
    use std::path::Path;

    #[test]
    fn cleans_like_path_resolve() {
        for (p, want) in [
            ("/a/./b//c", "/a/b/c"),
            ("/a/b/../c", "/a/c"),
            ("/a/b/../b/c.ts", "/a/b/c.ts"),
            ("/..", "/"),
            ("../a/./b", "../a/b"),
            ("a/../../b", "../b"),
        ] {
            assert_eq!(clean(Path::new(p)), Path::new(want), "{p}");
        }
    }

    #[test]
    fn dot_components() {
        for (p, want) in [
            ("a/b.ts", false),
            (".", true),
            ("./a", true),
            ("a/./b", true),
            ("a/.", true),
            (".git/x", false),
            ("a/..", false),
            ("a/.b/c", false),
            ("a.", false),
            ("", false),
        ] {
            assert_eq!(super::has_dot_component(p.as_bytes()), want, "{p}");
        }
    }

    /// The same parent, byte for byte, as `Path::parent`.
    #[test]
    fn parent_agrees_with_path() {
        for p in [
            "/a/b/c.ts",
            "/a",
            "/",
            "a/b",
            "a",
            "",
            "./b",
            "/a/./b",
            "a/./b",
            "/a/../b",
            "/a/b/",
            "/a//b",
            "/a/b/.",
            "/a/b/..",
            "../x",
            "/.a/b",
        ] {
            let p = Path::new(p);
            assert_eq!(
                parent(p).map(Path::as_os_str),
                p.parent().map(Path::as_os_str),
                "{p:?}"
            );
        }
    }

    #[test]
    fn agrees_with_path() {
        let cases = [
            ("/a/b/c.ts", "/a/b"),
            ("/a/b/c.ts", "/a/b/"),
            ("/a/bc/d.ts", "/a/b"),
            ("/a/b", "/a/b"),
            ("/a/b//c", "/a/b"),
            ("/a/./b/c", "/a/b"),
            ("/a/b/c", "/x"),
            ("a/b", "a"),
            ("/a/b", "/"),
            ("/a/b/.", "/a/b"),
            ("/a/b/./c", "/a/b"),
            ("/a/b/c/", "/a/b"),
        ];
        for (p, b) in cases {
            let (p, b) = (Path::new(p), Path::new(b));
            assert_eq!(strip_prefix(p, b), p.strip_prefix(b).ok(), "{p:?} {b:?}");
            assert_eq!(starts_with(p, b), p.starts_with(b), "{p:?} {b:?}");
        }
    }
}
