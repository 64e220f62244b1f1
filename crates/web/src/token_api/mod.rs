//! The widget's JSON API, `/services/token/{token}/…` (widget.md §4; the same calls Monext's
//! native mobile SDKs make): the session's state, a Chèque-Vacances request, a card payment, the
//! cheap "is the wait over" poll, cancel, and the merchant's data update.
//!
//! The token in the path is the bearer (no cookie), so any origin may call it: CORS answers `*`
//! without credentials. Every answer is JSON; errors are problem JSON (`problem`). The card data
//! of `securedPaymentRequest` lives only in memory for the call, as on the page.

mod calls;
mod cors;
mod formats;
mod problem;
mod session_state;
mod three_ds_return;

use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post, put};

/// Card and identifier forms are small: 16 KiB is plenty.
const MAX_BODY_BYTES: usize = 16 * 1024;

/// The token API's routes under `/services/token/{token}/`.
pub(crate) fn router() -> Router<AppState> {
    Router::new().nest("/services/token", calls_router())
}

/// The calls, relative to `/services/token`; anything else there is a problem JSON 404/405.
fn calls_router() -> Router<AppState> {
    Router::new()
        .route("/{token}/state/current", get(calls::current_state))
        .route("/{token}/paymentRequest", post(calls::payment_request))
        .route(
            "/{token}/securedPaymentRequest",
            post(calls::secured_payment_request),
        )
        .route(
            "/{token}/cardCode/{card_code}/activewaiting/isDone",
            get(calls::is_done),
        )
        .route("/{token}/cancel", post(calls::cancel))
        .route(
            "/{token}/webpaymentdata",
            put(calls::update_web_payment_data),
        )
        .route(
            "/{token}/threeDSReturn",
            get(three_ds_return::back_from_challenge),
        )
        .fallback(problem::no_such_call)
        .method_not_allowed_fallback(problem::no_such_method)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(cors::any_origin))
}

/// Where the ACS sends the buyer back after a challenge started from the widget.
pub(crate) fn three_ds_return_path(token: &str) -> String {
    format!("/services/token/{token}/threeDSReturn")
}
