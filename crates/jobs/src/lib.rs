//! Background work as rows in the database (`jobs` table), leased by whichever instance gets
//! there first, run by the handler registered for the job's kind, then deleted or rescheduled.
//!
//! Nothing is held in memory between runs: a crash loses at most a lease, which expires and lets
//! another worker take the job. Handlers must therefore be idempotent.
//!
//! The [`Worker`]'s background loop runs several jobs at once in two lanes: jobs that call
//! merchants' URLs (slow, retried for hours) may take at most half of the workers, so the money
//! jobs always have room, and they start at a steady pace at most (`WorkerConfig::notification_pace`).
//! A running job's lease is renewed; a handler that panics or keeps
//! failing is retried with a growing delay, and after too many failures in a row it is dead
//! (kept for operators, see `cvgate jobs`).

mod handler;
mod metrics;
mod pace;
mod worker;

pub use handler::{JobFuture, JobHandler, JobOutcome, Lane};
pub use metrics::{JobMetrics, JobRuns, RunOutcome};
pub use worker::{Worker, WorkerConfig};
