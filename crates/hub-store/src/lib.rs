//! Syncline's store: where configuration and operational state live.
//!
//! The store speaks domain types (`hub_domain`) at its boundary and sea-orm inside; no entity
//! type leaves the crate, so the schema can change without touching the engine or the API. The
//! embedded default is a SQLite file in WAL mode in the data directory; PostgreSQL and
//! MySQL/MariaDB are selected by URL. Every query is written once and runs on all three.
//!
//! Map of the crate:
//! - [`Store`]: opening, migrating (with a SQLite backup first), pinging.
//! - [`config`]: repositories, models, collections, mappings, integrations.
//! - [`ops`]: artifact pairs, activities, blockers, background jobs.
//! - [`queue`], [`sync_state`]: the engine's activity queue, watermarks, intents, snapshots.
//! - [`lock`]: the single-instance lock.
//! - [`settings`]: hub-wide settings as JSON values.
//! - [`extensions`], [`kv`]: extension scripts and key-value stores as saved.

mod connect;
mod entity;
mod error;
mod migrate;
mod time;

pub mod config;
pub mod containers;
pub mod document;
pub mod extensions;
pub mod jobs;
pub mod kv;
pub mod lock;
pub mod ops;
pub mod queue;
pub mod settings;
pub mod sync_state;

pub use connect::{Backend, Store, sqlite_url_for};
pub use error::StoreError;
pub use migrate::{MigrationReport, MigrationStatus};
