//! `cvgate-sim`: runs the simulation for a range of seeds on a backend, each seed on a fresh
//! database, and prints one line per seed (and the trace of any failing one).
//!
//! ```sh
//! cargo run -p simulation --release --bin cvgate-sim -- --backend sqlite --seeds 1-100 --flows 100
//! ```

use simulation::{Config, parse_seeds, run_on_fresh_database};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: cvgate-sim [--backend sqlite|postgres] [--seeds 1-100] [--flows 100]
  postgres needs CVGATE_TEST_POSTGRES_URL (each seed gets a fresh schema)";

struct Args {
    backend: testkit::Backend,
    seeds: std::ops::RangeInclusive<u64>,
    flows: usize,
}

fn parse(mut words: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args {
        backend: testkit::Backend::Sqlite,
        seeds: 1..=10,
        flows: 100,
    };
    while let Some(word) = words.next() {
        let mut value = || words.next().ok_or(format!("{word} needs a value"));
        match word.as_str() {
            "--backend" => {
                args.backend = match value()?.as_str() {
                    "sqlite" => testkit::Backend::Sqlite,
                    "postgres" => testkit::Backend::Postgres,
                    other => return Err(format!("--backend: {other:?} is not sqlite or postgres")),
                }
            }
            "--seeds" => args.seeds = parse_seeds(&value()?)?,
            "--flows" => {
                args.flows = value()?
                    .parse()
                    .map_err(|_| "--flows: must be a number".to_owned())?
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(error) => {
            eprintln!("cvgate-sim: {error}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    runtime.block_on(async move {
        let started = Instant::now();
        let (mut flows, mut failed) = (0, 0);
        for seed in args.seeds.clone() {
            let began = Instant::now();
            match run_on_fresh_database(args.backend, &Config::new(seed, args.flows)).await {
                Ok(report) => {
                    flows += report.flows;
                    let verdict = if report.violations.is_empty() {
                        "ok".to_owned()
                    } else {
                        failed += 1;
                        format!("{} VIOLATION(S)", report.violations.len())
                    };
                    println!(
                        "seed {seed}: {} flows, {} steps, {} crashes, {:.1}s, ended {:?}: {verdict}",
                        report.flows,
                        report.steps,
                        report.restarts,
                        began.elapsed().as_secs_f64(),
                        report.outcomes
                    );
                    if !report.violations.is_empty() {
                        println!("{}", report.explain(&[]));
                    }
                    if std::env::var_os("CVGATE_SIM_TRACE").is_some() {
                        for line in &report.trace.lines {
                            println!("{line}");
                        }
                    }
                }
                Err(error) => {
                    failed += 1;
                    println!("seed {seed}: the run could not go on: {error}");
                }
            }
        }
        println!(
            "{} on {}: {flows} flows, {failed} failing seed(s), {:.0}s",
            if failed == 0 { "PASSED" } else { "FAILED" },
            args.backend,
            started.elapsed().as_secs_f64()
        );
        if failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    })
}
