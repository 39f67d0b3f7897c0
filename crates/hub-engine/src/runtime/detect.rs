//! Change detection: poll each side for artifacts changed since its watermark and queue them.
//!
//! Trackers report times to the second, so each poll re-reads a small overlap before the
//! watermark and skips what it already queued there (`id@version` keys kept with the
//! watermark). An artifact still at the version the hub last synchronized (the echo of the
//! hub's own write) is not queued. A full scan re-reads everything on its own, longer interval, to catch changes a
//! tracker does not mark as updates and artifacts that newly match the collection.

use std::time::Duration;

use chrono::{DateTime, Utc};
use hub_domain::JobId;
use hub_domain::integration::Side;
use hub_domain::pair::ArtifactRef;
use hub_store::Store;
use hub_store::sync_state::Watermark;

use super::context::IntegrationRuntime;
use super::error::{OnSide, SyncError};
use super::retry;

/// Polls one side once; returns how many activities were queued.
pub async fn detect_side(
    store: &Store,
    rt: &IntegrationRuntime,
    side: Side,
    overlap: Duration,
    full_scan: bool,
    job: Option<JobId>,
) -> Result<usize, SyncError> {
    let s = rt.side(side);
    let mark = store.watermark(rt.id, side).await?;
    let overlap = chrono::Duration::from_std(overlap).unwrap_or_default();
    let since = if full_scan {
        None
    } else {
        mark.at.map(|t| t - overlap)
    };
    let mut page: Option<String> = None;
    let mut newest: Option<DateTime<Utc>> = mark.at;
    let mut keys: Vec<(DateTime<Utc>, String)> = Vec::new();
    let mut queued = 0;
    loop {
        let changes = retry::read(|| s.connector.changed_since(&s.scope, since, page.as_deref()))
            .await
            .on(s.name())?;
        let synchronized = if full_scan {
            Default::default()
        } else {
            let ids: Vec<String> = changes.items.iter().map(|i| i.id.clone()).collect();
            store
                .paired_versions(rt.id, side, s.repository, &ids)
                .await?
        };
        let mut refs = Vec::with_capacity(changes.items.len());
        for item in &changes.items {
            let key = format!("{}@{}", item.id, item.version);
            let in_step = synchronized.get(&item.id) == Some(&item.version);
            if full_scan || (!in_step && !mark.seen.contains(&key)) {
                refs.push(ArtifactRef {
                    repository: s.repository,
                    id: item.id.clone(),
                });
            }
            newest = newest.max(Some(item.updated_at));
            keys.push((item.updated_at, key));
        }
        queued += store.enqueue_changes(rt.id, &refs).await?;
        if let Some(job) = job {
            store.job_progress(job, keys.len() as u64).await?;
        }
        match changes.next {
            Some(next) => page = Some(next),
            None => break,
        }
    }
    let mut next = Watermark {
        at: newest,
        seen: Vec::new(),
        last_full_scan: mark.last_full_scan,
    };
    if let Some(at) = newest {
        next.seen = keys
            .into_iter()
            .filter(|(t, _)| *t >= at - overlap)
            .map(|(_, k)| k)
            .collect();
        if next.at == mark.at {
            // Nothing newer: keep what was seen in the window too.
            next.seen.extend(mark.seen.iter().cloned());
            next.seen.sort();
            next.seen.dedup();
        }
    }
    if full_scan {
        next.last_full_scan = Some(Utc::now());
    }
    store.save_watermark(rt.id, side, &next).await?;
    Ok(queued)
}

/// Whether a full scan of `side` is due.
pub async fn full_scan_due(
    store: &Store,
    rt: &IntegrationRuntime,
    side: Side,
) -> Result<bool, SyncError> {
    let mark = store.watermark(rt.id, side).await?;
    let interval = chrono::Duration::seconds(i64::from(rt.detection.full_scan_interval_seconds));
    Ok(match (mark.at, mark.last_full_scan) {
        (None, _) => false, // the first poll reads everything anyway
        (Some(_), None) => {
            // Start counting from the first poll.
            let mut started = mark.clone();
            started.last_full_scan = Some(Utc::now());
            store.save_watermark(rt.id, side, &started).await?;
            false
        }
        (Some(_), Some(last)) => Utc::now() - last >= interval,
    })
}
