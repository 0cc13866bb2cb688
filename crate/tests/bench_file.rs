//! The time budget's cost model against the bench's own output file (`docs/bench.json`, written by
//! `npm run bench -- --out docs/bench.json`), not against numbers copied into a test: for every
//! spec the bench ran, each lane's estimate on the machine the bench measured (its cores and its
//! `speed`) is within 2× of what the lane took; at the corners of the caps, also not below 0.9×
//! of it, or a spec the budget accepts could run past the budget. A corner lane whose estimate
//! is within [`TINY_MS`] of what it took passes whatever the ratio: at tens of milliseconds one
//! collection or one late timer decides it, and the budget guards minutes.
#![cfg(not(target_arch = "wasm32"))]

use concurrency_playground::budget::{estimate, Machine};
use concurrency_playground::spec::{Defaults, Lane, RawSpec, RawValue, Spec};
use serde_json::Value;

/// `docs/bench.json`, or the file `BENCH_FILE` names: a model is checked against several runs
/// by running this test once for each.
fn bench() -> Value {
    let path = std::env::var("BENCH_FILE")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/bench.json").to_owned());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("{path}: {e} (npm run bench -- --out docs/bench.json writes it)")
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

const TINY_MS: f64 = 25.0;

/// Each lane's estimate and what it took, for every lane a spec entry measured: on the machine as
/// the entry's own page timed it (each corner runs on a fresh page), or as the bench's first did.
fn estimates(entries: &Value, machine: Machine, measured: &str) -> Vec<(String, f64, f64)> {
    let mut out = Vec::new();
    for (id, entry) in entries.as_object().expect("an object of specs") {
        let machine = Machine {
            speed: entry["speed"].as_f64().unwrap_or(machine.speed),
            // A file from before the memory calibration: the reference's.
            memory: entry["memory"].as_f64().unwrap_or(machine.memory),
            ..machine
        };
        let spec = read(&entry["spec"])
            .unwrap_or_else(|e| panic!("{id}: the bench's spec does not check: {e}"));
        for (lane, figures) in entry["lanes"].as_object().expect("lanes") {
            let lane: Lane = serde_json::from_value(Value::String(lane.clone())).unwrap();
            let ms = figures[measured].as_f64().expect("a measured time");
            let one = Spec {
                lanes: vec![lane],
                ..spec.clone()
            };
            let estimated = estimate(&one, machine).lanes[0].wall_ms;
            out.push((format!("{id} {}", lane.name()), estimated, ms));
        }
    }
    out
}

/// A spec as the bench wrote it, through the one checker: a field added since the bench ran
/// gets its default, as it would on the page.
fn read(json: &Value) -> Result<Spec, concurrency_playground::Error> {
    let raw = json
        .as_object()
        .expect("a spec object")
        .iter()
        .fold(RawSpec::default(), |raw, (field, value)| {
            raw.with(field, raw_value(value))
        });
    raw.normalize(&Defaults {
        workers: 2,
        lanes: Lane::ALL.to_vec(),
    })
}

fn raw_value(value: &Value) -> RawValue {
    match value {
        Value::Number(n) => RawValue::Number(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => RawValue::Text(s.clone()),
        Value::Array(items) => RawValue::List(items.iter().map(raw_value).collect()),
        Value::Null => RawValue::Missing,
        other => RawValue::Other(other.to_string()),
    }
}

fn machine(bench: &Value) -> Machine {
    Machine {
        cores: bench["machine"]["cores"].as_u64().expect("machine.cores") as u32,
        speed: bench["speed"]
            .as_f64()
            .expect("speed: the bench records the page's calibration"),
        memory: bench["memory"].as_f64().unwrap_or(1.0),
        // The bench drives an isolated page in Chromium, whose processes talk through pipes.
        pipes: true,
    }
}

#[test]
fn estimates_are_within_twice_what_the_bench_measured() {
    let bench = bench();
    let found: Vec<_> = estimates(&bench["workloads"], machine(&bench), "medianMs")
        .into_iter()
        .map(|(id, estimated, ms)| (id, estimated / ms))
        .collect();
    assert!(
        found.len() >= 20,
        "the bench measured {} lanes",
        found.len()
    );
    let off: Vec<_> = found
        .iter()
        .filter(|(_, r)| !(0.5..=2.0).contains(r))
        .collect();
    assert!(off.is_empty(), "estimate/measured out of 0.5–2: {off:?}");
}

#[test]
fn at_the_corners_estimates_are_never_far_below_and_within_twice() {
    let bench = bench();
    let found = estimates(&bench["corners"], machine(&bench), "wallMs");
    assert!(
        found.len() >= 30,
        "the bench measured {} corner lanes",
        found.len()
    );
    let off: Vec<_> = found
        .iter()
        .filter(|(_, estimated, ms)| {
            (estimated - ms).abs() >= TINY_MS && !(0.9..=2.0).contains(&(estimated / ms))
        })
        .map(|(id, estimated, ms)| (id, estimated / ms))
        .collect();
    assert!(off.is_empty(), "estimate/measured out of 0.9–2: {off:?}");
}
