//! A two-sided integration between two fresh memory trackers on an in-memory store.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hub_connector::Registry;
use hub_connector::memory::{self, MemoryTracker};
use hub_domain::IntegrationId;
use hub_domain::collection::{Collection, CollectionSource};
use hub_domain::filter::ArtifactFilter;
use hub_domain::integration::{
    ChangeDetection, ConflictStrategy, FieldFlow, Integration, IntegrationExtensions,
    IntegrationStyle, Side,
};
use hub_domain::mapping::{FieldMapping, Mapping, Transform};
use hub_domain::model::{FieldType, Model, ModelField};
use hub_domain::repository::Repository;
use hub_engine::{Engine, EngineOptions};
use hub_store::Store;

/// Model fields mapped one to one onto the memory tracker's fields of the same name.
pub const FIELDS: &[(&str, FieldType)] = &[
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
    ("related", FieldType::Relationships),
    ("links", FieldType::WebLinks),
];

pub struct Setup {
    pub engine: Engine,
    pub store: Store,
    pub integration: IntegrationId,
    pub left: Arc<MemoryTracker>,
    pub right: Arc<MemoryTracker>,
}

static NEXT: AtomicU64 = AtomicU64::new(0);

pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

fn options(name: &str) -> Vec<String> {
    match name {
        "priority" => ["low", "normal", "high", "urgent"]
            .map(String::from)
            .to_vec(),
        "labels" => ["backend", "frontend", "docs", "security", "performance"]
            .map(String::from)
            .to_vec(),
        "status" => ["new", "in_progress", "resolved", "closed", "rejected"]
            .map(String::from)
            .to_vec(),
        _ => vec![],
    }
}

pub struct Config {
    pub strategy: ConflictStrategy,
    pub flows: BTreeMap<String, FieldFlow>,
    pub comment_flow: FieldFlow,
    pub attachment_flow: FieldFlow,
    pub attachment_max_bytes: Option<u64>,
    pub time_entry_flow: FieldFlow,
    pub left_settings: serde_json::Value,
    pub right_settings: serde_json::Value,
    pub filters: Vec<ArtifactFilter>,
    pub mirror_projects: Option<Side>,
    /// Model fields beyond [`FIELDS`], mapped one to one like them (e.g. `assignee`, `status`).
    pub extra_fields: Vec<(&'static str, FieldType)>,
    pub extensions: IntegrationExtensions,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            strategy: ConflictStrategy::MostRecentWins,
            flows: BTreeMap::new(),
            comment_flow: FieldFlow::Both,
            attachment_flow: FieldFlow::Both,
            attachment_max_bytes: None,
            time_entry_flow: FieldFlow::None,
            left_settings: serde_json::Value::Null,
            right_settings: serde_json::Value::Null,
            filters: Vec::new(),
            mirror_projects: None,
            extensions: Default::default(),
            extra_fields: Vec::new(),
        }
    }
}

pub async fn setup(config: Config) -> Setup {
    setup_on(Store::open("sqlite::memory:").await.unwrap(), config).await
}

pub async fn setup_on(store: Store, config: Config) -> Setup {
    store.migrate().await.unwrap();
    let model = Model {
        id: None,
        name: unique("model"),
        fields: FIELDS
            .iter()
            .chain(&config.extra_fields)
            .map(|(name, t)| ModelField {
                name: (*name).into(),
                field_type: *t,
                required: false,
                options: options(name),
            })
            .collect(),
    };
    let model = store.create_model(&model).await.unwrap().id.unwrap();
    let mut collections = Vec::new();
    let mut trackers = Vec::new();
    for (side, extra) in [
        ("left", &config.left_settings),
        ("right", &config.right_settings),
    ] {
        let instance = unique(side);
        let tracker = memory::instance(&instance);
        tracker.create_project("P", "Project P").ok();
        let mut settings = serde_json::json!({ "instance": instance });
        if let serde_json::Value::Object(more) = extra {
            for (k, v) in more {
                settings[k] = v.clone();
            }
        }
        let repo = Repository {
            id: None,
            name: unique(side),
            connector: "memory".into(),
            url: String::new(),
            settings,
            credential: None,
            proxy: None,
            enabled: true,
            rate_limit_per_minute: None,
        };
        let repo = store.create_repository(&repo).await.unwrap().id.unwrap();
        let collection = Collection {
            id: None,
            name: unique(side),
            source: CollectionSource::Repository {
                repository: repo,
                projects: vec!["P".into()],
                artifact_types: vec!["bug".into(), "task".into()],
            },
            model,
        };
        let collection = store
            .create_collection(&collection)
            .await
            .unwrap()
            .id
            .unwrap();
        let mapping = Mapping {
            collection,
            model,
            fields: FIELDS
                .iter()
                .chain(&config.extra_fields)
                .map(|(name, _)| FieldMapping {
                    collection_field: (*name).into(),
                    model_field: (*name).into(),
                    to_model: Transform::Copy,
                    from_model: Transform::Copy,
                })
                .collect(),
        };
        store.put_mapping(&mapping).await.unwrap();
        collections.push(collection);
        trackers.push(tracker);
    }
    let integration = Integration {
        id: None,
        name: unique("integration"),
        style: IntegrationStyle::WorkItemSync,
        left: collections[0],
        right: collections[1],
        running: true,
        routes: vec![],
        field_flows: config.flows,
        comment_flow: config.comment_flow,
        attachment_flow: config.attachment_flow,
        attachment_max_bytes: config.attachment_max_bytes,
        time_entry_flow: config.time_entry_flow,
        filters: config.filters,
        mirror_projects: config.mirror_projects,
        extensions: config.extensions,
        conflict_strategy: config.strategy,
        change_detection: ChangeDetection {
            interval_seconds: Some(1),
            ..Default::default()
        },
    };
    let integration = store
        .create_integration(&integration)
        .await
        .unwrap()
        .id
        .unwrap();
    let options = EngineOptions {
        retry_base: Duration::from_millis(1),
        retry_cap: Duration::from_millis(1),
        idle_poll: Duration::from_millis(10),
        ..Default::default()
    };
    let engine = Engine::new(store.clone(), Registry::builtin(), options);
    assert_eq!(engine.load_running().await.unwrap(), vec![integration]);
    let right = trackers.pop().unwrap();
    let left = trackers.pop().unwrap();
    Setup {
        engine,
        store,
        integration,
        left,
        right,
    }
}

/// Runs detection and processing until nothing is left to do.
pub async fn settle(setup: &Setup) -> usize {
    setup.engine.run_until_idle(20).await.unwrap()
}

/// Every artifact on either side is paired, and each pair holds the same values, comments and
/// attachments on both sides (relationships compared through the pairs).
pub async fn assert_converged(setup: &Setup) {
    let pairs = setup
        .store
        .pairs_after(setup.integration, 0, 1_000_000)
        .await
        .unwrap();
    let left = setup.left.snapshot();
    let right = setup.right.snapshot();
    assert_eq!(pairs.len(), left.len(), "every left artifact is paired");
    assert_eq!(pairs.len(), right.len(), "every right artifact is paired");
    let to_right: BTreeMap<String, String> = pairs
        .iter()
        .map(|p| (p.left.artifact.id.clone(), p.right.artifact.id.clone()))
        .collect();
    for pair in &pairs {
        let l = left
            .iter()
            .find(|a| a.artifact.id == pair.left.artifact.id)
            .expect("left artifact exists");
        let r = right
            .iter()
            .find(|a| a.artifact.id == pair.right.artifact.id)
            .expect("right artifact exists");
        for (field, _) in FIELDS {
            let mut lv = l
                .artifact
                .fields
                .get(*field)
                .cloned()
                .unwrap_or(hub_domain::model::FieldValue::Null);
            let rv = r
                .artifact
                .fields
                .get(*field)
                .cloned()
                .unwrap_or(hub_domain::model::FieldValue::Null);
            if let hub_domain::model::FieldValue::Links(ids) = &lv {
                lv = hub_domain::model::FieldValue::Links(
                    ids.iter().map(|i| to_right[i].clone()).collect(),
                )
                .normalized();
            }
            assert_eq!(
                canon(lv),
                canon(rv),
                "field {field} of {} / {}",
                l.artifact.formatted_id,
                r.artifact.formatted_id
            );
        }
        let bodies = |c: &[hub_connector::types::Comment]| {
            let mut b: Vec<String> = c.iter().map(|c| c.body.clone()).collect();
            b.sort();
            b
        };
        assert_eq!(
            bodies(&l.comments),
            bodies(&r.comments),
            "comments of {}",
            l.artifact.formatted_id
        );
        let names = |a: &[hub_connector::types::Attachment]| {
            let mut n: Vec<(String, u64)> =
                a.iter().map(|a| (a.file_name.clone(), a.size)).collect();
            n.sort();
            n
        };
        assert_eq!(
            names(&l.attachments),
            names(&r.attachments),
            "attachments of {}",
            l.artifact.formatted_id
        );
    }
}

/// Values as compared across trackers: set-like values sorted, empty values as no value,
/// decimals without redundant zeros.
fn canon(value: hub_domain::model::FieldValue) -> hub_domain::model::FieldValue {
    use hub_domain::model::FieldValue as V;
    match value.normalized() {
        V::Options(v) | V::Links(v) if v.is_empty() => V::Null,
        V::Persons(v) if v.is_empty() => V::Null,
        V::WebLinks(v) if v.is_empty() => V::Null,
        V::Text(t) if t.is_empty() => V::Null,
        hub_domain::model::FieldValue::Decimal(d) if d.contains('.') => {
            hub_domain::model::FieldValue::Decimal(
                d.trim_end_matches('0').trim_end_matches('.').to_owned(),
            )
        }
        other => other,
    }
}
