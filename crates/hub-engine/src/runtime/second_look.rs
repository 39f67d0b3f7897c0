//! Second looks at artifacts whose tracker keeps change times to the second.
//!
//! On such a tracker (Redmine) a version is the change time to the second and what its change
//! query shows, so a change within the same second as the one the hub read (a note added just
//! after the hub's read, say) may leave the version as it was: change detection would see
//! nothing new until the next change or full scan. A read is beyond doubt once it began after
//! that second was over. So when the version the hub keeps comes from a read that began
//! earlier, the artifact is queued once more for when the second is over; that look reads it
//! again and copies whatever the first one could not see.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use hub_connector::VersionResolution;
use hub_connector::types::Artifact;
use hub_domain::integration::Side;
use hub_domain::pair::ArtifactRef;
use hub_store::Store;
use tracing::debug;

use super::context::IntegrationRuntime;
use super::error::SyncError;

/// How far the hub's clock and a tracker's may differ.
const CLOCK_SKEW: TimeDelta = TimeDelta::seconds(1);

/// When a second look at an artifact changed at `updated_at` is due, if a read that began at
/// `read_from` may have missed a later change of the same second.
pub fn due(updated_at: DateTime<Utc>, read_from: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let second = updated_at
        .duration_trunc(TimeDelta::seconds(1))
        .unwrap_or(updated_at);
    let settled = second + TimeDelta::seconds(1) + CLOCK_SKEW;
    (read_from < settled).then_some(settled)
}

/// Queues second looks for the artifacts of a pair whose read began at `read_from`; each
/// entry says whether the hub keeps the version that read returned.
pub async fn schedule(
    store: &Store,
    rt: &IntegrationRuntime,
    read_from: DateTime<Utc>,
    read: [(Side, &Artifact, bool); 2],
) -> Result<(), SyncError> {
    for (side, artifact, kept) in read {
        let s = rt.side(side);
        if !kept || s.version_resolution != VersionResolution::WholeSecond {
            continue;
        }
        let Some(at) = due(artifact.updated_at, read_from) else {
            continue;
        };
        let reference = ArtifactRef {
            repository: s.repository,
            id: artifact.id.clone(),
        };
        if store.enqueue_at(rt.id, &reference, at).await? {
            debug!(artifact = %artifact.formatted_id, %at, "second look queued");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn a_read_within_the_second_of_the_change_or_the_skew_after_gets_a_second_look() {
        let changed = at("2026-12-07T10:00:05.300Z");
        let settled = Some(at("2026-12-07T10:00:07Z"));
        assert_eq!(due(changed, at("2026-12-07T10:00:05.400Z")), settled);
        assert_eq!(due(changed, at("2026-12-07T10:00:06.900Z")), settled);
        assert_eq!(due(changed, at("2026-12-07T10:00:07Z")), None);
        assert_eq!(due(changed, at("2026-12-07T10:05:00Z")), None);
    }

    #[test]
    fn a_change_on_the_second_itself_counts_from_that_second() {
        let changed = at("2026-12-07T10:00:05Z");
        assert_eq!(
            due(changed, at("2026-12-07T10:00:05Z")),
            Some(at("2026-12-07T10:00:07Z"))
        );
    }
}
