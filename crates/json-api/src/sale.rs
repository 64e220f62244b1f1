//! What a session and its transactions both show: the order and the buyer.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The order of a session.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// The merchant's order reference.
    pub reference: String,
    /// The order's amount, in minor units.
    pub amount: i64,
    /// `EUR`.
    pub currency: String,
    /// When the order was made (ISO 8601 with offset, to the minute).
    pub date: Option<String>,
}

/// The buyer of a session, as the merchant gives it and as cvgate shows it back.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct Buyer {
    /// The merchant's customer id.
    pub id: Option<String>,
    /// `M`, `MME`…
    pub title: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// E-mail address (mandatory when an `ANCV_CONNECT` contract is offered).
    pub email: Option<String>,
    /// Mobile phone number.
    pub mobile: Option<String>,
}
