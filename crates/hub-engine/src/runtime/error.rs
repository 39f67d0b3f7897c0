//! What can go wrong while synchronizing one artifact, and what each failure means for the
//! activity: retry soon, retry with backoff, wait for a person, or nothing to do.

use std::time::Duration;

use hub_connector::{ConnectorError, ErrorClass};
use hub_domain::ErrorCode;
use hub_domain::catalogue::hub;
use hub_store::StoreError;

use crate::sync::transform::TransformError;

/// A failure while synchronizing one artifact.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// A tracker call failed.
    #[error("{side} repository: {error}")]
    Connector {
        /// Which side.
        side: &'static str,
        /// The classified failure.
        error: ConnectorError,
    },
    /// A value could not be carried across the mapping.
    #[error(transparent)]
    Transform(#[from] TransformError),
    /// Both sides changed the same fields and the strategy leaves it to a person.
    #[error("conflicting changes to {fields} on both sides")]
    Conflict {
        /// The fields, comma-separated.
        fields: String,
    },
    /// The paired artifact on the other side is gone.
    #[error("the paired artifact {artifact} no longer exists on the {side} side")]
    TwinDeleted {
        /// Which side lost it.
        side: &'static str,
        /// Its formatted id.
        artifact: String,
    },
    /// A hub-made copy whose original is already paired with another artifact.
    #[error(
        "{artifact} is a copy of an artifact already paired with {paired_with}; remove the extra copy"
    )]
    ConflictingAssociation {
        /// The extra copy.
        artifact: String,
        /// What the original is paired with.
        paired_with: String,
    },
    /// Another worker changed the pair meanwhile.
    #[error("the pair changed while it was being synchronized")]
    PairChanged,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The integration's configuration cannot be used.
    #[error("{0}")]
    Configuration(String),
    /// No person of the target repository matches.
    #[error(
        "no person in the {side} repository matches {person} (by e-mail, user name or display name)"
    )]
    PersonNotFound {
        /// The target side.
        side: &'static str,
        /// The person, as named on the source artifact.
        person: String,
    },
    /// The workflow offers no way to the state.
    #[error(
        "{artifact} cannot move from state '{from}' to '{to}': no allowed transitions lead there"
    )]
    StateUnreachable {
        /// The artifact.
        artifact: String,
        /// Its state.
        from: String,
        /// The state it should reach.
        to: String,
    },
    /// An extension failed (threw, broke a sandbox limit, or returned something unusable).
    #[error("{0}")]
    Extension(#[from] hub_extensions::ExtensionError),
    /// An artifact filter of the integration cannot be evaluated.
    #[error("{0}")]
    InvalidFilter(String),
}

/// What to do with the activity after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Try again after the backoff for this attempt.
    Backoff,
    /// Try again after exactly this long (a tracker's retry-after).
    After(Duration),
    /// Try again at once (a race with another writer).
    Now,
    /// Leave it failed for a person.
    Never,
}

impl SyncError {
    /// The catalogue code shown on the activity.
    pub fn code(&self) -> ErrorCode {
        match self {
            SyncError::Connector { error, .. } => error.code(),
            SyncError::Transform(e) => e.code(),
            SyncError::Conflict { .. } => ErrorCode::error(50002),
            SyncError::TwinDeleted { .. } => ErrorCode::error(50001),
            SyncError::ConflictingAssociation { .. } => ErrorCode::error(5),
            SyncError::PairChanged => ErrorCode::warning(17004),
            SyncError::Store(e) => e.code(),
            SyncError::Configuration(_) => ErrorCode::error(17002),
            SyncError::InvalidFilter(_) => ErrorCode::error(1409),
            SyncError::Extension(e) => e.code(),
            SyncError::PersonNotFound { .. } => hub::PERSON_NOT_FOUND,
            SyncError::StateUnreachable { .. } => hub::STATE_TRANSITION_FAILED,
        }
    }

    /// How the activity should be retried.
    pub fn retry(&self) -> Retry {
        match self {
            SyncError::Connector { error, .. } => match error.class {
                ErrorClass::RateLimited => error.retry_after.map_or(Retry::Backoff, Retry::After),
                ErrorClass::VersionConflict => Retry::Now,
                class if class.is_transient() || class.blocks_repository() => Retry::Backoff,
                _ => Retry::Never,
            },
            SyncError::PairChanged => Retry::Now,
            SyncError::Store(_) => Retry::Backoff,
            SyncError::Transform(_)
            | SyncError::Conflict { .. }
            | SyncError::TwinDeleted { .. }
            | SyncError::ConflictingAssociation { .. }
            | SyncError::Configuration(_)
            | SyncError::InvalidFilter(_)
            | SyncError::Extension(_) => Retry::Never,
            // People and workflows are fixed by administrators; retrying later may succeed.
            SyncError::PersonNotFound { .. } | SyncError::StateUnreachable { .. } => Retry::Backoff,
        }
    }
}

/// Wraps connector results with the side they came from.
pub(crate) trait OnSide<T> {
    fn on(self, side: &'static str) -> Result<T, SyncError>;
}

impl<T> OnSide<T> for Result<T, ConnectorError> {
    fn on(self, side: &'static str) -> Result<T, SyncError> {
        self.map_err(|error| SyncError::Connector { side, error })
    }
}
