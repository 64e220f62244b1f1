//! What differs between the two database backends.

use crate::StoreError;
use std::fmt;
use std::path::{Path, PathBuf};

/// The database engine behind a [`Store`](crate::Store).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file: the embedded default, one instance.
    Sqlite,
    /// A PostgreSQL database, which several instances may share.
    Postgres,
}

impl Backend {
    /// Lower-case name for logs and messages: `sqlite` or `postgres`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    pub(crate) fn max_connections(self) -> u32 {
        match self {
            // Writers queue on SQLite's single write lock anyway; a few readers share WAL.
            Backend::Sqlite => 4,
            Backend::Postgres => 10,
        }
    }

    /// Statements run on every new connection.
    pub(crate) fn session_setup(self) -> &'static [&'static str] {
        match self {
            Backend::Sqlite => &[
                "PRAGMA journal_mode = WAL",
                "PRAGMA synchronous = FULL",
                "PRAGMA foreign_keys = ON",
                "PRAGMA busy_timeout = 10000",
            ],
            Backend::Postgres => &[],
        }
    }

    /// How a writing transaction begins. SQLite's default (deferred) transaction fails with
    /// SQLITE_BUSY when it upgrades from reading to writing under contention; IMMEDIATE waits for
    /// the lock up front instead.
    pub(crate) fn begin_write(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The `database_url` setting: `sqlite://PATH` (relative to the working directory, created on
/// first use) or `postgres://…`.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://PATH`: an SQLite file.
    Sqlite {
        /// The file, relative to the working directory unless absolute.
        path: PathBuf,
    },
    /// `postgres://…` or `postgresql://…`: a PostgreSQL server.
    Postgres {
        /// The whole URL as given, password included (print [`DatabaseUrl::redacted`] instead).
        url: String,
    },
}

/// Why a database URL is refused (the value itself is never repeated: it may hold a password).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidDatabaseUrl {
    /// Neither SQLite nor PostgreSQL.
    #[error("must start with sqlite:// or postgres:// (e.g. sqlite://data/cvgate.sqlite)")]
    UnknownScheme,
    /// A SQLite URL without a file (in-memory databases would lose everything).
    #[error("a SQLite URL must name a file: sqlite://PATH (e.g. sqlite://data/cvgate.sqlite)")]
    NoSqliteFile,
}

impl DatabaseUrl {
    /// Where the SQLite file goes when no `database_url` is set, relative to the working directory.
    pub const DEFAULT_SQLITE_PATH: &'static str = "data/cvgate.sqlite";

    /// The SQLite file at [`Self::DEFAULT_SQLITE_PATH`].
    pub fn default_sqlite() -> DatabaseUrl {
        DatabaseUrl::Sqlite {
            path: PathBuf::from(Self::DEFAULT_SQLITE_PATH),
        }
    }

    /// Parses the setting; the error is the rule it broke.
    pub fn parse(value: &str) -> Result<DatabaseUrl, InvalidDatabaseUrl> {
        let value = value.trim();
        if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres {
                url: value.to_owned(),
            });
        }
        if let Some(rest) = value.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() || path.contains('?') || path.starts_with(':') {
                return Err(InvalidDatabaseUrl::NoSqliteFile);
            }
            return Ok(DatabaseUrl::Sqlite {
                path: PathBuf::from(path),
            });
        }
        Err(InvalidDatabaseUrl::UnknownScheme)
    }

    /// The backend this URL names.
    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Sqlite { .. } => Backend::Sqlite,
            DatabaseUrl::Postgres { .. } => Backend::Postgres,
        }
    }

    /// The URL with any password hidden, for logs and messages.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite { path } => format!("sqlite://{}", path.display()),
            DatabaseUrl::Postgres { url } => redact_password(url),
        }
    }

    /// The URL handed to the driver; for SQLite, creates the file's folder first.
    pub(crate) fn prepare_connection_url(&self) -> Result<String, StoreError> {
        match self {
            DatabaseUrl::Postgres { url } => Ok(url.clone()),
            DatabaseUrl::Sqlite { path } => {
                create_parent_folder(path)?;
                Ok(format!("sqlite://{}?mode=rwc", path.display()))
            }
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Takes an exclusive OS lock on `<path>.lock` (waiting for it), released when the file drops.
pub(crate) async fn lock_file_beside(path: &Path) -> Result<std::fs::File, StoreError> {
    let mut lock_path = path.as_os_str().to_owned();
    lock_path.push(".lock");
    let lock_path = PathBuf::from(lock_path);
    let fail = |err: std::io::Error| {
        StoreError::InvalidUrl(format!("cannot lock {}: {err}", lock_path.display()))
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(fail)?;
    // Blocking wait, off the async threads.
    tokio::task::spawn_blocking(move || file.lock().map(|()| file))
        .await
        .map_err(|err| StoreError::InvalidUrl(format!("lock task failed: {err}")))?
        .map_err(fail)
}

fn create_parent_folder(path: &Path) -> Result<(), StoreError> {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => {
            std::fs::create_dir_all(parent).map_err(|err| {
                StoreError::InvalidUrl(format!(
                    "cannot create the folder {}: {err}",
                    parent.display()
                ))
            })
        }
        _ => Ok(()),
    }
}

/// Hides the password in `scheme://user:password@host/…` and in a `password=` query parameter.
fn redact_password(url: &str) -> String {
    let mut redacted = url.to_owned();
    if let Some(scheme_end) = redacted.find("://") {
        let authority_start = scheme_end + 3;
        let authority_end = redacted[authority_start..]
            .find(['/', '?'])
            .map_or(redacted.len(), |i| authority_start + i);
        if let Some(at) = redacted[authority_start..authority_end].rfind('@') {
            let userinfo = &redacted[authority_start..authority_start + at];
            if let Some(colon) = userinfo.find(':') {
                let password = authority_start + colon + 1..authority_start + at;
                redacted.replace_range(password, "***");
            }
        }
    }
    if let Some(start) = redacted.find("password=") {
        let value_start = start + "password=".len();
        let value_end = redacted[value_start..]
            .find('&')
            .map_or(redacted.len(), |i| value_start + i);
        redacted.replace_range(value_start..value_end, "***");
    }
    redacted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_backends() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/x.sqlite").unwrap(),
            DatabaseUrl::Sqlite {
                path: "data/x.sqlite".into()
            }
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.sqlite").unwrap(),
            DatabaseUrl::Sqlite {
                path: "/tmp/x.sqlite".into()
            }
        );
        assert_eq!(
            DatabaseUrl::parse("postgres://h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://h/db").unwrap().backend(),
            Backend::Postgres
        );
        for bad in [
            "mysql://h/db",
            "",
            "sqlite://",
            "sqlite::memory:",
            "data/x.sqlite",
        ] {
            assert!(DatabaseUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_never_show() {
        let url =
            DatabaseUrl::parse("postgres://app:s3cr3t@db.example:5432/cvgate?sslmode=require")
                .unwrap();
        assert_eq!(
            url.redacted(),
            "postgres://app:***@db.example:5432/cvgate?sslmode=require"
        );
        assert!(!format!("{url:?} {url}").contains("s3cr3t"));
        let query =
            DatabaseUrl::parse("postgres://db/cvgate?user=app&password=s3cr3t&x=1").unwrap();
        assert_eq!(
            query.redacted(),
            "postgres://db/cvgate?user=app&password=***&x=1"
        );
        let no_password = DatabaseUrl::parse("postgres://app@db/cvgate").unwrap();
        assert_eq!(no_password.redacted(), "postgres://app@db/cvgate");
    }
}
