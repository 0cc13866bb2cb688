//! The pure kernels. Each workload is split into tasks; a task is a small state machine that the
//! lanes advance a slice at a time (so the GIL can switch, async can yield and cancel can land
//! between slices) and that ends with a `u64` partial result.
//!
//! A lane's checksum is the wrapping sum of its tasks' partials: addition does not care which
//! task finished first or which worker ran it, so every lane must arrive at the same number.

pub mod hash;
pub mod io;
pub mod mandelbrot;
pub mod primes;
pub mod share;

use crate::spec::{Fault, Spec, Workload};

/// What a task did with the budget it was given.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Progress {
    /// Budget used up, more to do.
    Working,
    /// The task waits for a simulated response for this many milliseconds before it goes on.
    Wait(f64),
    /// Finished, with the task's partial result.
    Done(u64),
}

/// One task of a workload, in progress.
pub enum Task<'a> {
    Primes(primes::Range),
    Mandelbrot(mandelbrot::Band),
    Hash(hash::Chain),
    Io(io::Request),
    Share(share::Scan<'a>),
}

impl<'a> Task<'a> {
    /// Starts task `index` of `spec`. `data` is the shared buffer of the `share` workload.
    pub fn new(spec: &Spec, index: u32, data: &'a [u8]) -> Self {
        let (lo, hi) = split(spec.size, spec.tasks, index);
        match spec.workload {
            Workload::Primes => Task::Primes(primes::Range::new(lo, hi)),
            Workload::Mandelbrot => Task::Mandelbrot(mandelbrot::Band::new(spec.size, lo, hi)),
            Workload::Hash => Task::Hash(hash::Chain::new(spec.seed, index, spec.size)),
            Workload::Io => Task::Io(io::Request::new(spec, index, io::IO_ROUNDS)),
            Workload::Mixed => Task::Io(io::Request::new(spec, index, spec.cpu_rounds)),
            Workload::Share => Task::Share(share::Scan::new(data, index, spec.tasks)),
        }
    }

    /// Does at most `budget` units of work (numbers tested, pixels, hash rounds, bytes read).
    pub fn advance(&mut self, budget: u64) -> Progress {
        match self {
            Task::Primes(t) => t.advance(budget),
            Task::Mandelbrot(t) => t.advance(budget),
            Task::Hash(t) => t.advance(budget),
            Task::Io(t) => t.advance(budget),
            Task::Share(t) => t.advance(budget),
        }
    }
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

/// The checksum as the report shows it: the prime count in decimal, a digest in hex otherwise.
pub fn format_checksum(workload: Workload, sum: u64) -> String {
    match workload {
        Workload::Primes => sum.to_string(),
        _ => format!("{sum:016x}"),
    }
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
    let mut task = Task::new(spec, index, data);
    loop {
        if let Progress::Done(p) = task.advance(u64::MAX) {
            return p;
        }
    }
}

#[cfg(test)]
pub(crate) fn spec(workload: Workload, size: u32, tasks: u32) -> Spec {
    use crate::spec::{Defaults, Lane, RawSpec, RawValue};
    let tasks = if workload.is_io() { size } else { tasks };
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
    fn checksum_does_not_depend_on_slicing() {
        for w in [
            Workload::Primes,
            Workload::Mandelbrot,
            Workload::Hash,
            Workload::Mixed,
        ] {
            let s = spec(w, 64, 8);
            let whole = fold((0..s.tasks).map(|i| run_to_end(&s, i, &[])));
            let sliced = fold((0..s.tasks).map(|i| {
                let mut t = Task::new(&s, i, &[]);
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
    fn faulty_task_is_inside_the_run() {
        let mut s = spec(Workload::Primes, 1000, 7);
        assert_eq!(faulty_task(&s), None);
        s.fault = Fault::PanicOneTask;
        assert!(faulty_task(&s).unwrap() < 7);
    }
}
