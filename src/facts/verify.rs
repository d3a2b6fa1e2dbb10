//! `Receiver#verify` calls and how their results and inputs are handled.

use super::fold::Scope;
use super::ObjectLit;
use crate::diagnostic::Span;
use swc_ecma_ast::Program;

/// How a verify call's promise is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Awaited {
    /// `await receiver.verify(...)` (also `return await`, `await Promise.all([...])`).
    Awaited,
    /// `return receiver.verify(...)`: the caller gets the promise.
    Returned,
    /// Neither awaited nor returned (also `void receiver.verify(...)`, `.then(...)` without await).
    Floating,
}

/// One `receiver.verify(...)` call on a QStash `Receiver`.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyCall {
    /// The whole call.
    pub span: Span,
    /// The innermost enclosing function (`None` at the top level).
    pub function: Option<Span>,
    /// How its promise is used.
    pub awaited: Awaited,
    /// The options object, when it is a literal we can see.
    pub options: Option<ObjectLit>,
}

/// Every verify call in `program`.
pub fn verify_calls(_program: &Program, _scope: &Scope) -> Vec<VerifyCall> {
    Vec::new()
}
