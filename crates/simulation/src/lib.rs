//! A deterministic simulation of cvgate: many complete payment flows against the real gateway
//! services and both sandboxes (over loopback HTTP), with partner faults, notifications lost,
//! delayed or repeated, the clock moving past expiries, remittance and settlement, merchants'
//! refunds, resets and captures (with and without sequenceNumber), and crashes — a request's
//! future dropped while a partner call is under way, cvgate rebuilt on the same database. Then
//! the world is driven to quiescence and the money invariants are checked across the three
//! ledgers ([`check`]).
//!
//! Everything runs one step at a time and every decision, id and timestamp comes from the run's
//! seed (seeded random sources, a manual clock), so a seed replays exactly: a failure prints its
//! seed and the trace of the flows concerned.

pub mod check;
pub mod flows;
pub mod gate;
pub mod rng;
pub mod run;
pub mod trace;
pub mod world;

pub use gate::FaultRates;
pub use run::{Config, Report, run};

/// Runs `config` on a fresh database of `backend` (removed afterwards).
pub async fn run_on_fresh_database(
    backend: testkit::Backend,
    config: &Config,
) -> Result<Report, String> {
    let (db, provisioned) = testkit::provision(backend).await?;
    let report = run(&db.url, config).await;
    provisioned.remove().await;
    report
}

/// A seed range as written on the command line: `7` or `1-100`.
pub fn parse_seeds(text: &str) -> Result<std::ops::RangeInclusive<u64>, String> {
    let number = |part: &str| {
        part.trim()
            .parse::<u64>()
            .map_err(|_| format!("seeds: {part:?} is not a number (write 7 or 1-100)"))
    };
    match text.split_once('-') {
        Some((first, last)) => {
            let (first, last) = (number(first)?, number(last)?);
            if first > last {
                return Err(format!("seeds: {first}-{last} is empty"));
            }
            Ok(first..=last)
        }
        None => {
            let seed = number(text)?;
            Ok(seed..=seed)
        }
    }
}
