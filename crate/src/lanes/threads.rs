//! Threads: rayon's pool runs the tasks in parallel, all of them on one shared memory. A task
//! that waits for a response blocks its thread, so at most `workers` requests wait at once.

use rayon::prelude::*;

use super::{block_ready, run_task, Blocking, LaneOutput};
use crate::error::Error;
use crate::spec::Spec;
use crate::trace::Trace;

/// Runs every task of `spec` on the current rayon pool; each event's row is its thread's index.
///
/// # Errors
/// [`Error::Cancelled`] when the cancel flag is raised.
pub fn run(spec: &Spec, data: &[u8]) -> Result<LaneOutput, Error> {
    let done: Vec<(u64, Trace)> = (0..spec.tasks)
        .into_par_iter()
        // One task per split, so idle threads steal single tasks and uneven tasks still balance.
        .with_max_len(1)
        .map(|index| {
            let row = rayon::current_thread_index().unwrap_or(0) as u32;
            let mut trace = Trace::default();
            let partial = block_ready(run_task(spec, index, data, row, &mut Blocking, &mut trace))?;
            Ok((partial, trace))
        })
        .collect::<Result<_, Error>>()?;
    let mut out = LaneOutput::default();
    for (partial, trace) in &done {
        out.sum = out.sum.wrapping_add(*partial);
        out.trace.append(trace);
    }
    Ok(out)
}
