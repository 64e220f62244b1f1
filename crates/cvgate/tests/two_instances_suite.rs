//! Two `cvgate serve` processes on one PostgreSQL database behind a load balancer (the test's
//! client sends each request to one instance in turn, and to the other when it gets no
//! answer), split payments spread over both, and a `kill -9` of one instance while card
//! payments and 3-D Secure answers are under way there. Once every flow has ended and the
//! background money work is done, the sandboxes' ledgers must agree with what cvgate told the
//! merchant (I1–I4, two_instances/checks.rs).
//!
//! PostgreSQL only: it is how several instances share one database.

mod support;
mod two_instances;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use testkit::TestDb;
use two_instances::checks::{self, Ledgers};
use two_instances::cluster::{Cluster, NAMES};
use two_instances::flows::{self, Flow, Gate};
use two_instances::refunds;

fn main() {
    testkit::Suite::new()
        .on_postgres("a_kill_9_during_split_payments_loses_no_money", |db| {
            Box::pin(a_kill_9_during_split_payments_loses_no_money(db))
        })
        .run()
}

const FLOWS: usize = 24;
/// The instance that crashes: B (A is the card acquirer of both).
const KILLED: usize = 1;
/// POSTs (card forms, ACS answers, cancels) under way at the doomed instance when it is killed.
const CUT_POSTS: usize = 6;
/// How long after they were sent the crash cuts those POSTs: long enough for the card payments
/// among them to reach the acquirer, shorter than cvgate's read timeout.
const INTO_HANDLING: Duration = Duration::from_millis(500);
const CARD_FAULTS: &str = "/sandbox/card/admin/faults";
/// How long the other instance serves alone.
const ALONE: Duration = Duration::from_secs(1);
/// The jobs that move money. (Session expiry and the daily remittance may stay pending.)
const MONEY_JOBS: [&str; 7] = [
    "ancv_poll",
    "ancv_refresh",
    "ancv_give_back",
    "card_reconcile",
    "card_operation",
    "card_give_back",
    "ancv_refund",
];
/// Card reconciliation runs 30 s after an attempt, a lease cut by the crash expires after 60 s.
/// (With the flows' own deadline, a failing run still ends within 3 minutes.)
const QUIESCENCE_TIMEOUT: Duration = Duration::from_secs(100);

async fn a_kill_9_during_split_payments_loses_no_money(db: TestDb) {
    let started = Instant::now();
    let cluster = Arc::new(Cluster::start(db).await);
    let flows: Vec<Flow> = (0..FLOWS).map(Flow::new).collect();
    for flow in &flows {
        flows::add_beneficiary(&cluster, flow).await;
    }
    let gate = Arc::new(Gate::new());
    let running: Vec<_> = flows
        .into_iter()
        .map(|flow| {
            let (cluster, gate) = (cluster.clone(), gate.clone());
            tokio::spawn(async move { flows::run(&cluster, &gate, flow).await })
        })
        .collect();
    let crash = crash_mid_way(&cluster, &gate).await;
    let mut flows = Vec::new();
    for flow in running {
        flows.push(flow.await.expect("a flow panicked"));
    }
    let ended_at = cluster.elapsed();
    let mut problems = refunds::refund_some(&cluster, &mut flows).await;
    if cluster.cut.load(Ordering::Relaxed) == 0 {
        problems.push("the crash cut no request half-way: the test did not test it".to_owned());
    }
    let quiescent = wait_until_quiescent(&cluster).await;
    let quiet_at = cluster.elapsed();
    let job_failures = match quiescent {
        Ok(failures) => failures,
        Err(left) => {
            problems.push(left);
            Vec::new()
        }
    };
    let ledgers = checks::read(&cluster, &flows).await;
    eprintln!(
        "{crash}; flows ended at {ended_at:.1}s, money jobs done at {quiet_at:.1}s; {} requests failed over, {} of them cut by the crash",
        cluster.failovers.load(Ordering::Relaxed),
        cluster.cut.load(Ordering::Relaxed)
    );
    for failure in &job_failures {
        eprintln!("note: a money job failed before succeeding: {failure}");
    }
    verdict(&flows, &ledgers, problems);
    eprintln!("whole test: {:.1}s", started.elapsed().as_secs_f64());
}

/// Opens the gate for the burst of card-step actions, kills the instance while several of
/// those requests are under way there, lets the other carry on alone, then restarts it on its
/// port. Returns what happened, for the log.
///
/// During the burst the acquirer makes each authorization and does not answer (until cvgate's
/// read timeout): the card payments the crash cuts are then surely half-way, made at the
/// acquirer and not yet known to cvgate.
async fn crash_mid_way(cluster: &Cluster, gate: &Gate) -> String {
    let arrived = gate.wait_for(FLOWS, Duration::from_secs(60)).await;
    let faults = serde_json::json!({"timeout_after_authorizing": true});
    let set = cluster.post_json(CARD_FAULTS, &faults).await;
    assert_eq!(set.status, 200, "card faults: {}", set.body);
    gate.open();
    let under_way = cluster
        .wait_for_posts(KILLED, CUT_POSTS, Duration::from_secs(5))
        .await;
    tokio::time::sleep(INTO_HANDLING).await;
    cluster.kill(KILLED).await;
    let killed_at = cluster.elapsed();
    let reset = cluster.delete(CARD_FAULTS).await;
    assert_eq!(reset.status, 200, "card faults: {}", reset.body);
    tokio::time::sleep(ALONE).await;
    cluster.restart(KILLED).await;
    format!(
        "{arrived}/{FLOWS} flows at the card step; {} killed at {killed_at:.1}s with {under_way} POSTs under way, back at {:.1}s",
        NAMES[KILLED],
        cluster.elapsed()
    )
}

/// Polls `cvgate jobs list` until no money job is left. Returns the failures seen on the way
/// (jobs that failed, then succeeded), or what is still left at the timeout.
async fn wait_until_quiescent(cluster: &Cluster) -> Result<Vec<String>, String> {
    let deadline = Instant::now() + QUIESCENCE_TIMEOUT;
    let mut failures = std::collections::BTreeSet::new();
    loop {
        let listed = cluster.cli(&["jobs", "list", "--json"]).await;
        assert_eq!(listed.code, 0, "cvgate jobs list: {}", listed.stderr);
        let jobs = listed.json();
        let money: Vec<&serde_json::Value> = jobs
            .as_array()
            .expect("a job list")
            .iter()
            .filter(|job| MONEY_JOBS.contains(&job["kind"].as_str().unwrap_or_default()))
            .collect();
        for job in &money {
            if job["failures"].as_i64().unwrap_or_default() > 0 {
                failures.insert(format!(
                    "{} {}: {}",
                    job["kind"], job["subject"], job["lastError"]
                ));
            }
        }
        if money.is_empty() {
            return Ok(failures.into_iter().collect());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "money jobs still left after {QUIESCENCE_TIMEOUT:?}: {money:#?}"
            ));
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Prints one line per flow; on any violation, the full report of each flow concerned, then
/// fails.
fn verdict(flows: &[Flow], ledgers: &Ledgers, mut problems: Vec<String>) {
    let mut reports = Vec::new();
    for flow in flows {
        eprintln!("{}", checks::summary(flow));
        let violations = checks::flow_violations(flow, ledgers);
        if !violations.is_empty() {
            reports.push(checks::report(flow, ledgers, &violations));
            problems.extend(
                violations
                    .iter()
                    .map(|v| format!("flow {}: {v}", flow.index)),
            );
        }
    }
    problems.extend(checks::totals(flows, ledgers));
    if problems.is_empty() {
        return;
    }
    for report in &reports {
        eprintln!("\n{report}");
    }
    panic!("{} violations:\n{}", problems.len(), problems.join("\n"));
}
