//! The JSON API's configuration endpoints (`x-cvgate`, retail-api.md §3) over real HTTP: the
//! seed's setup (a point of sale, a card contract, an `ANCV_CONNECT` contract with its Shop ID
//! and the card contract as complement) done in JSON and used by a payment session; the contract
//! form's rules (the CLI's) as 422 naming the JSON field with nothing written; 409 for a
//! reference or number in use; PATCH; another merchant's configuration as 404; 400 for a wrong
//! type.

mod support;

use domain::clock::Clock;
use domain::random::OsRandom;
use gateway::MerchantConfig;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use support::Harness;
use testkit::{TestDb, dump_database};

testkit::backend_suite![
    the_seed_setup_is_done_in_json_and_takes_payments,
    broken_rules_name_the_json_field_and_write_nothing,
    a_reference_or_number_in_use_is_a_conflict,
    a_default_reference_never_takes_a_chosen_one,
    points_of_sale_are_changed_but_not_renamed,
    contracts_are_changed_and_deactivated,
    another_merchants_configuration_is_not_found,
    wrong_types_and_unknown_targets,
];

/// Calls `/v1…` as one merchant.
struct Client<'a> {
    h: &'a Harness,
    merchant: String,
    key: String,
}

impl<'a> Client<'a> {
    /// The demo merchant.
    fn demo(h: &'a Harness) -> Client<'a> {
        Client {
            h,
            merchant: h.merchant_id.as_str().to_owned(),
            key: h.access_key.expose().to_owned(),
        }
    }

    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> (StatusCode, Value) {
        let mut request = self
            .h
            .http
            .request(method, format!("{}/v1{path}", self.h.base))
            .basic_auth(&self.merchant, Some(&self.key));
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(&body)).await
    }

    async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(&body)).await
    }

    /// A POST with an `Idempotency-Key`: the status and the body.
    async fn post_with_key(&self, path: &str, key: &str, body: &Value) -> (StatusCode, Value) {
        let response = self
            .h
            .http
            .post(format!("{}/v1{path}", self.h.base))
            .basic_auth(&self.merchant, Some(&self.key))
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap())
    }

    /// A POST expected to create: 201, the object.
    async fn created(&self, path: &str, body: Value) -> Value {
        let (status, answer) = self.post(path, body).await;
        assert_eq!(status, 201, "POST {path}: {answer}");
        answer
    }

    /// A GET or PATCH expected to succeed: 200, the object.
    async fn ok(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, answer) = self.call(method, path, body.as_ref()).await;
        assert_eq!(status, 200, "{path}: {answer}");
        answer
    }

    async fn contract_numbers(&self) -> Vec<String> {
        let list = self.ok(Method::GET, "/contracts", None).await;
        list["contracts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["number"].as_str().unwrap().to_owned())
            .collect()
    }

    /// A JSON payment session of 60.00 € on `pos`, offering `contracts` (all when empty).
    async fn session(&self, pos: &str, contracts: &[&str]) -> (StatusCode, Value) {
        let mut body = json!({
            "pointOfSaleReference": pos,
            "order": {"reference": "CFG-1", "amount": 6000, "currency": "EUR"},
            "buyer": {"firstName": "Camille", "lastName": "Martin",
                      "email": "camille.martin@example.com"},
            "returnURL": "https://shop.example/return"
        });
        if !contracts.is_empty() {
            body["paymentMethod"] = json!({"paymentMethodIDs": contracts});
        }
        self.post("/checkout/payments/sessions", body).await
    }
}

/// Asserts a problem answer: its status, and the JSON field it names.
fn assert_problem(answer: &(StatusCode, Value), status: u16, field: &str) {
    let (got, body) = answer;
    assert_eq!(got.as_u16(), status, "{body}");
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["field"], field, "{body}");
}

/// The seed's point of sale `WEB-SHOP` with its card contract `CB-WEB`.
async fn shop_with_card_contract(client: &Client<'_>) {
    client
        .created(
            "/points-of-sale",
            json!({"reference": "WEB-SHOP", "label": "Boutique en ligne"}),
        )
        .await;
    client
        .created(
            "/contracts",
            json!({"number": "CB-WEB", "cardCode": "CB", "pointOfSaleReference": "WEB-SHOP",
                   "label": "Carte", "currency": "EUR"}),
        )
        .await;
}

async fn the_seed_setup_is_done_in_json_and_takes_payments(db: TestDb) {
    let h = Harness::start(&db).await;
    let client = Client::demo(&h);
    let pos_body = json!({"reference": "WEB-SHOP", "label": "Boutique en ligne",
                          "sessionLifetimeMinutes": 30, "unknownField": 1});
    let (status, pos) = client
        .post_with_key("/points-of-sale", "seed-pos", &pos_body)
        .await;
    assert_eq!(status, 201, "{pos}");
    assert_eq!(
        pos,
        json!({"reference": "WEB-SHOP", "label": "Boutique en ligne",
               "sessionLifetimeMinutes": 30, "widgetDataUpdates": false,
               "createdAt": "2026-11-27T11:00:00.000+01:00"})
    );
    let (card, ancv) = the_seed_contracts(&client).await;

    // Read back, one by one and in the lists.
    assert_eq!(
        client
            .ok(Method::GET, "/points-of-sale/WEB-SHOP", None)
            .await,
        pos
    );
    assert_eq!(
        client.ok(Method::GET, "/contracts/ANCV-WEB", None).await,
        ancv
    );
    assert_eq!(
        client.ok(Method::GET, "/contracts/CB-WEB", None).await,
        card
    );
    let all_pos = client.ok(Method::GET, "/points-of-sale", None).await;
    let references: Vec<&str> = all_pos["pointsOfSale"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["reference"].as_str().unwrap())
        .collect();
    assert_eq!(references, ["DEMO-SHOP", "WEB-SHOP"]);
    let all = client.ok(Method::GET, "/contracts", None).await;
    let listed = all["contracts"].as_array().unwrap();
    assert!(listed.contains(&ancv) && listed.contains(&card), "{all}");
    let demo_ancv = |c: &&Value| c["number"] == "ANCV-DEMO";
    let demo_ancv = listed.iter().find(demo_ancv).unwrap();
    assert_eq!(demo_ancv["pointOfSaleReference"], "DEMO-SHOP");

    // The configuration is usable at once: a session on the new point of sale, split ANCV + card.
    for offered in [&[][..], &["ANCV-WEB", "CB-WEB"]] {
        let (status, created) = client.session("WEB-SHOP", offered).await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["result"]["title"], "ACCEPTED");
    }
}

/// The seed's two contracts on WEB-SHOP, created in JSON: the card contract, then the
/// `ANCV_CONNECT` contract with its Shop ID and the card contract as complement.
async fn the_seed_contracts(client: &Client<'_>) -> (Value, Value) {
    let card = client
        .created(
            "/contracts",
            json!({"number": "CB-WEB", "cardCode": "CB", "pointOfSaleReference": "WEB-SHOP",
                   "label": "Carte bancaire", "currency": "EUR"}),
        )
        .await;
    assert_eq!(
        card,
        json!({"number": "CB-WEB", "cardCode": "CB", "pointOfSaleReference": "WEB-SHOP",
               "label": "Carte bancaire", "currency": "EUR", "description": "",
               "status": "ACTIVE", "createdAt": "2026-11-27T11:00:00.000+01:00"}),
        "a card contract has no Shop ID nor complementary contracts"
    );
    let ancv = client
        .created(
            "/contracts",
            json!({"status": "ACTIVE", "cardCode": "ANCV_CONNECT",
                   "pointOfSaleReference": "WEB-SHOP", "number": "ANCV-WEB",
                   "label": "Chèque-Vacances Connect", "currency": "EUR",
                   "description": "Holiday vouchers", "shopId": "20000001",
                   "complementaryContracts": ["CB-WEB"]}),
        )
        .await;
    assert_eq!(ancv["shopId"], "20000001");
    assert_eq!(ancv["complementaryContracts"], json!(["CB-WEB"]));
    assert_eq!(ancv["description"], "Holiday vouchers");
    assert_eq!(ancv["currency"], "EUR");
    (card, ancv)
}

/// The seed's ANCV contract on WEB-SHOP with `key` set to `value`.
fn ancv_with(key: &str, value: Value) -> Value {
    let mut body = json!({"number": "ANCV-WEB", "cardCode": "ANCV_CONNECT",
                          "pointOfSaleReference": "WEB-SHOP", "currency": "EUR",
                          "shopId": "20000001", "complementaryContracts": ["CB-WEB"]});
    body[key] = value;
    body
}

/// The seed's ANCV contract on WEB-SHOP without `key`.
fn ancv_without(key: &str) -> Value {
    let mut body = ancv_with(key, Value::Null);
    body.as_object_mut().unwrap().remove(key);
    body
}

/// New contracts that break a rule of the contract form, and the JSON field named.
fn refused_contracts() -> Vec<(Value, &'static str)> {
    let complements = "complementaryContracts";
    vec![
        (ancv_without("shopId"), "shopId"),
        (ancv_with("shopId", json!("12ab")), "shopId"),
        (ancv_with(complements, json!(["VISA-OTHER"])), complements),
        (ancv_with(complements, json!(["ANCV-DEMO"])), complements),
        (ancv_with(complements, json!(["CB-DEMO"])), complements),
        (ancv_with(complements, json!(["NOPE-1"])), complements),
        (
            ancv_with(complements, json!(["CB-WEB", "CB-WEB"])),
            complements,
        ),
        (ancv_with("currency", json!("840")), "currency"),
        (ancv_with("currency", json!("USD")), "currency"),
        (ancv_with("cardCode", json!("PAYPAL")), "cardCode"),
        (ancv_with("number", json!("not a number!")), "number"),
        (ancv_without("number"), "number"),
        (ancv_with("label", json!("l".repeat(51))), "label"),
        (
            ancv_with("pointOfSaleReference", json!("NOPE")),
            "pointOfSaleReference",
        ),
        (ancv_without("pointOfSaleReference"), "pointOfSaleReference"),
        (
            json!({"number": "CB-2", "cardCode": "CB", "pointOfSaleReference": "WEB-SHOP",
                   "shopId": "20000001"}),
            "shopId",
        ),
        (
            json!({"number": "CB-2", "cardCode": "CB", "pointOfSaleReference": "WEB-SHOP",
                   "complementaryContracts": ["CB-WEB"]}),
            complements,
        ),
    ]
}

async fn broken_rules_name_the_json_field_and_write_nothing(db: TestDb) {
    let h = Harness::start(&db).await;
    let client = Client::demo(&h);
    shop_with_card_contract(&client).await;
    client
        .created(
            "/points-of-sale",
            json!({"reference": "OTHER-SHOP", "label": "Another shop"}),
        )
        .await;
    client
        .created(
            "/contracts",
            json!({"number": "VISA-OTHER", "cardCode": "VISA",
                   "pointOfSaleReference": "OTHER-SHOP"}),
        )
        .await;
    let numbers = client.contract_numbers().await;
    let before = dump_database(&db).await;

    for (body, field) in refused_contracts() {
        let answer = client.post("/contracts", body.clone()).await;
        assert_problem(&answer, 422, field);
        assert_eq!(answer.1["title"], "Unprocessable Entity", "{body}");
    }
    let points_of_sale: Vec<(Value, &str)> = vec![
        (json!({"reference": "NEW"}), "label"),
        (json!({"label": "  "}), "label"),
        (json!({"label": "Shop", "reference": "a b"}), "reference"),
        (
            json!({"label": "Shop", "sessionLifetimeMinutes": 5}),
            "sessionLifetimeMinutes",
        ),
    ];
    for (body, field) in points_of_sale {
        assert_problem(&client.post("/points-of-sale", body).await, 422, field);
    }

    assert_eq!(
        client.contract_numbers().await,
        numbers,
        "a refused contract is listed"
    );
    assert_eq!(
        dump_database(&db).await,
        before,
        "a refused request wrote something"
    );
}

async fn a_reference_or_number_in_use_is_a_conflict(db: TestDb) {
    let h = Harness::start(&db).await;
    let client = Client::demo(&h);
    // A POST repeated under one Idempotency-Key gets the first answer, not a conflict.
    let shop = json!({"reference": "WEB-SHOP", "label": "Boutique en ligne"});
    let first = client
        .post_with_key("/points-of-sale", "pos-1", &shop)
        .await;
    assert_eq!(first.0, 201, "{}", first.1);
    assert_eq!(
        client
            .post_with_key("/points-of-sale", "pos-1", &shop)
            .await,
        first
    );
    client
        .created(
            "/contracts",
            json!({"number": "CB-WEB", "cardCode": "CB", "pointOfSaleReference": "WEB-SHOP"}),
        )
        .await;
    let before = dump_database(&db).await;
    let conflicts = [
        (
            "/points-of-sale",
            json!({"reference": "WEB-SHOP", "label": "Again"}),
            "reference",
        ),
        (
            "/points-of-sale",
            json!({"reference": "DEMO-SHOP", "label": "Again"}),
            "reference",
        ),
        (
            "/contracts",
            json!({"number": "CB-WEB", "cardCode": "VISA", "pointOfSaleReference": "WEB-SHOP"}),
            "number",
        ),
        (
            "/contracts",
            json!({"number": "ANCV-DEMO", "cardCode": "ANCV_CONNECT",
                   "pointOfSaleReference": "WEB-SHOP", "shopId": "1"}),
            "number",
        ),
    ];
    for (path, body, field) in conflicts {
        assert_problem(&client.post(path, body).await, 409, field);
    }
    assert_eq!(dump_database(&db).await, before);
}

/// A point of sale created without a reference gets `POS-<id>`; when the merchant already chose
/// that name for another, it gets `POS-<id>-2` instead of failing.
async fn a_default_reference_never_takes_a_chosen_one(db: TestDb) {
    let h = Harness::start(&db).await;
    let client = Client::demo(&h);
    let first = client
        .created("/points-of-sale", json!({"label": "Default"}))
        .await;
    let id: i64 = first["reference"].as_str().unwrap()["POS-".len()..]
        .parse()
        .unwrap();
    // The next point of sale takes id + 1; it claims the name the one after would get.
    let claimed = format!("POS-{}", id + 2);
    client
        .created(
            "/points-of-sale",
            json!({"reference": claimed, "label": "Chosen"}),
        )
        .await;
    let (status, third) = client
        .post("/points-of-sale", json!({"label": "Default again"}))
        .await;
    assert_eq!(status, 201, "{third}");
    assert_eq!(third["reference"], format!("{claimed}-2"));
    let (status, read) = client.get(&format!("/points-of-sale/{claimed}-2")).await;
    assert_eq!(
        (status, &read["label"]),
        (StatusCode::OK, &json!("Default again"))
    );
}

async fn points_of_sale_are_changed_but_not_renamed(db: TestDb) {
    let h = Harness::start(&db).await;
    let client = Client::demo(&h);
    let created = client
        .created("/points-of-sale", json!({"label": "Boutique"}))
        .await;
    let reference = created["reference"].as_str().unwrap().to_owned();
    assert!(reference.starts_with("POS-"), "{created}");
    assert_eq!(created["sessionLifetimeMinutes"], 15);
    let path = format!("/points-of-sale/{reference}");

    let changed = client
        .ok(
            Method::PATCH,
            &path,
            Some(
                json!({"label": "Boutique de Lyon", "sessionLifetimeMinutes": 45,
                        "widgetDataUpdates": true, "reference": reference}),
            ),
        )
        .await;
    assert_eq!(changed["label"], "Boutique de Lyon");
    assert_eq!(changed["sessionLifetimeMinutes"], 45);
    assert_eq!(changed["widgetDataUpdates"], true);
    assert_eq!(changed["createdAt"], created["createdAt"]);
    assert_eq!(client.ok(Method::GET, &path, None).await, changed);

    // An absent field stays as it is.
    let again = client
        .ok(
            Method::PATCH,
            &path,
            Some(json!({"widgetDataUpdates": false})),
        )
        .await;
    assert_eq!(again["label"], "Boutique de Lyon");
    assert_eq!(again["sessionLifetimeMinutes"], 45);
    assert_eq!(again["widgetDataUpdates"], false);

    let before = dump_database(&db).await;
    let refusals = [
        (json!({"reference": "RENAMED", "label": "x"}), "reference"),
        (
            json!({"label": "Fine", "sessionLifetimeMinutes": 120}),
            "sessionLifetimeMinutes",
        ),
        (json!({"label": ""}), "label"),
    ];
    for (body, field) in refusals {
        assert_problem(&client.patch(&path, body).await, 422, field);
    }
    assert_eq!(
        dump_database(&db).await,
        before,
        "a refused change wrote something"
    );
    assert_eq!(client.ok(Method::GET, &path, None).await, again);
}

async fn contracts_are_changed_and_deactivated(db: TestDb) {
    let h = Harness::start(&db).await;
    let client = Client::demo(&h);
    shop_with_card_contract(&client).await;
    client
        .created(
            "/contracts",
            json!({"number": "VISA-WEB", "cardCode": "VISA", "pointOfSaleReference": "WEB-SHOP",
                   "status": "INACTIVE"}),
        )
        .await;
    let ancv = client
        .created(
            "/contracts",
            json!({"number": "ANCV-WEB", "cardCode": "ANCV_CONNECT",
                   "pointOfSaleReference": "WEB-SHOP", "shopId": "20000001",
                   "complementaryContracts": ["CB-WEB"]}),
        )
        .await;
    assert_eq!(
        ancv["label"], "ANCV-WEB",
        "the label defaults to the number"
    );
    assert_eq!(
        client.ok(Method::GET, "/contracts/VISA-WEB", None).await["status"],
        "INACTIVE"
    );
    a_deactivated_contract_takes_no_payment(&client).await;
    ancv_settings_change(&client, &ancv).await;
    let before = dump_database(&db).await;
    for (number, body, field) in refused_contract_changes() {
        let answer = client.patch(&format!("/contracts/{number}"), body).await;
        assert_problem(&answer, 422, field);
    }
    assert_eq!(
        dump_database(&db).await,
        before,
        "a refused change wrote something"
    );
}

/// CB-WEB deactivated can no longer take a payment; reactivated, it can again.
async fn a_deactivated_contract_takes_no_payment(client: &Client<'_>) {
    let (status, created) = client.session("WEB-SHOP", &["CB-WEB"]).await;
    assert_eq!(status, 201, "{created}");
    let inactive = client
        .ok(
            Method::PATCH,
            "/contracts/CB-WEB",
            Some(
                json!({"status": "INACTIVE", "number": "CB-WEB", "cardCode": "cb",
                        "currency": "EUR", "pointOfSaleReference": "WEB-SHOP"}),
            ),
        )
        .await;
    assert_eq!(inactive["status"], "INACTIVE");
    assert_eq!(inactive["label"], "Carte", "an absent field stays as it is");
    let refused = client.session("WEB-SHOP", &["CB-WEB"]).await;
    assert_eq!(refused.0, 400, "{}", refused.1);
    assert_eq!(refused.1["code"], "02303", "{}", refused.1);
    let active = client
        .ok(
            Method::PATCH,
            "/contracts/CB-WEB",
            Some(json!({"status": "ACTIVE", "label": "Carte bancaire",
                        "description": "Main acquirer"})),
        )
        .await;
    assert_eq!(active["status"], "ACTIVE");
    assert_eq!(active["label"], "Carte bancaire");
    assert_eq!(active["description"], "Main acquirer");
    let (status, created) = client.session("WEB-SHOP", &["CB-WEB"]).await;
    assert_eq!(status, 201, "{created}");
}

/// What may change on an ANCV contract: its Shop ID and its complementary contracts.
async fn ancv_settings_change(client: &Client<'_>, ancv: &Value) {
    let changed = client
        .ok(
            Method::PATCH,
            "/contracts/ANCV-WEB",
            Some(json!({"shopId": "30000002", "complementaryContracts": []})),
        )
        .await;
    assert_eq!(changed["shopId"], "30000002");
    assert_eq!(changed["complementaryContracts"], json!([]));
    assert_eq!(changed["createdAt"], ancv["createdAt"]);
    let changed = client
        .ok(
            Method::PATCH,
            "/contracts/ANCV-WEB",
            Some(json!({"complementaryContracts": ["CB-WEB"]})),
        )
        .await;
    assert_eq!(changed["complementaryContracts"], json!(["CB-WEB"]));
    assert_eq!(changed["shopId"], "30000002");
    assert_eq!(
        client.ok(Method::GET, "/contracts/ANCV-WEB", None).await,
        changed
    );
}

/// Changes that touch what may not change, or break the contract form's rules: the contract,
/// the body, the JSON field named.
fn refused_contract_changes() -> Vec<(&'static str, Value, &'static str)> {
    let complements = "complementaryContracts";
    vec![
        ("ANCV-WEB", json!({"number": "ANCV-2"}), "number"),
        ("ANCV-WEB", json!({"cardCode": "CB"}), "cardCode"),
        ("ANCV-WEB", json!({"currency": "USD"}), "currency"),
        (
            "ANCV-WEB",
            json!({"pointOfSaleReference": "DEMO-SHOP", "label": "moved"}),
            "pointOfSaleReference",
        ),
        ("ANCV-WEB", json!({"shopId": "abc"}), "shopId"),
        (
            "ANCV-WEB",
            json!({"label": "New", "complementaryContracts": ["VISA-WEB"]}),
            complements,
        ),
        ("ANCV-WEB", json!({complements: ["CB-DEMO"]}), complements),
        ("ANCV-WEB", json!({complements: ["ANCV-WEB"]}), complements),
        ("CB-WEB", json!({"shopId": "20000001"}), "shopId"),
        ("CB-WEB", json!({complements: ["VISA-WEB"]}), complements),
        (
            "CB-WEB",
            json!({"description": "d".repeat(256)}),
            "description",
        ),
    ]
}

async fn another_merchants_configuration_is_not_found(db: TestDb) {
    let h = Harness::start(&db).await;
    let clock: Arc<dyn Clock> = h.clock.clone();
    let config = MerchantConfig::new(h.store.clone(), clock, Arc::new(OsRandom))
        .await
        .unwrap();
    let (other, key) = config.create_merchant("Other shop").await.unwrap();
    let other = Client {
        h: &h,
        merchant: other.id.as_str().to_owned(),
        key: key.expose().to_owned(),
    };

    // The other merchant sees none of the demo merchant's configuration…
    assert_eq!(
        other.ok(Method::GET, "/points-of-sale", None).await,
        json!({"pointsOfSale": []})
    );
    assert_eq!(
        other.ok(Method::GET, "/contracts", None).await,
        json!({"contracts": []})
    );
    assert_eq!(other.get("/points-of-sale/DEMO-SHOP").await.0, 404);
    assert_eq!(other.get("/contracts/CB-DEMO").await.0, 404);
    let before = dump_database(&db).await;
    let deactivate = json!({"status": "INACTIVE"});
    assert_eq!(other.patch("/contracts/CB-DEMO", deactivate).await.0, 404);
    let relabel = json!({"label": "Mine"});
    assert_eq!(
        other.patch("/points-of-sale/DEMO-SHOP", relabel).await.0,
        404
    );
    let under_demo_shop =
        json!({"number": "CB-X", "cardCode": "CB", "pointOfSaleReference": "DEMO-SHOP"});
    assert_problem(
        &other.post("/contracts", under_demo_shop).await,
        422,
        "pointOfSaleReference",
    );
    assert_eq!(dump_database(&db).await, before);
    the_same_names_are_anothers_own(&Client::demo(&h), &other).await;

    let stranger = Client {
        h: &h,
        merchant: "999999".to_owned(),
        key: "wrong".to_owned(),
    };
    assert_eq!(stranger.get("/contracts").await.0, 401);
}

/// `other` gets its own DEMO-SHOP and CB-DEMO without touching the demo merchant's.
async fn the_same_names_are_anothers_own(demo: &Client<'_>, other: &Client<'_>) {
    other
        .created(
            "/points-of-sale",
            json!({"reference": "DEMO-SHOP", "label": "Theirs"}),
        )
        .await;
    let theirs = other
        .created(
            "/contracts",
            json!({"number": "CB-DEMO", "cardCode": "VISA", "pointOfSaleReference": "DEMO-SHOP",
                   "status": "INACTIVE"}),
        )
        .await;
    assert_eq!(theirs["cardCode"], "VISA");
    let ours = demo.ok(Method::GET, "/contracts/CB-DEMO", None).await;
    assert_eq!(ours["cardCode"], "CB");
    assert_eq!(ours["status"], "ACTIVE");
    let shop = demo
        .ok(Method::GET, "/points-of-sale/DEMO-SHOP", None)
        .await;
    assert_eq!(shop["label"], "Demo shop");
}

/// Bodies whose shape is wrong: the call, the body, the JSON field named.
fn wrong_types() -> Vec<(Method, &'static str, Value, &'static str)> {
    let minutes = "sessionLifetimeMinutes";
    let card = |key: &str, value: Value| {
        let mut body =
            json!({"number": "CB-9", "cardCode": "CB", "pointOfSaleReference": "DEMO-SHOP"});
        body[key] = value;
        body
    };
    vec![
        (
            Method::POST,
            "/points-of-sale",
            json!({"label": "Shop", minutes: "thirty"}),
            minutes,
        ),
        (
            Method::POST,
            "/points-of-sale",
            json!({"label": "Shop", "widgetDataUpdates": "yes"}),
            "widgetDataUpdates",
        ),
        (
            Method::POST,
            "/points-of-sale",
            json!({"label": 12}),
            "label",
        ),
        (
            Method::POST,
            "/contracts",
            card("complementaryContracts", json!("CB-DEMO")),
            "complementaryContracts",
        ),
        (
            Method::POST,
            "/contracts",
            card("status", json!("PAUSED")),
            "status",
        ),
        (
            Method::PATCH,
            "/contracts/CB-DEMO",
            json!({"status": true}),
            "status",
        ),
        (
            Method::PATCH,
            "/points-of-sale/DEMO-SHOP",
            json!({minutes: 20.5}),
            minutes,
        ),
    ]
}

async fn wrong_types_and_unknown_targets(db: TestDb) {
    let h = Harness::start(&db).await;
    let client = Client::demo(&h);
    let before = dump_database(&db).await;
    for (method, path, body, field) in wrong_types() {
        let answer = client.call(method, path, Some(&body)).await;
        assert_problem(&answer, 400, field);
    }
    assert_eq!(client.post("/contracts", json!("CB-9")).await.0, 400);

    for (path, body) in [
        ("/contracts/CB-NONE", json!({"label": "x"})),
        ("/contracts/not%20a%20number", json!({"label": "x"})),
        ("/points-of-sale/NOPE", json!({"label": "x"})),
    ] {
        let (status, problem) = client.patch(path, body).await;
        assert_eq!(status, 404, "{path}: {problem}");
        assert_eq!(problem["status"], 404);
        let (status, _) = client.get(path).await;
        assert_eq!(status, 404, "{path}");
    }
    let delete = client
        .call(Method::DELETE, "/contracts/CB-DEMO", None)
        .await;
    assert_eq!(delete.0, 405);
    assert_eq!(dump_database(&db).await, before);
}
