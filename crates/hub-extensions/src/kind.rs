//! Extension kinds, the functions each must define, and an extension as it is saved.
//!
//! The kinds follow the administrator's vocabulary (state transition, payload transformation,
//! data transformation, person reconciliation) so the API and the store can speak of them
//! without knowing anything about the runtime.

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
            ExtensionKind::StateTransition => &[TRANSITION_ARTIFACT],
            ExtensionKind::PayloadTransformation => &[TRANSFORM_PAYLOAD],
            ExtensionKind::DataTransformation => &[TRANSFORM],
            ExtensionKind::PersonReconciliation => &[PERSON_FROM_REPOSITORY, PERSON_TO_REPOSITORY],
        }
    }

    /// Whether a script must define every function of [`Self::required_functions`]; person
    /// reconciliation scripts often define only the direction their collection uses.
    pub const fn needs_every_function(self) -> bool {
        !matches!(self, ExtensionKind::PersonReconciliation)
    }

    /// Global variables a script of this kind must declare (data transformations name their
    /// input and output types).
    pub const fn required_declarations(self) -> &'static [&'static str] {
        match self {
            ExtensionKind::DataTransformation => &["inputTypes", "outputTypes"],
            _ => &[],
        }
    }
}

/// Entry point of state transition extensions.
pub const TRANSITION_ARTIFACT: &str = "transitionArtifact";
/// Entry point of payload transformation extensions.
pub const TRANSFORM_PAYLOAD: &str = "transformPayload";
/// Entry point of data transformation extensions.
pub const TRANSFORM: &str = "transform";
/// Person reconciliation: repository person to model person id.
pub const PERSON_FROM_REPOSITORY: &str = "mapPersonFromRepository";
/// Person reconciliation: model person to repository person id.
pub const PERSON_TO_REPOSITORY: &str = "mapPersonToRepository";

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
