//! The after-sale jobs, handed to the worker: TRS notifications and ANCV refunds to finish.

use super::ancv_refunds::AncvRefundJob;
use super::service::AfterSale;
use super::trs::TrsJob;
use jobs::JobHandler;
use std::sync::Arc;

impl AfterSale {
    /// The handlers of the after-sale jobs ([`super::TRS_JOB`], [`super::ANCV_REFUND_JOB`]).
    pub fn job_handlers(&self) -> Vec<Arc<dyn JobHandler>> {
        vec![
            Arc::new(TrsJob(self.clone())),
            Arc::new(AncvRefundJob(self.clone())),
        ]
    }
}
