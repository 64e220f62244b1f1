//! What a handler is: the trait a kind of job implements, the outcome of one run, and the lane
//! its jobs run in. The worker depends on this; this depends on nothing else in the crate.

use domain::clock::Timestamp;
use std::future::Future;
use std::pin::Pin;

/// The future a [`JobHandler`] returns for one run: it resolves to how the run ended.
pub type JobFuture<'a> = Pin<Box<dyn Future<Output = JobOutcome> + Send + 'a>>;

/// What a handler says when it has run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    /// Nothing more to do.
    Done,
    /// Run again at this time (e.g. the next poll).
    RunAgainAt(Timestamp),
    /// It failed; retried later with a growing delay.
    Failed(String),
}

/// Which share of the workers a kind of job may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lane {
    /// The gateway's own work (ANCV give-back, card reconciliation, expiry, remittance): may
    /// use every worker.
    Money,
    /// Calls to merchants' (or partners') URLs, which may be slow: at most half of the workers.
    Notification,
}

/// Runs the jobs of one kind; registered on a [`Worker`](crate::Worker). Must be idempotent: a
/// job may run twice.
pub trait JobHandler: Send + Sync {
    /// The job kind this handler runs (e.g. `ancv_poll`).
    fn kind(&self) -> &'static str;
    /// Runs the job for `subject`; `attempt` counts leases of this job, starting at 1.
    fn run<'a>(&'a self, subject: &'a str, attempt: i64) -> JobFuture<'a>;
    /// The lane its jobs run in.
    fn lane(&self) -> Lane {
        Lane::Money
    }
}
