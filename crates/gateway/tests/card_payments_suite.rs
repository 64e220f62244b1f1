//! Card payments through the service, the HTTP connector and the card sandbox over loopback, on
//! SQLite and PostgreSQL; the 3-D Secure challenge in a real headless browser.

mod card_support;

use browser::{Browser, LaunchOptions};
use card::{
    Acquirer, AcquirerError, AcquirerFuture, Action, AuthorizationRequest, AuthorizationState,
    LedgerStatus, OperationRequest, OperationResult, RemittanceTime, Remitted, ThreeDs,
};
use card_sandbox::Faults;
use card_support::{DAY_MS, Harness, NOW, Options, VALID_EXPIRY, rows};
use domain::clock::Clock;
use domain::contract::CardCode;
use domain::merchant::MerchantId;
use domain::return_code::ReturnCode;
use gateway::card_payments::{
    CardPaymentError, OperationState, OperationStatus, PaymentState, RECONCILE_JOB, REMITTANCE_JOB,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use testkit::TestDb;

testkit::backend_suite![
    every_test_card_yields_its_code,
    invalid_cards_never_reach_the_acquirer,
    at_most_three_attempts_per_session,
    timeout_after_authorizing_reconciles_to_one_authorization,
    lost_answers_are_reconciled_by_the_jobs,
    an_abandoned_challenge_ends_as_failed,
    capture_within_seven_days_once_up_to_the_authorization,
    reset_before_remittance_refund_after,
    remittance_batch_and_daily_job,
    three_ds_challenge_in_a_real_browser,
];

/// The frictionless test cards and the code each yields (4970100000000014 challenges).
const TEST_CARDS: [(&str, &str); 9] = [
    ("4970100000000006", "00000"),
    ("4970100000000022", "01100"),
    ("4970100000000030", "01116"),
    ("4970100000000048", "01101"),
    ("4970100000000055", "01130"),
    ("4970100000000063", "04002"),
    ("4970100000000071", "01199"),
    ("5555555555554444", "00000"),
    ("4111111111111111", "00000"),
];

async fn every_test_card_yields_its_code(db: TestDb) {
    let h = Harness::start(&db).await;
    for (number, code) in TEST_CARDS {
        the_card_yields(&h, number, code).await;
    }
    the_challenge_card_waits_for_the_acs(&h).await;
    a_frictionless_sale_is_captured_with_a_token(&h).await;
    a_visa_authorization_is_not_captured(&h).await;
    assert_eq!(
        h.sandbox.ledger().await.unwrap().len(),
        TEST_CARDS.len() + 3,
        "cvgate's and the acquirer's views agree"
    );
}

/// A sale with card `number` ends with `code`, its state, masked number, type and expiry right.
async fn the_card_yields(h: &Harness, number: &str, code: &str) {
    let tx = h
        .payments
        .pay(h.request(None, number, VALID_EXPIRY, "123"))
        .await
        .unwrap();
    assert_eq!(tx.result_code().code(), code, "{number}");
    assert_eq!(
        h.ledger(&tx.id).await.order_ref.as_deref(),
        Some("ORDER-1"),
        "the acquirer gets the order reference"
    );
    let expected = if code == "00000" {
        PaymentState::Accepted
    } else {
        PaymentState::Refused
    };
    assert_eq!(tx.state, expected, "{number}");
    assert_eq!(
        tx.masked_number,
        format!("{}XXXXXX{}", &number[..6], &number[12..])
    );
    assert_eq!(
        (tx.card_type, tx.expiry.as_str(), tx.id.len()),
        (CardCode::Cb, "1230", 14)
    );
}

/// The challenge card is in progress, its ACS page on the sandbox.
async fn the_challenge_card_waits_for_the_acs(h: &Harness) {
    let challenged = h
        .payments
        .pay(h.request(None, "4970100000000014", VALID_EXPIRY, "123"))
        .await
        .unwrap();
    assert_eq!(
        (challenged.state, challenged.result_code()),
        (PaymentState::ChallengeRequired, ReturnCode::InProgress)
    );
    let url = challenged.challenge_url.as_deref().unwrap();
    assert!(
        url.starts_with(&format!("{}/sandbox/acs/", h.base)),
        "{url}"
    );
}

/// A frictionless sale gets a card token and an authorization number, and is captured.
async fn a_frictionless_sale_is_captured_with_a_token(h: &Harness) {
    let accepted = h
        .payments
        .pay(h.request(None, "4970100000000006", VALID_EXPIRY, "123"))
        .await
        .unwrap();
    assert_eq!(accepted.three_ds, Some(ThreeDs::Frictionless));
    assert!(
        accepted.card_token.as_deref().unwrap().starts_with("tok_")
            && accepted.authorization_number.is_some()
    );
    let balances = accepted.balances.unwrap();
    assert_eq!(
        (
            balances.authorized,
            balances.captured,
            accepted.ledger_status()
        ),
        (1000, 1000, Some(LedgerStatus::Captured))
    );
}

/// An authorization (action 100) on the VISA contract is typed VISA and captures nothing.
async fn a_visa_authorization_is_not_captured(h: &Harness) {
    let authorization = h
        .payments
        .pay(gateway::card_payments::PayRequest {
            action: Action::Authorization,
            contract: h.visa.clone(),
            ..h.request(None, "4970100000000006", VALID_EXPIRY, "123")
        })
        .await
        .unwrap();
    assert_eq!(
        (
            authorization.card_type,
            authorization.balances.unwrap().captured
        ),
        (CardCode::Visa, 0)
    );
}

async fn invalid_cards_never_reach_the_acquirer(db: TestDb) {
    let h = Harness::start(&db).await;
    let invalid = |field| (field, ReturnCode::InvalidField);
    // An expiry in the past is refused 01101 (card-sandbox.md), other bad fields 02305.
    let cases = [
        (
            "4970100000000007",
            VALID_EXPIRY,
            "123",
            invalid("card.number"),
        ),
        ("49701000", VALID_EXPIRY, "123", invalid("card.number")),
        (
            "4970100000000006",
            "1026",
            "123",
            ("card.expiry", ReturnCode::CardExpired),
        ),
        ("4970100000000006", "13/30", "123", invalid("card.expiry")),
        ("4970100000000006", VALID_EXPIRY, "12", invalid("card.cvv")),
        ("378282246310005", VALID_EXPIRY, "123", invalid("card.cvv")),
    ];
    for (number, expiry, cvv, (field, code)) in cases {
        let error = h
            .payments
            .pay(h.request(Some("tok"), number, expiry, cvv))
            .await
            .unwrap_err();
        match &error {
            CardPaymentError::Invalid(e) => assert_eq!(e.field, field, "{number} {expiry} {cvv}"),
            other => panic!("{number}: expected a field error, got {other}"),
        }
        assert!(!error.to_string().contains(number), "{error}");
        assert_eq!(error.return_code(), code, "{number} {expiry} {cvv}");
    }
    let wrong_brand = h
        .payments
        .pay(gateway::card_payments::PayRequest {
            contract: h.visa.clone(),
            ..h.request(None, "5555555555554444", VALID_EXPIRY, "123")
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&wrong_brand, CardPaymentError::Invalid(e) if e.field == "card.number"),
        "{wrong_brand}"
    );
    let no_amount = h
        .payments
        .pay(gateway::card_payments::PayRequest {
            amount: 0,
            ..h.request(None, "4970100000000006", VALID_EXPIRY, "123")
        })
        .await
        .unwrap_err();
    assert_eq!(no_amount.return_code(), ReturnCode::InvalidAmount);
    let other_merchant = h
        .payments
        .pay(gateway::card_payments::PayRequest {
            merchant_id: MerchantId::parse("m", "999").unwrap(),
            ..h.request(None, "4970100000000006", VALID_EXPIRY, "123")
        })
        .await
        .unwrap_err();
    assert!(matches!(
        other_merchant,
        CardPaymentError::NotCardContract(_)
    ));
    assert_eq!(
        h.sandbox.authorization_requests(),
        0,
        "nothing reached the acquirer"
    );
    assert!(h.sandbox.ledger().await.unwrap().is_empty());
    assert_eq!(
        rows(&db, "card_transactions").await,
        0,
        "no transaction was created"
    );
}

async fn at_most_three_attempts_per_session(db: TestDb) {
    let h = Harness::start(&db).await;
    for attempt in 1..=3 {
        let tx = h
            .payments
            .pay(h.request(Some("tok-1"), "4970100000000022", VALID_EXPIRY, "123"))
            .await
            .unwrap();
        assert_eq!(
            (tx.attempt_number, tx.result_code().code()),
            (Some(attempt), "01100")
        );
    }
    let fourth = h
        .payments
        .pay(h.request(Some("tok-1"), "4970100000000006", VALID_EXPIRY, "123"))
        .await
        .unwrap_err();
    assert!(
        matches!(fourth, CardPaymentError::TooManyAttempts { .. }),
        "{fourth}"
    );
    assert_eq!(
        fourth.to_string(),
        "the 3 card payment attempts of this payment session are used"
    );
    assert_eq!(h.payments.attempts("tok-1").await.unwrap().len(), 3);

    let paid = h
        .payments
        .pay(h.request(Some("tok-2"), "4970100000000006", VALID_EXPIRY, "123"))
        .await
        .unwrap();
    assert_eq!(paid.state, PaymentState::Accepted);
    let again = h
        .payments
        .pay(h.request(Some("tok-2"), "4970100000000006", VALID_EXPIRY, "123"))
        .await
        .unwrap_err();
    assert!(
        matches!(again, CardPaymentError::AlreadyPaid { transaction_id, .. } if transaction_id == paid.id)
    );

    let challenged = h
        .payments
        .pay(h.request(Some("tok-3"), "4970100000000014", VALID_EXPIRY, "123"))
        .await
        .unwrap();
    let meanwhile = h
        .payments
        .pay(h.request(Some("tok-3"), "4970100000000006", VALID_EXPIRY, "123"))
        .await
        .unwrap_err();
    assert!(
        matches!(meanwhile, CardPaymentError::AttemptInProgress { transaction_id: Some(id), .. } if id == challenged.id)
    );

    for _ in 0..4 {
        let tx = h
            .payments
            .pay(h.request(None, "4970100000000022", VALID_EXPIRY, "123"))
            .await
            .unwrap();
        assert_eq!(tx.attempt_number, None, "no session, no attempt limit");
    }
    assert_eq!(h.sandbox.authorization_requests(), 3 + 1 + 1 + 4);
}

async fn timeout_after_authorizing_reconciles_to_one_authorization(db: TestDb) {
    let h = Harness::start_with(
        &db,
        Options {
            read_timeout: Duration::from_millis(500),
            ..Options::default()
        },
    )
    .await;
    h.sandbox
        .set_faults(Faults {
            timeout_after_authorizing: true,
            ..Faults::default()
        })
        .await
        .unwrap();
    let tx = h
        .payments
        .pay(h.request(Some("tok"), "4970100000000006", VALID_EXPIRY, "123"))
        .await
        .unwrap();
    assert_eq!(
        (tx.state, tx.result_code()),
        (PaymentState::Accepted, ReturnCode::Accepted)
    );
    assert_eq!(tx.balances.unwrap().captured, 1000);
    assert_eq!(
        h.sandbox.authorization_requests(),
        1,
        "never authorized twice"
    );
    let ledger = h.sandbox.ledger().await.unwrap();
    assert_eq!(
        ledger
            .iter()
            .filter(|row| row.authorized_amount > 0)
            .count(),
        1,
        "{ledger:?}"
    );
    assert_eq!(
        (ledger[0].reference.as_str(), ledger[0].captured_amount),
        (tx.id.as_str(), 1000)
    );
    assert_eq!(rows(&db, "card_transactions").await, 1);
}

/// Delegates to the sandbox, but loses answers: the authorization's, the first status, and the
/// first two answers of each operation (the acquirer did the work each time).
struct LostAnswers {
    inner: Arc<dyn Acquirer>,
    lost_status: AtomicUsize,
    lost_operations: AtomicUsize,
}

fn lose_answers(inner: Arc<dyn Acquirer>) -> Arc<dyn Acquirer> {
    Arc::new(LostAnswers {
        inner,
        lost_status: AtomicUsize::new(1),
        lost_operations: AtomicUsize::new(2),
    })
}

fn lost(operation: &'static str) -> AcquirerError {
    AcquirerError::OutcomeUnknown {
        operation,
        detail: "the answer was lost".into(),
    }
}

fn take(counter: &AtomicUsize) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

impl LostAnswers {
    fn operation<'a>(
        &'a self,
        kind: card::OperationKind,
        request: &'a OperationRequest,
    ) -> AcquirerFuture<'a, OperationResult> {
        Box::pin(async move {
            let answer = self.inner.operate(kind, request).await;
            if take(&self.lost_operations) {
                Err(lost("operation"))
            } else {
                answer
            }
        })
    }
}

impl Acquirer for LostAnswers {
    fn authorize<'a>(
        &'a self,
        request: &'a AuthorizationRequest<'a>,
    ) -> AcquirerFuture<'a, AuthorizationState> {
        Box::pin(async move {
            self.inner.authorize(request).await?;
            Err(lost("authorization"))
        })
    }

    fn complete_three_ds<'a>(
        &'a self,
        reference: &'a str,
        challenge_ref: &'a str,
    ) -> AcquirerFuture<'a, AuthorizationState> {
        self.inner.complete_three_ds(reference, challenge_ref)
    }

    fn status<'a>(&'a self, reference: &'a str) -> AcquirerFuture<'a, Option<AuthorizationState>> {
        Box::pin(async move {
            if take(&self.lost_status) {
                return Err(lost("status"));
            }
            self.inner.status(reference).await
        })
    }

    fn capture<'a>(&'a self, request: &'a OperationRequest) -> AcquirerFuture<'a, OperationResult> {
        self.operation(card::OperationKind::Capture, request)
    }

    fn reset<'a>(&'a self, request: &'a OperationRequest) -> AcquirerFuture<'a, OperationResult> {
        self.operation(card::OperationKind::Reset, request)
    }

    fn refund<'a>(&'a self, request: &'a OperationRequest) -> AcquirerFuture<'a, OperationResult> {
        self.operation(card::OperationKind::Refund, request)
    }

    fn remit<'a>(&'a self, references: &'a [String]) -> AcquirerFuture<'a, Vec<Remitted>> {
        self.inner.remit(references)
    }
}

async fn lost_answers_are_reconciled_by_the_jobs(db: TestDb) {
    let h = Harness::start_with(
        &db,
        Options {
            wrap: lose_answers,
            ..Options::default()
        },
    )
    .await;
    let request = gateway::card_payments::PayRequest {
        attempt_group: Some("tok".into()),
        ..h.authorization()
    };
    let tx = h.payments.pay(request).await.unwrap();
    assert_eq!(
        (tx.state, tx.result_code()),
        (PaymentState::Pending, ReturnCode::InProgress),
        "status unavailable: still unknown"
    );
    assert_eq!(
        h.worker.run_due().await.unwrap(),
        0,
        "the reconciliation waits a little"
    );
    h.clock.advance_millis(31_000);
    assert_eq!(h.worker.run_due().await.unwrap(), 1);
    let tx = h.payments.find(&tx.id).await.unwrap().unwrap();
    assert_eq!(tx.state, PaymentState::Accepted);
    assert_eq!(
        h.sandbox.authorization_requests(),
        1,
        "reconciled by status, not by a second authorization"
    );

    let report = h
        .payments
        .capture(&h.merchant, &tx.id, Some(400))
        .await
        .unwrap();
    assert_eq!(
        report.status,
        OperationStatus::Pending,
        "two answers lost: the job finishes it"
    );
    let operation = report.operation.unwrap();
    let blocked = h
        .payments
        .refund(&h.merchant, &tx.id, None)
        .await
        .unwrap_err();
    assert!(
        matches!(blocked, CardPaymentError::OperationInProgress { operation_id: Some(id), .. } if id == operation.id)
    );
    h.clock.advance_millis(31_000);
    assert_eq!(h.worker.run_due().await.unwrap(), 1);
    let operations = h.payments.operations(&tx.id).await.unwrap();
    assert_eq!(
        (
            operations.len(),
            operations[0].state,
            operations[0].return_code
        ),
        (1, OperationState::Done, Some(ReturnCode::Accepted))
    );
    let tx = h.payments.find(&tx.id).await.unwrap().unwrap();
    assert_eq!(tx.balances.unwrap().captured, 400);
    assert_eq!(
        h.ledger(&tx.id).await.captured_amount,
        400,
        "sent three times, captured once"
    );
}

async fn an_abandoned_challenge_ends_as_failed(db: TestDb) {
    let h = Harness::start(&db).await;
    let request = || h.request(Some("tok"), "4970100000000014", VALID_EXPIRY, "123");
    let tx = h.payments.pay(request()).await.unwrap();
    assert_eq!(tx.state, PaymentState::ChallengeRequired);
    assert_eq!(h.worker.run_due().await.unwrap(), 0, "the buyer has time");
    h.clock.advance_millis(11 * 60_000 + 1);
    assert_eq!(h.worker.run_due().await.unwrap(), 1, "one look, no loop");
    let tx = h.payments.find(&tx.id).await.unwrap().unwrap();
    assert_eq!(tx.result_code(), ReturnCode::ThreeDSecureFailed);
    let pending = h
        .store
        .read()
        .await
        .unwrap()
        .jobs()
        .pending(RECONCILE_JOB)
        .await
        .unwrap();
    assert!(pending.is_empty(), "nothing left to watch: {pending:?}");
    let retry = h.payments.pay(request()).await.unwrap();
    assert_eq!(retry.attempt_number, Some(2), "the session may try again");
}

/// What `doCapture` answers for `id`, `amount` (`None`: what is left).
async fn capture(h: &Harness, id: &str, amount: Option<i64>) -> ReturnCode {
    h.payments
        .capture(&h.merchant, id, amount)
        .await
        .unwrap()
        .code()
}

/// What `doRefund` answers for `id`, `amount` (`None`: what is left).
async fn refund(h: &Harness, id: &str, amount: Option<i64>) -> ReturnCode {
    h.payments
        .refund(&h.merchant, id, amount)
        .await
        .unwrap()
        .code()
}

/// What `doReset` answers for `id`, `amount` (`None`: what is left).
async fn reset(h: &Harness, id: &str, amount: Option<i64>) -> ReturnCode {
    h.payments
        .reset(&h.merchant, id, amount)
        .await
        .unwrap()
        .code()
}

async fn capture_within_seven_days_once_up_to_the_authorization(db: TestDb) {
    let h = Harness::start(&db).await;
    let tx = h.payments.pay(h.authorization()).await.unwrap();
    let early = h.payments.pay(h.authorization()).await.unwrap();
    let late = h.payments.pay(h.authorization()).await.unwrap();
    captured_once_up_to_the_authorization(&h, &tx.id).await;

    h.clock.advance_millis(7 * DAY_MS - 3_600_000);
    assert_eq!(
        capture(&h, &early.id, None).await,
        ReturnCode::Accepted,
        "within 7 days"
    );
    h.clock.advance_millis(2 * 3_600_000);
    let expired = h
        .payments
        .capture(&h.merchant, &late.id, None)
        .await
        .unwrap();
    assert_eq!(
        expired.code().code(),
        "01100",
        "after 7 days the authorization has expired"
    );

    let sale = only_an_authorization_of_ours_is_captured(&h, &tx.id).await;
    for (id, captured) in [
        (&tx.id, 600),
        (&early.id, 1000),
        (&late.id, 0),
        (&sale, 1000),
    ] {
        assert_eq!(
            h.ledger(id).await.captured_amount,
            captured,
            "the acquirer's ledger agrees"
        );
    }
}

/// Authorization `id` (10.00 EUR): over-capture refused, 6.00 captured, then no second capture.
async fn captured_once_up_to_the_authorization(h: &Harness, id: &str) {
    let over = h
        .payments
        .capture(&h.merchant, id, Some(1001))
        .await
        .unwrap();
    assert_eq!(
        (over.code().code(), over.operation),
        ("02613", None),
        "over-capture is refused before any call"
    );
    let done = h
        .payments
        .capture(&h.merchant, id, Some(600))
        .await
        .unwrap();
    assert_eq!(done.code(), ReturnCode::Accepted);
    let operation = done.operation.unwrap();
    assert_eq!(
        (operation.id.len(), operation.amount, operation.state),
        (14, 600, OperationState::Done)
    );
    assert_ne!(operation.id, id);
    assert_eq!(done.transaction.balances.unwrap().captured, 600);
    assert_eq!(capture(h, id, None).await.code(), "02617");
}

/// A sale (captured already) and a refused payment cannot be captured, nor another merchant's
/// authorization `id`; returns the sale's id.
async fn only_an_authorization_of_ours_is_captured(h: &Harness, id: &str) -> String {
    let sale = h
        .payments
        .pay(h.request(None, "4970100000000006", VALID_EXPIRY, "123"))
        .await
        .unwrap();
    assert_eq!(
        capture(h, &sale.id, None).await.code(),
        "02617",
        "101 is captured already"
    );
    let refused = h
        .payments
        .pay(h.request(None, "4970100000000022", VALID_EXPIRY, "123"))
        .await
        .unwrap();
    assert_eq!(
        capture(h, &refused.id, None).await,
        ReturnCode::InvalidField
    );
    let stranger = MerchantId::parse("m", "999").unwrap();
    assert!(matches!(
        h.payments.capture(&stranger, id, None).await,
        Err(CardPaymentError::UnknownTransaction(_))
    ));
    sale.id
}

async fn reset_before_remittance_refund_after(db: TestDb) {
    let h = Harness::start(&db).await;
    let sale = reset_then_remitted_then_refunded(&h).await;
    let auth = an_authorization_is_cancelled_once(&h).await;
    let (sale_row, auth_row) = (h.ledger(&sale).await, h.ledger(&auth).await);
    assert_eq!(
        (sale_row.state.as_str(), sale_row.refunded_amount),
        ("REFUNDED", 800)
    );
    assert_eq!(
        (auth_row.state.as_str(), auth_row.reset_amount),
        ("CANCELLED", 1000)
    );
}

/// A 10.00 EUR sale: no refund before remittance, a 2.00 reset, remittance, no reset after it,
/// then refunds up to the 8.00 remitted. Returns the sale's id.
async fn reset_then_remitted_then_refunded(h: &Harness) -> String {
    let m = &h.merchant;
    let sale = h
        .payments
        .pay(h.request(None, "4970100000000006", VALID_EXPIRY, "123"))
        .await
        .unwrap();
    assert_eq!(
        refund(h, &sale.id, Some(100)).await.code(),
        "02618",
        "refund before remittance"
    );
    assert_eq!(
        reset(h, &sale.id, Some(200)).await,
        ReturnCode::Accepted,
        "partial reset"
    );
    let report = h.payments.remit(h.clock.now()).await.unwrap();
    assert_eq!(report.remitted, std::slice::from_ref(&sale.id));
    assert_eq!(
        reset(h, &sale.id, None).await.code(),
        "02603",
        "reset after remittance"
    );
    assert_eq!(refund(h, &sale.id, Some(300)).await, ReturnCode::Accepted);
    assert_eq!(refund(h, &sale.id, Some(300)).await, ReturnCode::Accepted);
    assert_eq!(
        refund(h, &sale.id, Some(300)).await.code(),
        "02613",
        "beyond the remitted 800"
    );
    let last = h.payments.refund(m, &sale.id, None).await.unwrap();
    assert_eq!(
        (last.code(), last.operation.unwrap().amount),
        (ReturnCode::Accepted, 200)
    );
    let balances = last.transaction.balances.unwrap();
    assert_eq!(
        (balances.remitted, balances.refunded, balances.status()),
        (800, 800, LedgerStatus::Refunded)
    );
    let kinds: Vec<(&str, i64)> = h
        .payments
        .operations(&sale.id)
        .await
        .unwrap()
        .iter()
        .map(|op| (op.kind.as_str(), op.amount))
        .collect();
    assert_eq!(
        kinds,
        [
            ("RESET", 200),
            ("REFUND", 300),
            ("REFUND", 300),
            ("REFUND", 200)
        ],
        "refused operations are not recorded"
    );
    sale.id
}

/// An authorization reset in full is cancelled: no second reset, no capture. Returns its id.
async fn an_authorization_is_cancelled_once(h: &Harness) -> String {
    let auth = h.payments.pay(h.authorization()).await.unwrap();
    let cancelled = h.payments.reset(&h.merchant, &auth.id, None).await.unwrap();
    assert_eq!(
        (cancelled.code(), cancelled.transaction.ledger_status()),
        (ReturnCode::Accepted, Some(LedgerStatus::Cancelled))
    );
    assert_eq!(reset(h, &auth.id, None).await.code(), "02601");
    assert_eq!(capture(h, &auth.id, None).await.code(), "02601");
    auth.id
}

async fn remittance_batch_and_daily_job(db: TestDb) {
    let h = Harness::start(&db).await;
    let m = &h.merchant;
    let sale = h.payments.pay(h.sale()).await.unwrap();
    let uncaptured = h.payments.pay(h.authorization()).await.unwrap();
    let captured = h.payments.pay(h.authorization()).await.unwrap();
    h.payments
        .capture(m, &captured.id, Some(500))
        .await
        .unwrap();
    let cancelled = h.payments.pay(h.sale()).await.unwrap();
    h.payments.reset(m, &cancelled.id, None).await.unwrap();
    let mut remitted = h.payments.remit(NOW).await.unwrap().remitted;
    remitted.sort();
    let mut expected = vec![sale.id.clone(), captured.id.clone()];
    expected.sort();
    assert_eq!(remitted, expected);
    assert!(
        h.payments.remit(NOW).await.unwrap().remitted.is_empty(),
        "remitted once"
    );
    for (id, status) in [
        (&sale.id, LedgerStatus::Remitted),
        (&uncaptured.id, LedgerStatus::Authorized),
        (&cancelled.id, LedgerStatus::Cancelled),
    ] {
        assert_eq!(
            h.payments.find(id).await.unwrap().unwrap().ledger_status(),
            Some(status)
        );
    }
    for (id, state) in [
        (&sale.id, "REMITTED"),
        (&uncaptured.id, "AUTHORIZED"),
        (&captured.id, "REMITTED"),
        (&cancelled.id, "CANCELLED"),
    ] {
        assert_eq!(
            h.ledger(id).await.state,
            state,
            "the acquirer's ledger agrees"
        );
    }

    // The daily job: 23:00 Paris is 22:00 UTC on 2026-11-27 (CET).
    let next = h.payments.schedule_remittance().await.unwrap();
    assert_eq!(next.to_rfc3339(), "2026-11-27T22:00:00.000Z");
    assert_eq!(next, RemittanceTime::DEFAULT.next_run(NOW));
    let later = h.payments.pay(h.sale()).await.unwrap();
    assert_eq!(h.worker.run_due().await.unwrap(), 0);
    h.clock.advance_millis(next.millis() - NOW.millis());
    // The remittance, and the reconciliation checks recorded with each payment (nothing to do).
    assert!(h.worker.run_due().await.unwrap() >= 1);
    let later = h.payments.find(&later.id).await.unwrap().unwrap();
    assert_eq!(later.ledger_status(), Some(LedgerStatus::Remitted));
    let pending = h
        .store
        .read()
        .await
        .unwrap()
        .jobs()
        .pending(REMITTANCE_JOB)
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        pending[0].run_at.to_rfc3339(),
        "2026-11-28T22:00:00.000Z",
        "and again the next evening"
    );
}

async fn three_ds_challenge_in_a_real_browser(db: TestDb) {
    if browser::require_or_skip("three_ds_challenge_in_a_real_browser").is_some() {
        return;
    }
    let h = Harness::start(&db).await;
    // (session, ?lang, code typed, expected label, expected result); the browser prefers French.
    let flows = [
        ("tok-fr-ok", "", "1234", "Code de confirmation", "00000"),
        ("tok-fr-ko", "", "4321", "Code de confirmation", "03003"),
        (
            "tok-en-ok",
            "?lang=en",
            "1234",
            "Confirmation code",
            "00000",
        ),
        (
            "tok-en-ko",
            "?lang=en",
            "0000",
            "Confirmation code",
            "03003",
        ),
    ];
    let mut challenges = Vec::new();
    for (group, query, code, label, result) in flows {
        let tx = h
            .payments
            .pay(h.request(Some(group), "4970100000000014", VALID_EXPIRY, "123"))
            .await
            .unwrap();
        assert_eq!(tx.state, PaymentState::ChallengeRequired);
        let url = format!("{}{query}", tx.challenge_url.as_deref().unwrap());
        challenges.push((tx.id, url, code, label, result));
    }
    let pages: Vec<(String, String, &str, &str, &str)> = challenges.clone();
    // The browser crate's waits are not `Send`: they run on a thread of their own.
    let driven = tokio::task::spawn_blocking(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(answer_challenges(pages))
    });
    driven
        .await
        .unwrap_or_else(|error| std::panic::resume_unwind(error.into_panic()));
    for (id, _, _, _, result) in challenges {
        let tx = h.payments.find(&id).await.unwrap().unwrap();
        assert_eq!(tx.result_code().code(), result, "{id}");
    }
}

/// On each ACS page: the label in the right language, the focused code field with a visible
/// outline, a malformed code announced, then the code; cvgate's return page shows the result.
async fn answer_challenges(pages: Vec<(String, String, &str, &str, &str)>) {
    let wait = Duration::from_secs(20);
    let browser = Browser::launch(LaunchOptions::default().accept_language("fr-FR"))
        .await
        .unwrap();
    for (id, url, code, label, result) in pages {
        browser.goto(&url).await.unwrap();
        assert_eq!(
            browser
                .find("label[for=code]")
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
            label
        );
        let focus = browser
            .execute(
                "const e = document.activeElement; const s = getComputedStyle(e); return [e.id, s.outlineStyle, s.outlineWidth];",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(focus, serde_json::json!(["code", "solid", "3px"]), "{id}");
        browser
            .find("#code")
            .await
            .unwrap()
            .send_keys("12")
            .await
            .unwrap();
        browser
            .find("#confirm")
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let alert = browser.wait_for("[role=alert]", wait).await.unwrap();
        assert!(!alert.text().await.unwrap().is_empty());
        let field = browser.find("#code").await.unwrap();
        assert_eq!(
            field.attribute("aria-invalid").await.unwrap().as_deref(),
            Some("true")
        );
        field.send_keys(code).await.unwrap();
        browser
            .find("#confirm")
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        browser
            .wait_for_text("#result", result, wait)
            .await
            .unwrap();
    }
    browser.quit().await.unwrap();
}
