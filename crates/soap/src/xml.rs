//! A small, safe XML tree reader.
//!
//! Names are kept as (namespace URI, local name); prefixes are resolved and forgotten. An
//! element marked `xsi:nil="true"` and an empty element both read as "no value". DOCTYPE
//! declarations are refused outright: without a DTD no entity can be declared, so entity
//! expansion attacks ("billion laughs") and external entities cannot happen.

use crate::XSI_NS;
use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

/// Deeper documents are refused (no Payline message comes near it).
pub const MAX_DEPTH: usize = 64;
/// More elements are refused (a 1 MiB body of tiny elements stays well below it).
pub const MAX_ELEMENTS: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("malformed XML: {0}")]
    Malformed(String),
    #[error("DTDs are not accepted")]
    Doctype,
    #[error("the document nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("the document has more than {MAX_ELEMENTS} elements")]
    TooManyElements,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    pub namespace: Option<String>,
    pub name: String,
    /// `xsi:nil="true"`.
    pub nil: bool,
    /// The text directly inside (concatenated, not trimmed).
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child with this local name, whatever its namespace (clients are not consistent).
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|child| child.name == name)
    }

    /// Every child with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |child| child.name == name)
    }

    /// The child's trimmed text; `None` when absent, nil or empty.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.child(name).and_then(Element::own_value)
    }

    /// This element's trimmed text; `None` when nil or empty.
    pub fn own_value(&self) -> Option<&str> {
        let text = self.text.trim();
        (!self.nil && !text.is_empty()).then_some(text)
    }

    /// A present, non-nil child (a complex value).
    pub fn present(&self, name: &str) -> Option<&Element> {
        self.child(name).filter(|child| !child.nil)
    }
}

/// Reads a whole document and returns its root element.
pub fn parse(bytes: &[u8]) -> Result<Element, XmlError> {
    let mut reader = NsReader::from_reader(bytes);
    reader.config_mut().trim_text(false);
    let mut buffer = Vec::new();
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    loop {
        let (resolved, event) = reader
            .read_resolved_event_into(&mut buffer)
            .map_err(|e| XmlError::Malformed(e.to_string()))?;
        match event {
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Start(ref start) | Event::Empty(ref start) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(XmlError::TooManyElements);
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                if root.is_some() {
                    return Err(XmlError::Malformed("content after the root element".into()));
                }
                let namespace = match resolved {
                    ResolveResult::Bound(ns) => {
                        Some(String::from_utf8_lossy(ns.as_ref()).into_owned())
                    }
                    ResolveResult::Unbound => None,
                    ResolveResult::Unknown(prefix) => {
                        return Err(XmlError::Malformed(format!(
                            "undeclared namespace prefix {}",
                            String::from_utf8_lossy(&prefix)
                        )));
                    }
                };
                let mut element = Element {
                    namespace,
                    name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
                    ..Element::default()
                };
                for attribute in start.attributes() {
                    let attribute = attribute.map_err(|e| XmlError::Malformed(e.to_string()))?;
                    let (attribute_ns, local) = reader.resolve_attribute(attribute.key);
                    let is_xsi = matches!(attribute_ns, ResolveResult::Bound(ns) if ns.as_ref() == XSI_NS.as_bytes());
                    if is_xsi && local.as_ref() == b"nil" {
                        let value = attribute
                            .unescape_value()
                            .map_err(|e| XmlError::Malformed(e.to_string()))?;
                        element.nil = matches!(value.trim(), "true" | "1");
                    }
                }
                if matches!(event, Event::Empty(_)) {
                    attach(&mut stack, &mut root, element);
                } else {
                    stack.push(element);
                }
            }
            Event::End(_) => {
                let element = stack
                    .pop()
                    .ok_or_else(|| XmlError::Malformed("unbalanced end tag".into()))?;
                attach(&mut stack, &mut root, element);
            }
            Event::Text(text) => {
                let text = text
                    .unescape()
                    .map_err(|e| XmlError::Malformed(e.to_string()))?;
                match stack.last_mut() {
                    Some(current) => current.text.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => {
                        return Err(XmlError::Malformed("text outside the root element".into()));
                    }
                }
            }
            Event::CData(data) => {
                let data = String::from_utf8(data.into_inner().into_owned())
                    .map_err(|_| XmlError::Malformed("CDATA is not UTF-8".into()))?;
                match stack.last_mut() {
                    Some(current) => current.text.push_str(&data),
                    None => {
                        return Err(XmlError::Malformed("CDATA outside the root element".into()));
                    }
                }
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
        buffer.clear();
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed(
            "the document ends inside an element".into(),
        ));
    }
    root.ok_or_else(|| XmlError::Malformed("no root element".into()))
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_resolved_and_forgotten() {
        let a = parse(br#"<a:x xmlns:a="urn:n"><a:y>1</a:y></a:x>"#).unwrap();
        let b = parse(br#"<x xmlns="urn:n"><y>1</y></x>"#).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.namespace.as_deref(), Some("urn:n"));
        assert_eq!(a.value("y"), Some("1"));
    }

    #[test]
    fn nil_and_empty_read_as_no_value() {
        let doc = parse(
            br#"<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><a xsi:nil="true"/><b/><c>  </c><d> v </d></r>"#,
        )
        .unwrap();
        assert_eq!(
            (
                doc.value("a"),
                doc.value("b"),
                doc.value("c"),
                doc.value("d")
            ),
            (None, None, None, Some("v"))
        );
        assert!(doc.present("a").is_none() && doc.present("b").is_some());
    }

    #[test]
    fn escapes_and_cdata_are_decoded() {
        let doc = parse(b"<r><a>x &amp; y &#233;</a><b><![CDATA[<raw>]]></b></r>").unwrap();
        assert_eq!(doc.value("a"), Some("x & y é"));
        assert_eq!(doc.value("b"), Some("<raw>"));
    }

    #[test]
    fn dangerous_or_broken_documents_are_refused() {
        let bomb = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><r>&lol2;</r>"#;
        assert_eq!(parse(bomb), Err(XmlError::Doctype));
        let external = br#"<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#;
        assert_eq!(parse(external), Err(XmlError::Doctype));
        assert!(matches!(
            parse(b"<r>&undefined;</r>"),
            Err(XmlError::Malformed(_))
        ));
        assert!(matches!(parse(b"<r><a></r>"), Err(XmlError::Malformed(_))));
        assert!(matches!(parse(b"<p:r/>"), Err(XmlError::Malformed(_))));
        assert!(matches!(parse(b""), Err(XmlError::Malformed(_))));
        assert!(matches!(parse(b"<a/><b/>"), Err(XmlError::Malformed(_))));
        let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert_eq!(parse(deep.as_bytes()), Err(XmlError::TooDeep));
        let wide = format!("<r>{}</r>", "<a/>".repeat(MAX_ELEMENTS + 1));
        assert_eq!(parse(wide.as_bytes()), Err(XmlError::TooManyElements));
    }
}
