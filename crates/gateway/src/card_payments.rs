//! Card payments, cvgate's side: used by the hosted page (card form, complementary payment after
//! ANCV) and by doAuthorization; captures, resets and refunds; the daily remittance.
//!
//! - The card data is checked first; a failure names the field and creates nothing.
//! - The transaction row (PENDING, masked number, card type, expiry) is written before the
//!   acquirer is called, together with the [`RECONCILE_JOB`] that finds out the outcome if the
//!   request dies before it learns it; the answer is applied after, forward-only, in short units
//!   of work: no database transaction is open during a call. The PAN and CVV exist only in
//!   memory, for the call, and are dropped right after it.
//! - An unknown outcome (timeout after sending) is reconciled by asking the acquirer for the
//!   reference's status, never by authorizing again.
//! - Every change of a transaction's state is told to the [`CardPaymentObserver`] (the web
//!   payment session) inside the unit of work that records it.
//! - A web payment session (the attempt group) gets at most [`MAX_ATTEMPTS`] attempts, one at a
//!   time, and none once one is accepted.
//! - Operations (capture, reset, refund) are checked against cvgate's view with the same rules as
//!   the acquirer ([`card::ledger`]), recorded with the [`OPERATION_JOB`] that finishes them, sent
//!   with their own id (the acquirer's idempotency key), then applied; the acquirer's amounts
//!   become cvgate's. An operation made for a merchant request with a sequenceNumber carries its
//!   key: a repeat finds it instead of making another.

use crate::observer::ObserverFuture;
use crate::transaction_ids::{TransactionKind, new_transaction_id};
use card::{
    Acquirer, AcquirerError, Action, AuthorizationRequest, AuthorizationState, Balances, Decline,
    LedgerStatus, OperationKind, OperationOutcome, OperationRequest, OperationResult,
    RemittanceTime, ThreeDs,
};
use domain::FieldError;
use domain::card::{CardData, CardInput, card_type};
use domain::clock::{Clock, Timestamp};
use domain::contract::{CardCode, Contract, ContractNumber, ContractStatus};
use domain::field_error::text;
use domain::merchant::MerchantId;
use domain::money::Currency;
use domain::random::SharedRandom;
use domain::return_code::ReturnCode;
use jobs::{JobFuture, JobHandler, JobOutcome};
use std::collections::HashSet;
use std::sync::{Arc, OnceLock, Weak};
use store::repos::{CardOperationRow, CardTransactionRow};
use store::{Store, StoreError, UnitOfWork};
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
pub const REMITTANCE_SUBJECT: &str = "daily";

/// Attempts per web payment session.
pub const MAX_ATTEMPTS: usize = 3;
/// Between two questions to the acquirer about an unknown outcome.
const RECONCILE_DELAY_MS: i64 = 30_000;
/// When the acquirer still does not know a reference this long after it was sent, the request
/// never arrived.
const NEVER_ARRIVED_AFTER_MS: i64 = 5 * 60_000;
/// How often to ask about a challenge: the buyer may pass it and never come back to cvgate.
const CHALLENGE_CHECK_MS: i64 = 60_000;
const REMITTANCE_BATCH: i64 = 500;

/// Where a card transaction stands on its way to acceptance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentState {
    /// Written before calling the acquirer; the outcome is not known yet.
    Pending,
    /// The buyer must pass the 3-D Secure challenge (`challenge_url`).
    ChallengeRequired,
    Accepted,
    /// Declined, failed or errored: `return_code` says why.
    Refused,
}

impl PaymentState {
    pub const ALL: [PaymentState; 4] = [
        PaymentState::Pending,
        PaymentState::ChallengeRequired,
        PaymentState::Accepted,
        PaymentState::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentState::Pending => "PENDING",
            PaymentState::ChallengeRequired => "CHALLENGE",
            PaymentState::Accepted => "ACCEPTED",
            PaymentState::Refused => "REFUSED",
        }
    }

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
    pub merchant_id: MerchantId,
    pub contract_number: ContractNumber,
    pub order_ref: String,
    pub amount: i64,
    pub currency: Currency,
    pub action: Action,
    /// The web payment session token, when the payment belongs to one.
    pub attempt_group: Option<String>,
    pub attempt_number: Option<i64>,
    pub state: PaymentState,
    /// The final authorization outcome (set when accepted or refused).
    pub return_code: Option<ReturnCode>,
    /// `497010XXXXXX0006`.
    pub masked_number: String,
    /// Payline card type (`CB`, `VISA`, …).
    pub card_type: CardCode,
    /// `MMYY`.
    pub expiry: String,
    pub card_token: Option<String>,
    pub authorization_number: Option<String>,
    pub three_ds: Option<ThreeDs>,
    pub challenge_ref: Option<String>,
    /// Where to send the buyer for the 3-D Secure challenge.
    pub challenge_url: Option<String>,
    /// The amounts, once accepted.
    pub balances: Option<Balances>,
    pub version: i64,
    pub created_at: Timestamp,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperationState {
    Pending,
    Done,
    Failed,
}

impl OperationState {
    pub fn as_str(self) -> &'static str {
        match self {
            OperationState::Pending => "PENDING",
            OperationState::Done => "DONE",
            OperationState::Failed => "FAILED",
        }
    }

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
    pub id: String,
    pub transaction_id: String,
    /// 1, 2, … in the order they were asked for.
    pub position: i64,
    pub kind: OperationKind,
    pub amount: i64,
    pub state: OperationState,
    pub return_code: Option<ReturnCode>,
    /// The merchant request (with a sequenceNumber) that made it.
    pub request_key: Option<String>,
    pub initiator: Initiator,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Who asked for an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Initiator {
    Merchant,
    /// cvgate, giving back a card payment that no session counts on.
    Gateway,
}

impl Initiator {
    pub fn as_str(self) -> &'static str {
        match self {
            Initiator::Merchant => "MERCHANT",
            Initiator::Gateway => "GATEWAY",
        }
    }

    pub fn parse(value: &str) -> Option<Initiator> {
        [Initiator::Merchant, Initiator::Gateway]
            .into_iter()
            .find(|i| i.as_str() == value)
    }
}

/// An operation to make on a card transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationOrder {
    pub kind: OperationKind,
    pub transaction_id: String,
    /// `None`: everything that is left.
    pub amount: Option<i64>,
    pub request_key: Option<String>,
    pub initiator: Initiator,
}

/// The answer to a capture, reset or refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationReport {
    pub status: OperationStatus,
    /// `None` when it was refused before anything was recorded or sent.
    pub operation: Option<CardOperation>,
    /// The transaction afterwards.
    pub transaction: CardTransaction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationStatus {
    Done,
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

#[derive(Debug, thiserror::Error)]
pub enum CardPaymentError {
    /// Bad input (card data included): nothing was written.
    #[error(transparent)]
    Invalid(FieldError),
    #[error(
        "contract {0} cannot take a card payment (not an active card contract of this merchant)"
    )]
    NotCardContract(String),
    #[error("the {MAX_ATTEMPTS} card payment attempts of this payment session are used")]
    TooManyAttempts { group: String },
    #[error("another card payment of this payment session is still in progress")]
    AttemptInProgress {
        group: String,
        /// `None` when it raced in at the same moment.
        transaction_id: Option<String>,
    },
    #[error("this payment session is already paid (card payment {transaction_id})")]
    AlreadyPaid {
        group: String,
        transaction_id: String,
    },
    #[error("no card transaction {0}")]
    UnknownTransaction(String),
    #[error("unknown 3-D Secure challenge")]
    UnknownChallenge,
    #[error("another operation on card transaction {transaction_id} is still in progress")]
    OperationInProgress {
        transaction_id: String,
        /// `None` when it raced in at the same moment.
        operation_id: Option<String>,
    },
    #[error("the acquirer failed: {0}")]
    Acquirer(AcquirerError),
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
    pub merchant_id: MerchantId,
    /// The card contract (loaded for this merchant).
    pub contract: Contract,
    pub order_ref: String,
    pub amount: i64,
    pub currency: Currency,
    pub action: Action,
    /// The web payment session token; `None` for doAuthorization (no attempt limit).
    pub attempt_group: Option<String>,
    /// Absolute URL the ACS sends the buyer back to after a challenge, with
    /// `?challenge=<ref>` ([`card::CHALLENGE_PARAM`]) added; the page then calls
    /// [`CardPayments::complete_three_ds`]. `None`: a card needing a challenge is refused (03003).
    pub three_ds_return_url: Option<String>,
    /// As typed; checked here, kept in memory for the call only.
    pub card: CardInput,
}

pub struct CardPaymentsConfig {
    pub remittance_time: RemittanceTime,
    /// Lets enqueued work start at once instead of at the worker's next idle tick.
    pub wake_worker: Option<Arc<Notify>>,
}

impl Default for CardPaymentsConfig {
    fn default() -> Self {
        CardPaymentsConfig {
            remittance_time: RemittanceTime::DEFAULT,
            wake_worker: None,
        }
    }
}

#[derive(Clone)]
pub struct CardPayments {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    random: SharedRandom,
    acquirer: Arc<dyn Acquirer>,
    config: CardPaymentsConfig,
    observer: OnceLock<Weak<dyn CardPaymentObserver>>,
}

/// A card payment checked and ready to record: the transaction to write and the card data for
/// the one authorization call (in memory only; never printed).
pub struct PreparedPayment {
    transaction: CardTransaction,
    card: CardData,
    three_ds_return_url: Option<String>,
}

impl PreparedPayment {
    /// What will be recorded (the id is given by [`CardPayments::record_attempt`]).
    pub fn transaction(&self) -> &CardTransaction {
        &self.transaction
    }
}

impl CardPayments {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        random: SharedRandom,
        acquirer: Arc<dyn Acquirer>,
        config: CardPaymentsConfig,
    ) -> CardPayments {
        CardPayments {
            inner: Arc::new(Inner {
                store,
                clock,
                random,
                acquirer,
                config,
                observer: OnceLock::new(),
            }),
        }
    }

    /// Who hears about changes (set once; held weakly: the observer owns this service).
    pub fn set_observer(&self, observer: Weak<dyn CardPaymentObserver>) {
        let _ = self.inner.observer.set(observer);
    }

    pub async fn find(&self, id: &str) -> Result<Option<CardTransaction>, StoreError> {
        let row = self
            .inner
            .store
            .read()
            .await?
            .card_transactions()
            .find(id)
            .await?;
        row.map(transaction_from_row).transpose()
    }

    /// The transaction if it is this merchant's (another merchant's reads as unknown).
    pub async fn find_for_merchant(
        &self,
        merchant_id: &MerchantId,
        id: &str,
    ) -> Result<Option<CardTransaction>, StoreError> {
        Ok(self
            .find(id)
            .await?
            .filter(|tx| &tx.merchant_id == merchant_id))
    }

    /// The attempts of a web payment session, first first.
    pub async fn attempts(&self, group: &str) -> Result<Vec<CardTransaction>, StoreError> {
        let rows = self
            .inner
            .store
            .read()
            .await?
            .card_transactions()
            .attempts(group)
            .await?;
        rows.into_iter().map(transaction_from_row).collect()
    }

    pub async fn operations(&self, transaction_id: &str) -> Result<Vec<CardOperation>, StoreError> {
        let rows = self
            .inner
            .store
            .read()
            .await?
            .card_transactions()
            .operations(transaction_id)
            .await?;
        rows.into_iter().map(operation_from_row).collect()
    }

    /// A capture, reset or refund by its own transaction id.
    pub async fn find_operation(&self, id: &str) -> Result<Option<CardOperation>, StoreError> {
        let row = self
            .inner
            .store
            .read()
            .await?
            .card_transactions()
            .find_operation(id)
            .await?;
        row.map(operation_from_row).transpose()
    }

    /// Pays by card: [`Self::prepare`], [`Self::record_attempt`] in a unit of work of its own,
    /// then [`Self::authorize`]. Returns the transaction: ACCEPTED, REFUSED (`return_code`),
    /// CHALLENGE (send the buyer to `challenge_url`), or PENDING when the acquirer's answer is
    /// unknown and could not be reconciled yet.
    pub async fn pay(&self, request: PayRequest) -> Result<CardTransaction, CardPaymentError> {
        let prepared = self.prepare(request)?;
        let mut uow = self.inner.store.write().await?;
        let recorded = self.record_attempt(&mut uow, &prepared).await?;
        uow.commit().await?;
        self.authorize(recorded, prepared).await
    }

    /// Checks the contract, the amount and the card data (a failure names the field and records
    /// nothing) and builds the transaction to record.
    pub fn prepare(&self, request: PayRequest) -> Result<PreparedPayment, CardPaymentError> {
        let now = self.inner.clock.now();
        let contract = &request.contract;
        let usable = contract.card_code.is_card()
            && contract.status == ContractStatus::Active
            && contract.merchant_id == request.merchant_id;
        if !usable {
            return Err(CardPaymentError::NotCardContract(
                contract.number.to_string(),
            ));
        }
        if request.amount <= 0 || request.amount >= 1_000_000_000_000 {
            return Err(FieldError::new(
                "amount",
                "must be a positive number of minor units (at most 12 digits)",
            )
            .into());
        }
        if request.currency != contract.currency {
            return Err(FieldError::new(
                "currency",
                format!("must be the contract's currency ({})", contract.currency),
            )
            .into());
        }
        let order_ref = text("order_ref", &request.order_ref, 50)?;
        let card = request.card.validate(now)?;
        // From here on only the parsed card exists, until the acquirer call returns.
        drop(request.card);
        let card_type = card_type(contract.card_code, card.number.brand())?;
        let transaction = CardTransaction {
            id: String::new(),
            merchant_id: request.merchant_id.clone(),
            contract_number: contract.number.clone(),
            order_ref,
            amount: request.amount,
            currency: request.currency,
            action: request.action,
            attempt_group: request.attempt_group.clone(),
            attempt_number: None,
            state: PaymentState::Pending,
            return_code: None,
            masked_number: card.number.masked(),
            card_type,
            expiry: card.expiry.as_mmyy(),
            card_token: None,
            authorization_number: None,
            three_ds: None,
            challenge_ref: None,
            challenge_url: None,
            balances: None,
            version: 0,
            created_at: now,
            updated_at: now,
        };
        Ok(PreparedPayment {
            transaction,
            card,
            three_ds_return_url: request.three_ds_return_url,
        })
    }

    /// Numbers the attempt in its group (refusing a fourth, a concurrent one, or one after
    /// acceptance), gives the transaction its id and writes it PENDING in the caller's unit of
    /// work, with the [`RECONCILE_JOB`] that will find out the outcome if nobody applies it.
    pub async fn record_attempt(
        &self,
        uow: &mut UnitOfWork,
        prepared: &PreparedPayment,
    ) -> Result<CardTransaction, CardPaymentError> {
        let mut tx = prepared.transaction.clone();
        if let Some(group) = &tx.attempt_group {
            tx.attempt_number = Some(next_attempt_number(uow, group).await?);
        }
        tx.id = self
            .new_id(uow, TransactionKind::CardPayment, &tx.merchant_id)
            .await?;
        match uow
            .card_transactions()
            .insert(&transaction_to_row(&tx))
            .await
        {
            Ok(()) => {}
            // Another attempt of the same session took this number first.
            Err(StoreError::Conflict { .. }) if tx.attempt_group.is_some() => {
                return Err(CardPaymentError::AttemptInProgress {
                    group: tx.attempt_group.clone().unwrap_or_default(),
                    transaction_id: None,
                });
            }
            Err(error) => return Err(error.into()),
        }
        let now = self.inner.clock.now();
        uow.jobs()
            .enqueue(
                RECONCILE_JOB,
                &tx.id,
                now.plus_millis(RECONCILE_DELAY_MS),
                now,
            )
            .await?;
        tracing::info!(transaction_id = %tx.id, attempt = tx.attempt_number, card = %tx.masked_number, "card payment requested");
        Ok(tx)
    }

    /// Asks the acquirer for the authorization of a payment recorded with
    /// [`Self::record_attempt`] and applies its answer (reconciling an unknown outcome with the
    /// acquirer's status at once). The card data is dropped as soon as the call returns.
    pub async fn authorize(
        &self,
        recorded: CardTransaction,
        prepared: PreparedPayment,
    ) -> Result<CardTransaction, CardPaymentError> {
        let PreparedPayment {
            card,
            three_ds_return_url,
            ..
        } = prepared;
        let tx = recorded;
        let authorization = AuthorizationRequest {
            reference: tx.id.clone(),
            // Checked at most 50 characters in `prepare`.
            order_ref: tx.order_ref.clone(),
            amount: tx.amount,
            currency: tx.currency,
            action: tx.action,
            card: &card,
            three_ds_return_url,
        };
        let answer = self.inner.acquirer.authorize(&authorization).await;
        // The card data is not needed any more.
        drop(authorization);
        drop(card);
        let tx = match answer {
            Ok(state) => self.apply(&tx.id, state).await?,
            Err(error) if error.certainly_not_done() => {
                tracing::warn!(transaction_id = %tx.id, %error, "card authorization not made");
                self.apply(&tx.id, AuthorizationState::Declined(Decline::AcquirerError))
                    .await?
            }
            Err(error) => {
                tracing::warn!(transaction_id = %tx.id, %error, "card authorization outcome unknown; reconciling with status");
                self.reconcile(&tx.id).await?
            }
        };
        Ok(tx)
    }

    /// The buyer came back from the ACS with `challenge_ref`: asks the acquirer for the result
    /// (the browser is not trusted). Returns the transaction, as it then stands. Callers should
    /// check that its `attempt_group` is the session they serve.
    pub async fn complete_three_ds(
        &self,
        challenge_ref: &str,
    ) -> Result<CardTransaction, CardPaymentError> {
        let row = {
            let mut uow = self.inner.store.read().await?;
            uow.card_transactions()
                .find_by_challenge(challenge_ref)
                .await?
        };
        let tx = transaction_from_row(row.ok_or(CardPaymentError::UnknownChallenge)?)?;
        if tx.state != PaymentState::ChallengeRequired {
            return Ok(tx);
        }
        match self
            .inner
            .acquirer
            .complete_three_ds(&tx.id, challenge_ref)
            .await
        {
            Ok(state) => Ok(self.apply(&tx.id, state).await?),
            Err(error) => {
                // The reconciliation job keeps asking while the challenge is open.
                tracing::warn!(transaction_id = %tx.id, %error, "3-D Secure result unknown; the reconciliation job will ask again");
                Ok(tx)
            }
        }
    }

    /// Asks the acquirer once where an open transaction stands, and applies it. (The
    /// [`RECONCILE_JOB`] calls this until the transaction is no longer open.)
    pub async fn reconcile(&self, id: &str) -> Result<CardTransaction, CardPaymentError> {
        let tx = self
            .find(id)
            .await?
            .ok_or_else(|| CardPaymentError::UnknownTransaction(id.to_owned()))?;
        if !tx.state.is_open() {
            return Ok(tx);
        }
        let now = self.inner.clock.now();
        let tx = match self.inner.acquirer.status(id).await {
            Ok(Some(state)) => self.apply(id, state).await?,
            Ok(None) if now.millis() > tx.created_at.millis() + NEVER_ARRIVED_AFTER_MS => {
                tracing::warn!(
                    transaction_id = id,
                    "the acquirer never received the authorization"
                );
                self.apply(id, AuthorizationState::Declined(Decline::AcquirerError))
                    .await?
            }
            Ok(None) => tx,
            Err(error) => {
                tracing::warn!(transaction_id = id, %error, "card status unavailable");
                tx
            }
        };
        Ok(tx)
    }

    /// doCapture: captures an action-100 authorization (`None`: all of it).
    pub async fn capture(
        &self,
        merchant_id: &MerchantId,
        transaction_id: &str,
        amount: Option<i64>,
    ) -> Result<OperationReport, CardPaymentError> {
        self.operate(
            merchant_id,
            OperationOrder::merchant(OperationKind::Capture, transaction_id, amount),
        )
        .await
    }

    /// doReset: cancels before remittance (`None`: everything that is left).
    pub async fn reset(
        &self,
        merchant_id: &MerchantId,
        transaction_id: &str,
        amount: Option<i64>,
    ) -> Result<OperationReport, CardPaymentError> {
        self.operate(
            merchant_id,
            OperationOrder::merchant(OperationKind::Reset, transaction_id, amount),
        )
        .await
    }

    /// doRefund: refunds after remittance (`None`: everything that is left).
    pub async fn refund(
        &self,
        merchant_id: &MerchantId,
        transaction_id: &str,
        amount: Option<i64>,
    ) -> Result<OperationReport, CardPaymentError> {
        self.operate(
            merchant_id,
            OperationOrder::merchant(OperationKind::Refund, transaction_id, amount),
        )
        .await
    }

    /// Remits every accepted transaction captured and not remitted yet: the acquirer's batch,
    /// then cvgate's view. Safe to run again (or concurrently): the acquirer reports already
    /// remitted transactions as they are.
    pub async fn remit(&self, now: Timestamp) -> Result<RemittanceReport, CardPaymentError> {
        let mut report = RemittanceReport::default();
        let mut sent: HashSet<String> = HashSet::new();
        loop {
            let rows = {
                let mut uow = self.inner.store.read().await?;
                uow.card_transactions().to_remit(REMITTANCE_BATCH).await?
            };
            // Stops when everything left was sent once already (the acquirer would not remit it).
            let references: Vec<String> = rows
                .into_iter()
                .map(|row| row.id)
                .filter(|id| sent.insert(id.clone()))
                .collect();
            if references.is_empty() {
                break;
            }
            let remitted = match self.inner.acquirer.remit(&references).await {
                Ok(remitted) => remitted,
                Err(error) => {
                    // The batch may have been made: run it again soon to learn what was remitted.
                    self.enqueue(
                        REMITTANCE_JOB,
                        REMITTANCE_SUBJECT,
                        now.plus_millis(RECONCILE_DELAY_MS),
                    )
                    .await?;
                    return Err(CardPaymentError::Acquirer(error));
                }
            };
            for transaction in remitted {
                let Some(balances) = transaction.balances else {
                    tracing::warn!(transaction_id = %transaction.reference, "the acquirer does not know a captured transaction");
                    continue;
                };
                let before = self
                    .find(&transaction.reference)
                    .await?
                    .and_then(|tx| tx.balances);
                self.save_balances(&transaction.reference, balances, None, now)
                    .await?;
                if balances.remitted_at.is_some() && before.is_some_and(|b| b.remitted_at.is_none())
                {
                    report.remitted.push(transaction.reference);
                }
            }
        }
        tracing::info!(remitted = report.remitted.len(), "card remittance done");
        Ok(report)
    }

    /// Makes sure the daily remittance job is scheduled (at the next `remittance_time`); returns
    /// when it runs next. Call once at startup.
    pub async fn schedule_remittance(&self) -> Result<Timestamp, StoreError> {
        let at = self
            .inner
            .config
            .remittance_time
            .next_run(self.inner.clock.now());
        self.enqueue(REMITTANCE_JOB, REMITTANCE_SUBJECT, at).await?;
        Ok(at)
    }

    /// The job handlers to register on the worker: reconciliation, operation retries, remittance.
    pub fn job_handlers(&self) -> Vec<Arc<dyn JobHandler>> {
        vec![
            Arc::new(ReconcileJob(self.clone())),
            Arc::new(OperationJob(self.clone())),
            Arc::new(RemittanceJob(self.clone())),
        ]
    }

    /// A fresh transaction id (unique across every kind of transaction).
    async fn new_id(
        &self,
        uow: &mut store::UnitOfWork,
        kind: TransactionKind,
        merchant_id: &MerchantId,
    ) -> Result<String, StoreError> {
        let now = self.inner.clock.now();
        new_transaction_id(uow, self.inner.random.as_ref(), kind, merchant_id, now).await
    }

    /// Applies the acquirer's view of the authorization, forward-only, and tells the observer
    /// in the same unit of work; tries again if a concurrent writer was first.
    async fn apply(
        &self,
        id: &str,
        state: AuthorizationState,
    ) -> Result<CardTransaction, StoreError> {
        self.change(id, |current| advanced(current, &state)).await
    }

    /// Reads the transaction, computes its next version with `next_of`, and writes it if it
    /// changed — with the observer's reaction to a new state — in one unit of work.
    async fn change(
        &self,
        id: &str,
        next_of: impl Fn(&CardTransaction) -> CardTransaction,
    ) -> Result<CardTransaction, StoreError> {
        for _ in 0..10 {
            let mut uow = self.inner.store.write().await?;
            let row = uow.card_transactions().find(id).await?.ok_or_else(|| {
                StoreError::corrupt("card_transactions", format!("transaction {id} vanished"))
            })?;
            let current = transaction_from_row(row)?;
            let next = next_of(&current);
            if next == current {
                uow.rollback().await?;
                return Ok(current);
            }
            let next = CardTransaction {
                updated_at: self.inner.clock.now(),
                ..next
            };
            if !uow
                .card_transactions()
                .update(&transaction_to_row(&next))
                .await?
            {
                continue;
            }
            if next.state != current.state
                && let Some(observer) = self.inner.observer.get().and_then(Weak::upgrade)
                && !observer.changed(&mut uow, &current, &next).await?
            {
                continue;
            }
            uow.commit().await?;
            self.wake();
            if next.state != current.state {
                tracing::info!(
                    transaction_id = id,
                    from = current.state.as_str(),
                    to = next.state.as_str(),
                    code = next.return_code.map(ReturnCode::code),
                    "card payment updated"
                );
            }
            return Ok(CardTransaction {
                version: next.version + 1,
                ..next
            });
        }
        Err(StoreError::corrupt(
            "card_transactions",
            format!("transaction {id} keeps changing under its writers"),
        ))
    }

    /// Makes a capture, reset or refund: checked and recorded with its job, sent, applied. A
    /// request key already used returns that operation instead (finished now if it was not).
    pub async fn operate(
        &self,
        merchant_id: &MerchantId,
        order: OperationOrder,
    ) -> Result<OperationReport, CardPaymentError> {
        let operation = match self.record_operation(merchant_id, &order).await? {
            Ok(operation) => operation,
            Err(refused) => return Ok(refused),
        };
        if operation.state != OperationState::Pending {
            return self.report(operation).await;
        }
        let kind = operation.kind;
        let request = OperationRequest {
            reference: operation.transaction_id.clone(),
            operation_ref: operation.id.clone(),
            amount: Some(operation.amount),
        };
        let acquirer = &self.inner.acquirer;
        let answer = match acquirer.operate(kind, &request).await {
            // Safe to send again: the operation id makes it idempotent at the acquirer.
            Err(error) if !error.certainly_not_done() => {
                tracing::warn!(operation_id = %operation.id, %error, "card operation outcome unknown; sending it again");
                match acquirer.operate(kind, &request).await {
                    Err(AcquirerError::Unreachable { .. }) => Err(None),
                    other => other.map_err(Some),
                }
            }
            other => other.map_err(Some),
        };
        self.settle(operation, answer).await
    }

    /// Gives back what a card payment still holds (reset before remittance, refund after): for
    /// an acceptance no session counts on. `Ok(true)` once nothing is held any more; `Ok(false)`
    /// while an operation is under way (ask again later).
    pub async fn give_back(&self, transaction_id: &str) -> Result<bool, CardPaymentError> {
        let tx = self
            .find(transaction_id)
            .await?
            .ok_or_else(|| CardPaymentError::UnknownTransaction(transaction_id.to_owned()))?;
        let Some(balances) = tx.balances.filter(|_| tx.state == PaymentState::Accepted) else {
            return Ok(true);
        };
        if balances.held() == 0 {
            return Ok(true);
        }
        let kind = if balances.remitted_at.is_some() {
            OperationKind::Refund
        } else {
            OperationKind::Reset
        };
        let order = OperationOrder {
            kind,
            transaction_id: tx.id.clone(),
            amount: None,
            request_key: None,
            initiator: Initiator::Gateway,
        };
        match self.operate(&tx.merchant_id, order).await {
            Ok(report) => {
                tracing::info!(
                    transaction_id,
                    kind = kind.as_str(),
                    code = report.code().code(),
                    "card payment no session counts on given back"
                );
                Ok(report
                    .transaction
                    .balances
                    .is_none_or(|balances| balances.held() == 0))
            }
            Err(CardPaymentError::OperationInProgress { .. }) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// What a finished (or still pending) operation answers, with the transaction as it is.
    async fn report(&self, operation: CardOperation) -> Result<OperationReport, CardPaymentError> {
        let transaction = self.find(&operation.transaction_id).await?.ok_or_else(|| {
            CardPaymentError::UnknownTransaction(operation.transaction_id.clone())
        })?;
        let status = match operation.state {
            OperationState::Done => OperationStatus::Done,
            OperationState::Failed => {
                OperationStatus::Refused(operation.return_code.unwrap_or(ReturnCode::AcquirerError))
            }
            OperationState::Pending => OperationStatus::Pending,
        };
        Ok(OperationReport {
            status,
            operation: Some(operation),
            transaction,
        })
    }

    /// Checks the operation against cvgate's view with the acquirer's rules (what they refuse is
    /// never sent: `Ok(Err(report))`), then records it, PENDING, as the transaction's next
    /// operation, with the [`OPERATION_JOB`] that finishes it. One at a time per transaction. An
    /// operation already made for the order's request key is returned as it is.
    async fn record_operation(
        &self,
        merchant_id: &MerchantId,
        order: &OperationOrder,
    ) -> Result<Result<CardOperation, OperationReport>, CardPaymentError> {
        let now = self.inner.clock.now();
        let transaction_id = order.transaction_id.as_str();
        let unknown = || CardPaymentError::UnknownTransaction(transaction_id.to_owned());
        let mut uow = self.inner.store.write().await?;
        let row = uow
            .card_transactions()
            .find(transaction_id)
            .await?
            .ok_or_else(unknown)?;
        let tx = transaction_from_row(row)?;
        if &tx.merchant_id != merchant_id {
            return Err(unknown());
        }
        if let Some(key) = &order.request_key
            && let Some(made) = uow.card_transactions().operation_by_request(key).await?
        {
            return Ok(Ok(operation_from_row(made)?));
        }
        let earlier = uow.card_transactions().operations(&tx.id).await?;
        if let Some(pending) = earlier
            .iter()
            .find(|op| op.state == OperationState::Pending.as_str())
        {
            return Err(CardPaymentError::OperationInProgress {
                transaction_id: tx.id,
                operation_id: Some(pending.id.clone()),
            });
        }
        let checked = match (tx.state, tx.balances) {
            (PaymentState::Accepted, Some(balances)) => {
                balances.apply(order.kind, order.amount, now)
            }
            _ => Err(card::Rejection::NotAccepted),
        };
        let amount = match checked {
            Ok((_, amount)) => amount,
            Err(rejection) => {
                return Ok(Err(OperationReport {
                    status: OperationStatus::Refused(rejection.return_code()),
                    operation: None,
                    transaction: tx,
                }));
            }
        };
        let operation = CardOperation {
            id: self
                .new_id(&mut uow, TransactionKind::CardOperation, &tx.merchant_id)
                .await?,
            transaction_id: tx.id.clone(),
            position: earlier.len() as i64 + 1,
            kind: order.kind,
            amount,
            state: OperationState::Pending,
            return_code: None,
            request_key: order.request_key.clone(),
            initiator: order.initiator,
            created_at: now,
            updated_at: now,
        };
        match uow
            .card_transactions()
            .insert_operation(&operation_to_row(&operation))
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict { .. }) => {
                return Err(CardPaymentError::OperationInProgress {
                    transaction_id: tx.id,
                    operation_id: None,
                });
            }
            Err(error) => return Err(error.into()),
        }
        uow.jobs()
            .enqueue(
                OPERATION_JOB,
                &operation.id,
                now.plus_millis(RECONCILE_DELAY_MS),
                now,
            )
            .await?;
        uow.commit().await?;
        Ok(Ok(operation))
    }

    /// Applies the acquirer's answer to an operation. `Err(Some)`: the acquirer surely did
    /// nothing; `Err(None)`: still unknown.
    async fn settle(
        &self,
        operation: CardOperation,
        answer: Result<OperationResult, Option<AcquirerError>>,
    ) -> Result<OperationReport, CardPaymentError> {
        let now = self.inner.clock.now();
        let (status, state, code, balances) = match answer {
            Ok(result) => match result.outcome {
                OperationOutcome::Done { .. } => (
                    OperationStatus::Done,
                    OperationState::Done,
                    ReturnCode::Accepted,
                    result.balances,
                ),
                OperationOutcome::Rejected(rejection) => {
                    let code = rejection.return_code();
                    (
                        OperationStatus::Refused(code),
                        OperationState::Failed,
                        code,
                        result.balances,
                    )
                }
            },
            Err(Some(error)) if error.certainly_not_done() => {
                tracing::warn!(operation_id = %operation.id, %error, "card operation not made");
                let code = ReturnCode::AcquirerError;
                (
                    OperationStatus::Refused(code),
                    OperationState::Failed,
                    code,
                    None,
                )
            }
            Err(error) => {
                // The operation job, recorded with the operation, keeps sending it.
                if let Some(error) = error {
                    tracing::warn!(operation_id = %operation.id, %error, "card operation outcome still unknown");
                }
                let transaction = self.find(&operation.transaction_id).await?.ok_or_else(|| {
                    CardPaymentError::UnknownTransaction(operation.transaction_id.clone())
                })?;
                return Ok(OperationReport {
                    status: OperationStatus::Pending,
                    operation: Some(operation),
                    transaction,
                });
            }
        };
        let finished = CardOperation {
            state,
            return_code: Some(code),
            updated_at: now,
            ..operation
        };
        let transaction = match balances {
            Some(balances) => {
                self.save_balances(&finished.transaction_id, balances, Some(&finished), now)
                    .await?
            }
            None => {
                let mut uow = self.inner.store.write().await?;
                self.finish_operation(&mut uow, &finished).await?;
                uow.commit().await?;
                self.find(&finished.transaction_id).await?.ok_or_else(|| {
                    CardPaymentError::UnknownTransaction(finished.transaction_id.clone())
                })?
            }
        };
        tracing::info!(operation_id = %finished.id, transaction_id = %finished.transaction_id, kind = finished.kind.as_str(), code = code.code(), "card operation finished");
        Ok(OperationReport {
            status,
            operation: Some(finished),
            transaction,
        })
    }

    /// Takes the acquirer's amounts as cvgate's, and finishes `operation` in the same unit of
    /// work.
    async fn save_balances(
        &self,
        id: &str,
        balances: Balances,
        operation: Option<&CardOperation>,
        now: Timestamp,
    ) -> Result<CardTransaction, CardPaymentError> {
        for _ in 0..5 {
            let current = self
                .find(id)
                .await?
                .ok_or_else(|| CardPaymentError::UnknownTransaction(id.to_owned()))?;
            let mut uow = self.inner.store.write().await?;
            let mut next = current.clone();
            if current.state == PaymentState::Accepted && current.balances != Some(balances) {
                next.balances = Some(balances);
                next.updated_at = now;
                if !uow
                    .card_transactions()
                    .update(&transaction_to_row(&next))
                    .await?
                {
                    continue;
                }
                next.version += 1;
            }
            if let Some(operation) = operation {
                self.finish_operation(&mut uow, operation).await?;
            }
            uow.commit().await?;
            return Ok(next);
        }
        Err(StoreError::corrupt(
            "card_transactions",
            format!("transaction {id} keeps changing under its appliers"),
        )
        .into())
    }

    /// Records how a PENDING operation ended; a merchant's refund or reset that is done is told
    /// to the merchant (TRS), whoever learned the outcome (the request or the operation job).
    async fn finish_operation(
        &self,
        uow: &mut UnitOfWork,
        operation: &CardOperation,
    ) -> Result<(), StoreError> {
        let finished = uow
            .card_transactions()
            .update_operation_from(
                OperationState::Pending.as_str(),
                &operation_to_row(operation),
            )
            .await?;
        let tells_merchant = operation.initiator == Initiator::Merchant
            && operation.kind != OperationKind::Capture
            && operation.state == OperationState::Done;
        if finished && tells_merchant {
            let now = self.inner.clock.now();
            uow.jobs()
                .enqueue(crate::notifications::TRS_JOB, &operation.id, now, now)
                .await?;
        }
        Ok(())
    }

    /// The [`OPERATION_JOB`]: sends a pending operation again until the acquirer answers.
    async fn retry_operation(&self, operation_id: &str) -> JobOutcome {
        let found = async {
            let mut uow = self.inner.store.read().await?;
            uow.card_transactions().find_operation(operation_id).await
        };
        let operation = match found
            .await
            .map(|row| row.map(operation_from_row).transpose())
        {
            Ok(Ok(Some(operation))) if operation.state == OperationState::Pending => operation,
            Ok(Ok(_)) => return JobOutcome::Done,
            Ok(Err(error)) | Err(error) => return JobOutcome::Failed(error.to_string()),
        };
        let request = OperationRequest {
            reference: operation.transaction_id.clone(),
            operation_ref: operation.id.clone(),
            amount: Some(operation.amount),
        };
        let answer = match self.inner.acquirer.operate(operation.kind, &request).await {
            Ok(result) => Ok(result),
            // Only the acquirer's own refusal is final: an earlier send may have been done.
            Err(error @ AcquirerError::Refused { .. }) => Err(Some(error)),
            Err(error) => return JobOutcome::Failed(error.to_string()),
        };
        match self.settle(operation, answer).await {
            Ok(_) => JobOutcome::Done,
            Err(error) => JobOutcome::Failed(error.to_string()),
        }
    }

    async fn enqueue(&self, kind: &str, subject: &str, at: Timestamp) -> Result<(), StoreError> {
        let now = self.inner.clock.now();
        let mut uow = self.inner.store.write().await?;
        uow.jobs().enqueue(kind, subject, at, now).await?;
        uow.commit().await?;
        self.wake();
        Ok(())
    }

    fn wake(&self) {
        if let Some(wake) = &self.inner.config.wake_worker {
            wake.notify_one();
        }
    }
}

/// The next attempt number of a payment session: refuses a fourth attempt, one while another is
/// under way, and one after acceptance.
async fn next_attempt_number(uow: &mut UnitOfWork, group: &str) -> Result<i64, CardPaymentError> {
    let attempts = uow.card_transactions().attempts(group).await?;
    for attempt in &attempts {
        let transaction_id = attempt.id.clone();
        match PaymentState::parse(&attempt.state) {
            Some(PaymentState::Accepted) => {
                return Err(CardPaymentError::AlreadyPaid {
                    group: group.to_owned(),
                    transaction_id,
                });
            }
            Some(PaymentState::Pending | PaymentState::ChallengeRequired) | None => {
                return Err(CardPaymentError::AttemptInProgress {
                    group: group.to_owned(),
                    transaction_id: Some(transaction_id),
                });
            }
            Some(PaymentState::Refused) => {}
        }
    }
    if attempts.len() >= MAX_ATTEMPTS {
        return Err(CardPaymentError::TooManyAttempts {
            group: group.to_owned(),
        });
    }
    Ok(attempts.len() as i64 + 1)
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

/// The transaction once the acquirer's view is taken in (forward moves only; the amounts of an
/// accepted transaction follow the acquirer).
fn advanced(current: &CardTransaction, state: &AuthorizationState) -> CardTransaction {
    let mut next = current.clone();
    match state {
        AuthorizationState::Accepted(accepted) => {
            if current.state.may_become(PaymentState::Accepted) {
                next.state = PaymentState::Accepted;
                next.return_code = Some(ReturnCode::Accepted);
                next.authorization_number = Some(accepted.authorization_number.clone());
                next.card_token = Some(accepted.card_token.clone());
                next.three_ds = Some(accepted.three_ds);
            }
            if next.state == PaymentState::Accepted {
                next.balances = Some(accepted.balances);
            }
        }
        AuthorizationState::ChallengeRequired {
            challenge_ref,
            acs_url,
        } => {
            if current.state.may_become(PaymentState::ChallengeRequired) {
                next.state = PaymentState::ChallengeRequired;
                next.three_ds = Some(ThreeDs::Challenge);
                next.challenge_ref = Some(challenge_ref.clone());
                next.challenge_url = Some(acs_url.clone());
            }
        }
        AuthorizationState::Declined(decline) => {
            if current.state.may_become(PaymentState::Refused) {
                next.state = PaymentState::Refused;
                next.return_code = Some(decline.return_code());
            }
        }
    }
    next
}

/// When to ask the acquirer again about a transaction still open: soon for an unknown outcome,
/// after the buyer's time for a challenge.
fn next_check(tx: &CardTransaction, now: Timestamp) -> Option<Timestamp> {
    match tx.state {
        PaymentState::Pending => Some(now.plus_millis(RECONCILE_DELAY_MS)),
        PaymentState::ChallengeRequired => Some(now.plus_millis(CHALLENGE_CHECK_MS)),
        PaymentState::Accepted | PaymentState::Refused => None,
    }
}

struct ReconcileJob(CardPayments);

impl JobHandler for ReconcileJob {
    fn kind(&self) -> &'static str {
        RECONCILE_JOB
    }

    /// Asks again later while the transaction stays open. (Never enqueues its own kind while
    /// running: that would make the worker run it again at once.)
    fn run<'a>(&'a self, subject: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(async move {
            match self.0.reconcile(subject).await {
                Ok(tx) => match next_check(&tx, self.0.inner.clock.now()) {
                    Some(at) => JobOutcome::RunAgainAt(at),
                    None => JobOutcome::Done,
                },
                Err(CardPaymentError::UnknownTransaction(_)) => JobOutcome::Done,
                Err(error) => JobOutcome::Failed(error.to_string()),
            }
        })
    }
}

struct OperationJob(CardPayments);

impl JobHandler for OperationJob {
    fn kind(&self) -> &'static str {
        OPERATION_JOB
    }

    fn run<'a>(&'a self, subject: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(self.0.retry_operation(subject))
    }
}

struct RemittanceJob(CardPayments);

impl JobHandler for RemittanceJob {
    fn kind(&self) -> &'static str {
        REMITTANCE_JOB
    }

    /// Remits, then comes back at the next `remittance_time`; a failure is retried with the
    /// worker's backoff.
    fn run<'a>(&'a self, _subject: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(async move {
            let now = self.0.inner.clock.now();
            match self.0.remit(now).await {
                Ok(_) => JobOutcome::RunAgainAt(self.0.inner.config.remittance_time.next_run(now)),
                Err(error) => JobOutcome::Failed(error.to_string()),
            }
        })
    }
}

fn transaction_to_row(tx: &CardTransaction) -> CardTransactionRow {
    let balances = tx.balances;
    let amount = |get: fn(&Balances) -> i64| balances.as_ref().map_or(0, get);
    CardTransactionRow {
        id: tx.id.clone(),
        merchant_id: tx.merchant_id.as_str().to_owned(),
        contract_number: tx.contract_number.as_str().to_owned(),
        order_ref: tx.order_ref.clone(),
        amount: tx.amount,
        currency: i64::from(tx.currency.code()),
        action: tx.action.code(),
        attempt_group: tx.attempt_group.clone(),
        attempt_number: tx.attempt_number,
        state: tx.state.as_str().to_owned(),
        return_code: tx.return_code.map(|code| code.code().to_owned()),
        masked_number: tx.masked_number.clone(),
        card_type: tx.card_type.as_str().to_owned(),
        expiry: tx.expiry.clone(),
        card_token: tx.card_token.clone(),
        authorization_number: tx.authorization_number.clone(),
        three_ds: tx.three_ds.map(|t| t.as_str().to_owned()),
        challenge_ref: tx.challenge_ref.clone(),
        challenge_url: tx.challenge_url.clone(),
        authorized_amount: amount(|b| b.authorized),
        captured_amount: amount(|b| b.captured),
        reset_amount: amount(|b| b.reset),
        remitted_amount: amount(|b| b.remitted),
        refunded_amount: amount(|b| b.refunded),
        authorized_at: balances.map(|b| b.authorized_at),
        remitted_at: balances.and_then(|b| b.remitted_at),
        version: tx.version,
        created_at: tx.created_at,
        updated_at: tx.updated_at,
    }
}

fn transaction_from_row(row: CardTransactionRow) -> Result<CardTransaction, StoreError> {
    let corrupt =
        |detail: String| StoreError::corrupt("card_transactions", format!("{}: {detail}", row.id));
    let state = PaymentState::parse(&row.state)
        .ok_or_else(|| corrupt(format!("unknown state {:?}", row.state)))?;
    let return_code = match &row.return_code {
        Some(code) => Some(
            ReturnCode::from_code(code).ok_or_else(|| corrupt(format!("unknown code {code:?}")))?,
        ),
        None => None,
    };
    let balances = match (state, row.authorized_at) {
        (PaymentState::Accepted, Some(authorized_at)) => Some(Balances {
            authorized: row.authorized_amount,
            captured: row.captured_amount,
            reset: row.reset_amount,
            remitted: row.remitted_amount,
            refunded: row.refunded_amount,
            authorized_at,
            remitted_at: row.remitted_at,
        }),
        (PaymentState::Accepted, None) => {
            return Err(corrupt("accepted without authorization time".into()));
        }
        (PaymentState::Pending | PaymentState::ChallengeRequired | PaymentState::Refused, _) => {
            None
        }
    };
    Ok(CardTransaction {
        merchant_id: MerchantId::parse("merchant_id", &row.merchant_id)
            .map_err(|e| corrupt(e.to_string()))?,
        contract_number: ContractNumber::parse("contract_number", &row.contract_number)
            .map_err(|e| corrupt(e.to_string()))?,
        currency: Currency::from_code("currency", row.currency)
            .map_err(|e| corrupt(e.to_string()))?,
        action: Action::from_code(row.action)
            .ok_or_else(|| corrupt(format!("unknown action {}", row.action)))?,
        card_type: CardCode::parse("card_type", &row.card_type)
            .map_err(|e| corrupt(e.to_string()))?,
        three_ds: match &row.three_ds {
            Some(mode) => Some(
                ThreeDs::parse(mode)
                    .ok_or_else(|| corrupt(format!("unknown 3-D Secure mode {mode:?}")))?,
            ),
            None => None,
        },
        state,
        return_code,
        balances,
        id: row.id,
        order_ref: row.order_ref,
        amount: row.amount,
        attempt_group: row.attempt_group,
        attempt_number: row.attempt_number,
        masked_number: row.masked_number,
        expiry: row.expiry,
        card_token: row.card_token,
        authorization_number: row.authorization_number,
        challenge_ref: row.challenge_ref,
        challenge_url: row.challenge_url,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn operation_to_row(operation: &CardOperation) -> CardOperationRow {
    CardOperationRow {
        id: operation.id.clone(),
        transaction_id: operation.transaction_id.clone(),
        position: operation.position,
        kind: operation.kind.as_str().to_owned(),
        amount: operation.amount,
        state: operation.state.as_str().to_owned(),
        return_code: operation.return_code.map(|code| code.code().to_owned()),
        request_key: operation.request_key.clone(),
        initiator: operation.initiator.as_str().to_owned(),
        created_at: operation.created_at,
        updated_at: operation.updated_at,
    }
}

fn operation_from_row(row: CardOperationRow) -> Result<CardOperation, StoreError> {
    let corrupt =
        |detail: String| StoreError::corrupt("card_operations", format!("{}: {detail}", row.id));
    Ok(CardOperation {
        kind: OperationKind::parse(&row.kind)
            .ok_or_else(|| corrupt(format!("unknown kind {:?}", row.kind)))?,
        state: OperationState::parse(&row.state)
            .ok_or_else(|| corrupt(format!("unknown state {:?}", row.state)))?,
        return_code: match &row.return_code {
            Some(code) => Some(
                ReturnCode::from_code(code)
                    .ok_or_else(|| corrupt(format!("unknown code {code:?}")))?,
            ),
            None => None,
        },
        initiator: Initiator::parse(&row.initiator)
            .ok_or_else(|| corrupt(format!("unknown initiator {:?}", row.initiator)))?,
        request_key: row.request_key,
        id: row.id,
        transaction_id: row.transaction_id,
        position: row.position,
        amount: row.amount,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
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
