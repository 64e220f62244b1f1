//! `GET /backoffice/audit`: the merchant's audit trail, for admins (a platform operator sees
//! the merchant it opened, or else the platform's own). Read only: nothing in the back office changes or deletes an entry.

use super::account::{merchant_of, signed_in};
use super::render::{error, failed, page};
use super::visit::Visit;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::paris_time::format_payline;
use minijinja::context;
use serde::Serialize;

/// How many entries the page shows.
const SHOWN: i64 = 200;

#[derive(Serialize)]
struct Row {
    when: String,
    actor: String,
    action: &'static str,
    subject: String,
    detail: String,
    address: String,
}

/// `GET /backoffice/audit`: 200 for an admin, 403 for other roles.
pub(super) async fn trail(State(state): State<AppState>, visit: Visit) -> Response {
    let session = match signed_in(&state, &visit).await {
        Ok(session) => session,
        Err(answer) => return answer,
    };
    let texts = visit.lang.texts();
    if !session.user.role.may_configure() {
        return error(visit.lang, StatusCode::FORBIDDEN, texts.forbidden);
    }
    let merchant = merchant_of(&session);
    let events = match state.users.audit_trail(merchant.as_ref(), SHOWN).await {
        Ok(events) => events,
        Err(failure) => return failed(visit.lang, &failure),
    };
    let rows: Vec<Row> = events
        .into_iter()
        .map(|event| Row {
            when: format_payline(event.at),
            actor: event.actor,
            action: event.action.as_str(),
            subject: event.subject,
            detail: event.detail,
            address: event.address,
        })
        .collect();
    page(
        "audit.html",
        visit.lang,
        context! { rows => rows, csrf => session.csrf_secret },
        StatusCode::OK,
    )
}
