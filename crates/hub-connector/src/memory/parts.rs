//! Comments, attachments, time entries, workflow transitions and persons.
//!
//! Each write to a part of an artifact is a write to the artifact: it gets a new version and a
//! new `updated_at`, as trackers report an artifact changed when a comment is added, so change
//! detection sees it.

use hub_domain::model::{FieldValue, PersonRef};

use super::ops::invalid_input;
use super::schema::{self, STATUS};
use super::state::{StoredAttachment, TrackerState};
use crate::connector::Result;
use crate::error::{ConnectorError, ErrorClass};
use crate::types::{
    Artifact, Attachment, Comment, NewAttachment, NewComment, NewTimeEntry, PersonQuery, TimeEntry,
    Transition,
};

/// The fields persons can be searched by.
pub(crate) const PERSON_SEARCH_FIELDS: [&str; 3] = ["email", "username", "display_name"];

impl TrackerState {
    pub(crate) fn comments(&self, id: &str) -> Result<Vec<Comment>> {
        self.record(id).map(|record| record.comments.clone())
    }

    pub(crate) fn add_comment(&mut self, id: &str, new: &NewComment) -> Result<Comment> {
        let key = self.existing_key(id)?;
        if new.body.trim().is_empty() {
            return Err(invalid_input("a comment needs a body"));
        }
        let author = new
            .author
            .as_ref()
            .map(|a| self.known_person(a))
            .transpose()?;
        self.last_comment_id += 1;
        let comment = Comment {
            id: self.last_comment_id.to_string(),
            body: new.body.clone(),
            author,
            created_at: self.now(),
            private: new.private,
            source: new.source.clone(),
        };
        self.touch(key).comments.push(comment.clone());
        Ok(comment)
    }

    pub(crate) fn attachments(&self, id: &str) -> Result<Vec<Attachment>> {
        self.record(id)
            .map(|record| record.attachments.iter().map(|a| a.meta.clone()).collect())
    }

    pub(crate) fn download(&self, id: &str, attachment_id: &str) -> Result<Vec<u8>> {
        let record = self.record(id)?;
        record
            .attachments
            .iter()
            .find(|a| a.meta.id == attachment_id)
            .map(|a| a.content.clone())
            .ok_or_else(|| {
                ConnectorError::new(
                    ErrorClass::NotFound,
                    format!("no attachment '{attachment_id}' on artifact '{id}'"),
                )
            })
    }

    pub(crate) fn upload(&mut self, id: &str, new: &NewAttachment) -> Result<Attachment> {
        let key = self.existing_key(id)?;
        if new.file_name.trim().is_empty() {
            return Err(invalid_input("an attachment needs a file name"));
        }
        self.last_attachment_id += 1;
        let meta = Attachment {
            id: self.last_attachment_id.to_string(),
            file_name: new.file_name.clone(),
            content_type: new.content_type.clone(),
            size: new.content.len() as u64,
            created_at: self.now(),
            source: new.source.clone(),
        };
        let stored = StoredAttachment {
            meta: meta.clone(),
            content: new.content.clone(),
        };
        self.touch(key).attachments.push(stored);
        Ok(meta)
    }

    pub(crate) fn time_entries(&self, id: &str) -> Result<Vec<TimeEntry>> {
        self.record(id).map(|record| record.time_entries.clone())
    }

    /// Logs time for the entry's author, or for the connection's user (the first person of the
    /// directory) when it names none. Activities are free text: the memory tracker keeps
    /// whatever kind of work it is told.
    pub(crate) fn add_time_entry(&mut self, id: &str, new: &NewTimeEntry) -> Result<TimeEntry> {
        let key = self.existing_key(id)?;
        if new.minutes == 0 {
            return Err(invalid_input(
                "a time entry needs a duration of at least a minute",
            ));
        }
        let author = match &new.author {
            Some(author) => self.known_person(author)?,
            None => self.connection_user()?,
        };
        self.last_time_entry_id += 1;
        let entry = TimeEntry {
            id: self.last_time_entry_id.to_string(),
            author,
            spent_on: new.spent_on,
            minutes: new.minutes,
            comment: new.comment.clone(),
            activity: new.activity.clone().filter(|a| !a.trim().is_empty()),
            source: new.source.clone(),
        };
        self.touch(key).time_entries.push(entry.clone());
        Ok(entry)
    }

    /// The person a connection acts as: the first of the directory.
    pub(crate) fn connection_user(&self) -> Result<PersonRef> {
        self.persons
            .first()
            .cloned()
            .ok_or_else(|| invalid_input("the tracker has no persons to log time for"))
    }

    pub(crate) fn transitions(&self, id: &str) -> Result<Vec<Transition>> {
        self.record(id)
            .map(|record| schema::transitions_from(status(&record.artifact)))
    }

    pub(crate) fn perform_transition(
        &mut self,
        id: &str,
        expected_version: Option<&str>,
        transition_id: &str,
    ) -> Result<Artifact> {
        let key = self.existing_key(id)?;
        super::ops::check_version(&self.artifacts[&key].artifact, expected_version)?;
        let state = status(&self.artifacts[&key].artifact);
        let target = schema::transition_target(state, transition_id).ok_or_else(|| {
            invalid_input(format!(
                "transition '{transition_id}' is not available in state '{state}'"
            ))
        })?;
        let record = self.touch(key);
        record
            .artifact
            .fields
            .insert(STATUS.to_owned(), FieldValue::Option(target.to_owned()));
        Ok(record.artifact.clone())
    }

    /// The id of the transition leading from the artifact's state to `to_state`.
    pub(crate) fn transition_to(&self, id: &str, to_state: &str) -> Result<String> {
        let record = self.record(id)?;
        let state = status(&record.artifact);
        schema::transitions_from(state)
            .into_iter()
            .find(|t| t.to_state == to_state)
            .map(|t| t.id)
            .ok_or_else(|| invalid_input(format!("no transition from '{state}' to '{to_state}'")))
    }

    pub(crate) fn search_persons(&self, query: &PersonQuery) -> Result<Vec<PersonRef>> {
        let value = query.value.to_lowercase();
        let matches =
            |field: &Option<String>| field.as_ref().is_some_and(|f| f.to_lowercase() == value);
        let pick: fn(&PersonRef) -> &Option<String> = match query.field.as_str() {
            "email" => |p| &p.email,
            "username" => |p| &p.username,
            "display_name" => |p| &p.display_name,
            other => {
                return Err(invalid_input(format!(
                    "persons cannot be searched by '{other}'"
                )));
            }
        };
        Ok(self
            .persons
            .iter()
            .filter(|p| matches(pick(p)))
            .cloned()
            .collect())
    }

    /// The directory's entry for `person`, refused when unknown.
    pub(crate) fn known_person(&self, person: &PersonRef) -> Result<PersonRef> {
        self.persons
            .iter()
            .find(|p| p.id == person.id)
            .cloned()
            .ok_or_else(|| invalid_input(format!("no person with id '{}'", person.id)))
    }
}

/// The artifact's workflow state.
pub(crate) fn status(artifact: &Artifact) -> &str {
    match artifact.fields.get(STATUS) {
        Some(FieldValue::Option(state)) => state,
        _ => schema::INITIAL_STATUS,
    }
}
