//! Background work as rows in the database (`jobs` table), leased by whichever instance gets
//! there first, run by the handler registered for the job's kind, then deleted or rescheduled.
//!
//! Nothing is held in memory between runs: a crash loses at most a lease, which expires and lets
//! another worker take the job. Handlers must therefore be idempotent.
//!
//! The [`Worker`]'s background loop runs several jobs at once in two lanes: jobs that call
//! merchants' URLs (slow, retried for hours) may take at most half of the workers, so the money
//! jobs always have room. A running job's lease is renewed; a handler that panics or keeps
//! failing is retried with a growing delay, and after too many failures in a row it is dead
//! (kept for operators, see `cvgate jobs`).

#![warn(missing_docs)]
#![warn(clippy::too_many_lines)]

mod metrics;
mod worker;

pub use metrics::{JobMetrics, JobRuns, RunOutcome};
pub use worker::{Worker, WorkerConfig};

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

/// Runs the jobs of one kind; registered on a [`Worker`]. Must be idempotent: a job may run twice.
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
