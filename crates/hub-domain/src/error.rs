//! The domain's error type. Every variant knows its catalogue code, so the edge (API, CLI) can
//! show the code, the message and the user action without guessing.

use crate::catalogue::{ErrorCode, hub};

/// Errors raised by domain rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A configuration object breaks a rule.
    #[error("{object} '{name}' is not valid: {field}: {reason}")]
    Invalid {
        /// Kind of object: "repository", "integration", …
        object: &'static str,
        /// The object's name.
        name: String,
        /// Path of the offending field, e.g. `routes[2].left_project`.
        field: String,
        /// What is wrong, in words an administrator understands.
        reason: String,
    },
    /// A configuration object refers to another that does not exist.
    #[error("{object} '{name}' refers to {target} '{reference}', which does not exist")]
    MissingReference {
        /// Kind of the referring object.
        object: &'static str,
        /// Its name.
        name: String,
        /// Kind of the missing object.
        target: &'static str,
        /// The reference as written.
        reference: String,
    },
    /// A state machine was asked for a move it does not allow.
    #[error("{object} cannot go from {from} to {to}")]
    IllegalTransition {
        /// Kind of object.
        object: &'static str,
        /// Current state.
        from: String,
        /// Requested state.
        to: String,
    },
}

impl DomainError {
    /// The catalogue code shown for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            DomainError::Invalid { .. } | DomainError::IllegalTransition { .. } => {
                hub::VALIDATION_FAILED
            }
            DomainError::MissingReference { .. } => hub::REFERENCE_MISSING,
        }
    }

    /// Shorthand for an [`DomainError::Invalid`].
    pub fn invalid(
        object: &'static str,
        name: impl Into<String>,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        DomainError::Invalid {
            object,
            name: name.into(),
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// Objects that check their own rules before they are saved.
///
/// `validate` reports every problem it finds, not only the first, so an administrator fixes a
/// configuration in one round.
pub trait Validate {
    /// All rule violations; empty when valid.
    fn problems(&self) -> Vec<DomainError>;

    /// `Ok` when there are no problems, else the first one.
    fn validate(&self) -> Result<(), DomainError> {
        match self.problems().into_iter().next() {
            None => Ok(()),
            Some(first) => Err(first),
        }
    }
}

/// Checks a name shared by all named configuration objects: non-empty, trimmed, ≤ 200 chars.
pub(crate) fn check_name(object: &'static str, name: &str, out: &mut Vec<DomainError>) {
    let reason = if name.trim().is_empty() {
        Some("must not be empty")
    } else if name.trim() != name {
        Some("must not start or end with spaces")
    } else if name.chars().count() > 200 {
        Some("must be at most 200 characters")
    } else {
        None
    };
    if let Some(reason) = reason {
        out.push(DomainError::invalid(object, name, "name", reason));
    }
}
