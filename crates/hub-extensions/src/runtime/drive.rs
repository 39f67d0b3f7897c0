//! Running boa's budgeted evaluation to completion on the current thread while enforcing the
//! wall-clock and memory limits.
//!
//! boa yields to its executor every `BUDGET` units of work. This tiny executor polls the
//! evaluation with a no-op waker and, at each yield, checks the deadline and how much the
//! process's resident memory grew since the call began (as of its first yield). When a limit is passed the
//! evaluation future is dropped: the script stops there, and the caller discards the context.

use std::future::Future;
use std::pin::pin;
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::{Duration, Instant};

use super::batch;
use crate::error::Limit;

/// Work units between two limit checks.
pub(crate) const BUDGET: u32 = 1_000;

/// How often the resident memory is read at most.
const MEMORY_CHECK_EVERY: Duration = Duration::from_millis(2);

/// The limits of the running call, checked at each yield.
///
/// One evaluation may run a chunk of calls ([`super::batch`]); the deadline and the memory
/// baseline follow the call that is running, so every call has its own limits.
pub(crate) struct Guard {
    wall_clock: Duration,
    memory_bytes: u64,
    created: Instant,
    /// The call the baseline belongs to.
    call: usize,
    baseline: Option<u64>,
    last_reading: Option<(Instant, u64)>,
}

impl Guard {
    pub(crate) fn new(wall_clock: Duration, memory_bytes: u64) -> Self {
        Self {
            wall_clock,
            memory_bytes,
            created: Instant::now(),
            call: 0,
            baseline: None,
            last_reading: None,
        }
    }

    fn check(&mut self) -> Result<(), Limit> {
        let now = Instant::now();
        let (call, started) = batch::running().unwrap_or((0, self.created));
        if now >= started + self.wall_clock {
            return Err(Limit::WallClock);
        }
        let recent = self
            .last_reading
            .filter(|(at, _)| now.duration_since(*at) < MEMORY_CHECK_EVERY);
        if call != self.call {
            // A reading this recent stands for the resident memory when the call began.
            self.call = call;
            self.baseline = recent.map(|(_, bytes)| bytes);
        }
        if recent.is_some() && self.baseline.is_some() {
            return Ok(());
        }
        let Some(resident) = resident_bytes() else {
            return Ok(());
        };
        self.last_reading = Some((now, resident));
        let baseline = *self.baseline.get_or_insert(resident);
        if resident.saturating_sub(baseline) > self.memory_bytes {
            return Err(Limit::Memory);
        }
        Ok(())
    }
}

/// Polls `future` to completion, checking the guard whenever it yields.
pub(crate) fn drive<F: Future>(future: F, guard: &mut Guard) -> Result<F::Output, Limit> {
    let mut future = pin!(future);
    let mut cx = TaskContext::from_waker(Waker::noop());
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(value) => return Ok(value),
            Poll::Pending => guard.check()?,
        }
    }
}

/// The process's resident set size, from `/proc/self/statm` (Linux).
pub(crate) fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_future_that_never_finishes_is_stopped_at_the_deadline() {
        let mut guard = Guard::new(Duration::from_millis(30), u64::MAX);
        let started = Instant::now();
        let result = drive(std::future::pending::<()>(), &mut guard);
        assert_eq!(result, Err(Limit::WallClock));
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn resident_memory_is_readable() {
        assert!(resident_bytes().is_some_and(|b| b > 0));
    }
}
