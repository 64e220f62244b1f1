//! `GET /backoffice/configuration`: the merchant's points of sale and their contracts, for every
//! role; and what admins change there (a contract activated or deactivated). The forms that
//! create them are `config_forms`'. Every change is in the audit trail.

use super::account::{merchant_of, signed_in};
use super::render::{error, failed, page};
use super::visit::Visit;
use crate::page_policy::{csrf_matches, same_origin};
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::audit::{AuditAction, AuditEvent};
use domain::back_office_user::Role;
use domain::contract::{Contract, ContractChange, ContractStatus};
use domain::merchant::MerchantId;
use domain::point_of_sale::PointOfSale;
use gateway::back_office_sign_in::ActiveSession;
use minijinja::context;
use serde::{Deserialize, Serialize};

/// A session allowed to see a merchant's configuration, and that merchant.
pub(super) struct MerchantSession {
    pub session: ActiveSession,
    pub merchant: MerchantId,
}

/// The live session of a merchant's user who may `act` (`may_configure` for changes), or the
/// answer instead: the sign-in form, the change of a one-time password, the list of merchants
/// (a platform operator who has not opened one), or 403.
pub(super) async fn merchant_user(
    state: &AppState,
    visit: &Visit,
    act: fn(Role) -> bool,
) -> Result<MerchantSession, Response> {
    let session = signed_in(state, visit).await?;
    if session.user.must_change_password {
        return Err(Redirect::to("/backoffice/password").into_response());
    }
    let texts = visit.lang.texts();
    match merchant_of(&session) {
        Some(merchant) if act(session.user.role) => Ok(MerchantSession { session, merchant }),
        None if session.user.role == Role::Platform => {
            Err(Redirect::to("/backoffice/merchants").into_response())
        }
        _ => Err(error(visit.lang, StatusCode::FORBIDDEN, texts.forbidden)),
    }
}

/// A form post of a merchant's user who may `act`: the session, or the answer instead (the
/// sign-in, the password change, or 403 for the role, another origin or a wrong CSRF secret).
pub(super) async fn merchant_post(
    state: &AppState,
    visit: &Visit,
    headers: &HeaderMap,
    csrf: &str,
    act: fn(Role) -> bool,
) -> Result<MerchantSession, Response> {
    let who = merchant_user(state, visit, act).await?;
    match refused_post(state, visit, headers, &who.session, csrf) {
        Some(answer) => Err(answer),
        None => Ok(who),
    }
}

/// The 403 for a post from elsewhere or without the session's CSRF secret; `None`: it may go
/// on.
pub(super) fn refused_post(
    state: &AppState,
    visit: &Visit,
    headers: &HeaderMap,
    session: &ActiveSession,
    csrf: &str,
) -> Option<Response> {
    if same_origin(headers, &state.public_base) && csrf_matches(&session.csrf_secret, csrf) {
        None
    } else {
        let texts = visit.lang.texts();
        Some(error(visit.lang, StatusCode::FORBIDDEN, texts.form_expired))
    }
}

/// Appends `action` on `subject` by the session's user to the merchant's audit trail (a
/// failure to write it is logged: the change itself is done).
pub(super) async fn audit(
    state: &AppState,
    visit: &Visit,
    who: &MerchantSession,
    action: AuditAction,
    subject: &str,
    detail: String,
) {
    let event = AuditEvent {
        at: domain::clock::Timestamp(0),
        merchant_id: Some(who.merchant.clone()),
        actor: who.session.user.email.to_string(),
        action,
        subject: subject.to_owned(),
        detail,
        address: visit.address.clone(),
    };
    if let Err(failure) = state.users.record(event).await {
        tracing::error!(error = %failure, "an audit entry could not be written");
    }
}

/// The merchant's points of sale and contracts, or the 500 to answer.
pub(super) async fn points_and_contracts(
    state: &AppState,
    visit: &Visit,
    merchant: &MerchantId,
) -> Result<(Vec<PointOfSale>, Vec<Contract>), Response> {
    let merchant = merchant.as_str();
    match (
        state.config.list_points_of_sale(merchant).await,
        state.config.list_contracts(merchant).await,
    ) {
        (Ok(points), Ok(contracts)) => Ok((points, contracts)),
        (Err(failure), _) | (_, Err(failure)) => Err(failed(visit.lang, &failure)),
    }
}

#[derive(Serialize)]
struct ContractRow {
    number: String,
    card_code: &'static str,
    label: String,
    active: bool,
}

#[derive(Serialize)]
struct PosRow {
    reference: String,
    label: String,
    session_minutes: i64,
    contracts: Vec<ContractRow>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Notice {
    done: Option<String>,
}

/// `GET /backoffice/configuration`.
pub(super) async fn overview(
    State(state): State<AppState>,
    visit: Visit,
    Query(notice): Query<Notice>,
) -> Response {
    let who = match merchant_user(&state, &visit, |_| true).await {
        Ok(who) => who,
        Err(answer) => return answer,
    };
    let (points, contracts) = match points_and_contracts(&state, &visit, &who.merchant).await {
        Ok(both) => both,
        Err(answer) => return answer,
    };
    let rows: Vec<PosRow> = points
        .iter()
        .map(|pos| PosRow {
            reference: pos.reference.clone(),
            label: pos.label.clone(),
            session_minutes: pos.session_lifetime.as_minutes(),
            contracts: contracts
                .iter()
                .filter(|contract| contract.pos_id == pos.id)
                .map(|contract| ContractRow {
                    number: contract.number.to_string(),
                    card_code: contract.card_code.as_str(),
                    label: contract.label.clone(),
                    active: contract.status == ContractStatus::Active,
                })
                .collect(),
        })
        .collect();
    let texts = visit.lang.texts();
    let done = match notice.done.as_deref() {
        Some("pos") => Some(texts.created_pos),
        Some("contract") => Some(texts.created_contract),
        Some("status") => Some(texts.status_changed),
        _ => None,
    };
    page(
        "configuration.html",
        visit.lang,
        context! {
            points => rows,
            admin => who.session.user.role.may_configure(),
            csrf => who.session.csrf_secret,
            notice => done,
        },
        StatusCode::OK,
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct StatusForm {
    csrf: String,
    status: String,
}

/// `POST /backoffice/contracts/{number}/status` (admins): `active` or `inactive`.
pub(super) async fn set_status(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    Path(number): Path<String>,
    Form(form): Form<StatusForm>,
) -> Response {
    let who = match merchant_post(&state, &visit, &headers, &form.csrf, |role| {
        role.may_configure()
    })
    .await
    {
        Ok(who) => who,
        Err(answer) => return answer,
    };
    let status = match form.status.as_str() {
        "active" => ContractStatus::Active,
        "inactive" => ContractStatus::Inactive,
        _ => return StatusCode::UNPROCESSABLE_ENTITY.into_response(),
    };
    let change = ContractChange {
        status: Some(status),
        ..ContractChange::default()
    };
    match state
        .config
        .update_contract(&who.merchant, &number, &change)
        .await
    {
        Ok(Some(_)) => {
            let detail = format!("contract made {}", form.status);
            let changed = AuditAction::ConfigurationChanged;
            audit(&state, &visit, &who, changed, &number, detail).await;
            Redirect::to("/backoffice/configuration?done=status").into_response()
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(failure) => failed(visit.lang, &failure),
    }
}
