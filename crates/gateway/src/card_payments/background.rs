//! The card payments' background work: reconciliation of unknown outcomes, operations sent again,
//! the daily remittance.

use super::authorization::next_check;
use super::model::{CardPaymentError, OPERATION_JOB, RECONCILE_JOB, REMITTANCE_JOB};
use super::service::CardPayments;
use jobs::{JobFuture, JobHandler, JobOutcome};
use std::sync::Arc;

impl CardPayments {
    /// The job handlers to register on the worker: reconciliation, operation retries, remittance.
    pub fn job_handlers(&self) -> Vec<Arc<dyn JobHandler>> {
        vec![
            Arc::new(ReconcileJob(self.clone())),
            Arc::new(OperationJob(self.clone())),
            Arc::new(RemittanceJob(self.clone())),
        ]
    }
}

struct ReconcileJob(CardPayments);

impl JobHandler for ReconcileJob {
    fn kind(&self) -> &'static str {
        RECONCILE_JOB
    }

    /// Asks again later while the transaction stays open. (Never enqueues its own kind while
    /// running: that would make the worker run it again at once.)
    fn run<'a>(&'a self, subject: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(async move {
            match self.0.reconcile(subject).await {
                Ok(tx) => match next_check(&tx, self.0.inner.clock.now()) {
                    Some(at) => JobOutcome::RunAgainAt(at),
                    None => JobOutcome::Done,
                },
                Err(CardPaymentError::UnknownTransaction(_)) => JobOutcome::Done,
                Err(error) => JobOutcome::Failed(error.to_string()),
            }
        })
    }
}

struct OperationJob(CardPayments);

impl JobHandler for OperationJob {
    fn kind(&self) -> &'static str {
        OPERATION_JOB
    }

    fn run<'a>(&'a self, subject: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(self.0.retry_operation(subject))
    }
}

struct RemittanceJob(CardPayments);

impl JobHandler for RemittanceJob {
    fn kind(&self) -> &'static str {
        REMITTANCE_JOB
    }

    /// Remits, then comes back at the next `remittance_time`; a failure is retried with the
    /// worker's backoff.
    fn run<'a>(&'a self, _subject: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(async move {
            let now = self.0.inner.clock.now();
            match self.0.remit(now).await {
                Ok(_) => JobOutcome::RunAgainAt(self.0.inner.config.remittance_time.next_run(now)),
                Err(error) => JobOutcome::Failed(error.to_string()),
            }
        })
    }
}
