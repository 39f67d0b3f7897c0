//! The process-wide map of named trackers.
//!
//! The hub builds its connectors from settings (`{"instance": "left"}`) while a test or the demo
//! plays the tracker's users; both must reach the same tracker, so trackers live in a map keyed
//! by name for the life of the process.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex};

use super::tracker::MemoryTracker;
use crate::connector::Result;
use crate::error::{ConnectorError, ErrorClass};

static INSTANCES: LazyLock<Mutex<HashMap<String, Arc<MemoryTracker>>>> =
    LazyLock::new(Default::default);

fn instances() -> std::sync::MutexGuard<'static, HashMap<String, Arc<MemoryTracker>>> {
    INSTANCES.lock().unwrap_or_else(|e| e.into_inner())
}

/// The in-memory tracker named `name`, created empty on first use.
pub fn instance(name: &str) -> Arc<MemoryTracker> {
    instances()
        .entry(name.to_owned())
        .or_insert_with(|| Arc::new(MemoryTracker::new(name)))
        .clone()
}

/// The tracker named `name`; on first use created in memory or, with `state_file`, loaded from
/// (and saved to) that file. Refused when the name is already in use with another state file.
pub fn open_instance(name: &str, state_file: Option<&Path>) -> Result<Arc<MemoryTracker>> {
    let mut map = instances();
    if let Some(existing) = map.get(name) {
        return match state_file {
            Some(file) if existing.state_file() != Some(file) => Err(ConnectorError::new(
                ErrorClass::InvalidValue,
                format!(
                    "memory instance '{name}' is already open with state file {:?}, not {}",
                    existing.state_file(),
                    file.display()
                ),
            )),
            _ => Ok(existing.clone()),
        };
    }
    let tracker = Arc::new(match state_file {
        Some(file) => MemoryTracker::open(name, file)?,
        None => MemoryTracker::new(name),
    });
    map.insert(name.to_owned(), tracker.clone());
    Ok(tracker)
}

/// Forgets the tracker named `name` (a later use starts afresh or reloads its state file).
pub fn remove_instance(name: &str) -> Option<Arc<MemoryTracker>> {
    instances().remove(name)
}
