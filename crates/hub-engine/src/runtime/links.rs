//! Relationships between artifacts, translated through the integration's pairs.
//!
//! A relationship value lists artifact ids of one tracker; its twin must list the twins' ids in
//! the other. In the model, links are written side-neutrally: `L:<left id>` when the target is
//! on the left or already paired, `R:<right id>` for a right artifact without a twin yet. Writing
//! to a side translates back; a link whose twin does not exist yet cannot be written, so the
//! field is held back (its snapshot left as it was) and the activity retried later, when the
//! twin may exist — the change is then still "unsynchronized" and flows.

use hub_domain::integration::Side;
use hub_domain::model::{FieldType, FieldValue, ModelValues};
use hub_domain::pair::ArtifactRef;
use hub_store::Store;

use super::context::IntegrationRuntime;
use super::error::SyncError;

fn is_link_field(rt: &IntegrationRuntime, field: &str) -> bool {
    rt.model.field(field).is_some_and(|f| {
        matches!(
            f.field_type,
            FieldType::Relationship | FieldType::Relationships
        )
    })
}

/// Rewrites the link values of a side's projection into side-neutral form.
pub async fn canonicalize(
    store: &Store,
    rt: &IntegrationRuntime,
    side: Side,
    values: &mut ModelValues,
) -> Result<(), SyncError> {
    for (field, value) in values.iter_mut() {
        if !is_link_field(rt, field) {
            continue;
        }
        let FieldValue::Links(ids) = value else {
            continue;
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids.iter() {
            out.push(match side {
                Side::Left => format!("L:{id}"),
                Side::Right => {
                    let artifact = ArtifactRef {
                        repository: rt.right.repository,
                        id: id.clone(),
                    };
                    match store.pair_of(rt.id, &artifact).await? {
                        Some(pair) => format!("L:{}", pair.left.artifact.id),
                        None => format!("R:{id}"),
                    }
                }
            });
        }
        *value = FieldValue::Links(out).normalized();
    }
    Ok(())
}

/// Translates side-neutral links for writing to `to`. Returns the fields that could not be fully
/// translated (removed from `values`).
pub async fn resolve(
    store: &Store,
    rt: &IntegrationRuntime,
    to: Side,
    values: &mut ModelValues,
) -> Result<Vec<String>, SyncError> {
    let mut unresolved = Vec::new();
    for (field, value) in values.iter_mut() {
        if !is_link_field(rt, field) {
            continue;
        }
        let FieldValue::Links(ids) = value else {
            continue;
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids.iter() {
            match resolve_one(store, rt, to, id).await? {
                Some(target) => out.push(target),
                None => {
                    unresolved.push(field.clone());
                    break;
                }
            }
        }
        *value = FieldValue::Links(out).normalized();
    }
    for field in &unresolved {
        values.remove(field);
    }
    Ok(unresolved)
}

async fn resolve_one(
    store: &Store,
    rt: &IntegrationRuntime,
    to: Side,
    id: &str,
) -> Result<Option<String>, SyncError> {
    let (origin, raw) = match id.split_once(':') {
        Some(("L", raw)) => (Side::Left, raw),
        Some(("R", raw)) => (Side::Right, raw),
        _ => return Ok(None),
    };
    if origin == to {
        return Ok(Some(raw.to_owned()));
    }
    let artifact = ArtifactRef {
        repository: rt.side(origin).repository,
        id: raw.to_owned(),
    };
    let pair = store.pair_of(rt.id, &artifact).await?;
    Ok(pair.map(|p| match to {
        Side::Left => p.left.artifact.id,
        Side::Right => p.right.artifact.id,
    }))
}
