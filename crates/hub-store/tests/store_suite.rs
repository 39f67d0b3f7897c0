//! The store's behaviour, run on SQLite by default and on PostgreSQL and MariaDB in the full
//! test run (see `common`).

mod common;

use std::time::Duration;

use chrono::Utc;
use common::fresh_store;
use hub_domain::activity::{ActivityKind, ActivityState};
use hub_domain::blocker::BlockerScope;
use hub_domain::collection::{Collection, CollectionSource};
use hub_domain::instance::LockHolder;
use hub_domain::integration::{
    ChangeDetection, ConflictStrategy, FieldFlow, Integration, IntegrationStyle, Side,
};
use hub_domain::job::JobState;
use hub_domain::mapping::{FieldMapping, Mapping, Transform};
use hub_domain::model::{FieldType, Model, ModelField};
use hub_domain::pair::{ArtifactPair, ArtifactRef, PairSide};
use hub_domain::repository::Repository;
use hub_domain::{ErrorCode, ModelId, RepositoryId};
use hub_store::StoreError;
use hub_store::lock::Takeover;

fn repo(name: &str) -> Repository {
    Repository {
        id: None,
        name: name.into(),
        connector: "memory".into(),
        url: String::new(),
        settings: serde_json::json!({"seed": 1}),
        credential: None,
        proxy: None,
        enabled: true,
        rate_limit_per_minute: Some(600),
    }
}

fn model() -> Model {
    Model {
        id: None,
        name: "Work item".into(),
        fields: vec![
            ModelField {
                name: "summary".into(),
                field_type: FieldType::String,
                required: true,
                options: vec![],
            },
            ModelField {
                name: "priority".into(),
                field_type: FieldType::SingleSelect,
                required: false,
                options: vec!["low".into(), "high".into()],
            },
        ],
    }
}

fn collection(name: &str, repository: RepositoryId, model: ModelId) -> Collection {
    Collection {
        id: None,
        name: name.into(),
        source: CollectionSource::Repository {
            repository,
            projects: vec!["P".into()],
            artifact_types: vec!["bug".into()],
        },
        model,
    }
}

fn holder(id: &str, lease: Duration) -> LockHolder {
    let now = Utc::now();
    LockHolder {
        instance_id: id.into(),
        host: format!("host-{id}"),
        pid: 42,
        since: now,
        expires_at: now + chrono::Duration::from_std(lease).unwrap(),
    }
}

#[tokio::test]
async fn a_migrated_store_is_current_and_migrating_again_does_nothing() {
    let store = fresh_store().await;
    let status = store.migration_status().await.unwrap();
    assert!(status.is_current(), "{status:?}");
    assert_eq!(status.applied.len(), 6);
    let again = store.migrate().await.unwrap();
    assert!(again.applied.is_empty() && again.backup.is_none());
}

#[tokio::test]
async fn repositories_round_trip_and_names_are_unique() {
    let store = fresh_store().await;
    let saved = store.create_repository(&repo("Left")).await.unwrap();
    let id = saved.id.unwrap();
    assert_eq!(store.repository(id).await.unwrap(), saved);
    assert_eq!(
        store.repository_by_name("Left").await.unwrap(),
        Some(saved.clone())
    );

    let err = store.create_repository(&repo("Left")).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Duplicate {
                object: "repository",
                ..
            }
        ),
        "{err}"
    );

    let renamed = Repository {
        name: "Right".into(),
        enabled: false,
        ..saved
    };
    store.update_repository(&renamed).await.unwrap();
    let all = store.repositories().await.unwrap();
    assert_eq!(all, vec![renamed]);
}

#[tokio::test]
async fn invalid_objects_are_refused_with_a_code_and_write_nothing() {
    let store = fresh_store().await;
    let bad = Repository {
        url: "ftp://nope".into(),
        ..repo("Bad")
    };
    let err = store.create_repository(&bad).await.unwrap_err();
    assert_eq!(err.code(), hub_domain::catalogue::hub::VALIDATION_FAILED);
    assert!(err.to_string().contains("url"), "{err}");
    assert!(store.repositories().await.unwrap().is_empty());
}

#[tokio::test]
async fn references_to_missing_objects_are_refused() {
    let store = fresh_store().await;
    let err = store
        .create_collection(&collection("Orphan", RepositoryId(999), ModelId(999)))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
}

#[tokio::test]
async fn collections_mappings_and_integrations_fit_together() {
    let store = fresh_store().await;
    let m = store.create_model(&model()).await.unwrap();
    let left_repo = store.create_repository(&repo("L")).await.unwrap();
    let right_repo = store.create_repository(&repo("R")).await.unwrap();
    let left = store
        .create_collection(&collection(
            "Left bugs",
            left_repo.id.unwrap(),
            m.id.unwrap(),
        ))
        .await
        .unwrap();
    let right = store
        .create_collection(&collection(
            "Right bugs",
            right_repo.id.unwrap(),
            m.id.unwrap(),
        ))
        .await
        .unwrap();
    assert_eq!(store.collection(left.id.unwrap()).await.unwrap(), left);

    let mut mapping = Mapping {
        collection: left.id.unwrap(),
        model: m.id.unwrap(),
        fields: vec![FieldMapping {
            collection_field: "subject".into(),
            model_field: "summary".into(),
            to_model: Transform::Copy,
            from_model: Transform::Copy,
        }],
    };
    store.put_mapping(&mapping).await.unwrap();
    mapping.fields[0].collection_field = "title".into();
    store.put_mapping(&mapping).await.unwrap();
    assert_eq!(
        store
            .mapping(left.id.unwrap(), m.id.unwrap())
            .await
            .unwrap(),
        Some(mapping.clone())
    );

    let wrong = Mapping {
        fields: vec![FieldMapping {
            model_field: "nope".into(),
            ..mapping.fields[0].clone()
        }],
        ..mapping
    };
    assert!(matches!(
        store.put_mapping(&wrong).await,
        Err(StoreError::Invalid(_))
    ));

    let integration = Integration {
        id: None,
        name: "L <-> R".into(),
        style: IntegrationStyle::WorkItemSync,
        left: left.id.unwrap(),
        right: right.id.unwrap(),
        running: false,
        routes: vec![],
        field_flows: [("priority".to_owned(), FieldFlow::LeftToRight)].into(),
        comment_flow: FieldFlow::Both,
        attachment_flow: FieldFlow::None,
        attachment_max_bytes: Some(1 << 20),
        time_entry_flow: FieldFlow::None,
        filters: Vec::new(),
        mirror_projects: None,
        extensions: Default::default(),
        conflict_strategy: ConflictStrategy::Fail,
        change_detection: ChangeDetection {
            interval_seconds: Some(5),
            ..Default::default()
        },
    };
    let saved = store.create_integration(&integration).await.unwrap();
    store
        .set_integration_running(saved.id.unwrap(), true)
        .await
        .unwrap();
    let listed = store.integrations().await.unwrap();
    assert_eq!(
        listed,
        vec![Integration {
            running: true,
            ..saved
        }]
    );

    // A repository in use cannot be deleted.
    assert!(
        store
            .delete_repository(left_repo.id.unwrap())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn settings_replace_whole_values() {
    let store = fresh_store().await;
    assert_eq!(
        store.setting::<serde_json::Value>("poll").await.unwrap(),
        None
    );
    store
        .put_setting("poll", &serde_json::json!({"interval": 60}))
        .await
        .unwrap();
    store
        .put_setting("poll", &serde_json::json!({"interval": 30}))
        .await
        .unwrap();
    let value: serde_json::Value = store.setting("poll").await.unwrap().unwrap();
    assert_eq!(value["interval"], 30);
    store.delete_setting("poll").await.unwrap();
    assert_eq!(
        store.setting::<serde_json::Value>("poll").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn the_instance_lock_admits_one_holder_and_lapses() {
    let store = fresh_store().await;
    let lease = Duration::from_secs(60);
    let first = holder("first", lease);
    let second = holder("second", lease);
    assert_eq!(
        store
            .acquire_lock(&first, lease, Takeover::IfExpired)
            .await
            .unwrap(),
        None
    );
    // Re-acquiring our own lock is a renewal.
    assert_eq!(
        store
            .acquire_lock(&first, lease, Takeover::IfExpired)
            .await
            .unwrap(),
        None
    );

    let err = store
        .acquire_lock(&second, lease, Takeover::IfExpired)
        .await
        .unwrap_err();
    match &err {
        StoreError::LockHeld(h) => assert_eq!((h.host.as_str(), h.pid), ("host-first", 42)),
        other => panic!("{other}"),
    }
    assert_eq!(err.code().to_string(), "SYN-30012E");

    // Forced takeover: the first holder learns it lost the lock when renewing.
    let previous = store
        .acquire_lock(&second, lease, Takeover::Force)
        .await
        .unwrap();
    assert_eq!(previous.map(|h| h.instance_id), Some("first".into()));
    assert!(matches!(
        store.renew_lock(&first, lease).await,
        Err(StoreError::LockLost(Some(_)))
    ));

    // An expired lease is taken over without force.
    store.release_lock(&second).await.unwrap();
    let short = Duration::from_millis(1);
    store
        .acquire_lock(&second, short, Takeover::IfExpired)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let previous = store
        .acquire_lock(&first, lease, Takeover::IfExpired)
        .await
        .unwrap();
    assert_eq!(previous.map(|h| h.instance_id), Some("second".into()));
    assert_eq!(
        store.lock_holder().await.unwrap().unwrap().instance_id,
        "first"
    );
}

async fn integration_for_ops(store: &hub_store::Store) -> hub_domain::IntegrationId {
    let m = store.create_model(&model()).await.unwrap();
    let l = store.create_repository(&repo("L")).await.unwrap();
    let r = store.create_repository(&repo("R")).await.unwrap();
    let lc = store
        .create_collection(&collection("LC", l.id.unwrap(), m.id.unwrap()))
        .await
        .unwrap();
    let rc = store
        .create_collection(&collection("RC", r.id.unwrap(), m.id.unwrap()))
        .await
        .unwrap();
    let i = Integration {
        id: None,
        name: "ops".into(),
        style: IntegrationStyle::WorkItemSync,
        left: lc.id.unwrap(),
        right: rc.id.unwrap(),
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
    store.create_integration(&i).await.unwrap().id.unwrap()
}

#[tokio::test]
async fn pairs_are_unique_per_artifact_and_found_from_either_side() {
    let store = fresh_store().await;
    let integration = integration_for_ops(&store).await;
    let side = |repo: i64, id: &str| PairSide {
        artifact: ArtifactRef {
            repository: RepositoryId(repo),
            id: id.into(),
        },
        formatted_id: format!("#{id}"),
        version: Some("1".into()),
    };
    let now = Utc::now();
    let pair = ArtifactPair {
        id: None,
        integration,
        left: side(1, "10"),
        right: side(2, "20"),
        created_at: now,
        synchronized_at: now,
    };
    let saved = store.insert_pair(&pair, Some("{}")).await.unwrap();
    let again = ArtifactPair {
        right: side(2, "21"),
        ..pair.clone()
    };
    assert!(matches!(
        store.insert_pair(&again, None).await,
        Err(StoreError::Duplicate { .. })
    ));
    let from_right = store
        .pair_of(integration, &side(2, "20").artifact)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(from_right.id, saved.id);
    assert_eq!(from_right.left.artifact.id, "10");
    assert_eq!(store.count_pairs(integration).await.unwrap(), 1);

    let id = saved.id.unwrap();
    let record = store.pair_record_by_id(id).await.unwrap().unwrap();
    assert_eq!(
        store.pair_revision(id).await.unwrap(),
        Some(record.revision)
    );
    assert!(
        store
            .update_pair_sync(id, record.revision, Some("1"), Some("7"), "{}")
            .await
            .unwrap()
    );
    assert_eq!(
        store.pair_revision(id).await.unwrap(),
        Some(record.revision + 1)
    );
    let ids = ["20".to_owned(), "99".to_owned()];
    let versions = store
        .paired_versions(integration, Side::Right, RepositoryId(2), &ids)
        .await
        .unwrap();
    assert_eq!(versions.len(), 1, "only paired artifacts: {versions:?}");
    assert_eq!(versions["20"], "7");
    let left = store
        .paired_versions(integration, Side::Left, RepositoryId(2), &ids)
        .await
        .unwrap();
    assert!(left.is_empty(), "repository 2 is the right side");
}

#[tokio::test]
async fn at_most_one_activity_is_pending_per_artifact() {
    let store = fresh_store().await;
    let integration = integration_for_ops(&store).await;
    let artifact = ArtifactRef {
        repository: RepositoryId(1),
        id: "A-1".into(),
    };
    let first = store
        .enqueue_activity(integration, &artifact, ActivityKind::Synchronize, 0)
        .await
        .unwrap();
    let second = store
        .enqueue_activity(integration, &artifact, ActivityKind::Synchronize, 5)
        .await
        .unwrap();
    assert_eq!(first, second);
    assert_eq!(
        store
            .count_activities(ActivityState::Pending)
            .await
            .unwrap(),
        1
    );

    store
        .transition_activity(first, ActivityState::Processing, None, None)
        .await
        .unwrap();
    // While it is processing, a new change queues a new pending activity.
    let third = store
        .enqueue_activity(integration, &artifact, ActivityKind::Synchronize, 0)
        .await
        .unwrap();
    assert_ne!(third, first);
    let failed = store
        .transition_activity(
            first,
            ActivityState::Failed,
            Some((ErrorCode::error(1000), "down".into())),
            None,
        )
        .await
        .unwrap();
    assert_eq!(failed.attempts, 1);
    assert_eq!(failed.error_code, Some(ErrorCode::error(1000)));
    // Retrying the failed one while another is pending for the same artifact is refused.
    let err = store
        .transition_activity(first, ActivityState::Pending, None, None)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate { .. }), "{err}");
    store
        .transition_activity(first, ActivityState::Ignored, None, None)
        .await
        .unwrap();
    // Final states never move.
    assert!(
        store
            .transition_activity(first, ActivityState::Pending, None, None)
            .await
            .is_err()
    );
    assert_eq!(
        store
            .activities_in(ActivityState::Ignored, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn blockers_are_one_per_scope_and_code_and_jobs_track_progress() {
    let store = fresh_store().await;
    let scope = BlockerScope::Repository(RepositoryId(7));
    let code = ErrorCode::error(61101);
    store
        .raise_blocker(scope, code, "credentials refused")
        .await
        .unwrap();
    store
        .raise_blocker(scope, code, "credentials refused again")
        .await
        .unwrap();
    let blockers = store.blockers().await.unwrap();
    assert_eq!(blockers.len(), 1);
    assert_eq!(blockers[0].message, "credentials refused again");
    store.clear_blocker(scope, code).await.unwrap();
    assert!(store.blockers().await.unwrap().is_empty());

    let job = store
        .create_job("migration", "moving pairs", Some(10))
        .await
        .unwrap();
    store
        .update_job(job, JobState::Running, 4, None)
        .await
        .unwrap();
    let jobs = store.jobs().await.unwrap();
    assert_eq!(jobs[0].state, JobState::Running);
    assert_eq!(jobs[0].progress(), Some(0.4));
    assert!(jobs[0].started_at.is_some());
}
