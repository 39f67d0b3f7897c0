//! Time entries (work logs) flow by identity, like comments ([`super::parts`]).
//!
//! Both sides must have time entries ([`Capability::TimeEntries`]); otherwise, as between
//! Redmine and Trac, they are simply not synchronized. A new entry of one side is logged on the
//! other for the same worker, found in the target repository like any person (e-mail, user
//! name, display name, or the side's person extension). When the target cannot log time for
//! that worker — nobody there matches, or the tracker refuses to log for others — the entry is
//! filed under the connection's user and the hub warns with SYN-50011W, naming the worker.
//! Copies are tagged with their original's identity, recorded in the pair snapshot, and never
//! copied back. Only new entries flow: an entry edited or deleted afterwards stays as copied.
//!
//! A side whose tracker answers that this artifact has no time tracking (the project does not
//! track time, the key may not see it) is left out for that pair, without failing the pair.

use hub_connector::types::{NewTimeEntry, TimeEntry};
use hub_connector::{Capability, ErrorClass};
use hub_domain::ArtifactPairId;
use hub_domain::ErrorCode;
use hub_domain::integration::Side;
use hub_domain::model::{FieldValue, ModelValues, PersonRef};
use tracing::{debug, warn};

use super::context::IntegrationRuntime;
use super::error::{OnSide, SyncError};
use super::parts::{record, record_earlier_copies, tag, uncopied};
use super::snapshot::PairSnapshot;
use super::{people, retry};

/// SYN-50011W: the target cannot log work for the worker; filed under the connection's user.
pub const FILED_UNDER_CONNECTION_USER: ErrorCode = ErrorCode::warning(50011);

/// Whether both sides can read and log time entries.
pub fn both_sides_support(rt: &IntegrationRuntime) -> bool {
    [&rt.left, &rt.right]
        .iter()
        .all(|side| side.connector.descriptor().can(Capability::TimeEntries))
}

/// Copies the new time entries of a pair in the directions `ways` allows (left to right,
/// right to left), recording each copy in `snapshot`.
pub async fn sync_time_entries(
    rt: &IntegrationRuntime,
    pair: ArtifactPairId,
    ids: (&str, &str),
    ways: (bool, bool),
    snapshot: &mut PairSnapshot,
) -> Result<(), SyncError> {
    if !both_sides_support(rt) {
        return Ok(());
    }
    let Some(left) = read(rt, Side::Left, ids.0).await? else {
        return Ok(());
    };
    let Some(right) = read(rt, Side::Right, ids.1).await? else {
        return Ok(());
    };
    record_earlier_copies(
        pair,
        [left.as_slice(), right.as_slice()],
        &mut snapshot.time_entries,
    );
    for (from, list, allowed, target_id) in [
        (Side::Left, &left, ways.0, ids.1),
        (Side::Right, &right, ways.1, ids.0),
    ] {
        if !allowed {
            continue;
        }
        let to = from.other();
        let target = rt.side(to);
        for entry in uncopied(pair, &snapshot.time_entries, from, list) {
            let worker = worker_on(rt, to, &entry.author).await?;
            let new = NewTimeEntry {
                author: worker.clone(),
                spent_on: entry.spent_on,
                minutes: entry.minutes,
                comment: entry.comment.clone(),
                activity: entry.activity.clone(),
                source: Some(tag(pair, from, &entry.id)),
            };
            let copy = match target.connector.add_time_entry(target_id, &new).await {
                Ok(copy) => copy,
                Err(e) if e.class == ErrorClass::Unsupported => {
                    warn!(pair = pair.0, side = target.name(), error = %e,
                        "time entries cannot be logged on this artifact; not copied");
                    break;
                }
                Err(e) => return Err(e).on(target.name()),
            };
            if worker.as_ref().is_none_or(|w| w.id != copy.author.id) {
                warn!(
                    code = %FILED_UNDER_CONNECTION_USER,
                    pair = pair.0,
                    side = target.name(),
                    worker = %describe(&entry.author),
                    filed_under = %describe(&copy.author),
                    "the {} repository cannot log time for this worker: the time entry is \
                     filed under the connection's user",
                    target.name()
                );
            }
            record(&mut snapshot.time_entries, from, entry.id.clone(), copy.id);
        }
    }
    Ok(())
}

/// The side's time entries of artifact `id`; `None` when the tracker has no time tracking
/// for it.
async fn read(
    rt: &IntegrationRuntime,
    side: Side,
    id: &str,
) -> Result<Option<Vec<TimeEntry>>, SyncError> {
    let runtime = rt.side(side);
    match retry::read(|| runtime.connector.time_entries(id)).await {
        Ok(entries) => Ok(Some(entries)),
        Err(e) if e.class == ErrorClass::Unsupported => {
            debug!(side = runtime.name(), artifact = id, error = %e, "no time entries here");
            Ok(None)
        }
        Err(e) => Err(e).on(runtime.name()),
    }
}

/// The person of side `to` who is `author`; `None` (the connection's user) when nobody there
/// matches.
async fn worker_on(
    rt: &IntegrationRuntime,
    to: Side,
    author: &PersonRef,
) -> Result<Option<PersonRef>, SyncError> {
    let mut values = ModelValues::new();
    values.insert("worker".to_owned(), FieldValue::Person(author.clone()));
    match people::reconcile(rt, to, &mut values).await {
        Ok(()) => Ok(match values.remove("worker") {
            Some(FieldValue::Person(found)) => Some(found),
            _ => None,
        }),
        Err(SyncError::PersonNotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

fn describe(p: &PersonRef) -> String {
    p.display_name
        .as_deref()
        .or(p.username.as_deref())
        .or(p.email.as_deref())
        .unwrap_or(&p.id)
        .to_owned()
}
