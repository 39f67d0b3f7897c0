//! The hub's phase, shared between the binary (which moves it) and the health check (which
//! reports it).

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

/// Where the hub process stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Opening the store, migrating, taking the lock.
    Starting,
    /// Serving and running integrations.
    Running,
    /// Shutting down.
    Stopping,
}

/// A shared, cheaply cloned phase.
#[derive(Debug, Clone)]
pub struct Lifecycle(Arc<AtomicU8>);

impl Default for Lifecycle {
    fn default() -> Self {
        Self(Arc::new(AtomicU8::new(Phase::Starting as u8)))
    }
}

impl Lifecycle {
    /// The current phase.
    pub fn phase(&self) -> Phase {
        match self.0.load(Ordering::Acquire) {
            0 => Phase::Starting,
            1 => Phase::Running,
            _ => Phase::Stopping,
        }
    }

    /// Moves to a phase.
    pub fn set(&self, phase: Phase) {
        self.0.store(phase as u8, Ordering::Release);
    }
}
