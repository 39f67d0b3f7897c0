//! Time entries (work logs) between two memory trackers: both ways, once each, for the same
//! worker; never copied back; recognized instead of copied again after a crash between copying
//! and recording; filed under the connection's user when the worker is unknown; and left alone
//! when the integration does not ask for them or a side has none.

mod common;

use chrono::NaiveDate;
use common::{Config, Setup, settle, setup};
use hub_connector::memory::FaultPlan;
use hub_connector::types::TimeEntry;
use hub_domain::ArtifactPairId;
use hub_domain::activity::ActivityState;
use hub_domain::integration::FieldFlow;
use hub_engine::runtime::snapshot::PairSnapshot;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 2, d).unwrap()
}

fn flowing() -> Config {
    Config {
        time_entry_flow: FieldFlow::Both,
        ..Config::default()
    }
}

/// One seeded artifact on the left, synchronized: (left id, right id, pair).
async fn one_pair(s: &Setup) -> (String, String, ArtifactPairId) {
    let ids = s.left.seed("P", 1, 3).unwrap();
    settle(s).await;
    let pair = s
        .store
        .pairs_after(s.integration, 0, 10)
        .await
        .unwrap()
        .remove(0);
    (
        ids[0].clone(),
        pair.right.artifact.id.clone(),
        pair.id.unwrap(),
    )
}

fn entries(tracker: &hub_connector::memory::MemoryTracker, id: &str) -> Vec<TimeEntry> {
    tracker
        .snapshot()
        .into_iter()
        .find(|a| a.artifact.id == id)
        .expect("the artifact exists")
        .time_entries
}

async fn recorded(s: &Setup, pair: ArtifactPairId) -> PairSnapshot {
    let record = s.store.pair_record_by_id(pair).await.unwrap().unwrap();
    PairSnapshot::decode(record.snapshot.as_deref()).unwrap()
}

#[tokio::test]
async fn entries_flow_both_ways_once_for_their_workers() {
    let s = setup(flowing()).await;
    let (left_id, right_id, pair) = one_pair(&s).await;
    let from_left = s
        .left
        .user_log_time(&left_id, "bob", day(3), 90, "design review")
        .unwrap();
    let from_right = s
        .right
        .user_log_time(&right_id, "carol", day(4), 15, "")
        .unwrap();
    settle(&s).await;
    settle(&s).await;

    let (left, right) = (entries(&s.left, &left_id), entries(&s.right, &right_id));
    assert_eq!(left.len(), 2, "{left:?}");
    assert_eq!(right.len(), 2, "{right:?}");
    let copy_on_right = right.iter().find(|e| e.id != from_right.id).unwrap();
    assert_eq!(
        (
            copy_on_right.author.username.as_deref(),
            copy_on_right.spent_on,
            copy_on_right.minutes,
            copy_on_right.comment.as_str(),
            copy_on_right.activity.as_deref(),
        ),
        (
            Some("bob"),
            day(3),
            90,
            "design review",
            Some("Development")
        )
    );
    let copy_on_left = left.iter().find(|e| e.id != from_left.id).unwrap();
    assert_eq!(copy_on_left.author.username.as_deref(), Some("carol"));
    assert_eq!((copy_on_left.minutes, copy_on_left.spent_on), (15, day(4)));

    let snapshot = recorded(&s, pair).await;
    assert_eq!(
        snapshot.time_entries,
        [
            (from_left.id.clone(), copy_on_right.id.clone()),
            (copy_on_left.id.clone(), from_right.id.clone()),
        ]
        .into_iter()
        .collect()
    );
    // The copies are the hub's own: more rounds copy nothing back and nothing again.
    s.left
        .user_comment(&left_id, "alice", "poke the pair")
        .unwrap();
    settle(&s).await;
    assert_eq!(entries(&s.left, &left_id).len(), 2);
    assert_eq!(entries(&s.right, &right_id).len(), 2);
}

#[tokio::test]
async fn a_copy_made_just_before_a_crash_is_recognized_not_made_again() {
    let s = setup(flowing()).await;
    let (left_id, right_id, pair) = one_pair(&s).await;
    let original = s
        .left
        .user_log_time(&left_id, "dave", day(5), 45, "on call")
        .unwrap();
    // The right tracker logs the copy, but the answer never arrives: the activity fails before
    // the pair records the copy, as if the hub had died between the two. Its retry finds the
    // copy by its tag and records it instead of logging the time again.
    s.right
        .set_faults(FaultPlan {
            ambiguous_rate: 1.0,
            ..FaultPlan::default()
        })
        .unwrap();
    s.engine.run_until_idle(1).await.unwrap();
    let activities = s
        .store
        .list_activities(None, Some(s.integration), 100)
        .await
        .unwrap();
    assert!(
        activities
            .iter()
            .any(|a| a.artifact.id == left_id && a.attempts > 0),
        "the copy's answer was lost: {activities:#?}"
    );
    let right = entries(&s.right, &right_id);
    assert_eq!(right.len(), 1, "copied once: {right:?}");
    assert_eq!(right[0].minutes, 45);

    s.right.set_faults(FaultPlan::default()).unwrap();
    s.left
        .user_comment(&left_id, "alice", "poke the pair")
        .unwrap();
    for _ in 0..3 {
        settle(&s).await;
    }
    assert_eq!(entries(&s.right, &right_id), right, "not logged again");
    assert_eq!(entries(&s.left, &left_id), vec![original.clone()]);
    assert_eq!(
        recorded(&s, pair).await.time_entries,
        [(original.id, right[0].id.clone())].into_iter().collect()
    );
    let failed = s
        .store
        .count_activities(ActivityState::Failed)
        .await
        .unwrap();
    assert_eq!(failed, 0);
}

#[tokio::test]
async fn an_unknown_worker_is_filed_under_the_connection_user() {
    let s = setup(flowing()).await;
    let (left_id, right_id, _) = one_pair(&s).await;
    s.left
        .add_person("zoe", "zoe@left.example", "Zoe Left-Only")
        .unwrap();
    s.left
        .user_log_time(&left_id, "zoe", day(6), 30, "only the left knows her")
        .unwrap();
    settle(&s).await;
    let right = entries(&s.right, &right_id);
    assert_eq!(right.len(), 1, "{right:?}");
    // The right tracker's connection user is its first person.
    assert_eq!(right[0].author.username.as_deref(), Some("alice"));
    assert_eq!(right[0].comment, "only the left knows her");
}

#[tokio::test]
async fn one_way_flow_and_no_flow_are_respected() {
    let s = setup(Config {
        time_entry_flow: FieldFlow::LeftToRight,
        ..Config::default()
    })
    .await;
    let (left_id, right_id, _) = one_pair(&s).await;
    s.left
        .user_log_time(&left_id, "bob", day(7), 60, "left")
        .unwrap();
    s.right
        .user_log_time(&right_id, "bob", day(7), 60, "right")
        .unwrap();
    settle(&s).await;
    assert_eq!(entries(&s.left, &left_id).len(), 1);
    assert_eq!(entries(&s.right, &right_id).len(), 2);

    // The default: integrations do not copy logged time unless asked to.
    let s = setup(Config::default()).await;
    let (left_id, right_id, _) = one_pair(&s).await;
    s.left
        .user_log_time(&left_id, "bob", day(8), 60, "stays")
        .unwrap();
    settle(&s).await;
    assert!(entries(&s.right, &right_id).is_empty());
}

#[tokio::test]
async fn a_side_without_time_entries_is_left_out_without_error() {
    // As between Redmine and Trac: the right tracker has no time entries at all.
    let without: Vec<_> = hub_connector::memory::ALL_CAPABILITIES
        .into_iter()
        .filter(|c| *c != hub_connector::Capability::TimeEntries)
        .collect();
    let s = setup(Config {
        right_settings: serde_json::json!({ "capabilities": without }),
        ..flowing()
    })
    .await;
    let (left_id, right_id, pair) = one_pair(&s).await;
    s.left
        .user_log_time(&left_id, "bob", day(9), 60, "kept")
        .unwrap();
    s.left.user_comment(&left_id, "bob", "still flows").unwrap();
    settle(&s).await;
    let failed = s
        .store
        .count_activities(ActivityState::Failed)
        .await
        .unwrap();
    assert_eq!(failed, 0, "no error for what a side cannot hold");
    assert!(entries(&s.right, &right_id).is_empty());
    assert!(recorded(&s, pair).await.time_entries.is_empty());
    let right = s
        .right
        .snapshot()
        .into_iter()
        .find(|a| a.artifact.id == right_id)
        .unwrap();
    assert!(
        right.comments.iter().any(|c| c.body == "still flows"),
        "the rest of the pair synchronizes: {:?}",
        right.comments
    );
}
