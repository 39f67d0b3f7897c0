//! Schema migrations of Syncline's store.
//!
//! Each migration is a small numbered step that is never edited once released: a store upgraded
//! by version N must be upgradeable by every later version. The hub runs them forward at start-up
//! (`hub-store` backs up an existing SQLite file first); `hub-server migrate` runs them alone.
//! All statements go through sea-query so the same steps work on SQLite, PostgreSQL and MySQL.

// async-trait signatures must name `SchemaManager` without its lifetime.
#![allow(elided_lifetimes_in_paths)]

use sea_orm_migration::prelude::*;

mod m0001_configuration;
mod m0002_operations;
mod m0003_hub;
mod m0004_sync_state;
mod m0005_key_value_stores;
mod m0006_extensions;

/// Runs the migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_configuration::Migration),
            Box::new(m0002_operations::Migration),
            Box::new(m0003_hub::Migration),
            Box::new(m0004_sync_state::Migration),
            Box::new(m0005_key_value_stores::Migration),
            Box::new(m0006_extensions::Migration),
        ]
    }
}

pub use sea_orm_migration::MigratorTrait as Migrate;
