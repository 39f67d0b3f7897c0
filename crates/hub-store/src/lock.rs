//! The single-instance lock: one hub process per store.
//!
//! The lock is one row with a lease. Its holder renews the lease well before it lapses; a
//! process killed with SIGKILL stops renewing, so after at most one lease the next process takes
//! over. Every change is a compare-and-swap on the row as it was read, so two processes starting
//! at once can never both believe they hold it — on any of the three databases.

use std::time::Duration;

use chrono::Utc;
use hub_domain::instance::LockHolder;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use crate::connect::Store;
use crate::entity::instance_lock::{self, Column, Entity};
use crate::error::StoreError;
use crate::time::{from_ms, to_ms};

const LOCK_ROW: i32 = 1;

/// How a lock request should treat a live holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Takeover {
    /// Only take a free or expired lock.
    IfExpired,
    /// Take it even from a live holder (`--override-lock`).
    Force,
}

fn holder_of(row: instance_lock::Model) -> LockHolder {
    LockHolder {
        instance_id: row.instance_id,
        host: row.host,
        pid: u32::try_from(row.pid).unwrap_or(0),
        since: from_ms(row.since),
        expires_at: from_ms(row.expires_at),
    }
}

impl Store {
    /// The current holder, expired or not.
    pub async fn lock_holder(&self) -> Result<Option<LockHolder>, StoreError> {
        Ok(Entity::find_by_id(LOCK_ROW)
            .one(&self.db)
            .await?
            .map(holder_of))
    }

    /// Takes the lock for `me` with a lease of `lease`, or reports who holds it.
    ///
    /// Returns the previous holder when the lock was taken over from an expired (or, with
    /// [`Takeover::Force`], a live) process.
    pub async fn acquire_lock(
        &self,
        me: &LockHolder,
        lease: Duration,
        takeover: Takeover,
    ) -> Result<Option<LockHolder>, StoreError> {
        for _ in 0..5 {
            let now = Utc::now();
            let expires = to_ms(now) + lease_ms(lease);
            let row = instance_lock::ActiveModel {
                id: Set(LOCK_ROW),
                instance_id: Set(me.instance_id.clone()),
                host: Set(me.host.clone()),
                pid: Set(i64::from(me.pid)),
                since: Set(to_ms(now)),
                expires_at: Set(expires),
            };
            match Entity::insert(row).exec(&self.db).await {
                Ok(_) => return Ok(None),
                Err(e) if StoreError::is_unique_violation(&e) => {}
                Err(e) => return Err(e.into()),
            }
            let Some(current) = Entity::find_by_id(LOCK_ROW).one(&self.db).await? else {
                continue; // released between our insert and read: try again
            };
            let previous = holder_of(current.clone());
            if current.instance_id == me.instance_id {
                self.renew_lock(me, lease).await?;
                return Ok(None);
            }
            if !previous.expired_at(now) && takeover == Takeover::IfExpired {
                return Err(StoreError::LockHeld(previous));
            }
            let swapped = Entity::update_many()
                .col_expr(Column::InstanceId, me.instance_id.clone().into())
                .col_expr(Column::Host, me.host.clone().into())
                .col_expr(Column::Pid, i64::from(me.pid).into())
                .col_expr(Column::Since, to_ms(now).into())
                .col_expr(Column::ExpiresAt, expires.into())
                .filter(Column::Id.eq(LOCK_ROW))
                .filter(Column::InstanceId.eq(current.instance_id))
                .filter(Column::ExpiresAt.eq(current.expires_at))
                .exec(&self.db)
                .await?;
            if swapped.rows_affected == 1 {
                return Ok(Some(previous));
            }
        }
        match self.lock_holder().await? {
            Some(holder) => Err(StoreError::LockHeld(holder)),
            None => Err(StoreError::LockLost(None)),
        }
    }

    /// Extends the lease; fails with [`StoreError::LockLost`] when another process took it.
    pub async fn renew_lock(&self, me: &LockHolder, lease: Duration) -> Result<(), StoreError> {
        let expires = to_ms(Utc::now()) + lease_ms(lease);
        let result = Entity::update_many()
            .col_expr(Column::ExpiresAt, expires.into())
            .filter(Column::Id.eq(LOCK_ROW))
            .filter(Column::InstanceId.eq(me.instance_id.clone()))
            .exec(&self.db)
            .await?;
        if result.rows_affected == 1 {
            return Ok(());
        }
        // MySQL reports 0 affected rows when the value did not change (same millisecond).
        match self.lock_holder().await? {
            Some(h) if h.instance_id == me.instance_id => Ok(()),
            other => Err(StoreError::LockLost(other)),
        }
    }

    /// Gives the lock up (on clean shutdown) if we still hold it.
    pub async fn release_lock(&self, me: &LockHolder) -> Result<(), StoreError> {
        Entity::delete_many()
            .filter(Column::Id.eq(LOCK_ROW))
            .filter(Column::InstanceId.eq(me.instance_id.clone()))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}

fn lease_ms(lease: Duration) -> i64 {
    i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 2)
}
