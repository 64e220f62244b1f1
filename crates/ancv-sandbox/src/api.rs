//! ANCV's acquisition API over HTTP (spec §1, §2): the four routes (with and without the trailing
//! slash), the faults, the seal — checked first, over the fields of the raw JSON, so that a body
//! missing a field still verifies and then gets BAD_REQUEST naming it — and the envelopes.

use crate::error::SandboxError;
use crate::faults::TIMEOUT_HOLD;
use crate::record::envelope;
use crate::sandbox::Sandbox;
use ancv::client::SEAL_HEADER;
use ancv::seal::Operation;
use ancv::wire::{Amount, CancellationRequest, CreateRequest, PayerRequest, Transaction};
use ancv::{API_PATH, ErrorCode};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::time::Duration;

enum Call {
    Create,
    Payer(String),
    Status(String),
    Cancellation(String),
}

impl Call {
    fn name(&self) -> &'static str {
        match self {
            Call::Create => "create",
            Call::Payer(_) => "payer",
            Call::Status(_) => "status",
            Call::Cancellation(_) => "cancellation",
        }
    }

    fn operation(&self) -> Operation<'_> {
        match self {
            Call::Create => Operation::Create,
            Call::Payer(id) => Operation::Payer { id },
            Call::Status(id) => Operation::Status { id },
            Call::Cancellation(id) => Operation::Cancellation { id },
        }
    }
}

pub(crate) fn routes() -> Router<Sandbox> {
    let base = format!("{API_PATH}/payment-transactions");
    let mut router = Router::new();
    for slash in ["", "/"] {
        router = router
            .route(&format!("{base}{slash}"), post(create))
            .route(&format!("{base}/{{id}}{slash}"), get(status))
            .route(&format!("{base}/{{id}}/payer{slash}"), post(payer))
            .route(
                &format!("{base}/{{id}}/cancellation{slash}"),
                post(cancellation),
            );
    }
    router
}

async fn create(State(sandbox): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    answer(sandbox, Call::Create, headers, body).await
}

async fn payer(
    State(sandbox): State<Sandbox>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    answer(sandbox, Call::Payer(id), headers, body).await
}

async fn status(
    State(sandbox): State<Sandbox>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    answer(sandbox, Call::Status(id), headers, Bytes::new()).await
}

async fn cancellation(
    State(sandbox): State<Sandbox>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    answer(sandbox, Call::Cancellation(id), headers, body).await
}

/// Faults around the call: latency first, an injected 500 before anything is done, and the held
/// answer after the commit.
async fn answer(sandbox: Sandbox, call: Call, headers: HeaderMap, body: Bytes) -> Response {
    // Read once per call: the same switches hold from its start to its answer.
    let faults = match sandbox.faults().await {
        Ok(faults) => faults,
        Err(error) => return error.into_response(),
    };
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    if faults.draws_error(sandbox.random()) {
        tracing::info!(
            call = call.name(),
            "ANCV sandbox: injected INTERNAL_SERVER_ERROR"
        );
        return SandboxError::refused(
            ErrorCode::InternalServerError,
            "internal server error (injected fault)",
        )
        .into_response();
    }
    let outcome = perform(&sandbox, &call, &headers, &body).await;
    if faults.timeout_after_commit {
        tracing::info!(
            call = call.name(),
            "ANCV sandbox: answer held back (timeout_after_commit)"
        );
        tokio::time::sleep(TIMEOUT_HOLD).await;
    }
    match outcome {
        Ok(transaction) => Json(envelope(transaction, sandbox.now())).into_response(),
        Err(error) => {
            if !matches!(error, SandboxError::Internal(_)) {
                tracing::info!(call = call.name(), code = error.error_code(), %error, "ANCV sandbox refused the call");
            }
            error.into_response()
        }
    }
}

async fn perform(
    sandbox: &Sandbox,
    call: &Call,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Transaction, SandboxError> {
    // A body that is not JSON signs as if every field were missing.
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let fields = call
        .operation()
        .fields(json.as_ref().unwrap_or(&Value::Null));
    // A header that is not visible ASCII is malformed, not missing.
    let header = headers
        .get(SEAL_HEADER)
        .map(|value| value.to_str().unwrap_or(""));
    sandbox
        .keyring()
        .verify(header, &fields)
        .map_err(|error| SandboxError::refused(ErrorCode::InvalidSeal, error.to_string()))?;
    let body = || {
        json.as_ref()
            .ok_or_else(|| SandboxError::invalid("body", "is not JSON"))
    };
    match call {
        Call::Create => sandbox.create_transaction(&create_request(body()?)?).await,
        Call::Payer(id) => sandbox.attach_payer(id, &payer_request(body()?)?).await,
        Call::Status(id) => sandbox.transaction_status(id).await,
        Call::Cancellation(id) => {
            sandbox
                .cancel_transaction(id, &cancellation_request(body()?)?)
                .await
        }
    }
}

fn create_request(body: &Value) -> Result<CreateRequest, SandboxError> {
    require(
        body,
        &[
            "/merchant/shopId",
            "/merchant/serviceProviderId",
            "/order/id",
            "/order/paymentId",
            "/order/amount/total",
            "/order/amount/currency",
            "/paymentMethod/tspdMode",
            "/paymentMethod/captureMode",
            "/redirectUrls/returnUrl",
            "/redirectUrls/cancelUrl",
            "/requestDate",
        ],
    )?;
    part::<Amount>(body, "/order/amount")?;
    Ok(CreateRequest {
        merchant: part(body, "/merchant")?,
        order: part(body, "/order")?,
        payment_method: part(body, "/paymentMethod")?,
        redirect_urls: part(body, "/redirectUrls")?,
        request_date: part(body, "/requestDate")?,
    })
}

fn payer_request(body: &Value) -> Result<PayerRequest, SandboxError> {
    require(
        body,
        &[
            "/payer/beneficiaryId",
            "/payer/amount/total",
            "/payer/amount/currency",
            "/requestDate",
        ],
    )?;
    part::<Amount>(body, "/payer/amount")?;
    Ok(PayerRequest {
        payer: part(body, "/payer")?,
        request_date: part(body, "/requestDate")?,
    })
}

fn cancellation_request(body: &Value) -> Result<CancellationRequest, SandboxError> {
    require(body, &["/reason", "/requestDate"])?;
    Ok(CancellationRequest {
        reason: part(body, "/reason")?,
        request_date: part(body, "/requestDate")?,
    })
}

/// `order/amount/total` → `order.amount.total`, as the field is named in messages.
fn field_name(pointer: &str) -> String {
    pointer.trim_start_matches('/').replace('/', ".")
}

fn require(body: &Value, pointers: &[&str]) -> Result<(), SandboxError> {
    for pointer in pointers {
        if body.pointer(pointer).is_none_or(Value::is_null) {
            return Err(SandboxError::invalid(field_name(pointer), "is missing"));
        }
    }
    Ok(())
}

/// One part of the body read as its wire type (tolerant: numbers or strings where ANCV allows
/// both); a wrong part is named.
fn part<T: DeserializeOwned>(body: &Value, pointer: &str) -> Result<T, SandboxError> {
    let value = body
        .pointer(pointer)
        .filter(|value| !value.is_null())
        .ok_or_else(|| SandboxError::invalid(field_name(pointer), "is missing"))?;
    serde_json::from_value(value.clone())
        .map_err(|error| SandboxError::invalid(field_name(pointer), error.to_string()))
}
