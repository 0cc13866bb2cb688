//! Iterated SHA-256: each task hashes its seed `size` times, feeding each digest into the next.

use sha2::{Digest, Sha256};

use super::{count, fold, mix, of_finished, Cost, Kernel, Progress, Size, Step};
use crate::error::Error;
use crate::spec::Spec;

pub struct Hash;

/// One SHA-256 round of a 32-byte digest (hash, and the CPU step of io and mixed) on the time
/// budget's reference machine. Natively sha2 uses the CPU's SHA extensions; wasm has none, so
/// only the browser figure counts. 20M rounds took 5.2 to 10.8 s, 215 to 382 ns a round at the
/// reference's speed, in six runs where the machine's speed was 1.2 to 1.42: on a shared machine
/// the hash slows more than the primes the speed is measured with. A week later, in bench runs
/// 51-62: 195 to 242 ns on fresh pages, and the warm page's medians 197 to 214 in some runs and
/// 289 to 326 in others.
pub const NS_PER_ROUND: f64 = 280.0;

/// Rounds a run may hash in all (size × tasks here, requests × cpuRounds for mixed): about
/// ten seconds on one core.
pub const MAX_TOTAL_ROUNDS: u64 = 20_000_000;

/// Refuses a run that would hash more than [`MAX_TOTAL_ROUNDS`], naming `field` to lower.
///
/// # Errors
/// [`Error::Field`] on `field` when `rounds` is over the cap.
pub fn check_rounds(rounds: u64, field: &str, product: &str) -> Result<(), Error> {
    if rounds > MAX_TOTAL_ROUNDS {
        return Err(Error::field(
            field,
            format!(
                "the run would hash {rounds} rounds; at most {MAX_TOTAL_ROUNDS} (about 10 s on one \
                 core): lower {product}"
            ),
        ));
    }
    Ok(())
}

impl Kernel for Hash {
    fn size(&self) -> Size {
        Size {
            min: 1,
            max: 200_000,
            default: 20_000,
            meaning: "SHA-256 rounds per task",
        }
    }

    fn check(&self, spec: &Spec) -> Result<(), Error> {
        check_rounds(
            u64::from(spec.size) * u64::from(spec.tasks),
            "tasks",
            "size × tasks",
        )
    }

    fn heavy_field(&self) -> &'static str {
        "tasks"
    }

    fn start<'a>(&self, spec: &Spec, index: u32, _data: &'a [u8]) -> Box<dyn Step + 'a> {
        Box::new(Chain::new(spec.seed, index, spec.size))
    }

    fn cost(&self, spec: &Spec, _index: u32) -> Cost {
        let rounds = f64::from(spec.size);
        Cost {
            units: rounds,
            compute_ms: rounds * NS_PER_ROUND / 1e6,
            ..Cost::default()
        }
    }

    fn warm_up(&self, spec: &mut Spec) {
        spec.size = spec.size.min(1_000);
        spec.tasks = spec.tasks.min(8);
    }

    fn describe(&self, spec: &Spec, on: &str) -> String {
        format!(
            "Hash {} of {} {on}.",
            count(spec.tasks.into(), "chain"),
            count(spec.size.into(), "SHA-256 round")
        )
    }

    fn result(&self, spec: &Spec, checksum: &str, done: u32) -> String {
        format!(
            "computed the same {} of {}{} (digest {checksum})",
            count(spec.tasks.into(), "SHA-256 chain"),
            count(spec.size.into(), "round"),
            of_finished(spec, done)
        )
    }

    fn example(&self) -> &'static [(&'static str, super::Example)] {
        use super::Example::Number;
        &[("size", Number(200.0)), ("tasks", Number(4.0))]
    }

    /// Each chain hashed straight through.
    fn oracle(&self, spec: &Spec, _data: &[u8]) -> u64 {
        fold((0..spec.tasks).map(|index| {
            let mut chain = Chain::new(spec.seed, index, 0);
            for _ in 0..spec.size {
                chain.digest = Sha256::digest(chain.digest).into();
            }
            chain.partial()
        }))
    }
}

pub struct Chain {
    index: u32,
    digest: [u8; 32],
    rounds_left: u32,
}

impl Chain {
    pub fn new(seed: u32, index: u32, rounds: u32) -> Self {
        let mut first = [0u8; 8];
        first[..4].copy_from_slice(&seed.to_le_bytes());
        first[4..].copy_from_slice(&index.to_le_bytes());
        Chain {
            index,
            digest: Sha256::digest(first).into(),
            rounds_left: rounds,
        }
    }

    fn partial(&self) -> u64 {
        let mut head = [0u8; 8];
        head.copy_from_slice(&self.digest[..8]);
        mix(u64::from(self.index), u64::from_le_bytes(head))
    }
}

impl Step for Chain {
    fn advance(&mut self, budget: u64) -> Progress {
        let n = u64::from(self.rounds_left).min(budget) as u32;
        for _ in 0..n {
            self.digest = Sha256::digest(self.digest).into();
        }
        self.rounds_left -= n;
        if self.rounds_left == 0 {
            Progress::Done(self.partial())
        } else {
            Progress::Working
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_round_is_sha256_of_the_seed_digest() {
        // sha256(sha256(le(1) ++ le(0))), computed independently with Python's hashlib.
        let mut c = Chain::new(1, 0, 1);
        assert!(matches!(c.advance(1), Progress::Done(_)));
        let hex: String = c.digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "08533f6bbd4975113e4f0cb104abcdec1d86d99d5782b4a9a7f6270c0ebb6a27"
        );
    }

    #[test]
    fn chains_differ_by_seed_and_index() {
        let run = |seed, index| {
            let mut c = Chain::new(seed, index, 10);
            match c.advance(10) {
                Progress::Done(p) => p,
                other => panic!("{other:?}"),
            }
        };
        assert_ne!(run(1, 0), run(1, 1));
        assert_ne!(run(1, 0), run(2, 0));
        assert_eq!(run(3, 4), run(3, 4));
    }
}
