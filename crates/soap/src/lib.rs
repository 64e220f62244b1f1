//! Payline v4 SOAP 1.1 (document/literal), both directions.
//!
//! - [`xml`] reads any well-formed XML into a small tree, whatever the prefixes, refusing DTDs
//!   (so no entity can expand) and absurd depths.
//! - [`envelope`] finds the operation in a SOAP envelope.
//! - `writer` writes responses: every element of the response type, in schema order, `xsi:nil`
//!   when there is no value — clients such as PHP's SoapClient index fields blindly.
//! - [`fault`] writes SOAP Faults.
//! - [`web_payment_api`], [`direct_payment_api`] and [`extended_api`] decode each operation's
//!   request into plain input structs and write its response from `*Out` structs ([`objects`]).
//! - [`wsdl`] writes cvgate's own WSDL of each service.

mod decode;
pub mod direct_payment_api;
pub mod envelope;
pub mod extended_api;
pub mod fault;
pub mod objects;
pub mod sensitive;
#[cfg(test)]
mod test_support;
pub mod web_payment_api;
mod writer;
pub mod wsdl;
pub mod xml;

/// Namespace of the request/response wrappers and their direct children.
pub const IMPL_NS: &str = "http://impl.ws.payline.experian.com";
/// Namespace of the children of complex types (`payment`, `order`, `result`, …).
pub const OBJ_NS: &str = "http://obj.ws.payline.experian.com";
/// Namespace of the SOAP 1.1 `Envelope`, `Body` and `Fault`.
pub(crate) const SOAP_ENV_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// Namespace of the `xsi:nil` attribute (XML Schema instance).
pub(crate) const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
