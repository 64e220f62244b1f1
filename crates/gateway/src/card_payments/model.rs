//! The card payments' vocabulary: transactions and their states, operations, what the service
//! answers, its errors and settings, and the observer that hears about changes.

use crate::observer::ObserverFuture;
use card::{AcquirerError, Action, Balances, LedgerStatus, OperationKind, RemittanceTime, ThreeDs};
use domain::FieldError;
use domain::card::CardInput;
use domain::clock::Timestamp;
use domain::contract::{CardCode, Contract, ContractNumber};
use domain::merchant::MerchantId;
use domain::money::Currency;
use domain::return_code::ReturnCode;
use std::sync::Arc;
use store::{StoreError, UnitOfWork};
use tokio::sync::Notify;

/// The side that counts on card payments (the web payment sessions).
pub trait CardPaymentObserver: Send + Sync {
    /// `before` became `after`: told inside the unit of work that records it. `Ok(false)`: roll
    /// back and try again.
    fn changed<'a>(
        &'a self,
        uow: &'a mut UnitOfWork,
        before: &'a CardTransaction,
        after: &'a CardTransaction,
    ) -> ObserverFuture<'a, bool>;
}

/// Asks the acquirer about a transaction whose outcome is unknown (subject: transaction id).
pub const RECONCILE_JOB: &str = "card_reconcile";
/// Sends a capture, reset or refund again after an unknown outcome (subject: operation id).
pub const OPERATION_JOB: &str = "card_operation";
/// The daily remittance batch (subject [`REMITTANCE_SUBJECT`]).
pub const REMITTANCE_JOB: &str = "card_remittance";
/// The subject of the one [`REMITTANCE_JOB`] row: there is one remittance batch a day.
pub const REMITTANCE_SUBJECT: &str = "daily";

/// Attempts per web payment session.
pub const MAX_ATTEMPTS: usize = 3;
/// Between two questions to the acquirer about an unknown outcome.
pub(super) const RECONCILE_DELAY_MS: i64 = 30_000;
/// How often to ask about a challenge: the buyer may pass it and never come back to cvgate.
pub(super) const CHALLENGE_CHECK_MS: i64 = 60_000;
pub(super) const REMITTANCE_BATCH: i64 = 500;

/// Where a card transaction stands on its way to acceptance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentState {
    /// Written before calling the acquirer; the outcome is not known yet.
    Pending,
    /// The buyer must pass the 3-D Secure challenge (`challenge_url`).
    ChallengeRequired,
    /// The acquirer granted the authorization (captured at once with action 101).
    Accepted,
    /// Declined, failed or errored: `return_code` says why.
    Refused,
}

impl PaymentState {
    /// Every state, in the order a transaction may reach them.
    pub const ALL: [PaymentState; 4] = [
        PaymentState::Pending,
        PaymentState::ChallengeRequired,
        PaymentState::Accepted,
        PaymentState::Refused,
    ];

    /// The stored name (`PENDING`, `CHALLENGE`, `ACCEPTED`, `REFUSED`), also shown in the
    /// status lists.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentState::Pending => "PENDING",
            PaymentState::ChallengeRequired => "CHALLENGE",
            PaymentState::Accepted => "ACCEPTED",
            PaymentState::Refused => "REFUSED",
        }
    }

    /// The state stored under this name; `None` for any other.
    pub fn parse(value: &str) -> Option<PaymentState> {
        PaymentState::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// Still waiting for the acquirer or the buyer.
    pub fn is_open(self) -> bool {
        match self {
            PaymentState::Pending | PaymentState::ChallengeRequired => true,
            PaymentState::Accepted | PaymentState::Refused => false,
        }
    }

    /// Forward moves only: news applied twice, or late, changes nothing.
    pub fn may_become(self, next: PaymentState) -> bool {
        match next {
            PaymentState::Pending => false,
            PaymentState::ChallengeRequired => self == PaymentState::Pending,
            PaymentState::Accepted | PaymentState::Refused => self.is_open(),
        }
    }
}

/// One card transaction as cvgate stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardTransaction {
    /// Payline-style id (14 digits); also the acquirer's reference.
    pub id: String,
    /// The merchant paid.
    pub merchant_id: MerchantId,
    /// The card contract it was made on (`payment.contractNumber`).
    pub contract_number: ContractNumber,
    /// The merchant's order reference (`order.ref`, at most 50 characters).
    pub order_ref: String,
    /// The amount asked for, in minor units (the amounts since: [`Self::balances`]).
    pub amount: i64,
    /// The contract's currency.
    pub currency: Currency,
    /// Payline action 100 (authorization only) or 101 (authorization and capture).
    pub action: Action,
    /// The web payment session token, when the payment belongs to one.
    pub attempt_group: Option<String>,
    /// 1, 2, … within its session (`None` outside one).
    pub attempt_number: Option<i64>,
    /// Where it stands on its way to acceptance.
    pub state: PaymentState,
    /// The final authorization outcome (set when accepted or refused).
    pub return_code: Option<ReturnCode>,
    /// `497010XXXXXX0006`.
    pub masked_number: String,
    /// Payline card type (`CB`, `VISA`, …).
    pub card_type: CardCode,
    /// `MMYY`.
    pub expiry: String,
    /// The acquirer's opaque token for the card, once accepted (safe to store).
    pub card_token: Option<String>,
    /// The acquirer's authorization number, once accepted.
    pub authorization_number: Option<String>,
    /// How the buyer was authenticated with 3-D Secure, once known.
    pub three_ds: Option<ThreeDs>,
    /// The acquirer's reference of the 3-D Secure challenge, which the ACS hands back with the
    /// buyer's browser.
    pub challenge_ref: Option<String>,
    /// Where to send the buyer for the 3-D Secure challenge.
    pub challenge_url: Option<String>,
    /// The amounts, once accepted.
    pub balances: Option<Balances>,
    /// The row's version: a write only succeeds on the version it read.
    pub version: i64,
    /// When it was recorded (before the acquirer was called).
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

impl CardTransaction {
    /// The Payline code of the authorization: accepted, the refusal, or 02306 while open.
    pub fn result_code(&self) -> ReturnCode {
        match self.state {
            PaymentState::Accepted => ReturnCode::Accepted,
            PaymentState::Refused => self.return_code.unwrap_or(ReturnCode::AcquirerError),
            PaymentState::Pending | PaymentState::ChallengeRequired => ReturnCode::InProgress,
        }
    }

    /// Authorized, captured, cancelled, remitted or refunded (once accepted).
    pub fn ledger_status(&self) -> Option<LedgerStatus> {
        self.balances.as_ref().map(Balances::status)
    }
}

/// Where a capture, reset or refund stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperationState {
    /// Recorded, and sent or about to be: the acquirer's answer is not known yet.
    Pending,
    /// The acquirer made it.
    Done,
    /// The acquirer refused it, or surely did not make it (`return_code` says why).
    Failed,
}

impl OperationState {
    /// The stored name (`PENDING`, `DONE`, `FAILED`), also shown in the status lists.
    pub fn as_str(self) -> &'static str {
        match self {
            OperationState::Pending => "PENDING",
            OperationState::Done => "DONE",
            OperationState::Failed => "FAILED",
        }
    }

    /// The state stored under this name; `None` for any other.
    pub fn parse(value: &str) -> Option<OperationState> {
        [
            OperationState::Pending,
            OperationState::Done,
            OperationState::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }
}

/// A capture, reset or refund, with its own Payline-style id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardOperation {
    /// Its own 14-digit transaction id; also its `operation_ref` at the acquirer (the
    /// idempotency key).
    pub id: String,
    /// The card transaction it applies to.
    pub transaction_id: String,
    /// 1, 2, … in the order they were asked for.
    pub position: i64,
    /// Capture, reset or refund.
    pub kind: OperationKind,
    /// The amount it moves, in minor units (all that was left when none was given).
    pub amount: i64,
    /// Where it stands.
    pub state: OperationState,
    /// Its Payline code once finished: 00000, or why it failed.
    pub return_code: Option<ReturnCode>,
    /// The merchant request (with a sequenceNumber) that made it.
    pub request_key: Option<String>,
    /// Who asked for it.
    pub initiator: Initiator,
    /// When it was recorded (before it was sent).
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// Who asked for an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Initiator {
    /// The merchant, with doCapture, doReset or doRefund.
    Merchant,
    /// cvgate, giving back a card payment that no session counts on.
    Gateway,
}

impl Initiator {
    /// The stored name (`MERCHANT`, `GATEWAY`).
    pub fn as_str(self) -> &'static str {
        match self {
            Initiator::Merchant => "MERCHANT",
            Initiator::Gateway => "GATEWAY",
        }
    }

    /// The initiator stored under this name; `None` for any other.
    pub fn parse(value: &str) -> Option<Initiator> {
        [Initiator::Merchant, Initiator::Gateway]
            .into_iter()
            .find(|i| i.as_str() == value)
    }
}

/// An operation to make on a card transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationOrder {
    /// Capture, reset or refund.
    pub kind: OperationKind,
    /// The card transaction to operate on.
    pub transaction_id: String,
    /// In minor units; `None`: everything that is left.
    pub amount: Option<i64>,
    /// The merchant request (with a sequenceNumber) asking: a repeat finds the operation made
    /// for it instead of making another.
    pub request_key: Option<String>,
    /// Who asks.
    pub initiator: Initiator,
}

/// The answer to a capture, reset or refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationReport {
    /// Made, refused, or still under way.
    pub status: OperationStatus,
    /// `None` when it was refused before anything was recorded or sent.
    pub operation: Option<CardOperation>,
    /// The transaction afterwards.
    pub transaction: CardTransaction,
}

/// How a capture, reset or refund ended, as far as cvgate knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationStatus {
    /// The acquirer made it.
    Done,
    /// Refused, by the acquirer's rules before anything was sent or by the acquirer itself:
    /// the Payline code says why.
    Refused(ReturnCode),
    /// The acquirer's answer is unknown; the [`OPERATION_JOB`] finds out. Further operations on
    /// the transaction wait for it ([`CardPaymentError::OperationInProgress`]).
    Pending,
}

impl OperationReport {
    /// The Payline code: 00000, the refusal, or 02306 (in progress) while pending.
    pub fn code(&self) -> ReturnCode {
        match self.status {
            OperationStatus::Done => ReturnCode::Accepted,
            OperationStatus::Refused(code) => code,
            OperationStatus::Pending => ReturnCode::InProgress,
        }
    }
}

/// What one remittance run remitted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemittanceReport {
    /// The ids of the transactions remitted by this run.
    pub remitted: Vec<String>,
}

/// Why a card payment or operation was not made, or not finished.
#[derive(Debug, thiserror::Error)]
pub enum CardPaymentError {
    /// Bad input (card data included): nothing was written.
    #[error(transparent)]
    Invalid(FieldError),
    /// The contract (its number) is not an active card contract of this merchant: nothing was
    /// written.
    #[error(
        "contract {0} cannot take a card payment (not an active card contract of this merchant)"
    )]
    NotCardContract(String),
    /// The web payment session has used its [`MAX_ATTEMPTS`] attempts.
    #[error("the {MAX_ATTEMPTS} card payment attempts of this payment session are used")]
    TooManyAttempts {
        /// The session token.
        group: String,
    },
    /// Another attempt of the session is still open (pending or at its challenge).
    #[error("another card payment of this payment session is still in progress")]
    AttemptInProgress {
        /// The session token.
        group: String,
        /// `None` when it raced in at the same moment.
        transaction_id: Option<String>,
    },
    /// An attempt of the session was accepted already.
    #[error("this payment session is already paid (card payment {transaction_id})")]
    AlreadyPaid {
        /// The session token.
        group: String,
        /// The accepted attempt.
        transaction_id: String,
    },
    /// No card transaction (of this merchant) has this id.
    #[error("no card transaction {0}")]
    UnknownTransaction(String),
    /// No card transaction waits for this 3-D Secure challenge reference.
    #[error("unknown 3-D Secure challenge")]
    UnknownChallenge,
    /// Another capture, reset or refund of the transaction is still pending: one at a time.
    #[error("another operation on card transaction {transaction_id} is still in progress")]
    OperationInProgress {
        /// The card transaction.
        transaction_id: String,
        /// `None` when it raced in at the same moment.
        operation_id: Option<String>,
    },
    /// The acquirer failed the call (the remittance batch: it is run again soon).
    #[error("the acquirer failed: {0}")]
    Acquirer(AcquirerError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CardPaymentError {
    /// A Payline code for surfaces that need one. Session conditions (attempts) have no code of
    /// their own; the hosted page shows them, and the session's code is the last refusal.
    pub fn return_code(&self) -> ReturnCode {
        match self {
            CardPaymentError::Invalid(error) if error.field == "amount" => {
                ReturnCode::InvalidAmount
            }
            // card-sandbox.md: an expiry in the past is refused 01101, whatever the number.
            CardPaymentError::Invalid(error)
                if error.field == domain::card::EXPIRY_FIELD
                    && error.rule == domain::card::EXPIRED_RULE =>
            {
                ReturnCode::CardExpired
            }
            CardPaymentError::Invalid(_) | CardPaymentError::UnknownTransaction(_) => {
                ReturnCode::InvalidField
            }
            CardPaymentError::NotCardContract(_) => ReturnCode::InvalidContract,
            CardPaymentError::TooManyAttempts { .. }
            | CardPaymentError::AttemptInProgress { .. }
            | CardPaymentError::AlreadyPaid { .. }
            | CardPaymentError::UnknownChallenge
            | CardPaymentError::OperationInProgress { .. }
            | CardPaymentError::Store(_) => ReturnCode::InternalError,
            CardPaymentError::Acquirer(_) => ReturnCode::AcquirerError,
        }
    }
}

impl From<FieldError> for CardPaymentError {
    fn from(error: FieldError) -> Self {
        CardPaymentError::Invalid(error)
    }
}

/// A card payment to make.
#[derive(Debug)]
pub struct PayRequest {
    /// The merchant paid.
    pub merchant_id: MerchantId,
    /// The card contract (loaded for this merchant).
    pub contract: Contract,
    /// The merchant's order reference (at most 50 characters).
    pub order_ref: String,
    /// In minor units: positive, at most 12 digits.
    pub amount: i64,
    /// Must be the contract's currency.
    pub currency: Currency,
    /// Payline action 100 (authorization only) or 101 (authorization and capture).
    pub action: Action,
    /// The web payment session token; `None` for doAuthorization (no attempt limit).
    pub attempt_group: Option<String>,
    /// Absolute URL the ACS sends the buyer back to after a challenge, with
    /// `?challenge=<ref>` ([`card::CHALLENGE_PARAM`]) added; the page then calls
    /// [`CardPayments::complete_three_ds`](super::CardPayments::complete_three_ds). `None`: a
    /// card needing a challenge is refused (03003).
    pub three_ds_return_url: Option<String>,
    /// As typed; checked here, kept in memory for the call only.
    pub card: CardInput,
}

/// Settings of the card payment service.
pub struct CardPaymentsConfig {
    /// When the daily remittance runs.
    pub remittance_time: RemittanceTime,
    /// Lets enqueued work start at once instead of at the worker's next idle tick.
    pub wake_worker: Option<Arc<Notify>>,
    /// When the acquirer still does not know a reference this long after it was sent, the
    /// request never arrived (default 5 minutes).
    pub never_arrived_after_ms: i64,
}

impl Default for CardPaymentsConfig {
    fn default() -> Self {
        CardPaymentsConfig {
            remittance_time: RemittanceTime::DEFAULT,
            wake_worker: None,
            never_arrived_after_ms: 5 * 60_000,
        }
    }
}

impl OperationOrder {
    /// An operation the merchant asked for, without request key.
    pub fn merchant(kind: OperationKind, transaction_id: &str, amount: Option<i64>) -> Self {
        OperationOrder {
            kind,
            transaction_id: transaction_id.to_owned(),
            amount,
            request_key: None,
            initiator: Initiator::Merchant,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_move_forward_only() {
        use PaymentState::*;
        for state in PaymentState::ALL {
            assert_eq!(PaymentState::parse(state.as_str()), Some(state));
            assert!(!state.may_become(Pending));
        }
        assert!(
            Pending.may_become(ChallengeRequired)
                && Pending.may_become(Accepted)
                && Pending.may_become(Refused)
        );
        assert!(ChallengeRequired.may_become(Accepted) && ChallengeRequired.may_become(Refused));
        assert!(!ChallengeRequired.may_become(ChallengeRequired));
        for end in [Accepted, Refused] {
            for next in PaymentState::ALL {
                assert!(!end.may_become(next), "{end:?} -> {next:?}");
            }
        }
    }
}
