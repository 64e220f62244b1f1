//! `cvgate remit`: the card remittance batch, now. In homologation the acquirer is the card
//! sandbox, which this process serves itself on a loopback port for the duration of the batch
//! (its ledger is in the same database as a running `cvgate serve`'s).

use super::components;
use super::error::CommandError;
use super::output::Output;
use crate::settings::{Environment, Settings};
use anyhow::Context;
use domain::clock::{Clock, SystemClock};
use domain::random::{OsRandom, SharedRandom};
use std::sync::Arc;
use store::Store;

/// Remits every captured card transaction now and prints what was remitted.
pub async fn run(settings: Settings, json: bool) -> Result<(), CommandError> {
    let store = Store::open(&settings.database_url).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let random: SharedRandom = Arc::new(OsRandom);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("cannot open a loopback port")?;
    let bound = listener
        .local_addr()
        .context("the loopback port has no address")?;
    let sandbox_server = match (&settings.card.base_url, settings.env) {
        (None, Environment::Homologation) => {
            let sandbox =
                components::card_sandbox(&store, &clock, &random, &format!("http://{bound}"))
                    .await?;
            Some(tokio::spawn(
                axum::serve(listener, sandbox.router()).into_future(),
            ))
        }
        _ => None,
    };
    let card = components::card_payments(
        &settings,
        &store,
        &clock,
        &random,
        bound,
        Arc::new(tokio::sync::Notify::new()),
    )?;
    let report = card
        .remit(clock.now())
        .await
        .map_err(|error| CommandError::Internal(anyhow::anyhow!(error)))?;
    if let Some(server) = sandbox_server {
        server.abort();
    }
    tracing::info!(remitted = report.remitted.len(), "remittance done");
    Output { json }.value(&serde_json::json!({"remitted": report.remitted}));
    Ok(())
}
