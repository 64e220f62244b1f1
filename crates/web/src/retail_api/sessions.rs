//! `POST /v1/checkout/sessions` (an internal `doWebPayment`) and `GET …/sessions/{id}` (what
//! `getWebPaymentDetails` reads, counted as the merchant reading the result).

use super::request::{internal, json_body, merchant};
use super::session_json::{result, session};
use super::session_request::{bad_field, web_payment_request};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::merchant::MerchantId;
use domain::return_code::ReturnCode;
use gateway::web_payments::WebPaymentError;
use json_api::{CreateSession, SessionCreated};

/// `POST …/sessions` → 201 `{result, sessionId, redirectURL}`.
pub(super) async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match create_session(&state, &headers, body).await {
        Ok(created) => (StatusCode::CREATED, Json(created)).into_response(),
        Err(problem) => problem.into_response(),
    }
}

async fn create_session(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<SessionCreated, Problem> {
    let merchant = merchant()?;
    let body: CreateSession = json_body(headers, body).await?;
    let request = {
        let (pos, contracts) = point_of_sale(state, &merchant, &body).await?;
        web_payment_request(body, &pos, &contracts, state.web_payments.now())?
    };
    match state.web_payments.create(&merchant, &request).await {
        Ok((token, redirect_url)) => Ok(SessionCreated {
            result: result(ReturnCode::Accepted),
            session_id: token,
            redirect_url,
        }),
        Err(WebPaymentError::Refused(refusal)) => Err(bad_field(
            refusal.code.code(),
            &refusal.error.field,
            &refusal.error.rule,
        )),
        Err(error) => Err(internal(&error)),
    }
}

/// The merchant's point of sale named by `pointOfSaleReference`, and the merchant's contracts.
async fn point_of_sale(
    state: &AppState,
    merchant: &MerchantId,
    body: &CreateSession,
) -> Result<
    (
        domain::point_of_sale::PointOfSale,
        Vec<domain::contract::Contract>,
    ),
    Problem,
> {
    let Some(reference) = body.point_of_sale_reference.as_deref() else {
        return Err(bad_field("02305", "pointOfSaleReference", "is mandatory"));
    };
    match state
        .config
        .point_of_sale_and_contracts(merchant, reference)
        .await
    {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(bad_field(
            "02305",
            "pointOfSaleReference",
            "names no point of sale of this merchant",
        )),
        Err(error) => Err(internal(&error)),
    }
}

/// `GET …/sessions/{id}` → 200 with the session, or 404 `02304`.
pub(super) async fn show(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let merchant = match merchant() {
        Ok(merchant) => merchant,
        Err(problem) => return problem.into_response(),
    };
    match state.web_payments.details(&merchant, &id).await {
        Ok(snapshot) => Json(session(&snapshot)).into_response(),
        Err(WebPaymentError::UnknownToken) => {
            Problem::new(StatusCode::NOT_FOUND, "no session has this id")
                .with_code(ReturnCode::UnknownToken.code())
                .into_response()
        }
        Err(error) => internal(&error).into_response(),
    }
}
