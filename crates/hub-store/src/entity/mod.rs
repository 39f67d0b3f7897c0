//! sea-orm entities, one per table. Private to the crate: callers get domain types.
//!
//! Times are `i64` milliseconds since the Unix epoch (see the first migration for why).

#![allow(missing_docs)]

pub(crate) mod activity;
pub(crate) mod artifact_pair;
pub(crate) mod background_job;
pub(crate) mod blocker;
pub(crate) mod collection;
pub(crate) mod creation_intent;
pub(crate) mod instance_lock;
pub(crate) mod integration;
pub(crate) mod mapping;
pub(crate) mod model;
pub(crate) mod repository;
pub(crate) mod setting;
pub(crate) mod watermark;
