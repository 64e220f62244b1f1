//! The report: one line per operation, with cvgate's ratio to the floor's same kind of work.

use crate::load::Outcome;
use crate::options::Options;

/// One measured operation.
pub struct Row {
    backend: &'static str,
    operation: String,
    outcome: Outcome,
    /// The throughput this row is compared with (the floor's same kind of work, or the same
    /// operation on an empty database), if any.
    floor_per_second: Option<f64>,
}

impl Row {
    pub fn new(
        backend: &'static str,
        operation: impl Into<String>,
        outcome: Outcome,
        floor: Option<&Outcome>,
    ) -> Row {
        Row {
            backend,
            operation: operation.into(),
            outcome,
            floor_per_second: floor.map(Outcome::per_second),
        }
    }
}

/// Prints the table (Markdown, so that it can go into the README as it is); `ratio` names the
/// last column.
pub fn print(rows: &[Row], options: &Options, ratio: &str) {
    println!(
        "\n{} s per operation, {} requests in flight (unless said); ratio = {ratio} throughput\n",
        options.duration.as_secs(),
        options.concurrency
    );
    println!("| database | operation | per second | p50 ms | p99 ms | failed | {ratio} |");
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
