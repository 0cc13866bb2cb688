//! The flight log: every finished task's span, and the task each thread is running, kept where a
//! panic cannot lose them.
//!
//! A panic aborts the wasm instance, and the lane's trace (held by the tasks' futures and
//! rayon's stacks) goes with it: the threads lane used to show nothing of the work done before a
//! crash. The panic hook sends this log with the panic message instead, so the page draws each
//! lane's work up to the fault and names the task that failed. Atomics, so every thread of the
//! threads build appends without a lock, and a panicking thread never waits for one.

use std::cell::Cell;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use crate::spec::MAX_TASKS;
use crate::trace::{Phase, STRIDE};

/// One slot per task a spec may have.
const SLOTS: usize = MAX_TASKS as usize;
/// Numbers per slot: row, task, start ms, end ms.
const FIELDS: usize = 4;

static COUNT: AtomicU32 = AtomicU32::new(0);
/// Raised by the panic hook. In the threads build the page reads it from shared memory: it is
/// how the page learns of a panic even if the hook's message never leaves a blocked thread.
static PANICKED: AtomicU32 = AtomicU32::new(0);
static LOG: [AtomicU64; SLOTS * FIELDS] = [const { AtomicU64::new(0) }; SLOTS * FIELDS];

thread_local! {
    static CURRENT: Cell<Option<u32>> = const { Cell::new(None) };
}

/// Raised once a thread of this instance has panicked.
pub fn mark_panicked() {
    PANICKED.store(1, Ordering::Release);
}

/// Byte address of the panic flag in linear memory (an aligned `u32`).
pub fn panic_flag_address() -> usize {
    PANICKED.as_ptr() as usize
}

/// Forgets the previous run's tasks.
pub fn reset() {
    let used = (COUNT.swap(0, Ordering::AcqRel) as usize).min(SLOTS);
    for slot in 0..used {
        LOG[slot * FIELDS + 3].store(0, Ordering::Release);
    }
}

/// Marks `task` as the one this thread runs now (a panic names it).
pub fn running(task: u32) {
    CURRENT.with(|c| c.set(Some(task)));
}

/// The task this thread ran last, if any: the one a panic on this thread belongs to.
pub fn current() -> Option<u32> {
    CURRENT.with(Cell::get)
}

/// Logs a finished task's span on `row`.
pub fn finished(row: u32, task: u32, start: f64, end: f64) {
    let slot = COUNT.fetch_add(1, Ordering::AcqRel) as usize;
    if slot >= SLOTS {
        return;
    }
    let at = slot * FIELDS;
    LOG[at].store(f64::from(row).to_bits(), Ordering::Relaxed);
    LOG[at + 1].store(f64::from(task).to_bits(), Ordering::Relaxed);
    LOG[at + 2].store(start.to_bits(), Ordering::Relaxed);
    // Written last: a slot whose end is still 0 is being filled (or was reset), and is skipped.
    LOG[at + 3].store(end.to_bits(), Ordering::Release);
}

/// The finished tasks as trace events ([`STRIDE`] numbers each: row, task, compute, start, end,
/// busy).
pub fn events() -> Vec<f64> {
    let used = (COUNT.load(Ordering::Acquire) as usize).min(SLOTS);
    let mut out = Vec::with_capacity(used * STRIDE);
    for slot in 0..used {
        let at = slot * FIELDS;
        let end = f64::from_bits(LOG[at + 3].load(Ordering::Acquire));
        if end == 0.0 {
            continue;
        }
        let start = f64::from_bits(LOG[at + 2].load(Ordering::Relaxed));
        out.extend_from_slice(&[
            f64::from_bits(LOG[at].load(Ordering::Relaxed)),
            f64::from_bits(LOG[at + 1].load(Ordering::Relaxed)),
            f64::from(Phase::Compute as u8),
            start,
            end,
            end - start,
        ]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_finished_tasks_and_the_running_one() {
        reset();
        running(3);
        finished(1, 3, 10.0, 12.5);
        finished(0, 4, 11.0, 13.0);
        assert_eq!(current(), Some(3));
        let events = events();
        assert_eq!(events.len(), 2 * STRIDE);
        assert_eq!(&events[..6], &[1.0, 3.0, 1.0, 10.0, 12.5, 2.5]);
        reset();
        assert!(super::events().is_empty());
    }
}
