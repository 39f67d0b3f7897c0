//! Saved extensions: what the host checks before a script is stored, and how a hub loads every
//! stored script when it starts.
//!
//! The store keeps scripts without understanding them (`hub_store::extensions`); this is where
//! they are judged. A configuration file's extensions are all checked before any of the file is
//! planned, so a broken script refuses the whole file with its line and column. At start the
//! hub loads each stored extension; one that no longer passes (saved by an older version, say)
//! is reported and skipped, and the artifacts that use it fail with its code instead of the hub
//! refusing to start.

use hub_store::Store;
use hub_store::document::{ApplyError, DeclaredExtension, Document, ScriptField, ScriptProblem};
use hub_store::extensions::{self as saved, ExtensionRecord};

use crate::error::ExtensionError;
use crate::host::ExtensionHost;
use crate::kind::{Extension, ExtensionKind};
use crate::limits::SandboxLimits;
use crate::validate::validate;

/// Kind names as written in files and stored.
const KINDS: [(&str, ExtensionKind); 4] = [
    (saved::STATE_TRANSITION, ExtensionKind::StateTransition),
    (
        saved::PAYLOAD_TRANSFORMATION,
        ExtensionKind::PayloadTransformation,
    ),
    (
        saved::DATA_TRANSFORMATION,
        ExtensionKind::DataTransformation,
    ),
    (
        saved::PERSON_RECONCILIATION,
        ExtensionKind::PersonReconciliation,
    ),
];

/// The kind called `name` in files and the store.
pub fn kind_named(name: &str) -> Option<ExtensionKind> {
    KINDS.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
}

/// Checks one declared extension as it would be saved.
pub fn check_declared(
    declared: &DeclaredExtension<'_>,
    limits: &SandboxLimits,
) -> Result<(), ScriptProblem> {
    let Some(kind) = kind_named(declared.kind) else {
        let known: Vec<&str> = KINDS.iter().map(|(n, _)| *n).collect();
        return Err(ScriptProblem {
            code: hub_domain::catalogue::hub::VALIDATION_FAILED,
            field: ScriptField::Kind,
            message: format!(
                "unknown kind '{}'; one of {}",
                declared.kind,
                known.join(", ")
            ),
        });
    };
    let extension = Extension {
        name: declared.name.to_owned(),
        kind,
        source: declared.script.to_owned(),
    };
    validate(&extension, limits)
        .map(drop)
        .map_err(|e| ScriptProblem {
            code: e.code(),
            field: ScriptField::Script,
            message: e.to_string(),
        })
}

/// Checks every extension a configuration file declares; the document can be applied only
/// after this passed.
pub fn check_document(doc: &mut Document, limits: &SandboxLimits) -> Result<(), ApplyError> {
    doc.check_extensions(|declared| check_declared(declared, limits))
}

/// What loading the stored extensions did.
#[derive(Debug, Default)]
pub struct LoadReport {
    /// Loaded, by name.
    pub loaded: Vec<String>,
    /// Stored but refused, with why.
    pub refused: Vec<(String, ExtensionError)>,
}

/// The stored extension as the host takes it.
fn extension_of(record: &ExtensionRecord) -> Result<Extension, ExtensionError> {
    let stored = &record.extension;
    let kind = kind_named(&stored.kind).ok_or_else(|| ExtensionError::Store {
        code: hub_domain::catalogue::hub::VALIDATION_FAILED,
        message: format!(
            "extension '{}' has an unknown kind '{}'",
            stored.name, stored.kind
        ),
    })?;
    Ok(Extension {
        name: stored.name.clone(),
        kind,
        source: stored.source.clone(),
    })
}

/// Loads every extension the store holds into `host`.
pub async fn load_saved(host: &ExtensionHost, store: &Store) -> Result<LoadReport, ExtensionError> {
    let records = store
        .extensions()
        .await
        .map_err(|e| ExtensionError::Store {
            code: e.code(),
            message: e.to_string(),
        })?;
    let mut report = LoadReport::default();
    for record in &records {
        let name = record.extension.name.clone();
        match extension_of(record).and_then(|e| host.load(&e)) {
            Ok(_) => report.loaded.push(name),
            Err(e) => report.refused.push((name, e)),
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared<'a>(kind: &'a str, script: &'a str) -> DeclaredExtension<'a> {
        DeclaredExtension {
            name: "Shout",
            kind,
            script,
        }
    }

    #[test]
    fn every_kind_has_a_name_and_unknown_names_none() {
        for (name, kind) in KINDS {
            assert_eq!(kind_named(name), Some(kind));
        }
        let kinds: std::collections::HashSet<_> = KINDS.iter().map(|(_, k)| *k).collect();
        assert_eq!(kinds.len(), KINDS.len());
        assert_eq!(kind_named("transformation"), None);
    }

    #[test]
    fn an_unknown_kind_names_the_known_ones() {
        let e = check_declared(&declared("shouting", "x"), &SandboxLimits::default()).unwrap_err();
        assert_eq!(e.field, ScriptField::Kind);
        assert!(e.message.contains("data_transformation"), "{}", e.message);
    }

    #[test]
    fn a_syntax_error_is_refused_with_line_and_column() {
        let script = "var inputTypes = ['string'];\nvar outputTypes = ['string'];\nfunction transform(c, i) { return i[0].; }\n";
        let e = check_declared(
            &declared("data_transformation", script),
            &SandboxLimits::default(),
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.field),
            (hub_domain::ErrorCode::error(17011), ScriptField::Script)
        );
        assert!(e.message.contains("line 3"), "{}", e.message);
    }

    #[test]
    fn a_missing_function_is_refused_and_a_good_script_passes() {
        let limits = SandboxLimits::default();
        let e = check_declared(&declared("state_transition", "var x = 1;"), &limits).unwrap_err();
        assert!(e.message.contains("transitionArtifact"), "{}", e.message);
        let good = "function transitionArtifact(context, transitions) { return transitions[0]; }";
        assert_eq!(
            check_declared(&declared("state_transition", good), &limits),
            Ok(())
        );
    }
}
