//! A small, safe XML tree reader.
//!
//! Names are kept as (namespace URI, local name); prefixes are resolved and forgotten. An
//! element marked `xsi:nil="true"` and an empty element both read as "no value". DOCTYPE
//! declarations are refused outright: without a DTD no entity can be declared, so entity
//! expansion attacks ("billion laughs") and external entities cannot happen.

use crate::XSI_NS;
use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

/// Deeper documents are refused (no Payline message comes near it).
pub(crate) const MAX_DEPTH: usize = 64;
/// More elements are refused. The largest Payline message has a few hundred; a 1 MiB body of
/// `<a/>` would have 262,144, and is refused at the 100,001st.
pub(crate) const MAX_ELEMENTS: usize = 100_000;
/// More attributes on one element are refused. Checking an element's attributes for duplicates
/// costs the square of their number: one element with 90,000 attributes would tie a thread for
/// seconds. A SOAP envelope declares its namespaces with a handful.
pub(crate) const MAX_ATTRIBUTES_PER_ELEMENT: usize = 32;
/// More attributes in the whole document are refused.
pub(crate) const MAX_ATTRIBUTES: usize = 10_000;
/// More namespace declarations in scope at once are refused: every element's prefix is looked
/// up among them.
pub(crate) const MAX_NAMESPACES_IN_SCOPE: usize = 32;

/// Why a document is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// Not well-formed XML (or an undeclared prefix, text outside the root, …).
    #[error("malformed XML: {0}")]
    Malformed(String),
    /// The document has a DOCTYPE, refused so that no entity can be declared.
    #[error("DTDs are not accepted")]
    Doctype,
    /// Nesting deeper than `MAX_DEPTH`.
    #[error("the document nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
    /// More than `MAX_ELEMENTS` elements.
    #[error("the document has more than {MAX_ELEMENTS} elements")]
    TooManyElements,
    /// More than `MAX_ATTRIBUTES_PER_ELEMENT` attributes on an element, or `MAX_ATTRIBUTES` in
    /// all.
    #[error(
        "the document has more than {MAX_ATTRIBUTES_PER_ELEMENT} attributes on an element or {MAX_ATTRIBUTES} in all"
    )]
    TooManyAttributes,
    /// More than `MAX_NAMESPACES_IN_SCOPE` namespace declarations in scope.
    #[error("the document declares more than {MAX_NAMESPACES_IN_SCOPE} namespaces in scope")]
    TooManyNamespaces,
}

/// One element: its resolved name, `xsi:nil`, text and children.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// The namespace URI; `None` when the element is in no namespace.
    pub namespace: Option<String>,
    /// The local name, without prefix.
    pub name: String,
    /// Marked `xsi:nil="true"`: the element has no value.
    pub nil: bool,
    /// The text directly inside (concatenated, not trimmed).
    pub text: String,
    /// The child elements, in document order.
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
    let mut tree = Tree::default();
    loop {
        // Read without resolving: the element's attributes are counted first, so that no
        // quadratic work (duplicate checks, prefix lookups) is done on a hostile element.
        let event = reader.read_event_into(&mut buffer).map_err(malformed)?;
        match event {
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Start(ref start) | Event::Empty(ref start) => {
                tree.admit()?;
                tree.count_attributes(start, matches!(event, Event::Start(_)))?;
                let (resolved, _) = reader.resolve_element(start.name());
                let namespace = namespace_of(resolved)?;
                let element = Element {
                    namespace,
                    name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
                    nil: is_nil(&reader, start)?,
                    ..Element::default()
                };
                if matches!(event, Event::Empty(_)) {
                    tree.attach(element);
                } else {
                    tree.stack.push(element);
                }
            }
            Event::End(_) => {
                tree.close()?;
                tree.namespaces.pop();
            }
            Event::Text(text) => tree.text(&text.unescape().map_err(malformed)?)?,
            Event::CData(data) => {
                let data = String::from_utf8(data.into_inner().into_owned())
                    .map_err(|_| XmlError::Malformed("CDATA is not UTF-8".into()))?;
                tree.cdata(&data)?;
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
        buffer.clear();
    }
    tree.finish()
}

fn malformed(error: impl std::fmt::Display) -> XmlError {
    XmlError::Malformed(error.to_string())
}

/// The namespace URI of an element; an undeclared prefix is malformed.
fn namespace_of(resolved: ResolveResult<'_>) -> Result<Option<String>, XmlError> {
    match resolved {
        ResolveResult::Bound(ns) => Ok(Some(String::from_utf8_lossy(ns.as_ref()).into_owned())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(prefix) => Err(XmlError::Malformed(format!(
            "undeclared namespace prefix {}",
            String::from_utf8_lossy(&prefix)
        ))),
    }
}

/// Whether the element is marked `xsi:nil="true"` (or `"1"`).
fn is_nil(reader: &NsReader<&[u8]>, start: &BytesStart<'_>) -> Result<bool, XmlError> {
    let mut nil = false;
    for attribute in start.attributes() {
        let attribute = attribute.map_err(malformed)?;
        let (attribute_ns, local) = reader.resolve_attribute(attribute.key);
        let is_xsi =
            matches!(attribute_ns, ResolveResult::Bound(ns) if ns.as_ref() == XSI_NS.as_bytes());
        if is_xsi && local.as_ref() == b"nil" {
            let value = attribute.unescape_value().map_err(malformed)?;
            nil = matches!(value.trim(), "true" | "1");
        }
    }
    Ok(nil)
}

/// The document read so far: the open elements, the root once closed, how many elements and
/// attributes were read (against [`MAX_ELEMENTS`] and [`MAX_ATTRIBUTES`]), and the namespace
/// declarations of each open element.
#[derive(Default)]
struct Tree {
    stack: Vec<Element>,
    root: Option<Element>,
    count: usize,
    attributes: usize,
    namespaces: Vec<usize>,
}

impl Tree {
    /// Counts an element's attributes and namespace declarations against the limits, without
    /// checking them for duplicates (linear); `opens`: the element has content, so its
    /// declarations stay in scope until its end tag.
    fn count_attributes(&mut self, start: &BytesStart<'_>, opens: bool) -> Result<(), XmlError> {
        let mut own = 0;
        let mut declarations = 0;
        for attribute in start.attributes().with_checks(false) {
            let attribute = attribute.map_err(malformed)?;
            own += 1;
            if own > MAX_ATTRIBUTES_PER_ELEMENT {
                return Err(XmlError::TooManyAttributes);
            }
            if attribute.key.as_namespace_binding().is_some() {
                declarations += 1;
            }
        }
        self.attributes += own;
        if self.attributes > MAX_ATTRIBUTES {
            return Err(XmlError::TooManyAttributes);
        }
        if self.namespaces.iter().sum::<usize>() + declarations > MAX_NAMESPACES_IN_SCOPE {
            return Err(XmlError::TooManyNamespaces);
        }
        if opens {
            self.namespaces.push(declarations);
        }
        Ok(())
    }

    /// Checks that one more element may open here.
    fn admit(&mut self) -> Result<(), XmlError> {
        self.count += 1;
        if self.count > MAX_ELEMENTS {
            return Err(XmlError::TooManyElements);
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(XmlError::TooDeep);
        }
        if self.root.is_some() {
            return Err(XmlError::Malformed("content after the root element".into()));
        }
        Ok(())
    }

    /// Closes the innermost open element.
    fn close(&mut self) -> Result<(), XmlError> {
        let element = self
            .stack
            .pop()
            .ok_or_else(|| XmlError::Malformed("unbalanced end tag".into()))?;
        self.attach(element);
        Ok(())
    }

    /// Adds a finished element to its parent, or makes it the root.
    fn attach(&mut self, element: Element) {
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(element),
            None => self.root = Some(element),
        }
    }

    /// Text inside the open element; only blanks may stand outside the root.
    fn text(&mut self, text: &str) -> Result<(), XmlError> {
        match self.stack.last_mut() {
            Some(current) => current.text.push_str(text),
            None if text.trim().is_empty() => {}
            None => {
                return Err(XmlError::Malformed("text outside the root element".into()));
            }
        }
        Ok(())
    }

    /// A CDATA section inside the open element.
    fn cdata(&mut self, data: &str) -> Result<(), XmlError> {
        match self.stack.last_mut() {
            Some(current) => current.text.push_str(data),
            None => {
                return Err(XmlError::Malformed("CDATA outside the root element".into()));
            }
        }
        Ok(())
    }

    /// The root, once every element is closed.
    fn finish(self) -> Result<Element, XmlError> {
        if !self.stack.is_empty() {
            return Err(XmlError::Malformed(
                "the document ends inside an element".into(),
            ));
        }
        self.root
            .ok_or_else(|| XmlError::Malformed("no root element".into()))
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
