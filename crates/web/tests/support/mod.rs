//! The whole application in one test: cvgate's routes and the ANCV sandbox on one loopback
//! port (as `cvgate serve` mounts them), a `ManualClock`, and a job worker the test drains
//! instead of sleeping.

#![allow(dead_code)]

use ancv::{AncvClient, ClientConfig, SealKey, SealKeyring};
use ancv_sandbox::{Sandbox, SandboxConfig};
use card::{HttpAcquirer, HttpAcquirerConfig};
use card_sandbox::{ACS_MOUNT, API_MOUNT, CardSandbox, CardSandboxConfig};
use domain::access_key::AccessKey;
use domain::clock::{Clock, ManualClock, Timestamp};
use domain::merchant::MerchantId;
use domain::random::OsRandom;
use gateway::MerchantConfig;
use gateway::after_sale::AfterSale;
use gateway::ancv_payments::{AncvPayments, AncvPaymentsConfig};
use gateway::card_payments::{CardPayments, CardPaymentsConfig};
use gateway::demo::DemoMerchant;
use gateway::web_payments::{NotificationPolicy, WebPayments};
use jobs::Worker;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use store::{DatabaseUrl, Store};
use testkit::TestDb;
use web::{AppState, Extras};

pub const SEAL_KEY: &str = ancv_sandbox::seed::PUBLISHED_SEAL_KEY;
/// 2026-11-27T10:00:00Z.
pub const START: Timestamp = Timestamp(1_795_773_600_000);

/// How the whole application is put together for a test.
pub struct Options {
    pub notifications: NotificationPolicy,
    /// How long cvgate's connectors wait for the sandboxes' answers.
    pub partner_read_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            notifications: NotificationPolicy::default(),
            partner_read_timeout: Duration::from_secs(5),
        }
    }
}

/// The back office of a fresh database, with its demo merchant and that merchant's access key.
async fn demo_merchant(
    store: &Store,
    clock: &Arc<dyn Clock>,
) -> (MerchantConfig, MerchantId, AccessKey) {
    let config = MerchantConfig::new(store.clone(), clock.clone(), Arc::new(OsRandom))
        .await
        .unwrap();
    let DemoMerchant::Created {
        merchant_id,
        access_key,
    } = config.ensure_demo_merchant().await.unwrap()
    else {
        panic!("a fresh database has no demo merchant")
    };
    (config, merchant_id, access_key)
}

/// What the partner connectors and sandboxes of a harness share: the store, the clock, the
/// loopback base URL they are mounted under, and how long cvgate waits for their answers.
struct Partners<'a> {
    store: &'a Store,
    clock: &'a Arc<dyn Clock>,
    base: &'a str,
    read_timeout: Duration,
}

impl Partners<'_> {
    /// cvgate's ANCV Connect payments, talking to the ANCV sandbox mounted at `/sandbox/ancv`.
    fn ancv_payments(&self, key: &SealKey) -> AncvPayments {
        let base = self.base;
        let client = AncvClient::new(
            ClientConfig {
                base_url: format!("{base}/sandbox/ancv{}", ancv::API_PATH),
                service_provider_id: "900001".into(),
                seal_key: key.clone(),
                connect_timeout: Duration::from_secs(5),
                read_timeout: self.read_timeout,
            },
            self.clock.clone(),
        )
        .unwrap();
        AncvPayments::new(
            self.store.clone(),
            self.clock.clone(),
            Arc::new(OsRandom),
            AncvPaymentsConfig {
                client,
                notification_keys: SealKeyring::new(vec![key.clone()]),
                notification_url: format!("{base}{}", web::partner::ANCV_NOTIFICATIONS),
                poll_interval_ms: 3_000,
            },
        )
    }

    /// The card sandbox (acquirer API and ACS).
    async fn card_sandbox(&self) -> CardSandbox {
        CardSandbox::open(
            self.store.clone(),
            self.clock.clone(),
            Arc::new(OsRandom),
            CardSandboxConfig {
                acs_base_url: format!("{}{ACS_MOUNT}", self.base),
            },
        )
        .await
        .unwrap()
    }

    /// cvgate's card payments, talking to the card sandbox's acquirer API.
    fn card_payments(&self) -> CardPayments {
        let acquirer = HttpAcquirer::new(HttpAcquirerConfig {
            base_url: format!("{}{API_MOUNT}", self.base),
            connect_timeout: Duration::from_secs(5),
            read_timeout: self.read_timeout,
        })
        .unwrap();
        CardPayments::new(
            self.store.clone(),
            self.clock.clone(),
            Arc::new(OsRandom),
            Arc::new(acquirer),
            CardPaymentsConfig::default(),
        )
    }

    /// The ANCV sandbox, seeded with its test beneficiaries.
    async fn ancv_sandbox(&self, key: SealKey) -> Sandbox {
        let sandbox = Sandbox::open(
            self.store.clone(),
            self.clock.clone(),
            Arc::new(OsRandom),
            SandboxConfig::new("900001", key),
        )
        .await
        .unwrap();
        sandbox.seed_test_data().await.unwrap();
        sandbox
    }
}

pub struct Harness {
    pub address: SocketAddr,
    pub base: String,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    pub worker: Worker,
    pub sandbox: Sandbox,
    pub card_sandbox: CardSandbox,
    pub web_payments: WebPayments,
    pub after_sale: AfterSale,
    pub merchant_id: MerchantId,
    pub access_key: AccessKey,
    pub http: reqwest::Client,
}

impl Harness {
    pub async fn start(db: &TestDb) -> Harness {
        Harness::start_with(db, NotificationPolicy::default()).await
    }

    /// With another merchant notification policy (e.g. production's: public addresses only).
    pub async fn start_with(db: &TestDb, notifications: NotificationPolicy) -> Harness {
        Harness::start_with_options(
            db,
            Options {
                notifications,
                ..Options::default()
            },
        )
        .await
    }

    pub async fn start_with_options(db: &TestDb, options: Options) -> Harness {
        let Options {
            notifications,
            partner_read_timeout,
        } = options;
        let store = Store::open(&DatabaseUrl::parse(&db.url).unwrap())
            .await
            .unwrap();
        let clock = Arc::new(ManualClock::at(START));
        let dyn_clock: Arc<dyn Clock> = clock.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let base = format!("http://{address}");
        let key = SealKey::new("ver001", SEAL_KEY).unwrap();

        let (config, merchant_id, access_key) = demo_merchant(&store, &dyn_clock).await;
        let partners = Partners {
            store: &store,
            clock: &dyn_clock,
            base: &base,
            read_timeout: partner_read_timeout,
        };
        let mut worker = Worker::new(store.clone(), dyn_clock.clone());
        let ancv = partners.ancv_payments(&key);
        let card_sandbox = partners.card_sandbox().await;
        let card = partners.card_payments();
        let web_payments = WebPayments::new(
            store.clone(),
            dyn_clock.clone(),
            Arc::new(OsRandom),
            ancv.clone(),
            card.clone(),
            base.clone(),
            notifications,
        );
        let sandbox = partners.ancv_sandbox(key).await;
        let after_sale = AfterSale::new(
            store.clone(),
            dyn_clock.clone(),
            Arc::new(OsRandom),
            ancv.clone(),
            card.clone(),
            notifications,
        );
        let handlers = ancv
            .job_handlers()
            .into_iter()
            .chain(card.job_handlers())
            .chain(web_payments.job_handlers())
            .chain(after_sale.job_handlers())
            .chain(sandbox.job_handlers());
        for handler in handlers {
            worker.register(handler);
        }
        let app = web::app(
            AppState::new(config, web_payments.clone(), after_sale.clone(), &base)
                .in_homologation()
                .with_job_metrics(worker.metrics()),
            homologation_extras(&sandbox, &card_sandbox, &web_payments, &merchant_id, &base),
        )
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(axum::serve(listener, app).into_future());
        Harness {
            address,
            base,
            store,
            clock,
            worker,
            sandbox,
            card_sandbox,
            web_payments,
            after_sale,
            merchant_id,
            access_key,
            http: reqwest::Client::new(),
        }
    }

    /// Runs every job due now (deliveries, polls, …); returns how many ran.
    pub async fn run_jobs(&self) -> usize {
        self.worker.run_due().await.unwrap()
    }

    /// Moves the clock, then runs what became due.
    pub async fn advance(&self, millis: i64) -> usize {
        self.clock.advance_millis(millis);
        self.run_jobs().await
    }

    pub fn ancv(&self) -> &AncvPayments {
        self.web_payments.ancv()
    }

    /// POSTs a SOAP envelope as the demo merchant; returns status and body.
    pub async fn soap(&self, api: &str, envelope: &str) -> (u16, String) {
        let response = self
            .http
            .post(format!("{}/V4/services/{api}", self.base))
            .basic_auth(self.merchant_id.as_str(), Some(self.access_key.expose()))
            .header("Content-Type", "text/xml; charset=utf-8")
            .body(envelope.to_owned())
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }
}

/// Homologation's routers beside cvgate: both sandboxes and the demo shop.
fn homologation_extras(
    sandbox: &Sandbox,
    card_sandbox: &CardSandbox,
    web_payments: &WebPayments,
    merchant_id: &MerchantId,
    base: &str,
) -> Extras {
    Extras {
        ancv_sandbox: Some(sandbox.router()),
        card_sandbox: Some(card_sandbox.router()),
        demo_shop: Some(web::demo_shop::router(
            web_payments.clone(),
            merchant_id.clone(),
            base,
        )),
    }
}

/// A `doWebPayment` request of the demo merchant: ANCV-DEMO then CB-DEMO, 60.00 €.
pub fn web_payment_request(amount: i64) -> domain::web_payment::WebPaymentRequest {
    use domain::web_payment::request::{BuyerInput, OrderInput, PaymentInput, WebPaymentRequest};
    WebPaymentRequest {
        version: Some("34".into()),
        payment: Some(PaymentInput {
            amount: Some(amount.to_string()),
            currency: Some("978".into()),
            action: Some("101".into()),
            mode: Some("CPT".into()),
            contract_number: Some("ANCV-DEMO".into()),
            ..PaymentInput::default()
        }),
        return_url: Some("https://shop.example/return".into()),
        cancel_url: Some("https://shop.example/cancel".into()),
        order: Some(OrderInput {
            reference: Some("order-1".into()),
            amount: Some(amount.to_string()),
            currency: Some("978".into()),
            date: Some("27/11/2026 11:00".into()),
        }),
        selected_contracts: vec!["ANCV-DEMO".into(), "CB-DEMO".into()],
        buyer: BuyerInput {
            email: Some("camille.martin@example.com".into()),
            ..BuyerInput::default()
        },
        ..WebPaymentRequest::default()
    }
}

impl Harness {
    /// A web payment whose buyer asked the app of `beneficiary`; returns the token and the
    /// ANCV payment.
    pub async fn ancv_session(
        &self,
        beneficiary: &str,
        amount: i64,
    ) -> (String, domain::ancv_payment::AncvPayment) {
        let (token, _) = self
            .web_payments
            .create(&self.merchant_id, &web_payment_request(amount))
            .await
            .unwrap();
        let snapshot = self
            .web_payments
            .start_ancv(&token, beneficiary)
            .await
            .unwrap();
        (
            token,
            snapshot.ancv.expect("the session has its ANCV payment"),
        )
    }
}

/// A `doWebPayment` envelope as a Payline client sends it (prefixes, nils), with the demo
/// merchant's contracts.
pub struct DoWebPayment<'a> {
    pub amount: i64,
    pub contract: &'a str,
    pub selected: &'a [&'a str],
    pub email: Option<&'a str>,
    pub notification_url: Option<&'a str>,
    pub language: &'a str,
    pub action: &'a str,
    pub return_url: &'a str,
}

impl Default for DoWebPayment<'_> {
    fn default() -> Self {
        DoWebPayment {
            amount: 6_000,
            contract: "ANCV-DEMO",
            selected: &["ANCV-DEMO", "CB-DEMO"],
            email: Some("camille.martin@example.com"),
            notification_url: None,
            language: "fr",
            action: "101",
            return_url: "https://shop.example/return",
        }
    }
}

impl DoWebPayment<'_> {
    pub fn envelope(&self) -> String {
        let nil = r#" xsi:nil="true"/>"#;
        let email = self.email.map_or(format!("<ns2:email{nil}"), |e| {
            format!("<ns2:email>{e}</ns2:email>")
        });
        let notification = self
            .notification_url
            .map_or(format!("<ns1:notificationURL{nil}"), |u| {
                format!("<ns1:notificationURL>{u}</ns1:notificationURL>")
            });
        let selected: String = self
            .selected
            .iter()
            .map(|c| format!("<ns2:selectedContract>{c}</ns2:selectedContract>"))
            .collect();
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="http://impl.ws.payline.experian.com" xmlns:ns2="http://obj.ws.payline.experian.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><SOAP-ENV:Body><ns1:doWebPaymentRequest><ns1:version>34</ns1:version><ns1:payment><ns2:amount>{amount}</ns2:amount><ns2:currency>978</ns2:currency><ns2:action>{action}</ns2:action><ns2:mode>CPT</ns2:mode><ns2:contractNumber>{contract}</ns2:contractNumber><ns2:differedActionDate xsi:nil="true"/></ns1:payment><ns1:returnURL>{return_url}</ns1:returnURL><ns1:cancelURL>https://shop.example/cancel?from=pay</ns1:cancelURL><ns1:order><ns2:ref>order-42</ns2:ref><ns2:amount>{amount}</ns2:amount><ns2:currency>978</ns2:currency><ns2:date>27/11/2026 11:00</ns2:date><ns2:details/></ns1:order>{notification}<ns1:selectedContractList>{selected}</ns1:selectedContractList><ns1:secondSelectedContractList xsi:nil="true"/><ns1:privateDataList/><ns1:languageCode>{language}</ns1:languageCode><ns1:buyer><ns2:lastName>Martin</ns2:lastName><ns2:firstName>Camille</ns2:firstName>{email}</ns1:buyer></ns1:doWebPaymentRequest></SOAP-ENV:Body></SOAP-ENV:Envelope>"#,
            amount = self.amount,
            action = self.action,
            contract = self.contract,
            language = self.language,
            return_url = self.return_url,
        )
    }
}

pub fn details_envelope(token: &str) -> String {
    format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:impl="http://impl.ws.payline.experian.com"><soapenv:Body><impl:getWebPaymentDetailsRequest><impl:version>34</impl:version><impl:token>{token}</impl:token></impl:getWebPaymentDetailsRequest></soapenv:Body></soapenv:Envelope>"#
    )
}

/// The text of `path` (element names, any namespace) in a SOAP answer, e.g.
/// `["result", "code"]`.
pub fn soap_value(xml: &str, path: &[&str]) -> Option<String> {
    let doc = soap::xml::parse(xml.as_bytes()).expect("the answer is XML");
    let mut element = doc.child("Body")?.children.first()?;
    for name in path {
        element = element.child(name)?;
    }
    element.own_value().map(str::to_owned)
}

impl Harness {
    /// doWebPayment over SOAP; returns the token (panics unless 00000).
    pub async fn do_web_payment(&self, request: &DoWebPayment<'_>) -> String {
        let (status, body) = self.soap("WebPaymentAPI", &request.envelope()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            soap_value(&body, &["result", "code"]).as_deref(),
            Some("00000"),
            "{body}"
        );
        soap_value(&body, &["token"]).expect("a token")
    }

    /// The default doWebPayment with a merchant endpoint that fails `failures` times first: the
    /// token and the endpoint, to read the notifications it received.
    pub async fn notifying_web_payment(&self, failures: usize) -> (String, MerchantEndpoint) {
        let (url, merchant) = merchant_endpoint(failures).await;
        let token = self
            .do_web_payment(&DoWebPayment {
                notification_url: Some(&url),
                ..DoWebPayment::default()
            })
            .await;
        (token, merchant)
    }

    /// getWebPaymentDetails over SOAP: the raw answer.
    pub async fn details(&self, token: &str) -> String {
        let (status, body) = self.soap("WebPaymentAPI", &details_envelope(token)).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// GET the payment page (opening the session), returning its HTML.
    pub async fn page(&self, token: &str) -> String {
        let response = self
            .http
            .get(format!("{}/webpayment/{token}", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.text().await.unwrap()
    }

    /// POSTs a page form with the session's CSRF secret read from the page; returns the status
    /// and the `Location` of a redirect.
    pub async fn post_form(
        &self,
        token: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> (u16, Option<String>) {
        let html = self.page(token).await;
        let csrf = html
            .split(r#"name="csrf" value=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the page has a form")
            .to_owned();
        let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        form.extend_from_slice(fields);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let response = client
            .post(format!("{}/webpayment/{token}/{action}", self.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        let location = response
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned());
        (response.status().as_u16(), location)
    }
}

impl Harness {
    /// The transaction as the ANCV sandbox has it (through the real connector).
    pub async fn ancv_status(&self, ancv_id: &str) -> ancv::wire::Transaction {
        let client = AncvClient::new(
            ClientConfig {
                base_url: format!("{}/sandbox/ancv{}", self.base, ancv::API_PATH),
                service_provider_id: "900001".into(),
                seal_key: SealKey::new("ver001", SEAL_KEY).unwrap(),
                connect_timeout: Duration::from_secs(5),
                read_timeout: Duration::from_secs(5),
            },
            self.clock.clone(),
        )
        .unwrap();
        client.status(ancv_id).await.unwrap()
    }
}

/// Test cards: accepted frictionless, and accepted after a 3-D Secure challenge.
pub const CARD_OK: &str = "4970100000000006";
pub const CARD_CHALLENGE: &str = "4970100000000014";
/// The beneficiary who validates in the app by hand (balance 300.00 €).
pub const CAMILLE: &str = "10000000001";

/// The page's card form with a test card on CB-DEMO.
pub fn card_form(number: &str) -> [(&'static str, &str); 4] {
    [
        ("contract", "CB-DEMO"),
        ("number", number),
        ("expiry", "12/30"),
        ("cvv", "123"),
    ]
}

impl Harness {
    /// The buyer's side of a split payment on the page: camille validates `vouchers` cents in
    /// the app, then pays the rest with the frictionless test card.
    pub async fn pay_split(&self, token: &str, vouchers: i64) {
        self.validate_vouchers(token, vouchers).await;
        self.post_form(token, "card", &card_form(CARD_OK)).await;
    }

    /// On the page, camille asks for the app and validates `vouchers` cents there.
    pub async fn validate_vouchers(&self, token: &str, vouchers: i64) {
        self.post_form(token, "ancv", &[("beneficiary", CAMILLE)])
            .await;
        let snapshot = self.web_payments.snapshot(token).await.unwrap();
        let ancv_id = snapshot
            .ancv
            .expect("the app was asked")
            .ancv_id
            .expect("ANCV has the transaction");
        self.sandbox
            .validate_request(&ancv_id, "1234", Some(vouchers))
            .await
            .unwrap();
        self.run_jobs().await;
    }

    /// A split payment (doWebPayment over SOAP) where camille validated 25.00 € of 60.00 € in
    /// the app; returns the token.
    pub async fn partially_validated(&self) -> String {
        let token = self.do_web_payment(&DoWebPayment::default()).await;
        self.validate_vouchers(&token, 2_500).await;
        token
    }

    /// Pays the rest by the challenge card, the buyer passing the challenge and coming back;
    /// then the merchant's notification is sent, and sent again a minute later.
    pub async fn pay_after_a_challenge(&self, token: &str) {
        let acs = self.start_challenge(token).await;
        let back = answer_acs(&acs).await;
        self.http.get(&back).send().await.unwrap();
        self.run_jobs().await;
        self.advance(60_000).await;
    }

    /// Starts the challenge card on the page; returns the ACS page's URL.
    pub async fn start_challenge(&self, token: &str) -> String {
        let (status, location) = self
            .post_form(token, "card", &card_form(CARD_CHALLENGE))
            .await;
        assert_eq!(status, 303);
        let acs = location.expect("a redirect to the ACS");
        assert!(acs.contains("/sandbox/acs/"), "{acs}");
        acs
    }
}

/// The buyer types the right code on the ACS page; returns where the ACS sends the browser
/// (the hosted page's 3-D Secure return).
pub async fn answer_acs(acs: &str) -> String {
    let back = answer_acs_from_anywhere(acs).await;
    assert!(back.contains("/3ds?challenge="), "{back}");
    back
}

/// The buyer types the right code on the ACS page, whoever started the challenge; returns where
/// the ACS sends the browser.
pub async fn answer_acs_from_anywhere(acs: &str) -> String {
    let response = without_redirects()
        .post(acs)
        .form(&[("code", "1234")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// An HTTP client that shows redirects instead of following them.
pub fn without_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A notification call as the merchant got it: the full URL and its `Cvgate-Signature`.
pub type SignedCall = (String, Option<String>);

/// A merchant's notification endpoint that answers 500 `failures` times, then 200, recording
/// the query of every call.
#[derive(Clone, Default)]
pub struct MerchantEndpoint {
    pub calls: Arc<Mutex<Vec<HashMap<String, String>>>>,
    /// Each call's full URL and its `Cvgate-Signature` header, if any.
    pub signed: Arc<Mutex<Vec<SignedCall>>>,
    failures: Arc<Mutex<usize>>,
}

impl MerchantEndpoint {
    /// The calls of one `notificationType` (WEBTRS, TRS).
    pub fn calls_of(&self, notification_type: &str) -> Vec<HashMap<String, String>> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|call| {
                call.get("notificationType").map(String::as_str) == Some(notification_type)
            })
            .cloned()
            .collect()
    }
}

async fn notified(
    axum::extract::State(merchant): axum::extract::State<MerchantEndpoint>,
    axum::extract::Query(query): axum::extract::Query<HashMap<String, String>>,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
) -> axum::http::StatusCode {
    merchant.calls.lock().unwrap().push(query);
    let host = headers["host"].to_str().unwrap();
    let signature = headers
        .get("cvgate-signature")
        .map(|value| value.to_str().unwrap().to_owned());
    merchant
        .signed
        .lock()
        .unwrap()
        .push((format!("http://{host}{uri}"), signature));
    let mut failures = merchant.failures.lock().unwrap();
    if *failures > 0 {
        *failures -= 1;
        axum::http::StatusCode::INTERNAL_SERVER_ERROR
    } else {
        axum::http::StatusCode::OK
    }
}

/// Serves a [`MerchantEndpoint`] on loopback; returns its URL.
pub async fn merchant_endpoint(failures: usize) -> (String, MerchantEndpoint) {
    let merchant = MerchantEndpoint {
        failures: Arc::new(Mutex::new(failures)),
        ..MerchantEndpoint::default()
    };
    let app = axum::Router::new()
        .route("/notify", axum::routing::get(notified))
        .with_state(merchant.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, app).into_future());
    (url, merchant)
}

impl Harness {
    /// The ANCV and card transaction ids of a paid split payment (getWebPaymentDetails).
    pub async fn split_ids(&self, token: &str) -> (String, String) {
        let body = self.details(token).await;
        assert_eq!(
            soap_value(&body, &["result", "code"]).as_deref(),
            Some("00000"),
            "{body}"
        );
        let ancv = soap_value(&body, &["transaction", "id"]).unwrap();
        let card = soap_value(
            &body,
            &[
                "paymentAdditionalList",
                "paymentAdditional",
                "transaction",
                "id",
            ],
        )
        .unwrap();
        (ancv, card)
    }

    /// A harness whose connectors give up on a partner's answer after `millis`.
    pub async fn with_read_timeout(db: &TestDb, millis: u64) -> Harness {
        Harness::start_with_options(
            db,
            Options {
                partner_read_timeout: Duration::from_millis(millis),
                ..Options::default()
            },
        )
        .await
    }
}

/// Types `text` into the element matching `css` (browser tests).
pub async fn type_into(browser: &browser::Browser, css: &str, text: &str) {
    let element = browser.find(css).await.unwrap();
    element.send_keys(text).await.unwrap();
}

/// Asserts that the page does not scroll sideways (browser tests).
pub async fn assert_fits_the_screen(browser: &browser::Browser) {
    let fits = browser
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        fits,
        serde_json::json!(true),
        "nothing wider than the screen"
    );
}

/// Signs in to the back office from its sign-in form with a one-time password and replaces it
/// with `new_password` (browser tests); ends on the home page.
pub async fn first_back_office_sign_in(
    browser: &browser::Browser,
    email: &str,
    password: &str,
    new_password: &str,
) {
    let wait = std::time::Duration::from_secs(20);
    type_into(browser, "#email", email).await;
    type_into(browser, "#password", password).await;
    click(browser, "form button[type=submit]").await;
    browser.wait_for("#confirm", wait).await.unwrap();
    type_into(browser, "#current", password).await;
    for field in ["#new", "#confirm"] {
        type_into(browser, field, new_password).await;
    }
    click(browser, "form button[type=submit]").await;
    browser.wait_for(".facts", wait).await.unwrap();
}

/// Clicks the element matching `css` (browser tests).
pub async fn click(browser: &browser::Browser, css: &str) {
    browser.find(css).await.unwrap().click().await.unwrap();
}

/// A page as a buyer gets it: no critical or serious axe-core violation; with
/// `CVGATE_SCREENSHOTS=<folder>`, a full-page screenshot `<name>.png` there to look at.
pub async fn check_page(browser: &browser::Browser, name: &str) {
    if let Ok(dir) = std::env::var("CVGATE_SCREENSHOTS") {
        let path = std::path::Path::new(&dir).join(format!("{name}.png"));
        browser.full_page_screenshot_png(path).await.unwrap();
    }
    browser::assert_accessible(browser, name).await;
}

impl Harness {
    /// POSTs a page form with the session's CSRF secret (read from the page), without following
    /// a redirect: the whole answer (status, headers, page).
    pub async fn post_page(
        &self,
        token: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let html = self.page(token).await;
        let csrf = html
            .split(r#"name="csrf" value=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the page has a form");
        let mut form = vec![("csrf", csrf)];
        form.extend_from_slice(fields);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let url = format!("{}/webpayment/{token}/{action}", self.base);
        client.post(url).form(&form).send().await.unwrap()
    }
}

/// Runs the future `start` makes on a thread of its own with its own runtime: the browser's
/// waits are not `Send`, and the app keeps serving on the test's runtime meanwhile.
pub fn on_browser_thread<F, Fut>(start: F) -> tokio::task::JoinHandle<()>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    tokio::task::spawn_blocking(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(start())
    })
}

/// Waits for the browser's thread, passing on its panic (a failed check there fails the test).
pub async fn join_browser(driven: tokio::task::JoinHandle<()>) {
    driven
        .await
        .unwrap_or_else(|error| std::panic::resume_unwind(error.into_panic()));
}

/// The start and end of a DirectPaymentAPI or ExtendedAPI request envelope.
pub const ENVELOPE_START: &str = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:impl="http://impl.ws.payline.experian.com" xmlns:obj="http://obj.ws.payline.experian.com"><soapenv:Body>"#;
pub const ENVELOPE_END: &str = "</soapenv:Body></soapenv:Envelope>";

/// `<impl:payment>` of an after-sale request.
pub fn payment(amount: i64, action: &str, contract: &str) -> String {
    format!(
        "<impl:payment><obj:amount>{amount}</obj:amount><obj:currency>978</obj:currency><obj:action>{action}</obj:action><obj:mode>CPT</obj:mode><obj:contractNumber>{contract}</obj:contractNumber></impl:payment>"
    )
}

/// `<impl:sequenceNumber>`, when there is one.
pub fn sequence(number: Option<&str>) -> String {
    number.map_or(String::new(), |n| {
        format!("<impl:sequenceNumber>{n}</impl:sequenceNumber>")
    })
}

/// A doRefund envelope.
pub fn do_refund(
    transaction: &str,
    amount: i64,
    contract: &str,
    sequence_number: Option<&str>,
) -> String {
    format!(
        "{ENVELOPE_START}<impl:doRefundRequest><impl:version>34</impl:version><impl:transactionID>{transaction}</impl:transactionID>{}<impl:comment>test</impl:comment>{}</impl:doRefundRequest>{ENVELOPE_END}",
        payment(amount, "421", contract),
        sequence(sequence_number)
    )
}
