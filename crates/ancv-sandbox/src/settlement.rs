//! Settlement (spec §3): VALIDATED transactions go into ANCV's remittance to the merchant
//! (CONSIGNED), then ANCV pays (PAID). Triggered by the admin API or the CLI.

use crate::error::SandboxError;
use crate::model::{self, SettleUntil, State};
use crate::sandbox::Sandbox;
use crate::storage;
use serde::Serialize;

/// A transaction a settlement moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Settled {
    /// The ANCV transaction id (JSON `transactionId`).
    pub transaction_id: String,
    /// The merchant's shop (`merchant.shopId`).
    pub shop_id: String,
    /// The merchant's payment reference (`order.paymentId`: cvgate's transaction id).
    pub payment_id: String,
    /// The validated amount, in cents.
    pub amount: i64,
    /// The states it went through, in order (e.g. CONSIGNED, PAID).
    pub states: Vec<State>,
}

impl Sandbox {
    /// Moves every VALIDATED transaction through CONSIGNED to PAID (deferred captures whose date
    /// has come are captured first), in one unit of work; returns what moved.
    pub async fn settle(&self) -> Result<Vec<Settled>, SandboxError> {
        self.settle_until(SettleUntil::Paid).await
    }

    /// [`Sandbox::settle`], stopping at CONSIGNED when asked (to rehearse a refund of a
    /// consigned transaction); a later full settlement pays the consigned ones.
    pub async fn settle_until(&self, until: SettleUntil) -> Result<Vec<Settled>, SandboxError> {
        let now = self.now();
        let mut uow = self.store().write().await?;
        let ids = storage::tables(&mut uow)
            .settleable_transaction_ids(now)
            .await?;
        let mut settled = Vec::new();
        for id in ids {
            let Some(mut txn) = self.load_current(&mut uow, &id, now).await? else {
                continue;
            };
            let mut states = Vec::new();
            while let Some(event) = model::settlement_event(txn.state, until) {
                self.apply(&mut uow, &mut txn, event, now).await?;
                states.push(txn.state);
            }
            if !states.is_empty() {
                settled.push(Settled {
                    transaction_id: txn.row.id.clone(),
                    shop_id: txn.row.shop_id.clone(),
                    payment_id: txn.row.payment_id.clone(),
                    amount: txn.row.validated_amount.unwrap_or_default(),
                    states,
                });
            }
        }
        self.commit(uow).await?;
        tracing::info!(moved = settled.len(), "ANCV sandbox settlement");
        Ok(settled)
    }
}
