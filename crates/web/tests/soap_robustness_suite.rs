//! What a hostile or broken client gets from the SOAP endpoints, and merchant notifications.

mod support;

use std::time::Duration;
use support::{DoWebPayment, Harness, soap_value};
use testkit::{TestDb, dump_database};

testkit::backend_suite![
    bad_requests_get_a_fault_413_or_401_and_the_server_stays_healthy,
    the_wsdl_has_the_real_address,
    a_merchant_endpoint_failing_twice_gets_exactly_three_calls,
    no_notification_after_the_merchant_read_the_final_result,
    private_notification_urls_are_never_called_when_not_allowed,
    failed_authentications_get_429_until_the_window_ends,
    notifications_are_signed_once_a_secret_is_set,
    details_write_only_when_a_final_result_is_first_read,
];

async fn bad_requests_get_a_fault_413_or_401_and_the_server_stays_healthy(db: TestDb) {
    let h = Harness::start(&db).await;
    let (status, body) = h.soap("WebPaymentAPI", "<not xml").await;
    assert_eq!(status, 500);
    assert_eq!(
        soap_value(&body, &["faultcode"]).as_deref(),
        Some("SOAP-ENV:Client"),
        "{body}"
    );
    let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>&lol3;</SOAP-ENV:Body></SOAP-ENV:Envelope>"#;
    let (status, body) = h.soap("WebPaymentAPI", bomb).await;
    assert_eq!(status, 500);
    assert!(body.contains("DTDs are not accepted"), "{body}");
    let unknown = r#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:i="http://impl.ws.payline.experian.com"><e:Body><i:doSomethingRequest/></e:Body></e:Envelope>"#;
    let (status, body) = h.soap("WebPaymentAPI", unknown).await;
    assert_eq!(status, 500);
    assert!(body.contains("no operation doSomething"), "{body}");
    let huge = format!(
        "{}{}",
        DoWebPayment::default().envelope(),
        " ".repeat(2 << 20)
    );
    // Its own client: the server closes that connection after refusing the body.
    let too_big = reqwest::Client::new()
        .post(format!("{}/V4/services/WebPaymentAPI", h.base))
        .basic_auth(h.merchant_id.as_str(), Some(h.access_key.expose()))
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(too_big.status(), 413);
    let wrong = h
        .http
        .post(format!("{}/V4/services/WebPaymentAPI", h.base))
        .basic_auth(h.merchant_id.as_str(), Some("wrong-key"))
        .body(DoWebPayment::default().envelope())
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(wrong.headers().contains_key("www-authenticate"));
    let anonymous = h
        .http
        .post(format!("{}/V4/services/WebPaymentAPI", h.base))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(
        h.http
            .get(format!("{}/healthz", h.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    h.do_web_payment(&DoWebPayment::default()).await;
}

async fn the_wsdl_has_the_real_address(db: TestDb) {
    let h = Harness::start(&db).await;
    let wsdl = h
        .http
        .get(format!("{}/V4/services/WebPaymentAPI?wsdl", h.base))
        .send()
        .await
        .unwrap();
    assert_eq!(wsdl.status(), 200);
    let text = wsdl.text().await.unwrap();
    assert!(
        text.contains(&format!(
            r#"location="{}/V4/services/WebPaymentAPI""#,
            h.base
        )),
        "{text}"
    );
    assert!(
        text.contains(r#"<element name="doWebPaymentRequest">"#)
            && text.contains(r#"name="getWebPaymentDetailsResponse""#)
    );
}

async fn a_merchant_endpoint_failing_twice_gets_exactly_three_calls(db: TestDb) {
    let h = Harness::start(&db).await;
    let (token, merchant) = h.notifying_web_payment(2).await;
    h.page(&token).await;
    h.post_form(&token, "ancv", &[("beneficiary", "auto.full@example.com")])
        .await;
    h.advance(2_000).await;
    assert_eq!(
        merchant.calls.lock().unwrap().len(),
        1,
        "notified once the session is final"
    );
    for _ in 0..5 {
        h.advance(60_000).await;
    }
    let calls = merchant.calls.lock().unwrap().clone();
    assert_eq!(
        calls.len(),
        3,
        "two failures, then the success, then nothing: {calls:?}"
    );
    for call in calls {
        assert_eq!(
            call.get("notificationType").map(String::as_str),
            Some("WEBTRS")
        );
        assert_eq!(call.get("token"), Some(&token));
        assert_eq!(
            call.get("paymentEndpoint").map(String::as_str),
            Some("1"),
            "as Monext's Retail API clients expect"
        );
    }
}

async fn no_notification_after_the_merchant_read_the_final_result(db: TestDb) {
    let h = Harness::start(&db).await;
    let (token, merchant) = h.notifying_web_payment(100).await;
    h.page(&token).await;
    h.post_form(&token, "ancv", &[("beneficiary", "auto.full@example.com")])
        .await;
    h.advance(2_000).await;
    assert_eq!(
        merchant.calls.lock().unwrap().len(),
        1,
        "the first call failed"
    );
    assert_eq!(
        soap_value(&h.details(&token).await, &["result", "code"]).as_deref(),
        Some("00000")
    );
    for _ in 0..5 {
        h.advance(60_000).await;
    }
    assert_eq!(
        merchant.calls.lock().unwrap().len(),
        1,
        "no call after the final result was read"
    );
}

async fn private_notification_urls_are_never_called_when_not_allowed(db: TestDb) {
    let production = gateway::web_payments::NotificationPolicy {
        allow_private_addresses: false,
        ..Default::default()
    };
    let h = Harness::start_with(&db, production).await;
    let (token, merchant) = h.notifying_web_payment(0).await;
    h.page(&token).await;
    h.post_form(&token, "ancv", &[("beneficiary", "auto.full@example.com")])
        .await;
    h.advance(2_000).await;
    h.advance(60_000).await;
    assert_eq!(
        soap_value(&h.details(&token).await, &["result", "code"]).as_deref(),
        Some("00000")
    );
    assert!(
        merchant.calls.lock().unwrap().is_empty(),
        "a loopback notificationURL was called"
    );
    let mut uow = h.store.read().await.unwrap();
    let pending = uow
        .jobs()
        .pending(gateway::web_payments::NOTIFY_JOB)
        .await
        .unwrap();
    assert!(
        pending.is_empty(),
        "refused once and for all, not retried: {pending:?}"
    );
}

/// 20 failed authentications from one address: the next call gets 429 with `Retry-After`, on
/// SOAP and on the JSON API alike, even with the right key, until the 15-minute window ends.
async fn failed_authentications_get_429_until_the_window_ends(db: TestDb) {
    let h = Harness::start(&db).await;
    let soap = |key: &str| {
        h.http
            .post(format!("{}/V4/services/WebPaymentAPI", h.base))
            .basic_auth(h.merchant_id.as_str(), Some(key.to_owned()))
            .body(DoWebPayment::default().envelope())
            .send()
    };
    for attempt in 1..=20 {
        let wrong = soap("wrong-key").await.unwrap();
        assert_eq!(wrong.status(), 401, "attempt {attempt}");
    }
    let throttled = soap(h.access_key.expose()).await.unwrap();
    assert_eq!(throttled.status(), 429);
    let retry_after: u64 = throttled.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    let json = h
        .http
        .get(format!("{}/v1/checkout/transactions", h.base))
        .basic_auth(h.merchant_id.as_str(), Some(h.access_key.expose()))
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), 429);
    assert!(json.headers().contains_key("retry-after"));
    assert_eq!(json.headers()["content-type"], "application/problem+json");

    h.clock.advance_millis(15 * 60_000 + 1_000);
    let again = soap(h.access_key.expose()).await.unwrap();
    assert_eq!(again.status(), 200, "the window is over");
}

/// `hmac.compare_digest`-checked by Python's own HMAC-SHA256: whether `header` carries a `v1`
/// for `secret` over `t + "." + url`, with `t` the given time.
fn python_verifies(header: &str, secret: &str, url: &str, unix_seconds: i64) -> bool {
    let script = "import hmac, hashlib, sys\n\
header, secret, url, now = sys.argv[1:5]\n\
parts = [p.split('=', 1) for p in header.split(',')]\n\
t = [v for k, v in parts if k == 't'][0]\n\
if abs(int(now) - int(t)) > 300: sys.exit(1)\n\
mac = hmac.new(secret.encode(), (t + '.' + url).encode(), hashlib.sha256).hexdigest()\n\
sys.exit(0 if any(hmac.compare_digest(mac, v) for k, v in parts if k == 'v1') else 1)\n";
    std::process::Command::new("python3")
        .args(["-c", script, header, secret, url, &unix_seconds.to_string()])
        .status()
        .expect("python3 runs")
        .success()
}

/// A paid split payment with a notification URL: its token, and the one call the merchant got
/// (its full URL and signature header).
async fn paid(h: &Harness) -> (String, (String, Option<String>)) {
    let (token, merchant) = h.notifying_web_payment(0).await;
    h.pay_split(&token, 2_500).await;
    h.run_jobs().await;
    let signed = merchant.signed.lock().unwrap().clone();
    assert_eq!(signed.len(), 1, "{signed:?}");
    (token, signed[0].clone())
}

/// Unsigned by default; once the point of sale has a secret, every call carries
/// `Cvgate-Signature`, which an independent implementation (Python's hmac) verifies; after a
/// rotation both secrets verify during the overlap, then only the new one.
async fn notifications_are_signed_once_a_secret_is_set(db: TestDb) {
    let h = Harness::start(&db).await;
    let (token, (_, unsigned)) = paid(&h).await;
    assert_eq!(unsigned, None, "unsigned by default");
    let pos = h
        .web_payments
        .snapshot(&token)
        .await
        .unwrap()
        .payment
        .pos_id;
    let merchant = h.merchant_id.to_string();
    let config = gateway::MerchantConfig::new(
        h.store.clone(),
        h.clock.clone(),
        std::sync::Arc::new(domain::random::OsRandom),
    )
    .await
    .unwrap();
    let first = config
        .rotate_notification_secret(&merchant, pos, 3_600_000)
        .await
        .unwrap();
    let now = || domain::clock::Clock::now(&*h.clock).millis() / 1_000;
    let (_, (url, header)) = paid(&h).await;
    let header = header.expect("signed");
    assert!(
        python_verifies(&header, &first, &url, now()),
        "{header} {url}"
    );
    assert!(!python_verifies(&header, "another secret", &url, now()));
    assert!(
        !python_verifies(&header, &first, &format!("{url}&x=1"), now()),
        "the URL is signed"
    );

    let second = config
        .rotate_notification_secret(&merchant, pos, 3_600_000)
        .await
        .unwrap();
    let (_, (url, header)) = paid(&h).await;
    let header = header.expect("signed");
    assert_eq!(header.matches("v1=").count(), 2, "{header}");
    assert!(python_verifies(&header, &second, &url, now()));
    assert!(python_verifies(&header, &first, &url, now()), "the overlap");

    h.clock.advance_millis(3_600_000 + 1_000);
    let (_, (url, header)) = paid(&h).await;
    let header = header.expect("signed");
    assert_eq!(header.matches("v1=").count(), 1, "{header}");
    assert!(python_verifies(&header, &second, &url, now()));
    assert!(
        !python_verifies(&header, &first, &url, now()),
        "the overlap is over"
    );
    assert!(
        !python_verifies(&header, &second, &url, now() + 3_600),
        "an old call is refused"
    );
}

/// getWebPaymentDetails writes nothing while the session is under way, records the first read
/// of its final result, and writes nothing on the reads after.
async fn details_write_only_when_a_final_result_is_first_read(db: TestDb) {
    let h = Harness::start(&db).await;
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    h.page(&token).await;
    let before = dump_database(&db).await;
    h.details(&token).await;
    assert_eq!(
        dump_database(&db).await,
        before,
        "a session under way: a pure read"
    );
    h.pay_split(&token, 2_500).await;
    h.run_jobs().await;
    let paid = dump_database(&db).await;
    let first = h.details(&token).await;
    let read = dump_database(&db).await;
    assert_ne!(read, paid, "the first read of the result is recorded");
    let again = h.details(&token).await;
    assert_eq!(again, first, "the same answer");
    assert_eq!(dump_database(&db).await, read, "later reads write nothing");
    // Nor do they wait for a writer: on SQLite this transaction holds the write lock.
    let writer = h.store.write().await.unwrap();
    let while_writing = tokio::time::timeout(Duration::from_secs(60), h.details(&token))
        .await
        .expect("answered while another transaction writes");
    assert_eq!(while_writing, first);
    drop(writer);
}
