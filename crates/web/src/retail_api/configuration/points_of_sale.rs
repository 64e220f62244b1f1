//! `GET/POST /v1/points-of-sale`, `GET/PATCH /v1/points-of-sale/{reference}`.

use super::answer::{created, not_found, ok, refused};
use super::pos_json::{new_point_of_sale, point_of_sale, point_of_sale_change};
use crate::problem::Problem;
use crate::retail_api::request::{json_body, merchant};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

/// `GET /v1/points-of-sale` → 200 `{"pointsOfSale": [...]}`, oldest first.
pub(super) async fn list(State(state): State<AppState>) -> Response {
    ok(all(&state).await)
}

async fn all(state: &AppState) -> Result<json_api::PointsOfSale, Problem> {
    let merchant = merchant()?;
    let all = state
        .config
        .list_points_of_sale(merchant.as_str())
        .await
        .map_err(refused)?;
    Ok(json_api::PointsOfSale {
        points_of_sale: all.iter().map(point_of_sale).collect(),
    })
}

/// `POST /v1/points-of-sale` → 201 with the point of sale; 422 naming the field that breaks a
/// rule, 409 for a reference in use.
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
) -> Result<json_api::PointOfSale, Problem> {
    let merchant = merchant()?;
    let body: json_api::PointOfSaleBody = json_body(headers, body).await?;
    let pos = state
        .config
        .add_point_of_sale(&merchant, &new_point_of_sale(body))
        .await
        .map_err(refused)?;
    Ok(point_of_sale(&pos))
}

/// `GET /v1/points-of-sale/{reference}` → 200, or 404.
pub(super) async fn show(State(state): State<AppState>, Path(reference): Path<String>) -> Response {
    ok(one(&state, &reference).await)
}

async fn one(state: &AppState, reference: &str) -> Result<json_api::PointOfSale, Problem> {
    let merchant = merchant()?;
    match state.config.point_of_sale(&merchant, reference).await {
        Ok(Some(pos)) => Ok(point_of_sale(&pos)),
        Ok(None) => Err(not_found("point of sale")),
        Err(error) => Err(refused(error)),
    }
}

/// `PATCH /v1/points-of-sale/{reference}` → 200 with the point of sale as changed; 422 naming
/// the field, or 404.
pub(super) async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(reference): Path<String>,
    body: Body,
) -> Response {
    ok(change(&state, &headers, &reference, body).await)
}

async fn change(
    state: &AppState,
    headers: &HeaderMap,
    reference: &str,
    body: Body,
) -> Result<json_api::PointOfSale, Problem> {
    let merchant = merchant()?;
    let body: json_api::PointOfSaleBody = json_body(headers, body).await?;
    match state
        .config
        .update_point_of_sale(&merchant, reference, &point_of_sale_change(body))
        .await
    {
        Ok(Some(pos)) => Ok(point_of_sale(&pos)),
        Ok(None) => Err(not_found("point of sale")),
        Err(error) => Err(refused(error)),
    }
}
