//! The troubleshooting log level: switched on at run time, switched off by itself.
//!
//! Administrators raise logging while they chase a problem and forget to lower it; a
//! troubleshooting level that expires on its own keeps logs from filling the disk. The binary
//! owns the tracing subscriber and implements [`LogFilter`]; the switch owns the timing.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use hub_domain::catalogue::hub;
use serde::{Deserialize, Serialize};

use crate::HubContext;
use crate::error::ApiError;

/// Changes the process's log filter (implemented by the binary over its subscriber).
pub trait LogFilter: Send + Sync {
    /// Replaces the active filter with these directives (`info,hub_engine=debug`).
    fn apply(&self, directives: &str) -> Result<(), String>;
}

/// The longest a troubleshooting level may stay on.
pub const MAX_TROUBLESHOOTING: Duration = Duration::from_secs(24 * 60 * 60);

/// Directives of the troubleshooting level: our crates at debug, dependencies at info.
pub const TROUBLESHOOTING_DIRECTIVES: &str = "info,hub_server=debug,hub_api=debug,hub_engine=debug,hub_store=debug,hub_connector=debug,hub_extensions=debug,hub_notify=debug,sqlx=warn";

/// What the API shows about logging.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggingState {
    /// `normal` or `troubleshooting`.
    pub level: String,
    /// When troubleshooting switches itself off.
    pub until: Option<DateTime<Utc>>,
}

/// The switch.
pub struct TroubleshootingSwitch {
    filter: Arc<dyn LogFilter>,
    normal: String,
    state: Mutex<(u64, Option<DateTime<Utc>>)>,
}

impl TroubleshootingSwitch {
    /// A switch over `filter`, whose normal directives are `normal`.
    pub fn new(filter: Arc<dyn LogFilter>, normal: impl Into<String>) -> Arc<Self> {
        Arc::new(Self {
            filter,
            normal: normal.into(),
            state: Mutex::new((0, None)),
        })
    }

    /// The current state.
    pub fn state(&self) -> LoggingState {
        let until = self.lock().1;
        LoggingState {
            level: if until.is_some() {
                "troubleshooting"
            } else {
                "normal"
            }
            .into(),
            until,
        }
    }

    /// Turns troubleshooting on for `duration` (capped), replacing any earlier request. Must be
    /// called inside a tokio runtime: the switch-off is a timer task.
    pub fn enable(self: &Arc<Self>, duration: Duration) -> Result<LoggingState, String> {
        let duration = duration.min(MAX_TROUBLESHOOTING);
        self.filter.apply(TROUBLESHOOTING_DIRECTIVES)?;
        let until = Utc::now() + chrono::Duration::from_std(duration).map_err(|e| e.to_string())?;
        let generation = {
            let mut state = self.lock();
            state.0 += 1;
            state.1 = Some(until);
            state.0
        };
        tracing::warn!(%until, "troubleshooting log level on");
        let me = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(duration).await;
            me.expire(generation);
        });
        Ok(self.state())
    }

    /// Back to the normal level now.
    pub fn disable(&self) -> Result<LoggingState, String> {
        self.filter.apply(&self.normal)?;
        let mut state = self.lock();
        state.0 += 1;
        state.1 = None;
        drop(state);
        tracing::info!("troubleshooting log level off");
        Ok(self.state())
    }

    /// Called by the timer: only the latest request's timer switches off.
    fn expire(&self, generation: u64) {
        let current = self.lock().0;
        if current == generation && self.disable().is_err() {
            tracing::error!("could not restore the normal log level");
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (u64, Option<DateTime<Utc>>)> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// `GET /api/settings/logging`.
pub async fn get_logging(State(ctx): State<HubContext>) -> Json<LoggingState> {
    Json(ctx.troubleshooting.state())
}

/// Body of `PUT /api/settings/logging`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoggingRequest {
    /// `normal` or `troubleshooting`.
    pub level: String,
    /// Minutes troubleshooting stays on (default 60, at most a day).
    #[serde(default)]
    pub minutes: Option<u64>,
}

/// `PUT /api/settings/logging`.
pub async fn put_logging(
    State(ctx): State<HubContext>,
    Json(request): Json<LoggingRequest>,
) -> Result<Json<LoggingState>, ApiError> {
    let invalid = |message: String| ApiError::bad_request(hub::CONFIG_INVALID_VALUE, message);
    let result = match request.level.as_str() {
        "troubleshooting" => {
            let minutes = request.minutes.unwrap_or(60);
            if minutes == 0 {
                return Err(invalid("minutes must be at least 1".into()));
            }
            ctx.troubleshooting
                .enable(Duration::from_secs(minutes.saturating_mul(60)))
        }
        "normal" => ctx.troubleshooting.disable(),
        other => {
            return Err(invalid(format!(
                "level '{other}' is not 'normal' or 'troubleshooting'"
            )));
        }
    };
    result
        .map(Json)
        .map_err(|e| invalid(format!("the log filter was refused: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct RecordingFilter(Mutex<Vec<String>>);

    impl LogFilter for RecordingFilter {
        fn apply(&self, directives: &str) -> Result<(), String> {
            self.0.lock().unwrap().push(directives.to_owned());
            Ok(())
        }
    }

    #[tokio::test(start_paused = true)]
    async fn troubleshooting_switches_itself_off_and_a_newer_request_extends_it() {
        let filter = Arc::new(RecordingFilter::default());
        let switch = TroubleshootingSwitch::new(filter.clone(), "info");
        switch.enable(Duration::from_secs(60)).unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
        switch.enable(Duration::from_secs(60)).unwrap();
        // The first timer fires at 60 s but must not switch off the newer request.
        tokio::time::sleep(Duration::from_secs(45)).await;
        assert_eq!(switch.state().level, "troubleshooting");
        tokio::time::sleep(Duration::from_secs(20)).await;
        assert_eq!(switch.state().level, "normal");
        let applied = filter.0.lock().unwrap().clone();
        assert_eq!(
            applied,
            [
                TROUBLESHOOTING_DIRECTIVES,
                TROUBLESHOOTING_DIRECTIVES,
                "info"
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn durations_are_capped_at_a_day() {
        let switch = TroubleshootingSwitch::new(Arc::new(RecordingFilter::default()), "info");
        let state = switch.enable(Duration::from_secs(7 * 24 * 3600)).unwrap();
        let left = state.until.unwrap() - Utc::now();
        assert!(left <= chrono::Duration::hours(24), "{left}");
    }
}
