//! Configuration files applied to a real store: the example creates everything and reads back
//! equal, re-applying changes nothing, a changed file shows the right diff, a dry run and every
//! broken file leave the store exactly as it was — including a file whose problem only the
//! database finds, late in the transaction. Runs on SQLite, and on PostgreSQL and MariaDB in
//! the full test run (see `common`).

mod common;

use std::path::PathBuf;

use common::fresh_store;
use hub_domain::catalogue::hub;
use hub_domain::collection::{Collection, CollectionSource};
use hub_domain::filter::{ArtifactFilter, FilterOperator};
use hub_domain::integration::{
    ChangeDetection, ConflictStrategy, FieldFlow, Integration, IntegrationStyle, Route, Side,
};
use hub_domain::mapping::{Mapping, Transform};
use hub_domain::model::{FieldType, FieldValue, Model};
use hub_domain::repository::Repository;
use hub_store::Store;
use hub_store::document::{Action, ApplyError, ApplyOptions, Document, ObjectKind, Plan};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/config")
        .join(name)
}

fn example() -> Document {
    Document::read(&fixture("hub.toml")).expect("the example parses")
}

fn example_text() -> String {
    std::fs::read_to_string(fixture("hub.toml")).unwrap()
}

const APPLY: ApplyOptions = ApplyOptions {
    prune: false,
    dry_run: false,
};
const DRY_RUN: ApplyOptions = ApplyOptions {
    prune: false,
    dry_run: true,
};
const PRUNE: ApplyOptions = ApplyOptions {
    prune: true,
    dry_run: false,
};

/// Everything configuration-related the store holds, ids included.
#[derive(Debug, PartialEq)]
struct Contents {
    repositories: Vec<Repository>,
    models: Vec<Model>,
    collections: Vec<Collection>,
    mappings: Vec<Option<Mapping>>,
    integrations: Vec<Integration>,
}

async fn contents(store: &Store) -> Contents {
    let collections = store.collections().await.unwrap();
    let mut mappings = Vec::new();
    for c in &collections {
        mappings.push(store.mapping(c.id.unwrap(), c.model).await.unwrap());
    }
    Contents {
        repositories: store.repositories().await.unwrap(),
        models: store.models().await.unwrap(),
        collections,
        mappings,
        integrations: store.integrations().await.unwrap(),
    }
}

/// The diff as printed: one line per object.
fn lines(plan: &Plan) -> Vec<String> {
    plan.changes().iter().map(ToString::to_string).collect()
}

fn rejected(result: Result<Plan, ApplyError>) -> Vec<String> {
    match result {
        Ok(plan) => panic!("applied although broken:\n{plan}"),
        Err(ApplyError::Rejected(problems)) => {
            problems.iter().map(|p| format!("{} {p}", p.code)).collect()
        }
        Err(other) => panic!("not a file problem: {other}"),
    }
}

fn broken(name: &str) -> Document {
    Document::read(&fixture(&format!("broken/{name}"))).expect("parses")
}

async fn store_with_example() -> Store {
    let store = fresh_store().await;
    store.apply_document(&example(), APPLY).await.unwrap();
    store
}

#[tokio::test]
async fn applying_the_example_creates_everything_and_reads_back_equal() {
    let store = fresh_store().await;
    let plan = store.apply_document(&example(), APPLY).await.unwrap();
    assert_eq!(
        lines(&plan),
        [
            "+ repository 'Left memory'",
            "+ repository 'Right memory'",
            "+ model 'Work item'",
            "+ collection 'Left bugs'",
            "+ collection 'Right bugs'",
            "+ integration 'Left <-> Right'",
        ]
    );
    assert_eq!(plan.changes()[0].line, Some(8));

    let stored = contents(&store).await;
    let left_repo = &stored.repositories[0];
    assert_eq!(
        left_repo,
        &Repository {
            id: left_repo.id,
            name: "Left memory".into(),
            connector: "memory".into(),
            url: String::new(),
            settings: serde_json::json!({ "instance": "left" }),
            credential: None,
            proxy: None,
            enabled: true,
            rate_limit_per_minute: None,
        }
    );
    assert_eq!(stored.repositories[1].rate_limit_per_minute, Some(600));

    let model = &stored.models[0];
    let types: Vec<(&str, FieldType)> = model
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.field_type))
        .collect();
    assert_eq!(
        types,
        [
            ("summary", FieldType::String),
            ("description", FieldType::RichText),
            ("priority", FieldType::SingleSelect),
            ("assignee", FieldType::Person),
            ("due_date", FieldType::Date),
            ("related", FieldType::Relationships),
        ]
    );
    assert!(model.fields[0].required);
    assert_eq!(model.fields[2].options, ["low", "medium", "high"]);

    let [left, right] = &stored.collections[..] else {
        panic!("{:?}", stored.collections)
    };
    assert_eq!(
        left.source,
        CollectionSource::Repository {
            repository: left_repo.id.unwrap(),
            projects: vec!["DEMO".into()],
            artifact_types: vec!["bug".into()],
        }
    );
    assert_eq!(left.model, model.id.unwrap());
    let left_mapping = stored.mappings[0].as_ref().expect("mapping saved");
    assert_eq!(left_mapping.fields.len(), 6);
    assert_eq!(
        left_mapping.fields[2].to_model,
        Transform::ValueMap {
            map: [
                ("low", "low"),
                ("normal", "medium"),
                ("high", "high"),
                ("urgent", "high")
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
            default: Some("medium".into()),
        }
    );
    let right_mapping = stored.mappings[1].as_ref().expect("mapping saved");
    assert_eq!(
        right_mapping.fields[4].to_model,
        Transform::Default {
            value: FieldValue::Date("2030-01-01".parse().unwrap()),
        }
    );

    let integration = &stored.integrations[0];
    assert_eq!(
        integration,
        &Integration {
            id: integration.id,
            name: "Left <-> Right".into(),
            style: IntegrationStyle::WorkItemSync,
            left: left.id.unwrap(),
            right: right.id.unwrap(),
            running: false,
            routes: vec![Route {
                left: "DEMO".into(),
                right: "DEMO".into(),
            }],
            field_flows: [
                ("priority".to_owned(), FieldFlow::LeftToRight),
                ("due_date".to_owned(), FieldFlow::RightToLeft),
                ("related".to_owned(), FieldFlow::None),
                (
                    "assignee".to_owned(),
                    FieldFlow::Conditional {
                        then: Box::new(FieldFlow::Both),
                        when_field: "priority".into(),
                        equals: FieldValue::Option("high".into()),
                    },
                ),
            ]
            .into(),
            comment_flow: FieldFlow::Both,
            attachment_flow: FieldFlow::LeftToRight,
            attachment_max_bytes: Some(10 * 1024 * 1024),
            time_entry_flow: FieldFlow::None,
            filters: Vec::new(),
            mirror_projects: None,
            extensions: Default::default(),
            conflict_strategy: ConflictStrategy::MostRecentWins,
            change_detection: ChangeDetection {
                interval_seconds: Some(30),
                cron: None,
                full_scan_interval_seconds: Some(3600),
                max_concurrency: Some(4),
            },
        }
    );
}

#[tokio::test]
async fn applying_again_changes_nothing_and_keeps_a_started_integration_running() {
    let store = store_with_example().await;
    let id = store.integrations().await.unwrap()[0].id.unwrap();
    store.set_integration_running(id, true).await.unwrap();
    let before = contents(&store).await;

    let plan = store.apply_document(&example(), APPLY).await.unwrap();
    assert!(plan.is_noop(), "{plan}");
    assert_eq!(
        plan.summary(),
        "0 to create, 0 to update, 6 unchanged, 0 to delete"
    );
    assert!(lines(&plan).iter().all(|l| l.starts_with("= ")));
    assert_eq!(contents(&store).await, before);
    assert!(store.integrations().await.unwrap()[0].running);
}

#[tokio::test]
async fn a_changed_file_shows_what_changed_and_applies_it() {
    let store = store_with_example().await;
    let text = example_text()
        .replace(
            "options = [\"low\", \"medium\", \"high\"]",
            "options = [\"low\", \"medium\", \"high\", \"critical\"]",
        )
        .replace(
            "artifact_types = [\"bug\"]\n",
            "artifact_types = [\"bug\", \"task\"]\n",
        )
        .replace(
            "conflict_strategy = \"most_recent_wins\"",
            "conflict_strategy = \"left_wins\"\nrunning = true",
        )
        + "\n[[repository]]\nname = \"Third memory\"\nconnector = \"memory\"\n";
    let changed = Document::parse("hub.toml", &text).unwrap();

    let plan = store.plan_document(&changed, false).await.unwrap();
    assert_eq!(
        lines(&plan),
        [
            "= repository 'Left memory'",
            "= repository 'Right memory'",
            "+ repository 'Third memory'",
            "~ model 'Work item' (field)",
            "~ collection 'Left bugs' (artifact_types)",
            "= collection 'Right bugs'",
            "~ integration 'Left <-> Right' (running, conflict_strategy)",
        ]
    );

    let applied = store.apply_document(&changed, APPLY).await.unwrap();
    assert_eq!(lines(&applied), lines(&plan));
    let after = contents(&store).await;
    assert_eq!(after.repositories.len(), 3);
    assert_eq!(after.models[0].fields[2].options.len(), 4);
    assert!(after.integrations[0].running);
    assert_eq!(
        after.integrations[0].conflict_strategy,
        ConflictStrategy::LeftWins
    );
    assert!(
        store
            .apply_document(&changed, APPLY)
            .await
            .unwrap()
            .is_noop()
    );
}

#[tokio::test]
async fn a_dry_run_shows_the_diff_and_writes_nothing() {
    let store = fresh_store().await;
    let plan = store.apply_document(&example(), DRY_RUN).await.unwrap();
    assert_eq!(plan.changes().len(), 6);
    assert!(plan.changes().iter().all(|c| c.action == Action::Create));
    assert_eq!(contents(&store).await, contents(&fresh_store().await).await);
    assert!(store.repositories().await.unwrap().is_empty());

    // The dry run left a store the real run fills completely.
    store.apply_document(&example(), APPLY).await.unwrap();
    assert_eq!(store.integrations().await.unwrap().len(), 1);
}

#[tokio::test]
async fn prune_deletes_what_the_file_leaves_out_dependents_first() {
    let store = store_with_example().await;
    let only_repositories = Document::parse(
        "small.toml",
        "[[repository]]\nname = \"Left memory\"\nconnector = \"memory\"\n\
         settings = { instance = \"left\" }\n",
    )
    .unwrap();

    let kept = store
        .apply_document(&only_repositories, APPLY)
        .await
        .unwrap();
    assert!(kept.is_noop(), "without --prune nothing is deleted: {kept}");

    let plan = store
        .apply_document(&only_repositories, PRUNE)
        .await
        .unwrap();
    assert_eq!(
        lines(&plan),
        [
            "= repository 'Left memory'",
            "- integration 'Left <-> Right'",
            "- collection 'Left bugs'",
            "- collection 'Right bugs'",
            "- model 'Work item'",
            "- repository 'Right memory'",
        ]
    );
    let after = contents(&store).await;
    assert_eq!(after.repositories.len(), 1);

    // An empty file with --prune is refused rather than wiping the configuration.
    let empty = Document::parse("empty.toml", "# nothing\n").unwrap();
    let problems = rejected(store.apply_document(&empty, PRUNE).await);
    assert!(problems[0].contains("declares no objects"), "{problems:?}");
    assert_eq!(contents(&store).await, after);
    assert!(after.models.is_empty() && after.collections.is_empty());
    assert!(after.integrations.is_empty());
}

#[tokio::test]
async fn a_syntax_error_names_the_line_with_the_unreadable_code() {
    let err = Document::read(&fixture("broken/syntax.toml")).unwrap_err();
    assert_eq!(err.code(), hub::CONFIG_UNREADABLE);
    let text = err.problems()[0].to_string();
    assert!(text.contains("syntax.toml:6: not valid TOML"), "{text}");
}

#[tokio::test]
async fn misspelled_keys_are_all_reported_with_line_and_field() {
    let err = Document::read(&fixture("broken/unknown_key.toml")).unwrap_err();
    let problems: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(
        problems[0]
            .contains("unknown_key.toml:5: repository 'Left memory': urll: unknown field `urll`"),
        "{}",
        problems[0]
    );
    assert!(
        problems[1]
            .contains("unknown_key.toml:12: integration 'Left <-> Right': conflict_strategie:"),
        "{}",
        problems[1]
    );
    assert_eq!(err.code(), hub::VALIDATION_FAILED);
}

#[tokio::test]
async fn rule_violations_are_all_reported_and_nothing_is_applied() {
    let store = store_with_example().await;
    let before = contents(&store).await;
    let problems = rejected(store.apply_document(&broken("invalid.toml"), APPLY).await);
    assert_eq!(problems.len(), 3, "{problems:#?}");
    let expect = [
        "SYN-90040E ",
        "invalid.toml:11: repository 'Fourth memory': rate_limit_per_minute: must be at least 1",
    ];
    assert!(
        problems[0].starts_with(expect[0]) && problems[0].contains(expect[1]),
        "{problems:#?}"
    );
    assert!(
        problems[1].contains(
            "invalid.toml:16: model 'Ticket': field[0].options: a select field needs at least \
             one option"
        ),
        "{problems:#?}"
    );
    assert!(
        problems[2].ends_with(
            "invalid.toml:27: integration 'L<->R': change_detection.cron: needs 6 or 7 fields \
             (seconds first), found 5"
        ),
        "{problems:#?}"
    );
    assert_eq!(contents(&store).await, before);
}

#[tokio::test]
async fn references_to_missing_objects_name_them() {
    let store = store_with_example().await;
    let before = contents(&store).await;
    let problems = rejected(
        store
            .apply_document(&broken("missing_reference.toml"), APPLY)
            .await,
    );
    assert_eq!(
        problems,
        [
            "SYN-90041E ".to_owned()
                + &fixture("broken/missing_reference.toml")
                    .display()
                    .to_string()
                + ":8: collection 'Tasks': model: refers to model 'Task model', which does \
                   not exist",
            "SYN-90041E ".to_owned()
                + &fixture("broken/missing_reference.toml")
                    .display()
                    .to_string()
                + ":14: integration 'Left <-> Nowhere': right: refers to collection 'Nope', \
                   which does not exist",
        ]
    );
    assert_eq!(contents(&store).await, before);
}

#[tokio::test]
async fn a_duplicate_name_is_refused_at_its_second_declaration() {
    let err = Document::read(&fixture("broken/duplicate.toml")).unwrap_err();
    let text = err.problems()[0].to_string();
    assert!(
        text.contains(
            "duplicate.toml:8: repository 'Third memory': name: is declared twice (first at line 3)"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn a_deletion_the_database_refuses_undoes_everything_before_it() {
    let store = store_with_example().await;
    let before = contents(&store).await;
    let doc = broken("prune_refused.toml");

    // Without --prune the file is fine; the plan shows what --prune would try.
    let plan = store.plan_document(&doc, true).await.unwrap();
    assert_eq!(
        lines(&plan),
        [
            "+ repository 'Third memory'",
            "= repository 'Right memory'",
            "~ collection 'Right bugs' (field)",
            "- integration 'Left <-> Right'",
            "- collection 'Left bugs'",
            "- model 'Work item'",
            "- repository 'Left memory'",
        ]
    );

    for options in [
        PRUNE,
        ApplyOptions {
            dry_run: true,
            ..PRUNE
        },
    ] {
        let problems = rejected(store.apply_document(&doc, options).await);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(
            problems[0].contains(
                "model 'Work item': cannot be deleted (--prune): it is still in use by \
                 collection 'Right bugs' (line 16)"
            ),
            "{problems:#?}"
        );
        assert!(problems[0].starts_with("SYN-90040E"), "{problems:#?}");
        assert_eq!(contents(&store).await, before, "{options:?}");
    }
}

#[tokio::test]
async fn mapping_lines_are_checked_against_their_model() {
    let store = store_with_example().await;
    let text = "[[collection]]\nname = \"Tasks\"\nrepository = \"Left memory\"\n\
                projects = [\"DEMO\"]\nartifact_types = [\"task\"]\nmodel = \"Work item\"\n\
                \n[[collection.field]]\nfield = \"subject\"\nmodel_field = \"title\"\n";
    let doc = Document::parse("tasks.toml", text).unwrap();
    let problems = rejected(store.apply_document(&doc, APPLY).await);
    assert_eq!(
        problems,
        [
            "SYN-90040E tasks.toml:8: collection 'Tasks': field: required model field \
             'summary' is not mapped",
            "SYN-90040E tasks.toml:10: collection 'Tasks': field[0].model_field: model 'Work \
             item' has no field 'title'",
        ]
    );
    // The change to the model would break a mapping the file does not show.
    let model_only = example_text()
        .split("[[collection]]")
        .next()
        .unwrap()
        .replace("name = \"summary\"", "name = \"title\"");
    let doc = Document::parse("hub.toml", &model_only).unwrap();
    let problems = rejected(store.apply_document(&doc, APPLY).await);
    assert!(
        problems
            .iter()
            .any(|p| p
                .contains("model 'Work item': field: collection 'Left bugs' (not in this file)")),
        "{problems:#?}"
    );
}

#[tokio::test]
async fn changes_name_their_kind_and_line() {
    let store = fresh_store().await;
    let plan = store.plan_document(&example(), false).await.unwrap();
    let integration = plan
        .changes()
        .iter()
        .find(|c| c.kind == ObjectKind::Integration)
        .unwrap();
    assert_eq!(integration.line, Some(112));
    assert_eq!(integration.action, Action::Create);
}

#[tokio::test]
async fn filters_and_project_mirroring_apply_and_a_filter_on_an_unknown_field_is_named() {
    let store = Store::open("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let filter = "\nmirror_projects = \"left\"\n\n[[integration.filter]]\nside = \"left\"\n\
                  field = \"priority\"\noperator = \"one_of\"\nvalues = [\"high\"]\n\
                  applies_to_updates = true\n";
    // The example ends inside its integration, so the lines below belong to it (the scalar
    // key is moved above the sub-tables TOML requires it to precede).
    let text = example_text().replacen(
        "conflict_strategy = \"most_recent_wins\"\n",
        &format!(
            "conflict_strategy = \"most_recent_wins\"{}",
            &filter[..filter.find("\n\n").unwrap() + 1]
        ),
        1,
    ) + &filter[filter.find("\n\n").unwrap()..];
    let doc = Document::parse("filtered.toml", &text).unwrap();
    store.apply_document(&doc, APPLY).await.unwrap();
    let integration = store.integrations().await.unwrap().remove(0);
    assert_eq!(integration.mirror_projects, Some(Side::Left));
    assert_eq!(
        integration.filters,
        [ArtifactFilter {
            side: Side::Left,
            field: "priority".into(),
            operator: FilterOperator::OneOf,
            values: vec!["high".into()],
            applies_to_updates: true,
        }]
    );

    let unknown = text.replace(
        "field = \"priority\"\noperator",
        "field = \"severity\"\noperator",
    );
    let doc = Document::parse("filtered.toml", &unknown).unwrap();
    let problems = rejected(store.apply_document(&doc, APPLY).await);
    let line = unknown
        .lines()
        .position(|l| l == "field = \"severity\"")
        .unwrap()
        + 1;
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].contains(&format!("filtered.toml:{line}"))
            && problems[0].contains("filter[0].field")
            && problems[0].contains("severity"),
        "{problems:#?}"
    );
    assert_eq!(
        store.integrations().await.unwrap()[0].filters[0].field,
        "priority"
    );
}
