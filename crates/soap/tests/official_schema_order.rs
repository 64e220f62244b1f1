//! Every response cvgate writes, checked element by element against the OFFICIAL Payline schema
//! (test data in ../shared/conformance, read at test time, never copied into the repository):
//! every element of each sequence written exactly once and in order (lists: any number of
//! items), nil only where nillable, wrapper children in the `impl` namespace and the children of
//! complex types in `obj`, recursively into every complex value written.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use soap::direct_payment_api::{
    AfterSaleOut, DoAuthorizationOut, write_do_authorization, write_do_capture, write_do_refund,
    write_do_reset,
};
use soap::extended_api::{
    SearchOut, TransactionDetailsOut, write_transaction_details, write_transactions_search,
};
use soap::objects::{
    AssociatedTransactionOut, AuthenticationOut, BuyerOut, CardOut, ExtendedCardOut, OrderOut,
    PaymentAdditionalOut, PaymentOut, PointOfSellOut, ResultOut, StatusHistoryOut, TransactionOut,
};
use soap::web_payment_api::{
    DoWebPaymentOut, WebPaymentDetailsOut, write_do_web_payment, write_web_payment_details,
};
use soap::xml::Element;
use soap::{IMPL_NS, OBJ_NS};
use std::collections::HashMap;

/// One `<element>` of a sequence.
#[derive(Debug)]
struct Declaration {
    name: String,
    /// The type's local name (`transaction`, `string`); `None` for an inline type.
    kind: Option<String>,
    optional: bool,
    repeated: bool,
    nillable: bool,
}

/// The sequences of the schema: named complex types and top-level (wrapper) elements.
#[derive(Default)]
struct Schema {
    types: HashMap<String, Vec<Declaration>>,
    wrappers: HashMap<String, Vec<Declaration>>,
}

fn attribute(start: &BytesStart, name: &str) -> Option<String> {
    start
        .try_get_attribute(name)
        .unwrap()
        .map(|a| a.unescape_value().unwrap().into_owned())
}

fn local(kind: &str) -> String {
    kind.rsplit(':').next().unwrap().to_owned()
}

fn read_schema(text: &str) -> Schema {
    let mut reader = Reader::from_str(text);
    let mut schema = Schema::default();
    let mut stack: Vec<String> = Vec::new();
    // (is a wrapper, name, depth) of the type or wrapper being read, and its sequence so far.
    let mut owner: Option<(bool, String, usize)> = None;
    let mut sequence = Vec::new();
    loop {
        let event = reader.read_event().unwrap();
        let (start, empty) = match &event {
            Event::Start(start) => (start, false),
            Event::Empty(start) => (start, true),
            Event::End(_) => {
                stack.pop();
                if let Some((wrapper, name, _)) = owner.take_if(|o| o.2 == stack.len()) {
                    let map = if wrapper {
                        &mut schema.wrappers
                    } else {
                        &mut schema.types
                    };
                    map.insert(name, std::mem::take(&mut sequence));
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = String::from_utf8(start.local_name().as_ref().to_vec()).unwrap();
        let depth = stack.len();
        let parent = stack.last().map(String::as_str);
        if parent == Some("schema")
            && !empty
            && let Some(declared) = attribute(start, "name")
        {
            match name.as_str() {
                "complexType" => owner = Some((false, declared, depth)),
                "element" => owner = Some((true, declared, depth)),
                _ => {}
            }
        }
        if let Some((wrapper, _, owner_depth)) = &owner {
            // A type's own sequence is at type/sequence/element, a wrapper's at
            // element/complexType/sequence/element.
            let own = depth == owner_depth + if *wrapper { 3 } else { 2 };
            if name == "element" && own && parent == Some("sequence") {
                sequence.push(Declaration {
                    name: attribute(start, "name").unwrap(),
                    kind: attribute(start, "type").map(|t| local(&t)),
                    optional: attribute(start, "minOccurs").as_deref() == Some("0"),
                    repeated: !matches!(attribute(start, "maxOccurs").as_deref(), None | Some("1")),
                    nillable: attribute(start, "nillable").as_deref() == Some("true"),
                });
            }
        }
        if !empty {
            stack.push(name);
        }
    }
    schema
}

fn check(schema: &Schema, path: &str, written: &Element, sequence: &[Declaration], ns: &str) {
    let mut children = written.children.iter().peekable();
    for declaration in sequence {
        let mut count = 0;
        while let Some(child) = children.next_if(|c| c.name == declaration.name) {
            count += 1;
            let here = format!("{path}/{}", declaration.name);
            assert_eq!(child.namespace.as_deref(), Some(ns), "{here}: namespace");
            assert!(
                !child.nil || declaration.nillable,
                "{here} is nil but not nillable"
            );
            let inner = declaration.kind.as_ref().and_then(|k| schema.types.get(k));
            if let (false, Some(inner)) = (child.nil, inner) {
                check(schema, &here, child, inner, OBJ_NS);
            }
        }
        if declaration.repeated {
            assert!(
                count > 0 || declaration.optional,
                "{path}/{} is missing",
                declaration.name
            );
        } else {
            assert_eq!(
                count, 1,
                "{path}/{} must be written exactly once, at its place",
                declaration.name
            );
        }
    }
    let extra: Vec<&str> = children.map(|c| c.name.as_str()).collect();
    assert!(
        extra.is_empty(),
        "{path}: {extra:?} out of the schema's order"
    );
}

fn check_response(schema: &Schema, text: &str) {
    let envelope = soap::xml::parse(text.as_bytes()).expect("the response parses back");
    let wrapper = &envelope.children[0].children[0];
    let sequence = schema
        .wrappers
        .get(&wrapper.name)
        .unwrap_or_else(|| panic!("{} is not an official element", wrapper.name));
    assert_eq!(wrapper.namespace.as_deref(), Some(IMPL_NS));
    check(schema, &wrapper.name, wrapper, sequence, IMPL_NS);
}

fn some(text: &str) -> Option<String> {
    Some(text.to_owned())
}

fn result() -> ResultOut {
    ResultOut {
        code: "00000".into(),
        short_message: "ACCEPTED".into(),
        long_message: "Operation Successfull".into(),
        partner_code: some("p"),
        partner_code_label: some("l"),
    }
}

/// Every optional part present, so that the check walks into every type.
fn transaction() -> TransactionOut {
    TransactionOut {
        id: some("26340104152531"),
        date: some("27/11/2026 10:00:00"),
        kind: some("AUTHOR+CAP"),
        partner_additional_data: some("ancvTransactionId=fiawa31zot"),
        payment: Some(PaymentOut::default()),
        card: Some(CardOut::default()),
        extended_card: Some(ExtendedCardOut::default()),
        ..TransactionOut::default()
    }
}

fn additional() -> PaymentAdditionalOut {
    PaymentAdditionalOut {
        transaction: transaction(),
        three_d_secure: Some(AuthenticationOut::default()),
        card: Some(CardOut::default()),
        extended_card: Some(ExtendedCardOut::default()),
        ..PaymentAdditionalOut::default()
    }
}

fn private_data() -> Vec<(String, String)> {
    vec![("k".into(), "v".into()), ("k2".into(), "v2".into())]
}

/// Each response, once with every part present and once with nothing known.
fn responses() -> Vec<String> {
    let after_sale = AfterSaleOut {
        result: result(),
        transaction: transaction(),
    };
    let authorization = DoAuthorizationOut {
        result: result(),
        transaction: transaction(),
        private_data: private_data(),
        contract_number: some("CB-DEMO"),
        three_d_secure: Some(AuthenticationOut::default()),
        ..DoAuthorizationOut::default()
    };
    let details = TransactionDetailsOut {
        result: result(),
        transaction: Some(transaction()),
        payment: Some(PaymentOut::default()),
        authorization: Some(Default::default()),
        order: Some(OrderOut::default()),
        buyer: Some(BuyerOut::default()),
        private_data: private_data(),
        associated_transactions: vec![AssociatedTransactionOut::default(); 2],
        status_history: vec![StatusHistoryOut::default(); 2],
        media: some("Computer"),
        contract_number: some("CB-DEMO"),
        payment_additional: vec![additional()],
        three_d_secure: Some(AuthenticationOut::default()),
        point_of_sell: PointOfSellOut {
            id: some("1"),
            label: some("Boutique"),
        },
        ..TransactionDetailsOut::default()
    };
    let search = SearchOut {
        result: result(),
        transactions: vec![transaction(), TransactionOut::default()],
    };
    let web_details = WebPaymentDetailsOut {
        result: result(),
        transaction: transaction(),
        private_data: private_data(),
        three_d_secure: Some(AuthenticationOut::default()),
        payment_additional: vec![additional()],
        buyer: Some(BuyerOut::default()),
        ..WebPaymentDetailsOut::default()
    };
    vec![
        write_do_refund(&after_sale),
        write_do_refund(&AfterSaleOut::default()),
        write_do_reset(&after_sale),
        write_do_reset(&AfterSaleOut::default()),
        write_do_capture(&after_sale),
        write_do_capture(&AfterSaleOut::default()),
        write_do_authorization(&authorization),
        write_do_authorization(&DoAuthorizationOut::default()),
        write_transaction_details(&details),
        write_transaction_details(&TransactionDetailsOut::default()),
        write_transactions_search(&search),
        write_transactions_search(&SearchOut::default()),
        write_do_web_payment(&DoWebPaymentOut::default()),
        write_web_payment_details(&web_details),
        write_web_payment_details(&WebPaymentDetailsOut::default()),
    ]
}

#[test]
fn every_response_follows_the_official_schema() {
    let path =
        testkit::shared_dir().map(|dir| dir.join("conformance/payline-wsdl/DirectPaymentAPI.wsdl"));
    let Some(Ok(text)) = path.map(std::fs::read_to_string) else {
        eprintln!(
            "!!! SKIPPED every_response_follows_the_official_schema: ../shared/conformance/payline-wsdl is absent"
        );
        return;
    };
    // The three official WSDLs share one schema; this one declares every operation.
    let schema = read_schema(&text);
    assert!(
        schema.types["transaction"].len() > 20,
        "the schema was read"
    );
    for response in responses() {
        check_response(&schema, &response);
    }
}
