//! Quick retries of idempotent tracker reads.
//!
//! A dropped connection or a short rate limit on a *read* is retried on the spot a few times
//! before the whole activity is failed and rescheduled: reading twice is harmless, and an
//! activity makes a dozen calls, so failing it on the first hiccup would make busy or flaky
//! trackers crawl. Writes are never retried here — a write that failed ambiguously may have
//! happened, and only the activity-level protocol (intents, source identities, expected
//! versions) can tell.

use std::future::Future;
use std::time::Duration;

use hub_connector::{ConnectorError, ErrorClass};

/// Attempts per read, the first included.
const ATTEMPTS: u32 = 3;
/// Longest retry-after honoured on the spot; longer ones fail the activity with that delay.
const LONGEST_WAIT: Duration = Duration::from_secs(2);

/// Runs `call` until it succeeds, fails for a reason retrying cannot fix, or runs out of
/// attempts.
pub async fn read<T, F, Fut>(mut call: F) -> Result<T, ConnectorError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ConnectorError>>,
{
    let mut attempt = 1;
    loop {
        match call().await {
            Ok(value) => return Ok(value),
            Err(e) if attempt < ATTEMPTS && retryable(&e) => {
                let wait = e
                    .retry_after
                    .unwrap_or(Duration::from_millis(20 << attempt));
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

fn retryable(e: &ConnectorError) -> bool {
    match e.class {
        ErrorClass::Network | ErrorClass::Locked => true,
        ErrorClass::RateLimited => e.retry_after.is_none_or(|d| d <= LONGEST_WAIT),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn transient_failures_are_retried_and_permanent_ones_are_not() {
        let calls = Cell::new(0);
        let result = read(|| {
            calls.set(calls.get() + 1);
            let n = calls.get();
            async move {
                if n < 3 {
                    Err(ConnectorError::new(ErrorClass::Network, "reset"))
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert_eq!(result.unwrap(), 3);

        calls.set(0);
        let result: Result<(), _> = read(|| {
            calls.set(calls.get() + 1);
            async { Err(ConnectorError::new(ErrorClass::NotFound, "gone")) }
        })
        .await;
        assert_eq!(
            (result.unwrap_err().class, calls.get()),
            (ErrorClass::NotFound, 1)
        );

        calls.set(0);
        let long = ConnectorError::rate_limited("slow down", Some(Duration::from_secs(30)));
        let result: Result<(), _> = read(|| {
            calls.set(calls.get() + 1);
            let e = long.clone();
            async move { Err(e) }
        })
        .await;
        assert_eq!(
            (result.unwrap_err().class, calls.get()),
            (ErrorClass::RateLimited, 1)
        );
    }
}
