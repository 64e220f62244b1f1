//! The widget's JSON API (`/services/token/{token}/…`, widget.md §4) over real HTTP, with the
//! ANCV and card sandboxes in process: a split payment driven only by the calls the widget makes
//! (3-D Secure in an iframe and by redirect), the answers for bad input, throttled identifier
//! requests, CORS, problem JSON, and the merchant's data update.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{
    CAMILLE, CARD_CHALLENGE, CARD_OK, DoWebPayment, Harness, answer_acs_from_anywhere, soap_value,
    without_redirects,
};
use testkit::TestDb;

testkit::backend_suite![
    a_split_payment_through_the_token_api_with_3d_secure_in_an_iframe,
    without_embedded_redirection_the_buyer_goes_back_to_the_merchant_page,
    bad_identifiers_and_card_fields_come_back_as_form_errors,
    identifier_requests_are_throttled_per_session,
    cancel_cors_and_problem_answers,
    the_merchant_updates_the_data_only_where_allowed_and_before_any_attempt,
    the_widget_files_are_served_at_every_payline_path,
];

struct Api<'a> {
    h: &'a Harness,
    token: String,
}

impl Api<'_> {
    fn url(&self, call: &str) -> String {
        format!("{}/services/token/{}/{call}", self.h.base, self.token)
    }

    async fn get(&self, call: &str) -> (StatusCode, Value) {
        let response = self.h.http.get(self.url(call)).send().await.unwrap();
        (response.status(), response.json().await.unwrap())
    }

    async fn send(&self, method: reqwest::Method, call: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .h
            .http
            .request(method, self.url(call))
            .header("Origin", "https://shop.example")
            .json(&body)
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap())
    }

    async fn post(&self, call: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, call, body).await
    }

    async fn state(&self) -> Value {
        let (status, state) = self.get("state/current").await;
        assert_eq!(status, 200, "{state}");
        state
    }

    async fn ask_the_app(&self, beneficiary: &str) -> (StatusCode, Value) {
        self.post(
            "paymentRequest",
            json!({"cardCode": "ANCV_CONNECT", "contractNumber": "ANCV-DEMO",
                   "paymentParams": {"BENEFICIARY": beneficiary}}),
        )
        .await
    }

    async fn pay_card(&self, pan: &str, embedded: bool) -> (StatusCode, Value) {
        self.post(
            "securedPaymentRequest",
            json!({"cardCode": "CB", "contractNumber": "CB-DEMO",
                   "merchantReturnUrl": "https://shop.example/checkout#payment",
                   "isEmbeddedRedirectionAllowed": embedded,
                   "securedPaymentParams": {"PAN": pan, "CVV": "123"},
                   "paymentParams": {"EXPI_DATE": "1230", "HOLDER": "Camille Martin"},
                   "deviceInfo": {}}),
        )
        .await
    }

    async fn is_done(&self) -> bool {
        let (status, done) = self.get("cardCode/ANCV_CONNECT/activewaiting/isDone").await;
        assert_eq!(status, 200);
        done.as_bool().expect("isDone answers a boolean")
    }
}

async fn session<'h>(h: &'h Harness, request: &DoWebPayment<'_>) -> Api<'h> {
    let token = h.do_web_payment(request).await;
    Api { h, token }
}

fn card_codes(state: &Value) -> Vec<&str> {
    state["paymentMethodsList"]["paymentMethods"]
        .as_array()
        .expect("a list of methods")
        .iter()
        .map(|m| m["cardCode"].as_str().unwrap())
        .collect()
}

/// The beneficiary validates `amount` in the sandbox app.
async fn validate_in_app(api: &Api<'_>, amount: i64) {
    let snapshot = api.h.web_payments.snapshot(&api.token).await.unwrap();
    let ancv_id = snapshot.ancv.unwrap().ancv_id.unwrap();
    api.h
        .sandbox
        .validate_request(&ancv_id, "1234", Some(amount))
        .await
        .unwrap();
    api.h.run_jobs().await;
}

async fn a_split_payment_through_the_token_api_with_3d_secure_in_an_iframe(db: TestDb) {
    let h = Harness::start(&db).await;
    let api = session(&h, &DoWebPayment::default()).await;
    the_first_state_offers_both_methods(&api).await;
    vouchers_pay_part_in_the_app(&api).await;
    the_card_pays_the_rest_after_a_challenge_in_an_iframe(&api).await;
    the_ticket_shows_both_parts(&api).await;
    let details = h.details(&api.token).await;
    assert_eq!(
        soap_value(&details, &["result", "code"]).as_deref(),
        Some("00000"),
        "{details}"
    );
}

async fn the_first_state_offers_both_methods(api: &Api<'_>) {
    let state = api.state().await;
    assert_eq!(state["type"], "PAYMENT_METHODS_LIST", "{state}");
    assert_eq!(state["isFinal"], false);
    assert_eq!(card_codes(&state), ["ANCV_CONNECT", "CB"]);
    assert_eq!(state["language"], "fr");
    assert_eq!(state["isSandbox"], true);
    assert_eq!(state["info"]["PaylineFormattedAmount"], "60,00 EUR");
    assert_eq!(state["info"]["PaylineAmountSmallestUnit"], 6000);
    assert_eq!(state["info"]["PaylineOrderRef"], "order-42");
    assert_eq!(
        state["info"]["PaylineBuyerEmail"],
        "camille.martin@example.com"
    );
    assert_eq!(
        state["labels"]["card_title"], "Carte bancaire",
        "{}",
        state["labels"]
    );
    let token = &api.token;
    assert_eq!(
        state["returnUrl"],
        format!("https://shop.example/return?paylinetoken={token}&token={token}")
    );
    assert_eq!(
        state["cancelUrl"],
        format!("https://shop.example/cancel?from=pay&paylinetoken={token}&token={token}")
    );
}

async fn vouchers_pay_part_in_the_app(api: &Api<'_>) {
    let (status, waiting) = api.ask_the_app(CAMILLE).await;
    assert_eq!(status, 200, "{waiting}");
    assert_eq!(waiting["type"], "ACTIVE_WAITING", "{waiting}");
    assert_eq!(waiting["activeWaiting"]["cardCode"], "ANCV_CONNECT");
    assert!(waiting["activeWaiting"]["secondsLeft"].as_i64().unwrap() > 0);
    assert_eq!(
        waiting["activeWaiting"]["sandboxAppUrl"],
        format!("{}/sandbox/ancv/app/", api.h.base)
    );
    assert!(!api.is_done().await, "still waiting for the app");

    validate_in_app(api, 2_500).await;
    assert!(api.is_done().await);
    let rest = api.state().await;
    assert_eq!(rest["type"], "PAYMENT_METHODS_LIST", "{rest}");
    assert_eq!(card_codes(&rest), ["CB"], "only the card may pay the rest");
    assert_eq!(rest["fragmented"]["paidAmount"], 2500);
    assert_eq!(rest["fragmented"]["remainingAmount"], 3500);
    assert_eq!(rest["fragmented"]["formattedRemainingAmount"], "35,00 EUR");
}

async fn the_card_pays_the_rest_after_a_challenge_in_an_iframe(api: &Api<'_>) {
    let (status, challenge) = api.pay_card(CARD_CHALLENGE, true).await;
    assert_eq!(status, 200, "{challenge}");
    assert_eq!(
        challenge["type"], "PAYMENT_REDIRECT_NO_RESPONSE",
        "{challenge}"
    );
    let redirection = &challenge["paymentRedirectNoResponse"]["redirectionData"];
    assert_eq!(redirection["iframeEmbeddable"], true);
    let acs = redirection["requestUrl"].as_str().unwrap();
    assert!(acs.contains("/sandbox/acs/"), "{acs}");

    let back = answer_acs_from_anywhere(acs).await;
    let token = &api.token;
    assert!(
        back.starts_with(&format!(
            "{}/services/token/{token}/threeDSReturn?mode=iframe&challenge=",
            api.h.base
        )),
        "{back}"
    );
    let landing = without_redirects().get(&back).send().await.unwrap();
    assert_eq!(landing.status(), 200);
    let policy = landing.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("frame-ancestors *"), "{policy}");
    let html = landing.text().await.unwrap();
    assert!(
        html.contains(&format!("data-token=\"{token}\"")),
        "{token} {html}"
    );
    assert!(html.contains("/widget-assets/three-ds-done.js"), "{html}");
}

async fn the_ticket_shows_both_parts(api: &Api<'_>) {
    let paid = api.state().await;
    assert_eq!(paid["type"], "PAYMENT_SUCCESS", "{paid}");
    assert_eq!(paid["isFinal"], true);
    let ticket: Vec<(String, String)> = paid["paymentSuccess"]["ticket"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["k"].as_str().unwrap().to_owned(),
                l["v"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let value_of = |key: &str| {
        ticket
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(
        value_of("Montant de la commande"),
        Some("60,00 EUR"),
        "{ticket:?}"
    );
    assert_eq!(
        value_of("Payé en Chèques-Vacances"),
        Some("25,00 EUR"),
        "{ticket:?}"
    );
    assert_eq!(value_of("Carte bancaire"), Some("35,00 EUR"), "{ticket:?}");
}

async fn without_embedded_redirection_the_buyer_goes_back_to_the_merchant_page(db: TestDb) {
    let h = Harness::start(&db).await;
    let api = session(&h, &DoWebPayment::default()).await;
    api.state().await;
    let (_, challenge) = api.pay_card(CARD_CHALLENGE, false).await;
    assert_eq!(
        challenge["type"], "PAYMENT_REDIRECT_NO_RESPONSE",
        "{challenge}"
    );
    let acs = challenge["paymentRedirectNoResponse"]["redirectionData"]["requestUrl"]
        .as_str()
        .unwrap();
    let back = answer_acs_from_anywhere(acs).await;
    let response = without_redirects().get(&back).send().await.unwrap();
    assert_eq!(response.status(), 303);
    // Appended naively, after the fragment, as Payline does and the plugins expect.
    assert_eq!(
        response.headers()["location"],
        format!(
            "https://shop.example/checkout#payment?paylinetoken={0}&token={0}&paymentEndpoint=1",
            api.token
        )
        .as_str()
    );
    assert_eq!(api.state().await["type"], "PAYMENT_SUCCESS");
}

async fn bad_identifiers_and_card_fields_come_back_as_form_errors(db: TestDb) {
    let h = Harness::start(&db).await;
    let api = session(&h, &DoWebPayment::default()).await;
    api.state().await;

    let (status, typo) = api.ask_the_app("camille@").await;
    assert_eq!(status, 200);
    assert_eq!(typo["type"], "PAYMENT_METHODS_LIST");
    assert_eq!(typo["formError"]["field"], "BENEFICIARY", "{typo}");

    let (status, unknown) = api.ask_the_app("nobody@example.com").await;
    assert_eq!(status, 200);
    assert_eq!(unknown["formError"]["field"], "BENEFICIARY", "{unknown}");
    assert!(
        unknown["formError"]["message"]
            .as_str()
            .unwrap()
            .contains("Chèque-Vacances")
    );

    let other = session(&h, &DoWebPayment::default()).await;
    other.state().await;
    assert_eq!(other.ask_the_app(CAMILLE).await.1["type"], "ACTIVE_WAITING");
    let (status, pending) = api.ask_the_app(CAMILLE).await;
    assert_eq!(status, 200);
    assert_eq!(pending["formError"]["field"], "BENEFICIARY", "{pending}");
    assert!(
        pending["formError"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Un paiement est déjà en attente sur ce compte"),
        "{pending}"
    );
    assert_ne!(
        pending["formError"]["message"],
        unknown["formError"]["message"]
    );

    let (status, card) = api.pay_card("4970100000000007", true).await;
    assert_eq!(status, 200);
    assert_eq!(card["formError"]["field"], "PAN", "{card}");
    assert_eq!(
        card["formError"]["message"],
        "Le numéro de carte n'est pas valide."
    );
    let (_, expiry) = api
        .post(
            "securedPaymentRequest",
            json!({"contractNumber": "CB-DEMO", "securedPaymentParams": {"PAN": CARD_OK, "CVV": "123"},
                   "paymentParams": {"EXPI_DATE": "13/99"}}),
        )
        .await;
    assert_eq!(expiry["formError"]["field"], "EXPI_DATE", "{expiry}");
    let (_, contract) = api
        .post(
            "securedPaymentRequest",
            json!({"contractNumber": "ANCV-DEMO", "securedPaymentParams": {"PAN": CARD_OK, "CVV": "123"},
                   "paymentParams": {"EXPI_DATE": "1230"}}),
        )
        .await;
    assert_eq!(
        contract["formError"]["field"], "contractNumber",
        "{contract}"
    );
    assert_eq!(
        api.state().await["type"],
        "PAYMENT_METHODS_LIST",
        "nothing was attempted"
    );
}

async fn identifier_requests_are_throttled_per_session(db: TestDb) {
    let h = Harness::start(&db).await;
    let api = session(&h, &DoWebPayment::default()).await;
    api.state().await;
    for n in 0..gateway::web_payments::ANCV_REQUESTS_PER_WINDOW {
        let (status, answer) = api.ask_the_app(&format!("nobody{n}@example.com")).await;
        assert_eq!(status, 200, "request {n}: {answer}");
    }
    let response = h
        .http
        .post(api.url("paymentRequest"))
        .json(&json!({"cardCode": "ANCV_CONNECT", "paymentParams": {"BENEFICIARY": CAMILLE}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=600).contains(&retry_after), "{retry_after}");
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["field"], "BENEFICIARY", "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("Réessayez dans"),
        "in the buyer's language: {problem}"
    );
    assert!(
        h.web_payments
            .snapshot(&api.token)
            .await
            .unwrap()
            .ancv
            .is_none(),
        "nothing sent"
    );

    h.advance(i64::try_from(retry_after).unwrap() * 1000).await;
    let (status, waiting) = api.ask_the_app(CAMILLE).await;
    assert_eq!(
        (status.as_u16(), &waiting["type"]),
        (200, &json!("ACTIVE_WAITING")),
        "{waiting}"
    );
}

async fn cancel_cors_and_problem_answers(db: TestDb) {
    let h = Harness::start(&db).await;
    let api = session(&h, &DoWebPayment::default()).await;
    any_origin_may_call(&api).await;
    problems_say_what_is_wrong(&api).await;
    cancel_ends_the_session_and_says_so_again(&api).await;
}

async fn any_origin_may_call(api: &Api<'_>) {
    let h = api.h;

    let preflight = h
        .http
        .request(reqwest::Method::OPTIONS, api.url("paymentRequest"))
        .header("Origin", "shop.example")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    assert!(
        preflight.headers()["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    assert!(
        preflight
            .headers()
            .get("access-control-allow-credentials")
            .is_none()
    );

    let response = h.http.get(api.url("state/current")).send().await.unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
}

async fn problems_say_what_is_wrong(api: &Api<'_>) {
    let h = api.h;
    let unknown = Api {
        h,
        token: "nosuchtoken".into(),
    };
    let (status, problem) = unknown.get("state/current").await;
    assert_eq!(
        (status.as_u16(), problem["status"].as_u64()),
        (404, Some(404)),
        "{problem}"
    );
    let (status, problem) = api.get("paymentRequest").await;
    assert_eq!(status, 405, "{problem}");
    let (status, problem) = api.get("noSuchCall").await;
    assert_eq!(status, 404, "{problem}");
    let malformed = h
        .http
        .post(api.url("paymentRequest"))
        .body("{\"cardCode\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    let problem: Value = malformed.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("column"),
        "{problem}"
    );
    let (status, problem) = api
        .post(
            "paymentRequest",
            json!({"cardCode": "CB", "paymentParams": {}}),
        )
        .await;
    assert_eq!(
        (status.as_u16(), &problem["field"]),
        (422, &json!("cardCode")),
        "{problem}"
    );
}

async fn cancel_ends_the_session_and_says_so_again(api: &Api<'_>) {
    api.ask_the_app(CAMILLE).await;
    let (status, cancelled) = api.post("cancel", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(cancelled["type"], "PAYMENT_CANCELED", "{cancelled}");
    assert_eq!(cancelled["isFinal"], true);
    let (status, again) = api.post("cancel", json!({})).await;
    assert_eq!(
        (status.as_u16(), &again["type"]),
        (200, &json!("PAYMENT_CANCELED"))
    );
    let details = api.h.details(&api.token).await;
    assert_eq!(
        soap_value(&details, &["result", "code"]).as_deref(),
        Some("02319")
    );
}

async fn the_merchant_updates_the_data_only_where_allowed_and_before_any_attempt(db: TestDb) {
    let h = Harness::start(&db).await;
    let api = session(&h, &DoWebPayment::default()).await;
    let put = |body: Value| api.send(reqwest::Method::PUT, "webpaymentdata", body);

    let (status, refused) = put(json!({"amount": 8000})).await;
    assert_eq!(status, 403, "off by default: {refused}");

    let pos = h
        .web_payments
        .snapshot(&api.token)
        .await
        .unwrap()
        .payment
        .pos_id;
    let mut uow = h.store.write().await.unwrap();
    assert!(
        uow.points_of_sale()
            .set_widget_data_updates(pos, true)
            .await
            .unwrap()
    );
    uow.commit().await.unwrap();

    let (status, bad) = put(json!({"amount": -5})).await;
    assert_eq!(
        (status.as_u16(), &bad["field"]),
        (422, &json!("amount")),
        "{bad}"
    );
    let (status, bad) = put(json!({"amount": "80"})).await;
    assert_eq!(status, 400, "a wrong type: {bad}");
    let (status, bad) = put(json!({"buyer": {"email": "not-an-email"}})).await;
    assert_eq!(
        (status.as_u16(), &bad["field"]),
        (422, &json!("buyer.email")),
        "{bad}"
    );

    let (status, done) =
        put(json!({"amount": 8000, "orderRef": "order-43", "buyer": {"firstName": "Dominique"}}))
            .await;
    assert_eq!((status.as_u16(), &done), (200, &json!({"status": 200})));
    let details = h.details(&api.token).await;
    assert_eq!(
        soap_value(&details, &["payment", "amount"]).as_deref(),
        Some("8000"),
        "{details}"
    );
    let state = api.state().await;
    assert_eq!(state["info"]["PaylineFormattedAmount"], "80,00 EUR");
    assert_eq!(state["info"]["PaylineOrderRef"], "order-43");
    assert_eq!(state["info"]["PaylineBuyerFirstName"], "Dominique");

    api.ask_the_app("nobody@example.com").await;
    let (status, late) = put(json!({"amount": 9000})).await;
    assert_eq!(status, 403, "an attempt started: {late}");
}

async fn the_widget_files_are_served_at_every_payline_path(db: TestDb) {
    let h = Harness::start(&db).await;
    let files = web::widget_assets::SCRIPT_PATHS
        .iter()
        .map(|p| {
            (
                *p,
                "text/javascript; charset=utf-8",
                web::widget_assets::WIDGET_SCRIPT,
            )
        })
        .chain(web::widget_assets::STYLESHEET_PATHS.iter().map(|p| {
            (
                *p,
                "text/css; charset=utf-8",
                web::widget_assets::WIDGET_STYLESHEET,
            )
        }));
    for (path, content_type, content) in files {
        let response = h
            .http
            .get(format!("{}{path}", h.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["content-type"], content_type, "{path}");
        assert_eq!(response.headers()["access-control-allow-origin"], "*");
        let tag = response.headers()["etag"].to_str().unwrap().to_owned();
        assert_eq!(response.text().await.unwrap(), content, "{path}");
        let again = h
            .http
            .get(format!("{}{path}", h.base))
            .header("If-None-Match", &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}: the browser's copy is current");
        assert!(again.text().await.unwrap().is_empty());
    }
}
