//! The JSON API under `/v1/`, compatible with Monext's Retail ("Checkout") API (retail-api.md):
//! the same merchants, credentials (HTTP Basic), sessions, codes and services as SOAP. A session
//! created here is the same web payment session SOAP, the page and the widget know.
//!
//! Every answer is JSON; errors are problem JSON (`crate::problem`) with Payline's code where one
//! applies; business outcomes are 2xx with a `result` `{title, code, detail}` — the triple SOAP
//! returns for the same state.

mod request;
mod session_json;
mod session_request;
mod sessions;

use crate::problem::Problem;
use crate::state::AppState;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;

/// Bodies above this are refused with 413 (problem JSON).
pub(crate) const MAX_BODY_BYTES: usize = 1 << 20;

/// The JSON API's routes under `/v1`.
pub(crate) fn router() -> Router<AppState> {
    Router::new().nest("/v1", calls())
}

fn calls() -> Router<AppState> {
    Router::new()
        .route("/checkout/alive", get(|| async { "OK" }))
        .route("/checkout/sessions", axum::routing::post(sessions::create))
        .route(
            "/checkout/payments/sessions",
            axum::routing::post(sessions::create),
        )
        .route("/checkout/sessions/{id}", get(sessions::show))
        .route("/checkout/payments/sessions/{id}", get(sessions::show))
        .fallback(async || Problem::new(StatusCode::NOT_FOUND, "no such resource in the JSON API"))
        .method_not_allowed_fallback(async || {
            Problem::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "this resource does not take this method",
            )
        })
}
