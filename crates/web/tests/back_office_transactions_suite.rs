//! The back office's transactions over real HTTP, on SQLite and PostgreSQL: a split payment
//! found in the list (filters, CSV), its page (both parts adding up, the history), the card part
//! refunded in part after a confirmation that tells what is left (a repeated confirm refunds
//! once), the ANCV part in full; a viewer sees no action and its POST is 403; another merchant's
//! transaction is 404. A payment's page tells its 3-D Secure result and each call made to the
//! merchant's notification URL with the merchant's HTTP answer. A platform operator lists the
//! merchants, opens one (audited there) and sees a locked-out user; the homologation tools link
//! to what the sandboxes answer.

mod support;

use domain::random::OsRandom;
use gateway::BackOfficeUsers;
use gateway::back_office_users::UserRequest;
use reqwest::header::LOCATION;
use std::sync::Arc;
use support::{DoWebPayment, Harness, soap_value, without_redirects};
use testkit::{TestDb, dump_database};

testkit::backend_suite![
    a_split_payment_is_found_refunded_in_parts_and_audited,
    a_viewer_cannot_refund_and_other_merchants_are_not_found,
    a_payment_page_shows_its_3ds_result_and_the_notifications_sent,
    a_platform_operator_opens_a_merchant_and_sees_its_lockouts,
    the_homologation_tools_link_to_the_sandboxes,
];

/// A signed-in user of the harness's merchant: its cookie.
async fn signed_in(h: &Harness, email: &str, role: &str) -> String {
    signed_in_for(h, Some(h.merchant_id.to_string()), email, role).await
}

/// A signed-in user of `merchant` (`None`: a platform operator): its cookie.
async fn signed_in_for(h: &Harness, merchant: Option<String>, email: &str, role: &str) -> String {
    let users = BackOfficeUsers::new(h.store.clone(), h.clock.clone(), Arc::new(OsRandom));
    let request = UserRequest {
        merchant,
        email: email.to_owned(),
        role: role.to_owned(),
    };
    let (_, password) = users.create(&request).await.unwrap();
    sign_in_with(h, email, password.expose()).await
}

/// Signs in with a one-time password and changes it: the session's cookie.
async fn sign_in_with(h: &Harness, email: &str, password: &str) -> String {
    let cookie_of = |response: &reqwest::Response| {
        let set = response.headers()["set-cookie"].to_str().unwrap();
        set.split(';').next().unwrap().to_owned()
    };
    let http = without_redirects();
    let form = http
        .get(format!("{}/backoffice/sign-in", h.base))
        .send()
        .await
        .unwrap();
    let cookie = cookie_of(&form);
    let csrf = csrf_of(&form.text().await.unwrap());
    let credentials = [
        ("csrf", csrf.as_str()),
        ("email", email),
        ("password", password),
    ];
    let signed_in = post(h, &cookie, "/backoffice/sign-in", &credentials).await;
    let session = cookie_of(&signed_in);
    let csrf = csrf_of(&get(h, &session, "/backoffice/password").await.1);
    let new = "a brand new password";
    let change = [
        ("csrf", csrf.as_str()),
        ("current", password),
        ("new", new),
        ("confirm", new),
    ];
    assert_eq!(
        post(h, &session, "/backoffice/password", &change)
            .await
            .status(),
        303
    );
    session
}

fn csrf_of(html: &str) -> String {
    let after = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .expect("a csrf field");
    after[..after.find('"').unwrap()].to_owned()
}

async fn get(h: &Harness, session: &str, path: &str) -> (u16, String) {
    let answer = without_redirects()
        .get(format!("{}{path}", h.base))
        .header("Cookie", session)
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

async fn post(h: &Harness, session: &str, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    without_redirects()
        .post(format!("{}{path}", h.base))
        .header("Cookie", session)
        .header("Accept-Language", "en")
        .form(form)
        .send()
        .await
        .unwrap()
}

/// A paid split payment (25.00 € in vouchers, 35.00 € by card), remitted: (ANCV id, card id).
async fn paid_split(h: &Harness) -> (String, String) {
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    h.pay_split(&token, 2_500).await;
    h.web_payments
        .card()
        .remit(domain::clock::Clock::now(&*h.clock))
        .await
        .unwrap();
    h.split_ids(&token).await
}

/// Confirms `operation` on `id` from its page: the confirmation's question and the operate
/// form's fields.
async fn confirmation(
    h: &Harness,
    session: &str,
    id: &str,
    operation: &str,
    amount: &str,
) -> (String, Vec<(String, String)>) {
    let page = get(h, session, &format!("/backoffice/transactions/{id}"))
        .await
        .1;
    let csrf = csrf_of(&page);
    let answer = post(
        h,
        session,
        &format!("/backoffice/transactions/{id}/confirm"),
        &[
            ("csrf", &csrf),
            ("operation", operation),
            ("amount", amount),
        ],
    )
    .await;
    assert_eq!(answer.status(), 200);
    let html = answer.text().await.unwrap();
    let question = html.split("<p id=\"question\">").nth(1).unwrap();
    let question = question[..question.find("</p>").unwrap()].to_owned();
    let fields = ["csrf", "operation", "amount", "key"]
        .iter()
        .map(|name| {
            let after = html
                .split(&format!("name=\"{name}\" value=\""))
                .nth(1)
                .unwrap();
            (
                name.to_string(),
                after[..after.find('"').unwrap()].to_owned(),
            )
        })
        .collect();
    (question, fields)
}

/// The card part in the list filtered by means (the ANCV part not), both in the CSV.
async fn found_in_the_list_and_the_csv(h: &Harness, session: &str, ancv: &str, card: &str) {
    let (status, list) = get(h, session, "/backoffice/transactions?method=CB").await;
    assert_eq!(status, 200);
    assert!(
        list.contains(&format!("data-transaction=\"{card}\"")),
        "{list}"
    );
    assert!(
        !list.contains(&format!("data-transaction=\"{ancv}\"")),
        "filtered by means"
    );
    let (_, csv) = get(h, session, "/backoffice/transactions.csv").await;
    assert!(csv.starts_with("date;transaction;order;type;method;contract;amount_cents;status\r\n"));
    assert!(
        csv.contains(&format!(";{ancv};")) && csv.contains(";2500;"),
        "{csv}"
    );
}

async fn a_split_payment_is_found_refunded_in_parts_and_audited(db: TestDb) {
    let h = Harness::start(&db).await;
    let (ancv, card) = paid_split(&h).await;
    let session = signed_in(&h, "ops@example.com", "operator").await;
    found_in_the_list_and_the_csv(&h, &session, &ancv, &card).await;

    let (_, detail) = get(&h, &session, &format!("/backoffice/transactions/{card}")).await;
    assert!(
        detail.contains("data-part=\"ANCV_CONNECT\"") && detail.contains("data-part=\"CB\""),
        "{detail}"
    );
    assert!(
        detail.contains("<dd data-total>€60.00 / €60.00</dd>"),
        "the parts add up to the order"
    );
    assert!(detail.contains("Left to refund: €35.00"));

    let (question, fields) = confirmation(&h, &session, &card, "refund", "10,00").await;
    assert_eq!(
        question,
        format!("Refund €10.00 of transaction {card}? €25.00 will be left to refund.")
    );
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    for _ in 0..2 {
        let done = post(
            &h,
            &session,
            &format!("/backoffice/transactions/{card}/operate"),
            &form,
        )
        .await;
        assert_eq!(done.status(), 303);
        assert!(
            done.headers()[LOCATION]
                .to_str()
                .unwrap()
                .ends_with("?done=ok")
        );
    }
    let (_, detail) = get(&h, &session, &format!("/backoffice/transactions/{card}")).await;
    assert!(
        detail.contains("Left to refund: €25.00"),
        "one refund for a repeated confirm: {detail}"
    );

    let (question, fields) = confirmation(&h, &session, &ancv, "refund", "").await;
    assert!(question.starts_with("Refund €25.00"), "{question}");
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let done = post(
        &h,
        &session,
        &format!("/backoffice/transactions/{ancv}/operate"),
        &form,
    )
    .await;
    assert!(
        done.headers()[LOCATION]
            .to_str()
            .unwrap()
            .ends_with("?done=ok")
    );
    let (_, detail) = get(&h, &session, &format!("/backoffice/transactions/{ancv}")).await;
    assert!(
        detail.contains("Nothing can be done now."),
        "refunded once, in full"
    );

    let admin = signed_in(&h, "admin@example.com", "admin").await;
    let (_, trail) = get(&h, &admin, "/backoffice/audit").await;
    assert_eq!(
        trail.matches("data-action=\"after_sale\"").count(),
        3,
        "each confirm is recorded"
    );
}

async fn a_viewer_cannot_refund_and_other_merchants_are_not_found(db: TestDb) {
    let h = Harness::start(&db).await;
    let (_, card) = paid_split(&h).await;
    let viewer = signed_in(&h, "viewer@example.com", "viewer").await;
    let (status, detail) = get(&h, &viewer, &format!("/backoffice/transactions/{card}")).await;
    assert_eq!(status, 200);
    assert!(
        !detail.contains("data-action=\"refund\""),
        "no refund button for a viewer"
    );
    let csrf = csrf_of(&get(&h, &viewer, "/backoffice/").await.1);
    let before = dump_database(&db).await;
    for path in ["confirm", "operate"] {
        let form = [
            ("csrf", csrf.as_str()),
            ("operation", "refund"),
            ("amount", "1000"),
            ("key", "k"),
        ];
        let answer = post(
            &h,
            &viewer,
            &format!("/backoffice/transactions/{card}/{path}"),
            &form,
        )
        .await;
        assert_eq!(answer.status(), 403, "{path}");
    }
    assert_eq!(dump_database(&db).await, before, "nothing refunded");

    let config = gateway::MerchantConfig::new(h.store.clone(), h.clock.clone(), Arc::new(OsRandom))
        .await
        .unwrap();
    let (other, _) = config.create_merchant("Another shop").await.unwrap();
    let users = BackOfficeUsers::new(h.store.clone(), h.clock.clone(), Arc::new(OsRandom));
    let request = UserRequest {
        merchant: Some(other.id.to_string()),
        email: "other@example.com".into(),
        role: "admin".into(),
    };
    users.create(&request).await.unwrap();
    let (_, password) = users.reset_password("other@example.com").await.unwrap();
    let stranger = sign_in_with(&h, "other@example.com", password.expose()).await;
    let (status, _) = get(&h, &stranger, &format!("/backoffice/transactions/{card}")).await;
    assert_eq!(
        status, 404,
        "another merchant's transaction does not exist here"
    );
}

/// A card payment authenticated with a 3-D Secure challenge, whose merchant notification failed
/// once before it was received: its page tells the challenge and lists both calls with the
/// merchant's HTTP answers.
async fn a_payment_page_shows_its_3ds_result_and_the_notifications_sent(db: TestDb) {
    let h = Harness::start(&db).await;
    let (token, merchant) = h.notifying_web_payment(1).await;
    h.pay_after_a_challenge(&token).await;
    assert_eq!(
        merchant.calls_of("WEBTRS").len(),
        2,
        "one failure, then received"
    );
    let details = h.details(&token).await;
    let card = soap_value(&details, &["transaction", "id"]).expect("a card transaction");

    let session = signed_in(&h, "viewer@example.com", "viewer").await;
    let (status, page) = get(&h, &session, &format!("/backoffice/transactions/{card}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("<dd data-three-ds>authenticated by the cardholder (challenge)</dd>"),
        "{page}"
    );
    let calls: Vec<&str> = page
        .split("<li data-notification=\"")
        .skip(1)
        .map(|call| &call[..call.find("</li>").unwrap()])
        .collect();
    assert_eq!(calls.len(), 2, "{page}");
    assert!(
        calls[0]
            .starts_with("will_retry\"><strong>WEBTRS</strong> — HTTP 500 (failed, will retry)"),
        "{}",
        calls[0]
    );
    assert!(
        calls[1].starts_with("delivered\"><strong>WEBTRS</strong> — HTTP 200 (received)"),
        "{}",
        calls[1]
    );
    assert!(
        calls[1].contains(&format!("notificationType=WEBTRS&amp;token={token}")),
        "the URL called: {}",
        calls[1]
    );
}

/// A platform operator is sent to the merchants first; opening one needs the form's secret,
/// then its pages work (its users show a lockout, its trail shows the opening). A merchant's
/// admin cannot list or open merchants.
async fn a_platform_operator_opens_a_merchant_and_sees_its_lockouts(db: TestDb) {
    let h = Harness::start(&db).await;
    let (_, card) = paid_split(&h).await;
    let admin = signed_in(&h, "admin@example.com", "admin").await;
    let users = BackOfficeUsers::new(h.store.clone(), h.clock.clone(), Arc::new(OsRandom));
    let locked = UserRequest {
        merchant: Some(h.merchant_id.to_string()),
        email: "locked@example.com".into(),
        role: "viewer".into(),
    };
    users.create(&locked).await.unwrap();
    for _ in 0..5 {
        let refused = try_sign_in(&h, "locked@example.com", "not the password").await;
        assert_eq!(refused, 401);
    }
    let platform = signed_in_for(&h, None, "ops@example.com", "platform").await;
    let (status, _) = get(&h, &platform, "/backoffice/transactions").await;
    assert_eq!(status, 303, "a platform operator chooses a merchant first");
    let (status, merchants) = get(&h, &platform, "/backoffice/merchants").await;
    assert_eq!(status, 200);
    assert!(merchants.contains(&format!("data-merchant=\"{}\"", h.merchant_id)));
    assert!(merchants.contains("data-user=\"ops@example.com\" data-state=\"active\""));

    let open = format!("/backoffice/merchants/{}/open", h.merchant_id);
    let before = dump_database(&db).await;
    let forged = post(&h, &platform, &open, &[("csrf", "forged")]).await;
    assert_eq!(forged.status(), 403);
    assert_eq!(dump_database(&db).await, before, "nothing opened");
    let csrf = csrf_of(&merchants);
    let opened = post(&h, &platform, &open, &[("csrf", csrf.as_str())]).await;
    assert_eq!(opened.status(), 303);
    assert_eq!(opened.headers()[LOCATION], "/backoffice/dashboard");

    let (status, _) = get(&h, &platform, &format!("/backoffice/transactions/{card}")).await;
    assert_eq!(status, 200, "the merchant's payment");
    let (status, accounts) = get(&h, &platform, "/backoffice/users").await;
    assert_eq!(status, 200);
    let row = accounts
        .split("data-user=\"locked@example.com\"")
        .nth(1)
        .expect("the locked user is listed");
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.starts_with(" data-state=\"locked\""), "{row}");
    assert!(row.contains("locked until"), "{row}");
    let (_, trail) = get(&h, &admin, "/backoffice/audit").await;
    assert!(
        trail.contains("data-action=\"platform_access\"><td>") && trail.contains("ops@example.com"),
        "the merchant's admins see who opened their back office"
    );

    let (status, _) = get(&h, &admin, "/backoffice/merchants").await;
    assert_eq!(status, 403);
    let csrf = csrf_of(&get(&h, &admin, "/backoffice/").await.1);
    let refused = post(&h, &admin, &open, &[("csrf", csrf.as_str())]).await;
    assert_eq!(refused.status(), 403);
}

/// One sign-in attempt from a fresh form: the answer's status.
async fn try_sign_in(h: &Harness, email: &str, password: &str) -> u16 {
    let form = without_redirects()
        .get(format!("{}/backoffice/sign-in", h.base))
        .send()
        .await
        .unwrap();
    let cookie = form.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let csrf = csrf_of(&form.text().await.unwrap());
    let credentials = [
        ("csrf", csrf.as_str()),
        ("email", email),
        ("password", password),
    ];
    post(h, &cookie, "/backoffice/sign-in", &credentials)
        .await
        .status()
        .as_u16()
}

/// Every link of the homologation tools answers from the sandboxes, one per published test
/// beneficiary and one per Shop ID of the merchant's ANCV contracts.
async fn the_homologation_tools_link_to_the_sandboxes(db: TestDb) {
    let h = Harness::start(&db).await;
    let viewer = signed_in(&h, "viewer@example.com", "viewer").await;
    let (status, tools) = get(&h, &viewer, "/backoffice/tools").await;
    assert_eq!(status, 200);
    // The page is HTML-escaped: `/` is written `&#x2f;`.
    let tools = tools.replace("&#x2f;", "/").replace("&#x27;", "'");
    let links: Vec<&str> = tools
        .split("href=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .filter(|href| href.contains("/sandbox/"))
        .collect();
    assert_eq!(
        tools.matches("data-beneficiary=").count(),
        ancv_sandbox::seed::PUBLISHED_BENEFICIARIES.len()
    );
    assert!(
        tools.contains("data-shop=\""),
        "the demo merchant's Shop ID"
    );
    assert!(links.len() >= 10, "{links:?}");
    for link in links {
        let answer = reqwest::get(link).await.unwrap();
        assert_eq!(answer.status(), 200, "{link}");
    }
    for command in ["ancv/admin/settle", "card/admin/remit"] {
        assert!(
            tools.contains(&format!("{}/sandbox/{command}</code>", h.base)),
            "{command}"
        );
    }
}
