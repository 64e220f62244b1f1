//! The back office's sign-in in a real headless Chromium, as a new user would: the sign-in form,
//! a wrong password, the one-time password changed (a mismatch first), the home page, the
//! language switch, sign-out; the users and homologation tools pages; a platform operator's list
//! of merchants and the merchant it opens. Once in French on a desktop, once in English 360 px wide; every
//! page audited with axe-core (no critical or serious violation). Skipped loudly without
//! Chromium or axe-core (a failure under CI=true).

mod support;

use browser::{Browser, LaunchOptions};
use domain::random::OsRandom;
use gateway::BackOfficeUsers;
use gateway::back_office_users::UserRequest;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::{
    Harness, assert_fits_the_screen, check_page, click, first_back_office_sign_in, join_browser,
    on_browser_thread, type_into,
};
use testkit::TestDb;

testkit::backend_suite![
    a_new_user_signs_in_in_french_on_a_desktop,
    a_new_user_signs_in_in_english_360_px_wide,
];

const WAIT: Duration = Duration::from_secs(20);

struct Pass {
    name: &'static str,
    options: LaunchOptions,
    refused: &'static str,
    mismatch: &'static str,
    signed_in_as: &'static str,
    other_lang: &'static str,
}

async fn a_new_user_signs_in_in_french_on_a_desktop(db: TestDb) {
    let pass = Pass {
        name: "fr",
        options: LaunchOptions::default().accept_language("fr"),
        refused: "Adresse e-mail ou mot de passe incorrect.",
        mismatch: "Les deux saisies du nouveau mot de passe diffèrent.",
        signed_in_as: "Connecté en tant que",
        other_lang: "en",
    };
    signs_in(db, pass).await;
}

async fn a_new_user_signs_in_in_english_360_px_wide(db: TestDb) {
    let pass = Pass {
        name: "en",
        options: LaunchOptions::default()
            .accept_language("en")
            .window_size(360, 740),
        refused: "Wrong e-mail address or password.",
        mismatch: "The two entries of the new password differ.",
        signed_in_as: "Signed in as",
        other_lang: "fr",
    };
    signs_in(db, pass).await;
}

async fn signs_in(db: TestDb, pass: Pass) {
    if browser::require_or_skip(&format!("back_office_{}", pass.name)).is_some() {
        return;
    }
    let h = Harness::start(&db).await;
    let users = BackOfficeUsers::new(h.store.clone(), h.clock.clone(), Arc::new(OsRandom));
    let request = UserRequest {
        merchant: Some(h.merchant_id.to_string()),
        email: "camille@example.com".to_owned(),
        role: "admin".to_owned(),
    };
    let (_, password) = users.create(&request).await.unwrap();
    let operator = UserRequest {
        merchant: None,
        email: "ops@example.com".to_owned(),
        role: "platform".to_owned(),
    };
    let (_, operator_password) = users.create(&operator).await.unwrap();
    let url = format!("{}/backoffice/", h.base);
    let passwords = [password, operator_password].map(|p| p.expose().to_owned());
    // The browser runs on its own thread (its waits are not `Send`); the app keeps serving here.
    join_browser(on_browser_thread(move || new_user(url, passwords, pass))).await;
}

/// What the new user does in Chromium.
async fn new_user(url: String, [password, operator_password]: [String; 2], pass: Pass) {
    let browser = Browser::launch(pass.options.clone()).await.unwrap();
    browser.goto(&url).await.unwrap();
    browser.wait_for("#email", WAIT).await.unwrap();
    check_page(&browser, &format!("back_office_{}_1_sign_in", pass.name)).await;
    type_into(&browser, "#email", "camille@example.com").await;
    type_into(&browser, "#password", "not my password").await;
    click(&browser, "form button[type=submit]").await;
    let alert = browser.wait_for("[role=alert]", WAIT).await.unwrap();
    assert_eq!(alert.text().await.unwrap(), pass.refused);
    let invalid = browser.find("#password").await.unwrap();
    assert_eq!(
        invalid.attribute("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    let focused = browser
        .execute("return document.activeElement.id", &[])
        .await
        .unwrap();
    assert_eq!(
        focused,
        json!("password"),
        "the address is kept, the password to type again"
    );
    check_page(&browser, &format!("back_office_{}_2_refused", pass.name)).await;

    type_into(&browser, "#password", &password).await;
    click(&browser, "form button[type=submit]").await;
    browser.wait_for("#confirm", WAIT).await.unwrap();
    check_page(&browser, &format!("back_office_{}_3_password", pass.name)).await;
    type_into(&browser, "#current", &password).await;
    type_into(&browser, "#new", "a brand new password").await;
    type_into(&browser, "#confirm", "another new password").await;
    click(&browser, "form button[type=submit]").await;
    let error = browser.wait_for("#confirm-error", WAIT).await.unwrap();
    assert!(error.text().await.unwrap().ends_with(pass.mismatch));
    check_page(&browser, &format!("back_office_{}_4_mismatch", pass.name)).await;
    type_into(&browser, "#current", &password).await;
    type_into(&browser, "#new", "a brand new password").await;
    type_into(&browser, "#confirm", "a brand new password").await;
    click(&browser, "form button[type=submit]").await;
    browser.wait_for(".facts", WAIT).await.unwrap();
    let facts = browser.find(".facts").await.unwrap().text().await.unwrap();
    assert!(
        facts.contains(pass.signed_in_as) && facts.contains("camille@example.com"),
        "{facts}"
    );
    assert_fits_the_screen(&browser).await;
    check_page(&browser, &format!("back_office_{}_5_home", pass.name)).await;

    sees_the_audit_trail(&browser, pass.name).await;
    rotates_the_key_and_meets_an_unknown_page(&browser, &url, pass.name).await;
    click(&browser, "header nav a").await;
    let other = json!(pass.other_lang);
    let lang = "return document.documentElement.lang";
    browser
        .wait_until("the other language", WAIT, async || {
            Ok(browser.execute(lang, &[]).await? == other)
        })
        .await
        .unwrap();
    click(&browser, "form[action='/backoffice/sign-out'] button").await;
    browser.wait_for("#email", WAIT).await.unwrap();
    let shown = browser.execute(lang, &[]).await.unwrap();
    assert_eq!(shown, other, "the switch is remembered");
    browser.goto(&url).await.unwrap();
    browser.wait_for("#email", WAIT).await.unwrap();
    a_platform_operator_opens_the_merchant(&browser, &operator_password, pass.name).await;
    browser.quit().await.unwrap();
}

/// The platform operator signs in for the first time, lists the merchants (audited with the
/// operators' table) and opens the demo merchant: its dashboard.
async fn a_platform_operator_opens_the_merchant(browser: &Browser, password: &str, name: &str) {
    first_back_office_sign_in(
        browser,
        "ops@example.com",
        password,
        "an operator's password",
    )
    .await;
    let link = "a[href='/backoffice/merchants']";
    browser.wait_for(link, WAIT).await.unwrap();
    click(browser, link).await;
    browser.wait_for("tr[data-merchant]", WAIT).await.unwrap();
    check_page(browser, &format!("back_office_{name}_12_merchants")).await;
    click(browser, "tr[data-merchant] form button").await;
    browser.wait_for("svg", WAIT).await.unwrap();
    check_page(
        browser,
        &format!("back_office_{name}_13_platform_dashboard"),
    )
    .await;
}

/// From the home page to the audit trail (newest first) and back.
/// The access key's pages (the warning, then the new key shown once) and the page of a
/// transaction that does not exist (404), each audited; back home at the end.
async fn rotates_the_key_and_meets_an_unknown_page(browser: &Browser, home: &str, name: &str) {
    let link = "a[href='/backoffice/access-key']";
    browser.wait_for(link, WAIT).await.unwrap();
    click(browser, link).await;
    browser
        .wait_for("form[action='/backoffice/access-key']", WAIT)
        .await
        .unwrap();
    check_page(browser, &format!("back_office_{name}_7_key_warning")).await;
    click(browser, "form[action='/backoffice/access-key'] button").await;
    let key = browser.wait_for("#access-key", WAIT).await.unwrap();
    assert_eq!(key.text().await.unwrap().len(), 24);
    check_page(browser, &format!("back_office_{name}_8_key_shown")).await;
    browser
        .goto(&format!("{home}transactions/00000000000000"))
        .await
        .unwrap();
    browser.wait_for("[role=alert]", WAIT).await.unwrap();
    check_page(browser, &format!("back_office_{name}_9_not_found")).await;
    for (page, shown, shot) in [
        ("users", "tr[data-user]", "10_users"),
        ("tools", "[data-beneficiary]", "11_tools"),
    ] {
        browser.goto(&format!("{home}{page}")).await.unwrap();
        browser.wait_for(shown, WAIT).await.unwrap();
        assert_fits_the_screen(browser).await;
        check_page(browser, &format!("back_office_{name}_{shot}")).await;
    }
    browser.goto(home).await.unwrap();
    browser.wait_for(".facts", WAIT).await.unwrap();
}

async fn sees_the_audit_trail(browser: &Browser, name: &str) {
    click(browser, "a[href='/backoffice/audit']").await;
    browser.wait_for("table.list", WAIT).await.unwrap();
    let actions = browser
        .execute(
            "return [...document.querySelectorAll('tr[data-action]')].map(r => r.dataset.action)",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        actions,
        json!(["password_changed", "sign_in", "sign_in_refused"]),
        "newest first"
    );
    check_page(browser, &format!("back_office_{}_6_audit", name)).await;
    click(browser, ".crumbs a").await;
    browser.wait_for(".facts", WAIT).await.unwrap();
}
