//! What a run hands back: a lane's checksum and trace. Built as plain JS objects (a lane hands
//! over thousands of events at once, as flat arrays), and typed for TypeScript here.

use js_sys::{Float64Array, Object, Reflect, Uint32Array};
use wasm_bindgen::prelude::*;

use crate::lanes::LaneOutput;
use crate::spec::Spec;
use crate::trace::Trace;
use crate::workloads::format_checksum;

#[wasm_bindgen(typescript_custom_section)]
const OUTPUTS: &str = r#"
/** A trace as a run hands it over (see `set_trace` in crate/src/wasm/report.rs). */
export interface FlatTrace {
  /** Events, 6 numbers each: row, task, phase code, start ms, end ms (epoch clock), busy ms. */
  events: Float64Array;
  /** Exact ms per row and phase: triples row, phase code, ms. */
  totals: Float64Array;
}
/** A lane's whole run (`runSequential`, `runAsync`, `runThreads`, `runGil`). */
export interface LaneOutput extends FlatTrace {
  checksum: string;
  sum: bigint;
  /** async: which task took each turn of the event loop, the first ones (lanes/mod.rs TURNS). */
  turns?: Uint32Array;
}
/** A process's whole run's trace (`endRun`), and what it counted where it counts (the counter). */
export interface ProcessTrace extends FlatTrace {
  counted?: bigint;
  /** This process's WebAssembly memory at the end of its run, in bytes. */
  memoryBytes: number;
}
/** A process's chunk of tasks (`runChunk`). */
export interface ChunkOutput {
  /** The wrapping sum of the chunk's tasks' partials. */
  sum: bigint;
  /** When the process began and ended the chunk (ms, the shared epoch clock). */
  start: number;
  end: number;
  /** An image's chunk: its first row and its rows' pixels, one escape count each. */
  firstRow?: number;
  pixels?: Uint8Array;
}
"#;

/// `{ checksum, sum, events, totals }` for a lane's output (`LaneOutput`, see `set_trace`).
pub fn output(spec: &Spec, out: &LaneOutput) -> JsValue {
    let obj = Object::new();
    set(
        &obj,
        "checksum",
        &format_checksum(spec.workload, out.answer()).into(),
    );
    set(&obj, "sum", &out.sum.into());
    if !out.turns.is_empty() {
        set(
            &obj,
            "turns",
            &Uint32Array::from(out.turns.as_slice()).into(),
        );
    }
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
