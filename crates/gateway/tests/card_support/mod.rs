//! What the card payment suites share: a database, a merchant with card contracts, the card
//! sandbox served over loopback, the HTTP connector, the service, a worker and a manual clock.
//! The server also plays cvgate's 3-D Secure return page (`/return`), which completes the
//! challenge and shows the result code in `#result`.

#![allow(dead_code)] // each suite uses its part

use axum::Router;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use card::{Acquirer, Action, HttpAcquirer, HttpAcquirerConfig};
use card_sandbox::SandboxCardTransaction;
use card_sandbox::{CardSandbox, CardSandboxConfig};
use domain::card::CardInput;
use domain::clock::{ManualClock, Timestamp};
use domain::contract::{Contract, ContractRequest};
use domain::merchant::MerchantId;
use domain::money::Currency;
use domain::random::OsRandom;
use gateway::MerchantConfig;
use gateway::card_payments::{CardPayments, CardPaymentsConfig, PayRequest};
use jobs::Worker;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use store::{DatabaseUrl, Store};
use testkit::TestDb;

/// 2026-11-27T10:15:30Z: cards expiring `1230` are valid, `1026` expired.
pub const NOW: Timestamp = Timestamp(1_795_774_530_000);
pub const DAY_MS: i64 = 24 * 3600 * 1000;
pub const VALID_EXPIRY: &str = "1230";

pub struct Harness {
    pub payments: CardPayments,
    pub sandbox: CardSandbox,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    pub worker: Worker,
    pub base: String,
    pub merchant: MerchantId,
    /// A `CB` contract and a `VISA` one.
    pub cb: Contract,
    pub visa: Contract,
}

pub struct Options {
    /// How long the connector waits for an answer.
    pub read_timeout: Duration,
    /// Wraps the HTTP connector (to simulate a flaky network).
    pub wrap: fn(Arc<dyn Acquirer>) -> Arc<dyn Acquirer>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            read_timeout: Duration::from_secs(5),
            wrap: |acquirer| acquirer,
        }
    }
}

impl Harness {
    pub async fn start(db: &TestDb) -> Harness {
        Harness::start_with(db, Options::default()).await
    }

    pub async fn start_with(db: &TestDb, options: Options) -> Harness {
        let store = Store::open(&DatabaseUrl::parse(&db.url).unwrap())
            .await
            .unwrap();
        let clock = Arc::new(ManualClock::at(NOW));
        let config = MerchantConfig::new(store.clone(), clock.clone(), Arc::new(OsRandom))
            .await
            .unwrap();
        let (merchant, _) = config.create_merchant("Card shop").await.unwrap();
        let id = merchant.id.as_str();
        let pos = config
            .create_point_of_sale(id, "Main", None, None)
            .await
            .unwrap()
            .id;
        let contract = |number: &str, card_code: &str| ContractRequest {
            number: number.into(),
            card_code: card_code.into(),
            ..ContractRequest::default()
        };
        let cb = config
            .create_contract(id, pos, &contract("CB-1", "CB"))
            .await
            .unwrap();
        let visa = config
            .create_contract(id, pos, &contract("VISA-1", "VISA"))
            .await
            .unwrap();

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let sandbox = CardSandbox::open(
            store.clone(),
            clock.clone(),
            Arc::new(OsRandom),
            CardSandboxConfig {
                acs_base_url: format!("{base}/sandbox/acs"),
            },
        )
        .await
        .unwrap();
        let connector = HttpAcquirer::new(HttpAcquirerConfig {
            base_url: format!("{base}/sandbox/card"),
            connect_timeout: Duration::from_secs(2),
            read_timeout: options.read_timeout,
        })
        .unwrap();
        let payments = CardPayments::new(
            store.clone(),
            clock.clone(),
            Arc::new(OsRandom),
            (options.wrap)(Arc::new(connector)),
            CardPaymentsConfig::default(),
        );
        let app = sandbox.router().merge(
            Router::new()
                .route("/return", get(three_ds_return))
                .with_state(payments.clone()),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        let mut worker = Worker::new(store.clone(), clock.clone());
        for handler in payments.job_handlers() {
            worker.register(handler);
        }
        Harness {
            payments,
            sandbox,
            store,
            clock,
            worker,
            base,
            merchant: merchant.id,
            cb,
            visa,
        }
    }

    /// A 10.00 EUR authorization (action 100) with a frictionless card, no session.
    pub fn authorization(&self) -> PayRequest {
        PayRequest {
            action: Action::Authorization,
            ..self.sale()
        }
    }

    /// A 10.00 EUR authorization and capture (action 101) with a frictionless card, no session.
    pub fn sale(&self) -> PayRequest {
        self.request(None, "4970100000000006", VALID_EXPIRY, "123")
    }

    /// The sandbox's ledger row for a transaction.
    pub async fn ledger(&self, reference: &str) -> SandboxCardTransaction {
        let ledger = self.sandbox.ledger().await.unwrap();
        ledger
            .into_iter()
            .find(|row| row.reference == reference)
            .expect("the acquirer knows the transaction")
    }

    /// A 10.00 EUR payment (action 101) on the CB contract, in session `group`.
    pub fn request(
        &self,
        group: Option<&str>,
        number: &str,
        expiry: &str,
        cvv: &str,
    ) -> PayRequest {
        PayRequest {
            merchant_id: self.merchant.clone(),
            contract: self.cb.clone(),
            order_ref: "ORDER-1".into(),
            amount: 1000,
            currency: Currency::EUR,
            action: Action::AuthorizationAndCapture,
            attempt_group: group.map(str::to_owned),
            three_ds_return_url: Some(format!("{}/return", self.base)),
            card: CardInput::new(number, expiry, cvv),
        }
    }
}

/// How many rows of `table` the database holds.
pub async fn rows(db: &TestDb, table: &str) -> usize {
    let prefix = format!("{table}:");
    testkit::dump_database(db)
        .await
        .0
        .lines()
        .filter(|line| line.starts_with(&prefix))
        .count()
}

/// cvgate's return page, as the hosted page will do it: complete, then show the code.
async fn three_ds_return(
    State(payments): State<CardPayments>,
    Query(query): Query<HashMap<String, String>>,
) -> Html<String> {
    let code = match query.get(card::CHALLENGE_PARAM) {
        Some(challenge) => match payments.complete_three_ds(challenge).await {
            Ok(tx) => tx.result_code().code().to_owned(),
            Err(error) => format!("error: {error}"),
        },
        None => "no challenge".to_owned(),
    };
    Html(format!(
        "<!doctype html><html><body><p id=\"result\">{code}</p></body></html>"
    ))
}
