//! cvgate's own WSDLs: the same namespaces, element and type names as Payline's, describing the
//! operations cvgate implements and the elements it writes, with the real address.

/// Complex types cvgate only ever writes as nil (or ignores on input): declared open so that a
/// client generated from this WSDL accepts whatever a Payline client sends.
const OPEN_TYPES: &[&str] = &[
    "fraudResultDetails",
    "scoring",
    "avs",
    "pointOfSell",
    "reattempt",
    "details",
    "merchantAuthentication",
    "billingRecordList",
    "wallet",
    "contractNumberWalletList",
    "bankAccountData",
    "subMerchant",
    "owner",
    "recurring",
    "threeDSInfo",
    "address",
];

/// (type, [(element, type, optional, nillable)]) for the types cvgate reads or writes.
type Field = (&'static str, &'static str, bool, bool);
const TYPES: &[(&str, &[Field])] = &[
    (
        "result",
        &[
            ("code", "xsd:string", false, false),
            ("shortMessage", "xsd:string", true, true),
            ("longMessage", "xsd:string", true, true),
            ("partnerCode", "xsd:string", true, true),
            ("partnerCodeLabel", "xsd:string", true, true),
        ],
    ),
    (
        "payment",
        &[
            ("amount", "xsd:string", false, true),
            ("currency", "xsd:string", false, false),
            ("action", "xsd:string", false, false),
            ("mode", "xsd:string", false, false),
            ("contractNumber", "xsd:string", true, true),
            ("differedActionDate", "xsd:string", true, true),
            ("method", "xsd:string", true, true),
            ("softDescriptor", "xsd:string", true, true),
            ("cardBrand", "xsd:string", true, true),
            ("registrationToken", "xsd:string", true, true),
            ("cumulatedAmount", "xsd:string", true, true),
        ],
    ),
    (
        "order",
        &[
            ("ref", "xsd:string", false, false),
            ("origin", "xsd:string", true, true),
            ("country", "xsd:string", true, true),
            ("taxes", "xsd:string", true, true),
            ("amount", "xsd:string", false, false),
            ("currency", "xsd:string", false, false),
            ("date", "xsd:string", false, false),
            ("details", "tns1:details", true, true),
            ("deliveryTime", "xsd:string", true, true),
            ("deliveryMode", "xsd:string", true, true),
            ("deliveryExpectedDate", "xsd:string", true, true),
            ("deliveryExpectedDelay", "xsd:string", true, true),
            ("deliveryCharge", "xsd:string", true, true),
            ("discountAmount", "xsd:string", true, true),
            ("otaPackageType", "xsd:string", true, true),
            ("otaDestinationCountry", "xsd:string", true, true),
            ("bookingReference", "xsd:string", true, true),
            ("orderDetail", "xsd:string", true, true),
            ("orderExtended", "xsd:string", true, true),
            ("orderOTA", "xsd:string", true, true),
        ],
    ),
    (
        "privateData",
        &[
            ("key", "xsd:string", false, false),
            ("value", "xsd:string", false, false),
        ],
    ),
    (
        "buyer",
        &[
            ("title", "xsd:string", true, true),
            ("lastName", "xsd:string", true, true),
            ("firstName", "xsd:string", true, true),
            ("email", "xsd:string", true, true),
            ("shippingAdress", "tns1:address", true, true),
            ("billingAddress", "tns1:address", true, true),
            ("accountCreateDate", "xsd:string", true, true),
            ("accountAverageAmount", "xsd:string", true, true),
            ("accountOrderCount", "xsd:string", true, true),
            ("walletId", "xsd:string", true, true),
            ("walletDisplayed", "xsd:string", true, true),
            ("walletSecured", "xsd:string", true, true),
            ("walletCardInd", "xsd:string", true, true),
            ("ip", "xsd:string", true, true),
            ("mobilePhone", "xsd:string", true, true),
            ("customerId", "xsd:string", true, true),
            ("legalStatus", "xsd:string", true, true),
            ("legalDocumentType", "xsd:string", true, true),
            ("legalDocument", "xsd:string", true, true),
            ("birthDate", "xsd:string", true, true),
            ("fingerprintID", "xsd:string", true, true),
            ("deviceFingerprint", "xsd:string", true, true),
            ("isBot", "xsd:string", true, true),
            ("isIncognito", "xsd:string", true, true),
            ("isBehindProxy", "xsd:string", true, true),
            ("isFromTor", "xsd:string", true, true),
            ("isEmulator", "xsd:string", true, true),
            ("isRooted", "xsd:string", true, true),
            ("hasTimezoneMismatch", "xsd:string", true, true),
            ("loyaltyMemberType", "xsd:string", true, true),
            ("buyerExtended", "xsd:string", true, true),
            (
                "merchantAuthentication",
                "tns1:merchantAuthentication",
                true,
                true,
            ),
        ],
    ),
    (
        "transaction",
        &[
            ("id", "xsd:string", false, false),
            ("date", "xsd:string", false, false),
            ("isDuplicated", "xsd:string", true, true),
            ("isPossibleFraud", "xsd:string", false, true),
            ("fraudResult", "xsd:string", true, true),
            ("fraudResultDetails", "tns1:fraudResultDetails", true, true),
            ("explanation", "xsd:string", true, true),
            ("threeDSecure", "xsd:string", true, true),
            ("softDescriptor", "xsd:string", true, true),
            ("score", "xsd:string", true, true),
            ("scoring", "tns1:scoring", true, true),
            ("externalWalletType", "xsd:string", true, true),
            ("externalWalletContractNumber", "xsd:string", true, true),
            ("partnerAdditionalData", "xsd:string", true, true),
            ("avs", "tns1:avs", true, true),
            ("customerId", "xsd:string", true, true),
            ("type", "xsd:string", true, false),
            ("orderReference", "xsd:string", true, true),
            ("payment", "tns1:payment", true, true),
            ("pointOfSell", "tns1:pointOfSell", true, true),
            ("card", "tns1:cardOut", true, true),
            ("extendedCard", "tns1:extendedCardType", true, true),
        ],
    ),
    (
        "authorization",
        &[
            ("number", "xsd:string", false, false),
            ("date", "xsd:string", false, false),
            ("authorizedAmount", "xsd:string", false, true),
            ("authorizedCurrency", "xsd:string", false, true),
            ("reattempt", "tns1:reattempt", true, true),
        ],
    ),
    (
        "cardOut",
        &[
            ("number", "xsd:string", true, true),
            ("type", "xsd:string", true, true),
            ("expirationDate", "xsd:string", true, true),
            ("cardholder", "xsd:string", true, true),
            ("token", "xsd:string", true, true),
            ("panType", "xsd:string", true, true),
        ],
    ),
    (
        "extendedCardType",
        &[
            ("country", "xsd:string", true, true),
            ("isCvd", "xsd:string", true, true),
            ("bank", "xsd:string", true, true),
            ("type", "xsd:string", true, true),
            ("network", "xsd:string", true, true),
            ("product", "xsd:string", true, true),
        ],
    ),
    (
        "authentication3DSecure",
        &[
            ("md", "xsd:string", true, true),
            ("pares", "xsd:string", true, true),
            ("xid", "xsd:string", true, true),
            ("eci", "xsd:string", true, true),
            ("cavv", "xsd:string", true, true),
            ("cavvAlgorithm", "xsd:string", true, true),
            ("vadsResult", "xsd:string", true, true),
            ("typeSecurisation", "xsd:string", true, true),
            ("PaResStatus", "xsd:string", true, true),
            ("VeResStatus", "xsd:string", true, true),
            ("resultContainer", "xsd:string", true, true),
            ("authenticationResult", "xsd:string", true, true),
        ],
    ),
    (
        "paymentAdditional",
        &[
            ("transaction", "tns1:transaction", false, false),
            ("payment", "tns1:payment", false, false),
            ("authorization", "tns1:authorization", false, false),
            (
                "authentication3DSecure",
                "tns1:authentication3DSecure",
                true,
                true,
            ),
            ("card", "tns1:cardOut", true, true),
            ("extendedCard", "tns1:extendedCardType", true, true),
        ],
    ),
];

/// Lists: (type, item element, item type, max).
const LISTS: &[(&str, &str, &str, &str)] = &[
    (
        "selectedContractList",
        "selectedContract",
        "xsd:string",
        "25",
    ),
    ("privateDataList", "privateData", "tns1:privateData", "100"),
    (
        "paymentAdditionalList",
        "paymentAdditional",
        "tns1:paymentAdditional",
        "100",
    ),
];

/// An operation's request and response elements: (name, [(element, type, optional, nillable)]).
pub struct OperationSchema {
    pub name: &'static str,
    pub request: &'static [Field],
    pub response: &'static [Field],
}

pub const DO_WEB_PAYMENT: OperationSchema = OperationSchema {
    name: "doWebPayment",
    request: &[
        ("version", "xsd:string", false, false),
        ("payment", "tns1:payment", false, false),
        ("returnURL", "xsd:string", false, false),
        ("cancelURL", "xsd:string", false, false),
        ("order", "tns1:order", false, false),
        ("notificationURL", "xsd:string", false, true),
        (
            "selectedContractList",
            "tns1:selectedContractList",
            false,
            true,
        ),
        (
            "secondSelectedContractList",
            "tns1:selectedContractList",
            false,
            true,
        ),
        ("privateDataList", "tns1:privateDataList", false, true),
        ("languageCode", "xsd:string", false, true),
        ("customPaymentPageCode", "xsd:string", false, true),
        ("buyer", "tns1:buyer", true, false),
        ("owner", "tns1:owner", false, true),
        ("securityMode", "xsd:string", false, true),
        ("recurring", "tns1:recurring", false, true),
        ("customPaymentTemplateURL", "xsd:string", false, true),
        (
            "contractNumberWalletList",
            "tns1:contractNumberWalletList",
            false,
            true,
        ),
        ("merchantName", "xsd:string", false, true),
        ("subMerchant", "tns1:subMerchant", false, true),
        ("miscData", "xsd:string", false, true),
        ("asynchronousRetryTimeout", "xsd:string", false, true),
        ("threeDSInfo", "tns1:threeDSInfo", false, true),
        ("merchantScore", "xsd:string", false, true),
        ("skipSmartDisplay", "xsd:boolean", false, true),
    ],
    response: &[
        ("result", "tns1:result", false, false),
        ("token", "xsd:string", false, true),
        ("redirectURL", "xsd:string", false, true),
        ("stepCode", "xsd:string", true, true),
        ("reqCode", "xsd:string", true, true),
        ("method", "xsd:string", true, true),
    ],
};

pub const GET_WEB_PAYMENT_DETAILS: OperationSchema = OperationSchema {
    name: "getWebPaymentDetails",
    request: &[
        ("version", "xsd:string", false, false),
        ("token", "xsd:string", false, false),
    ],
    response: &[
        ("result", "tns1:result", false, false),
        ("transaction", "tns1:transaction", false, false),
        ("payment", "tns1:payment", false, false),
        ("authorization", "tns1:authorization", false, false),
        ("privateDataList", "tns1:privateDataList", true, true),
        ("paymentRecordId", "xsd:string", true, true),
        ("billingRecordList", "tns1:billingRecordList", true, true),
        (
            "authentication3DSecure",
            "tns1:authentication3DSecure",
            true,
            true,
        ),
        ("card", "tns1:cardOut", false, false),
        ("extendedCard", "tns1:extendedCardType", true, false),
        ("order", "tns1:order", false, false),
        (
            "paymentAdditionalList",
            "tns1:paymentAdditionalList",
            true,
            true,
        ),
        ("media", "xsd:string", true, true),
        ("numberOfAttempt", "xsd:string", true, true),
        ("wallet", "tns1:wallet", true, true),
        (
            "contractNumberWalletList",
            "tns1:contractNumberWalletList",
            true,
            true,
        ),
        ("contractNumber", "xsd:string", true, false),
        ("bankAccountData", "tns1:bankAccountData", false, true),
        ("subMerchant", "tns1:subMerchant", false, true),
        ("buyer", "tns1:buyer", false, true),
        ("linkedTransactionId", "xsd:string", false, true),
        ("travelFileNumber", "xsd:string", true, true),
    ],
};

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

    #[test]
    fn the_wsdl_is_well_formed_and_declares_every_type_it_uses() {
        let text = wsdl(
            "WebPaymentAPI",
            &[&DO_WEB_PAYMENT, &GET_WEB_PAYMENT_DETAILS],
            "https://pay.example/V4/services/WebPaymentAPI?a=1&b=2",
        );
        let doc = xml::parse(text.as_bytes()).unwrap();
        assert_eq!(doc.name, "definitions");
        assert!(
            text.contains(
                r#"location="https://pay.example/V4/services/WebPaymentAPI?a=1&amp;b=2""#
            )
        );
        let declared: Vec<String> = TYPES
            .iter()
            .map(|(n, _)| *n)
            .chain(LISTS.iter().map(|l| l.0))
            .chain(OPEN_TYPES.iter().copied())
            .map(|n| format!("tns1:{n}"))
            .collect();
        let used = TYPES
            .iter()
            .flat_map(|(_, f)| f.iter())
            .chain(DO_WEB_PAYMENT.request.iter())
            .chain(DO_WEB_PAYMENT.response.iter())
            .chain(GET_WEB_PAYMENT_DETAILS.response.iter())
            .map(|field| field.1)
            .chain(LISTS.iter().map(|list| list.2));
        for kind in used {
            if kind.starts_with("tns1:") {
                assert!(
                    declared.iter().any(|d| d == kind),
                    "{kind} is used but not declared"
                );
            }
        }
    }
}
