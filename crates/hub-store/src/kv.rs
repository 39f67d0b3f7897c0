//! Key-value stores that extensions read, and their pairs.
//!
//! The store keeps names, flags and pairs; it neither encrypts nor parses: values of
//! confidential stores arrive already sealed by the extension host. Keys are case-sensitive on
//! every backend, so uniqueness is checked here on exact bytes rather than by an index (MySQL
//! compares case-insensitively). A batch of pairs is written in one transaction and refused as
//! a whole when it would push the store over its pair limit.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};

use crate::connect::Store;
use crate::error::StoreError;
use crate::time::{from_ms, now_ms};

mod stores {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "kv_stores")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        pub confidential: bool,
        pub created_at: i64,
        pub updated_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

mod pairs {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "kv_pairs")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub store_id: i64,
        pub pair_key: String,
        pub pair_value: String,
        pub updated_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A key-value store without its pairs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvStoreRecord {
    /// Id.
    pub id: i64,
    /// Unique name scripts use.
    pub name: String,
    /// Values are encrypted and only given out one key at a time.
    pub confidential: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change of the store or a pair.
    pub updated_at: DateTime<Utc>,
}

/// One pair as stored (sealed when the store is confidential).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvPair {
    /// Case-sensitive key.
    pub key: String,
    /// Value.
    pub value: String,
}

fn record(row: stores::Model) -> KvStoreRecord {
    KvStoreRecord {
        id: row.id,
        name: row.name,
        confidential: row.confidential,
        created_at: from_ms(row.created_at),
        updated_at: from_ms(row.updated_at),
    }
}

fn not_found(key: impl ToString) -> StoreError {
    StoreError::NotFound {
        object: "key-value store",
        key: key.to_string(),
    }
}

async fn rows<C: ConnectionTrait>(db: &C, store_id: i64) -> Result<Vec<pairs::Model>, StoreError> {
    Ok(pairs::Entity::find()
        .filter(pairs::Column::StoreId.eq(store_id))
        .order_by_asc(pairs::Column::Id)
        .all(db)
        .await?)
}

/// Marks the store changed; fails when it does not exist. (Existence is read first: MySQL
/// counts only rows whose values changed as affected.)
async fn touch<C: ConnectionTrait>(db: &C, store_id: i64, now: i64) -> Result<(), StoreError> {
    if stores::Entity::find_by_id(store_id)
        .one(db)
        .await?
        .is_none()
    {
        return Err(not_found(store_id));
    }
    stores::Entity::update_many()
        .col_expr(
            stores::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(stores::Column::Id.eq(store_id))
        .exec(db)
        .await?;
    Ok(())
}

impl Store {
    /// Creates an empty store; names are unique.
    pub async fn create_kv_store(
        &self,
        name: &str,
        confidential: bool,
    ) -> Result<KvStoreRecord, StoreError> {
        if name.trim().is_empty() || name.chars().count() > 255 {
            return Err(hub_domain::DomainError::invalid(
                "key-value store",
                name,
                "name",
                "must be 1 to 255 characters",
            )
            .into());
        }
        let now = now_ms();
        let row = stores::ActiveModel {
            id: NotSet,
            name: Set(name.to_owned()),
            confidential: Set(confidential),
            created_at: Set(now),
            updated_at: Set(now),
        };
        let inserted = stores::Entity::insert(row).exec(&self.db).await;
        let id = match inserted {
            Ok(res) => res.last_insert_id,
            Err(e) if StoreError::is_unique_violation(&e) => {
                return Err(StoreError::Duplicate {
                    object: "key-value store",
                    name: name.to_owned(),
                });
            }
            Err(e) => return Err(e.into()),
        };
        self.kv_store_by_id(id).await
    }

    async fn kv_store_by_id(&self, id: i64) -> Result<KvStoreRecord, StoreError> {
        stores::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .map(record)
            .ok_or_else(|| not_found(id))
    }

    /// Every store, by name.
    pub async fn kv_stores(&self) -> Result<Vec<KvStoreRecord>, StoreError> {
        let rows = stores::Entity::find()
            .order_by_asc(stores::Column::Name)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(record).collect())
    }

    /// The store named exactly `name`.
    pub async fn kv_store(&self, name: &str) -> Result<Option<KvStoreRecord>, StoreError> {
        let rows = stores::Entity::find()
            .filter(stores::Column::Name.eq(name))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().find(|r| r.name == name).map(record))
    }

    /// Deletes a store and its pairs.
    pub async fn delete_kv_store(&self, id: i64) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        pairs::Entity::delete_many()
            .filter(pairs::Column::StoreId.eq(id))
            .exec(&txn)
            .await?;
        let res = stores::Entity::delete_by_id(id).exec(&txn).await?;
        if res.rows_affected == 0 {
            return Err(not_found(id));
        }
        txn.commit().await?;
        Ok(())
    }

    /// The pairs of a store, in the order they were first written.
    pub async fn kv_pairs(&self, store_id: i64) -> Result<Vec<KvPair>, StoreError> {
        Ok(rows(&self.db, store_id)
            .await?
            .into_iter()
            .map(|r| KvPair {
                key: r.pair_key,
                value: r.pair_value,
            })
            .collect())
    }

    /// Adds or replaces `batch` in one transaction. Refused, writing nothing, when a key
    /// repeats within the batch or the store would then hold more than `max_pairs` pairs.
    /// Returns the number of pairs the store holds afterwards.
    pub async fn put_kv_pairs(
        &self,
        store_id: i64,
        batch: &[KvPair],
        max_pairs: usize,
    ) -> Result<usize, StoreError> {
        let txn = self.db.begin().await?;
        let now = now_ms();
        touch(&txn, store_id, now).await?;
        let existing = rows(&txn, store_id).await?;
        let mut seen = std::collections::HashSet::new();
        let mut added = 0;
        for pair in batch {
            if !seen.insert(pair.key.as_str()) {
                return Err(invalid_pairs(
                    store_id,
                    format!("key '{}' repeats", pair.key),
                ));
            }
            match existing.iter().find(|r| r.pair_key == pair.key) {
                Some(row) => {
                    pairs::Entity::update_many()
                        .col_expr(
                            pairs::Column::PairValue,
                            sea_orm::sea_query::Expr::value(pair.value.clone()),
                        )
                        .col_expr(
                            pairs::Column::UpdatedAt,
                            sea_orm::sea_query::Expr::value(now),
                        )
                        .filter(pairs::Column::Id.eq(row.id))
                        .exec(&txn)
                        .await?;
                }
                None => {
                    added += 1;
                    pairs::Entity::insert(pairs::ActiveModel {
                        id: NotSet,
                        store_id: Set(store_id),
                        pair_key: Set(pair.key.clone()),
                        pair_value: Set(pair.value.clone()),
                        updated_at: Set(now),
                    })
                    .exec(&txn)
                    .await?;
                }
            }
        }
        let total = existing.len() + added;
        if total > max_pairs {
            return Err(invalid_pairs(
                store_id,
                format!("it would hold {total} pairs; at most {max_pairs} are allowed"),
            ));
        }
        txn.commit().await?;
        Ok(total)
    }

    /// Removes the pair with exactly this key; false when there was none.
    pub async fn delete_kv_pair(&self, store_id: i64, key: &str) -> Result<bool, StoreError> {
        let txn = self.db.begin().await?;
        let Some(row) = rows(&txn, store_id)
            .await?
            .into_iter()
            .find(|r| r.pair_key == key)
        else {
            return Ok(false);
        };
        pairs::Entity::delete_by_id(row.id).exec(&txn).await?;
        touch(&txn, store_id, now_ms()).await?;
        txn.commit().await?;
        Ok(true)
    }
}

fn invalid_pairs(store_id: i64, reason: String) -> StoreError {
    hub_domain::DomainError::invalid("key-value store", store_id.to_string(), "pairs", reason)
        .into()
}
