//! What a run asks for, and the one place it is checked.
//!
//! The page, the workers and the native bench all build a [`Spec`] through [`RawSpec::normalize`],
//! so a bad field gets the same message everywhere: it names the field and its allowed range.

use serde::{de, Deserialize, Serialize};

use crate::error::Error;

/// The workloads a run can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
    Primes,
    Mandelbrot,
    Hash,
    Io,
    Mixed,
    Share,
}

impl Workload {
    pub const ALL: [Workload; 6] = [
        Workload::Primes,
        Workload::Mandelbrot,
        Workload::Hash,
        Workload::Io,
        Workload::Mixed,
        Workload::Share,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Workload::Primes => "primes",
            Workload::Mandelbrot => "mandelbrot",
            Workload::Hash => "hash",
            Workload::Io => "io",
            Workload::Mixed => "mixed",
            Workload::Share => "share",
        }
    }

    /// Allowed `size` range: each cap keeps one sequential run within about a minute on a slow
    /// machine and every buffer far below the 1 GiB shared-memory ceiling.
    pub fn size_range(self) -> (u32, u32) {
        match self {
            Workload::Primes => (2, 20_000_000),
            Workload::Mandelbrot => (8, 4096),
            Workload::Hash => (1, 200_000),
            Workload::Io | Workload::Mixed => (1, 20_000),
            Workload::Share => (1, 256),
        }
    }

    pub fn default_size(self) -> u32 {
        match self {
            Workload::Primes => 2_000_000,
            Workload::Mandelbrot => 800,
            Workload::Hash => 20_000,
            Workload::Io => 200,
            Workload::Mixed => 200,
            Workload::Share => 64,
        }
    }

    /// Whether each request is its own task (`tasks` is then fixed to `size`).
    pub fn is_io(self) -> bool {
        matches!(self, Workload::Io | Workload::Mixed)
    }
}

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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum Pool {
    Cold,
    Warm,
}

impl Pool {
    pub fn name(self) -> &'static str {
        match self {
            Pool::Cold => "cold",
            Pool::Warm => "warm",
        }
    }
}

/// A fault injected on purpose, to show what each lane does when one task fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum Fault {
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
}

/// One field as the caller gave it, before checking.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum RawValue {
    #[default]
    Missing,
    Number(f64),
    Text(String),
    List(Vec<RawValue>),
    /// Anything else, by its JavaScript type name (`"boolean"`, `"object"`, `"null"`...).
    Other(String),
}

/// A run request as it arrives, field by field (the wasm layer fills it from a JS object).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawSpec {
    pub fields: Vec<(String, RawValue)>,
}

/// Whatever a caller passed as a spec: an object's fields in order, or the kind of value it was
/// instead (read with serde from JS values; `null` and `undefined` both mean "not given").
#[derive(Clone, Debug, PartialEq)]
pub enum RawInput {
    Object(RawSpec),
    Other(&'static str),
}

impl RawInput {
    /// # Errors
    /// [`Error::Field`] on `spec` when the value was not an object.
    pub fn into_raw(self) -> Result<RawSpec, Error> {
        match self {
            RawInput::Object(raw) => Ok(raw),
            RawInput::Other(kind) => Err(Error::field(
                "spec",
                format!(
                    "must be an object such as {{ workload: 'primes', size: 1000000 }}, got {kind}"
                ),
            )),
        }
    }
}

/// Reads any value, never failing: what is not an object or a field's expected shape is kept
/// as its kind, so `normalize` can say what it got.
struct Anything<T>(std::marker::PhantomData<T>);

impl<'de> de::Visitor<'de> for Anything<RawValue> {
    type Value = RawValue;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any value")
    }
    fn visit_unit<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Missing)
    }
    fn visit_none<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Missing)
    }
    fn visit_bool<E>(self, _: bool) -> Result<RawValue, E> {
        Ok(RawValue::Other("boolean".into()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<RawValue, E> {
        Ok(RawValue::Number(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<RawValue, E> {
        Ok(RawValue::Number(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<RawValue, E> {
        Ok(RawValue::Number(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<RawValue, E> {
        Ok(RawValue::Text(v.to_owned()))
    }
    fn visit_bytes<E>(self, _: &[u8]) -> Result<RawValue, E> {
        Ok(RawValue::Other("object".into()))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<RawValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<RawValue>()? {
            items.push(item);
        }
        Ok(RawValue::List(items))
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<RawValue, A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        Ok(RawValue::Other("object".into()))
    }
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Anything::<RawValue>(std::marker::PhantomData))
    }
}

impl<'de> de::Visitor<'de> for Anything<RawInput> {
    type Value = RawInput;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a spec object")
    }
    fn visit_unit<E>(self) -> Result<RawInput, E> {
        Ok(RawInput::Other("null"))
    }
    fn visit_none<E>(self) -> Result<RawInput, E> {
        Ok(RawInput::Other("null"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<RawInput, E> {
        Ok(RawInput::Other("boolean"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<RawInput, E> {
        Ok(RawInput::Other("number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<RawInput, E> {
        Ok(RawInput::Other("number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<RawInput, E> {
        Ok(RawInput::Other("number"))
    }
    fn visit_str<E>(self, _: &str) -> Result<RawInput, E> {
        Ok(RawInput::Other("string"))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<RawInput, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(RawInput::Other("array"))
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<RawInput, A::Error> {
        let mut raw = RawSpec::default();
        while let Some((name, value)) = map.next_entry::<String, RawValue>()? {
            raw = raw.with(&name, value);
        }
        Ok(RawInput::Object(raw))
    }
}

impl<'de> Deserialize<'de> for RawInput {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Anything::<RawInput>(std::marker::PhantomData))
    }
}

/// What the environment decides when the caller leaves a field out.
#[derive(Clone, Debug, PartialEq)]
pub struct Defaults {
    pub workers: u32,
    pub lanes: Vec<Lane>,
}

pub const FIELDS: [&str; 14] = [
    "workload",
    "size",
    "tasks",
    "lanes",
    "workers",
    "latencyMs",
    "jitterMs",
    "gilSwitchMs",
    "yieldEvery",
    "seed",
    "fault",
    "pool",
    "cpuRounds",
    "chunk",
];

/// Every process of the processes lane receives its own copy of the `share` buffer: cap the sum.
pub const MAX_SHARE_COPIES_MB: u32 = 1024;
/// Caps on a run's total work, so no run takes more than a few minutes on a slow machine:
/// simulated waiting for io/mixed one request after another (sequential), and SHA-256 rounds.
pub const MAX_TOTAL_WAIT_MS: f64 = 300_000.0;
pub const MAX_TOTAL_ROUNDS: u64 = 20_000_000;

pub const MAX_TASKS: u32 = 10_000;
pub const MAX_WORKERS: u32 = 64;
pub const MAX_LATENCY_MS: f64 = 10_000.0;
/// Tasks a CPU-bound workload is split into when the spec leaves it out (not mandelbrot: a band
/// per row, up to MAX_TASKS; not io/mixed: a task per request).
pub const DEFAULT_TASKS: u32 = 64;

/// A numeric field's allowed range and default: `normalize` checks with it and the page's
/// controls are built from it (`schema`), so the two cannot drift.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    pub min: f64,
    pub max: f64,
    pub default: f64,
}

pub const LATENCY_MS: Range = Range {
    min: 0.0,
    max: MAX_LATENCY_MS,
    default: 100.0,
};
pub const GIL_SWITCH_MS: Range = Range {
    min: 0.1,
    max: 1000.0,
    default: 5.0,
};
pub const YIELD_EVERY: Range = Range {
    min: 0.0,
    max: 1_000_000_000.0,
    default: 0.0,
};
pub const SEED: Range = Range {
    min: 0.0,
    max: u32::MAX as f64,
    default: 1.0,
};
pub const CPU_ROUNDS: Range = Range {
    min: 0.0,
    max: 1_000_000.0,
    default: 2_000.0,
};
/// 0: automatic.
pub const CHUNK: Range = Range {
    min: 0.0,
    max: MAX_TASKS as f64,
    default: 0.0,
};

impl RawSpec {
    pub fn with(mut self, field: &str, value: RawValue) -> Self {
        self.fields.push((field.to_owned(), value));
        self
    }

    fn get(&self, field: &str) -> &RawValue {
        self.fields
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, v)| v)
            .unwrap_or(&RawValue::Missing)
    }

    /// Checks every field and fills in defaults.
    ///
    /// # Errors
    /// [`Error::Field`] naming the first unknown or bad field and what it allows.
    pub fn normalize(&self, defaults: &Defaults) -> Result<Spec, Error> {
        if let Some((name, _)) = self
            .fields
            .iter()
            .find(|(name, _)| !FIELDS.contains(&name.as_str()))
        {
            return Err(Error::field(
                name,
                format!("is not a spec field (known fields: {})", FIELDS.join(", ")),
            ));
        }
        let workload = match self.get("workload") {
            RawValue::Missing => Workload::Primes,
            v => one_of(v, "workload", &Workload::ALL, |w| w.name())?,
        };
        let (min_size, max_size) = workload.size_range();
        let size = int(
            self.get("size"),
            "size",
            min_size,
            max_size,
            workload.default_size(),
            &format!(" for {}", workload.name()),
        )?;
        let tasks = if workload.is_io() {
            match self.get("tasks") {
                RawValue::Missing => size,
                v => {
                    // Up to the size cap, not MAX_TASKS: a normalised spec of 20,000 requests
                    // must pass again (a worker and the budget check what the page sends).
                    let t = int(v, "tasks", 1, max_size, size, "")?;
                    if t != size {
                        return Err(Error::field(
                            "tasks",
                            format!(
                                "must equal size ({size}) for {}: each request is one task",
                                workload.name()
                            ),
                        ));
                    }
                    t
                }
            }
        } else {
            let max = match workload {
                Workload::Mandelbrot => size.min(MAX_TASKS),
                _ => MAX_TASKS,
            };
            let default = match workload {
                Workload::Mandelbrot => size.min(MAX_TASKS),
                _ => DEFAULT_TASKS,
            };
            int(
                self.get("tasks"),
                "tasks",
                1,
                max,
                default,
                &format!(" for {} of size {size}", workload.name()),
            )?
        };
        let lanes = match self.get("lanes") {
            RawValue::Missing => defaults.lanes.clone(),
            RawValue::List(items) => {
                let mut lanes = Vec::with_capacity(items.len());
                for item in items {
                    let lane = one_of(item, "lanes", &Lane::ALL, |l| l.name())?;
                    if lanes.contains(&lane) {
                        return Err(Error::field(
                            "lanes",
                            format!("lists {} twice", lane.name()),
                        ));
                    }
                    lanes.push(lane);
                }
                if lanes.is_empty() {
                    return Err(Error::field("lanes", "must name at least one lane"));
                }
                lanes
            }
            other => {
                return Err(Error::field(
                    "lanes",
                    format!(
                        "must be a list of lanes ({}), got {}",
                        names(&Lane::ALL, |l| l.name()),
                        describe(other)
                    ),
                ))
            }
        };
        let workers = int(
            self.get("workers"),
            "workers",
            1,
            MAX_WORKERS,
            defaults.workers.clamp(1, MAX_WORKERS),
            "",
        )?;
        let latency_ms = num(self.get("latencyMs"), "latencyMs", LATENCY_MS)?;
        let jitter_ms = num(
            self.get("jitterMs"),
            "jitterMs",
            Range {
                min: 0.0,
                max: latency_ms,
                default: 0.0,
            },
        )?;
        let gil_switch_ms = num(self.get("gilSwitchMs"), "gilSwitchMs", GIL_SWITCH_MS)?;
        let yield_every = whole(self.get("yieldEvery"), "yieldEvery", YIELD_EVERY)?;
        let seed = whole(self.get("seed"), "seed", SEED)?;
        let fault = match self.get("fault") {
            RawValue::Missing => Fault::None,
            v => one_of(v, "fault", &Fault::ALL, |f| f.name())?,
        };
        let pool = match self.get("pool") {
            RawValue::Missing => Pool::Cold,
            v => one_of(v, "pool", &[Pool::Cold, Pool::Warm], |p| p.name())?,
        };
        if workload == Workload::Share
            && lanes.contains(&Lane::Processes)
            && size * workers > MAX_SHARE_COPIES_MB
        {
            return Err(Error::field(
                "size",
                format!(
                    "share size × workers must be at most {MAX_SHARE_COPIES_MB} MB when the processes \
                     lane runs (each process gets its own copy): {size} MB × {workers} is too much"
                ),
            ));
        }
        let cpu_rounds = whole(self.get("cpuRounds"), "cpuRounds", CPU_ROUNDS)?;
        let chunk = whole(self.get("chunk"), "chunk", CHUNK)?;
        if workload.is_io() && f64::from(size) * (latency_ms + jitter_ms) > MAX_TOTAL_WAIT_MS {
            return Err(Error::field(
                "latencyMs",
                format!(
                    "size × (latencyMs + jitterMs) must be at most {MAX_TOTAL_WAIT_MS} ms (5 minutes of \
                     waiting one request at a time): {size} × {} is too much",
                    latency_ms + jitter_ms
                ),
            ));
        }
        let rounds = match workload {
            Workload::Hash => u64::from(size) * u64::from(tasks),
            Workload::Mixed => u64::from(size) * u64::from(cpu_rounds),
            _ => 0,
        };
        if rounds > MAX_TOTAL_ROUNDS {
            let field = if workload == Workload::Hash {
                "tasks"
            } else {
                "cpuRounds"
            };
            return Err(Error::field(
                field,
                format!(
                    "the run would hash {rounds} rounds; at most {MAX_TOTAL_ROUNDS} (about 10 s on one \
                     core): lower size × {}",
                    if workload == Workload::Hash { "tasks" } else { "cpuRounds" }
                ),
            ));
        }
        Ok(Spec {
            workload,
            size,
            tasks,
            lanes,
            workers,
            latency_ms,
            jitter_ms,
            gil_switch_ms,
            yield_every,
            seed,
            fault,
            pool,
            cpu_rounds,
            chunk,
        })
    }
}

impl Spec {
    /// A small run of the same kernels, untimed, before a workload's first timed run: V8
    /// compiles wasm with a baseline tier first and optimises hot functions later, so the first
    /// lane timed does not pay for tier-up. The lanes run it (`warmupSpec`) and the time budget
    /// charges it.
    pub fn warmup(&self) -> Spec {
        let mut small = self.clone();
        let (size, tasks) = match self.workload {
            Workload::Primes => (self.size.min(300_000), self.tasks.min(16)),
            Workload::Mandelbrot => (self.size.min(160), self.tasks.min(160)),
            Workload::Hash => (self.size.min(1_000), self.tasks.min(8)),
            Workload::Io | Workload::Mixed => (self.size.min(16), self.size.min(16)),
            Workload::Share => (1, self.tasks.min(8)),
        };
        small.size = size;
        small.tasks = tasks;
        if self.workload.is_io() {
            small.latency_ms = 0.0;
            small.jitter_ms = 0.0;
            // Enough to warm the hash kernel: a million rounds a request would make the warm-up
            // of 16 requests seconds long.
            small.cpu_rounds = self.cpu_rounds.min(2_000);
        }
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
    }
}

fn describe(v: &RawValue) -> String {
    match v {
        RawValue::Missing => "nothing".into(),
        // As JavaScript would print them: the caller wrote JavaScript.
        RawValue::Number(n) if n.is_nan() => "NaN".into(),
        RawValue::Number(n) if n.is_infinite() => {
            if *n > 0.0 { "Infinity" } else { "-Infinity" }.into()
        }
        // Exponent form past 15 digits: echoing 1e308 in full would be 309 digits.
        RawValue::Number(n) if n.abs() >= 1e15 || (*n != 0.0 && n.abs() < 1e-6) => format!("{n:e}"),
        RawValue::Number(n) => format!("{n}"),
        RawValue::Text(s) => format!("{:?}", truncate(s)),
        RawValue::List(_) => "a list".into(),
        RawValue::Other(kind) => format!("a value of type {kind}"),
    }
}

/// Echoing a caller's string back is useful; echoing a megabyte of it is not.
fn truncate(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}…")
    }
}

fn names<T: Copy>(all: &[T], name: impl Fn(T) -> &'static str) -> String {
    all.iter().map(|&t| name(t)).collect::<Vec<_>>().join(", ")
}

fn one_of<T: Copy>(
    v: &RawValue,
    field: &str,
    all: &[T],
    name: impl Fn(T) -> &'static str + Copy,
) -> Result<T, Error> {
    if let RawValue::Text(s) = v {
        if let Some(&t) = all.iter().find(|&&t| name(t) == s) {
            return Ok(t);
        }
    }
    Err(Error::field(
        field,
        format!("must be one of {}, got {}", names(all, name), describe(v)),
    ))
}

fn num(v: &RawValue, field: &str, range: Range) -> Result<f64, Error> {
    let Range { min, max, default } = range;
    match v {
        RawValue::Missing => Ok(default),
        RawValue::Number(n) if n.is_finite() && (min..=max).contains(n) => Ok(*n),
        other => Err(Error::field(
            field,
            format!(
                "must be a number from {min} to {max}, got {}",
                describe(other)
            ),
        )),
    }
}

/// A whole-number field of a `Range` (its bounds are whole numbers within u32).
fn whole(v: &RawValue, field: &str, range: Range) -> Result<u32, Error> {
    int(
        v,
        field,
        range.min as u32,
        range.max as u32,
        range.default as u32,
        "",
    )
}

fn int(
    v: &RawValue,
    field: &str,
    min: u32,
    max: u32,
    default: u32,
    context: &str,
) -> Result<u32, Error> {
    match v {
        RawValue::Missing => Ok(default),
        RawValue::Number(n) if n.fract() == 0.0 && *n >= f64::from(min) && *n <= f64::from(max) => {
            Ok(*n as u32)
        }
        other => Err(Error::field(
            field,
            format!(
                "must be a whole number from {min} to {max}{context}, got {}",
                describe(other)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Defaults {
        Defaults {
            workers: 2,
            lanes: vec![Lane::Sequential, Lane::Threads],
        }
    }

    fn raw(fields: &[(&str, RawValue)]) -> RawSpec {
        fields
            .iter()
            .fold(RawSpec::default(), |r, (k, v)| r.with(k, v.clone()))
    }

    fn err(fields: &[(&str, RawValue)]) -> String {
        raw(fields).normalize(&defaults()).unwrap_err().to_string()
    }

    #[test]
    fn defaults_fill_every_field() {
        let spec = RawSpec::default().normalize(&defaults()).unwrap();
        assert_eq!(spec.workload, Workload::Primes);
        assert_eq!(spec.workers, 2);
        assert_eq!(spec.lanes, vec![Lane::Sequential, Lane::Threads]);
        assert_eq!(spec.tasks, 64);
        assert_eq!(spec.gil_switch_ms, 5.0);
    }

    #[test]
    fn normalize_is_idempotent() {
        let spec = raw(&[
            ("workload", RawValue::Text("io".into())),
            ("size", RawValue::Number(40.0)),
            ("jitterMs", RawValue::Number(10.0)),
        ])
        .normalize(&defaults())
        .unwrap();
        assert_eq!(spec.tasks, 40);
        assert_eq!(spec.to_raw().normalize(&defaults()).unwrap(), spec);
    }

    #[test]
    fn bad_fields_are_named_with_their_range() {
        let e = err(&[("size", RawValue::Number(0.0))]);
        assert!(e.starts_with("size:"), "{e}");
        assert!(e.contains("2 to 20000000"), "{e}");
        let e = err(&[("workers", RawValue::Number(f64::NAN))]);
        assert!(e.starts_with("workers:") && e.contains("1 to 64"), "{e}");
        let e = err(&[("workload", RawValue::Text("bogus".into()))]);
        assert!(
            e.starts_with("workload:") && e.contains("mandelbrot"),
            "{e}"
        );
        let e = err(&[("lanes", RawValue::List(vec![RawValue::Text("x".into())]))]);
        assert!(e.starts_with("lanes:") && e.contains("\"x\""), "{e}");
        let e = err(&[("lanes", RawValue::Text("threads".into()))]);
        assert!(e.starts_with("lanes:") && e.contains("list"), "{e}");
        let e = err(&[("size", RawValue::Other("boolean".into()))]);
        assert!(e.contains("type boolean"), "{e}");
        let e = err(&[("sise", RawValue::Number(3.0))]);
        assert!(
            e.starts_with("sise:") && e.contains("not a spec field"),
            "{e}"
        );
        let e = err(&[("size", RawValue::Number(2.5))]);
        assert!(e.starts_with("size:") && e.contains("whole number"), "{e}");
    }

    #[test]
    fn share_copies_are_capped_for_processes() {
        let e = RawSpec::default()
            .with("workload", RawValue::Text("share".into()))
            .with("size", RawValue::Number(256.0))
            .with("workers", RawValue::Number(8.0))
            .normalize(&Defaults {
                workers: 2,
                lanes: vec![Lane::Sequential, Lane::Processes],
            })
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("size:") && e.contains("1024 MB"), "{e}");
        let threads_only = RawSpec::default()
            .with("workload", RawValue::Text("share".into()))
            .with("size", RawValue::Number(256.0))
            .with("workers", RawValue::Number(8.0))
            .normalize(&defaults());
        assert!(threads_only.is_ok());
    }

    #[test]
    fn total_work_is_capped() {
        let e = err(&[
            ("workload", RawValue::Text("io".into())),
            ("size", RawValue::Number(20_000.0)),
            ("latencyMs", RawValue::Number(1000.0)),
        ]);
        assert!(e.starts_with("latencyMs:") && e.contains("300000"), "{e}");
        let e = err(&[
            ("workload", RawValue::Text("hash".into())),
            ("size", RawValue::Number(200_000.0)),
            ("tasks", RawValue::Number(1000.0)),
        ]);
        assert!(e.starts_with("tasks:") && e.contains("20000000"), "{e}");
        let e = err(&[
            ("workload", RawValue::Text("mixed".into())),
            ("size", RawValue::Number(1000.0)),
            ("cpuRounds", RawValue::Number(1_000_000.0)),
        ]);
        assert!(e.starts_with("cpuRounds:"), "{e}");
    }

    #[test]
    fn chunk_is_checked() {
        let e = err(&[("chunk", RawValue::Number(10_001.0))]);
        assert!(e.starts_with("chunk:") && e.contains("0 to 10000"), "{e}");
        let e = err(&[("chunk", RawValue::Number(-1.0))]);
        assert!(e.starts_with("chunk:"), "{e}");
    }

    #[test]
    fn jitter_cannot_exceed_latency() {
        let e = err(&[
            ("latencyMs", RawValue::Number(10.0)),
            ("jitterMs", RawValue::Number(20.0)),
        ]);
        assert!(e.starts_with("jitterMs:") && e.contains("0 to 10"), "{e}");
    }

    #[test]
    fn the_largest_io_spec_normalises_again() {
        let spec = raw(&[
            ("workload", RawValue::Text("io".into())),
            ("size", RawValue::Number(20_000.0)),
            ("latencyMs", RawValue::Number(0.0)),
        ])
        .normalize(&defaults())
        .unwrap();
        assert_eq!(spec.tasks, 20_000);
        assert_eq!(spec.to_raw().normalize(&defaults()).unwrap(), spec);
    }

    #[test]
    fn io_tasks_must_match_requests() {
        let e = err(&[
            ("workload", RawValue::Text("io".into())),
            ("size", RawValue::Number(10.0)),
            ("tasks", RawValue::Number(3.0)),
        ]);
        assert!(e.starts_with("tasks:"), "{e}");
    }

    #[test]
    fn long_strings_are_not_echoed_whole() {
        let e = err(&[("workload", RawValue::Text("<".repeat(10_000)))]);
        assert!(e.len() < 300, "{e}");
    }
}
