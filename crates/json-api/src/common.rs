//! What every answer shares: Payline's result triple and the problem JSON of a refusal.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A business outcome, exactly the triple SOAP returns for the same state: clients decide
/// success with `title == "ACCEPTED"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"title": "ACCEPTED", "code": "00000", "detail": "Transaction approved"}))]
pub struct PaylineResult {
    /// Payline's shortMessage: `ACCEPTED`, `REFUSED`, `ERROR`, `CANCELLED`, `INPROGRESS`,
    /// `ONHOLD_PARTNER`.
    pub title: String,
    /// Payline's 5-digit return code.
    pub code: String,
    /// Payline's longMessage, or cvgate's sentence saying what happened.
    pub detail: String,
}

/// A refusal that is not a business outcome (RFC 9457 problem JSON, `application/problem+json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"type": "about:blank", "title": "Bad Request", "status": 400,
    "detail": "buyer.email is mandatory with ANCV_CONNECT", "field": "buyer.email", "code": "02305"}))]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: String,
    /// The HTTP status's reason phrase.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What is wrong, for the merchant's developer.
    pub detail: String,
    /// The request field at fault (`order.amount`, `Idempotency-Key`), when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Payline's 5-digit code, where one applies (`02305` invalid field, `02304` unknown
    /// session, `02301` unknown transaction).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}
