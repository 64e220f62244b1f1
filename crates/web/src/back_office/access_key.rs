//! `GET/POST /backoffice/access-key` (admins): the merchant's API access key replaced, the new
//! one shown once (the page is never cached), the old one refused from then on; recorded in the
//! audit trail (never the key).

use super::configuration::{audit, merchant_post, merchant_user};
use super::render::{failed, page};
use super::sign_in::CsrfForm;
use super::visit::Visit;
use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use domain::audit::AuditAction;
use minijinja::context;

/// `GET /backoffice/access-key`: what rotating does, and the button.
pub(super) async fn form(State(state): State<AppState>, visit: Visit) -> Response {
    match merchant_user(&state, &visit, |role| role.may_configure()).await {
        Ok(who) => page(
            "access_key.html",
            visit.lang,
            context! { csrf => who.session.csrf_secret, merchant => who.merchant.as_str() },
            StatusCode::OK,
        ),
        Err(answer) => answer,
    }
}

/// `POST /backoffice/access-key`: rotates, then shows the new key once.
pub(super) async fn rotate(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let who = match merchant_post(&state, &visit, &headers, &form.csrf, |role| {
        role.may_configure()
    })
    .await
    {
        Ok(who) => who,
        Err(answer) => return answer,
    };
    let (merchant, key) = match state.config.rotate_key(who.merchant.as_str()).await {
        Ok(rotated) => rotated,
        Err(failure) => return failed(visit.lang, &failure),
    };
    let rotated = AuditAction::AccessKeyRotated;
    audit(
        &state,
        &visit,
        &who,
        rotated,
        merchant.as_str(),
        String::new(),
    )
    .await;
    page(
        "access_key.html",
        visit.lang,
        context! { merchant => merchant.as_str(), key => key.expose() },
        StatusCode::OK,
    )
}
