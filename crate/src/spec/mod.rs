//! What a run asks for, and the one place it is checked.
//!
//! The page, the workers and the native bench all build a [`Spec`] through [`RawSpec::normalize`]
//! (`check.rs`), so a bad field gets the same message everywhere: it names the field and its
//! allowed range. `raw.rs` reads whatever a caller passed, field by field, before checking.

mod check;
mod raw;

use serde::{Deserialize, Serialize};

pub use crate::workloads::Workload;
pub(crate) use check::{int, num, whole};
pub use check::{
    Range, CHUNK, CPU_ROUNDS, DEFAULT_TASKS, FIELDS, GIL_SWITCH_MS, LATENCY_MS, MAX_LATENCY_MS,
    MAX_SHARE_COPIES_MB, MAX_TASKS, MAX_WORKERS, SEED, STEP_MS, YIELD_EVERY,
};
pub use raw::{RawInput, RawSpec, RawValue};

/// The workload a spec runs when it names none.
pub const DEFAULT_WORKLOAD: Workload = Workload::Primes;

/// The concurrency models the page compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum Lane {
    Sequential,
    Threads,
    Gil,
    Processes,
    Async,
}

impl Lane {
    pub const ALL: [Lane; 5] = [
        Lane::Sequential,
        Lane::Threads,
        Lane::Gil,
        Lane::Processes,
        Lane::Async,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Lane::Sequential => "sequential",
            Lane::Threads => "threads",
            Lane::Gil => "gil",
            Lane::Processes => "processes",
            Lane::Async => "async",
        }
    }
}

/// Whether the processes lane starts fresh processes for a run (as `ProcessPoolExecutor` used once
/// does) or reuses a pool kept warm from the previous run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum Pool {
    #[default]
    Cold,
    Warm,
}

impl Pool {
    pub const ALL: [Pool; 2] = [Pool::Cold, Pool::Warm];

    pub fn name(self) -> &'static str {
        match self {
            Pool::Cold => "cold",
            Pool::Warm => "warm",
        }
    }
}

/// A fault injected on purpose, to show what each lane does when one task fails.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum Fault {
    #[default]
    None,
    /// One task panics.
    PanicOneTask,
    /// One task asks for more memory than a wasm instance can have.
    OomOneTask,
}

impl Fault {
    pub const ALL: [Fault; 3] = [Fault::None, Fault::PanicOneTask, Fault::OomOneTask];

    pub fn name(self) -> &'static str {
        match self {
            Fault::None => "none",
            Fault::PanicOneTask => "panic-one-task",
            Fault::OomOneTask => "oom-one-task",
        }
    }
}

/// How tasks that share one value keep it right (the `counter` workload; others ignore it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum SyncMode {
    /// Read, add, write, as separate steps.
    #[default]
    None,
    /// A lock around each update (a process's lock lives in a shared segment).
    Lock,
    /// One atomic add (a process's, on a shared segment).
    Atomic,
    /// Each task counts on its own and adds its count once, at its end (a process hands its
    /// count back with its result).
    Partial,
}

impl SyncMode {
    pub const ALL: [SyncMode; 4] = [
        SyncMode::None,
        SyncMode::Lock,
        SyncMode::Atomic,
        SyncMode::Partial,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SyncMode::None => "none",
            SyncMode::Lock => "lock",
            SyncMode::Atomic => "atomic",
            SyncMode::Partial => "partial",
        }
    }

    /// In words, for the spec's description.
    pub fn describe(self) -> &'static str {
        match self {
            SyncMode::None => "read, add, write: no synchronisation",
            SyncMode::Lock => "a lock around each update",
            SyncMode::Atomic => "one atomic add each",
            SyncMode::Partial => "each task counts alone and adds its count once",
        }
    }

    /// Whether a process needs a memory segment it shares with the others (which needs a
    /// cross-origin isolated page): a lock or an atomic on one value.
    pub fn shares_memory(self) -> bool {
        matches!(self, SyncMode::Lock | SyncMode::Atomic)
    }
}

/// A checked run request with every default filled in: what the page, its workers and the
/// reports pass around (TypeScript's `Spec`, generated from this).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Spec {
    pub workload: Workload,
    pub size: u32,
    pub tasks: u32,
    pub lanes: Vec<Lane>,
    pub workers: u32,
    pub latency_ms: f64,
    pub jitter_ms: f64,
    pub gil_switch_ms: f64,
    pub yield_every: u32,
    pub seed: u32,
    pub fault: Fault,
    pub pool: Pool,
    /// SHA-256 rounds of CPU work after each `mixed` response.
    pub cpu_rounds: u32,
    /// Tasks a process gets in one message; 0: automatic (see `budget::chunk_size`).
    pub chunk: u32,
    /// How tasks that share one value keep it right (the `counter` workload).
    pub sync: SyncMode,
    /// A simulated I/O step between each read of the shared counter and its write, ms (0: none).
    pub step_ms: f64,
}

/// What the environment decides when the caller leaves a field out.
#[derive(Clone, Debug, PartialEq)]
pub struct Defaults {
    pub workers: u32,
    pub lanes: Vec<Lane>,
}

impl Spec {
    /// What the spec runs, in one sentence: "Count the primes below 1,000,000 in 64 tasks on
    /// 2 workers." (the embed's text).
    pub fn describe(&self) -> String {
        let on = if self.workers == 1 {
            "on 1 worker".to_owned()
        } else {
            format!("on {} workers", self.workers)
        };
        let fault = match self.fault {
            Fault::None => "",
            Fault::PanicOneTask => " One task panics.",
            Fault::OomOneTask => " One task runs out of memory.",
        };
        format!("{}{fault}", self.workload.kernel().describe(self, &on))
    }

    /// A small run of the same kernels, untimed, before a workload's first timed run: V8
    /// compiles wasm with a baseline tier first and optimises hot functions later, so the first
    /// lane timed does not pay for tier-up. The lanes run it (`warmupSpec`) and the time budget
    /// charges it.
    pub fn warmup(&self) -> Spec {
        let mut small = self.clone();
        self.workload.kernel().warm_up(&mut small);
        small.pool = Pool::Cold;
        small.fault = Fault::None;
        small
    }

    /// The spec as raw fields again, to normalise it a second time (the validator's idempotence
    /// tests, and the budget's tests of a field changed).
    pub fn to_raw(&self) -> RawSpec {
        let n = |v: f64| RawValue::Number(v);
        let t = |s: &str| RawValue::Text(s.to_owned());
        RawSpec::default()
            .with("workload", t(self.workload.name()))
            .with("size", n(self.size.into()))
            .with("tasks", n(self.tasks.into()))
            .with(
                "lanes",
                RawValue::List(self.lanes.iter().map(|l| t(l.name())).collect()),
            )
            .with("workers", n(self.workers.into()))
            .with("latencyMs", n(self.latency_ms))
            .with("jitterMs", n(self.jitter_ms))
            .with("gilSwitchMs", n(self.gil_switch_ms))
            .with("yieldEvery", n(self.yield_every.into()))
            .with("seed", n(self.seed.into()))
            .with("fault", t(self.fault.name()))
            .with("pool", t(self.pool.name()))
            .with("cpuRounds", n(self.cpu_rounds.into()))
            .with("chunk", n(self.chunk.into()))
            .with("sync", t(self.sync.name()))
            .with("stepMs", n(self.step_ms))
    }
}
