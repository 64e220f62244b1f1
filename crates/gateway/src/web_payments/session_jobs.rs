//! The session's own background work: expiry at `expires_at`, and the WEBTRS notification to
//! the merchant once the session is final.

use super::model::{WebPaymentError, short};
use super::service::Inner;
use crate::notifications::Notification;
use jobs::{JobFuture, JobHandler, JobOutcome, Lane};
use std::sync::Arc;

/// Subject: the token.
pub const EXPIRY_JOB: &str = "web_payment_expiry";

/// The session's own job handlers: expiry and the WEBTRS notification.
pub(super) fn handlers(inner: &Arc<Inner>) -> Vec<Arc<dyn JobHandler>> {
    vec![
        Arc::new(ExpiryJob(Arc::clone(inner))),
        Arc::new(NotifyJob(Arc::clone(inner))),
    ]
}

impl Inner {
    /// `GET <notificationURL>?notificationType=WEBTRS&token=…`, until a 2xx, the merchant reads
    /// the result, or the retry window closes.
    async fn notify_merchant(&self, token: &str) -> JobOutcome {
        let payment = match self.store.read().await {
            Ok(mut uow) => match uow.web_payments().find(token).await {
                Ok(Some(payment)) => payment,
                Ok(None) => return JobOutcome::Done,
                Err(error) => return JobOutcome::Failed(error.to_string()),
            },
            Err(error) => return JobOutcome::Failed(error.to_string()),
        };
        let Some(url) = payment.request.notification_url.as_deref() else {
            return JobOutcome::Done;
        };
        if payment.merchant_read_at.is_some() {
            tracing::info!(token = %short(token), "merchant already read the result: no notification");
            return JobOutcome::Done;
        }
        let now = self.clock.now();
        let since = payment.finalized_at.unwrap_or(payment.updated_at);
        let logged_as = short(token);
        let notification = Notification {
            url,
            kind: "WEBTRS",
            subject: ("token", token),
            logged_as: &logged_as,
            trying_for_ms: now.millis() - since.millis(),
            pos_id: payment.pos_id,
        };
        self.notifier.send(notification, now).await
    }
}

struct ExpiryJob(Arc<Inner>);

impl JobHandler for ExpiryJob {
    fn kind(&self) -> &'static str {
        EXPIRY_JOB
    }

    fn run<'a>(&'a self, token: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(async move {
            match self.0.modify(token, |_, _| Ok(vec![])).await {
                Ok(snapshot) if !snapshot.payment.session.state.is_final() => {
                    JobOutcome::RunAgainAt(snapshot.payment.session.expires_at)
                }
                Ok(_) | Err(WebPaymentError::UnknownToken) => JobOutcome::Done,
                Err(error) => JobOutcome::Failed(error.to_string()),
            }
        })
    }
}

struct NotifyJob(Arc<Inner>);

impl JobHandler for NotifyJob {
    fn kind(&self) -> &'static str {
        crate::notifications::NOTIFY_JOB
    }

    /// Calls the merchant's URL (up to its read timeout, retried for hours).
    fn lane(&self) -> Lane {
        Lane::Notification
    }

    fn run<'a>(&'a self, token: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(self.0.notify_merchant(token))
    }
}
