//! The page's channel for this instance (js/channel.js): panics, with their kind, task and the
//! flight log of finished tasks, and progress.

use std::sync::Mutex;

use wasm_bindgen::prelude::*;

use crate::error::ErrorKind;
use crate::lanes;
use crate::Error;

/// The BroadcastChannel this instance reports on; empty until `initInstance` sets it.
static CHANNEL: Mutex<String> = Mutex::new(String::new());

#[wasm_bindgen(module = "/js/channel.js")]
extern "C" {
    #[wasm_bindgen(js_name = reportPanic)]
    fn report_panic(channel: &str, message: &str, kind: JsValue, task: f64, done: &[f64]);
    #[wasm_bindgen(js_name = reportProgress)]
    fn report_progress(channel: &str, done: u32);
}

/// Sets the channel panics and progress are reported on, and installs the panic hook. Call once
/// per instance.
#[wasm_bindgen(js_name = initInstance)]
pub fn init_instance(channel: String) {
    if let Ok(mut c) = CHANNEL.lock() {
        *c = channel;
    }
    std::panic::set_hook(Box::new(|info| {
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
        with_channel(|c| report_panic(c, &message, kind, task, &lanes::flight::events()));
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
