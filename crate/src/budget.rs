//! A time budget for every accepted spec: estimate each chosen lane's wall time before the run,
//! and refuse a spec whose lanes together would take longer than [`BUDGET_MS`], naming the field
//! to change and a value of it that would fit.
//!
//! The caps in `spec.rs` bound each field alone; products of fields still made runs of ten
//! minutes and more (a big `share` read by many tasks, `yieldEvery: 1` on a large `primes`,
//! 20,000 slow requests on one worker). Only a cost model sees those products.
//!
//! # The model
//!
//! For a spec the model first adds up, on one core: `C` the kernels' compute plus each task's
//! own cost in the lane (its trace, its progress report, its message for a process, its wake-up
//! for a blocked thread), `T` the heaviest single task, `W` the sum of the simulated waits (each
//! a little late: [`TIMER_LATE_MS`]), `Y` the async lane's yields, and `S` a lane's set-up
//! (worker or pool start, warm-up runs, making the `share` buffer). With `w = min(workers, tasks)`
//! threads or processes and `p = min(w, cores)` of them computing at once, a lane takes:
//!
//! | lane | wall time |
//! | --- | --- |
//! | sequential | `C + W + S` |
//! | threads | `max((C + W) / w, C / p, T) + S`, or `W / w + C / p` when more threads than cores wait and wake |
//! | gil | `max((C + W) / w, C × GIL_OVERHEAD, T) + S`: waits overlap, compute is serialised |
//! | processes | as threads, with each task's messages in `C`, plus the `share` copies |
//! | async | `max(longest wait, shortest wait + C) + Y + S`: every wait overlaps, compute does not |
//!
//! # Which machine
//!
//! The constants are costs on a reference machine: the 2-core machine class the budget is for,
//! fitted to the bench's runs (`npm run bench`, its corners above all: the largest buffer, image,
//! rounds and request counts, 10,000 tiny tasks, 64 workers). Machines of one class still differ:
//! the same kernels ran 1.8× slower on one 2-core machine than on another. So the page measures
//! its own machine first ([`calibrate`], a few milliseconds of the primes kernel in a worker)
//! and every cost that runs on a CPU is scaled by that `speed`; waits are not. Memory past the
//! cache is timed apart ([`calibrate_memory`]): hosts of one VM read a 256 MB buffer 2.5–3×
//! faster or slower against the same primes kernel, so a big scan's misses are scaled by the
//! machine's `memory` as well.
//! `crate/tests/bench_file.rs` checks the model against the bench's own output file
//! (`docs/bench.json`), with the `speed` that run measured.

use crate::error::Error;
use crate::lanes::SLICE;
use crate::serve::ServeOptions;
use crate::spec::{Lane, Spec};
use crate::workloads::{primes, share, Progress, Split, Step};

/// The longest a run may take, all its chosen lanes together (they run one after another).
pub const BUDGET_MS: f64 = 180_000.0;

/// Making the `share` buffer (xorshift, 8 bytes a step).
const SHARE_BUILD_MS_PER_MB: f64 = 1.0;
/// Copying the `share` buffer into one process: the parent's copy for it, handed over whole,
/// then copied into the process's wasm memory, which must grow for it. The parent makes the
/// copies one after another. 256 MB took 0.42-0.50 s into one process and 0.97-1.13 s into two
/// (fresh pages, where the machine's speed was 1.1); structured clones, which copied the buffer
/// twice more on the way, had taken 0.85-0.92 and 2.0-3.3 s.
const SHARE_COPY_MS_PER_MB: f64 = 2.0;
/// Starting one worker (script, instantiate the compiled module). Starts share the cores.
const SPAWN_MS: f64 = 30.0;
/// Starting the lab worker and its rayon pool: a base, and each thread's own start (64
/// threads took 3.4 s on 2 cores).
const THREAD_POOL_START_MS: f64 = 100.0;
const THREAD_START_MS: f64 = 40.0;
/// Each task's own cost in a lane besides its kernel (its trace spans, the flight log, the
/// progress report; mostly its two readings of the clock): 10,000 tasks of 2 numbers took 4 to 8
/// ms on the sequential lane, [`RUN_MS`] of it the run's own (medians of 5 where the machine's
/// speed was 1.2 to 1.42; 10 to 16 ms the first time), 20,000 requests of 0 ms 103 to 202 ms, 64
/// to 128 of them the hash.
const SEQUENTIAL_TASK_MS: f64 = 0.0006;
/// The async lane's: a future, polled (the same 20,000 requests took 104 to 214 ms).
const ASYNC_TASK_MS: f64 = 0.001;
/// An async wait's own cost: its timer and the wake-up of its future (20,000 requests of 1 ms,
/// all waiting at once, took 170 to 364 ms where the machine's speed was 1.2 to 1.42; 162 to
/// 199 ms in six runs a day later at 1.25 to 1.42, which 8 µs a wait put at 1.5 to 2.2 times).
const ASYNC_WAIT_MS: f64 = 0.006;
/// A task on a thread: its own cost, the allocator's lock and the shared counter's cache line
/// passed between the cores (20,000 requests of 0 ms took 80 ms on 2 threads, 103 sequential).
const THREAD_TASK_MS: f64 = 0.0008;
/// A task under the GIL gives the lock back at its end; if the other thread is waiting for it,
/// a hand-over follows: the waiter's wake-up, on a CPU. A task shorter than that ends before the
/// waiter asks, and its thread takes the lock again at once (10,000 tasks of 2 numbers took 8 ms
/// on 2 GIL threads, 4 sequential). How often the holder still wins depends on the host: 20,000
/// requests of 16 SHA-256 rounds took 127 to 239 ms on 2 GIL threads over sequential's 103 in
/// runs of one week, and 90 to 113 ms over sequential's 77 to 112 in eight bench runs (55-62) of
/// the next, where 3 µs a hand-over had put them at 1.84 to 2.17 times; 1 µs puts those at 1.25
/// to 1.48 times (the first week's host, slower to hand over, would read under its time).
const GIL_HANDOVER_MS: f64 = 0.001;
/// A hand-over the switch interval forces on a holder that does not wait: a waiter asks after
/// each interval, and the holder lets go between two slices (primes 5M in 64 tasks with 0.1 ms
/// intervals took 2 GIL threads 603 to 628 ms in bench runs 56-62, 1.06 to 1.08 times sequential,
/// where the GIL's own 5 % had put them at 0.91 to 0.95 times).
const GIL_SWITCH_COST_MS: f64 = 0.006;
/// A process's message, there and back, from the parent that sends every process its chunks (one
/// task a message: 4096 trivial tasks took 42 µs each on 2 processes with the page as the parent,
/// where the machine's speed was 1.54; 31 µs from the parent worker). The parent sends them one
/// after another: this cost does not divide by the processes.
const MESSAGE_MS: f64 = 0.028;
/// The same through pipes (www/src/lanes/pipe.ts), where the page is isolated: a record a chunk
/// each way, and one wake-up of the parent for every answer waiting (4096 trivial tasks one a
/// message took 7 to 10.5 µs each on 2 processes from the parent worker, where they took 28 to 40
/// by message). An image's answers carry its pixels and still go by message.
const PIPE_MS: f64 = 0.009;
/// A JS worker's wait of under this long is waited by message hops, on a CPU (crate/js/timers.js):
/// with more processes than cores, those hops take turns on the cores (20,000 requests of 1 ms on
/// 64 processes took 8.5 s on 2 cores).
const HOP_MS: f64 = 1.5;
/// The part of its hops a process taking turns on the cores spends: a process taken off its core
/// mid-wait finds the wait over, or nearer, when it is back (the 20,000 requests of 1 ms on 64
/// processes took 5.3 to 7.0 s in bench runs 55-62, where every hop on a CPU had put them at 1.8
/// to 2.2 times; the 8.5 s above a week before).
const HOP_SHARE: f64 = 0.6;
/// What each core past the first adds in the browser: the page's own thread, the compositor and
/// the garbage collector share the cores with the lanes (primes 5M on 2 cores: threads 1.81x,
/// processes 1.85x sequential; the same kernels natively 1.94-1.96x).
const OTHER_CORE: f64 = 0.85;
/// The same where the kernels read a buffer far larger than the cache: the cores share one
/// memory's bandwidth (256 MB scanned by 2 threads: 1.53×, 1.55× and 1.76× one thread's speed
/// in three runs on one host, where one thread's reads missed nothing it waited for).
const STREAMING_OTHER_CORE: f64 = 0.5;
/// What a processes run costs besides its tasks and its chunks' messages: its begin with the first
/// chunks, and the processes' traces back (4096 trivial tasks in 8 chunks took 10 ms on 2
/// processes, 3 of them tasks, with the page as the parent, drawing the run's start; 7 ms from the
/// parent worker).
const PROCESS_RUN_MS: f64 = 6.0;
/// More threads or processes than cores compute slower than the cores would alone (switching,
/// each one's caches): 64 threads of primes 2M on 2 cores took twice the time 2 took.
const OVERSUBSCRIBED: f64 = 0.2;
/// A wait's own cost on a real thread (`memory.atomic.wait32`, the wake-up), on a CPU (64 threads
/// on 2 cores: 20,000 requests of 1 ms took 400 to 500 ms, 340 of them the waits themselves,
/// where the machine's speed was 1.2; 480 to 755 ms in six bench runs two days later, at 1.1 to
/// 1.24, which 8 µs a wait put at 0.77 to 1.22 times).
const THREAD_WAIT_MS: f64 = 0.017;
/// A wait in a JS worker (a timer set from a message, the last stretch by message hops), on a
/// CPU: 20,000 waits of 0 ms took 850 ms sequential, when such waits still went through the
/// timers (crate/src/workloads/io.rs now skips them in every lane).
const JS_WAIT_MS: f64 = 0.025;
/// The GIL let go and taken back around each wait, serialised, for each thread waiting for it
/// (letting go wakes every waiting thread to try): 20,000 requests of 1 ms took 444 to 683 ms on
/// 64 GIL threads in eight bench runs over two days, where the machine's speed was 1.25 to 1.42;
/// 630 to 1,155 ms in six runs two days later at 1.1 to 1.24, which 0.27 µs (and 8 µs a thread's
/// wake-up) put at 0.63 to 1.12 times.
const GIL_HANDOFF_MS: f64 = 0.00035;
/// One yield to the event loop (a MessageChannel round trip): 300,000 numbers of primes
/// yielding after each took 4.6 to 6.3 s in six bench runs where the machine's speed was 1.1 to
/// 1.14, which 13 µs a yield put at 0.70 to 0.96 times; 2.7 to 4.2 s in eight runs (55-62) a week
/// later at 0.96 to 1.07, which 17 µs had put at 1.19 to 1.91.
const YIELD_MS: f64 = 0.014;
/// How late a wait of more than 0 ms ends (timer granularity; crate/js/timers.js hops the last
/// stretch by message, so a 1 ms wait holds its lane 1.0 to 1.1 ms).
const TIMER_LATE_MS: f64 = 0.1;
/// Compute under the GIL against sequential.
const GIL_OVERHEAD: f64 = 1.05;
/// Untimed warm-up runs before a workload's first timed run (`warmUp` in
/// www/src/lanes/common.ts runs until two runs take about as long, at most 6; usually 2 or 3).
const WARMUP_RUNS: f64 = 3.0;

/// The machine a spec is estimated for: its logical cores, how slow it runs the kernels against
/// the reference machine the constants describe (1: as fast; 2: twice as slow), how much its
/// reads past the cache add against the reference's at that speed (1: as much; 0: nothing, the
/// prefetcher hides them), and whether its processes can talk through pipes (an isolated page
/// with `Atomics.waitAsync`) or by message.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Machine {
    pub cores: u32,
    pub speed: f64,
    pub memory: f64,
    pub pipes: bool,
}

impl Machine {
    /// A machine as fast as the reference, as the reference runs the lanes: isolated.
    pub fn reference(cores: u32) -> Machine {
        Machine {
            cores,
            speed: 1.0,
            memory: 1.0,
            pipes: true,
        }
    }
}

/// What [`calibrate`] counts primes in: a few milliseconds on the reference machine, of numbers
/// as large as the page's stories test (the cost of a number grows with it).
pub const CALIBRATION: (u32, u32) = (5_000_000, 5_010_000);

/// This machine's `speed`: the best of several timed runs of the primes kernel over
/// [`CALIBRATION`] against what the model says the reference machine takes. Several, and in
/// slices as the lanes run it: V8 runs wasm with a baseline compiler first and uses optimised
/// code from a function's next call on (wasm has no on-stack replacement), so one long call would
/// time the baseline code. Kept within 0.25–8 (a clock that misbehaves cannot make the budget
/// absurd).
pub fn calibrate(clock: impl Fn() -> f64) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..8 {
        let start = clock();
        let mut task = primes::Range::new(CALIBRATION.0, CALIBRATION.1);
        while !matches!(std::hint::black_box(task.advance(SLICE)), Progress::Done(_)) {}
        best = best.min(clock() - start);
    }
    let reference = (primes::ns_below(CALIBRATION.1) - primes::ns_below(CALIBRATION.0)) / 1e6;
    (best / reference).clamp(0.25, 8.0)
}

/// One scan of `data`, task `index` of 4's, timed. A function of its own, never inlined: V8 runs
/// a wasm function's optimised code from its next call on (wasm has no on-stack replacement), and
/// scans inlined into one call all ran the baseline code, 1.6× slower (0.35–0.50 where the
/// `share` lane's own scans of 256 MB gave 0–0.08).
#[inline(never)]
fn timed_scan(data: &[u8], index: u32, clock: &impl Fn() -> f64) -> f64 {
    let start = clock();
    let mut scan = share::Scan::new(data, index, 4);
    while !matches!(std::hint::black_box(scan.advance(SLICE)), Progress::Done(_)) {}
    clock() - start
}

/// What [`calibrate_memory`] scans: as large as the buffers the model counts as missing the cache
/// on every read.
pub const MEMORY_CALIBRATION_MB: u32 = share::UNCACHED_MB;

/// This machine's `memory` for a machine of `speed`: the `share` kernel's scan of a
/// [`MEMORY_CALIBRATION_MB`] buffer, the best of four, less what its reads cost in the cache,
/// against what the misses add on the reference. Within 0–4; 1 (the reference) when the buffer
/// cannot be had (a phone short of memory). Run it in a worker that is ended after: the buffer
/// grows its wasm memory for good.
pub fn calibrate_memory(clock: impl Fn() -> f64, speed: f64) -> f64 {
    let bytes = MEMORY_CALIBRATION_MB as usize * 1024 * 1024;
    let mut data = Vec::new();
    if data.try_reserve_exact(bytes).is_err() {
        return 1.0;
    }
    // Written, so every page is a page of its own: untouched ones all read one zeroed page.
    data.resize(bytes, 1u8);
    let best = (0..4)
        .map(|index| timed_scan(&data, index, &clock))
        .fold(f64::MAX, f64::min);
    let reads = share::reads(bytes, 0) as f64;
    let ns_per_read = best * 1e6 / reads / speed;
    let missed = share::ns_per_read(MEMORY_CALIBRATION_MB) - share::NS_PER_READ_CACHED;
    ((ns_per_read - share::NS_PER_READ_CACHED) / missed).clamp(0.0, 4.0)
}

/// What the estimate says about one spec: each chosen lane's wall time, in the spec's order.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Estimate {
    pub lanes: Vec<LaneEstimate>,
    pub total_ms: f64,
    /// What the lanes together may take: [`BUDGET_MS`].
    pub budget_ms: f64,
    /// The machine's speed the estimate is for (see [`calibrate`]).
    pub speed: f64,
}

/// The time budget's estimate of one lane.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct LaneEstimate {
    pub lane: Lane,
    /// Everything the lane takes, set-up included: what the budget counts.
    pub ms: f64,
    /// The part a lane result's `wallMs` measures: without starting workers, warm-up runs and
    /// making the `share` buffer (the processes lane's copies of it are inside).
    pub wall_ms: f64,
}

/// Estimates `spec` on `machine` and refuses it if its lanes together would take longer than
/// [`BUDGET_MS`].
///
/// # Errors
/// [`Error::OverBudget`] naming the field whose cost dominates and the value of it that would fit, or,
/// when no value of that field fits, the lanes to drop.
pub fn check(spec: &Spec, machine: Machine) -> Result<Estimate, Error> {
    check_within(spec, machine, BUDGET_MS)
}

/// [`check`] against any budget (the tests use small ones to reach every message).
fn check_within(spec: &Spec, machine: Machine, budget_ms: f64) -> Result<Estimate, Error> {
    let estimate = estimate(spec, machine);
    if estimate.total_ms <= budget_ms {
        return Ok(estimate);
    }
    let fits = |s: &Spec| estimate_total(s, machine, None) <= budget_ms;
    let dominant = knob_for(spec, dominant(spec, machine));
    let over = format!(
        "the run would take about {} ({}); the budget is {} for all lanes together",
        duration(estimate.total_ms),
        estimate
            .lanes
            .iter()
            .map(|l| format!("{} {}", l.lane.name(), duration(l.ms)))
            .collect::<Vec<_>>()
            .join(", "),
        duration(budget_ms),
    );
    // The field whose cost dominates, or where no value of it fits, the first other that does.
    let found = std::iter::once(dominant)
        .chain(Knob::ALL)
        .find_map(|knob| knob.best(spec, &fits).map(|value| (knob, value)));
    let (knob, message) = match found {
        Some((knob, value)) => {
            let mut message = format!(
                "{over}: {} {} {} would fit",
                knob.field(),
                if knob == Knob::YieldEvery {
                    "≥"
                } else {
                    "≤"
                },
                knob.show(value)
            );
            // Fewer requests is the other way to wait less, and often the one meant.
            if knob == Knob::LatencyTenths && spec.workload.kernel().io_bound() {
                if let Some(size) = Knob::Size.best(spec, &fits) {
                    message += &format!(", or size ≤ {}", thousands(size));
                }
            }
            (knob, message)
        }
        None => (
            dominant,
            format!(
                "{over}, and no {} brings it within: {}",
                dominant.field(),
                lanes_to_drop(&estimate, budget_ms)
            ),
        ),
    };
    Err(Error::OverBudget {
        field: knob.field().to_owned(),
        message,
    })
}

/// Each chosen lane's wall time for `spec` on `machine`.
pub fn estimate(spec: &Spec, machine: Machine) -> Estimate {
    let work = Work::of(spec, machine.memory);
    let lanes: Vec<LaneEstimate> = spec
        .lanes
        .iter()
        .map(|&lane| {
            let (wall_ms, before_ms) = lane_ms(spec, machine, lane, &work, None);
            LaneEstimate {
                lane,
                ms: wall_ms + before_ms,
                wall_ms,
            }
        })
        .collect();
    let total_ms = lanes.iter().map(|l| l.ms).sum();
    Estimate {
        lanes,
        total_ms,
        budget_ms: BUDGET_MS,
        speed: machine.speed,
    }
}

fn estimate_total(spec: &Spec, machine: Machine, without: Option<Part>) -> f64 {
    let work = Work::of(spec, machine.memory);
    spec.lanes
        .iter()
        .map(|&lane| {
            let (wall, before) = lane_ms(spec, machine, lane, &work, without);
            wall + before
        })
        .sum()
}

/// The kinds of cost, to find the one that dominates a run.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Part {
    Compute,
    Waits,
    Yields,
    Setup,
}

/// The part whose removal would shorten the run most.
fn dominant(spec: &Spec, machine: Machine) -> Part {
    let total = estimate_total(spec, machine, None);
    [Part::Compute, Part::Waits, Part::Yields, Part::Setup]
        .into_iter()
        .map(|part| (part, total - estimate_total(spec, machine, Some(part))))
        .fold((Part::Compute, f64::MIN), |best, next| {
            if next.1 > best.1 {
                next
            } else {
                best
            }
        })
        .0
}

/// The spec's work on one core of the reference machine, before any lane runs it.
struct Work {
    /// Kernel time of every task together.
    compute_ms: f64,
    /// Kernel time of the heaviest task.
    heaviest_ms: f64,
    /// Every simulated wait together, each as late as a timer ends.
    wait_ms: f64,
    longest_wait_ms: f64,
    shortest_wait_ms: f64,
    /// Waits of the spec: those of more than 0 ms (one of 0 ms is no wait in any lane, io.rs).
    waits: f64,
    /// The part of the waits a JS worker spends hopping by message (the last [`HOP_MS`]).
    hops_ms: f64,
    /// Yields the async lane makes: one between two slices of `yieldEvery` units.
    yields: f64,
    /// Bytes a task hands back besides its partial (a Mandelbrot band's pixels), all tasks.
    result_bytes: f64,
    /// The part of `compute_ms` whose kernels read past the cache (any `memory_ms` on the
    /// reference), however little this machine waits for it.
    streaming_ms: f64,
}

impl Work {
    /// `memory`: the machine's (see [`Machine`]); the kernels' misses count that much of the
    /// reference's, as compute on a core of the reference's speed.
    fn of(spec: &Spec, memory: f64) -> Self {
        let kernel = spec.workload.kernel();
        let mut work = Work {
            compute_ms: 0.0,
            heaviest_ms: 0.0,
            wait_ms: 0.0,
            longest_wait_ms: 0.0,
            shortest_wait_ms: f64::MAX,
            waits: 0.0,
            hops_ms: 0.0,
            yields: 0.0,
            result_bytes: 0.0,
            streaming_ms: 0.0,
        };
        for index in 0..spec.tasks {
            let cost = kernel.cost(spec, index);
            let compute_ms = cost.compute_ms + cost.memory_ms * memory;
            work.compute_ms += compute_ms;
            work.heaviest_ms = work.heaviest_ms.max(compute_ms);
            if cost.memory_ms > 0.0 {
                work.streaming_ms += compute_ms;
            }
            work.result_bytes += cost.result_bytes;
            if spec.yield_every > 0 && cost.units > 0.0 {
                work.yields += (cost.units / f64::from(spec.yield_every)).ceil() - 1.0;
            }
            if let Some(total) = cost.wait_ms {
                let each = if cost.waits > 0.0 {
                    total / cost.waits
                } else {
                    0.0
                };
                if each > 0.0 {
                    work.waits += cost.waits;
                    work.hops_ms += cost.waits * each.min(HOP_MS);
                    work.wait_ms += cost.waits * TIMER_LATE_MS;
                }
                work.wait_ms += total;
                work.longest_wait_ms = work.longest_wait_ms.max(total);
                work.shortest_wait_ms = work.shortest_wait_ms.min(total);
            }
        }
        if work.waits == 0.0 {
            work.shortest_wait_ms = 0.0;
        }
        work
    }
}

/// A Mandelbrot band's pixels back from a process (transferred, not copied) and painted on the
/// page, per MB (a byte a pixel), on a CPU: a 4096-pixel image (16 MB) in one task took its
/// processes lane 3.8 s, sequential 3.9, where the machine's speed was 1.2.
const RESULT_MS_PER_MB: f64 = 30.0;
/// What every lane's run costs besides its tasks: the call into its worker, the spec read
/// there, the result and its trace back (300,000 numbers of primes took 23 ms, 18 of them kernel).
const RUN_MS: f64 = 3.0;

/// Work a process's message carries at least when `chunk` is automatic. A message costs tens of
/// microseconds each way, but where every core runs a process each answer the parent handles takes
/// about 0.25 ms of a core from one (primes 5M on 2 cores: a chunk's process waits 0.2 to 0.3 ms
/// for it): at 2 ms a message that was a tenth of the run. Beyond 6 ms, uneven chunks balance worse
/// than messages cost (1024 tasks on 2 processes: 1.68x at 2 ms, 1.76x at 6, 1.75x at 10;
/// Mandelbrot 800: 1.51-1.54x, 1.60-1.68x, 1.61-1.64x).
const CHUNK_MIN_MS: f64 = 6.0;

/// Tasks a process gets in one message: the spec's `chunk`, or where it is 0 as few as carry
/// [`CHUNK_MIN_MS`] of work by the model (its reference machine, so every machine and the Python
/// bridge split a spec alike), never more than Python's `Pool.map` would put in one (the tasks
/// over four times the processes, rounded up). Few and large chunks make a message's cost
/// vanish; but tasks of unequal cost (primes grow with the numbers) balance only in many small
/// ones: 8 chunks of 8 primes tasks cap 2 processes at 1.84×, 64 of one at 1.97×.
pub fn chunk_size(spec: &Spec) -> u32 {
    let tasks = spec.tasks.max(1);
    if spec.chunk > 0 {
        return spec.chunk.min(tasks);
    }
    let pool_map = tasks.div_ceil(4 * spec.workers.max(1));
    let work = Work::of(spec, Machine::reference(1).memory);
    let task_ms = (work.compute_ms + work.wait_ms) / f64::from(tasks);
    let enough = if task_ms > 0.0 {
        (CHUNK_MIN_MS / task_ms).ceil().min(f64::from(tasks)) as u32
    } else {
        tasks
    };
    enough.clamp(1, pool_map.max(1))
}

/// One lane's timed run and what it spends before it, or what they would be without one part
/// of their cost.
fn lane_ms(
    spec: &Spec,
    machine: Machine,
    lane: Lane,
    work: &Work,
    without: Option<Part>,
) -> (f64, f64) {
    let keep = |part: Part| if without == Some(part) { 0.0 } else { 1.0 };
    let (compute, waits, yields, setup) = (
        keep(Part::Compute),
        keep(Part::Waits),
        keep(Part::Yields),
        keep(Part::Setup),
    );
    let speed = machine.speed;
    let tasks = f64::from(spec.tasks);
    // CPU time: the kernels, and each task's and each wait's own cost in this lane.
    let cpu = |per_task: f64, per_wait: f64| {
        compute * speed * (work.compute_ms + tasks * per_task + work.waits * per_wait)
    };
    let w_ms = waits * work.wait_ms;
    let heaviest = compute * speed * work.heaviest_ms + waits * work.longest_wait_ms;
    let w = f64::from(spec.workers.min(spec.tasks));
    let p = w.min(f64::from(machine.cores.max(1)));
    let oversubscribed = w > p && work.waits > 0.0;
    // The kernels' share of the CPU time runs slower with more threads than cores.
    let crowded = compute * speed * work.compute_ms * OVERSUBSCRIBED * (w / p).log2();
    let streaming = if work.compute_ms > 0.0 {
        work.streaming_ms / work.compute_ms
    } else {
        0.0
    };
    let other_core = OTHER_CORE + (STREAMING_OTHER_CORE - OTHER_CORE) * streaming;
    let cores = 1.0 + (p - 1.0) * other_core;
    let pooled = |c: f64| {
        if oversubscribed {
            w_ms / w + (c + crowded) / cores
        } else {
            ((c + w_ms) / w).max((c + crowded) / cores).max(heaviest)
        }
    };
    let run = match lane {
        Lane::Sequential => cpu(SEQUENTIAL_TASK_MS, JS_WAIT_MS) + w_ms,
        Lane::Threads => pooled(cpu(THREAD_TASK_MS, THREAD_WAIT_MS)),
        Lane::Gil => {
            // One thread at a time holds the lock: its tasks and hand-overs are serialised; the
            // waits and the wake-ups after them are not.
            let task_ms = work.compute_ms / tasks.max(1.0);
            let forced = if w > 1.0 {
                work.compute_ms / spec.gil_switch_ms * GIL_SWITCH_COST_MS
            } else {
                0.0
            };
            let serial = cpu(
                THREAD_TASK_MS + task_ms.min(GIL_HANDOVER_MS),
                GIL_HANDOFF_MS * w,
            ) + compute * speed * forced;
            let wakes = compute * speed * work.waits * THREAD_WAIT_MS;
            ((serial + wakes + w_ms) / w)
                .max(serial * GIL_OVERHEAD + wakes / p)
                .max(heaviest)
        }
        Lane::Processes => {
            let messages = f64::from(spec.tasks.div_ceil(chunk_size(spec)));
            // Processes taking turns on the cores also take turns hopping through their waits.
            let hops = if oversubscribed {
                waits * work.hops_ms * HOP_SHARE
            } else {
                0.0
            };
            let c = cpu(SEQUENTIAL_TASK_MS, JS_WAIT_MS)
                + hops
                + compute * speed * work.result_bytes / 1e6 * RESULT_MS_PER_MB;
            let copies = mb(spec) * SHARE_COPY_MS_PER_MB * speed * w;
            let message_ms = if machine.pipes && work.result_bytes == 0.0 {
                PIPE_MS
            } else {
                MESSAGE_MS
            };
            pooled(c).max(compute * speed * messages * message_ms)
                + compute * speed * PROCESS_RUN_MS
                + setup * copies
        }
        Lane::Async => {
            (waits * work.longest_wait_ms)
                .max(waits * work.shortest_wait_ms + cpu(ASYNC_TASK_MS, ASYNC_WAIT_MS))
                + yields * speed * work.yields * YIELD_MS
        }
    };
    let run = run + compute * speed * RUN_MS;
    let before = if without == Some(Part::Setup) {
        0.0
    } else {
        before_ms(spec, machine, lane)
    };
    (run, before)
}

/// The MB of the buffer the spec's tasks read, 0 when they read none.
fn mb(spec: &Spec) -> f64 {
    spec.workload
        .kernel()
        .buffer_mb(spec)
        .map_or(0.0, f64::from)
}

/// What a lane spends before its timed run: starting its workers, the warm-up runs and making
/// the `share` buffer. Charged as if nothing were warm yet (a warm pool's first run starts it
/// too, and copies the buffer into each process): each lane pays its own start and warm-up, a few
/// hundred ms at most, though lanes of one run share some of them.
fn before_ms(spec: &Spec, machine: Machine, lane: Lane) -> f64 {
    let small = spec.warmup();
    let (warm_up, _) = lane_ms(
        &small,
        machine,
        Lane::Sequential,
        &Work::of(&small, machine.memory),
        Some(Part::Setup),
    );
    let cores = f64::from(machine.cores.max(1));
    let workers = f64::from(spec.workers);
    let start = match lane {
        Lane::Sequential | Lane::Async => SPAWN_MS,
        Lane::Threads | Lane::Gil => THREAD_POOL_START_MS + THREAD_START_MS * workers,
        Lane::Processes => SPAWN_MS * (workers / cores).ceil(),
    };
    machine.speed * (start + mb(spec) * SHARE_BUILD_MS_PER_MB) + WARMUP_RUNS * warm_up
}

/// A serve run's estimate (`crate::serve`): each lane serves for the duration, then finishes
/// what it holds. A pool (sequential, threads, gil, processes) stops taking requests at the
/// duration, so it ends within a request's time after it (the GIL's threads one after another);
/// the async loop took every request as it arrived, so it ends when its CPU backlog is done.
pub fn estimate_serve(options: &ServeOptions, machine: Machine) -> Estimate {
    let one = options.spec(1);
    let cpu_ms = serve_cpu_ms(options, machine);
    let offered = options.rate_per_sec * options.duration_ms / 1000.0;
    let request_ms = options.latency_ms + options.jitter_ms + cpu_ms + TIMER_LATE_MS;
    let workers = f64::from(options.workers);
    let lanes: Vec<LaneEstimate> = options
        .lanes
        .iter()
        .map(|&lane| {
            let wall_ms = match lane {
                Lane::Async => options.duration_ms.max(offered * cpu_ms) + request_ms,
                Lane::Gil => options.duration_ms + request_ms + workers * cpu_ms,
                _ => options.duration_ms + request_ms,
            };
            LaneEstimate {
                lane,
                ms: wall_ms + before_ms(&one, machine, lane),
                wall_ms,
            }
        })
        .collect();
    Estimate {
        total_ms: lanes.iter().map(|l| l.ms).sum(),
        lanes,
        budget_ms: BUDGET_MS,
        speed: machine.speed,
    }
}

/// One request's CPU part on `machine`, by the cost model (ms).
pub fn serve_cpu_ms(options: &ServeOptions, machine: Machine) -> f64 {
    machine.speed * Work::of(&options.spec(1), machine.memory).compute_ms
}

/// Estimates a serve run and refuses it past [`BUDGET_MS`], naming `durationMs` (or, when the
/// async loop's CPU backlog is what takes the time, `cpuRounds`).
///
/// # Errors
/// [`Error::OverBudget`] with the duration that would fit.
pub fn check_serve(options: &ServeOptions, machine: Machine) -> Result<Estimate, Error> {
    let estimate = estimate_serve(options, machine);
    if estimate.total_ms <= BUDGET_MS {
        return Ok(estimate);
    }
    let over = format!(
        "the lanes would serve for about {} in all, over the {} budget",
        duration(estimate.total_ms),
        duration(BUDGET_MS)
    );
    // The longest duration, in steps of 100 ms, that would fit.
    let mut shorter = options.clone();
    let fit = (1..=(options.duration_ms / 100.0) as u32)
        .rev()
        .map(|k| f64::from(k) * 100.0)
        .find(|&ms| {
            shorter.duration_ms = ms;
            estimate_serve(&shorter, machine).total_ms <= BUDGET_MS
        });
    if let Some(fit) = fit {
        return Err(Error::OverBudget {
            field: "durationMs".into(),
            message: format!("{over}; durationMs {fit} ms or less would fit"),
        });
    }
    Err(Error::OverBudget {
        field: "cpuRounds".into(),
        message: format!(
            "{over}: the async loop alone must compute every request's {} rounds one after another; \
             fewer cpuRounds or a lower ratePerSec would fit",
            thousands(options.cpu_rounds)
        ),
    })
}

/// The field a refusal names, by the cost that dominates.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Knob {
    Size,
    Tasks,
    LatencyTenths,
    /// `stepMs` in tenths of a ms: the counter's waits.
    StepTenths,
    CpuRounds,
    YieldEvery,
    Workers,
}

fn knob_for(spec: &Spec, part: Part) -> Knob {
    match (part, spec.workload) {
        (Part::Compute, _) => match spec.workload.kernel().heavy_field() {
            "tasks" => Knob::Tasks,
            "cpuRounds" => Knob::CpuRounds,
            _ => Knob::Size,
        },
        (Part::Waits, _) if spec.workload.kernel().io_bound() => Knob::LatencyTenths,
        (Part::Waits, _) => Knob::StepTenths,
        (Part::Yields, _) => Knob::YieldEvery,
        (Part::Setup, _) => Knob::Workers,
    }
}

impl Knob {
    const ALL: [Knob; 7] = [
        Knob::Size,
        Knob::Tasks,
        Knob::LatencyTenths,
        Knob::StepTenths,
        Knob::CpuRounds,
        Knob::YieldEvery,
        Knob::Workers,
    ];

    fn field(self) -> &'static str {
        match self {
            Knob::Size => "size",
            Knob::Tasks => "tasks",
            Knob::LatencyTenths => "latencyMs",
            Knob::StepTenths => "stepMs",
            Knob::CpuRounds => "cpuRounds",
            Knob::YieldEvery => "yieldEvery",
            Knob::Workers => "workers",
        }
    }

    fn show(self, value: u32) -> String {
        match self {
            Knob::LatencyTenths | Knob::StepTenths => format!("{}", f64::from(value) / 10.0),
            _ => thousands(value),
        }
    }

    /// The values the search may try, cheapest first, ending at the spec's own; every one of
    /// them makes a spec `normalize` accepts.
    fn range(self, spec: &Spec) -> (u32, u32) {
        match self {
            Knob::Size => (spec.workload.kernel().size().min, spec.size),
            Knob::Tasks => (1, spec.tasks),
            // latencyMs in tenths of a ms, never below jitterMs.
            Knob::LatencyTenths => (
                (spec.jitter_ms * 10.0).ceil() as u32,
                (spec.latency_ms * 10.0).floor() as u32,
            ),
            Knob::StepTenths => (0, (spec.step_ms * 10.0).floor() as u32),
            Knob::CpuRounds => (0, spec.cpu_rounds),
            Knob::Workers => (1, spec.workers),
            Knob::YieldEvery => (1_000_000_000, spec.yield_every),
        }
    }

    fn apply(self, spec: &Spec, value: u32) -> Spec {
        let mut s = spec.clone();
        match self {
            Knob::Size => {
                s.size = value;
                match spec.workload.kernel().split() {
                    Split::OnePerUnit => s.tasks = value,
                    Split::Units => s.tasks = s.tasks.min(value),
                    Split::Shares => {}
                }
            }
            Knob::Tasks => s.tasks = value,
            Knob::LatencyTenths => s.latency_ms = f64::from(value) / 10.0,
            Knob::StepTenths => s.step_ms = f64::from(value) / 10.0,
            Knob::CpuRounds => s.cpu_rounds = value,
            Knob::Workers => s.workers = value,
            Knob::YieldEvery => s.yield_every = value,
        }
        s
    }

    /// The value nearest the spec's own that fits (largest for every field but `yieldEvery`,
    /// whose cost falls as it grows: there the smallest), by bisection; `None` if even the
    /// cheapest does not.
    fn best(self, spec: &Spec, fits: &impl Fn(&Spec) -> bool) -> Option<u32> {
        let (cheapest, own) = self.range(spec);
        if !fits(&self.apply(spec, cheapest)) {
            return None;
        }
        // Invariant: `good` fits, `bad` does not (the spec itself is over the budget).
        let (mut good, mut bad) = (cheapest, own);
        while good.abs_diff(bad) > 1 {
            let mid = (u64::from(good) + u64::from(bad)) / 2;
            let mid = mid as u32;
            if fits(&self.apply(spec, mid)) {
                good = mid;
            } else {
                bad = mid;
            }
        }
        Some(good)
    }
}

/// When no value of the field fits: the slowest lanes to leave out until the rest would.
fn lanes_to_drop(estimate: &Estimate, budget_ms: f64) -> String {
    let mut by_time = estimate.lanes.clone();
    by_time.sort_by(|a, b| b.ms.total_cmp(&a.ms));
    let mut total = estimate.total_ms;
    let mut dropped = Vec::new();
    for l in &by_time[..by_time.len() - 1] {
        dropped.push(l.lane.name());
        total -= l.ms;
        if total <= budget_ms {
            return format!("leave out {}", dropped.join(" and "));
        }
    }
    let last = by_time[by_time.len() - 1];
    format!(
        "{} alone would take {}",
        last.lane.name(),
        duration(last.ms)
    )
}

/// A duration as a person reads it: `850 ms`, `12.5 s`, `4.2 min`.
fn duration(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else if ms < 60_000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        let min = format!("{:.1}", ms / 60_000.0);
        format!("{} min", min.strip_suffix(".0").unwrap_or(&min))
    }
}

/// `9000000` as `9,000,000`.
fn thousands(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::spec::{Defaults, RawSpec, RawValue, Workload};
    use proptest::prelude::*;

    /// The reference machine class: 2 cores, as fast as the constants say.
    const TWO: Machine = Machine {
        cores: 2,
        speed: 1.0,
        memory: 1.0,
        pipes: true,
    };

    /// A spec as the page normalises it on a machine with `cores` cores offering every lane.
    fn spec_on(cores: u32, fields: &[(&str, RawValue)]) -> Spec {
        fields
            .iter()
            .fold(RawSpec::default(), |r, (k, v)| r.with(k, v.clone()))
            .normalize(&Defaults {
                workers: cores,
                lanes: Lane::ALL.to_vec(),
            })
            .unwrap()
    }

    fn spec(fields: &[(&str, RawValue)]) -> Spec {
        spec_on(2, fields)
    }

    fn text(s: &str) -> RawValue {
        RawValue::Text(s.into())
    }

    fn num(n: f64) -> RawValue {
        RawValue::Number(n)
    }

    fn lanes(names: &[&str]) -> RawValue {
        RawValue::List(names.iter().map(|n| text(n)).collect())
    }

    /// The field a refusal names and the first value it suggests.
    fn refusal(spec: &Spec) -> (String, String, f64) {
        let Err(Error::OverBudget { field, message }) = check(spec, TWO) else {
            panic!("{spec:?} was accepted: {:?}", estimate(spec, TWO));
        };
        let value = message
            .split(['≤', '≥'])
            .nth(1)
            .and_then(|rest| rest.split(" would fit").next())
            .unwrap_or_else(|| panic!("no suggestion in {message}"))
            .trim()
            .replace(',', "");
        (field, message, value.parse().unwrap())
    }

    fn fits(spec: &Spec) -> bool {
        check(spec, TWO).is_ok()
    }

    #[test]
    fn a_big_share_read_by_many_tasks_is_refused_on_tasks() {
        let s = spec(&[
            ("workload", text("share")),
            ("size", num(256.0)),
            ("tasks", num(10_000.0)),
        ]);
        let (field, message, tasks) = refusal(&s);
        assert_eq!(field, "tasks", "{message}");
        assert!(
            message.contains("sequential") && message.contains("3 min"),
            "{message}"
        );
        let with = |t: f64| Spec {
            tasks: t as u32,
            ..s.clone()
        };
        assert!(fits(&with(tasks)), "{message}");
        assert!(!fits(&with(tasks + 1.0)), "{message}");
    }

    #[test]
    fn yielding_every_number_of_big_primes_is_refused_on_yield_every() {
        let s = spec(&[
            ("workload", text("primes")),
            ("size", num(20_000_000.0)),
            ("lanes", lanes(&["async"])),
            ("yieldEvery", num(1.0)),
        ]);
        let (field, message, every) = refusal(&s);
        assert_eq!(field, "yieldEvery", "{message}");
        assert!(message.contains("≥"), "{message}");
        let with = |y: f64| Spec {
            yield_every: y as u32,
            ..s.clone()
        };
        assert!(fits(&with(every)), "{message}");
        assert!(!fits(&with(every - 1.0)), "{message}");
    }

    #[test]
    fn many_slow_requests_on_one_worker_are_refused_on_latency_or_size() {
        let s = spec(&[
            ("workload", text("io")),
            ("size", num(20_000.0)),
            ("latencyMs", num(15.0)),
            ("workers", num(1.0)),
        ]);
        let (field, message, latency) = refusal(&s);
        assert_eq!(field, "latencyMs", "{message}");
        let with = |ms: f64| Spec {
            latency_ms: ms,
            ..s.clone()
        };
        assert!(fits(&with(latency)), "{message}");
        assert!(!fits(&with(latency + 0.1)), "{message}");
        let size: u32 = message
            .rsplit("size ≤ ")
            .next()
            .unwrap()
            .replace(',', "")
            .parse()
            .unwrap();
        let with = |n: u32| Spec {
            size: n,
            tasks: n,
            ..s.clone()
        };
        assert!(fits(&with(size)) && !fits(&with(size + 1)), "{message}");
    }

    #[test]
    fn every_workload_s_defaults_fit_on_every_lane() {
        // 16: the share buffer's copies cap the workers at 1024 MB / 64 MB.
        for cores in [1, 2, 4, 8, 16] {
            for w in Workload::ALL {
                let s = spec_on(cores, &[("workload", text(w.name()))]);
                assert!(
                    check(&s, Machine::reference(cores)).is_ok(),
                    "{w:?} on {cores}: {:?}",
                    check(&s, Machine::reference(cores))
                );
            }
        }
    }

    #[test]
    fn the_page_s_presets_and_the_bench_s_specs_fit() {
        let all = Lane::ALL.map(Lane::name);
        let three = ["sequential", "threads", "processes"];
        for (fields, chosen) in [
            (
                vec![
                    ("workload", text("primes")),
                    ("size", num(5e6)),
                    ("workers", num(2.0)),
                ],
                &all[..],
            ),
            (
                vec![
                    ("workload", text("io")),
                    ("size", num(2000.0)),
                    ("latencyMs", num(100.0)),
                ],
                &["async"][..],
            ),
            (
                vec![
                    ("workload", text("io")),
                    ("size", num(40.0)),
                    ("latencyMs", num(100.0)),
                ],
                &all[..],
            ),
            (
                vec![("workload", text("mandelbrot")), ("size", num(800.0))],
                &three[..],
            ),
            (
                vec![("workload", text("hash")), ("size", num(20_000.0))],
                &three[..],
            ),
            (
                vec![("workload", text("share")), ("size", num(64.0))],
                &three[..],
            ),
            (
                vec![
                    ("workload", text("io")),
                    ("size", num(8.0)),
                    ("latencyMs", num(20.0)),
                    ("jitterMs", num(2.0)),
                    ("workers", num(8.0)),
                ],
                &all[..],
            ),
            (
                vec![
                    ("workload", text("io")),
                    ("size", num(200.0)),
                    ("latencyMs", num(25.0)),
                    ("jitterMs", num(5.0)),
                    ("workers", num(4.0)),
                ],
                &all[..],
            ),
        ] {
            let mut fields = fields;
            fields.push(("lanes", lanes(chosen)));
            let s = spec(&fields);
            assert!(check(&s, TWO).is_ok(), "{s:?}: {:?}", check(&s, TWO));
        }
    }

    #[test]
    fn chunks_carry_enough_work_and_never_more_than_pool_map_s() {
        let chunk = |fields: &[(&str, RawValue)]| chunk_size(&spec(fields));
        // Heavy tasks (13 ms each): one a message, so uneven ones balance.
        assert_eq!(
            chunk(&[("workload", text("primes")), ("size", num(5e6))]),
            1
        );
        // 4096 trivial tasks: Pool.map's chunks (4096 / (4 × 2)).
        let trivial = [
            ("workload", text("hash")),
            ("size", num(1.0)),
            ("tasks", num(4096.0)),
        ];
        assert_eq!(chunk(&trivial), 512);
        // Mandelbrot rows of 800 pixels (0.18 ms): about 6 ms a message.
        let rows = chunk(&[("workload", text("mandelbrot")), ("size", num(800.0))]);
        assert!((30..=36).contains(&rows), "{rows}");
        // Requests that wait 100 ms: one a message.
        assert_eq!(chunk(&[("workload", text("io")), ("size", num(40.0))]), 1);
        // Given: as given, at most the tasks.
        let given = |n: f64| {
            chunk(&[
                ("workload", text("primes")),
                ("tasks", num(64.0)),
                ("chunk", num(n)),
            ])
        };
        assert_eq!((given(1.0), given(8.0), given(500.0)), (1, 8, 64));
    }

    #[test]
    fn a_slower_machine_gets_longer_estimates_but_the_same_waits() {
        let cpu = spec(&[("workload", text("primes")), ("size", num(5e6))]);
        let io = spec(&[
            ("workload", text("io")),
            ("size", num(40.0)),
            ("latencyMs", num(100.0)),
            ("lanes", lanes(&["sequential"])),
        ]);
        let slow = Machine { speed: 2.0, ..TWO };
        for (fast, slow) in estimate(&cpu, TWO)
            .lanes
            .iter()
            .zip(estimate(&cpu, slow).lanes)
        {
            assert!(
                (slow.wall_ms / fast.wall_ms - 2.0).abs() < 0.01,
                "{fast:?} {slow:?}"
            );
        }
        let (fast, slow) = (estimate(&io, TWO).lanes[0], estimate(&io, slow).lanes[0]);
        assert!(slow.wall_ms - fast.wall_ms < 10.0, "{fast:?} {slow:?}");
    }

    #[test]
    fn pipes_cheapen_messages_but_not_an_images() {
        let by_message = Machine {
            pipes: false,
            ..TWO
        };
        let processes = |fields: &[(&str, RawValue)], machine: Machine| {
            let mut fields = fields.to_vec();
            fields.push(("lanes", lanes(&["processes"])));
            estimate(&spec(&fields), machine).lanes[0].wall_ms
        };
        // 4096 trivial tasks one a message: the messages are the run.
        let trivial = [
            ("workload", text("hash")),
            ("size", num(1.0)),
            ("tasks", num(4096.0)),
            ("chunk", num(1.0)),
        ];
        let (piped, sent) = (processes(&trivial, TWO), processes(&trivial, by_message));
        let ratio = PIPE_MS / MESSAGE_MS;
        assert!(piped < sent * ratio * 1.5, "{piped} against {sent}");
        // Mandelbrot's rows go by message either way: their answers carry pixels.
        let image = [
            ("workload", text("mandelbrot")),
            ("size", num(800.0)),
            ("chunk", num(1.0)),
        ];
        assert_eq!(processes(&image, TWO), processes(&image, by_message));
    }

    #[test]
    fn calibration_times_the_primes_kernel() {
        let speed = calibrate(crate::trace::now_ms);
        // Natively, in release: faster than Chromium's wasm, and never 0 or absurd.
        assert!((0.25..=8.0).contains(&speed), "{speed}");
        let frozen = calibrate(|| 5.0);
        assert_eq!(frozen, 0.25, "a clock that stands still is clamped");
    }

    #[test]
    fn memory_calibration_times_a_scan_past_the_cache() {
        let speed = calibrate(crate::trace::now_ms);
        let memory = calibrate_memory(crate::trace::now_ms, speed);
        assert!((0.0..=4.0).contains(&memory), "{memory}");
        assert_eq!(
            calibrate_memory(|| 5.0, speed),
            0.0,
            "a clock that stands still is clamped"
        );
    }

    #[test]
    fn memory_scales_the_misses_of_a_big_scan_alone() {
        let on = |lane: &str, fields: &[(&str, RawValue)], machine: Machine| {
            let mut fields = fields.to_vec();
            fields.push(("lanes", lanes(&[lane])));
            estimate(&spec(&fields), machine).lanes[0].wall_ms
        };
        let sequential = |fields: &[(&str, RawValue)], machine| on("sequential", fields, machine);
        let share = |mb: f64| [("workload", text("share")), ("size", num(mb))];
        let primes = [("workload", text("primes")), ("size", num(2_000_000.0))];
        let hidden = Machine { memory: 0.0, ..TWO };
        let slow = Machine { memory: 2.0, ..TWO };
        // 256 MB: 6 ns a read on the reference, 2.4 of them as in the cache (the run's own
        // costs besides the reads are a few ms of seconds).
        let reference = sequential(&share(256.0), TWO);
        let ratio = |machine| sequential(&share(256.0), machine) / reference;
        assert!(
            (ratio(hidden) - 2.4 / 6.0).abs() < 0.02,
            "{}",
            ratio(hidden)
        );
        assert!(
            (ratio(slow) - (2.4 + 2.0 * 3.6) / 6.0).abs() < 0.02,
            "{}",
            ratio(slow)
        );
        assert_eq!(
            sequential(&share(8.0), hidden),
            sequential(&share(8.0), slow),
            "a buffer in the cache misses nothing"
        );
        assert_eq!(sequential(&primes, hidden), sequential(&primes, slow));
        // Two threads scanning past the cache share one memory: less than a core's worth more.
        let gain = |mb: f64| sequential(&share(mb), hidden) / on("threads", &share(mb), hidden);
        assert!(gain(16.0) > 1.6, "{}", gain(16.0));
        assert!((gain(256.0) - 1.5).abs() < 0.05, "{}", gain(256.0));
    }

    #[test]
    fn estimates_grow_with_size() {
        for w in Workload::ALL {
            let size = w.kernel().size();
            let (min, max) = (size.min, size.max);
            let mut last = vec![0.0; Lane::ALL.len()];
            for step in 0..=40u32 {
                let size = min + ((u64::from(max - min) * u64::from(step)) / 40) as u32;
                let s = spec(&[
                    ("workload", text(w.name())),
                    ("size", num(size.into())),
                    ("latencyMs", num(10.0)),
                    ("cpuRounds", num(1000.0)),
                ]);
                for (l, before) in estimate(&s, TWO).lanes.iter().zip(&mut last) {
                    assert!(
                        l.ms >= *before,
                        "{w:?} {} at size {size}: {} < {before}",
                        l.lane.name(),
                        l.ms
                    );
                    *before = l.ms;
                }
            }
        }
    }

    #[test]
    fn when_no_value_of_any_field_fits_the_slowest_lanes_are_named() {
        // Every task reading 256 MB dominates (four copies of it, made one after another, come
        // next); fewer tasks is the way in.
        let s = spec(&[
            ("workload", text("share")),
            ("size", num(256.0)),
            ("workers", num(4.0)),
            ("lanes", lanes(&["processes", "sequential"])),
        ]);
        let Err(Error::OverBudget { field, message }) = check_within(&s, TWO, 2000.0) else {
            panic!("accepted");
        };
        assert_eq!(field, "tasks", "{message}");
        assert!(message.contains("tasks ≤"), "{message}");
        let Err(e) = check_within(&s, TWO, 10.0) else {
            panic!("accepted");
        };
        assert!(e.to_string().contains("alone would take"), "{e}");
        let two = |a: f64, b: f64| Estimate {
            lanes: vec![
                LaneEstimate {
                    lane: Lane::Processes,
                    ms: a,
                    wall_ms: a,
                },
                LaneEstimate {
                    lane: Lane::Sequential,
                    ms: b,
                    wall_ms: b,
                },
            ],
            total_ms: a + b,
            budget_ms: 2000.0,
            speed: 1.0,
        };
        assert_eq!(
            lanes_to_drop(&two(5000.0, 1000.0), 2000.0),
            "leave out processes"
        );
        assert_eq!(
            lanes_to_drop(&two(5000.0, 3000.0), 2000.0),
            "sequential alone would take 3.0 s"
        );
    }

    #[test]
    fn durations_and_counts_read_as_people_write_them() {
        assert_eq!(duration(850.4), "850 ms");
        assert_eq!(duration(12_500.0), "12.5 s");
        assert_eq!(duration(252_000.0), "4.2 min");
        assert_eq!(duration(180_000.0), "3 min");
        assert_eq!(thousands(9_000_000), "9,000,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
    }

    fn any_spec() -> impl Strategy<Value = Spec> {
        (
            prop::sample::select(Workload::ALL.to_vec()),
            0.0f64..1.0,
            1u32..=10_000,
            1u32..=64,
            0.0f64..1.0,
            prop::sample::select(vec![0u32, 1, 10, 1000]),
            prop::sample::subsequence(Lane::ALL.to_vec(), 1..=5),
        )
            .prop_filter_map(
                "a spec normalize accepts",
                |(w, at, tasks, workers, latency, every, chosen)| {
                    let (min, max) = (w.kernel().size().min, w.kernel().size().max);
                    let size = min + (f64::from(max - min) * at) as u32;
                    let tasks = if w.kernel().io_bound() {
                        size
                    } else {
                        tasks.min(if w == Workload::Mandelbrot {
                            size
                        } else {
                            tasks
                        })
                    };
                    RawSpec::default()
                        .with("workload", text(w.name()))
                        .with("size", num(size.into()))
                        .with("tasks", num(tasks.into()))
                        .with("workers", num(workers.into()))
                        .with("latencyMs", num((latency * 100.0).round()))
                        .with("yieldEvery", num(every.into()))
                        .with(
                            "lanes",
                            RawValue::List(chosen.iter().map(|l| text(l.name())).collect()),
                        )
                        .normalize(&Defaults {
                            workers: 2,
                            lanes: Lane::ALL.to_vec(),
                        })
                        .ok()
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn a_refusal_names_a_field_whose_suggested_value_fits(s in any_spec()) {
            match check(&s, TWO) {
                Ok(e) => prop_assert!(e.total_ms <= BUDGET_MS),
                Err(Error::OverBudget { field, message }) => {
                    prop_assert!(message.contains("would fit") || message.contains("leave out"), "{}", message);
                    if message.contains("would fit") {
                        let (_, _, value) = refusal(&s);
                        let mut raw = s.to_raw();
                        for (name, v) in &mut raw.fields {
                            if *name == field {
                                *v = num(value);
                            }
                        }
                        if field == "size" && s.workload.kernel().io_bound() {
                            raw.fields.retain(|(name, _)| name != "tasks");
                        }
                        let fixed = raw.normalize(&Defaults { workers: 2, lanes: Lane::ALL.to_vec() });
                        prop_assert!(fixed.is_ok(), "{} gives {:?}", message, fixed);
                        prop_assert!(check(&fixed.unwrap(), TWO).is_ok(), "{}", message);
                    }
                }
                Err(other) => prop_assert!(false, "{}", other),
            }
        }
    }
}
