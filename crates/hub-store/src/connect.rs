//! Opening a store by URL.

use std::path::Path;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};

use crate::error::StoreError;

/// The kind of database behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite (file or memory).
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    MySql,
}

/// A handle on the store. Cheap to clone; clones share one connection pool.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: DatabaseConnection,
    backend: Backend,
    url: String,
}

/// The URL of the embedded SQLite store in a data directory.
pub fn sqlite_url_for(data_dir: &Path) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("syncline.db").display()
    )
}

impl Store {
    /// Connects to the database at `url` (`sqlite://…`, `sqlite::memory:`, `postgres://…`,
    /// `mysql://…`). Does not migrate: see [`Store::migrate`].
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let backend = backend_of(url).ok_or_else(|| StoreError::Unavailable {
            database: redact(url),
            reason: "the URL must start with sqlite:, postgres:// or mysql://".into(),
        })?;
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .sqlx_logging(false)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(30));
        if backend == Backend::Sqlite {
            let memory = url.contains(":memory:") || url.contains("mode=memory");
            // Each connection to an in-memory database is a database of its own: keep one.
            options
                .max_connections(if memory { 1 } else { 8 })
                .min_connections(if memory { 1 } else { 0 });
            options.map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
            });
        } else {
            options.max_connections(16);
        }
        let db = Database::connect(options)
            .await
            .map_err(|e| StoreError::Unavailable {
                database: redact(url),
                reason: e.to_string(),
            })?;
        let store = Store {
            db,
            backend,
            url: url.to_owned(),
        };
        store.ping().await?;
        Ok(store)
    }

    /// Which kind of database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL with any password removed, for messages and logs.
    pub fn display_url(&self) -> String {
        redact(&self.url)
    }

    /// The SQLite file behind the store, when it is one.
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        if self.backend != Backend::Sqlite {
            return None;
        }
        let rest = self
            .url
            .strip_prefix("sqlite://")
            .or_else(|| self.url.strip_prefix("sqlite:"))?;
        let path = rest.split('?').next()?;
        (!path.is_empty() && !path.contains(":memory:")).then(|| path.into())
    }

    /// Checks the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db
            .execute_unprepared("SELECT 1")
            .await
            .map(|_| ())
            .map_err(|e| StoreError::Unavailable {
                database: self.display_url(),
                reason: e.to_string(),
            })
    }

    /// Verifies the stored data is intact: SQLite's full `integrity_check`; a ping elsewhere
    /// (PostgreSQL and MySQL check their own pages). Slow on large stores: for tools and tests.
    pub async fn check_integrity(&self) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return self.ping().await;
        }
        let statement = sea_orm::Statement::from_string(
            self.db.get_database_backend(),
            "PRAGMA integrity_check",
        );
        let rows = self.db.query_all_raw(statement).await?;
        let findings: Vec<String> = rows
            .iter()
            .filter_map(|row| row.try_get_by_index::<String>(0).ok())
            .collect();
        if findings == ["ok"] {
            Ok(())
        } else {
            Err(StoreError::corrupt(
                "database",
                self.display_url(),
                findings.join("; "),
            ))
        }
    }

    /// Closes the pool, waiting for connections to finish (WAL is checkpointed on close).
    pub async fn close(self) -> Result<(), StoreError> {
        self.db.close().await.map_err(StoreError::from)
    }
}

fn backend_of(url: &str) -> Option<Backend> {
    if url.starts_with("sqlite:") {
        Some(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Some(Backend::Postgres)
    } else if url.starts_with("mysql://") || url.starts_with("mariadb://") {
        Some(Backend::MySql)
    } else {
        None
    }
}

/// Removes the password from `scheme://user:password@host/…`.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://hub:s3cret@db:5432/hub"),
            "postgres://hub:***@db:5432/hub"
        );
        assert_eq!(redact("sqlite::memory:"), "sqlite::memory:");
        assert_eq!(
            redact("mysql://root@127.0.0.1/x"),
            "mysql://root@127.0.0.1/x"
        );
    }

    #[test]
    fn unknown_schemes_are_refused_with_the_store_code() {
        let err = tokio_test_block_on(Store::open("redis://x")).unwrap_err();
        assert_eq!(err.code().to_string(), "SYN-30009E");
    }

    fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }
}
