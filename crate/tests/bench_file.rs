//! The time budget's cost model against the bench's own output file (`docs/bench.json`, written by
//! `npm run bench -- --out docs/bench.json`), not against numbers copied into a test: for every
//! spec the bench ran, each lane's estimate on the machine the bench measured (its cores and its
//! `speed`) is within 2× of what the lane took; at the corners of the caps, also not below 0.9×
//! of it, or a spec the budget accepts could run past the budget.
#![cfg(not(target_arch = "wasm32"))]

use concurrency_playground::budget::{estimate, Machine};
use concurrency_playground::spec::{Lane, Spec};
use serde_json::Value;

fn bench() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/bench.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!("{path}: {e} (npm run bench -- --out docs/bench.json writes it)")
    });
    serde_json::from_str(&text).expect("docs/bench.json is JSON")
}

/// Each lane's estimate over what it took, for every lane a spec entry measured.
fn ratios(entries: &Value, machine: Machine, measured: &str) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for (id, entry) in entries.as_object().expect("an object of specs") {
        let spec: Spec = serde_json::from_value(entry["spec"].clone())
            .unwrap_or_else(|e| panic!("{id}: the bench's spec does not read as a Spec: {e}"));
        for (lane, figures) in entry["lanes"].as_object().expect("lanes") {
            let lane: Lane = serde_json::from_value(Value::String(lane.clone())).unwrap();
            let ms = figures[measured].as_f64().expect("a measured time");
            let one = Spec {
                lanes: vec![lane],
                ..spec.clone()
            };
            let estimated = estimate(&one, machine).lanes[0].wall_ms;
            out.push((format!("{id} {}", lane.name()), estimated / ms));
        }
    }
    out
}

fn machine(bench: &Value) -> Machine {
    Machine {
        cores: bench["machine"]["cores"].as_u64().expect("machine.cores") as u32,
        speed: bench["speed"]
            .as_f64()
            .expect("speed: the bench records the page's calibration"),
    }
}

#[test]
fn estimates_are_within_twice_what_the_bench_measured() {
    let bench = bench();
    let found = ratios(&bench["workloads"], machine(&bench), "medianMs");
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
    let found = ratios(&bench["corners"], machine(&bench), "wallMs");
    assert!(
        found.len() >= 30,
        "the bench measured {} corner lanes",
        found.len()
    );
    let off: Vec<_> = found
        .iter()
        .filter(|(_, r)| !(0.9..=2.0).contains(r))
        .collect();
    assert!(off.is_empty(), "estimate/measured out of 0.9–2: {off:?}");
}
