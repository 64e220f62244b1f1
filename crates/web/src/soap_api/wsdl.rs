//! `GET /V4/services/<service>?wsdl`: each service's WSDL, with the real address.

use super::reply::xml;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use soap::wsdl::{SERVICES, wsdl};

/// The WebPaymentAPI's WSDL.
pub(super) async fn web_payment_wsdl(state: State<AppState>) -> Response {
    service_wsdl(state, "WebPaymentAPI").await
}

/// `GET /V4/services/<service>?wsdl`: the service's WSDL with the real address.
pub(super) async fn service_wsdl(State(state): State<AppState>, service: &str) -> Response {
    let Some((_, operations)) = SERVICES.iter().find(|(name, _)| *name == service) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let address = format!("{}/V4/services/{service}", state.public_base);
    xml(StatusCode::OK, wsdl(service, operations, &address))
}
