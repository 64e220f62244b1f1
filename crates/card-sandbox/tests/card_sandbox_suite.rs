//! The card sandbox driven through the HTTP connector over loopback, on SQLite and PostgreSQL:
//! idempotent references, the after-sale rules, the ACS page over HTTP, faults, refused input,
//! and several instances on one database (as several `cvgate serve` behind a load balancer).

use card::OperationKind::{Capture, Refund, Reset};
use card::{
    Acquirer, AcquirerError, Action, AuthorizationRequest, AuthorizationState, Decline,
    HttpAcquirer, HttpAcquirerConfig, OperationOutcome, OperationRequest, OperationResult,
    Rejection, ThreeDs,
};
use card_sandbox::{CHALLENGE_TTL_MS, CardSandbox, CardSandboxConfig};
use domain::card::{CardData, CardNumber, Cvv, Expiry};
use domain::clock::{ManualClock, Timestamp};
use domain::money::Currency;
use domain::random::OsRandom;
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::{DatabaseUrl, Store};
use testkit::{TestDb, dump_database};

testkit::backend_suite![
    a_repeated_reference_is_authorized_once,
    after_sale_rules_hold_at_the_acquirer,
    a_challenge_is_answered_on_the_acs_page,
    a_challenge_is_finished_by_any_instance_and_the_card_is_kept_nowhere,
    faults_are_injected,
    faults_set_through_one_instance_apply_to_all,
    invalid_card_data_is_refused_without_echo,
    the_ledger_shows_the_order_and_the_payment_of_each_row,
    an_order_ref_too_long_is_refused_naming_the_field,
];

/// 2026-11-27T10:15:30Z.
const NOW: Timestamp = Timestamp(1_795_774_530_000);
const DAY_MS: i64 = 24 * 3600 * 1000;

struct Harness {
    sandbox: CardSandbox,
    base: String,
    clock: Arc<ManualClock>,
}

impl Harness {
    async fn start(db: &TestDb) -> Harness {
        let store = Store::open(&DatabaseUrl::parse(&db.url).unwrap())
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let clock = Arc::new(ManualClock::at(NOW));
        let sandbox = CardSandbox::open(
            store,
            clock.clone(),
            Arc::new(OsRandom),
            CardSandboxConfig {
                acs_base_url: format!("{base}/sandbox/acs"),
            },
        )
        .await
        .unwrap();
        let app = sandbox.router();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Harness {
            sandbox,
            base,
            clock,
        }
    }

    fn acquirer(&self, read_timeout: Duration) -> HttpAcquirer {
        HttpAcquirer::new(HttpAcquirerConfig {
            base_url: format!("{}/sandbox/card", self.base),
            connect_timeout: Duration::from_secs(2),
            read_timeout,
        })
        .unwrap()
    }
}

/// Card data as the acquirer receives it (an expiry in the past is possible here).
fn card(number: &str, expiry: &str) -> CardData {
    let number = CardNumber::parse(number).unwrap();
    let cvv = Cvv::parse("123", number.brand()).unwrap();
    CardData {
        number,
        expiry: Expiry::parse(expiry).unwrap(),
        cvv,
    }
}

fn request<'a>(reference: &str, card: &'a CardData, action: Action) -> AuthorizationRequest<'a> {
    AuthorizationRequest {
        reference: reference.to_owned(),
        order_ref: format!("order-{reference}"),
        amount: 1000,
        currency: Currency::EUR,
        action,
        card,
        three_ds_return_url: None,
    }
}

fn operation(reference: &str, operation_ref: &str, amount: Option<i64>) -> OperationRequest {
    OperationRequest {
        reference: reference.to_owned(),
        operation_ref: operation_ref.to_owned(),
        amount,
    }
}

fn accepted(state: AuthorizationState) -> card::Accepted {
    match state {
        AuthorizationState::Accepted(accepted) => accepted,
        other => panic!("expected an acceptance, got {other:?}"),
    }
}

async fn a_repeated_reference_is_authorized_once(db: TestDb) {
    let harness = Harness::start(&db).await;
    let acquirer = harness.acquirer(Duration::from_secs(5));
    let visa = card("4970100000000006", "1230");
    let first = accepted(
        acquirer
            .authorize(&request("10000000000001", &visa, Action::Authorization))
            .await
            .unwrap(),
    );
    let again = accepted(
        acquirer
            .authorize(&request("10000000000001", &visa, Action::Authorization))
            .await
            .unwrap(),
    );
    assert_eq!(first, again, "the first result comes back");
    assert_eq!(
        (
            first.three_ds,
            first.balances.authorized,
            first.balances.captured
        ),
        (ThreeDs::Frictionless, 1000, 0)
    );
    let other_amount = AuthorizationRequest {
        amount: 999,
        ..request("10000000000001", &visa, Action::Authorization)
    };
    assert!(matches!(
        acquirer.authorize(&other_amount).await,
        Err(AcquirerError::Refused { .. })
    ));
    assert_eq!(harness.sandbox.authorization_requests(), 3);
    assert_eq!(harness.sandbox.ledger().await.unwrap().len(), 1);
    let status = acquirer.status("10000000000001").await.unwrap();
    assert_eq!(status.map(accepted), Some(first));
    assert_eq!(acquirer.status("10000000000099").await.unwrap(), None);
    // An expiry in the past is refused 01101 whatever the number.
    for (reference, number) in [
        ("10000000000002", "4970100000000006"),
        ("10000000000003", "5555555555554444"),
    ] {
        let expired = card(number, "1026");
        let state = acquirer
            .authorize(&request(
                reference,
                &expired,
                Action::AuthorizationAndCapture,
            ))
            .await
            .unwrap();
        assert_eq!(
            state,
            AuthorizationState::Declined(Decline::CardExpired),
            "{number}"
        );
    }
    let sale = accepted(
        acquirer
            .authorize(&request(
                "10000000000004",
                &visa,
                Action::AuthorizationAndCapture,
            ))
            .await
            .unwrap(),
    );
    assert_eq!(sale.balances.captured, 1000, "action 101 captures at once");
}

async fn after_sale_rules_hold_at_the_acquirer(db: TestDb) {
    let harness = Harness::start(&db).await;
    let acquirer = harness.acquirer(Duration::from_secs(5));
    let visa = card("4970100000000006", "1230");
    let reference = "20000000000001";
    acquirer
        .authorize(&request(reference, &visa, Action::Authorization))
        .await
        .unwrap();
    a_capture_is_made_once_and_repeats_are_idempotent(&acquirer, reference).await;
    resets_before_remittance_then_refunds_after_it(&acquirer, reference).await;
    a_capture_after_seven_days_is_rejected(&harness, &acquirer, &visa).await;
    the_admin_remittance_remits_every_captured_transaction(&harness, &acquirer, &visa).await;
}

/// The operation `operation_ref` of `kind` on `reference` through the connector; its result.
async fn operate(
    acquirer: &HttpAcquirer,
    kind: card::OperationKind,
    reference: &str,
    operation_ref: &str,
    amount: Option<i64>,
) -> OperationResult {
    acquirer
        .operate(kind, &operation(reference, operation_ref, amount))
        .await
        .unwrap()
}

/// On the authorization `reference` (1000, action 100): a capture above it is rejected, one of
/// all of it is made once; a repeated operation id gets the first outcome and is not applied
/// twice; an operation id reused for another operation is refused.
async fn a_capture_is_made_once_and_repeats_are_idempotent(
    acquirer: &HttpAcquirer,
    reference: &str,
) {
    assert_eq!(
        operate(acquirer, Capture, reference, "op1", Some(1200))
            .await
            .outcome,
        OperationOutcome::Rejected(Rejection::AmountExceeded)
    );
    assert_eq!(
        operate(acquirer, Capture, reference, "op2", Some(1000))
            .await
            .outcome,
        OperationOutcome::Done { amount: 1000 }
    );
    assert_eq!(
        operate(acquirer, Capture, reference, "op3", Some(10))
            .await
            .outcome,
        OperationOutcome::Rejected(Rejection::AlreadyCaptured)
    );
    let repeated = operate(acquirer, Capture, reference, "op2", Some(1000)).await;
    assert_eq!(
        repeated.outcome,
        OperationOutcome::Done { amount: 1000 },
        "a repeat gets the first outcome"
    );
    assert_eq!(
        repeated.balances.unwrap().captured,
        1000,
        "and is not applied twice"
    );
    let reused = acquirer
        .operate(Reset, &operation(reference, "op2", Some(1000)))
        .await;
    assert!(
        matches!(reused, Err(AcquirerError::Refused { .. })),
        "an operation id names one operation"
    );
}

/// On the captured `reference` (1000): no refund before remittance, a partial reset, then after
/// remittance no reset and refunds up to what was remitted.
async fn resets_before_remittance_then_refunds_after_it(acquirer: &HttpAcquirer, reference: &str) {
    let rejected = |rejection| OperationOutcome::Rejected(rejection);
    assert_eq!(
        operate(acquirer, Refund, reference, "op4", Some(100))
            .await
            .outcome,
        rejected(Rejection::NotRemitted)
    );
    assert_eq!(
        operate(acquirer, Reset, reference, "op5", Some(200))
            .await
            .outcome,
        OperationOutcome::Done { amount: 200 }
    );
    let remitted = acquirer.remit(&[reference.to_owned()]).await.unwrap();
    assert_eq!(remitted[0].balances.unwrap().remitted, 800);
    assert_eq!(
        operate(acquirer, Reset, reference, "op6", None)
            .await
            .outcome,
        rejected(Rejection::NotResettable)
    );
    assert_eq!(
        operate(acquirer, Refund, reference, "op7", Some(300))
            .await
            .outcome,
        OperationOutcome::Done { amount: 300 }
    );
    assert_eq!(
        operate(acquirer, Refund, reference, "op8", Some(300))
            .await
            .outcome,
        OperationOutcome::Done { amount: 300 }
    );
    assert_eq!(
        operate(acquirer, Refund, reference, "op9", Some(300))
            .await
            .outcome,
        rejected(Rejection::AmountExceeded)
    );
    let last = operate(acquirer, Refund, reference, "op10", None).await;
    assert_eq!(
        (last.outcome, last.balances.unwrap().refunded),
        (OperationOutcome::Done { amount: 200 }, 800)
    );
}

/// Capture within 7 days only: a new authorization, captured 7 days and 1 ms later.
async fn a_capture_after_seven_days_is_rejected(
    harness: &Harness,
    acquirer: &HttpAcquirer,
    visa: &CardData,
) {
    acquirer
        .authorize(&request("20000000000002", visa, Action::Authorization))
        .await
        .unwrap();
    harness.clock.advance_millis(7 * DAY_MS + 1);
    let late = acquirer
        .capture(&operation("20000000000002", "op11", None))
        .await
        .unwrap();
    assert_eq!(
        late.outcome,
        OperationOutcome::Rejected(Rejection::AuthorizationExpired)
    );
}

/// The admin remittance remits every captured transaction (a new sale here), and the ledger
/// shows where each transaction of the test ended.
async fn the_admin_remittance_remits_every_captured_transaction(
    harness: &Harness,
    acquirer: &HttpAcquirer,
    visa: &CardData,
) {
    acquirer
        .authorize(&request(
            "20000000000003",
            visa,
            Action::AuthorizationAndCapture,
        ))
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let answer: serde_json::Value = client
        .post(format!("{}/sandbox/card/admin/remit", harness.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["remitted"], 1);
    let ledger = harness.sandbox.ledger().await.unwrap();
    let states: Vec<(&str, &str)> = ledger
        .iter()
        .map(|row| (row.reference.as_str(), row.state.as_str()))
        .collect();
    assert_eq!(
        states,
        [
            ("20000000000001", "REFUNDED"),
            ("20000000000002", "AUTHORIZED"),
            ("20000000000003", "REMITTED")
        ]
    );
}

async fn a_challenge_is_answered_on_the_acs_page(db: TestDb) {
    let harness = Harness::start(&db).await;
    let acquirer = harness.acquirer(Duration::from_secs(5));
    let challenged = card("4970100000000014", "1230");
    let browser = browser_without_redirects();

    let (challenge_ref, acs_url) = start_challenge(
        &acquirer,
        "30000000000001",
        &challenged,
        "http://shop.test/back?step=3ds",
    )
    .await;
    assert_eq!(
        acs_url,
        format!("{}/sandbox/acs/{challenge_ref}", harness.base)
    );
    the_acs_page_shows_the_payment_in_french_or_english(&browser, &acs_url).await;
    a_malformed_code_is_asked_again(&browser, &acs_url).await;
    the_right_code_accepts_the_payment(&acquirer, &browser, &challenge_ref, &acs_url).await;
    wrong_cancelled_abandoned_or_impossible_challenges_fail(
        &harness,
        &acquirer,
        &browser,
        &challenged,
    )
    .await;
    assert_eq!(
        browser
            .get(format!("{}/sandbox/acs/unknown", harness.base))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

/// The buyer's browser: redirects are not followed, so that the ACS page's 303 can be checked.
fn browser_without_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Starts a challenge for `card` (action 101) with `return_url` as cvgate's 3-D Secure return
/// URL: the challenge reference and the ACS page's URL.
async fn start_challenge(
    acquirer: &HttpAcquirer,
    reference: &str,
    card: &CardData,
    return_url: &str,
) -> (String, String) {
    let state = acquirer
        .authorize(&AuthorizationRequest {
            three_ds_return_url: Some(return_url.into()),
            ..request(reference, card, Action::AuthorizationAndCapture)
        })
        .await
        .unwrap();
    match state {
        AuthorizationState::ChallengeRequired {
            challenge_ref,
            acs_url,
        } => (challenge_ref, acs_url),
        other => panic!("expected a challenge, got {other:?}"),
    }
}

/// The buyer's browser posts `form` to the ACS page at `acs_url`.
async fn submit_acs(
    browser: &reqwest::Client,
    acs_url: &str,
    form: &'static str,
) -> reqwest::Response {
    browser
        .post(acs_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap()
}

/// The page in English (`?lang=en`) and in French (Accept-Language) shows the masked card, never
/// the number, and the amount.
async fn the_acs_page_shows_the_payment_in_french_or_english(
    browser: &reqwest::Client,
    acs_url: &str,
) {
    let english = browser
        .get(format!("{acs_url}?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        english.contains("<label for=\"code\">Confirmation code</label>")
            && english.contains("497010XXXXXX0014"),
        "{english}"
    );
    assert!(!english.contains("4970100000000014"));
    let french = browser
        .get(acs_url)
        .header("accept-language", "fr-FR,fr;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        french.contains("<html lang=\"fr\">")
            && french.contains("Code de confirmation")
            && french.contains("10,00\u{a0}€")
    );
}

/// A code that is not 4 digits shows the page again (422) with the error announced.
async fn a_malformed_code_is_asked_again(browser: &reqwest::Client, acs_url: &str) {
    let malformed = submit_acs(browser, acs_url, "code=12&action=confirm&lang=en").await;
    assert_eq!(malformed.status(), 422);
    let page = malformed.text().await.unwrap();
    assert!(
        page.contains("role=\"alert\"") && page.contains("aria-invalid=\"true\""),
        "{page}"
    );
}

/// Nothing is decided before the buyer answers; the right code sends the browser back to cvgate
/// with the challenge reference and accepts (and captures) the payment; a finished challenge
/// just sends the buyer back; another challenge reference is refused.
async fn the_right_code_accepts_the_payment(
    acquirer: &HttpAcquirer,
    browser: &reqwest::Client,
    challenge_ref: &str,
    acs_url: &str,
) {
    assert_eq!(
        acquirer
            .complete_three_ds("30000000000001", challenge_ref)
            .await
            .unwrap(),
        AuthorizationState::ChallengeRequired {
            challenge_ref: challenge_ref.to_owned(),
            acs_url: acs_url.to_owned()
        },
        "nothing decided before the buyer answers"
    );
    let right = submit_acs(browser, acs_url, "code=1234&action=confirm").await;
    assert_eq!(right.status(), 303);
    assert_eq!(
        right.headers()["location"],
        format!("http://shop.test/back?step=3ds&challenge={challenge_ref}")
    );
    let done = accepted(
        acquirer
            .complete_three_ds("30000000000001", challenge_ref)
            .await
            .unwrap(),
    );
    assert_eq!(
        (done.three_ds, done.balances.captured),
        (ThreeDs::Challenge, 1000)
    );
    assert_eq!(
        submit_acs(browser, acs_url, "code=0000").await.status(),
        303,
        "a finished challenge just sends the buyer back"
    );
    assert!(matches!(
        acquirer.complete_three_ds("30000000000001", "other").await,
        Err(AcquirerError::Refused { .. })
    ));
}

/// A wrong code, a cancel, a challenge left past its time, and a challenge without a return URL
/// all end declined 03003.
async fn wrong_cancelled_abandoned_or_impossible_challenges_fail(
    harness: &Harness,
    acquirer: &HttpAcquirer,
    browser: &reqwest::Client,
    challenged: &CardData,
) {
    let return_url = "http://shop.test/back?step=3ds";
    let failed = AuthorizationState::Declined(Decline::ThreeDsFailed);
    let (wrong_ref, wrong_url) =
        start_challenge(acquirer, "30000000000002", challenged, return_url).await;
    assert_eq!(
        submit_acs(browser, &wrong_url, "code=4321&action=confirm")
            .await
            .status(),
        303
    );
    assert_eq!(
        acquirer
            .complete_three_ds("30000000000002", &wrong_ref)
            .await
            .unwrap(),
        failed
    );
    let (cancel_ref, cancel_url) =
        start_challenge(acquirer, "30000000000003", challenged, return_url).await;
    assert_eq!(
        submit_acs(browser, &cancel_url, "code=&action=cancel")
            .await
            .status(),
        303
    );
    assert_eq!(
        acquirer
            .complete_three_ds("30000000000003", &cancel_ref)
            .await
            .unwrap(),
        failed
    );
    start_challenge(acquirer, "30000000000004", challenged, return_url).await;
    harness.clock.advance_millis(CHALLENGE_TTL_MS + 1);
    assert_eq!(
        acquirer.status("30000000000004").await.unwrap(),
        Some(failed.clone()),
        "an abandoned challenge fails"
    );
    let no_way_back = acquirer
        .authorize(&request(
            "30000000000005",
            challenged,
            Action::Authorization,
        ))
        .await
        .unwrap();
    assert_eq!(
        no_way_back, failed,
        "without a return URL there is no challenge"
    );
}

async fn faults_are_injected(db: TestDb) {
    let harness = Harness::start(&db).await;
    let acquirer = harness.acquirer(Duration::from_secs(5));
    let visa = card("4970100000000006", "1230");
    let client = reqwest::Client::new();
    let set_faults = async |body: &'static str| {
        client
            .post(format!("{}/sandbox/card/admin/faults", harness.base))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(set_faults(r#"{"error_rate": 2}"#).await, 400);
    assert_eq!(set_faults(r#"{"error_rate": 1}"#).await, 200);
    let errored = acquirer
        .authorize(&request("40000000000001", &visa, Action::Authorization))
        .await
        .unwrap();
    assert_eq!(
        errored,
        AuthorizationState::Declined(Decline::AcquirerError)
    );

    assert_eq!(set_faults(r#"{"latency_ms": 300}"#).await, 200);
    let started = Instant::now();
    accepted(
        acquirer
            .authorize(&request("40000000000002", &visa, Action::Authorization))
            .await
            .unwrap(),
    );
    assert!(started.elapsed() >= Duration::from_millis(300));
    let impatient = harness.acquirer(Duration::from_millis(100));
    assert!(matches!(
        impatient.status("40000000000002").await,
        Err(AcquirerError::OutcomeUnknown { .. })
    ));

    assert_eq!(
        set_faults(r#"{"timeout_after_authorizing": true}"#).await,
        200
    );
    let hurried = harness.acquirer(Duration::from_millis(500));
    let unknown = hurried
        .authorize(&request(
            "40000000000003",
            &visa,
            Action::AuthorizationAndCapture,
        ))
        .await;
    assert!(
        matches!(unknown, Err(AcquirerError::OutcomeUnknown { .. })),
        "{unknown:?}"
    );
    let reconciled = accepted(acquirer.status("40000000000003").await.unwrap().unwrap());
    assert_eq!(
        reconciled.balances.captured, 1000,
        "the authorization was made and kept"
    );
    set_faults("{}").await;
    assert_eq!(
        harness.sandbox.faults().await.unwrap(),
        card_sandbox::Faults::default()
    );
    let unreachable = HttpAcquirer::new(HttpAcquirerConfig {
        base_url: "http://127.0.0.1:9/sandbox/card".into(),
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(2),
    })
    .unwrap();
    assert!(matches!(
        unreachable.status("1").await,
        Err(AcquirerError::Unreachable { .. })
    ));
}

/// Starts a challenge for the 3-D Secure test card through `acquirer`; its reference.
async fn challenge(acquirer: &HttpAcquirer, reference: &str, card: &CardData) -> String {
    start_challenge(acquirer, reference, card, "http://shop.test/back")
        .await
        .0
}

/// The buyer's browser answers `harness`'s ACS page: the status (303 back to cvgate).
async fn answer_acs(harness: &Harness, challenge_ref: &str, form: &'static str) -> u16 {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/sandbox/acs/{challenge_ref}", harness.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Two instances on one database (two processes behind a load balancer), then a third (a
/// restart): whichever serves the ACS page finishes the challenge, since the decision is in the
/// ledger and the card nowhere.
async fn a_challenge_is_finished_by_any_instance_and_the_card_is_kept_nowhere(db: TestDb) {
    let a = Harness::start(&db).await;
    let b = Harness::start(&db).await;
    let (via_a, via_b) = (
        a.acquirer(Duration::from_secs(5)),
        b.acquirer(Duration::from_secs(5)),
    );
    let challenged = card("4970100000000014", "1230");

    let right = challenge(&via_a, "60000000000001", &challenged).await;
    assert_eq!(
        answer_acs(&b, &right, "code=1234&action=confirm").await,
        303
    );
    let done = accepted(
        via_b
            .complete_three_ds("60000000000001", &right)
            .await
            .unwrap(),
    );
    assert_eq!(
        (done.three_ds, done.balances.captured),
        (ThreeDs::Challenge, 1000)
    );
    assert_eq!(
        via_a.status("60000000000001").await.unwrap().map(accepted),
        Some(done),
        "both instances read the same ledger"
    );

    let failed = AuthorizationState::Declined(Decline::ThreeDsFailed);
    let wrong = challenge(&via_a, "60000000000002", &challenged).await;
    assert_eq!(
        answer_acs(&b, &wrong, "code=4321&action=confirm").await,
        303
    );
    assert_eq!(
        via_a
            .complete_three_ds("60000000000002", &wrong)
            .await
            .unwrap(),
        failed
    );

    // A restart: a new instance on the same database finishes a challenge started before it.
    let pending = challenge(&via_b, "60000000000004", &challenged).await;
    drop(b);
    let restarted = Harness::start(&db).await;
    let page = reqwest::get(format!("{}/sandbox/acs/{pending}?lang=en", restarted.base))
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "the page still waits for the code");
    assert!(page.text().await.unwrap().contains("497010XXXXXX0014"));
    assert_eq!(
        answer_acs(&restarted, &pending, "code=1234&action=confirm").await,
        303
    );
    assert_eq!(
        accepted(
            restarted
                .acquirer(Duration::from_secs(5))
                .complete_three_ds("60000000000004", &pending)
                .await
                .unwrap()
        )
        .balances
        .captured,
        1000
    );

    let dump = dump_database(&db).await;
    assert!(
        dump.contains("497010XXXXXX0014") && dump.contains("60000000000004"),
        "the dump reads the ledger: {dump}"
    );
    assert!(
        !dump.contains_secret("4970100000000014"),
        "the card number is stored: {dump}"
    );
}

/// Faults set through one instance's admin endpoint apply to calls served by another; a reset
/// through either clears them for both.
async fn faults_set_through_one_instance_apply_to_all(db: TestDb) {
    let a = Harness::start(&db).await;
    let b = Harness::start(&db).await;
    let via_b = b.acquirer(Duration::from_secs(5));
    let visa = card("4970100000000006", "1230");
    let client = reqwest::Client::new();
    let admin = |harness: &Harness| format!("{}/sandbox/card/admin/faults", harness.base);

    let set = client
        .post(admin(&a))
        .header("content-type", "application/json")
        .body(r#"{"error_rate": 1, "latency_ms": 200}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let shown: serde_json::Value = client
        .get(admin(&b))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&shown["error_rate"], &shown["latency_ms"]),
        (&serde_json::json!(1.0), &serde_json::json!(200))
    );
    let started = Instant::now();
    assert_eq!(
        via_b
            .authorize(&request("70000000000001", &visa, Action::Authorization))
            .await
            .unwrap(),
        AuthorizationState::Declined(Decline::AcquirerError),
        "instance B injects the error set through A"
    );
    assert!(started.elapsed() >= Duration::from_millis(200));

    let reset = client.delete(admin(&b)).send().await.unwrap();
    assert_eq!(reset.status(), 200);
    for harness in [&a, &b] {
        assert_eq!(
            harness.sandbox.faults().await.unwrap(),
            card_sandbox::Faults::default()
        );
    }
    accepted(
        a.acquirer(Duration::from_secs(5))
            .authorize(&request("70000000000002", &visa, Action::Authorization))
            .await
            .unwrap(),
    );
    accepted(
        via_b
            .authorize(&request("70000000000003", &visa, Action::Authorization))
            .await
            .unwrap(),
    );
    // Through the Rust API too, on either instance.
    a.sandbox
        .set_faults(card_sandbox::Faults {
            error_rate: 1.0,
            ..card_sandbox::Faults::default()
        })
        .await
        .unwrap();
    assert_eq!(b.sandbox.faults().await.unwrap().error_rate, 1.0);
    b.sandbox.reset_faults().await.unwrap();
    assert_eq!(
        a.sandbox.faults().await.unwrap(),
        card_sandbox::Faults::default()
    );
}

async fn invalid_card_data_is_refused_without_echo(db: TestDb) {
    let harness = Harness::start(&db).await;
    let client = reqwest::Client::new();
    let bodies = [
        r#"{"reference":"50000000000001","amount":1000,"currency":978,"action":100,"card":{"number":"4970100000000007","expiry":"1230","cvv":"123"}}"#,
        r#"{"reference":"50000000000001","amount":1000,"currency":978,"action":100,"card":{"number":4970100000000007,"expiry":"1230","cvv":"123"}}"#,
        r#"{"reference":"50000000000001","amount":1000,"currency":978,"action":100,"card":{"number":"4970100000000006","expiry":"1230","cvv":"98765"}}"#,
    ];
    for body in bodies {
        let answer = client
            .post(format!("{}/sandbox/card/api/authorizations", harness.base))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 400);
        let text = answer.text().await.unwrap();
        for secret in ["4970100000000007", "4970100000000006", "98765"] {
            assert!(!text.contains(secret), "{text}");
        }
    }
    assert!(harness.sandbox.ledger().await.unwrap().is_empty());
}

/// `GET /sandbox/card/admin/ledger` over HTTP.
async fn ledger_over_http(harness: &Harness) -> Vec<serde_json::Value> {
    let answer = reqwest::get(format!("{}/sandbox/card/admin/ledger", harness.base))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    answer.json().await.unwrap()
}

async fn the_ledger_shows_the_order_and_the_payment_of_each_row(db: TestDb) {
    let harness = Harness::start(&db).await;
    let acquirer = harness.acquirer(Duration::from_secs(5));
    let visa = card("4970100000000006", "1230");
    let longest = "é".repeat(50);
    for (reference, order_ref) in [("60000000000001", "order-77"), ("60000000000002", &longest)] {
        let sent = AuthorizationRequest {
            order_ref: order_ref.to_owned(),
            ..request(reference, &visa, Action::AuthorizationAndCapture)
        };
        accepted(acquirer.authorize(&sent).await.unwrap());
    }
    // A client that does not send order_ref (as before) still works.
    let older = r#"{"reference":"60000000000003","amount":1000,"currency":978,"action":101,"card":{"number":"4970100000000006","expiry":"1230","cvv":"123"}}"#;
    let answer = reqwest::Client::new()
        .post(format!("{}/sandbox/card/api/authorizations", harness.base))
        .header("content-type", "application/json")
        .body(older)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let rows: Vec<(String, serde_json::Value)> = ledger_over_http(&harness)
        .await
        .into_iter()
        .map(|row| {
            (
                row["reference"].as_str().unwrap().to_owned(),
                row["orderRef"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("60000000000001".to_owned(), serde_json::json!("order-77")),
            ("60000000000002".to_owned(), serde_json::json!(longest)),
            ("60000000000003".to_owned(), serde_json::Value::Null),
        ]
    );
}

async fn an_order_ref_too_long_is_refused_naming_the_field(db: TestDb) {
    let harness = Harness::start(&db).await;
    let acquirer = harness.acquirer(Duration::from_secs(5));
    let visa = card("4970100000000006", "1230");
    let too_long = AuthorizationRequest {
        order_ref: "x".repeat(51),
        ..request("61000000000001", &visa, Action::AuthorizationAndCapture)
    };
    match acquirer.authorize(&too_long).await {
        Err(AcquirerError::Refused { detail, .. }) => assert_eq!(
            detail,
            "INVALID_REQUEST: order_ref: must be at most 50 characters"
        ),
        other => panic!("expected a refusal naming order_ref, got {other:?}"),
    }
    assert!(
        ledger_over_http(&harness).await.is_empty(),
        "nothing recorded"
    );
}
