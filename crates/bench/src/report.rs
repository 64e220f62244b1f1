//! The report: one line per operation, with cvgate's ratio to the floor's same kind of work.

use crate::load::Outcome;
use crate::options::Options;

/// One measured operation.
pub struct Row {
    backend: &'static str,
    operation: &'static str,
    outcome: Outcome,
    /// The floor's throughput for the same kind of work (insert or read), if compared.
    floor_per_second: Option<f64>,
}

impl Row {
    pub fn new(
        backend: &'static str,
        operation: &'static str,
        outcome: Outcome,
        floor: Option<&Outcome>,
    ) -> Row {
        Row {
            backend,
            operation,
            outcome,
            floor_per_second: floor.map(Outcome::per_second),
        }
    }
}

/// Prints the table (Markdown, so that it can go into the README as it is).
pub fn print(rows: &[Row], options: &Options) {
    println!(
        "\n{} s per operation, {} requests in flight; ratio = cvgate / floor throughput\n",
        options.duration.as_secs(),
        options.concurrency
    );
    println!("| database | operation | per second | p50 ms | p99 ms | failed | ratio to floor |");
    println!("|---|---|---|---|---|---|---|");
    for row in rows {
        let ratio = row.floor_per_second.map_or_else(String::new, |floor| {
            format!("{:.2}", row.outcome.per_second() / floor)
        });
        println!(
            "| {} | {} | {:.0} | {:.1} | {:.1} | {} | {} |",
            row.backend,
            row.operation,
            row.outcome.per_second(),
            row.outcome.percentile_ms(0.50),
            row.outcome.percentile_ms(0.99),
            row.outcome.failed,
            ratio
        );
    }
}
