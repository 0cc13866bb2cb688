//! The cancel flag every lane checks between slices of work.
//!
//! The page raises it: in the threads build it lives in shared memory, so the page writes it with
//! `Atomics.store` (at `address()`) while the lab worker is busy inside rayon and cannot receive
//! a message. The page also lowers it, before it sends each call: a reset here, when the call
//! arrives, would erase a cancel raised while the call was still on its way. (The plain build has
//! no shared memory: the page cancels it by ending the worker, and the flag stays down.)

use std::sync::atomic::{AtomicU32, Ordering};

use crate::error::Error;

static FLAG: AtomicU32 = AtomicU32::new(0);

/// # Errors
/// [`Error::Cancelled`] once the flag is raised.
pub fn check() -> Result<(), Error> {
    if FLAG.load(Ordering::Relaxed) == 0 {
        Ok(())
    } else {
        Err(Error::Cancelled)
    }
}

/// Byte address of the flag in linear memory (an aligned `u32`).
pub fn address() -> usize {
    FLAG.as_ptr() as usize
}
