//! The HTTP answers of the SOAP endpoints: an XML body, the errors that end a call without a
//! business answer ([`SoapError`]: 401, Client and Server Faults), and the catalogue's `result`
//! every response carries.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::return_code::ReturnCode;
use soap::fault::{FaultCode, fault};
use soap::objects::ResultOut;
use store::StoreError;

/// Why a SOAP call gets no business answer; mapped to its HTTP answer in one place.
#[derive(Debug, thiserror::Error)]
pub(super) enum SoapError {
    /// No or wrong HTTP Basic credentials: 401 with a challenge.
    #[error("merchant id and access key required (HTTP Basic)")]
    Unauthorized,
    /// The request itself is wrong (not a SOAP envelope, an unknown operation): a Client Fault
    /// saying why.
    #[error("{0}")]
    Client(String),
    /// cvgate failed (the store, most often): a Server Fault; the details go to the log only.
    #[error(transparent)]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl SoapError {
    /// An internal failure of any service.
    pub(super) fn internal(error: impl std::error::Error + Send + Sync + 'static) -> SoapError {
        SoapError::Internal(Box::new(error))
    }
}

impl From<StoreError> for SoapError {
    fn from(error: StoreError) -> SoapError {
        SoapError::internal(error)
    }
}

impl IntoResponse for SoapError {
    fn into_response(self) -> Response {
        match self {
            SoapError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Basic realm=\"cvgate\"")],
                "merchant id and access key required (HTTP Basic)\n",
            )
                .into_response(),
            SoapError::Client(message) => xml(
                StatusCode::INTERNAL_SERVER_ERROR,
                fault(FaultCode::Client, &message),
            ),
            SoapError::Internal(error) => {
                tracing::error!(%error, "SOAP request failed");
                xml(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    fault(FaultCode::Server, "internal error"),
                )
            }
        }
    }
}

/// A business answer (HTTP 200), or the error's own answer.
pub(super) fn answer(outcome: Result<String, SoapError>) -> Response {
    match outcome {
        Ok(body) => xml(StatusCode::OK, body),
        Err(error) => error.into_response(),
    }
}

/// An XML body with `status`.
pub(super) fn xml(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// A `result` from the catalogue, with an explanation.
pub(super) fn result(code: ReturnCode, long_message: Option<String>) -> ResultOut {
    ResultOut {
        code: code.code().to_owned(),
        short_message: code.short_message().to_owned(),
        long_message: long_message.unwrap_or_else(|| code.long_message().to_owned()),
        partner_code: None,
        partner_code_label: None,
    }
}
