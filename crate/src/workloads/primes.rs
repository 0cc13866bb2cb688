//! Count the primes below `size` by trial division: real, branchy integer CPU work whose cost
//! grows with the numbers, so equal ranges are uneven tasks.

use super::Progress;

pub struct Range {
    next: u32,
    end: u32,
    count: u64,
}

impl Range {
    pub fn new(lo: u32, hi: u32) -> Self {
        Range {
            next: lo,
            end: hi,
            count: 0,
        }
    }

    pub fn advance(&mut self, budget: u64) -> Progress {
        let stop = u64::from(self.end).min(u64::from(self.next).saturating_add(budget)) as u32;
        self.count += (self.next..stop).filter(|&n| is_prime(n)).count() as u64;
        self.next = stop;
        if self.next == self.end {
            Progress::Done(self.count)
        } else {
            Progress::Working
        }
    }
}

/// Trial division by odd numbers up to √n.
pub fn is_prime(n: u32) -> bool {
    if n < 4 {
        return n >= 2;
    }
    if n.is_multiple_of(2) {
        return false;
    }
    let mut d = 3u32;
    while d * d <= n {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 2;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Workload;
    use crate::workloads::{fold, run_to_end, spec};

    #[test]
    fn small_primes() {
        let found: Vec<u32> = (0..30).filter(|&n| is_prime(n)).collect();
        assert_eq!(found, [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
        assert!(is_prime(4_999_999) && is_prime(4_999_963) && !is_prime(4_999_997));
    }

    #[test]
    fn pi_of_known_sizes() {
        for (size, tasks, pi) in [(2, 1, 0), (3, 1, 1), (100, 7, 25), (1_000_000, 64, 78_498)] {
            let s = spec(Workload::Primes, size, tasks);
            assert_eq!(
                fold((0..tasks).map(|i| run_to_end(&s, i, &[]))),
                pi,
                "pi({size})"
            );
        }
    }

    #[test]
    fn pi_of_five_million() {
        let s = spec(Workload::Primes, 5_000_000, 16);
        assert_eq!(fold((0..16).map(|i| run_to_end(&s, i, &[]))), 348_513);
    }
}
