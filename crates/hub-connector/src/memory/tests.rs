//! Behaviour of the memory tracker through its connector: the parts engine tests rely on.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Timelike, Utc};
use hub_domain::model::{FieldValue, PersonRef};

use super::*;
use crate::connector::Connector;
use crate::kind::Capability;
use crate::types::{ArtifactScope, NewArtifact, NewAttachment, NewComment, PersonQuery};

fn fields(pairs: &[(&str, FieldValue)]) -> BTreeMap<String, FieldValue> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn summary(text: &str) -> BTreeMap<String, FieldValue> {
    fields(&[("summary", FieldValue::Text(text.into()))])
}

fn new_artifact(text: &str, source: Option<&str>) -> NewArtifact {
    NewArtifact {
        project: "P".into(),
        artifact_type: "bug".into(),
        fields: summary(text),
        source: source.map(str::to_owned),
    }
}

fn connector() -> MemoryConnector {
    let tracker = Arc::new(MemoryTracker::new("test"));
    tracker.create_project("P", "Project P").unwrap();
    MemoryConnector::new(tracker)
}

#[tokio::test]
async fn times_are_whole_seconds_and_every_write_changes_the_version() {
    let c = connector();
    let a = c.create(&new_artifact("one", None)).await.unwrap();
    assert_eq!(a.updated_at.nanosecond(), 0);
    assert_eq!(a.formatted_id, "P-1");
    let mut versions = vec![a.version.clone()];
    versions.push(
        c.update(&a.id, None, &summary("two"))
            .await
            .unwrap()
            .version,
    );
    let comment = NewComment {
        body: "hi".into(),
        author: None,
        private: false,
        source: None,
    };
    c.add_comment(&a.id, &comment).await.unwrap();
    versions.push(c.fetch(&a.id).await.unwrap().version);
    let file = NewAttachment {
        file_name: "f".into(),
        content_type: "x/y".into(),
        content: vec![1],
        source: None,
    };
    c.upload(&a.id, &file).await.unwrap();
    versions.push(c.fetch(&a.id).await.unwrap().version);
    versions.push(
        c.perform_transition(&a.id, None, "start")
            .await
            .unwrap()
            .version,
    );
    let mut distinct = versions.clone();
    distinct.dedup();
    assert_eq!(distinct, versions);
    let unchanged = c.update(&a.id, None, &summary("two")).await.unwrap();
    assert_eq!(
        &unchanged.version,
        versions.last().unwrap(),
        "a write of the same value is no write"
    );
}

#[tokio::test]
async fn stale_versions_conflict() {
    let c = connector();
    let a = c.create(&new_artifact("one", None)).await.unwrap();
    let b = c
        .update(&a.id, Some(&a.version), &summary("two"))
        .await
        .unwrap();
    let err = c
        .update(&a.id, Some(&a.version), &summary("three"))
        .await
        .unwrap_err();
    assert_eq!(err.class, ErrorClass::VersionConflict);
    assert_eq!(c.fetch(&a.id).await.unwrap(), b);
    // A transition expecting the old version is refused the same way and moves nothing.
    let err = c
        .perform_transition(&a.id, Some(&a.version), "start")
        .await
        .unwrap_err();
    assert_eq!(err.class, ErrorClass::VersionConflict);
    assert_eq!(c.fetch(&a.id).await.unwrap(), b);
    let moved = c
        .perform_transition(&a.id, Some(&b.version), "start")
        .await
        .unwrap();
    assert_ne!(moved.version, b.version);
}

#[tokio::test]
async fn invalid_values_name_the_field_and_change_nothing() {
    let c = connector();
    let a = c.create(&new_artifact("one", None)).await.unwrap();
    let cases = [
        ("nope", FieldValue::Text("x".into()), "nope"),
        ("story_points", FieldValue::Text("x".into()), "story_points"),
        (
            "priority",
            FieldValue::Option("critical".into()),
            "priority",
        ),
        (
            "labels",
            FieldValue::Options(vec!["docs".into(), "ux".into()]),
            "labels",
        ),
        ("status", FieldValue::Option("closed".into()), "transition"),
        ("project", FieldValue::Text("Q".into()), "read-only"),
        ("summary", FieldValue::Null, "summary"),
        ("cost", FieldValue::Decimal("1,5".into()), "cost"),
        ("parent", FieldValue::Links(vec!["999".into()]), "parent"),
        (
            "assignee",
            FieldValue::Person(PersonRef {
                id: "nobody".into(),
                username: None,
                email: None,
                display_name: None,
            }),
            "assignee",
        ),
    ];
    for (field, value, needle) in cases {
        let mut write = summary("changed");
        write.insert(field.into(), value);
        let err = c.update(&a.id, None, &write).await.unwrap_err();
        assert_eq!(err.class, ErrorClass::InvalidValue, "{field}");
        assert!(err.message.contains(needle), "{field}: {}", err.message);
    }
    assert_eq!(c.fetch(&a.id).await.unwrap(), a);
    let missing_summary = NewArtifact {
        fields: BTreeMap::new(),
        ..new_artifact("", None)
    };
    assert_eq!(
        c.create(&missing_summary).await.unwrap_err().class,
        ErrorClass::InvalidValue
    );
}

#[tokio::test]
async fn values_are_stored_canonically() {
    let c = connector();
    let alice = PersonRef {
        id: "u1".into(),
        username: None,
        email: None,
        display_name: None,
    };
    let mut write = summary("x");
    write.insert(
        "labels".into(),
        FieldValue::Options(vec!["docs".into(), "backend".into(), "docs".into()]),
    );
    write.insert("assignee".into(), FieldValue::Person(alice));
    let a = c
        .create(&NewArtifact {
            fields: write,
            ..new_artifact("", None)
        })
        .await
        .unwrap();
    assert_eq!(
        a.fields["labels"],
        FieldValue::Options(vec!["backend".into(), "docs".into()])
    );
    let FieldValue::Person(assignee) = &a.fields["assignee"] else {
        panic!("no person")
    };
    assert_eq!(assignee.username.as_deref(), Some("alice"));
    assert_eq!(a.fields["status"], FieldValue::Option("new".into()));
    assert_eq!(a.fields["project"], FieldValue::Text("P".into()));
    assert_eq!(a.fields["due_date"], FieldValue::Null);
}

#[tokio::test]
async fn transitions_follow_the_workflow() {
    let c = connector();
    let a = c.create(&new_artifact("one", None)).await.unwrap();
    let ids: Vec<String> = c
        .transitions(&a.id)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(ids, ["start", "reject"]);
    assert_eq!(
        c.perform_transition(&a.id, None, "close")
            .await
            .unwrap_err()
            .class,
        ErrorClass::InvalidValue
    );
    c.tracker().user_transition(&a.id, "in_progress").unwrap();
    let resolved = c.tracker().user_transition(&a.id, "resolved").unwrap();
    assert_eq!(
        resolved.fields["status"],
        FieldValue::Option("resolved".into())
    );
}

#[tokio::test]
async fn lookups_by_source_formatted_id_and_person() {
    let c = connector();
    let a = c
        .create(&new_artifact("one", Some("left:7")))
        .await
        .unwrap();
    let scope = ArtifactScope {
        projects: vec!["P".into()],
        artifact_types: vec![],
    };
    assert_eq!(
        c.find_by_source(&scope, "left:7")
            .await
            .unwrap()
            .map(|f| f.id),
        Some(a.id.clone())
    );
    assert_eq!(c.find_by_source(&scope, "left:8").await.unwrap(), None);
    assert_eq!(
        c.find_by_formatted_id("P-1").await.unwrap().map(|f| f.id),
        Some(a.id.clone())
    );
    assert_eq!(c.find_by_formatted_id("P-2").await.unwrap(), None);
    assert_eq!(c.fetch("42").await.unwrap_err().class, ErrorClass::NotFound);
    let query = PersonQuery {
        field: "email".into(),
        value: "ALICE@example.COM".into(),
    };
    assert_eq!(c.search_persons(&query).await.unwrap().len(), 1);
    let prefix = PersonQuery {
        field: "username".into(),
        value: "ali".into(),
    };
    assert!(c.search_persons(&prefix).await.unwrap().is_empty());
}

#[tokio::test]
async fn state_files_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("left.json");
    let before = {
        let tracker = MemoryTracker::open("left", &path).unwrap();
        tracker.seed("DEMO", 12, 3).unwrap();
        let id = tracker.snapshot()[0].artifact.id.clone();
        tracker
            .user_attach(&id, "bytes.bin", (0..=255).collect())
            .unwrap();
        tracker.snapshot()
    };
    let tracker = Arc::new(MemoryTracker::open("left", &path).unwrap());
    assert_eq!(tracker.snapshot(), before);
    let c = MemoryConnector::new(tracker.clone());
    let first = &before[0];
    let attachment = first.attachments.last().unwrap();
    assert_eq!(
        c.download(&first.artifact.id, &attachment.id)
            .await
            .unwrap(),
        (0..=255).collect::<Vec<u8>>()
    );
    assert!(
        c.find_by_formatted_id(&first.artifact.formatted_id)
            .await
            .unwrap()
            .is_some()
    );
    let scope = ArtifactScope {
        projects: vec!["DEMO".into()],
        artifact_types: vec![],
    };
    assert_eq!(
        c.changed_since(&scope, None, None)
            .await
            .unwrap()
            .items
            .len(),
        12
    );
    let next = tracker
        .user_create("DEMO", "task", summary("after reload"))
        .unwrap();
    assert_eq!(next.id, "13");
    assert_eq!(next.formatted_id, "DEMO-13");
    assert!(!dir.path().join("left.json.tmp").exists());
}

#[tokio::test]
async fn a_missing_state_file_starts_empty_and_a_corrupt_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    assert_eq!(
        MemoryTracker::open("t", &path).unwrap().counts().artifacts,
        0
    );
    std::fs::write(&path, b"{ not json").unwrap();
    assert_eq!(
        MemoryTracker::open("t", &path).unwrap_err().class,
        ErrorClass::InvalidValue
    );
}

#[tokio::test]
async fn settings_build_connectors_over_a_shared_instance() {
    let name = "settings_build_connectors_over_a_shared_instance";
    let user_side = instance(name);
    user_side.seed("S", 3, 1).unwrap();
    let settings = ConnectionSettings {
        settings: serde_json::json!({"instance": name, "page_size": 2}),
        ..Default::default()
    };
    let hub_side = (kind().build)(&settings).unwrap();
    let scope = ArtifactScope {
        projects: vec!["S".into()],
        artifact_types: vec![],
    };
    let page = hub_side.changed_since(&scope, None, None).await.unwrap();
    assert_eq!(page.items.len(), 2);
    assert!(page.next.is_some());
    assert!(Arc::ptr_eq(&user_side, &instance(name)));
    for bad in [
        serde_json::json!({}),
        serde_json::json!({"instance": ""}),
        serde_json::json!({"instance": name, "colour": "red"}),
        serde_json::json!({"instance": name, "faults": {"conflict_rate": 2.0}}),
        serde_json::json!({"instance": name, "state_file": "/elsewhere.json"}),
    ] {
        let settings = ConnectionSettings {
            settings: bad.clone(),
            ..Default::default()
        };
        let err = MemoryConnector::from_settings(&settings).unwrap_err();
        assert_eq!(err.class, ErrorClass::InvalidValue, "{bad}");
    }
    assert!(remove_instance(name).is_some());
}

#[tokio::test]
async fn the_settings_schema_lists_every_fault_setting() {
    let schema = kind().settings_schema;
    let properties = schema["properties"]["faults"]["properties"]
        .as_object()
        .unwrap();
    let plan = serde_json::to_value(FaultPlan::default()).unwrap();
    let mut listed: Vec<&String> = properties.keys().collect();
    let mut fields: Vec<&String> = plan.as_object().unwrap().keys().collect();
    listed.sort();
    fields.sort();
    assert_eq!(listed, fields);
}

#[tokio::test]
async fn ambiguous_faults_write_and_then_fail() {
    let c = connector();
    c.set_faults(FaultPlan {
        ambiguous_rate: 1.0,
        ..FaultPlan::default()
    })
    .unwrap();
    let err = c
        .create(&new_artifact("one", Some("src:1")))
        .await
        .unwrap_err();
    assert_eq!(err.class, ErrorClass::Network);
    let scope = ArtifactScope {
        projects: vec!["P".into()],
        artifact_types: vec![],
    };
    let twin = c.find_by_source(&scope, "src:1").await.unwrap();
    assert!(
        twin.is_some(),
        "the write happened although the caller got an error"
    );
}

#[tokio::test]
async fn failures_before_the_call_change_nothing() {
    let c = connector();
    let a = c.create(&new_artifact("one", None)).await.unwrap();
    c.tracker()
        .set_faults(FaultPlan {
            network_error_rate: 1.0,
            ..FaultPlan::default()
        })
        .unwrap();
    assert_eq!(
        c.update(&a.id, None, &summary("x"))
            .await
            .unwrap_err()
            .class,
        ErrorClass::Network
    );
    c.tracker().set_faults(FaultPlan::default()).unwrap();
    assert_eq!(c.fetch(&a.id).await.unwrap(), a);

    c.set_faults(FaultPlan {
        rate_limit_rate: 1.0,
        retry_after_ms: 250,
        ..FaultPlan::default()
    })
    .unwrap();
    let limited = c.fetch(&a.id).await.unwrap_err();
    assert_eq!(
        (limited.class, limited.retry_after),
        (ErrorClass::RateLimited, Some(Duration::from_millis(250)))
    );

    c.set_faults(FaultPlan {
        conflict_rate: 1.0,
        ..FaultPlan::default()
    })
    .unwrap();
    assert_eq!(
        c.update(&a.id, None, &summary("x"))
            .await
            .unwrap_err()
            .class,
        ErrorClass::VersionConflict
    );
    assert!(c.fetch(&a.id).await.is_ok(), "conflicts only hit updates");
    assert_eq!(c.tracker().artifact(&a.id).unwrap(), a);
}

#[tokio::test(start_paused = true)]
async fn latency_is_added_to_every_call() {
    let c = connector()
        .with_faults(FaultPlan::latency(Duration::from_millis(300)))
        .unwrap();
    let start = tokio::time::Instant::now();
    c.projects().await.unwrap();
    c.test_connection().await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_millis(600));
}

#[tokio::test]
async fn fewer_capabilities_answer_unsupported() {
    let c = connector().with_capabilities(&[Capability::Create, Capability::Update]);
    assert!(!c.descriptor().can(Capability::Comments));
    let a = c.create(&new_artifact("one", None)).await.unwrap();
    assert_eq!(
        c.comments(&a.id).await.unwrap_err().class,
        ErrorClass::Unsupported
    );
    assert_eq!(
        c.create(&new_artifact("two", Some("s")))
            .await
            .unwrap_err()
            .class,
        ErrorClass::Unsupported
    );
    assert_eq!(
        c.update(&a.id, Some(&a.version), &summary("x"))
            .await
            .unwrap_err()
            .class,
        ErrorClass::Unsupported
    );
}

#[tokio::test]
async fn a_stopped_clock_still_truncates() {
    let c = connector();
    let t0 = DateTime::from_timestamp(1_700_000_000, 999_000_000).unwrap();
    c.tracker().set_clock(Some(t0));
    let a = c.create(&new_artifact("one", None)).await.unwrap();
    assert_eq!(
        a.updated_at,
        DateTime::from_timestamp(1_700_000_000, 0).unwrap()
    );
    c.tracker().advance_clock(TimeDelta::milliseconds(1));
    let b = c.update(&a.id, None, &summary("two")).await.unwrap();
    assert_eq!(
        b.updated_at,
        DateTime::from_timestamp(1_700_000_001, 0).unwrap()
    );
    c.tracker().set_clock(None);
    assert!(
        c.update(&a.id, None, &summary("three"))
            .await
            .unwrap()
            .updated_at
            > Utc::now() - TimeDelta::seconds(5)
    );
}

#[tokio::test]
async fn user_side_counts_and_deletes() {
    let tracker = MemoryTracker::new("users");
    let ids = tracker.seed("U", 5, 9).unwrap();
    tracker.user_comment(&ids[0], "bob", "looks good").unwrap();
    assert!(tracker.user_comment(&ids[0], "nobody", "x").is_err());
    let counts = tracker.counts();
    assert_eq!(counts.artifacts, 5);
    assert!(counts.comments[&ids[0]] >= 1);
    tracker.delete(&ids[0]).unwrap();
    assert_eq!(tracker.counts().artifacts, 4);
    assert!(tracker.artifact(&ids[0]).is_none());
    let carol = tracker
        .add_person("zed", "zed@example.com", "Zed Zimmer")
        .unwrap();
    assert_eq!(tracker.person("zed"), Some(carol));
    assert!(tracker.add_person("ZED", "z@example.com", "Z").is_err());
}

#[tokio::test]
async fn time_entries_are_logged_for_their_author_or_the_connection_user() {
    use crate::types::NewTimeEntry;
    let c = connector();
    let a = c.create(&new_artifact("logged", None)).await.unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
    let bob = c.tracker().person("bob");
    let new = NewTimeEntry {
        author: bob.clone(),
        spent_on: day,
        minutes: 90,
        comment: "pairing".into(),
        activity: Some("Development".into()),
        source: Some("src:t:1".into()),
    };
    let logged = c.add_time_entry(&a.id, &new).await.unwrap();
    assert_eq!(Some(&logged.author), bob.as_ref());
    assert_eq!(
        (logged.minutes, logged.spent_on, logged.source.as_deref()),
        (90, day, Some("src:t:1"))
    );
    let anonymous = NewTimeEntry {
        author: None,
        activity: None,
        source: None,
        ..new.clone()
    };
    let ours = c.add_time_entry(&a.id, &anonymous).await.unwrap();
    assert_eq!(ours.author.username.as_deref(), Some("alice"));
    let listed = c.time_entries(&a.id).await.unwrap();
    assert_eq!(listed, vec![logged.clone(), ours]);
    // A write to a part is a write to the artifact: change detection sees it.
    assert_ne!(c.fetch(&a.id).await.unwrap().version, a.version);

    let zero = NewTimeEntry {
        minutes: 0,
        ..new.clone()
    };
    let stranger = NewTimeEntry {
        author: Some(PersonRef {
            id: "u99".into(),
            username: None,
            email: None,
            display_name: None,
        }),
        ..new.clone()
    };
    for refused in [zero, stranger] {
        let e = c.add_time_entry(&a.id, &refused).await.unwrap_err();
        assert_eq!(e.class, ErrorClass::InvalidValue, "{refused:?}");
    }
    assert_eq!(c.time_entries(&a.id).await.unwrap().len(), 2);
    assert_eq!(c.tracker().counts().time_entries[&a.id], 2);

    let without = MemoryConnector::new(c.tracker().clone())
        .with_capabilities(&[Capability::Create, Capability::Comments]);
    let e = without.time_entries(&a.id).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Unsupported);
}
