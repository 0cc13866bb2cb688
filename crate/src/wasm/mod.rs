//! The flat API the page and its workers call, split by who calls it. The plain build exports
//! what the page (`page`), the sequential and async worker (`worker`) and the processes
//! (`process`) call; the threads build only what the lab calls (`lab`, `initThreadPool`,
//! `prepare` and the flags), so the schema, the budget and the processes' code do not weigh
//! down the build the lab loads. Beside them: the boundary (specs in, typed values and kinded
//! errors out), the channel to the page, the share buffer, reports, and the JS timers.

mod boundary;
mod channel;
#[cfg(feature = "threads")]
mod lab;
#[cfg(not(feature = "threads"))]
mod page;
#[cfg(not(feature = "threads"))]
mod process;
mod report;
mod serve;
mod share_cache;
mod timers;
#[cfg(not(feature = "threads"))]
mod worker;

use wasm_bindgen::prelude::*;

pub use channel::init_instance;
#[cfg(feature = "threads")]
pub use lab::{run_gil, run_threads};
#[cfg(not(feature = "threads"))]
pub use page::{
    bound_trace, calibrate, checksum_of, chunk_size, describe_spec, estimate_spec, exact_on,
    normalize_spec, result_words, warmup_spec,
};
#[cfg(not(feature = "threads"))]
pub use process::{begin_run, end_run, has_share, receive_share, run_chunk, share_buffer};
#[cfg(feature = "threads")]
pub use serve::serve_threads_lane;
#[cfg(not(feature = "threads"))]
pub use serve::{
    check_serve, serve_arrivals, serve_async_lane, serve_figures, serve_sequential_lane, serve_spec,
};
pub use timers::JsTimers;
#[cfg(not(feature = "threads"))]
pub use worker::{run_async, run_sequential};

use crate::lanes::{self, cancel};
use boundary::read_worker_spec;
use share_cache::data_for;

/// Address of the cancel flag in this instance's memory: with shared memory the page raises it
/// with `Atomics.store` while rayon is busy.
#[wasm_bindgen(js_name = cancelFlagAddress)]
pub fn cancel_flag_address() -> usize {
    cancel::address()
}

/// Address of the panic flag in this instance's memory: with shared memory the page watches it
/// while rayon is busy (see `lanes::flight`).
#[wasm_bindgen(js_name = panicFlagAddress)]
pub fn panic_flag_address() -> usize {
    lanes::flight::panic_flag_address()
}

/// Makes what a spec needs before its lane is timed (the `share` buffer), so that making it is
/// set-up, not run time.
///
/// # Errors
/// A bad spec.
#[wasm_bindgen]
pub fn prepare(spec: JsValue) -> Result<(), JsValue> {
    data_for(&read_worker_spec(spec)?);
    Ok(())
}
