//! The diff: what applying a file does to each object, and how "changed" is decided.
//!
//! Objects are compared as *views* in the file's vocabulary — references by name, lists under
//! the names the file gives them (`field`, `route`, `field_flow`) — so an update lists exactly the
//! top-level keys an administrator edited, and ids or placeholder ids never make two equal
//! objects differ.

use std::fmt;

use hub_domain::collection::{Collection, CollectionSource};
use hub_domain::integration::Integration;
use hub_domain::mapping::Mapping;
use hub_domain::model::Model;
use hub_domain::repository::Repository;
use serde::Serialize;
use serde_json::Value;

use super::report::ObjectKind;
use crate::extensions::NewExtension;

/// What applying a file does to one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// New: the store has no object of that kind and name.
    Create,
    /// Exists and differs; the changed top-level fields, in the file's spelling.
    Update(Vec<&'static str>),
    /// Exists and is equal: nothing is written.
    Unchanged,
    /// In the store but not in the file, and `--prune` was given.
    Delete,
}

impl Action {
    /// The diff mark: `+`, `~`, `=` or `-`.
    pub const fn mark(&self) -> char {
        match self {
            Action::Create => '+',
            Action::Update(_) => '~',
            Action::Unchanged => '=',
            Action::Delete => '-',
        }
    }
}

/// One line of the diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Kind of object.
    pub kind: ObjectKind,
    /// Its name.
    pub name: String,
    /// What happens to it.
    pub action: Action,
    /// Where it is declared (none for deletions).
    pub line: Option<usize>,
}

impl fmt::Display for Change {
    /// `~ collection 'Left bugs' (field, projects)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} '{}'", self.action.mark(), self.kind, self.name)?;
        if let Action::Update(fields) = &self.action {
            write!(f, " ({})", fields.join(", "))?;
        }
        Ok(())
    }
}

/// The diff between a file and the store, in the order it is applied: creations and updates
/// by kind (repositories first), then deletions (integrations first).
#[derive(Debug, Clone)]
pub struct Plan {
    pub(crate) changes: Vec<Change>,
    pub(crate) work: Work,
}

impl Plan {
    /// Every change, unchanged objects included.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// Whether applying writes nothing (every object unchanged).
    pub fn is_noop(&self) -> bool {
        self.changes.iter().all(|c| c.action == Action::Unchanged)
    }

    /// `2 to create, 1 to update, 3 unchanged, 0 to delete`.
    pub fn summary(&self) -> String {
        let count = |mark: char| {
            self.changes
                .iter()
                .filter(|c| c.action.mark() == mark)
                .count()
        };
        format!(
            "{} to create, {} to update, {} unchanged, {} to delete",
            count('+'),
            count('~'),
            count('='),
            count('-')
        )
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for change in &self.changes {
            writeln!(f, "{change}")?;
        }
        Ok(())
    }
}

/// One object to write, as it will be saved (references may still be placeholders).
#[derive(Debug, Clone)]
pub(crate) struct Step<T> {
    pub action: Action,
    pub object: T,
}

/// The writes behind a plan, per kind in file order, and the deletions in the order they run.
#[derive(Debug, Clone, Default)]
pub(crate) struct Work {
    pub extensions: Vec<Step<NewExtension>>,
    pub repositories: Vec<Step<Repository>>,
    pub models: Vec<Step<Model>>,
    pub collections: Vec<Step<(Collection, Mapping)>>,
    pub integrations: Vec<Step<Integration>>,
    pub deletions: Vec<(ObjectKind, i64, String)>,
}

pub(crate) type View = Vec<(&'static str, Value)>;

fn json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or_default()
}

pub(crate) fn compare(desired: View, stored: Option<View>) -> Action {
    let Some(stored) = stored else {
        return Action::Create;
    };
    let changed: Vec<&'static str> = desired
        .iter()
        .zip(&stored)
        .filter(|((_, a), (_, b))| a != b)
        .map(|((key, _), _)| *key)
        .collect();
    if changed.is_empty() {
        Action::Unchanged
    } else {
        Action::Update(changed)
    }
}

pub(crate) fn extension_view(e: &NewExtension) -> View {
    vec![
        ("kind", json(&e.kind)),
        ("script", json(&e.source)),
        ("description", json(&e.description)),
    ]
}

pub(crate) fn repository_view(r: &Repository) -> View {
    vec![
        ("connector", json(&r.connector)),
        ("url", json(&r.url)),
        ("settings", r.settings.clone()),
        ("credential", json(&r.credential)),
        ("proxy", json(&r.proxy)),
        ("enabled", json(&r.enabled)),
        ("rate_limit_per_minute", json(&r.rate_limit_per_minute)),
    ]
}

pub(crate) fn model_view(m: &Model) -> View {
    vec![("field", json(&m.fields))]
}

/// Names an object by id (`Value::Null` when unknown).
pub(crate) type Namer<'a> = &'a dyn Fn(ObjectKind, i64) -> Value;

pub(crate) fn collection_view(name: Namer<'_>, c: &Collection, mapping: Option<&Mapping>) -> View {
    let (repository, projects, artifact_types) = match &c.source {
        CollectionSource::Repository {
            repository,
            projects,
            artifact_types,
        } => (
            name(ObjectKind::Repository, repository.0),
            json(projects),
            json(artifact_types),
        ),
        other => (json(other), Value::Null, Value::Null),
    };
    let lines = mapping.map_or(Value::Array(Vec::new()), |m| json(&m.fields));
    vec![
        ("repository", repository),
        ("projects", projects),
        ("artifact_types", artifact_types),
        ("model", name(ObjectKind::Model, c.model.0)),
        ("field", lines),
    ]
}

pub(crate) fn integration_view(name: Namer<'_>, i: &Integration) -> View {
    vec![
        ("style", json(&i.style)),
        ("left", name(ObjectKind::Collection, i.left.0)),
        ("right", name(ObjectKind::Collection, i.right.0)),
        ("running", json(&i.running)),
        ("route", json(&i.routes)),
        ("field_flow", json(&i.field_flows)),
        ("comment_flow", json(&i.comment_flow)),
        ("attachment_flow", json(&i.attachment_flow)),
        ("attachment_max_bytes", json(&i.attachment_max_bytes)),
        ("time_entry_flow", json(&i.time_entry_flow)),
        ("conflict_strategy", json(&i.conflict_strategy)),
        ("change_detection", json(&i.change_detection)),
        ("filter", json(&i.filters)),
        ("mirror_projects", json(&i.mirror_projects)),
        ("extensions", json(&i.extensions)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_fields_are_listed() {
        let a: View = vec![("x", Value::from(1)), ("y", Value::from(2))];
        let b: View = vec![("x", Value::from(1)), ("y", Value::from(3))];
        assert_eq!(compare(a.clone(), Some(b)), Action::Update(vec!["y"]));
        assert_eq!(compare(a.clone(), Some(a.clone())), Action::Unchanged);
        assert_eq!(compare(a, None), Action::Create);
    }
}
