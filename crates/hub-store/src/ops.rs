//! Operational state: artifact pairs, activities and blockers.
//!
//! These are the rows the Activity screen shows. The invariants the engine relies on are kept
//! here, by the database, not by callers' discipline: one pair per artifact and integration
//! side, and at most one pending activity per (integration, artifact).

use chrono::{DateTime, Utc};
use hub_domain::activity::{Activity, ActivityKind, ActivityState};
use hub_domain::blocker::{Blocker, BlockerScope};
use hub_domain::pair::{ArtifactPair, ArtifactRef, PairSide};
use hub_domain::{ActivityId, ArtifactPairId, BlockerId, ErrorCode, IntegrationId, RepositoryId};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::connect::Store;
use crate::entity::{activity, artifact_pair, blocker};
use crate::error::StoreError;
use crate::time::{from_ms, now_ms, to_ms};

pub(crate) fn as_text<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub(crate) fn from_text<T: DeserializeOwned>(
    table: &'static str,
    id: i64,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|e| StoreError::corrupt(table, id, e))
}

fn pending_key(integration: IntegrationId, artifact: &ArtifactRef) -> String {
    format!(
        "{}:{}:{}",
        integration.0, artifact.repository.0, artifact.id
    )
}

impl Store {
    /// Records a new pair. Fails with [`StoreError::Duplicate`] when either artifact is already
    /// paired in this integration.
    pub async fn insert_pair(
        &self,
        pair: &ArtifactPair,
        snapshot: Option<&str>,
    ) -> Result<ArtifactPair, StoreError> {
        let row = artifact_pair::ActiveModel {
            integration_id: Set(pair.integration.0),
            left_repository_id: Set(pair.left.artifact.repository.0),
            left_artifact_id: Set(pair.left.artifact.id.clone()),
            left_formatted_id: Set(pair.left.formatted_id.clone()),
            left_version: Set(pair.left.version.clone()),
            right_repository_id: Set(pair.right.artifact.repository.0),
            right_artifact_id: Set(pair.right.artifact.id.clone()),
            right_formatted_id: Set(pair.right.formatted_id.clone()),
            right_version: Set(pair.right.version.clone()),
            snapshot: Set(snapshot.map(str::to_owned)),
            created_at: Set(to_ms(pair.created_at)),
            synchronized_at: Set(to_ms(pair.synchronized_at)),
            ..Default::default()
        };
        let id = artifact_pair::Entity::insert(row)
            .exec(&self.db)
            .await
            .map_err(|e| {
                if StoreError::is_unique_violation(&e) {
                    StoreError::Duplicate {
                        object: "artifact pair",
                        name: pair.left.formatted_id.clone(),
                    }
                } else {
                    e.into()
                }
            })?;
        Ok(ArtifactPair {
            id: Some(ArtifactPairId(id.last_insert_id)),
            ..pair.clone()
        })
    }

    /// The pair an artifact belongs to in an integration, from either side.
    pub async fn pair_of(
        &self,
        integration: IntegrationId,
        artifact: &ArtifactRef,
    ) -> Result<Option<ArtifactPair>, StoreError> {
        Ok(self
            .pair_record(integration, artifact)
            .await?
            .map(|record| record.pair))
    }

    /// How many pairs an integration has.
    pub async fn count_pairs(&self, integration: IntegrationId) -> Result<u64, StoreError> {
        Ok(artifact_pair::Entity::find()
            .filter(artifact_pair::Column::IntegrationId.eq(integration.0))
            .count(&self.db)
            .await?)
    }

    /// Queues work on an artifact. When one is already pending for the same artifact and
    /// integration, that one is returned instead (the invariant holds in the database).
    pub async fn enqueue_activity(
        &self,
        integration: IntegrationId,
        artifact: &ArtifactRef,
        kind: ActivityKind,
        priority: i32,
    ) -> Result<ActivityId, StoreError> {
        let now = now_ms();
        let key = pending_key(integration, artifact);
        let row = activity::ActiveModel {
            integration_id: Set(integration.0),
            repository_id: Set(artifact.repository.0),
            artifact_id: Set(artifact.id.clone()),
            kind: Set(as_text(&kind)),
            state: Set(ActivityState::Pending.as_str().to_owned()),
            priority: Set(priority),
            attempts: Set(0),
            next_attempt_at: Set(now),
            pending_key: Set(Some(key.clone())),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        match activity::Entity::insert(row).exec(&self.db).await {
            Ok(res) => Ok(ActivityId(res.last_insert_id)),
            Err(e) if StoreError::is_unique_violation(&e) => {
                let existing = activity::Entity::find()
                    .filter(activity::Column::PendingKey.eq(key.clone()))
                    .one(&self.db)
                    .await?;
                existing
                    .map(|a| ActivityId(a.id))
                    .ok_or_else(|| StoreError::corrupt("activities", key, "pending row vanished"))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// One activity.
    pub async fn activity(&self, id: ActivityId) -> Result<Activity, StoreError> {
        let row = activity::Entity::find_by_id(id.0).one(&self.db).await?;
        activity_of(row.ok_or_else(|| StoreError::NotFound {
            object: "activity",
            key: id.to_string(),
        })?)
    }

    /// Activities in a state, most urgent first.
    pub async fn activities_in(
        &self,
        state: ActivityState,
        limit: u64,
    ) -> Result<Vec<Activity>, StoreError> {
        let rows = activity::Entity::find()
            .filter(activity::Column::State.eq(state.as_str()))
            .order_by_desc(activity::Column::Priority)
            .order_by_asc(activity::Column::NextAttemptAt)
            .limit(limit)
            .all(&self.db)
            .await?;
        rows.into_iter().map(activity_of).collect()
    }

    /// Number of activities per state.
    pub async fn count_activities(&self, state: ActivityState) -> Result<u64, StoreError> {
        Ok(activity::Entity::find()
            .filter(activity::Column::State.eq(state.as_str()))
            .count(&self.db)
            .await?)
    }

    /// Moves an activity to a new state (checked against the life cycle), recording an error
    /// for `Failed` and clearing the pending key unless it is pending again.
    pub async fn transition_activity(
        &self,
        id: ActivityId,
        to: ActivityState,
        error: Option<(ErrorCode, String)>,
        next_attempt_at: Option<DateTime<Utc>>,
    ) -> Result<Activity, StoreError> {
        let current = self.activity(id).await?;
        current.state.transition(to)?;
        let key = (to == ActivityState::Pending)
            .then(|| pending_key(current.integration, &current.artifact));
        let (code, message) = match error {
            Some((code, message)) => (Some(code.to_string()), Some(message)),
            None => (None, None),
        };
        let attempts = current.attempts + u32::from(to == ActivityState::Failed);
        let result = activity::Entity::update_many()
            .col_expr(activity::Column::State, Expr::value(to.as_str()))
            .col_expr(activity::Column::PendingKey, Expr::value(key))
            .col_expr(activity::Column::ErrorCode, Expr::value(code))
            .col_expr(activity::Column::ErrorMessage, Expr::value(message))
            .col_expr(
                activity::Column::Attempts,
                Expr::value(i32::try_from(attempts).unwrap_or(i32::MAX)),
            )
            .col_expr(
                activity::Column::NextAttemptAt,
                Expr::value(next_attempt_at.map_or_else(|| to_ms(current.next_attempt_at), to_ms)),
            )
            .col_expr(activity::Column::UpdatedAt, Expr::value(now_ms()))
            .filter(activity::Column::Id.eq(id.0))
            .filter(activity::Column::State.eq(current.state.as_str()))
            .exec(&self.db)
            .await;
        match result {
            Ok(r) if r.rows_affected == 1 => self.activity(id).await,
            Ok(_) => Err(StoreError::Invalid(
                hub_domain::DomainError::IllegalTransition {
                    object: "activity",
                    from: "a state changed concurrently".into(),
                    to: to.as_str().into(),
                },
            )),
            Err(e) if StoreError::is_unique_violation(&e) => Err(StoreError::Duplicate {
                object: "pending activity",
                name: current.artifact.id,
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// Records (or refreshes) a blocker; one per scope and code.
    pub async fn raise_blocker(
        &self,
        scope: BlockerScope,
        code: ErrorCode,
        message: &str,
    ) -> Result<(), StoreError> {
        let (scope_name, scope_id) = scope_columns(scope);
        let now = now_ms();
        let row = blocker::ActiveModel {
            scope: Set(scope_name.to_owned()),
            scope_id: Set(scope_id),
            code: Set(code.to_string()),
            message: Set(message.to_owned()),
            first_seen: Set(now),
            last_checked: Set(now),
            ..Default::default()
        };
        blocker::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    blocker::Column::Scope,
                    blocker::Column::ScopeId,
                    blocker::Column::Code,
                ])
                .update_columns([blocker::Column::Message, blocker::Column::LastChecked])
                .to_owned(),
            )
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Removes a blocker whose cause is gone.
    pub async fn clear_blocker(
        &self,
        scope: BlockerScope,
        code: ErrorCode,
    ) -> Result<(), StoreError> {
        let (scope_name, scope_id) = scope_columns(scope);
        blocker::Entity::delete_many()
            .filter(blocker::Column::Scope.eq(scope_name))
            .filter(blocker::Column::ScopeId.eq(scope_id))
            .filter(blocker::Column::Code.eq(code.to_string()))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// All blockers, oldest first.
    pub async fn blockers(&self) -> Result<Vec<Blocker>, StoreError> {
        let rows = blocker::Entity::find()
            .order_by_asc(blocker::Column::FirstSeen)
            .all(&self.db)
            .await?;
        rows.into_iter().map(blocker_of).collect()
    }
}

fn scope_columns(scope: BlockerScope) -> (&'static str, i64) {
    match scope {
        BlockerScope::Hub => ("hub", 0),
        BlockerScope::Repository(id) => ("repository", id.0),
        BlockerScope::Integration(id) => ("integration", id.0),
    }
}

pub(crate) fn pair_of(r: artifact_pair::Model) -> ArtifactPair {
    ArtifactPair {
        id: Some(ArtifactPairId(r.id)),
        integration: IntegrationId(r.integration_id),
        left: PairSide {
            artifact: ArtifactRef {
                repository: RepositoryId(r.left_repository_id),
                id: r.left_artifact_id,
            },
            formatted_id: r.left_formatted_id,
            version: r.left_version,
        },
        right: PairSide {
            artifact: ArtifactRef {
                repository: RepositoryId(r.right_repository_id),
                id: r.right_artifact_id,
            },
            formatted_id: r.right_formatted_id,
            version: r.right_version,
        },
        created_at: from_ms(r.created_at),
        synchronized_at: from_ms(r.synchronized_at),
    }
}

pub(crate) fn activity_of(r: activity::Model) -> Result<Activity, StoreError> {
    let state = ActivityState::parse(&r.state).ok_or_else(|| {
        StoreError::corrupt("activities", r.id, format!("unknown state {}", r.state))
    })?;
    Ok(Activity {
        id: ActivityId(r.id),
        integration: IntegrationId(r.integration_id),
        artifact: ArtifactRef {
            repository: RepositoryId(r.repository_id),
            id: r.artifact_id,
        },
        kind: from_text("activities", r.id, &r.kind)?,
        state,
        priority: r.priority,
        attempts: u32::try_from(r.attempts).unwrap_or(0),
        next_attempt_at: from_ms(r.next_attempt_at),
        error_code: r.error_code.as_deref().and_then(ErrorCode::parse),
        error_message: r.error_message,
        created_at: from_ms(r.created_at),
        updated_at: from_ms(r.updated_at),
    })
}

fn blocker_of(r: blocker::Model) -> Result<Blocker, StoreError> {
    let scope = match r.scope.as_str() {
        "hub" => BlockerScope::Hub,
        "repository" => BlockerScope::Repository(RepositoryId(r.scope_id)),
        "integration" => BlockerScope::Integration(IntegrationId(r.scope_id)),
        other => {
            return Err(StoreError::corrupt(
                "blockers",
                r.id,
                format!("unknown scope {other}"),
            ));
        }
    };
    Ok(Blocker {
        id: Some(BlockerId(r.id)),
        scope,
        code: ErrorCode::parse(&r.code)
            .ok_or_else(|| StoreError::corrupt("blockers", r.id, format!("bad code {}", r.code)))?,
        message: r.message,
        first_seen: from_ms(r.first_seen),
        last_checked: from_ms(r.last_checked),
    })
}
