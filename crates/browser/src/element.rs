use http::Method;
use serde_json::{Value, json};

use crate::{BrowserError, wire};

/// The key under which WebDriver passes an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// An element of the current page. It goes stale (WebDriver error `stale element reference`)
/// when the page changes under it: find it again then.
#[derive(Clone, Debug)]
pub struct Element {
    inner: fantoccini::elements::Element,
}

impl Element {
    pub(crate) fn new(inner: fantoccini::elements::Element) -> Element {
        Element { inner }
    }

    /// This element as an argument for [`crate::Browser::execute`] (arrives as a DOM node).
    pub fn as_script_arg(&self) -> Value {
        json!({ ELEMENT_KEY: self.inner.element_id().to_string() })
    }

    /// The command name used in error messages, e.g. `POST /element/ID/click`.
    fn command(&self, method: &str, command: &str) -> String {
        format!("{method} /element/{}/{command}", self.inner.element_id())
    }

    /// Makes this `<iframe>` the context of the next commands (WebDriver "switch to frame"), even
    /// when its document comes from another origin; [`crate::Browser::enter_parent_frame`] comes
    /// back out.
    pub async fn enter_frame(&self) -> Result<(), BrowserError> {
        wire::run(&self.command("POST", "frame"), self.inner.enter_frame()).await
    }

    /// Clicks the element's centre, as a person would (scrolled into view first).
    pub async fn click(&self) -> Result<(), BrowserError> {
        wire::run(&self.command("POST", "click"), self.inner.click()).await
    }

    /// Types `text` into the element, as keystrokes.
    pub async fn send_keys(&self, text: &str) -> Result<(), BrowserError> {
        wire::run(&self.command("POST", "value"), self.inner.send_keys(text)).await
    }

    /// Empties an input or textarea.
    pub async fn clear(&self) -> Result<(), BrowserError> {
        wire::run(&self.command("POST", "clear"), self.inner.clear()).await
    }

    /// The rendered text, as a person sees it.
    pub async fn text(&self) -> Result<String, BrowserError> {
        wire::run(&self.command("GET", "text"), self.inner.text()).await
    }

    /// An HTML attribute, `None` when absent.
    pub async fn attribute(&self, name: &str) -> Result<Option<String>, BrowserError> {
        let command = self.command("GET", &format!("attribute/{name}"));
        wire::run(&command, self.inner.attr(name)).await
    }

    /// A DOM property, e.g. `value` or `checked`, as JSON.
    pub async fn property(&self, name: &str) -> Result<Value, BrowserError> {
        // fantoccini's `prop` turns every value into a string: ask for the JSON itself.
        let path = format!("element/{}/property/{name}", self.inner.element_id());
        let session = self.inner.clone().client();
        wire::raw(&session, Method::GET, path, None).await
    }

    /// Whether the element is visible on the page (not hidden by CSS, not zero-sized).
    pub async fn is_displayed(&self) -> Result<bool, BrowserError> {
        wire::run(&self.command("GET", "displayed"), self.inner.is_displayed()).await
    }

    /// The first descendant matching the CSS selector.
    pub async fn find(&self, css: &str) -> Result<Element, BrowserError> {
        let call = self.inner.find(fantoccini::Locator::Css(css));
        let found = wire::run(&self.command("POST", "element"), call).await?;
        Ok(Element::new(found))
    }

    /// Every descendant matching the CSS selector.
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>, BrowserError> {
        let call = self.inner.find_all(fantoccini::Locator::Css(css));
        let found = wire::run(&self.command("POST", "elements"), call).await?;
        Ok(found.into_iter().map(Element::new).collect())
    }
}
