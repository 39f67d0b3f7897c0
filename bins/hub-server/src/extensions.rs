//! Starting the extension host for the hub: its log in the data directory, key-value stores
//! sealed under the key file beside it, and every saved extension loaded.
//!
//! Only wiring lives here; what an extension is and how it is checked belongs to
//! `hub_extensions`. A saved extension that no longer passes its checks does not stop the hub:
//! it is logged with its code, and the artifacts that use it fail with that code.

use std::sync::Arc;

use hub_extensions::kv::{KeyValueStores, key_file};
use hub_extensions::log::FileLog;
use hub_extensions::{ExtensionHost, HostConfig, LogSinks, MemoryLog, library};
use hub_store::Store;

use crate::error::ServerError;
use crate::settings::Settings;

/// Entries of the extension log kept in memory for the API.
const LOG_VIEW_ENTRIES: usize = 10_000;
/// The key confidential key-value values are sealed with, in the data directory.
const KEY_FILE: &str = "secret.key";

/// The started host and the in-memory view of its log.
pub struct Extensions {
    /// Runs the scripts.
    pub host: ExtensionHost,
    /// The newest log entries, for the API.
    pub log: Arc<MemoryLog>,
}

/// Starts the host and loads every saved extension.
pub async fn start(store: &Store, settings: &Settings) -> Result<Extensions, ServerError> {
    let file = FileLog::in_data_dir(&settings.data_dir).map_err(|e| ServerError::DataDir {
        path: settings.data_dir.display().to_string(),
        reason: e.to_string(),
    })?;
    let sinks = LogSinks {
        memory: Arc::new(MemoryLog::new(LOG_VIEW_ENTRIES)),
        file: Some(Arc::new(file)),
    };
    let key = key_file(&settings.data_dir.join(KEY_FILE)).map_err(ServerError::Extensions)?;
    let stores = KeyValueStores::open(store.clone(), Box::new(key))
        .await
        .map_err(ServerError::Extensions)?;
    let host = ExtensionHost::new(
        HostConfig::default(),
        Arc::new(sinks.clone()),
        stores.reader(),
    )
    .map_err(ServerError::Extensions)?;
    let report = library::load_saved(&host, store)
        .await
        .map_err(ServerError::Extensions)?;
    for (name, error) in &report.refused {
        tracing::error!(extension = %name, code = %error.code(), %error, "extension not loaded; artifacts that use it fail until it is fixed");
    }
    tracing::info!(
        loaded = report.loaded.len(),
        refused = report.refused.len(),
        "extensions loaded"
    );
    Ok(Extensions {
        host,
        log: sinks.memory,
    })
}
