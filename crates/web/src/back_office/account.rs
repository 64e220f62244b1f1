//! The pages behind a session: the home page and the change of password. Without a live
//! session they send the browser to the sign-in form; with a one-time password, to the change
//! form first.

use super::render::{error, failed, page};
use super::visit::{Visit, lang_cookie, secure};
use crate::page_policy::{csrf_matches, same_origin};
use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::back_office_user::{Password, Role};
use domain::merchant::MerchantId;
use gateway::ConfigError;
use gateway::back_office_sign_in::ActiveSession;
use minijinja::context;
use serde::Deserialize;

/// The change-of-password form. No `Debug`: passwords must never be printed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
    confirm: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct HomeQuery {
    changed: Option<String>,
}

/// The request's live session, or the answer to give instead (to the sign-in form, or 500).
pub(super) async fn signed_in(state: &AppState, visit: &Visit) -> Result<ActiveSession, Response> {
    let Some(token) = visit.session.as_deref() else {
        return Err(Redirect::to("/backoffice/sign-in").into_response());
    };
    match state.sign_in.session(token).await {
        Ok(Some(session)) => Ok(session),
        Ok(None) => Err(Redirect::to("/backoffice/sign-in").into_response()),
        Err(error) => Err(failed(visit.lang, &error)),
    }
}

/// Whose back office the session shows: the user's merchant, or the one a platform operator
/// opened.
pub(super) fn merchant_of(session: &ActiveSession) -> Option<MerchantId> {
    match session.user.role {
        Role::Platform => session.acting_for.clone(),
        _ => session.user.merchant_id.clone(),
    }
}

/// `GET /backoffice/`.
pub(super) async fn home(
    State(state): State<AppState>,
    visit: Visit,
    axum::extract::Query(query): axum::extract::Query<HomeQuery>,
) -> Response {
    let session = match signed_in(&state, &visit).await {
        Ok(session) => session,
        Err(answer) => return answer,
    };
    if session.user.must_change_password {
        return Redirect::to("/backoffice/password").into_response();
    }
    let user = &session.user;
    let texts = visit.lang.texts();
    let mut response = page(
        "home.html",
        visit.lang,
        context! {
            csrf => session.csrf_secret,
            email => user.email.as_str(),
            role => user.role.as_str(),
            merchant => merchant_of(&session).map(|id| id.to_string()),
            platform => user.role == Role::Platform,
            admin => user.role.may_configure(),
            homologation => state.homologation,
            notice => query.changed.is_some().then_some(texts.password_changed),
        },
        StatusCode::OK,
    );
    remember_lang(&mut response, &state, &visit);
    response
}

/// `GET /backoffice/password`.
pub(super) async fn password_form(State(state): State<AppState>, visit: Visit) -> Response {
    let session = match signed_in(&state, &visit).await {
        Ok(session) => session,
        Err(answer) => return answer,
    };
    let mut response = password_page(&visit, &session, None, None, StatusCode::OK);
    remember_lang(&mut response, &state, &visit);
    response
}

/// `POST /backoffice/password`: 303 to the home page once changed; 422 naming the field.
pub(super) async fn change_password(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Response {
    let session = match signed_in(&state, &visit).await {
        Ok(session) => session,
        Err(answer) => return answer,
    };
    let texts = visit.lang.texts();
    if !same_origin(&headers, &state.public_base) || !csrf_matches(&session.csrf_secret, &form.csrf)
    {
        return error(visit.lang, StatusCode::FORBIDDEN, texts.form_expired);
    }
    let refused = |field, message: &str| {
        password_page(
            &visit,
            &session,
            Some(field),
            Some(message),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    if form.new != form.confirm {
        return refused("confirm", texts.password_mismatch);
    }
    let token = visit.session.as_deref().unwrap_or_default();
    let current = Password::from_clear(&form.current);
    match state
        .sign_in
        .change_password(token, &current, &form.new, &visit.address)
        .await
    {
        Ok(_) => Redirect::to("/backoffice/?changed=1").into_response(),
        Err(ConfigError::Invalid(field)) => match field.field.as_str() {
            "current_password" => refused("current", texts.password_wrong),
            _ if field.rule.starts_with("must differ") => refused("new", texts.password_same),
            "new_password" => refused("new", texts.password_rule),
            _ => Redirect::to("/backoffice/sign-in").into_response(),
        },
        Err(error) => failed(visit.lang, &error),
    }
}

fn password_page(
    visit: &Visit,
    session: &ActiveSession,
    field: Option<&str>,
    message: Option<&str>,
    status: StatusCode,
) -> Response {
    page(
        "password.html",
        visit.lang,
        context! {
            csrf => session.csrf_secret,
            first => session.user.must_change_password,
            field => field,
            message => message,
        },
        status,
    )
}

fn remember_lang(response: &mut Response, state: &AppState, visit: &Visit) {
    if visit.lang_switched
        && let Ok(value) = lang_cookie(visit, secure(state)).parse()
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}
