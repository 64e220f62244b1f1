//! The outbox of notifications to the merchant (spec §4): a delivery row per notified state
//! change, written in the same unit of work as the change, and the job that will send it. Sending
//! is the delivery service's ([`crate::Sandbox::deliveries`] shows how it went).

use crate::error::SandboxError;
use crate::faults::Faults;
use crate::job_kinds::DELIVERY_JOB;
use crate::model::{self, NotifyUrl};
use crate::record::Txn;
use crate::storage::{self, NewSandboxDelivery};
use domain::clock::Timestamp;
use serde::Serialize;
use store::UnitOfWork;

/// Where a notification's delivery stands (JSON: the lower-case name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Not delivered yet: an attempt is scheduled.
    Pending,
    /// A 2xx came back: finished.
    Delivered,
    /// No 2xx within a day of the change: given up.
    Abandoned,
    /// Never sent: the drop fault was on at the state change.
    Dropped,
}

impl DeliveryStatus {
    const ALL: [DeliveryStatus; 4] = [
        DeliveryStatus::Pending,
        DeliveryStatus::Delivered,
        DeliveryStatus::Abandoned,
        DeliveryStatus::Dropped,
    ];

    /// The name stored and shown: `pending`, `delivered`, `abandoned` or `dropped`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Abandoned => "abandoned",
            DeliveryStatus::Dropped => "dropped",
        }
    }

    pub(crate) fn parse(value: &str) -> Option<DeliveryStatus> {
        DeliveryStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
    }
}

/// Records the notification of `txn`'s current state, if that state is notified, and schedules
/// its first attempt. The body is the envelope as of now, so each state keeps its own.
pub(crate) async fn queue(
    uow: &mut UnitOfWork,
    txn: &Txn,
    faults: &Faults,
    now: Timestamp,
) -> Result<(), SandboxError> {
    let url = match model::notification_url(txn.state) {
        None => return Ok(()),
        Some(NotifyUrl::Return) => &txn.row.return_url,
        Some(NotifyUrl::Cancel) => &txn.row.cancel_url,
    };
    let body = serde_json::to_string(&txn.envelope(now))
        .map_err(|e| SandboxError::Internal(format!("envelope to JSON: {e}")))?;
    let dropped = faults.drop_notifications;
    let first_attempt = now.plus_millis(faults.delay_notifications_ms);
    let status = if dropped {
        DeliveryStatus::Dropped
    } else {
        DeliveryStatus::Pending
    };
    let id = storage::tables(uow)
        .insert_delivery(&NewSandboxDelivery {
            transaction_id: txn.id().to_owned(),
            state: txn.state.as_str().to_owned(),
            url: url.clone(),
            body,
            status: status.as_str().to_owned(),
            duplicate: faults.duplicate_notifications,
            next_attempt_at: (!dropped).then_some(first_attempt),
            created_at: now,
        })
        .await?;
    if dropped {
        tracing::info!(transaction = %txn.id(), state = %txn.state, "notification dropped (fault)");
    } else {
        uow.jobs()
            .enqueue(DELIVERY_JOB, &id.to_string(), first_attempt, now)
            .await?;
    }
    Ok(())
}
