use super::*;
use crate::test_support::{TRANSACTION, accepted, names, prefixed, response_body, unprefixed};
use crate::{IMPL_NS, OBJ_NS};

const PAYMENT: &str = "<impl:payment><obj:amount>1500</obj:amount><obj:currency>978</obj:currency><obj:action>421</obj:action><obj:mode>CPT</obj:mode><obj:contractNumber>CB-DEMO</obj:contractNumber><obj:differedActionDate xsi:nil=\"true\"/><obj:softDescriptor/></impl:payment>";

#[test]
fn refund_decodes_whatever_the_prefixes() {
    let children = format!(
        "<impl:version>34</impl:version><impl:transactionID>26340104152531</impl:transactionID>{PAYMENT}<impl:comment>a &amp; b</impl:comment><impl:privateDataList><obj:privateData><obj:key>k</obj:key><obj:value>v</obj:value></obj:privateData></impl:privateDataList><impl:sequenceNumber>r-1</impl:sequenceNumber><impl:media/><impl:details xsi:nil=\"true\"/><impl:miscData xsi:nil=\"true\"/><impl:futureField>x</impl:futureField>"
    );
    let refund = decode_do_refund(&prefixed("doRefund", &children));
    assert_eq!(
        refund,
        RefundIn {
            version: Some("34".into()),
            transaction_id: Some("26340104152531".into()),
            payment: Some(PaymentInput {
                amount: Some("1500".into()),
                currency: Some("978".into()),
                action: Some("421".into()),
                mode: Some("CPT".into()),
                contract_number: Some("CB-DEMO".into()),
                differed_action_date: None,
                soft_descriptor: None,
            }),
            comment: Some("a & b".into()),
            private_data: vec![("k".into(), "v".into())],
            sequence_number: Some("r-1".into()),
        }
    );
    let without_prefixes = children.replace("impl:", "").replace("obj:", "");
    assert_eq!(
        decode_do_refund(&unprefixed("doRefund", &without_prefixes)),
        refund
    );
}

#[test]
fn nil_and_empty_elements_read_as_absent() {
    let nils = r#"<impl:version/><impl:transactionID xsi:nil="true"/><impl:payment xsi:nil="true"/><impl:comment>  </impl:comment><impl:privateDataList/><impl:sequenceNumber xsi:nil="true"/>"#;
    assert_eq!(
        decode_do_refund(&prefixed("doRefund", nils)),
        RefundIn::default()
    );
    assert_eq!(
        decode_do_capture(&prefixed("doCapture", nils)),
        CaptureIn::default()
    );
    assert_eq!(
        decode_do_reset(&prefixed("doReset", nils)),
        ResetIn::default()
    );
    assert_eq!(
        decode_do_authorization(&prefixed("doAuthorization", nils)),
        AuthorizationIn::default()
    );
}

#[test]
fn reset_reads_its_top_level_amount() {
    let reset = decode_do_reset(&unprefixed(
        "doReset",
        "<version>34</version><transactionID>1</transactionID><comment>c</comment><media/><amount>500</amount><currency>978</currency><privateDataList/><sequenceNumber>s</sequenceNumber>",
    ));
    assert_eq!(
        reset,
        ResetIn {
            version: Some("34".into()),
            transaction_id: Some("1".into()),
            comment: Some("c".into()),
            amount: Some("500".into()),
            currency: Some("978".into()),
            private_data: vec![],
            sequence_number: Some("s".into()),
        }
    );
}

#[test]
fn capture_decodes() {
    let capture = decode_do_capture(&prefixed(
        "doCapture",
        &format!(
            "<impl:version>34</impl:version><impl:transactionID>7</impl:transactionID>{PAYMENT}<impl:privateDataList/><impl:sequenceNumber>c-1</impl:sequenceNumber>"
        ),
    ));
    assert_eq!(capture.transaction_id.as_deref(), Some("7"));
    assert_eq!(capture.payment.unwrap().amount.as_deref(), Some("1500"));
    assert_eq!(capture.sequence_number.as_deref(), Some("c-1"));
}

#[test]
fn authorization_decodes_and_never_prints_the_card() {
    let body = prefixed(
        "doAuthorization",
        &format!(
            r#"<impl:transient xsi:nil="true"/><impl:version>34</impl:version>{PAYMENT}<impl:bankAccountData><obj:key xsi:nil="true"/></impl:bankAccountData><impl:card><obj:encryptionKeyId xsi:nil="true"/><obj:number>4970100000000006</obj:number><obj:type>CB</obj:type><obj:expirationDate>1230</obj:expirationDate><obj:cvx>987</obj:cvx><obj:cardholder>C. Martin</obj:cardholder><obj:token xsi:nil="true"/></impl:card><impl:order><obj:ref>o-2</obj:ref><obj:amount>2500</obj:amount><obj:currency>978</obj:currency><obj:date>27/11/2026 10:05</obj:date><obj:details/></impl:order><impl:buyer><obj:email>b@example.com</obj:email><obj:shippingAdress><obj:email>other@example.com</obj:email></obj:shippingAdress></impl:buyer><impl:privateDataList/>"#
        ),
    );
    let authorization = decode_do_authorization(&body);
    let card = authorization.card.as_ref().unwrap();
    assert!(card.number.as_ref().map(Sensitive::expose) == Some("4970100000000006"));
    assert!(card.cvx.as_ref().map(Sensitive::expose) == Some("987"));
    assert_eq!(card.card_type.as_deref(), Some("CB"));
    assert_eq!(card.expiration_date.as_deref(), Some("1230"));
    assert_eq!(card.cardholder.as_deref(), Some("C. Martin"));
    assert_eq!(card.token, None);
    assert_eq!(authorization.version.as_deref(), Some("34"));
    assert_eq!(
        authorization.order.as_ref().unwrap().reference.as_deref(),
        Some("o-2")
    );
    assert_eq!(authorization.buyer.email.as_deref(), Some("b@example.com"));
    let printed = format!("{authorization:?} {authorization:#?} {card:?}");
    assert!(!printed.contains("4970100000000006") && !printed.contains("987"));
    assert!(printed.contains("number: Some(Sensitive(***))"));
    // The domain input carries the digits on, redacted too.
    let input = card.to_card_input();
    assert!(!format!("{input:?}").contains("4970100000000006"));
}

#[test]
fn after_sale_responses_write_every_element_in_order() {
    let out = AfterSaleOut {
        result: ResultOut {
            long_message: "<refund> & \"more\"".into(),
            ..accepted()
        },
        transaction: TransactionOut {
            id: Some("26340104160000".into()),
            date: Some("27/11/2026 10:00:00".into()),
            kind: Some("REFUND".into()),
            ..TransactionOut::default()
        },
    };
    type Writer = fn(&AfterSaleOut) -> String;
    let cases: [(Writer, &str, &[&str]); 3] = [
        (
            write_do_refund,
            "doRefundResponse",
            &["result", "transaction", "miscData"],
        ),
        (
            write_do_reset,
            "doResetResponse",
            &["result", "transaction"],
        ),
        (
            write_do_capture,
            "doCaptureResponse",
            &["result", "transaction", "reAuthorization"],
        ),
    ];
    for (write, wrapper, expected) in cases {
        let body = response_body(&write(&out));
        assert_eq!(body.name, wrapper);
        assert_eq!(body.namespace.as_deref(), Some(IMPL_NS));
        assert_eq!(names(&body), expected, "{wrapper}");
        for trailing in &expected[2..] {
            assert!(body.child(trailing).unwrap().nil, "{wrapper}.{trailing}");
        }
        let result = body.child("result").unwrap();
        assert_eq!(
            result.value("longMessage"),
            Some("<refund> & \"more\""),
            "escaped and read back"
        );
        let transaction = body.child("transaction").unwrap();
        assert_eq!(names(transaction), TRANSACTION);
        assert_eq!(
            transaction.child("id").unwrap().namespace.as_deref(),
            Some(OBJ_NS)
        );
        assert_eq!(transaction.value("type"), Some("REFUND"));
        for nested in ["payment", "pointOfSell", "card", "extendedCard"] {
            assert!(transaction.child(nested).unwrap().nil, "{nested}");
        }
    }
}

#[test]
fn authorization_response_writes_every_element_in_order() {
    let out = DoAuthorizationOut {
        result: accepted(),
        transaction: TransactionOut {
            id: Some("1".into()),
            ..TransactionOut::default()
        },
        authorization: AuthorizationOut {
            number: Some("A1".into()),
            ..AuthorizationOut::default()
        },
        card: CardOut {
            number: Some("497010XXXXXX0006".into()),
            ..CardOut::default()
        },
        private_data: vec![("k".into(), "v & w".into())],
        contract_number: Some("CB-DEMO".into()),
        ..DoAuthorizationOut::default()
    };
    let body = response_body(&write_do_authorization(&out));
    assert_eq!(body.name, "doAuthorizationResponse");
    assert_eq!(
        names(&body),
        [
            "transient",
            "result",
            "transaction",
            "authorization",
            "card",
            "extendedCard",
            "privateDataList",
            "contractNumber",
            "linkedTransactionId",
            "travelFileNumber",
            "authentication3DSecure",
            "resultContainer"
        ]
    );
    for nil in [
        "transient",
        "linkedTransactionId",
        "travelFileNumber",
        "authentication3DSecure",
        "resultContainer",
    ] {
        assert!(body.child(nil).unwrap().nil, "{nil}");
    }
    assert_eq!(
        body.child("card").unwrap().value("number"),
        Some("497010XXXXXX0006")
    );
    assert_eq!(body.value("contractNumber"), Some("CB-DEMO"));
    let entry = body
        .child("privateDataList")
        .unwrap()
        .child("privateData")
        .unwrap();
    assert_eq!(entry.value("value"), Some("v & w"));
    // contractNumber is not nillable: written empty when unknown.
    let empty = response_body(&write_do_authorization(&DoAuthorizationOut::default()));
    let contract = empty.child("contractNumber").unwrap();
    assert!(!contract.nil && contract.own_value().is_none());
}
