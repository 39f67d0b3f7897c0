//! The Redmine connector against a live Redmine: the conformance suite, and the pitfalls
//! Redmine is known for (closed issues hidden from lists, one-second `updated_on`, 422 bodies,
//! refused keys, unreachable servers).
//!
//! The instance comes from `SYNCLINE_TEST_REDMINE_A_URL` and `SYNCLINE_TEST_REDMINE_A_KEY`
//! (`cargo xtask test` sets them), else from the record `cargo xtask services up redmine-a`
//! leaves behind. Without either the tests fail and say how to start one: a live test that
//! passes without its tracker would prove nothing.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use hub_connector::conformance::Conformance;
use hub_connector::redmine::{self, RedmineConnector, RedmineSettings};
use hub_connector::types::{
    ArtifactScope, ChangedArtifact, ConnectionSettings, NewArtifact, NewComment, NewTimeEntry,
    PersonQuery, WorkflowEdge,
};
use hub_connector::{Capability, Connector, ErrorClass, Registry};
use hub_domain::model::FieldValue;

/// The project `fixtures/redmine/setup.rb` prepares.
const PROJECT: &str = "syncline";
/// A tracker every Redmine has after loading the default data.
const TRACKER: &str = "Bug";

/// URL and API key of the live `redmine-a`.
fn instance() -> (String, String) {
    let from_env = (
        std::env::var("SYNCLINE_TEST_REDMINE_A_URL"),
        std::env::var("SYNCLINE_TEST_REDMINE_A_KEY"),
    );
    if let (Ok(url), Ok(key)) = from_env {
        return (url, key);
    }
    recorded_instance().unwrap_or_else(|| {
        panic!(
            "no live Redmine: SYNCLINE_TEST_REDMINE_A_URL/_KEY are not set and no redmine-a is \
             recorded; run `cargo xtask services up redmine-a` (or the full `cargo xtask test`)"
        )
    })
}

/// The instance `cargo xtask services up redmine-a` recorded, if it still listens.
fn recorded_instance() -> Option<(String, String)> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    let record = std::fs::read_to_string(cache.join("syncline/services/redmine-a.json")).ok()?;
    let record: serde_json::Value = serde_json::from_str(&record).ok()?;
    let port = u16::try_from(record["port"].as_u64()?).ok()?;
    // A record of a server that has died since is no instance.
    std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    let dir = PathBuf::from(record["dir"].as_str()?);
    let key = std::fs::read_to_string(dir.join("api_key")).ok()?;
    Some((
        record["admin_url"].as_str()?.to_owned(),
        key.trim().to_owned(),
    ))
}

fn settings(page_size: usize) -> RedmineSettings {
    let (url, key) = instance();
    RedmineSettings {
        page_size,
        ..RedmineSettings::new(url, key)
    }
}

fn connector(page_size: usize) -> Arc<RedmineConnector> {
    Arc::new(RedmineConnector::new(settings(page_size)).expect("valid settings"))
}

fn scope() -> ArtifactScope {
    ArtifactScope {
        projects: vec![PROJECT.into()],
        artifact_types: vec![TRACKER.into()],
    }
}

fn text(value: &str) -> FieldValue {
    FieldValue::Text(value.to_owned())
}

async fn create(connector: &RedmineConnector, subject: &str) -> hub_connector::types::Artifact {
    let new = NewArtifact {
        project: PROJECT.into(),
        artifact_type: TRACKER.into(),
        fields: BTreeMap::from([("subject".to_owned(), text(subject))]),
        source: None,
    };
    connector.create(&new).await.expect("create")
}

/// Every change since `since`, all pages.
async fn all_changes(
    connector: &RedmineConnector,
    since: Option<chrono::DateTime<chrono::Utc>>,
) -> Vec<ChangedArtifact> {
    changes_from(connector, since, None).await
}

/// The changes since `since` on the pages from `token` on (from the first without).
async fn changes_from(
    connector: &RedmineConnector,
    since: Option<chrono::DateTime<chrono::Utc>>,
    mut token: Option<String>,
) -> Vec<ChangedArtifact> {
    let mut all = Vec::new();
    loop {
        let page = connector
            .changed_since(&scope(), since, token.as_deref())
            .await
            .expect("changed_since");
        all.extend(page.items);
        match page.next {
            Some(next) => token = Some(next),
            None => return all,
        }
    }
}

fn unique(label: &str) -> String {
    format!(
        "{label} {}",
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
    )
}

#[tokio::test]
async fn the_redmine_connector_conforms() {
    let connector = connector(5);
    let alice = connector
        .search_persons(&PersonQuery {
            field: "email".into(),
            value: "alice@example.com".into(),
        })
        .await
        .expect("search alice")
        .pop()
        .expect("the prepared Redmine has alice");
    let create_fields = [
        (
            "description",
            text("<p>Rich <strong>text</strong> and <em>more</em></p>"),
        ),
        ("priority", FieldValue::Option("High".into())),
        ("assigned_to", FieldValue::Person(alice)),
        ("category", FieldValue::Option("Backend".into())),
        ("fixed_version", FieldValue::Option("1.0".into())),
        (
            "start_date",
            FieldValue::Date(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()),
        ),
        (
            "due_date",
            FieldValue::Date(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()),
        ),
        ("done_ratio", FieldValue::Integer(30)),
        ("estimated_hours", FieldValue::Minutes(90)),
        ("is_private", FieldValue::Bool(false)),
    ];
    let suite = Conformance {
        create_fields: create_fields
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        invalid_value: Some(("priority".into(), FieldValue::Option("Blocker".into()))),
        state_field: Some("status".into()),
        relationship_field: Some("relates".into()),
        person_query: Some(PersonQuery {
            field: "username".into(),
            value: "bob".into(),
        }),
        time_entry_worker: Some(PersonQuery {
            field: "username".into(),
            value: "carol".into(),
        }),
        paging_artifacts: 12,
        ..Conformance::new(connector, PROJECT, TRACKER, "subject")
    };
    let report = suite.run().await;
    report.assert_passed();
    let skipped: Vec<&str> = report.skipped.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        skipped,
        ["stale_version_conflicts", "stale_transition_conflicts"],
        "only optimistic locking is missing (Redmine hides lock_version):\n{report}"
    );
}

#[tokio::test]
async fn closed_issues_are_found() {
    let connector = connector(100);
    let source = unique("closed source");
    let new = NewArtifact {
        project: PROJECT.into(),
        artifact_type: TRACKER.into(),
        fields: BTreeMap::from([("subject".to_owned(), text("to be closed"))]),
        source: Some(source.clone()),
    };
    let created = connector.create(&new).await.unwrap();
    let fields = BTreeMap::from([("status".to_owned(), FieldValue::Option("Closed".into()))]);
    let closed = connector.update(&created.id, None, &fields).await.unwrap();
    assert!(
        matches!(
            closed.fields.get("closed_on"),
            Some(FieldValue::DateTime(_))
        ),
        "{closed:?}"
    );
    let changes = all_changes(&connector, Some(created.updated_at)).await;
    assert!(
        changes
            .iter()
            .any(|c| c.id == created.id && c.version == closed.version),
        "the closed issue is missing from {changes:?}"
    );
    let found = connector.find_by_source(&scope(), &source).await.unwrap();
    assert_eq!(found.map(|a| a.id), Some(created.id));
}

#[tokio::test]
async fn updates_within_one_second_are_not_lost() {
    // Pages of two, so several issues updated in the same second span pages.
    let connector = connector(2);
    let mut created = Vec::new();
    for n in 0..5 {
        created.push(create(&connector, &format!("same second {n}")).await);
    }
    let first_poll = all_changes(&connector, Some(created[0].updated_at)).await;
    for artifact in &created {
        let reported = first_poll.iter().filter(|c| c.id == artifact.id).count();
        assert_eq!(reported, 1, "{} reported {reported} times", artifact.id);
    }
    // The engine's watermark is the newest time it saw; a write in that same second must
    // still be reported by the next poll from the watermark.
    let watermark = first_poll.iter().map(|c| c.updated_at).max().unwrap();
    let last = created.last().unwrap();
    let fields = BTreeMap::from([("subject".to_owned(), text("same second, edited"))]);
    let edited = connector.update(&last.id, None, &fields).await.unwrap();
    assert_ne!(edited.version, last.version, "a write changes the version");
    let second_poll = all_changes(&connector, Some(watermark)).await;
    assert!(
        second_poll
            .iter()
            .any(|c| c.id == last.id && c.version == edited.version),
        "the edit of {} at {} is missing from the poll since {watermark}: {second_poll:?}",
        last.id,
        edited.updated_at
    );
}

#[tokio::test]
async fn an_issue_updated_between_pages_moves_nothing_out_of_the_list() {
    // Pages of two over issues made within about a second: after the first page, both its
    // issues are updated in a later second, which moves every later issue of their old second
    // up two places. The pages after it must still hand out every issue, the moved ones again
    // at their new place, and no change twice.
    let connector = connector(2);
    let mut created = Vec::new();
    for n in 0..6 {
        created.push(create(&connector, &format!("moving page {n}")).await);
    }
    let since = Some(created[0].updated_at);
    let first = connector
        .changed_since(&scope(), since, None)
        .await
        .expect("first page");
    assert_eq!(first.items.len(), 2, "{first:?}");
    // Into a later second, so that the edits leave the second the pages are in.
    let now = chrono::Utc::now();
    let next_second = 1_000_000_000 - i64::from(now.timestamp_subsec_nanos());
    tokio::time::sleep(std::time::Duration::from_nanos(
        next_second as u64 + 5_000_000,
    ))
    .await;
    let fields = BTreeMap::from([("subject".to_owned(), text("moving page, edited"))]);
    let mut edits = Vec::new();
    for moved in &first.items {
        edits.push(connector.update(&moved.id, None, &fields).await.unwrap());
    }
    let mut all = first.items.clone();
    if first.next.is_some() {
        all.extend(changes_from(&connector, since, first.next.clone()).await);
    }
    for artifact in &created {
        assert!(
            all.iter().any(|c| c.id == artifact.id),
            "{} missing from {all:?}",
            artifact.id
        );
    }
    for edited in &edits {
        assert!(
            all.iter()
                .any(|c| c.id == edited.id && c.version == edited.version),
            "the edit of {} is not reported: {all:?}",
            edited.id
        );
    }
    let mut ids: Vec<(&str, &str)> = all
        .iter()
        .map(|c| (c.id.as_str(), c.version.as_str()))
        .collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "a change handed out twice: {all:?}");
}

#[tokio::test]
async fn validation_errors_are_invalid_values_with_redmine_s_messages() {
    let connector = connector(100);
    let created = create(&connector, "validation").await;
    let blank = BTreeMap::from([("subject".to_owned(), text(""))]);
    let err = connector
        .update(&created.id, None, &blank)
        .await
        .unwrap_err();
    assert_eq!(err.class, ErrorClass::InvalidValue, "{err}");
    assert!(err.message.contains("Subject cannot be blank"), "{err}");
    assert_eq!(
        err.code().to_string(),
        ErrorClass::InvalidValue.code().to_string()
    );
    let dates = BTreeMap::from([
        (
            "start_date".to_owned(),
            FieldValue::Date(NaiveDate::from_ymd_opt(2026, 5, 2).unwrap()),
        ),
        (
            "due_date".to_owned(),
            FieldValue::Date(NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()),
        ),
    ]);
    let err = connector
        .update(&created.id, None, &dates)
        .await
        .unwrap_err();
    assert_eq!(err.class, ErrorClass::InvalidValue, "{err}");
    assert!(err.message.contains("Due date"), "{err}");
    let unchanged = connector.fetch(&created.id).await.unwrap();
    assert_eq!(unchanged.version, created.version);
}

#[tokio::test]
async fn a_refused_key_is_an_auth_error_that_blocks_the_repository() {
    let (url, _) = instance();
    // An issue that exists, so that "not found" cannot stand in for "refused".
    let existing = create(&connector(25), &unique("auth")).await;
    let connector = RedmineConnector::new(RedmineSettings::new(url, "0".repeat(40))).unwrap();
    let err = connector.test_connection().await.unwrap_err();
    assert_eq!(err.class, ErrorClass::Auth, "{err}");
    assert!(err.class.blocks_repository());
    assert!(err.message.contains("API key was refused"), "{err}");
    // Redmine shows public projects to anyone and takes a wrong key for none: reads must
    // fail all the same instead of quietly seeing less.
    let err = connector.fetch(&existing.id).await.unwrap_err();
    assert_eq!(err.class, ErrorClass::Auth, "{err}");
    let err = connector.projects().await.map(drop);
    let err = err
        .and(connector.artifact_types(PROJECT).await.map(drop))
        .unwrap_err();
    assert_eq!(err.class, ErrorClass::Auth, "{err}");
}

#[tokio::test]
async fn an_unreachable_server_is_a_network_error() {
    // Port 9 (discard) is closed on 127.0.0.1: the connection is refused at once.
    let connector =
        RedmineConnector::new(RedmineSettings::new("http://127.0.0.1:9", "0".repeat(40))).unwrap();
    let err = connector.test_connection().await.unwrap_err();
    assert_eq!(err.class, ErrorClass::Network, "{err}");
    assert!(err.class.is_transient());
}

#[tokio::test]
async fn comments_keep_private_flag_source_and_author() {
    let connector = connector(100);
    let created = create(&connector, "private note").await;
    let new = NewComment {
        body: "<p>Only for <strong>staff</strong></p>".into(),
        author: None,
        private: true,
        source: Some("trac-a:7:comment:1".into()),
    };
    let added = connector.add_comment(&created.id, &new).await.unwrap();
    assert!(added.private, "{added:?}");
    assert_eq!(added.body, new.body);
    assert_eq!(added.source, new.source);
    assert_eq!(
        added.author.and_then(|a| a.username).as_deref(),
        Some("admin")
    );
    let bob = connector
        .search_persons(&PersonQuery {
            field: "display_name".into(),
            value: "bob baker".into(),
        })
        .await
        .unwrap();
    assert_eq!(bob.len(), 1, "{bob:?}");
    let by_bob = NewComment {
        body: "<p>Written as Bob</p>".into(),
        author: bob.first().cloned(),
        private: false,
        source: None,
    };
    let added = connector.add_comment(&created.id, &by_bob).await.unwrap();
    assert_eq!(
        added.author.and_then(|a| a.username).as_deref(),
        Some("bob")
    );
    let listed = connector.comments(&created.id).await.unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed[0].private && !listed[1].private, "{listed:?}");
}

/// A Redmine user who is a member of no project, made through the API.
async fn outsider() -> hub_domain::model::PersonRef {
    let (url, key) = instance();
    let login = format!("outsider{}", unique("").trim().replace(' ', ""));
    let user = serde_json::json!({"user": {
        "login": login, "firstname": "Out", "lastname": "Sider",
        "mail": format!("{login}@example.com"), "password": "outsider-password",
    }});
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{url}/users.json"))
        .header("X-Redmine-API-Key", key)
        .json(&user)
        .send()
        .await
        .expect("POST users.json")
        .error_for_status()
        .expect("an administrator may create users")
        .json()
        .await
        .expect("the new user");
    hub_domain::model::PersonRef {
        id: answer["user"]["id"].as_u64().expect("an id").to_string(),
        username: Some(login.clone()),
        email: Some(format!("{login}@example.com")),
        display_name: Some("Out Sider".into()),
    }
}

fn work(minutes: u32, comment: &str) -> NewTimeEntry {
    NewTimeEntry {
        author: None,
        spent_on: NaiveDate::from_ymd_opt(2026, 2, 10).unwrap(),
        minutes,
        comment: comment.to_owned(),
        activity: None,
        source: None,
    }
}

#[tokio::test]
async fn time_entries_page_and_leave_out_those_of_subtasks() {
    let connector = connector(100);
    let parent = create(&connector, &unique("time parent")).await;
    let child = NewArtifact {
        project: PROJECT.into(),
        artifact_type: TRACKER.into(),
        fields: BTreeMap::from([
            ("subject".to_owned(), text(&unique("time child"))),
            (
                "parent".to_owned(),
                FieldValue::Links(vec![parent.id.clone()]),
            ),
        ]),
        source: None,
    };
    let child = connector.create(&child).await.expect("create the subtask");
    // More than one page of Redmine's largest (100).
    let mut logged = Vec::new();
    for n in 1..=101 {
        let entry = connector
            .add_time_entry(&parent.id, &work(n, &format!("part {n}")))
            .await
            .expect("log time");
        logged.push(entry);
    }
    let on_child = connector
        .add_time_entry(&child.id, &work(7, "on the subtask"))
        .await
        .expect("log time on the subtask");
    let listed = connector.time_entries(&parent.id).await.unwrap();
    assert_eq!(listed.len(), 101, "the subtask's entry is not the parent's");
    assert_eq!(listed, logged, "every entry once, oldest first");
    assert_eq!(
        listed[19].minutes, 20,
        "20 minutes are 0.33 h and come back as 20"
    );
    assert_eq!(connector.time_entries(&child.id).await.unwrap(), [on_child]);
}

#[tokio::test]
async fn time_entries_name_their_activity_and_their_real_worker() {
    // The connector asks nothing before its first call (and installs the TLS provider the
    // plain client below needs); the user is made before that, so its catalog knows them.
    let connector = connector(100);
    let outsider = outsider().await;
    let created = create(&connector, &unique("time worker")).await;
    let design = NewTimeEntry {
        activity: Some("design".into()),
        ..work(30, "sketches")
    };
    let logged = connector
        .add_time_entry(&created.id, &design)
        .await
        .unwrap();
    assert_eq!(logged.activity.as_deref(), Some("Design"));
    assert_eq!(logged.author.username.as_deref(), Some("admin"));
    let unknown = NewTimeEntry {
        activity: Some("Gardening".into()),
        ..work(30, "weeding")
    };
    let logged = connector
        .add_time_entry(&created.id, &unknown)
        .await
        .unwrap();
    assert!(
        logged.activity.is_some(),
        "Redmine's default or first activity"
    );
    // The outsider may not log time in the project: filed under the connection's user.
    let for_outsider = NewTimeEntry {
        author: Some(outsider),
        ..work(60, "done by an outsider")
    };
    let logged = connector
        .add_time_entry(&created.id, &for_outsider)
        .await
        .expect("logged as the connection's user instead");
    assert_eq!(logged.author.username.as_deref(), Some("admin"));
    assert_eq!(logged.comment, "done by an outsider");
    let zero = connector.add_time_entry(&created.id, &work(0, "")).await;
    assert_eq!(zero.unwrap_err().class, ErrorClass::InvalidValue);
    assert_eq!(connector.time_entries(&created.id).await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_status_the_workflow_does_not_offer_is_refused() {
    let connector = connector(100);
    let created = create(&connector, "workflow").await;
    let offered = connector.transitions(&created.id).await.unwrap();
    assert!(
        offered.iter().any(|t| t.to_state == "Closed"),
        "{offered:?}"
    );
    let err = connector
        .perform_transition(&created.id, None, "999")
        .await
        .unwrap_err();
    assert_eq!(err.class, ErrorClass::InvalidValue, "{err}");
}

/// The edge of `workflow` from `from` to `to`.
fn edge<'a>(workflow: &'a [WorkflowEdge], from: &str, to: &str) -> &'a WorkflowEdge {
    workflow
        .iter()
        .find(|e| e.from_state == from && e.transition.to_state == to)
        .unwrap_or_else(|| panic!("no edge {from} -> {to} in {workflow:?}"))
}

#[tokio::test]
async fn the_workflow_read_from_issues_is_a_path_redmine_accepts() {
    let connector = connector(100);
    assert_eq!(connector.state_field(), Some("status"));
    let walker = create(&connector, &unique("workflow walker")).await;
    // An issue in "In Progress", so that the project shows the edges from there too.
    let sample = create(&connector, &unique("workflow sample")).await;
    let offered = connector.transitions(&sample.id).await.unwrap();
    let start = offered.iter().find(|t| t.to_state == "In Progress");
    let start = start.unwrap_or_else(|| panic!("{offered:?}"));
    connector
        .perform_transition(&sample.id, None, &start.id)
        .await
        .unwrap();

    let workflow = connector.workflow(PROJECT, TRACKER).await.unwrap();
    let offered = connector.transitions(&walker.id).await.unwrap();
    let from_new: Vec<&WorkflowEdge> = workflow.iter().filter(|e| e.from_state == "New").collect();
    assert!(!from_new.is_empty(), "{workflow:?}");
    for edge in from_new {
        assert!(
            offered.contains(&edge.transition),
            "{edge:?} not in {offered:?}"
        );
    }
    assert!(
        workflow
            .iter()
            .all(|e| e.from_state != e.transition.to_state)
    );

    let mut current = walker;
    for (from, to) in [("New", "In Progress"), ("In Progress", "Closed")] {
        let step = &edge(&workflow, from, to).transition;
        current = connector
            .perform_transition(&current.id, None, &step.id)
            .await
            .unwrap();
        assert_eq!(current.fields["status"], FieldValue::Option(to.into()));
    }
    let err = connector
        .workflow(PROJECT, "No such tracker")
        .await
        .unwrap_err();
    assert_eq!(err.class, ErrorClass::NotFound, "{err}");
}

#[tokio::test]
async fn the_registry_builds_a_redmine_connector_from_settings() {
    let (url, key) = instance();
    let registry = Registry::builtin();
    let kind = registry.get(redmine::KIND).expect("redmine is built in");
    assert_eq!(
        kind.settings_schema["properties"]["api_key"]["type"],
        "string"
    );
    let settings = ConnectionSettings {
        url,
        secret: Some(key),
        ..ConnectionSettings::default()
    };
    let connector = registry.build(redmine::KIND, &settings).unwrap();
    assert!(connector.descriptor().can(Capability::SourceIdentity));
    connector.test_connection().await.unwrap();
    let missing_key = ConnectionSettings {
        url: "http://127.0.0.1:1".into(),
        ..ConnectionSettings::default()
    };
    let err = registry.build(redmine::KIND, &missing_key).err().unwrap();
    assert_eq!(err.class, ErrorClass::InvalidValue, "{err}");
}

#[tokio::test]
async fn the_raw_api_rate_is_measured() {
    let report = redmine::probe(&settings(100), PROJECT, 1, 2, Duration::from_secs(1))
        .await
        .expect("probe");
    println!("{report:?}");
    assert_eq!(report.concurrency, 2);
    for rate in [
        report.get_per_second,
        report.put_per_second,
        report.post_per_second,
    ] {
        assert!(rate > 0.0, "{report:?}");
    }
}
