//! Configuration endpoints (retail-api.md §3, an `x-cvgate` extension): the merchant's points of
//! sale and contracts, the fields of the seed's contract form, checked by the same rules as the
//! CLI (`gateway::MerchantConfig` and the domain's validators). A merchant only ever sees and
//! changes its own configuration: another merchant's is 404, as an unknown one.

mod answer;
mod contract_json;
mod contracts;
mod points_of_sale;
mod pos_json;

use crate::state::AppState;
use axum::Router;
use axum::routing::get;

/// `/points-of-sale…` and `/contracts…`, under `/v1`.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/points-of-sale",
            get(points_of_sale::list).post(points_of_sale::create),
        )
        .route(
            "/points-of-sale/{reference}",
            get(points_of_sale::show).patch(points_of_sale::update),
        )
        .route("/contracts", get(contracts::list).post(contracts::create))
        .route(
            "/contracts/{number}",
            get(contracts::show).patch(contracts::update),
        )
}
