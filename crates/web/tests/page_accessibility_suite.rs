//! The states of the hosted payment page that the flows of `payment_page_browser_suite` do not
//! pass through, as a buyer meets them in a real Chromium, each audited with axe-core (no
//! critical or serious violation): the identifier refusals (unknown account, a request already
//! pending, too many requests) and a card-form error, the challenge step, each unpaid result
//! and its automatic return to the shop, the error and 403 pages; then the sandbox's
//! Chèque-Vacances app and the 3-D Secure ACS page. Over plain HTTP, the refusals' statuses.
//!
//! On SQLite only: what a page shows does not depend on the database. Skipped loudly without
//! Chromium or axe-core (a failure under CI=true).

mod support;

use axum::Router;
use axum::routing::get;
use browser::{Browser, LaunchOptions};
use serde_json::json;
use std::time::Duration;
use support::{CAMILLE, CARD_OK, DoWebPayment, Harness, card_form, check_page, click, type_into};
use testkit::{Backend, Provisioned, provision};

const WAIT: Duration = Duration::from_secs(20);
/// A beneficiary ANCV does not know.
const NOBODY: &str = "nobody@example.com";
/// A card number that fails its check digit.
const MISTYPED_CARD: &str = "4970100000000007";
/// Refused by the bank (01100).
const CARD_REFUSED: &str = "4970100000000022";

/// A harness on a fresh SQLite database; the database lives as long as the second value.
async fn harness() -> (Harness, Provisioned) {
    let (db, provisioned) = provision(Backend::Sqlite).await.unwrap();
    (Harness::start(&db).await, provisioned)
}

/// The shop the buyer comes back to; its return URL.
async fn shop() -> String {
    let app = Router::new().route("/return", get(|| async { "Back at the shop" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/return", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, app).into_future());
    url
}

/// The DOM's text of the element matching `css` (no-break spaces kept).
async fn text_of(browser: &Browser, css: &str) -> String {
    let text = browser
        .execute(
            "return document.querySelector(arguments[0]).textContent.trim()",
            &[json!(css)],
        )
        .await
        .unwrap();
    text.as_str().unwrap_or_default().to_owned()
}

/// The id of the focused element.
async fn focused(browser: &Browser) -> serde_json::Value {
    browser
        .execute("return document.activeElement.id", &[])
        .await
        .unwrap()
}

/// The identifier form says which problem it is, keeps what was typed, marks the field and
/// gives it the focus; the card form keeps the number, never the security code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_forms_say_what_was_refused_and_keep_what_was_typed() {
    if browser::require_or_skip("the_forms_say_what_was_refused").is_some() {
        return;
    }
    let (h, _db) = harness().await;
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    // Camille already has a request waiting in her app, for another order.
    let other = h.do_web_payment(&DoWebPayment::default()).await;
    h.web_payments.start_ancv(&other, CAMILLE).await.unwrap();

    let options = LaunchOptions::default().accept_language("fr");
    let browser = Browser::launch(options).await.unwrap();
    browser
        .goto(&format!("{}/webpayment/{token}", h.base))
        .await
        .unwrap();
    click(&browser, "details.ancv > summary").await;
    ask_the_app(&browser, NOBODY, "Aucun compte Chèque-Vacances Connect").await;
    check_page(&browser, "fr_refused_unknown_account").await;
    ask_the_app(&browser, CAMILLE, "déjà en attente sur ce compte").await;
    check_page(&browser, "fr_refused_request_pending").await;
    // Five requests in ten minutes for one payment: the sixth waits.
    for _ in 0..3 {
        let _ = h.web_payments.start_ancv(&token, NOBODY).await;
    }
    ask_the_app(&browser, NOBODY, "Trop de demandes Chèque-Vacances").await;
    check_page(&browser, "fr_refused_too_many").await;
    a_mistyped_card_is_shown_again(&browser).await;
    check_page(&browser, "fr_refused_card_number").await;
    browser.quit().await.unwrap();
}

/// Types `identifier` in the Chèque-Vacances form and sends it; the form comes back with
/// `message`, the identifier kept, the field invalid and focused.
async fn ask_the_app(browser: &Browser, identifier: &str, message: &str) {
    let field = browser.find("#beneficiary").await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(identifier).await.unwrap();
    click(browser, "#ancv-form button[type=submit]").await;
    browser
        .wait_for_text("#ancv-error", message, WAIT)
        .await
        .unwrap();
    let field = browser.find("#beneficiary").await.unwrap();
    assert_eq!(field.property("value").await.unwrap(), json!(identifier));
    assert_eq!(
        field.attribute("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    let described = field.attribute("aria-describedby").await.unwrap();
    assert!(described.unwrap_or_default().contains("ancv-error"));
    assert_eq!(focused(browser).await, json!("beneficiary"));
}

/// A card number that fails its check: the card form opens again with the number, without the
/// security code, the number field invalid and focused.
async fn a_mistyped_card_is_shown_again(browser: &Browser) {
    click(browser, "details.card > summary").await;
    type_into(browser, "#card-number", MISTYPED_CARD).await;
    type_into(browser, "#card-expiry", "12/30").await;
    type_into(browser, "#card-cvv", "987").await;
    click(browser, "#card-form button[type=submit]").await;
    browser
        .wait_for_text("#card-error", "numéro de carte", WAIT)
        .await
        .unwrap();
    let number = browser.find("#card-number").await.unwrap();
    assert_eq!(
        number.property("value").await.unwrap(),
        json!(MISTYPED_CARD)
    );
    let cvv = browser.find("#card-cvv").await.unwrap();
    assert_eq!(cvv.property("value").await.unwrap(), json!(""));
    assert!(
        number.is_displayed().await.unwrap(),
        "the card form is open"
    );
    assert_eq!(focused(browser).await, json!("card-number"));
    let expiry = browser.find("#card-expiry").await.unwrap();
    assert_eq!(
        expiry.attribute("placeholder").await.unwrap().as_deref(),
        Some("MM/AA")
    );
}

/// Over HTTP: 422 for what was typed, 429 with Retry-After for too many requests, 409 in the
/// page's words when a form comes too late; the waiting page refreshes itself only without
/// JavaScript.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_answer_with_their_status_in_the_pages_language() {
    let (h, _db) = harness().await;
    let english = DoWebPayment {
        language: "en",
        ..DoWebPayment::default()
    };
    let token = h.do_web_payment(&english).await;
    let unknown = h
        .post_page(&token, "ancv", &[("beneficiary", NOBODY)])
        .await;
    assert_eq!(unknown.status(), 422);
    let page = unknown.text().await.unwrap();
    assert!(
        page.contains("No Chèque-Vacances Connect account"),
        "{page}"
    );
    assert!(page.contains(&format!("value=\"{NOBODY}\"")), "{page}");
    for _ in 0..4 {
        let _ = h.web_payments.start_ancv(&token, NOBODY).await;
    }
    let too_many = h
        .post_page(&token, "ancv", &[("beneficiary", CAMILLE)])
        .await;
    assert_eq!(too_many.status(), 429);
    let retry_after: u64 = too_many.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=600).contains(&retry_after), "{retry_after}");
    let mistyped = h
        .post_page(&token, "card", &card_form_with(MISTYPED_CARD, "987"))
        .await;
    assert_eq!(mistyped.status(), 422);
    let page = mistyped.text().await.unwrap();
    assert!(
        page.contains(&format!("value=\"{MISTYPED_CARD}\"")),
        "{page}"
    );
    // As a value or a text, not as digits that a random token of the page may hold.
    assert!(
        !page.contains("\"987\"") && !page.contains(">987<"),
        "the security code is never shown again"
    );
    a_form_too_late_is_told_in_french(&h).await;
}

/// The card form with `number` and `cvv`.
fn card_form_with<'a>(number: &'a str, cvv: &'a str) -> Vec<(&'static str, &'a str)> {
    let mut form: Vec<_> = card_form(number)
        .into_iter()
        .filter(|(name, _)| *name != "cvv")
        .collect();
    form.push(("cvv", cvv));
    form
}

/// A card form sent while the app is asked (another tab): 409, the waiting page with the
/// catalogue's words (not the service's English); it refreshes only inside `<noscript>`.
async fn a_form_too_late_is_told_in_french(h: &Harness) {
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    let html = h.page(&token).await;
    let csrf = html
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    h.web_payments.start_ancv(&token, CAMILLE).await.unwrap();
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(&card_form(CARD_OK));
    let late = reqwest::Client::new()
        .post(format!("{}/webpayment/{token}/card", h.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), 409);
    let page = late.text().await.unwrap();
    assert!(
        page.contains("Le paiement par carte n&#x27;est pas possible maintenant"),
        "{page}"
    );
    assert!(!page.contains("not possible now"), "{page}");
    assert!(page.contains("data-countdown"), "the waiting page: {page}");
    assert!(page.contains(r#"<noscript><meta http-equiv="refresh" content="5">"#));
    assert_eq!(page.matches("http-equiv=\"refresh\"").count(), 1, "{page}");
}

/// The unpaid results (refused after a partial validation, cancelled, expired), the challenge
/// step, the ACS page, the error and 403 pages, in English 360 px wide; a result page goes back
/// to the shop by itself unless the buyer stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_and_error_pages_in_english_on_a_phone() {
    if browser::require_or_skip("results_and_error_pages").is_some() {
        return;
    }
    let (h, _db) = harness().await;
    let return_url = shop().await;
    let english = DoWebPayment {
        language: "en",
        return_url: &return_url,
        ..DoWebPayment::default()
    };
    let options = LaunchOptions::default()
        .accept_language("en")
        .window_size(360, 740);
    let browser = Browser::launch(options).await.unwrap();
    let page_of = |token: &str| format!("{}/webpayment/{token}", h.base);

    let refused = h.do_web_payment(&english).await;
    h.validate_vouchers(&refused, 2_500).await;
    for _ in 0..3 {
        h.post_form(&refused, "card", &card_form(CARD_REFUSED))
            .await;
    }
    browser.goto(&page_of(&refused)).await.unwrap();
    the_buyer_stays_on_the_refused_result(&browser).await;

    let cancelled = h.do_web_payment(&english).await;
    h.post_form(&cancelled, "cancel", &[]).await;
    browser.goto(&page_of(&cancelled)).await.unwrap();
    let title = text_of(&browser, "#page-title").await;
    assert_eq!(title, "You cancelled the payment.");
    check_page(&browser, "en_result_cancelled").await;

    let challenged = h.do_web_payment(&english).await;
    let acs = h.start_challenge(&challenged).await;
    browser.goto(&page_of(&challenged)).await.unwrap();
    browser
        .wait_for_text("#challenge-title", "3-D Secure", WAIT)
        .await
        .unwrap();
    check_page(&browser, "en_challenge").await;
    the_acs_page(&browser, &acs).await;

    let expired = h.do_web_payment(&english).await;
    h.page(&expired).await;
    h.advance(16 * 60 * 1000).await;
    browser.goto(&page_of(&expired)).await.unwrap();
    assert_eq!(
        text_of(&browser, "#page-title").await,
        "The time to pay is over."
    );
    check_page(&browser, "en_result_expired").await;
    browser
        .wait_until("the automatic return to the shop", WAIT, async || {
            Ok(browser.current_url().await?.starts_with(&return_url))
        })
        .await
        .unwrap();
    error_pages(&browser, &h).await;
    browser.quit().await.unwrap();
}

/// The refused result says the vouchers were given back; "stay on this page" stops the return
/// to the shop, says so, and hands the focus to the "return now" link.
async fn the_buyer_stays_on_the_refused_result(browser: &Browser) {
    assert_eq!(
        text_of(browser, "#page-title").await,
        "Your payment was refused."
    );
    let given_back = text_of(browser, "#vouchers-given-back").await;
    assert!(given_back.contains("given back"), "{given_back}");
    check_page(browser, "en_result_refused").await;
    click(browser, "#stay").await;
    browser
        .wait_for_text("#auto-return", "Automatic return stopped", WAIT)
        .await
        .unwrap();
    let stay = browser.find("#stay").await.unwrap();
    assert!(!stay.is_displayed().await.unwrap());
    assert_eq!(focused(browser).await, json!("back-to-shop"));
    let url = browser.current_url().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(browser.current_url().await.unwrap(), url, "still here");
}

/// The bank's 3-D Secure page, and again with a malformed code; the amount is written as on
/// the payment page.
async fn the_acs_page(browser: &Browser, acs: &str) {
    browser.goto(acs).await.unwrap();
    browser.wait_for("#code", WAIT).await.unwrap();
    assert_eq!(text_of(browser, "#amount").await, "€60.00");
    check_page(browser, "en_acs").await;
    type_into(browser, "#code", "12").await;
    click(browser, "#confirm").await;
    browser.wait_for("#code-error", WAIT).await.unwrap();
    check_page(browser, "en_acs_error").await;
}

/// The unknown-payment page (404) and the expired-form page (403).
async fn error_pages(browser: &Browser, h: &Harness) {
    browser
        .goto(&format!("{}/webpayment/no-such-token", h.base))
        .await
        .unwrap();
    browser
        .wait_for_text("[role=alert]", "n'existe pas", WAIT)
        .await
        .unwrap();
    check_page(browser, "error_unknown_payment").await;
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    browser
        .goto(&format!("{}/webpayment/{token}", h.base))
        .await
        .unwrap();
    // A form whose secret is not the session's (an old tab): refused.
    browser
        .execute(
            "document.querySelectorAll('input[name=csrf]').forEach(function (i) { i.value = 'old'; });",
            &[],
        )
        .await
        .unwrap();
    click(browser, "form.cancel button").await;
    browser
        .wait_for_text("[role=alert][lang=en]", "reload the payment page", WAIT)
        .await
        .unwrap();
    check_page(browser, "error_form_expired").await;
}

/// The sandbox's Chèque-Vacances app: sign-in (and its error), the request list, validated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_app_pages() {
    if browser::require_or_skip("the_sandbox_app_pages").is_some() {
        return;
    }
    let (h, _db) = harness().await;
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    h.web_payments.start_ancv(&token, CAMILLE).await.unwrap();
    let options = LaunchOptions::default().accept_language("fr");
    let browser = Browser::launch(options).await.unwrap();
    browser
        .goto(&format!("{}/sandbox/ancv/app/", h.base))
        .await
        .unwrap();
    browser.wait_for("#identifier", WAIT).await.unwrap();
    check_page(&browser, "app_sign_in").await;
    type_into(&browser, "#identifier", CAMILLE).await;
    type_into(&browser, "#secret-code", "9999").await;
    click(&browser, "form.card button[type=submit]").await;
    browser.wait_for("[role=alert]", WAIT).await.unwrap();
    check_page(&browser, "app_sign_in_error").await;
    type_into(&browser, "#secret-code", "1234").await;
    click(&browser, "form.card button[type=submit]").await;
    browser
        .wait_for("section.request button[value=full]", WAIT)
        .await
        .unwrap();
    check_page(&browser, "app_requests").await;
    type_into(&browser, "section.request input[type=password]", "1234").await;
    click(&browser, "section.request button[value=full]").await;
    browser.wait_for(".notice", WAIT).await.unwrap();
    check_page(&browser, "app_validated").await;
    browser.quit().await.unwrap();
}
