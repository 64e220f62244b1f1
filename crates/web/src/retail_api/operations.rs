//! `POST /v1/checkout/transactions/{id}/captures`, `/refunds` and `/cancels`: doCapture,
//! doRefund and doReset on the authorization's id (the after-sale service resolves a refund
//! onto what was captured). 201 with a `result` for every business outcome, refusals included.
//! An `Idempotency-Key` shares SOAP's `sequenceNumber` key space: the same key on either surface
//! makes the operation once (`crate::after_sale_answers`).

use super::idempotency::{self, digest, unanswered};
use super::request::{body_bytes, internal, merchant, parse_json};
use super::session_request::bad_field;
use super::transaction_json::operation_body;
use crate::after_sale_answers::{json_form, remembered};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use gateway::after_sale::{Operation, Reply, Unanswered};
use json_api::OperationRequest;
use store::StoreError;
use store::repos::ReplayKey;

/// `…/captures`: doCapture of an action-100 authorization.
pub(super) async fn capture(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    answer(operate(&state, Operation::Capture, &id, &headers, body).await)
}

/// `…/refunds`: doRefund (card: partially, several times, up to what was captured; ANCV: in
/// full, once).
pub(super) async fn refund(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    answer(operate(&state, Operation::Refund, &id, &headers, body).await)
}

/// `…/cancels`: doReset, before remittance (an authorization not captured: cancelled).
pub(super) async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    answer(operate(&state, Operation::Reset, &id, &headers, body).await)
}

fn answer(outcome: Result<serde_json::Value, Problem>) -> Response {
    match outcome {
        Ok(body) => (StatusCode::CREATED, Json(body)).into_response(),
        Err(problem) => problem.into_response(),
    }
}

async fn operate(
    state: &AppState,
    change: Operation,
    transaction_id: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<serde_json::Value, Problem> {
    let merchant = merchant()?;
    let key = idempotency::key_of(headers)?;
    let bytes = body_bytes(headers, body).await?;
    let request: OperationRequest = parse_json(&bytes)?;
    let amount = match request.amount {
        None => return Err(bad_field("02305", "amount", "is mandatory")),
        Some(amount) if amount <= 0 => {
            return Err(bad_field(
                "02110",
                "amount",
                "must be a positive integer (minor units)",
            ));
        }
        Some(amount) => amount,
    };
    let after_sale = &state.after_sale;
    if !after_sale
        .knows(&merchant, transaction_id)
        .await
        .map_err(|error| internal(&error))?
    {
        return Err(Problem::new(
            StatusCode::NOT_FOUND,
            format!("no transaction of this merchant has the id {transaction_id}"),
        )
        .with_code("02301"));
    }
    let run = |request_key: Option<String>| async {
        let answer = after_sale
            .operate(change, &merchant, transaction_id, Some(amount), request_key)
            .await?;
        Ok::<_, StoreError>(Reply {
            body: remembered(
                crate::soap_api::after_sale_body(change, &answer),
                &operation_body(&answer),
            ),
            settled: answer.is_settled(),
        })
    };
    let stored = match &key {
        None => run(None).await.map(|reply| Ok(reply.body)),
        Some(key) => {
            let replay_key = ReplayKey {
                merchant_id: &merchant,
                operation: change.name(),
                transaction_id,
                sequence_number: key,
            };
            let call = format!("{} {transaction_id}", change.name());
            after_sale
                .once_per_request(&replay_key, Some(&digest(&call, &bytes)), run)
                .await
        }
    };
    let stored = stored
        .map_err(|error| internal(&error))?
        .map_err(unanswered)?;
    // An answer kept by a SOAP call made before both forms were stored has no JSON form: the
    // key belongs to that other request.
    json_form(&stored).ok_or_else(|| unanswered(Unanswered::KeyReused))
}
