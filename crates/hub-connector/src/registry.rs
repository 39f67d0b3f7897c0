//! The explicit list of connector kinds. No global registration magic: a kind is available
//! because [`Registry::builtin`] names it, and embedding programs add their own with
//! [`Registry::register`].

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::connector::{Connector, Result};
use crate::error::{ConnectorError, ErrorClass};
use crate::types::ConnectionSettings;

/// Builds a connector from connection settings.
pub type Build = Arc<dyn Fn(&ConnectionSettings) -> Result<Arc<dyn Connector>> + Send + Sync>;

/// One connector kind.
#[derive(Clone)]
pub struct ConnectorKind {
    /// Registry key: `memory`, `redmine`, …
    pub kind: &'static str,
    /// Name shown to administrators.
    pub display_name: &'static str,
    /// JSON Schema of the kind's `settings` object (the UI renders it as a form).
    pub settings_schema: serde_json::Value,
    /// The constructor.
    pub build: Build,
}

impl std::fmt::Debug for ConnectorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectorKind")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// The connector kinds a hub knows.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    kinds: BTreeMap<&'static str, ConnectorKind>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// The kinds built into Syncline.
    pub fn builtin() -> Self {
        let mut registry = Self::new();
        registry.register(crate::memory::kind());
        registry.register(crate::redmine::kind());
        registry.register(crate::trac::kind());
        registry
    }

    /// Adds (or replaces) a kind.
    pub fn register(&mut self, kind: ConnectorKind) {
        self.kinds.insert(kind.kind, kind);
    }

    /// The kind registered under `kind`.
    pub fn get(&self, kind: &str) -> Option<&ConnectorKind> {
        self.kinds.get(kind)
    }

    /// All kinds, by key.
    pub fn kinds(&self) -> impl Iterator<Item = &ConnectorKind> {
        self.kinds.values()
    }

    /// Builds a connector of `kind`.
    pub fn build(&self, kind: &str, settings: &ConnectionSettings) -> Result<Arc<dyn Connector>> {
        let entry = self.get(kind).ok_or_else(|| {
            ConnectorError::new(
                ErrorClass::Unsupported,
                format!("unknown connector kind '{kind}'"),
            )
        })?;
        (entry.build)(settings)
    }
}
