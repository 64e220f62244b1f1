//! Which subcommand runs: dispatches the parsed command line to the module that does it.

use super::error::CommandError;
use super::{admin, background_jobs, remit, sandbox, serve, users};
use crate::cli::{Cli, Command, SandboxCommand};
use crate::settings::Settings;
use domain::clock::SystemClock;
use domain::random::OsRandom;
use gateway::{BackOfficeUsers, MerchantConfig};
use std::sync::Arc;
use store::Store;

/// Runs the command the command line names, with the resolved settings.
pub async fn run(cli: Cli, settings: Settings) -> Result<(), CommandError> {
    match cli.command {
        Command::Serve(_) => serve::run(settings).await,
        Command::Migrate => {
            Store::open(&settings.database_url).await?;
            tracing::info!(database = %settings.database_url, "migrations applied");
            Ok(())
        }
        Command::Merchant(command) => {
            admin::merchant(&open_config(&settings).await?, command, cli.json).await
        }
        Command::User(command) => {
            let store = Store::open(&settings.database_url).await?;
            let users = BackOfficeUsers::new(store, Arc::new(SystemClock), Arc::new(OsRandom));
            users::run(&users, command, cli.json).await
        }
        Command::Pos(command) => {
            admin::pos(&open_config(&settings).await?, command, cli.json).await
        }
        Command::Contract(command) => {
            admin::contract(&open_config(&settings).await?, command, cli.json).await
        }
        Command::Remit => remit::run(settings, cli.json).await,
        Command::Jobs(command) => background_jobs::run(settings, command, cli.json).await,
        Command::Sandbox(SandboxCommand::Ancv(args)) => {
            sandbox::run(settings, args, cli.json).await
        }
    }
}

/// Opens (and migrates) the database for an administration command.
async fn open_config(settings: &Settings) -> Result<MerchantConfig, CommandError> {
    let store = Store::open(&settings.database_url).await?;
    let secret = settings.key_secret();
    MerchantConfig::with_key_secret(store, Arc::new(SystemClock), Arc::new(OsRandom), secret)
        .await
        .map_err(|error| CommandError::from_config(error, false))
}
