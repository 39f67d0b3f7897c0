//! Activities: durable units of work on one artifact, and the rules for moving between states.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::catalogue::ErrorCode;
use crate::error::DomainError;
use crate::ids::{ActivityId, IntegrationId};
use crate::pair::ArtifactRef;

/// The life cycle of an activity.
///
/// ```text
/// pending ──claim──▶ processing ──▶ completed
///    ▲                   │
///    │ retry             ├──▶ failed ──ignore──▶ ignored
///    └───────────────────┴──── (retry, also from failed)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityState {
    /// Waiting to be processed (possibly not before its next attempt time).
    Pending,
    /// Leased by a worker.
    Processing,
    /// The last attempt failed; it will be retried automatically or by a person.
    Failed,
    /// A person decided not to process it.
    Ignored,
    /// Done.
    Completed,
}

impl ActivityState {
    /// All states, in display order.
    pub const ALL: [ActivityState; 5] = [
        ActivityState::Pending,
        ActivityState::Processing,
        ActivityState::Failed,
        ActivityState::Ignored,
        ActivityState::Completed,
    ];

    /// The name stored and shown for the state.
    pub const fn as_str(self) -> &'static str {
        match self {
            ActivityState::Pending => "pending",
            ActivityState::Processing => "processing",
            ActivityState::Failed => "failed",
            ActivityState::Ignored => "ignored",
            ActivityState::Completed => "completed",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the activity is finished and only kept as history.
    pub const fn is_final(self) -> bool {
        matches!(self, ActivityState::Completed | ActivityState::Ignored)
    }

    /// Whether moving to `to` is allowed.
    pub const fn can_become(self, to: ActivityState) -> bool {
        use ActivityState::*;
        matches!(
            (self, to),
            (Pending, Processing)
                | (Pending, Ignored)
                | (Processing, Completed)
                | (Processing, Failed)
                | (Processing, Pending)
                | (Failed, Pending)
                | (Failed, Ignored)
                | (Failed, Processing)
        )
    }

    /// `Ok(to)` when allowed, else the coded error.
    pub fn transition(self, to: ActivityState) -> Result<ActivityState, DomainError> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(DomainError::IllegalTransition {
                object: "activity",
                from: self.as_str().into(),
                to: to.as_str().into(),
            })
        }
    }
}

impl std::fmt::Display for ActivityState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the activity does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// Carry a change of an artifact to its twin (creating the twin if needed).
    Synchronize,
    /// Re-create a twin that was deleted.
    Recreate,
    /// Write an artifact to a reporting database.
    Stream,
}

/// One unit of work on one artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// Store-assigned id.
    pub id: ActivityId,
    /// The integration it belongs to.
    pub integration: IntegrationId,
    /// The artifact whose change is processed.
    pub artifact: ArtifactRef,
    /// What to do.
    pub kind: ActivityKind,
    /// Current state.
    pub state: ActivityState,
    /// Higher runs first.
    pub priority: i32,
    /// Attempts made so far.
    pub attempts: u32,
    /// Not processed before this time.
    pub next_attempt_at: DateTime<Utc>,
    /// The code of the last failure.
    pub error_code: Option<ErrorCode>,
    /// The message of the last failure.
    pub error_message: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed state.
    pub updated_at: DateTime<Utc>,
}

/// Automatic retry delay after `attempts` failed attempts: 30 s doubling to a cap.
pub fn retry_delay(attempts: u32, cap: std::time::Duration) -> std::time::Duration {
    let base = std::time::Duration::from_secs(30);
    let factor = 1u32
        .checked_shl(attempts.saturating_sub(1))
        .unwrap_or(u32::MAX);
    base.saturating_mul(factor).min(cap)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn final_states_never_move() {
        for from in [ActivityState::Completed, ActivityState::Ignored] {
            for to in ActivityState::ALL {
                assert!(from.transition(to).is_err(), "{from} -> {to}");
            }
        }
    }

    #[test]
    fn the_normal_life_cycle_is_allowed() {
        let s = ActivityState::Pending;
        let s = s.transition(ActivityState::Processing).unwrap();
        let s = s.transition(ActivityState::Failed).unwrap();
        let s = s.transition(ActivityState::Pending).unwrap();
        let s = s.transition(ActivityState::Processing).unwrap();
        assert_eq!(
            s.transition(ActivityState::Completed).unwrap(),
            ActivityState::Completed
        );
    }

    #[test]
    fn names_round_trip() {
        for s in ActivityState::ALL {
            assert_eq!(ActivityState::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn retry_starts_near_thirty_seconds() {
        let cap = Duration::from_secs(3600);
        assert_eq!(retry_delay(1, cap), Duration::from_secs(30));
        assert_eq!(retry_delay(2, cap), Duration::from_secs(60));
        assert_eq!(retry_delay(40, cap), cap);
    }

    proptest! {
        #[test]
        fn retry_delay_grows_monotonically_to_the_cap(a in 0u32..100, cap_s in 30u64..100_000) {
            let cap = Duration::from_secs(cap_s);
            let d1 = retry_delay(a, cap);
            let d2 = retry_delay(a + 1, cap);
            prop_assert!(d1 <= d2);
            prop_assert!(d2 <= cap);
        }
    }
}
