//! ANCV Connect payments, cvgate's side: start one (create + attach the payer), follow it
//! (notifications as hints, then GET status; a poll job while it is pending), cancel it.
//!
//! Every step persists before calling ANCV and applies the answer after, in short units of work;
//! no database transaction is open during an HTTP call. Answers are applied forward-only (see
//! [`AncvPaymentState::may_become`]), so duplicates and stale news change nothing.

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
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock, Weak};
use store::{Store, StoreError};
use tokio::sync::Notify;

/// Told about every change of an ANCV payment (the web payment session it belongs to reacts).
pub trait AncvPaymentObserver: Send + Sync {
    fn changed<'a>(
        &'a self,
        payment: &'a AncvPayment,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>>;
}

/// Job kinds.
pub const POLL_JOB: &str = "ancv_poll";
pub const REFRESH_JOB: &str = "ancv_refresh";

/// How long after `expirationDate` a still-pending transaction is polled, for clocks that differ.
const EXPIRY_MARGIN_MS: i64 = 60_000;

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

    async fn notify_observer(&self, payment: &AncvPayment) {
        if let Some(observer) = self.inner.observer.get().and_then(Weak::upgrade) {
            observer.changed(payment).await;
        }
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

    /// Creates the ANCV transaction and sends the request to the beneficiary's app: [`Self::request`]
    /// then [`Self::submit`]. Returns the payment, usually PROCESSING (REJECTED for a blocked
    /// account).
    pub async fn start(&self, request: StartPayment) -> Result<AncvPayment, AncvPaymentError> {
        let payment = self.request(request).await?;
        self.submit(&payment.payment_id).await
    }

    /// Records the intent (state REQUESTED), so that whoever needs the payment id can link it
    /// before anything happens at ANCV.
    pub async fn request(&self, request: StartPayment) -> Result<AncvPayment, AncvPaymentError> {
        let Some(shop_id) = request.contract.shop_id().map(|s| s.as_str().to_owned()) else {
            return Err(AncvPaymentError::NotAncvContract(
                request.contract.number.to_string(),
            ));
        };
        if request.contract.card_code != CardCode::AncvConnect {
            return Err(AncvPaymentError::NotAncvContract(
                request.contract.number.to_string(),
            ));
        }
        Ok(self.insert_requested(&request, shop_id).await?)
    }

    /// Creates the requested transaction at ANCV and attaches the payer.
    pub async fn submit(&self, payment_id: &str) -> Result<AncvPayment, AncvPaymentError> {
        let payment = self
            .find(payment_id)
            .await?
            .ok_or_else(|| AncvPaymentError::UnknownPayment(payment_id.to_owned()))?;
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
            // Safe to repeat: ANCV returns the same transaction for the same paymentId and shop.
            Err(error) if !error.certainly_not_done() => self.inner.client.create(&new).await,
            outcome => outcome,
        };
        let created = match created {
            Ok(transaction) => transaction,
            Err(error) => return Err(self.refuse(&payment, &error).await),
        };
        let payment = self.apply(&payment.payment_id, &created, "create").await?;
        let attached = match self
            .inner
            .client
            .attach_payer(
                &created.id,
                &payment.beneficiary_id,
                Amount {
                    total: payment.amount,
                    currency: payment.currency.code(),
                },
            )
            .await
        {
            Ok(transaction) => transaction,
            Err(error) if error.certainly_not_done() => {
                return Err(self.refuse(&payment, &error).await);
            }
            // Unknown outcome: the payer may be attached. Attaching again would be refused
            // (OPERATION_TRANSACTION_NOT_ALLOWED), so ask instead; the poll finishes the job.
            Err(error) => {
                tracing::warn!(payment_id = %payment.payment_id, %error, "payer outcome unknown; reconciling with status");
                self.schedule_poll(&payment.payment_id, self.inner.clock.now())
                    .await?;
                return match self.inner.client.status(&created.id).await {
                    Ok(transaction) => Ok(self
                        .apply(&payment.payment_id, &transaction, "status")
                        .await?),
                    Err(_) => Ok(payment),
                };
            }
        };
        let payment = self.apply(&payment.payment_id, &attached, "payer").await?;
        if payment.state.is_pending() {
            self.schedule_poll(&payment.payment_id, self.next_poll())
                .await?;
        }
        Ok(payment)
    }

    /// Reads the transaction at ANCV and applies what it says.
    pub async fn refresh(
        &self,
        payment_id: &str,
        source: &str,
    ) -> Result<AncvPayment, AncvPaymentError> {
        let payment = self
            .find(payment_id)
            .await?
            .ok_or_else(|| AncvPaymentError::UnknownPayment(payment_id.to_owned()))?;
        let Some(ancv_id) = payment.ancv_id.clone() else {
            return Ok(payment);
        };
        match self.inner.client.status(&ancv_id).await {
            Ok(transaction) => Ok(self.apply(payment_id, &transaction, source).await?),
            Err(error) => Err(failed(&payment, &error)),
        }
    }

    /// Cancels the ANCV transaction (the vouchers go back to the beneficiary). A timeout is
    /// resolved with GET status: CANCELLED there means it worked.
    pub async fn cancel(&self, payment_id: &str) -> Result<AncvPayment, AncvPaymentError> {
        let payment = self
            .find(payment_id)
            .await?
            .ok_or_else(|| AncvPaymentError::UnknownPayment(payment_id.to_owned()))?;
        let Some(ancv_id) = payment.ancv_id.clone() else {
            return Ok(payment);
        };
        match self.inner.client.cancel(&ancv_id).await {
            Ok(transaction) => Ok(self.apply(payment_id, &transaction, "cancellation").await?),
            Err(error) if error.certainly_not_done() => Err(failed(&payment, &error)),
            Err(error) => {
                tracing::warn!(payment_id, %error, "cancellation outcome unknown; reading the status");
                let transaction = self
                    .inner
                    .client
                    .status(&ancv_id)
                    .await
                    .map_err(|e| failed(&payment, &e))?;
                let payment = self.apply(payment_id, &transaction, "status").await?;
                if payment.state == AncvPaymentState::Cancelled {
                    Ok(payment)
                } else {
                    Err(failed(&payment, &error))
                }
            }
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
        ]
    }

    async fn insert_requested(
        &self,
        request: &StartPayment,
        shop_id: String,
    ) -> Result<AncvPayment, StoreError> {
        let now = self.inner.clock.now();
        let mut uow = self.inner.store.write().await?;
        let payment_id = new_transaction_id(
            &mut uow,
            self.inner.random.as_ref(),
            TransactionKind::AncvPayment,
            &request.merchant_id,
            now,
        )
        .await?;
        let payment = AncvPayment {
            payment_id,
            merchant_id: request.merchant_id.clone(),
            contract_number: request.contract.number.clone(),
            shop_id,
            order_ref: request.order_ref.clone(),
            label: request.label.clone(),
            amount: request.amount,
            currency: request.contract.currency,
            beneficiary_id: request.beneficiary_id.clone(),
            ancv_id: None,
            state: AncvPaymentState::Requested,
            validated_amount: None,
            authorization_number: None,
            holder: None,
            partner_code: None,
            expires_at: None,
            created_at: now,
            updated_at: now,
        };
        uow.ancv_payments().insert(&payment).await?;
        uow.ancv_payments()
            .record_event(&payment.payment_id, payment.state, "request", now)
            .await?;
        uow.commit().await?;
        Ok(payment)
    }

    /// Records that ANCV refused (or could not be reached) and says what Payline reports.
    async fn refuse(&self, payment: &AncvPayment, error: &AncvError) -> AncvPaymentError {
        let outcome = failed(payment, error);
        if error.certainly_not_done() {
            let mut refused = payment.clone();
            refused.state = AncvPaymentState::Refused;
            refused.partner_code = Some(error.partner_code());
            refused.updated_at = self.inner.clock.now();
            match self.save_if(payment.state, &refused, "refused").await {
                Ok(true) => self.notify_observer(&refused).await,
                Ok(false) => {}
                Err(store_error) => return store_error.into(),
            }
        }
        outcome
    }

    /// Applies ANCV's view of the transaction, forward-only, retrying if a concurrent applier
    /// moved the row meanwhile.
    async fn apply(
        &self,
        payment_id: &str,
        transaction: &Transaction,
        source: &str,
    ) -> Result<AncvPayment, StoreError> {
        for _ in 0..5 {
            let current = self.find(payment_id).await?.ok_or_else(|| {
                StoreError::corrupt("ancv_payments", format!("payment {payment_id} vanished"))
            })?;
            let observed = state_of(transaction.state);
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
            if current.state.may_become(observed) {
                next.state = observed;
                next.partner_code = Some(transaction.state.as_str().to_owned());
            }
            if next == current {
                return Ok(current);
            }
            next.updated_at = self.inner.clock.now();
            if self.save_if(current.state, &next, source).await? {
                tracing::info!(payment_id, from = %current.state, to = %next.state, source, "ANCV payment updated");
                if next.state != current.state {
                    self.notify_observer(&next).await;
                }
                return Ok(next);
            }
        }
        Err(StoreError::corrupt(
            "ancv_payments",
            format!("payment {payment_id} keeps changing under its appliers"),
        ))
    }

    async fn save_if(
        &self,
        expected: AncvPaymentState,
        next: &AncvPayment,
        source: &str,
    ) -> Result<bool, StoreError> {
        let mut uow = self.inner.store.write().await?;
        if !uow.ancv_payments().update_from(expected, next).await? {
            return Ok(false);
        }
        // ANCV's status shows only where the transaction is now: the states it went through on
        // the way (CONSIGNED between VALIDATED and PAID) are recorded as inferred.
        for skipped in expected.skipped_on_the_way_to(next.state) {
            uow.ancv_payments()
                .record_event(&next.payment_id, skipped, "inferred", next.updated_at)
                .await?;
        }
        uow.ancv_payments()
            .record_event(&next.payment_id, next.state, source, next.updated_at)
            .await?;
        uow.commit().await?;
        Ok(true)
    }

    fn next_poll(&self) -> Timestamp {
        self.inner
            .clock
            .now()
            .plus_millis(self.inner.poll_interval_ms)
    }

    async fn schedule_poll(&self, payment_id: &str, at: Timestamp) -> Result<(), StoreError> {
        self.enqueue(POLL_JOB, payment_id, at).await
    }

    async fn enqueue(&self, kind: &str, payment_id: &str, at: Timestamp) -> Result<(), StoreError> {
        let now = self.inner.clock.now();
        let mut uow = self.inner.store.write().await?;
        uow.jobs().enqueue(kind, payment_id, at, now).await?;
        uow.commit().await?;
        if let Some(wake) = self.inner.wake_worker.get() {
            wake.notify_one();
        }
        Ok(())
    }

    /// One poll: while pending and not long expired, read the status and come back later.
    async fn poll(&self, payment_id: &str) -> JobOutcome {
        let payment = match self.find(payment_id).await {
            Ok(Some(payment)) => payment,
            Ok(None) => return JobOutcome::Done,
            Err(error) => return JobOutcome::Failed(error.to_string()),
        };
        if !payment.state.is_pending() {
            return JobOutcome::Done;
        }
        let now = self.inner.clock.now();
        let long_expired = payment
            .expires_at
            .is_some_and(|at| now > at.plus_millis(EXPIRY_MARGIN_MS));
        match self.refresh(payment_id, "poll").await {
            Ok(payment) if payment.state.is_pending() && !long_expired => {
                JobOutcome::RunAgainAt(self.next_poll())
            }
            Ok(payment) => {
                if payment.state.is_pending() {
                    tracing::warn!(payment_id, state = %payment.state, "ANCV payment still pending long after its expiry; polling stops");
                }
                JobOutcome::Done
            }
            Err(error) if long_expired => {
                tracing::warn!(payment_id, %error, "last poll of an expired ANCV payment failed; polling stops");
                JobOutcome::Done
            }
            Err(error) => {
                tracing::warn!(payment_id, %error, "ANCV poll failed; trying again at the next interval");
                JobOutcome::RunAgainAt(self.next_poll())
            }
        }
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
