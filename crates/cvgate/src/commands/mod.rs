//! What each subcommand does.

mod admin;
mod background_jobs;
mod components;
mod output;
mod remit;
mod sandbox;
mod serve;

use crate::cli::{Cli, Command};
use crate::settings::Settings;
use domain::FieldError;
use domain::clock::SystemClock;
use domain::random::OsRandom;
use gateway::{ConfigError, MerchantConfig};
use std::sync::Arc;
use store::Store;

/// Why a command failed, which decides its exit code and how it is reported.
pub enum CommandError {
    /// The caller's input is wrong: one line naming the field and the rule (exit code 2).
    Invalid {
        /// The text shown without `--json` (`--flag: rule`).
        line: String,
        /// The JSON line shown with `--json`.
        json: Option<String>,
    },
    /// Anything else (database down, I/O): exit code 1.
    Internal(anyhow::Error),
}

impl From<anyhow::Error> for CommandError {
    fn from(error: anyhow::Error) -> Self {
        CommandError::Internal(error)
    }
}

impl From<store::StoreError> for CommandError {
    fn from(error: store::StoreError) -> Self {
        CommandError::Internal(error.into())
    }
}

impl CommandError {
    fn from_config(error: ConfigError, json: bool) -> CommandError {
        match error {
            ConfigError::Invalid(field_error) => CommandError::invalid(&field_error, json),
            ConfigError::Store(error) => error.into(),
        }
    }

    /// Names the field as the flag that carries it (`shop_id` → `--shop-id`).
    pub(crate) fn invalid(error: &FieldError, json: bool) -> CommandError {
        let flag = format!("--{}", error.field.replace('_', "-"));
        let line = format!("{flag}: {}", error.rule);
        let json = json.then(|| {
            serde_json::json!({"error": "invalid_input", "field": error.field, "flag": flag, "message": error.rule})
                .to_string()
        });
        CommandError::Invalid { line, json }
    }
}

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
        Command::Pos(command) => {
            admin::pos(&open_config(&settings).await?, command, cli.json).await
        }
        Command::Contract(command) => {
            admin::contract(&open_config(&settings).await?, command, cli.json).await
        }
        Command::Remit => remit::run(settings, cli.json).await,
        Command::Jobs(command) => background_jobs::run(settings, command, cli.json).await,
        Command::Sandbox(crate::cli::SandboxCommand::Ancv(args)) => {
            sandbox::run(settings, args, cli.json).await
        }
    }
}

/// Opens (and migrates) the database for an administration command.
async fn open_config(settings: &Settings) -> Result<MerchantConfig, CommandError> {
    let store = Store::open(&settings.database_url).await?;
    MerchantConfig::new(store, Arc::new(SystemClock), Arc::new(OsRandom))
        .await
        .map_err(|error| CommandError::from_config(error, false))
}
