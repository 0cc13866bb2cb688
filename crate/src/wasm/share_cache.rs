//! The `share` buffer this instance holds: made here (sequential, async, the threads' one shared
//! copy), or received as a copy (a process, `process.rs`). At most one at a time.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::spec::Spec;
use crate::workloads::share;

static SHARE: Mutex<Option<Shared>> = Mutex::new(None);

struct Shared {
    mb: u32,
    seed: u32,
    data: Arc<Vec<u8>>,
}

fn slot() -> MutexGuard<'static, Option<Shared>> {
    SHARE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Keeps a copy received from elsewhere. The old buffer is dropped before `copy` makes the new
/// one: never two at once.
#[cfg(not(feature = "threads"))]
pub fn keep(mb: u32, seed: u32, copy: impl FnOnce() -> Vec<u8>) {
    let mut slot = slot();
    *slot = None;
    *slot = Some(Shared {
        mb,
        seed,
        data: Arc::new(copy()),
    });
}

/// Whether this instance holds the buffer of `mb` MiB for `seed`.
#[cfg(not(feature = "threads"))]
pub fn holds(mb: u32, seed: u32) -> bool {
    slot()
        .as_ref()
        .is_some_and(|s| s.mb == mb && s.seed == seed)
}

fn share_data(mb: u32, seed: u32) -> Arc<Vec<u8>> {
    let mut slot = slot();
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

/// The data a spec's tasks read: the workload's buffer (made here if this instance lacks it),
/// or nothing.
pub fn data_for(spec: &Spec) -> Arc<Vec<u8>> {
    match spec.workload.kernel().buffer_mb(spec) {
        Some(mb) => share_data(mb, spec.seed),
        None => Arc::new(Vec::new()),
    }
}
