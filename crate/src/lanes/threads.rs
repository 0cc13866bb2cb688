//! Threads: every thread of rayon's pool takes the next task from one shared counter, as the
//! workers of a thread pool (CPython's `ThreadPoolExecutor`, Java's executors) take the next
//! job from one queue, all of them on one shared memory. A task that waits for a response
//! blocks its thread, so at most `workers` requests wait at once. With a GIL (the `gil` lane)
//! only the thread holding the lock computes, as in CPython.

use std::sync::atomic::{AtomicU32, Ordering};

use super::gil::{Gil, UnderGil};
use super::{block_ready, run_task, InTurn, LaneOutput, ThreadSleep};
use crate::error::Error;
use crate::spec::Spec;
use crate::trace::{now_ms, Phase};

/// Runs every task of `spec` on the current rayon pool; each event's row is its thread's index.
/// With `gil: true` every task runs under one global interpreter lock.
///
/// A shared counter rather than rayon's work stealing: with more threads than cores (64 workers
/// waiting on I/O on 2 cores), idle threads searching every other thread's queue for work took
/// the cores from the threads whose waits had ended, and 20,000 waits of 1 ms took 5–7 s instead
/// of about 20,000 / 64 ms. Taking one task at a time still balances uneven tasks.
///
/// # Errors
/// [`Error::Cancelled`] when the cancel flag is raised.
pub fn run(spec: &Spec, data: &[u8], gil: bool) -> Result<LaneOutput, Error> {
    let lock = gil.then(|| Gil::new(spec.gil_switch_ms));
    let kernel = spec.workload.kernel();
    kernel.before_run(spec);
    let next = AtomicU32::new(0);
    let rows = rayon::broadcast(|ctx| {
        let row = ctx.index() as u32;
        let mut out = LaneOutput::default();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            if index >= spec.tasks {
                return Ok(out);
            }
            let partial = match &lock {
                None => block_ready(run_task(
                    spec,
                    index,
                    data,
                    row,
                    &mut InTurn::<ThreadSleep>::default(),
                    &mut out.trace,
                )),
                Some(gil) => {
                    let asked = now_ms();
                    gil.acquire();
                    out.trace.push(row, index, Phase::GilWait, asked, now_ms());
                    let mut policy = UnderGil::<ThreadSleep>::new(gil);
                    let partial = block_ready(run_task(
                        spec,
                        index,
                        data,
                        row,
                        &mut policy,
                        &mut out.trace,
                    ));
                    gil.release();
                    partial
                }
            };
            match partial {
                Ok(sum) => out.sum = out.sum.wrapping_add(sum),
                Err(e) => {
                    // The others stop at their next task, as a pool's workers do on a failure.
                    next.store(spec.tasks, Ordering::Relaxed);
                    return Err(e);
                }
            }
        }
    });
    let mut out = LaneOutput::default();
    for row in rows {
        let row: LaneOutput = row?;
        out.sum = out.sum.wrapping_add(row.sum);
        out.trace.append(&row.trace);
    }
    out.shared = kernel.shared_result();
    Ok(out)
}
