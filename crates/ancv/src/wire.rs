//! The JSON bodies of the ANCV acquisition API.
//!
//! Parsing is tolerant — `currency`, `shopId`, `serviceProviderId` (and amounts) may come as numbers
//! or strings, unknown fields are ignored, optional parts may be missing — and serialisation is
//! exact: identifiers as strings, amounts and currency as numbers, camelCase names.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use std::fmt;

/// `transaction.state`: where an ANCV transaction stands (ancv-connect.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TransactionState {
    /// `INITIALIZED`: created, no payer attached yet.
    Initialized,
    /// `PROCESSING`: payer attached; the request waits in the beneficiary's app.
    Processing,
    /// `AUTHORIZED`: validated in the app for `authorizations[0].amount`.
    Authorized,
    /// `VALIDATED`: captured (at once for NORMAL, at `captureDate` for DEFERRED).
    Validated,
    /// `CONSIGNED`: part of ANCV's remittance to the merchant.
    Consigned,
    /// `PAID`: ANCV paid the merchant (final, but may still be cancelled).
    Paid,
    /// `ABORTED`: the beneficiary declined in the app (final).
    Aborted,
    /// `EXPIRED`: not validated before `expirationDate` (final).
    Expired,
    /// `REJECTED`: refused by ANCV, e.g. a blocked account, possibly after authorization (final).
    Rejected,
    /// `CANCELLED`: cancelled (refunded) through `/cancellation`, balance given back (final).
    Cancelled,
}

impl TransactionState {
    /// Every state, in the order of the spec's table.
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

    /// The state as spelled on the wire, e.g. `AUTHORIZED`.
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

    /// Reads a wire spelling (exact, upper case); `None` for an unknown state.
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

/// An `amount` object: `{total, currency}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Amount {
    /// `total`: the amount in integer minor units (cents); a number or a numeric string on input.
    #[serde(deserialize_with = "integer_or_string")]
    pub total: i64,
    /// `currency`: the ISO 4217 numeric code (978 = EUR, the only one ANCV accepts); a number or
    /// a numeric string on input.
    #[serde(deserialize_with = "currency_number_or_string")]
    pub currency: u16,
}

impl Amount {
    /// `total` cents of euro (currency 978).
    pub fn eur(total: i64) -> Amount {
        Amount {
            total,
            currency: 978,
        }
    }
}

/// The `merchant` object: who is paid, and through which PSP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Merchant {
    /// `shopId`: the merchant's ANCV Shop ID (from its `ANCV_CONNECT` contract); a string or a
    /// number on input.
    #[serde(deserialize_with = "string_or_number")]
    pub shop_id: String,
    /// `serviceProviderId`: cvgate's own id at ANCV as a PSP (sandbox default `900001`); a string
    /// or a number on input.
    #[serde(deserialize_with = "string_or_number")]
    pub service_provider_id: String,
}

/// The `order` object: what is being paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// The merchant's order reference, cut to 20 characters.
    pub id: String,
    /// cvgate's transaction id: the idempotency key of `create` per shop.
    pub payment_id: String,
    /// `label`: the soft descriptor the beneficiary sees in the app; optional on input.
    #[serde(default)]
    pub label: Option<String>,
    /// `amount`: the order's total, asked of the beneficiary (minimum 2000 minor units).
    pub amount: Amount,
}

/// `paymentMethod.captureMode`: when a validated transaction is captured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CaptureMode {
    /// `NORMAL`: captured as soon as the beneficiary validates (Payline action 101).
    Normal,
    /// `DEFERRED`: captured at `paymentMethod.captureDate`.
    Deferred,
}

/// The `paymentMethod` object: how the vouchers are taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethod {
    /// `tspdMode`: always `"001"`.
    pub tspd_mode: String,
    /// `captureMode`: NORMAL or DEFERRED.
    pub capture_mode: CaptureMode,
    /// `captureDate`: the ISO-8601 date of a DEFERRED capture; absent for NORMAL.
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

/// The `redirectUrls` object: where ANCV posts its notifications (server to server; cvgate sets
/// both to its ANCV notification URL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RedirectUrls {
    /// `returnUrl`: receives AUTHORIZED, VALIDATED, CONSIGNED, PAID and CANCELLED.
    pub return_url: String,
    /// `cancelUrl`: receives ABORTED, EXPIRED and REJECTED.
    pub cancel_url: String,
}

/// The body of `create` (`POST /payment-transactions/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateRequest {
    /// `merchant`: the shop and cvgate's service-provider id.
    pub merchant: Merchant,
    /// `order`: reference, cvgate's payment id, label and amount.
    pub order: Order,
    /// `paymentMethod`: `tspdMode` and the capture mode.
    pub payment_method: PaymentMethod,
    /// `redirectUrls`: where the notifications go.
    pub redirect_urls: RedirectUrls,
    /// `requestDate`: the UTC instant of the request, e.g. `2026-11-27T10:15:30.123Z`.
    pub request_date: String,
}

/// The `payer` object of `payer`: whom to ask, and for how much.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayerInput {
    /// `beneficiaryId`: the beneficiary's e-mail or 11-digit ANCV id; a string or a number on
    /// input.
    #[serde(deserialize_with = "string_or_number")]
    pub beneficiary_id: String,
    /// `amount`: must equal the order amount (the beneficiary may lower it in the app).
    pub amount: Amount,
}

/// The body of `payer` (`POST /payment-transactions/{id}/payer/`), which sends the request to the
/// beneficiary's app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayerRequest {
    /// `payer`: the beneficiary and the amount asked.
    pub payer: PayerInput,
    /// `requestDate`: the UTC instant of the request, e.g. `2026-11-27T10:15:30.123Z`.
    pub request_date: String,
}

/// The body of `cancellation` (`POST /payment-transactions/{id}/cancellation/`): a full refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancellationRequest {
    /// `reason`: always `OTHER`.
    pub reason: String,
    /// `requestDate`: the UTC instant of the request, e.g. `2026-11-27T10:15:30.123Z`.
    pub request_date: String,
}

/// One of `payers[].authorizations[]`: what the beneficiary validated in the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Authorization {
    /// `number`: ANCV's authorization number.
    pub number: String,
    /// `type`: always `CVCo` (Chèque-Vacances Connect); defaults to it when absent.
    #[serde(rename = "type", default = "cvco")]
    pub kind: String,
    /// `amount`: the amount validated, possibly lower than the one asked.
    pub amount: Amount,
    /// `validationDate`: the UTC instant of the validation in the app.
    #[serde(default)]
    pub validation_date: Option<String>,
    /// The masked 11-digit ANCV account, e.g. `10*****3051`.
    #[serde(default)]
    pub holder: Option<String>,
}

fn cvco() -> String {
    "CVCo".into()
}

/// One of `transaction.payers[]`: a beneficiary asked to pay, and what they validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payer {
    /// `beneficiaryId`: the beneficiary's e-mail or 11-digit ANCV id, as attached.
    #[serde(deserialize_with = "string_or_number")]
    pub beneficiary_id: String,
    /// `amount`: the amount asked of this beneficiary.
    pub amount: Amount,
    /// `authorizations`: empty until the beneficiary validates in the app.
    #[serde(default)]
    pub authorizations: Vec<Authorization>,
}

/// The `transaction` object of every success answer and notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    /// `id`: ANCV's transaction id, short lowercase alphanumerics (`fiawa31zot`).
    pub id: String,
    /// `state`: where the transaction stands.
    pub state: TransactionState,
    /// `subState`: ANCV's optional refinement of the state, free text (kept, not interpreted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_state: Option<String>,
    /// `creationDate`: the UTC instant of `create`.
    #[serde(default)]
    pub creation_date: Option<String>,
    /// `updateDate`: the UTC instant of the last change.
    #[serde(default)]
    pub update_date: Option<String>,
    /// `expirationDate`: the UTC instant the validation window ends (then EXPIRED).
    #[serde(default)]
    pub expiration_date: Option<String>,
    /// `merchant`: the shop and service provider, as created.
    pub merchant: Merchant,
    /// `order`: as created.
    pub order: Order,
    /// `paymentMethod`: as created, when ANCV repeats it.
    #[serde(default)]
    pub payment_method: Option<PaymentMethod>,
    /// `redirectUrls`: as created, when ANCV repeats them.
    #[serde(default)]
    pub redirect_urls: Option<RedirectUrls>,
    /// `payers`: empty before `payer`, then the one beneficiary asked.
    #[serde(default)]
    pub payers: Vec<Payer>,
}

impl Transaction {
    /// What the beneficiary validated in the app (`authorizations[0].amount.total`), if anything.
    pub fn validated_amount(&self) -> Option<i64> {
        self.first_authorization().map(|a| a.amount.total)
    }

    /// `payers[0].authorizations[0]`: the beneficiary's validation, if any.
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
    /// `responseDate`: the UTC instant of the answer (or of the notification).
    pub response_date: String,
    /// `applicationContext`: an object cvgate does not use; `{}` when absent.
    #[serde(default = "empty_object")]
    pub application_context: serde_json::Value,
    /// `transaction`: the transaction after the call.
    pub transaction: Transaction,
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

/// The error answer `{errorCode, errorMessage}`; the client tells it from a success by the
/// presence of `errorCode`, whatever the HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// `errorCode`: why ANCV refused, read with [`crate::ErrorCode::parse`].
    pub error_code: String,
    /// `errorMessage`: ANCV's explanation in plain words; empty when absent.
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
