//! The lanes natively: every lane folds to the same checksum, and blocking waits are bounded by
//! the thread count. (The same lanes run in a real browser in `web.rs`.)
#![cfg(not(target_arch = "wasm32"))]

use concurrency_playground::lanes::{block_ready, cooperative, sequential, threads, ThreadSleep};
use concurrency_playground::spec::{Defaults, Lane, RawSpec, RawValue, Spec};
use concurrency_playground::trace::{Phase, STRIDE};
use concurrency_playground::workloads::{counter, format_checksum, share};

fn spec(fields: &[(&str, RawValue)]) -> Spec {
    fields
        .iter()
        .fold(RawSpec::default(), |r, (k, v)| r.with(k, v.clone()))
        .normalize(&Defaults {
            workers: 2,
            lanes: vec![Lane::Sequential, Lane::Threads],
        })
        .unwrap()
}

fn text(s: &str) -> RawValue {
    RawValue::Text(s.into())
}

fn num(n: f64) -> RawValue {
    RawValue::Number(n)
}

fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
}

#[test]
fn threads_and_sequential_agree_on_every_workload() {
    let data = share::buffer(2, 1);
    for (w, size) in [
        ("primes", 200_000.0),
        ("mandelbrot", 96.0),
        ("hash", 300.0),
        ("share", 2.0),
        ("mixed", 12.0),
    ] {
        let s = spec(&[
            ("workload", text(w)),
            ("size", num(size)),
            ("latencyMs", num(1.0)),
        ]);
        let seq = block_ready(sequential::run::<ThreadSleep>(&s, &data)).unwrap();
        let thr = pool(3).install(|| threads::run(&s, &data, false)).unwrap();
        let gil = pool(3).install(|| threads::run(&s, &data, true)).unwrap();
        let coop = block_ready(cooperative::run::<ThreadSleep>(&s, &data)).unwrap();
        assert_eq!(seq.sum, thr.sum, "{w}");
        assert_eq!(seq.sum, gil.sum, "{w}");
        assert_eq!(seq.sum, coop.sum, "{w}");
        // Tasks' slivers may merge into fewer events; the compute total keeps them all.
        assert!(!seq.trace.is_empty(), "{w}: events recorded");
        let totals = seq.trace.totals();
        assert!(
            totals.chunks(3).any(|t| t[1] == 1.0 && t[2] > 0.0),
            "{w}: compute total {totals:?}"
        );
    }
}

#[test]
fn primes_checksum_is_the_count() {
    let s = spec(&[("size", num(1_000_000.0))]);
    let out = pool(2).install(|| threads::run(&s, &[], false)).unwrap();
    assert_eq!(format_checksum(s.workload, out.sum), "78498");
}

#[test]
fn threads_use_every_thread_and_rows_name_them() {
    let s = spec(&[("size", num(2_000_000.0)), ("tasks", num(64.0))]);
    let out = pool(2).install(|| threads::run(&s, &[], false)).unwrap();
    let rows: std::collections::BTreeSet<u64> = out
        .trace
        .events()
        .chunks(STRIDE)
        .map(|e| e[0] as u64)
        .collect();
    assert_eq!(rows.into_iter().collect::<Vec<_>>(), vec![0, 1]);
}

#[test]
fn with_more_threads_than_tasks_each_task_runs_once() {
    // The pool's threads take indices from one counter: 64 threads, 40 requests.
    let s = spec(&[
        ("workload", text("io")),
        ("size", num(40.0)),
        ("latencyMs", num(1.0)),
        ("workers", num(64.0)),
    ]);
    let out = pool(64).install(|| threads::run(&s, &[], false)).unwrap();
    let mut waited: Vec<u64> = out
        .trace
        .events()
        .chunks(STRIDE)
        .filter(|e| e[2] == Phase::Wait as u8 as f64)
        .map(|e| e[1] as u64)
        .collect();
    waited.sort_unstable();
    assert_eq!(waited, (0..40).collect::<Vec<_>>());
}

#[test]
fn blocking_waits_are_capped_by_the_thread_count() {
    // 8 requests of 20 ms on 2 threads: four rounds of waiting, not one.
    let s = spec(&[
        ("workload", text("io")),
        ("size", num(8.0)),
        ("latencyMs", num(20.0)),
    ]);
    let start = std::time::Instant::now();
    let out = pool(2).install(|| threads::run(&s, &[], false)).unwrap();
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    assert!(ms >= 78.0, "{ms} ms: more than two requests waited at once");
    let waits = out
        .trace
        .events()
        .chunks(STRIDE)
        .filter(|e| e[2] == Phase::Wait as u8 as f64)
        .count();
    assert_eq!(waits, 8);
}

fn spans(trace: &concurrency_playground::trace::Trace, phase: Phase) -> Vec<(u32, f64, f64)> {
    trace
        .events()
        .chunks(STRIDE)
        .filter(|e| e[2] == phase as u8 as f64)
        .map(|e| (e[0] as u32, e[3], e[4]))
        .collect()
}

#[test]
fn under_the_gil_no_two_threads_compute_at_once() {
    let s = spec(&[
        ("size", num(3_000_000.0)),
        ("tasks", num(16.0)),
        ("gilSwitchMs", num(2.0)),
    ]);
    let out = pool(3).install(|| threads::run(&s, &[], true)).unwrap();
    let mut compute = spans(&out.trace, Phase::Compute);
    compute.sort_by(|a, b| a.1.total_cmp(&b.1));
    for pair in compute.windows(2) {
        // The clock has microsecond resolution; a hand-over takes longer than that.
        assert!(pair[1].1 >= pair[0].2 - 0.01, "overlap: {pair:?}");
    }
    let rows: std::collections::BTreeSet<u32> = compute.iter().map(|c| c.0).collect();
    assert!(
        rows.len() >= 2,
        "the lock changed hands between threads: {rows:?}"
    );
    assert!(!spans(&out.trace, Phase::GilWait).is_empty());
}

#[test]
fn the_gil_is_released_for_blocking_waits() {
    // 8 requests of 40 ms on 4 threads: with the GIL released while waiting, two rounds (~80 ms),
    // not eight (~320 ms).
    let s = spec(&[
        ("workload", text("io")),
        ("size", num(8.0)),
        ("latencyMs", num(40.0)),
    ]);
    let start = std::time::Instant::now();
    pool(4).install(|| threads::run(&s, &[], true)).unwrap();
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    assert!((78.0..250.0).contains(&ms), "{ms} ms");
}

/// Every lane on a counter spec: what each counted, natively.
fn counted_by_lane(s: &Spec) -> [(&'static str, u64); 4] {
    let _counter = counter::EXCLUSIVE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let seq = block_ready(sequential::run::<ThreadSleep>(s, &[])).unwrap();
    let thr = pool(2).install(|| threads::run(s, &[], false)).unwrap();
    let gil = pool(2).install(|| threads::run(s, &[], true)).unwrap();
    let coop = block_ready(cooperative::run::<ThreadSleep>(s, &[])).unwrap();
    [
        ("sequential", seq.answer()),
        ("threads", thr.answer()),
        ("gil", gil.answer()),
        ("async", coop.answer()),
    ]
}

fn counter_spec(sync: &str, size: f64, tasks: f64, step_ms: f64) -> Spec {
    spec(&[
        ("workload", text("counter")),
        ("size", num(size)),
        ("tasks", num(tasks)),
        ("workers", num(2.0)),
        ("sync", text(sync)),
        ("stepMs", num(step_ms)),
    ])
}

#[test]
fn a_lock_an_atomic_add_or_counts_summed_once_count_every_update_on_every_lane() {
    for round in 0..5 {
        for sync in ["lock", "atomic", "partial"] {
            let s = counter_spec(sync, 20_000.0, 8.0, 0.0);
            for (lane, counted) in counted_by_lane(&s) {
                assert_eq!(counted, 160_000, "{sync} on {lane}, round {round}");
            }
        }
    }
}

#[test]
fn unsynchronised_threads_lose_updates_and_the_others_do_not() {
    // Two threads each updating a million times race on real cores: whenever they overlap they
    // lose updates (a few runs here lost 30–60 % of them). On a busy machine one thread can finish
    // before the other is scheduled, so the race gets several tries; the other lanes must be
    // exact every time.
    let s = counter_spec("none", 1_000_000.0, 2.0, 0.0);
    let mut fewest = u64::MAX;
    for _ in 0..10 {
        let by = counted_by_lane(&s);
        fewest = fewest.min(by[1].1);
        // One thread at a time, and nothing between a read and its write: nothing lost.
        for (lane, counted) in [by[0], by[2], by[3]] {
            assert_eq!(counted, 2_000_000, "{lane}");
        }
        if fewest < 2_000_000 {
            break;
        }
    }
    assert!(
        fewest < 2_000_000,
        "threads never lost an update in 10 runs"
    );
}

#[test]
fn a_wait_between_read_and_write_makes_gil_threads_lose_updates() {
    // Each update waits 1 ms between its read and its write, the GIL let go meanwhile: the other
    // thread updates in between. (Natively the async lane's waits block its one thread, so it
    // cannot show its own losses here: the browser tests do, crate/tests/web.rs.)
    let s = counter_spec("none", 20.0, 4.0, 1.0);
    let by = counted_by_lane(&s);
    assert_eq!(by[0].1, 80, "sequential still counts all");
    assert!(by[2].1 < 80, "gil counted {} of 80", by[2].1);
    let locked = counter_spec("lock", 20.0, 4.0, 1.0);
    for (lane, counted) in counted_by_lane(&locked) {
        assert_eq!(counted, 80, "{lane} with a lock");
    }
}
