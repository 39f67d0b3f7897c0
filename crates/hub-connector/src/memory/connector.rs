//! [`MemoryConnector`]: the [`Connector`] over a [`MemoryTracker`], with its own fault plan.
//!
//! Each call asks the fault plans (the connector's, then the tracker's) what happens, waits the
//! latency, fails before the call or runs it, and may fail after a write that did happen. The
//! tracker work itself is synchronous and short, so it runs directly on the async task.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use hub_domain::model::{FieldValue, PersonRef};

use super::faults::{CallKind, Decision, FaultInjector, FaultPlan};
use super::paging::DEFAULT_PAGE_SIZE;
use super::parts::PERSON_SEARCH_FIELDS;
use super::schema;
use super::state::TrackerState;
use super::tracker::MemoryTracker;
use crate::connector::{Connector, Result};
use crate::error::{ConnectorError, ErrorClass};
use crate::kind::{Capability, ConnectorDescriptor};
use crate::types::*;

/// Every capability; the memory tracker can do all a connector may.
pub const ALL_CAPABILITIES: [Capability; 11] = [
    Capability::Create,
    Capability::Update,
    Capability::OptimisticLocking,
    Capability::Comments,
    Capability::Attachments,
    Capability::TimeEntries,
    Capability::Relationships,
    Capability::Transitions,
    Capability::Persons,
    Capability::SourceIdentity,
    Capability::Containers,
];

/// A connection to a memory tracker.
#[derive(Debug)]
pub struct MemoryConnector {
    tracker: Arc<MemoryTracker>,
    faults: FaultInjector,
    page_size: usize,
    capabilities: Vec<Capability>,
}

impl MemoryConnector {
    /// A connector over `tracker` with every capability, no faults and pages of 500.
    pub fn new(tracker: Arc<MemoryTracker>) -> Self {
        Self {
            tracker,
            faults: FaultInjector::default(),
            page_size: DEFAULT_PAGE_SIZE,
            capabilities: ALL_CAPABILITIES.to_vec(),
        }
    }

    /// With a fault plan of its own.
    pub fn with_faults(self, plan: FaultPlan) -> Result<Self> {
        self.faults.set(plan)?;
        Ok(self)
    }

    /// With pages of `page_size` artifacts (at least 1).
    pub fn with_page_size(mut self, page_size: usize) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    /// Pretends to be a less capable tracker: calls needing any other capability answer
    /// `Unsupported`, as the trait's defaults do.
    pub fn with_capabilities(mut self, capabilities: &[Capability]) -> Self {
        self.capabilities = capabilities.to_vec();
        self
    }

    /// Replaces the connector's own fault plan.
    pub fn set_faults(&self, plan: FaultPlan) -> Result<()> {
        self.faults.set(plan)
    }

    /// The tracker behind the connector.
    pub fn tracker(&self) -> &Arc<MemoryTracker> {
        &self.tracker
    }

    /// Runs a read after the faults decided for `kind`.
    async fn read<T>(
        &self,
        kind: CallKind,
        read: impl FnOnce(&TrackerState) -> Result<T>,
    ) -> Result<T> {
        // Reads have no ambiguous outcome: only failures before the call apply.
        self.decide(kind).await?;
        self.tracker.read(read)
    }

    /// Runs a write after the faults decided for `kind`; an ambiguous fault fails it afterwards.
    async fn write<T>(
        &self,
        kind: CallKind,
        write: impl FnOnce(&mut TrackerState) -> Result<T>,
    ) -> Result<T> {
        let decision = self.decide(kind).await?;
        let value = self.tracker.write(write)?;
        decision.after.map_or(Ok(value), Err)
    }

    /// Asks both plans, sleeps the latency, fails if a failure comes before the call.
    async fn decide(&self, kind: CallKind) -> Result<Decision> {
        let mut decision = Decision::default();
        self.faults.decide(kind, &mut decision);
        self.tracker.faults.decide(kind, &mut decision);
        if !decision.latency.is_zero() {
            tokio::time::sleep(decision.latency).await;
        }
        match decision.before.take() {
            Some(failure) => Err(failure),
            None => Ok(decision),
        }
    }

    fn require(&self, capability: Capability) -> Result<()> {
        match self.capabilities.contains(&capability) {
            true => Ok(()),
            false => Err(ConnectorError::new(
                ErrorClass::Unsupported,
                format!("this memory connector is configured without {capability:?}"),
            )),
        }
    }
}

#[async_trait::async_trait]
impl Connector for MemoryConnector {
    fn descriptor(&self) -> ConnectorDescriptor {
        ConnectorDescriptor {
            kind: super::KIND,
            display_name: super::DISPLAY_NAME,
            capabilities: self.capabilities.clone(),
            version_resolution: crate::VersionResolution::Exact,
        }
    }

    async fn test_connection(&self) -> Result<()> {
        self.read(CallKind::TestConnection, |_| Ok(())).await
    }

    async fn projects(&self) -> Result<Vec<Project>> {
        self.read(CallKind::Projects, |s| Ok(s.projects())).await
    }

    async fn create_project(&self, key: &str, name: &str) -> Result<Project> {
        self.require(Capability::Containers)?;
        self.write(CallKind::CreateProject, |s| s.create_project(key, name))
            .await
    }

    async fn artifact_types(&self, project: &str) -> Result<Vec<ArtifactType>> {
        self.read(CallKind::ArtifactTypes, |s| s.check_project(project))
            .await?;
        Ok(schema::artifact_types())
    }

    async fn schema(&self, project: &str, artifact_type: &str) -> Result<Schema> {
        self.read(CallKind::Schema, |s| s.schema_of(project, artifact_type))
            .await
    }

    async fn changed_since(
        &self,
        scope: &ArtifactScope,
        since: Option<DateTime<Utc>>,
        page: Option<&str>,
    ) -> Result<ChangePage> {
        let size = self.page_size;
        self.read(CallKind::ChangedSince, |s| {
            s.changed_since(scope, since, page, size)
        })
        .await
    }

    async fn fetch(&self, id: &str) -> Result<Artifact> {
        self.read(CallKind::Fetch, |s| s.fetch(id)).await
    }

    async fn create(&self, artifact: &NewArtifact) -> Result<Artifact> {
        self.require(Capability::Create)?;
        if artifact.source.is_some() {
            self.require(Capability::SourceIdentity)?;
        }
        self.write(CallKind::Create, |s| s.create(artifact)).await
    }

    async fn update(
        &self,
        id: &str,
        expected_version: Option<&str>,
        fields: &BTreeMap<String, FieldValue>,
    ) -> Result<Artifact> {
        self.require(Capability::Update)?;
        if expected_version.is_some() {
            self.require(Capability::OptimisticLocking)?;
        }
        self.write(CallKind::Update, |s| s.update(id, expected_version, fields))
            .await
    }

    async fn find_by_source(
        &self,
        scope: &ArtifactScope,
        source: &str,
    ) -> Result<Option<Artifact>> {
        self.require(Capability::SourceIdentity)?;
        self.read(CallKind::FindBySource, |s| s.find_by_source(scope, source))
            .await
    }

    async fn find_by_formatted_id(&self, formatted_id: &str) -> Result<Option<Artifact>> {
        self.read(CallKind::FindByFormattedId, |s| {
            Ok(s.find_by_formatted_id(formatted_id))
        })
        .await
    }

    async fn comments(&self, id: &str) -> Result<Vec<Comment>> {
        self.require(Capability::Comments)?;
        self.read(CallKind::Comments, |s| s.comments(id)).await
    }

    async fn add_comment(&self, id: &str, comment: &NewComment) -> Result<Comment> {
        self.require(Capability::Comments)?;
        self.write(CallKind::AddComment, |s| s.add_comment(id, comment))
            .await
    }

    async fn attachments(&self, id: &str) -> Result<Vec<Attachment>> {
        self.require(Capability::Attachments)?;
        self.read(CallKind::Attachments, |s| s.attachments(id))
            .await
    }

    async fn download(&self, id: &str, attachment_id: &str) -> Result<Vec<u8>> {
        self.require(Capability::Attachments)?;
        self.read(CallKind::Download, |s| s.download(id, attachment_id))
            .await
    }

    async fn upload(&self, id: &str, attachment: &NewAttachment) -> Result<Attachment> {
        self.require(Capability::Attachments)?;
        self.write(CallKind::Upload, |s| s.upload(id, attachment))
            .await
    }

    async fn time_entries(&self, id: &str) -> Result<Vec<TimeEntry>> {
        self.require(Capability::TimeEntries)?;
        self.read(CallKind::TimeEntries, |s| s.time_entries(id))
            .await
    }

    async fn add_time_entry(&self, id: &str, entry: &NewTimeEntry) -> Result<TimeEntry> {
        self.require(Capability::TimeEntries)?;
        self.write(CallKind::AddTimeEntry, |s| s.add_time_entry(id, entry))
            .await
    }

    async fn transitions(&self, id: &str) -> Result<Vec<Transition>> {
        self.require(Capability::Transitions)?;
        self.read(CallKind::Transitions, |s| s.transitions(id))
            .await
    }

    fn state_field(&self) -> Option<&'static str> {
        Some(schema::STATUS)
    }

    async fn workflow(&self, project: &str, artifact_type: &str) -> Result<Vec<WorkflowEdge>> {
        self.require(Capability::Transitions)?;
        self.read(CallKind::Transitions, |s| {
            s.schema_of(project, artifact_type)
        })
        .await?;
        Ok(schema::workflow())
    }

    async fn perform_transition(
        &self,
        id: &str,
        expected_version: Option<&str>,
        transition_id: &str,
    ) -> Result<Artifact> {
        self.require(Capability::Transitions)?;
        if expected_version.is_some() {
            self.require(Capability::OptimisticLocking)?;
        }
        self.write(CallKind::PerformTransition, |s| {
            s.perform_transition(id, expected_version, transition_id)
        })
        .await
    }

    async fn person_search_fields(&self) -> Result<Vec<String>> {
        self.require(Capability::Persons)?;
        self.read(CallKind::PersonSearchFields, |_| {
            Ok(PERSON_SEARCH_FIELDS
                .iter()
                .map(|f| (*f).to_owned())
                .collect())
        })
        .await
    }

    async fn search_persons(&self, query: &PersonQuery) -> Result<Vec<PersonRef>> {
        self.require(Capability::Persons)?;
        self.read(CallKind::SearchPersons, |s| s.search_persons(query))
            .await
    }
}
