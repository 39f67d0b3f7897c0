//! Blockers: problems that stop a whole integration or repository rather than one artifact
//! (bad credentials, a field that no longer exists). They are re-checked periodically and when
//! configuration changes, and clear themselves once the cause is gone.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::catalogue::ErrorCode;
use crate::ids::{BlockerId, IntegrationId, RepositoryId};

/// What a blocker stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "scope", content = "id", rename_all = "snake_case")]
pub enum BlockerScope {
    /// Every integration of the hub.
    Hub,
    /// Everything that uses this repository.
    Repository(RepositoryId),
    /// One integration.
    Integration(IntegrationId),
}

/// A blocker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blocker {
    /// Store-assigned id.
    pub id: Option<BlockerId>,
    /// What it stops.
    pub scope: BlockerScope,
    /// Catalogue code.
    pub code: ErrorCode,
    /// Rendered message.
    pub message: String,
    /// When it first occurred.
    pub first_seen: DateTime<Utc>,
    /// When it was last confirmed.
    pub last_checked: DateTime<Utc>,
}
