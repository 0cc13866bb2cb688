//! What a run hands back: a lane's checksum and trace, and a bounded trace for traces the page
//! gathers itself.

use js_sys::{Float64Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::lanes::LaneOutput;
use crate::spec::Spec;
use crate::trace::{Trace, STRIDE};
use crate::workloads::format_checksum;
use crate::Error;

/// `{ checksum, sum, events, totals }` for a lane's output (see `set_trace`).
pub fn output(spec: &Spec, out: &LaneOutput) -> JsValue {
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
/// on merging. Flat arrays, not objects: a lane hands over thousands of events at once.
pub fn set_trace(obj: &Object, trace: &Trace) {
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

pub fn set(obj: &Object, key: &str, value: &JsValue) {
    // Setting a data property on a plain fresh object cannot fail.
    let _ = Reflect::set(obj, &key.into(), value);
}

/// Bounds a trace gathered elsewhere, as a lane's own trace is bounded: the processes lane's
/// page collects each task's `events` and adds its own transfer events, and ten thousand tasks'
/// worth would not fit on the page. `events` are stride 6 as `runTask` returns them; returns
/// `{ events, totals }` (see `set_trace`). Totals are summed from the `busy` column, so they
/// stay exact for events merged before.
///
/// # Errors
/// When `events` is not a whole number of events.
#[wasm_bindgen(js_name = boundTrace)]
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
