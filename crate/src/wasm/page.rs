//! What the page itself calls on its plain instance: the schema, the checker and the time
//! budget, the machine's calibration, checksums and bounds for what it gathers (light work
//! only; `calibrate` runs in a worker).

use js_sys::Object;
use serde::Serialize;
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

use super::boundary::{default_lanes, read_spec, read_worker_spec};
use super::report::set_trace;
use crate::budget::{self, Estimate, Machine};
use crate::spec::{Defaults, Lane, Spec, Workload};
use crate::trace::{Trace, STRIDE};
use crate::workloads::{fold, format_checksum};
use crate::Error;

/// Checks a run request, fills in its defaults, and refuses it if its lanes together would take
/// longer than the time budget (`budget::check`).
///
/// `workers` is this machine's core count (`navigator.hardwareConcurrency`): the default for the
/// spec's `workers`, and what the budget's estimate computes with; `speed` and `memory` are this
/// machine's against the budget's reference (`calibrate`, `calibrateMemory`). `lanes` is what
/// this environment offers when the spec leaves them out. The workers do not re-check the budget:
/// they run what the page accepted.
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
    memory: f64,
    pipes: bool,
) -> Result<Ts<Spec>, JsValue> {
    let lanes = default_lanes(&lanes)?;
    let spec = read_spec(raw, &Defaults { workers, lanes })?;
    budget::check(
        &spec,
        Machine {
            cores: workers,
            speed,
            memory,
            pipes,
        },
    )?;
    to_ts(&spec)
}

/// The time budget's estimate for a spec on a machine with `cores` logical cores running at
/// `speed` with `memory` (see `calibrate`, `calibrateMemory`), whose processes talk through
/// `pipes` or by message.
///
/// # Errors
/// A bad spec.
#[wasm_bindgen(js_name = estimateSpec)]
pub fn estimate_spec(
    spec: JsValue,
    cores: u32,
    speed: f64,
    memory: f64,
    pipes: bool,
) -> Result<Ts<Estimate>, JsValue> {
    to_ts(&budget::estimate(
        &read_worker_spec(spec)?,
        Machine {
            cores,
            speed,
            memory,
            pipes,
        },
    ))
}

/// This machine's speed against the time budget's reference machine: a few milliseconds of the
/// primes kernel, timed (`budget::calibrate`). Run it in a worker: it computes.
#[wasm_bindgen]
pub fn calibrate() -> f64 {
    budget::calibrate(crate::trace::now_ms)
}

/// What this machine's reads past the cache add against the budget's reference at `speed`: a
/// 128 MB buffer scanned, timed (`budget::calibrate_memory`). Run it in a worker ended after: it
/// computes, and the buffer stays in its memory.
#[wasm_bindgen(js_name = calibrateMemory)]
pub fn calibrate_memory(speed: f64) -> f64 {
    budget::calibrate_memory(crate::trace::now_ms, speed)
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
/// carry 6 ms of work by the cost model, at most as many as Python's `Pool.map` would
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
#[wasm_bindgen(js_name = checksumOf)]
pub fn checksum_of(workload: Ts<Workload>, partials: Vec<u64>) -> Result<String, JsValue> {
    Ok(format_checksum(
        from_ts(&workload, "workload")?,
        fold(partials),
    ))
}

/// Bounds a trace gathered elsewhere, as a lane's own trace is bounded: the processes lane's
/// page collects each task's `events` and adds its own transfer events, and ten thousand tasks'
/// worth would not fit on the page. `events` are stride 6 as the lanes record them; returns
/// `{ events, totals }` (see `set_trace`). Totals are summed from the `busy` column, so they
/// stay exact for events merged before.
///
/// # Errors
/// When `events` is not a whole number of events.
#[wasm_bindgen(js_name = boundTrace, unchecked_return_type = "FlatTrace")]
pub fn bound_trace(events: Vec<f64>) -> Result<JsValue, JsValue> {
    let trace = Trace::from_events(&events).ok_or_else(|| {
        Error::field(
            "events",
            format!(
                "must be {STRIDE} numbers an event, got {} numbers",
                events.len()
            ),
        )
    })?;
    let obj = Object::new();
    set_trace(&obj, &trace);
    Ok(obj.into())
}

/// A Rust value as its generated TypeScript type. Serialising plain data cannot fail; if it
/// did, the page would get an `Error` saying which type.
fn to_ts<T: Tsify + Serialize>(value: &T) -> Result<Ts<T>, JsValue> {
    value
        .into_ts()
        .map_err(|e| js_sys::Error::new(&e.to_string()).into())
}

/// A value the page typed as `T`, read back.
///
/// # Errors
/// [`Error::Field`] on `field` when it is not a `T`.
fn from_ts<T>(value: &Ts<T>, field: &str) -> Result<T, Error>
where
    T: Tsify + serde::de::DeserializeOwned,
    <T as Tsify>::JsType: Clone,
{
    value
        .to_rust()
        .map_err(|e| Error::field(field, e.to_string()))
}

/// What a spec runs, in one sentence (`Spec::describe`).
///
/// # Errors
/// When `spec` is not a spec.
#[wasm_bindgen(js_name = describeSpec)]
pub fn describe_spec(spec: Ts<Spec>) -> Result<String, JsValue> {
    Ok(from_ts(&spec, "spec")?.describe())
}

/// What a lane's `checksum` over `done` of the spec's tasks says, in the workload's words:
/// "counted 78,498 primes below 1,000,000".
///
/// # Errors
/// When `spec` is not a spec.
#[wasm_bindgen(js_name = resultWords)]
pub fn result_words(spec: Ts<Spec>, checksum: String, done: u32) -> Result<String, JsValue> {
    let spec = from_ts(&spec, "spec")?;
    Ok(spec.workload.kernel().result(&spec, &checksum, done))
}

/// Whether a run of `spec` on `lane` gives its one answer however the tasks' steps interleave
/// (`Kernel::exact`): only then is its answer a checksum the lanes must agree on.
///
/// # Errors
/// When `spec` or `lane` is not one.
#[wasm_bindgen(js_name = exactOn)]
pub fn exact_on(spec: Ts<Spec>, lane: Ts<Lane>) -> Result<bool, JsValue> {
    let spec = from_ts(&spec, "spec")?;
    Ok(spec.workload.kernel().exact(&spec, from_ts(&lane, "lane")?))
}

/// Whether the tasks of `spec` wait on simulated responses (an I/O-bound workload, the counter's
/// `stepMs`), by the cost model: waits overlap on every lane but sequential, so a speedup's limit
/// is then the waits in flight, not the cores.
///
/// # Errors
/// When `spec` is not a spec.
#[wasm_bindgen(js_name = specWaits)]
pub fn spec_waits(spec: Ts<Spec>) -> Result<bool, JsValue> {
    let spec = from_ts(&spec, "spec")?;
    Ok(spec.workload.kernel().cost(&spec, 0).wait_ms.is_some())
}
