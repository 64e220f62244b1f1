//! Sending a payment to ANCV: record the intent with its poll job, then create the transaction
//! and attach the payer.

use super::changes::failed;
use super::model::{AncvPaymentError, POLL_JOB, StartPayment};
use super::service::AncvPayments;
use crate::transaction_ids::{TransactionKind, new_transaction_id};
use ancv::client::NewTransaction;
use ancv::wire::{Amount, TransactionState};
use domain::ancv_payment::{AncvPayment, AncvPaymentState};
use domain::contract::CardCode;
use store::UnitOfWork;

impl AncvPayments {
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
    pub(super) async fn create(
        &self,
        payment: AncvPayment,
    ) -> Result<AncvPayment, AncvPaymentError> {
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
}
