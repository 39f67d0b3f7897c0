//! Connector values as the JSON scripts see: field ids as keys, persons with the `person-…`
//! keys the guide's examples read, relationships as `{ "id": … }`.

use hub_connector::types::{Artifact, Schema};
use hub_domain::model::{FieldType, FieldValue, PersonRef};
use serde_json::{Map, Value, json};

/// A person with both the bare and the `person-` spelling of each key.
pub fn person_json(person: &PersonRef) -> Value {
    let mut map = Map::new();
    let mut put = |key: &str, value: Option<&String>| {
        let value = value.map_or(Value::Null, |v| Value::String(v.clone()));
        map.insert(key.to_owned(), value.clone());
        map.insert(format!("person-{key}"), value);
    };
    put("id", Some(&person.id));
    put("username", person.username.as_ref());
    put("email", person.email.as_ref());
    put("display-name", person.display_name.as_ref());
    Value::Object(map)
}

/// One field value; `single` turns a one-element link list into one relationship.
fn value_json(value: &FieldValue, single: bool) -> Value {
    match value {
        FieldValue::Null => Value::Null,
        FieldValue::Text(s) | FieldValue::Decimal(s) | FieldValue::Option(s) => json!(s),
        FieldValue::Bool(b) => json!(b),
        FieldValue::Integer(i) | FieldValue::Minutes(i) => json!(i),
        FieldValue::Date(d) => json!(d.to_string()),
        FieldValue::DateTime(t) => json!(t.to_rfc3339()),
        FieldValue::Options(v) => json!(v),
        FieldValue::Person(p) => person_json(p),
        FieldValue::Persons(v) => Value::Array(v.iter().map(person_json).collect()),
        FieldValue::Links(ids) if single => {
            ids.first().map_or(Value::Null, |id| json!({ "id": id }))
        }
        FieldValue::Links(ids) => Value::Array(ids.iter().map(|id| json!({ "id": id })).collect()),
        FieldValue::WebLinks(links) => Value::Array(
            links
                .iter()
                .map(|l| json!({ "location": l.url, "label": l.label }))
                .collect(),
        ),
    }
}

/// The raw JSON of an artifact: identity keys plus every field by id.
pub fn artifact_json(artifact: &Artifact, schema: &Schema) -> Value {
    let mut map = Map::new();
    map.insert("id".into(), json!(artifact.id));
    map.insert("formatted-id".into(), json!(artifact.formatted_id));
    map.insert("location".into(), json!(artifact.url));
    map.insert("artifact-type".into(), json!(artifact.artifact_type));
    map.insert("project".into(), json!(artifact.project));
    for (id, value) in &artifact.fields {
        let single = schema
            .field(id)
            .is_some_and(|f| f.field_type == FieldType::Relationship);
        map.insert(id.clone(), value_json(value, single));
    }
    Value::Object(map)
}
