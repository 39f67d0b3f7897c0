//! Comments (from `ticket.changeLog`) and attachments of a ticket.
//!
//! Trac has nowhere to store which comment or attachment a copy came from, so the identity
//! rides along where Trac shows nothing or little: a comment ends with a `{{{#!comment}}}`
//! wiki block (rendered as nothing), an attachment's description says `syncline-source: …`.
//! Both are removed again when reading.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::tickets::ticket_number;
use super::{TracConnector, codec, errors};
use crate::connector::Result;
use crate::error::{ConnectorError, ErrorClass};
use crate::markup::{self, Markup};
use crate::types::{Attachment, Comment, NewAttachment, NewComment};

/// Starts the hidden block that carries a comment's source identity.
const COMMENT_MARKER: &str = "\n\n{{{#!comment\nsyncline-source: ";
/// Starts an attachment description that carries a source identity.
const ATTACHMENT_MARKER: &str = "syncline-source: ";

impl TracConnector {
    pub(super) async fn ticket_comments(&self, id: &str) -> Result<Vec<Comment>> {
        let number = ticket_number(id)?;
        let log = self.rpc.call("ticket.changeLog", json!([number])).await?;
        let entries: Vec<(Value, String, String, String, String, Value)> =
            serde_json::from_value(log).map_err(|e| errors::malformed("ticket.changeLog", e))?;
        let users = self.cached_users();
        let mut comments = Vec::new();
        let mut ids = CommentIds::default();
        for (time, author, field, number, text, permanent) in entries {
            if !is_ticket_comment(&field, &text, &permanent) {
                continue;
            }
            let (text, source) = split_comment(&text);
            comments.push(Comment {
                id: ids.next(number),
                body: markup::to_model(text, Markup::TracWiki),
                author: Some(super::persons::person_ref(users.as_deref(), &author)),
                created_at: codec::parse_datetime(&time).unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
                private: false,
                source,
            });
        }
        Ok(comments)
    }

    pub(super) async fn add_ticket_comment(&self, id: &str, new: &NewComment) -> Result<Comment> {
        let mut text = markup::from_model(&new.body, Markup::TracWiki);
        if let Some(source) = &new.source {
            text = join_comment(&text, source);
        }
        let empty = Default::default();
        self.update_ticket(id, None, &empty, &text, new.author.as_ref())
            .await?;
        let comments = self.ticket_comments(id).await?;
        let (plain, _) = split_comment(&text);
        let body = markup::to_model(plain, Markup::TracWiki);
        comments
            .into_iter()
            .rev()
            .find(|c| c.body == body && c.source == new.source)
            .ok_or_else(|| {
                ConnectorError::new(
                    ErrorClass::Network,
                    format!("Trac: the comment added to #{id} is not in its change log"),
                )
            })
    }

    pub(super) async fn ticket_attachments(&self, id: &str) -> Result<Vec<Attachment>> {
        let number = ticket_number(id)?;
        let answer = self
            .rpc
            .call("ticket.listAttachments", json!([number]))
            .await?;
        let listed: Vec<Listed> = serde_json::from_value(answer)
            .map_err(|e| errors::malformed("ticket.listAttachments", e))?;
        let mut attachments: Vec<Attachment> =
            listed.into_iter().map(Listed::into_attachment).collect();
        attachments.sort_by_key(|a| a.created_at);
        Ok(attachments)
    }

    pub(super) async fn download_attachment(&self, id: &str, file_name: &str) -> Result<Vec<u8>> {
        let number = ticket_number(id)?;
        let answer = self
            .rpc
            .call("ticket.getAttachment", json!([number, file_name]))
            .await?;
        codec::parse_binary(&answer)
            .ok_or_else(|| errors::malformed("ticket.getAttachment", "no binary content"))
    }

    pub(super) async fn upload_attachment(
        &self,
        id: &str,
        new: &NewAttachment,
    ) -> Result<Attachment> {
        let number = ticket_number(id)?;
        let description = new
            .source
            .as_ref()
            .map(|s| format!("{ATTACHMENT_MARKER}{s}"))
            .unwrap_or_default();
        let params = json!([
            number,
            new.file_name,
            description,
            codec::binary(&new.content),
            false
        ]);
        let stored = self.rpc.call("ticket.putAttachment", params).await?;
        let stored = stored
            .as_str()
            .ok_or_else(|| errors::malformed("ticket.putAttachment", &stored))?
            .to_owned();
        self.ticket_attachments(id)
            .await?
            .into_iter()
            .find(|a| a.id == stored)
            .ok_or_else(|| {
                ConnectorError::new(
                    ErrorClass::Network,
                    format!("Trac: attachment '{stored}' of #{id} is not listed"),
                )
            })
    }
}

/// `[filename, description, size, time, author]` of `ticket.listAttachments`.
#[derive(Deserialize)]
struct Listed(String, String, u64, Value, #[allow(dead_code)] String);

impl Listed {
    fn into_attachment(self) -> Attachment {
        let Listed(file_name, description, size, time, _) = self;
        Attachment {
            id: file_name.clone(),
            content_type: content_type(&file_name).to_owned(),
            file_name,
            size,
            created_at: codec::parse_datetime(&time).unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
            source: description
                .strip_prefix(ATTACHMENT_MARKER)
                .map(str::to_owned),
        }
    }
}

/// Whether a `ticket.changeLog` entry is a comment of the ticket. Adding an attachment logs
/// its description as a `comment` entry too, flagged not permanent (the plugin's mark of such
/// collateral changes); read as a comment, a copied attachment's `syncline-source` line would
/// be copied on as a comment of its own.
fn is_ticket_comment(field: &str, text: &str, permanent: &Value) -> bool {
    let collateral = permanent.as_i64() == Some(0) || permanent.as_bool() == Some(false);
    field == "comment" && !text.trim().is_empty() && !collateral
}

/// A comment's text with its source identity appended in a hidden block.
fn join_comment(text: &str, source: &str) -> String {
    format!(
        "{text}{COMMENT_MARKER}{}\n}}}}}}",
        source.replace('\n', " ")
    )
}

/// A comment's visible text and the source identity it carries, if any.
fn split_comment(text: &str) -> (&str, Option<String>) {
    let text = text.trim_end_matches(['\r', '\n']);
    let Some(at) = text.rfind(COMMENT_MARKER) else {
        return (text, None);
    };
    let rest = &text[at + COMMENT_MARKER.len()..];
    match rest.strip_suffix("\n}}}") {
        Some(source) if !source.contains('\n') => (&text[..at], Some(source.to_owned())),
        _ => (text, None),
    }
}

/// The MIME type of common file names; Trac does not store one.
fn content_type(file_name: &str) -> &'static str {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// Comment ids: Trac's comment number, which two changes saved at once can both get (each
/// counts the comments before it; nothing in Trac's tables keeps the number unique). The
/// change log lists changes in the order they were saved, so a number seen again becomes
/// `number.k` for its `k`-th repetition: the first comment keeps its id whatever comes after.
#[derive(Default)]
struct CommentIds {
    seen: std::collections::HashMap<String, usize>,
}

impl CommentIds {
    fn next(&mut self, number: String) -> String {
        let repeated = self.seen.entry(number.clone()).or_default();
        let id = match *repeated {
            0 => number,
            k => format!("{number}.{k}"),
        };
        *repeated += 1;
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comment_number_given_twice_by_trac_makes_two_ids() {
        let mut ids = CommentIds::default();
        let got: Vec<String> = ["1", "2", "2", "3", "2"]
            .into_iter()
            .map(|n| ids.next(n.to_owned()))
            .collect();
        assert_eq!(got, ["1", "2", "2.1", "3", "2.2"]);
    }

    #[test]
    fn a_comment_carries_its_source_in_a_hidden_block() {
        let text = join_comment("Looks good.\n\n * one", "jira:PRJ-1:comment:9");
        assert!(text.ends_with("{{{#!comment\nsyncline-source: jira:PRJ-1:comment:9\n}}}"));
        assert_eq!(
            split_comment(&text),
            ("Looks good.\n\n * one", Some("jira:PRJ-1:comment:9".into()))
        );
        assert_eq!(
            split_comment(&format!("{text}\r\n")).1.as_deref(),
            Some("jira:PRJ-1:comment:9")
        );
        assert_eq!(split_comment("plain"), ("plain", None));
    }

    #[test]
    fn an_attachments_description_is_no_comment() {
        assert!(is_ticket_comment("comment", "Looks good.", &json!(1)));
        assert!(!is_ticket_comment(
            "comment",
            "syncline-source: s:1",
            &json!(0)
        ));
        assert!(!is_ticket_comment("comment", "  ", &json!(1)));
        assert!(!is_ticket_comment("attachment", "a.png", &json!(0)));
        assert!(!is_ticket_comment("summary", "new", &json!(1)));
    }

    #[test]
    fn attachment_descriptions_carry_the_source() {
        let listed = Listed(
            "a.png".into(),
            "syncline-source: s:1".into(),
            4,
            json!(null),
            "admin".into(),
        );
        let attachment = listed.into_attachment();
        assert_eq!(attachment.source.as_deref(), Some("s:1"));
        assert_eq!(attachment.content_type, "image/png");
        let manual = Listed(
            "notes".into(),
            "by hand".into(),
            1,
            json!(null),
            "bob".into(),
        );
        assert_eq!(manual.into_attachment().source, None);
    }
}
