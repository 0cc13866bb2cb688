//! What the Python bridge (python/concurrency_bridge) must agree on with the kernels: the build
//! writes these into the package's `_constants.py`, so a constant changed here reaches the
//! Python port without being typed twice.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::lanes::SLICE;
use crate::spec::FIELDS;
use crate::workloads::{io::IO_ROUNDS, mandelbrot::MAX_ITER, share::STRIDE};

/// `{ slice, shareStride, mandelbrotMaxIter, ioRounds, fields }`: units of work between two
/// looks at the world, the share scan's stride, the Mandelbrot iteration cap, the SHA-256 rounds
/// after an `io` response, and the spec's fields in the crate's order.
#[wasm_bindgen(js_name = bridgeConstants)]
pub fn bridge_constants() -> JsValue {
    let obj = Object::new();
    let fields: Array = FIELDS.iter().map(|f| JsValue::from_str(f)).collect();
    for (key, value) in [
        ("slice", JsValue::from_f64(SLICE as f64)),
        ("shareStride", JsValue::from_f64(STRIDE as f64)),
        ("mandelbrotMaxIter", JsValue::from(MAX_ITER)),
        ("ioRounds", JsValue::from(IO_ROUNDS)),
        ("fields", fields.into()),
    ] {
        // Setting a data property on a plain fresh object cannot fail.
        let _ = Reflect::set(&obj, &key.into(), &value);
    }
    obj.into()
}
