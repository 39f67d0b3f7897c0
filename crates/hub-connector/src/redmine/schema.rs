//! The fields of a Redmine issue as the hub sees them: the standard fields the tracker enables,
//! the relation types as relationship fields, and the custom fields of the tracker as `cf_<id>`.
//!
//! Field ids are Redmine's own attribute names without `_id` (`status`, `assigned_to`,
//! `fixed_version`) so that a mapping reads like Redmine's documentation.

use hub_domain::model::FieldType;

use super::catalog::{Catalog, CustomField, ProjectInfo, Tracker};
use crate::types::FieldSchema;

/// Relation types as seen from an issue, each with the type seen from the other issue.
pub const RELATIONS: [(&str, &str); 9] = [
    ("relates", "relates"),
    ("duplicates", "duplicated"),
    ("duplicated", "duplicates"),
    ("blocks", "blocked"),
    ("blocked", "blocks"),
    ("precedes", "follows"),
    ("follows", "precedes"),
    ("copied_to", "copied_from"),
    ("copied_from", "copied_to"),
];

/// Field id of the status, which moves only along the workflow ([`crate::Connector::state_field`]).
pub const STATUS: &str = "status";

/// Prefix of custom field ids.
pub const CUSTOM_PREFIX: &str = "cf_";

/// The type Redmine's relation `kind` has seen from the other issue.
pub fn inverse_relation(kind: &str) -> Option<&'static str> {
    RELATIONS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, inverse)| *inverse)
}

/// The fields of `tracker` issues in `project`; `source` is the custom field holding source
/// identities, which is the hub's and not offered for mapping.
pub fn fields(
    catalog: &Catalog,
    project: &ProjectInfo,
    tracker: &Tracker,
    source: Option<u64>,
) -> Vec<FieldSchema> {
    let enabled = |name: &str| tracker.enabled_fields.iter().any(|f| f == name);
    let names = |items: &[super::catalog::Named]| items.iter().map(|n| n.name.clone()).collect();
    let mut fields = vec![
        field("subject", "Subject", FieldType::String).required(),
        field(STATUS, "Status", FieldType::SingleSelect).options(
            catalog
                .statuses
                .iter()
                .map(|(s, _)| s.name.clone())
                .collect(),
        ),
        field("priority", "Priority", FieldType::SingleSelect)
            .options(names(&catalog.priorities))
            .required(),
        field("is_private", "Private", FieldType::Boolean),
        field("author", "Author", FieldType::Person).read_only(),
        field("created_on", "Created", FieldType::DateTime).read_only(),
        field("closed_on", "Closed", FieldType::DateTime).read_only(),
    ];
    let optional = [
        (
            "description",
            field("description", "Description", FieldType::RichText),
        ),
        (
            "assigned_to_id",
            field("assigned_to", "Assignee", FieldType::Person),
        ),
        (
            "parent_issue_id",
            field("parent", "Parent task", FieldType::Relationship),
        ),
        (
            "start_date",
            field("start_date", "Start date", FieldType::Date),
        ),
        ("due_date", field("due_date", "Due date", FieldType::Date)),
        (
            "done_ratio",
            field("done_ratio", "% Done", FieldType::Integer),
        ),
        (
            "estimated_hours",
            field("estimated_hours", "Estimated time", FieldType::Duration),
        ),
    ];
    fields.extend(
        optional
            .into_iter()
            .filter(|(n, _)| enabled(n))
            .map(|(_, f)| f),
    );
    // Select fields need options: a project without categories or versions has no such field.
    if enabled("category_id") && !project.categories.is_empty() {
        fields.push(
            field("category", "Category", FieldType::SingleSelect)
                .options(names(&project.categories)),
        );
    }
    if enabled("fixed_version_id") && !project.versions.is_empty() {
        fields.push(
            field("fixed_version", "Target version", FieldType::SingleSelect)
                .options(names(&project.versions)),
        );
    }
    fields.extend(
        RELATIONS
            .iter()
            .map(|(kind, _)| field(kind, &relation_name(kind), FieldType::Relationships)),
    );
    fields.extend(
        catalog
            .custom_fields
            .iter()
            .filter(|cf| Some(cf.named.id) != source && cf.trackers.contains(&tracker.named.id))
            .filter_map(custom_field),
    );
    fields
}

/// The schema of a custom field; `None` for formats the hub does not carry (attachments).
fn custom_field(cf: &CustomField) -> Option<FieldSchema> {
    let id = format!("{CUSTOM_PREFIX}{}", cf.named.id);
    let field_type = custom_type(cf)?;
    let mut schema = field(&id, &cf.named.name, field_type);
    schema.required = cf.required;
    if field_type.has_options() {
        if cf.options.is_empty() {
            return None;
        }
        schema.options = cf.options.clone();
    }
    Some(schema)
}

/// The hub's type of a custom field.
pub fn custom_type(cf: &CustomField) -> Option<FieldType> {
    Some(match (cf.format.as_str(), cf.multiple) {
        ("string" | "link", _) => FieldType::String,
        ("text", _) => FieldType::RichText,
        ("int", _) => FieldType::Integer,
        ("float", _) => FieldType::Decimal,
        ("date", _) => FieldType::Date,
        ("bool", _) => FieldType::Boolean,
        ("list" | "enumeration", false) => FieldType::SingleSelect,
        ("list" | "enumeration", true) => FieldType::MultiSelect,
        ("user", false) => FieldType::Person,
        ("user", true) => FieldType::Persons,
        // Versions by id, attachments by upload: kept out of mappings.
        _ => return None,
    })
}

fn relation_name(kind: &str) -> String {
    let text = kind.replace('_', " ");
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn field(id: &str, name: &str, field_type: FieldType) -> FieldSchema {
    FieldSchema {
        id: id.to_owned(),
        name: name.to_owned(),
        field_type,
        required: false,
        read_only: false,
        options: Vec::new(),
    }
}

/// Builder steps for [`FieldSchema`].
trait FieldExt {
    fn required(self) -> Self;
    fn read_only(self) -> Self;
    fn options(self, options: Vec<String>) -> Self;
}

impl FieldExt for FieldSchema {
    fn required(mut self) -> Self {
        self.required = true;
        self
    }

    fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    fn options(mut self, options: Vec<String>) -> Self {
        self.options = options;
        self
    }
}
