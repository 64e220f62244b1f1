//! The worker on a real database (SQLite and PostgreSQL): lanes, panics, dead jobs, lease
//! renewal, retry backoff. Handlers that must stay running wait for the test to release them; the test waits
//! for conditions (with a generous timeout as the failure guard), never for a fixed time.

use domain::clock::{Clock, ManualClock, Timestamp};
use jobs::{JobFuture, JobHandler, JobOutcome, Lane, RunOutcome, Worker, WorkerConfig};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use store::repos::{JobFilter, JobState, KindCounts, StoredJob};
use store::{DatabaseUrl, Store};
use testkit::TestDb;

testkit::backend_suite![
    a_slow_notification_does_not_hold_money_jobs,
    two_workers_run_one_notification_at_a_time,
    notifications_start_no_faster_than_their_pace,
    a_panicking_handler_is_retried_and_the_loop_goes_on,
    a_job_failing_too_often_is_dead_until_retried_or_asked_again,
    a_running_job_keeps_its_lease_and_a_lost_lease_changes_nothing,
    a_failing_job_is_retried_after_a_growing_delay_and_never_before,
    a_run_that_does_not_fail_starts_the_backoff_again,
];

const START: Timestamp = Timestamp(1_795_773_600_000);
const NOTIFY: &str = "test_notify";
const MONEY: &str = "test_money";
/// Far above any wait that should happen: only a broken worker reaches it.
const PATIENCE: Duration = Duration::from_secs(60);

/// What a test handler does when it runs.
#[derive(Clone, Copy)]
enum Act {
    Finish,
    /// Waits until the test calls `release.notify_one()`, then finishes.
    WaitForRelease,
    Fail,
    Panic,
}

/// What a test handler saw: the subjects it started, how many ran at once.
#[derive(Default)]
struct Probe {
    started: Mutex<Vec<String>>,
    running: AtomicUsize,
    most_at_once: AtomicUsize,
    release: tokio::sync::Notify,
}

impl Probe {
    fn started(&self) -> Vec<String> {
        self.started.lock().unwrap().clone()
    }

    fn runs(&self) -> usize {
        self.started.lock().unwrap().len()
    }
}

struct TestJob {
    kind: &'static str,
    lane: Lane,
    act: Act,
    probe: Arc<Probe>,
}

impl JobHandler for TestJob {
    fn kind(&self) -> &'static str {
        self.kind
    }

    fn lane(&self) -> Lane {
        self.lane
    }

    fn run<'a>(&'a self, subject: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(async move {
            let probe = &self.probe;
            let now_running = probe.running.fetch_add(1, Ordering::SeqCst) + 1;
            probe.most_at_once.fetch_max(now_running, Ordering::SeqCst);
            probe.started.lock().unwrap().push(subject.to_owned());
            let outcome = match self.act {
                Act::Finish => JobOutcome::Done,
                Act::WaitForRelease => {
                    probe.release.notified().await;
                    JobOutcome::Done
                }
                Act::Fail => JobOutcome::Failed("boom".into()),
                Act::Panic => panic!("boom"),
            };
            probe.running.fetch_sub(1, Ordering::SeqCst);
            outcome
        })
    }
}

struct Setup {
    store: Store,
    clock: Arc<ManualClock>,
}

impl Setup {
    async fn new(db: &TestDb) -> Setup {
        let store = Store::open(&DatabaseUrl::parse(&db.url).unwrap())
            .await
            .unwrap();
        Setup {
            store,
            clock: Arc::new(ManualClock::at(START)),
        }
    }

    fn worker(&self, config: WorkerConfig) -> Worker {
        Worker::new(self.store.clone(), self.clock.clone() as Arc<dyn Clock>).with_config(config)
    }

    /// A handler of `kind`, registered on `worker`; returns what it will see.
    fn handler(&self, worker: &mut Worker, kind: &'static str, lane: Lane, act: Act) -> Arc<Probe> {
        let probe = Arc::new(Probe::default());
        worker.register(Arc::new(TestJob {
            kind,
            lane,
            act,
            probe: probe.clone(),
        }));
        probe
    }

    /// Enqueues work due now and wakes `worker`.
    async fn enqueue(&self, worker: &Worker, kind: &str, subject: &str) {
        let now = self.clock.now();
        let mut uow = self.store.write().await.unwrap();
        uow.jobs().enqueue(kind, subject, now, now).await.unwrap();
        uow.commit().await.unwrap();
        worker.wake_handle().notify_one();
    }

    async fn jobs(&self) -> Vec<StoredJob> {
        let mut uow = self.store.read().await.unwrap();
        uow.jobs().list(JobFilter::All).await.unwrap()
    }

    async fn job(&self, subject: &str) -> StoredJob {
        self.jobs()
            .await
            .into_iter()
            .find(|job| job.subject == subject)
            .unwrap_or_else(|| panic!("no job {subject}"))
    }

    /// Waits until the jobs table satisfies `condition`.
    async fn wait_for_jobs(&self, what: &str, condition: impl Fn(&[StoredJob]) -> bool) {
        let waited = tokio::time::timeout(PATIENCE, async {
            while !condition(&self.jobs().await) {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await;
        assert!(waited.is_ok(), "timed out waiting until {what}");
    }

    async fn wait_until_no_job_is_left(&self) {
        self.wait_for_jobs("every job is done", |jobs| jobs.is_empty())
            .await;
    }
}

async fn wait_until(what: &str, condition: impl Fn() -> bool) {
    let waited = tokio::time::timeout(PATIENCE, async {
        while !condition() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "timed out waiting until {what}");
}

/// The background loop, running in a task until stopped.
struct Loop {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Loop {
    fn start(worker: Worker) -> Loop {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let task = tokio::spawn(worker.run(Duration::from_millis(20), shutdown));
        Loop { stop, task }
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(PATIENCE, self.task)
            .await
            .expect("the loop stops")
            .expect("the loop ends without panicking");
    }
}

fn config(workers: usize) -> WorkerConfig {
    WorkerConfig {
        workers,
        ..WorkerConfig::default()
    }
}

async fn a_slow_notification_does_not_hold_money_jobs(db: TestDb) {
    let setup = Setup::new(&db).await;
    let mut worker = setup.worker(config(2));
    let slow = setup.handler(&mut worker, NOTIFY, Lane::Notification, Act::WaitForRelease);
    let money = setup.handler(&mut worker, MONEY, Lane::Money, Act::Finish);
    setup.enqueue(&worker, NOTIFY, "n1").await;
    let background = Loop::start(worker.clone());
    wait_until("the notification runs", || slow.runs() == 1).await;

    setup.enqueue(&worker, MONEY, "m1").await;
    wait_until("the money job runs beside it", || money.runs() == 1).await;
    assert_eq!(
        slow.running.load(Ordering::SeqCst),
        1,
        "the notification is still running"
    );

    slow.release.notify_one();
    setup.wait_until_no_job_is_left().await;
    background.stop().await;
}

async fn two_workers_run_one_notification_at_a_time(db: TestDb) {
    let setup = Setup::new(&db).await;
    let mut worker = setup.worker(config(2));
    let notifications = setup.handler(&mut worker, NOTIFY, Lane::Notification, Act::WaitForRelease);
    let money = setup.handler(&mut worker, MONEY, Lane::Money, Act::Finish);
    setup.enqueue(&worker, NOTIFY, "n1").await;
    setup.enqueue(&worker, NOTIFY, "n2").await;
    let background = Loop::start(worker.clone());
    wait_until("a notification runs", || notifications.runs() >= 1).await;

    // Leases go by due time then id: n2 comes before m1, so m1 running on the second worker
    // proves that n2 could not be leased.
    setup.enqueue(&worker, MONEY, "m1").await;
    wait_until("the money job runs", || money.runs() == 1).await;
    assert_eq!(notifications.started(), ["n1"]);

    notifications.release.notify_one();
    wait_until("the second notification runs", || notifications.runs() == 2).await;
    notifications.release.notify_one();
    setup.wait_until_no_job_is_left().await;
    assert_eq!(notifications.most_at_once.load(Ordering::SeqCst), 1);
    background.stop().await;
}

async fn notifications_start_no_faster_than_their_pace(db: TestDb) {
    let setup = Setup::new(&db).await;
    // A pace no test ever reaches: one notification, then none until the hour is over.
    let mut worker = setup.worker(WorkerConfig {
        notification_pace: Some(Duration::from_secs(3_600)),
        ..config(4)
    });
    let notifications = setup.handler(&mut worker, NOTIFY, Lane::Notification, Act::Finish);
    let money = setup.handler(&mut worker, MONEY, Lane::Money, Act::Finish);
    setup.enqueue(&worker, NOTIFY, "n1").await;
    setup.enqueue(&worker, NOTIFY, "n2").await;
    let background = Loop::start(worker.clone());
    wait_until("a notification runs", || notifications.runs() == 1).await;

    // Both notification slots are free and n2 is due before m1: m1 running (after n1 ended)
    // proves that the loop went round and the pace kept n2 waiting.
    setup
        .wait_for_jobs("n1 is done", |jobs| jobs.iter().all(|j| j.subject != "n1"))
        .await;
    setup.enqueue(&worker, MONEY, "m1").await;
    wait_until("the money job runs", || money.runs() == 1).await;
    setup
        .wait_for_jobs("m1 is done", |jobs| jobs.iter().all(|j| j.subject != "m1"))
        .await;
    assert_eq!(notifications.started(), ["n1"]);
    let waiting = setup.job("n2").await;
    assert_eq!(waiting.attempts, 0, "n2 was never leased");
    background.stop().await;
}

async fn a_panicking_handler_is_retried_and_the_loop_goes_on(db: TestDb) {
    let setup = Setup::new(&db).await;
    let mut worker = setup.worker(WorkerConfig::default());
    let panics = setup.handler(&mut worker, "test_panics", Lane::Money, Act::Panic);
    let money = setup.handler(&mut worker, MONEY, Lane::Money, Act::Finish);
    setup.enqueue(&worker, "test_panics", "p").await;

    assert_eq!(worker.run_due().await.unwrap(), 1, "run_due survives it");
    let job = setup.job("p").await;
    assert_eq!(
        (job.failures, job.last_error.as_deref(), job.run_at),
        (1, Some("panicked: boom"), START.plus_millis(1_000)),
        "a failure, retried after the first delay"
    );
    assert_eq!(job.state(setup.clock.now()), JobState::Pending);
    assert_eq!(worker.run_due().await.unwrap(), 0, "not before its retry");
    setup.clock.advance_millis(1_000);
    assert_eq!(worker.run_due().await.unwrap(), 1);
    assert_eq!(setup.job("p").await.failures, 2);

    let background = Loop::start(worker.clone());
    setup.clock.advance_millis(5_000);
    worker.wake_handle().notify_one();
    wait_until("the loop retries it", || panics.runs() == 3).await;
    setup.enqueue(&worker, MONEY, "m").await;
    wait_until("the loop still runs other jobs", || money.runs() == 1).await;
    background.stop().await;
    let metrics = worker.metrics();
    assert_eq!(metrics.count("test_panics", RunOutcome::Panicked), 3);
    assert_eq!(metrics.count(MONEY, RunOutcome::Done), 1);
}

async fn a_job_failing_too_often_is_dead_until_retried_or_asked_again(db: TestDb) {
    let setup = Setup::new(&db).await;
    let mut worker = setup.worker(WorkerConfig {
        max_failures: 3,
        ..WorkerConfig::default()
    });
    let failing = setup.handler(&mut worker, "test_fails", Lane::Money, Act::Fail);
    setup.enqueue(&worker, "test_fails", "f").await;
    fail_until_dead(&setup, &worker).await;
    setup.clock.advance_millis(86_400_000);
    assert_eq!(
        worker.run_due().await.unwrap(),
        0,
        "a dead job is never leased"
    );
    assert_eq!(failing.runs(), 3);
    assert_eq!(worker.metrics().count("test_fails", RunOutcome::Failed), 3);
    let counts = setup
        .store
        .read()
        .await
        .unwrap()
        .jobs()
        .counts_by_kind()
        .await
        .unwrap();
    assert_eq!(
        counts,
        [KindCounts {
            kind: "test_fails".into(),
            pending: 0,
            dead: 1
        }]
    );

    let id = setup.job("f").await.id;
    let mut uow = setup.store.write().await.unwrap();
    assert_eq!(
        uow.jobs().retry(id, setup.clock.now()).await.unwrap(),
        Some(true)
    );
    uow.commit().await.unwrap();
    assert_eq!(setup.job("f").await.failures, 0);
    fail_until_dead(&setup, &worker).await;
    assert_eq!(
        failing.runs(),
        6,
        "retried: three more failures before it died again"
    );

    setup.enqueue(&worker, "test_fails", "f").await;
    let revived = setup.job("f").await;
    assert_eq!(
        (revived.state(setup.clock.now()), revived.failures),
        (JobState::Pending, 0),
        "asking for the work again revives it"
    );
    assert_eq!(worker.run_due().await.unwrap(), 1);
    assert_eq!(failing.runs(), 7);
}

/// Runs the failing job until it dies at its third failure (every retry delay is at most 5
/// minutes).
async fn fail_until_dead(setup: &Setup, worker: &Worker) {
    for _ in 0..3 {
        assert_eq!(worker.run_due().await.unwrap(), 1);
        setup.clock.advance_millis(300_000);
    }
    let job = setup.job("f").await;
    assert_eq!(
        (
            job.state(setup.clock.now()),
            job.failures,
            job.last_error.as_deref()
        ),
        (JobState::Dead, 3, Some("boom"))
    );
}

async fn a_running_job_keeps_its_lease_and_a_lost_lease_changes_nothing(db: TestDb) {
    let setup = Setup::new(&db).await;
    let renewing = WorkerConfig {
        renew_every: Duration::from_millis(10),
        ..WorkerConfig::default()
    };
    let mut first = setup.worker(renewing.clone());
    let held = setup.handler(&mut first, NOTIFY, Lane::Notification, Act::WaitForRelease);
    let mut second = setup.worker(renewing);
    let intruder = setup.handler(&mut second, NOTIFY, Lane::Notification, Act::Finish);
    setup.enqueue(&first, NOTIFY, "renewed").await;
    let running = tokio::spawn({
        let first = first.clone();
        async move { first.run_due().await.unwrap() }
    });
    wait_until("the job runs", || held.runs() == 1).await;

    // The clock moves within the lease; the renewals follow it.
    setup.clock.advance_millis(50_000);
    let renewed_until = setup.clock.now().plus_millis(60_000);
    setup
        .wait_for_jobs("the lease is renewed from the clock", |jobs| {
            jobs[0].locked_until == Some(renewed_until)
        })
        .await;
    setup.clock.advance_millis(30_000);
    assert_eq!(
        second.run_due().await.unwrap(),
        0,
        "past its first lease, the running job is still held"
    );
    held.release.notify_one();
    assert_eq!(running.await.unwrap(), 1);
    assert_eq!(intruder.runs(), 0);
    assert!(setup.jobs().await.is_empty());

    // A worker that never renews loses its lease to another one; finishing late, it changes
    // nothing (the job would otherwise be deleted as done).
    let never_renewing = WorkerConfig {
        renew_every: Duration::from_secs(3_600),
        ..WorkerConfig::default()
    };
    let mut late = setup.worker(never_renewing.clone());
    let late_probe = setup.handler(&mut late, NOTIFY, Lane::Notification, Act::WaitForRelease);
    // Not renewing either, so that its row stays as it was leased while the late one finishes.
    let mut taker = setup.worker(never_renewing);
    let taker_probe = setup.handler(&mut taker, NOTIFY, Lane::Notification, Act::WaitForRelease);
    setup.enqueue(&late, NOTIFY, "lost").await;
    let late_run = tokio::spawn({
        let late = late.clone();
        async move { late.run_due().await.unwrap() }
    });
    wait_until("the late worker runs it", || late_probe.runs() == 1).await;
    setup.clock.advance_millis(60_001);
    let taker_run = tokio::spawn({
        let taker = taker.clone();
        async move { taker.run_due().await.unwrap() }
    });
    wait_until("another worker takes it over", || taker_probe.runs() == 1).await;
    let taken = setup.job("lost").await;
    late_probe.release.notify_one();
    assert_eq!(late_run.await.unwrap(), 1);
    assert_eq!(
        setup.job("lost").await,
        taken,
        "the late worker changed nothing"
    );
    taker_probe.release.notify_one();
    assert_eq!(taker_run.await.unwrap(), 1);
    assert!(setup.jobs().await.is_empty());
}

/// The retry delays after the 1st, 2nd, … consecutive failure (the worker's backoff: 1 s, 5 s,
/// 30 s, 1 min, then every 5 min).
const BACKOFF_MS: [i64; 7] = [1_000, 5_000, 30_000, 60_000, 300_000, 300_000, 300_000];

/// Runs the due failing job `f` at the clock's now; asserts it failed for the `failures`th time
/// in a row and is due again `delay` after now, not a millisecond before. Leaves the clock there.
async fn fail_and_wait(setup: &Setup, worker: &Worker, failures: i64, delay: i64) {
    let failed_at = setup.clock.now();
    assert_eq!(
        worker.run_due().await.unwrap(),
        1,
        "failure {failures} runs"
    );
    let job = setup.job("f").await;
    assert_eq!(
        (job.failures, job.run_at, job.state(failed_at)),
        (failures, failed_at.plus_millis(delay), JobState::Pending),
        "failure {failures} is retried after {delay} ms"
    );
    setup.clock.advance_millis(delay - 1);
    assert_eq!(
        worker.run_due().await.unwrap(),
        0,
        "not before its retry ({failures})"
    );
    setup.clock.advance_millis(1);
}

/// A job failing again and again is retried after 1 s, 5 s, 30 s, 1 min, then every 5 min, each
/// delay counted on the injected clock from the failure (also when it ran late), never earlier.
async fn a_failing_job_is_retried_after_a_growing_delay_and_never_before(db: TestDb) {
    let setup = Setup::new(&db).await;
    let mut worker = setup.worker(WorkerConfig::default());
    let failing = setup.handler(&mut worker, "test_fails", Lane::Money, Act::Fail);
    setup.enqueue(&worker, "test_fails", "f").await;
    for (n, delay) in BACKOFF_MS.into_iter().enumerate() {
        fail_and_wait(&setup, &worker, n as i64 + 1, delay).await;
    }
    assert_eq!(failing.runs(), BACKOFF_MS.len());

    // Run an hour late: the next delay counts from this failure, not from when it was due.
    setup.clock.advance_millis(3_600_000);
    fail_and_wait(&setup, &worker, BACKOFF_MS.len() as i64 + 1, 300_000).await;
    assert_eq!(
        worker.metrics().count("test_fails", RunOutcome::Failed),
        BACKOFF_MS.len() as u64 + 1
    );
}

/// Fails, except on the runs numbered in `succeeds_on` (from 1), where it asks to run again
/// `AGAIN_MS` later.
struct Flaky {
    clock: Arc<ManualClock>,
    succeeds_on: &'static [usize],
    runs: AtomicUsize,
}

const AGAIN_MS: i64 = 10_000;

impl JobHandler for Flaky {
    fn kind(&self) -> &'static str {
        "test_fails"
    }

    fn run<'a>(&'a self, _subject: &'a str, _attempt: i64) -> JobFuture<'a> {
        let run = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
        let outcome = if self.succeeds_on.contains(&run) {
            JobOutcome::RunAgainAt(self.clock.now().plus_millis(AGAIN_MS))
        } else {
            JobOutcome::Failed("flaky".into())
        };
        Box::pin(async move { outcome })
    }
}

/// Two failures (1 s, then 5 s), a run asking to run again in 10 s (the failures are forgotten),
/// then a failure: retried after the first delay again, 1 s.
async fn a_run_that_does_not_fail_starts_the_backoff_again(db: TestDb) {
    let setup = Setup::new(&db).await;
    let mut worker = setup.worker(WorkerConfig::default());
    worker.register(Arc::new(Flaky {
        clock: setup.clock.clone(),
        succeeds_on: &[3],
        runs: AtomicUsize::new(0),
    }));
    setup.enqueue(&worker, "test_fails", "f").await;
    fail_and_wait(&setup, &worker, 1, BACKOFF_MS[0]).await;
    fail_and_wait(&setup, &worker, 2, BACKOFF_MS[1]).await;

    let ran_at = setup.clock.now();
    assert_eq!(worker.run_due().await.unwrap(), 1);
    let job = setup.job("f").await;
    assert_eq!(
        (job.failures, job.last_error, job.run_at),
        (0, None, ran_at.plus_millis(AGAIN_MS)),
        "a run that did not fail clears the failures"
    );
    setup.clock.advance_millis(AGAIN_MS);
    fail_and_wait(&setup, &worker, 1, BACKOFF_MS[0]).await;
}
