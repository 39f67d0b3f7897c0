//! Extensions in configuration files: scripts inline or in a file beside the document, refused
//! until the extension host has checked them, references from mappings and integrations
//! resolved by name and kind, and the usual diff, re-apply and prune behaviour. Runs on every
//! backend of the full test run (see `common`).

mod common;

use common::fresh_store;
use hub_domain::ErrorCode;
use hub_domain::catalogue::hub;
use hub_store::document::{
    Action, ApplyError, ApplyOptions, Document, ObjectKind, ScriptField, ScriptProblem,
};

const APPLY: ApplyOptions = ApplyOptions {
    prune: false,
    dry_run: false,
};

const EXTENSION: &str = r#"
[[extension]]
name = "Shout"
kind = "data_transformation"
description = "Summaries in capitals"
source = """
var inputTypes = ["string"];
var outputTypes = ["string"];
function transform(context, input) { return input[0].toUpperCase(); }
"""
"#;

/// A repository, model and collection whose summary is mapped through `transform`, and an
/// integration whose left side uses `transition` for state transitions.
fn objects(transform: &str, transition: Option<&str>) -> String {
    let transition = transition.map_or(String::new(), |name| {
        format!("[integration.extensions.left]\nstate_transition = \"{name}\"\n")
    });
    format!(
        r#"
[[repository]]
name = "Left"
connector = "memory"
settings = {{ instance = "left" }}

[[model]]
name = "Item"
[[model.field]]
name = "summary"
type = "string"

[[collection]]
name = "Left items"
repository = "Left"
projects = ["DEMO"]
artifact_types = ["bug"]
model = "Item"
[[collection.field]]
field = "summary"
model_field = "summary"
from_model = {{ kind = "extension", name = "{transform}" }}

[[collection]]
name = "Other items"
repository = "Left"
projects = ["OTHER"]
artifact_types = ["bug"]
model = "Item"
[[collection.field]]
field = "summary"
model_field = "summary"

[[integration]]
name = "Left <-> Other"
style = "work_item_sync"
left = "Left items"
right = "Other items"
{transition}"#
    )
}

fn checked(text: &str) -> Document {
    let mut doc = Document::parse("hub.toml", text).expect("parses");
    doc.check_extensions(|_| Ok(()))
        .expect("every script passes");
    doc
}

fn problems(result: Result<impl std::fmt::Debug, ApplyError>) -> Vec<(ErrorCode, String)> {
    match result {
        Err(ApplyError::Rejected(problems)) => problems
            .into_iter()
            .map(|p| {
                (
                    p.code,
                    format!("{}: {}", p.field.unwrap_or_default(), p.message),
                )
            })
            .collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn an_extension_applies_with_its_users_and_reapplying_changes_nothing() {
    let store = fresh_store().await;
    let text = format!("{EXTENSION}{}", objects("Shout", None));
    let plan = store.apply_document(&checked(&text), APPLY).await.unwrap();
    let first = &plan.changes()[0];
    assert_eq!(
        (first.kind, first.action.clone()),
        (ObjectKind::Extension, Action::Create)
    );
    assert_eq!(first.line, Some(2), "placed at its [[extension]] line");

    let saved = store.extension("Shout").await.unwrap().expect("stored");
    assert_eq!(saved.extension.kind, "data_transformation");
    assert!(saved.extension.source.contains("toUpperCase"));
    assert_eq!(
        saved.extension.description.as_deref(),
        Some("Summaries in capitals")
    );

    let again = store.apply_document(&checked(&text), APPLY).await.unwrap();
    assert!(again.is_noop(), "{again}");

    let edited = text.replace("toUpperCase", "toLowerCase");
    let plan = store
        .apply_document(&checked(&edited), APPLY)
        .await
        .unwrap();
    assert_eq!(plan.changes()[0].action, Action::Update(vec!["script"]));
    let saved = store.extension("Shout").await.unwrap().unwrap();
    assert!(saved.extension.source.contains("toLowerCase"));
}

#[tokio::test]
async fn scripts_the_host_did_not_check_or_refused_are_never_applied() {
    let store = fresh_store().await;
    let text = format!("{EXTENSION}{}", objects("Shout", None));
    let unchecked = Document::parse("hub.toml", &text).unwrap();
    let found = problems(store.apply_document(&unchecked, APPLY).await);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("not checked"), "{found:?}");

    let mut doc = Document::parse("hub.toml", &text).unwrap();
    let refused = doc.check_extensions(|declared| {
        assert_eq!(declared.kind, "data_transformation");
        Err(ScriptProblem {
            code: ErrorCode::error(17011),
            field: ScriptField::Script,
            message: "line 4, column 12: unexpected token".into(),
        })
    });
    let found = problems(refused.map(drop));
    assert_eq!(
        found,
        vec![(
            ErrorCode::error(17011),
            "source: line 4, column 12: unexpected token".into()
        )]
    );
    assert!(problems(store.apply_document(&doc, APPLY).await).len() == 1);
    assert!(
        store.extensions().await.unwrap().is_empty(),
        "nothing was written"
    );
    assert!(
        store.repositories().await.unwrap().is_empty(),
        "nothing was written"
    );
}

#[tokio::test]
async fn references_need_an_extension_of_the_right_kind() {
    let store = fresh_store().await;
    let text = format!("{EXTENSION}{}", objects("Whisper", Some("Shout")));
    let found = problems(store.apply_document(&checked(&text), APPLY).await);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].0, hub::REFERENCE_MISSING);
    assert!(
        found[0]
            .1
            .starts_with("field[0].from_model: refers to extension 'Whisper'"),
        "{found:?}"
    );
    assert_eq!(found[1].0, hub::VALIDATION_FAILED);
    assert!(
        found[1].1.starts_with(
            "extensions.left.state_transition: extension 'Shout' is a data_transformation extension"
        ),
        "{found:?}"
    );
    assert!(store.extensions().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_script_file_is_read_beside_the_document_and_pruning_removes_what_is_gone() {
    let store = fresh_store().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("shout.js"),
        "var inputTypes = ['string']; var outputTypes = ['string'];\n\
         function transform(context, input) { return input[0]; }\n",
    )
    .unwrap();
    let text = format!(
        "[[extension]]\nname = \"Shout\"\nkind = \"data_transformation\"\nfile = \"shout.js\"\n{}",
        objects("Shout", None)
    );
    let path = dir.path().join("hub.toml");
    std::fs::write(&path, &text).unwrap();
    let mut doc = Document::read(&path).unwrap();
    doc.check_extensions(|declared| {
        assert!(declared.script.contains("function transform"));
        Ok(())
    })
    .unwrap();
    store.apply_document(&doc, APPLY).await.unwrap();
    let saved = store.extension("Shout").await.unwrap().unwrap();
    assert!(saved.extension.source.contains("function transform"));

    let missing = text.replace("shout.js", "gone.js");
    let found = problems(Document::parse_in("hub.toml", &missing, Some(dir.path())));
    assert_eq!(found[0].0, hub::CONFIG_UNREADABLE);
    assert!(found[0].1.starts_with("file: cannot read"), "{found:?}");

    let without = checked(&objects("Shout", None).replace(
        "from_model = { kind = \"extension\", name = \"Shout\" }",
        "",
    ));
    let prune = ApplyOptions {
        prune: true,
        dry_run: false,
    };
    let plan = store.apply_document(&without, prune).await.unwrap();
    assert!(
        plan.changes()
            .iter()
            .any(|c| c.kind == ObjectKind::Extension && c.action == Action::Delete),
        "{plan}"
    );
    assert!(store.extensions().await.unwrap().is_empty());
}
