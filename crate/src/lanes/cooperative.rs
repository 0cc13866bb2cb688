//! Async: every task is a future on one thread's event loop. A waiting task holds no thread, so
//! thousands of requests wait at once; but CPU work runs one future at a time, and a future that
//! never yields blocks the loop for everyone (`yieldEvery: 0`).

use futures_util::future::join_all;

use super::{cancel, run_task, EventLoop, LaneOutput, Policy, Span, SLICE};
use crate::error::Error;
use crate::spec::Spec;
use crate::trace::{Phase, Trace};

/// Cooperative multitasking: wait without holding the thread, and give way every
/// `yield_every` units of work (never, when 0).
pub struct Cooperative<L> {
    yield_every: u32,
    _loop: std::marker::PhantomData<L>,
}

impl<L> Cooperative<L> {
    pub fn new(yield_every: u32) -> Self {
        Cooperative {
            yield_every,
            _loop: std::marker::PhantomData,
        }
    }
}

impl<L: EventLoop> Policy for Cooperative<L> {
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
        span.record_since(Phase::Wait, start);
        cancel::check()
    }

    async fn between(&mut self, span: &mut Span<'_>) -> Result<(), Error> {
        cancel::check()?;
        if self.yield_every > 0 {
            span.close();
            L::yield_now().await;
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
    let tasks = (0..spec.tasks).map(|index| async move {
        let mut trace = Trace::default();
        let mut policy = Cooperative::<L>::new(spec.yield_every);
        let partial = run_task(spec, index, data, 0, &mut policy, &mut trace).await?;
        Ok::<_, Error>((partial, trace))
    });
    let mut out = LaneOutput::default();
    for done in join_all(tasks).await {
        let (partial, trace) = done?;
        out.sum = out.sum.wrapping_add(partial);
        out.trace.append(&trace);
    }
    Ok(out)
}
