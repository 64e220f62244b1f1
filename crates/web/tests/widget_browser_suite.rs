//! The payment widget in a real headless Chromium, embedded in a merchant's page on another
//! origin, as shops and the official plugins embed it: the split payment in each template (the
//! beneficiary validates part in the sandbox app, the card pays the rest with a 3-D Secure
//! challenge inside the widget's iframe), the callbacks in order with their arguments and return
//! values, `Payline.Api`, and the plugins' habits (script loaded twice, `data-token` changed then
//! `reset()`, capture-phase terms-and-conditions gating, the ticket button clicked by script,
//! `#PaylineWidget` CSS overrides). Every state is audited with axe-core. Skipped loudly without
//! Chromium or axe-core (a failure under CI=true).

mod support;
mod widget_pages;

use browser::{Browser, LaunchOptions};
use serde_json::{Value, json};
use support::{
    CAMILLE, CARD_CHALLENGE, CARD_OK, DoWebPayment, Harness, join_browser, on_browser_thread,
    soap_value,
};
use testkit::TestDb;
use widget_pages::{
    MerchantSite, WAIT, WidgetPage, answer_the_challenge_in_the_iframe, assert_no_csp_violation,
    check_state, dom_text, events, pay_by_card, press, run, shown_states, type_in,
    validate_in_the_app, wait_for_state,
};

testkit::backend_suite![
    split_payment_in_the_column_template_in_french,
    split_payment_in_the_tab_template_in_english_360_px_wide,
    split_payment_in_the_lightbox_template_in_french,
    split_payment_in_the_column_template_in_english_360_px_wide,
    split_payment_in_the_tab_template_in_french,
    split_payment_in_the_lightbox_template_in_english,
    the_merchant_blocks_a_payment_and_takes_over_the_final_state,
    a_page_built_like_the_official_plugins,
    end_token_cancels_the_session,
];

/// One run of the split payment through the widget.
#[derive(Clone)]
struct Pass {
    template: &'static str,
    language: &'static str,
    options: LaunchOptions,
    total: &'static str,
    remaining: &'static str,
    vouchers: &'static str,
}

/// A pass in French on a desktop.
fn french(template: &'static str) -> Pass {
    Pass {
        template,
        language: "fr",
        options: LaunchOptions::default().accept_language("fr"),
        total: "60,00 EUR",
        remaining: "35,00 EUR",
        vouchers: "25,00 EUR",
    }
}

/// A pass in English on a phone, 360 px wide.
fn english_on_a_phone(template: &'static str) -> Pass {
    Pass {
        template,
        language: "en",
        options: LaunchOptions::default()
            .accept_language("en")
            .window_size(360, 740),
        total: "EUR 60.00",
        remaining: "EUR 35.00",
        vouchers: "EUR 25.00",
    }
}

async fn split_payment_in_the_column_template_in_french(db: TestDb) {
    split_payment(db, french("column")).await;
}

async fn split_payment_in_the_column_template_in_english_360_px_wide(db: TestDb) {
    split_payment(db, english_on_a_phone("column")).await;
}

async fn split_payment_in_the_tab_template_in_french(db: TestDb) {
    split_payment(db, french("tab")).await;
}

async fn split_payment_in_the_lightbox_template_in_english(db: TestDb) {
    split_payment(db, english_on_a_phone("lightbox")).await;
}

async fn split_payment_in_the_tab_template_in_english_360_px_wide(db: TestDb) {
    split_payment(db, english_on_a_phone("tab")).await;
}

async fn split_payment_in_the_lightbox_template_in_french(db: TestDb) {
    split_payment(db, french("lightbox")).await;
}

async fn split_payment(db: TestDb, pass: Pass) {
    if browser::require_or_skip(&format!("widget_{}", pass.template)).is_some() {
        return;
    }
    let h = Harness::start(&db).await;
    let site = MerchantSite::start(&h.base).await;
    let return_url = site.return_url();
    let token = h
        .do_web_payment(&DoWebPayment {
            language: pass.language,
            return_url: &return_url,
            ..DoWebPayment::default()
        })
        .await;
    let page = WidgetPage {
        cvgate: &h.base,
        token: Some(&token),
        template: pass.template,
        attributes: "",
        head: "",
        body: "",
    };
    let url = site.publish("checkout", page.html());
    let cvgate = h.base.clone();
    let expected_return = format!("{return_url}?paylinetoken={token}&token={token}");
    join_browser(on_browser_thread(move || {
        buyer(url, cvgate, pass, expected_return)
    }))
    .await;
    the_split_is_recorded_as_through_the_hosted_page(&h.details(&token).await);
}

/// getWebPaymentDetails tells what `web_payment_flow_suite` checks after a partial ANCV
/// validation paid by card on the hosted page: the vouchers' part as the payment, the card's as
/// the additional payment, together the order's amount.
fn the_split_is_recorded_as_through_the_hosted_page(details: &str) {
    let value = |path: &[&str]| soap_value(details, path);
    let additional = |leaf: &[&str]| {
        let mut path = vec!["paymentAdditionalList", "paymentAdditional"];
        path.extend_from_slice(leaf);
        soap_value(details, &path)
    };
    assert_eq!(
        value(&["result", "code"]).as_deref(),
        Some("00000"),
        "{details}"
    );
    assert_eq!(
        (
            value(&["payment", "amount"]).as_deref(),
            value(&["payment", "contractNumber"]).as_deref()
        ),
        (Some("2500"), Some("ANCV-DEMO"))
    );
    assert_eq!(
        (
            additional(&["payment", "amount"]).as_deref(),
            additional(&["payment", "contractNumber"]).as_deref(),
            additional(&["card", "number"]).as_deref()
        ),
        (Some("3500"), Some("CB-DEMO"), Some("497010XXXXXX0014"))
    );
    assert_eq!(value(&["order", "amount"]).as_deref(), Some("6000"));
    assert!(
        !details.contains(CARD_CHALLENGE),
        "the full card number never leaves"
    );
}

/// What the buyer does in Chromium, on the merchant's page.
async fn buyer(url: String, cvgate: String, pass: Pass, expected_return: String) {
    let browser = Browser::launch(pass.options.clone()).await.unwrap();
    let name = |step: &str| format!("widget_{}_{}_{step}", pass.template, pass.language);
    browser.goto(&url).await.unwrap();
    wait_for_state(&browser, "PAYMENT_METHODS_LIST", 1).await;
    let first: Vec<(String, Value)> = events(&browser).await.into_iter().take(3).collect();
    assert_eq!(
        first,
        [
            ("willinit".to_owned(), Value::Null),
            ("willshow".to_owned(), Value::Null),
            (
                "didshowstate".to_owned(),
                json!({"state": "PAYMENT_METHODS_LIST"})
            ),
        ]
    );
    let amount = run(
        &browser,
        "return Payline.Api.getContextInfo('PaylineFormattedAmount');",
    )
    .await;
    assert_eq!(amount, json!(pass.total));
    let unknown = run(
        &browser,
        "return typeof Payline.Api.getContextInfo('NoSuchKey');",
    )
    .await;
    assert_eq!(unknown, json!("undefined"));
    assert_eq!(
        run(&browser, "return Payline.Api.getLanguage();").await,
        json!(pass.language)
    );
    if pass.template == "lightbox" {
        run(&browser, "Payline.Api.show(); return null;").await;
        let dialog = browser.wait_for("[role=dialog]", WAIT).await.unwrap();
        assert!(dialog.is_displayed().await.unwrap());
    }
    check_state(&browser, &name("1_methods")).await;
    ask_the_app(&browser, &pass).await;
    check_state(&browser, &name("2_waiting")).await;
    validate_in_the_app(&cvgate, CAMILLE, 2_500).await;
    wait_for_state(&browser, "PAYMENT_METHODS_LIST", 2).await;
    let fragmented = dom_text(&browser, ".pl-fragmented").await;
    assert!(
        fragmented.contains(pass.remaining) && fragmented.contains(pass.vouchers),
        "{fragmented}"
    );
    let methods = browser.find_all(".pl-pmContainer.pl-ancv_connect").await;
    assert!(methods.unwrap().is_empty(), "only the card pays the rest");
    check_state(&browser, &name("3_rest_by_card")).await;
    pay_by_card(&browser, CARD_CHALLENGE).await;
    wait_for_state(&browser, "PAYMENT_REDIRECT_NO_RESPONSE", 1).await;
    check_state(&browser, &name("4_3d_secure")).await;
    answer_the_challenge_in_the_iframe(&browser).await;
    wait_for_state(&browser, "PAYMENT_SUCCESS", 1).await;
    check_state(&browser, &name("5_success")).await;
    the_callbacks_told_the_whole_story(&browser).await;
    let ticket = dom_text(&browser, ".pl-ticket").await;
    assert!(
        ticket.contains(pass.vouchers) && ticket.contains(pass.remaining),
        "both parts on the ticket: {ticket}"
    );
    press(&browser, "#pl-ticket-default-ticket_btn").await;
    lands_on_the_shop(&browser, &expected_return).await;
    browser.quit().await.unwrap();
}

/// The buyer chooses Chèque-Vacances Connect and gives their identifier: the app is asked.
async fn ask_the_app(browser: &Browser, pass: &Pass) {
    if pass.template == "tab" {
        press(browser, ".pl-tab.pl-ancv_connect").await;
    }
    type_in(
        browser,
        ".pl-pmContainer.pl-ancv_connect input[name=BENEFICIARY]",
        CAMILLE,
    )
    .await;
    press(browser, ".pl-pmContainer.pl-ancv_connect .pl-pay-btn").await;
    wait_for_state(browser, "ACTIVE_WAITING", 1).await;
    let link = browser
        .wait_for("a[href$='/sandbox/ancv/app/']", WAIT)
        .await
        .unwrap();
    assert!(link.is_displayed().await.unwrap(), "the sandbox app's link");
}

/// The states in order, each payment preceded by `beforepayment`, and the final state announced
/// by `finalstatehasbeenreached` just before it is shown.
async fn the_callbacks_told_the_whole_story(browser: &Browser) {
    assert_eq!(
        shown_states(browser).await,
        [
            "PAYMENT_METHODS_LIST",
            "ACTIVE_WAITING",
            "PAYMENT_METHODS_LIST",
            "PAYMENT_REDIRECT_NO_RESPONSE",
            "PAYMENT_SUCCESS"
        ]
    );
    let names: Vec<String> = events(browser)
        .await
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| !name.ends_with("message"))
        .collect();
    assert_eq!(
        names,
        [
            "willinit",
            "willshow",
            "didshowstate",
            "beforepayment",
            "didshowstate",
            "didshowstate",
            "beforepayment",
            "didshowstate",
            "finalstatehasbeenreached",
            "didshowstate"
        ]
    );
    let last_two: Vec<(String, Value)> = events(browser).await.into_iter().rev().take(2).collect();
    assert_eq!(last_two[1].1, json!({"state": "PAYMENT_SUCCESS"}));
}

async fn the_merchant_blocks_a_payment_and_takes_over_the_final_state(db: TestDb) {
    if browser::require_or_skip("widget_merchant_decides").is_some() {
        return;
    }
    let h = Harness::start(&db).await;
    let site = MerchantSite::start(&h.base).await;
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    let page = WidgetPage {
        cvgate: &h.base,
        token: Some(&token),
        template: "column",
        attributes: "",
        head: "",
        body: "",
    };
    let url = site.publish("checkout", page.html());
    // The browser says when `beforepayment` refused; the test looks at the session meanwhile.
    let (to_test, mut from_browser) = tokio::sync::mpsc::unbounded_channel::<&'static str>();
    let (to_browser, from_test) = std::sync::mpsc::channel::<()>();
    let driven = on_browser_thread(move || merchant_decides(url, to_test, from_test));
    assert_eq!(
        from_browser.recv().await,
        Some("payment refused by beforepayment")
    );
    let session = h.web_payments.snapshot(&token).await.unwrap();
    assert!(session.ancv.is_none(), "nothing was sent to ANCV");
    assert_eq!(session.payment.session.state.as_str(), "ON_PAGE");
    to_browser.send(()).unwrap();
    join_browser(driven).await;
    let details = h.details(&token).await;
    assert_eq!(
        soap_value(&details, &["result", "code"]).as_deref(),
        Some("00000"),
        "paid, though the widget did not show it"
    );
    let session = h.web_payments.snapshot(&token).await.unwrap();
    assert!(session.ancv.is_none(), "ANCV was never asked");
}

/// The buyer asks for the app but the merchant's `beforepayment` says no; then pays by card and
/// the merchant's `finalstatehasbeenreached` keeps the final state for itself.
async fn merchant_decides(
    url: String,
    to_test: tokio::sync::mpsc::UnboundedSender<&'static str>,
    from_test: std::sync::mpsc::Receiver<()>,
) {
    let browser = Browser::launch(LaunchOptions::default()).await.unwrap();
    browser.goto(&url).await.unwrap();
    wait_for_state(&browser, "PAYMENT_METHODS_LIST", 1).await;
    run(
        &browser,
        "window.__returns.beforepayment = false; return null;",
    )
    .await;
    type_in(
        &browser,
        ".pl-pmContainer.pl-ancv_connect input[name=BENEFICIARY]",
        CAMILLE,
    )
    .await;
    press(&browser, ".pl-pmContainer.pl-ancv_connect .pl-pay-btn").await;
    wait_for_event(&browser, "beforepayment").await;
    to_test.send("payment refused by beforepayment").unwrap();
    from_test.recv().unwrap();
    let sent = run(
        &browser,
        "return performance.getEntriesByType('resource').filter(function (e) { \
           return /\\/paymentRequest$/.test(e.name); }).length;",
    )
    .await;
    assert_eq!(sent, json!(0), "no paymentRequest left the browser");
    assert_eq!(
        shown_states(&browser).await,
        ["PAYMENT_METHODS_LIST"],
        "nothing was sent"
    );
    run(
        &browser,
        "window.__returns.beforepayment = undefined; window.__returns.finalstatehasbeenreached = false; return null;",
    )
    .await;
    pay_by_card(&browser, CARD_OK).await;
    wait_for_event(&browser, "finalstatehasbeenreached").await;
    let (name, argument) = events(&browser).await.pop().unwrap();
    assert_eq!(
        (name.as_str(), argument),
        (
            "finalstatehasbeenreached",
            json!({"state": "PAYMENT_SUCCESS"})
        ),
        "the last callback: the widget did not show the state after it"
    );
    let tickets = browser.find_all("#pl-ticket-default-ticket_btn").await;
    assert!(
        tickets.unwrap().is_empty(),
        "the merchant took over: the widget shows no ticket"
    );
    assert_no_csp_violation(&browser).await;
    browser.quit().await.unwrap();
}

/// Waits until the browser is on the shop's return page at `expected` (the URL polled, not the
/// page's heading: the widget's page may be left while it is read).
async fn lands_on_the_shop(browser: &Browser, expected: &str) {
    browser
        .wait_until("the buyer is back on the shop", WAIT, async || {
            Ok(browser.current_url().await? == expected)
        })
        .await
        .unwrap();
    browser
        .wait_for_text("h1", "Thank you for your order", WAIT)
        .await
        .unwrap();
}

/// Waits until the widget has called the callback `name`.
async fn wait_for_event(browser: &Browser, name: &str) {
    browser
        .wait_until(&format!("the widget calls {name}"), WAIT, async || {
            Ok(events(browser)
                .await
                .iter()
                .any(|(called, _)| called == name))
        })
        .await
        .unwrap();
}

/// `Payline.Api.init(token, template)` on a div without token, then `endToken` cancels; a
/// mobile SDK's native bridge is told each state.
async fn end_token_cancels_the_session(db: TestDb) {
    if browser::require_or_skip("widget_end_token").is_some() {
        return;
    }
    let h = Harness::start(&db).await;
    let site = MerchantSite::start(&h.base).await;
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    // No token in the div, no automatic start: the page calls Payline.Api.init(token, template).
    let page = WidgetPage {
        cvgate: &h.base,
        token: None,
        template: "tab",
        attributes: " data-auto-init=false",
        head: "",
        body: "",
    };
    let url = site.publish("checkout", page.html());
    let started = token.clone();
    join_browser(on_browser_thread(move || end_the_token(url, started))).await;
    let details = h.details(&token).await;
    assert_eq!(
        soap_value(&details, &["result", "code"]).as_deref(),
        Some("02319")
    );
}

/// An Android mobile SDK's bridge, recording the widget's calls in `window.__bridgeCalls`.
const ANDROID_BRIDGE: &str = "window.__bridgeCalls = []; window.PaylineSdkAndroid = {};\
    ['didShowState', 'finalStateHasBeenReached', 'didEndToken'].forEach(function (name) {\
      window.PaylineSdkAndroid[name] = function (json) { window.__bridgeCalls.push(name + ' ' + JSON.parse(json).state); };\
    });";

async fn end_the_token(url: String, token: String) {
    let browser = Browser::launch(LaunchOptions::default()).await.unwrap();
    browser
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": ANDROID_BRIDGE }),
        )
        .await
        .unwrap();
    browser.goto(&url).await.unwrap();
    assert!(
        events(&browser).await.is_empty(),
        "data-auto-init=false: nothing happens before init"
    );
    run(
        &browser,
        &format!("Payline.Api.init('{token}', 'column'); return null;"),
    )
    .await;
    wait_for_state(&browser, "PAYMENT_METHODS_LIST", 1).await;
    assert_eq!(
        run(&browser, "return Payline.Api.getToken();").await,
        json!(token)
    );
    let layout = run(
        &browser,
        "return document.getElementById('PaylineWidget').className;",
    )
    .await;
    assert!(
        !layout.as_str().unwrap().contains("pl-layout-tab"),
        "init's template wins: {layout}"
    );
    run(
        &browser,
        "window.__ended = false; Payline.Api.endToken(null, function () { window.__ended = true; }, false, false); return null;",
    )
    .await;
    wait_for_state(&browser, "PAYMENT_CANCELED", 1).await;
    assert_eq!(run(&browser, "return window.__ended;").await, json!(true));
    assert_eq!(
        run(&browser, "return window.__bridgeCalls;").await,
        json!([
            "didShowState PAYMENT_METHODS_LIST",
            "didEndToken PAYMENT_CANCELED",
            "finalStateHasBeenReached PAYMENT_CANCELED",
            "didShowState PAYMENT_CANCELED"
        ]),
        "the mobile SDK follows the payment"
    );
    check_state(&browser, "widget_cancelled").await;
    browser.quit().await.unwrap();
}

async fn a_page_built_like_the_official_plugins(db: TestDb) {
    if browser::require_or_skip("widget_plugins").is_some() {
        return;
    }
    let h = Harness::start(&db).await;
    let site = MerchantSite::start(&h.base).await;
    let return_url = site.return_url();
    let request = DoWebPayment {
        return_url: &return_url,
        ..DoWebPayment::default()
    };
    let first = h.do_web_payment(&request).await;
    let second = h.do_web_payment(&request).await;
    let url = site.publish("checkout", plugin_page(&h.base, &first));
    let expected_return = format!("{return_url}?paylinetoken={second}&token={second}");
    let tokens = (first.clone(), second.clone());
    join_browser(on_browser_thread(move || {
        plugin_buyer(url, tokens, expected_return)
    }))
    .await;
    let first_details = h.details(&first).await;
    assert_eq!(
        soap_value(&first_details, &["result", "code"]).as_deref(),
        Some("02306"),
        "the first session was shown, then left untouched"
    );
    let untouched = h.web_payments.snapshot(&first).await.unwrap();
    assert!(
        untouched.ancv.is_none() && untouched.card.is_none(),
        "nothing was paid on the first session"
    );
    let second_details = h.details(&second).await;
    assert_eq!(
        soap_value(&second_details, &["result", "code"]).as_deref(),
        Some("00000")
    );
}

/// A checkout page as the plugins write it: terms and conditions gated with a capture-phase
/// listener (PrestaShop), a `#PaylineWidget` restyling, a final-state handler that clicks the
/// ticket button (all plugins).
fn plugin_page(cvgate: &str, token: &str) -> String {
    let head = r#"<style>#PaylineWidget .pl-pay-btn { background-color: rgb(1, 2, 3); }</style>
<script>
onFinalState = (function (recordIt) {
  return function (argument) {
    recordIt(argument);
    window.setTimeout(function () { document.getElementById("pl-ticket-default-ticket_btn").click(); }, 0);
  };
})(onFinalState);
</script>"#;
    let body = r#"<p><label><input type="checkbox" id="terms"> I accept the terms and conditions</label></p>
<script>
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest(".pl-pay-btn");
  if (button && !document.getElementById("terms").checked) {
    window.__gated = (window.__gated || 0) + 1;
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
</script>"#;
    WidgetPage {
        cvgate,
        token: Some(token),
        template: "column",
        attributes: "",
        head,
        body,
    }
    .html()
}

async fn plugin_buyer(url: String, tokens: (String, String), expected_return: String) {
    let (first, second) = tokens;
    let browser = Browser::launch(LaunchOptions::default()).await.unwrap();
    browser.goto(&url).await.unwrap();
    wait_for_state(&browser, "PAYMENT_METHODS_LIST", 1).await;
    reload_the_script_as_magento_does(&browser).await;
    assert_eq!(
        run(&browser, "return Payline.Api.getToken();").await,
        json!(first)
    );
    // WooCommerce: a new token in the div, then reset() without arguments.
    run(
        &browser,
        &format!(
            "document.getElementById('PaylineWidget').setAttribute('data-token', '{second}'); Payline.Api.reset(); return null;"
        ),
    )
    .await;
    wait_for_state(&browser, "PAYMENT_METHODS_LIST", 2).await;
    assert_eq!(
        run(&browser, "return Payline.Api.getToken();").await,
        json!(second)
    );
    let colour = run(
        &browser,
        "return getComputedStyle(document.querySelector('.pl-pay-btn')).backgroundColor;",
    )
    .await;
    assert_eq!(colour, json!("rgb(1, 2, 3)"), "the merchant's CSS wins");
    assert_no_csp_violation(&browser).await;
    pay_by_card(&browser, CARD_OK).await;
    assert_eq!(run(&browser, "return window.__gated;").await, json!(1));
    assert_eq!(
        shown_states(&browser).await.len(),
        2,
        "the terms are not accepted: nothing was sent"
    );
    press(&browser, "#terms").await;
    press(&browser, ".pl-pmContainer.pl-cb .pl-pay-btn").await;
    // The final-state handler clicks the ticket button: the buyer lands on the shop.
    lands_on_the_shop(&browser, &expected_return).await;
    browser.quit().await.unwrap();
}

/// Magento removes the widget's script and appends it again: one widget, one instance.
async fn reload_the_script_as_magento_does(browser: &Browser) {
    let cards_before = browser.find_all(".pl-pmContainer").await.unwrap().len();
    run(
        browser,
        "var old = document.querySelector('script[src$=\"widget-min.js\"]'); var again = document.createElement('script'); \
         again.src = old.src; old.remove(); window.__reloaded = false; again.onload = function () { window.__reloaded = true; }; \
         document.body.appendChild(again); return null;",
    )
    .await;
    browser
        .wait_until("the script is loaded again", WAIT, async || {
            Ok(run(browser, "return window.__reloaded;").await == json!(true))
        })
        .await
        .unwrap();
    let inits = events(browser)
        .await
        .iter()
        .filter(|(name, _)| name == "willinit")
        .count();
    assert_eq!(
        inits, 1,
        "loading the script twice does not initialise twice"
    );
    assert_eq!(
        browser.find_all(".pl-pmContainer").await.unwrap().len(),
        cards_before
    );
    assert_eq!(
        run(
            browser,
            "return document.querySelectorAll('#PaylineWidget .pl-view').length;"
        )
        .await,
        json!(1)
    );
}
