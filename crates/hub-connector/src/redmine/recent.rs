//! Issue answers read a moment ago, so that the comments and attachments asked for right after
//! an issue is read come from that same answer instead of two more requests.
//!
//! A synchronization reads an issue, then its comments and its attachments; against a Redmine
//! with one server thread each request counts. So every full read of an issue asks for its
//! journals and attachments too and is kept for [`REUSE`]; the next comment or attachment list
//! of that issue is taken from it. Any write to the issue through this connector forgets it, so
//! the hub never reads its own write as missing; what someone else writes meanwhile changes the
//! issue's version, which change detection sees, so it is read again then.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long an issue answer stands in for a new read of its parts.
pub const REUSE: Duration = Duration::from_secs(2);
/// The parts a full read of an issue asks for.
pub const FULL: &str = "relations,journals,attachments";

/// Recent full answers by issue id.
#[derive(Debug, Default)]
pub struct Recent {
    issues: Mutex<HashMap<u64, (Instant, Value)>>,
}

impl Recent {
    /// Keeps the full answer of issue `id`; forgets answers too old to be used.
    pub fn keep(&self, id: u64, issue: &Value) {
        let mut issues = self.issues.lock().unwrap_or_else(|p| p.into_inner());
        issues.retain(|_, (at, _)| at.elapsed() < REUSE);
        issues.insert(id, (Instant::now(), issue.clone()));
    }

    /// The answer of issue `id` if it was read less than [`REUSE`] ago.
    pub fn get(&self, id: u64) -> Option<Value> {
        let issues = self.issues.lock().unwrap_or_else(|p| p.into_inner());
        issues
            .get(&id)
            .filter(|(at, _)| at.elapsed() < REUSE)
            .map(|(_, issue)| issue.clone())
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
    fn an_answer_stands_in_until_written_or_too_old() {
        let recent = Recent::default();
        recent.keep(1, &json!({"id": 1}));
        assert_eq!(recent.get(1), Some(json!({"id": 1})));
        assert_eq!(recent.get(2), None);
        recent.forget(1);
        assert_eq!(recent.get(1), None);
        recent.keep(3, &json!({"id": 3}));
        recent.issues.lock().unwrap().get_mut(&3).unwrap().0 -= REUSE;
        assert_eq!(recent.get(3), None, "too old");
    }
}
