//! Serve mode natively: the blocking lanes serving seeded arrivals on real threads, checked
//! against arithmetic the lanes do not do (Little's law, counts, each request's own latency).
#![cfg(not(target_arch = "wasm32"))]

use concurrency_playground::lanes::{block_ready, ThreadSleep};
use concurrency_playground::serve::run::{serve_sequential, serve_threads, ServeOutput};
use concurrency_playground::serve::stats::{figures, nearest_rank, ServeFigures};
use concurrency_playground::serve::ServeOptions;
use concurrency_playground::spec::{Defaults, Lane, RawSpec, RawValue};
use concurrency_playground::workloads::io::latency;

fn options(fields: &[(&str, f64)]) -> ServeOptions {
    fields
        .iter()
        .fold(RawSpec::default(), |raw, (k, v)| {
            raw.with(k, RawValue::Number(*v))
        })
        .normalize_serve(&Defaults {
            workers: 2,
            lanes: Lane::ALL.to_vec(),
        })
        .unwrap()
}

fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
}

/// Checks what must hold of any lane's run, and returns its figures.
fn checked(o: &ServeOptions, out: &ServeOutput) -> ServeFigures {
    let arrivals = o.arrivals();
    let spec = o.spec(arrivals.len() as u32);
    let f = figures(&arrivals, &out.served, o.duration_ms);
    assert_eq!(f.completed + f.queued, f.offered);
    assert_eq!(f.offered as usize, arrivals.len());
    let mut seen = vec![false; arrivals.len()];
    for s in &out.served {
        let i = s.index as usize;
        assert!(!seen[i], "request {i} served twice");
        seen[i] = true;
        // Never before it arrived, never sooner than its own seeded latency.
        assert!(
            s.start >= arrivals[i] - 0.01,
            "request {i} started before it arrived"
        );
        assert!(s.end - arrivals[i] >= latency(&spec, s.index) - 0.01);
    }
    // Little's law over the lane's run: time in the system, the queued ones until the end.
    let in_system: f64 = out
        .served
        .iter()
        .map(|s| s.end - arrivals[s.index as usize])
        .sum::<f64>()
        + (0..arrivals.len())
            .filter(|&i| !seen[i])
            .map(|i| f.ended_ms - arrivals[i])
            .sum::<f64>();
    let little = in_system / f.ended_ms;
    assert!(
        (f.mean_in_system - little).abs() <= 1e-6 * little.max(1.0),
        "L = {} but λW = {little}",
        f.mean_in_system
    );
    let mut lat: Vec<f64> = out
        .served
        .iter()
        .map(|s| s.end - arrivals[s.index as usize])
        .collect();
    lat.sort_by(f64::total_cmp);
    assert_eq!(f.p99_ms, nearest_rank(&lat, 0.99));
    f
}

#[test]
fn slow_io_above_capacity_threads_cap_at_workers_over_latency_and_queue() {
    // 200 requests a second of 50 ms each on 2 threads: they can serve 40 a second.
    let o = options(&[
        ("ratePerSec", 200.0),
        ("durationMs", 1000.0),
        ("latencyMs", 50.0),
        ("jitterMs", 0.0),
        ("cpuRounds", 0.0),
        ("workers", 2.0),
    ]);
    let out = pool(2).install(|| serve_threads(&o, false)).unwrap();
    let f = checked(&o, &out);
    assert!(
        (30.0..=42.0).contains(&f.completed_per_sec),
        "{} a second",
        f.completed_per_sec
    );
    assert!(
        f.queued > f.offered / 2,
        "{} of {} queued",
        f.queued,
        f.offered
    );
    assert!(
        f.p99_ms > 400.0,
        "the queue's wait is in the latency: p99 {}",
        f.p99_ms
    );
    assert!(out.stack_bytes.is_some());
}

#[test]
fn under_capacity_every_blocking_lane_answers_near_the_latency() {
    let o = options(&[
        ("ratePerSec", 20.0),
        ("durationMs", 1000.0),
        ("latencyMs", 20.0),
        ("jitterMs", 2.0),
        ("cpuRounds", 100.0),
        ("workers", 4.0),
    ]);
    let seq = block_ready(serve_sequential::<ThreadSleep>(&o)).unwrap();
    let thr = pool(4).install(|| serve_threads(&o, false)).unwrap();
    let gil = pool(4).install(|| serve_threads(&o, true)).unwrap();
    for (lane, out) in [("threads", &thr), ("gil", &gil)] {
        let f = checked(&o, out);
        assert_eq!(f.queued, 0, "{lane}");
        assert!(f.p50_ms < 40.0, "{lane}: p50 {}", f.p50_ms);
    }
    // One worker: 20 a second of 20 ms is 40 % busy, and the queue stays short.
    let f = checked(&o, &seq);
    assert!(f.completed >= f.offered - 1, "{f:?}");
}

#[test]
fn the_budget_refuses_by_the_field_that_takes_the_time() {
    use concurrency_playground::budget::{check_serve, Machine};
    let machine = Machine::reference(2);
    // Ten seconds of slow I/O on five lanes: a minute, within the budget.
    assert!(check_serve(
        &options(&[("durationMs", 10_000.0), ("latencyMs", 100.0)]),
        machine
    )
    .is_ok());
    // A minute on five lanes is five minutes: a shorter duration would fit, and is named.
    let long = options(&[("durationMs", 60_000.0), ("ratePerSec", 10.0)]);
    let e = check_serve(&long, machine).unwrap_err();
    assert_eq!(e.field_name(), Some("durationMs"), "{e}");
    // The async loop computing 20,000 heavy requests one after another: no duration fits.
    let heavy = options(&[
        ("durationMs", 1_000.0),
        ("ratePerSec", 20_000.0),
        ("cpuRounds", 1_000_000.0),
    ]);
    let e = check_serve(&heavy, machine).unwrap_err();
    assert_eq!(e.field_name(), Some("cpuRounds"), "{e}");
}

#[test]
fn under_the_gil_no_thread_is_shut_out_by_one_that_lets_go_and_takes_it_back() {
    // More requests than one core serves, each with no real wait and about a millisecond of CPU:
    // a thread that ends a request lets the GIL go and, the next request being there already,
    // asks for it straight back. The other thread must still get its turns (CPython 3.11, two
    // threads each sleeping 0 s then computing 1-3 ms: 110-175 ms at most without a turn).
    let o = options(&[
        ("ratePerSec", 4000.0),
        ("durationMs", 1000.0),
        ("latencyMs", 0.0),
        ("jitterMs", 0.0),
        ("cpuRounds", 3000.0),
        ("workers", 2.0),
    ]);
    let out = pool(2).install(|| serve_threads(&o, true)).unwrap();
    checked(&o, &out);
    let longest = out
        .served
        .iter()
        .map(|s| s.end - s.start)
        .fold(0.0, f64::max);
    assert!(
        longest < 100.0,
        "a request held a thread {longest:.1} ms (switch interval 5 ms)"
    );
}
