//! Where synchronization calls the administrator's extensions: data transformations on mapping
//! lines, person reconciliation and state transitions when writing to a side.
//!
//! The host runs scripts on its own threads and answers over a channel, so each call is made
//! from a blocking task: a slow script holds one of those, never the engine's async workers.
//! Values go to scripts in the JSON shapes of the extension guide and come back through the
//! same type conversions as any mapped value.

use std::collections::BTreeMap;

use hub_connector::types::{Artifact, Transition};
use hub_domain::integration::Side;
use hub_domain::mapping::Transform;
use hub_domain::model::{FieldValue, ModelValues, PersonRef};
use hub_extensions::services::person_json;
use hub_extensions::{
    CallContext, CallTags, ExtensionError, ExtensionHost, TransformCall, TransitionOption,
};
use serde_json::{Value, json};

use super::context::IntegrationRuntime;
use super::error::SyncError;

/// Runs `work` with the host on a blocking task.
async fn on_host<T: Send + 'static>(
    host: &ExtensionHost,
    work: impl FnOnce(&ExtensionHost) -> Result<T, ExtensionError> + Send + 'static,
) -> Result<T, SyncError> {
    let host = host.clone();
    tokio::task::spawn_blocking(move || work(&host))
        .await
        .map_err(|e| SyncError::Configuration(format!("extension call did not finish: {e}")))?
        .map_err(SyncError::Extension)
}

fn tags(rt: &IntegrationRuntime, artifact: &str) -> CallTags {
    CallTags {
        integration: Some(rt.integration.name.clone()),
        artifact: Some(artifact.to_owned()),
    }
}

/// Values of mapping lines computed by extensions on the way into the model, by model field.
pub async fn into_model(
    rt: &IntegrationRuntime,
    side: Side,
    artifact: &Artifact,
) -> Result<BTreeMap<String, FieldValue>, SyncError> {
    let lines = rt.side(side).mapping.fields.iter();
    let mut computed = BTreeMap::new();
    for line in lines {
        let Transform::Extension { name } = &line.to_model else {
            continue;
        };
        let input = artifact.fields.get(&line.collection_field);
        let context = CallContext {
            source_artifact: fields_json(&artifact.fields),
            ..CallContext::default()
        };
        let value = transform(rt, name, input, context, &artifact.formatted_id).await?;
        computed.insert(line.model_field.clone(), value);
    }
    Ok(computed)
}

/// Values of mapping lines computed by extensions on the way out of the model, by collection
/// field.
pub async fn out_of_model(
    rt: &IntegrationRuntime,
    to: Side,
    values: &ModelValues,
    target: &str,
) -> Result<BTreeMap<String, FieldValue>, SyncError> {
    let mut computed = BTreeMap::new();
    for line in &rt.side(to).mapping.fields {
        let Transform::Extension { name } = &line.from_model else {
            continue;
        };
        let Some(input) = values.get(&line.model_field) else {
            continue;
        };
        let context = CallContext {
            source_artifact: fields_json(values),
            ..CallContext::default()
        };
        let value = transform(rt, name, Some(input), context, target).await?;
        computed.insert(line.collection_field.clone(), value);
    }
    Ok(computed)
}

async fn transform(
    rt: &IntegrationRuntime,
    name: &str,
    input: Option<&FieldValue>,
    context: CallContext,
    artifact: &str,
) -> Result<FieldValue, SyncError> {
    let Some(host) = &rt.extensions else {
        return Err(no_host(name));
    };
    let call = TransformCall {
        context,
        input: input.map_or(Value::Null, value_json),
        tags: tags(rt, artifact),
    };
    let name = name.to_owned();
    let out = on_host(host, move |h| h.transform(&name, call, None)).await?;
    Ok(out.map_or(FieldValue::Null, json_value))
}

/// The person an extension picks on side `to` for a model person; `Ok(None)` when the side
/// has no person extension, `Ok(Some(None))` when the extension leaves the field empty.
pub async fn person_to(
    rt: &IntegrationRuntime,
    to: Side,
    person: &PersonRef,
) -> Result<Option<Option<PersonRef>>, SyncError> {
    let Some(name) = rt
        .integration
        .extensions
        .side(to)
        .person_reconciliation
        .clone()
    else {
        return Ok(None);
    };
    let Some(host) = &rt.extensions else {
        return Err(no_host(&name));
    };
    let model_person = person_json(person);
    let tags = tags(rt, &person.id);
    let id = on_host(host, move |h| {
        h.map_person_to_repository(&name, &model_person, &CallContext::default(), tags, None)
    })
    .await?;
    Ok(Some(id.map(|id| PersonRef {
        id,
        username: None,
        email: None,
        display_name: None,
    })))
}

/// The transitions an extension chooses to move `target` towards `state`; `Ok(None)` when
/// the side has no state-transition extension.
pub async fn choose_transitions(
    rt: &IntegrationRuntime,
    to: Side,
    target: &Artifact,
    state_field: &str,
    state: &str,
    offered: &[Transition],
) -> Result<Option<Vec<String>>, SyncError> {
    let Some(name) = rt.integration.extensions.side(to).state_transition.clone() else {
        return Ok(None);
    };
    let Some(host) = &rt.extensions else {
        return Err(no_host(&name));
    };
    let source = json!({ state_field: state, "status": state });
    let target_json = fields_json(&target.fields);
    let options: Vec<TransitionOption> = offered
        .iter()
        .map(|t| TransitionOption {
            id: t.id.clone(),
            label: t.name.clone(),
            attributes: [("to".to_owned(), json!(t.to_state))].into_iter().collect(),
        })
        .collect();
    let tags = tags(rt, &target.formatted_id);
    let chosen = on_host(host, move |h| {
        h.transition_artifact(&name, &source, &target_json, &options, tags)
    })
    .await?;
    Ok(Some(chosen.into_iter().map(|t| t.id).collect()))
}

fn no_host(name: &str) -> SyncError {
    SyncError::Configuration(format!(
        "extension '{name}' is configured but this engine runs without an extension host"
    ))
}

fn fields_json(fields: &BTreeMap<String, FieldValue>) -> Value {
    Value::Object(
        fields
            .iter()
            .map(|(k, v)| (k.clone(), value_json(v)))
            .collect(),
    )
}

/// A value in the shape scripts see.
fn value_json(value: &FieldValue) -> Value {
    match value {
        FieldValue::Null => Value::Null,
        FieldValue::Text(s) | FieldValue::Decimal(s) | FieldValue::Option(s) => json!(s),
        FieldValue::Bool(b) => json!(b),
        FieldValue::Integer(i) | FieldValue::Minutes(i) => json!(i),
        FieldValue::Date(d) => json!(d.to_string()),
        FieldValue::DateTime(t) => json!(t.to_rfc3339()),
        FieldValue::Options(v) | FieldValue::Links(v) => json!(v),
        FieldValue::Person(p) => person_json(p),
        FieldValue::Persons(v) => Value::Array(v.iter().map(person_json).collect()),
        FieldValue::WebLinks(links) => Value::Array(
            links
                .iter()
                .map(|l| json!({ "location": l.url, "label": l.label }))
                .collect(),
        ),
    }
}

/// A script's result as a value; the mapping's conversion then brings it to the field's type.
fn json_value(value: Value) -> FieldValue {
    match value {
        Value::Null => FieldValue::Null,
        Value::Bool(b) => FieldValue::Bool(b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => FieldValue::Integer(i),
            None => FieldValue::Decimal(n.to_string()),
        },
        Value::String(s) => FieldValue::Text(s),
        Value::Array(items) => FieldValue::Options(
            items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                })
                .collect(),
        )
        .normalized(),
        Value::Object(map) => FieldValue::Text(Value::Object(map).to_string()),
    }
}
