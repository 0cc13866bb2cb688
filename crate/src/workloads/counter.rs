//! One shared counter: `tasks` tasks each add 1 to it `size` times. What "shared" means is the
//! lesson: threads share one memory, so unsynchronised read-add-write steps lose updates; a
//! process has its own memory, so it counts in its own copy; async tasks take turns, so they lose
//! updates only where an `await` sits between the read and the write. `sync` picks the fix:
//! none, a lock around each update, one atomic add, or counts kept apart and summed once.
//!
//! With `stepMs` above 0 a simulated I/O step sits between the read and the write (an `await`
//! in async, a blocking wait that releases the GIL for GIL threads). Without it nothing does, and
//! the GIL, which only changes hands between slices of work, never interrupts an update, as
//! CPython 3.10+ never switches threads inside `counter += 1` in a bare loop.
//!
//! The counter itself is a [`Cell`]: this instance's own (in shared memory in the threads build,
//! so every thread meets it), or a shared segment a process was given ([`use_segment`]).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::OnceLock;

use super::{count, number, of_finished, Cost, Kernel, Progress, Size, Step};
use crate::spec::{Lane, Spec, SyncMode as Sync};

pub struct Counter;

/// One update of a contended atomic, on the time budget's reference machine; a lock costs
/// several of them, and a shared segment's calls out of wasm more.
const NS_PER_UPDATE: f64 = 40.0;

/// Where the counter lives.
pub trait Cell: std::marker::Sync {
    fn load(&self) -> u64;
    fn store(&self, value: u64);
    fn add(&self, value: u64);
    /// Takes the lock if it is free.
    fn try_lock(&self) -> bool;
    fn unlock(&self);
}

/// This instance's own counter and lock (relaxed atomics: racy read-add-write steps lose
/// updates as unsynchronised ones do, and Rust stays free of undefined behaviour).
struct Own {
    count: AtomicU64,
    locked: AtomicBool,
}

static OWN: Own = Own {
    count: AtomicU64::new(0),
    locked: AtomicBool::new(false),
};

impl Cell for Own {
    fn load(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }
    fn store(&self, value: u64) {
        self.count.store(value, Ordering::Relaxed);
    }
    fn add(&self, value: u64) {
        self.count.fetch_add(value, Ordering::Relaxed);
    }
    fn try_lock(&self) -> bool {
        self.locked
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }
    fn unlock(&self) {
        self.locked.store(false, Ordering::Release);
    }
}

/// A segment shared between processes (the wasm layer registers it once), and whether this
/// run counts in it rather than in the instance's own memory.
static SEGMENT: OnceLock<&'static dyn Cell> = OnceLock::new();
static IN_SEGMENT: AtomicBool = AtomicBool::new(false);

/// Registers the shared segment's cell (once an instance).
pub fn register_segment(cell: &'static dyn Cell) {
    let _ = SEGMENT.set(cell);
}

/// Counts this run in the shared segment (`true`) or in the instance's own memory.
pub fn use_segment(on: bool) {
    IN_SEGMENT.store(on && SEGMENT.get().is_some(), Ordering::Relaxed);
}

fn cell() -> &'static dyn Cell {
    match SEGMENT.get() {
        Some(segment) if IN_SEGMENT.load(Ordering::Relaxed) => *segment,
        _ => &OWN,
    }
}

/// Held by whatever runs a counter in a test: the counter is one per instance (per test binary
/// natively), and tests run side by side.
#[doc(hidden)]
pub static EXCLUSIVE: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A run starts from 0, unlocked (this instance's own counter; a segment is its owner's).
pub fn reset() {
    OWN.store(0);
    OWN.unlock();
}

/// The counter now: what the run counted, where this instance counts.
pub fn counted() -> u64 {
    cell().load()
}

/// Where one task is in its current update.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    /// About to start an update (taking the lock first if it needs one).
    Start,
    /// Read `seen`; the write comes next.
    Read { seen: u64 },
    /// Waited its I/O step after reading `seen`; writes now.
    Waited { seen: u64 },
}

pub struct Updates {
    sync: Sync,
    left: u32,
    latency_ms: f64,
    phase: Phase,
    /// `partial`: this task's own count, added to the counter once at its end.
    mine: u64,
    done: u64,
}

impl Step for Updates {
    fn advance(&mut self, budget: u64) -> Progress {
        let cell = cell();
        let mut left = budget;
        // A slice of work ends between updates, never inside one: the GIL changes hands only
        // there, as CPython's does in a bare `counter += 1` loop.
        while self.left > 0 && (left > 0 || self.phase != Phase::Start) {
            left = left.saturating_sub(1);
            match (self.sync, self.phase) {
                (Sync::Atomic, _) => {
                    if self.latency_ms > 0.0 && self.phase == Phase::Start {
                        self.phase = Phase::Waited { seen: 0 };
                        return Progress::Wait(self.latency_ms);
                    }
                    cell.add(1);
                    self.finish_update();
                }
                (Sync::Partial, _) => {
                    if self.latency_ms > 0.0 && self.phase == Phase::Start {
                        self.phase = Phase::Waited { seen: 0 };
                        return Progress::Wait(self.latency_ms);
                    }
                    self.mine += 1;
                    self.finish_update();
                }
                (_, Phase::Start) => {
                    if self.sync == Sync::Lock && !cell.try_lock() {
                        return Progress::Blocked;
                    }
                    self.phase = Phase::Read { seen: cell.load() };
                }
                (_, Phase::Read { seen }) if self.latency_ms > 0.0 => {
                    self.phase = Phase::Waited { seen };
                    return Progress::Wait(self.latency_ms);
                }
                (_, Phase::Read { seen } | Phase::Waited { seen }) => {
                    cell.store(seen + 1);
                    if self.sync == Sync::Lock {
                        cell.unlock();
                    }
                    self.finish_update();
                }
            }
        }
        if self.left > 0 {
            return Progress::Working;
        }
        if self.sync == Sync::Partial {
            cell.add(self.mine);
        }
        Progress::Done(self.done)
    }
}

impl Updates {
    fn finish_update(&mut self) {
        self.left -= 1;
        self.done += 1;
        self.phase = Phase::Start;
    }
}

impl Kernel for Counter {
    fn size(&self) -> Size {
        Size {
            min: 1,
            max: 10_000_000,
            default: 100_000,
            meaning: "updates each task makes to the shared counter",
        }
    }

    fn io_bound(&self) -> bool {
        false
    }

    fn start<'a>(&self, spec: &Spec, _index: u32, _data: &'a [u8]) -> Box<dyn Step + 'a> {
        Box::new(Updates {
            sync: spec.sync,
            left: spec.size,
            latency_ms: spec.step_ms,
            phase: Phase::Start,
            mine: 0,
            done: 0,
        })
    }

    fn cost(&self, spec: &Spec, _index: u32) -> Cost {
        let updates = f64::from(spec.size);
        let each = match spec.sync {
            Sync::None | Sync::Atomic => 1.0,
            Sync::Lock => 4.0,
            Sync::Partial => 0.25,
        };
        Cost {
            units: updates,
            compute_ms: updates * each * NS_PER_UPDATE / 1e6,
            wait_ms: (spec.step_ms > 0.0).then_some(updates * spec.step_ms),
            waits: updates,
            ..Cost::default()
        }
    }

    fn warm_up(&self, spec: &mut Spec) {
        spec.size = spec.size.min(10_000);
        spec.tasks = spec.tasks.min(4);
        spec.step_ms = 0.0;
    }

    fn checksum(&self, sum: u64) -> String {
        sum.to_string()
    }

    fn describe(&self, spec: &Spec, on: &str) -> String {
        let step = if spec.step_ms > 0.0 {
            format!(
                ", waiting {} ms between each read and write",
                number(spec.step_ms)
            )
        } else {
            String::new()
        };
        let tasks = if spec.tasks == 1 {
            "in 1 task".to_owned()
        } else {
            format!("in each of {}", count(spec.tasks.into(), "task"))
        };
        format!(
            "Add 1 to one shared counter {} {tasks}{step} ({}) {on}.",
            count(spec.size.into(), "time"),
            spec.sync.describe()
        )
    }

    fn result(&self, spec: &Spec, checksum: &str, done: u32) -> String {
        let expected = u64::from(spec.size) * u64::from(done);
        let counted: u64 = checksum.parse().unwrap_or(0);
        let lost = expected.saturating_sub(counted);
        let counted = number(counted as f64);
        if lost == 0 && expected == 1 {
            format!("counted the one update{}", of_finished(spec, done))
        } else if lost == 0 {
            format!(
                "counted all {}{}",
                count(expected as f64, "update"),
                of_finished(spec, done)
            )
        } else {
            format!(
                "counted {counted} of {}{}: {} lost",
                count(expected as f64, "update"),
                of_finished(spec, done),
                number(lost as f64)
            )
        }
    }

    fn example(&self) -> &'static [(&'static str, super::Example)] {
        use super::Example::{Number, Text};
        &[
            ("size", Number(1000.0)),
            ("tasks", Number(4.0)),
            ("sync", Text("partial")),
        ]
    }

    /// Every task's updates, all counted: what the exact variants must reach.
    fn oracle(&self, spec: &Spec, _data: &[u8]) -> u64 {
        u64::from(spec.size) * u64::from(spec.tasks)
    }

    fn before_run(&self, _spec: &Spec) {
        reset();
    }

    fn shared_result(&self) -> Option<u64> {
        Some(counted())
    }

    /// Every update counted, whatever the timing: with a lock, an atomic add or counts summed
    /// once; or where nothing lets another task in between a read and its write.
    fn exact(&self, spec: &Spec, lane: Lane) -> bool {
        match spec.sync {
            Sync::Lock | Sync::Atomic | Sync::Partial => true,
            Sync::None => match lane {
                Lane::Sequential => true,
                Lane::Async | Lane::Gil => spec.step_ms == 0.0,
                Lane::Threads | Lane::Processes => false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Defaults, RawSpec, RawValue};
    use crate::workloads::{run_to_end, task};

    fn spec(sync: &str, size: u32, tasks: u32) -> Spec {
        RawSpec::default()
            .with("workload", RawValue::Text("counter".into()))
            .with("size", RawValue::Number(size.into()))
            .with("tasks", RawValue::Number(tasks.into()))
            .with("sync", RawValue::Text(sync.into()))
            .normalize(&Defaults {
                workers: 2,
                lanes: vec![Lane::Sequential],
            })
            .unwrap()
    }

    fn exclusive() -> std::sync::MutexGuard<'static, ()> {
        EXCLUSIVE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    #[test]
    fn one_after_another_every_variant_counts_every_update() {
        let _counter = exclusive();
        for sync in ["none", "lock", "atomic", "partial"] {
            let s = spec(sync, 1000, 3);
            reset();
            for i in 0..3 {
                assert_eq!(run_to_end(&s, i, &[]), 1000, "{sync}");
            }
            assert_eq!(counted(), 3000, "{sync}");
        }
    }

    #[test]
    fn a_slice_of_work_never_ends_inside_an_update() {
        // The GIL changes hands between slices: one step's budget still finishes the update.
        let _counter = exclusive();
        let s = spec("none", 3, 1);
        reset();
        let mut a = task(&s, 0, &[]);
        assert_eq!(a.advance(1), Progress::Working);
        assert_eq!(counted(), 1);
    }

    #[test]
    fn a_wait_between_read_and_write_loses_updates_and_a_lock_blocks_the_second() {
        // Two tasks taking turns at their waits: read A, wait; read B, wait; write A; write B.
        // The second write overwrites the first.
        let _counter = exclusive();
        let mut s = spec("none", 1, 2);
        s.step_ms = 1.0;
        reset();
        let (mut a, mut b) = (task(&s, 0, &[]), task(&s, 1, &[]));
        assert_eq!(a.advance(1), Progress::Wait(1.0));
        assert_eq!(b.advance(1), Progress::Wait(1.0));
        assert!(matches!(a.advance(1), Progress::Done(1)));
        assert!(matches!(b.advance(1), Progress::Done(1)));
        assert_eq!(counted(), 1, "one update lost");
        s.sync = Sync::Lock;
        reset();
        let (mut a, mut b) = (task(&s, 0, &[]), task(&s, 1, &[]));
        assert_eq!(a.advance(1), Progress::Wait(1.0));
        assert_eq!(b.advance(1), Progress::Blocked, "the lock is A's");
        assert!(matches!(a.advance(1), Progress::Done(1)));
        assert_eq!(b.advance(1), Progress::Wait(1.0));
        assert!(matches!(b.advance(1), Progress::Done(1)));
        assert_eq!(counted(), 2, "none lost");
    }
}
