//! Issue answers read a moment ago, so that the comments and attachments asked for right after
//! an issue is read come from that same answer instead of two more requests.
//!
//! A synchronization reads an issue, then its comments and its attachments; against a Redmine
//! with one server thread each request counts. So every full read of an issue asks for its
//! journals and attachments too and is kept for [`REUSE`]; the next comment or attachment list
//! of that issue is taken from it. Any write to the issue through this connector forgets it, so
//! the hub never reads its own write as missing; what someone else writes meanwhile changes the
//! issue's version, which change detection sees, so it is read again then.
//!
//! A write's version check also takes an answer read within [`CHECK`] instead of asking again:
//! the engine reads an issue and writes it a few milliseconds later, and Redmine has no
//! conditional write, so a second read would only narrow a window it cannot close. What closes
//! it is that the version after a write to Redmine is never trusted: the engine reads the issue
//! again when change detection reports the write, and anything else that landed shows then.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long an issue answer stands in for a new read of its parts.
pub const REUSE: Duration = Duration::from_secs(2);
/// How recent a read stands in for a write's version check.
pub const CHECK: Duration = Duration::from_millis(500);
/// The parts a full read of an issue asks for.
pub const FULL: &str = "relations,journals,attachments";

/// A kept answer.
#[derive(Debug)]
struct Kept {
    at: Instant,
    issue: Value,
    /// False once the issue's fields were written: its comments and attachments still stand,
    /// its version does not.
    current: bool,
}

/// Recent full answers by issue id.
#[derive(Debug, Default)]
pub struct Recent {
    issues: Mutex<HashMap<u64, Kept>>,
}

impl Recent {
    /// Keeps the full answer of issue `id`; forgets answers too old to be used.
    pub fn keep(&self, id: u64, issue: &Value) {
        let mut issues = self.issues.lock().unwrap_or_else(|p| p.into_inner());
        issues.retain(|_, kept| kept.at.elapsed() < REUSE);
        let kept = Kept {
            at: Instant::now(),
            issue: issue.clone(),
            current: true,
        };
        issues.insert(id, kept);
    }

    /// The answer of issue `id` if it was read less than [`REUSE`] ago, for its parts.
    pub fn get(&self, id: u64) -> Option<Value> {
        let issues = self.issues.lock().unwrap_or_else(|p| p.into_inner());
        issues
            .get(&id)
            .filter(|kept| kept.at.elapsed() < REUSE)
            .map(|kept| kept.issue.clone())
    }

    /// The answer of issue `id` if it was read less than [`CHECK`] ago and its fields were not
    /// written since: the issue's current state for a version check.
    pub fn current(&self, id: u64) -> Option<Value> {
        let issues = self.issues.lock().unwrap_or_else(|p| p.into_inner());
        issues
            .get(&id)
            .filter(|kept| kept.current && kept.at.elapsed() < CHECK)
            .map(|kept| kept.issue.clone())
    }

    /// Issue `id`'s fields were written: its kept answer no longer tells its version.
    pub fn fields_written(&self, id: u64) {
        let mut issues = self.issues.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(kept) = issues.get_mut(&id) {
            kept.current = false;
        }
    }

    /// Forgets issue `id` (it is being written).
    pub fn forget(&self, id: u64) {
        let mut issues = self.issues.lock().unwrap_or_else(|p| p.into_inner());
        issues.remove(&id);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_field_write_ends_the_version_but_not_the_parts() {
        let recent = Recent::default();
        recent.keep(1, &json!({"id": 1}));
        recent.fields_written(1);
        assert_eq!(recent.current(1), None);
        assert_eq!(recent.get(1), Some(json!({"id": 1})));
    }

    #[test]
    fn an_answer_stands_in_until_written_or_too_old() {
        let recent = Recent::default();
        recent.keep(1, &json!({"id": 1}));
        assert_eq!(recent.get(1), Some(json!({"id": 1})));
        assert_eq!(recent.get(2), None);
        recent.forget(1);
        assert_eq!(recent.get(1), None);
        recent.keep(2, &json!({"id": 2}));
        assert!(recent.current(2).is_some());
        recent.issues.lock().unwrap().get_mut(&2).unwrap().at -= CHECK;
        assert_eq!(recent.current(2), None, "too old for a check");
        assert!(recent.get(2).is_some(), "still good for its parts");
        recent.keep(3, &json!({"id": 3}));
        recent.issues.lock().unwrap().get_mut(&3).unwrap().at -= REUSE;
        assert_eq!(recent.get(3), None, "too old");
    }
}
