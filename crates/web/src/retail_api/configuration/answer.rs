//! How a configuration call answers: the object (or list) as JSON with its status, or a problem
//! naming the JSON field at fault — 422 for a rule broken, 409 for a reference or number already
//! used, 404 for an unknown target, 500 when the database failed.

use crate::problem::Problem;
use crate::retail_api::request::internal;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gateway::merchant_config::ChangeError;
use serde::Serialize;

/// 200 with `body`, or the problem.
pub(super) fn ok<T: Serialize>(body: Result<T, Problem>) -> Response {
    match body {
        Ok(body) => Json(body).into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// 201 with `body`, or the problem. (No `Location`: the Idempotency-Key replay keeps the status,
/// the media type and the body only, and a replay must answer as the first call did.)
pub(super) fn created<T: Serialize>(body: Result<T, Problem>) -> Response {
    match body {
        Ok(body) => (StatusCode::CREATED, Json(body)).into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// 404: the merchant has no `what` named so (another merchant's counts as none).
pub(super) fn not_found(what: &str) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        format!("this merchant has no {what} named so"),
    )
}

/// A refused or failed change, as a problem naming the JSON field.
pub(super) fn refused(error: impl Into<ChangeError>) -> Problem {
    match error.into() {
        ChangeError::Invalid(error) => Problem::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            json_field(&error.field),
            error.rule,
        ),
        ChangeError::Taken(error) => Problem::field(
            StatusCode::CONFLICT,
            json_field(&error.field),
            format!("is already used ({})", error.rule),
        ),
        ChangeError::Store(error) => internal(&error),
    }
}

/// The JSON name of a field the domain names as the CLI does (`shop_id` → `shopId`).
fn json_field(domain_field: &str) -> &str {
    match domain_field {
        "card_code" => "cardCode",
        "shop_id" => "shopId",
        "complementary" => "complementaryContracts",
        "pos" => "pointOfSaleReference",
        "session_minutes" => "sessionLifetimeMinutes",
        "widget_data_updates" => "widgetDataUpdates",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::FieldError;

    #[test]
    fn domain_fields_are_named_as_in_json() {
        for (domain_field, json) in [
            ("shop_id", "shopId"),
            ("complementary", "complementaryContracts"),
            ("pos", "pointOfSaleReference"),
            ("session_minutes", "sessionLifetimeMinutes"),
            ("card_code", "cardCode"),
            ("label", "label"),
        ] {
            assert_eq!(json_field(domain_field), json);
        }
    }

    #[test]
    fn taken_is_a_conflict_and_a_rule_unprocessable() {
        let taken = refused(ChangeError::Taken(FieldError::new("number", "x")));
        assert_eq!(taken.into_response().status(), StatusCode::CONFLICT);
        let invalid = refused(ChangeError::Invalid(FieldError::new("shop_id", "x")));
        assert_eq!(
            invalid.into_response().status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
}
