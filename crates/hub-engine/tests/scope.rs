//! What an integration takes in: artifact filters (for creation and for updates, newly matching
//! artifacts found by a full scan), project mirroring, and full scans recorded as jobs.

mod common;

use std::collections::BTreeMap;

use common::{Config, assert_converged, settle, setup};
use hub_connector::memory::MemoryTracker;
use hub_domain::ErrorCode;
use hub_domain::filter::{ArtifactFilter, FilterOperator};
use hub_domain::integration::Side;
use hub_domain::job::JobState;
use hub_domain::model::FieldValue;
use hub_engine::FULL_SCAN_JOB;

fn urgent_only(applies_to_updates: bool) -> ArtifactFilter {
    ArtifactFilter {
        side: Side::Left,
        field: "priority".into(),
        operator: FilterOperator::OneOf,
        values: vec!["high".into(), "urgent".into()],
        applies_to_updates,
    }
}

fn priority(t: &MemoryTracker, id: &str) -> Option<String> {
    match t.artifact(id)?.fields.get("priority") {
        Some(FieldValue::Option(p)) => Some(p.clone()),
        _ => None,
    }
}

fn one(field: &str, value: FieldValue) -> BTreeMap<String, FieldValue> {
    [(field.to_owned(), value)].into()
}

#[tokio::test]
async fn only_matching_artifacts_get_twins_and_a_full_scan_finds_newly_matching_ones() {
    let s = setup(Config {
        filters: vec![urgent_only(false)],
        ..Config::default()
    })
    .await;
    let ids = s.left.seed("P", 30, 11).unwrap();
    let matching: Vec<&String> = ids
        .iter()
        .filter(|id| matches!(priority(&s.left, id).as_deref(), Some("high" | "urgent")))
        .collect();
    assert!(
        !matching.is_empty() && matching.len() < ids.len(),
        "the sample data must have both kinds"
    );
    settle(&s).await;
    let pairs = s.store.pairs_after(s.integration, 0, 100).await.unwrap();
    assert_eq!(pairs.len(), matching.len());
    assert!(
        pairs
            .iter()
            .all(|p| matching.contains(&&p.left.artifact.id))
    );
    assert_eq!(s.right.snapshot().len(), matching.len());

    // The filter is removed: nothing changed on the artifacts, so only a full scan finds them.
    let mut integration = s.store.integrations().await.unwrap().remove(0);
    integration.filters.clear();
    s.store.update_integration(&integration).await.unwrap();
    s.engine.load_running().await.unwrap();
    assert!(s.engine.detect(s.integration, true).await.unwrap() >= ids.len());
    settle(&s).await;
    assert_eq!(s.right.snapshot().len(), ids.len());
    assert_converged(&s).await;
}

#[tokio::test]
async fn a_pair_whose_artifact_stops_matching_pauses_until_it_matches_again() {
    let s = setup(Config {
        filters: vec![urgent_only(true)],
        ..Config::default()
    })
    .await;
    let id = s
        .left
        .user_create("P", "bug", one("summary", FieldValue::Text("first".into())));
    let id = id.unwrap().id;
    s.left
        .user_update(&id, one("priority", FieldValue::Option("urgent".into())))
        .unwrap();
    settle(&s).await;
    let pair = s
        .store
        .pairs_after(s.integration, 0, 1)
        .await
        .unwrap()
        .remove(0);
    let right_id = pair.right.artifact.id.clone();

    let mut edit = one("priority", FieldValue::Option("low".into()));
    edit.insert("summary".into(), FieldValue::Text("second".into()));
    s.left.user_update(&id, edit).unwrap();
    settle(&s).await;
    let summary = |t: &MemoryTracker, id: &str| t.artifact(id).unwrap().fields["summary"].clone();
    assert_eq!(
        summary(&s.right, &right_id),
        FieldValue::Text("first".into())
    );

    s.left
        .user_update(&id, one("priority", FieldValue::Option("high".into())))
        .unwrap();
    settle(&s).await;
    assert_eq!(
        summary(&s.right, &right_id),
        FieldValue::Text("second".into())
    );
    assert_eq!(priority(&s.right, &right_id).as_deref(), Some("high"));
}

#[tokio::test]
async fn a_filter_on_a_field_the_model_lacks_blocks_the_integration_with_its_code() {
    let mut filter = urgent_only(false);
    filter.field = "severity".into();
    let s = setup(Config::default()).await;
    let mut integration = s.store.integrations().await.unwrap().remove(0);
    integration.filters = vec![filter];
    s.store.update_integration(&integration).await.unwrap();
    assert!(s.engine.load_running().await.unwrap().is_empty());
    let blockers = s.store.blockers().await.unwrap();
    assert_eq!(blockers.len(), 1);
    assert_eq!(blockers[0].code, ErrorCode::error(1409));
    assert!(
        blockers[0].message.contains("severity"),
        "{}",
        blockers[0].message
    );
}

#[tokio::test]
async fn a_new_project_is_mirrored_with_a_route_and_its_artifacts_follow() {
    let s = setup(Config {
        mirror_projects: Some(Side::Left),
        ..Config::default()
    })
    .await;
    s.left.seed("P", 3, 1).unwrap();
    settle(&s).await;
    s.left.create_project("QA", "Quality").unwrap();
    let in_qa = s.left.seed("QA", 4, 2).unwrap();
    settle(&s).await;

    let integration = s.store.integrations().await.unwrap().remove(0);
    let routes: Vec<(String, String)> = integration
        .routes
        .iter()
        .map(|r| (r.left.clone(), r.right.clone()))
        .collect();
    assert_eq!(
        routes,
        [("P".into(), "P".into()), ("QA".into(), "QA".into())],
        "the implicit route is kept and the new one added"
    );
    assert!(s.right.projects().iter().any(|p| p.key == "QA"));
    let twins_in_qa = s
        .right
        .snapshot()
        .into_iter()
        .filter(|a| a.artifact.project == "QA")
        .count();
    assert_eq!(twins_in_qa, in_qa.len());
    assert_converged(&s).await;

    // Mirroring again changes nothing.
    settle(&s).await;
    let again = s.store.integrations().await.unwrap().remove(0);
    assert_eq!(again.routes.len(), 2);
}

#[tokio::test]
async fn a_full_scan_is_a_background_job_with_its_progress() {
    let s = setup(Config::default()).await;
    s.left.seed("P", 12, 5).unwrap();
    settle(&s).await;
    s.engine.detect(s.integration, true).await.unwrap();
    let jobs = s.store.jobs().await.unwrap();
    let scans: Vec<_> = jobs.iter().filter(|j| j.kind == FULL_SCAN_JOB).collect();
    assert_eq!(scans.len(), 2, "one per side: {jobs:?}");
    for job in scans {
        assert_eq!(job.state, JobState::Succeeded);
        assert_eq!(job.done, 12, "{job:?}");
        assert!(job.started_at.is_some() && job.finished_at.is_some());
    }
}
