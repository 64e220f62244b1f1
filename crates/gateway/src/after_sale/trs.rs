//! TRS notifications: the merchant is told when a transaction changes after the sale.

use super::service::{AfterSale, Inner};
use crate::notifications::Notification;
use crate::notifications::TRS_JOB;
use jobs::{JobFuture, JobHandler, JobOutcome, Lane};
use store::StoreError;

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
        let notification = Notification {
            url: &url,
            kind: "TRS",
            subject: ("transactionId", transaction_id),
            logged_as: transaction_id,
            trying_for_ms: self.notifier.trying_for_ms(attempt),
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
