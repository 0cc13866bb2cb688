//! The page's channel for this instance (js/channel.js): panics, with their kind, task and the
//! flight log of finished tasks, and progress.

use std::sync::OnceLock;

use wasm_bindgen::prelude::*;

use crate::error::ErrorKind;
use crate::lanes;
use crate::Error;

/// The BroadcastChannel this instance reports on, set once by `initInstance`. Read without a
/// lock: a panic hook that met a lock held by another thread's progress report used to give up
/// telling the page, and trapped at once (the intermittent uncaught "unreachable").
static CHANNEL: OnceLock<String> = OnceLock::new();

#[wasm_bindgen(module = "/js/channel.js")]
extern "C" {
    #[wasm_bindgen(js_name = reportPanic)]
    fn report_panic(channel: &str, message: &str, kind: JsValue, task: f64, done: &[f64]) -> bool;
    #[wasm_bindgen(js_name = reportProgress)]
    fn report_progress(channel: &str, done: u32);
}

/// Sets the channel panics (and, with `progress`, tasks done) are reported on, and installs the
/// panic hook. Call once per instance. A process leaves `progress` off: the page counts its
/// chunks' answers instead, and a report a task would be the process's own largest cost.
#[wasm_bindgen(js_name = initInstance)]
pub fn init_instance(channel: String, progress: bool) {
    // A second call (a worker initialised twice) keeps the first channel: the page listens there.
    let _ = CHANNEL.set(channel);
    std::panic::set_hook(Box::new(|info| {
        lanes::flight::mark_panicked();
        // An injected fault panics with the error itself: its kind and task come with it.
        let (message, kind, task) = match info.payload().downcast_ref::<Error>() {
            Some(e) => (e.to_string(), e.kind(), e.task()),
            None => (
                info.payload_as_str()
                    .map_or_else(|| info.to_string(), str::to_owned),
                ErrorKind::Panicked,
                lanes::flight::current(),
            ),
        };
        let kind = serde_wasm_bindgen::to_value(&kind).unwrap_or(JsValue::UNDEFINED);
        let task = task.map_or(-1.0, f64::from);
        // The log of finished tasks goes with it: the abort that follows loses everything else.
        let told =
            with_channel(|c| report_panic(c, &message, kind, task, &lanes::flight::events()));
        // With threads, the page ends the whole lab as soon as it hears of the panic. Until then
        // this thread waits rather than trapping: a trap on a rayon worker surfaces in Firefox
        // as an uncaught "unreachable executed" on the page, which no handler in the worker can
        // silence. (Without threads there is no blocking wait; the worker quiets its own trap.)
        // The page also watches the panic flag in shared memory, in case this message is held
        // up; past a few seconds the thread gives up waiting and traps after all.
        if cfg!(feature = "threads") && told == Some(true) {
            std::thread::sleep(std::time::Duration::from_secs(5));
        }
    }));
    if progress {
        lanes::set_progress_hook(|done| {
            with_channel(|c| report_progress(c, done));
        });
    }
}

fn with_channel<R>(f: impl FnOnce(&str) -> R) -> Option<R> {
    CHANNEL.get().map(|channel| f(channel))
}
