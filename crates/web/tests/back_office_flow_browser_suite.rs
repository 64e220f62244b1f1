//! The back office as a new merchant would use it, in a real headless Chromium (French, 360 px
//! wide): the demo user signs in, creates a point of sale and the seed's two contracts (the card
//! contract, then `ANCV_CONNECT` with its Shop ID — refused first without it, the field marked —
//! and the card contract as complement); a buyer takes a split payment through the page on them;
//! the user finds it in the list, opens it, refunds the card part partially then the ANCV part,
//! and sees the audit entries; then a viewer finds no refund button and its refund POST is
//! refused (403). Every page audited with axe-core. Skipped loudly without Chromium
//! or axe-core (a failure under CI=true).

mod support;

use browser::{Browser, LaunchOptions};
use domain::random::OsRandom;
use gateway::BackOfficeUsers;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::{
    DoWebPayment, Harness, assert_fits_the_screen, check_page, click, first_back_office_sign_in,
    join_browser, on_browser_thread, soap_value, type_into,
};
use testkit::TestDb;

testkit::backend_suite![a_merchant_configures_sells_and_refunds_in_the_back_office];

const WAIT: Duration = Duration::from_secs(20);
const VIEWER: &str = "viewer@example.com";

/// What the browser tells the test, and what it waits for.
struct Link {
    to_test: tokio::sync::mpsc::UnboundedSender<&'static str>,
    from_test: std::sync::mpsc::Receiver<String>,
}

async fn a_merchant_configures_sells_and_refunds_in_the_back_office(db: TestDb) {
    if browser::require_or_skip("back_office_flow").is_some() {
        return;
    }
    let h = Harness::start(&db).await;
    let users = BackOfficeUsers::new(h.store.clone(), h.clock.clone(), Arc::new(OsRandom));
    let (user, password) = users
        .ensure_demo_user(&h.merchant_id)
        .await
        .unwrap()
        .unwrap();
    let viewer = gateway::back_office_users::UserRequest {
        merchant: Some(h.merchant_id.to_string()),
        email: VIEWER.to_owned(),
        role: "viewer".to_owned(),
    };
    let (_, viewer_password) = users.create(&viewer).await.unwrap();
    let base = h.base.clone();
    let passwords = [password, viewer_password].map(|p| p.expose().to_owned());
    let email = user.email.to_string();
    let (to_test, mut from_browser) = tokio::sync::mpsc::unbounded_channel();
    let (to_browser, from_test) = std::sync::mpsc::channel::<String>();
    let link = Link { to_test, from_test };
    let driven = on_browser_thread(move || merchant(base, email, passwords, link));

    assert_eq!(from_browser.recv().await, Some("configured"));
    let request = DoWebPayment {
        contract: "ANCV-WEB",
        selected: &["ANCV-WEB", "CB-WEB"],
        ..DoWebPayment::default()
    };
    let (_, created) = h.soap("WebPaymentAPI", &request.envelope()).await;
    let token = soap_value(&created, &["token"]).expect("a session on the new contracts");
    to_browser
        .send(soap_value(&created, &["redirectURL"]).unwrap())
        .unwrap();
    // The beneficiary validates 25.00 € of 60.00 € in the app.
    assert_eq!(from_browser.recv().await, Some("waiting for the app"));
    let snapshot = h.web_payments.snapshot(&token).await.unwrap();
    let ancv_id = snapshot.ancv.unwrap().ancv_id.unwrap();
    h.sandbox
        .validate_request(&ancv_id, "1234", Some(2_500))
        .await
        .unwrap();
    to_browser.send(String::new()).unwrap();
    // Paid: the day's card captures are remitted, so that the card part can be refunded.
    assert_eq!(from_browser.recv().await, Some("paid"));
    h.web_payments
        .card()
        .remit(domain::clock::Clock::now(&*h.clock))
        .await
        .unwrap();
    to_browser.send(String::new()).unwrap();
    join_browser(driven).await;
}

async fn merchant(base: String, email: String, passwords: [String; 2], link: Link) {
    let [password, viewer_password] = passwords;
    let options = LaunchOptions::default()
        .accept_language("fr")
        .window_size(360, 740);
    let browser = Browser::launch(options).await.unwrap();
    browser.goto(&format!("{base}/backoffice/")).await.unwrap();
    browser.wait_for("#email", WAIT).await.unwrap();
    type_into(&browser, "#email", &email).await;
    type_into(&browser, "#password", &password).await;
    click(&browser, "form button[type=submit]").await;
    configure(&browser).await;
    link.to_test.send("configured").unwrap();
    let redirect_url = link.from_test.recv().unwrap();
    buyer_pays(&browser, &redirect_url, &link).await;
    link.to_test.send("paid").unwrap();
    link.from_test.recv().unwrap();
    browser.goto(&format!("{base}/backoffice/")).await.unwrap();
    let card_part = refund_both_parts(&browser).await;
    sees_the_audit_entries(&browser).await;
    sees_the_dashboard(&browser).await;
    a_viewer_cannot_refund(&browser, &base, &card_part, &viewer_password).await;
    browser.quit().await.unwrap();
}

/// Signed out, then in as a viewer: a refund posted with the viewer's own form secret is
/// refused (the 403 page), and the card part's page has no refund button.
async fn a_viewer_cannot_refund(browser: &Browser, base: &str, card_part: &str, password: &str) {
    browser.goto(&format!("{base}/backoffice/")).await.unwrap();
    click(browser, "form[action='/backoffice/sign-out'] button").await;
    browser.wait_for("#email", WAIT).await.unwrap();
    first_back_office_sign_in(browser, VIEWER, password, "a viewer's own password").await;
    // The page's CSP allows no fetch: the refund is posted as a form would be.
    let forged = "const fields = { csrf: document.querySelector('input[name=csrf]').value,
            operation: 'refund', amount: '100' };
        const form = document.createElement('form');
        form.method = 'post';
        form.action = arguments[0] + '/confirm';
        for (const [name, value] of Object.entries(fields)) {
            const input = document.createElement('input');
            input.type = 'hidden';
            input.name = name;
            input.value = value;
            form.appendChild(input);
        }
        document.body.appendChild(form);
        form.submit();";
    browser.execute(forged, &[json!(card_part)]).await.unwrap();
    browser
        .wait_for_text(
            "[role=alert]",
            "Votre rôle ne permet pas d’ouvrir cette page.",
            WAIT,
        )
        .await
        .unwrap();
    check_page(browser, "back_office_flow_11_viewer_refused").await;
    browser.goto(&format!("{base}{card_part}")).await.unwrap();
    browser.wait_for("dd[data-total]", WAIT).await.unwrap();
    let buttons = browser.find_all("button[data-action]").await.unwrap();
    assert!(buttons.is_empty(), "a viewer sees no action");
    check_page(browser, "back_office_flow_12_viewer").await;
}

/// The point of sale WEB, its card contract CB-WEB, then ANCV-WEB: refused without a Shop ID
/// (the field marked and focused), made with it and CB-WEB as complement.
async fn configure(browser: &Browser) {
    let link = "a[href='/backoffice/configuration']";
    browser.wait_for(link, WAIT).await.unwrap();
    click(browser, link).await;
    browser.wait_for("[data-pos]", WAIT).await.unwrap();
    check_page(browser, "back_office_flow_1_configuration").await;
    click(browser, "a[href='/backoffice/points-of-sale/new']").await;
    browser.wait_for("#label", WAIT).await.unwrap();
    check_page(browser, "back_office_flow_2_pos_form").await;
    type_into(browser, "#label", "Boutique en ligne").await;
    type_into(browser, "#reference", "WEB").await;
    click(browser, "form button[type=submit]").await;
    browser.wait_for("[data-pos=WEB]", WAIT).await.unwrap();
    new_contract(browser, "CB-WEB", "CB").await;
    browser
        .wait_for("[data-contract=CB-WEB]", WAIT)
        .await
        .unwrap();
    new_contract(browser, "ANCV-WEB", "ANCV_CONNECT").await;
    let error = browser.wait_for("#shop_id-error", WAIT).await.unwrap();
    let said = error.text().await.unwrap();
    assert!(said.contains("Le Shop ID est obligatoire"), "{said}");
    let marked = browser.find("#shop_id").await.unwrap();
    let invalid = marked.attribute("aria-invalid").await.unwrap();
    assert_eq!(invalid.as_deref(), Some("true"), "the field is marked");
    let focused = browser
        .execute("return document.activeElement.id", &[])
        .await
        .unwrap();
    assert_eq!(
        focused,
        json!("shop_id"),
        "the field at fault has the focus"
    );
    check_page(browser, "back_office_flow_4_contract_refused").await;
    type_into(browser, "#shop_id", "20000001").await;
    click(browser, "form button[type=submit]").await;
    browser
        .wait_for("[data-contract=ANCV-WEB]", WAIT)
        .await
        .unwrap();
    assert_fits_the_screen(browser).await;
}

/// Opens the contract form and makes `number` (`card_code`) on WEB; an ANCV contract takes
/// CB-WEB as its complement. The Shop ID is left empty.
async fn new_contract(browser: &Browser, number: &str, card_code: &str) {
    click(browser, "a[href='/backoffice/contracts/new']").await;
    browser.wait_for("#number", WAIT).await.unwrap();
    if card_code == "CB" {
        check_page(browser, "back_office_flow_3_contract_form").await;
    }
    let choose = "arguments[0].value = arguments[1]";
    for (css, value) in [("#card_code", card_code), ("#pos", "WEB")] {
        let select = browser.find(css).await.unwrap();
        browser
            .execute(choose, &[select.as_script_arg(), json!(value)])
            .await
            .unwrap();
    }
    type_into(browser, "#number", number).await;
    if card_code == "ANCV_CONNECT" {
        click(browser, "input[name=complementary][value=CB-WEB]").await;
    }
    click(browser, "form button[type=submit]").await;
}

/// The buyer pays 25.00 € in Chèques-Vacances (validated in the app by the test) and the rest
/// by card.
async fn buyer_pays(browser: &Browser, redirect_url: &str, link: &Link) {
    browser.goto(redirect_url).await.unwrap();
    click(browser, "details.ancv > summary").await;
    type_into(browser, "#beneficiary", "10000000001").await;
    click(browser, "#ancv-form button[type=submit]").await;
    browser.wait_for("[data-countdown]", WAIT).await.unwrap();
    link.to_test.send("waiting for the app").unwrap();
    link.from_test.recv().unwrap();
    browser
        .wait_for_text("[data-testid=due]", "35,00", WAIT)
        .await
        .unwrap();
    type_into(browser, "#card-number", "4970100000000006").await;
    type_into(browser, "#card-expiry", "12/30").await;
    type_into(browser, "#card-cvv", "123").await;
    click(browser, "#card-form button[type=submit]").await;
    browser
        .wait_for_text("#page-title", "Votre paiement est accepté", WAIT)
        .await
        .unwrap();
}

/// Finds the payment in the list by its order reference, opens the card part, refunds 10.00 €
/// of it after the confirmation, then the ANCV part in full.
/// Refunds 10.00 € of the card part, then the ANCV part; returns the card part's path.
async fn refund_both_parts(browser: &Browser) -> String {
    let link = "a[href='/backoffice/transactions']";
    browser.wait_for(link, WAIT).await.unwrap();
    click(browser, link).await;
    browser.wait_for("details.filters", WAIT).await.unwrap();
    click(browser, "details.filters > summary").await;
    type_into(browser, "#order", "order-42").await;
    click(browser, "details.filters button[type=submit]").await;
    browser
        .wait_for("tr[data-transaction]", WAIT)
        .await
        .unwrap();
    check_page(browser, "back_office_flow_5_list").await;
    let open_card_part = "[...document.querySelectorAll('tr[data-transaction]')]\
        .find(row => row.cells[4].textContent === 'CB').querySelector('a').click()";
    browser.execute(open_card_part, &[]).await.unwrap();
    browser.wait_for("dd[data-total]", WAIT).await.unwrap();
    let total = browser
        .find("dd[data-total]")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(total, "60,00 € / 60,00 €", "the parts add up to the order");
    let card_part = browser
        .execute("return location.pathname", &[])
        .await
        .unwrap();
    check_page(browser, "back_office_flow_6_card_part").await;
    type_into(browser, "#amount", "10,00").await;
    click(browser, "button[data-action=refund]").await;
    let question = browser.wait_for("#question", WAIT).await.unwrap();
    let asked = question.text().await.unwrap();
    assert!(
        asked.contains("10,00") && asked.contains("25,00"),
        "the amounts left: {asked}"
    );
    check_page(browser, "back_office_flow_7_confirm").await;
    click(browser, "form button[type=submit]").await;
    browser
        .wait_for_text("#outcome", "Opération acceptée.", WAIT)
        .await
        .unwrap();
    click(browser, "dd[data-part=ANCV_CONNECT] a").await;
    browser
        .wait_for("button[data-action=refund]", WAIT)
        .await
        .unwrap();
    click(browser, "button[data-action=refund]").await;
    browser.wait_for("#question", WAIT).await.unwrap();
    click(browser, "form button[type=submit]").await;
    browser
        .wait_for_text("#outcome", "Opération acceptée.", WAIT)
        .await
        .unwrap();
    check_page(browser, "back_office_flow_8_ancv_refunded").await;
    card_part.as_str().unwrap().to_owned()
}

/// The trail shows the three configuration changes and the two refunds.
async fn sees_the_audit_entries(browser: &Browser) {
    click(browser, ".crumbs a").await;
    browser
        .wait_for("tr[data-transaction]", WAIT)
        .await
        .unwrap();
    click(browser, ".crumbs a").await;
    let link = "a[href='/backoffice/audit']";
    browser.wait_for(link, WAIT).await.unwrap();
    click(browser, link).await;
    browser.wait_for("table.list", WAIT).await.unwrap();
    let count = |action: &str| {
        format!("return document.querySelectorAll('tr[data-action={action}]').length")
    };
    let changes = browser
        .execute(&count("configuration_changed"), &[])
        .await
        .unwrap();
    let refunds = browser.execute(&count("after_sale"), &[]).await.unwrap();
    assert_eq!((changes, refunds), (json!(3), json!(2)));
    check_page(browser, "back_office_flow_9_audit").await;
}

/// The dashboard counts the split payment (25.00 € of 60.00 € in Chèques-Vacances) and both
/// refunds.
async fn sees_the_dashboard(browser: &Browser) {
    click(browser, ".crumbs a").await;
    let link = "a[href='/backoffice/dashboard']";
    browser.wait_for(link, WAIT).await.unwrap();
    click(browser, link).await;
    browser.wait_for("[data-kpi]", WAIT).await.unwrap();
    let kpi = async |name: &str| {
        let css = format!("[data-kpi={name}]");
        browser.find(&css).await.unwrap().text().await.unwrap()
    };
    assert_eq!(kpi("ancv-share").await, "41 %");
    assert_eq!(kpi("refunds").await, "2 — 35,00 €");
    let accepted = "return document.querySelector('#month').closest('table')\
        .querySelector('tr[data-method=CB] td').textContent";
    assert_eq!(browser.execute(accepted, &[]).await.unwrap(), json!("1"));
    assert_fits_the_screen(browser).await;
    check_page(browser, "back_office_flow_10_dashboard").await;
}
