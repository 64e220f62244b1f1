//! `GET/POST /v1/contracts`, `GET/PATCH /v1/contracts/{number}`.

use super::answer::{created, not_found, ok, refused};
use super::contract_json::{contract as wire_contract, contract_change, new_contract};
use crate::problem::Problem;
use crate::retail_api::request::{json_body, merchant};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use domain::contract::Contract;
use domain::merchant::MerchantId;
use domain::point_of_sale::PointOfSale;
use gateway::merchant_config::PosKey;

/// `GET /v1/contracts` → 200 `{"contracts": [...]}`, by point of sale then number.
pub(super) async fn list(State(state): State<AppState>) -> Response {
    ok(all(&state).await)
}

async fn all(state: &AppState) -> Result<json_api::Contracts, Problem> {
    let merchant = merchant()?;
    let points_of_sale = points_of_sale(state, &merchant).await?;
    let all = state
        .config
        .list_contracts(merchant.as_str())
        .await
        .map_err(refused)?;
    Ok(json_api::Contracts {
        contracts: all
            .iter()
            .map(|contract| as_json(contract, &points_of_sale))
            .collect(),
    })
}

/// `POST /v1/contracts` → 201 with the contract; 422 naming the field that breaks a rule of the
/// contract form, 409 for a number in use.
pub(super) async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    created(add(&state, &headers, body).await)
}

async fn add(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<json_api::Contract, Problem> {
    let merchant = merchant()?;
    let mut body: json_api::ContractBody = json_body(headers, body).await?;
    let Some(reference) = body.point_of_sale_reference.take() else {
        return Err(Problem::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "pointOfSaleReference",
            "is mandatory",
        ));
    };
    let (request, status) = new_contract(body);
    let contract = state
        .config
        .add_contract(&merchant, PosKey::Reference(&reference), &request, status)
        .await
        .map_err(refused)?;
    Ok(wire_contract(&contract, &reference))
}

/// `GET /v1/contracts/{number}` → 200, or 404.
pub(super) async fn show(State(state): State<AppState>, Path(number): Path<String>) -> Response {
    ok(one(&state, &number).await)
}

async fn one(state: &AppState, number: &str) -> Result<json_api::Contract, Problem> {
    let merchant = merchant()?;
    let Some(contract) = state
        .config
        .contract(&merchant, number)
        .await
        .map_err(refused)?
    else {
        return Err(not_found("contract"));
    };
    Ok(as_json(&contract, &points_of_sale(state, &merchant).await?))
}

/// `PATCH /v1/contracts/{number}` → 200 with the contract as changed; 422 naming the field, or
/// 404.
pub(super) async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(number): Path<String>,
    body: Body,
) -> Response {
    ok(change(&state, &headers, &number, body).await)
}

async fn change(
    state: &AppState,
    headers: &HeaderMap,
    number: &str,
    body: Body,
) -> Result<json_api::Contract, Problem> {
    let merchant = merchant()?;
    let body: json_api::ContractBody = json_body(headers, body).await?;
    let Some(contract) = state
        .config
        .update_contract(&merchant, number, &contract_change(body))
        .await
        .map_err(refused)?
    else {
        return Err(not_found("contract"));
    };
    Ok(as_json(&contract, &points_of_sale(state, &merchant).await?))
}

/// The merchant's points of sale, to name each contract's by its reference.
async fn points_of_sale(
    state: &AppState,
    merchant: &MerchantId,
) -> Result<Vec<PointOfSale>, Problem> {
    state
        .config
        .list_points_of_sale(merchant.as_str())
        .await
        .map_err(refused)
}

/// `contract` in JSON, its point of sale named by reference (every contract hangs under one of
/// its merchant's points of sale).
fn as_json(contract: &Contract, points_of_sale: &[PointOfSale]) -> json_api::Contract {
    let reference = points_of_sale
        .iter()
        .find(|pos| pos.id == contract.pos_id)
        .map_or("", |pos| pos.reference.as_str());
    wire_contract(contract, reference)
}
