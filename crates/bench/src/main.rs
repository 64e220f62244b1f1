//! `cvgate-bench`: how fast cvgate answers, against how fast the bare database allows.
//!
//! It starts `cvgate serve` (a fresh SQLite file, and a fresh PostgreSQL schema when
//! `--postgres URL` is given) and, beside it, the floor: a minimal axum + sqlx server doing one
//! durable insert per request and one indexed read (`floor`, a fixture, not product code). Each
//! operation runs for a fixed time at a fixed concurrency; the report gives throughput, p50 and
//! p99, and cvgate's ratio to the floor.
//!
//! ```sh
//! cargo build --release -p cvgate -p bench
//! target/release/cvgate-bench --postgres postgres://postgres@127.0.0.1:5432/test
//! ```

mod cvgate_client;
mod cvgate_server;
mod floor;
mod load;
mod options;
mod report;
mod scale;
mod scenarios;
mod seed;
mod split_flow;

use options::Options;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the async runtime starts");
    if args.first().map(String::as_str) == Some("floor") {
        // The floor server itself (the benchmark starts it as its own process).
        return match runtime.block_on(floor::serve(&args[1..])) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("floor: {error}");
                ExitCode::FAILURE
            }
        };
    }
    let options = match Options::parse(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}\n\n{}", options::USAGE);
            return ExitCode::from(2);
        }
    };
    let run = async {
        match options.seeded {
            Some(sessions) => scale::run_all(&options, sessions).await,
            None => scenarios::run_all(&options).await,
        }
    };
    match runtime.block_on(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("cvgate-bench: {error}");
            ExitCode::FAILURE
        }
    }
}
