//! The data of one memory tracker and the indexes that keep its calls fast.
//!
//! Everything lives in one struct behind one lock: a call takes the lock, reads or changes the
//! struct and leaves, so every call is atomic, as a tracker's single request would be. The
//! indexes (by change time, by formatted id) are derived data, rebuilt after loading a state file
//! instead of being saved in it; so is the record of what the current write changed
//! ([`Changes`], what the journal writes).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use hub_domain::model::PersonRef;
use serde::{Deserialize, Serialize};

use super::changes::Changes;
use crate::connector::Result;
use crate::error::{ConnectorError, ErrorClass};
use crate::types::{Artifact, Attachment, Comment, TimeEntry};

/// A project and the counter behind its formatted ids.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ProjectRecord {
    pub(crate) name: String,
    pub(crate) last_number: u64,
}

/// An attachment with its content.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredAttachment {
    pub(crate) meta: Attachment,
    #[serde(with = "super::persist::hex_bytes")]
    pub(crate) content: Vec<u8>,
}

/// An artifact with its comments, attachments and time entries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ArtifactRecord {
    pub(crate) artifact: Artifact,
    pub(crate) comments: Vec<Comment>,
    pub(crate) attachments: Vec<StoredAttachment>,
    /// Absent from state files written before trackers had time entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) time_entries: Vec<TimeEntry>,
}

/// Everything a memory tracker holds.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct TrackerState {
    /// Counts every write; an artifact's version is the revision of its last write.
    pub(crate) revision: u64,
    pub(crate) last_artifact_id: u64,
    pub(crate) last_comment_id: u64,
    pub(crate) last_attachment_id: u64,
    #[serde(default)]
    pub(crate) last_time_entry_id: u64,
    pub(crate) projects: BTreeMap<String, ProjectRecord>,
    pub(crate) persons: Vec<PersonRef>,
    pub(crate) artifacts: BTreeMap<u64, ArtifactRecord>,
    /// `(updated_at, id)` of every artifact, the order of change queries.
    #[serde(skip)]
    pub(crate) by_change: BTreeSet<(DateTime<Utc>, u64)>,
    #[serde(skip)]
    pub(crate) by_formatted_id: HashMap<String, u64>,
    /// A fixed time instead of the system clock (tests).
    #[serde(skip)]
    pub(crate) clock: Option<DateTime<Utc>>,
    /// Start of artifact URLs: `memory://<instance>/`.
    #[serde(skip)]
    pub(crate) url_prefix: String,
    /// What the write in progress changed; `None` when nothing journals it.
    #[serde(skip)]
    pub(crate) changes: Option<Changes>,
}

impl TrackerState {
    /// An empty tracker with the default persons.
    pub(crate) fn new(name: &str) -> Self {
        let persons = [
            ("alice", "Alice Archer"),
            ("bob", "Bob Baker"),
            ("carol", "Carol Chen"),
            ("dave", "Dave Dubois"),
            ("erin", "Erin Eriksen"),
        ]
        .iter()
        .enumerate()
        .map(|(i, (username, display_name))| PersonRef {
            id: format!("u{}", i + 1),
            username: Some((*username).to_owned()),
            email: Some(format!("{username}@example.com")),
            display_name: Some((*display_name).to_owned()),
        })
        .collect();
        let mut state = Self {
            revision: 0,
            last_artifact_id: 0,
            last_comment_id: 0,
            last_attachment_id: 0,
            last_time_entry_id: 0,
            projects: BTreeMap::new(),
            persons,
            artifacts: BTreeMap::new(),
            by_change: BTreeSet::new(),
            by_formatted_id: HashMap::new(),
            clock: None,
            url_prefix: String::new(),
            changes: None,
        };
        state.set_name(name);
        state
    }

    /// Sets the instance name used in URLs.
    pub(crate) fn set_name(&mut self, name: &str) {
        self.url_prefix = format!("memory://{name}/");
    }

    /// Recomputes the derived indexes (after loading).
    pub(crate) fn rebuild_indexes(&mut self) {
        self.by_change = self
            .artifacts
            .iter()
            .map(|(key, record)| (record.artifact.updated_at, *key))
            .collect();
        self.by_formatted_id = self
            .artifacts
            .iter()
            .map(|(key, record)| (record.artifact.formatted_id.clone(), *key))
            .collect();
    }

    /// The tracker's time, truncated to whole seconds like most trackers report it.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        truncate_to_seconds(self.clock.unwrap_or_else(Utc::now))
    }

    /// The record of artifact `id`.
    pub(crate) fn record(&self, id: &str) -> Result<&ArtifactRecord> {
        artifact_key(id)
            .and_then(|key| self.artifacts.get(&key))
            .ok_or_else(|| not_found(id))
    }

    /// The key of an existing artifact.
    pub(crate) fn existing_key(&self, id: &str) -> Result<u64> {
        artifact_key(id)
            .filter(|key| self.artifacts.contains_key(key))
            .ok_or_else(|| not_found(id))
    }

    /// Records a write on artifact `key`: new version, new `updated_at`, re-indexed, and noted
    /// in [`Changes`] (before the caller changes the record further).
    pub(crate) fn touch(&mut self, key: u64) -> &mut ArtifactRecord {
        self.revision += 1;
        let now = self.now();
        let record = self
            .artifacts
            .get_mut(&key)
            .expect("touch of an existing artifact");
        if let Some(changes) = &mut self.changes {
            changes.artifact(key, record);
        }
        self.by_change.remove(&(record.artifact.updated_at, key));
        self.by_change.insert((now, key));
        record.artifact.updated_at = now;
        record.artifact.version = self.revision.to_string();
        record
    }
}

/// The numeric key of an artifact id, if it is one.
pub(crate) fn artifact_key(id: &str) -> Option<u64> {
    id.parse().ok()
}

/// `t` without its fraction of a second.
pub(crate) fn truncate_to_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// A refusal of a value, naming the field.
pub(crate) fn invalid(field: &str, problem: impl std::fmt::Display) -> ConnectorError {
    ConnectorError::new(
        ErrorClass::InvalidValue,
        format!("field '{field}': {problem}"),
    )
}

fn not_found(id: &str) -> ConnectorError {
    ConnectorError::new(ErrorClass::NotFound, format!("no artifact '{id}'"))
}
