//! Comments, attachments and workflow transitions of one issue: the connector calls that
//! read or write an issue's parts rather than its fields, kept apart from the field calls.

use hub_domain::model::{FieldValue, PersonRef};
use reqwest::Method;
use serde_json::json;

use super::super::catalog::list;
use super::super::errors::invalid;
use super::super::{parts, read, schema};
use super::{RedmineConnector, issue_id, not_found};
use crate::connector::Result;
use crate::error::{ConnectorError, ErrorClass};
use crate::types::*;

impl RedmineConnector {
    /// Notes of the issue, oldest first.
    pub(super) async fn read_comments(&self, id: &str) -> Result<Vec<Comment>> {
        let issue = self.issue_with(issue_id(id)?, "journals").await?;
        let catalog = self.catalogs.get(&self.client).await?;
        Ok(parts::comments(&issue, &self.reader(&catalog)))
    }

    /// Adds a note, as its author when Redmine knows the person and lets them write it.
    pub(super) async fn write_comment(&self, id: &str, comment: &NewComment) -> Result<Comment> {
        let id = issue_id(id)?;
        let notes = parts::note_text(comment, self.settings.text_formatting.markup());
        let document = json!({"issue": {"notes": notes, "private_notes": comment.private}});
        let path = format!("issues/{id}.json");
        self.recent.forget(id);
        let author = match &comment.author {
            Some(person) => self.login_of(person).await?,
            None => None,
        };
        let as_author = match &author {
            Some(login) => {
                self.client
                    .acting_as(login)
                    .write(Method::PUT, &path, &document)
                    .await
            }
            None => self.client.write(Method::PUT, &path, &document).await,
        };
        match as_author {
            // The author may not add notes here, or may not be switched to: write as ourselves.
            Err(e)
                if author.is_some()
                    && matches!(e.class, ErrorClass::Auth | ErrorClass::Unsupported) =>
            {
                self.client.write(Method::PUT, &path, &document).await?;
            }
            other => drop(other?),
        }
        let issue = self.issue(id, "journals").await?;
        let catalog = self.catalogs.get(&self.client).await?;
        let reader = self.reader(&catalog);
        let written = list(&issue, "journals")
            .iter()
            .rev()
            .find(|j| j["notes"].as_str() == Some(notes.as_str()))
            .and_then(|j| j["id"].as_u64())
            .ok_or_else(|| parts::missing("the new note", id))?;
        parts::comments(&issue, &reader)
            .into_iter()
            .find(|c| c.id == written.to_string())
            .ok_or_else(|| parts::missing("the new note", id))
    }

    /// Attachments of the issue, oldest first.
    pub(super) async fn read_attachments(&self, id: &str) -> Result<Vec<Attachment>> {
        let issue = self.issue_with(issue_id(id)?, "attachments").await?;
        let mut attachments: Vec<Attachment> = list(&issue, "attachments")
            .iter()
            .filter_map(parts::attachment)
            .collect();
        attachments.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(attachments)
    }

    /// The content of an attachment.
    pub(super) async fn download_attachment(
        &self,
        id: &str,
        attachment_id: &str,
    ) -> Result<Vec<u8>> {
        let _ = issue_id(id)?;
        let attachment: u64 = attachment_id
            .parse()
            .map_err(|_| not_found(format!("no attachment '{attachment_id}'")))?;
        let url = self
            .client
            .url(&format!("attachments/download/{attachment}"), &[])?;
        self.client.download(url.as_str()).await
    }

    /// Uploads a file and attaches it, its source recorded in the description.
    pub(super) async fn upload_attachment(
        &self,
        id: &str,
        attachment: &NewAttachment,
    ) -> Result<Attachment> {
        let id = issue_id(id)?;
        let (token, attachment_id) = self
            .client
            .upload(&attachment.file_name, attachment.content.clone())
            .await?;
        let upload = json!({
            "token": token,
            "filename": attachment.file_name,
            "content_type": attachment.content_type,
            "description": parts::attachment_description(attachment.source.as_deref()),
        });
        let document = json!({"issue": {"uploads": [upload]}});
        self.recent.forget(id);
        self.client
            .write(Method::PUT, &format!("issues/{id}.json"), &document)
            .await?;
        let answer = self
            .client
            .get(&format!("attachments/{attachment_id}.json"), &[])
            .await?;
        parts::attachment(&answer["attachment"]).ok_or_else(|| parts::missing("the attachment", id))
    }

    /// The statuses the workflow allows from the current one.
    pub(super) async fn allowed_transitions(&self, id: &str) -> Result<Vec<Transition>> {
        let issue = self.issue(issue_id(id)?, "allowed_statuses").await?;
        Ok(allowed_statuses(&issue))
    }

    /// Moves the issue to an allowed status; refuses others instead of letting Redmine ignore
    /// them, and refuses when the issue is no longer at `expected_version` (checked on the read
    /// that lists the allowed statuses, so a moment before the write, as field updates do).
    pub(super) async fn move_to(
        &self,
        id: &str,
        expected_version: Option<&str>,
        transition_id: &str,
    ) -> Result<Artifact> {
        let issue = issue_id(id)?;
        let answer = self.issue(issue, "allowed_statuses").await?;
        ConnectorError::check_version(
            format!("issue #{issue}"),
            &read::version(&answer),
            expected_version,
        )?;
        let allowed = allowed_statuses(&answer);
        let transition = allowed.iter().find(|t| t.id == transition_id).ok_or_else(|| {
            let names: Vec<&str> = allowed.iter().map(|t| t.name.as_str()).collect();
            invalid(format!(
                "the workflow does not allow status {transition_id} on issue #{issue} now (allowed: {names:?})"
            ))
        })?;
        let document = json!({"issue": {"status_id": transition.id}});
        self.recent.forget(issue);
        self.client
            .write(Method::PUT, &format!("issues/{issue}.json"), &document)
            .await?;
        let moved = self.reread(issue).await?;
        match moved.fields.get(schema::STATUS) {
            Some(FieldValue::Option(state)) if *state == transition.to_state => Ok(moved),
            other => Err(invalid(format!(
                "Redmine kept issue #{issue} at {other:?} instead of '{}'",
                transition.to_state
            ))),
        }
    }

    /// The login of the Redmine user `person` is (by id, e-mail or login), if any.
    async fn login_of(&self, person: &PersonRef) -> Result<Option<String>> {
        let catalog = self.catalogs.get(&self.client).await?;
        let same = |a: &Option<String>, b: &Option<String>| matches!((a, b), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b));
        let by_id = person
            .id
            .parse()
            .ok()
            .and_then(|id: u64| catalog.users.get(&id));
        let user = by_id.or_else(|| {
            catalog
                .users
                .values()
                .find(|u| same(&u.email, &person.email) || same(&u.username, &person.username))
        });
        Ok(user.and_then(|u| u.username.clone()))
    }
}

/// The statuses other than its own an issue answer with `allowed_statuses` offers: transitions
/// whose id is the status id and whose target is the status name (the `status` field's value).
pub(super) fn allowed_statuses(issue: &serde_json::Value) -> Vec<Transition> {
    let current = issue["status"]["id"].as_u64();
    list(issue, "allowed_statuses")
        .iter()
        .filter(|s| s["id"].as_u64() != current)
        .filter_map(|s| {
            let name = s["name"].as_str()?.to_owned();
            Some(Transition {
                id: s["id"].as_u64()?.to_string(),
                name: name.clone(),
                to_state: name,
            })
        })
        .collect()
}
