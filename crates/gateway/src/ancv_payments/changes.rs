//! Applying what ANCV says, forward-only, with the observer told in the same unit of work.

use super::model::{AncvPaymentError, return_code_for, state_of};
use super::service::AncvPayments;
use ancv::AncvError;
use ancv::wire::Transaction;
use domain::ancv_payment::{AncvPayment, AncvPaymentState};
use domain::clock::Timestamp;
use store::StoreError;

impl AncvPayments {
    /// Records that ANCV refused (nothing was done there) and says what Payline reports.
    pub(super) async fn refuse(
        &self,
        payment: &AncvPayment,
        error: &AncvError,
    ) -> AncvPaymentError {
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
    pub(super) async fn apply(
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
    pub(super) async fn change(
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
}

pub(super) fn failed(payment: &AncvPayment, error: &AncvError) -> AncvPaymentError {
    AncvPaymentError::Failed {
        payment_id: payment.payment_id.clone(),
        return_code: return_code_for(error),
        partner_code: error.partner_code(),
    }
}
