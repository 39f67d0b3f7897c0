//! Many calls of one function in one budgeted evaluation, each still under its own limits.
//!
//! Starting one of boa's budgeted evaluations and converting a context costs far more than a
//! small transformation itself, so a chunk of calls runs in a single evaluation: the invoker
//! script loops over argument arrays the host prepared and hands every result to `__sxPut`.
//! That native converts the result at once (a later call cannot change what an earlier one
//! returned) and starts the clock of the next call, which the guard reads at every yield, so the
//! wall-clock and memory limits stay per call. Loop iterations and recursion are counted per
//! function activation by boa, so the callee's budget does not include the invoker's loop.
//! A throw ends the evaluation with its backtrace intact; the runtime records it for the call
//! that was running and resumes with the next one.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use boa_engine::{Context, JsResult, JsValue};
use serde_json::Value;

/// When the running call of a worker started, for callers deciding whether it is stuck.
#[derive(Debug, Default)]
pub(crate) struct Heartbeat {
    /// Milliseconds since [`epoch`] when the current call started; 0 when idle.
    started_ms: AtomicU64,
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn millis_since_epoch(at: Instant) -> u64 {
    // +1 so that a call starting at the epoch is not mistaken for "idle".
    u64::try_from(at.saturating_duration_since(epoch()).as_millis()).unwrap_or(u64::MAX) + 1
}

impl Heartbeat {
    /// Records that a call started at `at`.
    pub(crate) fn started(&self, at: Instant) {
        self.started_ms
            .store(millis_since_epoch(at), Ordering::Release);
    }

    /// Records that no call is running.
    pub(crate) fn idle(&self) {
        self.started_ms.store(0, Ordering::Release);
    }

    /// True when the current call has run longer than `limit`.
    pub(crate) fn running_longer_than(&self, limit: Duration) -> bool {
        let started = self.started_ms.load(Ordering::Acquire);
        let now = millis_since_epoch(Instant::now());
        started != 0 && now.saturating_sub(started) > limit.as_millis() as u64
    }
}

/// A call's result as the invoker handed it over; the error is the conversion's reason.
pub(crate) type Converted = Result<Option<Value>, String>;

/// The chunk being evaluated on this thread.
struct Cursor {
    /// Index of the running call within the chunk.
    running: usize,
    /// When it started.
    started: Instant,
    /// Results of the calls before it.
    results: Vec<Converted>,
    heartbeat: Arc<Heartbeat>,
}

thread_local! {
    static CURSOR: RefCell<Option<Cursor>> = const { RefCell::new(None) };
}

/// Starts a chunk of `calls` calls; the first one starts now.
pub(crate) fn begin(calls: usize, heartbeat: &Arc<Heartbeat>) {
    let started = Instant::now();
    heartbeat.started(started);
    CURSOR.with(|c| {
        *c.borrow_mut() = Some(Cursor {
            running: 0,
            started,
            results: Vec::with_capacity(calls),
            heartbeat: heartbeat.clone(),
        });
    });
}

/// Ends the chunk, returning the results handed over so far.
pub(crate) fn finish() -> Vec<Converted> {
    CURSOR.with(|c| c.borrow_mut().take().map(|c| c.results).unwrap_or_default())
}

/// The running call's index within the chunk and when it started; `None` outside a chunk.
pub(crate) fn running() -> Option<(usize, Instant)> {
    CURSOR.with(|c| c.borrow().as_ref().map(|c| (c.running, c.started)))
}

/// `__sxPut(result)`: the running call returned `result`; the next one starts.
pub(crate) fn put(_: &JsValue, args: &[JsValue], context: &mut Context) -> JsResult<JsValue> {
    let converted = match args.first() {
        Some(value) => convert(value, context),
        None => Ok(None),
    };
    CURSOR.with(|c| {
        if let Some(cursor) = c.borrow_mut().as_mut() {
            cursor.results.push(converted);
            cursor.running += 1;
            cursor.started = Instant::now();
            cursor.heartbeat.started(cursor.started);
        }
    });
    Ok(JsValue::undefined())
}

/// `value` as JSON, as boa's conversion makes it; text (the usual result) without its
/// character-by-character copy.
fn convert(value: &JsValue, context: &mut Context) -> Converted {
    if let Some(text) = value.as_string() {
        let text = text
            .to_std_string()
            .unwrap_or_else(|_| text.to_std_string_escaped());
        return Ok(Some(Value::String(text)));
    }
    value.to_json(context).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heartbeat_tells_a_long_call_from_an_idle_worker() {
        let heartbeat = Heartbeat::default();
        epoch();
        std::thread::sleep(Duration::from_millis(60));
        assert!(!heartbeat.running_longer_than(Duration::ZERO));
        heartbeat.started(Instant::now() - Duration::from_millis(50));
        assert!(heartbeat.running_longer_than(Duration::from_millis(10)));
        assert!(!heartbeat.running_longer_than(Duration::from_secs(10)));
        heartbeat.idle();
        assert!(!heartbeat.running_longer_than(Duration::ZERO));
    }
}
