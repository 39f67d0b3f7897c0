//! Reading and writing tickets.
//!
//! Updates always name a workflow action (`leave`, which keeps the status) because only then
//! does Trac validate the values and run its collision check against `_ts`; without an action
//! it writes whatever it gets. A write of `status` is refused before it leaves: status changes
//! go through [`super::workflow`].
//!
//! Trac's collision check compares `_ts` and then writes without a guard in the same
//! statement, so two updates within the same instant can both pass; a stale version from any
//! earlier moment is always refused.

use std::collections::BTreeMap;

use hub_domain::model::{FieldValue, PersonRef};
use serde_json::{Value, json};

use super::{TracConnector, mapping};
use crate::connector::Result;
use crate::error::{ConnectorError, ErrorClass};
use crate::types::{Artifact, ArtifactScope, NewArtifact};

/// The workflow action that changes fields and keeps the status.
pub const LEAVE: &str = "leave";

impl TracConnector {
    /// The ticket with that id.
    pub(super) async fn ticket(&self, id: &str) -> Result<Artifact> {
        let number = ticket_number(id)?;
        let answer = self.rpc.call("ticket.get", json!([number])).await?;
        self.to_artifact(&answer).await
    }

    /// Several tickets in one request, in the order of `ids`; tickets deleted meanwhile are
    /// left out.
    pub(super) async fn tickets(&self, ids: &[i64]) -> Result<Vec<Artifact>> {
        let params = ids.iter().map(|id| json!([id])).collect();
        let mut out = Vec::with_capacity(ids.len());
        for answer in self.rpc.multicall("ticket.get", params).await? {
            match answer {
                Ok(answer) => out.push(self.to_artifact(&answer).await?),
                Err(e) if e.class == ErrorClass::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    pub(super) async fn to_artifact(&self, answer: &Value) -> Result<Artifact> {
        let fields = self.fields().await?;
        self.warm_users().await;
        let users = self.cached_users();
        let person = |name: &str| super::persons::person_ref(users.as_deref(), name);
        mapping::artifact(answer, &self.context, &fields, &person)
    }

    pub(super) async fn create_ticket(&self, new: &NewArtifact) -> Result<Artifact> {
        self.ensure_project(&new.project)?;
        if new.source.is_some() {
            self.require_source_field().await?;
        }
        let fields = self.fields().await?;
        let mut values = new.fields.clone();
        let text = |values: &mut BTreeMap<String, FieldValue>, name: &str| values.remove(name);
        let summary = text(&mut values, "summary");
        let description = text(&mut values, "description");
        values.insert("type".into(), FieldValue::Option(new.artifact_type.clone()));
        // Trac checks options on updates (through the workflow) but not on creation.
        mapping::check_options(&fields, &values)?;
        let mut attributes = mapping::attributes(&fields, &values)?;
        let plain = |value: Option<FieldValue>, name: &str| -> Result<Value> {
            let single = BTreeMap::from([(name.to_owned(), value.unwrap_or(FieldValue::Null))]);
            Ok(mapping::attributes(&fields, &single)?
                .remove(name)
                .unwrap_or_default())
        };
        let summary = plain(summary, "summary")?;
        let description = plain(description, "description")?;
        if let Some(source) = &new.source {
            attributes.insert(self.context.source_field.clone(), json!(source));
        }
        let id = self
            .rpc
            .call(
                "ticket.create",
                json!([summary, description, attributes, false]),
            )
            .await?;
        let id = id
            .as_i64()
            .ok_or_else(|| super::errors::malformed("ticket.create", id))?;
        self.ticket(&id.to_string()).await
    }

    /// Writes fields through the `leave` action, with Trac's collision check when
    /// `expected_version` is given.
    pub(super) async fn update_ticket(
        &self,
        id: &str,
        expected_version: Option<&str>,
        values: &BTreeMap<String, FieldValue>,
        comment: &str,
        author: Option<&PersonRef>,
    ) -> Result<Artifact> {
        let number = ticket_number(id)?;
        let fields = self.fields().await?;
        let mut attributes = mapping::attributes(&fields, values)?;
        attributes.insert("action".into(), json!(LEAVE));
        if let Some(version) = expected_version {
            attributes.insert("_ts".into(), json!(version));
        }
        let author = author.and_then(|p| p.username.clone()).unwrap_or_default();
        let answer = self
            .rpc
            .call(
                "ticket.update",
                json!([number, comment, attributes, false, author]),
            )
            .await?;
        self.to_artifact(&answer).await
    }

    pub(super) async fn find_source(
        &self,
        scope: &ArtifactScope,
        source: &str,
    ) -> Result<Option<Artifact>> {
        if !scope.projects.iter().any(|p| p == &self.context.project) {
            return Ok(None);
        }
        self.require_source_field().await?;
        let query = format!(
            "{}={}&max=0",
            self.context.source_field,
            query_value(source)
        );
        let ids = self.query_ids(&query).await?;
        let found = self.tickets(&ids).await?;
        Ok(found.into_iter().find(|a| {
            a.source.as_deref() == Some(source)
                && (scope.artifact_types.is_empty()
                    || scope.artifact_types.contains(&a.artifact_type))
        }))
    }

    /// Ticket ids of a `ticket.query` query string.
    pub(super) async fn query_ids(&self, query: &str) -> Result<Vec<i64>> {
        let answer = self.rpc.call("ticket.query", json!([query])).await?;
        serde_json::from_value(answer).map_err(|e| super::errors::malformed("ticket.query", e))
    }

    pub(super) fn ensure_project(&self, project: &str) -> Result<()> {
        if project == self.context.project {
            Ok(())
        } else {
            Err(ConnectorError::new(
                ErrorClass::NotFound,
                format!(
                    "this Trac environment is project '{}', not '{project}'",
                    self.context.project
                ),
            ))
        }
    }
}

/// The ticket number of an id (`42`) or formatted id (`#42`).
pub fn ticket_number(id: &str) -> Result<i64> {
    id.trim().trim_start_matches('#').parse().map_err(|_| {
        ConnectorError::new(
            ErrorClass::NotFound,
            format!("'{id}' is not a Trac ticket number"),
        )
    })
}

/// A value inside a `ticket.query` string: `&`, `|` and `\` are escaped with a backslash.
pub(super) fn query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '&' | '|' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_numbers_accept_the_formatted_id() {
        assert_eq!(ticket_number("#42").unwrap(), 42);
        assert_eq!(ticket_number("42").unwrap(), 42);
        assert_eq!(
            ticket_number("PRJ-1").unwrap_err().class,
            ErrorClass::NotFound
        );
    }

    #[test]
    fn query_values_escape_separators() {
        assert_eq!(query_value(r"a&b|c\d"), r"a\&b\|c\\d");
    }
}
