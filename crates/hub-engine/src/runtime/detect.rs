//! Change detection: poll each side for artifacts changed since its watermark and queue them.
//!
//! Trackers report times to the second, so each poll re-reads a small overlap before the
//! watermark and skips what it already queued there (`id@version` keys kept with the
//! watermark). An artifact still at the version the hub last synchronized (the echo of the
//! hub's own write) is not queued. Once the watermark has stood still for the overlap, no
//! late change can land behind it any more: polls then read from the watermark's second, and
//! after one such read only later seconds ([`Settling`]), so a quiet side costs an empty
//! answer instead of the whole window again. A full scan re-reads everything on its own, longer interval, to catch changes a
//! tracker does not mark as updates and artifacts that newly match the collection.

use std::sync::Mutex;
use std::time::{Duration, Instant};

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
    let window = rt.settling.window(side, mark.at, overlap);
    let overlap = chrono::Duration::from_std(overlap).unwrap_or_default();
    let since = if full_scan {
        None
    } else {
        mark.at.map(|t| match window {
            Window::Overlap => t - overlap,
            Window::FromWatermark => t,
            Window::AfterWatermark => t + chrono::Duration::seconds(1),
        })
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
    rt.settling.polled(side, next.at, window);
    Ok(queued)
}

/// Which part of the time before now a poll reads again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// The overlap before the watermark: a change may still land there.
    Overlap,
    /// The watermark's second: settled, but not read since it settled.
    FromWatermark,
    /// Only after the watermark's second: settled and read since.
    AfterWatermark,
}

/// How long each side's watermark has stood still, in this process (the engine keeps it
/// across reloads and stops of the integration). Kept in memory only: a restart of the
/// process begins with the whole overlap again, which is never wrong, only slower.
#[derive(Debug, Default)]
pub struct Settling {
    sides: Mutex<[Option<Still>; 2]>,
}

/// A watermark value and since when this process has seen it unchanged.
#[derive(Debug, Clone, Copy)]
struct Still {
    at: DateTime<Utc>,
    since: Instant,
    read_settled: bool,
}

impl Settling {
    /// The window a poll of `side` with watermark `at` must read.
    pub fn window(&self, side: Side, at: Option<DateTime<Utc>>, overlap: Duration) -> Window {
        let sides = self.lock();
        match (sides[index(side)], at) {
            (Some(still), Some(at)) if still.at == at && still.since.elapsed() >= overlap => {
                if still.read_settled {
                    Window::AfterWatermark
                } else {
                    Window::FromWatermark
                }
            }
            _ => Window::Overlap,
        }
    }

    /// Records a finished poll of `side` that read `window` and left the watermark at `at`.
    pub fn polled(&self, side: Side, at: Option<DateTime<Utc>>, window: Window) {
        let mut sides = self.lock();
        let slot = &mut sides[index(side)];
        *slot = match (*slot, at) {
            (_, None) => None,
            (Some(still), Some(at)) if still.at == at => Some(Still {
                read_settled: still.read_settled || window != Window::Overlap,
                ..still
            }),
            (_, Some(at)) => Some(Still {
                at,
                since: Instant::now(),
                read_settled: false,
            }),
        };
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, [Option<Still>; 2]> {
        self.sides
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn index(side: Side) -> usize {
    match side {
        Side::Left => 0,
        Side::Right => 1,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    const OVERLAP: Duration = Duration::from_millis(30);

    #[test]
    fn a_watermark_settles_after_the_overlap_and_is_read_once_more() {
        let settling = Settling::default();
        let at = Some(DateTime::from_timestamp(1_700_000_000, 0).unwrap());
        assert_eq!(settling.window(Side::Left, at, OVERLAP), Window::Overlap);
        settling.polled(Side::Left, at, Window::Overlap);
        assert_eq!(settling.window(Side::Left, at, OVERLAP), Window::Overlap);
        std::thread::sleep(OVERLAP);
        assert_eq!(
            settling.window(Side::Left, at, OVERLAP),
            Window::FromWatermark
        );
        // Reading the overlap is no read of the settled watermark.
        settling.polled(Side::Left, at, Window::Overlap);
        assert_eq!(
            settling.window(Side::Left, at, OVERLAP),
            Window::FromWatermark
        );
        settling.polled(Side::Left, at, Window::FromWatermark);
        assert_eq!(
            settling.window(Side::Left, at, OVERLAP),
            Window::AfterWatermark
        );
        assert_eq!(settling.window(Side::Right, at, OVERLAP), Window::Overlap);
    }

    #[test]
    fn a_moved_watermark_starts_over() {
        let settling = Settling::default();
        let at = Some(DateTime::from_timestamp(1_700_000_000, 0).unwrap());
        settling.polled(Side::Left, at, Window::Overlap);
        std::thread::sleep(OVERLAP);
        settling.polled(Side::Left, at, Window::FromWatermark);
        let later = Some(DateTime::from_timestamp(1_700_000_005, 0).unwrap());
        settling.polled(Side::Left, later, Window::AfterWatermark);
        assert_eq!(settling.window(Side::Left, later, OVERLAP), Window::Overlap);
        // The store's watermark moved under this process (another hub): the overlap again.
        assert_eq!(settling.window(Side::Left, at, OVERLAP), Window::Overlap);
    }
}
