//! Fresh, empty databases for tests: a temporary SQLite file or a new PostgreSQL schema.

use crate::environment::{POSTGRES_URL_VAR, postgres_url};
use sqlx::{Connection, Executor, PgConnection};
use std::fmt;

/// Which database engine a test runs on (shown as the test name's prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A fresh SQLite file in a temporary folder.
    Sqlite,
    /// A fresh schema in the PostgreSQL database named by `CVGATE_TEST_POSTGRES_URL`.
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        })
    }
}

/// A fresh, empty database for one test: what the test receives.
#[derive(Debug, Clone)]
pub struct TestDb {
    /// The engine behind `url`.
    pub backend: Backend,
    /// A `database_url` as cvgate accepts it.
    pub url: String,
}

/// Owns what was created for a [`TestDb`] and removes it afterwards.
pub enum Provisioned {
    /// A SQLite file, removed with its folder when this drops.
    Sqlite {
        /// The temporary folder holding the file.
        _folder: tempfile::TempDir,
    },
    /// A PostgreSQL schema, dropped by [`Provisioned::remove`].
    Postgres {
        /// The server's URL (`CVGATE_TEST_POSTGRES_URL`).
        server_url: String,
        /// The schema's name, `cvgate_test_` and a random suffix.
        schema: String,
    },
}

/// A fresh, empty database (a temporary SQLite file, or a new PostgreSQL schema in the database
/// named by `CVGATE_TEST_POSTGRES_URL`); [`Provisioned::remove`] removes it.
pub async fn provision(backend: Backend) -> Result<(TestDb, Provisioned), String> {
    match backend {
        Backend::Sqlite => {
            let folder = tempfile::tempdir()
                .map_err(|e| format!("cannot create a temporary folder: {e}"))?;
            let url = format!("sqlite://{}", folder.path().join("cvgate.sqlite").display());
            Ok((
                TestDb { backend, url },
                Provisioned::Sqlite { _folder: folder },
            ))
        }
        Backend::Postgres => {
            let server_url =
                postgres_url().ok_or_else(|| format!("{POSTGRES_URL_VAR} is not set"))?;
            let schema = format!("cvgate_test_{}", random_suffix());
            let mut conn = PgConnection::connect(&server_url)
                .await
                .map_err(|e| format!("cannot connect to {POSTGRES_URL_VAR}: {e}"))?;
            conn.execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .await
                .map_err(|e| format!("cannot create schema {schema}: {e}"))?;
            let separator = if server_url.contains('?') { '&' } else { '?' };
            let url = format!("{server_url}{separator}options=-c%20search_path%3D{schema}");
            Ok((
                TestDb { backend, url },
                Provisioned::Postgres { server_url, schema },
            ))
        }
    }
}

impl Provisioned {
    /// Deletes the database: drops the PostgreSQL schema (errors ignored) or the temporary folder.
    pub async fn remove(self) {
        if let Provisioned::Postgres { server_url, schema } = self
            && let Ok(mut conn) = PgConnection::connect(&server_url).await
        {
            let drop = format!("DROP SCHEMA {schema} CASCADE");
            let _ = conn.execute(sqlx::AssertSqlSafe(drop)).await;
        }
    }
}

/// A random lowercase hex string, for unique names.
pub fn random_suffix() -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    hex::encode(bytes)
}
