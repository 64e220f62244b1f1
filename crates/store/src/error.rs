use thiserror::Error;

/// Why a storage call failed.
#[derive(Debug, Error)]
pub enum StoreError {
    /// Connecting failed (server down, wrong credentials, unwritable file…).
    #[error("cannot open the database {url}: {source}")]
    Unavailable {
        /// The database URL, password hidden.
        url: String,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// The `database_url` setting is malformed; the text is the rule it broke.
    #[error("invalid database_url: {0}")]
    InvalidUrl(String),
    /// Bringing the schema up to date failed.
    #[error("database migration failed: {0}")]
    Migration(sqlx::migrate::MigrateError),
    /// A unique constraint refused the write: the thing already exists.
    #[error("already exists ({constraint})")]
    Conflict {
        /// The constraint's name, or the database's message when it names none.
        constraint: String,
    },
    /// A stored row no longer satisfies the domain's rules.
    #[error("corrupt row in {table}: {detail}")]
    Corrupt {
        /// The table the row came from.
        table: &'static str,
        /// Which rule the row broke.
        detail: String,
    },
    /// The transaction a write shared with others (group commit) failed or was abandoned; the
    /// text says why. The write was not committed, unless the commit itself failed half-way.
    #[error("database error in a group commit: {0}")]
    GroupCommit(String),
    /// Any other database failure (connection lost, SQL error, timeout…).
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
                constraint: db.constraint().unwrap_or_else(|| db.message()).to_owned(),
            },
            _ => StoreError::Database(error),
        }
    }
}

impl StoreError {
    /// A [`StoreError::Corrupt`] for a row of `table` that broke a rule (`detail` says which).
    pub fn corrupt(table: &'static str, detail: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt {
            table,
            detail: detail.to_string(),
        }
    }
}
