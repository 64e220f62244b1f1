//! The Chèque-Vacances Connect flow end to end over real HTTP: SOAP doWebPayment, the hosted
//! page's forms, the ANCV and card sandboxes in process, getWebPaymentDetails; and the forms
//! refusing posts without the page's CSRF secret or from another site.

mod support;

use support::{DoWebPayment, Harness, soap_value};
use testkit::TestDb;

testkit::backend_suite![
    full_ancv_payment,
    partial_ancv_then_card_accepted,
    partial_ancv_then_three_card_refusals_cancel_the_vouchers,
    buyer_cancels_after_a_partial_validation,
    ancv_declined_then_card_only,
    ancv_expired_then_retried,
    session_expiry_before_and_after_the_page_opened,
    unknown_or_another_merchants_token_is_02304,
    every_do_web_payment_validation_answers_with_its_code,
    page_forms_refuse_a_wrong_or_empty_csrf_secret,
    page_forms_refuse_a_post_without_a_csrf_field,
    page_forms_refuse_a_post_from_another_site,
    page_forms_take_a_same_origin_post_with_the_secret,
];

const CARD_OK: &str = "4970100000000006";
const CARD_DECLINED: &str = "4970100000000022";

/// The page's HTML with the escapes of URLs undone (`&#x2f;` → `/`, `&amp;` → `&`).
fn unescaped(html: &str) -> String {
    html.replace("&#x2f;", "/").replace("&amp;", "&")
}

fn code(body: &str) -> String {
    soap_value(body, &["result", "code"]).unwrap_or_default()
}

async fn ask_the_app(h: &Harness, token: &str, beneficiary: &str) {
    let (status, location) = h
        .post_form(token, "ancv", &[("beneficiary", beneficiary)])
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some(format!("/webpayment/{token}").as_str()))
    );
}

async fn pay_card(h: &Harness, token: &str, number: &str) -> (u16, Option<String>) {
    h.post_form(
        token,
        "card",
        &[
            ("contract", "CB-DEMO"),
            ("number", number),
            ("expiry", "12/30"),
            ("cvv", "123"),
        ],
    )
    .await
}

/// The beneficiary validates `amount` in the sandbox's app (through its JSON API).
async fn validate_in_app(h: &Harness, token: &str, amount: i64) {
    let snapshot = h.web_payments.snapshot(token).await.unwrap();
    let ancv_id = snapshot.ancv.unwrap().ancv_id.unwrap();
    let response = h
        .http
        .post(format!(
            "{}/sandbox/ancv/app/api/requests/{ancv_id}/validate",
            h.base
        ))
        .json(&serde_json::json!({"secretCode": "1234", "amount": amount}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    h.run_jobs().await;
}

async fn sandbox_state(h: &Harness, token: &str) -> String {
    let snapshot = h.web_payments.snapshot(token).await.unwrap();
    let ancv_id = snapshot.ancv.unwrap().ancv_id.unwrap();
    let transaction = h.ancv_status(&ancv_id).await;
    transaction.state.as_str().to_owned()
}

async fn full_ancv_payment(db: TestDb) {
    let h = Harness::start(&db).await;
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    assert_eq!(
        code(&h.details(&token).await),
        "02533",
        "the page was never opened"
    );
    ask_the_app(&h, &token, "auto.full@example.com").await;
    assert_eq!(
        code(&h.details(&token).await),
        "02000",
        "waiting for the app"
    );
    h.advance(2_000).await;
    let details = h.details(&token).await;
    assert_eq!(code(&details), "00000", "{details}");
    assert_eq!(
        soap_value(&details, &["payment", "amount"]).as_deref(),
        Some("6000")
    );
    assert_eq!(
        soap_value(&details, &["payment", "contractNumber"]).as_deref(),
        Some("ANCV-DEMO")
    );
    assert_eq!(
        soap_value(&details, &["result", "partnerCode"]).as_deref(),
        Some("VALIDATED")
    );
    assert!(soap_value(&details, &["authorization", "number"]).is_some());
    assert_eq!(
        soap_value(
            &details,
            &[
                "paymentAdditionalList",
                "paymentAdditional",
                "payment",
                "amount"
            ]
        ),
        None
    );
    assert!(unescaped(&h.page(&token).await).contains(&format!(
        "https://shop.example/return?paylinetoken={token}&token={token}"
    )));
}

async fn partial_ancv_then_card_accepted(db: TestDb) {
    let h = Harness::start(&db).await;
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    ask_the_app(&h, &token, "10000000001").await;
    validate_in_app(&h, &token, 2_500).await;
    assert_eq!(
        code(&h.details(&token).await),
        "02306",
        "the rest is to pay by card"
    );
    let page = h.page(&token).await;
    assert!(
        page.contains("25,00\u{a0}€") && page.contains("35,00\u{a0}€"),
        "the page shows the split"
    );
    let (status, location) = pay_card(&h, &token, CARD_OK).await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some(format!("/webpayment/{token}").as_str()))
    );
    let details = h.details(&token).await;
    assert_eq!(code(&details), "00000", "{details}");
    let top: i64 = soap_value(&details, &["payment", "amount"])
        .unwrap()
        .parse()
        .unwrap();
    let additional = ["paymentAdditionalList", "paymentAdditional"];
    let card_amount: i64 = soap_value(
        &details,
        &[additional[0], additional[1], "payment", "amount"],
    )
    .unwrap()
    .parse()
    .unwrap();
    assert_eq!((top, card_amount), (2_500, 3_500));
    assert_eq!(
        top + card_amount,
        soap_value(&details, &["order", "amount"])
            .unwrap()
            .parse::<i64>()
            .unwrap()
    );
    assert_eq!(
        soap_value(&details, &[additional[0], additional[1], "card", "number"]).as_deref(),
        Some("497010XXXXXX0006")
    );
    assert_eq!(
        soap_value(
            &details,
            &[additional[0], additional[1], "payment", "contractNumber"]
        )
        .as_deref(),
        Some("CB-DEMO")
    );
    assert!(
        !details.contains(CARD_OK),
        "the full card number never leaves"
    );
    assert_eq!(
        sandbox_state(&h, &token).await,
        "VALIDATED",
        "the vouchers count"
    );
}

async fn partial_ancv_then_three_card_refusals_cancel_the_vouchers(db: TestDb) {
    let h = Harness::start(&db).await;
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    ask_the_app(&h, &token, "10000000001").await;
    validate_in_app(&h, &token, 2_500).await;
    for attempt in 1..=3 {
        let (status, _) = pay_card(&h, &token, CARD_DECLINED).await;
        assert_eq!(status, 303, "attempt {attempt}");
        if attempt < 3 {
            assert_eq!(
                code(&h.details(&token).await),
                "02306",
                "a retry is allowed after attempt {attempt}"
            );
        }
    }
    h.run_jobs().await;
    let details = h.details(&token).await;
    assert_eq!(
        code(&details),
        "01100",
        "refused with the card's code: {details}"
    );
    assert_eq!(
        sandbox_state(&h, &token).await,
        "CANCELLED",
        "the vouchers went back"
    );
}

async fn buyer_cancels_after_a_partial_validation(db: TestDb) {
    let h = Harness::start(&db).await;
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    ask_the_app(&h, &token, "10000000001").await;
    validate_in_app(&h, &token, 2_500).await;
    let (status, _) = h.post_form(&token, "cancel", &[]).await;
    assert_eq!(status, 303);
    h.run_jobs().await;
    assert_eq!(code(&h.details(&token).await), "02319");
    assert_eq!(sandbox_state(&h, &token).await, "CANCELLED");
    let page = unescaped(&h.page(&token).await);
    assert!(
        page.contains(&format!(
            "https://shop.example/cancel?from=pay&paylinetoken={token}&token={token}"
        )),
        "{page}"
    );
}

async fn ancv_declined_then_card_only(db: TestDb) {
    let h = Harness::start(&db).await;
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    ask_the_app(&h, &token, "auto.decline@example.com").await;
    h.advance(2_000).await;
    assert_eq!(
        code(&h.details(&token).await),
        "02306",
        "declined is not final"
    );
    assert!(
        h.page(&token).await.contains("role=\"alert\""),
        "the page says what happened"
    );
    pay_card(&h, &token, CARD_OK).await;
    let details = h.details(&token).await;
    assert_eq!(code(&details), "00000");
    assert_eq!(
        soap_value(&details, &["payment", "contractNumber"]).as_deref(),
        Some("CB-DEMO"),
        "card-only: the card at top level"
    );
    assert_eq!(
        soap_value(&details, &["payment", "amount"]).as_deref(),
        Some("6000")
    );
    assert_eq!(
        soap_value(&details, &["card", "number"]).as_deref(),
        Some("497010XXXXXX0006")
    );
}

async fn ancv_expired_then_retried(db: TestDb) {
    let h = Harness::start(&db).await;
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    ask_the_app(&h, &token, "auto.expire@example.com").await;
    h.advance(300_001).await;
    h.run_jobs().await;
    assert_eq!(
        code(&h.details(&token).await),
        "02306",
        "expired at ANCV is not final for the session"
    );
    ask_the_app(&h, &token, "auto.full@example.com").await;
    h.advance(2_000).await;
    assert_eq!(code(&h.details(&token).await), "00000");
}

async fn session_expiry_before_and_after_the_page_opened(db: TestDb) {
    let h = Harness::start(&db).await;
    let unopened = h.do_web_payment(&DoWebPayment::default()).await;
    let opened = h.do_web_payment(&DoWebPayment::default()).await;
    h.page(&opened).await;
    h.advance(15 * 60_000).await;
    assert_eq!(code(&h.details(&unopened).await), "02534");
    assert_eq!(code(&h.details(&opened).await), "02324");
}

async fn unknown_or_another_merchants_token_is_02304(db: TestDb) {
    let h = Harness::start(&db).await;
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    assert_eq!(code(&h.details("no-such-token").await), "02304");
    // Another merchant, its own key: the demo merchant's token reads as unknown.
    let config = gateway::MerchantConfig::new(
        h.store.clone(),
        std::sync::Arc::new(domain::clock::SystemClock),
        std::sync::Arc::new(domain::random::OsRandom),
    )
    .await
    .unwrap();
    let (other, key) = config.create_merchant("Other shop").await.unwrap();
    let response = h
        .http
        .post(format!("{}/V4/services/WebPaymentAPI", h.base))
        .basic_auth(other.id.as_str(), Some(key.expose()))
        .body(support::details_envelope(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(code(&response.text().await.unwrap()), "02304");
}

async fn every_do_web_payment_validation_answers_with_its_code(db: TestDb) {
    let h = Harness::start(&db).await;
    for (request, expected, message) in validation_cases() {
        let (status, body) = h.soap("WebPaymentAPI", &request.envelope()).await;
        assert_eq!(status, 200);
        assert_eq!(code(&body), expected, "{body}");
        let long = soap_value(&body, &["result", "longMessage"]).unwrap_or_default();
        assert!(long.contains(message), "{long}");
        assert_eq!(soap_value(&body, &["token"]), None, "no token on a refusal");
    }
    let base = DoWebPayment::default();
    let mode = base
        .envelope()
        .replace("<ns2:mode>CPT</ns2:mode>", "<ns2:mode>NX</ns2:mode>");
    assert_eq!(code(&h.soap("WebPaymentAPI", &mode).await.1), "02308");
    let no_version = base.envelope().replace("<ns1:version>34</ns1:version>", "");
    assert_eq!(code(&h.soap("WebPaymentAPI", &no_version).await.1), "02305");
    let bad_date = base.envelope().replace("27/11/2026 11:00", "2026-11-27");
    assert_eq!(code(&h.soap("WebPaymentAPI", &bad_date).await.1), "02305");
    let mismatch = base.envelope().replacen(
        "<ns2:amount>6000</ns2:amount>",
        "<ns2:amount>5000</ns2:amount>",
        1,
    );
    assert_eq!(code(&h.soap("WebPaymentAPI", &mismatch).await.1), "02110");
}

/// Invalid doWebPayment requests: (request, expected code, words its longMessage contains).
fn validation_cases() -> Vec<(DoWebPayment<'static>, &'static str, &'static str)> {
    vec![
        (
            DoWebPayment {
                email: None,
                ..DoWebPayment::default()
            },
            "02305",
            "buyer.email is mandatory for ANCV_CONNECT",
        ),
        (
            DoWebPayment {
                email: Some("not-an-address"),
                ..DoWebPayment::default()
            },
            "02305",
            "buyer.email",
        ),
        (
            DoWebPayment {
                action: "100",
                ..DoWebPayment::default()
            },
            "02321",
            "101",
        ),
        (
            DoWebPayment {
                contract: "NOPE",
                ..DoWebPayment::default()
            },
            "02303",
            "NOPE",
        ),
        (
            DoWebPayment {
                selected: &["ANCV-DEMO", "CB-OTHER"],
                ..DoWebPayment::default()
            },
            "02303",
            "CB-OTHER",
        ),
        (
            DoWebPayment {
                amount: 0,
                ..DoWebPayment::default()
            },
            "02110",
            "payment.amount",
        ),
        (
            DoWebPayment {
                amount: 1_500,
                selected: &["ANCV-DEMO"],
                ..DoWebPayment::default()
            },
            "02110",
            "2000",
        ),
        (
            DoWebPayment {
                notification_url: Some("javascript:alert(1)"),
                ..DoWebPayment::default()
            },
            "02305",
            "notificationURL",
        ),
    ]
}

/// The page's CSRF secret (opening the page).
async fn csrf_of(h: &Harness, token: &str) -> String {
    h.page(token)
        .await
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page has a form")
        .to_owned()
}

/// POSTs a page form as given (no secret added), with extra `headers`; returns the status and
/// the body.
async fn post_raw(
    h: &Harness,
    token: &str,
    action: &str,
    form: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> (u16, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut request = client
        .post(format!("{}/webpayment/{token}/{action}", h.base))
        .form(form);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Each page form with `csrf` (none when `None`) and valid fields: card, ANCV, cancel.
fn forms(csrf: Option<&str>) -> [(&'static str, Vec<(&'static str, &str)>); 3] {
    let with = |fields: &[(&'static str, &'static str)]| {
        let mut form: Vec<(&'static str, &str)> = csrf.map(|c| ("csrf", c)).into_iter().collect();
        form.extend_from_slice(fields);
        form
    };
    [
        ("card", with(&support::card_form(CARD_OK))),
        ("ancv", with(&[("beneficiary", support::CAMILLE)])),
        ("cancel", with(&[])),
    ]
}

/// The session is still on the page: no ANCV request, no card transaction (at cvgate or at the
/// acquirer).
async fn nothing_happened(h: &Harness, token: &str) {
    let snapshot = h.web_payments.snapshot(token).await.unwrap();
    assert_eq!(
        snapshot.payment.session.state,
        domain::web_payment::SessionState::OnPage
    );
    assert!(snapshot.ancv.is_none() && snapshot.card.is_none());
    let attempts = h.web_payments.card().attempts(token).await.unwrap();
    assert!(attempts.is_empty(), "{attempts:?}");
    assert!(h.card_sandbox.ledger().await.unwrap().is_empty());
    assert_eq!(code(&h.details(token).await), "02306", "still on the page");
}

/// A wrong, truncated or empty CSRF secret gets 403 on every form, with a sentence telling the
/// buyer to reload the page, and changes nothing.
async fn page_forms_refuse_a_wrong_or_empty_csrf_secret(db: TestDb) {
    let h = Harness::start(&db).await;
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    let csrf = csrf_of(&h, &token).await;
    let truncated = &csrf[..csrf.len() - 1];
    let mut altered = truncated.to_owned();
    altered.push(if csrf.ends_with('0') { '1' } else { '0' });
    let another = csrf_of(&h, &h.do_web_payment(&DoWebPayment::default()).await).await;
    for wrong in ["", "wrong", truncated, &altered, &another] {
        for (action, form) in forms(Some(wrong)) {
            let (status, body) = post_raw(&h, &token, action, &form, &[]).await;
            assert_eq!(status, 403, "{action} with {wrong:?}: {body}");
            assert!(body.contains("reload the payment page"), "{action}: {body}");
            // The link is HTML-escaped (`&#x2f;` for `/`): its token and words are what show.
            let links_back = body.contains("Back to the payment page") && body.contains(&token);
            assert!(links_back, "a link back to the page: {body}");
        }
    }
    nothing_happened(&h, &token).await;
}

/// A form posted without its `csrf` field at all changes nothing and is refused like a wrong
/// secret: 403, telling the buyer to reload the page.
async fn page_forms_refuse_a_post_without_a_csrf_field(db: TestDb) {
    let h = Harness::start(&db).await;
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    h.page(&token).await;
    let mut answers = Vec::new();
    for (action, form) in forms(None) {
        answers.push((action, post_raw(&h, &token, action, &form, &[]).await));
    }
    nothing_happened(&h, &token).await;
    for (action, (status, body)) in answers {
        assert_eq!(status, 403, "{action} without csrf: {body}");
        assert!(body.contains("reload the payment page"), "{action}: {body}");
    }
}

/// With the right secret, a post whose `Origin` is another site (another host, scheme or port)
/// or that the browser marks `Sec-Fetch-Site: cross-site` gets 403 on every form and changes
/// nothing.
async fn page_forms_refuse_a_post_from_another_site(db: TestDb) {
    let h = Harness::start(&db).await;
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    let csrf = csrf_of(&h, &token).await;
    let other_port = format!("http://127.0.0.1:{}", h.address.port() + 1);
    let https = h.base.replace("http://", "https://");
    let foreign: [(&str, &str); 4] = [
        ("origin", "https://shop.example"),
        ("origin", &other_port),
        ("origin", &https),
        ("sec-fetch-site", "cross-site"),
    ];
    for header in foreign {
        for (action, form) in forms(Some(&csrf)) {
            let (status, body) = post_raw(&h, &token, action, &form, &[header]).await;
            assert_eq!(status, 403, "{action} with {header:?}: {body}");
            assert!(body.contains("refused"), "{action}: {body}");
        }
    }
    nothing_happened(&h, &token).await;
}

/// The same posts with the secret from our own origin (`Origin` ours, or `null` as browsers
/// send under `no-referrer`; `Sec-Fetch-Site: same-origin`) are taken: a card pays one session;
/// on another the app is asked, then the buyer cancels.
async fn page_forms_take_a_same_origin_post_with_the_secret(db: TestDb) {
    let h = Harness::start(&db).await;
    let paid = h.do_web_payment(&DoWebPayment::default()).await;
    let csrf = csrf_of(&h, &paid).await;
    let [(_, card), _, _] = forms(Some(&csrf));
    let (status, body) = post_raw(&h, &paid, "card", &card, &[("origin", &h.base)]).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(code(&h.details(&paid).await), "00000", "paid by card");

    let cancelled = h.do_web_payment(&DoWebPayment::default()).await;
    let csrf = csrf_of(&h, &cancelled).await;
    let [_, (_, ancv), (_, cancel)] = forms(Some(&csrf));
    let (status, body) = post_raw(&h, &cancelled, "ancv", &ancv, &[("origin", "null")]).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(code(&h.details(&cancelled).await), "02000", "in the app");
    let same_site = [("sec-fetch-site", "same-origin")];
    let (status, body) = post_raw(&h, &cancelled, "cancel", &cancel, &same_site).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(code(&h.details(&cancelled).await), "02319", "cancelled");
}
