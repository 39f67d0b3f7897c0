//! Comments (journals with notes), attachments (uploads) and relations of an issue.
//!
//! Redmine has no place for the identity of a copied comment or attachment, so the hub
//! records it where a reader sees it anyway: a last line "Copied by Syncline from …" of the
//! note, and the attachment's description. Reading strips the line again, so a comment's body
//! round-trips unchanged.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use super::catalog::list;
use super::client::Client;
use super::errors;
use super::read::Reader;
use super::schema::inverse_relation;
use crate::connector::Result;
use crate::markup::{self, Markup};
use crate::types::{Attachment, Comment, NewComment};

/// How a copy names its source, in notes and attachment descriptions.
const SOURCE_PREFIX: &str = "Copied by Syncline from ";

/// The note text for a new comment: its body in Redmine's markup, plus the source line.
pub fn note_text(comment: &NewComment, markup: Markup) -> String {
    let body = markup::from_model(&comment.body, markup);
    match &comment.source {
        Some(source) => format!("{body}\n\n{SOURCE_PREFIX}{source}"),
        None => body,
    }
}

/// The comments of an issue answer with `journals` included, oldest first.
pub fn comments(issue: &Value, reader: &Reader<'_>) -> Vec<Comment> {
    list(issue, "journals")
        .iter()
        .filter_map(|journal| {
            let notes = journal["notes"].as_str().filter(|n| !n.trim().is_empty())?;
            let (body, source) = split_source(notes);
            Some(Comment {
                id: journal["id"].as_u64()?.to_string(),
                body: markup::to_model(body, reader.markup),
                author: reader.person_ref(&journal["user"]),
                created_at: time(&journal["created_on"])?,
                private: journal["private_notes"].as_bool().unwrap_or(false),
                source,
            })
        })
        .collect()
}

/// A note without its trailing source line, and the source.
fn split_source(notes: &str) -> (&str, Option<String>) {
    let notes = notes.trim_end();
    match notes.rsplit_once(SOURCE_PREFIX) {
        Some((body, source))
            if !source.contains('\n') && (body.is_empty() || body.ends_with('\n')) =>
        {
            (body.trim_end(), Some(source.trim().to_owned()))
        }
        _ => (notes, None),
    }
}

/// An attachment of an answer (`attachment` or an element of `attachments`).
pub fn attachment(value: &Value) -> Option<Attachment> {
    let description = value["description"].as_str().unwrap_or_default();
    Some(Attachment {
        id: value["id"].as_u64()?.to_string(),
        file_name: value["filename"].as_str()?.to_owned(),
        content_type: value["content_type"]
            .as_str()
            .unwrap_or("application/octet-stream")
            .to_owned(),
        size: value["filesize"].as_u64().unwrap_or(0),
        created_at: time(&value["created_on"])?,
        source: description
            .strip_prefix(SOURCE_PREFIX)
            .map(|s| s.trim().to_owned()),
    })
}

/// The description that records an attachment's source.
pub fn attachment_description(source: Option<&str>) -> String {
    source
        .map(|s| format!("{SOURCE_PREFIX}{s}"))
        .unwrap_or_default()
}

/// Makes the relations of issue `id` of each planned type exactly the planned targets.
pub async fn set_relations(
    client: &Client,
    id: u64,
    plan: &BTreeMap<String, Vec<u64>>,
) -> Result<()> {
    if plan.is_empty() {
        return Ok(());
    }
    let path = format!("issues/{id}/relations.json");
    let current = client.get(&path, &[]).await?;
    let mut existing: BTreeMap<String, Vec<(u64, u64)>> = BTreeMap::new();
    for relation in list(&current, "relations") {
        if let Some((kind, other, relation_id)) = seen_from(id, relation) {
            existing.entry(kind).or_default().push((other, relation_id));
        }
    }
    for (kind, targets) in plan {
        let have = existing.remove(kind).unwrap_or_default();
        for (other, relation_id) in &have {
            if !targets.contains(other) {
                client
                    .delete(&format!("relations/{relation_id}.json"))
                    .await?;
            }
        }
        for target in targets
            .iter()
            .filter(|t| !have.iter().any(|(o, _)| o == *t))
        {
            let relation = json!({"relation": {"issue_to_id": target, "relation_type": kind}});
            client.write(Method::POST, &path, &relation).await?;
        }
    }
    Ok(())
}

/// `(type seen from id, the other issue, relation id)`.
fn seen_from(id: u64, relation: &Value) -> Option<(String, u64, u64)> {
    let from = relation["issue_id"].as_u64()?;
    let to = relation["issue_to_id"].as_u64()?;
    let kind = relation["relation_type"].as_str()?;
    let relation_id = relation["id"].as_u64()?;
    if from == id {
        Some((kind.to_owned(), to, relation_id))
    } else {
        Some((inverse_relation(kind)?.to_owned(), from, relation_id))
    }
}

fn time(value: &Value) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value.as_str()?)
        .ok()
        .map(|at| at.with_timezone(&Utc))
}

/// An error for an answer that lacks what a write should have produced.
pub fn missing(what: &str, id: u64) -> crate::ConnectorError {
    errors::unexpected(what, format!("issue #{id} does not show it after writing"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_line_is_split_off_and_only_at_the_end() {
        let (body, source) = split_source("Hello\n\nCopied by Syncline from trac:7:comment:2");
        assert_eq!(
            (body, source.as_deref()),
            ("Hello", Some("trac:7:comment:2"))
        );
        let quoted = "Copied by Syncline from x is what it said\n\nand more";
        assert_eq!(split_source(quoted), (quoted, None));
        let inline = "see: Copied by Syncline from x";
        assert_eq!(split_source(inline), (inline, None));
    }
}
