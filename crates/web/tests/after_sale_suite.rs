//! After the sale over SOAP (DirectPaymentAPI, ExtendedAPI): refunds of both parts of a split
//! payment, resets and the remittance boundary, sequenceNumber replays under concurrency,
//! getTransactionDetails and transactionsSearch, doCapture of an authorization, and the TRS
//! notifications after-sale changes send to the merchant.

mod support;

use support::{
    CARD_OK, DoWebPayment, ENVELOPE_END, ENVELOPE_START, Harness, MerchantEndpoint, answer_acs,
    card_form, do_refund, merchant_endpoint, payment, sequence, soap_value,
};
use testkit::TestDb;

testkit::backend_suite![
    refunds_of_a_split_payment,
    reset_before_remittance_and_refund_after,
    ten_identical_refunds_make_one,
    concurrent_refunds_never_exceed_the_captured_amount,
    transaction_details_with_history_after_settlement,
    transactions_search_periods_and_criteria,
    a_search_finds_matches_behind_a_busy_period,
    do_authorization_takes_cards_not_ancv,
    absurd_search_dates_are_invalid_fields,
    details_show_the_ancv_transaction_id,
    details_list_the_refused_card_attempts_of_the_session,
    details_show_the_reset_cvgate_made_after_a_cancellation,
    do_capture_captures_an_authorization_once_up_to_its_amount,
    do_capture_is_refused_on_a_sale_already_captured_and_on_ancv,
    an_authorization_is_remitted_only_once_captured,
    refunds_of_both_parts_of_a_split_payment_are_told_to_the_merchant,
    a_reset_is_told_only_to_a_sale_with_a_notification_url,
];

/// Refused 01100 (do not honour).
const CARD_REFUSED: &str = "4970100000000022";

fn do_reset(transaction: &str) -> String {
    format!(
        "{ENVELOPE_START}<impl:doResetRequest><impl:version>34</impl:version><impl:transactionID>{transaction}</impl:transactionID><impl:comment>test</impl:comment></impl:doResetRequest>{ENVELOPE_END}"
    )
}

fn details(transaction: Option<&str>, order_ref: Option<&str>) -> String {
    let id = transaction.map_or(String::new(), |t| {
        format!("<impl:transactionId>{t}</impl:transactionId>")
    });
    let order = order_ref.map_or(String::new(), |r| {
        format!("<impl:orderRef>{r}</impl:orderRef>")
    });
    format!(
        "{ENVELOPE_START}<impl:getTransactionDetailsRequest><impl:version>34</impl:version>{id}{order}<impl:transactionHistory>Y</impl:transactionHistory></impl:getTransactionDetailsRequest>{ENVELOPE_END}"
    )
}

fn search(start: &str, end: &str, order_ref: Option<&str>) -> String {
    let order = order_ref.map_or(String::new(), |r| {
        format!("<impl:orderRef>{r}</impl:orderRef>")
    });
    search_by(start, end, &order)
}

/// transactionsSearch over a period with `criteria` (request elements, as XML).
fn search_by(start: &str, end: &str, criteria: &str) -> String {
    format!(
        "{ENVELOPE_START}<impl:transactionsSearchRequest><impl:version>34</impl:version><impl:startDate>{start}</impl:startDate><impl:endDate>{end}</impl:endDate>{criteria}</impl:transactionsSearchRequest>{ENVELOPE_END}"
    )
}

/// The result code of one call.
async fn answer_code(h: &Harness, api: &str, envelope: &str) -> String {
    code(&h.soap(api, envelope).await.1)
}

fn code(body: &str) -> String {
    soap_value(body, &["result", "code"]).unwrap_or_default()
}

/// A split payment: 25.00 € in vouchers (camille), 35.00 € by card. Returns the token, the ANCV
/// transaction id and the card transaction id.
async fn split_payment(h: &Harness) -> (String, String, String) {
    let token = h.do_web_payment(&DoWebPayment::default()).await;
    h.pay_split(&token, 2_500).await;
    let (ancv, card) = h.split_ids(&token).await;
    (token, ancv, card)
}

async fn card_only_payment(h: &Harness) -> String {
    card_only_payment_notifying(h, None).await
}

/// A card-only web payment of 60.00 €, accepted, whose request had `notification_url`; returns
/// its transaction id.
async fn card_only_payment_notifying(h: &Harness, notification_url: Option<&str>) -> String {
    let request = DoWebPayment {
        contract: "CB-DEMO",
        selected: &["CB-DEMO"],
        email: None,
        notification_url,
        ..DoWebPayment::default()
    };
    let token = h.do_web_payment(&request).await;
    let fields = [
        ("contract", "CB-DEMO"),
        ("number", "4970100000000006"),
        ("expiry", "12/30"),
        ("cvv", "123"),
    ];
    h.post_form(&token, "card", &fields).await;
    soap_value(&h.details(&token).await, &["transaction", "id"]).unwrap()
}

async fn remit(h: &Harness) {
    h.web_payments
        .card()
        .remit(domain::clock::Clock::now(&*h.clock))
        .await
        .unwrap();
}

async fn refunds_of_a_split_payment(db: TestDb) {
    let h = Harness::start(&db).await;
    let (_, ancv, card) = split_payment(&h).await;
    assert_eq!(
        answer_code(
            &h,
            "DirectPaymentAPI",
            &do_refund(&card, 1_000, "CB-DEMO", None)
        )
        .await,
        "02618",
        "not remitted yet"
    );
    remit(&h).await;
    let (status, first) = h
        .soap(
            "DirectPaymentAPI",
            &do_refund(&card, 1_000, "CB-DEMO", None),
        )
        .await;
    assert_eq!((status, code(&first)), (200, "00000".to_owned()), "{first}");
    let refund_id = soap_value(&first, &["transaction", "id"]).unwrap();
    assert_ne!(refund_id, card, "a refund is a new transaction");
    assert_eq!(
        answer_code(
            &h,
            "DirectPaymentAPI",
            &do_refund(&card, 1_000, "CB-DEMO", None)
        )
        .await,
        "00000"
    );
    assert_eq!(
        answer_code(
            &h,
            "DirectPaymentAPI",
            &do_refund(&card, 2_000, "CB-DEMO", None)
        )
        .await,
        "02613",
        "only 15.00 € left"
    );

    let before = h.sandbox.beneficiary("10000000001").await.unwrap().balance;
    assert_eq!(
        answer_code(
            &h,
            "DirectPaymentAPI",
            &do_refund(&ancv, 1_000, "ANCV-DEMO", None)
        )
        .await,
        "02612",
        "ANCV refunds are full"
    );
    let (_, full) = h
        .soap(
            "DirectPaymentAPI",
            &do_refund(&ancv, 2_500, "ANCV-DEMO", None),
        )
        .await;
    assert_eq!(code(&full), "00000", "{full}");
    assert_eq!(
        soap_value(&full, &["result", "partnerCode"]).as_deref(),
        Some("CANCELLED")
    );
    assert_eq!(
        h.sandbox.beneficiary("10000000001").await.unwrap().balance,
        before + 2_500,
        "the vouchers are back"
    );
    assert_eq!(
        answer_code(
            &h,
            "DirectPaymentAPI",
            &do_refund(&ancv, 2_500, "ANCV-DEMO", None)
        )
        .await,
        "02613",
        "once"
    );
}

async fn reset_before_remittance_and_refund_after(db: TestDb) {
    let h = Harness::start(&db).await;
    let reset_me = card_only_payment(&h).await;
    let refund_me = card_only_payment(&h).await;
    assert_eq!(
        answer_code(&h, "DirectPaymentAPI", &do_reset(&reset_me)).await,
        "00000",
        "reset before remittance"
    );
    assert_eq!(
        answer_code(&h, "DirectPaymentAPI", &do_reset(&reset_me)).await,
        "02601",
        "reset already done"
    );
    assert_eq!(
        answer_code(
            &h,
            "DirectPaymentAPI",
            &do_refund(&refund_me, 6_000, "CB-DEMO", None)
        )
        .await,
        "02618"
    );
    remit(&h).await;
    assert_eq!(
        answer_code(&h, "DirectPaymentAPI", &do_reset(&refund_me)).await,
        "02603",
        "not resettable: use doRefund"
    );
    assert_eq!(
        answer_code(
            &h,
            "DirectPaymentAPI",
            &do_refund(&refund_me, 6_000, "CB-DEMO", None)
        )
        .await,
        "00000"
    );
}

async fn ten_identical_refunds_make_one(db: TestDb) {
    let h = Harness::start(&db).await;
    let card = card_only_payment(&h).await;
    remit(&h).await;
    let envelope = do_refund(&card, 1_000, "CB-DEMO", Some("seq-1"));
    let calls = (0..10).map(|_| h.soap("DirectPaymentAPI", &envelope));
    let answers = testkit::join_all(calls).await;
    let first = &answers[0].1;
    assert_eq!(code(first), "00000", "{first}");
    for (status, body) in &answers {
        assert_eq!(
            (*status, body),
            (200, first),
            "every repeat gets the first answer"
        );
    }
    let operations = h.web_payments.card().operations(&card).await.unwrap();
    assert_eq!(operations.len(), 1, "one refund: {operations:?}");
}

async fn concurrent_refunds_never_exceed_the_captured_amount(db: TestDb) {
    let h = Harness::start(&db).await;
    let card = card_only_payment(&h).await;
    remit(&h).await;
    let envelopes: Vec<String> = (0..10)
        .map(|n| do_refund(&card, 1_000, "CB-DEMO", Some(&format!("seq-{n}"))))
        .collect();
    let answers = testkit::join_all(envelopes.iter().map(|e| h.soap("DirectPaymentAPI", e))).await;
    let accepted = answers
        .iter()
        .filter(|(_, body)| code(body) == "00000")
        .count();
    assert!(accepted <= 6, "6 × 10.00 € at most on 60.00 €: {accepted}");
    let refunded: i64 = h
        .web_payments
        .card()
        .operations(&card)
        .await
        .unwrap()
        .iter()
        .filter(|op| op.state == gateway::card_payments::OperationState::Done)
        .map(|op| op.amount)
        .sum();
    assert!(refunded <= 6_000, "refunded {refunded} of 6000");
    assert_eq!(
        refunded,
        accepted as i64 * 1_000,
        "every accepted answer is one refund"
    );
}

async fn transaction_details_with_history_after_settlement(db: TestDb) {
    let h = Harness::start(&db).await;
    let (_, ancv, card) = split_payment(&h).await;
    h.sandbox.settle().await.unwrap();
    h.run_jobs().await;
    let (_, body) = h.soap("ExtendedAPI", &details(Some(&ancv), None)).await;
    assert_eq!(code(&body), "00000", "{body}");
    assert_eq!(
        soap_value(&body, &["transaction", "id"]),
        Some(ancv.clone())
    );
    let doc = soap::xml::parse(body.as_bytes()).unwrap();
    let response = &doc.child("Body").unwrap().children[0];
    let statuses: Vec<String> = response
        .child("statusHistoryList")
        .expect("history asked")
        .children
        .iter()
        .filter_map(|entry| entry.value("status").map(str::to_owned))
        .collect();
    for state in ["VALIDATED", "CONSIGNED", "PAID"] {
        assert!(
            statuses.iter().any(|s| s == state),
            "{state} in {statuses:?}"
        );
    }
    assert_eq!(
        soap_value(
            &body,
            &[
                "paymentAdditionalList",
                "paymentAdditional",
                "transaction",
                "id"
            ]
        ),
        Some(card.clone())
    );
    let (_, by_card) = h.soap("ExtendedAPI", &details(Some(&card), None)).await;
    assert_eq!(
        soap_value(&by_card, &["card", "number"]).as_deref(),
        Some("497010XXXXXX0006")
    );
    let (_, by_order) = h
        .soap("ExtendedAPI", &details(None, Some("order-42")))
        .await;
    assert_eq!(
        code(&by_order),
        "02305",
        "order-42 names two transactions (ANCV and card)"
    );
    let (_, unknown) = h
        .soap("ExtendedAPI", &details(Some("99999999999999"), None))
        .await;
    assert_eq!(code(&unknown), "02305");
}

async fn transactions_search_periods_and_criteria(db: TestDb) {
    let h = Harness::start(&db).await;
    let (_, ancv, card) = split_payment(&h).await;
    assert_eq!(
        answer_code(&h, "ExtendedAPI", &search("01/11/2026", "30/12/2026", None)).await,
        "02320",
        "longer than 31 days"
    );
    assert_eq!(
        answer_code(&h, "ExtendedAPI", &search("01/01/2026", "15/01/2026", None)).await,
        "02310",
        "nothing then"
    );
    let (_, found) = h
        .soap(
            "ExtendedAPI",
            &search("20/11/2026", "30/11/2026", Some("order-42")),
        )
        .await;
    assert_eq!(code(&found), "00000", "{found}");
    assert!(found.contains(&ancv) && found.contains(&card), "{found}");
}

/// transactionsSearch applies its limit after the criteria: behind more than `MAX_SEARCH_ROWS`
/// other transactions of the period, the split payment is found by order reference, by return
/// code (which cvgate derives from the state, page after page) and by the buyer's e-mail.
async fn a_search_finds_matches_behind_a_busy_period(db: TestDb) {
    let h = Harness::start(&db).await;
    busy_period(&h, gateway::after_sale::MAX_SEARCH_ROWS + 1).await;
    let (_, ancv, card) = split_payment(&h).await;
    for criteria in [
        "<impl:orderRef>order-42</impl:orderRef>",
        "<impl:returnCode>00000</impl:returnCode>",
        "<impl:email>Camille.Martin@example.com</impl:email>",
    ] {
        let (_, found) = h
            .soap(
                "ExtendedAPI",
                &search_by("20/11/2026", "30/11/2026", criteria),
            )
            .await;
        assert_eq!(code(&found), "00000", "{criteria}: {found}");
        assert!(
            found.contains(&ancv) && found.contains(&card),
            "{criteria}: {found}"
        );
        assert!(
            !found.contains("busy-"),
            "{criteria}: only the split payment matches"
        );
    }
}

/// `count` ANCV payments of other orders, still waiting for the app (on hold, 02000-ish), made in
/// the hour before now: older than anything the test makes next.
async fn busy_period(h: &Harness, count: i64) {
    use domain::ancv_payment::{AncvPayment, AncvPaymentState};
    let now = domain::clock::Clock::now(&*h.clock);
    let mut uow = h.store.write().await.unwrap();
    for n in 0..count {
        let at = now.plus_millis(-3_600_000 + n);
        let payment = AncvPayment {
            payment_id: format!("busy-{n:05}"),
            merchant_id: h.merchant_id.clone(),
            contract_number: domain::contract::ContractNumber::parse("contract", "ANCV-DEMO")
                .unwrap(),
            shop_id: "900001".into(),
            order_ref: format!("busy-order-{n}"),
            label: None,
            amount: 1_000,
            currency: domain::money::Currency::EUR,
            beneficiary_id: "busy@example.com".into(),
            ancv_id: None,
            state: AncvPaymentState::Requested,
            validated_amount: None,
            authorization_number: None,
            holder: None,
            partner_code: None,
            expires_at: None,
            web_payment_token: None,
            created_at: at,
            updated_at: at,
        };
        uow.ancv_payments().insert(&payment).await.unwrap();
    }
    uow.commit().await.unwrap();
}

async fn do_authorization_takes_cards_not_ancv(db: TestDb) {
    let h = Harness::start(&db).await;
    let request = |contract: &str| {
        format!(
            "{ENVELOPE_START}<impl:doAuthorizationRequest><impl:version>34</impl:version>{}<impl:card><obj:number>4970100000000006</obj:number><obj:type>CB</obj:type><obj:expirationDate>1230</obj:expirationDate><obj:cvx>123</obj:cvx></impl:card><impl:order><obj:ref>direct-1</obj:ref><obj:amount>4200</obj:amount><obj:currency>978</obj:currency><obj:date>27/11/2026 11:00</obj:date></impl:order></impl:doAuthorizationRequest>{ENVELOPE_END}",
            payment(4_200, "101", contract)
        )
    };
    let (_, accepted) = h.soap("DirectPaymentAPI", &request("CB-DEMO")).await;
    assert_eq!(code(&accepted), "00000", "{accepted}");
    assert_eq!(
        soap_value(&accepted, &["card", "number"]).as_deref(),
        Some("497010XXXXXX0006")
    );
    assert!(
        !accepted.contains("4970100000000006"),
        "the full number never comes back"
    );
    assert_eq!(
        answer_code(&h, "DirectPaymentAPI", &request("ANCV-DEMO")).await,
        "02321"
    );
    // card-sandbox.md: an expiry in the past is refused 01101, whatever the number.
    let expired = request("CB-DEMO").replace(">1230<", ">1025<");
    assert_eq!(answer_code(&h, "DirectPaymentAPI", &expired).await, "01101");
}

/// Dates no calendar holds, or years far out, are refused as an invalid field (02305): no
/// overflow, no server fault.
async fn absurd_search_dates_are_invalid_fields(db: TestDb) {
    let h = Harness::start(&db).await;
    for (start, end) in [
        ("01/01/99999", "02/01/99999"),
        ("01/01/-2000", "02/01/2026"),
        ("31/12/9999", "31/12/9999"),
        ("01/01/0000", "01/01/0000"),
        ("01/01/18446744073709551617", "01/01/2026"),
        ("31/02/2026", "01/03/2026"),
    ] {
        let (status, body) = h.soap("ExtendedAPI", &search_by(start, end, "")).await;
        assert_eq!(status, 200, "{start}–{end}: {body}");
        assert_eq!(code(&body), "02305", "{start}–{end}: {body}");
    }
}

/// The ANCV transaction of a split payment names ANCV's own id in
/// `transaction.partnerAdditionalData`, in getTransactionDetails and getWebPaymentDetails alike;
/// the card part has none.
async fn details_show_the_ancv_transaction_id(db: TestDb) {
    let h = Harness::start(&db).await;
    let (token, ancv, card) = split_payment(&h).await;
    let snapshot = h.web_payments.snapshot(&token).await.unwrap();
    let ancv_id = snapshot.ancv.unwrap().ancv_id.expect("ANCV gave an id");
    assert_eq!(
        h.ancv_status(&ancv_id).await.id,
        ancv_id,
        "the ANCV sandbox knows it"
    );
    let expected = Some(format!("ancvTransactionId={ancv_id}"));
    let (_, by_ancv) = h.soap("ExtendedAPI", &details(Some(&ancv), None)).await;
    assert_eq!(
        soap_value(&by_ancv, &["transaction", "partnerAdditionalData"]),
        expected,
        "{by_ancv}"
    );
    let web_details = h.details(&token).await;
    assert_eq!(
        soap_value(&web_details, &["transaction", "partnerAdditionalData"]),
        expected,
        "{web_details}"
    );
    let (_, by_card) = h.soap("ExtendedAPI", &details(Some(&card), None)).await;
    assert_eq!(
        soap_value(&by_card, &["transaction", "partnerAdditionalData"]),
        None
    );
}

/// `associatedTransactionsList` of a getTransactionDetails answer: (transactionId, type, amount,
/// status) of each entry.
fn associated(body: &str) -> Vec<(String, String, String, String)> {
    let doc = soap::xml::parse(body.as_bytes()).unwrap();
    let response = &doc.child("Body").unwrap().children[0];
    let Some(list) = response.child("associatedTransactionsList") else {
        return vec![];
    };
    let field = |entry: &soap::xml::Element, name: &str| entry.value(name).unwrap_or("").to_owned();
    list.children
        .iter()
        .map(|entry| {
            (
                field(entry, "transactionId"),
                field(entry, "type"),
                field(entry, "amount"),
                field(entry, "status"),
            )
        })
        .collect()
}

/// `status` of each `statusHistoryList` entry.
fn history(body: &str) -> Vec<String> {
    let doc = soap::xml::parse(body.as_bytes()).unwrap();
    let response = &doc.child("Body").unwrap().children[0];
    response
        .child("statusHistoryList")
        .map(|list| {
            list.children
                .iter()
                .filter_map(|entry| entry.value("status").map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn entry(id: &str, kind: &str, amount: &str, status: &str) -> (String, String, String, String) {
    (id.into(), kind.into(), amount.into(), status.into())
}

/// A card refused 01100, then one accepted: getTransactionDetails of the ANCV transaction and
/// of the paying card both list the refused attempt with its code.
async fn details_list_the_refused_card_attempts_of_the_session(db: TestDb) {
    let h = Harness::start(&db).await;
    let token = h.partially_validated().await;
    h.post_form(&token, "card", &card_form(CARD_REFUSED)).await;
    h.post_form(&token, "card", &card_form(CARD_OK)).await;
    let (ancv, card) = h.split_ids(&token).await;
    let attempts = h.web_payments.card().attempts(&token).await.unwrap();
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    let refused = entry(&attempts[0].id, "AUTHOR+CAP", "3500", "REFUSED_01100");
    let (_, by_ancv) = h.soap("ExtendedAPI", &details(Some(&ancv), None)).await;
    assert_eq!(
        associated(&by_ancv),
        std::slice::from_ref(&refused),
        "the paying card is in paymentAdditionalList: {by_ancv}"
    );
    let (_, by_card) = h.soap("ExtendedAPI", &details(Some(&card), None)).await;
    assert_eq!(associated(&by_card), [refused], "{by_card}");
}

/// The buyer cancels in another tab while on the ACS page, then passes the challenge: the card
/// is accepted for a session that no longer wants it, and cvgate resets it. getTransactionDetails
/// shows the attempt waiting for its challenge, then cvgate's reset, marked as cvgate's.
async fn details_show_the_reset_cvgate_made_after_a_cancellation(db: TestDb) {
    let h = Harness::start(&db).await;
    let token = h.partially_validated().await;
    let ancv = h
        .web_payments
        .snapshot(&token)
        .await
        .unwrap()
        .ancv
        .unwrap()
        .payment_id;
    let acs = h.start_challenge(&token).await;
    let card = h.web_payments.card().attempts(&token).await.unwrap()[0]
        .id
        .clone();
    let (_, waiting) = h.soap("ExtendedAPI", &details(Some(&ancv), None)).await;
    assert_eq!(
        associated(&waiting),
        [entry(&card, "AUTHOR+CAP", "3500", "CHALLENGE")],
        "{waiting}"
    );
    let (status, _) = h.post_form(&token, "cancel", &[]).await;
    assert_eq!(status, 303);
    let back = answer_acs(&acs).await;
    h.http.get(&back).send().await.unwrap();
    for _ in 0..3 {
        h.advance(60_000).await;
    }
    let operations = h.web_payments.card().operations(&card).await.unwrap();
    assert_eq!(
        operations.len(),
        1,
        "cvgate gave the card back: {operations:?}"
    );
    let reset = entry(&operations[0].id, "RESET", "3500", "DONE_BY_CVGATE");
    let (_, by_card) = h.soap("ExtendedAPI", &details(Some(&card), None)).await;
    assert_eq!(code(&by_card), "00000", "{by_card}");
    assert_eq!(
        associated(&by_card),
        std::slice::from_ref(&reset),
        "{by_card}"
    );
    assert_eq!(
        history(&by_card),
        ["ACCEPTED", "RESET_DONE_BY_CVGATE"],
        "{by_card}"
    );
    let (_, by_ancv) = h.soap("ExtendedAPI", &details(Some(&ancv), None)).await;
    assert_eq!(
        associated(&by_ancv),
        [entry(&card, "AUTHOR+CAP", "3500", "ACCEPTED"), reset],
        "{by_ancv}"
    );
    assert_eq!(
        soap_value(
            &by_ancv,
            &[
                "paymentAdditionalList",
                "paymentAdditional",
                "transaction",
                "id"
            ]
        ),
        None,
        "a card the session does not count on is not its complementary payment"
    );
}

/// A doAuthorization of the frictionless test card for `amount` on `contract`; `action` 100
/// authorizes only, 101 captures at once.
fn do_authorization(amount: i64, action: &str, contract: &str) -> String {
    format!(
        "{ENVELOPE_START}<impl:doAuthorizationRequest><impl:version>34</impl:version>{}<impl:card><obj:number>{CARD_OK}</obj:number><obj:type>CB</obj:type><obj:expirationDate>1230</obj:expirationDate><obj:cvx>123</obj:cvx></impl:card><impl:order><obj:ref>direct-2</obj:ref><obj:amount>{amount}</obj:amount><obj:currency>978</obj:currency><obj:date>27/11/2026 11:00</obj:date></impl:order></impl:doAuthorizationRequest>{ENVELOPE_END}",
        payment(amount, action, contract)
    )
}

fn do_capture(transaction: &str, amount: i64, sequence_number: Option<&str>) -> String {
    format!(
        "{ENVELOPE_START}<impl:doCaptureRequest><impl:version>34</impl:version><impl:transactionID>{transaction}</impl:transactionID>{}{}</impl:doCaptureRequest>{ENVELOPE_END}",
        payment(amount, "201", "CB-DEMO"),
        sequence(sequence_number)
    )
}

/// An accepted doAuthorization of `amount` with `action`; returns its transaction id.
async fn authorization(h: &Harness, amount: i64, action: &str) -> String {
    let (_, body) = h
        .soap(
            "DirectPaymentAPI",
            &do_authorization(amount, action, "CB-DEMO"),
        )
        .await;
    assert_eq!(code(&body), "00000", "{body}");
    soap_value(&body, &["transaction", "id"]).expect("a transaction id")
}

/// What the card sandbox captured on a transaction (minor units).
async fn captured_at_the_acquirer(h: &Harness, transaction_id: &str) -> i64 {
    h.card_sandbox
        .ledger()
        .await
        .unwrap()
        .into_iter()
        .find(|row| row.reference == transaction_id)
        .expect("the acquirer has the transaction")
        .captured_amount
}

/// doCapture of an action-100 authorization: above the authorized amount 02613 (nothing
/// captured), then the whole amount 00000 as a new CAPTURE transaction that getTransactionDetails
/// lists, replayed by its sequenceNumber, and any other capture after it 02617.
async fn do_capture_captures_an_authorization_once_up_to_its_amount(db: TestDb) {
    let h = Harness::start(&db).await;
    let authorized = authorization(&h, 4_200, "100").await;
    let (_, before) = h
        .soap("ExtendedAPI", &details(Some(&authorized), None))
        .await;
    assert_eq!(
        soap_value(&before, &["transaction", "type"]).as_deref(),
        Some("AUTHOR")
    );
    assert_eq!(associated(&before), [], "nothing captured yet: {before}");
    assert_eq!(captured_at_the_acquirer(&h, &authorized).await, 0);

    let over = do_capture(&authorized, 4_201, None);
    assert_eq!(answer_code(&h, "DirectPaymentAPI", &over).await, "02613");
    assert_eq!(captured_at_the_acquirer(&h, &authorized).await, 0);

    let once = do_capture(&authorized, 4_200, Some("cap-1"));
    let (_, captured) = h.soap("DirectPaymentAPI", &once).await;
    assert_eq!(code(&captured), "00000", "{captured}");
    assert_eq!(
        soap_value(&captured, &["transaction", "type"]).as_deref(),
        Some("CAPTURE")
    );
    let capture_id = soap_value(&captured, &["transaction", "id"]).unwrap();
    assert_ne!(capture_id, authorized, "a capture is a new transaction");
    assert_eq!(captured_at_the_acquirer(&h, &authorized).await, 4_200);
    let (_, after) = h
        .soap("ExtendedAPI", &details(Some(&authorized), None))
        .await;
    assert_eq!(code(&after), "00000", "{after}");
    assert_eq!(
        associated(&after),
        [entry(&capture_id, "CAPTURE", "4200", "DONE")],
        "{after}"
    );
    assert_eq!(history(&after), ["ACCEPTED", "CAPTURE_DONE"], "{after}");

    let (_, replayed) = h.soap("DirectPaymentAPI", &once).await;
    assert_eq!(replayed, captured, "the same sequenceNumber replays");
    for amount in [4_200, 100] {
        let again = do_capture(&authorized, amount, None);
        assert_eq!(
            answer_code(&h, "DirectPaymentAPI", &again).await,
            "02617",
            "captured already ({amount})"
        );
    }
    let operations = h.web_payments.card().operations(&authorized).await.unwrap();
    assert_eq!(operations.len(), 1, "one capture: {operations:?}");
    assert_eq!(captured_at_the_acquirer(&h, &authorized).await, 4_200);
}

/// doCapture of an action-101 card payment (web or direct) is 02617, of the ANCV part of a split
/// payment 02321 (ANCV Connect captures at once), of an unknown transaction 02305.
async fn do_capture_is_refused_on_a_sale_already_captured_and_on_ancv(db: TestDb) {
    let h = Harness::start(&db).await;
    let (_, ancv, card) = split_payment(&h).await;
    let direct = authorization(&h, 4_200, "101").await;
    let ancv_before = h.ancv().find(&ancv).await.unwrap().unwrap();
    for (transaction, expected) in [
        (card.as_str(), "02617"),
        (direct.as_str(), "02617"),
        (ancv.as_str(), "02321"),
        ("99999999999999", "02305"),
    ] {
        let (_, body) = h
            .soap("DirectPaymentAPI", &do_capture(transaction, 1_000, None))
            .await;
        assert_eq!(code(&body), expected, "{transaction}: {body}");
    }
    let ancv_after = h.ancv().find(&ancv).await.unwrap().unwrap();
    assert_eq!(
        (ancv_after.state, ancv_after.updated_at),
        (ancv_before.state, ancv_before.updated_at),
        "the ANCV transaction is untouched"
    );
    for transaction in [&card, &direct] {
        let operations = h.web_payments.card().operations(transaction).await.unwrap();
        assert!(operations.is_empty(), "{transaction}: {operations:?}");
    }
}

/// An authorization is not remitted (a refund is 02618) until it is captured; after the
/// capture and the remittance, the captured amount can be refunded, no more.
async fn an_authorization_is_remitted_only_once_captured(db: TestDb) {
    let h = Harness::start(&db).await;
    let authorized = authorization(&h, 4_200, "100").await;
    remit(&h).await;
    let refund = |amount| do_refund(&authorized, amount, "CB-DEMO", None);
    assert_eq!(
        answer_code(&h, "DirectPaymentAPI", &refund(1_000)).await,
        "02618",
        "an authorization is never remitted"
    );
    let capture = do_capture(&authorized, 3_000, None);
    assert_eq!(answer_code(&h, "DirectPaymentAPI", &capture).await, "00000");
    remit(&h).await;
    assert_eq!(
        answer_code(&h, "DirectPaymentAPI", &refund(3_001)).await,
        "02613",
        "30.00 € captured and remitted"
    );
    assert_eq!(
        answer_code(&h, "DirectPaymentAPI", &refund(3_000)).await,
        "00000"
    );
}

/// The `transactionId` of each TRS notification the merchant received, in order; every one is
/// exactly `notificationType=TRS&transactionId=<id>` plus the query of the merchant's own URL.
fn trs_ids(merchant: &MerchantEndpoint, own_query: &[(&str, &str)]) -> Vec<String> {
    merchant
        .calls_of("TRS")
        .into_iter()
        .map(|mut call| {
            let id = call.remove("transactionId").expect("a transactionId");
            call.remove("notificationType");
            let mut rest: Vec<(String, String)> = call.into_iter().collect();
            rest.sort();
            let expected: Vec<(String, String)> = own_query
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            assert_eq!(rest, expected, "nothing else in the query of {id}");
            id
        })
        .collect()
}

/// After a split payment with a notificationURL, a card refund and the ANCV refund each send
/// one `TRS` notification naming the new refund transaction, once the worker runs; a refused
/// refund sends none, and an acknowledged one is not sent again.
async fn refunds_of_both_parts_of_a_split_payment_are_told_to_the_merchant(db: TestDb) {
    let h = Harness::start(&db).await;
    let (token, merchant) = h.notifying_web_payment(0).await;
    h.pay_split(&token, 2_500).await;
    let (ancv, card) = h.split_ids(&token).await;
    remit(&h).await;
    h.run_jobs().await;
    assert_eq!(
        trs_ids(&merchant, &[]),
        [] as [String; 0],
        "paying is no TRS"
    );

    let (_, card_refund) = h
        .soap(
            "DirectPaymentAPI",
            &do_refund(&card, 1_000, "CB-DEMO", None),
        )
        .await;
    assert_eq!(code(&card_refund), "00000", "{card_refund}");
    let card_refund_id = soap_value(&card_refund, &["transaction", "id"]).unwrap();
    let too_much = do_refund(&card, 9_000, "CB-DEMO", None);
    assert_eq!(
        answer_code(&h, "DirectPaymentAPI", &too_much).await,
        "02613"
    );
    h.run_jobs().await;
    assert_eq!(
        trs_ids(&merchant, &[]),
        std::slice::from_ref(&card_refund_id)
    );

    let (_, ancv_refund) = h
        .soap(
            "DirectPaymentAPI",
            &do_refund(&ancv, 2_500, "ANCV-DEMO", None),
        )
        .await;
    assert_eq!(code(&ancv_refund), "00000", "{ancv_refund}");
    let ancv_refund_id = soap_value(&ancv_refund, &["transaction", "id"]).unwrap();
    h.run_jobs().await;
    for _ in 0..3 {
        h.advance(60_000).await;
    }
    assert_eq!(
        trs_ids(&merchant, &[]),
        [card_refund_id, ancv_refund_id],
        "each refund told once"
    );
}

/// doReset of two card payments, one whose web payment had a notificationURL (with a query of
/// its own) and one without: only the first sends a TRS naming its reset, and no TRS job is
/// left behind for the second.
async fn a_reset_is_told_only_to_a_sale_with_a_notification_url(db: TestDb) {
    let h = Harness::start(&db).await;
    let (url, merchant) = merchant_endpoint(0).await;
    let shop_url = format!("{url}?shop=42");
    let told = card_only_payment_notifying(&h, Some(&shop_url)).await;
    let silent = card_only_payment(&h).await;
    h.run_jobs().await;
    let mut resets = Vec::new();
    for transaction in [&silent, &told] {
        let (_, body) = h.soap("DirectPaymentAPI", &do_reset(transaction)).await;
        assert_eq!(code(&body), "00000", "{body}");
        resets.push(soap_value(&body, &["transaction", "id"]).unwrap());
    }
    h.run_jobs().await;
    assert_eq!(
        trs_ids(&merchant, &[("shop", "42")]),
        std::slice::from_ref(&resets[1]),
        "only the reset of the sale with a notificationURL"
    );
    let pending = h
        .store
        .read()
        .await
        .unwrap()
        .jobs()
        .pending(gateway::after_sale::TRS_JOB)
        .await
        .unwrap();
    assert!(pending.is_empty(), "nothing left to send: {pending:?}");
}
