//! Runs the lanes, checks their checksums and reports the timings.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use concurrency_playground::lanes::{
    block_ready, cooperative, sequential, threads, EventLoop, LaneOutput, ThreadSleep,
};
use concurrency_playground::spec::{Lane, RawValue, Spec, Workload};
use concurrency_playground::workloads::{fold, format_checksum, run_to_end, share};
use concurrency_playground::Error;
use serde_json::{json, Map, Value};

use crate::args::{self, Command, Options, USAGE};
use crate::processes;

/// The async lane's event loop natively: tokio's timers and scheduler on one thread, where the
/// page has the browser's.
struct TokioLoop;

impl EventLoop for TokioLoop {
    async fn sleep(ms: f64) {
        tokio::time::sleep(Duration::from_secs_f64(ms / 1000.0)).await;
    }

    async fn yield_now() {
        tokio::task::yield_now().await;
    }
}

/// One timed (or warm-up) run of a lane.
struct Sample {
    sum: u64,
    ms: f64,
    setup_ms: f64,
    transfer_ms: f64,
    spawn_ms: Vec<f64>,
}

impl Sample {
    /// A run whose only cost outside the timed call is `setup_ms`, paid once per invocation.
    fn timed(
        setup_ms: f64,
        run: impl FnOnce() -> Result<LaneOutput, Error>,
    ) -> Result<Self, String> {
        let start = Instant::now();
        let out = run().map_err(|e| e.to_string())?;
        Ok(Sample {
            sum: out.sum,
            ms: elapsed_ms(start),
            setup_ms,
            transfer_ms: 0.0,
            spawn_ms: Vec::new(),
        })
    }
}

fn elapsed_ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

/// What the lanes run on. The thread pool and the runtime are built once per invocation, as the
/// page keeps its pool between runs; their build times are the lanes' set-up.
struct Bench<'a> {
    spec: &'a Spec,
    data: &'a [u8],
    pool: Option<(rayon::ThreadPool, f64)>,
    runtime: Option<(tokio::runtime::Runtime, f64)>,
}

impl<'a> Bench<'a> {
    fn new(spec: &'a Spec, data: &'a [u8]) -> Result<Self, String> {
        let wants = |lane| spec.lanes.contains(&lane);
        let pool = if wants(Lane::Threads) || wants(Lane::Gil) {
            let start = Instant::now();
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(spec.workers as usize)
                .build()
                .map_err(|e| format!("threads: cannot start {} threads: {e}", spec.workers))?;
            Some((pool, elapsed_ms(start)))
        } else {
            None
        };
        let runtime = if wants(Lane::Async) {
            let start = Instant::now();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .map_err(|e| format!("async: cannot start the tokio runtime: {e}"))?;
            Some((runtime, elapsed_ms(start)))
        } else {
            None
        };
        Ok(Bench {
            spec,
            data,
            pool,
            runtime,
        })
    }

    fn run(&self, lane: Lane) -> Result<Sample, String> {
        let (spec, data) = (self.spec, self.data);
        match lane {
            Lane::Sequential => Sample::timed(0.0, || {
                block_ready(sequential::run::<ThreadSleep>(spec, data))
            }),
            Lane::Threads | Lane::Gil => {
                let (pool, setup_ms) = self
                    .pool
                    .as_ref()
                    .expect("the pool is built whenever a threads lane is asked for");
                Sample::timed(*setup_ms, || {
                    pool.install(|| threads::run(spec, data, lane == Lane::Gil))
                })
            }
            Lane::Async => {
                let (runtime, setup_ms) = self
                    .runtime
                    .as_ref()
                    .expect("the runtime is built whenever the async lane is asked for");
                Sample::timed(*setup_ms, || {
                    runtime.block_on(cooperative::run::<TokioLoop>(spec, data))
                })
            }
            Lane::Processes => {
                let run = processes::run(spec, data)?;
                Ok(Sample {
                    sum: run.sum,
                    ms: run.wall_ms,
                    setup_ms: run.setup_ms,
                    transfer_ms: run.transfer_ms,
                    spawn_ms: run.spawn_ms,
                })
            }
        }
    }
}

struct LaneReport {
    lane: Lane,
    median_ms: f64,
    min_ms: f64,
    max_ms: f64,
    setup_ms: f64,
    transfer_ms: f64,
    /// Median time from spawn to ready of one process (the processes lane only).
    spawn_ms: Option<f64>,
    checksum: String,
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    }
}

/// Runs the lanes, sequential first so its warm-up gives the checksum every other run must match.
/// Without the sequential lane the reference is each task run straight through with no waits,
/// which is what sequential computes.
fn measure(spec: &Spec, data: &[u8], repeats: u32) -> Result<Vec<LaneReport>, String> {
    let bench = Bench::new(spec, data)?;
    let mut order = spec.lanes.clone();
    order.sort_by_key(|&lane| lane != Lane::Sequential);
    let mut expected = (!spec.lanes.contains(&Lane::Sequential))
        .then(|| fold((0..spec.tasks).map(|i| run_to_end(spec, i, data))));
    let mut reports = Vec::new();
    for lane in order {
        let warm_up = bench.run(lane)?;
        let expected = *expected.get_or_insert(warm_up.sum);
        let check = |sample: &Sample, run: &str| {
            if sample.sum == expected {
                Ok(())
            } else {
                Err(format!(
                    "checksum mismatch: {} {run} gave {}, sequential gives {}",
                    lane.name(),
                    format_checksum(spec.workload, sample.sum),
                    format_checksum(spec.workload, expected)
                ))
            }
        };
        check(&warm_up, "warm-up")?;
        let mut samples = Vec::new();
        for run in 1..=repeats {
            let sample = bench.run(lane)?;
            check(&sample, &format!("run {run}"))?;
            samples.push(sample);
        }
        let of = |field: fn(&Sample) -> f64| samples.iter().map(field).collect::<Vec<_>>();
        let ms = of(|s| s.ms);
        let spawn: Vec<f64> = samples.iter().flat_map(|s| s.spawn_ms.clone()).collect();
        reports.push(LaneReport {
            lane,
            median_ms: median(&ms),
            min_ms: ms.iter().copied().fold(f64::INFINITY, f64::min),
            max_ms: ms.iter().copied().fold(0.0, f64::max),
            setup_ms: median(&of(|s| s.setup_ms)),
            transfer_ms: median(&of(|s| s.transfer_ms)),
            spawn_ms: (!spawn.is_empty()).then(|| median(&spawn)),
            checksum: format_checksum(spec.workload, expected),
        });
    }
    reports.sort_by_key(|r| spec.lanes.iter().position(|&l| l == r.lane));
    Ok(reports)
}

fn speedup(reports: &[LaneReport], report: &LaneReport) -> Option<f64> {
    let sequential = reports.iter().find(|r| r.lane == Lane::Sequential)?;
    Some(sequential.median_ms / report.median_ms)
}

/// Microseconds are below what any of these timings can resolve.
fn round(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

fn raw_json(value: &RawValue) -> Value {
    match value {
        // Counts as integers (`"size": 5000000`), not as the f64 the raw spec carries them in.
        RawValue::Number(n) if n.fract() == 0.0 && n.abs() < 2f64.powi(53) => json!(*n as i64),
        RawValue::Number(n) => json!(n),
        RawValue::Text(s) => json!(s),
        RawValue::List(items) => Value::Array(items.iter().map(raw_json).collect()),
        RawValue::Missing | RawValue::Other(_) => Value::Null,
    }
}

fn to_json(spec: &Spec, repeats: u32, cores: usize, reports: &[LaneReport]) -> Value {
    let spec_json: Map<String, Value> = spec
        .to_raw()
        .fields
        .iter()
        .map(|(key, value)| (key.clone(), raw_json(value)))
        .collect();
    let lanes: Map<String, Value> = reports
        .iter()
        .map(|r| {
            let mut lane = json!({
                "medianMs": round(r.median_ms),
                "minMs": round(r.min_ms),
                "maxMs": round(r.max_ms),
                "setupMs": round(r.setup_ms),
                "transferMs": round(r.transfer_ms),
                "checksum": r.checksum,
                "speedup": speedup(reports, r).map(|s| (s * 1000.0).round() / 1000.0),
            });
            if let Some(spawn) = r.spawn_ms {
                lane["spawnMsPerProcess"] = json!(round(spawn));
            }
            (r.lane.name().to_owned(), lane)
        })
        .collect();
    json!({
        "machine": { "cores": cores, "os": std::env::consts::OS },
        "spec": spec_json,
        "repeats": repeats,
        "lanes": lanes,
    })
}

fn print_table(spec: &Spec, repeats: u32, cores: usize, reports: &[LaneReport]) {
    println!(
        "{}, size {}, {} tasks, {} workers on {} ({cores} cores): median of {repeats} runs after a warm-up",
        spec.workload.name(),
        spec.size,
        spec.tasks,
        spec.workers,
        std::env::consts::OS,
    );
    if spec.workload.kernel().io_bound() {
        println!(
            "latency {} ms ± {} ms{}",
            spec.latency_ms,
            spec.jitter_ms,
            if spec.workload == Workload::Mixed {
                format!(", {} CPU rounds per response", spec.cpu_rounds)
            } else {
                String::new()
            }
        );
    }
    println!();
    println!(
        "{:<11}{:>12}{:>11}{:>11}{:>11}{:>13}{:>9}  checksum",
        "lane", "median ms", "min ms", "max ms", "setup ms", "transfer ms", "speedup"
    );
    for r in reports {
        let speedup = speedup(reports, r).map_or("-".to_owned(), |s| format!("{s:.2}x"));
        println!(
            "{:<11}{:>12.1}{:>11.1}{:>11.1}{:>11.1}{:>13.1}{:>9}  {}",
            r.lane.name(),
            r.median_ms,
            r.min_ms,
            r.max_ms,
            r.setup_ms,
            r.transfer_ms,
            speedup,
            r.checksum
        );
    }
    if let Some(spawn) = reports.iter().find_map(|r| r.spawn_ms) {
        println!();
        println!(
            "processes: every run starts {} fresh processes, {spawn:.1} ms each (median) from spawn \
             to ready; setup ms is until all are ready and is not in the run's time",
            spec.workers
        );
    }
}

pub fn main() -> ExitCode {
    let mut argv = std::env::args().skip(1).peekable();
    if argv.peek().map(String::as_str) == Some(processes::WORKER_FLAG) {
        return match processes::worker() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("native-reference worker: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let Options {
        spec,
        repeats,
        json,
    } = match args::parse(argv) {
        Ok(Command::Run(options)) => options,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(args::ArgError(message)) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    // Made before any timing, as the page holds its copy before the run starts.
    let data = spec
        .workload
        .kernel()
        .buffer_mb(&spec)
        .map_or_else(Vec::new, |mb| share::buffer(mb, spec.seed));
    let reports = match measure(&spec, &data, repeats) {
        Ok(reports) => reports,
        Err(e) => {
            eprintln!("native-reference: {e}");
            return ExitCode::FAILURE;
        }
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if json {
        println!("{}", to_json(&spec, repeats, cores, &reports));
    } else {
        print_table(&spec, repeats, cores, &reports);
    }
    ExitCode::SUCCESS
}
