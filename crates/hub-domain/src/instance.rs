//! The single-instance lock as a value: who holds a store, since when, until when.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The process holding (or asking for) a store's instance lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockHolder {
    /// A random id per process start; two processes never share one.
    pub instance_id: String,
    /// Host name.
    pub host: String,
    /// Process id.
    pub pid: u32,
    /// When the lock was taken.
    pub since: DateTime<Utc>,
    /// When the lock lapses unless renewed.
    pub expires_at: DateTime<Utc>,
}

impl LockHolder {
    /// Whether the lease has run out at `now`.
    pub fn expired_at(&self, now: DateTime<Utc>) -> bool {
        self.expires_at <= now
    }
}
