//! [`Connector`] for [`TracConnector`]: each call delegates to the module that knows the part
//! of Trac it touches.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use hub_domain::model::{FieldValue, PersonRef};
use serde_json::json;

use super::persons::SEARCH_FIELDS;
use super::schema::TracField;
use super::tickets::ticket_number;
use super::workflow::STATUS;
use super::{DISPLAY_NAME, KIND, TracConnector, schema};
use crate::connector::{Connector, Result};
use crate::error::ErrorClass;
use crate::kind::{Capability, ConnectorDescriptor};
use crate::types::*;

impl TracConnector {
    /// The ticket fields, read again, after checking that the project is this environment and
    /// that it has the ticket type.
    async fn ticket_type_fields(
        &self,
        project: &str,
        ticket_type: &str,
    ) -> Result<Arc<Vec<TracField>>> {
        self.ensure_project(project)?;
        let fields = self.reload_fields().await?;
        if schema::ticket_types(&fields)
            .iter()
            .any(|t| t == ticket_type)
        {
            return Ok(fields);
        }
        Err(crate::ConnectorError::new(
            ErrorClass::NotFound,
            format!("Trac has no ticket type '{ticket_type}'"),
        ))
    }
}

#[async_trait::async_trait]
impl Connector for TracConnector {
    fn descriptor(&self) -> ConnectorDescriptor {
        use Capability::*;
        ConnectorDescriptor {
            kind: KIND,
            display_name: DISPLAY_NAME,
            capabilities: vec![
                Create,
                Update,
                OptimisticLocking,
                Comments,
                Attachments,
                Transitions,
                Persons,
                SourceIdentity,
            ],
            // `_ts` is in microseconds.
            version_resolution: crate::VersionResolution::Exact,
        }
    }

    async fn test_connection(&self) -> Result<()> {
        // Needs the XML_RPC and TICKET_VIEW permissions, like everything the connector does.
        self.rpc
            .call("ticket.getTicketFields", json!([]))
            .await
            .map(drop)
    }

    async fn projects(&self) -> Result<Vec<Project>> {
        Ok(vec![Project {
            key: self.context.project.clone(),
            name: self.context.project.clone(),
        }])
    }

    async fn artifact_types(&self, project: &str) -> Result<Vec<ArtifactType>> {
        self.ensure_project(project)?;
        let fields = self.reload_fields().await?;
        Ok(schema::ticket_types(&fields)
            .into_iter()
            .map(|t| ArtifactType {
                key: t.clone(),
                name: t,
            })
            .collect())
    }

    async fn schema(&self, project: &str, artifact_type: &str) -> Result<Schema> {
        let fields = self.ticket_type_fields(project, artifact_type).await?;
        Ok(schema::schema(&fields))
    }

    async fn changed_since(
        &self,
        scope: &ArtifactScope,
        since: Option<DateTime<Utc>>,
        page: Option<&str>,
    ) -> Result<ChangePage> {
        self.changes(scope, since, page).await
    }

    async fn fetch(&self, id: &str) -> Result<Artifact> {
        self.ticket(id).await
    }

    async fn create(&self, artifact: &NewArtifact) -> Result<Artifact> {
        self.create_ticket(artifact).await
    }

    async fn update(
        &self,
        id: &str,
        expected_version: Option<&str>,
        fields: &BTreeMap<String, FieldValue>,
    ) -> Result<Artifact> {
        self.update_ticket(id, expected_version, fields, "", None)
            .await
    }

    async fn find_by_source(
        &self,
        scope: &ArtifactScope,
        source: &str,
    ) -> Result<Option<Artifact>> {
        self.find_source(scope, source).await
    }

    async fn find_by_formatted_id(&self, formatted_id: &str) -> Result<Option<Artifact>> {
        if ticket_number(formatted_id).is_err() {
            return Ok(None);
        }
        match self.ticket(formatted_id).await {
            Ok(artifact) => Ok(Some(artifact)),
            Err(e) if e.class == ErrorClass::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn comments(&self, id: &str) -> Result<Vec<Comment>> {
        self.ticket_comments(id).await
    }

    async fn add_comment(&self, id: &str, comment: &NewComment) -> Result<Comment> {
        self.add_ticket_comment(id, comment).await
    }

    async fn attachments(&self, id: &str) -> Result<Vec<Attachment>> {
        self.ticket_attachments(id).await
    }

    async fn download(&self, id: &str, attachment_id: &str) -> Result<Vec<u8>> {
        self.download_attachment(id, attachment_id).await
    }

    async fn upload(&self, id: &str, attachment: &NewAttachment) -> Result<Attachment> {
        self.upload_attachment(id, attachment).await
    }

    async fn transitions(&self, id: &str) -> Result<Vec<Transition>> {
        self.ticket_transitions(id).await
    }

    async fn perform_transition(
        &self,
        id: &str,
        expected_version: Option<&str>,
        transition_id: &str,
    ) -> Result<Artifact> {
        self.perform_action(id, expected_version, transition_id)
            .await
    }

    fn state_field(&self) -> Option<&'static str> {
        Some(STATUS)
    }

    async fn workflow(&self, project: &str, artifact_type: &str) -> Result<Vec<WorkflowEdge>> {
        // One workflow serves every ticket type; the type is checked all the same.
        self.ticket_type_fields(project, artifact_type).await?;
        self.workflow_edges().await
    }

    async fn person_search_fields(&self) -> Result<Vec<String>> {
        Ok(SEARCH_FIELDS.map(str::to_owned).to_vec())
    }

    async fn search_persons(&self, query: &PersonQuery) -> Result<Vec<PersonRef>> {
        self.find_persons(query).await
    }
}
