//! One process of the processes lane. The page sends a run's spec once (`beginRun`), then
//! chunks of tasks (`runChunk`); each chunk hands back the sum of its tasks' partials and, for
//! `mandelbrot`, its rows' pixels. The process records its own trace across the run and sends
//! it once (`endRun`), so a chunk's message carries only a few numbers: that is what keeps a
//! process's own cost per task at a few microseconds.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use js_sys::{Object, Uint8Array};
use wasm_bindgen::prelude::*;

use super::boundary::read_worker_spec;
use super::report::{set, set_trace};
use super::share_cache::{data_for, holds, keep};
use super::timers::JsTimers;
use crate::lanes::{self, InTurn};
use crate::spec::Spec;
use crate::trace::{now_ms, Trace};
use crate::workloads::{counter, share, split};
use crate::Error;

/// The run this process is part of: its spec, its data, and the trace it has recorded so far.
struct ProcessRun {
    spec: Rc<Spec>,
    data: Arc<Vec<u8>>,
    /// Taken while a chunk runs (its tasks await timers), put back when it ends.
    trace: Option<Trace>,
}

thread_local! {
    static RUN: RefCell<Option<ProcessRun>> = const { RefCell::new(None) };
}

thread_local! {
    /// A chunk's answer's keys, made once. `Reflect::set` with a `&str` key decodes the key's
    /// text every time: at one task a chunk that was a third of a process's own work per message
    /// (Chromium profile, 4,096 one-task chunks).
    static CHUNK_KEYS: [JsValue; 3] = ["sum", "start", "end"].map(JsValue::from_str);
}

/// `{ sum, start, end }`, a chunk's answer.
fn chunk_output(sum: u64, start: f64, end: f64) -> Object {
    let out = Object::new();
    CHUNK_KEYS.with(|keys| {
        for (key, value) in keys.iter().zip([sum.into(), start.into(), end.into()]) {
            // Setting a data property on a plain fresh object cannot fail.
            let _ = js_sys::Reflect::set(&out, key, &value);
        }
    });
    out
}

#[wasm_bindgen(module = "/js/counter.js")]
extern "C" {
    #[wasm_bindgen(js_name = setSegment)]
    fn set_segment(buffer: Option<&js_sys::SharedArrayBuffer>);
    #[wasm_bindgen(js_name = segmentLoad)]
    fn segment_load() -> u64;
    #[wasm_bindgen(js_name = segmentStore)]
    fn segment_store(value: u64);
    #[wasm_bindgen(js_name = segmentAdd)]
    fn segment_add(value: u64);
    #[wasm_bindgen(js_name = segmentTryLock)]
    fn segment_try_lock() -> bool;
    #[wasm_bindgen(js_name = segmentUnlock)]
    fn segment_unlock();
}

/// The counter in a segment shared with the other processes (js/counter.js).
struct Segment;

impl counter::Cell for Segment {
    fn load(&self) -> u64 {
        segment_load()
    }
    fn store(&self, value: u64) {
        segment_store(value);
    }
    fn add(&self, value: u64) {
        segment_add(value);
    }
    fn try_lock(&self) -> bool {
        segment_try_lock()
    }
    fn unlock(&self) {
        segment_unlock();
    }
}

static SEGMENT: Segment = Segment;

/// Starts a run on this process: keeps its spec (checked once here, not once a task) and starts
/// an empty trace. For `share`, the buffer must have been received first (its copy is the cost
/// the lane shows), except for an untimed `warm_up`, which makes its own small one. `segment`:
/// a `SharedArrayBuffer` the processes share (the counter's lock or atomic add), or none to
/// count in this process's own memory.
///
/// # Errors
/// A bad spec, or a `share` buffer this process does not hold.
#[wasm_bindgen(js_name = beginRun)]
pub fn begin_run(
    spec: JsValue,
    warm_up: bool,
    segment: Option<js_sys::SharedArrayBuffer>,
) -> Result<(), JsValue> {
    let spec = read_worker_spec(spec)?;
    counter::register_segment(&SEGMENT);
    set_segment(segment.as_ref());
    counter::use_segment(segment.is_some());
    spec.workload.kernel().before_run(&spec);
    let buffer = spec.workload.kernel().buffer_mb(&spec);
    if buffer.is_some_and(|mb| !warm_up && !holds(mb, spec.seed)) {
        return Err(Error::field("share", "this process has not received the buffer").into());
    }
    lanes::reset_progress();
    let data = data_for(&spec);
    RUN.with(|run| {
        *run.borrow_mut() = Some(ProcessRun {
            spec: Rc::new(spec),
            data,
            trace: Some(Trace::default()),
        });
    });
    Ok(())
}

/// Runs tasks `from..to` of the run, one after another, recording them in the run's trace.
/// Answers `{ sum, start, end }`: the wrapping sum of the tasks' partials, and when the chunk
/// began and ended here (ms on the shared clock); for `mandelbrot` also `pixels`, the chunk's
/// rows, which the page paints as they arrive. A chunk that never waits (CPU work) answers at
/// once; one whose tasks wait on timers (`io`) answers with a promise. A promise for every chunk
/// cost a process more than a trivial task's own work (a microtask, a closure and a promise a
/// chunk).
///
/// # Errors
/// No run begun, tasks outside the spec, another chunk still running, or `cancelled`.
#[wasm_bindgen(
    js_name = runChunk,
    unchecked_return_type = "ChunkOutput | Promise<ChunkOutput>"
)]
pub fn run_chunk(from: u32, to: u32) -> Result<JsValue, JsValue> {
    let (spec, data, trace) = RUN.with(|run| {
        let mut run = run.borrow_mut();
        let run = run
            .as_mut()
            .ok_or_else(|| Error::field("run", "no run has begun on this process"))?;
        let trace = run.trace.take().ok_or_else(|| {
            Error::field(
                "run",
                "a chunk is still running: a process runs one at a time",
            )
        })?;
        Ok::<_, Error>((run.spec.clone(), run.data.clone(), trace))
    })?;
    let mut running = Box::pin(async move {
        let mut trace = trace;
        let result = chunk(&spec, &data, from, to, &mut trace).await;
        RUN.with(|run| {
            if let Some(run) = run.borrow_mut().as_mut() {
                run.trace = Some(trace);
            }
        });
        result.map_err(JsValue::from)
    });
    // The first poll runs the chunk as far as it goes; the executor polls it again with a real
    // waker, and a timer future takes the waker of its latest poll.
    match running
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => out,
        Poll::Pending => Ok(wasm_bindgen_futures::future_to_promise(running).into()),
    }
}

async fn chunk(
    spec: &Spec,
    data: &[u8],
    from: u32,
    to: u32,
    trace: &mut Trace,
) -> Result<JsValue, Error> {
    if from >= to || to > spec.tasks {
        return Err(Error::field(
            "chunk",
            format!("must be tasks within 0..{}, got {from}..{to}", spec.tasks),
        ));
    }
    let start = now_ms();
    let mut sum = 0u64;
    let mut pixels: Option<Vec<u8>> = None;
    let mut policy = InTurn::<JsTimers>::default();
    for index in from..to {
        let (partial, task) =
            lanes::run_task_keeping(spec, index, data, 0, &mut policy, trace).await?;
        sum = sum.wrapping_add(partial);
        if let Some(rows) = task.pixels() {
            pixels.get_or_insert_with(Vec::new).extend_from_slice(rows);
        }
    }
    let out = chunk_output(sum, start, now_ms());
    if let Some(pixels) = pixels {
        set(
            &out,
            "firstRow",
            &split(spec.size, spec.tasks, from).0.into(),
        );
        set(&out, "pixels", &Uint8Array::from(pixels.as_slice()).into());
    }
    Ok(out.into())
}

/// Ends the run: hands over its trace (`{ events, totals }`, see `set_trace`; every event on
/// row 0, the page knows which process this is), and where its tasks built shared state,
/// `counted`: the counter where this process counts (its own memory, or the shared segment);
/// then forgets the run.
///
/// # Errors
/// No run begun, or a chunk still running.
#[wasm_bindgen(js_name = endRun, unchecked_return_type = "ProcessTrace")]
pub fn end_run() -> Result<JsValue, JsValue> {
    let run = RUN
        .with(|run| run.borrow_mut().take())
        .ok_or_else(|| Error::field("run", "no run to end on this process"))?;
    let trace = run
        .trace
        .ok_or_else(|| Error::field("run", "a chunk is still running"))?;
    let out = Object::new();
    set_trace(&out, &trace);
    if let Some(counted) = run.spec.workload.kernel().shared_result() {
        set(&out, "counted", &counted.into());
    }
    set(&out, "memoryBytes", &super::serve::memory_bytes().into());
    Ok(out.into())
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

/// Keeps a received copy of the `share` buffer: this process's own, in its own memory.
#[wasm_bindgen(js_name = receiveShare)]
pub fn receive_share(mb: u32, seed: u32, data: &Uint8Array) {
    keep(mb, seed, || data.to_vec());
}

/// Whether this process already holds the `share` buffer of `mb` MiB for `seed`.
#[wasm_bindgen(js_name = hasShare)]
pub fn has_share(mb: u32, seed: u32) -> bool {
    holds(mb, seed)
}
