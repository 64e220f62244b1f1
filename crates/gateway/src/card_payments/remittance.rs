//! The daily remittance: every captured transaction not remitted yet, sent to the acquirer's
//! batch; cvgate's view then follows the acquirer's.

use super::model::{
    CardPaymentError, RECONCILE_DELAY_MS, REMITTANCE_BATCH, REMITTANCE_JOB, REMITTANCE_SUBJECT,
    RemittanceReport,
};
use super::service::CardPayments;
use domain::clock::Timestamp;
use std::collections::HashSet;
use store::StoreError;

impl CardPayments {
    /// Remits every accepted transaction captured and not remitted yet: the acquirer's batch,
    /// then cvgate's view. Safe to run again (or concurrently): the acquirer reports already
    /// remitted transactions as they are.
    pub async fn remit(&self, now: Timestamp) -> Result<RemittanceReport, CardPaymentError> {
        let mut report = RemittanceReport::default();
        let mut sent: HashSet<String> = HashSet::new();
        loop {
            let rows = {
                let mut uow = self.inner.store.read().await?;
                uow.card_transactions().to_remit(REMITTANCE_BATCH).await?
            };
            // Stops when everything left was sent once already (the acquirer would not remit it).
            let references: Vec<String> = rows
                .into_iter()
                .map(|row| row.id)
                .filter(|id| sent.insert(id.clone()))
                .collect();
            if references.is_empty() {
                break;
            }
            let remitted = match self.inner.acquirer.remit(&references).await {
                Ok(remitted) => remitted,
                Err(error) => {
                    // The batch may have been made: run it again soon to learn what was remitted.
                    self.enqueue(
                        REMITTANCE_JOB,
                        REMITTANCE_SUBJECT,
                        now.plus_millis(RECONCILE_DELAY_MS),
                    )
                    .await?;
                    return Err(CardPaymentError::Acquirer(error));
                }
            };
            for transaction in remitted {
                let Some(balances) = transaction.balances else {
                    tracing::warn!(transaction_id = %transaction.reference, "the acquirer does not know a captured transaction");
                    continue;
                };
                let before = self
                    .find(&transaction.reference)
                    .await?
                    .and_then(|tx| tx.balances);
                self.save_balances(&transaction.reference, balances, None, now)
                    .await?;
                if balances.remitted_at.is_some() && before.is_some_and(|b| b.remitted_at.is_none())
                {
                    report.remitted.push(transaction.reference);
                }
            }
        }
        tracing::info!(remitted = report.remitted.len(), "card remittance done");
        Ok(report)
    }

    /// Makes sure the daily remittance job is scheduled (at the next `remittance_time`); returns
    /// when it runs next. Call once at startup.
    pub async fn schedule_remittance(&self) -> Result<Timestamp, StoreError> {
        let at = self
            .inner
            .config
            .remittance_time
            .next_run(self.inner.clock.now());
        self.enqueue(REMITTANCE_JOB, REMITTANCE_SUBJECT, at).await?;
        Ok(at)
    }
}
