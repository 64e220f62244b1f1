//! TRS notifications: the merchant is told when a transaction changes after the sale.

use super::service::{AfterSale, Inner};
use crate::notifications::Notification;
use crate::notifications::TRS_JOB;
use domain::web_payment::WebPayment;
use jobs::{JobFuture, JobHandler, JobOutcome, Lane};
use store::StoreError;

impl Inner {
    /// The web payment session of the sale a transaction belongs to (its notification URL,
    /// its point of sale).
    async fn sale_session(&self, transaction_id: &str) -> Result<Option<WebPayment>, StoreError> {
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
            return Ok(session);
        }
        if let Some(refund) = uow.ancv_refunds().find(transaction_id).await? {
            let session = uow
                .web_payments()
                .find_by_ancv_payment(&refund.payment_id)
                .await?;
            return Ok(session);
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
        self.store.read().await?.web_payments().find(&token).await
    }

    async fn notify_trs(&self, transaction_id: &str, attempt: i64) -> JobOutcome {
        let session = match self.sale_session(transaction_id).await {
            Ok(Some(session)) => session,
            Ok(None) => return JobOutcome::Done,
            Err(error) => return JobOutcome::Failed(error.to_string()),
        };
        let Some(url) = session.request.notification_url else {
            return JobOutcome::Done;
        };
        let notification = Notification {
            url: &url,
            kind: "TRS",
            subject: ("transactionId", transaction_id),
            logged_as: transaction_id,
            trying_for_ms: self.notifier.trying_for_ms(attempt),
            pos_id: session.pos_id,
        };
        self.notifier.send(notification, self.clock.now()).await
    }
}

pub(super) struct TrsJob(pub(super) AfterSale);

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
