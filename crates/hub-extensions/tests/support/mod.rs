//! Shared helpers of the extension host's integration tests: a host with an in-memory log,
//! fixtures read from `fixtures/extensions/`, and small calls.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use hub_extensions::kv::{KeyValueReader, KvCache, Sealer, StaticKey};
use hub_extensions::{
    CallContext, CallTags, Extension, ExtensionHost, ExtensionKind, FieldRef, HostConfig, LogQuery,
    MemoryLog, SandboxLimits, TransformCall,
};
use serde_json::Value;

/// The text of `fixtures/extensions/<file>`.
pub fn fixture(file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/extensions")
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A host and its log.
pub struct TestHost {
    pub host: ExtensionHost,
    pub log: Arc<MemoryLog>,
}

impl TestHost {
    /// Default limits, no key-value stores.
    pub fn new() -> Self {
        Self::with_limits(SandboxLimits::default())
    }

    pub fn with_limits(limits: SandboxLimits) -> Self {
        let sealer = Arc::new(Sealer::new(Box::new(StaticKey::random().unwrap())));
        Self::with(limits, Arc::new(KvCache::new(sealer)))
    }

    pub fn with(limits: SandboxLimits, kv: Arc<dyn KeyValueReader>) -> Self {
        let log = Arc::new(MemoryLog::new(1000));
        let config = HostConfig {
            workers: 2,
            limits,
            ..HostConfig::default()
        };
        let host = ExtensionHost::new(config, log.clone(), kv).unwrap();
        Self { host, log }
    }

    /// Loads fixture `file` as extension `file` of `kind`.
    pub fn load(&self, file: &str, kind: ExtensionKind) -> &Self {
        self.host
            .load(&Extension {
                name: file.to_owned(),
                kind,
                source: fixture(file),
            })
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        self
    }

    /// Loads `source` as extension `name`.
    pub fn load_source(&self, name: &str, kind: ExtensionKind, source: &str) {
        self.host
            .load(&Extension {
                name: name.to_owned(),
                kind,
                source: source.to_owned(),
            })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }

    /// Log lines of extension `name`.
    pub fn log_of(&self, name: &str) -> Vec<String> {
        self.log
            .query(&LogQuery {
                extension: Some(name.to_owned()),
                ..LogQuery::default()
            })
            .into_iter()
            .map(|e| e.message)
            .collect()
    }
}

/// A context with one source and one target field.
pub fn context(source: Value, target_field: &str) -> CallContext {
    CallContext {
        source_artifact: source,
        target_artifact: Value::Object(Default::default()),
        source_fields: vec![FieldRef {
            id: "summary".into(),
            label: "Summary".into(),
            options: vec![],
        }],
        target_fields: vec![FieldRef {
            id: target_field.into(),
            label: target_field.into(),
            options: vec![],
        }],
        ..CallContext::default()
    }
}

/// A transform call with `input`, tagged for artifact `P-1`.
pub fn transform_call(context: CallContext, input: Value) -> TransformCall {
    TransformCall {
        context,
        input,
        tags: CallTags {
            integration: Some("Defects".into()),
            artifact: Some("P-1".into()),
        },
    }
}
