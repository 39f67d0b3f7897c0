//! What one write changed, so the journal can record exactly that and no more.
//!
//! A tracker with a state file tracks changes ([`TrackerState::changes`] is `Some`); one held in
//! memory only pays nothing. The rule for every write in this module: a change to an artifact
//! goes through [`TrackerState::touch`] (or [`TrackerState::mark_deleted`]), a change to a
//! project through [`TrackerState::mark_project`], and persons, comments, attachments and
//! time entries are only ever appended. The revision and the id counters are journalled with every write.

use std::collections::{BTreeMap, BTreeSet};

use super::state::{ArtifactRecord, TrackerState};

/// The changes of the write in progress.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    /// The revision before the write.
    pub(crate) from_revision: u64,
    /// Number of persons before the write.
    pub(crate) persons_from: usize,
    /// Projects created or whose artifact counter moved.
    pub(crate) projects: BTreeSet<String>,
    /// Changed artifacts, each with its numbers of comments and attachments before the write.
    pub(crate) artifacts: BTreeMap<u64, PartsBefore>,
    /// Deleted artifacts.
    pub(crate) deleted: BTreeSet<u64>,
}

/// How many comments, attachments and time entries an artifact had before the write.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PartsBefore {
    pub(crate) comments: usize,
    pub(crate) attachments: usize,
    pub(crate) time_entries: usize,
}

impl Changes {
    /// Records that artifact `key` (now `record`) is about to change.
    pub(crate) fn artifact(&mut self, key: u64, record: &ArtifactRecord) {
        self.artifacts.entry(key).or_insert(PartsBefore {
            comments: record.comments.len(),
            attachments: record.attachments.len(),
            time_entries: record.time_entries.len(),
        });
    }
}

impl TrackerState {
    /// Starts tracking changes, for a tracker with a journal.
    pub(crate) fn track_changes(&mut self) {
        self.changes = Some(Changes::default());
    }

    /// Starts a write: forgets the changes of the last one.
    pub(crate) fn begin_write(&mut self) {
        let (revision, persons) = (self.revision, self.persons.len());
        if let Some(changes) = &mut self.changes {
            *changes = Changes {
                from_revision: revision,
                persons_from: persons,
                ..Changes::default()
            };
        }
    }

    /// Ends a write: whether it changed anything (always false without tracking). A write that
    /// changed something moves the revision, the journal's sequence number, if it did not.
    pub(crate) fn end_write(&mut self) -> bool {
        let Some(c) = &self.changes else {
            return false;
        };
        let moved = c.from_revision != self.revision;
        let changed = moved
            || c.persons_from != self.persons.len()
            || !(c.projects.is_empty() && c.artifacts.is_empty() && c.deleted.is_empty());
        if changed && !moved {
            self.revision += 1;
        }
        changed
    }

    /// Records a change to project `key`.
    pub(crate) fn mark_project(&mut self, key: &str) {
        if let Some(changes) = &mut self.changes {
            changes.projects.insert(key.to_owned());
        }
    }

    /// Records the deletion of artifact `key`.
    pub(crate) fn mark_deleted(&mut self, key: u64) {
        if let Some(changes) = &mut self.changes {
            changes.artifacts.remove(&key);
            changes.deleted.insert(key);
        }
    }
}
