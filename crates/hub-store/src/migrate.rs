//! Running migrations forward, with a backup of an existing SQLite store first.
//!
//! An upgrade must never cost an administrator their data: before a SQLite store with data is
//! migrated, a consistent copy is written beside it with `VACUUM INTO` (safe while WAL holds
//! un-checkpointed pages, unlike a file copy). A store that already has migrations this binary
//! does not know was written by a newer version and is refused.

use std::path::PathBuf;

use hub_migrations::{Migrate, Migrator};
use sea_orm::{ConnectionTrait, EntityTrait};
use sea_orm_migration::SchemaManager;
use sea_orm_migration::seaql_migrations;

use crate::connect::{Backend, Store};
use crate::error::StoreError;

/// Where the schema stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    /// Applied migrations this binary knows.
    pub applied: Vec<String>,
    /// Migrations this binary would apply.
    pub pending: Vec<String>,
    /// Applied migrations this binary does not know (a newer version ran).
    pub unknown: Vec<String>,
}

impl MigrationStatus {
    /// Whether the schema is exactly what this binary expects.
    pub fn is_current(&self) -> bool {
        self.pending.is_empty() && self.unknown.is_empty()
    }
}

/// What [`Store::migrate`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// Migrations applied now.
    pub applied: Vec<String>,
    /// The backup written first, if any.
    pub backup: Option<PathBuf>,
}

impl Store {
    /// Compares applied migrations with the ones this binary has.
    pub async fn migration_status(&self) -> Result<MigrationStatus, StoreError> {
        let known: Vec<String> = Migrator::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        let manager = SchemaManager::new(&self.db);
        let applied: Vec<String> = if manager.has_table("seaql_migrations").await? {
            seaql_migrations::Entity::find()
                .all(&self.db)
                .await?
                .into_iter()
                .map(|m| m.version)
                .collect()
        } else {
            Vec::new()
        };
        Ok(MigrationStatus {
            pending: known
                .iter()
                .filter(|k| !applied.contains(k))
                .cloned()
                .collect(),
            unknown: applied
                .iter()
                .filter(|a| !known.contains(a))
                .cloned()
                .collect(),
            applied: applied.into_iter().filter(|a| known.contains(a)).collect(),
        })
    }

    /// Brings the schema up to date. Backs up a SQLite store that has data first.
    pub async fn migrate(&self) -> Result<MigrationReport, StoreError> {
        let status = self.migration_status().await?;
        if !status.unknown.is_empty() {
            return Err(StoreError::TooNew {
                migrations: status.unknown,
            });
        }
        if status.pending.is_empty() {
            return Ok(MigrationReport {
                applied: Vec::new(),
                backup: None,
            });
        }
        let backup = if status.applied.is_empty() {
            None
        } else {
            self.backup_sqlite().await?
        };
        Migrator::up(&self.db, None)
            .await
            .map_err(|e| StoreError::Migration {
                reason: e.to_string(),
            })?;
        tracing::info!(applied = ?status.pending, backup = ?backup, "store migrated");
        Ok(MigrationReport {
            applied: status.pending,
            backup,
        })
    }

    /// Writes a consistent copy of a SQLite store beside it; `None` for other stores.
    pub async fn backup_sqlite(&self) -> Result<Option<PathBuf>, StoreError> {
        if self.backend() != Backend::Sqlite {
            return Ok(None);
        }
        let Some(path) = self.sqlite_path() else {
            return Ok(None);
        };
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
        let target = PathBuf::from(format!("{}.backup-{stamp}", path.display()));
        let quoted = target.display().to_string().replace('\'', "''");
        self.db
            .execute_unprepared(&format!("VACUUM INTO '{quoted}'"))
            .await
            .map_err(|e| StoreError::Migration {
                reason: format!("backup before upgrade failed: {e}"),
            })?;
        tracing::info!(backup = %target.display(), "store backed up before upgrade");
        Ok(Some(target))
    }
}
