//! The pure kernels, one module per workload. Each module implements [`Kernel`]: everything the
//! rest of the system asks of a workload (what `size` means and its range, how the work splits
//! into tasks, the tasks themselves, their cost for the time budget, the answer in words, a
//! small example and an independent oracle for the tests). One line of [`workloads!`] registers
//! it: the validator, the schema (and so the page's form and URL), the budget, the answer, the
//! tests, the bench and the Python bridge's tables read it from there.
//!
//! A task is a small state machine that the lanes advance a slice at a time (so the GIL can
//! switch, async can yield and cancel can land between slices) and that ends with a `u64`
//! partial. A lane's checksum is the wrapping sum of its tasks' partials: addition does not care
//! which task finished first or which worker ran it, so every lane must arrive at the same number.

pub mod counter;
pub mod hash;
pub mod io;
pub mod mandelbrot;
pub mod primes;
pub mod share;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::spec::{Fault, Lane, Spec};

macro_rules! workloads {
    ($($variant:ident = $name:literal => $kernel:expr,)*) => {
        /// The workloads a run can ask for: one line each in `workloads!`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
        #[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
        pub enum Workload {
            $(#[serde(rename = $name)] $variant,)*
        }

        impl Workload {
            pub const ALL: &'static [Workload] = &[$(Workload::$variant,)*];

            pub fn name(self) -> &'static str {
                match self {
                    $(Workload::$variant => $name,)*
                }
            }

            /// Everything the system asks of this workload.
            pub fn kernel(self) -> &'static dyn Kernel {
                match self {
                    $(Workload::$variant => &$kernel,)*
                }
            }
        }
    };
}

workloads! {
    Primes = "primes" => primes::Primes,
    Mandelbrot = "mandelbrot" => mandelbrot::Mandelbrot,
    Hash = "hash" => hash::Hash,
    Io = "io" => io::IO,
    Mixed = "mixed" => io::MIXED,
    Share = "share" => share::Share,
    Counter = "counter" => counter::Counter,
}

/// What a task did with the budget it was given.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Progress {
    /// Budget used up, more to do.
    Working,
    /// The task waits for a simulated response for this many milliseconds before it goes on.
    Wait(f64),
    /// Finished, with the task's partial result.
    Done(u64),
    /// Blocked on a lock another task holds: the lane waits (a `lock-wait`), then asks again.
    Blocked,
}

/// One task of a workload, in progress.
pub trait Step {
    /// Does at most `budget` units of work (numbers tested, pixels, hash rounds, bytes read).
    fn advance(&mut self, budget: u64) -> Progress;

    /// What the finished task hands back besides its partial: a Mandelbrot band's pixels.
    fn pixels(&self) -> Option<&[u8]> {
        None
    }
}

/// What `size` means for a workload, and its range and default.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Size {
    pub min: u32,
    pub max: u32,
    pub default: u32,
    /// In words, for the form: "count the primes below it".
    pub meaning: &'static str,
}

/// How a workload's work splits into tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// Any number of tasks up to `MAX_TASKS`, each a share of the size (64 by default).
    Shares,
    /// At most one task per unit of size, and by default exactly that (a band per row).
    Units,
    /// Exactly one task per unit of size (a request each): `tasks` always equals `size`.
    OnePerUnit,
}

/// One task's cost on the time budget's reference machine (crate/src/budget.rs).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Cost {
    /// Units of work, as [`Step::advance`] counts them.
    pub units: f64,
    /// Its kernel's compute, ms.
    pub compute_ms: f64,
    /// Its kernel's waits on memory past the cache on top of `compute_ms`, ms (a big buffer's
    /// scan): the time budget scales it by the machine's `memory`, not only its `speed`.
    pub memory_ms: f64,
    /// The simulated responses it waits for, ms in all (I/O-bound workloads, the counter's step).
    pub wait_ms: Option<f64>,
    /// How many waits those are (1 for a request).
    pub waits: f64,
    /// Bytes it hands back besides its partial (a band's pixels).
    pub result_bytes: f64,
}

/// A value of a workload's example spec.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Example {
    Number(f64),
    Text(&'static str),
}

/// Everything the rest of the system asks of a workload. A module implements it for a unit
/// struct; `workloads!` registers it.
pub trait Kernel: Sync {
    fn size(&self) -> Size;

    fn split(&self) -> Split {
        Split::Shares
    }

    /// Whether its tasks wait for simulated responses (I/O-bound) rather than only compute.
    fn io_bound(&self) -> bool {
        false
    }

    /// The MB of one large read-only buffer every task reads, if it has one: made once where
    /// memory is shared, copied into every process.
    fn buffer_mb(&self, _spec: &Spec) -> Option<u32> {
        None
    }

    /// Whether memory, not the cores, bounds it: then more cores bring more cache too, and a
    /// speedup can pass their count.
    fn memory_bound(&self) -> bool {
        false
    }

    /// The field to lower when its compute is over the time budget: what sets how much a task
    /// computes.
    fn heavy_field(&self) -> &'static str {
        "size"
    }

    /// The workload's own limits beyond its size range (a cap on total work).
    ///
    /// # Errors
    /// [`Error::Field`] naming the field to lower.
    fn check(&self, _spec: &Spec) -> Result<(), Error> {
        Ok(())
    }

    /// Task `index` of `spec`, ready to advance; `data` is the buffer of [`Kernel::buffer_mb`].
    fn start<'a>(&self, spec: &Spec, index: u32, data: &'a [u8]) -> Box<dyn Step + 'a>;

    /// Task `index`'s cost on the time budget's reference machine.
    fn cost(&self, spec: &Spec, index: u32) -> Cost;

    /// Makes `spec` the small untimed run that warms this kernel before its first timed run.
    fn warm_up(&self, spec: &mut Spec);

    /// The checksum as the report shows it.
    fn checksum(&self, sum: u64) -> String {
        format!("{sum:016x}")
    }

    /// What the spec asks, in words, ending with `on` ("on 2 workers").
    fn describe(&self, spec: &Spec, on: &str) -> String;

    /// What a checksum over `done` of the spec's tasks says: "counted 78,498 primes below …".
    fn result(&self, spec: &Spec, checksum: &str, done: u32) -> String;

    /// A small spec every lane runs in the tests (fields besides `workload`); every lane must
    /// give its one answer.
    fn example(&self) -> &'static [(&'static str, Example)];

    /// The spec's answer computed another way than its tasks' steps, for the tests.
    fn oracle(&self, spec: &Spec, data: &[u8]) -> u64;

    /// State every task of a run shares (a counter) starts afresh: each lane calls this before
    /// its tasks.
    fn before_run(&self, _spec: &Spec) {}

    /// The value the run's tasks built together in shared state, where the workload has one
    /// (the counter): the lane's answer, rather than the sum of its tasks' partials.
    fn shared_result(&self) -> Option<u64> {
        None
    }

    /// Whether the answer of a run of `spec` on `lane` is the same however the tasks' steps
    /// interleave: only then is it a checksum the lanes must agree on.
    fn exact(&self, _spec: &Spec, _lane: Lane) -> bool {
        true
    }
}

/// Starts task `index` of `spec`. `data` is the workload's buffer, if it reads one.
pub fn task<'a>(spec: &Spec, index: u32, data: &'a [u8]) -> Box<dyn Step + 'a> {
    spec.workload.kernel().start(spec, index, data)
}

/// The `[lo, hi)` share of `0..total` that task `index` of `tasks` covers.
pub fn split(total: u32, tasks: u32, index: u32) -> (u32, u32) {
    let at = |i: u32| (u64::from(total) * u64::from(i) / u64::from(tasks)) as u32;
    (at(index), at(index + 1))
}

/// The task an injected fault hits (seeded, so every lane picks the same).
pub fn faulty_task(spec: &Spec) -> Option<u32> {
    match spec.fault {
        Fault::None => None,
        Fault::PanicOneTask | Fault::OomOneTask => {
            Some((mix(u64::from(spec.seed), 0xfa17) % u64::from(spec.tasks)) as u32)
        }
    }
}

/// Folds task partials into the lane's checksum.
pub fn fold(partials: impl IntoIterator<Item = u64>) -> u64 {
    partials.into_iter().fold(0, u64::wrapping_add)
}

/// The checksum as the report shows it (the workload's own form: a count, or a digest in hex).
pub fn format_checksum(workload: Workload, sum: u64) -> String {
    workload.kernel().checksum(sum)
}

/// SplitMix64's finaliser over two words: a cheap, well-spread hash for seeds and digests.
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Runs a task to the end with no waits honoured: for kernels' own tests and references.
pub fn run_to_end(spec: &Spec, index: u32, data: &[u8]) -> u64 {
    let mut step = task(spec, index, data);
    loop {
        if let Progress::Done(p) = step.advance(u64::MAX) {
            return p;
        }
    }
}

/// A number as people write it in English: `1,000,000`, `0.5`.
pub fn number(x: f64) -> String {
    let whole = x.trunc();
    let digits = format!("{}", whole.abs() as u64);
    let mut out = String::new();
    if x < 0.0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    let rest = format!("{:.3}", (x - whole).abs());
    let rest = rest.trim_start_matches('0').trim_end_matches('0');
    if rest.len() > 1 {
        out.push_str(rest);
    }
    out
}

/// A number with its noun: "1 task", "64 tasks", "1.5 rounds"; singular exactly when the number
/// reads as 1, as `count` in www/src/words.ts.
pub fn count(x: f64, noun: &str) -> String {
    let shown = number(x);
    let s = if shown == "1" { "" } else { "s" };
    format!("{shown} {noun}{s}")
}

/// " in the 63 of 64 tasks it finished" when a lane kept only part of its work.
pub fn of_finished(spec: &Spec, done: u32) -> String {
    if done < spec.tasks {
        format!(
            " in the {} of {} it finished",
            number(done.into()),
            count(spec.tasks.into(), "task")
        )
    } else {
        String::new()
    }
}

#[cfg(test)]
pub(crate) fn spec(workload: Workload, size: u32, tasks: u32) -> Spec {
    use crate::spec::{Defaults, Lane, RawSpec, RawValue};
    let tasks = if workload.kernel().split() == Split::OnePerUnit {
        size
    } else {
        tasks
    };
    RawSpec::default()
        .with("workload", RawValue::Text(workload.name().into()))
        .with("size", RawValue::Number(size.into()))
        .with("tasks", RawValue::Number(tasks.into()))
        .normalize(&Defaults {
            workers: 2,
            lanes: vec![Lane::Sequential],
        })
        .unwrap()
}

/// A workload's example (`Kernel::example`) as the page would normalise it.
pub fn example(workload: Workload) -> Spec {
    use crate::spec::{Defaults, Lane, RawSpec, RawValue};
    workload
        .kernel()
        .example()
        .iter()
        .fold(
            RawSpec::default().with("workload", RawValue::Text(workload.name().into())),
            |raw, (field, value)| {
                raw.with(
                    field,
                    match value {
                        Example::Number(n) => RawValue::Number(*n),
                        Example::Text(t) => RawValue::Text((*t).into()),
                    },
                )
            },
        )
        .normalize(&Defaults {
            workers: 2,
            lanes: vec![Lane::Sequential],
        })
        .expect("every workload's example is a valid spec (a test checks it)")
}

/// The buffer a spec's tasks read (empty for workloads that read none).
#[cfg(test)]
pub(crate) fn data_of(spec: &Spec) -> Vec<u8> {
    spec.workload
        .kernel()
        .buffer_mb(spec)
        .map_or_else(Vec::new, |mb| share::buffer(mb, spec.seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_covers_everything_once() {
        for (total, tasks) in [(10, 3), (5_000_000, 64), (7, 7), (100, 1)] {
            let mut next = 0;
            for i in 0..tasks {
                let (lo, hi) = split(total, tasks, i);
                assert_eq!(lo, next);
                assert!(hi >= lo);
                next = hi;
            }
            assert_eq!(next, total);
        }
    }

    #[test]
    fn every_workload_s_tasks_give_its_oracle_s_answer() {
        let _counter = counter::EXCLUSIVE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for &w in Workload::ALL {
            let s = example(w);
            let data = data_of(&s);
            let kernel = w.kernel();
            kernel.before_run(&s);
            let tasks = fold((0..s.tasks).map(|i| run_to_end(&s, i, &data)));
            let answer = kernel.shared_result().unwrap_or(tasks);
            assert_eq!(answer, kernel.oracle(&s, &data), "{w:?}");
        }
    }

    #[test]
    fn checksums_do_not_depend_on_slicing() {
        for &w in Workload::ALL {
            let s = example(w);
            let data = data_of(&s);
            let whole = fold((0..s.tasks).map(|i| run_to_end(&s, i, &data)));
            let sliced = fold((0..s.tasks).map(|i| {
                let mut t = task(&s, i, &data);
                loop {
                    if let Progress::Done(p) = t.advance(3) {
                        break p;
                    }
                }
            }));
            assert_eq!(whole, sliced, "{w:?}");
        }
    }

    #[test]
    fn every_workload_says_what_it_computed() {
        for &w in Workload::ALL {
            let s = example(w);
            let k = w.kernel();
            let sum = k.oracle(&s, &data_of(&s));
            let said = k.result(&s, &k.checksum(sum), s.tasks);
            // A count is said in words ("78,498"), a digest as it is.
            let count = k.checksum(sum).chars().all(|c| c.is_ascii_digit());
            assert!(said.contains(&k.checksum(sum)) || count, "{said}");
            assert!(!k.describe(&s, "on 2 workers").is_empty());
            assert!(
                k.result(&s, "x", s.tasks - 1).contains("tasks it finished"),
                "{w:?}"
            );
        }
    }

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(number(9_000_000.0), "9,000,000");
        assert_eq!(number(999.0), "999");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(1234.25), "1,234.25");
        assert_eq!(number(0.0), "0");
    }

    /// "1" followed by a plural noun ("1 rounds"); "1 ms" is a unit.
    fn one_with_a_plural(text: &str) -> Option<String> {
        let words: Vec<&str> = text
            .split([' ', '(', ')', ',', '.', ':'])
            .filter(|w| !w.is_empty())
            .collect();
        words
            .windows(2)
            .find(|w| w[0] == "1" && w[1].ends_with('s') && w[1] != "ms")
            .map(|w| w.join(" "))
    }

    #[test]
    fn one_of_anything_is_singular() {
        for &w in Workload::ALL {
            let k = w.kernel();
            // The smallest size, one task (io's tasks are its requests), one round a response.
            let mut s = spec(w, k.size().min, 1);
            s.cpu_rounds = 1;
            let said = [
                k.describe(&s, "on 1 worker"),
                k.result(&s, "1", 1),
                k.result(&s, "0", 0),
            ];
            for text in said {
                assert_eq!(one_with_a_plural(&text), None, "{w:?}: {text}");
            }
        }
    }

    #[test]
    fn counts_agree_with_their_number() {
        assert_eq!(count(1.0, "task"), "1 task");
        assert_eq!(count(0.0, "task"), "0 tasks");
        assert_eq!(count(10_000.0, "round"), "10,000 rounds");
        let mut s = spec(Workload::Primes, 1000, 1);
        assert_eq!(of_finished(&s, 0), " in the 0 of 1 task it finished");
        s.tasks = 64;
        assert_eq!(of_finished(&s, 63), " in the 63 of 64 tasks it finished");
    }

    #[test]
    fn faulty_task_is_inside_the_run() {
        let mut s = spec(Workload::Primes, 1000, 7);
        assert_eq!(faulty_task(&s), None);
        s.fault = Fault::PanicOneTask;
        assert!(faulty_task(&s).unwrap() < 7);
    }
}
