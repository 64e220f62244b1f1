//! Transactions: as a session lists them, as `GET /v1/checkout/transactions/{id}` shows them,
//! and what a capture, refund or cancel takes and answers.

use crate::common::PaylineResult;
use crate::sale::{Buyer, Order};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// One transaction (a payment by one means, or an operation on it).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    /// The 14-digit transaction id (the same as SOAP's); captures, refunds and cancels name it.
    pub id: String,
    /// When it was made.
    pub date: String,
    /// `AUTHORIZATION` (100), `AUTHORIZATION_AND_CAPTURE` (101), `CAPTURE`, `REFUND`, `RESET`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `EUR`.
    pub currency: String,
    /// `ONE_OFF`.
    pub payment_type: String,
    /// `AUTOMATIC` or `MANUAL`.
    pub capture: String,
    /// The amount asked for, in minor units.
    pub requested_amount: i64,
    /// The amount granted (an ANCV payment: what the beneficiary validated); null until then.
    pub authorized_amount: Option<i64>,
    /// The contract number.
    pub payment_method_id: String,
    /// cvgate's state of the transaction (`ACCEPTED`, `PENDING`, `REFUSED_01100`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The transaction an operation applies to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin_transaction_id: Option<String>,
    /// The card or the ANCV account used.
    pub payment_instrument_data: PaymentInstrumentData,
    /// What the acquirer or ANCV answered.
    pub partner_returned_data: PartnerReturnedData,
    /// The 3-D Secure outcome of a card payment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication_result_data: Option<AuthenticationResult>,
}

/// The means of payment used.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentInstrumentData {
    /// `UsedCard` or `UsedAlternativePaymentMethod` (ANCV Connect).
    pub used_payment_instrument: String,
    /// The masked card number, or the masked ANCV account.
    pub masked_number: Option<String>,
    /// The card's expiry (`MMYY`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    /// The card network (`CB`, `VISA`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// The payment method.
    pub payment_instrument_type: PaymentInstrumentType,
}

/// The payment method's code.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PaymentInstrumentType {
    /// `ANCV_CONNECT`, `CB`, `VISA`…
    pub code: Option<String>,
}

/// What the partner answered.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerReturnedData {
    /// The acquirer's or ANCV's authorization number, once granted.
    pub authorization_number: Option<String>,
    /// ANCV's own words (ANCV Connect transactions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<AncvData>,
}

/// ANCV's state and transaction id.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AncvData {
    /// ANCV's state (`INITIATED`, `VALIDATED`, `CONSIGNED`, `PAID`, `CANCELLED`…).
    pub ancv_state: Option<String>,
    /// ANCV's own transaction id.
    pub ancv_transaction_id: Option<String>,
}

/// The 3-D Secure outcome.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationResult {
    /// EMV 3DS `transStatus` (`Y`, `N`, `A`, `U`, `R`, `C`).
    pub trans_status: String,
}

/// `GET /v1/checkout/transactions/{id}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransactionDetails {
    /// The transaction's own result.
    pub result: PaylineResult,
    /// The transaction.
    pub transaction: Transaction,
    /// Its web payment session, when it was paid through one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// The session's order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<Order>,
    /// The session's buyer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buyer: Option<Buyer>,
    /// The session's private data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_data: Option<BTreeMap<String, String>>,
    /// The other means of payment of a split payment (the card part of an ANCV payment).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_transactions: Option<Vec<Transaction>>,
    /// The transaction first, then its captures, refunds and resets (and the session's other
    /// card attempts).
    pub associated_transactions: Vec<AssociatedTransaction>,
}

/// One line of `associatedTransactions`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssociatedTransaction {
    /// Its id.
    pub id: String,
    /// When it was made.
    pub date: String,
    /// `AUTHORIZATION`, `CAPTURE`, `REFUND`…
    #[serde(rename = "type")]
    pub kind: String,
    /// Its amount, in minor units.
    pub amount: i64,
    /// `OK` (accepted or done) or `KO`.
    pub status: String,
    /// The transaction it applies to.
    pub origin_transaction_id: Option<String>,
}

/// The body of a capture, refund or cancel.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
#[schema(example = json!({"amount": 1000, "comment": "returned item"}))]
pub struct OperationRequest {
    /// The amount, in minor units (ANCV Connect: the whole validated amount).
    #[schema(required = true, nullable = false, minimum = 1)]
    pub amount: Option<i64>,
    /// A note of the merchant's (not used by cvgate).
    pub comment: Option<serde_json::Value>,
    /// The merchant's reference of the operation (not used by cvgate).
    pub merchant_reference: Option<serde_json::Value>,
}

/// `201` to a capture, refund or cancel: refusals too, with a non-`ACCEPTED` result.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OperationAnswer {
    /// `ACCEPTED` 00000, `INPROGRESS` 02306 (ANCV still working), or why it was refused
    /// (02612 ANCV in full only, 02613 more than is left, 02618 not remitted yet…).
    pub result: PaylineResult,
    /// The transaction the operation made, when one was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction: Option<MadeTransaction>,
}

/// The capture, refund or reset an operation made.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MadeTransaction {
    /// Its id.
    pub id: String,
    /// When it was made.
    pub date: String,
    /// `CAPTURE`, `REFUND` or `RESET`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its amount, in minor units.
    pub amount: i64,
    /// `EUR`.
    pub currency: String,
    /// The transaction it applies to.
    pub origin_transaction_id: Option<String>,
}

/// `GET /v1/checkout/transactions`: one page of the merchant's transactions, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransactionPage {
    /// At most `limit` transactions (payments and operations alike).
    pub transactions: Vec<Transaction>,
    /// Give it as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}
