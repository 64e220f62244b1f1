//! One simulation run: flows started and driven one step at a time, interleaved with the passing
//! of time (jobs, expiries, remittance, settlement) and partner faults, then driven to
//! quiescence, then checked against the three ledgers.

use crate::check;
use crate::flows::{self, Flow};
use crate::gate::FaultRates;
use crate::rng::Rng;
use crate::trace::Trace;
use crate::world::World;
use domain::clock::Timestamp;
use gateway::card_payments::{REMITTANCE_JOB, REMITTANCE_SUBJECT};
use store::repos::JobFilter;

/// What to run: the seed, how many flows, how many at once, and how often faults happen.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Every decision, id and timestamp of the run derives from it.
    pub seed: u64,
    /// How many payment flows the run starts in all.
    pub flows: usize,
    /// How many flows are under way at once.
    pub concurrent: usize,
    /// How often the gate injects each fault while the flows run.
    pub rates: FaultRates,
}

impl Config {
    /// `flows` flows from `seed`, six at once, with the default fault mix.
    pub fn new(seed: u64, flows: usize) -> Config {
        Config {
            seed,
            flows,
            concurrent: 6,
            rates: FaultRates::DEFAULT,
        }
    }
}

/// What a run did and found, enough to print it and replay it.
#[derive(Debug, Clone)]
pub struct Report {
    /// The seed that replays the run.
    pub seed: u64,
    /// How many flows ran.
    pub flows: usize,
    /// How many steps the flows took before quiescence (a flow's step, or time passing).
    pub steps: usize,
    /// How many times cvgate crashed and was rebuilt.
    pub restarts: usize,
    /// Invariants that did not hold (empty: the run passed).
    pub violations: Vec<String>,
    /// How the flows ended (getWebPaymentDetails' code), and how many.
    pub outcomes: std::collections::BTreeMap<String, usize>,
    /// Every step, in order (the same seed writes the same trace).
    pub trace: Trace,
}

impl Report {
    /// The seed, the violations, and the trace of the flows concerned.
    pub fn explain(&self, flows_concerned: &[usize]) -> String {
        let mut text = format!(
            "simulation seed {} ({} flows, {} steps, {} crashes): {} violation(s)\n",
            self.seed,
            self.flows,
            self.steps,
            self.restarts,
            self.violations.len()
        );
        for violation in &self.violations {
            text.push_str(&format!("  - {violation}\n"));
        }
        for number in flows_concerned {
            text.push_str(&format!("trace of flow {number}:\n"));
            for line in self.trace.of_flow(*number) {
                text.push_str(&format!("    {line}\n"));
            }
        }
        text.push_str(&format!(
            "replay: CVGATE_SIM_SEED={} cargo test -p simulation --test simulation_suite -- --nocapture\n",
            self.seed
        ));
        text
    }
}

/// Kinds of jobs that run for ever by design (they mean work left undone only once they fail).
const PERIODIC_JOBS: [&str; 1] = [REMITTANCE_JOB];

/// How long the simulated world may take to settle after the last flow (simulated time).
const QUIESCENCE_LIMIT_MS: i64 = 3 * 24 * 3_600_000;

/// Runs `config` on the database at `db_url` (already provisioned, empty), then shuts the world
/// down; `Err` when the run could not go on (not when an invariant failed: see the report).
pub async fn run(db_url: &str, config: &Config) -> Result<Report, String> {
    let mut rng = Rng::new(config.seed);
    let mut world = World::new(db_url, &mut rng, config.rates).await?;
    let report = play(&mut world, &mut rng, config).await;
    world.shut_down().await;
    report
}

/// The flows to their end, quiescence, then the checks.
async fn play(world: &mut World, rng: &mut Rng, config: &Config) -> Result<Report, String> {
    let mut trace = Trace::default();
    let mut flows: Vec<Flow> = Vec::new();
    let mut steps = 0;
    let step_limit = config.flows * 400 + 1_000;
    while flows.len() < config.flows || flows.iter().any(|f| !f.finished()) {
        steps += 1;
        if steps > step_limit {
            return Err(format!(
                "seed {}: the flows did not end within {step_limit} steps",
                config.seed
            ));
        }
        let active: Vec<usize> = (0..flows.len()).filter(|i| !flows[*i].finished()).collect();
        let may_start = flows.len() < config.flows && active.len() < config.concurrent;
        if may_start && (active.is_empty() || rng.chance(250)) {
            let flow = flows::start(world, rng, flows.len() + 1, &mut trace).await?;
            flows.push(flow);
            continue;
        }
        if active.is_empty() || rng.chance(250) {
            time_passes(world, rng, &mut trace).await?;
            continue;
        }
        let flow = &mut flows[active[usize::try_from(rng.below(active.len() as u64)).unwrap_or(0)]];
        if !flow.buyer.done {
            flows::buyer_step(world, rng, flow, &mut trace).await?;
        } else {
            flows::merchant_step(world, rng, flow, &mut trace).await?;
        }
    }
    world.gate.set_rates(FaultRates::NONE);
    // ANCV pays the merchant for what is left (cvgate follows it until then).
    world
        .ancv_sandbox
        .settle()
        .await
        .map_err(|e| e.to_string())?;
    let mut violations = Vec::new();
    if let Err(stuck) = settle_down(world, &mut trace).await? {
        violations.push(stuck);
    }
    violations.extend(check::invariants(world, &flows).await?);
    let mut outcomes = std::collections::BTreeMap::new();
    for flow in &flows {
        let code = flow
            .merchant
            .final_code
            .clone()
            .unwrap_or_else(|| "none".into());
        *outcomes.entry(code).or_insert(0) += 1;
    }
    Ok(Report {
        outcomes,
        seed: config.seed,
        flows: flows.len(),
        steps,
        restarts: world.restarts,
        violations,
        trace,
    })
}

/// The system's step: the clock moves on, due jobs run (cvgate's may crash), and now and then
/// the card remittance and ANCV settlement happen.
async fn time_passes(world: &mut World, rng: &mut Rng, trace: &mut Trace) -> Result<(), String> {
    // Mostly seconds (buyers act between them), sometimes minutes: sessions, ANCV requests and
    // challenges expire now and then, in the middle of a flow.
    let seconds = rng.weighted(&[
        (60, (1, 10)),
        (30, (10, 60)),
        (8, (60, 300)),
        (2, (300, 1_200)),
    ]);
    let seconds = rng.between(seconds.0, seconds.1);
    world.clock.advance_millis(seconds * 1_000);
    let ran = world.drive(world.app.worker.run_due()).await;
    let Some(ran) = ran else {
        trace.line(world, "system: a job -> CRASH, cvgate restarts");
        return world.restart().await;
    };
    let ran = ran.map_err(|e| format!("cvgate's jobs cannot run: {e}"))?;
    let partners = world
        .run_sandbox_jobs()
        .await
        .map_err(|e| format!("the sandboxes' jobs cannot run: {e}"))?;
    trace.line(
        world,
        &format!("system: +{seconds}s, {ran} job(s), {partners} partner job(s)"),
    );
    if rng.chance(40) {
        let settled = world
            .ancv_sandbox
            .settle()
            .await
            .map_err(|e| e.to_string())?;
        trace.line(
            world,
            &format!("system: ANCV settles {} transaction(s)", settled.len()),
        );
    }
    if rng.chance(30) {
        ancv_rejects_one(world, rng, trace).await?;
    }
    if rng.chance(40) {
        // The daily card remittance, brought forward (it runs as its job: a crash leaves it
        // leased, to run again).
        let now = world.now();
        let mut uow = world.app.store.write().await.map_err(|e| e.to_string())?;
        uow.jobs()
            .enqueue(REMITTANCE_JOB, REMITTANCE_SUBJECT, now, now)
            .await
            .map_err(|e| e.to_string())?;
        uow.commit().await.map_err(|e| e.to_string())?;
        trace.line(world, "system: card remittance due now");
    }
    Ok(())
}

/// ANCV refuses, after the fact, vouchers it had authorized (an account blocked later, a fraud
/// check): REJECTED after authorization (ancv-connect.md §3).
async fn ancv_rejects_one(world: &World, rng: &mut Rng, trace: &mut Trace) -> Result<(), String> {
    let transactions = world
        .ancv_sandbox
        .transactions_of_shop(ancv_sandbox::seed::DEMO_SHOP_ID)
        .await
        .map_err(|e| e.to_string())?
        .transactions;
    let authorized: Vec<_> = transactions
        .iter()
        .filter(|t| {
            matches!(
                t.state,
                ancv_sandbox::State::Authorized
                    | ancv_sandbox::State::Validated
                    | ancv_sandbox::State::Consigned
            )
        })
        .collect();
    if authorized.is_empty() {
        return Ok(());
    }
    let chosen = authorized[usize::try_from(rng.below(authorized.len() as u64)).unwrap_or(0)];
    let outcome = world.ancv_sandbox.reject_transaction(&chosen.id).await;
    trace.line(
        world,
        &format!(
            "system: ANCV rejects {} (payment {}) -> {}",
            chosen.id,
            chosen.payment_id,
            outcome.map_or_else(|e| e.to_string(), |t| t.state.to_string())
        ),
    );
    Ok(())
}

/// Lets time pass, without faults, until nothing is left to do but the periodic jobs: every
/// payment, operation and notification reached its end. `Ok(Err)` names what stayed.
async fn settle_down(world: &mut World, trace: &mut Trace) -> Result<Result<(), String>, String> {
    let deadline = world.now().plus_millis(QUIESCENCE_LIMIT_MS);
    loop {
        let app = world
            .app
            .worker
            .run_due()
            .await
            .map_err(|e| e.to_string())?;
        let partners = world.run_sandbox_jobs().await.map_err(|e| e.to_string())?;
        let left = open_jobs(world).await?;
        let Some(next) = left.iter().map(|(_, run_at)| *run_at).min() else {
            trace.line(world, "system: quiescent");
            return Ok(Ok(()));
        };
        if world.now() >= deadline {
            let names: Vec<String> = left.iter().map(|(name, _)| name.clone()).collect();
            return Ok(Err(format!(
                "I5: work still pending after {} h of quiet: {}",
                QUIESCENCE_LIMIT_MS / 3_600_000,
                names.join(", ")
            )));
        }
        let step = (next.millis() - world.now().millis()).clamp(1_000, 600_000);
        if app + partners > 0 {
            trace.line(
                world,
                &format!("system: settling, {app} + {partners} job(s)"),
            );
        }
        world.clock.advance_millis(step);
    }
}

/// Every job (cvgate's and the partners') that is not periodic: its name and when it runs.
async fn open_jobs(world: &World) -> Result<Vec<(String, Timestamp)>, String> {
    let mut uow = world.app.store.read().await.map_err(|e| e.to_string())?;
    let jobs = uow
        .jobs()
        .list(JobFilter::All)
        .await
        .map_err(|e| e.to_string())?;
    Ok(jobs
        .into_iter()
        .filter(|job| job.failures > 0 || !PERIODIC_JOBS.contains(&job.kind.as_str()))
        .map(|job| {
            let run_at = match (job.dead_at, job.locked_until) {
                (Some(_), _) => Timestamp(i64::MAX),
                (None, Some(until)) => job.run_at.max(until),
                (None, None) => job.run_at,
            };
            let state = if job.dead_at.is_some() { " (dead)" } else { "" };
            (format!("{} {}{state}", job.kind, job.subject), run_at)
        })
        .collect())
}
