//! The sync engine end to end on two memory trackers: creation, echo suppression, merges,
//! every conflict strategy, flows, comments and attachments by identity, relationships.

mod common;

use std::collections::BTreeMap;

use common::{Config, assert_converged, settle, setup};
use hub_domain::activity::ActivityState;
use hub_domain::integration::{ConflictStrategy, FieldFlow};
use hub_domain::model::FieldValue;

fn text(s: &str) -> FieldValue {
    FieldValue::Text(s.into())
}

fn one(field: &str, value: FieldValue) -> BTreeMap<String, FieldValue> {
    [(field.to_owned(), value)].into()
}

#[tokio::test]
async fn seeded_artifacts_are_created_on_the_other_side_with_everything() {
    let s = setup(Config::default()).await;
    s.left.seed("P", 40, 7).unwrap();
    s.right.seed("P", 10, 8).unwrap();
    settle(&s).await;
    assert_converged(&s).await;
    assert_eq!(s.left.snapshot().len(), 50);
    assert_eq!(
        s.store
            .count_activities(ActivityState::Failed)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn the_hubs_own_writes_do_not_echo_back() {
    let s = setup(Config::default()).await;
    s.left.seed("P", 5, 1).unwrap();
    settle(&s).await;
    let versions = |t: &hub_connector::memory::MemoryTracker| -> Vec<String> {
        t.snapshot()
            .into_iter()
            .map(|a| a.artifact.version)
            .collect()
    };
    let (left_before, right_before) = (versions(&s.left), versions(&s.right));
    // More rounds find the hub's own writes but write nothing.
    settle(&s).await;
    assert_eq!(versions(&s.left), left_before);
    assert_eq!(versions(&s.right), right_before);
}

#[tokio::test]
async fn an_update_is_processed_once_and_its_echo_is_never_queued() {
    let s = setup(Config::default()).await;
    let ids = s.left.seed("P", 3, 2).unwrap();
    settle(&s).await;
    for id in &ids {
        s.left
            .user_update(id, one("summary", text(&format!("new {id}"))))
            .unwrap();
    }
    // One round: the three edits are queued and written to the right.
    assert_eq!(s.engine.run_until_idle(1).await.unwrap(), 3);
    // The right side now reports three changes (the hub's writes): none is queued.
    assert_eq!(s.engine.detect(s.integration, false).await.unwrap(), 0);
    // A person's edit on the right after that is still seen.
    let pair = s
        .store
        .pairs_after(s.integration, 0, 1)
        .await
        .unwrap()
        .remove(0);
    s.right
        .user_update(
            &pair.right.artifact.id,
            one("summary", text("from the right")),
        )
        .unwrap();
    assert_eq!(s.engine.detect(s.integration, false).await.unwrap(), 1);
    settle(&s).await;
    assert_converged(&s).await;
}

#[tokio::test]
async fn edits_of_different_fields_on_both_sides_are_merged() {
    let s = setup(Config {
        strategy: ConflictStrategy::LeftWins,
        ..Config::default()
    })
    .await;
    let ids = s.left.seed("P", 1, 3).unwrap();
    settle(&s).await;
    let pair = s
        .store
        .pairs_after(s.integration, 0, 10)
        .await
        .unwrap()
        .remove(0);
    s.left
        .user_update(&ids[0], one("summary", text("left title")))
        .unwrap();
    s.right
        .user_update(
            &pair.right.artifact.id,
            one("story_points", FieldValue::Integer(13)),
        )
        .unwrap();
    settle(&s).await;
    let l = s.left.artifact(&ids[0]).unwrap();
    let r = s.right.artifact(&pair.right.artifact.id).unwrap();
    assert_eq!(l.fields["summary"], text("left title"));
    assert_eq!(r.fields["summary"], text("left title"));
    assert_eq!(l.fields["story_points"], FieldValue::Integer(13));
    assert_eq!(r.fields["story_points"], FieldValue::Integer(13));
}

async fn conflict(strategy: ConflictStrategy) -> (FieldValue, FieldValue, u64) {
    let s = setup(Config {
        strategy,
        ..Config::default()
    })
    .await;
    let ids = s.left.seed("P", 1, 4).unwrap();
    settle(&s).await;
    let pair = s
        .store
        .pairs_after(s.integration, 0, 10)
        .await
        .unwrap()
        .remove(0);
    s.left
        .user_update(&ids[0], one("summary", text("from left")))
        .unwrap();
    // The right edit is a second later, so it is the most recent.
    s.right.advance_clock(chrono::TimeDelta::seconds(2));
    s.right
        .user_update(&pair.right.artifact.id, one("summary", text("from right")))
        .unwrap();
    settle(&s).await;
    let l = s.left.artifact(&ids[0]).unwrap().fields["summary"].clone();
    let r = s.right.artifact(&pair.right.artifact.id).unwrap().fields["summary"].clone();
    (
        l,
        r,
        s.store
            .count_activities(ActivityState::Failed)
            .await
            .unwrap(),
    )
}

#[tokio::test]
async fn conflict_strategies_decide_who_wins() {
    assert_eq!(
        conflict(ConflictStrategy::LeftWins).await,
        (text("from left"), text("from left"), 0)
    );
    assert_eq!(
        conflict(ConflictStrategy::RightWins).await,
        (text("from right"), text("from right"), 0)
    );
    assert_eq!(
        conflict(ConflictStrategy::MostRecentWins).await,
        (text("from right"), text("from right"), 0)
    );
    let (l, r, failed) = conflict(ConflictStrategy::Fail).await;
    assert_eq!(
        (l, r),
        (text("from left"), text("from right")),
        "nothing is overwritten"
    );
    assert!(failed >= 1, "the conflict waits for a person");
}

#[tokio::test]
async fn one_way_and_blocked_fields_stay_put() {
    let flows: BTreeMap<String, FieldFlow> = [
        ("summary".to_owned(), FieldFlow::LeftToRight),
        ("description".to_owned(), FieldFlow::None),
    ]
    .into();
    let s = setup(Config {
        flows,
        ..Config::default()
    })
    .await;
    let ids = s.left.seed("P", 1, 5).unwrap();
    settle(&s).await;
    let pair = s
        .store
        .pairs_after(s.integration, 0, 10)
        .await
        .unwrap()
        .remove(0);
    let right_id = pair.right.artifact.id.clone();
    assert_eq!(
        s.right
            .artifact(&right_id)
            .unwrap()
            .fields
            .get("description")
            .cloned()
            .unwrap_or(FieldValue::Null),
        FieldValue::Null
    );
    s.right
        .user_update(&right_id, one("summary", text("right only")))
        .unwrap();
    s.left
        .user_update(&ids[0], one("description", text("left only")))
        .unwrap();
    settle(&s).await;
    assert_ne!(
        s.left.artifact(&ids[0]).unwrap().fields["summary"],
        text("right only")
    );
    assert_eq!(
        s.right
            .artifact(&right_id)
            .unwrap()
            .fields
            .get("description")
            .cloned()
            .unwrap_or(FieldValue::Null),
        FieldValue::Null
    );
}

#[tokio::test]
async fn comments_and_attachments_flow_once_each_way() {
    let s = setup(Config {
        attachment_max_bytes: Some(1000),
        ..Config::default()
    })
    .await;
    let ids = s.left.seed("P", 1, 6).unwrap();
    settle(&s).await;
    let pair = s
        .store
        .pairs_after(s.integration, 0, 10)
        .await
        .unwrap()
        .remove(0);
    let right_id = pair.right.artifact.id.clone();
    s.left
        .user_comment(&ids[0], "alice", "from the left")
        .unwrap();
    s.right
        .user_comment(&right_id, "bob", "from the right")
        .unwrap();
    s.right
        .user_attach(&right_id, "small.txt", vec![1; 10])
        .unwrap();
    s.right
        .user_attach(&right_id, "huge.bin", vec![2; 5000])
        .unwrap();
    settle(&s).await;
    settle(&s).await;
    let left_parts = s
        .left
        .snapshot()
        .into_iter()
        .find(|a| a.artifact.id == ids[0])
        .unwrap();
    let bodies: Vec<&str> = left_parts
        .comments
        .iter()
        .map(|c| c.body.as_str())
        .collect();
    assert_eq!(bodies.iter().filter(|b| **b == "from the right").count(), 1);
    assert_eq!(bodies.iter().filter(|b| **b == "from the left").count(), 1);
    let names: Vec<&str> = left_parts
        .attachments
        .iter()
        .map(|a| a.file_name.as_str())
        .collect();
    assert!(
        names.contains(&"small.txt") && !names.contains(&"huge.bin"),
        "{names:?}"
    );
    let right_parts = s
        .right
        .snapshot()
        .into_iter()
        .find(|a| a.artifact.id == right_id)
        .unwrap();
    assert_eq!(
        right_parts
            .comments
            .iter()
            .filter(|c| c.body == "from the left")
            .count(),
        1
    );
    assert_eq!(right_parts.comments.len(), left_parts.comments.len());
}

#[tokio::test]
async fn relationships_point_at_twins_once_they_exist() {
    let s = setup(Config::default()).await;
    let ids = s.left.seed("P", 2, 9).unwrap();
    s.left
        .user_update(
            &ids[1],
            one("related", FieldValue::Links(vec![ids[0].clone()])),
        )
        .unwrap();
    settle(&s).await;
    assert_converged(&s).await;
}

#[tokio::test]
async fn a_twin_made_before_a_crash_is_adopted_not_copied_back() {
    use hub_connector::Connector;
    use hub_connector::memory::MemoryConnector;
    use hub_connector::types::NewArtifact;

    let s = setup(Config::default()).await;
    let ids = s.left.seed("P", 1, 21).unwrap();
    // The hub created the twin, then died before recording the pair.
    let integration = s.store.integrations().await.unwrap().remove(0);
    let left_collection = s.store.collection(integration.left).await.unwrap();
    let hub_domain::collection::CollectionSource::Repository { repository, .. } =
        left_collection.source
    else {
        unreachable!()
    };
    let identity = format!("syncline:{}:{}:{}", s.integration, repository, ids[0]);
    let original = hub_domain::pair::ArtifactRef {
        repository,
        id: ids[0].clone(),
    };
    s.store
        .open_creation_intent(s.integration, &original, &identity)
        .await
        .unwrap();
    let twin = MemoryConnector::new(s.right.clone())
        .create(&NewArtifact {
            project: "P".into(),
            artifact_type: "bug".into(),
            fields: one("summary", text("made before the crash")),
            source: Some(identity),
        })
        .await
        .unwrap();
    settle(&s).await;
    assert_eq!(s.right.snapshot().len(), 1, "no second twin");
    assert_eq!(s.left.snapshot().len(), 1, "the twin is not copied back");
    let pair = s
        .store
        .pairs_after(s.integration, 0, 10)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        (
            pair.left.artifact.id.as_str(),
            pair.right.artifact.id.as_str()
        ),
        (ids[0].as_str(), twin.id.as_str())
    );
    assert_converged(&s).await;
}
