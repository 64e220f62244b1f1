//! After the sale (payline-v4.md §6): doRefund, doReset, doCapture, doAuthorization,
//! getTransactionDetails, transactionsSearch — on card transactions (through the card payment
//! service) and on ANCV Connect transactions (a refund is a full cancellation at ANCV, once).
//!
//! Calls carrying a `sequenceNumber` are replayed: the first answer is stored and every repeat
//! gets it unchanged, without doing anything again ([`AfterSale::once`]). The operation such a
//! call makes carries the call's key, so a repeat after a crash finds it instead of making
//! another; an ANCV refund is recorded with the job that finishes it ([`ANCV_REFUND_JOB`]).

use crate::ancv_payments::{AncvPaymentError, AncvPayments};
use crate::card_payments::{
    CardOperation, CardPaymentError, CardPayments, CardTransaction, Initiator, OperationOrder,
    OperationState, PayRequest, PaymentState,
};
use crate::notifications::NotificationPolicy;
pub use crate::notifications::TRS_JOB;
use crate::transaction_ids::{TransactionKind, new_transaction_id};
use domain::ancv_payment::{AncvPayment, AncvPaymentState};
use domain::card::CardInput;
use domain::clock::{Clock, Timestamp};
use domain::contract::{CardCode, ContractNumber, ContractStatus};
use domain::merchant::MerchantId;
use domain::money::Currency;
use domain::random::SharedRandom;
use domain::return_code::ReturnCode;
use domain::web_payment::WebPayment;
use jobs::{JobFuture, JobHandler, JobOutcome, Lane};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use store::repos::{AncvRefundRow, ReplayKey};
use store::{Store, StoreError};

/// Finishes an ANCV refund whose cancellation outcome is not known yet (subject: refund id).
pub const ANCV_REFUND_JOB: &str = "ancv_refund";

/// How long a repeat waits (real time) for the first call with the same sequenceNumber.
const REPLAY_WAIT: Duration = Duration::from_secs(30);
/// How long a call holds its sequenceNumber claim: past it, the call is taken to have died and
/// a repeat takes over (longer than any call takes: partner timeouts are seconds).
const CLAIM_LEASE_MS: i64 = 60_000;
/// When the ANCV refund job first looks at a refund the request path may still be finishing.
const REFUND_RECHECK_MS: i64 = 30_000;

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

    fn refused(code: ReturnCode, message: impl Into<String>) -> OperationAnswer {
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
    fn new(code: ReturnCode, message: impl Into<String>) -> NoAnswer {
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

#[derive(Clone)]
pub struct AfterSale {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    random: SharedRandom,
    ancv: AncvPayments,
    card: CardPayments,
    notifications: NotificationPolicy,
    http: reqwest::Client,
}

/// What a transaction id names.
enum Found {
    Ancv(AncvPayment),
    AncvRefund(AncvRefundRow, AncvPayment),
    Card(CardTransaction),
    CardOperation(CardOperation, CardTransaction),
}

impl AfterSale {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        random: SharedRandom,
        ancv: AncvPayments,
        card: CardPayments,
        notifications: NotificationPolicy,
    ) -> AfterSale {
        let http = crate::merchant_http::client(notifications.allow_private_addresses);
        AfterSale {
            inner: Arc::new(Inner {
                store,
                clock,
                random,
                ancv,
                card,
                notifications,
                http,
            }),
        }
    }

    pub fn job_handlers(&self) -> Vec<Arc<dyn JobHandler>> {
        vec![
            Arc::new(TrsJob(self.clone())),
            Arc::new(AncvRefundJob(self.clone())),
        ]
    }

    /// Runs `call` once per (merchant, operation, transaction, sequenceNumber): a repeat, even a
    /// concurrent one, gets the first call's settled answer without running anything. `call`
    /// gets the request key to record on the operation it makes; an answer that is not settled
    /// (work under way) is not stored, so a repeat runs again and finds that operation by its
    /// key. A call that died holding the key loses it after [`CLAIM_LEASE_MS`]: a repeat then
    /// takes over. Without a sequence number, just runs it.
    pub async fn once<E, F, Fut>(
        &self,
        merchant_id: &MerchantId,
        operation: &str,
        transaction_id: &str,
        sequence_number: Option<&str>,
        call: F,
    ) -> Result<String, E>
    where
        F: FnOnce(Option<String>) -> Fut,
        Fut: Future<Output = Result<Reply, E>>,
        E: From<StoreError>,
    {
        let Some(sequence_number) = sequence_number else {
            return call(None).await.map(|reply| reply.body);
        };
        let key = ReplayKey {
            merchant_id,
            operation,
            transaction_id,
            sequence_number,
        };
        let mut call = Some(call);
        let deadline = tokio::time::Instant::now() + REPLAY_WAIT;
        loop {
            let now = self.inner.clock.now();
            let mut uow = self.inner.store.write().await?;
            let mine = uow
                .operation_replays()
                .claim(&key, now, now.plus_millis(CLAIM_LEASE_MS))
                .await?;
            uow.commit().await?;
            if mine && let Some(call) = call.take() {
                return self.run_claimed(&key, call).await;
            }
            let stored = self
                .inner
                .store
                .read()
                .await?
                .operation_replays()
                .response(&key)
                .await?;
            match stored {
                Some(Some(response)) => return Ok(response),
                // Released by a first call that did not settle: claim it again.
                None => continue,
                // Another call has it (maybe on another instance): wait for its answer.
                Some(None) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(20)).await
                }
                Some(None) => {
                    return Err(StoreError::corrupt(
                        "operation_replays",
                        "the first call with this sequenceNumber is still running: try again",
                    )
                    .into());
                }
            }
        }
    }

    async fn run_claimed<E, F, Fut>(&self, key: &ReplayKey<'_>, call: F) -> Result<String, E>
    where
        F: FnOnce(Option<String>) -> Fut,
        Fut: Future<Output = Result<Reply, E>>,
        E: From<StoreError>,
    {
        let answer = call(Some(key.request_key())).await;
        let mut uow = self.inner.store.write().await?;
        match &answer {
            Ok(reply) if reply.settled => {
                uow.operation_replays()
                    .complete(key, &reply.body, self.inner.clock.now())
                    .await?
            }
            Ok(_) | Err(_) => uow.operation_replays().release(key).await?,
        }
        uow.commit().await?;
        answer.map(|reply| reply.body)
    }

    /// doRefund (a card transaction after remittance, partial and repeated up to the captured
    /// amount; an ANCV Connect transaction in full, once), doReset (a card transaction before
    /// remittance, full or partial; an ANCV transaction is cancelled like a refund) or doCapture
    /// (an action-100 card authorization, within 7 days).
    ///
    /// `request_key` ties the operation to the merchant request that asked for it (see
    /// [`Self::once`]): a repeat finds the operation it made.
    pub async fn operate(
        &self,
        operation: Operation,
        merchant_id: &MerchantId,
        transaction_id: &str,
        amount: Option<i64>,
        request_key: Option<String>,
    ) -> Result<OperationAnswer, StoreError> {
        match self.find(merchant_id, transaction_id).await? {
            None => Ok(OperationAnswer::refused(
                ReturnCode::InvalidField,
                format!("transactionID {transaction_id} is unknown"),
            )),
            Some(Found::Card(card)) => {
                let kind = match operation {
                    Operation::Refund => card::OperationKind::Refund,
                    Operation::Reset => card::OperationKind::Reset,
                    Operation::Capture => card::OperationKind::Capture,
                };
                let order = OperationOrder {
                    kind,
                    transaction_id: card.id.clone(),
                    amount,
                    request_key,
                    initiator: Initiator::Merchant,
                };
                self.card_operation(merchant_id, order).await
            }
            Some(Found::Ancv(payment)) => match operation {
                Operation::Refund | Operation::Reset => {
                    self.cancel_ancv(operation, merchant_id, &payment, amount, request_key)
                        .await
                }
                Operation::Capture => Ok(OperationAnswer::refused(
                    ReturnCode::InvalidAction,
                    "an ANCV_CONNECT transaction is captured at once (action 101): nothing to capture",
                )),
            },
            Some(Found::AncvRefund(..) | Found::CardOperation(..)) => Ok(OperationAnswer::refused(
                ReturnCode::InvalidField,
                format!("transactionID {transaction_id} is itself a refund, reset or capture"),
            )),
        }
    }

    async fn card_operation(
        &self,
        merchant_id: &MerchantId,
        order: OperationOrder,
    ) -> Result<OperationAnswer, StoreError> {
        let report = match self.inner.card.operate(merchant_id, order).await {
            Ok(report) => report,
            Err(CardPaymentError::Store(error)) => return Err(error),
            Err(error) => {
                return Ok(OperationAnswer::refused(
                    error.return_code(),
                    error.to_string(),
                ));
            }
        };
        // The TRS notification of a refund or reset is queued by the card service with the
        // operation's outcome (whoever learns it).
        let transaction = report
            .operation
            .as_ref()
            .map(|op| operation_view(op, &report.transaction));
        Ok(OperationAnswer {
            code: report.code(),
            message: None,
            partner_code: None,
            transaction,
        })
    }

    /// An ANCV refund or reset: the full validated amount, once, as a cancellation at ANCV. The
    /// refund is recorded (PENDING) with the job that finishes it, then the cancellation is
    /// asked for; a repeat of the same request (its `request_key`) reports that refund.
    async fn cancel_ancv(
        &self,
        operation: Operation,
        merchant_id: &MerchantId,
        payment: &AncvPayment,
        amount: Option<i64>,
        request_key: Option<String>,
    ) -> Result<OperationAnswer, StoreError> {
        if let Some(key) = &request_key {
            let made = self
                .inner
                .store
                .read()
                .await?
                .ancv_refunds()
                .by_request(key)
                .await?;
            if let Some(refund) = made {
                let refund = self.finish_refund(refund).await?;
                return Ok(refund_answer(&refund, payment));
            }
        }
        let Some(validated) = payment.validated_amount.filter(|_| {
            payment.state.is_authorized() || payment.state == AncvPaymentState::Cancelled
        }) else {
            return Ok(OperationAnswer::refused(
                ReturnCode::NotRemitted,
                "the beneficiary has not validated this ANCV transaction",
            ));
        };
        if amount.is_some_and(|amount| amount != validated) {
            return Ok(OperationAnswer::refused(
                ReturnCode::AmountDiffers,
                format!("an ANCV_CONNECT transaction is refunded in full only ({validated})"),
            ));
        }
        if payment.state == AncvPaymentState::Cancelled {
            return Ok(OperationAnswer::refused(
                ReturnCode::AmountExceeded,
                "this ANCV_CONNECT transaction is already refunded",
            ));
        }
        let now = self.inner.clock.now();
        let mut uow = self.inner.store.write().await?;
        let id = new_transaction_id(
            &mut uow,
            self.inner.random.as_ref(),
            TransactionKind::AncvRefund,
            merchant_id,
            now,
        )
        .await?;
        let refund = AncvRefundRow {
            id,
            payment_id: payment.payment_id.clone(),
            operation: match operation {
                Operation::Reset => "RESET",
                Operation::Refund | Operation::Capture => "REFUND",
            }
            .into(),
            amount: validated,
            state: REFUND_PENDING.into(),
            return_code: None,
            partner_code: None,
            request_key,
            created_at: now,
            updated_at: now,
        };
        match uow.ancv_refunds().insert(&refund).await {
            Err(StoreError::Conflict { .. }) => {
                return Ok(OperationAnswer::refused(
                    ReturnCode::AmountExceeded,
                    "this ANCV_CONNECT transaction is already refunded",
                ));
            }
            other => other?,
        }
        uow.jobs()
            .enqueue(
                ANCV_REFUND_JOB,
                &refund.id,
                now.plus_millis(REFUND_RECHECK_MS),
                now,
            )
            .await?;
        uow.commit().await?;
        let refund = self.finish_refund(refund).await?;
        Ok(refund_answer(&refund, payment))
    }

    /// Asks ANCV for the cancellation of a PENDING refund and records how it ended: DONE when
    /// ANCV has it CANCELLED, FAILED when ANCV refuses; still PENDING when the outcome is
    /// unknown (the [`ANCV_REFUND_JOB`] asks again). A refund no longer PENDING is returned as
    /// it is.
    async fn finish_refund(&self, refund: AncvRefundRow) -> Result<AncvRefundRow, StoreError> {
        if refund.state != REFUND_PENDING {
            return Ok(refund);
        }
        let (state, code, partner_code) = match self.inner.ancv.cancel(&refund.payment_id).await {
            Ok(cancelled) if cancelled.state == AncvPaymentState::Cancelled => (
                REFUND_DONE,
                ReturnCode::Accepted,
                cancelled.partner_code.clone(),
            ),
            Ok(other) => (
                REFUND_FAILED,
                ReturnCode::InternalError,
                other.partner_code.clone(),
            ),
            Err(AncvPaymentError::Failed {
                return_code,
                partner_code,
                ..
            }) => (REFUND_FAILED, return_code, Some(partner_code)),
            Err(AncvPaymentError::OutcomeUnknown { detail, .. }) => {
                tracing::warn!(refund_id = %refund.id, %detail, "ANCV cancellation outcome unknown; the refund job asks again");
                return Ok(refund);
            }
            Err(AncvPaymentError::Store(error)) => return Err(error),
            Err(error) => (
                REFUND_FAILED,
                ReturnCode::InternalError,
                Some(error.to_string()),
            ),
        };
        let finished = AncvRefundRow {
            state: state.into(),
            return_code: Some(code.code().to_owned()),
            partner_code,
            updated_at: self.inner.clock.now(),
            ..refund
        };
        let mut uow = self.inner.store.write().await?;
        let mine = uow.ancv_refunds().finish(&finished).await?;
        uow.commit().await?;
        if !mine {
            // Finished meanwhile by another caller: its outcome stands.
            let stored = self
                .inner
                .store
                .read()
                .await?
                .ancv_refunds()
                .find(&finished.id)
                .await?;
            return Ok(stored.unwrap_or(finished));
        }
        if state == REFUND_DONE {
            self.notify_trs(&finished.id).await?;
        }
        Ok(finished)
    }

    /// The [`ANCV_REFUND_JOB`]: finishes a refund still PENDING.
    async fn finish_pending_refund(&self, refund_id: &str) -> JobOutcome {
        let refund = match self.inner.store.read().await {
            Ok(mut uow) => uow.ancv_refunds().find(refund_id).await,
            Err(error) => Err(error),
        };
        let refund = match refund {
            Ok(Some(refund)) => refund,
            Ok(None) => return JobOutcome::Done,
            Err(error) => return JobOutcome::Failed(error.to_string()),
        };
        match self.finish_refund(refund).await {
            Ok(refund) if refund.state == REFUND_PENDING => {
                JobOutcome::Failed("the ANCV cancellation outcome is still unknown".into())
            }
            Ok(_) => JobOutcome::Done,
            Err(error) => JobOutcome::Failed(error.to_string()),
        }
    }

    /// doAuthorization: a card payment with the card data in the request. ANCV Connect needs the
    /// beneficiary's app: refused (02321).
    pub async fn authorize(
        &self,
        merchant_id: &MerchantId,
        request: AuthorizeRequest,
    ) -> Result<(ReturnCode, Option<CardTransaction>), StoreError> {
        let contract = {
            let mut uow = self.inner.store.read().await?;
            match ContractNumber::parse("payment.contractNumber", &request.contract_number) {
                Ok(number) => uow.contracts().find(merchant_id, &number).await?,
                Err(_) => None,
            }
        };
        let Some(contract) = contract.filter(|c| c.status == ContractStatus::Active) else {
            return Ok((ReturnCode::InvalidContract, None));
        };
        if contract.card_code == CardCode::AncvConnect {
            return Ok((ReturnCode::InvalidAction, None));
        }
        let paid = self
            .inner
            .card
            .pay(PayRequest {
                merchant_id: merchant_id.clone(),
                contract,
                order_ref: request.order_ref,
                amount: request.amount,
                currency: request.currency,
                action: if request.capture {
                    card::Action::AuthorizationAndCapture
                } else {
                    card::Action::Authorization
                },
                attempt_group: None,
                three_ds_return_url: None,
                card: request.card,
            })
            .await;
        match paid {
            Ok(card) => Ok((card.result_code(), Some(card))),
            Err(CardPaymentError::Store(error)) => Err(error),
            Err(error) => Ok((error.return_code(), None)),
        }
    }

    /// getTransactionDetails by id, or by an order reference naming one payment. For an ANCV or
    /// card transaction of a web payment session, the associated transactions also list the
    /// session's other card attempts.
    pub async fn details(
        &self,
        merchant_id: &MerchantId,
        transaction_id: Option<&str>,
        order_ref: Option<&str>,
    ) -> Result<Result<TransactionDetails, NoAnswer>, StoreError> {
        let id = match (transaction_id, order_ref) {
            (Some(id), _) => id.to_owned(),
            (None, Some(order_ref)) => {
                let mut found = self
                    .inner
                    .store
                    .read()
                    .await?
                    .transaction_ids()
                    .payments_of_order(merchant_id, order_ref)
                    .await?;
                match found.len() {
                    1 => found.remove(0).0,
                    0 => {
                        return Ok(Err(NoAnswer::new(
                            ReturnCode::InvalidField,
                            format!("no transaction for orderRef {order_ref}"),
                        )));
                    }
                    _ => {
                        return Ok(Err(NoAnswer::new(
                            ReturnCode::InvalidField,
                            format!(
                                "orderRef {order_ref} names several transactions: give transactionId"
                            ),
                        )));
                    }
                }
            }
            (None, None) => {
                return Ok(Err(NoAnswer::new(
                    ReturnCode::InvalidField,
                    "transactionId or orderRef is mandatory",
                )));
            }
        };
        let Some(found) = self.find(merchant_id, &id).await? else {
            return Ok(Err(NoAnswer::new(
                ReturnCode::InvalidField,
                format!("transactionId {id} is unknown"),
            )));
        };
        let mut details = self.describe(found).await?;
        let attempts = self.other_card_attempts(&details).await?;
        details.associated.extend(attempts);
        Ok(Ok(details))
    }

    /// The card attempts of the session of `details` (an ANCV or card transaction of a web
    /// payment) that it does not show already (itself, the complementary payment), each
    /// followed by its captures, resets and refunds: every authorization the buyer's card went
    /// through, refused, still open, or accepted and given back by cvgate.
    async fn other_card_attempts(
        &self,
        details: &TransactionDetails,
    ) -> Result<Vec<TransactionView>, StoreError> {
        let Some(session) = &details.session else {
            return Ok(vec![]);
        };
        let shown: Vec<&str> = std::iter::once(&details.transaction)
            .chain(&details.additional)
            .map(|view| view.id.as_str())
            .collect();
        let mut views = Vec::new();
        for attempt in self.inner.card.attempts(&session.token).await? {
            if shown.contains(&attempt.id.as_str()) {
                continue;
            }
            let operations = self.inner.card.operations(&attempt.id).await?;
            views.push(card_view(&attempt));
            views.extend(operations.iter().map(|op| operation_view(op, &attempt)));
        }
        Ok(views)
    }

    /// transactionsSearch: the merchant's transactions in a period of at most 31 days.
    pub async fn search(
        &self,
        merchant_id: &MerchantId,
        criteria: &SearchCriteria,
    ) -> Result<Result<Vec<TransactionView>, NoAnswer>, StoreError> {
        let (Some(from), Some(to)) = (criteria.from, criteria.to) else {
            return Ok(Err(NoAnswer::new(
                ReturnCode::InvalidField,
                "startDate and endDate (dd/mm/yyyy) are mandatory",
            )));
        };
        if to.millis() < from.millis() {
            return Ok(Err(NoAnswer::new(
                ReturnCode::InvalidField,
                "endDate is before startDate",
            )));
        }
        if to.millis() - from.millis() > MAX_SEARCH_DAYS * 86_400_000 {
            return Ok(Err(NoAnswer::new(
                ReturnCode::SearchPeriodTooLong,
                "the period is longer than 31 days",
            )));
        }
        let ids = self
            .inner
            .store
            .read()
            .await?
            .transaction_ids()
            .made_between(merchant_id, from, to, MAX_SEARCH_ROWS)
            .await?;
        let mut views = Vec::new();
        for (id, _) in ids {
            let Some(found) = self.find(merchant_id, &id).await? else {
                continue;
            };
            let details = self.describe(found).await?;
            if matches(&details, criteria) {
                views.push(details.transaction);
            }
        }
        if views.is_empty() {
            return Ok(Err(NoAnswer::new(
                ReturnCode::SearchEmpty,
                "no transaction matches the criteria",
            )));
        }
        Ok(Ok(views))
    }

    async fn find(&self, merchant_id: &MerchantId, id: &str) -> Result<Option<Found>, StoreError> {
        let kind = self
            .inner
            .store
            .read()
            .await?
            .transaction_ids()
            .kind_of(id, merchant_id)
            .await?;
        let Some(kind) = kind.as_deref().and_then(TransactionKind::parse) else {
            return Ok(None);
        };
        Ok(match kind {
            TransactionKind::AncvPayment => self.inner.ancv.find(id).await?.map(Found::Ancv),
            TransactionKind::AncvRefund => {
                let refund = self
                    .inner
                    .store
                    .read()
                    .await?
                    .ancv_refunds()
                    .find(id)
                    .await?;
                match refund {
                    Some(refund) => self
                        .inner
                        .ancv
                        .find(&refund.payment_id)
                        .await?
                        .map(|payment| Found::AncvRefund(refund, payment)),
                    None => None,
                }
            }
            TransactionKind::CardPayment => self.inner.card.find(id).await?.map(Found::Card),
            TransactionKind::CardOperation => match self.inner.card.find_operation(id).await? {
                Some(op) => self
                    .inner
                    .card
                    .find(&op.transaction_id)
                    .await?
                    .map(|tx| Found::CardOperation(op, tx)),
                None => None,
            },
        })
    }

    /// Everything getTransactionDetails shows about a transaction.
    async fn describe(&self, found: Found) -> Result<TransactionDetails, StoreError> {
        let mut uow = self.inner.store.read().await?;
        let details = match found {
            Found::Ancv(payment) => {
                let session = uow
                    .web_payments()
                    .find_by_ancv_payment(&payment.payment_id)
                    .await?;
                let events = uow.ancv_payments().events(&payment.payment_id).await?;
                let refunds = uow.ancv_refunds().of_payment(&payment.payment_id).await?;
                drop(uow);
                // The card the session counts on; one cvgate gave back (accepted after a
                // cancellation) is among the other attempts instead.
                let additional = match session.as_ref().and_then(|s| {
                    s.session
                        .card_transaction_id
                        .clone()
                        .filter(|id| s.session.wants_card(id))
                }) {
                    Some(card_id) => self
                        .inner
                        .card
                        .find(&card_id)
                        .await?
                        .filter(|c| c.state == PaymentState::Accepted)
                        .map(|c| card_view(&c)),
                    None => None,
                };
                let amount = payment.validated_amount.unwrap_or(payment.amount);
                TransactionDetails {
                    transaction: ancv_view(&payment),
                    session,
                    additional: additional.into_iter().collect(),
                    associated: refunds
                        .iter()
                        .map(|refund| refund_view(refund, &payment))
                        .collect(),
                    history: events
                        .iter()
                        .map(|event| StatusEntry {
                            transaction_id: payment.payment_id.clone(),
                            at: event.at,
                            status: event.state.as_str().to_owned(),
                            amount,
                        })
                        .collect(),
                }
            }
            Found::Card(card) => {
                let session = match &card.attempt_group {
                    Some(token) => uow.web_payments().find(token).await?,
                    None => None,
                };
                drop(uow);
                let operations = self.inner.card.operations(&card.id).await?;
                let mut history = vec![StatusEntry {
                    transaction_id: card.id.clone(),
                    at: card.created_at,
                    status: card_status(&card),
                    amount: card.amount,
                }];
                history.extend(operations.iter().map(|op| StatusEntry {
                    transaction_id: op.id.clone(),
                    at: op.updated_at,
                    status: format!("{}_{}", op.kind.as_str(), operation_status(op)),
                    amount: op.amount,
                }));
                TransactionDetails {
                    transaction: card_view(&card),
                    session,
                    additional: vec![],
                    associated: operations
                        .iter()
                        .map(|op| operation_view(op, &card))
                        .collect(),
                    history,
                }
            }
            Found::AncvRefund(refund, payment) => {
                drop(uow);
                let view = refund_view(&refund, &payment);
                TransactionDetails {
                    history: vec![StatusEntry {
                        transaction_id: view.id.clone(),
                        at: refund.updated_at,
                        status: view.status.clone(),
                        amount: view.amount,
                    }],
                    associated: vec![ancv_view(&payment)],
                    transaction: view,
                    session: None,
                    additional: vec![],
                }
            }
            Found::CardOperation(op, card) => {
                drop(uow);
                let view = operation_view(&op, &card);
                TransactionDetails {
                    history: vec![StatusEntry {
                        transaction_id: view.id.clone(),
                        at: op.updated_at,
                        status: view.status.clone(),
                        amount: view.amount,
                    }],
                    associated: vec![card_view(&card)],
                    transaction: view,
                    session: None,
                    additional: vec![],
                }
            }
        };
        Ok(details)
    }

    /// Queues `GET <notificationURL>?notificationType=TRS&transactionId=<id>` when the sale had a
    /// notification URL.
    async fn notify_trs(&self, transaction_id: &str) -> Result<(), StoreError> {
        let now = self.inner.clock.now();
        let mut uow = self.inner.store.write().await?;
        uow.jobs()
            .enqueue(TRS_JOB, transaction_id, now, now)
            .await?;
        uow.commit().await
    }
}

fn matches(details: &TransactionDetails, criteria: &SearchCriteria) -> bool {
    let view = &details.transaction;
    let email = details
        .session
        .as_ref()
        .and_then(|s| s.request.buyer.email.as_deref());
    criteria
        .transaction_id
        .as_deref()
        .is_none_or(|id| id == view.id)
        && criteria
            .order_ref
            .as_deref()
            .is_none_or(|r| r == view.order_ref)
        && criteria
            .contract_number
            .as_deref()
            .is_none_or(|c| c == view.contract_number.as_str())
        && criteria
            .return_code
            .as_deref()
            .is_none_or(|c| c == view.code.code())
        && criteria
            .email
            .as_deref()
            .is_none_or(|e| email.is_some_and(|email| email.eq_ignore_ascii_case(e)))
        && criteria.min_amount.is_none_or(|min| view.amount >= min)
        && criteria.max_amount.is_none_or(|max| view.amount <= max)
}

fn ancv_view(payment: &AncvPayment) -> TransactionView {
    let accepted = payment.state.is_authorized() || payment.state == AncvPaymentState::Cancelled;
    TransactionView {
        id: payment.payment_id.clone(),
        kind: TransactionKind::AncvPayment,
        date: payment.created_at,
        label: "AUTHOR+CAP",
        action: "101",
        amount: payment.validated_amount.unwrap_or(payment.amount),
        currency: payment.currency,
        contract_number: payment.contract_number.clone(),
        order_ref: payment.order_ref.clone(),
        code: match payment.state {
            _ if accepted => ReturnCode::Accepted,
            AncvPaymentState::Rejected => ReturnCode::PartnerRefused,
            AncvPaymentState::Refused => crate::ancv_payments::refusal_code(payment),
            AncvPaymentState::Requested
            | AncvPaymentState::Initialized
            | AncvPaymentState::Processing => ReturnCode::OnHoldPartner,
            _ => ReturnCode::PartnerRefused,
        },
        status: payment.state.as_str().to_owned(),
        partner_code: payment.partner_code.clone(),
        authorization_number: payment.authorization_number.clone(),
        masked_card: payment.holder.clone(),
        card_type: Some(CardCode::AncvConnect.as_str().to_owned()),
        card_expiry: None,
        origin_id: None,
        partner_additional_data: ancv_partner_data(payment),
    }
}

/// `partnerAdditionalData` of an ANCV Connect transaction: ANCV's own transaction id, for a
/// tester or a merchant to find it at ANCV (`ancvTransactionId=fiawa31zot`). `None` until ANCV
/// gave one.
pub fn ancv_partner_data(payment: &AncvPayment) -> Option<String> {
    payment
        .ancv_id
        .as_ref()
        .map(|id| format!("ancvTransactionId={id}"))
}

/// A card payment as a transaction view.
pub fn card_view(card: &CardTransaction) -> TransactionView {
    let capture = card.action == card::Action::AuthorizationAndCapture;
    TransactionView {
        id: card.id.clone(),
        kind: TransactionKind::CardPayment,
        date: card.created_at,
        label: if capture { "AUTHOR+CAP" } else { "AUTHOR" },
        action: if capture { "101" } else { "100" },
        amount: card.amount,
        currency: card.currency,
        contract_number: card.contract_number.clone(),
        order_ref: card.order_ref.clone(),
        code: card.result_code(),
        status: card_status(card),
        partner_code: None,
        authorization_number: card.authorization_number.clone(),
        masked_card: Some(card.masked_number.clone()),
        card_type: Some(card.card_type.to_string()),
        card_expiry: Some(card.expiry.clone()),
        origin_id: None,
        partner_additional_data: None,
    }
}

/// Added to the status of an operation cvgate made itself (initiator GATEWAY: giving back a card
/// payment no session counts on), e.g. `DONE_BY_CVGATE`, `RESET_DONE_BY_CVGATE`: Payline's lists
/// have no element saying who made an operation.
pub const BY_CVGATE: &str = "_BY_CVGATE";

/// The state with the code of a refusal or failure, `REFUSED_01100`: the associated
/// transactions and the status history have no element for a code.
fn with_code(state: &str, code: Option<ReturnCode>) -> String {
    match code {
        Some(code) => format!("{state}_{}", code.code()),
        None => state.to_owned(),
    }
}

/// A card payment's status in the lists: `ACCEPTED`, `PENDING`, `CHALLENGE` (waiting for the
/// buyer's 3-D Secure challenge) or `REFUSED_<code>`.
fn card_status(card: &CardTransaction) -> String {
    let refusal = match card.state {
        PaymentState::Refused => Some(card.result_code()),
        PaymentState::Pending | PaymentState::ChallengeRequired | PaymentState::Accepted => None,
    };
    with_code(card.state.as_str(), refusal)
}

fn operation_code(op: &CardOperation) -> ReturnCode {
    op.return_code.unwrap_or(match op.state {
        OperationState::Done => ReturnCode::Accepted,
        OperationState::Pending => ReturnCode::InProgress,
        OperationState::Failed => ReturnCode::AcquirerError,
    })
}

/// A capture, reset or refund's status in the lists: `DONE`, `PENDING` or `FAILED_<code>`, and
/// [`BY_CVGATE`] when cvgate made it.
fn operation_status(op: &CardOperation) -> String {
    let failure = match op.state {
        OperationState::Failed => Some(operation_code(op)),
        OperationState::Pending | OperationState::Done => None,
    };
    let status = with_code(op.state.as_str(), failure);
    match op.initiator {
        Initiator::Merchant => status,
        Initiator::Gateway => format!("{status}{BY_CVGATE}"),
    }
}

fn operation_view(op: &CardOperation, card: &CardTransaction) -> TransactionView {
    let (label, action) = match op.kind {
        card::OperationKind::Capture => ("CAPTURE", "201"),
        card::OperationKind::Reset => ("RESET", "102"),
        card::OperationKind::Refund => ("REFUND", "421"),
    };
    TransactionView {
        id: op.id.clone(),
        kind: TransactionKind::CardOperation,
        date: op.created_at,
        label,
        action,
        amount: op.amount,
        currency: card.currency,
        contract_number: card.contract_number.clone(),
        order_ref: card.order_ref.clone(),
        code: operation_code(op),
        status: operation_status(op),
        partner_code: None,
        authorization_number: card.authorization_number.clone(),
        masked_card: Some(card.masked_number.clone()),
        card_type: Some(card.card_type.to_string()),
        card_expiry: Some(card.expiry.clone()),
        origin_id: Some(card.id.clone()),
        partner_additional_data: None,
    }
}

const REFUND_PENDING: &str = "PENDING";
const REFUND_DONE: &str = "DONE";
const REFUND_FAILED: &str = "FAILED";

/// What doRefund/doReset answers for an ANCV refund: its code (02306 while the cancellation is
/// under way) and ANCV's state or error.
fn refund_answer(refund: &AncvRefundRow, payment: &AncvPayment) -> OperationAnswer {
    let view = refund_view(refund, payment);
    OperationAnswer {
        code: view.code,
        message: (refund.state == REFUND_PENDING)
            .then(|| "the cancellation is under way at ANCV".to_owned()),
        partner_code: refund.partner_code.clone(),
        transaction: Some(view),
    }
}

fn refund_view(refund: &AncvRefundRow, payment: &AncvPayment) -> TransactionView {
    let reset = refund.operation == "RESET";
    let code = refund
        .return_code
        .as_deref()
        .and_then(ReturnCode::from_code)
        .unwrap_or(ReturnCode::InProgress);
    TransactionView {
        id: refund.id.clone(),
        kind: TransactionKind::AncvRefund,
        date: refund.created_at,
        label: if reset { "RESET" } else { "REFUND" },
        action: if reset { "102" } else { "421" },
        amount: refund.amount,
        currency: payment.currency,
        contract_number: payment.contract_number.clone(),
        order_ref: payment.order_ref.clone(),
        code,
        status: with_code(
            &refund.state,
            (refund.state == REFUND_FAILED).then_some(code),
        ),
        partner_code: refund.partner_code.clone(),
        authorization_number: payment.authorization_number.clone(),
        masked_card: payment.holder.clone(),
        card_type: Some(CardCode::AncvConnect.as_str().to_owned()),
        card_expiry: None,
        origin_id: Some(payment.payment_id.clone()),
        // The cancellation is made on that same ANCV transaction.
        partner_additional_data: ancv_partner_data(payment),
    }
}

impl Inner {
    /// The notification URL of the sale a transaction belongs to.
    async fn notification_url(&self, transaction_id: &str) -> Result<Option<String>, StoreError> {
        let mut uow = self.store.read().await?;
        if let Some(payment) = uow.ancv_payments().find(transaction_id).await? {
            let session = match &payment.web_payment_token {
                Some(token) => uow.web_payments().find(token).await?,
                None => {
                    uow.web_payments()
                        .find_by_ancv_payment(&payment.payment_id)
                        .await?
                }
            };
            return Ok(session.and_then(|s| s.request.notification_url));
        }
        if let Some(refund) = uow.ancv_refunds().find(transaction_id).await? {
            let session = uow
                .web_payments()
                .find_by_ancv_payment(&refund.payment_id)
                .await?;
            return Ok(session.and_then(|s| s.request.notification_url));
        }
        drop(uow);
        let Some(op) = self.card.find_operation(transaction_id).await? else {
            return Ok(None);
        };
        let Some(card) = self.card.find(&op.transaction_id).await? else {
            return Ok(None);
        };
        let Some(token) = card.attempt_group else {
            return Ok(None);
        };
        let session = self.store.read().await?.web_payments().find(&token).await?;
        Ok(session.and_then(|s| s.request.notification_url))
    }

    async fn notify_trs(&self, transaction_id: &str, attempt: i64) -> JobOutcome {
        let url = match self.notification_url(transaction_id).await {
            Ok(Some(url)) => url,
            Ok(None) => return JobOutcome::Done,
            Err(error) => return JobOutcome::Failed(error.to_string()),
        };
        let separator = if url.contains('?') { '&' } else { '?' };
        let target = format!("{url}{separator}notificationType=TRS&transactionId={transaction_id}");
        if let Err(reason) =
            crate::merchant_http::check_url(&target, self.notifications.allow_private_addresses)
        {
            tracing::warn!(transaction_id, %reason, "notification URL refused: no TRS notification");
            return JobOutcome::Done;
        }
        match self.http.get(&target).send().await {
            Ok(response) if response.status().is_success() => JobOutcome::Done,
            _ if attempt * self.notifications.retry_every_ms
                >= self.notifications.give_up_after_ms =>
            {
                tracing::warn!(
                    transaction_id,
                    "TRS notification abandoned after its retry window"
                );
                JobOutcome::Done
            }
            _ => JobOutcome::RunAgainAt(
                self.clock
                    .now()
                    .plus_millis(self.notifications.retry_every_ms),
            ),
        }
    }
}

struct TrsJob(AfterSale);

impl JobHandler for TrsJob {
    fn kind(&self) -> &'static str {
        TRS_JOB
    }

    /// Calls the merchant's URL.
    fn lane(&self) -> Lane {
        Lane::Notification
    }

    fn run<'a>(&'a self, transaction_id: &'a str, attempt: i64) -> JobFuture<'a> {
        Box::pin(self.0.inner.notify_trs(transaction_id, attempt))
    }
}

struct AncvRefundJob(AfterSale);

impl JobHandler for AncvRefundJob {
    fn kind(&self) -> &'static str {
        ANCV_REFUND_JOB
    }

    fn run<'a>(&'a self, refund_id: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(self.0.finish_pending_refund(refund_id))
    }
}
