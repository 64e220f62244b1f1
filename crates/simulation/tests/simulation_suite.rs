//! The money invariants under faults, races and crashes, on both backends (see the crate
//! documentation): CI runs a few hundred flows per backend; `CVGATE_SIM_SEED=N` replays one seed
//! and `CVGATE_SIM_SEEDS=1-20 CVGATE_SIM_FLOWS=100` runs more. The full size runs with the
//! `cvgate-sim` binary (README).

use simulation::{Config, Report, parse_seeds, run_on_fresh_database};
use testkit::TestDb;

testkit::backend_suite![
    three_hundred_flows_keep_the_money_right,
    a_seed_replays_the_same_run
];

/// Seeds 1 to 6, 50 flows each, unless the environment asks for others.
fn seeds_and_flows() -> (Vec<u64>, usize) {
    let seeds =
        match std::env::var("CVGATE_SIM_SEED").or_else(|_| std::env::var("CVGATE_SIM_SEEDS")) {
            Ok(text) => parse_seeds(&text).expect("CVGATE_SIM_SEED(S)").collect(),
            Err(_) => (1..=6).collect(),
        };
    let flows = std::env::var("CVGATE_SIM_FLOWS")
        .ok()
        .map(|n| n.parse().expect("CVGATE_SIM_FLOWS is a number"))
        .unwrap_or(50);
    (seeds, flows)
}

async fn three_hundred_flows_keep_the_money_right(db: TestDb) {
    let (seeds, flows) = seeds_and_flows();
    let mut failures = Vec::new();
    let (mut total_flows, mut crashes) = (0, 0);
    for seed in seeds {
        let report = run_on_fresh_database(db.backend, &Config::new(seed, flows))
            .await
            .unwrap_or_else(|error| panic!("seed {seed}: the run could not go on: {error}"));
        total_flows += report.flows;
        crashes += report.restarts;
        if !report.violations.is_empty() {
            failures.push(explain(&report));
        }
    }
    eprintln!(
        "{}: {total_flows} flows, {crashes} crashes of cvgate, {} failing seed(s)",
        db.backend,
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The report of a failing run, with the trace of the flows its violations name.
fn explain(report: &Report) -> String {
    let mut concerned: Vec<usize> = report
        .violations
        .iter()
        .filter_map(|v| v.strip_prefix("flow ")?.split(':').next()?.parse().ok())
        .collect();
    concerned.dedup();
    concerned.truncate(5);
    report.explain(&concerned)
}

async fn a_seed_replays_the_same_run(db: TestDb) {
    let config = Config::new(4242, 15);
    let first = run_on_fresh_database(db.backend, &config).await.unwrap();
    let second = run_on_fresh_database(db.backend, &config).await.unwrap();
    assert!(
        first.restarts > 0 || first.trace.lines.len() > 100,
        "a run with something in it"
    );
    if first.trace.lines != second.trace.lines {
        let diverged = first
            .trace
            .lines
            .iter()
            .zip(&second.trace.lines)
            .position(|(a, b)| a != b)
            .unwrap_or(first.trace.lines.len().min(second.trace.lines.len()));
        panic!(
            "the same seed ran differently from line {diverged}:\n  first:  {:?}\n  second: {:?}",
            first.trace.lines.get(diverged),
            second.trace.lines.get(diverged)
        );
    }
}
