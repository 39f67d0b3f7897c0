//! Behaviour specific to the embedded SQLite file: WAL mode, the backup before an upgrade, and
//! refusing a store written by a newer version.

use hub_store::{Store, StoreError, sqlite_url_for};
use sea_orm::{ConnectionTrait, Database};

#[tokio::test]
async fn an_existing_store_is_backed_up_before_it_is_upgraded() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url_for(dir.path());
    let store = Store::open(&url).await.unwrap();
    assert!(
        store.migrate().await.unwrap().backup.is_none(),
        "a new store needs no backup"
    );
    store.put_setting("marker", &"kept").await.unwrap();
    store.close().await.unwrap();

    // Pretend the last migration is new in this version.
    let raw = Database::connect(url.as_str()).await.unwrap();
    raw.execute_unprepared("DELETE FROM seaql_migrations WHERE version = 'm0003_hub'")
        .await
        .unwrap();
    raw.execute_unprepared("ALTER TABLE settings RENAME TO settings_old")
        .await
        .unwrap();
    raw.execute_unprepared("DROP TABLE instance_lock")
        .await
        .unwrap();
    let mode = raw
        .query_one_raw(sea_orm::Statement::from_string(
            raw.get_database_backend(),
            "PRAGMA journal_mode",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(mode.try_get_by_index::<String>(0).unwrap(), "wal");
    raw.close().await.unwrap();

    let store = Store::open(&url).await.unwrap();
    let report = store.migrate().await.unwrap();
    assert_eq!(report.applied, vec!["m0003_hub".to_owned()]);
    let backup = report.backup.expect("a backup before upgrading");
    assert!(
        backup.starts_with(dir.path()) && backup.exists(),
        "{backup:?}"
    );

    // The backup is a complete store as it was before the upgrade.
    let copy = Database::connect(format!("sqlite://{}?mode=ro", backup.display()).as_str())
        .await
        .unwrap();
    let row = copy
        .query_one_raw(sea_orm::Statement::from_string(
            copy.get_database_backend(),
            "SELECT value FROM settings_old WHERE key = 'marker'",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get_by_index::<String>(0).unwrap(), "\"kept\"");
}

#[tokio::test]
async fn a_store_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url_for(dir.path());
    let store = Store::open(&url).await.unwrap();
    store.migrate().await.unwrap();
    store.close().await.unwrap();
    let raw = Database::connect(url.as_str()).await.unwrap();
    raw.execute_unprepared(
        "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m9999_future', 0)",
    )
    .await
    .unwrap();
    raw.close().await.unwrap();

    let store = Store::open(&url).await.unwrap();
    let err = store.migrate().await.unwrap_err();
    assert!(
        matches!(err, StoreError::TooNew { ref migrations } if migrations == &["m9999_future".to_owned()])
    );
    assert_eq!(err.code(), hub_domain::catalogue::hub::STORE_TOO_NEW);
}
