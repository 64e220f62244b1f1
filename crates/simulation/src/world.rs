//! The simulated world: cvgate (its real services and HTTP routes) and both sandboxes on one
//! loopback port, a manual clock, seeded random sources, and the fault gate in front of every
//! partner call. cvgate can crash and be rebuilt on the same database; the sandboxes (the
//! partners, with their own connection pool and job worker) live on.

use crate::gate::{self, FaultRates, Gate};
use crate::rng::{Rng, SeededRandom};
use ancv::{AncvClient, ClientConfig, SealKey, SealKeyring};
use ancv_sandbox::{Sandbox, SandboxConfig};
use axum::Router;
use axum::extract::Request;
use card::{HttpAcquirer, HttpAcquirerConfig};
use card_sandbox::{ACS_MOUNT, API_MOUNT, CardSandbox, CardSandboxConfig};
use domain::clock::{Clock, ManualClock, Timestamp};
use domain::merchant::MerchantId;
use domain::random::SharedRandom;
use gateway::MerchantConfig;
use gateway::after_sale::AfterSale;
use gateway::ancv_payments::{AncvPayments, AncvPaymentsConfig};
use gateway::card_payments::{CardPayments, CardPaymentsConfig};
use gateway::demo::DemoMerchant;
use gateway::web_payments::{NotificationPolicy, WebPayments};
use jobs::Worker;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use store::{DatabaseUrl, Store, StoreError};
use web::{AppState, Extras};

/// The ANCV seal key both sides share (the published test key, version `ver001`).
pub const SEAL_KEY: &str = ancv_sandbox::seed::PUBLISHED_SEAL_KEY;
/// When every run's clock starts: 2026-11-27T10:00:00Z.
pub const START: Timestamp = Timestamp(1_795_773_600_000);
/// The ANCV sandbox's validation window (the published default).
pub const VALIDATION_WINDOW_MS: i64 = 300_000;

/// cvgate as one process: its database pool, services and worker.
pub struct App {
    /// The process's own connection pool (closed when it crashes).
    pub store: Store,
    /// The hosted payment page and the web payment API (doWebPayment, getWebPaymentDetails).
    pub web_payments: WebPayments,
    /// Refunds, resets and captures (doRefund, doReset, doCapture).
    pub after_sale: AfterSale,
    /// cvgate's background jobs (polls, notifications, remittance).
    pub worker: Worker,
}

/// What it takes to (re)build cvgate.
struct AppEnv {
    db_url: DatabaseUrl,
    clock: Arc<ManualClock>,
    random: SharedRandom,
    gate: Arc<Gate>,
    base: String,
    /// The router the server dispatches to (swapped on restart).
    router: Arc<Mutex<Router>>,
    partners: Router,
}

/// Everything a run acts on: cvgate, the partners, the clock, the gate and the merchant.
pub struct World {
    env: AppEnv,
    /// The simulated time, moved on only by the run.
    pub clock: Arc<ManualClock>,
    /// The fault gate in front of the partner calls and ANCV's notifications.
    pub gate: Arc<Gate>,
    /// The loopback server's URL (`http://127.0.0.1:port`), cvgate's public base.
    pub base: String,
    /// The ANCV partner (its ledger is one of the three checked).
    pub ancv_sandbox: Sandbox,
    /// The card acquirer and its 3-D Secure ACS (its ledger is one of the three checked).
    pub card_sandbox: CardSandbox,
    sandbox_worker: Worker,
    sandbox_store: Store,
    server: tokio::task::JoinHandle<()>,
    /// The cvgate process alive now (replaced on every restart).
    pub app: App,
    /// The demo merchant every flow pays.
    pub merchant_id: MerchantId,
    /// How many times cvgate crashed and was rebuilt.
    pub restarts: usize,
    /// The buyer's browser (redirects not followed, so the ACS's answer can be read).
    pub http: reqwest::Client,
    /// The merchant's notification endpoint: every call's query, in order.
    pub notifications: Notifications,
}

/// What the merchant's `notificationURL` received: (`notificationType`, token or transaction id).
#[derive(Clone, Default)]
pub struct Notifications(Arc<Mutex<Vec<(String, String)>>>);

impl Notifications {
    /// Whether a notification of this type about `subject` arrived at least once.
    pub fn received(&self, notification_type: &str, subject: &str) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .any(|(kind, id)| kind == notification_type && id == subject)
    }

    fn record(&self, query: &std::collections::HashMap<String, String>) {
        let kind = query.get("notificationType").cloned().unwrap_or_default();
        let subject = query
            .get("transactionId")
            .or_else(|| query.get("token"))
            .cloned()
            .unwrap_or_default();
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((kind, subject));
    }
}

/// Where merchants' notifications go in the simulation (served beside cvgate).
pub const MERCHANT_NOTIFY_PATH: &str = "/merchant/notify";

fn merchant_endpoint(notifications: Notifications) -> Router {
    Router::new().route(
        MERCHANT_NOTIFY_PATH,
        axum::routing::get(
            |axum::extract::State(notifications): axum::extract::State<Notifications>,
             axum::extract::Query(query): axum::extract::Query<
                std::collections::HashMap<String, String>,
            >| async move {
                notifications.record(&query);
                axum::http::StatusCode::OK
            },
        )
        .with_state(notifications),
    )
}

/// The partners' side of the world: both sandboxes, on their own pool and job worker.
struct Partners {
    ancv_sandbox: Sandbox,
    card_sandbox: CardSandbox,
    worker: Worker,
    store: Store,
}

impl Partners {
    /// Opens both sandboxes (ANCV's with its test data) on a pool of their own.
    async fn open(
        db_url: &DatabaseUrl,
        clock: &Arc<dyn Clock>,
        random: SharedRandom,
        base: &str,
    ) -> Result<Partners, String> {
        let store = Store::open(db_url).await.map_err(|e| e.to_string())?;
        let ancv_sandbox = Sandbox::open(
            store.clone(),
            clock.clone(),
            random.clone(),
            SandboxConfig::new("900001", seal_key()),
        )
        .await
        .map_err(|e| e.to_string())?;
        ancv_sandbox
            .seed_test_data()
            .await
            .map_err(|e| e.to_string())?;
        let card_sandbox = CardSandbox::open(
            store.clone(),
            clock.clone(),
            random,
            CardSandboxConfig {
                acs_base_url: format!("{base}{ACS_MOUNT}"),
            },
        )
        .await
        .map_err(|e| e.to_string())?;
        let mut worker = Worker::new(store.clone(), clock.clone());
        for handler in ancv_sandbox.job_handlers() {
            worker.register(handler);
        }
        Ok(Partners {
            ancv_sandbox,
            card_sandbox,
            worker,
            store,
        })
    }

    /// What the server routes to the partners (and the merchant's endpoint), beside cvgate.
    fn router(&self, notifications: &Notifications) -> Router {
        Router::new()
            .nest("/sandbox/ancv", self.ancv_sandbox.router())
            .merge(self.card_sandbox.router())
            .merge(merchant_endpoint(notifications.clone()))
    }
}

/// The demo merchant (created on the first run of a database), on a pool closed afterwards.
async fn demo_merchant(
    db_url: &DatabaseUrl,
    clock: &Arc<dyn Clock>,
    random: &SharedRandom,
) -> Result<MerchantId, String> {
    let store = Store::open(db_url).await.map_err(|e| e.to_string())?;
    let config = MerchantConfig::new(store.clone(), clock.clone(), random.clone())
        .await
        .map_err(|e| e.to_string())?;
    let merchant_id = match config
        .ensure_demo_merchant()
        .await
        .map_err(|e| e.to_string())?
    {
        DemoMerchant::Created { merchant_id, .. } | DemoMerchant::Existing { merchant_id } => {
            merchant_id
        }
    };
    store.close().await;
    Ok(merchant_id)
}

/// A loopback listener on a free port, and its URL.
async fn listen() -> Result<(tokio::net::TcpListener, String), String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let base = format!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    Ok((listener, base))
}

impl World {
    /// Builds the world on `db_url`: partners, demo merchant, cvgate, and the server, every
    /// random source forked from `rng`.
    pub async fn new(db_url: &str, rng: &mut Rng, rates: FaultRates) -> Result<World, String> {
        let db_url = DatabaseUrl::parse(db_url).map_err(|e| e.to_string())?;
        let clock = Arc::new(ManualClock::at(START));
        let dyn_clock: Arc<dyn Clock> = clock.clone();
        let app_random: SharedRandom = Arc::new(SeededRandom::new(rng.fork()));
        let sandbox_random: SharedRandom = Arc::new(SeededRandom::new(rng.fork()));
        let gate = Gate::new(rng.fork(), rates);
        let (listener, base) = listen().await?;
        // The partners: their own pool and worker, untouched by cvgate's crashes.
        let partners = Partners::open(&db_url, &dyn_clock, sandbox_random, &base).await?;
        let merchant_id = demo_merchant(&db_url, &dyn_clock, &app_random).await?;
        let notifications = Notifications::default();
        let env = AppEnv {
            db_url,
            clock: clock.clone(),
            random: app_random,
            gate: Arc::clone(&gate),
            base: base.clone(),
            router: Arc::new(Mutex::new(Router::new())),
            partners: partners.router(&notifications),
        };
        let app = build_app(&env).await?;
        let server = serve(listener, Arc::clone(&env.router));
        Ok(World {
            env,
            clock,
            gate,
            base,
            ancv_sandbox: partners.ancv_sandbox,
            card_sandbox: partners.card_sandbox,
            sandbox_worker: partners.worker,
            sandbox_store: partners.store,
            server,
            app,
            merchant_id,
            restarts: 0,
            notifications,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| e.to_string())?,
        })
    }

    /// The simulated time now.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Runs a step of cvgate's; `None` when a partner call crashed cvgate on the way (the
    /// step's future is then dropped: call [`World::restart`]).
    pub async fn drive<T>(&self, step: impl Future<Output = T>) -> Option<T> {
        self.gate.allow_crashes(true);
        let outcome = tokio::select! {
            biased;
            () = self.gate.crashed() => None,
            out = step => Some(out),
        };
        self.gate.allow_crashes(false);
        outcome
    }

    /// cvgate died: a new process starts on the same database, with its own pool; what the dead
    /// one leased stays leased until its lease runs out.
    pub async fn restart(&mut self) -> Result<(), String> {
        self.gate.take_crash();
        let app = build_app(&self.env).await?;
        let dead = std::mem::replace(&mut self.app, app);
        dead.store.close().await;
        self.gate.resume();
        self.restarts += 1;
        Ok(())
    }

    /// Stops the server and closes every database connection (a run leaves nothing behind).
    pub async fn shut_down(self) {
        self.server.abort();
        self.app.store.close().await;
        self.sandbox_store.close().await;
    }

    /// Runs the partners' due jobs (notifications, automatic behaviours, expiries).
    pub async fn run_sandbox_jobs(&self) -> Result<usize, StoreError> {
        self.sandbox_worker.run_due().await
    }
}

fn seal_key() -> SealKey {
    SealKey::new("ver001", SEAL_KEY).expect("the published test key is valid")
}

/// Serves whatever router is current (it is swapped when cvgate restarts).
fn serve(
    listener: tokio::net::TcpListener,
    current: Arc<Mutex<Router>>,
) -> tokio::task::JoinHandle<()> {
    let dispatch = tower::service_fn(move |request: Request| {
        let mut router = current.lock().unwrap_or_else(|p| p.into_inner()).clone();
        async move { tower::Service::call(&mut router, request).await }
    });
    let app = Router::new().fallback_service(dispatch);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    })
}

/// Builds cvgate on the database, as a (re)started process does, and routes requests to it.
async fn build_app(env: &AppEnv) -> Result<App, String> {
    let store = Store::open(&env.db_url).await.map_err(|e| e.to_string())?;
    let clock: Arc<dyn Clock> = env.clock.clone();
    let random = env.random.clone();
    let base = &env.base;
    let ancv = ancv_payments(env, &store, &clock)?;
    let card = card_payments(env, &store, &clock)?;
    let notifications = NotificationPolicy::default();
    let web_payments = WebPayments::new(
        store.clone(),
        clock.clone(),
        random.clone(),
        ancv.clone(),
        card.clone(),
        base.clone(),
        notifications,
    );
    let after_sale = AfterSale::new(
        store.clone(),
        clock.clone(),
        random.clone(),
        ancv.clone(),
        card.clone(),
        notifications,
    );
    let worker = worker(&store, &clock, &ancv, &card, &web_payments, &after_sale);
    let config = MerchantConfig::new(store.clone(), clock, random)
        .await
        .map_err(|e| e.to_string())?;
    let router = web::app(
        AppState::new(config, web_payments.clone(), after_sale.clone(), base).in_homologation(),
        Extras::default(),
    )
    .merge(env.partners.clone())
    .layer(axum::middleware::from_fn_with_state(
        Arc::clone(&env.gate),
        gate::gate,
    ));
    *env.router.lock().unwrap_or_else(|p| p.into_inner()) = router;
    Ok(App {
        store,
        web_payments,
        after_sale,
        worker,
    })
}

/// cvgate's ANCV side, calling the ANCV sandbox through the gate.
fn ancv_payments(
    env: &AppEnv,
    store: &Store,
    clock: &Arc<dyn Clock>,
) -> Result<AncvPayments, String> {
    let base = &env.base;
    let client = AncvClient::new(
        ClientConfig {
            base_url: format!("{base}/sandbox/ancv{}", ancv::API_PATH),
            service_provider_id: ancv_sandbox::seed::DEFAULT_SERVICE_PROVIDER_ID.into(),
            seal_key: seal_key(),
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(10),
        },
        clock.clone(),
    )
    .map_err(|e| e.to_string())?;
    Ok(AncvPayments::new(
        store.clone(),
        clock.clone(),
        env.random.clone(),
        AncvPaymentsConfig {
            client,
            notification_keys: SealKeyring::new(vec![seal_key()]),
            notification_url: format!("{base}{}", web::partner::ANCV_NOTIFICATIONS),
            poll_interval_ms: 3_000,
        },
    ))
}

/// cvgate's card side, calling the card sandbox's acquirer API through the gate.
fn card_payments(
    env: &AppEnv,
    store: &Store,
    clock: &Arc<dyn Clock>,
) -> Result<CardPayments, String> {
    let acquirer = HttpAcquirer::new(HttpAcquirerConfig {
        base_url: format!("{}{API_MOUNT}", env.base),
        connect_timeout: Duration::from_secs(5),
        read_timeout: Duration::from_secs(10),
    })
    .map_err(|e| e.to_string())?;
    Ok(CardPayments::new(
        store.clone(),
        clock.clone(),
        env.random.clone(),
        Arc::new(acquirer),
        CardPaymentsConfig::default(),
    ))
}

/// cvgate's job worker, with every service's handlers.
fn worker(
    store: &Store,
    clock: &Arc<dyn Clock>,
    ancv: &AncvPayments,
    card: &CardPayments,
    web_payments: &WebPayments,
    after_sale: &AfterSale,
) -> Worker {
    let mut worker = Worker::new(store.clone(), clock.clone());
    for handler in gateway::job_wiring::all_job_handlers(ancv, card, web_payments, after_sale) {
        worker.register(handler);
    }
    worker
}
