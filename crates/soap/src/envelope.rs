//! Finds the operation in a SOAP 1.1 envelope: the first element of the Body, dispatched on its
//! name (not on the `SOAPAction` header, which clients fill inconsistently).

use crate::xml::{self, Element, XmlError};
use crate::{IMPL_NS, SOAP_ENV_NS};

/// Why a request body is not a Payline SOAP request (answered with a Client Fault).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// The body is not acceptable XML.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// The root is not a SOAP 1.1 `Envelope`.
    #[error("the document is not a SOAP 1.1 Envelope")]
    NotAnEnvelope,
    /// The `Envelope` has no `Body`.
    #[error("the SOAP Envelope has no Body")]
    NoBody,
    /// The `Body` holds no element.
    #[error("the SOAP Body is empty")]
    EmptyBody,
    /// The `Body`'s element is not a `…Request` in Payline's `impl` namespace (its
    /// `{namespace}name`).
    #[error("{0} is not a Payline operation")]
    UnknownOperation(String),
}

/// A request: the operation name (`doWebPayment`) and its wrapper element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoapRequest {
    /// The operation's name: the wrapper's local name without `Request` (`doWebPayment`).
    pub operation: String,
    /// The `…Request` wrapper element, whose children are the request's fields.
    pub body: Element,
}

/// Parses a request body and finds its operation.
pub fn parse_request(bytes: &[u8]) -> Result<SoapRequest, EnvelopeError> {
    let envelope = xml::parse(bytes)?;
    if envelope.name != "Envelope" || envelope.namespace.as_deref() != Some(SOAP_ENV_NS) {
        return Err(EnvelopeError::NotAnEnvelope);
    }
    let body = envelope
        .children
        .iter()
        .find(|child| child.name == "Body" && child.namespace.as_deref() == Some(SOAP_ENV_NS))
        .ok_or(EnvelopeError::NoBody)?;
    let wrapper = body.children.first().ok_or(EnvelopeError::EmptyBody)?;
    let in_payline_namespace = matches!(wrapper.namespace.as_deref(), None | Some(IMPL_NS));
    let operation = wrapper
        .name
        .strip_suffix("Request")
        .filter(|_| in_payline_namespace);
    match operation {
        Some(operation) if !operation.is_empty() => Ok(SoapRequest {
            operation: operation.to_owned(),
            body: wrapper.clone(),
        }),
        _ => Err(EnvelopeError::UnknownOperation(format!(
            "{{{}}}{}",
            wrapper.namespace.as_deref().unwrap_or(""),
            wrapper.name
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(body: &str) -> String {
        format!(
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:impl="http://impl.ws.payline.experian.com"><soapenv:Header/><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"#
        )
    }

    #[test]
    fn finds_the_operation_whatever_the_prefixes() {
        let request = parse_request(envelope("<impl:getWebPaymentDetailsRequest><impl:token>t</impl:token></impl:getWebPaymentDetailsRequest>").as_bytes()).unwrap();
        assert_eq!(request.operation, "getWebPaymentDetails");
        assert_eq!(request.body.value("token"), Some("t"));
        let default_ns = envelope(
            r#"<getWebPaymentDetailsRequest xmlns="http://impl.ws.payline.experian.com"><token>t</token></getWebPaymentDetailsRequest>"#,
        );
        assert_eq!(
            parse_request(default_ns.as_bytes()).unwrap().operation,
            "getWebPaymentDetails"
        );
    }

    #[test]
    fn refuses_what_is_not_a_payline_request() {
        assert_eq!(parse_request(b"<a/>"), Err(EnvelopeError::NotAnEnvelope));
        let no_body = r#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"/>"#;
        assert_eq!(
            parse_request(no_body.as_bytes()),
            Err(EnvelopeError::NoBody)
        );
        assert_eq!(
            parse_request(envelope("").as_bytes()),
            Err(EnvelopeError::EmptyBody)
        );
        let foreign = envelope(r#"<x:doWebPaymentRequest xmlns:x="urn:other"/>"#);
        assert!(matches!(
            parse_request(foreign.as_bytes()),
            Err(EnvelopeError::UnknownOperation(_))
        ));
        assert!(matches!(
            parse_request(envelope("<impl:hello/>").as_bytes()),
            Err(EnvelopeError::UnknownOperation(_))
        ));
    }
}
