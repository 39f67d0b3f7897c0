//! The durable activity queue as the engine's workers use it: batch enqueue, claim with a lease,
//! complete, fail with a retry time, recover leases of crashed workers, prune history.
//!
//! Claiming is three portable statements (pick candidates, flip them to `processing` under a
//! fresh claim token guarded by `state = 'pending'`, read back what this token won), so several
//! hub processes can share one PostgreSQL or MySQL store without two of them ever processing the
//! same activity. A candidate whose artifact already has a live `processing` activity is skipped:
//! one artifact is never worked on twice at once.

use std::time::Duration;

use hub_domain::activity::{Activity, ActivityState};
use hub_domain::pair::ArtifactRef;
use hub_domain::{ActivityId, ErrorCode, IntegrationId};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::connect::Store;
use crate::entity::activity::{self, Column as C, Entity};
use crate::error::StoreError;
use crate::time::now_ms;

fn pending_key(integration: IntegrationId, artifact: &ArtifactRef) -> String {
    format!(
        "{}:{}:{}",
        integration.0, artifact.repository.0, artifact.id
    )
}

fn lease_ms(lease: Duration) -> i64 {
    i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 4)
}

/// A new pending activity for `artifact`, due at `due`.
fn pending_row(
    integration: IntegrationId,
    artifact: &ArtifactRef,
    key: String,
    now: i64,
    due: i64,
) -> activity::ActiveModel {
    activity::ActiveModel {
        integration_id: Set(integration.0),
        repository_id: Set(artifact.repository.0),
        artifact_id: Set(artifact.id.clone()),
        kind: Set("synchronize".into()),
        state: Set(ActivityState::Pending.as_str().into()),
        priority: Set(0),
        attempts: Set(0),
        next_attempt_at: Set(due),
        pending_key: Set(Some(key)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

impl Store {
    /// Queues a synchronize activity for each artifact; artifacts that already have a pending
    /// activity keep it. Returns how many were newly queued.
    pub async fn enqueue_changes(
        &self,
        integration: IntegrationId,
        artifacts: &[ArtifactRef],
    ) -> Result<usize, StoreError> {
        if artifacts.is_empty() {
            return Ok(0);
        }
        let now = now_ms();
        let mut queued = 0;
        // No transaction: on SQLite a transaction that reads before it writes cannot wait for
        // the write lock (it fails at once with "database is locked" when another connection
        // writes), and nothing here needs one. Rows are independent; the unique `pending_key`
        // keeps a second pending activity out even when another caller queues the same
        // artifact between the read and the insert.
        for chunk in artifacts.chunks(200) {
            let keys: Vec<String> = chunk.iter().map(|a| pending_key(integration, a)).collect();
            let existing: Vec<String> = Entity::find()
                .select_only()
                .column(C::PendingKey)
                .filter(C::PendingKey.is_in(keys.clone()))
                .into_tuple::<Option<String>>()
                .all(&self.db)
                .await?
                .into_iter()
                .flatten()
                .collect();
            if !existing.is_empty() {
                self.due_now(&existing, now).await?;
            }
            let mut seen = std::collections::HashSet::new();
            let unique: Vec<(&ArtifactRef, String)> = chunk
                .iter()
                .zip(keys)
                // The same artifact twice in one batch: keep the first.
                .filter(|(_, key)| !existing.contains(key) && seen.insert(key.clone()))
                .collect();
            queued += self.insert_pending(integration, &unique, now, now).await?;
        }
        Ok(queued)
    }

    /// Pending activities of `keys` due later (second looks) become due `now`: a change has
    /// come, which their look should not wait for. Retries keep their backoff.
    async fn due_now(&self, keys: &[String], now: i64) -> Result<(), StoreError> {
        Entity::update_many()
            .col_expr(C::NextAttemptAt, Expr::value(now))
            .filter(C::PendingKey.is_in(keys.iter().cloned()))
            .filter(C::State.eq(ActivityState::Pending.as_str()))
            .filter(C::NextAttemptAt.gt(now))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Queues a synchronize activity for `artifact`, due at `at` (a second look once what
    /// may still change unseen has had time to); nothing when one is pending already, which
    /// looks as well. Returns whether one was queued.
    pub async fn enqueue_at(
        &self,
        integration: IntegrationId,
        artifact: &ArtifactRef,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, StoreError> {
        let key = pending_key(integration, artifact);
        let due = crate::time::to_ms(at);
        let inserted = self
            .insert_pending(integration, &[(artifact, key)], now_ms(), due)
            .await?;
        Ok(inserted == 1)
    }

    /// Inserts pending activities for `artifacts` (with their pending keys), due at `due`;
    /// those whose artifact was queued meanwhile are skipped. Returns how many were inserted.
    async fn insert_pending(
        &self,
        integration: IntegrationId,
        artifacts: &[(&ArtifactRef, String)],
        now: i64,
        due: i64,
    ) -> Result<usize, StoreError> {
        if artifacts.is_empty() {
            return Ok(0);
        }
        let row = |(artifact, key): &(&ArtifactRef, String)| {
            pending_row(integration, artifact, key.clone(), now, due)
        };
        match Entity::insert_many(artifacts.iter().map(row))
            .exec(&self.db)
            .await
        {
            Ok(_) => Ok(artifacts.len()),
            // Another caller queued one of them meanwhile: insert one by one, skipping those.
            Err(e) if StoreError::is_unique_violation(&e) => {
                let mut inserted = 0;
                for one in artifacts {
                    match Entity::insert(row(one)).exec(&self.db).await {
                        Ok(_) => inserted += 1,
                        Err(e) if StoreError::is_unique_violation(&e) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
                Ok(inserted)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Claims up to `limit` due activities for `owner` with a lease of `lease`. Only activities
    /// of `integrations` (those this process runs) are claimed.
    pub async fn claim_activities(
        &self,
        owner: &str,
        integrations: &[IntegrationId],
        limit: u64,
        lease: Duration,
    ) -> Result<Vec<Activity>, StoreError> {
        if integrations.is_empty() {
            return Ok(Vec::new());
        }
        let now = now_ms();
        let busy = Query::select()
            .expr(Expr::val(1))
            .from_as(activity::Entity, "busy")
            .and_where(ExprTrait::eq(
                Expr::col(("busy", C::State)),
                ActivityState::Processing.as_str(),
            ))
            .and_where(
                Expr::col(("busy", C::IntegrationId)).equals((activity::Entity, C::IntegrationId)),
            )
            .and_where(
                Expr::col(("busy", C::RepositoryId)).equals((activity::Entity, C::RepositoryId)),
            )
            .and_where(Expr::col(("busy", C::ArtifactId)).equals((activity::Entity, C::ArtifactId)))
            .to_owned();
        let candidates: Vec<i64> = Entity::find()
            .select_only()
            .column(C::Id)
            .filter(C::State.eq(ActivityState::Pending.as_str()))
            .filter(C::IntegrationId.is_in(integrations.iter().map(|i| i.0)))
            .filter(C::NextAttemptAt.lte(now))
            .filter(Expr::exists(busy).not())
            .order_by_desc(C::Priority)
            .order_by_asc(C::NextAttemptAt)
            .order_by_asc(C::Id)
            .limit(limit)
            .into_tuple()
            .all(&self.db)
            .await?;
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let token = format!("{owner}/{now}/{}", candidates[0]);
        Entity::update_many()
            .col_expr(C::State, Expr::value(ActivityState::Processing.as_str()))
            .col_expr(C::PendingKey, Expr::value(None::<String>))
            .col_expr(C::LeaseOwner, Expr::value(token.clone()))
            .col_expr(C::LeaseExpiresAt, Expr::value(now + lease_ms(lease)))
            .col_expr(C::UpdatedAt, Expr::value(now))
            .filter(C::Id.is_in(candidates))
            .filter(C::State.eq(ActivityState::Pending.as_str()))
            .exec(&self.db)
            .await?;
        let rows = Entity::find()
            .filter(C::LeaseOwner.eq(token))
            .filter(C::State.eq(ActivityState::Processing.as_str()))
            .order_by_desc(C::Priority)
            .order_by_asc(C::Id)
            .all(&self.db)
            .await?;
        rows.into_iter().map(crate::ops::activity_of).collect()
    }

    /// Marks a processed activity completed.
    pub async fn complete_activity(&self, id: ActivityId) -> Result<(), StoreError> {
        Entity::update_many()
            .col_expr(C::State, Expr::value(ActivityState::Completed.as_str()))
            .col_expr(C::LeaseOwner, Expr::value(None::<String>))
            .col_expr(C::LeaseExpiresAt, Expr::value(None::<i64>))
            .col_expr(C::ErrorCode, Expr::value(None::<String>))
            .col_expr(C::ErrorMessage, Expr::value(None::<String>))
            .col_expr(C::UpdatedAt, Expr::value(now_ms()))
            .filter(C::Id.eq(id.0))
            .filter(C::State.eq(ActivityState::Processing.as_str()))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Completes several activities in one statement (a worker's round).
    pub async fn complete_activities(&self, ids: &[ActivityId]) -> Result<(), StoreError> {
        for chunk in ids.chunks(500) {
            Entity::update_many()
                .col_expr(C::State, Expr::value(ActivityState::Completed.as_str()))
                .col_expr(C::LeaseOwner, Expr::value(None::<String>))
                .col_expr(C::LeaseExpiresAt, Expr::value(None::<i64>))
                .col_expr(C::ErrorCode, Expr::value(None::<String>))
                .col_expr(C::ErrorMessage, Expr::value(None::<String>))
                .col_expr(C::UpdatedAt, Expr::value(now_ms()))
                .filter(C::Id.is_in(chunk.iter().map(|id| id.0)))
                .filter(C::State.eq(ActivityState::Processing.as_str()))
                .exec(&self.db)
                .await?;
        }
        Ok(())
    }

    /// Records a failed attempt. With `retry_at`, the activity goes back to pending for that
    /// time (or, when a newer change is already pending for the artifact, is superseded by it);
    /// without, it stays failed until a person retries or ignores it.
    pub async fn fail_activity(
        &self,
        activity: &Activity,
        code: ErrorCode,
        message: &str,
        retry_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<(), StoreError> {
        let attempts = i32::try_from(activity.attempts + 1).unwrap_or(i32::MAX);
        let base = Entity::update_many()
            .col_expr(C::Attempts, Expr::value(attempts))
            .col_expr(C::ErrorCode, Expr::value(code.to_string()))
            .col_expr(C::ErrorMessage, Expr::value(message.to_owned()))
            .col_expr(C::LeaseOwner, Expr::value(None::<String>))
            .col_expr(C::LeaseExpiresAt, Expr::value(None::<i64>))
            .col_expr(C::UpdatedAt, Expr::value(now_ms()))
            .filter(C::Id.eq(activity.id.0))
            .filter(C::State.eq(ActivityState::Processing.as_str()));
        let Some(at) = retry_at else {
            base.col_expr(C::State, Expr::value(ActivityState::Failed.as_str()))
                .exec(&self.db)
                .await?;
            return Ok(());
        };
        let retry = base
            .clone()
            .col_expr(C::State, Expr::value(ActivityState::Pending.as_str()))
            .col_expr(
                C::PendingKey,
                Expr::value(pending_key(activity.integration, &activity.artifact)),
            )
            .col_expr(C::NextAttemptAt, Expr::value(crate::time::to_ms(at)))
            .exec(&self.db)
            .await;
        match retry {
            Ok(_) => Ok(()),
            Err(e) if StoreError::is_unique_violation(&e) => {
                // A newer change is already pending: it will carry this one's work too.
                base.col_expr(C::State, Expr::value(ActivityState::Completed.as_str()))
                    .exec(&self.db)
                    .await?;
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Returns activities whose worker died (lease expired) to pending. Returns how many.
    pub async fn recover_expired_leases(&self) -> Result<usize, StoreError> {
        let expired = Entity::find()
            .filter(C::State.eq(ActivityState::Processing.as_str()))
            .filter(C::LeaseExpiresAt.lt(now_ms()))
            .all(&self.db)
            .await?;
        let count = expired.len();
        for row in expired {
            let activity = crate::ops::activity_of(row)?;
            let message = "the worker processing it stopped; retried";
            self.fail_activity(
                &activity,
                ErrorCode::error(1),
                message,
                Some(chrono::Utc::now()),
            )
            .await?;
        }
        Ok(count)
    }

    /// Keeps at most `keep` completed activities, deleting the oldest. Returns how many went.
    pub async fn prune_completed(&self, keep: u64) -> Result<u64, StoreError> {
        let cutoff: Option<i64> = Entity::find()
            .select_only()
            .column(C::Id)
            .filter(C::State.eq(ActivityState::Completed.as_str()))
            .order_by_desc(C::Id)
            .offset(keep)
            .limit(1)
            .into_tuple()
            .one(&self.db)
            .await?;
        let Some(cutoff) = cutoff else { return Ok(0) };
        let result = Entity::delete_many()
            .filter(C::State.eq(ActivityState::Completed.as_str()))
            .filter(C::Id.lte(cutoff))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }

    /// Activities of one integration in a state (newest first), for the API and tests.
    pub async fn integration_activities(
        &self,
        integration: IntegrationId,
        state: ActivityState,
        limit: u64,
    ) -> Result<Vec<Activity>, StoreError> {
        let rows = Entity::find()
            .filter(C::IntegrationId.eq(integration.0))
            .filter(C::State.eq(state.as_str()))
            .order_by_desc(C::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        rows.into_iter().map(crate::ops::activity_of).collect()
    }
}

/// What an administrator can do with an activity on the Activity screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityAction {
    /// Process a pending (or retrying) activity before the others, now.
    Prioritize,
    /// Remove a pending or failed activity; the next change of the artifact queues a new one.
    Cancel,
    /// Park a pending or failed activity among the ignored ones.
    Ignore,
    /// Queue a failed or ignored activity again, now.
    Retry,
}

impl Store {
    /// Applies an administrator's action; refuses actions the activity's state does not allow.
    pub async fn act_on_activity(
        &self,
        id: ActivityId,
        action: ActivityAction,
    ) -> Result<Activity, StoreError> {
        let activity = self.activity(id).await?;
        let refused = || {
            StoreError::Invalid(hub_domain::DomainError::IllegalTransition {
                object: "activity",
                from: activity.state.as_str().into(),
                to: format!("{action:?}").to_lowercase(),
            })
        };
        let now = now_ms();
        let guarded = Entity::update_many()
            .filter(C::Id.eq(id.0))
            .filter(C::State.eq(activity.state.as_str()))
            .col_expr(C::UpdatedAt, Expr::value(now));
        match (action, activity.state) {
            (ActivityAction::Prioritize, ActivityState::Pending) => {
                guarded
                    .col_expr(
                        C::Priority,
                        Expr::value(activity.priority.saturating_add(100)),
                    )
                    .col_expr(C::NextAttemptAt, Expr::value(now))
                    .exec(&self.db)
                    .await?;
            }
            (ActivityAction::Cancel, ActivityState::Pending | ActivityState::Failed) => {
                Entity::delete_many()
                    .filter(C::Id.eq(id.0))
                    .filter(C::State.eq(activity.state.as_str()))
                    .exec(&self.db)
                    .await?;
                return Ok(activity);
            }
            (ActivityAction::Ignore, ActivityState::Pending | ActivityState::Failed) => {
                guarded
                    .col_expr(C::State, Expr::value(ActivityState::Ignored.as_str()))
                    .col_expr(C::PendingKey, Expr::value(None::<String>))
                    .exec(&self.db)
                    .await?;
            }
            (ActivityAction::Retry, ActivityState::Failed | ActivityState::Ignored) => {
                let key = pending_key(activity.integration, &activity.artifact);
                let result = guarded
                    .col_expr(C::State, Expr::value(ActivityState::Pending.as_str()))
                    .col_expr(C::PendingKey, Expr::value(key))
                    .col_expr(C::NextAttemptAt, Expr::value(now))
                    .exec(&self.db)
                    .await;
                match result {
                    Ok(_) => {}
                    // A newer change of the artifact is already queued: it does the work.
                    Err(e) if StoreError::is_unique_violation(&e) => {
                        Entity::delete_many()
                            .filter(C::Id.eq(id.0))
                            .exec(&self.db)
                            .await?;
                        return Ok(activity);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            _ => return Err(refused()),
        }
        self.activity(id).await
    }

    /// Activities, newest first, filtered by state and integration, for the Activity screen.
    pub async fn list_activities(
        &self,
        state: Option<ActivityState>,
        integration: Option<IntegrationId>,
        limit: u64,
    ) -> Result<Vec<Activity>, StoreError> {
        let mut query = Entity::find();
        if let Some(state) = state {
            query = query.filter(C::State.eq(state.as_str()));
        }
        if let Some(integration) = integration {
            query = query.filter(C::IntegrationId.eq(integration.0));
        }
        let rows = query
            .order_by_desc(C::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        rows.into_iter().map(crate::ops::activity_of).collect()
    }
}

impl Store {
    /// Pending activities of an integration that are due now: the backlog its workers have
    /// yet to take (activities waiting for a retry do not count).
    pub async fn due_backlog(&self, integration: IntegrationId) -> Result<u64, StoreError> {
        use sea_orm::PaginatorTrait;
        Ok(Entity::find()
            .filter(C::IntegrationId.eq(integration.0))
            .filter(C::State.eq(ActivityState::Pending.as_str()))
            .filter(C::NextAttemptAt.lte(now_ms()))
            .count(&self.db)
            .await?)
    }

    /// Number of activities of an integration in each state.
    pub async fn activity_counts(
        &self,
        integration: IntegrationId,
    ) -> Result<Vec<(ActivityState, u64)>, StoreError> {
        use sea_orm::PaginatorTrait;
        let mut out = Vec::with_capacity(ActivityState::ALL.len());
        for state in ActivityState::ALL {
            let n = Entity::find()
                .filter(C::IntegrationId.eq(integration.0))
                .filter(C::State.eq(state.as_str()))
                .count(&self.db)
                .await?;
            out.push((state, n));
        }
        Ok(out)
    }
}

impl Store {
    /// Returns every processing activity to pending, whoever leased it. Only for a process that
    /// holds the store's instance lock: no other worker can be running, so those leases belong
    /// to a process that died.
    pub async fn release_all_leases(&self) -> Result<usize, StoreError> {
        let leased = Entity::find()
            .filter(C::State.eq(ActivityState::Processing.as_str()))
            .all(&self.db)
            .await?;
        let count = leased.len();
        for row in leased {
            let activity = crate::ops::activity_of(row)?;
            let message = "the hub stopped while processing it; retried";
            self.fail_activity(
                &activity,
                ErrorCode::error(1),
                message,
                Some(chrono::Utc::now()),
            )
            .await?;
        }
        Ok(count)
    }
}
