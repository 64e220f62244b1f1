//! The hosted payment page at `redirectURL` (`/webpayment/{token}`): the buyer chooses
//! Chèque-Vacances Connect or a card, waits for the app's validation, pays the rest by card,
//! and goes back to the shop. French or English (the session's `languageCode`), usable without
//! JavaScript, every form protected against CSRF, a strict Content-Security-Policy.
//!
//! - `view`: what a session shows (the choice step as one disclosure per method, the waiting
//!   and partial steps, the results with their announced return to the shop);
//! - `form_errors`: a refused form in the page's words, with its status (422, 409, 429);
//! - `messages`: whole-page messages when there is no session to show (404, 403, 500);
//! - `assets/payment.js` updates the view in place while a partner is at work (a `<noscript>`
//!   refresh without JavaScript).

mod form_errors;
mod messages;
mod page_post;
mod security;
mod templates;
mod view;

use crate::sandbox_app::SandboxAppLink;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::web_payment::SessionState;
use form_errors::FormProblem;
use gateway::web_payments::{Snapshot, WebPaymentError};
use messages::{Message, error_page, internal};
use page_post::{PageForm, PagePost};
use serde::Deserialize;
use view::{Inputs, Kept};

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
    holder: String,
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
        Ok(snapshot) => render(&state, &snapshot, None, Kept::default(), StatusCode::OK),
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
        // No payment named: the buyer reads the unknown-payment page, in their words.
        None => messages::page(StatusCode::BAD_REQUEST, Message::UnknownPayment, None),
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
    let outcome = state
        .web_payments
        .start_ancv(&token, &form.beneficiary)
        .await;
    let error = match outcome {
        Ok(_) => return see_page(&token),
        Err(error) => error,
    };
    let kept = Kept {
        beneficiary: form.beneficiary,
        ..Kept::default()
    };
    match form_errors::ancv(&error, view::language(&snapshot)) {
        Some(problem) => refused_form(&state, &token, snapshot, problem, kept).await,
        None => error_page(&error),
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
    // What is shown again if the card is refused: never the security code.
    let kept = Kept {
        card_number: form.number.clone(),
        card_expiry: form.expiry.clone(),
        card_holder: form.holder,
        ..Kept::default()
    };
    let card = domain::card::CardInput::new(form.number, form.expiry, form.cvv);
    let outcome = state
        .web_payments
        .pay_card(&token, &form.contract, card)
        .await;
    let error = match outcome {
        Ok(after) => return after_card(&token, &after),
        Err(error) => error,
    };
    match form_errors::card(&error, view::language(&snapshot)) {
        Some(problem) => refused_form(&state, &token, snapshot, problem, kept).await,
        None => error_page(&error),
    }
}

/// After a card payment was asked: to the bank's 3-D Secure page when it wants a challenge,
/// else the page again.
fn after_card(token: &str, after: &Snapshot) -> Response {
    match after.card.as_ref().and_then(|c| c.challenge_url.as_deref()) {
        Some(challenge) if after.payment.session.state == SessionState::CardInProgress => {
            Redirect::to(challenge).into_response()
        }
        _ => see_page(token),
    }
}

/// The page again with the form's problem, what the buyer typed, and the problem's status. The
/// session is read again: the refusal may have moved it (another tab, an ANCV answer).
async fn refused_form(
    state: &AppState,
    token: &str,
    before: Snapshot,
    problem: FormProblem,
    kept: Kept,
) -> Response {
    let snapshot = state.web_payments.snapshot(token).await.unwrap_or(before);
    let mut response = render(state, &snapshot, Some(problem.error), kept, problem.status);
    if let Some(seconds) = problem.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
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
    form_error: Option<view::FormError>,
    kept: Kept,
    status: StatusCode,
) -> Response {
    let page = view::build(Inputs {
        snapshot,
        now: state.web_payments.now(),
        form_error,
        kept,
        sandbox: SandboxAppLink::of(state),
    });
    match templates::environment()
        .get_template("page.html")
        .and_then(|t| t.render(&page))
    {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => internal(&error),
    }
}
