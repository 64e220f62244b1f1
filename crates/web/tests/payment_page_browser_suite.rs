//! The partial Chèque-Vacances + card flow in a real headless Chromium, from `redirectURL` to
//! `returnURL`: once in French on a desktop with a 3-D Secure challenge, once in English 360 px
//! wide. Each page the buyer sees is audited with axe-core (no critical or serious violation).
//! Skipped loudly without Chromium or axe-core (a failure under CI=true).

mod support;

use axum::Router;
use axum::routing::get;
use browser::{Browser, LaunchOptions};
use std::time::Duration;
use support::{
    DoWebPayment, Harness, assert_fits_the_screen, check_page, click, join_browser,
    on_browser_thread, soap_value, type_into,
};
use testkit::TestDb;

testkit::backend_suite![
    split_payment_in_french_with_3d_secure,
    split_payment_in_english_360_px_wide,
    a_card_payment_under_way_shows_a_waiting_page_until_it_is_known,
    the_page_tells_a_mobile_sdk_bridge_each_state,
];

const WAIT: Duration = Duration::from_secs(20);

struct Pass {
    name: &'static str,
    language: &'static str,
    options: LaunchOptions,
    card: &'static str,
    remaining: &'static str,
    /// The heading's words once the vouchers paid a part.
    left_to_pay: &'static str,
    accepted: &'static str,
}

async fn split_payment_in_french_with_3d_secure(db: TestDb) {
    let pass = Pass {
        name: "fr",
        language: "fr",
        options: LaunchOptions::default().accept_language("fr"),
        card: "4970100000000014",
        remaining: "35,00",
        left_to_pay: "Reste à payer\u{a0}: 35,00\u{a0}€",
        accepted: "Votre paiement est accepté",
    };
    split_payment(db, pass).await;
}

async fn split_payment_in_english_360_px_wide(db: TestDb) {
    let pass = Pass {
        name: "en",
        language: "en",
        options: LaunchOptions::default()
            .accept_language("en")
            .window_size(360, 740),
        card: "4970100000000006",
        remaining: "€35.00",
        left_to_pay: "Left to pay: €35.00",
        accepted: "Your payment is accepted",
    };
    split_payment(db, pass).await;
}

/// The shop: where the buyer comes back.
async fn shop() -> String {
    let app = Router::new().route("/return", get(|| async { "Thank you for your order" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/return", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, app).into_future());
    url
}

async fn split_payment(db: TestDb, pass: Pass) {
    if browser::require_or_skip(&format!("payment_page_{}", pass.name)).is_some() {
        return;
    }
    let h = Harness::start(&db).await;
    let return_url = shop().await;
    let request = DoWebPayment {
        language: pass.language,
        return_url: &return_url,
        ..DoWebPayment::default()
    };
    let (_, created) = h.soap("WebPaymentAPI", &request.envelope()).await;
    let redirect_url = soap_value(&created, &["redirectURL"]).expect("a redirectURL");
    let token = soap_value(&created, &["token"]).unwrap();

    // The browser runs on its own thread (its waits are not `Send`); the app keeps serving here.
    let (to_test, mut from_browser) = tokio::sync::mpsc::unbounded_channel::<&'static str>();
    let (to_browser, from_test) = std::sync::mpsc::channel::<()>();
    let url = redirect_url.clone();
    let expected_return = format!("{return_url}?paylinetoken={token}&token={token}");
    let driven = on_browser_thread(move || buyer(url, pass, expected_return, to_test, from_test));
    // When the buyer waits for the app, the beneficiary validates 25.00 € of 60.00 € in it.
    assert_eq!(from_browser.recv().await, Some("waiting for the app"));
    let ancv_id = h
        .web_payments
        .snapshot(&token)
        .await
        .unwrap()
        .ancv
        .unwrap()
        .ancv_id
        .unwrap();
    h.sandbox
        .validate_request(&ancv_id, "1234", Some(2_500))
        .await
        .unwrap();
    to_browser.send(()).unwrap();
    join_browser(driven).await;
    let details = assert_paid(&h, &token).await;
    let card_amount = soap_value(
        &details,
        &[
            "paymentAdditionalList",
            "paymentAdditional",
            "payment",
            "amount",
        ],
    );
    assert_eq!(
        (
            soap_value(&details, &["payment", "amount"]).as_deref(),
            card_amount.as_deref()
        ),
        (Some("2500"), Some("3500"))
    );
}

/// What the buyer does in Chromium.
async fn buyer(
    redirect_url: String,
    pass: Pass,
    expected_return: String,
    to_test: tokio::sync::mpsc::UnboundedSender<&'static str>,
    from_test: std::sync::mpsc::Receiver<()>,
) {
    let browser = Browser::launch(pass.options.clone()).await.unwrap();
    browser.goto(&redirect_url).await.unwrap();
    let lang = browser
        .execute("return document.documentElement.lang", &[])
        .await
        .unwrap();
    assert_eq!(lang, serde_json::json!(pass.language));
    let merchant = browser.find("[data-testid=merchant]").await.unwrap();
    assert_eq!(merchant.text().await.unwrap(), "Demo shop");
    assert_fits_the_screen(&browser).await;
    check_page(&browser, &format!("{}_1_choose", pass.name)).await;
    // The choice step: the buyer opens Chèque-Vacances Connect, the card form stays closed.
    click(&browser, "details.ancv > summary").await;
    let card_form = browser.find("#card-number").await.unwrap();
    assert!(!card_form.is_displayed().await.unwrap(), "one method open");
    check_page(&browser, &format!("{}_2_choose_ancv", pass.name)).await;
    type_into(&browser, "#beneficiary", "10000000001").await;
    click(&browser, "#ancv-form button[type=submit]").await;
    browser.wait_for("[data-countdown]", WAIT).await.unwrap();
    check_page(&browser, &format!("{}_3_waiting", pass.name)).await;
    mark_the_document(&browser).await;
    to_test.send("waiting for the app").unwrap();
    from_test.recv().unwrap();
    // The page's script sees the validation and updates the page in place, announcing it.
    browser
        .wait_for_text("[data-testid=due]", pass.remaining, WAIT)
        .await
        .unwrap();
    assert_the_document_is_marked(&browser).await;
    // The DOM's text: WebDriver's would show no-break spaces as spaces.
    let heading = browser
        .execute(
            "return document.getElementById('page-title').textContent",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(heading, serde_json::json!(pass.left_to_pay));
    let announced = pass.left_to_pay.replace('\u{a0}', " ");
    browser
        .wait_for_text("#announcer", &announced, WAIT)
        .await
        .unwrap();
    check_page(&browser, &format!("{}_4_partial", pass.name)).await;
    pay_the_remainder_by_card(&browser, &pass).await;
    browser
        .wait_for_text("#page-title", pass.accepted, WAIT)
        .await
        .unwrap();
    check_page(&browser, &format!("{}_6_accepted", pass.name)).await;
    click(&browser, "#back-to-shop").await;
    browser
        .wait_for_text("body", "Thank you for your order", WAIT)
        .await
        .unwrap();
    assert_eq!(browser.current_url().await.unwrap(), expected_return);
    browser.quit().await.unwrap();
}

/// Marks the document, to tell an update in place (the mark stays) from a reload.
async fn mark_the_document(browser: &Browser) {
    browser
        .execute("document.documentElement.dataset.mark = 'before';", &[])
        .await
        .unwrap();
}

/// The document marked by [`mark_the_document`] is still there: no reload, and no
/// `meta refresh` in it while the script runs.
async fn assert_the_document_is_marked(browser: &Browser) {
    let seen = browser
        .execute(
            "return [document.documentElement.dataset.mark || null, \
                     document.querySelectorAll('meta[http-equiv=refresh]').length];",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(seen, serde_json::json!(["before", 0]), "updated in place");
}

/// Fills and submits the card form, and passes the bank's 3-D Secure page for the card that asks
/// for it.
async fn pay_the_remainder_by_card(browser: &Browser, pass: &Pass) {
    type_into(browser, "#card-number", pass.card).await;
    type_into(browser, "#card-expiry", "12/30").await;
    type_into(browser, "#card-cvv", "123").await;
    click(browser, "#card-form button[type=submit]").await;
    if pass.card == "4970100000000014" {
        // The bank's 3-D Secure page.
        browser.wait_for("#code", WAIT).await.unwrap();
        check_page(browser, &format!("{}_5_acs", pass.name)).await;
        type_into(browser, "#code", "1234").await;
        click(browser, "#confirm").await;
    }
}

/// The acquirer took a card payment but its answer was lost (the request died): the buyer sees
/// a page saying the payment is being processed, which updates itself once cvgate knows.
async fn a_card_payment_under_way_shows_a_waiting_page_until_it_is_known(db: TestDb) {
    if browser::require_or_skip("payment_page_processing").is_some() {
        return;
    }
    let h = Harness::with_read_timeout(&db, 500).await;
    let request = DoWebPayment {
        contract: "CB-DEMO",
        selected: &["CB-DEMO"],
        email: None,
        ..DoWebPayment::default()
    };
    let token = h.do_web_payment(&request).await;
    h.page(&token).await;
    lose_the_answer_of_a_card_payment(&h, &token).await;

    let (to_test, mut from_browser) = tokio::sync::mpsc::unbounded_channel::<&'static str>();
    let (to_browser, from_test) = std::sync::mpsc::channel::<()>();
    let url = format!("{}/webpayment/{token}", h.base);
    let driven = on_browser_thread(move || watch_the_processing_page(url, to_test, from_test));
    assert_eq!(from_browser.recv().await, Some("processing shown"));
    h.card_sandbox
        .set_faults(card_sandbox::Faults::default())
        .await
        .unwrap();
    to_browser.send(()).unwrap();
    join_browser(driven).await;
    assert_paid(&h, &token).await;
}

/// The acquirer authorizes a card payment but the request dies before its answer; then the
/// acquirer is slow to say where the payment stands, until the test clears the faults.
async fn lose_the_answer_of_a_card_payment(h: &Harness, token: &str) {
    let faults = card_sandbox::Faults {
        timeout_after_authorizing: true,
        ..card_sandbox::Faults::default()
    };
    h.card_sandbox.set_faults(faults).await.unwrap();
    let card = domain::card::CardInput::new("4970100000000006", "12/30", "123");
    let died = tokio::time::timeout(
        Duration::from_millis(300),
        h.web_payments.pay_card(token, "CB-DEMO", card),
    )
    .await;
    assert!(died.is_err(), "the request died before the answer");
    // The acquirer is slow to say where the payment stands, for a while.
    let slow = card_sandbox::Faults {
        latency_ms: 2_000,
        ..card_sandbox::Faults::default()
    };
    h.card_sandbox.set_faults(slow).await.unwrap();
}

/// The buyer, 360 px wide in French: sees the processing page, then (once the test lets the
/// acquirer answer) the accepted result.
async fn watch_the_processing_page(
    url: String,
    to_test: tokio::sync::mpsc::UnboundedSender<&'static str>,
    from_test: std::sync::mpsc::Receiver<()>,
) {
    let options = LaunchOptions::default()
        .accept_language("fr")
        .window_size(360, 740);
    let browser = Browser::launch(options).await.unwrap();
    browser.goto(&url).await.unwrap();
    browser
        .wait_for_text("#processing-title", "Paiement par carte en cours", WAIT)
        .await
        .unwrap();
    check_page(&browser, "processing_360").await;
    assert_fits_the_screen(&browser).await;
    mark_the_document(&browser).await;
    to_test.send("processing shown").unwrap();
    from_test.recv().unwrap();
    // The page's script asks again and shows the outcome in place once cvgate knows it.
    browser
        .wait_for_text("#page-title", "Votre paiement est accepté", WAIT)
        .await
        .unwrap();
    assert_the_document_is_marked(&browser).await;
    browser.quit().await.unwrap();
}

/// The merchant reads the session as paid (00000); the getWebPaymentDetails answer.
async fn assert_paid(h: &Harness, token: &str) -> String {
    let details = h.details(token).await;
    assert_eq!(
        soap_value(&details, &["result", "code"]).as_deref(),
        Some("00000"),
        "{details}"
    );
    details
}

/// Inside a Payline mobile SDK's web view (an Android bridge object here), the page reports each
/// state it shows and the final one, as the widget does (widget.md §6).
async fn the_page_tells_a_mobile_sdk_bridge_each_state(db: TestDb) {
    if browser::require_or_skip("payment_page_bridge").is_some() {
        return;
    }
    let h = Harness::start(&db).await;
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    let url = format!("{}/webpayment/{token}", h.base);
    join_browser(on_browser_thread(move || report_to_the_bridge(url))).await;
    let details = h.details(&token).await;
    assert_eq!(
        soap_value(&details, &["result", "code"]).as_deref(),
        Some("02319")
    );
}

/// The calls the page made to `window.PaylineSdkAndroid`, oldest first.
const BRIDGE_CALLS: &str = "return JSON.stringify(window.__bridgeCalls || []);";

async fn report_to_the_bridge(url: String) {
    let browser = Browser::launch(LaunchOptions::default().accept_language("en"))
        .await
        .unwrap();
    let bridge = "window.__bridgeCalls = []; window.PaylineSdkAndroid = {\
        didShowState: function (s) { window.__bridgeCalls.push(['didShowState', JSON.parse(s).state]); },\
        finalStateHasBeenReached: function (s) { window.__bridgeCalls.push(['finalStateHasBeenReached', JSON.parse(s).state]); } };";
    browser
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            serde_json::json!({ "source": bridge }),
        )
        .await
        .unwrap();
    browser.goto(&url).await.unwrap();
    bridge_calls_become(&browser, r#"[["didShowState","PAYMENT_METHODS_LIST"]]"#).await;
    click(&browser, "form.cancel button").await;
    bridge_calls_become(
        &browser,
        r#"[["didShowState","PAYMENT_CANCELED"],["finalStateHasBeenReached","PAYMENT_CANCELED"]]"#,
    )
    .await;
    browser.quit().await.unwrap();
}

/// Waits until the page's calls to the bridge are `expected` (JSON).
async fn bridge_calls_become(browser: &Browser, expected: &str) {
    browser
        .wait_until("the bridge calls", WAIT, async || {
            let calls = browser.execute(BRIDGE_CALLS, &[]).await?;
            Ok(calls.as_str() == Some(expected))
        })
        .await
        .unwrap_or_else(|e| panic!("bridge calls {expected}: {e}"));
}
