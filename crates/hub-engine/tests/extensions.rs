//! The engine calling the administrator's extensions during sync, between two memory trackers:
//! a data transformation on a mapping line, person reconciliation and state transitions on the
//! right side, and a script's `throw` failing only its artifact with SYN-17011E.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::{Config, Setup, settle, setup};
use hub_connector::memory::MemoryTracker;
use hub_domain::activity::ActivityState;
use hub_domain::integration::{FieldFlow, IntegrationExtensions, SideExtensions};
use hub_domain::mapping::Transform;
use hub_domain::model::{FieldType, FieldValue};
use hub_extensions::kv::{KvCache, Sealer, StaticKey};
use hub_extensions::{Extension, ExtensionHost, ExtensionKind, HostConfig, MemoryLog};

const SHOUT: &str = "var inputTypes = 'String';\nvar outputTypes = 'String';\n\
    function transform(context, input) {\n\
      if (input && input.indexOf('boom') >= 0) { throw 'cannot shout ' + input; }\n\
      return input ? input.toUpperCase() : input;\n}\n";

const ALICE_TO_BOB: &str = "function mapPersonToRepository(modelPerson, context) {\n\
      if (modelPerson && modelPerson.email === 'alice@example.com') { return 'u2'; }\n\
      return null;\n}\n";

// Rhino-era syntax on purpose: scripts written for the commercial hub run unchanged.
const ALWAYS_REJECT: &str = "function transitionArtifact(context, transitions) {\n\
      for each (var t in transitions) {\n\
        if (t.label === 'Reject') { return t; }\n\
      }\n}\n";

fn host() -> ExtensionHost {
    let sealer = Arc::new(Sealer::new(Box::new(StaticKey::random().unwrap())));
    let config = HostConfig {
        workers: 2,
        ..HostConfig::default()
    };
    let log = Arc::new(MemoryLog::new(100));
    let host = ExtensionHost::new(config, log, Arc::new(KvCache::new(sealer))).unwrap();
    for (name, kind, source) in [
        ("shout", ExtensionKind::DataTransformation, SHOUT),
        (
            "alice-to-bob",
            ExtensionKind::PersonReconciliation,
            ALICE_TO_BOB,
        ),
        (
            "always-reject",
            ExtensionKind::StateTransition,
            ALWAYS_REJECT,
        ),
    ] {
        let extension = Extension {
            name: name.into(),
            kind,
            source: source.into(),
        };
        host.load(&extension).unwrap();
    }
    host
}

async fn with_extensions() -> Setup {
    let mut flows = BTreeMap::new();
    flows.insert("summary".to_owned(), FieldFlow::LeftToRight);
    flows.insert("status".to_owned(), FieldFlow::LeftToRight);
    let s = setup(Config {
        flows,
        extra_fields: vec![
            ("assignee", FieldType::Person),
            ("status", FieldType::SingleSelect),
        ],
        extensions: IntegrationExtensions {
            left: SideExtensions::default(),
            right: SideExtensions {
                state_transition: Some("always-reject".into()),
                person_reconciliation: Some("alice-to-bob".into()),
            },
        },
        ..Config::default()
    })
    .await;
    // The right side's summary is written through the data transformation.
    let integration = s.store.integrations().await.unwrap().remove(0);
    let mut mapping = s
        .store
        .mapping(
            integration.right,
            s.store.collection(integration.right).await.unwrap().model,
        )
        .await
        .unwrap()
        .unwrap();
    for line in &mut mapping.fields {
        if line.model_field == "summary" {
            line.from_model = Transform::Extension {
                name: "shout".into(),
            };
        }
    }
    s.store.put_mapping(&mapping).await.unwrap();
    let engine = s.engine.clone().with_extensions(host());
    engine.load_running().await.unwrap();
    Setup { engine, ..s }
}

fn one(field: &str, value: FieldValue) -> BTreeMap<String, FieldValue> {
    [(field.to_owned(), value)].into()
}

fn field(t: &MemoryTracker, id: &str, name: &str) -> FieldValue {
    t.artifact(id)
        .unwrap()
        .fields
        .get(name)
        .cloned()
        .unwrap_or(FieldValue::Null)
}

async fn twin_of(s: &Setup, left_id: &str) -> String {
    let pairs = s.store.pairs_after(s.integration, 0, 100).await.unwrap();
    let pair = pairs
        .into_iter()
        .find(|p| p.left.artifact.id == left_id)
        .unwrap();
    pair.right.artifact.id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extensions_transform_values_pick_people_and_choose_transitions() {
    let s = with_extensions().await;
    let alice = s.left.person("alice").unwrap();
    let mut fields = one("summary", FieldValue::Text("quiet words".into()));
    fields.insert("assignee".into(), FieldValue::Person(alice));
    let id = s.left.user_create("P", "bug", fields).unwrap().id;
    settle(&s).await;
    let twin = twin_of(&s, &id).await;
    assert_eq!(
        field(&s.right, &twin, "summary"),
        FieldValue::Text("QUIET WORDS".into())
    );
    match field(&s.right, &twin, "assignee") {
        FieldValue::Person(p) => assert_eq!(p.id, "u2", "the extension's choice, not alice"),
        other => panic!("assignee is {other:?}"),
    }

    s.left.user_transition(&id, "in_progress").unwrap();
    settle(&s).await;
    assert_eq!(
        field(&s.right, &twin, "status"),
        FieldValue::Option("rejected".into()),
        "the extension chose Reject over Start work"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throw_fails_that_artifact_with_the_extension_code_and_its_message() {
    let s = with_extensions().await;
    let fine = s
        .left
        .user_create("P", "bug", one("summary", FieldValue::Text("fine".into())))
        .unwrap()
        .id;
    s.left
        .user_create("P", "bug", one("summary", FieldValue::Text("boom".into())))
        .unwrap();
    settle(&s).await;
    let twin = twin_of(&s, &fine).await;
    assert_eq!(
        field(&s.right, &twin, "summary"),
        FieldValue::Text("FINE".into())
    );
    let failed = s
        .store
        .activities_in(ActivityState::Failed, 10)
        .await
        .unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].error_code.unwrap().to_string(), "SYN-17011E");
    let message = failed[0].error_message.clone().unwrap_or_default();
    assert!(message.contains("cannot shout boom"), "{message}");
}
