//! How each lane serves the arriving requests. A pool of workers each takes the next request in
//! arrival order, waits for it to arrive if it has not, and holds it to its end: one worker
//! (sequential), `workers` threads (threads; gil, under one lock), or `workers` processes (the
//! page hands them requests: www/src/serve/processes.ts). The async lane takes every request as
//! it arrives onto one event loop, where its wait holds no thread.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU32, Ordering};

use std::future::Future;
use std::pin::Pin;

use futures_util::future::{select, Either};
use futures_util::stream::{FuturesUnordered, StreamExt};

use super::stats::Served;
use super::ServeOptions;
use crate::alloc;
use crate::error::Error;
use crate::lanes::cooperative::Cooperative;
use crate::lanes::{cancel, run_task, EventLoop, InTurn, Policy};
use crate::spec::Spec;
use crate::trace::{now_ms, Phase, Trace};

/// What a lane did with the load: each request it served, and the memory it held for them.
#[derive(Debug, Default)]
pub struct ServeOutput {
    pub served: Vec<Served>,
    /// The Rust heap's growth over the run at its peak: what the requests' state took.
    pub heap_bytes: usize,
    /// Threads: the distance between two threads' stacks, the memory each one holds.
    pub stack_bytes: Option<usize>,
    /// The requests' CPU parts, summed: what the lane's cores really spent computing.
    pub compute_ms: f64,
}

/// The run's requests and where the pool's workers are in them.
pub struct Load {
    pub spec: Spec,
    pub arrivals: Vec<f64>,
    duration_ms: f64,
    /// The run's start on the shared clock.
    t0: f64,
    next: AtomicU32,
}

impl Load {
    pub fn new(options: &ServeOptions) -> Load {
        let arrivals = options.arrivals();
        Load {
            spec: options.spec(arrivals.len() as u32),
            arrivals,
            duration_ms: options.duration_ms,
            t0: now_ms(),
            next: AtomicU32::new(0),
        }
    }

    /// When request `index` arrives, on the shared clock.
    fn due(&self, index: u32) -> f64 {
        self.t0 + self.arrivals[index as usize]
    }

    fn served(&self, index: u32, start: f64) -> Served {
        Served {
            index,
            start: start - self.t0,
            end: now_ms() - self.t0,
        }
    }
}

/// One worker of a pool: the next request in arrival order, served to its end, until the lane
/// stops taking requests at the duration. `hold(true)` before and `hold(false)` after serving
/// (the gil lane takes and lets go of its lock there).
async fn serve_pool<P: Policy, L: EventLoop>(
    load: &Load,
    row: u32,
    policy: &mut P,
    mut hold: impl FnMut(bool),
) -> Result<(Vec<Served>, f64), Error> {
    let mut trace = Trace::default();
    let mut out = Vec::new();
    loop {
        let index = load.next.fetch_add(1, Ordering::Relaxed);
        if index as usize >= load.arrivals.len() {
            break;
        }
        let wait = load.due(index) - now_ms();
        if wait > 0.0 {
            // Free when it arrives (before the end): this worker's, however late its timer
            // wakes it. Judged by the wake-up, a request arriving in the last milliseconds was
            // counted as queued by a lane that sat idle (2 workers, 10 a second of 50 ms).
            L::sleep(wait).await;
            cancel::check()?;
        } else if now_ms() - load.t0 >= load.duration_ms {
            // It waited for a worker until past the end: queued.
            break;
        }
        let start = now_ms();
        hold(true);
        let done = run_task(&load.spec, index, &[], row, policy, &mut trace).await;
        hold(false);
        done?;
        out.push(load.served(index, start));
    }
    Ok((out, trace.phase_total(Phase::Compute)))
}

/// The heap's growth while `run` runs, at its peak.
async fn measuring_heap<T>(run: impl std::future::Future<Output = T>) -> (T, usize) {
    alloc::begin();
    let out = run.await;
    (out, alloc::end())
}

/// One worker serving every request in turn: the sequential lane.
///
/// # Errors
/// [`Error::Cancelled`] when the cancel flag is raised.
pub async fn serve_sequential<L: EventLoop>(options: &ServeOptions) -> Result<ServeOutput, Error> {
    let load = Load::new(options);
    let (served, heap_bytes) = measuring_heap(serve_pool::<_, L>(
        &load,
        0,
        &mut InTurn::<L>::default(),
        |_| {},
    ))
    .await;
    let (served, compute_ms) = served?;
    Ok(ServeOutput {
        served,
        heap_bytes,
        stack_bytes: None,
        compute_ms,
    })
}

/// Every request a future on this thread's event loop from the moment it arrives: the async
/// lane. A request's state is made when it arrives and freed when it ends, so the heap holds
/// only the requests in the system. Its CPU part runs to its end once started, as a handler with
/// no await in it does.
///
/// # Errors
/// [`Error::Cancelled`] when the cancel flag is raised.
pub async fn serve_async<L: EventLoop>(options: &ServeOptions) -> Result<ServeOutput, Error> {
    let load = Load::new(options);
    let turns = RefCell::new(Vec::new());
    let request = |index: u32| {
        let (load, turns) = (&load, &turns);
        async move {
            let start = now_ms();
            let mut trace = Trace::default();
            let mut policy = Cooperative::<L>::new(0, turns);
            run_task(&load.spec, index, &[], 0, &mut policy, &mut trace).await?;
            Ok::<_, Error>((load.served(index, start), trace.phase_total(Phase::Compute)))
        }
    };
    let (served, heap_bytes) = measuring_heap(async {
        let n = load.arrivals.len() as u32;
        let mut open = FuturesUnordered::new();
        let mut served = Vec::with_capacity(n as usize);
        let mut compute_ms = 0.0;
        let mut next = 0;
        // The wait for the next arrival, kept while requests end before it.
        let mut arrival: Option<Pin<Box<dyn Future<Output = ()> + '_>>> = None;
        loop {
            while next < n && load.due(next) <= now_ms() {
                open.push(request(next));
                next += 1;
            }
            if next == n && open.is_empty() {
                return Ok((served, compute_ms));
            }
            if next < n && arrival.is_none() {
                arrival = Some(Box::pin(L::sleep(load.due(next) - now_ms())));
            }
            match arrival.take() {
                None => {
                    if let Some((s, ms)) = open.next().await.transpose()? {
                        served.push(s);
                        compute_ms += ms;
                    }
                }
                Some(wait) if open.is_empty() => wait.await,
                Some(wait) => match select(open.next(), wait).await {
                    Either::Left((done, wait)) => {
                        if let Some((s, ms)) = done.transpose()? {
                            served.push(s);
                            compute_ms += ms;
                        }
                        arrival = Some(wait);
                    }
                    Either::Right(((), _)) => {}
                },
            }
            cancel::check()?;
        }
    })
    .await;
    let (served, compute_ms) = served?;
    Ok(ServeOutput {
        served,
        heap_bytes,
        stack_bytes: None,
        compute_ms,
    })
}

#[cfg(any(feature = "threads", not(target_arch = "wasm32")))]
mod pool {
    use super::*;
    use crate::lanes::gil::{Gil, UnderGil};
    use crate::lanes::{block_ready, ThreadSleep};

    /// Every thread of the current rayon pool a worker: the threads lane, or with `gil` the gil
    /// lane, whose threads serve under one lock and let go of it while they wait.
    ///
    /// # Errors
    /// [`Error::Cancelled`] when the cancel flag is raised.
    pub fn serve_threads(options: &ServeOptions, gil: bool) -> Result<ServeOutput, Error> {
        let load = Load::new(options);
        let lock = gil.then(|| Gil::new(load.spec.gil_switch_ms));
        alloc::begin();
        let rows = rayon::broadcast(|ctx| {
            let probe = 0u8;
            let stack_at = std::ptr::addr_of!(probe) as usize;
            let row = ctx.index() as u32;
            let served = match &lock {
                None => block_ready(serve_pool::<_, ThreadSleep>(
                    &load,
                    row,
                    &mut InTurn::<ThreadSleep>::default(),
                    |_| {},
                )),
                Some(gil) => block_ready(serve_pool::<_, ThreadSleep>(
                    &load,
                    row,
                    &mut UnderGil::<ThreadSleep>::new(gil),
                    |on| {
                        if on {
                            gil.acquire();
                        } else {
                            gil.release();
                        }
                    },
                )),
            };
            served.map(|s| (s, stack_at))
        });
        let heap_bytes = alloc::end();
        let mut served = Vec::new();
        let mut stacks = Vec::new();
        let mut compute_ms = 0.0;
        for row in rows {
            let ((s, ms), at) = row?;
            served.extend(s);
            compute_ms += ms;
            stacks.push(at);
        }
        Ok(ServeOutput {
            served,
            heap_bytes,
            stack_bytes: stack_spacing(stacks),
            compute_ms,
        })
    }
}

#[cfg(any(feature = "threads", not(target_arch = "wasm32")))]
pub use pool::serve_threads;

/// The typical distance between threads' stacks (the median gap between neighbours): each
/// thread's stack and thread-local storage, allocated side by side.
pub fn stack_spacing(mut at: Vec<usize>) -> Option<usize> {
    at.sort_unstable();
    let mut gaps: Vec<usize> = at.windows(2).map(|w| w[1] - w[0]).collect();
    if gaps.is_empty() {
        return None;
    }
    gaps.sort_unstable();
    Some(gaps[gaps.len() / 2])
}
