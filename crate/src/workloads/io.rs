//! A simulated request: wait for the response (`latencyMs` ± `jitterMs`, seeded so every lane
//! sees the same latencies), then a CPU step on the answer whose result feeds the checksum.

use sha2::{Digest, Sha256};

use super::hash::{check_rounds, NS_PER_ROUND};
use super::{count, fold, mix, number, of_finished, Cost, Kernel, Progress, Size, Split, Step};
use crate::error::Error;
use crate::spec::Spec;

/// Requests that wait, then compute on their answer: `io` parses it (a few SHA-256 rounds),
/// `mixed` computes on it for the spec's `cpuRounds`.
pub struct Requests {
    /// `mixed`: the CPU part is the spec's `cpuRounds`, not a parse.
    pub mixed: bool,
}

pub const IO: Requests = Requests { mixed: false };
pub const MIXED: Requests = Requests { mixed: true };

/// Waiting one request after another (sequential) may take at most this long in all.
pub const MAX_TOTAL_WAIT_MS: f64 = 300_000.0;

/// The limits every request workload shares: the total wait, one request after another.
fn check_waits(spec: &Spec) -> Result<(), Error> {
    if f64::from(spec.size) * (spec.latency_ms + spec.jitter_ms) > MAX_TOTAL_WAIT_MS {
        return Err(Error::field(
            "latencyMs",
            format!(
                "size × (latencyMs + jitterMs) must be at most {MAX_TOTAL_WAIT_MS} ms (5 minutes of \
                 waiting one request at a time): {} × {} is too much",
                spec.size,
                spec.latency_ms + spec.jitter_ms
            ),
        ));
    }
    Ok(())
}

impl Requests {
    /// SHA-256 rounds after each response.
    fn rounds(&self, spec: &Spec) -> u32 {
        if self.mixed {
            spec.cpu_rounds
        } else {
            IO_ROUNDS
        }
    }
}

fn request_cost(spec: &Spec, index: u32, rounds: u32) -> Cost {
    let rounds = f64::from(rounds);
    let wait = latency(spec, index);
    Cost {
        units: rounds,
        compute_ms: rounds * NS_PER_ROUND / 1e6,
        wait_ms: (wait > 0.0).then_some(wait),
        waits: if wait > 0.0 { 1.0 } else { 0.0 },
        ..Cost::default()
    }
}

/// A request warms up without waiting, and with enough CPU to warm the hash kernel: a million
/// rounds a request would make the warm-up of 16 requests seconds long.
fn warm_up_requests(spec: &mut Spec) {
    spec.size = spec.size.min(16);
    spec.tasks = spec.size;
    spec.latency_ms = 0.0;
    spec.jitter_ms = 0.0;
    spec.cpu_rounds = spec.cpu_rounds.min(2_000);
}

fn describe_requests(spec: &Spec) -> String {
    let jitter = if spec.jitter_ms > 0.0 {
        format!(" ± {}", number(spec.jitter_ms))
    } else {
        String::new()
    };
    format!(
        "Send {} of {}{jitter} ms",
        count(spec.size.into(), "request"),
        number(spec.latency_ms)
    )
}

impl Kernel for Requests {
    fn size(&self) -> Size {
        Size {
            min: 1,
            max: 20_000,
            default: 200,
            meaning: "number of requests",
        }
    }

    fn split(&self) -> Split {
        Split::OnePerUnit
    }

    fn io_bound(&self) -> bool {
        true
    }

    fn heavy_field(&self) -> &'static str {
        if self.mixed {
            "cpuRounds"
        } else {
            "size"
        }
    }

    fn check(&self, spec: &Spec) -> Result<(), Error> {
        check_waits(spec)?;
        if self.mixed {
            let rounds = u64::from(spec.size) * u64::from(spec.cpu_rounds);
            check_rounds(rounds, "cpuRounds", "size × cpuRounds")?;
        }
        Ok(())
    }

    fn start<'a>(&self, spec: &Spec, index: u32, _data: &'a [u8]) -> Box<dyn Step + 'a> {
        Box::new(Request::new(spec, index, self.rounds(spec)))
    }

    fn cost(&self, spec: &Spec, index: u32) -> Cost {
        request_cost(spec, index, self.rounds(spec))
    }

    fn warm_up(&self, spec: &mut Spec) {
        warm_up_requests(spec);
    }

    fn describe(&self, spec: &Spec, on: &str) -> String {
        if self.mixed {
            format!(
                "{}, each answer hashed {}, {on}.",
                describe_requests(spec),
                count(spec.cpu_rounds.into(), "round")
            )
        } else {
            format!("{} {on}.", describe_requests(spec))
        }
    }

    fn result(&self, spec: &Spec, checksum: &str, done: u32) -> String {
        format!(
            "got the same {}{} (digest {checksum})",
            count(spec.size.into(), "response"),
            of_finished(spec, done)
        )
    }

    fn example(&self) -> &'static [(&'static str, super::Example)] {
        use super::Example::Number;
        if self.mixed {
            &[
                ("size", Number(10.0)),
                ("latencyMs", Number(2.0)),
                ("cpuRounds", Number(100.0)),
            ]
        } else {
            &[("size", Number(20.0)), ("latencyMs", Number(2.0))]
        }
    }

    /// Each request's digest hashed straight through, the waits skipped.
    fn oracle(&self, spec: &Spec, _data: &[u8]) -> u64 {
        let rounds = self.rounds(spec);
        fold((0..spec.tasks).map(|index| {
            let mut digest: [u8; 32] = Sha256::digest(index.to_le_bytes()).into();
            for _ in 0..rounds {
                digest = Sha256::digest(digest).into();
            }
            let mut head = [0u8; 8];
            head.copy_from_slice(&digest[..8]);
            mix(u64::from(index), u64::from_le_bytes(head))
        }))
    }
}

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
}

impl Step for Request {
    fn advance(&mut self, budget: u64) -> Progress {
        if !self.waited {
            self.waited = true;
            // A response of 0 ms is there already, and no lane waits for it: a thread's sleep of
            // 0 returns at once, and an event loop's turn of a few µs per request made sequential
            // 5× slower than 2 threads on 20,000 such requests, a speedup 2 workers cannot give.
            if self.latency_ms > 0.0 {
                return Progress::Wait(self.latency_ms);
            }
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
    use crate::workloads::{spec, Workload};

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
    fn a_response_of_0_ms_is_not_waited_for() {
        let mut s = spec(Workload::Io, 10, 10);
        s.latency_ms = 0.0;
        let mut r = Request::new(&s, 3, IO_ROUNDS);
        let done = r.advance(u64::MAX);
        assert!(matches!(done, Progress::Done(_)), "{done:?}");
        let cost = IO.cost(&s, 3);
        assert_eq!((cost.waits, cost.wait_ms), (0.0, None));
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
