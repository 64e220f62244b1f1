//! The token API's calls: each one is a step of the same session state machine the hosted page
//! drives, answered with the SessionState the widget shows next.

use super::session_state::{Context, FormError, session_state};
use crate::problem::Problem;
use crate::sandbox_app::SandboxAppLink;
use crate::state::AppState;
use crate::texts::{beneficiary_message, field_message, texts, too_many_requests};
use crate::widget_state::WidgetState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::card::CardInput;
use domain::contract::CardCode;
use domain::web_payment::DataUpdate;
use gateway::web_payments::{Snapshot, WebPaymentError};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// `GET state/current`: where the session stands (opening it, as the page does).
pub(super) async fn current_state(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Response {
    match state.web_payments.refresh(&token).await {
        Ok(snapshot) => answer(&state, &snapshot, None),
        Err(error) => Problem::of(error).into_response(),
    }
}

/// `GET cardCode/{cardCode}/activewaiting/isDone`: `true` once nothing is awaited any more
/// (the widget then fetches the state).
pub(super) async fn is_done(
    State(state): State<AppState>,
    Path((token, _card_code)): Path<(String, String)>,
) -> Response {
    match state.web_payments.refresh(&token).await {
        Ok(snapshot) => {
            Json(WidgetState::of(&snapshot) != WidgetState::ActiveWaiting).into_response()
        }
        Err(error) => Problem::of(error).into_response(),
    }
}

/// `POST cancel`: the buyer's Cancel button (and `Payline.Api.endToken`); cancelling a session
/// that is already over answers its state.
pub(super) async fn cancel(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match state.web_payments.cancel(&token).await {
        Ok(snapshot) => answer(&state, &snapshot, None),
        Err(WebPaymentError::NotNow(_)) => current_state(State(state), Path(token)).await,
        Err(error) => Problem::of(error).into_response(),
    }
}

/// `paymentRequest`'s body: an alternative means of payment (here Chèque-Vacances Connect; the
/// session's ANCV contract is used whatever `contractNumber` says).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PaymentRequest {
    card_code: String,
    #[serde(default)]
    payment_params: Map<String, Value>,
}

/// `POST paymentRequest`: asks the beneficiary's Chèque-Vacances app for the amount.
pub(super) async fn payment_request(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let request: PaymentRequest = match json_body(&body) {
        Ok(request) => request,
        Err(problem) => return problem.into_response(),
    };
    if request.card_code != CardCode::AncvConnect.to_string() {
        return Problem::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "cardCode",
            "must be ANCV_CONNECT (cards are paid with securedPaymentRequest)",
        )
        .into_response();
    }
    let beneficiary = text_param(&request.payment_params, "BENEFICIARY");
    match state.web_payments.start_ancv(&token, beneficiary).await {
        Ok(snapshot) => answer(&state, &snapshot, None),
        Err(error) => refused(&state, &token, error, Form::Ancv).await,
    }
}

/// `securedPaymentRequest`'s body. No `Debug`: it holds the card number and the CVV.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SecuredPaymentRequest {
    contract_number: String,
    merchant_return_url: Option<String>,
    is_embedded_redirection_allowed: Option<bool>,
    #[serde(default)]
    secured_payment_params: Map<String, Value>,
    #[serde(default)]
    payment_params: Map<String, Value>,
}

/// `POST securedPaymentRequest`: a card payment of what is left to pay; a 3-D Secure challenge
/// comes back as `PAYMENT_REDIRECT_NO_RESPONSE`.
pub(super) async fn secured_payment_request(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let request: SecuredPaymentRequest = match json_body(&body) {
        Ok(request) => request,
        Err(problem) => return problem.into_response(),
    };
    let return_url = match challenge_return_url(&state, &token, &request) {
        Ok(url) => url,
        Err(problem) => return problem.into_response(),
    };
    let card = CardInput::new(
        text_param(&request.secured_payment_params, "PAN"),
        text_param(&request.payment_params, "EXPI_DATE"),
        text_param(&request.secured_payment_params, "CVV"),
    );
    let paid = state
        .web_payments
        .pay_card_returning_to(&token, &request.contract_number, card, return_url)
        .await;
    match paid {
        Ok(snapshot) => answer(&state, &snapshot, None),
        Err(error) => refused(&state, &token, error, Form::Card).await,
    }
}

/// Where the ACS sends the buyer after a challenge: a page that tells the widget's iframe it is
/// over, or (no embedded redirection) back to the merchant's page.
fn challenge_return_url(
    state: &AppState,
    token: &str,
    request: &SecuredPaymentRequest,
) -> Result<String, Problem> {
    let base = format!(
        "{}{}",
        state.public_base,
        super::three_ds_return_path(token)
    );
    if request.is_embedded_redirection_allowed.unwrap_or(true) {
        return Ok(format!("{base}?mode=iframe"));
    }
    let back = match request.merchant_return_url.as_deref() {
        Some(url) if is_web_url(url) => url.to_owned(),
        Some(_) => {
            return Err(Problem::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "merchantReturnUrl",
                "must be an absolute http(s) URL of at most 2048 characters",
            ));
        }
        None => format!(
            "{}{}",
            state.public_base,
            gateway::web_payments::page_path(token)
        ),
    };
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("back", &back)
        .finish();
    Ok(format!("{base}?{query}"))
}

/// An absolute `http`/`https` URL a browser can be sent to.
pub(super) fn is_web_url(url: &str) -> bool {
    url.len() <= 2048
        && (url.starts_with("https://") || url.starts_with("http://"))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// The request field a card error is about.
fn card_field(service_field: &str) -> &'static str {
    match service_field {
        domain::card::NUMBER_FIELD => "PAN",
        domain::card::EXPIRY_FIELD => "EXPI_DATE",
        "card.cvv" => "CVV",
        _ => "contractNumber",
    }
}

/// `PUT webpaymentdata`'s body: what the merchant's page changes (minor units).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DataUpdateBody {
    amount: Option<i64>,
    order_ref: Option<String>,
    buyer: Option<BuyerUpdate>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BuyerUpdate {
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
}

/// `PUT webpaymentdata`: the merchant's update of amount, order or buyer before any attempt
/// (only where the point of sale allows it) → `{"status": 200}`.
pub(super) async fn update_web_payment_data(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let body: DataUpdateBody = match json_body(&body) {
        Ok(body) => body,
        Err(problem) => return problem.into_response(),
    };
    let buyer = body.buyer.unwrap_or(BuyerUpdate {
        email: None,
        first_name: None,
        last_name: None,
    });
    let update = DataUpdate {
        amount: body.amount,
        order_ref: body.order_ref,
        buyer_email: buyer.email,
        buyer_first_name: buyer.first_name,
        buyer_last_name: buyer.last_name,
    };
    match state.web_payments.update_data(&token, &update).await {
        Ok(_) => Json(serde_json::json!({"status": 200})).into_response(),
        Err(error) => Problem::of(error).into_response(),
    }
}

/// A request field's text (numbers are taken as typed); empty when absent.
fn text_param<'a>(params: &'a Map<String, Value>, name: &str) -> &'a str {
    params.get(name).and_then(Value::as_str).unwrap_or("")
}

/// The body as `T`; malformed JSON or a wrong type is a 400 saying where.
pub(super) fn json_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    serde_json::from_slice(body).map_err(|error| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            format!("the body is not the JSON this call takes: {error}"),
        )
    })
}

/// 200 with the session's state.
fn answer(state: &AppState, snapshot: &Snapshot, form_error: Option<FormError>) -> Response {
    let context = Context {
        public_base: &state.public_base,
        sandbox: SandboxAppLink::of(state),
        now_millis: state.web_payments.now().millis(),
        form_error,
    };
    Json(session_state(snapshot, context)).into_response()
}

/// Which form a refused request came from.
#[derive(Clone, Copy)]
enum Form {
    Ancv,
    Card,
}

/// A refused payment request, in the session's language: a field to correct is the session's
/// state with its `formError` (200, as the widget shows it on the field), anything else a
/// problem whose `detail` the widget may show to the buyer.
async fn refused(state: &AppState, token: &str, error: WebPaymentError, form: Form) -> Response {
    let snapshot = match &error {
        WebPaymentError::UnknownToken | WebPaymentError::Store(_) => None,
        _ => state.web_payments.snapshot(token).await.ok(),
    };
    let Some(snapshot) = snapshot else {
        return Problem::of(error).into_response();
    };
    let language = snapshot.payment.request.language;
    let t = texts(language);
    let (field, message) = match (&error, form) {
        (WebPaymentError::Invalid(invalid), Form::Ancv) => {
            ("BENEFICIARY", field_message(language, invalid).to_owned())
        }
        (WebPaymentError::Invalid(invalid), Form::Card) => (
            card_field(&invalid.field),
            field_message(language, invalid).to_owned(),
        ),
        (WebPaymentError::Beneficiary(problem), _) => (
            "BENEFICIARY",
            beneficiary_message(language, *problem).to_owned(),
        ),
        (
            WebPaymentError::TooManyAttempts {
                retry_after_seconds,
            },
            _,
        ) => {
            let detail = too_many_requests(language, *retry_after_seconds);
            return Problem::of(error)
                .saying(detail, Some("BENEFICIARY"))
                .into_response();
        }
        (WebPaymentError::NotNow(_) | WebPaymentError::NotAllowed(_), _) => {
            let detail = match form {
                Form::Ancv => t.ancv_not_now,
                Form::Card => t.card_not_now,
            };
            return Problem::of(error)
                .saying(detail.to_owned(), None)
                .into_response();
        }
        _ => return Problem::of(error).into_response(),
    };
    answer(state, &snapshot, Some(FormError { field, message }))
}
