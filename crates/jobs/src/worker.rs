//! The worker: leases due jobs, runs their handlers (several at once in the background loop, one
//! at a time in [`Worker::run_due`]), renews their leases meanwhile, and records how they ended.

use crate::handler::{JobHandler, JobOutcome, Lane};
use crate::metrics::{JobMetrics, RunOutcome};
use crate::pace::Pace;
use domain::clock::{Clock, Timestamp};
use domain::random::{OsRandom, Random};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use store::repos::LeasedJob;
use store::{Store, StoreError};
use tokio::sync::Notify;
use tokio::task::{Id, JoinError, JoinSet};
use tokio::time::Instant;

/// Delays between retries of a failing job, by its count of consecutive failures.
const RETRY_DELAYS_MS: [i64; 5] = [1_000, 5_000, 30_000, 60_000, 300_000];

/// How a [`Worker`] runs jobs: concurrency, failure limit, lease length and renewal.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// How many jobs the background loop runs at once (at least 2, so that notifications never
    /// take every worker). At most `max(1, workers / 2)` of them are notifications.
    pub workers: usize,
    /// After this many failures in a row a job is dead: never leased again until retried.
    pub max_failures: i64,
    /// How long a lease lasts, in the injected clock's time.
    pub lease: Duration,
    /// How often a running job's lease is renewed, in real time (a third of the lease by
    /// default, so that two renewals may fail before it expires).
    pub renew_every: Duration,
    /// The least real time between the starts of two merchant notifications (`None`: as fast
    /// as their lane allows), so that a backlog of them never slows the payments.
    pub notification_pace: Option<Duration>,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            workers: 4,
            max_failures: 10,
            lease: Duration::from_secs(60),
            renew_every: Duration::from_secs(20),
            notification_pace: None,
        }
    }
}

impl WorkerConfig {
    fn workers(&self) -> usize {
        self.workers.max(2)
    }

    fn notification_slots(&self) -> usize {
        (self.workers() / 2).max(1)
    }

    fn lease_ms(&self) -> i64 {
        i64::try_from(self.lease.as_millis()).unwrap_or(i64::MAX)
    }
}

/// Leases due jobs from the store and runs them with the handler registered for their kind.
#[derive(Clone)]
pub struct Worker {
    store: Store,
    clock: Arc<dyn Clock>,
    handlers: HashMap<&'static str, Arc<dyn JobHandler>>,
    wake: Arc<Notify>,
    config: WorkerConfig,
    metrics: Arc<JobMetrics>,
}

/// Aborts a task when dropped.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// How the handler's run ended, before it is written down.
enum Ran {
    Returned(JobOutcome),
    Panicked(String),
}

impl Worker {
    /// A worker without handlers, with the default config; `clock` times leases and retries.
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Worker {
        Worker {
            store,
            clock,
            handlers: HashMap::new(),
            wake: Arc::new(Notify::new()),
            config: WorkerConfig::default(),
            metrics: Arc::new(JobMetrics::default()),
        }
    }

    /// The same worker with `config` instead of the default.
    pub fn with_config(self, config: WorkerConfig) -> Worker {
        Worker { config, ..self }
    }

    /// Runs `handler` for jobs of its kind (replacing any handler of that kind), counted from 0.
    pub fn register(&mut self, handler: Arc<dyn JobHandler>) {
        self.metrics.register_kind(handler.kind());
        self.handlers.insert(handler.kind(), handler);
    }

    /// Code that enqueues a job due now calls `notify_one` on this so the loop runs at once.
    pub fn wake_handle(&self) -> Arc<Notify> {
        Arc::clone(&self.wake)
    }

    /// The run counters, for `/metrics`.
    pub fn metrics(&self) -> Arc<JobMetrics> {
        Arc::clone(&self.metrics)
    }

    /// The registered kinds whose lane `has_room` (sorted, so leasing is deterministic).
    fn kinds_where(&self, has_room: impl Fn(Lane) -> bool) -> Vec<&'static str> {
        let mut kinds: Vec<&'static str> = self
            .handlers
            .iter()
            .filter(|(_, handler)| has_room(handler.lane()))
            .map(|(kind, _)| *kind)
            .collect();
        kinds.sort_unstable();
        kinds
    }

    /// Runs every job that is due now, one after the other, most overdue first; returns how
    /// many ran. Tests and simulations call this instead of waiting for the background loop.
    pub async fn run_due(&self) -> Result<usize, StoreError> {
        let kinds = self.kinds_where(|_| true);
        let mut ran = 0;
        while let Some(job) = self.lease(&kinds).await? {
            ran += 1;
            self.run_leased(job).await?;
        }
        Ok(ran)
    }

    /// Leases the most overdue job of one of `kinds`, under a token of its own.
    async fn lease(&self, kinds: &[&str]) -> Result<Option<LeasedJob>, StoreError> {
        let now = self.clock.now();
        let token = OsRandom.hex(16);
        let mut uow = self.store.write().await?;
        let job = uow
            .jobs()
            .lease_due(kinds, now, now.plus_millis(self.config.lease_ms()), &token)
            .await?;
        uow.commit().await?;
        Ok(job)
    }

    /// Runs one leased job to its end and writes down how it went: the one path of every job,
    /// in the loop and in [`Worker::run_due`].
    async fn run_leased(&self, job: LeasedJob) -> Result<(), StoreError> {
        let ran = self.run_handler(&job).await;
        self.settle(&job, ran).await
    }

    /// Runs the handler in a task of its own, so that a panic ends that task only, and renews
    /// the lease while it runs. Dropping this future aborts the task: whoever stops waiting for
    /// a job (a shutdown, a simulated crash) stops the job too, as a dead process would.
    async fn run_handler(&self, job: &LeasedJob) -> Ran {
        let handler = Arc::clone(&self.handlers[job.kind.as_str()]);
        let (subject, attempt) = (job.subject.clone(), job.attempts);
        let mut run = tokio::spawn(async move { handler.run(&subject, attempt).await });
        let _abort_on_drop = AbortOnDrop(run.abort_handle());
        let every = self.config.renew_every;
        let mut renewals = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        renewals.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut held = true;
        loop {
            tokio::select! {
                joined = &mut run => return ran_from(joined),
                _ = renewals.tick(), if held => held = self.renew(job).await,
            }
        }
    }

    /// Extends the lease from the clock's now; false once it is lost (no use renewing it then).
    async fn renew(&self, job: &LeasedJob) -> bool {
        let until = self.clock.now().plus_millis(self.config.lease_ms());
        let renewed = async {
            let mut uow = self.store.write().await?;
            let held = uow.jobs().renew(job, until).await?;
            uow.commit().await?;
            Ok::<bool, StoreError>(held)
        };
        match renewed.await {
            Ok(true) => true,
            Ok(false) => {
                tracing::warn!(job_id = job.id, kind = %job.kind, "job lease lost while it runs: another worker may run it too");
                false
            }
            Err(error) => {
                // Maybe still ours: the next tick tries again.
                tracing::warn!(job_id = job.id, kind = %job.kind, %error, "cannot renew a job's lease");
                true
            }
        }
    }

    /// Counts the run and writes its outcome, if the lease is still ours.
    async fn settle(&self, job: &LeasedJob, ran: Ran) -> Result<(), StoreError> {
        let (outcome, counted) = match ran {
            Ran::Returned(outcome) => {
                let counted = counted_as(&outcome);
                (outcome, counted)
            }
            Ran::Panicked(message) => {
                tracing::error!(job_id = job.id, kind = %job.kind, panic = %message, "job handler panicked");
                (
                    JobOutcome::Failed(format!("panicked: {message}")),
                    RunOutcome::Panicked,
                )
            }
        };
        self.metrics.record(&job.kind, counted);
        let mut uow = self.store.write().await?;
        let kept = match outcome {
            JobOutcome::Done => uow.jobs().complete(job).await?,
            JobOutcome::RunAgainAt(at) => uow.jobs().reschedule(job, self.later(at)).await?,
            JobOutcome::Failed(error) => self.record_failure(&mut uow, job, &error).await?,
        };
        uow.commit().await?;
        if !kept {
            tracing::warn!(job_id = job.id, kind = %job.kind, "job lease lost before it finished: its outcome is dropped");
        }
        Ok(())
    }

    /// Retries a failed job after a delay growing with its failures, or lets it die. False when
    /// the lease was lost.
    async fn record_failure(
        &self,
        uow: &mut store::UnitOfWork,
        job: &LeasedJob,
        error: &str,
    ) -> Result<bool, StoreError> {
        let index = usize::try_from(job.failures)
            .unwrap_or(0)
            .min(RETRY_DELAYS_MS.len() - 1);
        let now = self.clock.now();
        let retry_at = self.later(now.plus_millis(RETRY_DELAYS_MS[index]));
        let recorded = uow
            .jobs()
            .record_failure(job, retry_at, error, self.config.max_failures, now)
            .await?;
        match recorded {
            Some(failure) if failure.dead => {
                tracing::error!(job_id = job.id, kind = %job.kind, failures = failure.failures, %error, "job failed too many times: dead until retried (cvgate jobs retry)");
            }
            Some(failure) => {
                tracing::warn!(job_id = job.id, kind = %job.kind, failures = failure.failures, %error, "job failed; will retry");
            }
            None => {}
        }
        Ok(recorded.is_some())
    }

    /// Never again "now": a handler asking for an immediate rerun would spin.
    fn later(&self, at: Timestamp) -> Timestamp {
        at.max(self.clock.now().plus_millis(1))
    }

    /// The background loop: keeps up to `workers` jobs running (lanes permitting), and between
    /// them sleeps until the next one is due (at most `idle`), a job ends, it is woken, or
    /// `shutdown` completes; then it lets the running jobs finish.
    pub async fn run(self, idle: Duration, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut running = Running {
            pace: Pace::every(self.config.notification_pace),
            ..Running::default()
        };
        let worker = Arc::new(self);
        loop {
            worker.start_due_jobs(&mut running).await;
            let kinds = worker.kinds_with_room(running.busy());
            // With every lane full, only the end of a job (or a stop) can give work to do.
            let pause = if kinds.is_empty() {
                None
            } else {
                let due_in = worker.next_due_in(&kinds).await;
                let paced = running.pace.wait(Instant::now());
                Some(
                    [due_in, paced, Some(idle)]
                        .into_iter()
                        .flatten()
                        .min()
                        .unwrap_or(idle),
                )
            };
            tokio::select! {
                () = &mut shutdown => break,
                () = worker.wake.notified() => {}
                () = sleep_or_wait_forever(pause) => {}
                Some(joined) = running.tasks.join_next_with_id() => running.finished(joined),
            }
        }
        if !running.lanes.is_empty() {
            tracing::info!(
                jobs = running.lanes.len(),
                "waiting for the running jobs to finish"
            );
        }
        while running.tasks.join_next().await.is_some() {}
    }

    /// Leases due jobs while a lane has room, in one unit of work (one commit for all), and
    /// starts them.
    async fn start_due_jobs(self: &Arc<Self>, running: &mut Running) {
        match self.lease_while_room(running).await {
            Ok(leased) => leased.into_iter().for_each(|job| running.start(self, job)),
            Err(error) => {
                tracing::error!(%error, "background jobs: cannot reach the database");
            }
        }
    }

    async fn lease_while_room(&self, running: &mut Running) -> Result<Vec<LeasedJob>, StoreError> {
        let mut busy = running.busy();
        let mut kinds = self.kinds_with_room(busy);
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.clock.now();
        let lease_until = now.plus_millis(self.config.lease_ms());
        let mut uow = self.store.write().await?;
        let mut leased = Vec::new();
        while !kinds.is_empty() {
            let token = OsRandom.hex(16);
            let Some(job) = uow
                .jobs()
                .lease_due(&kinds, now, lease_until, &token)
                .await?
            else {
                break;
            };
            busy.jobs += 1;
            if self.lane_of(&job.kind) == Lane::Notification {
                busy.notifications += 1;
                let now = Instant::now();
                running.pace.started(now);
                busy.notifications_paced = !running.pace.allows(now);
            }
            leased.push(job);
            kinds = self.kinds_with_room(busy);
        }
        uow.commit().await?;
        Ok(leased)
    }

    fn kinds_with_room(&self, busy: Busy) -> Vec<&'static str> {
        if busy.jobs >= self.config.workers() {
            return Vec::new();
        }
        let notifications_have_room =
            busy.notifications < self.config.notification_slots() && !busy.notifications_paced;
        self.kinds_where(|lane| lane == Lane::Money || notifications_have_room)
    }

    fn lane_of(&self, kind: &str) -> Lane {
        self.handlers
            .get(kind)
            .map_or(Lane::Money, |handler| handler.lane())
    }

    async fn next_due_in(&self, kinds: &[&str]) -> Option<Duration> {
        let mut uow = self.store.read().await.ok()?;
        let next = uow.jobs().next_run_at(kinds).await.ok()??;
        let millis = (next.millis() - self.clock.now().millis()).max(0);
        Some(Duration::from_millis(u64::try_from(millis).unwrap_or(0)))
    }
}

/// The jobs the loop runs, the lane of each, and when the next notification may start.
#[derive(Default)]
struct Running {
    tasks: JoinSet<()>,
    lanes: HashMap<Id, Lane>,
    pace: Pace,
}

impl Running {
    fn start(&mut self, worker: &Arc<Worker>, job: LeasedJob) {
        let lane = worker.lane_of(&job.kind);
        let worker = Arc::clone(worker);
        let task = self.tasks.spawn(async move {
            if let Err(error) = worker.run_leased(job).await {
                tracing::error!(%error, "background jobs: cannot reach the database");
            }
        });
        self.lanes.insert(task.id(), lane);
    }

    fn finished(&mut self, joined: Result<(Id, ()), JoinError>) {
        let id = match joined {
            Ok((id, ())) => id,
            Err(error) => error.id(),
        };
        self.lanes.remove(&id);
    }

    fn in_lane(&self, lane: Lane) -> usize {
        self.lanes.values().filter(|l| **l == lane).count()
    }

    fn busy(&self) -> Busy {
        Busy {
            jobs: self.lanes.len(),
            notifications: self.in_lane(Lane::Notification),
            notifications_paced: !self.pace.allows(Instant::now()),
        }
    }
}

/// How many jobs run, how many of them are merchant notifications, and whether the pace holds
/// the next notification back.
#[derive(Clone, Copy)]
struct Busy {
    jobs: usize,
    notifications: usize,
    notifications_paced: bool,
}

fn counted_as(outcome: &JobOutcome) -> RunOutcome {
    match outcome {
        JobOutcome::Done => RunOutcome::Done,
        JobOutcome::RunAgainAt(_) => RunOutcome::Rescheduled,
        JobOutcome::Failed(_) => RunOutcome::Failed,
    }
}

fn ran_from(joined: Result<JobOutcome, JoinError>) -> Ran {
    match joined {
        Ok(outcome) => Ran::Returned(outcome),
        Err(error) if error.is_panic() => Ran::Panicked(panic_message(error.into_panic())),
        // Only when the runtime shuts down under it: try again later.
        Err(error) => Ran::Returned(JobOutcome::Failed(format!("cancelled: {error}"))),
    }
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

async fn sleep_or_wait_forever(pause: Option<Duration>) {
    match pause {
        Some(pause) => tokio::time::sleep(pause).await,
        None => std::future::pending().await,
    }
}
