//! The crate's one error type. Each error has a kind (`ErrorKind`), so the page learns what
//! happened without reading the message; the wasm layer turns it into a JS `Error` that carries
//! the kind, the field and the task as properties.

use serde::Serialize;
use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// A spec field is unknown or out of range; the message names the field first.
    #[error("{field}: {message}")]
    Field { field: String, message: String },
    /// The spec is valid but its lanes together would take longer than the time budget; the
    /// message names the field to change and a value of it that would fit.
    #[error("{field}: {message}")]
    OverBudget { field: String, message: String },
    /// `cancel()` was called while the run was in flight.
    #[error("cancelled")]
    Cancelled,
    /// The fault option made a task panic on purpose (see `Fault::PanicOneTask`).
    #[error("task {task} panicked (injected fault)")]
    InjectedPanic { task: u32 },
    /// The fault option made a task ask for more memory than an instance can have.
    #[error("task {task} ran out of memory (injected fault): {detail}")]
    OutOfMemory { task: u32, detail: String },
}

/// What kind of failure an error is: the page branches on this, never on message text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// A field of the spec is not allowed.
    Invalid,
    /// The spec would take longer than the time budget.
    Budget,
    Cancelled,
    /// A task panicked and took its instance down.
    Panicked,
    /// A task ran out of memory.
    Oom,
    /// A worker or module could not load (the page's own kind: wasm never sees it).
    Load,
}

impl Error {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Error::Field {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Field { .. } => ErrorKind::Invalid,
            Error::OverBudget { .. } => ErrorKind::Budget,
            Error::Cancelled => ErrorKind::Cancelled,
            Error::InjectedPanic { .. } => ErrorKind::Panicked,
            Error::OutOfMemory { .. } => ErrorKind::Oom,
        }
    }

    /// The spec field the error is about, if any.
    pub fn field_name(&self) -> Option<&str> {
        match self {
            Error::Field { field, .. } | Error::OverBudget { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The task the error happened in, if any.
    pub fn task(&self) -> Option<u32> {
        match self {
            Error::InjectedPanic { task } | Error::OutOfMemory { task, .. } => Some(*task),
            _ => None,
        }
    }
}
