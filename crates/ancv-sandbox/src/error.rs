//! The sandbox's one error type, and how every surface answers it: `{errorCode, errorMessage}`
//! (plus `field` when a field is to blame) with the status ANCV uses (spec §1 Decision).

use ancv::ErrorCode;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use store::StoreError;

/// Why a sandbox operation failed, whichever surface (ANCV API, admin, app, CLI) asked.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// ANCV refuses the operation (its own error codes).
    #[error("{code}: {message}")]
    Refused {
        /// The `errorCode` answered, with its HTTP status.
        code: ErrorCode,
        /// The `errorMessage`, for people.
        message: String,
    },
    /// A field is missing or wrong: BAD_REQUEST naming it.
    #[error("{field}: {message}")]
    InvalidField {
        /// The field to blame, as named in the request (`order.amount.total`, `secretCode`).
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The beneficiary's secret code does not match (the app; 403).
    #[error("the secret code is wrong")]
    InvalidSecretCode,
    /// The admin asked about a Shop ID the sandbox does not know (404).
    #[error("no shop has this Shop ID")]
    UnknownShop,
    /// An admin creation collides with an existing beneficiary (409).
    #[error("{field}: {message}")]
    AlreadyExists {
        /// The field whose value is taken: `beneficiaryId` or `email`.
        field: String,
        /// Which beneficiary already has it, in words.
        message: String,
    },
    /// Anything else: logged once when answered, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl SandboxError {
    /// ANCV refuses with `code`.
    pub fn refused(code: ErrorCode, message: impl Into<String>) -> SandboxError {
        SandboxError::Refused {
            code,
            message: message.into(),
        }
    }

    /// BAD_REQUEST blaming `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> SandboxError {
        SandboxError::InvalidField {
            field: field.into(),
            message: message.into(),
        }
    }

    /// TRANSACTION_NOT_FOUND: no transaction has the id asked about.
    pub fn not_found() -> SandboxError {
        SandboxError::refused(ErrorCode::TransactionNotFound, "no transaction has this id")
    }

    /// The `errorCode` answered.
    pub fn error_code(&self) -> &str {
        match self {
            SandboxError::Refused { code, .. } => code.as_str(),
            SandboxError::InvalidField { .. } => ErrorCode::BadRequest.as_str(),
            SandboxError::InvalidSecretCode => "INVALID_SECRET_CODE",
            SandboxError::UnknownShop => "SHOP_NOT_FOUND",
            SandboxError::AlreadyExists { .. } => "ALREADY_EXISTS",
            SandboxError::Internal(_) => ErrorCode::InternalServerError.as_str(),
        }
    }

    /// The HTTP status answered: ANCV's for its codes (ancv-connect.md §1 Decision), 403, 404
    /// or 409 for the app's and the admin's own refusals.
    pub fn http_status(&self) -> u16 {
        match self {
            SandboxError::Refused { code, .. } => code.http_status(),
            SandboxError::InvalidField { .. } => ErrorCode::BadRequest.http_status(),
            SandboxError::InvalidSecretCode => 403,
            SandboxError::UnknownShop => 404,
            SandboxError::AlreadyExists { .. } => 409,
            SandboxError::Internal(_) => ErrorCode::InternalServerError.http_status(),
        }
    }
}

impl From<StoreError> for SandboxError {
    fn from(error: StoreError) -> SandboxError {
        SandboxError::Internal(format!("store: {error}"))
    }
}

impl IntoResponse for SandboxError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = match &self {
            SandboxError::Internal(detail) => {
                tracing::error!(%detail, "ANCV sandbox internal error");
                json!({"errorCode": self.error_code(), "errorMessage": "internal error"})
            }
            SandboxError::InvalidField { field, message }
            | SandboxError::AlreadyExists { field, message } => json!({
                "errorCode": self.error_code(),
                "errorMessage": format!("{field}: {message}"),
                "field": field,
            }),
            SandboxError::Refused { message, .. } => {
                json!({"errorCode": self.error_code(), "errorMessage": message})
            }
            SandboxError::InvalidSecretCode | SandboxError::UnknownShop => {
                json!({"errorCode": self.error_code(), "errorMessage": self.to_string()})
            }
        };
        (status, Json(body)).into_response()
    }
}
