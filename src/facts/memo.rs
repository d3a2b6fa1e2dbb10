//! Memo tables and the work budget of one file's value folding.
//!
//! Folding follows consts, assignments and helper returns, and real code
//! feeds values back into themselves (`x = helper(x) ?? x`, `err =
//! err.cause`, helpers that call themselves twice). Followed naively that is
//! exponential. Every question about a declaration or a function is answered
//! once and remembered; a question asked again while it is being answered is
//! a cycle and gets "unknown". A budget of steps, proportional to the file's
//! size, bounds whatever is left: when it runs out, the values still being
//! folded are unknown, which means no diagnostic, never a guess. Everything
//! here counts steps, never time, so the output does not depend on the
//! machine or its load.

use crate::hash::HashMap;
use std::cell::{Cell, RefCell};
use std::hash::Hash;

/// A memo entry: being computed, or done.
enum Slot<V> {
    InProgress,
    Done(V),
}

/// One memo table.
pub struct Table<K, V>(RefCell<HashMap<K, Slot<V>>>);

impl<K, V> Default for Table<K, V> {
    fn default() -> Self {
        Table(RefCell::new(HashMap::default()))
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Table<K, V> {
    /// The remembered answer for `key`; `cycle` when the question is being
    /// answered further up the stack; else `compute`'s answer, remembered.
    pub fn get_or(&self, key: K, cycle: V, compute: impl FnOnce() -> V) -> V {
        match self.0.borrow().get(&key) {
            Some(Slot::Done(v)) => return v.clone(),
            Some(Slot::InProgress) => return cycle,
            None => {}
        }
        self.0.borrow_mut().insert(key.clone(), Slot::InProgress);
        let v = compute();
        self.0.borrow_mut().insert(key, Slot::Done(v.clone()));
        v
    }
}

/// How many steps a file of `bytes` bytes may spend on folding: far more than
/// real code needs (a few steps per node), small enough that a file built to
/// defeat the memo tables still finishes quickly.
pub fn budget_for(bytes: u32) -> u64 {
    200_000 + 32 * u64::from(bytes)
}

/// The steps left for one file.
#[derive(Debug)]
pub struct Budget {
    left: Cell<u64>,
    spent_out: Cell<bool>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new(budget_for(0))
    }
}

impl Budget {
    /// A budget of `steps`.
    pub fn new(steps: u64) -> Self {
        Budget {
            left: Cell::new(steps),
            spent_out: Cell::new(false),
        }
    }

    /// Takes one step; `false` once the budget is spent.
    pub fn step(&self) -> bool {
        match self.left.get() {
            0 => {
                self.spent_out.set(true);
                false
            }
            n => {
                self.left.set(n - 1);
                true
            }
        }
    }

    /// Whether some value was left unknown because the budget ran out.
    pub fn exhausted(&self) -> bool {
        self.spent_out.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cycle_gets_the_cycle_answer_and_the_result_is_remembered() {
        let t: Table<u32, u32> = Table::default();
        let calls = Cell::new(0);
        let v = t.get_or(1, 0, || {
            calls.set(calls.get() + 1);
            t.get_or(1, 7, || unreachable!()) + 1
        });
        assert_eq!(v, 8);
        assert_eq!(t.get_or(1, 0, || unreachable!()), 8);
        assert_eq!(calls.get(), 1);
    }

    #[test]
    fn the_budget_runs_out() {
        let b = Budget::new(2);
        assert!(b.step() && b.step());
        assert!(!b.exhausted());
        assert!(!b.step());
        assert!(b.exhausted());
    }
}
