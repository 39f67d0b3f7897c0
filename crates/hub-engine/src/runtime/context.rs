//! An integration resolved for running: its configuration loaded from the store, a connector per
//! side, the mapping of each side and the field types its tracker reports.
//!
//! Built once when the engine starts (and again when configuration changes), so processing an
//! activity touches the store only for the pair and the queue.

use std::collections::BTreeMap;
use std::sync::Arc;

use hub_connector::types::{ArtifactScope, ConnectionSettings};
use hub_connector::{Capability, Connector, Registry};
use hub_domain::collection::CollectionSource;
use hub_domain::integration::{Integration, Side};
use hub_domain::mapping::Mapping;
use hub_domain::model::{FieldType, Model};
use hub_domain::{IntegrationId, RepositoryId};
use hub_store::Store;

use super::error::{OnSide, SyncError};
use crate::EffectiveChangeDetection;

/// One side of a running integration.
pub struct SideRuntime {
    /// Which side.
    pub side: Side,
    /// Its repository.
    pub repository: RepositoryId,
    /// Its collection.
    pub collection: hub_domain::CollectionId,
    /// The connector to its tracker.
    pub connector: Arc<dyn Connector>,
    /// Projects and artifact types covered.
    pub scope: ArtifactScope,
    /// Collection fields to model fields.
    pub mapping: Mapping,
    /// The tracker's field types by field id.
    pub field_types: BTreeMap<String, FieldType>,
    /// Whether created artifacts, comments and attachments can carry their source identity.
    pub tags_source: bool,
    /// The tracker rejects a write based on a stale version, so the version a write returns
    /// holds nothing but that write (and may be skipped by change detection).
    pub optimistic_locking: bool,
    /// How finely its versions tell changes apart (second looks, see `second_look`).
    pub version_resolution: hub_connector::VersionResolution,
    /// Whether persons can be searched (for reconciliation).
    pub persons: bool,
    /// The tracker field holding the workflow state, moved only through transitions.
    pub state_field: Option<&'static str>,
    /// Whether comments can be read and written.
    pub comments: bool,
    /// Whether attachments can be read and written.
    pub attachments: bool,
    /// The repository's event rate limit, per minute.
    pub rate_limit_per_minute: Option<u32>,
}

impl SideRuntime {
    /// `"left"` or `"right"`, for messages.
    pub fn name(&self) -> &'static str {
        self.side.as_str()
    }

    /// Whether an artifact of `project` and `artifact_type` belongs to the collection.
    pub fn covers(&self, project: &str, artifact_type: &str) -> bool {
        self.scope.projects.iter().any(|p| p == project)
            && (self.scope.artifact_types.is_empty()
                || self.scope.artifact_types.iter().any(|t| t == artifact_type))
    }
}

/// A running integration.
pub struct IntegrationRuntime {
    /// Its configuration.
    pub integration: Integration,
    /// Its id.
    pub id: IntegrationId,
    /// The common model.
    pub model: Model,
    /// Left side.
    pub left: SideRuntime,
    /// Right side.
    pub right: SideRuntime,
    /// How changes are detected.
    pub detection: EffectiveChangeDetection,
    /// One worker at a time per pair.
    pub pair_locks: super::pair_lock::PairLocks,
    /// Persons found in the target repositories.
    pub people: super::people_cache::PeopleCache,
    /// Workflows read from the trackers.
    pub workflows: super::states::WorkflowCache,
    /// How long each side's change-detection watermark has stood still (shared with the
    /// runtimes this one replaces and will be replaced by).
    pub settling: std::sync::Arc<super::detect::Settling>,
    /// The host that runs the integration's extensions, when the engine has one.
    pub extensions: Option<hub_extensions::ExtensionHost>,
}

impl IntegrationRuntime {
    /// Loads and resolves an integration.
    pub async fn load(
        store: &Store,
        registry: &Registry,
        integration: Integration,
        detection: EffectiveChangeDetection,
    ) -> Result<Self, SyncError> {
        let id = integration
            .id
            .ok_or_else(|| SyncError::Configuration("integration has no id".into()))?;
        let left_collection = store.collection(integration.left).await?;
        let model = store.model(left_collection.model).await?;
        let filter_problems: Vec<String> = integration
            .filters
            .iter()
            .filter_map(|f| f.problem(&model))
            .collect();
        if !filter_problems.is_empty() {
            return Err(SyncError::InvalidFilter(filter_problems.join("; ")));
        }
        let left = load_side(store, registry, &model, Side::Left, integration.left).await?;
        let right = load_side(store, registry, &model, Side::Right, integration.right).await?;
        Ok(Self {
            integration,
            id,
            model,
            left,
            right,
            detection,
            pair_locks: Default::default(),
            people: Default::default(),
            workflows: Default::default(),
            settling: Default::default(),
            extensions: None,
        })
    }

    /// One side.
    pub fn side(&self, side: Side) -> &SideRuntime {
        match side {
            Side::Left => &self.left,
            Side::Right => &self.right,
        }
    }

    /// Which side an artifact of `repository` is on. When both sides use one repository the
    /// project decides (see [`SideRuntime::covers`]); `None` when it is on neither.
    pub fn side_of(&self, repository: RepositoryId) -> Option<Side> {
        if self.left.repository == repository {
            Some(Side::Left)
        } else if self.right.repository == repository {
            Some(Side::Right)
        } else {
            None
        }
    }

    /// The project on side `to` that artifacts of `project` on the other side go to.
    pub fn route(&self, to: Side, project: &str) -> Option<String> {
        let routes = &self.integration.routes;
        if routes.is_empty() {
            let scope = &self.side(to).scope.projects;
            return if scope.iter().any(|p| p == project) {
                Some(project.to_owned())
            } else {
                scope.first().cloned()
            };
        }
        routes.iter().find_map(|r| match to {
            Side::Right if r.left == project => Some(r.right.clone()),
            Side::Left if r.right == project => Some(r.left.clone()),
            _ => None,
        })
    }
}

async fn load_side(
    store: &Store,
    registry: &Registry,
    model: &Model,
    side: Side,
    collection_id: hub_domain::CollectionId,
) -> Result<SideRuntime, SyncError> {
    let collection = store.collection(collection_id).await?;
    let CollectionSource::Repository {
        repository,
        projects,
        artifact_types,
    } = collection.source
    else {
        return Err(SyncError::Configuration(format!(
            "collection '{}' is not a repository collection",
            collection.name
        )));
    };
    let repo = store.repository(repository).await?;
    let mapping = store
        .mapping(collection_id, model.id.unwrap_or(collection.model))
        .await?
        .ok_or_else(|| {
            SyncError::Configuration(format!("collection '{}' has no mapping", collection.name))
        })?;
    let settings = ConnectionSettings {
        url: repo.url.clone(),
        settings: repo.settings.clone(),
        username: None,
        secret: None,
    };
    let name = side.as_str();
    let connector = registry.build(&repo.connector, &settings).on(name)?;
    let project = projects.first().cloned().unwrap_or_default();
    let artifact_type = artifact_types.first().cloned().unwrap_or_default();
    let schema = connector.schema(&project, &artifact_type).await.on(name)?;
    let descriptor = connector.descriptor();
    Ok(SideRuntime {
        side,
        repository,
        collection: collection_id,
        tags_source: descriptor.can(Capability::SourceIdentity),
        optimistic_locking: descriptor.can(Capability::OptimisticLocking),
        persons: descriptor.can(Capability::Persons),
        version_resolution: descriptor.version_resolution,
        state_field: connector.state_field(),
        comments: descriptor.can(Capability::Comments),
        attachments: descriptor.can(Capability::Attachments),
        connector,
        rate_limit_per_minute: repo.rate_limit_per_minute,
        scope: ArtifactScope {
            projects,
            artifact_types,
        },
        mapping,
        field_types: schema
            .fields
            .into_iter()
            .map(|f| (f.id, f.field_type))
            .collect(),
    })
}
