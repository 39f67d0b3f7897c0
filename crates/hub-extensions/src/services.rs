//! What scripts may ask of repositories (`artifacts.*`, `persons.*`), as a trait the engine
//! implements and hands in with each call.
//!
//! The host never reaches a repository or the store by itself; it sees only this seam.
//! [`ConnectorServices`] implements it over any [`Connector`], which is what the engine needs
//! for the target repository of a call; tests use it over the memory connector.

mod convert;

use std::sync::Arc;

use hub_connector::Connector;
use hub_connector::types::{ArtifactScope, PersonQuery};
use serde_json::{Value, json};
use tokio::runtime::Handle;

pub use convert::{artifact_json, person_json};

/// At most this many search results are returned to a script.
pub const MAX_SEARCH_RESULTS: usize = 1024;

/// Why a service call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    /// Nothing matched.
    #[error("{0}")]
    NotFound(String),
    /// The repository failed or refused.
    #[error("{0}")]
    Failed(String),
}

/// Result of a service call.
pub type ServiceResult<T> = Result<T, ServiceError>;

/// Repository access for scripts. Artifacts, relationships and containers are JSON objects;
/// a relationship or container names its artifact with `id`.
pub trait HostServices: Send + Sync {
    /// The artifact a relationship points to, as raw JSON.
    fn retrieve_artifact(&self, relationship: &Value) -> ServiceResult<Value>;
    /// Search types of the repository.
    fn list_search_types(&self) -> ServiceResult<Vec<String>>;
    /// The parameters a search type needs, all null.
    fn search_definition(&self, search_type: &str) -> ServiceResult<Value>;
    /// Relationships to the artifacts matching a filled-in definition.
    fn search(&self, search_type: &str, definition: &Value) -> ServiceResult<Vec<Value>>;
    /// The parameters of a formatted-id search.
    fn formatted_id_search_definition(&self) -> ServiceResult<Value> {
        Ok(json!({ "formatted-id": null }))
    }
    /// Relationships to the artifacts with the definition's formatted id.
    fn search_by_formatted_id(&self, definition: &Value) -> ServiceResult<Vec<Value>>;
    /// The twin, in the other repository, of the artifact a relationship points to.
    fn associated_relationship(&self, relationship: &Value) -> ServiceResult<Value>;
    /// Fields persons can be searched by.
    fn person_search_fields(&self) -> ServiceResult<Vec<String>>;
    /// Persons whose `field` equals `value`.
    fn search_persons(&self, field: &str, value: &str) -> ServiceResult<Vec<Value>>;
}

/// Finds the twins of an artifact (by id) in the repository of the call; the engine answers
/// it from its artifact pairs.
pub type Associations = Arc<dyn Fn(&str) -> Vec<String> + Send + Sync>;

/// [`HostServices`] over a connector, blocking on the runtime `handle` (call it from the host's
/// worker threads, never from inside that runtime).
pub struct ConnectorServices {
    connector: Arc<dyn Connector>,
    scope: ArtifactScope,
    handle: Handle,
    associations: Option<Associations>,
}

impl ConnectorServices {
    /// Services over `connector`, searching within `scope`.
    pub fn new(connector: Arc<dyn Connector>, scope: ArtifactScope, handle: Handle) -> Self {
        Self {
            connector,
            scope,
            handle,
            associations: None,
        }
    }

    /// Lets `getAssociatedRelationship`/`getAssociatedContainer` find twins.
    pub fn with_associations(mut self, associations: Associations) -> Self {
        self.associations = Some(associations);
        self
    }

    fn failed(err: impl std::fmt::Display) -> ServiceError {
        ServiceError::Failed(err.to_string())
    }

    fn all_ids(&self) -> ServiceResult<Vec<String>> {
        let mut ids = Vec::new();
        let mut page: Option<String> = None;
        loop {
            let result = self.handle.block_on(self.connector.changed_since(
                &self.scope,
                None,
                page.as_deref(),
            ));
            let result = result.map_err(Self::failed)?;
            ids.extend(result.items.into_iter().map(|i| i.id));
            match result.next {
                Some(next) => page = Some(next),
                None => return Ok(ids),
            }
        }
    }
}

/// The artifact id a relationship or container names.
pub fn related_id(value: &Value) -> ServiceResult<String> {
    match value {
        Value::String(id) => Ok(id.clone()),
        Value::Object(map) => map
            .get("id")
            .and_then(|id| match id {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .ok_or_else(|| ServiceError::NotFound("the relationship has no id".into())),
        _ => Err(ServiceError::NotFound("no relationship was given".into())),
    }
}

/// Connector field name for a person search field as scripts spell it.
fn person_field(field: &str) -> String {
    let bare = field
        .strip_prefix("person-")
        .unwrap_or(field)
        .to_lowercase();
    match bare.as_str() {
        "display-name" => "display_name".into(),
        // Trackers without a separate id field identify persons by their user name.
        "id" => "username".into(),
        _ => bare,
    }
}

impl HostServices for ConnectorServices {
    fn retrieve_artifact(&self, relationship: &Value) -> ServiceResult<Value> {
        let id = related_id(relationship)?;
        let artifact = self
            .handle
            .block_on(self.connector.fetch(&id))
            .map_err(|e| ServiceError::NotFound(e.to_string()))?;
        let schema = self
            .handle
            .block_on(
                self.connector
                    .schema(&artifact.project, &artifact.artifact_type),
            )
            .map_err(Self::failed)?;
        Ok(artifact_json(&artifact, &schema))
    }

    fn list_search_types(&self) -> ServiceResult<Vec<String>> {
        Ok(vec!["formatted-id".into(), "field-values".into()])
    }

    fn search_definition(&self, search_type: &str) -> ServiceResult<Value> {
        match search_type {
            "formatted-id" => self.formatted_id_search_definition(),
            "field-values" => Ok(json!({ "project": null, "summary": null })),
            other => Err(ServiceError::NotFound(format!("no search type '{other}'"))),
        }
    }

    fn search(&self, search_type: &str, definition: &Value) -> ServiceResult<Vec<Value>> {
        if search_type == "formatted-id" {
            return self.search_by_formatted_id(definition);
        }
        self.search_definition(search_type)?;
        let wanted: Vec<(&String, &Value)> = definition
            .as_object()
            .map(|m| m.iter().filter(|(_, v)| !v.is_null()).collect())
            .unwrap_or_default();
        let mut found = Vec::new();
        for id in self.all_ids()? {
            let artifact = self.retrieve_artifact(&json!({ "id": id }))?;
            if wanted
                .iter()
                .all(|(k, v)| artifact.get(k.as_str()) == Some(*v))
            {
                found.push(json!({ "id": id }));
                if found.len() == MAX_SEARCH_RESULTS {
                    break;
                }
            }
        }
        Ok(found)
    }

    fn search_by_formatted_id(&self, definition: &Value) -> ServiceResult<Vec<Value>> {
        let Some(formatted) = definition.get("formatted-id").and_then(Value::as_str) else {
            return Ok(Vec::new());
        };
        let found = self
            .handle
            .block_on(self.connector.find_by_formatted_id(formatted))
            .map_err(Self::failed)?;
        Ok(found
            .map(|a| vec![json!({ "id": a.id, "formatted-id": a.formatted_id })])
            .unwrap_or_default())
    }

    fn associated_relationship(&self, relationship: &Value) -> ServiceResult<Value> {
        let id = related_id(relationship)?;
        let twins = self
            .associations
            .as_ref()
            .map(|f| f(&id))
            .unwrap_or_default();
        match twins.as_slice() {
            [one] => Ok(json!({ "id": one })),
            [] => Err(ServiceError::NotFound(format!(
                "artifact {id} has no associated artifact"
            ))),
            many => Err(ServiceError::Failed(format!(
                "artifact {id} has {} associated artifacts",
                many.len()
            ))),
        }
    }

    fn person_search_fields(&self) -> ServiceResult<Vec<String>> {
        let fields = self
            .handle
            .block_on(self.connector.person_search_fields())
            .map_err(Self::failed)?;
        Ok(fields
            .into_iter()
            .map(|f| format!("person-{}", f.replace('_', "-")))
            .collect())
    }

    fn search_persons(&self, field: &str, value: &str) -> ServiceResult<Vec<Value>> {
        let query = PersonQuery {
            field: person_field(field),
            value: value.to_owned(),
        };
        let found = self
            .handle
            .block_on(self.connector.search_persons(&query))
            .map_err(Self::failed)?;
        Ok(found.iter().map(person_json).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_fields_accept_the_spellings_scripts_use() {
        assert_eq!(person_field("person-email"), "email");
        assert_eq!(person_field("Username"), "username");
        assert_eq!(person_field("person-display-name"), "display_name");
        assert_eq!(person_field("id"), "username");
    }
}
