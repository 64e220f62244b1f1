//! The merchant's update of a session's amount, order reference and buyer identity from its
//! checkout page (`Payline.Api.updateWebpaymentData`): only where the point of sale allows it,
//! only before any payment attempt, under `doWebPayment`'s rules. The merchant reads the amount
//! back in `getWebPaymentDetails`.

use super::model::{Snapshot, WebPaymentError, too_busy};
use super::service::WebPayments;
use super::session_writes::WRITE_ATTEMPTS;
use domain::web_payment::{DataUpdate, SessionState, WebPayment};
use store::UnitOfWork;

impl WebPayments {
    /// Applies `update` to the session, or says why not.
    pub async fn update_data(
        &self,
        token: &str,
        update: &DataUpdate,
    ) -> Result<Snapshot, WebPaymentError> {
        for _ in 0..WRITE_ATTEMPTS {
            let mut uow = self.inner.store.write().await?;
            let (_, mut payment, now) = self.inner.load(&mut uow, token).await?;
            check_allowed(&mut uow, &payment).await?;
            let all = uow.contracts().list_for(&payment.merchant_id).await?;
            let offered: Vec<_> = all
                .iter()
                .filter(|c| payment.request.offered.contains(&c.number))
                .collect();
            payment.request = payment
                .request
                .updated(update, &offered)
                .map_err(WebPaymentError::Refused)?;
            payment.session.amount = payment.request.amount;
            payment.updated_at = now;
            if !uow.web_payments().save_data_update(&payment).await? {
                continue;
            }
            uow.commit().await?;
            payment.version += 1;
            return self.inner.snapshot_of(payment).await;
        }
        Err(too_busy(token).into())
    }
}

/// Refused unless the point of sale allows updates and nothing was attempted yet (not even an
/// ANCV request that failed at once).
async fn check_allowed(uow: &mut UnitOfWork, payment: &WebPayment) -> Result<(), WebPaymentError> {
    let allowed = uow
        .points_of_sale()
        .find(payment.pos_id)
        .await?
        .is_some_and(|pos| pos.widget_data_updates);
    if !allowed {
        return Err(WebPaymentError::NotAllowed(
            "this point of sale does not let the widget update payment data",
        ));
    }
    let session = &payment.session;
    let untouched = matches!(session.state, SessionState::Created | SessionState::OnPage)
        && session.attempts == 0
        && session.ancv_payment_id.is_none()
        && session.card_transaction_id.is_none()
        && uow
            .ancv_payments()
            .of_session(&payment.token)
            .await?
            .is_empty();
    if !untouched {
        return Err(WebPaymentError::NotAllowed(
            "a payment attempt has started: the payment data can no longer change",
        ));
    }
    Ok(())
}
