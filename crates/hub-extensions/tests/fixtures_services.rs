//! The guide's relationship, container and person reconciliation examples, run through the
//! host against the memory connector (and, for raw shapes the memory tracker does not have —
//! folders, capitalized person keys — against a small in-test repository).

mod support;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use hub_connector::Connector;
use hub_connector::memory::{MemoryConnector, MemoryTracker};
use hub_connector::types::ArtifactScope;
use hub_domain::model::FieldValue;
use hub_extensions::services::{ServiceResult, related_id};
use hub_extensions::{
    CallContext, CallTags, ConnectorServices, ExtensionKind, FieldRef, HostServices, ServiceError,
};
use serde_json::{Value, json};
use support::{TestHost, context, transform_call};

const DATA: ExtensionKind = ExtensionKind::DataTransformation;
const PERSON: ExtensionKind = ExtensionKind::PersonReconciliation;

/// A repository of folders and items with `subtype` and `parent`, and persons with
/// capitalized keys, as some trackers return them.
struct FolderRepository {
    artifacts: HashMap<String, Value>,
}

impl FolderRepository {
    fn new() -> Self {
        let artifacts = [
            json!({ "id": "root", "summary": "Root", "subtype": null, "parent": null }),
            json!({ "id": "f1", "summary": "Mower firmware", "subtype": "Folder", "parent": { "id": "root" } }),
            json!({ "id": "e1", "summary": "Blade epic", "subtype": "Epic", "parent": { "id": "f1" } }),
            json!({ "id": "s1", "summary": "Sharpen blade", "subtype": "Story", "parent": { "id": "e1" } }),
        ];
        Self {
            artifacts: artifacts
                .into_iter()
                .map(|a| (a["id"].as_str().unwrap().to_owned(), a))
                .collect(),
        }
    }
}

impl HostServices for FolderRepository {
    fn retrieve_artifact(&self, relationship: &Value) -> ServiceResult<Value> {
        let id = related_id(relationship)?;
        self.artifacts
            .get(&id)
            .cloned()
            .ok_or_else(|| ServiceError::NotFound(format!("no artifact {id}")))
    }
    fn list_search_types(&self) -> ServiceResult<Vec<String>> {
        Ok(vec!["My Custom Search".into()])
    }
    fn search_definition(&self, _: &str) -> ServiceResult<Value> {
        Ok(json!({ "domain": null, "project": null, "summary": null }))
    }
    fn search(&self, _: &str, definition: &Value) -> ServiceResult<Vec<Value>> {
        let mut found: Vec<Value> = self
            .artifacts
            .values()
            .filter(|a| a["summary"] == definition["summary"])
            .map(|a| json!({ "id": a["id"] }))
            .collect();
        found.sort_by_key(|v| v["id"].to_string());
        Ok(found)
    }
    fn search_by_formatted_id(&self, _: &Value) -> ServiceResult<Vec<Value>> {
        Ok(Vec::new())
    }
    fn associated_relationship(&self, _: &Value) -> ServiceResult<Value> {
        Err(ServiceError::NotFound("no twin".into()))
    }
    fn person_search_fields(&self) -> ServiceResult<Vec<String>> {
        Ok(vec!["Username".into()])
    }
    fn search_persons(&self, field: &str, value: &str) -> ServiceResult<Vec<Value>> {
        assert_eq!(field, "Username");
        Ok(match value {
            "jsmith" => vec![json!({ "Username": "jsmith", "ID": "1017" })],
            _ => Vec::new(),
        })
    }
}

fn folders() -> Option<Arc<dyn HostServices>> {
    Some(Arc::new(FolderRepository::new()))
}

fn run(
    t: &TestHost,
    name: &str,
    source: Value,
    input: Value,
    services: Option<Arc<dyn HostServices>>,
) -> Option<Value> {
    t.host
        .transform(
            name,
            transform_call(context(source, "parent"), input),
            services,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn the_parent_folder_is_found_by_walking_up_relationships() {
    let t = TestHost::new();
    t.load("transform_relationship_parent_folder.js", DATA);
    let story = FolderRepository::new().artifacts["s1"].clone();
    let out = run(
        &t,
        "transform_relationship_parent_folder.js",
        story.clone(),
        json!({ "id": "e1" }),
        folders(),
    );
    // s1's parent e1 is an epic; e1's parent f1 is the folder, returned as e1's relationship.
    assert_eq!(out, Some(json!({ "id": "f1" })));
    let none = run(
        &t,
        "transform_relationship_parent_folder.js",
        story,
        Value::Null,
        folders(),
    );
    assert_eq!(none, None);
}

#[test]
fn relationships_and_containers_convert_both_ways() {
    let t = TestHost::new();
    t.load("transform_container_parent_folder.js", DATA);
    t.load("transform_container_to_relationship.js", DATA);
    let story = FolderRepository::new().artifacts["s1"].clone();
    let container = run(
        &t,
        "transform_container_parent_folder.js",
        story,
        json!({ "id": "e1" }),
        folders(),
    );
    assert_eq!(
        container,
        Some(json!({ "id": "f1", "summary": "Mower firmware" }))
    );
    let parent = run(
        &t,
        "transform_container_to_relationship.js",
        json!({}),
        container.unwrap(),
        folders(),
    );
    assert_eq!(parent, Some(json!({ "id": "root" })));
}

#[test]
fn a_custom_search_finds_the_artifact_with_the_same_summary() {
    let t = TestHost::new();
    t.load("transform_relationship_custom_search.js", DATA);
    let source = json!({ "summary": "Blade epic" });
    let out = run(
        &t,
        "transform_relationship_custom_search.js",
        source,
        Value::Null,
        folders(),
    );
    assert_eq!(out, Some(json!({ "id": "e1" })));
}

/// The memory tracker's id of the person with user name `username`.
fn id_of(tracker: &MemoryTracker, username: &str) -> String {
    tracker.person(username).unwrap().id
}

fn memory() -> (
    Arc<MemoryTracker>,
    Arc<dyn HostServices>,
    tokio::runtime::Runtime,
) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let tracker = Arc::new(MemoryTracker::new("extensions"));
    tracker.create_project("TPA", "Test Project A").unwrap();
    for i in 1..=42 {
        let fields =
            BTreeMap::from([("summary".to_owned(), FieldValue::Text(format!("Item {i}")))]);
        tracker.user_create("TPA", "bug", fields).unwrap();
    }
    tracker
        .add_person("jsmith", "john.smith@email.com", "John Smith")
        .unwrap();
    tracker
        .add_person("lead.a", "team.a.lead@company.net", "Team A Lead")
        .unwrap();
    tracker
        .add_person("lead.b", "team.b.lead@company.net", "Team B Lead")
        .unwrap();
    tracker
        .add_person("twin1", "same@email.com", "Twin One")
        .unwrap();
    tracker
        .add_person("twin2", "same@email.com", "Twin Two")
        .unwrap();
    let connector: Arc<dyn Connector> = Arc::new(MemoryConnector::new(tracker.clone()));
    let scope = ArtifactScope {
        projects: vec!["TPA".into()],
        artifact_types: vec![],
    };
    let services = ConnectorServices::new(connector, scope, runtime.handle().clone());
    (tracker, Arc::new(services), runtime)
}

#[test]
fn a_formatted_id_search_finds_the_memory_artifact() {
    let t = TestHost::new();
    t.load("transform_relationship_formatted_id.js", DATA);
    let (tracker, services, _rt) = memory();
    let out = run(
        &t,
        "transform_relationship_formatted_id.js",
        json!({}),
        Value::Null,
        Some(services.clone()),
    )
    .unwrap();
    assert_eq!(out["formatted-id"], json!("TPA-42"));
    let artifact = tracker.artifact(out["id"].as_str().unwrap()).unwrap();
    assert_eq!(artifact.formatted_id, "TPA-42");
    let full = services.retrieve_artifact(&out).unwrap();
    assert_eq!(full["summary"], json!("Item 42"));
}

fn person_context(target_field: &str, team: Option<&str>) -> CallContext {
    let mut ctx = context(json!({ "team": team }), target_field);
    ctx.target_fields = vec![FieldRef {
        id: target_field.into(),
        label: target_field.into(),
        options: vec![],
    }];
    ctx
}

fn to_repo(
    t: &TestHost,
    name: &str,
    model: Value,
    ctx: &CallContext,
    services: &Arc<dyn HostServices>,
) -> Option<String> {
    t.host
        .map_person_to_repository(
            name,
            &model,
            ctx,
            CallTags::default(),
            Some(services.clone()),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn simple_reconciliation_matches_or_falls_back_per_field() {
    let t = TestHost::new();
    t.load("person_simple.js", PERSON);
    let (tracker, services, _rt) = memory();
    let found = to_repo(
        &t,
        "person_simple.js",
        json!({ "id": "jsmith", "display-name": "John Smith" }),
        &person_context("assignee", None),
        &services,
    );
    assert_eq!(found, Some(id_of(&tracker, "jsmith")));
    let fallback = to_repo(
        &t,
        "person_simple.js",
        json!({ "id": "nobody" }),
        &person_context("reporter", None),
        &services,
    );
    assert_eq!(fallback.as_deref(), Some("default-reporter"));
    let log = t.log_of("person_simple.js");
    let jsmith = id_of(&tracker, "jsmith");
    assert_eq!(
        log,
        [
            format!("found match {jsmith}"),
            "no match found mapping to reporter".into()
        ]
    );
    let from = t
        .host
        .map_person_from_repository(
            "person_simple.js",
            Some(&json!({ "id": "u1" })),
            None,
            &person_context("assignee", None),
            CallTags::default(),
            None,
        )
        .unwrap();
    assert_eq!(from.as_deref(), Some("u1"));
}

#[test]
fn a_default_person_is_chosen_by_team() {
    let t = TestHost::new();
    t.load("person_default_by_team.js", PERSON);
    let (tracker, services, _rt) = memory();
    let name = "person_default_by_team.js";
    let direct = to_repo(
        &t,
        name,
        json!({ "id": "john.smith@email.com" }),
        &person_context("assignee", None),
        &services,
    );
    assert_eq!(direct, Some(id_of(&tracker, "jsmith")));
    let team_b = to_repo(
        &t,
        name,
        json!({ "id": "gone@email.com" }),
        &person_context("assignee", Some("Team B")),
        &services,
    );
    assert_eq!(team_b, Some(id_of(&tracker, "lead.b")));
    let nobody = to_repo(
        &t,
        name,
        json!({ "id": "gone@email.com" }),
        &person_context("assignee", None),
        &services,
    );
    assert_eq!(nobody, None);
}

#[test]
fn raw_person_keys_of_the_repository_are_used_as_given() {
    let t = TestHost::new();
    t.load("person_username_to_id.js", PERSON);
    let services: Arc<dyn HostServices> = Arc::new(FolderRepository::new());
    let id = to_repo(
        &t,
        "person_username_to_id.js",
        json!({ "id": "jsmith" }),
        &person_context("assignee", None),
        &services,
    );
    assert_eq!(id.as_deref(), Some("1017"));
    let err = t
        .host
        .map_person_to_repository(
            "person_username_to_id.js",
            &json!({ "id": "ghost" }),
            &person_context("assignee", None),
            CallTags::default(),
            Some(services),
        )
        .unwrap_err();
    assert_eq!(err.code().to_string(), "SYN-17011E");
    assert!(err.to_string().contains("PersonNotFoundException"), "{err}");
}

#[test]
fn search_person_by_username_logs_its_steps() {
    let t = TestHost::new();
    t.load("person_search_person.js", PERSON);
    let (tracker, services, _rt) = memory();
    let name = "person_search_person.js";
    let id = to_repo(
        &t,
        name,
        json!({ "id": "lead.a" }),
        &person_context("assignee", None),
        &services,
    );
    let lead = id_of(&tracker, "lead.a");
    assert_eq!(id, Some(lead.clone()));
    let empty = t
        .host
        .map_person_to_repository(
            name,
            &Value::Null,
            &person_context("assignee", None),
            CallTags::default(),
            Some(services),
        )
        .unwrap();
    assert_eq!(empty, None);
    assert_eq!(
        t.log_of(name),
        [
            "modelPerson = lead.a".to_owned(),
            format!("repoPerson = {lead}"),
            "incoming model person is empty".into()
        ]
    );
}

#[test]
fn too_many_matches_are_caught_and_a_default_id_returned() {
    let t = TestHost::new();
    t.load("person_default_id.js", PERSON);
    let (_tracker, services, _rt) = memory();
    let name = "person_default_id.js";
    let found = to_repo(
        &t,
        name,
        json!({ "id": "team.a.lead@company.net" }),
        &person_context("assignee", None),
        &services,
    );
    assert_eq!(found.as_deref(), Some("lead.a"));
    let twins = to_repo(
        &t,
        name,
        json!({ "id": "same@email.com" }),
        &person_context("assignee", None),
        &services,
    );
    assert_eq!(twins.as_deref(), Some("integration.bot"));
    let log = t.log_of(name);
    assert!(
        log.iter()
            .any(|l| l.starts_with("TooManyPersonsFoundException: 2 persons")),
        "{log:?}"
    );
    assert_eq!(
        log.last().map(String::as_str),
        Some("Falling back to default person")
    );
}

#[test]
fn search_fields_are_listed_and_used() {
    let t = TestHost::new();
    t.load("person_list_search_fields.js", PERSON);
    let (tracker, services, _rt) = memory();
    let name = "person_list_search_fields.js";
    let id = to_repo(
        &t,
        name,
        json!({ "id": "john.smith@email.com" }),
        &person_context("assignee", None),
        &services,
    );
    assert_eq!(id, Some(id_of(&tracker, "jsmith")));
    assert_eq!(
        t.log_of(name),
        ["[\"person-email\",\"person-username\",\"person-display-name\"]"]
    );
    let from = t
        .host
        .map_person_from_repository(
            name,
            Some(&json!({ "email": "x@y.z" })),
            None,
            &person_context("assignee", None),
            CallTags::default(),
            None,
        )
        .unwrap();
    assert_eq!(from.as_deref(), Some("x@y.z"));
}
