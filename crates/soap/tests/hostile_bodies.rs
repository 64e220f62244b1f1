//! Hostile 1 MiB request bodies: each is refused (or read) with bounded work, within 50 ms of
//! the thread's CPU for reading the envelope and running every request decoder on it
//! (`testkit::within_cpu_budget`).

use soap::envelope::{EnvelopeError, parse_request};
use soap::xml::XmlError;
use soap::{direct_payment_api, extended_api, web_payment_api};
use testkit::within_cpu_budget;

const MIB: usize = 1 << 20;

fn envelope(inside: &str) -> Vec<u8> {
    format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:impl="http://impl.ws.payline.experian.com"><soapenv:Body><impl:doWebPaymentRequest>{inside}</impl:doWebPaymentRequest></soapenv:Body></soapenv:Envelope>"#
    )
    .into_bytes()
}

/// Grows `unit` (numbered by `{}`) until the envelope is about 1 MiB.
fn filled(open: &str, unit: &str, close: &str) -> Vec<u8> {
    let mut inside = String::from(open);
    let mut n = 0;
    while inside.len() < MIB - 512 {
        inside.push_str(&unit.replace("{}", &n.to_string()));
        n += 1;
    }
    inside.push_str(close);
    envelope(&inside)
}

/// Reads `body` as the SOAP endpoint would, then runs every decoder on its operation's element,
/// within 50 ms of CPU; returns how reading ended.
fn read(name: &str, body: &[u8]) -> Result<(), EnvelopeError> {
    within_cpu_budget(name, 50.0, || {
        parse_request(body).map(|request| {
            let element = &request.body;
            std::hint::black_box((
                web_payment_api::decode_do_web_payment(element),
                web_payment_api::decode_token(element),
                direct_payment_api::decode_do_refund(element),
                direct_payment_api::decode_do_reset(element),
                direct_payment_api::decode_do_capture(element),
                direct_payment_api::decode_do_authorization(element),
                extended_api::decode_get_transaction_details(element),
                extended_api::decode_transactions_search(element),
            ));
        })
    })
}

fn refused_within_budget(name: &str, body: &[u8], expected: XmlError) {
    assert!(
        body.len() >= MIB - 1024 && body.len() <= MIB,
        "{name}: {}",
        body.len()
    );
    assert_eq!(
        read(name, body),
        Err(EnvelopeError::Xml(expected)),
        "{name}"
    );
}

#[test]
fn one_element_with_ninety_thousand_attributes() {
    let body = filled("<impl:order ", "a{}=\"\" ", "/>");
    refused_within_budget("attributes", &body, XmlError::TooManyAttributes);
}

#[test]
fn ninety_thousand_namespace_declarations() {
    let body = filled("<impl:order ", "xmlns:p{}=\"u\" ", "/>");
    refused_within_budget("namespaces", &body, XmlError::TooManyAttributes);
}

#[test]
fn namespaces_declared_on_nested_elements() {
    let body = filled("", "<p{}:a xmlns:p{}=\"u\" xmlns:q{}=\"u\">", "");
    refused_within_budget("nested namespaces", &body, XmlError::TooManyNamespaces);
}

#[test]
fn attributes_spread_over_many_elements() {
    let body = filled("", "<a x=\"{}\" y=\"\" z=\"\"/>", "");
    refused_within_budget("spread attributes", &body, XmlError::TooManyAttributes);
}

#[test]
fn a_quarter_million_empty_elements() {
    let body = filled("", "<a/>", "");
    refused_within_budget("elements", &body, XmlError::TooManyElements);
}

/// The worst a body within every limit can do: elements with as many attributes and prefixes
/// as allowed, and escaped text, all read.
#[test]
fn the_largest_accepted_documents_are_read_within_budget() {
    let attributes: String = (0..32).map(|i| format!("b{i}=\"\" ")).collect();
    let bodies = [
        (
            "escaped text",
            filled("<privateDataList>", "&amp;&#233;&lt;", "</privateDataList>"),
        ),
        (
            "full elements",
            filled(
                &format!(
                    "<privateDataList>{}",
                    format!("<x {attributes}/>").repeat(300)
                ),
                "<y>{}</y>",
                "</privateDataList>",
            ),
        ),
        (
            "private data",
            filled(
                "<privateDataList>",
                "<privateData><key>k{}</key><value>v</value></privateData>",
                "</privateDataList>",
            ),
        ),
    ];
    for (name, body) in bodies {
        assert_eq!(read(name, &body), Ok(()), "{name} is a readable document");
    }
}
