//! What after-sale calls take and answer: operation answers, transaction views and details,
//! search criteria, replayed replies, doAuthorization's request.

use crate::transaction_ids::TransactionKind;
use domain::card::CardInput;
use domain::clock::Timestamp;
use domain::contract::ContractNumber;
use domain::money::Currency;
use domain::return_code::ReturnCode;
use domain::web_payment::WebPayment;

/// What a capture, reset or refund answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationAnswer {
    /// `result.code`: 00000 done, 02306 still under way, or why it was refused.
    pub code: ReturnCode,
    /// A sentence for `longMessage` when the code's own is not enough.
    pub message: Option<String>,
    /// The ANCV state or error code (ANCV transactions).
    pub partner_code: Option<String>,
    /// The new transaction (the refund, the reset, the capture), when one was made.
    pub transaction: Option<TransactionView>,
}

impl OperationAnswer {
    /// Whether this is the operation's final word (a repeat gets it unchanged); otherwise the
    /// work is still under way and a repeat asks again.
    pub fn is_settled(&self) -> bool {
        self.code != ReturnCode::InProgress
    }

    pub(super) fn refused(code: ReturnCode, message: impl Into<String>) -> OperationAnswer {
        OperationAnswer {
            code,
            message: Some(message.into()),
            partner_code: None,
            transaction: None,
        }
    }
}

/// Which after-sale change a merchant asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// doRefund: gives money back after remittance (an ANCV transaction: cancelled in full).
    Refund,
    /// doReset: cancels before remittance (an ANCV transaction: cancelled in full).
    Reset,
    /// doCapture: captures an action-100 card authorization.
    Capture,
}

impl Operation {
    /// The Payline operation name (`doRefund`, `doReset`, `doCapture`), as replays are keyed.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Refund => "doRefund",
            Operation::Reset => "doReset",
            Operation::Capture => "doCapture",
        }
    }
}

/// One transaction as the after-sale API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionView {
    /// `transaction.id`: the 14-digit transaction id.
    pub id: String,
    /// What the id names (ANCV payment or refund, card payment or operation).
    pub kind: TransactionKind,
    /// `transaction.date`: when it was made.
    pub date: Timestamp,
    /// `AUTHOR`, `AUTHOR+CAP`, `CAPTURE`, `RESET`, `REFUND`.
    pub label: &'static str,
    /// Payline action: 100, 101, 201 (capture), 421 (refund), 102 (reset).
    pub action: &'static str,
    /// `payment.amount`, in minor units (an ANCV payment: the validated amount once known).
    pub amount: i64,
    /// `payment.currency`.
    pub currency: Currency,
    /// `payment.contractNumber`.
    pub contract_number: ContractNumber,
    /// `order.ref` of the sale.
    pub order_ref: String,
    /// `result.code`: 00000 accepted or done, 02306 under way, or the refusal.
    pub code: ReturnCode,
    /// As the associated transactions and the status history show it: the state (`ACCEPTED`,
    /// `PENDING`, `CHALLENGE`, `DONE`, …, or the ANCV state), with the code of a refusal or
    /// failure (`REFUSED_01100`) and [`BY_CVGATE`](super::BY_CVGATE) for an operation cvgate
    /// made itself.
    pub status: String,
    /// `result.partnerCode`: ANCV's state or error code (ANCV transactions only).
    pub partner_code: Option<String>,
    /// `authorization.number`: the acquirer's or ANCV's authorization number, once granted.
    pub authorization_number: Option<String>,
    /// `card.number`: the masked card number (ANCV: the masked ANCV account, once known).
    pub masked_card: Option<String>,
    /// `card.type` and `payment.cardBrand` (`CB`, `VISA`, …, `ANCV_CONNECT`).
    pub card_type: Option<String>,
    /// `card.expirationDate` (`MMYY`; card transactions only).
    pub card_expiry: Option<String>,
    /// `authentication3DSecure.authenticationResult`: how the buyer was authenticated
    /// (`FRICTIONLESS`, `CHALLENGE`; card payments only, once known).
    pub three_ds: Option<&'static str>,
    /// The transaction a refund, reset or capture applies to.
    pub origin_id: Option<String>,
    /// `transaction.partnerAdditionalData`: what the partner knows the transaction by
    /// ([`ancv_partner_data`](super::ancv_partner_data)).
    pub partner_additional_data: Option<String>,
}

/// A state a transaction went through (`statusHistoryList`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    /// `transactionId`: the transaction (or operation) whose state this is.
    pub transaction_id: String,
    /// `date`: when it reached that state.
    pub at: Timestamp,
    /// `status`: the state, as [`TransactionView::status`] spells it.
    pub status: String,
    /// `amount`, in minor units.
    pub amount: i64,
}

/// getTransactionDetails: the transaction, its session, the other means of payment of a split
/// payment, and (with history) what happened to it since.
#[derive(Debug, Clone)]
pub struct TransactionDetails {
    /// The transaction asked about.
    pub transaction: TransactionView,
    /// Its web payment session (order, buyer, private data), when it was paid through one.
    pub session: Option<WebPayment>,
    /// `paymentAdditionalList`: the other means of payment of a split payment (the card payment
    /// completing an ANCV one).
    pub additional: Vec<TransactionView>,
    /// Its refunds, resets and captures (or what it applies to); from
    /// [`AfterSale::details`](super::AfterSale::details), also the other card attempts of its web
    /// payment session, each with its operations.
    pub associated: Vec<TransactionView>,
    /// `statusHistoryList`: the states it went through, oldest first.
    pub history: Vec<StatusEntry>,
}

/// Why a lookup or a search has no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoAnswer {
    /// `result.code`: why (an invalid or unknown field, an empty search, a period too long).
    pub code: ReturnCode,
    /// `result.longMessage`: what was wrong, for the merchant's developer.
    pub message: String,
}

impl NoAnswer {
    pub(super) fn new(code: ReturnCode, message: impl Into<String>) -> NoAnswer {
        NoAnswer {
            code,
            message: message.into(),
        }
    }
}

/// transactionsSearch criteria (already parsed; `None` = any).
#[derive(Debug, Clone, Default)]
pub struct SearchCriteria {
    /// `startDate`: the start of the period (inclusive); mandatory.
    pub from: Option<Timestamp>,
    /// `endDate`: the end of the period (exclusive: the day after the end date); mandatory.
    pub to: Option<Timestamp>,
    /// `transactionId`: that transaction only.
    pub transaction_id: Option<String>,
    /// `orderRef`: the sale's order reference, exactly.
    pub order_ref: Option<String>,
    /// `contractNumber`: the contract the transaction was made on.
    pub contract_number: Option<String>,
    /// `returnCode`: the transaction's Payline code (`00000`, …).
    pub return_code: Option<String>,
    /// `email`: the buyer's e-mail given with the web payment (case-insensitive).
    pub email: Option<String>,
    /// `minAmount`, in minor units (inclusive).
    pub min_amount: Option<i64>,
    /// `maxAmount`, in minor units (inclusive).
    pub max_amount: Option<i64>,
}

/// The transaction search criteria of the JSON API and the back office (`None` = any); pages
/// come with a cursor.
#[derive(Debug, Clone, Default)]
pub struct PageCriteria {
    /// Made at or after this instant.
    pub from: Option<Timestamp>,
    /// Made before this instant.
    pub to: Option<Timestamp>,
    /// The sale's order reference, exactly.
    pub order_ref: Option<String>,
    /// The contract the transaction was made on.
    pub contract_number: Option<String>,
    /// The transaction's status (`ACCEPTED`, `DONE`, `REFUSED_01100`…) or Payline code (`00000`).
    pub status: Option<String>,
    /// The means of payment (`card.type`: `ANCV_CONNECT`, `CB`, `VISA`…).
    pub method: Option<String>,
    /// At least this amount, in minor units.
    pub min_amount: Option<i64>,
    /// At most this amount, in minor units.
    pub max_amount: Option<i64>,
}

/// How many transactions of the period a search looks at, at most.
pub const MAX_SEARCH_ROWS: i64 = 5_000;
/// The longest period a search may cover, in days (longer: 02320).
pub const MAX_SEARCH_DAYS: i64 = 31;

/// The answer of a call run by [`AfterSale::once`](super::AfterSale::once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The SOAP answer body, as sent (and sent again to repeats).
    pub body: String,
    /// False while the operation is still under way (not stored for repeats).
    pub settled: bool,
}

/// doAuthorization's request (server to server; the card data in memory only).
pub struct AuthorizeRequest {
    /// `payment.contractNumber`, as given (checked against the merchant's active contracts).
    pub contract_number: String,
    /// `payment.amount`, in minor units.
    pub amount: i64,
    /// `payment.currency`: must be the contract's.
    pub currency: Currency,
    /// 100 or 101.
    pub capture: bool,
    /// `order.ref`.
    pub order_ref: String,
    /// `card`: number, expiry, CVV, as typed (checked by the card payment service).
    pub card: CardInput,
}

/// The states of an ANCV refund row.
pub(super) const REFUND_PENDING: &str = "PENDING";
pub(super) const REFUND_DONE: &str = "DONE";
pub(super) const REFUND_FAILED: &str = "FAILED";
