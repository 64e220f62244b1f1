//! cvgate's own WSDLs: the same namespaces, element and type names as Payline's, describing the
//! operations cvgate implements and the elements it writes, with the real address.

mod operations;
mod schema;
mod types;

use operations::{
    DO_AUTHORIZATION, DO_CAPTURE, DO_REFUND, DO_RESET, DO_WEB_PAYMENT, GET_TRANSACTION_DETAILS,
    GET_WEB_PAYMENT_DETAILS, TRANSACTIONS_SEARCH,
};
use schema::Field;
pub use schema::OperationSchema;
use types::{LISTS, OPEN_TYPES, TYPES};

/// Each service cvgate serves and its operations, for `GET <endpoint>?wsdl`.
pub const SERVICES: &[(&str, &[&OperationSchema])] = &[
    (
        "WebPaymentAPI",
        &[&DO_WEB_PAYMENT, &GET_WEB_PAYMENT_DETAILS],
    ),
    (
        "DirectPaymentAPI",
        &[&DO_REFUND, &DO_RESET, &DO_CAPTURE, &DO_AUTHORIZATION],
    ),
    (
        "ExtendedAPI",
        &[&GET_TRANSACTION_DETAILS, &TRANSACTIONS_SEARCH],
    ),
];

fn fields(out: &mut String, list: &[Field]) {
    out.push_str("<sequence>");
    for (name, kind, optional, nillable) in list {
        out.push_str(&format!(
            r#"<element name="{name}" type="{kind}"{}{}/>"#,
            if *optional { r#" minOccurs="0""# } else { "" },
            if *nillable { r#" nillable="true""# } else { "" }
        ));
    }
    out.push_str("</sequence>");
}

fn obj_schema() -> String {
    let mut out = String::from(
        r#"<schema xmlns="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified" targetNamespace="http://obj.ws.payline.experian.com">"#,
    );
    for (name, list) in TYPES {
        out.push_str(&format!(r#"<complexType name="{name}">"#));
        fields(&mut out, list);
        out.push_str("</complexType>");
    }
    for (name, item, kind, max) in LISTS {
        out.push_str(&format!(
            r#"<complexType name="{name}"><sequence><element name="{item}" type="{kind}" minOccurs="0" maxOccurs="{max}"/></sequence></complexType>"#
        ));
    }
    for name in OPEN_TYPES {
        out.push_str(&format!(
            r#"<complexType name="{name}"><sequence><any minOccurs="0" maxOccurs="unbounded" processContents="lax"/></sequence></complexType>"#
        ));
    }
    out.push_str("</schema>");
    out
}

/// The WSDL of one service (e.g. `WebPaymentAPI`) offering `operations`, at `address`.
pub fn wsdl(service: &str, operations: &[&OperationSchema], address: &str) -> String {
    let mut escaped_address = String::new();
    crate::writer::escape_into(&mut escaped_address, address);
    let mut out = String::from(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    out.push_str(
        r#"<wsdl:definitions targetNamespace="http://impl.ws.payline.experian.com" xmlns:impl="http://impl.ws.payline.experian.com" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:wsdlsoap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns1="http://obj.ws.payline.experian.com"><wsdl:types>"#,
    );
    out.push_str(
        r#"<schema xmlns="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified" targetNamespace="http://impl.ws.payline.experian.com"><import namespace="http://obj.ws.payline.experian.com"/>"#,
    );
    for operation in operations {
        for (suffix, list) in [
            ("Request", operation.request),
            ("Response", operation.response),
        ] {
            out.push_str(&format!(
                r#"<element name="{}{suffix}"><complexType>"#,
                operation.name
            ));
            fields(&mut out, list);
            out.push_str("</complexType></element>");
        }
    }
    out.push_str("</schema>");
    out.push_str(&obj_schema());
    out.push_str("</wsdl:types>");
    for operation in operations {
        for suffix in ["Request", "Response"] {
            out.push_str(&format!(
                r#"<wsdl:message name="{0}{suffix}"><wsdl:part element="impl:{0}{suffix}" name="parameters"/></wsdl:message>"#,
                operation.name
            ));
        }
    }
    out.push_str(&format!(r#"<wsdl:portType name="{service}">"#));
    for operation in operations {
        out.push_str(&format!(
            r#"<wsdl:operation name="{0}"><wsdl:input message="impl:{0}Request" name="{0}Request"/><wsdl:output message="impl:{0}Response" name="{0}Response"/></wsdl:operation>"#,
            operation.name
        ));
    }
    out.push_str("</wsdl:portType>");
    out.push_str(&format!(
        r#"<wsdl:binding name="{service}SoapBinding" type="impl:{service}"><wsdlsoap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>"#
    ));
    for operation in operations {
        out.push_str(&format!(
            r#"<wsdl:operation name="{0}"><wsdlsoap:operation soapAction="{0}"/><wsdl:input name="{0}Request"><wsdlsoap:body use="literal"/></wsdl:input><wsdl:output name="{0}Response"><wsdlsoap:body use="literal"/></wsdl:output></wsdl:operation>"#,
            operation.name
        ));
    }
    out.push_str("</wsdl:binding>");
    out.push_str(&format!(
        r#"<wsdl:service name="{service}"><wsdl:port binding="impl:{service}SoapBinding" name="{service}"><wsdlsoap:address location="{escaped_address}"/></wsdl:port></wsdl:service></wsdl:definitions>"#
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml;

    /// The names between `prefix` and the next quote, e.g. every `type="tns1:…"`.
    fn quoted_after<'a>(text: &'a str, prefix: &'a str) -> impl Iterator<Item = &'a str> {
        text.split(prefix)
            .skip(1)
            .map(|rest| &rest[..rest.find('"').unwrap()])
    }

    #[test]
    fn every_service_wsdl_is_well_formed_and_declares_every_type_it_uses() {
        for (service, operations) in SERVICES {
            let address = format!("https://pay.example/V4/services/{service}?a=1&b=2");
            let text = wsdl(service, operations, &address);
            let doc = xml::parse(text.as_bytes()).unwrap();
            assert_eq!(doc.name, "definitions");
            assert!(text.contains(&format!(
                r#"location="https://pay.example/V4/services/{service}?a=1&amp;b=2""#
            )));
            for operation in *operations {
                for (suffix, list) in [
                    ("Request", operation.request),
                    ("Response", operation.response),
                ] {
                    let element = format!(r#"<element name="{}{suffix}">"#, operation.name);
                    assert_eq!(text.matches(&element).count(), 1, "{service}: {element}");
                    for (index, field) in list.iter().enumerate() {
                        assert!(
                            list[..index].iter().all(|other| other.0 != field.0),
                            "{}{suffix}.{} is declared twice",
                            operation.name,
                            field.0
                        );
                    }
                }
            }
            let declared: Vec<&str> = quoted_after(&text, r#"<complexType name=""#).collect();
            for (index, name) in declared.iter().enumerate() {
                assert!(!declared[..index].contains(name), "{name} declared twice");
            }
            for used in quoted_after(&text, r#"type="tns1:"#) {
                assert!(
                    declared.contains(&used),
                    "{service}: tns1:{used} is used but not declared"
                );
            }
            for used in quoted_after(&text, r#"type="xsd:"#) {
                assert!(matches!(used, "string" | "boolean"), "xsd:{used}");
            }
        }
    }

    #[test]
    fn every_operation_is_in_exactly_one_service() {
        let every_operation = [
            &DO_WEB_PAYMENT,
            &GET_WEB_PAYMENT_DETAILS,
            &DO_REFUND,
            &DO_RESET,
            &DO_CAPTURE,
            &DO_AUTHORIZATION,
            &GET_TRANSACTION_DETAILS,
            &TRANSACTIONS_SEARCH,
        ];
        let served: Vec<&str> = SERVICES
            .iter()
            .flat_map(|(_, operations)| operations.iter().map(|operation| operation.name))
            .collect();
        assert_eq!(served, every_operation.map(|operation| operation.name));
    }
}
