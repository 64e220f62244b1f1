//! The JSON API under `/v1/`, compatible with Monext's Retail ("Checkout") API (retail-api.md):
//! the same merchants, credentials (HTTP Basic), sessions, codes and services as SOAP. A session
//! created here is the same web payment session SOAP, the page and the widget know.
//!
//! Every answer is JSON; errors are problem JSON (`crate::problem`) with Payline's code where one
//! applies; business outcomes are 2xx with a `result` `{title, code, detail}` — the triple SOAP
//! returns for the same state. Every POST takes an `Idempotency-Key` (`idempotency`).

mod configuration;
mod docs;
mod idempotency;
mod operations;
mod problem_net;
mod request;
mod search;
mod session_json;
mod session_request;
mod sessions;
mod transaction_json;
mod transactions;

pub(crate) use transaction_json::operation_body;

use crate::problem::Problem;
use crate::state::AppState;
use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};

/// The JSON API's routes under `/v1`.
pub(crate) fn router(state: &AppState) -> Router<AppState> {
    Router::new().nest(
        "/v1",
        calls(state)
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                check_access,
            ))
            .layer(tower_http::catch_panic::CatchPanicLayer::custom(
                problem_net::panicked,
            ))
            .layer(axum::middleware::from_fn(problem_net::problems_only)),
    )
}

/// Callers over a limit of failed authentications get 429 with `Retry-After`, in problem JSON.
async fn check_access(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    crate::merchant_auth::check_access(&state, request, next, |seconds| {
        crate::problem::Problem::new(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            "too many failed authentications: try again later",
        )
        .retry_after(seconds)
        .into_response()
    })
    .await
}

fn calls(state: &AppState) -> Router<AppState> {
    // POSTs whose whole answer is remembered under an Idempotency-Key; the after-sale operations
    // keep theirs in the key space they share with SOAP (`operations`).
    let remembered = Router::new()
        .route("/checkout/sessions", post(sessions::create))
        .route("/checkout/payments/sessions", post(sessions::create))
        .merge(configuration::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::remember_answers,
        ));
    Router::new()
        .route("/checkout/alive", get(|| async { "OK" }))
        .route("/openapi.json", get(docs::openapi))
        .route("/docs", get(docs::page))
        .route("/docs/docs.css", get(docs::stylesheet))
        .merge(remembered)
        .route("/checkout/sessions/{id}", get(sessions::show))
        .route("/checkout/payments/sessions/{id}", get(sessions::show))
        .route("/checkout/transactions", get(search::search))
        .route("/checkout/transactions/{id}", get(transactions::show))
        .route(
            "/checkout/transactions/{id}/captures",
            post(operations::capture),
        )
        .route(
            "/checkout/transactions/{id}/refunds",
            post(operations::refund),
        )
        .route(
            "/checkout/transactions/{id}/cancels",
            post(operations::cancel),
        )
        .fallback(async || Problem::new(StatusCode::NOT_FOUND, "no such resource in the JSON API"))
        .method_not_allowed_fallback(async || {
            Problem::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "this resource does not take this method",
            )
        })
}
