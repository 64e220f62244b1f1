//! Shared test harness: the sandbox served on a loopback port, driven by the real connector
//! (`ancv::AncvClient`) and by raw sealed calls, a receiver recording the notifications, and a
//! job worker run by hand after moving a manual clock — never a sleep.
#![allow(dead_code)]

use ancv::client::{NewTransaction, SEAL_HEADER};
use ancv::seal::Operation;
use ancv::wire::{Amount, Transaction};
use ancv::{AncvClient, AncvError, ClientConfig, ErrorCode, SealKey, SealKeyring};
use ancv_sandbox::{Sandbox, SandboxConfig};
use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use domain::clock::{Clock, ManualClock, Timestamp};
use domain::random::OsRandom;
use jobs::Worker;
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use store::{DatabaseUrl, Store};
use testkit::TestDb;

/// Distinctive values, so that a test can look for them in logs and dumps.
pub const SEAL_KEY: &str = "sbx-seal-key-7f3a9c2e51d04b86";
pub const NOTIFICATION_KEY: &str = "sbx-notify-key-e8b1d6a4c3f2";
pub const SP: &str = "900001";
pub const SHOP: &str = "20000001";
pub const CODE: &str = "1234";
/// 2026-11-27T10:15:30.123Z
pub const START: Timestamp = Timestamp(1_795_774_530_123);
pub const WINDOW_MS: i64 = 300_000;

pub fn api_key() -> SealKey {
    SealKey::new("ver001", SEAL_KEY).unwrap()
}

pub fn notification_key() -> SealKey {
    SealKey::new("ver001", NOTIFICATION_KEY).unwrap()
}

pub struct Harness {
    pub db: TestDb,
    pub store: Store,
    pub sandbox: Sandbox,
    pub clock: Arc<ManualClock>,
    pub worker: Worker,
    /// `http://127.0.0.1:PORT` where the sandbox router is served.
    pub base: String,
    pub client: AncvClient,
    pub receiver: Receiver,
    pub http: reqwest::Client,
}

impl Harness {
    pub async fn start(db: TestDb) -> Harness {
        Harness::start_with(db, |_| {}).await
    }

    pub async fn start_with(db: TestDb, tweak: impl FnOnce(&mut SandboxConfig)) -> Harness {
        let store = Store::open(&DatabaseUrl::parse(&db.url).unwrap())
            .await
            .unwrap();
        let clock = Arc::new(ManualClock::at(START));
        let mut config = SandboxConfig::new(SP, api_key());
        config.notification_key = notification_key();
        tweak(&mut config);
        let sandbox = Sandbox::open(
            store.clone(),
            clock.clone() as Arc<dyn Clock>,
            Arc::new(OsRandom),
            config,
        )
        .await
        .unwrap();
        sandbox.seed_test_data().await.unwrap();
        let mut worker = Worker::new(store.clone(), clock.clone() as Arc<dyn Clock>);
        for handler in sandbox.job_handlers() {
            worker.register(handler);
        }
        let base = serve(sandbox.router()).await;
        let receiver = Receiver::start().await;
        let mut harness = Harness {
            db,
            store,
            sandbox,
            clock,
            worker,
            client: dummy_client(),
            base,
            receiver,
            http: reqwest::Client::new(),
        };
        harness.client = harness.client_with(SP, api_key());
        harness
    }

    pub fn api_base(&self) -> String {
        format!("{}{}", self.base, ancv::API_PATH)
    }

    pub fn client_with(&self, service_provider_id: &str, key: SealKey) -> AncvClient {
        self.client_timing_out_after(service_provider_id, key, Duration::from_secs(10))
    }

    pub fn client_timing_out_after(
        &self,
        service_provider_id: &str,
        key: SealKey,
        read_timeout: Duration,
    ) -> AncvClient {
        AncvClient::new(
            ClientConfig {
                base_url: self.api_base(),
                service_provider_id: service_provider_id.to_owned(),
                seal_key: key,
                connect_timeout: Duration::from_secs(5),
                read_timeout,
            },
            self.clock.clone() as Arc<dyn Clock>,
        )
        .unwrap()
    }

    /// Runs every job due now.
    pub async fn run_jobs(&self) -> usize {
        self.worker.run_due().await.unwrap()
    }

    /// Moves the clock, then runs what became due.
    pub async fn advance(&self, millis: i64) -> usize {
        self.clock.advance_millis(millis);
        self.run_jobs().await
    }

    pub fn order(&self, payment_id: &str, amount: i64) -> NewTransaction {
        NewTransaction {
            shop_id: SHOP.to_owned(),
            order_ref: format!("ORDER-{payment_id}"),
            payment_id: payment_id.to_owned(),
            label: Some("Hôtel du Lac".to_owned()),
            amount: Amount::eur(amount),
            notification_url: self.receiver.url("/notify"),
        }
    }

    /// Created through the connector (both redirect URLs = `/notify`).
    pub async fn create(&self, payment_id: &str, amount: i64) -> Transaction {
        self.client
            .create(&self.order(payment_id, amount))
            .await
            .unwrap()
    }

    /// Created and sent to `beneficiary`'s app.
    pub async fn pending(&self, payment_id: &str, amount: i64, beneficiary: &str) -> Transaction {
        let created = self.create(payment_id, amount).await;
        let pending = self
            .client
            .attach_payer(&created.id, beneficiary, Amount::eur(amount))
            .await
            .unwrap();
        assert_eq!(pending.state, ancv::TransactionState::Processing);
        pending
    }

    /// Validated in the app by camille (manual, code 1234) for the full amount.
    pub async fn validated(&self, payment_id: &str, amount: i64) -> Transaction {
        let pending = self.pending(payment_id, amount, "10000000001").await;
        let (status, body) = self.app_validate(&pending.id, CODE, None).await;
        assert_eq!(status, 200, "{body}");
        self.client.status(&pending.id).await.unwrap()
    }

    /// A create body with distinct return and cancel URLs (`/return`, `/cancel`), to check where
    /// each notification goes.
    pub fn create_body(&self, payment_id: &str, amount: i64) -> Value {
        json!({
            "merchant": {"shopId": SHOP, "serviceProviderId": SP},
            "order": {"id": format!("ORDER-{payment_id}"), "paymentId": payment_id, "label": "Camping des Pins",
                      "amount": {"total": amount, "currency": 978}},
            "paymentMethod": {"tspdMode": "001", "captureMode": "NORMAL"},
            "redirectUrls": {"returnUrl": self.receiver.url("/return"), "cancelUrl": self.receiver.url("/cancel")},
            "requestDate": self.clock.now().to_rfc3339(),
        })
    }

    /// Creates from a raw body (sealed correctly); the transaction as answered.
    pub async fn create_raw(&self, body: Value) -> Transaction {
        let (status, answer) = self
            .sealed(
                Method::POST,
                "/payment-transactions/",
                Operation::Create,
                Some(body),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
        serde_json::from_value(answer["transaction"].clone()).unwrap()
    }

    /// A call sealed with the API key over `body` (or over nothing).
    pub async fn sealed(
        &self,
        method: Method,
        path: &str,
        operation: Operation<'_>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let seal = api_key().seal(&operation.fields(body.as_ref().unwrap_or(&Value::Null)));
        let bytes = body.map(|body| serde_json::to_vec(&body).unwrap());
        self.raw(method, path, bytes, Some(&seal)).await
    }

    /// Any call to the ANCV API (path relative to `/acquisition/api/public/v1`).
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        seal: Option<&str>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.api_base()));
        if let Some(seal) = seal {
            request = request.header(SEAL_HEADER, seal);
        }
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        read(request).await
    }

    /// Any call to the sandbox outside the ANCV API (`/admin/…`, `/app/api/…`).
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request).await
    }

    pub async fn app_validate(&self, id: &str, code: &str, amount: Option<i64>) -> (u16, Value) {
        let mut body = json!({"secretCode": code});
        if let Some(amount) = amount {
            body["amount"] = json!(amount);
        }
        self.call(
            Method::POST,
            &format!("/app/api/requests/{id}/validate"),
            Some(body),
        )
        .await
    }

    pub async fn app_decline(&self, id: &str, code: &str) -> (u16, Value) {
        self.call(
            Method::POST,
            &format!("/app/api/requests/{id}/decline"),
            Some(json!({"secretCode": code})),
        )
        .await
    }

    pub async fn balance(&self, beneficiary: &str) -> i64 {
        self.sandbox.beneficiary(beneficiary).await.unwrap().balance
    }

    pub async fn state(&self, id: &str) -> ancv::TransactionState {
        self.client.status(id).await.unwrap().state
    }
}

async fn read(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A client that is replaced before use (the harness needs its own address first).
fn dummy_client() -> AncvClient {
    AncvClient::new(
        ClientConfig {
            base_url: "http://127.0.0.1:9".into(),
            service_provider_id: SP.into(),
            seal_key: api_key(),
            connect_timeout: Duration::from_secs(1),
            read_timeout: Duration::from_secs(1),
        },
        Arc::new(ManualClock::at(START)),
    )
    .unwrap()
}

/// Serves `router` on a loopback port; returns its base URL.
pub async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    format!("http://{address}")
}

/// The refusal code of a connector call that must fail.
pub fn refusal<T: std::fmt::Debug>(outcome: Result<T, AncvError>) -> ErrorCode {
    match outcome {
        Err(AncvError::Refused { code, .. }) => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// One notification as the merchant received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub seal: Option<String>,
    pub content_type: Option<String>,
    pub body: Value,
}

impl Received {
    pub fn state(&self) -> String {
        self.body["transaction"]["state"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn transaction_id(&self) -> String {
        self.body["transaction"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Whether the seal verifies with the notification key.
    pub fn seal_verifies_with(&self, key: SealKey) -> bool {
        SealKeyring::new(vec![key])
            .verify(
                self.seal.as_deref(),
                &Operation::Notification.fields(&self.body),
            )
            .is_ok()
    }
}

#[derive(Default)]
struct ReceiverState {
    received: Mutex<Vec<Received>>,
    fail_next: AtomicUsize,
    fail_always: AtomicBool,
}

/// The merchant's notification endpoint: records every POST, answers 500 when told to.
#[derive(Clone)]
pub struct Receiver {
    base: String,
    state: Arc<ReceiverState>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let state = Arc::new(ReceiverState::default());
        let recording = state.clone();
        let router = Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
            let state = recording.clone();
            async move {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|value| value.to_str().ok())
                        .map(str::to_owned)
                };
                state.received.lock().unwrap().push(Received {
                    path: uri.path().to_owned(),
                    seal: header(SEAL_HEADER),
                    content_type: header("content-type"),
                    body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                });
                let failing = state.fail_always.load(Ordering::SeqCst)
                    || state
                        .fail_next
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                if failing {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        });
        Receiver {
            base: serve(router).await,
            state,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    /// (path, state) of each notification received, in order.
    pub fn states(&self) -> Vec<(String, String)> {
        self.received()
            .iter()
            .map(|r| (r.path.clone(), r.state()))
            .collect()
    }

    /// (path, state) of the notifications about one transaction.
    pub fn states_of(&self, id: &str) -> Vec<(String, String)> {
        self.received()
            .iter()
            .filter(|r| r.transaction_id() == id)
            .map(|r| (r.path.clone(), r.state()))
            .collect()
    }

    pub fn fail_next(&self, count: usize) {
        self.state.fail_next.store(count, Ordering::SeqCst);
    }

    pub fn fail_always(&self, failing: bool) {
        self.state.fail_always.store(failing, Ordering::SeqCst);
    }
}

pub fn pair(path: &str, state: &str) -> (String, String) {
    (path.to_owned(), state.to_owned())
}
