//! Models: the common shape both sides of an integration are mapped onto, and the values that
//! live in it.
//!
//! Synchronization compares *model values*, not tool-specific values, so a change detected on a
//! Redmine issue and one detected on a Trac ticket are the same kind of thing.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Validate, check_name};
use crate::ids::ModelId;

/// The type of a model field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// Plain text.
    String,
    /// Formatted text (converted between the tools' markups).
    RichText,
    /// One value out of the field's options.
    SingleSelect,
    /// Any number of values out of the field's options.
    MultiSelect,
    /// True or false.
    Boolean,
    /// Whole number.
    Integer,
    /// Decimal number.
    Decimal,
    /// Calendar date.
    Date,
    /// Instant in time.
    DateTime,
    /// Length of time, in minutes.
    Duration,
    /// One person.
    Person,
    /// Several persons.
    Persons,
    /// One link to another artifact.
    Relationship,
    /// Several links to other artifacts.
    Relationships,
    /// Hyperlinks with labels.
    WebLinks,
    /// The artifact's container (project, folder, parent).
    Container,
    /// The artifact's comments.
    Comments,
    /// The artifact's attachments.
    Attachments,
    /// Work logged against the artifact.
    TimeEntries,
}

impl FieldType {
    /// Whether the field's values come from a fixed list of options.
    pub fn has_options(self) -> bool {
        matches!(self, FieldType::SingleSelect | FieldType::MultiSelect)
    }
}

/// One field of a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelField {
    /// Field name, unique within the model.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Must every artifact have a value?
    #[serde(default)]
    pub required: bool,
    /// Allowed values for select fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

/// A model: a named set of typed fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Store-assigned id.
    pub id: Option<ModelId>,
    /// Unique name.
    pub name: String,
    /// The fields.
    pub fields: Vec<ModelField>,
}

impl Model {
    /// The field of that name.
    pub fn field(&self, name: &str) -> Option<&ModelField> {
        self.fields.iter().find(|f| f.name == name)
    }
}

impl Validate for Model {
    fn problems(&self) -> Vec<DomainError> {
        let mut out = Vec::new();
        check_name("model", &self.name, &mut out);
        if self.fields.is_empty() {
            out.push(DomainError::invalid(
                "model",
                &self.name,
                "fields",
                "needs at least one field",
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, field) in self.fields.iter().enumerate() {
            let path = format!("fields[{i}]");
            if field.name.trim().is_empty() {
                out.push(DomainError::invalid(
                    "model",
                    &self.name,
                    &path,
                    "field name is empty",
                ));
            } else if !seen.insert(field.name.as_str()) {
                out.push(DomainError::invalid(
                    "model",
                    &self.name,
                    &path,
                    format!("field '{}' is defined twice", field.name),
                ));
            }
            if field.field_type.has_options() && field.options.is_empty() {
                out.push(DomainError::invalid(
                    "model",
                    &self.name,
                    format!("{path}.options"),
                    "a select field needs at least one option",
                ));
            }
            if !field.field_type.has_options() && !field.options.is_empty() {
                out.push(DomainError::invalid(
                    "model",
                    &self.name,
                    format!("{path}.options"),
                    "only select fields have options",
                ));
            }
        }
        out
    }
}

/// A reference to a person, as far as the hub knows them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PersonRef {
    /// The tool's id of the person.
    pub id: String,
    /// Login name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// E-mail address, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Display name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// A labelled hyperlink.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct WebLink {
    /// Target URL.
    pub url: String,
    /// Label shown for it.
    pub label: String,
}

/// A value of a model field. `Null` means "no value" for every type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum FieldValue {
    /// No value.
    Null,
    /// String or rich text.
    Text(String),
    /// Boolean.
    Bool(bool),
    /// Integer.
    Integer(i64),
    /// Decimal, kept as its exact decimal text so no precision is lost in transit.
    Decimal(String),
    /// Date.
    Date(NaiveDate),
    /// Date-time.
    DateTime(DateTime<Utc>),
    /// Duration in minutes.
    Minutes(i64),
    /// Single select option.
    Option(String),
    /// Multi select options, kept sorted so equal sets compare equal.
    Options(Vec<String>),
    /// One person.
    Person(PersonRef),
    /// Several persons, sorted.
    Persons(Vec<PersonRef>),
    /// Links to other artifacts by their repository ids, sorted.
    Links(Vec<String>),
    /// Web links, sorted.
    WebLinks(Vec<WebLink>),
}

impl FieldValue {
    /// Brings set-like values to a canonical order so that equality means "same content".
    pub fn normalized(mut self) -> Self {
        match &mut self {
            FieldValue::Options(v) | FieldValue::Links(v) => {
                v.sort();
                v.dedup();
            }
            FieldValue::Persons(v) => {
                v.sort();
                v.dedup();
            }
            FieldValue::WebLinks(v) => {
                v.sort();
                v.dedup();
            }
            _ => {}
        }
        self
    }
}

/// The model values of one artifact: field name to value. Ordered so snapshots are stable.
pub type ModelValues = BTreeMap<String, FieldValue>;

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, field_type: FieldType, options: &[&str]) -> ModelField {
        ModelField {
            name: name.into(),
            field_type,
            required: false,
            options: options.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn duplicate_fields_and_optionless_selects_are_refused() {
        let model = Model {
            id: None,
            name: "Defect".into(),
            fields: vec![
                field("summary", FieldType::String, &[]),
                field("summary", FieldType::String, &[]),
                field("priority", FieldType::SingleSelect, &[]),
                field("done", FieldType::Boolean, &["x"]),
            ],
        };
        let problems = model.problems();
        assert_eq!(problems.len(), 3, "{problems:?}");
    }

    #[test]
    fn normalized_sets_compare_by_content() {
        let a = FieldValue::Options(vec!["b".into(), "a".into(), "a".into()]).normalized();
        let b = FieldValue::Options(vec!["a".into(), "b".into()]).normalized();
        assert_eq!(a, b);
    }

    #[test]
    fn values_serialize_with_their_type() {
        let json = serde_json::to_string(&FieldValue::Integer(3)).unwrap();
        assert_eq!(json, r#"{"type":"integer","value":3}"#);
        let back: FieldValue = serde_json::from_str(&json).unwrap();
        assert_eq!(back, FieldValue::Integer(3));
    }
}
