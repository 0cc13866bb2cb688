//! The sequential and async lanes' worker: a whole lane's run in one call.

use wasm_bindgen::prelude::*;

use super::boundary::read_worker_spec;
use super::report::output;
use super::share_cache::data_for;
use super::timers::JsTimers;
use crate::lanes;

/// Runs every task in order on this worker: the sequential lane.
///
/// Resolves to `{ checksum, sum, events, totals }` (see `set_trace`).
///
/// # Errors
/// A bad spec, or `cancelled`.
#[wasm_bindgen(js_name = runSequential, unchecked_return_type = "LaneOutput")]
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
#[wasm_bindgen(js_name = runAsync, unchecked_return_type = "LaneOutput")]
pub async fn run_async(spec: JsValue) -> Result<JsValue, JsValue> {
    let spec = read_worker_spec(spec)?;
    lanes::reset_progress();
    let data = data_for(&spec);
    let out = lanes::cooperative::run::<JsTimers>(&spec, &data).await?;
    Ok(output(&spec, &out))
}
