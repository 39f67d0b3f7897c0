//! [`MemoryTracker`]: the tracker itself, shared by the connectors over it and the "users"
//! (tests, benchmarks, the demo) who edit it directly.
//!
//! One mutex guards the whole state; calls hold it for a few map operations, which keeps a single
//! tracker at hundreds of thousands of calls per second. With a state file, a write also rewrites
//! the file before the lock is released, so the file always holds the latest acknowledged state.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, TimeDelta, Utc};

use super::faults::{FaultInjector, FaultPlan};
use super::persist;
use super::state::TrackerState;
use crate::connector::Result;
use crate::types::Project;

/// An issue tracker held in memory (and optionally in a state file).
pub struct MemoryTracker {
    name: String,
    state: Mutex<TrackerState>,
    state_file: Option<PathBuf>,
    /// Faults for every connector over this tracker (set at run time by tests).
    pub(crate) faults: FaultInjector,
}

impl std::fmt::Debug for MemoryTracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryTracker")
            .field("name", &self.name)
            .field("state_file", &self.state_file)
            .finish_non_exhaustive()
    }
}

impl MemoryTracker {
    /// An empty tracker held in memory only. `name` shows in artifact URLs.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            state: Mutex::new(TrackerState::new(name)),
            state_file: None,
            faults: FaultInjector::default(),
        }
    }

    /// A tracker saved in `state_file`: loaded from it when it exists, empty otherwise, and
    /// saved to it after every write.
    pub fn open(name: &str, state_file: &Path) -> Result<Self> {
        let state = persist::load(state_file, name)?.unwrap_or_else(|| TrackerState::new(name));
        Ok(Self {
            name: name.to_owned(),
            state: Mutex::new(state),
            state_file: Some(state_file.to_owned()),
            faults: FaultInjector::default(),
        })
    }

    /// The instance name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file the tracker is saved in, if any.
    pub fn state_file(&self) -> Option<&Path> {
        self.state_file.as_deref()
    }

    /// Sets the faults every connector over this tracker suffers from now on (on top of the
    /// connector's own plan). `FaultPlan::default()` turns them off.
    pub fn set_faults(&self, plan: FaultPlan) -> Result<()> {
        self.faults.set(plan)
    }

    /// The tracker-wide fault plan.
    pub fn faults(&self) -> FaultPlan {
        self.faults.plan()
    }

    /// Stops the tracker's clock at `now` (`None`: the system clock again). Times are still
    /// truncated to whole seconds.
    pub fn set_clock(&self, now: Option<DateTime<Utc>>) {
        self.lock().clock = now;
    }

    /// Moves a stopped clock forward (stopping it at the current time first if it runs).
    pub fn advance_clock(&self, by: TimeDelta) {
        let mut state = self.lock();
        state.clock = Some(state.clock.unwrap_or_else(Utc::now) + by);
    }

    /// Creates a project (as an administrator of the tracker would).
    pub fn create_project(&self, key: &str, name: &str) -> Result<Project> {
        self.write(|state| state.create_project(key, name))
    }

    fn lock(&self) -> MutexGuard<'_, TrackerState> {
        // A panic elsewhere while holding the lock cannot leave a half-done write (writes check
        // before they change), so the state is still good to use.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs a read under the lock.
    pub(crate) fn read<T>(&self, read: impl FnOnce(&TrackerState) -> T) -> T {
        read(&self.lock())
    }

    /// Runs a write under the lock and saves the state file after a successful one.
    pub(crate) fn write<T>(&self, write: impl FnOnce(&mut TrackerState) -> Result<T>) -> Result<T> {
        let mut state = self.lock();
        let result = write(&mut state)?;
        if let Some(path) = &self.state_file {
            persist::save(&state, path)?;
        }
        Ok(result)
    }
}
