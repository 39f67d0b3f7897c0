//! Synchronizing one artifact: create its twin if it has none, else bring the pair in step.
//!
//! Every step is safe to repeat. Writes happen before the snapshot is stored, so a crash in
//! between leaves both sides changed to the same value — which the planner treats as already in
//! step. Creation goes through an intent and the source identity stored on the twin, so a crash
//! after creating but before recording is resolved by a search, never by creating again.

use chrono::Utc;
use hub_connector::ErrorClass;
use hub_connector::types::{Artifact, NewArtifact};
use hub_domain::filter::eligible;
use hub_domain::integration::Side;
use hub_domain::model::{FieldValue, ModelValues};
use hub_domain::pair::{ArtifactPair, ArtifactRef, PairSide};
use hub_store::sync_state::{Creation, PairRecord};
use hub_store::{Store, StoreError};
use tracing::debug;

use super::context::IntegrationRuntime;
use super::error::{OnSide, SyncError};
use super::snapshot::PairSnapshot;
use super::{extensions, flow, links, parts, people as reconcile, retry, second_look, states};
use crate::sync::people;
use crate::sync::plan::{SideView, plan};
use crate::sync::transform::{from_model_with, to_model_with};

/// How processing ended when nothing failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// In step (or nothing to do).
    Done,
    /// In step except relationship fields whose targets have no twin yet.
    WaitingForTwins(Vec<String>),
}

/// Processes a change of `artifact`.
pub async fn process(
    store: &Store,
    rt: &IntegrationRuntime,
    artifact: &ArtifactRef,
) -> Result<Outcome, SyncError> {
    let side = rt.side_of(artifact.repository).ok_or_else(|| {
        SyncError::Configuration(format!(
            "repository {} is on neither side",
            artifact.repository
        ))
    })?;
    match store.pair_record(rt.id, artifact).await? {
        Some(record) => sync_pair(store, rt, record).await,
        None => create_twin(store, rt, side, artifact).await,
    }
}

async fn project_values(
    store: &Store,
    rt: &IntegrationRuntime,
    side: Side,
    artifact: &Artifact,
) -> Result<ModelValues, SyncError> {
    let s = rt.side(side);
    let computed = extensions::into_model(rt, side, artifact).await?;
    let mut values = to_model_with(
        &s.mapping,
        &rt.model,
        &artifact.fields,
        &s.field_types,
        &computed,
    )?;
    links::canonicalize(store, rt, side, &mut values).await?;
    Ok(values)
}

async fn fetch_optional(
    rt: &IntegrationRuntime,
    side: Side,
    id: &str,
) -> Result<Option<Artifact>, SyncError> {
    let s = rt.side(side);
    match retry::read(|| s.connector.fetch(id)).await {
        Ok(a) => Ok(Some(a)),
        Err(e) if e.class == ErrorClass::NotFound => Ok(None),
        Err(e) => Err(SyncError::Connector {
            side: s.name(),
            error: e,
        }),
    }
}

fn source_identity(rt: &IntegrationRuntime, source: &ArtifactRef) -> String {
    format!("syncline:{}:{}:{}", rt.id, source.repository, source.id)
}

async fn create_twin(
    store: &Store,
    rt: &IntegrationRuntime,
    from: Side,
    source_ref: &ArtifactRef,
) -> Result<Outcome, SyncError> {
    let (src, to) = (rt.side(from), from.other());
    let dst = rt.side(to);
    let Some(source) = fetch_optional(rt, from, &source_ref.id).await? else {
        return Ok(Outcome::Done); // deleted before it was synchronized
    };
    if let Some(original_ref) = copy_of(rt, to, &source) {
        // This artifact is a twin the hub made; its pair was not recorded yet (the original's
        // activity is in flight, or a crash came in between). Record it; never copy it back.
        let Some(original) = fetch_optional(rt, to, &original_ref.id).await? else {
            return Ok(Outcome::Done);
        };
        return record_pair(store, rt, to, &original_ref, &original, source).await;
    }
    if !src.covers(&source.project, &source.artifact_type) {
        return Ok(Outcome::Done);
    }
    let Some(target_project) = rt.route(to, &source.project) else {
        debug!(project = %source.project, "no route for the project; not synchronized");
        return Ok(Outcome::Done);
    };
    let values = project_values(store, rt, from, &source).await?;
    if !eligible(&rt.integration.filters, from, &values, false) {
        debug!(artifact = %source.formatted_id, "does not match the artifact filter; no twin");
        return Ok(Outcome::Done);
    }
    let identity = source_identity(rt, source_ref);
    let (identity, resumed) = match store.begin_creation(rt.id, source_ref, &identity).await? {
        Creation::New(identity) => (identity, false),
        Creation::Resumed(identity) => (identity, true),
        // Recorded meanwhile from the twin's side (a twin made before a crash): no new twin.
        Creation::Paired(record) => return sync_pair(store, rt, *record).await,
    };
    let found = if resumed && dst.tags_source {
        retry::read(|| dst.connector.find_by_source(&dst.scope, &identity))
            .await
            .on(dst.name())?
    } else {
        None
    };
    let created = match found {
        Some(existing) => existing,
        None => {
            let mut out = flow::flowing(&rt.integration.field_flows, from, &values);
            links::resolve(store, rt, to, &mut out).await?;
            reconcile::reconcile(rt, to, &mut out).await?;
            for field in &rt.model.fields {
                if !values.contains_key(&field.name) {
                    out.insert(field.name.clone(), FieldValue::Null);
                }
            }
            let computed = extensions::out_of_model(rt, to, &out, &source.formatted_id).await?;
            let mut fields =
                from_model_with(&dst.mapping, &rt.model, &out, &dst.field_types, &computed)?;
            // A new artifact starts in its workflow's first state; the pair sync that follows
            // walks it to the source's state.
            if let Some(state_field) = dst.state_field {
                fields.remove(state_field);
            }
            let artifact_type = dst
                .scope
                .artifact_types
                .first()
                .cloned()
                .unwrap_or_else(|| source.artifact_type.clone());
            let new = NewArtifact {
                project: target_project,
                artifact_type,
                fields,
                source: Some(identity.clone()),
            };
            dst.connector.create(&new).await.on(dst.name())?
        }
    };
    record_pair(store, rt, from, source_ref, &source, created).await
}

/// The original an artifact was copied from by this integration, when it is a hub-made twin
/// whose original lives on side `original_side`.
fn copy_of(
    rt: &IntegrationRuntime,
    original_side: Side,
    artifact: &Artifact,
) -> Option<ArtifactRef> {
    let rest = artifact.source.as_deref()?.strip_prefix("syncline:")?;
    let mut parts = rest.splitn(3, ':');
    let integration = parts.next()?;
    let repository: i64 = parts.next()?.parse().ok()?;
    let id = parts.next()?;
    let original_repository = rt.side(original_side).repository;
    (integration == rt.id.to_string() && repository == original_repository.0).then(|| ArtifactRef {
        repository: original_repository,
        id: id.to_owned(),
    })
}

/// Records the pair of `source` (on side `from`) and its twin `created`, closes the creation
/// intent, and synchronizes the new pair.
async fn record_pair(
    store: &Store,
    rt: &IntegrationRuntime,
    from: Side,
    source_ref: &ArtifactRef,
    source: &Artifact,
    created: Artifact,
) -> Result<Outcome, SyncError> {
    let to = from.other();
    // What the twin holds is what both sides last agreed on: whatever the source has beyond it
    // (links to twins not created yet, or values of a twin found after a crash, whose write we
    // cannot see) still differs and flows in the pair sync that follows.
    let target_values = project_values(store, rt, to, &created).await?;
    let source_values = project_values(store, rt, from, source).await?;
    let (twin_agreed, source_agreed) = (
        people::identities(&target_values),
        people::agreed_by_source(&source_values, &target_values),
    );
    let (left, right) = match from {
        Side::Left => (source_agreed, twin_agreed),
        Side::Right => (twin_agreed, source_agreed),
    };
    let snapshot = PairSnapshot {
        left,
        right,
        ..PairSnapshot::default()
    };
    let target_ref = ArtifactRef {
        repository: rt.side(to).repository,
        id: created.id.clone(),
    };
    let (source_side, target_side) = (
        pair_side(source_ref, source),
        pair_side(&target_ref, &created),
    );
    let now = Utc::now();
    let (left, right) = match from {
        Side::Left => (source_side, target_side),
        Side::Right => (target_side, source_side),
    };
    let pair = ArtifactPair {
        id: None,
        integration: rt.id,
        left,
        right,
        created_at: now,
        synchronized_at: now,
    };
    let record = match store
        .complete_creation(&pair, source_ref, &snapshot.encode())
        .await
    {
        Ok(pair) => {
            debug!(left = %pair.left.formatted_id, right = %pair.right.formatted_id, "twin created");
            PairRecord {
                pair,
                revision: 0,
                snapshot: Some(snapshot.encode()),
            }
        }
        // Recorded meanwhile by the activity of the other artifact: carry on with that pair.
        Err(StoreError::Duplicate { .. }) => match store.pair_record(rt.id, &target_ref).await? {
            Some(record) => record,
            None => match store.pair_record(rt.id, source_ref).await? {
                // The source is paired with another twin: this one is an orphan copy.
                Some(other) => {
                    return Err(SyncError::ConflictingAssociation {
                        artifact: created.formatted_id.clone(),
                        paired_with: other.pair.left.formatted_id.clone(),
                    });
                }
                None => return Err(SyncError::PairChanged),
            },
        },
        Err(e) => return Err(e.into()),
    };
    sync_pair(store, rt, record).await
}

fn pair_side(reference: &ArtifactRef, artifact: &Artifact) -> PairSide {
    PairSide {
        artifact: reference.clone(),
        formatted_id: artifact.formatted_id.clone(),
        version: Some(artifact.version.clone()),
    }
}

async fn sync_pair(
    store: &Store,
    rt: &IntegrationRuntime,
    record: PairRecord,
) -> Result<Outcome, SyncError> {
    let pair_id = record
        .pair
        .id
        .ok_or_else(|| SyncError::Configuration("pair without id".into()))?;
    let _held = rt.pair_locks.lock(pair_id.0).await;
    // Another worker may have synchronized the pair while this one waited: start from its state.
    let record = match store.pair_revision(pair_id).await? {
        Some(revision) if revision == record.revision => record,
        Some(_) => store
            .pair_record_by_id(pair_id)
            .await?
            .ok_or(SyncError::PairChanged)?,
        None => return Err(SyncError::PairChanged),
    };
    let pair = &record.pair;
    let mut snapshot = PairSnapshot::decode(record.snapshot.as_deref())
        .map_err(|e| SyncError::Configuration(format!("unreadable pair snapshot: {e}")))?;
    let read_from = Utc::now();
    let left = fetch_optional(rt, Side::Left, &pair.left.artifact.id)
        .await?
        .ok_or_else(|| SyncError::TwinDeleted {
            side: "left",
            artifact: pair.left.formatted_id.clone(),
        })?;
    let right = fetch_optional(rt, Side::Right, &pair.right.artifact.id)
        .await?
        .ok_or_else(|| SyncError::TwinDeleted {
            side: "right",
            artifact: pair.right.formatted_id.clone(),
        })?;
    let left_full = project_values(store, rt, Side::Left, &left).await?;
    let right_full = project_values(store, rt, Side::Right, &right).await?;
    let (left_values, right_values) = (
        people::identities(&left_full),
        people::identities(&right_full),
    );
    snapshot.left = people::identities(&snapshot.left);
    snapshot.right = people::identities(&snapshot.right);
    let filters = &rt.integration.filters;
    if !eligible(filters, Side::Left, &left_values, true)
        || !eligible(filters, Side::Right, &right_values, true)
    {
        // Paused while it does not match: the snapshot stays, so what changed meanwhile flows
        // once the artifact matches again.
        debug!(pair = %pair_id.0, "an artifact of the pair does not match the filter for updates");
        return Ok(Outcome::Done);
    }
    let planned = plan(
        SideView {
            snapshot: &snapshot.left,
            current: &left_values,
            updated_at: left.updated_at,
        },
        SideView {
            snapshot: &snapshot.right,
            current: &right_values,
            updated_at: right.updated_at,
        },
        &rt.integration.field_flows,
        rt.integration.conflict_strategy,
    );
    let mut next_left = planned.left_snapshot.clone();
    let mut next_right = planned.right_snapshot.clone();
    let mut held = Vec::new();
    let (mut left_version, mut right_version) = (left.version.clone(), right.version.clone());
    for (to, changes, target, source) in [
        (Side::Right, &planned.to_right, &right, &left_full),
        (Side::Left, &planned.to_left, &left, &right_full),
    ] {
        if changes.is_empty() {
            continue;
        }
        let changes = people::with_full_people(changes, source);
        let next = match to {
            Side::Left => &mut next_left,
            Side::Right => &mut next_right,
        };
        let (unresolved, written) = write(store, rt, to, target, &changes, next).await?;
        // The version after the hub's own write: change detection skips it, so the write does
        // not come back as a change to process.
        if let Some(written) = written {
            match to {
                Side::Left => left_version = written,
                Side::Right => right_version = written,
            }
        }
        for field in &unresolved {
            restore(&mut next_left, &snapshot.left, field);
            restore(&mut next_right, &snapshot.right, field);
        }
        held.extend(unresolved);
    }
    snapshot.left = next_left;
    snapshot.right = next_right;
    parts::sync_parts(
        rt,
        pair_id,
        &left.id,
        &right.id,
        (&left_values, &right_values),
        &mut snapshot,
    )
    .await?;
    let kept = (left_version == left.version, right_version == right.version);
    let saved = store
        .update_pair_sync(
            pair_id,
            record.revision,
            Some(&left_version),
            Some(&right_version),
            &snapshot.encode(),
        )
        .await?;
    if !saved {
        return Err(SyncError::PairChanged);
    }
    let read = [(Side::Left, &left, kept.0), (Side::Right, &right, kept.1)];
    second_look::schedule(store, rt, read_from, read).await?;
    if !planned.conflicts.is_empty() {
        let fields: Vec<&str> = planned.conflicts.iter().map(|c| c.field.as_str()).collect();
        return Err(SyncError::Conflict {
            fields: fields.join(", "),
        });
    }
    Ok(if held.is_empty() {
        Outcome::Done
    } else {
        Outcome::WaitingForTwins(held)
    })
}

/// Writes model changes to one side: fields by an update, the workflow state by transitions.
/// Persons are reconciled with the target's, and `next` (the target's next snapshot) records
/// the ones written. Returns relationship fields held back and the version the write produced
/// (none when nothing was written or the version cannot be trusted to hold only this write).
async fn write(
    store: &Store,
    rt: &IntegrationRuntime,
    to: Side,
    target: &Artifact,
    changes: &ModelValues,
    next: &mut ModelValues,
) -> Result<(Vec<String>, Option<String>), SyncError> {
    let side = rt.side(to);
    let mut out = changes.clone();
    let unresolved = links::resolve(store, rt, to, &mut out).await?;
    reconcile::reconcile(rt, to, &mut out).await?;
    for (field, value) in people::identities(&out) {
        if next.contains_key(&field) {
            next.insert(field, value);
        }
    }
    let computed = extensions::out_of_model(rt, to, &out, &target.formatted_id).await?;
    let mut fields = from_model_with(&side.mapping, &rt.model, &out, &side.field_types, &computed)?;
    let state = side
        .state_field
        .and_then(|f| fields.remove(f).map(|v| (f, v)));
    let mut written = None;
    if !fields.is_empty() {
        let connector = &side.connector;
        let expected = Some(target.version.as_str());
        if side.optimistic_locking {
            let updated = connector.update(&target.id, expected, &fields).await;
            written = Some(updated.on(side.name())?);
        } else {
            // Its version after the write would not be trusted (below): skip reading it back.
            let done = connector.write_fields(&target.id, expected, &fields).await;
            done.on(side.name())?;
        }
    }
    // Transitions expect the version the field write left, or the one read: only a side with
    // optimistic locking can check it, and only there is the version afterwards kept.
    let version = side.optimistic_locking.then(|| {
        written
            .as_ref()
            .map_or(target.version.clone(), |a: &Artifact| a.version.clone())
    });
    if let Some((field, value)) = state
        && let Some(wanted) = states::state_of(Some(&value))
        && let Some(moved) =
            states::move_to(rt, to, target, version.as_deref(), field, &wanted).await?
    {
        written = Some(moved);
    }
    // Without optimistic locking the write may have landed on top of someone else's edit, whose
    // version must still be seen as a change.
    let version = written
        .filter(|_| side.optimistic_locking)
        .map(|a| a.version);
    Ok((unresolved, version))
}

fn restore(next: &mut ModelValues, previous: &ModelValues, field: &str) {
    match previous.get(field) {
        Some(value) => {
            next.insert(field.to_owned(), value.clone());
        }
        None => {
            next.remove(field);
        }
    }
}
