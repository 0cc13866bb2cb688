//! Threads: rayon's pool runs the tasks in parallel, all of them on one shared memory. A task
//! that waits for a response blocks its thread, so at most `workers` requests wait at once.
//! With a GIL (the `gil` lane) only the thread holding the lock computes, as in CPython.

use rayon::prelude::*;

use super::gil::{Gil, UnderGil};
use super::{block_ready, run_task, InTurn, LaneOutput, ThreadSleep};
use crate::error::Error;
use crate::spec::Spec;
use crate::trace::{now_ms, Phase, Trace};

/// Runs every task of `spec` on the current rayon pool; each event's row is its thread's index.
/// With `gil: true` every task runs under one global interpreter lock.
///
/// # Errors
/// [`Error::Cancelled`] when the cancel flag is raised.
pub fn run(spec: &Spec, data: &[u8], gil: bool) -> Result<LaneOutput, Error> {
    let lock = gil.then(|| Gil::new(spec.gil_switch_ms));
    let kernel = spec.workload.kernel();
    kernel.before_run(spec);
    let mut out = (0..spec.tasks)
        .into_par_iter()
        // One task per split, so idle threads steal single tasks and uneven tasks still balance.
        .with_max_len(1)
        .map(|index| {
            let row = rayon::current_thread_index().unwrap_or(0) as u32;
            let mut trace = Trace::default();
            let partial = match &lock {
                None => block_ready(run_task(
                    spec,
                    index,
                    data,
                    row,
                    &mut InTurn::<ThreadSleep>::default(),
                    &mut trace,
                ))?,
                Some(gil) => {
                    let asked = now_ms();
                    gil.acquire();
                    trace.push(row, index, Phase::GilWait, asked, now_ms());
                    let mut policy = UnderGil::<ThreadSleep>::new(gil);
                    let partial =
                        block_ready(run_task(spec, index, data, row, &mut policy, &mut trace));
                    gil.release();
                    partial?
                }
            };
            Ok(LaneOutput {
                sum: partial,
                trace,
                shared: None,
                turns: Vec::new(),
            })
        })
        // Reduced as tasks finish rather than collected: a million tasks' traces never all
        // exist at once, and each merge keeps the trace bounded.
        .try_reduce(LaneOutput::default, |mut out, done| {
            out.sum = out.sum.wrapping_add(done.sum);
            out.trace.append(&done.trace);
            Ok(out)
        })?;
    out.shared = kernel.shared_result();
    Ok(out)
}
