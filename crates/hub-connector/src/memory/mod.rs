//! The memory connector: a complete issue tracker held in memory, the reference every other
//! adapter is measured against.
//!
//! Engine tests, benchmarks and the demo need a tracker that is fast, deterministic, and able to
//! fail on demand. [`MemoryTracker`] is that tracker (projects, a schema with every field type, a
//! workflow, comments, attachments, time entries, persons, versions, change queries);
//! [`MemoryConnector`] is the [`Connector`](crate::Connector) over it with a [`FaultPlan`].
//! Named instances
//! ([`instance`]) let the hub, which builds connectors from settings, and a test, which edits the
//! tracker as its users would, share one tracker.

mod changes;
mod connector;
mod faults;
mod instances;
mod journal;
mod ops;
mod paging;
mod parts;
mod persist;
mod rng;
pub mod schema;
mod seed;
mod state;
mod tracker;
mod user;
mod validate;

#[cfg(test)]
mod persist_tests;
#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::json;

pub use connector::{ALL_CAPABILITIES, MemoryConnector};
pub use faults::{CallKind, FaultPlan};
pub use instances::{instance, open_instance, remove_instance};
pub use paging::DEFAULT_PAGE_SIZE;
pub use tracker::MemoryTracker;
pub use user::{ArtifactSnapshot, TrackerCounts};

use crate::connector::Result;
use crate::error::{ConnectorError, ErrorClass};
use crate::kind::Capability;
use crate::registry::ConnectorKind;
use crate::types::ConnectionSettings;

/// Registry key of the memory connector.
pub const KIND: &str = "memory";
/// Name shown to administrators.
pub const DISPLAY_NAME: &str = "Memory (reference)";

/// The `settings` object of a memory repository.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemorySettings {
    /// Name of the shared tracker instance.
    pub instance: String,
    /// Snapshot file the tracker is loaded from and saved to (with a journal beside it).
    #[serde(default)]
    pub state_file: Option<PathBuf>,
    /// Faults of the connector.
    #[serde(default)]
    pub faults: Option<FaultPlan>,
    /// Artifacts per page of a change query.
    #[serde(default)]
    pub page_size: Option<usize>,
    /// What the connector can do, to stand in for a less capable tracker; all when absent.
    #[serde(default)]
    pub capabilities: Option<Vec<Capability>>,
}

impl MemoryConnector {
    /// Builds a connector from repository settings (`{"instance": "left", …}`).
    pub fn from_settings(settings: &ConnectionSettings) -> Result<Self> {
        let settings: MemorySettings =
            serde_json::from_value(settings.settings.clone()).map_err(|e| {
                ConnectorError::new(
                    ErrorClass::InvalidValue,
                    format!("memory connector settings: {e}"),
                )
            })?;
        if settings.instance.trim().is_empty() {
            return Err(ConnectorError::new(
                ErrorClass::InvalidValue,
                "memory connector settings: instance is empty",
            ));
        }
        let tracker = open_instance(&settings.instance, settings.state_file.as_deref())?;
        let connector = MemoryConnector::new(tracker)
            .with_faults(settings.faults.unwrap_or_default())?
            .with_page_size(settings.page_size.unwrap_or(DEFAULT_PAGE_SIZE));
        Ok(match &settings.capabilities {
            Some(capabilities) => connector.with_capabilities(capabilities),
            None => connector,
        })
    }
}

/// The memory connector kind for the registry.
pub fn kind() -> ConnectorKind {
    ConnectorKind {
        kind: KIND,
        display_name: DISPLAY_NAME,
        settings_schema: settings_schema(),
        build: Arc::new(|settings| Ok(Arc::new(MemoryConnector::from_settings(settings)?))),
    }
}

fn settings_schema() -> serde_json::Value {
    let rate = |description: &str| json!({"type": "number", "minimum": 0, "maximum": 1, "default": 0, "description": description});
    let millis = |description: &str, default: u64| json!({"type": "integer", "minimum": 0, "default": default, "description": description});
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["instance"],
        "properties": {
            "instance": {
                "type": "string", "minLength": 1, "title": "Instance",
                "description": "Name of the tracker; repositories with the same name share it."
            },
            "state_file": {
                "type": "string", "title": "State file",
                "description": "JSON snapshot the tracker is loaded from at start; every write is appended to the journal beside it (the same name ending in .journal), compacted into the snapshot from time to time."
            },
            "capabilities": {
                "type": "array", "uniqueItems": true, "title": "Capabilities",
                "description": "What the connector can do, to stand in for a less capable tracker; every capability when left out.",
                "items": {"enum": ALL_CAPABILITIES
                    .iter()
                    .filter_map(|c| serde_json::to_value(c).ok())
                    .collect::<Vec<_>>()}
            },
            "page_size": {
                "type": "integer", "minimum": 1, "default": DEFAULT_PAGE_SIZE,
                "title": "Page size", "description": "Artifacts per page of a change query."
            },
            "faults": {
                "type": "object", "title": "Fault injection", "additionalProperties": false,
                "properties": {
                    "seed": {"type": "integer", "minimum": 0, "default": 0, "description": "Seed of the fault generator."},
                    "latency_ms": millis("Latency added to every call.", 0),
                    "latency_jitter_ms": millis("Up to this much more latency, drawn per call.", 0),
                    "network_error_rate": rate("Network errors before the call, every call kind."),
                    "network_error_rates": {
                        "type": "object",
                        "description": "Network error rate per call kind (fetch, update, …), overriding network_error_rate.",
                        "additionalProperties": rate("Network error rate of this call kind.")
                    },
                    "rate_limit_rate": rate("Rate-limit refusals before the call."),
                    "retry_after_ms": millis("Retry-after of a rate-limit refusal.", 1_000),
                    "conflict_rate": rate("Version conflicts on update."),
                    "ambiguous_rate": rate("Network errors after a write that happened.")
                }
            }
        }
    })
}
