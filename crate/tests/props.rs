//! Properties, natively: the validator never panics and only lets through specs inside their
//! ranges; every lane folds random small specs to the same checksum; slicing never changes it.
#![cfg(not(target_arch = "wasm32"))]

use concurrency_playground::lanes::{block_ready, cooperative, sequential, threads, ThreadSleep};
use concurrency_playground::spec::{
    Defaults, Lane, RawSpec, RawValue, Spec, Workload, FIELDS, MAX_TASKS, MAX_WORKERS,
};
use concurrency_playground::workloads::{example, fold, run_to_end, share, task, Progress, Split};
use proptest::prelude::*;

fn defaults() -> Defaults {
    Defaults {
        workers: 2,
        lanes: Lane::ALL.to_vec(),
    }
}

fn raw_value() -> impl Strategy<Value = RawValue> {
    let leaf = prop_oneof![
        Just(RawValue::Missing),
        any::<f64>().prop_map(RawValue::Number),
        (-10.0f64..1e8).prop_map(|n| RawValue::Number(n.round())),
        prop_oneof![
            Just("primes"),
            Just("io"),
            Just("mixed"),
            Just("share"),
            Just("threads"),
            Just("none"),
            Just("warm"),
            Just("<b>"),
            Just("")
        ]
        .prop_map(|s| RawValue::Text(s.into())),
        ".{0,60}".prop_map(RawValue::Text),
        Just(RawValue::Other("boolean".into())),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop::collection::vec(inner, 0..4).prop_map(RawValue::List)
    })
}

fn raw_spec() -> impl Strategy<Value = RawSpec> {
    let field = prop_oneof![
        prop::sample::select(FIELDS.to_vec()).prop_map(String::from),
        "[a-z]{1,8}"
    ];
    prop::collection::vec((field, raw_value()), 0..8).prop_map(|fields| {
        fields
            .into_iter()
            .fold(RawSpec::default(), |r, (k, v)| r.with(&k, v))
    })
}

/// A random small spec of any registered workload: its size up to its example's, its tasks as
/// its split allows.
fn small_spec() -> impl Strategy<Value = Spec> {
    (
        prop::sample::select(Workload::ALL.to_vec()),
        0.0f64..1.0,
        1u32..12,
        any::<u32>(),
    )
        .prop_map(|(w, at, tasks, seed)| {
            let kernel = w.kernel();
            let (min, most) = (kernel.size().min, example(w).size);
            let size = min + (f64::from(most - min) * at) as u32;
            let tasks = match kernel.split() {
                Split::OnePerUnit => size,
                Split::Units => tasks.min(size),
                Split::Shares => tasks,
            };
            RawSpec::default()
                .with("workload", RawValue::Text(w.name().into()))
                .with("size", RawValue::Number(size.into()))
                .with("tasks", RawValue::Number(tasks.into()))
                .with("seed", RawValue::Number(seed.into()))
                .with("latencyMs", RawValue::Number(0.0))
                .with("cpuRounds", RawValue::Number(20.0))
                .normalize(&defaults())
                .expect("a small spec is valid")
        })
}

/// The buffer a spec's tasks read, if its workload has one.
fn data(spec: &Spec) -> Vec<u8> {
    spec.workload
        .kernel()
        .buffer_mb(spec)
        .map_or_else(Vec::new, |mb| share::buffer(mb, spec.seed))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_validator_never_panics_and_keeps_to_its_ranges(raw in raw_spec()) {
        match raw.normalize(&defaults()) {
            Ok(spec) => {
                let size = spec.workload.kernel().size();
                let (min, max) = (size.min, size.max);
                prop_assert!((min..=max).contains(&spec.size));
                let most = if spec.workload.kernel().split() == Split::OnePerUnit { max } else { MAX_TASKS };
                prop_assert!((1..=most).contains(&spec.tasks));
                prop_assert!((1..=MAX_WORKERS).contains(&spec.workers));
                prop_assert!(!spec.lanes.is_empty());
                prop_assert!(spec.jitter_ms <= spec.latency_ms);
                prop_assert!(spec.latency_ms.is_finite() && spec.gil_switch_ms >= 0.1);
                prop_assert_eq!(spec.to_raw().normalize(&defaults()), Ok(spec));
            }
            Err(e) => {
                let message = e.to_string();
                let field = message.split(':').next().unwrap_or_default();
                prop_assert!(!field.is_empty() && !field.contains(' '), "{}", message);
                prop_assert!(message.len() < 400, "{}", message);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn every_lane_agrees_on_random_small_specs(spec in small_spec()) {
        let data = data(&spec);
        let reference = fold((0..spec.tasks).map(|i| run_to_end(&spec, i, &data)));
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        let seq = block_ready(sequential::run::<ThreadSleep>(&spec, &data)).unwrap();
        let thr = pool.install(|| threads::run(&spec, &data, false)).unwrap();
        let gil = pool.install(|| threads::run(&spec, &data, true)).unwrap();
        let coop = block_ready(cooperative::run::<ThreadSleep>(&spec, &data)).unwrap();
        prop_assert_eq!(reference, spec.workload.kernel().oracle(&spec, &data));
        prop_assert_eq!(seq.sum, reference);
        prop_assert_eq!(thr.sum, reference);
        prop_assert_eq!(gil.sum, reference);
        prop_assert_eq!(coop.sum, reference);
    }

    #[test]
    fn slicing_never_changes_a_task(spec in small_spec(), budget in 1u64..5000) {
        let data = data(&spec);
        for i in 0..spec.tasks {
            let mut task = task(&spec, i, &data);
            let sliced = loop {
                if let Progress::Done(p) = task.advance(budget) {
                    break p;
                }
            };
            prop_assert_eq!(sliced, run_to_end(&spec, i, &data));
        }
    }
}
