//! Workflow states through value maps between two memory trackers whose states meet in a
//! smaller model vocabulary: several tracker states map onto one model state, and the way out
//! of the model names one tracker state per model state.

mod common;

use std::collections::BTreeMap;

use common::{Config, Setup, settle, setup};
use hub_connector::memory::MemoryTracker;
use hub_domain::activity::ActivityState;
use hub_domain::mapping::Transform;
use hub_domain::model::{FieldType, FieldValue};

/// Tracker state = model state: resolved, closed and rejected are all done.
const INTO_MODEL: &[(&str, &str)] = &[
    ("new", "new"),
    ("in_progress", "in_progress"),
    ("resolved", "closed"),
    ("closed", "closed"),
    ("rejected", "closed"),
];

/// The way back, written like the way in (tracker state = model state) and read inverted.
const OUT_OF_MODEL: &[(&str, &str)] = &[
    ("new", "new"),
    ("in_progress", "in_progress"),
    ("closed", "closed"),
];

/// The way back written the other way round (model state = tracker state): read inverted,
/// `closed` is in no entry and falls to the default.
const OUT_OF_MODEL_BACKWARDS: &[(&str, &str)] = &[
    ("new", "new"),
    ("in_progress", "in_progress"),
    ("closed", "resolved"),
];

fn value_map(pairs: &[(&str, &str)]) -> Transform {
    Transform::ValueMap {
        map: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        default: Some("new".into()),
    }
}

/// Two trackers with `status` mapped through value maps; the right side's way out of the model
/// is `right_out`.
async fn with_state_maps(right_out: &[(&str, &str)]) -> Setup {
    let s = setup(Config {
        extra_fields: vec![("status", FieldType::SingleSelect)],
        ..Config::default()
    })
    .await;
    let integration = s
        .store
        .integrations()
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.id == Some(s.integration))
        .unwrap();
    let model = s.store.collection(integration.left).await.unwrap().model;
    for (collection, out) in [
        (integration.left, OUT_OF_MODEL),
        (integration.right, right_out),
    ] {
        let mut mapping = s.store.mapping(collection, model).await.unwrap().unwrap();
        let line = mapping
            .fields
            .iter_mut()
            .find(|l| l.model_field == "status")
            .unwrap();
        line.to_model = value_map(INTO_MODEL);
        line.from_model = value_map(out);
        s.store.put_mapping(&mapping).await.unwrap();
    }
    s.engine.reload().await.unwrap();
    s
}

fn status(t: &MemoryTracker, id: &str) -> String {
    match &t.artifact(id).unwrap().fields["status"] {
        FieldValue::Option(s) => s.clone(),
        other => panic!("status is {other:?}"),
    }
}

async fn paired(s: &Setup) -> (String, String) {
    let fields = BTreeMap::from([("summary".to_owned(), FieldValue::Text("work".into()))]);
    let id = s.left.user_create("P", "bug", fields).unwrap().id;
    settle(s).await;
    let pairs = s.store.pairs_after(s.integration, 0, 100).await.unwrap();
    let pair = pairs
        .into_iter()
        .find(|p| p.left.artifact.id == id)
        .unwrap();
    (id, pair.right.artifact.id)
}

async fn codes(s: &Setup) -> Vec<String> {
    let mut codes = Vec::new();
    for state in [ActivityState::Failed, ActivityState::Pending] {
        let activities = s.store.activities_in(state, 100).await.unwrap();
        codes.extend(
            activities
                .into_iter()
                .filter_map(|a| a.error_code.map(|c| c.to_string())),
        );
    }
    codes
}

fn versions(t: &MemoryTracker) -> Vec<String> {
    t.snapshot()
        .into_iter()
        .map(|a| a.artifact.version)
        .collect()
}

#[tokio::test]
async fn a_state_change_on_either_side_arrives_through_many_to_one_maps_and_stays() {
    let s = with_state_maps(OUT_OF_MODEL).await;
    let (left, right) = paired(&s).await;

    // The right side resolves: done in the model, so the left walks to its own done state.
    s.right.user_transition(&right, "in_progress").unwrap();
    settle(&s).await;
    assert_eq!(status(&s.left, &left), "in_progress");
    s.right.user_transition(&right, "resolved").unwrap();
    settle(&s).await;
    assert_eq!(status(&s.left, &left), "closed");
    assert_eq!(status(&s.right, &right), "resolved", "never pushed back");

    // Another done state on the left is the same model state: nothing to carry.
    s.left.user_transition(&left, "rejected").unwrap();
    settle(&s).await;
    assert_eq!(status(&s.right, &right), "resolved");
    assert_eq!(codes(&s).await, Vec::<String>::new());

    // Converged: more rounds write nothing on either side.
    let before = (versions(&s.left), versions(&s.right));
    settle(&s).await;
    assert_eq!((versions(&s.left), versions(&s.right)), before);
}

#[tokio::test]
async fn a_way_out_of_the_model_written_backwards_fails_the_artifact_and_writes_nothing() {
    let s = with_state_maps(OUT_OF_MODEL_BACKWARDS).await;
    let (left, right) = paired(&s).await;
    s.left.user_transition(&left, "in_progress").unwrap();
    settle(&s).await;
    assert_eq!(status(&s.right, &right), "in_progress");

    // Done on the left: the backwards map would write the default `new`, which reads back as
    // another state than the left's (and cannot even be reached from `in_progress`).
    s.left.user_transition(&left, "resolved").unwrap();
    settle(&s).await;
    assert_eq!(codes(&s).await, vec!["SYN-17002E".to_owned()]);
    assert_eq!(status(&s.right, &right), "in_progress", "nothing written");
    assert_eq!(
        status(&s.left, &left),
        "resolved",
        "the user's change stays"
    );
}
