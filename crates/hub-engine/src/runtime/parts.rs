//! Comments, attachments and time entries flow by identity.
//!
//! A pair remembers which comment (attachment, time entry) on one side is the copy of which on
//! the other.
//! Each copy is tagged with the identity of its original where the tracker can store it, so a
//! copy made just before a crash is recognized afterwards and recorded instead of made again;
//! copies are never copied back.

use hub_connector::Connector;
use hub_connector::types::{Attachment, Comment, NewAttachment, NewComment};
use hub_domain::ArtifactPairId;
use hub_domain::integration::{FieldFlow, Side};
use hub_domain::model::ModelValues;

use super::context::{IntegrationRuntime, SideRuntime};
use super::error::{OnSide, SyncError};
use super::snapshot::PairSnapshot;
use super::{flow, retry, time_entries};

pub(super) fn letter(side: Side) -> &'static str {
    match side {
        Side::Left => "l",
        Side::Right => "r",
    }
}

/// The tag a copy of `id` (on `side`) carries on the other side.
pub(super) fn tag(pair: ArtifactPairId, side: Side, id: &str) -> String {
    format!("syncline:{}:{}:{}", pair.0, letter(side), id)
}

/// The original a tagged copy stands for, if the tag is this pair's.
pub(super) fn original(pair: ArtifactPairId, source: Option<&str>) -> Option<(Side, String)> {
    let rest = source?.strip_prefix(&format!("syncline:{}:", pair.0))?;
    let (side, id) = rest.split_once(':')?;
    let side = match side {
        "l" => Side::Left,
        "r" => Side::Right,
        _ => return None,
    };
    Some((side, id.to_owned()))
}

/// Directions `flow` allows, as (left to right, right to left).
pub(super) fn directions(flow: &FieldFlow, values: (&ModelValues, &ModelValues)) -> (bool, bool) {
    (
        flow::allows(flow, Side::Left, values.0),
        flow::allows(flow, Side::Right, values.1),
    )
}

/// Copies new comments, attachments and time entries of a pair both ways as the flows allow.
pub async fn sync_parts(
    rt: &IntegrationRuntime,
    pair: ArtifactPairId,
    left_id: &str,
    right_id: &str,
    values: (&ModelValues, &ModelValues),
    snapshot: &mut PairSnapshot,
) -> Result<(), SyncError> {
    let ids = (left_id, right_id);
    if rt.left.comments && rt.right.comments {
        let ways = directions(&rt.integration.comment_flow, values);
        if ways.0 || ways.1 {
            sync_comments(rt, pair, ids, ways, snapshot).await?;
        }
    }
    if rt.left.attachments && rt.right.attachments {
        let ways = directions(&rt.integration.attachment_flow, values);
        if ways.0 || ways.1 {
            sync_attachments(rt, pair, ids, ways, snapshot).await?;
        }
    }
    let ways = directions(&rt.integration.time_entry_flow, values);
    if ways.0 || ways.1 {
        time_entries::sync_time_entries(rt, pair, ids, ways, snapshot).await?;
    }
    Ok(())
}

/// Inserts (left, right) for an original on `side` and its copy on the other.
pub(super) fn record(
    map: &mut std::collections::BTreeSet<(String, String)>,
    side: Side,
    original: String,
    copy: String,
) {
    match side {
        Side::Left => map.insert((original, copy)),
        Side::Right => map.insert((copy, original)),
    };
}

/// A part of an artifact that flows by identity: comments, attachments, time entries.
pub(super) trait Part {
    /// The tracker's id of the part.
    fn id(&self) -> &str;
    /// The tag of its original, when it is a copy the hub made.
    fn source(&self) -> Option<&str>;
}

macro_rules! part {
    ($($kind:ty),*) => {$(
        impl Part for $kind {
            fn id(&self) -> &str {
                &self.id
            }
            fn source(&self) -> Option<&str> {
                self.source.as_deref()
            }
        }
    )*};
}
part!(Comment, Attachment, hub_connector::types::TimeEntry);

/// Records copies made earlier (perhaps just before a crash), recognized by their tags, so
/// they are never copied again nor copied back. `lists` are the left and right side's parts.
pub(super) fn record_earlier_copies<P: Part>(
    pair: ArtifactPairId,
    lists: [&[P]; 2],
    map: &mut std::collections::BTreeSet<(String, String)>,
) {
    for (side, list) in [Side::Left, Side::Right].into_iter().zip(lists) {
        for part in list {
            if let Some((from, original_id)) = original(pair, part.source())
                && from == side.other()
            {
                record(map, from, original_id, part.id().to_owned());
            }
        }
    }
}

/// The parts of `list` (on side `from`) still to copy: originals without a recorded copy.
pub(super) fn uncopied<'a, P: Part>(
    pair: ArtifactPairId,
    map: &std::collections::BTreeSet<(String, String)>,
    from: Side,
    list: &'a [P],
) -> Vec<&'a P> {
    list.iter()
        .filter(|part| !known(map, from, part.id()) && original(pair, part.source()).is_none())
        .collect()
}

pub(super) fn known(
    map: &std::collections::BTreeSet<(String, String)>,
    side: Side,
    id: &str,
) -> bool {
    map.iter().any(|(l, r)| match side {
        Side::Left => l == id,
        Side::Right => r == id,
    })
}

async fn sync_comments(
    rt: &IntegrationRuntime,
    pair: ArtifactPairId,
    ids: (&str, &str),
    ways: (bool, bool),
    snapshot: &mut PairSnapshot,
) -> Result<(), SyncError> {
    let left = retry::read(|| rt.left.connector.comments(ids.0))
        .await
        .on("left")?;
    let right = retry::read(|| rt.right.connector.comments(ids.1))
        .await
        .on("right")?;
    record_earlier_copies(
        pair,
        [left.as_slice(), right.as_slice()],
        &mut snapshot.comments,
    );
    for (from, list, allowed, target_id) in [
        (Side::Left, &left, ways.0, ids.1),
        (Side::Right, &right, ways.1, ids.0),
    ] {
        if !allowed {
            continue;
        }
        let target: &SideRuntime = rt.side(from.other());
        for c in uncopied(pair, &snapshot.comments, from, list) {
            let new = NewComment {
                body: c.body.clone(),
                author: c.author.clone(),
                private: c.private,
                source: Some(tag(pair, from, &c.id)),
            };
            let copy = target
                .connector
                .add_comment(target_id, &new)
                .await
                .on(target.name())?;
            record(&mut snapshot.comments, from, c.id.clone(), copy.id);
        }
    }
    Ok(())
}

async fn sync_attachments(
    rt: &IntegrationRuntime,
    pair: ArtifactPairId,
    ids: (&str, &str),
    ways: (bool, bool),
    snapshot: &mut PairSnapshot,
) -> Result<(), SyncError> {
    let left = retry::read(|| rt.left.connector.attachments(ids.0))
        .await
        .on("left")?;
    let right = retry::read(|| rt.right.connector.attachments(ids.1))
        .await
        .on("right")?;
    record_earlier_copies(
        pair,
        [left.as_slice(), right.as_slice()],
        &mut snapshot.attachments,
    );
    let limit = rt.integration.attachment_max_bytes;
    for (from, list, allowed, source_id, target_id) in [
        (Side::Left, &left, ways.0, ids.0, ids.1),
        (Side::Right, &right, ways.1, ids.1, ids.0),
    ] {
        if !allowed {
            continue;
        }
        let source: &dyn Connector = rt.side(from).connector.as_ref();
        let target: &SideRuntime = rt.side(from.other());
        for a in uncopied(pair, &snapshot.attachments, from, list) {
            let skip_key = format!("{}:{}", letter(from), a.id);
            if snapshot.skipped.contains(&skip_key) {
                continue;
            }
            if limit.is_some_and(|max| a.size > max) {
                snapshot.skipped.insert(skip_key);
                continue;
            }
            let content = retry::read(|| source.download(source_id, &a.id))
                .await
                .on(rt.side(from).name())?;
            let new = NewAttachment {
                file_name: a.file_name.clone(),
                content_type: a.content_type.clone(),
                content,
                source: Some(tag(pair, from, &a.id)),
            };
            let copy = target
                .connector
                .upload(target_id, &new)
                .await
                .on(target.name())?;
            record(&mut snapshot.attachments, from, a.id.clone(), copy.id);
        }
    }
    Ok(())
}
