//! A fresh, migrated store per test.
//!
//! By default each test gets its own `sqlite::memory:` store. With
//! `SYNCLINE_TEST_DATABASE_URL` set to a server's admin URL (`postgres://…/postgres`,
//! `mysql://…/mysql`), as `cargo xtask test` does, each test creates a database of its own on
//! that server, so the same suite proves every query on PostgreSQL and MariaDB.

use hub_store::Store;
use sea_orm::{ConnectionTrait, Database};

pub async fn fresh_store() -> Store {
    let url = database_url().await;
    let store = Store::open(&url).await.expect("open store");
    store.migrate().await.expect("migrate");
    store
}

pub async fn database_url() -> String {
    let Ok(admin) = std::env::var("SYNCLINE_TEST_DATABASE_URL") else {
        return "sqlite::memory:".to_owned();
    };
    if admin.starts_with("sqlite") {
        return admin;
    }
    let name = format!(
        "syncline_t_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let db = Database::connect(admin.as_str())
        .await
        .expect("connect to the admin URL");
    db.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    db.close().await.ok();
    let base = admin
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(&admin);
    format!("{base}/{name}")
}
