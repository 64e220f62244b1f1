//! The request envelopes exactly as the official Payline PHP SDK puts them on the wire (test data
//! in ../shared/conformance, never copied into the repository) all parse, whatever their prefixes,
//! nils and empty lists.

use std::path::PathBuf;

fn conformance_dir() -> Option<PathBuf> {
    let dir = testkit::shared_dir()?.join("conformance/payline-requests");
    dir.is_dir().then_some(dir)
}

#[test]
fn official_sdk_requests_parse() {
    let Some(dir) = conformance_dir() else {
        eprintln!(
            "!!! SKIPPED official_sdk_requests_parse: ../shared/conformance/payline-requests is absent"
        );
        return;
    };
    let expected = [
        ("doWebPayment.xml", "doWebPayment"),
        ("getWebPaymentDetails.xml", "getWebPaymentDetails"),
        ("doRefund.xml", "doRefund"),
        ("doReset.xml", "doReset"),
        ("doCapture.xml", "doCapture"),
        ("doAuthorization.xml", "doAuthorization"),
        ("getTransactionDetails.xml", "getTransactionDetails"),
        ("transactionsSearch.xml", "transactionsSearch"),
    ];
    for (file, operation) in expected {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let request =
            soap::envelope::parse_request(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(request.operation, operation, "{file}");
    }
    let web = soap::envelope::parse_request(&std::fs::read(dir.join("doWebPayment.xml")).unwrap())
        .unwrap();
    let payment = web.body.present("payment").unwrap();
    assert_eq!(payment.value("contractNumber"), Some("ANCV-DEMO"));
    assert_eq!(
        payment.value("differedActionDate"),
        None,
        "xsi:nil reads as absent"
    );
    let contracts: Vec<&str> = web
        .body
        .present("selectedContractList")
        .unwrap()
        .children_named("selectedContract")
        .filter_map(|c| c.own_value())
        .collect();
    assert_eq!(contracts, ["ANCV-DEMO", "CB-DEMO"]);
    assert_eq!(
        web.body.present("buyer").unwrap().value("email"),
        Some("camille.martin@example.com")
    );
}

/// The body of one official request, or `None` (with a message) when the test data is absent.
fn official_request(test: &str, file: &str) -> Option<soap::xml::Element> {
    let Some(dir) = conformance_dir() else {
        eprintln!("!!! SKIPPED {test}: ../shared/conformance/payline-requests is absent");
        return None;
    };
    let bytes = std::fs::read(dir.join(file)).unwrap();
    Some(soap::envelope::parse_request(&bytes).unwrap().body)
}

#[test]
fn official_after_sale_requests_decode() {
    use soap::direct_payment_api::{decode_do_capture, decode_do_refund, decode_do_reset};
    let test = "official_after_sale_requests_decode";
    let Some(refund) = official_request(test, "doRefund.xml") else {
        return;
    };
    let refund = decode_do_refund(&refund);
    assert_eq!(refund.version.as_deref(), Some("34"));
    assert_eq!(refund.transaction_id.as_deref(), Some("26340104152531"));
    let payment = refund.payment.unwrap();
    assert_eq!(payment.amount.as_deref(), Some("1500"));
    assert_eq!(payment.currency.as_deref(), Some("978"));
    assert_eq!(payment.action.as_deref(), Some("421"));
    assert_eq!(payment.contract_number.as_deref(), Some("CB-DEMO"));
    assert_eq!(
        payment.differed_action_date, None,
        "xsi:nil reads as absent"
    );
    assert_eq!(refund.comment.as_deref(), Some("refund"));
    assert!(refund.private_data.is_empty(), "an empty list");
    assert_eq!(refund.sequence_number.as_deref(), Some("r-1"));

    let reset = decode_do_reset(&official_request(test, "doReset.xml").unwrap());
    assert_eq!(reset.transaction_id.as_deref(), Some("26340104152531"));
    assert_eq!(reset.comment.as_deref(), Some("reset"));
    assert_eq!((reset.amount, reset.currency), (None, None));
    assert_eq!(reset.sequence_number, None);

    let capture = decode_do_capture(&official_request(test, "doCapture.xml").unwrap());
    assert_eq!(capture.transaction_id.as_deref(), Some("26340104152531"));
    let payment = capture.payment.unwrap();
    assert_eq!(payment.amount.as_deref(), Some("6000"));
    assert_eq!(payment.action.as_deref(), Some("201"));
    assert_eq!(capture.sequence_number, None);
}

#[test]
fn official_authorization_request_decodes_without_printing_the_card() {
    let Some(body) = official_request(
        "official_authorization_request_decodes_without_printing_the_card",
        "doAuthorization.xml",
    ) else {
        return;
    };
    let authorization = soap::direct_payment_api::decode_do_authorization(&body);
    assert_eq!(authorization.version.as_deref(), Some("34"));
    let payment = authorization.payment.as_ref().unwrap();
    assert_eq!(payment.amount.as_deref(), Some("2500"));
    assert_eq!(payment.action.as_deref(), Some("101"));
    assert_eq!(payment.contract_number.as_deref(), Some("CB-DEMO"));
    let card = authorization.card.as_ref().unwrap();
    // `assert!`, not `assert_eq!`: a failure must not print the digits.
    assert!(
        card.number.as_ref().map(|n| n.expose()) == Some("4970100000000006"),
        "the card number is read"
    );
    assert!(
        card.cvx.as_ref().is_some_and(
            |cvx| cvx.expose().len() == 3 && cvx.expose().bytes().all(|b| b.is_ascii_digit())
        ),
        "the CVV is read"
    );
    assert_eq!(card.card_type.as_deref(), Some("CB"));
    assert_eq!(card.expiration_date.as_deref(), Some("1230"));
    assert_eq!((&card.cardholder, &card.token), (&None, &None));
    let order = authorization.order.as_ref().unwrap();
    assert_eq!(order.reference.as_deref(), Some("order-2"));
    assert_eq!(order.amount.as_deref(), Some("2500"));
    assert_eq!(order.date.as_deref(), Some("27/11/2026 10:05"));
    assert_eq!(
        authorization.buyer.email.as_deref(),
        Some("buyer@example.com"),
        "the buyer's own email, not the (nil) one of its addresses"
    );
    assert_eq!(authorization.buyer.first_name, None);
    assert!(authorization.private_data.is_empty());
    assert!(
        !format!("{authorization:?}").contains("4970100000000006"),
        "Debug is redacted"
    );
}

#[test]
fn official_extended_requests_decode() {
    let test = "official_extended_requests_decode";
    let Some(details) = official_request(test, "getTransactionDetails.xml") else {
        return;
    };
    let details = soap::extended_api::decode_get_transaction_details(&details);
    assert_eq!(details.version.as_deref(), Some("34"));
    assert_eq!(details.transaction_id.as_deref(), Some("26340104152531"));
    assert_eq!(details.transaction_history.as_deref(), Some("Y"));
    assert_eq!(
        (&details.order_ref, &details.archive_search),
        (&None, &None)
    );

    let search = official_request(test, "transactionsSearch.xml").unwrap();
    let search = soap::extended_api::decode_transactions_search(&search);
    assert_eq!(
        search,
        soap::extended_api::SearchIn {
            version: Some("34".into()),
            order_ref: Some("order-1".into()),
            start_date: Some("27/11/2026".into()),
            end_date: Some("27/11/2026".into()),
            ..Default::default()
        },
        "every other criterion is nil"
    );
}
