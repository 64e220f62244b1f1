//! Every job handler of web payments, handed to the worker.

use super::service::WebPayments;
use super::{give_back, session_jobs};
use jobs::JobHandler;
use std::sync::Arc;

impl WebPayments {
    /// The handlers of expiry, WEBTRS notification and give-back jobs.
    pub fn job_handlers(&self) -> Vec<Arc<dyn JobHandler>> {
        let mut handlers = session_jobs::handlers(&self.inner);
        handlers.extend(give_back::handlers(&self.inner));
        handlers
    }
}
