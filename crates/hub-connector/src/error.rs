//! How connector failures are classified.
//!
//! A tracker fails in many tool-specific ways; the engine only needs to know which *class* of
//! failure it is, because the class decides what happens next: retry the artifact later, wait for
//! the retry-after the tracker asked for, block the whole repository until credentials are fixed,
//! or fail this one artifact with a message for a person.

use std::time::Duration;

use hub_domain::{ErrorCode, Severity};

/// 61105I: over the tracker's rate limit, retried automatically.
const RATE_LIMITED: ErrorCode = ErrorCode {
    number: 61105,
    severity: Severity::Info,
};

/// The class of a connector failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// The tracker could not be reached or the connection broke.
    Network,
    /// The credentials were refused or lack a permission.
    Auth,
    /// The artifact, project or field does not exist (any more).
    NotFound,
    /// The tracker asked us to slow down.
    RateLimited,
    /// The tracker refused a value.
    InvalidValue,
    /// The artifact is locked or being edited.
    Locked,
    /// The artifact changed since we read it.
    VersionConflict,
    /// The tracker cannot do what was asked.
    Unsupported,
}

impl ErrorClass {
    /// The catalogue code shown on the Activity screen for this class.
    pub const fn code(self) -> ErrorCode {
        match self {
            ErrorClass::Network => ErrorCode::error(1000),
            ErrorClass::Auth => ErrorCode::error(61101),
            ErrorClass::NotFound => ErrorCode::error(30001),
            ErrorClass::RateLimited => RATE_LIMITED,
            ErrorClass::InvalidValue => ErrorCode::error(17003),
            ErrorClass::Locked => ErrorCode::error(1112),
            ErrorClass::VersionConflict => ErrorCode::warning(17004),
            ErrorClass::Unsupported => ErrorCode::error(61001),
        }
    }

    /// Whether retrying the same call later may succeed without anybody changing anything.
    pub const fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorClass::Network
                | ErrorClass::RateLimited
                | ErrorClass::Locked
                | ErrorClass::VersionConflict
        )
    }

    /// Whether the failure concerns the whole repository (a blocker) rather than one artifact.
    pub const fn blocks_repository(self) -> bool {
        matches!(self, ErrorClass::Auth)
    }
}

/// A classified failure of a connector call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{class:?}: {message}")]
pub struct ConnectorError {
    /// The class.
    pub class: ErrorClass,
    /// What the tracker said, for the administrator.
    pub message: String,
    /// How long the tracker asked us to wait (rate limits).
    pub retry_after: Option<Duration>,
}

impl ConnectorError {
    /// Refuses a write that expected `expected` of `what` (the artifact as its tracker names
    /// it), which is now at `current`; no expectation or the same version passes.
    pub fn check_version(
        what: impl std::fmt::Display,
        current: &str,
        expected: Option<&str>,
    ) -> Result<(), ConnectorError> {
        match expected.filter(|v| *v != current) {
            Some(expected) => Err(Self::new(
                ErrorClass::VersionConflict,
                format!("{what} is at version {current}, not {expected}"),
            )),
            None => Ok(()),
        }
    }

    /// A failure of the given class.
    pub fn new(class: ErrorClass, message: impl Into<String>) -> Self {
        Self {
            class,
            message: message.into(),
            retry_after: None,
        }
    }

    /// A rate limit with the wait the tracker asked for.
    pub fn rate_limited(message: impl Into<String>, retry_after: Option<Duration>) -> Self {
        Self {
            class: ErrorClass::RateLimited,
            message: message.into(),
            retry_after,
        }
    }

    /// Its catalogue code.
    pub fn code(&self) -> ErrorCode {
        self.class.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [ErrorClass; 8] = [
        ErrorClass::Network,
        ErrorClass::Auth,
        ErrorClass::NotFound,
        ErrorClass::RateLimited,
        ErrorClass::InvalidValue,
        ErrorClass::Locked,
        ErrorClass::VersionConflict,
        ErrorClass::Unsupported,
    ];

    #[test]
    fn every_class_maps_to_a_catalogue_entry() {
        for class in ALL {
            assert!(
                class.code().entry().is_some(),
                "{class:?} -> {} has no entry",
                class.code()
            );
        }
    }

    #[test]
    fn only_credentials_block_a_repository() {
        let blocking: Vec<_> = ALL.into_iter().filter(|c| c.blocks_repository()).collect();
        assert_eq!(blocking, [ErrorClass::Auth]);
    }
}
