//! Every job handler of ANCV payments, handed to the worker.

use super::background::{PollJob, RefreshJob, SettlementJob};
use super::service::AncvPayments;
use jobs::JobHandler;
use std::sync::Arc;

impl AncvPayments {
    /// The handlers of the ANCV payment jobs ([`super::POLL_JOB`], [`super::REFRESH_JOB`],
    /// [`super::SETTLEMENT_JOB`]).
    pub fn job_handlers(&self) -> Vec<Arc<dyn JobHandler>> {
        vec![
            Arc::new(PollJob(self.clone())),
            Arc::new(RefreshJob(self.clone())),
            Arc::new(SettlementJob(self.clone())),
        ]
    }
}
