//! Key-value stores: lookup tables and secrets that extensions read by name.
//!
//! [`KeyValueStores`] is the administration side (create, list, edit, delete, import from CSV
//! or JSON), persisting through `hub-store` and sealing confidential values with [`Sealer`]
//! before they reach the database. After each change it refreshes the [`KvCache`] that scripts
//! read through `store.retrieveValue` and `store.retrievePairs`.

mod cache;
mod crypto;
mod import;
mod key_file;

use std::sync::Arc;

use hub_store::Store;
use hub_store::kv::{KvPair, KvStoreRecord};
use serde::{Deserialize, Serialize};

pub use cache::{KeyValueReader, KvCache, RevealedValue};
pub use crypto::{KeyProvider, Sealer, StaticKey};
pub use import::{parse_csv, parse_json};
pub use key_file::key_file;

use crate::error::ExtensionError;
use cache::CachedStore;

/// Most pairs one store may hold.
pub const MAX_PAIRS: usize = 3000;

/// How a store keeps its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreKind {
    /// Values in plain text.
    Plain,
    /// Values encrypted; scripts read them one key at a time.
    Confidential,
}

/// Format of an import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportFormat {
    /// A JSON object of keys and string values.
    Json,
    /// Rows of key and value.
    Csv,
}

/// Administration of key-value stores.
#[derive(Clone)]
pub struct KeyValueStores {
    store: Store,
    sealer: Arc<Sealer>,
    cache: Arc<KvCache>,
}

impl KeyValueStores {
    /// Loads every store into a fresh cache.
    pub async fn open(store: Store, key: Box<dyn KeyProvider>) -> Result<Self, ExtensionError> {
        let sealer = Arc::new(Sealer::new(key));
        let cache = Arc::new(KvCache::new(sealer.clone()));
        let stores = Self {
            store,
            sealer,
            cache,
        };
        for record in stores.store.kv_stores().await? {
            stores.refresh(&record).await?;
        }
        Ok(stores)
    }

    /// What scripts read; hand it to the extension host.
    pub fn reader(&self) -> Arc<KvCache> {
        self.cache.clone()
    }

    async fn refresh(&self, record: &KvStoreRecord) -> Result<(), ExtensionError> {
        let pairs = self.store.kv_pairs(record.id).await?;
        self.cache.put(
            &record.name,
            CachedStore {
                confidential: record.confidential,
                pairs: pairs.into_iter().map(|p| (p.key, p.value)).collect(),
            },
        );
        Ok(())
    }

    async fn record(&self, name: &str) -> Result<KvStoreRecord, ExtensionError> {
        self.store
            .kv_store(name)
            .await?
            .ok_or_else(|| ExtensionError::StoreNotFound {
                store: name.to_owned(),
            })
    }

    /// Creates an empty store.
    pub async fn create(
        &self,
        name: &str,
        kind: StoreKind,
    ) -> Result<KvStoreRecord, ExtensionError> {
        let record = self
            .store
            .create_kv_store(name, kind == StoreKind::Confidential)
            .await?;
        self.refresh(&record).await?;
        Ok(record)
    }

    /// Every store.
    pub async fn list(&self) -> Result<Vec<KvStoreRecord>, ExtensionError> {
        Ok(self.store.kv_stores().await?)
    }

    /// Deletes a store and its pairs.
    pub async fn delete(&self, name: &str) -> Result<(), ExtensionError> {
        let record = self.record(name).await?;
        self.store.delete_kv_store(record.id).await?;
        self.cache.remove(name);
        Ok(())
    }

    /// The pairs of a store. Confidential values are shown as `None` unless `reveal` is set.
    pub async fn pairs(
        &self,
        name: &str,
        reveal: bool,
    ) -> Result<Vec<(String, Option<String>)>, ExtensionError> {
        let record = self.record(name).await?;
        let pairs = self.store.kv_pairs(record.id).await?;
        pairs
            .into_iter()
            .map(|p| match (record.confidential, reveal) {
                (false, _) => Ok((p.key, Some(p.value))),
                (true, false) => Ok((p.key, None)),
                (true, true) => {
                    let value = self.sealer.open(name, &p.key, &p.value)?;
                    Ok((p.key, Some(value)))
                }
            })
            .collect()
    }

    /// Adds or replaces pairs, all or none; returns how many pairs the store then holds.
    pub async fn put(&self, name: &str, pairs: Vec<KvPair>) -> Result<usize, ExtensionError> {
        let record = self.record(name).await?;
        let pairs = if record.confidential {
            pairs
                .into_iter()
                .map(|p| {
                    let value = self.sealer.seal(name, &p.key, &p.value)?;
                    Ok(KvPair { key: p.key, value })
                })
                .collect::<Result<Vec<_>, ExtensionError>>()?
        } else {
            pairs
        };
        let existing = self.store.kv_pairs(record.id).await?;
        let added = pairs
            .iter()
            .filter(|p| !existing.iter().any(|e| e.key == p.key))
            .count();
        if existing.len() + added > MAX_PAIRS {
            return Err(ExtensionError::TooManyPairs {
                store: name.to_owned(),
                count: existing.len() + added,
                limit: MAX_PAIRS,
            });
        }
        let total = self
            .store
            .put_kv_pairs(record.id, &pairs, MAX_PAIRS)
            .await?;
        self.refresh(&record).await?;
        Ok(total)
    }

    /// Sets one pair.
    pub async fn set(&self, name: &str, key: &str, value: &str) -> Result<(), ExtensionError> {
        let pair = KvPair {
            key: key.to_owned(),
            value: value.to_owned(),
        };
        self.put(name, vec![pair]).await.map(drop)
    }

    /// Removes one pair; false when the key was not there.
    pub async fn remove(&self, name: &str, key: &str) -> Result<bool, ExtensionError> {
        let record = self.record(name).await?;
        let removed = self.store.delete_kv_pair(record.id, key).await?;
        self.refresh(&record).await?;
        Ok(removed)
    }

    /// Imports a file: every pair or, when any row is bad, none.
    pub async fn import(
        &self,
        name: &str,
        format: ImportFormat,
        data: &[u8],
    ) -> Result<usize, ExtensionError> {
        let pairs = match format {
            ImportFormat::Json => parse_json(name, data)?,
            ImportFormat::Csv => parse_csv(name, data)?,
        };
        self.put(name, pairs).await
    }
}
