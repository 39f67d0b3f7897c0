//! Embedding the Syncline engine in another Rust program: a store, the built-in connector
//! registry (add your own kinds with `Registry::register`), configuration written through the
//! store, and the engine started in the background until both trackers agree.
//!
//! Run with `cargo run -p hub-engine --example embed`. The test suite runs it too.

use std::time::Duration;

use hub_connector::Registry;
use hub_connector::memory;
use hub_domain::collection::{Collection, CollectionSource};
use hub_domain::integration::{
    ChangeDetection, ConflictStrategy, FieldFlow, Integration, IntegrationStyle,
};
use hub_domain::mapping::{FieldMapping, Mapping, Transform};
use hub_domain::model::{FieldType, Model, ModelField};
use hub_domain::repository::Repository;
use hub_engine::{Engine, EngineOptions};
use hub_store::Store;

/// Sets up two memory trackers and an integration, syncs, and returns (left, right) counts.
pub async fn run(
    store_url: &str,
    instance_prefix: &str,
) -> Result<(usize, usize), Box<dyn std::error::Error>> {
    let store = Store::open(store_url).await?;
    store.migrate().await?;

    let fields = [
        ("summary", FieldType::String),
        ("description", FieldType::RichText),
    ];
    let model = store
        .create_model(&Model {
            id: None,
            name: "Work item".into(),
            fields: fields
                .iter()
                .map(|(n, t)| ModelField {
                    name: (*n).into(),
                    field_type: *t,
                    required: false,
                    options: vec![],
                })
                .collect(),
        })
        .await?;
    let model_id = model.id.expect("saved");

    let mut collections = Vec::new();
    for side in ["left", "right"] {
        let instance = format!("{instance_prefix}-{side}");
        memory::instance(&instance).create_project("DEMO", "Demo")?;
        let repository = store
            .create_repository(&Repository {
                id: None,
                name: format!("{side} tracker"),
                connector: "memory".into(),
                url: String::new(),
                settings: serde_json::json!({ "instance": instance }),
                credential: None,
                proxy: None,
                enabled: true,
                rate_limit_per_minute: None,
            })
            .await?;
        let collection = store
            .create_collection(&Collection {
                id: None,
                name: format!("{side} work items"),
                source: CollectionSource::Repository {
                    repository: repository.id.expect("saved"),
                    projects: vec!["DEMO".into()],
                    artifact_types: vec!["bug".into(), "task".into()],
                },
                model: model_id,
            })
            .await?;
        let collection_id = collection.id.expect("saved");
        let lines = fields
            .iter()
            .map(|(n, _)| FieldMapping {
                collection_field: (*n).into(),
                model_field: (*n).into(),
                to_model: Transform::Copy,
                from_model: Transform::Copy,
            })
            .collect();
        store
            .put_mapping(&Mapping {
                collection: collection_id,
                model: model_id,
                fields: lines,
            })
            .await?;
        collections.push(collection_id);
    }
    store
        .create_integration(&Integration {
            id: None,
            name: "left <-> right".into(),
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
            change_detection: ChangeDetection {
                interval_seconds: Some(1),
                ..Default::default()
            },
        })
        .await?;

    let left = memory::instance(&format!("{instance_prefix}-left"));
    let right = memory::instance(&format!("{instance_prefix}-right"));
    left.seed("DEMO", 25, 1)?;
    right.seed("DEMO", 5, 2)?;

    let engine = Engine::new(store.clone(), Registry::builtin(), EngineOptions::default());
    let handle = engine.start().await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while right.snapshot().len() < 30 || left.snapshot().len() < 30 {
        if tokio::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    handle.stop().await;
    Ok((left.snapshot().len(), right.snapshot().len()))
}

#[allow(dead_code)] // the test suite includes this file as a module and calls `run` only
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (left, right) = run("sqlite::memory:", "embed-example").await?;
    println!("left tracker: {left} artifacts, right tracker: {right} artifacts");
    if left == right {
        Ok(())
    } else {
        Err("the trackers did not converge".into())
    }
}
