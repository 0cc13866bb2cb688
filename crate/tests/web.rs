//! The lanes in a real browser, inside a dedicated worker as on the page. Runs under both builds:
//!   plain:   wasm-pack test --headless --chrome --release crate -- --test web
//!   threads: the same with --features threads and `--config .cargo/threads.toml`
//! (`npm test` runs both; see scripts/test.mjs.)
#![cfg(target_arch = "wasm32")]

use concurrency_playground::spec::{Defaults, Lane, RawSpec, RawValue, Spec};
use concurrency_playground::trace::STRIDE;
use concurrency_playground::workloads::{fold, format_checksum, run_to_end};
use js_sys::{Float64Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// A spec as the page normalises it (numbers and names only), for both builds.
fn checked(fields: &[(&str, JsValue)]) -> Spec {
    fields
        .iter()
        .fold(RawSpec::default(), |raw, (k, v)| {
            let value = match v.as_f64() {
                Some(n) => RawValue::Number(n),
                None => RawValue::Text(v.as_string().unwrap()),
            };
            raw.with(k, value)
        })
        .normalize(&Defaults {
            workers: 2,
            lanes: vec![Lane::Sequential, Lane::Threads],
        })
        .unwrap()
}

fn spec(fields: &[(&str, JsValue)]) -> JsValue {
    serde_wasm_bindgen::to_value(&checked(fields)).unwrap()
}

/// The checksum the kernels give, run to the end here: the answer every lane must give.
fn expected(spec: &Spec) -> String {
    let data = if spec.workload == concurrency_playground::spec::Workload::Share {
        concurrency_playground::workloads::share::buffer(spec.size, spec.seed)
    } else {
        Vec::new()
    };
    format_checksum(
        spec.workload,
        fold((0..spec.tasks).map(|i| run_to_end(spec, i, &data))),
    )
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &key.into()).unwrap()
}

fn now() -> f64 {
    concurrency_playground::trace::now_ms()
}

/// What only the plain build exports: the page's calls, the sequential and async lanes, the
/// processes.
#[cfg(not(feature = "threads"))]
mod plain {
    use super::*;
    fn error_message(e: JsValue) -> String {
        js_sys::Error::from(e).message().into()
    }

    use concurrency_playground::wasm::{
        begin_run, bound_trace, checksum_of, end_run, has_share, normalize_spec, receive_share,
        run_async, run_chunk, run_sequential, share_buffer,
    };

    /// A chunk's answer: given at once, or by the promise given (a chunk whose tasks wait).
    async fn chunk_answer(from: u32, to: u32) -> Result<JsValue, JsValue> {
        match run_chunk(from, to)?.dyn_into::<js_sys::Promise>() {
            Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise).await,
            Err(out) => Ok(out),
        }
    }

    /// A workload's name as the generated `Workload` type.
    fn workload(name: &str) -> tsify::Ts<concurrency_playground::spec::Workload> {
        tsify::Ts::new_unchecked(name.into())
    }

    #[wasm_bindgen_test]
    fn bad_specs_are_rejected_with_the_field_named() {
        let obj = js_sys::Object::new();
        Reflect::set(&obj, &"size".into(), &JsValue::from_str("big")).unwrap();
        let error =
            normalize_spec(obj.into(), 2, vec!["sequential".into()], 1.0, 1.0, true).unwrap_err();
        // The error carries its kind and field: nothing needs to read the message to know them.
        assert_eq!(get(&error, "kind").as_string().as_deref(), Some("invalid"));
        assert_eq!(get(&error, "field").as_string().as_deref(), Some("size"));
        let e = error_message(error);
        assert!(e.starts_with("size:"), "{e}");
        let e =
            error_message(normalize_spec(JsValue::NULL, 2, vec![], 1.0, 1.0, true).unwrap_err());
        assert!(e.starts_with("spec:") && e.ends_with("got null"), "{e}");
        let e =
            error_message(normalize_spec("primes".into(), 2, vec![], 1.0, 1.0, true).unwrap_err());
        assert!(e.ends_with("got string"), "{e}");
    }

    #[wasm_bindgen_test]
    async fn sequential_counts_primes() {
        let s = spec(&[("size", 100_000.into())]);
        let out = run_sequential(s).await.unwrap();
        assert_eq!(get(&out, "checksum").as_string().unwrap(), "9592");
        let events: Float64Array = get(&out, "events").unchecked_into();
        assert_eq!(events.length() as usize % STRIDE, 0);
        assert!(events.length() > 0, "compute events recorded");
        // 64 tasks' slivers may merge into fewer events, but the total keeps every one of them.
        let totals = Float64Array::from(get(&out, "totals")).to_vec();
        assert_eq!(totals.len() % 3, 0);
        assert!(
            totals.chunks(3).any(|t| t[1] == 1.0 && t[2] > 0.0),
            "compute total: {totals:?}"
        );
    }

    #[wasm_bindgen_test]
    fn bound_trace_keeps_busy_totals_and_rejects_partial_events() {
        // Two overlapping transfers on row 1, already merged elsewhere (busy ≠ end − start).
        let events = vec![
            1.0, 0.0, 3.0, 10.0, 20.0, 4.0, //
            1.0, 1.0, 3.0, 15.0, 30.0, 15.0,
        ];
        let out = bound_trace(events).unwrap();
        // A small trace keeps overlapping events of different tasks apart (async waits do overlap).
        let kept = Float64Array::from(get(&out, "events")).to_vec();
        assert_eq!(
            kept,
            vec![1.0, 0.0, 3.0, 10.0, 20.0, 4.0, 1.0, 1.0, 3.0, 15.0, 30.0, 15.0]
        );
        let totals = Float64Array::from(get(&out, "totals")).to_vec();
        assert_eq!(totals, vec![1.0, 3.0, 19.0]);
        let e = error_message(bound_trace(vec![0.0; 7]).unwrap_err());
        assert!(e.starts_with("events:"), "{e}");
    }

    #[wasm_bindgen_test]
    async fn sequential_waits_for_each_request_in_turn() {
        let s = spec(&[
            ("workload", "io".into()),
            ("size", 5.into()),
            ("latencyMs", 20.into()),
        ]);
        let start = now();
        let out = run_sequential(s).await.unwrap();
        let ms = now() - start;
        assert!(ms >= 95.0, "5 × 20 ms in turn took only {ms} ms");
        let sum: Vec<u64> = vec![get(&out, "sum").try_into().unwrap()];
        assert_eq!(
            checksum_of(workload("io"), sum).unwrap(),
            get(&out, "checksum").as_string().unwrap()
        );
    }

    #[wasm_bindgen_test]
    async fn chunks_of_a_process_fold_to_the_sequential_checksum() {
        // What one process does: a run's chunks, whatever their size, give the same answer.
        for (workload, size) in [("primes", 200_000), ("mandelbrot", 64), ("hash", 50)] {
            let s = spec(&[("workload", workload.into()), ("size", size.into())]);
            let tasks = get(&s, "tasks").as_f64().unwrap() as u32;
            for chunk in [1, 3, tasks] {
                begin_run(s.clone(), false, None).unwrap();
                let mut sums = Vec::new();
                for from in (0..tasks).step_by(chunk as usize) {
                    let out = chunk_answer(from, (from + chunk).min(tasks)).await.unwrap();
                    sums.push(get(&out, "sum").try_into().unwrap());
                    if workload == "mandelbrot" {
                        let pixels = js_sys::Uint8Array::from(get(&out, "pixels"));
                        assert_eq!(
                            pixels.length(),
                            (from + chunk).min(tasks).saturating_sub(from) * size
                        );
                    }
                }
                let trace = end_run().unwrap();
                assert!(
                    Float64Array::from(get(&trace, "events")).length() > 0,
                    "the process kept its trace"
                );
                let seq = run_sequential(s.clone()).await.unwrap();
                assert_eq!(
                    checksum_of(self::workload(workload), sums).unwrap(),
                    get(&seq, "checksum").as_string().unwrap(),
                    "{workload} in chunks of {chunk}"
                );
            }
        }
        let e = error_message(run_chunk(0, 1).unwrap_err());
        assert!(e.starts_with("run:"), "{e}");
    }

    #[wasm_bindgen_test]
    async fn a_chunk_of_cpu_work_answers_at_once_and_one_that_waits_by_promise() {
        let cpu = spec(&[("workload", "hash".into()), ("size", 10.into())]);
        begin_run(cpu, false, None).unwrap();
        let out = run_chunk(0, 2).unwrap();
        assert!(
            !out.is_instance_of::<js_sys::Promise>(),
            "CPU work needs no promise"
        );
        assert!(get(&out, "end").as_f64() >= get(&out, "start").as_f64());
        end_run().unwrap();
        let io = spec(&[
            ("workload", "io".into()),
            ("size", 3.into()),
            ("latencyMs", 20.into()),
        ]);
        begin_run(io.clone(), false, None).unwrap();
        let pending = run_chunk(0, 3).unwrap();
        assert!(
            pending.is_instance_of::<js_sys::Promise>(),
            "a wait answers later"
        );
        let e = error_message(run_chunk(0, 1).unwrap_err());
        assert!(e.contains("still running"), "{e}");
        let out = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(pending))
            .await
            .unwrap();
        let ms = get(&out, "end").as_f64().unwrap() - get(&out, "start").as_f64().unwrap();
        // Firefox rounds its clock to a millisecond: a margin of 5 ms, as for the sequential lane.
        assert!(ms >= 55.0, "3 requests of 20 ms in turn took only {ms} ms");
        end_run().unwrap();
        let seq = run_sequential(io).await.unwrap();
        assert_eq!(
            checksum_of(workload("io"), vec![get(&out, "sum").try_into().unwrap()]).unwrap(),
            get(&seq, "checksum").as_string().unwrap()
        );
    }

    #[wasm_bindgen_test]
    async fn a_process_needs_its_copy_of_the_share_buffer() {
        let s = spec(&[
            ("workload", "share".into()),
            ("size", 2.into()),
            ("seed", 9.into()),
        ]);
        let e = error_message(begin_run(s.clone(), false, None).unwrap_err());
        assert!(e.contains("has not received"), "{e}");
        let bytes = share_buffer(2, 9);
        assert_eq!(bytes.length(), 2 << 20);
        assert!(
            !has_share(2, 9),
            "making the buffer for the page does not keep it here"
        );
        // Made a megabyte at a time, it is the very buffer the kernels read.
        assert_eq!(
            bytes.to_vec(),
            concurrency_playground::workloads::share::buffer(2, 9)
        );
        receive_share(2, 9, &bytes);
        assert!(has_share(2, 9));
        begin_run(s, false, None).unwrap();
        assert!(run_chunk(0, 1).is_ok());
        end_run().unwrap();
    }

    #[wasm_bindgen_test]
    async fn async_waits_for_every_request_at_once() {
        // 500 requests of 60 ms: one after another would take 30 s; in flight together, about 60 ms.
        let s = spec(&[
            ("workload", "io".into()),
            ("size", 500.into()),
            ("latencyMs", 60.into()),
        ]);
        let start = now();
        let out = run_async(s.clone()).await.unwrap();
        let ms = now() - start;
        assert!((59.0..1000.0).contains(&ms), "{ms} ms");
        let seq = run_sequential(spec(&[
            ("workload", "io".into()),
            ("size", 500.into()),
            ("latencyMs", 0.into()),
        ]))
        .await
        .unwrap();
        assert_eq!(
            get(&out, "checksum"),
            get(&seq, "checksum"),
            "latency does not change answers"
        );
    }

    #[wasm_bindgen_test]
    async fn async_tasks_lose_counter_updates_only_across_an_await() {
        let counter = |sync: &str, step_ms: f64| {
            spec(&[
                ("workload", "counter".into()),
                ("size", 20.into()),
                ("tasks", 4.into()),
                ("sync", sync.into()),
                ("stepMs", step_ms.into()),
            ])
        };
        let count = |out: &JsValue| get(out, "checksum").as_string().unwrap();
        // No await between a read and its write: one thread, so no other task gets in.
        let out = run_async(counter("none", 0.0)).await.unwrap();
        assert_eq!(count(&out), "80");
        // A 1 ms wait between them: every task reads, then all write the same value.
        let out = run_async(counter("none", 1.0)).await.unwrap();
        let lost: u32 = 80 - count(&out).parse::<u32>().unwrap();
        assert!(lost >= 40, "lost only {lost} of 80");
        let turns = js_sys::Uint32Array::from(get(&out, "turns")).to_vec();
        assert_eq!(
            &turns[..4],
            &[0, 1, 2, 3],
            "the tasks took turns at their awaits"
        );
        // A lock held across the wait: none lost.
        let out = run_async(counter("lock", 1.0)).await.unwrap();
        assert_eq!(count(&out), "80");
    }

    #[wasm_bindgen_test]
    async fn async_cpu_work_agrees_with_sequential() {
        for yield_every in [0, 500] {
            let s = spec(&[("size", 200_000.into()), ("yieldEvery", yield_every.into())]);
            let out = run_async(s).await.unwrap();
            assert_eq!(get(&out, "checksum").as_string().unwrap(), "17984");
        }
    }

    #[wasm_bindgen_test]
    async fn the_lanes_give_the_kernels_answer() {
        for (workload, size) in [("primes", 100_000), ("io", 20), ("share", 1)] {
            let fields = [("workload", workload.into()), ("size", size.into())];
            let want = expected(&checked(&fields));
            let seq = run_sequential(spec(&fields)).await.unwrap();
            assert_eq!(
                get(&seq, "checksum").as_string().unwrap(),
                want,
                "{workload}"
            );
        }
    }
}

#[cfg(feature = "threads")]
mod threads {
    use super::*;
    use concurrency_playground::init_thread_pool;
    use concurrency_playground::wasm::{run_gil, run_threads};
    use wasm_bindgen_futures::JsFuture;

    /// One pool per instance: every threads test awaits the same start.
    async fn pool() {
        thread_local! {
            static STARTED: std::cell::RefCell<Option<js_sys::Promise>> = const { std::cell::RefCell::new(None) };
        }
        let p = STARTED.with(|s| {
            s.borrow_mut()
                .get_or_insert_with(|| init_thread_pool(2))
                .clone()
        });
        JsFuture::from(p).await.unwrap();
    }

    #[wasm_bindgen_test]
    async fn threads_and_sequential_agree() {
        pool().await;
        for (workload, size) in [("primes", 1_000_000), ("mandelbrot", 200), ("hash", 500)] {
            let fields = [("workload", workload.into()), ("size", size.into())];
            let thr = run_threads(spec(&fields)).unwrap();
            assert_eq!(
                get(&thr, "checksum").as_string().unwrap(),
                expected(&checked(&fields)),
                "{workload}"
            );
            if workload == "primes" {
                assert_eq!(get(&thr, "checksum").as_string().unwrap(), "78498");
            }
        }
    }

    #[wasm_bindgen_test]
    async fn the_gil_lane_agrees_and_never_computes_on_two_threads_at_once() {
        pool().await;
        let s = spec(&[
            ("size", 1_000_000.into()),
            ("tasks", 16.into()),
            ("gilSwitchMs", 2.into()),
        ]);
        let out = run_gil(s).unwrap();
        assert_eq!(get(&out, "checksum").as_string().unwrap(), "78498");
        let events = Float64Array::from(get(&out, "events")).to_vec();
        let mut compute: Vec<(f64, f64)> = events
            .chunks(STRIDE)
            .filter(|e| e[2] == 1.0)
            .map(|e| (e[3], e[4]))
            .collect();
        compute.sort_by(|a, b| a.0.total_cmp(&b.0));
        // Each thread reads the shared clock as its own timeOrigin + now(), both coarsened by the
        // engine: WebKitGTK's threads disagree by a few tens of µs (seen: 0.02 ms). Two threads
        // computing at once would overlap by a slice (about 1 ms), far past this.
        for w in compute.windows(2) {
            assert!(w[1].0 >= w[0].1 - 0.1, "compute spans overlap: {w:?}");
        }
        assert!(
            events.chunks(STRIDE).any(|e| e[2] == 4.0),
            "gil-wait events recorded"
        );
    }

    #[wasm_bindgen_test]
    async fn both_threads_run_tasks() {
        pool().await;
        let s = spec(&[("size", 2_000_000.into()), ("tasks", 64.into())]);
        let out = run_threads(s).unwrap();
        let events = Float64Array::from(get(&out, "events")).to_vec();
        let mut rows: Vec<u64> = events.chunks(STRIDE).map(|e| e[0] as u64).collect();
        rows.sort_unstable();
        rows.dedup();
        assert_eq!(rows, vec![0, 1]);
    }

    #[wasm_bindgen_test]
    async fn a_blocked_thread_holds_its_worker() {
        pool().await;
        // 6 requests × 30 ms on 2 threads that block while waiting: three rounds, ≥ 90 ms.
        let s = spec(&[
            ("workload", "io".into()),
            ("size", 6.into()),
            ("latencyMs", 30.into()),
        ]);
        let start = now();
        run_threads(s).unwrap();
        let ms = now() - start;
        assert!((88.0..1000.0).contains(&ms), "{ms} ms");
    }
}
