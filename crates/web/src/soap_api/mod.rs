//! The Payline v4 SOAP endpoints (`/V4/services/<API>`): HTTP Basic authentication, a 1 MiB body
//! limit, Faults for what is not a business outcome, and each service's WSDL on GET.
//!
//! This module only wires the routes; the handlers are `web_payment`, `after_sale` and `wsdl`,
//! sharing `auth` (authentication, then the parsed envelope) and `reply` (XML bodies, Faults).

mod after_sale;
mod auth;
mod details;
mod reply;
mod web_payment;
mod wsdl;

pub(crate) use after_sale::after_sale_body;

use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::response::IntoResponse;
use axum::routing::get;

/// The WebPaymentAPI endpoint: `doWebPayment`, `getWebPaymentDetails`.
pub const WEB_PAYMENT_API: &str = "/V4/services/WebPaymentAPI";
/// The DirectPaymentAPI endpoint: `doRefund`, `doReset`, `doCapture`, `doAuthorization`.
pub const DIRECT_PAYMENT_API: &str = "/V4/services/DirectPaymentAPI";
/// The ExtendedAPI endpoint: `getTransactionDetails`, `transactionsSearch`.
pub const EXTENDED_API: &str = "/V4/services/ExtendedAPI";

/// Bodies above this are refused with 413 before being read whole.
pub(crate) const MAX_BODY_BYTES: usize = 1 << 20;

/// The three services: SOAP requests on POST, their WSDL on GET; callers over a limit of
/// failed authentications get 429 with `Retry-After`.
pub(crate) fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(
            WEB_PAYMENT_API,
            get(wsdl::web_payment_wsdl).post(web_payment::api),
        )
        .route(
            DIRECT_PAYMENT_API,
            get(|state| wsdl::service_wsdl(state, "DirectPaymentAPI")).post(
                |State(state): State<AppState>, body: Bytes| {
                    after_sale::api(state, body, "DirectPaymentAPI")
                },
            ),
        )
        .route(
            EXTENDED_API,
            get(|state| wsdl::service_wsdl(state, "ExtendedAPI")).post(
                |State(state): State<AppState>, body: Bytes| {
                    after_sale::api(state, body, "ExtendedAPI")
                },
            ),
        )
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            check_access,
        ))
}

async fn check_access(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    crate::merchant_auth::check_access(&state, request, next, |seconds| {
        (
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            [(axum::http::header::RETRY_AFTER, seconds.to_string())],
            "too many failed authentications: try again later\n",
        )
            .into_response()
    })
    .await
}
