//! The beneficiary's app as JSON (spec §6), for automation; the HTML page uses the same
//! [`Sandbox`] methods.

use crate::app::{AppOutcome, PendingRequests};
use crate::error::SandboxError;
use crate::json_body::JsonBody;
use crate::sandbox::Sandbox;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};

pub(crate) fn routes() -> Router<Sandbox> {
    Router::new()
        .route(
            "/app/api/beneficiaries/{beneficiary_id}/requests",
            get(requests),
        )
        .route(
            "/app/api/requests/{transaction_id}/validate",
            post(validate),
        )
        .route("/app/api/requests/{transaction_id}/decline", post(decline))
}

async fn requests(
    State(sandbox): State<Sandbox>,
    Path(beneficiary_id): Path<String>,
) -> Result<Json<PendingRequests>, SandboxError> {
    Ok(Json(sandbox.pending_requests(&beneficiary_id).await?))
}

/// `{"secretCode": "…", "amount": 1500}`; without `amount`, the full requested amount.
async fn validate(
    State(sandbox): State<Sandbox>,
    Path(transaction_id): Path<String>,
    body: Bytes,
) -> Result<Json<AppOutcome>, SandboxError> {
    let body = JsonBody::parse(&body, &["secretCode", "amount"])?;
    let secret_code = body.string("secretCode")?;
    let amount = body.optional_integer("amount")?;
    Ok(Json(
        sandbox
            .validate_request(&transaction_id, &secret_code, amount)
            .await?,
    ))
}

/// `{"secretCode": "…"}`.
async fn decline(
    State(sandbox): State<Sandbox>,
    Path(transaction_id): Path<String>,
    body: Bytes,
) -> Result<Json<AppOutcome>, SandboxError> {
    let body = JsonBody::parse(&body, &["secretCode"])?;
    let secret_code = body.string("secretCode")?;
    Ok(Json(
        sandbox
            .decline_request(&transaction_id, &secret_code)
            .await?,
    ))
}
