//! The connector SDK: what every tracker adapter (memory, Redmine, Trac, Jira, …) shares.
//!
//! The engine never talks to a tracker directly; it talks to connectors through this crate. What
//! lives here first is the vocabulary the engine needs to react to a tracker correctly: the
//! classes of failure (each with the catalogue code and the retry behaviour it implies) and the
//! description a connector gives of itself. The connector trait, the registry and the adapters
//! join it as the engine is built.

pub mod error;
pub mod kind;

pub use error::{ConnectorError, ErrorClass};
pub use kind::{Capability, ConnectorDescriptor};
