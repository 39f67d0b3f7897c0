//! The store's error type; each variant maps to a catalogue code.

use hub_domain::catalogue::hub;
use hub_domain::instance::LockHolder;
use hub_domain::{DomainError, ErrorCode};

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be opened or reached.
    #[error("the store at {database} cannot be reached: {reason}")]
    Unavailable {
        /// The database, password removed.
        database: String,
        /// Why.
        reason: String,
    },
    /// A migration failed.
    #[error("upgrading the store failed: {reason}")]
    Migration {
        /// Why.
        reason: String,
    },
    /// The store was migrated by a newer Syncline.
    #[error("the store has migrations this hub does not know: {}", migrations.join(", "))]
    TooNew {
        /// The unknown migrations.
        migrations: Vec<String>,
    },
    /// An object failed validation; nothing was written.
    #[error(transparent)]
    Invalid(#[from] DomainError),
    /// No such object.
    #[error("{object} {key} does not exist")]
    NotFound {
        /// Kind of object.
        object: &'static str,
        /// Its id or name.
        key: String,
    },
    /// The name is taken.
    #[error("a {object} named '{name}' already exists")]
    Duplicate {
        /// Kind of object.
        object: &'static str,
        /// The name.
        name: String,
    },
    /// Another process holds the instance lock.
    #[error(
        "another hub is using this store: host {}, pid {}, since {}; its lock expires at {}",
        .0.host, .0.pid, .0.since.to_rfc3339(), .0.expires_at.to_rfc3339()
    )]
    LockHeld(LockHolder),
    /// This process lost the instance lock.
    #[error("this hub lost the store's instance lock{}", .0.as_ref().map(|h| format!(" to host {}, pid {}", h.host, h.pid)).unwrap_or_default())]
    LockLost(Option<LockHolder>),
    /// A stored row cannot be read back (hand-edited or written by a broken version).
    #[error("stored {table} row {id} is unreadable: {reason}")]
    Corrupt {
        /// Table.
        table: &'static str,
        /// Row id.
        id: String,
        /// Why.
        reason: String,
    },
    /// Any other database failure.
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
}

impl StoreError {
    /// The catalogue code shown for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            StoreError::Unavailable { .. } => hub::STORE_UNAVAILABLE,
            StoreError::Migration { .. } => hub::STORE_MIGRATION_FAILED,
            StoreError::TooNew { .. } => hub::STORE_TOO_NEW,
            StoreError::Invalid(e) => e.code(),
            StoreError::NotFound { .. } => ErrorCode::error(30001),
            StoreError::Duplicate { .. } => hub::VALIDATION_FAILED,
            StoreError::LockHeld(_) => hub::INSTANCE_LOCK_HELD,
            StoreError::LockLost(_) => hub::INSTANCE_LOCK_LOST,
            StoreError::Corrupt { .. } | StoreError::Database(_) => ErrorCode::error(30000),
        }
    }

    pub(crate) fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
        matches!(
            err.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        )
    }

    pub(crate) fn corrupt(table: &'static str, id: impl ToString, reason: impl ToString) -> Self {
        StoreError::Corrupt {
            table,
            id: id.to_string(),
            reason: reason.to_string(),
        }
    }
}
