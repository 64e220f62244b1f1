//! The JSON API (`/v1/`, Monext Retail API compatible) over real HTTP, driven the way the Sylius
//! and commercetools clients call it (Basic auth, `POST …/payments/sessions`, redirect, `GET`
//! session, capture/refund/cancel on the authorization id, `result.title == "ACCEPTED"`):
//! sessions shared with SOAP and the page both ways, after-sale operations sharing SOAP's rules
//! and its sequenceNumber store, Idempotency-Key under concurrency, and a problem JSON for every
//! refusal.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{CAMILLE, CARD_OK, DoWebPayment, Harness, card_form, do_refund, soap_value};
use testkit::TestDb;

testkit::backend_suite![
    a_session_created_in_json_is_paid_on_the_page_and_read_in_json_and_soap,
    a_session_created_in_soap_is_read_in_json,
    refused_sessions_name_the_field_and_the_code,
    every_refusal_is_problem_json,
    a_card_authorization_is_captured_then_refunded_in_parts,
    both_parts_of_a_split_payment_are_refunded,
    a_payment_made_in_soap_is_refunded_in_json_under_one_key_store,
    ten_concurrent_posts_with_one_key_make_one_operation,
    transactions_are_read_by_id,
    the_openapi_document_describes_the_routes_that_answer,
    transactions_are_searched_a_page_at_a_time,
];

/// A JSON API client with the demo merchant's credentials.
struct Client<'a> {
    h: &'a Harness,
}

impl Client<'_> {
    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> (StatusCode, Value) {
        let mut request = self
            .h
            .http
            .request(method, format!("{}/v1{path}", self.h.base))
            .basic_auth(
                self.h.merchant_id.as_str(),
                Some(self.h.access_key.expose()),
            );
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, json)
    }

    /// A capture, refund or cancel (`operation`) of `transaction`, as 201 with a result.
    async fn operate(&self, transaction: &str, operation: &str, amount: i64) -> Value {
        let (status, answer) = self
            .call(
                Method::POST,
                &format!("/checkout/transactions/{transaction}/{operation}"),
                Some(&json!({"amount": amount, "comment": "from the shop"})),
            )
            .await;
        assert_eq!(status, 201, "{operation}: {answer}");
        answer
    }

    async fn transaction(&self, id: &str) -> Value {
        let (status, transaction) = self
            .call(Method::GET, &format!("/checkout/transactions/{id}"), None)
            .await;
        assert_eq!(status, 200, "{transaction}");
        transaction
    }

    async fn create(&self, body: &Value) -> (StatusCode, Value) {
        self.call(Method::POST, "/checkout/payments/sessions", Some(body))
            .await
    }

    async fn session(&self, id: &str) -> Value {
        let (status, session) = self
            .call(
                Method::GET,
                &format!("/checkout/payments/sessions/{id}"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{session}");
        session
    }
}

/// A session as the Sylius plugin asks for it: 60.00 € on the demo shop, every contract.
fn sylius_session() -> Value {
    json!({
        "pointOfSaleReference": "DEMO-SHOP",
        "order": {"reference": "SYL-1001", "amount": 6000, "currency": "EUR",
                  "date": "2026-11-27T11:00:00.000+01:00"},
        "payment": {"paymentType": "ONE_OFF", "capture": "AUTOMATIC"},
        "buyer": {"id": "42", "firstName": "Camille", "lastName": "Martin",
                  "email": "camille.martin@example.com"},
        "privateData": {"cartId": "c-77"},
        "returnURL": "https://shop.example/return",
        "cancelURL": "https://shop.example/cancel",
        "languageCode": "FR",
        "unknownField": "ignored"
    })
}

async fn a_session_created_in_json_is_paid_on_the_page_and_read_in_json_and_soap(db: TestDb) {
    let h = Harness::start(&db).await;
    let client = Client { h: &h };
    let (status, created) = client.create(&sylius_session()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["result"]["title"], "ACCEPTED");
    assert_eq!(created["result"]["code"], "00000");
    let id = created["sessionId"].as_str().unwrap().to_owned();
    assert_eq!(
        created["redirectURL"],
        format!("{}/webpayment/{id}", h.base)
    );
    let soap = h.details(&id).await;
    assert_eq!(
        soap_value(&soap, &["result", "code"]).as_deref(),
        Some("02533")
    );
    assert_eq!(
        soap_value(&soap, &["order", "date"]).as_deref(),
        Some("27/11/2026 11:00")
    );

    let fresh = client.session(&id).await;
    assert_eq!(fresh["result"]["code"], "02533", "{fresh}");
    assert!(
        fresh.get("transactions").is_none(),
        "no payment yet: {fresh}"
    );
    assert_eq!(fresh["privateData"]["cartId"], "c-77");
    assert_eq!(fresh["buyer"]["id"], "42");

    // Both contracts of the point of sale are offered: the vouchers pay part, the card the rest.
    h.pay_split(&id, 2_500).await;
    let paid = client.session(&id).await;
    assert_eq!(paid["result"]["title"], "ACCEPTED", "{paid}");
    let transactions = paid["transactions"].as_array().unwrap();
    assert_eq!(transactions.len(), 2, "{paid}");
    let (ancv, card) = (&transactions[0], &transactions[1]);
    assert_eq!(ancv["paymentMethodId"], "ANCV-DEMO");
    assert_eq!(
        ancv["paymentInstrumentData"]["paymentInstrumentType"]["code"],
        "ANCV_CONNECT"
    );
    assert_eq!(card["paymentMethodId"], "CB-DEMO");
    assert_eq!(
        card["paymentInstrumentData"]["usedPaymentInstrument"],
        "UsedCard"
    );
    let authorized: i64 = transactions
        .iter()
        .map(|t| t["authorizedAmount"].as_i64().unwrap())
        .sum();
    assert_eq!(
        (ancv["authorizedAmount"].as_i64(), authorized),
        (Some(2_500), paid["order"]["amount"].as_i64().unwrap()),
        "the parts add up to the order"
    );
    let soap = h.details(&id).await;
    assert_eq!(
        soap_value(&soap, &["transaction", "id"]).as_deref(),
        ancv["id"].as_str(),
        "the same transaction ids as SOAP"
    );
}

async fn a_session_created_in_soap_is_read_in_json(db: TestDb) {
    let h = Harness::start(&db).await;
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    let client = Client { h: &h };
    let session = client.session(&token).await;
    assert_eq!(session["result"]["code"], "02533");
    assert_eq!(session["order"]["reference"], "order-42");
    assert_eq!(session["order"]["amount"], 6000);
    assert_eq!(session["order"]["currency"], "EUR");
    let (status, unknown) = client
        .call(Method::GET, "/checkout/sessions/nosuchsession", None)
        .await;
    assert_eq!((status.as_u16(), &unknown["code"]), (404, &json!("02304")));
}

async fn refused_sessions_name_the_field_and_the_code(db: TestDb) {
    let h = Harness::start(&db).await;
    let client = Client { h: &h };
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut body = sylius_session();
        edit(&mut body);
        body
    };
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            with(&|b| b["pointOfSaleReference"] = Value::Null),
            "pointOfSaleReference",
            "02305",
        ),
        (
            with(&|b| b["pointOfSaleReference"] = json!("NOPE")),
            "pointOfSaleReference",
            "02305",
        ),
        (
            with(&|b| b["buyer"]["email"] = Value::Null),
            "buyer.email",
            "02305",
        ),
        (
            with(&|b| b["payment"]["capture"] = json!("LATER")),
            "payment",
            "02308",
        ),
        (
            with(&|b| b["order"]["currency"] = json!("USD")),
            "order.currency",
            "02305",
        ),
        (
            with(&|b| b["order"]["date"] = json!("27/11/2026")),
            "order.date",
            "02305",
        ),
        (
            with(&|b| b["paymentMethod"] = json!({"paymentMethodIDs": ["CB-OTHER"]})),
            "paymentMethod.paymentMethodIDs",
            "02305",
        ),
    ];
    for (body, field, code) in cases {
        let (status, problem) = client.create(&body).await;
        assert_eq!(status, 400, "{field}: {problem}");
        assert_eq!(
            (&problem["field"], &problem["code"]),
            (&json!(field), &json!(code)),
            "{problem}"
        );
        assert!(
            problem["detail"].as_str().unwrap().contains(field),
            "{problem}"
        );
    }
    let (status, problem) = client
        .create(&with(&|b| b["order"]["amount"] = json!("sixty")))
        .await;
    assert_eq!(status, 400, "a wrong type: {problem}");
    assert_eq!(
        (&problem["field"], &problem["code"]),
        (&json!("order.amount"), &json!("02305")),
        "a wrong type names the field: {problem}"
    );
}

async fn every_refusal_is_problem_json(db: TestDb) {
    let h = Harness::start(&db).await;
    let base = format!("{}/v1", h.base);
    let alive = h
        .http
        .get(format!("{base}/checkout/alive"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (alive.status().as_u16(), alive.text().await.unwrap()),
        (200, "OK".to_owned())
    );
    let anonymous = h
        .http
        .post(format!("{base}/checkout/sessions"))
        .json(&sylius_session())
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, 401, "Unauthorized").await;
    let wrong_key = h
        .http
        .get(format!("{base}/checkout/sessions/x"))
        .basic_auth(h.merchant_id.as_str(), Some("not-the-key"))
        .send()
        .await
        .unwrap();
    assert_problem(wrong_key, 401, "Unauthorized").await;
    let authed = |method: Method, path: &str| {
        h.http
            .request(method, format!("{base}{path}"))
            .basic_auth(h.merchant_id.as_str(), Some(h.access_key.expose()))
    };
    let not_json = authed(Method::POST, "/checkout/sessions")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_problem(not_json, 415, "Unsupported Media Type").await;
    let huge = authed(Method::POST, "/checkout/sessions")
        .header("Content-Type", "application/json")
        .body(vec![b' '; (1 << 20) + 1])
        .send()
        .await
        .unwrap();
    assert_problem(huge, 413, "Payload Too Large").await;
    let malformed = authed(Method::POST, "/checkout/sessions")
        .header("Content-Type", "application/json")
        .body("{\"order\": ")
        .send()
        .await
        .unwrap();
    assert_problem(malformed, 400, "Bad Request").await;
    let nowhere = authed(Method::GET, "/nowhere").send().await.unwrap();
    assert_problem(nowhere, 404, "Not Found").await;
    let wrong_method = authed(Method::DELETE, "/checkout/sessions")
        .send()
        .await
        .unwrap();
    assert_problem(wrong_method, 405, "Method Not Allowed").await;
    // axum's own rejection (a path that is not UTF-8) is problem JSON too.
    let not_utf8 = authed(Method::GET, "/checkout/sessions/%FF%FE")
        .send()
        .await
        .unwrap();
    assert_problem(not_utf8, 400, "Bad Request").await;
}

async fn assert_problem(response: reqwest::Response, status: u16, title: &str) {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["title"], title, "{problem}");
    assert!(!problem["detail"].as_str().unwrap().is_empty(), "{problem}");
}

/// The result's title and code of an operation's answer.
fn outcome(answer: &Value) -> (&str, &str) {
    (
        answer["result"]["title"].as_str().unwrap_or_default(),
        answer["result"]["code"].as_str().unwrap_or_default(),
    )
}

async fn remit(h: &Harness) {
    h.web_payments
        .card()
        .remit(domain::clock::Clock::now(&*h.clock))
        .await
        .unwrap();
}

/// The ids of the session's transactions, as `GET session` lists them (ANCV first).
async fn transaction_ids(client: &Client<'_>, session: &str) -> Vec<String> {
    client.session(session).await["transactions"]
        .as_array()
        .expect("transactions")
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The associated transactions of `id` of one `type`, with their status.
async fn associated_of_type(client: &Client<'_>, id: &str, kind: &str) -> Vec<(i64, String)> {
    client.transaction(id).await["associatedTransactions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["type"] == kind)
        .map(|t| {
            (
                t["amount"].as_i64().unwrap(),
                t["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The commercetools habit: authorize (action 100), capture later, refund in parts.
async fn a_card_authorization_is_captured_then_refunded_in_parts(db: TestDb) {
    let h = Harness::start(&db).await;
    let client = Client { h: &h };
    let mut body = sylius_session();
    body["payment"]["capture"] = json!("MANUAL");
    body["paymentMethod"] = json!({"paymentMethodIDs": ["CB-DEMO"]});
    let (status, created) = client.create(&body).await;
    assert_eq!(status, 201, "{created}");
    let session = created["sessionId"].as_str().unwrap().to_owned();
    h.post_form(&session, "card", &card_form(CARD_OK)).await;

    let paid = client.session(&session).await;
    assert_eq!(paid["result"]["title"], "ACCEPTED", "{paid}");
    let authorization = &paid["transactions"][0];
    assert_eq!(
        (&authorization["type"], &authorization["capture"]),
        (&json!("AUTHORIZATION"), &json!("MANUAL")),
        "{paid}"
    );
    let id = authorization["id"].as_str().unwrap().to_owned();

    let captured = client.operate(&id, "captures", 6_000).await;
    assert_eq!(outcome(&captured), ("ACCEPTED", "00000"), "{captured}");
    assert_eq!(captured["transaction"]["type"], "CAPTURE");
    assert_eq!(captured["transaction"]["originTransactionId"], id.as_str());
    let early = client.operate(&id, "refunds", 1_000).await;
    assert_eq!(
        outcome(&early),
        ("ERROR", "02618"),
        "not remitted yet: {early}"
    );

    remit(&h).await;
    let first = client.operate(&id, "refunds", 1_000).await;
    assert_eq!(outcome(&first), ("ACCEPTED", "00000"), "{first}");
    assert_eq!(first["transaction"]["type"], "REFUND");
    let second = client.operate(&id, "refunds", 2_000).await;
    assert_eq!(outcome(&second), ("ACCEPTED", "00000"), "{second}");
    assert_ne!(first["transaction"]["id"], second["transaction"]["id"]);
    let too_much = client.operate(&id, "refunds", 3_001).await;
    assert_eq!(
        outcome(&too_much),
        ("ERROR", "02613"),
        "30.00 € left: {too_much}"
    );
    assert!(too_much.get("transaction").is_none(), "{too_much}");

    assert_eq!(
        associated_of_type(&client, &id, "REFUND").await,
        vec![(1_000, "OK".to_owned()), (2_000, "OK".to_owned())]
    );
    assert_eq!(
        associated_of_type(&client, &id, "CAPTURE").await,
        vec![(6_000, "OK".to_owned())]
    );
    let (status, problem) = client
        .call(
            Method::POST,
            "/checkout/transactions/99999999999999/refunds",
            Some(&json!({"amount": 100})),
        )
        .await;
    assert_eq!((status.as_u16(), &problem["code"]), (404, &json!("02301")));
    let (status, problem) = client
        .call(
            Method::POST,
            &format!("/checkout/transactions/{id}/refunds"),
            Some(&json!({"comment": "no amount"})),
        )
        .await;
    assert_eq!(
        (status.as_u16(), &problem["field"]),
        (400, &json!("amount"))
    );
}

/// The Sylius plugin's split payment: the card part refunded in part, the ANCV part in full,
/// once.
async fn both_parts_of_a_split_payment_are_refunded(db: TestDb) {
    let h = Harness::start(&db).await;
    let client = Client { h: &h };
    let (_, created) = client.create(&sylius_session()).await;
    let session = created["sessionId"].as_str().unwrap().to_owned();
    h.pay_split(&session, 2_500).await;
    let ids = transaction_ids(&client, &session).await;
    let (ancv, card) = (&ids[0], &ids[1]);
    remit(&h).await;

    let card_refund = client.operate(card, "refunds", 1_000).await;
    assert_eq!(
        outcome(&card_refund),
        ("ACCEPTED", "00000"),
        "{card_refund}"
    );
    let part = client.operate(ancv, "refunds", 1_000).await;
    assert_eq!(
        outcome(&part),
        ("ERROR", "02612"),
        "ANCV refunds are full: {part}"
    );
    let before = h.sandbox.beneficiary(CAMILLE).await.unwrap().balance;
    let full = client.operate(ancv, "refunds", 2_500).await;
    assert_eq!(outcome(&full), ("ACCEPTED", "00000"), "{full}");
    assert_eq!(
        h.sandbox.beneficiary(CAMILLE).await.unwrap().balance,
        before + 2_500,
        "the vouchers are back"
    );
    let again = client.operate(ancv, "refunds", 2_500).await;
    assert_eq!(outcome(&again), ("ERROR", "02613"), "once: {again}");
    let capture = client.operate(ancv, "captures", 2_500).await;
    assert_eq!(
        outcome(&capture).1,
        "02321",
        "ANCV is captured at once: {capture}"
    );
}

/// A payment made through SOAP and the page, refunded in JSON; a sequenceNumber and an
/// Idempotency-Key with the same value name the same refund, whichever surface came first.
async fn a_payment_made_in_soap_is_refunded_in_json_under_one_key_store(db: TestDb) {
    let h = Harness::start(&db).await;
    let client = Client { h: &h };
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    h.pay_split(&token, 2_500).await;
    let (_, card) = h.split_ids(&token).await;
    remit(&h).await;

    let (_, soap_first) = h
        .soap(
            "DirectPaymentAPI",
            &do_refund(&card, 1_000, "CB-DEMO", Some("key-1")),
        )
        .await;
    let soap_refund = soap_value(&soap_first, &["transaction", "id"]).expect("a refund");
    let refund_with = |key: &'static str| {
        let url = format!("{}/v1/checkout/transactions/{card}/refunds", h.base);
        h.http
            .post(url)
            .basic_auth(h.merchant_id.as_str(), Some(h.access_key.expose()))
            .header("Idempotency-Key", key)
            .json(&json!({"amount": 1_000}))
    };
    let json_repeat: Value = refund_with("key-1")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        json_repeat["transaction"]["id"],
        soap_refund.as_str(),
        "the JSON call with the SOAP call's key gets its refund: {json_repeat}"
    );

    let json_first = refund_with("key-2").send().await.unwrap();
    assert_eq!(json_first.status(), 201);
    let json_first: Value = json_first.json().await.unwrap();
    assert_eq!(outcome(&json_first), ("ACCEPTED", "00000"), "{json_first}");
    let (_, soap_repeat) = h
        .soap(
            "DirectPaymentAPI",
            &do_refund(&card, 1_000, "CB-DEMO", Some("key-2")),
        )
        .await;
    assert_eq!(
        soap_value(&soap_repeat, &["transaction", "id"]).as_deref(),
        json_first["transaction"]["id"].as_str(),
        "the SOAP call with the JSON call's key gets its refund"
    );
    assert_eq!(
        associated_of_type(&client, &card, "REFUND").await.len(),
        2,
        "two keys, two refunds"
    );
}

/// `n` POSTs of `body` to `path` with one Idempotency-Key, all at once.
async fn post_at_once(
    h: &Harness,
    path: &str,
    key: &str,
    body: &Value,
    n: usize,
) -> Vec<(u16, Value)> {
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..n {
        let request = h
            .http
            .post(format!("{}/v1{path}", h.base))
            .basic_auth(h.merchant_id.as_str(), Some(h.access_key.expose()))
            .header("Idempotency-Key", key)
            .json(body);
        calls.spawn(async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        });
    }
    calls.join_all().await
}

async fn ten_concurrent_posts_with_one_key_make_one_operation(db: TestDb) {
    let h = Harness::start(&db).await;
    let client = Client { h: &h };

    let sessions = post_at_once(&h, "/checkout/sessions", "order-77", &sylius_session(), 10).await;
    let (status, first) = &sessions[0];
    assert_eq!(*status, 201, "{first}");
    assert!(
        sessions.iter().all(|answer| answer == &sessions[0]),
        "ten identical answers: {sessions:?}"
    );
    let session = first["sessionId"].as_str().unwrap().to_owned();
    let mut other = sylius_session();
    other["order"]["amount"] = json!(6_100);
    let reused = post_at_once(&h, "/checkout/sessions", "order-77", &other, 1).await;
    assert_eq!(reused[0].0, 422, "{:?}", reused[0].1);
    assert_eq!(reused[0].1["field"], "Idempotency-Key");

    h.pay_split(&session, 2_500).await;
    let card = transaction_ids(&client, &session).await[1].clone();
    remit(&h).await;
    let path = format!("/checkout/transactions/{card}/refunds");
    let refunds = post_at_once(&h, &path, "refund-1", &json!({"amount": 500}), 10).await;
    assert_eq!(refunds[0].0, 201, "{:?}", refunds[0].1);
    assert_eq!(outcome(&refunds[0].1), ("ACCEPTED", "00000"));
    assert!(
        refunds.iter().all(|answer| answer == &refunds[0]),
        "ten identical answers: {refunds:?}"
    );
    assert_eq!(
        associated_of_type(&client, &card, "REFUND").await,
        vec![(500, "OK".to_owned())],
        "one refund"
    );
    let reused = post_at_once(&h, &path, "refund-1", &json!({"amount": 600}), 1).await;
    assert_eq!(reused[0].0, 422, "{:?}", reused[0].1);
    let respaced = h
        .http
        .post(format!("{}/v1{path}", h.base))
        .basic_auth(h.merchant_id.as_str(), Some(h.access_key.expose()))
        .header("Idempotency-Key", "refund-1")
        .header("Content-Type", "application/json")
        .body("{ \"amount\" : 500 }")
        .send()
        .await
        .unwrap();
    assert_eq!(respaced.status(), 201, "the same JSON, spaced otherwise");
}

async fn transactions_are_read_by_id(db: TestDb) {
    let h = Harness::start(&db).await;
    let client = Client { h: &h };
    let (_, created) = client.create(&sylius_session()).await;
    let session = created["sessionId"].as_str().unwrap().to_owned();
    h.pay_split(&session, 2_500).await;
    let ids = transaction_ids(&client, &session).await;
    let ancv = client.transaction(&ids[0]).await;
    assert_eq!(ancv["result"]["title"], "ACCEPTED", "{ancv}");
    assert_eq!(ancv["sessionId"], session.as_str());
    assert_eq!(ancv["order"]["reference"], "SYL-1001");
    assert_eq!(ancv["transaction"]["requestedAmount"], 2_500);
    assert_eq!(
        ancv["transaction"]["paymentInstrumentData"]["paymentInstrumentType"]["code"],
        "ANCV_CONNECT"
    );
    assert!(
        ancv["transaction"]["partnerReturnedData"]["additionalData"]["ancvTransactionId"]
            .is_string(),
        "{ancv}"
    );
    assert_eq!(
        ancv["associatedTransactions"][0]["id"],
        ids[0].as_str(),
        "the origin first"
    );
    assert_eq!(
        ancv["additionalTransactions"][0]["id"],
        ids[1].as_str(),
        "the card part"
    );
    let card = client.transaction(&ids[1]).await;
    assert_eq!(card["transaction"]["requestedAmount"], 3_500);
    assert_eq!(
        card["transaction"]["paymentInstrumentData"]["usedPaymentInstrument"],
        "UsedCard"
    );
    let (status, problem) = client
        .call(Method::GET, "/checkout/transactions/00000000000000", None)
        .await;
    assert_eq!((status.as_u16(), &problem["code"]), (404, &json!("02301")));
}

/// `/v1/openapi.json` and `/v1/docs` are served; every documented call exists (neither 404
/// "no such resource" nor 405), and the reference page needs nothing from elsewhere.
async fn the_openapi_document_describes_the_routes_that_answer(db: TestDb) {
    let h = Harness::start(&db).await;
    let client = Client { h: &h };
    let anonymous = h
        .http
        .get(format!("{}/v1/openapi.json", h.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 200, "the document is public");
    let document: Value = anonymous.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.len() >= 8, "{paths:?}");
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let concrete = path
                .trim_start_matches("/v1")
                .replace("{id}", "00000000000000")
                .replace("{reference}", "NO-SUCH-SHOP")
                .replace("{number}", "NO-SUCH-CONTRACT");
            let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
            let body = (method == Method::POST).then(|| json!({}));
            let (status, answer) = client.call(method.clone(), &concrete, body.as_ref()).await;
            assert_ne!(status, 405, "{method} {path}: {answer}");
            assert!(
                status != 404 || answer["detail"] != "no such resource in the JSON API",
                "{method} {path} is documented but not routed: {answer}"
            );
        }
    }
    let docs = h
        .http
        .get(format!("{}/v1/docs", h.base))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), 200);
    let policy = docs.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    let html = docs.text().await.unwrap();
    assert!(
        html.contains("postCheckoutTransactionsIdRefunds"),
        "every call is listed"
    );
    assert!(!html.contains("src="), "no script, image or frame");
    for link in html.split("href=\"").skip(1) {
        assert!(
            link.starts_with('#') || link.starts_with('/'),
            "a link to elsewhere: {}",
            &link[..link.len().min(60)]
        );
    }
    let css = h
        .http
        .get(format!("{}/v1/docs/docs.css", h.base))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
}

/// The search's ids on every page of `query` (limit 2), following `nextCursor`; and the number
/// of pages.
async fn all_pages(client: &Client<'_>, query: &str) -> (Vec<String>, usize) {
    let (mut ids, mut pages, mut cursor) = (Vec::new(), 0, String::new());
    loop {
        let (status, page) = client
            .call(
                Method::GET,
                &format!("/checkout/transactions?limit=2{query}{cursor}"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        ids.extend(
            page["transactions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_str().unwrap().to_owned()),
        );
        match page["nextCursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return (ids, pages),
        }
    }
}

async fn transactions_are_searched_a_page_at_a_time(db: TestDb) {
    let h = Harness::start(&db).await;
    let client = Client { h: &h };
    let mut paid = Vec::new();
    for n in 1..=3 {
        let mut body = sylius_session();
        body["order"]["reference"] = json!(format!("SRCH-{n}"));
        body["paymentMethod"] = json!({"paymentMethodIDs": ["CB-DEMO"]});
        let (_, created) = client.create(&body).await;
        let session = created["sessionId"].as_str().unwrap().to_owned();
        h.post_form(&session, "card", &card_form(CARD_OK)).await;
        paid.extend(transaction_ids(&client, &session).await);
    }
    let (ids, pages) = all_pages(&client, "").await;
    assert_eq!(
        (ids.len(), pages),
        (3, 2),
        "3 transactions on 2 pages of 2: {ids:?}"
    );
    let (one, _) = all_pages(&client, "&orderReference=SRCH-2").await;
    assert_eq!(one, vec![paid[1].clone()], "SRCH-2's payment");
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    paid.sort();
    assert_eq!(sorted, paid, "each payment once, none other");
    assert_eq!(all_pages(&client, "&status=00000").await.0.len(), 3);
    assert_eq!(
        all_pages(&client, "&status=ACCEPTED&paymentMethodId=CB-DEMO")
            .await
            .0
            .len(),
        3
    );
    assert!(
        all_pages(&client, "&status=REFUSED_01100")
            .await
            .0
            .is_empty()
    );
    assert!(
        all_pages(&client, "&from=2099-01-01T00:00:00Z")
            .await
            .0
            .is_empty(),
        "nothing made in the future"
    );
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("cursor=somewhere", "cursor"),
        ("from=yesterday", "from"),
    ] {
        let (status, problem) = client
            .call(
                Method::GET,
                &format!("/checkout/transactions?{query}"),
                None,
            )
            .await;
        assert_eq!(
            (status.as_u16(), &problem["field"]),
            (400, &json!(field)),
            "{query}"
        );
    }
}
