//! The JavaScript extension host: how administrators reshape values, payloads, people and state
//! transitions with small scripts.
//!
//! This crate owns the extension *contracts* — which kinds exist, which function each must
//! define, and the sandbox limits every run is held to — so that the store can keep extensions
//! and the API can validate their declarations. The boa-based runtime that executes them joins
//! this crate behind the same types.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The kinds of extension and the entry point each must define.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtensionKind {
    /// Picks the workflow transition(s) that lead to a target state.
    StateTransition,
    /// Turns a webhook payload into artifacts of a gateway collection's model.
    PayloadTransformation,
    /// Computes a field value from one or more input fields.
    DataTransformation,
    /// Matches people between repositories.
    PersonReconciliation,
}

impl ExtensionKind {
    /// The functions a script of this kind must define.
    pub const fn required_functions(self) -> &'static [&'static str] {
        match self {
            ExtensionKind::StateTransition => &["transitionArtifact"],
            ExtensionKind::PayloadTransformation => &["transformPayload"],
            ExtensionKind::DataTransformation => &["transform"],
            ExtensionKind::PersonReconciliation => {
                &["mapPersonFromRepository", "mapPersonToRepository"]
            }
        }
    }
}

/// An extension as an administrator saved it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// Unique name.
    pub name: String,
    /// Kind.
    pub kind: ExtensionKind,
    /// JavaScript source.
    pub source: String,
}

/// Limits every extension run is held to, so one runaway script cannot stall the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxLimits {
    /// Loop iterations per call.
    pub loop_iterations: u64,
    /// Call stack depth.
    pub recursion_depth: usize,
    /// Wall-clock time per call.
    #[serde(with = "millis")]
    pub wall_clock: Duration,
    /// Heap growth per context, in bytes.
    pub memory_bytes: u64,
}

impl Default for SandboxLimits {
    fn default() -> Self {
        Self {
            loop_iterations: 10_000_000,
            recursion_depth: 512,
            wall_clock: Duration::from_secs(5),
            memory_bytes: 64 * 1024 * 1024,
        }
    }
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis().try_into().unwrap_or(u64::MAX))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

/// Errors of the extension host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtensionError {
    /// The script lacks a function its kind requires.
    #[error("extension '{name}' must define function {function}")]
    MissingFunction {
        /// Extension name.
        name: String,
        /// The missing function.
        function: &'static str,
    },
}

impl ExtensionError {
    /// The catalogue code: every extension failure surfaces as 17011E.
    pub fn code(&self) -> hub_domain::ErrorCode {
        hub_domain::ErrorCode::error(17011)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_serialize_wall_clock_in_milliseconds() {
        let json = serde_json::to_string(&SandboxLimits::default()).unwrap();
        assert!(json.contains("\"wall_clock\":5000"), "{json}");
        let back: SandboxLimits = serde_json::from_str(&json).unwrap();
        assert_eq!(back, SandboxLimits::default());
    }

    #[test]
    fn person_reconciliation_needs_both_directions() {
        assert_eq!(
            ExtensionKind::PersonReconciliation
                .required_functions()
                .len(),
            2
        );
        assert_eq!(
            ExtensionError::MissingFunction {
                name: "x".into(),
                function: "transform"
            }
            .code()
            .to_string(),
            "SYN-17011E"
        );
    }
}
