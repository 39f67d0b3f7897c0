//! Collections: where artifacts come from and go to.

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Validate, check_name};
use crate::ids::{CollectionId, ModelId, RepositoryId};

/// What a collection draws its artifacts from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CollectionSource {
    /// Projects and artifact types of a connected repository.
    Repository {
        /// The repository.
        repository: RepositoryId,
        /// Project keys or ids taken in; at least one.
        projects: Vec<String>,
        /// Artifact types (trackers, ticket types) taken in; at least one.
        artifact_types: Vec<String>,
    },
    /// Artifacts pushed in over HTTP (webhooks).
    Gateway {
        /// Name of the payload-transformation extension that reshapes incoming payloads.
        #[serde(default)]
        transformation: Option<String>,
    },
    /// A table in a reporting database (target of an enterprise data stream).
    Sql {
        /// Connection URL of the reporting database.
        database_url: String,
        /// Table name.
        table: String,
    },
}

/// A collection and the model it is mapped to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Collection {
    /// Store-assigned id.
    pub id: Option<CollectionId>,
    /// Unique name.
    pub name: String,
    /// The source.
    pub source: CollectionSource,
    /// The model its fields are mapped onto.
    pub model: ModelId,
}

impl Validate for Collection {
    fn problems(&self) -> Vec<DomainError> {
        let mut out = Vec::new();
        check_name("collection", &self.name, &mut out);
        let invalid = |field: &str, reason: &str| {
            DomainError::invalid("collection", &self.name, field, reason)
        };
        match &self.source {
            CollectionSource::Repository {
                projects,
                artifact_types,
                ..
            } => {
                if projects.is_empty() {
                    out.push(invalid("source.projects", "choose at least one project"));
                }
                if artifact_types.is_empty() {
                    out.push(invalid(
                        "source.artifact_types",
                        "choose at least one artifact type",
                    ));
                }
            }
            CollectionSource::Gateway { .. } => {}
            CollectionSource::Sql {
                database_url,
                table,
            } => {
                if database_url.trim().is_empty() {
                    out.push(invalid("source.database_url", "is required"));
                }
                if table.trim().is_empty()
                    || !table
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                {
                    out.push(invalid(
                        "source.table",
                        "must be a plain table name (letters, digits, _ and .)",
                    ));
                }
            }
        }
        out
    }
}
