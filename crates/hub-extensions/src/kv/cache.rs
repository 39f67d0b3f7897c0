//! The key-value stores as scripts read them: an in-memory copy refreshed after every write, so
//! `store.retrieveValue` never waits for the database on a worker thread. Confidential values
//! stay sealed in the copy and are opened only for the one key a script asks for.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::error::ExtensionError;
use crate::kv::crypto::Sealer;

/// A value handed to a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevealedValue {
    /// The plain text.
    pub text: String,
    /// Whether it came from a confidential store.
    pub confidential: bool,
}

/// One store's pairs as held in memory.
#[derive(Debug, Clone, Default)]
pub(crate) struct CachedStore {
    pub confidential: bool,
    pub pairs: HashMap<String, String>,
}

/// What scripts can read.
pub trait KeyValueReader: Send + Sync {
    /// The value of `key` in `store`.
    fn value(&self, store: &str, key: &str) -> Result<RevealedValue, ExtensionError>;
    /// Every pair of a plain store.
    fn pairs(&self, store: &str) -> Result<Vec<(String, String)>, ExtensionError>;
}

/// The in-memory copy of every store.
pub struct KvCache {
    stores: RwLock<HashMap<String, Arc<CachedStore>>>,
    sealer: Arc<Sealer>,
}

impl KvCache {
    /// An empty copy opening confidential values with `sealer`.
    pub fn new(sealer: Arc<Sealer>) -> Self {
        Self {
            stores: RwLock::new(HashMap::new()),
            sealer,
        }
    }

    pub(crate) fn put(&self, name: &str, store: CachedStore) {
        let mut stores = self.stores.write().unwrap_or_else(|e| e.into_inner());
        stores.insert(name.to_owned(), Arc::new(store));
    }

    pub(crate) fn remove(&self, name: &str) {
        let mut stores = self.stores.write().unwrap_or_else(|e| e.into_inner());
        stores.remove(name);
    }

    fn store(&self, name: &str) -> Result<Arc<CachedStore>, ExtensionError> {
        let stores = self.stores.read().unwrap_or_else(|e| e.into_inner());
        stores
            .get(name)
            .cloned()
            .ok_or_else(|| ExtensionError::StoreNotFound {
                store: name.to_owned(),
            })
    }
}

impl KeyValueReader for KvCache {
    fn value(&self, store: &str, key: &str) -> Result<RevealedValue, ExtensionError> {
        let cached = self.store(store)?;
        let raw = cached
            .pairs
            .get(key)
            .ok_or_else(|| ExtensionError::KeyNotFound {
                store: store.to_owned(),
                key: key.to_owned(),
            })?;
        let text = if cached.confidential {
            self.sealer.open(store, key, raw)?
        } else {
            raw.clone()
        };
        Ok(RevealedValue {
            text,
            confidential: cached.confidential,
        })
    }

    fn pairs(&self, store: &str) -> Result<Vec<(String, String)>, ExtensionError> {
        let cached = self.store(store)?;
        if cached.confidential {
            return Err(ExtensionError::InvalidPairs {
                store: store.to_owned(),
                location: "retrievePairs".into(),
                reason: "a confidential store gives out single values only".into(),
            });
        }
        Ok(cached
            .pairs
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }
}
