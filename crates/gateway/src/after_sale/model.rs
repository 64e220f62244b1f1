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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Refund,
    Reset,
    Capture,
}

impl Operation {
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
    pub id: String,
    pub kind: TransactionKind,
    pub date: Timestamp,
    /// `AUTHOR`, `AUTHOR+CAP`, `CAPTURE`, `RESET`, `REFUND`.
    pub label: &'static str,
    /// Payline action: 100, 101, 201 (capture), 421 (refund), 102 (reset).
    pub action: &'static str,
    pub amount: i64,
    pub currency: Currency,
    pub contract_number: ContractNumber,
    pub order_ref: String,
    pub code: ReturnCode,
    /// As the associated transactions and the status history show it: the state (`ACCEPTED`,
    /// `PENDING`, `CHALLENGE`, `DONE`, …, or the ANCV state), with the code of a refusal or
    /// failure (`REFUSED_01100`) and [`BY_CVGATE`] for an operation cvgate made itself.
    pub status: String,
    pub partner_code: Option<String>,
    pub authorization_number: Option<String>,
    pub masked_card: Option<String>,
    pub card_type: Option<String>,
    pub card_expiry: Option<String>,
    /// The transaction a refund, reset or capture applies to.
    pub origin_id: Option<String>,
    /// `transaction.partnerAdditionalData`: what the partner knows the transaction by
    /// ([`ancv_partner_data`]).
    pub partner_additional_data: Option<String>,
}

/// A state a transaction went through (`statusHistoryList`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    pub transaction_id: String,
    pub at: Timestamp,
    pub status: String,
    pub amount: i64,
}

/// getTransactionDetails: the transaction, its session, the other means of payment of a split
/// payment, and (with history) what happened to it since.
#[derive(Debug, Clone)]
pub struct TransactionDetails {
    pub transaction: TransactionView,
    pub session: Option<WebPayment>,
    pub additional: Vec<TransactionView>,
    /// Its refunds, resets and captures (or what it applies to); from [`AfterSale::details`],
    /// also the other card attempts of its web payment session, each with its operations.
    pub associated: Vec<TransactionView>,
    pub history: Vec<StatusEntry>,
}

/// Why a lookup or a search has no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoAnswer {
    pub code: ReturnCode,
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
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub transaction_id: Option<String>,
    pub order_ref: Option<String>,
    pub contract_number: Option<String>,
    pub return_code: Option<String>,
    pub email: Option<String>,
    pub min_amount: Option<i64>,
    pub max_amount: Option<i64>,
}

pub const MAX_SEARCH_ROWS: i64 = 5_000;
pub const MAX_SEARCH_DAYS: i64 = 31;

/// The answer of a call run by [`AfterSale::once`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub body: String,
    /// False while the operation is still under way (not stored for repeats).
    pub settled: bool,
}

/// doAuthorization's request (server to server; the card data in memory only).
pub struct AuthorizeRequest {
    pub contract_number: String,
    pub amount: i64,
    pub currency: Currency,
    /// 100 or 101.
    pub capture: bool,
    pub order_ref: String,
    pub card: CardInput,
}

/// The states of an ANCV refund row.
pub(super) const REFUND_PENDING: &str = "PENDING";
pub(super) const REFUND_DONE: &str = "DONE";
pub(super) const REFUND_FAILED: &str = "FAILED";
