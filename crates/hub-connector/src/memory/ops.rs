//! Projects and artifacts: the reads and writes behind the connector's core calls.
//!
//! These run with the tracker's lock held, so each is atomic. Writes validate everything first
//! and only then change the state, so a refused write leaves no trace.

use std::collections::BTreeMap;

use hub_domain::model::FieldValue;

use super::schema::{self, INITIAL_STATUS, PROJECT, STATUS};
use super::state::{ArtifactRecord, ProjectRecord, TrackerState};
use super::validate::{check_write, store_values};
use crate::connector::Result;
use crate::error::{ConnectorError, ErrorClass};
use crate::types::{Artifact, ArtifactScope, NewArtifact, Project, Schema};

impl TrackerState {
    pub(crate) fn projects(&self) -> Vec<Project> {
        self.projects
            .iter()
            .map(|(key, record)| Project {
                key: key.clone(),
                name: record.name.clone(),
            })
            .collect()
    }

    pub(crate) fn create_project(&mut self, key: &str, name: &str) -> Result<Project> {
        let well_formed = key.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && key
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if !well_formed {
            return Err(invalid_input(format!(
                "project key '{key}' must be upper-case letters, digits and '_', starting with a letter"
            )));
        }
        if name.trim().is_empty() {
            return Err(invalid_input("a project needs a name"));
        }
        if self.projects.contains_key(key) {
            return Err(invalid_input(format!("project '{key}' already exists")));
        }
        self.revision += 1;
        self.mark_project(key);
        self.projects.insert(
            key.to_owned(),
            ProjectRecord {
                name: name.to_owned(),
                last_number: 0,
            },
        );
        Ok(Project {
            key: key.to_owned(),
            name: name.to_owned(),
        })
    }

    /// Fails with `NotFound` unless the project exists.
    pub(crate) fn check_project(&self, project: &str) -> Result<()> {
        match self.projects.contains_key(project) {
            true => Ok(()),
            false => Err(ConnectorError::new(
                ErrorClass::NotFound,
                format!("no project '{project}'"),
            )),
        }
    }

    pub(crate) fn schema_of(&self, project: &str, artifact_type: &str) -> Result<Schema> {
        self.check_artifact_type(project, artifact_type)?;
        Ok(schema::schema().clone())
    }

    fn check_artifact_type(&self, project: &str, artifact_type: &str) -> Result<()> {
        self.check_project(project)?;
        match schema::is_artifact_type(artifact_type) {
            true => Ok(()),
            false => Err(ConnectorError::new(
                ErrorClass::NotFound,
                format!("no artifact type '{artifact_type}' in project '{project}'"),
            )),
        }
    }

    pub(crate) fn fetch(&self, id: &str) -> Result<Artifact> {
        self.record(id).map(|record| record.artifact.clone())
    }

    pub(crate) fn create(&mut self, new: &NewArtifact) -> Result<Artifact> {
        self.check_artifact_type(&new.project, &new.artifact_type)?;
        check_write(self, &new.fields, true)?;
        let project = self.projects.get_mut(&new.project).expect("checked above");
        project.last_number += 1;
        let formatted_id = format!("{}-{}", new.project, project.last_number);
        self.mark_project(&new.project);
        self.last_artifact_id += 1;
        let key = self.last_artifact_id;
        let mut fields: BTreeMap<String, FieldValue> = schema::schema()
            .fields
            .iter()
            .map(|f| (f.id.clone(), FieldValue::Null))
            .collect();
        fields.insert(PROJECT.to_owned(), FieldValue::Text(new.project.clone()));
        fields.insert(
            STATUS.to_owned(),
            FieldValue::Option(INITIAL_STATUS.to_owned()),
        );
        let artifact = Artifact {
            id: key.to_string(),
            url: format!("{}{formatted_id}", self.url_prefix),
            formatted_id: formatted_id.clone(),
            project: new.project.clone(),
            artifact_type: new.artifact_type.clone(),
            version: String::new(),
            updated_at: self.now(),
            fields,
            source: new.source.clone(),
        };
        let mut record = ArtifactRecord {
            artifact,
            comments: Vec::new(),
            attachments: Vec::new(),
            time_entries: Vec::new(),
        };
        store_values(&self.persons, &mut record, &new.fields);
        self.by_change.insert((record.artifact.updated_at, key));
        self.artifacts.insert(key, record);
        self.by_formatted_id.insert(formatted_id, key);
        Ok(self.touch(key).artifact.clone())
    }

    /// Writes fields; a write that changes no value is no write (version and time stay).
    pub(crate) fn update(
        &mut self,
        id: &str,
        expected_version: Option<&str>,
        fields: &BTreeMap<String, FieldValue>,
    ) -> Result<Artifact> {
        let key = self.existing_key(id)?;
        check_version(&self.artifacts[&key].artifact, expected_version)?;
        check_write(self, fields, false)?;
        let record = self.artifacts.get_mut(&key).expect("checked above");
        if !store_values(&self.persons, record, fields) {
            return Ok(record.artifact.clone());
        }
        Ok(self.touch(key).artifact.clone())
    }

    pub(crate) fn find_by_source(
        &self,
        scope: &ArtifactScope,
        source: &str,
    ) -> Result<Option<Artifact>> {
        scope
            .projects
            .iter()
            .try_for_each(|p| self.check_project(p))?;
        Ok(self
            .artifacts
            .values()
            .map(|record| &record.artifact)
            .find(|a| in_scope(scope, a) && a.source.as_deref() == Some(source))
            .cloned())
    }

    pub(crate) fn find_by_formatted_id(&self, formatted_id: &str) -> Option<Artifact> {
        let key = self.by_formatted_id.get(formatted_id)?;
        self.artifacts
            .get(key)
            .map(|record| record.artifact.clone())
    }

    /// Removes an artifact with its comments and attachments.
    pub(crate) fn delete(&mut self, id: &str) -> Result<()> {
        let key = self.existing_key(id)?;
        let record = self.artifacts.remove(&key).expect("checked above");
        self.by_change.remove(&(record.artifact.updated_at, key));
        self.by_formatted_id.remove(&record.artifact.formatted_id);
        self.mark_deleted(key);
        self.revision += 1;
        Ok(())
    }
}

/// Whether the artifact belongs to the scope.
pub(crate) fn in_scope(scope: &ArtifactScope, artifact: &Artifact) -> bool {
    scope.projects.contains(&artifact.project)
        && (scope.artifact_types.is_empty()
            || scope.artifact_types.contains(&artifact.artifact_type))
}

/// A refusal of input that is not about one field.
pub(crate) fn invalid_input(message: impl Into<String>) -> ConnectorError {
    ConnectorError::new(ErrorClass::InvalidValue, message)
}

/// Refuses a write expecting another version than the artifact's.
pub(crate) fn check_version(current: &Artifact, expected_version: Option<&str>) -> Result<()> {
    ConnectorError::check_version(
        format_args!("artifact '{}'", current.id),
        &current.version,
        expected_version,
    )
}
