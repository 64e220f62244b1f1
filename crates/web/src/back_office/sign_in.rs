//! `GET/POST /backoffice/sign-in` and `POST /backoffice/sign-out`. Before a session exists the
//! form's secret is a double submit: a random value in an HttpOnly cookie and in the form, which
//! another site can neither read nor set. Every sign-in opens a new session (whatever cookie the
//! browser came with), so a session id planted beforehand is worth nothing.

use super::render::{error, failed, page};
use super::texts::Lang;
use super::visit::{FORM_COOKIE, SESSION_COOKIE, Visit, lang_cookie, secure, set_cookie};
use crate::page_policy::{csrf_matches, same_origin};
use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::back_office_user::Password;
use domain::random::{OsRandom, Random};
use gateway::back_office_sign_in::SignIn;
use minijinja::context;
use serde::Deserialize;

/// The sign-in form. No `Debug`: the password must never be printed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SignInForm {
    csrf: String,
    email: String,
    password: String,
}

/// A form with nothing but its secret.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CsrfForm {
    pub(super) csrf: String,
}

/// `GET /backoffice/sign-in`: the form (its secret made now unless the browser has one).
pub(super) async fn form(State(state): State<AppState>, visit: Visit) -> Response {
    let secret = visit
        .form_secret
        .clone()
        .unwrap_or_else(|| OsRandom.hex(32));
    let mut response = sign_in_page(&visit, &secret, "", None, StatusCode::OK);
    keep_choices(&mut response, &state, &visit, &secret);
    response
}

/// `POST /backoffice/sign-in`: 303 to the home page with a new session cookie; 401 with one
/// message for an unknown address and a wrong password; 429 when throttled; 403 for a post
/// from elsewhere or without the form's secret (nothing is checked then).
pub(super) async fn submit(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let texts = visit.lang.texts();
    let Some(secret) = visit.form_secret.as_deref() else {
        return error(visit.lang, StatusCode::FORBIDDEN, texts.form_expired);
    };
    if !same_origin(&headers, &state.public_base) || !csrf_matches(secret, &form.csrf) {
        return error(visit.lang, StatusCode::FORBIDDEN, texts.form_expired);
    }
    let password = Password::from_clear(&form.password);
    match state
        .sign_in
        .sign_in(&form.email, &password, &visit.address)
        .await
    {
        Ok(SignIn::SignedIn { token, .. }) => {
            let secure = secure(&state);
            let mut response = Redirect::to("/backoffice/").into_response();
            let headers = response.headers_mut();
            for cookie in [
                set_cookie(SESSION_COOKIE, &token, "Lax", secure, None),
                set_cookie(FORM_COOKIE, "", "Strict", secure, Some(0)),
            ] {
                if let Ok(value) = cookie.parse() {
                    headers.append(header::SET_COOKIE, value);
                }
            }
            response
        }
        Ok(SignIn::Refused) => sign_in_page(
            &visit,
            secret,
            &form.email,
            Some(texts.refused.to_owned()),
            StatusCode::UNAUTHORIZED,
        ),
        Ok(SignIn::Throttled {
            retry_after_seconds,
        }) => {
            let minutes = retry_after_seconds.div_ceil(60).to_string();
            let message = texts.throttled.replace("{n}", &minutes);
            let mut response = sign_in_page(
                &visit,
                secret,
                &form.email,
                Some(message),
                StatusCode::TOO_MANY_REQUESTS,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after_seconds.into());
            response
        }
        Err(error) => failed(visit.lang, &error),
    }
}

/// `POST /backoffice/sign-out`: ends the session (with its form's secret) and forgets the
/// cookie; 303 to the sign-in form.
pub(super) async fn sign_out(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let texts = visit.lang.texts();
    let Some(token) = visit.session.as_deref() else {
        return Redirect::to("/backoffice/sign-in").into_response();
    };
    let session = match state.sign_in.session(token).await {
        Ok(session) => session,
        Err(error) => return failed(visit.lang, &error),
    };
    let allowed = session.is_some_and(|session| csrf_matches(&session.csrf_secret, &form.csrf));
    if !same_origin(&headers, &state.public_base) || !allowed {
        return error(visit.lang, StatusCode::FORBIDDEN, texts.form_expired);
    }
    if let Err(error) = state.sign_in.sign_out(token, &visit.address).await {
        return failed(visit.lang, &error);
    }
    let mut response = Redirect::to("/backoffice/sign-in").into_response();
    let gone = set_cookie(SESSION_COOKIE, "", "Lax", secure(&state), Some(0));
    if let Ok(value) = gone.parse() {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

fn sign_in_page(
    visit: &Visit,
    secret: &str,
    email: &str,
    message: Option<String>,
    status: StatusCode,
) -> Response {
    let lang: Lang = visit.lang;
    page(
        "sign_in.html",
        lang,
        context! { csrf => secret, email => email, message => message },
        status,
    )
}

/// The form's secret and the chosen language, kept in their cookies.
fn keep_choices(response: &mut Response, state: &AppState, visit: &Visit, secret: &str) {
    let secure = secure(state);
    let mut cookies = vec![set_cookie(FORM_COOKIE, secret, "Strict", secure, None)];
    if visit.lang_switched {
        cookies.push(lang_cookie(visit, secure));
    }
    for cookie in cookies {
        if let Ok(value) = cookie.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
}
