//! The conformance suite against the memory connector: the reference must pass it as is, and
//! still pass when every call is slow.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate};
use hub_connector::conformance::Conformance;
use hub_connector::memory::{self, FaultPlan, MemoryConnector};
use hub_connector::types::{ConnectionSettings, PersonQuery};
use hub_connector::{Capability, Connector, Registry};
use hub_domain::model::{FieldValue, WebLink};

/// Builds a memory connector through the registry, as the hub does, over a fresh instance.
fn memory_connector(instance: &str, faults: serde_json::Value) -> Arc<dyn Connector> {
    let tracker = memory::instance(instance);
    tracker.create_project("CONF", "Conformance").unwrap();
    let settings = ConnectionSettings {
        settings: serde_json::json!({"instance": instance, "page_size": 4, "faults": faults}),
        ..Default::default()
    };
    Registry::builtin().build("memory", &settings).unwrap()
}

/// Values of every writable field type, so create-then-fetch checks each round trip.
fn every_writable_type() -> BTreeMap<String, FieldValue> {
    let tracker = memory::instance("conformance-persons");
    let alice = tracker.person("alice").unwrap();
    let bob = tracker.person("bob").unwrap();
    let values = [
        ("description", FieldValue::Text("*Rich* text".into())),
        ("priority", FieldValue::Option("high".into())),
        (
            "labels",
            FieldValue::Options(vec!["docs".into(), "backend".into()]),
        ),
        ("blocking", FieldValue::Bool(true)),
        ("story_points", FieldValue::Integer(8)),
        ("cost", FieldValue::Decimal("1234.50".into())),
        (
            "due_date",
            FieldValue::Date(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()),
        ),
        (
            "next_review",
            FieldValue::DateTime(DateTime::from_timestamp(1_780_000_000, 0).unwrap()),
        ),
        ("time_spent", FieldValue::Minutes(95)),
        ("assignee", FieldValue::Person(alice.clone())),
        ("watchers", FieldValue::Persons(vec![bob, alice])),
        (
            "links",
            FieldValue::WebLinks(vec![WebLink {
                url: "https://example.com/spec".into(),
                label: "Spec".into(),
            }]),
        ),
    ];
    values.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn suite(connector: Arc<dyn Connector>) -> Conformance {
    Conformance {
        create_fields: every_writable_type(),
        invalid_value: Some(("priority".into(), FieldValue::Option("blocker".into()))),
        state_field: Some("status".into()),
        relationship_field: Some("related".into()),
        person_query: Some(PersonQuery {
            field: "email".into(),
            value: "carol@example.com".into(),
        }),
        time_entry_worker: Some(PersonQuery {
            field: "username".into(),
            value: "dave".into(),
        }),
        paging_artifacts: 10,
        ..Conformance::new(connector, "CONF", "bug", "summary")
    }
}

#[tokio::test]
async fn the_memory_connector_conforms() {
    let report = suite(memory_connector("conformance-plain", serde_json::json!({})))
        .run()
        .await;
    report.assert_passed();
    assert!(
        report.skipped.is_empty(),
        "the reference skips nothing:\n{report}"
    );
}

#[tokio::test]
async fn the_memory_connector_conforms_when_slow() {
    let faults = serde_json::json!({"seed": 11, "latency_ms": 2, "latency_jitter_ms": 3});
    let report = suite(memory_connector("conformance-slow", faults))
        .run()
        .await;
    report.assert_passed();
    assert!(report.skipped.is_empty(), "{report}");
}

#[tokio::test]
async fn checks_without_their_capability_are_skipped_not_passed() {
    let tracker = memory::instance("conformance-limited");
    tracker.create_project("CONF", "Conformance").unwrap();
    let connector = MemoryConnector::new(tracker)
        .with_capabilities(&[Capability::Create, Capability::Update])
        .with_page_size(4);
    let report = suite(Arc::new(connector)).run().await;
    report.assert_passed();
    let skipped: Vec<&str> = report.skipped.iter().map(|(name, _)| *name).collect();
    for name in [
        "stale_version_conflicts",
        "find_by_source",
        "comments",
        "attachments",
        "time_entries",
        "time_entries_for_worker",
        "transitions",
        "persons_search",
    ] {
        assert!(skipped.contains(&name), "{name} not skipped:\n{report}");
        assert!(
            report.results.iter().all(|(ran, _)| *ran != name),
            "{name} ran:\n{report}"
        );
    }
}

#[tokio::test]
async fn a_broken_connector_fails_with_every_problem_listed() {
    let tracker = memory::instance("conformance-broken");
    tracker.create_project("CONF", "Conformance").unwrap();
    let connector = MemoryConnector::new(tracker).with_page_size(4);
    connector
        .set_faults(FaultPlan {
            network_error_rates: BTreeMap::from([(memory::CallKind::Comments, 1.0)]),
            ..FaultPlan::default()
        })
        .unwrap();
    let mut conformance = suite(Arc::new(connector));
    conformance.check_timeout = Duration::from_secs(30);
    let report = conformance.run().await;
    assert!(!report.passed());
    let failures = report.failures();
    assert_eq!(
        failures.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
        ["comments"],
        "{report}"
    );
    let panic = std::panic::catch_unwind(|| report.assert_passed()).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(message.contains("comments: comments failed"), "{message}");
}
