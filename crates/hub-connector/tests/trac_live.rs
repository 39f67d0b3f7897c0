//! The Trac connector against a live Trac (`cargo xtask services up trac-a`): the conformance
//! suite, and the places where Trac differs from other trackers — errors inside HTTP 200
//! answers, the `_ts` collision check, workflow actions instead of status writes, changes
//! within one second, wrong credentials and addresses.
//!
//! `cargo xtask test` starts the instance and passes its address in `SYNCLINE_TEST_TRAC_A_*`.
//! Without those variables every test here fails with the command to run; none passes
//! without having talked to Trac.

use std::collections::BTreeMap;
use std::sync::Arc;

use hub_connector::conformance::Conformance;
use hub_connector::trac::{TracConnector, TracSettings, probe};
use hub_connector::types::{
    ArtifactScope, ConnectionSettings, NewArtifact, NewComment, PersonQuery, Transition,
    WorkflowEdge,
};
use hub_connector::{Connector, ErrorClass, Registry};
use hub_domain::model::{FieldValue, PersonRef};

/// The live instance's settings, from the variables `cargo xtask test` sets.
fn settings() -> TracSettings {
    let var = |suffix: &str| {
        let name = format!("SYNCLINE_TEST_TRAC_A_{suffix}");
        std::env::var(&name).unwrap_or_else(|_| {
            panic!(
                "{name} is not set. These tests need a live Trac: run `cargo xtask test`, or \
                 `cargo xtask services up trac-a` and set SYNCLINE_TEST_TRAC_A_URL (the URL \
                 `cargo xtask services status trac-a` shows), SYNCLINE_TEST_TRAC_A_USER=admin \
                 and SYNCLINE_TEST_TRAC_A_PASSWORD=syncline-admin"
            )
        })
    };
    TracSettings::new(var("URL"), var("USER"), var("PASSWORD"))
}

/// A connector built through the registry, as the hub builds it.
fn connector_with(settings: &TracSettings, extra: serde_json::Value) -> Arc<dyn Connector> {
    let connection = ConnectionSettings {
        url: settings.url.clone(),
        username: Some(settings.username.clone()),
        secret: Some(settings.password.clone()),
        settings: extra,
    };
    Registry::builtin()
        .build("trac", &connection)
        .expect("builds")
}

fn connector() -> Arc<dyn Connector> {
    connector_with(&settings(), serde_json::json!({}))
}

fn text(value: &str) -> FieldValue {
    FieldValue::Text(value.to_owned())
}

fn unique(what: &str) -> String {
    format!("{what} {}", chrono::Utc::now().timestamp_micros())
}

async fn create(connector: &dyn Connector, summary: &str) -> hub_connector::types::Artifact {
    let new = NewArtifact {
        project: "trac".into(),
        artifact_type: "defect".into(),
        fields: BTreeMap::from([("summary".to_owned(), text(summary))]),
        source: None,
    };
    connector.create(&new).await.expect("create")
}

async fn alice(connector: &dyn Connector) -> PersonRef {
    let query = PersonQuery {
        field: "email".into(),
        value: "alice@example.com".into(),
    };
    let found = connector
        .search_persons(&query)
        .await
        .expect("search persons");
    found.into_iter().next().expect("alice is a known user")
}

#[tokio::test(flavor = "multi_thread")]
async fn trac_conforms() {
    let connector = connector_with(&settings(), serde_json::json!({"page_size": 4}));
    let owner = alice(connector.as_ref()).await;
    assert_eq!(owner.display_name.as_deref(), Some("Alice Liddell"));
    let create_fields = BTreeMap::from([
        ("description".to_owned(), text("<p>Steps to reproduce</p>")),
        ("priority".to_owned(), FieldValue::Option("minor".into())),
        ("component".to_owned(), FieldValue::Option("backend".into())),
        (
            "milestone".to_owned(),
            FieldValue::Option("sprint-1".into()),
        ),
        ("keywords".to_owned(), text("sync trac")),
        ("owner".to_owned(), FieldValue::Person(owner)),
    ]);
    let suite = Conformance {
        create_fields,
        state_field: Some("status".into()),
        person_query: Some(PersonQuery {
            field: "username".into(),
            value: "bob".into(),
        }),
        paging_artifacts: 10,
        ..Conformance::new(connector, "trac", "defect", "summary")
    };
    let report = suite.run().await;
    eprintln!("{report}");
    report.assert_passed();
    let mut skipped: Vec<&str> = report.skipped.iter().map(|(name, _)| *name).collect();
    skipped.sort_unstable();
    assert_eq!(
        skipped,
        ["relationships", "time_entries", "time_entries_for_worker"],
        "only relationships and time entries are absent in Trac:\n{report}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_inside_http_200_answers_are_classified() {
    let connector = connector();
    let missing = connector.fetch("987654321").await.unwrap_err();
    assert_eq!(missing.class, ErrorClass::NotFound, "{missing}");
    let ticket = create(connector.as_ref(), &unique("errors")).await;
    let bad = BTreeMap::from([(
        "priority".to_owned(),
        FieldValue::Option("urgent-ish".into()),
    )]);
    let invalid = connector.update(&ticket.id, None, &bad).await.unwrap_err();
    assert_eq!(invalid.class, ErrorClass::InvalidValue, "{invalid}");
    assert!(invalid.message.contains("priority"), "{invalid}");
    let action = connector
        .perform_transition(&ticket.id, None, "teleport")
        .await
        .unwrap_err();
    assert_eq!(action.class, ErrorClass::InvalidValue, "{action}");
    let after = connector.fetch(&ticket.id).await.unwrap();
    assert_eq!(
        after.version, ticket.version,
        "refused writes change nothing"
    );
    // Trac's ticket.create takes any option; the connector checks them itself.
    let new = NewArtifact {
        project: "trac".into(),
        artifact_type: "defect".into(),
        fields: BTreeMap::from([
            ("summary".to_owned(), text(&unique("bad option"))),
            (
                "priority".to_owned(),
                FieldValue::Option("urgent-ish".into()),
            ),
        ]),
        source: None,
    };
    let refused = connector.create(&new).await.unwrap_err();
    assert_eq!(refused.class, ErrorClass::InvalidValue, "{refused}");
    let other_type = NewArtifact {
        artifact_type: "epic".into(),
        ..new
    };
    assert_eq!(
        connector.create(&other_type).await.unwrap_err().class,
        ErrorClass::InvalidValue
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_ts_is_a_version_conflict_also_between_racers() {
    let connector = connector();
    let ticket = create(connector.as_ref(), &unique("collision")).await;
    let first = BTreeMap::from([("summary".to_owned(), text("first writer"))]);
    let written = connector
        .update(&ticket.id, Some(&ticket.version), &first)
        .await
        .unwrap();
    assert_ne!(written.version, ticket.version);
    let late = BTreeMap::from([("summary".to_owned(), text("late writer"))]);
    let stale = connector
        .update(&ticket.id, Some(&ticket.version), &late)
        .await
        .unwrap_err();
    assert_eq!(stale.class, ErrorClass::VersionConflict, "{stale}");

    let racers = (0..4).map(|n| {
        let (connector, id, version) = (
            connector.clone(),
            written.id.clone(),
            written.version.clone(),
        );
        tokio::spawn(async move {
            let fields = BTreeMap::from([("keywords".to_owned(), text(&format!("racer{n}")))]);
            connector.update(&id, Some(&version), &fields).await
        })
    });
    let mut outcomes = Vec::new();
    for racer in racers {
        outcomes.push(racer.await.unwrap());
    }
    // Trac checks `_ts` and then writes, not atomically: racers within the same instant may
    // both pass. Every racer that loses must lose as a conflict, and the ticket ends with a
    // winner's value.
    let winners: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    assert!(!winners.is_empty(), "somebody wins: {outcomes:?}");
    for lost in outcomes.iter().filter_map(|o| o.as_ref().err()) {
        assert!(
            matches!(lost.class, ErrorClass::VersionConflict | ErrorClass::Locked),
            "a losing racer is a conflict (or a busy database), not {lost}"
        );
    }
    let last = connector.fetch(&written.id).await.unwrap();
    let keywords = last.fields.get("keywords");
    assert!(
        winners.iter().any(|w| w.fields.get("keywords") == keywords),
        "the ticket keeps a winner's value, not {keywords:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn status_changes_only_through_workflow_actions() {
    let connector = connector();
    let ticket = create(connector.as_ref(), &unique("workflow")).await;
    let status = BTreeMap::from([("status".to_owned(), FieldValue::Option("closed".into()))]);
    let refused = connector
        .update(&ticket.id, None, &status)
        .await
        .unwrap_err();
    assert_eq!(refused.class, ErrorClass::InvalidValue, "{refused}");

    let state = |a: &hub_connector::types::Artifact| a.fields.get("status").cloned();
    let mut current = ticket;
    for (action, expected) in [
        ("accept", "accepted"),
        ("resolve", "closed"),
        ("reopen", "reopened"),
    ] {
        let available = connector.transitions(&current.id).await.unwrap();
        let transition = available
            .iter()
            .find(|t| t.id == action)
            .unwrap_or_else(|| {
                panic!(
                    "'{action}' not offered in {:?}: {available:?}",
                    state(&current)
                )
            });
        assert_eq!(transition.to_state, expected);
        assert!(
            available.iter().all(|t| t.id != "leave"),
            "leave is no transition"
        );
        current = connector
            .perform_transition(&current.id, None, action)
            .await
            .unwrap();
        assert_eq!(state(&current), Some(FieldValue::Option(expected.into())));
    }
    let resolution = current
        .fields
        .get("resolution")
        .cloned()
        .unwrap_or(FieldValue::Null);
    assert_eq!(
        resolution,
        FieldValue::Null,
        "reopening clears the resolution"
    );
}

/// The shortest path of transitions from `from` to `to` along `workflow`, breadth first.
fn shortest_path(workflow: &[WorkflowEdge], from: &str, to: &str) -> Option<Vec<Transition>> {
    let mut paths: BTreeMap<String, Vec<Transition>> = BTreeMap::from([(from.to_owned(), vec![])]);
    let mut frontier = vec![from.to_owned()];
    while !frontier.is_empty() {
        let mut next = Vec::new();
        for state in frontier {
            for edge in workflow.iter().filter(|e| e.from_state == state) {
                let target = &edge.transition.to_state;
                if !paths.contains_key(target) {
                    let mut path = paths[&state].clone();
                    path.push(edge.transition.clone());
                    paths.insert(target.clone(), path);
                    next.push(target.clone());
                }
            }
        }
        frontier = next;
    }
    paths.remove(to)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_workflow_leads_in_two_actions_where_no_single_one_does() {
    let connector = connector();
    assert_eq!(connector.state_field(), Some("status"));
    let ticket = create(connector.as_ref(), &unique("workflow walk")).await;
    let workflow = connector.workflow("trac", "defect").await.unwrap();
    assert!(
        workflow
            .iter()
            .all(|e| e.transition.id != "leave" && e.from_state != e.transition.to_state),
        "{workflow:?}"
    );
    let offered = connector.transitions(&ticket.id).await.unwrap();
    let from_new = |t: &Transition| {
        workflow.iter().any(|e| {
            e.from_state == "new" && e.transition.id == t.id && e.transition.to_state == t.to_state
        })
    };
    assert!(offered.iter().all(from_new), "{offered:?} vs {workflow:?}");
    let edges_from_new = workflow.iter().filter(|e| e.from_state == "new").count();
    assert_eq!(edges_from_new, offered.len(), "{workflow:?}");

    assert!(offered.iter().all(|t| t.to_state != "reopened"));
    let path = shortest_path(&workflow, "new", "reopened").expect("reopened is reachable");
    assert_eq!(path.len(), 2, "{path:?}");
    let mut current = ticket;
    for step in &path {
        current = connector
            .perform_transition(&current.id, None, &step.id)
            .await
            .unwrap();
        let state = current.fields.get("status").cloned();
        assert_eq!(state, Some(FieldValue::Option(step.to_state.clone())));
    }
    let err = connector.workflow("trac", "epic").await.unwrap_err();
    assert_eq!(err.class, ErrorClass::NotFound, "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_within_one_second_are_all_reported_once() {
    let connector = connector_with(&settings(), serde_json::json!({"page_size": 2}));
    let tag = unique("same second");
    let mut created = Vec::new();
    for n in 0..7 {
        created.push(create(connector.as_ref(), &format!("{tag} {n}")).await);
    }
    let since = created[0].updated_at;
    let scope = ArtifactScope {
        projects: vec!["trac".into()],
        artifact_types: vec![],
    };
    let mut seen = Vec::new();
    let mut page = None;
    let mut pages = 0;
    loop {
        let answer = connector
            .changed_since(&scope, Some(since), page.as_deref())
            .await
            .unwrap();
        pages += 1;
        if pages == 2 {
            // A change while paging: the ticket must show up again later, not vanish.
            let fields = BTreeMap::from([("keywords".to_owned(), text("touched"))]);
            connector
                .update(&created[0].id, None, &fields)
                .await
                .unwrap();
        }
        seen.extend(answer.items);
        match answer.next {
            Some(next) => page = Some(next),
            None => break,
        }
        assert!(pages < 50, "paging does not end");
    }
    assert!(pages >= 4, "7 tickets in pages of 2 took {pages} pages");
    for ticket in &created {
        assert!(
            seen.iter().any(|c| c.id == ticket.id),
            "{} was lost",
            ticket.id
        );
    }
    let mut ids: Vec<&str> = seen.iter().map(|c| c.id.as_str()).collect();
    let touched = ids.iter().filter(|id| **id == created[0].id).count();
    assert_eq!(
        touched, 2,
        "the ticket changed while paging is reported at both places"
    );
    ids.retain(|id| *id != created[0].id);
    let before = ids.len();
    ids.dedup();
    assert_eq!(before, ids.len(), "no other ticket is repeated");
    // A watermark truncated to the second (the engine's overlap) finds the same tickets again,
    // on whichever page the tickets other tests change in that second leave them.
    let truncated = chrono::DateTime::from_timestamp(since.timestamp(), 0).expect("in range");
    let mut again = Vec::new();
    let mut page = None;
    loop {
        let answer = connector
            .changed_since(&scope, Some(truncated), page.as_deref())
            .await
            .unwrap();
        again.extend(answer.items);
        match answer.next {
            Some(next) => page = Some(next),
            None => break,
        }
    }
    assert!(again.iter().any(|c| c.id == created[1].id));
}

#[tokio::test(flavor = "multi_thread")]
async fn comments_keep_their_author_and_source() {
    let connector = connector();
    let ticket = create(connector.as_ref(), &unique("comments")).await;
    let bob = connector
        .search_persons(&PersonQuery {
            field: "display_name".into(),
            value: "bob builder".into(),
        })
        .await
        .unwrap()
        .pop()
        .expect("bob by display name");
    let new = NewComment {
        body: "<p>Copied from elsewhere</p>".into(),
        author: Some(bob.clone()),
        private: false,
        source: Some("redmine:12:journal:3".into()),
    };
    let added = connector.add_comment(&ticket.id, &new).await.unwrap();
    assert_eq!(added.author.as_ref(), Some(&bob));
    assert_eq!(added.source.as_deref(), Some("redmine:12:journal:3"));
    let listed = connector.comments(&ticket.id).await.unwrap();
    assert_eq!(listed, [added]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_is_an_auth_failure() {
    let mut wrong = settings();
    wrong.password.push_str("-wrong");
    let connector = TracConnector::new(wrong).unwrap();
    let err = connector.test_connection().await.unwrap_err();
    assert_eq!(err.class, ErrorClass::Auth, "{err}");
    assert!(err.class.blocks_repository());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_address_is_a_network_failure_and_a_wrong_path_not_found() {
    let live = settings();
    let refused = TracConnector::new(TracSettings::new(
        "http://127.0.0.1:9",
        &live.username,
        &live.password,
    ))
    .unwrap();
    let err = refused.test_connection().await.unwrap_err();
    assert_eq!(err.class, ErrorClass::Network, "{err}");
    let path = format!("{}/no-such-environment", live.url);
    let wrong_path =
        TracConnector::new(TracSettings::new(path, &live.username, &live.password)).unwrap();
    let err = wrong_path.test_connection().await.unwrap_err();
    assert_eq!(err.class, ErrorClass::NotFound, "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_rate_probe_measures_every_kind_of_request() {
    let rates = probe::measure(&settings(), 4, 24).await.unwrap();
    eprintln!("Trac raw API at concurrency 4: {rates:?}");
    assert_eq!((rates.concurrency, rates.requests), (4, 24));
    for rate in [
        rates.creates_per_second,
        rates.reads_per_second,
        rates.updates_per_second,
    ] {
        assert!(rate.is_finite() && rate > 1.0, "{rates:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rich_text_round_trips_through_wiki_formatting() {
    let connector = connector();
    let model = "<p><strong>Bold</strong>, <em>italic</em> and <code>code</code></p>\n\
                 <ul><li>one</li><li>two</li></ul>";
    let expected = hub_connector::markup::to_model(
        &hub_connector::markup::from_model(model, hub_connector::markup::Markup::TracWiki),
        hub_connector::markup::Markup::TracWiki,
    );
    assert!(
        expected.contains("<strong>Bold</strong>") && expected.contains("<li>two</li>"),
        "the formatting survives WikiFormatting: {expected}"
    );
    let ticket = create(connector.as_ref(), &unique("rich text")).await;
    let fields = BTreeMap::from([("description".to_owned(), text(model))]);
    connector.update(&ticket.id, None, &fields).await.unwrap();
    let read = connector.fetch(&ticket.id).await.unwrap();
    assert_eq!(read.fields.get("description"), Some(&text(&expected)));
    let comment = NewComment {
        body: model.to_owned(),
        author: None,
        private: false,
        source: None,
    };
    let added = connector.add_comment(&ticket.id, &comment).await.unwrap();
    assert_eq!(added.body, expected);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_source_field_is_named_instead_of_dropping_the_identity() {
    let connector = connector_with(
        &settings(),
        serde_json::json!({"source_field": "syncline_origin"}),
    );
    let mut new = NewArtifact {
        project: "trac".into(),
        artifact_type: "task".into(),
        fields: BTreeMap::from([("summary".to_owned(), text(&unique("no source field")))]),
        source: Some("redmine:1".into()),
    };
    let err = connector.create(&new).await.unwrap_err();
    assert_eq!(err.class, ErrorClass::InvalidValue, "{err}");
    assert!(err.message.contains("[ticket-custom]"), "{err}");
    let scope = ArtifactScope {
        projects: vec!["trac".into()],
        artifact_types: vec![],
    };
    let search = connector
        .find_by_source(&scope, "redmine:1")
        .await
        .unwrap_err();
    assert_eq!(search.class, ErrorClass::InvalidValue);
    new.source = None;
    assert!(
        connector.create(&new).await.is_ok(),
        "creation without a source still works"
    );
}
