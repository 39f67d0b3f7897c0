//! Background jobs: long work (full scans, route moves) recorded with its progress so an
//! administrator can watch it, and pruned once enough finished jobs are kept.

use hub_domain::JobId;
use hub_domain::job::{BackgroundJob, JobState};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::connect::Store;
use crate::entity::background_job;
use crate::error::StoreError;
use crate::ops::{as_text, from_text};
use crate::time::{from_ms, now_ms};

impl Store {
    /// Records a new background job.
    pub async fn create_job(
        &self,
        kind: &str,
        description: &str,
        total: Option<u64>,
    ) -> Result<JobId, StoreError> {
        let row = background_job::ActiveModel {
            kind: Set(kind.to_owned()),
            description: Set(description.to_owned()),
            state: Set(as_text(&JobState::Queued)),
            done: Set(0),
            total: Set(total.map(|t| i64::try_from(t).unwrap_or(i64::MAX))),
            ..Default::default()
        };
        Ok(JobId(
            background_job::Entity::insert(row)
                .exec(&self.db)
                .await?
                .last_insert_id,
        ))
    }

    /// Updates a job's state and progress.
    pub async fn update_job(
        &self,
        id: JobId,
        state: JobState,
        done: u64,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let mut row = background_job::ActiveModel {
            id: Set(id.0),
            state: Set(as_text(&state)),
            done: Set(i64::try_from(done).unwrap_or(i64::MAX)),
            error: Set(error.map(str::to_owned)),
            ..Default::default()
        };
        match state {
            JobState::Running => row.started_at = Set(Some(now)),
            JobState::Succeeded | JobState::Failed | JobState::Cancelled => {
                row.finished_at = Set(Some(now))
            }
            JobState::Queued => {}
        }
        background_job::Entity::update(row).exec(&self.db).await?;
        Ok(())
    }

    /// All jobs, newest first.
    pub async fn jobs(&self) -> Result<Vec<BackgroundJob>, StoreError> {
        let rows = background_job::Entity::find()
            .order_by_desc(background_job::Column::Id)
            .all(&self.db)
            .await?;
        rows.into_iter().map(job_of).collect()
    }

    /// One job.
    pub async fn job(&self, id: JobId) -> Result<BackgroundJob, StoreError> {
        let row = background_job::Entity::find_by_id(id.0)
            .one(&self.db)
            .await?;
        let row = row.ok_or_else(|| StoreError::NotFound {
            object: "background job",
            key: id.0.to_string(),
        })?;
        job_of(row)
    }

    /// Records how many units a running job has done.
    pub async fn job_progress(&self, id: JobId, done: u64) -> Result<(), StoreError> {
        background_job::Entity::update_many()
            .col_expr(
                background_job::Column::Done,
                Expr::value(i64::try_from(done).unwrap_or(i64::MAX)),
            )
            .filter(background_job::Column::Id.eq(id.0))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Deletes finished jobs beyond the newest `keep`; returns how many went.
    pub async fn prune_finished_jobs(&self, keep: u64) -> Result<u64, StoreError> {
        let finished = [
            as_text(&JobState::Succeeded),
            as_text(&JobState::Failed),
            as_text(&JobState::Cancelled),
        ];
        let newest_dropped: Option<i64> = background_job::Entity::find()
            .select_only()
            .column(background_job::Column::Id)
            .filter(background_job::Column::State.is_in(finished.clone()))
            .order_by_desc(background_job::Column::Id)
            .offset(keep)
            .into_tuple()
            .one(&self.db)
            .await?;
        let Some(upto) = newest_dropped else {
            return Ok(0);
        };
        let result = background_job::Entity::delete_many()
            .filter(background_job::Column::State.is_in(finished))
            .filter(background_job::Column::Id.lte(upto))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }
}

fn job_of(r: background_job::Model) -> Result<BackgroundJob, StoreError> {
    Ok(BackgroundJob {
        id: Some(JobId(r.id)),
        kind: r.kind,
        description: r.description,
        state: from_text("background_jobs", r.id, &r.state)?,
        done: u64::try_from(r.done).unwrap_or(0),
        total: r.total.and_then(|t| u64::try_from(t).ok()),
        started_at: r.started_at.map(from_ms),
        finished_at: r.finished_at.map(from_ms),
        error: r.error,
    })
}
