//! The engine's queue and sync state on every backend (see `common`).

mod common;

use std::time::Duration;

use chrono::Utc;
use common::fresh_store;
use hub_domain::activity::ActivityState;
use hub_domain::collection::{Collection, CollectionSource};
use hub_domain::integration::{ConflictStrategy, FieldFlow, Integration, IntegrationStyle, Side};
use hub_domain::model::{FieldType, Model, ModelField};
use hub_domain::pair::{ArtifactPair, ArtifactRef, PairSide};
use hub_domain::repository::Repository;
use hub_domain::{ErrorCode, IntegrationId, RepositoryId};
use hub_store::Store;
use hub_store::sync_state::Watermark;

/// A side of a pair at version 1 in repository `repo`.
fn side(repo: i64, id: &str) -> PairSide {
    PairSide {
        artifact: ArtifactRef {
            repository: RepositoryId(repo),
            id: id.into(),
        },
        formatted_id: id.into(),
        version: Some("1".into()),
    }
}

/// A new pair of `left` (repository 1) and `right` (repository 2).
fn pair_of(i: IntegrationId, left: &str, right: &str) -> ArtifactPair {
    let now = Utc::now();
    ArtifactPair {
        id: None,
        integration: i,
        left: side(1, left),
        right: side(2, right),
        created_at: now,
        synchronized_at: now,
    }
}

async fn integration(store: &Store) -> IntegrationId {
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
    let m = store.create_model(&model).await.unwrap().id.unwrap();
    let mut collections = Vec::new();
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
        let r = store.create_repository(&repo).await.unwrap().id.unwrap();
        let c = Collection {
            id: None,
            name: format!("{name}C"),
            source: CollectionSource::Repository {
                repository: r,
                projects: vec!["P".into()],
                artifact_types: vec!["t".into()],
            },
            model: m,
        };
        collections.push(store.create_collection(&c).await.unwrap().id.unwrap());
    }
    let i = Integration {
        id: None,
        name: "I".into(),
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
        change_detection: Default::default(),
    };
    store.create_integration(&i).await.unwrap().id.unwrap()
}

fn artifact(id: &str) -> ArtifactRef {
    ArtifactRef {
        repository: RepositoryId(1),
        id: id.into(),
    }
}

const LEASE: Duration = Duration::from_secs(60);

#[tokio::test]
async fn batches_queue_each_artifact_once() {
    let store = fresh_store().await;
    let i = integration(&store).await;
    let batch: Vec<_> = ["a", "b", "a", "c"].into_iter().map(artifact).collect();
    assert_eq!(store.enqueue_changes(i, &batch).await.unwrap(), 3);
    assert_eq!(store.enqueue_changes(i, &batch).await.unwrap(), 0);
    assert_eq!(
        store
            .count_activities(ActivityState::Pending)
            .await
            .unwrap(),
        3
    );
    assert_eq!(store.due_backlog(i).await.unwrap(), 3);
}

#[tokio::test]
async fn a_second_look_waits_for_its_time_unless_a_change_comes() {
    let store = fresh_store().await;
    let i = integration(&store).await;
    let later = Utc::now() + chrono::Duration::seconds(30);
    assert!(store.enqueue_at(i, &artifact("a"), later).await.unwrap());
    assert!(
        !store.enqueue_at(i, &artifact("a"), later).await.unwrap(),
        "one pending activity per artifact"
    );
    assert!(store.enqueue_at(i, &artifact("b"), later).await.unwrap());
    assert_eq!(store.due_backlog(i).await.unwrap(), 0, "not due yet");
    assert!(
        store
            .claim_activities("w", &[i], 10, LEASE)
            .await
            .unwrap()
            .is_empty()
    );
    // A change of `a` is queued on the waiting activity, which becomes due at once.
    assert_eq!(store.enqueue_changes(i, &[artifact("a")]).await.unwrap(), 0);
    let claimed = store.claim_activities("w", &[i], 10, LEASE).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].artifact, artifact("a"));
    assert_eq!(
        store
            .count_activities(ActivityState::Pending)
            .await
            .unwrap(),
        1,
        "b still waits"
    );
}

#[tokio::test]
async fn claims_are_exclusive_and_skip_artifacts_in_progress() {
    let store = fresh_store().await;
    let i = integration(&store).await;
    store
        .enqueue_changes(i, &[artifact("a"), artifact("b")])
        .await
        .unwrap();
    let first = store.claim_activities("w1", &[i], 1, LEASE).await.unwrap();
    assert_eq!(first.len(), 1);
    let second = store.claim_activities("w2", &[i], 10, LEASE).await.unwrap();
    assert_eq!(second.len(), 1);
    assert_ne!(first[0].id, second[0].id);
    assert!(
        store
            .claim_activities("w3", &[i], 10, LEASE)
            .await
            .unwrap()
            .is_empty()
    );

    // A new change of an artifact in progress is queued but not handed out until it is done.
    store
        .enqueue_changes(i, &[first[0].artifact.clone()])
        .await
        .unwrap();
    assert!(
        store
            .claim_activities("w3", &[i], 10, LEASE)
            .await
            .unwrap()
            .is_empty()
    );
    store.complete_activity(first[0].id).await.unwrap();
    let next = store.claim_activities("w3", &[i], 10, LEASE).await.unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].artifact, first[0].artifact);
}

#[tokio::test]
async fn failures_retry_later_or_wait_for_a_person() {
    let store = fresh_store().await;
    let i = integration(&store).await;
    store
        .enqueue_changes(i, &[artifact("a"), artifact("b")])
        .await
        .unwrap();
    let claimed = store.claim_activities("w", &[i], 10, LEASE).await.unwrap();
    let later = Utc::now() + chrono::Duration::seconds(30);
    store
        .fail_activity(&claimed[0], ErrorCode::error(1000), "down", Some(later))
        .await
        .unwrap();
    store
        .fail_activity(&claimed[1], ErrorCode::error(17003), "bad value", None)
        .await
        .unwrap();
    assert_eq!(
        store.due_backlog(i).await.unwrap(),
        0,
        "a retry waiting for its time is no backlog"
    );
    assert!(
        store
            .claim_activities("w", &[i], 10, LEASE)
            .await
            .unwrap()
            .is_empty(),
        "not due yet"
    );
    let pending = store.activity(claimed[0].id).await.unwrap();
    assert_eq!(
        (pending.state, pending.attempts),
        (ActivityState::Pending, 1)
    );
    assert_eq!(pending.error_code, Some(ErrorCode::error(1000)));
    let failed = store.activity(claimed[1].id).await.unwrap();
    assert_eq!(failed.state, ActivityState::Failed);
}

#[tokio::test]
async fn a_retry_is_superseded_by_a_newer_pending_change() {
    let store = fresh_store().await;
    let i = integration(&store).await;
    store.enqueue_changes(i, &[artifact("a")]).await.unwrap();
    let claimed = store.claim_activities("w", &[i], 10, LEASE).await.unwrap();
    store.enqueue_changes(i, &[artifact("a")]).await.unwrap();
    store
        .fail_activity(
            &claimed[0],
            ErrorCode::error(1000),
            "down",
            Some(Utc::now()),
        )
        .await
        .unwrap();
    assert_eq!(
        store.activity(claimed[0].id).await.unwrap().state,
        ActivityState::Completed
    );
    assert_eq!(
        store
            .count_activities(ActivityState::Pending)
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn leases_of_dead_workers_are_recovered_and_history_is_pruned() {
    let store = fresh_store().await;
    let i = integration(&store).await;
    store.enqueue_changes(i, &[artifact("a")]).await.unwrap();
    store
        .claim_activities("dead", &[i], 10, Duration::from_millis(1))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(store.recover_expired_leases().await.unwrap(), 1);
    let again = store
        .claim_activities("alive", &[i], 10, LEASE)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    store.complete_activity(again[0].id).await.unwrap();

    for n in 0..5 {
        store
            .enqueue_changes(i, &[artifact(&format!("x{n}"))])
            .await
            .unwrap();
    }
    // A round's completions are written together; one no longer processing is left alone.
    let round = store.claim_activities("w", &[i], 10, LEASE).await.unwrap();
    assert_eq!(round.len(), 5);
    store
        .fail_activity(&round[4], ErrorCode::error(1000), "network down", None)
        .await
        .unwrap();
    let ids: Vec<_> = round.iter().map(|a| a.id).collect();
    store.complete_activities(&ids).await.unwrap();
    assert_eq!(
        store.activity(round[4].id).await.unwrap().state,
        ActivityState::Failed,
        "an activity that failed meanwhile is not completed by the round"
    );
    assert_eq!(
        store
            .count_activities(ActivityState::Completed)
            .await
            .unwrap(),
        5
    );
    assert_eq!(store.prune_completed(2).await.unwrap(), 3);
    assert_eq!(
        store
            .count_activities(ActivityState::Completed)
            .await
            .unwrap(),
        2
    );
}

#[tokio::test]
async fn watermarks_intents_and_pair_revisions() {
    let store = fresh_store().await;
    let i = integration(&store).await;
    assert_eq!(
        store.watermark(i, Side::Left).await.unwrap(),
        Watermark::default()
    );
    let mark = Watermark {
        at: Some(Utc::now()),
        seen: vec!["a@1".into()],
        last_full_scan: None,
    };
    store.save_watermark(i, Side::Left, &mark).await.unwrap();
    let read = store.watermark(i, Side::Left).await.unwrap();
    assert_eq!(read.seen, mark.seen);
    assert_eq!(
        read.at.map(|t| t.timestamp_millis()),
        mark.at.map(|t| t.timestamp_millis())
    );

    let source = artifact("a");
    let (identity, existed) = store
        .open_creation_intent(i, &source, "syncline:1:a")
        .await
        .unwrap();
    assert_eq!((identity.as_str(), existed), ("syncline:1:a", false));
    let (identity, existed) = store
        .open_creation_intent(i, &source, "other")
        .await
        .unwrap();
    assert_eq!(
        (identity.as_str(), existed),
        ("syncline:1:a", true),
        "a crash-left intent is reused"
    );

    let pair = pair_of(i, "a", "b");
    let saved = store.complete_creation(&pair, &source, "{}").await.unwrap();
    assert_eq!(store.creation_intent(i, &source).await.unwrap(), None);
    let record = store
        .pair_record(i, &side(2, "b").artifact)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (record.revision, record.snapshot.as_deref()),
        (0, Some("{}"))
    );
    let id = saved.id.unwrap();
    assert!(
        store
            .update_pair_sync(id, 0, Some("2"), Some("3"), "{\"x\":1}")
            .await
            .unwrap()
    );
    assert!(
        !store
            .update_pair_sync(id, 0, Some("9"), Some("9"), "{}")
            .await
            .unwrap(),
        "stale revision refused"
    );
    let record = store.pair_record(i, &source).await.unwrap().unwrap();
    assert_eq!(record.revision, 1);
    assert_eq!(record.pair.left.version.as_deref(), Some("2"));
    assert_eq!(store.pairs_after(i, 0, 10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn administrators_can_prioritize_cancel_ignore_and_retry() {
    use hub_store::queue::ActivityAction as A;
    let store = fresh_store().await;
    let i = integration(&store).await;
    store
        .enqueue_changes(i, &[artifact("a"), artifact("b"), artifact("c")])
        .await
        .unwrap();
    let pending = store
        .list_activities(Some(ActivityState::Pending), Some(i), 10)
        .await
        .unwrap();
    let (a, b, c) = (pending[2].id, pending[1].id, pending[0].id);
    store.act_on_activity(c, A::Prioritize).await.unwrap();
    let first = store.claim_activities("w", &[i], 1, LEASE).await.unwrap();
    assert_eq!(first[0].id, c, "the prioritized activity goes first");
    store.act_on_activity(b, A::Cancel).await.unwrap();
    assert!(
        store.activity(b).await.is_err(),
        "cancelled activities are removed"
    );
    let ignored = store.act_on_activity(a, A::Ignore).await.unwrap();
    assert_eq!(ignored.state, ActivityState::Ignored);
    assert!(
        store.act_on_activity(a, A::Prioritize).await.is_err(),
        "an ignored activity is not pending"
    );
    let retried = store.act_on_activity(a, A::Retry).await.unwrap();
    assert_eq!(retried.state, ActivityState::Pending);
    assert!(
        store.act_on_activity(c, A::Retry).await.is_err(),
        "a processing activity cannot be retried"
    );
}

#[tokio::test]
async fn an_exclusive_process_takes_back_every_lease_at_start() {
    let store = fresh_store().await;
    let i = integration(&store).await;
    store
        .enqueue_changes(i, &[artifact("a"), artifact("b")])
        .await
        .unwrap();
    store
        .claim_activities("died", &[i], 10, LEASE)
        .await
        .unwrap();
    assert_eq!(store.release_all_leases().await.unwrap(), 2);
    assert_eq!(
        store
            .count_activities(ActivityState::Pending)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .claim_activities("new", &[i], 10, LEASE)
            .await
            .unwrap()
            .len(),
        2
    );
}

/// A store with several connections: a SQLite file by default (an in-memory store has one
/// connection, so nothing would run at once), else the backend of the full run.
async fn pooled_store(dir: &std::path::Path) -> Store {
    if std::env::var("SYNCLINE_TEST_DATABASE_URL").is_ok() {
        return fresh_store().await;
    }
    let store = Store::open(&hub_store::sqlite_url_for(dir)).await.unwrap();
    store.migrate().await.unwrap();
    store
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn queueing_the_same_artifacts_at_once_beside_other_writers_keeps_one_pending_each() {
    let dir = tempfile::tempdir().unwrap();
    let store = pooled_store(dir.path()).await;
    let i = integration(&store).await;
    let artifacts: Vec<ArtifactRef> = (0..100)
        .map(|n| ArtifactRef {
            repository: RepositoryId(1),
            id: n.to_string(),
        })
        .collect();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let (store, artifacts) = (store.clone(), artifacts.clone());
        tasks.spawn(async move {
            let mut queued = 0;
            for round in 0..10 {
                // Overlapping slices, so callers race for the same pending keys.
                let from = (round * 7) % 50;
                queued += store.enqueue_changes(i, &artifacts[from..]).await?;
                queued += store.enqueue_changes(i, &artifacts[..from + 1]).await?;
            }
            Ok::<usize, hub_store::StoreError>(queued)
        });
    }
    let writer = store.clone();
    tasks.spawn(async move {
        for n in 0..200 {
            writer.put_setting("busy", &n).await?;
        }
        Ok(0)
    });
    let mut queued = 0;
    while let Some(done) = tasks.join_next().await {
        queued += done.unwrap().expect("no store error while others write");
    }
    let counts = store.activity_counts(i).await.unwrap();
    let pending = counts
        .iter()
        .find(|(s, _)| *s == ActivityState::Pending)
        .map_or(0, |(_, n)| *n);
    assert_eq!((queued, pending), (100, 100));
}

#[tokio::test]
async fn beginning_a_creation_opens_or_resumes_the_intent_unless_the_source_is_paired() {
    use hub_store::sync_state::Creation;
    let store = fresh_store().await;
    let i = integration(&store).await;
    let source = ArtifactRef {
        repository: RepositoryId(1),
        id: "a".into(),
    };
    let begun = store.begin_creation(i, &source, "syncline:1:1:a").await;
    assert_eq!(begun.unwrap(), Creation::New("syncline:1:1:a".into()));
    let again = store.begin_creation(i, &source, "other").await.unwrap();
    assert_eq!(again, Creation::Resumed("syncline:1:1:a".into()));

    // The twin's own activity records the pair (closing the intent) before the source's
    // activity begins its creation: the source is found paired, and no intent is left.
    let pair = pair_of(i, "a", "b");
    store.complete_creation(&pair, &source, "{}").await.unwrap();
    match store
        .begin_creation(i, &source, "syncline:1:1:a")
        .await
        .unwrap()
    {
        Creation::Paired(record) => assert_eq!(record.pair.right.artifact.id, "b"),
        other => panic!("expected the pair, got {other:?}"),
    }
    assert_eq!(store.creation_intent(i, &source).await.unwrap(), None);
}
