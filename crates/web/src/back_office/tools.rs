//! `GET /backoffice/tools` (homologation only; 404 in production): the sandboxes' test tools
//! for a merchant's testers — the beneficiary's app, the published test beneficiaries, the
//! merchant's shops at ANCV, the faults, ANCV's settlement and the card remittance. Reading is
//! a link (the sandboxes answer JSON); what changes the sandboxes is a command to copy, since
//! their admin API takes JSON bodies that a plain link or form cannot send.

use super::configuration::{merchant_user, points_and_contracts};
use super::render::{error, page};
use super::visit::Visit;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::Serialize;

/// The published test beneficiaries (ancv-connect.md §6, seeded by the ANCV sandbox) and how
/// each answers in the app; a test checks the sandbox knows every one.
pub const PUBLISHED_BENEFICIARIES: [(&str, &str); 6] = [
    ("camille.martin@example.com", "manual"),
    ("auto.full@example.com", "auto_full"),
    ("auto.partial@example.com", "auto_partial"),
    ("auto.decline@example.com", "auto_decline"),
    ("auto.expire@example.com", "auto_expire"),
    ("blocked@example.com", "blocked"),
];

#[derive(Serialize)]
struct Beneficiary {
    email: &'static str,
    behaviour: &'static str,
}

/// `GET /backoffice/tools`.
pub(super) async fn show(State(state): State<AppState>, visit: Visit) -> Response {
    if !state.homologation {
        let texts = visit.lang.texts();
        return error(visit.lang, StatusCode::NOT_FOUND, texts.not_found);
    }
    let who = match merchant_user(&state, &visit, |_| true).await {
        Ok(who) => who,
        Err(answer) => return answer,
    };
    let contracts = match points_and_contracts(&state, &visit, &who.merchant).await {
        Ok((_, contracts)) => contracts,
        Err(answer) => return answer,
    };
    let mut shops: Vec<String> = contracts
        .iter()
        .filter_map(|contract| contract.shop_id().map(ToString::to_string))
        .collect();
    shops.sort();
    shops.dedup();
    let beneficiaries: Vec<Beneficiary> = PUBLISHED_BENEFICIARIES
        .iter()
        .map(|&(email, behaviour)| Beneficiary { email, behaviour })
        .collect();
    page(
        "tools.html",
        visit.lang,
        context! {
            sandbox => format!("{}/sandbox", state.public_base),
            beneficiaries => beneficiaries,
            shops => shops,
        },
        StatusCode::OK,
    )
}
