//! [`MemoryTracker`]: the tracker itself, shared by the connectors over it and the "users"
//! (tests, benchmarks, the demo) who edit it directly.
//!
//! One mutex guards the whole state; calls hold it for a few map operations, which keeps a single
//! tracker at hundreds of thousands of calls per second. With a state file, a write also appends
//! its changes to the journal before the lock is released (see [`super::persist`]), so the files
//! always hold every acknowledged write.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, TimeDelta, Utc};

use super::faults::{FaultInjector, FaultPlan};
use super::persist::Persister;
use super::state::TrackerState;
use crate::connector::Result;
use crate::types::Project;

/// An issue tracker held in memory (and optionally in a state file).
pub struct MemoryTracker {
    name: String,
    state: Mutex<TrackerState>,
    state_file: Option<PathBuf>,
    /// The snapshot and journal behind `state_file`; locked after `state`, only by writes.
    persister: Option<Mutex<Persister>>,
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
            persister: None,
            faults: FaultInjector::default(),
        }
    }

    /// A tracker saved in `state_file` (the snapshot) and `state_file` + `.journal`: loaded
    /// from them when they exist, empty otherwise, and every write saved.
    pub fn open(name: &str, state_file: &Path) -> Result<Self> {
        let (state, persister) = Persister::open(state_file, name)?;
        Ok(Self {
            name: name.to_owned(),
            state: Mutex::new(state),
            state_file: Some(state_file.to_owned()),
            persister: Some(Mutex::new(persister)),
            faults: FaultInjector::default(),
        })
    }

    /// The instance name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file the tracker is saved in (its snapshot; the journal is beside it, the same name
    /// with `.journal` appended), if any.
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

    /// The tracker's projects, by key.
    pub fn projects(&self) -> Vec<Project> {
        self.read(|state| state.projects())
    }

    fn lock(&self) -> MutexGuard<'_, TrackerState> {
        // A panic elsewhere while holding the lock cannot leave a half-done write (writes check
        // before they change), so the state is still good to use.
        lock(&self.state)
    }

    /// Runs a read under the lock.
    pub(crate) fn read<T>(&self, read: impl FnOnce(&TrackerState) -> T) -> T {
        read(&self.lock())
    }

    /// Runs a write under the lock and journals what it changed.
    pub(crate) fn write<T>(&self, write: impl FnOnce(&mut TrackerState) -> Result<T>) -> Result<T> {
        let mut state = self.lock();
        state.begin_write();
        let result = write(&mut state);
        // A refused write changes nothing, but whatever changed is saved all the same.
        let saved = match (&self.persister, state.end_write()) {
            (Some(persister), true) => lock(persister).record(&state),
            _ => Ok(()),
        };
        let value = result?;
        saved.map(|()| value)
    }

    /// Sets when the journal is compacted.
    #[cfg(test)]
    pub(crate) fn set_journal_limits(&self, limits: super::persist::Limits) {
        if let Some(persister) = &self.persister {
            lock(persister).set_limits(limits);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
