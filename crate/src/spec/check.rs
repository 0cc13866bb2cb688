//! The one checker: every field against its range, then the workload's own limits.

use super::raw::{RawSpec, RawValue};
use super::{Defaults, Fault, Lane, Pool, Spec, SyncMode, Workload, DEFAULT_WORKLOAD};
use crate::error::Error;
use crate::workloads::Split;

pub const FIELDS: [&str; 16] = [
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
    "sync",
    "stepMs",
];

/// Every process of the processes lane receives its own copy of a workload's buffer: cap the sum.
pub const MAX_SHARE_COPIES_MB: u32 = 1024;

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
pub const STEP_MS: Range = Range {
    min: 0.0,
    max: MAX_LATENCY_MS,
    default: 0.0,
};
/// 0: automatic.
pub const CHUNK: Range = Range {
    min: 0.0,
    max: MAX_TASKS as f64,
    default: 0.0,
};

impl RawSpec {
    /// Refuses the first field not in `known`, naming it and listing `known` ("is not a spec
    /// field (known fields: …)").
    ///
    /// # Errors
    /// [`Error::Field`] naming the unknown field.
    pub(crate) fn only(&self, known: &[&str], what: &str, kind: &str) -> Result<(), Error> {
        match self
            .fields
            .iter()
            .find(|(name, _)| !known.contains(&name.as_str()))
        {
            Some((name, _)) => Err(Error::field(
                name,
                format!("is not {what} (known {kind}: {})", known.join(", ")),
            )),
            None => Ok(()),
        }
    }

    /// Checks every field, fills in defaults, and holds the spec to the caps on what one run
    /// may ask for (the processes' copies of a buffer, a workload's own limits).
    ///
    /// # Errors
    /// [`Error::Field`] naming the first unknown or bad field and what it allows.
    pub fn normalize(&self, defaults: &Defaults) -> Result<Spec, Error> {
        let spec = self.normalize_fields(defaults)?;
        check_copies(&spec)?;
        spec.workload.kernel().check(&spec)?;
        Ok(spec)
    }

    /// Checks every field and fills in defaults, without the caps of [`RawSpec::normalize`]: for
    /// a spec the crate made and checked already. A serve run's spec is one: its requests can
    /// outrun the caps of a batch run (`io`'s five minutes of waiting one request after another)
    /// because a serve run ends at its duration, and its options were held to the time budget.
    ///
    /// # Errors
    /// [`Error::Field`] naming the first unknown or bad field and what it allows.
    pub fn normalize_fields(&self, defaults: &Defaults) -> Result<Spec, Error> {
        self.only(&FIELDS, "a spec field", "fields")?;
        let workload = match self.get("workload") {
            RawValue::Missing => DEFAULT_WORKLOAD,
            v => one_of(v, "workload", Workload::ALL, |w| w.name())?,
        };
        let size = self.size(workload)?;
        let latency_ms = num(self.get("latencyMs"), "latencyMs", LATENCY_MS)?;
        let spec = Spec {
            workload,
            size,
            tasks: self.tasks(workload, size)?,
            lanes: self.lanes(defaults)?,
            workers: int(
                self.get("workers"),
                "workers",
                1,
                MAX_WORKERS,
                defaults.workers.clamp(1, MAX_WORKERS),
                "",
            )?,
            latency_ms,
            jitter_ms: num(
                self.get("jitterMs"),
                "jitterMs",
                Range {
                    min: 0.0,
                    max: latency_ms,
                    default: 0.0,
                },
            )?,
            gil_switch_ms: num(self.get("gilSwitchMs"), "gilSwitchMs", GIL_SWITCH_MS)?,
            yield_every: whole(self.get("yieldEvery"), "yieldEvery", YIELD_EVERY)?,
            seed: whole(self.get("seed"), "seed", SEED)?,
            fault: self.choice("fault", &Fault::ALL, Fault::name)?,
            pool: self.choice("pool", &Pool::ALL, Pool::name)?,
            cpu_rounds: whole(self.get("cpuRounds"), "cpuRounds", CPU_ROUNDS)?,
            chunk: whole(self.get("chunk"), "chunk", CHUNK)?,
            sync: self.choice("sync", &SyncMode::ALL, SyncMode::name)?,
            step_ms: num(self.get("stepMs"), "stepMs", STEP_MS)?,
        };
        Ok(spec)
    }

    fn size(&self, workload: Workload) -> Result<u32, Error> {
        let size = workload.kernel().size();
        int(
            self.get("size"),
            "size",
            size.min,
            size.max,
            size.default,
            &format!(" for {}", workload.name()),
        )
    }

    /// `tasks`: free up to `MAX_TASKS` for most workloads, at most one per unit of size for
    /// some (a band per row), exactly one per unit for others (a request each).
    fn tasks(&self, workload: Workload, size: u32) -> Result<u32, Error> {
        let max_size = workload.kernel().size().max;
        let v = self.get("tasks");
        match workload.kernel().split() {
            Split::OnePerUnit => {
                if *v == RawValue::Missing {
                    return Ok(size);
                }
                // Up to the size cap, not MAX_TASKS: a normalised spec of 20,000 requests must
                // pass again (a worker and the budget check what the page sends).
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
                Ok(t)
            }
            split => {
                let (max, default) = match split {
                    Split::Units => (size.min(MAX_TASKS), size.min(MAX_TASKS)),
                    _ => (MAX_TASKS, DEFAULT_TASKS),
                };
                let context = format!(" for {} of size {size}", workload.name());
                int(v, "tasks", 1, max, default, &context)
            }
        }
    }

    pub(crate) fn lanes(&self, defaults: &Defaults) -> Result<Vec<Lane>, Error> {
        let items = match self.get("lanes") {
            RawValue::Missing => return Ok(defaults.lanes.clone()),
            RawValue::List(items) => items,
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
        Ok(lanes)
    }

    /// One of `all`, or its `Default` when left out.
    fn choice<T: Copy + Default>(
        &self,
        field: &str,
        all: &[T],
        name: fn(T) -> &'static str,
    ) -> Result<T, Error> {
        match self.get(field) {
            RawValue::Missing => Ok(T::default()),
            v => one_of(v, field, all, name),
        }
    }
}

/// Every process of the processes lane gets its own copy of a workload's buffer.
fn check_copies(spec: &Spec) -> Result<(), Error> {
    let Some(mb) = spec.workload.kernel().buffer_mb(spec) else {
        return Ok(());
    };
    if spec.lanes.contains(&Lane::Processes) && mb * spec.workers > MAX_SHARE_COPIES_MB {
        return Err(Error::field(
            "size",
            format!(
                "{} size × workers must be at most {MAX_SHARE_COPIES_MB} MB when the processes \
                 lane runs (each process gets its own copy): {mb} MB × {} is too much",
                spec.workload.name(),
                spec.workers
            ),
        ));
    }
    Ok(())
}

fn describe(v: &RawValue) -> String {
    match v {
        RawValue::Missing => "nothing".into(),
        // As JavaScript would print them: the caller wrote JavaScript.
        // A form's number field the browser cannot read (`1e`, `1e400`) arrives as NaN.
        RawValue::Number(n) if n.is_nan() => "NaN (not a number)".into(),
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

pub(crate) fn num(v: &RawValue, field: &str, range: Range) -> Result<f64, Error> {
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
pub(crate) fn whole(v: &RawValue, field: &str, range: Range) -> Result<u32, Error> {
    int(
        v,
        field,
        range.min as u32,
        range.max as u32,
        range.default as u32,
        "",
    )
}

pub(crate) fn int(
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
        assert!(e.ends_with("got NaN (not a number)"), "{e}");
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
