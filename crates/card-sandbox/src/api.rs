//! The sandbox's JSON endpoints (see [`card::wire`] for the shapes) and its admin endpoints.
//!
//! Bodies are read by hand, not with axum's `Json` extractor: its rejection message quotes the
//! offending value, which could be a card number. Errors here never repeat what was sent.

use crate::acquiring::AuthorizeInput;
use crate::error::SandboxError;
use crate::faults::Faults;
use crate::sandbox::Inner;
use crate::storage::{self, SandboxCardTransaction};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use card::acquirer::Action;
use card::ledger::OperationKind;
use card::wire::{
    CONFLICT, ErrorBody, INTERNAL, INVALID_REQUEST, ORDER_REF_MAX_CHARS, OperationBody,
    OperationRequestBody, RemitRequestBody, RemitResponseBody, RemittedBody, ThreeDsBody,
    TransactionBody, UNKNOWN_REFERENCE,
};
use domain::card::{CardData, CardNumber, Cvv, Expiry};
use domain::field_error::text;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering;

pub(super) fn router(inner: Arc<Inner>) -> Router {
    Router::new()
        .route("/api/authorizations", post(authorize))
        .route("/api/authorizations/{reference}", get(status))
        .route("/api/authorizations/{reference}/three-ds", post(three_ds))
        .route("/api/authorizations/{reference}/captures", post(capture))
        .route("/api/authorizations/{reference}/resets", post(reset))
        .route("/api/authorizations/{reference}/refunds", post(refund))
        .route("/api/remittances", post(remit))
        .route(
            "/admin/faults",
            get(faults).post(set_faults).delete(reset_faults),
        )
        .route("/admin/remit", post(remit_all))
        .route("/admin/ledger", get(ledger))
        .with_state(inner)
}

#[derive(Deserialize)]
struct AuthorizeBody {
    reference: String,
    /// Absent from older clients.
    #[serde(default)]
    order_ref: Option<String>,
    amount: i64,
    currency: i64,
    action: i64,
    card: CardBody,
    #[serde(default)]
    three_ds_return_url: Option<String>,
}

#[derive(Deserialize)]
struct CardBody {
    number: String,
    expiry: String,
    cvv: String,
}

impl fmt::Debug for CardBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CardBody(***)")
    }
}

async fn authorize(State(inner): State<Arc<Inner>>, body: Bytes) -> Response {
    inner.authorization_requests.fetch_add(1, Ordering::SeqCst);
    let faults = match inner.faults_for_request().await {
        Ok(faults) => faults,
        Err(error) => return error.into_response(),
    };
    let input = match parse::<AuthorizeBody>(&body).and_then(authorize_input) {
        Ok(input) => input,
        Err(error) => return error.into_response(),
    };
    let reference = input.reference.clone();
    match inner.authorize(input, &faults).await {
        Ok(state) => {
            if faults.timeout_after_authorizing {
                tracing::warn!(%reference, "fault timeout_after_authorizing: the authorization is done and never answered");
                // Ten minutes is "never" for any caller, and the task still ends.
                tokio::time::sleep(std::time::Duration::from_secs(600)).await;
                let body = ErrorBody {
                    error: INTERNAL.to_owned(),
                    message: "no answer (timeout_after_authorizing)".to_owned(),
                };
                return (StatusCode::GATEWAY_TIMEOUT, Json(body)).into_response();
            }
            Json(TransactionBody::new(&reference, &state)).into_response()
        }
        Err(error) => error.into_response(),
    }
}

fn authorize_input(body: AuthorizeBody) -> Result<AuthorizeInput, SandboxError> {
    let invalid = |message: String| SandboxError::Invalid(message);
    if !plain_reference(&body.reference) {
        return Err(invalid(
            "reference: must be 1 to 64 letters, digits, '-' or '_'".into(),
        ));
    }
    let order_ref = body
        .order_ref
        .as_deref()
        .map(|value| text("order_ref", value, ORDER_REF_MAX_CHARS))
        .transpose()
        .map_err(|e| invalid(e.to_string()))?;
    if body.amount <= 0 {
        return Err(invalid(
            "amount: must be a positive number of minor units".into(),
        ));
    }
    if !(1..=999).contains(&body.currency) {
        return Err(invalid("currency: must be an ISO 4217 numeric code".into()));
    }
    let action = Action::from_code(body.action)
        .ok_or_else(|| invalid("action: must be 100 or 101".into()))?;
    if let Some(url) = &body.three_ds_return_url
        && (!(url.starts_with("http://") || url.starts_with("https://")) || url.contains('#'))
    {
        return Err(invalid(
            "three_ds_return_url: must be an absolute http(s) URL without fragment".into(),
        ));
    }
    // Read straight into the card types; an expiry in the past is the table's business (01101).
    let number = CardNumber::parse(&body.card.number).map_err(|e| invalid(e.to_string()))?;
    let expiry = Expiry::parse(&body.card.expiry).map_err(|e| invalid(e.to_string()))?;
    let cvv = Cvv::parse(&body.card.cvv, number.brand()).map_err(|e| invalid(e.to_string()))?;
    Ok(AuthorizeInput {
        reference: body.reference,
        order_ref,
        amount: body.amount,
        currency: body.currency,
        action,
        card: CardData {
            number,
            expiry,
            cvv,
        },
        three_ds_return_url: body.three_ds_return_url,
    })
}

async fn status(State(inner): State<Arc<Inner>>, Path(reference): Path<String>) -> Response {
    let outcome = async {
        inner.faults_for_request().await?;
        inner.status(&reference).await
    };
    match outcome.await {
        Ok(Some(state)) => Json(TransactionBody::new(&reference, &state)).into_response(),
        Ok(None) => SandboxError::UnknownReference.into_response(),
        Err(error) => error.into_response(),
    }
}

async fn three_ds(
    State(inner): State<Arc<Inner>>,
    Path(reference): Path<String>,
    body: Bytes,
) -> Response {
    let outcome = async {
        inner.faults_for_request().await?;
        let body: ThreeDsBody = parse(&body)?;
        inner
            .complete_three_ds(&reference, &body.challenge_ref)
            .await
    };
    match outcome.await {
        Ok(state) => Json(TransactionBody::new(&reference, &state)).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn capture(
    State(inner): State<Arc<Inner>>,
    Path(reference): Path<String>,
    body: Bytes,
) -> Response {
    operate(&inner, OperationKind::Capture, &reference, &body).await
}

async fn reset(
    State(inner): State<Arc<Inner>>,
    Path(reference): Path<String>,
    body: Bytes,
) -> Response {
    operate(&inner, OperationKind::Reset, &reference, &body).await
}

async fn refund(
    State(inner): State<Arc<Inner>>,
    Path(reference): Path<String>,
    body: Bytes,
) -> Response {
    operate(&inner, OperationKind::Refund, &reference, &body).await
}

async fn operate(inner: &Inner, kind: OperationKind, reference: &str, body: &[u8]) -> Response {
    let outcome = async {
        inner.faults_for_request().await?;
        let body: OperationRequestBody = parse(body)?;
        if !plain_reference(&body.operation_ref) {
            return Err(SandboxError::Invalid(
                "operation_ref: must be 1 to 64 letters, digits, '-' or '_'".into(),
            ));
        }
        let result = inner
            .operate(kind, reference, &body.operation_ref, body.amount)
            .await?;
        Ok(OperationBody::new(&body.operation_ref, &result))
    };
    match outcome.await {
        Ok(answer) => Json(answer).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn remit(State(inner): State<Arc<Inner>>, body: Bytes) -> Response {
    let outcome = async {
        inner.faults_for_request().await?;
        let body: RemitRequestBody = parse(&body)?;
        inner.remit(&body.references).await
    };
    match outcome.await {
        Ok(remitted) => Json(RemitResponseBody {
            transactions: remitted.iter().map(RemittedBody::from).collect(),
        })
        .into_response(),
        Err(error) => error.into_response(),
    }
}

async fn faults(State(inner): State<Arc<Inner>>) -> Response {
    faults_answer(inner.faults().await)
}

async fn set_faults(State(inner): State<Arc<Inner>>, body: Bytes) -> Response {
    let outcome = async { inner.set_faults(parse::<Faults>(&body)?).await };
    faults_answer(outcome.await)
}

async fn reset_faults(State(inner): State<Arc<Inner>>) -> Response {
    faults_answer(inner.set_faults(Faults::default()).await)
}

/// The faults now in force, or why not.
fn faults_answer(outcome: Result<Faults, SandboxError>) -> Response {
    match outcome {
        Ok(faults) => Json(faults).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn remit_all(State(inner): State<Arc<Inner>>) -> Response {
    match inner.remit_all().await {
        Ok(remitted) => Json(json!({ "remitted": remitted })).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn ledger(State(inner): State<Arc<Inner>>) -> Response {
    let rows = async {
        let mut uow = inner.store.read().await?;
        storage::ledger(&mut uow).transactions().await
    };
    match rows.await {
        Ok(rows) => Json(rows.iter().map(ledger_row).collect::<Vec<_>>()).into_response(),
        Err(error) => SandboxError::from(error).into_response(),
    }
}

/// One ledger row as the admin API shows it: cvgate's transaction id and the merchant's order
/// reference first, so that a tester can tie the row to both.
fn ledger_row(row: &SandboxCardTransaction) -> serde_json::Value {
    json!({
        "reference": row.reference, "orderRef": row.order_ref, "state": row.state,
        "decline": row.decline, "amount": row.amount, "currency": row.currency,
        "action": row.action, "masked_number": row.masked_number,
        "authorized": row.authorized_amount, "captured": row.captured_amount,
        "reset": row.reset_amount, "remitted": row.remitted_amount,
        "refunded": row.refunded_amount,
    })
}

/// Parses a JSON body; the error says what was expected, never what was sent.
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, SandboxError> {
    serde_json::from_slice(body)
        .map_err(|_| SandboxError::Invalid("the body is not the expected JSON object".into()))
}

fn plain_reference(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl IntoResponse for SandboxError {
    fn into_response(self) -> Response {
        let (status, error) = match &self {
            SandboxError::Invalid(_) => (StatusCode::BAD_REQUEST, INVALID_REQUEST),
            SandboxError::UnknownReference | SandboxError::UnknownChallenge => {
                (StatusCode::NOT_FOUND, UNKNOWN_REFERENCE)
            }
            SandboxError::Conflict(_) => (StatusCode::CONFLICT, CONFLICT),
            SandboxError::Corrupt(_) | SandboxError::Store(_) => {
                tracing::error!(error = %self, "card sandbox failure");
                let body = ErrorBody {
                    error: INTERNAL.to_owned(),
                    message: "internal error".to_owned(),
                };
                return (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response();
            }
        };
        let body = ErrorBody {
            error: error.to_owned(),
            message: self.to_string(),
        };
        (status, Json(body)).into_response()
    }
}
