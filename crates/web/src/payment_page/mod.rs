//! The hosted payment page at `redirectURL` (`/webpayment/{token}`): the buyer chooses
//! Chèque-Vacances Connect or a card, waits for the app's validation, pays the rest by card,
//! and goes back to the shop. French or English (the session's `languageCode`), usable without
//! JavaScript, every form protected against CSRF, a strict Content-Security-Policy.

mod messages;
mod page_post;
mod security;
mod templates;
mod view;

use crate::sandbox_app::SandboxAppLink;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::web_payment::SessionState;
use gateway::web_payments::{Snapshot, WebPaymentError};
use messages::{error_page, internal};
use page_post::{PageForm, PagePost};
use serde::Deserialize;
use view::{FormError, Inputs};

/// The payment page, its forms, its status poll and its assets, under `/webpayment`.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/webpayment", get(by_query))
        .route("/webpayment/{token}", get(show))
        .route("/webpayment/{token}/status", get(status))
        .route("/webpayment/{token}/ancv", post(start_ancv))
        .route("/webpayment/{token}/card", post(pay_card))
        .route("/webpayment/{token}/3ds", get(three_ds_return))
        .route("/webpayment/{token}/cancel", post(cancel))
        .route("/webpayment-assets/{file}", get(asset))
        .layer(middleware::from_fn(security::headers))
}

/// The Chèque-Vacances form: the buyer's ANCV identifier or e-mail.
#[derive(Deserialize, Default)]
#[serde(default)]
struct AncvForm {
    csrf: String,
    beneficiary: String,
}

/// A form with nothing but its secret (cancel).
#[derive(Deserialize, Default)]
#[serde(default)]
struct CsrfForm {
    csrf: String,
}

/// The card form. No `Debug`: the number and the CVV must never be printed.
#[derive(Deserialize, Default)]
#[serde(default)]
struct CardForm {
    csrf: String,
    contract: String,
    number: String,
    expiry: String,
    cvv: String,
}

impl PageForm for AncvForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl PageForm for CsrfForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl PageForm for CardForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

#[derive(Deserialize)]
struct ChallengeReturn {
    challenge: Option<String>,
}

async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match state.web_payments.refresh(&token).await {
        Ok(snapshot) => render(&state, &snapshot, None, "", StatusCode::OK),
        Err(error) => error_page(&error),
    }
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
    paylinetoken: Option<String>,
}

/// `/webpayment?token=…` (or `paylinetoken=…`): the same page, for links built the Payline way.
async fn by_query(Query(query): Query<TokenQuery>) -> Response {
    match query.token.or(query.paylinetoken) {
        Some(token) => see_page(&token),
        None => (StatusCode::BAD_REQUEST, "token is missing").into_response(),
    }
}

/// For the page's script: the state, to reload when it changes.
async fn status(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match state.web_payments.refresh(&token).await {
        Ok(snapshot) => {
            let session = &snapshot.payment.session;
            axum::Json(serde_json::json!({"state": session.state.as_str(), "code": session.return_code().code()})).into_response()
        }
        Err(WebPaymentError::UnknownToken) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => internal(&error),
    }
}

async fn start_ancv(
    State(state): State<AppState>,
    PagePost {
        token,
        snapshot,
        form,
    }: PagePost<AncvForm>,
) -> Response {
    match state
        .web_payments
        .start_ancv(&token, &form.beneficiary)
        .await
    {
        Ok(_) => see_page(&token),
        Err(WebPaymentError::Invalid(error)) => {
            let form_error = FormError {
                message: card_error_message(&snapshot, &error),
                field: Some(error.field.clone()),
            };
            render(
                &state,
                &snapshot,
                Some(form_error),
                &form.beneficiary,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(WebPaymentError::NotNow(message)) => render(
            &state,
            &snapshot,
            Some(FormError {
                message,
                field: None,
            }),
            &form.beneficiary,
            StatusCode::CONFLICT,
        ),
        Err(error) => error_page(&error),
    }
}

async fn pay_card(
    State(state): State<AppState>,
    PagePost {
        token,
        snapshot,
        form,
    }: PagePost<CardForm>,
) -> Response {
    let card = domain::card::CardInput::new(form.number, form.expiry, form.cvv);
    match state
        .web_payments
        .pay_card(&token, &form.contract, card)
        .await
    {
        Ok(after) => match after.card.as_ref().and_then(|c| c.challenge_url.clone()) {
            Some(challenge) if after.payment.session.state == SessionState::CardInProgress => {
                Redirect::to(&challenge).into_response()
            }
            _ => see_page(&token),
        },
        Err(WebPaymentError::Invalid(error)) => {
            let form_error = FormError {
                message: card_error_message(&snapshot, &error),
                field: Some(error.field.clone()),
            };
            render(
                &state,
                &snapshot,
                Some(form_error),
                "",
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(WebPaymentError::NotNow(message)) => render(
            &state,
            &snapshot,
            Some(FormError {
                message,
                field: None,
            }),
            "",
            StatusCode::CONFLICT,
        ),
        Err(error) => error_page(&error),
    }
}

/// The ACS sends the buyer back here with `?challenge=<ref>`.
async fn three_ds_return(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<ChallengeReturn>,
) -> Response {
    let Some(challenge) = query.challenge else {
        return see_page(&token);
    };
    match state
        .web_payments
        .complete_three_ds(&token, &challenge)
        .await
    {
        Ok(_) | Err(WebPaymentError::NotNow(_)) => see_page(&token),
        Err(error) => error_page(&error),
    }
}

/// A card field error in the buyer's language.
fn card_error_message(snapshot: &Snapshot, error: &domain::FieldError) -> String {
    crate::texts::field_error(view::language(snapshot), &error.field)
        .unwrap_or(&error.rule)
        .to_owned()
}

async fn cancel(
    State(state): State<AppState>,
    PagePost { token, .. }: PagePost<CsrfForm>,
) -> Response {
    match state.web_payments.cancel(&token).await {
        Ok(_) | Err(WebPaymentError::NotNow(_)) => see_page(&token),
        Err(error) => error_page(&error),
    }
}

async fn asset(Path(file): Path<String>) -> Response {
    match templates::asset(&file) {
        Some((content_type, body)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// After a POST, the page again (303: reloading it never resubmits the form).
fn see_page(token: &str) -> Response {
    Redirect::to(&gateway::web_payments::page_path(token)).into_response()
}

fn render(
    state: &AppState,
    snapshot: &Snapshot,
    form_error: Option<FormError>,
    beneficiary: &str,
    status: StatusCode,
) -> Response {
    let sandbox = SandboxAppLink::of(state);
    let page = view::build(Inputs {
        snapshot,
        now: state.web_payments.now(),
        form_error,
        beneficiary,
        sandbox,
        challenge_url: snapshot
            .card
            .as_ref()
            .and_then(|card| card.challenge_url.clone()),
    });
    match templates::environment()
        .get_template("page.html")
        .and_then(|t| t.render(&page))
    {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => internal(&error),
    }
}
