//! The Activity screen's data: integrations with their counts, artifact pairs, activities with
//! their actions, blockers and background jobs.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use hub_domain::activity::{Activity, ActivityState};
use hub_domain::blocker::Blocker;
use hub_domain::catalogue::hub;
use hub_domain::job::BackgroundJob;
use hub_domain::pair::ArtifactPair;
use hub_domain::{ActivityId, ErrorCode, IntegrationId};
use hub_store::queue::ActivityAction;
use serde::{Deserialize, Serialize};

use crate::HubContext;
use crate::error::ApiError;

/// An integration with how much work it has.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationSummary {
    /// Id.
    pub id: IntegrationId,
    /// Name.
    pub name: String,
    /// Whether it runs.
    pub running: bool,
    /// Artifact pairs.
    pub pairs: u64,
    /// Activities by state.
    pub activities: BTreeMap<&'static str, u64>,
}

/// `GET /api/integrations`.
pub async fn integrations(
    State(ctx): State<HubContext>,
) -> Result<Json<Vec<IntegrationSummary>>, ApiError> {
    let mut out = Vec::new();
    for integration in ctx.store.integrations().await? {
        let Some(id) = integration.id else { continue };
        let counts = ctx.store.activity_counts(id).await?;
        out.push(IntegrationSummary {
            id,
            name: integration.name,
            running: integration.running,
            pairs: ctx.store.count_pairs(id).await?,
            activities: counts.into_iter().map(|(s, n)| (s.as_str(), n)).collect(),
        });
    }
    Ok(Json(out))
}

/// Paging of lists.
#[derive(Debug, Deserialize)]
pub struct Page {
    /// Items after this id.
    #[serde(default)]
    pub after: Option<i64>,
    /// At most this many (default 100, at most 1000).
    #[serde(default)]
    pub limit: Option<u64>,
}

fn limit(requested: Option<u64>) -> u64 {
    requested.unwrap_or(100).clamp(1, 1000)
}

/// `GET /api/integrations/{id}/pairs`.
pub async fn pairs(
    State(ctx): State<HubContext>,
    Path(id): Path<i64>,
    Query(page): Query<Page>,
) -> Result<Json<Vec<ArtifactPair>>, ApiError> {
    let pairs = ctx
        .store
        .pairs_after(
            IntegrationId(id),
            page.after.unwrap_or(0),
            limit(page.limit),
        )
        .await?;
    Ok(Json(pairs))
}

/// Filters of the activity list.
#[derive(Debug, Deserialize)]
pub struct ActivityFilter {
    /// `pending`, `processing`, `failed`, `ignored` or `completed`.
    #[serde(default)]
    pub state: Option<String>,
    /// One integration only.
    #[serde(default)]
    pub integration: Option<i64>,
    /// At most this many, newest first.
    #[serde(default)]
    pub limit: Option<u64>,
}

/// `GET /api/activities`.
pub async fn activities(
    State(ctx): State<HubContext>,
    Query(filter): Query<ActivityFilter>,
) -> Result<Json<Vec<Activity>>, ApiError> {
    let state = match filter.state.as_deref() {
        None => None,
        Some(text) => Some(ActivityState::parse(text).ok_or_else(|| {
            ApiError::bad_request(
                hub::CONFIG_INVALID_VALUE,
                format!("'{text}' is not an activity state"),
            )
        })?),
    };
    let list = ctx
        .store
        .list_activities(
            state,
            filter.integration.map(IntegrationId),
            limit(filter.limit),
        )
        .await?;
    Ok(Json(list))
}

/// `POST /api/activities/{id}/{action}` with action `prioritize`, `cancel`, `ignore`, `retry`
/// or `recreate` (a twin deleted in its tracker is created again).
pub async fn act(
    State(ctx): State<HubContext>,
    Path((id, action)): Path<(i64, String)>,
) -> Result<Json<Activity>, ApiError> {
    if action == "recreate" {
        let engine = running_engine(&ctx)?;
        let before = ctx.store.activity(ActivityId(id)).await?;
        engine
            .recreate(ActivityId(id))
            .await
            .map_err(engine_error)?;
        return Ok(Json(before));
    }
    let action = match action.as_str() {
        "prioritize" => ActivityAction::Prioritize,
        "cancel" => ActivityAction::Cancel,
        "ignore" => ActivityAction::Ignore,
        "retry" => ActivityAction::Retry,
        other => {
            return Err(ApiError::bad_request(
                ErrorCode::error(30002),
                format!(
                    "'{other}' is not an activity action (prioritize, cancel, ignore, retry, recreate)"
                ),
            ));
        }
    };
    Ok(Json(
        ctx.store.act_on_activity(ActivityId(id), action).await?,
    ))
}

/// `GET /api/blockers`.
pub async fn blockers(State(ctx): State<HubContext>) -> Result<Json<Vec<Blocker>>, ApiError> {
    Ok(Json(ctx.store.blockers().await?))
}

/// `GET /api/jobs`.
pub async fn jobs(State(ctx): State<HubContext>) -> Result<Json<Vec<BackgroundJob>>, ApiError> {
    Ok(Json(ctx.store.jobs().await?))
}

fn running_engine(ctx: &HubContext) -> Result<&hub_engine::Engine, ApiError> {
    ctx.engine.as_ref().ok_or_else(|| ApiError {
        status: axum::http::StatusCode::CONFLICT,
        code: ErrorCode::error(30008),
        message: "the sync engine is not running (safe mode?)".into(),
    })
}

fn engine_error(e: hub_engine::SyncError) -> ApiError {
    match e {
        hub_engine::SyncError::Store(e) => e.into(),
        other => ApiError::bad_request(other.code(), other.to_string()),
    }
}

/// `POST /api/integrations/{id}/start` and `.../stop`: runs or stops an integration now.
pub async fn run_state(
    State(ctx): State<HubContext>,
    Path((id, verb)): Path<(i64, String)>,
) -> Result<Json<Vec<IntegrationSummary>>, ApiError> {
    let running = match verb.as_str() {
        "start" => true,
        "stop" => false,
        other => {
            return Err(ApiError::bad_request(
                ErrorCode::error(30002),
                format!("'{other}' is not an integration action (start, stop)"),
            ));
        }
    };
    ctx.store
        .set_integration_running(IntegrationId(id), running)
        .await?;
    if let Some(engine) = &ctx.engine {
        engine.reload().await.map_err(engine_error)?;
    }
    integrations(State(ctx)).await
}
