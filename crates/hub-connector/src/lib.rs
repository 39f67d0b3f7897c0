//! The connector SDK: what every tracker adapter (memory, Redmine, Trac, Jira, …) shares.
//!
//! The engine never talks to a tracker directly; it talks to a [`Connector`]. This crate owns
//! that trait and the vocabulary around it: the types exchanged ([`types`]), the classes of
//! failure (each with the catalogue code and retry behaviour it implies), the explicit
//! [`Registry`] of kinds with a JSON Schema of each kind's settings, the [`memory`] reference
//! connector, and the [`conformance`] suite every adapter must pass against a live tracker.

pub mod conformance;
pub mod connector;
pub mod error;
pub mod kind;
pub mod markup;
pub mod memory;
pub mod redmine;
pub mod registry;
pub mod trac;
pub mod types;

pub use connector::{Connector, Result};
pub use error::{ConnectorError, ErrorClass};
pub use kind::{Capability, ConnectorDescriptor, VersionResolution};
pub use registry::{ConnectorKind, Registry};
