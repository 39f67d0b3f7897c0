//! One worker at a time per pair.
//!
//! Claims keep one *artifact* from being processed twice at once, but the two artifacts of a
//! pair change independently, and their activities may run side by side. Field writes are safe
//! under that race (expected versions, snapshot revisions), comment and attachment copies are
//! not: both workers would see the same new comment and copy it. So a pair is synchronized under
//! its lock. The lock is per process; the instance lock makes the hub the only process on its
//! store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OwnedMutexGuard;

/// Locks by pair id; entries go away when nobody holds or waits for them.
#[derive(Debug, Default)]
pub struct PairLocks {
    locks: Arc<Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>>,
}

/// Held while a pair is synchronized.
pub struct PairGuard {
    pair: i64,
    guard: Option<OwnedMutexGuard<()>>,
    locks: Arc<Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>>,
}

impl PairLocks {
    /// Waits for the pair's lock.
    pub async fn lock(&self, pair: i64) -> PairGuard {
        let mutex = {
            let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
            locks.entry(pair).or_default().clone()
        };
        let guard = mutex.lock_owned().await;
        PairGuard {
            pair,
            guard: Some(guard),
            locks: self.locks.clone(),
        }
    }
}

impl Drop for PairGuard {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        if locks
            .get(&self.pair)
            .is_some_and(|m| Arc::strong_count(m) == 1)
        {
            locks.remove(&self.pair);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_pair_is_held_by_one_worker_and_forgotten_when_free() {
        let locks = Arc::new(PairLocks::default());
        let first = locks.lock(7).await;
        let waiting = {
            let locks = locks.clone();
            tokio::spawn(async move { drop(locks.lock(7).await) })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "the second worker waits");
        let other = locks.lock(8).await; // other pairs are not held up
        drop(other);
        drop(first);
        waiting.await.unwrap();
        assert!(locks.locks.lock().unwrap().is_empty());
    }
}
