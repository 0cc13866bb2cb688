//! A simulated request: wait for the response (`latencyMs` ± `jitterMs`, seeded so every lane
//! sees the same latencies), then a CPU step on the answer whose result feeds the checksum.

use sha2::{Digest, Sha256};

use super::{mix, Progress};
use crate::spec::Spec;

/// SHA-256 rounds after each `io` response: a parse-sized step (microseconds). `mixed` uses the
/// spec's `cpuRounds` instead (2000 by default: about a millisecond).
pub const IO_ROUNDS: u32 = 16;

pub struct Request {
    index: u32,
    latency_ms: f64,
    waited: bool,
    digest: [u8; 32],
    rounds_left: u32,
}

impl Request {
    pub fn new(spec: &Spec, index: u32, rounds: u32) -> Self {
        Request {
            index,
            latency_ms: latency(spec, index),
            waited: false,
            digest: Sha256::digest(index.to_le_bytes()).into(),
            rounds_left: rounds,
        }
    }

    pub fn advance(&mut self, budget: u64) -> Progress {
        if !self.waited {
            self.waited = true;
            return Progress::Wait(self.latency_ms);
        }
        let n = u64::from(self.rounds_left).min(budget) as u32;
        for _ in 0..n {
            self.digest = Sha256::digest(self.digest).into();
        }
        self.rounds_left -= n;
        if self.rounds_left > 0 {
            return Progress::Working;
        }
        let mut head = [0u8; 8];
        head.copy_from_slice(&self.digest[..8]);
        Progress::Done(mix(u64::from(self.index), u64::from_le_bytes(head)))
    }
}

/// Request `index`'s latency: uniform in `latencyMs ± jitterMs`, from the seed alone.
pub fn latency(spec: &Spec, index: u32) -> f64 {
    let r = mix(u64::from(spec.seed), u64::from(index));
    let unit = (r >> 11) as f64 / (1u64 << 53) as f64;
    spec.latency_ms + spec.jitter_ms * (2.0 * unit - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Workload;
    use crate::workloads::spec;

    #[test]
    fn waits_first_then_computes() {
        let mut s = spec(Workload::Io, 10, 10);
        s.jitter_ms = 20.0;
        let mut r = Request::new(&s, 3, IO_ROUNDS);
        match r.advance(u64::MAX) {
            Progress::Wait(ms) => assert!((80.0..=120.0).contains(&ms), "{ms}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(r.advance(u64::MAX), Progress::Done(_)));
    }

    #[test]
    fn latencies_are_seeded_and_spread() {
        let mut s = spec(Workload::Io, 1000, 1000);
        s.jitter_ms = 50.0;
        let lat: Vec<f64> = (0..1000).map(|i| latency(&s, i)).collect();
        assert!(lat.iter().all(|l| (50.0..=150.0).contains(l)));
        let mean = lat.iter().sum::<f64>() / 1000.0;
        assert!((95.0..105.0).contains(&mean), "{mean}");
        assert_eq!(lat, (0..1000).map(|i| latency(&s, i)).collect::<Vec<_>>());
        s.seed = 2;
        assert_ne!(lat[0], latency(&s, 0));
    }
}
