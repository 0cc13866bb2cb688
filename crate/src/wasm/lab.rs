//! The lab worker's calls in the threads build: a lane's run on the rayon pool, which blocks
//! the lab until done (never call them from the page).

use wasm_bindgen::prelude::*;

use super::boundary::read_worker_spec;
use super::report::output;
use super::share_cache::data_for;
use crate::lanes;

/// Runs every task on the rayon pool started by `initThreadPool`: the threads lane.
/// Blocks this worker until done, so call it from the lab worker, never from the page.
///
/// # Errors
/// A bad spec, or `cancelled`.
#[wasm_bindgen(js_name = runThreads, unchecked_return_type = "LaneOutput")]
pub fn run_threads(spec: JsValue) -> Result<JsValue, JsValue> {
    on_pool(spec, false)
}

/// The threads lane under one global interpreter lock, as CPython's threads run: the gil lane.
///
/// # Errors
/// A bad spec, or `cancelled`.
#[wasm_bindgen(js_name = runGil, unchecked_return_type = "LaneOutput")]
pub fn run_gil(spec: JsValue) -> Result<JsValue, JsValue> {
    on_pool(spec, true)
}

fn on_pool(spec: JsValue, gil: bool) -> Result<JsValue, JsValue> {
    let spec = read_worker_spec(spec)?;
    lanes::reset_progress();
    let data = data_for(&spec);
    let out = lanes::threads::run(&spec, &data, gil)?;
    Ok(output(&spec, &out))
}
