//! The error of the configuration and back-office services: the caller's mistake (a field and
//! its rule) or the database's failure.

use domain::FieldError;
use store::StoreError;
use thiserror::Error;

/// Why a back-office operation was refused or failed.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The request is wrong (bad value, unknown merchant, duplicate number…): the caller can fix it.
    #[error("{0}")]
    Invalid(#[from] FieldError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
