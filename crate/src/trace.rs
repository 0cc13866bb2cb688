//! Per-task trace events on one clock for every worker, bounded in number.
//!
//! Events are kept flat (`STRIDE` numbers each) so a lane hands the page one `Float64Array`
//! rather than thousands of objects.
//!
//! A spec can record a million spans, and the page can neither hold nor draw that many: a span
//! far shorter than a pixel is invisible anyway. So a trace keeps at most [`MAX_EVENTS`] events,
//! merging spans too short to see where they are recorded (memory stays bounded while a lane
//! runs, not only in its report). A merged event keeps in `busy` how much of it was really spent
//! in its phase, so the page can shade it, and the summary numbers come from [`Trace::totals`],
//! which are summed before any merging and so never lose a span.

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
#[repr(u8)]
pub enum Phase {
    Spawn = 0,
    Compute = 1,
    Wait = 2,
    Transfer = 3,
    GilWait = 4,
    /// Waiting for a lock another task holds (the counter's `sync: 'lock'`).
    LockWait = 5,
}

/// Numbers per event: row (worker/thread), task, phase, start ms, end ms, busy ms. `busy` is the
/// summed duration of the spans merged into the event: `end - start` for a single span, less for
/// slivers with gaps between them, more where overlapping async waits merged.
pub const STRIDE: usize = 6;

/// Most events a trace holds: about what a timeline can show, and few enough for the page to
/// turn into objects without running out of stack or memory.
pub const MAX_EVENTS: usize = 20_000;

/// The task of an event that belongs to none (a process's spawn, a buffer's copy): -1 on the
/// page.
pub const NO_TASK: u32 = u32::MAX;

/// The merge quantum a trace starts with. Small enough that a 1 ms wait between two 10 µs
/// compute slivers stays its own event with its exact duration (tests and the page measure single
/// waits from the events); large enough that the microsecond slivers of one task's slices merge
/// at once instead of piling up until the first compaction.
pub const MIN_QUANTUM_MS: f64 = 0.05;

/// One kept event: a raw span, or several merged.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Event {
    start: f64,
    end: f64,
    busy: f64,
    row: u32,
    task: u32,
    phase: u8,
}

impl Event {
    fn key(&self) -> (u32, u8) {
        (self.row, self.phase)
    }

    fn duration(&self) -> f64 {
        self.end - self.start
    }

    /// Whether `next` (same row and phase, starting no earlier) merges into `self` at quantum
    /// `q`. Two events both at least `q` long from different tasks stay apart even when they
    /// touch, so within a row and phase every kept event but the first owns at least `q` of the
    /// timeline (its gap before it, or itself): at most `extent / q + 1` events, which is what
    /// makes doubling `q` shrink a trace.
    ///
    /// Overlapping events of different tasks (async waits) merge only once the trace has been
    /// coarsened: until then each request keeps its own wait, as small traces always did.
    fn absorbs(&self, next: &Event, q: f64) -> bool {
        let gap = next.start - self.end;
        (gap < 0.0 && q > MIN_QUANTUM_MS)
            || (gap <= q && (self.duration() < q || next.duration() < q || self.task == next.task))
    }

    /// Keeps `self`'s task: the first one in the merged stretch.
    fn merge(&mut self, next: &Event) {
        self.end = self.end.max(next.end);
        self.busy += next.busy;
    }
}

/// One (row, phase): its exact total, and where its latest event is, so a push in time order
/// merges with it in O(1).
#[derive(Clone, Debug, PartialEq)]
struct Track {
    row: u32,
    phase: u8,
    total: f64,
    /// Index in `Trace::events` of the event starting last; `None` only before the first.
    last: Option<usize>,
}

impl Track {
    fn key(&self) -> (u32, u8) {
        (self.row, self.phase)
    }
}

/// A lane's (or one task's) trace: at most [`MAX_EVENTS`] events, and exact totals per
/// (row, phase).
///
/// Two events of one row and phase merge when they overlap, when the gap between them is at most
/// the quantum `q` and one of them is shorter than `q`, or when they are one task's and at most
/// `q` apart. When the trace outgrows [`MAX_EVENTS`], `q` doubles until at most half of that is
/// left, so each push costs amortised O(1) (plus a sort) and the trace's resolution coarsens only
/// as far as its size demands.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// In the order they were placed; within a track, in start order unless traces of
    /// overlapping tasks were appended (a sweep sorts them again).
    events: Vec<Event>,
    /// Sorted by (row, phase): few (rows × phases), looked up on every push.
    tracks: Vec<Track>,
    quantum: f64,
}

impl Default for Trace {
    fn default() -> Self {
        Trace {
            events: Vec::new(),
            tracks: Vec::new(),
            quantum: MIN_QUANTUM_MS,
        }
    }
}

impl Trace {
    /// Records a span from `start` to `end` (ms on [`now_ms`]'s clock). A clock that stepped
    /// back (natively it can) gives an empty span rather than a negative one.
    pub fn push(&mut self, row: u32, task: u32, phase: Phase, start: f64, end: f64) {
        let end = end.max(start);
        self.record(Event {
            start,
            end,
            busy: end - start,
            row,
            task,
            phase: phase as u8,
        });
    }

    /// Takes stride-[`STRIDE`] events as [`Trace::events`] gives them, `busy` included, so
    /// events merged elsewhere keep their exact totals. `None` when `flat` is not whole events.
    pub fn from_events(flat: &[f64]) -> Option<Trace> {
        if !flat.len().is_multiple_of(STRIDE) {
            return None;
        }
        let mut trace = Trace::default();
        for e in flat.chunks_exact(STRIDE) {
            trace.record(Event {
                start: e[3],
                end: e[4].max(e[3]),
                busy: e[5],
                row: e[0] as u32,
                // -1 (an event of no task: a spawn, a copy) stays -1 on the way out.
                task: if e[1] < 0.0 { NO_TASK } else { e[1] as u32 },
                phase: e[2] as u8,
            });
        }
        Some(trace)
    }

    /// Adds `other`'s events and totals: how lanes gather the traces their tasks recorded apart.
    pub fn append(&mut self, other: &Trace) {
        // Its events are already merged at its quantum: no use sweeping them finer here.
        self.quantum = self.quantum.max(other.quantum);
        for t in &other.tracks {
            let i = self.track(t.row, t.phase);
            self.tracks[i].total += t.total;
        }
        for e in &other.events {
            let i = self.track(e.row, e.phase);
            self.place(i, *e);
        }
    }

    /// Events held: at most [`MAX_EVENTS`]. [`Trace::events`] may merge a few more.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The events, [`STRIDE`] numbers each, sorted by row, phase and start; within a row and
    /// phase they overlap only where async waits of different tasks did, before any coarsening.
    pub fn events(&self) -> Vec<f64> {
        let mut events = self.events.clone();
        sweep(&mut events, self.quantum);
        events
            .iter()
            .flat_map(|e| {
                [
                    e.row.into(),
                    if e.task == NO_TASK {
                        -1.0
                    } else {
                        e.task.into()
                    },
                    e.phase.into(),
                    e.start,
                    e.end,
                    e.busy,
                ]
            })
            .collect()
    }

    /// Triples (row, phase, ms), sorted by row then phase: the summed duration of every span
    /// recorded, before any merging.
    pub fn totals(&self) -> Vec<f64> {
        self.tracks
            .iter()
            .flat_map(|t| [t.row.into(), t.phase.into(), t.total])
            .collect()
    }

    /// The summed duration of every span of `phase` recorded, on every row.
    pub fn phase_total(&self, phase: Phase) -> f64 {
        self.tracks
            .iter()
            .filter(|t| t.phase == phase as u8)
            .map(|t| t.total)
            .sum()
    }

    fn record(&mut self, event: Event) {
        let i = self.track(event.row, event.phase);
        self.tracks[i].total += event.busy;
        self.place(i, event);
    }

    /// The index of the (row, phase) track, made if new.
    fn track(&mut self, row: u32, phase: u8) -> usize {
        match self.tracks.binary_search_by_key(&(row, phase), Track::key) {
            Ok(i) => i,
            Err(i) => {
                let track = Track {
                    row,
                    phase,
                    total: 0.0,
                    last: None,
                };
                self.tracks.insert(i, track);
                i
            }
        }
    }

    /// Merges `event` into its track's latest event or keeps it, compacting past the cap.
    fn place(&mut self, track: usize, event: Event) {
        let track = &mut self.tracks[track];
        match track.last {
            Some(l) if event.start < self.events[l].start => {
                // Out of order (another task's trace appended): kept as is until a sweep.
            }
            Some(l) if self.events[l].absorbs(&event, self.quantum) => {
                self.events[l].merge(&event);
                return;
            }
            _ => track.last = Some(self.events.len()),
        }
        self.events.push(event);
        if self.events.len() > MAX_EVENTS {
            self.compact();
        }
    }

    /// Sweeps, then coarsens the quantum until at most half the cap is left, so the next
    /// compaction is at least `MAX_EVENTS / 2` pushes away. Once `q` reaches the longest track's
    /// extent each track is a single event, so this ends even with more tracks than that.
    fn compact(&mut self) {
        self.sweep();
        let extent = self
            .events
            .chunk_by(|a, b| a.key() == b.key())
            .map(|track| track[track.len() - 1].end - track[0].start)
            .fold(0.0, f64::max);
        while self.events.len() > MAX_EVENTS / 2 && self.quantum < extent {
            self.quantum *= 2.0;
            self.sweep();
        }
    }

    fn sweep(&mut self) {
        sweep(&mut self.events, self.quantum);
        let mut end = 0;
        for group in self.events.chunk_by(|a, b| a.key() == b.key()) {
            end += group.len();
            if let Ok(i) = self
                .tracks
                .binary_search_by_key(&group[0].key(), Track::key)
            {
                self.tracks[i].last = Some(end - 1);
            }
        }
    }
}

/// Sorts `events` by row, phase and start, and merges them at quantum `q` in one pass.
fn sweep(events: &mut Vec<Event>, q: f64) {
    events.sort_unstable_by(|a, b| {
        a.key()
            .cmp(&b.key())
            .then_with(|| a.start.total_cmp(&b.start))
    });
    events.dedup_by(|next, kept| {
        let merge = next.key() == kept.key() && kept.absorbs(next, q);
        if merge {
            kept.merge(next);
        }
        merge
    });
}
/// Milliseconds since the Unix epoch, sub-millisecond, the same clock in every worker
/// (`performance.timeOrigin + performance.now()` on the web).
#[cfg(target_arch = "wasm32")]
pub fn now_ms() -> f64 {
    use wasm_bindgen::prelude::*;
    #[wasm_bindgen(module = "/js/clock.js")]
    extern "C" {
        #[wasm_bindgen(js_name = nowMs)]
        fn now_ms_js() -> f64;
    }
    now_ms_js()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Epoch milliseconds, as `now_ms` gives: spans sit far from zero, as in a real trace.
    const T0: f64 = 1_700_000_000_000.0;

    fn rows(flat: &[f64]) -> Vec<&[f64]> {
        flat.chunks(STRIDE).collect()
    }

    #[test]
    fn a_million_microsecond_spans_stay_bounded_with_an_exact_total() {
        let mut trace = Trace::default();
        let mut sum = 0.0;
        // 1 µs every 1 ms: far enough apart that only compaction can merge them.
        for i in 0..1_000_000u32 {
            let start = T0 + f64::from(i);
            let end = start + 0.001;
            trace.push(0, i, Phase::Compute, start, end);
            sum += end - start;
            assert!(trace.len() <= MAX_EVENTS);
        }
        let events = trace.events();
        let n = events.len() / STRIDE;
        // Evenly spread slivers all merge once the quantum passes their gap: one faint event.
        assert!((1..=MAX_EVENTS).contains(&n), "{n} events");
        assert_eq!(trace.totals(), vec![0.0, 1.0, sum]);
        let kept = rows(&events);
        assert_eq!(kept[0][3], T0);
        assert_eq!(kept[n - 1][4], T0 + 999_999.0 + 0.001);
        let busy: f64 = kept.iter().map(|e| e[5]).sum();
        assert!((busy - sum).abs() < 1e-6, "{busy} vs {sum}");
    }

    #[test]
    fn slivers_of_one_task_merge_at_once() {
        let mut trace = Trace::default();
        for i in 0..1000 {
            let start = T0 + f64::from(i) * 0.002;
            trace.push(3, 7, Phase::Compute, start, start + 0.001);
        }
        assert_eq!(trace.len(), 1);
        let events = trace.events();
        assert_eq!(
            &events[..5],
            &[3.0, 7.0, 1.0, T0, T0 + 999.0 * 0.002 + 0.001]
        );
        assert_eq!(events[5], trace.totals()[2], "busy sums the slivers");
    }

    #[test]
    fn waits_between_compute_slivers_keep_their_exact_durations() {
        // The sequential lane on `io`: each task computes 10 µs, waits 1 ms, and the next begins.
        let mut trace = Trace::default();
        let mut waits = Vec::new();
        let mut t = T0;
        for task in 0..500 {
            trace.push(0, task, Phase::Compute, t, t + 0.01);
            trace.push(0, task, Phase::Wait, t + 0.01, t + 1.01);
            waits.push((t + 0.01, t + 1.01));
            t += 1.01;
        }
        let events = trace.events();
        let kept: Vec<(f64, f64)> = rows(&events)
            .into_iter()
            .filter(|e| e[2] == Phase::Wait as u8 as f64)
            .map(|e| {
                assert_eq!(e[5], e[4] - e[3], "unmerged: busy is the duration");
                (e[3], e[4])
            })
            .collect();
        assert_eq!(kept, waits);
    }

    #[test]
    fn overlapping_async_waits_stay_bounded_with_exact_totals() {
        // 20,000 futures on one thread, each computing a sliver, waiting 100 ms, computing again.
        let mut lane = Trace::default();
        let (mut compute, mut wait) = (0.0, 0.0);
        for task in 0..20_000 {
            let start = T0 + f64::from(task) * 0.005;
            let mut one = Trace::default();
            one.push(0, task, Phase::Compute, start, start + 0.002);
            one.push(0, task, Phase::Wait, start + 0.002, start + 100.002);
            one.push(0, task, Phase::Compute, start + 100.002, start + 100.004);
            let totals = one.totals();
            compute += totals[2];
            wait += totals[5];
            lane.append(&one);
            assert!(lane.len() <= MAX_EVENTS);
        }
        let events = lane.events();
        assert!(events.len() / STRIDE <= MAX_EVENTS);
        assert_eq!(lane.totals(), vec![0.0, 1.0, compute, 0.0, 2.0, wait]);
        let waits: Vec<&[f64]> = rows(&events).into_iter().filter(|e| e[2] == 2.0).collect();
        assert_eq!(waits.len(), 1, "overlapping waits merge into one");
        assert!(waits[0][5] > 100.0 * (waits[0][4] - waits[0][3]) / 1.01);
    }

    #[test]
    fn append_adds_totals_per_row_and_phase() {
        // Durations in 1/64 ms, so every sum is exact in any order.
        let mut lane = Trace::default();
        let mut want = std::collections::BTreeMap::new();
        for task in 0..3000u32 {
            let mut one = Trace::default();
            let row = task % 4;
            let mut t = T0 + f64::from(task / 4) * 2.0;
            for k in 0..5u32 {
                let phase = [Phase::Compute, Phase::Wait, Phase::GilWait][(k % 3) as usize];
                let len = f64::from((task * 7 + k * 13) % 50) / 64.0;
                one.push(row, task, phase, t, t + len);
                *want.entry((row, phase as u8)).or_insert(0.0) += len;
                t += len;
            }
            lane.append(&one);
        }
        let want: Vec<f64> = want
            .into_iter()
            .flat_map(|((row, phase), ms)| [row.into(), phase.into(), ms])
            .collect();
        assert_eq!(lane.totals(), want);
    }

    #[test]
    fn bounding_events_again_keeps_their_totals() {
        let mut trace = Trace::default();
        for i in 0..100_000u32 {
            let start = T0 + f64::from(i) / 8.0;
            trace.push(i % 3, i, Phase::Compute, start, start + 1.0 / 16.0);
        }
        let again = Trace::from_events(&trace.events()).unwrap();
        assert_eq!(again.totals(), trace.totals());
        assert!(again.len() <= MAX_EVENTS);
        assert!(Trace::from_events(&[0.0; STRIDE + 1]).is_none());
    }

    /// A small generator, so one proptest case can be anywhere from a few spans to several caps.
    fn spans(seed: u64, count: usize, max_len: u64, max_gap: u64, rows: u32) -> Vec<Span> {
        let mut state = seed | 1;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n.max(1)
        };
        let mut clocks = vec![0u64; rows as usize];
        (0..count)
            .map(|_| {
                let row = next(u64::from(rows)) as u32;
                let clock = &mut clocks[row as usize];
                // Mostly in time order per row, as tasks record; sometimes overlapping.
                *clock += next(max_gap);
                let start = if next(8) == 0 {
                    clock.saturating_sub(next(4 * max_len))
                } else {
                    *clock
                };
                let len = next(max_len);
                Span {
                    row,
                    task: next(40) as u32,
                    phase: [Phase::Compute, Phase::Wait, Phase::GilWait][next(3) as usize],
                    // Ticks of 1/64 ms: sums are exact in any order.
                    start: T0 + start as f64 / 64.0,
                    end: T0 + (start + len) as f64 / 64.0,
                }
            })
            .collect()
    }

    #[derive(Clone, Copy, Debug)]
    struct Span {
        row: u32,
        task: u32,
        phase: Phase,
        start: f64,
        end: f64,
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn bounded_exact_and_covering(
            seed in any::<u64>(),
            count in prop_oneof![1usize..300, 20_000usize..60_000],
            max_len in 1u64..400,
            max_gap in 1u64..400,
            row_count in 1u32..5,
            chunk in 1usize..5000,
        ) {
            let spans = spans(seed, count, max_len, max_gap, row_count);
            // Recorded in per-task pieces and appended, as the threads and async lanes do.
            let mut trace = Trace::default();
            for piece in spans.chunks(chunk) {
                let mut one = Trace::default();
                for s in piece {
                    one.push(s.row, s.task, s.phase, s.start, s.end);
                }
                trace.append(&one);
                prop_assert!(trace.len() <= MAX_EVENTS);
            }
            let mut want = std::collections::BTreeMap::new();
            for s in &spans {
                *want.entry((s.row, s.phase as u8)).or_insert(0.0) += s.end - s.start;
            }
            let want: Vec<f64> = want
                .into_iter()
                .flat_map(|((row, phase), ms)| [row.into(), phase.into(), ms])
                .collect();
            prop_assert_eq!(trace.totals(), want);

            let events = trace.events();
            prop_assert_eq!(events.len() % STRIDE, 0);
            let kept = rows(&events);
            prop_assert!(kept.len() <= MAX_EVENTS);
            for pair in kept.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                prop_assert!(a[3] <= a[4]);
                let key = |e: &[f64]| (e[0] as u32, e[2] as u8);
                prop_assert!(key(a) <= key(b), "sorted by row and phase");
                if key(a) == key(b) {
                    // Overlaps (async waits of different tasks) are kept apart until the trace
                    // is coarsened; starts are always in order.
                    prop_assert!(a[3] <= b[3], "sorted: {:?} {:?}", a, b);
                }
            }
            // The furthest end among a row and phase's kept events so far.
            let mut reach = Vec::with_capacity(kept.len());
            for (i, e) in kept.iter().enumerate() {
                let same = i > 0 && kept[i - 1][0] == e[0] && kept[i - 1][2] == e[2];
                reach.push(if same { e[4].max(reach[i - 1]) } else { e[4] });
            }
            for s in &spans {
                let key = [f64::from(s.row), f64::from(s.phase as u8)];
                // Kept events of its row and phase starting no later than the span reach past it.
                let i = kept.partition_point(|e| {
                    (e[0], e[2], e[3]) <= (key[0], key[1], s.start)
                });
                prop_assert!(i > 0, "{:?} not covered", s);
                let e = kept[i - 1];
                prop_assert!(
                    e[0] == key[0] && e[2] == key[1] && reach[i - 1] >= s.end,
                    "{:?} not covered by {:?}", s, e
                );
            }
        }
    }
}
