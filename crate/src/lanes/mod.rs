//! Lanes: the concurrency around the kernels. Every lane runs tasks through [`run_task`], and
//! differs only in its [`Policy`]: how it waits for a response and what it does between slices.

pub mod cancel;
pub mod cooperative;
pub mod flight;
#[cfg(any(feature = "threads", not(target_arch = "wasm32")))]
pub mod gil;
pub mod sequential;
#[cfg(any(feature = "threads", not(target_arch = "wasm32")))]
pub mod threads;

use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use crate::error::Error;
use crate::spec::{Fault, Spec};
use crate::trace::{now_ms, Phase, Trace};
use crate::workloads::{faulty_task, task, Progress, Step};

/// More than an instance may have (both wasm builds link with a 1 GiB ceiling, and a 32-bit
/// allocation must stay below 2 GiB): what `fault: 'oom-one-task'` asks for.
const OOM_BYTES: usize = if usize::BITS == 32 { 3 << 29 } else { 1 << 50 };

/// Units of work between two looks at the cancel flag (about a millisecond of any kernel).
pub const SLICE: u64 = 4096;

/// Tasks finished in this instance since the last `reset_progress` (shared by all its threads).
static TASKS_DONE: AtomicU32 = AtomicU32::new(0);
static PROGRESS_HOOK: OnceLock<fn(u32)> = OnceLock::new();
/// Each thread tells the page at most this often: enough for a smooth bar, and a run of 10,000
/// tiny tasks does not spend its time in calls out of wasm.
const PROGRESS_EVERY_MS: f64 = 50.0;

thread_local! {
    /// When this thread last told the page.
    static TOLD: Cell<f64> = const { Cell::new(f64::NEG_INFINITY) };
}

/// Sets what is told, with the count so far, as tasks finish (the page's progress bar).
pub fn set_progress_hook(hook: fn(u32)) {
    let _ = PROGRESS_HOOK.set(hook);
}

/// A new run: no task done yet, and an empty flight log.
pub fn reset_progress() {
    TASKS_DONE.store(0, Ordering::Relaxed);
    flight::reset();
}

/// Counts a finished task that began at `began`, and tells the page if this thread has not for a
/// while. The task's start stands in for now: a trivial task's cost is mostly reading the clock.
fn task_finished(began: f64) {
    let done = TASKS_DONE.fetch_add(1, Ordering::Relaxed) + 1;
    let Some(hook) = PROGRESS_HOOK.get() else {
        return;
    };
    if began - TOLD.get() >= PROGRESS_EVERY_MS {
        TOLD.set(began);
        hook(done);
    }
}

/// What a lane produced: the wrapping sum of its partials and its trace, and what its tasks
/// built in shared state (the counter), where the workload has some.
#[derive(Debug, Default)]
pub struct LaneOutput {
    pub sum: u64,
    pub trace: Trace,
    pub shared: Option<u64>,
    /// async: which task took each turn on the event loop after a wait or a yield (not a spin
    /// on a busy lock), the first [`TURNS`] of them, a task taking two turns in a row counted once.
    pub turns: Vec<u32>,
}

/// Turns of the event loop an async run keeps: enough to see who went when.
pub const TURNS: usize = 24;

impl LaneOutput {
    /// The lane's answer: what the tasks built together, or the sum of their partials.
    pub fn answer(&self) -> u64 {
        self.shared.unwrap_or(self.sum)
    }
}

/// The open compute span of one task, so a policy can cut it around a wait or a yield.
pub struct Span<'a> {
    trace: &'a mut Trace,
    row: u32,
    task: u32,
    open: f64,
}

impl Span<'_> {
    /// Ends the compute span at now and returns now.
    pub fn close(&mut self) -> f64 {
        let now = now_ms();
        if now > self.open {
            self.trace
                .push(self.row, self.task, Phase::Compute, self.open, now);
        }
        self.open = now;
        now
    }

    /// Records a non-compute phase from `start` until now, and reopens compute at now.
    pub fn record_since(&mut self, phase: Phase, start: f64) {
        let now = now_ms();
        self.trace.push(self.row, self.task, phase, start, now);
        self.open = now;
    }

    /// Reopens compute at now, leaving the time since `close` unrecorded (the task was parked).
    pub fn reopen(&mut self) {
        self.open = now_ms();
    }
}

/// How a lane runs its tasks.
#[allow(async_fn_in_trait)] // each lane polls its futures on its own thread: no `Send` wanted
pub trait Policy {
    /// Units of work per slice.
    fn slice(&self) -> u64 {
        SLICE
    }

    /// Waits `ms` for a simulated response.
    async fn wait(&mut self, ms: f64, span: &mut Span<'_>) -> Result<(), Error>;

    /// Runs between two slices of one task.
    async fn between(&mut self, _span: &mut Span<'_>) -> Result<(), Error> {
        cancel::check()
    }

    /// The task is blocked on a lock another task holds: give way (a `lock-wait`), then the
    /// task asks again.
    async fn blocked(&mut self, span: &mut Span<'_>) -> Result<(), Error>;
}

/// Runs task `index` of `spec` to its end under `policy`, recording on row `row`.
///
/// # Errors
/// [`Error::Cancelled`] when the cancel flag is raised.
///
/// # Panics
/// On purpose, for the task that `fault: 'panic-one-task'` picks: this is the crash that the
/// processes lane survives and the threads lane does not. With `fault: 'oom-one-task'` that task
/// asks for more memory than a wasm instance can have, and panics when it is refused.
pub async fn run_task<P: Policy>(
    spec: &Spec,
    index: u32,
    data: &[u8],
    row: u32,
    policy: &mut P,
    trace: &mut Trace,
) -> Result<u64, Error> {
    run_task_keeping(spec, index, data, row, policy, trace)
        .await
        .map(|(partial, _)| partial)
}

/// [`run_task`], also handing back the finished task (its Mandelbrot band's pixels, say).
///
/// # Errors
/// As [`run_task`].
pub async fn run_task_keeping<'a, P: Policy>(
    spec: &Spec,
    index: u32,
    data: &'a [u8],
    row: u32,
    policy: &mut P,
    trace: &mut Trace,
) -> Result<(u64, Box<dyn Step + 'a>), Error> {
    flight::running(index);
    let began = now_ms();
    if faulty_task(spec) == Some(index) {
        match spec.fault {
            Fault::OomOneTask => {
                // try_reserve, not vec!: a failed allocation aborts without running the panic
                // hook, and the report would only say "unreachable".
                let mut hog = Vec::<u8>::new();
                if let Err(e) = hog.try_reserve_exact(OOM_BYTES) {
                    std::panic::panic_any(Error::OutOfMemory {
                        task: index,
                        detail: e.to_string(),
                    });
                }
                std::hint::black_box(&hog);
            }
            // The payload is the error itself, so the panic hook reads its kind and task.
            _ => std::panic::panic_any(Error::InjectedPanic { task: index }),
        }
    }
    let mut task = task(spec, index, data);
    let mut span = Span {
        trace,
        row,
        task: index,
        open: began,
    };
    loop {
        // Other tasks may have run on this thread during the last await (async).
        flight::running(index);
        match task.advance(policy.slice()) {
            Progress::Working => policy.between(&mut span).await?,
            Progress::Wait(ms) => policy.wait(ms, &mut span).await?,
            Progress::Blocked => policy.blocked(&mut span).await?,
            Progress::Done(partial) => {
                // Telling the page (now and then a message on a BroadcastChannel, which from a
                // rayon thread can take a while) is the task's own work: under the GIL it happens
                // while the lock is held, so it is drawn as compute.
                task_finished(began);
                let end = span.close();
                flight::finished(row, index, began, end);
                return Ok((partial, task));
            }
        }
    }
}

/// How a lane's thread waits and gives way: the JS event loop's timers in the plain build, a
/// blocking sleep on a real thread otherwise.
#[allow(async_fn_in_trait)] // see `Policy`
pub trait EventLoop {
    async fn sleep(ms: f64);
    /// Lets everything else that is ready on this thread run first.
    async fn yield_now();
}

/// Waits that hold their thread: a blocking call, as a thread in a blocking socket read does.
/// In the threads build this is `memory.atomic.wait32` with a timeout (std's `thread::sleep`).
#[cfg(any(feature = "threads", not(target_arch = "wasm32")))]
pub struct ThreadSleep;

#[cfg(any(feature = "threads", not(target_arch = "wasm32")))]
impl EventLoop for ThreadSleep {
    async fn sleep(ms: f64) {
        std::thread::sleep(std::time::Duration::from_secs_f64(ms / 1000.0));
    }

    async fn yield_now() {
        std::thread::yield_now();
    }
}

/// One request at a time: the task waits for its response and nothing else runs on this worker
/// meanwhile (sequential, each thread, each process).
pub struct InTurn<L>(std::marker::PhantomData<L>);

impl<L> Default for InTurn<L> {
    fn default() -> Self {
        InTurn(std::marker::PhantomData)
    }
}

impl<L: EventLoop> Policy for InTurn<L> {
    async fn wait(&mut self, ms: f64, span: &mut Span<'_>) -> Result<(), Error> {
        let start = span.close();
        L::sleep(ms).await;
        span.record_since(Phase::Wait, start);
        cancel::check()
    }

    async fn blocked(&mut self, span: &mut Span<'_>) -> Result<(), Error> {
        let start = span.close();
        L::yield_now().await;
        span.record_since(Phase::LockWait, start);
        cancel::check()
    }
}

/// Polls a future that never suspends (every wait in it blocks) to its end.
///
/// # Panics
/// If the future suspends: only blocking policies may be driven this way.
pub fn block_ready<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("a blocking lane's task suspended"),
    }
}
