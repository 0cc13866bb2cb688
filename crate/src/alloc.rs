//! The allocator every build uses: the system allocator, which while a measurement is on also
//! counts the bytes allocated and freed, so a run can say what its requests held (serve mode's
//! memory per request) by measurement. Off, it costs each allocation one relaxed load: the batch
//! lanes (and the bench) do not pay for a count they do not read.
//!
//! In the threads build every call first takes a lock that sleeps when it is taken. std's wasm
//! allocator guards itself with a bare spin lock, because the page's thread may not wait
//! (https://github.com/rust-lang/rust/pull/58855, whose review suggests waiting off it): with more
//! threads than cores, a thread preempted while holding it left the others spinning through their
//! time slices, and 64 threads waiting on I/O on 2 cores took 1.3 to 2.4 s, 0.4 to 0.5 with the
//! lock below. Only workers run the threads build (the lab worker and its pool), so the sleep
//! never blocks the page.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};

pub struct Counting;

#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs a call into the system allocator, in the threads build holding `LOCK` (see the
/// module's note).
fn serialised<T>(call: impl FnOnce() -> T) -> T {
    #[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
    let _lock = LOCK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    call()
}

static ON: AtomicBool = AtomicBool::new(false);
/// Bytes allocated less bytes freed since the measurement began (frees of older blocks count
/// too, so it can dip below 0: the growth it reports is then a little low, never high).
static NET: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn count(bytes: isize) {
    if ON.load(Ordering::Relaxed) {
        let net = NET.fetch_add(bytes, Ordering::Relaxed) + bytes;
        PEAK.fetch_max(net, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = serialised(|| unsafe { System.alloc(layout) });
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = serialised(|| unsafe { System.alloc_zeroed(layout) });
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        serialised(|| unsafe { System.dealloc(ptr, layout) });
        count(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = serialised(|| unsafe { System.realloc(ptr, layout, new_size) });
        if !p.is_null() {
            count(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Starts counting from here.
pub fn begin() {
    NET.store(0, Ordering::Relaxed);
    PEAK.store(0, Ordering::Relaxed);
    ON.store(true, Ordering::Relaxed);
}

/// Stops counting; returns the most bytes the heap had grown by at once since [`begin`].
pub fn end() -> usize {
    ON.store(false, Ordering::Relaxed);
    PEAK.load(Ordering::Relaxed).max(0) as usize
}
