//! Platform operators (every merchant): `GET /backoffice/merchants` lists the merchants and the
//! platform's operators with their lockouts; `POST /backoffice/merchants/{id}/open` makes the
//! session act for one merchant, whose pages then work as for its admins. Opening a merchant
//! is recorded in that merchant's audit trail.

use super::account::signed_in;
use super::accounts::rows;
use super::configuration::refused_post;
use super::render::{error, failed, page};
use super::sign_in::CsrfForm;
use super::visit::Visit;
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::back_office_user::Role;
use gateway::back_office_sign_in::ActiveSession;
use minijinja::context;
use serde::Serialize;

#[derive(Serialize)]
struct MerchantRow {
    id: String,
    name: String,
    active: bool,
}

/// The session of a platform operator, or the answer instead (sign-in, password change, 403).
async fn platform_operator(state: &AppState, visit: &Visit) -> Result<ActiveSession, Response> {
    let session = signed_in(state, visit).await?;
    if session.user.must_change_password {
        return Err(Redirect::to("/backoffice/password").into_response());
    }
    if session.user.role != Role::Platform {
        let texts = visit.lang.texts();
        return Err(error(visit.lang, StatusCode::FORBIDDEN, texts.forbidden));
    }
    Ok(session)
}

/// `GET /backoffice/merchants`.
pub(super) async fn list(State(state): State<AppState>, visit: Visit) -> Response {
    let session = match platform_operator(&state, &visit).await {
        Ok(session) => session,
        Err(answer) => return answer,
    };
    let (merchants, operators) = match (
        state.config.list_merchants().await,
        state.sign_in.accounts(None).await,
    ) {
        (Ok(merchants), Ok(operators)) => (merchants, operators),
        (Err(failure), _) => return failed(visit.lang, &failure),
        (_, Err(failure)) => return failed(visit.lang, &failure),
    };
    let merchants: Vec<MerchantRow> = merchants
        .into_iter()
        .map(|merchant| MerchantRow {
            id: merchant.id.to_string(),
            name: merchant.name,
            active: merchant.status == domain::merchant::MerchantStatus::Active,
        })
        .collect();
    page(
        "merchants.html",
        visit.lang,
        context! {
            merchants => merchants,
            operators => rows(&operators, visit.lang),
            acting_for => session.acting_for.map(|id| id.to_string()),
            csrf => session.csrf_secret,
        },
        StatusCode::OK,
    )
}

/// `POST /backoffice/merchants/{id}/open`: 303 to the merchant's dashboard.
pub(super) async fn open(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let session = match platform_operator(&state, &visit).await {
        Ok(session) => session,
        Err(answer) => return answer,
    };
    if let Some(answer) = refused_post(&state, &visit, &headers, &session, &form.csrf) {
        return answer;
    }
    let token = visit.session.as_deref().unwrap_or_default();
    match state.sign_in.act_for(token, &id, &visit.address).await {
        Ok(_) => Redirect::to("/backoffice/dashboard").into_response(),
        Err(gateway::ConfigError::Invalid(_)) => {
            let texts = visit.lang.texts();
            error(visit.lang, StatusCode::NOT_FOUND, texts.no_merchant)
        }
        Err(failure) => failed(visit.lang, &failure),
    }
}
