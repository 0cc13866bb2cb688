//! One large read-only buffer that every task reads: a strided scan over all of it. Threads read
//! the one copy in shared memory; each process must first receive a copy of its own.

use super::{count, fold, mix, number, of_finished, Cost, Kernel, Progress, Size, Step};
use crate::spec::Spec;

pub struct Share;

/// One strided byte read while the buffer fits in the cache (16 MB and less), on the time
/// budget's reference machine.
pub const NS_PER_READ_CACHED: f64 = 2.4;
/// One strided byte read once the buffer is far larger than the cache (128 MB and more): nearly
/// every read misses (256 MB scanned in 64 tasks: 6.8 to 9.8 ns a read, 5.2 to 7.3 at the
/// reference's speed, in four runs where the machine's speed was 1.2 to 1.35). Between the two
/// the cost grows geometrically: in a large cache shared with other programs, 64 MB fitted or
/// not by the hour (scanned in 199 to 759 ms on one machine in one day).
pub const NS_PER_READ_UNCACHED: f64 = 6.0;
const CACHED_MB: f64 = 16.0;
pub const UNCACHED_MB: u32 = 128;

/// What one read of the scan costs: more once the buffer no longer fits in the cache.
pub fn ns_per_read(mb: u32) -> f64 {
    let mb = f64::from(mb);
    if mb <= CACHED_MB {
        NS_PER_READ_CACHED
    } else if mb >= f64::from(UNCACHED_MB) {
        NS_PER_READ_UNCACHED
    } else {
        let at = (mb / CACHED_MB).ln() / (f64::from(UNCACHED_MB) / CACHED_MB).ln();
        NS_PER_READ_CACHED * (NS_PER_READ_UNCACHED / NS_PER_READ_CACHED).powf(at)
    }
}

/// Task `index`'s bytes: every `STRIDE`th from `index % STRIDE`.
pub fn reads(bytes: usize, index: u32) -> usize {
    let first = index as usize % STRIDE;
    bytes.saturating_sub(first).div_ceil(STRIDE)
}

impl Kernel for Share {
    fn size(&self) -> Size {
        Size {
            min: 1,
            max: 256,
            default: 64,
            meaning: "buffer size in MB",
        }
    }

    fn buffer_mb(&self, spec: &Spec) -> Option<u32> {
        Some(spec.size)
    }

    fn memory_bound(&self) -> bool {
        true
    }

    fn heavy_field(&self) -> &'static str {
        "tasks"
    }

    fn start<'a>(&self, spec: &Spec, index: u32, data: &'a [u8]) -> Box<dyn Step + 'a> {
        Box::new(Scan::new(data, index, spec.tasks))
    }

    fn cost(&self, spec: &Spec, index: u32) -> Cost {
        let reads = reads(spec.size as usize * 1024 * 1024, index) as f64;
        // A read as in the cache is compute; what the misses add is memory's (budget.rs).
        Cost {
            units: reads,
            compute_ms: reads * NS_PER_READ_CACHED / 1e6,
            memory_ms: reads * (ns_per_read(spec.size) - NS_PER_READ_CACHED) / 1e6,
            ..Cost::default()
        }
    }

    fn warm_up(&self, spec: &mut Spec) {
        spec.size = 1;
        spec.tasks = spec.tasks.min(8);
    }

    fn describe(&self, spec: &Spec, on: &str) -> String {
        format!(
            "Read one {} MB buffer in {} {on}.",
            number(spec.size.into()),
            count(spec.tasks.into(), "task")
        )
    }

    fn result(&self, spec: &Spec, checksum: &str, done: u32) -> String {
        format!(
            "read the same {} MB buffer{} (digest of {}: {checksum})",
            number(spec.size.into()),
            of_finished(spec, done),
            count(spec.tasks.into(), "strided scan")
        )
    }

    fn example(&self) -> &'static [(&'static str, super::Example)] {
        use super::Example::Number;
        &[("size", Number(2.0)), ("tasks", Number(4.0))]
    }

    /// Each task's bytes, in its order, folded straight through.
    fn oracle(&self, spec: &Spec, data: &[u8]) -> u64 {
        fold((0..spec.tasks).map(|task| {
            let mine: Vec<usize> = (task as usize % STRIDE..data.len())
                .step_by(STRIDE)
                .collect();
            let skip = mine.len() * task as usize / spec.tasks as usize;
            let acc = mine[skip..]
                .iter()
                .chain(&mine[..skip])
                .fold(0xcbf2_9ce4_8422_2325u64, |acc, &at| {
                    (acc ^ u64::from(data[at])).wrapping_mul(0x0000_0100_0000_01b3)
                });
            mix(u64::from(task), acc)
        }))
    }
}

/// Bytes between two reads of one task: a prime, so tasks start apart and touch every page.
pub const STRIDE: usize = 61;

/// The buffer of `mb` MiB, filled from the seed (xorshift64*).
pub fn buffer(mb: u32, seed: u32) -> Vec<u8> {
    let mut out = vec![0; mb as usize * 1024 * 1024];
    Filler::new(seed).fill(&mut out);
    out
}

/// Writes the buffer's bytes in order, a piece at a time: the page's copy is made straight into
/// JS memory a megabyte at a time, never whole in wasm memory beside it.
pub struct Filler {
    state: u64,
}

impl Filler {
    pub fn new(seed: u32) -> Self {
        Filler {
            state: mix(u64::from(seed), 0x5ea7) | 1,
        }
    }

    /// Fills `out` with the next bytes; its length must be a multiple of 8.
    pub fn fill(&mut self, out: &mut [u8]) {
        for word in out.chunks_exact_mut(8) {
            self.state ^= self.state >> 12;
            self.state ^= self.state << 25;
            self.state ^= self.state >> 27;
            word.copy_from_slice(&self.state.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
        }
    }
}

/// Task `index`'s scan: every `STRIDE`th byte from `index % STRIDE`, all of the buffer. Task
/// `index` of `tasks` begins its scan `index / tasks` of the way through and wraps around, so tasks
/// running at once read different parts of the buffer: had they all begun at the start, a byte
/// apart, two threads would read the same cache lines at the same moment and share each fetch
/// from memory, and threads would beat sequential by more than their number (4× on 2 cores,
/// natively) for a reason that has nothing to do with parallelism.
pub struct Scan<'a> {
    data: &'a [u8],
    index: u32,
    at: usize,
    /// Where the current pass stops: the end of the buffer, then where the scan began.
    stop: usize,
    /// Where the scan began; `None` once the first pass reached the end and wrapped.
    began: Option<usize>,
    acc: u64,
}

impl<'a> Scan<'a> {
    pub fn new(data: &'a [u8], index: u32, tasks: u32) -> Self {
        let first = index as usize % STRIDE;
        let reads = reads(data.len(), index) as u64;
        let skip = (reads * u64::from(index) / u64::from(tasks.max(1))) as usize;
        let began = first + skip * STRIDE;
        Scan {
            data,
            index,
            at: began,
            stop: data.len(),
            began: Some(began),
            acc: 0xcbf2_9ce4_8422_2325,
        }
    }
}

impl Step for Scan<'_> {
    fn advance(&mut self, budget: u64) -> Progress {
        let mut left = budget;
        loop {
            while self.at < self.stop && left > 0 {
                self.acc =
                    (self.acc ^ u64::from(self.data[self.at])).wrapping_mul(0x0000_0100_0000_01b3);
                self.at += STRIDE;
                left -= 1;
            }
            if self.at < self.stop {
                return Progress::Working;
            }
            match self.began.take() {
                // The first pass is done: go round to the start of the task's bytes.
                Some(began) => {
                    self.at = self.index as usize % STRIDE;
                    self.stop = began;
                }
                None => return Progress::Done(mix(u64::from(self.index), self.acc)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::{run_to_end, spec, Workload};

    #[test]
    fn buffer_is_seeded_and_sized() {
        let a = buffer(1, 7);
        assert_eq!(a.len(), 1 << 20);
        assert_eq!(a, buffer(1, 7));
        assert_ne!(a, buffer(1, 8));
        // Not all one value: the scan must see real data.
        assert!(a.iter().filter(|&&b| b == a[0]).count() < 10_000);
    }

    #[test]
    fn every_task_reads_the_whole_buffer() {
        let data = buffer(1, 1);
        let s = spec(Workload::Share, 1, 4);
        let before = run_to_end(&s, 2, &data);
        // Its first byte, its last, and one on each side of where its scan begins and wraps.
        let first = 2;
        let last = data.len() - 1 - (data.len() - 1 - first) % STRIDE;
        let reads = (data.len() - first).div_ceil(STRIDE);
        let began = first + reads * 2 / 4 * STRIDE;
        for at in [first, last, began - STRIDE, began, began + STRIDE] {
            let mut changed = data.clone();
            changed[at] ^= 0xff;
            assert_ne!(before, run_to_end(&s, 2, &changed), "byte {at}");
        }
    }
}
