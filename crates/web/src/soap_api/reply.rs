//! The HTTP answers of the SOAP endpoints: an XML body, Client and Server Faults, and the
//! catalogue's `result` every response carries.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::return_code::ReturnCode;
use soap::fault::{FaultCode, fault};
use soap::objects::ResultOut;

/// An XML body with `status`.
pub(super) fn xml(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// A Client Fault: the request itself is wrong.
pub(super) fn client_fault(message: &str) -> Response {
    xml(
        StatusCode::INTERNAL_SERVER_ERROR,
        fault(FaultCode::Client, message),
    )
}

/// An internal failure: logged once with its details; the client only learns that it happened.
pub(super) fn server_fault(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, "SOAP request failed");
    xml(
        StatusCode::INTERNAL_SERVER_ERROR,
        fault(FaultCode::Server, "internal error"),
    )
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
