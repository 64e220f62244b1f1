//! The ANCV Chèque-Vacances Connect "acquisition" API, both ways: the wire types, the
//! `ANCV-Security` seal, and the client cvgate uses to talk to ANCV (or to its sandbox).
//!
//! Binding spec: ancv-connect.md. The sandbox server lives in the `ancv-sandbox` crate and
//! shares these types, so both sides are tested against each other.

pub mod client;
pub mod error_code;
pub mod seal;
pub mod wire;

pub use client::{AncvClient, AncvError, ClientConfig};
pub use error_code::ErrorCode;
pub use seal::{InvalidSealKey, SealError, SealKey, SealKeyring};
pub use wire::TransactionState;

/// Tolerated ANCV path prefix shared by the real API and the sandbox.
pub const API_PATH: &str = "/acquisition/api/public/v1";
