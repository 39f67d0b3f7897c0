//! The Extensions screen's data: saved extensions and the extension log (what scripts wrote with
//! `console.log`), filtered by extension, integration and artifact.

use axum::Json;
use axum::extract::{Query, State};
use hub_extensions::{LogEntry, LogQuery};
use hub_store::extensions::ExtensionRecord;

use crate::HubContext;
use crate::error::ApiError;

/// `GET /api/extensions`: every saved extension with its script.
pub async fn extensions(
    State(ctx): State<HubContext>,
) -> Result<Json<Vec<ExtensionRecord>>, ApiError> {
    Ok(Json(ctx.store.extensions().await?))
}

/// `GET /api/extensions/log?extension=&integration=&artifact=&limit=`: the newest entries,
/// oldest first. Empty while no extension host runs (safe mode).
pub async fn log(
    State(ctx): State<HubContext>,
    Query(query): Query<LogQuery>,
) -> Json<Vec<LogEntry>> {
    let entries = ctx
        .extension_log
        .as_ref()
        .map(|log| log.query(&query))
        .unwrap_or_default();
    Json(entries)
}
