//! Moving an artifact to a target state the way its tracker allows: by a direct transition when
//! one leads there, else along the shortest path of the workflow the connector describes (read
//! once per integration load). An unreachable state fails that artifact only
//! (SYN-17021E), never the whole integration.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use hub_connector::ErrorClass;
use hub_connector::types::{Artifact, Transition, WorkflowEdge};
use hub_domain::integration::Side;
use hub_domain::model::FieldValue;

use super::context::IntegrationRuntime;
use super::error::{OnSide, SyncError};
use super::extensions;
use super::retry;
use crate::sync::states::shortest_path;

/// The state an artifact is in, as text.
pub fn state_of(value: Option<&FieldValue>) -> Option<String> {
    match value? {
        FieldValue::Option(s) | FieldValue::Text(s) => Some(s.clone()),
        _ => None,
    }
}

/// Moves `artifact` on side `to` into state `target`; returns the artifact after the last
/// transition, or `None` when it already was there. With `version` (the artifact's version as
/// the hub last wrote or read it) each transition expects the version the one before left, so
/// a concurrent edit makes it fail as a conflict instead of hiding in the version the hub
/// records as its own.
pub async fn move_to(
    rt: &IntegrationRuntime,
    to: Side,
    artifact: &Artifact,
    version: Option<&str>,
    state_field: &str,
    target: &str,
) -> Result<Option<Artifact>, SyncError> {
    let current = state_of(artifact.fields.get(state_field)).unwrap_or_default();
    if current == target {
        return Ok(None);
    }
    if rt
        .integration
        .extensions
        .side(to)
        .state_transition
        .is_some()
    {
        return by_extension(rt, to, artifact, version, state_field, target).await;
    }
    let path = path_to(rt, to, artifact, &current, target).await?;
    let Some(path) = path else {
        return Err(SyncError::StateUnreachable {
            artifact: artifact.formatted_id.clone(),
            from: current,
            to: target.to_owned(),
        });
    };
    let ids: Vec<String> = path.into_iter().map(|t| t.id).collect();
    perform(rt, to, &artifact.id, version, &ids).await
}

/// Performs transitions `ids` in order, each expecting the version the previous one left.
async fn perform(
    rt: &IntegrationRuntime,
    to: Side,
    id: &str,
    version: Option<&str>,
    ids: &[String],
) -> Result<Option<Artifact>, SyncError> {
    let side = rt.side(to);
    let mut last: Option<Artifact> = None;
    for transition in ids {
        let expected = match &last {
            Some(moved) => version.map(|_| moved.version.as_str()),
            None => version,
        };
        let moved = side
            .connector
            .perform_transition(id, expected, transition)
            .await
            .on(side.name())?;
        last = Some(moved);
    }
    Ok(last)
}

/// The side's state-transition extension picks the transitions, performed in its order.
async fn by_extension(
    rt: &IntegrationRuntime,
    to: Side,
    artifact: &Artifact,
    version: Option<&str>,
    state_field: &str,
    target: &str,
) -> Result<Option<Artifact>, SyncError> {
    let side = rt.side(to);
    let offered = retry::read(|| side.connector.transitions(&artifact.id))
        .await
        .on(side.name())?;
    let chosen =
        extensions::choose_transitions(rt, to, artifact, state_field, target, &offered).await?;
    perform(rt, to, &artifact.id, version, &chosen.unwrap_or_default()).await
}

async fn path_to(
    rt: &IntegrationRuntime,
    to: Side,
    artifact: &Artifact,
    current: &str,
    target: &str,
) -> Result<Option<Vec<Transition>>, SyncError> {
    let side = rt.side(to);
    // One step is the common case and costs one request; the whole workflow only when needed.
    match retry::read(|| side.connector.transitions(&artifact.id)).await {
        Ok(direct) => {
            if let Some(step) = direct.into_iter().find(|t| t.to_state == target) {
                return Ok(Some(vec![step]));
            }
        }
        Err(e) if e.class == ErrorClass::Unsupported => {}
        Err(e) => return Err(e).on(side.name()),
    }
    let Some(edges) = workflow(rt, to, artifact).await? else {
        return Ok(None);
    };
    Ok(shortest_path(&edges, current, target).map(|path| path.into_iter().cloned().collect()))
}

/// The workflow of the artifact's type, read once per integration load; `None` when the
/// connector cannot describe it.
async fn workflow(
    rt: &IntegrationRuntime,
    to: Side,
    artifact: &Artifact,
) -> Result<Option<Arc<Vec<WorkflowEdge>>>, SyncError> {
    let key = format!(
        "{to:?}\u{1f}{}\u{1f}{}",
        artifact.project, artifact.artifact_type
    );
    if let Some(hit) = rt.workflows.get(&key) {
        return Ok(Some(hit));
    }
    let side = rt.side(to);
    let read = retry::read(|| {
        side.connector
            .workflow(&artifact.project, &artifact.artifact_type)
    })
    .await;
    match read {
        Ok(edges) => {
            let edges = Arc::new(edges);
            rt.workflows.put(key, edges.clone());
            Ok(Some(edges))
        }
        Err(e) if e.class == ErrorClass::Unsupported => Ok(None),
        Err(e) => Err(e).on(side.name()),
    }
}

/// Workflows already read, by side, project and artifact type.
#[derive(Debug, Default)]
pub struct WorkflowCache {
    read: Mutex<HashMap<String, Arc<Vec<WorkflowEdge>>>>,
}

impl WorkflowCache {
    fn get(&self, key: &str) -> Option<Arc<Vec<WorkflowEdge>>> {
        self.lock().get(key).cloned()
    }

    fn put(&self, key: String, edges: Arc<Vec<WorkflowEdge>>) {
        self.lock().insert(key, edges);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Vec<WorkflowEdge>>>> {
        self.read
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
