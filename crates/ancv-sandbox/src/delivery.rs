//! Notifications to the merchant (spec §4), once queued by the [`crate::outbox`]: each is sent
//! by a job — sealed, outside any database transaction, retried with the configured backoff until
//! a 2xx, abandoned after a day — and what happened is kept for operators and tests.

use crate::error::SandboxError;
use crate::model::State;
use crate::outbox::DeliveryStatus;
use crate::sandbox::Sandbox;
use crate::storage::{self, SandboxDelivery};
use ancv::client::SEAL_HEADER;
use ancv::seal::Operation;
use domain::clock::Timestamp;
use jobs::JobOutcome;
use serde::Serialize;

/// After this long without a 2xx, a delivery is abandoned.
pub const GIVE_UP_AFTER_MS: i64 = 24 * 60 * 60 * 1000;

/// A notification and how its delivery went (for operators and tests).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// The state notified (JSON `state`); the body is the envelope as of that change.
    pub state: State,
    /// Where it goes (`url`): the transaction's `returnUrl` or `cancelUrl`.
    pub url: String,
    /// How far it went (`status`).
    pub status: DeliveryStatus,
    /// Each attempt sends it twice (`duplicate`): the duplicate fault was on at the change.
    pub duplicate: bool,
    /// Attempts made so far (`attempts`).
    pub attempts: i64,
    /// Why the last failed attempt failed (`lastError`): an HTTP status or a transport error.
    pub last_error: Option<String>,
    /// When the next attempt is due (`nextAttemptAt`), RFC 3339 UTC; `None` once finished.
    pub next_attempt_at: Option<String>,
}

impl Delivery {
    fn from_row(row: SandboxDelivery) -> Result<Delivery, SandboxError> {
        let corrupt = || SandboxError::Internal(format!("delivery {} is unreadable", row.id));
        Ok(Delivery {
            state: State::parse(&row.state).ok_or_else(corrupt)?,
            status: DeliveryStatus::parse(&row.status).ok_or_else(corrupt)?,
            url: row.url,
            duplicate: row.duplicate,
            attempts: row.attempts,
            last_error: row.last_error,
            next_attempt_at: row.next_attempt_at.map(Timestamp::to_rfc3339),
        })
    }
}

impl Sandbox {
    /// The notifications of a transaction, in the order of its state changes.
    pub async fn deliveries(&self, transaction_id: &str) -> Result<Vec<Delivery>, SandboxError> {
        let mut uow = self.store().read().await?;
        let rows = storage::tables(&mut uow)
            .deliveries_of(transaction_id)
            .await?;
        uow.rollback().await?;
        rows.into_iter().map(Delivery::from_row).collect()
    }

    /// One attempt of delivery `id` (the delivery job).
    pub(crate) async fn deliver(&self, id: i64) -> Result<JobOutcome, SandboxError> {
        let mut uow = self.store().read().await?;
        let delivery = storage::tables(&mut uow).find_delivery(id).await?;
        uow.rollback().await?;
        let Some(delivery) = delivery else {
            return Ok(JobOutcome::Done);
        };
        if delivery.status != DeliveryStatus::Pending.as_str() {
            return Ok(JobOutcome::Done);
        }
        // No database transaction is open during the call.
        let sent = self.post(&delivery).await;
        let now = self.now();
        let mut uow = self.store().write().await?;
        let Some(mut delivery) = storage::tables(&mut uow).find_delivery(id).await? else {
            return Ok(JobOutcome::Done);
        };
        if delivery.status != DeliveryStatus::Pending.as_str() {
            return Ok(JobOutcome::Done);
        }
        delivery.attempts += 1;
        let outcome = match sent {
            Ok(()) => {
                tracing::info!(transaction = %delivery.transaction_id, state = %delivery.state,
                    attempts = delivery.attempts, "notification delivered");
                finish(&mut delivery, DeliveryStatus::Delivered, None, now);
                JobOutcome::Done
            }
            Err(error) if now.millis() - delivery.created_at.millis() >= GIVE_UP_AFTER_MS => {
                tracing::warn!(transaction = %delivery.transaction_id, state = %delivery.state,
                    attempts = delivery.attempts, %error, "notification abandoned");
                finish(
                    &mut delivery,
                    DeliveryStatus::Abandoned,
                    Some(error.to_string()),
                    now,
                );
                JobOutcome::Done
            }
            Err(error) => {
                let next = now.plus_millis(self.config().retry_delay_ms(delivery.attempts));
                tracing::warn!(transaction = %delivery.transaction_id, state = %delivery.state,
                    attempts = delivery.attempts, %error, "notification failed; will retry");
                delivery.last_error = Some(error.to_string());
                delivery.next_attempt_at = Some(next);
                JobOutcome::RunAgainAt(next)
            }
        };
        storage::tables(&mut uow).update_delivery(&delivery).await?;
        uow.commit().await?;
        Ok(outcome)
    }

    /// Sends the notification (twice with the duplicate fault); a 2xx to either copy counts.
    async fn post(&self, delivery: &SandboxDelivery) -> Result<(), DeliveryFailure> {
        let body: serde_json::Value = serde_json::from_str(&delivery.body)
            .map_err(|e| DeliveryFailure::StoredBody(e.to_string()))?;
        let seal = self
            .config()
            .notification_key
            .seal(&Operation::Notification.fields(&body));
        let copies = if delivery.duplicate { 2 } else { 1 };
        let mut outcome = Err(DeliveryFailure::NotSent);
        for _ in 0..copies {
            let sent = self
                .http()
                .post(&delivery.url)
                .header(SEAL_HEADER, &seal)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(delivery.body.clone())
                .send()
                .await;
            let attempt = match sent {
                Ok(response) if response.status().is_success() => Ok(()),
                Ok(response) => Err(DeliveryFailure::Status(response.status().as_u16())),
                Err(error) => Err(DeliveryFailure::Transport(error.without_url().to_string())),
            };
            if outcome.is_err() {
                outcome = attempt;
            }
        }
        outcome
    }
}

/// Why a notification did not reach the merchant this time (kept as the delivery's last error).
#[derive(Debug, thiserror::Error)]
enum DeliveryFailure {
    /// The stored body is not JSON: it cannot be sealed.
    #[error("stored body is not JSON: {0}")]
    StoredBody(String),
    /// The merchant answered with this non-2xx status.
    #[error("HTTP {0}")]
    Status(u16),
    /// The request failed (connection, timeout), the URL left out.
    #[error("{0}")]
    Transport(String),
    /// No copy was sent.
    #[error("not sent")]
    NotSent,
}

fn finish(
    delivery: &mut SandboxDelivery,
    status: DeliveryStatus,
    error: Option<String>,
    now: Timestamp,
) {
    delivery.status = status.as_str().to_owned();
    delivery.last_error = error;
    delivery.next_attempt_at = None;
    delivery.finished_at = Some(now);
}
