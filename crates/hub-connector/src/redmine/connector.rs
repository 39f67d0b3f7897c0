//! [`RedmineConnector`]: the [`Connector`] over Redmine's REST API.
//!
//! Reads map one issue answer (with the parts asked for) onto an artifact; writes check every
//! value first ([`super::write`]), send one create or update, set relations, and (for `update`,
//! not `write_fields`) read the issue back, because Redmine answers an update with an empty 204.

mod issue_parts;
mod workflow;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use hub_domain::model::{FieldValue, PersonRef};
use reqwest::Method;
use serde_json::{Value, json};

use super::catalog::{Catalog, Catalogs, ProjectInfo, Tracker, list};
use super::changes::Query;
use super::client::Client;
use super::errors::{self, invalid};
use super::parts;
use super::persons;
use super::read::Reader;
use super::recent::{self, Recent};
use super::settings::RedmineSettings;
use super::write::{Plan, Writer};
use super::{DISPLAY_NAME, KIND, schema};
use crate::connector::{Connector, Result};
use crate::error::{ConnectorError, ErrorClass};
use crate::kind::{Capability, ConnectorDescriptor};
use crate::types::*;

/// What the Redmine connector can do. Not optimistic locking: Redmine keeps a `lock_version`
/// but does not show it, so a stale version is only detected by reading first.
pub const CAPABILITIES: [Capability; 10] = [
    Capability::Create,
    Capability::Update,
    Capability::Comments,
    Capability::Attachments,
    Capability::TimeEntries,
    Capability::Relationships,
    Capability::Transitions,
    Capability::Persons,
    Capability::SourceIdentity,
    Capability::Containers,
];

/// Fields whose options belong to the issue's project.
const PROJECT_FIELDS: [&str; 2] = ["category", "fixed_version"];

/// A connection to one Redmine.
#[derive(Debug)]
pub struct RedmineConnector {
    client: Client,
    settings: RedmineSettings,
    catalogs: Catalogs,
    recent: Recent,
}

impl RedmineConnector {
    /// A connector with these settings (nothing is requested yet).
    pub fn new(settings: RedmineSettings) -> Result<Self> {
        Ok(Self {
            client: Client::new(&settings.url, &settings.api_key, settings.keep_alive)?,
            settings,
            catalogs: Catalogs::default(),
            recent: Recent::default(),
        })
    }

    /// A connector from a repository's connection settings.
    pub fn from_settings(connection: &ConnectionSettings) -> Result<Self> {
        Self::new(RedmineSettings::from_connection(connection)?)
    }

    fn reader<'a>(&'a self, catalog: &'a Catalog) -> Reader<'a> {
        Reader {
            catalog,
            base: self.client.base().as_str(),
            markup: self.settings.text_formatting.markup(),
            source_field: self.source_field(catalog),
        }
    }

    fn source_field(&self, catalog: &Catalog) -> Option<u64> {
        catalog
            .custom_field_named(&self.settings.source_field)
            .map(|cf| cf.named.id)
    }

    /// The issue answer of `id`, with `include` parts.
    async fn issue(&self, id: u64, include: &str) -> Result<Value> {
        let query: Vec<(&str, String)> = if include.is_empty() {
            Vec::new()
        } else {
            vec![("include", include.to_owned())]
        };
        let answer = self
            .client
            .get(&format!("issues/{id}.json"), &query)
            .await?;
        Ok(answer["issue"].clone())
    }

    /// The artifact of an issue answer, with its project's key.
    async fn artifact(&self, issue: &Value) -> Result<Artifact> {
        let catalog = self.catalogs.get(&self.client).await?;
        let mut artifact = self.reader(&catalog).artifact(issue)?;
        let project = issue["project"]["id"].as_u64().unwrap_or_default();
        artifact.project = self.project(&project.to_string()).await?.identifier.clone();
        Ok(artifact)
    }

    async fn project(&self, key: &str) -> Result<Arc<ProjectInfo>> {
        self.catalogs.project(&self.client, key).await
    }

    /// The write plan of `fields` in `project` (needed only for categories and versions),
    /// reloading the catalog once when a name is unknown (an option added since it was
    /// loaded).
    async fn plan(
        &self,
        project: Option<&str>,
        fields: &BTreeMap<String, FieldValue>,
    ) -> Result<Plan> {
        match self.plan_once(project, fields).await {
            Err(e) if e.class == ErrorClass::InvalidValue => {
                self.catalogs.refresh().await;
                self.plan_once(project, fields).await
            }
            other => other,
        }
    }

    async fn plan_once(
        &self,
        project: Option<&str>,
        fields: &BTreeMap<String, FieldValue>,
    ) -> Result<Plan> {
        let catalog = self.catalogs.get(&self.client).await?;
        let project = match project {
            Some(key) => Some(self.project(key).await?),
            None => None,
        };
        let writer = Writer {
            catalog: &catalog,
            project: project.as_deref(),
            markup: self.settings.text_formatting.markup(),
        };
        writer.plan(fields)
    }

    /// Reads the issue in full (also after a write), keeping the answer for the comment and
    /// attachment lists asked for next (see [`super::recent`]).
    async fn reread(&self, id: u64) -> Result<Artifact> {
        let issue = self.issue(id, recent::FULL).await?;
        self.recent.keep(id, &issue);
        self.artifact(&issue).await
    }

    /// The issue answer with `part` included: the one read a moment ago, else a new read.
    async fn issue_with(&self, id: u64, part: &str) -> Result<Value> {
        match self.recent.get(id) {
            Some(issue) => Ok(issue),
            None => self.issue(id, part).await,
        }
    }

    /// The issue as it is now: the answer read within [`recent::CHECK`], else a new read.
    async fn current(&self, id: u64) -> Result<Artifact> {
        match self.recent.current(id) {
            Some(issue) => self.artifact(&issue).await,
            None => self.artifact(&self.issue(id, "").await?).await,
        }
    }

    /// Checks the version (when expected) and the values, then sends the update and sets the
    /// relations. The parts of an answer kept in [`Recent`] stay valid: a field write adds no
    /// comment or attachment.
    async fn put_fields(
        &self,
        id: u64,
        expected_version: Option<&str>,
        fields: &BTreeMap<String, FieldValue>,
    ) -> Result<()> {
        // Knowing the current state costs a request unless it was just read: only for a
        // version check or project-bound options.
        let needs_project = PROJECT_FIELDS.iter().any(|f| fields.contains_key(*f));
        let project = if expected_version.is_some() || needs_project {
            let current = self.current(id).await?;
            ConnectorError::check_version(
                format!("issue #{id}"),
                &current.version,
                expected_version,
            )?;
            Some(current.project)
        } else {
            None
        };
        let plan = self.plan(project.as_deref(), fields).await?;
        self.recent.fields_written(id);
        if !plan.issue.is_empty() || !plan.custom_fields.is_empty() {
            let path = format!("issues/{id}.json");
            self.client
                .write(Method::PUT, &path, &plan.document())
                .await?;
        }
        parts::set_relations(&self.client, id, &plan.relations).await
    }

    /// The catalog, the project `key` and its tracker `name`; not found unless the project
    /// uses that tracker.
    async fn project_tracker(
        &self,
        key: &str,
        name: &str,
    ) -> Result<(Arc<Catalog>, Arc<ProjectInfo>, Tracker)> {
        let catalog = self.catalogs.get(&self.client).await?;
        let project = self.project(key).await?;
        let tracker = catalog
            .tracker(name)
            .filter(|t| project.trackers.contains(&t.named.id))
            .cloned()
            .ok_or_else(|| {
                not_found(format!(
                    "project '{}' has no tracker '{name}'",
                    project.identifier
                ))
            })?;
        Ok((catalog, project, tracker))
    }

    async fn tracker_id(&self, name: &str) -> Result<u64> {
        let catalog = self.catalogs.get(&self.client).await?;
        catalog
            .tracker(name)
            .map(|t| t.named.id)
            .ok_or_else(|| not_found(format!("no tracker '{name}'")))
    }
}

#[async_trait::async_trait]
impl Connector for RedmineConnector {
    fn descriptor(&self) -> ConnectorDescriptor {
        ConnectorDescriptor {
            kind: KIND,
            display_name: DISPLAY_NAME,
            capabilities: CAPABILITIES.to_vec(),
            // `updated_on` to the second, and no journals in the change query.
            version_resolution: crate::VersionResolution::WholeSecond,
        }
    }

    async fn test_connection(&self) -> Result<()> {
        self.client.get("users/current.json", &[]).await.map(drop)
    }

    async fn projects(&self) -> Result<Vec<Project>> {
        // Loading the catalog checks the key (a wrong one would list public projects).
        self.catalogs.get(&self.client).await?;
        let mut projects = Vec::new();
        loop {
            let query = [
                ("limit", "100".to_owned()),
                ("offset", projects.len().to_string()),
            ];
            let page = self.client.get("projects.json", &query).await?;
            let batch = list(&page, "projects");
            projects.extend(batch.iter().filter_map(|p| {
                Some(Project {
                    key: p["identifier"].as_str()?.to_owned(),
                    name: p["name"].as_str()?.to_owned(),
                })
            }));
            let total = page["total_count"].as_u64().unwrap_or(0) as usize;
            if batch.is_empty() || projects.len() >= total {
                return Ok(projects);
            }
        }
    }

    async fn create_project(&self, key: &str, name: &str) -> Result<Project> {
        let catalog = self.catalogs.get(&self.client).await?;
        let trackers: Vec<u64> = catalog.trackers.iter().map(|t| t.named.id).collect();
        let document = json!({"project": {
            "identifier": key, "name": name, "tracker_ids": trackers,
            "enabled_module_names": ["issue_tracking"],
        }});
        let created = self
            .client
            .write(Method::POST, "projects.json", &document)
            .await?;
        Ok(Project {
            key: created["project"]["identifier"]
                .as_str()
                .unwrap_or(key)
                .to_owned(),
            name: created["project"]["name"]
                .as_str()
                .unwrap_or(name)
                .to_owned(),
        })
    }

    async fn artifact_types(&self, project: &str) -> Result<Vec<ArtifactType>> {
        let catalog = self.catalogs.get(&self.client).await?;
        let project = self.project(project).await?;
        Ok(project
            .trackers
            .iter()
            .filter_map(|id| catalog.tracker_by_id(*id))
            .map(|t| ArtifactType {
                key: t.named.name.clone(),
                name: t.named.name.clone(),
            })
            .collect())
    }

    async fn schema(&self, project: &str, artifact_type: &str) -> Result<Schema> {
        let (catalog, project, tracker) = self.project_tracker(project, artifact_type).await?;
        let fields = schema::fields(&catalog, &project, &tracker, self.source_field(&catalog));
        Ok(Schema { fields })
    }

    async fn changed_since(
        &self,
        scope: &ArtifactScope,
        since: Option<DateTime<Utc>>,
        page: Option<&str>,
    ) -> Result<ChangePage> {
        let mut projects = Vec::new();
        for key in &scope.projects {
            projects.push(self.project(key).await?.named.id);
        }
        let mut trackers = Vec::new();
        for name in &scope.artifact_types {
            trackers.push(self.tracker_id(name).await?);
        }
        let query = Query {
            client: &self.client,
            projects,
            trackers,
            page_size: self.settings.page_size,
        };
        query.page(since, page).await
    }

    async fn fetch(&self, id: &str) -> Result<Artifact> {
        self.reread(issue_id(id)?).await
    }

    async fn create(&self, artifact: &NewArtifact) -> Result<Artifact> {
        let project = self.project(&artifact.project).await?;
        let tracker = self.tracker_id(&artifact.artifact_type).await?;
        let mut plan = self.plan(Some(&artifact.project), &artifact.fields).await?;
        plan.issue
            .insert("project_id".into(), json!(project.named.id));
        plan.issue.insert("tracker_id".into(), json!(tracker));
        if let Some(source) = &artifact.source {
            let catalog = self.catalogs.get(&self.client).await?;
            let field = self
                .source_field(&catalog)
                .ok_or_else(|| self.no_source_field())?;
            plan.custom_fields
                .push(json!({"id": field, "value": source}));
        }
        let created = self
            .client
            .write(Method::POST, "issues.json", &plan.document())
            .await?;
        let id = created["issue"]["id"]
            .as_u64()
            .ok_or_else(|| errors::unexpected("POST issues.json", &created))?;
        if plan.relations.is_empty() {
            // The answer is the new issue; it has no relations yet.
            let mut issue = created["issue"].clone();
            issue["relations"] = json!([]);
            return self.artifact(&issue).await;
        }
        parts::set_relations(&self.client, id, &plan.relations).await?;
        self.reread(id).await
    }

    async fn update(
        &self,
        id: &str,
        expected_version: Option<&str>,
        fields: &BTreeMap<String, FieldValue>,
    ) -> Result<Artifact> {
        let id = issue_id(id)?;
        self.put_fields(id, expected_version, fields).await?;
        self.reread(id).await
    }

    async fn write_fields(
        &self,
        id: &str,
        expected_version: Option<&str>,
        fields: &BTreeMap<String, FieldValue>,
    ) -> Result<()> {
        self.put_fields(issue_id(id)?, expected_version, fields)
            .await
    }

    async fn find_by_source(
        &self,
        scope: &ArtifactScope,
        source: &str,
    ) -> Result<Option<Artifact>> {
        let catalog = self.catalogs.get(&self.client).await?;
        let field = self
            .source_field(&catalog)
            .ok_or_else(|| self.no_source_field())?;
        let key = format!("cf_{field}");
        let query = [
            ("status_id", "*".to_owned()),
            (key.as_str(), source.to_owned()),
        ];
        let found = self.client.get("issues.json", &query).await?;
        for issue in list(&found, "issues") {
            let artifact = self.artifact(issue).await?;
            let in_scope = scope.projects.is_empty() || scope.projects.contains(&artifact.project);
            if in_scope && artifact.source.as_deref() == Some(source) {
                return self.fetch(&artifact.id).await.map(Some);
            }
        }
        Ok(None)
    }

    async fn find_by_formatted_id(&self, formatted_id: &str) -> Result<Option<Artifact>> {
        let Ok(id) = issue_id(formatted_id) else {
            return Ok(None);
        };
        match self.reread(id).await {
            Err(e) if e.class == ErrorClass::NotFound => Ok(None),
            other => other.map(Some),
        }
    }

    async fn comments(&self, id: &str) -> Result<Vec<Comment>> {
        self.read_comments(id).await
    }

    async fn add_comment(&self, id: &str, comment: &NewComment) -> Result<Comment> {
        self.write_comment(id, comment).await
    }

    async fn attachments(&self, id: &str) -> Result<Vec<Attachment>> {
        self.read_attachments(id).await
    }

    async fn download(&self, id: &str, attachment_id: &str) -> Result<Vec<u8>> {
        self.download_attachment(id, attachment_id).await
    }

    async fn upload(&self, id: &str, attachment: &NewAttachment) -> Result<Attachment> {
        self.upload_attachment(id, attachment).await
    }

    async fn transitions(&self, id: &str) -> Result<Vec<Transition>> {
        self.allowed_transitions(id).await
    }

    async fn perform_transition(
        &self,
        id: &str,
        expected_version: Option<&str>,
        transition_id: &str,
    ) -> Result<Artifact> {
        self.move_to(id, expected_version, transition_id).await
    }

    fn state_field(&self) -> Option<&'static str> {
        Some(schema::STATUS)
    }

    async fn workflow(&self, project: &str, artifact_type: &str) -> Result<Vec<WorkflowEdge>> {
        self.observed_workflow(project, artifact_type).await
    }

    async fn person_search_fields(&self) -> Result<Vec<String>> {
        Ok(persons::SEARCH_FIELDS
            .iter()
            .map(|f| (*f).to_owned())
            .collect())
    }

    async fn search_persons(&self, query: &PersonQuery) -> Result<Vec<PersonRef>> {
        let catalog = self.catalogs.get(&self.client).await?;
        persons::search(&self.client, &catalog, query).await
    }

    async fn time_entries(&self, id: &str) -> Result<Vec<TimeEntry>> {
        let issue = issue_id(id)?;
        let catalog = self.catalogs.get(&self.client).await?;
        super::time_entries::list_entries(&self.client, &catalog, issue).await
    }

    async fn add_time_entry(&self, id: &str, entry: &NewTimeEntry) -> Result<TimeEntry> {
        let issue = issue_id(id)?;
        let catalog = self.catalogs.get(&self.client).await?;
        super::time_entries::add_entry(&self.client, &catalog, issue, entry).await
    }
}

impl RedmineConnector {
    fn no_source_field(&self) -> ConnectorError {
        invalid(format!(
            "Redmine has no issue custom field '{}' to record source identities in; create it \
             (format string, for all projects and trackers, used as a filter)",
            self.settings.source_field
        ))
    }
}

/// The issue id of `42`, `#42`.
fn issue_id(id: &str) -> Result<u64> {
    id.trim()
        .trim_start_matches('#')
        .parse()
        .map_err(|_| not_found(format!("'{id}' is not a Redmine issue id")))
}

fn not_found(message: String) -> ConnectorError {
    ConnectorError::new(ErrorClass::NotFound, message)
}
