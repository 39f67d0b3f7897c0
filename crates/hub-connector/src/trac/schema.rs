//! Trac's ticket fields (`ticket.getTicketFields`) as a [`Schema`].
//!
//! Every ticket type shares one set of fields in Trac. `status` and `resolution` are read-only
//! here because they change only through workflow actions; `time`/`changetime` are Trac's;
//! the source-identity custom field (`external_id`) is the connector's own and stays hidden.
//! `owner` and `reporter` hold user names and are person fields.

use hub_domain::model::FieldType;
use serde::Deserialize;
use serde_json::Value;

use crate::types::{FieldSchema, Schema};

/// Fields only the workflow or Trac itself writes.
const READ_ONLY: [&str; 5] = ["status", "resolution", "time", "changetime", "reporter"];
/// Fields holding one user name.
const PERSON_FIELDS: [&str; 2] = ["owner", "reporter"];

/// One field as `ticket.getTicketFields` describes it.
#[derive(Debug, Clone, Deserialize)]
pub struct TracField {
    /// The field's name (`summary`, `priority`, a custom field's name).
    pub name: String,
    /// `text`, `textarea`, `select`, `radio`, `checkbox`, `time`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Display label.
    #[serde(default)]
    pub label: String,
    /// Allowed values of selects and radios.
    #[serde(default)]
    pub options: Vec<String>,
    /// `wiki`, `plain`, `list`, `date`, `datetime`, `relative`.
    #[serde(default)]
    pub format: Option<String>,
}

impl TracField {
    /// Its type in the model.
    pub fn field_type(&self) -> FieldType {
        match self.kind.as_str() {
            _ if PERSON_FIELDS.contains(&self.name.as_str()) => FieldType::Person,
            "select" | "radio" if !self.options.is_empty() => FieldType::SingleSelect,
            "textarea" if self.format.as_deref() != Some("plain") => FieldType::RichText,
            "checkbox" => FieldType::Boolean,
            "time" if self.format.as_deref() == Some("date") => FieldType::Date,
            "time" => FieldType::DateTime,
            _ => FieldType::String,
        }
    }

    /// Whether only Trac or its workflow writes it.
    pub fn read_only(&self) -> bool {
        READ_ONLY.contains(&self.name.as_str())
    }
}

/// The fields Trac reports, less the hidden source-identity field.
pub fn parse_fields(value: Value, source_field: &str) -> Result<Vec<TracField>, String> {
    let fields: Vec<TracField> =
        serde_json::from_value(value).map_err(|e| format!("ticket fields: {e}"))?;
    Ok(fields
        .into_iter()
        .filter(|f| f.name != source_field)
        .collect())
}

/// The schema of every ticket type.
pub fn schema(fields: &[TracField]) -> Schema {
    let fields = fields
        .iter()
        .map(|field| {
            let field_type = field.field_type();
            FieldSchema {
                id: field.name.clone(),
                name: if field.label.is_empty() {
                    field.name.clone()
                } else {
                    field.label.clone()
                },
                field_type,
                required: field.name == "summary",
                read_only: field.read_only(),
                options: if field_type.has_options() {
                    field.options.clone()
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    Schema { fields }
}

/// The ticket types: the options of the `type` field.
pub fn ticket_types(fields: &[TracField]) -> Vec<String> {
    fields
        .iter()
        .find(|f| f.name == "type")
        .map(|f| f.options.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields() -> Vec<TracField> {
        parse_fields(
            json!([
                {"name": "summary", "type": "text", "label": "Summary"},
                {"name": "owner", "type": "text", "label": "Owner"},
                {"name": "description", "type": "textarea", "format": "wiki", "label": "Description"},
                {"name": "type", "type": "select", "label": "Type", "options": ["defect", "task"]},
                {"name": "status", "type": "radio", "label": "Status", "options": ["new", "closed"]},
                {"name": "version", "type": "select", "label": "Version", "options": []},
                {"name": "changetime", "type": "time", "format": "relative", "label": "Modified"},
                {"name": "external_id", "type": "text", "custom": true, "label": "External ID"}
            ]),
            "external_id",
        )
        .unwrap()
    }

    #[test]
    fn fields_map_to_model_types() {
        let schema = schema(&fields());
        let kind = |id: &str| schema.field(id).map(|f| f.field_type);
        assert_eq!(kind("summary"), Some(FieldType::String));
        assert_eq!(kind("owner"), Some(FieldType::Person));
        assert_eq!(kind("description"), Some(FieldType::RichText));
        assert_eq!(kind("type"), Some(FieldType::SingleSelect));
        assert_eq!(
            kind("version"),
            Some(FieldType::String),
            "a select without options"
        );
        assert_eq!(kind("changetime"), Some(FieldType::DateTime));
        assert!(schema.field("external_id").is_none());
        assert!(schema.field("status").unwrap().read_only);
        assert!(schema.field("summary").unwrap().required);
    }

    #[test]
    fn ticket_types_are_the_type_options() {
        assert_eq!(ticket_types(&fields()), ["defect", "task"]);
    }
}
