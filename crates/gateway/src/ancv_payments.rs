//! ANCV Connect payments, cvgate's side: record one, send it (create + attach the payer), follow
//! it (notifications as hints, then GET status; a poll job while it is pending), cancel it.
//!
//! Every call to ANCV is recorded first, with the job that finishes it, in the same unit of
//! work: the poll job ([`POLL_JOB`]) is queued with the request itself, so a request that dies
//! half-way (client gone, crash, redeploy) is sent or followed by the job. Answers are applied
//! forward-only (see [`AncvPaymentState::may_become`]), so duplicates and stale news change
//! nothing; every change of state is told to the [`AncvPaymentObserver`] inside the unit of work
//! that records it, so a payment and its session never disagree. No database transaction is open
//! during an HTTP call.

use crate::observer::ObserverFuture;
use crate::transaction_ids::{TransactionKind, new_transaction_id};
use ancv::client::NewTransaction;
use ancv::seal::Operation;
use ancv::wire::{Amount, Transaction, TransactionState};
use ancv::{AncvClient, AncvError, ErrorCode, SealKeyring};
use domain::ancv_payment::{AncvPayment, AncvPaymentState};
use domain::clock::{Clock, Timestamp};
use domain::contract::{CardCode, Contract};
use domain::merchant::MerchantId;
use domain::random::SharedRandom;
use domain::return_code::ReturnCode;
use jobs::{JobFuture, JobHandler, JobOutcome};
use std::sync::{Arc, OnceLock, Weak};
use store::{Store, StoreError, UnitOfWork};
use tokio::sync::Notify;

/// The side that counts on ANCV payments (the web payment sessions).
pub trait AncvPaymentObserver: Send + Sync {
    /// `before` became `after`: told inside the unit of work that records it, so that what
    /// depends on the payment changes in the same commit. `Ok(false)`: something it read changed
    /// meanwhile; the caller rolls back and tries again.
    fn changed<'a>(
        &'a self,
        uow: &'a mut UnitOfWork,
        before: &'a AncvPayment,
        after: &'a AncvPayment,
    ) -> ObserverFuture<'a, bool>;

    /// Whether someone still counts on this payment (a request not sent yet is sent only then).
    fn wanted<'a>(&'a self, payment: &'a AncvPayment) -> ObserverFuture<'a, bool>;
}

/// Job kinds (subject: cvgate's payment id). The poll sends and follows a payment until ANCV says
/// how the request ended; the settlement watch then reads it every few hours until ANCV pays it
/// or takes it back (a lost PAID or REJECTED notification would otherwise never reach cvgate).
pub const POLL_JOB: &str = "ancv_poll";
pub const REFRESH_JOB: &str = "ancv_refresh";
pub const SETTLEMENT_JOB: &str = "ancv_settlement";

/// How long after `expirationDate` a still-pending transaction is polled at the usual pace, for
/// clocks that differ; after that, every [`LATE_POLL_MS`] until ANCV says how it ended.
const EXPIRY_MARGIN_MS: i64 = 60_000;
const LATE_POLL_MS: i64 = 60_000;
/// An authorized transaction is read again this often until ANCV pays it (or rejects it): its
/// notifications may be lost, and a rejection after authorization must reach the merchant.
const SETTLEMENT_POLL_MS: i64 = 6 * 3_600_000;
/// …for at most this long after it was created.
const SETTLEMENT_FOLLOWED_FOR_MS: i64 = 30 * 24 * 3_600_000;

#[derive(Debug, thiserror::Error)]
pub enum AncvPaymentError {
    /// ANCV (or the transport) did not let the payment go on; `return_code` is what Payline
    /// reports, `partner_code` the ANCV error or state.
    #[error("ANCV payment {payment_id} failed: {return_code} ({partner_code})")]
    Failed {
        payment_id: String,
        return_code: ReturnCode,
        partner_code: String,
    },
    /// The call may or may not have been done at ANCV, and its status could not settle it: ask
    /// again later.
    #[error("the outcome at ANCV of payment {payment_id} is unknown: {detail}")]
    OutcomeUnknown { payment_id: String, detail: String },
    #[error("the contract cannot take an ANCV payment: {0}")]
    NotAncvContract(String),
    #[error("no ANCV payment {0}")]
    UnknownPayment(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the caller wants paid with vouchers.
#[derive(Debug, Clone)]
pub struct StartPayment {
    pub merchant_id: MerchantId,
    pub contract: Contract,
    pub order_ref: String,
    pub label: Option<String>,
    pub amount: i64,
    pub beneficiary_id: String,
    /// The web payment session asking, if any.
    pub web_payment_token: Option<String>,
}

/// Why a notification was not taken (the endpoint answers with this).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NotificationRejected {
    #[error("the body is not an ANCV notification")]
    Malformed,
    #[error("the ANCV-Security seal does not verify: {0}")]
    BadSeal(String),
}

#[derive(Clone)]
pub struct AncvPayments {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    random: SharedRandom,
    client: AncvClient,
    notification_keys: SealKeyring,
    notification_url: String,
    poll_interval_ms: i64,
    wake_worker: OnceLock<Arc<Notify>>,
    observer: OnceLock<Weak<dyn AncvPaymentObserver>>,
}

pub struct AncvPaymentsConfig {
    pub client: AncvClient,
    /// Keys that may seal notifications (the configured ANCV key).
    pub notification_keys: SealKeyring,
    /// cvgate's `/partner/ancv/notifications`, absolute.
    pub notification_url: String,
    pub poll_interval_ms: i64,
}

impl AncvPayments {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        random: SharedRandom,
        config: AncvPaymentsConfig,
    ) -> AncvPayments {
        AncvPayments {
            inner: Arc::new(Inner {
                store,
                clock,
                random,
                client: config.client,
                notification_keys: config.notification_keys,
                notification_url: config.notification_url,
                poll_interval_ms: config.poll_interval_ms,
                wake_worker: OnceLock::new(),
                observer: OnceLock::new(),
            }),
        }
    }

    /// Lets enqueued work start at once instead of at the worker's next idle tick.
    pub fn with_worker_wake(self, wake: Arc<Notify>) -> AncvPayments {
        let _ = self.inner.wake_worker.set(wake);
        self
    }

    /// Who hears about changes (set once; held weakly: the observer owns this service).
    pub fn set_observer(&self, observer: Weak<dyn AncvPaymentObserver>) {
        let _ = self.inner.observer.set(observer);
    }

    fn observer(&self) -> Option<Arc<dyn AncvPaymentObserver>> {
        self.inner.observer.get().and_then(Weak::upgrade)
    }

    pub async fn find(&self, payment_id: &str) -> Result<Option<AncvPayment>, StoreError> {
        self.inner
            .store
            .read()
            .await?
            .ancv_payments()
            .find(payment_id)
            .await
    }

    /// Records the intent (state REQUESTED) in the caller's unit of work, with the poll job that
    /// sends or follows it if the caller never does; then call [`Self::submit`] after the commit.
    pub async fn record_request(
        &self,
        uow: &mut UnitOfWork,
        request: StartPayment,
    ) -> Result<AncvPayment, AncvPaymentError> {
        let shop_id = match request.contract.shop_id() {
            Some(shop_id) if request.contract.card_code == CardCode::AncvConnect => {
                shop_id.as_str().to_owned()
            }
            _ => {
                return Err(AncvPaymentError::NotAncvContract(
                    request.contract.number.to_string(),
                ));
            }
        };
        let now = self.inner.clock.now();
        let payment_id = new_transaction_id(
            uow,
            self.inner.random.as_ref(),
            TransactionKind::AncvPayment,
            &request.merchant_id,
            now,
        )
        .await?;
        let payment = AncvPayment {
            payment_id,
            merchant_id: request.merchant_id,
            contract_number: request.contract.number.clone(),
            shop_id,
            order_ref: request.order_ref,
            label: request.label,
            amount: request.amount,
            currency: request.contract.currency,
            beneficiary_id: request.beneficiary_id,
            ancv_id: None,
            state: AncvPaymentState::Requested,
            validated_amount: None,
            authorization_number: None,
            holder: None,
            partner_code: None,
            expires_at: None,
            web_payment_token: request.web_payment_token,
            created_at: now,
            updated_at: now,
        };
        uow.ancv_payments().insert(&payment).await?;
        uow.ancv_payments()
            .record_event(&payment.payment_id, payment.state, "request", now)
            .await?;
        uow.jobs()
            .enqueue(POLL_JOB, &payment.payment_id, self.next_poll(), now)
            .await?;
        Ok(payment)
    }

    /// Sends a recorded request: creates the transaction at ANCV (if not done yet) and attaches
    /// the payer, so the request reaches the beneficiary's app. Safe to call again: `create` is
    /// idempotent per `paymentId`, and an attach whose outcome is unknown is resolved with GET
    /// status. Returns the payment as it then stands.
    pub async fn submit(&self, payment_id: &str) -> Result<AncvPayment, AncvPaymentError> {
        let mut payment = self.existing(payment_id).await?;
        if payment.state == AncvPaymentState::Requested {
            payment = self.create(payment).await?;
        }
        if payment.state != AncvPaymentState::Initialized {
            // Abandoned meanwhile, or further already.
            return Ok(payment);
        }
        let Some(ancv_id) = payment.ancv_id.clone() else {
            return Ok(payment);
        };
        let amount = Amount {
            total: payment.amount,
            currency: payment.currency.code(),
        };
        let attached = self
            .inner
            .client
            .attach_payer(&ancv_id, &payment.beneficiary_id, amount)
            .await;
        match attached {
            Ok(transaction) => Ok(self.apply(payment_id, &transaction, "payer").await?),
            // Whatever the error says, ANCV's status tells whether the payer is attached: a
            // repeated attach is refused even when the first one worked.
            Err(error) => match self.inner.client.status(&ancv_id).await {
                Ok(status)
                    if status.state == TransactionState::Initialized
                        && error.certainly_not_done() =>
                {
                    Err(self.refuse(&payment, &error).await)
                }
                Ok(status) => Ok(self.apply(payment_id, &status, "status").await?),
                Err(_) => {
                    tracing::warn!(payment_id, %error, "payer outcome unknown; the poll will find out");
                    Ok(payment)
                }
            },
        }
    }

    /// `create`, once more if its outcome is unknown (idempotent per `paymentId`). When ANCV
    /// cannot be reached the request is abandoned: no payer was attached, so nothing can be held.
    async fn create(&self, payment: AncvPayment) -> Result<AncvPayment, AncvPaymentError> {
        let new = NewTransaction {
            shop_id: payment.shop_id.clone(),
            order_ref: payment.order_ref.clone(),
            payment_id: payment.payment_id.clone(),
            label: payment.label.clone(),
            amount: Amount {
                total: payment.amount,
                currency: payment.currency.code(),
            },
            notification_url: self.inner.notification_url.clone(),
        };
        let created = match self.inner.client.create(&new).await {
            Err(error) if !error.certainly_not_done() => self.inner.client.create(&new).await,
            outcome => outcome,
        };
        match created {
            Ok(transaction) => Ok(self
                .apply(&payment.payment_id, &transaction, "create")
                .await?),
            Err(error) if error.certainly_not_done() => Err(self.refuse(&payment, &error).await),
            Err(error) => {
                tracing::warn!(payment_id = %payment.payment_id, %error, "ANCV cannot be reached: the request is abandoned");
                self.abandon(&payment.payment_id, &error.partner_code())
                    .await?;
                Err(failed(&payment, &error))
            }
        }
    }

    /// Gives up a request never sent to the beneficiary (still REQUESTED): nothing can be held.
    /// Returns the payment as it then stands (unchanged if it had moved on).
    pub async fn abandon(
        &self,
        payment_id: &str,
        partner_code: &str,
    ) -> Result<AncvPayment, StoreError> {
        self.change(payment_id, "abandoned", |current, now| {
            let mut next = current.clone();
            if current.state.may_become(AncvPaymentState::Abandoned) {
                next.state = AncvPaymentState::Abandoned;
                next.partner_code = Some(partner_code.to_owned());
                next.updated_at = now;
            }
            next
        })
        .await
    }

    /// Reads the transaction at ANCV and applies what it says.
    pub async fn refresh(
        &self,
        payment_id: &str,
        source: &str,
    ) -> Result<AncvPayment, AncvPaymentError> {
        let payment = self.existing(payment_id).await?;
        let Some(ancv_id) = payment.ancv_id.clone() else {
            return Ok(payment);
        };
        match self.inner.client.status(&ancv_id).await {
            Ok(transaction) => Ok(self.apply(payment_id, &transaction, source).await?),
            Err(error) => Err(failed(&payment, &error)),
        }
    }

    /// Cancels the ANCV transaction (the vouchers go back to the beneficiary). Whatever the
    /// cancellation call answers — a timeout, or a refusal because an earlier call already
    /// cancelled it — GET status decides: CANCELLED there means it worked.
    pub async fn cancel(&self, payment_id: &str) -> Result<AncvPayment, AncvPaymentError> {
        let payment = self.existing(payment_id).await?;
        if payment.state == AncvPaymentState::Cancelled {
            return Ok(payment);
        }
        let Some(ancv_id) = payment.ancv_id.clone() else {
            return Ok(payment);
        };
        let error = match self.inner.client.cancel(&ancv_id).await {
            Ok(transaction) => {
                return Ok(self.apply(payment_id, &transaction, "cancellation").await?);
            }
            Err(error) => error,
        };
        tracing::warn!(payment_id, %error, "cancellation not confirmed; reading the status");
        let unknown = |detail: String| AncvPaymentError::OutcomeUnknown {
            payment_id: payment_id.to_owned(),
            detail,
        };
        let status = self
            .inner
            .client
            .status(&ancv_id)
            .await
            .map_err(|e| unknown(e.to_string()))?;
        let payment = self.apply(payment_id, &status, "status").await?;
        if payment.state == AncvPaymentState::Cancelled {
            Ok(payment)
        } else if error.certainly_not_done() {
            // Refused, and ANCV confirms it is not cancelled (e.g. REJECTED meanwhile).
            Err(failed(&payment, &error))
        } else {
            Err(unknown(error.to_string()))
        }
    }

    /// A notification from ANCV: a hint only. The seal is checked when present; then the
    /// transaction is re-read with GET status by a job, so the endpoint can answer at once.
    pub async fn notification_received(
        &self,
        seal: Option<&str>,
        body: &[u8],
    ) -> Result<(), NotificationRejected> {
        let json: serde_json::Value =
            serde_json::from_slice(body).map_err(|_| NotificationRejected::Malformed)?;
        if seal.is_some() {
            self.inner
                .notification_keys
                .verify(seal, &Operation::Notification.fields(&json))
                .map_err(|e| NotificationRejected::BadSeal(e.to_string()))?;
        }
        let Some(ancv_id) = json.pointer("/transaction/id").and_then(|id| id.as_str()) else {
            return Err(NotificationRejected::Malformed);
        };
        let found = async {
            let mut uow = self.inner.store.read().await?;
            uow.ancv_payments().find_by_ancv_id(ancv_id).await
        };
        match found.await {
            Ok(Some(payment)) => {
                if let Err(error) = self
                    .enqueue(REFRESH_JOB, &payment.payment_id, self.inner.clock.now())
                    .await
                {
                    // ANCV will send it again; the poll also covers it.
                    tracing::error!(%error, "cannot queue the refresh of a notified ANCV payment");
                }
            }
            Ok(None) => tracing::warn!(
                ancv_id,
                "notification for an unknown ANCV transaction; ignored"
            ),
            Err(error) => tracing::error!(%error, "cannot look up a notified ANCV transaction"),
        }
        Ok(())
    }

    pub fn job_handlers(&self) -> Vec<Arc<dyn JobHandler>> {
        vec![
            Arc::new(PollJob(self.clone())),
            Arc::new(RefreshJob(self.clone())),
            Arc::new(SettlementJob(self.clone())),
        ]
    }

    async fn existing(&self, payment_id: &str) -> Result<AncvPayment, AncvPaymentError> {
        self.find(payment_id)
            .await?
            .ok_or_else(|| AncvPaymentError::UnknownPayment(payment_id.to_owned()))
    }

    /// Records that ANCV refused (nothing was done there) and says what Payline reports.
    async fn refuse(&self, payment: &AncvPayment, error: &AncvError) -> AncvPaymentError {
        let partner_code = error.partner_code();
        let refused = self
            .change(&payment.payment_id, "refused", |current, now| {
                let mut next = current.clone();
                if current.state.may_become(AncvPaymentState::Refused) {
                    next.state = AncvPaymentState::Refused;
                    next.partner_code = Some(partner_code.clone());
                    next.updated_at = now;
                }
                next
            })
            .await;
        match refused {
            Ok(_) => failed(payment, error),
            Err(store_error) => store_error.into(),
        }
    }

    /// Applies ANCV's view of the transaction, forward-only.
    async fn apply(
        &self,
        payment_id: &str,
        transaction: &Transaction,
        source: &str,
    ) -> Result<AncvPayment, StoreError> {
        self.change(payment_id, source, |current, now| {
            let mut next = current.clone();
            if next.ancv_id.is_none() {
                next.ancv_id = Some(transaction.id.clone());
            }
            next.expires_at = transaction
                .expiration_date
                .as_deref()
                .and_then(Timestamp::parse_rfc3339)
                .or(current.expires_at);
            if let Some(authorization) = transaction.first_authorization() {
                next.validated_amount = Some(authorization.amount.total);
                next.authorization_number = Some(authorization.number.clone());
                next.holder = authorization.holder.clone();
            }
            let observed = state_of(transaction.state);
            if current.state.may_become(observed) {
                next.state = observed;
                next.partner_code = Some(transaction.state.as_str().to_owned());
            }
            if next != *current {
                next.updated_at = now;
            }
            next
        })
        .await
    }

    /// Reads the payment, computes its next version with `next_of`, and writes it if it changed
    /// — with the states it went through and the observer's reaction — in one unit of work.
    /// Tries again when a concurrent writer was first.
    async fn change(
        &self,
        payment_id: &str,
        source: &str,
        next_of: impl Fn(&AncvPayment, Timestamp) -> AncvPayment,
    ) -> Result<AncvPayment, StoreError> {
        for _ in 0..10 {
            let mut uow = self.inner.store.write().await?;
            let current = uow.ancv_payments().find(payment_id).await?.ok_or_else(|| {
                StoreError::corrupt("ancv_payments", format!("payment {payment_id} vanished"))
            })?;
            let next = next_of(&current, self.inner.clock.now());
            if next == current {
                uow.rollback().await?;
                return Ok(current);
            }
            if !uow
                .ancv_payments()
                .update_from(current.state, &next)
                .await?
            {
                continue;
            }
            if next.state != current.state {
                // ANCV's status shows only where the transaction is now: the states it went
                // through on the way (CONSIGNED between VALIDATED and PAID) are recorded as
                // inferred.
                for skipped in current.state.skipped_on_the_way_to(next.state) {
                    uow.ancv_payments()
                        .record_event(payment_id, skipped, "inferred", next.updated_at)
                        .await?;
                }
                uow.ancv_payments()
                    .record_event(payment_id, next.state, source, next.updated_at)
                    .await?;
                if let Some(observer) = self.observer()
                    && !observer.changed(&mut uow, &current, &next).await?
                {
                    continue;
                }
            }
            uow.commit().await?;
            self.wake();
            if next.state != current.state {
                tracing::info!(payment_id, from = %current.state, to = %next.state, source, "ANCV payment updated");
            }
            return Ok(next);
        }
        Err(StoreError::corrupt(
            "ancv_payments",
            format!("payment {payment_id} keeps changing under its writers"),
        ))
    }

    fn next_poll(&self) -> Timestamp {
        self.inner
            .clock
            .now()
            .plus_millis(self.inner.poll_interval_ms)
    }

    fn wake(&self) {
        if let Some(wake) = self.inner.wake_worker.get() {
            wake.notify_one();
        }
    }

    async fn enqueue(&self, kind: &str, payment_id: &str, at: Timestamp) -> Result<(), StoreError> {
        let now = self.inner.clock.now();
        let mut uow = self.inner.store.write().await?;
        uow.jobs().enqueue(kind, payment_id, at, now).await?;
        uow.commit().await?;
        self.wake();
        Ok(())
    }

    /// Whether a session still counts on the payment (without observer: nobody does).
    async fn wanted(&self, payment: &AncvPayment) -> Result<bool, StoreError> {
        match self.observer() {
            Some(observer) => observer.wanted(payment).await,
            None => Ok(false),
        }
    }

    /// The [`POLL_JOB`]: sends a request the request path could not send, then follows the
    /// payment until ANCV says how it ended; an authorized one is handed to the
    /// [`SETTLEMENT_JOB`].
    async fn poll(&self, payment_id: &str) -> JobOutcome {
        let payment = match self.find(payment_id).await {
            Ok(Some(payment)) => payment,
            Ok(None) => return JobOutcome::Done,
            Err(error) => return JobOutcome::Failed(error.to_string()),
        };
        if payment.state.is_pending() {
            let step = match payment.state {
                AncvPaymentState::Requested | AncvPaymentState::Initialized => {
                    match self.wanted(&payment).await {
                        Ok(true) => self.submit(payment_id).await,
                        Ok(false) if payment.state == AncvPaymentState::Requested => self
                            .abandon(payment_id, "NOT_SENT")
                            .await
                            .map_err(AncvPaymentError::from),
                        // Created but nobody wants it: ANCV expires it, without payer.
                        Ok(false) => self.refresh(payment_id, "poll").await,
                        Err(error) => Err(error.into()),
                    }
                }
                _ => self.refresh(payment_id, "poll").await,
            };
            if let Err(error) = step {
                tracing::warn!(payment_id, %error, "ANCV poll step failed; trying again later");
            }
        }
        match self.find(payment_id).await {
            Ok(Some(payment)) if payment.state.is_pending() => {
                JobOutcome::RunAgainAt(self.next_poll_of(&payment))
            }
            Ok(Some(payment)) if payment.state.awaits_settlement() => {
                match self.watch_settlement(payment_id).await {
                    Ok(()) => JobOutcome::Done,
                    Err(error) => JobOutcome::Failed(error.to_string()),
                }
            }
            Ok(_) => JobOutcome::Done,
            Err(error) => JobOutcome::Failed(error.to_string()),
        }
    }

    /// When to read a pending payment again: soon while the beneficiary may answer, then every
    /// minute past its expiry.
    fn next_poll_of(&self, payment: &AncvPayment) -> Timestamp {
        let now = self.inner.clock.now();
        let late = payment
            .expires_at
            .is_some_and(|at| now > at.plus_millis(EXPIRY_MARGIN_MS));
        if late {
            now.plus_millis(LATE_POLL_MS)
        } else {
            self.next_poll()
        }
    }

    async fn watch_settlement(&self, payment_id: &str) -> Result<(), StoreError> {
        let at = self.inner.clock.now().plus_millis(SETTLEMENT_POLL_MS);
        self.enqueue(SETTLEMENT_JOB, payment_id, at).await
    }

    /// The [`SETTLEMENT_JOB`]: reads an authorized payment until ANCV pays it or takes it back,
    /// for at most [`SETTLEMENT_FOLLOWED_FOR_MS`].
    async fn follow_settlement(&self, payment_id: &str) -> JobOutcome {
        let refreshed = self.refresh(payment_id, "settlement").await;
        let payment = match self.find(payment_id).await {
            Ok(Some(payment)) => payment,
            Ok(None) => return JobOutcome::Done,
            Err(error) => return JobOutcome::Failed(error.to_string()),
        };
        let now = self.inner.clock.now();
        let age = now.millis() - payment.created_at.millis();
        if !payment.state.awaits_settlement() || age >= SETTLEMENT_FOLLOWED_FOR_MS {
            return JobOutcome::Done;
        }
        if let Err(error) = refreshed {
            tracing::warn!(payment_id, %error, "reading a settling ANCV payment failed; trying again later");
        }
        JobOutcome::RunAgainAt(now.plus_millis(SETTLEMENT_POLL_MS))
    }
}

struct PollJob(AncvPayments);

impl JobHandler for PollJob {
    fn kind(&self) -> &'static str {
        POLL_JOB
    }

    fn run<'a>(&'a self, subject: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(self.0.poll(subject))
    }
}

struct SettlementJob(AncvPayments);

impl JobHandler for SettlementJob {
    fn kind(&self) -> &'static str {
        SETTLEMENT_JOB
    }

    fn run<'a>(&'a self, subject: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(self.0.follow_settlement(subject))
    }
}

struct RefreshJob(AncvPayments);

impl JobHandler for RefreshJob {
    fn kind(&self) -> &'static str {
        REFRESH_JOB
    }

    fn run<'a>(&'a self, subject: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(async move {
            match self.0.refresh(subject, "notification").await {
                Ok(_) | Err(AncvPaymentError::UnknownPayment(_)) => JobOutcome::Done,
                Err(error) => JobOutcome::Failed(error.to_string()),
            }
        })
    }
}

/// ANCV's state in cvgate's vocabulary.
pub fn state_of(state: TransactionState) -> AncvPaymentState {
    match state {
        TransactionState::Initialized => AncvPaymentState::Initialized,
        TransactionState::Processing => AncvPaymentState::Processing,
        TransactionState::Authorized => AncvPaymentState::Authorized,
        TransactionState::Validated => AncvPaymentState::Validated,
        TransactionState::Consigned => AncvPaymentState::Consigned,
        TransactionState::Paid => AncvPaymentState::Paid,
        TransactionState::Aborted => AncvPaymentState::Aborted,
        TransactionState::Expired => AncvPaymentState::Expired,
        TransactionState::Rejected => AncvPaymentState::Rejected,
        TransactionState::Cancelled => AncvPaymentState::Cancelled,
    }
}

/// The Payline code for an ANCV failure (spec ancv-connect §5).
pub fn return_code_for(error: &AncvError) -> ReturnCode {
    match error {
        AncvError::Refused { code, .. } => match code {
            ErrorCode::BadRequest
            | ErrorCode::BeneficiaryNotFound
            | ErrorCode::InvalidTransactionAmount
            | ErrorCode::InvalidTransactionCurrency
            | ErrorCode::OtherTransactionPending => ReturnCode::InvalidField,
            ErrorCode::MerchantNotAllowed => ReturnCode::InvalidContract,
            ErrorCode::InvalidSeal
            | ErrorCode::TransactionNotFound
            | ErrorCode::OperationTransactionNotAllowed
            | ErrorCode::InternalServerError
            | ErrorCode::Other(_) => ReturnCode::InternalError,
        },
        AncvError::OutcomeUnknown { .. }
        | AncvError::Unreachable { .. }
        | AncvError::InvalidResponse { .. } => ReturnCode::InternalError,
    }
}

/// The Payline code for a payment ANCV refused (from its recorded partner code).
pub fn refusal_code(payment: &AncvPayment) -> ReturnCode {
    let code = ErrorCode::parse(
        payment
            .partner_code
            .as_deref()
            .unwrap_or("INTERNAL_SERVER_ERROR"),
    );
    return_code_for(&AncvError::Refused {
        operation: "create",
        code,
        message: String::new(),
    })
}

fn failed(payment: &AncvPayment, error: &AncvError) -> AncvPaymentError {
    AncvPaymentError::Failed {
        payment_id: payment.payment_id.clone(),
        return_code: return_code_for(error),
        partner_code: error.partner_code(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_map_to_payline_codes() {
        let refused = |code| AncvError::Refused {
            operation: "create",
            code,
            message: String::new(),
        };
        assert_eq!(
            return_code_for(&refused(ErrorCode::MerchantNotAllowed)),
            ReturnCode::InvalidContract
        );
        assert_eq!(
            return_code_for(&refused(ErrorCode::BeneficiaryNotFound)),
            ReturnCode::InvalidField
        );
        assert_eq!(
            return_code_for(&refused(ErrorCode::InternalServerError)),
            ReturnCode::InternalError
        );
        let timeout = AncvError::OutcomeUnknown {
            operation: "create",
            detail: String::new(),
        };
        assert_eq!(return_code_for(&timeout), ReturnCode::InternalError);
    }
}
