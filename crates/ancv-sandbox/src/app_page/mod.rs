//! The beneficiary's app as web pages (spec §6): in homologation no push notification reaches
//! the phone, so the beneficiary opens this page to answer a payment request.
//!
//! | route | what |
//! |---|---|
//! | `GET /app` | redirect to `/app/` |
//! | `GET /app/` | the sign-in form (ANCV id or e-mail + secret code) |
//! | `POST /app/sign-in`, `POST /app/sign-out` | the session |
//! | `GET /app/requests` | the pending requests, the balance, one form per request |
//! | `POST /app/requests/{id}` | validate the full amount, a lower one, or decline |
//! | `GET /app/assets/app.css`, `…/countdown.js` | the only style and script |
//!
//! The pages call the same [`Sandbox`] methods as the JSON app API (`sign_in`,
//! `pending_requests`, `validate_request`, `decline_request`); they add sessions, CSRF defence,
//! languages and HTML, no payment rule. Every answer carries the security headers of
//! [`headers`]. Each answer is confirmed with the secret code, as `validate_request` asks (and
//! as the real app does): the session cookie never holds it.

mod answer;
mod assets;
mod catalogue;
mod cookies;
mod guard;
mod headers;
mod i18n;
mod money;
mod problem;
mod render;
mod requests;
mod session;
mod sign_in;
mod visit;

pub(crate) use session::SessionKey;

use crate::sandbox::Sandbox;
use axum::Router;
use axum::middleware;
use axum::response::Redirect;
use axum::routing::{get, post};

pub(crate) fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/app", get(to_the_form))
        .route("/app/", get(sign_in::page))
        .route("/app/sign-in", post(sign_in::submit))
        .route("/app/sign-out", post(sign_in::sign_out))
        .route("/app/requests", get(requests::page))
        .route("/app/requests/{transaction_id}", post(answer::answer))
        .route("/app/assets/app.css", get(assets::stylesheet))
        .route("/app/assets/countdown.js", get(assets::countdown_script))
        .layer(middleware::map_response(headers::secure))
}

/// `/app` → `/app/`, relative so that it works wherever the sandbox is mounted.
async fn to_the_form() -> Redirect {
    Redirect::permanent("app/")
}
