//! Journal entries: one line per write, holding the records the write left behind.
//!
//! An entry is built from the tracker after a write and the [`Changes`] it noted, and replayed by
//! putting those records back, so replay needs neither the clock nor the code of the write. The
//! line format is described in [`super::persist`].

use std::collections::BTreeMap;

use hub_domain::model::PersonRef;
use serde::{Deserialize, Serialize};

use super::changes::{Changes, PartsBefore};
use super::state::{ArtifactRecord, ProjectRecord, StoredAttachment, TrackerState, artifact_key};
use crate::types::{Artifact, Comment, TimeEntry};

/// One journal line.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// Revision before the write: the entry applies to a tracker at exactly this revision.
    from: u64,
    /// Revision after the write: the entry's sequence number.
    revision: u64,
    last_artifact_id: u64,
    last_comment_id: u64,
    last_attachment_id: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    last_time_entry_id: u64,
    /// Projects created or changed, whole.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    projects: BTreeMap<String, ProjectRecord>,
    /// Persons added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    persons: Option<Tail<PersonRef>>,
    /// Artifacts created or changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    artifacts: Vec<ArtifactEntry>,
    /// Ids of deleted artifacts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    deleted: Vec<u64>,
}

/// A changed artifact: the artifact whole, comments, attachments and time entries from where the
/// write began.
#[derive(Debug, Serialize, Deserialize)]
struct ArtifactEntry {
    artifact: Artifact,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    comments: Option<Tail<Comment>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    attachments: Option<Tail<StoredAttachment>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    time_entries: Option<Tail<TimeEntry>>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Items appended to a list that held `from` items before.
#[derive(Debug, Serialize, Deserialize)]
struct Tail<T> {
    from: usize,
    added: Vec<T>,
}

impl<T: Clone> Tail<T> {
    /// The items after the first `from`, if any.
    fn of(items: &[T], from: usize) -> Option<Self> {
        let added = items.get(from..).filter(|added| !added.is_empty())?;
        Some(Self {
            from,
            added: added.to_vec(),
        })
    }

    /// Cuts `items` to `from` and appends the added ones.
    fn apply(self, items: &mut Vec<T>, what: &str) -> Result<(), String> {
        if items.len() < self.from {
            return Err(format!(
                "{what} continue after {} items, but there are {}",
                self.from,
                items.len()
            ));
        }
        items.truncate(self.from);
        items.extend(self.added);
        Ok(())
    }
}

impl Entry {
    /// The entry for the write that just ran on `state`, which noted `changes`.
    pub(crate) fn of_write(state: &TrackerState, changes: &Changes) -> Self {
        Self {
            from: changes.from_revision,
            revision: state.revision,
            last_artifact_id: state.last_artifact_id,
            last_comment_id: state.last_comment_id,
            last_attachment_id: state.last_attachment_id,
            last_time_entry_id: state.last_time_entry_id,
            projects: changes
                .projects
                .iter()
                .filter_map(|key| Some((key.clone(), state.projects.get(key)?.clone())))
                .collect(),
            persons: Tail::of(&state.persons, changes.persons_from),
            artifacts: changes
                .artifacts
                .iter()
                .filter_map(|(key, before)| {
                    Some(ArtifactEntry::of(state.artifacts.get(key)?, *before))
                })
                .collect(),
            deleted: changes.deleted.iter().copied().collect(),
        }
    }

    /// The revision after this entry.
    pub(crate) fn revision(&self) -> u64 {
        self.revision
    }

    /// Puts the entry's records into `state` (indexes are left for the caller to rebuild).
    pub(crate) fn apply(self, state: &mut TrackerState) -> Result<(), String> {
        if self.from != state.revision {
            return Err(format!(
                "the entry continues revision {}, but the tracker is at revision {}",
                self.from, state.revision
            ));
        }
        state.revision = self.revision;
        state.last_artifact_id = self.last_artifact_id;
        state.last_comment_id = self.last_comment_id;
        state.last_attachment_id = self.last_attachment_id;
        state.last_time_entry_id = self.last_time_entry_id;
        state.projects.extend(self.projects);
        if let Some(persons) = self.persons {
            persons.apply(&mut state.persons, "persons")?;
        }
        for artifact in self.artifacts {
            artifact.apply(state)?;
        }
        for key in self.deleted {
            state.artifacts.remove(&key);
        }
        Ok(())
    }
}

impl ArtifactEntry {
    fn of(record: &ArtifactRecord, before: PartsBefore) -> Self {
        Self {
            artifact: record.artifact.clone(),
            comments: Tail::of(&record.comments, before.comments),
            attachments: Tail::of(&record.attachments, before.attachments),
            time_entries: Tail::of(&record.time_entries, before.time_entries),
        }
    }

    fn apply(self, state: &mut TrackerState) -> Result<(), String> {
        let id = &self.artifact.id;
        let key = artifact_key(id).ok_or_else(|| format!("'{id}' is not an artifact id"))?;
        let record = state
            .artifacts
            .entry(key)
            .or_insert_with(|| ArtifactRecord {
                artifact: self.artifact.clone(),
                comments: Vec::new(),
                attachments: Vec::new(),
                time_entries: Vec::new(),
            });
        record.artifact = self.artifact;
        if let Some(comments) = self.comments {
            comments.apply(&mut record.comments, "comments")?;
        }
        if let Some(attachments) = self.attachments {
            attachments.apply(&mut record.attachments, "attachments")?;
        }
        if let Some(time_entries) = self.time_entries {
            time_entries.apply(&mut record.time_entries, "time entries")?;
        }
        Ok(())
    }
}

/// What replaying a journal found.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Replayed {
    /// Bytes of complete lines: everything after them is a torn last line.
    pub(crate) complete_bytes: usize,
    /// Complete lines.
    pub(crate) lines: u64,
}

/// Replays the complete lines of `journal` onto `state`, skipping those at or below its
/// revision (already in the snapshot). Errors name the 1-based line.
pub(crate) fn replay(state: &mut TrackerState, journal: &[u8]) -> Result<Replayed, String> {
    let complete_bytes = journal
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let mut replayed = Replayed {
        complete_bytes,
        lines: 0,
    };
    for line in journal[..complete_bytes].split_inclusive(|b| *b == b'\n') {
        replayed.lines += 1;
        replay_line(state, &line[..line.len() - 1])
            .map_err(|e| format!("line {}: {e}", replayed.lines))?;
    }
    Ok(replayed)
}

fn replay_line(state: &mut TrackerState, line: &[u8]) -> Result<(), String> {
    let entry: Entry = serde_json::from_slice(line).map_err(|e| e.to_string())?;
    match entry.revision() <= state.revision {
        true => Ok(()),
        false => entry.apply(state),
    }
}
