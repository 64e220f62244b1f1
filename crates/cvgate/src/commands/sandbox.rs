//! `cvgate sandbox ancv …`: the ANCV sandbox alone, and its administration (the same methods as
//! its admin API): beneficiaries and shops with their transactions, settlement, rejection.

use super::components;
use super::error::CommandError;
use super::output::Output;
use crate::cli::{AncvSandboxAction, AncvSandboxArgs, BeneficiaryCommand, ShopCommand};
use crate::settings::{Environment, Settings};
use ancv_sandbox::{Behaviour, NewBeneficiary, Sandbox, SandboxError, SettleUntil};
use anyhow::Context;
use axum::Router;
use domain::FieldError;
use domain::clock::{Clock, SystemClock};
use domain::random::{OsRandom, SharedRandom};
use jobs::Worker;
use std::sync::Arc;
use store::Store;

/// Serves the ANCV sandbox alone, or runs one of its administration actions.
pub async fn run(
    settings: Settings,
    args: AncvSandboxArgs,
    json: bool,
) -> Result<(), CommandError> {
    if settings.env == Environment::Production {
        // The sandbox would create its tables: a production database never has them.
        let rule = "the sandboxes exist in homologation only (not with --env production)";
        return Err(CommandError::invalid(&FieldError::new("env", rule), json));
    }
    let store = Store::open(&settings.database_url).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let random: SharedRandom = Arc::new(OsRandom);
    let sandbox = components::ancv_sandbox(&settings, &store, &clock, &random).await?;
    match args.action {
        None => serve_alone(&settings, store, clock, sandbox).await,
        Some(action) => administer(&sandbox, action, json).await,
    }
}

/// One administration action (the admin API's methods), its result printed.
async fn administer(
    sandbox: &Sandbox,
    action: AncvSandboxAction,
    json: bool,
) -> Result<(), CommandError> {
    let out = Output { json };
    let fail = |error: SandboxError| sandbox_error(error, json);
    match action {
        AncvSandboxAction::Beneficiary(command) => beneficiary(sandbox, command, json).await,
        AncvSandboxAction::Shop(ShopCommand::Add { shop_id }) => {
            let added = sandbox.add_shop(&shop_id).await.map_err(fail)?;
            out.value(&serde_json::json!({"shopId": shop_id, "added": added}));
            Ok(())
        }
        AncvSandboxAction::Shop(ShopCommand::Transactions { shop_id }) => {
            out.value(&sandbox.transactions_of_shop(&shop_id).await.map_err(fail)?);
            Ok(())
        }
        AncvSandboxAction::Reject { transaction } => {
            out.value(
                &sandbox
                    .reject_transaction(&transaction)
                    .await
                    .map_err(fail)?,
            );
            Ok(())
        }
        AncvSandboxAction::Settle { until } => {
            let until = settle_until(until.as_deref(), json)?;
            out.value(&sandbox.settle_until(until).await.map_err(fail)?);
            Ok(())
        }
    }
}

/// `cvgate sandbox ancv beneficiary add|show|transactions`.
async fn beneficiary(
    sandbox: &Sandbox,
    command: BeneficiaryCommand,
    json: bool,
) -> Result<(), CommandError> {
    let out = Output { json };
    let fail = |error: SandboxError| sandbox_error(error, json);
    match command {
        BeneficiaryCommand::Add {
            id,
            email,
            balance,
            secret_code,
            behaviour,
        } => {
            let balance = euros_to_cents(&balance).map_err(|e| CommandError::invalid(&e, json))?;
            let behaviour = match behaviour.as_deref() {
                None => Behaviour::Manual,
                Some(name) => Behaviour::parse(name).ok_or_else(|| {
                    let rule = "must be manual, auto_full, auto_partial, auto_decline, auto_expire or blocked";
                    CommandError::invalid(&FieldError::new("behaviour", rule), json)
                })?,
            };
            let new = NewBeneficiary {
                beneficiary_id: id,
                email,
                balance,
                secret_code,
                behaviour,
            };
            out.value(&sandbox.add_beneficiary(&new).await.map_err(fail)?);
        }
        BeneficiaryCommand::Show { id } => {
            out.value(&sandbox.beneficiary(&id).await.map_err(fail)?);
        }
        BeneficiaryCommand::Transactions { id } => {
            out.value(
                &sandbox
                    .transactions_of_beneficiary(&id)
                    .await
                    .map_err(fail)?,
            );
        }
    }
    Ok(())
}

/// `--until`: where settlement stops (PAID unless told CONSIGNED).
fn settle_until(until: Option<&str>, json: bool) -> Result<SettleUntil, CommandError> {
    match until {
        None | Some("PAID") => Ok(SettleUntil::Paid),
        Some("CONSIGNED") => Ok(SettleUntil::Consigned),
        Some(_) => Err(CommandError::invalid(
            &FieldError::new("until", "must be CONSIGNED or PAID"),
            json,
        )),
    }
}

/// The sandbox on its own port, at the same paths as inside cvgate (`/sandbox/ancv/…`).
async fn serve_alone(
    settings: &Settings,
    store: Store,
    clock: Arc<dyn Clock>,
    sandbox: Sandbox,
) -> Result<(), CommandError> {
    sandbox
        .seed_test_data()
        .await
        .map_err(|e| CommandError::Internal(anyhow::anyhow!(e)))?;
    let mut worker = Worker::new(store.clone(), clock);
    sandbox.set_job_wake(worker.wake_handle());
    for handler in sandbox.job_handlers() {
        worker.register(handler);
    }
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("cannot listen on {} (setting listen)", settings.listen))?;
    let bound = listener
        .local_addr()
        .context("the listening socket has no address")?;
    println!(
        "ANCV sandbox API: http://{bound}/sandbox/ancv{}",
        ancv::API_PATH
    );
    println!("ANCV sandbox app: http://{bound}/sandbox/ancv/app/");
    println!("cvgate sandbox listening on http://{bound}");
    let app = Router::new().nest("/sandbox/ancv", sandbox.router());
    super::serve::run_until_stopped(listener, app, worker, &store).await
}

/// `300`, `300.5`, `300.00` or `300,00` euros, exactly in cents.
fn euros_to_cents(text: &str) -> Result<i64, FieldError> {
    let rule = || FieldError::new("balance", "must be an amount in euros such as 300.00");
    let text = text.trim().replace(',', ".");
    let (units, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if units.is_empty()
        || units.len() > 10
        || fraction.len() > 2
        || !units
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return Err(rule());
    }
    let cents = format!("{fraction:0<2}");
    Ok(units.parse::<i64>().map_err(|_| rule())? * 100
        + cents.parse::<i64>().map_err(|_| rule())?)
}

fn sandbox_error(error: SandboxError, json: bool) -> CommandError {
    match error {
        SandboxError::InvalidField { field, message }
        | SandboxError::AlreadyExists { field, message } => {
            CommandError::invalid(&FieldError::new(snake_case(&field), message), json)
        }
        SandboxError::Refused { code, message } => CommandError::invalid(
            &FieldError::new("sandbox", format!("{code}: {message}")),
            json,
        ),
        SandboxError::InvalidSecretCode => {
            CommandError::invalid(&FieldError::new("secret_code", "is wrong"), json)
        }
        SandboxError::UnknownShop => CommandError::invalid(
            &FieldError::new("shop_id", "no shop has this Shop ID"),
            json,
        ),
        SandboxError::Internal(detail) => CommandError::Internal(anyhow::anyhow!(detail)),
    }
}

/// The API names fields in camelCase; the CLI's flags are their kebab-case.
fn snake_case(field: &str) -> String {
    let mut out = String::new();
    for c in field.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    match out.as_str() {
        "beneficiary_id" => "id".to_owned(),
        _ => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euros_are_read_exactly() {
        assert_eq!(euros_to_cents("300").unwrap(), 30_000);
        assert_eq!(euros_to_cents("300.5").unwrap(), 30_050);
        assert_eq!(euros_to_cents("25,00").unwrap(), 2_500);
        assert_eq!(euros_to_cents("0.07").unwrap(), 7);
        for bad in ["", "-1", "1.234", "abc", "1e3", ".5"] {
            assert!(euros_to_cents(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn api_fields_become_flags() {
        assert_eq!(snake_case("secretCode"), "secret_code");
        assert_eq!(snake_case("beneficiaryId"), "id");
        assert_eq!(snake_case("email"), "email");
    }
}
