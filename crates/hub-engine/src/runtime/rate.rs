//! The per-repository event rate limit: at most N activities per minute touch a repository,
//! whatever integrations share it, so the hub never floods a tracker that asked for restraint.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// A token bucket refilled at `per_minute` tokens a minute, holding at most a minute's worth.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    bucket: Mutex<(f64, Instant)>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` events a minute (at least one).
    pub fn new(per_minute: u32) -> Self {
        let per_minute = per_minute.max(1);
        Self {
            per_minute,
            bucket: Mutex::new((f64::from(per_minute), Instant::now())),
        }
    }

    /// The configured rate.
    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// Waits until an event may happen, then takes its token.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut bucket = self.bucket.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                let rate = f64::from(self.per_minute) / 60.0;
                let refill = now.duration_since(bucket.1).as_secs_f64() * rate;
                bucket.0 = (bucket.0 + refill).min(f64::from(self.per_minute));
                bucket.1 = now;
                if bucket.0 >= 1.0 {
                    bucket.0 -= 1.0;
                    return;
                }
                Duration::from_secs_f64((1.0 - bucket.0) / rate)
            };
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_burst_passes_then_events_are_spaced_by_the_rate() {
        let limiter = RateLimiter::new(60);
        let start = Instant::now();
        for _ in 0..60 {
            limiter.acquire().await;
        }
        assert!(
            start.elapsed() < Duration::from_millis(10),
            "a minute's worth passes at once"
        );
        limiter.acquire().await;
        limiter.acquire().await;
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_millis(1900) && waited <= Duration::from_millis(2100),
            "{waited:?}"
        );
    }
}
