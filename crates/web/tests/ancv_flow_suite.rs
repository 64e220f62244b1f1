//! cvgate following ANCV transactions against the sandbox over loopback HTTP: notifications are
//! hints, the poller is enough on its own, and nothing is applied twice.

mod support;

use ancv_sandbox::Faults;
use domain::ancv_payment::{AncvPayment, AncvPaymentState};
use support::Harness;
use testkit::TestDb;

testkit::backend_suite![
    the_poller_alone_reaches_the_final_state_when_notifications_are_dropped,
    duplicated_notifications_change_nothing_twice,
    stale_and_out_of_order_notifications_change_nothing,
    a_forged_notification_is_refused,
    partial_validation_then_cancellation_gives_the_balance_back,
];

async fn start(h: &Harness, beneficiary: &str, amount: i64) -> AncvPayment {
    h.ancv_session(beneficiary, amount).await.1
}

async fn reload(h: &Harness, payment: &AncvPayment) -> AncvPayment {
    h.ancv().find(&payment.payment_id).await.unwrap().unwrap()
}

async fn events(h: &Harness, payment: &AncvPayment) -> Vec<(AncvPaymentState, String)> {
    let mut uow = h.store.read().await.unwrap();
    uow.ancv_payments()
        .events(&payment.payment_id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.state, e.source))
        .collect()
}

async fn the_poller_alone_reaches_the_final_state_when_notifications_are_dropped(db: TestDb) {
    let h = Harness::start(&db).await;
    h.sandbox
        .set_faults(Faults {
            drop_notifications: true,
            ..Faults::default()
        })
        .await
        .unwrap();
    let payment = start(&h, "auto.full@example.com", 6_000).await;
    assert_eq!(payment.state, AncvPaymentState::Processing);
    // The beneficiary validates after 2 s; cvgate polls every 3 s.
    h.advance(2_000).await;
    assert_eq!(
        reload(&h, &payment).await.state,
        AncvPaymentState::Processing,
        "no notification arrived"
    );
    h.advance(1_000).await;
    let done = reload(&h, &payment).await;
    assert_eq!(done.state, AncvPaymentState::Validated);
    assert_eq!(done.validated_amount, Some(6_000));
    assert!(done.authorization_number.is_some());
    let sources: Vec<String> = events(&h, &payment)
        .await
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    assert_eq!(sources.last().map(String::as_str), Some("poll"));
    // Nothing pending any more: the poll job is gone.
    h.advance(10_000).await;
    let mut uow = h.store.read().await.unwrap();
    assert!(
        uow.jobs()
            .pending(gateway::ancv_payments::POLL_JOB)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn duplicated_notifications_change_nothing_twice(db: TestDb) {
    let h = Harness::start(&db).await;
    h.sandbox
        .set_faults(Faults {
            duplicate_notifications: true,
            ..Faults::default()
        })
        .await
        .unwrap();
    let payment = start(&h, "auto.partial@example.com", 6_000).await;
    h.advance(2_000).await;
    h.run_jobs().await;
    let done = reload(&h, &payment).await;
    assert_eq!(
        (done.state, done.validated_amount),
        (AncvPaymentState::Validated, Some(2_500))
    );
    let recorded = events(&h, &payment).await;
    let states: Vec<AncvPaymentState> = recorded.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        states,
        [
            AncvPaymentState::Requested,
            AncvPaymentState::Initialized,
            AncvPaymentState::Processing,
            AncvPaymentState::Authorized,
            AncvPaymentState::Validated
        ],
        "each state once: {recorded:?}"
    );
    assert_eq!(recorded.len(), 5);
    assert!(
        recorded.iter().any(|(_, source)| source == "notification"),
        "{recorded:?}"
    );
    let deliveries = h
        .sandbox
        .deliveries(done.ancv_id.as_deref().unwrap())
        .await
        .unwrap();
    assert!(
        deliveries.iter().all(|d| d.duplicate),
        "the sandbox sent each notification twice: {deliveries:?}"
    );
}

async fn stale_and_out_of_order_notifications_change_nothing(db: TestDb) {
    let h = Harness::start(&db).await;
    let payment = start(&h, "auto.full@example.com", 6_000).await;
    let ancv_id = payment.ancv_id.clone().unwrap();
    // Keep the PROCESSING notification body as ANCV sent it… there is none for PROCESSING, so
    // forge an old-state body: cvgate re-reads the status anyway.
    let stale = serde_json::json!({
        "responseDate": "2026-11-27T10:00:00.000Z",
        "transaction": {"id": ancv_id, "state": "PROCESSING",
            "merchant": {"shopId": "20000001", "serviceProviderId": "900001"},
            "order": {"id": "order-1", "paymentId": payment.payment_id, "amount": {"total": 6000, "currency": 978}}}
    });
    h.advance(2_000).await;
    h.run_jobs().await;
    assert_eq!(
        reload(&h, &payment).await.state,
        AncvPaymentState::Validated
    );
    let before = events(&h, &payment).await;
    let response = h
        .http
        .post(format!("{}{}", h.base, web::partner::ANCV_NOTIFICATIONS))
        .json(&stale)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    h.run_jobs().await;
    assert_eq!(
        reload(&h, &payment).await.state,
        AncvPaymentState::Validated,
        "no move backwards"
    );
    assert_eq!(events(&h, &payment).await, before, "nothing recorded twice");
}

async fn a_forged_notification_is_refused(db: TestDb) {
    let h = Harness::start(&db).await;
    let payment = start(&h, "camille.martin@example.com", 6_000).await;
    let body = serde_json::json!({"responseDate": "x", "transaction": {"id": payment.ancv_id, "state": "VALIDATED"}});
    let response = h
        .http
        .post(format!("{}{}", h.base, web::partner::ANCV_NOTIFICATIONS))
        .header(
            "ANCV-Security",
            "HmacSHA256.ver001.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let not_json = h
        .http
        .post(format!("{}{}", h.base, web::partner::ANCV_NOTIFICATIONS))
        .body("<x/>")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    h.run_jobs().await;
    assert_eq!(
        reload(&h, &payment).await.state,
        AncvPaymentState::Processing
    );
}

async fn partial_validation_then_cancellation_gives_the_balance_back(db: TestDb) {
    let h = Harness::start(&db).await;
    let before = h.sandbox.beneficiary("10000000001").await.unwrap().balance;
    let (token, payment) = h.ancv_session("10000000001", 6_000).await;
    let ancv_id = payment.ancv_id.clone().unwrap();
    h.sandbox
        .validate_request(&ancv_id, "1234", Some(2_500))
        .await
        .unwrap();
    h.run_jobs().await;
    let validated = reload(&h, &payment).await;
    assert_eq!(
        (validated.state, validated.validated_amount),
        (AncvPaymentState::Validated, Some(2_500))
    );
    assert_eq!(
        h.sandbox.beneficiary("10000000001").await.unwrap().balance,
        before - 2_500
    );
    // The buyer gives up on the card part: the vouchers go back.
    h.web_payments.cancel(&token).await.unwrap();
    h.run_jobs().await;
    assert_eq!(
        reload(&h, &payment).await.state,
        AncvPaymentState::Cancelled
    );
    assert_eq!(
        h.sandbox.beneficiary("10000000001").await.unwrap().balance,
        before
    );
    let again = h.ancv().cancel(&payment.payment_id).await.unwrap();
    assert_eq!(
        again.state,
        AncvPaymentState::Cancelled,
        "cancelling is idempotent"
    );
    assert_eq!(
        h.sandbox.beneficiary("10000000001").await.unwrap().balance,
        before,
        "the vouchers came back once"
    );
}
