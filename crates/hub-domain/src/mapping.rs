//! Mappings: how a collection's fields become model fields and back.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Validate};
use crate::ids::{CollectionId, ModelId};
use crate::model::{FieldValue, Model};

/// How one value is carried between a collection field and a model field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Transform {
    /// The value as it is (converted between compatible field types).
    Copy,
    /// Select options translated through a table; `default` catches unmapped values.
    ValueMap {
        /// Collection value to model value (the reverse direction inverts it).
        map: BTreeMap<String, String>,
        /// Used when a value is not in the table; without it an unmapped value is an error.
        #[serde(default)]
        default: Option<String>,
    },
    /// Always this value, whatever the source says.
    Constant {
        /// The value.
        value: FieldValue,
    },
    /// The source value, or this one when the source has none.
    Default {
        /// The fallback.
        value: FieldValue,
    },
    /// A custom data-transformation extension by name.
    Extension {
        /// Extension name.
        name: String,
    },
}

/// One line of a mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldMapping {
    /// The collection's field id.
    pub collection_field: String,
    /// The model field name.
    pub model_field: String,
    /// Transform applied going into the model.
    #[serde(default = "copy")]
    pub to_model: Transform,
    /// Transform applied coming out of the model.
    #[serde(default = "copy")]
    pub from_model: Transform,
}

fn copy() -> Transform {
    Transform::Copy
}

/// The mapping of one collection onto one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    /// The collection.
    pub collection: CollectionId,
    /// The model.
    pub model: ModelId,
    /// The field lines.
    pub fields: Vec<FieldMapping>,
}

impl Mapping {
    /// Checks the mapping against its model: every line names an existing model field, each model
    /// field is mapped at most once, and every required model field is mapped.
    pub fn problems_against(&self, model: &Model) -> Vec<DomainError> {
        let mut out = self.problems();
        let name = format!("collection {} to {}", self.collection, model.name);
        for (i, line) in self.fields.iter().enumerate() {
            if model.field(&line.model_field).is_none() {
                out.push(DomainError::invalid(
                    "mapping",
                    &name,
                    format!("fields[{i}].model_field"),
                    format!("model '{}' has no field '{}'", model.name, line.model_field),
                ));
            }
        }
        for field in model.fields.iter().filter(|f| f.required) {
            if !self.fields.iter().any(|l| l.model_field == field.name) {
                out.push(DomainError::invalid(
                    "mapping",
                    &name,
                    "fields",
                    format!("required model field '{}' is not mapped", field.name),
                ));
            }
        }
        out
    }
}

impl Validate for Mapping {
    fn problems(&self) -> Vec<DomainError> {
        let mut out = Vec::new();
        let name = format!("collection {}", self.collection);
        let mut seen = std::collections::BTreeSet::new();
        for (i, line) in self.fields.iter().enumerate() {
            if !seen.insert(line.model_field.as_str()) {
                out.push(DomainError::invalid(
                    "mapping",
                    &name,
                    format!("fields[{i}].model_field"),
                    format!("model field '{}' is mapped twice", line.model_field),
                ));
            }
            if line.collection_field.trim().is_empty() {
                out.push(DomainError::invalid(
                    "mapping",
                    &name,
                    format!("fields[{i}].collection_field"),
                    "is empty",
                ));
            }
        }
        out
    }
}
