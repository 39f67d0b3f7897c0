//! Artifact pairs: two artifacts kept in step by one integration.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{ArtifactPairId, IntegrationId, RepositoryId};

/// Where an artifact lives: a repository and its id there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ArtifactRef {
    /// The repository.
    pub repository: RepositoryId,
    /// The tool's id of the artifact.
    pub id: String,
}

/// One side of a pair as it was last synchronized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairSide {
    /// The artifact.
    pub artifact: ArtifactRef,
    /// Formatted id as the tool shows it (`PRJ-42`, `#42`).
    pub formatted_id: String,
    /// The artifact's version token when last synchronized (for optimistic locking).
    pub version: Option<String>,
}

/// Two artifacts associated by an integration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtifactPair {
    /// Store-assigned id.
    pub id: Option<ArtifactPairId>,
    /// The integration.
    pub integration: IntegrationId,
    /// Left artifact.
    pub left: PairSide,
    /// Right artifact.
    pub right: PairSide,
    /// When the pair was created.
    pub created_at: DateTime<Utc>,
    /// When it was last synchronized.
    pub synchronized_at: DateTime<Utc>,
}
