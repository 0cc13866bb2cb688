//! The built `native-reference` binary end to end: every lane agrees, the processes lane really
//! copies the share buffer, and bad arguments get the crate's message and exit code 2.
#![cfg(not(target_arch = "wasm32"))]

use std::process::{Command, Output};

use serde_json::Value;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_native-reference"))
        .args(args)
        .output()
        .expect("the binary cargo built for these tests starts")
}

fn report(args: &[&str]) -> Value {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("--json prints one JSON object")
}

#[test]
fn every_lane_counts_the_primes() {
    let report = report(&[
        "--workload",
        "primes",
        "--size",
        "1000000",
        "--workers",
        "2",
        "--repeats",
        "1",
        "--json",
    ]);
    let lanes = report["lanes"].as_object().expect("lanes is an object");
    let names: Vec<&str> = lanes.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["sequential", "threads", "gil", "processes", "async"],
        "every lane runs by default"
    );
    for (name, lane) in lanes {
        assert_eq!(lane["checksum"], "78498", "{name}");
    }
    assert_eq!(report["lanes"]["sequential"]["speedup"], 1.0);
    assert_eq!(report["spec"]["size"], 1_000_000);
}

#[test]
fn processes_receive_their_own_copy_of_the_share_buffer() {
    let report = report(&[
        "--workload",
        "share",
        "--size",
        "2",
        "--workers",
        "2",
        "--repeats",
        "1",
        "--json",
        "--lanes",
        "sequential,processes",
    ]);
    let lanes = &report["lanes"];
    assert!(lanes["sequential"]["checksum"].is_string());
    assert_eq!(
        lanes["sequential"]["checksum"],
        lanes["processes"]["checksum"]
    );
    let transfer = lanes["processes"]["transferMs"]
        .as_f64()
        .expect("transferMs is a number");
    assert!(transfer > 0.0, "{transfer}");
    assert_eq!(lanes["sequential"]["transferMs"], 0.0);
}

#[test]
fn bad_arguments_exit_with_code_2() {
    let out = run(&["--size", "-5"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("size:"), "{stderr}");

    let out = run(&["--bogus"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("usage: native-reference"), "{stderr}");
}
