//! Configuration (a cvgate extension, retail-api.md §3): the merchant's points of sale and
//! contracts, with the fields of the seed's contract form.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A point of sale.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "reference": "DEMO-SHOP", "label": "Demo shop", "sessionLifetimeMinutes": 15,
    "widgetDataUpdates": false, "createdAt": "2026-11-27T11:00:00.000+01:00"
}))]
pub struct PointOfSale {
    /// The merchant's name for it, unique per merchant (`POS-<id>` unless chosen).
    pub reference: String,
    /// What buyers and operators read.
    pub label: String,
    /// How long a web payment session of this point of sale stays open.
    pub session_lifetime_minutes: i64,
    /// Whether the widget may change the order's data before paying.
    pub widget_data_updates: bool,
    /// When it was created (ISO 8601 with offset).
    pub created_at: String,
}

/// `GET /v1/points-of-sale`: the merchant's points of sale, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PointsOfSale {
    /// Every point of sale of the merchant.
    pub points_of_sale: Vec<PointOfSale>,
}

/// The body of `POST /v1/points-of-sale` (a new point of sale: `label` is mandatory) and of
/// `PATCH /v1/points-of-sale/{reference}` (a change: an absent field stays as it is; the
/// `reference`, given, must be the current one). Other members are ignored.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
#[schema(example = json!({"reference": "SHOP-LYON", "label": "Lyon shop",
                          "sessionLifetimeMinutes": 20}))]
pub struct PointOfSaleBody {
    /// 1 to 50 letters, digits, `-`, `_` or `.`, unique per merchant.
    pub reference: Option<String>,
    /// 1 to 100 characters.
    pub label: Option<String>,
    /// 10 to 90 minutes (default 15).
    pub session_lifetime_minutes: Option<i64>,
    /// Default `false`.
    pub widget_data_updates: Option<bool>,
}

/// `ACTIVE` or `INACTIVE` (the seed's Statut).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", try_from = "String")]
pub enum ContractStatus {
    /// Offered to buyers.
    Active,
    /// Kept, not offered.
    Inactive,
}

// Read from a string, so that a value of another type is named as the field at fault too.
impl TryFrom<String> for ContractStatus {
    type Error = &'static str;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        match value.as_str() {
            "ACTIVE" => Ok(ContractStatus::Active),
            "INACTIVE" => Ok(ContractStatus::Inactive),
            _ => Err("must be ACTIVE or INACTIVE"),
        }
    }
}

/// A contract; `shopId` and `complementaryContracts` only for `ANCV_CONNECT`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "number": "ANCV-0001", "cardCode": "ANCV_CONNECT", "pointOfSaleReference": "DEMO-SHOP",
    "label": "Chèques-Vacances Connect", "currency": "EUR", "description": "",
    "status": "ACTIVE", "shopId": "SHOP-123", "complementaryContracts": ["CB-0001"],
    "createdAt": "2026-11-27T11:00:00.000+01:00"
}))]
pub struct Contract {
    /// The contract number (N° contrat), unique per merchant.
    pub number: String,
    /// The means of payment: `ANCV_CONNECT`, `CB`, `VISA`, `MASTERCARD`…
    pub card_code: String,
    /// The point of sale it belongs to.
    pub point_of_sale_reference: String,
    /// Libellé.
    pub label: String,
    /// Devise: `EUR`.
    pub currency: String,
    /// Description.
    pub description: String,
    /// Statut.
    pub status: ContractStatus,
    /// The ANCV Shop ID (`ANCV_CONNECT` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shop_id: Option<String>,
    /// The card contracts that pay what the Chèques-Vacances do not (`ANCV_CONNECT` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complementary_contracts: Option<Vec<String>>,
    /// When it was created (ISO 8601 with offset).
    pub created_at: String,
}

/// `GET /v1/contracts`: the merchant's contracts, by point of sale then number.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contracts {
    /// Every contract of the merchant.
    pub contracts: Vec<Contract>,
}

/// The body of `POST /v1/contracts` (a new contract: `number`, `cardCode` and
/// `pointOfSaleReference` are mandatory, and `shopId` for `ANCV_CONNECT`) and of
/// `PATCH /v1/contracts/{number}` (a change: an absent field stays as it is; number, card code,
/// point of sale and currency, given, must be the current ones). Other members are ignored.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
#[schema(example = json!({
    "number": "ANCV-0002", "cardCode": "ANCV_CONNECT", "pointOfSaleReference": "DEMO-SHOP",
    "label": "Chèques-Vacances Connect", "currency": "EUR", "shopId": "SHOP-123",
    "complementaryContracts": ["CB-0001"]
}))]
pub struct ContractBody {
    /// N° contrat.
    pub number: Option<String>,
    /// The means of payment.
    pub card_code: Option<String>,
    /// The point of sale it belongs to.
    pub point_of_sale_reference: Option<String>,
    /// Libellé.
    pub label: Option<String>,
    /// `EUR` (or its ISO numeric code `978`).
    pub currency: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// `ACTIVE` (the default) or `INACTIVE`.
    pub status: Option<ContractStatus>,
    /// The ANCV Shop ID (mandatory for `ANCV_CONNECT`, refused for other card codes).
    pub shop_id: Option<String>,
    /// Card contract numbers of the same point of sale (`ANCV_CONNECT` only).
    pub complementary_contracts: Option<Vec<String>>,
}
