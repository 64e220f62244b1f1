use serde_json::{Value, json};

use crate::{
    BrowserError,
    wire::{self, ELEMENT_KEY, Wire},
};

/// An element of the current page. It goes stale (WebDriver error `stale element reference`)
/// when the page changes under it: find it again then.
#[derive(Clone, Debug)]
pub struct Element {
    session: Wire,
    id: String,
}

impl Element {
    pub(crate) fn new(session: Wire, id: String) -> Element {
        Element { session, id }
    }

    /// Reads one element reference, as returned by the find commands.
    pub(crate) fn from_reference(
        session: &Wire,
        command: &str,
        reference: &Value,
    ) -> Result<Element, BrowserError> {
        Ok(Element::new(
            session.clone(),
            wire::element_id(command, reference)?,
        ))
    }

    /// Reads a list of element references.
    pub(crate) fn from_references(
        session: &Wire,
        command: &str,
        references: Value,
    ) -> Result<Vec<Element>, BrowserError> {
        let Value::Array(references) = references else {
            return Err(BrowserError::Protocol {
                command: command.to_owned(),
                detail: format!("expected a list of elements, got {references}"),
            });
        };
        references
            .iter()
            .map(|reference| Element::from_reference(session, command, reference))
            .collect()
    }

    /// This element as an argument for [`crate::Browser::execute`] (arrives as a DOM node).
    pub fn as_script_arg(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }

    fn path(&self, command: &str) -> String {
        format!("/element/{}/{command}", self.id)
    }

    /// Clicks the element's centre, as a person would (scrolled into view first).
    pub async fn click(&self) -> Result<(), BrowserError> {
        self.session
            .post(&self.path("click"), json!({}))
            .await
            .map(drop)
    }

    /// Types `text` into the element, as keystrokes.
    pub async fn send_keys(&self, text: &str) -> Result<(), BrowserError> {
        let body = json!({ "text": text });
        self.session.post(&self.path("value"), body).await.map(drop)
    }

    /// Empties an input or textarea.
    pub async fn clear(&self) -> Result<(), BrowserError> {
        self.session
            .post(&self.path("clear"), json!({}))
            .await
            .map(drop)
    }

    /// The rendered text, as a person sees it.
    pub async fn text(&self) -> Result<String, BrowserError> {
        let path = self.path("text");
        wire::string(&path, self.session.get(&path).await?)
    }

    /// An HTML attribute, `None` when absent.
    pub async fn attribute(&self, name: &str) -> Result<Option<String>, BrowserError> {
        let path = self.path(&format!("attribute/{name}"));
        match self.session.get(&path).await? {
            Value::Null => Ok(None),
            value => wire::string(&path, value).map(Some),
        }
    }

    /// A DOM property, e.g. `value` or `checked`, as JSON.
    pub async fn property(&self, name: &str) -> Result<Value, BrowserError> {
        self.session
            .get(&self.path(&format!("property/{name}")))
            .await
    }

    /// Whether the element is visible on the page (not hidden by CSS, not zero-sized).
    pub async fn is_displayed(&self) -> Result<bool, BrowserError> {
        let path = self.path("displayed");
        match self.session.get(&path).await? {
            Value::Bool(displayed) => Ok(displayed),
            other => Err(BrowserError::Protocol {
                command: path,
                detail: format!("expected a boolean, got {other}"),
            }),
        }
    }

    /// The first descendant matching the CSS selector.
    pub async fn find(&self, css: &str) -> Result<Element, BrowserError> {
        let path = self.path("element");
        let reference = self.session.post(&path, wire::css(css)).await?;
        Element::from_reference(&self.session, &path, &reference)
    }

    /// Every descendant matching the CSS selector.
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>, BrowserError> {
        let path = self.path("elements");
        let references = self.session.post(&path, wire::css(css)).await?;
        Element::from_references(&self.session, &path, references)
    }
}
