//! A serve run's figures from what each request went through: when it arrived, when a worker
//! took it and when it finished. Pure arithmetic on those times, so the page, the tests and the
//! native bench all read a lane the same way.

use serde::Serialize;

/// One request a lane served, ms from the run's start.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Served {
    pub index: u32,
    /// When a worker (a thread, a process, the event loop) took it.
    pub start: f64,
    pub end: f64,
}

/// The queue at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct QueuePoint {
    pub t_ms: f64,
    /// Arrived, and no worker has taken it yet.
    pub waiting: u32,
    /// Arrived and not finished: waiting or being served.
    pub in_system: u32,
}

/// What a lane did with the load it was offered.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ServeFigures {
    /// Requests that arrived.
    pub offered: u32,
    pub completed: u32,
    /// Still waiting for a worker when the lane stopped taking requests.
    pub queued: u32,
    pub offered_per_sec: f64,
    /// Completed requests over the lane's whole run (until its last request finished).
    pub completed_per_sec: f64,
    /// Latency, arrival to completion, of the completed requests (nearest rank).
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
    /// Requests in the system on average over the lane's run, by a sweep over arrivals and ends
    /// (Little's law: this is throughput × mean time in the system).
    pub mean_in_system: f64,
    /// The most requests that waited for a worker at once.
    pub peak_waiting: u32,
    /// The most requests in the system (waiting or being served) at once.
    pub peak_in_system: u32,
    /// When the lane's last request finished, ms (at least the duration).
    pub ended_ms: f64,
    /// The queue over the run, at most [`QUEUE_POINTS`] + 1 moments.
    pub queue: Vec<QueuePoint>,
}

pub const QUEUE_POINTS: usize = 200;

/// The value at quantile `q` of `sorted` by nearest rank (the smallest value with at least
/// `q` of the values at or below it); 0 for none.
pub fn nearest_rank(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

/// How many of `sorted` are at or below `t`.
fn at_or_below(sorted: &[f64], t: f64) -> usize {
    sorted.partition_point(|&x| x <= t)
}

fn sorted(mut xs: Vec<f64>) -> Vec<f64> {
    xs.sort_by(f64::total_cmp);
    xs
}

/// The time-average of a count that each `up` raises by one and each `down` lowers, over
/// `[0, until]`.
fn mean_count(up: &[f64], down: &[f64], until: f64) -> (f64, u32) {
    let mut events: Vec<(f64, i32)> = up.iter().map(|&t| (t, 1)).collect();
    events.extend(down.iter().map(|&t| (t, -1)));
    // At one instant a leaving request goes before an arriving one.
    events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut area, mut count, mut last, mut peak) = (0.0, 0i64, 0.0, 0i64);
    for (t, step) in events {
        let t = t.min(until);
        area += count as f64 * (t - last);
        last = t;
        count += i64::from(step);
        peak = peak.max(count);
    }
    area += count as f64 * (until - last);
    (if until > 0.0 { area / until } else { 0.0 }, peak as u32)
}

/// The figures of a lane that served `served` of the requests arriving at `arrivals` (ms from
/// the start) in a run of `duration_ms`.
pub fn figures(arrivals: &[f64], served: &[Served], duration_ms: f64) -> ServeFigures {
    let ended_ms = served.iter().fold(duration_ms, |m, s| m.max(s.end));
    let latencies = sorted(
        served
            .iter()
            .map(|s| s.end - arrivals[s.index as usize])
            .collect(),
    );
    let arrived = sorted(arrivals.to_vec());
    let starts = sorted(served.iter().map(|s| s.start).collect());
    let ends = sorted(served.iter().map(|s| s.end).collect());
    let (mean_in_system, peak_in_system) = mean_count(&arrived, &ends, ended_ms);
    let (_, peak_waiting) = mean_count(&arrived, &starts, ended_ms);
    let queue = (0..=QUEUE_POINTS)
        .map(|k| {
            let t = ended_ms * k as f64 / QUEUE_POINTS as f64;
            let a = at_or_below(&arrived, t);
            QueuePoint {
                t_ms: t,
                waiting: (a - at_or_below(&starts, t).min(a)) as u32,
                in_system: (a - at_or_below(&ends, t).min(a)) as u32,
            }
        })
        .collect();
    let completed = served.len() as u32;
    let n = latencies.len().max(1) as f64;
    ServeFigures {
        offered: arrivals.len() as u32,
        completed,
        queued: arrivals.len() as u32 - completed,
        offered_per_sec: arrivals.len() as f64 / (duration_ms / 1000.0),
        completed_per_sec: f64::from(completed) / (ended_ms / 1000.0),
        p50_ms: nearest_rank(&latencies, 0.50),
        p95_ms: nearest_rank(&latencies, 0.95),
        p99_ms: nearest_rank(&latencies, 0.99),
        max_ms: latencies.last().copied().unwrap_or(0.0),
        mean_ms: latencies.iter().sum::<f64>() / n,
        mean_in_system,
        peak_waiting,
        peak_in_system,
        ended_ms,
        queue,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_as_defined() {
        let xs: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(nearest_rank(&xs, 0.5), 50.0);
        assert_eq!(nearest_rank(&xs, 0.99), 99.0);
        assert_eq!(nearest_rank(&xs, 1.0), 100.0);
        assert_eq!(nearest_rank(&[7.0], 0.01), 7.0);
        assert_eq!(nearest_rank(&[], 0.5), 0.0);
    }

    #[test]
    fn a_queue_that_builds_and_littles_law() {
        // One worker, 10 ms a request, a request every 5 ms for 50 ms: the queue grows by one
        // every 10 ms; the worker stops taking requests at 50 ms, and 4 are left waiting.
        let arrivals: Vec<f64> = (0..10).map(|i| f64::from(i) * 5.0).collect();
        let served: Vec<Served> = (0..6)
            .map(|i| Served {
                index: i,
                start: f64::from(i) * 10.0,
                end: f64::from(i + 1) * 10.0,
            })
            .collect();
        let f = figures(&arrivals, &served, 50.0);
        assert_eq!((f.offered, f.completed, f.queued), (10, 6, 4));
        assert_eq!(f.ended_ms, 60.0);
        assert_eq!(f.completed_per_sec, 100.0);
        assert_eq!(f.offered_per_sec, 200.0);
        // Latencies: 10, 15, 20, 25, 30, 35.
        assert_eq!((f.p50_ms, f.max_ms, f.mean_ms), (20.0, 35.0, 22.5));
        // Little: time in system, the queued ones until the end, over the run.
        let in_system: f64 = served
            .iter()
            .map(|s| s.end - arrivals[s.index as usize])
            .sum::<f64>()
            + arrivals[6..].iter().map(|a| 60.0 - a).sum::<f64>();
        assert!((f.mean_in_system - in_system / 60.0).abs() < 1e-9);
        assert_eq!(f.peak_waiting, 5, "at 45 ms: 10 arrived, 5 taken");
        let last = f.queue.last().unwrap();
        assert_eq!((last.waiting, last.in_system), (4, 4));
    }
}
