//! Serve mode: requests that keep arriving, as a server sees them. An open-loop load generator
//! sends `mixed` requests (a simulated I/O wait of `latencyMs` ± `jitterMs`, then `cpuRounds` of
//! SHA-256) at seeded Poisson arrival times for `durationMs`, the same arrivals on every lane; the
//! lanes serve them as servers do (`run.rs`), and each request's arrival, start and end become the
//! figures servers are chosen by (`stats.rs`): throughput, latency percentiles, the queue, memory.
//!
//! A lane stops taking requests at `durationMs`: the ones it had started finish, the ones still
//! waiting for a worker are counted as queued at the end. Nothing is dropped silently.

pub mod run;
pub mod stats;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::spec::{
    int, num, whole, Defaults, Fault, Lane, Pool, Range, RawSpec, RawValue, Spec, SyncMode,
    Workload, CPU_ROUNDS, GIL_SWITCH_MS, LATENCY_MS, MAX_WORKERS, SEED,
};
use crate::workloads::mix;

/// What a serve run asks for (`window.playground.serve(options)`), checked, every default filled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ServeOptions {
    /// Requests offered per second, on average (Poisson arrivals).
    pub rate_per_sec: f64,
    /// How long requests keep arriving, ms.
    pub duration_ms: f64,
    pub latency_ms: f64,
    pub jitter_ms: f64,
    /// SHA-256 rounds of CPU work after each response (2000 ≈ 1 ms on the reference machine).
    pub cpu_rounds: u32,
    pub workers: u32,
    pub lanes: Vec<Lane>,
    pub seed: u32,
}

pub const RATE_PER_SEC: Range = Range {
    min: 1.0,
    max: 20_000.0,
    default: 100.0,
};
pub const DURATION_MS: Range = Range {
    min: 100.0,
    max: 60_000.0,
    default: 2_000.0,
};
pub const SERVE_CPU_ROUNDS: Range = Range {
    default: 200.0,
    ..CPU_ROUNDS
};
/// Requests one run may offer (`ratePerSec × durationMs`): what a lane's records and the page's
/// tables hold comfortably.
pub const MAX_REQUESTS: f64 = 20_000.0;

pub const SERVE_FIELDS: [&str; 8] = [
    "ratePerSec",
    "durationMs",
    "latencyMs",
    "jitterMs",
    "cpuRounds",
    "workers",
    "lanes",
    "seed",
];

/// One serve option as the page's form shows it: the checker's own range and default.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ServeField {
    pub name: &'static str,
    pub min: f64,
    pub max: f64,
    /// `None` where the default depends on the machine or on another option.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub default: Option<f64>,
    pub help: &'static str,
}

/// The numeric serve options, in the form's order, from the ranges `normalize_serve` checks.
pub fn serve_fields() -> Vec<ServeField> {
    let field = |name, r: Range, help| ServeField {
        name,
        min: r.min,
        max: r.max,
        default: Some(r.default),
        help,
    };
    vec![
        field(
            "ratePerSec",
            RATE_PER_SEC,
            "requests offered a second, on average (seeded Poisson arrivals)",
        ),
        field(
            "durationMs",
            DURATION_MS,
            "how long requests keep arriving, ms",
        ),
        field(
            "latencyMs",
            LATENCY_MS,
            "each request's simulated I/O wait, ms",
        ),
        ServeField {
            default: None,
            ..field(
                "jitterMs",
                Range {
                    max: LATENCY_MS.max,
                    ..LATENCY_MS
                },
                "± this much on each wait, at most latencyMs (default a tenth of it)",
            )
        },
        field(
            "cpuRounds",
            SERVE_CPU_ROUNDS,
            "SHA-256 rounds of CPU work for each response",
        ),
        ServeField {
            default: None,
            ..field(
                "workers",
                Range {
                    min: 1.0,
                    max: f64::from(MAX_WORKERS),
                    default: 1.0,
                },
                "threads or processes in the pool (default: this machine's cores)",
            )
        },
        field(
            "seed",
            SEED,
            "seeds the arrivals and the latencies: the same on every lane",
        ),
    ]
}

impl RawSpec {
    /// Checks serve options as `normalize` checks a spec: every field named in its error.
    ///
    /// # Errors
    /// [`Error::Field`] naming the first unknown or bad field.
    pub fn normalize_serve(&self, defaults: &Defaults) -> Result<ServeOptions, Error> {
        self.only(&SERVE_FIELDS, "a serve option", "options")?;
        let latency_ms = num(self.get("latencyMs"), "latencyMs", LATENCY_MS)?;
        let jitter = Range {
            min: 0.0,
            max: latency_ms,
            default: (latency_ms / 10.0).floor(),
        };
        let options = ServeOptions {
            rate_per_sec: num(self.get("ratePerSec"), "ratePerSec", RATE_PER_SEC)?,
            duration_ms: num(self.get("durationMs"), "durationMs", DURATION_MS)?,
            latency_ms,
            jitter_ms: num(self.get("jitterMs"), "jitterMs", jitter)?,
            cpu_rounds: whole(self.get("cpuRounds"), "cpuRounds", SERVE_CPU_ROUNDS)?,
            workers: int(
                self.get("workers"),
                "workers",
                1,
                MAX_WORKERS,
                defaults.workers.clamp(1, MAX_WORKERS),
                "",
            )?,
            lanes: self.lanes(defaults)?,
            seed: whole(self.get("seed"), "seed", SEED)?,
        };
        let offered = options.rate_per_sec * options.duration_ms / 1000.0;
        if offered > MAX_REQUESTS {
            return Err(Error::field(
                "ratePerSec",
                format!(
                    "ratePerSec × durationMs must offer at most {MAX_REQUESTS} requests, got {} × {} ms = {offered:.0}",
                    options.rate_per_sec, options.duration_ms
                ),
            ));
        }
        if options.arrival_times().next().is_none() {
            return Err(Error::field(
                "ratePerSec",
                format!(
                    "ratePerSec × durationMs must bring at least one request: {} a second for {} ms brings none (seed {}); raise either",
                    options.rate_per_sec, options.duration_ms, options.seed
                ),
            ));
        }
        Ok(options)
    }
}

impl ServeOptions {
    /// The options as raw fields again (to check them a second time in a worker).
    pub fn to_raw(&self) -> RawSpec {
        let n = RawValue::Number;
        RawSpec::default()
            .with("ratePerSec", n(self.rate_per_sec))
            .with("durationMs", n(self.duration_ms))
            .with("latencyMs", n(self.latency_ms))
            .with("jitterMs", n(self.jitter_ms))
            .with("cpuRounds", n(self.cpu_rounds.into()))
            .with("workers", n(self.workers.into()))
            .with(
                "lanes",
                RawValue::List(
                    self.lanes
                        .iter()
                        .map(|l| RawValue::Text(l.name().to_owned()))
                        .collect(),
                ),
            )
            .with("seed", n(self.seed.into()))
    }

    /// When each request arrives, ms from the run's start: a Poisson process of `ratePerSec`,
    /// seeded, cut at `durationMs`. Every lane (and the Python bridge) gets exactly these.
    pub fn arrivals(&self) -> Vec<f64> {
        self.arrival_times().collect()
    }

    fn arrival_times(&self) -> impl Iterator<Item = f64> + '_ {
        let mean_gap_ms = 1000.0 / self.rate_per_sec;
        (0u64..)
            .scan(0.0, move |t, i| {
                // A uniform draw in [0, 1) from the seed alone; 1 − u is in (0, 1], so ln is finite.
                let u =
                    (mix(u64::from(self.seed) ^ ARRIVALS, i) >> 11) as f64 / (1u64 << 53) as f64;
                *t += -(1.0 - u).ln() * mean_gap_ms;
                Some(*t)
            })
            .take_while(|&t| t < self.duration_ms)
    }

    /// The requests as a spec of the `mixed` workload, one task a request: what the lanes run,
    /// with the same latencies (seeded by index) on every lane.
    pub fn spec(&self, requests: u32) -> Spec {
        Spec {
            workload: Workload::Mixed,
            size: requests,
            tasks: requests,
            lanes: self.lanes.clone(),
            workers: self.workers,
            latency_ms: self.latency_ms,
            jitter_ms: self.jitter_ms,
            gil_switch_ms: GIL_SWITCH_MS.default,
            yield_every: 0,
            seed: self.seed,
            fault: Fault::None,
            pool: Pool::Cold,
            cpu_rounds: self.cpu_rounds,
            chunk: 1,
            sync: SyncMode::None,
            step_ms: 0.0,
        }
    }
}

/// Keeps the arrivals' draws apart from the latencies' (both seeded by index).
const ARRIVALS: u64 = 0xA7_7150_5A1E;

#[cfg(test)]
mod tests {
    use super::*;

    fn options(fields: &[(&str, RawValue)]) -> Result<ServeOptions, Error> {
        fields
            .iter()
            .fold(RawSpec::default(), |raw, (k, v)| raw.with(k, v.clone()))
            .normalize_serve(&Defaults {
                workers: 2,
                lanes: Lane::ALL.to_vec(),
            })
    }

    #[test]
    fn defaults_when_empty_and_every_bad_option_named() {
        let o = options(&[]).unwrap();
        assert_eq!(
            (o.rate_per_sec, o.duration_ms, o.workers),
            (100.0, 2000.0, 2)
        );
        assert_eq!(o.jitter_ms, 10.0);
        for (field, value) in [
            ("ratePerSec", RawValue::Number(0.0)),
            ("durationMs", RawValue::Number(70_000.0)),
            ("latencyMs", RawValue::Text("fast".into())),
            ("cpuRounds", RawValue::Number(1.5)),
            ("workers", RawValue::Number(65.0)),
            ("lanes", RawValue::List(vec![])),
            ("size", RawValue::Number(1.0)),
        ] {
            let e = options(&[(field, value)]).unwrap_err();
            assert_eq!(e.field_name(), Some(field), "{e}");
        }
        let e = options(&[
            ("ratePerSec", RawValue::Number(20_000.0)),
            ("durationMs", RawValue::Number(2000.0)),
        ])
        .unwrap_err();
        assert_eq!(e.field_name(), Some("ratePerSec"));
        // 1 a second for 100 ms: with seed 1 the first request comes after the end.
        let e = options(&[
            ("ratePerSec", RawValue::Number(1.0)),
            ("durationMs", RawValue::Number(100.0)),
        ])
        .unwrap_err();
        assert_eq!(e.field_name(), Some("ratePerSec"), "{e}");
        assert!(e.to_string().contains("brings none"), "{e}");
    }

    #[test]
    fn a_serve_run_past_a_batch_runs_caps_is_still_a_spec_its_workers_read() {
        // 4,000 requests of 100 ± 10 ms: 440 s one after another, past `io`'s five minutes, but
        // the run ends at its 2 s (the lanes read it with `normalize_fields`).
        let o = options(&[
            ("ratePerSec", RawValue::Number(2000.0)),
            ("durationMs", RawValue::Number(2000.0)),
            ("latencyMs", RawValue::Number(100.0)),
        ])
        .unwrap();
        let spec = o.spec(o.arrivals().len() as u32);
        let defaults = Defaults {
            workers: 1,
            lanes: Lane::ALL.to_vec(),
        };
        let e = spec.to_raw().normalize(&defaults).unwrap_err();
        assert_eq!(e.field_name(), Some("latencyMs"), "{e}");
        assert_eq!(spec.to_raw().normalize_fields(&defaults).unwrap(), spec);
    }

    #[test]
    fn arrivals_are_seeded_poisson_within_the_duration() {
        let o = options(&[
            ("ratePerSec", RawValue::Number(1000.0)),
            ("durationMs", RawValue::Number(10_000.0)),
        ])
        .unwrap();
        let a = o.arrivals();
        assert_eq!(a, o.arrivals(), "the same every time");
        assert!(a.windows(2).all(|w| w[0] <= w[1]) && a.iter().all(|&t| t < 10_000.0));
        // 10,000 expected; a Poisson count's standard deviation is 100.
        assert!((9_600..=10_400).contains(&a.len()), "{}", a.len());
        // Exponential gaps: mean 1 ms, and about e^-1 of them longer than the mean.
        let gaps: Vec<f64> = a.windows(2).map(|w| w[1] - w[0]).collect();
        let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
        let longer = gaps.iter().filter(|&&g| g > 1.0).count() as f64 / gaps.len() as f64;
        assert!((0.97..1.03).contains(&mean), "{mean}");
        assert!((0.35..0.39).contains(&longer), "{longer}");
        let other = ServeOptions { seed: 2, ..o };
        assert_ne!(other.arrivals(), a, "another seed, other arrivals");
    }
}
