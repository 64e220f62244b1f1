//! The admin API (spec §6): beneficiaries, shops, settlement, faults, the transactions of a
//! beneficiary or a shop, a transaction's deliveries, and its rejection after authorization.
//! Thin: it reads the JSON and calls the same [`Sandbox`] methods as the CLI.

use crate::accounts::{BeneficiaryView, NewBeneficiary};
use crate::delivery::Delivery;
use crate::error::SandboxError;
use crate::faults::Faults;
use crate::json_body::JsonBody;
use crate::model::{Behaviour, SettleUntil};
use crate::sandbox::Sandbox;
use crate::settlement::Settled;
use crate::transactions::{TransactionList, TransactionSummary};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;

pub(crate) fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/admin/beneficiaries", post(add_beneficiary))
        .route("/admin/beneficiaries/{id}", get(beneficiary))
        .route(
            "/admin/beneficiaries/{id}/transactions",
            get(beneficiary_transactions),
        )
        .route("/admin/shops", post(add_shop))
        .route(
            "/admin/shops/{shop_id}/transactions",
            get(shop_transactions),
        )
        .route("/admin/settle", post(settle))
        .route(
            "/admin/faults",
            get(faults).post(set_faults).delete(reset_faults),
        )
        .route("/admin/transactions/{id}/deliveries", get(deliveries))
        .route("/admin/transactions/{id}/reject", post(reject))
}

async fn add_beneficiary(
    State(sandbox): State<Sandbox>,
    body: Bytes,
) -> Result<(StatusCode, Json<BeneficiaryView>), SandboxError> {
    let body = JsonBody::parse(
        &body,
        &[
            "beneficiaryId",
            "email",
            "balance",
            "secretCode",
            "behaviour",
        ],
    )?;
    let behaviour = match body.optional_string("behaviour")? {
        None => Behaviour::Manual,
        Some(name) => Behaviour::parse(&name).ok_or_else(|| {
            let names: Vec<&str> = Behaviour::ALL.iter().map(|b| b.as_str()).collect();
            SandboxError::invalid("behaviour", format!("must be one of {}", names.join(", ")))
        })?,
    };
    let new = NewBeneficiary {
        beneficiary_id: body.string_or_number("beneficiaryId")?,
        email: body.string("email")?,
        balance: body.integer("balance")?,
        secret_code: body.string("secretCode")?,
        behaviour,
    };
    let view = sandbox.add_beneficiary(&new).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn beneficiary(
    State(sandbox): State<Sandbox>,
    Path(id): Path<String>,
) -> Result<Json<BeneficiaryView>, SandboxError> {
    Ok(Json(sandbox.beneficiary(&id).await?))
}

async fn beneficiary_transactions(
    State(sandbox): State<Sandbox>,
    Path(id): Path<String>,
) -> Result<Json<TransactionList>, SandboxError> {
    Ok(Json(sandbox.transactions_of_beneficiary(&id).await?))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ShopAdded {
    shop_id: String,
    created: bool,
}

async fn add_shop(
    State(sandbox): State<Sandbox>,
    body: Bytes,
) -> Result<(StatusCode, Json<ShopAdded>), SandboxError> {
    let body = JsonBody::parse(&body, &["shopId"])?;
    let shop_id = body.string_or_number("shopId")?;
    let created = sandbox.add_shop(&shop_id).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(ShopAdded {
            shop_id: shop_id.trim().to_owned(),
            created,
        }),
    ))
}

async fn shop_transactions(
    State(sandbox): State<Sandbox>,
    Path(shop_id): Path<String>,
) -> Result<Json<TransactionList>, SandboxError> {
    Ok(Json(sandbox.transactions_of_shop(&shop_id).await?))
}

#[derive(Serialize)]
struct SettleResult {
    settled: Vec<Settled>,
}

/// Optional body `{"until": "CONSIGNED"}` to stop before PAID.
async fn settle(
    State(sandbox): State<Sandbox>,
    body: Bytes,
) -> Result<Json<SettleResult>, SandboxError> {
    let body = JsonBody::parse(&body, &["until"])?;
    let until = match body.optional_string("until")?.as_deref() {
        None | Some("PAID") => SettleUntil::Paid,
        Some("CONSIGNED") => SettleUntil::Consigned,
        Some(_) => {
            return Err(SandboxError::invalid(
                "until",
                "must be \"CONSIGNED\" or \"PAID\"",
            ));
        }
    };
    Ok(Json(SettleResult {
        settled: sandbox.settle_until(until).await?,
    }))
}

async fn faults(State(sandbox): State<Sandbox>) -> Result<Json<Faults>, SandboxError> {
    Ok(Json(sandbox.faults().await?))
}

async fn set_faults(
    State(sandbox): State<Sandbox>,
    body: Bytes,
) -> Result<Json<Faults>, SandboxError> {
    Ok(Json(sandbox.set_faults(Faults::from_json(&body)?).await?))
}

async fn reset_faults(State(sandbox): State<Sandbox>) -> Result<Json<Faults>, SandboxError> {
    Ok(Json(sandbox.reset_faults().await?))
}

async fn deliveries(
    State(sandbox): State<Sandbox>,
    Path(id): Path<String>,
) -> Result<Json<Vec<Delivery>>, SandboxError> {
    Ok(Json(sandbox.deliveries(&id).await?))
}

async fn reject(
    State(sandbox): State<Sandbox>,
    Path(id): Path<String>,
) -> Result<Json<TransactionSummary>, SandboxError> {
    Ok(Json(sandbox.reject_transaction(&id).await?))
}
