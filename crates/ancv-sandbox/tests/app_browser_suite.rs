//! The beneficiary's app in a real headless Chromium: a request created through cvgate's own
//! connector (`ancv::AncvClient`) over loopback is found, partly validated and gone from the
//! list, and the API then says VALIDATED for the amount typed. Once in French at desktop size,
//! once in English at 360 px wide. Skipped loudly (failed under CI=true) without Chromium.
//!
//! Screenshots of every step go to `$CVGATE_SCREENSHOT_DIR/<backend>-<lang>/` when that is
//! set, else to a temporary folder removed afterwards.

mod common;

use ancv::TransactionState as S;
use axum::Router;
use browser::{Browser, Element, LaunchOptions};
use common::*;
use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;
use testkit::TestDb;

testkit::backend_suite![
    partial_payment_in_french_on_a_desktop,
    partial_payment_in_english_360_px_wide,
];

const WAIT: Duration = Duration::from_secs(15);

/// What one pass types and expects to read.
struct Pass {
    name: &'static str,
    options: LaunchOptions,
    identifier: &'static str,
    sign_in_title: &'static str,
    list_title: &'static str,
    requested: &'static str,
    too_much: &'static str,
    too_much_message: &'static str,
    amount: &'static str,
    validated: &'static str,
}

async fn partial_payment_in_french_on_a_desktop(db: TestDb) {
    let pass = Pass {
        name: "fr",
        options: LaunchOptions::default().accept_language("fr"),
        identifier: "camille.martin@example.com",
        sign_in_title: "Connexion",
        list_title: "Paiements en attente",
        requested: "60,00 €",
        too_much: "60,01",
        too_much_message: "au plus 60,00",
        amount: "25,00",
        validated: "Paiement de 25,00",
    };
    partial_payment(db, pass).await;
}

async fn partial_payment_in_english_360_px_wide(db: TestDb) {
    let pass = Pass {
        name: "en",
        options: LaunchOptions::default()
            .accept_language("en")
            .window_size(360, 740),
        identifier: "10000000001",
        sign_in_title: "Sign in",
        list_title: "Payments waiting",
        requested: "€60.00",
        too_much: "60.01",
        too_much_message: "at most €60.00",
        amount: "25.00",
        validated: "Payment of €25.00 validated.",
    };
    partial_payment(db, pass).await;
}

async fn partial_payment(db: TestDb, pass: Pass) {
    let test = format!("ancv_app_page_{}", pass.name);
    if browser::require_or_skip(&test).is_some() {
        return;
    }
    let h = Harness::start(db.clone()).await;
    let origin = serve(Router::new().nest("/sandbox/ancv", h.sandbox.router())).await;
    // Through the real connector: created, then sent to camille's app.
    let pending = h
        .pending(
            &format!("pay-browser-{}", pass.name),
            6_000,
            "camille.martin@example.com",
        )
        .await;
    let shots = Screenshots::new(&format!("{}-{}", db.backend, pass.name));
    let id = pending.id.clone();
    // The browser crate's waits are not `Send`: they run on a thread of their own, while the
    // sandbox keeps serving on the test's runtime.
    let driven = tokio::task::spawn_blocking(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(answer_in_the_browser(origin, id, pass, shots))
    });
    driven
        .await
        .unwrap_or_else(|error| std::panic::resume_unwind(error.into_panic()));

    let validated = h.client.status(&pending.id).await.unwrap();
    assert_eq!(validated.state, S::Validated);
    assert_eq!(validated.payers[0].authorizations[0].amount.total, 2_500);
    assert_eq!(h.balance("10000000001").await, 30_000 - 2_500);
}

/// Signs in, sees the request, types too much (refused, announced), then the amount: the
/// request leaves the list.
async fn answer_in_the_browser(origin: String, id: String, pass: Pass, shots: Screenshots) {
    let id = id.as_str();
    let browser = Browser::launch(pass.options.clone()).await.unwrap();
    sign_in(&browser, &origin, &pass, &shots).await;
    the_request_is_listed(&browser, id, &pass, &shots).await;
    let field = too_much_is_refused_at_the_field(&browser, id, &pass, &shots).await;

    // The amount typed is kept, the secret code is not: type them again.
    field.clear().await.unwrap();
    field.send_keys(pass.amount).await.unwrap();
    type_into(&browser, &format!("#code-{id}"), CODE).await;
    click(&browser, &partial_button(id)).await;
    browser
        .wait_for_text(".notice", pass.validated, WAIT)
        .await
        .unwrap();
    assert!(
        !browser.page_source().await.unwrap().contains(id),
        "the request left the list"
    );
    assert_fits_the_width(&browser).await;
    shots.take(&browser, "4-validated").await;
    browser.quit().await.unwrap();
}

/// The section of request `id` on the list.
fn request_section(id: &str) -> String {
    format!("section[aria-labelledby='request-{id}-title']")
}

/// The "validate this amount" button of request `id`.
fn partial_button(id: &str) -> String {
    format!("{} button[value=partial]", request_section(id))
}

/// Opens the sign-in page (in the pass's language, styled, fitting the width) and signs in.
async fn sign_in(browser: &Browser, origin: &str, pass: &Pass, shots: &Screenshots) {
    browser
        .goto(&format!("{origin}/sandbox/ancv/app/"))
        .await
        .unwrap();
    browser
        .wait_for_text("h1", pass.sign_in_title, WAIT)
        .await
        .unwrap();
    assert_eq!(html_lang(browser).await, pass.name);
    assert_fits_the_width(browser).await;
    // The stylesheet loaded under the Content-Security-Policy.
    let banner = browser
        .execute(
            "return getComputedStyle(document.querySelector('.banner')).backgroundColor",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(banner, json!("rgb(0, 80, 127)"));
    shots.take(browser, "1-sign-in").await;

    type_into(browser, "#identifier", pass.identifier).await;
    type_into(browser, "#secret-code", CODE).await;
    click(browser, "form.card button[type=submit]").await;
}

/// The list shows request `id` with its merchant and amount, and its time left ticks down.
async fn the_request_is_listed(browser: &Browser, id: &str, pass: &Pass, shots: &Screenshots) {
    browser
        .wait_for_text("h1", pass.list_title, WAIT)
        .await
        .unwrap();
    browser
        .wait_for_text(&format!("#request-{id}-title"), "Hôtel du Lac", WAIT)
        .await
        .unwrap();
    // WebDriver reads the no-break space of French amounts as a plain one.
    let request = browser
        .find(&request_section(id))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        request.replace('\u{a0}', " ").contains(pass.requested),
        "{request}"
    );
    assert_fits_the_width(browser).await;
    // The script allowed by the policy ticks the time left down from 5:00 (the server's clock
    // stands still: only the script moves it).
    browser
        .wait_for_text("time.countdown", "4:5", WAIT)
        .await
        .unwrap();
    shots.take(browser, "2-requests").await;
}

/// Too much first: the error is announced next to the field, which gets the focus and keeps
/// what was typed. Returns the amount field.
async fn too_much_is_refused_at_the_field(
    browser: &Browser,
    id: &str,
    pass: &Pass,
    shots: &Screenshots,
) -> Element {
    let amount = format!("#amount-{id}");
    type_into(browser, &format!("#code-{id}"), CODE).await;
    type_into(browser, &amount, pass.too_much).await;
    click(browser, &partial_button(id)).await;
    browser
        .wait_for_text(&format!("#amount-{id}-error"), pass.too_much_message, WAIT)
        .await
        .unwrap();
    let field = browser.find(&amount).await.unwrap();
    assert_eq!(
        field.attribute("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert_eq!(field.property("value").await.unwrap(), json!(pass.too_much));
    let focused = browser
        .execute("return document.activeElement.id", &[])
        .await
        .unwrap();
    assert_eq!(focused, json!(format!("amount-{id}")));
    assert_fits_the_width(browser).await;
    shots.take(browser, "3-amount-refused").await;
    field
}

async fn html_lang(browser: &Browser) -> String {
    let lang = browser
        .execute("return document.documentElement.lang", &[])
        .await
        .unwrap();
    lang.as_str().unwrap_or_default().to_owned()
}

/// No horizontal scrolling: everything fits the viewport (360 px included).
async fn assert_fits_the_width(browser: &Browser) {
    let widths = browser
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth]",
            &[],
        )
        .await
        .unwrap();
    let (content, viewport) = (widths[0].as_u64().unwrap(), widths[1].as_u64().unwrap());
    assert!(
        content <= viewport,
        "the page is {content} px wide in a {viewport} px viewport"
    );
}

struct Screenshots {
    dir: PathBuf,
    _temporary: Option<tempfile::TempDir>,
}

impl Screenshots {
    fn new(pass: &str) -> Screenshots {
        match std::env::var_os("CVGATE_SCREENSHOT_DIR") {
            Some(root) => {
                let dir = PathBuf::from(root).join(pass);
                std::fs::create_dir_all(&dir).unwrap();
                Screenshots {
                    dir,
                    _temporary: None,
                }
            }
            None => {
                let temporary = tempfile::tempdir().unwrap();
                Screenshots {
                    dir: temporary.path().to_owned(),
                    _temporary: Some(temporary),
                }
            }
        }
    }

    async fn take(&self, browser: &Browser, name: &str) {
        let path = self.dir.join(format!("{name}.png"));
        browser.screenshot_png(&path).await.unwrap();
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(size > 1_000, "{} is only {size} bytes", path.display());
    }
}

/// Types `text` into the element `selector` finds.
async fn type_into(browser: &Browser, selector: &str, text: &str) {
    let field = browser.find(selector).await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Clicks the element `selector` finds.
async fn click(browser: &Browser, selector: &str) {
    browser.find(selector).await.unwrap().click().await.unwrap();
}
