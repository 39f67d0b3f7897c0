//! The binary's error type: everything that can stop the hub, with its catalogue code, printed
//! once at exit together with the user action.

use hub_domain::ErrorCode;
use hub_domain::catalogue::hub;

use crate::settings::SettingsError;

/// Why the hub stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// Bad settings.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The store failed (includes the instance lock).
    #[error(transparent)]
    Store(#[from] hub_store::StoreError),
    /// The listener could not bind.
    #[error("cannot listen on {address}: {reason}")]
    Listen {
        /// Address.
        address: String,
        /// Why.
        reason: String,
    },
    /// TLS files unusable.
    #[error("the TLS certificate or key cannot be used: {0}")]
    Tls(String),
    /// Logging could not start.
    #[error("logging cannot start: {0}")]
    Logging(String),
    /// The sync engine cannot start.
    #[error("the sync engine cannot start: {0}")]
    Engine(hub_engine::SyncError),
    /// The extension host cannot start.
    #[error("the extension host cannot start: {0}")]
    Extensions(hub_extensions::ExtensionError),
    /// The demo could not be set up.
    #[error("the demo cannot start: {0}")]
    Demo(String),
    /// The data directory cannot be created.
    #[error("the data directory {path} cannot be created: {reason}")]
    DataDir {
        /// Path.
        path: String,
        /// Why.
        reason: String,
    },
}

impl ServerError {
    /// The catalogue code.
    pub fn code(&self) -> ErrorCode {
        match self {
            ServerError::Settings(e) => e.code(),
            ServerError::Store(e) => e.code(),
            ServerError::Listen { .. } => hub::LISTENER_FAILED,
            ServerError::Tls(_) => hub::TLS_INVALID,
            ServerError::Logging(_) => hub::CONFIG_INVALID_VALUE,
            ServerError::DataDir { .. } => hub::STORE_UNAVAILABLE,
            ServerError::Engine(e) => e.code(),
            ServerError::Extensions(e) => e.code(),
            ServerError::Demo(_) => hub::VALIDATION_FAILED,
        }
    }

    /// The text printed on exit: code, message, and what to do.
    pub fn report(&self) -> String {
        let code = self.code();
        let mut text = format!("error {code}: {self}");
        if let Some(entry) = code.entry() {
            text.push_str("\n  what to do: ");
            text.push_str(entry.user_action);
        }
        if code == hub::INSTANCE_LOCK_HELD {
            text.push_str(
                "\n  if that hub is gone for good: start this one with --override-lock \
                 (or SYNCLINE_OVERRIDE_LOCK=true)",
            );
        }
        text
    }
}
