use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot open the database {url}: {source}")]
    Unavailable { url: String, source: sqlx::Error },
    #[error("invalid database_url: {0}")]
    InvalidUrl(String),
    #[error("database migration failed: {0}")]
    Migration(sqlx::migrate::MigrateError),
    /// A unique constraint refused the write: the thing already exists.
    #[error("already exists ({constraint})")]
    Conflict { constraint: String },
    /// A stored row no longer satisfies the domain's rules.
    #[error("corrupt row in {table}: {detail}")]
    Corrupt { table: &'static str, detail: String },
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
    pub fn corrupt(table: &'static str, detail: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt {
            table,
            detail: detail.to_string(),
        }
    }
}
