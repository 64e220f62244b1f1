//! The ANCV sandbox over real loopback HTTP, driven by cvgate's connector, on SQLite and
//! PostgreSQL. Time moves only through the manual clock; timed work runs through the job worker.

mod common;

use ancv::ErrorCode;
use ancv::TransactionState as S;
use ancv::seal::Operation;
use ancv::wire::{Amount, Envelope};
use ancv::{AncvError, SealKey};
use ancv_sandbox::{DeliveryStatus, Faults};
use common::*;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use testkit::{TestDb, dump_database};

testkit::backend_suite![
    full_validation,
    partial_validation_up_to_the_balance,
    decline,
    expiry,
    blocked_account_is_rejected,
    unknown_beneficiary,
    malformed_beneficiary_id,
    second_pending_request,
    wrong_shop_id,
    wrong_service_provider,
    wrong_currency,
    amount_below_2000,
    payer_amount_must_equal_order_amount,
    wrong_seal,
    wrong_key_version,
    key_rotation,
    deferred_capture_validates_at_the_capture_date,
    cancellation_from_each_allowed_state,
    cancellation_refused_in_every_other_state,
    repeated_create_returns_the_same_transaction,
    admin_beneficiary_validates_at_most_min_balance_amount,
    admin_api_names_every_bad_field,
    notifications_are_sealed_and_retried_with_backoff,
    notification_faults_drop_duplicate_delay,
    error_rate_and_latency_faults,
    timeout_after_commit_does_the_operation,
    auto_behaviours_of_the_published_beneficiaries,
    beneficiary_app_lists_and_guards_requests,
    malformed_bodies_and_paths,
    seeding_is_idempotent,
    rejection_after_authorization_gives_the_vouchers_back_once,
    rejection_refused_in_every_other_state,
    transactions_of_a_beneficiary_and_of_a_shop,
    faults_set_through_one_instance_apply_to_all,
];

async fn full_validation(db: TestDb) {
    let h = Harness::start(db).await;
    let created = h.create("pay-full", 5_000).await;
    assert_eq!(created.state, S::Initialized);
    assert_eq!(created.id.len(), 10);
    assert!(
        created
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    );
    assert_eq!(
        created.expiration_date.as_deref(),
        Some(START.plus_millis(WINDOW_MS).to_rfc3339().as_str())
    );
    assert!(created.payers.is_empty());

    let pending = h
        .client
        .attach_payer(&created.id, "10000000001", Amount::eur(5_000))
        .await
        .unwrap();
    assert_eq!(pending.state, S::Processing);
    h.run_jobs().await;
    assert!(
        h.receiver.received().is_empty(),
        "PROCESSING is not notified"
    );

    let (status, outcome) = h.app_validate(&created.id, CODE, None).await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["state"], "VALIDATED");
    assert_eq!(outcome["validatedAmount"], 5_000);
    assert_eq!(outcome["balance"], 25_000);

    let validated = h.client.status(&created.id).await.unwrap();
    assert_eq!(validated.state, S::Validated);
    assert_eq!(validated.validated_amount(), Some(5_000));
    assert_eq!(validated.payers[0].beneficiary_id, "10000000001");
    let authorization = validated.first_authorization().unwrap();
    assert_eq!(authorization.kind, "CVCo");
    assert_eq!(authorization.holder.as_deref(), Some("10*****0001"));
    assert_eq!(
        authorization.validation_date.as_deref(),
        Some(START.to_rfc3339().as_str())
    );
    assert_eq!(authorization.number.len(), 12);
    assert_eq!(h.balance("camille.martin@example.com").await, 25_000);

    h.run_jobs().await;
    assert_eq!(
        h.receiver.states(),
        [pair("/notify", "AUTHORIZED"), pair("/notify", "VALIDATED")]
    );
    for notification in h.receiver.received() {
        assert!(notification.seal_verifies_with(notification_key()));
        assert_eq!(
            notification.content_type.as_deref(),
            Some("application/json")
        );
        let envelope: Envelope = serde_json::from_value(notification.body.clone()).unwrap();
        assert_eq!(envelope.transaction.id, created.id);
    }
    // Each notification carries the state it announces, and AUTHORIZED already has the amount.
    assert_eq!(
        h.receiver.received()[0].body["transaction"]["payers"][0]["authorizations"][0]["amount"]["total"],
        5_000
    );
}

async fn partial_validation_up_to_the_balance(db: TestDb) {
    let h = Harness::start(db).await;
    // Named by e-mail, in another case: the payer keeps the name the merchant gave.
    let pending = h
        .pending("pay-partial", 40_000, "Camille.Martin@example.com")
        .await;
    let (status, error) = h.app_validate(&pending.id, CODE, None).await;
    assert_eq!(status, 400);
    assert_eq!(error["errorCode"], "INVALID_TRANSACTION_AMOUNT");
    let (status, error) = h.app_validate(&pending.id, CODE, Some(30_001)).await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (400, Some("INVALID_TRANSACTION_AMOUNT"))
    );
    let (status, error) = h.app_validate(&pending.id, CODE, Some(0)).await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(h.state(&pending.id).await, S::Processing);

    let (status, outcome) = h.app_validate(&pending.id, CODE, Some(30_000)).await;
    assert_eq!(status, 200, "{outcome}");
    let validated = h.client.status(&pending.id).await.unwrap();
    assert_eq!(validated.state, S::Validated);
    assert_eq!(validated.validated_amount(), Some(30_000));
    assert_eq!(validated.order.amount.total, 40_000);
    assert_eq!(
        validated.payers[0].beneficiary_id,
        "Camille.Martin@example.com"
    );
    assert_eq!(h.balance("10000000001").await, 0);
}

async fn decline(db: TestDb) {
    let h = Harness::start(db).await;
    let created = h.create_raw(h.create_body("pay-decline", 5_000)).await;
    h.client
        .attach_payer(&created.id, "10000000001", Amount::eur(5_000))
        .await
        .unwrap();
    let (status, error) = h.app_decline(&created.id, "9999").await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (403, Some("INVALID_SECRET_CODE"))
    );
    assert_eq!(h.state(&created.id).await, S::Processing);

    let (status, outcome) = h.app_decline(&created.id, CODE).await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["state"], "ABORTED");
    assert_eq!(h.state(&created.id).await, S::Aborted);
    h.run_jobs().await;
    assert_eq!(h.receiver.states(), [pair("/cancel", "ABORTED")]);
    assert_eq!(h.balance("10000000001").await, 30_000);
    let (status, error) = h.app_decline(&created.id, CODE).await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (409, Some("OPERATION_TRANSACTION_NOT_ALLOWED"))
    );
}

async fn expiry(db: TestDb) {
    let h = Harness::start(db).await;
    let processing = h.create_raw(h.create_body("pay-exp-a", 5_000)).await;
    h.client
        .attach_payer(&processing.id, "10000000001", Amount::eur(5_000))
        .await
        .unwrap();
    let initialized = h.create_raw(h.create_body("pay-exp-b", 5_000)).await;

    h.advance(WINDOW_MS - 1).await;
    assert_eq!(h.state(&processing.id).await, S::Processing);
    assert!(h.receiver.received().is_empty());

    h.clock.advance_millis(1);
    // Read before any job ran: the window has elapsed, so the read sees (and records) EXPIRED.
    assert_eq!(h.state(&processing.id).await, S::Expired);
    // The other is expired by its scheduled job, without anyone asking for it.
    h.run_jobs().await;
    assert_eq!(
        h.receiver.states_of(&processing.id),
        [pair("/cancel", "EXPIRED")]
    );
    assert_eq!(
        h.receiver.states_of(&initialized.id),
        [pair("/cancel", "EXPIRED")]
    );
    assert_eq!(h.state(&initialized.id).await, S::Expired);
    let (status, error) = h.app_validate(&processing.id, CODE, None).await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (409, Some("OPERATION_TRANSACTION_NOT_ALLOWED"))
    );
    let code = refusal(
        h.client
            .attach_payer(&initialized.id, "10000000001", Amount::eur(5_000))
            .await,
    );
    assert_eq!(code, ErrorCode::OperationTransactionNotAllowed);
}

async fn blocked_account_is_rejected(db: TestDb) {
    let h = Harness::start(db).await;
    let created = h.create_raw(h.create_body("pay-blocked", 5_000)).await;
    let rejected = h
        .client
        .attach_payer(&created.id, "blocked@example.com", Amount::eur(5_000))
        .await
        .unwrap();
    assert_eq!(rejected.state, S::Rejected);
    assert_eq!(rejected.payers[0].beneficiary_id, "blocked@example.com");
    assert!(rejected.first_authorization().is_none());
    h.run_jobs().await;
    assert_eq!(h.receiver.states(), [pair("/cancel", "REJECTED")]);
    assert_eq!(h.state(&created.id).await, S::Rejected);
}

async fn unknown_beneficiary(db: TestDb) {
    let h = Harness::start(db).await;
    let created = h.create("pay-unknown", 5_000).await;
    for unknown in ["19999999999", "nobody@example.com"] {
        let code = refusal(
            h.client
                .attach_payer(&created.id, unknown, Amount::eur(5_000))
                .await,
        );
        assert_eq!(code, ErrorCode::BeneficiaryNotFound, "{unknown}");
    }
    let body = json!({"payer": {"beneficiaryId": "19999999999", "amount": {"total": 5000, "currency": 978}},
                      "requestDate": START.to_rfc3339()});
    let path = format!("/payment-transactions/{}/payer/", created.id);
    let (status, error) = h
        .sealed(
            Method::POST,
            &path,
            Operation::Payer { id: &created.id },
            Some(body),
        )
        .await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (404, Some("BENEFICIARY_NOT_FOUND"))
    );
    assert_eq!(h.state(&created.id).await, S::Initialized);
}

async fn malformed_beneficiary_id(db: TestDb) {
    let h = Harness::start(db).await;
    let created = h.create("pay-malformed", 5_000).await;
    for malformed in [
        "12345",
        "1000000000a",
        "100000000011",
        "not-an-email",
        "@example.com",
    ] {
        let outcome = h
            .client
            .attach_payer(&created.id, malformed, Amount::eur(5_000))
            .await;
        match outcome {
            Err(AncvError::Refused { code, message, .. }) => {
                assert_eq!(code, ErrorCode::BadRequest, "{malformed}");
                assert!(message.contains("payer.beneficiaryId"), "{message}");
            }
            other => panic!("{malformed}: {other:?}"),
        }
    }
    assert_eq!(h.state(&created.id).await, S::Initialized);
}

async fn second_pending_request(db: TestDb) {
    let h = Harness::start(db).await;
    let first = h.pending("pay-first", 5_000, "10000000001").await;
    let second = h.create("pay-second", 6_000).await;
    for name in ["10000000001", "camille.martin@example.com"] {
        let code = refusal(
            h.client
                .attach_payer(&second.id, name, Amount::eur(6_000))
                .await,
        );
        assert_eq!(code, ErrorCode::OtherTransactionPending, "{name}");
    }
    let (status, body) = h
        .sealed(
            Method::POST,
            &format!("/payment-transactions/{}/payer/", second.id),
            Operation::Payer { id: &second.id },
            Some(json!({"payer": {"beneficiaryId": "10000000001", "amount": {"total": 6000, "currency": 978}},
                        "requestDate": START.to_rfc3339()})),
        )
        .await;
    assert_eq!(
        (status, body["errorCode"].as_str()),
        (409, Some("OTHER_TRANSACTION_PENDING"))
    );
    // Once the first is answered, the second may go.
    h.app_decline(&first.id, CODE).await;
    h.client
        .attach_payer(&second.id, "10000000001", Amount::eur(6_000))
        .await
        .unwrap();

    // A pending request whose window has elapsed does not block, even before its job ran.
    h.clock.advance_millis(WINDOW_MS);
    let third = h.create("pay-third", 7_000).await;
    h.client
        .attach_payer(&third.id, "10000000001", Amount::eur(7_000))
        .await
        .unwrap();
    assert_eq!(h.state(&second.id).await, S::Expired);

    // Concurrent attaches for one beneficiary: exactly one wins (the partial unique index holds).
    let a = h.create("pay-race-a", 5_000).await;
    let b = h.create("pay-race-b", 5_000).await;
    let (ra, rb) = tokio::join!(
        h.client
            .attach_payer(&a.id, "10000000002", Amount::eur(5_000)),
        h.client
            .attach_payer(&b.id, "10000000002", Amount::eur(5_000)),
    );
    let outcomes = [ra, rb];
    let winners = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(winners, 1, "{outcomes:?}");
    for outcome in outcomes {
        if let Err(error) = outcome {
            assert_eq!(error.partner_code(), "OTHER_TRANSACTION_PENDING");
        }
    }
}

async fn wrong_shop_id(db: TestDb) {
    let h = Harness::start(db).await;
    let mut order = h.order("pay-shop", 5_000);
    order.shop_id = "29999999".into();
    assert_eq!(
        refusal(h.client.create(&order).await),
        ErrorCode::MerchantNotAllowed
    );
    let mut body = h.create_body("pay-shop", 5_000);
    body["merchant"]["shopId"] = json!(29999999);
    let (status, error) = h
        .sealed(
            Method::POST,
            "/payment-transactions/",
            Operation::Create,
            Some(body),
        )
        .await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (403, Some("MERCHANT_NOT_ALLOWED"))
    );
    // The shop is unknown even with another error in the order: the merchant is checked first.
    let mut wrong_currency = h.order("pay-shop", 5_000);
    wrong_currency.shop_id = "29999999".into();
    wrong_currency.amount = Amount {
        total: 5_000,
        currency: 840,
    };
    assert_eq!(
        refusal(h.client.create(&wrong_currency).await),
        ErrorCode::MerchantNotAllowed
    );
    let (status, added) = h
        .call(
            Method::POST,
            "/admin/shops",
            Some(json!({"shopId": "29999999"})),
        )
        .await;
    assert_eq!((status, &added["created"]), (201, &json!(true)));
    let (status, _) = h
        .call(
            Method::POST,
            "/admin/shops",
            Some(json!({"shopId": 29999999})),
        )
        .await;
    assert_eq!(status, 200, "adding a known shop again changes nothing");
    assert_eq!(h.client.create(&order).await.unwrap().state, S::Initialized);
}

async fn wrong_service_provider(db: TestDb) {
    let h = Harness::start(db).await;
    let other = h.client_with("900002", api_key());
    assert_eq!(
        refusal(other.create(&h.order("pay-sp", 5_000)).await),
        ErrorCode::MerchantNotAllowed
    );
}

async fn wrong_currency(db: TestDb) {
    let h = Harness::start(db).await;
    let mut order = h.order("pay-usd", 5_000);
    order.amount = Amount {
        total: 5_000,
        currency: 840,
    };
    assert_eq!(
        refusal(h.client.create(&order).await),
        ErrorCode::InvalidTransactionCurrency
    );
    let created = h.create("pay-eur", 5_000).await;
    let usd = Amount {
        total: 5_000,
        currency: 840,
    };
    assert_eq!(
        refusal(h.client.attach_payer(&created.id, "10000000001", usd).await),
        ErrorCode::InvalidTransactionCurrency
    );
    let mut body = h.create_body("pay-usd", 5_000);
    body["order"]["amount"]["currency"] = json!("840");
    let (status, error) = h
        .sealed(
            Method::POST,
            "/payment-transactions/",
            Operation::Create,
            Some(body),
        )
        .await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (400, Some("INVALID_TRANSACTION_CURRENCY"))
    );
}

async fn amount_below_2000(db: TestDb) {
    let h = Harness::start(db).await;
    assert_eq!(
        refusal(h.client.create(&h.order("pay-small", 1_999)).await),
        ErrorCode::InvalidTransactionAmount
    );
    let (status, error) = h
        .sealed(
            Method::POST,
            "/payment-transactions/",
            Operation::Create,
            Some(h.create_body("pay-small", 1_999)),
        )
        .await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (400, Some("INVALID_TRANSACTION_AMOUNT"))
    );
    assert_eq!(h.create("pay-small", 2_000).await.state, S::Initialized);
}

async fn payer_amount_must_equal_order_amount(db: TestDb) {
    let h = Harness::start(db).await;
    let created = h.create("pay-amounts", 5_000).await;
    for amount in [4_000, 6_000] {
        assert_eq!(
            refusal(
                h.client
                    .attach_payer(&created.id, "10000000001", Amount::eur(amount))
                    .await
            ),
            ErrorCode::InvalidTransactionAmount
        );
    }
    let pending = h
        .client
        .attach_payer(&created.id, "10000000001", Amount::eur(5_000))
        .await
        .unwrap();
    assert_eq!(pending.payers[0].amount, Amount::eur(5_000));
}

async fn wrong_seal(db: TestDb) {
    let h = Harness::start(db).await;
    let created = h.create("pay-seal", 5_000).await;
    let forger = h.client_with(SP, SealKey::new("ver001", "not-the-key").unwrap());
    assert_eq!(
        refusal(forger.create(&h.order("pay-forged", 5_000)).await),
        ErrorCode::InvalidSeal
    );
    assert_eq!(
        refusal(forger.status(&created.id).await),
        ErrorCode::InvalidSeal
    );
    assert_eq!(
        refusal(
            forger
                .attach_payer(&created.id, "10000000001", Amount::eur(5_000))
                .await
        ),
        ErrorCode::InvalidSeal
    );
    assert_eq!(
        refusal(forger.cancel(&created.id).await),
        ErrorCode::InvalidSeal
    );

    let path = format!("/payment-transactions/{}/", created.id);
    let good = api_key().seal(&Operation::Status { id: &created.id }.fields(&Value::Null));
    for header in [None, Some("garbage"), Some("HmacSHA256.ver001.@@@")] {
        let (status, error) = h.raw(Method::GET, &path, None, header).await;
        assert_eq!(
            (status, error["errorCode"].as_str()),
            (401, Some("INVALID_SEAL")),
            "{header:?}"
        );
    }
    // A seal over other values (here: another amount) does not verify.
    let body = h.create_body("pay-tampered", 5_000);
    let mut signed = body.clone();
    signed["order"]["amount"]["total"] = json!(2_000);
    let seal = api_key().seal(&Operation::Create.fields(&signed));
    let (status, error) = h
        .raw(
            Method::POST,
            "/payment-transactions/",
            Some(serde_json::to_vec(&body).unwrap()),
            Some(&seal),
        )
        .await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (401, Some("INVALID_SEAL"))
    );
    let (status, _) = h.raw(Method::GET, &path, None, Some(&good)).await;
    assert_eq!(status, 200);
    // Nothing was created by the refused calls.
    let dump = dump_database(&h.db).await;
    assert!(!dump.contains("pay-forged") && !dump.contains("pay-tampered"));
}

async fn wrong_key_version(db: TestDb) {
    let h = Harness::start(db).await;
    let renamed = h.client_with(SP, SealKey::new("ver002", SEAL_KEY).unwrap());
    match renamed.create(&h.order("pay-version", 5_000)).await {
        Err(AncvError::Refused { code, message, .. }) => {
            assert_eq!(code, ErrorCode::InvalidSeal);
            assert!(message.contains("ver002"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

async fn key_rotation(db: TestDb) {
    let old = SealKey::new("ver001", "old-sandbox-key").unwrap();
    let new = SealKey::new("ver002", "new-sandbox-key").unwrap();
    let keys = vec![old.clone(), new.clone()];
    let h = Harness::start_with(db, move |config| config.seal_keys = keys).await;
    let old_client = h.client_with(SP, old);
    let new_client = h.client_with(SP, new);
    let created = old_client
        .create(&h.order("pay-rotate", 5_000))
        .await
        .unwrap();
    assert_eq!(new_client.status(&created.id).await.unwrap().id, created.id);
    new_client
        .attach_payer(&created.id, "10000000001", Amount::eur(5_000))
        .await
        .unwrap();
    assert_eq!(
        old_client.status(&created.id).await.unwrap().state,
        S::Processing
    );
    let retired = h.client_with(SP, SealKey::new("ver000", "old-sandbox-key").unwrap());
    assert_eq!(
        refusal(retired.status(&created.id).await),
        ErrorCode::InvalidSeal
    );
}

/// A DEFERRED capture stays AUTHORIZED until its captureDate (the connector only sends NORMAL,
/// so this one is created with a raw sealed call).
async fn deferred(h: &Harness, payment_id: &str, capture_in_ms: i64) -> String {
    let mut body = h.create_body(payment_id, 5_000);
    body["paymentMethod"] = json!({
        "tspdMode": "001", "captureMode": "DEFERRED",
        "captureDate": START.plus_millis(capture_in_ms).to_rfc3339(),
    });
    let created = h.create_raw(body).await;
    h.client
        .attach_payer(&created.id, "10000000001", Amount::eur(5_000))
        .await
        .unwrap();
    let (status, outcome) = h.app_validate(&created.id, CODE, Some(3_000)).await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["state"], "AUTHORIZED");
    created.id
}

async fn deferred_capture_validates_at_the_capture_date(db: TestDb) {
    let h = Harness::start(db).await;
    let day = 86_400_000;
    let id = deferred(&h, "pay-deferred", day).await;
    let authorized = h.client.status(&id).await.unwrap();
    assert_eq!(authorized.state, S::Authorized);
    assert_eq!(authorized.validated_amount(), Some(3_000));
    h.advance(day - 1).await;
    assert_eq!(h.state(&id).await, S::Authorized);
    // Settlement does not touch it before its capture date.
    assert!(h.sandbox.settle().await.unwrap().is_empty());
    h.advance(1).await;
    assert_eq!(
        h.receiver.states_of(&id),
        [pair("/return", "AUTHORIZED"), pair("/return", "VALIDATED")]
    );
    assert_eq!(h.state(&id).await, S::Validated);
}

async fn cancellation_from_each_allowed_state(db: TestDb) {
    let h = Harness::start(db).await;
    let authorized = deferred(&h, "pay-c-auth", 86_400_000).await;
    let consigned = h.validated("pay-c-cons", 4_500).await.id;
    // Settlement stopped at CONSIGNED, to have a transaction rest there.
    let (status, settled) = h
        .call(
            Method::POST,
            "/admin/settle",
            Some(json!({"until": "CONSIGNED"})),
        )
        .await;
    assert_eq!(status, 200, "{settled}");
    assert_eq!(
        settled["settled"],
        json!([{"transactionId": consigned, "shopId": SHOP, "paymentId": "pay-c-cons", "amount": 4500,
                "states": ["CONSIGNED"]}])
    );
    let validated = h.validated("pay-c-val", 4_000).await.id;
    let paid = h.validated("pay-c-paid", 5_500).await.id;
    assert_eq!(
        h.balance("10000000001").await,
        30_000 - 3_000 - 4_500 - 4_000 - 5_500
    );

    for (id, state, amount) in [
        (&authorized, S::Authorized, 3_000),
        (&validated, S::Validated, 4_000),
        (&consigned, S::Consigned, 4_500),
    ] {
        assert_eq!(h.state(id).await, state);
        let before = h.balance("10000000001").await;
        let cancelled = h.client.cancel(id).await.unwrap();
        assert_eq!(cancelled.state, S::Cancelled, "from {state}");
        assert_eq!(
            h.balance("10000000001").await,
            before + amount,
            "from {state}"
        );
        assert_eq!(
            refusal(h.client.cancel(id).await),
            ErrorCode::OperationTransactionNotAllowed,
            "a second cancellation from {state}"
        );
    }

    let settled = h.sandbox.settle().await.unwrap();
    assert_eq!(settled.len(), 1, "{settled:?}");
    assert_eq!(settled[0].transaction_id, paid);
    assert_eq!(settled[0].states, [S::Consigned, S::Paid]);
    assert_eq!(h.state(&paid).await, S::Paid);
    assert_eq!(h.client.cancel(&paid).await.unwrap().state, S::Cancelled);
    assert_eq!(
        refusal(h.client.cancel(&paid).await),
        ErrorCode::OperationTransactionNotAllowed
    );
    assert_eq!(
        h.balance("10000000001").await,
        30_000,
        "everything given back, once"
    );

    h.run_jobs().await;
    assert_eq!(
        h.receiver.states_of(&authorized),
        [pair("/return", "AUTHORIZED"), pair("/return", "CANCELLED")]
    );
    assert_eq!(
        h.receiver.states_of(&paid),
        [
            pair("/notify", "AUTHORIZED"),
            pair("/notify", "VALIDATED"),
            pair("/notify", "CONSIGNED"),
            pair("/notify", "PAID"),
            pair("/notify", "CANCELLED"),
        ]
    );
    // The deferred capture date passing changes nothing for a cancelled transaction.
    h.advance(86_400_000).await;
    assert_eq!(h.state(&authorized).await, S::Cancelled);
}

async fn cancellation_refused_in_every_other_state(db: TestDb) {
    let h = Harness::start(db).await;
    let not_allowed = |outcome| {
        assert_eq!(refusal(outcome), ErrorCode::OperationTransactionNotAllowed);
    };
    let initialized = h.create("pay-r-init", 5_000).await.id;
    not_allowed(h.client.cancel(&initialized).await);
    let (status, error) = h
        .sealed(
            Method::POST,
            &format!("/payment-transactions/{initialized}/cancellation/"),
            Operation::Cancellation { id: &initialized },
            Some(json!({"reason": "OTHER", "requestDate": START.to_rfc3339()})),
        )
        .await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (409, Some("OPERATION_TRANSACTION_NOT_ALLOWED"))
    );

    let processing = h.pending("pay-r-proc", 5_000, "10000000001").await.id;
    not_allowed(h.client.cancel(&processing).await);
    h.app_decline(&processing, CODE).await;
    assert_eq!(h.state(&processing).await, S::Aborted);
    not_allowed(h.client.cancel(&processing).await);

    let rejected = h.create("pay-r-rej", 5_000).await.id;
    h.client
        .attach_payer(&rejected, "10000000006", Amount::eur(5_000))
        .await
        .unwrap();
    not_allowed(h.client.cancel(&rejected).await);

    let cancelled = h.validated("pay-r-can", 5_000).await.id;
    h.client.cancel(&cancelled).await.unwrap();
    not_allowed(h.client.cancel(&cancelled).await);

    h.clock.advance_millis(WINDOW_MS);
    not_allowed(h.client.cancel(&initialized).await);
    assert_eq!(h.state(&initialized).await, S::Expired);

    assert_eq!(
        refusal(h.client.cancel("zzzzzzzzzz").await),
        ErrorCode::TransactionNotFound
    );
    // Nothing was refunded by the refused cancellations.
    assert_eq!(h.balance("10000000001").await, 30_000);
}

async fn repeated_create_returns_the_same_transaction(db: TestDb) {
    let h = Harness::start(db).await;
    let first = h.create("pay-same", 5_000).await;
    let again = h.create("pay-same", 5_000).await;
    assert_eq!(again.id, first.id);
    let (status, answer) = h
        .sealed(
            Method::POST,
            "/payment-transactions/",
            Operation::Create,
            Some(h.create_body("pay-same", 5_000)),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(answer["transaction"]["id"], first.id);

    // After it moved on, the repeat returns it as it is now.
    h.client
        .attach_payer(&first.id, "10000000001", Amount::eur(5_000))
        .await
        .unwrap();
    let later = h.create("pay-same", 5_000).await;
    assert_eq!(
        (later.id.as_str(), later.state),
        (first.id.as_str(), S::Processing)
    );

    let other = h.create("pay-other", 5_000).await;
    assert_ne!(other.id, first.id);
    h.sandbox.add_shop("20000002").await.unwrap();
    let mut elsewhere = h.order("pay-same", 5_000);
    elsewhere.shop_id = "20000002".into();
    let elsewhere = h.client.create(&elsewhere).await.unwrap();
    assert_ne!(elsewhere.id, first.id);

    // Concurrent repeats (a connector reconciling while the first answer is in flight).
    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let (client, order) = (h.client.clone(), h.order("pay-race", 5_000));
            tokio::spawn(async move { client.create(&order).await })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap().unwrap().id);
    }
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");

    let dump = dump_database(&h.db).await;
    let rows = dump
        .to_string()
        .lines()
        .filter(|line| line.starts_with("sandbox_ancv_transactions:"))
        .count();
    assert_eq!(rows, 4, "{dump}");
}

async fn admin_beneficiary_validates_at_most_min_balance_amount(db: TestDb) {
    let h = Harness::start(db).await;
    let secret = "975310";
    let (status, view) = h
        .call(
            Method::POST,
            "/admin/beneficiaries",
            Some(
                json!({"beneficiaryId": "12345678901", "email": "Dom@Example.org", "balance": 5_000,
                        "secretCode": secret}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{view}");
    assert_eq!(
        view,
        json!({"beneficiaryId": "12345678901", "email": "dom@example.org", "balance": 5000, "behaviour": "manual"})
    );
    let pending = h.pending("pay-admin", 8_000, "dom@example.org").await;
    assert_eq!(
        h.app_validate(&pending.id, CODE, None).await.0,
        403,
        "the published code is not this beneficiary's"
    );
    assert_eq!(h.app_validate(&pending.id, secret, None).await.0, 400);
    assert_eq!(
        h.app_validate(&pending.id, secret, Some(5_001)).await.0,
        400
    );
    let (status, outcome) = h.app_validate(&pending.id, secret, Some(5_000)).await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["balance"], 0);
    let validated = h.client.status(&pending.id).await.unwrap();
    assert_eq!(validated.validated_amount(), Some(5_000));
    assert_eq!(
        validated.first_authorization().unwrap().holder.as_deref(),
        Some("12*****8901")
    );

    h.client.cancel(&pending.id).await.unwrap();
    let (status, view) = h
        .call(Method::GET, "/admin/beneficiaries/12345678901", None)
        .await;
    assert_eq!((status, &view["balance"]), (200, &json!(5_000)));

    // A beneficiary whose balance exceeds the amount validates at most the amount.
    h.sandbox
        .add_beneficiary(&ancv_sandbox::NewBeneficiary {
            beneficiary_id: "12345678902".into(),
            email: "rich@example.org".into(),
            balance: 1_000_000,
            secret_code: secret.into(),
            behaviour: ancv_sandbox::Behaviour::Manual,
        })
        .await
        .unwrap();
    let rich = h.pending("pay-rich", 8_000, "12345678902").await;
    assert_eq!(h.app_validate(&rich.id, secret, Some(8_001)).await.0, 400);
    assert_eq!(h.app_validate(&rich.id, secret, None).await.0, 200);
    assert_eq!(h.balance("12345678902").await, 1_000_000 - 8_000);

    let dump = dump_database(&h.db).await;
    assert!(dump.contains("12345678901"));
    assert!(!dump.contains_secret(secret), "secret code stored in clear");
    assert!(!dump.contains_secret(&format!("\"{CODE}\"")));
}

async fn admin_api_names_every_bad_field(db: TestDb) {
    let h = Harness::start(db).await;
    bad_beneficiary_fields_are_named(&h).await;
    a_taken_id_or_email_is_a_conflict(&h).await;
    other_bad_admin_inputs_are_named(&h).await;
}

/// A valid body for `POST /admin/beneficiaries`.
fn valid_beneficiary() -> Value {
    json!({"beneficiaryId": "12345678901", "email": "a@example.org", "balance": 0, "secretCode": "1234"})
}

/// The valid beneficiary with `key` set to `value`.
fn beneficiary_with(key: &str, value: Value) -> Value {
    let mut body = valid_beneficiary();
    body[key] = value;
    body
}

/// The valid beneficiary without `key`.
fn beneficiary_without(key: &str) -> Value {
    let mut body = valid_beneficiary();
    body.as_object_mut().unwrap().remove(key);
    body
}

/// Each wrong, unknown or missing field of a beneficiary: BAD_REQUEST naming it.
async fn bad_beneficiary_fields_are_named(h: &Harness) {
    let with = beneficiary_with;
    let without = beneficiary_without;
    let cases = [
        (with("beneficiaryId", json!("123")), "beneficiaryId"),
        (with("beneficiaryId", json!(true)), "beneficiaryId"),
        (with("email", json!("not-an-email")), "email"),
        (with("balance", json!(-1)), "balance"),
        (with("balance", json!("10")), "balance"),
        (with("balance", json!(1.5)), "balance"),
        (with("secretCode", json!("12")), "secretCode"),
        (with("secretCode", json!(1234)), "secretCode"),
        (with("behaviour", json!("sometimes")), "behaviour"),
        (with("balanse", json!(1)), "balanse"),
        (without("email"), "email"),
        (without("secretCode"), "secretCode"),
    ];
    for (body, field) in cases {
        let (status, error) = h
            .call(Method::POST, "/admin/beneficiaries", Some(body.clone()))
            .await;
        assert_eq!(status, 400, "{body}: {error}");
        assert_eq!(error["errorCode"], "BAD_REQUEST");
        assert_eq!(error["field"], field, "{body}: {error}");
        assert!(error["errorMessage"].as_str().unwrap().starts_with(field));
    }
}

/// Created once (201); the same id, or the same e-mail under another id, is a 409 naming it.
async fn a_taken_id_or_email_is_a_conflict(h: &Harness) {
    let (status, error) = h
        .call(
            Method::POST,
            "/admin/beneficiaries",
            Some(beneficiary_with("behaviour", json!("auto_full"))),
        )
        .await;
    assert_eq!(status, 201, "{error}");
    let (status, error) = h
        .call(
            Method::POST,
            "/admin/beneficiaries",
            Some(valid_beneficiary()),
        )
        .await;
    assert_eq!((status, &error["field"]), (409, &json!("beneficiaryId")));
    let (status, error) = h
        .call(
            Method::POST,
            "/admin/beneficiaries",
            Some(beneficiary_with("beneficiaryId", json!("12345678909"))),
        )
        .await;
    assert_eq!((status, &error["field"]), (409, &json!("email")));
}

/// A body that is not JSON, the shop, settlement and fault fields, and an unknown beneficiary.
async fn other_bad_admin_inputs_are_named(h: &Harness) {
    let not_json = h
        .http
        .post(format!("{}/admin/beneficiaries", h.base))
        .body("beneficiaryId=1")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status().as_u16(), 400);
    let error: Value = not_json.json().await.unwrap();
    assert_eq!(error["field"], "body");

    for (path, body, field) in [
        ("/admin/shops", json!({"shopId": "bad shop!"}), "shopId"),
        ("/admin/shops", json!({}), "shopId"),
        ("/admin/settle", json!({"until": "LATER"}), "until"),
        ("/admin/faults", json!({"error_rate": 2}), "error_rate"),
        ("/admin/faults", json!({"latency_ms": -5}), "latency_ms"),
    ] {
        let (status, error) = h.call(Method::POST, path, Some(body)).await;
        assert_eq!((status, &error["field"]), (400, &json!(field)), "{path}");
    }
    let (status, error) = h
        .call(Method::GET, "/admin/beneficiaries/19999999999", None)
        .await;
    assert_eq!(
        (status, &error["errorCode"]),
        (404, &json!("BENEFICIARY_NOT_FOUND"))
    );
}

async fn notifications_are_sealed_and_retried_with_backoff(db: TestDb) {
    let h = Harness::start(db).await;
    h.receiver.fail_next(2);
    let pending = h.pending("pay-retry", 5_000, "10000000001").await;
    h.app_decline(&pending.id, CODE).await;
    h.run_jobs().await;
    assert_eq!(h.receiver.received().len(), 1);
    let deliveries = h.sandbox.deliveries(&pending.id).await.unwrap();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].status, DeliveryStatus::Pending);
    assert_eq!(deliveries[0].attempts, 1);
    assert_eq!(deliveries[0].last_error.as_deref(), Some("HTTP 500"));
    assert_eq!(
        deliveries[0].next_attempt_at.as_deref(),
        Some(START.plus_millis(1_000).to_rfc3339().as_str())
    );

    h.advance(999).await;
    assert_eq!(h.receiver.received().len(), 1, "1 s backoff");
    h.advance(1).await;
    assert_eq!(h.receiver.received().len(), 2);
    h.advance(4_999).await;
    assert_eq!(h.receiver.received().len(), 2, "5 s backoff");
    h.advance(1).await;
    assert_eq!(h.receiver.received().len(), 3);
    let delivered = h.sandbox.deliveries(&pending.id).await.unwrap();
    assert_eq!(delivered[0].status, DeliveryStatus::Delivered);
    assert_eq!(delivered[0].attempts, 3);
    h.advance(3_600_000).await;
    assert_eq!(h.receiver.received().len(), 3, "nothing after a 2xx");

    let received = h.receiver.received();
    for notification in &received {
        assert_eq!(
            notification.body, received[0].body,
            "same body on every attempt"
        );
        assert!(notification.seal_verifies_with(notification_key()));
        assert!(!notification.seal_verifies_with(api_key()));
        assert_eq!(notification.state(), "ABORTED");
    }

    // A receiver that never answers 2xx: the last interval repeats, and after a day it stops.
    h.receiver.fail_always(true);
    let doomed = h.pending("pay-doomed", 5_000, "10000000001").await;
    h.app_decline(&doomed.id, CODE).await;
    h.run_jobs().await;
    for expected_wait in [1_000, 5_000, 30_000, 60_000, 300_000, 300_000] {
        let before = h.receiver.states_of(&doomed.id).len();
        h.advance(expected_wait - 1).await;
        assert_eq!(h.receiver.states_of(&doomed.id).len(), before);
        h.advance(1).await;
        assert_eq!(h.receiver.states_of(&doomed.id).len(), before + 1);
    }
    h.advance(ancv_sandbox::GIVE_UP_AFTER_MS).await;
    let abandoned = h.sandbox.deliveries(&doomed.id).await.unwrap();
    assert_eq!(abandoned[0].status, DeliveryStatus::Abandoned);
    let attempts = h.receiver.states_of(&doomed.id).len();
    h.advance(ancv_sandbox::GIVE_UP_AFTER_MS).await;
    assert_eq!(h.receiver.states_of(&doomed.id).len(), attempts);
}

async fn notification_faults_drop_duplicate_delay(db: TestDb) {
    let h = Harness::start(db).await;
    let set = |faults: Value| {
        let h = &h;
        async move {
            let (status, shown) = h.call(Method::POST, "/admin/faults", Some(faults)).await;
            assert_eq!(status, 200, "{shown}");
        }
    };

    set(json!({"drop_notifications": true})).await;
    let dropped = h.pending("pay-drop", 5_000, "10000000001").await;
    h.app_decline(&dropped.id, CODE).await;
    h.advance(3_600_000).await;
    assert!(h.receiver.states_of(&dropped.id).is_empty());
    let deliveries = h.sandbox.deliveries(&dropped.id).await.unwrap();
    assert_eq!(deliveries[0].status, DeliveryStatus::Dropped);

    set(json!({"duplicate_notifications": true})).await;
    let duplicated = h.pending("pay-dup", 5_000, "10000000001").await;
    h.app_decline(&duplicated.id, CODE).await;
    h.run_jobs().await;
    assert_eq!(
        h.receiver.states_of(&duplicated.id),
        [pair("/notify", "ABORTED"), pair("/notify", "ABORTED")]
    );

    set(json!({"delay_notifications_ms": 10_000})).await;
    let delayed = h.pending("pay-delay", 5_000, "10000000001").await;
    h.app_decline(&delayed.id, CODE).await;
    h.run_jobs().await;
    assert!(h.receiver.states_of(&delayed.id).is_empty());
    h.advance(9_999).await;
    assert!(h.receiver.states_of(&delayed.id).is_empty());
    h.advance(1).await;
    assert_eq!(
        h.receiver.states_of(&delayed.id),
        [pair("/notify", "ABORTED")]
    );

    let (status, reset) = h.call(Method::DELETE, "/admin/faults", None).await;
    assert_eq!(status, 200);
    assert_eq!(reset, serde_json::to_value(Faults::default()).unwrap());
    let normal = h.pending("pay-normal", 5_000, "10000000001").await;
    h.app_decline(&normal.id, CODE).await;
    h.run_jobs().await;
    assert_eq!(
        h.receiver.states_of(&normal.id),
        [pair("/notify", "ABORTED")]
    );
}

async fn error_rate_and_latency_faults(db: TestDb) {
    let h = Harness::start(db).await;
    let (status, shown) = h
        .call(
            Method::POST,
            "/admin/faults",
            Some(json!({"error_rate": 1.0})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, current) = h.call(Method::GET, "/admin/faults", None).await;
    assert_eq!(current, shown);
    assert_eq!(current["error_rate"], 1.0);
    assert_eq!(current["drop_notifications"], false);

    assert_eq!(
        refusal(h.client.create(&h.order("pay-500", 5_000)).await),
        ErrorCode::InternalServerError
    );
    let (status, error) = h
        .sealed(
            Method::POST,
            "/payment-transactions/",
            Operation::Create,
            Some(h.create_body("pay-500", 5_000)),
        )
        .await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (500, Some("INTERNAL_SERVER_ERROR"))
    );
    // Even a call with a bad seal gets the 500: nothing is looked at.
    let (status, _) = h
        .raw(Method::GET, "/payment-transactions/abc/", None, None)
        .await;
    assert_eq!(status, 500);
    let dump = dump_database(&h.db).await;
    assert!(!dump.contains("pay-500"), "an injected error does nothing");

    h.call(Method::DELETE, "/admin/faults", None).await;
    let created = h.create("pay-500", 5_000).await;

    h.sandbox
        .set_faults(Faults {
            latency_ms: 150,
            ..Faults::default()
        })
        .await
        .unwrap();
    let started = Instant::now();
    h.client.status(&created.id).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
    h.sandbox.reset_faults().await.unwrap();
}

async fn timeout_after_commit_does_the_operation(db: TestDb) {
    let h = Harness::start(db).await;
    // A client that gives up after 1 s (far more than the operation takes): a bound, not a
    // timing assumption.
    let impatient = h.client_timing_out_after(SP, api_key(), Duration::from_secs(1));
    h.sandbox
        .set_faults(Faults {
            timeout_after_commit: true,
            ..Faults::default()
        })
        .await
        .unwrap();
    let outcome = impatient.create(&h.order("pay-timeout", 5_000)).await;
    assert!(
        matches!(outcome, Err(AncvError::OutcomeUnknown { .. })),
        "{outcome:?}"
    );
    h.sandbox.reset_faults().await.unwrap();
    // Reconciliation (spec §5): the same paymentId returns the transaction that was created.
    let reconciled = h.create("pay-timeout", 5_000).await;
    assert_eq!(reconciled.state, S::Initialized);
    let dump = dump_database(&h.db).await;
    assert_eq!(
        dump.to_string()
            .lines()
            .filter(|l| l.starts_with("sandbox_ancv_transactions:"))
            .count(),
        1
    );

    // A cancellation whose answer never comes was done all the same: status says CANCELLED.
    let validated = h.validated("pay-timeout-cancel", 5_000).await;
    h.sandbox
        .set_faults(Faults {
            timeout_after_commit: true,
            ..Faults::default()
        })
        .await
        .unwrap();
    let outcome = impatient.cancel(&validated.id).await;
    assert!(matches!(outcome, Err(AncvError::OutcomeUnknown { .. })));
    h.sandbox.reset_faults().await.unwrap();
    assert_eq!(h.state(&validated.id).await, S::Cancelled);
    assert_eq!(h.balance("10000000001").await, 30_000);
}

async fn auto_behaviours_of_the_published_beneficiaries(db: TestDb) {
    let h = Harness::start(db).await;
    let full = h
        .pending("pay-auto-full", 5_000, "auto.full@example.com")
        .await;
    let partial = h
        .pending("pay-auto-partial", 5_000, "auto.partial@example.com")
        .await;
    let decline = h
        .pending("pay-auto-decline", 5_000, "auto.decline@example.com")
        .await;
    let expire = h
        .pending("pay-auto-expire", 5_000, "auto.expire@example.com")
        .await;
    let blocked = h.create("pay-auto-blocked", 5_000).await;
    let rejected = h
        .client
        .attach_payer(&blocked.id, "blocked@example.com", Amount::eur(5_000))
        .await
        .unwrap();
    assert_eq!(rejected.state, S::Rejected);

    h.advance(1_999).await;
    for id in [&full.id, &partial.id, &decline.id, &expire.id] {
        assert_eq!(h.state(id).await, S::Processing, "not before auto_delay");
    }
    h.advance(1).await;
    let full = h.client.status(&full.id).await.unwrap();
    assert_eq!(
        (full.state, full.validated_amount()),
        (S::Validated, Some(5_000))
    );
    let partial = h.client.status(&partial.id).await.unwrap();
    assert_eq!(
        (partial.state, partial.validated_amount()),
        (S::Validated, Some(2_500))
    );
    assert_eq!(h.balance("auto.partial@example.com").await, 0);
    assert_eq!(h.balance("auto.full@example.com").await, 95_000);
    assert_eq!(h.state(&decline.id).await, S::Aborted);
    assert_eq!(h.state(&expire.id).await, S::Processing);
    assert_eq!(
        h.receiver.states_of(&full.id),
        [pair("/notify", "AUTHORIZED"), pair("/notify", "VALIDATED")]
    );
    assert_eq!(
        h.receiver.states_of(&decline.id),
        [pair("/notify", "ABORTED")]
    );

    h.advance(WINDOW_MS).await;
    assert_eq!(h.state(&expire.id).await, S::Expired);
    assert_eq!(
        h.receiver.states_of(&expire.id),
        [pair("/notify", "EXPIRED")]
    );
    assert_eq!(
        h.receiver.states_of(&blocked.id),
        [pair("/notify", "REJECTED")]
    );
}

async fn beneficiary_app_lists_and_guards_requests(db: TestDb) {
    let h = Harness::start(db).await;
    let path = "/app/api/beneficiaries/10000000001/requests";
    let (status, empty) = h.call(Method::GET, path, None).await;
    assert_eq!(status, 200, "{empty}");
    assert_eq!(empty["requests"], json!([]));
    assert_eq!(empty["balance"], 30_000);

    let pending = h.pending("pay-app", 5_000, "10000000001").await;
    h.advance(100_000).await;
    the_request_is_listed_by_id_and_by_email(&h, &pending.id).await;
    unknown_and_malformed_beneficiaries_are_refused(&h).await;
    app_answers_are_checked(&h, &pending.id).await;
    sign_in_checks_the_beneficiary_and_the_code(&h).await;

    // No label: the shop id is shown. An elapsed request is no longer listed.
    h.app_decline(&pending.id, CODE).await;
    let mut body = h.create_body("pay-nolabel", 5_000);
    body["order"].as_object_mut().unwrap().remove("label");
    let nolabel = h.create_raw(body).await;
    h.client
        .attach_payer(&nolabel.id, "10000000001", Amount::eur(5_000))
        .await
        .unwrap();
    let (_, listed) = h.call(Method::GET, path, None).await;
    assert_eq!(listed["requests"][0]["merchant"], SHOP);
    h.clock.advance_millis(WINDOW_MS);
    let (_, listed) = h.call(Method::GET, path, None).await;
    assert_eq!(listed["requests"], json!([]));
}

/// Camille's one pending request `id`, 100 s after it was sent, as the app's JSON lists it.
async fn the_request_is_listed_by_id_and_by_email(h: &Harness, id: &str) {
    for who in ["10000000001", "camille.martin@example.com"] {
        let (status, listed) = h
            .call(
                Method::GET,
                &format!("/app/api/beneficiaries/{who}/requests"),
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            listed["requests"],
            json!([{
                "transactionId": id, "merchant": "Hôtel du Lac", "amount": 5000, "currency": 978,
                "expiresAt": START.plus_millis(WINDOW_MS).to_rfc3339(), "secondsLeft": 200,
            }])
        );
    }
}

async fn unknown_and_malformed_beneficiaries_are_refused(h: &Harness) {
    for (who, status, code) in [
        ("19999999999", 404, "BENEFICIARY_NOT_FOUND"),
        ("12", 400, "BAD_REQUEST"),
    ] {
        let (got, error) = h
            .call(
                Method::GET,
                &format!("/app/api/beneficiaries/{who}/requests"),
                None,
            )
            .await;
        assert_eq!((got, error["errorCode"].as_str()), (status, Some(code)));
    }
}

/// Validating the pending request `id`: bad bodies, a wrong code, an unknown or unsent request.
async fn app_answers_are_checked(h: &Harness, id: &str) {
    let validate = format!("/app/api/requests/{id}/validate");
    for (body, status, field) in [
        (json!({}), 400, "secretCode"),
        (json!({"secretCode": CODE, "amount": "10"}), 400, "amount"),
        (json!({"secretCode": CODE, "amont": 10}), 400, "amont"),
    ] {
        let (got, error) = h.call(Method::POST, &validate, Some(body)).await;
        assert_eq!((got, &error["field"]), (status, &json!(field)));
    }
    let (status, error) = h.app_validate(id, "0000", None).await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (403, Some("INVALID_SECRET_CODE"))
    );
    let (status, error) = h.app_validate("zzzzzzzzzz", CODE, None).await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (404, Some("TRANSACTION_NOT_FOUND"))
    );
    // A transaction without a payer was never in anyone's app.
    let unsent = h.create("pay-unsent", 5_000).await;
    assert_eq!(h.app_validate(&unsent.id, CODE, None).await.0, 404);
}

async fn sign_in_checks_the_beneficiary_and_the_code(h: &Harness) {
    let view = h
        .sandbox
        .sign_in("Camille.Martin@example.com", CODE)
        .await
        .unwrap();
    assert_eq!(view.beneficiary_id, "10000000001");
    assert_eq!(
        h.sandbox
            .sign_in("10000000001", "4321")
            .await
            .unwrap_err()
            .error_code(),
        "INVALID_SECRET_CODE"
    );
    assert_eq!(
        h.sandbox
            .sign_in("19999999999", CODE)
            .await
            .unwrap_err()
            .error_code(),
        "BENEFICIARY_NOT_FOUND"
    );
}

async fn malformed_bodies_and_paths(db: TestDb) {
    let h = Harness::start(db).await;
    // Not JSON, sealed over what it signs as (every field missing): BAD_REQUEST, not INVALID_SEAL.
    let seal = api_key().seal(&Operation::Create.fields(&Value::Null));
    let (status, error) = h
        .raw(
            Method::POST,
            "/payment-transactions/",
            Some(b"<xml/>".to_vec()),
            Some(&seal),
        )
        .await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (400, Some("BAD_REQUEST"))
    );
    assert_eq!(error["field"], "body");

    every_bad_create_field_is_named(&h).await;
    every_route_takes_an_optional_trailing_slash(&h).await;
    assert_eq!(
        refusal(h.client.status("nosuchid00").await),
        ErrorCode::TransactionNotFound
    );
    let (status, answer) = h
        .sealed(
            Method::GET,
            "/payment-transactions/nosuchid00/",
            Operation::Status { id: "nosuchid00" },
            None,
        )
        .await;
    assert_eq!(
        (status, answer["errorCode"].as_str()),
        (404, Some("TRANSACTION_NOT_FOUND"))
    );
}

/// A sealed create with one part missing or wrong: BAD_REQUEST naming it.
async fn every_bad_create_field_is_named(h: &Harness) {
    let create = |edit: &dyn Fn(&mut Value)| {
        let mut body = h.create_body("pay-bad", 5_000);
        edit(&mut body);
        body
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            create(&|b| {
                b["order"].as_object_mut().unwrap().remove("paymentId");
            }),
            "order.paymentId",
        ),
        (
            create(&|b| b["order"]["amount"]["total"] = json!("abc")),
            "order.amount",
        ),
        (
            create(&|b| b["order"]["id"] = json!("123456789012345678901")),
            "order.id",
        ),
        (
            create(&|b| b["paymentMethod"]["tspdMode"] = json!("002")),
            "paymentMethod.tspdMode",
        ),
        (
            create(&|b| b["paymentMethod"]["captureMode"] = json!("DEFERRED")),
            "paymentMethod.captureDate",
        ),
        (
            create(&|b| b["redirectUrls"]["cancelUrl"] = json!("ftp://x")),
            "redirectUrls.cancelUrl",
        ),
        (
            create(&|b| b["requestDate"] = json!("yesterday")),
            "requestDate",
        ),
        (
            create(&|b| {
                b.as_object_mut().unwrap().remove("merchant");
            }),
            "merchant.shopId",
        ),
    ];
    for (body, field) in cases {
        let (status, error) = h
            .sealed(
                Method::POST,
                "/payment-transactions/",
                Operation::Create,
                Some(body),
            )
            .await;
        assert_eq!(status, 400, "{field}: {error}");
        assert_eq!(error["field"], field, "{error}");
    }
}

/// Create, status, payer and cancellation answer without the trailing slash (a repeated
/// cancellation with it); the payer's id comes as a number and its amount as strings.
async fn every_route_takes_an_optional_trailing_slash(h: &Harness) {
    let (status, answer) = h
        .sealed(
            Method::POST,
            "/payment-transactions",
            Operation::Create,
            Some(h.create_body("pay-slash", 5_000)),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let id = answer["transaction"]["id"].as_str().unwrap().to_owned();
    let (status, _) = h
        .sealed(
            Method::GET,
            &format!("/payment-transactions/{id}"),
            Operation::Status { id: &id },
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, answer) = h
        .sealed(
            Method::POST,
            &format!("/payment-transactions/{id}/payer"),
            Operation::Payer { id: &id },
            Some(json!({"payer": {"beneficiaryId": 10000000002u64, "amount": {"total": "5000", "currency": "978"}},
                        "requestDate": START.to_rfc3339()})),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["transaction"]["state"], "PROCESSING");
    h.advance(2_000).await;
    let (status, answer) = h
        .sealed(
            Method::POST,
            &format!("/payment-transactions/{id}/cancellation"),
            Operation::Cancellation { id: &id },
            Some(json!({"reason": "OTHER", "requestDate": START.to_rfc3339()})),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["transaction"]["state"], "CANCELLED");
    let (status, error) = h
        .sealed(
            Method::POST,
            &format!("/payment-transactions/{id}/cancellation/"),
            Operation::Cancellation { id: &id },
            Some(json!({"requestDate": START.to_rfc3339()})),
        )
        .await;
    assert_eq!((status, &error["field"]), (400, &json!("reason")));
}

async fn seeding_is_idempotent(db: TestDb) {
    let h = Harness::start(db).await;
    h.validated("pay-seed", 5_000).await;
    h.sandbox.seed_test_data().await.unwrap();
    assert_eq!(
        h.balance("10000000001").await,
        25_000,
        "a balance is never reset"
    );
    for published in ancv_sandbox::seed::PUBLISHED_BENEFICIARIES {
        let view = h.sandbox.beneficiary(published.email).await.unwrap();
        assert_eq!(view.beneficiary_id, published.beneficiary_id);
        assert_eq!(view.behaviour, published.behaviour.as_str());
        assert!(
            h.sandbox
                .sign_in(published.beneficiary_id, CODE)
                .await
                .is_ok()
        );
    }
    assert_eq!(h.balance("blocked@example.com").await, 0);
}

/// The admin's reject: `(status, body)`.
async fn reject(h: &Harness, id: &str) -> (u16, Value) {
    h.call(
        Method::POST,
        &format!("/admin/transactions/{id}/reject"),
        None,
    )
    .await
}

/// The states recorded in the transaction's events, in order.
async fn recorded_states(h: &Harness, id: &str) -> Vec<String> {
    let mut uow = h.store.read().await.unwrap();
    let events = ancv_sandbox::storage::tables(&mut uow)
        .events(id)
        .await
        .unwrap();
    events.into_iter().map(|event| event.state).collect()
}

async fn rejection_after_authorization_gives_the_vouchers_back_once(db: TestDb) {
    let h = Harness::start(db).await;
    let authorized = deferred(&h, "pay-j-auth", 86_400_000).await;
    let consigned = h.validated("pay-j-cons", 4_500).await.id;
    let (status, _) = h
        .call(
            Method::POST,
            "/admin/settle",
            Some(json!({"until": "CONSIGNED"})),
        )
        .await;
    assert_eq!(status, 200);
    let validated = h.validated("pay-j-val", 4_000).await.id;
    assert_eq!(
        h.balance("10000000001").await,
        30_000 - 3_000 - 4_500 - 4_000
    );

    for (id, state, amount) in [
        (&authorized, S::Authorized, 3_000),
        (&validated, S::Validated, 4_000),
        (&consigned, S::Consigned, 4_500),
    ] {
        rejected_once_giving_back(&h, id, state, amount).await;
    }
    assert_eq!(h.balance("10000000001").await, 30_000);

    h.run_jobs().await;
    rejections_are_notified(&h, &authorized, &validated, &consigned).await;
    // Neither settlement nor the deferred capture date moves a rejected transaction.
    assert!(h.sandbox.settle().await.unwrap().is_empty());
    h.advance(86_400_000).await;
    assert_eq!(h.state(&authorized).await, S::Rejected);
    assert_eq!(h.balance("10000000001").await, 30_000);

    // The Rust API and the CLI share the method.
    let again = h.validated("pay-j-api", 2_000).await.id;
    let summary = h.sandbox.reject_transaction(&again).await.unwrap();
    assert_eq!(
        (summary.state, summary.validated_amount),
        (S::Rejected, Some(2_000))
    );
}

/// Rejects `id`, in `state` with `amount` validated: REJECTED, the amount back to camille's
/// balance — and neither a second rejection nor a cancellation gives it back again.
async fn rejected_once_giving_back(h: &Harness, id: &str, state: S, amount: i64) {
    assert_eq!(h.state(id).await, state);
    let before = h.balance("10000000001").await;
    let (status, rejected) = reject(h, id).await;
    assert_eq!(status, 200, "from {state}: {rejected}");
    assert_eq!(
        (
            &rejected["id"],
            &rejected["state"],
            &rejected["validatedAmount"]
        ),
        (&json!(id), &json!("REJECTED"), &json!(amount)),
        "from {state}"
    );
    assert_eq!(h.state(id).await, S::Rejected, "GET status, from {state}");
    assert_eq!(
        h.balance("10000000001").await,
        before + amount,
        "from {state}"
    );

    let (status, error) = reject(h, id).await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (409, Some("OPERATION_TRANSACTION_NOT_ALLOWED")),
        "a second rejection from {state}"
    );
    assert_eq!(
        refusal(h.client.cancel(id).await),
        ErrorCode::OperationTransactionNotAllowed,
        "nor a cancellation after it"
    );
    assert_eq!(
        h.balance("10000000001").await,
        before + amount,
        "given back once, from {state}"
    );
    assert_eq!(recorded_states(h, id).await.last().unwrap(), "REJECTED");
}

/// Each rejection is notified after the states before it (to the cancel URL when it differs),
/// sealed, and its delivery recorded as delivered.
async fn rejections_are_notified(h: &Harness, authorized: &str, validated: &str, consigned: &str) {
    assert_eq!(
        h.receiver.states_of(authorized),
        [pair("/return", "AUTHORIZED"), pair("/cancel", "REJECTED")]
    );
    assert_eq!(
        h.receiver.states_of(validated),
        [
            pair("/notify", "AUTHORIZED"),
            pair("/notify", "VALIDATED"),
            pair("/notify", "REJECTED"),
        ]
    );
    let rejected_notification = h
        .receiver
        .received()
        .into_iter()
        .find(|r| r.transaction_id() == consigned && r.state() == "REJECTED")
        .expect("the rejection of the consigned transaction is notified");
    assert!(rejected_notification.seal_verifies_with(notification_key()));
    let deliveries = h.sandbox.deliveries(consigned).await.unwrap();
    assert_eq!(
        (
            deliveries.last().unwrap().state,
            deliveries.last().unwrap().status
        ),
        (S::Rejected, DeliveryStatus::Delivered)
    );
}

async fn rejection_refused_in_every_other_state(db: TestDb) {
    let h = Harness::start(db).await;
    let refused = async |id: &str, state: S| {
        assert_eq!(h.state(id).await, state);
        let (status, error) = reject(&h, id).await;
        assert_eq!(
            (status, error["errorCode"].as_str()),
            (409, Some("OPERATION_TRANSACTION_NOT_ALLOWED")),
            "{state}: {error}"
        );
        assert_eq!(h.state(id).await, state, "nothing changed");
    };
    let initialized = h.create("pay-k-init", 5_000).await.id;
    refused(&initialized, S::Initialized).await;
    let processing = h.pending("pay-k-proc", 5_000, "10000000001").await.id;
    refused(&processing, S::Processing).await;
    h.app_decline(&processing, CODE).await;
    refused(&processing, S::Aborted).await;
    let blocked = h.create("pay-k-rej", 5_000).await.id;
    h.client
        .attach_payer(&blocked, "blocked@example.com", Amount::eur(5_000))
        .await
        .unwrap();
    refused(&blocked, S::Rejected).await;
    let paid = h.validated("pay-k-paid", 5_000).await.id;
    h.sandbox.settle().await.unwrap();
    refused(&paid, S::Paid).await;
    let cancelled = h.validated("pay-k-can", 6_000).await.id;
    h.client.cancel(&cancelled).await.unwrap();
    refused(&cancelled, S::Cancelled).await;
    h.clock.advance_millis(WINDOW_MS);
    refused(&initialized, S::Expired).await;

    let (status, error) = reject(&h, "zzzzzzzzzz").await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (404, Some("TRANSACTION_NOT_FOUND"))
    );
    assert_eq!(
        h.balance("10000000001").await,
        30_000 - 5_000,
        "only the paid vouchers are spent"
    );
    h.run_jobs().await;
    assert_eq!(
        h.receiver.states_of(&paid),
        [
            pair("/notify", "AUTHORIZED"),
            pair("/notify", "VALIDATED"),
            pair("/notify", "CONSIGNED"),
            pair("/notify", "PAID"),
        ],
        "no REJECTED notified"
    );
}

async fn transactions_of_a_beneficiary_and_of_a_shop(db: TestDb) {
    let h = Harness::start(db).await;
    let camille = "/admin/beneficiaries/10000000001/transactions";
    let shop = format!("/admin/shops/{SHOP}/transactions");
    assert_eq!(list(&h, camille).await, json!({"transactions": []}));
    assert_eq!(list(&h, &shop).await, json!({"transactions": []}));

    let made = Listed::create(&h).await;
    camilles_transactions_are_listed(&h, &made).await;
    let of_shop = list(&h, &shop).await;
    assert_eq!(
        ids_and_states(of_shop.clone()),
        [
            (made.initialized.clone(), "INITIALIZED".to_owned()),
            (made.validated.clone(), "VALIDATED".to_owned()),
            (made.declined.clone(), "ABORTED".to_owned()),
            (made.cancelled.clone(), "CANCELLED".to_owned()),
            (made.other.clone(), "PROCESSING".to_owned()),
        ]
    );
    assert_eq!(of_shop["transactions"][0]["beneficiaryId"], Value::Null);
    assert_eq!(of_shop["transactions"][0]["validatedAmount"], Value::Null);
    assert_eq!(
        ids_and_states(list(&h, "/admin/shops/20000002/transactions").await),
        [(made.elsewhere.clone(), "INITIALIZED".to_owned())]
    );

    // Several created in the same millisecond come in creation order.
    let same: Vec<String> = [
        h.create("l-same-1", 2_000).await.id,
        h.create("l-same-2", 2_000).await.id,
        h.create("l-same-3", 2_000).await.id,
    ]
    .into();
    let listed: Vec<String> = ids_and_states(list(&h, &shop).await)
        .into_iter()
        .map(|(id, _)| id)
        .skip(5)
        .collect();
    assert_eq!(listed, same);

    // Time counts as for GET status: elapsed windows show (and are recorded) as EXPIRED.
    h.clock.advance_millis(WINDOW_MS);
    let after = ids_and_states(list(&h, &shop).await);
    assert_eq!(after[0], (made.initialized, "EXPIRED".to_owned()));
    assert_eq!(after[4], (made.other.clone(), "EXPIRED".to_owned()));
    assert_eq!(h.state(&made.other).await, S::Expired);
    unknown_owners_of_transactions_are_refused(&h).await;
}

/// A transaction list of the admin API (200).
async fn list(h: &Harness, path: &str) -> Value {
    let (status, body) = h.call(Method::GET, path, None).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// (id, state) of each transaction of a list, in order.
fn ids_and_states(body: Value) -> Vec<(String, String)> {
    body["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_owned(),
                t["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The transactions the listing test makes, one second apart (ids).
struct Listed {
    initialized: String,
    validated: String,
    declined: String,
    cancelled: String,
    /// Paid by another beneficiary (auto.expire), still PROCESSING.
    other: String,
    /// In another shop, 20000002.
    elsewhere: String,
}

impl Listed {
    async fn create(h: &Harness) -> Listed {
        let initialized = h.create("l-init", 2_000).await.id;
        h.clock.advance_millis(1_000);
        let validated = h.validated("l-val", 5_000).await.id;
        h.clock.advance_millis(1_000);
        let declined = h
            .pending("l-dec", 6_000, "Camille.Martin@example.com")
            .await
            .id;
        h.app_decline(&declined, CODE).await;
        h.clock.advance_millis(1_000);
        let cancelled = h.validated("l-can", 7_000).await.id;
        h.clock.advance_millis(1_000);
        h.client.cancel(&cancelled).await.unwrap();
        let other = h
            .pending("l-other", 8_000, "auto.expire@example.com")
            .await
            .id;
        h.sandbox.add_shop("20000002").await.unwrap();
        let mut elsewhere = h.order("l-else", 5_000);
        elsewhere.shop_id = "20000002".into();
        let elsewhere = h.client.create(&elsewhere).await.unwrap().id;
        Listed {
            initialized,
            validated,
            declined,
            cancelled,
            other,
            elsewhere,
        }
    }
}

/// Camille's transactions, named by ANCV id or by e-mail, every field shown.
async fn camilles_transactions_are_listed(h: &Harness, made: &Listed) {
    let at = |seconds: i64| START.plus_millis(seconds * 1_000).to_rfc3339();
    let row = |id: &str,
               payment: &str,
               state: &str,
               amount: i64,
               validated: Value,
               times: (i64, i64)| {
        json!({"id": id, "paymentId": payment, "orderId": format!("ORDER-{payment}"), "shopId": SHOP,
               "beneficiaryId": "10000000001", "state": state, "amount": amount, "validatedAmount": validated,
               "createdAt": at(times.0), "updatedAt": at(times.1)})
    };
    let of_camille = json!({"transactions": [
        row(&made.validated, "l-val", "VALIDATED", 5_000, json!(5_000), (1, 1)),
        row(&made.declined, "l-dec", "ABORTED", 6_000, Value::Null, (2, 2)),
        row(&made.cancelled, "l-can", "CANCELLED", 7_000, json!(7_000), (3, 4)),
    ]});
    assert_eq!(
        list(h, "/admin/beneficiaries/10000000001/transactions").await,
        of_camille
    );
    assert_eq!(
        list(
            h,
            "/admin/beneficiaries/camille.martin@example.com/transactions"
        )
        .await,
        of_camille,
        "named by e-mail"
    );
}

async fn unknown_owners_of_transactions_are_refused(h: &Harness) {
    for (path, status, code) in [
        (
            "/admin/beneficiaries/19999999999/transactions",
            404,
            "BENEFICIARY_NOT_FOUND",
        ),
        ("/admin/beneficiaries/12/transactions", 400, "BAD_REQUEST"),
        ("/admin/shops/29999999/transactions", 404, "SHOP_NOT_FOUND"),
    ] {
        let (got, error) = h.call(Method::GET, path, None).await;
        assert_eq!(
            (got, error["errorCode"].as_str()),
            (status, Some(code)),
            "{path}"
        );
        assert!(error["errorMessage"].is_string(), "{error}");
    }
}

/// Two sandboxes on one database (two `cvgate serve` behind a load balancer): faults set through
/// one instance's admin API apply to calls served by the other; a reset clears them for both.
async fn faults_set_through_one_instance_apply_to_all(db: TestDb) {
    let a = Harness::start(db.clone()).await;
    let b = Harness::start(db).await;
    let set = async |h: &Harness, faults: Value| {
        let (status, shown) = h.call(Method::POST, "/admin/faults", Some(faults)).await;
        assert_eq!(status, 200, "{shown}");
    };

    set(&a, json!({"error_rate": 1.0})).await;
    let (_, shown) = b.call(Method::GET, "/admin/faults", None).await;
    assert_eq!(shown["error_rate"], 1.0);
    assert_eq!(
        refusal(b.client.create(&b.order("pay-m-500", 5_000)).await),
        ErrorCode::InternalServerError,
        "B injects the error set through A"
    );

    // The notification switches are read at the state change and kept with the delivery.
    set(&a, json!({"delay_notifications_ms": 10_000})).await;
    let delayed = b.pending("pay-m-delay", 5_000, "10000000001").await;
    b.app_decline(&delayed.id, CODE).await;
    set(&b, json!({"drop_notifications": true})).await;
    let dropped = a.pending("pay-m-drop", 5_000, "10000000001").await;
    a.app_decline(&dropped.id, CODE).await;

    let (status, reset) = b.call(Method::DELETE, "/admin/faults", None).await;
    assert_eq!(status, 200);
    let off = serde_json::to_value(Faults::default()).unwrap();
    assert_eq!(reset, off);
    for h in [&a, &b] {
        assert_eq!(h.call(Method::GET, "/admin/faults", None).await.1, off);
        assert_eq!(h.sandbox.faults().await.unwrap(), Faults::default());
    }
    b.advance(9_999).await;
    assert!(
        b.receiver.states_of(&delayed.id).is_empty(),
        "still delayed"
    );
    b.advance(1).await;
    assert_eq!(
        b.receiver.states_of(&delayed.id),
        [pair("/notify", "ABORTED")]
    );
    assert!(a.receiver.states_of(&dropped.id).is_empty());
    assert_eq!(
        a.sandbox.deliveries(&dropped.id).await.unwrap()[0].status,
        DeliveryStatus::Dropped
    );
    assert_eq!(a.create("pay-m-500", 5_000).await.state, S::Initialized);

    // Through the Rust API too, on either instance.
    a.sandbox
        .set_faults(Faults {
            latency_ms: 150,
            ..Faults::default()
        })
        .await
        .unwrap();
    assert_eq!(b.sandbox.faults().await.unwrap().latency_ms, 150);
    b.sandbox.reset_faults().await.unwrap();
    assert_eq!(a.sandbox.faults().await.unwrap(), Faults::default());
}
