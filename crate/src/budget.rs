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
//! For a spec the model first adds up, on one core: `C` the kernels' compute (plus each task's
//! own overhead in the processes and async lanes), `T` the heaviest single task, `W` the sum of
//! the simulated waits (each one a little late: [`TIMER_LATE_MS`]), `Y` the async lane's yields,
//! and `S` a lane's set-up (worker or pool start, warm-up runs, making the `share` buffer). With `w = min(workers, tasks)` threads or processes and `p = min(w, cores)` of them
//! computing at once, a lane takes:
//!
//! | lane | wall time |
//! | --- | --- |
//! | sequential | `C + W + S` |
//! | threads | `max((C + W) / w, C / p, T) + S` |
//! | gil | `max((C + W) / w, C × GIL_OVERHEAD, T) + S`: waits overlap, compute is serialised |
//! | processes | as threads, with [`PROCESS_TASK_MS`] a task in `C`, plus the `share` copies |
//! | async | `max(longest wait, shortest wait + C) + Y + S`: every wait overlaps, compute does not |
//!
//! The constants are browser figures from the README's Performance section (Chromium 156
//! headless, 2 cores: the machine class the budget is for) where it has them, cross-checked
//! against native release-mode runs of the same kernels on the same machine; wasm runs these
//! kernels at about native speed (`wasmOverNative` ≈ 1.0–1.2), except SHA-256 (see
//! [`HASH_NS_PER_ROUND`]). A slower machine takes longer than estimated; the budget leaves room:
//! the README promises "a few minutes" and the budget is three.

use crate::error::Error;
use crate::spec::{Lane, Spec, Workload};
use crate::workloads::{io, share, split};

/// The longest a run may take, all its chosen lanes together (they run one after another).
pub const BUDGET_MS: f64 = 180_000.0;

/// Primes, the linear part of the cumulative cost `F(n)` of testing every number below `n`:
/// the loop, the even test and the first few divisors, which end most composites.
///
/// `F(n) = PRIMES_NS_PER_NUMBER · n + PRIMES_NS_PER_DIVISION_TERM · n^1.5 / ln n`: a prime `p`
/// costs `√p / 2` trial divisions and primes have density `1 / ln n`, so the tail grows as
/// `n^1.5 / ln n` and the cost per number grows with the size. Fitted natively (release, this
/// machine): 1M 51 ms, 2M 133 ms, 5M 477 ms, 10M 1267 ms, 20M 3421 ms gave 6.4 ns and 0.62 ns
/// (within 3% at every size); both scaled by 1.16 so that 5M is the 559 ms Chromium measured
/// (and 2M 155 ms against Chromium's 160 ms).
const PRIMES_NS_PER_NUMBER: f64 = 7.4;
/// Primes, the trial-division tail of `F(n)` (see [`PRIMES_NS_PER_NUMBER`]).
const PRIMES_NS_PER_DIVISION_TERM: f64 = 0.72;
/// Mandelbrot, one pixel averaged over the image (escape loop up to `MAX_ITER`): Chromium drew
/// 800² in 111.7 ms (175 ns); natively 213–216 ns at every size from 200 to 4096, so the mean
/// does not depend on the size.
const MANDELBROT_NS_PER_PIXEL: f64 = 175.0;
/// One SHA-256 round of a 32-byte digest (hash, and the CPU step of io and mixed): Chromium did
/// 20,000 × 64 in 246.3 ms (192 ns). Natively 45.6 ns: sha2 uses the CPU's SHA extensions there,
/// wasm has none, so here the browser figure is the only one that counts.
pub const HASH_NS_PER_ROUND: f64 = 192.0;
/// Share, one strided byte read (every 61st byte, so nearly every read misses the cache):
/// Chromium scanned 64 MB with 64 tasks in 166.4 ms (2.36 ns a read); natively 1.74 ns.
const SHARE_NS_PER_READ: f64 = 2.4;
/// Making the `share` buffer (xorshift, 8 bytes a step): natively 0.51–0.57 ms per MB.
const SHARE_BUILD_MS_PER_MB: f64 = 0.6;
/// Copying the `share` buffer into one process (structured clone, then into its wasm memory):
/// Chromium spent 271 ms on 2 copies of 64 MB, and the lane took ~210 ms beyond its compute.
const SHARE_COPY_MS_PER_MB: f64 = 2.0;
/// Starting one worker (script, instantiate the compiled module): the bench's cold processes
/// lane started 2 at once in 32 ms (target ≤ 30 ms a spawn). Starts share the cores.
const SPAWN_MS: f64 = 30.0;
/// Starting the lab worker and its rayon pool: the bench's target, an upper bound.
const THREAD_POOL_START_MS: f64 = 300.0;
/// The processes lane's own cost per task (a message there, the result back, the page's queue):
/// the bench's processes lane took 0.15–0.6 ms a task longer than threads per process (primes
/// 5M: +20 ms over 32 tasks a process, io 40: +10 over 20, mandelbrot 800: +61 over 400).
const PROCESS_TASK_MS: f64 = 0.3;
/// The async lane's own cost per task (a future, its timer, its wake-up): io 2000 × 100 ms took
/// 127.6 ms in Chromium, 27.6 ms beyond the wait, of which 6 ms were the requests' rounds.
const ASYNC_TASK_MS: f64 = 0.011;
/// One yield to the event loop (a MessageChannel round trip): Chromium's async lane took 181.1 ms
/// with `yieldEvery: 1000` against 160.2 ms sequential for primes 2M, ~1,980 yields: 10.5 µs.
const YIELD_MS: f64 = 0.0105;
/// How late a blocking wait ends (timer granularity): io 40 × 100 ms took 4028.9 ms sequential
/// (0.72 ms a wait) and 2010.7 ms on 2 threads (0.53).
const TIMER_LATE_MS: f64 = 0.7;
/// Compute under the GIL against sequential: primes 5M took 585.4 ms against 558.9 ms.
const GIL_OVERHEAD: f64 = 1.05;
/// Untimed warm-up runs before a workload's first timed run (`warmUp` in
/// www/src/lanes/common.ts runs until two runs take about as long, at most 6; usually 2 or 3).
const WARMUP_RUNS: f64 = 3.0;

/// What the estimate says about one spec: each chosen lane's wall time, in the spec's order.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    pub lanes: Vec<LaneEstimate>,
    pub total_ms: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LaneEstimate {
    pub lane: Lane,
    /// Everything the lane takes, set-up included: what the budget counts.
    pub ms: f64,
    /// The part a lane result's `wallMs` measures: without starting workers, warm-up runs and
    /// making the `share` buffer (the processes lane's copies of it are inside).
    pub timed_ms: f64,
}

/// Estimates `spec` on a machine with `cores` logical cores and refuses it if its lanes together
/// would take longer than [`BUDGET_MS`].
///
/// # Errors
/// [`Error::OverBudget`] naming the field whose cost dominates and the value of it that would fit, or,
/// when no value of that field fits, the lanes to drop.
pub fn check(spec: &Spec, cores: u32) -> Result<Estimate, Error> {
    check_within(spec, cores, BUDGET_MS)
}

/// [`check`] against any budget (the tests use small ones to reach every message).
fn check_within(spec: &Spec, cores: u32, budget_ms: f64) -> Result<Estimate, Error> {
    let estimate = estimate(spec, cores);
    if estimate.total_ms <= budget_ms {
        return Ok(estimate);
    }
    let fits = |s: &Spec| estimate_total(s, cores, None) <= budget_ms;
    let knob = knob_for(spec, dominant(spec, cores));
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
    let message = match knob.best(spec, &fits) {
        Some(value) => {
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
            if knob == Knob::LatencyTenths {
                if let Some(size) = Knob::Size.best(spec, &fits) {
                    message += &format!(", or size ≤ {}", thousands(size));
                }
            }
            message
        }
        None => format!(
            "{over}, and no {} brings it within: {}",
            knob.field(),
            lanes_to_drop(&estimate, budget_ms)
        ),
    };
    Err(Error::OverBudget {
        field: knob.field().to_owned(),
        message,
    })
}

/// Each chosen lane's wall time for `spec` on `cores` logical cores.
pub fn estimate(spec: &Spec, cores: u32) -> Estimate {
    let work = Work::of(spec);
    let lanes: Vec<LaneEstimate> = spec
        .lanes
        .iter()
        .map(|&lane| {
            let (timed_ms, before_ms) = lane_ms(spec, cores, lane, &work, None);
            LaneEstimate {
                lane,
                ms: timed_ms + before_ms,
                timed_ms,
            }
        })
        .collect();
    let total_ms = lanes.iter().map(|l| l.ms).sum();
    Estimate { lanes, total_ms }
}

fn estimate_total(spec: &Spec, cores: u32, without: Option<Part>) -> f64 {
    let work = Work::of(spec);
    spec.lanes
        .iter()
        .map(|&lane| {
            let (timed, before) = lane_ms(spec, cores, lane, &work, without);
            timed + before
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
fn dominant(spec: &Spec, cores: u32) -> Part {
    let total = estimate_total(spec, cores, None);
    [Part::Compute, Part::Waits, Part::Yields, Part::Setup]
        .into_iter()
        .map(|part| (part, total - estimate_total(spec, cores, Some(part))))
        .fold((Part::Compute, f64::MIN), |best, next| {
            if next.1 > best.1 {
                next
            } else {
                best
            }
        })
        .0
}

/// The spec's work on one core, before any lane runs it.
struct Work {
    /// Kernel time of every task together.
    compute_ms: f64,
    /// Kernel time of the heaviest task.
    heaviest_ms: f64,
    /// Every simulated wait together, each as late as a timer ends.
    wait_ms: f64,
    longest_wait_ms: f64,
    shortest_wait_ms: f64,
    /// Yields the async lane makes: one between two slices of `yieldEvery` units.
    yields: f64,
}

impl Work {
    fn of(spec: &Spec) -> Self {
        let mut work = Work {
            compute_ms: 0.0,
            heaviest_ms: 0.0,
            wait_ms: 0.0,
            longest_wait_ms: 0.0,
            shortest_wait_ms: if spec.workload.is_io() { f64::MAX } else { 0.0 },
            yields: 0.0,
        };
        for index in 0..spec.tasks {
            let (units, ms) = task_cost(spec, index);
            work.compute_ms += ms;
            work.heaviest_ms = work.heaviest_ms.max(ms);
            if spec.yield_every > 0 && units > 0.0 {
                work.yields += (units / f64::from(spec.yield_every)).ceil() - 1.0;
            }
            if spec.workload.is_io() {
                let latency = io::latency(spec, index);
                work.wait_ms += latency + TIMER_LATE_MS;
                work.longest_wait_ms = work.longest_wait_ms.max(latency);
                work.shortest_wait_ms = work.shortest_wait_ms.min(latency);
            }
        }
        work
    }
}

/// Task `index`'s units of work (as `Task::advance` counts them) and its kernel time.
fn task_cost(spec: &Spec, index: u32) -> (f64, f64) {
    let (lo, hi) = split(spec.size, spec.tasks, index);
    let rounds = |n: f64| (n, n * HASH_NS_PER_ROUND / 1e6);
    match spec.workload {
        Workload::Primes => (
            f64::from(hi - lo),
            (primes_ns_below(hi) - primes_ns_below(lo)) / 1e6,
        ),
        Workload::Mandelbrot => {
            let pixels = f64::from(hi - lo) * f64::from(spec.size);
            (pixels, pixels * MANDELBROT_NS_PER_PIXEL / 1e6)
        }
        Workload::Hash => rounds(spec.size.into()),
        Workload::Io => rounds(io::IO_ROUNDS.into()),
        Workload::Mixed => rounds(spec.cpu_rounds.into()),
        Workload::Share => {
            let bytes = f64::from(spec.size) * 1024.0 * 1024.0;
            let first = f64::from(index % share::STRIDE as u32);
            let reads = ((bytes - first) / share::STRIDE as f64).ceil();
            (reads, reads * SHARE_NS_PER_READ / 1e6)
        }
    }
}

/// `F(n)`: nanoseconds to test every number below `n` (see [`PRIMES_NS_PER_NUMBER`]).
fn primes_ns_below(n: u32) -> f64 {
    if n < 3 {
        return 0.0;
    }
    let n = f64::from(n);
    PRIMES_NS_PER_NUMBER * n + PRIMES_NS_PER_DIVISION_TERM * n.powf(1.5) / n.ln()
}

/// One lane's timed run and what it spends before it, or what they would be without one part
/// of their cost.
fn lane_ms(spec: &Spec, cores: u32, lane: Lane, work: &Work, without: Option<Part>) -> (f64, f64) {
    let keep = |part: Part| if without == Some(part) { 0.0 } else { 1.0 };
    let (compute, waits, yields, setup) = (
        keep(Part::Compute),
        keep(Part::Waits),
        keep(Part::Yields),
        keep(Part::Setup),
    );
    let tasks = f64::from(spec.tasks);
    let c = compute * work.compute_ms;
    let w_ms = waits * work.wait_ms;
    let heaviest = compute * work.heaviest_ms + waits * work.longest_wait_ms;
    let w = f64::from(spec.workers.min(spec.tasks));
    let p = w.min(f64::from(cores.max(1)));
    let run = match lane {
        Lane::Sequential => c + w_ms,
        Lane::Threads => ((c + w_ms) / w).max(c / p).max(heaviest),
        Lane::Gil => ((c + w_ms) / w).max(c * GIL_OVERHEAD).max(heaviest),
        Lane::Processes => {
            let c = c + compute * tasks * PROCESS_TASK_MS;
            let copies = mb(spec) * f64::from(spec.workers) * SHARE_COPY_MS_PER_MB;
            ((c + w_ms) / w).max(c / p).max(heaviest) + setup * copies
        }
        Lane::Async => {
            let c = c + compute * tasks * ASYNC_TASK_MS;
            (waits * work.longest_wait_ms).max(waits * work.shortest_wait_ms + c)
                + yields * work.yields * YIELD_MS
        }
    };
    let before = if without == Some(Part::Setup) {
        0.0
    } else {
        before_ms(spec, cores, lane)
    };
    (run, before)
}

/// The `share` buffer's size in MB, 0 for the other workloads.
fn mb(spec: &Spec) -> f64 {
    if spec.workload == Workload::Share {
        f64::from(spec.size)
    } else {
        0.0
    }
}

/// What a lane spends before its timed run: starting its workers, the warm-up runs and making
/// the `share` buffer. Charged as if nothing were warm yet (a warm pool's first run starts it
/// too, and copies the buffer into each process): each lane pays its own start and warm-up, a few
/// hundred ms at most, though lanes of one run share some of them.
fn before_ms(spec: &Spec, cores: u32, lane: Lane) -> f64 {
    let small = spec.warmup();
    let (warm_up, _) = lane_ms(
        &small,
        cores,
        Lane::Sequential,
        &Work::of(&small),
        Some(Part::Setup),
    );
    let start = match lane {
        Lane::Sequential | Lane::Async => SPAWN_MS,
        Lane::Threads | Lane::Gil => THREAD_POOL_START_MS,
        Lane::Processes => SPAWN_MS * (f64::from(spec.workers) / f64::from(cores.max(1))).ceil(),
    };
    start + WARMUP_RUNS * warm_up + mb(spec) * SHARE_BUILD_MS_PER_MB
}

/// The field a refusal names, by the cost that dominates.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Knob {
    Size,
    Tasks,
    LatencyTenths,
    CpuRounds,
    YieldEvery,
    Workers,
}

fn knob_for(spec: &Spec, part: Part) -> Knob {
    match (part, spec.workload) {
        (Part::Compute, Workload::Hash | Workload::Share) => Knob::Tasks,
        (Part::Compute, Workload::Mixed) => Knob::CpuRounds,
        (Part::Compute, _) => Knob::Size,
        (Part::Waits, _) => Knob::LatencyTenths,
        (Part::Yields, _) => Knob::YieldEvery,
        (Part::Setup, _) => Knob::Workers,
    }
}

impl Knob {
    fn field(self) -> &'static str {
        match self {
            Knob::Size => "size",
            Knob::Tasks => "tasks",
            Knob::LatencyTenths => "latencyMs",
            Knob::CpuRounds => "cpuRounds",
            Knob::YieldEvery => "yieldEvery",
            Knob::Workers => "workers",
        }
    }

    fn show(self, value: u32) -> String {
        match self {
            Knob::LatencyTenths => format!("{}", f64::from(value) / 10.0),
            _ => thousands(value),
        }
    }

    /// The values the search may try, cheapest first, ending at the spec's own; every one of
    /// them makes a spec `normalize` accepts.
    fn range(self, spec: &Spec) -> (u32, u32) {
        match self {
            Knob::Size => (spec.workload.size_range().0, spec.size),
            Knob::Tasks => (1, spec.tasks),
            // latencyMs in tenths of a ms, never below jitterMs.
            Knob::LatencyTenths => (
                (spec.jitter_ms * 10.0).ceil() as u32,
                (spec.latency_ms * 10.0).floor() as u32,
            ),
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
                if spec.workload.is_io() {
                    s.tasks = value;
                } else if spec.workload == Workload::Mandelbrot {
                    s.tasks = s.tasks.min(value);
                }
            }
            Knob::Tasks => s.tasks = value,
            Knob::LatencyTenths => s.latency_ms = f64::from(value) / 10.0,
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
    use crate::spec::{Defaults, RawSpec, RawValue};
    use proptest::prelude::*;

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
        let Err(Error::OverBudget { field, message }) = check(spec, 2) else {
            panic!("{spec:?} was accepted: {:?}", estimate(spec, 2));
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
        check(spec, 2).is_ok()
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
                    check(&s, cores).is_ok(),
                    "{w:?} on {cores}: {:?}",
                    check(&s, cores)
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
            assert!(check(&s, 2).is_ok(), "{s:?}: {:?}", check(&s, 2));
        }
    }

    #[test]
    fn estimates_are_within_twice_the_bench_s_measurements() {
        // README, Performance: Chromium 156 on 2 cores, median wallMs (set-up excluded).
        let all = Lane::ALL.map(Lane::name);
        let three = ["sequential", "threads", "processes"];
        /// A spec's fields, its lanes, and their measured times in that order.
        type Case<'a> = (Vec<(&'a str, RawValue)>, &'a [&'a str], &'a [f64]);
        let cases: [Case; 7] = [
            (
                vec![("workload", text("primes")), ("size", num(5e6))],
                &all,
                &[558.9, 299.7, 585.4, 320.0, 568.9],
            ),
            (
                vec![
                    ("workload", text("io")),
                    ("size", num(2000.0)),
                    ("latencyMs", num(100.0)),
                ],
                &["async"],
                &[127.6],
            ),
            (
                vec![
                    ("workload", text("io")),
                    ("size", num(40.0)),
                    ("latencyMs", num(100.0)),
                ],
                &all,
                &[4028.9, 2010.7, 2014.8, 2020.8, 106.5],
            ),
            (
                vec![
                    ("workload", text("primes")),
                    ("size", num(2e6)),
                    ("yieldEvery", num(1000.0)),
                ],
                &["sequential", "async"],
                &[160.2, 181.1],
            ),
            (
                vec![("workload", text("share")), ("size", num(64.0))],
                &three,
                &[166.4, 100.4, 293.3],
            ),
            (
                vec![("workload", text("mandelbrot")), ("size", num(800.0))],
                &three,
                &[111.7, 62.2, 123.7],
            ),
            (
                vec![("workload", text("hash")), ("size", num(20_000.0))],
                &three,
                &[246.3, 132.8, 144.7],
            ),
        ];
        for (fields, chosen, measured) in cases {
            let mut fields = fields;
            fields.push(("lanes", lanes(chosen)));
            let s = spec(&fields);
            for (l, ms) in estimate(&s, 2).lanes.iter().zip(measured) {
                let ratio = l.timed_ms / ms;
                assert!(
                    (0.5..=2.0).contains(&ratio),
                    "{:?} {}: {} against {ms}",
                    s.workload,
                    l.lane.name(),
                    l.timed_ms
                );
            }
        }
    }

    #[test]
    fn estimates_grow_with_size() {
        for w in Workload::ALL {
            let (min, max) = w.size_range();
            let mut last = vec![0.0; Lane::ALL.len()];
            for step in 0..=40u32 {
                let size = min + ((u64::from(max - min) * u64::from(step)) / 40) as u32;
                let s = spec(&[
                    ("workload", text(w.name())),
                    ("size", num(size.into())),
                    ("latencyMs", num(10.0)),
                    ("cpuRounds", num(1000.0)),
                ]);
                for (l, before) in estimate(&s, 2).lanes.iter().zip(&mut last) {
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
    fn when_no_value_of_the_field_fits_the_slowest_lanes_are_named() {
        // Four copies of 256 MB dominate; one process still copies it once.
        let s = spec(&[
            ("workload", text("share")),
            ("size", num(256.0)),
            ("workers", num(4.0)),
            ("lanes", lanes(&["processes", "sequential"])),
        ]);
        let Err(Error::OverBudget { field, message }) = check_within(&s, 2, 2000.0) else {
            panic!("accepted");
        };
        assert_eq!(field, "workers", "{message}");
        assert!(
            message.ends_with("no workers brings it within: leave out processes"),
            "{message}"
        );
        let Err(e) = check_within(&s, 2, 10.0) else {
            panic!("accepted");
        };
        assert!(e.to_string().contains("alone would take"), "{e}");
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
                    let (min, max) = w.size_range();
                    let size = min + (f64::from(max - min) * at) as u32;
                    let tasks = if w.is_io() {
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
            match check(&s, 2) {
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
                        if field == "size" && s.workload.is_io() {
                            raw.fields.retain(|(name, _)| name != "tasks");
                        }
                        let fixed = raw.normalize(&Defaults { workers: 2, lanes: Lane::ALL.to_vec() });
                        prop_assert!(fixed.is_ok(), "{} gives {:?}", message, fixed);
                        prop_assert!(check(&fixed.unwrap(), 2).is_ok(), "{}", message);
                    }
                }
                Err(other) => prop_assert!(false, "{}", other),
            }
        }
    }
}
