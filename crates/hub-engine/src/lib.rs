//! The sync engine: change detection, the durable activity queue and the model-based sync.
//!
//! The engine is what other Rust programs embed to run integrations ([`Engine`]). Map:
//! - [`sync`]: the pure core — projections through mappings and the per-field sync plan.
//! - [`runtime`]: detectors, the worker pool, processing one artifact, comments and attachments
//!   by identity, crash-safe twin creation.
//! - here: effective change-detection settings (hub defaults overridden per integration) and the
//!   engine mode that safe mode and the health check report.

pub mod runtime;
pub mod sync;

pub use runtime::{Engine, EngineHandle, EngineOptions, FULL_SCAN_JOB, Outcome, SyncError};

use hub_domain::integration::{
    ChangeDetection, DEFAULT_FULL_SCAN_INTERVAL_SECONDS, DEFAULT_MAX_CONCURRENCY,
    DEFAULT_POLL_INTERVAL_SECONDS,
};
use serde::Serialize;

/// How changes are detected for one integration, after applying overrides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EffectiveChangeDetection {
    /// Poll interval in seconds (ignored when a cron schedule is set).
    pub interval_seconds: u32,
    /// Cron schedule, when one is set.
    pub cron: Option<String>,
    /// Full-scan interval in seconds.
    pub full_scan_interval_seconds: u32,
    /// Maximum activities processed at once.
    pub max_concurrency: u32,
}

/// Applies an integration's overrides on top of the hub-wide settings; a hub-wide setting that is
/// itself unset falls back to the built-in default.
pub fn effective_change_detection(
    global: &ChangeDetection,
    integration: &ChangeDetection,
) -> EffectiveChangeDetection {
    EffectiveChangeDetection {
        interval_seconds: integration
            .interval_seconds
            .or(global.interval_seconds)
            .unwrap_or(DEFAULT_POLL_INTERVAL_SECONDS),
        cron: integration.cron.clone().or_else(|| global.cron.clone()),
        full_scan_interval_seconds: integration
            .full_scan_interval_seconds
            .or(global.full_scan_interval_seconds)
            .unwrap_or(DEFAULT_FULL_SCAN_INTERVAL_SECONDS),
        max_concurrency: integration
            .max_concurrency
            .or(global.max_concurrency)
            .unwrap_or(DEFAULT_MAX_CONCURRENCY),
    }
}

/// Whether the engine processes work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineMode {
    /// Integrations marked running are run.
    Normal,
    /// Started in safe mode: every integration stays stopped until an administrator starts it.
    Safe,
}

/// Errors of the engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] hub_store::StoreError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integration_overrides_win_then_global_then_defaults() {
        let global = ChangeDetection {
            interval_seconds: Some(30),
            ..Default::default()
        };
        let integration = ChangeDetection {
            max_concurrency: Some(3),
            ..Default::default()
        };
        let e = effective_change_detection(&global, &integration);
        assert_eq!(e.interval_seconds, 30);
        assert_eq!(e.max_concurrency, 3);
        assert_eq!(
            e.full_scan_interval_seconds,
            DEFAULT_FULL_SCAN_INTERVAL_SECONDS
        );
        assert_eq!(e.cron, None);
    }
}
