//! The `share` buffer this instance holds: made here (sequential, async, the threads' one shared
//! copy), or received as a copy (a process). At most one at a time.

use std::sync::{Arc, Mutex};

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use crate::spec::{Spec, Workload};
use crate::workloads::share;

static SHARE: Mutex<Option<Shared>> = Mutex::new(None);

struct Shared {
    mb: u32,
    seed: u32,
    data: Arc<Vec<u8>>,
}

/// Makes the `share` buffer of `mb` MiB for `seed` for the page to hand to processes, without
/// keeping it here: it is written straight into a JS array a megabyte at a time, so it never
/// exists twice at once (this instance then receives its copy like every other process).
#[wasm_bindgen(js_name = shareBuffer)]
pub fn share_buffer(mb: u32, seed: u32) -> Uint8Array {
    const PIECE: u32 = 1 << 20;
    let out = Uint8Array::new_with_length(mb * PIECE);
    let mut filler = share::Filler::new(seed);
    let mut piece = vec![0; PIECE as usize];
    for i in 0..mb {
        filler.fill(&mut piece);
        out.subarray(i * PIECE, (i + 1) * PIECE).copy_from(&piece);
    }
    out
}

/// Keeps a received copy of the `share` buffer (a process's own copy, in its own memory). The
/// old buffer is dropped before the new one is allocated: never two at once.
#[wasm_bindgen(js_name = receiveShare)]
pub fn receive_share(mb: u32, seed: u32, data: &Uint8Array) {
    let mut slot = SHARE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    *slot = None;
    let mut bytes = vec![0; data.length() as usize];
    data.copy_to(&mut bytes);
    *slot = Some(Shared {
        mb,
        seed,
        data: Arc::new(bytes),
    });
}

/// Whether this instance already holds the `share` buffer of `mb` MiB for `seed`.
#[wasm_bindgen(js_name = hasShare)]
pub fn has_share(mb: u32, seed: u32) -> bool {
    SHARE
        .lock()
        .is_ok_and(|s| s.as_ref().is_some_and(|s| s.mb == mb && s.seed == seed))
}

fn share_data(mb: u32, seed: u32) -> Arc<Vec<u8>> {
    let mut slot = SHARE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    match slot.as_ref() {
        Some(s) if s.mb == mb && s.seed == seed => s.data.clone(),
        _ => {
            // Drop the old buffer first: two 256 MB buffers at once could exceed the memory cap.
            *slot = None;
            let data = Arc::new(share::buffer(mb, seed));
            *slot = Some(Shared {
                mb,
                seed,
                data: data.clone(),
            });
            data
        }
    }
}

/// The data a spec's tasks read: the `share` buffer (made here if this instance lacks it), or
/// nothing.
pub fn data_for(spec: &Spec) -> Arc<Vec<u8>> {
    match spec.workload {
        Workload::Share => share_data(spec.size, spec.seed),
        _ => Arc::new(Vec::new()),
    }
}
