//! Syncline's HTTP API.
//!
//! The API is the only way the outside world sees the hub: monitoring tools read
//! `GET /api/health`, administrators (and the web UI, later) change settings. Handlers are thin:
//! they call the store, the engine and the other crates, and turn their errors into responses
//! that carry the catalogue code and the user action ([`error::ApiError`]).
//!
//! The binary owns process concerns (the tracing subscriber, signals, sockets) and hands the API
//! what it needs through [`HubContext`] and the [`logging::LogFilter`] seam.

pub mod activity;
pub mod error;
pub mod extensions;
pub mod health;
pub mod lifecycle;
pub mod logging;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use hub_engine::EngineMode;
use hub_store::Store;

pub use lifecycle::{Lifecycle, Phase};
pub use logging::{LogFilter, TroubleshootingSwitch};

/// Everything the handlers need, shared by all requests.
#[derive(Clone)]
pub struct HubContext {
    /// The store.
    pub store: Store,
    /// Where the process stands (starting, running, stopping).
    pub lifecycle: Lifecycle,
    /// Normal or safe mode.
    pub mode: EngineMode,
    /// The running engine (absent in safe mode and before it starts).
    pub engine: Option<hub_engine::Engine>,
    /// The in-memory view of the extension log (absent when no extension host runs).
    pub extension_log: Option<Arc<hub_extensions::MemoryLog>>,
    /// The runtime log-level switch.
    pub troubleshooting: Arc<TroubleshootingSwitch>,
}

/// The API's routes.
pub fn router(context: HubContext) -> Router {
    Router::new()
        .route("/api/health", get(health::get_health))
        .route(
            "/api/settings/logging",
            get(logging::get_logging).put(logging::put_logging),
        )
        .route("/api/version", get(version))
        .route("/api/integrations", get(activity::integrations))
        .route("/api/integrations/{id}/pairs", get(activity::pairs))
        .route(
            "/api/integrations/{id}/{verb}",
            axum::routing::post(activity::run_state),
        )
        .route("/api/activities", get(activity::activities))
        .route(
            "/api/activities/{id}/{action}",
            axum::routing::post(activity::act),
        )
        .route("/api/blockers", get(activity::blockers))
        .route("/api/jobs", get(activity::jobs))
        .route("/api/extensions", get(extensions::extensions))
        .route("/api/extensions/log", get(extensions::log))
        .fallback(error::not_found)
        .with_state(context)
}

async fn version() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({
        "name": "syncline",
        "version": env!("CARGO_PKG_VERSION"),
    }))
}
