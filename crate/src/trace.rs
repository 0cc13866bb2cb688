//! Per-task trace events on one clock for every worker.
//!
//! Events are kept flat (`STRIDE` numbers each) so a lane hands the page one `Float64Array`
//! rather than thousands of objects.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Phase {
    Spawn = 0,
    Compute = 1,
    Wait = 2,
    Transfer = 3,
    GilWait = 4,
}

/// Numbers per event: row (worker/thread), task, phase, start ms, end ms.
pub const STRIDE: usize = 5;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    pub events: Vec<f64>,
}

impl Trace {
    pub fn push(&mut self, row: u32, task: u32, phase: Phase, start: f64, end: f64) {
        self.events.extend_from_slice(&[
            f64::from(row),
            f64::from(task),
            f64::from(phase as u8),
            start,
            end,
        ]);
    }

    pub fn append(&mut self, other: &Trace) {
        self.events.extend_from_slice(&other.events);
    }

    pub fn len(&self) -> usize {
        self.events.len() / STRIDE
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}

/// Milliseconds since the Unix epoch, sub-millisecond, the same clock in every worker
/// (`performance.timeOrigin + performance.now()` on the web).
#[cfg(target_arch = "wasm32")]
pub fn now_ms() -> f64 {
    use wasm_bindgen::prelude::*;
    #[wasm_bindgen(module = "/js/clock.js")]
    extern "C" {
        #[wasm_bindgen(js_name = nowMs)]
        fn now_ms_js() -> f64;
    }
    now_ms_js()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}
