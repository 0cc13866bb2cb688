//! The flat API the page and its workers call. Both builds export it; `runThreads` and
//! `initThreadPool` only exist in the threads build.

use std::sync::{Arc, Mutex};

use js_sys::{Array, Float64Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::budget;
use crate::lanes::{self, cancel, EventLoop, InTurn, LaneOutput};
use crate::spec::{Defaults, Lane, RawSpec, RawValue, Spec, Workload};
use crate::trace::{Trace, STRIDE};
use crate::workloads::{fold, format_checksum, share, Task};
use crate::Error;

/// The BroadcastChannel this instance reports panics and progress on (see js/channel.js); empty
/// until `initInstance` sets it.
static CHANNEL: Mutex<String> = Mutex::new(String::new());

#[wasm_bindgen(module = "/js/channel.js")]
extern "C" {
    #[wasm_bindgen(js_name = reportPanic)]
    fn report_panic(channel: &str, message: &str, task: f64, done: &[f64]);
    #[wasm_bindgen(js_name = reportProgress)]
    fn report_progress(channel: &str, done: u32);
}

/// The `share` buffer this instance holds: made here, or received as a copy (processes).
static SHARE: Mutex<Option<Shared>> = Mutex::new(None);

struct Shared {
    mb: u32,
    seed: u32,
    data: Arc<Vec<u8>>,
}

/// Sets the channel panics and progress are reported on, and installs the panic hook. Call once
/// per instance.
#[wasm_bindgen(js_name = initInstance)]
pub fn init_instance(channel: String) {
    if let Ok(mut c) = CHANNEL.lock() {
        *c = channel;
    }
    std::panic::set_hook(Box::new(|info| {
        let message = match info.payload_as_str() {
            Some(m) => m.to_owned(),
            None => info.to_string(),
        };
        // The log of finished tasks goes with it: the abort that follows loses everything else.
        let task = lanes::flight::current().map_or(-1.0, f64::from);
        with_channel(|c| report_panic(c, &message, task, &lanes::flight::events()));
    }));
    lanes::set_progress_hook(|done| with_channel(|c| report_progress(c, done)));
}

fn with_channel(f: impl FnOnce(&str)) {
    // try_lock: a panic or progress report while the channel is being set must not deadlock.
    if let Ok(channel) = CHANNEL.try_lock() {
        if !channel.is_empty() {
            f(&channel);
        }
    }
}

/// Makes the `share` buffer of `mb` MiB for `seed` for the page to hand to processes, without
/// keeping it here: it is written straight into a JS array a megabyte at a time, so it never
/// exists twice at once (this instance then receives its copy like every other process).
#[wasm_bindgen(js_name = shareBuffer)]
pub fn share_buffer(mb: u32, seed: u32) -> Uint8Array {
    const PIECE: u32 = 1 << 20;
    let out = Uint8Array::new_with_length(mb * PIECE);
    let mut filler = share::Filler::new(seed);
    let mut piece = vec![0; PIECE as usize];
    for i in 0..mb {
        filler.fill(&mut piece);
        out.subarray(i * PIECE, (i + 1) * PIECE).copy_from(&piece);
    }
    out
}

/// Keeps a received copy of the `share` buffer (a process's own copy, in its own memory). The
/// old buffer is dropped before the new one is allocated: never two at once.
#[wasm_bindgen(js_name = receiveShare)]
pub fn receive_share(mb: u32, seed: u32, data: &Uint8Array) {
    let mut slot = SHARE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    *slot = None;
    let mut bytes = vec![0; data.length() as usize];
    data.copy_to(&mut bytes);
    *slot = Some(Shared {
        mb,
        seed,
        data: Arc::new(bytes),
    });
}

/// Whether this instance already holds the `share` buffer of `mb` MiB for `seed`.
#[wasm_bindgen(js_name = hasShare)]
pub fn has_share(mb: u32, seed: u32) -> bool {
    SHARE
        .lock()
        .is_ok_and(|s| s.as_ref().is_some_and(|s| s.mb == mb && s.seed == seed))
}

fn share_data(mb: u32, seed: u32) -> Arc<Vec<u8>> {
    let mut slot = SHARE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    match slot.as_ref() {
        Some(s) if s.mb == mb && s.seed == seed => s.data.clone(),
        _ => {
            // Drop the old buffer first: two 256 MB buffers at once could exceed the memory cap.
            *slot = None;
            let data = Arc::new(share::buffer(mb, seed));
            *slot = Some(Shared {
                mb,
                seed,
                data: data.clone(),
            });
            data
        }
    }
}

/// The data a spec's tasks read: the `share` buffer, or nothing.
fn data_for(spec: &Spec) -> Arc<Vec<u8>> {
    match spec.workload {
        Workload::Share => share_data(spec.size, spec.seed),
        _ => Arc::new(Vec::new()),
    }
}

/// Makes what a spec needs before its lane is timed (the `share` buffer), so that making it is
/// set-up, not run time.
///
/// # Errors
/// A bad spec.
#[wasm_bindgen]
pub fn prepare(spec: JsValue) -> Result<(), JsError> {
    data_for(&read_worker_spec(&spec)?);
    Ok(())
}

/// Runs task `index` of `spec` on this instance: one process's share of the processes lane.
/// Resolves to `{ partial, events, totals }` (see `set_trace`), and for `mandelbrot` `pixels`: the band's rows, which the
/// page paints as they arrive. For `share`, the buffer must have been received first.
///
/// # Errors
/// A bad spec or task index, a missing `share` buffer, or `cancelled`.
#[wasm_bindgen(js_name = runTask)]
pub async fn run_task(spec: JsValue, index: u32) -> Result<JsValue, JsError> {
    let spec = read_worker_spec(&spec)?;
    if index >= spec.tasks {
        return Err(
            Error::field("task", format!("must be below {}, got {index}", spec.tasks)).into(),
        );
    }
    if spec.workload == Workload::Share && !has_share(spec.size, spec.seed) {
        return Err(JsError::new(
            "share: this process has not received the buffer",
        ));
    }
    let data = data_for(&spec);
    let mut trace = Trace::default();
    let mut policy = InTurn::<JsTimers>::default();
    let (partial, task) =
        lanes::run_task_keeping(&spec, index, &data, 0, &mut policy, &mut trace).await?;
    let obj = Object::new();
    set(&obj, "partial", &partial.into());
    set_trace(&obj, &trace);
    if let Task::Mandelbrot(band) = &task {
        set(&obj, "pixels", &Uint8Array::from(band.pixels()).into());
    }
    Ok(obj.into())
}

/// Checks a run request, fills in its defaults, and refuses it if its lanes together would take
/// longer than the time budget (`budget::check`).
///
/// `workers` is this machine's core count (`navigator.hardwareConcurrency`): the default for the
/// spec's `workers`, and what the budget's estimate computes with. `lanes` is what this
/// environment offers when the spec leaves them out. The workers do not re-check the budget:
/// they run what the page accepted, on the page's count of cores.
///
/// # Errors
/// An `Error` whose message starts with the bad field's name and says what it allows (for the
/// budget: a value of it that would fit).
#[wasm_bindgen(js_name = normalizeSpec)]
pub fn normalize_spec(raw: JsValue, workers: u32, lanes: Vec<String>) -> Result<JsValue, JsError> {
    let lanes = lanes
        .iter()
        .map(|name| {
            Lane::ALL
                .into_iter()
                .find(|l| l.name() == name)
                .ok_or_else(|| Error::field("lanes", format!("unknown default lane {name:?}")))
        })
        .collect::<Result<_, _>>()?;
    let spec = read_spec(&raw, &Defaults { workers, lanes })?;
    budget::check(&spec, workers)?;
    Ok(write_raw(&spec.to_raw()).into())
}

/// The budget's estimate for a normalised spec on a machine with `cores` logical cores:
/// `{ lanes: { <lane>: ms }, wallMs: { <lane>: ms }, totalMs, budgetMs }`. `lanes` is each
/// lane's whole time, set-up included (what the budget counts); `wallMs` the part a lane
/// result's `wallMs` measures, to set against it.
///
/// # Errors
/// A bad spec.
#[wasm_bindgen(js_name = estimateSpec)]
pub fn estimate_spec(spec: JsValue, cores: u32) -> Result<JsValue, JsError> {
    let estimate = budget::estimate(&read_worker_spec(&spec)?, cores);
    let (lanes, wall) = (Object::new(), Object::new());
    for l in &estimate.lanes {
        set(&lanes, l.lane.name(), &l.ms.into());
        set(&wall, l.lane.name(), &l.timed_ms.into());
    }
    let obj = Object::new();
    set(&obj, "lanes", &lanes.into());
    set(&obj, "wallMs", &wall.into());
    set(&obj, "totalMs", &estimate.total_ms.into());
    set(&obj, "budgetMs", &budget::BUDGET_MS.into());
    Ok(obj.into())
}

/// The allowed `size` range of a workload, `[min, max]`, for the page's controls.
///
/// # Errors
/// When `workload` is not a workload's name.
#[wasm_bindgen(js_name = sizeRange)]
pub fn size_range(workload: &str) -> Result<Vec<u32>, JsError> {
    let (min, max) = workload_named(workload)?.size_range();
    Ok(vec![min, max])
}

fn workload_named(name: &str) -> Result<Workload, Error> {
    Workload::ALL
        .into_iter()
        .find(|w| w.name() == name)
        .ok_or_else(|| Error::field("workload", format!("unknown workload {name:?}")))
}

/// The checksum of a lane whose tasks' partials were gathered elsewhere (the processes lane).
///
/// # Errors
/// When `workload` is not a workload's name.
#[wasm_bindgen(js_name = foldChecksum)]
pub fn fold_checksum(workload: &str, partials: Vec<u64>) -> Result<String, JsError> {
    Ok(format_checksum(workload_named(workload)?, fold(partials)))
}

/// Bounds a trace gathered elsewhere, as a lane's own trace is bounded: the processes lane's
/// page collects each task's `events` and adds its own transfer events, and a million tasks'
/// worth would not fit on the page. `events` are stride 6 as `runTask` returns them; returns
/// `{ events, totals }` (see `set_trace`). Totals are summed from the `busy` column, so they
/// stay exact for events merged before, and the page may bound as it gathers: pass the last
/// result's `events` with the new ones.
///
/// # Errors
/// When `events` is not a whole number of events.
#[wasm_bindgen(js_name = boundTrace)]
pub fn bound_trace(events: Vec<f64>) -> Result<JsValue, JsError> {
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

/// Address of the cancel flag in this instance's memory: with shared memory the page raises it
/// with `Atomics.store` while rayon is busy.
#[wasm_bindgen(js_name = cancelFlagAddress)]
pub fn cancel_flag_address() -> usize {
    cancel::address()
}

/// Runs every task in order on this worker: the sequential lane.
///
/// Resolves to `{ checksum, sum, events, totals }` (see `set_trace`).
///
/// # Errors
/// A bad spec, or `cancelled`.
#[wasm_bindgen(js_name = runSequential)]
pub async fn run_sequential(spec: JsValue) -> Result<JsValue, JsError> {
    let spec = read_worker_spec(&spec)?;
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
pub async fn run_async(spec: JsValue) -> Result<JsValue, JsError> {
    let spec = read_worker_spec(&spec)?;
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
pub fn run_threads(spec: JsValue) -> Result<JsValue, JsError> {
    let spec = read_worker_spec(&spec)?;
    lanes::reset_progress();
    let data = data_for(&spec);
    let out = lanes::threads::run(&spec, &data, false)?;
    Ok(output(&spec, &out))
}

/// The threads lane under one global interpreter lock, as CPython's threads run: the gil lane.
///
/// # Errors
/// A bad spec, or `cancelled`.
#[cfg(feature = "threads")]
#[wasm_bindgen(js_name = runGil)]
pub fn run_gil(spec: JsValue) -> Result<JsValue, JsError> {
    let spec = read_worker_spec(&spec)?;
    lanes::reset_progress();
    let data = data_for(&spec);
    let out = lanes::threads::run(&spec, &data, true)?;
    Ok(output(&spec, &out))
}

/// The JS event loop of the worker the instance runs on: timers to wait, a message to yield.
/// The plain build has no shared memory and so no blocking wait; a worker that runs nothing else
/// while it awaits a timer is, for its lane, the same as one that blocks.
pub struct JsTimers;

#[wasm_bindgen(module = "/js/timers.js")]
extern "C" {
    fn sleep(ms: f64) -> js_sys::Promise;
    #[wasm_bindgen(js_name = yieldNow)]
    fn yield_now() -> js_sys::Promise;
}

impl EventLoop for JsTimers {
    async fn sleep(ms: f64) {
        // Neither promise ever rejects.
        let _ = wasm_bindgen_futures::JsFuture::from(sleep(ms)).await;
    }

    async fn yield_now() {
        let _ = wasm_bindgen_futures::JsFuture::from(yield_now()).await;
    }
}

fn output(spec: &Spec, out: &LaneOutput) -> JsValue {
    let obj = Object::new();
    set(
        &obj,
        "checksum",
        &format_checksum(spec.workload, out.sum).into(),
    );
    set(&obj, "sum", &out.sum.into());
    set_trace(&obj, &out.trace);
    obj.into()
}

/// `events`: `Float64Array`, `STRIDE` (6) numbers an event: row, task, phase, start ms, end ms,
/// busy ms; at most `MAX_EVENTS`, spans too short to see merged. `totals`: `Float64Array` of
/// triples row, phase, ms: every span's exact duration summed, for numbers that must not depend
/// on merging.
fn set_trace(obj: &Object, trace: &Trace) {
    set(
        obj,
        "events",
        &Float64Array::from(trace.events().as_slice()).into(),
    );
    set(
        obj,
        "totals",
        &Float64Array::from(trace.totals().as_slice()).into(),
    );
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    // Setting a data property on a plain fresh object cannot fail.
    let _ = Reflect::set(obj, &key.into(), value);
}

/// A spec the page already normalised: nothing is left to default.
fn read_worker_spec(raw: &JsValue) -> Result<Spec, Error> {
    read_spec(
        raw,
        &Defaults {
            workers: 1,
            lanes: Lane::ALL.to_vec(),
        },
    )
}

fn read_spec(raw: &JsValue, defaults: &Defaults) -> Result<Spec, Error> {
    if !raw.is_object() || Array::is_array(raw) {
        return Err(Error::field(
            "spec",
            format!(
                "must be an object such as {{ workload: 'primes', size: 1000000 }}, got {}",
                type_name(raw)
            ),
        ));
    }
    let obj: &Object = raw.unchecked_ref();
    let mut spec = RawSpec::default();
    for key in Object::keys(obj) {
        let name = key.as_string().unwrap_or_default();
        let value = Reflect::get(obj, &key).unwrap_or(JsValue::UNDEFINED);
        spec = spec.with(&name, read_value(&value));
    }
    spec.normalize(defaults)
}

fn read_value(v: &JsValue) -> RawValue {
    if v.is_undefined() {
        RawValue::Missing
    } else if let Some(n) = v.as_f64() {
        RawValue::Number(n)
    } else if let Some(s) = v.as_string() {
        RawValue::Text(s)
    } else if Array::is_array(v) {
        RawValue::List(
            Array::from(v)
                .iter()
                .map(|item| read_value(&item))
                .collect(),
        )
    } else {
        RawValue::Other(type_name(v))
    }
}

fn type_name(v: &JsValue) -> String {
    if v.is_null() {
        "null".into()
    } else if Array::is_array(v) {
        "array".into()
    } else if v.is_string() {
        "string".into()
    } else {
        v.js_typeof()
            .as_string()
            .unwrap_or_else(|| "unknown".into())
    }
}

fn write_raw(raw: &RawSpec) -> Object {
    let obj = Object::new();
    for (key, value) in &raw.fields {
        set(&obj, key, &write_value(value));
    }
    obj
}

fn write_value(v: &RawValue) -> JsValue {
    match v {
        RawValue::Number(n) => (*n).into(),
        RawValue::Text(s) => s.into(),
        RawValue::List(items) => items.iter().map(write_value).collect::<Array>().into(),
        RawValue::Missing | RawValue::Other(_) => JsValue::UNDEFINED,
    }
}
