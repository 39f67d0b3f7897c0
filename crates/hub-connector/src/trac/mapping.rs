//! Tickets to artifacts and field values to Trac's attribute strings.
//!
//! Trac stores every field as text (`"1"` for a checked box, user names for persons, wiki
//! markup for descriptions), so conversion happens here, once, with the field's model type
//! from [`super::schema`]. The `_ts` token of `ticket.get` (microseconds of the last change)
//! is both the version for Trac's collision check and a finer `updated_at` than `changetime`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use hub_domain::model::{FieldType, FieldValue, PersonRef};
use serde_json::{Map, Value};

use super::codec;
use super::schema::TracField;
use crate::error::{ConnectorError, ErrorClass};
use crate::markup::{self, Markup};
use crate::types::Artifact;

/// What Trac stores as the owner of a ticket nobody owns yet.
const DEFAULT_OWNER: &str = "< default >";

/// Where tickets live and how they are identified.
#[derive(Debug, Clone)]
pub struct Context {
    /// The environment's base URL.
    pub base_url: String,
    /// The one project key every ticket belongs to.
    pub project: String,
    /// The custom field holding the source identity.
    pub source_field: String,
}

/// The `_ts` version token of a `ticket.get` answer.
pub fn version(answer: &Value) -> Option<&str> {
    answer.get(3)?.get("_ts")?.as_str()
}

/// A ticket as `ticket.get` returns it: `[id, time, changetime, values]`.
pub fn artifact(
    answer: &Value,
    context: &Context,
    fields: &[TracField],
    person: &dyn Fn(&str) -> PersonRef,
) -> Result<Artifact, ConnectorError> {
    let malformed = || {
        ConnectorError::new(
            ErrorClass::Network,
            format!("Trac ticket.get: unexpected answer {answer}"),
        )
    };
    let id = answer
        .get(0)
        .and_then(Value::as_i64)
        .ok_or_else(malformed)?;
    let values = answer
        .get(3)
        .and_then(Value::as_object)
        .ok_or_else(malformed)?;
    let version = version(answer).ok_or_else(malformed)?;
    let updated_at = codec::ts_time(version)
        .or_else(|| answer.get(2).and_then(codec::parse_datetime))
        .ok_or_else(malformed)?;
    let source = text(values, &context.source_field).filter(|s| !s.is_empty());
    let fields = fields
        .iter()
        .filter_map(|f| {
            values
                .get(&f.name)
                .map(|v| (f.name.clone(), read(f, v, person)))
        })
        .collect();
    Ok(Artifact {
        id: id.to_string(),
        formatted_id: format!("#{id}"),
        url: format!("{}/ticket/{id}", context.base_url.trim_end_matches('/')),
        project: context.project.clone(),
        artifact_type: text(values, "type").unwrap_or_default(),
        version: version.to_owned(),
        updated_at,
        fields,
        source,
    })
}

fn text(values: &Map<String, Value>, name: &str) -> Option<String> {
    values.get(name).and_then(Value::as_str).map(str::to_owned)
}

/// One stored value in the model.
fn read(field: &TracField, value: &Value, person: &dyn Fn(&str) -> PersonRef) -> FieldValue {
    if let Some(dt) = codec::parse_datetime(value) {
        return match field.field_type() {
            FieldType::Date => FieldValue::Date(dt.date_naive()),
            _ => FieldValue::DateTime(dt),
        };
    }
    let s = value.as_str().unwrap_or_default();
    if s.is_empty() || (field.name == "owner" && s == DEFAULT_OWNER) {
        return FieldValue::Null;
    }
    match field.field_type() {
        FieldType::Person => FieldValue::Person(person(s)),
        FieldType::RichText => FieldValue::Text(markup::to_model(s, Markup::TracWiki)),
        FieldType::SingleSelect => FieldValue::Option(s.to_owned()),
        FieldType::Boolean => FieldValue::Bool(s == "1"),
        FieldType::Date => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_or_else(|_| FieldValue::Text(s.to_owned()), FieldValue::Date),
        FieldType::DateTime => DateTime::parse_from_rfc3339(s).map_or_else(
            |_| FieldValue::Text(s.to_owned()),
            |dt| FieldValue::DateTime(dt.with_timezone(&Utc)),
        ),
        _ => FieldValue::Text(s.to_owned()),
    }
}

/// The attributes of `ticket.create`/`ticket.update` for model values.
pub fn attributes(
    fields: &[TracField],
    values: &BTreeMap<String, FieldValue>,
) -> Result<Map<String, Value>, ConnectorError> {
    let mut out = Map::new();
    for (name, value) in values {
        let field = fields.iter().find(|f| &f.name == name).ok_or_else(|| {
            ConnectorError::new(
                ErrorClass::InvalidValue,
                format!("Trac has no ticket field '{name}'"),
            )
        })?;
        if field.read_only() {
            let why = if matches!(name.as_str(), "status" | "resolution") {
                "it changes only through workflow actions (transitions)"
            } else {
                "Trac sets it"
            };
            return Err(ConnectorError::new(
                ErrorClass::InvalidValue,
                format!("the ticket field '{name}' cannot be written: {why}"),
            ));
        }
        out.insert(name.clone(), write(field, value)?);
    }
    Ok(out)
}

/// Refuses select values that are not among the field's options (empty is always allowed).
pub fn check_options(
    fields: &[TracField],
    values: &BTreeMap<String, FieldValue>,
) -> Result<(), ConnectorError> {
    for (name, value) in values {
        let field = fields.iter().find(|f| &f.name == name);
        let select = field.filter(|f| f.field_type() == FieldType::SingleSelect);
        if let (Some(field), FieldValue::Option(option)) = (select, value)
            && !field.options.contains(option)
        {
            return Err(ConnectorError::new(
                ErrorClass::InvalidValue,
                format!(
                    "'{option}' is not an option of the ticket field '{name}' ({})",
                    field.options.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// One model value as Trac stores it.
fn write(field: &TracField, value: &FieldValue) -> Result<Value, ConnectorError> {
    let joined = |items: Vec<String>| Value::String(items.join(", "));
    Ok(match value {
        FieldValue::Null => Value::String(String::new()),
        FieldValue::Text(s) if field.field_type() == FieldType::RichText => {
            Value::String(markup::from_model(s, Markup::TracWiki))
        }
        FieldValue::Text(s) | FieldValue::Option(s) | FieldValue::Decimal(s) => {
            Value::String(s.clone())
        }
        FieldValue::Bool(b) => Value::String(if *b { "1" } else { "0" }.to_owned()),
        FieldValue::Integer(n) | FieldValue::Minutes(n) => Value::String(n.to_string()),
        FieldValue::Date(d) => Value::String(d.format("%Y-%m-%d").to_string()),
        FieldValue::DateTime(dt) => codec::datetime(*dt),
        FieldValue::Options(items) => joined(items.clone()),
        FieldValue::Person(p) => Value::String(username(p)),
        FieldValue::Persons(ps) => joined(ps.iter().map(username).collect()),
        FieldValue::Links(_) | FieldValue::WebLinks(_) => {
            return Err(ConnectorError::new(
                ErrorClass::InvalidValue,
                format!("the ticket field '{}' cannot hold links", field.name),
            ));
        }
    })
}

fn username(person: &PersonRef) -> String {
    person.username.clone().unwrap_or_else(|| person.id.clone())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::trac::schema::parse_fields;

    fn fields() -> Vec<TracField> {
        parse_fields(
            json!([
                {"name": "summary", "type": "text"},
                {"name": "owner", "type": "text"},
                {"name": "type", "type": "select", "options": ["defect", "task"]},
                {"name": "status", "type": "radio", "options": ["new", "closed"]},
                {"name": "urgent", "type": "checkbox"},
                {"name": "changetime", "type": "time"}
            ]),
            "external_id",
        )
        .unwrap()
    }

    fn person(name: &str) -> PersonRef {
        PersonRef {
            id: name.to_owned(),
            username: Some(name.to_owned()),
            email: None,
            display_name: None,
        }
    }

    #[test]
    fn a_ticket_becomes_an_artifact() {
        let context = Context {
            base_url: "http://t/".into(),
            project: "trac".into(),
            source_field: "external_id".into(),
        };
        let answer = json!([7, {"__jsonclass__": ["datetime", "2026-11-25T19:06:35"]},
            {"__jsonclass__": ["datetime", "2026-11-25T19:06:58"]},
            {"summary": "S", "owner": "< default >", "type": "task", "status": "new", "urgent": "1",
             "external_id": "src:1", "_ts": "1795633618123456",
             "changetime": {"__jsonclass__": ["datetime", "2026-11-25T19:06:58"]}}]);
        let artifact = artifact(&answer, &context, &fields(), &person).unwrap();
        assert_eq!(artifact.formatted_id, "#7");
        assert_eq!(artifact.url, "http://t/ticket/7");
        assert_eq!(artifact.artifact_type, "task");
        assert_eq!(artifact.version, "1795633618123456");
        assert_eq!(artifact.updated_at.timestamp_subsec_micros(), 123_456);
        assert_eq!(artifact.source.as_deref(), Some("src:1"));
        assert_eq!(artifact.fields["owner"], FieldValue::Null);
        assert_eq!(artifact.fields["urgent"], FieldValue::Bool(true));
        assert_eq!(artifact.fields["status"], FieldValue::Option("new".into()));
        assert!(matches!(
            artifact.fields["changetime"],
            FieldValue::DateTime(_)
        ));
    }

    #[test]
    fn values_are_written_as_trac_text_and_read_only_fields_are_refused() {
        let values = BTreeMap::from([
            ("owner".to_owned(), FieldValue::Person(person("alice"))),
            ("urgent".to_owned(), FieldValue::Bool(false)),
            ("type".to_owned(), FieldValue::Option("task".into())),
        ]);
        let attrs = attributes(&fields(), &values).unwrap();
        assert_eq!(
            Value::Object(attrs),
            json!({"owner": "alice", "urgent": "0", "type": "task"})
        );
        let status = BTreeMap::from([("status".to_owned(), FieldValue::Option("closed".into()))]);
        let err = attributes(&fields(), &status).unwrap_err();
        assert_eq!(err.class, ErrorClass::InvalidValue);
        assert!(err.message.contains("workflow"), "{}", err.message);
        let bad_type = BTreeMap::from([("type".to_owned(), FieldValue::Option("epic".into()))]);
        assert_eq!(
            check_options(&fields(), &bad_type).unwrap_err().class,
            ErrorClass::InvalidValue
        );
        assert!(check_options(&fields(), &values).is_ok());
        let unknown = BTreeMap::from([("nope".to_owned(), FieldValue::Null)]);
        assert_eq!(
            attributes(&fields(), &unknown).unwrap_err().class,
            ErrorClass::InvalidValue
        );
    }
}
