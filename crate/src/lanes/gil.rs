//! A global interpreter lock as CPython (3.2+) has one: a thread must hold it to compute; a thread
//! that has waited a switch interval in which the lock did not change hands asks the holder to
//! drop it, and the holder does so at its next check (between two slices of work); a thread that
//! let the lock go while one asks does not take it back until another thread has taken it
//! (CPython's FORCE_SWITCHING), so the lock really changes hands. Blocking waits release it, as
//! CPython releases it around blocking I/O.
//!
//! One difference: CPython counts a holder that lets go and takes the lock straight back as a
//! hand-over, so its waiter never asks; there the release is around a system call, during which a
//! woken waiter often takes the lock first (CPython 3.11 on this machine, two threads each
//! sleeping 0 s then computing 1-3 ms: 110-175 ms at most without a turn). In the browser a woken
//! thread is slow to run and the holder always won: a thread serving requests of 1 ms with no
//! real wait shut the other out for 0.3-1.5 s. Here only a hand-over to another thread counts, so
//! the waiter asks after an interval, and the holder, coming back for the next request, lets it
//! go first: 10-17 ms at most. Tried before this: asking after an interval of waiting whoever
//! held the lock, and making every thread that came for it while one asked queue behind: 64
//! threads taking turns around 1 ms waits then asked all the time, and 20,000 such requests took
//! 0.7-1.5 s instead of 0.5-0.7 (now 0.6-0.9).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use super::{cancel, EventLoop, Policy, Span};
use crate::error::Error;
use crate::trace::{now_ms, Phase};

pub struct Gil {
    state: Mutex<State>,
    /// Signalled when the lock is let go.
    released: Condvar,
    /// Read lock-free between slices: the holder's "eval breaker".
    drop_request: AtomicBool,
    switch: Duration,
    switch_ms: f64,
}

#[derive(Default)]
struct State {
    held: bool,
    /// Counts hand-overs to another thread, so that a waiter and a dropper can tell the lock
    /// changed hands.
    switches: u64,
    last_holder: u64,
    waiting: u32,
}

/// This thread's name for the lock: a number no other thread has.
fn me() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    thread_local! {
        static ME: u64 = NEXT.fetch_add(1, Ordering::Relaxed);
    }
    ME.with(|me| *me)
}

impl Gil {
    pub fn new(switch_ms: f64) -> Self {
        Gil {
            state: Mutex::new(State::default()),
            released: Condvar::new(),
            drop_request: AtomicBool::new(false),
            switch: Duration::from_secs_f64(switch_ms / 1000.0),
            switch_ms,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking task fails the whole lane anyway; the state stays consistent.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Blocks until this thread holds the lock.
    pub fn acquire(&self) {
        let mut s = self.lock();
        let me = me();
        // The last holder coming back while a waiting thread asks for the lock lets that one
        // have it first (CPython's FORCE_SWITCHING makes the dropper wait the same way).
        let yielding = self.drop_requested() && s.last_holder == me && s.waiting > 0;
        let entered = s.switches;
        s.waiting += 1;
        // The interval runs from when this thread first found the lock with the holder it waits
        // behind, not from the last release: a holder that lets go and takes it back wakes this
        // thread each time. The clock is read only on a wake that finds no hand-over: with many
        // threads taking turns, every waiter wakes at every release, and most of those wakes
        // find the lock changed hands.
        let mut seen = s.switches;
        let mut since: Option<f64> = None;
        while s.held || (yielding && s.switches == entered) {
            s = self
                .released
                .wait_timeout(s, self.switch)
                .unwrap_or_else(|p| p.into_inner())
                .0;
            if s.switches != seen {
                seen = s.switches;
                since = None;
            } else if s.held {
                let now = now_ms();
                match since {
                    None => since = Some(now),
                    Some(t) if now - t >= self.switch_ms => {
                        self.drop_request.store(true, Ordering::Release);
                    }
                    Some(_) => {}
                }
            }
        }
        s.waiting -= 1;
        s.held = true;
        if s.last_holder != me {
            s.last_holder = me;
            s.switches += 1;
        }
        self.drop_request.store(false, Ordering::Release);
    }

    pub fn release(&self) {
        self.lock().held = false;
        self.released.notify_all();
    }

    /// Whether a waiting thread has asked the holder to let go.
    pub fn drop_requested(&self) -> bool {
        self.drop_request.load(Ordering::Acquire)
    }
}

/// A thread under the GIL: computes only while holding it, lets go when asked, and releases it
/// for the whole of every blocking wait. Time spent waiting for the lock is a `gil-wait` event.
pub struct UnderGil<'a, L> {
    pub gil: &'a Gil,
    _loop: std::marker::PhantomData<L>,
}

impl<'a, L> UnderGil<'a, L> {
    pub fn new(gil: &'a Gil) -> Self {
        UnderGil {
            gil,
            _loop: std::marker::PhantomData,
        }
    }
}

impl<L: EventLoop> Policy for UnderGil<'_, L> {
    async fn wait(&mut self, ms: f64, span: &mut Span<'_>) -> Result<(), Error> {
        let start = span.close();
        self.gil.release();
        L::sleep(ms).await;
        span.record_since(Phase::Wait, start);
        let asked = now_ms();
        self.gil.acquire();
        span.record_since(Phase::GilWait, asked);
        cancel::check()
    }

    /// Blocked on a lock: let the GIL go while waiting, as CPython's `Lock.acquire` does, or
    /// the lock's holder could never take the GIL back to release it.
    async fn blocked(&mut self, span: &mut Span<'_>) -> Result<(), Error> {
        let start = span.close();
        self.gil.release();
        L::yield_now().await;
        self.gil.acquire();
        span.record_since(Phase::LockWait, start);
        cancel::check()
    }

    async fn between(&mut self, span: &mut Span<'_>) -> Result<(), Error> {
        cancel::check()?;
        if self.gil.drop_requested() {
            // From letting go until holding it again the thread only waits for the lock: first
            // for another thread to take it (`acquire` sees to that), then for its turn. All of
            // it is gil-wait, so the timeline shows the lock passing between threads with no
            // blank gaps.
            let let_go = span.close();
            self.gil.release();
            self.gil.acquire();
            span.record_since(Phase::GilWait, let_go);
        }
        Ok(())
    }
}
