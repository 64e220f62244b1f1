//! Writes SOAP responses. Callers describe each element in schema order; a missing value is
//! written `xsi:nil="true"`, so every element of the response type is always present.

use crate::{IMPL_NS, OBJ_NS, SOAP_ENV_NS, XSI_NS};

/// Which Payline namespace an element is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ns {
    /// Wrappers and their direct children.
    Impl,
    /// Children of complex types.
    Obj,
}

impl Ns {
    fn prefix(self) -> &'static str {
        match self {
            Ns::Impl => "impl",
            Ns::Obj => "obj",
        }
    }
}

/// Builds one SOAP envelope as text, element by element.
pub(crate) struct XmlWriter {
    out: String,
}

impl XmlWriter {
    /// A whole response envelope whose Body holds `<impl:{wrapper}>` filled by `body`.
    pub(crate) fn response(wrapper: &str, body: impl FnOnce(&mut XmlWriter)) -> String {
        let mut writer = XmlWriter::envelope_start();
        writer.complex(Ns::Impl, wrapper, body);
        writer.envelope_end()
    }

    pub(crate) fn envelope_start() -> XmlWriter {
        let mut out = String::with_capacity(4096);
        out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
        out.push_str(&format!(
            r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV_NS}" xmlns:impl="{IMPL_NS}" xmlns:obj="{OBJ_NS}" xmlns:xsi="{XSI_NS}"><SOAP-ENV:Body>"#
        ));
        XmlWriter { out }
    }

    pub(crate) fn envelope_end(mut self) -> String {
        self.out.push_str("</SOAP-ENV:Body></SOAP-ENV:Envelope>");
        self.out
    }

    pub(crate) fn raw(&mut self, text: &str) {
        self.out.push_str(text);
    }

    /// A simple element: its text, or `xsi:nil="true"` when `None`.
    pub(crate) fn leaf(&mut self, ns: Ns, name: &str, value: Option<&str>) {
        match value {
            Some(value) => {
                self.out.push_str(&format!("<{}:{name}>", ns.prefix()));
                escape_into(&mut self.out, value);
                self.out.push_str(&format!("</{}:{name}>", ns.prefix()));
            }
            None => self.nil(ns, name),
        }
    }

    /// An element the schema requires (not nillable): its text, or empty when unknown.
    pub(crate) fn required(&mut self, ns: Ns, name: &str, value: Option<&str>) {
        match value {
            Some(value) => self.leaf(ns, name, Some(value)),
            None => self.out.push_str(&format!("<{}:{name}/>", ns.prefix())),
        }
    }

    /// An element written `xsi:nil="true"`: no value.
    pub(crate) fn nil(&mut self, ns: Ns, name: &str) {
        self.out
            .push_str(&format!(r#"<{}:{name} xsi:nil="true"/>"#, ns.prefix()));
    }

    /// A complex element whose children `fill` writes.
    pub(crate) fn complex(&mut self, ns: Ns, name: &str, fill: impl FnOnce(&mut XmlWriter)) {
        self.out.push_str(&format!("<{}:{name}>", ns.prefix()));
        fill(self);
        self.out.push_str(&format!("</{}:{name}>", ns.prefix()));
    }

    /// A complex element, or nil when there is nothing to write.
    pub(crate) fn optional<T>(
        &mut self,
        ns: Ns,
        name: &str,
        value: Option<&T>,
        fill: impl FnOnce(&mut XmlWriter, &T),
    ) {
        match value {
            Some(value) => self.complex(ns, name, |w| fill(w, value)),
            None => self.nil(ns, name),
        }
    }
}

/// Escapes text for element content; characters XML 1.0 forbids are replaced, so the output is
/// always well-formed whatever was stored.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml;

    #[test]
    fn writes_a_well_formed_envelope_with_nils() {
        let text = XmlWriter::response("doWebPaymentResponse", |w| {
            w.complex(Ns::Impl, "result", |w| {
                w.leaf(Ns::Obj, "code", Some("00000"));
                w.leaf(Ns::Obj, "longMessage", Some("a < b & \"c\" \u{1}"));
                w.leaf(Ns::Obj, "partnerCode", None);
            });
            w.leaf(Ns::Impl, "token", Some("tok"));
            w.optional::<String>(Ns::Impl, "redirectURL", None, |w, v| w.raw(v));
        });
        let doc = xml::parse(text.as_bytes()).unwrap();
        let body = &doc.children[0].children[0];
        assert_eq!(body.name, "doWebPaymentResponse");
        assert_eq!(body.namespace.as_deref(), Some(IMPL_NS));
        let result = body.child("result").unwrap();
        assert_eq!(
            result.child("code").unwrap().namespace.as_deref(),
            Some(OBJ_NS)
        );
        assert_eq!(result.value("longMessage"), Some("a < b & \"c\" \u{FFFD}"));
        assert!(result.child("partnerCode").unwrap().nil);
        assert!(body.child("redirectURL").unwrap().nil);
        let names: Vec<&str> = body.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["result", "token", "redirectURL"]);
    }
}
