//! `GET /v1/checkout/transactions/{id}`: what getTransactionDetails reads, in JSON.

use super::request::{internal, merchant};
use super::transaction_json::transaction_details;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// 200 with the transaction, or 404 `02301`.
pub(super) async fn show(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let merchant = match merchant() {
        Ok(merchant) => merchant,
        Err(problem) => return problem.into_response(),
    };
    match state.after_sale.details(&merchant, Some(&id), None).await {
        Ok(Ok(details)) => Json(transaction_details(&details)).into_response(),
        Ok(Err(_)) => Problem::new(
            StatusCode::NOT_FOUND,
            format!("no transaction of this merchant has the id {id}"),
        )
        .with_code("02301")
        .into_response(),
        Err(error) => internal(&error).into_response(),
    }
}
