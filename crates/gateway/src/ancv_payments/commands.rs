//! What the page and after-sale ask of a payment: abandon it, read it again now, cancel it.

use super::changes::failed;
use super::model::AncvPaymentError;
use super::service::AncvPayments;
use domain::ancv_payment::{AncvPayment, AncvPaymentState};
use store::StoreError;

impl AncvPayments {
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
}
