//! The connector trait: everything the engine asks of a tracker.
//!
//! Calls are coarse (one artifact, one page) so that a connector can map each onto one or two
//! requests of its tracker's API. Optional capabilities have default implementations that answer
//! [`ErrorClass::Unsupported`]; [`crate::ConnectorDescriptor::capabilities`] tells the engine
//! which ones a connector really has, so it never relies on the default answer.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hub_domain::model::{FieldValue, PersonRef};

use crate::error::{ConnectorError, ErrorClass};
use crate::kind::ConnectorDescriptor;
use crate::types::*;

/// Result of a connector call.
pub type Result<T> = std::result::Result<T, ConnectorError>;

fn unsupported<T>(what: &str) -> Result<T> {
    Err(ConnectorError::new(
        ErrorClass::Unsupported,
        format!("this connector cannot {what}"),
    ))
}

/// A live connection to one repository.
#[async_trait::async_trait]
pub trait Connector: Send + Sync + 'static {
    /// Kind, name and capabilities.
    fn descriptor(&self) -> ConnectorDescriptor;

    /// Checks URL and credentials with one cheap call.
    async fn test_connection(&self) -> Result<()>;

    /// Projects the credentials can see.
    async fn projects(&self) -> Result<Vec<Project>>;

    /// Creates a project (container mirroring).
    async fn create_project(&self, key: &str, name: &str) -> Result<Project> {
        let _ = (key, name);
        unsupported("create projects")
    }

    /// Artifact types of a project.
    async fn artifact_types(&self, project: &str) -> Result<Vec<ArtifactType>>;

    /// Fields of an artifact type in a project.
    async fn schema(&self, project: &str, artifact_type: &str) -> Result<Schema>;

    /// Artifacts of the scope changed at or after `since` (all when `None`), oldest first, one
    /// page per call. Trackers report times to the second: callers overlap and de-duplicate.
    async fn changed_since(
        &self,
        scope: &ArtifactScope,
        since: Option<DateTime<Utc>>,
        page: Option<&str>,
    ) -> Result<ChangePage>;

    /// One artifact with all its fields.
    async fn fetch(&self, id: &str) -> Result<Artifact>;

    /// Creates an artifact, tagging it with `source` where the tracker can store it.
    async fn create(&self, artifact: &NewArtifact) -> Result<Artifact>;

    /// Writes fields; with `expected_version`, fails with
    /// [`ErrorClass::VersionConflict`] when the artifact changed since that version.
    async fn update(
        &self,
        id: &str,
        expected_version: Option<&str>,
        fields: &BTreeMap<String, FieldValue>,
    ) -> Result<Artifact>;

    /// Writes fields like [`update`](Self::update) for a caller that does not need the
    /// artifact afterwards. A tracker whose write answer lacks the new state (Redmine answers
    /// 204) would need a request more to read it back; its connector skips that read here.
    async fn write_fields(
        &self,
        id: &str,
        expected_version: Option<&str>,
        fields: &BTreeMap<String, FieldValue>,
    ) -> Result<()> {
        self.update(id, expected_version, fields).await.map(drop)
    }

    /// The artifact of the scope created from `source`, if any (crash recovery of creations).
    async fn find_by_source(
        &self,
        scope: &ArtifactScope,
        source: &str,
    ) -> Result<Option<Artifact>> {
        let _ = (scope, source);
        unsupported("search by source identity")
    }

    /// The artifact with that formatted id (`PRJ-42`), if any.
    async fn find_by_formatted_id(&self, formatted_id: &str) -> Result<Option<Artifact>>;

    /// Comments, oldest first.
    async fn comments(&self, id: &str) -> Result<Vec<Comment>> {
        let _ = id;
        unsupported("read comments")
    }

    /// Adds a comment.
    async fn add_comment(&self, id: &str, comment: &NewComment) -> Result<Comment> {
        let _ = (id, comment);
        unsupported("add comments")
    }

    /// Attachments, oldest first.
    async fn attachments(&self, id: &str) -> Result<Vec<Attachment>> {
        let _ = id;
        unsupported("read attachments")
    }

    /// An attachment's content.
    async fn download(&self, id: &str, attachment_id: &str) -> Result<Vec<u8>> {
        let _ = (id, attachment_id);
        unsupported("download attachments")
    }

    /// Adds an attachment.
    async fn upload(&self, id: &str, attachment: &NewAttachment) -> Result<Attachment> {
        let _ = (id, attachment);
        unsupported("upload attachments")
    }

    /// Time entries (work logs) of the artifact itself, oldest first.
    async fn time_entries(&self, id: &str) -> Result<Vec<TimeEntry>> {
        let _ = id;
        unsupported("read time entries")
    }

    /// Logs time on the artifact. The answer names the worker the tracker really filed it
    /// under, which is the connection's user when it may not log time for `entry.author`.
    async fn add_time_entry(&self, id: &str, entry: &NewTimeEntry) -> Result<TimeEntry> {
        let _ = (id, entry);
        unsupported("log time")
    }

    /// Transitions available on the artifact in its current state.
    async fn transitions(&self, id: &str) -> Result<Vec<Transition>> {
        let _ = id;
        unsupported("list workflow transitions")
    }

    /// Performs a transition. With `expected_version`, a connector with optimistic locking
    /// refuses (`VersionConflict`) when the artifact changed since that version, as `update`
    /// does: the version of its answer then holds nothing but this transition.
    async fn perform_transition(
        &self,
        id: &str,
        expected_version: Option<&str>,
        transition_id: &str,
    ) -> Result<Artifact> {
        let _ = (id, expected_version, transition_id);
        unsupported("perform workflow transitions")
    }

    /// The tracker field holding the workflow state. It is never written directly: the engine
    /// moves an artifact to another state through transitions.
    fn state_field(&self) -> Option<&'static str> {
        None
    }

    /// Every transition of the workflow of `artifact_type` in `project`, with the states each
    /// starts from, so that the engine can walk the shortest path to a state that is not
    /// directly reachable. Without it, only direct transitions are used.
    async fn workflow(&self, project: &str, artifact_type: &str) -> Result<Vec<WorkflowEdge>> {
        let _ = (project, artifact_type);
        unsupported("describe the workflow")
    }

    /// Fields persons can be searched by (`email`, `username`, `display_name`).
    async fn person_search_fields(&self) -> Result<Vec<String>> {
        unsupported("search persons")
    }

    /// Persons matching a query exactly.
    async fn search_persons(&self, query: &PersonQuery) -> Result<Vec<PersonRef>> {
        let _ = query;
        unsupported("search persons")
    }
}
