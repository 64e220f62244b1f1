//! The shape of an operation's schema: the rows the WSDL's elements and types are written from.

/// (element, type, optional, nillable): `optional` is `minOccurs="0"`.
pub(super) type Field = (&'static str, &'static str, bool, bool);

/// An operation's request and response elements: (name, [(element, type, optional, nillable)]).
pub struct OperationSchema {
    /// The operation's name (`doWebPayment`), which its `…Request`/`…Response` elements extend.
    pub(crate) name: &'static str,
    /// The children of the `…Request` element, in schema order.
    pub(crate) request: &'static [Field],
    /// The children of the `…Response` element, in schema order.
    pub(crate) response: &'static [Field],
}
