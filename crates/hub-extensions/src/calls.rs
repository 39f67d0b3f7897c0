//! The typed entry points the engine and the gateway call, one per extension kind, with the
//! context objects and return contracts of the extension guide.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::error::ExtensionError;
use crate::host::{CallRequest, ExtensionHost};
use crate::kind::{
    PERSON_FROM_REPOSITORY, PERSON_TO_REPOSITORY, TRANSFORM, TRANSFORM_PAYLOAD, TRANSITION_ARTIFACT,
};
use crate::log::CallTags;
use crate::services::HostServices;

/// A field as scripts see it in `context.sourceField` and friends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldRef {
    /// Field id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Option labels of select fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

/// The `context` argument of data transformations and person reconciliation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallContext {
    /// The artifact values come from.
    pub source_artifact: Value,
    /// The artifact values go to (also shown as `targetRepositoryArtifact`).
    pub target_artifact: Value,
    /// Source fields of the mapping (one: `sourceField`; several: `sourceFields`).
    pub source_fields: Vec<FieldRef>,
    /// Target fields of the mapping.
    pub target_fields: Vec<FieldRef>,
    /// Source test step, for test step mappings.
    pub source_test_step: Option<Value>,
    /// Target test step, for test step mappings.
    pub target_test_step: Option<Value>,
}

impl CallContext {
    /// The object scripts receive.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("sourceArtifact".into(), self.source_artifact.clone());
        map.insert("targetArtifact".into(), self.target_artifact.clone());
        map.insert(
            "targetRepositoryArtifact".into(),
            self.target_artifact.clone(),
        );
        let fields = |map: &mut Map<String, Value>, one: &str, many: &str, list: &[FieldRef]| {
            if let [single] = list {
                map.insert(one.into(), json!(single));
            }
            map.insert(many.into(), json!(list));
        };
        fields(&mut map, "sourceField", "sourceFields", &self.source_fields);
        fields(&mut map, "targetField", "targetFields", &self.target_fields);
        if let Some(step) = &self.source_test_step {
            map.insert("sourceTestStep".into(), step.clone());
        }
        if let Some(step) = &self.target_test_step {
            map.insert("targetTestStep".into(), step.clone());
        }
        Value::Object(map)
    }
}

/// A workflow transition offered to, and chosen by, a state transition extension.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TransitionOption {
    /// The repository's id of the transition.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Values that may be set while transitioning.
    #[serde(default)]
    pub attributes: Map<String, Value>,
}

/// One data transformation call.
#[derive(Debug, Clone, PartialEq)]
pub struct TransformCall {
    /// The context.
    pub context: CallContext,
    /// The input: one value, or an array in the order of the declared input types.
    pub input: Value,
    /// For the extension log.
    pub tags: CallTags,
}

fn output_error(name: &str, reason: impl Into<String>) -> ExtensionError {
    ExtensionError::Output {
        name: name.to_owned(),
        reason: reason.into(),
    }
}

impl ExtensionHost {
    /// Asks a state transition extension which transitions to perform next: none (`undefined`),
    /// one, or several in order.
    pub fn transition_artifact(
        &self,
        name: &str,
        source_artifact: &Value,
        target_artifact: &Value,
        transitions: &[TransitionOption],
        tags: CallTags,
    ) -> Result<Vec<TransitionOption>, ExtensionError> {
        let context = json!({
            "sourceArtifact": source_artifact,
            "targetRepositoryArtifact": target_artifact,
            "targetArtifact": target_artifact,
        });
        let request = CallRequest {
            args: vec![Arc::new(context), Arc::new(json!(transitions))],
            tags,
        };
        let chosen = self.call(name, TRANSITION_ARTIFACT, request, None)?;
        let list = match chosen {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(one) => vec![one],
        };
        list.into_iter()
            .filter(|v| !v.is_null())
            .map(|v| {
                serde_json::from_value(v)
                    .map_err(|e| output_error(name, format!("not a transition: {e}")))
            })
            .collect()
    }

    /// Turns a webhook payload into the artifacts of a gateway collection (0 or more objects).
    pub fn transform_payload(
        &self,
        name: &str,
        payload: &Value,
        parameters: &BTreeMap<String, Vec<String>>,
        headers: &BTreeMap<String, Vec<String>>,
        tags: CallTags,
    ) -> Result<Vec<Map<String, Value>>, ExtensionError> {
        let request = CallRequest {
            args: vec![
                Arc::new(payload.clone()),
                Arc::new(json!(parameters)),
                Arc::new(json!(headers)),
            ],
            tags,
        };
        match self.call(name, TRANSFORM_PAYLOAD, request, None)? {
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::Object(map) => Ok(map),
                    _ => Err(output_error(name, format!("element {i} is not an object"))),
                })
                .collect(),
            _ => Err(output_error(
                name,
                "a payload transformation must return an array",
            )),
        }
    }

    /// Runs a data transformation on a batch of inputs (one worker round trip for all).
    /// Each result is `None` for `undefined` or `null` (the empty value). Consecutive calls
    /// with equal contexts share one context object, converted once and frozen.
    pub fn transform_batch(
        &self,
        name: &str,
        calls: Vec<TransformCall>,
        services: Option<Arc<dyn HostServices>>,
    ) -> Result<Vec<Result<Option<Value>, ExtensionError>>, ExtensionError> {
        let expected = self.extension(name)?.output_types.len();
        let mut previous: Option<(CallContext, Arc<Value>)> = None;
        let requests = calls
            .into_iter()
            .map(|c| {
                let context = match &previous {
                    Some((context, json)) if *context == c.context => json.clone(),
                    _ => {
                        let json = Arc::new(c.context.to_json());
                        previous = Some((c.context, json.clone()));
                        json
                    }
                };
                CallRequest {
                    args: vec![context, Arc::new(c.input)],
                    tags: c.tags,
                }
            })
            .collect();
        let results = self.call_batch(name, TRANSFORM, requests, services)?;
        Ok(results
            .into_iter()
            .map(|r| r.and_then(|v| check_outputs(name, v, expected)))
            .collect())
    }

    /// Runs a data transformation once.
    pub fn transform(
        &self,
        name: &str,
        call: TransformCall,
        services: Option<Arc<dyn HostServices>>,
    ) -> Result<Option<Value>, ExtensionError> {
        let mut results = self.transform_batch(name, vec![call], services)?;
        results.pop().unwrap_or(Ok(None))
    }

    /// The model person id for a repository person; `None` leaves the field empty.
    pub fn map_person_from_repository(
        &self,
        name: &str,
        repository_person: Option<&Value>,
        unresolved_person: Option<&Value>,
        context: &CallContext,
        tags: CallTags,
        services: Option<Arc<dyn HostServices>>,
    ) -> Result<Option<String>, ExtensionError> {
        let args = vec![
            Arc::new(repository_person.cloned().unwrap_or(Value::Null)),
            Arc::new(unresolved_person.cloned().unwrap_or(Value::Null)),
            Arc::new(context.to_json()),
        ];
        let result = self.call(
            name,
            PERSON_FROM_REPOSITORY,
            CallRequest { args, tags },
            services,
        )?;
        person_id(name, result)
    }

    /// The repository person id for a model person; `None` leaves the field empty.
    pub fn map_person_to_repository(
        &self,
        name: &str,
        model_person: &Value,
        context: &CallContext,
        tags: CallTags,
        services: Option<Arc<dyn HostServices>>,
    ) -> Result<Option<String>, ExtensionError> {
        let args = vec![Arc::new(model_person.clone()), Arc::new(context.to_json())];
        let result = self.call(
            name,
            PERSON_TO_REPOSITORY,
            CallRequest { args, tags },
            services,
        )?;
        person_id(name, result)
    }
}

/// With several declared output types the result is an array of exactly that many values.
fn check_outputs(
    name: &str,
    value: Option<Value>,
    expected: usize,
) -> Result<Option<Value>, ExtensionError> {
    match &value {
        Some(Value::Array(items)) if expected > 1 && items.len() != expected => Err(output_error(
            name,
            format!(
                "{expected} output values are declared, {} returned",
                items.len()
            ),
        )),
        Some(v) if expected > 1 && !v.is_array() && !v.is_null() => Err(output_error(
            name,
            format!("{expected} output values are declared; return them as an array"),
        )),
        Some(Value::Null) => Ok(None),
        _ => Ok(value),
    }
}

fn person_id(name: &str, value: Option<Value>) -> Result<Option<String>, ExtensionError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(output_error(
            name,
            format!("a person id must be a string, not {other}"),
        )),
    }
}
