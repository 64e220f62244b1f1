use super::*;
use crate::test_support::{TRANSACTION, accepted, names, prefixed, response_body, unprefixed};
use crate::xml::Element;
use crate::{IMPL_NS, OBJ_NS};

#[test]
fn transaction_details_request_decodes_whatever_the_prefixes() {
    let children = r#"<impl:version>34</impl:version><impl:transactionId>26340104152531</impl:transactionId><impl:orderRef xsi:nil="true"/><impl:startDate/><impl:endDate xsi:nil="true"/><impl:transactionHistory>Y</impl:transactionHistory><impl:archiveSearch xsi:nil="true"/>"#;
    let expected = TransactionDetailsIn {
        version: Some("34".into()),
        transaction_id: Some("26340104152531".into()),
        transaction_history: Some("Y".into()),
        ..TransactionDetailsIn::default()
    };
    let body = prefixed("getTransactionDetails", children);
    assert_eq!(decode_get_transaction_details(&body), expected);
    let body = unprefixed("getTransactionDetails", &children.replace("impl:", ""));
    assert_eq!(decode_get_transaction_details(&body), expected);
    let by_order = unprefixed(
        "getTransactionDetails",
        "<version>34</version><orderRef>o-1</orderRef><startDate>01/11/2026</startDate><endDate>27/11/2026</endDate><archiveSearch>N</archiveSearch>",
    );
    assert_eq!(
        decode_get_transaction_details(&by_order),
        TransactionDetailsIn {
            version: Some("34".into()),
            order_ref: Some("o-1".into()),
            start_date: Some("01/11/2026".into()),
            end_date: Some("27/11/2026".into()),
            archive_search: Some("N".into()),
            ..TransactionDetailsIn::default()
        }
    );
}

/// Every element of `transactionsSearchRequest`, in order.
const CRITERIA: [&str; 24] = [
    "version",
    "transactionId",
    "orderRef",
    "startDate",
    "endDate",
    "contractNumber",
    "authorizationNumber",
    "returnCode",
    "paymentMean",
    "transactionType",
    "name",
    "firstName",
    "email",
    "cardNumber",
    "currency",
    "minAmount",
    "maxAmount",
    "walletId",
    "sequenceNumber",
    "token",
    "pointOfSellId",
    "cardNetwork",
    "threeDSecured",
    "customerMediaId",
];

#[test]
fn search_reads_every_criterion_into_its_own_field() {
    // Each element carries its own name, so a field read from the wrong element shows.
    let children: String = CRITERIA
        .iter()
        .map(|name| format!("<impl:{name}>{name}!</impl:{name}>"))
        .collect();
    let search = decode_transactions_search(&prefixed("transactionsSearch", &children));
    let v = |name: &str| Some(format!("{name}!"));
    assert_eq!(
        search,
        SearchIn {
            version: v("version"),
            transaction_id: v("transactionId"),
            order_ref: v("orderRef"),
            start_date: v("startDate"),
            end_date: v("endDate"),
            contract_number: v("contractNumber"),
            authorization_number: v("authorizationNumber"),
            return_code: v("returnCode"),
            payment_mean: v("paymentMean"),
            transaction_type: v("transactionType"),
            name: v("name"),
            first_name: v("firstName"),
            email: v("email"),
            card_number: Some(Sensitive::new("cardNumber!")),
            currency: v("currency"),
            min_amount: v("minAmount"),
            max_amount: v("maxAmount"),
            wallet_id: v("walletId"),
            sequence_number: v("sequenceNumber"),
            token: v("token"),
            point_of_sell_id: v("pointOfSellId"),
            card_network: v("cardNetwork"),
            three_d_secured: v("threeDSecured"),
            customer_media_id: v("customerMediaId"),
        }
    );
    assert!(!format!("{search:?}").contains("cardNumber!"));
    let nils: String = CRITERIA
        .iter()
        .map(|name| format!(r#"<{name} xsi:nil="true"/>"#))
        .collect();
    assert_eq!(
        decode_transactions_search(&unprefixed("transactionsSearch", &nils)),
        SearchIn::default()
    );
}

fn details() -> TransactionDetailsOut {
    TransactionDetailsOut {
        result: ResultOut {
            long_message: "a < b & c".into(),
            ..accepted()
        },
        transaction: Some(TransactionOut {
            id: Some("26340104152531".into()),
            partner_additional_data: Some("ancvTransactionId=fiawa31zot".into()),
            ..TransactionOut::default()
        }),
        payment: Some(PaymentOut::default()),
        authorization: Some(AuthorizationOut::default()),
        order: Some(OrderOut::default()),
        buyer: Some(BuyerOut::default()),
        private_data: vec![("k".into(), "v".into())],
        card: CardOut::default(),
        extended_card: ExtendedCardOut::default(),
        associated_transactions: vec![AssociatedTransactionOut {
            transaction_id: Some("26340104152531".into()),
            kind: Some("AUTHOR+CAP".into()),
            currency: Some("978".into()),
            ..AssociatedTransactionOut::default()
        }],
        status_history: vec![StatusHistoryOut {
            status: Some("<OK>".into()),
            ..StatusHistoryOut::default()
        }],
        media: Some("Computer".into()),
        contract_number: Some("CB-DEMO".into()),
        payment_additional: vec![PaymentAdditionalOut::default()],
        three_d_secure: Some(AuthenticationOut::default()),
        point_of_sell: PointOfSellOut {
            id: Some("1".into()),
            label: Some("Boutique".into()),
        },
    }
}

/// The elements of `getTransactionDetailsResponse`, in order.
const DETAILS: [&str; 22] = [
    "result",
    "transaction",
    "payment",
    "authorization",
    "order",
    "buyer",
    "privateDataList",
    "card",
    "extendedCard",
    "associatedTransactionsList",
    "statusHistoryList",
    "media",
    "customerMedia",
    "contractNumber",
    "paymentAdditionalList",
    "bankAccountData",
    "subMerchant",
    "authentication3DSecure",
    "pointOfSell",
    "routingRule",
    "linkedTransactionId",
    "travelFileNumber",
];

#[test]
fn details_write_every_element_in_order() {
    let body = response_body(&write_transaction_details(&details()));
    assert_eq!(body.name, "getTransactionDetailsResponse");
    assert_eq!(body.namespace.as_deref(), Some(IMPL_NS));
    assert_eq!(names(&body), DETAILS);
    for nil in [
        "bankAccountData",
        "subMerchant",
        "linkedTransactionId",
        "travelFileNumber",
    ] {
        assert!(body.child(nil).unwrap().nil, "{nil}");
    }
    assert_eq!(
        body.child("result").unwrap().value("longMessage"),
        Some("a < b & c")
    );
    let transaction = body.child("transaction").unwrap();
    assert_eq!(names(transaction), TRANSACTION);
    assert_eq!(
        transaction.value("partnerAdditionalData"),
        Some("ancvTransactionId=fiawa31zot")
    );
    assert_history_lists(&body);
    assert_fixed_complex_values(&body);
}

/// `associatedTransactionsList` and `statusHistoryList` of [`details`]: one entry each, every
/// element in order.
fn assert_history_lists(body: &Element) {
    let associated = body
        .child("associatedTransactionsList")
        .unwrap()
        .child("associatedTransactions")
        .unwrap();
    assert_eq!(associated.namespace.as_deref(), Some(OBJ_NS));
    assert_eq!(
        names(associated),
        [
            "transactionId",
            "type",
            "date",
            "amount",
            "status",
            "originTransactionId",
            "currency"
        ]
    );
    assert_eq!(associated.value("type"), Some("AUTHOR+CAP"));
    let date = associated.child("date").unwrap();
    assert!(!date.nil && date.own_value().is_none(), "required: empty");
    let status = body
        .child("statusHistoryList")
        .unwrap()
        .child("statusHistory")
        .unwrap();
    assert_eq!(
        names(status),
        [
            "transactionId",
            "date",
            "amount",
            "fees",
            "status",
            "originTransactionId",
            "amountValue",
            "amountCurrency",
            "feesValue",
            "feesCurrency"
        ]
    );
    assert_eq!(status.value("status"), Some("<OK>"));
    assert!(status.child("amountValue").unwrap().nil);
}

/// `customerMedia`, `pointOfSell` and `routingRule`: required, written even though cvgate knows
/// little or nothing of them.
fn assert_fixed_complex_values(body: &Element) {
    let media = body.child("customerMedia").unwrap();
    assert_eq!(
        names(media),
        ["id", "label", "operatingSystem", "browser", "userAgent"]
    );
    assert!(media.children.iter().all(|c| !c.nil && c.text.is_empty()));
    let point_of_sell = body.child("pointOfSell").unwrap();
    assert_eq!(
        names(point_of_sell),
        [
            "id",
            "siret",
            "codeMcc",
            "label",
            "webmasterEmail",
            "comments",
            "webstoreURL",
            "notificationURL",
            "privateLifeURL",
            "saleCondURL",
            "buyerMustAcceptSaleCond",
            "endOfPaymentRedirection",
            "ticketSend",
            "contracts",
            "virtualTerminal",
            "customPaymentPageCodeList",
            "reference"
        ]
    );
    assert_eq!(point_of_sell.value("label"), Some("Boutique"));
    assert!(
        point_of_sell
            .child("contracts")
            .unwrap()
            .children
            .is_empty()
    );
    let routing = body.child("routingRule").unwrap();
    assert_eq!(
        names(routing),
        ["id", "sourceContractNumber", "targetContractNumber"]
    );
    assert!(routing.children.iter().all(|c| c.nil));
}

#[test]
fn unknown_details_are_nil_where_the_schema_allows_it() {
    let body = response_body(&write_transaction_details(&TransactionDetailsOut::default()));
    assert_eq!(names(&body), DETAILS);
    let nil: Vec<&str> = body
        .children
        .iter()
        .filter(|c| c.nil)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        nil,
        [
            "transaction",
            "payment",
            "authorization",
            "order",
            "buyer",
            "privateDataList",
            "associatedTransactionsList",
            "statusHistoryList",
            "media",
            "paymentAdditionalList",
            "bankAccountData",
            "subMerchant",
            "authentication3DSecure",
            "linkedTransactionId",
            "travelFileNumber"
        ]
    );
    assert_eq!(body.child("contractNumber").unwrap().text, "");
}

#[test]
fn search_writes_one_transaction_per_match() {
    let row = TransactionOut {
        id: Some("26340104152531".into()),
        kind: Some("AUTHOR+CAP".into()),
        payment: Some(PaymentOut {
            amount: Some("6000".into()),
            ..PaymentOut::default()
        }),
        card: Some(CardOut {
            number: Some("497010XXXXXX0006".into()),
            ..CardOut::default()
        }),
        extended_card: Some(ExtendedCardOut::default()),
        ..TransactionOut::default()
    };
    let out = SearchOut {
        result: accepted(),
        transactions: vec![row.clone(), row],
    };
    let body = response_body(&write_transactions_search(&out));
    assert_eq!(body.name, "transactionsSearchResponse");
    assert_eq!(names(&body), ["result", "transactionList"]);
    let list = body.child("transactionList").unwrap();
    assert_eq!(names(list), ["transaction", "transaction"]);
    let first = &list.children[0];
    assert_eq!(first.namespace.as_deref(), Some(OBJ_NS));
    assert_eq!(names(first), TRANSACTION);
    assert_eq!(
        first.present("payment").unwrap().value("amount"),
        Some("6000")
    );
    assert_eq!(
        first.present("card").unwrap().value("number"),
        Some("497010XXXXXX0006")
    );
    assert!(first.child("pointOfSell").unwrap().nil);
    let none = response_body(&write_transactions_search(&SearchOut::default()));
    assert!(none.child("transactionList").unwrap().nil);
}
