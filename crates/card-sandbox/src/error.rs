//! The sandbox's error: why it did not do what it was asked.

use store::StoreError;

/// Why the sandbox did not do what it was asked; on the API, the HTTP status and
/// [`card::wire::ErrorBody`] it answers with.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// A malformed request or an invalid field, the message naming it (400 `INVALID_REQUEST`).
    #[error("{0}")]
    Invalid(String),
    /// No transaction has this reference (404 `UNKNOWN_REFERENCE`).
    #[error("unknown transaction reference")]
    UnknownReference,
    /// No 3-D Secure challenge has this reference (404 `UNKNOWN_REFERENCE`).
    #[error("unknown 3-D Secure challenge")]
    UnknownChallenge,
    /// A reference already used for a different request (409 `CONFLICT`).
    #[error("{0}")]
    Conflict(String),
    /// A stored row the sandbox cannot read back (500 `INTERNAL`).
    #[error("corrupt sandbox data: {0}")]
    Corrupt(String),
    /// The database failed (500 `INTERNAL`).
    #[error(transparent)]
    Store(#[from] StoreError),
}
