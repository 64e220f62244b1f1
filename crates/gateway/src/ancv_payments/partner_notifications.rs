//! ANCV's notifications: a sealed hint that a transaction changed, followed by reading its status.

use super::model::{NotificationRejected, REFRESH_JOB};
use super::service::AncvPayments;
use ancv::seal::Operation;

impl AncvPayments {
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
}
