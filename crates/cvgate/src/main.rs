//! `cvgate`: the gateway server and its administration commands.
//!
//! The command line ([`cli`]) and the settings layered under it ([`settings`]: defaults, the
//! `--config` file, `CVGATE_*` variables, flags) decide which subcommand runs ([`commands`]);
//! logs go to stderr ([`telemetry`]), results to stdout, and the exit code says whose fault a
//! failure is (2: the caller's input, 1: anything else).

mod cli;
mod commands;
mod settings;
mod telemetry;

use clap::Parser;
use cli::Cli;
use commands::CommandError;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return cli::report_usage_error(error),
    };
    let settings = match cli.settings() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(settings.log_format, cli.command.default_log_level());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => error.report(),
    }
}

impl CommandError {
    /// One line on stderr; exit code 2 for input the caller can fix, 1 for everything else.
    fn report(self) -> ExitCode {
        match self {
            CommandError::Invalid { line, json } => {
                eprintln!("{}", json.unwrap_or_else(|| format!("error: {line}")));
                ExitCode::from(2)
            }
            CommandError::Internal(error) => {
                eprintln!("error: {error:#}");
                ExitCode::FAILURE
            }
        }
    }
}
