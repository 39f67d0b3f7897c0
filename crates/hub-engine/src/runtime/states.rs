//! Moving an artifact to a target state the way its tracker allows: through transitions, along
//! the shortest path of the workflow the connector describes, or by a direct transition when the
//! connector cannot describe its workflow. An unreachable state fails that artifact only
//! (SYN-17021E), never the whole integration.

use hub_connector::types::Artifact;
use hub_connector::{ErrorClass, types::Transition};
use hub_domain::integration::Side;
use hub_domain::model::FieldValue;

use super::context::IntegrationRuntime;
use super::error::{OnSide, SyncError};
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
/// transition, or `None` when it already was there.
pub async fn move_to(
    rt: &IntegrationRuntime,
    to: Side,
    artifact: &Artifact,
    state_field: &str,
    target: &str,
) -> Result<Option<Artifact>, SyncError> {
    let side = rt.side(to);
    let current = state_of(artifact.fields.get(state_field)).unwrap_or_default();
    if current == target {
        return Ok(None);
    }
    let path = path_to(rt, to, artifact, &current, target).await?;
    let Some(path) = path else {
        return Err(SyncError::StateUnreachable {
            artifact: artifact.formatted_id.clone(),
            from: current,
            to: target.to_owned(),
        });
    };
    let mut last = None;
    for transition in path {
        let moved = side
            .connector
            .perform_transition(&artifact.id, &transition.id)
            .await
            .on(side.name())?;
        last = Some(moved);
    }
    Ok(last)
}

async fn path_to(
    rt: &IntegrationRuntime,
    to: Side,
    artifact: &Artifact,
    current: &str,
    target: &str,
) -> Result<Option<Vec<Transition>>, SyncError> {
    let side = rt.side(to);
    let workflow = retry::read(|| {
        side.connector
            .workflow(&artifact.project, &artifact.artifact_type)
    })
    .await;
    match workflow {
        Ok(edges) => {
            Ok(shortest_path(&edges, current, target)
                .map(|path| path.into_iter().cloned().collect()))
        }
        Err(e) if e.class == ErrorClass::Unsupported => {
            let direct = retry::read(|| side.connector.transitions(&artifact.id))
                .await
                .on(side.name())?;
            Ok(direct
                .into_iter()
                .find(|t| t.to_state == target)
                .map(|t| vec![t]))
        }
        Err(e) => Err(e).on(side.name()),
    }
}
