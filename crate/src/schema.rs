//! The spec's schema for the page: every field with its kind, range, default and help text, and
//! every workload with its size range and nature. The page builds its controls, reads URLs and
//! words its verdicts from this, so nothing the crate defines is restated in TypeScript.
//!
//! No run changes any of it, so it is not in the wasm: the build runs the native `page-data`
//! program (native/src/page_data.rs), which prints [`page_data`] as JSON, and writes it into the
//! page's TypeScript, where `tsc` checks it against the types generated from these structs.

use serde::Serialize;

use crate::budget::BUDGET_MS;
use crate::lanes::SLICE;
use crate::serve::{serve_fields, ServeField};
use crate::spec::{
    Fault, Lane, Pool, Range, SyncMode, Workload, CHUNK, CPU_ROUNDS, DEFAULT_WORKLOAD, FIELDS,
    GIL_SWITCH_MS, LATENCY_MS, MAX_TASKS, MAX_WORKERS, SEED, STEP_MS, YIELD_EVERY,
};
use crate::trace::{Phase, STRIDE};
use crate::workloads::{example, hash, io::IO_ROUNDS, mandelbrot::MAX_ITER, share};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum FieldKind {
    /// A whole number.
    Whole,
    /// Any number in the range.
    Number,
    /// One of `choices`.
    Choice,
    /// A list of lanes.
    Lanes,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Field {
    pub name: &'static str,
    /// The form's label for it.
    pub label: &'static str,
    /// Whether the form keeps it under "more settings" (folded) rather than in the main row.
    pub more: bool,
    pub kind: FieldKind,
    /// Bounds of a number; `None` where they depend on another field (size: the workload).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub max: Option<f64>,
    /// The default of a number; `None` where it depends on the spec or the machine.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub default: Option<f64>,
    pub choices: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub default_choice: Option<&'static str>,
    pub help: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct WorkloadInfo {
    pub name: Workload,
    pub size_min: u32,
    pub size_max: u32,
    /// What `size` means for it.
    pub size_meaning: &'static str,
    /// CPU-bound (its tasks compute), or I/O-bound (its tasks wait for simulated responses).
    pub cpu_bound: bool,
    /// Memory, not the cores, bounds it: a speedup past the cores' count can come from cache.
    pub memory_bound: bool,
    /// Every task reads one large buffer, which each process must receive a copy of.
    pub reads_buffer: bool,
    /// Its tasks hand back an image's rows (the page paints them as they arrive).
    pub image: bool,
    /// Its tasks build one value together in shared state (the counter): a lane's answer is
    /// what it counted, and some lanes may lose updates.
    pub shared_state: bool,
    /// A small spec every lane runs in the tests, the bench and the Python bridge's checks:
    /// fields besides `workload`.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "Record<string, number | string>")
    )]
    pub example: std::collections::BTreeMap<&'static str, crate::workloads::Example>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
// Maps (a workload's example) as plain objects, not JS Maps, so the page can spread them.
#[cfg_attr(target_arch = "wasm32", tsify(hashmap_as_object))]
#[serde(rename_all = "camelCase")]
pub struct Schema {
    pub fields: Vec<Field>,
    pub workloads: Vec<WorkloadInfo>,
    pub lanes: Vec<Lane>,
    /// In the order of the trace's phase codes.
    pub phases: Vec<Phase>,
    pub max_workers: u32,
    pub budget_ms: f64,
    /// Numbers per event in the lanes' flat traces (crate/src/trace.rs).
    pub trace_stride: u32,
    /// SHA-256 rounds (`cpuRounds`) that take about a millisecond here, from the time budget's
    /// cost model: how the decision map turns "CPU per request" into a spec.
    pub cpu_rounds_per_ms: f64,
}

fn number(name: &'static str, kind: FieldKind, range: Range, help: &str) -> Field {
    Field {
        name,
        label: name,
        more: true,
        kind,
        min: Some(range.min),
        max: Some(range.max),
        default: Some(range.default),
        choices: Vec::new(),
        default_choice: None,
        help: help.to_owned(),
    }
}

fn choice<T: Copy>(
    name: &'static str,
    all: &[T],
    label: fn(T) -> &'static str,
    default: T,
    help: &str,
) -> Field {
    Field {
        name,
        label: name,
        more: true,
        kind: FieldKind::Choice,
        min: None,
        max: None,
        default: None,
        choices: all.iter().map(|&t| label(t)).collect(),
        default_choice: Some(label(default)),
        help: help.to_owned(),
    }
}

impl Field {
    fn labelled(self, label: &'static str) -> Field {
        Field { label, ..self }
    }

    /// In the form's main row, not folded under "more settings".
    fn main(self) -> Field {
        Field {
            more: false,
            ..self
        }
    }
}

/// What the Python bridge (python/concurrency_bridge) must agree on with the kernels: the build
/// writes these into the package's `_constants.py`, so a constant changed here reaches the Python
/// port without being typed twice.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct BridgeConstants {
    /// Units of work a task does between two looks at the world.
    pub slice: u64,
    /// The share scan's stride, bytes.
    pub share_stride: usize,
    /// The Mandelbrot iteration cap.
    pub mandelbrot_max_iter: u32,
    /// SHA-256 rounds after an `io` response.
    pub io_rounds: u32,
    /// The spec's fields in the crate's order.
    pub fields: Vec<&'static str>,
}

/// Everything the page and the Python bridge read from the crate and no run changes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PageData {
    pub schema: Schema,
    /// The numeric serve options, in the form's order.
    pub serve_fields: Vec<ServeField>,
    pub bridge: BridgeConstants,
}

pub fn page_data() -> PageData {
    PageData {
        schema: schema(),
        serve_fields: serve_fields(),
        bridge: BridgeConstants {
            slice: SLICE,
            share_stride: share::STRIDE,
            mandelbrot_max_iter: MAX_ITER,
            io_rounds: IO_ROUNDS,
            fields: FIELDS.to_vec(),
        },
    }
}

pub fn schema() -> Schema {
    let mut fields = main_fields();
    fields.extend(more_fields());
    Schema {
        fields,
        workloads: Workload::ALL.iter().map(|&w| workload_info(w)).collect(),
        lanes: Lane::ALL.to_vec(),
        phases: vec![
            Phase::Spawn,
            Phase::Compute,
            Phase::Wait,
            Phase::Transfer,
            Phase::GilWait,
            Phase::LockWait,
        ],
        max_workers: MAX_WORKERS,
        budget_ms: BUDGET_MS,
        trace_stride: STRIDE as u32,
        cpu_rounds_per_ms: 1e6 / hash::NS_PER_ROUND,
    }
}

fn workload_info(w: Workload) -> WorkloadInfo {
    let kernel = w.kernel();
    let size = kernel.size();
    let example = example(w);
    WorkloadInfo {
        name: w,
        size_min: size.min,
        size_max: size.max,
        size_meaning: size.meaning,
        cpu_bound: !kernel.io_bound(),
        memory_bound: kernel.memory_bound(),
        reads_buffer: kernel.buffer_mb(&example).is_some(),
        image: kernel.cost(&example, 0).result_bytes > 0.0,
        shared_state: kernel.shared_result().is_some(),
        example: kernel.example().iter().copied().collect(),
    }
}

/// The workloads by nature, from their kernels: "primes, … are CPU-bound; io and mixed wait
/// for simulated responses; counter shares one value".
fn workload_help() -> String {
    let names = |keep: fn(&dyn crate::workloads::Kernel) -> bool| {
        Workload::ALL
            .iter()
            .filter(|w| keep(w.kernel()))
            .map(|w| w.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let shared = |k: &dyn crate::workloads::Kernel| k.shared_result().is_some();
    format!(
        "{} are CPU-bound; {} wait for simulated responses; {} shares one value between tasks.",
        names(|k| !k.io_bound() && k.shared_result().is_none()),
        names(|k| k.io_bound()),
        names(shared),
    )
}

/// The form's main row: the workload, how much of it, on how many workers, in how many tasks.
fn main_fields() -> Vec<Field> {
    use FieldKind::{Lanes, Whole};
    vec![
        choice(
            "workload",
            Workload::ALL,
            Workload::name,
            DEFAULT_WORKLOAD,
            &workload_help(),
        )
        .labelled("Workload")
        .main(),
        Field {
            min: None,
            max: None,
            ..open(
                "size",
                Whole,
                0.0,
                0.0,
                "How much work: its meaning and range depend on the workload.",
            )
        }
        .labelled("Size"),
        open(
            "workers",
            Whole,
            1.0,
            f64::from(MAX_WORKERS),
            "Threads or processes. Empty: one per core here.",
        )
        .labelled("Workers"),
        open(
            "tasks",
            Whole,
            1.0,
            f64::from(MAX_TASKS),
            "Chunks the work is split into. Empty: automatic (io and mixed: one per request).",
        )
        .labelled("Tasks"),
        Field {
            kind: Lanes,
            min: None,
            max: None,
            choices: Lane::ALL.iter().map(|l| l.name()).collect(),
            ..open(
                "lanes",
                Lanes,
                0.0,
                0.0,
                "The concurrency models to race, one after another.",
            )
        }
        .labelled("Lanes"),
    ]
}

/// A number field with no fixed default (it depends on the spec or the machine).
fn open(name: &'static str, kind: FieldKind, min: f64, max: f64, help: &str) -> Field {
    Field {
        name,
        label: name,
        more: false,
        kind,
        min: Some(min),
        max: Some(max),
        default: None,
        choices: Vec::new(),
        default_choice: None,
        help: help.to_owned(),
    }
}

/// The folded "more settings": I/O, the GIL, async, the processes, faults, the seed.
fn more_fields() -> Vec<Field> {
    use FieldKind::{Number, Whole};
    vec![
        number("latencyMs", Number, LATENCY_MS, "Each simulated request waits this long for its response.")
            .labelled("Latency (ms)"),
        Field {
            max: None,
            ..number(
                "jitterMs",
                Number,
                Range { min: 0.0, max: LATENCY_MS.max, default: 0.0 },
                "Seeded spread around the latency, 0 to the latency; every lane sees the same latencies.",
            )
        }
        .labelled("Jitter (± ms)"),
        number("cpuRounds", Whole, CPU_ROUNDS, "SHA-256 rounds after each mixed response (2000 ≈ 1 ms).")
            .labelled("CPU per response (mixed)"),
        number(
            "gilSwitchMs",
            Number,
            GIL_SWITCH_MS,
            "How long a thread waits before asking the GIL holder to let go (CPython: 5).",
        )
        .labelled("GIL switch interval (ms)"),
        number(
            "yieldEvery",
            Whole,
            YIELD_EVERY,
            "Units of CPU work between yields to the event loop; 0 never yields (the loop is blocked).",
        )
        .labelled("Async yield every"),
        number(
            "chunk",
            Whole,
            CHUNK,
            "Tasks a process gets in one message; 0: automatic (6 ms of work a message, at most Python's Pool.map chunks).",
        )
        .labelled("Tasks per message (processes)"),
        choice(
            "sync",
            &SyncMode::ALL,
            SyncMode::name,
            SyncMode::default(),
            "How tasks sharing one counter keep it right (counter): none, a lock, an atomic add, or counts summed once.",
        )
        .labelled("Sharing (counter)"),
        number(
            "stepMs",
            Number,
            STEP_MS,
            "A simulated I/O step between each read of the shared counter and its write (counter): an await in async, a wait that lets go of the GIL.",
        )
        .labelled("Step between read and write (ms)"),
        choice(
            "pool",
            &Pool::ALL,
            Pool::name,
            Pool::default(),
            "Cold starts processes for the run and shows the spawn cost; warm reuses the last run's.",
        )
        .labelled("Process pool"),
        choice(
            "fault",
            &Fault::ALL,
            Fault::name,
            Fault::default(),
            "One task fails: a process dies alone; threads share one instance and all fail.",
        )
        .labelled("Fault"),
        number("seed", Whole, SEED, "Seeds latencies, hashes, the share buffer and the faulty task.")
            .labelled("Seed"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Defaults, RawSpec, RawValue, DEFAULT_TASKS};

    #[test]
    fn every_spec_field_is_described_once() {
        let names: Vec<_> = schema().fields.iter().map(|f| f.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        let mut known = crate::spec::FIELDS.to_vec();
        known.sort_unstable();
        assert_eq!(sorted, known);
    }

    #[test]
    fn defaults_are_what_normalize_fills_in() {
        let spec = RawSpec::default()
            .normalize(&Defaults {
                workers: 2,
                lanes: vec![Lane::Sequential],
            })
            .unwrap();
        let s = schema();
        let default = |name: &str| s.fields.iter().find(|f| f.name == name).unwrap().default;
        assert_eq!(default("latencyMs"), Some(spec.latency_ms));
        assert_eq!(default("gilSwitchMs"), Some(spec.gil_switch_ms));
        assert_eq!(default("cpuRounds"), Some(f64::from(spec.cpu_rounds)));
        assert_eq!(default("seed"), Some(f64::from(spec.seed)));
        assert_eq!(default("yieldEvery"), Some(f64::from(spec.yield_every)));
        assert_eq!(spec.tasks, DEFAULT_TASKS);
        // A value just past a documented bound is refused with that field named.
        for f in s
            .fields
            .iter()
            .filter(|f| f.max.is_some() && f.kind != FieldKind::Lanes)
        {
            let over = f.max.unwrap() + 1.0;
            let e = RawSpec::default()
                .with(f.name, RawValue::Number(over))
                .normalize(&Defaults {
                    workers: 2,
                    lanes: vec![Lane::Sequential],
                })
                .unwrap_err()
                .to_string();
            assert!(e.starts_with(&format!("{}:", f.name)), "{e}");
        }
    }
}
