//! The jobs that follow a payment: the poll (send it, then follow it until ANCV says how the
//! request ended) and the settlement watch (until ANCV pays it or takes it back).

use super::model::{AncvPaymentError, POLL_JOB, REFRESH_JOB, SETTLEMENT_JOB};
use super::service::AncvPayments;
use domain::ancv_payment::{AncvPayment, AncvPaymentState};
use domain::clock::Timestamp;
use jobs::{JobFuture, JobHandler, JobOutcome};
use store::StoreError;

/// How long after `expirationDate` a still-pending transaction is polled at the usual pace, for
/// clocks that differ; after that, every [`LATE_POLL_MS`] until ANCV says how it ended.
const EXPIRY_MARGIN_MS: i64 = 60_000;
const LATE_POLL_MS: i64 = 60_000;
/// An authorized transaction is read again this often until ANCV pays it (or rejects it): its
/// notifications may be lost, and a rejection after authorization must reach the merchant.
const SETTLEMENT_POLL_MS: i64 = 6 * 3_600_000;
/// …for at most this long after it was created.
const SETTLEMENT_FOLLOWED_FOR_MS: i64 = 30 * 24 * 3_600_000;

impl AncvPayments {
    /// The [`POLL_JOB`]: sends a request the request path could not send, then follows the
    /// payment until ANCV says how it ended; an authorized one is handed to the
    /// [`SETTLEMENT_JOB`].
    pub(super) async fn poll(&self, payment_id: &str) -> JobOutcome {
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
    pub(super) fn next_poll_of(&self, payment: &AncvPayment) -> Timestamp {
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

    pub(super) async fn watch_settlement(&self, payment_id: &str) -> Result<(), StoreError> {
        let at = self.inner.clock.now().plus_millis(SETTLEMENT_POLL_MS);
        self.enqueue(SETTLEMENT_JOB, payment_id, at).await
    }

    /// The [`SETTLEMENT_JOB`]: reads an authorized payment until ANCV pays it or takes it back,
    /// for at most [`SETTLEMENT_FOLLOWED_FOR_MS`].
    pub(super) async fn follow_settlement(&self, payment_id: &str) -> JobOutcome {
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

pub(super) struct PollJob(pub(super) AncvPayments);

impl JobHandler for PollJob {
    fn kind(&self) -> &'static str {
        POLL_JOB
    }

    fn run<'a>(&'a self, subject: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(self.0.poll(subject))
    }
}

pub(super) struct SettlementJob(pub(super) AncvPayments);

impl JobHandler for SettlementJob {
    fn kind(&self) -> &'static str {
        SETTLEMENT_JOB
    }

    fn run<'a>(&'a self, subject: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(self.0.follow_settlement(subject))
    }
}

pub(super) struct RefreshJob(pub(super) AncvPayments);

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
