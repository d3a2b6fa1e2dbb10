//! Which declaration a name refers to at a position, answered in time
//! logarithmic in the declarations of that name.
//!
//! A file can declare the same name thousands of times (`const url` in every
//! function): scanning every declaration of the name at every use made
//! extraction quadratic. Declarations are grouped by the scope they are
//! visible in; the scopes of one name nest (they are blocks and functions of
//! one tree), so the innermost scope holding a position is found by a binary
//! search and a walk up the enclosing scopes.

use super::fold::Decl;
use crate::diagnostic::Span;

/// The declarations of one name, grouped by scope.
#[derive(Debug, Default)]
pub struct NameIndex {
    /// Scopes sorted by start, outer first on a tie.
    groups: Vec<Group>,
}

#[derive(Debug)]
struct Group {
    scope: Span,
    /// The nearest group whose scope encloses this one.
    parent: Option<usize>,
    /// Indices into the name's declarations, in declaration order.
    decls: Vec<usize>,
}

impl NameIndex {
    /// Indexes `decls`, the declarations of one name in declaration order.
    pub fn new(decls: &[Decl]) -> Self {
        let mut order: Vec<usize> = (0..decls.len()).collect();
        order.sort_by_key(|&i| {
            let s = decls[i].scope;
            (s.start, std::cmp::Reverse(s.end), i)
        });
        let mut groups: Vec<Group> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        for i in order {
            let scope = decls[i].scope;
            if let Some(last) = groups.last_mut() {
                if last.scope == scope {
                    last.decls.push(i);
                    continue;
                }
            }
            while open
                .last()
                .is_some_and(|&g| groups[g].scope.end < scope.end)
            {
                open.pop();
            }
            groups.push(Group {
                scope,
                parent: open.last().copied(),
                decls: vec![i],
            });
            open.push(groups.len() - 1);
        }
        for g in &mut groups {
            g.decls.sort_unstable();
        }
        NameIndex { groups }
    }

    /// The declaration (an index into `decls`) that a use at `pos` refers
    /// to: in the innermost scope that holds `pos`, the last declaration
    /// before it, or the first one for a hoisted use.
    pub fn lookup(&self, decls: &[Decl], pos: u32) -> Option<usize> {
        let after = self.groups.partition_point(|g| g.scope.start <= pos);
        let mut at = after.checked_sub(1);
        while let Some(g) = at {
            let group = &self.groups[g];
            if pos <= group.scope.end {
                let first = *group.decls.first()?;
                return Some(
                    group
                        .decls
                        .iter()
                        .rev()
                        .copied()
                        .find(|&i| decls[i].pos <= pos)
                        .unwrap_or(first),
                );
            }
            at = group.parent;
        }
        None
    }
}
