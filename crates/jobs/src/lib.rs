//! Background work as rows in the database (`jobs` table), leased by whichever instance gets
//! there first, run by the handler registered for the job's kind, then deleted or rescheduled.
//!
//! Nothing is held in memory between runs: a crash loses at most a lease, which expires and lets
//! another worker take the job. Handlers must therefore be idempotent.

use domain::clock::{Clock, Timestamp};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use store::{Store, StoreError};
use tokio::sync::Notify;

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

pub trait JobHandler: Send + Sync {
    /// The job kind this handler runs (e.g. `ancv_poll`).
    fn kind(&self) -> &'static str;
    /// Runs the job for `subject`; `attempt` counts leases of this job, starting at 1.
    fn run<'a>(&'a self, subject: &'a str, attempt: i64) -> JobFuture<'a>;
}

/// Delays between retries of a failing job.
const RETRY_DELAYS_MS: [i64; 5] = [1_000, 5_000, 30_000, 60_000, 300_000];

/// How long a leased job stays ours; a handler must finish well within it.
const LEASE_MS: i64 = 60_000;

#[derive(Clone)]
pub struct Worker {
    store: Store,
    clock: Arc<dyn Clock>,
    handlers: HashMap<&'static str, Arc<dyn JobHandler>>,
    wake: Arc<Notify>,
}

impl Worker {
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Worker {
        Worker {
            store,
            clock,
            handlers: HashMap::new(),
            wake: Arc::new(Notify::new()),
        }
    }

    pub fn register(&mut self, handler: Arc<dyn JobHandler>) {
        self.handlers.insert(handler.kind(), handler);
    }

    /// Code that enqueues a job due now calls `notify_one` on this so the loop runs at once.
    pub fn wake_handle(&self) -> Arc<Notify> {
        Arc::clone(&self.wake)
    }

    fn kinds(&self) -> Vec<&'static str> {
        let mut kinds: Vec<&'static str> = self.handlers.keys().copied().collect();
        kinds.sort_unstable();
        kinds
    }

    /// Runs every job that is due now, one after the other; returns how many ran. Tests call
    /// this instead of waiting for the background loop.
    pub async fn run_due(&self) -> Result<usize, StoreError> {
        let kinds = self.kinds();
        let mut ran = 0;
        loop {
            let now = self.clock.now();
            let mut uow = self.store.write().await?;
            let leased = uow
                .jobs()
                .lease_due(&kinds, now, now.plus_millis(LEASE_MS))
                .await?;
            uow.commit().await?;
            let Some(job) = leased else { return Ok(ran) };
            ran += 1;
            let handler = Arc::clone(&self.handlers[job.kind.as_str()]);
            let outcome = handler.run(&job.subject, job.attempts).await;
            // Never again "now": a handler asking for an immediate rerun would spin.
            let later = |at: Timestamp| at.max(self.clock.now().plus_millis(1));
            let mut uow = self.store.write().await?;
            let kept = match &outcome {
                JobOutcome::Done => uow.jobs().complete(&job).await?,
                JobOutcome::RunAgainAt(at) => uow.jobs().reschedule(&job, later(*at), None).await?,
                JobOutcome::Failed(error) => {
                    let index = usize::try_from(job.attempts - 1)
                        .unwrap_or(0)
                        .min(RETRY_DELAYS_MS.len() - 1);
                    let retry_at = self.clock.now().plus_millis(RETRY_DELAYS_MS[index]);
                    tracing::warn!(kind = %job.kind, subject = %job.subject, attempt = job.attempts, %error, "job failed; will retry");
                    uow.jobs()
                        .reschedule(&job, later(retry_at), Some(error))
                        .await?
                }
            };
            uow.commit().await?;
            if !kept {
                tracing::warn!(kind = %job.kind, subject = %job.subject, "job lease lost before it finished");
            }
        }
    }

    /// The background loop: runs due jobs, then sleeps until the next one is due (at most
    /// `idle`), or until woken, or until `shutdown` completes.
    pub async fn run(self, idle: Duration, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let kinds = self.kinds();
        loop {
            if let Err(error) = self.run_due().await {
                tracing::error!(%error, "background jobs: cannot reach the database");
            }
            let pause = match self.next_due_in(&kinds).await {
                Some(due_in) => due_in.min(idle),
                None => idle,
            };
            tokio::select! {
                () = &mut shutdown => return,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    async fn next_due_in(&self, kinds: &[&str]) -> Option<Duration> {
        let mut uow = self.store.read().await.ok()?;
        let next = uow.jobs().next_run_at(kinds).await.ok()??;
        let millis = (next.millis() - self.clock.now().millis()).max(0);
        Some(Duration::from_millis(u64::try_from(millis).unwrap_or(0)))
    }
}
