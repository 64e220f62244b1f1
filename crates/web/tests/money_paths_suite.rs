//! The paths where money could be held on a payment that did not go through (issue "money is
//! never lost"), each driven end to end over real HTTP with both sandboxes: a session that ends
//! while a card payment is under way, card outcomes found by the reconciliation, partner calls
//! whose request died half-way, ANCV refusing after its authorization, and ANCV unreachable.
//!
//! A request "dies" by dropping the service future while the partner call is in flight (what a
//! client disconnect, a crash or a redeploy does to a handler).

mod support;

use card_sandbox::Faults as CardFaults;
use domain::card::CardInput;
use std::time::Duration;
use support::{CAMILLE, CARD_OK, DoWebPayment, Harness, answer_acs, card_form, soap_value};
use testkit::TestDb;

testkit::backend_suite![
    expiry_during_a_challenge_leaves_nothing_held,
    cancel_in_another_tab_during_a_challenge_leaves_nothing_held,
    expiry_during_a_frictionless_authorization_leaves_nothing_held,
    a_challenge_answered_without_coming_back_completes_the_session,
    a_card_payment_whose_request_died_is_reconciled,
    an_ancv_refund_whose_request_died_is_finished,
    a_card_refund_whose_request_died_does_not_block_the_transaction,
    a_sequence_number_claim_survives_a_crash,
    ancv_unreachable_sends_the_buyer_back_to_the_page,
    ancv_rejecting_a_partial_validation_sends_the_buyer_back,
    ancv_rejecting_after_acceptance_is_told_to_the_merchant,
];

const CAMILLE_BALANCE: i64 = 30_000;
/// Past the default session lifetime (15 minutes).
const PAST_EXPIRY_MS: i64 = 16 * 60_000;

fn code(body: &str) -> String {
    soap_value(body, &["result", "code"]).unwrap_or_default()
}

fn card_only() -> DoWebPayment<'static> {
    DoWebPayment {
        contract: "CB-DEMO",
        selected: &["CB-DEMO"],
        email: None,
        ..DoWebPayment::default()
    }
}

/// What the card sandbox holds on the session's card attempts: reserved or charged, not given
/// back (minor units).
async fn card_held(h: &Harness, token: &str) -> i64 {
    let attempts = h.web_payments.card().attempts(token).await.unwrap();
    let ledger = h.card_sandbox.ledger().await.unwrap();
    attempts
        .iter()
        .filter_map(|attempt| ledger.iter().find(|row| row.reference == attempt.id))
        .map(|row| {
            if row.remitted_at.is_some() {
                row.remitted_amount - row.refunded_amount
            } else if row.captured_amount > 0 {
                row.captured_amount - row.reset_amount
            } else {
                row.authorized_amount - row.reset_amount
            }
        })
        .sum()
}

async fn camille_balance(h: &Harness) -> i64 {
    h.sandbox.beneficiary(CAMILLE).await.unwrap().balance
}

/// Moves the clock minute by minute, running what becomes due.
async fn minutes_pass(h: &Harness, minutes: i64) {
    for _ in 0..minutes {
        h.advance(60_000).await;
    }
}

/// Neither the card nor the vouchers hold anything, and the merchant is told the session ended
/// with `expected`.
async fn nothing_held(h: &Harness, token: &str, expected: &str) {
    minutes_pass(h, 2).await;
    h.card_sandbox.remit_all().await.unwrap();
    minutes_pass(h, 2).await;
    let body = h.details(token).await;
    assert_eq!(code(&body), expected);
    assert!(
        soap_value(&body, &["paymentAdditionalList", "paymentAdditional"]).is_none()
            && !body.contains("<obj:paymentAdditional>"),
        "a card given back is not part of the payment: {body}"
    );
    assert_eq!(card_held(h, token).await, 0, "the card holds money");
    assert_eq!(
        camille_balance(h).await,
        CAMILLE_BALANCE,
        "the vouchers are spent"
    );
}

/// The buyer, still on the ACS page after the session ended, passes the challenge and comes
/// back to cvgate.
async fn pass_the_challenge_late(h: &Harness, acs: &str) {
    let back = answer_acs(acs).await;
    h.http.get(&back).send().await.unwrap();
}

/// Path 1: the session expires while the buyer is on the ACS page; the buyer then passes the
/// challenge and comes back.
async fn expiry_during_a_challenge_leaves_nothing_held(db: TestDb) {
    let h = Harness::start(&db).await;
    let token = h.partially_validated().await;
    // Late in the session, so that the challenge is still open when the session has expired.
    minutes_pass(&h, 10).await;
    let acs = h.start_challenge(&token).await;
    minutes_pass(&h, 6).await;
    assert_eq!(code(&h.details(&token).await), "02324");
    pass_the_challenge_late(&h, &acs).await;
    nothing_held(&h, &token, "02324").await;
}

/// Path 1: the buyer cancels in another tab while the first tab is on the ACS page.
async fn cancel_in_another_tab_during_a_challenge_leaves_nothing_held(db: TestDb) {
    let h = Harness::start(&db).await;
    let token = h.partially_validated().await;
    let acs = h.start_challenge(&token).await;
    let (status, _) = h.post_form(&token, "cancel", &[]).await;
    assert_eq!(status, 303);
    assert_eq!(code(&h.details(&token).await), "02319");
    pass_the_challenge_late(&h, &acs).await;
    nothing_held(&h, &token, "02319").await;
}

/// Path 1: the session expires while a frictionless authorization is at the acquirer.
async fn expiry_during_a_frictionless_authorization_leaves_nothing_held(db: TestDb) {
    let h = Harness::start(&db).await;
    let token = h.partially_validated().await;
    h.card_sandbox
        .set_faults(CardFaults {
            latency_ms: 1_500,
            ..CardFaults::default()
        })
        .await
        .unwrap();
    let web_payments = h.web_payments.clone();
    let paying = {
        let token = token.clone();
        tokio::spawn(async move {
            let card = CardInput::new(CARD_OK, "12/30", "123");
            web_payments.pay_card(&token, "CB-DEMO", card).await
        })
    };
    // Once the attempt is recorded (the authorization is then on its way), time runs out.
    let card = h.web_payments.card().clone();
    wait_until(|| async { !card.attempts(&token).await.unwrap().is_empty() }).await;
    h.advance(PAST_EXPIRY_MS).await;
    let _ = paying.await.unwrap();
    h.card_sandbox
        .set_faults(CardFaults::default())
        .await
        .unwrap();
    nothing_held(&h, &token, "02324").await;
}

/// Path 2: the buyer passes the challenge but never comes back to cvgate: the reconciliation
/// finds the acceptance and the session is paid.
async fn a_challenge_answered_without_coming_back_completes_the_session(db: TestDb) {
    let h = Harness::start(&db).await;
    let token = h.partially_validated().await;
    let acs = h.start_challenge(&token).await;
    answer_acs(&acs).await;
    minutes_pass(&h, 12).await;
    let body = h.details(&token).await;
    assert_eq!(code(&body), "00000", "{body}");
    h.card_sandbox.remit_all().await.unwrap();
    minutes_pass(&h, 5).await;
    assert_eq!(card_held(&h, &token).await, 3_500);
    assert_eq!(camille_balance(&h).await, CAMILLE_BALANCE - 2_500);
}

/// Path 3 (and 2): the card authorization is made at the acquirer, but the request that asked
/// for it dies before the answer is applied. The reconciliation finishes the session.
async fn a_card_payment_whose_request_died_is_reconciled(db: TestDb) {
    let h = Harness::start(&db).await;
    let token = h.do_web_payment(&card_only()).await;
    h.page(&token).await;
    h.card_sandbox
        .set_faults(CardFaults {
            timeout_after_authorizing: true,
            ..CardFaults::default()
        })
        .await
        .unwrap();
    let card = CardInput::new(CARD_OK, "12/30", "123");
    let died = tokio::time::timeout(
        Duration::from_millis(500),
        h.web_payments.pay_card(&token, "CB-DEMO", card),
    )
    .await;
    assert!(
        died.is_err(),
        "the request was still waiting for the acquirer"
    );
    h.card_sandbox
        .set_faults(CardFaults::default())
        .await
        .unwrap();
    minutes_pass(&h, 2).await;
    let body = h.details(&token).await;
    assert_eq!(code(&body), "00000", "{body}");
    assert_eq!(card_held(&h, &token).await, 6_000);
}

/// Path 3: the ANCV cancellation of a doRefund is made at ANCV, then the request dies.
async fn an_ancv_refund_whose_request_died_is_finished(db: TestDb) {
    let h = Harness::with_read_timeout(&db, 1_000).await;
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    h.pay_split(&token, 2_500).await;
    let (ancv_id, _) = h.split_ids(&token).await;
    h.sandbox
        .set_faults(ancv_sandbox::Faults {
            timeout_after_commit: true,
            ..ancv_sandbox::Faults::default()
        })
        .await
        .unwrap();
    let died = tokio::time::timeout(
        Duration::from_millis(300),
        h.after_sale.operate(
            gateway::after_sale::Operation::Refund,
            &h.merchant_id,
            &ancv_id,
            None,
            None,
        ),
    )
    .await;
    assert!(died.is_err(), "the request was still waiting for ANCV");
    h.sandbox.reset_faults().await.unwrap();
    assert_eq!(
        camille_balance(&h).await,
        CAMILLE_BALANCE,
        "ANCV cancelled it"
    );
    minutes_pass(&h, 2).await;
    let refunds = refunds_of(&h, &ancv_id).await;
    assert_eq!(refunds, vec![("DONE".to_owned(), "00000".to_owned())]);
}

/// The state and code of each refund of a transaction, as getTransactionDetails lists them.
async fn refunds_of(h: &Harness, transaction_id: &str) -> Vec<(String, String)> {
    let details = h
        .after_sale
        .details(&h.merchant_id, Some(transaction_id), None)
        .await
        .unwrap()
        .unwrap();
    details
        .associated
        .iter()
        .map(|t| (t.status.clone(), t.code.code().to_owned()))
        .collect()
}

/// A card-only payment of 60.00 €, accepted and remitted; returns its transaction id.
async fn remitted_card_payment(h: &Harness) -> String {
    let token = h.do_web_payment(&card_only()).await;
    h.post_form(&token, "card", &card_form(CARD_OK)).await;
    let body = h.details(&token).await;
    assert_eq!(code(&body), "00000", "{body}");
    h.web_payments
        .card()
        .remit(domain::clock::Clock::now(h.clock.as_ref()))
        .await
        .unwrap();
    soap_value(&body, &["transaction", "id"]).unwrap()
}

/// Path 3: a card refund whose request died leaves a PENDING operation; it must not block the
/// transaction for ever.
async fn a_card_refund_whose_request_died_does_not_block_the_transaction(db: TestDb) {
    let h = Harness::start(&db).await;
    let card_id = remitted_card_payment(&h).await;
    h.card_sandbox
        .set_faults(CardFaults {
            latency_ms: 1_000,
            ..CardFaults::default()
        })
        .await
        .unwrap();
    let refund = |amount| {
        h.after_sale.operate(
            gateway::after_sale::Operation::Refund,
            &h.merchant_id,
            &card_id,
            Some(amount),
            None,
        )
    };
    let died = tokio::time::timeout(Duration::from_millis(200), refund(1_000)).await;
    assert!(
        died.is_err(),
        "the request was still waiting for the acquirer"
    );
    h.card_sandbox
        .set_faults(CardFaults::default())
        .await
        .unwrap();
    minutes_pass(&h, 2).await;
    let answer = refund(1_000).await.unwrap();
    assert_eq!(answer.code.code(), "00000", "{answer:?}");
    let tx = h.web_payments.card().find(&card_id).await.unwrap().unwrap();
    let row = h
        .card_sandbox
        .ledger()
        .await
        .unwrap()
        .into_iter()
        .find(|row| row.reference == card_id)
        .unwrap();
    assert_eq!(tx.balances.unwrap().refunded, row.refunded_amount);
    assert!([1_000, 2_000].contains(&row.refunded_amount));
    let operations = h.web_payments.card().operations(&card_id).await.unwrap();
    assert!(
        operations
            .iter()
            .all(|op| op.state != gateway::card_payments::OperationState::Pending),
        "{operations:?}"
    );
}

/// Path 3: a doRefund with a sequenceNumber dies half-way; the merchant repeats it.
async fn a_sequence_number_claim_survives_a_crash(db: TestDb) {
    let h = Harness::start(&db).await;
    let card_id = remitted_card_payment(&h).await;
    h.card_sandbox
        .set_faults(CardFaults {
            latency_ms: 1_000,
            ..CardFaults::default()
        })
        .await
        .unwrap();
    let first = h.after_sale.once(
        &h.merchant_id,
        "doRefund",
        &card_id,
        Some("7"),
        |request_key| async {
            let answer = h
                .after_sale
                .operate(
                    gateway::after_sale::Operation::Refund,
                    &h.merchant_id,
                    &card_id,
                    Some(1_000),
                    request_key,
                )
                .await?;
            Ok::<_, store::StoreError>(gateway::after_sale::Reply {
                body: answer.code.code().to_owned(),
                settled: answer.is_settled(),
            })
        },
    );
    let died = tokio::time::timeout(Duration::from_millis(200), first).await;
    assert!(
        died.is_err(),
        "the request was still waiting for the acquirer"
    );
    h.card_sandbox
        .set_faults(CardFaults::default())
        .await
        .unwrap();
    minutes_pass(&h, 2).await;
    let envelope = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:impl="http://impl.ws.payline.experian.com" xmlns:obj="http://obj.ws.payline.experian.com"><soapenv:Body><impl:doRefundRequest><impl:version>34</impl:version><impl:transactionID>{card_id}</impl:transactionID><impl:payment><obj:amount>1000</obj:amount><obj:currency>978</obj:currency><obj:action>421</obj:action><obj:mode>CPT</obj:mode><obj:contractNumber>CB-DEMO</obj:contractNumber></impl:payment><impl:comment>again</impl:comment><impl:sequenceNumber>7</impl:sequenceNumber></impl:doRefundRequest></soapenv:Body></soapenv:Envelope>"#
    );
    let (status, body) = h.soap("DirectPaymentAPI", &envelope).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(code(&body), "00000", "{body}");
    let (_, again) = h.soap("DirectPaymentAPI", &envelope).await;
    assert_eq!(again, body, "a repeat gets the same answer");
    let row = h
        .card_sandbox
        .ledger()
        .await
        .unwrap()
        .into_iter()
        .find(|row| row.reference == card_id)
        .unwrap();
    assert_eq!(row.refunded_amount, 1_000, "refunded once");
}

/// Path 5: ANCV does the create but its answers never arrive: the buyer is told at once and may
/// pay by card; nothing keeps retrying for ever.
async fn ancv_unreachable_sends_the_buyer_back_to_the_page(db: TestDb) {
    let h = Harness::with_read_timeout(&db, 500).await;
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    h.sandbox
        .set_faults(ancv_sandbox::Faults {
            timeout_after_commit: true,
            ..ancv_sandbox::Faults::default()
        })
        .await
        .unwrap();
    h.post_form(&token, "ancv", &[("beneficiary", CAMILLE)])
        .await;
    h.sandbox.reset_faults().await.unwrap();
    let body = h.details(&token).await;
    assert_eq!(code(&body), "02306", "back on the page: {body}");
    h.post_form(&token, "card", &card_form(CARD_OK)).await;
    assert_eq!(code(&h.details(&token).await), "00000");
    minutes_pass(&h, 20).await;
    let mut uow = h.store.read().await.unwrap();
    for kind in [
        gateway::web_payments::ANCV_GIVE_BACK_JOB,
        gateway::ancv_payments::POLL_JOB,
    ] {
        let pending = uow.jobs().pending(kind).await.unwrap();
        assert!(pending.is_empty(), "{kind}: {pending:?}");
    }
}

/// The ANCV transaction id (ANCV's own) of the session's vouchers.
async fn ancv_id_of(h: &Harness, token: &str) -> String {
    h.web_payments
        .snapshot(token)
        .await
        .unwrap()
        .ancv
        .unwrap()
        .ancv_id
        .unwrap()
}

/// Path 4: ANCV rejects a partial validation before the card part is paid: the vouchers' part
/// is gone, the card must pay the whole order.
async fn ancv_rejecting_a_partial_validation_sends_the_buyer_back(db: TestDb) {
    let h = Harness::start(&db).await;
    let token = h.partially_validated().await;
    let ancv_id = ancv_id_of(&h, &token).await;
    h.sandbox.reject_transaction(&ancv_id).await.unwrap();
    h.run_jobs().await;
    assert_eq!(code(&h.details(&token).await), "02306");
    let snapshot = h.web_payments.snapshot(&token).await.unwrap();
    assert_eq!(snapshot.payment.session.card_amount(), 6_000);
    h.post_form(&token, "card", &card_form(CARD_OK)).await;
    let body = h.details(&token).await;
    assert_eq!(code(&body), "00000", "{body}");
    assert_eq!(
        soap_value(&body, &["payment", "amount"]).as_deref(),
        Some("6000"),
        "the card paid the whole order: {body}"
    );
    assert_eq!(card_held(&h, &token).await, 6_000);
    assert_eq!(camille_balance(&h).await, CAMILLE_BALANCE);
}

/// Path 4: ANCV rejects the vouchers of a paid order: getTransactionDetails shows it and the
/// merchant gets a TRS notification.
async fn ancv_rejecting_after_acceptance_is_told_to_the_merchant(db: TestDb) {
    let h = Harness::start(&db).await;
    let (token, merchant) = h.notifying_web_payment(0).await;
    h.pay_split(&token, 2_500).await;
    let (ancv_tx, _) = h.split_ids(&token).await;
    let ancv_id = ancv_id_of(&h, &token).await;
    h.sandbox.reject_transaction(&ancv_id).await.unwrap();
    minutes_pass(&h, 1).await;
    let details = h
        .after_sale
        .details(&h.merchant_id, Some(&ancv_tx), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            details.transaction.status.as_str(),
            details.transaction.code.code()
        ),
        ("REJECTED", "02020")
    );
    assert!(
        details
            .history
            .iter()
            .any(|entry| entry.status == "REJECTED"),
        "{:?}",
        details.history
    );
    let trs = merchant.calls_of("TRS");
    assert_eq!(trs.len(), 1, "{trs:?}");
    assert_eq!(trs[0].get("transactionId"), Some(&ancv_tx));
    assert_eq!(camille_balance(&h).await, CAMILLE_BALANCE);
}

/// Waits (in real time, bounded) for a condition another task makes true.
async fn wait_until<F, Fut>(mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..500 {
        if condition().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the condition never held");
}
