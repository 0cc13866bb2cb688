//! Async: every task is a future on one thread's event loop. A waiting task holds no thread, so
//! thousands of requests wait at once; but CPU work runs one future at a time, and a future that
//! never yields blocks the loop for everyone (`yieldEvery: 0`).

use std::cell::RefCell;

use futures_util::future::join_all;

use super::{cancel, run_task, EventLoop, LaneOutput, Policy, Span, SLICE, TURNS};
use crate::error::Error;
use crate::spec::Spec;
use crate::trace::{Phase, Trace};

/// Cooperative multitasking: wait without holding the thread, and give way every
/// `yield_every` units of work (never, when 0).
pub struct Cooperative<'t, L> {
    yield_every: u32,
    /// The run's turns, shared by its tasks (one thread: a `RefCell` is enough).
    turns: &'t RefCell<Vec<u32>>,
    _loop: std::marker::PhantomData<L>,
}

impl<'t, L> Cooperative<'t, L> {
    pub fn new(yield_every: u32, turns: &'t RefCell<Vec<u32>>) -> Self {
        Cooperative {
            yield_every,
            turns,
            _loop: std::marker::PhantomData,
        }
    }

    /// `task` has the loop again.
    fn took_turn(&self, task: u32) {
        let mut turns = self.turns.borrow_mut();
        if turns.len() < TURNS && turns.last() != Some(&task) {
            turns.push(task);
        }
    }
}

impl<L: EventLoop> Policy for Cooperative<'_, L> {
    fn slice(&self) -> u64 {
        if self.yield_every > 0 {
            self.yield_every.into()
        } else {
            SLICE
        }
    }

    async fn wait(&mut self, ms: f64, span: &mut Span<'_>) -> Result<(), Error> {
        let start = span.close();
        L::sleep(ms).await;
        self.took_turn(span.task);
        span.record_since(Phase::Wait, start);
        cancel::check()
    }

    async fn blocked(&mut self, span: &mut Span<'_>) -> Result<(), Error> {
        // The lock's holder is another future on this thread: let it run.
        let start = span.close();
        L::yield_now().await;
        span.record_since(Phase::LockWait, start);
        cancel::check()
    }

    async fn between(&mut self, span: &mut Span<'_>) -> Result<(), Error> {
        cancel::check()?;
        if self.yield_every > 0 {
            span.close();
            L::yield_now().await;
            self.took_turn(span.task);
            span.reopen();
        }
        Ok(())
    }
}

/// Starts every task of `spec` as a future at once and waits for them all.
///
/// # Errors
/// [`Error::Cancelled`] when the cancel flag is raised.
pub async fn run<L: EventLoop>(spec: &Spec, data: &[u8]) -> Result<LaneOutput, Error> {
    let kernel = spec.workload.kernel();
    kernel.before_run(spec);
    let turns = RefCell::new(Vec::new());
    let turns = &turns;
    let tasks = (0..spec.tasks).map(|index| async move {
        let mut trace = Trace::default();
        let mut policy = Cooperative::<L>::new(spec.yield_every, turns);
        let partial = run_task(spec, index, data, 0, &mut policy, &mut trace).await?;
        Ok::<_, Error>((partial, trace))
    });
    let mut out = LaneOutput::default();
    for done in join_all(tasks).await {
        let (partial, trace) = done?;
        out.sum = out.sum.wrapping_add(partial);
        out.trace.append(&trace);
    }
    out.shared = kernel.shared_result();
    out.turns = turns.take();
    Ok(out)
}
