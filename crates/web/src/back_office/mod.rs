//! The merchant back office at `/backoffice/`, server-rendered like the payment page: the
//! same template engine, a strict CSP, no third-party asset, every form checked for its origin
//! and its CSRF secret; French or English (the browser's choice, a switch on every page).
//!
//! - `visit`: language, cookies and peer address of a request; the cookies set;
//! - `sign_in`: the sign-in form (a double-submit secret before any session), sign-out;
//! - `account`: the pages behind a session (home, password);
//! - `audit`: the audit trail (admins); `access_key`: the API key rotated (admins);
//! - `configuration`, `config_forms`: points of sale and contracts (everyone sees, admins
//!   change), the seed's contract form;
//! - `dashboard`: the figures of today and the last 30 days, an SVG chart;
//! - `transactions`, `transaction`: the list with its filters and CSV export, one payment
//!   with its split, history and actions (operators, after a confirmation);
//! - `accounts`: the merchant's users and their lockouts (admins);
//! - `platform`: platform operators list the merchants and open one;
//! - `tools`: the homologation sandboxes' test tools (homologation only);
//! - `render`: templates, assets and the error page;
//! - `texts`: every word, in both languages.

mod access_key;
mod account;
mod accounts;
mod audit;
mod config_forms;
mod configuration;
mod dashboard;
mod platform;
mod render;
mod sign_in;
mod texts;
mod tools;
mod transaction;
mod transactions;
mod visit;

use crate::state::AppState;
use axum::Router;
use axum::response::Redirect;
use axum::routing::get;

/// `/backoffice/…`.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/backoffice",
            get(|| async { Redirect::permanent("/backoffice/") }),
        )
        .route("/backoffice/", get(account::home))
        .route(
            "/backoffice/sign-in",
            get(sign_in::form).post(sign_in::submit),
        )
        .route(
            "/backoffice/sign-out",
            axum::routing::post(sign_in::sign_out),
        )
        .route(
            "/backoffice/password",
            get(account::password_form).post(account::change_password),
        )
        .route("/backoffice/audit", get(audit::trail))
        .route(
            "/backoffice/access-key",
            get(access_key::form).post(access_key::rotate),
        )
        .route("/backoffice/configuration", get(configuration::overview))
        .route(
            "/backoffice/points-of-sale/new",
            get(config_forms::pos_form).post(config_forms::create_pos),
        )
        .route(
            "/backoffice/contracts/new",
            get(config_forms::contract_form).post(config_forms::create_contract),
        )
        .route(
            "/backoffice/contracts/{number}/status",
            axum::routing::post(configuration::set_status),
        )
        .route("/backoffice/dashboard", get(dashboard::show))
        .route("/backoffice/users", get(accounts::list))
        .route("/backoffice/merchants", get(platform::list))
        .route(
            "/backoffice/merchants/{id}/open",
            axum::routing::post(platform::open),
        )
        .route("/backoffice/tools", get(tools::show))
        .route("/backoffice/transactions", get(transactions::list))
        .route("/backoffice/transactions.csv", get(transactions::export))
        .route("/backoffice/transactions/{id}", get(transaction::show))
        .route(
            "/backoffice/transactions/{id}/confirm",
            axum::routing::post(transaction::confirm),
        )
        .route(
            "/backoffice/transactions/{id}/operate",
            axum::routing::post(transaction::operate),
        )
        .route("/backoffice/assets/{file}", get(render::asset))
        .layer(axum::middleware::from_fn(render::headers))
}
