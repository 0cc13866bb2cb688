//! The baseline: one worker runs every task in order, waiting for each response before it
//! sends the next request.

use super::{run_task, EventLoop, InTurn, LaneOutput};
use crate::error::Error;
use crate::spec::Spec;
use crate::trace::Trace;

/// Runs every task of `spec` in order on this thread, waiting with `L`.
///
/// # Errors
/// [`Error::Cancelled`] when the cancel flag is raised.
pub async fn run<L: EventLoop>(spec: &Spec, data: &[u8]) -> Result<LaneOutput, Error> {
    let kernel = spec.workload.kernel();
    kernel.before_run(spec);
    let mut trace = Trace::default();
    let mut sum = 0u64;
    let mut policy = InTurn::<L>::default();
    for index in 0..spec.tasks {
        sum = sum.wrapping_add(run_task(spec, index, data, 0, &mut policy, &mut trace).await?);
    }
    Ok(LaneOutput {
        sum,
        trace,
        shared: kernel.shared_result(),
        turns: Vec::new(),
    })
}
