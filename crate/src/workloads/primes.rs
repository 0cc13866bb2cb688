//! Count the primes below `size` by trial division: real, branchy integer CPU work whose cost
//! grows with the numbers, so equal ranges are uneven tasks.

use super::{count, number, of_finished, split, Cost, Kernel, Progress, Size, Step};
use crate::spec::Spec;

pub struct Primes;

/// The linear part of the cumulative cost `F(n)` of testing every number below `n`, on the time
/// budget's reference machine: the loop, the even test and the first few divisors, which end
/// most composites.
///
/// `F(n) = NS_PER_NUMBER · n + NS_PER_DIVISION_TERM · n^1.5 / ln n`: a prime `p` costs `√p / 2`
/// trial divisions and primes have density `1 / ln n`, so the tail grows as `n^1.5 / ln n`.
/// Fitted natively at 1M to 20M (within 3% at every size), scaled to Chromium.
const NS_PER_NUMBER: f64 = 7.4;
/// The trial-division tail of `F(n)` (see [`NS_PER_NUMBER`]).
const NS_PER_DIVISION_TERM: f64 = 0.72;

/// `F(n)`: nanoseconds to test every number below `n` on the reference machine.
pub fn ns_below(n: u32) -> f64 {
    if n < 3 {
        return 0.0;
    }
    let n = f64::from(n);
    NS_PER_NUMBER * n + NS_PER_DIVISION_TERM * n.powf(1.5) / n.ln()
}

impl Kernel for Primes {
    fn size(&self) -> Size {
        Size {
            min: 2,
            max: 20_000_000,
            default: 2_000_000,
            meaning: "count the primes below it",
        }
    }

    fn start<'a>(&self, spec: &Spec, index: u32, _data: &'a [u8]) -> Box<dyn Step + 'a> {
        let (lo, hi) = split(spec.size, spec.tasks, index);
        Box::new(Range::new(lo, hi))
    }

    fn cost(&self, spec: &Spec, index: u32) -> Cost {
        let (lo, hi) = split(spec.size, spec.tasks, index);
        Cost {
            units: f64::from(hi - lo),
            compute_ms: (ns_below(hi) - ns_below(lo)) / 1e6,
            ..Cost::default()
        }
    }

    fn warm_up(&self, spec: &mut Spec) {
        spec.size = spec.size.min(300_000);
        spec.tasks = spec.tasks.min(16);
    }

    fn checksum(&self, sum: u64) -> String {
        sum.to_string()
    }

    fn describe(&self, spec: &Spec, on: &str) -> String {
        format!(
            "Count the primes below {} in {} {on}.",
            number(spec.size.into()),
            count(spec.tasks.into(), "task")
        )
    }

    fn result(&self, spec: &Spec, checksum: &str, done: u32) -> String {
        // Parsed as the whole number it is: parsing an f64 anywhere brings core's float parser and
        // its tables into the wasm, 13 KB gzipped that every visitor and process downloads.
        let primes = count(checksum.parse::<u32>().map_or(0.0, f64::from), "prime");
        if done < spec.tasks {
            format!("counted {primes}{}", of_finished(spec, done))
        } else {
            format!("counted {primes} below {}", number(spec.size.into()))
        }
    }

    fn example(&self) -> &'static [(&'static str, super::Example)] {
        use super::Example::Number;
        &[("size", Number(100_000.0)), ("tasks", Number(8.0))]
    }

    /// A sieve of Eratosthenes: π(size).
    fn oracle(&self, spec: &Spec, _data: &[u8]) -> u64 {
        let n = spec.size as usize;
        let mut composite = vec![false; n.max(2)];
        let mut count = 0;
        for i in 2..n {
            if composite[i] {
                continue;
            }
            count += 1;
            for j in (i * i..n).step_by(i) {
                composite[j] = true;
            }
        }
        count
    }
}

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
}

impl Step for Range {
    fn advance(&mut self, budget: u64) -> Progress {
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
    use crate::workloads::{fold, run_to_end, spec, Workload};

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
