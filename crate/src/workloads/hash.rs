//! Iterated SHA-256: each task hashes its seed `size` times, feeding each digest into the next.

use sha2::{Digest, Sha256};

use super::{mix, Progress};

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

    pub fn advance(&mut self, budget: u64) -> Progress {
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

    fn partial(&self) -> u64 {
        let mut head = [0u8; 8];
        head.copy_from_slice(&self.digest[..8]);
        mix(u64::from(self.index), u64::from_le_bytes(head))
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
