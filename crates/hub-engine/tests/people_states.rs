//! People and workflow states between two memory trackers: persons reconciled by e-mail, user
//! name, display name (never cleared when nobody matches) and states reached through the
//! shortest path of allowed transitions (an unreachable one fails that artifact only).

mod common;

use std::collections::BTreeMap;

use common::{Config, Setup, settle, setup};
use hub_connector::memory::MemoryTracker;
use hub_domain::activity::ActivityState;
use hub_domain::integration::FieldFlow;
use hub_domain::model::{FieldType, FieldValue, PersonRef};

fn with_people_and_states() -> Config {
    Config {
        extra_fields: vec![
            ("assignee", FieldType::Person),
            ("status", FieldType::SingleSelect),
        ],
        ..Config::default()
    }
}

fn one(field: &str, value: FieldValue) -> BTreeMap<String, FieldValue> {
    [(field.to_owned(), value)].into()
}

fn assignee(t: &MemoryTracker, id: &str) -> Option<PersonRef> {
    match t.artifact(id)?.fields.get("assignee") {
        Some(FieldValue::Person(p)) => Some(p.clone()),
        _ => None,
    }
}

fn status(t: &MemoryTracker, id: &str) -> String {
    match &t.artifact(id).unwrap().fields["status"] {
        FieldValue::Option(s) => s.clone(),
        other => panic!("status is {other:?}"),
    }
}

/// A new artifact on the left, synchronized; returns its id and its twin's.
async fn paired(s: &Setup, summary: &str) -> (String, String) {
    let id = s
        .left
        .user_create("P", "bug", one("summary", FieldValue::Text(summary.into())))
        .unwrap()
        .id;
    settle(s).await;
    let pairs = s.store.pairs_after(s.integration, 0, 100).await.unwrap();
    let pair = pairs
        .into_iter()
        .find(|p| p.left.artifact.id == id)
        .unwrap();
    (id, pair.right.artifact.id)
}

async fn failed_codes(s: &Setup) -> Vec<String> {
    s.store
        .activities_in(ActivityState::Failed, 100)
        .await
        .unwrap()
        .into_iter()
        .chain(
            s.store
                .activities_in(ActivityState::Pending, 100)
                .await
                .unwrap(),
        )
        .filter_map(|a| a.error_code.map(|c| c.to_string()))
        .collect()
}

#[tokio::test]
async fn a_person_is_found_by_email_then_user_name_then_display_name() {
    let s = setup(with_people_and_states()).await;
    // Ids differ between the trackers; e-mail, user name or display name tie them together.
    let frank = s
        .left
        .add_person("frank", "frank@example.com", "Frank Fischer")
        .unwrap();
    s.right
        .add_person("zoe", "zoe@example.com", "Zoe Zed")
        .unwrap();
    let franky = s
        .right
        .add_person("franky", "frank@example.com", "F. Fischer")
        .unwrap();
    let gina = s
        .left
        .add_person("gina", "gina@left.example", "Gina G")
        .unwrap();
    let gina_r = s
        .right
        .add_person("gina", "gina@right.example", "Gina R")
        .unwrap();
    let hal = s
        .left
        .add_person("hal9", "hal@left.example", "Hal Nine")
        .unwrap();
    let hal_r = s
        .right
        .add_person("hal", "hal@right.example", "Hal Nine")
        .unwrap();
    assert_ne!(frank.id, franky.id);

    for (person, expected) in [(&frank, &franky), (&gina, &gina_r), (&hal, &hal_r)] {
        let (left_id, right_id) = paired(&s, &person.id).await;
        s.left
            .user_update(
                &left_id,
                one("assignee", FieldValue::Person(person.clone())),
            )
            .unwrap();
        settle(&s).await;
        assert_eq!(assignee(&s.right, &right_id).unwrap().id, expected.id);
    }
    // Converged: more rounds write nothing on either side.
    let versions = |t: &MemoryTracker| -> Vec<String> {
        t.snapshot()
            .into_iter()
            .map(|a| a.artifact.version)
            .collect()
    };
    let before = (versions(&s.left), versions(&s.right));
    settle(&s).await;
    assert_eq!((versions(&s.left), versions(&s.right)), before);
}

#[tokio::test]
async fn a_person_nobody_matches_fails_that_artifact_and_clears_nothing() {
    let s = setup(with_people_and_states()).await;
    let alice = s.left.person("alice").unwrap();
    let (left_id, right_id) = paired(&s, "assigned").await;
    s.left
        .user_update(&left_id, one("assignee", FieldValue::Person(alice.clone())))
        .unwrap();
    settle(&s).await;
    let right_alice = assignee(&s.right, &right_id).unwrap();
    assert_eq!(right_alice.email, alice.email);

    let stranger = s
        .left
        .add_person("quinn", "quinn@left.example", "Quinn Q")
        .unwrap();
    s.left
        .user_update(&left_id, one("assignee", FieldValue::Person(stranger)))
        .unwrap();
    let (other_left, other_right) = paired(&s, "other").await;
    s.left
        .user_update(
            &other_left,
            one("summary", FieldValue::Text("still flows".into())),
        )
        .unwrap();
    settle(&s).await;
    assert_eq!(assignee(&s.right, &right_id), Some(right_alice));
    assert!(failed_codes(&s).await.contains(&"SYN-90050E".to_owned()));
    assert_eq!(
        s.right.artifact(&other_right).unwrap().fields["summary"],
        FieldValue::Text("still flows".into())
    );
}

#[tokio::test]
async fn a_state_several_transitions_away_is_reached_by_the_shortest_path() {
    let s = setup(with_people_and_states()).await;
    let (left_id, right_id) = paired(&s, "to close").await;
    assert_eq!(status(&s.right, &right_id), "new");
    for state in ["in_progress", "resolved", "closed"] {
        s.left.user_transition(&left_id, state).unwrap();
    }
    settle(&s).await;
    assert_eq!(status(&s.right, &right_id), "closed");
    // A twin created from an artifact already far along its workflow is walked there too.
    let late = s
        .left
        .user_create("P", "bug", one("summary", FieldValue::Text("late".into())))
        .unwrap()
        .id;
    s.left.user_transition(&late, "in_progress").unwrap();
    s.left.user_transition(&late, "resolved").unwrap();
    settle(&s).await;
    let pairs = s.store.pairs_after(s.integration, 0, 100).await.unwrap();
    let twin = &pairs
        .iter()
        .find(|p| p.left.artifact.id == late)
        .unwrap()
        .right;
    assert_eq!(status(&s.right, &twin.artifact.id), "resolved");
    assert!(failed_codes(&s).await.is_empty());
}

#[tokio::test]
async fn an_unreachable_state_fails_that_artifact_only() {
    let mut config = with_people_and_states();
    config.flows.insert("status".into(), FieldFlow::LeftToRight);
    let s = setup(config).await;
    let (left_id, right_id) = paired(&s, "stuck").await;
    // On the right it is rejected, a state nothing leads out of.
    s.right.user_transition(&right_id, "rejected").unwrap();
    settle(&s).await;
    s.left.user_transition(&left_id, "in_progress").unwrap();
    let (other_left, other_right) = paired(&s, "moving").await;
    s.left.user_transition(&other_left, "in_progress").unwrap();
    settle(&s).await;
    assert_eq!(status(&s.right, &right_id), "rejected");
    assert_eq!(status(&s.right, &other_right), "in_progress");
    assert!(failed_codes(&s).await.contains(&"SYN-17021E".to_owned()));
    assert!(s.store.blockers().await.unwrap().is_empty(), "no blocker");
}
