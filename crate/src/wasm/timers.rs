//! The JS event loop of the worker the instance runs on: timers to wait, a message to yield.
//! The plain build has no shared memory and so no blocking wait; a worker that runs nothing else
//! while it awaits a timer is, for its lane, the same as one that blocks.

use wasm_bindgen::prelude::*;

use crate::lanes::EventLoop;

pub struct JsTimers;

#[wasm_bindgen(module = "/js/timers.js")]
extern "C" {
    fn sleep(ms: f64) -> js_sys::Promise;
    #[wasm_bindgen(js_name = yieldNow)]
    fn yield_now() -> js_sys::Promise;
}

impl EventLoop for JsTimers {
    async fn sleep(ms: f64) {
        // Neither promise ever rejects.
        let _ = wasm_bindgen_futures::JsFuture::from(sleep(ms)).await;
    }

    async fn yield_now() {
        let _ = wasm_bindgen_futures::JsFuture::from(yield_now()).await;
    }
}
