//! DirectPaymentAPI: `doRefund`, `doReset`, `doCapture` and `doAuthorization`, read from and
//! written to SOAP (payline-v4.md §6).
//!
//! Request elements cvgate does not act on are not decoded: `media`, `details` and `miscData`
//! everywhere; in `doAuthorization` also `transient`, `bankAccountData`, `owner`,
//! `authentication3DSecure`, `subMerchant`, `asynchronousRetryTimeout`, `linkedTransactionId`,
//! `threeDSInfo`, `travelFileNumber` and `recurring`.

use crate::decode::{self, sensitive, text};
use crate::objects::{
    AuthenticationOut, AuthorizationOut, CardOut, ExtendedCardOut, ResultOut, TransactionOut,
    write_private_data,
};
use crate::sensitive::Sensitive;
use crate::writer::{Ns, XmlWriter};
use crate::xml::Element;
use domain::card::CardInput;
use domain::web_payment::request::{BuyerInput, OrderInput, PaymentInput};

const I: Ns = Ns::Impl;

/// A `doRefundRequest`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefundIn {
    /// Payline `version`: the API version the client speaks (e.g. `34`).
    pub version: Option<String>,
    /// Payline `transactionID`: the transaction to refund.
    pub transaction_id: Option<String>,
    /// Payline `payment`: the amount to give back (minor units), its currency, action `421` and
    /// contract.
    pub payment: Option<PaymentInput>,
    /// Payline `comment`: the merchant's free text about the refund.
    pub comment: Option<String>,
    /// Payline `privateDataList`: the merchant's (key, value) pairs.
    pub private_data: Vec<(String, String)>,
    /// Payline `sequenceNumber`: the merchant's idempotency key; a repeat with the same one replays
    /// the first answer.
    pub sequence_number: Option<String>,
}

/// Reads a `doRefundRequest` wrapper element.
pub fn decode_do_refund(body: &Element) -> RefundIn {
    RefundIn {
        version: text(body, "version"),
        transaction_id: text(body, "transactionID"),
        payment: decode::payment(body),
        comment: text(body, "comment"),
        private_data: decode::private_data(body),
        sequence_number: text(body, "sequenceNumber"),
    }
}

/// A `doResetRequest`: the schema has a top-level `amount`/`currency` (a partial reset), no
/// `payment`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResetIn {
    /// Payline `version`: the API version the client speaks (e.g. `34`).
    pub version: Option<String>,
    /// Payline `transactionID`: the transaction (or refund) to cancel.
    pub transaction_id: Option<String>,
    /// Payline `comment`: the merchant's free text about the reset.
    pub comment: Option<String>,
    /// Payline `amount`: how much to cancel, minor units; absent cancels it all.
    pub amount: Option<String>,
    /// Payline `currency`: ISO 4217 numeric code of `amount`.
    pub currency: Option<String>,
    /// Payline `privateDataList`: the merchant's (key, value) pairs.
    pub private_data: Vec<(String, String)>,
    /// Payline `sequenceNumber`: the merchant's idempotency key; a repeat with the same one replays
    /// the first answer.
    pub sequence_number: Option<String>,
}

/// Reads a `doResetRequest` wrapper element.
pub fn decode_do_reset(body: &Element) -> ResetIn {
    ResetIn {
        version: text(body, "version"),
        transaction_id: text(body, "transactionID"),
        comment: text(body, "comment"),
        amount: text(body, "amount"),
        currency: text(body, "currency"),
        private_data: decode::private_data(body),
        sequence_number: text(body, "sequenceNumber"),
    }
}

/// A `doCaptureRequest` (the schema has no `comment`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaptureIn {
    /// Payline `version`: the API version the client speaks (e.g. `34`).
    pub version: Option<String>,
    /// Payline `transactionID`: the authorization to capture.
    pub transaction_id: Option<String>,
    /// Payline `payment`: the amount to capture (minor units), its currency, action `201` and
    /// contract.
    pub payment: Option<PaymentInput>,
    /// Payline `privateDataList`: the merchant's (key, value) pairs.
    pub private_data: Vec<(String, String)>,
    /// Payline `sequenceNumber`: the merchant's idempotency key; a repeat with the same one replays
    /// the first answer.
    pub sequence_number: Option<String>,
}

/// Reads a `doCaptureRequest` wrapper element.
pub fn decode_do_capture(body: &Element) -> CaptureIn {
    CaptureIn {
        version: text(body, "version"),
        transaction_id: text(body, "transactionID"),
        payment: decode::payment(body),
        private_data: decode::private_data(body),
        sequence_number: text(body, "sequenceNumber"),
    }
}

/// The `card` of a `doAuthorizationRequest`. The number and the CVV are [`Sensitive`]: `Debug`
/// prints them `***`, and nothing here is `Clone` or serialisable.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CardIn {
    /// Payline `number`: the full card number (PAN).
    pub number: Option<Sensitive>,
    /// Payline `type`: the card type, e.g. `CB`, `VISA`, `MASTERCARD`.
    pub card_type: Option<String>,
    /// Payline `expirationDate`: `MMYY`.
    pub expiration_date: Option<String>,
    /// Payline `cvx`: the card's security code (CVV).
    pub cvx: Option<Sensitive>,
    /// Payline `cardholder`: the name on the card.
    pub cardholder: Option<String>,
    /// Payline `token`: a card token instead of the number (a card already known to the gateway).
    pub token: Option<String>,
}

impl CardIn {
    /// The card as domain input, to be validated (a missing value reads as "" and fails
    /// validation naming its field).
    pub fn to_card_input(&self) -> CardInput {
        CardInput::new(
            self.number.as_ref().map_or("", Sensitive::expose),
            self.expiration_date.as_deref().unwrap_or(""),
            self.cvx.as_ref().map_or("", Sensitive::expose),
        )
    }
}

/// A `doAuthorizationRequest`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct AuthorizationIn {
    /// Payline `version`: the API version the client speaks (e.g. `34`).
    pub version: Option<String>,
    /// Payline `payment`: amount (minor units), currency, action (`100` or `101`), mode and
    /// contract.
    pub payment: Option<PaymentInput>,
    /// Payline `card`: the card to charge.
    pub card: Option<CardIn>,
    /// Payline `order`: the merchant's order (reference, amount, currency, date).
    pub order: Option<OrderInput>,
    /// Payline `buyer`: who pays; an absent buyer reads as one with no values.
    pub buyer: BuyerInput,
    /// Payline `privateDataList`: the merchant's (key, value) pairs.
    pub private_data: Vec<(String, String)>,
}

/// Reads a `doAuthorizationRequest` wrapper element.
pub fn decode_do_authorization(body: &Element) -> AuthorizationIn {
    let card = body.present("card").map(|c| CardIn {
        number: sensitive(c, "number"),
        card_type: text(c, "type"),
        expiration_date: text(c, "expirationDate"),
        cvx: sensitive(c, "cvx"),
        cardholder: text(c, "cardholder"),
        token: text(c, "token"),
    });
    AuthorizationIn {
        version: text(body, "version"),
        payment: decode::payment(body),
        card,
        order: decode::order(body),
        buyer: decode::buyer(body),
        private_data: decode::private_data(body),
    }
}

/// What `doRefund`, `doReset` and `doCapture` answer: the result and the new transaction (the
/// refund, the reset or the capture).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AfterSaleOut {
    /// Payline `result`: the outcome.
    pub result: ResultOut,
    /// Payline `transaction`: the new transaction the operation made (its id is new).
    pub transaction: TransactionOut,
}

impl AfterSaleOut {
    fn write(&self, w: &mut XmlWriter) {
        w.complex(I, "result", |w| self.result.write(w));
        w.complex(I, "transaction", |w| self.transaction.write(w));
    }
}

/// The `doRefundResponse` envelope.
pub fn write_do_refund(out: &AfterSaleOut) -> String {
    XmlWriter::response("doRefundResponse", |w| {
        out.write(w);
        w.nil(I, "miscData");
    })
}

/// The `doResetResponse` envelope.
pub fn write_do_reset(out: &AfterSaleOut) -> String {
    XmlWriter::response("doResetResponse", |w| out.write(w))
}

/// The `doCaptureResponse` envelope.
pub fn write_do_capture(out: &AfterSaleOut) -> String {
    XmlWriter::response("doCaptureResponse", |w| {
        out.write(w);
        w.nil(I, "reAuthorization");
    })
}

/// What `doAuthorization` answers (the card masked, as in every response).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DoAuthorizationOut {
    /// Payline `result`: the outcome (`00000`, or the refusal's code).
    pub result: ResultOut,
    /// Payline `transaction`: the authorization transaction.
    pub transaction: TransactionOut,
    /// Payline `authorization`: the acquirer's authorization number and date.
    pub authorization: AuthorizationOut,
    /// Payline `card`: the card charged, its number masked.
    pub card: CardOut,
    /// Payline `extendedCard`: the card's issuer and network, where known.
    pub extended_card: ExtendedCardOut,
    /// Payline `privateDataList`: the merchant's (key, value) pairs, echoed.
    pub private_data: Vec<(String, String)>,
    /// Payline `contractNumber`: the card contract used.
    pub contract_number: Option<String>,
    /// Payline `authentication3DSecure`: the 3-D Secure authentication; nil when there was none.
    pub three_d_secure: Option<AuthenticationOut>,
}

/// The `doAuthorizationResponse` envelope.
pub fn write_do_authorization(out: &DoAuthorizationOut) -> String {
    XmlWriter::response("doAuthorizationResponse", |w| {
        w.nil(I, "transient");
        w.complex(I, "result", |w| out.result.write(w));
        w.complex(I, "transaction", |w| out.transaction.write(w));
        w.complex(I, "authorization", |w| out.authorization.write(w));
        w.complex(I, "card", |w| out.card.write(w));
        w.complex(I, "extendedCard", |w| out.extended_card.write(w));
        write_private_data(w, I, &out.private_data);
        w.required(I, "contractNumber", out.contract_number.as_deref());
        w.nil(I, "linkedTransactionId");
        w.nil(I, "travelFileNumber");
        w.optional(
            I,
            "authentication3DSecure",
            out.three_d_secure.as_ref(),
            |w, a| a.write(w),
        );
        w.nil(I, "resultContainer");
    })
}

#[cfg(test)]
mod tests;
