//! One large read-only buffer that every task reads: a strided scan over all of it. Threads read
//! the one copy in shared memory; each process must first receive a copy of its own.

use super::{mix, Progress};

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

pub struct Scan<'a> {
    data: &'a [u8],
    index: u32,
    at: usize,
    acc: u64,
}

impl<'a> Scan<'a> {
    pub fn new(data: &'a [u8], index: u32) -> Self {
        Scan {
            data,
            index,
            at: index as usize % STRIDE,
            acc: 0xcbf2_9ce4_8422_2325,
        }
    }

    pub fn advance(&mut self, budget: u64) -> Progress {
        let mut left = budget;
        while self.at < self.data.len() && left > 0 {
            self.acc =
                (self.acc ^ u64::from(self.data[self.at])).wrapping_mul(0x0000_0100_0000_01b3);
            self.at += STRIDE;
            left -= 1;
        }
        if self.at >= self.data.len() {
            Progress::Done(mix(u64::from(self.index), self.acc))
        } else {
            Progress::Working
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Workload;
    use crate::workloads::{run_to_end, spec};

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
        let mut changed = data.clone();
        let last = changed.len() - 1 - (changed.len() - 1 - 2) % STRIDE;
        changed[last] ^= 0xff;
        assert_ne!(before, run_to_end(&s, 2, &changed));
    }
}
