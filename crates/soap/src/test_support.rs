//! Helpers shared by the unit tests: request bodies with and without prefixes, and reading a
//! written response back.

use crate::envelope::parse_request;
use crate::objects::ResultOut;
use crate::xml::{self, Element};
use crate::{IMPL_NS, OBJ_NS};

/// The body of a request written with `impl:`/`obj:` prefixes.
pub(crate) fn prefixed(operation: &str, children: &str) -> Element {
    let text = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:impl="{IMPL_NS}" xmlns:obj="{OBJ_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><impl:{operation}Request>{children}</impl:{operation}Request></soapenv:Body></soapenv:Envelope>"#
    );
    parse_request(text.as_bytes()).unwrap().body
}

/// The body of a request written with default namespaces only.
pub(crate) fn unprefixed(operation: &str, children: &str) -> Element {
    let text = format!(
        r#"<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><{operation}Request xmlns="{IMPL_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{children}</{operation}Request></Body></Envelope>"#
    );
    parse_request(text.as_bytes()).unwrap().body
}

/// The children of the response wrapper.
pub(crate) fn response_body(text: &str) -> Element {
    let envelope = xml::parse(text.as_bytes()).unwrap();
    envelope.children[0].children[0].clone()
}

pub(crate) fn names(element: &Element) -> Vec<&str> {
    element.children.iter().map(|c| c.name.as_str()).collect()
}

pub(crate) fn accepted() -> ResultOut {
    ResultOut {
        code: "00000".into(),
        short_message: "ACCEPTED".into(),
        long_message: "Operation Successfull".into(),
        partner_code: None,
        partner_code_label: None,
    }
}

/// The elements of the `transaction` type, in order (our reading of the official schema).
pub(crate) const TRANSACTION: [&str; 22] = [
    "id",
    "date",
    "isDuplicated",
    "isPossibleFraud",
    "fraudResult",
    "fraudResultDetails",
    "explanation",
    "threeDSecure",
    "softDescriptor",
    "score",
    "scoring",
    "externalWalletType",
    "externalWalletContractNumber",
    "partnerAdditionalData",
    "avs",
    "customerId",
    "type",
    "orderReference",
    "payment",
    "pointOfSell",
    "card",
    "extendedCard",
];
