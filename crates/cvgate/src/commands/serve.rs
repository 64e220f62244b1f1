//! `cvgate serve`: open the database, make sure the demo merchant exists (homologation), listen,
//! and stop gracefully on SIGINT/SIGTERM.

use super::components;
use super::error::CommandError;
use crate::settings::{Environment, Settings};
use anyhow::Context;
use domain::back_office_user::{Password, User};
use domain::clock::{Clock, SystemClock};
use domain::random::{OsRandom, SharedRandom};
use gateway::after_sale::AfterSale;
use gateway::demo::{self, DemoMerchant};
use gateway::web_payments::{NotificationPolicy, WebPayments};
use gateway::{BackOfficeUsers, MerchantConfig};
use jobs::{Worker, WorkerConfig};
use std::sync::Arc;
use std::time::Duration;
use store::{DatabaseUrl, Store};
use web::{AppState, Extras};

/// Runs the gateway until SIGINT/SIGTERM.
pub async fn run(settings: Settings) -> Result<(), CommandError> {
    let store = Store::open(&settings.database_url).await?;
    tracing::info!(database = %settings.database_url, env = settings.env.as_str(), "database ready");
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let random: SharedRandom = Arc::new(OsRandom);
    let config = MerchantConfig::with_key_secret(
        store.clone(),
        clock.clone(),
        random.clone(),
        settings.key_secret(),
    )
    .await
    .map_err(|error| CommandError::from_config(error, false))?;
    if settings.env == Environment::Production {
        refuse_homologation_data(&config).await?;
    }
    let demo = demo_merchant(&settings, &config).await?;
    let demo_user = match &demo {
        Some(demo) => BackOfficeUsers::new(store.clone(), clock.clone(), random.clone())
            .ensure_demo_user(demo.merchant_id())
            .await
            .map_err(|error| CommandError::from_config(error, false))?,
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("cannot listen on {} (setting listen)", settings.listen))?;
    let bound = listener
        .local_addr()
        .context("the listening socket has no address")?;
    let base = settings.public_base(bound);

    let mut worker = Worker::new(store.clone(), clock.clone()).with_config(WorkerConfig {
        workers: settings.jobs.workers,
        max_failures: settings.jobs.max_failures,
        notification_pace: Some(Duration::from_secs(1) / settings.notifications.max_per_second),
        ..WorkerConfig::default()
    });
    let (web_payments, after_sale) = services(
        &settings,
        &store,
        &clock,
        &random,
        bound,
        &base,
        &mut worker,
    )
    .await?;
    let extras = match settings.env {
        Environment::Homologation => {
            let mut extras =
                sandboxes(&settings, &store, &clock, &random, &base, &mut worker).await?;
            extras.demo_shop = demo.as_ref().map(|demo| {
                web::demo_shop::router(web_payments.clone(), demo.merchant_id().clone(), &base)
            });
            extras
        }
        Environment::Production => Extras::default(),
    };

    print_banner(&settings, &base, demo.as_ref(), demo_user.as_ref());
    let mut state = AppState::new(config, web_payments, after_sale, &base)
        .with_job_metrics(worker.metrics())
        .with_trusted_proxies(settings.trusted_proxies.clone());
    if settings.env == Environment::Homologation {
        state = state.in_homologation();
    }
    if let Some(address) = settings.metrics_listen {
        state = serve_metrics_apart(address, state).await?;
    }
    println!("cvgate listening on http://{bound} (public URL {base})");
    tracing::info!(address = %bound, public_url = %base, "listening");
    run_until_stopped(listener, web::app(state, extras), worker, &store).await?;
    tracing::info!("stopped");
    Ok(())
}

/// `/metrics` on `address` only (`metrics_listen`), until SIGINT/SIGTERM; the state returned
/// leaves it out of the main listener.
async fn serve_metrics_apart(
    address: std::net::SocketAddr,
    state: AppState,
) -> Result<AppState, CommandError> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address} (setting metrics_listen)"))?;
    let bound = listener
        .local_addr()
        .context("the metrics socket has no address")?;
    let state = state.with_metrics_apart();
    let app = web::operations::metrics_app(state.clone());
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await;
        if let Err(error) = served {
            tracing::error!(%error, "the metrics listener stopped");
        }
    });
    println!("metrics on http://{bound}/metrics (not on the main listener)");
    tracing::info!(address = %bound, "metrics listening");
    Ok(state)
}

/// Production does not start on a database homologation has used (its demo merchant, the
/// sandboxes' test data): one line naming the setting.
async fn refuse_homologation_data(config: &MerchantConfig) -> Result<(), CommandError> {
    let traces = config
        .homologation_traces()
        .await
        .map_err(|error| CommandError::from_config(error, false))?;
    if traces.is_empty() {
        return Ok(());
    }
    Err(CommandError::Invalid {
        line: format!(
            "setting database_url: the database holds homologation data ({}); production needs a database of its own",
            traces.join("; ")
        ),
        json: None,
    })
}

/// In homologation, the demo merchant (created on the first start); none in production.
async fn demo_merchant(
    settings: &Settings,
    config: &MerchantConfig,
) -> Result<Option<DemoMerchant>, CommandError> {
    match settings.env {
        Environment::Homologation => {
            Ok(Some(config.ensure_demo_merchant().await.map_err(
                |error| CommandError::from_config(error, false),
            )?))
        }
        Environment::Production => Ok(None),
    }
}

/// The payment services (ANCV, card, web payments, after-sale), their jobs registered with
/// `worker` and the daily card remittance scheduled.
async fn services(
    settings: &Settings,
    store: &Store,
    clock: &Arc<dyn Clock>,
    random: &SharedRandom,
    bound: std::net::SocketAddr,
    base: &str,
    worker: &mut Worker,
) -> Result<(WebPayments, AfterSale), CommandError> {
    let ancv = components::ancv_payments(settings, store, clock, random, bound, base)?
        .with_worker_wake(worker.wake_handle());
    let card =
        components::card_payments(settings, store, clock, random, bound, worker.wake_handle())?;
    card.schedule_remittance().await?;
    let notifications = NotificationPolicy {
        retry_every_ms: seconds_to_ms(settings.notifications.retry_every_secs),
        give_up_after_ms: seconds_to_ms(settings.notifications.give_up_after_secs),
        allow_private_addresses: settings.notifications.allow_private_addresses,
    };
    let web_payments = WebPayments::new(
        store.clone(),
        clock.clone(),
        random.clone(),
        ancv.clone(),
        card.clone(),
        base.to_owned(),
        notifications,
    )
    .with_worker_wake(worker.wake_handle());
    let after_sale = AfterSale::new(
        store.clone(),
        clock.clone(),
        random.clone(),
        ancv.clone(),
        card.clone(),
        notifications,
    );
    for handler in gateway::job_wiring::all_job_handlers(&ancv, &card, &web_payments, &after_sale) {
        worker.register(handler);
    }
    Ok((web_payments, after_sale))
}

/// Homologation's sandboxes, served beside cvgate: the ANCV one (seeded with its test data, its
/// jobs on `worker`) and the card one.
async fn sandboxes(
    settings: &Settings,
    store: &Store,
    clock: &Arc<dyn Clock>,
    random: &SharedRandom,
    base: &str,
    worker: &mut Worker,
) -> Result<Extras, CommandError> {
    let sandbox = components::ancv_sandbox(settings, store, clock, random).await?;
    sandbox
        .seed_test_data()
        .await
        .map_err(|e| CommandError::Internal(anyhow::anyhow!(e)))?;
    sandbox.set_job_wake(worker.wake_handle());
    for handler in sandbox.job_handlers() {
        worker.register(handler);
    }
    let ancv_sandbox = sandbox.router();
    let card_sandbox = components::card_sandbox(store, clock, random, base).await?;
    Ok(Extras {
        ancv_sandbox: Some(ancv_sandbox),
        card_sandbox: Some(card_sandbox.router()),
        demo_shop: None,
    })
}

fn seconds_to_ms(seconds: u64) -> i64 {
    i64::try_from(seconds.saturating_mul(1000)).unwrap_or(i64::MAX)
}

/// Serves `app` with the background `worker` until SIGINT/SIGTERM; both stop together, then the
/// database closes.
pub(crate) async fn run_until_stopped(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    worker: Worker,
    store: &Store,
) -> Result<(), CommandError> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker_task = tokio::spawn(worker.run(WORKER_IDLE, wait_for_stop(stopped)));
    // Each request knows its peer's address (the back office throttles sign-in per address).
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            let _ = stop.send(true);
        })
        .await
        .context("the HTTP server stopped");
    let _ = worker_task.await;
    store.close().await;
    served?;
    Ok(())
}

/// How long the background worker sleeps when nothing is due (it is woken for new work).
const WORKER_IDLE: Duration = Duration::from_millis(500);

async fn wait_for_stop(mut stopped: tokio::sync::watch::Receiver<bool>) {
    while !*stopped.borrow_and_update() {
        if stopped.changed().await.is_err() {
            return;
        }
    }
}

/// The line that says, unmistakably, which environment runs.
fn environment_notice(env: Environment) -> &'static str {
    match env {
        Environment::Homologation => {
            "*** HOMOLOGATION: built-in sandboxes and test cards, no real payment (--env production for real ones) ***"
        }
        Environment::Production => "*** PRODUCTION: real ANCV and card payments ***",
    }
}

fn print_banner(
    settings: &Settings,
    base: &str,
    demo: Option<&DemoMerchant>,
    demo_user: Option<&(User, Password)>,
) {
    println!(
        "cvgate {} — {} environment, database {}",
        env!("CARGO_PKG_VERSION"),
        settings.env.as_str(),
        settings.database_url
    );
    println!("{}", environment_notice(settings.env));
    if let Some(demo) = demo {
        print_demo(settings, demo, demo_user);
    }
    println!();
    println!("Useful URLs:");
    println!(
        "  WebPaymentAPI:      {base}{}  (WSDL: ?wsdl)",
        web::soap_api::WEB_PAYMENT_API
    );
    println!(
        "  DirectPaymentAPI:   {base}{}  (doRefund, doReset, doCapture, doAuthorization)",
        web::soap_api::DIRECT_PAYMENT_API
    );
    println!(
        "  ExtendedAPI:        {base}{}  (getTransactionDetails, transactionsSearch)",
        web::soap_api::EXTENDED_API
    );
    if settings.env == Environment::Homologation {
        println!(
            "  demo shop:          {base}{}  (a checkout with the payment widget, its callbacks logged)",
            web::demo_shop::SHOP_PATH
        );
        println!(
            "  ANCV sandbox app:   {base}/sandbox/ancv/app/  (the beneficiary validates here: no push notification in homologation)"
        );
        println!(
            "  ANCV sandbox API:   {base}/sandbox/ancv{}",
            ancv::API_PATH
        );
    }
    println!("  health:             {base}/healthz");
    println!("  metrics:            {base}/metrics");
    println!();
}

/// The demo merchant's credentials: shown when this start made them, else how to get new ones.
fn print_demo(settings: &Settings, demo: &DemoMerchant, demo_user: Option<&(User, Password)>) {
    let database = database_flag(&settings.database_url);
    println!();
    match demo {
        DemoMerchant::Created {
            merchant_id,
            access_key,
        } => {
            println!(
                "Demo merchant created (\"{}\", point of sale \"{}\"):",
                demo::MERCHANT_NAME,
                demo::POS_LABEL
            );
            println!("  merchant id: {merchant_id}");
            println!("  access key:  {}", access_key.expose());
            println!("  The access key is shown only this once.");
        }
        DemoMerchant::Existing { merchant_id } => {
            println!(
                "Demo merchant (\"{}\", point of sale \"{}\"):",
                demo::MERCHANT_NAME,
                demo::POS_LABEL
            );
            println!("  merchant id: {merchant_id}");
            println!("  access key:  shown only when it was created; get a new one with:");
            println!("    cvgate merchant rotate-key --merchant {merchant_id}{database}");
        }
    }
    demo_contracts();
    match demo_user {
        Some((user, password)) => {
            println!("  back office: {} (admin user)", user.email);
            println!(
                "  password:    {}  (shown only this once)",
                password.expose()
            );
        }
        None => {
            println!("  back office: {} (admin user)", demo::USER_EMAIL);
            println!("  password:    shown only when it was created; get a new one with:");
            println!(
                "    cvgate user reset-password --email {}{database}",
                demo::USER_EMAIL
            );
        }
    }
}

fn demo_contracts() {
    println!(
        "  contracts:   {} (ANCV_CONNECT, Shop ID {}, complementary {}) and {} (CB)",
        demo::ANCV_CONTRACT,
        demo::SHOP_ID,
        demo::CARD_CONTRACT,
        demo::CARD_CONTRACT
    );
}

/// The `--database-url` to repeat in a suggested command, unless it is the default. A PostgreSQL
/// URL may hold a password, so it is only hinted at.
fn database_flag(url: &DatabaseUrl) -> String {
    match url {
        _ if *url == DatabaseUrl::default_sqlite() => String::new(),
        DatabaseUrl::Sqlite { .. } => format!(" --database-url {url}"),
        DatabaseUrl::Postgres { .. } => " --database-url <the same PostgreSQL URL>".to_owned(),
    }
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot watch SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT received: shutting down"),
        () = terminate => tracing::info!("SIGTERM received: shutting down"),
    }
}
