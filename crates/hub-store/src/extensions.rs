//! Extensions as saved: the administrator's script, its kind and description, by unique name.
//!
//! The store neither parses nor runs scripts and takes the kind as the extension host names it
//! (`data_transformation`, …): checking a script is the host's job and happens before it is
//! saved (see `hub_extensions::library`). Saving is an upsert by name, so re-saving an
//! extension replaces its script and keeps its identity for the integrations that use it.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

use crate::connect::Store;
use crate::error::StoreError;
use crate::time::{from_ms, now_ms};

/// Kind names as configuration files and the store spell them; the extension host maps each
/// to its kind.
pub const STATE_TRANSITION: &str = "state_transition";
/// See [`STATE_TRANSITION`].
pub const PAYLOAD_TRANSFORMATION: &str = "payload_transformation";
/// See [`STATE_TRANSITION`].
pub const DATA_TRANSFORMATION: &str = "data_transformation";
/// See [`STATE_TRANSITION`].
pub const PERSON_RECONCILIATION: &str = "person_reconciliation";

pub(crate) mod row {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "extensions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        pub kind: String,
        #[sea_orm(column_type = "Text")]
        pub source: String,
        #[sea_orm(column_type = "Text", nullable)]
        pub description: Option<String>,
        pub created_at: i64,
        pub updated_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// An extension to save.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewExtension {
    /// Unique name; integrations and mappings refer to the extension by it.
    pub name: String,
    /// Kind as the extension host names it (`state_transition`, `data_transformation`, …).
    pub kind: String,
    /// The script as written.
    pub source: String,
    /// What it is for, in the administrator's words.
    pub description: Option<String>,
}

/// A saved extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionRecord {
    /// Id.
    pub id: i64,
    /// Name, kind, script and description as saved.
    #[serde(flatten)]
    pub extension: NewExtension,
    /// First saved.
    pub created_at: DateTime<Utc>,
    /// Last saved.
    pub updated_at: DateTime<Utc>,
}

pub(crate) fn record(row: row::Model) -> ExtensionRecord {
    ExtensionRecord {
        id: row.id,
        extension: NewExtension {
            name: row.name,
            kind: row.kind,
            source: row.source,
            description: row.description,
        },
        created_at: from_ms(row.created_at),
        updated_at: from_ms(row.updated_at),
    }
}

fn check(extension: &NewExtension) -> Result<(), StoreError> {
    let problem = if extension.name.trim().is_empty() || extension.name.chars().count() > 255 {
        Some(("name", "must be 1 to 255 characters"))
    } else if extension.kind.is_empty() || extension.kind.len() > 64 {
        Some(("kind", "must be 1 to 64 characters"))
    } else if extension.source.trim().is_empty() {
        Some(("source", "must not be empty"))
    } else {
        None
    };
    match problem {
        Some((field, rule)) => {
            Err(hub_domain::DomainError::invalid("extension", &extension.name, field, rule).into())
        }
        None => Ok(()),
    }
}

/// Inserts or replaces the extension named `extension.name`; returns its id.
pub(crate) async fn save<C: ConnectionTrait>(
    db: &C,
    extension: &NewExtension,
) -> Result<i64, StoreError> {
    check(extension)?;
    let now = now_ms();
    let existing = row::Entity::find()
        .filter(row::Column::Name.eq(extension.name.clone()))
        .one(db)
        .await?;
    let model = row::ActiveModel {
        id: existing.as_ref().map_or(NotSet, |r| Set(r.id)),
        name: Set(extension.name.clone()),
        kind: Set(extension.kind.clone()),
        source: Set(extension.source.clone()),
        description: Set(extension.description.clone()),
        created_at: Set(existing.as_ref().map_or(now, |r| r.created_at)),
        updated_at: Set(now),
    };
    match existing {
        Some(row) => {
            row::Entity::update(model).exec(db).await?;
            Ok(row.id)
        }
        None => match row::Entity::insert(model).exec(db).await {
            Ok(done) => Ok(done.last_insert_id),
            Err(e) if StoreError::is_unique_violation(&e) => Err(StoreError::Duplicate {
                object: "extension",
                name: extension.name.clone(),
            }),
            Err(e) => Err(e.into()),
        },
    }
}

/// Deletes the extension named `name`; false when there was none.
pub(crate) async fn delete<C: ConnectionTrait>(db: &C, name: &str) -> Result<bool, StoreError> {
    let done = row::Entity::delete_many()
        .filter(row::Column::Name.eq(name))
        .exec(db)
        .await?;
    Ok(done.rows_affected > 0)
}

pub(crate) async fn all<C: ConnectionTrait>(db: &C) -> Result<Vec<ExtensionRecord>, StoreError> {
    let rows = row::Entity::find()
        .order_by_asc(row::Column::Name)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(record).collect())
}

impl Store {
    /// Every saved extension, by name.
    pub async fn extensions(&self) -> Result<Vec<ExtensionRecord>, StoreError> {
        all(&self.db).await
    }

    /// The extension named `name`.
    pub async fn extension(&self, name: &str) -> Result<Option<ExtensionRecord>, StoreError> {
        let row = row::Entity::find()
            .filter(row::Column::Name.eq(name))
            .one(&self.db)
            .await?;
        Ok(row.map(record))
    }

    /// Saves an extension (replacing the one of the same name); the caller has checked the
    /// script. Returns the record as stored.
    pub async fn save_extension(
        &self,
        extension: &NewExtension,
    ) -> Result<ExtensionRecord, StoreError> {
        let id = save(&self.db, extension).await?;
        row::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .map(record)
            .ok_or_else(|| StoreError::NotFound {
                object: "extension",
                key: extension.name.clone(),
            })
    }

    /// Deletes the extension named `name`.
    pub async fn delete_extension(&self, name: &str) -> Result<(), StoreError> {
        if delete(&self.db, name).await? {
            Ok(())
        } else {
            Err(StoreError::NotFound {
                object: "extension",
                key: name.to_owned(),
            })
        }
    }
}
