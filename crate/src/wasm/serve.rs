//! Serve mode's calls (`crate::serve`): the page checks options, estimates them and turns a
//! lane's records into figures; the sequential and async worker and the lab serve a whole lane
//! in one call; the processes get the run's spec from the page (`serveSpec`) and serve one
//! request a `runChunk`, handed out by the page as a pool's queue does.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::serve::run::ServeOutput;
use crate::serve::{ServeOptions, SERVE_FIELDS};
use crate::spec::{Defaults, Lane, RawInput};
use crate::Error;

/// What a lane's worker hands back from a serve run.
#[derive(Serialize, tsify::Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ServeRun {
    /// `[index, start, end]` for each request served, ms from the run's start.
    pub records: Vec<f64>,
    /// The heap's growth at its peak over the run: what the requests' state took.
    pub heap_bytes: f64,
    /// Threads: the distance between two threads' stacks (a thread's stack and its TLS).
    pub stack_bytes: Option<f64>,
    /// The instance's WebAssembly memory at the end of the run (shared by every thread in the
    /// threads build).
    pub memory_bytes: f64,
    /// The requests' CPU parts, summed (ms).
    pub compute_ms: f64,
}

impl ServeRun {
    fn of(out: ServeOutput) -> ServeRun {
        ServeRun {
            records: out
                .served
                .iter()
                .flat_map(|s| [f64::from(s.index), s.start, s.end])
                .collect(),
            heap_bytes: out.heap_bytes as f64,
            stack_bytes: out.stack_bytes.map(|b| b as f64),
            memory_bytes: memory_bytes(),
            compute_ms: out.compute_ms,
        }
    }
}

/// This instance's WebAssembly memory now, in bytes.
pub(super) fn memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65_536) as f64
}

/// Reads serve options (`null` and `undefined` fields take their defaults).
fn read_options(raw: JsValue, defaults: &Defaults) -> Result<ServeOptions, Error> {
    let input: RawInput = serde_wasm_bindgen::from_value(raw).map_err(|e| {
        Error::field(
            "options",
            format!(
                "could not be read ({e}); known options: {}",
                SERVE_FIELDS.join(", ")
            ),
        )
    })?;
    input
        .into_raw("options", "{ ratePerSec: 200, latencyMs: 100 }")?
        .normalize_serve(defaults)
}

/// Options the page already checked.
fn read_checked(raw: JsValue) -> Result<ServeOptions, Error> {
    read_options(
        raw,
        &Defaults {
            workers: 1,
            lanes: Lane::ALL.to_vec(),
        },
    )
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_sys::Error::new(&e.to_string()).into())
}

#[cfg(not(feature = "threads"))]
mod page {
    use super::*;
    use crate::budget::{self, Machine};
    use crate::serve::stats::figures;
    use crate::serve::stats::Served;
    use crate::wasm::boundary::default_lanes;

    /// Checks serve options field by field, fills in the defaults (`workers`: this machine's
    /// cores; `lanes`: what this browser offers) and refuses a run past the time budget.
    /// Resolves to `{ options, estimate }`.
    ///
    /// # Errors
    /// Kind `invalid` or `budget`, naming the field.
    #[wasm_bindgen(js_name = checkServe, unchecked_return_type = "{ options: ServeOptions, estimate: Estimate, cpuMsPerRequest: number }")]
    pub fn check_serve(
        raw: JsValue,
        workers: u32,
        lanes: Vec<String>,
        speed: f64,
        memory: f64,
    ) -> Result<JsValue, JsValue> {
        let lanes = default_lanes(&lanes)?;
        let options = read_options(raw, &Defaults { workers, lanes })?;
        // The serve lanes' processes answer requests by message (www/src/serve/processes.ts).
        let machine = Machine {
            cores: workers,
            speed,
            memory,
            pipes: false,
        };
        let estimate = budget::check_serve(&options, machine)?;
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Checked<'a> {
            options: &'a ServeOptions,
            estimate: &'a budget::Estimate,
            cpu_ms_per_request: f64,
        }
        to_js(&Checked {
            options: &options,
            estimate: &estimate,
            cpu_ms_per_request: budget::serve_cpu_ms(&options, machine),
        })
    }

    /// The run's requests as a spec, one task a request, for the processes to begin.
    ///
    /// # Errors
    /// Options that do not check.
    #[wasm_bindgen(js_name = serveSpec, unchecked_return_type = "Spec")]
    pub fn serve_spec(options: JsValue) -> Result<JsValue, JsValue> {
        let options = read_checked(options)?;
        to_js(&options.spec(options.arrivals().len() as u32))
    }

    /// When each request arrives, ms from the run's start: the same on every lane.
    ///
    /// # Errors
    /// Options that do not check.
    #[wasm_bindgen(js_name = serveArrivals)]
    pub fn serve_arrivals(options: JsValue) -> Result<Vec<f64>, JsValue> {
        Ok(read_checked(options)?.arrivals())
    }

    /// A lane's figures from its records (`[index, start, end]` a request, as `ServeRun` has
    /// them): throughput, latency percentiles, the queue over time, Little's `L`.
    ///
    /// # Errors
    /// Options that do not check, or records that are not whole requests of this run.
    #[wasm_bindgen(js_name = serveFigures, unchecked_return_type = "ServeFigures")]
    pub fn serve_figures(options: JsValue, records: Vec<f64>) -> Result<JsValue, JsValue> {
        let options = read_checked(options)?;
        let arrivals = options.arrivals();
        if !records.len().is_multiple_of(3) {
            return Err(Error::field("records", "must be [index, start, end] triples").into());
        }
        let served = records
            .chunks_exact(3)
            .map(|r| {
                let index = r[0] as u32;
                if r[0] < 0.0 || index as usize >= arrivals.len() {
                    return Err(Error::field("records", format!("no request {}", r[0])));
                }
                Ok(Served {
                    index,
                    start: r[1],
                    end: r[2],
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        to_js(&figures(&arrivals, &served, options.duration_ms))
    }
}

#[cfg(not(feature = "threads"))]
mod worker {
    use super::*;
    use crate::lanes;
    use crate::serve::run::{serve_async, serve_sequential};
    use crate::wasm::timers::JsTimers;

    /// One worker serving every request in turn: the sequential lane of a serve run.
    ///
    /// # Errors
    /// Bad options, or `cancelled`.
    #[wasm_bindgen(js_name = serveSequential, unchecked_return_type = "ServeRun")]
    pub async fn serve_sequential_lane(options: JsValue) -> Result<JsValue, JsValue> {
        let options = read_checked(options)?;
        lanes::reset_progress();
        to_js(&ServeRun::of(serve_sequential::<JsTimers>(&options).await?))
    }

    /// Every request a future on this worker's event loop from its arrival: the async lane.
    ///
    /// # Errors
    /// Bad options, or `cancelled`.
    #[wasm_bindgen(js_name = serveAsync, unchecked_return_type = "ServeRun")]
    pub async fn serve_async_lane(options: JsValue) -> Result<JsValue, JsValue> {
        let options = read_checked(options)?;
        lanes::reset_progress();
        to_js(&ServeRun::of(serve_async::<JsTimers>(&options).await?))
    }
}

#[cfg(feature = "threads")]
mod lab {
    use super::*;
    use crate::lanes;
    use crate::serve::run::serve_threads;

    /// Every thread of the pool a worker that blocks in its waits: the threads lane of a serve
    /// run, or with `gil` the gil lane. Blocks the lab until done.
    ///
    /// # Errors
    /// Bad options, or `cancelled`.
    #[wasm_bindgen(js_name = serveThreads, unchecked_return_type = "ServeRun")]
    pub fn serve_threads_lane(options: JsValue, gil: bool) -> Result<JsValue, JsValue> {
        let options = read_checked(options)?;
        lanes::reset_progress();
        to_js(&ServeRun::of(serve_threads(&options, gil)?))
    }
}

#[cfg(feature = "threads")]
pub use lab::serve_threads_lane;
#[cfg(not(feature = "threads"))]
pub use page::{check_serve, serve_arrivals, serve_figures, serve_spec};
#[cfg(not(feature = "threads"))]
pub use worker::{serve_async_lane, serve_sequential_lane};
