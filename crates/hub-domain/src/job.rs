//! Background jobs: long-running work (route moves, project replacement, data migration) whose
//! progress an administrator can watch.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::JobId;

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Not started.
    Queued,
    /// Working.
    Running,
    /// Finished.
    Succeeded,
    /// Stopped with an error.
    Failed,
    /// Cancelled by a person or a configuration change.
    Cancelled,
}

/// A background job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackgroundJob {
    /// Store-assigned id.
    pub id: Option<JobId>,
    /// What kind of work (`route_move`, `migration`, …).
    pub kind: String,
    /// Human description.
    pub description: String,
    /// State.
    pub state: JobState,
    /// Units done.
    pub done: u64,
    /// Units in all, when known.
    pub total: Option<u64>,
    /// When it started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it ended.
    pub finished_at: Option<DateTime<Utc>>,
    /// Error message when it failed.
    pub error: Option<String>,
}

impl BackgroundJob {
    /// Progress as a fraction in `0.0..=1.0`, when the total is known.
    pub fn progress(&self) -> Option<f64> {
        let total = self.total?;
        if total == 0 {
            return Some(1.0);
        }
        Some((self.done.min(total) as f64) / (total as f64))
    }
}
