//! The flat API the page and its workers call. Both builds export it; `runThreads` and
//! `initThreadPool` only exist in the threads build.

use js_sys::{Array, Float64Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::lanes::{self, cancel, LaneOutput, Policy, Span};
use crate::spec::{Defaults, Lane, RawSpec, RawValue, Spec, Workload};
use crate::trace::Phase;
use crate::workloads::{fold, format_checksum};
use crate::Error;

/// Checks a run request and fills in its defaults.
///
/// `workers` and `lanes` are what this environment offers when the spec leaves them out.
///
/// # Errors
/// An `Error` whose message starts with the bad field's name and says what it allows.
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
    Ok(write_raw(&spec.to_raw()).into())
}

/// The checksum of a lane whose tasks' partials were gathered elsewhere (the processes lane).
///
/// # Errors
/// When `workload` is not a workload's name.
#[wasm_bindgen(js_name = foldChecksum)]
pub fn fold_checksum(workload: &str, partials: Vec<u64>) -> Result<String, JsError> {
    let w = Workload::ALL
        .into_iter()
        .find(|w| w.name() == workload)
        .ok_or_else(|| Error::field("workload", format!("unknown workload {workload:?}")))?;
    Ok(format_checksum(w, fold(partials)))
}

/// Address of the cancel flag in this instance's memory: with shared memory the page raises it
/// with `Atomics.store` while rayon is busy.
#[wasm_bindgen(js_name = cancelFlagAddress)]
pub fn cancel_flag_address() -> usize {
    cancel::address()
}

/// Runs every task in order on this worker: the sequential lane.
///
/// Resolves to `{ checksum, sum, events }` (events: `Float64Array`, 5 numbers an event).
///
/// # Errors
/// A bad spec, or `cancelled`.
#[wasm_bindgen(js_name = runSequential)]
pub async fn run_sequential(spec: JsValue) -> Result<JsValue, JsError> {
    let spec = read_worker_spec(&spec)?;
    cancel::reset();
    let out = lanes::sequential::run(&spec, &[], &mut Timer).await?;
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
    cancel::reset();
    let out = lanes::threads::run(&spec, &[])?;
    Ok(output(&spec, &out))
}

/// Waits with a JS timer: the plain build has no shared memory, so it cannot block. The worker
/// runs nothing else meanwhile, so for the lane it is the same as a blocking wait.
struct Timer;

impl Policy for Timer {
    async fn wait(&mut self, ms: f64, span: &mut Span<'_>) -> Result<(), Error> {
        #[wasm_bindgen(module = "/js/timers.js")]
        extern "C" {
            fn sleep(ms: f64) -> js_sys::Promise;
        }
        let start = span.close();
        // A timer promise never rejects.
        let _ = wasm_bindgen_futures::JsFuture::from(sleep(ms)).await;
        span.record_since(Phase::Wait, start);
        cancel::check()
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
    set(
        &obj,
        "events",
        &Float64Array::from(out.trace.events.as_slice()).into(),
    );
    obj.into()
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
    } else {
        v.js_typeof().as_string().unwrap_or_default()
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
