//! Refunding an ANCV Connect payment: a full cancellation at ANCV, once, recorded with the job
//! that finishes it when its outcome is not known.

use super::model::{Operation, OperationAnswer, REFUND_DONE, REFUND_FAILED, REFUND_PENDING};
use super::service::AfterSale;
use super::views::refund_view;
use crate::ancv_payments::AncvPaymentError;
use crate::transaction_ids::{TransactionKind, new_transaction_id};
use domain::ancv_payment::{AncvPayment, AncvPaymentState};
use domain::merchant::MerchantId;
use domain::return_code::ReturnCode;
use jobs::{JobFuture, JobHandler, JobOutcome};
use store::StoreError;
use store::repos::AncvRefundRow;

/// Finishes an ANCV refund whose cancellation outcome is not known yet (subject: refund id).
pub const ANCV_REFUND_JOB: &str = "ancv_refund";
/// When the ANCV refund job first looks at a refund the request path may still be finishing.
const REFUND_RECHECK_MS: i64 = 30_000;
/// The answer to a second refund of the same ANCV transaction.
const ALREADY_REFUNDED: &str = "this ANCV_CONNECT transaction is already refunded";

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

/// The amount an ANCV refund gives back: the whole validated amount (`amount`, when given, must
/// be it), of a payment validated and not cancelled yet; otherwise the code and the message of
/// the refusal.
fn refundable_amount(
    payment: &AncvPayment,
    amount: Option<i64>,
) -> Result<i64, (ReturnCode, String)> {
    let Some(validated) = payment
        .validated_amount
        .filter(|_| payment.state.is_authorized() || payment.state == AncvPaymentState::Cancelled)
    else {
        return Err((
            ReturnCode::NotRemitted,
            "the beneficiary has not validated this ANCV transaction".to_owned(),
        ));
    };
    if amount.is_some_and(|amount| amount != validated) {
        return Err((
            ReturnCode::AmountDiffers,
            format!("an ANCV_CONNECT transaction is refunded in full only ({validated})"),
        ));
    }
    if payment.state == AncvPaymentState::Cancelled {
        return Err((ReturnCode::AmountExceeded, ALREADY_REFUNDED.to_owned()));
    }
    Ok(validated)
}

impl AfterSale {
    /// An ANCV refund or reset: the full validated amount, once, as a cancellation at ANCV. The
    /// refund is recorded (PENDING) with the job that finishes it, then the cancellation is
    /// asked for; a repeat of the same request (its `request_key`) reports that refund.
    pub(super) async fn cancel_ancv(
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
        let validated = match refundable_amount(payment, amount) {
            Ok(validated) => validated,
            Err((code, message)) => return Ok(OperationAnswer::refused(code, message)),
        };
        let refund = match self
            .record_refund(operation, merchant_id, payment, validated, request_key)
            .await?
        {
            Ok(refund) => refund,
            Err(refused) => return Ok(refused),
        };
        let refund = self.finish_refund(refund).await?;
        Ok(refund_answer(&refund, payment))
    }

    /// Records the refund of `validated` (PENDING) with the [`ANCV_REFUND_JOB`] that finishes
    /// it, in a unit of work of its own. A refund of the same payment (or for the same request)
    /// recorded meanwhile wins: `Ok(Err(answer))`, already refunded.
    async fn record_refund(
        &self,
        operation: Operation,
        merchant_id: &MerchantId,
        payment: &AncvPayment,
        validated: i64,
        request_key: Option<String>,
    ) -> Result<Result<AncvRefundRow, OperationAnswer>, StoreError> {
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
                return Ok(Err(OperationAnswer::refused(
                    ReturnCode::AmountExceeded,
                    ALREADY_REFUNDED,
                )));
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
        Ok(Ok(refund))
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
}

pub(super) struct AncvRefundJob(pub(super) AfterSale);

impl JobHandler for AncvRefundJob {
    fn kind(&self) -> &'static str {
        ANCV_REFUND_JOB
    }

    fn run<'a>(&'a self, refund_id: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(self.0.finish_pending_refund(refund_id))
    }
}
