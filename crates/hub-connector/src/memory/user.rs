//! The "user side" of a memory tracker: what people do in a tracker's UI, for tests and the
//! demo to act out, plus snapshots to check that two trackers converged.
//!
//! These calls bypass the connector, so fault plans never touch them; they validate like the
//! connector calls do, so a test cannot put the tracker into a state a real one could not have.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use hub_domain::model::{FieldValue, PersonRef};

use super::ops::invalid_input;
use super::tracker::MemoryTracker;
use crate::connector::Result;
use crate::types::{
    Artifact, Attachment, Comment, NewArtifact, NewAttachment, NewComment, NewTimeEntry, TimeEntry,
};

/// One artifact with its comments, attachments and time entries.
#[derive(Debug, Clone, PartialEq)]
pub struct ArtifactSnapshot {
    /// The artifact.
    pub artifact: Artifact,
    /// Its comments, oldest first.
    pub comments: Vec<Comment>,
    /// Its attachments (descriptions), oldest first.
    pub attachments: Vec<Attachment>,
    /// Its time entries, oldest first.
    pub time_entries: Vec<TimeEntry>,
}

/// How much a tracker holds, for convergence checks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrackerCounts {
    /// Number of artifacts.
    pub artifacts: usize,
    /// Comments per artifact id (every artifact listed).
    pub comments: BTreeMap<String, usize>,
    /// Attachments per artifact id (every artifact listed).
    pub attachments: BTreeMap<String, usize>,
    /// Time entries per artifact id (every artifact listed).
    pub time_entries: BTreeMap<String, usize>,
}

impl MemoryTracker {
    /// Adds a person to the tracker's directory.
    pub fn add_person(&self, username: &str, email: &str, display_name: &str) -> Result<PersonRef> {
        self.write(|state| {
            let taken = state.persons.iter().any(|p| {
                p.username
                    .as_deref()
                    .is_some_and(|u| u.eq_ignore_ascii_case(username))
            });
            if username.trim().is_empty() || taken {
                return Err(invalid_input(format!(
                    "username '{username}' is empty or taken"
                )));
            }
            let person = PersonRef {
                id: format!("u{}", state.persons.len() + 1),
                username: Some(username.to_owned()),
                email: Some(email.to_owned()),
                display_name: Some(display_name.to_owned()),
            };
            state.persons.push(person.clone());
            state.revision += 1;
            Ok(person)
        })
    }

    /// The directory of persons.
    pub fn persons(&self) -> Vec<PersonRef> {
        self.read(|state| state.persons.clone())
    }

    /// The person with that user name.
    pub fn person(&self, username: &str) -> Option<PersonRef> {
        self.read(|state| {
            state
                .persons
                .iter()
                .find(|p| p.username.as_deref() == Some(username))
                .cloned()
        })
    }

    /// Creates an artifact as a user.
    pub fn user_create(
        &self,
        project: &str,
        artifact_type: &str,
        fields: BTreeMap<String, FieldValue>,
    ) -> Result<Artifact> {
        let new = NewArtifact {
            project: project.to_owned(),
            artifact_type: artifact_type.to_owned(),
            fields,
            source: None,
        };
        self.write(|state| state.create(&new))
    }

    /// Edits fields as a user (no version check).
    pub fn user_update(&self, id: &str, fields: BTreeMap<String, FieldValue>) -> Result<Artifact> {
        self.write(|state| state.update(id, None, &fields))
    }

    /// Comments as the person with user name `author`.
    pub fn user_comment(&self, id: &str, author: &str, body: &str) -> Result<Comment> {
        let author = self
            .person(author)
            .ok_or_else(|| invalid_input(format!("no person with user name '{author}'")))?;
        let new = NewComment {
            body: body.to_owned(),
            author: Some(author),
            private: false,
            source: None,
        };
        self.write(|state| state.add_comment(id, &new))
    }

    /// Attaches a file as a user.
    pub fn user_attach(&self, id: &str, file_name: &str, content: Vec<u8>) -> Result<Attachment> {
        let content_type = match file_name.rsplit_once('.').map(|(_, ext)| ext) {
            Some("txt" | "log") => "text/plain",
            Some("png") => "image/png",
            Some("json") => "application/json",
            _ => "application/octet-stream",
        };
        let new = NewAttachment {
            file_name: file_name.to_owned(),
            content_type: content_type.to_owned(),
            content,
            source: None,
        };
        self.write(|state| state.upload(id, &new))
    }

    /// Logs `minutes` of work on `spent_on` as the person with user name `author`.
    pub fn user_log_time(
        &self,
        id: &str,
        author: &str,
        spent_on: NaiveDate,
        minutes: u32,
        comment: &str,
    ) -> Result<TimeEntry> {
        let author = self
            .person(author)
            .ok_or_else(|| invalid_input(format!("no person with user name '{author}'")))?;
        let new = NewTimeEntry {
            author: Some(author),
            spent_on,
            minutes,
            comment: comment.to_owned(),
            activity: Some("Development".to_owned()),
            source: None,
        };
        self.write(|state| state.add_time_entry(id, &new))
    }

    /// Moves the artifact to `to_state` with the transition leading there.
    pub fn user_transition(&self, id: &str, to_state: &str) -> Result<Artifact> {
        self.write(|state| {
            let transition = state.transition_to(id, to_state)?;
            state.perform_transition(id, None, &transition)
        })
    }

    /// Deletes an artifact with its comments, attachments and time entries.
    pub fn delete(&self, id: &str) -> Result<()> {
        self.write(|state| state.delete(id))
    }

    /// The artifact with that id, if any.
    pub fn artifact(&self, id: &str) -> Option<Artifact> {
        self.read(|state| state.fetch(id).ok())
    }

    /// Every artifact with its comments, attachments and time entries, by id.
    pub fn snapshot(&self) -> Vec<ArtifactSnapshot> {
        self.read(|state| {
            state
                .artifacts
                .values()
                .map(|record| ArtifactSnapshot {
                    artifact: record.artifact.clone(),
                    comments: record.comments.clone(),
                    attachments: record.attachments.iter().map(|a| a.meta.clone()).collect(),
                    time_entries: record.time_entries.clone(),
                })
                .collect()
        })
    }

    /// Number of artifacts, and of comments, attachments and time entries per artifact.
    pub fn counts(&self) -> TrackerCounts {
        self.read(|state| TrackerCounts {
            artifacts: state.artifacts.len(),
            comments: state
                .artifacts
                .values()
                .map(|r| (r.artifact.id.clone(), r.comments.len()))
                .collect(),
            attachments: state
                .artifacts
                .values()
                .map(|r| (r.artifact.id.clone(), r.attachments.len()))
                .collect(),
            time_entries: state
                .artifacts
                .values()
                .map(|r| (r.artifact.id.clone(), r.time_entries.len()))
                .collect(),
        })
    }
}
