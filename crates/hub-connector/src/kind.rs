//! How a connector describes itself to the hub and the administrator.

use serde::{Deserialize, Serialize};

/// Something a connector may or may not be able to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Create artifacts.
    Create,
    /// Update artifacts.
    Update,
    /// Reject an update whose expected version is stale.
    OptimisticLocking,
    /// Read and add comments.
    Comments,
    /// Read and add attachments.
    Attachments,
    /// Read and add time entries (work logs).
    TimeEntries,
    /// Read and write relationships.
    Relationships,
    /// Move artifacts through workflow transitions.
    Transitions,
    /// Search persons.
    Persons,
    /// Store the identity of the source artifact on a created one (for crash-safe creation).
    SourceIdentity,
    /// List and create containers (projects).
    Containers,
}

/// A connector kind's description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectorDescriptor {
    /// Registry key: `memory`, `redmine`, `trac`, …
    pub kind: &'static str,
    /// Name shown to administrators.
    pub display_name: &'static str,
    /// What it can do.
    pub capabilities: Vec<Capability>,
    /// How finely its versions tell one change from the next.
    pub version_resolution: VersionResolution,
}

/// How finely a tracker's versions tell changes apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum VersionResolution {
    /// Every change makes a new version.
    #[default]
    Exact,
    /// A version holds the change time to the second and what the change query shows, so a
    /// change within the second of the one before (a Redmine note, say) may keep the version:
    /// only a read once that second is over can be trusted to hold everything of it.
    WholeSecond,
}

impl ConnectorDescriptor {
    /// Whether the connector has the capability.
    pub fn can(&self, capability: Capability) -> bool {
        self.capabilities.contains(&capability)
    }
}
