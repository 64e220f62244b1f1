//! `GET /v1/checkout/transactions`: the merchant's transactions, oldest first, a page at a time
//! (a cvgate extension). The cursor is the creation time and id of the last transaction shown,
//! so pages stay right while new transactions arrive.

use super::request::{internal, merchant};
use super::transaction_json::transaction;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::clock::Timestamp;
use gateway::after_sale::PageCriteria;
use json_api::TransactionPage;
use std::collections::HashMap;

/// Transactions per page unless `limit` says otherwise.
const DEFAULT_LIMIT: usize = 50;
/// The most a page may hold.
const MAX_LIMIT: usize = 500;

/// 200 with a page; 400 naming the query parameter that is wrong.
pub(super) async fn search(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    match page(&state, &query).await {
        Ok(page) => Json(page).into_response(),
        Err(problem) => problem.into_response(),
    }
}

async fn page(
    state: &AppState,
    query: &HashMap<String, String>,
) -> Result<TransactionPage, Problem> {
    let merchant = merchant()?;
    let text = |name: &str| query.get(name).filter(|v| !v.is_empty()).cloned();
    let criteria = PageCriteria {
        from: text("from").map(|v| instant("from", &v)).transpose()?,
        to: text("to").map(|v| instant("to", &v)).transpose()?,
        order_ref: text("orderReference"),
        contract_number: text("paymentMethodId"),
        status: text("status"),
        ..PageCriteria::default()
    };
    let after = text("cursor").map(|v| cursor(&v)).transpose()?;
    let limit = match text("limit") {
        None => DEFAULT_LIMIT,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| bad_query("limit", &format!("must be 1 to {MAX_LIMIT}")))?,
    };
    let (views, more) = state
        .after_sale
        .search_after(&merchant, &criteria, after, limit)
        .await
        .map_err(|error| internal(&error))?;
    let next_cursor = more
        .then(|| views.last())
        .flatten()
        .map(|last| format!("{}.{}", last.date.millis(), last.id));
    Ok(TransactionPage {
        transactions: views.iter().map(transaction).collect(),
        next_cursor,
    })
}

fn bad_query(field: &str, rule: &str) -> Problem {
    Problem::field(StatusCode::BAD_REQUEST, field, rule).with_code("02305")
}

/// An ISO 8601 instant with its offset.
fn instant(field: &str, value: &str) -> Result<Timestamp, Problem> {
    value
        .parse::<jiff::Timestamp>()
        .map(|t| Timestamp(t.as_millisecond()))
        .map_err(|_| {
            bad_query(
                field,
                "must be an ISO 8601 date with its offset, e.g. 2026-06-20T18:46:33.000+02:00",
            )
        })
}

/// `<millis>.<id>`, as `nextCursor` gives it.
fn cursor(value: &str) -> Result<(Timestamp, String), Problem> {
    value
        .split_once('.')
        .and_then(|(millis, id)| {
            let millis = millis.parse::<i64>().ok()?;
            let id_ok = !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric());
            id_ok.then(|| (Timestamp(millis), id.to_owned()))
        })
        .ok_or_else(|| bad_query("cursor", "must be the nextCursor of a previous page"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_read_back_or_refused() {
        assert_eq!(
            cursor("1781973993000.12345678901234").unwrap(),
            (Timestamp(1_781_973_993_000), "12345678901234".to_owned())
        );
        for wrong in ["", "x.1", "1.", "12345", "1.a b"] {
            assert!(cursor(wrong).is_err(), "{wrong}");
        }
    }
}
