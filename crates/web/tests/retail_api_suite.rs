//! The JSON API (`/v1/`, Monext Retail API compatible) over real HTTP, driven the way the Sylius
//! and commercetools clients call it (Basic auth, `POST …/payments/sessions`, redirect, `GET`
//! session, `result.title == "ACCEPTED"`): sessions shared with SOAP and the page both ways,
//! and a problem JSON for every refusal.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{DoWebPayment, Harness, soap_value};
use testkit::TestDb;

testkit::backend_suite![
    a_session_created_in_json_is_paid_on_the_page_and_read_in_json_and_soap,
    a_session_created_in_soap_is_read_in_json,
    refused_sessions_name_the_field_and_the_code,
    every_refusal_is_problem_json,
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
    assert!(
        problem["detail"].as_str().unwrap().contains("column"),
        "{problem}"
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
