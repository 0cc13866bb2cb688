//! The flat API the page and its workers call. Both builds export it; `runThreads`, `runGil` and
//! `initThreadPool` only exist in the threads build. Split by job: the boundary (specs in,
//! typed values and kinded errors out), the channel to the page, the share buffer, reports, and
//! the JS timers async waits on.

mod boundary;
mod channel;
mod process;
mod report;
mod share_cache;
mod timers;

use tsify::Ts;
use wasm_bindgen::prelude::*;

pub use channel::init_instance;
pub use process::{begin_run, end_run, run_chunk};
pub use report::bound_trace;
pub use share_cache::{has_share, receive_share, share_buffer};
pub use timers::JsTimers;

use crate::budget::{self, Estimate, Machine};
use crate::lanes::{self, cancel};
use crate::schema::Schema;
use crate::spec::{Defaults, Lane, Spec, Workload};
use crate::workloads::{fold, format_checksum};
use crate::Error;
use boundary::{from_ts, read_spec, read_worker_spec, to_ts};
use report::output;
use share_cache::data_for;

/// The spec's schema: every field's kind, range, default and help, every workload's size range
/// and nature, the lanes and the phases. The page builds its controls and reads URLs from it.
#[wasm_bindgen(js_name = specSchema)]
pub fn spec_schema() -> Result<Ts<Schema>, JsValue> {
    to_ts(&crate::schema::schema())
}

/// Checks a run request, fills in its defaults, and refuses it if its lanes together would take
/// longer than the time budget (`budget::check`).
///
/// `workers` is this machine's core count (`navigator.hardwareConcurrency`): the default for the
/// spec's `workers`, and what the budget's estimate computes with; `speed` is this machine's
/// speed against the budget's reference (`calibrate`). `lanes` is what this environment offers
/// when the spec leaves them out. The workers do not re-check the budget: they run what the page
/// accepted.
///
/// # Errors
/// An `Error` of kind `invalid` or `budget` whose `field` is the field to change; its message
/// says what the field allows (for the budget: a value of it that would fit).
#[wasm_bindgen(js_name = normalizeSpec)]
pub fn normalize_spec(
    raw: JsValue,
    workers: u32,
    lanes: Vec<String>,
    speed: f64,
) -> Result<Ts<Spec>, JsValue> {
    let lanes = lanes
        .iter()
        .map(|name| {
            Lane::ALL
                .into_iter()
                .find(|l| l.name() == name)
                .ok_or_else(|| Error::field("lanes", format!("unknown default lane {name:?}")))
        })
        .collect::<Result<_, _>>()?;
    let spec = read_spec(raw, &Defaults { workers, lanes })?;
    budget::check(
        &spec,
        Machine {
            cores: workers,
            speed,
        },
    )?;
    to_ts(&spec)
}

/// The time budget's estimate for a spec on a machine with `cores` logical cores running at
/// `speed` (see `calibrate`).
///
/// # Errors
/// A bad spec.
#[wasm_bindgen(js_name = estimateSpec)]
pub fn estimate_spec(spec: JsValue, cores: u32, speed: f64) -> Result<Ts<Estimate>, JsValue> {
    to_ts(&budget::estimate(
        &read_worker_spec(spec)?,
        Machine { cores, speed },
    ))
}

/// This machine's speed against the time budget's reference machine: a few milliseconds of the
/// primes kernel, timed (`budget::calibrate`). Run it in a worker: it computes.
#[wasm_bindgen]
pub fn calibrate() -> f64 {
    budget::calibrate(crate::trace::now_ms)
}

/// The small untimed run of the same kernels a lane makes before a workload's first timed run.
///
/// # Errors
/// A bad spec.
#[wasm_bindgen(js_name = warmupSpec)]
pub fn warmup_spec(spec: JsValue) -> Result<Ts<Spec>, JsValue> {
    to_ts(&read_worker_spec(spec)?.warmup())
}

/// Tasks a process gets in one message for this spec: its `chunk`, or when that is 0 as few as
/// carry a couple of milliseconds of work, at most as many as Python's `Pool.map` would
/// (`budget::chunk_size`).
///
/// # Errors
/// When `spec` is not a spec.
#[wasm_bindgen(js_name = chunkSize)]
pub fn chunk_size(spec: Ts<Spec>) -> Result<u32, JsValue> {
    Ok(budget::chunk_size(&from_ts(&spec, "spec")?))
}

/// The checksum of a lane whose tasks' partials were gathered elsewhere (the processes lane).
///
/// # Errors
/// When `workload` is not a workload.
#[wasm_bindgen(js_name = foldChecksum)]
pub fn fold_checksum(workload: Ts<Workload>, partials: Vec<u64>) -> Result<String, JsValue> {
    Ok(format_checksum(
        from_ts(&workload, "workload")?,
        fold(partials),
    ))
}

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

/// Runs every task in order on this worker: the sequential lane.
///
/// Resolves to `{ checksum, sum, events, totals }` (see `set_trace`).
///
/// # Errors
/// A bad spec, or `cancelled`.
#[wasm_bindgen(js_name = runSequential)]
pub async fn run_sequential(spec: JsValue) -> Result<JsValue, JsValue> {
    let spec = read_worker_spec(spec)?;
    lanes::reset_progress();
    let data = data_for(&spec);
    let out = lanes::sequential::run::<JsTimers>(&spec, &data).await?;
    Ok(output(&spec, &out))
}

/// Starts every task as a future on this worker's event loop at once: the async lane.
///
/// # Errors
/// A bad spec, or `cancelled`.
#[wasm_bindgen(js_name = runAsync)]
pub async fn run_async(spec: JsValue) -> Result<JsValue, JsValue> {
    let spec = read_worker_spec(spec)?;
    lanes::reset_progress();
    let data = data_for(&spec);
    let out = lanes::cooperative::run::<JsTimers>(&spec, &data).await?;
    Ok(output(&spec, &out))
}

/// Runs every task on the rayon pool started by `initThreadPool`: the threads lane.
/// Blocks this worker until done, so call it from the lab worker, never from the page.
///
/// # Errors
/// A bad spec, or `cancelled`.
#[cfg(feature = "threads")]
#[wasm_bindgen(js_name = runThreads)]
pub fn run_threads(spec: JsValue) -> Result<JsValue, JsValue> {
    on_pool(spec, false)
}

/// The threads lane under one global interpreter lock, as CPython's threads run: the gil lane.
///
/// # Errors
/// A bad spec, or `cancelled`.
#[cfg(feature = "threads")]
#[wasm_bindgen(js_name = runGil)]
pub fn run_gil(spec: JsValue) -> Result<JsValue, JsValue> {
    on_pool(spec, true)
}

#[cfg(feature = "threads")]
fn on_pool(spec: JsValue, gil: bool) -> Result<JsValue, JsValue> {
    let spec = read_worker_spec(spec)?;
    lanes::reset_progress();
    let data = data_for(&spec);
    let out = lanes::threads::run(&spec, &data, gil)?;
    Ok(output(&spec, &out))
}
