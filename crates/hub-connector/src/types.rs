//! What connectors exchange with the engine: artifacts, their parts, and the shapes of a
//! tracker (projects, artifact types, schemas).
//!
//! Values use the domain's [`FieldValue`], so a connector converts its tracker's representation
//! once, at its edge, and everything above it speaks one language.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use hub_domain::model::{FieldType, FieldValue, PersonRef};
use serde::{Deserialize, Serialize};

/// A project (container) of a tracker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    /// Stable key used in routes and collections.
    pub key: String,
    /// Display name.
    pub name: String,
}

/// A kind of artifact in a project (tracker, ticket type, issue type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactType {
    /// Stable key.
    pub key: String,
    /// Display name.
    pub name: String,
}

/// One field of an artifact type as the tracker defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSchema {
    /// The field's id in the tracker (used in mappings).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Must be set when creating.
    #[serde(default)]
    pub required: bool,
    /// Cannot be written (computed by the tracker).
    #[serde(default)]
    pub read_only: bool,
    /// Allowed values of select fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

/// The fields of one artifact type.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Schema {
    /// The fields.
    pub fields: Vec<FieldSchema>,
}

impl Schema {
    /// The field with that id.
    pub fn field(&self, id: &str) -> Option<&FieldSchema> {
        self.fields.iter().find(|f| f.id == id)
    }
}

/// Which artifacts a collection covers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ArtifactScope {
    /// Project keys.
    pub projects: Vec<String>,
    /// Artifact type keys; empty means all.
    #[serde(default)]
    pub artifact_types: Vec<String>,
}

/// One artifact as read from a tracker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Artifact {
    /// The tracker's id.
    pub id: String,
    /// As people see it: `PRJ-42`, `#42`.
    pub formatted_id: String,
    /// Link to the artifact in the tracker's UI.
    pub url: String,
    /// Project key.
    pub project: String,
    /// Artifact type key.
    pub artifact_type: String,
    /// Version token for optimistic locking (changes with every write).
    pub version: String,
    /// Last update as the tracker reports it (often to the second only).
    pub updated_at: DateTime<Utc>,
    /// Field id to value (relationships, persons and states included).
    pub fields: BTreeMap<String, FieldValue>,
    /// The identity of the artifact this one was created from by the hub, when the tracker
    /// can store it (used to find a twin after a crash instead of creating it twice).
    #[serde(default)]
    pub source: Option<String>,
}

/// An artifact reported by a change query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedArtifact {
    /// The tracker's id.
    pub id: String,
    /// Its last update.
    pub updated_at: DateTime<Utc>,
    /// Its version token.
    pub version: String,
}

/// One page of a change query, oldest change first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChangePage {
    /// Changed artifacts on this page.
    pub items: Vec<ChangedArtifact>,
    /// Token for the next page; `None` on the last one.
    pub next: Option<String>,
}

/// A new artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewArtifact {
    /// Project key.
    pub project: String,
    /// Artifact type key.
    pub artifact_type: String,
    /// Initial values.
    pub fields: BTreeMap<String, FieldValue>,
    /// Identity of the source artifact, stored when the tracker can.
    pub source: Option<String>,
}

/// A comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// The tracker's id.
    pub id: String,
    /// Text.
    pub body: String,
    /// Author, when known.
    pub author: Option<PersonRef>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// Visible only to privileged users.
    #[serde(default)]
    pub private: bool,
    /// Identity of the comment this one was copied from, when the tracker can store it.
    #[serde(default)]
    pub source: Option<String>,
}

/// A new comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewComment {
    /// Text.
    pub body: String,
    /// Author to impersonate, when the tracker allows it.
    pub author: Option<PersonRef>,
    /// Private flag.
    #[serde(default)]
    pub private: bool,
    /// Identity of the source comment.
    pub source: Option<String>,
}

/// An attachment's description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The tracker's id.
    pub id: String,
    /// File name.
    pub file_name: String,
    /// MIME type.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// When it was attached.
    pub created_at: DateTime<Utc>,
    /// Identity of the attachment this one was copied from, when the tracker can store it.
    #[serde(default)]
    pub source: Option<String>,
}

/// A new attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAttachment {
    /// File name.
    pub file_name: String,
    /// MIME type.
    pub content_type: String,
    /// Content.
    pub content: Vec<u8>,
    /// Identity of the source attachment.
    pub source: Option<String>,
}

/// A time entry (work log): time a person spent on an artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeEntry {
    /// The tracker's id.
    pub id: String,
    /// Who did the work (the worker).
    pub author: PersonRef,
    /// The day the work was done.
    pub spent_on: NaiveDate,
    /// How long, in minutes.
    pub minutes: u32,
    /// What was done, plain text (may be empty).
    #[serde(default)]
    pub comment: String,
    /// The kind of work (Redmine's activity), when the tracker has one.
    #[serde(default)]
    pub activity: Option<String>,
    /// Identity of the entry this one was copied from, when the tracker can store it.
    #[serde(default)]
    pub source: Option<String>,
}

/// A new time entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTimeEntry {
    /// The worker to log the time for; `None`, or a person the tracker does not let the
    /// connection log for, files it under the connection's user.
    pub author: Option<PersonRef>,
    /// The day the work was done.
    pub spent_on: NaiveDate,
    /// How long, in minutes (more than zero).
    pub minutes: u32,
    /// What was done, plain text.
    #[serde(default)]
    pub comment: String,
    /// The kind of work; the tracker's default when `None` or unknown to it.
    #[serde(default)]
    pub activity: Option<String>,
    /// Identity of the source entry.
    pub source: Option<String>,
}

/// A workflow transition available on an artifact now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// The tracker's id of the transition (or action).
    pub id: String,
    /// Display name.
    pub name: String,
    /// The state it leads to.
    pub to_state: String,
}

/// One edge of a workflow: a transition and a state it can start from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowEdge {
    /// The state the transition starts from.
    pub from_state: String,
    /// The transition.
    pub transition: Transition,
}

/// How to look a person up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonQuery {
    /// `email`, `username` or `display_name`.
    pub field: String,
    /// The value to match exactly (case-insensitively).
    pub value: String,
}

/// What a connector needs to reach its tracker.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConnectionSettings {
    /// Base URL.
    #[serde(default)]
    pub url: String,
    /// Kind-specific settings, checked against the kind's JSON Schema.
    #[serde(default)]
    pub settings: serde_json::Value,
    /// User name, API key owner…
    #[serde(default)]
    pub username: Option<String>,
    /// Password or API token (decrypted; never logged).
    #[serde(default)]
    pub secret: Option<String>,
}
