//! Web payment sessions: `POST /v1/checkout/sessions` (an internal doWebPayment) and
//! `GET /v1/checkout/sessions/{id}`.

use crate::common::PaylineResult;
use crate::sale::{Buyer, Order};
use crate::transactions::Transaction;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The body of `POST …/sessions`: the fields cvgate reads; any other is ignored. The same rules
/// and codes as doWebPayment apply.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
#[schema(example = json!({
    "pointOfSaleReference": "DEMO-SHOP",
    "order": {"reference": "SYL-1001", "amount": 6000, "currency": "EUR",
              "date": "2026-11-27T11:00:00.000+01:00"},
    "payment": {"paymentType": "ONE_OFF", "capture": "AUTOMATIC"},
    "buyer": {"firstName": "Camille", "lastName": "Martin", "email": "camille.martin@example.com"},
    "returnURL": "https://shop.example/return"
}))]
pub struct CreateSession {
    /// The point of sale's reference (`cvgate pos create --reference`).
    #[schema(required = true, nullable = false)]
    pub point_of_sale_reference: Option<String>,
    /// The contracts offered; absent: every active contract of the point of sale. An
    /// `ANCV_CONNECT` contract listed with card contracts is the ANCV payment with those card
    /// contracts as its complement.
    pub payment_method: Option<PaymentMethod>,
    /// What is sold.
    #[schema(required = true, nullable = false)]
    pub order: Option<NewOrder>,
    /// How it is paid: `ONE_OFF` + `AUTOMATIC` (the default, action 101) or `ONE_OFF` +
    /// `MANUAL` (action 100, captured later).
    pub payment: Option<PaymentKind>,
    /// Who buys (`email` is mandatory when an `ANCV_CONNECT` contract is offered).
    pub buyer: Option<Buyer>,
    /// The merchant's own key/value pairs, given back as they are.
    pub private_data: BTreeMap<String, String>,
    /// Where the buyer returns after the payment (`paylinetoken` and `token` appended).
    #[serde(rename = "returnURL")]
    #[schema(required = true, nullable = false)]
    pub return_url: Option<String>,
    /// Where the buyer returns on cancelling; `returnURL` when absent.
    #[serde(rename = "cancelURL")]
    pub cancel_url: Option<String>,
    /// Called (`GET …?notificationType=WEBTRS&token=…`) when the session ends.
    #[serde(rename = "notificationURL")]
    pub notification_url: Option<String>,
    /// `FR` or `EN` (any case): the payment page's language.
    pub language_code: Option<String>,
}

/// The contracts a session offers.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct PaymentMethod {
    /// Contract numbers, each one of the point of sale's.
    #[serde(rename = "paymentMethodIDs")]
    pub payment_method_ids: Vec<String>,
    /// One contract number (another way to name one).
    pub contract_number: Option<String>,
}

/// The order of a new session.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct NewOrder {
    /// The merchant's order reference.
    #[schema(required = true, nullable = false)]
    pub reference: Option<String>,
    /// The amount to pay, in minor units.
    #[schema(required = true, nullable = false, minimum = 1)]
    pub amount: Option<i64>,
    /// `EUR`.
    #[schema(required = true, nullable = false, example = "EUR")]
    pub currency: Option<String>,
    /// When the order was made (ISO 8601 with offset); now when absent.
    pub date: Option<String>,
}

/// `paymentType` and `capture`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct PaymentKind {
    /// `ONE_OFF` (the only one).
    pub payment_type: Option<String>,
    /// `AUTOMATIC` (default) or `MANUAL`.
    pub capture: Option<String>,
}

/// `201` to `POST …/sessions`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionCreated {
    /// `ACCEPTED` 00000.
    pub result: PaylineResult,
    /// The session's token: the same SOAP, the page, the widget, returns and notifications use.
    pub session_id: String,
    /// The hosted payment page to send the buyer to.
    #[serde(rename = "redirectURL")]
    pub redirect_url: String,
}

/// A session as `GET …/sessions/{id}` shows it (reading a final state counts as the merchant
/// reading the result, as getWebPaymentDetails does).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The session's state: the triple getWebPaymentDetails returns.
    pub result: PaylineResult,
    /// The session's token.
    pub session_id: String,
    /// What is sold.
    pub order: Order,
    /// Who buys.
    pub buyer: Buyer,
    /// The merchant's own key/value pairs.
    pub private_data: BTreeMap<String, String>,
    /// One transaction per means of payment, in creation order (the ANCV one first, then the
    /// card that paid the rest): their `authorizedAmount`s add up to `order.amount`. Absent
    /// until a payment exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transactions: Option<Vec<Transaction>>,
}
