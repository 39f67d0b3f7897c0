//! The API over a real (in-memory) store, request by request.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use hub_api::{HubContext, Lifecycle, LogFilter, Phase, TroubleshootingSwitch, router};
use hub_domain::pair::ArtifactRef;
use hub_domain::{IntegrationId, RepositoryId};
use hub_engine::EngineMode;
use hub_store::Store;
use tower::ServiceExt;

struct NoFilter;

impl LogFilter for NoFilter {
    fn apply(&self, _: &str) -> Result<(), String> {
        Ok(())
    }
}

async fn context(mode: EngineMode) -> HubContext {
    let store = Store::open("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let lifecycle = Lifecycle::default();
    lifecycle.set(Phase::Running);
    let engine = hub_engine::Engine::new(
        store.clone(),
        hub_connector::Registry::builtin(),
        Default::default(),
    );
    HubContext {
        engine: Some(engine),
        store,
        lifecycle,
        mode,
        extension_log: Some(Arc::new(hub_extensions::MemoryLog::new(100))),
        troubleshooting: TroubleshootingSwitch::new(Arc::new(NoFilter), "info"),
    }
}

async fn call(ctx: &HubContext, method: &str, uri: &str) -> (StatusCode, serde_json::Value) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::empty())
        .unwrap();
    let response = router(ctx.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

#[tokio::test]
async fn health_is_503_while_starting_and_200_once_running() {
    let ctx = context(EngineMode::Normal).await;
    ctx.lifecycle.set(Phase::Starting);
    let (status, report) = call(&ctx, "GET", "/api/health").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(report["healthy"], false);
    ctx.lifecycle.set(Phase::Running);
    assert_eq!(call(&ctx, "GET", "/api/health").await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_hub_wide_blocker_fails_activities_can_process() {
    let ctx = context(EngineMode::Normal).await;
    ctx.store
        .raise_blocker(
            hub_domain::blocker::BlockerScope::Hub,
            hub_domain::ErrorCode::error(30018),
            "no license",
        )
        .await
        .unwrap();
    let (status, report) = call(&ctx, "GET", "/api/health").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "activitiesCanProcess")
        .unwrap();
    assert_eq!(check["status"], "fail");
    let (_, blockers) = call(&ctx, "GET", "/api/blockers").await;
    assert_eq!(blockers.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn activities_are_listed_filtered_and_acted_on() {
    let ctx = context(EngineMode::Normal).await;
    // An integration needs collections; the store suite covers that, here we only need ids.
    let integration = hub_store_fixture(&ctx.store).await;
    let artifact = ArtifactRef {
        repository: RepositoryId(1),
        id: "A-1".into(),
    };
    ctx.store
        .enqueue_changes(integration, &[artifact])
        .await
        .unwrap();
    let (status, list) = call(&ctx, "GET", "/api/activities?state=pending").await;
    assert_eq!(status, StatusCode::OK);
    let id = list[0]["id"].as_i64().unwrap();
    let (status, ignored) = call(&ctx, "POST", &format!("/api/activities/{id}/ignore")).await;
    assert_eq!(
        (status, ignored["state"].as_str()),
        (StatusCode::OK, Some("ignored"))
    );
    let (status, error) = call(&ctx, "POST", &format!("/api/activities/{id}/prioritize")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert!(error["code"].as_str().unwrap().starts_with("SYN-"));
    let (status, _) = call(&ctx, "GET", "/api/activities?state=sideways").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, integrations) = call(&ctx, "GET", "/api/integrations").await;
    assert_eq!(integrations[0]["activities"]["ignored"], 1);
    let (status, pairs) = call(
        &ctx,
        "GET",
        &format!("/api/integrations/{}/pairs", integration.0),
    )
    .await;
    assert_eq!(
        (status, pairs.as_array().map(Vec::len)),
        (StatusCode::OK, Some(0))
    );
}

async fn hub_store_fixture(store: &Store) -> IntegrationId {
    use hub_domain::collection::{Collection, CollectionSource};
    use hub_domain::integration::{ConflictStrategy, FieldFlow, Integration, IntegrationStyle};
    use hub_domain::model::{FieldType, Model, ModelField};
    use hub_domain::repository::Repository;
    let model = Model {
        id: None,
        name: "M".into(),
        fields: vec![ModelField {
            name: "s".into(),
            field_type: FieldType::String,
            required: false,
            options: vec![],
        }],
    };
    let model = store.create_model(&model).await.unwrap().id.unwrap();
    let mut sides = Vec::new();
    for name in ["L", "R"] {
        let repo = Repository {
            id: None,
            name: name.into(),
            connector: "memory".into(),
            url: String::new(),
            settings: serde_json::Value::Null,
            credential: None,
            proxy: None,
            enabled: true,
            rate_limit_per_minute: None,
        };
        let repository = store.create_repository(&repo).await.unwrap().id.unwrap();
        let source = CollectionSource::Repository {
            repository,
            projects: vec!["P".into()],
            artifact_types: vec!["bug".into()],
        };
        let c = Collection {
            id: None,
            name: format!("{name}C"),
            source,
            model,
        };
        sides.push(store.create_collection(&c).await.unwrap().id.unwrap());
    }
    let integration = Integration {
        id: None,
        name: "I".into(),
        style: IntegrationStyle::WorkItemSync,
        left: sides[0],
        right: sides[1],
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
        change_detection: Default::default(),
    };
    store
        .create_integration(&integration)
        .await
        .unwrap()
        .id
        .unwrap()
}

#[tokio::test]
async fn saved_extensions_and_their_log_are_listed_and_the_log_filters() {
    use hub_extensions::{CallTags, ExtensionLog, LogEntry};
    let ctx = context(EngineMode::Normal).await;
    ctx.store
        .save_extension(&hub_store::extensions::NewExtension {
            name: "Shout".into(),
            kind: "data_transformation".into(),
            source: "function transform(c, i) { return i[0]; }".into(),
            description: None,
        })
        .await
        .unwrap();
    let log = ctx.extension_log.clone().unwrap();
    for (artifact, message) in [("DEMO-1", "first"), ("DEMO-2", "second")] {
        log.write(LogEntry {
            at: chrono::Utc::now(),
            extension: "Shout".into(),
            tags: CallTags {
                integration: Some("1".into()),
                artifact: Some(artifact.into()),
            },
            message: message.into(),
        });
    }
    let (status, body) = call(&ctx, "GET", "/api/extensions").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body[0]["name"], "Shout");
    assert_eq!(body[0]["kind"], "data_transformation");

    let (status, body) = call(&ctx, "GET", "/api/extensions/log?artifact=DEMO-2").await;
    assert_eq!(status, StatusCode::OK);
    let messages: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages, ["second"]);
    let (_, all) = call(&ctx, "GET", "/api/extensions/log?extension=Shout").await;
    assert_eq!(all.as_array().unwrap().len(), 2);
}
