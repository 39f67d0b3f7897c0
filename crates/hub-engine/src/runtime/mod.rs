//! The running engine: a change detector per integration, a pool of workers over the durable
//! activity queue, and housekeeping (expired leases, history pruning).
//!
//! [`Engine`] is what other programs embed: give it a store and a connector registry, start it,
//! and it runs every integration marked running. Tests and tools can also drive it step by step
//! ([`Engine::detect`], [`Engine::process_due`]) for deterministic runs.

pub mod context;
pub mod detect;
pub mod error;
mod extensions;
mod flow;
mod links;
mod mirror;
mod pair_lock;
mod parts;
mod people;
pub mod people_cache;
pub mod process;
pub mod rate;
mod retry;
pub mod schedule;
mod second_look;
pub mod snapshot;
pub mod states;
mod time_entries;
mod worker;

pub use context::IntegrationRuntime;
pub use error::{Retry, SyncError};
pub use process::Outcome;
pub use worker::{Engine, EngineHandle, EngineOptions, FULL_SCAN_JOB};
