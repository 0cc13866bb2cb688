//! A global interpreter lock as CPython (3.2+) has one: a thread must hold it to compute; a thread
//! that has waited a switch interval for it asks the holder to drop it, and the holder does so at
//! its next check (between two slices of work); the dropper then waits until another thread has
//! taken it before asking again (CPython's FORCE_SWITCHING), so the lock really changes hands.
//! Blocking waits release it, as CPython releases it around blocking I/O.
//!
//! CPython asks only after an interval in which the lock did not change hands, and a holder that
//! lets go may take it straight back. Here a thread asks once it has waited an interval in all,
//! and a holder that comes back for the lock while one has asked queues behind it. A thread that
//! ends a served request with no real wait and takes the lock again for the next had otherwise
//! shut the other out for 0.3-1.5 s in the browser, where a woken thread is slow to run (CPython
//! 3.11 on the same machine, two threads each sleeping 0 s then computing 1-3 ms: 110-175 ms at
//! most without a turn).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use super::{cancel, EventLoop, Policy, Span};
use crate::error::Error;
use crate::trace::{now_ms, Phase};

pub struct Gil {
    state: Mutex<State>,
    changed: Condvar,
    /// Read lock-free between slices: the holder's "eval breaker".
    drop_request: AtomicBool,
    switch: Duration,
    switch_ms: f64,
}

#[derive(Default)]
struct State {
    held: bool,
    /// Counts hand-overs, so a dropper can tell that someone else took the lock.
    switches: u64,
    waiting: u32,
}

impl Gil {
    pub fn new(switch_ms: f64) -> Self {
        Gil {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
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
        // A drop asked for is owed to a thread that waits: one that comes for the lock meanwhile
        // (its holder, back from a wait or a request) queues until the lock has changed hands.
        let owed = self.drop_request.load(Ordering::Acquire) && s.waiting > 0;
        let entered = s.switches;
        s.waiting += 1;
        let asked = now_ms();
        while s.held || (owed && s.switches == entered) {
            s = self
                .changed
                .wait_timeout(s, self.switch)
                .unwrap_or_else(|p| p.into_inner())
                .0;
            if s.held && now_ms() - asked >= self.switch_ms {
                self.drop_request.store(true, Ordering::Release);
            }
        }
        s.waiting -= 1;
        s.held = true;
        s.switches += 1;
        self.drop_request.store(false, Ordering::Release);
    }

    pub fn release(&self) {
        self.lock().held = false;
        self.changed.notify_all();
    }

    /// Whether a waiting thread has asked the holder to let go.
    pub fn drop_requested(&self) -> bool {
        self.drop_request.load(Ordering::Acquire)
    }

    /// Drops the lock for a waiting thread and waits until one has taken it.
    pub fn switch_away(&self) {
        let mut s = self.lock();
        let seen = s.switches;
        s.held = false;
        self.changed.notify_all();
        while s.switches == seen && s.waiting > 0 {
            s = self.changed.wait(s).unwrap_or_else(|p| p.into_inner());
        }
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
            // for another thread to take it, then for its turn. All of it is gil-wait, so the
            // timeline shows the lock passing between threads with no blank gaps.
            let let_go = span.close();
            self.gil.switch_away();
            self.gil.acquire();
            span.record_since(Phase::GilWait, let_go);
        }
        Ok(())
    }
}
