//! Writing a plan inside the caller's transaction: creations and updates in dependency order
//! (extensions, repositories, models, collections with their mappings, integrations), then
//! deletions in reverse order. The first refused write stops everything; the caller rolls back.

use std::collections::HashMap;

use hub_domain::collection::{Collection, CollectionSource};
use hub_domain::{CollectionId, IntegrationId, ModelId, RepositoryId};
use sea_orm::ConnectionTrait;

use super::diff::{Action, Plan};
use super::parse::Document;
use super::report::{ApplyError, ObjectKind, Problem};
use crate::config;
use crate::error::StoreError;
use crate::extensions;

/// Placeholder ids of the plan to the ids the database assigned.
#[derive(Default)]
struct Assigned(HashMap<(ObjectKind, i64), i64>);

impl Assigned {
    fn real(&self, kind: ObjectKind, id: i64) -> i64 {
        self.0.get(&(kind, id)).copied().unwrap_or(id)
    }

    fn record(&mut self, kind: ObjectKind, placeholder: Option<i64>, real: Option<i64>) {
        if let (Some(placeholder), Some(real)) = (placeholder, real) {
            self.0.insert((kind, placeholder), real);
        }
    }
}

/// A write the store refused for an object of the file: placed at the object's line.
fn refused(
    doc: &Document,
    kind: ObjectKind,
    index: usize,
    name: &str,
    e: StoreError,
) -> ApplyError {
    match e {
        StoreError::Invalid(_) | StoreError::Duplicate { .. } | StoreError::NotFound { .. } => {
            ApplyError::Rejected(vec![doc.problem(
                e.code(),
                kind,
                index,
                name,
                None,
                format!("the store refused it: {e}"),
            )])
        }
        other => ApplyError::Store(other),
    }
}

/// Performs every write of `plan`.
pub(crate) async fn execute<C: ConnectionTrait>(
    db: &C,
    doc: &Document,
    plan: &Plan,
) -> Result<(), ApplyError> {
    let work = &plan.work;
    let mut ids = Assigned::default();
    for (index, step) in work.extensions.iter().enumerate() {
        let e = &step.object;
        let written = match step.action {
            Action::Create | Action::Update(_) => extensions::save(db, e).await.map(drop),
            Action::Unchanged | Action::Delete => Ok(()),
        };
        written.map_err(|err| refused(doc, ObjectKind::Extension, index, &e.name, err))?;
    }
    for (index, step) in work.repositories.iter().enumerate() {
        let r = &step.object;
        let written = match step.action {
            Action::Create => config::create_repository(db, r).await.map(|saved| {
                ids.record(
                    ObjectKind::Repository,
                    r.id.map(|i| i.0),
                    saved.id.map(|i| i.0),
                )
            }),
            Action::Update(_) => config::update_repository(db, r).await,
            Action::Unchanged | Action::Delete => Ok(()),
        };
        written.map_err(|e| refused(doc, ObjectKind::Repository, index, &r.name, e))?;
    }
    for (index, step) in work.models.iter().enumerate() {
        let m = &step.object;
        let written = match step.action {
            Action::Create => config::create_model(db, m).await.map(|saved| {
                ids.record(ObjectKind::Model, m.id.map(|i| i.0), saved.id.map(|i| i.0))
            }),
            Action::Update(_) => config::update_model(db, m).await,
            Action::Unchanged | Action::Delete => Ok(()),
        };
        written.map_err(|e| refused(doc, ObjectKind::Model, index, &m.name, e))?;
    }
    for (index, step) in work.collections.iter().enumerate() {
        let (planned, mapping) = &step.object;
        let mut c = planned.clone();
        if let CollectionSource::Repository { repository, .. } = &mut c.source {
            *repository = RepositoryId(ids.real(ObjectKind::Repository, repository.0));
        }
        c.model = ModelId(ids.real(ObjectKind::Model, c.model.0));
        let written = match step.action {
            Action::Create => match config::create_collection(db, &c).await {
                Ok(saved) => {
                    ids.record(
                        ObjectKind::Collection,
                        c.id.map(|i| i.0),
                        saved.id.map(|i| i.0),
                    );
                    write_mapping(db, &saved, mapping).await
                }
                Err(e) => Err(e),
            },
            Action::Update(_) => match config::update_collection(db, &c).await {
                Ok(()) => write_mapping(db, &c, mapping).await,
                Err(e) => Err(e),
            },
            Action::Unchanged | Action::Delete => Ok(()),
        };
        written.map_err(|e| refused(doc, ObjectKind::Collection, index, &c.name, e))?;
    }
    for (index, step) in work.integrations.iter().enumerate() {
        let mut i = step.object.clone();
        i.left = CollectionId(ids.real(ObjectKind::Collection, i.left.0));
        i.right = CollectionId(ids.real(ObjectKind::Collection, i.right.0));
        let written = match step.action {
            Action::Create => config::create_integration(db, &i).await.map(|_| ()),
            Action::Update(_) => config::update_integration(db, &i).await,
            Action::Unchanged | Action::Delete => Ok(()),
        };
        written.map_err(|e| refused(doc, ObjectKind::Integration, index, &i.name, e))?;
    }
    for (kind, id, name) in &work.deletions {
        let deleted = match kind {
            ObjectKind::Extension => extensions::delete(db, name).await.map(drop),
            ObjectKind::Integration => config::delete_integration(db, IntegrationId(*id)).await,
            ObjectKind::Collection => config::delete_collection(db, CollectionId(*id)).await,
            ObjectKind::Model => config::delete_model(db, ModelId(*id)).await,
            ObjectKind::Repository => config::delete_repository(db, RepositoryId(*id)).await,
        };
        match deleted {
            Ok(()) => {}
            Err(e @ StoreError::Invalid(_)) => {
                return Err(ApplyError::Rejected(vec![Problem {
                    code: e.code(),
                    file: doc.file.clone(),
                    line: None,
                    object: Some((*kind, name.clone())),
                    field: None,
                    message: format!(
                        "cannot be deleted (--prune): it is still in use{}; declare it in the \
                         file or remove what refers to it",
                        users(doc, plan, *kind, *id)
                    ),
                }]));
            }
            Err(other) => return Err(ApplyError::Store(other)),
        }
    }
    Ok(())
}

/// Saves the mapping of a just-written collection and drops its mappings onto other models.
async fn write_mapping<C: ConnectionTrait>(
    db: &C,
    c: &Collection,
    planned: &hub_domain::mapping::Mapping,
) -> Result<(), StoreError> {
    let (Some(collection), model) = (c.id, c.model) else {
        return Ok(());
    };
    let mapping = hub_domain::mapping::Mapping {
        collection,
        model,
        fields: planned.fields.clone(),
    };
    config::put_mapping(db, &mapping).await?;
    config::delete_other_mappings(db, collection, model).await
}

/// ` by collection 'Right bugs' (line 40)`: the file's objects that still refer to a stored
/// object the database would not delete.
fn users(doc: &Document, plan: &Plan, kind: ObjectKind, id: i64) -> String {
    let work = &plan.work;
    let mut found = Vec::new();
    for (index, step) in work.collections.iter().enumerate() {
        let c = &step.object.0;
        let uses = match (kind, &c.source) {
            (ObjectKind::Repository, CollectionSource::Repository { repository, .. }) => {
                repository.0 == id
            }
            (ObjectKind::Model, _) => c.model.0 == id,
            _ => false,
        };
        if uses {
            found.push((
                ObjectKind::Collection,
                &c.name,
                doc.line_of(ObjectKind::Collection, index),
            ));
        }
    }
    for (index, step) in work.integrations.iter().enumerate() {
        let i = &step.object;
        if kind == ObjectKind::Collection && (i.left.0 == id || i.right.0 == id) {
            found.push((
                ObjectKind::Integration,
                &i.name,
                doc.line_of(ObjectKind::Integration, index),
            ));
        }
    }
    if found.is_empty() {
        return String::new();
    }
    let list: Vec<String> = found
        .into_iter()
        .map(|(kind, name, line)| match line {
            Some(line) => format!("{kind} '{name}' (line {line})"),
            None => format!("{kind} '{name}'"),
        })
        .collect();
    format!(" by {}", list.join(", "))
}
