//! Planning: the file's objects resolved against the store, checked, and compared with what the
//! store has — all without writing, so a dry run and a real run show the same diff.
//!
//! References are by name in the file and by id in the store. Every name gets an id up front: the
//! store's id for an object that exists, a negative placeholder for one the file creates. Domain
//! objects are then built exactly as they will be saved, validated with the domain's own rules,
//! and compared field by field in the file's vocabulary (`route`, `field_flow`, …), so the diff
//! names what an administrator edited. Applying swaps the placeholders for the new ids.

use std::collections::HashMap;

use hub_domain::catalogue::hub;
use hub_domain::collection::{Collection, CollectionSource};
use hub_domain::integration::{FieldFlow, Integration, Side};
use hub_domain::mapping::{Mapping, Transform};
use hub_domain::model::Model;
use hub_domain::repository::Repository;
use hub_domain::{CollectionId, DomainError, IntegrationId, ModelId, RepositoryId, Validate};
use sea_orm::ConnectionTrait;
use serde_json::Value;

use super::diff::{
    Action, Change, Plan, Step, Work, collection_view, compare, extension_view, integration_view,
    model_view, repository_view,
};
use super::format::{IntegrationDoc, settings_json};
use super::parse::Document;
use super::report::{ObjectKind, Problem};
use crate::config;
use crate::error::StoreError;
use crate::extensions::{
    self, DATA_TRANSFORMATION, ExtensionRecord, NewExtension, PERSON_RECONCILIATION,
    STATE_TRANSITION,
};

/// The configuration the store holds, read once (inside the apply transaction).
pub(crate) struct Snapshot {
    extensions: Vec<ExtensionRecord>,
    repositories: Vec<Repository>,
    models: Vec<Model>,
    collections: Vec<Collection>,
    mappings: Vec<Mapping>,
    integrations: Vec<Integration>,
}

impl Snapshot {
    pub(crate) async fn read<C: ConnectionTrait>(db: &C) -> Result<Snapshot, StoreError> {
        Ok(Snapshot {
            extensions: extensions::all(db).await?,
            repositories: config::repositories(db).await?,
            models: config::models(db).await?,
            collections: config::collections(db).await?,
            mappings: config::mappings(db).await?,
            integrations: config::integrations(db).await?,
        })
    }

    fn mapping(&self, c: &Collection) -> Option<&Mapping> {
        let id = c.id?;
        self.mappings
            .iter()
            .find(|m| m.collection == id && m.model == c.model)
    }

    /// `(id, name)` of every stored object of a kind.
    fn names(&self, kind: ObjectKind) -> Vec<(i64, &str)> {
        match kind {
            ObjectKind::Extension => ids(&self.extensions, |o| (Some(o.id), &o.extension.name)),
            ObjectKind::Repository => ids(&self.repositories, |o| (o.id.map(|i| i.0), &o.name)),
            ObjectKind::Model => ids(&self.models, |o| (o.id.map(|i| i.0), &o.name)),
            ObjectKind::Collection => ids(&self.collections, |o| (o.id.map(|i| i.0), &o.name)),
            ObjectKind::Integration => ids(&self.integrations, |o| (o.id.map(|i| i.0), &o.name)),
        }
    }
}

fn ids<T>(objects: &[T], f: impl Fn(&T) -> (Option<i64>, &String)) -> Vec<(i64, &str)> {
    objects
        .iter()
        .filter_map(|o| {
            let (id, name) = f(o);
            Some((id?, name.as_str()))
        })
        .collect()
}

/// Name ↔ id for every object of the store and the file; the file's new objects get negative
/// placeholders.
struct Registry {
    ids: HashMap<(ObjectKind, String), i64>,
    names: HashMap<(ObjectKind, i64), String>,
}

impl Registry {
    fn new(doc: &Document, store: &Snapshot) -> Registry {
        let mut reg = Registry {
            ids: HashMap::new(),
            names: HashMap::new(),
        };
        for kind in ObjectKind::ALL {
            for (id, name) in store.names(kind) {
                reg.insert(kind, id, name);
            }
        }
        let mut next = -1;
        let file_names = [
            (
                ObjectKind::Extension,
                doc.extensions
                    .iter()
                    .map(|o| o.name.as_str())
                    .collect::<Vec<_>>(),
            ),
            (
                ObjectKind::Repository,
                doc.repositories.iter().map(|o| o.name.as_str()).collect(),
            ),
            (
                ObjectKind::Model,
                doc.models.iter().map(|o| o.name.as_str()).collect(),
            ),
            (
                ObjectKind::Collection,
                doc.collections.iter().map(|o| o.name.as_str()).collect(),
            ),
            (
                ObjectKind::Integration,
                doc.integrations.iter().map(|o| o.name.as_str()).collect(),
            ),
        ];
        for (kind, names) in file_names {
            for name in names {
                if !reg.ids.contains_key(&(kind, name.to_owned())) {
                    reg.insert(kind, next, name);
                    next -= 1;
                }
            }
        }
        reg
    }

    fn insert(&mut self, kind: ObjectKind, id: i64, name: &str) {
        self.ids.insert((kind, name.to_owned()), id);
        self.names.insert((kind, id), name.to_owned());
    }

    fn id(&self, kind: ObjectKind, name: &str) -> Option<i64> {
        self.ids.get(&(kind, name.to_owned())).copied()
    }

    fn name(&self, kind: ObjectKind, id: i64) -> Value {
        self.names
            .get(&(kind, id))
            .map_or(Value::Null, |n| Value::String(n.clone()))
    }
}

/// Translates a domain field path (`routes[0].left`, `source.projects`) into the file's
/// spelling (`route[0].left`, `projects`).
fn file_field(kind: ObjectKind, in_mapping: bool, field: &str) -> String {
    let rename = |from: &str, to: &str, f: &str| match f.strip_prefix(from) {
        Some(rest) if rest.is_empty() || rest.starts_with(['.', '[']) => format!("{to}{rest}"),
        _ => f.to_owned(),
    };
    match (kind, in_mapping) {
        (ObjectKind::Collection, true) => {
            let f = rename("fields", "field", field);
            match f.strip_suffix(".collection_field") {
                Some(line) => format!("{line}.field"),
                None => f,
            }
        }
        (ObjectKind::Collection, false) => field.strip_prefix("source.").unwrap_or(field).into(),
        (ObjectKind::Model, _) => rename("fields", "field", field),
        (ObjectKind::Integration, _) => rename(
            "field_flows",
            "field_flow",
            &rename("routes", "route", &rename("filters", "filter", field)),
        ),
        (ObjectKind::Repository | ObjectKind::Extension, _) => field.to_owned(),
    }
}

struct Planner<'a> {
    doc: &'a Document,
    /// Stored objects the file leaves out are deleted, so references cannot rely on them.
    prune: bool,
    store: &'a Snapshot,
    reg: Registry,
    problems: Vec<Problem>,
    changes: Vec<Change>,
    work: Work,
}

/// Plans `doc` against the store's configuration; every problem found is returned at once.
pub(crate) fn plan(doc: &Document, store: &Snapshot, prune: bool) -> Result<Plan, Vec<Problem>> {
    let mut planner = Planner {
        doc,
        prune,
        store,
        reg: Registry::new(doc, store),
        problems: Vec::new(),
        changes: Vec::new(),
        work: Work::default(),
    };
    planner.problems.extend(doc.unchecked_scripts());
    planner.extensions();
    planner.repositories();
    planner.models();
    planner.collections();
    planner.integrations();
    if prune && doc.is_empty() {
        // Almost certainly the wrong file: refuse rather than wipe the configuration.
        planner.problems.push(Problem {
            code: hub::VALIDATION_FAILED,
            file: doc.file.clone(),
            line: None,
            object: None,
            field: None,
            message: "declares no objects; with prune that would delete the whole \
                      configuration"
                .into(),
        });
    } else if prune {
        planner.deletions();
    }
    planner
        .problems
        .sort_by_key(|p| p.line.unwrap_or(usize::MAX));
    if planner.problems.is_empty() {
        Ok(Plan {
            changes: planner.changes,
            work: planner.work,
        })
    } else {
        Err(planner.problems)
    }
}

impl Planner<'_> {
    fn id(&self, kind: ObjectKind, name: &str) -> i64 {
        self.reg.id(kind, name).unwrap_or_default()
    }

    /// Resolves a reference, reporting it when it names nothing in the file or the store.
    fn resolve(
        &mut self,
        (kind, index, name): (ObjectKind, usize, &str),
        field: &str,
        target: ObjectKind,
        reference: &str,
    ) -> Option<i64> {
        let id = self.reg.id(target, reference);
        if id.is_none() {
            self.problems.push(self.doc.problem(
                hub::REFERENCE_MISSING,
                kind,
                index,
                name,
                Some(field),
                format!("refers to {target} '{reference}', which does not exist"),
            ));
        }
        id
    }

    fn report(
        &mut self,
        (kind, index, name): (ObjectKind, usize, &str),
        in_mapping: bool,
        problems: Vec<DomainError>,
    ) {
        for problem in problems {
            let located = match &problem {
                DomainError::Invalid { field, reason, .. } => self.doc.problem(
                    problem.code(),
                    kind,
                    index,
                    name,
                    Some(&file_field(kind, in_mapping, field)),
                    reason.clone(),
                ),
                other => self
                    .doc
                    .problem(other.code(), kind, index, name, None, other.to_string()),
            };
            self.problems.push(located);
        }
    }

    fn record(&mut self, kind: ObjectKind, index: usize, name: &str, action: &Action) {
        self.changes.push(Change {
            kind,
            name: name.to_owned(),
            action: action.clone(),
            line: self.doc.line_of(kind, index),
        });
    }

    fn extensions(&mut self) {
        for (index, d) in self.doc.extensions.iter().enumerate() {
            let desired = NewExtension {
                name: d.name.clone(),
                kind: d.kind.clone(),
                source: d.script.clone(),
                description: d.description.clone(),
            };
            let stored = self
                .store
                .extensions
                .iter()
                .find(|e| e.extension.name == d.name);
            let action = compare(
                extension_view(&desired),
                stored.map(|e| extension_view(&e.extension)),
            );
            self.record(ObjectKind::Extension, index, &d.name, &action);
            self.work.extensions.push(Step {
                action,
                object: desired,
            });
        }
    }

    /// The kind of the extension called `name`, from the file or else (unless pruning) the
    /// store.
    fn extension_kind(&self, name: &str) -> Option<&str> {
        let declared = self.doc.extensions.iter().find(|e| e.name == name);
        let stored = || {
            self.store
                .extensions
                .iter()
                .filter(|_| !self.prune)
                .find(|e| e.extension.name == name)
        };
        declared
            .map(|e| e.kind.as_str())
            .or_else(|| stored().map(|e| e.extension.kind.as_str()))
    }

    /// Reports a reference to an extension that does not exist or is of another kind.
    fn check_extension_use(
        &mut self,
        at: (ObjectKind, usize, &str),
        field: &str,
        name: &str,
        kind: &str,
    ) {
        let (object, index, object_name) = at;
        let found = self.extension_kind(name).map(str::to_owned);
        let problem = match found {
            None => Some((
                hub::REFERENCE_MISSING,
                format!("refers to extension '{name}', which does not exist"),
            )),
            Some(other) if other != kind => Some((
                hub::VALIDATION_FAILED,
                format!("extension '{name}' is a {other} extension; a {kind} one is needed here"),
            )),
            Some(_) => None,
        };
        if let Some((code, message)) = problem {
            let p = self
                .doc
                .problem(code, object, index, object_name, Some(field), message);
            self.problems.push(p);
        }
    }

    fn repositories(&mut self) {
        for (index, d) in self.doc.repositories.iter().enumerate() {
            let desired = Repository {
                id: Some(RepositoryId(self.id(ObjectKind::Repository, &d.name))),
                name: d.name.clone(),
                connector: d.connector.clone(),
                url: d.url.clone(),
                settings: settings_json(&d.settings),
                credential: d.credential.clone(),
                proxy: d.proxy.clone(),
                enabled: d.enabled,
                rate_limit_per_minute: d.rate_limit_per_minute,
            };
            let at = (ObjectKind::Repository, index, d.name.as_str());
            self.report(at, false, desired.problems());
            let stored = self.store.repositories.iter().find(|r| r.name == d.name);
            let action = compare(repository_view(&desired), stored.map(repository_view));
            self.record(ObjectKind::Repository, index, &d.name, &action);
            self.work.repositories.push(Step {
                action,
                object: desired,
            });
        }
    }

    fn models(&mut self) {
        for (index, d) in self.doc.models.iter().enumerate() {
            let desired = Model {
                id: Some(ModelId(self.id(ObjectKind::Model, &d.name))),
                name: d.name.clone(),
                fields: d.fields.iter().map(Into::into).collect(),
            };
            let at = (ObjectKind::Model, index, d.name.as_str());
            self.report(at, false, desired.problems());
            let stored = self.store.models.iter().find(|m| m.name == d.name);
            let action = compare(model_view(&desired), stored.map(model_view));
            if matches!(action, Action::Update(_)) {
                self.check_foreign_mappings(index, &desired);
            }
            self.record(ObjectKind::Model, index, &d.name, &action);
            self.work.models.push(Step {
                action,
                object: desired,
            });
        }
    }

    /// A model the file changes must still fit the mappings of collections the file leaves out.
    fn check_foreign_mappings(&mut self, index: usize, model: &Model) {
        let in_file = |name: &str| self.doc.collections.iter().any(|c| c.name == name);
        let mut found = Vec::new();
        for collection in &self.store.collections {
            if collection.model != model.id.unwrap_or(ModelId(0)) || in_file(&collection.name) {
                continue;
            }
            let Some(mapping) = self.store.mapping(collection) else {
                continue;
            };
            for problem in mapping.problems_against(model) {
                let reason = match problem {
                    DomainError::Invalid { reason, .. } => reason,
                    other => other.to_string(),
                };
                found.push(self.doc.problem(
                    hub::VALIDATION_FAILED,
                    ObjectKind::Model,
                    index,
                    &model.name,
                    Some("field"),
                    format!(
                        "collection '{}' (not in this file) is mapped onto this model: {reason}",
                        collection.name
                    ),
                ));
            }
        }
        self.problems.extend(found);
    }

    /// The model with that id as it will be after applying: the file's, else the store's.
    fn model(&self, id: i64) -> Option<&Model> {
        let planned = self.work.models.iter().map(|s| &s.object);
        planned
            .chain(&self.store.models)
            .find(|m| m.id == Some(ModelId(id)))
    }

    fn collections(&mut self) {
        for (index, d) in self.doc.collections.iter().enumerate() {
            let at = (ObjectKind::Collection, index, d.name.as_str());
            let repository = self.resolve(at, "repository", ObjectKind::Repository, &d.repository);
            let model = self.resolve(at, "model", ObjectKind::Model, &d.model);
            let id = CollectionId(self.id(ObjectKind::Collection, &d.name));
            let desired = Collection {
                id: Some(id),
                name: d.name.clone(),
                source: CollectionSource::Repository {
                    repository: RepositoryId(repository.unwrap_or_default()),
                    projects: d.projects.clone(),
                    artifact_types: d.artifact_types.clone(),
                },
                model: ModelId(model.unwrap_or_default()),
            };
            self.report(at, false, desired.problems());
            let mapping = Mapping {
                collection: id,
                model: desired.model,
                fields: d.fields.iter().map(Into::into).collect(),
            };
            let mapping_problems = match model.and_then(|m| self.model(m)) {
                Some(model) => mapping.problems_against(model),
                None => mapping.problems(),
            };
            self.report(at, true, mapping_problems);
            for (line, m) in mapping.fields.iter().enumerate() {
                for (direction, transform) in
                    [("to_model", &m.to_model), ("from_model", &m.from_model)]
                {
                    if let Transform::Extension { name } = transform {
                        let field = format!("field[{line}].{direction}");
                        self.check_extension_use(at, &field, name, DATA_TRANSFORMATION);
                    }
                }
            }
            let stored = self.store.collections.iter().find(|c| c.name == d.name);
            let stored_view = stored
                .map(|c| collection_view(&|k, i| self.reg.name(k, i), c, self.store.mapping(c)));
            let action = compare(
                collection_view(&|k, i| self.reg.name(k, i), &desired, Some(&mapping)),
                stored_view,
            );
            self.record(ObjectKind::Collection, index, &d.name, &action);
            self.work.collections.push(Step {
                action,
                object: (desired, mapping),
            });
        }
    }

    /// The model of a collection as it will be after applying.
    fn model_of_collection(&self, id: i64) -> Option<&Model> {
        let planned = self.work.collections.iter().map(|s| &s.object.0);
        let collection = planned
            .chain(&self.store.collections)
            .find(|c| c.id == Some(CollectionId(id)))?;
        self.model(collection.model.0)
    }

    fn integrations(&mut self) {
        for (index, d) in self.doc.integrations.iter().enumerate() {
            let at = (ObjectKind::Integration, index, d.name.as_str());
            let left = self.resolve(at, "left", ObjectKind::Collection, &d.left);
            let right = self.resolve(at, "right", ObjectKind::Collection, &d.right);
            let stored = self.store.integrations.iter().find(|i| i.name == d.name);
            let desired = integration_of(
                d,
                IntegrationId(self.id(ObjectKind::Integration, &d.name)),
                (
                    CollectionId(left.unwrap_or_default()),
                    CollectionId(right.unwrap_or_default()),
                ),
                stored.is_some_and(|s| s.running),
            );
            self.report(at, false, desired.problems());
            for side in [Side::Left, Side::Right] {
                let used = desired.extensions.side(side);
                for (key, name, kind) in [
                    ("state_transition", &used.state_transition, STATE_TRANSITION),
                    (
                        "person_reconciliation",
                        &used.person_reconciliation,
                        PERSON_RECONCILIATION,
                    ),
                ] {
                    if let Some(name) = name {
                        let field = format!("extensions.{}.{key}", side.as_str());
                        self.check_extension_use(at, &field, name, kind);
                    }
                }
            }
            let flows = left
                .and_then(|l| self.model_of_collection(l))
                .map(|model| (model.name.clone(), unknown_flow_fields(&desired, model)));
            for (key, field) in flows.iter().flat_map(|(_, unknown)| unknown) {
                let model = flows.as_ref().map_or("", |(name, _)| name.as_str());
                let problem = self.doc.problem(
                    hub::VALIDATION_FAILED,
                    ObjectKind::Integration,
                    index,
                    &d.name,
                    Some(&format!("field_flow.{key}")),
                    format!("model '{model}' has no field '{field}'"),
                );
                self.problems.push(problem);
            }
            let filter_problems: Vec<(usize, String)> = left
                .and_then(|l| self.model_of_collection(l))
                .map(|model| {
                    desired
                        .filters
                        .iter()
                        .enumerate()
                        .filter_map(|(i, f)| {
                            let reason = f.problem(model)?;
                            Some((i, format!("model '{}': {reason}", model.name)))
                        })
                        .collect()
                })
                .unwrap_or_default();
            for (i, reason) in filter_problems {
                let problem = self.doc.problem(
                    hub::VALIDATION_FAILED,
                    ObjectKind::Integration,
                    index,
                    &d.name,
                    Some(&format!("filter[{i}].field")),
                    reason,
                );
                self.problems.push(problem);
            }
            let action = compare(
                integration_view(&|k, i| self.reg.name(k, i), &desired),
                stored.map(|s| integration_view(&|k, i| self.reg.name(k, i), s)),
            );
            self.record(ObjectKind::Integration, index, &d.name, &action);
            self.work.integrations.push(Step {
                action,
                object: desired,
            });
        }
    }

    /// Stored objects the file does not declare, dependents first.
    fn deletions(&mut self) {
        for kind in ObjectKind::ALL.into_iter().rev() {
            let declared: Vec<&str> = match kind {
                ObjectKind::Extension => self.doc.extensions.iter().map(|o| &*o.name).collect(),
                ObjectKind::Repository => self.doc.repositories.iter().map(|o| &*o.name).collect(),
                ObjectKind::Model => self.doc.models.iter().map(|o| &*o.name).collect(),
                ObjectKind::Collection => self.doc.collections.iter().map(|o| &*o.name).collect(),
                ObjectKind::Integration => self.doc.integrations.iter().map(|o| &*o.name).collect(),
            };
            for (id, name) in self.store.names(kind) {
                if declared.contains(&name) {
                    continue;
                }
                self.changes.push(Change {
                    kind,
                    name: name.to_owned(),
                    action: Action::Delete,
                    line: None,
                });
                self.work.deletions.push((kind, id, name.to_owned()));
            }
        }
    }
}

fn integration_of(
    d: &IntegrationDoc,
    id: IntegrationId,
    (left, right): (CollectionId, CollectionId),
    running_now: bool,
) -> Integration {
    Integration {
        id: Some(id),
        name: d.name.clone(),
        style: d.style,
        left,
        right,
        running: d.running.unwrap_or(running_now),
        routes: d.routes.iter().map(Into::into).collect(),
        field_flows: d
            .field_flow
            .iter()
            .map(|(k, v)| (k.clone(), v.into()))
            .collect(),
        comment_flow: d.comment_flow.as_ref().map_or(FieldFlow::Both, Into::into),
        attachment_flow: d
            .attachment_flow
            .as_ref()
            .map_or(FieldFlow::Both, Into::into),
        attachment_max_bytes: d.attachment_max_bytes,
        time_entry_flow: d
            .time_entry_flow
            .as_ref()
            .map_or(FieldFlow::None, Into::into),
        filters: d.filters.iter().map(Into::into).collect(),
        mirror_projects: d.mirror_projects,
        extensions: d.extensions.clone(),
        conflict_strategy: d
            .conflict_strategy
            .unwrap_or(hub_domain::integration::ConflictStrategy::MostRecentWins),
        change_detection: (&d.change_detection).into(),
    }
}

/// `(field_flow key, unknown field)` for flows naming fields the model does not have, either
/// as the key or as the field a conditional flow tests.
fn unknown_flow_fields(i: &Integration, model: &Model) -> Vec<(String, String)> {
    fn tested(flow: &FieldFlow, out: &mut Vec<String>) {
        if let FieldFlow::Conditional {
            then, when_field, ..
        } = flow
        {
            out.push(when_field.clone());
            tested(then, out);
        }
    }
    let mut unknown = Vec::new();
    for (key, flow) in &i.field_flows {
        let mut names = vec![key.clone()];
        tested(flow, &mut names);
        for name in names {
            if model.field(&name).is_none() {
                unknown.push((key.clone(), name));
            }
        }
    }
    unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_paths_are_spelled_as_in_the_file() {
        use ObjectKind::*;
        assert_eq!(
            file_field(Model, false, "fields[2].options"),
            "field[2].options"
        );
        assert_eq!(file_field(Collection, false, "source.projects"), "projects");
        assert_eq!(
            file_field(Collection, true, "fields[1].collection_field"),
            "field[1].field"
        );
        assert_eq!(file_field(Collection, true, "fields"), "field");
        assert_eq!(
            file_field(Integration, false, "routes[0].left"),
            "route[0].left"
        );
        assert_eq!(
            file_field(Integration, false, "change_detection.cron"),
            "change_detection.cron"
        );
        assert_eq!(file_field(Repository, false, "url"), "url");
    }
}
