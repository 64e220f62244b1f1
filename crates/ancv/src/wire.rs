//! The JSON bodies of the ANCV acquisition API.
//!
//! Parsing is tolerant — `currency`, `shopId`, `serviceProviderId` (and amounts) may come as numbers
//! or strings, unknown fields are ignored, optional parts may be missing — and serialisation is
//! exact: identifiers as strings, amounts and currency as numbers, camelCase names.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TransactionState {
    Initialized,
    Processing,
    Authorized,
    Validated,
    Consigned,
    Paid,
    Aborted,
    Expired,
    Rejected,
    Cancelled,
}

impl TransactionState {
    pub const ALL: [TransactionState; 10] = [
        TransactionState::Initialized,
        TransactionState::Processing,
        TransactionState::Authorized,
        TransactionState::Validated,
        TransactionState::Consigned,
        TransactionState::Paid,
        TransactionState::Aborted,
        TransactionState::Expired,
        TransactionState::Rejected,
        TransactionState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TransactionState::Initialized => "INITIALIZED",
            TransactionState::Processing => "PROCESSING",
            TransactionState::Authorized => "AUTHORIZED",
            TransactionState::Validated => "VALIDATED",
            TransactionState::Consigned => "CONSIGNED",
            TransactionState::Paid => "PAID",
            TransactionState::Aborted => "ABORTED",
            TransactionState::Expired => "EXPIRED",
            TransactionState::Rejected => "REJECTED",
            TransactionState::Cancelled => "CANCELLED",
        }
    }

    pub fn parse(value: &str) -> Option<TransactionState> {
        TransactionState::ALL
            .into_iter()
            .find(|state| state.as_str() == value)
    }

    /// Final in ANCV's table (spec §3): nothing happens to it any more except a cancellation of PAID.
    pub fn is_final(self) -> bool {
        match self {
            TransactionState::Paid
            | TransactionState::Aborted
            | TransactionState::Expired
            | TransactionState::Rejected
            | TransactionState::Cancelled => true,
            TransactionState::Initialized
            | TransactionState::Processing
            | TransactionState::Authorized
            | TransactionState::Validated
            | TransactionState::Consigned => false,
        }
    }

    /// Notifications of these states go to `returnUrl`; the others (ABORTED, EXPIRED, REJECTED) to
    /// `cancelUrl` (spec §4).
    pub fn notifies_return_url(self) -> bool {
        match self {
            TransactionState::Authorized
            | TransactionState::Validated
            | TransactionState::Consigned
            | TransactionState::Paid
            | TransactionState::Cancelled => true,
            TransactionState::Aborted
            | TransactionState::Expired
            | TransactionState::Rejected
            | TransactionState::Initialized
            | TransactionState::Processing => false,
        }
    }
}

impl fmt::Display for TransactionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Amount {
    #[serde(deserialize_with = "integer_or_string")]
    pub total: i64,
    #[serde(deserialize_with = "currency_number_or_string")]
    pub currency: u16,
}

impl Amount {
    pub fn eur(total: i64) -> Amount {
        Amount {
            total,
            currency: 978,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Merchant {
    #[serde(deserialize_with = "string_or_number")]
    pub shop_id: String,
    #[serde(deserialize_with = "string_or_number")]
    pub service_provider_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// The merchant's order reference, cut to 20 characters.
    pub id: String,
    /// cvgate's transaction id: the idempotency key of `create` per shop.
    pub payment_id: String,
    #[serde(default)]
    pub label: Option<String>,
    pub amount: Amount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CaptureMode {
    Normal,
    Deferred,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethod {
    pub tspd_mode: String,
    pub capture_mode: CaptureMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_date: Option<String>,
}

impl PaymentMethod {
    /// What cvgate sends: `tspdMode` "001" and an immediate capture (Payline action 101).
    pub fn immediate() -> PaymentMethod {
        PaymentMethod {
            tspd_mode: "001".into(),
            capture_mode: CaptureMode::Normal,
            capture_date: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RedirectUrls {
    pub return_url: String,
    pub cancel_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateRequest {
    pub merchant: Merchant,
    pub order: Order,
    pub payment_method: PaymentMethod,
    pub redirect_urls: RedirectUrls,
    pub request_date: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayerInput {
    #[serde(deserialize_with = "string_or_number")]
    pub beneficiary_id: String,
    pub amount: Amount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayerRequest {
    pub payer: PayerInput,
    pub request_date: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancellationRequest {
    pub reason: String,
    pub request_date: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Authorization {
    pub number: String,
    #[serde(rename = "type", default = "cvco")]
    pub kind: String,
    pub amount: Amount,
    #[serde(default)]
    pub validation_date: Option<String>,
    /// The masked 11-digit ANCV account, e.g. `10*****3051`.
    #[serde(default)]
    pub holder: Option<String>,
}

fn cvco() -> String {
    "CVCo".into()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payer {
    #[serde(deserialize_with = "string_or_number")]
    pub beneficiary_id: String,
    pub amount: Amount,
    #[serde(default)]
    pub authorizations: Vec<Authorization>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    pub id: String,
    pub state: TransactionState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_state: Option<String>,
    #[serde(default)]
    pub creation_date: Option<String>,
    #[serde(default)]
    pub update_date: Option<String>,
    #[serde(default)]
    pub expiration_date: Option<String>,
    pub merchant: Merchant,
    pub order: Order,
    #[serde(default)]
    pub payment_method: Option<PaymentMethod>,
    #[serde(default)]
    pub redirect_urls: Option<RedirectUrls>,
    #[serde(default)]
    pub payers: Vec<Payer>,
}

impl Transaction {
    /// What the beneficiary validated in the app (`authorizations[0].amount.total`), if anything.
    pub fn validated_amount(&self) -> Option<i64> {
        self.first_authorization().map(|a| a.amount.total)
    }

    pub fn first_authorization(&self) -> Option<&Authorization> {
        self.payers
            .first()
            .and_then(|payer| payer.authorizations.first())
    }
}

/// The success envelope of every call, and the body of a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    pub response_date: String,
    #[serde(default = "empty_object")]
    pub application_context: serde_json::Value,
    pub transaction: Transaction,
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub error_code: String,
    #[serde(default)]
    pub error_message: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrString {
    Number(serde_json::Number),
    String(String),
}

fn string_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    match NumberOrString::deserialize(deserializer)? {
        NumberOrString::Number(n) => Ok(n.to_string()),
        NumberOrString::String(s) => Ok(s),
    }
}

fn integer_or_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    match NumberOrString::deserialize(deserializer)? {
        NumberOrString::Number(n) => n
            .as_i64()
            .ok_or_else(|| de::Error::custom(format!("{n} is not an integer"))),
        NumberOrString::String(s) => s
            .trim()
            .parse()
            .map_err(|_| de::Error::custom(format!("{s:?} is not an integer"))),
    }
}

fn currency_number_or_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u16, D::Error> {
    let code = integer_or_string(deserializer)?;
    u16::try_from(code)
        .ok()
        .filter(|code| (1..=999).contains(code))
        .ok_or_else(|| de::Error::custom(format!("{code} is not an ISO 4217 numeric currency")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn identifiers_and_currency_may_be_numbers_or_strings() {
        let as_numbers = json!({"shopId": 20000001, "serviceProviderId": 900001});
        let as_strings =
            json!({"shopId": "20000001", "serviceProviderId": "900001", "extra": true});
        let a: Merchant = serde_json::from_value(as_numbers).unwrap();
        let b: Merchant = serde_json::from_value(as_strings).unwrap();
        assert_eq!(a, b);
        let amount: Amount =
            serde_json::from_value(json!({"total": "2500", "currency": "978"})).unwrap();
        assert_eq!(amount, Amount::eur(2500));
        assert!(serde_json::from_value::<Amount>(json!({"total": 25.5, "currency": 978})).is_err());
        assert!(
            serde_json::from_value::<Amount>(json!({"total": 2500, "currency": "EUR"})).is_err()
        );
    }

    #[test]
    fn serialisation_is_exact() {
        let request = CreateRequest {
            merchant: Merchant {
                shop_id: "20000001".into(),
                service_provider_id: "900001".into(),
            },
            order: Order {
                id: "ORDER-1".into(),
                payment_id: "12345678901234".into(),
                label: Some("Shop".into()),
                amount: Amount::eur(2500),
            },
            payment_method: PaymentMethod::immediate(),
            redirect_urls: RedirectUrls {
                return_url: "http://h/n".into(),
                cancel_url: "http://h/n".into(),
            },
            request_date: "2026-11-27T10:15:30.123Z".into(),
        };
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({
                "merchant": {"shopId": "20000001", "serviceProviderId": "900001"},
                "order": {"id": "ORDER-1", "paymentId": "12345678901234", "label": "Shop", "amount": {"total": 2500, "currency": 978}},
                "paymentMethod": {"tspdMode": "001", "captureMode": "NORMAL"},
                "redirectUrls": {"returnUrl": "http://h/n", "cancelUrl": "http://h/n"},
                "requestDate": "2026-11-27T10:15:30.123Z"
            })
        );
    }

    #[test]
    fn a_minimal_envelope_parses_and_unknown_fields_are_ignored() {
        let envelope: Envelope = serde_json::from_value(json!({
            "responseDate": "2026-11-27T10:15:30.123Z",
            "transaction": {
                "id": "fiawa31zot", "state": "AUTHORIZED", "somethingNew": [1, 2],
                "merchant": {"shopId": 20000001, "serviceProviderId": "900001"},
                "order": {"id": "O", "paymentId": "1", "amount": {"total": 5000, "currency": 978}},
                "payers": [{"beneficiaryId": "10000000003", "amount": {"total": 5000, "currency": 978},
                            "authorizations": [{"number": "A1", "type": "CVCo", "amount": {"total": 2500, "currency": "978"},
                                                "validationDate": "2026-11-27T10:16:00.000Z", "holder": "10*****0003"}]}]
            }
        }))
        .unwrap();
        assert_eq!(envelope.transaction.state, TransactionState::Authorized);
        assert_eq!(envelope.transaction.validated_amount(), Some(2500));
        assert!(envelope.application_context.is_object());
    }

    #[test]
    fn states_round_trip_and_route_notifications() {
        for state in TransactionState::ALL {
            let text = serde_json::to_value(state).unwrap();
            assert_eq!(text, json!(state.as_str()));
            assert_eq!(TransactionState::parse(state.as_str()), Some(state));
        }
        assert!(TransactionState::Cancelled.notifies_return_url());
        assert!(!TransactionState::Rejected.notifies_return_url());
    }
}
