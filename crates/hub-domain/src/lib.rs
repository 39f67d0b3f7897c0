//! Syncline's domain model: the product's words as plain Rust types.
//!
//! Every other crate speaks these types: the store returns them, connectors and the engine pass
//! them around, the API serializes them. Keeping them free of I/O (no database, no network, no
//! clock reads) means the rules in here — validation, state machines, error codes — can be tested
//! exhaustively and reused by every layer without dragging dependencies along.
//!
//! Map of the crate:
//! - [`catalogue`]: every coded message an administrator can see, with meaning and user action.
//! - [`repository`], [`collection`], [`model`], [`mapping`], [`integration`]: configuration.
//! - [`pair`], [`activity`], [`blocker`], [`job`]: operational state of running integrations.
//! - [`health`], [`instance`]: the hub process itself.
//! - [`error`]: the crate's error type, each variant carrying its catalogue code.

pub mod activity;
pub mod blocker;
pub mod catalogue;
pub mod collection;
pub mod error;
pub mod filter;
pub mod health;
pub mod ids;
pub mod instance;
pub mod integration;
pub mod job;
pub mod mapping;
pub mod model;
pub mod pair;
pub mod repository;

pub use catalogue::{CatalogueEntry, ErrorCode, Severity};
pub use error::{DomainError, Validate};
pub use ids::*;
