//! The crate's one error type; the wasm layer turns it into a JS `Error` with the same message.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// A spec field is unknown or out of range; the message names the field first.
    #[error("{field}: {message}")]
    Field { field: String, message: String },
    /// `cancel()` was called while the run was in flight.
    #[error("cancelled")]
    Cancelled,
    /// The fault option made a task panic on purpose (see `Fault::PanicOneTask`).
    #[error("task {task} panicked (injected fault)")]
    InjectedPanic { task: u32 },
}

impl Error {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Error::Field {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}
