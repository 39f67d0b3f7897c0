//! The integration every measurement runs: two memory trackers with one project each, a model of
//! ten plain fields mapped one to one on both sides, comments and attachments flowing both ways,
//! hub defaults everywhere else ([`EngineOptions::default`], default change detection).
//!
//! Relationship and person fields are left out of the model on purpose: they make the engine look
//! up other pairs and retry until twins exist, which measures the order artifacts arrive in rather
//! than the engine.

use std::path::Path;
use std::sync::Arc;

use hub_connector::Registry;
use hub_connector::memory::{self, MemoryTracker};
use hub_domain::IntegrationId;
use hub_domain::collection::{Collection, CollectionSource};
use hub_domain::integration::{
    ChangeDetection, ConflictStrategy, FieldFlow, Integration, IntegrationStyle, Side,
};
use hub_domain::mapping::{FieldMapping, Mapping, Transform};
use hub_domain::model::{FieldType, Model, ModelField};
use hub_domain::repository::Repository;
use hub_domain::{CollectionId, RepositoryId};
use hub_engine::{Engine, EngineOptions};
use hub_store::Store;

use crate::Result;

/// The project both trackers hold.
pub const PROJECT: &str = "P";

/// Model fields, each mapped onto the memory tracker's field of the same name.
pub const FIELDS: [(&str, FieldType); 10] = [
    ("summary", FieldType::String),
    ("description", FieldType::RichText),
    ("priority", FieldType::SingleSelect),
    ("labels", FieldType::MultiSelect),
    ("blocking", FieldType::Boolean),
    ("story_points", FieldType::Integer),
    ("cost", FieldType::Decimal),
    ("due_date", FieldType::Date),
    ("next_review", FieldType::DateTime),
    ("time_spent", FieldType::Duration),
];

/// A store with the integration loaded in an engine, and the trackers on both sides.
pub struct Bench {
    /// The engine, with the integration loaded.
    pub engine: Engine,
    /// The store (shares the engine's pool).
    pub store: Store,
    /// The integration.
    pub integration: IntegrationId,
    /// Repository of each side, left first.
    pub repositories: [RepositoryId; 2],
    /// Left tracker.
    pub left: Arc<MemoryTracker>,
    /// Right tracker.
    pub right: Arc<MemoryTracker>,
}

/// Opens a SQLite file store in `dir` (WAL, as the hub opens its embedded store), or the store
/// at `url`, and migrates it.
pub async fn open(dir: &Path, url: Option<&str>) -> Result<Store> {
    let url = match url {
        Some(url) => url.to_owned(),
        None => hub_store::sqlite_url_for(dir),
    };
    let store = Store::open(&url).await?;
    store.migrate().await?;
    Ok(store)
}

fn options(field: &str) -> Vec<String> {
    let list: &[&str] = match field {
        "priority" => &memory::schema::PRIORITIES,
        "labels" => &memory::schema::LABELS,
        _ => &[],
    };
    list.iter().map(|o| (*o).to_owned()).collect()
}

/// Configures the integration on a fresh store, with fresh trackers named after this process.
pub async fn create(store: Store) -> Result<Bench> {
    let model = Model {
        id: None,
        name: "Work item".into(),
        fields: FIELDS
            .iter()
            .map(|(name, field_type)| ModelField {
                name: (*name).into(),
                field_type: *field_type,
                required: false,
                options: options(name),
            })
            .collect(),
    };
    let model = store.create_model(&model).await?.id.ok_or("model id")?;
    let mut collections: Vec<CollectionId> = Vec::new();
    for side in ["left", "right"] {
        let instance = format!("bench-{}-{side}", std::process::id());
        memory::instance(&instance).create_project(PROJECT, "Project P")?;
        let repository = Repository {
            id: None,
            name: format!("{side} tracker"),
            connector: memory::KIND.into(),
            url: String::new(),
            settings: serde_json::json!({ "instance": instance }),
            credential: None,
            proxy: None,
            enabled: true,
            rate_limit_per_minute: None,
        };
        let repository = store
            .create_repository(&repository)
            .await?
            .id
            .ok_or("repository id")?;
        let collection = Collection {
            id: None,
            name: format!("{side} work items"),
            source: CollectionSource::Repository {
                repository,
                projects: vec![PROJECT.into()],
                artifact_types: vec!["bug".into(), "task".into()],
            },
            model,
        };
        let collection = store
            .create_collection(&collection)
            .await?
            .id
            .ok_or("collection id")?;
        let mapping = Mapping {
            collection,
            model,
            fields: FIELDS
                .iter()
                .map(|(name, _)| FieldMapping {
                    collection_field: (*name).into(),
                    model_field: (*name).into(),
                    to_model: Transform::Copy,
                    from_model: Transform::Copy,
                })
                .collect(),
        };
        store.put_mapping(&mapping).await?;
        collections.push(collection);
    }
    let integration = Integration {
        id: None,
        name: "bench left <-> right".into(),
        style: IntegrationStyle::WorkItemSync,
        left: collections[0],
        right: collections[1],
        running: true,
        routes: vec![],
        field_flows: Default::default(),
        comment_flow: FieldFlow::Both,
        attachment_flow: FieldFlow::Both,
        attachment_max_bytes: None,
        time_entry_flow: FieldFlow::None,
        filters: Vec::new(),
        mirror_projects: None,
        extensions: Default::default(),
        conflict_strategy: ConflictStrategy::MostRecentWins,
        change_detection: ChangeDetection::default(),
    };
    store.create_integration(&integration).await?;
    load(store).await
}

/// Loads the (only) integration of a store set up by [`create`], reaching its trackers by the
/// instance names in the repositories' settings (empty trackers in a new process).
pub async fn load(store: Store) -> Result<Bench> {
    let configs: Vec<Integration> = store
        .integrations()
        .await?
        .into_iter()
        .filter(|i| i.running)
        .collect();
    let [config] = &configs[..] else {
        return Err(format!("expected one running integration, found {}", configs.len()).into());
    };
    let integration = config.id.ok_or("integration without id")?;
    let mut repositories = Vec::new();
    let mut trackers = Vec::new();
    for (side, collection) in [(Side::Left, config.left), (Side::Right, config.right)] {
        let CollectionSource::Repository { repository, .. } =
            store.collection(collection).await?.source
        else {
            return Err(format!("{side:?} collection is not a repository collection").into());
        };
        let settings = store.repository(repository).await?.settings;
        let instance = settings["instance"]
            .as_str()
            .ok_or("memory repository without an instance")?;
        let tracker = memory::instance(instance);
        // The engine reads the project's schema when it loads the integration: a tracker new
        // in this process needs the project first (one that has it refuses, which is fine).
        tracker.create_project(PROJECT, "Project P").ok();
        repositories.push(repository);
        trackers.push(tracker);
    }
    let engine = Engine::new(store.clone(), Registry::builtin(), EngineOptions::default());
    let loaded = engine.load_running().await?;
    if loaded != [integration] {
        let blockers = store.blockers().await?;
        return Err(format!("the engine did not load the integration: {blockers:?}").into());
    }
    let right = trackers.pop().ok_or("right tracker")?;
    let left = trackers.pop().ok_or("left tracker")?;
    Ok(Bench {
        engine,
        store,
        integration,
        repositories: [repositories[0], repositories[1]],
        left,
        right,
    })
}

/// Points the right repository at the left repository's tracker, so both sides of the
/// integration read one tracker: the engine still sees two repositories (pairs, activities and
/// watermarks are per side), while the artifacts are held in memory once.
pub async fn share_left_tracker(store: &Store) -> Result<()> {
    let config = store
        .integrations()
        .await?
        .into_iter()
        .find(|i| i.running)
        .ok_or("no running integration")?;
    let mut repositories = Vec::new();
    for collection in [config.left, config.right] {
        let CollectionSource::Repository { repository, .. } =
            store.collection(collection).await?.source
        else {
            return Err("not a repository collection".into());
        };
        repositories.push(store.repository(repository).await?);
    }
    let instance = repositories[0].settings["instance"].clone();
    let mut right = repositories.pop().ok_or("right repository")?;
    right.settings["instance"] = instance;
    store.update_repository(&right).await?;
    Ok(())
}

/// Sizes of the SQLite database file and its WAL and shared-memory files, in bytes (0 when
/// missing). Call after the store is closed: closing checkpoints the WAL into the database.
pub fn sqlite_files(dir: &Path) -> Result<(u64, u64, u64)> {
    let db = dir.join("syncline.db");
    let size = |suffix: &str| {
        let mut path = db.clone().into_os_string();
        path.push(suffix);
        std::fs::metadata(&path).map_or(0, |m| m.len())
    };
    Ok((size(""), size("-wal"), size("-shm")))
}
